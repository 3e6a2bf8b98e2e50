/* Tests for the parts of algos/kmeans: nearest-center assignment against
 * naive distance loops, the mini-batch update against its formula, the
 * local Lloyd step against a naive weighted Lloyd, and the seeding's
 * properties (k-means++ draws in proportion to w D^2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/algos/algo_test.h"

#include "algos/kmeans/kmeans.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------- */

static uint32_t lcg = 12345;

static float frand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (float)(lcg >> 8) / 16777216.0f;
}

static float gauss(void)
{
    float u = frand() + 1e-7f, v = frand();
    return sqrtf(-2 * logf(u)) * cosf(6.2831853f * v);
}


static double naive_d2(const float *a, const float *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double t = (double)a[j] - b[j];
        s += t * t;
    }
    return s;
}

static size_t naive_nearest(const float *x, const float *c, size_t k,
                            size_t d, double *best)
{
    size_t arg = 0;
    *best = naive_d2(x, c, d);
    for (size_t j = 1; j < k; j++) {
        double v = naive_d2(x, c + j * d, d);
        if (v < *best) {
            *best = v;
            arg = j;
        }
    }
    return arg;
}

static void assert_close(double got, double want, double rel, double abs_)
{
    if (!(fabs(got - want) <= abs_ + rel * fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- assignment ---------------------------------------------------------- */

/* Rows with integer-ish spread and ~60% zeros (sparse rows too). */
static float *make_rows(size_t n, size_t d, float zero_frac)
{
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n * d; i++)
        x[i] = frand() < zero_frac ? 0.0f : 10 * gauss() + 3;
    return x;
}

static void check_assign(const kiln__kmeans_rows *rows, const float *x,
                         size_t d, const float *centers, size_t k,
                         bool sparse)
{
    kiln__kmeans_centers c;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__kmeans_centers_init(&c, centers, k, d, sparse,
                                               &err), KILN_OK);
    size_t n = rows->n;
    uint32_t *l1 = malloc(n * sizeof *l1), *l3 = malloc(n * sizeof *l3);
    float *d1 = malloc(n * sizeof *d1), *d3 = malloc(n * sizeof *d3);
    double s1, s3;
    assert_int_equal(kiln__kmeans_assign(rows, d, &c, 1, NULL, l1, d1, &s1,
                                         &err), KILN_OK);
    assert_int_equal(kiln__kmeans_assign(rows, d, &c, 3, NULL, l3, d3, &s3,
                                         &err), KILN_OK);
    /* the thread count changes nothing, bit for bit */
    assert_memory_equal(l1, l3, n * sizeof *l1);
    assert_memory_equal(d1, d3, n * sizeof *d1);
    assert_true(s1 == s3);
    double total = 0;
    for (size_t r = 0; r < n; r++) {
        const float *xr = x + kiln__kmeans_row_id(rows, r) * d;
        double best;
        size_t want = naive_nearest(xr, centers, k, d, &best);
        /* near-ties may go either way; the distance must be the minimum */
        if (l1[r] != want)
            assert_close(naive_d2(xr, centers + l1[r] * d, d), best, 1e-5,
                         1e-3);
        assert_close(d1[r], naive_d2(xr, centers + l1[r] * d, d), 1e-5, 1e-3);
        total += d1[r];
    }
    assert_close(s1, total, 1e-9, 0);
    free(l1);
    free(l3);
    free(d1);
    free(d3);
    kiln__kmeans_centers_fini(&c);
}

static void test_assign_dense_views(void **state)
{
    (void)state;
    size_t n = 700, d = 37, k = 13;
    float *x = make_rows(n, d, 0.0f);
    float *centers = make_rows(k, d, 0.0f);
    kiln_dataset *ds = dense_ds(x, n, d);
    kiln__kmeans_rows all = kiln__kmeans_rows_all(ds);
    check_assign(&all, x, d, centers, k, false);
    /* an index view: 500 rows in a scrambled order */
    size_t *index = malloc(500 * sizeof *index);
    for (size_t i = 0; i < 500; i++)
        index[i] = (i * 389) % n;
    kiln__kmeans_rows some = {.ds = ds, .index = index, .n = 500};
    check_assign(&some, x, d, centers, k, false);
    /* a plain matrix, and a slice of it */
    kiln__kmeans_rows m = kiln__kmeans_rows_matrix(x, n);
    check_assign(&m, x, d, centers, k, false);
    kiln__kmeans_rows slice = {.dense = x, .begin = 100, .n = 300};
    check_assign(&slice, x, d, centers, k, false);
    free(index);
    kiln_dataset_free(ds);
    free(x);
    free(centers);
}

static void test_assign_sparse(void **state)
{
    (void)state;
    size_t n = 600, d = 50, k = 9;
    float *x = make_rows(n, d, 0.6f);
    float *centers = make_rows(k, d, 0.3f);
    kiln_dataset *ds = sparse_ds(x, n, d);
    kiln__kmeans_rows all = kiln__kmeans_rows_all(ds);
    check_assign(&all, x, d, centers, k, true);
    size_t index[5] = {599, 3, 3, 250, 0};
    kiln__kmeans_rows some = {.ds = ds, .index = index, .n = 5};
    check_assign(&some, x, d, centers, k, true);
    kiln_dataset_free(ds);
    free(x);
    free(centers);
}

/* Rows far from the origin: the distance returned is recomputed from the
 * coordinates, not |x|^2 - 2 x.c + |c|^2 (which loses it entirely here). */
static void test_assign_distance_is_exact(void **state)
{
    (void)state;
    size_t d = 4;
    float x[2 * 4] = {1e4f, 1e4f, 1e4f, 1e4f, 1e4f + 0.5f, 1e4f, 1e4f, 1e4f};
    float c[2 * 4] = {1e4f + 0.25f, 1e4f, 1e4f, 1e4f, -5, -5, -5, -5};
    kiln__kmeans_rows rows = kiln__kmeans_rows_matrix(x, 2);
    kiln__kmeans_centers cc;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__kmeans_centers_init(&cc, c, 2, d, false, &err),
                     KILN_OK);
    uint32_t l[2];
    float d2[2];
    assert_int_equal(kiln__kmeans_assign(&rows, d, &cc, 1, NULL, l, d2, NULL,
                                         &err), KILN_OK);
    assert_int_equal(l[0], 0);
    assert_int_equal(l[1], 0);
    assert_true(d2[0] == 0.0625f);
    assert_true(d2[1] == 0.0625f);
    kiln__kmeans_centers_fini(&cc);
}

