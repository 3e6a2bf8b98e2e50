/* Tests for algos/mxnet/ndarray.c: MXNet NDArray files.
 *
 * The oracle is the layout in shared/reference/builtin-algorithms.md §18,
 * written out here byte by byte (the 108-byte worked example, and V1 and
 * pre-V1 records built by hand), not kiln's own encoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/mxnet/ndarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* §18 "Worked example": a dict {"mean": float32 (2,3) 0..5}. */
static const unsigned char worked[108] = {
    0x12, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0, 0,
    0, 0,
    0xc9, 0xfa, 0x93, 0xf9, 0, 0, 0, 0,
    0x02, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x03, 0, 0, 0, 0, 0, 0, 0,
    0x01, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40,
    0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0x40, 0x00, 0x00, 0xa0, 0x40,
    0x01, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x6d, 0x65, 0x61,
    0x6e,
};

static const float zero_to_five[6] = {0, 1, 2, 3, 4, 5};

/* A little-endian byte builder for hand-made files. */
typedef struct bytes {
    unsigned char b[512];
    size_t n;
} bytes;

static void le(bytes *o, uint64_t v, int width)
{
    for (int i = 0; i < width; i++)
        o->b[o->n++] = (unsigned char)(v >> (8 * i));
}

static void raw(bytes *o, const void *p, size_t n)
{
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void header(bytes *o, uint64_t n_arrays)
{
    o->n = 0;
    le(o, 0x112, 8);
    le(o, 0, 8);
    le(o, n_arrays, 8);
}

static int decode(const bytes *o, kiln_ndarray_list *l, kiln_error *err)
{
    kiln_error_init(err);
    memset(l, 0, sizeof *l);
    return kiln_ndarray_decode(o->b, o->n, "model_algo-1", l, err);
}

static void test_worked_example_encodes_byte_for_byte(void **state)
{
    (void)state;
    kiln_ndarray_list l = {0};
    kiln_error err;
    kiln_error_init(&err);
    int64_t shape[2] = {2, 3};
    assert_non_null(kiln_ndarray_list_add(&l, "mean", KILN_ND_FLOAT32, 2, shape,
                                          zero_to_five, &err));
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln_ndarray_encode(&l, &b, &err), KILN_OK);
    assert_int_equal(b.len, sizeof worked);
    assert_memory_equal(b.data, worked, sizeof worked);
    kiln_buf_fini(&b);
    kiln_ndarray_list_free(&l);
    assert_int_equal(l.count, 0);
    assert_null(l.arrays);
}

static void test_worked_example_decodes(void **state)
{
    (void)state;
    kiln_ndarray_list l;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_ndarray_decode(worked, sizeof worked, "w", &l, &err),
                     KILN_OK);
    assert_int_equal(l.count, 1);
    assert_true(l.named);
    const kiln_ndarray *a = kiln_ndarray_list_find(&l, "mean");
    assert_non_null(a);
    assert_null(kiln_ndarray_list_find(&l, "v"));
    assert_int_equal(a->dtype, KILN_ND_FLOAT32);
    assert_int_equal(a->ndim, 2);
    assert_int_equal(a->shape[0], 2);
    assert_int_equal(a->shape[1], 3);
    assert_int_equal(kiln_ndarray_size(a), 6);
    assert_int_equal(kiln_ndarray_bytes(a), 24);
    assert_memory_equal(a->data, zero_to_five, sizeof zero_to_five);
    kiln_ndarray_list_free(&l);
}

/* k-means' model_algo-1: an unnamed list, n_names = 0, nothing after. */
static void test_unnamed_list_layout(void **state)
{
    (void)state;
    kiln_ndarray_list l = {0};
    kiln_error err;
    kiln_error_init(&err);
    int64_t shape[2] = {3, 2};
    assert_non_null(kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 2, shape,
                                          zero_to_five, &err));
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln_ndarray_encode(&l, &b, &err), KILN_OK);
    bytes want;
    header(&want, 1);
    le(&want, 0xF993FAC9u, 4);
    le(&want, 0, 4);
    le(&want, 2, 4);
    le(&want, 3, 8);
    le(&want, 2, 8);
    le(&want, 1, 4);
    le(&want, 0, 4);
    le(&want, 0, 4);
    raw(&want, zero_to_five, sizeof zero_to_five);
    le(&want, 0, 8);
    assert_int_equal(b.len, want.n);
    assert_memory_equal(b.data, want.b, want.n);
    kiln_ndarray_list back;
    assert_int_equal(kiln_ndarray_decode(b.data, b.len, "x", &back, &err),
                     KILN_OK);
    assert_false(back.named);
    assert_int_equal(back.count, 1);
    assert_null(back.arrays[0].name);
    kiln_ndarray_list_free(&back);
    kiln_buf_fini(&b);
    kiln_ndarray_list_free(&l);
}

