/* Tests of magics/args.c: words, specs, and the messages of bad usage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "magics/args.h"

#include <stdio.h>
#include <string.h>

static void expect_words(const char *text, const char *const *want, size_t n)
{
    kiln_words w;
    kiln_words_init(&w);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_args_split(text, strlen(text), &w, &err), KILN_OK);
    if (w.count != n)
        fail_msg("split(%s): %zu words, want %zu", text, w.count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(w.items[i].text, want[i]);
    kiln_words_fini(&w);
}

static void test_split(void **state)
{
    (void)state;
    expect_words("", NULL, 0);
    expect_words("   \t ", NULL, 0);
    expect_words("a  b\tc", (const char *[]){"a", "b", "c"}, 3);
    expect_words("'a b' \"c d\"", (const char *[]){"a b", "c d"}, 2);
    expect_words("x'y z'w", (const char *[]){"xy zw"}, 1);
    expect_words("\"say \\\"hi\\\" \\\\ \\n\"",
                 (const char *[]){"say \"hi\" \\ \\n"}, 1);
    expect_words("'it''s' 'a\\b'", (const char *[]){"its", "a\\b"}, 2);
    expect_words("a\\ b c\\", (const char *[]){"a b", "c\\"}, 2);
    expect_words("--rows=5 key=\"v w\"",
                 (const char *[]){"--rows=5", "key=v w"}, 2);
    expect_words("''", (const char *[]){""}, 1);
    expect_words("héllo wörld", (const char *[]){"héllo", "wörld"}, 2);
}

static void test_split_positions(void **state)
{
    (void)state;
    kiln_words w;
    kiln_words_init(&w);
    assert_int_equal(kiln_args_split("ab 'c d' e", 10, &w, NULL), KILN_OK);
    assert_int_equal(w.count, 3);
    assert_int_equal(w.items[0].start, 0);
    assert_int_equal(w.items[0].end, 2);
    assert_false(w.items[0].quoted);
    assert_int_equal(w.items[1].start, 3);
    assert_int_equal(w.items[1].end, 8);
    assert_true(w.items[1].quoted);
    kiln_words_fini(&w);
}

static void test_split_unterminated(void **state)
{
    (void)state;
    static const char *const bad[] = {"'abc", "a \"b c", "\"x\\\""};
    for (size_t i = 0; i < 3; i++) {
        kiln_words w;
        kiln_words_init(&w);
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(kiln_args_split(bad[i], strlen(bad[i]), &w, &err),
                         KILN_USAGE);
        assert_non_null(strstr(err.message, "unterminated"));
        kiln_words_fini(&w);
    }
}

/* A spec like %split's. */
static const kiln_arg_spec split_spec[] = {
    {.name = "SRC", .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "the data file"},
    {.name = "label", .flags = KILN_ARG_REQUIRED, .metavar = "COL",
     .help = "the label column"},
    {.name = "rows", .type = KILN_ARG_INT, .def = "5", .help = "rows"},
    {.name = "train", .type = KILN_ARG_FLOAT, .def = "0.7"},
    {.name = "format", .type = KILN_ARG_CHOICE,
     .choices = "csv|libsvm|recordio-protobuf", .def = "csv"},
    {.name = "header", .type = KILN_ARG_FLAG},
    {.name = "no-header", .type = KILN_ARG_FLAG},
    {0},
};

static kiln_args *parse_ok(const kiln_arg_spec *spec, bool pairs,
                           const char *text)
{
    kiln_args *a = NULL;
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_args_parse(spec, pairs, "%split", text, strlen(text), &a,
                             &err);
    if (rc != KILN_OK)
        fail_msg("parse(%s): %s", text, err.message);
    return a;
}

/* Parse expecting a UsageError whose message contains each of `parts`. */
static void parse_bad(const kiln_arg_spec *spec, bool pairs, const char *text,
                      const char *const *parts, size_t n)
{
    kiln_args *a = NULL;
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_args_parse(spec, pairs, "%split", text, strlen(text), &a,
                             &err);
    if (rc != KILN_USAGE)
        fail_msg("parse(%s) = %d, want UsageError", text, rc);
    assert_null(a);
    assert_int_equal(err.code, KILN_USAGE);
    for (size_t i = 0; i < n; i++)
        if (strstr(err.message, parts[i]) == NULL)
            fail_msg("parse(%s): message \"%s\" lacks \"%s\"", text,
                     err.message, parts[i]);
}

