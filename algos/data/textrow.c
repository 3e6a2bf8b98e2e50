/* kiln — CSV records as text (textrow.h). */
#include "textrow.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void kiln_text_row_init(kiln_text_row *row)
{
    memset(row, 0, sizeof *row);
    kiln_buf_init(&row->text);
}

void kiln_text_row_fini(kiln_text_row *row)
{
    kiln_buf_fini(&row->text);
    free(row->starts);
    memset(row, 0, sizeof *row);
}

const char *kiln_text_row_field(const kiln_text_row *row, size_t i)
{
    return row->text.data + row->starts[i];
}

bool kiln_text_row_blank(const kiln_text_row *row)
{
    return row->count == 1 && kiln_text_row_field(row, 0)[0] == '\0';
}

/* Start a new field at the current end of the text. */
static int begin_field(kiln_text_row *row)
{
    if (row->count == row->cap) {
        size_t cap = row->cap ? row->cap * 2 : 16;
        size_t *s = realloc(row->starts, cap * sizeof *s);
        if (s == NULL)
            return KILN_NOMEM;
        row->starts = s;
        row->cap = cap;
    }
    row->starts[row->count++] = row->text.len;
    return KILN_OK;
}

int kiln_text_row_read(kiln_text_row *row, const char *p, size_t n,
                       size_t *pos, char delimiter, const char *file,
                       uint64_t *line, kiln_error *err)
{
    kiln_buf_clear(&row->text);
    row->count = 0;
    size_t i = *pos;
    uint64_t lines = 0;
    bool more = true;
    while (more) {
        if (begin_field(row) != KILN_OK)
            return kiln_error_nomem(err);
        if (i < n && p[i] == '"') {
            uint64_t opened = *line + lines;
            i++;
            for (;;) {
                const char *q = memchr(p + i, '"', n - i);
                if (q == NULL)
                    return kiln_error_set(err, KILN_DATA,
                                          "%s line %llu: a quoted field is "
                                          "never closed",
                                          file, (unsigned long long)opened);
                size_t k = (size_t)(q - p);
                for (size_t j = i; j < k; j++)
                    lines += p[j] == '\n';
                if (kiln_buf_append(&row->text, p + i, k - i) != KILN_OK)
                    return kiln_error_nomem(err);
                i = k + 1;
                if (i < n && p[i] == '"') { /* "" is a quote */
                    if (kiln_buf_putc(&row->text, '"') != KILN_OK)
                        return kiln_error_nomem(err);
                    i++;
                    continue;
                }
                break;
            }
            /* Text after the closing quote stays part of the field, as
             * Python's csv module keeps it. */
        }
        size_t start = i;
        while (i < n && p[i] != delimiter && p[i] != '\n')
            i++;
        size_t end = i;
        if (end > start && p[end - 1] == '\r' && (i >= n || p[i] == '\n'))
            end--;
        if (kiln_buf_append(&row->text, p + start, end - start) != KILN_OK ||
            kiln_buf_putc(&row->text, '\0') != KILN_OK)
            return kiln_error_nomem(err);
        if (i < n && p[i] == delimiter) {
            i++;
        } else {
            if (i < n) { /* '\n' */
                i++;
                lines++;
            }
            more = false;
        }
    }
    *pos = i;
    *line += lines;
    return KILN_OK;
}
