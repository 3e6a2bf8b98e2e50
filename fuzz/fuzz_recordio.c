/* libFuzzer target: RecordIO-protobuf (algos/data/recordio.c) through
 * kiln_data_parse with the format forced.  Invariants: a failure carries
 * its code and a message; a parsed dataset is consistent (CSR offsets
 * ascend to nnz, indices below cols, labels iff the flag); and writing it
 * as dense and as sparse Float32 records, then reading those back, gives
 * the same values bit for bit (a sparse record drops -0.0, which then
 * reads as 0). */
#include "algos/data/parse.h"
#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Dense copies of wide sparse data would only measure malloc. */
enum { MAX_DENSE_VALUES = 1 << 20 };

static void check(bool ok)
{
    if (!ok)
        abort();
}

static bool same_bits(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void check_consistent(const kiln_dataset *ds)
{
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    bool labels = kiln_dataset_has_labels(ds);
    check(labels || kiln_dataset_labels(ds) == NULL);
    check(!labels || rows == 0 || kiln_dataset_labels(ds) != NULL);
    check(!kiln_dataset_has_weights(ds));
    if (!kiln_dataset_is_sparse(ds)) {
        check(rows == 0 || cols == 0 || kiln_dataset_dense(ds) != NULL);
        return;
    }
    const size_t *indptr = kiln_dataset_indptr(ds);
    const uint32_t *indices = kiln_dataset_indices(ds);
    check(indptr != NULL && indptr[0] == 0);
    for (size_t i = 0; i < rows; i++)
        check(indptr[i] <= indptr[i + 1]);
    check(indptr[rows] == kiln_dataset_nnz(ds));
    for (size_t k = 0; k < kiln_dataset_nnz(ds); k++)
        check(indices[k] < cols);
}

/* Write ds as RecordIO (sparse or dense Float32 records), read it back. */
static kiln_dataset *again(const kiln_dataset *ds, bool sparse)
{
    kiln_write_opts wo;
    memset(&wo, 0, sizeof wo);
    wo.format = KILN_FORMAT_RECORDIO;
    wo.sparse = sparse;
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_data_encode(ds, 0, kiln_dataset_rows(ds), &wo, &b, &err);
    if (rc == KILN_NOMEM) {
        kiln_buf_fini(&b);
        return NULL;
    }
    check(rc == KILN_OK);
    kiln_read_opts ro;
    memset(&ro, 0, sizeof ro);
    ro.type.format = KILN_FORMAT_RECORDIO;
    ro.threads = 1;
    kiln_dataset *back = NULL;
    rc = kiln_data_parse(b.data, b.len, "again.rec", &ro, &back, &err);
    kiln_buf_fini(&b);
    if (rc == KILN_NOMEM)
        return NULL;
    check(rc == KILN_OK);
    check(kiln_dataset_is_sparse(back) == sparse);
    check(kiln_dataset_rows(back) == kiln_dataset_rows(ds));
    check(kiln_dataset_has_labels(back) == kiln_dataset_has_labels(ds));
    check_consistent(back);
    return back;
}

/* A dense view of ds: itself, or a copy (*copy, to free) when sparse. */
static const float *dense_of(const kiln_dataset *ds, kiln_dataset **copy)
{
    *copy = NULL;
    if (!kiln_dataset_is_sparse(ds))
        return kiln_dataset_dense(ds);
    kiln_error err;
    kiln_error_init(&err);
    if (kiln_dataset_to_dense(ds, 0.0f, copy, &err) != KILN_OK)
        return NULL;
    return kiln_dataset_dense(*copy);
}

static void check_same(const kiln_dataset *ds, const kiln_dataset *back,
                       bool zero_sign)
{
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    check(kiln_dataset_cols(back) == cols);
    if (kiln_dataset_has_labels(ds))
        check(memcmp(kiln_dataset_labels(ds), kiln_dataset_labels(back),
                     rows * sizeof(float)) == 0);
    if (kiln_dataset_is_sparse(ds) && kiln_dataset_is_sparse(back)) {
        /* stored entries, in stored order */
        size_t nnz = kiln_dataset_nnz(ds);
        check(kiln_dataset_nnz(back) == nnz);
        check(nnz == 0 ||
              (memcmp(kiln_dataset_indices(ds), kiln_dataset_indices(back),
                      nnz * sizeof(uint32_t)) == 0 &&
               memcmp(kiln_dataset_values(ds), kiln_dataset_values(back),
                      nnz * sizeof(float)) == 0));
        return;
    }
    kiln_dataset *ca, *cb;
    const float *a = dense_of(ds, &ca), *b = dense_of(back, &cb);
    if (rows > 0 && cols > 0 && a != NULL && b != NULL)
        for (size_t k = 0; k < rows * cols; k++)
            check(same_bits(a[k], b[k]) ||
                  (!zero_sign && a[k] == 0 && b[k] == 0));
    kiln_dataset_free(ca);
    kiln_dataset_free(cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_read_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.type.format = KILN_FORMAT_RECORDIO;
    opts.threads = 1;
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = NULL;
    int rc = kiln_data_parse(data, size, "fuzz.rec", &opts, &ds, &err);
    if (rc != KILN_OK) {
        check(err.code == rc && err.message[0] != '\0');
        return 0;
    }
    check(ds != NULL);
    check_consistent(ds);
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    bool small = cols == 0 || rows <= MAX_DENSE_VALUES / cols;
    if (rows > 0) {
        kiln_dataset *back =
            kiln_dataset_is_sparse(ds) || small ? again(ds, true) : NULL;
        if (back != NULL) {
            check_same(ds, back, kiln_dataset_is_sparse(ds));
            kiln_dataset_free(back);
        }
        back = small ? again(ds, false) : NULL;
        if (back != NULL) {
            check_same(ds, back, true);
            kiln_dataset_free(back);
        }
    }
    kiln_dataset_free(ds);
    return 0;
}
