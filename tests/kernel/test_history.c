/* Tests for kernel/history.c: tail, range and search (with n and unique)
 * in the shapes jupyter_kernel_test's history tests expect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/history.h"

#include <stdlib.h>
#include <string.h>

/* The list as compact JSON text, for exact comparison. */
static void expect_json(json_t *list, const char *expected)
{
    assert_non_null(list);
    char *text = json_dumps(list, JSON_COMPACT);
    if (strcmp(text, expected) != 0)
        fail_msg("got %s\nexpected %s", text, expected);
    free(text);
    json_decref(list);
}

static kiln_history *sample(void)
{
    kiln_history *h = kiln_history_new();
    assert_int_equal(kiln_history_add(h, 1, "x = 1", NULL), 0);
    assert_int_equal(kiln_history_add(h, 2, "6 * 7", "42"), 0);
    assert_int_equal(kiln_history_add(h, 3, "%echo hi", NULL), 0);
    assert_int_equal(kiln_history_add(h, 4, "6 * 7", "42"), 0);
    assert_int_equal(kiln_history_add(h, 5, "6 * 8", "48"), 0);
    return h;
}

static void test_tail(void **state)
{
    (void)state;
    kiln_history *h = sample();
    expect_json(kiln_history_tail(h, 2, false),
                "[[1,4,\"6 * 7\"],[1,5,\"6 * 8\"]]");
    expect_json(kiln_history_tail(h, 1, true), "[[1,5,[\"6 * 8\",\"48\"]]]");
    expect_json(kiln_history_tail(h, 0, false), "[]");
    json_t *all = kiln_history_tail(h, 100, false);
    assert_int_equal(json_array_size(all), 5);
    json_decref(all);
    kiln_history_free(h);
}

static void test_range(void **state)
{
    (void)state;
    kiln_history *h = sample();
    expect_json(kiln_history_range(h, 1, 2, 3, true),
                "[[1,2,[\"6 * 7\",\"42\"]]]");
    expect_json(kiln_history_range(h, 0, 4, 0, false),
                "[[1,4,\"6 * 7\"],[1,5,\"6 * 8\"]]");
    expect_json(kiln_history_range(h, 7, 0, 0, false), "[]");
    expect_json(kiln_history_range(h, -1, 3, 4, true),
                "[[1,3,[\"%echo hi\",null]]]");
    kiln_history_free(h);
}

static void test_search(void **state)
{
    (void)state;
    kiln_history *h = sample();
    expect_json(kiln_history_search(h, "6 *?", 0, false, false),
                "[[1,2,\"6 * 7\"],[1,4,\"6 * 7\"],[1,5,\"6 * 8\"]]");
    expect_json(kiln_history_search(h, "6 *?", 0, true, false),
                "[[1,4,\"6 * 7\"],[1,5,\"6 * 8\"]]");
    expect_json(kiln_history_search(h, "6 * 7", 0, true, false),
                "[[1,4,\"6 * 7\"]]");
    expect_json(kiln_history_search(h, "*", 2, false, false),
                "[[1,4,\"6 * 7\"],[1,5,\"6 * 8\"]]");
    expect_json(kiln_history_search(h, "%*", 0, false, true),
                "[[1,3,[\"%echo hi\",null]]]");
    expect_json(kiln_history_search(h, "nothing*", 3, true, false), "[]");
    kiln_history_free(h);
}

static void test_set_output(void **state)
{
    (void)state;
    kiln_history *h = sample();
    assert_int_equal(kiln_history_set_output(h, 3, "done"), 0);
    expect_json(kiln_history_range(h, 1, 3, 4, true),
                "[[1,3,[\"%echo hi\",\"done\"]]]");
    kiln_history_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tail),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_set_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
