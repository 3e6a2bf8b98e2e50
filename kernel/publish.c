/* kiln — replies, IOPub messages, and the IOPub output sink. */
#include "internal.h"

#include "core/buf.h"
#include "core/log.h"
#include "core/utf8.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

/* Encode and send; on failure log one line naming the message. */
static void send_msg(kiln_kernel *k, void *sock, const kiln_frames *idents,
                     const json_t *header, const json_t *parent,
                     const json_t *metadata, const json_t *content)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_frames frames;
    const char *type = json_string_value(json_object_get(header, "msg_type"));
    if (kiln_wire_encode(k->key, idents, header, parent, metadata, content,
                         NULL, &frames, &err) != KILN_OK) {
        kiln_log(KILN_LOG_ERROR, "cannot encode %s: %s", type, err.message);
        return;
    }
    if (kiln_send_frames(sock, &frames, &err) != KILN_OK)
        kiln_log(KILN_LOG_WARN, "cannot send %s: %s", type, err.message);
    kiln_frames_fini(&frames);
}

void kiln_reply(kiln_kernel *k, void *sock, const kiln_msg *req,
                const char *msg_type, json_t *content, json_t *metadata)
{
    json_t *header = kiln_wire_header(k->session, msg_type);
    if (header == NULL || content == NULL) {
        kiln_log(KILN_LOG_ERROR, "out of memory replying %s", msg_type);
    } else {
        send_msg(k, sock, &req->identities, header, req->header, metadata,
                 content);
    }
    json_decref(header);
    json_decref(content);
    json_decref(metadata);
}

void kiln_publish(kiln_kernel *k, const json_t *parent, const char *msg_type,
                  json_t *content)
{
    json_t *header = kiln_wire_header(k->session, msg_type);
    kiln_frames topic;
    kiln_frames_init(&topic);
    if (header == NULL || content == NULL ||
        kiln_frames_push(&topic, msg_type, strlen(msg_type)) != KILN_OK) {
        kiln_log(KILN_LOG_ERROR, "out of memory publishing %s", msg_type);
    } else {
        mtx_lock(&k->iopub_lock);
        send_msg(k, k->sockets[KILN_CHANNEL_IOPUB], &topic, header, parent,
                 NULL, content);
        mtx_unlock(&k->iopub_lock);
    }
    kiln_frames_fini(&topic);
    json_decref(header);
    json_decref(content);
}

void kiln_publish_status(kiln_kernel *k, const json_t *parent,
                         const char *state)
{
    kiln_publish(k, parent, "status",
                 json_pack("{s:s}", "execution_state", state));
}

/* A client subscribes to IOPub a moment after it connects, and PUB drops
 * what is sent before that; jupyter_client only counts a kernel as ready
 * when a status follows its kernel_info_reply, and otherwise asks again
 * 200 ms later.  IOPub is an XPUB so the first request can wait for the
 * subscription instead.  Later (un)subscriptions are left unread: a
 * non-verbose XPUB queues only changes of the topic set, a few bytes each
 * time the last client leaves and a new one comes. */
void kiln_iopub_await_subscriber(kiln_kernel *k, int timeout_ms)
{
    mtx_lock(&k->iopub_lock);
    if (k->iopub_awaited) {
        mtx_unlock(&k->iopub_lock);
        return;
    }
    k->iopub_awaited = true;
    void *iopub = k->sockets[KILN_CHANNEL_IOPUB];
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long left = timeout_ms;
    while (left > 0) {
        zmq_pollitem_t item = {iopub, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, left);
        if (n > 0) {
            unsigned char frame[256];
            int got = zmq_recv(iopub, frame, sizeof frame, ZMQ_DONTWAIT);
            if (got > 0 && frame[0] == 1)
                break; /* a subscription: someone is listening */
        } else if (n == 0 || errno != EINTR) {
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
                             (now.tv_nsec - start.tv_nsec) / 1000000);
    }
    mtx_unlock(&k->iopub_lock);
}

/* ---- bundles and errors as JSON ---------------------------------------- */

/* A JSON string of arbitrary bytes: invalid UTF-8 becomes U+FFFD, since a
 * client drops a whole message that does not decode. */
static json_t *text_string(const char *s, size_t len)
{
    if (kiln_utf8_valid(s, len) && memchr(s, '\0', len) == NULL)
        return json_stringn(s, len);
    kiln_buf clean;
    kiln_buf_init(&clean);
    json_t *v = NULL;
    if (kiln_utf8_sanitize(s, len, &clean) == KILN_OK)
        v = json_stringn(kiln_buf_str(&clean), clean.len);
    kiln_buf_fini(&clean);
    return v;
}

static json_t *base64_string(const void *bytes, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *text = malloc(n);
    if (text == NULL)
        return NULL;
    sodium_bin2base64(text, n, bytes, len, sodium_base64_VARIANT_ORIGINAL);
    json_t *v = json_string(text);
    free(text);
    return v;
}

