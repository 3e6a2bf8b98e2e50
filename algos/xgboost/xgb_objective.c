/* kiln — XGBoost's objectives: label checks, base score to margin,
 * gradients and hessians, prediction transforms (xgboost 1.7.4's
 * src/objective/regression_loss.h, regression_obj.cu, hinge.cu and
 * multiclass_obj.cu, recomputed here in the same float arithmetic).
 *
 * What every objective computes for a margin m, label y and weight w
 * (s = sigmoid(m) = 1 / (1 + exp(-m)), all in float as xgboost):
 *
 *   reg:squarederror     g = (m - y) w,  h = w
 *   reg:squaredlogerror  m' = max(m, -1 + 1e-6)
 *                        g = (log1p(m') - log1p(y)) / (m' + 1) w
 *                        h = max((1 - log1p(m') + log1p(y)) / (m' + 1)^2,
 *                                1e-6) w
 *   reg:logistic,        g = (s - y) w,  h = max(s (1 - s), 1e-16) w
 *   binary:logistic,
 *   binary:logitraw
 *   reg:pseudohubererror z = m - y, d = huber_slope, q = sqrt(1 + z^2/d^2)
 *                        g = z / q w,  h = d^2 / ((d^2 + z^2) q) w
 *   reg:absoluteerror    g = sign(m - y) w,  h = w
 *   reg:gamma            g = (1 - y / exp(m)) w,  h = y / exp(m) w
 *   reg:tweedie          r = tweedie_variance_power
 *                        g = (-y e^{(1-r)m} + e^{(2-r)m}) w
 *                        h = (-y (1-r) e^{(1-r)m} + (2-r) e^{(2-r)m}) w
 *   count:poisson        g = (exp(m) - y) w,  h = exp(m + max_delta_step) w
 *   binary:hinge         t = 2y - 1; when m t < 1: g = -t w, h = w;
 *                        else g = 0, h = FLT_MIN (unweighted, as xgboost)
 *   multi:softmax,       p = softmax(m) per row; g_k = (p_k - [y == k]) w,
 *   multi:softprob       h_k = max(2 p_k (1 - p_k) w, 1e-16)
 *
 * Decisions where xgboost is subtle:
 *
 * - scale_pos_weight multiplies the weight of rows whose label is exactly
 *   1 for every objective of xgboost's RegLossObj family: reg:squarederror,
 *   reg:squaredlogerror, reg:logistic, binary:logistic, binary:logitraw
 *   (not only the binary ones).  The other objectives ignore it.  Callers
 *   must therefore pass 1 when the user gave nothing, never 0.
 * - The softmax gradient starts its running maximum at FLT_MIN (a tiny
 *   positive number), not at the first margin, as xgboost's GetGradient
 *   does; the prediction softmax starts at the first margin.  Both sum the
 *   exponentials in double and divide in float.
 * - binary:logitraw's eval transform is the identity (xgboost's default
 *   EvalTransform calls PredTransform), so its logloss is computed on raw
 *   margins, clamped by the metric's 1e-16; that is what xgboost prints.
 * - base_score to margin: logit for reg:logistic and binary:logistic
 *   only; binary:logitraw takes base_score as the margin itself (xgboost
 *   1.7.4 does: a 0-round logitraw booster with base_score 0.3 predicts
 *   the margin 0.3); log for gamma, poisson and tweedie; identity else.
 * - binary:hinge predicts 1 when m > 0, else 0, for predict and eval.
 * - multi:softmax predicts the first class of largest margin (as
 *   xgboost's FindMaxIndex); its eval transform is the softmax.
 * - base_score outside an objective's domain (logistic ones need (0, 1),
 *   gamma, poisson and tweedie need > 0) gives a non-finite margin here;
 *   xgboost stops with "base_score must be in (0,1) for logistic loss".
 *   kiln checks base_score with the hyperparameters, before training.
 * - reg:absoluteerror: xgboost 1.7 grows the tree on these gradients,
 *   then replaces every leaf's value by the weighted median (quantile
 *   0.5) of the residuals y - m of the training rows in that leaf
 *   (ObjFunction::UpdateTreeLeaf, src/objective/adaptive.cc), NOT
 *   multiplied by eta (xgboost 2.0 added eta); structure and cover stay.
 *   The weighted median is the smallest residual, in sorted order, whose
 *   cumulative weight reaches half the leaf's total weight (checked
 *   against xgboost 1.7.4).  When base_score is not given, xgboost 1.7
 *   starts from the same weighted median of the labels (and saves it as
 *   base_score).  This file only gives the gradient (sign) and the
 *   hessian (the weight); the trainer refreshes the leaves and estimates
 *   base_score (xgb_train.c).
 *
 * Labels: xgboost refuses NaN and infinite labels for every objective
 * ("Label contains NaN, infinity or a value too large"); kiln does too,
 * naming the row.  xgboost casts multi-class labels to int and lets
 * non-integers through (they then never match a class in the gradient);
 * kiln refuses them.  xgboost's binary:hinge takes any label; kiln asks
 * for [0, 1] as for the other binary objectives.
 *
 * reg:tweedie's default metric depends on its parameter: xgboost names it
 * "tweedie-nloglik@<rho>" with rho printed as C++ prints a float (six
 * significant digits, as "%g").  default_metric below is the bare
 * "tweedie-nloglik"; xgb_metric.c reads rho from the objective's
 * parameters when the name has no @ (the trainer should print
 * "tweedie-nloglik@%g" as xgboost does).
 *
 * Threads: everything here is reentrant; the table is constant.
 */
