/* kiln — the local Lloyd step of SageMaker's k-means: the K centers of
 * the mini-batch phase, weighted by the rows they absorbed, are clustered
 * into the final k centers by Lloyd's algorithm ("How K-Means Clustering
 * Works", step 3), restarted local_lloyd_num_trials times from
 * local_lloyd_init_method seeds; the run with the lowest weighted mean
 * squared distance wins (SageMaker's log: "local kmeans attempt #3.
 * Current mean square distance 0.070390").
 *
 * Gram path (n <= 2048 points): every center of a run is a weighted
 * combination of the points (a seed point, or the weighted mean of a
 * cluster), so with G = P P^T the squared distance of point i to center
 * j = sum_m a_m P_m is
 *     G_ii - 2 sum_m a_m G_mi + sum_m a_m (sum_m' a_m' G_mm')
 * and one iteration costs O(n^2) instead of O(n k d): kernel k-means with
 * the linear kernel.  Runs are independent (each has its own seeded
 * generator) and spread over the threads; the winner does not depend on
 * the thread count.  G is computed in double from the points centred on
 * their weighted mean, which keeps the differences of norms exact enough.
 * Feature path (larger n, or forced by the tests): the same runs with
 * explicit centers and the BLAS assignment of kmeans_assign.c.
 *
 * A cluster left empty by an iteration moves to the point farthest from
 * its center (largest weighted squared distance), as scikit-learn does;
 * SageMaker does not say what it does.
 * Convergence: the weighted mean squared distance improved by less than
 * tol relative to the previous iteration (an unchanged assignment
 * improves it by 0).
 */
#include "kmeans.h"

#include "algos/par.h"

#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { GRAM_MAX_POINTS = 2048 };
#define GRAM_MAX_BYTES ((size_t)512 << 20)

/* ---- seeding (shared by both paths) ------------------------------------- */

/* Squared distance between points i and j, or between point i and the
 * seed (a point index) c. */
typedef double (*dist_fn)(const void *ctx, size_t i, size_t c);

/* Index of a point drawn with probability proportional to p[i] (all >= 0,
 * sum > 0), skipping `taken` ones (p must be 0 there). */
static size_t draw(const double *p, size_t n, double total,
                   kiln__kmeans_rng *rng)
{
    double u = kiln__kmeans_rng_uniform(rng) * total, acc = 0;
    size_t last = n;
    for (size_t i = 0; i < n; i++) {
        if (p[i] <= 0)
            continue;
        last = i;
        acc += p[i];
        if (u < acc)
            return i;
    }
    return last; /* rounding: the last point with mass */
}

/* k distinct seed points (seeds[]), n > k, every w > 0.
 * random: k points drawn without replacement with probability
 * proportional to their weight.  kmeans++: the first by weight, each next
 * with probability proportional to w D^2 (Arthur & Vassilvitskii 2007,
 * with the points weighted by the rows they stand for). */
static void seed_points(const double *w, size_t n, size_t k,
                        kiln__kmeans_init how, dist_fn dist, const void *dctx,
                        kiln__kmeans_rng *rng, double *p, double *dmin,
                        size_t *seeds)
{
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        p[i] = w[i];
        total += w[i];
    }
    seeds[0] = draw(p, n, total, rng);
    if (how == KILN__KMEANS_INIT_RANDOM) {
        for (size_t c = 1; c < k; c++) {
            p[seeds[c - 1]] = 0;
            total = 0;
            for (size_t i = 0; i < n; i++)
                total += p[i];
            seeds[c] = draw(p, n, total, rng);
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        dmin[i] = dist(dctx, i, seeds[0]);
    for (size_t c = 1; c < k; c++) {
        total = 0;
        for (size_t i = 0; i < n; i++) {
            p[i] = w[i] * dmin[i];
            total += p[i];
        }
        if (total > 0) {
            seeds[c] = draw(p, n, total, rng);
        } else {
            /* every point sits on a seed: take any unused point */
            size_t pick = (size_t)kiln__kmeans_rng_below(rng, n);
            for (size_t t = 0; t < c; t++)
                if (seeds[t] == pick) {
                    pick = (pick + 1) % n;
                    t = (size_t)-1;
                }
            seeds[c] = pick;
        }
        for (size_t i = 0; i < n; i++) {
            double dd = dist(dctx, i, seeds[c]);
            if (dd < dmin[i])
                dmin[i] = dd;
        }
    }
}

static uint64_t trial_seed(uint64_t seed, size_t t)
{
    return seed ^ (UINT64_C(0x9E3779B97F4A7C15) * (uint64_t)(t + 1));
}

/* Move `count` empty clusters to the points farthest from their centers
 * (largest w d2), each point used once (used[] is scratch, n bytes).
 * With n > k there are always enough points. */
static void pick_far(const double *w, const double *d2, size_t n,
                     size_t *far, size_t count, unsigned char *used)
{
    memset(used, 0, n);
    for (size_t e = 0; e < count; e++) {
        size_t best = 0;
        double bv = -1;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && w[i] * d2[i] > bv) {
                bv = w[i] * d2[i];
                best = i;
            }
        used[best] = 1;
        far[e] = best;
    }
}