/* Every dtype, an empty (ndim 0) array and a zero-sized one round-trip
 * through a file. */
static void test_save_load_round_trip(void **state)
{
    (void)state;
    kiln_ndarray_list l = {0};
    kiln_error err;
    kiln_error_init(&err);
    double d[4] = {1.5, -2.25, 1e300, 0};
    int32_t i32[3] = {-1, 7, INT32_MAX};
    int64_t i64[2] = {INT64_MIN, 42};
    int64_t s1[1] = {4}, s2[3] = {1, 3, 1}, s3[2] = {2, 1}, s0[2] = {0, 5};
    assert_non_null(kiln_ndarray_list_add(&l, "arg:a", KILN_ND_FLOAT64, 1, s1,
                                          d, &err));
    assert_non_null(kiln_ndarray_list_add(&l, "b", KILN_ND_INT32, 3, s2, i32,
                                          &err));
    assert_non_null(kiln_ndarray_list_add(&l, "c", KILN_ND_INT64, 2, s3, i64,
                                          &err));
    assert_non_null(kiln_ndarray_list_add(&l, "none", KILN_ND_FLOAT32, 0,
                                          NULL, NULL, &err));
    assert_non_null(kiln_ndarray_list_add(&l, "", KILN_ND_FLOAT32, 2, s0,
                                          NULL, &err));
    /* mixing named and unnamed arrays is refused */
    assert_null(kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 1, s1, NULL,
                                      &err));
    assert_int_equal(err.code, KILN_VALUE);
    kiln_error_init(&err);

    char path[] = "/tmp/kiln-ndarray-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(kiln_ndarray_save(path, &l, &err), KILN_OK);
    kiln_ndarray_list back;
    assert_int_equal(kiln_ndarray_load(path, &back, &err), KILN_OK);
    unlink(path);
    assert_int_equal(back.count, 5);
    assert_true(back.named);
    for (size_t i = 0; i < 5; i++) {
        const kiln_ndarray *a = &l.arrays[i], *b = &back.arrays[i];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->ndim, b->ndim);
        for (int k = 0; k < a->ndim; k++)
            assert_int_equal(a->shape[k], b->shape[k]);
        assert_int_equal(kiln_ndarray_bytes(a), kiln_ndarray_bytes(b));
        if (kiln_ndarray_bytes(a) > 0) {
            assert_int_equal(a->dtype, b->dtype);
            assert_memory_equal(a->data, b->data, kiln_ndarray_bytes(a));
        }
    }
    assert_int_equal(back.arrays[3].ndim, 0);
    assert_int_equal(kiln_ndarray_size(&back.arrays[3]), 0);
    kiln_ndarray_list_free(&back);
    kiln_ndarray_list_free(&l);
}

/* A V1 record (no stype) and a pre-V1 record (no magic, u32 dims). */
static void test_reads_v1_and_pre_v1(void **state)
{
    (void)state;
    bytes o;
    header(&o, 2);
    le(&o, 0xF993FAC8u, 4); /* V1 */
    le(&o, 2, 4);
    le(&o, 3, 8);
    le(&o, 2, 8);
    le(&o, 1, 4);
    le(&o, 0, 4);
    le(&o, 0, 4);
    raw(&o, zero_to_five, sizeof zero_to_five);
    le(&o, 1, 4); /* pre-V1: ndim 1 */
    le(&o, 2, 4);
    le(&o, 2, 4); /* gpu 0: read as is */
    le(&o, 0, 4);
    le(&o, 4, 4); /* int32 */
    le(&o, 0xFFFFFFFFu, 4);
    le(&o, 9, 4);
    le(&o, 0, 8);
    kiln_ndarray_list l;
    kiln_error err;
    assert_int_equal(decode(&o, &l, &err), KILN_OK);
    assert_int_equal(l.count, 2);
    assert_false(l.named);
    assert_int_equal(l.arrays[0].shape[0], 3);
    assert_int_equal(l.arrays[0].shape[1], 2);
    assert_memory_equal(l.arrays[0].data, zero_to_five, sizeof zero_to_five);
    assert_int_equal(l.arrays[1].dtype, KILN_ND_INT32);
    assert_int_equal(l.arrays[1].ndim, 1);
    const int32_t *v = l.arrays[1].data;
    assert_int_equal(v[0], -1);
    assert_int_equal(v[1], 9);
    kiln_ndarray_list_free(&l);
}

