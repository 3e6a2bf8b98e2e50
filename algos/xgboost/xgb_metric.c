/* kiln — XGBoost's evaluation metrics, by xgboost's names and computed
 * as xgboost 1.7.4 computes them (src/metric/elementwise_metric.cu,
 * multiclass_metric.cu, auc.cc, auc.h, rank_metric.cc).
 *
 * Predictions reach the metrics after the objective's eval transform
 * (probabilities for logistic and softmax objectives, exp(margin) for
 * gamma/poisson/tweedie, raw margins for binary:logitraw).  For a row
 * with label y, prediction p and weight w:
 *
 *   rmse             sqrt(sum w (y - p)^2 / sum w)
 *   rmsle            sqrt(sum w (log1p(y) - log1p(p))^2 / sum w)
 *   mae, mape        sum w |y - p| / sum w,  sum w |(y - p) / y| / sum w
 *   mphe             sum w d^2 (sqrt(1 + ((y - p)/d)^2) - 1) / sum w,
 *                    d = huber_slope (from the objective's parameters)
 *   logloss          -(y log max(p, 1e-16) + (1-y) log max(1-p, 1e-16)),
 *                    a term dropped when its factor y or 1-y is 0
 *   error[@t]        p > t ? 1 - y : y, t = 0.5 unless given
 *   poisson-nloglik  lgamma(y + 1) + p - y log p, p >= 1e-16
 *   gamma-nloglik    y / p + log p, p >= 1e-6 (dispersion 1)
 *   gamma-deviance   2 sum w (log(p'/y') + y'/p' - 1) / sum w,
 *                    p' = p + 1e-6, y' = y + 1e-6
 *   tweedie-nloglik@r  -y p^(1-r)/(1-r) + p^(2-r)/(2-r)
 *   merror           first class of largest probability != y
 *   mlogloss         -log max(p_y, 1e-16) (p_y <= 1e-16 gives -log 1e-16)
 *   auc, aucpr       see below
 *   ndcg, map, pre   see below
 *
 * Row terms are float, multiplied by the weight in float, and summed in
 * double, as xgboost's Reduce; a sum of weights of 0 leaves the plain sum
 * (xgboost's "wsum == 0 ? esum : esum / wsum").
 *
 * auc: rows sorted by prediction, descending; tied predictions form one
 * step of the ROC curve; trapezoids of (weighted false positives, true
 * positives), labels counted fractionally (y w positive, (1 - y) w
 * negative), divided by fp * tp.  NaN when either is 0.  With K > 1
 * outputs, one-vs-rest: every class's ROC AUC weighted by its (weighted)
 * positive count; NaN if any class lacks positives or negatives.
 * aucpr: the same sweep with the interpolated precision-recall area of
 * Davis & Goadrich (xgboost's CalcDeltaPRAUC, doi 10.1371/journal.pone.
 * 0092209); multi-class: the plain mean of every class's aucpr.
 *
 * ndcg, map, pre: kiln has no query groups, and xgboost treats data
 * without groups as one group of all rows.  Labels are cast to int as
 * xgboost does; weights are ignored (xgboost 1.7 ignores them on the CPU).
 * ndcg@n: DCG of the top n by prediction (stable sort, descending), gain
 * 2^rel - 1, discount log2(i + 2), over the ideal DCG (stable sort of
 * that order by label); a group with ideal DCG 0 scores 1, or 0 with the
 * "-" suffix ("ndcg@5-", "ndcg-").  map@n: the mean, over all relevant
 * rows, of precision at each relevant row in the top n; no relevant row:
 * 1 (0 with "-").  pre@n: relevant rows in the top n, over n.  Without @n,
 * n is 2^32 - 1, as xgboost's default.  Gains use 2^rel computed in
 * double: identical to xgboost's (1 << rel) - 1 for rel 0..30, defined
 * for larger ones where xgboost's shift is not.
 *
 * Names are xgboost's: error@t prints t as C++ prints a float ("%g"), and
 * "error@0.5" is printed "error"; ndcg/map/pre keep the text after '@'
 * verbatim ("ndcg@05" stays "ndcg@05"); rmse@x and other @ suffixes that
 * xgboost ignores are ignored here too (the name drops them).
 * "tweedie-nloglik" without @rho is an error in xgboost; kiln accepts it
 * and then takes rho from the objective's tweedie_variance_power (the name
 * stays bare, so the trainer should spell out the @rho it prints).
 *
 * Where xgboost stops with an error inside evaluation (a multi-class
 * label out of range, predictions of the wrong shape for the metric, a
 * huber_slope of 0) kiln__xgb_metric_eval returns NaN: it has no error
 * object, so the trainer must check labels and metric/objective pairs
 * before training.  It also returns NaN when the sort buffers of auc,
 * aucpr and the ranking metrics (n indices and n floats), or the buffers
 * of SageMaker's metrics below (n doubles; 4n floats and three counts a
 * class), cannot be allocated.
 *
 * ---- SageMaker's own metrics --------------------------------------------
 *
 * SageMaker's XGBoost 1.7-1 container adds fifteen eval_metric names that
 * xgboost does not compute: accuracy, balanced_accuracy, f1, f1_binary,
 * f1_macro, mse, rmse, mae, precision, precision_macro, precision_micro,
 * r2, recall, recall_macro, recall_micro
 * (sagemaker_xgboost_container/metrics/custom_metrics.py, routed by
 * algorithm_mode/train_utils.py get_eval_metrics_and_feval).  What the
 * container does, and what kiln does:
 *
 * Routing.  Every name of eval_metric and of _tuning_objective_metric
 * that equals one of the fifteen (whole-string comparison) is taken out of
 * xgboost's eval_metric and computed by one `feval` function passed to
 * xgboost.train(); the others stay xgboost's.  kiln__xgb_metric_parse does
 * the same: the exact names give the container's metrics, anything else
 * goes to xgboost's table.  So "accuracy@2" is unknown (xgboost has no
 * accuracy), and "rmse@..." / "mae@..." are xgboost's own rmse and mae
 * (xgboost ignores their parameter; the container does not intercept
 * them), which is how a caller asks for the built-in ones (below).
 *
 * Predictions.  xgboost 1.7's train() hands a feval the raw margins
 * (output_margin = callable(obj) or metric is feval: True), n values, or
 * n x K for multi:softmax and multi:softprob alike.  So for these metrics
 * `pred` is the margins, not the eval transform -- unlike xgboost's
 * metrics above; they are parsed with `margin` set, and the caller skips
 * the transform for them (xgb.h).  The
 * container turns margins into labels with margin > 0 (so p > 0.5 for
 * the logistic objectives, but prediction > 0 for reg:squarederror and
 * prediction > 1 for the log-link objectives) when there is one output,
 * and numpy's argmax of the row (first maximum; a NaN wins) otherwise.
 * mse, rmse, mae and r2 take the margins as they are (log-means for
 * count:poisson, logits for binary:logistic).
 *
 * Functions, all sklearn.metrics with no sample_weight (the container
 * never reads the weights, so neither does kiln):
 *   accuracy            accuracy_score
 *   balanced_accuracy   balanced_accuracy_score: the mean over the
 *                       classes present in the labels of their recall
 *   f1, f1_macro        f1_score(average="macro")
 *   f1_binary           f1_score(average="binary")
 *   precision, recall   precision_score, recall_score (average "binary")
 *   *_macro, *_micro    average="macro" / "micro"
 *   mse, rmse, mae      mean_squared_error (squared=False for rmse),
 *                       mean_absolute_error
 *   r2                  r2_score
 * The classes are the distinct values of labels and predicted labels
 * together (sklearn's unique_labels).  "binary" takes pos_label 1, and is
 * sklearn's ValueError (NaN here) when labels and predictions hold more
 * than two values ("Target is multiclass but average='binary'", which the
 * container lists among its customer errors) or two values without 1.
 * A precision or recall with a zero denominator is 0 (zero_division
 * "warn"), an F1 with P + R = 0 is 0; macro averages every class;
 * micro is the fraction of rows labelled right.  Other sklearn errors are
 * NaN too: labels that are not whole numbers ("continuous", including NaN
 * and inf), regression metrics of K > 1 outputs, NaN or inf in a
 * regression metric's labels or margins, no rows for a regression metric,
 * fewer than two rows for r2 (sklearn returns NaN there).  No rows at all
 * give 0 for the classification metrics (the container's preds.size
 * check).  An r2 whose labels are constant is 1 when the errors are all
 * 0, else 0 (sklearn's force_finite).
 *
 * Arithmetic.  sklearn keeps the float32 labels and margins in float32 for
 * mse, rmse and mae, and numpy sums float32 in float32 by its pairwise
 * summation (blocks of 128 with eight partial sums, in chunks of 8192
 * added in order), so kiln computes (y - m)^2 and |m - y| in float, sums
 * them that way, divides by n in float, and takes sqrtf for rmse: the
 * same float32 as the container's, which matters when the value is
 * printed with five decimals.  r2 sums float32 squares in double
 * (.sum(dtype=float64)) around a float32 mean of the labels.  Counts and
 * ratios of counts are exact in double; averages over classes are summed
 * in order (numpy's pairwise order differs by an ulp at most).  The
 * container pins scikit-learn 0.24.1; these formulas are the same in 1.2,
 * which the tests use as the oracle.
 *
 * Names and direction.  A feval result is printed by xgboost as
 * "<data>-<name>", so the eval line shows train-accuracy and
 * validation-accuracy, as for xgboost's metrics (the value goes through
 * "%f", six decimals, before the callback prints it with five).  maximize
 * follows the container's XGB_MAXIMIZE_METRICS: accuracy,
 * balanced_accuracy, f1*, precision*, recall* and r2 maximise; mse, rmse
 * and mae minimise.
 *
 * rmse and mae: both the container and xgboost have them.  When the user
 * names them (eval_metric or the tuning metric) the container computes
 * them by feval: unweighted, on margins.  xgboost may compute its own
 * rmse too -- the container drops eval_metric when only feval names are
 * left, so xgboost falls back to the objective's default, which is rmse
 * for reg:squarederror -- and then the eval line carries "rmse" twice; the
 * callback history keeps both under one name and the EvaluationMonitor
 * prints (and early stopping reads) the last, the feval value.  So kiln's
 * "rmse" and "mae" are the container's.  xgboost's own are still needed
 * where the container leaves the name to xgboost -- the objective's
 * default metric when the user names none (then weighted, on the eval
 * transform) -- and are parsed from "rmse@" and "mae@".
 *
 * Threads: everything here is reentrant (lgammaf_r, not lgammaf, which
 * writes the global signgam).  Numbers after '@' are read with strtof and
 * strtod, which kiln may use because it never calls setlocale.
 */
