/* kiln — SageMaker's k-means (`kmeans`): the descriptor, its
 * hyperparameters and the outline of a training run
 * (shared/reference/builtin-algorithms.md §3; kmeans.h lists the files).
 *
 * A run: check the channels; mini-batch k-means over K = k x
 * extra_center_factor centers for `epochs` passes (kmeans_minibatch.c);
 * the local Lloyd step shrinks the K centers, weighted by the rows they
 * absorbed, to k (kmeans_lloyd.c); the test channel, when given, is
 * scored with the eval_metrics.  The log lines are SageMaker's
 * (from its k-means container's logs):
 *   shrinking 80 centers into 8
 *   local kmeans attempt #0. Current mean square distance 0.067297
 *   finished shrinking process. Mean Square Distance = 0.0657843798399
 *   #quality_metric: host=algo-1, train msd <loss>=0.0657843798399
 *   #quality_metric: host=algo-1, test msd <loss>=...     (and test ssd)
 * The final train msd is, as in SageMaker, the weighted mean squared
 * distance of the K centers to the k (what the shrinking minimised), not
 * a pass over the rows.  Per epoch kiln also prints
 *   #quality_metric: host=algo-1, epoch=0, train msd <loss>=...
 *   #progress_metric: host=algo-1, completed 100 % of epochs
 *   #throughput_metric: host=algo-1, train throughput=... records/second
 * and reports the metric "train:msd" with the epoch as step: the mean
 * squared distance of each mini-batch's rows to their nearest center
 * before the batch moved the centers (Sculley's online loss).
 *
 * Decisions where SageMaker's documentation is silent (also in kmeans.h
 * and the files named):
 *   - extra_center_factor "auto" is 10: SageMaker's logs show "shrinking
 *     80 centers into 8" for k=8 with the defaults.
 *   - local_lloyd_num_trials "auto": SageMaker's logs show 10 attempts.
 *     kiln runs at least 10, and more while they are cheap (auto_trials
 *     below): the best of many restarts of the local step is what decides
 *     the final quality, and with the Gram formulation each restart costs
 *     O(K^2) per iteration.  Past 20 attempts the log shows the first 10
 *     "local kmeans attempt" lines and one line for the others.
 *   - K is lowered to the number of training rows when there are fewer;
 *     fewer rows than k is a hyperparameter error.
 *   - The random seed is fixed (KILN__KMEANS_SEED): SageMaker's k-means
 *     has no seed hyperparameter, and the same data and hyperparameters
 *     give the same model, whatever ctx->threads.
 *   - force_dense (which the SageMaker SDK always sends as "True") is
 *     accepted and changes nothing: sparse rows are computed sparse.
 */
#include "kmeans.h"

#include "algos/hparams.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const init_choices[] = {"random", "kmeans++", NULL};
static const char *const metric_choices[] = {"msd", "ssd", NULL};
static const char *const auto_word[] = {"auto", NULL};

