/* kiln — the shell channel's requests: execute, complete, inspect,
 * is_complete, history, kernel_info, comms and shutdown; and aborting the
 * queue after an error (stop_on_error). */
#include "internal.h"

#include "core/log.h"
#include "core/utf8.h"

#include <string.h>
#include <zmq.h>

#ifndef KILN_VERSION
#define KILN_VERSION "0.0.0"
#endif

static void *shell_socket(kiln_kernel *k)
{
    return k->sockets[KILN_CHANNEL_SHELL];
}

/* Content getters that tolerate absent or mistyped fields: a request that
 * omits an optional field gets the protocol's default. */
static bool get_bool(const json_t *content, const char *name, bool fallback)
{
    json_t *v = json_object_get(content, name);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

static json_int_t get_int(const json_t *content, const char *name,
                          json_int_t fallback)
{
    json_t *v = json_object_get(content, name);
    return json_is_integer(v) ? json_integer_value(v) : fallback;
}

static const char *get_string(const json_t *content, const char *name)
{
    return json_string_value(json_object_get(content, name));
}

/* An error reply for a request whose content is unusable. */
static void reply_bad_request(kiln_kernel *k, const kiln_msg *req,
                              const char *reply_type, const char *why)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_error_set(&err, KILN_PROTOCOL, "%s: %s", req->msg_type, why);
    kiln_log(KILN_LOG_WARN, "%s", err.message);
    json_t *content = kiln_error_to_json(&err);
    if (content != NULL)
        json_object_set_new(content, "status", json_string("error"));
    kiln_reply(k, shell_socket(k), req, reply_type, content, NULL);
}

/* ---- kernel_info ---------------------------------------------------------- */

json_t *kiln_kernel_info(void)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s,"
        " s:{s:s, s:s, s:s, s:s, s:s, s:s},"
        " s:s, s:[{s:s, s:s}], s:b}",
        "status", "ok", "protocol_version", KILN_PROTOCOL_VERSION,
        "implementation", "kiln", "implementation_version", KILN_VERSION,
        "language_info", "name", KILN_LANGUAGE_NAME, "version",
        KILN_LANGUAGE_VERSION, "mimetype", KILN_LANGUAGE_MIMETYPE,
        "file_extension", KILN_LANGUAGE_EXTENSION, "pygments_lexer",
        "ipython3", "codemirror_mode", "ipython",
        "banner",
        "kiln " KILN_VERSION " - SageMaker's built-in algorithms, in-process.\n"
        "Type %lsmagic to list the magics, %help NAME for one of them.",
        "help_links", "text", "kiln magics", "url",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/algos.html",
        "debugger", 0);
}

static void handle_kernel_info(kiln_kernel *k, const kiln_msg *req)
{
    kiln_reply(k, shell_socket(k), req, "kernel_info_reply",
               kiln_kernel_info(), NULL);
}

/* ---- execute -------------------------------------------------------------- */

/* user_expressions: each name maps to a display-like dict or an error. */
static json_t *eval_user_expressions(kiln_kernel *k, const json_t *exprs)
{
    json_t *out = json_object();
    const char *name;
    json_t *expr;
    if (out == NULL || !json_is_object(exprs))
        return out;
    json_object_foreach((json_t *)exprs, name, expr) {
        kiln_error err;
        kiln_error_init(&err);
        kiln_bundle *b = NULL;
        json_t *entry = NULL;
        if (!json_is_string(expr)) {
            kiln_error_set(&err, KILN_TYPE,
                           "user expression '%s' must be a string", name);
        } else if (kiln_interp_eval(k->interp, json_string_value(expr), &b,
                                    &err) == KILN_OK) {
            json_t *data, *metadata;
            if (kiln_bundle_to_json(b, &data, &metadata) == KILN_OK)
                entry = json_pack("{s:s, s:o, s:o}", "status", "ok", "data",
                                  data, "metadata", metadata);
        }
        kiln_bundle_free(b);
        if (entry == NULL && kiln_error_is_set(&err)) {
            entry = kiln_error_to_json(&err);
            if (entry != NULL)
                json_object_set_new(entry, "status", json_string("error"));
        }
        if (entry != NULL)
            json_object_set_new(out, name, entry);
    }
    return out;
}

