/* Tests for the kmeans descriptor (algos/kmeans/kmeans_algo.c and
 * kmeans_model.c): the hyperparameter schema and its messages, training
 * end to end (log lines, metrics against naive sums, determinism), data
 * errors, the interrupt, prediction against naive nearest centroids, and
 * the artifact: what save writes (checked against the §18 layout here),
 * what load accepts (a "bring your own model" file) and refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/algos/algo_test.h"

#include "algos/algo.h"
#include "algos/hparams.h"
#include "algos/kmeans/kmeans.h"
#include "algos/mxnet/ndarray.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const kiln_algo kiln_algo_kmeans;
static const kiln_algo *A = &kiln_algo_kmeans;

/* ---- helpers ----------------------------------------------------------- */

static uint32_t lcg = 777;

static float frand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (float)(lcg >> 8) / 16777216.0f;
}

static float gauss(void)
{
    float u = frand() + 1e-7f, v = frand();
    return sqrtf(-2 * logf(u)) * cosf(6.2831853f * v);
}


/* n rows around `b` centers 30 apart in d features (many exact zeros). */
static float *blobs(size_t n, size_t d, size_t b)
{
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            float base = j == (i % b) % d ? 30.0f * (float)(1 + (i % b) / d)
                                          : 0.0f;
            x[i * d + j] = frand() < 0.3f ? base : base + gauss();
        }
    return x;
}

static int parse(kiln_hparams **hp, kiln_error *err, const char *pairs)
{
    return parse_pairs(A, hp, err, pairs);
}

typedef struct capture {
    char *lines[4096];
    size_t nlines;
    struct {
        char name[32];
        int64_t step;
        double value;
    } metrics[256];
    size_t nmetrics;
} capture;

static void on_log(void *data, const char *line)
{
    capture *c = data;
    if (c->nlines < 4096)
        c->lines[c->nlines++] = strdup(line);
}

static void on_metric(void *data, const char *name, int64_t step, double v)
{
    capture *c = data;
    if (c->nmetrics < 256) {
        snprintf(c->metrics[c->nmetrics].name, 32, "%s", name);
        c->metrics[c->nmetrics].step = step;
        c->metrics[c->nmetrics++].value = v;
    }
}

static void capture_free(capture *c)
{
    for (size_t i = 0; i < c->nlines; i++)
        free(c->lines[i]);
    memset(c, 0, sizeof *c);
}

static const char *find_line(const capture *c, const char *prefix)
{
    for (size_t i = 0; i < c->nlines; i++)
        if (strncmp(c->lines[i], prefix, strlen(prefix)) == 0)
            return c->lines[i];
    return NULL;
}

static int train(const char *pairs, const kiln_dataset *tr,
                 const kiln_dataset *test, unsigned threads,
                 kiln_cancel *cancel, capture *cap, void **model,
                 kiln_error *err)
{
    kiln_hparams *hp;
    int rc = parse(&hp, err, pairs);
    if (rc != KILN_OK)
        return rc;
    kiln_train_events ev = {.data = cap, .log = on_log, .metric = on_metric};
    kiln_train_ctx ctx = {.hp = hp, .train = tr, .test = test,
                          .threads = threads, .cancel = cancel,
                          .events = cap ? &ev : NULL};
    *model = NULL;
    rc = A->train(&ctx, model, err);
    kiln_hparams_free(hp);
    return rc;
}

static double naive_nearest(const float *x, const float *c, size_t k,
                            size_t d, size_t *arg)
{
    double best = INFINITY;
    *arg = 0;
    for (size_t j = 0; j < k; j++) {
        double s = 0;
        for (size_t t = 0; t < d; t++) {
            double q = (double)x[t] - c[j * d + t];
            s += q * q;
        }
        if (s < best) {
            best = s;
            *arg = j;
        }
    }
    return best;
}

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kiln-kmeans-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, KILN__KMEANS_ARTIFACT);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

/* ---- hyperparameters ------------------------------------------------------ */

