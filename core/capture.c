/* kiln — a recording sink (see capture.h). */
#include "capture.h"

#include "buf.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

struct kiln_capture {
    mtx_t lock;
    kiln_event *events;
    size_t count, cap;
    kiln_buf joined;
};

kiln_capture *kiln_capture_new(void)
{
    kiln_capture *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (mtx_init(&c->lock, mtx_plain) != thrd_success) {
        free(c);
        return NULL;
    }
    kiln_buf_init(&c->joined);
    return c;
}

static void event_fini(kiln_event *e)
{
    free(e->text);
    kiln_bundle_free(e->bundle);
    free(e->display_id);
}

void kiln_capture_reset(kiln_capture *c)
{
    mtx_lock(&c->lock);
    for (size_t i = 0; i < c->count; i++)
        event_fini(&c->events[i]);
    c->count = 0;
    mtx_unlock(&c->lock);
}

void kiln_capture_free(kiln_capture *c)
{
    if (c == NULL)
        return;
    kiln_capture_reset(c);
    free(c->events);
    kiln_buf_fini(&c->joined);
    mtx_destroy(&c->lock);
    free(c);
}

/* Append an event; the capture takes the event's heap members. */
static void push(kiln_capture *c, kiln_event e)
{
    mtx_lock(&c->lock);
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        kiln_event *grown = realloc(c->events, cap * sizeof *grown);
        if (grown == NULL) {
            mtx_unlock(&c->lock);
            kiln_log(KILN_LOG_ERROR, "capture: out of memory, event dropped");
            event_fini(&e);
            return;
        }
        c->events = grown;
        c->cap = cap;
    }
    c->events[c->count++] = e;
    mtx_unlock(&c->lock);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void on_stream(void *ctx, kiln_stream which, const char *text,
                      size_t len)
{
    kiln_event e = {.kind = KILN_EVENT_STREAM, .stream = which, .len = len};
    e.text = malloc(len + 1);
    if (e.text != NULL) {
        memcpy(e.text, text, len);
        e.text[len] = '\0';
    }
    push(ctx, e);
}

static void on_bundle(void *ctx, kiln_event_kind kind, const kiln_bundle *b,
                      const char *display_id)
{
    kiln_event e = {.kind = kind};
    e.bundle = kiln_bundle_copy(b);
    e.display_id = dup_or_null(display_id);
    push(ctx, e);
}

static void on_display(void *ctx, const kiln_bundle *b, const char *id)
{
    on_bundle(ctx, KILN_EVENT_DISPLAY, b, id);
}

static void on_update(void *ctx, const kiln_bundle *b, const char *id)
{
    on_bundle(ctx, KILN_EVENT_UPDATE_DISPLAY, b, id);
}

static void on_result(void *ctx, const kiln_bundle *b)
{
    on_bundle(ctx, KILN_EVENT_RESULT, b, NULL);
}

static void on_page(void *ctx, const kiln_bundle *b)
{
    on_bundle(ctx, KILN_EVENT_PAGE, b, NULL);
}

static void on_clear(void *ctx, bool wait)
{
    push(ctx, (kiln_event){.kind = KILN_EVENT_CLEAR, .wait = wait});
}

static void on_error(void *ctx, const kiln_error *err)
{
    push(ctx, (kiln_event){.kind = KILN_EVENT_ERROR, .error = *err});
}

static const kiln_sink_ops capture_ops = {
    .stream = on_stream,
    .display = on_display,
    .update_display = on_update,
    .result = on_result,
    .clear = on_clear,
    .error = on_error,
    .page = on_page,
};

kiln_sink kiln_capture_sink(kiln_capture *c)
{
    return (kiln_sink){&capture_ops, c};
}

size_t kiln_capture_count(const kiln_capture *c)
{
    return c->count;
}

const kiln_event *kiln_capture_event(const kiln_capture *c, size_t i)
{
    return i < c->count ? &c->events[i] : NULL;
}

size_t kiln_capture_count_kind(const kiln_capture *c, kiln_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++)
        n += c->events[i].kind == kind;
    return n;
}

const kiln_event *kiln_capture_first(const kiln_capture *c,
                                     kiln_event_kind kind)
{
    for (size_t i = 0; i < c->count; i++)
        if (c->events[i].kind == kind)
            return &c->events[i];
    return NULL;
}

const char *kiln_capture_stream_text(kiln_capture *c, kiln_stream which)
{
    kiln_buf_clear(&c->joined);
    for (size_t i = 0; i < c->count; i++) {
        const kiln_event *e = &c->events[i];
        if (e->kind == KILN_EVENT_STREAM && e->stream == which &&
            e->text != NULL)
            kiln_buf_append(&c->joined, e->text, e->len);
    }
    return kiln_buf_str(&c->joined);
}