static void abort_queue(kiln_kernel *k);

static void handle_execute(kiln_kernel *k, const kiln_msg *req)
{
    const char *code = get_string(req->content, "code");
    if (code == NULL) {
        reply_bad_request(k, req, "execute_reply", "missing string 'code'");
        return;
    }
    bool silent = get_bool(req->content, "silent", false);
    bool store_history = !silent && get_bool(req->content, "store_history",
                                             true);
    bool stop_on_error = get_bool(req->content, "stop_on_error", true);

    /* As ipykernel does, every non-silent execution takes a new number
     * (the spec ties it to store_history; clients follow ipykernel). */
    if (!silent) {
        k->execution_count++;
        kiln_publish(k, req->header, "execute_input",
                     json_pack("{s:s, s:i}", "code", code, "execution_count",
                               k->execution_count));
    }
    char started[32];
    kiln_wire_now(started);

    kiln_iopub_sink out;
    kiln_iopub_sink_init(&out, k, req->header, k->execution_count, silent);
    kiln_sink sink = kiln_iopub_sink_get(&out);
    kiln_exec_opts opts = {.execution_count = k->execution_count,
                           .silent = silent};
    kiln_error err;
    kiln_error_init(&err);
    kiln_cancel_reset(&k->cancel);
    int rc = kiln_interp_execute(k->interp, code, &opts, &sink, &err);

    if (store_history &&
        kiln_history_add(k->history, k->execution_count, code,
                         out.result_text) != KILN_OK)
        kiln_log(KILN_LOG_WARN, "out of memory storing history");

    json_t *content;
    if (rc == KILN_OK) {
        content = json_pack("{s:s, s:i, s:O, s:o}", "status", "ok",
                            "execution_count", k->execution_count, "payload",
                            out.payload, "user_expressions",
                            eval_user_expressions(
                                k, json_object_get(req->content,
                                                   "user_expressions")));
    } else {
        if (!kiln_error_is_set(&err))
            kiln_error_set(&err, rc, "the cell failed");
        content = kiln_error_to_json(&err);
        if (content != NULL) {
            json_object_set_new(content, "status", json_string("error"));
            json_object_set_new(content, "execution_count",
                                json_integer(k->execution_count));
            json_object_set(content, "payload", out.payload);
            json_object_set_new(content, "user_expressions", json_object());
        }
    }
    kiln_reply(k, shell_socket(k), req, "execute_reply", content,
               json_pack("{s:s, s:s}", "started", started, "status",
                         rc == KILN_OK ? "ok" : "error"));
    kiln_iopub_sink_fini(&out);

    if (rc != KILN_OK && stop_on_error && !silent)
        abort_queue(k);
}

/* After a failed cell, executions already queued behind it are answered
 * "aborted" without running: a "Run All" stops at the first error.  Other
 * requests in the queue are served normally.  Requests arriving after the
 * queue is drained run as usual. */
static void abort_queue(kiln_kernel *k)
{
    void *shell = shell_socket(k);
    /* A short first wait lets requests sent back-to-back with the failing
     * one arrive; afterwards only what is already queued is drained. */
    long timeout_ms = 5;
    for (;;) {
        zmq_pollitem_t item = {shell, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, timeout_ms);
        timeout_ms = 0;
        if (n <= 0)
            return;
        kiln_msg *req;
        if (kiln_recv_msg(k, shell, KILN_CHANNEL_SHELL, &req) != KILN_OK)
            continue;
        if (strcmp(req->msg_type, "execute_request") != 0) {
            kiln_shell_dispatch(k, req);
            continue;
        }
        kiln_publish_status(k, req->header, "busy");
        kiln_reply(k, shell, req, "execute_reply",
                   json_pack("{s:s, s:i}", "status", "aborted",
                             "execution_count", k->execution_count),
                   NULL);
        kiln_publish_status(k, req->header, "idle");
        kiln_msg_free(req);
    }
}

