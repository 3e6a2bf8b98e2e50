/* Tests of magics/cell.c: logical lines and is_complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "magics/cell.h"

#include <stdio.h>
#include <string.h>

/* Split code, asserting success. */
static void split(const char *code, kiln_cell *cell)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_cell_init(cell);
    assert_int_equal(kiln_cell_split(code, strlen(code), cell, &err), KILN_OK);
}

static const kiln_line *nonblank(const kiln_cell *cell, size_t k)
{
    for (size_t i = 0; i < cell->count; i++)
        if (cell->lines[i].kind != KILN_LINE_BLANK && k-- == 0)
            return &cell->lines[i];
    fail_msg("fewer than %zu non-blank lines", k + 1);
    return NULL;
}

/* The name part of a line as a string (static buffer). */
static const char *name_of(const kiln_line *l)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "%.*s", (int)l->name_len, l->text + l->name);
    return buf;
}

static const char *arg_of(const kiln_line *l)
{
    return l->text + l->arg;
}

static void test_kinds(void **state)
{
    (void)state;
    kiln_cell c;
    split("\n"
          "# a comment\n"
          "x = 1\n"
          "x + 2\n"
          "%echo hi $x\n"
          "!ls -l\n"
          "x?\n"
          "?%echo\n"
          "%%html??\n"
          "   \n",
          &c);
    assert_int_equal(c.count, 10);
    assert_int_equal(c.lines[0].kind, KILN_LINE_BLANK);
    assert_int_equal(c.lines[1].kind, KILN_LINE_BLANK);
    assert_int_equal(c.lines[2].kind, KILN_LINE_ASSIGN);
    assert_string_equal(name_of(&c.lines[2]), "x");
    assert_string_equal(c.lines[2].op, "=");
    assert_string_equal(arg_of(&c.lines[2]), " 1");
    assert_int_equal(c.lines[2].lineno, 3);
    assert_int_equal(c.lines[3].kind, KILN_LINE_EXPR);
    assert_int_equal(c.lines[3].arg, 0);
    assert_int_equal(c.lines[4].kind, KILN_LINE_MAGIC);
    assert_string_equal(name_of(&c.lines[4]), "echo");
    assert_string_equal(arg_of(&c.lines[4]), "hi $x");
    assert_int_equal(c.lines[5].kind, KILN_LINE_SHELL);
    assert_string_equal(arg_of(&c.lines[5]), "ls -l");
    assert_int_equal(c.lines[6].kind, KILN_LINE_HELP);
    assert_string_equal(name_of(&c.lines[6]), "x");
    assert_int_equal(c.lines[6].help_level, 1);
    assert_int_equal(c.lines[7].kind, KILN_LINE_HELP);
    assert_string_equal(name_of(&c.lines[7]), "%echo");
    assert_int_equal(c.lines[8].kind, KILN_LINE_HELP);
    assert_string_equal(name_of(&c.lines[8]), "%%html");
    assert_int_equal(c.lines[8].help_level, 2);
    assert_false(c.lines[8].help_bad);
    assert_int_equal(c.lines[9].kind, KILN_LINE_BLANK);
    assert_int_equal(c.lines[9].lineno, 10);
    kiln_cell_fini(&c);
}

static void test_assign_ops(void **state)
{
    (void)state;
    static const char *const ops[] = {"=", "+=", "-=", "*=", "/=", "//=",
                                      "%=", "**="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char code[64];
        snprintf(code, sizeof code, "rate %s 2", ops[i]);
        kiln_cell c;
        split(code, &c);
        assert_int_equal(c.count, 1);
        assert_int_equal(c.lines[0].kind, KILN_LINE_ASSIGN);
        assert_string_equal(c.lines[0].op, ops[i]);
        assert_string_equal(name_of(&c.lines[0]), "rate");
        assert_string_equal(arg_of(&c.lines[0]), " 2");
        kiln_cell_fini(&c);
    }
    /* Not assignments. */
    static const char *const exprs[] = {"x == 1", "1 = x", "True = 1",
                                        "x.y = 2", "f(x=1)"};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        kiln_cell c;
        split(exprs[i], &c);
        assert_int_equal(c.lines[0].kind, KILN_LINE_EXPR);
        kiln_cell_fini(&c);
    }
}

