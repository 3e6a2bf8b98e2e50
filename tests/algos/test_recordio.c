/* Tests for algos/data/recordio.c: RecordIO framing, aialgs.data.Record
 * decoding into datasets and the SDK-compatible encoder (parse.h).
 *
 * The oracle for the wire format is independent of protobuf-c: the worked
 * bytes of reference/sagemaker-contract.md §6.4, and records built here by
 * a few lines of hand-written protobuf encoding (varints, tags, packed
 * fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/data/parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char MAGIC_LE[4] = {0x0a, 0x23, 0xd7, 0xce};

/* ---- a tiny protobuf writer (the independent oracle) ------------------- */

static void put(kiln_buf *b, const void *p, size_t n)
{
    assert_int_equal(kiln_buf_append(b, p, n), KILN_OK);
}

static void pb_varint(kiln_buf *b, uint64_t v)
{
    unsigned char c[10];
    size_t n = 0;
    do {
        c[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            c[n] |= 0x80;
        n++;
    } while (v);
    put(b, c, n);
}

static void pb_tag(kiln_buf *b, unsigned field, unsigned wire)
{
    pb_varint(b, (uint64_t)field << 3 | wire);
}

/* field = length-delimited bytes */
static void pb_bytes(kiln_buf *b, unsigned field, const void *p, size_t n)
{
    pb_tag(b, field, 2);
    pb_varint(b, n);
    put(b, p, n);
}

enum { K_F32 = 2, K_F64 = 3, K_I32 = 7, K_BYTES = 9 };

/* A Value holding a tensor of kind K_*: values (converted to the kind),
 * keys and shape as packed fields 1, 2, 3 (each only when non-empty, as
 * protobuf writes them). */
static void pb_value(kiln_buf *out, int kind, const double *values, size_t n,
                     const uint64_t *keys, size_t nk, const uint64_t *shape,
                     size_t ns)
{
    kiln_buf t, packed;
    kiln_buf_init(&t);
    kiln_buf_init(&packed);
    for (size_t i = 0; i < n; i++) {
        if (kind == K_F32) {
            float f = (float)values[i];
            put(&packed, &f, 4); /* little-endian hosts only, as kiln */
        } else if (kind == K_F64) {
            put(&packed, &values[i], 8);
        } else {
            /* int32 varints are sign-extended to 64 bits */
            pb_varint(&packed, (uint64_t)(int64_t)(int32_t)values[i]);
        }
    }
    if (n > 0)
        pb_bytes(&t, 1, packed.data, packed.len);
    kiln_buf_clear(&packed);
    for (size_t i = 0; i < nk; i++)
        pb_varint(&packed, keys[i]);
    if (nk > 0)
        pb_bytes(&t, 2, packed.data, packed.len);
    kiln_buf_clear(&packed);
    for (size_t i = 0; i < ns; i++)
        pb_varint(&packed, shape[i]);
    if (ns > 0)
        pb_bytes(&t, 3, packed.data, packed.len);
    pb_bytes(out, (unsigned)kind, t.data ? t.data : "", t.len);
    kiln_buf_fini(&t);
    kiln_buf_fini(&packed);
}

/* A map entry {key, value} as field `field` of a Record. */
static void pb_entry(kiln_buf *rec, unsigned field, const char *key,
                     const kiln_buf *value)
{
    kiln_buf e;
    kiln_buf_init(&e);
    pb_bytes(&e, 1, key, strlen(key));
    pb_bytes(&e, 2, value->data ? value->data : "", value->len);
    pb_bytes(rec, field, e.data, e.len);
    kiln_buf_fini(&e);
}

/* A Record: features["values"] = a dense f32 tensor of xs (when given),
 * label["values"] = a one-value f32 tensor (when label is not NaN). */
static void pb_dense_record(kiln_buf *rec, const double *xs, size_t n,
                            double label)
{
    kiln_buf v;
    kiln_buf_init(&v);
    pb_value(&v, K_F32, xs, n, NULL, 0, NULL, 0);
    pb_entry(rec, 1, "values", &v);
    if (!isnan(label)) {
        kiln_buf_clear(&v);
        pb_value(&v, K_F32, &label, 1, NULL, 0, NULL, 0);
        pb_entry(rec, 2, "values", &v);
    }
    kiln_buf_fini(&v);
}

static void frame_part(kiln_buf *out, const void *payload, size_t n,
                       unsigned cflag)
{
    uint32_t lrec = (uint32_t)cflag << 29 | (uint32_t)n;
    unsigned char h[8];
    memcpy(h, MAGIC_LE, 4);
    for (int i = 0; i < 4; i++)
        h[4 + i] = (unsigned char)(lrec >> (8 * i));
    put(out, h, 8);
    put(out, payload, n);
    static const unsigned char zeros[4] = {0};
    put(out, zeros, (4 - n % 4) % 4);
}

static void frame(kiln_buf *out, const kiln_buf *payload)
{
    frame_part(out, payload->data ? payload->data : "", payload->len, 0);
}

/* ---- parsing helpers --------------------------------------------------- */

static kiln_parse_ctx new_ctx(void)
{
    kiln_parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.file = "train.rec";
    ctx.record = 1;
    return ctx;
}

/* Peek, make the dataset, parse all (final).  Returns the status; *out
 * only on success. */
static int parse_bytes(const void *p, size_t n, kiln_dataset **out,
                       kiln_error *err)
{
    kiln_parse_ctx ctx = new_ctx();
    bool complete = false, sparse = false, labels = false;
    size_t cols = 0;
    int rc = kiln_recordio_peek(&ctx, p, n, &complete, &sparse, &labels,
                                &cols, err);
    if (rc != KILN_OK)
        return rc;
    if (!complete && n > 0) {
        /* a broken first record: let the parser say what is wrong */
        sparse = false;
        labels = false;
    }
    kiln_dataset *ds = kiln_dataset_new(
        (sparse ? KILN_DATASET_SPARSE : 0u) | (labels ? KILN_DATASET_LABELS : 0u),
        sparse ? 0 : cols);
    assert_non_null(ds);
    size_t used = 0;
    rc = kiln_recordio_parse(&ctx, p, n, true, SIZE_MAX, &used, ds, err);
    if (rc != KILN_OK) {
        kiln_dataset_free(ds);
        return rc;
    }
    assert_int_equal(used, n);
    *out = ds;
    return KILN_OK;
}

static kiln_dataset *parse_ok(const void *p, size_t n)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = NULL;
    int rc = parse_bytes(p, n, &ds, &err);
    if (rc != KILN_OK)
        fail_msg("parse failed: %s", err.message);
    return ds;
}

/* Parse and expect an error with exactly this message. */
static void expect_error(const kiln_buf *b, int code, const char *message)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = NULL;
    int rc = parse_bytes(b->data, b->len, &ds, &err);
    if (rc == KILN_OK) {
        kiln_dataset_free(ds);
        fail_msg("expected '%s', parsed fine", message);
    }
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, message);
}

