/* Linear learner's artifact (algos/linear/linear_io.c, linear_json.c): the
 * member texts against SageMaker's published files, save -> load -> save,
 * loading an artifact built from SageMaker's own member texts, and corrupt
 * archives and members, each a DataError naming the member and what was
 * expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/linear/linear.h"
#include "algos/mxnet/ndarray.h"

#include <archive.h>
#include <archive_entry.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const kiln_algo kiln_algo_linear_learner;

/* A real SageMaker regressor's additional-params.json and manifest.json
 * (published with its model.tar.gz in a public repository). */
static const char real_params[] =
    "{\"threshold\": 0.5, \"loss_type\": \"squared_loss\", \"metrics_params\": "
    "{\"eps_insensitive_loss_type\": null, \"class_weights\": null, "
    "\"huber_delta\": null, \"quantile\": null, \"loss_insensitivity\": null, "
    "\"positive_example_weight_mult\": 1.0, \"accuracy_top_k\": 3, "
    "\"threshold\": 0.5, \"f_beta\": null, \"margin\": null}, "
    "\"predictor_type\": \"regressor\"}";
static const char real_manifest[] =
    "{\"additional-params.json\": \"json\", \"mx-mod\": \"mxnet_module\", "
    "\"version\": 1}";
/* ... and a real one-feature regressor's mx-mod-symbol.json */
static const char real_symbol[] =
    "{\n  \"nodes\": [\n    {\n      \"op\": \"null\", \n      \"name\": "
    "\"data\", \n      \"inputs\": []\n    }, \n    {\n      \"op\": \"null\", "
    "\n      \"name\": \"fc0_weight\", \n      \"attrs\": {\"__shape__\": \"(1, "
    "1)\"}, \n      \"inputs\": []\n    }, \n    {\n      \"op\": \"dot\", \n   "
    "   \"name\": \"dot47\", \n      \"inputs\": [[0, 0, 0], [1, 0, 0]]\n    }, "
    "\n    {\n      \"op\": \"null\", \n      \"name\": \"fc0_bias\", \n      "
    "\"attrs\": {\n        \"__lr_mult__\": \"10.0\", \n        \"__shape__\": "
    "\"(1, 1)\"\n      }, \n      \"inputs\": []\n    }, \n    {\n      "
    "\"op\": \"broadcast_add\", \n      \"name\": \"broadcast_plus47\", \n      "
    "\"inputs\": [[2, 0, 0], [3, 0, 0]]\n    }, \n    {\n      \"op\": "
    "\"null\", \n      \"name\": \"out_label\", \n      \"inputs\": []\n    }, "
    "\n    {\n      \"op\": \"LinearRegressionOutput\", \n      \"name\": "
    "\"linearregressionoutput47\", \n      \"inputs\": [[4, 0, 0], [5, 0, "
    "0]]\n    }\n  ], \n  \"arg_nodes\": [0, 1, 3, 5], \n  \"node_row_ptr\": "
    "[0, 1, 2, 3, 4, 5, 6, 7], \n  \"heads\": [[6, 0, 0]], \n  \"attrs\": "
    "{\"mxnet_version\": [\"int\", 10301]}\n}";

/* ---- helpers ------------------------------------------------------------ */

typedef struct member {
    const char *name;
    const void *data;
    size_t len;
} member;

static unsigned char zipbuf[1 << 20];