static void test_help_forms(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        kiln_line_kind kind;
        const char *target;
        int level;
        bool bad;
    } cases[] = {
        {"x?", KILN_LINE_HELP, "x", 1, false},
        {"x??", KILN_LINE_HELP, "x", 2, false},
        {"?x", KILN_LINE_HELP, "x", 1, false},
        {"??x", KILN_LINE_HELP, "x", 2, false},
        {"%echo?", KILN_LINE_HELP, "%echo", 1, false},
        {"?%%json", KILN_LINE_HELP, "%%json", 1, false},
        {"?", KILN_LINE_HELP, "", 1, false},
        {"  len? ", KILN_LINE_HELP, "len", 1, false},
        {"?x y", KILN_LINE_HELP, "x y", 1, true},
        {"?x?", KILN_LINE_HELP, "x", 1, true},
        {"%echo what?", KILN_LINE_MAGIC, "echo", 0, false},
        {"x?y", KILN_LINE_EXPR, "", 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_cell c;
        split(cases[i].code, &c);
        const kiln_line *l = nonblank(&c, 0);
        assert_int_equal(l->kind, cases[i].kind);
        if (l->kind == KILN_LINE_HELP) {
            assert_string_equal(name_of(l), cases[i].target);
            assert_int_equal(l->help_level, cases[i].level);
            assert_int_equal(l->help_bad, cases[i].bad);
        } else if (l->kind == KILN_LINE_MAGIC) {
            assert_string_equal(name_of(l), cases[i].target);
        }
        kiln_cell_fini(&c);
    }
}

static void test_implicit_join(void **state)
{
    (void)state;
    kiln_cell c;
    split("x = [1,\n"
          "     2,  # two\n"
          "     3]\n"
          "s = '''a\n"
          "b'''\n"
          "y = {'k': '#(',\n"
          "     'v': 1}\n",
          &c);
    assert_int_equal(c.count, 3);
    const kiln_line *l = &c.lines[0];
    assert_int_equal(l->kind, KILN_LINE_ASSIGN);
    assert_int_equal(l->lineno, 1);
    assert_int_equal(l->nlines, 3);
    /* The text is the cell's, comments included. */
    assert_string_equal(l->text, "x = [1,\n     2,  # two\n     3]");
    assert_int_equal(l->span, l->len);
    assert_int_equal(c.lines[1].lineno, 4);
    assert_int_equal(c.lines[1].nlines, 2);
    assert_int_equal(c.lines[2].lineno, 6);
    assert_string_equal(c.lines[2].text, "y = {'k': '#(',\n     'v': 1}");
    assert_false(c.lines[2].open);
    kiln_cell_fini(&c);
}

static void test_explicit_join(void **state)
{
    (void)state;
    kiln_cell c;
    split("total = 1 + \\\n"
          "    2\n"
          "%echo a \\\n"
          "b\n"
          "!echo x \\\n"
          "  y\n"
          "z = 3 # not a continuation \\\n"
          "z\n",
          &c);
    assert_int_equal(c.count, 5);
    assert_int_equal(c.lines[0].kind, KILN_LINE_ASSIGN);
    assert_string_equal(c.lines[0].text, "total = 1 + \\\n    2");
    assert_int_equal(c.lines[0].nlines, 2);
    assert_int_equal(c.lines[1].kind, KILN_LINE_MAGIC);
    assert_int_equal(c.lines[1].lineno, 3);
    assert_string_equal(c.lines[1].text, "%echo a b");
    assert_int_equal(c.lines[2].kind, KILN_LINE_SHELL);
    assert_string_equal(arg_of(&c.lines[2]), "echo x   y");
    assert_int_equal(c.lines[3].kind, KILN_LINE_ASSIGN);
    assert_int_equal(c.lines[3].lineno, 7);
    assert_int_equal(c.lines[3].nlines, 1);
    assert_int_equal(c.lines[4].kind, KILN_LINE_EXPR);
    assert_int_equal(c.lines[4].lineno, 8);
    kiln_cell_fini(&c);
}

