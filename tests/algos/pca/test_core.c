/* Tests for PCA's parts (algos/pca/pca_rows.c, pca_scatter.c,
 * pca_randomized.c) against independent oracles: the scatter matrix
 * against naive two-pass double loops (dense rows with a large offset,
 * every block size, sparse rows both ways), the eigenpairs against closed
 * forms (2 x 2, a tridiagonal Toeplitz 3 x 3), against a matrix built
 * from known eigenpairs and against a naive power iteration, the order and
 * sign convention, randomized mode against the exact eigenpairs, and the
 * interrupt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/algos/algo_test.h"

#include "algos/algo.h"
#include "algos/pca/pca.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

/* The rows as CSR, each row's entries in reverse column order (the reader
 * keeps them as given). */
static kiln_dataset *sparse_reversed(const float *x, size_t n, size_t d)
{
    return sparse_ds_ordered(x, n, d, true);
}

static uint32_t lcg = 12345;

static double urand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (double)(lcg >> 8) / 16777216.0;
}

static double nrand(void)
{
    double u = urand() + 1e-9, v = urand();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}


/* Naive two-pass scatter about the mean, in double. */
static void naive_scatter(const float *x, size_t n, size_t d, double *m,
                          double *mean)
{
    for (size_t j = 0; j < d; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += x[i * d + j];
        mean[j] = s / (double)n;
    }
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += ((double)x[i * d + a] - mean[a]) *
                     ((double)x[i * d + b] - mean[b]);
            m[a * d + b] = s;
        }
}

static const kiln_train_ctx *quiet_ctx(kiln_cancel *cancel)
{
    static kiln_train_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.threads = 1;
    ctx.cancel = cancel;
    return &ctx;
}

/* max |a - b| over the upper triangle, relative to max |b| there. */
static double upper_rel_diff(const double *a, const double *b, size_t d)
{
    double diff = 0, scale = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = i; j < d; j++) {
            diff = fmax(diff, fabs(a[i * d + j] - b[i * d + j]));
            scale = fmax(scale, fabs(b[i * d + j]));
        }
    return diff / scale;
}

/* ---- the scatter matrix ------------------------------------------------- */

static void test_scatter_dense_vs_naive(void **state)
{
    (void)state;
    /* a large offset next to a unit spread: the naive one-pass formula in
     * float would lose every digit here */
    size_t n = 1500, d = 9;
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = (float)(1000.0 * (double)(j + 1) + nrand() +
                                   (j > 0 ? 0.5 * x[i * d + j - 1] - 500.0 *
                                                (double)j : 0));
    double *ref = malloc(d * d * sizeof *ref), mean[9];
    naive_scatter(x, n, d, ref, mean);
    kiln_dataset *ds = dense_ds(x, n, d);
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    const size_t batches[] = {1, 7, 64, 100, 333, 1500, 100000};
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        kiln__pca_scatter sc;
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(kiln__pca_scatter_compute(quiet_ctx(&cancel), ds, d,
                                                   batches[b], 0, &sc, &err),
                         KILN_OK);
        assert_int_equal(sc.n, n);
        assert_true(upper_rel_diff(sc.m, ref, d) < 1e-6);
        for (size_t j = 0; j < d; j++)
            assert_true(fabs(sc.mean[j] - mean[j]) < 1e-9 * fabs(mean[j]));
        kiln__pca_scatter_fini(&sc);
    }
    kiln_dataset_free(ds);
    free(ref);
    free(x);
}

