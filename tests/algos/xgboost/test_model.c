/* XGBoost's model (algos/xgboost/xgb_model.c): random trees against a
 * naive recursive predictor (margins bit for bit: base margin plus leaves
 * in tree order, in float), dense against sparse rows, NaN and absent
 * values, rows narrower than the model, one thread against many, single
 * rows, the tree limit; tree storage; the tree check (cycles, shared and
 * out-of-range children, features, parents); feature importance against a
 * naive count; models too wide for the stack buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/xgboost/xgb.h"
#include "algos/xgboost/xgb_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double rng_unit(void) { return (double)(rng_next() >> 11) * 0x1p-53; }

/* Small floats on a grid of eighths, so that rows often equal a threshold
 * exactly (x == split_cond goes right). */
static float rng_value(void)
{
    return (float)((int)(rng_next() % 33) - 16) / 8.0f;
}

static kiln__xgb_obj_params default_params(int num_class)
{
    kiln__xgb_obj_params p = {0};
    p.num_class = num_class;
    p.scale_pos_weight = 1;
    p.tweedie_variance_power = 1.5;
    p.huber_slope = 1;
    p.poisson_max_delta_step = 0.7;
    return p;
}

/* Grow node id of t into a random subtree of at most depth levels. */
static void grow_random(kiln__xgb_tree *t, int32_t id, int depth, int nf)
{
    if (depth == 0 || rng_unit() < 0.25) {
        t->split_cond[id] = (float)(rng_unit() - 0.5);
        t->sum_hess[id] = (float)rng_unit();
        return;
    }
    t->split_index[id] = (int32_t)(rng_next() % (uint64_t)nf);
    t->split_cond[id] = rng_value();
    t->default_left[id] = (uint8_t)(rng_next() & 1);
    t->loss_change[id] = (float)rng_unit() * 10.0f;
    t->sum_hess[id] = (float)rng_unit() * 100.0f;
    int32_t l = kiln__xgb_tree_add_node(t, id);
    int32_t r = kiln__xgb_tree_add_node(t, id);
    assert_true(l > 0 && r > 0);
    assert_int_equal(t->left[id], l);
    assert_int_equal(t->right[id], r);
    grow_random(t, l, depth - 1, nf);
    grow_random(t, r, depth - 1, nf);
}

/* A model of rounds x K random trees on nf features. */
static kiln__xgb_model *random_model(const char *objective, int num_class,
                                     int nf, int rounds, int depth)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_obj_params p = default_params(num_class);
    kiln__xgb_model *m = kiln__xgb_model_new(
        kiln__xgb_objective_find(objective), &p, (size_t)nf, 0.5);
    assert_non_null(m);
    for (int r = 0; r < rounds; r++)
        for (int g = 0; g < m->num_group; g++) {
            kiln__xgb_tree t;
            assert_int_equal(kiln__xgb_tree_init(&t, 1), KILN_OK);
            int32_t root = kiln__xgb_tree_add_node(&t, INT32_MAX);
            assert_int_equal(root, 0);
            grow_random(&t, root, depth, nf);
            assert_int_equal(kiln__xgb_tree_check(&t, (size_t)nf, "random",
                                                  0, &err),
                             KILN_OK);
            assert_int_equal(kiln__xgb_model_add_tree(m, &t, g, &err),
                             KILN_OK);
            assert_null(t.left);
        }
    return m;
}

/* Rows x nf values, each missing with probability missing. */
static float *random_rows(size_t rows, int nf, double missing)
{
    float *x = malloc(rows * (size_t)nf * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < rows * (size_t)nf; i++)
        x[i] = rng_unit() < missing ? NAN : rng_value();
    return x;
}

static kiln_dataset *dense_of(const float *x, size_t rows, int cols)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(0, (size_t)cols);
    assert_non_null(ds);
    for (size_t i = 0; i < rows; i++) {
        float *row = kiln_dataset_push_dense(ds, 0, 1, &err);
        assert_non_null(row);
        memcpy(row, x + i * (size_t)cols, (size_t)cols * sizeof *row);
    }
    return ds;
}