/* Every proper prefix of a valid file is a KILN_DATA error. */
static void test_every_truncation_fails(void **state)
{
    (void)state;
    for (size_t n = 0; n < sizeof worked; n++) {
        kiln_ndarray_list l = {0};
        kiln_error err;
        kiln_error_init(&err);
        int rc = kiln_ndarray_decode(worked, n, "model_algo-1", &l, &err);
        assert_int_equal(rc, KILN_DATA);
        assert_int_equal(err.code, KILN_DATA);
        assert_non_null(strstr(err.message, "model_algo-1: "));
        assert_non_null(strstr(err.message, "byte "));
        assert_int_equal(l.count, 0);
    }
}

static void expect(const bytes *o, const char *message)
{
    kiln_ndarray_list l;
    kiln_error err;
    int rc = decode(o, &l, &err);
    if (rc != KILN_DATA || strcmp(err.message, message) != 0)
        fail_msg("rc %d, message\n  %s\nexpected\n  %s", rc, err.message,
                 message);
}

/* V2 record header with the given ndim and dims (none written for an
 * ndim out of range). */
static void v2(bytes *o, int32_t ndim, const int64_t *dims)
{
    le(o, 0xF993FAC9u, 4);
    le(o, 0, 4);
    le(o, (uint32_t)ndim, 4);
    for (int i = 0; i < ndim && ndim <= KILN_ND_MAX_DIMS; i++)
        le(o, (uint64_t)dims[i], 8);
}

static void test_corrupt_files(void **state)
{
    (void)state;
    bytes o;
    int64_t dims[2] = {2, 3};

    o.n = 0;
    le(&o, 0x112, 8);
    le(&o, 0, 4);
    expect(&o, "model_algo-1: truncated at byte 8: expected the reserved "
               "word (uint64) (8 bytes), 4 left");
    o.n = 0;
    raw(&o, "PK\3\4zipzipzipzipzipzipzip", 24);
    expect(&o, "model_algo-1: byte 0: header 0x7A70697A04034B50, expected "
               "0x112 (an MXNet NDArray file as mx.nd.save writes)");

    header(&o, 1000000);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 16: 1000000 arrays cannot fit in the 8 "
               "bytes that follow");

    header(&o, 1);
    le(&o, 0x12345678u, 4);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 24, in array 0: expected an NDArray record "
               "magic (0xF993FAC9 V2, 0xF993FAC8 V1) or a pre-V1 ndim 0..8, "
               "found 0x12345678");

    header(&o, 1);
    v2(&o, 9, dims);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 32, in array 0: ndim 9, expected 0..8");

    header(&o, 1);
    v2(&o, -1, dims);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 32, in array 0: ndim -1, expected 0..8");

    header(&o, 1);
    le(&o, 0xF993FAC9u, 4);
    le(&o, 2, 4);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 28, in array 0: storage type 2 (csr), "
               "expected 0 (dense): kiln reads dense arrays only");

    header(&o, 1);
    le(&o, 0xF993FACAu, 4);
    le(&o, 0, 4);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 24, in array 0: record magic 0xF993FACA "
               "(V3, saved in numpy shape semantics), expected 0xF993FAC9 "
               "(V2): mx.nd.load refuses it too");

    int64_t neg[1] = {-5};
    header(&o, 1);
    v2(&o, 1, neg);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 36, in array 0: shape dim 0 is negative, "
               "expected >= 0");

    header(&o, 1);
    v2(&o, 2, dims);
    le(&o, 1, 4);
    le(&o, 0, 4);
    le(&o, 2, 4);
    expect(&o, "model_algo-1: byte 60, in array 0: dtype 2 (float16), "
               "expected 0 (float32), 1 (float64), 4 (int32) or 6 (int64)");

    header(&o, 1);
    v2(&o, 2, dims);
    le(&o, 7, 4);
    le(&o, 0, 4);
    expect(&o, "model_algo-1: byte 52, in array 0: context dev_type 7, "
               "expected 1 (cpu), 2 (gpu), 3 (cpu_pinned) or 5 (cpu_shared)");

    int64_t huge[3] = {INT64_MAX, INT64_MAX, 4};
    header(&o, 1);
    v2(&o, 3, huge);
    le(&o, 1, 4);
    le(&o, 0, 4);
    le(&o, 0, 4);
    expect(&o, "model_algo-1: byte 72, in array 0: shape (9223372036854775807, "
               "9223372036854775807, 4) of float32: the data size overflows, "
               "expected at most the 0 bytes left");

    int64_t big[2] = {1 << 20, 1 << 20};
    header(&o, 1);
    v2(&o, 2, big);
    le(&o, 1, 4);
    le(&o, 0, 4);
    le(&o, 1, 4);
    le(&o, 0, 8);
    expect(&o, "model_algo-1: byte 64, in array 0: truncated: shape (1048576, "
               "1048576) of float64 needs 8796093022208 bytes of data, 8 left");

    header(&o, 1);
    v2(&o, 0, NULL);
    le(&o, 2, 8);
    expect(&o, "model_algo-1: byte 36: 2 names for 1 arrays, expected 0 or 1");

    header(&o, 1);
    v2(&o, 0, NULL);
    le(&o, 1, 8);
    le(&o, 100, 8);
    raw(&o, "abc", 3);
    expect(&o, "model_algo-1: byte 44: truncated: name 0 of 100 bytes, 3 left");

    header(&o, 1);
    v2(&o, 0, NULL);
    le(&o, 1, 8);
    le(&o, 3, 8);
    raw(&o, "a\0c", 3);
    expect(&o, "model_algo-1: byte 52: name 0 contains a NUL byte");

    header(&o, 1);
    v2(&o, 0, NULL);
    le(&o, 0, 8);
    le(&o, 0, 2);
    expect(&o, "model_algo-1: byte 44: 2 bytes after the last name, expected "
               "the end of the file");
}