static bool same_float(float a, float b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* Same rows, same labels, same values as a dense view shows them; bit for
 * bit, except that -0.0 and 0.0 features are the same when zero_sign is
 * false (a sparse record drops -0.0 as scipy does, and it reads back as an
 * absent 0). */
static void assert_same_values(const kiln_dataset *a, const kiln_dataset *b,
                               bool zero_sign)
{
    assert_int_equal(kiln_dataset_rows(a), kiln_dataset_rows(b));
    assert_int_equal(kiln_dataset_cols(a), kiln_dataset_cols(b));
    assert_int_equal(kiln_dataset_has_labels(a), kiln_dataset_has_labels(b));
    for (size_t i = 0; i < kiln_dataset_rows(a); i++) {
        if (kiln_dataset_has_labels(a) &&
            !same_float(kiln_dataset_labels(a)[i], kiln_dataset_labels(b)[i]))
            fail_msg("row %zu: label %g != %g", i,
                     (double)kiln_dataset_labels(a)[i],
                     (double)kiln_dataset_labels(b)[i]);
        for (size_t j = 0; j < kiln_dataset_cols(a); j++) {
            float x = kiln_dataset_get(a, i, j, 0.0f);
            float y = kiln_dataset_get(b, i, j, 0.0f);
            if (!same_float(x, y) && (zero_sign || x != y))
                fail_msg("row %zu col %zu: %g != %g", i, j, (double)x,
                         (double)y);
        }
    }
}

static void assert_same_data(const kiln_dataset *a, const kiln_dataset *b)
{
    assert_same_values(a, b, true);
}

/* ---- the worked bytes of the reference ---------------------------------- */

static const unsigned char WORKED_DENSE[52] = {
    0x0a, 0x23, 0xd7, 0xce, 0x2c, 0x00, 0x00, 0x00,
    0x0a, 0x16, 0x0a, 0x06, 'v', 'a', 'l', 'u', 'e', 's',
    0x12, 0x0c, 0x12, 0x0a, 0x0a, 0x08,
    0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40,
    0x12, 0x12, 0x0a, 0x06, 'v', 'a', 'l', 'u', 'e', 's',
    0x12, 0x08, 0x12, 0x06, 0x0a, 0x04, 0x00, 0x00, 0x00, 0x00,
};

static const unsigned char WORKED_SPARSE[36] = {
    0x0a, 0x23, 0xd7, 0xce, 0x1a, 0x00, 0x00, 0x00,
    0x0a, 0x18, 0x0a, 0x06, 'v', 'a', 'l', 'u', 'e', 's',
    0x12, 0x0e, 0x12, 0x0c, 0x0a, 0x04, 0x00, 0x00, 0xa0, 0x40,
    0x12, 0x01, 0x03, 0x1a, 0x01, 0x0a, 0x00, 0x00,
};

static void test_worked_dense_bytes(void **state)
{
    (void)state;
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 2);
    kiln_error err;
    kiln_error_init(&err);
    float *row = kiln_dataset_push_dense(ds, 0.0f, 1.0f, &err);
    row[0] = 1.0f;
    row[1] = 2.0f;
    kiln_write_opts opts = {.format = KILN_FORMAT_RECORDIO};
    kiln_buf out;
    kiln_buf_init(&out);
    assert_int_equal(kiln_recordio_encode(ds, 0, 1, &opts, &out, &err), KILN_OK);
    assert_int_equal(out.len, sizeof WORKED_DENSE);
    assert_memory_equal(out.data, WORKED_DENSE, sizeof WORKED_DENSE);

    /* and the independent writer agrees */
    kiln_buf rec, framed;
    kiln_buf_init(&rec);
    kiln_buf_init(&framed);
    const double xs[2] = {1.0, 2.0};
    pb_dense_record(&rec, xs, 2, 0.0);
    frame(&framed, &rec);
    assert_int_equal(framed.len, sizeof WORKED_DENSE);
    assert_memory_equal(framed.data, WORKED_DENSE, sizeof WORKED_DENSE);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&framed);
    kiln_buf_fini(&out);
    kiln_dataset_free(ds);
}

static void test_worked_sparse_bytes(void **state)
{
    (void)state;
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_SPARSE, 0);
    kiln_error err;
    kiln_error_init(&err);
    const uint32_t idx = 3;
    const float val = 5.0f;
    assert_int_equal(kiln_dataset_push_sparse(ds, &idx, &val, 1, 0, 1, &err),
                     KILN_OK);
    kiln_dataset_set_cols(ds, 10);
    kiln_write_opts opts = {.format = KILN_FORMAT_RECORDIO, .sparse = true};
    kiln_buf out;
    kiln_buf_init(&out);
    assert_int_equal(kiln_recordio_encode(ds, 0, 1, &opts, &out, &err), KILN_OK);
    assert_int_equal(out.len, sizeof WORKED_SPARSE);
    assert_memory_equal(out.data, WORKED_SPARSE, sizeof WORKED_SPARSE);
    kiln_buf_fini(&out);
    kiln_dataset_free(ds);
}

static void test_worked_decode(void **state)
{
    (void)state;
    kiln_parse_ctx ctx = new_ctx();
    bool complete, sparse, labels;
    size_t cols;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_recordio_peek(&ctx, WORKED_DENSE, sizeof WORKED_DENSE,
                                        &complete, &sparse, &labels, &cols,
                                        &err),
                     KILN_OK);
    assert_true(complete);
    assert_false(sparse);
    assert_true(labels);
    assert_int_equal(cols, 2);
    /* peek does not consume */
    assert_int_equal(ctx.record, 1);
    assert_int_equal(ctx.offset, 0);
    /* not whole yet */
    assert_int_equal(kiln_recordio_peek(&ctx, WORKED_DENSE, 51, &complete,
                                        &sparse, &labels, &cols, &err),
                     KILN_OK);
    assert_false(complete);
    assert_int_equal(kiln_recordio_peek(&ctx, WORKED_DENSE, 0, &complete,
                                        &sparse, &labels, &cols, &err),
                     KILN_OK);
    assert_false(complete);

    kiln_dataset *ds = parse_ok(WORKED_DENSE, sizeof WORKED_DENSE);
    assert_int_equal(kiln_dataset_rows(ds), 1);
    assert_int_equal(kiln_dataset_cols(ds), 2);
    assert_false(kiln_dataset_is_sparse(ds));
    assert_true(kiln_dataset_dense(ds)[0] == 1.0f);
    assert_true(kiln_dataset_dense(ds)[1] == 2.0f);
    assert_true(kiln_dataset_labels(ds)[0] == 0.0f);
    kiln_dataset_free(ds);

    assert_int_equal(kiln_recordio_peek(&ctx, WORKED_SPARSE,
                                        sizeof WORKED_SPARSE, &complete,
                                        &sparse, &labels, &cols, &err),
                     KILN_OK);
    assert_true(complete && sparse && !labels);
    assert_int_equal(cols, 10);
    ds = parse_ok(WORKED_SPARSE, sizeof WORKED_SPARSE);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 1);
    assert_int_equal(kiln_dataset_cols(ds), 10);
    assert_int_equal(kiln_dataset_nnz(ds), 1);
    assert_int_equal(kiln_dataset_indices(ds)[0], 3);
    assert_true(kiln_dataset_values(ds)[0] == 5.0f);
    assert_null(kiln_dataset_labels(ds));
    kiln_dataset_free(ds);

    /* A file may end without the last record's padding; peek needs no
     * more than the payload either. */
    assert_int_equal(kiln_recordio_peek(&ctx, WORKED_SPARSE,
                                        sizeof WORKED_SPARSE - 2, &complete,
                                        &sparse, &labels, &cols, &err),
                     KILN_OK);
    assert_true(complete && sparse);
    ds = parse_ok(WORKED_SPARSE, sizeof WORKED_SPARSE - 2);
    assert_int_equal(kiln_dataset_rows(ds), 1);
    kiln_dataset_free(ds);
}

