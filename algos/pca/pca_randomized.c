/* kiln — PCA's randomized mode (pca.h): subspace iteration on A^T A.
 *
 * SageMaker's "How PCA Works" (Mode 2: Randomized) sketches each
 * mini-batch once with a random sign (or FJLT) matrix of num_components +
 * extra_components rows and takes the SVD of the summed sketch: one pass,
 * no d x d matrix.  kiln keeps the memory bound (feature_dim x l values,
 * l = num_components + extra_components) and the streaming over blocks of
 * rows, but runs randomized subspace iteration (Halko, Martinsson & Tropp,
 * "Finding structure with randomness", SIAM Review 2011, Algorithm 4.4)
 * on the Hermitian A^T A, then their Algorithm 5.3 (direct eigenvalue
 * decomposition of Q^T A^T A Q): components close to the exact ones,
 * where a single sketch is much rougher:
 *
 *   Q = orth(Omega)                         Omega: d x l Gaussian, fixed seed
 *   repeat passes times, streaming the rows in blocks A_b:
 *       T_b = A_b Q,  Z += A_b^T T_b,  G += T_b^T T_b
 *       Q = orth(Z) (Householder QR), unless it was the last pass
 *   G = Q^T A^T A Q = W diag(lambda) W^T:   s = sqrt(lambda), v = Q W
 *
 * The k largest of the l Ritz pairs are kept; s estimates the same
 * singular values of the centred data as regular mode's (SageMaker does
 * not document how its sketch scales its s).  A is centred on the column
 * means (a first pass computes them) when subtract_mean is true.  Dense
 * rows are centred block by block into float and go through cblas_sgemm;
 * Z and G are summed in double.  Sparse rows that are sparse enough are
 * multiplied entry by entry in double, the centring applied as rank-one
 * corrections: A Q = X Q - 1 (mean^T Q), A^T T = X^T T - mean (1^T T).
 *
 * The passes: scikit-learn's randomized_svd rule for n_iter "auto" (7
 * power iterations when k < 0.1 min(n, d), else 4), plus the first pass
 * and the last: the subspace is (A^T A)^(n_iter + 1) Omega, as in
 * scikit-learn.
 */
#include "pca.h"

#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct sketch {
    const kiln_train_ctx *ctx;
    const kiln_dataset *ds;
    size_t n, d, l, B;
    bool sparse;      /* entry by entry, else dense blocks */
    double *mean;     /* d (zeros when not centring) */
    float *meanf;     /* d, or NULL when not centring */
    double *q;        /* d x l, orthonormal columns */
    float *qf;        /* float copy (dense blocks) */
    double *z;        /* d x l */
    double *g;        /* l x l, upper triangle */
    float *blk;       /* B x d (dense) */
    float *tf;        /* B x l (dense) */
    float *zf;        /* d x l (dense) */
    double *t;        /* B x l */
    double *colsum;   /* l (sparse) */
    double *mean_q;   /* l (sparse) */
    double total;
} sketch;

static void sketch_fini(sketch *k)
{
    free(k->mean);
    free(k->meanf);
    free(k->q);
    free(k->qf);
    free(k->z);
    free(k->g);
    free(k->blk);
    free(k->tf);
    free(k->zf);
    free(k->t);
    free(k->colsum);
    free(k->mean_q);
}

/* Column means (when centring) and, for sparse rows, the total sum of
 * squares; dense rows sum their squares while they are centred. */
