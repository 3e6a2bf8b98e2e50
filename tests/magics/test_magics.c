/* Tests of the magic table and the magics: the golden cases in
 * tests/magics/golden/<case>/ (cell.kiln, optional setup.kiln run first,
 * expected.txt as dump.h writes it), and checks of the table itself.
 *
 * KILN_GOLDEN=<dir> runs another folder; KILN_GOLDEN_UPDATE=1 rewrites each
 * expected.txt from what the cell does now (review the diff!).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dump.h"
#include "magics/expr_impl.h"
#include "magics/interp.h"
#include "magics/registry.h"
#include "magics/table.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef KILN_TEST_SRC
#error "tests/meson.build defines KILN_TEST_SRC, the tests/ source folder"
#endif

/* The whole file, or NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    kiln_buf b;
    kiln_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        kiln_buf_append(&b, chunk, n);
    fclose(f);
    return kiln_buf_steal(&b);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one case; returns whether it matched. */
static bool golden_case(const char *dir, const char *name, bool update)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/cell.kiln", dir, name);
    char *cell = slurp(path);
    if (cell == NULL) {
        print_error("golden %s: cannot read %s\n", name, path);
        return false;
    }
    snprintf(path, sizeof path, "%s/%s/setup.kiln", dir, name);
    char *setup = slurp(path);

    kiln_interp *in = kiln_interp_new(NULL);
    kiln_capture *cap = kiln_capture_new();
    assert_non_null(in);
    assert_non_null(cap);
    kiln_sink sink = kiln_capture_sink(cap);
    kiln_exec_opts opts = {.execution_count = 1};
    bool ok = true;
    if (setup != NULL) {
        int rc = kiln_interp_execute(in, setup, &opts, &sink, NULL);
        if (rc != KILN_OK) {
            print_error("golden %s: setup.kiln failed (%s)\n", name,
                        kiln_status_ename(rc));
            ok = false;
        }
        kiln_capture_reset(cap);
    }
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_interp_execute(in, cell, &opts, &sink, &err);
    kiln_buf got;
    kiln_buf_init(&got);
    dump_events(cap, rc, &got);

    snprintf(path, sizeof path, "%s/%s/expected.txt", dir, name);
    if (update) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(got.data, 1, got.len, f);
        fclose(f);
    } else {
        char *want = slurp(path);
        if (want == NULL || strcmp(want, kiln_buf_str(&got)) != 0) {
            print_error("golden %s differs\n--- expected\n%s--- got\n%s---\n",
                        name, want ? want : "(missing)", kiln_buf_str(&got));
            ok = false;
        }
        free(want);
    }
    /* The error the caller gets is the one the sink got. */
    if (rc != KILN_OK) {
        const kiln_event *e = kiln_capture_first(cap, KILN_EVENT_ERROR);
        assert_non_null(e);
        assert_int_equal(err.code, rc);
        assert_string_equal(err.message, e->error.message);
        assert_string_equal(err.context, e->error.context);
        assert_int_equal(kiln_capture_count_kind(cap, KILN_EVENT_ERROR), 1);
    } else {
        assert_int_equal(kiln_capture_count_kind(cap, KILN_EVENT_ERROR), 0);
    }
    kiln_buf_fini(&got);
    kiln_capture_free(cap);
    kiln_interp_free(in);
    free(setup);
    free(cell);
    return ok;
}

static void test_golden(void **state)
{
    (void)state;
    const char *dir = getenv("KILN_GOLDEN");
    if (dir == NULL)
        dir = KILN_TEST_SRC "/magics/golden";
    bool update = getenv("KILN_GOLDEN_UPDATE") != NULL;
    DIR *d = opendir(dir);
    if (d == NULL)
        fail_msg("cannot open the golden folder %s", dir);
    char **names = NULL;
    size_t count = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.')
            continue;
        names = realloc(names, (count + 1) * sizeof *names);
        assert_non_null(names);
        names[count++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, count, sizeof *names, by_name);
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (!golden_case(dir, names[i], update))
            failed++;
        free(names[i]);
    }
    free(names);
    if (failed > 0)
        fail_msg("%zu of %zu golden cases failed", failed, count);
    assert_true(count >= 25);
}