#define _DEFAULT_SOURCE /* lgammaf_r (glibc declares it for __USE_MISC) */

#include "xgb.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum metric_kind {
    M_RMSE,
    M_RMSLE,
    M_MAE,
    M_MAPE,
    M_MPHE,
    M_LOGLOSS,
    M_ERROR,
    M_POISSON,
    M_GAMMA_NLL,
    M_GAMMA_DEV,
    M_TWEEDIE,
    M_MERROR,
    M_MLOGLOSS,
    M_AUC,
    M_AUCPR,
    M_NDCG,
    M_MAP,
    M_PRE,
    /* SageMaker's own (feval, on margins) */
    M_ACCURACY,
    M_BALANCED_ACCURACY,
    M_F1_MACRO,
    M_F1_BINARY,
    M_PRECISION,
    M_PRECISION_MACRO,
    M_PRECISION_MICRO,
    M_RECALL,
    M_RECALL_MACRO,
    M_RECALL_MICRO,
    M_SK_MSE,
    M_SK_RMSE,
    M_SK_MAE,
    M_R2,
} metric_kind;

/* The "-" suffix of the ranking metrics rides in kind's high bits. */
#define KIND_MASK 0xff
#define KIND_MINUS 0x100

/* How a metric reads the text after '@'. */
typedef enum at_param {
    AT_IGNORED,   /* xgboost drops it: "rmse@3" is "rmse" */
    AT_THRESHOLD, /* error@t */
    AT_RHO,       /* tweedie-nloglik@rho */
    AT_TOPN,      /* ndcg@n, map@n, pre@n, with an optional '-' */
} at_param;

