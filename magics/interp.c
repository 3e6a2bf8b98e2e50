/* kiln — the interpreter: running a cell line by line (see interp.h).
 *
 * A cell is split into logical lines (cell.c) and they run in order; the
 * first error stops the cell, is sent to the sink and copied to the
 * caller, and whatever earlier lines assigned stays assigned.  Completion,
 * inspect and help lookups are in interp_help.c.
 *
 * $substitution: `$name` and `${name}` in magic arguments, cell-magic
 * bodies and `!command` lines are replaced by the variable's value (a str
 * as its text, numbers, bools and None as Python's str(), lists and dicts
 * as JSON), and `$$` by a single `$`; a `$` not followed by a name stays as
 * it is.  Expressions are not substituted.  An unknown variable is a
 * NameError in magic lines and bodies, but in `!command` lines it is left
 * as written for the shell, as IPython does, so `!echo $HOME` prints the
 * environment variable (documented in shell.h too).  Bodies of markup magics
 * (KILN_MAGIC_TEXT_BODY: %%markdown) leave unknown names and `$$`
 * as written, so LaTeX math such as $x^2$ and $$\sum_i x_i$$ renders.
 */
#include "interp.h"

#include "platform/endpoint.h"

#include "cell.h"
#include "chars.h"
#include "expr.h"
#include "interp_priv.h"
#include "registry.h"
#include "shell.h"
#include "value.h"
#include "vars.h"

#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

kiln_interp *kiln_interp_new(kiln_cancel *cancel)
{
    kiln_interp *in = calloc(1, sizeof *in);
    if (in == NULL)
        return NULL;
    in->vars = kiln_vars_new();
    if (in->vars == NULL) {
        free(in);
        return NULL;
    }
    in->cancel = cancel;
    return in;
}

void kiln_interp_free(kiln_interp *in)
{
    if (in == NULL)
        return;
    /* endpoints (%deploy) live as long as the session */
    kiln_endpoint_stop_all();
    kiln_vars_free(in->vars);
    free(in);
}

/* One execution: the cell and where its output and errors go. */
typedef struct run {
    kiln_interp *in;
    const char *code;
    size_t len;
    const kiln_exec_opts *opts;
    const kiln_sink *sink;
    kiln_error *err;
} run;

/* ---- error context ------------------------------------------------------ */

/* Byte range of physical line `lineno` (1-based) of the cell. */
static void line_bounds(const run *r, int lineno, size_t *start, size_t *end)
{
    size_t s = 0;
    for (int n = 1; n < lineno && s < r->len; n++) {
        const char *nl = memchr(r->code + s, '\n', r->len - s);
        if (nl == NULL) {
            s = r->len;
            break;
        }
        s = (size_t)(nl - r->code) + 1;
    }
    const char *nl = memchr(r->code + s, '\n', r->len - s);
    size_t e = nl != NULL ? (size_t)(nl - r->code) : r->len;
    if (e > s && r->code[e - 1] == '\r')
        e--;
    *start = s;
    *end = e;
}

/* Context for physical line `lineno`, with a caret at byte `caret` of it
 * (-1 for none). */
static void set_context(const run *r, int lineno, long caret)
{
    size_t s, e;
    line_bounds(r, lineno, &s, &e);
    kiln_cell_context(r->err, lineno, r->code + s, e - s, caret);
}

/* Context with a caret at byte `offset` of the cell. */
static void context_at(const run *r, size_t offset)
{
    int lineno;
    size_t start;
    kiln_cell_locate(r->code, r->len, offset, &lineno, &start);
    set_context(r, lineno, (long)(offset - start));
}

/* The cell offset of byte `off` of a magic, shell or help line's text,
 * whose backslash-newlines were removed and which starts at its first
 * non-blank byte. */
static size_t raw_offset(const run *r, const kiln_line *line, size_t off)
{
    size_t q = line->start;
    while (q < r->len && kiln_is_blank(r->code[q]))
        q++;
    for (size_t i = 0; i < off && q < r->len; i++) {
        if (r->code[q] == '\\' && q + 1 < r->len && r->code[q + 1] == '\n')
            q += 2;
        else if (r->code[q] == '\\' && q + 2 < r->len &&
                 r->code[q + 1] == '\r' && r->code[q + 2] == '\n')
            q += 3;
        q++;
    }
    return q;
}