#include "xgb.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* ---- shared pieces ----------------------------------------------------- */

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

static float weight_at(const float *weight, size_t i)
{
    return weight ? weight[i] : 1.0f;
}

/* Rows i with labels outside a domain: the first one becomes KILN_DATA. */
typedef enum label_domain {
    LABELS_ANY,       /* any finite value */
    LABELS_GT_M1,     /* > -1 */
    LABELS_UNIT,      /* [0, 1] */
    LABELS_NONNEG,    /* >= 0 */
    LABELS_POSITIVE,  /* > 0 */
} label_domain;

static bool label_ok(label_domain d, float y)
{
    switch (d) {
    case LABELS_ANY:
        return true;
    case LABELS_GT_M1:
        return y > -1.0f;
    case LABELS_UNIT:
        return y >= 0.0f && y <= 1.0f;
    case LABELS_NONNEG:
        return y >= 0.0f;
    case LABELS_POSITIVE:
        return y > 0.0f;
    }
    return false;
}

static const char *domain_text(label_domain d)
{
    switch (d) {
    case LABELS_ANY:
        return "finite labels";
    case LABELS_GT_M1:
        return "labels > -1";
    case LABELS_UNIT:
        return "labels in [0, 1]";
    case LABELS_NONNEG:
        return "labels >= 0";
    case LABELS_POSITIVE:
        return "labels > 0";
    }
    return "valid labels";
}

static int check_domain(const char *objective, label_domain d,
                        const float *label, size_t n, kiln_error *err)
{
    for (size_t i = 0; i < n; i++) {
        float y = label[i];
        if (!isfinite(y))
            return kiln_error_set(err, KILN_DATA,
                                  "label %g in row %zu: %s needs finite "
                                  "labels",
                                  (double)y, i + 1, objective);
        if (!label_ok(d, y))
            return kiln_error_set(err, KILN_DATA,
                                  "label %g in row %zu: %s needs %s",
                                  (double)y, i + 1, objective,
                                  domain_text(d));
    }
    return KILN_OK;
}

