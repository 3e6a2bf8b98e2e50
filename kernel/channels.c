/* kiln — moving frames between zmq sockets and kiln_frames, and the
 * heartbeat thread. */
#include "internal.h"

#include "core/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int kiln_recv_frames(void *sock, kiln_frames *out, kiln_error *err)
{
    kiln_frames f;
    kiln_frames_init(&f);
    int more = 1;
    while (more) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, sock, 0) < 0) {
            int e = errno;
            zmq_msg_close(&part);
            kiln_frames_fini(&f);
            kiln_error_set(err, KILN_IO, "receive failed: %s",
                           zmq_strerror(e));
            errno = e; /* callers tell ETERM and EINTR apart */
            return KILN_IO;
        }
        more = zmq_msg_more(&part);
        int rc = kiln_frames_push(&f, zmq_msg_data(&part), zmq_msg_size(&part));
        zmq_msg_close(&part);
        if (rc != KILN_OK) {
            /* Drain the rest of this message so the next receive starts at
             * a message boundary. */
            while (more) {
                zmq_msg_init(&part);
                if (zmq_msg_recv(&part, sock, 0) < 0)
                    more = 0;
                else
                    more = zmq_msg_more(&part);
                zmq_msg_close(&part);
            }
            kiln_frames_fini(&f);
            return kiln_error_set(err, KILN_NOMEM,
                                  "out of memory receiving a message");
        }
    }
    *out = f;
    return KILN_OK;
}

int kiln_send_frames(void *sock, const kiln_frames *frames, kiln_error *err)
{
    for (size_t i = 0; i < frames->count; i++) {
        int flags = i + 1 < frames->count ? ZMQ_SNDMORE : 0;
        int rc;
        do
            rc = zmq_send(sock, frames->items[i].data, frames->items[i].len,
                          flags);
        while (rc < 0 && errno == EINTR);
        if (rc < 0) {
            int e = errno;
            kiln_error_set(err, KILN_IO, "send failed: %s", zmq_strerror(e));
            errno = e;
            return KILN_IO;
        }
    }
    return KILN_OK;
}

int kiln_recv_msg(kiln_kernel *k, void *sock, kiln_channel ch, kiln_msg **out)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_frames frames;
    int rc = kiln_recv_frames(sock, &frames, &err);
    if (rc != KILN_OK)
        return rc;
    rc = kiln_wire_decode(frames.items, frames.count, k->key, out, &err);
    kiln_frames_fini(&frames);
    if (rc != KILN_OK)
        kiln_log(KILN_LOG_WARN, "%s: dropped a message: %s",
                 kiln_channel_name(ch), err.message);
    return rc;
}

/* The heartbeat echoes every message, identity frames included, so it
 * answers REQ (jupyter_client's HBChannel) and DEALER clients alike.  It
 * stops when the context shuts down. */
int kiln_heartbeat_main(void *kernel)
{
    kiln_kernel *k = kernel;
    void *hb = k->sockets[KILN_CHANNEL_HB];
    for (;;) {
        kiln_frames frames;
        kiln_error err;
        kiln_error_init(&err);
        if (kiln_recv_frames(hb, &frames, &err) != KILN_OK) {
            if (errno == ETERM)
                return 0;
            continue;
        }
        if (kiln_send_frames(hb, &frames, &err) != KILN_OK &&
            errno == ETERM) {
            kiln_frames_fini(&frames);
            return 0;
        }
        kiln_frames_fini(&frames);
    }
}
