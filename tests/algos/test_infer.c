/* Tests for algos/infer.c: media types, Content-Type and Accept
 * negotiation, request decoding and response encoding in SageMaker's
 * inference formats, and one whole request through a fake algorithm.
 *
 * The oracles are independent of the code under test: expected bytes and
 * messages are written out by hand from infer.h's contract; RecordIO
 * requests are packed, and responses unpacked, with protobuf-c's generated
 * code for aialgs.data.Record (not kiln's reader or writer), with the
 * framing done by hand; JSON syntax errors are compared with what jansson
 * itself says about the same text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/infer.h"
#include "algos/data/record.pb-c.h"
#include "algos/data/writer.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a fake algorithm ---------------------------------------------------- */

/* predict gives, for row i: score = the sum of the row's features (absent
 * sparse entries 0, NaN kept), predicted_label = i % 2 (an integer field)
 * and, with `vector`, projection = [i, -i] (a vector field). */
typedef struct fake_model {
    size_t cols;
    int fail;    /* predict's status: KILN_OK to succeed */
    bool vector;
} fake_model;

static size_t fake_predict_calls;

static size_t fake_features(const void *model)
{
    return ((const fake_model *)model)->cols;
}

static int fake_predict(const void *model, const kiln_dataset *x,
                        kiln_predictions *out, kiln_error *err)
{
    const fake_model *m = model;
    fake_predict_calls++;
    assert_int_equal(kiln_dataset_cols(x), m->cols);
    if (m->fail != KILN_OK)
        return kiln_error_set(err, m->fail, "fake predict failed (%d)",
                              m->fail);
    kiln_predictions p;
    memset(&p, 0, sizeof p);
    p.rows = kiln_dataset_rows(x);
    float *score = kiln_predictions_add(&p, "score", 1, false, false, err);
    float *label =
        kiln_predictions_add(&p, "predicted_label", 1, false, true, err);
    float *proj = m->vector ? kiln_predictions_add(&p, "projection", 2, true,
                                                   false, err)
                            : NULL;
    assert_non_null(score);
    assert_non_null(label);
    for (size_t i = 0; i < p.rows; i++) {
        float s = 0;
        for (size_t j = 0; j < m->cols; j++)
            s += kiln_dataset_get(x, i, j, 0.0f);
        score[i] = s;
        label[i] = (float)(i % 2);
        if (proj != NULL) {
            proj[2 * i] = (float)i;
            proj[2 * i + 1] = -(float)i;
        }
    }
    *out = p;
    return KILN_OK;
}

static const kiln_algo fake = {
    .name = "fake",
    .response_key = "predictions",
    .request_types = kiln_first_party_requests,
    .response_types = kiln_first_party_responses,
    .response_fields = NULL,
    .features = fake_features,
    .predict = fake_predict,
};

/* Like XGBoost's descriptor: libsvm first, CSV answers first, score only,
 * and another key for the JSON list. */
static const kiln_media xgb_like_requests[] = {
    KILN_MEDIA_LIBSVM, KILN_MEDIA_CSV, KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};
static const kiln_media xgb_like_responses[] = {
    KILN_MEDIA_CSV, KILN_MEDIA_JSON, KILN_MEDIA_JSONLINES,
    KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};
static const char *const score_only[] = {"score", NULL};

static const kiln_algo fake_xgb = {
    .name = "fake-xgb",
    .response_key = "scores",
    .request_types = xgb_like_requests,
    .response_types = xgb_like_responses,
    .response_fields = score_only,
    .features = fake_features,
    .predict = fake_predict,
};

/* A descriptor whose response fields are reordered. */
static const char *const label_then_score[] = {"predicted_label", "score",
                                               NULL};
static const kiln_algo fake_reordered = {
    .name = "fake-reordered",
    .request_types = kiln_first_party_requests,
    .response_types = kiln_first_party_responses,
    .response_fields = label_then_score,
    .features = fake_features,
    .predict = fake_predict,
};

static kiln_infer_error new_error(void)
{
    kiln_infer_error e;
    e.status = 0;
    kiln_error_init(&e.err);
    return e;
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("'%s' does not contain '%s'", text, part);
}

/* ---- media types --------------------------------------------------------- */

static kiln_media parse_ok(const char *text)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_media m = (kiln_media)99;
    int rc = kiln_media_parse(text, &m, &err);
    if (rc != KILN_OK)
        fail_msg("'%s': %s", text ? text : "(null)", err.message);
    return m;
}

static void parse_fails(const char *text, const char *part)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_media m;
    assert_int_equal(kiln_media_parse(text, &m, &err), KILN_DATA);
    assert_int_equal(err.code, KILN_DATA);
    assert_contains(err.message, part);
}

static void test_media_mime(void **state)
{
    (void)state;
    assert_string_equal(kiln_media_mime(KILN_MEDIA_CSV), "text/csv");
    assert_string_equal(kiln_media_mime(KILN_MEDIA_LIBSVM), "text/libsvm");
    assert_string_equal(kiln_media_mime(KILN_MEDIA_JSON), "application/json");
    assert_string_equal(kiln_media_mime(KILN_MEDIA_JSONLINES),
                        "application/jsonlines");
    assert_string_equal(kiln_media_mime(KILN_MEDIA_RECORDIO),
                        "application/x-recordio-protobuf");
    assert_string_equal(kiln_media_mime(KILN_MEDIA_NONE), "");
}

