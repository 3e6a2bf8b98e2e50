/* Tests of the tuning job's stopping rules (platform/tune_rules.h):
 * Hyperband's brackets against the table of Li et al. (2018) for R = 81,
 * eta = 3, and the median rule against medians worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/tune_rules.h"

static void test_hyperband_table(void **state)
{
    (void)state;
    kiln_hyperband_plan p;
    kiln_hyperband_plan_make(1, 81, 3, &p);
    /* (configurations, resource) per rung, bracket s = 4 .. 0 */
    static const size_t n[5][5] = {{81, 27, 9, 3, 1},
                                   {34, 11, 3, 1},
                                   {15, 5, 1},
                                   {8, 2},
                                   {5}};
    static const double r[5][5] = {{1, 3, 9, 27, 81},
                                   {3, 9, 27, 81},
                                   {9, 27, 81},
                                   {27, 81},
                                   {81}};
    assert_int_equal(p.brackets, 5);
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(p.b[k].rungs, 5 - k);
        for (size_t i = 0; i < 5 - k; i++) {
            assert_int_equal(p.b[k].configs[i], n[k][i]);
            assert_true(p.b[k].resource[i] > r[k][i] - 1e-9 &&
                        p.b[k].resource[i] < r[k][i] + 1e-9);
        }
    }
    /* one resource level: one bracket of one rung */
    kiln_hyperband_plan_make(10, 10, 3, &p);
    assert_int_equal(p.brackets, 1);
    assert_int_equal(p.b[0].rungs, 1);
    assert_int_equal(p.b[0].configs[0], 1);
}

static void test_median_rule(void **state)
{
    (void)state;
    /* three earlier jobs; running averages at epoch 1: 2.5, 1.5, 4 (the
     * third has no epoch 2) */
    const double a[] = {3, 2, 1}, b[] = {2, 1, 0.5}, c[] = {5, 3};
    const double *curves[] = {a, b, c};
    const size_t lengths[] = {3, 3, 2};
    /* median of 1.5, 2.5, 4 is 2.5 */
    assert_true(kiln_median_rule_stops(curves, lengths, 3, 1, 2.6, false));
    assert_false(kiln_median_rule_stops(curves, lengths, 3, 1, 2.4, false));
    assert_true(kiln_median_rule_stops(curves, lengths, 3, 1, 2.4, true));
    assert_false(kiln_median_rule_stops(curves, lengths, 3, 1, 2.5, false));
    /* epoch 2: only a and b reach it: averages 2 and 7/6, median 19/12 */
    assert_true(kiln_median_rule_stops(curves, lengths, 3, 2, 1.6, false));
    assert_false(kiln_median_rule_stops(curves, lengths, 3, 2, 1.58, false));
    /* no earlier job reached epoch 5: never stop */
    assert_false(kiln_median_rule_stops(curves, lengths, 3, 5, 1e9, false));
    assert_false(kiln_median_rule_stops(curves, lengths, 0, 0, 1e9, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hyperband_table),
        cmocka_unit_test(test_median_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
