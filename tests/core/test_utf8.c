/* Tests for core/utf8.c.  The oracle for validity is the Unicode standard's
 * table of well-formed byte sequences (Table 3-7), exercised on its
 * boundaries; offsets are checked against counts by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/utf8.h"

#include <string.h>

static void test_validity(void **state)
{
    (void)state;
    const struct {
        const char *s;
        bool valid;
    } cases[] = {
        {"plain", true},
        {"\xc3\xa9", true},             /* é */
        {"\xe2\x82\xac", true},         /* € */
        {"\xf0\x9f\x94\xa5", true},     /* 🔥 */
        {"\xc0\xaf", false},            /* overlong / */
        {"\xe0\x80\xaf", false},        /* overlong */
        {"\xed\xa0\x80", false},        /* surrogate D800 */
        {"\xf4\x90\x80\x80", false},    /* past U+10FFFF */
        {"\xc3", false},                /* truncated */
        {"\x80", false},                /* lone continuation */
        {"\xef\xbf\xbd", true},         /* U+FFFD */
        {"\xf4\x8f\xbf\xbf", true},     /* U+10FFFF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(kiln_utf8_valid(cases[i].s, strlen(cases[i].s)),
                         cases[i].valid);
}

static void test_offsets(void **state)
{
    (void)state;
    const char *s = "x = '\xc3\xa9\xf0\x9f\x94\xa5' ; %ec";
    size_t len = strlen(s);
    /* code points: x,space,=,space,',é,🔥,',space,;,space,%,e,c = 14 */
    assert_int_equal(kiln_utf8_count(s, len), 14);
    assert_int_equal(kiln_utf8_offset(s, len, 14), len);
    assert_int_equal(kiln_utf8_offset(s, len, 6), 7);  /* after é */
    assert_int_equal(kiln_utf8_offset(s, len, 7), 11); /* after 🔥 */
    assert_int_equal(kiln_utf8_count(s, 11), 7);
    assert_int_equal(kiln_utf8_offset(s, len, 100), len);
}

static void test_sanitize(void **state)
{
    (void)state;
    kiln_buf b;
    kiln_buf_init(&b);
    const char in[] = "ok\xff\xc3\xa9\0z\xe2\x82";
    assert_int_equal(kiln_utf8_sanitize(in, sizeof in - 1, &b), 0);
    assert_string_equal(kiln_buf_str(&b),
                        "ok\xef\xbf\xbd\xc3\xa9\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd");
    assert_true(kiln_utf8_valid(b.data, b.len));
    kiln_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validity),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_sanitize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