/* ---- Gram path ---------------------------------------------------------- */

typedef struct gram {
    size_t n, k, trials, max_iter;
    double tol, W;
    const double *G, *w;
    kiln__kmeans_init init;
    uint64_t seed;
    kiln_cancel *cancel;
    atomic_int stopped;
    double *losses;      /* per trial */
    /* per worker */
    size_t per;          /* doubles of scratch per worker */
    double *scratch;
    size_t *iscratch;
    size_t iper;
    double *best_loss;   /* per worker */
    size_t *best_trial;  /* per worker */
    double *best_coef;   /* per worker: a center list, see below */
    size_t *best_idx;
    size_t *best_start;  /* per worker: k + 1 */
} gram;

static double gram_dist(const void *ctx, size_t i, size_t c)
{
    const gram *g = ctx;
    double v = g->G[i * g->n + i] + g->G[c * g->n + c] - 2 * g->G[i * g->n + c];
    return v > 0 ? v : 0;
}

/* Centers as lists: center j = sum over e in [start[j], start[j+1]) of
 * coef[e] * P[idx[e]]. */
static void gram_trial(gram *g, size_t t, unsigned worker)
{
    size_t n = g->n, k = g->k;
    double *s = g->scratch + worker * g->per;
    double *cross = s;              /* k x n */
    double *self = cross + k * n;   /* k */
    double *wj = self + k;          /* k */
    double *d2 = wj + k;            /* n */
    double *p = d2 + n;             /* n */
    double *dmin = p + n;           /* n */
    double *coef = dmin + n;        /* n + k */
    double *coef2 = coef + n + k;   /* n + k */
    size_t *is = g->iscratch + worker * g->iper;
    size_t *label = is;             /* n */
    size_t *idx = label + n;        /* n + k */
    size_t *idx2 = idx + n + k;     /* n + k */
    size_t *start = idx2 + n + k;   /* k + 1 */
    size_t *start2 = start + k + 1; /* k + 1 */
    size_t *seeds = start2 + k + 1; /* k */
    size_t *far = seeds + k;        /* k */
    unsigned char *used = (unsigned char *)(far + k); /* n */

    kiln__kmeans_rng rng;
    kiln__kmeans_rng_seed(&rng, trial_seed(g->seed, t));
    seed_points(g->w, n, k, g->init, gram_dist, g, &rng, p, dmin, seeds);
    for (size_t j = 0; j <= k; j++)
        start[j] = j;
    for (size_t j = 0; j < k; j++) {
        idx[j] = seeds[j];
        coef[j] = 1;
    }
    double loss = INFINITY, prev = INFINITY;
    for (size_t it = 0;; it++) {
        if (kiln_cancel_requested(g->cancel) || atomic_load(&g->stopped)) {
            atomic_store(&g->stopped, 1);
            return;
        }
        /* cross[j][i] = sum_m a_m G_mi; self[j] = sum_m a_m cross[j][m] */
        for (size_t j = 0; j < k; j++) {
            double *cr = cross + j * n;
            memset(cr, 0, n * sizeof *cr);
            for (size_t e = start[j]; e < start[j + 1]; e++) {
                const double *gm = g->G + idx[e] * n;
                double a = coef[e];
                for (size_t i = 0; i < n; i++)
                    cr[i] += a * gm[i];
            }
            double sf = 0;
            for (size_t e = start[j]; e < start[j + 1]; e++)
                sf += coef[e] * cr[idx[e]];
            self[j] = sf;
        }
        double sum = 0;
        for (size_t i = 0; i < n; i++) {
            double gii = g->G[i * n + i];
            size_t best = 0;
            double bd = gii - 2 * cross[i] + self[0];
            for (size_t j = 1; j < k; j++) {
                double v = gii - 2 * cross[j * n + i] + self[j];
                if (v < bd) {
                    bd = v;
                    best = j;
                }
            }
            if (bd < 0)
                bd = 0;
            label[i] = best;
            d2[i] = bd;
            sum += g->w[i] * bd;
        }
        prev = loss;
        loss = sum / g->W;
        bool converged = it > 0 && prev - loss <= g->tol * prev;
        if (converged || it >= g->max_iter)
            break;
        /* the weighted means of the clusters; empty ones move far */
        size_t *cnt = seeds; /* reuse: k counts, then k cursors */
        memset(wj, 0, k * sizeof *wj);
        memset(cnt, 0, k * sizeof *cnt);
        for (size_t i = 0; i < n; i++) {
            wj[label[i]] += g->w[i];
            cnt[label[i]]++;
        }
        size_t empty = 0, m = 0;
        for (size_t j = 0; j < k; j++) {
            empty += cnt[j] == 0;
            start2[j] = m;
            m += cnt[j] > 0 ? cnt[j] : 1;
        }
        start2[k] = m;
        if (empty > 0) {
            pick_far(g->w, d2, n, far, empty, used);
            for (size_t j = 0, e = 0; j < k; j++)
                if (cnt[j] == 0) {
                    idx2[start2[j]] = far[e++];
                    coef2[start2[j]] = 1;
                }
        }
        for (size_t j = 0; j < k; j++)
            cnt[j] = start2[j];
        for (size_t i = 0; i < n; i++) {
            size_t j = label[i];
            idx2[cnt[j]] = i;
            coef2[cnt[j]++] = g->w[i] / wj[j];
        }
        memcpy(start, start2, (k + 1) * sizeof *start);
        size_t *ti = idx;
        idx = idx2;
        idx2 = ti;
        double *tc = coef;
        coef = coef2;
        coef2 = tc;
    }
    g->losses[t] = loss;
    if (loss < g->best_loss[worker] ||
        (loss == g->best_loss[worker] && t < g->best_trial[worker])) {
        g->best_loss[worker] = loss;
        g->best_trial[worker] = t;
        size_t *bs = g->best_start + worker * (k + 1);
        size_t *bi = g->best_idx + worker * (n + k);
        double *bc = g->best_coef + worker * (n + k);
        memcpy(bs, start, (k + 1) * sizeof *bs);
        memcpy(bi, idx, start[k] * sizeof *bi);
        memcpy(bc, coef, start[k] * sizeof *bc);
    }
}

