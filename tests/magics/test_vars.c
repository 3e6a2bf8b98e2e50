/* Tests for magics/vars.c: the session's name -> value table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "magics/vars.h"

#include <stdio.h>
#include <string.h>

static void test_empty(void **state)
{
    (void)state;
    kiln_vars *vars = kiln_vars_new();
    assert_non_null(vars);
    assert_int_equal(kiln_vars_count(vars), 0);
    assert_null(kiln_vars_get(vars, "x", 1));
    const char *name = "sentinel";
    kiln_value *value = (kiln_value *)&name;
    kiln_vars_item(vars, 0, &name, &value);
    assert_null(name);
    assert_null(value);
    kiln_vars_free(vars);
    kiln_vars_free(NULL);
    /* NULL tables read as empty. */
    assert_int_equal(kiln_vars_count(NULL), 0);
    assert_null(kiln_vars_get(NULL, "x", 1));
}

static void test_set_get_order(void **state)
{
    (void)state;
    kiln_vars *vars = kiln_vars_new();
    kiln_value *a = kiln_value_int(1), *b = kiln_value_str("two", 3),
               *c = kiln_value_float(3.5), *a2 = kiln_value_none();
    assert_int_equal(kiln_vars_set(vars, "alpha", a), KILN_OK);
    assert_int_equal(kiln_vars_set(vars, "beta", b), KILN_OK);
    assert_int_equal(kiln_vars_set(vars, "gamma", c), KILN_OK);
    assert_ptr_equal(kiln_vars_get(vars, "beta", 4), b);
    /* Replacing keeps the first position (%who order). */
    assert_int_equal(kiln_vars_set(vars, "alpha", a2), KILN_OK);
    assert_int_equal(kiln_vars_count(vars), 3);
    const char *name;
    kiln_value *value;
    kiln_vars_item(vars, 0, &name, &value);
    assert_string_equal(name, "alpha");
    assert_ptr_equal(value, a2);
    kiln_vars_item(vars, 2, &name, NULL);
    assert_string_equal(name, "gamma");
    kiln_vars_item(vars, 1, NULL, &value);
    assert_ptr_equal(value, b);
    kiln_value_unref(a);
    kiln_value_unref(b);
    kiln_value_unref(c);
    kiln_value_unref(a2);
    kiln_vars_free(vars);
}

/* get compares len bytes of a name that need not be NUL-terminated. */
static void test_get_by_length(void **state)
{
    (void)state;
    kiln_vars *vars = kiln_vars_new();
    kiln_value *v1 = kiln_value_int(1), *v2 = kiln_value_int(2);
    kiln_vars_set(vars, "x", v1);
    kiln_vars_set(vars, "xy", v2);
    const char *line = "xyz + 1";
    assert_ptr_equal(kiln_vars_get(vars, line, 1), v1);
    assert_ptr_equal(kiln_vars_get(vars, line, 2), v2);
    assert_null(kiln_vars_get(vars, line, 3));
    assert_null(kiln_vars_get(vars, line, 0));
    kiln_value_unref(v1);
    kiln_value_unref(v2);
    kiln_vars_free(vars);
}

/* set takes its own reference: the value outlives the caller's, and the
 * table drops its reference when replaced or freed (valgrind/ASan check
 * there is no leak and no double free). */
static void test_references(void **state)
{
    (void)state;
    kiln_vars *vars = kiln_vars_new();
    kiln_value *v = kiln_value_str("kept", 4);
    kiln_vars_set(vars, "s", v);
    kiln_vars_set(vars, "t", v);
    kiln_value_unref(v);
    size_t len;
    assert_string_equal(kiln_value_as_str(kiln_vars_get(vars, "s", 1), &len),
                        "kept");
    kiln_value *w = kiln_value_int(5);
    kiln_vars_set(vars, "s", w);
    kiln_value_unref(w);
    assert_string_equal(kiln_value_as_str(kiln_vars_get(vars, "t", 1), &len),
                        "kept");
    /* Setting a value to itself must not free it on the way. */
    kiln_vars_set(vars, "t", kiln_vars_get(vars, "t", 1));
    assert_string_equal(kiln_value_as_str(kiln_vars_get(vars, "t", 1), &len),
                        "kept");
    /* A failed constructor passed straight in is reported. */
    assert_int_equal(kiln_vars_set(vars, "u", NULL), KILN_NOMEM);
    assert_null(kiln_vars_get(vars, "u", 1));
    assert_int_equal(kiln_vars_count(vars), 2);
    kiln_vars_free(vars);
}

static void test_many(void **state)
{
    (void)state;
    kiln_vars *vars = kiln_vars_new();
    for (int i = 0; i < 2000; i++) {
        char name[32];
        snprintf(name, sizeof name, "v%d", i);
        kiln_value *v = kiln_value_int(i);
        assert_int_equal(kiln_vars_set(vars, name, v), KILN_OK);
        kiln_value_unref(v);
    }
    assert_int_equal(kiln_vars_count(vars), 2000);
    for (int i = 0; i < 2000; i += 37) {
        char name[32];
        int n = snprintf(name, sizeof name, "v%d", i);
        kiln_value *v = kiln_vars_get(vars, name, (size_t)n);
        assert_non_null(v);
        assert_int_equal(kiln_value_as_int(v), i);
        const char *item;
        kiln_vars_item(vars, (size_t)i, &item, NULL);
        assert_string_equal(item, name);
    }
    kiln_vars_free(vars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_set_get_order),
        cmocka_unit_test(test_get_by_length),
        cmocka_unit_test(test_references),
        cmocka_unit_test(test_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