static void first_moments(sketch *k, bool centre)
{
    const kiln_dataset *ds = k->ds;
    size_t n = k->n, d = k->d;
    double sumsq = 0;
    if (kiln_dataset_is_sparse(ds)) {
        const size_t *indptr = kiln_dataset_indptr(ds);
        const uint32_t *idx = kiln_dataset_indices(ds);
        const float *val = kiln_dataset_values(ds);
        for (size_t e = 0; e < indptr[n]; e++) {
            k->mean[idx[e]] += val[e];
            sumsq += (double)val[e] * val[e];
        }
    } else {
        const float *x = kiln_dataset_dense(ds);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                k->mean[j] += x[i * d + j];
    }
    double msq = 0;
    for (size_t j = 0; j < d; j++) {
        k->mean[j] = centre ? k->mean[j] / (double)n : 0;
        msq += k->mean[j] * k->mean[j];
    }
    /* sum |x - mean|^2 = sum |x|^2 - n |mean|^2 (sparse data: small means) */
    k->total = sumsq - (double)n * msq;
    if (k->meanf != NULL)
        for (size_t j = 0; j < d; j++)
            k->meanf[j] = (float)k->mean[j];
}

/* Q = orth(Z) in place: Householder QR, then the explicit Q. */
static int orthonormalise(double *z, size_t d, size_t l, kiln_error *err)
{
    double *tau = malloc(l * sizeof *tau);
    if (tau == NULL)
        return kiln_error_nomem(err);
    lapack_int info = LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, (lapack_int)d,
                                     (lapack_int)l, z, (lapack_int)l, tau);
    if (info == 0)
        info = LAPACKE_dorgqr(LAPACK_ROW_MAJOR, (lapack_int)d, (lapack_int)l,
                              (lapack_int)l, z, (lapack_int)l, tau);
    free(tau);
    if (info != 0)
        return kiln_error_set(err, KILN_INTERNAL,
                              "LAPACK QR of the %zu x %zu sketch failed "
                              "(info %d)", d, l, (int)info);
    return KILN_OK;
}

/* One block of dense (or densified) rows: T = A_b Q, Z += A_b^T T,
 * G += T^T T, total += |A_b|^2 on the first pass. */
static void dense_block(sketch *k, size_t r0, size_t r1, bool want_z,
                        bool want_g, bool first)
{
    size_t nb = r1 - r0, d = k->d, l = k->l;
    kiln__pca_block(k->ds, r0, r1, d, k->meanf, k->blk);
    if (first && !kiln_dataset_is_sparse(k->ds)) {
        double s = 0;
        for (size_t i = 0; i < nb * d; i++)
            s += (double)k->blk[i] * k->blk[i];
        k->total += s;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)l,
                (int)d, 1.0f, k->blk, (int)d, k->qf, (int)l, 0.0f, k->tf,
                (int)l);
    if (want_z) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)l,
                    (int)nb, 1.0f, k->blk, (int)d, k->tf, (int)l, 0.0f, k->zf,
                    (int)l);
        for (size_t i = 0; i < d * l; i++)
            k->z[i] += k->zf[i];
    }
    if (want_g) {
        for (size_t i = 0; i < nb * l; i++)
            k->t[i] = k->tf[i];
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)l, (int)nb,
                    1.0, k->t, (int)l, 1.0, k->g, (int)l);
    }
}

/* The same for sparse rows, entry by entry in double. */
static void sparse_block(sketch *k, size_t r0, size_t r1, bool want_z,
                         bool want_g)
{
    size_t nb = r1 - r0, l = k->l;
    const size_t *indptr = kiln_dataset_indptr(k->ds);
    const uint32_t *idx = kiln_dataset_indices(k->ds);
    const float *val = kiln_dataset_values(k->ds);
    for (size_t i = 0; i < nb; i++) {
        double *t = k->t + i * l;
        for (size_t c = 0; c < l; c++)
            t[c] = -k->mean_q[c];
        for (size_t e = indptr[r0 + i]; e < indptr[r0 + i + 1]; e++) {
            const double *q = k->q + (size_t)idx[e] * l;
            double v = val[e];
            for (size_t c = 0; c < l; c++)
                t[c] += v * q[c];
        }
        if (want_z) {
            for (size_t e = indptr[r0 + i]; e < indptr[r0 + i + 1]; e++) {
                double *z = k->z + (size_t)idx[e] * l;
                double v = val[e];
                for (size_t c = 0; c < l; c++)
                    z[c] += v * t[c];
            }
            for (size_t c = 0; c < l; c++)
                k->colsum[c] += t[c];
        }
    }
    if (want_g)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)l, (int)nb,
                    1.0, k->t, (int)l, 1.0, k->g, (int)l);
}

