/* kiln — the web-scale mini-batch k-means of SageMaker's k-means
 * (Sculley, "Web-Scale K-Means Clustering", WWW 2010; SageMaker's "How
 * K-Means Clustering Works", steps 1 and 2).
 *
 * K = k x extra_center_factor centers are seeded from the first
 * mini-batch, then every mini-batch of every epoch moves them: each row
 * goes to its nearest center, and a center that received n rows of mean m
 * becomes (1 - p) c + p m with p = n / (count + n), the count growing by
 * n.  half_life_time_size = h > 0 makes old rows count less: before a
 * batch of b rows, every count is multiplied by 2^(-b/h), so a row's
 * weight halves once h more rows have been seen.
 *
 * Mini-batches: SageMaker's docs describe "a small, randomly chosen subset
 * of all records" and seeding from "a small, randomly sampled batch".
 * kiln shuffles the row order once per epoch (fixed seed, kmeans.h) and
 * walks it in mini_batch_size slices; the first slice of epoch 0 (at
 * least K rows) is the seeding batch, and epoch 0 then starts from that
 * same slice, as SageMaker's logs show it reading the first batch twice.
 */
#include "kmeans.h"

#include "algos/par.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Row r of x as a dense d-vector. */
static void row_to_dense(const kiln__kmeans_rows *x, size_t d, size_t r,
                         float *out)
{
    size_t id = kiln__kmeans_row_id(x, r);
    if (x->ds != NULL && kiln_dataset_is_sparse(x->ds)) {
        const size_t *indptr = kiln_dataset_indptr(x->ds);
        const uint32_t *idx = kiln_dataset_indices(x->ds);
        const float *val = kiln_dataset_values(x->ds);
        memset(out, 0, d * sizeof *out);
        for (size_t e = indptr[id]; e < indptr[id + 1]; e++)
            out[idx[e]] += val[e];
        return;
    }
    const float *base = x->dense != NULL ? x->dense : kiln_dataset_dense(x->ds);
    memcpy(out, base + id * d, d * sizeof *out);
}

static bool is_sparse(const kiln__kmeans_rows *x)
{
    return x->ds != NULL && kiln_dataset_is_sparse(x->ds);
}

/* Squared distances of x's rows to one center (exact, see assign). */
static int dist_to(const kiln__kmeans_rows *x, size_t d, const float *center,
                   unsigned threads, kiln_cancel *cancel, float *out,
                   kiln_error *err)
{
    kiln__kmeans_centers c;
    int rc = kiln__kmeans_centers_init(&c, center, 1, d, is_sparse(x), err);
    if (rc != KILN_OK)
        return rc;
    rc = kiln__kmeans_assign(x, d, &c, threads, cancel, NULL, out, NULL, err);
    kiln__kmeans_centers_fini(&c);
    return rc;
}

int kiln__kmeans_seed(const kiln__kmeans_rows *x, size_t d, size_t K,
                      kiln__kmeans_init how, kiln__kmeans_rng *rng,
                      unsigned threads, kiln_cancel *cancel, float *centers,
                      kiln_error *err)
{
    size_t n = x->n;
    if (K == 0 || K > n)
        return kiln_error_set(err, KILN_INTERNAL,
                              "k-means seeding: %zu centers from %zu rows", K,
                              n);
    if (how == KILN__KMEANS_INIT_RANDOM) {
        /* K distinct rows: a partial Fisher-Yates shuffle */
        size_t *pick = malloc(n * sizeof *pick);
        if (pick == NULL)
            return kiln_error_nomem(err);
        for (size_t i = 0; i < n; i++)
            pick[i] = i;
        for (size_t i = 0; i < K; i++) {
            size_t j = i + (size_t)kiln__kmeans_rng_below(rng, n - i);
            size_t t = pick[i];
            pick[i] = pick[j];
            pick[j] = t;
            row_to_dense(x, d, pick[i], centers + i * d);
        }
        free(pick);
        return KILN_OK;
    }
    /* k-means++: the first center uniformly, each next one with
     * probability proportional to D(x)^2, the squared distance to the
     * nearest center chosen so far (Arthur & Vassilvitskii 2007). */
    float *dmin = malloc(n * sizeof *dmin), *dnew = malloc(n * sizeof *dnew);
    if (dmin == NULL || dnew == NULL) {
        free(dmin);
        free(dnew);
        return kiln_error_nomem(err);
    }
    row_to_dense(x, d, (size_t)kiln__kmeans_rng_below(rng, n), centers);
    int rc = dist_to(x, d, centers, threads, cancel, dmin, err);
    for (size_t c = 1; c < K && rc == KILN_OK; c++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += dmin[i];
        size_t pick = n - 1;
        if (total > 0) {
            double u = kiln__kmeans_rng_uniform(rng) * total, acc = 0;
            for (size_t i = 0; i < n; i++) {
                acc += dmin[i];
                if (u < acc && dmin[i] > 0) {
                    pick = i;
                    break;
                }
            }
            while (dmin[pick] == 0 && pick > 0) /* rounding at the end */
                pick--;
        } else {
            /* every row sits on a center: any row will do */
            pick = (size_t)kiln__kmeans_rng_below(rng, n);
        }
        row_to_dense(x, d, pick, centers + c * d);
        rc = dist_to(x, d, centers + c * d, threads, cancel, dnew, err);
        for (size_t i = 0; rc == KILN_OK && i < n; i++)
            if (dnew[i] < dmin[i])
                dmin[i] = dnew[i];
    }
    free(dmin);
    free(dnew);
    return rc;
}

