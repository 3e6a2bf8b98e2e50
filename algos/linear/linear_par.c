/* kiln — a parallel-for for linear learner's element-wise loops (the
 * normalised copy of a mini-batch, the losses of all models, the optimizer
 * step): the range is cut into one piece per thread; the caller's thread
 * takes the first.  Threads are started per call: a mini-batch's loops are
 * a few hundred microseconds of work, against tens for a thread start, and
 * small ranges (below `grain`) run inline.  If a thread cannot be started
 * its piece runs on the caller's thread: the result is the same. */
#include "linear.h"

#include <pthread.h>

enum { MAX_THREADS = 64 };

typedef struct piece {
    void (*fn)(void *arg, size_t lo, size_t hi);
    void *arg;
    size_t lo, hi;
} piece;

static void *run_piece(void *p)
{
    piece *w = p;
    w->fn(w->arg, w->lo, w->hi);
    return NULL;
}

void kiln__linear_parallel(unsigned threads, size_t n, size_t grain,
                           void (*fn)(void *arg, size_t lo, size_t hi),
                           void *arg)
{
    if (n == 0)
        return;
    size_t t = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
    if (grain < 1)
        grain = 1;
    if (t > n / grain)
        t = n / grain;
    if (t <= 1) {
        fn(arg, 0, n);
        return;
    }
    piece pieces[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    for (size_t i = 0; i < t; i++)
        pieces[i] = (piece){fn, arg, n * i / t, n * (i + 1) / t};
    for (size_t i = 1; i < t; i++)
        started[i] = pthread_create(&tid[i], NULL, run_piece, &pieces[i]) == 0;
    fn(arg, pieces[0].lo, pieces[0].hi);
    for (size_t i = 1; i < t; i++) {
        if (started[i])
            pthread_join(tid[i], NULL);
        else
            fn(arg, pieces[i].lo, pieces[i].hi);
    }
}