/* ---- round trips ---------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* A value of the kind a tensor type can hold exactly: integers in int32
 * range for Int32, anything (NaN, infinities, tiny, huge) otherwise. */
static float random_value(kiln_tensor_type type)
{
    if (type == KILN_TENSOR_INT32)
        return (float)((int32_t)(rnd() % 2000001) - 1000000);
    switch (rnd() % 16) {
    case 0:
        return NAN;
    case 1:
        return INFINITY;
    case 2:
        return -0.0f;
    case 3:
        return 1e-40f; /* subnormal */
    case 4:
        return 3.4e38f;
    default: {
        uint32_t bits = (uint32_t)rnd();
        float f;
        memcpy(&f, &bits, 4);
        return isnan(f) ? 1.5f : f;
    }
    }
}

static kiln_dataset *random_dense(size_t rows, size_t cols, bool labels,
                                  kiln_tensor_type type)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(labels ? KILN_DATASET_LABELS : 0, cols);
    for (size_t i = 0; i < rows; i++) {
        float *row = kiln_dataset_push_dense(ds, random_value(type), 1, &err);
        assert_non_null(row);
        for (size_t j = 0; j < cols; j++)
            row[j] = rnd() % 3 == 0 ? 0.0f : random_value(type);
    }
    return ds;
}

static kiln_dataset *random_sparse(size_t rows, size_t cols, bool labels,
                                   kiln_tensor_type type)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(
        KILN_DATASET_SPARSE | (labels ? KILN_DATASET_LABELS : 0), 0);
    uint32_t idx[64];
    float val[64];
    for (size_t i = 0; i < rows; i++) {
        size_t nnz = 0;
        /* ascending unique columns; some rows empty */
        for (size_t j = 0; j < cols && nnz < 64; j++)
            if (rnd() % 4 == 0) {
                idx[nnz] = (uint32_t)j;
                val[nnz] = random_value(type);
                nnz++;
            }
        if (i == 0 && nnz == 0) {
            idx[0] = 0;
            val[0] = 1.0f;
            nnz = 1;
        }
        assert_int_equal(kiln_dataset_push_sparse(ds, idx, val, nnz,
                                                  random_value(type), 1, &err),
                         KILN_OK);
    }
    kiln_dataset_set_cols(ds, cols);
    return ds;
}

static void round_trip(kiln_dataset *src, kiln_tensor_type type,
                       kiln_tensor_type label_type, bool sparse_out)
{
    kiln_write_opts opts = {.format = KILN_FORMAT_RECORDIO,
                            .tensor = type,
                            .label_tensor = label_type,
                            .sparse = sparse_out};
    kiln_buf out;
    kiln_buf_init(&out);
    kiln_error err;
    kiln_error_init(&err);
    size_t rows = kiln_dataset_rows(src);
    /* encoding in pieces gives the bytes of encoding at once */
    assert_int_equal(kiln_recordio_encode(src, 0, rows / 2, &opts, &out, &err),
                     KILN_OK);
    assert_int_equal(kiln_recordio_encode(src, rows / 2, rows, &opts, &out,
                                          &err),
                     KILN_OK);
    kiln_buf whole;
    kiln_buf_init(&whole);
    assert_int_equal(kiln_recordio_encode(src, 0, rows, &opts, &whole, &err),
                     KILN_OK);
    assert_int_equal(whole.len, out.len);
    assert_memory_equal(whole.data, out.data, out.len);
    kiln_buf_fini(&whole);
    assert_int_equal(out.len % 4, 0);

    kiln_dataset *back = parse_ok(out.data, out.len);
    assert_int_equal(kiln_dataset_is_sparse(back), sparse_out);
    assert_int_equal(kiln_dataset_rows(back), rows);
    /* exact: random_value makes values every tensor type holds exactly */
    assert_same_values(src, back,
                       !sparse_out || kiln_dataset_is_sparse(src));
    if (sparse_out && kiln_dataset_is_sparse(src)) {
        /* stored entries, in stored order */
        assert_int_equal(kiln_dataset_nnz(back), kiln_dataset_nnz(src));
        assert_memory_equal(kiln_dataset_indptr(back), kiln_dataset_indptr(src),
                            (rows + 1) * sizeof(size_t));
        assert_memory_equal(kiln_dataset_indices(back),
                            kiln_dataset_indices(src),
                            kiln_dataset_nnz(src) * sizeof(uint32_t));
    }
    kiln_dataset_free(back);
    kiln_buf_fini(&out);
}

static void test_round_trips(void **state)
{
    (void)state;
    const kiln_tensor_type types[] = {KILN_TENSOR_FLOAT32, KILN_TENSOR_FLOAT64,
                                      KILN_TENSOR_INT32};
    for (int rep = 0; rep < 4; rep++)
        for (size_t t = 0; t < 3; t++)
            for (int labels = 0; labels < 2; labels++) {
                size_t rows = 1 + rnd() % 60, cols = 1 + rnd() % 40;
                kiln_tensor_type ty = types[t];
                kiln_dataset *d = random_dense(rows, cols, labels, ty);
                round_trip(d, ty, ty, false);
                round_trip(d, ty, ty, true);
                kiln_dataset_free(d);
                kiln_dataset *s = random_sparse(rows, cols, labels, ty);
                round_trip(s, ty, ty, true);
                round_trip(s, ty, ty, false);
                kiln_dataset_free(s);
            }
}

