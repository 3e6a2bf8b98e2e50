/* kiln — splitting a cell into logical lines (see cell.h). */
#include "cell.h"

#include "chars.h"
#include "expr.h"

#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

void kiln_cell_init(kiln_cell *cell)
{
    cell->lines = NULL;
    cell->count = 0;
}

void kiln_cell_fini(kiln_cell *cell)
{
    for (size_t i = 0; i < cell->count; i++) {
        free(cell->lines[i].text);
        free(cell->lines[i].body);
    }
    free(cell->lines);
    kiln_cell_init(cell);
}

static size_t find_eol(const char *code, size_t len, size_t pos)
{
    const char *nl = memchr(code + pos, '\n', len - pos);
    return nl != NULL ? (size_t)(nl - code) : len;
}

void kiln_cell_locate(const char *code, size_t len, size_t offset,
                      int *lineno, size_t *line_start)
{
    int line = 1;
    size_t start = 0;
    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        if (code[i] == '\n') {
            line++;
            start = i + 1;
        }
    }
    if (lineno != NULL)
        *lineno = line;
    if (line_start != NULL)
        *line_start = start;
}

#define CONTEXT_WIDTH 100 /* longest excerpt of a line in a context */

void kiln_cell_context(kiln_error *err, int lineno, const char *text,
                       size_t n, long caret)
{
    if (err == NULL || err->context[0] != '\0')
        return;
    size_t at = caret >= 0 && (size_t)caret <= n ? (size_t)caret : 0;
    size_t ws = 0, we = n; /* the window shown */
    if (n > CONTEXT_WIDTH) {
        ws = at > CONTEXT_WIDTH / 2 ? at - CONTEXT_WIDTH / 2 : 0;
        we = ws + CONTEXT_WIDTH < n ? ws + CONTEXT_WIDTH : n;
        while (ws > 0 && kiln_is_utf8_cont(text[ws]))
            ws--;
        while (we < n && kiln_is_utf8_cont(text[we]))
            we++;
    }
    kiln_buf b;
    kiln_buf_init(&b);
    int rc = kiln_buf_printf(&b, "  Cell line %d\n    %s%.*s%s", lineno,
                             ws > 0 ? "..." : "", (int)(we - ws), text + ws,
                             we < n ? "..." : "");
    if (rc == KILN_OK && caret >= 0) {
        /* Under the caret's code point, tabs kept so it lines up. */
        rc = kiln_buf_puts(&b, ws > 0 ? "\n       " : "\n    ");
        for (size_t i = ws; i < at && rc == KILN_OK; i++)
            if (!kiln_is_utf8_cont(text[i]))
                rc = kiln_buf_putc(&b, text[i] == '\t' ? '\t' : ' ');
        if (rc == KILN_OK)
            rc = kiln_buf_putc(&b, '^');
    }
    if (rc == KILN_OK)
        kiln_error_set_context(err, "%s", kiln_buf_str(&b));
    kiln_buf_fini(&b);
}

static int push_line(kiln_cell *cell, const kiln_line *line)
{
    kiln_line *grown = realloc(cell->lines, (cell->count + 1) * sizeof *grown);
    if (grown == NULL)
        return KILN_NOMEM;
    cell->lines = grown;
    cell->lines[cell->count++] = *line;
    return KILN_OK;
}

/* ---- help lines --------------------------------------------------------- */

/* Recognise `name?`, `?name`, `%name??`, `?` ... in t[0..n) (trimmed).
 * Returns whether the line is a help request; a line starting with '?' always
 * is one, with help_bad set when its target is not a name. */
static bool classify_help(const char *t, size_t n, kiln_line *line,
                          size_t base)
{
    size_t lead = 0, trail = 0;
    while (lead < n && lead < 2 && t[lead] == '?')
        lead++;
    while (trail < n - lead && trail < 2 && t[n - 1 - trail] == '?')
        trail++;
    if (lead == 0 && trail == 0)
        return false;
    size_t a = lead, b = n - trail;
    while (a < b && kiln_is_blank(t[a]))
        a++;
    while (b > a && kiln_is_blank(t[b - 1]))
        b--;
    /* The target: up to two %, then a name (or nothing, for a bare `?`). */
    size_t p = a;
    while (p < b && p < a + 2 && t[p] == '%')
        p++;
    bool ok = (p < b && kiln_is_name_start(t[p])) || (a == b);
    for (size_t q = p; q < b && ok; q++)
        ok = kiln_is_name_char(t[q]);
    if (lead > 0 && trail > 0)
        ok = false;
    if (!ok && lead == 0)
        return false; /* "%echo what?" is a magic, "x?y" an expression */
    line->kind = KILN_LINE_HELP;
    line->name = base + a;
    line->name_len = b - a;
    line->help_level = (int)(lead > trail ? lead : trail);
    line->help_bad = !ok;
    return true;
}