static int check_classes(const char *objective, int num_class,
                         const float *label, size_t n, kiln_error *err)
{
    if (num_class < 1)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "%s needs num_class >= 1, got %d", objective,
                              num_class);
    for (size_t i = 0; i < n; i++) {
        float y = label[i];
        if (!(y >= 0.0f && y < (float)num_class && y == floorf(y)))
            return kiln_error_set(err, KILN_DATA,
                                  "label %g in row %zu: %s needs integer "
                                  "labels 0..%d (num_class %d)",
                                  (double)y, i + 1, objective, num_class - 1,
                                  num_class);
    }
    return KILN_OK;
}

/* ---- label checks, one per objective (the message names it) ------------ */

#define KILN__XGB_LABELS(fn, objective, domain)                              \
    static int fn(const kiln__xgb_obj_params *p, const float *label,        \
                  size_t n, kiln_error *err)                                \
    {                                                                        \
        (void)p;                                                             \
        return check_domain(objective, domain, label, n, err);              \
    }

KILN__XGB_LABELS(labels_squared, "reg:squarederror", LABELS_ANY)
KILN__XGB_LABELS(labels_squaredlog, "reg:squaredlogerror", LABELS_GT_M1)
KILN__XGB_LABELS(labels_reg_logistic, "reg:logistic", LABELS_UNIT)
KILN__XGB_LABELS(labels_pseudohuber, "reg:pseudohubererror", LABELS_ANY)
KILN__XGB_LABELS(labels_absolute, "reg:absoluteerror", LABELS_ANY)
KILN__XGB_LABELS(labels_gamma, "reg:gamma", LABELS_POSITIVE)
KILN__XGB_LABELS(labels_tweedie, "reg:tweedie", LABELS_NONNEG)
KILN__XGB_LABELS(labels_poisson, "count:poisson", LABELS_NONNEG)
KILN__XGB_LABELS(labels_bin_logistic, "binary:logistic", LABELS_UNIT)
KILN__XGB_LABELS(labels_bin_logitraw, "binary:logitraw", LABELS_UNIT)
KILN__XGB_LABELS(labels_bin_hinge, "binary:hinge", LABELS_UNIT)

#undef KILN__XGB_LABELS

static int labels_softmax(const kiln__xgb_obj_params *p, const float *label,
                          size_t n, kiln_error *err)
{
    return check_classes("multi:softmax", p->num_class, label, n, err);
}

static int labels_softprob(const kiln__xgb_obj_params *p, const float *label,
                           size_t n, kiln_error *err)
{
    return check_classes("multi:softprob", p->num_class, label, n, err);
}

/* ---- base score to margin (ProbToMargin) ------------------------------- */

static double margin_identity(const kiln__xgb_obj_params *p, double base)
{
    (void)p;
    return (double)(float)base;
}

static double margin_logit(const kiln__xgb_obj_params *p, double base)
{
    (void)p;
    return (double)(-logf(1.0f / (float)base - 1.0f));
}

static double margin_log(const kiln__xgb_obj_params *p, double base)
{
    (void)p;
    return (double)logf((float)base);
}

/* ---- gradients: RegLossObj's family ------------------------------------ */

/* One row of a RegLossObj loss: (g, h) unweighted at margin m, label y. */
typedef void (*reg_loss_fn)(float m, float y, float *g, float *h);

static void loss_squared(float m, float y, float *g, float *h)
{
    *g = m - y;
    *h = 1.0f;
}

static void loss_squaredlog(float m, float y, float *g, float *h)
{
    float x = fmaxf(m, (float)(-1 + 1e-6));
    *g = (log1pf(x) - log1pf(y)) / (x + 1.0f);
    /* xgboost's std::pow(float, int) is a double power */
    double denom = pow((double)(x + 1.0f), 2);
    float r = (float)((double)(-log1pf(x) + log1pf(y) + 1.0f) / denom);
    *h = fmaxf(r, 1e-6f);
}

/* Logistic losses: m is already the probability (xgboost transforms the
 * prediction before calling the loss). */
static void loss_logistic(float s, float y, float *g, float *h)
{
    *g = s - y;
    *h = fmaxf(s * (1.0f - s), 1e-16f);
}