static void gram_task(void *arg, size_t t, unsigned worker)
{
    gram *g = arg;
    if (atomic_load(&g->stopped))
        return; /* the remaining restarts are skipped at once */
    gram_trial(g, t, worker);
}

/* The lists hold at most n + k entries: the n points in their clusters,
 * and one far point per empty cluster. */
static int gram_path(const float *P, const double *w, size_t n, size_t d,
                     size_t k, kiln__kmeans_init init, size_t trials,
                     size_t max_iter, double tol, uint64_t seed,
                     unsigned threads, kiln_cancel *cancel, float *out,
                     double *losses, double *best, kiln_error *err)
{
    int rc = KILN_OK;
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > trials)
        threads = (unsigned)trials;
    if (trials > SIZE_MAX / sizeof(double))
        return kiln_error_nomem(err);
    gram g = {.n = n, .k = k, .trials = trials, .max_iter = max_iter,
              .tol = tol, .w = w, .init = init, .seed = seed,
              .cancel = cancel};
    atomic_init(&g.stopped, 0);
    g.per = k * n + 2 * k + 3 * n + 2 * (n + k);
    g.iper = n + 2 * (n + k) + 2 * (k + 1) + 2 * k +
             (n + sizeof(size_t) - 1) / sizeof(size_t);
    double *Pd = malloc(n * d * sizeof *Pd + 1);
    double *G = malloc(n * n * sizeof *G);
    double *mean = calloc(d + 1, sizeof *mean);
    g.losses = malloc(trials * sizeof *g.losses);
    g.scratch = malloc(threads * g.per * sizeof *g.scratch);
    g.iscratch = malloc(threads * g.iper * sizeof *g.iscratch);
    g.best_loss = malloc(threads * sizeof *g.best_loss);
    g.best_trial = malloc(threads * sizeof *g.best_trial);
    g.best_coef = malloc(threads * (n + k) * sizeof *g.best_coef);
    g.best_idx = malloc(threads * (n + k) * sizeof *g.best_idx);
    g.best_start = malloc(threads * (k + 1) * sizeof *g.best_start);
    if (Pd == NULL || G == NULL || mean == NULL || g.losses == NULL ||
        g.scratch == NULL || g.iscratch == NULL || g.best_loss == NULL ||
        g.best_trial == NULL || g.best_coef == NULL || g.best_idx == NULL ||
        g.best_start == NULL) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate %zu bytes for the local Lloyd "
                            "step on %zu centers",
                            (n * d + n * n + threads * g.per) * sizeof(double),
                            n);
        goto done;
    }
    /* centre on the weighted mean, then G = Pd Pd^T */
    double W = 0;
    for (size_t i = 0; i < n; i++)
        W += w[i];
    g.W = W;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            mean[j] += w[i] / W * P[i * d + j];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            Pd[i * d + j] = P[i * d + j] - mean[j];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0,
                Pd, (int)d, 0.0, G, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            G[i * n + j] = G[j * n + i];
    g.G = G;
    for (unsigned t = 0; t < threads; t++) {
        g.best_loss[t] = INFINITY;
        g.best_trial[t] = (size_t)-1;
    }
    kiln_par_tasks(threads, trials, gram_task, &g);
    if (atomic_load(&g.stopped)) {
        rc = kiln_error_set(err, KILN_INTERRUPTED, "training was interrupted");
        goto done;
    }
    unsigned win = 0;
    for (unsigned t = 1; t < threads; t++)
        if (g.best_loss[t] < g.best_loss[win] ||
            (g.best_loss[t] == g.best_loss[win] &&
             g.best_trial[t] < g.best_trial[win]))
            win = t;
    const size_t *bs = g.best_start + win * (k + 1);
    const size_t *bi = g.best_idx + win * (n + k);
    const double *bc = g.best_coef + win * (n + k);
    for (size_t j = 0; j < k; j++) {
        double *acc = mean; /* reuse: d doubles */
        memset(acc, 0, d * sizeof *acc);
        for (size_t e = bs[j]; e < bs[j + 1]; e++)
            for (size_t t = 0; t < d; t++)
                acc[t] += bc[e] * P[bi[e] * d + t];
        for (size_t t = 0; t < d; t++)
            out[j * d + t] = (float)acc[t];
    }
    if (losses != NULL)
        memcpy(losses, g.losses, trials * sizeof *losses);
    *best = g.best_loss[win];
