/* kiln — a sink that records what a cell outputs, for tests and for
 * evaluating user_expressions.
 *
 * Every sink call becomes one event, kept in order, with copies of its
 * arguments.  kiln_capture_sink() returns a kiln_sink that writes into the
 * capture; the capture must outlive every use of that sink.
 *
 * Ownership: kiln_capture_new/free.  Threads: calls are serialised with a
 * mutex, so a capture may be shared with worker threads.
 */
#ifndef KILN_CORE_CAPTURE_H
#define KILN_CORE_CAPTURE_H

#include "bundle.h"
#include "error.h"
#include "sink.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kiln_event_kind {
    KILN_EVENT_STREAM,
    KILN_EVENT_DISPLAY,
    KILN_EVENT_UPDATE_DISPLAY,
    KILN_EVENT_RESULT,
    KILN_EVENT_CLEAR,
    KILN_EVENT_ERROR,
    KILN_EVENT_PAGE,
} kiln_event_kind;

typedef struct kiln_event {
    kiln_event_kind kind;
    kiln_stream stream;      /* STREAM */
    char *text;              /* STREAM text (NUL-terminated), else NULL */
    size_t len;              /* STREAM text length */
    kiln_bundle *bundle;     /* DISPLAY, UPDATE_DISPLAY, RESULT, PAGE */
    char *display_id;        /* DISPLAY (may be NULL), UPDATE_DISPLAY */
    bool wait;               /* CLEAR */
    kiln_error error;        /* ERROR */
} kiln_event;

typedef struct kiln_capture kiln_capture;

kiln_capture *kiln_capture_new(void);
void kiln_capture_free(kiln_capture *c);
/* Forget all events. */
void kiln_capture_reset(kiln_capture *c);

kiln_sink kiln_capture_sink(kiln_capture *c);

size_t kiln_capture_count(const kiln_capture *c);
/* Event i, borrowed until the next reset or free. */
const kiln_event *kiln_capture_event(const kiln_capture *c, size_t i);
/* How many events of a kind. */
size_t kiln_capture_count_kind(const kiln_capture *c, kiln_event_kind kind);
/* The first event of a kind, or NULL. */
const kiln_event *kiln_capture_first(const kiln_capture *c,
                                     kiln_event_kind kind);
/* All text written to one stream, concatenated ("" if none); borrowed until
 * the next call on the capture. */
const char *kiln_capture_stream_text(kiln_capture *c, kiln_stream which);

#endif
