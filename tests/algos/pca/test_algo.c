/* Tests for the pca descriptor (algos/pca/pca_algo.c and pca_model.c): the
 * hyperparameter schema and its messages, training end to end (log lines,
 * metrics against sums computed here, fewer rows than components), data
 * errors, the interrupt, prediction against naive (x - mean) . v in
 * double, dense and sparse, and the artifact: what save writes (checked
 * against the §18 layout by a decoder written here), what load accepts (a
 * dict built here byte by byte, float64, mean of shape (d,)) and refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/algos/algo_test.h"

#include "algos/algo.h"
#include "algos/hparams.h"
#include "algos/pca/pca.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const kiln_algo kiln_algo_pca;
static const kiln_algo *A = &kiln_algo_pca;

/* ---- helpers ------------------------------------------------------------ */

static uint32_t lcg = 4242;

static double urand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (double)(lcg >> 8) / 16777216.0;
}

static double nrand(void)
{
    double u = urand() + 1e-9, v = urand();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}


/* n rows of d features with a decaying spectrum, an offset, and some
 * exact zeros. */
static float *make_rows(size_t n, size_t d)
{
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        double z[16];
        for (size_t c = 0; c < d; c++)
            z[c] = nrand() * 10.0 / (double)(c + 1);
        for (size_t j = 0; j < d; j++) {
            double s = 3.0 + (double)j;
            for (size_t c = 0; c < d; c++)
                s += z[c] * cos((double)((j + 1) * (c + 2)));
            x[i * d + j] = urand() < 0.2 ? 0.0f : (float)s;
        }
    }
    return x;
}

static int parse(kiln_hparams **hp, kiln_error *err, const char *pairs)
{
    return parse_pairs(A, hp, err, pairs);
}

typedef struct capture {
    char *lines[256];
    size_t nlines;
    struct {
        char name[48];
        int64_t step;
        double value;
    } metrics[256];
    size_t nmetrics;
    kiln_cancel *cancel_on_progress;
} capture;

static void on_log(void *data, const char *line)
{
    capture *c = data;
    if (c->nlines < 256)
        c->lines[c->nlines++] = strdup(line);
}

static void on_metric(void *data, const char *name, int64_t step, double v)
{
    capture *c = data;
    if (c->nmetrics < 256) {
        snprintf(c->metrics[c->nmetrics].name, 48, "%s", name);
        c->metrics[c->nmetrics].step = step;
        c->metrics[c->nmetrics++].value = v;
    }
}

static void on_progress(void *data, double done, const char *status)
{
    capture *c = data;
    (void)done;
    (void)status;
    if (c->cancel_on_progress != NULL)
        kiln_cancel_request(c->cancel_on_progress);
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
                 const kiln_dataset *test, kiln_cancel *cancel, capture *cap,
                 void **model, kiln_error *err)
{
    kiln_hparams *hp;
    int rc = parse(&hp, err, pairs);
    if (rc != KILN_OK)
        return rc;
    kiln_train_events ev = {.data = cap, .log = on_log, .metric = on_metric,
                            .progress = on_progress};
    kiln_train_ctx ctx = {.hp = hp, .train = tr, .test = test, .threads = 2,
                          .cancel = cancel, .events = cap ? &ev : NULL};
    *model = NULL;
    rc = A->train(&ctx, model, err);
    kiln_hparams_free(hp);
    return rc;
}

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kiln-pca-XXXXXX");
    return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, KILN__PCA_ARTIFACT);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

static char *artifact(void)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, KILN__PCA_ARTIFACT);
    return path;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)size + 1);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return b;
}