/* ---- magic, shell and help lines ---------------------------------------- */

/* A line starting with %, ! or ?: physical lines joined after a trailing
 * backslash, the backslash-newline removed. */
static int raw_line(const char *code, size_t len, size_t pos, size_t first,
                    kiln_line *line, size_t *next)
{
    kiln_buf b;
    kiln_buf_init(&b);
    size_t phys = first;
    for (;;) {
        size_t eol = find_eol(code, len, phys);
        size_t end = eol;
        if (end > phys && code[end - 1] == '\r')
            end--;
        bool cont = end > phys && code[end - 1] == '\\';
        if (kiln_buf_append(&b, code + phys, cont ? end - 1 - phys
                                                   : end - phys) != KILN_OK) {
            kiln_buf_fini(&b);
            return KILN_NOMEM;
        }
        line->nlines++;
        if (!cont) {
            line->span = end - pos;
            *next = eol < len ? eol + 1 : len;
            break;
        }
        if (eol >= len || eol + 1 >= len) {
            line->open = true;
            line->span = len - pos;
            *next = len;
            break;
        }
        phys = eol + 1;
    }
    while (b.len > 0 && kiln_is_blank(b.data[b.len - 1]))
        b.data[--b.len] = '\0';
    line->len = b.len;
    line->text = kiln_buf_steal(&b);
    return line->text != NULL ? KILN_OK : KILN_NOMEM;
}

/* The name after the %s of a magic line: its range and where the arguments
 * start. */
static void magic_parts(kiln_line *line, size_t pcts)
{
    const char *t = line->text;
    size_t p = pcts;
    while (p < line->len && kiln_is_name_char(t[p]))
        p++;
    line->name = pcts;
    line->name_len = p - pcts;
    while (p < line->len && kiln_is_blank(t[p]))
        p++;
    line->arg = p;
}

static void classify_raw(kiln_line *line)
{
    const char *t = line->text;
    if (classify_help(t, line->len, line, 0))
        return;
    if (t[0] == '!') {
        line->kind = KILN_LINE_SHELL;
        size_t p = 1;
        while (p < line->len && kiln_is_blank(t[p]))
            p++;
        line->arg = p;
    } else if (t[1] == '%') {
        line->kind = KILN_LINE_CELL_MAGIC; /* not first: reported later */
        magic_parts(line, 2);
    } else {
        line->kind = KILN_LINE_MAGIC;
        magic_parts(line, 1);
    }
}

/* ---- expression and assignment lines ------------------------------------ */

/* Does s[0..n) contain three q in a row? */
static bool has_triple(const char *s, size_t n, char q)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == q && s[i + 1] == q && s[i + 2] == q)
            return true;
    return false;
}

/* Extend *st, the lexical state of src[0..done), to src[0..done+n).
 * kiln_expr_scan cannot resume, and rescanning the whole statement for
 * each of its lines would make a long literal quadratic, so a line is
 * scanned on its own when that gives the same answer: the statement so
 * far is outside any string and the line closes no bracket it did not
 * open.  A line inside a triple-quoted string that cannot end it changes
 * nothing.  Anything else rescans from the start. */
static void advance(const char *src, size_t done, size_t n, kiln_lex_state *st)
{
    const char *chunk = src + done;
    if (st->open_string == 0 && !st->unbalanced) {
        kiln_lex_state line;
        kiln_expr_scan(chunk, n, &line);
        if (!line.unbalanced) {
            st->depth += line.depth;
            st->open_string = line.open_string;
            st->triple = line.triple;
            return;
        }
    } else if (st->triple && !has_triple(chunk, n, (char)st->open_string)) {
        return;
    }
    kiln_expr_scan(src, done + n, st);
}

