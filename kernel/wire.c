/* kiln — the Jupyter wire format (see wire.h). */
#include "wire.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- frame lists -------------------------------------------------------- */

void kiln_frames_init(kiln_frames *f)
{
    f->items = NULL;
    f->count = 0;
    f->cap = 0;
}

void kiln_frames_fini(kiln_frames *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->items[i].data);
    free(f->items);
    kiln_frames_init(f);
}

int kiln_frames_push_owned(kiln_frames *f, void *data, size_t len)
{
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        kiln_frame *items = realloc(f->items, cap * sizeof *items);
        if (items == NULL) {
            free(data);
            return KILN_NOMEM;
        }
        f->items = items;
        f->cap = cap;
    }
    f->items[f->count++] = (kiln_frame){data, len};
    return KILN_OK;
}

int kiln_frames_push(kiln_frames *f, const void *data, size_t len)
{
    /* One extra byte so that an empty frame still has a non-NULL pointer. */
    void *copy = malloc(len + 1);
    if (copy == NULL)
        return KILN_NOMEM;
    if (len > 0)
        memcpy(copy, data, len);
    return kiln_frames_push_owned(f, copy, len);
}

/* ---- signing ------------------------------------------------------------ */

struct kiln_wire_key {
    size_t len;
    unsigned char bytes[]; /* the key string's bytes, not hex-decoded */
};

int kiln_wire_key_new(const char *scheme, const char *key, size_t key_len,
                      kiln_wire_key **out, kiln_error *err)
{
    if (scheme != NULL && strcmp(scheme, "hmac-sha256") != 0)
        return kiln_error_set(err, KILN_VALUE,
                              "signature_scheme '%s' is not supported; "
                              "expected 'hmac-sha256'",
                              scheme);
    if (sodium_init() < 0)
        return kiln_error_set(err, KILN_INTERNAL,
                              "libsodium failed to initialise");
    kiln_wire_key *k = malloc(sizeof *k + key_len + 1);
    if (k == NULL)
        return kiln_error_set(err, KILN_NOMEM, "out of memory for the key");
    k->len = key_len;
    if (key_len > 0)
        memcpy(k->bytes, key, key_len);
    *out = k;
    return KILN_OK;
}

void kiln_wire_key_free(kiln_wire_key *k)
{
    if (k != NULL)
        sodium_memzero(k->bytes, k->len);
    free(k);
}

void kiln_wire_sign(const kiln_wire_key *k, const kiln_frame parts[4],
                    char hex[65])
{
    hex[0] = '\0';
    if (k == NULL || k->len == 0)
        return;
    /* The streaming API takes a key of any length; the one-shot
     * crypto_auth_hmacsha256 wants exactly 32 bytes. */
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, k->bytes, k->len);
    for (int i = 0; i < 4; i++)
        crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
}

/* ---- messages ----------------------------------------------------------- */

void kiln_msg_free(kiln_msg *m)
{
    if (m == NULL)
        return;
    kiln_frames_fini(&m->identities);
    kiln_frames_fini(&m->buffers);
    json_decref(m->header);
    json_decref(m->parent_header);
    json_decref(m->metadata);
    json_decref(m->content);
    free(m);
}

static const char *const part_names[4] = {"header", "parent_header",
                                          "metadata", "content"};

int kiln_wire_decode(const kiln_frame *frames, size_t n,
                     const kiln_wire_key *key, kiln_msg **out,
                     kiln_error *err)
{
    const size_t dlen = sizeof KILN_WIRE_DELIMITER - 1;
    size_t d = 0;
    while (d < n && !(frames[d].len == dlen &&
                      memcmp(frames[d].data, KILN_WIRE_DELIMITER, dlen) == 0))
        d++;
    if (d == n)
        return kiln_error_set(err, KILN_PROTOCOL,
                              "no <IDS|MSG> delimiter among %zu frames", n);
    if (n - d - 1 < 5)
        return kiln_error_set(err, KILN_PROTOCOL,
                              "%zu frames after <IDS|MSG>, expected at least "
                              "5 (signature, header, parent_header, "
                              "metadata, content)",
                              n - d - 1);

    const kiln_frame *sig = &frames[d + 1];
    const kiln_frame *parts = &frames[d + 2];
    if (key != NULL && key->len > 0) {
        char expected[65];
        kiln_wire_sign(key, parts, expected);
        if (sig->len == 0)
            return kiln_error_set(err, KILN_PROTOCOL, "unsigned message");
        if (sig->len != 64 || sodium_memcmp(expected, sig->data, 64) != 0)
            return kiln_error_set(err, KILN_PROTOCOL, "signature mismatch");
    }

    kiln_msg *m = calloc(1, sizeof *m);
    if (m == NULL)
        return kiln_error_set(err, KILN_NOMEM, "out of memory for a message");
    kiln_frames_init(&m->identities);
    kiln_frames_init(&m->buffers);
    json_t **slots[4] = {&m->header, &m->parent_header, &m->metadata,
                         &m->content};
    int rc = KILN_OK;
    for (int i = 0; i < 4; i++) {
        json_error_t jerr;
        *slots[i] = json_loadb(parts[i].data, parts[i].len, 0, &jerr);
        if (*slots[i] == NULL) {
            rc = kiln_error_set(err, KILN_PROTOCOL,
                                "%s is not valid JSON: %s (column %d)",
                                part_names[i], jerr.text, jerr.column);
            goto fail;
        }
        if (!json_is_object(*slots[i])) {
            rc = kiln_error_set(err, KILN_PROTOCOL,
                                "%s is not a JSON object", part_names[i]);
            goto fail;
        }
    }
    m->msg_type = json_string_value(json_object_get(m->header, "msg_type"));
    m->msg_id = json_string_value(json_object_get(m->header, "msg_id"));
    if (m->msg_type == NULL) {
        rc = kiln_error_set(err, KILN_PROTOCOL,
                            "header has no string msg_type");
        goto fail;
    }
    if (m->msg_id == NULL) {
        rc = kiln_error_set(err, KILN_PROTOCOL, "header has no string msg_id");
        goto fail;
    }
    for (size_t i = 0; i < d; i++)
        if (kiln_frames_push(&m->identities, frames[i].data, frames[i].len))
            goto nomem;
    for (size_t i = d + 6; i < n; i++)
        if (kiln_frames_push(&m->buffers, frames[i].data, frames[i].len))
            goto nomem;
    *out = m;
    return KILN_OK;
nomem:
    rc = kiln_error_set(err, KILN_NOMEM, "out of memory for a message");
fail:
    kiln_msg_free(m);
    return rc;
}