/* ---- complete, inspect, is_complete --------------------------------------- */

/* Jupyter's cursor_pos counts code points; the interpreter counts bytes.
 * A missing cursor means the end of the code. */
static size_t cursor_bytes(const json_t *content, const char *code)
{
    size_t len = strlen(code);
    json_int_t cp = get_int(content, "cursor_pos", -1);
    if (cp < 0)
        return len;
    return kiln_utf8_offset(code, len, (size_t)cp);
}

static void handle_complete(kiln_kernel *k, const kiln_msg *req)
{
    const char *code = get_string(req->content, "code");
    if (code == NULL) {
        reply_bad_request(k, req, "complete_reply", "missing string 'code'");
        return;
    }
    size_t cursor = cursor_bytes(req->content, code);
    kiln_completion c;
    kiln_completion_init(&c);
    json_t *matches = json_array();
    if (kiln_interp_complete(k->interp, code, cursor, &c) == KILN_OK) {
        for (size_t i = 0; i < c.count; i++)
            json_array_append_new(matches, json_string(c.matches[i]));
    } else {
        c.cursor_start = c.cursor_end = cursor;
    }
    kiln_reply(k, shell_socket(k), req, "complete_reply",
               json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok",
                         "matches", matches, "cursor_start",
                         (json_int_t)kiln_utf8_count(code, c.cursor_start),
                         "cursor_end",
                         (json_int_t)kiln_utf8_count(code, c.cursor_end),
                         "metadata"),
               NULL);
    kiln_completion_fini(&c);
}

static void handle_inspect(kiln_kernel *k, const kiln_msg *req)
{
    const char *code = get_string(req->content, "code");
    if (code == NULL) {
        reply_bad_request(k, req, "inspect_reply", "missing string 'code'");
        return;
    }
    bool found = false;
    kiln_bundle *b = NULL;
    json_t *data = NULL, *metadata = NULL;
    int detail = (int)get_int(req->content, "detail_level", 0);
    if (kiln_interp_inspect(k->interp, code, cursor_bytes(req->content, code),
                            detail, &found, &b) == KILN_OK &&
        found && b != NULL)
        kiln_bundle_to_json(b, &data, &metadata);
    kiln_bundle_free(b);
    if (data == NULL) {
        found = false;
        data = json_object();
        metadata = json_object();
    }
    kiln_reply(k, shell_socket(k), req, "inspect_reply",
               json_pack("{s:s, s:b, s:o, s:o}", "status", "ok", "found",
                         found, "data", data, "metadata", metadata),
               NULL);
}

static void handle_is_complete(kiln_kernel *k, const kiln_msg *req)
{
    const char *code = get_string(req->content, "code");
    if (code == NULL) {
        reply_bad_request(k, req, "is_complete_reply",
                          "missing string 'code'");
        return;
    }
    const char *indent = "";
    static const char *const names[] = {"complete", "incomplete", "invalid",
                                        "unknown"};
    kiln_completeness c = kiln_interp_is_complete(k->interp, code, &indent);
    json_t *content = json_pack("{s:s}", "status", names[c]);
    if (c == KILN_INCOMPLETE)
        json_object_set_new(content, "indent",
                            json_string(indent ? indent : ""));
    kiln_reply(k, shell_socket(k), req, "is_complete_reply", content, NULL);
}

/* ---- history -------------------------------------------------------------- */