static void test_string_continuation(void **state)
{
    (void)state;
    /* A backslash-newline inside a string stays in the string. */
    kiln_cell c;
    split("s = 'ab\\\ncd'\nt = 1", &c);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.lines[0].text, "s = 'ab\\\ncd'");
    assert_int_equal(c.lines[1].lineno, 3);
    kiln_cell_fini(&c);
}

static void test_quiet(void **state)
{
    (void)state;
    kiln_cell c;
    split("6 * 7;\nx = ';'\n'a;'  ;  # done; really\n[1,\n 2];  # ;\n"
          "y = 1 # ;",
          &c);
    assert_true(c.lines[0].quiet);
    assert_string_equal(c.lines[0].text, "6 * 7 ");
    assert_false(c.lines[1].quiet);
    assert_true(c.lines[2].quiet);
    assert_int_equal(c.lines[2].kind, KILN_LINE_EXPR);
    assert_string_equal(c.lines[2].text, "'a;'     # done; really");
    assert_true(c.lines[3].quiet);
    assert_string_equal(c.lines[3].text, "[1,\n 2]   # ;");
    assert_false(c.lines[4].quiet);
    assert_int_equal(c.lines[4].kind, KILN_LINE_ASSIGN);
    kiln_cell_fini(&c);
}

static void test_cell_magic(void **state)
{
    (void)state;
    kiln_cell c;
    split("\n%%json --x  \n{\"a\": 1}\n\n", &c);
    assert_int_equal(c.count, 2);
    const kiln_line *l = &c.lines[1];
    assert_int_equal(l->kind, KILN_LINE_CELL_MAGIC);
    assert_true(l->first);
    assert_int_equal(l->lineno, 2);
    assert_string_equal(name_of(l), "json");
    assert_string_equal(arg_of(l), "--x");
    assert_string_equal(l->body, "{\"a\": 1}\n\n");
    assert_int_equal(l->body_lineno, 3);
    kiln_cell_fini(&c);

    /* Only the %% line: an empty body. */
    split("%%html", &c);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.lines[0].body, "");
    kiln_cell_fini(&c);

    /* Not first: a line of its own, reported later. */
    split("x = 1\n%%html\n<b>", &c);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.lines[1].kind, KILN_LINE_CELL_MAGIC);
    assert_false(c.lines[1].first);
    assert_null(c.lines[1].body);
    kiln_cell_fini(&c);

    /* A comment before it counts as code. */
    split("# hi\n%%html\n<b>", &c);
    assert_false(nonblank(&c, 0)->first);
    kiln_cell_fini(&c);
}

static void test_crlf(void **state)
{
    (void)state;
    kiln_cell c;
    split("x = 1\r\n%echo hi\r\ny = (2,\r\n3)\r\n", &c);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.lines[0].kind, KILN_LINE_ASSIGN);
    assert_string_equal(c.lines[1].text, "%echo hi");
    assert_int_equal(c.lines[2].nlines, 2);
    kiln_cell_fini(&c);
}

static void test_locate(void **state)
{
    (void)state;
    const char *code = "ab\ncd\n\nef";
    int line;
    size_t start;
    kiln_cell_locate(code, strlen(code), 4, &line, &start);
    assert_int_equal(line, 2);
    assert_int_equal(start, 3);
    kiln_cell_locate(code, strlen(code), 7, &line, &start);
    assert_int_equal(line, 4);
    assert_int_equal(start, 7);
    kiln_cell_locate(code, strlen(code), 0, &line, &start);
    assert_int_equal(line, 1);
    assert_int_equal(start, 0);
}