/* The RegLossObj loop: optional transform of the margin (sigmoid for the
 * logistic losses), scale_pos_weight on rows labelled exactly 1, then
 * the loss times the weight. */
static void reg_loss(const kiln__xgb_obj_params *p, reg_loss_fn loss,
                     bool sigmoid_first, const float *margin,
                     const float *label, const float *weight, size_t n,
                     float *grad, float *hess)
{
    float spw = (float)p->scale_pos_weight;
    for (size_t i = 0; i < n; i++) {
        float m = sigmoid_first ? sigmoid(margin[i]) : margin[i];
        float w = weight_at(weight, i);
        if (label[i] == 1.0f)
            w *= spw;
        float g, h;
        loss(m, label[i], &g, &h);
        grad[i] = g * w;
        hess[i] = h * w;
    }
}

static void grad_squared(const kiln__xgb_obj_params *p, const float *margin,
                         const float *label, const float *weight, size_t n,
                         int k, float *grad, float *hess)
{
    (void)k;
    reg_loss(p, loss_squared, false, margin, label, weight, n, grad, hess);
}

static void grad_squaredlog(const kiln__xgb_obj_params *p,
                            const float *margin, const float *label,
                            const float *weight, size_t n, int k,
                            float *grad, float *hess)
{
    (void)k;
    reg_loss(p, loss_squaredlog, false, margin, label, weight, n, grad, hess);
}

static void grad_logistic(const kiln__xgb_obj_params *p, const float *margin,
                          const float *label, const float *weight, size_t n,
                          int k, float *grad, float *hess)
{
    (void)k;
    reg_loss(p, loss_logistic, true, margin, label, weight, n, grad, hess);
}

/* ---- gradients: the other regression objectives ------------------------ */

static void grad_pseudohuber(const kiln__xgb_obj_params *p,
                             const float *margin, const float *label,
                             const float *weight, size_t n, int k,
                             float *grad, float *hess)
{
    (void)k;
    float d = (float)p->huber_slope, d2 = d * d;
    for (size_t i = 0; i < n; i++) {
        float z = margin[i] - label[i];
        float q = sqrtf(1.0f + z * z / d2);
        float w = weight_at(weight, i);
        grad[i] = z / q * w;
        hess[i] = d2 / ((d2 + z * z) * q) * w;
    }
}

static void grad_absolute(const kiln__xgb_obj_params *p, const float *margin,
                          const float *label, const float *weight, size_t n,
                          int k, float *grad, float *hess)
{
    (void)p;
    (void)k;
    for (size_t i = 0; i < n; i++) {
        float r = margin[i] - label[i];
        float w = weight_at(weight, i);
        grad[i] = (float)((r > 0.0f) - (r < 0.0f)) * w;
        hess[i] = w;
    }
}

static void grad_gamma(const kiln__xgb_obj_params *p, const float *margin,
                       const float *label, const float *weight, size_t n,
                       int k, float *grad, float *hess)
{
    (void)p;
    (void)k;
    for (size_t i = 0; i < n; i++) {
        float w = weight_at(weight, i), e = expf(margin[i]);
        grad[i] = (1.0f - label[i] / e) * w;
        hess[i] = label[i] / e * w;
    }
}

static void grad_tweedie(const kiln__xgb_obj_params *p, const float *margin,
                         const float *label, const float *weight, size_t n,
                         int k, float *grad, float *hess)
{
    (void)k;
    float rho = (float)p->tweedie_variance_power;
    for (size_t i = 0; i < n; i++) {
        float m = margin[i], y = label[i], w = weight_at(weight, i);
        float a = expf((1.0f - rho) * m), b = expf((2.0f - rho) * m);
        grad[i] = (-y * a + b) * w;
        hess[i] = (-y * (1.0f - rho) * a + (2.0f - rho) * b) * w;
    }
}

