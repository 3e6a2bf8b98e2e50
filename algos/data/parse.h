/* kiln — internal: the per-format parsers and encoders behind reader.c and
 * writer.c.  Not part of the data API; include reader.h / writer.h.
 *
 * The parsers work on chunks of bytes already in memory.  reader.c feeds
 * them: it reads files (gzip or plain), keeps a partial last line or
 * record for the next chunk, and for a whole-channel load hands slices of
 * one file, cut at line ends, to several threads, each with its own
 * context whose `line` says where its slice starts.
 */
#ifndef KILN_ALGOS_DATA_PARSE_H
#define KILN_ALGOS_DATA_PARSE_H

#include "dataset.h"
#include "writer.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a parser knows of the stream it is in.  reader.c fills the fields
 * marked "in"; parsers update the ones marked "in/out". */
typedef struct kiln_parse_ctx {
    const char *file;   /* in: name for messages */
    uint64_t line;      /* in/out, text: 1-based number of the chunk's first
                           line; advanced past the lines consumed */
    uint64_t record;    /* in/out, RecordIO: 1-based number of the next
                           record (multi-part records count once) */
    uint64_t offset;    /* in/out, RecordIO: file offset of the chunk */
    int label_size;     /* in, CSV: 0 or 1 */
    bool weights;       /* in, CSV: the column after the label is a weight */
    char delimiter;     /* in, CSV */
    size_t cols;        /* in/out: expected feature count; 0 until known,
                           then set by the first row (CSV: from its field
                           count; libsvm, RecordIO: an upper bound on
                           indices only when given by the user) */
    bool cols_fixed;    /* in: cols came from the user (an index or width
                           beyond it is an error) */
} kiln_parse_ctx;

/* ---- dense windows (dataset.c) --------------------------------------
 *
 * A parallel load reserves the whole dataset once and lets each worker
 * parse its slice straight into its rows: a window is a dataset over rows
 * [row0, row0 + rows) of ds's reserved storage that pushes rows there and
 * never grows (a push past its end is KILN_INTERNAL).  Freeing a window
 * frees only the window.  Afterwards the loader closes the gaps windows
 * left (blank lines) with move_rows and sets the row count. */
kiln_dataset *kiln__dataset_window(kiln_dataset *ds, size_t row0, size_t rows);
void kiln__dataset_move_rows(kiln_dataset *ds, size_t to, size_t from,
                             size_t rows);
void kiln__dataset_set_rows(kiln_dataset *ds, size_t rows);
/* Where the next dense row would go when the capacity holds it without
 * growing (a window, a reserved load), else NULL.  The RecordIO parser
 * lets protobuf-c unpack a record's features straight there. */
float *kiln__dataset_next_dense(kiln_dataset *ds);

/* Memory for a whole file or matrix (dataset.c): a private anonymous
 * mapping of at least `bytes`, 2 MiB-aligned, advised to use transparent
 * huge pages and populated at once; *mapped is its length, for
 * kiln__big_free.  NULL when out of memory. */
void *kiln__big_alloc(size_t bytes, size_t *mapped);
void kiln__big_free(void *p, size_t mapped);

/* ---- numbers --------------------------------------------------------- */

/* Parse s[0..n) (no surrounding blanks; the caller trims) as a float32 by
 * the rules in reader.h: decimal/exponent notation, nan/inf/infinity in
 * any case with a sign, correctly rounded to double and then to float (as
 * numpy reads float32 text).  An empty s is NaN (missing).  Returns false
 * when s is not a number. */
bool kiln_parse_f32(const char *s, size_t n, float *out);

/* ---- parsers ---------------------------------------------------------
 *
 * Each parses rows from p[0..n) and appends them to ds (whose flags the
 * caller chose to match: CSV dense with labels iff label_size == 1 and
 * weights iff weights; libsvm sparse with labels and weights; RecordIO as
 * kiln_recordio_peek said), stopping after max_rows rows or at the end of
 * the complete input.  *used is the bytes consumed (always whole lines or
 * whole records).  `final` says p ends the file: a last line without '\n'
 * is then complete; otherwise the parser leaves it (and, RecordIO, an
 * incomplete record) unconsumed for the caller to extend.  On error err
 * names ctx->file, the line or record, and what was expected, and the
 * return is KILN_DATA (or KILN_NOMEM). */

int kiln_csv_parse(kiln_parse_ctx *ctx, const char *p, size_t n, bool final,
                   size_t max_rows, size_t *used, kiln_dataset *ds,
                   kiln_error *err);

int kiln_libsvm_parse(kiln_parse_ctx *ctx, const char *p, size_t n,
                      bool final, size_t max_rows, size_t *used,
                      kiln_dataset *ds, kiln_error *err);

/* The field count of the first non-blank line of a CSV chunk, so that the
 * reader can fix cols before parallel slices start; 0 when p has no
 * complete line. */
size_t kiln_csv_first_fields(const char *p, size_t n, bool final,
                             char delimiter);

/* The layout of the first record in p[0..n): sparse or dense, whether it
 * has a label, its feature count (dense: values; sparse: shape[0]).
 * KILN_OK; KILN_DATA for bytes that are not a record (named as above);
 * when p does not yet hold a whole record, KILN_OK with *complete false. */
int kiln_recordio_peek(kiln_parse_ctx *ctx, const unsigned char *p, size_t n,
                       bool *complete, bool *sparse, bool *labels,
                       size_t *cols, kiln_error *err);

int kiln_recordio_parse(kiln_parse_ctx *ctx, const unsigned char *p,
                        size_t n, bool final, size_t max_rows, size_t *used,
                        kiln_dataset *ds, kiln_error *err);

/* ---- encoders (writer.h's kiln_data_encode, by format) --------------- */

int kiln_csv_encode(const kiln_dataset *ds, size_t begin, size_t end,
                    const kiln_write_opts *opts, kiln_buf *out,
                    kiln_error *err);
int kiln_libsvm_encode(const kiln_dataset *ds, size_t begin, size_t end,
                       const kiln_write_opts *opts, kiln_buf *out,
                       kiln_error *err);
int kiln_recordio_encode(const kiln_dataset *ds, size_t begin, size_t end,
                         const kiln_write_opts *opts, kiln_buf *out,
                         kiln_error *err);

#endif
