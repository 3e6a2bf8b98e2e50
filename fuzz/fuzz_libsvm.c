/* libFuzzer target: libsvm channels (algos/data/libsvm.c, number.c)
 * through kiln_data_parse, and the chunk parser directly.
 *
 * Input layout: byte 0 picks the feature count given (0 for none, else
 * 1..255 fixed); byte 1 where the direct parse splits the input; the rest
 * is the file.
 *
 * Invariants: a failure carries its code and a message; a dataset is
 * consistent CSR (indptr from 0, monotone, ending at nnz, indices below
 * cols); encoding it (with weights) and parsing the text again gives the
 * same rows, entries, labels and weights bit for bit (NaN as NaN);
 * parsing in two chunks (final=false, then the rest with final=true)
 * gives what one call gives, error message included.
 */
#include "algos/data/parse.h"
#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_float(float a, float b)
{
    return isnan(a) ? isnan(b) : memcmp(&a, &b, sizeof a) == 0;
}

static void check_shape(const kiln_dataset *ds)
{
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    if (rows == 0) /* an empty body: whatever layout, no rows */
        return;
    if (!kiln_dataset_is_sparse(ds) || !kiln_dataset_has_labels(ds) ||
        !kiln_dataset_has_weights(ds))
        abort();
    size_t nnz = kiln_dataset_nnz(ds);
    const size_t *indptr = kiln_dataset_indptr(ds);
    if (indptr == NULL || indptr[0] != 0 || indptr[rows] != nnz)
        abort();
    for (size_t i = 0; i < rows; i++) {
        if (indptr[i + 1] < indptr[i])
            abort();
        if (isnan(kiln_dataset_labels(ds)[i]) ||
            isnan(kiln_dataset_weights(ds)[i]))
            abort();
    }
    volatile float sink = 0;
    for (size_t k = 0; k < nnz; k++) {
        if (kiln_dataset_indices(ds)[k] >= cols)
            abort();
        sink += kiln_dataset_values(ds)[k];
    }
    (void)sink;
}

static bool same_dataset(const kiln_dataset *a, const kiln_dataset *b)
{
    size_t rows = kiln_dataset_rows(a), nnz = kiln_dataset_nnz(a);
    if (rows != kiln_dataset_rows(b) || nnz != kiln_dataset_nnz(b) ||
        kiln_dataset_cols(a) != kiln_dataset_cols(b))
        return false;
    for (size_t i = 0; i <= rows; i++)
        if (kiln_dataset_indptr(a)[i] != kiln_dataset_indptr(b)[i])
            return false;
    for (size_t i = 0; i < rows; i++)
        if (!same_float(kiln_dataset_labels(a)[i], kiln_dataset_labels(b)[i]) ||
            !same_float(kiln_dataset_weights(a)[i], kiln_dataset_weights(b)[i]))
            return false;
    for (size_t k = 0; k < nnz; k++)
        if (kiln_dataset_indices(a)[k] != kiln_dataset_indices(b)[k] ||
            !same_float(kiln_dataset_values(a)[k], kiln_dataset_values(b)[k]))
            return false;
    return true;
}

enum { SVM_FLAGS = KILN_DATASET_SPARSE | KILN_DATASET_LABELS |
                   KILN_DATASET_WEIGHTS };

/* kiln_libsvm_parse on the whole input, and in two chunks: same result. */
static void check_chunks(const char *text, size_t len, size_t split,
                         size_t cols)
{
    kiln_dataset *whole = kiln_dataset_new(SVM_FLAGS, 0);
    kiln_dataset *parts = kiln_dataset_new(SVM_FLAGS, 0);
    if (whole == NULL || parts == NULL)
        abort();
    kiln_parse_ctx c1, c2;
    memset(&c1, 0, sizeof c1);
    c1.file = "fuzz.libsvm";
    c1.line = 1;
    c1.label_size = 1;
    c1.cols = cols;
    c1.cols_fixed = cols > 0;
    c2 = c1;
    kiln_error e1, e2;
    kiln_error_init(&e1);
    kiln_error_init(&e2);
    size_t used1 = 0, used2 = 0, more = 0;
    int rc1 = kiln_libsvm_parse(&c1, text, len, true, SIZE_MAX, &used1, whole,
                                &e1);
    int rc2 = kiln_libsvm_parse(&c2, text, split, split == len, SIZE_MAX,
                                &used2, parts, &e2);
    if (used2 > split)
        abort();
    if (rc2 == KILN_OK && split < len) {
        rc2 = kiln_libsvm_parse(&c2, text + used2, len - used2, true, SIZE_MAX,
                                &more, parts, &e2);
        used2 += more;
    }
    if (rc1 != rc2 || (rc1 != KILN_OK && strcmp(e1.message, e2.message) != 0))
        abort();
    if (rc1 == KILN_OK &&
        (used1 != len || used2 != len || c1.line != c2.line ||
         c1.cols != c2.cols || !same_dataset(whole, parts)))
        abort();
    if (rc1 == KILN_OK)
        check_shape(whole);
    kiln_dataset_free(whole);
    kiln_dataset_free(parts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t cols = data[0];
    size_t split = data[1];
    data += 2;
    size -= 2;
    if (split > size)
        split = size;

    check_chunks((const char *)data, size, split, cols);

    kiln_read_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.type.format = KILN_FORMAT_LIBSVM;
    opts.cols = cols;
    opts.threads = 1;
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = NULL;
    int rc = kiln_data_parse(data, size, "fuzz.libsvm", &opts, &ds, &err);
    if (rc != KILN_OK) {
        if (err.code != rc || err.message[0] == '\0')
            abort();
        return 0;
    }
    check_shape(ds);

    /* Encode with weights, parse again: the same dataset. */
    kiln_write_opts w;
    memset(&w, 0, sizeof w);
    w.format = KILN_FORMAT_LIBSVM;
    w.weights = true;
    kiln_buf text;
    kiln_buf_init(&text);
    if (kiln_data_encode(ds, 0, kiln_dataset_rows(ds), &w, &text, &err) !=
        KILN_OK)
        abort();
    kiln_dataset *again = NULL;
    kiln_error_init(&err);
    if (kiln_data_parse(kiln_buf_str(&text), text.len, "again.libsvm", &opts,
                        &again, &err) != KILN_OK ||
        !same_dataset(ds, again))
        abort();
    kiln_dataset_free(again);
    kiln_buf_fini(&text);
    kiln_dataset_free(ds);
    return 0;
}
