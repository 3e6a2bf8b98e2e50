/* Tests of the interpreter (magics/interp.c, interp_help.c, shell.c),
 * driven through the capturing sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/capture.h"
#include "magics/interp.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <threads.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* One interpreter and capture per test. */
typedef struct fixture {
    kiln_cancel cancel;
    kiln_interp *in;
    kiln_capture *cap;
    kiln_sink sink;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    kiln_cancel_init(&f->cancel);
    f->in = kiln_interp_new(&f->cancel);
    f->cap = kiln_capture_new();
    f->sink = kiln_capture_sink(f->cap);
    *state = f;
    return f->in != NULL && f->cap != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kiln_capture_free(f->cap);
    kiln_interp_free(f->in);
    free(f);
    return 0;
}

/* Execute after clearing the capture; check the status. */
static void exec_want(fixture *f, const char *code, int want, kiln_error *err)
{
    kiln_capture_reset(f->cap);
    kiln_cancel_reset(&f->cancel);
    kiln_error local;
    kiln_error_init(&local);
    int rc = kiln_interp_execute(f->in, code, NULL, &f->sink,
                                 err != NULL ? err : &local);
    if (rc != want)
        fail_msg("%s: status %s, want %s (%s)", code, kiln_status_ename(rc),
                 kiln_status_ename(want),
                 err != NULL ? err->message : local.message);
}

static const char *result_text(const fixture *f)
{
    const kiln_event *e = kiln_capture_first(f->cap, KILN_EVENT_RESULT);
    return e != NULL ? kiln_bundle_find(e->bundle, "text/plain", NULL) : NULL;
}

/* ---- execute ------------------------------------------------------------ */

static void test_result(void **state)
{
    fixture *f = *state;
    kiln_error err;
    kiln_error_init(&err);
    exec_want(f, "x = 6\nx * 7", KILN_OK, &err);
    assert_int_equal(err.code, KILN_OK);
    assert_int_equal(kiln_capture_count(f->cap), 1);
    assert_string_equal(result_text(f), "42");
    exec_want(f, "x = 7", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count(f->cap), 0);
    exec_want(f, "", KILN_OK, NULL);
    exec_want(f, "\n\n  \n# only a comment", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count(f->cap), 0);
    /* Values persist across cells. */
    exec_want(f, "x", KILN_OK, NULL);
    assert_string_equal(result_text(f), "7");
}

static void test_silent(void **state)
{
    fixture *f = *state;
    kiln_capture_reset(f->cap);
    kiln_exec_opts opts = {.execution_count = 3, .silent = true};
    assert_int_equal(kiln_interp_execute(f->in, "%echo hi\n6 * 7", &opts,
                                         &f->sink, NULL),
                     KILN_OK);
    assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_RESULT), 0);
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT), "hi\n");
}

static void test_error_reporting(void **state)
{
    fixture *f = *state;
    kiln_error err;
    kiln_error_init(&err);
    exec_want(f, "a = 1\n\ny = (1 +", KILN_SYNTAX, &err);
    assert_int_equal(kiln_capture_count(f->cap), 1);
    const kiln_event *e = kiln_capture_first(f->cap, KILN_EVENT_ERROR);
    assert_non_null(e);
    assert_int_equal(e->error.code, KILN_SYNTAX);
    assert_string_equal(e->error.message, err.message);
    assert_string_equal(err.context, "  Cell line 3\n    y = (1 +\n        ^");

    /* The traceback a front end shows. */
    char **lines;
    size_t n;
    assert_int_equal(kiln_traceback_lines(&err, false, &lines, &n), KILN_OK);
    assert_int_equal(n, 4);
    assert_string_equal(lines[0], "  Cell line 3");
    assert_string_equal(lines[1], "    y = (1 +");
    assert_string_equal(lines[2], "        ^");
    assert_string_equal(lines[3], "SyntaxError: '(' was never closed at "
                                  "column 5");
    kiln_traceback_free(lines, n);

    /* A caller's error that is already set is not overwritten. */
    kiln_error set;
    kiln_error_init(&set);
    kiln_error_set(&set, KILN_IO, "earlier");
    exec_want(f, "1 / 0", KILN_ZERODIV, &set);
    assert_string_equal(set.message, "earlier");
    /* NULL err is fine. */
    kiln_capture_reset(f->cap);
    assert_int_equal(kiln_interp_execute(f->in, "nope", NULL, &f->sink, NULL),
                     KILN_NAME);
    assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_ERROR), 1);
}

