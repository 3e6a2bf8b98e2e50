/* kiln — XGBoost's gradient histograms (xgb.h).
 *
 * A node's histogram has one (g, h) pair of doubles per slot of the cuts:
 * every bin of every feature, and the missing slot of features that have
 * one.  A histogram of 784 features is some 3 MB, more than a core's L2,
 * so building it row by row over all features would miss the cache on
 * most additions.  Instead the features are cut into blocks whose slots
 * fit in about 256 KB; for each block the node's rows are walked in their
 * (increasing) order, reading the block's bins of each row (a cache line
 * for 64 features) and adding the row's gradient pair to one slot per
 * feature.  Blocks are the unit of parallel work: each thread owns the
 * slots of the blocks it takes, so there is no per-thread copy to add up,
 * and every slot is summed in row order whatever the thread count (the
 * result does not depend on it).  Sums are doubles, as xgboost's
 * GradientPairPrecise.
 */
#include "xgb.h"

#include "algos/par.h"

#include <stdlib.h>
#include <string.h>

enum {
    PARALLEL_WORK = 1 << 16, /* rows x features below which one thread */
    PREFETCH = 16,           /* rows ahead */
    TWO_COPIES = 2048,       /* rows from which a block uses two copies */
    SPARE_SLOTS = KILN__XGB_SCRATCH, /* a worker's second copy */
};


/* Add rows [lo, hi) of the node, every `step`-th from lo, into the block's
 * slots at h (h[0] is slot ptr[f0]). */
static void add_rows(const kiln__xgb_qmatrix *q, const uint32_t *rows,
                     size_t lo, size_t hi, size_t step, const float *grad,
                     const float *hess, size_t f0, size_t f1,
                     kiln__xgb_gh *h)
{
    size_t nf = q->nfeat;
    const uint32_t *ptr = q->cuts.ptr;
    uint32_t base = ptr[f0];
    for (size_t i = lo; i < hi; i += step) {
        uint32_t r = rows[i];
        const uint8_t *b = q->bins + (size_t)r * nf;
        /* A node's rows are scattered over the matrix: fetch the block's
         * bins (and gradients) of a row some way ahead. */
        if (i + PREFETCH * step < hi) {
            uint32_t a = rows[i + PREFETCH * step];
            const uint8_t *ahead = q->bins + (size_t)a * nf;
            KILN__XGB_PREFETCH(ahead + f0);
            KILN__XGB_PREFETCH(ahead + f1 - 1);
            KILN__XGB_PREFETCH(grad + a);
            KILN__XGB_PREFETCH(hess + a);
        }
        double g = grad[r], hs = hess[r];
        for (size_t f = f0; f < f1; f++) {
            kiln__xgb_gh *s = h + (ptr[f] - base) + b[f];
            s->g += g;
            s->h += hs;
        }
    }
}

/* The block's histogram.  Rows often share a bin (zeros), and adding to
 * the slot the previous row just added to waits for that store; so large
 * nodes add even rows into the histogram and odd rows into a second copy
 * (`spare`), then add the two. */
static void add_block(const kiln__xgb_qmatrix *q, const uint32_t *rows,
                      size_t n, const float *grad, const float *hess,
                      size_t f0, size_t f1, kiln__xgb_gh *spare,
                      kiln__xgb_gh *hist)
{
    const uint32_t *ptr = q->cuts.ptr;
    size_t m = ptr[f1] - ptr[f0];
    kiln__xgb_gh *h = hist + ptr[f0];
    memset(h, 0, m * sizeof *h);
    if (n < TWO_COPIES || spare == NULL || m > SPARE_SLOTS) {
        add_rows(q, rows, 0, n, 1, grad, hess, f0, f1, h);
        return;
    }
    memset(spare, 0, m * sizeof *spare);
    add_rows(q, rows, 0, n, 2, grad, hess, f0, f1, h);
    add_rows(q, rows, 1, n, 2, grad, hess, f0, f1, spare);
    for (size_t s = 0; s < m; s++) {
        h[s].g += spare[s].g;
        h[s].h += spare[s].h;
    }
}

/* ---- building ------------------------------------------------------------ */

