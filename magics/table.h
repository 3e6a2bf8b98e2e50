/* kiln — tables as magics show them: text/html with a text/plain twin.
 *
 * A kiln_table is a grid of text cells under optional column headers.  It
 * renders as aligned plain text (columns padded by display width, counted
 * in UTF-8 code points, a dashed rule under the headers) and as an HTML
 * <table> with every cell escaped.  %who, %help and later listings (%jobs,
 * %endpoints) build their output with it.
 *
 * Ownership: kiln_table_new/free; cells and headers are copied.
 * Threads: one table, one thread.
 */
#ifndef KILN_MAGICS_TABLE_H
#define KILN_MAGICS_TABLE_H

#include "core/buf.h"
#include "core/bundle.h"

#include <stddef.h>

typedef struct kiln_table kiln_table;

/* A table of ncols (>= 1) columns; headers is NULL (no header row) or
 * ncols strings.  Returns NULL when out of memory or for ncols 0. */
kiln_table *kiln_table_new(size_t ncols, const char *const *headers);
void kiln_table_free(kiln_table *t);

/* Append a row of ncols cells (NULL cells are empty).  KILN_OK or
 * KILN_NOMEM. */
int kiln_table_add(kiln_table *t, const char *const *cells);
size_t kiln_table_rows(const kiln_table *t);

/* Append the rendering to out; `indent` spaces before each text line.
 * KILN_OK or KILN_NOMEM. */
int kiln_table_text(const kiln_table *t, size_t indent, kiln_buf *out);
int kiln_table_html(const kiln_table *t, kiln_buf *out);

/* Add the text/plain (without a final newline) and text/html renderings
 * to a bundle. */
int kiln_table_to_bundle(const kiln_table *t, kiln_bundle *b);

/* Append s[0..len) with &, <, >, " and ' escaped for HTML. */
int kiln_table_escape_html(kiln_buf *out, const char *s, size_t len);

#endif