int kiln_bundle_to_json(const kiln_bundle *b, json_t **data_out,
                        json_t **metadata_out)
{
    json_t *data = json_object();
    json_t *metadata = json_object();
    if (data == NULL || metadata == NULL)
        goto nomem;
    for (size_t i = 0; i < kiln_bundle_count(b); i++) {
        const char *mime, *bytes;
        kiln_bundle_kind kind;
        size_t len;
        kiln_bundle_get(b, i, &mime, &kind, &bytes, &len);
        json_t *v = NULL;
        if (kind == KILN_BUNDLE_BINARY) {
            v = base64_string(bytes, len);
        } else if (kind == KILN_BUNDLE_JSON) {
            json_error_t jerr;
            v = json_loadb(bytes, len, JSON_DECODE_ANY, &jerr);
            if (v == NULL) {
                kiln_log(KILN_LOG_ERROR,
                         "bundle value for %s is not JSON (%s); sent as text",
                         mime, jerr.text);
                v = text_string(bytes, len);
            }
        } else {
            v = text_string(bytes, len);
        }
        if (v == NULL || json_object_set_new(data, mime, v) != 0)
            goto nomem;
    }
    for (size_t i = 0; i < kiln_bundle_metadata_count(b); i++) {
        const char *key, *text;
        kiln_bundle_metadata_get(b, i, &key, &text);
        json_error_t jerr;
        json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
        if (v == NULL) {
            kiln_log(KILN_LOG_ERROR, "metadata %s is not JSON: %s", key,
                     jerr.text);
            continue;
        }
        if (json_object_set_new(metadata, key, v) != 0)
            goto nomem;
    }
    *data_out = data;
    *metadata_out = metadata;
    return KILN_OK;
nomem:
    json_decref(data);
    json_decref(metadata);
    return KILN_NOMEM;
}

json_t *kiln_error_to_json(const kiln_error *err)
{
    char **lines = NULL;
    size_t count = 0;
    json_t *tb = json_array();
    json_t *out = NULL;
    if (tb == NULL || kiln_traceback_lines(err, true, &lines, &count))
        goto done;
    for (size_t i = 0; i < count; i++)
        if (json_array_append_new(
                tb, text_string(lines[i], strlen(lines[i]))) != 0)
            goto done;
    out = json_pack("{s:s, s:o, s:O}", "ename", kiln_status_ename(err->code),
                    "evalue",
                    text_string(err->message, strlen(err->message)),
                    "traceback", tb);
done:
    kiln_traceback_free(lines, count);
    json_decref(tb);
    return out;
}

/* ---- the IOPub sink ------------------------------------------------------ */

static void sink_stream(void *ctx, kiln_stream which, const char *text,
                        size_t len)
{
    kiln_iopub_sink *s = ctx;
    kiln_publish(s->k, s->parent, "stream",
                 json_pack("{s:s, s:o}", "name",
                           which == KILN_STDERR ? "stderr" : "stdout", "text",
                           text_string(text, len)));
}

/* display_data / update_display_data / execute_result content. */
static json_t *display_content(const kiln_bundle *b, const char *display_id)
{
    json_t *data, *metadata;
    if (kiln_bundle_to_json(b, &data, &metadata) != KILN_OK)
        return NULL;
    json_t *content = json_pack("{s:o, s:o}", "data", data, "metadata",
                                metadata);
    if (content != NULL && display_id != NULL)
        json_object_set_new(content, "transient",
                            json_pack("{s:s}", "display_id", display_id));
    return content;
}

static void sink_display(void *ctx, const kiln_bundle *b, const char *id)
{
    kiln_iopub_sink *s = ctx;
    kiln_publish(s->k, s->parent, "display_data", display_content(b, id));
}

static void sink_update(void *ctx, const kiln_bundle *b, const char *id)
{
    kiln_iopub_sink *s = ctx;
    if (id == NULL) {
        kiln_log(KILN_LOG_ERROR, "update_display without a display_id");
        return;
    }
    kiln_publish(s->k, s->parent, "update_display_data",
                 display_content(b, id));
}

static void sink_result(void *ctx, const kiln_bundle *b)
{
    kiln_iopub_sink *s = ctx;
    size_t len;
    const char *plain = kiln_bundle_find(b, "text/plain", &len);
    if (plain != NULL) {
        free(s->result_text);
        s->result_text = strndup(plain, len);
    }
    if (s->silent)
        return;
    json_t *content = display_content(b, NULL);
    if (content != NULL)
        json_object_set_new(content, "execution_count",
                            json_integer(s->execution_count));
    kiln_publish(s->k, s->parent, "execute_result", content);
}

static void sink_clear(void *ctx, bool wait)
{
    kiln_iopub_sink *s = ctx;
    kiln_publish(s->k, s->parent, "clear_output",
                 json_pack("{s:b}", "wait", wait));
}

static void sink_error(void *ctx, const kiln_error *err)
{
    kiln_iopub_sink *s = ctx;
    kiln_publish(s->k, s->parent, "error", kiln_error_to_json(err));
}

static void sink_page(void *ctx, const kiln_bundle *b)
{
    kiln_iopub_sink *s = ctx;
    json_t *data, *metadata;
    if (kiln_bundle_to_json(b, &data, &metadata) != KILN_OK)
        return;
    json_decref(metadata);
    json_array_append_new(s->payload, json_pack("{s:s, s:o, s:i}", "source",
                                                "page", "data", data, "start",
                                                0));
}

static const kiln_sink_ops iopub_ops = {
    .stream = sink_stream,
    .display = sink_display,
    .update_display = sink_update,
    .result = sink_result,
    .clear = sink_clear,
    .error = sink_error,
    .page = sink_page,
};

void kiln_iopub_sink_init(kiln_iopub_sink *s, kiln_kernel *k,
                          const json_t *parent, int execution_count,
                          bool silent)
{
    s->k = k;
    s->parent = parent;
    s->execution_count = execution_count;
    s->silent = silent;
    s->payload = json_array();
    s->result_text = NULL;
}

void kiln_iopub_sink_fini(kiln_iopub_sink *s)
{
    json_decref(s->payload);
    free(s->result_text);
}

kiln_sink kiln_iopub_sink_get(kiln_iopub_sink *s)
{
    return (kiln_sink){&iopub_ops, s};
}
