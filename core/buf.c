/* kiln — growable byte buffer (see buf.h). */
#include "buf.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kiln_buf_init(kiln_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void kiln_buf_fini(kiln_buf *b)
{
    free(b->data);
    kiln_buf_init(b);
}

int kiln_buf_reserve(kiln_buf *b, size_t extra)
{
    if (extra > (size_t)-1 - b->len - 1)
        return KILN_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return KILN_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > (size_t)-1 / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return KILN_NOMEM;
    if (b->data == NULL)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return KILN_OK;
}

int kiln_buf_append(kiln_buf *b, const void *bytes, size_t n)
{
    if (kiln_buf_reserve(b, n) != KILN_OK)
        return KILN_NOMEM;
    if (n > 0)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return KILN_OK;
}

int kiln_buf_puts(kiln_buf *b, const char *s)
{
    return kiln_buf_append(b, s, strlen(s));
}

int kiln_buf_putc(kiln_buf *b, char c)
{
    return kiln_buf_append(b, &c, 1);
}

int kiln_buf_vprintf(kiln_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || kiln_buf_reserve(b, (size_t)n) != KILN_OK) {
        va_end(again);
        return KILN_NOMEM;
    }
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    va_end(again);
    b->len += (size_t)n;
    return KILN_OK;
}

int kiln_buf_printf(kiln_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = kiln_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void kiln_buf_clear(kiln_buf *b)
{
    b->len = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

const char *kiln_buf_str(const kiln_buf *b)
{
    return b->data != NULL ? b->data : "";
}

char *kiln_buf_steal(kiln_buf *b)
{
    char *p = b->data;
    if (p == NULL) {
        p = malloc(1);
        if (p != NULL)
            p[0] = '\0';
    }
    kiln_buf_init(b);
    return p;
}