static void test_scatter_sparse_both_ways(void **state)
{
    (void)state;
    size_t n = 700, d = 12;
    float *x = calloc(n * d, sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            if (urand() < 0.25)
                x[i * d + j] = (float)(3.0 * nrand() + (double)j);
    double *ref = malloc(d * d * sizeof *ref), mean[12];
    naive_scatter(x, n, d, ref, mean);
    kiln_dataset *ds = sparse_reversed(x, n, d);
    for (int force = -1; force <= 1; force++) {
        kiln__pca_scatter sc;
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(kiln__pca_scatter_compute(NULL, ds, d, 50, force, &sc,
                                                   &err),
                         KILN_OK);
        /* the sums are double; the blocks (which these rows, dense
         * enough, take by default) float per block */
        assert_true(upper_rel_diff(sc.m, ref, d) < (force > 0 ? 1e-12 : 1e-6));
        for (size_t j = 0; j < d; j++)
            assert_true(fabs(sc.mean[j] - mean[j]) < 1e-9);
        kiln__pca_scatter_fini(&sc);
    }
    kiln_dataset_free(ds);

    /* a row giving one index twice counts it as the sum of both values */
    kiln_error err;
    kiln_error_init(&err);
    ds = kiln_dataset_new(KILN_DATASET_SPARSE, 3);
    uint32_t i1[] = {2, 0, 2};
    float v1[] = {1, 4, 2}; /* row (4, 0, 3) */
    uint32_t i2[] = {1};
    float v2[] = {5};       /* row (0, 5, 0) */
    kiln_dataset_push_sparse(ds, i1, v1, 3, 0, 1, &err);
    kiln_dataset_push_sparse(ds, i2, v2, 1, 0, 1, &err);
    float dense[] = {4, 0, 3, 0, 5, 0};
    double ref2[9], mean2[3];
    naive_scatter(dense, 2, 3, ref2, mean2);
    for (int force = -1; force <= 1; force += 2) {
        kiln__pca_scatter sc;
        assert_int_equal(kiln__pca_scatter_compute(NULL, ds, 3, 1, force, &sc,
                                                   &err),
                         KILN_OK);
        assert_true(upper_rel_diff(sc.m, ref2, 3) < 1e-7);
        kiln__pca_scatter_fini(&sc);
    }
    kiln_dataset_free(ds);
    free(ref);
    free(x);
}

static void test_scatter_errors(void **state)
{
    (void)state;
    kiln_dataset *ds = kiln_dataset_new(0, 3);
    kiln__pca_scatter sc;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__pca_scatter_compute(NULL, ds, 3, 10, 0, &sc, &err),
                     KILN_DATA);
    kiln_dataset_free(ds);
    /* a scatter matrix no machine holds is refused before any allocation */
    ds = kiln_dataset_new(KILN_DATASET_SPARSE, 1);
    uint32_t idx = 0;
    float v = 1;
    kiln_dataset_push_sparse(ds, &idx, &v, 1, 0, 1, &err);
    kiln_error_init(&err);
    assert_int_equal(kiln__pca_scatter_compute(NULL, ds, 2000000000, 10, 1, &sc,
                                               &err),
                     KILN_NOMEM);
    assert_non_null(strstr(err.message, "regular mode needs the 2000000000 x "
                                        "2000000000 scatter matrix in memory"));
    assert_non_null(strstr(err.message, "algorithm_mode=randomized"));
    kiln_dataset_free(ds);
}

/* ---- eigenpairs --------------------------------------------------------- */

static void test_eigen_closed_forms(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    /* [[2, 1], [1, 2]]: 1 with (1, -1)/sqrt 2, 3 with (1, 1)/sqrt 2 */
    double m2[4] = {2, 1, -999, 2}; /* the lower triangle is not read */
    double val[3], vec[9];
    assert_int_equal(kiln__pca_top_eigen(m2, 2, 2, val, vec, &err), KILN_OK);
    assert_true(fabs(val[0] - 1) < 1e-12 && fabs(val[1] - 3) < 1e-12);
    assert_true(fabs(fabs(vec[0 * 2 + 1]) - M_SQRT1_2) < 1e-12);
    assert_true(fabs(vec[0 * 2 + 1] - vec[1 * 2 + 1]) < 1e-12);
    assert_true(fabs(vec[0 * 2 + 0] + vec[1 * 2 + 0]) < 1e-12);
    /* tridiagonal Toeplitz (4, 1): 4 + 2 cos(j pi / 4), vectors
     * sin(i j pi / 4); the top two */
    double m3[9] = {4, 1, 0, 0, 4, 1, 0, 0, 4};
    assert_int_equal(kiln__pca_top_eigen(m3, 3, 2, val, vec, &err), KILN_OK);
    assert_true(fabs(val[0] - 4) < 1e-12);
    assert_true(fabs(val[1] - (4 + M_SQRT2)) < 1e-12);
    for (size_t r = 0; r < 3; r++) {
        double want = sin((double)(r + 1) * M_PI / 4) / sqrt(2.0);
        assert_true(fabs(fabs(vec[r * 2 + 1]) - want) < 1e-12);
        double want0 = sin((double)(r + 1) * 2 * M_PI / 4) / sqrt(2.0);
        assert_true(fabs(fabs(vec[r * 2 + 0]) - fabs(want0)) < 1e-12);
    }
}

