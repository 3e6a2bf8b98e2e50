/* Tests for kernel/conn.c: connection files as jupyter_client writes them,
 * and the errors for broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/conn.h"

#include <string.h>

static const char good[] =
    "{\"shell_port\": 53001, \"iopub_port\": 53002, \"stdin_port\": 53003,"
    " \"control_port\": 53004, \"hb_port\": 53005, \"ip\": \"127.0.0.1\","
    " \"key\": \"a0436f6c-1916498b-8eb9e81ab9368e84\", \"transport\": \"tcp\","
    " \"signature_scheme\": \"hmac-sha256\", \"kernel_name\": \"kiln\","
    " \"jupyter_session\": \"/tmp/x.ipynb\"}";

static void test_parse_tcp(void **state)
{
    (void)state;
    kiln_conn c;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_conn_parse(&c, good, strlen(good), "c.json", &err),
                     KILN_OK);
    assert_string_equal(c.key, "a0436f6c-1916498b-8eb9e81ab9368e84");
    assert_int_equal(c.key_len, 34);
    assert_int_equal(c.ports[KILN_CHANNEL_HB], 53005);
    char ep[128];
    kiln_conn_endpoint(&c, KILN_CHANNEL_CONTROL, ep, sizeof ep);
    assert_string_equal(ep, "tcp://127.0.0.1:53004");
    kiln_conn_fini(&c);
}

static void test_parse_ipc_and_defaults(void **state)
{
    (void)state;
    static const char ipc[] =
        "{\"shell_port\": 1, \"iopub_port\": 2, \"stdin_port\": 3,"
        " \"control_port\": 4, \"hb_port\": 5, \"ip\": \"/tmp/kiln-ipc\","
        " \"transport\": \"ipc\"}";
    kiln_conn c;
    assert_int_equal(kiln_conn_parse(&c, ipc, strlen(ipc), "c.json", NULL),
                     KILN_OK);
    char ep[128];
    kiln_conn_endpoint(&c, KILN_CHANNEL_IOPUB, ep, sizeof ep);
    assert_string_equal(ep, "ipc:///tmp/kiln-ipc-2");
    assert_string_equal(c.key, "");
    assert_string_equal(c.signature_scheme, "hmac-sha256");
    kiln_conn_fini(&c);
}

static void expect_error(const char *text, const char *needle)
{
    kiln_conn c;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_conn_parse(&c, text, strlen(text), "conn.json", &err),
                     KILN_VALUE);
    if (strstr(err.message, needle) == NULL)
        fail_msg("expected '%s' in '%s'", needle, err.message);
    assert_non_null(strstr(err.message, "conn.json"));
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{", "line 1");
    expect_error("[]", "expected a JSON object");
    expect_error("{\"transport\": \"udp\"}", "transport must be");
    expect_error("{\"shell_port\": 1}", "missing key iopub_port");
    expect_error("{\"shell_port\": \"abc\", \"iopub_port\": 1, \"stdin_port\": "
                 "1, \"control_port\": 1, \"hb_port\": 1}",
                 "shell_port must be an integer 1-65535, got \"abc\"");
    expect_error("{\"shell_port\": 70000}", "shell_port");
    expect_error("{\"key\": 5}", "key must be a string");
}

static void test_load_missing_file(void **state)
{
    (void)state;
    kiln_conn c;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_conn_load(&c, "/nonexistent/kiln.json", &err),
                     KILN_IO);
    assert_non_null(strstr(err.message, "/nonexistent/kiln.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_tcp),
        cmocka_unit_test(test_parse_ipc_and_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
