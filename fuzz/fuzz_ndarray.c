/* libFuzzer target: MXNet NDArray files (algos/mxnet/ndarray.c), the
 * model artifacts of the first-party algorithms.  Invariants: a failure
 * is KILN_DATA (or KILN_NOMEM) with a message naming the file; a decoded
 * list is consistent (names iff named, data iff elements); and encoding
 * it, then decoding that, gives the same arrays bit for bit, and encoding
 * again the same bytes. */
#include "algos/mxnet/ndarray.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void check_consistent(const kiln_ndarray_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const kiln_ndarray *a = &l->arrays[i];
        check((a->name != NULL) == l->named);
        check(a->ndim >= 0 && a->ndim <= KILN_ND_MAX_DIMS);
        check((kiln_ndarray_bytes(a) > 0) == (a->data != NULL));
        for (int d = 0; d < a->ndim; d++)
            check(a->shape[d] >= 0);
    }
}

static void check_same(const kiln_ndarray_list *a, const kiln_ndarray_list *b)
{
    check(a->count == b->count && a->named == b->named);
    for (size_t i = 0; i < a->count; i++) {
        const kiln_ndarray *x = &a->arrays[i], *y = &b->arrays[i];
        check(x->ndim == y->ndim);
        check(memcmp(x->shape, y->shape, sizeof(int64_t) * (size_t)x->ndim) == 0);
        check(!a->named || strcmp(x->name, y->name) == 0);
        size_t n = kiln_ndarray_bytes(x);
        check(n == kiln_ndarray_bytes(y));
        if (n > 0)
            check(x->dtype == y->dtype && memcmp(x->data, y->data, n) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_ndarray_list l;
    int rc = kiln_ndarray_decode(data, size, "fuzz.params", &l, &err);
    if (rc != KILN_OK) {
        check(err.code == rc && (rc == KILN_DATA || rc == KILN_NOMEM));
        check(rc == KILN_NOMEM || strncmp(err.message, "fuzz.params: ", 13) == 0);
        return 0;
    }
    check_consistent(&l);

    kiln_buf once, twice;
    kiln_buf_init(&once);
    kiln_buf_init(&twice);
    rc = kiln_ndarray_encode(&l, &once, &err);
    check(rc == KILN_OK || rc == KILN_NOMEM);
    if (rc == KILN_OK) {
        kiln_ndarray_list back;
        check(kiln_ndarray_decode(once.data, once.len, "again", &back, &err) ==
              KILN_OK);
        check_same(&l, &back);
        check(kiln_ndarray_encode(&back, &twice, &err) == KILN_OK);
        check(twice.len == once.len &&
              memcmp(once.data, twice.data, once.len) == 0);
        kiln_ndarray_list_free(&back);
    }
    kiln_buf_fini(&twice);
    kiln_buf_fini(&once);
    kiln_ndarray_list_free(&l);
    return 0;
}