static void test_parse(void **state)
{
    (void)state;
    kiln_args *a = parse_ok(split_spec, false,
                            "data.csv --label y --rows=12 --format libsvm "
                            "--header --train 0.5");
    assert_string_equal(kiln_args_str(a, "SRC"), "data.csv");
    assert_string_equal(kiln_args_str(a, "label"), "y");
    assert_int_equal(kiln_args_int(a, "rows"), 12);
    assert_true(kiln_args_float(a, "train") == 0.5);
    assert_string_equal(kiln_args_str(a, "format"), "libsvm");
    assert_true(kiln_args_flag(a, "header"));
    assert_false(kiln_args_flag(a, "no-header"));
    assert_true(kiln_args_has(a, "rows"));
    assert_null(kiln_args_str(a, "nonexistent"));
    kiln_args_free(a);

    /* Defaults, options before positionals, the last value wins. */
    a = parse_ok(split_spec, false, "--label a --label b 'my file.csv'");
    assert_string_equal(kiln_args_str(a, "SRC"), "my file.csv");
    assert_string_equal(kiln_args_str(a, "label"), "b");
    assert_int_equal(kiln_args_int(a, "rows"), 5);
    assert_false(kiln_args_has(a, "rows"));
    assert_string_equal(kiln_args_str(a, "format"), "csv");
    kiln_args_free(a);

    /* "--" ends options; quoted words are never options; negative numbers
     * are values. */
    a = parse_ok(split_spec, false, "--label=x --rows -3 -- --odd");
    assert_string_equal(kiln_args_str(a, "SRC"), "--odd");
    assert_int_equal(kiln_args_int(a, "rows"), -3);
    kiln_args_free(a);
    a = parse_ok(split_spec, false, "'--odd' --label x");
    assert_string_equal(kiln_args_str(a, "SRC"), "--odd");
    kiln_args_free(a);
    a = parse_ok(split_spec, false, "- --label=");
    assert_string_equal(kiln_args_str(a, "SRC"), "-");
    assert_string_equal(kiln_args_str(a, "label"), "");
    kiln_args_free(a);
}

static void test_usage_errors(void **state)
{
    (void)state;
    parse_bad(split_spec, false, "d.csv --label y --formt csv",
              (const char *[]){"%split", "unknown option --formt",
                               "did you mean --format?", "valid options:",
                               "--rows"},
              5);
    parse_bad(split_spec, false, "d.csv --label y --zzzzzz 1",
              (const char *[]){"unknown option --zzzzzz", "valid options"}, 2);
    parse_bad(split_spec, false, "d.csv --label y -r 5",
              (const char *[]){"unknown option -r", "did you mean --rows?"},
              2);
    parse_bad(split_spec, false, "d.csv",
              (const char *[]){"missing required option --label COL",
                               "the label column"},
              2);
    parse_bad(split_spec, false, "--label y",
              (const char *[]){"missing argument SRC", "the data file"}, 2);
    parse_bad(split_spec, false, "d.csv --label y --rows ten",
              (const char *[]){"--rows expects an integer", "'ten'"}, 2);
    parse_bad(split_spec, false, "d.csv --label y --rows 99999999999999999999",
              (const char *[]){"--rows expects an integer"}, 1);
    parse_bad(split_spec, false, "d.csv --label y --train 1e999",
              (const char *[]){"--train expects a number", "'1e999'"}, 2);
    parse_bad(split_spec, false, "d.csv --label y --format xml",
              (const char *[]){"--format expects one of csv, libsvm, "
                               "recordio-protobuf; got 'xml'"},
              1);
    parse_bad(split_spec, false, "d.csv --label",
              (const char *[]){"--label COL needs a value"}, 1);
    parse_bad(split_spec, false, "d.csv --label --rows 3",
              (const char *[]){"--label COL needs a value"}, 1);
    parse_bad(split_spec, false, "d.csv --label y --header=yes",
              (const char *[]){"--header takes no value"}, 1);
    parse_bad(split_spec, false, "d.csv e.csv --label y",
              (const char *[]){"unexpected argument 'e.csv'",
                               "usage: %split SRC --label COL [--rows N]"},
              2);
    parse_bad(split_spec, false, "d.csv --label 'y",
              (const char *[]){"%split: unterminated ' quote"}, 1);

    static const kiln_arg_spec none[] = {{0}};
    parse_bad(none, false, "x", (const char *[]){"%split takes no arguments "
                                                 "(got 'x')"},
              1);
    parse_bad(none, false, "--x",
              (const char *[]){"%split takes no options (got --x)"}, 1);
    parse_bad(NULL, false, "y", (const char *[]){"takes no arguments"}, 1);
}