static void grad_poisson(const kiln__xgb_obj_params *p, const float *margin,
                         const float *label, const float *weight, size_t n,
                         int k, float *grad, float *hess)
{
    (void)k;
    float mds = (float)p->poisson_max_delta_step;
    for (size_t i = 0; i < n; i++) {
        float w = weight_at(weight, i);
        grad[i] = (expf(margin[i]) - label[i]) * w;
        hess[i] = expf(margin[i] + mds) * w;
    }
}

static void grad_hinge(const kiln__xgb_obj_params *p, const float *margin,
                       const float *label, const float *weight, size_t n,
                       int k, float *grad, float *hess)
{
    (void)p;
    (void)k;
    for (size_t i = 0; i < n; i++) {
        float w = weight_at(weight, i);
        float t = (float)(label[i] * 2.0 - 1.0);
        if (margin[i] * t < 1.0f) {
            grad[i] = -t * w;
            hess[i] = w;
        } else {
            grad[i] = 0.0f;
            hess[i] = FLT_MIN;
        }
    }
}

/* ---- multi-class ------------------------------------------------------- */

/* One row of softmax gradients (xgboost's SoftmaxMultiClassObj). */
static void softmax_row_gradient(const float *m, int k, float y, float w,
                                 float *g, float *h)
{
    float wmax = FLT_MIN;
    for (int c = 0; c < k; c++)
        wmax = fmaxf(m[c], wmax);
    double wsum = 0.0;
    for (int c = 0; c < k; c++)
        wsum += expf(m[c] - wmax);
    for (int c = 0; c < k; c++) {
        float pc = expf(m[c] - wmax) / (float)wsum;
        h[c] = (float)fmax(2.0f * pc * (1.0f - pc) * w, 1e-16f);
        g[c] = (y == (float)c ? pc - 1.0f : pc) * w;
    }
}

static void grad_softmax(const kiln__xgb_obj_params *p, const float *margin,
                         const float *label, const float *weight, size_t n,
                         int k, float *grad, float *hess)
{
    (void)p;
    for (size_t i = 0; i < n; i++) {
        size_t o = i * (size_t)k;
        softmax_row_gradient(margin + o, k, label[i], weight_at(weight, i),
                             grad + o, hess + o);
    }
}

/* ---- transforms -------------------------------------------------------- */

static void tf_identity(const kiln__xgb_obj_params *p, float *m, size_t n,
                        int k, bool eval)
{
    (void)p;
    (void)m;
    (void)n;
    (void)k;
    (void)eval;
}

static void tf_sigmoid(const kiln__xgb_obj_params *p, float *m, size_t n,
                       int k, bool eval)
{
    (void)p;
    (void)eval;
    for (size_t i = 0; i < n * (size_t)k; i++)
        m[i] = sigmoid(m[i]);
}

static void tf_exp(const kiln__xgb_obj_params *p, float *m, size_t n, int k,
                   bool eval)
{
    (void)p;
    (void)eval;
    for (size_t i = 0; i < n * (size_t)k; i++)
        m[i] = expf(m[i]);
}

static void tf_hinge(const kiln__xgb_obj_params *p, float *m, size_t n,
                     int k, bool eval)
{
    (void)p;
    (void)eval;
    for (size_t i = 0; i < n * (size_t)k; i++)
        m[i] = m[i] > 0.0f ? 1.0f : 0.0f;
}

/* xgboost's common::Softmax, in place. */
static void softmax_row(float *m, int k)
{
    float wmax = m[0];
    for (int c = 1; c < k; c++)
        wmax = fmaxf(m[c], wmax);
    double wsum = 0.0;
    for (int c = 0; c < k; c++) {
        m[c] = expf(m[c] - wmax);
        wsum += m[c];
    }
    for (int c = 0; c < k; c++)
        m[c] /= (float)wsum;
}

static int argmax_row(const float *m, int k)
{
    int best = 0;
    for (int c = 1; c < k; c++)
        if (m[c] > m[best])
            best = c;
    return best;
}

