/* kiln — SageMaker content types and format detection.
 *
 * The training formats of the built-in algorithms (reference/
 * builtin-algorithms.md §0): text/csv (label first, no header;
 * `label_size=0` for none), text/libsvm, application/x-recordio-protobuf.
 * Accepted spellings, as SageMaker's containers accept them:
 *
 *   text/csv, csv                                         KILN_FORMAT_CSV
 *   text/libsvm, text/x-libsvm, libsvm                    KILN_FORMAT_LIBSVM
 *   application/x-recordio-protobuf, recordio-protobuf    KILN_FORMAT_RECORDIO
 *
 * Parameters after ';' (spaces allowed around them): `label_size=0|1`
 * (CSV only; SageMaker's k-NN/RCF spell the default `label_size=1`) and
 * `charset=utf-8`.  Any other parameter, or another value, is a
 * KILN_DATA error naming it: a silently ignored `label_size=2` would train
 * on the wrong columns.
 *
 * Detection (%head, and channels given without a content type) looks at
 * the bytes, not the name: gzip is the magic 1f 8b; RecordIO is the magic
 * 0a 23 d7 ce; text whose first data line has `index:value` tokens after
 * its first field is libsvm; other text is CSV.
 *
 * Threads: reentrant.
 */
#ifndef KILN_ALGOS_DATA_FORMAT_H
#define KILN_ALGOS_DATA_FORMAT_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kiln_format {
    KILN_FORMAT_UNKNOWN = 0, /* detect from the bytes */
    KILN_FORMAT_CSV,
    KILN_FORMAT_LIBSVM,
    KILN_FORMAT_RECORDIO,
} kiln_format;

typedef struct kiln_content_type {
    kiln_format format;
    bool no_label;  /* CSV: label_size=0 (a zeroed struct means the
                       default, label_size=1) */
} kiln_content_type;

/* Parse "text/csv; label_size=0" and the other spellings above.  NULL or
 * "" gives KILN_FORMAT_UNKNOWN (detect).  KILN_OK, or KILN_DATA with a
 * message naming the type or parameter and what is accepted. */
int kiln_content_type_parse(const char *text, kiln_content_type *out,
                            kiln_error *err);

/* The canonical MIME type: "text/csv", "text/libsvm",
 * "application/x-recordio-protobuf"; "" for UNKNOWN.  Static. */
const char *kiln_format_mime(kiln_format f);
/* The short name used by %split --format: "csv", "libsvm",
 * "recordio-protobuf"; "" for UNKNOWN.  Static. */
const char *kiln_format_name(kiln_format f);

/* True when head[0..n) starts with the gzip magic. */
bool kiln_format_is_gzip(const unsigned char *head, size_t n);

/* The format of (already decompressed) bytes head[0..n), n being what the
 * file had up to some kilobytes: KILN_FORMAT_RECORDIO for the RecordIO
 * magic, LIBSVM or CSV for text as described above; UNKNOWN for no bytes. */
kiln_format kiln_format_sniff(const unsigned char *head, size_t n);

/* CSV's field delimiter, sniffed from the first line of head[0..n) as
 * SageMaker's XGBoost container sniffs it: ',' when the line has one,
 * else the first of '\t', ';', '|' that it has, else ','. */
char kiln_format_sniff_delimiter(const char *head, size_t n);

#endif