static void test_error_keeps_earlier_values(void **state)
{
    fixture *f = *state;
    exec_want(f, "a = 1\nb = 'two'\nc = missing\nd = 4", KILN_NAME, NULL);
    /* The first error ends the cell: nothing after it ran. */
    exec_want(f, "[a, b]", KILN_OK, NULL);
    assert_string_equal(result_text(f), "[1, 'two']");
    exec_want(f, "d", KILN_NAME, NULL);
    exec_want(f, "c", KILN_NAME, NULL);
}

/* A list holding one big list many times is cheap to build, but its text
 * would be far larger than memory: showing it is a MemoryError that says
 * so (found by fuzz_expr), and the kernel keeps its state. */
static void test_result_too_large_to_show(void **state)
{
    fixture *f = *state;
    if (getenv("KILN_TEST_UNDER_VALGRIND") != NULL)
        skip(); /* 8 MiB of text written first: slow under valgrind */
    kiln_error err;
    kiln_error_init(&err);
    exec_want(f, "big = [[1] * 100000] * 100000", KILN_OK, NULL);
    exec_want(f, "big", KILN_NOMEM, &err);
    assert_non_null(strstr(err.message, "too large to show"));
    exec_want(f, "len(big) * len(big[0])", KILN_OK, NULL);
    assert_string_equal(result_text(f), "10000000000");
}

static void test_augmented(void **state)
{
    fixture *f = *state;
    exec_want(f, "s = 'ab'\ns *= 2\ns += 'c'\ns", KILN_OK, NULL);
    assert_string_equal(result_text(f), "'ababc'");
    exec_want(f, "k = 7\nk %= 4\nk /= 2\nk", KILN_OK, NULL);
    assert_string_equal(result_text(f), "1.5");
    kiln_error err;
    kiln_error_init(&err);
    exec_want(f, "undefined_yet += 1", KILN_NAME, &err);
    assert_string_equal(err.message, "name 'undefined_yet' is not defined");
    exec_want(f, "s -= 1", KILN_TYPE, NULL);
    exec_want(f, "s", KILN_OK, NULL);
    assert_string_equal(result_text(f), "'ababc'");
}

static void test_substitution(void **state)
{
    fixture *f = *state;
    exec_want(f, "p = 'my data.csv'\nk = 3\nd = {'a': [1, 'b'], 'c': None}\n"
                 "%echo $p|${k}0|$d|$$k|$$$$|$",
              KILN_OK, NULL);
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT),
                        "my data.csv|30|{\"a\": [1, \"b\"], \"c\": null}|$k|"
                        "$$|$\n");
    kiln_error err;
    kiln_error_init(&err);
    exec_want(f, "%echo ${nope}", KILN_NAME, &err);
    assert_string_equal(err.message, "name 'nope' is not defined (in ${nope})");
    assert_string_equal(err.context,
                        "  Cell line 1\n    %echo ${nope}\n          ^");
    /* A body is substituted too, and its errors point into it. */
    kiln_error_init(&err);
    exec_want(f, "%%html\n<p>\n  $k $gone</p>", KILN_NAME, &err);
    assert_string_equal(err.context,
                        "  Cell line 3\n      $k $gone</p>\n         ^");
    /* Expressions are not substituted. */
    exec_want(f, "'$k'", KILN_OK, NULL);
    assert_string_equal(result_text(f), "'$k'");
}

static void test_cancel_before_line(void **state)
{
    fixture *f = *state;
    kiln_capture_reset(f->cap);
    kiln_cancel_request(&f->cancel);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_interp_execute(f->in, "\nnever = 1", NULL, &f->sink,
                                         &err),
                     KILN_INTERRUPTED);
    assert_string_equal(err.message, "interrupted before cell line 2");
    kiln_cancel_reset(&f->cancel);
    exec_want(f, "never", KILN_NAME, NULL);
}