typedef struct metric_def {
    const char *name;
    metric_kind kind;
    at_param at;
    bool maximize;
} metric_def;

static const metric_def defs[] = {
    {"rmse", M_RMSE, AT_IGNORED, false},
    {"rmsle", M_RMSLE, AT_IGNORED, false},
    {"mae", M_MAE, AT_IGNORED, false},
    {"mape", M_MAPE, AT_IGNORED, false},
    {"mphe", M_MPHE, AT_IGNORED, false},
    {"logloss", M_LOGLOSS, AT_IGNORED, false},
    {"error", M_ERROR, AT_THRESHOLD, false},
    {"poisson-nloglik", M_POISSON, AT_IGNORED, false},
    {"gamma-nloglik", M_GAMMA_NLL, AT_IGNORED, false},
    {"gamma-deviance", M_GAMMA_DEV, AT_IGNORED, false},
    {"tweedie-nloglik", M_TWEEDIE, AT_RHO, false},
    {"merror", M_MERROR, AT_IGNORED, false},
    {"mlogloss", M_MLOGLOSS, AT_IGNORED, false},
    {"auc", M_AUC, AT_IGNORED, true},
    {"aucpr", M_AUCPR, AT_IGNORED, true},
    {"ndcg", M_NDCG, AT_TOPN, true},
    {"map", M_MAP, AT_TOPN, true},
    {"pre", M_PRE, AT_TOPN, true},
};

#define NDEFS (sizeof defs / sizeof defs[0])

/* SageMaker's metrics, matched as whole names (no '@'). */
static const metric_def sm_defs[] = {
    {"accuracy", M_ACCURACY, AT_IGNORED, true},
    {"balanced_accuracy", M_BALANCED_ACCURACY, AT_IGNORED, true},
    {"f1", M_F1_MACRO, AT_IGNORED, true},
    {"f1_binary", M_F1_BINARY, AT_IGNORED, true},
    {"f1_macro", M_F1_MACRO, AT_IGNORED, true},
    {"mse", M_SK_MSE, AT_IGNORED, false},
    {"rmse", M_SK_RMSE, AT_IGNORED, false},
    {"mae", M_SK_MAE, AT_IGNORED, false},
    {"precision", M_PRECISION, AT_IGNORED, true},
    {"precision_macro", M_PRECISION_MACRO, AT_IGNORED, true},
    {"precision_micro", M_PRECISION_MICRO, AT_IGNORED, true},
    {"r2", M_R2, AT_IGNORED, true},
    {"recall", M_RECALL, AT_IGNORED, true},
    {"recall_macro", M_RECALL_MACRO, AT_IGNORED, true},
    {"recall_micro", M_RECALL_MICRO, AT_IGNORED, true},
};

#define NSM_DEFS (sizeof sm_defs / sizeof sm_defs[0])

/* ---- parsing ----------------------------------------------------------- */

static const metric_def *find_def(const char *name, size_t len);

static int unknown_metric(const char *name, kiln_error *err)
{
    char list[768] = "";
    size_t len = 0;
    for (size_t i = 0; i < NDEFS + NSM_DEFS; i++) {
        const char *d = i < NDEFS ? defs[i].name : sm_defs[i - NDEFS].name;
        if (i >= NDEFS && find_def(d, strlen(d)) != NULL)
            continue; /* rmse, mae: listed once */
        int w = snprintf(list + len, sizeof list - len, "%s%s",
                         i ? ", " : "", d);
        if (w < 0 || (size_t)w >= sizeof list - len)
            break;
        len += (size_t)w;
    }
    return kiln_error_set(err, KILN_HYPERPARAMETER,
                          "unknown eval_metric '%s'; expected one of %s "
                          "(error@t, ndcg@n, map@n, pre@n, "
                          "tweedie-nloglik@rho take a parameter)",
                          name, list);
}

/* m->name = a, then "@" and b when b is given. */
static int set_name(kiln__xgb_metric *m, kiln_error *err, const char *a,
                    const char *b)
{
    const char *at = b ? "@" : "";
    b = b ? b : "";
    int w = snprintf(m->name, sizeof m->name, "%s%s%s", a, at, b);
    if (w < 0 || (size_t)w >= sizeof m->name)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric '%s%s%s' is too long", a, at, b);
    return KILN_OK;
}