static void write_all(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* ---- an NDArray file by hand (builtin-algorithms.md §18) ---------------- */

typedef struct bytes {
    unsigned char b[1 << 16];
    size_t len;
} bytes;

static void put(bytes *o, const void *p, size_t n)
{
    assert_true(o->len + n <= sizeof o->b);
    memcpy(o->b + o->len, p, n);
    o->len += n;
}

static void put_u64(bytes *o, uint64_t v)
{
    unsigned char t[8];
    for (int i = 0; i < 8; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    put(o, t, 8);
}

static void put_u32(bytes *o, uint32_t v)
{
    unsigned char t[4];
    for (int i = 0; i < 4; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    put(o, t, 4);
}

/* One V2 dense record; flag 0 float32 (values from f), 1 float64, 4 int32. */
static void put_record(bytes *o, int ndim, const int64_t *shape, int flag,
                       const double *values)
{
    put_u32(o, 0xF993FAC9u);
    put_u32(o, 0);
    put_u32(o, (uint32_t)ndim);
    size_t count = 1;
    for (int i = 0; i < ndim; i++) {
        put_u64(o, (uint64_t)shape[i]);
        count *= (size_t)shape[i];
    }
    put_u32(o, 1);
    put_u32(o, 0);
    put_u32(o, (uint32_t)flag);
    for (size_t i = 0; i < count; i++) {
        if (flag == 0) {
            float f = (float)values[i];
            uint32_t u;
            memcpy(&u, &f, 4);
            put_u32(o, u);
        } else if (flag == 1) {
            uint64_t u;
            memcpy(&u, &values[i], 8);
            put_u64(o, u);
        } else {
            put_u32(o, (uint32_t)(int32_t)values[i]);
        }
    }
}

typedef struct hand_array {
    const char *name;
    int ndim;
    int64_t shape[2];
    int flag;
    const double *values;
} hand_array;

static void hand_file(const char *path, const hand_array *a, size_t n,
                      bool named)
{
    static bytes o;
    o.len = 0;
    put_u64(&o, 0x112);
    put_u64(&o, 0);
    put_u64(&o, n);
    for (size_t i = 0; i < n; i++)
        put_record(&o, a[i].ndim, a[i].shape, a[i].flag, a[i].values);
    put_u64(&o, named ? n : 0);
    for (size_t i = 0; named && i < n; i++) {
        put_u64(&o, strlen(a[i].name));
        put(&o, a[i].name, strlen(a[i].name));
    }
    write_all(path, o.b, o.len);
}

/* ---- hyperparameters ---------------------------------------------------- */

static void test_schema_defaults(void **state)
{
    (void)state;
    kiln_hparams *hp;
    kiln_error err;
    assert_int_equal(parse(&hp, &err, "feature_dim=4 mini_batch_size=10 "
                                      "num_components=2"),
                     KILN_OK);
    assert_int_equal(kiln_hp_int(hp, "feature_dim"), 4);
    assert_int_equal(kiln_hp_int(hp, "mini_batch_size"), 10);
    assert_int_equal(kiln_hp_int(hp, "num_components"), 2);
    assert_string_equal(kiln_hp_str(hp, "algorithm_mode"), "regular");
    assert_int_equal(kiln_hp_int(hp, "extra_components"), -1);
    assert_true(kiln_hp_bool(hp, "subtract_mean"));
    kiln_hparams_free(hp);
    size_t n = 0;
    for (const kiln_hp_spec *s = A->hparams; s->name != NULL; s++)
        n++;
    assert_int_equal(n, 6);
    /* what the SageMaker SDK sends */
    assert_int_equal(parse(&hp, &err,
                           "feature_dim=784 mini_batch_size=500 "
                           "num_components=784 algorithm_mode=randomized "
                           "subtract_mean=False extra_components=0"),
                     KILN_OK);
    assert_false(kiln_hp_bool(hp, "subtract_mean"));
    assert_int_equal(kiln_hp_int(hp, "extra_components"), 0);
    kiln_hparams_free(hp);
    assert_string_equal(A->name, "pca");
    assert_string_equal(A->response_key, "projections");
    assert_string_equal(A->outputs, "projection");
    assert_false(A->flags & KILN_ALGO_SUPERVISED);
    assert_true(kiln_algo_has_channel(A, "train"));
    assert_true(kiln_algo_has_channel(A, "test"));
    assert_false(kiln_algo_has_channel(A, "validation"));
    assert_true(kiln_algo_accepts(A, KILN_FORMAT_CSV));
    assert_true(kiln_algo_accepts(A, KILN_FORMAT_RECORDIO));
    assert_false(kiln_algo_accepts(A, KILN_FORMAT_LIBSVM));
    /* SageMaker documents no PCA metric: none to tune on */
    assert_null(A->metrics[0].name);
}

static void test_hyperparameter_errors(void **state)
{
    (void)state;
    static const struct {
        const char *pairs, *message;
    } cases[] = {
        {"feature_dim=4 mini_batch_size=10",
         "missing required hyperparameter 'num_components' (the number of "
         "principal components to compute, at most feature_dim)"},
        {"num_components=2 mini_batch_size=10",
         "missing required hyperparameter 'feature_dim' (the number of "
         "features in the input data)"},
        {"num_components=2 feature_dim=4",
         "missing required hyperparameter 'mini_batch_size' (rows per "
         "mini-batch (the SageMaker SDK sends 500))"},
        {"feature_dim=4 mini_batch_size=10 num_components=0",
         "num_components must be an integer ≥ 1, got '0'"},
        {"feature_dim=0 mini_batch_size=10 num_components=1",
         "feature_dim must be an integer ≥ 1, got '0'"},
        {"feature_dim=4 mini_batch_size=0 num_components=1",
         "mini_batch_size must be an integer ≥ 1, got '0'"},
        {"feature_dim=4 mini_batch_size=10 num_components=5",
         "num_components = 5 is more than feature_dim = 4: PCA finds at most "
         "feature_dim components"},
        {"feature_dim=4 mini_batch_size=10 num_components=2 "
         "algorithm_mode=fast",
         "algorithm_mode must be one of regular, randomized, got 'fast'"},
        {"feature_dim=4 mini_batch_size=10 num_components=2 "
         "extra_components=-2",
         "extra_components must be an integer ≥ -1, got '-2'"},
        {"feature_dim=4 mini_batch_size=10 num_components=2 "
         "subtract_mean=maybe",
         "subtract_mean must be true or false, got 'maybe'"},
        {"feature_dim=4 mini_batch_size=10 num_component=2",
         "unknown hyperparameter 'num_component' for pca (did you mean "
         "num_components?)"},
        {"feature_dim=4 mini_batch_size=10 num_components=2.5",
         "num_components must be an integer ≥ 1, got '2.5'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_hparams *hp;
        kiln_error err;
        assert_int_equal(parse(&hp, &err, cases[i].pairs), KILN_HYPERPARAMETER);
        assert_string_equal(err.message, cases[i].message);
        assert_null(hp);
    }
}

/* ---- training ----------------------------------------------------------- */

/* (x - mean) . v for one row, in double. */
static void naive_projection(const kiln__pca_model *m, const float *x,
                             double *out)
{
    for (size_t c = 0; c < m->k; c++) {
        double s = 0;
        for (size_t j = 0; j < m->d; j++)
            s += ((double)x[j] - (m->mean ? m->mean[j] : 0)) *
                 m->v[j * m->k + c];
        out[c] = s;
    }
}

static void test_train_logs_and_metrics(void **state)
{
    (void)state;
    size_t n = 800, nt = 300, d = 6, k = 3;
    float *x = make_rows(n, d), *xt = make_rows(nt, d);
    kiln_dataset *tr = dense_ds(x, n, d), *te = dense_ds(xt, nt, d);
    capture cap = {0};
    void *model;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=6 mini_batch_size=100 "
                           "num_components=3",
                           tr, te, NULL, &cap, &model, &err),
                     KILN_OK);
    const kiln__pca_model *m = model;
    assert_int_equal(m->d, d);
    assert_int_equal(m->k, k);
    assert_int_equal(A->features(model), d);
    assert_non_null(m->mean);
    /* SageMaker's lines */
    assert_non_null(find_line(&cap, "6 feature(s) found in 'data'."));
    assert_non_null(find_line(&cap, "#progress_metric: host=algo-1, "
                                    "completed 100 % of epochs"));
    assert_non_null(find_line(&cap, "#throughput_metric: host=algo-1, train "
                                    "throughput="));
    assert_null(find_line(&cap, "Test data is not provided."));
    /* kiln's own: the explained variance ratio, per component and summed */
    double mean[6] = {0}, total = 0, totalt = 0, keptt = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += x[i * d + j] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            total += pow(x[i * d + j] - mean[j], 2);
    for (size_t j = 0; j < d; j++)
        assert_true(fabs(m->mean[j] - mean[j]) < 1e-5 * (1 + fabs(mean[j])));
    double sum = 0;
    size_t steps = 0;
    for (size_t i = 0; i < cap.nmetrics; i++) {
        if (strcmp(cap.metrics[i].name, "train:explained_variance_ratio") != 0)
            continue;
        if (cap.metrics[i].step < 0) {
            assert_true(fabs(cap.metrics[i].value - sum) < 1e-12);
            continue;
        }
        size_t c = (size_t)cap.metrics[i].step;
        assert_int_equal(c, steps++);
        double s = m->s[k - 1 - c];
        assert_true(fabs(cap.metrics[i].value - s * s / total) < 1e-5);
        sum += cap.metrics[i].value;
    }
    assert_int_equal(steps, k);
    const char *q = find_line(&cap, "#quality_metric: host=algo-1, train "
                                    "explained_variance_ratio <score>=");
    assert_non_null(q);
    assert_true(fabs(strtod(strrchr(q, '=') + 1, NULL) - sum) < 1e-12);
    /* the test channel, computed here from the model */
    for (size_t i = 0; i < nt; i++) {
        double p[3];
        naive_projection(m, xt + i * d, p);
        for (size_t c = 0; c < k; c++)
            keptt += p[c] * p[c];
        for (size_t j = 0; j < d; j++)
            totalt += pow(xt[i * d + j] - m->mean[j], 2);
    }
    q = find_line(&cap, "#quality_metric: host=algo-1, test "
                        "explained_variance_ratio <score>=");
    assert_non_null(q);
    assert_true(fabs(strtod(strrchr(q, '=') + 1, NULL) - keptt / totalt) < 1e-6);
    bool seen = false;
    for (size_t i = 0; i < cap.nmetrics; i++)
        if (strcmp(cap.metrics[i].name, "test:explained_variance_ratio") == 0) {
            assert_int_equal(cap.metrics[i].step, -1);
            assert_true(fabs(cap.metrics[i].value - keptt / totalt) < 1e-6);
            seen = true;
        }
    assert_true(seen);
    /* ascending singular values */
    for (size_t c = 1; c < k; c++)
        assert_true(m->s[c] >= m->s[c - 1]);
    A->free(model);
    capture_free(&cap);

    /* without a test channel; randomized mode logs its sketch */
    assert_int_equal(train("feature_dim=6 mini_batch_size=100 "
                           "num_components=3 algorithm_mode=randomized",
                           tr, NULL, NULL, &cap, &model, &err),
                     KILN_OK);
    assert_non_null(find_line(&cap, "Test data is not provided."));
    assert_non_null(find_line(&cap, "randomized mode: a sketch of 6 columns "
                                    "(num_components 3 + extra_components 10, "
                                    "at most feature_dim)"));
    A->free(model);
    capture_free(&cap);
    kiln_dataset_free(tr);
    kiln_dataset_free(te);
    free(x);
    free(xt);
}

static void test_train_few_rows(void **state)
{
    (void)state;
    /* 3 rows centred span 2 dimensions: the third component has s = 0 */
    float x[] = {1, 2, 3, 4, 2, 0, 1, 1, 0, 5, 5, 1};
    kiln_dataset *tr = dense_ds(x, 3, 4);
    capture cap = {0};
    void *model;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=4 mini_batch_size=10 num_components=3",
                           tr, NULL, NULL, &cap, &model, &err),
                     KILN_OK);
    assert_non_null(find_line(&cap, "num_components = 3, but 3 rows centred "
                                    "on their mean span at most 2 "
                                    "dimensions"));
    const kiln__pca_model *m = model;
    assert_true(m->s[0] < 1e-2 && m->s[1] > 1 && m->s[2] > m->s[1]);
    A->free(model);
    capture_free(&cap);
    kiln_dataset_free(tr);
}