static void test_schema_defaults(void **state)
{
    (void)state;
    kiln_hparams *hp;
    kiln_error err;
    assert_int_equal(parse(&hp, &err, "k=3 feature_dim=4"), KILN_OK);
    assert_int_equal(kiln_hp_int(hp, "k"), 3);
    assert_int_equal(kiln_hp_int(hp, "feature_dim"), 4);
    assert_int_equal(kiln_hp_int(hp, "epochs"), 1);
    assert_int_equal(kiln_hp_list_count(hp, "eval_metrics"), 1);
    assert_string_equal(kiln_hp_list_item(hp, "eval_metrics", 0), "msd");
    assert_true(kiln_hp_is(hp, "extra_center_factor", "auto"));
    assert_int_equal(kiln_hp_int(hp, "half_life_time_size"), 0);
    assert_string_equal(kiln_hp_str(hp, "init_method"), "random");
    assert_string_equal(kiln_hp_str(hp, "local_lloyd_init_method"),
                        "kmeans++");
    assert_int_equal(kiln_hp_int(hp, "local_lloyd_max_iter"), 300);
    assert_true(kiln_hp_is(hp, "local_lloyd_num_trials", "auto"));
    assert_true(kiln_hp_float(hp, "local_lloyd_tol") == 0.0001);
    assert_int_equal(kiln_hp_int(hp, "mini_batch_size"), 5000);
    assert_true(kiln_hp_bool(hp, "force_dense"));
    kiln_hparams_free(hp);
    /* every schema entry was read above */
    size_t n = 0;
    for (const kiln_hp_spec *s = A->hparams; s->name != NULL; s++)
        n++;
    assert_int_equal(n, 13);
    /* what the SageMaker SDK sends */
    assert_int_equal(parse(&hp, &err,
                           "feature_dim=784 k=10 force_dense=True "
                           "mini_batch_size=500 eval_metrics=[\"msd\",\"ssd\"] "
                           "_tuning_objective_metric=test:msd "
                           "extra_center_factor=4 local_lloyd_num_trials=3"),
                     KILN_OK);
    assert_int_equal(kiln_hp_list_count(hp, "eval_metrics"), 2);
    kiln_hparams_free(hp);
    assert_string_equal(A->name, "kmeans");
    assert_false(A->flags & KILN_ALGO_SUPERVISED);
    assert_true(kiln_algo_has_channel(A, "train"));
    assert_true(kiln_algo_has_channel(A, "test"));
    assert_false(kiln_algo_has_channel(A, "validation"));
    assert_true(kiln_algo_accepts(A, KILN_FORMAT_CSV));
    assert_true(kiln_algo_accepts(A, KILN_FORMAT_RECORDIO));
    assert_false(kiln_algo_accepts(A, KILN_FORMAT_LIBSVM));
    assert_string_equal(A->metrics[0].name, "test:msd");
    assert_string_equal(A->metrics[0].regex,
                        "#quality_metric: host=\\S+, test msd <loss>=(\\S+)");
    assert_false(A->metrics[0].maximize);
    assert_string_equal(A->metrics[1].name, "test:ssd");
    assert_null(A->metrics[2].name);
}