/* ---- the table ---------------------------------------------------------- */

static bool is_lower_name(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

static void test_registry(void **state)
{
    (void)state;
    size_t n = kiln_registry_count();
    assert_true(n >= 8);
    for (size_t i = 0; i < n; i++) {
        const kiln_magic *m = kiln_registry_get(i);
        assert_true(is_lower_name(m->name));
        if (i > 0)
            assert_true(strcmp(kiln_registry_get(i - 1)->name, m->name) < 0);
        assert_ptr_equal(kiln_registry_find(m->name, strlen(m->name)), m);
        assert_true(m->kinds != 0);
        assert_non_null(m->run);
        assert_non_null(m->summary);
        size_t sl = strlen(m->summary);
        assert_true(sl > 0 && m->summary[sl - 1] != '.');
        bool rest_seen = false, many_seen = false;
        for (const kiln_arg_spec *a = m->args; a != NULL && a->name; a++) {
            for (const kiln_arg_spec *b = a + 1; b->name; b++)
                assert_string_not_equal(a->name, b->name);
            bool positional = (a->flags & KILN_ARG_POSITIONAL) != 0;
            if (positional) {
                /* REST and MANY come last. */
                assert_false(rest_seen || many_seen);
                rest_seen = a->type == KILN_ARG_REST;
                many_seen = (a->flags & KILN_ARG_MANY) != 0;
            } else {
                assert_true(a->type != KILN_ARG_REST);
            }
            if (a->type == KILN_ARG_CHOICE)
                assert_non_null(a->choices);
            assert_non_null(a->help);
            /* A default passes the option's own check. */
            if (a->def != NULL && !positional) {
                char text[256];
                snprintf(text, sizeof text, "--%s=%s", a->name, a->def);
                kiln_args *args = NULL;
                kiln_error err;
                kiln_error_init(&err);
                if (kiln_args_parse(m->args, false, m->name, text,
                                    strlen(text), &args, &err) != KILN_OK &&
                    strstr(err.message, "missing") == NULL)
                    fail_msg("%%%s --%s default: %s", m->name, a->name,
                             err.message);
                kiln_args_free(args);
            }
        }
    }
    assert_null(kiln_registry_get(n));
    assert_null(kiln_registry_find("nope", 4));
    assert_null(kiln_registry_find("echo", 3));
}

static void test_help_bundles(void **state)
{
    (void)state;
    for (size_t i = 0; i < kiln_registry_count(); i++) {
        const kiln_magic *m = kiln_registry_get(i);
        kiln_bundle *b = NULL;
        assert_int_equal(kiln_registry_help(m, &b), KILN_OK);
        const char *text = kiln_bundle_find(b, "text/plain", NULL);
        const char *html = kiln_bundle_find(b, "text/html", NULL);
        assert_non_null(text);
        assert_non_null(html);
        char form[64];
        snprintf(form, sizeof form, "%s%s",
                 (m->kinds & KILN_MAGIC_LINE) ? "%" : "%%", m->name);
        assert_true(strncmp(text, form, strlen(form)) == 0);
        assert_non_null(strstr(text, m->summary));
        assert_non_null(strstr(html, "<pre>"));
        kiln_bundle_free(b);
    }
}

static void test_unknown_suggestions(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_registry_unknown("ech", 3, false, &err), KILN_USAGE);
    assert_string_equal(err.message,
                        "unknown magic %ech; did you mean %echo?");
    kiln_error_init(&err);
    kiln_registry_unknown("jsn", 3, true, &err);
    assert_string_equal(err.message, "unknown magic %%jsn; did you mean "
                                     "%%json?");
    kiln_error_init(&err);
    kiln_registry_unknown("htm", 3, false, &err);
    assert_string_equal(err.message, "unknown magic %htm; did you mean "
                                     "%%html?");
    kiln_error_init(&err);
    kiln_registry_unknown("qqqqqq", 6, false, &err);
    assert_string_equal(err.message,
                        "unknown magic %qqqqqq; %lsmagic lists the magics");
}