static void test_is_complete(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        kiln_completeness want;
        const char *indent;
    } cases[] = {
        {"", KILN_COMPLETE, ""},
        {"   \n", KILN_COMPLETE, ""},
        {"6 * 7", KILN_COMPLETE, ""},
        {"x = 1\ny = 2\n", KILN_COMPLETE, ""},
        {"%echo hi", KILN_COMPLETE, ""},
        {"%echo )", KILN_COMPLETE, ""},
        {"!echo 'it", KILN_COMPLETE, ""},
        {"# (", KILN_COMPLETE, ""},
        {"x = '('", KILN_COMPLETE, ""},
        {"x = [1,", KILN_INCOMPLETE, "    "},
        {"x = [1,\n", KILN_INCOMPLETE, "    "},
        {"x = {'a': (1,\n 2", KILN_INCOMPLETE, "    "},
        {"x = 'abc", KILN_INCOMPLETE, ""},
        {"x = '''abc\n", KILN_INCOMPLETE, ""},
        {"x = 1 + \\", KILN_INCOMPLETE, ""},
        {"x = 1 + \\\n", KILN_INCOMPLETE, ""},
        {"%echo a \\", KILN_INCOMPLETE, ""},
        {"!ls \\", KILN_INCOMPLETE, ""},
        {"x = 1\ny = (", KILN_INCOMPLETE, "    "},
        {"%%html", KILN_INCOMPLETE, ""},
        {"%%html\n<b>x</b>", KILN_INCOMPLETE, ""},
        {"%%html\n<b>x</b>\n", KILN_INCOMPLETE, ""},
        {"%%html\n<b>x</b>\n\n", KILN_COMPLETE, ""},
        {"\n%%json\n{\n", KILN_INCOMPLETE, ""},
        {"%%json\n{\n}\n  \n", KILN_COMPLETE, ""},
        {"x = )", KILN_INVALID, ""},
        {"x = (1]", KILN_INVALID, ""},
        {"x = 1)\ny = (", KILN_INVALID, ""},
        {"x = 'abc\ny = 2", KILN_INVALID, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *indent = "unset";
        kiln_completeness got = kiln_cell_is_complete(
            cases[i].code, strlen(cases[i].code), &indent);
        if (got != cases[i].want)
            fail_msg("is_complete(\"%s\") = %d, want %d", cases[i].code,
                     (int)got, (int)cases[i].want);
        if (got == KILN_INCOMPLETE)
            assert_string_equal(indent, cases[i].indent);
    }
    assert_int_equal(kiln_cell_is_complete("x = [", 5, NULL), KILN_INCOMPLETE);
}

/* Whatever the bytes, splitting succeeds and every line's span lies in the
 * cell. */
static void test_garbage(void **state)
{
    (void)state;
    static const char *const cells[] = {
        "\\", "\\\n", "%", "%%", "!", "?", "??", "???", "%%%x", "((((",
        ")))", "'''", "\"", "x = \\\n\\\n\\", "# \\\n%%html", "%%\n", "\r\n\r",
        "%echo \\\r\n", "?\n?\n", "x = [\n# ]\n",
    };
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        kiln_cell c;
        split(cells[i], &c);
        size_t len = strlen(cells[i]);
        for (size_t k = 0; k < c.count; k++) {
            assert_true(c.lines[k].start + c.lines[k].span <= len);
            assert_non_null(c.lines[k].text);
            assert_int_equal(strlen(c.lines[k].text), c.lines[k].len);
        }
        kiln_cell_fini(&c);
        (void)kiln_cell_is_complete(cells[i], len, NULL);
    }
}

/* Random cells from the characters that matter to the splitter: no crash,
 * spans inside the cell, and lines in order. */
static void test_random(void **state)
{
    (void)state;
    static const char alphabet[] = "x1 =+-*/()[]{}'\"#%$?\\\n\r\t:;!é";
    unsigned seed = 12345;
    for (int iter = 0; iter < 3000; iter++) {
        char code[96];
        size_t n = (size_t)(iter % 90);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            code[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        code[n] = '\0';
        kiln_cell c;
        split(code, &c);
        size_t pos = 0;
        for (size_t k = 0; k < c.count; k++) {
            const kiln_line *l = &c.lines[k];
            assert_true(l->start >= pos);
            assert_true(l->start + l->span <= n);
            assert_true(l->name + l->name_len <= l->len);
            assert_true(l->arg <= l->len);
            pos = l->start + l->span;
        }
        kiln_cell_fini(&c);
        (void)kiln_cell_is_complete(code, n, NULL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_assign_ops),
        cmocka_unit_test(test_help_forms),
        cmocka_unit_test(test_implicit_join),
        cmocka_unit_test(test_explicit_join),
        cmocka_unit_test(test_string_continuation),
        cmocka_unit_test(test_quiet),
        cmocka_unit_test(test_cell_magic),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_locate),
        cmocka_unit_test(test_is_complete),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
