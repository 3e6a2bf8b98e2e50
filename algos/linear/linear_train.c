/* kiln — linear learner's training (builtin-algorithms.md §1, "How Linear
 * Learner Works": preprocess, train, validate and set the threshold).
 *
 * 1. Preprocess.  The first num_point_for_scaler training rows give each
 *    feature's mean and standard deviation (and the label's, for a
 *    regressor).  Training sees x' = (x - mean) / sd -- the shift only with
 *    unbias_data, the scale only with normalize_data -- and, for a
 *    regressor, y' = (y - mean_y) / sd_y.  Dense mini-batches are copied
 *    normalised (the copy is small and stays in cache); sparse ones are
 *    used as they are and the normalisation is applied to the weights
 *    (x' . w = x . (w / sd) - mean/sd . w), so sparse data stays sparse.
 *    The final weights are folded back into raw units: the artifact
 *    predicts from raw features, as SageMaker's does (a real artifact's
 *    regression weights predict raw labels from raw features).
 *
 * 2. Train.  All M models see the same mini-batches in file order (the
 *    documentation requires shuffled input; SageMaker does not shuffle).
 *    Their weights are one D x (M K) matrix, so a mini-batch is two matrix
 *    products for all models at once -- scores Z = X' W (B x D times D x
 *    MK) and the gradient X'^T G -- with cblas_sgemm, plus element-wise
 *    work (losses, optimizer steps), cut into row slices over ctx->threads
 *    threads (linear_batch.c).  The gradient is the row-weighted loss
 *    gradient averaged over the mini-batch's rows (MXNet's rescale_grad =
 *    1 / batch size).  A regressor trains on the normalised label, so
 *    huber_delta and loss_insensitivity act in those units during training
 *    (and in raw units in the evaluation metrics).
 *
 *    Each epoch logs model 0's mean training loss (in the normalised label
 *    units it trains in, as SageMaker's log does) and, with a validation
 *    channel, model 0's validation loss (raw units).  Early stopping: the
 *    criterion is the best value over the models of the validation
 *    selection criterion (binary: the calibrated criterion on the
 *    calibration sample, "sampled_accuracy" and so on; otherwise the
 *    validation loss), or of the training loss without a validation
 *    channel.  An improvement by at least early_stopping_tolerance
 *    (relative) snapshots all models ("Epoch 3: Loss improved. Updating
 *    best model"); early_stopping_patience epochs without one stop
 *    training.  The snapshot is what selection sees.
 *
 * 3. Validate and set the threshold.  On the first num_calibration_samples
 *    rows of the validation channel (or of the training data without one)
 *    every model is scored; a binary classifier's threshold is calibrated
 *    per model for binary_classifier_model_selection_criteria and the best
 *    model by that criterion is kept; other predictors keep the model with
 *    the lowest mean loss.  The final scores on the validation channel (or
 *    the training sample) and the test channel are logged as SageMaker
 *    logs them.
 */
#include "linear.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EVAL_ROWS = 4096 };

typedef kiln__linear_trainer trainer;

/* ---- small helpers ------------------------------------------------------ */

static float *alloc_floats(size_t n, const char *what, kiln_error *err)
{
    if (n > SIZE_MAX / sizeof(float)) {
        kiln_error_set(err, KILN_NOMEM, "cannot allocate %zu floats for %s",
                       n, what);
        return NULL;
    }
    float *p = calloc(n ? n : 1, sizeof *p);
    if (p == NULL)
        kiln_error_set(err, KILN_NOMEM, "cannot allocate %.1f MB for %s",
                       (double)n * sizeof *p / 1e6, what);
    return p;
}