/* Labels and features in different tensor types, as the SDK allows. */
/* The parser offers the next dense row to protobuf-c for the features
 * array.  Arrays of the same byte size that are not dense Float32
 * features must not stay there: dense Int32 values (4 bytes each, like
 * the row), and sparse keys (8 bytes each, half as many as the row's
 * columns).  Rows parsed into a dataset with spare capacity (where the
 * offer happens) must equal rows built by hand. */
static void test_in_place_decode_alternatives(void **state)
{
    (void)state;
    enum { COLS = 8 };
    kiln_buf all, rec, v;
    kiln_buf_init(&all);
    kiln_buf_init(&rec);
    kiln_buf_init(&v);
    const double f32[COLS] = {1, 2, 3, 4, 5, 6, 7, 8};
    const double i32[COLS] = {-1, -2, -3, -4, 40, 30, 20, 10};
    const double sv[COLS / 2] = {0.5, 1.5, 2.5, 3.5};
    const uint64_t keys[COLS / 2] = {1, 3, 5, 7}, shape = COLS;
    for (int r = 0; r < 6; r++) {
        kiln_buf_clear(&rec);
        kiln_buf_clear(&v);
        if (r % 3 == 0)
            pb_value(&v, K_F32, f32, COLS, NULL, 0, NULL, 0);
        else if (r % 3 == 1)
            pb_value(&v, K_I32, i32, COLS, NULL, 0, NULL, 0);
        else
            pb_value(&v, K_F32, sv, COLS / 2, keys, COLS / 2, &shape, 1);
        pb_entry(&rec, 1, "values", &v);
        frame(&all, &rec);
    }
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(0, COLS);
    assert_int_equal(kiln_dataset_reserve(ds, 64, 0, &err), KILN_OK);
    kiln_parse_ctx ctx = new_ctx();
    size_t used = 0;
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)all.data,
                                         all.len, true,
                                         SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_rows(ds), 6);
    for (size_t r = 0; r < 6; r++)
        for (size_t j = 0; j < COLS; j++) {
            double want = r % 3 == 0   ? f32[j]
                          : r % 3 == 1 ? i32[j]
                          : (j % 2 == 1 ? sv[j / 2] : 0.0);
            assert_true(kiln_dataset_get(ds, r, j, 0) == (float)want);
        }
    kiln_dataset_free(ds);
    kiln_buf_fini(&all);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&v);
}

static void test_mixed_label_type(void **state)
{
    (void)state;
    kiln_dataset *d = random_dense(10, 5, true, KILN_TENSOR_INT32);
    round_trip(d, KILN_TENSOR_FLOAT64, KILN_TENSOR_INT32, false);
    round_trip(d, KILN_TENSOR_INT32, KILN_TENSOR_FLOAT32, true);
    kiln_dataset_free(d);
}

static void test_int32_truncates_and_refuses_nan(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 3);
    float *row = kiln_dataset_push_dense(ds, 2.9f, 1, &err);
    row[0] = 1.9f;
    row[1] = -1.9f;
    row[2] = -0.5f;
    row = kiln_dataset_push_dense(ds, 1.0f, 1, &err);
    row[0] = 0;
    row[1] = NAN;
    row[2] = 0;
    kiln_write_opts opts = {.format = KILN_FORMAT_RECORDIO,
                            .tensor = KILN_TENSOR_INT32,
                            .label_tensor = KILN_TENSOR_INT32};
    kiln_buf out;
    kiln_buf_init(&out);
    assert_int_equal(kiln_recordio_encode(ds, 0, 1, &opts, &out, &err), KILN_OK);
    kiln_dataset *back = parse_ok(out.data, out.len);
    assert_true(kiln_dataset_dense(back)[0] == 1.0f);
    assert_true(kiln_dataset_dense(back)[1] == -1.0f);
    assert_true(kiln_dataset_dense(back)[2] == 0.0f);
    assert_true(kiln_dataset_labels(back)[0] == 2.0f);
    kiln_dataset_free(back);
    /* the same with the independent writer: values as int32 varints */
    kiln_buf rec, framed;
    kiln_buf_init(&rec);
    kiln_buf_init(&framed);
    kiln_buf v;
    kiln_buf_init(&v);
    const double ints[3] = {1, -1, 0}, label = 2;
    pb_value(&v, K_I32, ints, 3, NULL, 0, NULL, 0);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&v);
    pb_value(&v, K_I32, &label, 1, NULL, 0, NULL, 0);
    pb_entry(&rec, 2, "values", &v);
    frame(&framed, &rec);
    assert_int_equal(framed.len, out.len);
    assert_memory_equal(framed.data, out.data, out.len);

    kiln_buf_clear(&out);
    assert_int_equal(kiln_recordio_encode(ds, 0, 2, &opts, &out, &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "row 1, column 1: nan does not fit an Int32 tensor");
    kiln_error_init(&err);
    kiln_dataset *big = kiln_dataset_new(KILN_DATASET_LABELS, 1);
    row = kiln_dataset_push_dense(big, 3e9f, 1, &err);
    row[0] = 1;
    assert_int_equal(kiln_recordio_encode(big, 0, 1, &opts, &out, &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "row 0, label: 3e+09 does not fit an Int32 tensor");
    kiln_dataset_free(big);
    kiln_buf_fini(&v);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&framed);
    kiln_buf_fini(&out);
    kiln_dataset_free(ds);
}

