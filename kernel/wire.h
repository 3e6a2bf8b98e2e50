/* kiln — the Jupyter wire format: frames, HMAC-SHA256 signatures, and the
 * JSON parts of a message.
 *
 * A message on the wire is
 *     [identity ...] "<IDS|MSG>" signature header parent_header metadata
 *     content [buffer ...]
 * The signature is the lowercase hex HMAC-SHA256 of the four JSON frames'
 * exact bytes, keyed with the connection file's `key` (any length; an
 * empty key means unsigned: an empty signature is sent and nothing is
 * verified).  Verification is constant-time and happens before any JSON is
 * parsed.
 *
 * This module knows no sockets: it turns frames into a kiln_msg and back,
 * so it can be unit-tested and fuzzed.  kernel/channels.c moves frames.
 *
 * Ownership: kiln_wire_key_new/free, kiln_msg_free, kiln_frames_fini.
 * Threads: a key is immutable after creation and may be shared; messages
 * belong to one thread.
 */
#ifndef KILN_KERNEL_WIRE_H
#define KILN_KERNEL_WIRE_H

#include "core/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define KILN_WIRE_DELIMITER "<IDS|MSG>"
#define KILN_PROTOCOL_VERSION "5.3"

/* One frame: a byte range.  Decoding borrows frames; encoded frames own
 * their bytes. */
typedef struct kiln_frame {
    void *data;
    size_t len;
} kiln_frame;

/* A growable list of frames that owns its bytes. */
typedef struct kiln_frames {
    kiln_frame *items;
    size_t count, cap;
} kiln_frames;

void kiln_frames_init(kiln_frames *f);
void kiln_frames_fini(kiln_frames *f);
/* Append a copy of the bytes.  KILN_OK or KILN_NOMEM. */
int kiln_frames_push(kiln_frames *f, const void *data, size_t len);
/* Append, taking ownership of heap bytes `data` (freed with free()). */
int kiln_frames_push_owned(kiln_frames *f, void *data, size_t len);

typedef struct kiln_wire_key kiln_wire_key;

/* scheme must be "hmac-sha256" (anything else: KILN_VALUE naming it). */
int kiln_wire_key_new(const char *scheme, const char *key, size_t key_len,
                      kiln_wire_key **out, kiln_error *err);
void kiln_wire_key_free(kiln_wire_key *k);

/* Lowercase hex HMAC of the four parts into hex[65] (""  for an empty
 * key). */
void kiln_wire_sign(const kiln_wire_key *k, const kiln_frame parts[4],
                    char hex[65]);

/* A decoded message.  The JSON parts are owned (json_decref'd by
 * kiln_msg_free); identities and buffers are owned copies. */
typedef struct kiln_msg {
    kiln_frames identities;
    json_t *header;
    json_t *parent_header;
    json_t *metadata;
    json_t *content;
    kiln_frames buffers;
    const char *msg_type; /* borrowed from header */
    const char *msg_id;   /* borrowed from header */
} kiln_msg;

void kiln_msg_free(kiln_msg *m);

/* Decode frames received on a ROUTER socket.  Fails with KILN_PROTOCOL and a
 * message naming the problem ("no <IDS|MSG> delimiter", "signature
 * mismatch", "header is not a JSON object", "header has no msg_type", ...).
 * Signature problems are detected before any parsing. */
int kiln_wire_decode(const kiln_frame *frames, size_t n,
                     const kiln_wire_key *key, kiln_msg **out,
                     kiln_error *err);

/* Encode a message into frames: identities (may be NULL/0), delimiter,
 * signature, the four JSON parts (NULL parent/metadata mean {}), and
 * buffers (may be NULL/0).  JSON is written compact, UTF-8, without NaN.
 * KILN_OK, KILN_NOMEM or KILN_VALUE (unserialisable JSON). */
int kiln_wire_encode(const kiln_wire_key *key, const kiln_frames *identities,
                     const json_t *header, const json_t *parent,
                     const json_t *metadata, const json_t *content,
                     const kiln_frames *buffers, kiln_frames *out,
                     kiln_error *err);

/* The sender's identity for headers: one session id per process. */
typedef struct kiln_wire_session kiln_wire_session;

kiln_wire_session *kiln_wire_session_new(const char *username);
void kiln_wire_session_free(kiln_wire_session *s);
const char *kiln_wire_session_id(const kiln_wire_session *s);

/* A new header {msg_id, session, username, date, msg_type, version}; a new
 * reference, or NULL when out of memory.  msg_ids are unique per process
 * (session id + counter).  Thread-safe. */
json_t *kiln_wire_header(kiln_wire_session *s, const char *msg_type);

/* The current UTC time as ISO 8601 with microseconds and a Z, into
 * buf[32]. */
void kiln_wire_now(char buf[32]);

#endif