static void test_assign_interrupted(void **state)
{
    (void)state;
    size_t n = 1000, d = 8, k = 3;
    float *x = make_rows(n, d, 0);
    kiln__kmeans_rows rows = kiln__kmeans_rows_matrix(x, n);
    kiln__kmeans_centers c;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__kmeans_centers_init(&c, x, k, d, false, &err),
                     KILN_OK);
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    kiln_cancel_request(&cancel);
    assert_int_equal(kiln__kmeans_assign(&rows, d, &c, 2, &cancel, NULL, NULL,
                                         NULL, &err), KILN_INTERRUPTED);
    assert_string_equal(err.message, "training was interrupted");
    kiln__kmeans_centers_fini(&c);
    free(x);
}

/* ---- the mini-batch update ------------------------------------------------ */

/* SageMaker's step 2 written out: p = n / (count + n), c = (1-p) c + p m. */
static void test_update_matches_formula(void **state)
{
    (void)state;
    size_t K = 3, d = 2;
    float centers[6] = {0, 0, 10, 10, -4, 2};
    double counts[3] = {100, 150, 450};
    /* new points: 25 with mean (1, 2), 40 with mean (12, 8), none */
    double sums[6] = {25 * 1.0, 25 * 2.0, 40 * 12.0, 40 * 8.0, 0, 0};
    double n_new[3] = {25, 40, 0};
    for (int decayed = 0; decayed < 2; decayed++) {
        float c[6];
        double cnt[3];
        memcpy(c, centers, sizeof c);
        memcpy(cnt, counts, sizeof cnt);
        double decay = decayed ? 0.5 : 1.0;
        kiln__kmeans_update(c, cnt, K, d, sums, n_new, decay);
        double p1 = 25 / (100 * decay + 25), p2 = 40 / (150 * decay + 40);
        assert_close(c[0], (1 - p1) * 0 + p1 * 1, 1e-6, 1e-7);
        assert_close(c[1], (1 - p1) * 0 + p1 * 2, 1e-6, 1e-7);
        assert_close(c[2], (1 - p2) * 10 + p2 * 12, 1e-6, 0);
        assert_close(c[3], (1 - p2) * 10 + p2 * 8, 1e-6, 0);
        assert_true(c[4] == -4 && c[5] == 2); /* no points: stays */
        assert_close(cnt[0], 100 * decay + 25, 1e-12, 0);
        assert_close(cnt[1], 150 * decay + 40, 1e-12, 0);
        assert_close(cnt[2], 450 * decay, 1e-12, 0);
    }
    /* a center with count 0 jumps to the mean of its first points */
    float c[2] = {7, 7};
    double cnt[1] = {0}, s[2] = {3 * 2.0, 3 * -1.0}, nn[1] = {3};
    kiln__kmeans_update(c, cnt, 1, 2, s, nn, 1.0);
    assert_true(c[0] == 2.0f && c[1] == -1.0f);
}