static void test_media_spellings(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("text/csv"), KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("TEXT/CSV"), KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("  text/csv\t"), KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("text/libsvm"), KILN_MEDIA_LIBSVM);
    assert_int_equal(parse_ok("text/x-libsvm"), KILN_MEDIA_LIBSVM);
    assert_int_equal(parse_ok("application/json"), KILN_MEDIA_JSON);
    assert_int_equal(parse_ok("Application/JSON"), KILN_MEDIA_JSON);
    assert_int_equal(parse_ok("application/jsonlines"), KILN_MEDIA_JSONLINES);
    assert_int_equal(parse_ok("application/x-jsonlines"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(parse_ok("application/x-recordio-protobuf"),
                     KILN_MEDIA_RECORDIO);
    /* no type, or a wildcard: NONE */
    assert_int_equal(parse_ok(NULL), KILN_MEDIA_NONE);
    assert_int_equal(parse_ok(""), KILN_MEDIA_NONE);
    assert_int_equal(parse_ok("*/*"), KILN_MEDIA_NONE);
    assert_int_equal(parse_ok("text/*"), KILN_MEDIA_NONE);
    assert_int_equal(parse_ok("application/*"), KILN_MEDIA_NONE);

    parse_fails("image/png", "unknown media type 'image/png'");
    parse_fails("text/plain", "unknown media type 'text/plain'");
    parse_fails("application/json-seq", "'application/json-seq'");
    parse_fails("text/csvx", "'text/csvx'");
    parse_fails("image/*", "'image/*'");
    parse_fails("text/csv/x", "'text/csv/x'");
}

static void test_media_parameters(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("text/csv; charset=utf-8"), KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("text/csv;charset=UTF-8"), KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("application/json; charset=\"utf-8\""),
                     KILN_MEDIA_JSON);
    assert_int_equal(parse_ok("application/json;verbose=true"),
                     KILN_MEDIA_JSON);
    assert_int_equal(parse_ok("application/jsonlines; verbose=false"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(parse_ok("text/csv;label_size=0"), KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("text/csv; label_size=0; charset=utf-8"),
                     KILN_MEDIA_CSV);
    assert_int_equal(parse_ok("application/x-recordio-protobuf; charset=utf-8"),
                     KILN_MEDIA_RECORDIO);

    /* inference has no label: label_size=1 is refused, by name */
    parse_fails("text/csv;label_size=1", "label_size=1");
    parse_fails("text/csv; label_size=2", "label_size=2");
    /* label_size is CSV's */
    parse_fails("application/json; label_size=0", "label_size=0");
    parse_fails("text/csv; header=present", "header=present");
    parse_fails("text/csv; charset=latin-1", "charset=latin-1");
    parse_fails("application/json; verbose=maybe", "verbose=maybe");
    parse_fails("application/json; q=2", "q=2");
    parse_fails("application/json; q=abc", "q=abc");
    parse_fails("application/json; boundary", "boundary");
    /* the type's name comes first, before its parameters */
    parse_fails("image/png; charset=utf-8", "'image/png'");
}

/* ---- Content-Type -------------------------------------------------------- */

static const char *const FIRST_PARTY_READS =
    "text/csv, application/json, application/jsonlines, "
    "application/x-recordio-protobuf";
static const char *const FIRST_PARTY_ANSWERS =
    "application/json, application/jsonlines, text/csv, "
    "application/x-recordio-protobuf";

static kiln_media request_ok(const kiln_algo *a, const char *ct)
{
    kiln_infer_error e = new_error();
    kiln_media m = (kiln_media)99;
    int rc = kiln_infer_request_type(a, ct, &m, &e);
    if (rc != KILN_OK)
        fail_msg("Content-Type '%s': %d %s", ct ? ct : "(null)", e.status,
                 e.err.message);
    return m;
}

static void request_fails(const kiln_algo *a, const char *ct,
                          const char *reads)
{
    kiln_infer_error e = new_error();
    kiln_media m;
    assert_int_not_equal(kiln_infer_request_type(a, ct, &m, &e), KILN_OK);
    assert_int_equal(e.status, 415);
    assert_int_equal(e.err.code, KILN_DATA);
    char want[512];
    snprintf(want, sizeof want, "'%s'", ct);
    assert_contains(e.err.message, want);
    assert_contains(e.err.message, a->name);
    assert_contains(e.err.message, reads);
}

static void test_request_type(void **state)
{
    (void)state;
    /* no Content-Type: the algorithm's first request type */
    assert_int_equal(request_ok(&fake, NULL), KILN_MEDIA_CSV);
    assert_int_equal(request_ok(&fake, ""), KILN_MEDIA_CSV);
    assert_int_equal(request_ok(&fake_xgb, NULL), KILN_MEDIA_LIBSVM);
    assert_int_equal(request_ok(&fake_xgb, ""), KILN_MEDIA_LIBSVM);

    assert_int_equal(request_ok(&fake, "text/csv"), KILN_MEDIA_CSV);
    assert_int_equal(request_ok(&fake, "text/csv; label_size=0"),
                     KILN_MEDIA_CSV);
    assert_int_equal(request_ok(&fake, "application/json; charset=utf-8"),
                     KILN_MEDIA_JSON);
    assert_int_equal(request_ok(&fake, "application/jsonlines"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(request_ok(&fake, "application/x-recordio-protobuf"),
                     KILN_MEDIA_RECORDIO);
    assert_int_equal(request_ok(&fake_xgb, "text/x-libsvm"),
                     KILN_MEDIA_LIBSVM);
    assert_int_equal(request_ok(&fake_xgb, "text/csv"), KILN_MEDIA_CSV);

    /* 415 listing what the algorithm reads */
    request_fails(&fake, "text/libsvm", FIRST_PARTY_READS);
    request_fails(&fake, "image/png", FIRST_PARTY_READS);
    request_fails(&fake, "text/csv;label_size=1", FIRST_PARTY_READS);
    request_fails(&fake, "application/json; foo=bar", FIRST_PARTY_READS);
    request_fails(&fake_xgb, "application/json",
                  "text/libsvm, text/csv, application/x-recordio-protobuf");
    request_fails(&fake_xgb, "application/jsonlines",
                  "text/libsvm, text/csv, application/x-recordio-protobuf");
}

static void test_request_type_xgboost(void **state)
{
    (void)state;
    const kiln_algo *xgb = kiln_algo_find("xgboost", 7);
    assert_non_null(xgb);
    assert_int_equal(request_ok(xgb, NULL), KILN_MEDIA_LIBSVM);
    assert_int_equal(request_ok(xgb, "text/csv"), KILN_MEDIA_CSV);
    request_fails(xgb, "application/json",
                  "text/libsvm, text/csv, application/x-recordio-protobuf");
    const kiln_algo *km = kiln_algo_find("kmeans", 6);
    assert_non_null(km);
    assert_int_equal(request_ok(km, NULL), KILN_MEDIA_CSV);
}

/* ---- Accept -------------------------------------------------------------- */

static kiln_media response_ok(const kiln_algo *a, const char *accept)
{
    kiln_infer_error e = new_error();
    kiln_media m = (kiln_media)99;
    int rc = kiln_infer_response_type(a, accept, &m, &e);
    if (rc != KILN_OK)
        fail_msg("Accept '%s': %d %s", accept ? accept : "(null)", e.status,
                 e.err.message);
    return m;
}

static void response_fails(const kiln_algo *a, const char *accept,
                           const char *answers)
{
    kiln_infer_error e = new_error();
    kiln_media m;
    assert_int_not_equal(kiln_infer_response_type(a, accept, &m, &e),
                         KILN_OK);
    assert_int_equal(e.status, 406);
    assert_int_equal(e.err.code, KILN_DATA);
    char want[512];
    snprintf(want, sizeof want, "'%s'", accept);
    assert_contains(e.err.message, want);
    assert_contains(e.err.message, answers);
}

static void test_response_defaults(void **state)
{
    (void)state;
    assert_int_equal(response_ok(&fake, NULL), KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake, ""), KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake, "  "), KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake, "*/*"), KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake, "text/*"), KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake, "application/*"), KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake_xgb, NULL), KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake_xgb, "*/*"), KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake_xgb, "application/*"),
                     KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake_xgb, "text/*"), KILN_MEDIA_CSV);

    const kiln_algo *xgb = kiln_algo_find("xgboost", 7);
    assert_non_null(xgb);
    assert_int_equal(response_ok(xgb, NULL), KILN_MEDIA_CSV);
    assert_int_equal(response_ok(xgb, "application/json"), KILN_MEDIA_JSON);
}