static void test_load_errors(void **state)
{
    (void)state;
    kiln_ndarray_list l;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_ndarray_load("/nonexistent/model_algo-1", &l, &err),
                     KILN_IO);
    assert_non_null(strstr(err.message, "/nonexistent/model_algo-1: cannot open"));
    char path[] = "/tmp/kiln-ndarray-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    kiln_error_init(&err);
    assert_int_equal(kiln_ndarray_load(path, &l, &err), KILN_DATA);
    char want[256];
    snprintf(want, sizeof want,
             "%s: truncated at byte 0: expected the NDArray list header "
             "0x112 (uint64) (8 bytes), 0 left", path);
    assert_string_equal(err.message, want);
    unlink(path);
    kiln_ndarray_list empty = {0};
    kiln_error_init(&err);
    assert_int_equal(kiln_ndarray_save("/nonexistent/dir/x", &empty, &err),
                     KILN_IO);
}

/* Random byte flips of the worked example never crash and either decode
 * or fail with KILN_DATA (the fuzzer does this at length). */
static void test_mutations_fail_cleanly(void **state)
{
    (void)state;
    unsigned char b[sizeof worked];
    uint32_t seed = 12345;
    for (int round = 0; round < 20000; round++) {
        memcpy(b, worked, sizeof b);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1664525u + 1013904223u;
            b[(seed >> 8) % sizeof b] = (unsigned char)(seed >> 24);
        }
        kiln_ndarray_list l = {0};
        kiln_error err;
        kiln_error_init(&err);
        int rc = kiln_ndarray_decode(b, sizeof b, "m", &l, &err);
        assert_true(rc == KILN_OK || rc == KILN_DATA);
        if (rc == KILN_OK)
            kiln_ndarray_list_free(&l);
        else
            assert_true(err.message[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example_encodes_byte_for_byte),
        cmocka_unit_test(test_worked_example_decodes),
        cmocka_unit_test(test_unnamed_list_layout),
        cmocka_unit_test(test_save_load_round_trip),
        cmocka_unit_test(test_reads_v1_and_pre_v1),
        cmocka_unit_test(test_every_truncation_fails),
        cmocka_unit_test(test_corrupt_files),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_mutations_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
