/* Tests for core/similar.c: distances checked by hand against the
 * optimal-string-alignment definition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/similar.h"

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(kiln_similar_distance("", 0, ""), 0);
    assert_int_equal(kiln_similar_distance("abc", 3, "abc"), 0);
    assert_int_equal(kiln_similar_distance("formt", 5, "format"), 1);
    assert_int_equal(kiln_similar_distance("hlep", 4, "help"), 1);
    assert_int_equal(kiln_similar_distance("kitten", 6, "sitting"), 3);
    assert_int_equal(kiln_similar_distance("", 0, "abc"), 3);
    assert_true(kiln_similar_close("ech", 3, "echo"));
    assert_true(kiln_similar_close("val", 3, "validation"));
    assert_false(kiln_similar_close("zzz", 3, "echo"));
    assert_false(kiln_similar_close("", 0, "echo"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
