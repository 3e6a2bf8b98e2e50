/* Tests for kernel/wire.c: HMAC-SHA256 against RFC 4231's vectors, and the
 * decoder against well-formed, badly signed and malformed frame lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static kiln_wire_key *make_key(const void *bytes, size_t len)
{
    kiln_wire_key *k = NULL;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_wire_key_new("hmac-sha256", bytes, len, &k, &err),
                     KILN_OK);
    return k;
}

/* RFC 4231 section 4: keys and data of test cases 1-4, 6 and 7 (case 5
 * checks a truncated output, which Jupyter does not use).  The data is
 * split across the four signed parts to check that signing hashes their
 * concatenation. */
static void test_rfc4231(void **state)
{
    (void)state;
    unsigned char k1[20], k3[20], k4[25], k6[131], d3[50], d4[50];
    memset(k1, 0x0b, sizeof k1);
    memset(k3, 0xaa, sizeof k3);
    memset(d3, 0xdd, sizeof d3);
    for (int i = 0; i < 25; i++)
        k4[i] = (unsigned char)(i + 1);
    memset(d4, 0xcd, sizeof d4);
    memset(k6, 0xaa, sizeof k6);
    static const char d6[] =
        "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char d7[] =
        "This is a test using a larger than block-size key and a larger "
        "than block-size data. The key needs to be hashed before being "
        "used by the HMAC algorithm.";
    const struct {
        const void *key;
        size_t key_len;
        const void *data;
        size_t data_len;
        const char *mac;
    } cases[] = {
        {k1, sizeof k1, "Hi There", 8,
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", 4, "what do ya want for nothing?", 28,
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {k3, sizeof k3, d3, sizeof d3,
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {k4, sizeof k4, d4, sizeof d4,
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {k6, sizeof k6, d6, sizeof d6 - 1,
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {k6, sizeof k6, d7, sizeof d7 - 1,
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_wire_key *key = make_key(cases[i].key, cases[i].key_len);
        const char *d = cases[i].data;
        size_t n = cases[i].data_len, a = n / 3, b = n / 2;
        kiln_frame parts[4] = {{(void *)d, a},
                               {(void *)(d + a), b - a},
                               {(void *)(d + b), n - b},
                               {(void *)"", 0}};
        char hex[65];
        kiln_wire_sign(key, parts, hex);
        assert_string_equal(hex, cases[i].mac);
        kiln_wire_key_free(key);
    }
}

static void test_scheme_rejected(void **state)
{
    (void)state;
    kiln_wire_key *k = NULL;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_wire_key_new("hmac-md5", "x", 1, &k, &err),
                     KILN_VALUE);
    assert_non_null(strstr(err.message, "hmac-md5"));
    assert_null(k);
}

/* Encode a request from a client with identity "client-1". */
static void encode_request(const kiln_wire_key *key, const char *msg_type,
                           kiln_frames *out)
{
    kiln_frames ids;
    kiln_frames_init(&ids);
    assert_int_equal(kiln_frames_push(&ids, "client-1", 8), KILN_OK);
    kiln_wire_session *s = kiln_wire_session_new("tester");
    json_t *header = kiln_wire_header(s, msg_type);
    json_t *content = json_pack("{s:s}", "code", "6 * 7");
    kiln_frames bufs;
    kiln_frames_init(&bufs);
    assert_int_equal(kiln_frames_push(&bufs, "\x00\x01\x02", 3), KILN_OK);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_wire_encode(key, &ids, header, NULL, NULL, content,
                                      &bufs, out, &err),
                     KILN_OK);
    json_decref(header);
    json_decref(content);
    kiln_frames_fini(&ids);
    kiln_frames_fini(&bufs);
    kiln_wire_session_free(s);
}

static void test_round_trip(void **state)
{
    (void)state;
    kiln_wire_key *key = make_key("a0436f6c-1916-498b-8eb9-e81ab9368e84", 36);
    kiln_frames f;
    encode_request(key, "execute_request", &f);
    /* identity, delimiter, signature, 4 JSON parts, 1 buffer */
    assert_int_equal(f.count, 8);
    assert_int_equal(f.items[2].len, 64);

    kiln_msg *m = NULL;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_wire_decode(f.items, f.count, key, &m, &err),
                     KILN_OK);
    assert_string_equal(m->msg_type, "execute_request");
    assert_int_equal(m->identities.count, 1);
    assert_memory_equal(m->identities.items[0].data, "client-1", 8);
    assert_int_equal(m->buffers.count, 1);
    assert_int_equal(m->buffers.items[0].len, 3);
    assert_string_equal(
        json_string_value(json_object_get(m->content, "code")), "6 * 7");
    assert_string_equal(
        json_string_value(json_object_get(m->header, "version")), "5.3");
    assert_int_equal(json_object_size(m->parent_header), 0);
    kiln_msg_free(m);
    kiln_frames_fini(&f);
    kiln_wire_key_free(key);
}

static void expect_decode_error(const kiln_frames *f, const kiln_wire_key *key,
                                const char *needle)
{
    kiln_msg *m = NULL;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_wire_decode(f->items, f->count, key, &m, &err),
                     KILN_PROTOCOL);
    assert_null(m);
    if (strstr(err.message, needle) == NULL)
        fail_msg("expected '%s' in '%s'", needle, err.message);
}

static void test_bad_signature(void **state)
{
    (void)state;
    kiln_wire_key *key = make_key("secret", 6);
    kiln_wire_key *other = make_key("secreT", 6);
    kiln_frames f;
    encode_request(key, "kernel_info_request", &f);
    expect_decode_error(&f, other, "signature mismatch");

    /* A tampered content with the old signature. */
    ((char *)f.items[6].data)[2] ^= 1;
    expect_decode_error(&f, key, "signature mismatch");

    /* Empty signature while a key is set. */
    f.items[2].len = 0;
    expect_decode_error(&f, key, "unsigned");
    kiln_frames_fini(&f);
    kiln_wire_key_free(key);
    kiln_wire_key_free(other);
}

static void test_empty_key_accepts_unsigned(void **state)
{
    (void)state;
    kiln_wire_key *none = make_key("", 0);
    kiln_frames f;
    encode_request(none, "kernel_info_request", &f);
    assert_int_equal(f.items[2].len, 0);
    kiln_msg *m = NULL;
    assert_int_equal(kiln_wire_decode(f.items, f.count, none, &m, NULL),
                     KILN_OK);
    kiln_msg_free(m);
    kiln_frames_fini(&f);
    kiln_wire_key_free(none);
}

static void test_truncated_and_missing_delimiter(void **state)
{
    (void)state;
    kiln_wire_key *key = make_key("k", 1);
    kiln_frames f;
    encode_request(key, "kernel_info_request", &f);
    size_t full = f.count;
    f.count = 5; /* identity, delimiter, signature, header, parent */
    expect_decode_error(&f, key, "expected at least 5");
    f.count = full;
    memcpy(f.items[1].data, "<IDS|MSX>", 9);
    expect_decode_error(&f, key, "no <IDS|MSG> delimiter");
    expect_decode_error(&(kiln_frames){NULL, 0, 0}, key, "delimiter");
    kiln_frames_fini(&f);
    kiln_wire_key_free(key);
}

/* Signed frames whose JSON is wrong. */
static void expect_parts_error(const char *header, const char *content,
                               const char *needle)
{
    kiln_wire_key *key = make_key("k", 1);
    kiln_frame parts[4] = {{(void *)header, strlen(header)},
                           {(void *)"{}", 2},
                           {(void *)"{}", 2},
                           {(void *)content, strlen(content)}};
    char sig[65];
    kiln_wire_sign(key, parts, sig);
    kiln_frames f;
    kiln_frames_init(&f);
    kiln_frames_push(&f, KILN_WIRE_DELIMITER, 9);
    kiln_frames_push(&f, sig, 64);
    for (int i = 0; i < 4; i++)
        kiln_frames_push(&f, parts[i].data, parts[i].len);
    expect_decode_error(&f, key, needle);
    kiln_frames_fini(&f);
    kiln_wire_key_free(key);
}

static void test_malformed_json(void **state)
{
    (void)state;
    const char *good = "{\"msg_id\": \"1\", \"msg_type\": \"x\"}";
    expect_parts_error("not json", "{}", "header is not valid JSON");
    expect_parts_error("[1, 2]", "{}", "header is not a JSON object");
    expect_parts_error("{\"msg_id\": \"1\"}", "{}", "no string msg_type");
    expect_parts_error("{\"msg_type\": \"x\"}", "{}", "no string msg_id");
    expect_parts_error("{\"msg_id\": \"1\", \"msg_type\": 7}", "{}",
                       "msg_type");
    expect_parts_error(good, "{\"a\": ", "content is not valid JSON");
    expect_parts_error(good, "\"text\"", "content is not");
    expect_parts_error(good, "{\"bad\": \"\xff\xfe\"}", "content");
}

static void test_headers(void **state)
{
    (void)state;
    kiln_wire_session *s = kiln_wire_session_new(NULL);
    json_t *a = kiln_wire_header(s, "status");
    json_t *b = kiln_wire_header(s, "status");
    const char *ida = json_string_value(json_object_get(a, "msg_id"));
    const char *idb = json_string_value(json_object_get(b, "msg_id"));
    assert_string_not_equal(ida, idb);
    assert_string_equal(json_string_value(json_object_get(a, "session")),
                        kiln_wire_session_id(s));
    assert_string_equal(json_string_value(json_object_get(a, "username")),
                        "kernel");
    const char *date = json_string_value(json_object_get(a, "date"));
    /* 2026-11-22T03:04:05.123456Z */
    assert_int_equal(strlen(date), 27);
    assert_int_equal(date[10], 'T');
    assert_int_equal(date[19], '.');
    assert_int_equal(date[26], 'Z');
    assert_int_equal(strlen(kiln_wire_session_id(s)), 36);
    json_decref(a);
    json_decref(b);
    kiln_wire_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4231),
        cmocka_unit_test(test_scheme_rejected),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_signature),
        cmocka_unit_test(test_empty_key_accepts_unsigned),
        cmocka_unit_test(test_truncated_and_missing_delimiter),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
