/* kiln — diagnostics on stderr.
 *
 * The kernel's stderr goes to the terminal (or log) of whoever started it,
 * never to a notebook.  Messages are one line each, prefixed "[kiln] ".
 * The level comes from the environment variable KILN_LOG (error, warn,
 * info, debug; default warn), read once.
 *
 * Threads: any thread; each message is written with one fputs of a whole
 * line, so lines from two threads do not interleave.
 */
#ifndef KILN_CORE_LOG_H
#define KILN_CORE_LOG_H

typedef enum kiln_log_level {
    KILN_LOG_ERROR,
    KILN_LOG_WARN,
    KILN_LOG_INFO,
    KILN_LOG_DEBUG,
} kiln_log_level;

void kiln_log(kiln_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