/* Blobs: 4 clusters 100 apart with unit spread in 5 features. */
static float *blobs(size_t n, size_t d, size_t b, float sep, size_t *truth)
{
    float *x = malloc(n * d * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        size_t c = i % b;
        if (truth != NULL)
            truth[i] = c;
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = gauss() + (j == c % d ? sep * (float)(1 + c / d)
                                                 : 0.0f);
    }
    return x;
}

static void test_minibatch_counts_and_centers(void **state)
{
    (void)state;
    size_t n = 2000, d = 5, b = 4;
    float *x = blobs(n, d, b, 100, NULL);
    kiln_dataset *ds = dense_ds(x, n, d);
    kiln_error err;
    kiln_error_init(&err);
    for (int decay = 0; decay < 2; decay++) {
        kiln__kmeans_params p = {.k = 4, .d = d, .centers = 8, .epochs = 2,
                                 .mini_batch_size = 300,
                                 .half_life_time_size = decay ? 500 : 0,
                                 .init = KILN__KMEANS_INIT_KMEANSPP,
                                 .threads = 2, .seed = 7};
        float *centers;
        double *counts;
        size_t K;
        assert_int_equal(kiln__kmeans_minibatch(NULL, ds, &p, NULL, &centers,
                                                &counts, &K, &err), KILN_OK);
        assert_int_equal(K, 8);
        /* the counts: every row once per epoch, decayed batch by batch */
        double want = 0, total = 0;
        for (size_t e = 0; e < 2; e++)
            for (size_t b0 = 0; b0 < n; b0 += 300) {
                double m = n - b0 < 300 ? (double)(n - b0) : 300;
                want = want * (decay ? exp2(-m / 500) : 1) + m;
            }
        for (size_t c = 0; c < K; c++)
            total += counts[c];
        assert_close(total, want, 1e-9, 0);
        /* every center that took rows sits in a blob (a blob split among
         * several centers puts them a little off its mean) */
        for (size_t c = 0; c < K; c++) {
            if (counts[c] == 0)
                continue;
            double best = INFINITY;
            for (size_t t = 0; t < b; t++) {
                float m[5] = {0};
                m[t % d] = 100.0f * (float)(1 + t / d);
                double v = naive_d2(centers + c * d, m, d);
                best = v < best ? v : best;
            }
            assert_true(best < 9.0);
        }
        free(centers);
        free(counts);
    }
    kiln_dataset_free(ds);
    free(x);
}

/* One epoch in one batch of all rows is one Lloyd step from the seeds:
 * each center moves to the mean of the rows nearest to it. */