void kiln__kmeans_update(float *centers, double *counts, size_t K, size_t d,
                         const double *sums, const double *n_new, double decay)
{
    for (size_t c = 0; c < K; c++) {
        double old = counts[c] * decay, n = n_new[c];
        counts[c] = old + n;
        if (n <= 0)
            continue;
        double p = n / (old + n);
        float *cc = centers + c * d;
        const double *s = sums + c * d;
        for (size_t j = 0; j < d; j++)
            cc[j] = (float)((1 - p) * cc[j] + p * (s[j] / n));
    }
}

/* ---- per-center sums of one batch --------------------------------------- */

typedef struct sum_job {
    const kiln__kmeans_rows *x;
    size_t d;
    const size_t *order; /* batch rows sorted by center, stable */
    const size_t *start; /* K + 1 */
    double *sums;
} sum_job;

/* One center's rows, in batch order: the sums come out the same whatever
 * the number of threads, and each row is read once, whole. */
static void sum_task(void *arg, size_t c, unsigned worker)
{
    (void)worker;
    sum_job *j = arg;
    size_t d = j->d;
    const float *base =
        j->x->dense != NULL ? j->x->dense : kiln_dataset_dense(j->x->ds);
    double *s = j->sums + c * d;
    for (size_t e = j->start[c]; e < j->start[c + 1]; e++) {
        const float *r = base + kiln__kmeans_row_id(j->x, j->order[e]) * d;
        for (size_t t = 0; t < d; t++)
            s[t] += r[t];
    }
}

/* sums (K x d) and n_new (K) of the batch x labelled `label`; order
 * (x->n) and start (K + 1) are scratch. */
static void batch_sums(const kiln__kmeans_rows *x, size_t d, size_t K,
                       const uint32_t *label, unsigned threads, double *sums,
                       double *n_new, size_t *order, size_t *start)
{
    memset(sums, 0, K * d * sizeof *sums);
    memset(start, 0, (K + 1) * sizeof *start);
    for (size_t i = 0; i < x->n; i++)
        start[label[i] + 1]++;
    for (size_t c = 0; c < K; c++) {
        n_new[c] = (double)start[c + 1];
        start[c + 1] += start[c];
    }
    if (!is_sparse(x)) {
        /* counting sort by center, stable; start[] ends where it began */
        for (size_t i = 0; i < x->n; i++)
            order[start[label[i]]++] = i;
        for (size_t c = K; c > 0; c--)
            start[c] = start[c - 1];
        start[0] = 0;
        sum_job j = {.x = x, .d = d, .order = order, .start = start,
                     .sums = sums};
        kiln_par_tasks(threads, K, sum_task, &j);
        return;
    }
    const size_t *indptr = kiln_dataset_indptr(x->ds);
    const uint32_t *idx = kiln_dataset_indices(x->ds);
    const float *val = kiln_dataset_values(x->ds);
    for (size_t i = 0; i < x->n; i++) {
        size_t row = kiln__kmeans_row_id(x, i);
        double *s = sums + (size_t)label[i] * d;
        for (size_t e = indptr[row]; e < indptr[row + 1]; e++)
            s[idx[e]] += val[e];
    }
}

/* ---- the epochs --------------------------------------------------------- */

