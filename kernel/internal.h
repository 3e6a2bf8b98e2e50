/* kiln — what the files of kernel/ share (not part of the kernel's API).
 *
 * Sockets: shell and stdin belong to the main thread, control to the
 * control thread, hb to the heartbeat thread; iopub is shared and every
 * send on it holds iopub_lock.
 */
#ifndef KILN_KERNEL_INTERNAL_H
#define KILN_KERNEL_INTERNAL_H

#include "conn.h"
#include "history.h"
#include "kernel.h"
#include "magics/interp.h"
#include "wire.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <threads.h>

struct kiln_kernel {
    void *zctx;
    void *sockets[KILN__CHANNEL_COUNT];
    void *wake_recv; /* main thread: told to stop by the control thread */
    void *wake_send; /* control thread's end of the same pair */
    mtx_t iopub_lock;
    thrd_t control_thread, hb_thread;
    bool threads_started;

    kiln_wire_key *key;
    kiln_wire_session *session;
    kiln_cancel cancel;
    kiln_interp *interp;
    kiln_history *history;
    int execution_count;

    atomic_bool stopping;
    atomic_bool restart;
    bool iopub_awaited; /* under iopub_lock: the first-subscriber wait ran */
};

/* ---- channels.c: moving frames ----------------------------------------- */

/* Receive one multipart message (blocking).  KILN_OK, or KILN_IO when the
 * context is shutting down or the socket failed (err names which). */
int kiln_recv_frames(void *sock, kiln_frames *out, kiln_error *err);
/* Send frames as one multipart message. */
int kiln_send_frames(void *sock, const kiln_frames *frames, kiln_error *err);
/* Receive and verify a request; logs and returns non-zero for messages to
 * drop (bad signature, malformed). */
int kiln_recv_msg(kiln_kernel *k, void *sock, kiln_channel ch,
                  kiln_msg **out);
/* The heartbeat thread's body. */
int kiln_heartbeat_main(void *kernel);

/* ---- publish.c: replies and IOPub -------------------------------------- */

/* Reply on a ROUTER socket to `req` (steals content; metadata may be
 * NULL for {}).  Failures are logged. */
void kiln_reply(kiln_kernel *k, void *sock, const kiln_msg *req,
                const char *msg_type, json_t *content, json_t *metadata);
/* Publish on IOPub with `parent` as parent header (NULL: {}); steals
 * content.  Thread-safe. */
void kiln_publish(kiln_kernel *k, const json_t *parent, const char *msg_type,
                  json_t *content);
void kiln_publish_status(kiln_kernel *k, const json_t *parent,
                         const char *state);
/* Before the first request's busy: wait up to timeout_ms for a client's
 * IOPub subscription (once per process; later calls return at once). */
void kiln_iopub_await_subscriber(kiln_kernel *k, int timeout_ms);

/* The IOPub sink for one execute_request: outputs go out with the
 * request as parent; pages collect into the reply's payload; the
 * execute_result's text/plain is kept for history. */
typedef struct kiln_iopub_sink {
    kiln_kernel *k;
    const json_t *parent;
    int execution_count;
    bool silent;
    json_t *payload;     /* list for the execute_reply */
    char *result_text;   /* heap; text/plain of the execute_result */
} kiln_iopub_sink;

void kiln_iopub_sink_init(kiln_iopub_sink *s, kiln_kernel *k,
                          const json_t *parent, int execution_count,
                          bool silent);
void kiln_iopub_sink_fini(kiln_iopub_sink *s);
kiln_sink kiln_iopub_sink_get(kiln_iopub_sink *s);

/* A MIME bundle as Jupyter's {"data": ..., "metadata": ...} pair (new
 * references).  Returns KILN_OK or KILN_NOMEM. */
int kiln_bundle_to_json(const kiln_bundle *b, json_t **data,
                        json_t **metadata);
/* {ename, evalue, traceback} for an error (new reference, or NULL). */
json_t *kiln_error_to_json(const kiln_error *err);

/* ---- shell.c / control.c: request handlers ----------------------------- */

/* Handle one request from the shell channel (busy ... idle included). */
void kiln_shell_dispatch(kiln_kernel *k, kiln_msg *req);
/* The control thread's body. */
int kiln_control_main(void *kernel);
/* kernel_info_reply content (new reference). */
json_t *kiln_kernel_info(void);
/* Shared by shell and control: reply, announce, stop the main loop. */
void kiln_handle_shutdown(kiln_kernel *k, void *sock, const kiln_msg *req);

#endif
