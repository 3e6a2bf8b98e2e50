/* kiln — SageMaker's PCA (`pca`): the descriptor, its hyperparameters and
 * the outline of a training run (shared/reference/builtin-algorithms.md
 * §4; pca.h lists the files).
 *
 * A run: check the channels; regular mode sums the scatter matrix over
 * blocks of rows and takes its top num_components eigenpairs
 * (pca_scatter.c), randomized mode runs a randomized subspace iteration
 * with num_components + extra_components columns (pca_randomized.c); the
 * components are stored in ascending order of singular value (pca.h gives
 * the conventions for s, the order and the signs); the test channel, when
 * given, is scored.
 *
 * Log lines.  SageMaker's PCA container prints (two public notebooks'
 * training logs):
 *   784 feature(s) found in 'data'.
 *   #progress_metric: host=algo-1, completed 100 % of epochs
 *   #throughput_metric: host=algo-1, train throughput=10814.9 records/second
 *   Test data is not provided.
 * and kiln prints the same.  SageMaker documents no metric for PCA (no
 * tuning metrics, no MetricDefinitions): the descriptor lists none, so
 * PCA cannot be tuned, as in SageMaker.  What kiln reports besides is its
 * own, in SageMaker's line style, and is named here so that nobody takes
 * it for SageMaker's:
 *   metric "train:explained_variance_ratio" (kiln's own name): at step i
 *     (0 = the largest component) the fraction of the train rows' total
 *     squared deviation from their mean (from 0 when subtract_mean is
 *     false) that component i explains, s_i^2 / total, which is
 *     scikit-learn's PCA.explained_variance_ratio_[i]; the final value
 *     (step -1) is their sum.  The live chart shows the steps (a scree
 *     plot); the log line is (one line)
 *       #quality_metric: host=algo-1, train explained_variance_ratio
 *       <score>=0.86
 *   metric "test:explained_variance_ratio" (kiln's own name): the same sum
 *     for the test channel's rows, each centred on the model's mean:
 *     sum |v^T (x - mean)|^2 / sum |x - mean|^2, that is one minus the
 *     test rows' relative reconstruction error.  SageMaker's docs say the
 *     test channel "is scored" but not with what; the log line is (one
 *     line)
 *       #quality_metric: host=algo-1, test explained_variance_ratio
 *       <score>=0.85
 *
 * Decisions where SageMaker's documentation is silent:
 *   - num_components > feature_dim is a hyperparameter error (there are
 *     only feature_dim components).  Fewer rows than components is allowed
 *     (the scatter matrix is rank deficient): the extra components have
 *     singular value 0 and are arbitrary orthonormal directions; the log
 *     says so.
 *   - mini_batch_size (required, as in SageMaker) sets the blocks rows are
 *     summed in (pca.h kiln__pca_block_rows); the sums are exact, so it
 *     changes only rounding.
 *   - randomized mode uses l = num_components + extra_components columns
 *     (extra_components -1: max(10, num_components), §4), at most
 *     feature_dim, and the fixed seed KILN__PCA_SEED.
 *   - The container's default configuration also carries force_dense and
 *     epochs (seen in its "Reading default configuration" log line); they
 *     are not documented hyperparameters and kiln does not accept them.
 */
#include "pca.h"

#include "algos/hparams.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const mode_choices[] = {"regular", "randomized", NULL};

static const kiln_hp_spec schema[] = {
    {.name = "feature_dim", .type = KILN_HP_INT,
     .flags = KILN_HP_REQUIRED | KILN_HP_MIN, .min = 1,
     .doc = "the number of features in the input data"},
    {.name = "mini_batch_size", .type = KILN_HP_INT,
     .flags = KILN_HP_REQUIRED | KILN_HP_MIN, .min = 1,
     .doc = "rows per mini-batch (the SageMaker SDK sends 500)"},
    {.name = "num_components", .type = KILN_HP_INT,
     .flags = KILN_HP_REQUIRED | KILN_HP_MIN, .min = 1,
     .doc = "the number of principal components to compute, at most "
            "feature_dim"},
    {.name = "algorithm_mode", .type = KILN_HP_CHOICE,
     .default_value = "regular", .choices = mode_choices,
     .doc = "regular: the exact covariance; randomized: an approximation "
            "for many features"},
    {.name = "extra_components", .type = KILN_HP_INT, .flags = KILN_HP_MIN,
     .default_value = "-1", .min = -1,
     .doc = "randomized mode's extra sketch columns (-1: max(10, "
            "num_components))"},
    {.name = "subtract_mean", .type = KILN_HP_BOOL, .default_value = "true",
     .doc = "whether to centre the data on its mean"},
    {0},
};

