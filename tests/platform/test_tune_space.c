/* Tests of a tuning job's search space (platform/tune_space.h) against
 * closed forms: values stay in their range, log scales spread by orders of
 * magnitude (the median of log-uniform draws is the geometric mean),
 * reverse log crowds values near 1, integers and categorical values get
 * equal shares, coordinates round-trip, Grid enumerates every combination
 * once, the random stream repeats with its seed, and bad ranges are
 * refused against the algorithms' own schemas (xgboost, kmeans). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/tune_space.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { DRAWS = 20000 };

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(kiln_param_range *r, uint64_t seed)
{
    static double v[DRAWS];
    for (size_t i = 0; i < DRAWS; i++) {
        v[i] = kiln_range_at(r, kiln_tune_uniform(&seed));
        assert_true(v[i] >= r->lo && v[i] <= r->hi);
    }
    qsort(v, DRAWS, sizeof *v, cmp_double);
    return v[DRAWS / 2];
}

static void test_scales(void **state)
{
    (void)state;
    kiln_space s;
    kiln_space_init(&s);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_space_add_numeric(&s, "eta", KILN_RANGE_CONTINUOUS,
                                            0.1, 0.5, KILN_SCALING_LINEAR,
                                            &err), KILN_OK);
    assert_int_equal(kiln_space_add_numeric(&s, "alpha", KILN_RANGE_CONTINUOUS,
                                            1e-4, 1.0, KILN_SCALING_LOG, &err),
                     KILN_OK);
    assert_int_equal(kiln_space_add_numeric(&s, "momentum",
                                            KILN_RANGE_CONTINUOUS, 0.9, 0.9999,
                                            KILN_SCALING_REVERSE_LOG, &err),
                     KILN_OK);
    assert_int_equal(kiln_space_add_numeric(&s, "lambda", KILN_RANGE_CONTINUOUS,
                                            0.01, 10, KILN_SCALING_AUTO, &err),
                     KILN_OK);
    assert_int_equal(kiln_space_add_numeric(&s, "gamma", KILN_RANGE_CONTINUOUS,
                                            1, 5, KILN_SCALING_AUTO, &err),
                     KILN_OK);
    /* linear: the middle; log: the geometric mean 1e-2; reverse log: 1
     * minus the geometric mean of 0.1 and 1e-4 */
    assert_true(fabs(median_of(&s.ranges[0], 1) - 0.3) < 0.01);
    assert_true(fabs(log10(median_of(&s.ranges[1], 2)) + 2) < 0.05);
    assert_true(fabs(log10(1 - median_of(&s.ranges[2], 3)) + 2.5) < 0.05);
    /* Auto: log for 0.01..10 (three orders), linear for 1..5 */
    assert_int_equal(s.ranges[3].used, KILN_SCALING_LOG);
    assert_int_equal(s.ranges[4].used, KILN_SCALING_LINEAR);
    assert_string_equal(kiln_scaling_name(s.ranges[2].used),
                        "ReverseLogarithmic");
    /* ends and round trips */
    for (size_t i = 0; i < 5; i++) {
        kiln_param_range *r = &s.ranges[i];
        assert_true(fabs(kiln_range_at(r, 0) - r->lo) < 1e-12);
        assert_true(fabs(kiln_range_at(r, 1) - r->hi) < 1e-12);
        for (double u = 0; u <= 1; u += 0.125)
            assert_true(fabs(kiln_range_coord(r, kiln_range_at(r, u)) - u) <
                        1e-9);
    }
    char text[64];
    kiln_range_text(&s.ranges[0], 0.1, text, sizeof text);
    assert_string_equal(text, "0.1");
    kiln_space_fini(&s);
}