static void test_minibatch_single_batch_is_lloyd_step(void **state)
{
    (void)state;
    size_t n = 300, d = 3, K = 5;
    float *x = make_rows(n, d, 0);
    kiln_dataset *ds = dense_ds(x, n, d);
    kiln_error err;
    kiln_error_init(&err);
    kiln__kmeans_params p = {.k = 2, .d = d, .centers = K, .epochs = 1,
                             .mini_batch_size = n, .threads = 1, .seed = 3,
                             .init = KILN__KMEANS_INIT_RANDOM};
    float *centers;
    double *counts;
    size_t got;
    assert_int_equal(kiln__kmeans_minibatch(NULL, ds, &p, NULL, &centers,
                                            &counts, &got, &err), KILN_OK);
    /* the seeds are K distinct rows; recover them from the same seeding */
    kiln__kmeans_rng rng;
    kiln__kmeans_rng_seed(&rng, 3);
    size_t *perm = malloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)kiln__kmeans_rng_below(&rng, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
    kiln__kmeans_rows rows = {.ds = ds, .index = perm, .n = n};
    float seeds[15];
    assert_int_equal(kiln__kmeans_seed(&rows, d, K, KILN__KMEANS_INIT_RANDOM,
                                       &rng, 1, NULL, seeds, &err), KILN_OK);
    double sum[15] = {0}, cnt[5] = {0};
    for (size_t i = 0; i < n; i++) {
        double best;
        size_t c = naive_nearest(x + i * d, seeds, K, d, &best);
        cnt[c] += 1;
        for (size_t j = 0; j < d; j++)
            sum[c * d + j] += x[i * d + j];
    }
    for (size_t c = 0; c < K; c++) {
        assert_close(counts[c], cnt[c], 0, 0);
        for (size_t j = 0; j < d; j++)
            assert_close(centers[c * d + j],
                         cnt[c] > 0 ? sum[c * d + j] / cnt[c] : seeds[c * d + j],
                         1e-5, 1e-5);
    }
    free(perm);
    free(centers);
    free(counts);
    kiln_dataset_free(ds);
    free(x);
}

/* ---- seeding ------------------------------------------------------------------ */

static void test_seed_kmeanspp_one_per_blob(void **state)
{
    (void)state;
    size_t n = 600, d = 3, b = 6;
    size_t truth[600];
    float *x = blobs(n, d, b, 1000, truth);
    kiln_dataset *ds = dense_ds(x, n, d);
    kiln__kmeans_rows rows = kiln__kmeans_rows_all(ds);
    kiln_error err;
    kiln_error_init(&err);
    for (uint64_t s = 1; s <= 20; s++) {
        kiln__kmeans_rng rng;
        kiln__kmeans_rng_seed(&rng, s);
        float seeds[6 * 3];
        assert_int_equal(kiln__kmeans_seed(&rows, d, b,
                                           KILN__KMEANS_INIT_KMEANSPP, &rng, 2,
                                           NULL, seeds, &err), KILN_OK);
        int hits[6] = {0};
        for (size_t c = 0; c < b; c++) {
            size_t found = n;
            for (size_t i = 0; i < n && found == n; i++)
                if (memcmp(x + i * d, seeds + c * d, d * sizeof(float)) == 0)
                    found = i;
            assert_true(found < n); /* a row of the data */
            hits[truth[found]]++;
        }
        for (size_t t = 0; t < b; t++)
            assert_int_equal(hits[t], 1);
    }
    kiln_dataset_free(ds);
    free(x);
}

static void test_seed_random_distinct_rows(void **state)
{
    (void)state;
    size_t n = 60, d = 4, K = 50;
    float *x = make_rows(n, d, 0);
    kiln_dataset *ds = sparse_ds(x, n, d);
    kiln__kmeans_rows rows = kiln__kmeans_rows_all(ds);
    kiln_error err;
    kiln_error_init(&err);
    kiln__kmeans_rng rng;
    kiln__kmeans_rng_seed(&rng, 99);
    float *seeds = malloc(K * d * sizeof *seeds);
    assert_int_equal(kiln__kmeans_seed(&rows, d, K, KILN__KMEANS_INIT_RANDOM,
                                       &rng, 1, NULL, seeds, &err), KILN_OK);
    bool used[60] = {false};
    for (size_t c = 0; c < K; c++) {
        size_t found = n;
        for (size_t i = 0; i < n && found == n; i++)
            if (!used[i] &&
                memcmp(x + i * d, seeds + c * d, d * sizeof(float)) == 0)
                found = i;
        assert_true(found < n);
        used[found] = true;
    }
    /* more seeds than rows is a bug of the caller */
    assert_int_equal(kiln__kmeans_seed(&rows, d, n + 1,
                                       KILN__KMEANS_INIT_RANDOM, &rng, 1, NULL,
                                       seeds, &err), KILN_INTERNAL);
    free(seeds);
    kiln_dataset_free(ds);
    free(x);
}

/* Points 0, 1 and 3 on a line: after a first seed at 0 the second is 1
 * with probability 1/(1 + 9) and 3 with 9/10 (D^2 weighting). */