static int parse_threshold(const char *param, kiln__xgb_metric *m,
                           kiln_error *err)
{
    m->param = 0.5;
    if (param == NULL)
        return set_name(m, err, "error", NULL);
    char *end;
    float t = strtof(param, &end);
    if (end == param)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric 'error@%s': unable to parse the "
                              "threshold",
                              param);
    m->param = t;
    if (t == 0.5f)
        return set_name(m, err, "error", NULL);
    char num[32];
    snprintf(num, sizeof num, "%g", (double)t);
    return set_name(m, err, "error", num);
}

static int parse_rho(const char *param, kiln__xgb_metric *m,
                     kiln_error *err)
{
    if (param == NULL) {
        m->param = NAN; /* the objective's tweedie_variance_power */
        return set_name(m, err, "tweedie-nloglik", NULL);
    }
    float rho = (float)atof(param);
    if (!(rho >= 1.0f && rho < 2.0f))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric 'tweedie-nloglik@%s': the "
                              "variance power must be in [1, 2)",
                              param);
    m->param = rho;
    char num[32];
    snprintf(num, sizeof num, "%g", (double)rho);
    return set_name(m, err, "tweedie-nloglik", num);
}

/* xgboost's EvalRank: sscanf(param, "%u") sets n and the name keeps
 * "@param"; otherwise the param is appended as is ("ndcg" + "-"). */
static int parse_topn(const char *prefix, const char *param,
                      kiln__xgb_metric *m, kiln_error *err)
{
    m->param = (double)UINT_MAX;
    if (param == NULL)
        return set_name(m, err, prefix, NULL);
    size_t len = strlen(param);
    if (len > 0 && param[len - 1] == '-')
        m->kind |= KIND_MINUS;
    if (param[0] >= '0' && param[0] <= '9') {
        unsigned long n = strtoul(param, NULL, 10);
        m->param = n > UINT_MAX ? (double)UINT_MAX : (double)n;
        return set_name(m, err, prefix, param);
    }
    /* "ndcg" + "-": no '@' in the name */
    char joined[sizeof m->name];
    int w = snprintf(joined, sizeof joined, "%s%s", prefix, param);
    if (w < 0 || (size_t)w >= sizeof joined)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric '%s@%s' is too long", prefix,
                              param);
    return set_name(m, err, joined, NULL);
}

static const metric_def *find_def(const char *name, size_t len)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strlen(defs[i].name) == len &&
            strncmp(defs[i].name, name, len) == 0)
            return &defs[i];
    return NULL;
}

int kiln__xgb_metric_parse(const char *name, kiln__xgb_metric *m,
                           kiln_error *err)
{
    if (name == NULL)
        return unknown_metric("", err);
    /* the container's routing: a whole-name match is its feval metric */
    for (size_t i = 0; i < NSM_DEFS; i++) {
        if (strcmp(name, sm_defs[i].name) != 0)
            continue;
        kiln__xgb_metric out;
        memset(&out, 0, sizeof out);
        out.kind = (int)sm_defs[i].kind;
        out.maximize = sm_defs[i].maximize;
        out.margin = true;
        int rc = set_name(&out, err, sm_defs[i].name, NULL);
        if (rc != KILN_OK)
            return rc;
        *m = out;
        return KILN_OK;
    }
    const char *at = strchr(name, '@');
    size_t len = at ? (size_t)(at - name) : strlen(name);
    const char *param = at ? at + 1 : NULL;
    const metric_def *d = find_def(name, len);
    /* "ndcg-", "map-": the minus suffix without '@' */
    if (d == NULL && at == NULL && len > 1 && name[len - 1] == '-') {
        d = find_def(name, len - 1);
        if (d != NULL && d->at != AT_TOPN)
            d = NULL;
        param = "-";
    }
    if (d == NULL)
        return unknown_metric(name, err);

    kiln__xgb_metric out;
    memset(&out, 0, sizeof out);
    out.kind = (int)d->kind;
    out.maximize = d->maximize;
    int rc;
    switch (d->at) {
    case AT_THRESHOLD:
        rc = parse_threshold(param, &out, err);
        break;
    case AT_RHO:
        rc = parse_rho(param, &out, err);
        break;
    case AT_TOPN:
        rc = parse_topn(d->name, param, &out, err);
        break;
    default:
        out.param = 0;
        rc = set_name(&out, err, d->name, NULL);
        break;
    }
    if (rc != KILN_OK)
        return rc;
    *m = out;
    return KILN_OK;
}

/* ---- element-wise metrics ---------------------------------------------- */

static float wt(const float *weight, size_t i)
{
    return weight ? weight[i] : 1.0f;
}

static float logloss_row(float y, float p)
{
    /* xgboost's xlogy: 0 when the factor is 0, else x log max(y, eps) */
    const float eps = 1e-16f;
    float a = -y, b = -(1.0f - y), pneg = 1.0f - p;
    float ta = a == 0.0f ? 0.0f : a * logf(fmaxf(p, eps));
    float tb = b == 0.0f ? 0.0f : b * logf(fmaxf(pneg, eps));
    return ta + tb;
}

static float poisson_row(float y, float p)
{
    if (p < 1e-16f)
        p = 1e-16f;
    int sign;
    return lgammaf_r(y + 1.0f, &sign) + p - logf(p) * y;
}

static float gamma_nll_row(float y, float p)
{
    p = fmaxf(p, 1e-6f);
    float theta = (float)(-1.0 / p);
    float b = -logf(-theta);
    return -(y * theta - b);
}

static float gamma_dev_row(float y, float p)
{
    p += 1e-6f;
    y += 1e-6f;
    return logf(p / y) + y / p - 1.0f;
}

static float tweedie_row(float y, float p, float rho)
{
    float a = y * expf((1.0f - rho) * logf(p)) / (1.0f - rho);
    float b = expf((2.0f - rho) * logf(p)) / (2.0f - rho);
    return -a + b;
}

