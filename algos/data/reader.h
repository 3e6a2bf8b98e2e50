/* kiln — reading a SageMaker channel into datasets.
 *
 * A channel is a file or a directory.  A directory is read as SageMaker
 * reads a channel's files: every regular file below it (subdirectories
 * included), in byte order of the path relative to the channel, skipping
 * names that start with '.' (editor and checkpoint files) and the
 * labels.json that %split leaves beside the channels.  Each file is read
 * whole in that order as one stream of rows; a file whose first bytes are
 * the gzip magic is decompressed as it is read (zlib), whatever its name.
 *
 * Formats (format.h) and what each reader does with odd values:
 *
 *   CSV     label in the first column (label_size=1, the default) or none
 *           (label_size=0); with `weights`, the column after the label is
 *           the row's weight (XGBoost's csv_weights=1).  No header.
 *           Delimiter sniffed per file (format.h).  Fields may be quoted
 *           ("1.5").  Numbers: decimal or exponent notation as strtod
 *           reads them in the C locale, no hex; surrounding blanks are
 *           ignored.  An empty field, "nan" or "NaN" (any case) is a
 *           missing value (NaN); "inf", "infinity" (any case, signed) are
 *           infinities, kept; values beyond float32 are infinities too.  A
 *           missing label is an error.  Blank lines and a final line
 *           without '\n' are fine; "\r\n" endings too.  Every line must
 *           have the first line's field count.
 *   libsvm  `label[:weight] [qid:N] index:value ...`, as xgboost's (dmlc)
 *           parser reads it: indices are taken as written, so 1-based
 *           files get an empty column 0, which SageMaker's XGBoost also
 *           does (it loads libsvm with 0-based indexing).  Indices must
 *           be < 2^32 - 1; they need not be sorted.  qid is accepted and
 *           ignored.  "# ..." comments to end of line are ignored.  The
 *           same number rules as CSV; an empty label is an error.
 *           Result: a sparse dataset.
 *   RecordIO-protobuf  aialgs.data.Record in RecordIO framing
 *           (reference/sagemaker-contract.md §6): features["values"] as a
 *           Float32, Float64 or Int32 tensor, dense or sparse (keys +
 *           shape), label["values"] (the first value of any tensor type)
 *           when present; multi-part records (cflag 1..3) are joined.  The
 *           first record decides the layout: a dense first record gives a
 *           dense dataset (a later sparse record is expanded with zeros),
 *           a sparse one a sparse dataset (a later dense record keeps all
 *           its values).  Float64 and Int32 values are converted to float32
 *           (beyond float32 → infinity).  NaN and infinities pass through.
 *
 * Errors are KILN_DATA (KILN_IO for files, KILN_NOMEM for memory,
 * KILN_INTERRUPTED when the cancel flag is set) and name the file, the
 * line (text) or record and byte offset (RecordIO), the column, and what
 * was expected:
 *     "train.csv line 17: 9 fields, expected 11"
 *     "train.csv line 3, column 3: not a number: 'abc'"
 *     "train.rec record 12 (byte 4096): features has no 'values' tensor"
 * Files are named by their path as given (the channel path joined with the
 * name below it).
 *
 * Ownership: kiln_reader_open/free; datasets are the caller's.
 * Threads: one reader, one thread; kiln_data_load may use worker threads
 * internally and returns after they finish.
 */
#ifndef KILN_ALGOS_DATA_READER_H
#define KILN_ALGOS_DATA_READER_H

#include "dataset.h"
#include "format.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kiln_read_opts {
    kiln_content_type type; /* format UNKNOWN: detect from the first file */
    bool weights;           /* CSV: the column after the label is a weight */
    size_t cols;            /* expected feature count; 0 = what the data
                               says.  Dense rows with another count are an
                               error; sparse indices must be below it. */
    kiln_cancel *cancel;    /* polled between chunks; may be NULL */
    unsigned threads;       /* kiln_data_load: parser threads, 0 = one per
                               core (at most 8) */
} kiln_read_opts;

/* ---- whole channel --------------------------------------------------- */

/* Read a whole channel (file or directory) into one new dataset.  Plain
 * files are parsed in parallel slices; gzip files stream.  *out is set
 * only on KILN_OK; an empty channel (no rows) is KILN_DATA. */
int kiln_data_load(const char *path, const kiln_read_opts *opts,
                   kiln_dataset **out, kiln_error *err);

/* Parse bytes already in memory (an HTTP body, a fuzzer input): `name`
 * stands for the file in messages.  gzip bytes are decompressed.  Zero
 * rows is fine here (an empty body gives an empty dataset). */
int kiln_data_parse(const void *data, size_t len, const char *name,
                    const kiln_read_opts *opts, kiln_dataset **out,
                    kiln_error *err);

/* ---- streaming ------------------------------------------------------- */

typedef struct kiln_reader kiln_reader;

/* Open a channel for reading in mini-batches.  Memory stays bounded by
 * the read buffer (1 MiB, more only for a single longer line or record)
 * plus the caller's batch, whatever the channel's size.  Fails with
 * KILN_IO for a missing path, KILN_DATA for an empty directory or a
 * content type that does not fit the bytes. */
int kiln_reader_open(const char *path, const kiln_read_opts *opts,
                     kiln_reader **out, kiln_error *err);
void kiln_reader_free(kiln_reader *r); /* NULL is fine */

/* Read up to max_rows (>= 1) rows into batch, which is cleared first and
 * must come from kiln_reader_batch_new.  At the end of the channel
 * the batch has 0 rows and KILN_OK is returned. */
int kiln_reader_next(kiln_reader *r, size_t max_rows, kiln_dataset *batch,
                     kiln_error *err);

/* A new empty dataset with the layout this reader produces (known once the
 * first file is open), for kiln_reader_next.  NULL when out of memory. */
kiln_dataset *kiln_reader_batch_new(const kiln_reader *r);

/* Start again from the first row of the first file (the next epoch). */
int kiln_reader_rewind(kiln_reader *r, kiln_error *err);

/* The format being read (detected or given). */
kiln_format kiln_reader_format(const kiln_reader *r);
/* Feature count known so far (from opts, or the first row read). */
size_t kiln_reader_cols(const kiln_reader *r);
/* The file being read now, and the channel's file count. */
const char *kiln_reader_file(const kiln_reader *r);
size_t kiln_reader_file_count(const kiln_reader *r);

#endif
