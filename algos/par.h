/* kiln — parallel loops for the algorithms, on pthreads started per call.
 *
 * Threads are started per call and joined before it returns: the loops
 * the algorithms hand over are from a hundred microseconds of work up,
 * against tens of microseconds for a thread start, and nothing outlives
 * the call.  If a thread cannot be started, its share runs on the
 * caller's thread: the result is the same.
 *
 * Results that must not depend on the thread count are written per task
 * (or per range) and combined by the caller in order.
 *
 * Threads: the functions are reentrant; fn runs concurrently with itself
 * and must not fail.
 */
#ifndef KILN_ALGOS_PAR_H
#define KILN_ALGOS_PAR_H

#include <stddef.h>

/* Run fn(arg, task, worker) for task = 0..n_tasks-1 on up to `threads`
 * threads (the caller is worker 0; worker < threads), tasks handed out in
 * order as workers become free. */
void kiln_par_tasks(unsigned threads, size_t n_tasks,
                    void (*fn)(void *arg, size_t task, unsigned worker),
                    void *arg);

/* Run fn(arg, lo, hi) over [0, n) cut into at most `threads` equal ranges,
 * the caller's thread taking the first; when n < 2 * grain it all runs on
 * the caller's thread. */
void kiln_par_range(unsigned threads, size_t n, size_t grain,
                    void (*fn)(void *arg, size_t lo, size_t hi), void *arg);

#endif
