/* kiln — a dataset: the rows an algorithm trains or predicts on.
 *
 * A dataset is a matrix of float32 features, dense or sparse, with an
 * optional label and an optional weight per row:
 *
 *   dense   rows x cols values, row-major.  A missing value (an empty CSV
 *           field, "nan") is NaN; algorithms decide what NaN means
 *           (XGBoost learns a default direction, the linear ones refuse it).
 *   sparse  CSR: indptr[rows + 1], indices[nnz] (column numbers, ascending
 *           within a row as given), values[nnz].  An absent entry is 0 for
 *           RecordIO-protobuf and "missing" for libsvm, as the algorithm
 *           reading it decides (XGBoost: missing; the others: 0).
 *
 * Labels and weights are float32 (SageMaker's labels are numbers; class
 * labels are 0..K-1).  A dataset is built by appending rows; a streaming
 * reader reuses one as its batch with kiln_dataset_clear, which keeps the
 * capacity.
 *
 * Sizes: data-sized allocations fail softly with KILN_NOMEM and a message
 * stating the size ("cannot allocate 3.2 GB for 100000000 x 8 features").
 *
 * Ownership: kiln_dataset_new/free.  Pointers returned by the accessors
 * are borrowed and valid until the next call that adds rows, clears or
 * frees.  Threads: one dataset, one thread while building; read-only use
 * from several threads once built.
 */
#ifndef KILN_ALGOS_DATA_DATASET_H
#define KILN_ALGOS_DATA_DATASET_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kiln_dataset kiln_dataset;

/* kiln_dataset_new flags */
enum {
    KILN_DATASET_SPARSE = 1u << 0,  /* CSR storage, else dense */
    KILN_DATASET_LABELS = 1u << 1,  /* one label per row */
    KILN_DATASET_WEIGHTS = 1u << 2, /* one weight per row (default 1) */
};

/* An empty dataset.  cols: the feature count of every dense row; for a
 * sparse dataset the initial column count, which grows to the largest
 * index + 1 that rows bring (see kiln_dataset_set_cols).  NULL when out of
 * memory. */
kiln_dataset *kiln_dataset_new(unsigned flags, size_t cols);
void kiln_dataset_free(kiln_dataset *ds); /* NULL is fine */

/* Drop all rows, keep the layout, columns and capacity. */
void kiln_dataset_clear(kiln_dataset *ds);

size_t kiln_dataset_rows(const kiln_dataset *ds);
size_t kiln_dataset_cols(const kiln_dataset *ds);
unsigned kiln_dataset_flags(const kiln_dataset *ds);
bool kiln_dataset_is_sparse(const kiln_dataset *ds);
bool kiln_dataset_has_labels(const kiln_dataset *ds);
bool kiln_dataset_has_weights(const kiln_dataset *ds);

/* Dense: rows x cols floats, row-major (NULL for a sparse dataset, or
 * when there are no rows yet). */
const float *kiln_dataset_dense(const kiln_dataset *ds);
/* Sparse: CSR arrays (NULL for a dense dataset).  indptr has rows + 1
 * entries; indptr[0] is 0. */
const size_t *kiln_dataset_indptr(const kiln_dataset *ds);
const uint32_t *kiln_dataset_indices(const kiln_dataset *ds);
const float *kiln_dataset_values(const kiln_dataset *ds);
size_t kiln_dataset_nnz(const kiln_dataset *ds);
/* rows labels / weights, or NULL when the dataset has none. */
const float *kiln_dataset_labels(const kiln_dataset *ds);
const float *kiln_dataset_weights(const kiln_dataset *ds);

/* ---- building -------------------------------------------------------- */

/* Append one dense row and return where its cols features go (the caller
 * fills all of them), or NULL with err filled (KILN_NOMEM).  label and
 * weight are stored when the dataset has labels / weights. */
float *kiln_dataset_push_dense(kiln_dataset *ds, float label, float weight,
                               kiln_error *err);

/* Append one sparse row of nnz entries (indices need not be sorted; they
 * are stored as given).  The column count grows to the largest index + 1.
 * KILN_OK, or KILN_NOMEM with err filled. */
int kiln_dataset_push_sparse(kiln_dataset *ds, const uint32_t *indices,
                             const float *values, size_t nnz, float label,
                             float weight, kiln_error *err);

/* Raise a sparse dataset's column count (never lowers it): a RecordIO
 * record's shape, or the feature count of the channel it must match. */
void kiln_dataset_set_cols(kiln_dataset *ds, size_t cols);

/* Make room for `rows` more rows (and, sparse, `nnz` more entries) at once;
 * a hint, for readers that know the size.  KILN_OK or KILN_NOMEM. */
int kiln_dataset_reserve(kiln_dataset *ds, size_t rows, size_t nnz,
                         kiln_error *err);

/* Append all rows of src to dst.  Both must have the same layout and
 * label/weight flags; dense ones the same cols (else KILN_DATA naming both
 * counts); sparse dst takes the larger column count.  KILN_OK, KILN_DATA or
 * KILN_NOMEM. */
int kiln_dataset_append(kiln_dataset *dst, const kiln_dataset *src,
                        kiln_error *err);

/* A new dense copy of src; absent sparse entries become `fill` (0 for
 * RecordIO-protobuf semantics, NAN for libsvm's "missing").  *out is set
 * only on KILN_OK. */
int kiln_dataset_to_dense(const kiln_dataset *src, float fill,
                          kiln_dataset **out, kiln_error *err);

/* Feature j of row i, as a dense view would show it (absent sparse
 * entries are `fill`).  For previews and tests, not for hot loops. */
float kiln_dataset_get(const kiln_dataset *ds, size_t i, size_t j,
                       float fill);

#endif