/* The rows as CSR without their NaNs, entries in a shuffled order. */
static kiln_dataset *sparse_of(const float *x, size_t rows, int cols)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_SPARSE, (size_t)cols);
    uint32_t *idx = malloc((size_t)cols * sizeof *idx);
    float *val = malloc((size_t)cols * sizeof *val);
    assert_true(ds != NULL && idx != NULL && val != NULL);
    for (size_t i = 0; i < rows; i++) {
        size_t nnz = 0;
        for (int j = 0; j < cols; j++)
            if (!isnan(x[i * (size_t)cols + (size_t)j])) {
                idx[nnz] = (uint32_t)j;
                val[nnz++] = x[i * (size_t)cols + (size_t)j];
            }
        for (size_t k = nnz; k > 1; k--) {
            size_t o = (size_t)(rng_next() % k);
            uint32_t ti = idx[k - 1];
            float tv = val[k - 1];
            idx[k - 1] = idx[o];
            val[k - 1] = val[o];
            idx[o] = ti;
            val[o] = tv;
        }
        assert_int_equal(kiln_dataset_push_sparse(ds, idx, val, nnz, 0, 1,
                                                  &err),
                         KILN_OK);
    }
    kiln_dataset_set_cols(ds, (size_t)cols);
    free(idx);
    free(val);
    return ds;
}

/* The naive predictor: a recursive descent per row and tree. */
static float naive_leaf(const kiln__xgb_tree *t, int32_t id, const float *row)
{
    if (t->left[id] == -1)
        return t->split_cond[id];
    float v = row[t->split_index[id]];
    bool left = isnan(v) ? t->default_left[id] != 0 : v < t->split_cond[id];
    return naive_leaf(t, left ? t->left[id] : t->right[id], row);
}

/* Margins as xgboost's CPU predictor adds them: float, in tree order. */
static float *naive_margins(const kiln__xgb_model *m, const float *x,
                            size_t rows, size_t ntrees)
{
    size_t k = (size_t)m->num_group, nf = m->num_feature;
    float *out = malloc(rows * k * sizeof *out);
    assert_non_null(out);
    for (size_t i = 0; i < rows; i++) {
        for (size_t g = 0; g < k; g++)
            out[i * k + g] = m->base_margin;
        for (size_t t = 0; t < ntrees; t++)
            out[i * k + (size_t)m->tree_info[t]] +=
                naive_leaf(&m->trees[t], 0, x + i * nf);
    }
    return out;
}

static float *predict(const kiln__xgb_model *m, const kiln_dataset *x,
                      size_t ntrees, unsigned threads)
{
    size_t n = kiln_dataset_rows(x), k = (size_t)m->num_group;
    float *out = malloc((n * k + 1) * sizeof *out);
    assert_non_null(out);
    for (size_t i = 0; i < n * k + 1; i++)
        out[i] = -12345.0f;
    kiln__xgb_predict_margin(m, x, ntrees, threads, out);
    assert_true(out[n * k] == -12345.0f); /* nothing past the end */
    return out;
}

/* ---- prediction --------------------------------------------------------- */

static void test_dense_and_sparse_match_naive(void **state)
{
    (void)state;
    enum { ROWS = 1000, NF = 17 };
    kiln__xgb_model *m = random_model("multi:softprob", 3, NF, 30, 7);
    float *x = random_rows(ROWS, NF, 0.2);
    kiln_dataset *dense = dense_of(x, ROWS, NF);
    kiln_dataset *sparse = sparse_of(x, ROWS, NF);
    float *want = naive_margins(m, x, ROWS, m->ntrees);
    float *got = predict(m, dense, 0, 1);
    assert_memory_equal(got, want, ROWS * 3 * sizeof *got);
    free(got);
    got = predict(m, sparse, 0, 1);
    assert_memory_equal(got, want, ROWS * 3 * sizeof *got);
    free(got);
    got = predict(m, dense, 0, 4);
    assert_memory_equal(got, want, ROWS * 3 * sizeof *got);
    free(got);
    free(want);
    /* The first 10 rounds only. */
    want = naive_margins(m, x, ROWS, 30);
    got = predict(m, sparse, 30, 3);
    assert_memory_equal(got, want, ROWS * 3 * sizeof *got);
    free(got);
    free(want);
    kiln_dataset_free(dense);
    kiln_dataset_free(sparse);
    free(x);
    kiln__xgb_model_free(m);
}