static void test_train_data_errors(void **state)
{
    (void)state;
    void *model;
    kiln_error err;
    float x[] = {1, 2, 3, 4, 5, NAN, 7, 8, 9};
    kiln_dataset *tr = dense_ds(x, 3, 3);
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=3 mini_batch_size=10 num_components=1",
                           tr, NULL, NULL, NULL, &model, &err),
                     KILN_DATA);
    assert_string_equal(err.message, "the train channel, row 2, column 3: a "
                                     "missing value (NaN); PCA needs finite "
                                     "numbers");
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=4 mini_batch_size=10 num_components=1",
                           tr, NULL, NULL, NULL, &model, &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "the train channel has 3 columns, feature_dim is 4");
    float ok[] = {1, 2, 3, 4, 5, 6};
    kiln_dataset *te = dense_ds(ok, 3, 2), *tr2 = dense_ds(ok, 2, 3);
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=3 mini_batch_size=10 num_components=1",
                           tr2, te, NULL, NULL, &model, &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "the test channel has 2 columns, feature_dim is 3");
    kiln_dataset *empty = kiln_dataset_new(0, 3);
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=3 mini_batch_size=10 num_components=1",
                           empty, NULL, NULL, NULL, &model, &err),
                     KILN_DATA);
    assert_string_equal(err.message, "the train channel has no rows; PCA "
                                     "needs at least one");
    /* a sparse row past feature_dim */
    kiln_dataset *sp = kiln_dataset_new(KILN_DATASET_SPARSE, 2);
    uint32_t idx = 5;
    float v = 1;
    kiln_dataset_push_sparse(sp, &idx, &v, 1, 0, 1, &err);
    kiln_error_init(&err);
    assert_int_equal(train("feature_dim=3 mini_batch_size=10 num_components=1",
                           sp, NULL, NULL, NULL, &model, &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "the train channel has 6 columns, feature_dim is 3");
    kiln_dataset_free(sp);
    kiln_dataset_free(empty);
    kiln_dataset_free(te);
    kiln_dataset_free(tr2);
    kiln_dataset_free(tr);
}

