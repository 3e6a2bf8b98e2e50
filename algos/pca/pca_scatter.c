/* kiln — PCA's regular mode (pca.h): the scatter matrix of the train rows
 * and its top eigenpairs.
 *
 * SageMaker's "How PCA Works" (Mode 1: Regular): the workers sum x_i^T x_i
 * and x_i over mini-batches, the covariance is
 * sum x_i^T x_i - (1/n) (sum x_i)^T (sum x_i), and its top num_components
 * singular vectors form the model.  That formula cancels badly in float
 * when the means are large next to the spread (Fashion-MNIST's pixels in
 * 0..255), so dense rows take a one-pass alternative that loses nothing
 * to the offset: each block of rows is centred on its own mean,
 * cblas_ssyrk forms its scatter in float (a few thousand terms per sum at
 * most), and the blocks merge in double with the pairwise update of Chan,
 * Golub & LeVeque ("Algorithms for computing the sample variance", 1979).
 * On Fashion-MNIST the top 50 eigenvalues come out within 2e-7 (relative)
 * of numpy's float64 result.
 *
 * Sparse rows that are sparse enough sum x x^T over their stored entries
 * in double (O(nnz^2) per row instead of O(d^2)) and take SageMaker's
 * formula at the end, in double.
 *
 * The eigenpairs: LAPACKE_dsyevr (MRRR) computes only the k largest.  A
 * row-major upper triangle is a column-major lower one, so the matrix goes
 * to LAPACK without a transposed copy.
 */
#include "pca.h"

#include <cblas.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void size_text(double bytes, char *buf, size_t size)
{
    if (bytes >= 1e9)
        snprintf(buf, size, "%.1f GB", bytes / 1e9);
    else if (bytes >= 1e6)
        snprintf(buf, size, "%.1f MB", bytes / 1e6);
    else
        snprintf(buf, size, "%.0f bytes", bytes);
}

static double physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (double)pages * (double)page : INFINITY;
}

/* The scatter matrix needs d x d doubles (and a float copy per block on
 * the dense path): refuse early, with the sizes, what cannot fit. */
static int scatter_room(size_t d, bool blocks, kiln_error *err)
{
    double need = (double)d * (double)d * (blocks ? 12.0 : 8.0);
    if (d <= (size_t)INT_MAX && d <= SIZE_MAX / 12 / (d ? d : 1) &&
        need < 0.8 * physical_memory())
        return KILN_OK;
    char text[32];
    size_text(need, text, sizeof text);
    return kiln_error_set(err, KILN_NOMEM,
                          "regular mode needs the %zu x %zu scatter matrix "
                          "in memory (%s), more than this machine has; "
                          "algorithm_mode=randomized needs only feature_dim "
                          "x (num_components + extra_components) values",
                          d, d, text);
}

static int nomem(size_t bytes, const char *what, kiln_error *err)
{
    char text[32];
    size_text((double)bytes, text, sizeof text);
    return kiln_error_set(err, KILN_NOMEM, "cannot allocate %s for %s", text,
                          what);
}

/* ---- dense blocks ------------------------------------------------------- */

static int scatter_blocks(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                          size_t d, size_t mini_batch_size, double *m,
                          double *mean, kiln_error *err)
{
    size_t n = kiln_dataset_rows(ds);
    size_t B = kiln__pca_block_rows(mini_batch_size,
                                    (double)d * (double)d / 2);
    if (B > n)
        B = n;
    bool sparse = kiln_dataset_is_sparse(ds);
    float *blk = malloc(B * d * sizeof *blk + 1);
    float *cf = malloc(d * d * sizeof *cf + 1);
    float *mf = malloc(d * sizeof *mf + 1);
    double *mb = malloc(d * sizeof *mb + 1);
    double *off = malloc(d * sizeof *off + 1);
    double *delta = malloc(d * sizeof *delta + 1);
    int rc = KILN_OK;
    if (blk == NULL || cf == NULL)
        rc = nomem((B + d) * d * sizeof *blk,
                   "a block of rows and its scatter matrix", err);
    else if (mf == NULL || mb == NULL || off == NULL || delta == NULL)
        rc = kiln_error_nomem(err);
    const float *x = sparse ? NULL : kiln_dataset_dense(ds);
    size_t done = 0;
    for (size_t r0 = 0; rc == KILN_OK && r0 < n; r0 += B) {
        if (ctx != NULL && kiln_train_cancelled(ctx, err)) {
            rc = KILN_INTERRUPTED;
            break;
        }
        size_t r1 = r0 + B < n ? r0 + B : n, nb = r1 - r0;
        /* the block's mean, in double */
        memset(mb, 0, d * sizeof *mb);
        if (sparse)
            kiln__pca_block(ds, r0, r1, d, NULL, blk);
        const float *rows = sparse ? blk : x + r0 * d;
        for (size_t i = 0; i < nb; i++)
            for (size_t j = 0; j < d; j++)
                mb[j] += rows[i * d + j];
        for (size_t j = 0; j < d; j++) {
            mb[j] /= (double)nb;
            mf[j] = (float)mb[j];
            off[j] = mb[j] - (double)mf[j];
        }
        /* centred on the float mean; off corrects for its rounding:
         * sum (x - mb)(x - mb)^T = sum (x - mf)(x - mf)^T - nb off off^T */
        if (sparse) {
            for (size_t i = 0; i < nb; i++)
                for (size_t j = 0; j < d; j++)
                    blk[i * d + j] -= mf[j];
        } else {
            kiln__pca_block(ds, r0, r1, d, mf, blk);
        }
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)nb,
                    1.0f, blk, (int)d, 0.0f, cf, (int)d);
        /* merge: M += Mb + n nb / (n + nb) delta delta^T */
        size_t N = done + nb;
        double w = (double)done * (double)nb / (double)N;
        for (size_t j = 0; j < d; j++)
            delta[j] = mb[j] - mean[j];
        for (size_t i = 0; i < d; i++) {
            double a = (double)nb * off[i], b = w * delta[i];
            double *mi = m + i * d;
            const float *ci = cf + i * d;
            for (size_t j = i; j < d; j++)
                mi[j] += (double)ci[j] - a * off[j] + b * delta[j];
        }
        for (size_t j = 0; j < d; j++)
            mean[j] += delta[j] * (double)nb / (double)N;
        done = N;
        kiln__pca_progress(ctx, 0, 0.85, (double)done / (double)n,
                           "scatter matrix");
    }
    free(blk);
    free(cf);
    free(mf);
    free(mb);
    free(off);
    free(delta);
    return rc;
}

