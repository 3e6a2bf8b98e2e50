/* kiln — SageMaker's PCA, internal interface (not installed).
 *
 * The files, one concept each:
 *   pca_algo.c        the descriptor kiln_algo_pca: hyperparameters, the
 *                     outline of a run, its log lines and metrics
 *   pca_rows.c        row checks, blocks of rows (dense or scattered from
 *                     CSR, optionally centred), block sizes, the ordering
 *                     and sign convention of components
 *   pca_scatter.c     regular mode: the scatter matrix over mini-batches
 *                     (cblas_ssyrk per block, merged in double) and its top
 *                     eigenpairs (LAPACKE_dsyevr)
 *   pca_randomized.c  randomized mode: subspace iteration (Halko, Martinsson
 *                     & Tropp 2011) with num_components + extra_components
 *                     columns, then the eigenpairs of the projected matrix
 *   pca_model.c       the model: predict, score, save, load (model_algo-1)
 *
 * Conventions shared by both modes (builtin-algorithms.md §4):
 *   - s are the singular values of the train rows' data matrix X (n x
 *     feature_dim), centred on the column means when subtract_mean is true:
 *     s[i]^2 is an eigenvalue of the scatter matrix X^T X (not of the
 *     covariance X^T X / n).  numpy.linalg.svd(X - X.mean(0)) gives the same
 *     numbers, and so does sklearn's PCA.singular_values_.  The notebooks'
 *     outputs agree: the counties data (3218 rows of 34 min-max-scaled
 *     features) shows a largest s of 19.6, which only a sum over rows can
 *     reach.
 *   - Components come in ascending order of s (the largest last), as
 *     SageMaker writes them; v's columns follow the same order.
 *   - Sign: every component is flipped so that its entry of largest
 *     magnitude is positive (the first such entry on ties).  SageMaker
 *     documents no convention; this one is deterministic and independent
 *     of the solver.
 *
 * Everything here is kiln__pca_*: visible to the folder's files and to the
 * tests in tests/algos/pca/, exported by nothing else.
 */
#ifndef KILN_ALGOS_PCA_PCA_H
#define KILN_ALGOS_PCA_PCA_H

#include "algos/algo.h"
#include "algos/data/dataset.h"

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The randomized mode's fixed seed: SageMaker's PCA has no seed
 * hyperparameter, and the same data and hyperparameters give the same
 * model (whatever ctx->threads). */
#define KILN__PCA_SEED UINT64_C(0x6b696c6e2d706361) /* "kiln-pca" */

/* The artifact's file name. */
#define KILN__PCA_ARTIFACT "model_algo-1"

/* ---- rows --------------------------------------------------------------- */

/* Rows [r0, r1) of ds as a dense (r1 - r0) x d row-major block in out,
 * minus center (a d-vector, or NULL).  Sparse rows are scattered: absent
 * entries are 0 (RecordIO-protobuf's meaning), repeated indices add up. */
void kiln__pca_block(const kiln_dataset *ds, size_t r0, size_t r1, size_t d,
                     const float *center, float *out);

/* Rows per block: mini_batch_size, at least 64 (BLAS calls on fewer rows
 * waste time), and at most what keeps one block near `per_row` x rows <=
 * 2^30 multiply-adds (about 50 ms: the cancel flag is polled between
 * blocks), at most 4096.  The statistics are exact sums, so the block size
 * changes only rounding, never the result. */
size_t kiln__pca_block_rows(size_t mini_batch_size, double per_row);

/* Order k eigenpairs ascending by value (values[k], vectors d x k
 * row-major, column c belongs to values[c]) and flip each column so that
 * its entry of largest magnitude is positive (the first on ties). */
void kiln__pca_arrange(double *values, double *vectors, size_t d, size_t k);

/* A fixed-seed generator (splitmix64), for the randomized mode's start. */
typedef struct kiln__pca_rng {
    uint64_t state;
} kiln__pca_rng;
uint64_t kiln__pca_rng_next(kiln__pca_rng *r);
/* Standard normal (Box-Muller on 53-bit uniforms). */
double kiln__pca_rng_gauss(kiln__pca_rng *r);

/* ---- what training produces --------------------------------------------- */

typedef struct kiln__pca_fit {
    size_t d, k;     /* feature_dim, num_components */
    size_t n;        /* train rows */
    bool centred;    /* subtract_mean */
    double *mean;    /* d column means (computed even when not centred) */
    double *s;       /* k singular values, ascending */
    double *v;       /* d x k row-major, columns in the order of s */
    /* sum over rows of |x - mean|^2 (centred) or |x|^2: the total that
     * sum(s^2) is a part of */
    double total;
} kiln__pca_fit;

void kiln__pca_fit_fini(kiln__pca_fit *f);

/* Training parameters, read from the hyperparameters (pca_algo.c). */
typedef struct kiln__pca_params {
    size_t d, k;
    size_t mini_batch_size;
    bool randomized;
    size_t extra;      /* extra_components, -1 already resolved */
    bool subtract_mean;
    unsigned threads;
} kiln__pca_params;