static void test_seed_kmeanspp_d2_weighting(void **state)
{
    (void)state;
    float x[3] = {0, 1, 3};
    kiln__kmeans_rows rows = kiln__kmeans_rows_matrix(x, 3);
    kiln_error err;
    kiln_error_init(&err);
    int first0 = 0, then1 = 0;
    for (uint64_t s = 0; s < 6000; s++) {
        kiln__kmeans_rng rng;
        kiln__kmeans_rng_seed(&rng, s);
        float seeds[2];
        assert_int_equal(kiln__kmeans_seed(&rows, 1, 2,
                                           KILN__KMEANS_INIT_KMEANSPP, &rng, 1,
                                           NULL, seeds, &err), KILN_OK);
        assert_true(seeds[0] != seeds[1]);
        if (seeds[0] == 0) {
            first0++;
            then1 += seeds[1] == 1;
        }
    }
    /* first seed uniform: 2000 expected (sd ~37) */
    assert_true(abs(first0 - 2000) < 150);
    double p = (double)then1 / first0, sd = sqrt(0.1 * 0.9 / first0);
    assert_true(fabs(p - 0.1) < 4 * sd);
}

/* The local step's weighted k-means++: weights 1, 4, 1 on points 0, 1, 3;
 * with max_iter 0 the result is the seeds.  After a first seed at 0, the
 * second is 1 with probability 4*1 / (4*1 + 1*9). */
static void test_local_seed_weighted(void **state)
{
    (void)state;
    float P[3] = {0, 1, 3};
    double w[3] = {1, 4, 1};
    kiln_error err;
    kiln_error_init(&err);
    int first0 = 0, then1 = 0, first1 = 0;
    for (uint64_t s = 0; s < 6000; s++) {
        float out[2];
        double best;
        for (int path = 0; path < 2 && s < 200; path++) {
            /* both paths draw the same seeds */
            float o2[2];
            assert_int_equal(kiln__kmeans_local_lloyd(P, w, 3, 1, 2,
                                 KILN__KMEANS_INIT_KMEANSPP, 1, 0, 0, s, 1,
                                 NULL, path == 1, o2, NULL, &best, &err),
                             KILN_OK);
            if (path == 0)
                memcpy(out, o2, sizeof out);
            else
                assert_memory_equal(out, o2, sizeof out);
        }
        if (s >= 200)
            assert_int_equal(kiln__kmeans_local_lloyd(P, w, 3, 1, 2,
                                 KILN__KMEANS_INIT_KMEANSPP, 1, 0, 0, s, 1,
                                 NULL, false, out, NULL, &best, &err),
                             KILN_OK);
        first1 += out[0] == 1;
        if (out[0] == 0) {
            first0++;
            then1 += out[1] == 1;
        }
    }
    assert_true(abs(first1 - 4000) < 200); /* first by weight: 4/6 */
    double q = 4.0 / 13, p = (double)then1 / first0;
    assert_true(fabs(p - q) < 4 * sqrt(q * (1 - q) / first0));
}

/* ---- the local Lloyd step ----------------------------------------------------- */

/* The test's own weighted Lloyd: from `starts` random starts (k distinct
 * weighted points), to convergence; the lowest weighted msd. */
static double naive_weighted_kmeans(const float *P, const double *w, size_t n,
                                    size_t d, size_t k, int starts)
{
    double best = INFINITY, W = 0;
    for (size_t i = 0; i < n; i++)
        W += w[i];
    double *c = malloc(k * d * sizeof *c), *acc = malloc(k * d * sizeof *acc);
    double *wj = malloc(k * sizeof *wj);
    size_t *l = malloc(n * sizeof *l);
    for (int s = 0; s < starts; s++) {
        for (size_t j = 0; j < k; j++) {
            size_t i;
            do
                i = (size_t)(frand() * (float)n) % n;
            while (w[i] <= 0);
            for (size_t t = 0; t < d; t++)
                c[j * d + t] = P[i * d + t];
        }
        double loss = INFINITY;
        for (int it = 0; it < 1000; it++) {
            double sum = 0;
            for (size_t i = 0; i < n; i++) {
                double bd = INFINITY;
                for (size_t j = 0; j < k; j++) {
                    double v = 0;
                    for (size_t t = 0; t < d; t++) {
                        double q = P[i * d + t] - c[j * d + t];
                        v += q * q;
                    }
                    if (v < bd) {
                        bd = v;
                        l[i] = j;
                    }
                }
                sum += w[i] * bd;
            }
            double prev = loss;
            loss = sum / W;
            if (it > 0 && prev - loss <= 1e-12 * prev)
                break;
            memset(acc, 0, k * d * sizeof *acc);
            memset(wj, 0, k * sizeof *wj);
            for (size_t i = 0; i < n; i++) {
                wj[l[i]] += w[i];
                for (size_t t = 0; t < d; t++)
                    acc[l[i] * d + t] += w[i] * P[i * d + t];
            }
            for (size_t j = 0; j < k; j++)
                if (wj[j] > 0)
                    for (size_t t = 0; t < d; t++)
                        c[j * d + t] = acc[j * d + t] / wj[j];
        }
        best = loss < best ? loss : best;
    }
    free(c);
    free(acc);
    free(wj);
    free(l);
    return best;
}

