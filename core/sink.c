/* kiln — the output sink wrappers and traceback formatting (see sink.h). */
#include "sink.h"

#include "buf.h"
#include "strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kiln_sink_stream(const kiln_sink *s, kiln_stream which, const char *text,
                      size_t len)
{
    if (s && s->ops->stream && len > 0)
        s->ops->stream(s->ctx, which, text, len);
}

void kiln_sink_printf(const kiln_sink *s, kiln_stream which, const char *fmt,
                      ...)
{
    if (s == NULL || s->ops->stream == NULL)
        return;
    kiln_buf b;
    kiln_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    int rc = kiln_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (rc == KILN_OK)
        kiln_sink_stream(s, which, kiln_buf_str(&b), b.len);
    kiln_buf_fini(&b);
}

void kiln_sink_display(const kiln_sink *s, const kiln_bundle *b,
                       const char *display_id)
{
    if (s && s->ops->display)
        s->ops->display(s->ctx, b, display_id);
}

void kiln_sink_update_display(const kiln_sink *s, const kiln_bundle *b,
                              const char *display_id)
{
    if (s && s->ops->update_display)
        s->ops->update_display(s->ctx, b, display_id);
}

void kiln_sink_result(const kiln_sink *s, const kiln_bundle *b)
{
    if (s && s->ops->result)
        s->ops->result(s->ctx, b);
}

void kiln_sink_clear(const kiln_sink *s, bool wait)
{
    if (s && s->ops->clear)
        s->ops->clear(s->ctx, wait);
}

void kiln_sink_error(const kiln_sink *s, const kiln_error *err)
{
    if (s && s->ops->error)
        s->ops->error(s->ctx, err);
}

void kiln_sink_page(const kiln_sink *s, const kiln_bundle *b)
{
    if (s && s->ops->page)
        s->ops->page(s->ctx, b);
}

void kiln_traceback_free(char **lines, size_t count)
{
    kiln_strv_free(lines, count);
}

/* Append a copy of [p, p+n) to the line array. */
static int push_line(char ***lines, size_t *count, const char *p, size_t n)
{
    if (kiln_strv_push(lines, *count, p, n) != KILN_OK)
        return KILN_NOMEM;
    (*count)++;
    return KILN_OK;
}

int kiln_traceback_lines(const kiln_error *err, bool colour, char ***out,
                         size_t *out_count)
{
    char **lines = NULL;
    size_t count = 0;
    const char *p = err->context;
    while (*p != '\0') {
        size_t n = strcspn(p, "\n");
        if (push_line(&lines, &count, p, n) != KILN_OK)
            goto nomem;
        p += n;
        if (*p == '\n')
            p++;
    }

    kiln_buf last;
    kiln_buf_init(&last);
    int rc = colour ? kiln_buf_printf(&last, "\x1b[0;31m%s\x1b[0m: %s",
                                      kiln_status_ename(err->code),
                                      err->message)
                    : kiln_buf_printf(&last, "%s: %s",
                                      kiln_status_ename(err->code),
                                      err->message);
    if (rc == KILN_OK)
        rc = push_line(&lines, &count, kiln_buf_str(&last), last.len);
    kiln_buf_fini(&last);
    if (rc != KILN_OK)
        goto nomem;
    *out = lines;
    *out_count = count;
    return KILN_OK;
nomem:
    kiln_traceback_free(lines, count);
    return KILN_NOMEM;
}