static void test_integers_and_categories(void **state)
{
    (void)state;
    kiln_space s;
    kiln_space_init(&s);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_space_add_numeric(&s, "max_depth", KILN_RANGE_INTEGER,
                                            3, 7, KILN_SCALING_LINEAR, &err),
                     KILN_OK);
    const char *v[] = {"depthwise", "lossguide", "x"};
    assert_int_equal(kiln_space_add_categorical(&s, "grow_policy", v, 3, &err),
                     KILN_OK);
    size_t depth[8] = {0}, cat[3] = {0};
    uint64_t seed = 42;
    for (size_t i = 0; i < DRAWS; i++) {
        double d = kiln_range_at(&s.ranges[0], kiln_tune_uniform(&seed));
        double c = kiln_range_at(&s.ranges[1], kiln_tune_uniform(&seed));
        assert_true(d == floor(d) && d >= 3 && d <= 7);
        depth[(size_t)d]++;
        cat[(size_t)c]++;
    }
    for (size_t d = 3; d <= 7; d++) /* 4000 each, +-5 sigma */
        assert_true(fabs((double)depth[d] - DRAWS / 5.0) < 5 * 57);
    for (size_t k = 0; k < 3; k++)
        assert_true(fabs((double)cat[k] - DRAWS / 3.0) < 5 * 67);
    char text[64];
    kiln_range_text(&s.ranges[0], 5, text, sizeof text);
    assert_string_equal(text, "5");
    kiln_range_text(&s.ranges[1], 1, text, sizeof text);
    assert_string_equal(text, "lossguide");
    assert_true(fabs(kiln_range_at(&s.ranges[0],
                                   kiln_range_coord(&s.ranges[0], 6)) - 6) ==
                0);
    /* a log integer range rounds */
    assert_int_equal(kiln_space_add_numeric(&s, "num_round", KILN_RANGE_INTEGER,
                                            10, 1000, KILN_SCALING_LOG, &err),
                     KILN_OK);
    assert_true(kiln_range_at(&s.ranges[2], 0.5) == 100);
    kiln_space_fini(&s);
}

static void test_grid_and_seed(void **state)
{
    (void)state;
    kiln_space s;
    kiln_space_init(&s);
    kiln_error err;
    kiln_error_init(&err);
    const char *a[] = {"a", "b", "c"}, *b[] = {"x", "y"}, *c[] = {"1", "2",
                                                                  "3", "4"};
    assert_int_equal(kiln_space_add_categorical(&s, "p", a, 3, &err), KILN_OK);
    assert_int_equal(kiln_space_add_categorical(&s, "q", b, 2, &err), KILN_OK);
    assert_int_equal(kiln_space_add_categorical(&s, "r", c, 4, &err), KILN_OK);
    assert_int_equal(kiln_space_grid_size(&s, 1000), 24);
    assert_int_equal(kiln_space_grid_size(&s, 23), 0);
    bool seen[3][2][4] = {{{false}}};
    for (size_t k = 0; k < 24; k++) {
        double idx[3];
        kiln_space_grid_point(&s, k, idx);
        bool *x = &seen[(int)idx[0]][(int)idx[1]][(int)idx[2]];
        assert_false(*x);
        *x = true;
        if (k == 1) /* the last range changes fastest */
            assert_true(idx[0] == 0 && idx[1] == 0 && idx[2] == 1);
    }
    assert_int_equal(kiln_space_add_numeric(&s, "eta", KILN_RANGE_CONTINUOUS,
                                            0.1, 0.2, KILN_SCALING_LINEAR,
                                            &err), KILN_OK);
    assert_int_equal(kiln_space_grid_size(&s, 1000), 0); /* not categorical */
    uint64_t s1 = 7, s2 = 7, s3 = 8;
    double x1 = kiln_tune_uniform(&s1), x3 = kiln_tune_uniform(&s3);
    assert_true(x1 == kiln_tune_uniform(&s2) && x1 != x3);
    assert_true(kiln_tune_uniform(&s1) == kiln_tune_uniform(&s2));
    kiln_space_fini(&s);
}

static void expect_add(int rc, const kiln_error *err, const char *want)
{
    assert_int_not_equal(rc, KILN_OK);
    if (strstr(err->message, want) == NULL)
        fail_msg("'%s' does not say '%s'", err->message, want);
}