static void test_eval(void **state)
{
    fixture *f = *state;
    exec_want(f, "x = 6", KILN_OK, NULL);
    kiln_capture_reset(f->cap);
    kiln_bundle *b = NULL;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_interp_eval(f->in, "x * 7", &b, &err), KILN_OK);
    assert_string_equal(kiln_bundle_find(b, "text/plain", NULL), "42");
    kiln_bundle_free(b);
    assert_int_equal(kiln_interp_eval(f->in, " [x, 'a'] ", &b, &err), KILN_OK);
    assert_string_equal(kiln_bundle_find(b, "text/plain", NULL), "[6, 'a']");
    kiln_bundle_free(b);
    b = NULL;
    assert_int_equal(kiln_interp_eval(f->in, "no_such_variable_here", &b, &err),
                     KILN_NAME);
    assert_null(b);
    assert_string_equal(err.message,
                        "name 'no_such_variable_here' is not defined");
    kiln_error_init(&err);
    assert_int_equal(kiln_interp_eval(f->in, "x +", &b, &err), KILN_SYNTAX);
    /* Nothing reached any sink. */
    assert_int_equal(kiln_capture_count(f->cap), 0);
}

static void test_is_complete(void **state)
{
    fixture *f = *state;
    const char *indent = NULL;
    assert_int_equal(kiln_interp_is_complete(f->in, "x = [1,", &indent),
                     KILN_INCOMPLETE);
    assert_string_equal(indent, "    ");
    assert_int_equal(kiln_interp_is_complete(f->in, "x = )", NULL),
                     KILN_INVALID);
    assert_int_equal(kiln_interp_is_complete(f->in, "6 * 7", NULL),
                     KILN_COMPLETE);
}

static void test_help_lines(void **state)
{
    fixture *f = *state;
    exec_want(f, "rate = 0.5\nrate?", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count(f->cap), 1);
    const kiln_event *e = kiln_capture_first(f->cap, KILN_EVENT_PAGE);
    assert_non_null(e);
    assert_string_equal(kiln_bundle_find(e->bundle, "text/plain", NULL),
                        "rate: float = 0.5");
    exec_want(f, "%help?", KILN_OK, NULL);
    e = kiln_capture_first(f->cap, KILN_EVENT_PAGE);
    assert_non_null(strstr(kiln_bundle_find(e->bundle, "text/plain", NULL),
                           "%help [NAME]"));
    /* A bare magic name works too (IPython's automagic lookup). */
    exec_want(f, "lsmagic?", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_PAGE), 1);
    /* %help NAME displays instead. */
    exec_want(f, "%help who", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_DISPLAY), 1);
    assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_PAGE), 0);
}

/* Many cells in one interpreter: under valgrind and ASan, leaks show. */
static void test_many_cells(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 300; i++) {
        char code[256];
        snprintf(code, sizeof code,
                 "v%d = [%d, 'x' * %d, {'k': %d.5}]\n%%echo $v%d\nv%d?\n"
                 "%%who --type list\nnope_%d",
                 i % 10, i, i % 7, i, i % 10, i % 10, i);
        exec_want(f, code, KILN_NAME, NULL);
    }
}

/* Random cells (no `!`, which would run them) through execute, complete
 * and inspect at every cursor: no crash, and exactly one error event per
 * failing cell. */
static void test_random_cells(void **state)
{
    fixture *f = *state;
    static const char alphabet[] = "xy1 =+-*/()[]{}'\"#%$?\\\n:;é.e";
    unsigned seed = 777;
    for (int iter = 0; iter < 1500; iter++) {
        char code[64];
        size_t n = (size_t)(iter % 60);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            code[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        code[n] = '\0';
        kiln_capture_reset(f->cap);
        int rc = kiln_interp_execute(f->in, code, NULL, &f->sink, NULL);
        assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_ERROR),
                         rc != KILN_OK);
        for (size_t cur = 0; cur <= n; cur += 7) {
            kiln_completion c;
            kiln_completion_init(&c);
            assert_int_equal(kiln_interp_complete(f->in, code, cur, &c),
                             KILN_OK);
            assert_true(c.cursor_start <= c.cursor_end && c.cursor_end <= n);
            kiln_completion_fini(&c);
            bool found;
            kiln_bundle *b = NULL;
            assert_int_equal(kiln_interp_inspect(f->in, code, cur, 0, &found,
                                                 &b),
                             KILN_OK);
            kiln_bundle_free(b);
        }
    }
}

/* ---- completion --------------------------------------------------------- */

