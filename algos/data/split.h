/* kiln — %split: an ordinary CSV file into SageMaker channels.
 *
 * The source is a CSV file (gzip too) as people have them: maybe a header
 * row, the label in any column, text labels.  The result is what
 * SageMaker's built-ins read: DIR/train/, DIR/validation/, DIR/test/,
 * each with one file, the label first, no header, in the chosen format.
 *
 * Rules (decided here; the magic's help repeats them):
 *   header   --header / --no-header, or detected: the first row is a header
 *            when the label is named by a word found in it, or when one of
 *            its fields is not a number where the second row has a number.
 *   label    a column name (with a header) or a 0-based column position as
 *            pandas' iloc counts (-1 = the last column).
 *   labels   all numbers: kept as written.  Otherwise each distinct text
 *            becomes a class 0..K-1 in sorted byte order (as sklearn's
 *            LabelEncoder numbers them); the caller gets the classes to
 *            print and save.  An empty label is an error naming the line.
 *   features every other column not dropped, in order, must hold numbers
 *            (empty = missing); a text value is an error naming the column
 *            (drop it, or make it the label).
 *   rows     shuffled with the seed (xoshiro256**, the same on every
 *            machine) unless shuffle is off, then cut by the fractions:
 *            channel sizes are floor(n * fraction), with the rows left by
 *            rounding going to the channels with the largest remainders,
 *            so the sizes add up to round(n * sum of fractions).  A channel
 *            with fraction 0 is not written.
 *   output   CSV keeps each number's text as written (trimmed, unquoted);
 *            libsvm and RecordIO-protobuf (Float32 tensors, dense) hold
 *            float32 values.  File names: DIR/train/train.csv,
 *            .../train.libsvm, .../train.pbr; written atomically.
 *
 * Errors: KILN_IO, KILN_DATA (with file, line and column), KILN_USAGE for
 * options that do not fit the file (an unknown label column, listing the
 * header), KILN_NOMEM, KILN_INTERRUPTED.
 * Ownership: kiln_split_result_fini frees what kiln_split filled.
 */
#ifndef KILN_ALGOS_DATA_SPLIT_H
#define KILN_ALGOS_DATA_SPLIT_H

#include "format.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { KILN_SPLIT_CHANNELS = 3 }; /* train, validation, test */

/* "train", "validation", "test". */
extern const char *const kiln_split_channel_names[KILN_SPLIT_CHANNELS];

typedef struct kiln_split_opts {
    const char *src;
    const char *label;   /* a column name or position */
    const char *drop;    /* columns left out: names or positions separated
                            by commas ("date,id"); NULL for none */
    const char *into;    /* the output directory (created) */
    double fractions[KILN_SPLIT_CHANNELS];
    uint64_t seed;
    bool shuffle;
    int header;          /* 1 yes, 0 no, -1 detect */
    kiln_format format;  /* CSV, LIBSVM or RECORDIO */
    kiln_cancel *cancel; /* may be NULL */
} kiln_split_opts;

typedef struct kiln_split_result {
    size_t rows;                          /* data rows in the source */
    size_t channel_rows[KILN_SPLIT_CHANNELS];
    char *paths[KILN_SPLIT_CHANNELS];     /* NULL for channels not written */
    bool header;                          /* a header row was there */
    char *label_name;                     /* header name or "column N" */
    size_t label_column;                  /* 0-based */
    char **feature_names;                 /* nfeatures: header names, or
                                             "column N" */
    size_t nfeatures;
    char **classes;                       /* text labels: class i's text;
                                             NULL when labels are numbers */
    size_t nclasses;
    char delimiter;
} kiln_split_result;

int kiln_split(const kiln_split_opts *opts, kiln_split_result *out,
               kiln_error *err);
void kiln_split_result_fini(kiln_split_result *r);

#endif