static void test_bad_ranges(void **state)
{
    (void)state;
    kiln_space s;
    kiln_space_init(&s);
    kiln_error err;
    kiln_error_init(&err);
    expect_add(kiln_space_add_numeric(&s, "eta", KILN_RANGE_CONTINUOUS, 0.5,
                                      0.1, KILN_SCALING_LINEAR, &err),
               &err, "LOW 0.5 is above HIGH 0.1");
    kiln_error_init(&err);
    expect_add(kiln_space_add_numeric(&s, "alpha", KILN_RANGE_CONTINUOUS, 0,
                                      1, KILN_SCALING_LOG, &err),
               &err, "needs LOW > 0");
    kiln_error_init(&err);
    expect_add(kiln_space_add_numeric(&s, "m", KILN_RANGE_CONTINUOUS, 0.5,
                                      1.5, KILN_SCALING_REVERSE_LOG, &err),
               &err, "0 <= LOW < HIGH < 1");
    kiln_error_init(&err);
    expect_add(kiln_space_add_numeric(&s, "d", KILN_RANGE_INTEGER, 1.5, 4,
                                      KILN_SCALING_LINEAR, &err),
               &err, "whole numbers");
    kiln_error_init(&err);
    expect_add(kiln_space_add_categorical(&s, "c", NULL, 0, &err), &err,
               "1 to 30 values");
    kiln_error_init(&err);
    const char *twice[] = {"a", "a"};
    expect_add(kiln_space_add_categorical(&s, "c", twice, 2, &err), &err,
               "given twice");
    kiln_error_init(&err);
    assert_int_equal(kiln_space_add_numeric(&s, "eta", KILN_RANGE_CONTINUOUS,
                                            0.1, 0.3, KILN_SCALING_AUTO, &err),
                     KILN_OK);
    expect_add(kiln_space_add_numeric(&s, "eta", KILN_RANGE_CONTINUOUS, 0.1,
                                      0.3, KILN_SCALING_AUTO, &err),
               &err, "'eta' has two ranges");
    assert_int_equal(s.n, 1);
    kiln_space_fini(&s);
}

static void expect_schema(const char *algo, kiln_range_kind kind,
                         const char *name, double lo, double hi,
                         const char *value, const char *want)
{
    const kiln_algo *a = kiln_algo_find(algo, strlen(algo));
    assert_non_null(a);
    kiln_space s;
    kiln_space_init(&s);
    kiln_error err;
    kiln_error_init(&err);
    if (kind == KILN_RANGE_CATEGORICAL)
        assert_int_equal(kiln_space_add_categorical(&s, name, &value, 1, &err),
                         KILN_OK);
    else
        assert_int_equal(kiln_space_add_numeric(&s, name, kind, lo, hi,
                                                KILN_SCALING_AUTO, &err),
                         KILN_OK);
    int rc = kiln_space_check(&s, a, &err);
    if (want == NULL) {
        assert_int_equal(rc, KILN_OK);
    } else {
        assert_int_equal(rc, KILN_HYPERPARAMETER);
        if (strstr(err.message, want) == NULL)
            fail_msg("'%s' does not say '%s'", err.message, want);
    }
    kiln_space_fini(&s);
}

static void test_against_schemas(void **state)
{
    (void)state;
    expect_schema("xgboost", KILN_RANGE_CONTINUOUS, "eta", 0.05, 0.5, NULL,
                 NULL);
    expect_schema("xgboost", KILN_RANGE_INTEGER, "max_depth", 2, 10, NULL,
                 NULL);
    expect_schema("xgboost", KILN_RANGE_CATEGORICAL, "grow_policy", 0, 0,
                 "lossguide", NULL);
    expect_schema("xgboost", KILN_RANGE_CONTINUOUS, "etta", 0.1, 0.2, NULL,
                 "no hyperparameter 'etta'");
    expect_schema("xgboost", KILN_RANGE_CONTINUOUS, "max_depth", 2, 10, NULL,
                 "integer(LOW, HIGH)");
    expect_schema("xgboost", KILN_RANGE_CONTINUOUS, "subsample", 0.5, 1.5,
                 NULL, "leaves what it takes");
    expect_schema("xgboost", KILN_RANGE_CATEGORICAL, "grow_policy", 0, 0,
                 "widthwise", "not one it takes");
    expect_schema("xgboost", KILN_RANGE_CONTINUOUS, "objective", 0.1, 0.2,
                 NULL, "categorical(...)");
    expect_schema("kmeans", KILN_RANGE_INTEGER, "k", 1, 10, NULL,
                 "leaves what it takes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scales),
        cmocka_unit_test(test_integers_and_categories),
        cmocka_unit_test(test_grid_and_seed),
        cmocka_unit_test(test_bad_ranges),
        cmocka_unit_test(test_against_schemas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