static int one_pass(sketch *k, size_t pass, size_t passes, kiln_error *err)
{
    size_t d = k->d, l = k->l;
    bool last = pass + 1 == passes;
    memset(k->z, 0, d * l * sizeof *k->z);
    memset(k->g, 0, l * l * sizeof *k->g);
    if (k->sparse) {
        memset(k->colsum, 0, l * sizeof *k->colsum);
        for (size_t c = 0; c < l; c++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += k->mean[j] * k->q[j * l + c];
            k->mean_q[c] = s;
        }
    } else {
        for (size_t i = 0; i < d * l; i++)
            k->qf[i] = (float)k->q[i];
    }
    for (size_t r0 = 0; r0 < k->n; r0 += k->B) {
        if (k->ctx != NULL && kiln_train_cancelled(k->ctx, err))
            return KILN_INTERRUPTED;
        size_t r1 = r0 + k->B < k->n ? r0 + k->B : k->n;
        if (k->sparse)
            sparse_block(k, r0, r1, !last, last);
        else
            dense_block(k, r0, r1, !last, last, pass == 0);
        kiln__pca_progress(k->ctx, 0, 0.95,
                           ((double)pass + (double)r1 / (double)k->n) /
                               (double)passes,
                           "randomized range finder");
    }
    if (last)
        return KILN_OK;
    if (k->sparse) /* A^T T = X^T T - mean (1^T T) */
        for (size_t j = 0; j < d; j++)
            for (size_t c = 0; c < l; c++)
                k->z[j * l + c] -= k->mean[j] * k->colsum[c];
    memcpy(k->q, k->z, d * l * sizeof *k->q);
    return orthonormalise(k->q, d, l, err);
}

/* The Ritz pairs of the last pass: the k largest eigenpairs of G, mapped
 * back through Q. */
static int ritz(sketch *k, size_t kk, double *s, double *v, kiln_error *err)
{
    size_t l = k->l, d = k->d;
    double *w = malloc(l * sizeof *w);
    double *wv = malloc(l * l * sizeof *wv);
    double *top = malloc(l * kk * sizeof *top);
    lapack_int *support = malloc(2 * l * sizeof *support);
    int rc = KILN_OK;
    if (w == NULL || wv == NULL || top == NULL || support == NULL)
        rc = kiln_error_nomem(err);
    lapack_int found = 0;
    if (rc == KILN_OK) {
        /* row-major upper == column-major lower */
        lapack_int info = LAPACKE_dsyevr(
            LAPACK_COL_MAJOR, 'V', 'A', 'L', (lapack_int)l, k->g,
            (lapack_int)l, 0.0, 0.0, 0, 0, LAPACKE_dlamch('S'), &found, w, wv,
            (lapack_int)l, support);
        if (info != 0 || found != (lapack_int)l)
            rc = kiln_error_set(err, KILN_INTERNAL,
                                "LAPACK dsyevr failed on the %zu x %zu "
                                "projected matrix (info %d)", l, l, (int)info);
    }
    if (rc == KILN_OK) {
        /* eigenvalues ascending: the last kk are the largest */
        for (size_t c = 0; c < kk; c++) {
            size_t src = l - kk + c;
            s[c] = w[src] > 0 ? sqrt(w[src]) : 0;
            for (size_t r = 0; r < l; r++)
                top[r * kk + c] = wv[src * l + r];
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)d,
                    (int)kk, (int)l, 1.0, k->q, (int)l, top, (int)kk, 0.0, v,
                    (int)kk);
    }
    free(w);
    free(wv);
    free(top);
    free(support);
    return rc;
}