/* A ZIP of the given members, written by libarchive into zipbuf. */
static size_t make_zip(const member *m, size_t n)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_zip(a);
    size_t used = 0;
    assert_int_equal(archive_write_open_memory(a, zipbuf, sizeof zipbuf, &used),
                     ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_size(e, (la_int64_t)m[i].len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (m[i].len)
            assert_int_equal(archive_write_data(a, m[i].data, m[i].len),
                             (la_ssize_t)m[i].len);
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return used;
}

/* The params member of a (d, k) weight and (1, k) bias. */
static void params_member(kiln_buf *out, size_t d, size_t k, const float *w,
                          const float *b, const char *wname, const char *bname)
{
    kiln_ndarray_list l = {0};
    l.named = true;
    kiln_error err;
    kiln_error_init(&err);
    int64_t ws[2] = {(int64_t)d, (int64_t)k}, bs[2] = {1, (int64_t)k};
    assert_non_null(kiln_ndarray_list_add(&l, wname, KILN_ND_FLOAT32, 2, ws, w,
                                          &err));
    if (bname)
        assert_non_null(kiln_ndarray_list_add(&l, bname, KILN_ND_FLOAT32, 2, bs,
                                              b, &err));
    assert_int_equal(kiln_ndarray_encode(&l, out, &err), 0);
    kiln_ndarray_list_free(&l);
}

static int load(const member *m, size_t n, kiln__linear_model **out,
                kiln_error *err)
{
    size_t len = make_zip(m, n);
    kiln_error_init(err);
    *out = NULL;
    return kiln__linear_load_bytes(zipbuf, len, "model_algo-1", out, err);
}

static void expect_data_error(const member *m, size_t n, const char *message)
{
    kiln__linear_model *model;
    kiln_error err;
    int rc = load(m, n, &model, &err);
    assert_int_equal(rc, KILN_DATA);
    if (strncmp(err.message, message, strlen(message)) != 0)
        fail_msg("got \"%s\", expected \"%s...\"", err.message, message);
    assert_null(model);
}

static kiln__linear_model *sample_model(kiln__linear_predictor pred,
                                        kiln__linear_loss_kind kind, size_t d,
                                        size_t k)
{
    kiln__linear_loss loss = {kind, 1.0, 0.01, 0.5, 1.0};
    kiln_error err;
    kiln_error_init(&err);
    kiln__linear_model *m = kiln__linear_model_new(pred, &loss, d, k, &err);
    assert_non_null(m);
    for (size_t i = 0; i < d * k; i++)
        m->weight[i] = (float)sin(1.0 + (double)i) * 3;
    for (size_t i = 0; i < k; i++)
        m->bias[i] = (float)(0.25 * (double)i - 1);
    return m;
}

static char *tmp_dir(void)
{
    char *t = strdup("/tmp/kiln-linear-io-XXXXXX");
    if (t == NULL || mkdtemp(t) == NULL)
        abort(); /* no place for the test's files: nothing to test */
    return t;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* ---- the member texts ------------------------------------------------------ */

static void test_params_json_is_sagemakers(void **state)
{
    (void)state;
    kiln__linear_model *m =
        sample_model(KILN__LINEAR_REGRESSOR, KILN__LOSS_SQUARED, 2, 1);
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln__linear_params_json(m, &b), 0);
    assert_string_equal(kiln_buf_str(&b), real_params);
    kiln_buf_fini(&b);
    kiln__linear_model_free(m);

    m = sample_model(KILN__LINEAR_BINARY, KILN__LOSS_HINGE, 2, 1);
    m->threshold = -0.125;
    m->f_beta = 2.0;
    m->positive_example_weight_mult = 3.5;
    kiln_buf_init(&b);
    assert_int_equal(kiln__linear_params_json(m, &b), 0);
    assert_string_equal(
        kiln_buf_str(&b),
        "{\"threshold\": -0.125, \"loss_type\": \"hinge_loss\", "
        "\"metrics_params\": {\"eps_insensitive_loss_type\": null, "
        "\"class_weights\": null, \"huber_delta\": null, \"quantile\": null, "
        "\"loss_insensitivity\": null, \"positive_example_weight_mult\": 3.5, "
        "\"accuracy_top_k\": 3, \"threshold\": -0.125, \"f_beta\": 2.0, "
        "\"margin\": 1.0}, \"predictor_type\": \"binary_classifier\"}");
    kiln_buf_fini(&b);
    kiln__linear_model_free(m);
}

static void test_symbol_json_is_mxnets(void **state)
{
    (void)state;
    kiln__linear_model *m =
        sample_model(KILN__LINEAR_REGRESSOR, KILN__LOSS_SQUARED, 1, 1);
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln__linear_symbol_json(m, &b), 0);
    /* the real file, with MXNet's name counter at 0 */
    char want[sizeof real_symbol + 16];
    snprintf(want, sizeof want, "%s", real_symbol);
    for (char *p; (p = strstr(want, "47")) != NULL;)
        memmove(p, p + 1, strlen(p)), p[0] = '0';
    assert_string_equal(kiln_buf_str(&b), want);
    size_t at;
    assert_true(kiln__json_valid(b.data, b.len, &at));
    kiln_buf_fini(&b);
    kiln__linear_model_free(m);

    m = sample_model(KILN__LINEAR_MULTICLASS, KILN__LOSS_SOFTMAX, 784, 10);
    kiln_buf_init(&b);
    assert_int_equal(kiln__linear_symbol_json(m, &b), 0);
    assert_non_null(strstr(b.data, "\"attrs\": {\"__shape__\": \"(784, 10)\"}"));
    assert_non_null(strstr(b.data, "\"__shape__\": \"(1, 10)\""));
    assert_non_null(strstr(b.data, "\"op\": \"SoftmaxOutput\""));
    assert_true(kiln__json_valid(b.data, b.len, &at));
    kiln_buf_fini(&b);
    kiln__linear_model_free(m);

    m = sample_model(KILN__LINEAR_BINARY, KILN__LOSS_HINGE, 3, 1);
    kiln_buf_init(&b);
    assert_int_equal(kiln__linear_symbol_json(m, &b), 0);
    assert_non_null(strstr(b.data, "\"op\": \"SVMOutput\""));
    assert_non_null(strstr(b.data, "\"use_linear\": \"True\""));
    assert_true(kiln__json_valid(b.data, b.len, &at));
    kiln_buf_fini(&b);
    kiln__linear_model_free(m);
}

