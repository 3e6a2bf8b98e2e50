/* kiln — k-means' nearest-center assignment (kmeans.h).
 *
 * The squared distance of row x to center c is |x|^2 - 2 x.c + |c|^2; the
 * nearest center minimises |c|^2 - 2 x.c, so one cblas_sgemm per block of
 * rows (block x d times d x k) does nearly all the work.  Sparse rows take
 * their dot products against a d x k transposed copy of the centers (one
 * contiguous k-vector per stored entry).  The distance reported for the
 * chosen center is recomputed from the coordinates, because the expanded
 * form loses digits when |x| is large next to the distance.
 *
 * Blocks are fixed slices of 256 rows of the view, so every row's result
 * is the same whatever the number of threads; OpenBLAS runs one thread
 * per call inside kiln's own workers during training (kmeans_algo.c).
 */
#include "kmeans.h"

#include "algos/par.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK = 256 };

kiln__kmeans_rows kiln__kmeans_rows_all(const kiln_dataset *ds)
{
    return (kiln__kmeans_rows){.ds = ds, .n = kiln_dataset_rows(ds)};
}

kiln__kmeans_rows kiln__kmeans_rows_matrix(const float *m, size_t n)
{
    return (kiln__kmeans_rows){.dense = m, .n = n};
}

float kiln__kmeans_dist2(const float *a, const float *b, size_t d)
{
    float s[8] = {0};
    size_t j = 0;
    for (; j + 8 <= d; j += 8)
        for (int u = 0; u < 8; u++) {
            float t = a[j + u] - b[j + u];
            s[u] += t * t;
        }
    for (; j < d; j++) {
        float t = a[j] - b[j];
        s[0] += t * t;
    }
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
}

/* ---- prepared centers --------------------------------------------------- */

int kiln__kmeans_centers_init(kiln__kmeans_centers *c, const float *centers,
                              size_t k, size_t d, bool transposed,
                              kiln_error *err)
{
    memset(c, 0, sizeof *c);
    c->k = k;
    c->d = d;
    c->c = centers;
    c->norm = malloc(k * sizeof *c->norm);
    c->normd = malloc(k * sizeof *c->normd);
    if (c->norm == NULL || c->normd == NULL) {
        kiln__kmeans_centers_fini(c);
        return kiln_error_nomem(err);
    }
    for (size_t j = 0; j < k; j++) {
        double s = 0;
        for (size_t t = 0; t < d; t++)
            s += (double)centers[j * d + t] * centers[j * d + t];
        c->normd[j] = s;
        c->norm[j] = (float)s;
    }
    if (transposed) {
        if (d != 0 && k > SIZE_MAX / sizeof(float) / d) {
            kiln__kmeans_centers_fini(c);
            return kiln_error_nomem(err);
        }
        c->ct = malloc(k * d * sizeof *c->ct + 1);
        if (c->ct == NULL) {
            kiln_error_set(err, KILN_NOMEM,
                           "cannot allocate %zu bytes for %zu x %zu centers",
                           k * d * sizeof *c->ct, k, d);
            kiln__kmeans_centers_fini(c);
            return KILN_NOMEM;
        }
        for (size_t j = 0; j < k; j++)
            for (size_t t = 0; t < d; t++)
                c->ct[t * k + j] = centers[j * d + t];
    }
    return KILN_OK;
}

void kiln__kmeans_centers_fini(kiln__kmeans_centers *c)
{
    free(c->norm);
    free(c->normd);
    free(c->ct);
    memset(c, 0, sizeof *c);
}

/* ---- assignment --------------------------------------------------------- */

typedef struct assign_job {
    const kiln__kmeans_rows *x;
    size_t d;
    const kiln__kmeans_centers *c;
    kiln_cancel *cancel;
    uint32_t *label;
    float *dist2;
    double *block_sum; /* per block */
    float *scratch;    /* per worker: BLOCK x d gathered rows, BLOCK x k dots */
    size_t scratch_per;
    atomic_int stopped;
} assign_job;

static void assign_dense(assign_job *j, size_t r0, size_t m, float *buf,
                         float *dots)
{
    const kiln__kmeans_rows *x = j->x;
    const kiln__kmeans_centers *c = j->c;
    size_t d = j->d, k = c->k;
    const float *base = x->dense != NULL ? x->dense : kiln_dataset_dense(x->ds);
    const float *a;
    if (x->index == NULL) {
        a = base + (x->begin + r0) * d;
    } else {
        for (size_t i = 0; i < m; i++)
            memcpy(buf + i * d, base + x->index[r0 + i] * d, d * sizeof *buf);
        a = buf;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)k,
                (int)d, 1.0f, a, (int)d, c->c, (int)d, 0.0f, dots, (int)k);
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        const float *dot = dots + i * k;
        size_t best = 0;
        float score = c->norm[0] - 2 * dot[0];
        for (size_t t = 1; t < k; t++) {
            float s = c->norm[t] - 2 * dot[t];
            if (s < score) {
                score = s;
                best = t;
            }
        }
        float d2 = kiln__kmeans_dist2(a + i * d, c->c + best * d, d);
        if (j->label != NULL)
            j->label[r0 + i] = (uint32_t)best;
        if (j->dist2 != NULL)
            j->dist2[r0 + i] = d2;
        sum += d2;
    }
    j->block_sum[r0 / BLOCK] = sum;
}