int kiln__pca_randomized(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                         const kiln__pca_params *p, size_t passes,
                         int force_sparse, kiln__pca_fit *out,
                         kiln_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = kiln_dataset_rows(ds), d = p->d, kk = p->k;
    if (n == 0)
        return kiln_error_set(err, KILN_DATA, "no rows: PCA needs at least "
                              "one");
    size_t l = kk + p->extra < kk || kk + p->extra > d ? d : kk + p->extra;
    if (passes == 0) {
        size_t small = n < d ? n : d;
        passes = ((double)kk < 0.1 * (double)small ? 7 : 4) + 2;
    }
    sketch k = {.ctx = ctx, .ds = ds, .n = n, .d = d, .l = l};
    bool sparse_ds = kiln_dataset_is_sparse(ds);
    k.sparse = sparse_ds &&
               (force_sparse > 0 ||
                (force_sparse == 0 &&
                 (double)kiln_dataset_nnz(ds) * 32 < (double)n * (double)d));
    k.B = kiln__pca_block_rows(p->mini_batch_size,
                               2.0 * (double)d * (double)l);
    if (k.B > n)
        k.B = n;
    int rc = KILN_OK;
    if (d > (size_t)INT_MAX || l > SIZE_MAX / sizeof(double) / d ||
        k.B > SIZE_MAX / sizeof(float) / d)
        return kiln_error_set(err, KILN_NOMEM,
                              "a %zu x %zu sketch is too large", d, l);
    k.mean = calloc(d, sizeof *k.mean);
    k.q = malloc(d * l * sizeof *k.q);
    k.z = malloc(d * l * sizeof *k.z);
    k.g = malloc(l * l * sizeof *k.g);
    k.t = malloc(k.B * l * sizeof *k.t);
    bool ok = k.mean && k.q && k.z && k.g && k.t;
    if (p->subtract_mean && !k.sparse) {
        k.meanf = malloc(d * sizeof *k.meanf);
        ok = ok && k.meanf;
    }
    if (k.sparse) {
        k.colsum = malloc(l * sizeof *k.colsum);
        k.mean_q = malloc(l * sizeof *k.mean_q);
        ok = ok && k.colsum && k.mean_q;
    } else {
        k.qf = malloc(d * l * sizeof *k.qf);
        k.zf = malloc(d * l * sizeof *k.zf);
        k.blk = malloc(k.B * d * sizeof *k.blk);
        k.tf = malloc(k.B * l * sizeof *k.tf);
        ok = ok && k.qf && k.zf && k.blk && k.tf;
    }
    double *s = malloc(kk * sizeof *s);
    double *v = malloc(d * kk * sizeof *v);
    if (!ok || s == NULL || v == NULL)
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate the randomized sketch: %zu x "
                            "%zu doubles and blocks of %zu rows", d, l, k.B);
    if (rc == KILN_OK) {
        first_moments(&k, p->subtract_mean);
        /* dense rows sum their centred squares on the first pass */
        if (!k.sparse && !sparse_ds)
            k.total = 0;
        kiln__pca_rng rng = {.state = KILN__PCA_SEED};
        for (size_t i = 0; i < d * l; i++)
            k.q[i] = kiln__pca_rng_gauss(&rng);
        rc = orthonormalise(k.q, d, l, err);
    }
    for (size_t pass = 0; rc == KILN_OK && pass < passes; pass++)
        rc = one_pass(&k, pass, passes, err);
    if (rc == KILN_OK)
        rc = ritz(&k, kk, s, v, err);
    if (rc == KILN_OK) {
        kiln__pca_arrange(s, v, d, kk);
        *out = (kiln__pca_fit){.d = d, .k = kk, .n = n,
                               .centred = p->subtract_mean, .mean = k.mean,
                               .s = s, .v = v,
                               .total = k.total > 0 ? k.total : 0};
        k.mean = NULL;
    } else {
        free(s);
        free(v);
    }
    sketch_fini(&k);
    return rc;
}