/* Float64 and Int32 tensors read as float32; mixed layouts. */
static void test_tensor_types_and_layouts(void **state)
{
    (void)state;
    kiln_buf file, rec, v;
    kiln_buf_init(&file);
    kiln_buf_init(&rec);
    kiln_buf_init(&v);
    /* record 1: dense float64, beyond float32 -> inf; label int32 */
    const double r1[4] = {0.1, 1e300, -1e300, 2.5};
    pb_value(&v, K_F64, r1, 4, NULL, 0, NULL, 0);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&v);
    const double l1 = -7;
    pb_value(&v, K_I32, &l1, 1, NULL, 0, NULL, 0);
    pb_entry(&rec, 2, "values", &v);
    frame(&file, &rec);
    /* record 2: sparse int32 in the dense dataset, expanded with zeros;
     * a float64 label with several values: the first counts */
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const double r2[2] = {-5, 9};
    const uint64_t k2[2] = {3, 1}, s2[1] = {4};
    pb_value(&v, K_I32, r2, 2, k2, 2, s2, 1);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&v);
    const double l2[2] = {0.5, 99};
    pb_value(&v, K_F64, l2, 2, NULL, 0, NULL, 0);
    pb_entry(&rec, 2, "values", &v);
    frame(&file, &rec);

    kiln_dataset *ds = parse_ok(file.data, file.len);
    assert_false(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 2);
    assert_int_equal(kiln_dataset_cols(ds), 4);
    const float *x = kiln_dataset_dense(ds);
    assert_true(x[0] == 0.1f);
    assert_true(isinf(x[1]) && x[1] > 0);
    assert_true(isinf(x[2]) && x[2] < 0);
    assert_true(x[3] == 2.5f);
    assert_true(x[4] == 0 && x[5] == 9 && x[6] == 0 && x[7] == -5);
    assert_true(kiln_dataset_labels(ds)[0] == -7.0f);
    assert_true(kiln_dataset_labels(ds)[1] == 0.5f);
    kiln_dataset_free(ds);

    /* A sparse first record; a later dense one keeps all its values. A
     * two-dimensional shape counts its product of columns. */
    kiln_buf_clear(&file);
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const double s1v[1] = {4};
    const uint64_t s1k[1] = {7}, s1s[2] = {2, 5};
    pb_value(&v, K_F32, s1v, 1, s1k, 1, s1s, 2);
    pb_entry(&rec, 1, "values", &v);
    frame(&file, &rec);
    kiln_buf_clear(&rec);
    const double d2[3] = {0, 1, 0};
    pb_dense_record(&rec, d2, 3, NAN);
    frame(&file, &rec);
    /* an all-zero sparse row: only its shape */
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const uint64_t s3[1] = {12};
    pb_value(&v, K_F32, NULL, 0, NULL, 0, s3, 1);
    pb_entry(&rec, 1, "values", &v);
    frame(&file, &rec);
    ds = parse_ok(file.data, file.len);
    assert_true(kiln_dataset_is_sparse(ds));
    assert_int_equal(kiln_dataset_rows(ds), 3);
    assert_int_equal(kiln_dataset_cols(ds), 12);
    assert_int_equal(kiln_dataset_nnz(ds), 4);
    const size_t indptr[4] = {0, 1, 4, 4};
    assert_memory_equal(kiln_dataset_indptr(ds), indptr, sizeof indptr);
    const uint32_t idx[4] = {7, 0, 1, 2};
    assert_memory_equal(kiln_dataset_indices(ds), idx, sizeof idx);
    kiln_dataset_free(ds);

    /* the all-zero sparse row first decides: sparse */
    kiln_parse_ctx ctx = new_ctx();
    bool complete, sparse, labels;
    size_t cols;
    kiln_error err;
    kiln_error_init(&err);
    kiln_buf one;
    kiln_buf_init(&one);
    frame(&one, &rec);
    assert_int_equal(kiln_recordio_peek(&ctx, (const unsigned char *)one.data,
                                        one.len, &complete,
                                        &sparse, &labels, &cols, &err),
                     KILN_OK);
    assert_true(complete && sparse && !labels);
    assert_int_equal(cols, 12);
    kiln_buf_fini(&one);
    kiln_buf_fini(&file);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&v);
}

/* ---- multi-part records --------------------------------------------- */

static void test_multi_part(void **state)
{
    (void)state;
    /* A record whose payload holds the magic twice: dmlc writes it as
     * three parts without those 4 bytes, and the reader puts them back. */
    float magic_float;
    memcpy(&magic_float, MAGIC_LE, 4);
    const double xs[5] = {1.0, magic_float, 2.0, magic_float, 3.0};
    kiln_buf rec;
    kiln_buf_init(&rec);
    pb_dense_record(&rec, xs, 5, 1.0);
    const unsigned char *p = (const unsigned char *)rec.data;
    size_t cut[2], found = 0;
    for (size_t i = 0; i + 4 <= rec.len && found < 2; i++)
        if (memcmp(p + i, MAGIC_LE, 4) == 0) {
            cut[found++] = i;
            i += 3;
        }
    assert_int_equal(found, 2);

    kiln_buf whole, parts;
    kiln_buf_init(&whole);
    kiln_buf_init(&parts);
    frame(&whole, &rec);
    frame(&parts, &rec); /* a whole record first */
    frame_part(&parts, p, cut[0], 1);
    frame_part(&parts, p + cut[0] + 4, cut[1] - cut[0] - 4, 2);
    frame_part(&parts, p + cut[1] + 4, rec.len - cut[1] - 4, 3);
    frame(&parts, &rec); /* and one after */

    kiln_dataset *ds = parse_ok(parts.data, parts.len);
    assert_int_equal(kiln_dataset_rows(ds), 3);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 5; j++)
            assert_true(same_float(kiln_dataset_get(ds, i, j, 0),
                                   (float)xs[j]));
    kiln_dataset_free(ds);

    /* record numbers count a multi-part record once */
    kiln_parse_ctx ctx = new_ctx();
    kiln_dataset *d2 = kiln_dataset_new(KILN_DATASET_LABELS, 5);
    size_t used;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)parts.data,
                                         parts.len, true, SIZE_MAX, &used, d2,
                                         &err),
                     KILN_OK);
    assert_int_equal(ctx.record, 4);
    assert_int_equal(ctx.offset, parts.len);
    kiln_dataset_free(d2);

    /* The multi-part record first: peek joins it too. */
    kiln_buf first;
    kiln_buf_init(&first);
    put(&first, parts.data + whole.len, parts.len - whole.len);
    ds = parse_ok(first.data, first.len);
    assert_int_equal(kiln_dataset_rows(ds), 2);
    kiln_dataset_free(ds);

    kiln_buf_fini(&first);
    kiln_buf_fini(&whole);
    kiln_buf_fini(&parts);
    kiln_buf_fini(&rec);
}

static void test_multi_part_errors(void **state)
{
    (void)state;
    kiln_buf rec;
    kiln_buf_init(&rec);
    const double xs[3] = {1, 2, 3};
    pb_dense_record(&rec, xs, 3, 0.0);
    size_t whole = 8 + rec.len + (4 - rec.len % 4) % 4;
    char msg[256];

    kiln_buf b;
    kiln_buf_init(&b);
    /* a first part, then a whole record */
    frame(&b, &rec);
    frame_part(&b, rec.data, 4, 1);
    frame(&b, &rec);
    snprintf(msg, sizeof msg,
             "train.rec record 2 (byte %zu): a whole record (flag 0) inside "
             "a multi-part record",
             whole + 12);
    expect_error(&b, KILN_DATA, msg);

    /* a middle part without a first */
    kiln_buf_clear(&b);
    frame(&b, &rec);
    frame_part(&b, rec.data, rec.len, 2);
    snprintf(msg, sizeof msg,
             "train.rec record 2 (byte %zu): a middle part (flag 2) without "
             "a first part",
             whole);
    expect_error(&b, KILN_DATA, msg);

    /* a last part without a first */
    kiln_buf_clear(&b);
    frame_part(&b, rec.data, rec.len, 3);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): a last part (flag 3) without "
                 "a first part");

    /* the file ends inside a multi-part record */
    kiln_buf_clear(&b);
    frame(&b, &rec);
    frame_part(&b, rec.data, 5, 1);
    frame_part(&b, rec.data + 5, 4, 2);
    snprintf(msg, sizeof msg,
             "train.rec record 2 (byte %zu): multi-part record ends after 2 "
             "parts without its last part",
             whole + 16 + 12);
    expect_error(&b, KILN_DATA, msg);

    /* flags 4..7 mean nothing */
    kiln_buf_clear(&b);
    frame_part(&b, rec.data, rec.len, 5);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): bad record flag 5 (0 whole, 1 "
                 "first, 2 middle, 3 last part)");

    /* the magic in a later part */
    kiln_buf_clear(&b);
    frame_part(&b, rec.data, 4, 1);
    frame_part(&b, rec.data + 4, rec.len - 4, 3);
    b.data[12] = 0x7f;
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 12): bad magic 0xced7237f, "
                 "expected 0xced7230a");
    kiln_buf_fini(&b);
    kiln_buf_fini(&rec);
}

