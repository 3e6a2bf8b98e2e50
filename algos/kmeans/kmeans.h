/* kiln — SageMaker's k-means, internal interface (not installed).
 *
 * The files, one concept each:
 *   kmeans_algo.c       the descriptor kiln_algo_kmeans: hyperparameters,
 *                       metrics, channels, and train (the run's outline)
 *   kmeans_assign.c     nearest-center assignment of many rows (BLAS blocks
 *                       on worker threads), row checks, the row view
 *   kmeans_minibatch.c  web-scale mini-batch k-means over K centers
 *                       (Sculley 2010), its random and k-means++ seeding
 *   kmeans_lloyd.c      the local Lloyd step: weighted k-means of the K
 *                       centers down to k
 *   kmeans_model.c      the model: predict, save, load (model_algo-1)
 *
 * Everything here is kiln__kmeans_*: visible to the folder's files and to
 * the tests in tests/algos/kmeans/, exported by nothing else.
 */
#ifndef KILN_ALGOS_KMEANS_KMEANS_H
#define KILN_ALGOS_KMEANS_KMEANS_H

#include "algos/algo.h"
#include "algos/data/dataset.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- random numbers ---------------------------------------------------- */

/* xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64.
 * SageMaker's k-means has no seed hyperparameter; kiln uses the fixed
 * KILN__KMEANS_SEED so that the same data and hyperparameters give the
 * same model. */
#define KILN__KMEANS_SEED UINT64_C(0x6b696c6e6b6d6e73) /* "kilnkmns" */

typedef struct kiln__kmeans_rng {
    uint64_t s[4];
} kiln__kmeans_rng;

void kiln__kmeans_rng_seed(kiln__kmeans_rng *r, uint64_t seed);
uint64_t kiln__kmeans_rng_next(kiln__kmeans_rng *r);
/* Uniform in [0, 1), 53 bits. */
double kiln__kmeans_rng_uniform(kiln__kmeans_rng *r);
/* Uniform in [0, n), n >= 1, without modulo bias. */
uint64_t kiln__kmeans_rng_below(kiln__kmeans_rng *r, uint64_t n);

/* ---- rows --------------------------------------------------------------- */

/* A view of some rows of a dataset, or of a plain dense matrix: row r of
 * the view is dataset row index[r] (when index is set) or begin + r. */
typedef struct kiln__kmeans_rows {
    const kiln_dataset *ds; /* dense or CSR; NULL when `dense` is set */
    const float *dense;     /* a row-major matrix of d columns */
    const size_t *index;    /* NULL: consecutive rows from begin */
    size_t begin;
    size_t n;               /* rows in the view */
} kiln__kmeans_rows;

/* The whole of ds / of an n x d matrix. */
kiln__kmeans_rows kiln__kmeans_rows_all(const kiln_dataset *ds);
kiln__kmeans_rows kiln__kmeans_rows_matrix(const float *m, size_t n);

/* Dataset row of view row r. */
static inline size_t kiln__kmeans_row_id(const kiln__kmeans_rows *x, size_t r)
{
    return x->index != NULL ? x->index[r] : x->begin + r;
}

/* ---- assignment --------------------------------------------------------- */

/* Centers prepared for assignment: k x d values, their squared norms, and
 * (for sparse rows) a d x k transposed copy. */
typedef struct kiln__kmeans_centers {
    size_t k, d;
    const float *c;   /* k x d, borrowed */
    float *norm;      /* k */
    double *normd;    /* k, the same in double */
    float *ct;        /* d x k, or NULL */
} kiln__kmeans_centers;

int kiln__kmeans_centers_init(kiln__kmeans_centers *c, const float *centers,
                              size_t k, size_t d, bool transposed,
                              kiln_error *err);
void kiln__kmeans_centers_fini(kiln__kmeans_centers *c);

/* For every row of x: the nearest center (label, may be NULL) and the
 * squared Euclidean distance to it (dist2, may be NULL), and the sum of
 * those (sum, double, may be NULL).  The search uses
 * |x|^2 - 2 x.c + |c|^2 with cblas_sgemm over blocks of 256 rows
 * (sparse rows: sparse-dense dot products); the returned distance is then
 * recomputed directly from the coordinates, so it carries no cancellation
 * error.  Ties go to the lower center.  Results do not depend on
 * `threads`.  KILN_INTERRUPTED (polled per block), KILN_NOMEM. */
int kiln__kmeans_assign(const kiln__kmeans_rows *x, size_t d,
                        const kiln__kmeans_centers *c, unsigned threads,
                        kiln_cancel *cancel, uint32_t *label, float *dist2,
                        double *sum, kiln_error *err);