/* Progress of the compute phase through ctx, from `from` to `to` (0..1). */
void kiln__pca_progress(const kiln_train_ctx *ctx, double from, double to,
                        double part, const char *status);

/* ---- regular mode ------------------------------------------------------- */

/* The scatter matrix of ds's rows about their mean: m (d x d, row-major,
 * the upper triangle filled; the lower is not touched), the mean (d) and
 * the row count, all malloc'ed.  Dense rows, and sparse rows that are
 * dense enough, go in blocks of kiln__pca_block_rows rows: each block is
 * centred on its own mean, cblas_ssyrk forms its scatter, and the blocks
 * merge in double (Chan, Golub & LeVeque 1979: M = Ma + Mb + na nb / n
 * (mean_b - mean_a)(mean_b - mean_a)^T), so large means cost no digits.
 * Sparse rows sum x x^T over their stored entries in double and subtract
 * n mean mean^T at the end (SageMaker's formula; doubles keep the
 * cancellation harmless for sparse data).  force_sparse: 1 takes the
 * sparse sums, -1 the blocks, 0 decides by cost (tests).
 * KILN_INTERRUPTED (polled per block), KILN_NOMEM with the size. */
typedef struct kiln__pca_scatter {
    size_t d, n;
    double *m;
    double *mean;
} kiln__pca_scatter;

int kiln__pca_scatter_compute(const kiln_train_ctx *ctx,
                              const kiln_dataset *ds, size_t d,
                              size_t mini_batch_size, int force_sparse,
                              kiln__pca_scatter *out, kiln_error *err);
void kiln__pca_scatter_fini(kiln__pca_scatter *s);

/* The k largest eigenpairs of the symmetric d x d matrix m (its upper
 * triangle, row-major; destroyed), with LAPACKE_dsyevr: values[k]
 * ascending, vectors d x k row-major (column c for values[c]).  KILN_NOMEM,
 * KILN_INTERNAL when LAPACK fails. */
int kiln__pca_top_eigen(double *m, size_t d, size_t k, double *values,
                        double *vectors, kiln_error *err);

/* Regular mode end to end: the scatter matrix (uncentred when
 * !subtract_mean: M + n mean mean^T), its top k eigenpairs, s = sqrt of
 * the eigenvalues (negative rounding noise becomes 0), arranged. */
int kiln__pca_regular(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                      const kiln__pca_params *p, kiln__pca_fit *out,
                      kiln_error *err);

/* ---- randomized mode ---------------------------------------------------- */

/* Subspace iteration on A^T A, A the (centred) train rows, with
 * l = min(k + extra, d) columns (Halko, Martinsson & Tropp 2011,
 * Algorithms 4.4 and 5.3): start from a d x l Gaussian
 * matrix (KILN__PCA_SEED), then `passes` passes over the rows in blocks;
 * each pass forms T = A Q block by block, accumulates G = T^T T (l x l,
 * double) and Z = A^T T (d x l, double), and orthonormalises Z
 * (Householder QR) into the next Q.  The last pass's G gives the Ritz
 * values and vectors: s = sqrt(eigenvalues of G), v = Q W.
 * passes = 0 chooses scikit-learn's rule for randomized_svd's n_iter
 * ("auto": 7 power iterations when k < 0.1 min(n, d), else 4) plus the
 * start and the last pass.  force_sparse as for the scatter. */
int kiln__pca_randomized(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                         const kiln__pca_params *p, size_t passes,
                         int force_sparse, kiln__pca_fit *out,
                         kiln_error *err);

/* ---- the model ---------------------------------------------------------- */

typedef struct kiln__pca_model {
    size_t d, k;
    float *mean;     /* d, or NULL (subtract_mean false) */
    float *v;        /* d x k row-major */
    float *s;        /* k */
    double *mean_v;  /* k: mean . v in double (sparse rows), or NULL */
} kiln__pca_model;

/* A model owning copies of the arrays (mean may be NULL); NULL with err. */
kiln__pca_model *kiln__pca_model_new(size_t d, size_t k, const float *mean,
                                     const float *v, const float *s,
                                     kiln_error *err);
void kiln__pca_model_free(void *model);
size_t kiln__pca_features(const void *model);
int kiln__pca_predict(const void *model, const kiln_dataset *x,
                      kiln_predictions *out, kiln_error *err);
int kiln__pca_save(const void *model, const char *dir, kiln_error *err);
int kiln__pca_load(const char *dir, void **model, kiln_error *err);

/* The fraction of the rows' squared deviation from the model's mean (0
 * without one) that the projection on the components keeps:
 * sum |v^T (x - mean)|^2 / sum |x - mean|^2 (0 when the denominator is). */
int kiln__pca_score(const kiln__pca_model *m, const kiln_dataset *x,
                    double *ratio, kiln_error *err);

/* Shortest "%.Ng" text that reads back as v (C locale digits). */
void kiln__pca_fmt(double v, char *buf, size_t size);

#endif