/* ---- errors ------------------------------------------------------------- */

/* b = WORKED_DENSE (a good first record), then a record of this payload. */
static void after_good(kiln_buf *b, const kiln_buf *payload)
{
    kiln_buf_clear(b);
    put(b, WORKED_DENSE, sizeof WORKED_DENSE);
    frame(b, payload);
}

static void test_errors(void **state)
{
    (void)state;
    kiln_buf b, rec, v;
    kiln_buf_init(&b);
    kiln_buf_init(&rec);
    kiln_buf_init(&v);

    /* framing */
    put(&b, "\x78\x56\x34\x12\x00\x00\x00\x00", 8);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): bad magic 0x12345678, "
                 "expected 0xced7230a");
    kiln_buf_clear(&b);
    put(&b, WORKED_DENSE, sizeof WORKED_DENSE);
    put(&b, "\x78\x56\x34\x12\x00\x00\x00\x00", 8);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): bad magic 0x12345678, "
                 "expected 0xced7230a");
    kiln_buf_clear(&b);
    put(&b, WORKED_DENSE, sizeof WORKED_DENSE);
    put(&b, "\x0a\x23\xd7\xce\xb4\x00\x00\x00", 8); /* 180 bytes */
    for (int i = 0; i < 100; i++)
        put(&b, "\x00", 1);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): truncated record: 100 bytes "
                 "of 180");
    kiln_buf_clear(&b);
    put(&b, WORKED_DENSE, sizeof WORKED_DENSE);
    put(&b, "\x0a\x23\xd7\xce\x00", 5);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): truncated record header: 5 "
                 "bytes of 8");

    /* not protobuf: a truncated varint tag */
    kiln_buf_clear(&rec);
    put(&rec, "\xff\xff\xff", 3);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): not a protobuf Record");
    kiln_buf_clear(&b);
    frame(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): not a protobuf Record");

    /* no features: an empty record, and one with another key */
    kiln_buf_clear(&rec);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): features has no 'values' "
                 "tensor");
    const double two[2] = {1, 2}, zero = 0;
    pb_value(&v, K_F32, two, 2, NULL, 0, NULL, 0);
    pb_entry(&rec, 1, "pixels", &v);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): features has no 'values' "
                 "tensor");

    /* sparse tensors */
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const double four[4] = {1, 2, 3, 4};
    const uint64_t keys3[3] = {0, 1, 2}, shape10[1] = {10};
    pb_value(&v, K_F32, four, 4, keys3, 3, shape10, 1);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&b);
    frame(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): sparse tensor has 3 keys for 4 "
                 "values");
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const uint64_t key20[2] = {2, 20};
    pb_value(&v, K_F32, two, 2, key20, 2, shape10, 1);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&b);
    frame(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): key 20 beyond shape 10");
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const uint64_t shape25[2] = {2, 5};
    pb_value(&v, K_F32, two, 2, key20, 2, shape25, 2);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&b);
    frame(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): key 20 beyond shape 2x5");
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    const uint64_t huge[2] = {1u << 20, 1u << 20};
    pb_value(&v, K_F32, two, 2, keys3, 2, huge, 2);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&b);
    frame(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 1 (byte 0): shape 1048576x1048576 is more "
                 "than the 4294967295 columns kiln supports");
    /* in a dense dataset a sparse record must have its width */
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    pb_value(&v, K_F32, two, 2, keys3, 2, shape10, 1);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&v);
    pb_value(&v, K_F32, &zero, 1, NULL, 0, NULL, 0);
    pb_entry(&rec, 2, "values", &v);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): 10 features, expected 2");

    /* dense widths */
    double wide[785];
    for (size_t i = 0; i < 785; i++)
        wide[i] = (double)i;
    kiln_buf_clear(&b);
    kiln_buf_clear(&rec);
    pb_dense_record(&rec, wide, 785, 1);
    frame(&b, &rec);
    size_t first = b.len;
    kiln_buf_clear(&rec);
    pb_dense_record(&rec, wide, 784, 1);
    frame(&b, &rec);
    char msg[256];
    snprintf(msg, sizeof msg,
             "train.rec record 2 (byte %zu): 784 features, expected 785", first);
    expect_error(&b, KILN_DATA, msg);

    /* labels */
    kiln_buf_clear(&rec);
    pb_dense_record(&rec, two, 2, NAN);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): has no label, the first "
                 "record had one");
    kiln_buf_clear(&b);
    frame(&b, &rec);
    first = b.len;
    kiln_buf_clear(&rec);
    pb_dense_record(&rec, two, 2, 1.0);
    frame(&b, &rec);
    snprintf(msg, sizeof msg,
             "train.rec record 2 (byte %zu): has a label, the first record "
             "had none",
             first);
    expect_error(&b, KILN_DATA, msg);
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    pb_value(&v, K_F32, two, 2, NULL, 0, NULL, 0);
    pb_entry(&rec, 1, "values", &v);
    kiln_buf_clear(&v);
    pb_value(&v, K_F64, NULL, 0, NULL, 0, NULL, 0);
    pb_entry(&rec, 2, "values", &v);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): label tensor is empty");

    /* Bytes values */
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    kiln_buf bytes;
    kiln_buf_init(&bytes);
    pb_bytes(&bytes, 1, "\x89PNG", 4);
    pb_bytes(&bytes, 2, "image/png", 9);
    pb_bytes(&v, K_BYTES, bytes.data, bytes.len);
    pb_entry(&rec, 1, "values", &v);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): 'bytes' features are not "
                 "supported");
    kiln_buf_clear(&rec);
    pb_dense_record(&rec, two, 2, NAN);
    pb_entry(&rec, 2, "values", &v);
    after_good(&b, &rec);
    expect_error(&b, KILN_DATA,
                 "train.rec record 2 (byte 52): 'bytes' labels are not "
                 "supported");
    kiln_buf_fini(&bytes);

    /* uid, metadata, configuration and unknown fields are ignored; the
     * last of repeated "values" keys wins, as in protobuf maps */
    kiln_buf_clear(&rec);
    const double other[2] = {7, 8};
    pb_dense_record(&rec, other, 2, 5);
    pb_dense_record(&rec, two, 2, 0);
    pb_bytes(&rec, 3, "id-1", 4);
    pb_bytes(&rec, 4, "meta", 4);
    pb_bytes(&rec, 5, "{}", 2);
    pb_bytes(&rec, 15, "?", 1);
    kiln_buf_clear(&b);
    frame(&b, &rec);
    kiln_dataset *ds = parse_ok(b.data, b.len);
    assert_true(kiln_dataset_dense(ds)[0] == 1.0f);
    assert_true(kiln_dataset_labels(ds)[0] == 0.0f);
    kiln_dataset_free(ds);

    kiln_buf_fini(&b);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&v);
}