/* Complete at `cursor` (-1: the end) and compare with the matches, sorted. */
static void complete_want(fixture *f, const char *code, long cursor,
                          size_t start, const char *const *want, size_t n)
{
    size_t cur = cursor < 0 ? strlen(code) : (size_t)cursor;
    kiln_completion c;
    kiln_completion_init(&c);
    assert_int_equal(kiln_interp_complete(f->in, code, cur, &c), KILN_OK);
    kiln_buf got;
    kiln_buf_init(&got);
    for (size_t i = 0; i < c.count; i++)
        kiln_buf_printf(&got, "%s%s", i ? " " : "", c.matches[i]);
    kiln_buf expect;
    kiln_buf_init(&expect);
    for (size_t i = 0; i < n; i++)
        kiln_buf_printf(&expect, "%s%s", i ? " " : "", want[i]);
    if (strcmp(kiln_buf_str(&got), kiln_buf_str(&expect)) != 0)
        fail_msg("complete(\"%s\", %zu): [%s], want [%s]", code, cur,
                 kiln_buf_str(&got), kiln_buf_str(&expect));
    if (n > 0) {
        assert_int_equal(c.cursor_start, start);
        assert_int_equal(c.cursor_end, cur);
    }
    kiln_buf_fini(&expect);
    kiln_buf_fini(&got);
    kiln_completion_fini(&c);
}

static void test_complete(void **state)
{
    fixture *f = *state;
    exec_want(f, "learning_rate = 0.1\nlabel = 'y'\nmax_depth = 6", KILN_OK,
              NULL);
    complete_want(f, "%ec", -1, 0, (const char *[]){"%echo"}, 1);
    complete_want(f, "  %h", -1, 2,
                  (const char *[]){"%%html", "%head", "%help"}, 3);
    complete_want(f, "%%j", -1, 0, (const char *[]){"%%json"}, 1);
    complete_want(f, "%%", -1, 0,
                  (const char *[]){"%%bash", "%%html", "%%json", "%%markdown",
                                   "%%script", "%%train", "%%tune",
                                   "%%writefile"},
                  8);
    /* Algorithms after %train, %%train, %%tune and %help; then their
     * hyperparameters, as name= on the line and name = in a body. */
    complete_want(f, "%train li", -1, 7,
                  (const char *[]){"linear-learner"}, 1);
    complete_want(f, "%train linear-l", -1, 7,
                  (const char *[]){"linear-learner"}, 1);
    complete_want(f, "%%train ", -1, 8,
                  (const char *[]){"kmeans", "linear-learner", "pca", "xgboost"},
                  4);
    complete_want(f, "%%tune x", -1, 7, (const char *[]){"xgboost"}, 1);
    complete_want(f, "%%tune xgboost --objective v --train d\nnum_ro", -1,
                  39, (const char *[]){"num_round = "}, 1);
    complete_want(f, "%help p", -1, 6, (const char *[]){"pca"}, 1);
    complete_want(f, "%train pca --train d num_c", -1, 21,
                  (const char *[]){"num_components="}, 1);
    complete_want(f, "%train kmeans --train d --na", -1, 24,
                  (const char *[]){"--name"}, 1);
    complete_want(f, "%%train kmeans --train d\nk = 3\nfeature_d", -1, 31,
                  (const char *[]){"feature_dim = "}, 1);
    complete_want(f, "%%train kmeans --train d\nk = fe", -1, 0, NULL, 0);
    complete_want(f, "%%echo kmeans\nfeature_d", -1, 0, NULL, 0);
    /* Cell magics only on the first line. */
    complete_want(f, "x = 1\n%hel", -1, 6, (const char *[]){"%help"}, 1);
    /* Options of the line's magic. */
    complete_want(f, "%who --t", -1, 5, (const char *[]){"--type"}, 1);
    complete_want(f, "%who --", -1, 5, (const char *[]){"--type"}, 1);
    complete_want(f, "%clear -", -1, 7, (const char *[]){"--wait"}, 1);
    complete_want(f, "%echo --", -1, 0, NULL, 0);
    /* Names: variables, builtins, constants. */
    complete_want(f, "l", -1, 0,
                  (const char *[]){"label", "learning_rate", "len"}, 3);
    complete_want(f, "y = 2 * ma", -1, 8,
                  (const char *[]){"max", "max_depth"}, 2);
    complete_want(f, "Tr", -1, 0, (const char *[]){"True"}, 1);
    /* $names in magic and shell lines. */
    complete_want(f, "%echo $la", -1, 7, (const char *[]){"label"}, 1);
    complete_want(f, "!ls ${ma", -1, 6, (const char *[]){"max_depth"}, 1);
    complete_want(f, "%echo ma", -1, 0, NULL, 0);
    /* The cursor in the middle, and after a multi-byte character. */
    complete_want(f, "le + 1", 2, 0,
                  (const char *[]){"learning_rate", "len"}, 2);
    complete_want(f, "s = 'é' + la", -1, 11, (const char *[]){"label"}, 1);
    complete_want(f, "zzz", -1, 0, NULL, 0);
    /* A cursor past the end is clamped. */
    kiln_completion c;
    kiln_completion_init(&c);
    assert_int_equal(kiln_interp_complete(f->in, "%ec", 99, &c), KILN_OK);
    assert_int_equal(c.count, 1);
    assert_int_equal(c.cursor_end, 3);
    kiln_completion_fini(&c);
}

