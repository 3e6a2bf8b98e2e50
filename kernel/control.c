/* kiln — the control channel, on its own thread so that shutdown,
 * interrupt_request and kernel_info are answered while a cell runs. */
#include "internal.h"

#include "core/log.h"

#include <errno.h>
#include <string.h>
#include <zmq.h>

void kiln_handle_shutdown(kiln_kernel *k, void *sock, const kiln_msg *req)
{
    bool restart = json_is_true(json_object_get(req->content, "restart"));
    kiln_reply(k, sock, req, "shutdown_reply",
               json_pack("{s:s, s:b}", "status", "ok", "restart", restart),
               NULL);
    /* ipykernel also announces the shutdown on IOPub, so that every
     * connected front end learns of it. */
    kiln_publish(k, req->header, "shutdown_reply",
                 json_pack("{s:s, s:b}", "status", "ok", "restart", restart));
    atomic_store(&k->restart, restart);
    atomic_store(&k->stopping, true);
    kiln_cancel_request(&k->cancel);
}

/* Wake the main thread, which is polling shell or running a cell. */
static void wake_main(kiln_kernel *k)
{
    if (zmq_send(k->wake_send, "stop", 4, ZMQ_DONTWAIT) < 0)
        kiln_log(KILN_LOG_WARN, "cannot wake the shell thread: %s",
                 zmq_strerror(errno));
}

int kiln_control_main(void *kernel)
{
    kiln_kernel *k = kernel;
    void *control = k->sockets[KILN_CHANNEL_CONTROL];
    while (!atomic_load(&k->stopping)) {
        kiln_msg *req;
        if (kiln_recv_msg(k, control, KILN_CHANNEL_CONTROL, &req) != KILN_OK) {
            if (zmq_errno() == ETERM)
                return 0; /* the main thread is shutting down */
            continue;
        }
        kiln_iopub_await_subscriber(k, 100);
        kiln_publish_status(k, req->header, "busy");
        if (strcmp(req->msg_type, "kernel_info_request") == 0) {
            kiln_reply(k, control, req, "kernel_info_reply",
                       kiln_kernel_info(), NULL);
        } else if (strcmp(req->msg_type, "interrupt_request") == 0) {
            kiln_cancel_request(&k->cancel);
            kiln_reply(k, control, req, "interrupt_reply",
                       json_pack("{s:s}", "status", "ok"), NULL);
        } else if (strcmp(req->msg_type, "shutdown_request") == 0) {
            kiln_handle_shutdown(k, control, req);
        } else {
            /* debug_request and anything else: kiln advertises no
             * debugger, and kernels need not answer what they do not
             * handle. */
            kiln_log(KILN_LOG_WARN, "control: %s ignored", req->msg_type);
        }
        kiln_publish_status(k, req->header, "idle");
        kiln_msg_free(req);
    }
    wake_main(k);
    return 0;
}