/* The user's column count (cols_fixed) bounds sparse keys and widths. */
static void test_fixed_cols(void **state)
{
    (void)state;
    kiln_buf b, rec, v;
    kiln_buf_init(&b);
    kiln_buf_init(&rec);
    kiln_buf_init(&v);
    const double two[2] = {1, 2};
    const uint64_t keys[2] = {1, 6}, shape[1] = {8};
    pb_value(&v, K_F32, two, 2, keys, 2, shape, 1);
    pb_entry(&rec, 1, "values", &v);
    frame(&b, &rec);

    kiln_error err;
    kiln_error_init(&err);
    kiln_parse_ctx ctx = new_ctx();
    ctx.cols = 8;
    ctx.cols_fixed = true;
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_SPARSE, 8);
    size_t used;
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)b.data,
                                         b.len, true, SIZE_MAX, &used, ds,
                                         &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 8);

    ctx = new_ctx();
    ctx.cols = 5;
    ctx.cols_fixed = true;
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)b.data,
                                         b.len, true, SIZE_MAX, &used, ds,
                                         &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "train.rec record 1 (byte 0): 8 features, expected 5");

    /* a dense record wider than the user's count */
    kiln_buf_clear(&b);
    kiln_buf_clear(&rec);
    const double six[6] = {1, 2, 3, 4, 5, 6};
    pb_dense_record(&rec, six, 6, NAN);
    frame(&b, &rec);
    kiln_error_init(&err);
    ctx = new_ctx();
    ctx.cols = 5;
    ctx.cols_fixed = true;
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)b.data,
                                         b.len, true, SIZE_MAX, &used, ds,
                                         &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "train.rec record 1 (byte 0): 6 features, expected 5");
    kiln_dataset_free(ds);

    /* dense dataset: the user's count against the record's */
    kiln_error_init(&err);
    ctx = new_ctx();
    ctx.cols = 5;
    ctx.cols_fixed = true;
    ds = kiln_dataset_new(0, 5);
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)b.data,
                                         b.len, true, SIZE_MAX, &used, ds,
                                         &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "train.rec record 1 (byte 0): 6 features, expected 5");
    kiln_dataset_free(ds);

    /* a sparse record without shape: keys against the user's count */
    kiln_buf_clear(&b);
    kiln_buf_clear(&rec);
    kiln_buf_clear(&v);
    pb_value(&v, K_F32, two, 2, keys, 2, NULL, 0);
    pb_entry(&rec, 1, "values", &v);
    frame(&b, &rec);
    kiln_error_init(&err);
    ctx = new_ctx();
    ctx.cols = 5;
    ctx.cols_fixed = true;
    ds = kiln_dataset_new(KILN_DATASET_SPARSE, 5);
    assert_int_equal(kiln_recordio_parse(&ctx, (const unsigned char *)b.data,
                                         b.len, true, SIZE_MAX, &used, ds,
                                         &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "train.rec record 1 (byte 0): key 6 beyond 5 features");
    kiln_dataset_free(ds);
    /* ...and without a user count its largest key + 1 */
    ds = parse_ok(b.data, b.len);
    assert_int_equal(kiln_dataset_cols(ds), 7);
    kiln_dataset_free(ds);

    kiln_buf_fini(&b);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&v);
}

/* ---- chunks ------------------------------------------------------------- */

/* Parse as a streaming reader does: a window that grows by random amounts
 * (final only once it reaches the end), random max_rows, the consumed
 * bytes dropped.  The result must equal a one-shot parse. */
static kiln_dataset *parse_chunked(const unsigned char *p, size_t n)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_parse_ctx ctx = new_ctx();
    bool complete = false, sparse = false, labels = false;
    size_t cols = 0, have = 0;
    do {
        have += 1 + rnd() % 64;
        if (have > n)
            have = n;
        assert_int_equal(kiln_recordio_peek(&ctx, p, have, &complete, &sparse,
                                            &labels, &cols, &err),
                         KILN_OK);
    } while (!complete && have < n);
    assert_true(complete);
    kiln_dataset *ds = kiln_dataset_new(
        (sparse ? KILN_DATASET_SPARSE : 0u) | (labels ? KILN_DATASET_LABELS : 0u),
        sparse ? 0 : cols);
    size_t pos = 0;
    have = 0;
    while (pos < n) {
        if (have < n) {
            have += rnd() % 300;
            if (have > n)
                have = n;
        }
        size_t used = 99999;
        uint64_t offset = ctx.offset;
        assert_int_equal(kiln_recordio_parse(&ctx, p + pos, have - pos,
                                             have == n, 1 + rnd() % 4, &used,
                                             ds, &err),
                         KILN_OK);
        assert_true(used <= have - pos);
        assert_int_equal(ctx.offset, offset + used);
        pos += used;
        assert_int_equal(ctx.offset, pos);
    }
    return ds;
}

static void test_chunked(void **state)
{
    (void)state;
    for (int rep = 0; rep < 20; rep++) {
        bool sparse = rep % 2;
        kiln_dataset *src =
            sparse ? random_sparse(40, 30, rep % 3 != 0, KILN_TENSOR_FLOAT32)
                   : random_dense(40, 30, rep % 3 != 0, KILN_TENSOR_FLOAT32);
        kiln_write_opts opts = {.format = KILN_FORMAT_RECORDIO,
                                .sparse = sparse,
                                .tensor = (kiln_tensor_type)(rep % 2)};
        kiln_buf out;
        kiln_buf_init(&out);
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(kiln_recordio_encode(src, 0, 40, &opts, &out, &err),
                         KILN_OK);
        kiln_dataset *whole = parse_ok(out.data, out.len);
        kiln_dataset *chunked =
            parse_chunked((const unsigned char *)out.data, out.len);
        assert_same_data(whole, chunked);
        assert_same_data(src, chunked);
        kiln_dataset_free(whole);
        kiln_dataset_free(chunked);
        kiln_dataset_free(src);
        kiln_buf_fini(&out);
    }
}

