/* kiln — `!command`: a shell command whose output streams into the cell.
 *
 * The command runs as `/bin/sh -c COMMAND` in the kernel's working
 * directory, with the kernel's environment, stdin from /dev/null, and in a
 * process group of its own, so that an interrupt reaches everything it
 * started and nothing else.  Its stdout and stderr stream to the sink as
 * the bytes arrive (two pipes, poll()), each chunk cut before an incomplete
 * UTF-8 sequence, which goes out with the next chunk.
 *
 * $substitution happens before this (interp.c): known variables are
 * replaced, while an unknown $NAME or ${NAME} is left for the shell, as
 * IPython does, so `!echo $HOME` prints the environment variable.
 *
 * A non-zero exit status is shown, not raised: a last stderr line such as
 * "exit status 3" or "killed by signal 9", and the call returns KILN_OK.
 * The call returns when the shell exits; what it left running in the
 * background keeps running, and its later output is dropped.
 *
 * Interrupts: the cancel flag is polled at least every 100 ms.  Once it is
 * set the process group gets SIGINT, then SIGTERM one second later and
 * SIGKILL two seconds later, the shell is reaped, and the call returns
 * KILN_INTERRUPTED ("!sleep 5 stopped").  No zombies are left in any case.
 *
 * Threads: the calling thread blocks until the command ends; the sink is
 * called from that thread only.  Safe to call while other threads run (the
 * child is started with posix_spawn).
 */
#ifndef KILN_MAGICS_SHELL_H
#define KILN_MAGICS_SHELL_H

#include "core/cancel.h"
#include "core/error.h"
#include "core/sink.h"

/* Run `command` (NUL-terminated, after substitution).  Returns KILN_OK
 * (whatever the exit status), KILN_INTERRUPTED, KILN_IO when the shell
 * cannot be started or its output not read, or KILN_NOMEM; err names the
 * cause.  cancel may be NULL. */
int kiln_shell_run(const char *command, const kiln_sink *sink,
                   kiln_cancel *cancel, kiln_error *err);

#endif