/* ---- save and load --------------------------------------------------------- */

static void round_trip(kiln__linear_model *m)
{
    char *dir = tmp_dir();
    kiln_error err;
    kiln_error_init(&err);
    const kiln_algo *a = &kiln_algo_linear_learner;
    assert_int_equal(a->save(m, dir, &err), 0);
    void *back = NULL;
    assert_int_equal(a->load(dir, &back, &err), 0);
    kiln__linear_model *b = back;
    assert_int_equal(b->predictor, m->predictor);
    assert_int_equal(b->loss.kind, m->loss.kind);
    assert_int_equal(b->features, m->features);
    assert_int_equal(b->outputs, m->outputs);
    assert_memory_equal(b->weight, m->weight,
                        m->features * m->outputs * sizeof(float));
    assert_memory_equal(b->bias, m->bias, m->outputs * sizeof(float));
    assert_true(b->threshold == m->threshold);
    assert_true(b->bias_lr_mult == m->bias_lr_mult);
    assert_int_equal(a->features(b), m->features);
    /* saving what was loaded gives the same bytes */
    char path[512], dir2path[512];
    snprintf(path, sizeof path, "%s/model_algo-1", dir);
    size_t n1, n2;
    unsigned char *first = read_file(path, &n1);
    char *dir2 = tmp_dir();
    assert_int_equal(a->save(b, dir2, &err), 0);
    snprintf(dir2path, sizeof dir2path, "%s/model_algo-1", dir2);
    unsigned char *second = read_file(dir2path, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(first, second, n1);
    /* the members, in SageMaker's order */
    struct archive *ar = archive_read_new();
    archive_read_support_format_zip(ar);
    assert_int_equal(archive_read_open_memory(ar, first, n1), ARCHIVE_OK);
    const char *names[] = {"additional-params.json", "manifest.json",
                           "mx-mod-symbol.json", "mx-mod-0000.params"};
    struct archive_entry *e;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(archive_read_next_header(ar, &e), ARCHIVE_OK);
        assert_string_equal(archive_entry_pathname(e), names[i]);
        if (i == 1) {
            char text[256] = {0};
            archive_read_data(ar, text, sizeof text - 1);
            assert_string_equal(text, real_manifest);
        }
    }
    assert_int_equal(archive_read_next_header(ar, &e), ARCHIVE_EOF);
    archive_read_free(ar);
    /* predictions agree */
    kiln_dataset *x = kiln_dataset_new(0, m->features);
    for (int r = 0; r < 5; r++) {
        float *row = kiln_dataset_push_dense(x, 0, 1, &err);
        for (size_t j = 0; j < m->features; j++)
            row[j] = (float)cos(r * 7.0 + (double)j);
    }
    kiln_predictions p1 = {0}, p2 = {0};
    assert_int_equal(a->predict(m, x, &p1, &err), 0);
    assert_int_equal(a->predict(b, x, &p2, &err), 0);
    assert_int_equal(p1.count, p2.count);
    for (size_t f = 0; f < p1.count; f++)
        assert_memory_equal(p1.fields[f].values, p2.fields[f].values,
                            p1.rows * p1.fields[f].width * sizeof(float));
    kiln_predictions_fini(&p1);
    kiln_predictions_fini(&p2);
    kiln_dataset_free(x);
    free(first);
    free(second);
    unlink(path);
    unlink(dir2path);
    rmdir(dir);
    rmdir(dir2);
    free(dir);
    free(dir2);
    a->free(b);
}