static void test_hyperparameter_errors(void **state)
{
    (void)state;
    static const struct {
        const char *pairs, *message;
    } cases[] = {
        {"k=1 feature_dim=4", "k must be an integer ≥ 2, got '1'"},
        {"feature_dim=4", "missing required hyperparameter 'k' (the number "
                          "of clusters)"},
        {"k=3", "missing required hyperparameter 'feature_dim' (the number "
                "of features in the input data)"},
        {"k=3 feature_dim=0", "feature_dim must be an integer > 0, got '0'"},
        {"k=3 feature_dim=4 extra_center_factor=0",
         "extra_center_factor must be an integer > 0 or auto, got '0'"},
        {"k=3 feature_dim=4 local_lloyd_tol=2",
         "local_lloyd_tol must be a number in [0, 1], got '2'"},
        {"k=3 feature_dim=4 init_method=kmeans",
         "init_method must be one of random, kmeans++, got 'kmeans'"},
        {"k=3 feature_dim=4 eval_metrics=[\"mse\"]",
         "eval_metrics must be a list of msd, ssd, got '[\"mse\"]' ('mse' is "
         "not one)"},
        {"k=3 feature_dim=4 mini_batch_siz=10",
         "unknown hyperparameter 'mini_batch_siz' for kmeans (did you mean "
         "mini_batch_size?)"},
        {"k=3 feature_dim=4 local_lloyd_num_trials=0",
         "local_lloyd_num_trials must be an integer > 0 or auto, got '0'"},
        {"k=3 feature_dim=4 half_life_time_size=-1",
         "half_life_time_size must be an integer ≥ 0, got '-1'"},
        {"k=3 feature_dim=4 epochs=0", "epochs must be an integer > 0, got '0'"},
        {"k=3 feature_dim=4 local_lloyd_max_iter=0",
         "local_lloyd_max_iter must be an integer > 0, got '0'"},
        {"k=3 feature_dim=4 mini_batch_size=1.5",
         "mini_batch_size must be an integer > 0, got '1.5'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_hparams *hp;
        kiln_error err;
        assert_int_equal(parse(&hp, &err, cases[i].pairs), KILN_HYPERPARAMETER);
        assert_string_equal(err.message, cases[i].message);
        assert_null(hp);
    }
}

/* ---- training ----------------------------------------------------------------- */

static void test_train_blobs_logs_and_metrics(void **state)
{
    (void)state;
    size_t n = 2000, nt = 500, d = 6, k = 4;
    float *x = blobs(n, d, k), *xt = blobs(nt, d, k);
    kiln_dataset *tr = dense_ds(x, n, d), *te = dense_ds(xt, nt, d);
    capture cap = {0};
    void *model;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(train("k=4 feature_dim=6 epochs=3 mini_batch_size=300 "
                           "eval_metrics=[\"ssd\",\"msd\"]",
                           tr, te, 2, NULL, &cap, &model, &err),
                     KILN_OK);
    const kiln__kmeans_model *m = model;
    assert_int_equal(m->k, 4);
    assert_int_equal(m->d, 6);
    assert_int_equal(A->features(model), 6);
    /* one centroid per blob */
    for (size_t b = 0; b < k; b++) {
        float c[6] = {0};
        c[b] = 30;
        size_t arg;
        assert_true(naive_nearest(c, m->centers, k, d, &arg) < 0.1);
    }
    /* test msd and ssd against the naive sums, in eval_metrics' order */
    double ssd = 0;
    for (size_t i = 0; i < nt; i++) {
        size_t arg;
        ssd += naive_nearest(xt + i * d, m->centers, k, d, &arg);
    }
    const char *l_ssd = find_line(&cap, "#quality_metric: host=algo-1, test "
                                        "ssd <loss>=");
    const char *l_msd = find_line(&cap, "#quality_metric: host=algo-1, test "
                                        "msd <loss>=");
    assert_non_null(l_ssd);
    assert_non_null(l_msd);
    double v_ssd = strtod(strrchr(l_ssd, '=') + 1, NULL);
    double v_msd = strtod(strrchr(l_msd, '=') + 1, NULL);
    assert_true(fabs(v_ssd - ssd) <= 1e-5 * ssd);
    assert_true(fabs(v_msd - ssd / nt) <= 1e-5 * ssd / nt);
    size_t i_ssd = 0, i_msd = 0;
    for (size_t i = 0; i < cap.nmetrics; i++) {
        if (strcmp(cap.metrics[i].name, "test:ssd") == 0)
            i_ssd = i + 1;
        if (strcmp(cap.metrics[i].name, "test:msd") == 0)
            i_msd = i + 1;
    }
    assert_true(i_ssd > 0 && i_msd > i_ssd);
    assert_true(cap.metrics[i_ssd - 1].value == v_ssd);
    assert_int_equal(cap.metrics[i_msd - 1].step, -1);
    /* train:msd per epoch, steps 0..2 */
    int epochs = 0;
    for (size_t i = 0; i < cap.nmetrics; i++)
        if (strcmp(cap.metrics[i].name, "train:msd") == 0) {
            assert_int_equal(cap.metrics[i].step, epochs);
            assert_true(cap.metrics[i].value > 0);
            epochs++;
        }
    assert_int_equal(epochs, 3);
    /* SageMaker's lines */
    assert_non_null(find_line(&cap, "shrinking 40 centers into 4"));
    assert_non_null(find_line(&cap, "local kmeans attempt #0. Current mean "
                                    "square distance "));
    assert_non_null(find_line(&cap, "finished shrinking process. Mean Square "
                                    "Distance = "));
    assert_non_null(find_line(&cap, "#quality_metric: host=algo-1, train msd "
                                    "<loss>="));
    assert_non_null(find_line(&cap, "#quality_metric: host=algo-1, epoch=2, "
                                    "train msd <loss>="));
    assert_non_null(find_line(&cap, "#progress_metric: host=algo-1, "
                                    "completed 100 % of epochs"));
    assert_non_null(find_line(&cap, "#progress_metric: host=algo-1, "
                                    "completed 33.333333333333336 % of "
                                    "epochs"));
    assert_null(find_line(&cap, "Test data is not provided."));
    A->free(model);
    capture_free(&cap);

    /* without a test channel */
    assert_int_equal(train("k=4 feature_dim=6 local_lloyd_num_trials=3", tr,
                           NULL, 1, NULL, &cap, &model, &err), KILN_OK);
    assert_non_null(find_line(&cap, "Test data is not provided."));
    size_t attempts = 0;
    for (size_t i = 0; i < cap.nlines; i++)
        attempts += strncmp(cap.lines[i], "local kmeans attempt #", 22) == 0;
    assert_int_equal(attempts, 3);
    A->free(model);
    capture_free(&cap);
    /* past 20 attempts: the first 10, then one line for the rest */
    assert_int_equal(train("k=4 feature_dim=6 local_lloyd_num_trials=25", tr,
                           NULL, 1, NULL, &cap, &model, &err), KILN_OK);
    attempts = 0;
    for (size_t i = 0; i < cap.nlines; i++)
        attempts += strncmp(cap.lines[i], "local kmeans attempt #", 22) == 0;
    assert_int_equal(attempts, 10);
    assert_non_null(find_line(&cap, "local kmeans attempt #9. "));
    assert_non_null(find_line(&cap, "local kmeans attempts #10 to #24. Lowest "
                                    "mean square distance "));
    A->free(model);
    capture_free(&cap);
    kiln_dataset_free(tr);
    kiln_dataset_free(te);
    free(x);
    free(xt);
}

/* Same data and hyperparameters: the same model, whatever the threads;
 * sparse rows give the same model as their dense copy (up to rounding). */
static void test_train_deterministic(void **state)
{
    (void)state;
    size_t n = 3000, d = 7;
    float *x = blobs(n, d, 9);
    kiln_dataset *tr = dense_ds(x, n, d), *sp = sparse_ds(x, n, d);
    kiln_error err;
    kiln_error_init(&err);
    const char *hp = "k=5 feature_dim=7 mini_batch_size=700 epochs=2 "
                     "init_method=kmeans++";
    void *m1, *m2, *m3, *m4;
    assert_int_equal(train(hp, tr, NULL, 1, NULL, NULL, &m1, &err), KILN_OK);
    assert_int_equal(train(hp, tr, NULL, 4, NULL, NULL, &m2, &err), KILN_OK);
    assert_int_equal(train(hp, tr, NULL, 1, NULL, NULL, &m3, &err), KILN_OK);
    assert_int_equal(train(hp, sp, NULL, 3, NULL, NULL, &m4, &err), KILN_OK);
    const kiln__kmeans_model *a = m1, *b = m2, *c = m3, *s = m4;
    assert_memory_equal(a->centers, b->centers, 5 * 7 * sizeof(float));
    assert_memory_equal(a->centers, c->centers, 5 * 7 * sizeof(float));
    for (size_t i = 0; i < 5 * 7; i++)
        assert_true(fabsf(a->centers[i] - s->centers[i]) <= 1e-3f);
    A->free(m1);
    A->free(m2);
    A->free(m3);
    A->free(m4);
    kiln_dataset_free(tr);
    kiln_dataset_free(sp);
    free(x);
}

static void test_train_data_errors(void **state)
{
    (void)state;
    float x[4 * 5] = {0};
    for (size_t i = 0; i < 20; i++)
        x[i] = (float)i;
    kiln_dataset *five = dense_ds(x, 4, 5), *four = dense_ds(x, 5, 4);
    kiln_error err;
    void *model;
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4", five, NULL, 1, NULL, NULL,
                           &model, &err), KILN_DATA);
    assert_string_equal(err.message,
                        "the train channel has 5 columns, feature_dim is 4");
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4", four, five, 1, NULL, NULL,
                           &model, &err), KILN_DATA);
    assert_string_equal(err.message,
                        "the test channel has 5 columns, feature_dim is 4");
    /* a sparse channel may have fewer columns, not more */
    kiln_dataset *sp = sparse_ds(x, 4, 5);
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4", sp, NULL, 1, NULL, NULL,
                           &model, &err), KILN_DATA);
    assert_string_equal(err.message,
                        "the train channel has 5 columns, feature_dim is 4");
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=9", sp, NULL, 1, NULL, NULL,
                           &model, &err), KILN_OK);
    assert_int_equal(A->features(model), 9);
    A->free(model);
    /* fewer rows than clusters */
    kiln_error_init(&err);
    assert_int_equal(train("k=6 feature_dim=4", four, NULL, 1, NULL, NULL,
                           &model, &err), KILN_HYPERPARAMETER);
    assert_string_equal(err.message, "k = 6 clusters need at least 6 rows; "
                                     "the train channel has 5");
    /* NaN and infinities */
    x[2 * 4 + 2] = NAN;
    kiln_dataset *nan = dense_ds(x, 5, 4);
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4", nan, NULL, 1, NULL, NULL,
                           &model, &err), KILN_DATA);
    assert_string_equal(err.message, "the train channel, row 3, column 3: a "
                                     "missing value (NaN); k-means needs "
                                     "finite numbers");
    x[2 * 4 + 2] = -INFINITY;
    kiln_dataset *inf = sparse_ds(x, 5, 4);
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4", four, inf, 1, NULL, NULL,
                           &model, &err), KILN_DATA);
    assert_string_equal(err.message, "the test channel, row 3, column 3: an "
                                     "infinite value; k-means needs finite "
                                     "numbers");
    /* fewer rows than K: K drops to the row count, with a log line */
    capture cap = {0};
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4", four, NULL, 1, NULL, &cap,
                           &model, &err), KILN_OK);
    assert_non_null(find_line(&cap, "using 5 centers instead of 20: the "
                                    "train channel has 5 rows"));
    assert_non_null(find_line(&cap, "shrinking 5 centers into 2"));
    A->free(model);
    capture_free(&cap);
    /* K = k: no shrinking */
    kiln_error_init(&err);
    assert_int_equal(train("k=2 feature_dim=4 extra_center_factor=1", four,
                           NULL, 1, NULL, &cap, &model, &err), KILN_OK);
    assert_null(find_line(&cap, "shrinking"));
    A->free(model);
    capture_free(&cap);
    kiln_dataset_free(five);
    kiln_dataset_free(four);
    kiln_dataset_free(sp);
    kiln_dataset_free(nan);
    kiln_dataset_free(inf);
}