/* A random orthonormal d x d matrix (Gram-Schmidt of Gaussian columns). */
static void random_orthonormal(double *q, size_t d)
{
    for (size_t i = 0; i < d * d; i++)
        q[i] = nrand();
    for (size_t c = 0; c < d; c++) {
        for (size_t p = 0; p < c; p++) {
            double dot = 0;
            for (size_t r = 0; r < d; r++)
                dot += q[r * d + c] * q[r * d + p];
            for (size_t r = 0; r < d; r++)
                q[r * d + c] -= dot * q[r * d + p];
        }
        double norm = 0;
        for (size_t r = 0; r < d; r++)
            norm += q[r * d + c] * q[r * d + c];
        for (size_t r = 0; r < d; r++)
            q[r * d + c] /= sqrt(norm);
    }
}

static void test_eigen_known_and_power_iteration(void **state)
{
    (void)state;
    enum { D = 20, K = 4 };
    double q[D * D], m[D * D], lambda[D];
    random_orthonormal(q, D);
    for (size_t i = 0; i < D; i++)
        lambda[i] = 100.0 * pow(0.6, (double)i); /* 100, 60, 36, ... */
    for (size_t a = 0; a < D; a++)
        for (size_t b = 0; b < D; b++) {
            double s = 0;
            for (size_t i = 0; i < D; i++)
                s += q[a * D + i] * lambda[i] * q[b * D + i];
            m[a * D + b] = s;
        }
    /* naive power iteration with deflation for the top K */
    double defl[D * D], pv[K][D], pl[K];
    memcpy(defl, m, sizeof defl);
    for (size_t c = 0; c < K; c++) {
        double x[D], y[D];
        for (size_t i = 0; i < D; i++)
            x[i] = 1.0 + 0.01 * (double)i;
        double l = 0;
        for (int it = 0; it < 3000; it++) {
            double norm = 0;
            for (size_t i = 0; i < D; i++) {
                y[i] = 0;
                for (size_t j = 0; j < D; j++)
                    y[i] += defl[i * D + j] * x[j];
                norm += y[i] * y[i];
            }
            norm = sqrt(norm);
            l = 0;
            for (size_t i = 0; i < D; i++) {
                l += x[i] * y[i];
                x[i] = y[i] / norm;
            }
        }
        pl[c] = l;
        memcpy(pv[c], x, sizeof x);
        for (size_t i = 0; i < D; i++)
            for (size_t j = 0; j < D; j++)
                defl[i * D + j] -= l * x[i] * x[j];
    }
    double mm[D * D], val[K], vec[D * K];
    memcpy(mm, m, sizeof mm);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__pca_top_eigen(mm, D, K, val, vec, &err), KILN_OK);
    for (size_t c = 0; c < K; c++) {
        size_t col = K - 1 - c; /* ascending: the largest last */
        assert_true(fabs(val[col] - lambda[c]) < 1e-12 * lambda[0]);
        assert_true(fabs(val[col] - pl[c]) < 1e-9 * lambda[0]);
        double dq = 0, dp = 0;
        for (size_t r = 0; r < D; r++) {
            dq += vec[r * K + col] * q[r * D + c];
            dp += vec[r * K + col] * pv[c][r];
        }
        assert_true(fabs(fabs(dq) - 1) < 1e-12);
        assert_true(fabs(fabs(dp) - 1) < 1e-9);
    }
}

