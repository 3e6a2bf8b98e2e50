/* kiln — k-means' parallel-for: tasks handed out in order to at most
 * `threads` pthreads, the caller being one of them (kmeans.h). */
#include "kmeans.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { MAX_THREADS = 256 };

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

static void *run(void *p)
{
    worker *w = p;
    drain(w->j, w->id);
    return NULL;
}

void kiln__kmeans_par(unsigned threads, size_t n_tasks,
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
        if (pthread_create(&tid[started], NULL, run, &w[started]) != 0)
            break;
        started++;
    }
    drain(&j, 0);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}
