/* Tests for core/capture.c and the sink wrappers of core/sink.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/capture.h"

#include <string.h>
#include <threads.h>

static void test_records_in_order(void **state)
{
    (void)state;
    kiln_capture *c = kiln_capture_new();
    kiln_sink s = kiln_capture_sink(c);
    kiln_sink_printf(&s, KILN_STDOUT, "a=%d\n", 1);
    kiln_sink_stream(&s, KILN_STDERR, "warn", 4);
    kiln_sink_stream(&s, KILN_STDOUT, "", 0); /* empty text is not sent */
    kiln_sink_stream(&s, KILN_STDOUT, "b", 1);
    kiln_bundle *b = kiln_bundle_new();
    kiln_bundle_add_text(b, "text/plain", "x");
    kiln_sink_display(&s, b, "chart-1");
    kiln_sink_update_display(&s, b, "chart-1");
    kiln_sink_result(&s, b);
    kiln_sink_page(&s, b);
    kiln_bundle_free(b);
    kiln_sink_clear(&s, true);
    kiln_error err;
    kiln_error_init(&err);
    kiln_error_set(&err, KILN_NAME, "name 'x' is not defined");
    kiln_sink_error(&s, &err);

    assert_int_equal(kiln_capture_count(c), 9);
    assert_string_equal(kiln_capture_stream_text(c, KILN_STDOUT), "a=1\nb");
    assert_string_equal(kiln_capture_stream_text(c, KILN_STDERR), "warn");
    const kiln_event *e = kiln_capture_first(c, KILN_EVENT_UPDATE_DISPLAY);
    assert_string_equal(e->display_id, "chart-1");
    assert_string_equal(kiln_bundle_find(e->bundle, "text/plain", NULL), "x");
    assert_true(kiln_capture_first(c, KILN_EVENT_CLEAR)->wait);
    assert_int_equal(kiln_capture_first(c, KILN_EVENT_ERROR)->error.code,
                     KILN_NAME);
    assert_int_equal(kiln_capture_count_kind(c, KILN_EVENT_STREAM), 3);
    kiln_capture_reset(c);
    assert_int_equal(kiln_capture_count(c), 0);
    kiln_capture_free(c);

    /* A NULL sink swallows everything. */
    kiln_sink_printf(NULL, KILN_STDOUT, "x");
    kiln_sink_clear(NULL, false);
}

static int writer(void *arg)
{
    kiln_sink *s = arg;
    for (int i = 0; i < 1000; i++)
        kiln_sink_stream(s, KILN_STDOUT, "x", 1);
    return 0;
}

static void test_threads(void **state)
{
    (void)state;
    kiln_capture *c = kiln_capture_new();
    kiln_sink s = kiln_capture_sink(c);
    thrd_t t[4];
    for (int i = 0; i < 4; i++)
        thrd_create(&t[i], writer, &s);
    for (int i = 0; i < 4; i++)
        thrd_join(t[i], NULL);
    assert_int_equal(kiln_capture_count(c), 4000);
    assert_int_equal(strlen(kiln_capture_stream_text(c, KILN_STDOUT)), 4000);
    kiln_capture_free(c);
}

static void test_traceback(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_error_set(&err, KILN_SYNTAX, "invalid syntax");
    kiln_error_set_context(&err, "Cell line 2\n    x = )\n        ^");
    char **lines;
    size_t n;
    assert_int_equal(kiln_traceback_lines(&err, false, &lines, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(lines[0], "Cell line 2");
    assert_string_equal(lines[2], "        ^");
    assert_string_equal(lines[3], "SyntaxError: invalid syntax");
    kiln_traceback_free(lines, n);
    assert_int_equal(kiln_traceback_lines(&err, true, &lines, &n), 0);
    assert_non_null(strstr(lines[3], "\x1b[0;31mSyntaxError\x1b[0m"));
    kiln_traceback_free(lines, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_in_order),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_traceback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