/* The builtins that inspect documents are the expression language's. */
static void test_builtins_known(void **state)
{
    (void)state;
    static const char *const names[] = {"abs", "bool", "float", "int", "len",
                                        "max", "min", "round", "str"};
    kiln_interp *in = kiln_interp_new(NULL);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_true(kiln__builtin_find(names[i], strlen(names[i])) >= 0);
        bool found = false;
        kiln_bundle *b = NULL;
        assert_int_equal(kiln_interp_inspect(in, names[i], 1, 0, &found, &b),
                         KILN_OK);
        assert_true(found);
        assert_non_null(strstr(kiln_bundle_find(b, "text/plain", NULL),
                               "Builtin function"));
        kiln_bundle_free(b);
    }
    kiln_interp_free(in);
}

/* ---- tables ------------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    static const char *const headers[] = {"Name", "Wert"};
    kiln_table *t = kiln_table_new(2, headers);
    assert_non_null(t);
    assert_null(kiln_table_new(0, NULL));
    assert_int_equal(kiln_table_add(t, (const char *[]){"é", "<b>&"}), KILN_OK);
    assert_int_equal(kiln_table_add(t, (const char *[]){"longer", NULL}),
                     KILN_OK);
    assert_int_equal(kiln_table_rows(t), 2);
    kiln_buf b;
    kiln_buf_init(&b);
    assert_int_equal(kiln_table_text(t, 2, &b), KILN_OK);
    assert_string_equal(kiln_buf_str(&b), "  Name    Wert\n"
                                          "  ------------\n"
                                          "  é       <b>&\n"
                                          "  longer\n");
    kiln_buf_clear(&b);
    assert_int_equal(kiln_table_html(t, &b), KILN_OK);
    assert_string_equal(kiln_buf_str(&b),
                        "<table>\n"
                        "<thead><tr><th>Name</th><th>Wert</th></tr>\n"
                        "</thead>\n<tbody>\n"
                        "<tr><td>é</td><td>&lt;b&gt;&amp;</td></tr>\n"
                        "<tr><td>longer</td><td></td></tr>\n"
                        "</tbody>\n</table>\n");
    kiln_buf_fini(&b);
    kiln_table_free(t);
}

/* ---- magics in detail --------------------------------------------------- */

/* Run a cell in a new interpreter; the capture is returned for checks. */
static kiln_capture *run_cell(const char *setup, const char *code, int want)
{
    kiln_interp *in = kiln_interp_new(NULL);
    kiln_capture *cap = kiln_capture_new();
    kiln_sink sink = kiln_capture_sink(cap);
    if (setup != NULL)
        assert_int_equal(kiln_interp_execute(in, setup, NULL, &sink, NULL),
                         KILN_OK);
    kiln_capture_reset(cap);
    int rc = kiln_interp_execute(in, code, NULL, &sink, NULL);
    if (rc != want) {
        const kiln_event *e = kiln_capture_first(cap, KILN_EVENT_ERROR);
        fail_msg("%s: status %d, want %d (%s)", code, rc, want,
                 e ? e->error.message : "");
    }
    kiln_interp_free(in);
    return cap;
}