static void test_interrupt(void **state)
{
    (void)state;
    size_t n = 4000, d = 10;
    float *x = make_rows(n, d);
    kiln_dataset *tr = dense_ds(x, n, d);
    kiln_cancel cancel;
    const char *modes[] = {"regular", "randomized"};
    for (int i = 0; i < 2; i++) {
        kiln_cancel_init(&cancel);
        capture cap = {.cancel_on_progress = &cancel};
        char pairs[200];
        snprintf(pairs, sizeof pairs, "feature_dim=10 mini_batch_size=64 "
                 "num_components=2 algorithm_mode=%s", modes[i]);
        void *model;
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(train(pairs, tr, NULL, &cancel, &cap, &model, &err),
                         KILN_INTERRUPTED);
        assert_null(model);
        assert_string_equal(err.message, "training was interrupted");
        capture_free(&cap);
    }
    kiln_dataset_free(tr);
    free(x);
}

/* ---- prediction --------------------------------------------------------- */

static void test_predict_dense_sparse(void **state)
{
    (void)state;
    size_t n = 500, d = 7;
    float *x = make_rows(n, d);
    kiln_dataset *tr = dense_ds(x, n, d), *sp = sparse_ds(x, n, d);
    for (int centre = 0; centre <= 1; centre++) {
        void *model;
        kiln_error err;
        kiln_error_init(&err);
        char pairs[200];
        snprintf(pairs, sizeof pairs, "feature_dim=7 mini_batch_size=64 "
                 "num_components=4 subtract_mean=%s",
                 centre ? "true" : "false");
        assert_int_equal(train(pairs, tr, NULL, NULL, NULL, &model, &err),
                         KILN_OK);
        const kiln__pca_model *m = model;
        assert_true(centre ? m->mean != NULL : m->mean == NULL);
        kiln_predictions pd, ps;
        assert_int_equal(A->predict(model, tr, &pd, &err), KILN_OK);
        assert_int_equal(A->predict(model, sp, &ps, &err), KILN_OK);
        assert_int_equal(pd.rows, n);
        assert_int_equal(pd.count, 1);
        const kiln_pred_field *f = kiln_predictions_find(&pd, "projection");
        const kiln_pred_field *g = kiln_predictions_find(&ps, "projection");
        assert_non_null(f);
        assert_int_equal(f->width, 4);
        assert_true(f->vector);
        assert_false(f->integer);
        for (size_t i = 0; i < n; i++) {
            double want[4], scale = 1;
            naive_projection(m, x + i * d, want);
            for (size_t c = 0; c < 4; c++)
                scale = fmax(scale, fabs(want[c]));
            for (size_t c = 0; c < 4; c++) {
                assert_true(fabs(f->values[i * 4 + c] - want[c]) < 1e-5 * scale);
                assert_true(fabs(g->values[i * 4 + c] - want[c]) < 1e-5 * scale);
            }
        }
        kiln_predictions_fini(&pd);
        kiln_predictions_fini(&ps);
        /* a NaN in the input is refused */
        float bad[7] = {1, 2, 3, INFINITY, 5, 6, 7};
        kiln_dataset *b = dense_ds(bad, 1, 7);
        kiln_error_init(&err);
        assert_int_equal(A->predict(model, b, &pd, &err), KILN_DATA);
        assert_string_equal(err.message, "the input, row 1, column 4: an "
                                         "infinite value; PCA needs finite "
                                         "numbers");
        kiln_dataset_free(b);
        A->free(model);
    }
    kiln_dataset_free(tr);
    kiln_dataset_free(sp);
    free(x);
}