/* A SyntaxError from the expression code names "column C" of the source
 * it was given, or "line L, column C" past its first line (1-based, C in
 * code points).  An expression line is handed over as the cell's bytes from
 * the start of its first physical line, so that is a place in the cell:
 * the caret goes there, and "line L" of the statement becomes the cell's
 * line. */
static void syntax_context(const run *r, const kiln_line *line)
{
    kiln_error *err = r->err;
    if (err == NULL)
        return;
    int l = 1, c = 0;
    char *at = strstr(err->message, " at line ");
    if (at == NULL || sscanf(at, " at line %d, column %d", &l, &c) != 2) {
        l = 1;
        at = strstr(err->message, " at column ");
        if (at == NULL || sscanf(at, " at column %d", &c) != 1)
            c = 0;
    }
    if (c <= 0 || l <= 0) {
        set_context(r, line->lineno, -1);
        return;
    }
    const char *t = line->text;
    size_t off = 0;
    for (int k = 1; k < l && off < line->len; off++)
        k += t[off] == '\n';
    for (int k = 1; k < c && off < line->len; k++) {
        off++;
        while (off < line->len && kiln_is_utf8_cont(t[off]))
            off++;
    }
    if (l != 1) {
        char *after = strchr(at + 9, ','); /* ", column C..." */
        char rest[sizeof err->message];
        snprintf(rest, sizeof rest, "%s", after != NULL ? after : "");
        snprintf(at, sizeof err->message - (size_t)(at - err->message),
                 " at line %d%s", line->lineno + l - 1, rest);
    }
    context_at(r, line->start + off);
}

/* ---- substitution ------------------------------------------------------- */

typedef enum subst_mode {
    SUBST_STRICT, /* magic lines and bodies: unknown names are errors */
    SUBST_SHELL,  /* !command: unknown names are left for the shell */
    SUBST_TEXT,   /* markup bodies: unknown names and $$ are left as math */
} subst_mode;

/* Append a value as substitution writes it. */
static int render(const kiln_value *v, kiln_buf *out)
{
    switch (kiln_value_type_of(v)) {
    case KILN_VALUE_STR: {
        size_t n;
        const char *s = kiln_value_as_str(v, &n);
        return kiln_buf_append(out, s, n);
    }
    case KILN_VALUE_LIST:
    case KILN_VALUE_DICT:
        return kiln_value_to_json(v, out);
    default:
        return kiln_value_to_str(v, out);
    }
}

/* Substitute $name, ${name} and $$ in s[0..n) into out.  On a NameError
 * *bad gets the offset of the '$'. */
static int subst(const kiln_vars *vars, const char *s, size_t n,
                 subst_mode mode, kiln_buf *out, size_t *bad, kiln_error *err)
{
    for (size_t i = 0; i < n; i++) {
        size_t a = 0, len = 0, end = 0; /* the name s[a..a+len), the
                                            reference s[i..end) */
        if (s[i] == '$' && i + 1 < n && s[i + 1] == '$') {
            if (kiln_buf_append(out, "$$", mode == SUBST_TEXT ? 2 : 1) !=
                KILN_OK)
                return kiln_error_nomem(err);
            i++;
            continue;
        }
        if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
            a = i + 2;
            while (a + len < n && kiln_is_name_char(s[a + len]))
                len++;
            if (len > 0 && kiln_is_name_start(s[a]) && a + len < n &&
                s[a + len] == '}')
                end = a + len + 1;
        } else if (s[i] == '$' && i + 1 < n && kiln_is_name_start(s[i + 1])) {
            a = i + 1;
            while (a + len < n && kiln_is_name_char(s[a + len]))
                len++;
            end = a + len;
        }
        if (end == 0) {
            if (kiln_buf_putc(out, s[i]) != KILN_OK)
                return kiln_error_nomem(err);
            continue;
        }
        const kiln_value *v = kiln_vars_get(vars, s + a, len);
        int rc;
        if (v != NULL) {
            rc = render(v, out);
        } else if (mode == SUBST_SHELL || mode == SUBST_TEXT) {
            rc = kiln_buf_append(out, s + i, end - i);
        } else {
            *bad = i;
            return kiln_error_set(err, KILN_NAME,
                                  "name '%.*s' is not defined (in %.*s)",
                                  (int)len, s + a, (int)(end - i), s + i);
        }
        if (rc != KILN_OK)
            return kiln_error_nomem(err);
        i = end - 1;
    }
    return KILN_OK;
}