static float mphe_row(float y, float p, float slope)
{
    float a = y - p, r = a / slope;
    return slope * slope * (sqrtf(1.0f + r * r) - 1.0f);
}

static float row_term(int kind, double param, float y, float p,
                      const kiln__xgb_obj_params *op)
{
    float d = y - p;
    switch (kind) {
    case M_RMSE:
        return d * d;
    case M_RMSLE: {
        float l = log1pf(y) - log1pf(p);
        return l * l;
    }
    case M_MAE:
        return fabsf(d);
    case M_MAPE:
        return fabsf(d / y);
    case M_MPHE:
        return mphe_row(y, p, (float)op->huber_slope);
    case M_LOGLOSS:
        return logloss_row(y, p);
    case M_ERROR:
        return p > (float)param ? 1.0f - y : y;
    case M_POISSON:
        return poisson_row(y, p);
    case M_GAMMA_NLL:
        return gamma_nll_row(y, p);
    case M_GAMMA_DEV:
        return gamma_dev_row(y, p);
    case M_TWEEDIE:
        return tweedie_row(y, p, (float)param);
    }
    return NAN;
}

static double elementwise(const kiln__xgb_metric *m, const float *pred,
                          const float *label, const float *weight, size_t n,
                          const kiln__xgb_obj_params *op)
{
    int kind = m->kind & KIND_MASK;
    double param = m->param;
    if (kind == M_TWEEDIE && isnan(param))
        param = (float)op->tweedie_variance_power;
    if (kind == M_MPHE && op->huber_slope == 0)
        return NAN;
    double esum = 0, wsum = 0;
    for (size_t i = 0; i < n; i++) {
        float w = wt(weight, i);
        float v = row_term(kind, param, label[i], pred[i], op) * w;
        esum += v;
        wsum += w;
    }
    switch (kind) {
    case M_RMSE:
    case M_RMSLE:
        return wsum == 0 ? sqrt(esum) : sqrt(esum / wsum);
    case M_GAMMA_DEV:
        return 2 * esum / (wsum <= 0 ? 1e-6f : wsum);
    default:
        return wsum == 0 ? esum : esum / wsum;
    }
}

/* ---- multi-class: merror, mlogloss ------------------------------------- */

static int first_argmax(const float *p, int k)
{
    int best = 0;
    for (int c = 1; c < k; c++)
        if (p[c] > p[best])
            best = c;
    return best;
}

static double multiclass(const kiln__xgb_metric *m, const float *pred,
                         const float *label, const float *weight, size_t n,
                         int k)
{
    int kind = m->kind & KIND_MASK;
    double esum = 0, wsum = 0;
    for (size_t i = 0; i < n; i++) {
        /* xgboost casts to int; out of range is its "label must be in
         * [0, num_class)" error */
        float y = label[i];
        if (!(y > -1.0f && y < (float)k))
            return NAN;
        int c = (int)y;
        const float *p = pred + i * (size_t)k;
        float v;
        if (kind == M_MERROR)
            v = first_argmax(p, k) != c ? 1.0f : 0.0f;
        else
            v = p[c] > 1e-16f ? -logf(p[c]) : -logf(1e-16f);
        float w = wt(weight, i);
        esum += v * w;
        wsum += w;
    }
    return wsum == 0 ? esum : esum / wsum;
}

/* ---- auc, aucpr -------------------------------------------------------- */

typedef struct sort_key {
    float v;
    size_t i;
} sort_key;

/* Descending by value, ties by index (a stable descending sort); NaN
 * last. */