/* Many rows and threads: blocks of 64, ragged ends, a range per thread. */
static void test_threads(void **state)
{
    (void)state;
    enum { ROWS = 20011, NF = 9 };
    kiln__xgb_model *m = random_model("reg:squarederror", 0, NF, 40, 6);
    float *x = random_rows(ROWS, NF, 0.1);
    kiln_dataset *dense = dense_of(x, ROWS, NF);
    kiln_dataset *sparse = sparse_of(x, ROWS, NF);
    float *want = naive_margins(m, x, ROWS, m->ntrees);
    unsigned threads[] = {1, 2, 3, 8};
    for (size_t i = 0; i < sizeof threads / sizeof threads[0]; i++) {
        float *got = predict(m, dense, 0, threads[i]);
        assert_memory_equal(got, want, ROWS * sizeof *got);
        free(got);
        got = predict(m, sparse, 0, threads[i]);
        assert_memory_equal(got, want, ROWS * sizeof *got);
        free(got);
    }
    free(want);
    kiln_dataset_free(dense);
    kiln_dataset_free(sparse);
    free(x);
    kiln__xgb_model_free(m);
}

/* One row at a time, as an endpoint predicts. */
static void test_single_rows(void **state)
{
    (void)state;
    enum { NF = 12 };
    kiln__xgb_model *m = random_model("binary:logistic", 0, NF, 25, 6);
    kiln_error err;
    kiln_error_init(&err);
    for (int r = 0; r < 200; r++) {
        float *x = random_rows(1, NF, 0.3);
        kiln_dataset *one = dense_of(x, 1, NF);
        kiln_dataset *sone = sparse_of(x, 1, NF);
        float *want = naive_margins(m, x, 1, m->ntrees);
        float got = 0, sgot = 0;
        kiln__xgb_predict_margin(m, one, 0, 8, &got);
        kiln__xgb_predict_margin(m, sone, 0, 8, &sgot);
        assert_memory_equal(&got, want, sizeof got);
        assert_memory_equal(&sgot, want, sizeof sgot);
        for (size_t t = 0; t < m->ntrees; t++) {
            int32_t leaf = kiln__xgb_tree_leaf_dense(&m->trees[t], x);
            assert_int_equal(m->trees[t].left[leaf], -1);
            assert_true(m->trees[t].split_cond[leaf] ==
                        naive_leaf(&m->trees[t], 0, x));
        }
        free(want);
        kiln_dataset_free(one);
        kiln_dataset_free(sone);
        free(x);
    }
    kiln__xgb_model_free(m);
}

/* Dense rows narrower than the model: the missing columns are missing;
 * wider rows: the extra columns are never read. */
static void test_narrow_and_wide_rows(void **state)
{
    (void)state;
    enum { ROWS = 300, NF = 10, NARROW = 6, WIDE = 14 };
    kiln__xgb_model *m = random_model("reg:squarederror", 0, NF, 20, 6);
    float *x = random_rows(ROWS, NF, 0.1);
    float *narrow = malloc(ROWS * NARROW * sizeof *narrow);
    float *wide = malloc(ROWS * WIDE * sizeof *wide);
    assert_true(narrow != NULL && wide != NULL);
    for (size_t i = 0; i < ROWS; i++) {
        for (int j = 0; j < WIDE; j++)
            wide[i * WIDE + (size_t)j] = j < NF ? x[i * NF + (size_t)j]
                                                : 1e30f;
        for (int j = 0; j < NF; j++)
            if (j < NARROW)
                narrow[i * NARROW + (size_t)j] = x[i * NF + (size_t)j];
            else
                x[i * NF + (size_t)j] = NAN;
    }
    kiln_dataset *dn = dense_of(narrow, ROWS, NARROW);
    kiln_dataset *sn = sparse_of(narrow, ROWS, NARROW);
    float *want = naive_margins(m, x, ROWS, m->ntrees);
    float *got = predict(m, dn, 0, 2);
    assert_memory_equal(got, want, ROWS * sizeof *got);
    free(got);
    got = predict(m, sn, 0, 2);
    assert_memory_equal(got, want, ROWS * sizeof *got);
    free(got);
    free(want);
    kiln_dataset_free(dn);
    kiln_dataset_free(sn);
    /* Wide: the same as the first NF columns. */
    float *x2 = malloc(ROWS * NF * sizeof *x2);
    assert_non_null(x2);
    for (size_t i = 0; i < ROWS; i++)
        for (int j = 0; j < NF; j++)
            x2[i * NF + (size_t)j] = wide[i * WIDE + (size_t)j];
    kiln_dataset *dw = dense_of(wide, ROWS, WIDE);
    want = naive_margins(m, x2, ROWS, m->ntrees);
    got = predict(m, dw, 0, 1);
    assert_memory_equal(got, want, ROWS * sizeof *got);
    free(got);
    free(want);
    kiln_dataset_free(dw);
    free(x2);
    free(x);
    free(narrow);
    free(wide);
    kiln__xgb_model_free(m);
}

