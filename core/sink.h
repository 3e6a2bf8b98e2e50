/* kiln — the output sink: the only way output leaves a cell.
 *
 * The interpreter (magics/) writes everything a cell shows through a
 * kiln_sink; the kernel (kernel/) implements one that turns each call into a
 * Jupyter IOPub message, and tests use the capturing sink (capture.h).  The
 * sink is a plain pair of an operations table and its context.
 *
 * Contract for every operation:
 *   - arguments are borrowed for the duration of the call; the sink copies
 *     what it keeps;
 *   - operations do not fail from the caller's point of view: a transport
 *     that cannot deliver logs and drops (the cell goes on);
 *   - they may be called from any thread that the cell started (worker
 *     threads of a training job), so implementations serialise internally.
 *
 * The convenience wrappers below skip a NULL sink or a NULL operation.
 */
#ifndef KILN_CORE_SINK_H
#define KILN_CORE_SINK_H

#include "bundle.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kiln_stream {
    KILN_STDOUT,
    KILN_STDERR,
} kiln_stream;

typedef struct kiln_sink_ops {
    /* Text on stdout or stderr (UTF-8, need not end in a newline). */
    void (*stream)(void *ctx, kiln_stream which, const char *text, size_t len);
    /* display_data; display_id may be NULL.  A later update with the same
     * id replaces this output in place. */
    void (*display)(void *ctx, const kiln_bundle *b, const char *display_id);
    /* update_display_data for an earlier display with this id. */
    void (*update_display)(void *ctx, const kiln_bundle *b,
                           const char *display_id);
    /* execute_result: the value of the cell's last bare expression. */
    void (*result)(void *ctx, const kiln_bundle *b);
    /* clear_output; wait = clear only when the next output arrives. */
    void (*clear)(void *ctx, bool wait);
    /* The error that ends the cell (ename from err->code). */
    void (*error)(void *ctx, const kiln_error *err);
    /* A pager payload (help text for `name?`), shown outside the outputs
     * by front ends that have a pager. */
    void (*page)(void *ctx, const kiln_bundle *b);
} kiln_sink_ops;

typedef struct kiln_sink {
    const kiln_sink_ops *ops;
    void *ctx;
} kiln_sink;

void kiln_sink_stream(const kiln_sink *s, kiln_stream which, const char *text,
                      size_t len);
/* printf-style text on a stream. */
void kiln_sink_printf(const kiln_sink *s, kiln_stream which, const char *fmt,
                      ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void kiln_sink_display(const kiln_sink *s, const kiln_bundle *b,
                       const char *display_id);
void kiln_sink_update_display(const kiln_sink *s, const kiln_bundle *b,
                              const char *display_id);
void kiln_sink_result(const kiln_sink *s, const kiln_bundle *b);
void kiln_sink_clear(const kiln_sink *s, bool wait);
void kiln_sink_error(const kiln_sink *s, const kiln_error *err);
void kiln_sink_page(const kiln_sink *s, const kiln_bundle *b);

/* The Jupyter traceback of an error as text lines: its context lines, then
 * "ename: message" (with ANSI colour when `colour`).  Fills *lines with a
 * heap array of heap strings; free with kiln_traceback_free.  Returns
 * KILN_OK or KILN_NOMEM. */
int kiln_traceback_lines(const kiln_error *err, bool colour, char ***lines,
                         size_t *count);
void kiln_traceback_free(char **lines, size_t count);

#endif