/* The result is a fixed point of weighted Lloyd, and *best is its loss. */
static void check_fixed_point(const float *P, const double *w, size_t n,
                              size_t d, const float *c, size_t k, double best)
{
    double W = 0, sum = 0;
    double *acc = calloc(k * d, sizeof *acc), *wj = calloc(k, sizeof *wj);
    for (size_t i = 0; i < n; i++) {
        if (w[i] <= 0)
            continue;
        double bd;
        size_t j = naive_nearest(P + i * d, c, k, d, &bd);
        W += w[i];
        sum += w[i] * bd;
        wj[j] += w[i];
        for (size_t t = 0; t < d; t++)
            acc[j * d + t] += w[i] * P[i * d + t];
    }
    assert_close(best, sum / W, 1e-5, 1e-9);
    for (size_t j = 0; j < k; j++)
        for (size_t t = 0; wj[j] > 0 && t < d; t++)
            assert_close(c[j * d + t], acc[j * d + t] / wj[j], 1e-4, 1e-4);
    free(acc);
    free(wj);
}

static void test_local_lloyd_vs_naive(void **state)
{
    (void)state;
    size_t n = 80, d = 6, k = 4;
    float *P = blobs(n, d, 4, 20, NULL);
    double w[80];
    for (size_t i = 0; i < n; i++)
        w[i] = i % 7 == 3 ? 0 : 1 + 9 * frand();
    /* a far point of weight 0 must not pull a center */
    for (size_t t = 0; t < d; t++)
        P[5 * d + t] = 1e4f;
    w[5] = 0;
    double want = naive_weighted_kmeans(P, w, n, d, k, 200);
    kiln_error err;
    kiln_error_init(&err);
    for (int path = 0; path < 2; path++)
        for (int init = 0; init < 2; init++) {
            float out[4 * 6];
            double losses[20], best;
            assert_int_equal(kiln__kmeans_local_lloyd(P, w, n, d, k,
                                 init ? KILN__KMEANS_INIT_KMEANSPP
                                      : KILN__KMEANS_INIT_RANDOM,
                                 20, 300, 1e-6, 11, 3, NULL, path == 1, out,
                                 losses, &best, &err),
                             KILN_OK);
            double mn = INFINITY;
            for (int t = 0; t < 20; t++)
                mn = losses[t] < mn ? losses[t] : mn;
            assert_true(mn == best);
            assert_close(best, want, 1e-5, 0);
            check_fixed_point(P, w, n, d, out, k, best);
            for (size_t j = 0; j < k; j++)
                assert_true(out[j * d] < 1000);
        }
    free(P);
}

/* The Gram and feature paths run the same restarts to the same losses. */
static void test_local_lloyd_paths_agree(void **state)
{
    (void)state;
    size_t n = 150, d = 9, k = 6;
    float *P = blobs(n, d, 12, 6, NULL);
    double w[150];
    for (size_t i = 0; i < n; i++)
        w[i] = 1 + (double)(i % 5);
    kiln_error err;
    kiln_error_init(&err);
    double lg[8], lf[8], bg, bf;
    float og[6 * 9], of[6 * 9];
    assert_int_equal(kiln__kmeans_local_lloyd(P, w, n, d, k,
                         KILN__KMEANS_INIT_KMEANSPP, 8, 100, 1e-4, 5, 2, NULL,
                         false, og, lg, &bg, &err), KILN_OK);
    assert_int_equal(kiln__kmeans_local_lloyd(P, w, n, d, k,
                         KILN__KMEANS_INIT_KMEANSPP, 8, 100, 1e-4, 5, 1, NULL,
                         true, of, lf, &bf, &err), KILN_OK);
    for (int t = 0; t < 8; t++)
        assert_close(lg[t], lf[t], 1e-4, 0);
    assert_close(bg, bf, 1e-4, 0);
    for (size_t i = 0; i < k * d; i++)
        assert_close(og[i], of[i], 1e-3, 1e-3);
    check_fixed_point(P, w, n, d, og, k, bg);
    /* and the thread count changes nothing */
    double l1[8], b1;
    float o1[6 * 9];
    assert_int_equal(kiln__kmeans_local_lloyd(P, w, n, d, k,
                         KILN__KMEANS_INIT_KMEANSPP, 8, 100, 1e-4, 5, 1, NULL,
                         false, o1, l1, &b1, &err), KILN_OK);
    assert_memory_equal(o1, og, sizeof o1);
    assert_memory_equal(l1, lg, sizeof l1);
    free(P);
}