/* Sparse rows of a model too wide for the stack buffer (and a
 * duplicated index: the last value wins, as xgboost's FVec::Fill). */
static void test_wide_sparse_model(void **state)
{
    (void)state;
    enum { NF = 20000, ROWS = 130 };
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_model *m = random_model("reg:squarederror", 0, NF, 10, 8);
    kiln_dataset *sp = kiln_dataset_new(KILN_DATASET_SPARSE, NF);
    float *x = malloc((size_t)ROWS * NF * sizeof *x);
    assert_true(sp != NULL && x != NULL);
    for (size_t i = 0; i < ROWS * (size_t)NF; i++)
        x[i] = NAN;
    for (size_t i = 0; i < ROWS; i++) {
        uint32_t idx[41];
        float val[41];
        size_t nnz = 0;
        /* The features the trees split on, so the rows do go both ways. */
        for (size_t t = 0; t < m->ntrees && nnz < 40; t++)
            for (int32_t k = 0; k < m->trees[t].n && nnz < 40; k++)
                if (m->trees[t].left[k] >= 0 && rng_unit() < 0.3) {
                    idx[nnz] = (uint32_t)m->trees[t].split_index[k];
                    val[nnz] = rng_value();
                    x[i * NF + idx[nnz]] = val[nnz];
                    nnz++;
                }
        if (nnz > 0) {
            idx[nnz] = idx[0];
            val[nnz] = val[0] + 1.0f;
            x[i * NF + idx[0]] = val[nnz];
            nnz++;
        }
        assert_int_equal(kiln_dataset_push_sparse(sp, idx, val, nnz, 0, 1,
                                                  &err),
                         KILN_OK);
    }
    kiln_dataset_set_cols(sp, NF);
    float *want = naive_margins(m, x, ROWS, m->ntrees);
    float *got = predict(m, sp, 0, 2);
    assert_memory_equal(got, want, ROWS * sizeof *got);
    free(got);
    free(want);
    kiln_dataset_free(sp);
    free(x);
    kiln__xgb_model_free(m);
}

static void test_no_trees_and_no_rows(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = default_params(3);
    kiln__xgb_model *m = kiln__xgb_model_new(
        kiln__xgb_objective_find("multi:softmax"), &p, 4, 0.5);
    assert_non_null(m);
    assert_int_equal(m->num_class, 3);
    assert_int_equal(m->num_group, 3);
    assert_int_equal(m->best_iteration, -1);
    float x[8] = {1, 2, 3, 4, NAN, NAN, NAN, NAN};
    kiln_dataset *ds = dense_of(x, 2, 4);
    float *got = predict(m, ds, 0, 1);
    for (int i = 0; i < 6; i++)
        assert_true(got[i] == 0.5f);
    free(got);
    kiln_dataset *empty = kiln_dataset_new(0, 4);
    float sentinel = 7.0f;
    kiln__xgb_predict_margin(m, empty, 0, 4, &sentinel);
    assert_true(sentinel == 7.0f);
    kiln_dataset_free(empty);
    kiln_dataset_free(ds);
    kiln__xgb_model_free(m);
    kiln__xgb_model_free(NULL);
}

/* base_score turns into the margin through the objective, in float. */
static void test_base_margin(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = default_params(0);
    kiln__xgb_model *m = kiln__xgb_model_new(
        kiln__xgb_objective_find("binary:logistic"), &p, 1, 0.5);
    assert_true(m->base_margin == 0.0f);
    kiln__xgb_model_free(m);
    m = kiln__xgb_model_new(kiln__xgb_objective_find("count:poisson"), &p, 1,
                            2.0);
    assert_float_equal(m->base_margin, logf(2.0f), 1e-7);
    kiln__xgb_model_free(m);
    m = kiln__xgb_model_new(kiln__xgb_objective_find("reg:squarederror"), &p,
                            1, 0.1);
    assert_true(m->base_score == (double)0.1f); /* kept as a float */
    assert_true(m->base_margin == 0.1f);
    kiln__xgb_model_free(m);
}