static void test_response_lists(void **state)
{
    (void)state;
    assert_int_equal(response_ok(&fake, "text/csv"), KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake, "application/jsonlines"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(response_ok(&fake, "application/x-recordio-protobuf"),
                     KILN_MEDIA_RECORDIO);
    assert_int_equal(response_ok(&fake, "application/json; verbose=true"),
                     KILN_MEDIA_JSON);
    assert_int_equal(response_ok(&fake, "text/csv; charset=utf-8"),
                     KILN_MEDIA_CSV);
    /* equal q: the first listed */
    assert_int_equal(response_ok(&fake, "text/csv, application/json"),
                     KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake, "application/jsonlines,text/csv"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(
        response_ok(&fake, "text/csv;q=0.5, application/jsonlines;q=0.5"),
        KILN_MEDIA_CSV);
    /* the highest q wins, wherever it is */
    assert_int_equal(response_ok(&fake, "application/json;q=0.5, text/csv"),
                     KILN_MEDIA_CSV);
    assert_int_equal(
        response_ok(&fake, "text/csv;q=0.2, application/x-recordio-protobuf;"
                           "q=0.9, application/jsonlines;q=0.4"),
        KILN_MEDIA_RECORDIO);
    assert_int_equal(response_ok(&fake, "text/csv; q=\"0.3\", "
                                        "application/jsonlines; q=0.25"),
                     KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake, "text/csv;q=1.0, */*;q=0.1"),
                     KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake, "*/*;q=0.1, text/csv;q=0.5"),
                     KILN_MEDIA_CSV);
    /* types kiln does not know (or cannot parse) are passed over */
    assert_int_equal(response_ok(&fake, "image/png, application/jsonlines"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(response_ok(&fake, "text/html;q=1, text/csv;q=0.1"),
                     KILN_MEDIA_CSV);
    assert_int_equal(
        response_ok(&fake, "application/json;verbose=maybe, text/csv"),
        KILN_MEDIA_CSV);
    /* a type the algorithm does not answer with is passed over */
    assert_int_equal(response_ok(&fake, "text/libsvm, text/csv;q=0.1"),
                     KILN_MEDIA_CSV);
    assert_int_equal(response_ok(&fake, ", , text/csv,"), KILN_MEDIA_CSV);
    /* q=0: not acceptable */
    assert_int_equal(response_ok(&fake, "text/csv;q=0, application/json;q=0.1"),
                     KILN_MEDIA_JSON);
    /* ... even when a wildcard would cover it */
    assert_int_equal(response_ok(&fake, "application/json;q=0, */*"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(response_ok(&fake, "*/*, application/json;q=0"),
                     KILN_MEDIA_JSONLINES);
    assert_int_equal(response_ok(&fake_xgb, "text/csv;q=0, */*"),
                     KILN_MEDIA_JSON);
}

static void test_response_406(void **state)
{
    (void)state;
    response_fails(&fake, "image/png", FIRST_PARTY_ANSWERS);
    response_fails(&fake, "text/libsvm", FIRST_PARTY_ANSWERS);
    response_fails(&fake, "text/csv;q=0", FIRST_PARTY_ANSWERS);
    response_fails(&fake, "*/*;q=0", FIRST_PARTY_ANSWERS);
    response_fails(&fake, "image/*", FIRST_PARTY_ANSWERS);
    response_fails(&fake, "text/csv;label_size=1", FIRST_PARTY_ANSWERS);
    response_fails(&fake, "text/html, image/png;q=0.5", FIRST_PARTY_ANSWERS);
    /* text/csv is the only text/ answer, and it is excluded */
    response_fails(&fake, "text/csv;q=0, text/*", FIRST_PARTY_ANSWERS);
    response_fails(&fake_xgb, "text/libsvm",
                   "text/csv, application/json, application/jsonlines, "
                   "application/x-recordio-protobuf");
}

/* ---- decoding ------------------------------------------------------------ */

static kiln_dataset *decode_ok(kiln_media m, const char *body, size_t cols)
{
    kiln_infer_error e = new_error();
    kiln_dataset *ds = NULL;
    int rc = kiln_infer_decode(m, body, strlen(body), cols, &ds, &e);
    if (rc != KILN_OK)
        fail_msg("decoding '%s': %d %s", body, e.status, e.err.message);
    assert_non_null(ds);
    assert_int_equal(kiln_dataset_cols(ds), cols);
    return ds;
}

static void decode_fails_n(kiln_media m, const void *body, size_t len,
                           size_t cols, int status, const char *part)
{
    kiln_infer_error e = new_error();
    kiln_dataset *ds = (kiln_dataset *)(uintptr_t)1; /* untouched on error */
    assert_int_not_equal(kiln_infer_decode(m, body, len, cols, &ds, &e),
                         KILN_OK);
    assert_ptr_equal(ds, (kiln_dataset *)(uintptr_t)1);
    assert_int_equal(e.status, status);
    assert_int_not_equal(e.err.code, KILN_OK);
    assert_true(e.err.message[0] != '\0');
    if (part != NULL)
        assert_contains(e.err.message, part);
}

static void decode_fails(kiln_media m, const char *body, size_t cols,
                         const char *part)
{
    decode_fails_n(m, body, strlen(body), cols, 400, part);
}

/* ds is dense with these rows x cols values (NaN matches NaN). */
static void assert_dense(const kiln_dataset *ds, const float *want,
                         size_t rows, size_t cols)
{
    assert_false(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), rows);
    assert_int_equal(kiln_dataset_cols(ds), cols);
    const float *x = kiln_dataset_dense(ds);
    assert_non_null(x);
    for (size_t i = 0; i < rows * cols; i++) {
        if (isnan(want[i]))
            assert_true(isnan(x[i]));
        else if (x[i] != want[i])
            fail_msg("value %zu: %g, expected %g", i, (double)x[i],
                     (double)want[i]);
    }
}

static void check_dense(kiln_media m, const char *body, size_t cols,
                        const float *want, size_t rows)
{
    kiln_dataset *ds = decode_ok(m, body, cols);
    assert_dense(ds, want, rows, cols);
    kiln_dataset_free(ds);
}

static void test_decode_json_dense(void **state)
{
    (void)state;
    const float two[] = {1.5f, 16.0f, 2.0f, -3.0f};
    check_dense(KILN_MEDIA_JSON,
                "{\"instances\": [{\"features\": [1.5, 16.0]}, "
                "{\"features\": [2, -3]}]}",
                2, two, 2);
    check_dense(KILN_MEDIA_JSON,
                "{\"instances\": [{\"data\": {\"features\": {\"values\": "
                "[1.5, 16]}}}, {\"data\": {\"features\": {\"values\": "
                "[2.0, -3.0]}}}]}",
                2, two, 2);
    /* lists of numbers, with or without "instances" */
    check_dense(KILN_MEDIA_JSON, "{\"instances\": [[1.5, 16], [2, -3]]}", 2,
                two, 2);
    check_dense(KILN_MEDIA_JSON, "[[1.5, 16], [2, -3]]", 2, two, 2);
    /* a list of instance objects */
    check_dense(KILN_MEDIA_JSON,
                "[{\"features\": [1.5, 16]}, {\"features\": [2, -3]}]", 2,
                two, 2);
    /* one instance */
    const float one[] = {1.5f, 16.0f, 0.25f};
    check_dense(KILN_MEDIA_JSON, "[1.5, 16, 0.25]", 3, one, 1);
    check_dense(KILN_MEDIA_JSON, "{\"features\": [1.5, 16, 0.25]}", 3, one,
                1);
    check_dense(KILN_MEDIA_JSON,
                "{\"data\": {\"features\": {\"values\": [1.5, 16, 0.25]}}}",
                3, one, 1);
    /* whitespace around the body is JSON's */
    check_dense(KILN_MEDIA_JSON, "\n  {\"instances\": [[1.5, 16, 0.25]]}\n",
                3, one, 1);
    /* null is a missing value */
    const float gaps[] = {NAN, 2.0f, 3.0f, NAN};
    check_dense(KILN_MEDIA_JSON, "{\"instances\": [[null, 2], [3, null]]}",
                2, gaps, 2);
    check_dense(KILN_MEDIA_JSON,
                "{\"instances\": [{\"features\": [null, 2]}, "
                "{\"features\": [3, null]}]}",
                2, gaps, 2);
    /* float32 rounding of the JSON number */
    const float tenth[] = {0.1f};
    check_dense(KILN_MEDIA_JSON, "[0.1]", 1, tenth, 1);
    /* beyond float32: infinity */
    const float big[] = {INFINITY, -INFINITY};
    check_dense(KILN_MEDIA_JSON, "[1e39, -1e39]", 2, big, 1);
}

static void test_decode_json_sparse(void **state)
{
    (void)state;
    kiln_dataset *ds = decode_ok(
        KILN_MEDIA_JSON,
        "{\"instances\": [{\"data\": {\"features\": {\"keys\": [26, 182], "
        "\"shape\": [2000], \"values\": [1, 4]}}}, "
        "{\"data\": {\"features\": {\"keys\": [], \"shape\": [2000], "
        "\"values\": []}}}, "
        "{\"data\": {\"features\": {\"keys\": [1999, 0], \"values\": "
        "[0.5, -2]}}}]}",
        2000);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 3);
    assert_int_equal(kiln_dataset_cols(ds), 2000);
    const size_t indptr[] = {0, 2, 2, 4};
    const uint32_t idx[] = {26, 182, 1999, 0};
    const float val[] = {1.0f, 4.0f, 0.5f, -2.0f};
    assert_memory_equal(kiln_dataset_indptr(ds), indptr, sizeof indptr);
    assert_memory_equal(kiln_dataset_indices(ds), idx, sizeof idx);
    assert_memory_equal(kiln_dataset_values(ds), val, sizeof val);
    kiln_dataset_free(ds);

    /* a sparse instance makes the batch sparse; dense ones keep every
     * value, null as missing */
    ds = decode_ok(KILN_MEDIA_JSON,
                   "[{\"features\": [1, null, 3]}, {\"data\": {\"features\": "
                   "{\"keys\": [2], \"shape\": [3], \"values\": [7]}}}]",
                   3);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 2);
    assert_true(kiln_dataset_get(ds, 0, 0, 0) == 1.0f);
    assert_true(isnan(kiln_dataset_get(ds, 0, 1, 0)));
    assert_true(kiln_dataset_get(ds, 0, 2, 0) == 3.0f);
    assert_true(kiln_dataset_get(ds, 1, 0, -1) == -1.0f);
    assert_true(kiln_dataset_get(ds, 1, 2, 0) == 7.0f);
    kiln_dataset_free(ds);

    /* few keys still give the model's column count */
    ds = decode_ok(KILN_MEDIA_JSON,
                   "{\"data\": {\"features\": {\"keys\": [0], \"shape\": [50],"
                   " \"values\": [2]}}}",
                   50);
    assert_int_equal(kiln_dataset_cols(ds), 50);
    assert_int_equal(kiln_dataset_nnz(ds), 1);
    kiln_dataset_free(ds);
}

static void test_decode_json_errors(void **state)
{
    (void)state;
    decode_fails(KILN_MEDIA_JSON, "{\"instances\": [[1, 2], [1, 2, 3]]}", 2,
                 "instance 2: 3 features, the model expects 2");
    decode_fails(KILN_MEDIA_JSON, "{\"instances\": [{\"features\": [1]}]}", 2,
                 "instance 1: 1 features, the model expects 2");
    decode_fails(KILN_MEDIA_JSON, "[1, 2, 3]", 2,
                 "instance 1: 3 features, the model expects 2");
    decode_fails(KILN_MEDIA_JSON, "[[1, \"a\"]]", 2,
                 "instance 1: features[1] is not a number");
    decode_fails(KILN_MEDIA_JSON, "[[1, 2], [true, 2]]", 2,
                 "instance 2: features[0] is not a number");
    decode_fails(KILN_MEDIA_JSON, "[[1, 2], 5]", 2, "instance 2:");
    decode_fails(KILN_MEDIA_JSON, "{\"instances\": [{\"feature\": [1, 2]}]}",
                 2, "instance 1: no \"features\" list");
    /* keys out of range, of the wrong type, or not matching values */
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [5], \"values\": [1]}}}",
                 5, "instance 1: keys[0] must be an integer in 0..4");
    decode_fails(KILN_MEDIA_JSON,
                 "[{\"features\": [1, 2, 3, 4, 5]}, {\"data\": {\"features\": "
                 "{\"keys\": [0, -1], \"values\": [1, 2]}}}]",
                 5, "instance 2: keys[1] must be an integer in 0..4");
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [1.5], \"values\": "
                 "[1]}}}",
                 5, "keys[0] must be an integer");
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [1, 2], \"values\": "
                 "[1]}}}",
                 5, "instance 1: \"keys\" must be a list as long as "
                    "\"values\"");
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": 1, \"values\": [1]}}}",
                 5, "\"keys\" must be a list");
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [1], \"values\": "
                 "[null]}}}",
                 5, "instance 1: values[0] is not a number");
    /* shape must be the model's feature count */
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [1], \"shape\": [4], "
                 "\"values\": [1]}}}",
                 5, "instance 1: \"shape\" must be [5]");
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [1], \"shape\": [5, 1],"
                 " \"values\": [1]}}}",
                 5, "\"shape\" must be [5]");
    decode_fails(KILN_MEDIA_JSON,
                 "{\"data\": {\"features\": {\"keys\": [1], \"shape\": 5, "
                 "\"values\": [1]}}}",
                 5, "\"shape\" must be [5]");
    /* not the shapes infer.h lists */
    decode_fails(KILN_MEDIA_JSON, "5", 1, "the request body must be");
    decode_fails(KILN_MEDIA_JSON, "\"abc\"", 1, "the request body must be");
    decode_fails(KILN_MEDIA_JSON, "null", 1, "the request body must be");
    /* no records */
    decode_fails(KILN_MEDIA_JSON, "{\"instances\": []}", 2, "no records");
    decode_fails(KILN_MEDIA_JSON, "[]", 2, "no records");
    decode_fails(KILN_MEDIA_JSON, "", 2, "no records");
    decode_fails(KILN_MEDIA_JSON, " \n", 2, "no records");
}