static void test_save_load_round_trip(void **state)
{
    (void)state;
    kiln__linear_model *m =
        sample_model(KILN__LINEAR_REGRESSOR, KILN__LOSS_HUBER, 7, 1);
    round_trip(m);
    kiln__linear_model_free(m);
    m = sample_model(KILN__LINEAR_BINARY, KILN__LOSS_LOGISTIC, 30, 1);
    m->threshold = 0.3713;
    m->f_beta = 1.0;
    round_trip(m);
    kiln__linear_model_free(m);
    m = sample_model(KILN__LINEAR_MULTICLASS, KILN__LOSS_SOFTMAX, 12, 5);
    m->class_weights = malloc(5 * sizeof(float));
    for (int i = 0; i < 5; i++)
        m->class_weights[i] = 0.5f + (float)i;
    m->f_beta = 0.5;
    m->accuracy_top_k = 2;
    round_trip(m);
    kiln__linear_model_free(m);
    m = sample_model(KILN__LINEAR_REGRESSOR, KILN__LOSS_EPS_ABSOLUTE, 3, 1);
    m->bias_lr_mult = 0;
    round_trip(m);
    kiln__linear_model_free(m);
}

static void test_loads_sagemakers_member_texts(void **state)
{
    (void)state;
    const float w[1] = {8.219234466552734f}, b[1] = {881.392578125f};
    kiln_buf params;
    kiln_buf_init(&params);
    params_member(&params, 1, 1, w, b, "arg:fc0_weight", "arg:fc0_bias");
    member m[] = {{"additional-params.json", real_params, sizeof real_params - 1},
                  {"manifest.json", real_manifest, sizeof real_manifest - 1},
                  {"mx-mod-symbol.json", real_symbol, sizeof real_symbol - 1},
                  {"mx-mod-0000.params", params.data, params.len}};
    kiln__linear_model *model;
    kiln_error err;
    assert_int_equal(load(m, 4, &model, &err), 0);
    assert_int_equal(model->predictor, KILN__LINEAR_REGRESSOR);
    assert_int_equal(model->features, 1);
    assert_float_equal(model->weight[0], w[0], 0);
    assert_float_equal(model->bias[0], b[0], 0);
    assert_float_equal(model->bias_lr_mult, 10, 0);
    /* 42 months of experience: weight * 42 + bias, as the real model did */
    kiln_dataset *x = kiln_dataset_new(0, 1);
    float *row = kiln_dataset_push_dense(x, 0, 1, &err);
    row[0] = 42;
    kiln_predictions p = {0};
    assert_int_equal(kiln__linear_predict(model, x, &p, &err), 0);
    assert_float_equal(p.fields[0].values[0], w[0] * 42 + b[0], 1e-3);
    kiln_predictions_fini(&p);
    kiln_dataset_free(x);
    kiln__linear_model_free(model);
    kiln_buf_fini(&params);
}