static void test_pairs(void **state)
{
    (void)state;
    static const kiln_arg_spec spec[] = {
        {.name = "ALGO", .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED},
        {.name = "train"},
        {0},
    };
    kiln_args *a = parse_ok(spec, true,
                            "xgboost num_round=10 --train='t 1.csv' eta=0.3 "
                            "eval_metric='rmse'");
    assert_string_equal(kiln_args_str(a, "ALGO"), "xgboost");
    assert_int_equal(kiln_args_pair_count(a), 3);
    const char *k, *v;
    kiln_args_pair(a, 0, &k, &v);
    assert_string_equal(k, "num_round");
    assert_string_equal(v, "10");
    kiln_args_pair(a, 2, &k, &v);
    assert_string_equal(k, "eval_metric");
    assert_string_equal(v, "rmse");
    assert_string_equal(kiln_args_str(a, "train"), "t 1.csv");
    kiln_args_free(a);
    /* A quoted key is not a pair but a positional, and there is no room
     * for a second one. */
    parse_bad(spec, true, "xgboost 'not=pair'",
              (const char *[]){"unexpected argument 'not=pair'",
                               "[key=value ...]"},
              2);
    /* Without pairs, key=value is a positional. */
    a = parse_ok(spec, false, "k=v");
    assert_string_equal(kiln_args_str(a, "ALGO"), "k=v");
    assert_int_equal(kiln_args_pair_count(a), 0);
    kiln_args_free(a);
}

static void test_rest_and_many(void **state)
{
    (void)state;
    static const kiln_arg_spec rest[] = {
        {.name = "TEXT", .type = KILN_ARG_REST, .flags = KILN_ARG_POSITIONAL},
        {0},
    };
    kiln_args *a = parse_ok(rest, false, "  don't \"stop\" --me  ");
    assert_string_equal(kiln_args_str(a, "TEXT"), "don't \"stop\" --me");
    kiln_args_free(a);
    a = parse_ok(rest, false, "");
    assert_null(kiln_args_str(a, "TEXT"));
    kiln_args_free(a);

    static const kiln_arg_spec rest_opts[] = {
        {.name = "n", .type = KILN_ARG_INT},
        {.name = "TEXT", .type = KILN_ARG_REST, .flags = KILN_ARG_POSITIONAL},
        {0},
    };
    a = parse_ok(rest_opts, false, "--n 3 a 'b --n 4");
    assert_int_equal(kiln_args_int(a, "n"), 3);
    assert_string_equal(kiln_args_str(a, "TEXT"), "a 'b --n 4");
    kiln_args_free(a);

    static const kiln_arg_spec many[] = {
        {.name = "FILES", .flags = KILN_ARG_POSITIONAL | KILN_ARG_MANY |
                                   KILN_ARG_REQUIRED},
        {.name = "rows", .type = KILN_ARG_INT},
        {0},
    };
    a = parse_ok(many, false, "a b --rows 2 c");
    assert_int_equal(kiln_args_many_count(a), 3);
    assert_string_equal(kiln_args_many(a, 2), "c");
    assert_null(kiln_args_many(a, 3));
    assert_string_equal(kiln_args_str(a, "FILES"), "a");
    kiln_args_free(a);
    parse_bad(many, false, "--rows 1",
              (const char *[]){"missing argument FILES ..."}, 1);
}

static void test_synopsis(void **state)
{
    (void)state;
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln_args_synopsis(split_spec, true, &b), KILN_OK);
    assert_string_equal(kiln_buf_str(&b),
                        "SRC --label COL [--rows N] [--train X] "
                        "[--format csv|libsvm|recordio-protobuf] [--header] "
                        "[--no-header] [key=value ...]");
    kiln_buf_clear(&b);
    static const kiln_arg_spec s[] = {
        {.name = "output-dir"},
        {.name = "NAME", .flags = KILN_ARG_POSITIONAL},
        {0},
    };
    assert_int_equal(kiln_args_synopsis(s, false, &b), KILN_OK);
    assert_string_equal(kiln_buf_str(&b), "[--output-dir OUTPUT_DIR] [NAME]");
    kiln_buf_clear(&b);
    assert_int_equal(kiln_args_synopsis(NULL, true, &b), KILN_OK);
    assert_string_equal(kiln_buf_str(&b), "[key=value ...]");
    kiln_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_positions),
        cmocka_unit_test(test_split_unterminated),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_rest_and_many),
        cmocka_unit_test(test_synopsis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