/* Malformed JSON: 400 with jansson's own words for the text. */
static void json_syntax_fails(kiln_media m, const char *body,
                              const char *text, const char *where)
{
    json_error_t je;
    json_t *v =
        json_loadb(text, strlen(text), JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    assert_null(v);
    assert_true(je.text[0] != '\0');
    decode_fails(m, body, 3, je.text);
    decode_fails(m, body, 3, where);
}

static void test_decode_json_syntax(void **state)
{
    (void)state;
    json_syntax_fails(KILN_MEDIA_JSON, "{\"instances\": [[1, 2, 3],",
                      "{\"instances\": [[1, 2, 3],", "is not JSON");
    json_syntax_fails(KILN_MEDIA_JSON, "[1, 2, 3]]", "[1, 2, 3]]",
                      "is not JSON");
    json_syntax_fails(KILN_MEDIA_JSON, "{'instances': []}",
                      "{'instances': []}", "is not JSON");
    json_syntax_fails(KILN_MEDIA_JSON, "[NaN, 1, 2]", "[NaN, 1, 2]",
                      "is not JSON");
    /* JSON lines name the line */
    json_syntax_fails(KILN_MEDIA_JSONLINES, "[1, 2, 3]\n\n[1, 2,\n",
                      "[1, 2,", "line 3 is not JSON");
}

static void test_decode_jsonlines(void **state)
{
    (void)state;
    const float want[] = {1, 2, 3, 4, 5, 6, NAN, 8, 9};
    check_dense(KILN_MEDIA_JSONLINES,
                "{\"features\": [1, 2, 3]}\n"
                "\n"
                "   \t\n"
                "[4, 5, 6]\r\n"
                "{\"data\": {\"features\": {\"values\": [null, 8, 9]}}}",
                3, want, 3);
    check_dense(KILN_MEDIA_JSONLINES, "[1, 2, 3]\n[4, 5, 6]\n[null, 8, 9]\n",
                3, want, 3);
    check_dense(KILN_MEDIA_JSONLINES, "\n\n[1, 2, 3]\n\n", 3, want, 1);
    kiln_dataset *ds = decode_ok(
        KILN_MEDIA_JSONLINES,
        "{\"data\": {\"features\": {\"keys\": [3], \"shape\": [4], "
        "\"values\": [2.5]}}}\n",
        4);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 1);
    assert_true(kiln_dataset_get(ds, 0, 3, 0) == 2.5f);
    kiln_dataset_free(ds);

    decode_fails(KILN_MEDIA_JSONLINES, "", 3, "no records");
    decode_fails(KILN_MEDIA_JSONLINES, "\n \n\r\n", 3, "no records");
    decode_fails(KILN_MEDIA_JSONLINES, "[1, 2, 3]\n[1, 2]\n", 3,
                 "instance 2: 2 features, the model expects 3");
    decode_fails(KILN_MEDIA_JSONLINES, "[1, 2, 3]\n7\n", 3, "instance 2:");
    /* a whole JSON request is not a line's instance */
    decode_fails(KILN_MEDIA_JSONLINES, "{\"instances\": [[1, 2, 3]]}\n", 3,
                 "instance 1:");
}