/* No more weighted points than clusters: they are the centers. */
static void test_local_lloyd_few_points(void **state)
{
    (void)state;
    float P[5 * 2] = {1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    double w[5] = {0, 2, 0, 1, 0};
    float out[3 * 2];
    double losses[2], best = -1;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__kmeans_local_lloyd(P, w, 5, 2, 3,
                         KILN__KMEANS_INIT_KMEANSPP, 2, 10, 0, 1, 1, NULL,
                         false, out, losses, &best, &err), KILN_OK);
    float want[6] = {2, 2, 4, 4, 1, 1};
    assert_memory_equal(out, want, sizeof want);
    assert_true(best == 0 && losses[0] == 0 && losses[1] == 0);
}

/* An empty cluster moves to the farthest point instead of staying put:
 * random seeds on duplicated points would otherwise leave one idle. */
static void test_local_lloyd_relocates_empty(void **state)
{
    (void)state;
    /* two heavy duplicates and one far light point; k = 3 */
    float P[4 * 1] = {0, 0, 0, 100};
    double w[4] = {5, 5, 5, 1};
    float out[3];
    double best;
    kiln_error err;
    kiln_error_init(&err);
    for (int path = 0; path < 2; path++) {
        assert_int_equal(kiln__kmeans_local_lloyd(P, w, 4, 1, 3,
                             KILN__KMEANS_INIT_RANDOM, 5, 50, 0, 2, 1, NULL,
                             path == 1, out, NULL, &best, &err), KILN_OK);
        assert_true(best == 0);
        assert_true(out[0] == 100 || out[1] == 100 || out[2] == 100);
    }
}

static void test_local_lloyd_interrupted(void **state)
{
    (void)state;
    size_t n = 100, d = 3;
    float *P = make_rows(n, d, 0);
    double w[100];
    for (size_t i = 0; i < n; i++)
        w[i] = 1;
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    kiln_cancel_request(&cancel);
    kiln_error err;
    float out[5 * 3];
    double best;
    for (int path = 0; path < 2; path++) {
        kiln_error_init(&err);
        assert_int_equal(kiln__kmeans_local_lloyd(P, w, n, d, 5,
                             KILN__KMEANS_INIT_KMEANSPP, 4, 50, 0, 2, 2,
                             &cancel, path == 1, out, NULL, &best, &err),
                         KILN_INTERRUPTED);
        assert_string_equal(err.message, "training was interrupted");
    }
    free(P);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assign_dense_views),
        cmocka_unit_test(test_assign_sparse),
        cmocka_unit_test(test_assign_distance_is_exact),
        cmocka_unit_test(test_assign_interrupted),
        cmocka_unit_test(test_update_matches_formula),
        cmocka_unit_test(test_minibatch_counts_and_centers),
        cmocka_unit_test(test_minibatch_single_batch_is_lloyd_step),
        cmocka_unit_test(test_seed_kmeanspp_one_per_blob),
        cmocka_unit_test(test_seed_random_distinct_rows),
        cmocka_unit_test(test_seed_kmeanspp_d2_weighting),
        cmocka_unit_test(test_local_seed_weighted),
        cmocka_unit_test(test_local_lloyd_vs_naive),
        cmocka_unit_test(test_local_lloyd_paths_agree),
        cmocka_unit_test(test_local_lloyd_few_points),
        cmocka_unit_test(test_local_lloyd_relocates_empty),
        cmocka_unit_test(test_local_lloyd_interrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