/* ---- inspect ------------------------------------------------------------ */

static const char *inspect_text(fixture *f, const char *code, long cursor,
                                bool *found)
{
    static char text[4096];
    kiln_bundle *b = NULL;
    size_t cur = cursor < 0 ? strlen(code) : (size_t)cursor;
    assert_int_equal(kiln_interp_inspect(f->in, code, cur, 0, found, &b),
                     KILN_OK);
    if (!*found) {
        assert_null(b);
        return NULL;
    }
    snprintf(text, sizeof text, "%s", kiln_bundle_find(b, "text/plain", NULL));
    kiln_bundle_free(b);
    return text;
}

static void test_inspect(void **state)
{
    fixture *f = *state;
    exec_want(f, "rate = 0.25\nnames = ['a', 'b']", KILN_OK, NULL);
    bool found;
    const char *t = inspect_text(f, "%echo", -1, &found);
    assert_true(found);
    assert_true(strncmp(t, "%echo [TEXT]", 12) == 0);
    t = inspect_text(f, "%echo", 0, &found); /* cursor on the % */
    assert_true(found);
    t = inspect_text(f, "%%json\n{}", 3, &found);
    assert_true(found);
    assert_true(strncmp(t, "%%json", 6) == 0);
    t = inspect_text(f, "x = rate * 2", 6, &found);
    assert_true(found);
    assert_string_equal(t, "rate: float = 0.25");
    t = inspect_text(f, "names", 2, &found);
    assert_string_equal(t, "names: list = ['a', 'b']");
    t = inspect_text(f, "y = len(", -1, &found);
    assert_true(found);
    assert_true(strncmp(t, "len(x)", 6) == 0);
    t = inspect_text(f, "y = max( ", -1, &found);
    assert_true(found);
    /* A bare magic name. */
    t = inspect_text(f, "who", -1, &found);
    assert_true(found);
    /* "x % rate": the % is an operator, not a magic. */
    t = inspect_text(f, "x = 1 %rate", -1, &found);
    assert_true(found);
    assert_string_equal(t, "rate: float = 0.25");
    /* An algorithm, by a name with a '-' in it too. */
    t = inspect_text(f, "%train linear-learner --train d", 10, &found);
    assert_true(found);
    assert_non_null(strstr(t, "predictor_type"));
    t = inspect_text(f, "kmeans", 2, &found);
    assert_true(found);
    assert_non_null(strstr(t, "extra_center_factor"));
    inspect_text(f, "nothing_here", -1, &found);
    assert_false(found);
    inspect_text(f, "%nomagic", -1, &found);
    assert_false(found);
    inspect_text(f, "", 0, &found);
    assert_false(found);
    inspect_text(f, "1 + ", -1, &found);
    assert_false(found);
    /* The HTML of a magic's usage comes along. */
    kiln_bundle *b = NULL;
    assert_int_equal(kiln_interp_inspect(f->in, "%who", 4, 1, &found, &b),
                     KILN_OK);
    assert_non_null(kiln_bundle_find(b, "text/html", NULL));
    kiln_bundle_free(b);
}

/* ---- !command ----------------------------------------------------------- */

/* A sink that timestamps stream events, in front of a capture. */
typedef struct timed {
    kiln_capture *cap;
    double t0;
    double first_out; /* time of the first stdout event */
    kiln_cancel *cancel_on_first;
} timed;