/* ---- sparse sums -------------------------------------------------------- */

static int scatter_sparse(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                          size_t d, double *m, double *mean, kiln_error *err)
{
    size_t n = kiln_dataset_rows(ds);
    const size_t *indptr = kiln_dataset_indptr(ds);
    const uint32_t *idx = kiln_dataset_indices(ds);
    const float *val = kiln_dataset_values(ds);
    double work = 1 << 25; /* poll before the first row too */
    for (size_t i = 0; i < n; i++) {
        if (work > 1 << 24) {
            work = 0;
            if (ctx != NULL && kiln_train_cancelled(ctx, err))
                return KILN_INTERRUPTED;
            kiln__pca_progress(ctx, 0, 0.85, (double)i / (double)n,
                               "scatter matrix");
        }
        size_t e0 = indptr[i], e1 = indptr[i + 1];
        work += (double)(e1 - e0) * (double)(e1 - e0 + 1) / 2 + 1;
        for (size_t a = e0; a < e1; a++) {
            size_t ja = idx[a];
            double va = val[a];
            mean[ja] += va;
            m[ja * d + ja] += va * va;
            for (size_t b = a + 1; b < e1; b++) {
                size_t jb = idx[b];
                double p = va * (double)val[b];
                /* an index given twice counts both ways on the diagonal */
                if (ja == jb)
                    m[ja * d + ja] += 2 * p;
                else if (ja < jb)
                    m[ja * d + jb] += p;
                else
                    m[jb * d + ja] += p;
            }
        }
    }
    for (size_t j = 0; j < d; j++)
        mean[j] /= (double)n;
    for (size_t i = 0; i < d; i++)
        for (size_t j = i; j < d; j++)
            m[i * d + j] -= (double)n * mean[i] * mean[j];
    return KILN_OK;
}

/* Whether sparse sums beat dense blocks: O(nnz^2) scalar work per row
 * against O(d^2) BLAS work, which runs some 32 times faster per term. */
static bool sparse_pays(const kiln_dataset *ds, size_t d)
{
    const size_t *indptr = kiln_dataset_indptr(ds);
    size_t n = kiln_dataset_rows(ds);
    double cost = 0;
    for (size_t i = 0; i < n; i++) {
        double z = (double)(indptr[i + 1] - indptr[i]);
        cost += z * (z + 1) / 2;
    }
    return cost * 32 <= (double)n * (double)d * (double)(d + 1) / 2;
}

int kiln__pca_scatter_compute(const kiln_train_ctx *ctx,
                              const kiln_dataset *ds, size_t d,
                              size_t mini_batch_size, int force_sparse,
                              kiln__pca_scatter *out, kiln_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = kiln_dataset_rows(ds);
    if (n == 0)
        return kiln_error_set(err, KILN_DATA, "no rows: the scatter matrix "
                              "needs at least one");
    bool sparse = kiln_dataset_is_sparse(ds) &&
                  (force_sparse > 0 ||
                   (force_sparse == 0 && sparse_pays(ds, d)));
    int rc = scatter_room(d, !sparse, err);
    if (rc != KILN_OK)
        return rc;
    double *m = calloc(d * d, sizeof *m);
    double *mean = calloc(d, sizeof *mean);
    if (m == NULL || mean == NULL) {
        free(m);
        free(mean);
        return nomem(d * d * sizeof *m, "the scatter matrix", err);
    }
    rc = sparse ? scatter_sparse(ctx, ds, d, m, mean, err)
                : scatter_blocks(ctx, ds, d, mini_batch_size, m, mean, err);
    if (rc != KILN_OK) {
        free(m);
        free(mean);
        return rc;
    }
    *out = (kiln__pca_scatter){.d = d, .n = n, .m = m, .mean = mean};
    return KILN_OK;
}