static void assign_sparse(assign_job *j, size_t r0, size_t m, float *acc)
{
    const kiln__kmeans_rows *x = j->x;
    const kiln__kmeans_centers *c = j->c;
    size_t k = c->k;
    const size_t *indptr = kiln_dataset_indptr(x->ds);
    const uint32_t *idx = kiln_dataset_indices(x->ds);
    const float *val = kiln_dataset_values(x->ds);
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        size_t row = kiln__kmeans_row_id(x, r0 + i);
        memset(acc, 0, k * sizeof *acc);
        for (size_t e = indptr[row]; e < indptr[row + 1]; e++) {
            const float *ct = c->ct + (size_t)idx[e] * k;
            float v = val[e];
            for (size_t t = 0; t < k; t++)
                acc[t] += v * ct[t];
        }
        size_t best = 0;
        float score = c->norm[0] - 2 * acc[0];
        for (size_t t = 1; t < k; t++) {
            float s = c->norm[t] - 2 * acc[t];
            if (s < score) {
                score = s;
                best = t;
            }
        }
        /* |x - c|^2 = |c|^2 + sum over stored entries of (v - c)^2 - c^2 */
        const float *cb = c->c + best * c->d;
        double d2 = c->normd[best];
        for (size_t e = indptr[row]; e < indptr[row + 1]; e++) {
            double cv = cb[idx[e]], t = val[e] - cv;
            d2 += t * t - cv * cv;
        }
        float f = d2 > 0 ? (float)d2 : 0.0f;
        if (j->label != NULL)
            j->label[r0 + i] = (uint32_t)best;
        if (j->dist2 != NULL)
            j->dist2[r0 + i] = f;
        sum += f;
    }
    j->block_sum[r0 / BLOCK] = sum;
}

static void assign_task(void *arg, size_t task, unsigned worker)
{
    assign_job *j = arg;
    if (atomic_load(&j->stopped))
        return;
    if (kiln_cancel_requested(j->cancel)) {
        atomic_store(&j->stopped, 1);
        return;
    }
    size_t r0 = task * BLOCK, m = j->x->n - r0 < BLOCK ? j->x->n - r0 : BLOCK;
    float *s = j->scratch + worker * j->scratch_per;
    if (j->x->ds != NULL && kiln_dataset_is_sparse(j->x->ds))
        assign_sparse(j, r0, m, s);
    else
        assign_dense(j, r0, m, s, s + (size_t)BLOCK * j->d);
}

int kiln__kmeans_assign(const kiln__kmeans_rows *x, size_t d,
                        const kiln__kmeans_centers *c, unsigned threads,
                        kiln_cancel *cancel, uint32_t *label, float *dist2,
                        double *sum, kiln_error *err)
{
    size_t blocks = (x->n + BLOCK - 1) / BLOCK;
    if (sum != NULL)
        *sum = 0;
    if (blocks == 0)
        return KILN_OK;
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > blocks)
        threads = (unsigned)blocks;
    bool sparse = x->ds != NULL && kiln_dataset_is_sparse(x->ds);
    size_t k = c->k;
    /* per worker: gathered rows and dots (dense) or one accumulator row */
    size_t per = sparse ? k : (size_t)BLOCK * (d + k);
    if (k > INT_MAX || d > INT_MAX)
        return kiln_error_set(err, KILN_VALUE,
                              "k-means: %zu centers of %zu features is more "
                              "than BLAS takes", k, d);
    if (k > SIZE_MAX / 2 / BLOCK || d > SIZE_MAX / 4 / BLOCK ||
        per > SIZE_MAX / sizeof(float) / threads)
        return kiln_error_nomem(err);
    assign_job j = {.x = x, .d = d, .c = c, .cancel = cancel, .label = label,
                    .dist2 = dist2, .scratch_per = per};
    atomic_init(&j.stopped, 0);
    j.block_sum = malloc(blocks * sizeof *j.block_sum);
    j.scratch = malloc(per * threads * sizeof *j.scratch);
    if (j.block_sum == NULL || j.scratch == NULL) {
        free(j.block_sum);
        free(j.scratch);
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes of k-means scratch "
                              "space", per * threads * sizeof *j.scratch);
    }
    kiln_par_tasks(threads, blocks, assign_task, &j);
    int rc = KILN_OK;
    if (atomic_load(&j.stopped)) {
        rc = kiln_error_set(err, KILN_INTERRUPTED, "training was interrupted");
    } else if (sum != NULL) {
        double s = 0;
        for (size_t b = 0; b < blocks; b++)
            s += j.block_sum[b];
        *sum = s;
    }
    free(j.block_sum);
    free(j.scratch);
    return rc;
}