static void shuffle(size_t *perm, size_t n, kiln__kmeans_rng *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)kiln__kmeans_rng_below(rng, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One batch: assign, sum, move the centers.  *loss += the batch's squared
 * distances (to the centers before the move). */
static int one_batch(const kiln__kmeans_rows *x, const kiln__kmeans_params *p,
                     size_t K, kiln_cancel *cancel, float *centers,
                     double *counts, uint32_t *label, double *sums,
                     double *n_new, size_t *order, size_t *start,
                     double *loss, kiln_error *err)
{
    kiln__kmeans_centers c;
    int rc = kiln__kmeans_centers_init(&c, centers, K, p->d, is_sparse(x), err);
    if (rc != KILN_OK)
        return rc;
    double s = 0;
    rc = kiln__kmeans_assign(x, p->d, &c, p->threads, cancel, label, NULL, &s,
                             err);
    kiln__kmeans_centers_fini(&c);
    if (rc != KILN_OK)
        return rc;
    *loss += s;
    batch_sums(x, p->d, K, label, p->threads, sums, n_new, order, start);
    double decay = p->half_life_time_size > 0
                       ? exp2(-(double)x->n / (double)p->half_life_time_size)
                       : 1.0;
    kiln__kmeans_update(centers, counts, K, p->d, sums, n_new, decay);
    return KILN_OK;
}

int kiln__kmeans_minibatch(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                           const kiln__kmeans_params *p, kiln_cancel *cancel,
                           float **centers_out, double **counts_out,
                           size_t *n_centers, kiln_error *err)
{
    size_t n = kiln_dataset_rows(ds), d = p->d;
    size_t K = p->centers < n ? p->centers : n;
    size_t B = p->mini_batch_size < n ? p->mini_batch_size : n;
    size_t first = B > K ? B : K;
    kiln__kmeans_rng rng;
    kiln__kmeans_rng_seed(&rng, p->seed);

    size_t *perm = malloc(n * sizeof *perm);
    float *centers = NULL;
    double *counts = calloc(K, sizeof *counts), *sums = NULL;
    double *n_new = calloc(K, sizeof *n_new);
    uint32_t *label = malloc(B * sizeof *label);
    size_t *order = malloc(B * sizeof *order);
    size_t *start = malloc((K + 1) * sizeof *start);
    int rc = KILN_OK;
    if (d != 0 && K > SIZE_MAX / sizeof(double) / d)
        rc = kiln_error_nomem(err);
    if (rc == KILN_OK) {
        centers = malloc(K * d * sizeof *centers + 1);
        sums = malloc(K * d * sizeof *sums + 1);
    }
    if (rc == KILN_OK && (perm == NULL || centers == NULL || counts == NULL ||
                          sums == NULL || n_new == NULL || label == NULL ||
                          order == NULL || start == NULL))
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate %zu bytes for %zu k-means "
                            "centers of %zu features",
                            K * d * (sizeof(float) + sizeof(double)), K, d);
    if (rc != KILN_OK)
        goto done;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    shuffle(perm, n, &rng);

    kiln__kmeans_rows seed_rows = {.ds = ds, .index = perm, .n = first};
    rc = kiln__kmeans_seed(&seed_rows, d, K, p->init, &rng, p->threads, cancel,
                           centers, err);
    double total = (double)n * (double)p->epochs;
    for (size_t e = 0; e < p->epochs && rc == KILN_OK; e++) {
        double t0 = now(), loss = 0;
        if (e > 0)
            shuffle(perm, n, &rng);
        for (size_t b0 = 0; b0 < n && rc == KILN_OK; b0 += B) {
            kiln__kmeans_rows batch = {.ds = ds, .index = perm + b0,
                                       .n = n - b0 < B ? n - b0 : B};
            rc = one_batch(&batch, p, K, cancel, centers, counts, label, sums,
                           n_new, order, start, &loss, err);
            if (rc == KILN_OK && ctx != NULL) {
                char status[64];
                snprintf(status, sizeof status, "epoch %zu/%zu", e + 1,
                         p->epochs);
                double done = (double)e * n + b0 + batch.n;
                kiln_train_progress(ctx, 0.9 * done / total, status);
            }
        }
        if (rc != KILN_OK || ctx == NULL)
            continue;
        double secs = now() - t0;
        char msd[40], pct[40], tput[40];
        kiln__kmeans_fmt(loss / (double)n, msd, sizeof msd);
        kiln__kmeans_fmt(100.0 * (double)(e + 1) / (double)p->epochs, pct,
                         sizeof pct);
        kiln__kmeans_fmt(secs > 0 ? (double)n / secs : 0, tput, sizeof tput);
        kiln_train_metric(ctx, "train:msd", (int64_t)e, loss / (double)n);
        kiln_train_log(ctx, "processed a total of %zu examples", n);
        kiln_train_log(ctx, "#quality_metric: host=algo-1, epoch=%zu, train "
                       "msd <loss>=%s", e, msd);
        kiln_train_log(ctx, "#progress_metric: host=algo-1, completed %s %% "
                       "of epochs", pct);
        kiln_train_log(ctx, "#throughput_metric: host=algo-1, train "
                       "throughput=%s records/second", tput);
    }
done:
    free(perm);
    free(sums);
    free(n_new);
    free(label);
    free(order);
    free(start);
    if (rc != KILN_OK) {
        free(centers);
        free(counts);
        return rc;
    }
    *centers_out = centers;
    *counts_out = counts;
    *n_centers = K;
    return KILN_OK;
}
