/* kiln — CSV records as text: the fields of a user's ordinary CSV file
 * (a header, strings, quotes), before it becomes a SageMaker channel.
 *
 * RFC 4180 as spreadsheets and pandas write it: fields separated by the
 * delimiter, a field may be double-quoted, "" in a quoted field is one
 * quote, and a quoted field may hold delimiters and line breaks.  A
 * record ends at an unquoted '\n' ("\r\n" too) or at the end of the
 * input.  Unquoted fields keep their text as written (%split trims blanks
 * when it reads numbers).
 *
 * %split and %head read with this; channels are read by reader.h.
 * Ownership: kiln_text_row_init/fini.  Threads: one row, one thread.
 */
#ifndef KILN_ALGOS_DATA_TEXTROW_H
#define KILN_ALGOS_DATA_TEXTROW_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kiln_text_row {
    kiln_buf text;  /* the fields, each NUL-terminated, one after another */
    size_t *starts; /* offset of field i in text.data */
    size_t count;   /* fields in the row */
    size_t cap;
} kiln_text_row;

void kiln_text_row_init(kiln_text_row *row);
void kiln_text_row_fini(kiln_text_row *row);

/* Read the record at p[*pos..n) into row (replacing what it held) and
 * move *pos past it; *line (1-based, the record's first line) advances by
 * the lines it spans.  KILN_OK; KILN_DATA for a quote left open, naming
 * `file` and the line where the field began; KILN_NOMEM. */
int kiln_text_row_read(kiln_text_row *row, const char *p, size_t n,
                       size_t *pos, char delimiter, const char *file,
                       uint64_t *line, kiln_error *err);

/* Field i's text (NUL-terminated), i < row->count. */
const char *kiln_text_row_field(const kiln_text_row *row, size_t i);

/* Whether the record is empty (a blank line: one empty field). */
bool kiln_text_row_blank(const kiln_text_row *row);

#endif
