/* kiln — the cancel flag that every long loop polls.
 *
 * The kernel owns one kiln_cancel per process.  An interrupt (SIGINT in
 * interrupt_mode "signal", or interrupt_request on the control channel) calls
 * kiln_cancel_request, which is async-signal-safe; work in progress polls
 * kiln_cancel_requested and stops with KILN_INTERRUPTED.  The kernel resets
 * the flag before each execution.
 *
 * Threads: any thread, and signal handlers, may request; any thread may poll.
 */
#ifndef KILN_CORE_CANCEL_H
#define KILN_CORE_CANCEL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct kiln_cancel {
    atomic_int requested;
} kiln_cancel;

static inline void kiln_cancel_init(kiln_cancel *c)
{
    atomic_init(&c->requested, 0);
}

static inline void kiln_cancel_request(kiln_cancel *c)
{
    atomic_store(&c->requested, 1);
}

static inline void kiln_cancel_reset(kiln_cancel *c)
{
    atomic_store(&c->requested, 0);
}

/* True once requested; a NULL flag is never cancelled. */
static inline bool kiln_cancel_requested(const kiln_cancel *c)
{
    return c != NULL && atomic_load(&((kiln_cancel *)c)->requested) != 0;
}

#endif
