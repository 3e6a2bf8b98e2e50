/* Tests for growing one XGBoost tree (xgb_grow.c) against a naive exact
 * greedy search: with few distinct values every value has its own bin, so
 * the histogram method must find exactly the split an exhaustive search of
 * the raw data finds (feature, threshold, gain, missing direction), and
 * leaf values must be xgboost's -G / (H + lambda) * eta.  Also: rows end
 * in the leaf their values route to, depth and leaf limits hold, gamma
 * prunes, and the result does not depend on the thread count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/xgboost/xgb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg = 4242;

static float frand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (float)(lcg >> 8) / 16777216.0f;
}

enum { N = 2000, D = 4 };

typedef struct fixture {
    float x[N * D], g[N], h[N];
    uint32_t rows[N];
    kiln_dataset *ds;
    kiln__xgb_qmatrix q;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            f->x[i * D + j] = floorf(frand() * 12.0f);
        if (i % 9 == 0)
            f->x[i * D + 2] = NAN; /* feature 2 has missing values */
        /* a target that depends on every feature, most on 0 and 2 */
        float y = (f->x[i * D] > 6 ? 1.0f : 0.0f) +
                  (isnan(f->x[i * D + 2]) ? 0.8f : 0.0f) +
                  0.1f * f->x[i * D + 1] + 0.05f * f->x[i * D + 3] +
                  frand() * 0.3f;
        f->g[i] = 0.5f - y; /* squared error at margin 0.5 */
        f->h[i] = 1.0f;
        f->rows[i] = (uint32_t)i;
    }
    kiln_error err;
    kiln_error_init(&err);
    f->ds = kiln_dataset_new(0, D);
    for (size_t i = 0; i < N; i++)
        memcpy(kiln_dataset_push_dense(f->ds, 0, 1, &err), f->x + i * D,
               D * sizeof(float));
    assert_int_equal(kiln__xgb_quantise(f->ds, 256, 2, &f->q, &err), KILN_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kiln__xgb_qmatrix_fini(&f->q);
    kiln_dataset_free(f->ds);
    free(f);
    return 0;
}

static double gain(double g, double h, double lambda)
{
    return g * g / (h + lambda);
}

/* The exhaustive best split of all rows: threshold t means x < t goes
 * left; missing values try both sides. */
typedef struct naive_split {
    double loss;
    int feature;
    float threshold;
    bool default_left;
} naive_split;

static naive_split naive_best(const fixture *f, double lambda, double mcw)
{
    naive_split best = {.loss = 0, .feature = -1};
    double G = 0, H = 0;
    for (size_t i = 0; i < N; i++) {
        G += f->g[i];
        H += f->h[i];
    }
    double root = gain(G, H, lambda);
    for (int j = 0; j < D; j++)
        for (float t = 1; t <= 11; t++) {
            double gl = 0, hl = 0, gm = 0, hm = 0;
            for (size_t i = 0; i < N; i++) {
                float v = f->x[i * D + j];
                if (isnan(v)) {
                    gm += f->g[i];
                    hm += f->h[i];
                } else if (v < t) {
                    gl += f->g[i];
                    hl += f->h[i];
                }
            }
            for (int dl = 0; dl < 2; dl++) {
                if (dl && hm == 0)
                    continue;
                double a = gl + (dl ? gm : 0), ah = hl + (dl ? hm : 0);
                double b = G - a, bh = H - ah;
                if (ah < mcw || bh < mcw)
                    continue;
                double loss = gain(a, ah, lambda) + gain(b, bh, lambda) - root;
                if (loss > best.loss + 1e-9)
                    best = (naive_split){loss, j, t, dl == 1};
            }
        }
    return best;
}

static kiln__xgb_tree_params params(int depth)
{
    return (kiln__xgb_tree_params){.eta = 0.3, .lambda = 1.0,
                                   .min_child_weight = 1.0,
                                   .max_depth = depth,
                                   .colsample_bylevel = 1,
                                   .colsample_bynode = 1};
}