static size_t mul_or_max(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: the initial weights, deterministic per model */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *s)
{
    return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double normal01(uint64_t *s)
{
    double u = uniform01(s), v = uniform01(s);
    if (u < 1e-300)
        u = 1e-300;
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static void log_number(char *out, size_t size, double v)
{
    kiln__linear_repr(v, out, size);
}

/* ---- checking the channels ---------------------------------------------- */

static int check_labels(const trainer *tr, const kiln_dataset *ds,
                        const char *name, kiln_error *err)
{
    const float *lab = kiln_dataset_labels(ds);
    size_t n = kiln_dataset_rows(ds);
    if (lab == NULL)
        return kiln_error_set(err, KILN_DATA,
                              "the %s channel has no labels (linear-learner is "
                              "supervised: CSV needs the label in the first "
                              "column)",
                              name);
    for (size_t i = 0; i < n; i++) {
        float y = lab[i];
        switch (tr->cfg->predictor) {
        case KILN__LINEAR_BINARY:
            if (y != 0.0f && y != 1.0f)
                return kiln_error_set(err, KILN_DATA,
                                      "%s channel row %zu: label %g, expected "
                                      "0 or 1 for binary_classifier",
                                      name, i + 1, (double)y);
            break;
        case KILN__LINEAR_MULTICLASS:
            if (!(y >= 0) || y != floorf(y) || (double)y >= (double)tr->k)
                return kiln_error_set(err, KILN_DATA,
                                      "%s channel row %zu: label %g, expected "
                                      "an integer from 0 to %zu (num_classes "
                                      "is %zu)",
                                      name, i + 1, (double)y, tr->k - 1, tr->k);
            break;
        case KILN__LINEAR_REGRESSOR:
            if (!isfinite(y))
                return kiln_error_set(err, KILN_DATA,
                                      "%s channel row %zu: label %g, expected "
                                      "a finite number",
                                      name, i + 1, (double)y);
            break;
        }
    }
    return KILN_OK;
}

static int bad_value(const char *name, size_t row, size_t col, float v,
                     kiln_error *err)
{
    return kiln_error_set(err, KILN_DATA,
                          "%s channel row %zu, feature %zu: %s, expected a "
                          "number (linear-learner has no missing values)",
                          name, row + 1, col + 1,
                          isnan(v) ? "a missing value (empty or NaN)"
                                   : "an infinite value");
}

static int check_features(const trainer *tr, const kiln_dataset *ds,
                          const char *name, kiln_error *err)
{
    size_t n = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    if (!kiln_dataset_is_sparse(ds)) {
        if (cols != tr->d)
            return kiln_error_set(err, KILN_DATA,
                                  "the %s channel has %zu features, the train "
                                  "channel %zu",
                                  name, cols, tr->d);
        const float *x = kiln_dataset_dense(ds);
        for (size_t i = 0; i < n; i++) {
            const float *r = x + i * cols;
            /* NaN and infinities have every exponent bit set; an integer
             * test the compiler vectorises */
            uint32_t bad = 0;
            for (size_t j = 0; j < cols; j++) {
                uint32_t u;
                memcpy(&u, &r[j], sizeof u);
                bad |= (u & 0x7f800000u) == 0x7f800000u;
            }
            if (bad)
                for (size_t j = 0; j < cols; j++)
                    if (!isfinite(r[j]))
                        return bad_value(name, i, j, r[j], err);
            if (i % 65536 == 65535 && kiln_train_cancelled(tr->ctx, err))
                return err->code;
        }
        return KILN_OK;
    }
    if (cols > tr->d)
        return kiln_error_set(err, KILN_DATA,
                              "the %s channel has %zu features, more than the "
                              "%zu the model has (feature_dim, or the train "
                              "channel)",
                              name, cols, tr->d);
    const size_t *ip = kiln_dataset_indptr(ds);
    const uint32_t *ix = kiln_dataset_indices(ds);
    const float *v = kiln_dataset_values(ds);
    for (size_t i = 0; i < n; i++)
        for (size_t e = ip[i]; e < ip[i + 1]; e++)
            if (!isfinite(v[e]))
                return bad_value(name, i, ix[e], v[e], err);
    return KILN_OK;
}

/* ---- the scaler --------------------------------------------------------- */

static int fit_scaler(trainer *tr, const kiln_dataset *ds, kiln_error *err)
{
    const kiln__linear_config *cfg = tr->cfg;
    size_t d = tr->d, n = kiln_dataset_rows(ds);
    size_t s = (size_t)cfg->num_point_for_scaler < n
                   ? (size_t)cfg->num_point_for_scaler
                   : n;
    double *sum = calloc(2 * (d ? d : 1), sizeof *sum);
    if (sum == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate the scaler of %zu features", d);
    double *sq = sum + d;
    if (!kiln_dataset_is_sparse(ds)) {
        const float *x = kiln_dataset_dense(ds);
        for (size_t i = 0; i < s; i++)
            for (size_t j = 0; j < d; j++) {
                double v = x[i * d + j];
                sum[j] += v;
                sq[j] += v * v;
            }
    } else {
        const size_t *ip = kiln_dataset_indptr(ds);
        const uint32_t *ix = kiln_dataset_indices(ds);
        const float *v = kiln_dataset_values(ds);
        for (size_t i = 0; i < s; i++)
            for (size_t e = ip[i]; e < ip[i + 1]; e++) {
                sum[ix[e]] += v[e];
                sq[ix[e]] += (double)v[e] * v[e];
            }
    }
    bool shift = cfg->unbias_data < 0
                     ? cfg->use_bias && !kiln_dataset_is_sparse(ds)
                     : cfg->unbias_data == 1;
    tr->shift = false;
    for (size_t j = 0; j < d; j++) {
        double mean = s ? sum[j] / (double)s : 0;
        double var = s ? sq[j] / (double)s - mean * mean : 0;
        double sd = var > 0 ? sqrt(var) : 0;
        tr->mu[j] = shift ? (float)mean : 0.0f;
        tr->isd[j] = cfg->normalize_data && sd > 1e-12 && isfinite(sd)
                         ? (float)(1.0 / sd)
                         : 1.0f;
        tr->shift |= tr->mu[j] != 0.0f;
    }
    free(sum);
    tr->ymu = 0;
    tr->ysd = 1;
    if (cfg->predictor == KILN__LINEAR_REGRESSOR && s > 0) {
        const float *lab = kiln_dataset_labels(ds);
        double ls = 0, lq = 0;
        for (size_t i = 0; i < s; i++) {
            ls += lab[i];
            lq += (double)lab[i] * lab[i];
        }
        double mean = ls / (double)s, var = lq / (double)s - mean * mean;
        double sd = var > 0 ? sqrt(var) : 0;
        if (cfg->unbias_label == 1)
            tr->ymu = mean;
        if (cfg->normalize_label && sd > 1e-12 && isfinite(sd))
            tr->ysd = sd;
    }
    return KILN_OK;
}

/* ---- selection ------------------------------------------------------------ */

/* The selection criterion of every model from its scores: the calibrated
 * criterion of a binary classifier (value and threshold per model), else
 * the loss.  Returns KILN_OK or KILN_NOMEM. */
static int criterion_values(trainer *tr, const double *loss,
                            const double *scores, const float *label,
                            size_t n, double *value, double *thr,
                            kiln_error *err)
{
    const kiln__linear_config *cfg = tr->cfg;
    bool calibrated = cfg->predictor == KILN__LINEAR_BINARY &&
                      cfg->criterion != KILN__SEL_LOSS;
    double fallback = cfg->loss.kind == KILN__LOSS_LOGISTIC ? 0.5 : 0.0;
    if (!calibrated) {
        for (size_t m = 0; m < tr->m; m++) {
            value[m] = loss[m];
            if (thr)
                thr[m] = fallback;
        }
        return KILN_OK;
    }
    double *col = malloc((n ? n : 1) * sizeof *col);
    if (col == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes for %zu scores",
                              n * sizeof *col, n);
    kiln__linear_calibration cal = {cfg->criterion, cfg->select_beta,
                                    cfg->target_precision, cfg->target_recall,
                                    fallback};
    for (size_t m = 0; m < tr->m; m++) {
        for (size_t i = 0; i < n; i++)
            col[i] = scores[i * tr->m + m];
        double t, v;
        int rc = kiln__linear_calibrate(&cal, col, label, n, &t, &v, err);
        if (rc != KILN_OK) {
            free(col);
            return rc;
        }
        /* a model whose loss diverged is never the best */
        value[m] = isfinite(loss[m]) ? v : NAN;
        if (thr)
            thr[m] = t;
    }
    free(col);
    return KILN_OK;
}

static bool maximize(const kiln__linear_config *cfg, bool have_validation)
{
    return have_validation && cfg->predictor == KILN__LINEAR_BINARY &&
           cfg->criterion != KILN__SEL_LOSS;
}

/* The index of the best finite value (the first of equals), or -1. */
static long best_of(const double *v, size_t n, bool max)
{
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        if (best < 0 || (max ? v[i] > v[best] : v[i] < v[best]))
            best = (long)i;
    }
    return best;
}

static const char *criterion_name(const kiln__linear_config *cfg,
                                  bool have_validation)
{
    if (!maximize(cfg, have_validation))
        return kiln__linear_loss_objective(cfg->loss.kind);
    switch (cfg->criterion) {
    case KILN__SEL_ACCURACY:
        return "sampled_accuracy";
    case KILN__SEL_F_BETA:
        return "sampled_f_beta";
    case KILN__SEL_PRECISION_AT_RECALL:
        return "sampled_precision_at_target_recall";
    case KILN__SEL_RECALL_AT_PRECISION:
        return "sampled_recall_at_target_precision";
    case KILN__SEL_LOSS:
        break;
    }
    return kiln__linear_loss_objective(cfg->loss.kind);
}

/* ---- set-up and tear-down ------------------------------------------------ */

static void trainer_fini(trainer *tr)
{
    float *fl[] = {tr->mu,     tr->isd,   tr->w,      tr->gw,     tr->s1,
                   tr->s2,     tr->b,     tr->gb,     tr->sb1,    tr->sb2,
                   tr->best_w, tr->best_b, tr->fw,    tr->fb,     tr->lr,
                   tr->wd,     tr->l1,    tr->blr,    tr->bwd,    tr->nol1,
                   tr->class_w, tr->xb,   tr->z,      tr->y,      tr->rw,
                   tr->colsum, tr->shiftc, tr->gw_part, tr->colsum_part};
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        free(fl[i]);
    free(tr->pos_w);
    free(tr->lsum);
    free(tr->wsum);
    free(tr->lsum_part);
    free(tr->wsum_part);
}

static int trainer_alloc(trainer *tr, bool dense_data, kiln_error *err)
{
    size_t dc = mul_or_max(tr->d, tr->c);
    size_t r = tr->rows_buf, c = tr->c;
    /* a mini-batch is cut into one row slice per thread, each with its own
     * partial gradient, unless those would take more than 256 MB */
    tr->parts_max = tr->threads;
    if (tr->parts_max > 1 &&
        mul_or_max(dc, tr->parts_max - 1) > ((size_t)1 << 26))
        tr->parts_max = 1;
    size_t p = tr->parts_max;
    struct {
        float **at;
        size_t n;
        const char *what;
    } want[] = {
        {&tr->mu, tr->d, "the feature means"},
        {&tr->isd, tr->d, "the feature scales"},
        {&tr->w, dc, "the weights of the models"},
        {&tr->gw, dc, "the gradient of the weights"},
        {&tr->s1, dc, "the optimizer state"},
        {&tr->best_w, dc, "the best weights"},
        {&tr->fw, dc, "the models in raw units"},
        {&tr->b, c, "the biases"}, {&tr->gb, c, "the biases"},
        {&tr->sb1, c, "the biases"}, {&tr->sb2, c, "the biases"},
        {&tr->best_b, c, "the biases"}, {&tr->fb, c, "the biases"},
        {&tr->lr, c, "the settings"}, {&tr->wd, c, "the settings"},
        {&tr->l1, c, "the settings"}, {&tr->blr, c, "the settings"},
        {&tr->bwd, c, "the settings"}, {&tr->nol1, c, "the settings"},
        {&tr->colsum, c, "the settings"}, {&tr->shiftc, c, "the settings"},
        {&tr->z, mul_or_max(r, c), "a mini-batch's scores"},
        {&tr->y, r, "a mini-batch's labels"},
        {&tr->rw, r, "a mini-batch's weights"},
        {&tr->colsum_part, mul_or_max(p, c), "a mini-batch's sums"},
        {&tr->gw_part, mul_or_max(dc, p - 1), "the partial gradients"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if ((*want[i].at = alloc_floats(want[i].n, want[i].what, err)) == NULL)
            return err->code;
    if (tr->cfg->optimizer == KILN__OPT_ADAM &&
        !(tr->s2 = alloc_floats(dc, "the optimizer state", err)))
        return err->code;
    if (dense_data &&
        !(tr->xb = alloc_floats(mul_or_max(r, tr->d), "a mini-batch", err)))
        return err->code;
    tr->pos_w = calloc(tr->m, sizeof *tr->pos_w);
    tr->lsum = calloc(tr->m, sizeof *tr->lsum);
    tr->wsum = calloc(tr->m, sizeof *tr->wsum);
    tr->lsum_part = calloc(tr->m * p, sizeof *tr->lsum_part);
    tr->wsum_part = calloc(tr->m * p, sizeof *tr->wsum_part);
    if (!tr->pos_w || !tr->lsum || !tr->wsum || !tr->lsum_part ||
        !tr->wsum_part)
        return kiln_error_nomem(err);
    return KILN_OK;
}

static void init_params(trainer *tr)
{
    const kiln__linear_config *cfg = tr->cfg;
    size_t k = tr->k, c = tr->c;
    for (size_t m = 0; m < tr->m; m++) {
        uint64_t seed = 0x6b696c6e4c4c0000ULL + m; /* "kilnLL" + model */
        for (size_t f = 0; f < tr->d; f++)
            for (size_t q = m * k; q < (m + 1) * k; q++)
                tr->w[f * c + q] =
                    cfg->init_normal
                        ? (float)(cfg->init_sigma * normal01(&seed))
                        : (float)(cfg->init_scale * (2 * uniform01(&seed) - 1));
        for (size_t q = m * k; q < (m + 1) * k; q++) {
            tr->b[q] = cfg->use_bias ? (float)cfg->init_bias : 0.0f;
            tr->wd[q] = (float)cfg->models[m].wd;
            tr->l1[q] = (float)cfg->models[m].l1;
            tr->bwd[q] = (float)(cfg->models[m].wd * cfg->bias_wd_mult);
        }
    }
}

/* Positive-row weights (binary) and class weights (multiclass) from the
 * training labels. */
static int class_weights(trainer *tr, const kiln_dataset *ds, kiln_error *err)
{
    const kiln__linear_config *cfg = tr->cfg;
    const float *lab = kiln_dataset_labels(ds);
    size_t n = kiln_dataset_rows(ds);
    if (cfg->predictor == KILN__LINEAR_BINARY) {
        double pos = 0;
        for (size_t i = 0; i < n; i++)
            pos += lab[i] > 0.5f;
        double balanced = pos > 0 ? ((double)n - pos) / pos : 1.0;
        if (!(balanced > 0))
            balanced = 1.0;
        for (size_t m = 0; m < tr->m; m++)
            tr->pos_w[m] =
                cfg->models[m].balanced ? balanced : cfg->models[m].pos_weight;
    }
    if (cfg->predictor == KILN__LINEAR_MULTICLASS &&
        cfg->balance_multiclass_weights) {
        if (!(tr->class_w = alloc_floats(tr->k, "the class weights", err)))
            return err->code;
        double *cnt = calloc(tr->k, sizeof *cnt);
        if (cnt == NULL)
            return kiln_error_nomem(err);
        for (size_t i = 0; i < n; i++)
            cnt[(size_t)lab[i]]++;
        for (size_t q = 0; q < tr->k; q++)
            tr->class_w[q] =
                cnt[q] > 0 ? (float)((double)n / ((double)tr->k * cnt[q]))
                           : 1.0f;
        free(cnt);
    }
    return KILN_OK;
}

/* ---- the final model ------------------------------------------------------ */

static int build_model(trainer *tr, size_t best, double threshold,
                       kiln__linear_model **out, kiln_error *err)
{
    const kiln__linear_config *cfg = tr->cfg;
    size_t d = tr->d, k = tr->k;
    kiln__linear_model *m =
        kiln__linear_model_new(cfg->predictor, &cfg->loss, d, k, err);
    if (m == NULL)
        return err->code;
    kiln__linear_fold(tr, best, m->weight, k, m->bias);
    m->threshold = cfg->predictor == KILN__LINEAR_BINARY ? threshold : 0.5;
    m->f_beta = cfg->predictor == KILN__LINEAR_REGRESSOR ? 0 : cfg->f_beta;
    m->accuracy_top_k = cfg->accuracy_top_k;
    m->positive_example_weight_mult =
        cfg->predictor == KILN__LINEAR_BINARY ? tr->pos_w[best] : 1.0;
    m->bias_lr_mult = cfg->use_bias ? cfg->bias_lr_mult : 0.0;
    if (tr->class_w != NULL) {
        m->class_weights = malloc(k * sizeof *m->class_weights);
        if (m->class_weights == NULL) {
            kiln__linear_model_free(m);
            return kiln_error_nomem(err);
        }
        memcpy(m->class_weights, tr->class_w, k * sizeof *m->class_weights);
    }
    *out = m;
    return KILN_OK;
}

/* Log the final model's scores on the first n rows of ds. */
static int report(trainer *tr, const char *channel, const kiln__linear_model *m,
                  const kiln_dataset *ds, size_t n, kiln_error *err)
{
    float *z = alloc_floats(mul_or_max(n, m->outputs), "the final scores", err);
    if (z == NULL)
        return err->code;
    kiln__linear_model_scores(m, ds, 0, n, z);
    int rc = kiln__linear_report(tr->ctx, channel, m, z,
                                 kiln_dataset_labels(ds), n, err);
    free(z);
    return rc;
}

/* ---- the run ----------------------------------------------------------- */

typedef struct run {
    trainer tr;
    kiln__linear_config cfg;
    double *val_loss, *val_scores, *crit, *thr;
    size_t ncal;
} run;

static int run_epochs(run *r, kiln_error *err)
{
    trainer *tr = &r->tr;
    const kiln__linear_config *cfg = &r->cfg;
    const kiln_train_ctx *ctx = tr->ctx;
    const kiln_dataset *ds = ctx->train, *val = ctx->validation;
    size_t n = kiln_dataset_rows(ds), bsz = (size_t)cfg->mini_batch_size;
    const char *obj = kiln__linear_loss_objective(cfg->loss.kind);
    bool have_val = val != NULL && kiln_dataset_rows(val) > 0;
    bool max = maximize(cfg, have_val);
    const char *crit_name = criterion_name(cfg, have_val);
    double best = NAN;
    int64_t stale = 0;
    char v[40];
    for (int64_t e = 0; e < cfg->epochs; e++) {
        double t0 = now();
        memset(tr->lsum, 0, tr->m * sizeof *tr->lsum);
        memset(tr->wsum, 0, tr->m * sizeof *tr->wsum);
        size_t batches = 0;
        for (size_t r0 = 0; r0 < n; r0 += bsz, batches++) {
            if (kiln_train_cancelled(ctx, err))
                return err->code;
            size_t nb = n - r0 < bsz ? n - r0 : bsz;
            kiln__linear_batch(tr, ds, r0, nb);
            if (batches % 16 == 15) {
                char status[64];
                snprintf(status, sizeof status, "epoch %lld/%lld",
                         (long long)e + 1, (long long)cfg->epochs);
                kiln_train_progress(ctx,
                                    ((double)e + (double)(r0 + nb) / (double)n) /
                                        (double)cfg->epochs,
                                    status);
            }
        }
        double *train_loss = r->crit; /* scratch: the epoch's losses */
        for (size_t m = 0; m < tr->m; m++)
            train_loss[m] = tr->wsum[m] > 0 ? tr->lsum[m] / tr->wsum[m] : NAN;
        log_number(v, sizeof v, train_loss[0]);
        kiln_train_log(ctx, "#quality_metric: host=algo-1, epoch=%lld, train "
                       "%s <loss>=%s", (long long)e, obj, v);
        kiln_train_metric(ctx, "train:objective_loss", e, strtod(v, NULL));

        double value;
        if (have_val) {
            int rc = kiln__linear_evaluate(tr, val, kiln_dataset_rows(val), r->val_loss,
                              max ? r->val_scores : NULL, r->ncal, err);
            if (rc != KILN_OK)
                return rc;
            log_number(v, sizeof v, r->val_loss[0]);
            kiln_train_log(ctx, "#quality_metric: host=algo-1, epoch=%lld, "
                           "validation %s <loss>=%s", (long long)e, obj, v);
            kiln_train_metric(ctx, "validation:objective_loss", e,
                              strtod(v, NULL));
            rc = criterion_values(tr, r->val_loss, r->val_scores,
                                  kiln_dataset_labels(val), r->ncal, r->crit,
                                  NULL, err);
            if (rc != KILN_OK)
                return rc;
        }
        long bi = best_of(r->crit, tr->m, max);
        value = bi >= 0 ? r->crit[bi] : NAN;
        log_number(v, sizeof v, value);
        kiln_train_log(ctx, "#early_stopping_criteria_metric: host=algo-1, "
                       "epoch=%lld, criteria=%s, value=%s",
                       (long long)e, crit_name, v);
        bool improved;
        if (isnan(best))
            improved = !isnan(value);
        else if (isnan(value))
            improved = false;
        else {
            double gain = max ? value - best : best - value;
            improved = gain > 0 &&
                       (best == 0 || gain / fabs(best) >= cfg->early_stopping_tolerance);
        }
        if (improved) {
            best = value;
            stale = 0;
            memcpy(tr->best_w, tr->w, tr->d * tr->c * sizeof *tr->w);
            memcpy(tr->best_b, tr->b, tr->c * sizeof *tr->b);
            tr->have_best = true;
            kiln_train_log(ctx, "Epoch %lld: Loss improved. Updating best model",
                           (long long)e);
        } else {
            stale++;
            kiln_train_log(ctx, "Epoch %lld: Loss has not improved for %lld "
                           "epochs.", (long long)e, (long long)stale);
        }
        int pct = (int)(100 * (e + 1) / cfg->epochs);
        kiln_train_log(ctx, "#progress_metric: host=algo-1, completed %d %% of "
                       "epochs", pct);
        kiln_train_metric(ctx, "train:progress", e, pct);
        double secs = now() - t0;
        log_number(v, sizeof v, secs > 0 ? (double)n / secs : 0.0);
        kiln_train_log(ctx, "#throughput_metric: host=algo-1, train "
                       "throughput=%s records/second", v);
        kiln_train_metric(ctx, "train:throughput", e, strtod(v, NULL));
        char status[64];
        snprintf(status, sizeof status, "epoch %lld/%lld", (long long)e + 1,
                 (long long)cfg->epochs);
        kiln_train_progress(ctx, (double)(e + 1) / (double)cfg->epochs, status);
        if (stale >= cfg->early_stopping_patience && e + 1 < cfg->epochs) {
            kiln_train_log(ctx, "Early stop condition met. Stopping training.");
            break;
        }
    }
    return KILN_OK;
}

/* Choose the model and its threshold on the calibration sample. */
static int select_model(run *r, size_t *best, double *threshold,
                        kiln_error *err)
{
    trainer *tr = &r->tr;
    const kiln__linear_config *cfg = &r->cfg;
    const kiln_train_ctx *ctx = tr->ctx;
    const kiln_dataset *ds =
        ctx->validation && kiln_dataset_rows(ctx->validation) > 0
            ? ctx->validation
            : ctx->train;
    size_t n = kiln_dataset_rows(ds);
    if ((size_t)cfg->num_calibration_samples < n)
        n = (size_t)cfg->num_calibration_samples;
    bool binary = cfg->predictor == KILN__LINEAR_BINARY;
    double *scores = NULL;
    if (binary &&
        !(scores = malloc(mul_or_max(mul_or_max(n ? n : 1, tr->m),
                                     sizeof *scores))))
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate the scores of %zu models on "
                              "%zu calibration rows",
                              tr->m, n);
    int rc = kiln__linear_evaluate(tr, ds, n, r->val_loss, scores, n, err);
    if (rc == KILN_OK && binary && cfg->criterion == KILN__SEL_LOSS) {
        /* selection by loss; the threshold stays at its default */
        double fallback = cfg->loss.kind == KILN__LOSS_LOGISTIC ? 0.5 : 0.0;
        for (size_t m = 0; m < tr->m; m++) {
            r->crit[m] = r->val_loss[m];
            r->thr[m] = fallback;
        }
    } else if (rc == KILN_OK) {
        rc = criterion_values(tr, r->val_loss, scores, kiln_dataset_labels(ds),
                              n, r->crit, r->thr, err);
    }
    free(scores);
    if (rc != KILN_OK)
        return rc;
    bool max = binary && cfg->criterion != KILN__SEL_LOSS;
    long b = best_of(r->crit, tr->m, max);
    if (b < 0)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "every one of the %zu models diverged (its loss "
                              "became NaN or infinite); try a smaller "
                              "learning_rate or normalize_data=true",
                              tr->m);
    *best = (size_t)b;
    *threshold = r->thr[b];
    return KILN_OK;
}

int kiln__linear_train(const kiln_train_ctx *ctx, void **model,
                       kiln_error *err)
{
    run r;
    memset(&r, 0, sizeof r);
    trainer *tr = &r.tr;
    int blas_threads = 0;
    kiln__linear_model *m = NULL;
    int rc = kiln__linear_config_init(&r.cfg, ctx->hp, err);
    const kiln__linear_config *cfg = &r.cfg;
    const kiln_dataset *ds = ctx->train;
    size_t n = kiln_dataset_rows(ds);
    if (rc != KILN_OK)
        goto done;
    tr->ctx = ctx;
    tr->cfg = cfg;
    tr->threads = ctx->threads ? ctx->threads : 1;
    tr->k = cfg->outputs;
    tr->m = cfg->num_models;
    tr->c = tr->m * tr->k;
    if (n == 0) {
        rc = kiln_error_set(err, KILN_DATA, "the train channel has no rows");
        goto done;
    }
    size_t cols = kiln_dataset_cols(ds);
    tr->d = cols;
    if (cfg->feature_dim != 0) {
        if (kiln_dataset_is_sparse(ds) ? cfg->feature_dim < cols
                                       : cfg->feature_dim != cols) {
            rc = kiln_error_set(err, KILN_HYPERPARAMETER,
                                "feature_dim is %zu, but the train channel has "
                                "%zu features",
                                cfg->feature_dim, cols);
            goto done;
        }
        tr->d = cfg->feature_dim;
    }
    if (tr->d == 0) {
        rc = kiln_error_set(err, KILN_DATA, "the train channel has no features");
        goto done;
    }
    if (tr->c / tr->k != tr->m || tr->c > (size_t)1 << 30) {
        rc = kiln_error_set(err, KILN_HYPERPARAMETER,
                            "%zu models of %zu outputs are too many",
                            tr->m, tr->k);
        goto done;
    }
    const char *names[3] = {"train", "validation", "test"};
    const kiln_dataset *chans[3] = {ds, ctx->validation, ctx->test};
    bool dense = false;
    for (int i = 0; i < 3 && rc == KILN_OK; i++) {
        if (chans[i] == NULL)
            continue;
        dense |= !kiln_dataset_is_sparse(chans[i]);
        rc = check_labels(tr, chans[i], names[i], err);
        if (rc == KILN_OK)
            rc = check_features(tr, chans[i], names[i], err);
    }
    if (rc != KILN_OK)
        goto done;
    /* the buffers hold a mini-batch, and evaluation goes in chunks of up
     * to EVAL_ROWS rows as long as a chunk stays under 64 MB */
    tr->rows_buf = (size_t)cfg->mini_batch_size < n
                       ? (size_t)cfg->mini_batch_size
                       : n;
    size_t eval_rows = ((size_t)1 << 24) / (tr->d + tr->c);
    eval_rows = eval_rows < 1 ? 1 : eval_rows > EVAL_ROWS ? EVAL_ROWS : eval_rows;
    if (tr->rows_buf < eval_rows)
        tr->rows_buf = eval_rows;
    if ((rc = trainer_alloc(tr, dense, err)) != KILN_OK)
        goto done;
    size_t nval = ctx->validation ? kiln_dataset_rows(ctx->validation) : 0;
    r.ncal = nval < (size_t)cfg->num_calibration_samples
                 ? nval
                 : (size_t)cfg->num_calibration_samples;
    r.val_loss = calloc(tr->m, sizeof *r.val_loss);
    r.crit = calloc(tr->m, sizeof *r.crit);
    r.thr = calloc(tr->m, sizeof *r.thr);
    if (!r.val_loss || !r.crit || !r.thr) {
        rc = kiln_error_nomem(err);
        goto done;
    }
    if (nval > 0 && maximize(cfg, true) &&
        !(r.val_scores = malloc(mul_or_max(mul_or_max(r.ncal ? r.ncal : 1,
                                                      tr->m),
                                           sizeof *r.val_scores)))) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate the scores of %zu models on %zu "
                            "validation rows",
                            tr->m, r.ncal);
        goto done;
    }
    if ((rc = fit_scaler(tr, ds, err)) != KILN_OK ||
        (rc = class_weights(tr, ds, err)) != KILN_OK)
        goto done;
    init_params(tr);
    /* OpenBLAS runs single-threaded inside the slices of linear_batch.c */
    blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);

    if ((rc = run_epochs(&r, err)) != KILN_OK)
        goto done;
    if (tr->have_best) {
        memcpy(tr->w, tr->best_w, tr->d * tr->c * sizeof *tr->w);
        memcpy(tr->b, tr->best_b, tr->c * sizeof *tr->b);
    }
    size_t best = 0;
    double threshold = 0.5;
    if ((rc = select_model(&r, &best, &threshold, err)) != KILN_OK ||
        (rc = build_model(tr, best, threshold, &m, err)) != KILN_OK)
        goto done;
    /* the final scores are single large products: OpenBLAS's threads */
    openblas_set_num_threads(blas_threads);
    blas_threads = 0;

    if (nval > 0)
        rc = report(tr, "validation", m, ctx->validation, nval, err);
    else
        rc = report(tr, "train", m, ds,
                    n < (size_t)cfg->num_calibration_samples
                        ? n
                        : (size_t)cfg->num_calibration_samples,
                    err);
    if (rc != KILN_OK)
        goto done;
    const kiln__linear_mparams *p = &cfg->models[best];
    char lr[40], l1[40], wd[40], fac[40], mlr[40];
    log_number(lr, sizeof lr, p->lr);
    log_number(l1, sizeof l1, p->l1);
    log_number(wd, sizeof wd, p->wd);
    log_number(fac, sizeof fac, p->sched_factor);
    log_number(mlr, sizeof mlr, p->sched_min_lr);
    kiln_train_log(ctx, "Best model found for hyperparameters: {\"optimizer\": "
                   "\"%s\", \"learning_rate\": %s, \"l1\": %s, \"wd\": %s, "
                   "\"lr_scheduler_step\": %lld, \"lr_scheduler_factor\": %s, "
                   "\"lr_scheduler_minimum_lr\": %s}",
                   kiln__linear_optimizer_name(cfg->optimizer), lr, l1, wd,
                   (long long)p->sched_step, fac, mlr);
    if (ctx->test != NULL && kiln_dataset_rows(ctx->test) > 0)
        rc = report(tr, "test", m, ctx->test, kiln_dataset_rows(ctx->test),
                    err);
    else
        kiln_train_log(ctx, "Test data is not provided.");

done:
    if (blas_threads > 0)
        openblas_set_num_threads(blas_threads);
    free(r.val_loss);
    free(r.val_scores);
    free(r.crit);
    free(r.thr);
    trainer_fini(tr);
    kiln__linear_config_fini(&r.cfg);
    if (rc != KILN_OK) {
        kiln__linear_model_free(m);
        return rc;
    }
    *model = m;
    return KILN_OK;
}