/* ---- storage ------------------------------------------------------------ */

static void test_tree_storage(void **state)
{
    (void)state;
    kiln__xgb_tree t;
    assert_int_equal(kiln__xgb_tree_init(&t, 0), KILN_OK);
    assert_int_equal(t.n, 0);
    int32_t root = kiln__xgb_tree_add_node(&t, -1);
    assert_int_equal(root, 0);
    assert_int_equal(t.parent[0], INT32_MAX);
    assert_int_equal(t.left[0], -1);
    assert_int_equal(t.right[0], -1);
    /* A chain of 5000 nodes: growth keeps every value. */
    int32_t node = root;
    for (int i = 0; i < 2500; i++) {
        int32_t l = kiln__xgb_tree_add_node(&t, node);
        int32_t r = kiln__xgb_tree_add_node(&t, node);
        t.split_cond[l] = (float)i;
        assert_int_equal(t.left[node], l);
        assert_int_equal(t.right[node], r);
        assert_int_equal(t.parent[l], node);
        node = r;
    }
    assert_int_equal(t.n, 5001);
    assert_true(t.cap >= t.n);
    for (int i = 0; i < 2500; i++)
        assert_true(t.split_cond[1 + 2 * i] == (float)i);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_tree_check(&t, 1, "chain", 0, &err), KILN_OK);
    /* A third child of a node is not linked. */
    int32_t extra = kiln__xgb_tree_add_node(&t, 0);
    assert_int_equal(t.left[0], 1);
    assert_int_equal(t.right[0], 2);
    assert_int_equal(t.parent[extra], 0);
    kiln__xgb_tree_fini(&t);
    assert_null(t.left);
    kiln__xgb_tree_fini(&t);
}

static void test_add_tree_group(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_obj_params p = default_params(0);
    kiln__xgb_model *m = kiln__xgb_model_new(
        kiln__xgb_objective_find("reg:squarederror"), &p, 1, 0.5);
    kiln__xgb_tree t;
    assert_int_equal(kiln__xgb_tree_init(&t, 1), KILN_OK);
    kiln__xgb_tree_add_node(&t, -1);
    assert_int_equal(kiln__xgb_model_add_tree(m, &t, 1, &err), KILN_INTERNAL);
    assert_non_null(t.left); /* not taken */
    for (int i = 0; i < 100; i++) {
        kiln__xgb_tree u;
        assert_int_equal(kiln__xgb_tree_init(&u, 1), KILN_OK);
        kiln__xgb_tree_add_node(&u, -1);
        u.split_cond[0] = (float)i;
        assert_int_equal(kiln__xgb_model_add_tree(m, &u, 0, &err), KILN_OK);
    }
    assert_int_equal(m->ntrees, 100);
    assert_true(m->trees[99].split_cond[0] == 99.0f);
    kiln__xgb_tree_fini(&t);
    kiln__xgb_model_free(m);
}

/* ---- the tree check ----------------------------------------------------- */

/* A full tree of 7 nodes splitting on features 0..2. */
static void small_tree(kiln__xgb_tree *t)
{
    assert_int_equal(kiln__xgb_tree_init(t, 7), KILN_OK);
    kiln__xgb_tree_add_node(t, -1);
    for (int32_t p = 0; p < 3; p++) {
        kiln__xgb_tree_add_node(t, p);
        kiln__xgb_tree_add_node(t, p);
        t->split_index[p] = p;
    }
}

static void check_bad(kiln__xgb_tree *t, const char *want)
{
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_tree_check(t, 3, "m.json", 4, &err),
                     KILN_DATA);
    if (strstr(err.message, want) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", err.message, want);
    assert_non_null(strstr(err.message, "m.json: tree 4"));
    kiln__xgb_tree_fini(t);
}