done:
    free(Pd);
    free(G);
    free(mean);
    free(g.losses);
    free(g.scratch);
    free(g.iscratch);
    free(g.best_loss);
    free(g.best_trial);
    free(g.best_coef);
    free(g.best_idx);
    free(g.best_start);
    return rc;
}

/* ---- feature path ------------------------------------------------------- */

typedef struct feat {
    const float *P;
    size_t d;
} feat;

static double feat_dist(const void *ctx, size_t i, size_t c)
{
    const feat *f = ctx;
    return kiln__kmeans_dist2(f->P + i * f->d, f->P + c * f->d, f->d);
}

static int feature_path(const float *P, const double *w, size_t n, size_t d,
                        size_t k, kiln__kmeans_init init, size_t trials,
                        size_t max_iter, double tol, uint64_t seed,
                        unsigned threads, kiln_cancel *cancel, float *out,
                        double *losses, double *best, kiln_error *err)
{
    int rc = KILN_OK;
    double W = 0;
    for (size_t i = 0; i < n; i++)
        W += w[i];
    float *C = malloc(k * d * sizeof *C + 1);
    double *acc = malloc(k * d * sizeof *acc + 1), *wj = malloc(k * sizeof *wj);
    double *p = malloc(n * sizeof *p), *dmin = malloc(n * sizeof *dmin);
    double *dd = malloc(n * sizeof *dd);
    float *d2 = malloc(n * sizeof *d2);
    uint32_t *label = malloc(n * sizeof *label);
    size_t *seeds = malloc(k * sizeof *seeds), *far = malloc(k * sizeof *far);
    unsigned char *used = malloc(n);
    if (C == NULL || acc == NULL || wj == NULL || p == NULL || dmin == NULL ||
        dd == NULL || d2 == NULL || label == NULL || seeds == NULL ||
        far == NULL || used == NULL) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate %zu bytes for the local Lloyd "
                            "step on %zu centers",
                            k * d * (sizeof(float) + sizeof(double)), n);
        goto done;
    }
    feat f = {.P = P, .d = d};
    kiln__kmeans_rows rows = kiln__kmeans_rows_matrix(P, n);
    *best = INFINITY;
    for (size_t t = 0; t < trials && rc == KILN_OK; t++) {
        kiln__kmeans_rng rng;
        kiln__kmeans_rng_seed(&rng, trial_seed(seed, t));
        seed_points(w, n, k, init, feat_dist, &f, &rng, p, dmin, seeds);
        for (size_t j = 0; j < k; j++)
            memcpy(C + j * d, P + seeds[j] * d, d * sizeof *C);
        double loss = INFINITY, prev;
        for (size_t it = 0;; it++) {
            kiln__kmeans_centers cc;
            rc = kiln__kmeans_centers_init(&cc, C, k, d, false, err);
            if (rc == KILN_OK) {
                rc = kiln__kmeans_assign(&rows, d, &cc, threads, cancel,
                                         label, d2, NULL, err);
                kiln__kmeans_centers_fini(&cc);
            }
            if (rc != KILN_OK)
                break;
            double sum = 0;
            for (size_t i = 0; i < n; i++) {
                dd[i] = d2[i];
                sum += w[i] * d2[i];
            }
            prev = loss;
            loss = sum / W;
            bool converged = it > 0 && prev - loss <= tol * prev;
            if (converged || it >= max_iter)
                break;
            memset(acc, 0, k * d * sizeof *acc);
            memset(wj, 0, k * sizeof *wj);
            for (size_t i = 0; i < n; i++) {
                size_t j = label[i];
                wj[j] += w[i];
                for (size_t u = 0; u < d; u++)
                    acc[j * d + u] += w[i] * P[i * d + u];
            }
            size_t empty = 0;
            for (size_t j = 0; j < k; j++)
                empty += wj[j] <= 0;
            size_t e_used = 0;
            if (empty > 0)
                pick_far(w, dd, n, far, empty, used);
            for (size_t j = 0; j < k; j++) {
                if (wj[j] <= 0) {
                    memcpy(C + j * d, P + far[e_used++] * d, d * sizeof *C);
                    continue;
                }
                for (size_t u = 0; u < d; u++)
                    C[j * d + u] = (float)(acc[j * d + u] / wj[j]);
            }
        }
        if (rc != KILN_OK)
            break;
        if (losses != NULL)
            losses[t] = loss;
        if (loss < *best) {
            *best = loss;
            memcpy(out, C, k * d * sizeof *out);
        }
    }
