/* kiln — parallel loops for the algorithms (see par.h). */
#include "par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

enum { MAX_THREADS = 256 };

/* ---- tasks ------------------------------------------------------------- */

typedef struct job {
    void (*fn)(void *arg, size_t task, unsigned worker);
    void *arg;
    size_t n_tasks;
    atomic_size_t next;
} job;

typedef struct worker {
    job *j;
    unsigned id;
} worker;

static void drain(job *j, unsigned id)
{
    for (;;) {
        size_t t = atomic_fetch_add(&j->next, 1);
        if (t >= j->n_tasks)
            return;
        j->fn(j->arg, t, id);
    }
}

static void *run_worker(void *p)
{
    worker *w = p;
    drain(w->j, w->id);
    return NULL;
}

void kiln_par_tasks(unsigned threads, size_t n_tasks,
                    void (*fn)(void *arg, size_t task, unsigned worker),
                    void *arg)
{
    job j = {.fn = fn, .arg = arg, .n_tasks = n_tasks};
    atomic_init(&j.next, 0);
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    if ((size_t)threads > n_tasks)
        threads = (unsigned)n_tasks;
    pthread_t tid[MAX_THREADS];
    worker w[MAX_THREADS];
    unsigned started = 0;
    for (unsigned i = 1; i < threads; i++) {
        w[started] = (worker){.j = &j, .id = started + 1};
        if (pthread_create(&tid[started], NULL, run_worker, &w[started]) != 0)
            break;
        started++;
    }
    drain(&j, 0);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

/* ---- ranges ------------------------------------------------------------ */

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

void kiln_par_range(unsigned threads, size_t n, size_t grain,
                    void (*fn)(void *arg, size_t lo, size_t hi), void *arg)
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
