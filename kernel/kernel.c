/* kiln — the kernel object: binding the channels, the threads, and the
 * shell loop (see kernel.h). */
#include "internal.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static const int socket_types[KILN__CHANNEL_COUNT] = {
    [KILN_CHANNEL_SHELL] = ZMQ_ROUTER,
    [KILN_CHANNEL_IOPUB] = ZMQ_XPUB, /* see kiln_iopub_await_subscriber */
    [KILN_CHANNEL_STDIN] = ZMQ_ROUTER,
    [KILN_CHANNEL_CONTROL] = ZMQ_ROUTER,
    [KILN_CHANNEL_HB] = ZMQ_ROUTER,
};

#define WAKE_ENDPOINT "inproc://kiln-wake"

static int open_socket(kiln_kernel *k, const kiln_conn *conn, kiln_channel ch,
                       kiln_error *err)
{
    char endpoint[512];
    kiln_conn_endpoint(conn, ch, endpoint, sizeof endpoint);
    void *s = zmq_socket(k->zctx, socket_types[ch]);
    if (s == NULL)
        return kiln_error_set(err, KILN_IO, "cannot create the %s socket: %s",
                              kiln_channel_name(ch), zmq_strerror(errno));
    /* A short linger delivers the last replies at shutdown without
     * hanging on a client that went away; ROUTER_HANDOVER lets a client
     * that reconnects with the same identity take its route over. */
    int linger = 1000, one = 1;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (socket_types[ch] == ZMQ_ROUTER)
        zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    if (zmq_bind(s, endpoint) != 0) {
        int e = errno;
        zmq_close(s);
        return kiln_error_set(err, KILN_IO, "cannot bind the %s channel to %s: %s",
                              kiln_channel_name(ch), endpoint,
                              zmq_strerror(e));
    }
    k->sockets[ch] = s;
    return KILN_OK;
}

int kiln_kernel_new(const kiln_conn *conn, kiln_kernel **out, kiln_error *err)
{
    kiln_kernel *k = calloc(1, sizeof *k);
    if (k == NULL)
        return kiln_error_set(err, KILN_NOMEM, "out of memory for the kernel");
    int rc;
    kiln_cancel_init(&k->cancel);
    atomic_init(&k->stopping, false);
    atomic_init(&k->restart, false);
    if (mtx_init(&k->iopub_lock, mtx_plain) != thrd_success) {
        free(k);
        return kiln_error_set(err, KILN_INTERNAL, "cannot create a mutex");
    }
    if ((rc = kiln_wire_key_new(conn->signature_scheme, conn->key,
                                conn->key_len, &k->key, err)) != KILN_OK)
        goto fail;
    const char *user = getenv("USER");
    k->session = kiln_wire_session_new(user);
    k->interp = kiln_interp_new(&k->cancel);
    k->history = kiln_history_new();
    k->zctx = zmq_ctx_new();
    if (k->session == NULL || k->interp == NULL || k->history == NULL ||
        k->zctx == NULL) {
        rc = kiln_error_set(err, KILN_NOMEM, "cannot set up the kernel");
        goto fail;
    }
    for (int ch = 0; ch < KILN__CHANNEL_COUNT; ch++)
        if ((rc = open_socket(k, conn, (kiln_channel)ch, err)) != KILN_OK)
            goto fail;
    k->wake_recv = zmq_socket(k->zctx, ZMQ_PAIR);
    k->wake_send = zmq_socket(k->zctx, ZMQ_PAIR);
    if (k->wake_recv == NULL || k->wake_send == NULL ||
        zmq_bind(k->wake_recv, WAKE_ENDPOINT) != 0 ||
        zmq_connect(k->wake_send, WAKE_ENDPOINT) != 0) {
        rc = kiln_error_set(err, KILN_IO, "cannot create the wake-up pair: %s",
                            zmq_strerror(errno));
        goto fail;
    }
    *out = k;
    return KILN_OK;
fail:
    kiln_kernel_free(k);
    return rc;
}

void kiln_kernel_free(kiln_kernel *k)
{
    if (k == NULL)
        return;
    if (k->zctx != NULL) {
        /* Stop the helper threads: blocking calls on every socket of the
         * context return ETERM. */
        zmq_ctx_shutdown(k->zctx);
        if (k->threads_started) {
            thrd_join(k->control_thread, NULL);
            thrd_join(k->hb_thread, NULL);
        }
        for (int ch = 0; ch < KILN__CHANNEL_COUNT; ch++)
            if (k->sockets[ch] != NULL)
                zmq_close(k->sockets[ch]);
        if (k->wake_recv != NULL)
            zmq_close(k->wake_recv);
        if (k->wake_send != NULL)
            zmq_close(k->wake_send);
        zmq_ctx_term(k->zctx);
    }
    kiln_history_free(k->history);
    kiln_interp_free(k->interp);
    kiln_wire_session_free(k->session);
    kiln_wire_key_free(k->key);
    mtx_destroy(&k->iopub_lock);
    free(k);
}

void kiln_kernel_interrupt(kiln_kernel *k)
{
    kiln_cancel_request(&k->cancel);
}

/* Messages on stdin outside an input_request (kiln asks for no input yet)
 * are read and dropped so they do not pile up. */
static void drain_stdin(kiln_kernel *k)
{
    kiln_msg *m;
    if (kiln_recv_msg(k, k->sockets[KILN_CHANNEL_STDIN], KILN_CHANNEL_STDIN,
                      &m) == KILN_OK) {
        kiln_log(KILN_LOG_INFO, "stdin: unexpected %s dropped", m->msg_type);
        kiln_msg_free(m);
    }
}

int kiln_kernel_run(kiln_kernel *k, bool *restart, kiln_error *err)
{
    if (thrd_create(&k->hb_thread, kiln_heartbeat_main, k) != thrd_success)
        return kiln_error_set(err, KILN_INTERNAL,
                              "cannot start the heartbeat thread");
    if (thrd_create(&k->control_thread, kiln_control_main, k) !=
        thrd_success) {
        zmq_ctx_shutdown(k->zctx);
        thrd_join(k->hb_thread, NULL);
        return kiln_error_set(err, KILN_INTERNAL,
                              "cannot start the control thread");
    }
    k->threads_started = true;

    /* Seldom seen (clients subscribe late), but part of the protocol. */
    kiln_publish_status(k, NULL, "starting");

    void *shell = k->sockets[KILN_CHANNEL_SHELL];
    while (!atomic_load(&k->stopping)) {
        zmq_pollitem_t items[] = {
            {k->wake_recv, 0, ZMQ_POLLIN, 0},
            {shell, 0, ZMQ_POLLIN, 0},
            {k->sockets[KILN_CHANNEL_STDIN], 0, ZMQ_POLLIN, 0},
        };
        if (zmq_poll(items, 3, -1) < 0) {
            if (errno == EINTR)
                continue; /* SIGINT while idle: nothing to interrupt */
            return kiln_error_set(err, KILN_IO, "poll failed: %s",
                                  zmq_strerror(errno));
        }
        if (items[0].revents & ZMQ_POLLIN)
            break;
        if (items[2].revents & ZMQ_POLLIN)
            drain_stdin(k);
        if (items[1].revents & ZMQ_POLLIN) {
            kiln_msg *req;
            if (kiln_recv_msg(k, shell, KILN_CHANNEL_SHELL, &req) == KILN_OK)
                kiln_shell_dispatch(k, req);
        }
    }
    *restart = atomic_load(&k->restart);
    return KILN_OK;
}