/* ---- corrupt artifacts ------------------------------------------------------ */

static void test_corrupt_artifacts(void **state)
{
    (void)state;
    const float w[2] = {1, 2}, b[1] = {3}, w2[4] = {1, 2, 3, 4}, b2[2] = {5, 6};
    kiln_buf params, wide, nobias;
    kiln_buf_init(&params);
    kiln_buf_init(&wide);
    kiln_buf_init(&nobias);
    params_member(&params, 2, 1, w, b, "arg:fc0_weight", "arg:fc0_bias");
    params_member(&wide, 2, 2, w2, b2, "arg:fc0_weight", "arg:fc0_bias");
    params_member(&nobias, 2, 1, w, b, "arg:fc0_weight", NULL);
    char sym2[sizeof real_symbol + 8];
    snprintf(sym2, sizeof sym2, "%s", real_symbol);
    /* the (1, 1) of fc0_weight becomes (2, 1) */
    memcpy(strstr(sym2, "(1, 1)"), "(2, 1)", 6);
    member good[] = {{"additional-params.json", real_params, sizeof real_params - 1},
                     {"manifest.json", real_manifest, sizeof real_manifest - 1},
                     {"mx-mod-symbol.json", sym2, strlen(sym2)},
                     {"mx-mod-0000.params", params.data, params.len}};
    kiln__linear_model *model;
    kiln_error err;
    assert_int_equal(load(good, 4, &model, &err), 0);
    kiln__linear_model_free(model);

    /* not a ZIP */
    kiln_error_init(&err);
    model = NULL;
    assert_int_equal(kiln__linear_load_bytes("not a zip at all", 16,
                                             "model_algo-1", &model, &err),
                     KILN_DATA);
    assert_true(strncmp(err.message,
                        "model_algo-1: not a ZIP archive (expected linear "
                        "learner's model, a ZIP of additional-params.json, "
                        "manifest.json, mx-mod-symbol.json and "
                        "mx-mod-0000.params): ",
                        120) == 0);
    /* a ZIP cut short */
    size_t len = make_zip(good, 4);
    kiln_error_init(&err);
    assert_int_equal(kiln__linear_load_bytes(zipbuf, len / 2, "model_algo-1",
                                             &model, &err),
                     KILN_DATA);
    assert_non_null(strstr(err.message, "model_algo-1: "));

    expect_data_error(good, 3,
                      "model_algo-1: the ZIP archive has no mx-mod-0000.params "
                      "(a linear learner model holds additional-params.json, "
                      "manifest.json, mx-mod-symbol.json and "
                      "mx-mod-0000.params)");
    member m[4];
    memcpy(m, good, sizeof m);
    m[1] = (member){"manifest.json", "{\"version\": 1}", 14};
    expect_data_error(m, 4,
                      "model_algo-1: manifest.json does not list \"mx-mod\": "
                      "\"mxnet_module\" (expected SageMaker's manifest of an "
                      "MXNet module checkpoint)");
    memcpy(m, good, sizeof m);
    m[0] = (member){"additional-params.json", "{\"threshold\": 0.5,", 18};
    expect_data_error(m, 4, "model_algo-1: additional-params.json is not "
                            "valid JSON (at byte ");
    m[0] = (member){"additional-params.json", "[1, 2]", 6};
    expect_data_error(m, 4, "model_algo-1: additional-params.json is not a "
                            "JSON object");
    const char *bad_pred = "{\"predictor_type\": \"ranker\"}";
    m[0] = (member){"additional-params.json", bad_pred, strlen(bad_pred)};
    expect_data_error(m, 4, "model_algo-1: additional-params.json has "
                            "predictor_type \"ranker\", expected "
                            "binary_classifier, multiclass_classifier or "
                            "regressor");
    const char *bad_thr =
        "{\"predictor_type\": \"regressor\", \"threshold\": \"high\"}";
    m[0] = (member){"additional-params.json", bad_thr, strlen(bad_thr)};
    expect_data_error(m, 4, "model_algo-1: additional-params.json has a value "
                            "of the wrong type");
    memcpy(m, good, sizeof m);
    m[3] = (member){"mx-mod-0000.params", params.data, params.len - 5};
    expect_data_error(m, 4, "model_algo-1: mx-mod-0000.params");
    m[3] = (member){"mx-mod-0000.params", nobias.data, nobias.len};
    expect_data_error(m, 4, "model_algo-1: mx-mod-0000.params has no "
                            "arg:fc0_bias (expected arg:fc0_weight and "
                            "arg:fc0_bias)");
    m[3] = (member){"mx-mod-0000.params", wide.data, wide.len};
    expect_data_error(m, 4, "model_algo-1: mx-mod-0000.params: arg:fc0_weight "
                            "must be a float array of shape (feature_dim, 1) "
                            "for a regressor");
    memcpy(m, good, sizeof m);
    m[2] = (member){"mx-mod-symbol.json", real_symbol, sizeof real_symbol - 1};
    expect_data_error(m, 4, "model_algo-1: mx-mod-symbol.json gives fc0_weight "
                            "the shape (1, 1), but mx-mod-0000.params holds "
                            "(2, 1)");
    m[2] = (member){"mx-mod-symbol.json", "{\"nodes\": []}", 13};
    expect_data_error(m, 4, "model_algo-1: mx-mod-symbol.json has no "
                            "fc0_weight node (expected linear learner's "
                            "symbol)");

    /* a directory without the file */
    char *dir = tmp_dir();
    void *v = NULL;
    kiln_error_init(&err);
    assert_int_equal(kiln_algo_linear_learner.load(dir, &v, &err), KILN_DATA);
    char want[512];
    snprintf(want, sizeof want, "cannot open %s/model_algo-1: No such file or "
             "directory (a linear learner model directory holds model_algo-1)",
             dir);
    assert_string_equal(err.message, want);
    rmdir(dir);
    free(dir);
    kiln_buf_fini(&params);
    kiln_buf_fini(&wide);
    kiln_buf_fini(&nobias);
}