static void test_decode_csv(void **state)
{
    (void)state;
    const float want[] = {1, 2.5f, 3, -4, NAN, 6};
    check_dense(KILN_MEDIA_CSV, "1,2.5,3\n-4,,6\n", 3, want, 2);
    check_dense(KILN_MEDIA_CSV, "1,2.5,3\r\n-4,nan,6", 3, want, 2);
    check_dense(KILN_MEDIA_CSV, "1\t2.5\t3\n-4\t\t6\n", 3, want, 2);
    check_dense(KILN_MEDIA_CSV, "1,2.5,3\n\n-4,,6\n\n", 3, want, 2);
    /* the first column is a feature, not a label */
    const float one[] = {7, 8};
    check_dense(KILN_MEDIA_CSV, "7,8\n", 2, one, 1);

    decode_fails(KILN_MEDIA_CSV, "1,2\n", 3, NULL);
    decode_fails(KILN_MEDIA_CSV, "1,2,3\n4,5\n", 3, NULL);
    decode_fails(KILN_MEDIA_CSV, "1,abc,3\n", 3, "abc");
    decode_fails(KILN_MEDIA_CSV, "", 3, "the request body has no records "
                                        "(text/csv)");
    decode_fails(KILN_MEDIA_CSV, "\n\n", 3, "no records");
}

static void test_decode_libsvm(void **state)
{
    (void)state;
    kiln_dataset *ds = decode_ok(KILN_MEDIA_LIBSVM,
                                 "0 1:1.5 3:2\n1 0:-1\n\n7\n", 4);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 3);
    assert_int_equal(kiln_dataset_cols(ds), 4);
    const size_t indptr[] = {0, 2, 3, 3};
    const uint32_t idx[] = {1, 3, 0};
    const float val[] = {1.5f, 2.0f, -1.0f};
    assert_memory_equal(kiln_dataset_indptr(ds), indptr, sizeof indptr);
    assert_memory_equal(kiln_dataset_indices(ds), idx, sizeof idx);
    assert_memory_equal(kiln_dataset_values(ds), val, sizeof val);
    kiln_dataset_free(ds);

    decode_fails(KILN_MEDIA_LIBSVM, "0 4:1\n", 4, NULL);
    decode_fails(KILN_MEDIA_LIBSVM, "0 1:x\n", 4, NULL);
    decode_fails(KILN_MEDIA_LIBSVM, "", 4,
                 "the request body has no records (text/libsvm)");
}

/* ---- RecordIO, by hand and protobuf-c ------------------------------------ */

static void put_le32(kiln_buf *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8),
                          (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    assert_int_equal(kiln_buf_append(b, c, 4), KILN_OK);
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* One framed Record with features["values"] = a float32 tensor (keys and
 * shape when nk > 0). */
static void rec_append(kiln_buf *b, const float *values, size_t n,
                       const uint64_t *keys, size_t nk, uint64_t shape)
{
    Aialgs__Data__Float32Tensor t = AIALGS__DATA__FLOAT32_TENSOR__INIT;
    t.values = (float *)(uintptr_t)values;
    t.n_values = n;
    if (nk > 0) {
        t.keys = (uint64_t *)(uintptr_t)keys;
        t.n_keys = nk;
        t.shape = &shape;
        t.n_shape = 1;
    }
    Aialgs__Data__Value v = AIALGS__DATA__VALUE__INIT;
    v.value_case = AIALGS__DATA__VALUE__VALUE_FLOAT32_TENSOR;
    v.float32_tensor = &t;
    Aialgs__Data__Record__FeaturesEntry e =
        AIALGS__DATA__RECORD__FEATURES_ENTRY__INIT;
    e.key = "values";
    e.value = &v;
    Aialgs__Data__Record__FeaturesEntry *ep = &e;
    Aialgs__Data__Record r = AIALGS__DATA__RECORD__INIT;
    r.n_features = 1;
    r.features = &ep;
    size_t size = aialgs__data__record__get_packed_size(&r);
    unsigned char *bytes = malloc(size + 4);
    assert_non_null(bytes);
    assert_int_equal(aialgs__data__record__pack(&r, bytes), size);
    put_le32(b, 0xCED7230Au);
    put_le32(b, (uint32_t)size);
    assert_int_equal(kiln_buf_append(b, bytes, size), KILN_OK);
    static const unsigned char zeros[4];
    assert_int_equal(kiln_buf_append(b, zeros, (4 - size % 4) % 4), KILN_OK);
    free(bytes);
}

static void test_decode_recordio(void **state)
{
    (void)state;
    kiln_buf b;
    kiln_buf_init(&b);
    const float r0[] = {1.5f, -2.0f, 0.0f}, r1[] = {4.0f, NAN, 6.0f};
    rec_append(&b, r0, 3, NULL, 0, 0);
    rec_append(&b, r1, 3, NULL, 0, 0);
    kiln_infer_error e = new_error();
    kiln_dataset *ds = NULL;
    assert_int_equal(kiln_infer_decode(KILN_MEDIA_RECORDIO, b.data, b.len, 3,
                                       &ds, &e),
                     KILN_OK);
    const float want[] = {1.5f, -2.0f, 0.0f, 4.0f, NAN, 6.0f};
    assert_dense(ds, want, 2, 3);
    kiln_dataset_free(ds);

    /* a wrong value count */
    decode_fails_n(KILN_MEDIA_RECORDIO, b.data, b.len, 4, 400, NULL);
    /* a torn record */
    decode_fails_n(KILN_MEDIA_RECORDIO, b.data, b.len - 5, 3, 400, NULL);
    /* not RecordIO at all */
    decode_fails_n(KILN_MEDIA_RECORDIO, "1,2,3\n", 6, 3, 400, NULL);
    decode_fails_n(KILN_MEDIA_RECORDIO, "", 0, 3, 400,
                   "the request body has no records "
                   "(application/x-recordio-protobuf)");
    kiln_buf_clear(&b);

    /* sparse records */
    const float sv[] = {2.0f, 3.0f};
    const uint64_t sk[] = {4, 1};
    rec_append(&b, sv, 2, sk, 2, 6);
    ds = NULL;
    e = new_error();
    assert_int_equal(kiln_infer_decode(KILN_MEDIA_RECORDIO, b.data, b.len, 6,
                                       &ds, &e),
                     KILN_OK);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 1);
    assert_int_equal(kiln_dataset_cols(ds), 6);
    assert_true(kiln_dataset_get(ds, 0, 4, 0) == 2.0f);
    assert_true(kiln_dataset_get(ds, 0, 1, 0) == 3.0f);
    kiln_dataset_free(ds);
    /* keys beyond the model's features */
    decode_fails_n(KILN_MEDIA_RECORDIO, b.data, b.len, 4, 400, NULL);
    kiln_buf_fini(&b);
}

/* ---- encoding ------------------------------------------------------------ */