void kiln__xgb_hist_build_block(const kiln__xgb_qmatrix *q,
                                const uint32_t *rows, size_t n,
                                const float *grad, const float *hess,
                                size_t k, kiln__xgb_gh *spare,
                                kiln__xgb_gh *hist)
{
    add_block(q, rows, n, grad, hess, q->block[k], q->block[k + 1], spare,
              hist);
}

typedef struct build_job {
    const kiln__xgb_qmatrix *q;
    const uint32_t *rows;
    size_t n;
    const float *grad, *hess;
    kiln__xgb_gh *scratch; /* SPARE_SLOTS a worker, or NULL */
    kiln__xgb_gh *hist;
} build_job;

static void build_block(void *arg, size_t k, unsigned worker)
{
    build_job *j = arg;
    kiln__xgb_hist_build_block(
        j->q, j->rows, j->n, j->grad, j->hess, k,
        j->scratch ? j->scratch + (size_t)worker * SPARE_SLOTS : NULL,
        j->hist);
}

void kiln__xgb_hist_build(const kiln__xgb_qmatrix *q, const uint32_t *rows,
                          size_t n, const float *grad, const float *hess,
                          unsigned threads, kiln__xgb_gh *scratch,
                          kiln__xgb_gh *hist)
{
    size_t nf = q->nfeat;
    if (nf == 0)
        return;
    build_job j = {.q = q, .rows = rows, .n = n, .grad = grad, .hess = hess,
                   .scratch = scratch, .hist = hist};
    if (threads <= 1 || q->nblocks == 1 || n * nf < PARALLEL_WORK) {
        for (size_t k = 0; k < q->nblocks; k++)
            build_block(&j, k, 0);
        return;
    }
    kiln_par_tasks(threads, q->nblocks, build_block, &j);
}

void kiln__xgb_hist_subtract(const kiln__xgb_gh *parent,
                             const kiln__xgb_gh *child, size_t slots,
                             kiln__xgb_gh *out)
{
    for (size_t i = 0; i < slots; i++) {
        out[i].g = parent[i].g - child[i].g;
        out[i].h = parent[i].h - child[i].h;
    }
}

/* ---- the pool ------------------------------------------------------------ */

void kiln__xgb_pool_init(kiln__xgb_hist_pool *p, size_t slots,
                         unsigned threads)
{
    memset(p, 0, sizeof *p);
    p->slots = slots;
    p->threads = threads < 1 ? 1 : threads;
}

kiln__xgb_gh *kiln__xgb_pool_get(kiln__xgb_hist_pool *p)
{
    if (p->nfree > 0)
        return p->free[--p->nfree];
    return malloc((p->slots ? p->slots : 1) * sizeof(kiln__xgb_gh));
}

void kiln__xgb_pool_put(kiln__xgb_hist_pool *p, kiln__xgb_gh *h)
{
    if (h == NULL)
        return;
    if (p->nfree == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        kiln__xgb_gh **f = realloc(p->free, cap * sizeof *f);
        if (f == NULL) {
            free(h);
            return;
        }
        p->free = f;
        p->cap = cap;
    }
    p->free[p->nfree++] = h;
}

kiln__xgb_gh *kiln__xgb_pool_scratch(kiln__xgb_hist_pool *p)
{
    if (p->scratch == NULL)
        p->scratch = malloc((size_t)KILN__XGB_SCRATCH * p->threads *
                            sizeof(kiln__xgb_gh));
    return p->scratch;
}

int kiln__xgb_pool_rows(kiln__xgb_hist_pool *p, size_t n, uint32_t **rows,
                        uint32_t **tmp)
{
    if (n > p->rows_cap || p->rows == NULL) {
        size_t cap = n ? n : 1;
        uint32_t *a = realloc(p->rows, cap * sizeof *a);
        if (a != NULL)
            p->rows = a;
        uint32_t *b = realloc(p->tmp, cap * sizeof *b);
        if (b != NULL)
            p->tmp = b;
        if (a == NULL || b == NULL)
            return KILN_NOMEM;
        p->rows_cap = cap;
    }
    *rows = p->rows;
    *tmp = p->tmp;
    return KILN_OK;
}

void kiln__xgb_pool_fini(kiln__xgb_hist_pool *p)
{
    free(p->rows);
    free(p->tmp);
    for (size_t i = 0; i < p->nfree; i++)
        free(p->free[i]);
    free(p->free);
    free(p->scratch);
    memset(p, 0, sizeof *p);
}