/* ---- interrupt ------------------------------------------------------------------ */

typedef struct run {
    const char *hp;
    const kiln_dataset *ds;
    kiln_cancel *cancel;
    int rc;
    kiln_error err;
    void *model;
} run;

static void *run_train(void *p)
{
    run *r = p;
    kiln_error_init(&r->err);
    r->rc = train(r->hp, r->ds, NULL, 2, r->cancel, NULL, &r->model, &r->err);
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Cancel 100 ms in; training must stop within a second (ten under
 * valgrind), in the mini-batch phase and in the local Lloyd step. */
static void test_interrupt_is_prompt(void **state)
{
    (void)state;
    bool slow = getenv("KILN_TEST_UNDER_VALGRIND") != NULL;
    size_t n = 4000, d = 20;
    float *x = blobs(n, d, 8);
    kiln_dataset *ds = dense_ds(x, n, d);
    const char *hps[2] = {
        "k=8 feature_dim=20 epochs=1000000 mini_batch_size=500",
        "k=20 feature_dim=20 extra_center_factor=50 "
        "local_lloyd_num_trials=1000000 local_lloyd_tol=0",
    };
    for (int i = 0; i < 2; i++) {
        kiln_cancel cancel;
        kiln_cancel_init(&cancel);
        run r = {.hp = hps[i], .ds = ds, .cancel = &cancel};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, run_train, &r), 0);
        struct timespec wait = {.tv_sec = slow ? 1 : 0,
                                .tv_nsec = slow ? 0 : 100000000};
        nanosleep(&wait, NULL);
        double t0 = now();
        kiln_cancel_request(&cancel);
        pthread_join(t, NULL);
        double waited = now() - t0;
        assert_int_equal(r.rc, KILN_INTERRUPTED);
        assert_string_equal(r.err.message, "training was interrupted");
        assert_null(r.model);
        if (waited > (slow ? 10.0 : 1.0))
            fail_msg("stopping took %.3f s", waited);
    }
    /* already cancelled: nothing happens */
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    kiln_cancel_request(&cancel);
    run r = {.hp = hps[0], .ds = ds, .cancel = &cancel};
    run_train(&r);
    assert_int_equal(r.rc, KILN_INTERRUPTED);
    kiln_dataset_free(ds);
    free(x);
}