done:
    free(C);
    free(acc);
    free(wj);
    free(p);
    free(dmin);
    free(dd);
    free(d2);
    free(label);
    free(seeds);
    free(far);
    free(used);
    return rc;
}

/* ---- entry -------------------------------------------------------------- */

int kiln__kmeans_local_lloyd(const float *P, const double *w, size_t n,
                             size_t d, size_t k, kiln__kmeans_init local_init,
                             size_t trials, size_t max_iter, double tol,
                             uint64_t seed, unsigned threads,
                             kiln_cancel *cancel, bool force_features,
                             float *out, double *losses, double *best,
                             kiln_error *err)
{
    if (k == 0 || n < k || trials == 0)
        return kiln_error_set(err, KILN_INTERNAL,
                              "local Lloyd: %zu clusters from %zu points", k,
                              n);
    /* the points that weigh anything */
    size_t na = 0;
    for (size_t i = 0; i < n; i++)
        na += w[i] > 0;
    if (na <= k) {
        /* nothing to cluster: the weighted points, then the others */
        size_t j = 0;
        for (size_t pass = 0; pass < 2; pass++)
            for (size_t i = 0; i < n && j < k; i++)
                if ((w[i] > 0) == (pass == 0))
                    memcpy(out + j++ * d, P + i * d, d * sizeof *out);
        for (size_t t = 0; losses != NULL && t < trials; t++)
            losses[t] = 0;
        *best = 0;
        return KILN_OK;
    }
    const float *Pa = P;
    const double *wa = w;
    float *pc = NULL;
    double *wc = NULL;
    if (na < n) {
        pc = malloc(na * d * sizeof *pc + 1);
        wc = malloc(na * sizeof *wc);
        if (pc == NULL || wc == NULL) {
            free(pc);
            free(wc);
            return kiln_error_nomem(err);
        }
        for (size_t i = 0, j = 0; i < n; i++)
            if (w[i] > 0) {
                memcpy(pc + j * d, P + i * d, d * sizeof *pc);
                wc[j++] = w[i];
            }
        Pa = pc;
        wa = wc;
    }
    bool gram_fits = na <= GRAM_MAX_POINTS && d <= GRAM_MAX_BYTES / 8 / na;
    int rc = !force_features && gram_fits
                 ? gram_path(Pa, wa, na, d, k, local_init, trials, max_iter,
                             tol, seed, threads, cancel, out, losses, best,
                             err)
                 : feature_path(Pa, wa, na, d, k, local_init, trials,
                                max_iter, tol, seed, threads, cancel, out,
                                losses, best, err);
    free(pc);
    free(wc);
    return rc;
}