/* ---- the artifact ------------------------------------------------------- */

static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

/* Decode a dict file strictly (§18): V2 dense float32 records on cpu 0. */
typedef struct decoded {
    size_t count;
    char names[4][8];
    int ndim[4];
    int64_t shape[4][2];
    const float *data[4];
} decoded;

static void decode(const unsigned char *b, size_t len, decoded *o)
{
    assert_true(len >= 24);
    assert_int_equal(get_u64(b), 0x112);
    assert_int_equal(get_u64(b + 8), 0);
    o->count = (size_t)get_u64(b + 16);
    assert_true(o->count <= 4);
    size_t at = 24;
    for (size_t i = 0; i < o->count; i++) {
        assert_int_equal(get_u32(b + at), 0xF993FAC9u);
        assert_int_equal(get_u32(b + at + 4), 0);
        o->ndim[i] = (int)get_u32(b + at + 8);
        assert_true(o->ndim[i] == 1 || o->ndim[i] == 2);
        at += 12;
        size_t count = 1;
        for (int j = 0; j < o->ndim[i]; j++) {
            o->shape[i][j] = (int64_t)get_u64(b + at);
            count *= (size_t)o->shape[i][j];
            at += 8;
        }
        assert_int_equal(get_u32(b + at), 1);
        assert_int_equal(get_u32(b + at + 4), 0);
        assert_int_equal(get_u32(b + at + 8), 0);
        at += 12;
        o->data[i] = (const float *)(b + at);
        at += count * 4;
    }
    assert_int_equal(get_u64(b + at), o->count);
    at += 8;
    for (size_t i = 0; i < o->count; i++) {
        size_t n = (size_t)get_u64(b + at);
        assert_true(n < 8);
        memcpy(o->names[i], b + at + 8, n);
        o->names[i][n] = '\0';
        at += 8 + n;
    }
    assert_int_equal(at, len);
}

