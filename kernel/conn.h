/* kiln — the connection file a Jupyter client gives the kernel.
 *
 * {"transport": "tcp"|"ipc", "ip": "127.0.0.1", "shell_port": N,
 *  "iopub_port": N, "stdin_port": N, "control_port": N, "hb_port": N,
 *  "key": "...", "signature_scheme": "hmac-sha256", ...}
 * Unknown keys are ignored.  The kernel binds exactly the ports given; for
 * ipc the endpoints are "ipc://<ip>-<port>", as jupyter_client builds them.
 *
 * Ownership: caller-owned struct; kiln_conn_fini frees its strings.
 */
#ifndef KILN_KERNEL_CONN_H
#define KILN_KERNEL_CONN_H

#include "core/error.h"

#include <stddef.h>

typedef enum kiln_channel {
    KILN_CHANNEL_SHELL,
    KILN_CHANNEL_IOPUB,
    KILN_CHANNEL_STDIN,
    KILN_CHANNEL_CONTROL,
    KILN_CHANNEL_HB,
    KILN__CHANNEL_COUNT
} kiln_channel;

typedef struct kiln_conn {
    char *transport;          /* "tcp" or "ipc" */
    char *ip;
    int ports[KILN__CHANNEL_COUNT];
    char *key;                /* may be "" (no signing) */
    size_t key_len;
    char *signature_scheme;   /* "hmac-sha256" */
} kiln_conn;

/* Parse a connection file's JSON text; `path` names it in errors.  Errors
 * (KILN_VALUE) name the key and what was expected ("shell_port must be an
 * integer 1-65535, got \"abc\""). */
int kiln_conn_parse(kiln_conn *conn, const char *json_text, size_t len,
                    const char *path, kiln_error *err);
/* Read and parse a file (KILN_IO if it cannot be read). */
int kiln_conn_load(kiln_conn *conn, const char *path, kiln_error *err);
void kiln_conn_fini(kiln_conn *conn);

/* "tcp://127.0.0.1:5555" or "ipc://<ip>-<port>" for a channel. */
void kiln_conn_endpoint(const kiln_conn *conn, kiln_channel ch, char *buf,
                        size_t size);

const char *kiln_channel_name(kiln_channel ch);

#endif