/* No documented PCA metrics (builtin-algorithms.md §4). */
static const kiln_metric_def metrics[] = {{0}};

static const char *const channels[] = {"train", "test", NULL};

/* The components as rows, the largest first (the model keeps them as the
 * columns of v, ascending). */
static int vectors(const void *model, float **out, size_t *rows,
                   size_t *cols, const char **noun, kiln_error *err)
{
    const kiln__pca_model *m = model;
    *out = malloc((m->k * m->d + 1) * sizeof **out);
    if (*out == NULL)
        return kiln_error_nomem(err);
    for (size_t c = 0; c < m->k; c++)
        for (size_t j = 0; j < m->d; j++)
            (*out)[c * m->d + j] = m->v[j * m->k + (m->k - 1 - c)];
    *rows = m->k;
    *cols = m->d;
    *noun = "component";
    return KILN_OK;
}

static const kiln_format formats[] = {
    KILN_FORMAT_CSV,
    KILN_FORMAT_RECORDIO,
    KILN_FORMAT_UNKNOWN,
};

static int check(const kiln_hparams *hp, kiln_error *err)
{
    int64_t k = kiln_hp_int(hp, "num_components");
    int64_t d = kiln_hp_int(hp, "feature_dim");
    if (k > d)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "num_components = %lld is more than feature_dim "
                              "= %lld: PCA finds at most feature_dim "
                              "components", (long long)k, (long long)d);
    return KILN_OK;
}