static void test_save_layout_and_load(void **state)
{
    (void)state;
    size_t n = 300, d = 5, k = 2;
    float *x = make_rows(n, d);
    kiln_dataset *tr = dense_ds(x, n, d);
    for (int centre = 1; centre >= 0; centre--) {
        void *model;
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(train(centre ? "feature_dim=5 mini_batch_size=64 "
                                        "num_components=2"
                                      : "feature_dim=5 mini_batch_size=64 "
                                        "num_components=2 subtract_mean=false",
                               tr, NULL, NULL, NULL, &model, &err),
                         KILN_OK);
        const kiln__pca_model *m = model;
        assert_int_equal(A->save(model, tmpdir, &err), KILN_OK);
        size_t len;
        unsigned char *b = read_all(artifact(), &len);
        decoded o;
        decode(b, len, &o);
        /* SageMaker's order: s, v, mean (mean only with subtract_mean) */
        assert_int_equal(o.count, centre ? 3 : 2);
        assert_string_equal(o.names[0], "s");
        assert_int_equal(o.ndim[0], 1);
        assert_int_equal(o.shape[0][0], k);
        assert_memory_equal(o.data[0], m->s, k * sizeof(float));
        assert_string_equal(o.names[1], "v");
        assert_int_equal(o.ndim[1], 2);
        assert_int_equal(o.shape[1][0], d);
        assert_int_equal(o.shape[1][1], k);
        assert_memory_equal(o.data[1], m->v, d * k * sizeof(float));
        if (centre) {
            assert_string_equal(o.names[2], "mean");
            assert_int_equal(o.ndim[2], 2);
            assert_int_equal(o.shape[2][0], 1);
            assert_int_equal(o.shape[2][1], d);
            assert_memory_equal(o.data[2], m->mean, d * sizeof(float));
        }
        free(b);
        /* save -> load -> predict: identical */
        void *back;
        assert_int_equal(A->load(tmpdir, &back, &err), KILN_OK);
        kiln_predictions p1, p2;
        assert_int_equal(A->predict(model, tr, &p1, &err), KILN_OK);
        assert_int_equal(A->predict(back, tr, &p2, &err), KILN_OK);
        assert_memory_equal(p1.fields[0].values, p2.fields[0].values,
                            n * k * sizeof(float));
        kiln_predictions_fini(&p1);
        kiln_predictions_fini(&p2);
        A->free(back);
        A->free(model);
    }
    kiln_dataset_free(tr);
    free(x);
}