/* ---- lines -------------------------------------------------------------- */

/* The display bundle of a value: text/plain, its repr.  KILN_NOMEM, or
 * KILN_VALUE when the repr would pass KILN_VALUE_MAX_TEXT. */
static int value_bundle(const kiln_value *v, kiln_bundle **out)
{
    kiln_buf repr;
    kiln_buf_init(&repr);
    kiln_bundle *b = kiln_bundle_new();
    int rc = b != NULL ? kiln_value_repr(v, &repr) : KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&repr));
    bool too_long = repr.len > KILN_VALUE_MAX_TEXT;
    kiln_buf_fini(&repr);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return too_long ? KILN_VALUE : KILN_NOMEM;
    }
    *out = b;
    return KILN_OK;
}

/* The error of a value_bundle that failed. */
static int bundle_error(int rc, kiln_error *err)
{
    if (rc == KILN_VALUE)
        return kiln_error_set(err, KILN_NOMEM,
                              "the result is too large to show: its text "
                              "would be more than %zu MiB",
                              KILN_VALUE_MAX_TEXT >> 20);
    return kiln_error_nomem(err);
}

/* Evaluate an expression or assignment line's expression.  The source
 * handed over is the whole line with what precedes the expression blanked,
 * so that positions in errors are positions in the line. */
static int eval_line(const run *r, const kiln_line *line, kiln_value **out)
{
    char *src = malloc(line->len + 1);
    if (src == NULL)
        return kiln_error_nomem(r->err);
    memcpy(src, line->text, line->len + 1);
    memset(src, ' ', line->arg);
    int rc = kiln_expr_eval(src, line->len, r->in->vars, out, r->err);
    free(src);
    if (rc == KILN_SYNTAX)
        syntax_context(r, line);
    return rc;
}

/* x OP= value: Python's x = x OP value. */
static int augment(const run *r, const kiln_line *line, kiln_value *value,
                   kiln_value **out)
{
    const char *name = line->text + line->name;
    kiln_value *old = kiln_vars_get(r->in->vars, name, line->name_len);
    if (old == NULL)
        return kiln_error_set(r->err, KILN_NAME, "name '%.*s' is not defined",
                              (int)line->name_len, name);
    kiln_vars *tmp = kiln_vars_new();
    char src[16];
    snprintf(src, sizeof src, "a %.*s b", (int)strlen(line->op) - 1, line->op);
    int rc = tmp != NULL && kiln_vars_set(tmp, "a", old) == KILN_OK &&
                     kiln_vars_set(tmp, "b", value) == KILN_OK
                 ? kiln_expr_eval(src, strlen(src), tmp, out, r->err)
                 : kiln_error_nomem(r->err);
    kiln_vars_free(tmp);
    return rc;
}

static int run_assign(const run *r, const kiln_line *line)
{
    kiln_value *v = NULL, *result = NULL;
    int rc = eval_line(r, line, &v);
    if (rc != KILN_OK)
        return rc;
    if (strcmp(line->op, "=") != 0) {
        rc = augment(r, line, v, &result);
        kiln_value_unref(v);
        if (rc != KILN_OK)
            return rc;
        v = result;
    }
    char *name = strndup(line->text + line->name, line->name_len);
    rc = name != NULL ? kiln_vars_set(r->in->vars, name, v) : KILN_NOMEM;
    free(name);
    kiln_value_unref(v);
    return rc != KILN_OK ? kiln_error_nomem(r->err) : KILN_OK;
}

static int run_expr(const run *r, const kiln_line *line, bool last)
{
    kiln_value *v = NULL;
    int rc = eval_line(r, line, &v);
    if (rc != KILN_OK)
        return rc;
    /* Like IPython's displayhook: only the last line shows, and None
     * shows nothing. */
    if (last && !line->quiet && !r->opts->silent &&
        kiln_value_type_of(v) != KILN_VALUE_NONE) {
        kiln_bundle *b = NULL;
        rc = value_bundle(v, &b);
        if (rc == KILN_OK)
            kiln_sink_result(r->sink, b);
        else
            rc = bundle_error(rc, r->err);
        kiln_bundle_free(b);
    }
    kiln_value_unref(v);
    return rc;
}

