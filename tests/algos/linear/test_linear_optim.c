/* Linear learner's optimizers (algos/linear/linear_optim.c) against steps
 * computed by hand from MXNet's update rules, the proximal l1 step, the
 * learning-rate schedule, and the parallel-for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/linear/linear.h"

#include "algos/par.h"

#include <math.h>
#include <string.h>

/* one row, two columns with their own lr and wd */
static const float lr[2] = {0.1f, 0.01f}, wd[2] = {0.0f, 0.5f};
static const float g[2] = {0.1f, -0.3f}, no_l1[2] = {0, 0};

static void test_sgd_momentum(void **state)
{
    (void)state;
    float w[2] = {0.5f, -0.2f}, v[2] = {0, 0};
    kiln__linear_step st = {.opt = KILN__OPT_SGD, .momentum = 0.9};
    kiln__linear_optim_rows(&st, 2, 0, 1, w, g, v, NULL, lr, wd, no_l1);
    /* v = -lr (g + wd w); w += v */
    assert_float_equal(v[0], -0.01, 1e-7);
    assert_float_equal(w[0], 0.49, 1e-7);
    assert_float_equal(v[1], -0.01 * (-0.3 + 0.5 * -0.2), 1e-7);
    assert_float_equal(w[1], -0.2 + 0.004, 1e-7);
    kiln__linear_optim_rows(&st, 2, 0, 1, w, g, v, NULL, lr, wd, no_l1);
    /* v = 0.9 v - lr (g + wd w) */
    assert_float_equal(v[0], 0.9 * -0.01 - 0.01, 1e-7);
    assert_float_equal(w[0], 0.49 - 0.019, 1e-7);
    double g1 = -0.3 + 0.5 * -0.196, v1 = 0.9 * 0.004 - 0.01 * g1;
    assert_float_equal(v[1], v1, 1e-7);
    assert_float_equal(w[1], -0.196 + v1, 1e-7);
}

static void test_adam(void **state)
{
    (void)state;
    float w[2] = {0.5f, -0.2f}, m[2] = {0, 0}, v[2] = {0, 0};
    kiln__linear_step st = {.opt = KILN__OPT_ADAM, .beta1 = 0.9,
                            .beta2 = 0.999, .epsilon = 1e-8, .t = 1};
    kiln__linear_optim_rows(&st, 2, 0, 1, w, g, m, v, lr, wd, no_l1);
    /* the first step moves every weight by about lr against the gradient */
    assert_float_equal(m[0], 0.01, 1e-8);
    assert_float_equal(v[0], 0.001 * 0.01, 1e-9); /* 1 - 0.999f is not exact */
    assert_float_equal(w[0], 0.4, 1e-6);
    assert_float_equal(w[1], -0.19, 1e-6);
    /* second step, by the formula */
    double gg = 0.1, mm = 0.9 * 0.01 + 0.1 * gg,
           vv = 0.999 * 1e-5 + 0.001 * gg * gg;
    double corr = sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
    double want = 0.4 - 0.1 * corr * mm / (sqrt(vv) + 1e-8);
    st.t = 2;
    kiln__linear_optim_rows(&st, 2, 0, 1, w, g, m, v, lr, wd, no_l1);
    assert_float_equal(w[0], want, 1e-5); /* float moments */
}

static void test_rmsprop(void **state)
{
    (void)state;
    float w[2] = {0.5f, -0.2f}, n[2] = {0, 0};
    kiln__linear_step st = {.opt = KILN__OPT_RMSPROP, .rho = 0.9,
                            .epsilon = 1e-8};
    kiln__linear_optim_rows(&st, 2, 0, 1, w, g, n, NULL, lr, wd, no_l1);
    /* n = 0.1 g^2; w -= lr g / sqrt(n + eps) */
    assert_float_equal(n[0], 0.001, 1e-9);
    assert_float_equal(w[0], 0.5 - 0.1 * 0.1 / sqrt(0.001 + 1e-8), 1e-6);
    double g1 = -0.3 + 0.5 * -0.2;
    assert_float_equal(w[1], -0.2 - 0.01 * g1 / sqrt(0.1 * g1 * g1 + 1e-8),
                       1e-6);
}