static void test_load_hand_made(void **state)
{
    (void)state;
    /* float64 arrays, mean of shape (d,), names in another order, and a
     * name kiln does not know */
    const double v[] = {1, 0, 0, 1, 0, 0}; /* 3 x 2 */
    const double s[] = {2, 5};
    const double mean[] = {1, 2, 3};
    const double extra[] = {9};
    hand_array arrays[] = {
        {"mean", 1, {3, 0}, 1, mean},
        {"v", 2, {3, 2}, 1, v},
        {"note", 1, {1, 0}, 0, extra},
        {"s", 1, {2, 0}, 0, s},
    };
    hand_file(artifact(), arrays, 4, true);
    void *model;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(A->load(tmpdir, &model, &err), KILN_OK);
    assert_int_equal(A->features(model), 3);
    float row[] = {4, 7, 100};
    kiln_dataset *x = dense_ds(row, 1, 3);
    kiln_predictions p;
    assert_int_equal(A->predict(model, x, &p, &err), KILN_OK);
    assert_true(p.fields[0].width == 2);
    assert_true(p.fields[0].values[0] == 3 && p.fields[0].values[1] == 5);
    kiln_predictions_fini(&p);
    kiln_dataset_free(x);
    A->free(model);
}

static const double cv[] = {1, 0, 0, 1, 0, 0};
static const double cs[] = {2, 5};
static const double cmean[] = {1, 2, 3};
static const double cnan_s[] = {2, NAN};