/* ---- predict, save, load -------------------------------------------------------- */

static kiln__kmeans_model *fixed_model(void)
{
    float c[3 * 4] = {0, 0, 0, 0, 10, 0, 0, 0, 0, 10, 0, 5};
    kiln_error err;
    kiln_error_init(&err);
    return kiln__kmeans_model_new(c, 3, 4, &err);
}

static void test_predict_nearest(void **state)
{
    (void)state;
    kiln__kmeans_model *m = fixed_model();
    size_t n = 1000, d = 4;
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n * d; i++)
        x[i] = frand() < 0.4f ? 0.0f : 12 * frand() - 1;
    kiln_dataset *dense = dense_ds(x, n, d), *sp = sparse_ds(x, n, d);
    kiln_predictions p, q;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(A->predict(m, dense, &p, &err), KILN_OK);
    assert_int_equal(A->predict(m, sp, &q, &err), KILN_OK);
    assert_int_equal(p.rows, n);
    assert_int_equal(p.count, 2);
    const kiln_pred_field *cl = kiln_predictions_find(&p, "closest_cluster");
    const kiln_pred_field *di = kiln_predictions_find(&p,
                                                      "distance_to_cluster");
    assert_non_null(cl);
    assert_non_null(di);
    assert_string_equal(p.fields[0].name, "closest_cluster");
    assert_int_equal(cl->width, 1);
    assert_false(cl->vector);
    assert_false(cl->integer); /* SageMaker answers 1.0 */
    assert_int_equal(di->width, 1);
    const kiln_pred_field *cl2 = kiln_predictions_find(&q, "closest_cluster");
    const kiln_pred_field *di2 = kiln_predictions_find(&q,
                                                       "distance_to_cluster");
    for (size_t i = 0; i < n; i++) {
        size_t arg;
        double best = naive_nearest(x + i * d, m->centers, 3, d, &arg);
        float got = cl->values[i];
        assert_true(got == floorf(got) && got >= 0 && got < 3);
        if ((size_t)got != arg) {
            size_t other;
            double alt = naive_nearest(x + i * d,
                                       m->centers + (size_t)got * d, 1, d,
                                       &other);
            assert_true(fabs(alt - best) <= 1e-5 * best + 1e-6);
        }
        /* Euclidean distance, not squared */
        assert_true(fabs(di->values[i] - sqrt(best)) <=
                    1e-5 * sqrt(best) + 1e-6);
        assert_true(cl2->values[i] == got);
        assert_true(fabsf(di2->values[i] - di->values[i]) <=
                    1e-4f * di->values[i] + 1e-4f);
    }
    kiln_predictions_fini(&p);
    kiln_predictions_fini(&q);
    /* a NaN in the input */
    x[7] = NAN;
    kiln_dataset *bad = dense_ds(x, 3, d);
    assert_int_equal(A->predict(m, bad, &p, &err), KILN_DATA);
    assert_string_equal(err.message, "the input, row 2, column 4: a missing "
                                     "value (NaN); k-means needs finite "
                                     "numbers");
    kiln_dataset_free(bad);
    kiln_dataset_free(dense);
    kiln_dataset_free(sp);
    free(x);
    A->free(m);
}

