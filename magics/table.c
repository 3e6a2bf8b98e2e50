/* kiln — text and HTML tables (see table.h). */
#include "table.h"

#include "core/utf8.h"

#include "core/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct kiln_table {
    size_t ncols;
    char **headers; /* ncols strings, or NULL */
    char **cells;   /* rows * ncols strings, row-major */
    size_t rows;
};

static char *dup_cell(const char *s)
{
    return strdup(s != NULL ? s : "");
}

static void free_strings(char **s, size_t n)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* A heap array of n copies of src (NULL entries become ""), or NULL. */
static char **copy_strings(const char *const *src, size_t n)
{
    char **out = calloc(n, sizeof *out);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = dup_cell(src[i]);
        if (out[i] == NULL) {
            free_strings(out, i);
            return NULL;
        }
    }
    return out;
}

kiln_table *kiln_table_new(size_t ncols, const char *const *headers)
{
    if (ncols == 0)
        return NULL;
    kiln_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->ncols = ncols;
    if (headers != NULL) {
        t->headers = copy_strings(headers, ncols);
        if (t->headers == NULL) {
            free(t);
            return NULL;
        }
    }
    return t;
}

void kiln_table_free(kiln_table *t)
{
    if (t == NULL)
        return;
    free_strings(t->headers, t->headers ? t->ncols : 0);
    free_strings(t->cells, t->rows * t->ncols);
    free(t);
}

int kiln_table_add(kiln_table *t, const char *const *cells)
{
    char **row = copy_strings(cells, t->ncols);
    if (row == NULL)
        return KILN_NOMEM;
    char **grown =
        realloc(t->cells, (t->rows + 1) * t->ncols * sizeof *grown);
    if (grown == NULL) {
        free_strings(row, t->ncols);
        return KILN_NOMEM;
    }
    memcpy(grown + t->rows * t->ncols, row, t->ncols * sizeof *row);
    free(row);
    t->cells = grown;
    t->rows++;
    return KILN_OK;
}

size_t kiln_table_rows(const kiln_table *t)
{
    return t->rows;
}

static int pad(kiln_buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (kiln_buf_putc(out, ' ') != KILN_OK)
            return KILN_NOMEM;
    return KILN_OK;
}

/* One text line: cells padded to the column widths, two spaces apart, with
 * no trailing spaces. */
static int text_row(kiln_buf *out, char *const *row, const size_t *widths,
                    size_t ncols, size_t indent)
{
    if (pad(out, indent) != KILN_OK)
        return KILN_NOMEM;
    for (size_t c = 0; c < ncols; c++) {
        size_t n = strlen(row[c]);
        if (kiln_buf_append(out, row[c], n) != KILN_OK)
            return KILN_NOMEM;
        if (c + 1 < ncols &&
            pad(out, widths[c] - kiln_utf8_count(row[c], n) + 2) != KILN_OK)
            return KILN_NOMEM;
    }
    /* Trailing padding of empty last cells. */
    while (out->len > 0 && out->data[out->len - 1] == ' ')
        out->len--;
    out->data[out->len] = '\0';
    return kiln_buf_putc(out, '\n');
}

int kiln_table_text(const kiln_table *t, size_t indent, kiln_buf *out)
{
    size_t *widths = calloc(t->ncols, sizeof *widths);
    if (widths == NULL)
        return KILN_NOMEM;
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->headers != NULL)
            widths[c] = kiln_utf8_count(t->headers[c], strlen(t->headers[c]));
        for (size_t r = 0; r < t->rows; r++) {
            const char *cell = t->cells[r * t->ncols + c];
            size_t w = kiln_utf8_count(cell, strlen(cell));
            if (w > widths[c])
                widths[c] = w;
        }
    }
    int rc = KILN_OK;
    if (t->headers != NULL) {
        size_t total = 0;
        for (size_t c = 0; c < t->ncols; c++)
            total += widths[c] + (c + 1 < t->ncols ? 2 : 0);
        rc = text_row(out, t->headers, widths, t->ncols, indent);
        if (rc == KILN_OK)
            rc = pad(out, indent);
        for (size_t i = 0; i < total && rc == KILN_OK; i++)
            rc = kiln_buf_putc(out, '-');
        if (rc == KILN_OK)
            rc = kiln_buf_putc(out, '\n');
    }
    for (size_t r = 0; r < t->rows && rc == KILN_OK; r++)
        rc = text_row(out, t->cells + r * t->ncols, widths, t->ncols, indent);
    free(widths);
    return rc;
}

int kiln_table_escape_html(kiln_buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        int rc = rep != NULL ? kiln_buf_puts(out, rep)
                             : kiln_buf_putc(out, s[i]);
        if (rc != KILN_OK)
            return KILN_NOMEM;
    }
    return KILN_OK;
}

static int html_cells(kiln_buf *out, char *const *row, size_t ncols,
                      const char *tag)
{
    if (kiln_buf_puts(out, "<tr>") != KILN_OK)
        return KILN_NOMEM;
    for (size_t c = 0; c < ncols; c++) {
        if (kiln_buf_printf(out, "<%s>", tag) != KILN_OK ||
            kiln_table_escape_html(out, row[c], strlen(row[c])) != KILN_OK ||
            kiln_buf_printf(out, "</%s>", tag) != KILN_OK)
            return KILN_NOMEM;
    }
    return kiln_buf_puts(out, "</tr>\n");
}

int kiln_table_html(const kiln_table *t, kiln_buf *out)
{
    if (kiln_buf_puts(out, "<table>\n") != KILN_OK)
        return KILN_NOMEM;
    if (t->headers != NULL &&
        (kiln_buf_puts(out, "<thead>") != KILN_OK ||
         html_cells(out, t->headers, t->ncols, "th") != KILN_OK ||
         kiln_buf_puts(out, "</thead>\n") != KILN_OK))
        return KILN_NOMEM;
    if (kiln_buf_puts(out, "<tbody>\n") != KILN_OK)
        return KILN_NOMEM;
    for (size_t r = 0; r < t->rows; r++)
        if (html_cells(out, t->cells + r * t->ncols, t->ncols, "td") !=
            KILN_OK)
            return KILN_NOMEM;
    return kiln_buf_puts(out, "</tbody>\n</table>\n");
}

int kiln_table_to_bundle(const kiln_table *t, kiln_bundle *b)
{
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    int rc = kiln_table_text(t, 0, &text);
    if (rc == KILN_OK && text.len > 0) /* no final newline, as reprs */
        text.data[--text.len] = '\0';
    if (rc == KILN_OK)
        rc = kiln_table_html(t, &html);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/html", kiln_buf_str(&html));
    kiln_buf_fini(&html);
    kiln_buf_fini(&text);
    return rc;
}