static void test_load_corrupt(void **state)
{
    (void)state;
    char want[512];
    static const struct {
        hand_array a[3];
        size_t n;
        bool named;
        const char *message; /* after "<path>: " */
    } cases[] = {
        {{{"v", 2, {3, 2}, 0, cv}, {"s", 1, {2, 0}, 0, cs}}, 2, false,
         "an unnamed list of 2 arrays, expected a dict of PCA arrays 's', "
         "'v' and (with subtract_mean) 'mean'"},
        {{{"s", 1, {2, 0}, 0, cs}}, 1, true,
         "no array 'v', expected a dict of PCA arrays 's', 'v' and (with "
         "subtract_mean) 'mean'"},
        {{{"v", 2, {3, 2}, 0, cv}}, 1, true,
         "no array 's', expected a dict of PCA arrays 's', 'v' and (with "
         "subtract_mean) 'mean'"},
        {{{"v", 1, {6, 0}, 0, cv}, {"s", 1, {2, 0}, 0, cs}}, 2, true,
         "'v' has shape (6,), expected the components as (feature_dim, "
         "num_components), both >= 1"},
        {{{"v", 2, {3, 2}, 0, cv}, {"s", 1, {3, 0}, 0, cmean}}, 2, true,
         "'s' has shape (3,), expected (2,): one singular value per column "
         "of 'v'"},
        {{{"v", 2, {3, 2}, 0, cv}, {"s", 1, {2, 0}, 0, cs},
          {"mean", 2, {1, 2}, 0, cs}}, 3, true,
         "'mean' has shape (1, 2), expected (1, 3): one value per row of "
         "'v'"},
        {{{"v", 2, {3, 2}, 4, cv}, {"s", 1, {2, 0}, 0, cs}}, 2, true,
         "array 'v' has dtype int32, expected float32 (or float64)"},
        {{{"v", 2, {3, 2}, 0, cv}, {"s", 1, {2, 0}, 1, cnan_s}}, 2, true,
         "array 's', element 1 is nan, expected a finite float32"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hand_file(artifact(), cases[i].a, cases[i].n, cases[i].named);
        void *model = NULL;
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(A->load(tmpdir, &model, &err), KILN_DATA);
        assert_null(model);
        snprintf(want, sizeof want, "%s: %s", artifact(), cases[i].message);
        assert_string_equal(err.message, want);
    }
    /* truncated: the NDArray reader names the file */
    hand_array ok[] = {{"v", 2, {3, 2}, 0, cv}, {"s", 1, {2, 0}, 0, cs}};
    hand_file(artifact(), ok, 2, true);
    size_t len;
    unsigned char *b = read_all(artifact(), &len);
    write_all(artifact(), b, len - 3);
    free(b);
    void *model = NULL;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(A->load(tmpdir, &model, &err), KILN_DATA);
    assert_non_null(strstr(err.message, artifact()));
    /* missing */
    unlink(artifact());
    kiln_error_init(&err);
    assert_int_equal(A->load(tmpdir, &model, &err), KILN_IO);
    assert_non_null(strstr(err.message, "model_algo-1: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_defaults),
        cmocka_unit_test(test_hyperparameter_errors),
        cmocka_unit_test(test_train_logs_and_metrics),
        cmocka_unit_test(test_train_few_rows),
        cmocka_unit_test(test_train_data_errors),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_predict_dense_sparse),
        cmocka_unit_test(test_save_layout_and_load),
        cmocka_unit_test(test_load_hand_made),
        cmocka_unit_test(test_load_corrupt),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