static void test_json_pretty(void **state)
{
    (void)state;
    kiln_capture *cap = run_cell(
        NULL,
        "%%json\n"
        "{\"a\": 0.1, \"b\": [1, 2.5e-8, 1e22, true, null, -0.0],\n"
        " \"c\": {}, \"d\": [], \"é\": \"x\\\"y\\u00e9\", \"n\": "
        "9007199254740993}\n",
        KILN_OK);
    const kiln_event *e = kiln_capture_first(cap, KILN_EVENT_DISPLAY);
    assert_non_null(e);
    assert_string_equal(kiln_bundle_find(e->bundle, "text/plain", NULL),
                        "{\n"
                        "  \"a\": 0.1,\n"
                        "  \"b\": [\n"
                        "    1,\n"
                        "    2.5e-08,\n"
                        "    1e+22,\n"
                        "    true,\n"
                        "    null,\n"
                        "    -0.0\n"
                        "  ],\n"
                        "  \"c\": {},\n"
                        "  \"d\": [],\n"
                        "  \"é\": \"x\\\"yé\",\n"
                        "  \"n\": 9007199254740993\n"
                        "}");
    /* application/json is the body as written, a JSON value. */
    kiln_bundle_kind kind = KILN_BUNDLE_TEXT;
    for (size_t i = 0; i < kiln_bundle_count(e->bundle); i++) {
        const char *mime;
        kiln_bundle_get(e->bundle, i, &mime, &kind, NULL, NULL);
        if (strcmp(mime, "application/json") == 0)
            break;
    }
    assert_int_equal(kind, KILN_BUNDLE_JSON);
    assert_true(strncmp(kiln_bundle_find(e->bundle, "application/json", NULL),
                        "{\"a\": 0.1,", 10) == 0);
    kiln_capture_free(cap);
}

static void test_json_substitution(void **state)
{
    (void)state;
    kiln_capture *cap = run_cell("cfg = {'depth': 6, 'eta': 0.3}\nname = 'r\"1'",
                                 "%%json\n{\"hp\": $cfg, \"name\": \"$name\"}",
                                 KILN_VALUE);
    /* A str is substituted as its text, so a quote in it breaks the JSON:
     * the error names where. */
    const kiln_event *e = kiln_capture_first(cap, KILN_EVENT_ERROR);
    assert_non_null(strstr(e->error.message, "line 2, column"));
    kiln_capture_free(cap);
    cap = run_cell("cfg = {'depth': 6, 'eta': 0.3}",
                   "%%json\n{\"hp\": $cfg}", KILN_OK);
    e = kiln_capture_first(cap, KILN_EVENT_DISPLAY);
    assert_string_equal(kiln_bundle_find(e->bundle, "application/json", NULL),
                        "{\"hp\": {\"depth\": 6, \"eta\": 0.3}}");
    kiln_capture_free(cap);
}

static void test_clear_wait(void **state)
{
    (void)state;
    kiln_capture *cap = run_cell(NULL, "%clear --wait", KILN_OK);
    const kiln_event *e = kiln_capture_first(cap, KILN_EVENT_CLEAR);
    assert_non_null(e);
    assert_true(e->wait);
    kiln_capture_free(cap);
}

static void test_who_long_values(void **state)
{
    (void)state;
    kiln_capture *cap =
        run_cell("long = 'ü' * 100\nshort = 'ü' * 58", "%who", KILN_OK);
    const kiln_event *e = kiln_capture_first(cap, KILN_EVENT_DISPLAY);
    const char *text = kiln_bundle_find(e->bundle, "text/plain", NULL);
    /* 60 code points at most: the quote, 56 ü and "...". */
    assert_non_null(strstr(text, "'üüü"));
    assert_non_null(strstr(text, "üü..."));
    /* 58 ü and two quotes are exactly 60: shown whole. */
    assert_non_null(strstr(text, "üü'"));
    kiln_capture_free(cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_help_bundles),
        cmocka_unit_test(test_unknown_suggestions),
        cmocka_unit_test(test_builtins_known),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_json_pretty),
        cmocka_unit_test(test_json_substitution),
        cmocka_unit_test(test_clear_wait),
        cmocka_unit_test(test_who_long_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
