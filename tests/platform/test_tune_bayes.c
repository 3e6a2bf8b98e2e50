/* Tests of Bayesian optimisation's proposals (platform/tune_bayes.h) on
 * known functions: on Branin (its minimum 0.397887 is the closed form)
 * the Gaussian process with expected improvement finds lower values than
 * random search with the same budget, over seeds; maximising the negated
 * function proposes exactly the same points; a pending job is not proposed
 * again; integer and categorical coordinates are cell centres. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/tune_bayes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BUDGET = 20, INITIAL = 4, SEEDS = 10 };

/* Branin on the unit square (x1 in [-5, 10], x2 in [0, 15]). */
static double branin(const double *u)
{
    double x1 = -5 + 15 * u[0], x2 = 15 * u[1];
    double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);
    double a = x2 - b * x1 * x1 + c * x1 - 6;
    return a * a + 10 * (1 - t) * cos(x1) + 10;
}

static void two_ranges(kiln_space *s)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_space_init(s);
    assert_int_equal(kiln_space_add_numeric(s, "x1", KILN_RANGE_CONTINUOUS,
                                            0, 1, KILN_SCALING_LINEAR, &err),
                     KILN_OK);
    assert_int_equal(kiln_space_add_numeric(s, "x2", KILN_RANGE_CONTINUOUS,
                                            0, 1, KILN_SCALING_LINEAR, &err),
                     KILN_OK);
}

/* The best of a search; xs/ys receive every point. */
static double search(const kiln_space *s, bool bayes, bool maximize,
                     uint64_t seed, double *xs, double *ys)
{
    kiln_error err;
    kiln_error_init(&err);
    double best = INFINITY;
    for (size_t i = 0; i < BUDGET; i++) {
        double *p = xs + 2 * i;
        if (bayes && i >= INITIAL)
            assert_int_equal(kiln_bayes_propose(s, xs, ys, i, maximize, &seed,
                                                p, &err),
                             KILN_OK);
        else
            for (size_t j = 0; j < 2; j++)
                p[j] = kiln_tune_uniform(&seed);
        double f = branin(p);
        ys[i] = maximize ? -f : f;
        best = f < best ? f : best;
    }
    return best;
}

static void test_beats_random_on_branin(void **state)
{
    (void)state;
    kiln_space s;
    two_ranges(&s);
    double xs[2 * BUDGET], ys[BUDGET], bayes = 0, random = 0;
    int wins = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        double b = search(&s, true, false, seed, xs, ys);
        double r = search(&s, false, false, seed + 1000, xs, ys);
        bayes += b / SEEDS;
        random += r / SEEDS;
        wins += b < r;
    }
    if (!(bayes < 0.7 * random && wins >= 7))
        fail_msg("mean best: Bayesian %.4f, random %.4f; Bayesian won %d "
                 "of %d",
                 bayes, random, wins, SEEDS);
    kiln_space_fini(&s);
}

static void test_maximize_mirrors_minimize(void **state)
{
    (void)state;
    kiln_space s;
    two_ranges(&s);
    double x1[2 * BUDGET], y1[BUDGET], x2[2 * BUDGET], y2[BUDGET];
    search(&s, true, false, 5, x1, y1);
    search(&s, true, true, 5, x2, y2);
    assert_memory_equal(x1, x2, sizeof x1);
    kiln_space_fini(&s);
}

static void test_pending_and_cells(void **state)
{
    (void)state;
    kiln_space s;
    kiln_space_init(&s);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_space_add_numeric(&s, "depth", KILN_RANGE_INTEGER, 1,
                                            4, KILN_SCALING_LINEAR, &err),
                     KILN_OK);
    const char *v[] = {"a", "b", "c"};
    assert_int_equal(kiln_space_add_categorical(&s, "kind", v, 3, &err),
                     KILN_OK);
    /* objective: best at depth 3, kind "b"; the best cell is pending */
    double xs[5 * 2], ys[5];
    size_t n = 0;
    for (double dd = 1; dd <= 4; dd += 3)
        for (double k = 0; k < 3; k += 2) {
            xs[2 * n] = kiln_range_coord(&s.ranges[0], dd);
            xs[2 * n + 1] = kiln_range_coord(&s.ranges[1], k);
            ys[n++] = fabs(dd - 3) + fabs(k - 1);
        }
    xs[2 * n] = kiln_range_coord(&s.ranges[0], 3);
    xs[2 * n + 1] = kiln_range_coord(&s.ranges[1], 1);
    ys[n++] = NAN;
    uint64_t rng = 11;
    double p[2];
    for (int round = 0; round < 5; round++) {
        assert_int_equal(kiln_bayes_propose(&s, xs, ys, n, false, &rng, p,
                                            &err),
                         KILN_OK);
        for (size_t j = 0; j < 2; j++) {
            double at = kiln_range_at(&s.ranges[j], p[j]);
            assert_true(fabs(kiln_range_coord(&s.ranges[j], at) - p[j]) < 1e-12);
        }
        for (size_t i = 0; i < n; i++) /* never a point already tried */
            assert_false(fabs(xs[2 * i] - p[0]) < 1e-9 &&
                         fabs(xs[2 * i + 1] - p[1]) < 1e-9);
    }
    /* fewer than two finished jobs: a random point in the cube */
    assert_int_equal(kiln_bayes_propose(&s, xs, ys + 4, 1, false, &rng, p,
                                        &err),
                     KILN_OK);
    assert_true(p[0] >= 0 && p[0] <= 1 && p[1] >= 0 && p[1] <= 1);
    kiln_space_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beats_random_on_branin),
        cmocka_unit_test(test_maximize_mirrors_minimize),
        cmocka_unit_test(test_pending_and_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