static void test_tree_check(void **state)
{
    (void)state;
    kiln__xgb_tree t;
    kiln_error err;
    kiln_error_init(&err);
    small_tree(&t);
    assert_int_equal(kiln__xgb_tree_check(&t, 3, "m", 0, &err), KILN_OK);
    kiln__xgb_tree_fini(&t);

    small_tree(&t);
    t.left[1] = 0;
    check_bad(&t, "node 1: left child 0 is reached twice");
    small_tree(&t);
    t.left[2] = 3;
    t.parent[3] = 2;
    check_bad(&t, "left child 3 is reached twice");
    small_tree(&t);
    t.right[2] = 7;
    check_bad(&t, "node 2: right child 7 is not a node (num_nodes 7)");
    small_tree(&t);
    t.left[1] = -5;
    check_bad(&t, "node 1: left child -5 is not a node");
    small_tree(&t);
    t.right[1] = -1;
    check_bad(&t, "node 1: a left child (3) but no right child");
    small_tree(&t);
    t.left[1] = -1;
    check_bad(&t, "node 1: a right child (4) but no left child");
    small_tree(&t);
    t.split_index[2] = 3;
    check_bad(&t, "node 2: splits on feature 3, but the model has 3 "
                  "features");
    small_tree(&t);
    t.split_index[2] = -1;
    check_bad(&t, "splits on feature -1");
    small_tree(&t);
    t.parent[5] = 1;
    check_bad(&t, "node 2: left child 5 names node 1 as its parent");
    /* A node pointing back up makes a cycle. */
    small_tree(&t);
    t.left[3] = 1;
    t.right[3] = 2;
    check_bad(&t, "reached twice");
    kiln__xgb_tree empty = {0};
    assert_int_equal(kiln__xgb_tree_check(&empty, 3, "m", 2, &err),
                     KILN_DATA);
    assert_non_null(strstr(err.message, "m: tree 2 has no nodes"));
    /* An unreached node (pruned) may hold anything. */
    small_tree(&t);
    int32_t gone = kiln__xgb_tree_add_node(&t, 6);
    assert_int_equal(t.left[6], gone);
    t.left[6] = -1;
    t.split_index[gone] = INT32_MAX;
    t.default_left[gone] = 1;
    t.right[gone] = 12345;
    kiln_error_init(&err);
    assert_int_equal(kiln__xgb_tree_check(&t, 3, "m", 0, &err), KILN_OK);
    kiln__xgb_tree_fini(&t);
}

/* ---- importance --------------------------------------------------------- */

static void test_importance(void **state)
{
    (void)state;
    enum { NF = 6 };
    kiln__xgb_model *m = random_model("multi:softprob", 3, NF, 10, 6);
    /* An unreached node splitting on feature 5 must not count. */
    kiln__xgb_tree *t0 = &m->trees[0];
    for (size_t t = 0; t0->left[0] < 0; t++)
        t0 = &m->trees[t];
    int32_t ghost = kiln__xgb_tree_add_node(t0, 0);
    int32_t child = kiln__xgb_tree_add_node(t0, ghost);
    kiln__xgb_tree_add_node(t0, ghost);
    (void)child;
    t0->split_index[ghost] = 5;
    t0->loss_change[ghost] = 1e6f;
    double w[NF], g[NF], c[NF];
    double nw[NF] = {0}, ng[NF] = {0}, nc[NF] = {0};
    kiln__xgb_importance(m, w, g, c);
    for (size_t t = 0; t < m->ntrees; t++) {
        const kiln__xgb_tree *tr = &m->trees[t];
        int32_t stack[4096];
        size_t top = 0;
        stack[top++] = 0;
        while (top > 0) {
            int32_t i = stack[--top];
            if (tr->left[i] < 0)
                continue;
            int32_t f = tr->split_index[i];
            nw[f] += 1;
            ng[f] = (float)ng[f] + tr->loss_change[i];
            nc[f] = (float)nc[f] + tr->sum_hess[i];
            stack[top++] = tr->left[i];
            stack[top++] = tr->right[i];
        }
    }
    for (int f = 0; f < NF; f++) {
        assert_true(w[f] == nw[f]);
        assert_true(g[f] == ng[f]);
        assert_true(c[f] == nc[f]);
    }
    kiln__xgb_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_and_sparse_match_naive),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_single_rows),
        cmocka_unit_test(test_narrow_and_wide_rows),
        cmocka_unit_test(test_wide_sparse_model),
        cmocka_unit_test(test_no_trees_and_no_rows),
        cmocka_unit_test(test_base_margin),
        cmocka_unit_test(test_tree_storage),
        cmocka_unit_test(test_add_tree_group),
        cmocka_unit_test(test_tree_check),
        cmocka_unit_test(test_importance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