/* Where the code of the physical line src[from..end) ends: at a '#' that
 * is outside any string, else at end. */
static size_t code_end(const char *src, size_t from, size_t end)
{
    for (size_t i = from; i < end; i++) {
        if (src[i] != '#')
            continue;
        kiln_lex_state st;
        kiln_expr_scan(src, i, &st);
        if (st.open_string == 0)
            return i;
    }
    return end;
}

/* A line of Python-like code: physical lines joined while a bracket or a
 * string is open or after a trailing backslash.  The text is the cell's
 * bytes as they are; the expression code reads comments and continuations
 * itself. */
static int expr_line(const char *code, size_t len, size_t pos,
                     kiln_line *line, size_t *next)
{
    kiln_lex_state st = {0};
    const char *src = code + pos;
    size_t phys = pos, done = 0;
    for (;;) {
        size_t eol = find_eol(code, len, phys);
        line->nlines++;
        advance(src, done, eol - pos - done, &st);
        done = eol - pos;
        size_t end = eol;
        while (end > phys && kiln_is_blank(code[end - 1]))
            end--;
        bool backslash = end > phys && code[end - 1] == '\\' &&
                         st.open_string == 0 &&
                         code_end(src, phys - pos, end - pos) == end - pos;
        bool more = backslash ||
                    ((st.depth > 0 || st.open_string != 0) && !st.unbalanced);
        if (!more || eol >= len || eol + 1 >= len) {
            line->open = more;
            line->span = more && eol < len ? len - pos : eol - pos;
            *next = eol < len ? eol + 1 : len;
            break;
        }
        phys = eol + 1;
    }
    line->depth = st.depth;
    line->unbalanced = st.unbalanced != 0;
    line->text = strndup(src, line->span);
    line->len = line->span;
    return line->text != NULL ? KILN_OK : KILN_NOMEM;
}

/* `name op expr` with op one of = += -= *= /= //= %= **=, else EXPR. */
static void classify_expr(kiln_line *line)
{
    char *t = line->text;
    size_t n = line->len;
    /* The code ends before a comment on the last physical line. */
    size_t last = n;
    while (last > 0 && t[last - 1] != '\n')
        last--;
    size_t end = memchr(t + last, '#', n - last) != NULL
                     ? code_end(t, last, n)
                     : n;
    while (end > 0 && (kiln_is_blank(t[end - 1]) || t[end - 1] == '\n'))
        end--;
    /* A final ';' outside a string means "no result", as in IPython. */
    if (end > 0 && t[end - 1] == ';') {
        kiln_lex_state st;
        kiln_expr_scan(t, end - 1, &st);
        if (st.open_string == 0) {
            t[end - 1] = ' ';
            line->quiet = true;
            end--;
            while (end > 0 && (kiln_is_blank(t[end - 1]) || t[end - 1] == '\n'))
                end--;
        }
    }
    size_t a = 0;
    while (a < end && kiln_is_blank(t[a]))
        a++;
    if (a == end) {
        line->kind = KILN_LINE_BLANK;
        return;
    }
    if (classify_help(t + a, end - a, line, a))
        return;
    line->kind = KILN_LINE_EXPR;
    line->arg = 0;
    size_t p = a;
    while (p < end && kiln_is_name_char(t[p]))
        p++;
    if (p == a || !kiln_is_identifier(t + a, p - a))
        return;
    size_t q = p;
    while (q < end && kiln_is_blank(t[q]))
        q++;
    static const char *const ops[] = {"**=", "//=", "+=", "-=", "*=",
                                      "/=",  "%=",  "="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t k = strlen(ops[i]);
        if (q + k > end || strncmp(t + q, ops[i], k) != 0)
            continue;
        if (k == 1 && q + 1 < end && t[q + 1] == '=')
            return; /* `x == 1` is not an assignment */
        line->kind = KILN_LINE_ASSIGN;
        line->name = a;
        line->name_len = p - a;
        memcpy(line->op, ops[i], k + 1);
        line->arg = q + k;
        return;
    }
}

/* ---- the cell ----------------------------------------------------------- */