/* ---- the JSON reader ------------------------------------------------------- */

static void test_json_reader(void **state)
{
    (void)state;
    const char *t = " {\"a\": [1, {\"b\": \"x\\\"y\"}, null], \"n\": -1.5e3, "
                    "\"s\": \"\\u0041b\"} ";
    size_t at;
    assert_true(kiln__json_valid(t, strlen(t), &at));
    kiln__json root = {strchr(t, '{'), strlen(strchr(t, '{')) - 1}, v, w;
    assert_true(kiln__json_member(root, "n", &v));
    double d;
    assert_true(kiln__json_number(v, &d));
    assert_float_equal(d, -1500, 0);
    assert_true(kiln__json_member(root, "a", &v));
    assert_true(kiln__json_index(v, 2, &w));
    assert_true(kiln__json_is_null(w));
    assert_true(kiln__json_index(v, 1, &w));
    assert_true(kiln__json_member(w, "b", &w));
    char s[16];
    assert_true(kiln__json_string(w, s, sizeof s));
    assert_string_equal(s, "x\"y");
    assert_true(kiln__json_member(root, "s", &v));
    assert_true(kiln__json_string(v, s, sizeof s));
    assert_string_equal(s, "Ab");
    assert_false(kiln__json_member(root, "missing", &v));
    const char *bad[] = {"{", "{\"a\" 1}", "[1,]", "{\"a\": 01}", "\"\\x\"",
                         "[1] 2", "", "nul", "{\"a\": 1,}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(kiln__json_valid(bad[i], strlen(bad[i]), &at));
    /* deep nesting is refused, not a stack overflow */
    static char deep[20001];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    assert_false(kiln__json_valid(deep, 20000, &at));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_json_is_sagemakers),
        cmocka_unit_test(test_symbol_json_is_mxnets),
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_loads_sagemakers_member_texts),
        cmocka_unit_test(test_corrupt_artifacts),
        cmocka_unit_test(test_json_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