/* Predictions of `rows` rows: score (float), predicted_label (integer). */
static void make_preds(kiln_predictions *p, size_t rows, const float *score,
                       const float *label)
{
    kiln_error err;
    kiln_error_init(&err);
    memset(p, 0, sizeof *p);
    p->rows = rows;
    float *s = kiln_predictions_add(p, "score", 1, false, false, &err);
    float *l = kiln_predictions_add(p, "predicted_label", 1, false, true,
                                    &err);
    assert_non_null(s);
    assert_non_null(l);
    memcpy(s, score, rows * sizeof *s);
    memcpy(l, label, rows * sizeof *l);
}

static void add_field(kiln_predictions *p, const char *name, size_t width,
                      bool vector, bool integer, const float *values)
{
    kiln_error err;
    kiln_error_init(&err);
    float *v = kiln_predictions_add(p, name, width, vector, integer, &err);
    assert_non_null(v);
    memcpy(v, values, p->rows * width * sizeof *v);
}

static void encodes_to(const kiln_algo *a, const kiln_predictions *p,
                       kiln_media m, const char *want)
{
    kiln_buf out;
    kiln_buf_init(&out);
    kiln_infer_error e = new_error();
    int rc = kiln_infer_encode(a, p, m, &out, &e);
    if (rc != KILN_OK)
        fail_msg("encoding as %s: %d %s", kiln_media_mime(m), e.status,
                 e.err.message);
    if (strcmp(kiln_buf_str(&out), want) != 0 || out.len != strlen(want))
        fail_msg("as %s:\n got  '%s'\n want '%s'", kiln_media_mime(m),
                 kiln_buf_str(&out), want);
    kiln_buf_fini(&out);
}

static void test_encode_scalars(void **state)
{
    (void)state;
    kiln_predictions p;
    const float score[] = {0.5f, 2.0f}, label[] = {1, 0};
    make_preds(&p, 2, score, label);
    encodes_to(&fake, &p, KILN_MEDIA_JSON,
               "{\"predictions\": [{\"score\": 0.5, \"predicted_label\": 1}, "
               "{\"score\": 2.0, \"predicted_label\": 0}]}");
    encodes_to(&fake, &p, KILN_MEDIA_JSONLINES,
               "{\"score\": 0.5, \"predicted_label\": 1}\n"
               "{\"score\": 2.0, \"predicted_label\": 0}\n");
    encodes_to(&fake, &p, KILN_MEDIA_CSV, "0.5,1\n2.0,0\n");
    /* response_fields picks and orders; response_key names the list */
    encodes_to(&fake_xgb, &p, KILN_MEDIA_JSON,
               "{\"scores\": [{\"score\": 0.5}, {\"score\": 2.0}]}");
    encodes_to(&fake_xgb, &p, KILN_MEDIA_CSV, "0.5\n2.0\n");
    encodes_to(&fake_xgb, &p, KILN_MEDIA_JSONLINES,
               "{\"score\": 0.5}\n{\"score\": 2.0}\n");
    encodes_to(&fake_reordered, &p, KILN_MEDIA_JSON,
               "{\"predictions\": [{\"predicted_label\": 1, \"score\": 0.5}, "
               "{\"predicted_label\": 0, \"score\": 2.0}]}");
    encodes_to(&fake_reordered, &p, KILN_MEDIA_CSV, "1,0.5\n0,2.0\n");
    kiln_predictions_fini(&p);

    /* no rows */
    make_preds(&p, 0, score, label);
    encodes_to(&fake, &p, KILN_MEDIA_JSON, "{\"predictions\": []}");
    encodes_to(&fake, &p, KILN_MEDIA_JSONLINES, "");
    encodes_to(&fake, &p, KILN_MEDIA_CSV, "");
    encodes_to(&fake, &p, KILN_MEDIA_RECORDIO, "");
    kiln_predictions_fini(&p);
}

static void test_encode_numbers(void **state)
{
    (void)state;
    kiln_predictions p;
    const float score[] = {0.1f,     1.0f / 3.0f, -3.0f,    16777216.0f,
                           1e-7f,    123456.0f,   0.0f,     -0.5f,
                           NAN,      INFINITY,    -INFINITY, 3.4028235e38f,
                           2.5e-3f,  100.25f};
    const float label[] = {7, -2, 0, 3, 1, 2, 0, 1, NAN, 4, 5, 6, 1, 1e6f};
    make_preds(&p, 14, score, label);
    encodes_to(&fake, &p, KILN_MEDIA_JSONLINES,
               "{\"score\": 0.1, \"predicted_label\": 7}\n"
               "{\"score\": 0.33333334, \"predicted_label\": -2}\n"
               "{\"score\": -3.0, \"predicted_label\": 0}\n"
               "{\"score\": 16777216.0, \"predicted_label\": 3}\n"
               "{\"score\": 1e-07, \"predicted_label\": 1}\n"
               "{\"score\": 123456.0, \"predicted_label\": 2}\n"
               "{\"score\": 0.0, \"predicted_label\": 0}\n"
               "{\"score\": -0.5, \"predicted_label\": 1}\n"
               "{\"score\": NaN, \"predicted_label\": NaN}\n"
               "{\"score\": Infinity, \"predicted_label\": 4}\n"
               "{\"score\": -Infinity, \"predicted_label\": 5}\n"
               "{\"score\": 3.4028235e+38, \"predicted_label\": 6}\n"
               "{\"score\": 0.0025, \"predicted_label\": 1}\n"
               "{\"score\": 100.25, \"predicted_label\": 1000000}\n");
    encodes_to(&fake, &p, KILN_MEDIA_CSV,
               "0.1,7\n"
               "0.33333334,-2\n"
               "-3.0,0\n"
               "16777216.0,3\n"
               "1e-07,1\n"
               "123456.0,2\n"
               "0.0,0\n"
               "-0.5,1\n"
               "nan,nan\n"
               "inf,4\n"
               "-inf,5\n"
               "3.4028235e+38,6\n"
               "0.0025,1\n"
               "100.25,1000000\n");
    kiln_predictions_fini(&p);
}

static void test_encode_vectors(void **state)
{
    (void)state;
    kiln_predictions p;
    memset(&p, 0, sizeof p);
    p.rows = 2;
    const float proj[] = {0.1f, -2.0f, 1e-7f, 4.0f, 5.5f, NAN};
    const float one[] = {3.0f, 0.75f};
    const float cluster[] = {1, 0}, dist[] = {3.2f, 0.5f};
    add_field(&p, "projection", 3, true, false, proj);
    add_field(&p, "single", 1, true, false, one);
    add_field(&p, "closest_cluster", 1, false, true, cluster);
    add_field(&p, "distance_to_cluster", 1, false, false, dist);
    encodes_to(&fake, &p, KILN_MEDIA_JSON,
               "{\"predictions\": [{\"projection\": [0.1, -2.0, 1e-07], "
               "\"single\": [3.0], \"closest_cluster\": 1, "
               "\"distance_to_cluster\": 3.2}, "
               "{\"projection\": [4.0, 5.5, NaN], \"single\": [0.75], "
               "\"closest_cluster\": 0, \"distance_to_cluster\": 0.5}]}");
    encodes_to(&fake, &p, KILN_MEDIA_CSV,
               "0.1,-2.0,1e-07,3.0,1,3.2\n4.0,5.5,nan,0.75,0,0.5\n");
    kiln_predictions_fini(&p);

    /* a width-2 field not marked as a vector is still a list in JSON */
    memset(&p, 0, sizeof p);
    p.rows = 1;
    const float two[] = {1.0f, 2.0f};
    add_field(&p, "score", 2, false, false, two);
    encodes_to(&fake, &p, KILN_MEDIA_JSON,
               "{\"predictions\": [{\"score\": [1.0, 2.0]}]}");
    encodes_to(&fake, &p, KILN_MEDIA_CSV, "1.0,2.0\n");
    kiln_predictions_fini(&p);

    /* k-means' CSV, as infer.h shows it */
    memset(&p, 0, sizeof p);
    p.rows = 1;
    const float c1[] = {1}, d1[] = {3.2f};
    add_field(&p, "closest_cluster", 1, false, true, c1);
    add_field(&p, "distance_to_cluster", 1, false, false, d1);
    encodes_to(&fake, &p, KILN_MEDIA_CSV, "1,3.2\n");
    kiln_predictions_fini(&p);
}