static void tf_softprob(const kiln__xgb_obj_params *p, float *m, size_t n,
                        int k, bool eval)
{
    (void)p;
    (void)eval;
    for (size_t i = 0; i < n; i++)
        softmax_row(m + i * (size_t)k, k);
}

/* Predict: the class index of row i goes to m[i]; m[i] lies in a row at
 * or before row i, which has been read already, so this is in place. */
static void tf_softmax(const kiln__xgb_obj_params *p, float *m, size_t n,
                       int k, bool eval)
{
    if (eval) {
        tf_softprob(p, m, n, k, eval);
        return;
    }
    for (size_t i = 0; i < n; i++)
        m[i] = (float)argmax_row(m + i * (size_t)k, k);
}

/* ---- the table --------------------------------------------------------- */

static const kiln__xgb_objective objectives[] = {
    {"reg:squarederror", KILN__XGB_OBJ_REGRESSION, "rmse", labels_squared,
     margin_identity, grad_squared, tf_identity},
    {"reg:squaredlogerror", KILN__XGB_OBJ_REGRESSION, "rmsle",
     labels_squaredlog, margin_identity, grad_squaredlog, tf_identity},
    {"reg:logistic", KILN__XGB_OBJ_BINARY, "rmse", labels_reg_logistic,
     margin_logit, grad_logistic, tf_sigmoid},
    {"reg:pseudohubererror", KILN__XGB_OBJ_REGRESSION, "mphe",
     labels_pseudohuber, margin_identity, grad_pseudohuber, tf_identity},
    {"reg:absoluteerror", KILN__XGB_OBJ_REGRESSION, "mae", labels_absolute,
     margin_identity, grad_absolute, tf_identity},
    {"reg:gamma", KILN__XGB_OBJ_REGRESSION, "gamma-nloglik", labels_gamma,
     margin_log, grad_gamma, tf_exp},
    {"reg:tweedie", KILN__XGB_OBJ_REGRESSION, "tweedie-nloglik",
     labels_tweedie, margin_log, grad_tweedie, tf_exp},
    {"count:poisson", KILN__XGB_OBJ_REGRESSION, "poisson-nloglik",
     labels_poisson, margin_log, grad_poisson, tf_exp},
    {"binary:logistic", KILN__XGB_OBJ_BINARY, "logloss", labels_bin_logistic,
     margin_logit, grad_logistic, tf_sigmoid},
    /* logitraw: the loss is logistic, the output stays a margin */
    {"binary:logitraw", KILN__XGB_OBJ_BINARY, "logloss", labels_bin_logitraw,
     margin_identity, grad_logistic, tf_identity},
    {"binary:hinge", KILN__XGB_OBJ_BINARY, "error", labels_bin_hinge,
     margin_identity, grad_hinge, tf_hinge},
    {"multi:softmax", KILN__XGB_OBJ_MULTI, "merror", labels_softmax,
     margin_identity, grad_softmax, tf_softmax},
    {"multi:softprob", KILN__XGB_OBJ_MULTI, "mlogloss", labels_softprob,
     margin_identity, grad_softmax, tf_softprob},
};

const char *const kiln__xgb_objective_names[] = {
    "reg:squarederror", "reg:squaredlogerror", "reg:logistic",
    "reg:pseudohubererror", "reg:absoluteerror", "reg:gamma",
    "reg:tweedie", "count:poisson", "binary:logistic", "binary:logitraw",
    "binary:hinge", "multi:softmax", "multi:softprob", "reg:linear", NULL,
};

const kiln__xgb_objective *kiln__xgb_objective_find(const char *name)
{
    if (name == NULL)
        return NULL;
    if (strcmp(name, "reg:linear") == 0)
        name = "reg:squarederror";
    for (size_t i = 0; i < sizeof objectives / sizeof objectives[0]; i++)
        if (strcmp(objectives[i].name, name) == 0)
            return &objectives[i];
    return NULL;
}
