/* kiln — writing datasets in SageMaker's formats.
 *
 * The writers produce what the SageMaker Python SDK and the usual tools
 * produce, so files written here train in SageMaker and files from there
 * read here:
 *
 *   CSV       label first (when the dataset has labels), then the weight
 *             (with `weights`), then the features; no header; '\n' line
 *             ends.  Numbers in the shortest text that reads back as the
 *             same float32 ("0.1", "3", "1e-07", "nan", "inf", "-inf");
 *             a missing value (NaN) is an empty field.  Sparse datasets
 *             are written dense, absent entries as 0.
 *   libsvm    `label[:weight] index:value ...` with 0-based indices as
 *             sklearn's dump_svmlight_file(zero_based=True) writes them;
 *             dense rows list their non-zero, non-missing values; sparse
 *             rows their stored entries in stored order.  A dataset
 *             without labels writes label 0.
 *   RecordIO-protobuf  byte for byte what the SDK's
 *             write_numpy_to_dense_tensor (dense) and
 *             write_spmatrix_to_sparse_tensor (sparse: values, keys as
 *             uint64, shape [cols]) write: one Record per row,
 *             features["values"] and label["values"] (a one-value tensor)
 *             in the requested tensor types, each record framed with the
 *             magic 0xCED7230A, its length and zero padding to 4 bytes.
 *             Int32 tensors truncate toward zero as numpy's astype does;
 *             NaN in an Int32 tensor is a KILN_DATA error naming the row.
 *
 * Errors: KILN_IO naming the path, KILN_NOMEM, KILN_DATA.
 * Threads: reentrant.
 */
#ifndef KILN_ALGOS_DATA_WRITER_H
#define KILN_ALGOS_DATA_WRITER_H

#include "dataset.h"
#include "format.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kiln_tensor_type {
    KILN_TENSOR_FLOAT32 = 0, /* the default, and all Linear Learner takes */
    KILN_TENSOR_FLOAT64,
    KILN_TENSOR_INT32,
} kiln_tensor_type;

typedef struct kiln_write_opts {
    kiln_format format;            /* CSV, LIBSVM or RECORDIO */
    char delimiter;                /* CSV; 0 means ',' */
    bool weights;                  /* CSV/libsvm: write the weights too */
    kiln_tensor_type tensor;       /* RecordIO features */
    kiln_tensor_type label_tensor; /* RecordIO label */
    bool sparse;                   /* RecordIO: the sparse writer's records
                                      (a dense dataset writes its non-zero
                                      values); else dense records (a sparse
                                      dataset is expanded with zeros) */
} kiln_write_opts;

/* Append the encoding of rows [begin, end) of ds to out.  Records and
 * lines are self-contained, so encoding a dataset in pieces gives the same
 * bytes as encoding it at once. */
int kiln_data_encode(const kiln_dataset *ds, size_t begin, size_t end,
                     const kiln_write_opts *opts, kiln_buf *out,
                     kiln_error *err);

/* Write all of ds to path: to "path.tmp-XXXXXX" in the same directory,
 * then fsync and rename, so a reader never sees half a file.  A path
 * ending in ".gz" is gzip-compressed. */
int kiln_data_write(const char *path, const kiln_dataset *ds,
                    const kiln_write_opts *opts, kiln_error *err);

/* Write data[0..len) to path atomically, as kiln_data_write does (".gz"
 * compresses). */
int kiln_file_write(const char *path, const void *data, size_t len,
                    kiln_error *err);

/* The shortest text that strtof reads back as v (C locale): "0.1", "3",
 * "1e-07", "nan", "inf", "-inf".  Returns the length; out gets a NUL. */
size_t kiln_format_f32(float v, char out[32]);

/* One named float32 tensor of an inference response (below). */
typedef struct kiln_label_tensor {
    const char *name;     /* "score", "predicted_label", "projection" ... */
    size_t width;         /* values a row */
    const float *values;  /* rows x width, row-major */
} kiln_label_tensor;

/* Append one RecordIO-protobuf record per row whose `label` map holds the
 * n tensors' values of that row (at most 8 tensors), and no features: what
 * SageMaker's built-in algorithms answer with for Accept
 * application/x-recordio-protobuf (label["score"].float32_tensor ...). */
int kiln_recordio_encode_labels(const kiln_label_tensor *t, size_t n,
                                size_t rows, kiln_buf *out, kiln_error *err);

#endif