static void artifact(char *path, size_t size)
{
    snprintf(path, size, "%s/%s", tmpdir, KILN__KMEANS_ARTIFACT);
}

static void test_save_layout_and_load(void **state)
{
    (void)state;
    kiln__kmeans_model *m = fixed_model();
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(A->save(m, tmpdir, &err), KILN_OK);
    char path[128];
    artifact(path, sizeof path);
    /* the bytes, per §18: header, one V2 record (3, 4) float32 on cpu, no
     * names */
    FILE *f = fopen(path, "rb");
    unsigned char b[256];
    size_t len = fread(b, 1, sizeof b, f);
    fclose(f);
    assert_int_equal(len, 24 + 4 + 4 + 4 + 16 + 8 + 4 + 48 + 8);
    static const unsigned char head[] = {
        0x12, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
        0, 0, 0xc9, 0xfa, 0x93, 0xf9, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0,
        0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(b, head, sizeof head);
    assert_memory_equal(b + sizeof head, m->centers, 48);
    static const unsigned char tail[8] = {0};
    assert_memory_equal(b + sizeof head + 48, tail, 8);
    void *back;
    assert_int_equal(A->load(tmpdir, &back, &err), KILN_OK);
    const kiln__kmeans_model *mb = back;
    assert_int_equal(mb->k, 3);
    assert_int_equal(mb->d, 4);
    assert_memory_equal(mb->centers, m->centers, 48);
    A->free(back);
    A->free(m);
}

/* What the bring-your-own-model notebook writes: mx.nd.save of a list of
 * one array; float64 when the centroids come from numpy unconverted. */
static void test_load_bring_your_own(void **state)
{
    (void)state;
    char path[128];
    artifact(path, sizeof path);
    double c[2 * 3] = {1.5, -2, 3, 0.25, 1e3, -7};
    int64_t shape[2] = {2, 3};
    kiln_error err;
    kiln_error_init(&err);
    for (int named = 0; named < 2; named++) {
        kiln_ndarray_list l = {0};
        assert_non_null(kiln_ndarray_list_add(&l, named ? "centroids" : NULL,
                                              KILN_ND_FLOAT64, 2, shape, c,
                                              &err));
        assert_int_equal(kiln_ndarray_save(path, &l, &err), KILN_OK);
        kiln_ndarray_list_free(&l);
        void *m;
        assert_int_equal(A->load(tmpdir, &m, &err), KILN_OK);
        const kiln__kmeans_model *km = m;
        assert_int_equal(km->k, 2);
        assert_int_equal(km->d, 3);
        for (size_t i = 0; i < 6; i++)
            assert_true(km->centers[i] == (float)c[i]);
        A->free(m);
    }
}

static void expect_load(const char *message_tail)
{
    void *m = NULL;
    kiln_error err;
    kiln_error_init(&err);
    char path[128], want[512];
    artifact(path, sizeof path);
    assert_int_equal(A->load(tmpdir, &m, &err), KILN_DATA);
    assert_null(m);
    snprintf(want, sizeof want, "%s: %s", path, message_tail);
    assert_string_equal(err.message, want);
}

static void save_list(const kiln_ndarray_list *l)
{
    char path[128];
    artifact(path, sizeof path);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_ndarray_save(path, l, &err), KILN_OK);
}