/* Squared distance of two d-vectors (float, 8 partial sums). */
float kiln__kmeans_dist2(const float *a, const float *b, size_t d);

/* ---- mini-batch k-means ------------------------------------------------- */

typedef enum kiln__kmeans_init {
    KILN__KMEANS_INIT_RANDOM,
    KILN__KMEANS_INIT_KMEANSPP,
} kiln__kmeans_init;

typedef struct kiln__kmeans_params {
    size_t k;                   /* final clusters */
    size_t d;                   /* feature_dim */
    size_t centers;             /* K = k x extra_center_factor */
    size_t epochs;
    size_t mini_batch_size;
    size_t half_life_time_size; /* 0: no decay */
    kiln__kmeans_init init;
    kiln__kmeans_init local_init;
    size_t local_max_iter;
    size_t local_trials;
    double local_tol;
    unsigned threads;
    uint64_t seed;
} kiln__kmeans_params;

/* K (= p->centers, lowered to the row count when the data has fewer rows)
 * centers and their counts (the points each absorbed, decayed by
 * half_life_time_size).  *centers (K x d) and *counts (K) are malloc'ed
 * and set only on KILN_OK, with *n_centers.  Reports per-epoch progress
 * and train:msd through ctx (may be NULL in tests). */
int kiln__kmeans_minibatch(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                           const kiln__kmeans_params *p, kiln_cancel *cancel,
                           float **centers, double **counts,
                           size_t *n_centers, kiln_error *err);

/* The seeding of the mini-batch phase: K rows of x (the first mini-batch)
 * chosen uniformly without replacement (random) or by k-means++ D^2
 * sampling (Arthur & Vassilvitskii 2007), copied into centers (K x d).
 * K <= x->n. */
int kiln__kmeans_seed(const kiln__kmeans_rows *x, size_t d, size_t K,
                      kiln__kmeans_init how, kiln__kmeans_rng *rng,
                      unsigned threads, kiln_cancel *cancel, float *centers,
                      kiln_error *err);

/* One mini-batch update (SageMaker's "How K-Means Clustering Works", step
 * 2): counts decay by `decay`, then each center that received n points of
 * mean m moves to (1 - p) c + p m with p = n / (decayed count + n), and
 * its count becomes decayed count + n.  `sums` (K x d) and `n_new` (K)
 * are the batch's per-center sums and counts. */
void kiln__kmeans_update(float *centers, double *counts, size_t K, size_t d,
                         const double *sums, const double *n_new,
                         double decay);

/* ---- local Lloyd -------------------------------------------------------- */

/* Weighted k-means of the n points P (n x d, weights w >= 0) into k
 * centers (k x d, out): `trials` runs from local_init seeds, each of at
 * most max_iter Lloyd iterations, stopping when the weighted mean squared
 * distance improves by less than tol (relative); the run with the lowest
 * weighted mean squared distance wins.  losses[t] (trials entries, may be
 * NULL) receives each run's final loss, *best its minimum.  Points of
 * weight 0 are ignored unless fewer than k points weigh anything.  For
 * n <= 2048 the runs work on the n x n Gram matrix of P (kernel k-means:
 * O(n^2) per iteration instead of O(n k d)) and run in parallel, else in
 * feature space.  force_features selects the latter (tests). */
int kiln__kmeans_local_lloyd(const float *P, const double *w, size_t n,
                             size_t d, size_t k, kiln__kmeans_init local_init,
                             size_t trials, size_t max_iter, double tol,
                             uint64_t seed, unsigned threads,
                             kiln_cancel *cancel, bool force_features,
                             float *out, double *losses, double *best,
                             kiln_error *err);

/* ---- the model ---------------------------------------------------------- */

typedef struct kiln__kmeans_model {
    size_t k, d;
    float *centers; /* k x d */
} kiln__kmeans_model;

/* A model owning a copy of centers; NULL with err set. */
kiln__kmeans_model *kiln__kmeans_model_new(const float *centers, size_t k,
                                           size_t d, kiln_error *err);
void kiln__kmeans_model_free(void *model);
size_t kiln__kmeans_features(const void *model);
int kiln__kmeans_predict(const void *model, const kiln_dataset *x,
                         kiln_predictions *out, kiln_error *err);
int kiln__kmeans_save(const void *model, const char *dir, kiln_error *err);
int kiln__kmeans_load(const char *dir, void **model, kiln_error *err);

/* The artifact's file name. */
#define KILN__KMEANS_ARTIFACT "model_algo-1"

/* Shortest "%.Ng" text that reads back as v (C locale digits). */
void kiln__kmeans_fmt(double v, char *buf, size_t size);

#endif