static int push_json(kiln_frames *out, const json_t *value, const char *what,
                     kiln_error *err)
{
    char *text;
    if (value == NULL)
        text = strdup("{}");
    else
        text = json_dumps(value, JSON_COMPACT);
    if (text == NULL)
        return kiln_error_set(err, KILN_VALUE, "cannot serialise the %s",
                              what);
    if (kiln_frames_push_owned(out, text, strlen(text)) != KILN_OK)
        return kiln_error_set(err, KILN_NOMEM, "out of memory for the %s",
                              what);
    return KILN_OK;
}

int kiln_wire_encode(const kiln_wire_key *key, const kiln_frames *identities,
                     const json_t *header, const json_t *parent,
                     const json_t *metadata, const json_t *content,
                     const kiln_frames *buffers, kiln_frames *out,
                     kiln_error *err)
{
    kiln_frames f;
    kiln_frames_init(&f);
    int rc = KILN_OK;
    if (identities != NULL)
        for (size_t i = 0; i < identities->count; i++)
            if (kiln_frames_push(&f, identities->items[i].data,
                                 identities->items[i].len))
                goto nomem;
    size_t first_part = f.count + 2;
    if (kiln_frames_push(&f, KILN_WIRE_DELIMITER,
                         sizeof KILN_WIRE_DELIMITER - 1) ||
        kiln_frames_push(&f, "", 0))
        goto nomem;
    const json_t *parts[4] = {header, parent, metadata, content};
    for (int i = 0; i < 4; i++)
        if ((rc = push_json(&f, parts[i], part_names[i], err)) != KILN_OK)
            goto fail;

    char hex[65];
    kiln_wire_sign(key, &f.items[first_part], hex);
    size_t hex_len = strlen(hex);
    kiln_frame *sig = &f.items[first_part - 1];
    char *sig_bytes = malloc(hex_len + 1);
    if (sig_bytes == NULL)
        goto nomem;
    memcpy(sig_bytes, hex, hex_len + 1);
    free(sig->data);
    *sig = (kiln_frame){sig_bytes, hex_len};

    if (buffers != NULL)
        for (size_t i = 0; i < buffers->count; i++)
            if (kiln_frames_push(&f, buffers->items[i].data,
                                 buffers->items[i].len))
                goto nomem;
    *out = f;
    return KILN_OK;
nomem:
    rc = kiln_error_set(err, KILN_NOMEM, "out of memory encoding a message");
fail:
    kiln_frames_fini(&f);
    return rc;
}

/* ---- headers ------------------------------------------------------------ */

struct kiln_wire_session {
    char id[37];
    char username[64];
    atomic_ullong counter;
};

kiln_wire_session *kiln_wire_session_new(const char *username)
{
    if (sodium_init() < 0)
        return NULL;
    kiln_wire_session *s = malloc(sizeof *s);
    if (s == NULL)
        return NULL;
    /* A random (version 4) UUID, fresh at each process start, so clients
     * can tell a restarted kernel from the old one. */
    unsigned char u[16];
    randombytes_buf(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
    snprintf(s->id, sizeof s->id,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
             u[10], u[11], u[12], u[13], u[14], u[15]);
    snprintf(s->username, sizeof s->username, "%s",
             username && *username ? username : "kernel");
    atomic_init(&s->counter, 0);
    return s;
}

void kiln_wire_session_free(kiln_wire_session *s)
{
    free(s);
}

const char *kiln_wire_session_id(const kiln_wire_session *s)
{
    return s->id;
}

void kiln_wire_now(char buf[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    /* Microseconds zero-padded to 6 digits, as jupyter_client parses. */
    snprintf(buf + n, 32 - n, ".%06uZ",
             (unsigned)(ts.tv_nsec / 1000) % 1000000u);
}

json_t *kiln_wire_header(kiln_wire_session *s, const char *msg_type)
{
    char msg_id[96];
    char date[32];
    unsigned long long n = atomic_fetch_add(&s->counter, 1) + 1;
    snprintf(msg_id, sizeof msg_id, "%s_%ld_%llu", s->id, (long)getpid(), n);
    kiln_wire_now(date);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", msg_id,
                     "session", s->id, "username", s->username, "date", date,
                     "msg_type", msg_type, "version", KILN_PROTOCOL_VERSION);
}