static int cmp_desc(const void *pa, const void *pb)
{
    const sort_key *a = pa, *b = pb;
    bool na = isnan(a->v), nb = isnan(b->v);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static double trapezoid(double x0, double x1, double y0, double y1)
{
    return fabs(x0 - x1) * (y0 + y1) / 2.0;
}

/* xgboost's detail::CalcDeltaPRAUC: the area under the interpolated PR
 * curve between two consecutive operating points. */
static double delta_prauc(double fp_prev, double fp, double tp_prev,
                          double tp, double total_pos)
{
    double pr_prev = tp_prev / total_pos, pr = tp / total_pos;
    double a = 1.0, b = 0.0;
    if (tp != tp_prev) {
        double h = (fp - fp_prev) / (tp - tp_prev);
        a = 1.0 + h;
        b = (fp_prev - h * tp_prev) / total_pos;
    }
    if (b != 0.0)
        return (pr - pr_prev -
                b / a * (log(a * pr + b) - log(a * pr_prev + b))) /
               a;
    return (pr - pr_prev) / a;
}

typedef struct curve {
    double fp, tp, area;
} curve;

/* One sweep over rows sorted by prediction (xgboost's BinaryAUC): column c
 * of pred (stride k), response 1 for label == c when c >= 0, else the
 * label itself. */
typedef struct auc_input {
    const float *pred;
    const float *label;
    const float *weight;
    size_t n;
    int k, c;
} auc_input;

static float response(const auc_input *in, size_t i)
{
    if (in->c < 0)
        return in->label[i];
    return in->label[i] == (float)in->c ? 1.0f : 0.0f;
}

static float score(const auc_input *in, size_t i)
{
    return in->pred[i * (size_t)in->k + (size_t)(in->c < 0 ? 0 : in->c)];
}

static curve sweep(const auc_input *in, sort_key *keys, bool pr,
                   double total_pos)
{
    for (size_t i = 0; i < in->n; i++)
        keys[i] = (sort_key){score(in, i), i};
    qsort(keys, in->n, sizeof *keys, cmp_desc);

    float y = response(in, keys[0].i), w = wt(in->weight, keys[0].i);
    double fp = (1.0 - y) * w, tp = (double)(y * w);
    double fp_prev = 0, tp_prev = 0, area = 0;
    for (size_t j = 1; j < in->n; j++) {
        if (keys[j].v != keys[j - 1].v) {
            area += pr ? delta_prauc(fp_prev, fp, tp_prev, tp, total_pos)
                       : trapezoid(fp_prev, fp, tp_prev, tp);
            fp_prev = fp;
            tp_prev = tp;
        }
        y = response(in, keys[j].i);
        w = wt(in->weight, keys[j].i);
        fp += (1.0f - y) * w;
        tp += y * w;
    }
    area += pr ? delta_prauc(fp_prev, fp, tp_prev, tp, total_pos)
               : trapezoid(fp_prev, fp, tp_prev, tp);
    if (fp <= 0.0 || tp <= 0.0)
        return (curve){0, 0, 0};
    return (curve){fp, tp, area};
}

/* BinaryROCAUC / BinaryPRAUC: (fp, tp, unnormalised area); the PR form
 * is already normalised and reports fp = tp = 1. */
static curve binary_curve(const auc_input *in, sort_key *keys, bool pr)
{
    if (!pr)
        return sweep(in, keys, false, 0);
    double pos = 0, neg = 0;
    for (size_t i = 0; i < in->n; i++) {
        float w = wt(in->weight, i), y = response(in, i);
        pos += w * y;
        neg += w * (1.0f - y);
    }
    if (pos <= 0 || neg <= 0)
        return (curve){1, 1, NAN};
    curve c = sweep(in, keys, true, pos);
    return (curve){1, 1, c.area};
}

/* MultiClassOVR: every class's area normalised, weighted by its tp. */
static double one_vs_rest(auc_input *in, sort_key *keys, bool pr)
{
    double sum = 0, tp_sum = 0;
    for (int c = 0; c < in->k; c++) {
        in->c = c;
        curve r = binary_curve(in, keys, pr);
        double local = r.fp * r.tp;
        if (local == 0)
            return NAN;
        sum += r.area / local * r.tp;
        tp_sum += r.tp;
    }
    if (tp_sum == 0 || isnan(sum))
        return NAN;
    return sum / tp_sum;
}

static double auc_metric(bool pr, const float *pred, const float *label,
                         const float *weight, size_t n, int k)
{
    if (n == 0)
        return NAN;
    sort_key *keys = malloc(n * sizeof *keys);
    if (keys == NULL)
        return NAN;
    auc_input in = {pred, label, weight, n, k, -1};
    double v;
    if (k > 1) {
        v = one_vs_rest(&in, keys, pr);
    } else {
        curve r = binary_curve(&in, keys, pr);
        double local = r.fp * r.tp;
        v = local > 0 ? r.area / local : NAN;
    }
    free(keys);
    return v;
}

/* ---- ranking: ndcg, map, pre (one group of all rows) ------------------- */

typedef struct rank_rec {
    float pred;
    uint32_t rel; /* (uint32_t)(int)label, as xgboost */
    size_t pos;   /* tie-breaker that makes qsort stable */
} rank_rec;

static int cmp_pred(const void *pa, const void *pb)
{
    const rank_rec *a = pa, *b = pb;
    bool na = isnan(a->pred), nb = isnan(b->pred);
    if (na != nb)
        return na ? 1 : -1;
    if (!na && a->pred != b->pred)
        return a->pred > b->pred ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static int cmp_rel(const void *pa, const void *pb)
{
    const rank_rec *a = pa, *b = pb;
    if (a->rel != b->rel)
        return a->rel > b->rel ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Sort by prediction (stable, descending), then renumber pos so that a
 * later stable sort keeps this order among ties. */
static void sort_by_pred(rank_rec *r, size_t n)
{
    qsort(r, n, sizeof *r, cmp_pred);
    for (size_t i = 0; i < n; i++)
        r[i].pos = i;
}

static double dcg(const rank_rec *r, size_t n, double topn)
{
    double sum = 0;
    for (size_t i = 0; i < n && (double)i < topn; i++)
        if (r[i].rel != 0)
            sum += (ldexp(1.0, (int)(r[i].rel > 1023 ? 1023 : r[i].rel)) -
                    1) /
                   log2((double)i + 2.0);
    return sum;
}

static double ndcg_group(rank_rec *r, size_t n, double topn, bool minus)
{
    sort_by_pred(r, n);
    double d = dcg(r, n, topn);
    qsort(r, n, sizeof *r, cmp_rel);
    double ideal = dcg(r, n, topn);
    if (ideal == 0.0)
        return minus ? 0.0 : 1.0;
    return d / ideal;
}

static double map_group(rank_rec *r, size_t n, double topn, bool minus)
{
    sort_by_pred(r, n);
    unsigned hits = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].rel == 0)
            continue;
        hits++;
        if ((double)i < topn)
            sum += (double)hits / (double)(i + 1);
    }
    if (hits == 0)
        return minus ? 0.0 : 1.0;
    return sum / hits;
}

static double pre_group(rank_rec *r, size_t n, double topn)
{
    sort_by_pred(r, n);
    unsigned hits = 0;
    for (size_t i = 0; i < n && (double)i < topn; i++)
        hits += r[i].rel != 0;
    return (double)hits / topn;
}

/* xgboost's static_cast<int>(label) stored as uint32; C leaves the cast
 * of an out-of-range float undefined, so saturate first. */
