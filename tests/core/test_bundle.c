/* Tests for core/bundle.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/bundle.h"

#include <string.h>

static void test_entries(void **state)
{
    (void)state;
    kiln_bundle *b = kiln_bundle_new();
    assert_int_equal(kiln_bundle_add_text(b, "text/plain", "42"), 0);
    assert_int_equal(kiln_bundle_add_json(b, "application/json", "{\"a\":1}"), 0);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0, 1, 2};
    assert_int_equal(kiln_bundle_add_binary(b, "image/png", png, sizeof png), 0);
    assert_int_equal(kiln_bundle_set_image_size(b, "image/png", 640, 480), 0);
    /* Replacing keeps the order and the count. */
    assert_int_equal(kiln_bundle_add_text(b, "text/plain", "43"), 0);
    assert_int_equal(kiln_bundle_count(b), 3);

    const char *mime, *data;
    kiln_bundle_kind kind;
    size_t len;
    kiln_bundle_get(b, 0, &mime, &kind, &data, &len);
    assert_string_equal(mime, "text/plain");
    assert_string_equal(data, "43");
    assert_int_equal(kind, KILN_BUNDLE_TEXT);
    kiln_bundle_get(b, 2, &mime, &kind, &data, &len);
    assert_int_equal(kind, KILN_BUNDLE_BINARY);
    assert_int_equal(len, sizeof png);
    assert_memory_equal(data, png, sizeof png);
    assert_null(kiln_bundle_find(b, "text/html", NULL));
    assert_string_equal(kiln_bundle_find(b, "application/json", &len), "{\"a\":1}");

    kiln_bundle *copy = kiln_bundle_copy(b);
    kiln_bundle_free(b);
    assert_int_equal(kiln_bundle_count(copy), 3);
    assert_int_equal(kiln_bundle_metadata_count(copy), 1);
    const char *key, *json;
    kiln_bundle_metadata_get(copy, 0, &key, &json);
    assert_string_equal(key, "image/png");
    assert_string_equal(json, "{\"width\": 640, \"height\": 480}");
    kiln_bundle_free(copy);
    kiln_bundle_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