static void timed_stream(void *ctx, kiln_stream which, const char *text,
                         size_t len)
{
    timed *t = ctx;
    if (which == KILN_STDOUT && t->first_out < 0) {
        t->first_out = now_s() - t->t0;
        if (t->cancel_on_first != NULL)
            kiln_cancel_request(t->cancel_on_first);
    }
    kiln_sink s = kiln_capture_sink(t->cap);
    s.ops->stream(s.ctx, which, text, len);
}

static void timed_error(void *ctx, const kiln_error *err)
{
    timed *t = ctx;
    kiln_sink s = kiln_capture_sink(t->cap);
    s.ops->error(s.ctx, err);
}

static const kiln_sink_ops timed_ops = {.stream = timed_stream,
                                        .error = timed_error};

static void test_shell_streams_as_it_runs(void **state)
{
    fixture *f = *state;
    kiln_capture_reset(f->cap);
    timed t = {.cap = f->cap, .t0 = now_s(), .first_out = -1};
    kiln_sink sink = {&timed_ops, &t};
    assert_int_equal(kiln_interp_execute(f->in,
                                         "!echo first; sleep 0.6; echo second",
                                         NULL, &sink, NULL),
                     KILN_OK);
    double total = now_s() - t.t0;
    assert_true(total >= 0.6);
    /* "first" was forwarded long before the command ended. */
    assert_true(t.first_out >= 0 && t.first_out < 0.4);
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT),
                        "first\nsecond\n");
    assert_true(kiln_capture_count_kind(f->cap, KILN_EVENT_STREAM) >= 2);
}

static void test_shell_both_streams(void **state)
{
    fixture *f = *state;
    exec_want(f, "!echo o1; echo e1 >&2; printf 'no newline' >&2; exit 7",
              KILN_OK, NULL);
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT), "o1\n");
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDERR),
                        "e1\nno newline\nexit status 7\n");
    exec_want(f, "!true", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count(f->cap), 0);
    exec_want(f, "!no_such_command_kiln_test 2>/dev/null", KILN_OK, NULL);
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDERR),
                        "exit status 127\n");
    /* stdin is /dev/null: cat ends at once. */
    exec_want(f, "!cat", KILN_OK, NULL);
    assert_int_equal(kiln_capture_count(f->cap), 0);
}

static void test_shell_large_output(void **state)
{
    fixture *f = *state;
    exec_want(f, "!seq 1 100000", KILN_OK, NULL);
    const char *out = kiln_capture_stream_text(f->cap, KILN_STDOUT);
    assert_int_equal(strlen(out), 588895);
    assert_true(strncmp(out, "1\n2\n3\n", 6) == 0);
    assert_non_null(strstr(out, "\n99999\n100000\n"));
}

static bool valid_utf8_end(const char *s, size_t n)
{
    /* The text does not end inside a multi-byte sequence. */
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)s[n - back];
        if ((c & 0xC0) == 0x80)
            continue;
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need <= back;
    }
    return true;
}

static void test_shell_utf8_boundaries(void **state)
{
    fixture *f = *state;
    exec_want(f, "!printf 'a\\303'; sleep 0.3; printf '\\251b\\342\\202'; "
                 "sleep 0.3; printf '\\254\\n'",
              KILN_OK, NULL);
    for (size_t i = 0; i < kiln_capture_count(f->cap); i++) {
        const kiln_event *e = kiln_capture_event(f->cap, i);
        assert_true(valid_utf8_end(e->text, e->len));
    }
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT),
                        "aéb€\n");
}

static void test_shell_background_job(void **state)
{
    fixture *f = *state;
    double t0 = now_s();
    exec_want(f, "!sleep 2 & echo started", KILN_OK, NULL);
    /* The background job holds the pipes, but the cell does not wait. */
    assert_true(now_s() - t0 < 1.0);
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT),
                        "started\n");
}

/* Processes of a process group that are not zombies (Linux /proc). */
static int live_in_group(pid_t pgid)
{
    DIR *d = opendir("/proc");
    if (d == NULL)
        return -1;
    int live = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] < '0' || ent->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", ent->d_name);
        FILE *fp = fopen(path, "r");
        if (fp == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, fp);
        fclose(fp);
        buf[n] = '\0';
        /* pid (comm) state ppid pgrp ...; comm may hold spaces. */
        char *close = strrchr(buf, ')');
        char st;
        int ppid, pgrp;
        if (close != NULL &&
            sscanf(close + 1, " %c %d %d", &st, &ppid, &pgrp) == 3 &&
            pgrp == pgid && st != 'Z')
            live++;
    }
    closedir(d);
    return live;
}