static void read_params(const kiln_train_ctx *ctx, kiln__pca_params *p)
{
    const kiln_hparams *hp = ctx->hp;
    memset(p, 0, sizeof *p);
    p->d = (size_t)kiln_hp_int(hp, "feature_dim");
    p->k = (size_t)kiln_hp_int(hp, "num_components");
    p->mini_batch_size = (size_t)kiln_hp_int(hp, "mini_batch_size");
    p->randomized =
        strcmp(kiln_hp_str(hp, "algorithm_mode"), "randomized") == 0;
    int64_t extra = kiln_hp_int(hp, "extra_components");
    p->extra = extra >= 0 ? (size_t)extra : p->k > 10 ? p->k : 10;
    p->subtract_mean = kiln_hp_bool(hp, "subtract_mean");
    p->threads = ctx->threads < 1 ? 1 : ctx->threads;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The fit as a model (float arrays). */
static kiln__pca_model *to_model(const kiln__pca_fit *f, kiln_error *err)
{
    size_t d = f->d, k = f->k;
    float *mean = malloc(d * sizeof *mean);
    float *v = malloc(d * k * sizeof *v);
    float *s = malloc(k * sizeof *s);
    kiln__pca_model *m = NULL;
    if (mean == NULL || v == NULL || s == NULL) {
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu x %zu PCA components", d, k);
    } else {
        for (size_t j = 0; j < d; j++)
            mean[j] = (float)f->mean[j];
        for (size_t i = 0; i < d * k; i++)
            v[i] = (float)f->v[i];
        for (size_t c = 0; c < k; c++)
            s[c] = (float)f->s[c];
        m = kiln__pca_model_new(d, k, f->centred ? mean : NULL, v, s, err);
    }
    free(mean);
    free(v);
    free(s);
    return m;
}

static void report_train(const kiln_train_ctx *ctx, const kiln__pca_fit *f)
{
    double sum = 0;
    for (size_t i = 0; i < f->k; i++) {
        double s = f->s[f->k - 1 - i]; /* largest first */
        double r = f->total > 0 ? s * s / f->total : 0;
        sum += r;
        kiln_train_metric(ctx, "train:explained_variance_ratio", (int64_t)i,
                          r);
    }
    char text[40];
    kiln__pca_fmt(sum, text, sizeof text);
    kiln_train_log(ctx, "#quality_metric: host=algo-1, train "
                   "explained_variance_ratio <score>=%s", text);
    kiln_train_metric(ctx, "train:explained_variance_ratio", -1, sum);
}

static int score_test(const kiln_train_ctx *ctx, const kiln__pca_model *m,
                      kiln_error *err)
{
    if (ctx->test == NULL) {
        kiln_train_log(ctx, "Test data is not provided.");
        return KILN_OK;
    }
    double ratio = 0;
    int rc = kiln__pca_score(m, ctx->test, &ratio, err);
    if (rc != KILN_OK)
        return rc;
    char text[40];
    kiln__pca_fmt(ratio, text, sizeof text);
    kiln_train_log(ctx, "#quality_metric: host=algo-1, test "
                   "explained_variance_ratio <score>=%s", text);
    kiln_train_metric(ctx, "test:explained_variance_ratio", -1, ratio);
    return KILN_OK;
}

static int train(const kiln_train_ctx *ctx, void **model, kiln_error *err)
{
    kiln__pca_params p;
    read_params(ctx, &p);
    int rc = kiln_algo_check_rows(ctx->train, "the train channel", p.d,
                                  "PCA", err);
    if (rc == KILN_OK && ctx->test != NULL)
        rc = kiln_algo_check_rows(ctx->test, "the test channel", p.d,
                                      "PCA", err);
    if (rc != KILN_OK)
        return rc;
    size_t n = kiln_dataset_rows(ctx->train);
    if (n == 0)
        return kiln_error_set(err, KILN_DATA,
                              "the train channel has no rows; PCA needs at "
                              "least one");
    if (p.d > INT_MAX) /* BLAS and LAPACK take int sizes */
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "feature_dim = %zu is more than kiln's PCA "
                              "takes (%d)", p.d, INT_MAX);
    if (p.k > p.d) /* check() said so already; a caller may skip it */
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "num_components = %zu is more than feature_dim "
                              "= %zu: PCA finds at most feature_dim "
                              "components", p.k, p.d);
    kiln_train_log(ctx, "%zu feature(s) found in 'data'.", p.d);
    size_t rank = p.subtract_mean ? n - 1 : n;
    if (p.k > rank)
        kiln_train_log(ctx, "num_components = %zu, but %zu rows%s span at "
                       "most %zu dimensions: the components past the %zu "
                       "largest have singular value 0 and arbitrary "
                       "directions", p.k, n,
                       p.subtract_mean ? " centred on their mean" : "", rank,
                       rank);
    if (p.randomized) {
        size_t l = p.k + p.extra > p.d ? p.d : p.k + p.extra;
        kiln_train_log(ctx, "randomized mode: a sketch of %zu columns "
                       "(num_components %zu + extra_components %zu%s)", l,
                       p.k, p.extra,
                       l < p.k + p.extra ? ", at most feature_dim" : "");
    }

    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads((int)p.threads);
    double t0 = now();
    kiln__pca_fit fit;
    rc = p.randomized ? kiln__pca_randomized(ctx, ctx->train, &p, 0, 0, &fit,
                                             err)
                      : kiln__pca_regular(ctx, ctx->train, &p, &fit, err);
    double secs = now() - t0;
    kiln__pca_model *m = NULL;
    if (rc == KILN_OK) {
        char tput[40];
        kiln__pca_fmt(secs > 0 ? (double)n / secs : 0, tput, sizeof tput);
        kiln_train_log(ctx, "#progress_metric: host=algo-1, completed 100 %% "
                       "of epochs");
        kiln_train_log(ctx, "#throughput_metric: host=algo-1, train "
                       "throughput=%s records/second", tput);
        report_train(ctx, &fit);
        m = to_model(&fit, err);
        rc = m != NULL ? KILN_OK : err->code;
        kiln__pca_fit_fini(&fit);
    }
    if (rc == KILN_OK)
        rc = score_test(ctx, m, err);
    openblas_set_num_threads(blas_threads);
    if (rc != KILN_OK) {
        kiln__pca_model_free(m);
        return rc;
    }
    kiln_train_progress(ctx, 1.0, "done");
    *model = m;
    return KILN_OK;
}

/* ---- the descriptor ----------------------------------------------------- */

const kiln_algo kiln_algo_pca = {
    .name = "pca",
    .title = "PCA",
    .problem = "dimensionality reduction",
    .summary =
        "Principal component analysis: finds the num_components directions "
        "along which the rows vary most.  Regular mode computes the exact "
        "covariance (scatter) matrix over mini-batches and its top "
        "eigenvectors; randomized mode approximates them with a randomized "
        "sketch for many features.  Components are stored by ascending "
        "singular value (the largest last), and predictions give each row's "
        "projection on them, in that order.",
    .flags = 0,
    .hparams = schema,
    .metrics = metrics,
    .channels = channels,
    .formats = formats,
    .outputs = "projection",
    .response_key = "projections",
    .step = "component",
    .request_types = kiln_first_party_requests,
    .response_types = kiln_first_party_responses,
    .response_fields = NULL,
    .check = check,
    .train = train,
    .features = kiln__pca_features,
    .predict = kiln__pca_predict,
    .save = kiln__pca_save,
    .load = kiln__pca_load,
    .vectors = vectors,
    .free = kiln__pca_model_free,
};