static void handle_history(kiln_kernel *k, const kiln_msg *req)
{
    const json_t *c = req->content;
    const char *type = get_string(c, "hist_access_type");
    bool output = get_bool(c, "output", false);
    json_t *history = NULL;
    if (type == NULL) {
        reply_bad_request(k, req, "history_reply",
                          "missing hist_access_type (tail, range or search)");
        return;
    }
    if (strcmp(type, "tail") == 0) {
        history = kiln_history_tail(k->history, (int)get_int(c, "n", 10),
                                    output);
    } else if (strcmp(type, "range") == 0) {
        history = kiln_history_range(
            k->history, (int)get_int(c, "session", 0),
            (int)get_int(c, "start", 0), (int)get_int(c, "stop", 0), output);
    } else if (strcmp(type, "search") == 0) {
        const char *pattern = get_string(c, "pattern");
        history = kiln_history_search(k->history, pattern ? pattern : "*",
                                      (int)get_int(c, "n", 0),
                                      get_bool(c, "unique", false), output);
    } else {
        reply_bad_request(k, req, "history_reply",
                          "hist_access_type must be tail, range or search");
        return;
    }
    kiln_reply(k, shell_socket(k), req, "history_reply",
               json_pack("{s:s, s:o}", "status", "ok", "history",
                         history ? history : json_array()),
               NULL);
}

/* ---- comms ---------------------------------------------------------------- */

/* kiln registers no comm targets yet: comm_info lists none, and a
 * comm_open is closed at once so the front end does not wait on it. */
static void handle_comm_info(kiln_kernel *k, const kiln_msg *req)
{
    kiln_reply(k, shell_socket(k), req, "comm_info_reply",
               json_pack("{s:s, s:{}}", "status", "ok", "comms"), NULL);
}

static void handle_comm_open(kiln_kernel *k, const kiln_msg *req)
{
    const char *id = get_string(req->content, "comm_id");
    const char *target = get_string(req->content, "target_name");
    kiln_log(KILN_LOG_INFO, "comm_open for unknown target '%s'; closing it",
             target ? target : "");
    if (id != NULL)
        kiln_publish(k, req->header, "comm_close",
                     json_pack("{s:s, s:{}}", "comm_id", id, "data"));
}

static void handle_ignored(kiln_kernel *k, const kiln_msg *req)
{
    (void)k;
    kiln_log(KILN_LOG_DEBUG, "shell: %s needs no reply", req->msg_type);
}

static void handle_shutdown(kiln_kernel *k, const kiln_msg *req)
{
    kiln_handle_shutdown(k, shell_socket(k), req);
}

/* ---- dispatch ------------------------------------------------------------- */

typedef void (*shell_handler)(kiln_kernel *k, const kiln_msg *req);

static const struct {
    const char *msg_type;
    shell_handler handle;
} handlers[] = {
    {"execute_request", handle_execute},
    {"kernel_info_request", handle_kernel_info},
    {"complete_request", handle_complete},
    {"inspect_request", handle_inspect},
    {"is_complete_request", handle_is_complete},
    {"history_request", handle_history},
    {"comm_info_request", handle_comm_info},
    {"comm_open", handle_comm_open},
    {"comm_msg", handle_ignored},
    {"comm_close", handle_ignored},
    /* Deprecated on shell since 5.4, still sent by old clients. */
    {"shutdown_request", handle_shutdown},
};

void kiln_shell_dispatch(kiln_kernel *k, kiln_msg *req)
{
    kiln_iopub_await_subscriber(k, 100);
    kiln_publish_status(k, req->header, "busy");
    size_t i = 0;
    size_t n = sizeof handlers / sizeof handlers[0];
    while (i < n && strcmp(handlers[i].msg_type, req->msg_type) != 0)
        i++;
    if (i < n)
        handlers[i].handle(k, req);
    else
        kiln_log(KILN_LOG_WARN, "shell: unknown msg_type '%s' ignored",
                 req->msg_type);
    kiln_publish_status(k, req->header, "idle");
    kiln_msg_free(req);
}