static void test_encode_appends(void **state)
{
    (void)state;
    kiln_predictions p;
    const float score[] = {0.25f}, label[] = {1};
    make_preds(&p, 1, score, label);
    kiln_buf out;
    kiln_buf_init(&out);
    assert_int_equal(kiln_buf_puts(&out, "before|"), KILN_OK);
    kiln_infer_error e = new_error();
    assert_int_equal(kiln_infer_encode(&fake, &p, KILN_MEDIA_CSV, &out, &e),
                     KILN_OK);
    assert_string_equal(kiln_buf_str(&out), "before|0.25,1\n");

    /* libsvm and NONE are not response types: 406, out unchanged */
    e = new_error();
    assert_int_not_equal(
        kiln_infer_encode(&fake, &p, KILN_MEDIA_LIBSVM, &out, &e), KILN_OK);
    assert_int_equal(e.status, 406);
    assert_contains(e.err.message, "text/libsvm");
    e = new_error();
    assert_int_not_equal(
        kiln_infer_encode(&fake, &p, KILN_MEDIA_NONE, &out, &e), KILN_OK);
    assert_int_equal(e.status, 406);
    assert_string_equal(kiln_buf_str(&out), "before|0.25,1\n");
    kiln_buf_fini(&out);
    kiln_predictions_fini(&p);
}

/* Unpack a RecordIO response: the records' label maps. */
typedef struct unpacked {
    size_t count;
    Aialgs__Data__Record *rec[16];
} unpacked;

static void unpack_records(const kiln_buf *b, unpacked *u)
{
    u->count = 0;
    const unsigned char *p = (const unsigned char *)b->data;
    size_t at = 0;
    while (at < b->len) {
        assert_true(b->len - at >= 8);
        assert_int_equal(get_le32(p + at), 0xCED7230Au);
        uint32_t lrec = get_le32(p + at + 4);
        assert_int_equal(lrec >> 29, 0); /* one whole record */
        size_t len = lrec;
        size_t padded = (len + 3) / 4 * 4;
        assert_true(b->len - at - 8 >= padded);
        for (size_t k = len; k < padded; k++)
            assert_int_equal(p[at + 8 + k], 0);
        assert_true(u->count < 16);
        u->rec[u->count] = aialgs__data__record__unpack(NULL, len, p + at + 8);
        assert_non_null(u->rec[u->count]);
        u->count++;
        at += 8 + padded;
    }
    assert_int_equal(at, b->len);
}

static void unpacked_free(unpacked *u)
{
    for (size_t i = 0; i < u->count; i++)
        aialgs__data__record__free_unpacked(u->rec[i], NULL);
}

/* Record r's label[name] is a float32 tensor of these values. */
static void assert_label(const Aialgs__Data__Record *r, const char *name,
                         const float *want, size_t n)
{
    for (size_t i = 0; i < r->n_label; i++) {
        if (strcmp(r->label[i]->key, name) != 0)
            continue;
        const Aialgs__Data__Value *v = r->label[i]->value;
        assert_non_null(v);
        assert_int_equal(v->value_case,
                         AIALGS__DATA__VALUE__VALUE_FLOAT32_TENSOR);
        assert_int_equal(v->float32_tensor->n_values, n);
        assert_int_equal(v->float32_tensor->n_keys, 0);
        for (size_t k = 0; k < n; k++) {
            float got = v->float32_tensor->values[k];
            if (isnan(want[k]))
                assert_true(isnan(got));
            else
                assert_memory_equal(&got, &want[k], sizeof got);
        }
        return;
    }
    fail_msg("no label tensor '%s'", name);
}

static void test_encode_recordio(void **state)
{
    (void)state;
    kiln_predictions p;
    const float score[] = {0.5f, NAN, -1e30f}, label[] = {1, 0, 1};
    make_preds(&p, 3, score, label);
    const float proj[] = {1, 2, 3, 4, 5, 6};
    add_field(&p, "projection", 2, true, false, proj);

    kiln_buf out;
    kiln_buf_init(&out);
    kiln_infer_error e = new_error();
    assert_int_equal(
        kiln_infer_encode(&fake, &p, KILN_MEDIA_RECORDIO, &out, &e), KILN_OK);
    unpacked u;
    unpack_records(&out, &u);
    assert_int_equal(u.count, 3);
    for (size_t r = 0; r < 3; r++) {
        const Aialgs__Data__Record *rec = u.rec[r];
        assert_int_equal(rec->n_features, 0);
        assert_int_equal(rec->n_label, 3);
        /* the fields in order */
        assert_string_equal(rec->label[0]->key, "score");
        assert_string_equal(rec->label[1]->key, "predicted_label");
        assert_string_equal(rec->label[2]->key, "projection");
        assert_label(rec, "score", &score[r], 1);
        assert_label(rec, "predicted_label", &label[r], 1);
        assert_label(rec, "projection", &proj[2 * r], 2);
    }
    unpacked_free(&u);
    kiln_buf_clear(&out);

    /* response_fields applies here too */
    e = new_error();
    assert_int_equal(
        kiln_infer_encode(&fake_xgb, &p, KILN_MEDIA_RECORDIO, &out, &e),
        KILN_OK);
    unpack_records(&out, &u);
    assert_int_equal(u.count, 3);
    for (size_t r = 0; r < 3; r++) {
        assert_int_equal(u.rec[r]->n_label, 1);
        assert_label(u.rec[r], "score", &score[r], 1);
    }
    unpacked_free(&u);
    kiln_buf_fini(&out);
    kiln_predictions_fini(&p);
}

/* kiln_recordio_encode_labels by itself: n = 0 tensors, width 0. */
static void test_encode_labels_edges(void **state)
{
    (void)state;
    kiln_buf out;
    kiln_buf_init(&out);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_recordio_encode_labels(NULL, 0, 2, &out, &err),
                     KILN_OK);
    unpacked u;
    unpack_records(&out, &u);
    assert_int_equal(u.count, 2);
    assert_int_equal(u.rec[0]->n_label, 0);
    unpacked_free(&u);
    kiln_buf_clear(&out);

    const float none[1] = {0};
    kiln_label_tensor t = {"empty", 0, none};
    assert_int_equal(kiln_recordio_encode_labels(&t, 1, 1, &out, &err),
                     KILN_OK);
    unpack_records(&out, &u);
    assert_int_equal(u.count, 1);
    assert_int_equal(u.rec[0]->n_label, 1);
    assert_label(u.rec[0], "empty", none, 0);
    unpacked_free(&u);

    kiln_label_tensor many[9];
    for (size_t i = 0; i < 9; i++)
        many[i] = (kiln_label_tensor){"x", 1, none};
    kiln_buf_clear(&out);
    assert_int_equal(kiln_recordio_encode_labels(many, 9, 1, &out, &err),
                     KILN_INTERNAL);
    assert_int_equal(out.len, 0);
    kiln_buf_fini(&out);
}

/* ---- one whole request --------------------------------------------------- */

static int invoke(const fake_model *m, const kiln_algo *a, const char *ct,
                  const char *accept, const char *body, kiln_buf *out,
                  kiln_media *type, kiln_infer_error *e)
{
    *e = new_error();
    return kiln_infer_invoke(a, m, ct, accept, body, strlen(body), out, type,
                             e);
}