static void test_arrange_order_and_signs(void **state)
{
    (void)state;
    /* three columns given out of order with mixed signs */
    double val[3] = {5, 1, 3};
    double vec[4 * 3] = {
        0.1, -0.2, 0.6,
        -0.9, 0.9, -0.6, /* column 2 ties: the first of the two wins */
        0.3, 0.1, 0.1,
        0.2, -0.3, 0.5,
    };
    kiln__pca_arrange(val, vec, 4, 3);
    assert_true(val[0] == 1 && val[1] == 3 && val[2] == 5);
    /* old column 1 (value 1): largest |.| is 0.9, already positive */
    assert_true(vec[0 * 3 + 0] == -0.2 && vec[1 * 3 + 0] == 0.9);
    /* old column 2 (value 3): tie 0.6 / -0.6, the first (0.6) is positive */
    assert_true(vec[0 * 3 + 1] == 0.6 && vec[1 * 3 + 1] == -0.6);
    /* old column 0 (value 5): -0.9 flips */
    assert_true(vec[0 * 3 + 2] == -0.1 && vec[1 * 3 + 2] == 0.9 &&
                vec[3 * 3 + 2] == -0.2);
}

static void test_regular_fit(void **state)
{
    (void)state;
    /* a known spectrum: Gaussian rows scaled per direction of a random
     * basis, plus an offset */
    enum { N = 3000, D = 8, K = 3 };
    double q[D * D];
    random_orthonormal(q, D);
    float *x = malloc(N * D * sizeof *x);
    for (size_t i = 0; i < N; i++) {
        double z[D];
        for (size_t c = 0; c < D; c++)
            z[c] = nrand() * (double)(D - c);
        for (size_t a = 0; a < D; a++) {
            double s = 50.0 - 3.0 * (double)a;
            for (size_t c = 0; c < D; c++)
                s += q[a * D + c] * z[c];
            x[i * D + a] = (float)s;
        }
    }
    double ref[D * D], mean[D], val[K], vec[D * K];
    naive_scatter(x, N, D, ref, mean);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__pca_top_eigen(ref, D, K, val, vec, &err), KILN_OK);
    kiln_dataset *ds = dense_ds(x, N, D);
    for (int centre = 0; centre <= 1; centre++) {
        kiln__pca_params p = {.d = D, .k = K, .mini_batch_size = 500,
                              .subtract_mean = centre, .threads = 1};
        kiln__pca_fit f;
        assert_int_equal(kiln__pca_regular(NULL, ds, &p, &f, &err), KILN_OK);
        assert_int_equal(f.k, K);
        assert_int_equal(f.n, N);
        double total = 0, uval[K], uvec[D * K];
        if (centre) {
            for (size_t j = 0; j < D; j++)
                total += ref[j * D + j];
            memcpy(uval, val, sizeof uval);
            memcpy(uvec, vec, sizeof uvec);
        } else {
            /* uncentred: the singular values of X itself */
            double u[D * D];
            for (size_t a = 0; a < D; a++)
                for (size_t b = 0; b < D; b++) {
                    double s = 0;
                    for (size_t i = 0; i < N; i++)
                        s += (double)x[i * D + a] * x[i * D + b];
                    u[a * D + b] = s;
                }
            for (size_t j = 0; j < D; j++)
                total += u[j * D + j];
            assert_int_equal(kiln__pca_top_eigen(u, D, K, uval, uvec, &err),
                             KILN_OK);
        }
        assert_true(fabs(f.total - total) < 1e-6 * total);
        for (size_t c = 0; c < K; c++) {
            assert_true(fabs(f.s[c] - sqrt(uval[c])) < 1e-6 * f.s[c]);
            if (c > 0)
                assert_true(f.s[c] > f.s[c - 1]);
            double dot = 0, big = 0;
            size_t arg = 0;
            for (size_t r = 0; r < D; r++) {
                dot += f.v[r * K + c] * uvec[r * K + c];
                if (fabs(f.v[r * K + c]) > big) {
                    big = fabs(f.v[r * K + c]);
                    arg = r;
                }
            }
            assert_true(fabs(fabs(dot) - 1) < 1e-9);
            assert_true(f.v[arg * K + c] > 0);
        }
        kiln__pca_fit_fini(&f);
    }
    kiln_dataset_free(ds);
    free(x);
}