static void test_load_corrupt(void **state)
{
    (void)state;
    char path[128];
    artifact(path, sizeof path);
    kiln_error err;
    kiln_error_init(&err);
    void *m = NULL;
    unlink(path);
    assert_int_equal(A->load(tmpdir, &m, &err), KILN_IO);
    assert_non_null(strstr(err.message, "model_algo-1: cannot open"));

    /* not an NDArray file at all (a ZIP, as linear learner writes) */
    FILE *f = fopen(path, "wb");
    fputs("PK\3\4 this is a zip file, not an NDArray list", f);
    fclose(f);
    expect_load("byte 0: header 0x6968742004034B50, expected 0x112 (an "
                "MXNet NDArray file as mx.nd.save writes)");
}

static void test_load_wrong_arrays(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    float c[6] = {1, 2, 3, 4, 5, 6};
    int64_t s2[2] = {2, 3}, s1[1] = {6}, s0[2] = {0, 3};
    kiln_ndarray_list l = {0};
    kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 2, s2, c, &err);
    kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 2, s2, c, &err);
    save_list(&l);
    kiln_ndarray_list_free(&l);
    expect_load("2 arrays, expected one array of k-means centroids (k x "
                "feature_dim)");
    kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 1, s1, c, &err);
    save_list(&l);
    kiln_ndarray_list_free(&l);
    expect_load("an array of shape (6,), expected the k-means centroids as a "
                "2-D array (k x feature_dim) with k, feature_dim >= 1");
    kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 2, s0, NULL, &err);
    save_list(&l);
    kiln_ndarray_list_free(&l);
    expect_load("an array of shape (0, 3), expected the k-means centroids as "
                "a 2-D array (k x feature_dim) with k, feature_dim >= 1");
    int32_t ci[6] = {0};
    kiln_ndarray_list_add(&l, NULL, KILN_ND_INT32, 2, s2, ci, &err);
    save_list(&l);
    kiln_ndarray_list_free(&l);
    expect_load("centroids of dtype int32, expected float32 (or float64)");
    c[4] = NAN;
    kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 2, s2, c, &err);
    save_list(&l);
    kiln_ndarray_list_free(&l);
    expect_load("centroid 1, feature 1 is nan, expected a finite float32");
    double big[6] = {1, 2, 3, 4, 5, 1e300};
    kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT64, 2, s2, big, &err);
    save_list(&l);
    kiln_ndarray_list_free(&l);
    expect_load("centroid 1, feature 2 is 1e+300, expected a finite float32");
    /* a truncated file: the NDArray decoder's message, naming the file */
    char path[128];
    artifact(path, sizeof path);
    assert_int_equal(truncate(path, 70), 0);
    expect_load("byte 64, in array 0: truncated: shape (2, 3) of float64 "
                "needs 48 bytes of data, 6 left");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_defaults),
        cmocka_unit_test(test_hyperparameter_errors),
        cmocka_unit_test(test_train_blobs_logs_and_metrics),
        cmocka_unit_test(test_train_deterministic),
        cmocka_unit_test(test_train_data_errors),
        cmocka_unit_test(test_interrupt_is_prompt),
        cmocka_unit_test(test_predict_nearest),
        cmocka_unit_test(test_save_layout_and_load),
        cmocka_unit_test(test_load_bring_your_own),
        cmocka_unit_test(test_load_corrupt),
        cmocka_unit_test(test_load_wrong_arrays),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