static const kiln_hp_spec schema[] = {
    {.name = "feature_dim", .type = KILN_HP_INT,
     .flags = KILN_HP_REQUIRED | KILN_HP_MIN_OPEN, .min = 0,
     .doc = "the number of features in the input data"},
    {.name = "k", .type = KILN_HP_INT, .flags = KILN_HP_REQUIRED | KILN_HP_MIN,
     .min = 2, .doc = "the number of clusters"},
    {.name = "epochs", .type = KILN_HP_INT, .flags = KILN_HP_MIN_OPEN,
     .default_value = "1", .min = 0,
     .doc = "the number of passes over the training data"},
    {.name = "eval_metrics", .type = KILN_HP_LIST,
     .default_value = "[\"msd\"]", .choices = metric_choices,
     .doc = "test-channel scores to report: msd (mean squared distance), "
            "ssd (sum of squared distances)"},
    {.name = "extra_center_factor", .type = KILN_HP_INT,
     .flags = KILN_HP_MIN_OPEN, .default_value = "auto", .min = 0,
     .words = auto_word,
     .doc = "run with k x extra_center_factor centers, reduced to k at the "
            "end (auto: 10)"},
    {.name = "half_life_time_size", .type = KILN_HP_INT, .flags = KILN_HP_MIN,
     .default_value = "0", .min = 0,
     .doc = "rows after which a row's weight in its center halves (0: no "
            "decay)"},
    {.name = "init_method", .type = KILN_HP_CHOICE, .default_value = "random",
     .choices = init_choices,
     .doc = "how the centers are seeded from the first mini-batch"},
    {.name = "local_lloyd_init_method", .type = KILN_HP_CHOICE,
     .default_value = "kmeans++", .choices = init_choices,
     .doc = "how the final Lloyd step seeds the k centers"},
    {.name = "local_lloyd_max_iter", .type = KILN_HP_INT,
     .flags = KILN_HP_MIN_OPEN, .default_value = "300", .min = 0,
     .doc = "the final Lloyd step's maximum iterations"},
    {.name = "local_lloyd_num_trials", .type = KILN_HP_INT,
     .flags = KILN_HP_MIN_OPEN, .default_value = "auto", .min = 0,
     .words = auto_word,
     .doc = "restarts of the final Lloyd step; the lowest loss wins (auto: "
            "10 to 1000, as many as are cheap)"},
    {.name = "local_lloyd_tol", .type = KILN_HP_FLOAT,
     .flags = KILN_HP_MIN | KILN_HP_MAX, .default_value = "0.0001", .min = 0,
     .max = 1,
     .doc = "the final Lloyd step stops when its loss improves by less than "
            "this (relative)"},
    {.name = "mini_batch_size", .type = KILN_HP_INT,
     .flags = KILN_HP_MIN_OPEN, .default_value = "5000", .min = 0,
     .doc = "rows per mini-batch"},
    {.name = "force_dense", .type = KILN_HP_BOOL, .default_value = "true",
     .doc = "accepted for the SageMaker SDK, which always sends True; kiln "
            "computes sparse rows sparse either way"},
    {0},
};

static const kiln_metric_def metrics[] = {
    {.name = "test:msd", .maximize = false,
     .regex = "#quality_metric: host=\\S+, test msd <loss>=(\\S+)"},
    {.name = "test:ssd", .maximize = false,
     .regex = "#quality_metric: host=\\S+, test ssd <loss>=(\\S+)"},
    {0},
};

static const char *const channels[] = {"train", "test", NULL};

/* The centroids, k x feature_dim. */
static int vectors(const void *model, float **out, size_t *rows,
                   size_t *cols, const char **noun, kiln_error *err)
{
    const kiln__kmeans_model *m = model;
    *out = malloc((m->k * m->d + 1) * sizeof **out);
    if (*out == NULL)
        return kiln_error_nomem(err);
    memcpy(*out, m->centers, m->k * m->d * sizeof **out);
    *rows = m->k;
    *cols = m->d;
    *noun = "cluster";
    return KILN_OK;
}

static const kiln_format formats[] = {
    KILN_FORMAT_CSV,
    KILN_FORMAT_RECORDIO,
    KILN_FORMAT_UNKNOWN,
};

/* ---- helpers ------------------------------------------------------------ */

