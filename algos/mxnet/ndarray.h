/* kiln — MXNet NDArray files: what mx.nd.save writes and mx.nd.load reads.
 *
 * SageMaker's first-party algorithms ship their models as MXNet objects:
 * k-means' model_algo-1 is an unnamed list of one float32 array, PCA's a
 * dict of `mean`, `v` and `s`, and the Module checkpoints inside linear
 * learner's zip a dict with "arg:"-prefixed names.  The layout is in
 * shared/reference/builtin-algorithms.md §18: a 0x112 list header, V2
 * array records (magic 0xF993FAC9, dense storage, cpu context), then the
 * names.  kiln writes V2 records of dense arrays; it reads V2, V1 and the
 * pre-V1 layout, dense only.
 *
 * Ownership: a kiln_ndarray_list owns its arrays, names and data;
 * kiln_ndarray_list_free releases it.  Threads: no shared state.
 */
#ifndef KILN_ALGOS_MXNET_NDARRAY_H
#define KILN_ALGOS_MXNET_NDARRAY_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MXNet's type flags (mshadow TypeFlag) that kiln reads and writes. */
typedef enum kiln_ndarray_dtype {
    KILN_ND_FLOAT32 = 0,
    KILN_ND_FLOAT64 = 1,
    KILN_ND_INT32 = 4,
    KILN_ND_INT64 = 6,
} kiln_ndarray_dtype;

enum { KILN_ND_MAX_DIMS = 8 };

typedef struct kiln_ndarray {
    char *name;                     /* NULL in an unnamed list */
    kiln_ndarray_dtype dtype;
    int ndim;                       /* 0..KILN_ND_MAX_DIMS */
    int64_t shape[KILN_ND_MAX_DIMS];
    void *data;                     /* prod(shape) elements, row-major */
} kiln_ndarray;

typedef struct kiln_ndarray_list {
    size_t count;
    bool named;                     /* a dict (every array has a name) */
    kiln_ndarray *arrays;
} kiln_ndarray_list;

/* Elements and bytes of one array. */
size_t kiln_ndarray_size(const kiln_ndarray *a);
size_t kiln_ndarray_bytes(const kiln_ndarray *a);

/* Append a copy of data as a new array (name NULL for a list).  Returns
 * the array, or NULL with err set (KILN_NOMEM). */
kiln_ndarray *kiln_ndarray_list_add(kiln_ndarray_list *l, const char *name,
                                    kiln_ndarray_dtype dtype, int ndim,
                                    const int64_t *shape, const void *data,
                                    kiln_error *err);
/* The array called name, or NULL. */
const kiln_ndarray *kiln_ndarray_list_find(const kiln_ndarray_list *l,
                                           const char *name);
void kiln_ndarray_list_free(kiln_ndarray_list *l); /* zeroes *l */

/* Encode l as an NDArray file (appended to out) / write it to path. */
int kiln_ndarray_encode(const kiln_ndarray_list *l, kiln_buf *out,
                        kiln_error *err);
int kiln_ndarray_save(const char *path, const kiln_ndarray_list *l,
                      kiln_error *err);

/* Decode an NDArray file's bytes; `what` names them in messages ("model_algo-1").
 * Truncated or corrupt bytes are KILN_DATA naming the offset and what was
 * expected.  *out is filled only on KILN_OK. */
int kiln_ndarray_decode(const void *bytes, size_t len, const char *what,
                        kiln_ndarray_list *out, kiln_error *err);
int kiln_ndarray_load(const char *path, kiln_ndarray_list *out,
                      kiln_error *err);

#endif