static void grow(fixture *f, const kiln__xgb_tree_params *tp, unsigned threads,
                 kiln__xgb_tree *t, int32_t *leaf_of)
{
    uint8_t ok[D] = {1, 1, 1, 1};
    uint64_t rng = 1;
    kiln_error err;
    kiln_error_init(&err);
    memset(t, 0, sizeof *t);
    kiln__xgb_hist_pool pool;
    kiln__xgb_pool_init(&pool, f->q.cuts.ptr[D], threads);
    assert_int_equal(kiln__xgb_grow(&f->q, f->rows, N, f->g, f->h, ok, tp,
                                    &rng, &pool, NULL, t, leaf_of, &err),
                     KILN_OK);
    kiln__xgb_pool_fini(&pool);
}

static void test_root_split_is_the_exact_best(void **state)
{
    fixture *f = *state;
    kiln__xgb_tree_params tp = params(1);
    kiln__xgb_tree t;
    int32_t *leaf_of = malloc(N * sizeof *leaf_of);
    grow(f, &tp, 2, &t, leaf_of);
    naive_split want = naive_best(f, 1.0, 1.0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.split_index[0], want.feature);
    assert_true(t.split_cond[0] == want.threshold);
    assert_int_equal(t.default_left[0], want.default_left);
    assert_true(fabs(t.loss_change[0] - want.loss) < 1e-3 * want.loss);
    /* leaves: -G/(H+lambda)*eta of their rows; rows routed by values */
    for (int side = 1; side <= 2; side++) {
        double g = 0, h = 0;
        for (size_t i = 0; i < N; i++)
            if (leaf_of[i] == side) {
                g += f->g[i];
                h += f->h[i];
            }
        assert_true(fabs(t.split_cond[side] - (-g / (h + 1.0) * 0.3)) < 1e-5);
        assert_true(fabs(t.sum_hess[side] - h) < 1e-3);
    }
    for (size_t i = 0; i < N; i++)
        assert_int_equal(leaf_of[i],
                         kiln__xgb_tree_leaf_dense(&t, f->x + i * D));
    kiln__xgb_tree_fini(&t);
    free(leaf_of);
}

static int depth_of(const kiln__xgb_tree *t, int32_t id)
{
    int d = 0;
    while (t->parent[id] != INT32_MAX) {
        id = t->parent[id];
        d++;
    }
    return d;
}

static void test_limits_and_threads(void **state)
{
    fixture *f = *state;
    kiln__xgb_tree_params tp = params(4);
    kiln__xgb_tree a, b;
    int32_t *la = malloc(N * sizeof *la), *lb = malloc(N * sizeof *lb);
    grow(f, &tp, 1, &a, la);
    grow(f, &tp, 3, &b, lb);
    /* the same tree on any number of threads */
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.split_index, b.split_index, a.n * sizeof(int32_t));
    assert_memory_equal(a.split_cond, b.split_cond, a.n * sizeof(float));
    assert_memory_equal(la, lb, N * sizeof *la);
    for (int32_t i = 0; i < a.n; i++)
        assert_true(depth_of(&a, i) <= 4);
    kiln__xgb_tree_fini(&a);
    kiln__xgb_tree_fini(&b);
    /* lossguide with max_leaves 5: exactly 5 leaves (the data has more) */
    tp = params(0);
    tp.lossguide = true;
    tp.max_leaves = 5;
    grow(f, &tp, 2, &a, la);
    int leaves = 0;
    for (int32_t i = 0; i < a.n; i++)
        leaves += a.left[i] < 0;
    assert_int_equal(leaves, 5);
    kiln__xgb_tree_fini(&a);
    /* gamma above the best gain: the root stays a leaf */
    tp = params(6);
    tp.gamma = naive_best(f, 1.0, 1.0).loss + 1.0;
    grow(f, &tp, 2, &a, la);
    assert_int_equal(a.n, 1);
    kiln__xgb_tree_fini(&a);
    free(la);
    free(lb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_split_is_the_exact_best),
        cmocka_unit_test(test_limits_and_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
