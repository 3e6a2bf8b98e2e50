/* Tests for XGBoost's quantised matrix and histograms (xgb_quantile.c,
 * xgb_hist.c) against naive references: every value lies in its bin
 * (cut[b-1] <= v < cut[b]), few distinct values get a bin each, weighted
 * quantile cuts split the weight evenly, missing values (NaN, and absent
 * sparse entries) land in the feature's missing slot, and histograms equal
 * naive sums whatever the thread count; subtraction is exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/xgboost/xgb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg = 777;

static float frand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (float)(lcg >> 8) / 16777216.0f;
}

static kiln_dataset *dense(const float *x, size_t n, size_t d,
                           const float *w)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds =
        kiln_dataset_new(w ? KILN_DATASET_WEIGHTS : 0, d);
    assert_non_null(ds);
    for (size_t i = 0; i < n; i++) {
        float *r = kiln_dataset_push_dense(ds, 0, w ? w[i] : 1, &err);
        assert_non_null(r);
        memcpy(r, x + i * d, d * sizeof *r);
    }
    return ds;
}

/* Every non-missing value lies in its bin; missing ones in the slot. */
static void check_bins(const kiln__xgb_qmatrix *q, const float *x)
{
    const kiln__xgb_cuts *c = &q->cuts;
    for (size_t r = 0; r < q->rows; r++)
        for (size_t f = 0; f < q->nfeat; f++) {
            float v = x[r * q->nfeat + f];
            uint8_t b = q->bins[r * q->nfeat + f];
            const float *cut = c->values + c->ptr[f];
            if (isnan(v)) {
                assert_true(c->missing[f]);
                assert_int_equal(b, c->nbins[f]);
                continue;
            }
            assert_true(b < c->nbins[f]);
            assert_true(v < cut[b]);
            if (b > 0)
                assert_true(v >= cut[b - 1]);
        }
}

static void test_few_distinct_values(void **state)
{
    (void)state;
    enum { N = 300, D = 3 };
    float x[N * D];
    for (size_t i = 0; i < N; i++) {
        x[i * D + 0] = (float)(i % 7);              /* 7 values */
        x[i * D + 1] = i % 5 == 0 ? NAN : (float)(i % 3) - 1.0f;
        x[i * D + 2] = 2.5f;                         /* constant */
    }
    kiln_dataset *ds = dense(x, N, D, NULL);
    kiln__xgb_qmatrix q;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_quantise(ds, 256, 2, &q, &err), KILN_OK);
    assert_int_equal(q.cuts.nbins[0], 7);
    assert_int_equal(q.cuts.nbins[1], 3);
    assert_int_equal(q.cuts.nbins[2], 1);
    assert_false(q.cuts.missing[0]);
    assert_true(q.cuts.missing[1]);
    /* cuts are the next values; the last is past the max */
    const float *c0 = q.cuts.values + q.cuts.ptr[0];
    for (int b = 0; b < 6; b++)
        assert_true(c0[b] == (float)(b + 1));
    assert_true(c0[6] > 6.0f);
    check_bins(&q, x);
    kiln__xgb_qmatrix_fini(&q);
    kiln_dataset_free(ds);
}

static void test_quantiles(void **state)
{
    (void)state;
    enum { N = 20000, D = 2 };
    float *x = malloc(N * D * sizeof *x), *w = malloc(N * sizeof *w);
    for (size_t i = 0; i < N; i++) {
        x[i * D] = frand();
        x[i * D + 1] = frand() < 0.1f ? NAN : frand() * 100.0f - 50.0f;
        w[i] = i < N / 2 ? 1.0f : 3.0f; /* the second half weighs more */
    }
    kiln_dataset *ds = dense(x, N, D, w);
    kiln__xgb_qmatrix q;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_quantise(ds, 16, 1, &q, &err), KILN_OK);
    assert_true(q.cuts.nbins[0] <= 16 && q.cuts.nbins[0] >= 14);
    assert_true(q.cuts.nbins[1] <= 16);
    check_bins(&q, x);
    /* each bin of feature 0 holds about 1/16 of the weight */
    double total = 0, per[256] = {0};
    for (size_t i = 0; i < N; i++) {
        per[q.bins[i * D]] += w[i];
        total += w[i];
    }
    for (int b = 0; b < q.cuts.nbins[0]; b++)
        assert_true(per[b] < total / 16 * 1.5);
    /* the same cuts on any thread count */
    kiln__xgb_qmatrix q2;
    assert_int_equal(kiln__xgb_quantise(ds, 16, 3, &q2, &err), KILN_OK);
    assert_memory_equal(q.bins, q2.bins, N * D);
    kiln__xgb_qmatrix_fini(&q);
    kiln__xgb_qmatrix_fini(&q2);
    kiln_dataset_free(ds);
    free(x);
    free(w);
}

static void test_sparse_absent_is_missing(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_SPARSE, 3);
    const uint32_t i0[] = {0, 2}, i1[] = {1}, i2[] = {0, 1, 2};
    const float v0[] = {1, 5}, v1[] = {2}, v2[] = {3, 4, 6};
    assert_int_equal(kiln_dataset_push_sparse(ds, i0, v0, 2, 0, 1, &err), 0);
    assert_int_equal(kiln_dataset_push_sparse(ds, i1, v1, 1, 0, 1, &err), 0);
    assert_int_equal(kiln_dataset_push_sparse(ds, i2, v2, 3, 0, 1, &err), 0);
    kiln__xgb_qmatrix q;
    assert_int_equal(kiln__xgb_quantise(ds, 256, 2, &q, &err), KILN_OK);
    const float dense_x[] = {1, NAN, 5, NAN, 2, NAN, 3, 4, 6};
    check_bins(&q, dense_x);
    kiln__xgb_qmatrix_fini(&q);
    kiln_dataset_free(ds);
}