static void test_invoke(void **state)
{
    (void)state;
    fake_model m = {.cols = 2};
    kiln_buf out;
    kiln_buf_init(&out);
    kiln_infer_error e;
    kiln_media type = KILN_MEDIA_NONE;

    /* no headers: CSV in, JSON out */
    assert_int_equal(invoke(&m, &fake, NULL, NULL, "1,2\n3,4.5\n", &out,
                            &type, &e),
                     KILN_OK);
    assert_int_equal(type, KILN_MEDIA_JSON);
    assert_string_equal(kiln_buf_str(&out),
                        "{\"predictions\": [{\"score\": 3.0, "
                        "\"predicted_label\": 0}, {\"score\": 7.5, "
                        "\"predicted_label\": 1}]}");
    kiln_buf_clear(&out);

    /* JSON in, CSV out */
    assert_int_equal(invoke(&m, &fake, "application/json", "text/csv",
                            "{\"instances\": [{\"features\": [0.25, 1]}, "
                            "{\"data\": {\"features\": {\"keys\": [1], "
                            "\"shape\": [2], \"values\": [-2]}}}]}",
                            &out, &type, &e),
                     KILN_OK);
    assert_int_equal(type, KILN_MEDIA_CSV);
    assert_string_equal(kiln_buf_str(&out), "1.25,0\n-2.0,1\n");
    kiln_buf_clear(&out);

    /* JSON lines both ways, with a vector field */
    m.vector = true;
    assert_int_equal(invoke(&m, &fake, "application/jsonlines",
                            "application/jsonlines;q=0.9, text/csv;q=0.1",
                            "[1, 1]\n[2, 2]\n", &out, &type, &e),
                     KILN_OK);
    assert_int_equal(type, KILN_MEDIA_JSONLINES);
    assert_string_equal(kiln_buf_str(&out),
                        "{\"score\": 2.0, \"predicted_label\": 0, "
                        "\"projection\": [0.0, -0.0]}\n"
                        "{\"score\": 4.0, \"predicted_label\": 1, "
                        "\"projection\": [1.0, -1.0]}\n");
    kiln_buf_clear(&out);
    m.vector = false;

    /* XGBoost-like: libsvm by default, CSV answers, score only */
    assert_int_equal(invoke(&m, &fake_xgb, NULL, NULL, "0 0:1 1:0.5\n", &out,
                            &type, &e),
                     KILN_OK);
    assert_int_equal(type, KILN_MEDIA_CSV);
    assert_string_equal(kiln_buf_str(&out), "1.5\n");
    kiln_buf_clear(&out);

    /* RecordIO in and out */
    kiln_buf body;
    kiln_buf_init(&body);
    const float r0[] = {1, 2};
    rec_append(&body, r0, 2, NULL, 0, 0);
    e = new_error();
    assert_int_equal(kiln_infer_invoke(&fake, &m,
                                       "application/x-recordio-protobuf",
                                       "application/x-recordio-protobuf",
                                       body.data, body.len, &out, &type, &e),
                     KILN_OK);
    assert_int_equal(type, KILN_MEDIA_RECORDIO);
    unpacked u;
    unpack_records(&out, &u);
    assert_int_equal(u.count, 1);
    const float three[] = {3.0f}, zero[] = {0.0f};
    assert_label(u.rec[0], "score", three, 1);
    assert_label(u.rec[0], "predicted_label", zero, 1);
    unpacked_free(&u);
    kiln_buf_fini(&body);
    kiln_buf_fini(&out);
}

static void test_invoke_errors(void **state)
{
    (void)state;
    fake_model m = {.cols = 2};
    kiln_buf out;
    kiln_buf_init(&out);
    assert_int_equal(kiln_buf_puts(&out, "kept"), KILN_OK);
    kiln_infer_error e;
    kiln_media type = KILN_MEDIA_NONE;

    size_t calls = fake_predict_calls;
    assert_int_not_equal(
        invoke(&m, &fake, "text/libsvm", NULL, "0 1:1\n", &out, &type, &e),
        KILN_OK);
    assert_int_equal(e.status, 415);
    assert_contains(e.err.message, FIRST_PARTY_READS);

    assert_int_not_equal(
        invoke(&m, &fake, "text/csv", "image/png", "1,2\n", &out, &type, &e),
        KILN_OK);
    assert_int_equal(e.status, 406);
    assert_contains(e.err.message, FIRST_PARTY_ANSWERS);

    assert_int_not_equal(
        invoke(&m, &fake, "text/csv", NULL, "1,2,3\n", &out, &type, &e),
        KILN_OK);
    assert_int_equal(e.status, 400);

    assert_int_not_equal(
        invoke(&m, &fake, "application/json", NULL, "", &out, &type, &e),
        KILN_OK);
    assert_int_equal(e.status, 400);

    assert_int_not_equal(invoke(&m, &fake, "application/json", NULL,
                                "{\"instances\": [[1, 2], [3]]}", &out, &type,
                                &e),
                         KILN_OK);
    assert_int_equal(e.status, 400);
    assert_contains(e.err.message,
                    "instance 2: 1 features, the model expects 2");
    /* predict never saw any of these */
    assert_int_equal(fake_predict_calls, calls);

    /* predict's failures: bad data is the client's, the rest the server's */
    m.fail = KILN_DATA;
    assert_int_not_equal(
        invoke(&m, &fake, NULL, NULL, "1,2\n", &out, &type, &e), KILN_OK);
    assert_int_equal(e.status, 400);
    assert_int_equal(e.err.code, KILN_DATA);
    assert_string_equal(e.err.message, "fake predict failed (12)");
    m.fail = KILN_VALUE;
    assert_int_not_equal(
        invoke(&m, &fake, NULL, NULL, "1,2\n", &out, &type, &e), KILN_OK);
    assert_int_equal(e.status, 400);
    m.fail = KILN_NOMEM;
    assert_int_not_equal(
        invoke(&m, &fake, NULL, NULL, "1,2\n", &out, &type, &e), KILN_OK);
    assert_int_equal(e.status, 500);
    assert_int_equal(e.err.code, KILN_NOMEM);
    m.fail = KILN_INTERNAL;
    assert_int_not_equal(
        invoke(&m, &fake, NULL, NULL, "1,2\n", &out, &type, &e), KILN_OK);
    assert_int_equal(e.status, 500);
    assert_int_equal(fake_predict_calls, calls + 4);

    assert_int_equal(type, KILN_MEDIA_NONE);
    assert_string_equal(kiln_buf_str(&out), "kept");
    kiln_buf_fini(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_mime),
        cmocka_unit_test(test_media_spellings),
        cmocka_unit_test(test_media_parameters),
        cmocka_unit_test(test_request_type),
        cmocka_unit_test(test_request_type_xgboost),
        cmocka_unit_test(test_response_defaults),
        cmocka_unit_test(test_response_lists),
        cmocka_unit_test(test_response_406),
        cmocka_unit_test(test_decode_json_dense),
        cmocka_unit_test(test_decode_json_sparse),
        cmocka_unit_test(test_decode_json_errors),
        cmocka_unit_test(test_decode_json_syntax),
        cmocka_unit_test(test_decode_jsonlines),
        cmocka_unit_test(test_decode_csv),
        cmocka_unit_test(test_decode_libsvm),
        cmocka_unit_test(test_decode_recordio),
        cmocka_unit_test(test_encode_scalars),
        cmocka_unit_test(test_encode_numbers),
        cmocka_unit_test(test_encode_vectors),
        cmocka_unit_test(test_encode_appends),
        cmocka_unit_test(test_encode_recordio),
        cmocka_unit_test(test_encode_labels_edges),
        cmocka_unit_test(test_invoke),
        cmocka_unit_test(test_invoke_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