/* Chunks through multi-part records, and max_rows stops between records. */
static void test_chunked_multi_part(void **state)
{
    (void)state;
    float magic_float;
    memcpy(&magic_float, MAGIC_LE, 4);
    kiln_buf file, rec;
    kiln_buf_init(&file);
    kiln_buf_init(&rec);
    for (int r = 0; r < 30; r++) {
        double xs[6];
        for (int j = 0; j < 6; j++)
            xs[j] = rnd() % 3 == 0 ? magic_float : (double)(r * 10 + j);
        kiln_buf_clear(&rec);
        pb_dense_record(&rec, xs, 6, r);
        /* split at every magic, as dmlc's writer does (at any offset here:
         * the reader does not care about alignment) */
        const unsigned char *p = (const unsigned char *)rec.data;
        size_t start = 0, parts = 0;
        for (size_t i = 0; i + 4 <= rec.len; i++)
            if (memcmp(p + i, MAGIC_LE, 4) == 0) {
                frame_part(&file, p + start, i - start, parts == 0 ? 1 : 2);
                parts++;
                start = i + 4;
                i += 3;
            }
        frame_part(&file, p + start, rec.len - start, parts == 0 ? 0 : 3);
    }
    kiln_dataset *whole = parse_ok(file.data, file.len);
    assert_int_equal(kiln_dataset_rows(whole), 30);
    for (size_t i = 0; i < 30; i++)
        assert_true(kiln_dataset_labels(whole)[i] == (float)i);
    for (int rep = 0; rep < 10; rep++) {
        kiln_dataset *chunked =
            parse_chunked((const unsigned char *)file.data, file.len);
        assert_same_data(whole, chunked);
        kiln_dataset_free(chunked);
    }
    kiln_dataset_free(whole);
    kiln_buf_fini(&file);
    kiln_buf_fini(&rec);
}

/* Not final: an incomplete record is left for the next chunk, even one
 * whose padding is all that is missing. */
static void test_incomplete_not_final(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_parse_ctx ctx = new_ctx();
    kiln_dataset *ds = kiln_dataset_new(0, 10);
    size_t used = 1;
    assert_int_equal(kiln_recordio_parse(&ctx, WORKED_SPARSE,
                                         sizeof WORKED_SPARSE - 1, false,
                                         SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 0);
    assert_int_equal(kiln_dataset_rows(ds), 0);
    assert_int_equal(ctx.record, 1);
    assert_int_equal(kiln_recordio_parse(&ctx, WORKED_SPARSE, 3, false,
                                         SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 0);
    assert_int_equal(kiln_recordio_parse(&ctx, WORKED_SPARSE,
                                         sizeof WORKED_SPARSE, false, 0, &used,
                                         ds, &err),
                     KILN_OK);
    assert_int_equal(used, 0);
    assert_int_equal(kiln_recordio_parse(&ctx, WORKED_SPARSE,
                                         sizeof WORKED_SPARSE, false, 1, &used,
                                         ds, &err),
                     KILN_OK);
    assert_int_equal(used, sizeof WORKED_SPARSE);
    assert_int_equal(kiln_dataset_rows(ds), 1);
    assert_int_equal(ctx.record, 2);
    kiln_dataset_free(ds);
}

/* Records of very different sizes one after another: the arena grows and
 * the values stay right (ASan checks the memory). */
static void test_growing_records(void **state)
{
    (void)state;
    kiln_buf file, rec, v;
    kiln_buf_init(&file);
    kiln_buf_init(&rec);
    kiln_buf_init(&v);
    static double xs[200000];
    static uint64_t keys[200000];
    const size_t sizes[] = {1, 200000, 3, 50000, 200000, 7};
    for (size_t r = 0; r < sizeof sizes / sizeof sizes[0]; r++) {
        size_t n = sizes[r];
        for (size_t j = 0; j < n; j++) {
            xs[j] = (double)(r + j);
            keys[j] = j * 2;
        }
        const uint64_t shape = 400000;
        kiln_buf_clear(&rec);
        kiln_buf_clear(&v);
        pb_value(&v, r % 2 ? K_F64 : K_F32, xs, n, keys, n, &shape, 1);
        pb_entry(&rec, 1, "values", &v);
        frame(&file, &rec);
    }
    kiln_dataset *ds = parse_ok(file.data, file.len);
    assert_int_equal(kiln_dataset_rows(ds), 6);
    assert_int_equal(kiln_dataset_cols(ds), 400000);
    const size_t *indptr = kiln_dataset_indptr(ds);
    for (size_t r = 0; r < 6; r++) {
        assert_int_equal(indptr[r + 1] - indptr[r], sizes[r]);
        size_t last = indptr[r + 1] - 1;
        assert_int_equal(kiln_dataset_indices(ds)[last], 2 * (sizes[r] - 1));
        assert_true(kiln_dataset_values(ds)[last] ==
                    (float)(r + sizes[r] - 1));
    }
    kiln_dataset_free(ds);
    kiln_buf_fini(&file);
    kiln_buf_fini(&rec);
    kiln_buf_fini(&v);
}

/* A dense dataset of no columns (a record with an empty tensor) writes
 * and reads back: empty dense records, and sparse ones of shape [0]. */
static void test_zero_columns(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 0);
    assert_non_null(kiln_dataset_push_dense(ds, 1.0f, 1, &err));
    assert_non_null(kiln_dataset_push_dense(ds, 2.0f, 1, &err));
    for (int sparse = 0; sparse < 2; sparse++) {
        kiln_write_opts opts = {.format = KILN_FORMAT_RECORDIO,
                                .sparse = sparse};
        kiln_buf out;
        kiln_buf_init(&out);
        assert_int_equal(kiln_recordio_encode(ds, 0, 2, &opts, &out, &err),
                         KILN_OK);
        kiln_dataset *back = parse_ok(out.data, out.len);
        assert_int_equal(kiln_dataset_is_sparse(back), sparse);
        assert_int_equal(kiln_dataset_rows(back), 2);
        assert_int_equal(kiln_dataset_cols(back), 0);
        assert_true(kiln_dataset_labels(back)[1] == 2.0f);
        kiln_dataset_free(back);
        kiln_buf_fini(&out);
    }
    kiln_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_dense_bytes),
        cmocka_unit_test(test_worked_sparse_bytes),
        cmocka_unit_test(test_worked_decode),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_in_place_decode_alternatives),
        cmocka_unit_test(test_mixed_label_type),
        cmocka_unit_test(test_int32_truncates_and_refuses_nan),
        cmocka_unit_test(test_tensor_types_and_layouts),
        cmocka_unit_test(test_multi_part),
        cmocka_unit_test(test_multi_part_errors),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_fixed_cols),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_chunked_multi_part),
        cmocka_unit_test(test_incomplete_not_final),
        cmocka_unit_test(test_growing_records),
        cmocka_unit_test(test_zero_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