typedef struct canceller {
    kiln_cancel *cancel;
    long after_ms;
    double at;
} canceller;

static int cancel_later(void *arg)
{
    canceller *c = arg;
    sleep_ms(c->after_ms);
    c->at = now_s();
    kiln_cancel_request(c->cancel);
    return 0;
}

/* Run code, cancel it from another thread after 300 ms; return how long the
 * cell took after the request.  *pgid gets the shell's pid (printed first
 * by the code). */
static double interrupt_run(fixture *f, const char *code, pid_t *pgid)
{
    kiln_capture_reset(f->cap);
    kiln_cancel_reset(&f->cancel);
    canceller c = {.cancel = &f->cancel, .after_ms = 300};
    thrd_t th;
    assert_int_equal(thrd_create(&th, cancel_later, &c), thrd_success);
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_interp_execute(f->in, code, NULL, &f->sink, &err);
    double took = now_s() - c.at;
    thrd_join(th, NULL);
    assert_int_equal(rc, KILN_INTERRUPTED);
    assert_string_equal(kiln_status_ename(err.code), "Interrupted");
    assert_non_null(strstr(err.message, "stopped"));
    assert_true(err.message[0] == '!');
    assert_int_equal(kiln_capture_count_kind(f->cap, KILN_EVENT_ERROR), 1);
    *pgid = (pid_t)atol(kiln_capture_stream_text(f->cap, KILN_STDOUT));
    assert_true(*pgid > 1);
    return took;
}

/* No child is left, not even a zombie, and the group has died out. */
static void assert_no_leftovers(pid_t pgid)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
    int live = 0;
    for (int i = 0; i < 50; i++) {
        live = live_in_group(pgid);
        if (live == 0)
            break;
        sleep_ms(20);
    }
    assert_int_equal(live, 0);
}

static void test_shell_interrupt(void **state)
{
    fixture *f = *state;
    pid_t pgid;
    double took = interrupt_run(f, "!echo $$$$; sleep 5", &pgid);
    assert_true(took < 1.5);
    assert_no_leftovers(pgid);
    /* The interpreter goes on afterwards. */
    exec_want(f, "6 * 7", KILN_OK, NULL);
    assert_string_equal(result_text(f), "42");
}

static void test_shell_interrupt_escalates(void **state)
{
    fixture *f = *state;
    pid_t pgid;
    /* SIGINT ignored: SIGTERM one second later ends it. */
    double took = interrupt_run(f, "!trap '' INT; echo $$$$; sleep 5", &pgid);
    assert_true(took >= 0.9 && took < 1.8);
    assert_no_leftovers(pgid);
    /* SIGINT and SIGTERM ignored: SIGKILL after two seconds. */
    took = interrupt_run(f, "!trap '' INT TERM; echo $$$$; sleep 5", &pgid);
    assert_true(took >= 1.9 && took < 2.8);
    assert_no_leftovers(pgid);
}

static void test_interrupt_between_lines(void **state)
{
    fixture *f = *state;
    kiln_capture_reset(f->cap);
    kiln_cancel_reset(&f->cancel);
    timed t = {.cap = f->cap, .t0 = now_s(), .first_out = -1,
               .cancel_on_first = &f->cancel};
    kiln_sink sink = {&timed_ops, &t};
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_interp_execute(f->in, "%echo one\n%echo two", NULL,
                                         &sink, &err),
                     KILN_INTERRUPTED);
    assert_string_equal(err.message, "interrupted before cell line 2");
    assert_string_equal(kiln_capture_stream_text(f->cap, KILN_STDOUT),
                        "one\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_reporting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_keeps_earlier_values, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_result_too_large_to_show, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_augmented, setup, teardown),
        cmocka_unit_test_setup_teardown(test_substitution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_before_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_eval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_is_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_cells, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inspect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shell_streams_as_it_runs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shell_both_streams, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shell_large_output, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shell_utf8_boundaries, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shell_background_job, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_shell_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shell_interrupt_escalates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_between_lines, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
