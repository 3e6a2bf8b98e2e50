/* Test helper: a canonical text dump of what a cell sent to a capturing
 * sink, as stored in tests/magics/golden/<case>/expected.txt.
 *
 *   status: <ename of the returned status>
 *   stdout:                  a run of stream events: its stdout text, then
 *   | text                   its stderr text (so the order in which two
 *   stderr:                  pipes were read does not matter)
 *   | text
 *   display:                 display, result, page, update (id=...)
 *     text/plain:            each MIME entry in order: (json) or
 *     | 42                   (binary, N bytes) after the name when not text
 *   error: NameError
 *     message: ...
 *     context:
 *     |   Cell line 1
 *   clear: wait=false
 *
 * A text block (but the error context) whose text does not end in a
 * newline gets a last line "\ no newline".  Header-only: static functions for the test programs.
 */
#ifndef KILN_TESTS_MAGICS_DUMP_H
#define KILN_TESTS_MAGICS_DUMP_H

#include "core/buf.h"
#include "core/capture.h"

#include <stdbool.h>
#include <string.h>

static void dump_block(kiln_buf *out, const char *indent, const char *text,
                       size_t len, bool mark)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t n = nl != NULL ? (size_t)(nl - text) - i : len - i;
        kiln_buf_printf(out, "%s|%s%.*s\n", indent, n ? " " : "", (int)n,
                        text + i);
        i += n + (nl != NULL);
    }
    if (mark && (len == 0 || text[len - 1] != '\n'))
        kiln_buf_printf(out, "%s\\ no newline\n", indent);
}

static void dump_bundle(kiln_buf *out, const kiln_bundle *b)
{
    for (size_t i = 0; i < kiln_bundle_count(b); i++) {
        const char *mime, *data;
        kiln_bundle_kind kind;
        size_t len;
        kiln_bundle_get(b, i, &mime, &kind, &data, &len);
        if (kind == KILN_BUNDLE_BINARY) {
            kiln_buf_printf(out, "  %s: (binary, %zu bytes)\n", mime, len);
            continue;
        }
        kiln_buf_printf(out, "  %s%s:\n", mime,
                        kind == KILN_BUNDLE_JSON ? " (json)" : "");
        dump_block(out, "  ", data, len, true);
    }
    for (size_t i = 0; i < kiln_bundle_metadata_count(b); i++) {
        const char *key, *json;
        kiln_bundle_metadata_get(b, i, &key, &json);
        kiln_buf_printf(out, "  metadata %s: %s\n", key, json);
    }
}

/* Append the dump of every captured event and of the status to out. */
static void dump_events(const kiln_capture *c, int status, kiln_buf *out)
{
    kiln_buf_printf(out, "status: %s\n", kiln_status_ename(status));
    size_t n = kiln_capture_count(c);
    for (size_t i = 0; i < n;) {
        const kiln_event *e = kiln_capture_event(c, i);
        if (e->kind == KILN_EVENT_STREAM) {
            size_t j = i;
            while (j < n && kiln_capture_event(c, j)->kind == KILN_EVENT_STREAM)
                j++;
            for (int which = KILN_STDOUT; which <= KILN_STDERR; which++) {
                kiln_buf text;
                kiln_buf_init(&text);
                for (size_t k = i; k < j; k++) {
                    const kiln_event *s = kiln_capture_event(c, k);
                    if ((int)s->stream == which)
                        kiln_buf_append(&text, s->text, s->len);
                }
                if (text.len > 0) {
                    kiln_buf_printf(out, "%s:\n",
                                    which == KILN_STDOUT ? "stdout" : "stderr");
                    dump_block(out, "", text.data, text.len, true);
                }
                kiln_buf_fini(&text);
            }
            i = j;
            continue;
        }
        switch (e->kind) {
        case KILN_EVENT_DISPLAY:
            if (e->display_id != NULL)
                kiln_buf_printf(out, "display (id=%s):\n", e->display_id);
            else
                kiln_buf_puts(out, "display:\n");
            dump_bundle(out, e->bundle);
            break;
        case KILN_EVENT_UPDATE_DISPLAY:
            kiln_buf_printf(out, "update (id=%s):\n",
                            e->display_id ? e->display_id : "");
            dump_bundle(out, e->bundle);
            break;
        case KILN_EVENT_RESULT:
            kiln_buf_puts(out, "result:\n");
            dump_bundle(out, e->bundle);
            break;
        case KILN_EVENT_PAGE:
            kiln_buf_puts(out, "page:\n");
            dump_bundle(out, e->bundle);
            break;
        case KILN_EVENT_CLEAR:
            kiln_buf_printf(out, "clear: wait=%s\n",
                            e->wait ? "true" : "false");
            break;
        case KILN_EVENT_ERROR:
            kiln_buf_printf(out, "error: %s\n  message: %s\n",
                            kiln_status_ename(e->error.code),
                            e->error.message);
            if (e->error.context[0] != '\0') {
                kiln_buf_puts(out, "  context:\n");
                dump_block(out, "  ", e->error.context,
                           strlen(e->error.context), false);
            }
            break;
        default:
            break;
        }
        i++;
    }
}

#endif