/* ---- randomized mode ---------------------------------------------------- */

static void test_randomized_matches_exact(void **state)
{
    (void)state;
    enum { N = 1200, D = 40, K = 5 };
    double q[D * D];
    random_orthonormal(q, D);
    float *x = malloc(N * D * sizeof *x);
    for (size_t i = 0; i < N; i++) {
        double z[D];
        for (size_t c = 0; c < D; c++)
            z[c] = nrand() * 20.0 * pow(0.75, (double)c);
        for (size_t a = 0; a < D; a++) {
            double s = 7.0;
            for (size_t c = 0; c < D; c++)
                s += q[a * D + c] * z[c];
            /* a few values are exactly 0 (the sparse copy omits them) */
            x[i * D + a] = urand() < 0.02 ? 0.0f : (float)s;
        }
    }
    double ref[D * D], mean[D], val[K], vec[D * K];
    naive_scatter(x, N, D, ref, mean);
    double total = 0;
    for (size_t j = 0; j < D; j++)
        total += ref[j * D + j];
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__pca_top_eigen(ref, D, K, val, vec, &err), KILN_OK);
    kiln_dataset *dense = dense_ds(x, N, D), *sparse = sparse_reversed(x, N, D);
    const struct {
        kiln_dataset *ds;
        int force;
        size_t extra;
    } runs[] = {{dense, 0, 10}, {sparse, 1, 10}, {sparse, -1, 10},
                {dense, 0, 1000}};
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        kiln__pca_params p = {.d = D, .k = K, .mini_batch_size = 100,
                              .extra = runs[r].extra, .subtract_mean = true,
                              .threads = 1, .randomized = true};
        kiln__pca_fit f;
        assert_int_equal(kiln__pca_randomized(NULL, runs[r].ds, &p, 0,
                                              runs[r].force, &f, &err),
                         KILN_OK);
        assert_true(fabs(f.total - total) < 1e-6 * total);
        for (size_t c = 0; c < K; c++) {
            assert_true(fabs(f.s[c] - sqrt(val[c])) < 1e-6 * f.s[c]);
            double dot = 0;
            for (size_t j = 0; j < D; j++)
                dot += f.v[j * K + c] * vec[j * K + c];
            assert_true(fabs(dot) > 0.99999);
        }
        for (size_t j = 0; j < D; j++)
            assert_true(fabs(f.mean[j] - mean[j]) < 1e-9 * (1 + fabs(mean[j])));
        kiln__pca_fit_fini(&f);
    }
    /* the same data and parameters give the same model */
    kiln__pca_params p = {.d = D, .k = K, .mini_batch_size = 100, .extra = 3,
                          .subtract_mean = true, .threads = 1,
                          .randomized = true};
    kiln__pca_fit f1, f2;
    assert_int_equal(kiln__pca_randomized(NULL, dense, &p, 3, 0, &f1, &err),
                     KILN_OK);
    assert_int_equal(kiln__pca_randomized(NULL, dense, &p, 3, 0, &f2, &err),
                     KILN_OK);
    assert_memory_equal(f1.v, f2.v, D * K * sizeof *f1.v);
    assert_memory_equal(f1.s, f2.s, K * sizeof *f1.s);
    kiln__pca_fit_fini(&f1);
    kiln__pca_fit_fini(&f2);
    kiln_dataset_free(dense);
    kiln_dataset_free(sparse);
    free(x);
}

/* ---- the interrupt ------------------------------------------------------ */