void kiln__pca_scatter_fini(kiln__pca_scatter *s)
{
    free(s->m);
    free(s->mean);
    memset(s, 0, sizeof *s);
}

/* ---- eigenpairs --------------------------------------------------------- */

int kiln__pca_top_eigen(double *m, size_t d, size_t k, double *values,
                        double *vectors, kiln_error *err)
{
    if (d == 0 || k == 0 || k > d || d > (size_t)INT_MAX)
        return kiln_error_set(err, KILN_INTERNAL,
                              "top %zu eigenpairs of a %zu x %zu matrix", k, d,
                              d);
    double *w = malloc(d * sizeof *w);
    double *z = malloc(d * k * sizeof *z);
    lapack_int *support = malloc(2 * k * sizeof *support);
    if (w == NULL || z == NULL || support == NULL) {
        free(w);
        free(z);
        free(support);
        return nomem(d * k * sizeof *z, "the eigenvectors", err);
    }
    lapack_int found = 0;
    /* row-major upper == column-major lower: no transposed copy */
    lapack_int info = LAPACKE_dsyevr(
        LAPACK_COL_MAJOR, 'V', 'I', 'L', (lapack_int)d, m, (lapack_int)d, 0.0,
        0.0, (lapack_int)(d - k + 1), (lapack_int)d, LAPACKE_dlamch('S'),
        &found, w, z, (lapack_int)d, support);
    int rc = KILN_OK;
    if (info != 0 || found != (lapack_int)k) {
        rc = kiln_error_set(err, info == LAPACK_WORK_MEMORY_ERROR ||
                                         info == LAPACK_TRANSPOSE_MEMORY_ERROR
                                     ? KILN_NOMEM
                                     : KILN_INTERNAL,
                            "LAPACK dsyevr failed on the %zu x %zu scatter "
                            "matrix (info %d, %d of %zu eigenpairs)", d, d,
                            (int)info, (int)found, k);
    } else {
        for (size_t c = 0; c < k; c++) {
            values[c] = w[c];
            for (size_t r = 0; r < d; r++)
                vectors[r * k + c] = z[c * d + r];
        }
    }
    free(w);
    free(z);
    free(support);
    return rc;
}

/* ---- regular mode ------------------------------------------------------- */

int kiln__pca_regular(const kiln_train_ctx *ctx, const kiln_dataset *ds,
                      const kiln__pca_params *p, kiln__pca_fit *out,
                      kiln_error *err)
{
    memset(out, 0, sizeof *out);
    size_t d = p->d, k = p->k;
    kiln__pca_scatter sc;
    int rc = kiln__pca_scatter_compute(ctx, ds, d, p->mini_batch_size, 0, &sc,
                                       err);
    if (rc != KILN_OK)
        return rc;
    if (!p->subtract_mean) /* X^T X = M + n mean mean^T */
        for (size_t i = 0; i < d; i++)
            for (size_t j = i; j < d; j++)
                sc.m[i * d + j] += (double)sc.n * sc.mean[i] * sc.mean[j];
    double total = 0;
    for (size_t i = 0; i < d; i++)
        total += sc.m[i * d + i];
    double *s = malloc(k * sizeof *s);
    double *v = malloc(d * k * sizeof *v);
    if (s == NULL || v == NULL)
        rc = nomem(d * k * sizeof *v, "the components", err);
    if (rc == KILN_OK && ctx != NULL && kiln_train_cancelled(ctx, err))
        rc = KILN_INTERRUPTED;
    if (rc == KILN_OK) {
        kiln__pca_progress(ctx, 0.85, 1, 0, "eigendecomposition");
        rc = kiln__pca_top_eigen(sc.m, d, k, s, v, err);
    }
    if (rc != KILN_OK) {
        free(s);
        free(v);
        kiln__pca_scatter_fini(&sc);
        return rc;
    }
    for (size_t c = 0; c < k; c++)
        s[c] = s[c] > 0 ? sqrt(s[c]) : 0;
    kiln__pca_arrange(s, v, d, k);
    *out = (kiln__pca_fit){.d = d, .k = k, .n = sc.n,
                           .centred = p->subtract_mean, .mean = sc.mean,
                           .s = s, .v = v, .total = total > 0 ? total : 0};
    sc.mean = NULL;
    kiln__pca_scatter_fini(&sc);
    return KILN_OK;
}