static uint32_t relevance(float y)
{
    if (!(y > (float)INT_MIN && y < (float)INT_MAX))
        return y > 0 ? (uint32_t)INT_MAX : (uint32_t)INT_MIN;
    return (uint32_t)(int)y;
}

static double ranking(const kiln__xgb_metric *m, const float *pred,
                      const float *label, size_t n)
{
    rank_rec *r = malloc((n ? n : 1) * sizeof *r);
    if (r == NULL)
        return NAN;
    for (size_t i = 0; i < n; i++)
        r[i] = (rank_rec){pred[i], relevance(label[i]), i};
    bool minus = (m->kind & KIND_MINUS) != 0;
    double v;
    switch (m->kind & KIND_MASK) {
    case M_NDCG:
        v = ndcg_group(r, n, m->param, minus);
        break;
    case M_MAP:
        v = map_group(r, n, m->param, minus);
        break;
    default:
        v = pre_group(r, n, m->param);
        break;
    }
    free(r);
    return v;
}

/* ---- SageMaker's metrics: sklearn on margins --------------------------- */

/* numpy's pairwise summation (umath loops_utils.h.src, PW_BLOCKSIZE 128)
 * of a[0..n), in float when `single` (every addition rounded to float:
 * adding two floats in double and rounding is float addition) or double. */
static double rnd(double v, bool single)
{
    return single ? (double)(float)v : v;
}

static double pairwise(const double *a, size_t n, bool single)
{
    if (n < 8) {
        double res = -0.0;
        for (size_t i = 0; i < n; i++)
            res = rnd(res + a[i], single);
        return res;
    }
    if (n <= 128) {
        double r[8];
        memcpy(r, a, sizeof r);
        size_t i;
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++)
                r[j] = rnd(r[j] + a[i + (size_t)j], single);
        double lo = rnd(rnd(r[0] + r[1], single) + rnd(r[2] + r[3], single),
                        single);
        double hi = rnd(rnd(r[4] + r[5], single) + rnd(r[6] + r[7], single),
                        single);
        double res = rnd(lo + hi, single);
        for (; i < n; i++)
            res = rnd(res + a[i], single);
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return rnd(pairwise(a, n2, single) + pairwise(a + n2, n - n2, single),
               single);
}

/* numpy's add.reduce of a[0..n): the reduction loop sees the array in
 * buffers of 8192 and adds their pairwise sums in order. */
static double np_sum(const double *a, size_t n, bool single)
{
    double acc = 0;
    for (size_t i = 0; i < n; i += 8192)
        acc = rnd(acc + pairwise(a + i, n - i < 8192 ? n - i : 8192, single),
                  single);
    return acc;
}

/* mean_squared_error, mean_absolute_error, r2_score of labels y and
 * margins m (float32 arrays in sklearn; see the header). */
static double sk_regression(int kind, const float *m, const float *y,
                            size_t n, int k)
{
    if (k != 1 || n == 0 || (kind == M_R2 && n < 2))
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]) || !isfinite(m[i]))
            return NAN;
    double *t = malloc(n * sizeof *t);
    if (t == NULL)
        return NAN;
    double v;
    if (kind == M_SK_MAE || kind == M_SK_MSE || kind == M_SK_RMSE) {
        for (size_t i = 0; i < n; i++) {
            float d = m[i] - y[i];
            t[i] = kind == M_SK_MAE ? fabsf(d) : d * d;
        }
        float mean = (float)np_sum(t, n, true) / (float)n;
        v = kind == M_SK_RMSE ? sqrtf(mean) : mean;
    } else {
        for (size_t i = 0; i < n; i++) {
            float d = y[i] - m[i];
            t[i] = d * d;
        }
        double num = np_sum(t, n, false);
        for (size_t i = 0; i < n; i++)
            t[i] = y[i];
        float ybar = (float)np_sum(t, n, true) / (float)n;
        for (size_t i = 0; i < n; i++) {
            float d = y[i] - ybar;
            t[i] = d * d;
        }
        double den = np_sum(t, n, false);
        if (den != 0)
            v = num != 0 ? 1 - num / den : 1.0;
        else
            v = num != 0 ? 0.0 : 1.0;
    }
    free(t);
    return v;
}

/* numpy's argmax: the first maximum, or the first NaN. */
static int np_argmax(const float *p, int k)
{
    int best = 0;
    for (int c = 0; c < k; c++) {
        if (isnan(p[c]))
            return c;
        if (p[c] > p[best])
            best = c;
    }
    return best;
}

static int cmp_float(const void *pa, const void *pb)
{
    float a = *(const float *)pa, b = *(const float *)pb;
    return (a > b) - (a < b);
}

/* The classes (sorted distinct values of labels and predicted labels) and
 * per class: rows labelled c (truth), rows predicted c (pred), both
 * (tp). */
typedef struct confusion {
    size_t nclass, n, correct;
    float *cls;
    size_t *truth, *pred, *tp;
} confusion;