static void cancel_on_progress(void *data, double done, const char *status)
{
    (void)done;
    (void)status;
    kiln_cancel_request(data);
}

static void test_interrupt(void **state)
{
    (void)state;
    size_t n = 5000, d = 30;
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n * d; i++)
        x[i] = (float)nrand();
    kiln_dataset *dense = dense_ds(x, n, d), *sparse = sparse_reversed(x, n, d);
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    /* the first progress report (after the first block) interrupts */
    kiln_train_events ev = {.data = &cancel, .progress = cancel_on_progress};
    kiln_train_ctx ctx = {.threads = 1, .cancel = &cancel, .events = &ev};
    kiln__pca_params p = {.d = d, .k = 3, .mini_batch_size = 100, .extra = 5,
                          .subtract_mean = true, .threads = 1};
    kiln_dataset *sets[] = {dense, sparse};
    for (size_t s = 0; s < 2; s++)
        for (int randomized = 0; randomized <= 1; randomized++) {
            kiln_cancel_reset(&cancel);
            kiln_error err;
            kiln_error_init(&err);
            kiln__pca_fit f;
            p.randomized = randomized;
            int rc = randomized
                         ? kiln__pca_randomized(&ctx, sets[s], &p, 0,
                                                s == 1 ? 1 : 0, &f, &err)
                         : kiln__pca_regular(&ctx, sets[s], &p, &f, &err);
            assert_int_equal(rc, KILN_INTERRUPTED);
            assert_string_equal(err.message, "training was interrupted");
        }
    /* the sparse sums poll before their first row */
    for (int force = -1; force <= 1; force += 2) {
        kiln_cancel_reset(&cancel);
        kiln_cancel_request(&cancel);
        kiln_error err;
        kiln_error_init(&err);
        kiln__pca_scatter sc;
        assert_int_equal(kiln__pca_scatter_compute(&ctx, sparse, d, 100, force,
                                                   &sc, &err),
                         KILN_INTERRUPTED);
    }
    kiln_dataset_free(dense);
    kiln_dataset_free(sparse);
    free(x);
}

/* ---- small helpers ------------------------------------------------------ */

static void test_block_rows_and_rng(void **state)
{
    (void)state;
    assert_int_equal(kiln__pca_block_rows(1, 100), 64);
    assert_int_equal(kiln__pca_block_rows(500, 100), 500);
    assert_int_equal(kiln__pca_block_rows(100000, 100), 4096);
    /* 784 features: d^2 / 2 terms per row caps blocks at 3493 rows */
    assert_int_equal(kiln__pca_block_rows(100000, 784.0 * 784 / 2), 3493);
    assert_int_equal(kiln__pca_block_rows(100000, 1e12), 64);
    kiln__pca_rng a = {.state = KILN__PCA_SEED}, b = {.state = KILN__PCA_SEED};
    double s = 0, s2 = 0;
    for (int i = 0; i < 20000; i++) {
        double g = kiln__pca_rng_gauss(&a);
        assert_true(g == kiln__pca_rng_gauss(&b));
        s += g;
        s2 += g * g;
    }
    assert_true(fabs(s / 20000) < 0.03);
    assert_true(fabs(s2 / 20000 - 1) < 0.05);
    char text[40];
    kiln__pca_fmt(0.1, text, sizeof text);
    assert_string_equal(text, "0.1");
    kiln__pca_fmt(1.0 / 3, text, sizeof text);
    assert_true(strtod(text, NULL) == 1.0 / 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scatter_dense_vs_naive),
        cmocka_unit_test(test_scatter_sparse_both_ways),
        cmocka_unit_test(test_scatter_errors),
        cmocka_unit_test(test_eigen_closed_forms),
        cmocka_unit_test(test_eigen_known_and_power_iteration),
        cmocka_unit_test(test_arrange_order_and_signs),
        cmocka_unit_test(test_regular_fit),
        cmocka_unit_test(test_randomized_matches_exact),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_block_rows_and_rng),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