static int run_shell(const run *r, const kiln_line *line)
{
    const char *cmd = line->text + line->arg;
    size_t n = line->len - line->arg;
    if (n == 0)
        return kiln_error_set(r->err, KILN_USAGE,
                              "expected a command after ! (for example !ls)");
    kiln_buf b;
    kiln_buf_init(&b);
    size_t bad = 0;
    int rc = subst(r->in->vars, cmd, n, SUBST_SHELL, &b, &bad, r->err);
    if (rc == KILN_OK)
        rc = kiln_shell_run(kiln_buf_str(&b), r->sink, r->in->cancel, r->err);
    kiln_buf_fini(&b);
    return rc;
}

static int run_help(const run *r, const kiln_line *line)
{
    const char *target = line->text + line->name;
    size_t n = line->name_len;
    if (line->help_bad)
        return kiln_error_set(r->err, KILN_USAGE,
                              "cannot show help for '%.*s'; write NAME?, "
                              "?NAME or %%MAGIC?",
                              (int)n, target);
    bool found = false;
    kiln_bundle *b = NULL;
    if (kiln_interp_help_for(r->in, target, n, line->help_level - 1, &found,
                             &b) != KILN_OK)
        return kiln_error_nomem(r->err);
    if (!found) {
        size_t pcts = 0;
        while (pcts < n && pcts < 2 && target[pcts] == '%')
            pcts++;
        if (pcts > 0)
            return kiln_registry_unknown(target + pcts, n - pcts, pcts == 2,
                                         r->err);
        return kiln_error_set(r->err, KILN_NAME,
                              "name '%.*s' is not defined: it is not a "
                              "variable, a builtin or a magic",
                              (int)n, target);
    }
    kiln_sink_page(r->sink, b);
    kiln_bundle_free(b);
    return KILN_OK;
}

/* Check that the magic of a % or %% line exists and fits how it is used. */
static int find_magic(const run *r, const kiln_line *line, bool cell,
                      const kiln_magic **out)
{
    const char *pct = cell ? "%%" : "%";
    const char *name = line->text + line->name;
    int n = (int)line->name_len;
    if (n == 0)
        return kiln_error_set(r->err, KILN_USAGE,
                              "expected a magic name after %s (%%lsmagic "
                              "lists them)",
                              pct);
    if (cell && !line->first)
        return kiln_error_set(r->err, KILN_USAGE,
                              "%%%%%.*s must be the first line of the cell "
                              "(here it is line %d): a cell magic takes the "
                              "rest of the cell as its body",
                              n, name, line->lineno);
    const kiln_magic *m = kiln_registry_find(name, line->name_len);
    if (m == NULL)
        return kiln_registry_unknown(name, line->name_len, cell, r->err);
    if (cell && !(m->kinds & KILN_MAGIC_CELL))
        return kiln_error_set(r->err, KILN_USAGE,
                              "%%%.*s is a line magic, not a cell magic: "
                              "write %%%.*s on a line of its own",
                              n, name, n, name);
    if (!cell && !(m->kinds & KILN_MAGIC_LINE))
        return kiln_error_set(r->err, KILN_USAGE,
                              "%%%%%.*s is a cell magic: start the cell with "
                              "%%%%%.*s and put its body on the lines below",
                              n, name, n, name);
    *out = m;
    return KILN_OK;
}

