/* kiln — the Jupyter kernel: sockets, threads and request dispatch.
 *
 * A kiln_kernel binds the five channels of a connection file and serves the
 * Jupyter messaging protocol 5.3 (shared/reference/jupyter-protocol.md):
 *   - the calling thread runs the shell channel (and the interpreter);
 *   - a control thread answers kernel_info, shutdown and interrupt_request
 *     even while a cell runs;
 *   - a heartbeat thread echoes whatever it receives;
 *   - IOPub is one XPUB socket shared under a mutex; the first request
 *     waits (at most 100 ms, once) for a client to subscribe to it.
 * Every request is framed by status busy/idle on IOPub with the request as
 * parent; messages with a bad signature are dropped with one stderr line;
 * malformed or unknown requests never stop the kernel.
 *
 * Interrupts: kiln_kernel_interrupt (async-signal-safe, for the SIGINT
 * handler of main) and interrupt_request both raise the cancel flag that
 * the interpreter polls.
 *
 * Ownership: kiln_kernel_new/free.  Threads: new, run and free on one
 * thread; interrupt from anywhere.
 */
#ifndef KILN_KERNEL_KERNEL_H
#define KILN_KERNEL_KERNEL_H

#include "conn.h"
#include "core/error.h"

#include <stdbool.h>

typedef struct kiln_kernel kiln_kernel;

/* Create the interpreter and bind every channel of `conn` (borrowed; it
 * may be finalised after this returns).  Errors name the endpoint that
 * could not be bound. */
int kiln_kernel_new(const kiln_conn *conn, kiln_kernel **out,
                    kiln_error *err);
void kiln_kernel_free(kiln_kernel *k);

/* Serve until a shutdown_request.  Returns KILN_OK, and sets *restart to
 * the request's `restart` flag (the client relaunches the process). */
int kiln_kernel_run(kiln_kernel *k, bool *restart, kiln_error *err);

/* Ask the running cell to stop.  Async-signal-safe. */
void kiln_kernel_interrupt(kiln_kernel *k);

#endif