void kiln__kmeans_fmt(double v, char *buf, size_t size)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* local_lloyd_num_trials "auto": at least SageMaker's 10 restarts, and
 * more while the local step stays near 2^28 multiply-adds of the Gram
 * iterations (about 20 iterations of K^2 each per restart), at most 1000:
 * 1000 restarts for K = 100 (about 20 ms on Fashion-MNIST's 100 centers),
 * 13 for K = 1000, 10 from K = 1200 up.  On Fashion-MNIST (k = 10, six
 * seeds) 10 restarts leave the final inertia between -0.1% and +0.9% of
 * scikit-learn's single Lloyd run, 1000 between -0.6% and -0.2%. */
static size_t auto_trials(size_t K)
{
    double per = 20.0 * (double)K * (double)K;
    double t = floor(268435456.0 / (per > 1 ? per : 1));
    return t < 10 ? 10 : t > 1000 ? 1000 : (size_t)t;
}

static int read_params(const kiln_train_ctx *ctx, kiln__kmeans_params *p)
{
    const kiln_hparams *hp = ctx->hp;
    memset(p, 0, sizeof *p);
    p->k = (size_t)kiln_hp_int(hp, "k");
    p->d = (size_t)kiln_hp_int(hp, "feature_dim");
    size_t factor = kiln_hp_is(hp, "extra_center_factor", "auto")
                        ? 10
                        : (size_t)kiln_hp_int(hp, "extra_center_factor");
    /* saturates: K is lowered to the row count anyway */
    p->centers = factor > SIZE_MAX / p->k ? SIZE_MAX : p->k * factor;
    p->epochs = (size_t)kiln_hp_int(hp, "epochs");
    p->mini_batch_size = (size_t)kiln_hp_int(hp, "mini_batch_size");
    p->half_life_time_size = (size_t)kiln_hp_int(hp, "half_life_time_size");
    p->init = strcmp(kiln_hp_str(hp, "init_method"), "kmeans++") == 0
                  ? KILN__KMEANS_INIT_KMEANSPP
                  : KILN__KMEANS_INIT_RANDOM;
    p->local_init =
        strcmp(kiln_hp_str(hp, "local_lloyd_init_method"), "kmeans++") == 0
            ? KILN__KMEANS_INIT_KMEANSPP
            : KILN__KMEANS_INIT_RANDOM;
    p->local_max_iter = (size_t)kiln_hp_int(hp, "local_lloyd_max_iter");
    p->local_trials = kiln_hp_is(hp, "local_lloyd_num_trials", "auto")
                          ? 0 /* decided once K is known */
                          : (size_t)kiln_hp_int(hp, "local_lloyd_num_trials");
    p->local_tol = kiln_hp_float(hp, "local_lloyd_tol");
    p->threads = ctx->threads < 1 ? 1 : ctx->threads;
    p->seed = KILN__KMEANS_SEED;
    return KILN_OK;
}

/* The test channel's scores, in eval_metrics' order. */
static int score_test(const kiln_train_ctx *ctx, const kiln__kmeans_params *p,
                      const float *centers, kiln_error *err)
{
    if (ctx->test == NULL) {
        kiln_train_log(ctx, "Test data is not provided.");
        return KILN_OK;
    }
    size_t n = kiln_dataset_rows(ctx->test);
    kiln__kmeans_centers c;
    kiln__kmeans_rows rows = kiln__kmeans_rows_all(ctx->test);
    int rc = kiln__kmeans_centers_init(&c, centers, p->k, p->d,
                                       kiln_dataset_is_sparse(ctx->test), err);
    if (rc != KILN_OK)
        return rc;
    double ssd = 0;
    rc = kiln__kmeans_assign(&rows, p->d, &c, p->threads, ctx->cancel, NULL,
                             NULL, &ssd, err);
    kiln__kmeans_centers_fini(&c);
    if (rc != KILN_OK)
        return rc;
    double msd = n > 0 ? ssd / (double)n : 0;
    size_t count = kiln_hp_list_count(ctx->hp, "eval_metrics");
    for (size_t i = 0; i < count; i++) {
        const char *m = kiln_hp_list_item(ctx->hp, "eval_metrics", i);
        double v = strcmp(m, "ssd") == 0 ? ssd : msd;
        char text[40], name[16];
        kiln__kmeans_fmt(v, text, sizeof text);
        snprintf(name, sizeof name, "test:%s", m);
        kiln_train_log(ctx, "#quality_metric: host=algo-1, test %s <loss>=%s",
                       m, text);
        kiln_train_metric(ctx, name, -1, v);
    }
    return KILN_OK;
}

/* The K centers down to k (logging as SageMaker does). */
static int shrink(const kiln_train_ctx *ctx, const kiln__kmeans_params *p,
                  const float *centers, const double *counts, size_t K,
                  float *out, kiln_error *err)
{
    size_t trials = p->local_trials ? p->local_trials : auto_trials(K);
    double *losses = trials <= SIZE_MAX / sizeof(double)
                         ? malloc(trials * sizeof *losses)
                         : NULL;
    double best = 0;
    if (losses == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate the losses of %zu local Lloyd "
                              "restarts (%zu bytes)", trials,
                              trials * sizeof *losses);
    kiln_train_log(ctx, "shrinking %zu centers into %zu", K, p->k);
    kiln_train_progress(ctx, 0.9, "shrinking the centers");
    int rc = kiln__kmeans_local_lloyd(centers, counts, K, p->d, p->k,
                                      p->local_init, trials, p->local_max_iter,
                                      p->local_tol, p->seed ^ 0x10ca1,
                                      p->threads, ctx->cancel, false, out,
                                      losses, &best, err);
    if (rc == KILN_OK) {
        /* SageMaker's line per attempt; past 20 attempts, the first 10
         * and then one line for the rest, so that "auto" does not flood
         * the log */
        char text[40];
        size_t shown = trials <= 20 ? trials : 10;
        for (size_t t = 0; t < shown; t++)
            kiln_train_log(ctx, "local kmeans attempt #%zu. Current mean "
                           "square distance %f", t, losses[t]);
        if (shown < trials) {
            double low = losses[shown];
            for (size_t t = shown; t < trials; t++)
                low = losses[t] < low ? losses[t] : low;
            kiln_train_log(ctx, "local kmeans attempts #%zu to #%zu. Lowest "
                           "mean square distance %f", shown, trials - 1, low);
        }
        kiln__kmeans_fmt(best, text, sizeof text);
        kiln_train_log(ctx, "finished shrinking process. Mean Square "
                       "Distance = %s", text);
        kiln_train_log(ctx, "#quality_metric: host=algo-1, train msd "
                       "<loss>=%s", text);
    }
    free(losses);
    return rc;
}

static int train(const kiln_train_ctx *ctx, void **model, kiln_error *err)
{
    kiln__kmeans_params p;
    read_params(ctx, &p);
    int rc = kiln_algo_check_rows(ctx->train, "the train channel", p.d,
                                  "k-means", err);
    if (rc == KILN_OK && ctx->test != NULL)
        rc = kiln_algo_check_rows(ctx->test, "the test channel", p.d,
                                      "k-means", err);
    if (rc != KILN_OK)
        return rc;
    size_t n = kiln_dataset_rows(ctx->train);
    if (p.d > INT_MAX) /* BLAS takes int sizes */
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "feature_dim = %zu is more than kiln's k-means "
                              "takes (%d)", p.d, INT_MAX);
    if (n < p.k)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "k = %zu clusters need at least %zu rows; the "
                              "train channel has %zu", p.k, p.k, n);
    if (p.centers > n)
        kiln_train_log(ctx, "using %zu centers instead of %zu: the train "
                       "channel has %zu rows", n, p.centers, n);

    /* kiln's workers call OpenBLAS one block each: one BLAS thread apiece */
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    float *centers = NULL;
    float *final = p.k <= SIZE_MAX / sizeof(float) / p.d
                       ? malloc(p.k * p.d * sizeof *final)
                       : NULL;
    double *counts = NULL;
    size_t K = 0;
    if (final == NULL)
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate %zu bytes for %zu x %zu "
                            "centroids", p.k * p.d * sizeof *final, p.k, p.d);
    if (rc == KILN_OK)
        rc = kiln__kmeans_minibatch(ctx, ctx->train, &p, ctx->cancel, &centers,
                                    &counts, &K, err);
    if (rc == KILN_OK && K > p.k)
        rc = shrink(ctx, &p, centers, counts, K, final, err);
    else if (rc == KILN_OK)
        memcpy(final, centers, p.k * p.d * sizeof *final);
    if (rc == KILN_OK)
        rc = score_test(ctx, &p, final, err);
    openblas_set_num_threads(blas_threads);
    kiln__kmeans_model *m = NULL;
    if (rc == KILN_OK) {
        m = kiln__kmeans_model_new(final, p.k, p.d, err);
        rc = m != NULL ? KILN_OK : err->code;
    }
    if (rc == KILN_OK) {
        kiln_train_progress(ctx, 1.0, "done");
        *model = m;
    }
    free(centers);
    free(counts);
    free(final);
    return rc;
}

/* ---- the descriptor ----------------------------------------------------- */

const kiln_algo kiln_algo_kmeans = {
    .name = "kmeans",
    .title = "K-Means",
    .problem = "clustering",
    .summary =
        "Clusters unlabelled rows around k centroids with SageMaker's "
        "web-scale mini-batch k-means: k x extra_center_factor centers are "
        "seeded from the first mini-batch and moved by every mini-batch of "
        "every epoch, then a weighted Lloyd step (the best of several "
        "restarts) shrinks them to k.  Predictions give each row's closest "
        "cluster and its Euclidean distance to that centroid.",
    .flags = 0,
    .hparams = schema,
    .metrics = metrics,
    .channels = channels,
    .formats = formats,
    .outputs = "closest_cluster, distance_to_cluster",
    .response_key = "predictions",
    .request_types = kiln_first_party_requests,
    .response_types = kiln_first_party_responses,
    .response_fields = NULL,
    .check = NULL,
    .train = train,
    .features = kiln__kmeans_features,
    .predict = kiln__kmeans_predict,
    .save = kiln__kmeans_save,
    .load = kiln__kmeans_load,
    .vectors = vectors,
    .free = kiln__kmeans_model_free,
};