static size_t class_index(const confusion *c, float v)
{
    size_t lo = 0, hi = c->nclass;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->cls[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* sklearn's type_of_target refuses labels that are not whole numbers
 * ("continuous"; NaN and inf among them); numpy's cast to int64 fails
 * beyond 2^63. */
static bool whole(float y)
{
    return isfinite(y) && y == truncf(y) && fabsf(y) < 0x1p63f;
}

static void confusion_fini(confusion *c)
{
    free(c->cls);
    free(c->truth);
    free(c->pred);
    free(c->tp);
}

/* Labels from margins (the container's margin_to_class_label), then the
 * confusion counts.  false, with nothing to free, for sklearn's error
 * (labels not whole numbers) or when out of memory. */
static bool confusion_init(confusion *c, const float *pred, const float *label,
                           size_t n, int k)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < n; i++)
        if (!whole(label[i]))
            return false;
    /* q[0..n): predicted labels; q[n..2n): labels */
    float *q = malloc(2 * n * sizeof *q);
    if (q == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        const float *row = pred + i * (size_t)k;
        q[i] = (float)(k > 1 ? np_argmax(row, k) : row[0] > 0.0f ? 1 : 0);
        q[n + i] = label[i] == 0 ? 0.0f : label[i]; /* -0 is 0 */
    }
    /* the classes: q sorted and made unique in a copy */
    float *cls = malloc(2 * n * sizeof *cls);
    if (cls == NULL) {
        free(q);
        return false;
    }
    memcpy(cls, q, 2 * n * sizeof *cls);
    qsort(cls, 2 * n, sizeof *cls, cmp_float);
    size_t m = 0;
    for (size_t i = 0; i < 2 * n; i++)
        if (m == 0 || cls[i] != cls[m - 1])
            cls[m++] = cls[i];
    c->cls = cls;
    c->nclass = m;
    c->n = n;
    c->truth = calloc(m, sizeof *c->truth);
    c->pred = calloc(m, sizeof *c->pred);
    c->tp = calloc(m, sizeof *c->tp);
    if (c->truth == NULL || c->pred == NULL || c->tp == NULL) {
        free(q);
        confusion_fini(c);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = class_index(c, q[n + i]), b = class_index(c, q[i]);
        c->truth[a]++;
        c->pred[b]++;
        if (a == b) {
            c->tp[a]++;
            c->correct++;
        }
    }
    free(q);
    return true;
}

/* sklearn's _prf_divide with zero_division "warn": 0 for 0/0. */
static double ratio(size_t num, size_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

/* F1 as precision_recall_fscore_support: (1 + b^2) P R / (b^2 P + R),
 * b = 1, with a zero denominator replaced by 1. */
static double fscore(double p, double r)
{
    double den = p + r;
    return 2.0 * p * r / (den == 0.0 ? 1.0 : den);
}

static double class_value(int kind, const confusion *c, size_t i)
{
    double p = ratio(c->tp[i], c->pred[i]), r = ratio(c->tp[i], c->truth[i]);
    switch (kind) {
    case M_PRECISION:
    case M_PRECISION_MACRO:
        return p;
    case M_RECALL:
    case M_RECALL_MACRO:
        return r;
    default:
        return fscore(p, r);
    }
}

static double sk_classification(int kind, const float *pred,
                                const float *label, size_t n, int k)
{
    if (n == 0)
        return 0.0; /* the container's "if preds.size > 0" */
    confusion c;
    if (!confusion_init(&c, pred, label, n, k))
        return NAN;
    double v = NAN;
    switch (kind) {
    case M_ACCURACY:
    case M_PRECISION_MICRO:
    case M_RECALL_MICRO:
        v = (double)c.correct / (double)n;
        break;
    case M_BALANCED_ACCURACY: {
        double sum = 0;
        size_t present = 0;
        for (size_t i = 0; i < c.nclass; i++)
            if (c.truth[i] > 0) {
                sum += (double)c.tp[i] / (double)c.truth[i];
                present++;
            }
        v = sum / (double)present;
        break;
    }
    case M_F1_MACRO:
    case M_PRECISION_MACRO:
    case M_RECALL_MACRO: {
        double sum = 0;
        for (size_t i = 0; i < c.nclass; i++)
            sum += class_value(kind, &c, i);
        v = sum / (double)c.nclass;
        break;
    }
    default: {
        /* average "binary", pos_label 1: at most two classes, 1 among
         * them unless there is only one */
        size_t one = class_index(&c, 1.0f);
        bool has_one = c.cls[one] == 1.0f;
        if (c.nclass > 2 || (c.nclass == 2 && !has_one))
            break;
        if (has_one)
            v = class_value(kind, &c, one);
        else
            v = 0.0; /* tp = 0 and no predicted or true positives */
        break;
    }
    }
    confusion_fini(&c);
    return v;
}

static bool is_sagemaker(int kind)
{
    return kind >= M_ACCURACY && kind <= M_R2;
}

static double sagemaker_metric(int kind, const float *pred,
                               const float *label, size_t n, int k)
{
    switch (kind) {
    case M_SK_MSE:
    case M_SK_RMSE:
    case M_SK_MAE:
    case M_R2:
        return sk_regression(kind, pred, label, n, k);
    default:
        return sk_classification(kind, pred, label, n, k);
    }
}

/* ---- dispatch ---------------------------------------------------------- */

double kiln__xgb_metric_eval(const kiln__xgb_metric *m, const float *pred,
                             const float *label, const float *weight,
                             size_t n, int k,
                             const kiln__xgb_obj_params *p)
{
    if (k < 1)
        return NAN;
    if (is_sagemaker(m->kind & KIND_MASK))
        return sagemaker_metric(m->kind & KIND_MASK, pred, label, n, k);
    switch (m->kind & KIND_MASK) {
    case M_MERROR:
    case M_MLOGLOSS:
        return multiclass(m, pred, label, weight, n, k);
    case M_AUC:
        return auc_metric(false, pred, label, weight, n, k);
    case M_AUCPR:
        return auc_metric(true, pred, label, weight, n, k);
    case M_NDCG:
    case M_MAP:
    case M_PRE:
        return k == 1 ? ranking(m, pred, label, n) : NAN;
    default:
        /* xgboost: "label and prediction size not match, hint: use
         * merror or mlogloss for multi-class classification" */
        return k == 1 ? elementwise(m, pred, label, weight, n, p) : NAN;
    }
}
