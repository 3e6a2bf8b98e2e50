/* kiln — the input history of a kernel session, for history_request.
 *
 * Each stored execution is (session, line, input, output), where line is
 * the execution_count and output the text/plain of its execute_result (or
 * none).  History lives in memory for the life of the process: kiln keeps
 * no history database, so one process is one session, numbered 1; a request
 * for session 0 or a negative (relative) session means this one, as
 * IPython's does, and any other session has no entries.
 *
 * Ownership: kiln_history_new/free; queries return a new jansson array
 * (caller decrefs).  Threads: one thread (the shell thread).
 */
#ifndef KILN_KERNEL_HISTORY_H
#define KILN_KERNEL_HISTORY_H

#include <jansson.h>
#include <stdbool.h>

#define KILN_HISTORY_SESSION 1

typedef struct kiln_history kiln_history;

kiln_history *kiln_history_new(void);
void kiln_history_free(kiln_history *h);

/* Store one execution (input and output are copied; output may be NULL).
 * Returns 0, or KILN_NOMEM. */
int kiln_history_add(kiln_history *h, int line, const char *input,
                     const char *output);
/* Attach the output to the most recent entry with this line. */
int kiln_history_set_output(kiln_history *h, int line, const char *output);

/* The reply's `history` list: entries [session, line, input] or, with
 * `output`, [session, line, [input, output-or-null]].
 *   tail:   the last n entries (n <= 0: none);
 *   range:  entries of `session` with start <= line < stop (stop <= 0: to
 *           the end);
 *   search: entries whose input matches the glob `pattern` (fnmatch), the
 *           last n of them (n <= 0: all), with `unique` keeping only the
 *           latest of identical inputs.
 * Returns NULL when out of memory. */
json_t *kiln_history_tail(const kiln_history *h, int n, bool output);
json_t *kiln_history_range(const kiln_history *h, int session, int start,
                           int stop, bool output);
json_t *kiln_history_search(const kiln_history *h, const char *pattern,
                            int n, bool unique, bool output);

#endif