/* 256 bins a feature: a feature's slots hold its bins and missing slot,
 * and no feature starts a multiple of 256 slots (4096 bytes) after any of
 * the 15 before it (the 4K aliasing xgb_quantile.c lays slots out
 * against), at the cost of at most a slot a feature. */
static void test_slot_layout(void **state)
{
    (void)state;
    enum { N = 600, D = 40 };
    float *x = malloc(N * D * sizeof *x);
    for (size_t i = 0; i < N; i++)
        for (size_t f = 0; f < D; f++)
            x[i * D + f] = f % 7 == 3 && i % 50 == 0
                               ? NAN
                               : (float)((i * 7 + f * 13) % 256);
    kiln_dataset *ds = dense(x, N, D, NULL);
    kiln__xgb_qmatrix q;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_quantise(ds, 256, 2, &q, &err), KILN_OK);
    const kiln__xgb_cuts *c = &q.cuts;
    size_t wide = 0;
    for (size_t f = 0; f < D; f++) {
        wide += c->nbins[f] + c->missing[f] == 256;
        assert_true(c->ptr[f] + c->nbins[f] + c->missing[f] <= c->ptr[f + 1]);
        for (size_t k = 1; k < 16 && k <= f; k++)
            assert_int_not_equal((c->ptr[f] - c->ptr[f - k]) % 256, 0);
    }
    assert_true(wide > D / 2);
    assert_true(c->ptr[D] <= D * 257);
    check_bins(&q, x);
    kiln__xgb_qmatrix_fini(&q);
    kiln_dataset_free(ds);
    free(x);
}

/* Histograms of data with `zeros` of its values 0 (the most frequent
 * slot: with many, histograms are built from the other slots). */
static void check_histograms(float zeros)
{
    enum { N = 30000, D = 5 };
    float *x = malloc(N * D * sizeof *x);
    float *g = malloc(N * sizeof *g), *h = malloc(N * sizeof *h);
    for (size_t i = 0; i < N * D; i++)
        x[i] = frand() < 0.05f ? NAN
               : frand() < zeros ? 0.0f
                                 : floorf(frand() * 40.0f);
    for (size_t i = 0; i < N; i++) {
        g[i] = frand() - 0.5f;
        h[i] = frand();
    }
    kiln_dataset *ds = dense(x, N, D, NULL);
    kiln__xgb_qmatrix q;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_quantise(ds, 256, 2, &q, &err), KILN_OK);
    size_t slots = q.cuts.ptr[D];
    /* every third row */
    uint32_t *rows = malloc(N * sizeof *rows);
    size_t n = 0;
    for (uint32_t i = 0; i < N; i += 3)
        rows[n++] = i;
    kiln__xgb_gh *naive = calloc(slots, sizeof *naive);
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < D; f++) {
            kiln__xgb_gh *s = naive + q.cuts.ptr[f] + q.bins[rows[i] * D + f];
            s->g += g[rows[i]];
            s->h += h[rows[i]];
        }
    kiln__xgb_gh *hist = malloc(slots * sizeof *hist);
    kiln__xgb_gh *scratch = malloc(4 * KILN__XGB_SCRATCH * sizeof *scratch);
    for (unsigned t = 1; t <= 4; t++) {
        kiln__xgb_hist_build(&q, rows, n, g, h, t, scratch, hist);
        for (size_t s = 0; s < slots; s++) {
            assert_true(fabs(hist[s].g - naive[s].g) < 1e-7);
            assert_true(fabs(hist[s].h - naive[s].h) < 1e-7);
        }
    }
    /* parent - child: the other rows */
    uint32_t *all = malloc(N * sizeof *all);
    for (uint32_t i = 0; i < N; i++)
        all[i] = i;
    kiln__xgb_gh *parent = malloc(slots * sizeof *parent);
    kiln__xgb_gh *rest = malloc(slots * sizeof *rest);
    kiln__xgb_hist_build(&q, all, N, g, h, 2, scratch, parent);
    kiln__xgb_hist_subtract(parent, hist, slots, rest);
    double gsum = 0;
    for (size_t s = q.cuts.ptr[0]; s < q.cuts.ptr[1]; s++)
        gsum += rest[s].g;
    double want = 0;
    for (size_t i = 0; i < N; i++)
        if (i % 3)
            want += g[i];
    assert_true(fabs(gsum - want) < 1e-6);
    free(all);
    free(parent);
    free(rest);
    free(hist);
    free(scratch);
    free(naive);
    free(rows);
    kiln__xgb_qmatrix_fini(&q);
    kiln_dataset_free(ds);
    free(x);
    free(g);
    free(h);
}

static void test_histograms(void **state)
{
    (void)state;
    check_histograms(0.0f);
    check_histograms(0.7f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_few_distinct_values),
        cmocka_unit_test(test_quantiles),
        cmocka_unit_test(test_sparse_absent_is_missing),
        cmocka_unit_test(test_slot_layout),
        cmocka_unit_test(test_histograms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
