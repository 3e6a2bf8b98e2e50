/* Tests for core/buf.c and core/error.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_append_and_printf(void **state)
{
    (void)state;
    kiln_buf b;
    kiln_buf_init(&b);
    assert_string_equal(kiln_buf_str(&b), "");
    /* Grow well past the first allocation; compare with a naive build. */
    char naive[10000];
    size_t n = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(kiln_buf_printf(&b, "%d,", i), KILN_OK);
        n += (size_t)sprintf(naive + n, "%d,", i);
    }
    assert_int_equal(b.len, n);
    assert_string_equal(kiln_buf_str(&b), naive);
    kiln_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(kiln_buf_str(&b), "");
    assert_int_equal(kiln_buf_append(&b, "a\0b", 3), KILN_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    char *stolen = kiln_buf_steal(&b);
    assert_memory_equal(stolen, "a\0b", 3);
    free(stolen);
    assert_null(b.data);
    stolen = kiln_buf_steal(&b);
    assert_string_equal(stolen, "");
    free(stolen);
    kiln_buf_fini(&b);
}

static void test_error_first_wins(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    assert_false(kiln_error_is_set(&err));
    assert_int_equal(kiln_error_set(&err, KILN_DATA,
                                    "train.csv line %d: %d fields, expected %d",
                                    17, 9, 11),
                     KILN_DATA);
    assert_int_equal(kiln_error_set(&err, KILN_IO, "later"), KILN_IO);
    assert_int_equal(err.code, KILN_DATA);
    assert_string_equal(err.message, "train.csv line 17: 9 fields, expected 11");
    kiln_error_prefix(&err, "channel %s", "train");
    assert_string_equal(err.message,
                        "channel train: train.csv line 17: 9 fields, expected 11");
    assert_string_equal(kiln_status_ename(err.code), "DataError");
    assert_string_equal(kiln_status_ename(KILN_NAME), "NameError");
    assert_string_equal(kiln_status_ename(-1), "InternalError");
    assert_string_equal(kiln_status_ename(1000), "InternalError");
    assert_int_equal(kiln_error_set(NULL, KILN_VALUE, "x"), KILN_VALUE);
}

static void test_error_truncates(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    kiln_error_set(&err, KILN_VALUE, "%s", big);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    kiln_error_prefix(&err, "p");
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    assert_memory_equal(err.message, "p: xxx", 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_printf),
        cmocka_unit_test(test_error_first_wins),
        cmocka_unit_test(test_error_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