static void test_l1_proximal_step(void **state)
{
    (void)state;
    assert_float_equal(kiln__linear_soft_threshold(0.3f, 0.1f), 0.2f, 1e-7);
    assert_float_equal(kiln__linear_soft_threshold(-0.3f, 0.1f), -0.2f, 1e-7);
    assert_float_equal(kiln__linear_soft_threshold(0.05f, 0.1f), 0.0f, 0);
    assert_float_equal(kiln__linear_soft_threshold(-0.05f, 0.1f), 0.0f, 0);
    /* after the sgd step, |w| shrinks by lr * l1, and small weights hit 0 */
    float w[2] = {0.5f, 0.001f}, v[2] = {0, 0};
    const float l1[2] = {0.5f, 0.5f}, zero_g[2] = {0.1f, 0.0f};
    const float zero_wd[2] = {0, 0};
    kiln__linear_step st = {.opt = KILN__OPT_SGD, .momentum = 0};
    kiln__linear_optim_rows(&st, 2, 0, 1, w, zero_g, v, NULL, lr, zero_wd, l1);
    assert_float_equal(w[0], 0.49 - 0.1 * 0.5, 1e-7);
    assert_float_equal(w[1], 0.0, 0);
}

static void test_rows_split_is_the_same_update(void **state)
{
    (void)state;
    enum { R = 37, C = 5 };
    float w1[R * C], w2[R * C], m1[R * C] = {0}, m2[R * C] = {0};
    float v1[R * C] = {0}, v2[R * C] = {0}, gr[R * C];
    float l[C], d[C], l1[C];
    for (int i = 0; i < R * C; i++) {
        w1[i] = w2[i] = (float)sin(i);
        gr[i] = (float)cos(3 * i);
    }
    for (int j = 0; j < C; j++) {
        l[j] = 0.01f * (j + 1);
        d[j] = 0.001f * j;
        l1[j] = 0.01f * (j % 2);
    }
    kiln__linear_step st = {.opt = KILN__OPT_ADAM, .beta1 = 0.9,
                            .beta2 = 0.99, .epsilon = 1e-8, .t = 3};
    kiln__linear_optim_rows(&st, C, 0, R, w1, gr, m1, v1, l, d, l1);
    kiln__linear_optim_rows(&st, C, 0, 11, w2, gr, m2, v2, l, d, l1);
    kiln__linear_optim_rows(&st, C, 11, R, w2, gr, m2, v2, l, d, l1);
    assert_memory_equal(w1, w2, sizeof w1);
}

static void test_schedule(void **state)
{
    (void)state;
    /* MXNet's FactorScheduler: base * factor^floor(t / step), floored */
    assert_float_equal(kiln__linear_schedule(0.1, 0, 10, 0.5, 0.02), 0.1, 0);
    assert_float_equal(kiln__linear_schedule(0.1, 9, 10, 0.5, 0.02), 0.1, 0);
    assert_float_equal(kiln__linear_schedule(0.1, 10, 10, 0.5, 0.02), 0.05, 1e-15);
    assert_float_equal(kiln__linear_schedule(0.1, 25, 10, 0.5, 0.02), 0.025, 1e-15);
    assert_float_equal(kiln__linear_schedule(0.1, 30, 10, 0.5, 0.02), 0.02, 0);
    assert_float_equal(kiln__linear_schedule(0.1, 1000, 10, 0.5, 0.02), 0.02, 0);
    /* a minimum above the base never raises the rate */
    assert_float_equal(kiln__linear_schedule(0.01, 500, 10, 0.5, 0.05), 0.01, 0);
}

typedef struct sum_arg {
    int *hits;
} sum_arg;

static void mark(void *arg, size_t lo, size_t hi)
{
    sum_arg *s = arg;
    for (size_t i = lo; i < hi; i++)
        s->hits[i]++;
}

static void test_parallel_covers_every_index_once(void **state)
{
    (void)state;
    static int hits[10007];
    sum_arg s = {hits};
    size_t sizes[] = {0, 1, 5, 100, 10007};
    unsigned threads[] = {1, 2, 3, 8};
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 4; b++) {
            memset(hits, 0, sizeof hits);
            kiln_par_range(threads[b], sizes[a], 7, mark, &s);
            for (size_t i = 0; i < sizes[a]; i++)
                assert_int_equal(hits[i], 1);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_momentum),
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_rmsprop),
        cmocka_unit_test(test_l1_proximal_step),
        cmocka_unit_test(test_rows_split_is_the_same_update),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_parallel_covers_every_index_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
