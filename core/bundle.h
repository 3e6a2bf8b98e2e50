/* kiln — a MIME bundle: the data of one display or result.
 *
 * A bundle is an ordered set of representations of one output, keyed by
 * MIME type ("text/plain", "text/html", "image/png", "application/json"),
 * plus metadata entries keyed by MIME type or by a top-level metadata name.
 * Three kinds of value:
 *   - TEXT: UTF-8 text, sent as a JSON string;
 *   - JSON: the text of a JSON value, sent as that value (application/json
 *     must be a real JSON object or array, not a string);
 *   - BINARY: raw bytes (a PNG), which the transport base64-encodes.
 * The bundle knows nothing of Jupyter or JSON libraries; the transport turns
 * it into a message, and a test sink can read the raw values back.
 *
 * Ownership: kiln_bundle_new/free; adders copy their arguments.  Adding a
 * MIME type that is already present replaces its value.
 * Threads: one bundle, one thread; a finished bundle may be read anywhere.
 */
#ifndef KILN_CORE_BUNDLE_H
#define KILN_CORE_BUNDLE_H

#include <stddef.h>

typedef enum kiln_bundle_kind {
    KILN_BUNDLE_TEXT,
    KILN_BUNDLE_JSON,
    KILN_BUNDLE_BINARY,
} kiln_bundle_kind;

typedef struct kiln_bundle kiln_bundle;

kiln_bundle *kiln_bundle_new(void);
void kiln_bundle_free(kiln_bundle *b);
/* A deep copy, or NULL when out of memory. */
kiln_bundle *kiln_bundle_copy(const kiln_bundle *b);

/* Each returns KILN_OK or KILN_NOMEM. */
int kiln_bundle_add_text(kiln_bundle *b, const char *mime, const char *text);
int kiln_bundle_add_json(kiln_bundle *b, const char *mime, const char *json_text);
int kiln_bundle_add_binary(kiln_bundle *b, const char *mime, const void *bytes,
                           size_t len);

/* Metadata: key is a MIME type (per-representation metadata) or a top-level
 * name such as "needs_background"; json_text is the value's JSON text. */
int kiln_bundle_set_metadata(kiln_bundle *b, const char *key,
                             const char *json_text);
/* Shorthand for {"width": w, "height": h} under `mime`, in CSS pixels. */
int kiln_bundle_set_image_size(kiln_bundle *b, const char *mime, int width,
                               int height);

size_t kiln_bundle_count(const kiln_bundle *b);
/* Entry i (0 <= i < count); any out-pointer may be NULL.  `data` is
 * NUL-terminated for TEXT and JSON values. */
void kiln_bundle_get(const kiln_bundle *b, size_t i, const char **mime,
                     kiln_bundle_kind *kind, const char **data, size_t *len);
/* The entry for `mime`, or NULL; *len gets its length when non-NULL. */
const char *kiln_bundle_find(const kiln_bundle *b, const char *mime,
                             size_t *len);

size_t kiln_bundle_metadata_count(const kiln_bundle *b);
void kiln_bundle_metadata_get(const kiln_bundle *b, size_t i, const char **key,
                              const char **json_text);

#endif