static int cell_magic(const char *code, size_t len, size_t pos, size_t first,
                      int lineno, kiln_line *line)
{
    size_t eol = find_eol(code, len, pos);
    size_t end = eol;
    while (end > first && kiln_is_blank(code[end - 1]))
        end--;
    line->kind = KILN_LINE_CELL_MAGIC;
    line->first = true;
    line->nlines = 1;
    line->span = eol - pos;
    line->text = strndup(code + first, end - first);
    size_t body_at = eol < len ? eol + 1 : len;
    line->body = strndup(code + body_at, len - body_at);
    if (line->text == NULL || line->body == NULL)
        return KILN_NOMEM;
    line->len = end - first;
    line->body_len = len - body_at;
    line->body_lineno = lineno + 1;
    magic_parts(line, 2);
    return KILN_OK;
}

int kiln_cell_split(const char *code, size_t len, kiln_cell *cell,
                    kiln_error *err)
{
    size_t pos = 0;
    int lineno = 1;
    bool seen = false; /* a non-blank line came before */
    while (pos < len) {
        kiln_line line = {.lineno = lineno, .start = pos};
        size_t eol = find_eol(code, len, pos);
        size_t p = pos;
        while (p < eol && kiln_is_blank(code[p]))
            p++;
        size_t next = eol < len ? eol + 1 : len;
        int rc = KILN_OK;
        if (p == eol || code[p] == '#') {
            line.kind = KILN_LINE_BLANK;
            line.nlines = 1;
            line.span = eol - pos;
            line.text = strndup(code + pos, eol - pos);
            line.len = eol - pos;
            rc = line.text != NULL ? KILN_OK : KILN_NOMEM;
            /* A comment, like any code, must not precede a cell magic. */
            seen = seen || p < eol;
        } else if (!seen && p + 1 < eol && code[p] == '%' &&
                   code[p + 1] == '%') {
            rc = cell_magic(code, len, pos, p, lineno, &line);
            next = len;
        } else if (code[p] == '%' || code[p] == '!' || code[p] == '?') {
            rc = raw_line(code, len, pos, p, &line, &next);
            if (rc == KILN_OK)
                classify_raw(&line);
            seen = true;
        } else {
            rc = expr_line(code, len, pos, &line, &next);
            if (rc == KILN_OK)
                classify_expr(&line);
            seen = true;
        }
        if (rc == KILN_OK)
            rc = push_line(cell, &line);
        if (rc != KILN_OK) {
            free(line.text);
            free(line.body);
            return kiln_error_set(err, KILN_NOMEM,
                                  "out of memory splitting the cell");
        }
        lineno += line.nlines;
        pos = next;
    }
    return KILN_OK;
}

/* IPython's rule for a cell magic in a console: complete once the cell
 * ends with an empty line. */
static kiln_completeness cell_magic_complete(const char *code, size_t len)
{
    if (len > 0 && code[len - 1] == '\n')
        len--;
    const char *nl = NULL;
    for (size_t i = len; i > 0; i--) {
        if (code[i - 1] == '\n') {
            nl = code + i - 1;
            break;
        }
    }
    if (nl == NULL)
        return KILN_INCOMPLETE; /* only the %% line so far */
    for (const char *p = nl + 1; p < code + len; p++)
        if (!kiln_is_blank(*p))
            return KILN_INCOMPLETE;
    return KILN_COMPLETE;
}

kiln_completeness kiln_cell_is_complete(const char *code, size_t len,
                                        const char **indent)
{
    if (indent != NULL)
        *indent = "";
    size_t p = 0;
    while (p < len && (kiln_is_blank(code[p]) || code[p] == '\n'))
        p++;
    if (p + 1 < len && code[p] == '%' && code[p + 1] == '%')
        return cell_magic_complete(code, len);
    kiln_cell cell;
    kiln_cell_init(&cell);
    if (kiln_cell_split(code, len, &cell, NULL) != KILN_OK) {
        kiln_cell_fini(&cell);
        return KILN_UNKNOWN;
    }
    kiln_completeness result = KILN_COMPLETE;
    for (size_t i = 0; i < cell.count; i++)
        if (cell.lines[i].unbalanced)
            result = KILN_INVALID;
    if (result == KILN_COMPLETE && cell.count > 0 &&
        cell.lines[cell.count - 1].open) {
        result = KILN_INCOMPLETE;
        if (indent != NULL && cell.lines[cell.count - 1].depth > 0)
            *indent = "    ";
    }
    kiln_cell_fini(&cell);
    return result;
}