static int run_magic(const run *r, const kiln_line *line)
{
    bool cell = line->kind == KILN_LINE_CELL_MAGIC;
    const kiln_magic *m = NULL;
    int rc = find_magic(r, line, cell, &m);
    if (rc != KILN_OK)
        return rc;
    char who[80];
    snprintf(who, sizeof who, "%s%s", cell ? "%%" : "%", m->name);

    kiln_buf argtext, body;
    kiln_buf_init(&argtext);
    kiln_buf_init(&body);
    kiln_args *args = NULL;
    size_t bad = 0;
    rc = subst(r->in->vars, line->text + line->arg, line->len - line->arg,
               SUBST_STRICT, &argtext, &bad, r->err);
    if (rc == KILN_NAME)
        context_at(r, raw_offset(r, line, line->arg + bad));
    if (rc == KILN_OK && cell) {
        rc = subst(r->in->vars, line->body, line->body_len,
                   (m->flags & KILN_MAGIC_TEXT_BODY)    ? SUBST_TEXT
                   : (m->flags & KILN_MAGIC_SHELL_BODY) ? SUBST_SHELL
                                                        : SUBST_STRICT,
                   &body, &bad, r->err);
        if (rc == KILN_NAME)
            context_at(r, line->start + line->span + 1 + bad);
    }
    if (rc == KILN_OK)
        rc = kiln_args_parse(m->args, (m->flags & KILN_MAGIC_PAIRS) != 0, who,
                             argtext.data != NULL ? argtext.data : "",
                             argtext.len, &args, r->err);
    if (rc == KILN_OK) {
        kiln_magic_call call = {
            .magic = m,
            .args = args,
            .cell = cell,
            .body = cell ? kiln_buf_str(&body) : NULL,
            .body_len = cell ? body.len : 0,
            .body_line = line->body_lineno,
            .sink = r->sink,
            .vars = r->in->vars,
            .cancel = r->in->cancel,
            .opts = r->opts,
        };
        rc = m->run(&call, r->err);
    }
    kiln_args_free(args);
    kiln_buf_fini(&body);
    kiln_buf_fini(&argtext);
    return rc;
}

static int run_line(const run *r, const kiln_line *line, bool last)
{
    switch (line->kind) {
    case KILN_LINE_BLANK:
        return KILN_OK;
    case KILN_LINE_ASSIGN:
        return run_assign(r, line);
    case KILN_LINE_EXPR:
        return run_expr(r, line, last);
    case KILN_LINE_MAGIC:
    case KILN_LINE_CELL_MAGIC:
        return run_magic(r, line);
    case KILN_LINE_SHELL:
        return run_shell(r, line);
    case KILN_LINE_HELP:
        return run_help(r, line);
    }
    return kiln_error_set(r->err, KILN_INTERNAL, "unknown line kind %d",
                          (int)line->kind);
}

int kiln_interp_execute(kiln_interp *in, const char *code,
                        const kiln_exec_opts *opts, const kiln_sink *sink,
                        kiln_error *err)
{
    static const kiln_exec_opts defaults = {0};
    kiln_error local;
    kiln_error_init(&local);
    run r = {.in = in, .code = code, .len = strlen(code),
             .opts = opts != NULL ? opts : &defaults, .sink = sink,
             .err = &local};
    kiln_cell cell;
    kiln_cell_init(&cell);
    int rc = kiln_cell_split(r.code, r.len, &cell, &local);
    size_t last = 0;
    for (size_t i = 0; i < cell.count; i++)
        if (cell.lines[i].kind != KILN_LINE_BLANK)
            last = i;
    for (size_t i = 0; i < cell.count && rc == KILN_OK; i++) {
        const kiln_line *line = &cell.lines[i];
        if (line->kind == KILN_LINE_BLANK)
            continue;
        if (kiln_cancel_requested(in->cancel)) {
            rc = kiln_error_set(&local, KILN_INTERRUPTED,
                                "interrupted before cell line %d",
                                line->lineno);
            break;
        }
        rc = run_line(&r, line, i == last);
        if (rc != KILN_OK && rc != KILN_SYNTAX)
            set_context(&r, line->lineno, -1);
    }
    kiln_cell_fini(&cell);
    if (rc != KILN_OK) {
        if (!kiln_error_is_set(&local))
            kiln_error_set(&local, rc, "%s", "the cell failed");
        kiln_sink_error(sink, &local);
        if (err != NULL && !kiln_error_is_set(err))
            *err = local;
    }
    return rc;
}

int kiln_interp_eval(kiln_interp *in, const char *expr, kiln_bundle **out,
                     kiln_error *err)
{
    kiln_value *v = NULL;
    int rc = kiln_expr_eval(expr, strlen(expr), in->vars, &v, err);
    if (rc != KILN_OK)
        return rc;
    kiln_bundle *b = NULL;
    rc = value_bundle(v, &b);
    kiln_value_unref(v);
    if (rc != KILN_OK)
        return bundle_error(rc, err);
    *out = b;
    return KILN_OK;
}

kiln_completeness kiln_interp_is_complete(kiln_interp *in, const char *code,
                                          const char **indent)
{
    return kiln_cell_is_complete(code, strlen(code), indent);
}
