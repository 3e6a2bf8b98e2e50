/* kiln — the parser and evaluator of the expression language (see expr.h).
 *
 * A recursive-descent parser over Python's grammar for these forms:
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := factor (('*' | '/' | '//' | '%') factor)*
 *   factor  := ('+' | '-') factor | power
 *   power   := primary ['**' factor]
 *   primary := atom ('[' expr ']' | '(' args ')')*
 *   atom    := NAME | NUMBER | STRING+ | '(' expr ')' | '[' items ']'
 *            | '{' pairs '}'
 *
 * It evaluates as it parses, with no tree: left-associative chains are
 * loops, so a 100k-term sum needs no deep recursion.  To keep Python's rule
 * that a SyntaxError anywhere wins over a runtime error, the source is
 * parsed twice: once only checking syntax, then again evaluating.
 * Recursion is bounded by KILN_EXPR_MAX_DEPTH.
 */
#include "expr.h"

#include "expr_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct open_bracket {
    char ch;    /* ( [ { */
    size_t pos; /* its byte offset */
} open_bracket;

typedef struct parser {
    const char *src;
    size_t len;
    const kiln_vars *vars;
    bool eval;   /* false: the syntax-only pass */
    int depth;   /* nesting of recursive rules */
    open_bracket open[KILN_EXPR_MAX_DEPTH + 8];
    int nopen;   /* brackets open at the current token */
    kiln__token tok;
    kiln_buf text; /* decoded text of tok when it is a STRING */
    kiln_error *err;
    size_t err_pos;
} parser;

static int parse_expr(parser *p, kiln_value **out);
static int parse_factor(parser *p, kiln_value **out);

/* ---- tokens --------------------------------------------------------- */

static int advance(parser *p)
{
    kiln_buf_clear(&p->text);
    return kiln__lex(p->src, p->len, p->tok.end, p->nopen, &p->tok, &p->text,
                     p->err, &p->err_pos);
}

static bool is_op(const parser *p, kiln__op op)
{
    return p->tok.kind == KILN__TOK_OP && p->tok.op == op;
}

/* The token after the current one (which must not be a bracket), or an
 * EOF token when it does not lex; a lexical error is left for advance to
 * report in order. */
static kiln__token peek(const parser *p)
{
    kiln__token t;
    kiln_error scratch;
    size_t where;
    kiln_error_init(&scratch);
    if (kiln__lex(p->src, p->len, p->tok.end, p->nopen, &t, NULL, &scratch,
                  &where) != KILN_OK) {
        memset(&t, 0, sizeof t);
        t.kind = KILN__TOK_EOF;
    }
    return t;
}

static int syntax_at(parser *p, size_t pos, const char *head,
                     const char *detail)
{
    p->err_pos = pos;
    if (detail == NULL)
        return kiln__syntax_error(p->src, p->len, pos, p->err, head, NULL);
    return kiln__syntax_error(p->src, p->len, pos, p->err, head, "%s",
                              detail);
}

static char closer_for(char opener)
{
    return opener == '(' ? ')' : opener == '[' ? ']' : '}';
}

/* The SyntaxError for a token the grammar cannot take here, worded as
 * Python words it where Python has a specific message. */
static int unexpected(parser *p)
{
    const kiln__token *t = &p->tok;
    char detail[96];
    if (t->kind == KILN__TOK_EOF) {
        if (p->nopen > 0) {
            const open_bracket *ob = &p->open[p->nopen - 1];
            char head[32];
            snprintf(head, sizeof head, "'%c' was never closed", ob->ch);
            return syntax_at(p, ob->pos, head, NULL);
        }
        return syntax_at(p, t->start, "invalid syntax",
                         "unexpected end of input");
    }
    if (t->kind == KILN__TOK_NEWLINE)
        return syntax_at(p, t->start, "invalid syntax",
                         "unexpected end of line");
    if (t->kind == KILN__TOK_OP &&
        (t->op == KILN__OP_RPAR || t->op == KILN__OP_RSQB ||
         t->op == KILN__OP_RBRACE)) {
        char c = p->src[t->start];
        char head[160];
        if (p->nopen == 0) {
            snprintf(head, sizeof head, "unmatched '%c'", c);
            return syntax_at(p, t->start, head, NULL);
        }
        const open_bracket *ob = &p->open[p->nopen - 1];
        if (closer_for(ob->ch) != c) {
            char here[64], there[64];
            kiln__format_where(p->src, p->len, t->start, here, sizeof here);
            kiln__format_where(p->src, p->len, ob->pos, there, sizeof there);
            p->err_pos = t->start;
            return kiln_error_set(p->err, KILN_SYNTAX,
                                  "closing parenthesis '%c' at %s does not "
                                  "match opening parenthesis '%c' at %s",
                                  c, here, ob->ch, there);
        }
    }
    if (t->kind == KILN__TOK_STRING)
        return syntax_at(p, t->start, "invalid syntax",
                         "unexpected string literal");
    size_t n = t->end - t->start;
    if (n > 40)
        snprintf(detail, sizeof detail, "unexpected '%.40s...'",
                 p->src + t->start);
    else
        snprintf(detail, sizeof detail, "unexpected '%.*s'", (int)n,
                 p->src + t->start);
    return syntax_at(p, t->start, "invalid syntax", detail);
}

static int enter(parser *p)
{
    if (++p->depth > KILN_EXPR_MAX_DEPTH) {
        char detail[64];
        snprintf(detail, sizeof detail, "more than %d levels",
                 KILN_EXPR_MAX_DEPTH);
        return syntax_at(p, p->tok.start, "too deeply nested", detail);
    }
    return KILN_OK;
}

static void leave(parser *p)
{
    p->depth--;
}

/* Consume the opening bracket at the current token. */
static int open_bracket_tok(parser *p)
{
    if (p->nopen >= (int)(sizeof p->open / sizeof p->open[0]))
        return syntax_at(p, p->tok.start, "too deeply nested", NULL);
    p->open[p->nopen].ch = p->src[p->tok.start];
    p->open[p->nopen].pos = p->tok.start;
    p->nopen++;
    return advance(p);
}

/* Consume the closer of the innermost open bracket, or report what is
 * there instead. */
static int close_bracket_tok(parser *p)
{
    kiln__op want = KILN__OP_RPAR;
    char opener = p->open[p->nopen - 1].ch;
    if (opener == '[')
        want = KILN__OP_RSQB;
    else if (opener == '{')
        want = KILN__OP_RBRACE;
    if (!is_op(p, want))
        return unexpected(p);
    p->nopen--;
    return advance(p);
}

static int nomem(parser *p)
{
    return kiln_error_set(p->err, KILN_NOMEM, "out of memory");
}

/* ---- argument lists ------------------------------------------------- */

typedef struct arglist {
    kiln_value **v;
    size_t n, cap;
} arglist;

static void arglist_fini(arglist *a)
{
    for (size_t i = 0; i < a->n; i++)
        kiln_value_unref(a->v[i]);
    free(a->v);
}

/* "(" [expr ("," expr)* [","]] ")", collecting the values when
 * evaluating. */
static int parse_args(parser *p, arglist *a)
{
    int rc = open_bracket_tok(p);
    while (rc == KILN_OK && !is_op(p, KILN__OP_RPAR)) {
        kiln_value *v = NULL;
        if ((rc = parse_expr(p, &v)) != KILN_OK)
            return rc;
        if (p->eval) {
            if (a->n == a->cap) {
                size_t cap = a->cap ? a->cap * 2 : 4;
                kiln_value **nv = realloc(a->v, cap * sizeof *nv);
                if (nv == NULL) {
                    kiln_value_unref(v);
                    return nomem(p);
                }
                a->v = nv;
                a->cap = cap;
            }
            a->v[a->n++] = v;
        }
        if (is_op(p, KILN__OP_COMMA))
            rc = advance(p);
        else if (!is_op(p, KILN__OP_RPAR))
            return unexpected(p);
    }
    return rc != KILN_OK ? rc : close_bracket_tok(p);
}

/* ---- atoms ---------------------------------------------------------- */

static int parse_number(parser *p, kiln_value **out)
{
    const kiln__token *t = &p->tok;
    if (p->eval) {
        if (t->is_float) {
            *out = kiln_value_float(t->fval);
        } else if (t->int_big || t->ival > (uint64_t)INT64_MAX) {
            size_t n = t->end - t->start;
            return kiln_error_set(p->err, KILN_OVERFLOW,
                                  "int literal %.*s%s does not fit in 64 bits",
                                  n > 40 ? 40 : (int)n, p->src + t->start,
                                  n > 40 ? "..." : "");
        } else {
            *out = kiln_value_int((int64_t)t->ival);
        }
        if (*out == NULL)
            return nomem(p);
    }
    return advance(p);
}

/* Adjacent literals concatenate: "a" 'b' is 'ab'. */
static int parse_strings(parser *p, kiln_value **out)
{
    kiln_buf acc;
    kiln_buf_init(&acc);
    int rc = KILN_OK;
    while (p->tok.kind == KILN__TOK_STRING) {
        if (p->eval && kiln_buf_append(&acc, p->text.data, p->text.len) !=
                           KILN_OK) {
            rc = nomem(p);
            break;
        }
        if ((rc = advance(p)) != KILN_OK)
            break;
    }
    if (rc == KILN_OK && p->eval) {
        *out = kiln_value_str(kiln_buf_str(&acc), acc.len);
        if (*out == NULL)
            rc = nomem(p);
    }
    kiln_buf_fini(&acc);
    return rc;
}

static bool name_is(const parser *p, const char *word)
{
    size_t n = p->tok.end - p->tok.start;
    return strlen(word) == n && memcmp(p->src + p->tok.start, word, n) == 0;
}

static int parse_name(parser *p, kiln_value **out)
{
    const char *name = p->src + p->tok.start;
    size_t n = p->tok.end - p->tok.start;
    bool is_const = name_is(p, "True") || name_is(p, "False") ||
                    name_is(p, "None");
    if (!is_const && kiln__is_keyword(name, n))
        return unexpected(p);
    if (p->eval) {
        if (name_is(p, "None")) {
            *out = kiln_value_none();
        } else if (is_const) {
            *out = kiln_value_bool(name_is(p, "True"));
        } else {
            kiln_value *v = kiln_vars_get(p->vars, name, n);
            if (v == NULL && kiln__builtin_find(name, n) >= 0)
                return kiln_error_set(p->err, KILN_TYPE,
                                      "%.*s is a builtin function: call it, "
                                      "as in %.*s(...)",
                                      (int)n, name, (int)n, name);
            if (v == NULL)
                return kiln_error_set(p->err, KILN_NAME,
                                      "name '%.*s' is not defined", (int)n,
                                      name);
            *out = kiln_value_ref(v);
        }
        if (*out == NULL)
            return nomem(p);
    }
    return advance(p);
}

static int parse_paren(parser *p, kiln_value **out)
{
    size_t start = p->tok.start;
    int rc = open_bracket_tok(p);
    if (rc != KILN_OK)
        return rc;
    if (is_op(p, KILN__OP_RPAR))
        return syntax_at(p, start, "tuples are not supported", NULL);
    if ((rc = parse_expr(p, out)) != KILN_OK)
        return rc;
    if (is_op(p, KILN__OP_COMMA))
        rc = syntax_at(p, p->tok.start, "tuples are not supported", NULL);
    else
        rc = close_bracket_tok(p);
    if (rc != KILN_OK && p->eval) {
        kiln_value_unref(*out);
        *out = NULL;
    }
    return rc;
}

static int parse_list(parser *p, kiln_value **out)
{
    kiln_value *list = NULL;
    if (p->eval && (list = kiln_value_list_new()) == NULL)
        return nomem(p);
    int rc = open_bracket_tok(p);
    while (rc == KILN_OK && !is_op(p, KILN__OP_RSQB)) {
        kiln_value *v = NULL;
        if ((rc = parse_expr(p, &v)) != KILN_OK)
            break;
        if (p->eval) {
            rc = kiln_value_list_append(list, v);
            kiln_value_unref(v);
            if (rc == KILN_VALUE) {
                rc = kiln_error_set(p->err, KILN_VALUE,
                                    "values may nest at most %d levels deep",
                                    KILN_VALUE_MAX_DEPTH);
                break;
            }
            if (rc != KILN_OK) {
                rc = nomem(p);
                break;
            }
        }
        if (is_op(p, KILN__OP_COMMA))
            rc = advance(p);
        else if (!is_op(p, KILN__OP_RSQB))
            rc = unexpected(p);
    }
    if (rc == KILN_OK)
        rc = close_bracket_tok(p);
    if (rc != KILN_OK) {
        kiln_value_unref(list);
        return rc;
    }
    *out = list;
    return KILN_OK;
}

static int parse_dict(parser *p, kiln_value **out)
{
    kiln_value *dict = NULL;
    if (p->eval && (dict = kiln_value_dict_new()) == NULL)
        return nomem(p);
    int rc = open_bracket_tok(p);
    bool first = true;
    while (rc == KILN_OK && !is_op(p, KILN__OP_RBRACE)) {
        kiln_value *k = NULL, *v = NULL;
        if ((rc = parse_expr(p, &k)) != KILN_OK)
            break;
        if (!is_op(p, KILN__OP_COLON)) {
            kiln_value_unref(k);
            if (first && (is_op(p, KILN__OP_COMMA) ||
                          is_op(p, KILN__OP_RBRACE)))
                rc = syntax_at(p, p->tok.start, "sets are not supported",
                               NULL);
            else
                rc = unexpected(p);
            break;
        }
        if ((rc = advance(p)) != KILN_OK ||
            (rc = parse_expr(p, &v)) != KILN_OK) {
            kiln_value_unref(k);
            break;
        }
        if (p->eval)
            rc = kiln_value_dict_set(dict, k, v, p->err);
        kiln_value_unref(k);
        kiln_value_unref(v);
        if (rc != KILN_OK)
            break;
        first = false;
        if (is_op(p, KILN__OP_COMMA))
            rc = advance(p);
        else if (!is_op(p, KILN__OP_RBRACE))
            rc = unexpected(p);
    }
    if (rc == KILN_OK)
        rc = close_bracket_tok(p);
    if (rc != KILN_OK) {
        kiln_value_unref(dict);
        return rc;
    }
    *out = dict;
    return KILN_OK;
}

static int parse_atom(parser *p, kiln_value **out)
{
    switch (p->tok.kind) {
    case KILN__TOK_NUMBER:
        return parse_number(p, out);
    case KILN__TOK_STRING:
        return parse_strings(p, out);
    case KILN__TOK_NAME:
        return parse_name(p, out);
    case KILN__TOK_OP:
        if (p->tok.op == KILN__OP_LPAR)
            return parse_paren(p, out);
        if (p->tok.op == KILN__OP_LSQB)
            return parse_list(p, out);
        if (p->tok.op == KILN__OP_LBRACE)
            return parse_dict(p, out);
        return unexpected(p);
    default:
        return unexpected(p);
    }
}

/* ---- calls, subscripts, operators ----------------------------------- */

/* NAME "(" args ")": a builtin, unless a variable of that name hides it
 * (then, as in Python, calling it is a TypeError). */
static int parse_call(parser *p, kiln_value **out)
{
    const char *name = p->src + p->tok.start;
    size_t n = p->tok.end - p->tok.start;
    kiln_value *callee = NULL;
    int builtin = -1;
    if (p->eval) {
        callee = kiln_vars_get(p->vars, name, n);
        if (callee == NULL && (builtin = kiln__builtin_find(name, n)) < 0)
            return kiln_error_set(p->err, KILN_NAME,
                                  "name '%.*s' is not defined", (int)n, name);
    }
    int rc = advance(p);
    arglist args = {NULL, 0, 0};
    if (rc == KILN_OK)
        rc = parse_args(p, &args);
    if (rc == KILN_OK && p->eval) {
        if (callee != NULL)
            rc = kiln_error_set(p->err, KILN_TYPE,
                                "'%s' object is not callable",
                                kiln_value_type_name(callee));
        else
            rc = kiln__builtin_call(builtin, args.v, args.n, out, p->err);
    }
    arglist_fini(&args);
    return rc;
}

static int parse_primary(parser *p, kiln_value **out)
{
    kiln_value *v = NULL;
    int rc;
    if (p->tok.kind == KILN__TOK_NAME &&
        !kiln__is_keyword(p->src + p->tok.start, p->tok.end - p->tok.start)) {
        kiln__token next = peek(p);
        if (next.kind == KILN__TOK_OP && next.op == KILN__OP_LPAR)
            rc = parse_call(p, &v);
        else
            rc = parse_atom(p, &v);
    } else {
        rc = parse_atom(p, &v);
    }
    while (rc == KILN_OK &&
           (is_op(p, KILN__OP_LSQB) || is_op(p, KILN__OP_LPAR))) {
        if (is_op(p, KILN__OP_LPAR)) {
            arglist args = {NULL, 0, 0};
            rc = parse_args(p, &args);
            arglist_fini(&args);
            if (rc == KILN_OK && p->eval)
                rc = kiln_error_set(p->err, KILN_TYPE,
                                    "'%s' object is not callable",
                                    kiln_value_type_name(v));
            continue;
        }
        kiln_value *key = NULL, *item = NULL;
        if ((rc = open_bracket_tok(p)) != KILN_OK ||
            (rc = parse_expr(p, &key)) != KILN_OK)
            break;
        if (is_op(p, KILN__OP_COLON))
            rc = syntax_at(p, p->tok.start, "slices are not supported", NULL);
        else
            rc = close_bracket_tok(p);
        if (rc == KILN_OK && p->eval) {
            rc = kiln__index(v, key, &item, p->err);
            if (rc == KILN_OK) {
                kiln_value_unref(v);
                v = item;
            }
        }
        kiln_value_unref(key);
    }
    if (rc != KILN_OK) {
        kiln_value_unref(v);
        return rc;
    }
    *out = v;
    return KILN_OK;
}

/* power := primary ['**' factor]; the exponent is a factor, so ** is
 * right-associative and 2 ** -1 parses. */
static int parse_power(parser *p, kiln_value **out)
{
    kiln_value *base = NULL, *exp = NULL;
    int rc = parse_primary(p, &base);
    if (rc != KILN_OK || !is_op(p, KILN__OP_DSTAR)) {
        *out = base;
        return rc;
    }
    if ((rc = advance(p)) == KILN_OK && (rc = enter(p)) == KILN_OK) {
        rc = parse_factor(p, &exp);
        leave(p);
    }
    if (rc != KILN_OK) {
        kiln_value_unref(base);
        return rc;
    }
    if (!p->eval)
        return KILN_OK;
    rc = kiln__binop(KILN__OP_DSTAR, base, exp, out, p->err);
    kiln_value_unref(exp);
    return rc;
}

/* -9223372036854775808 is the literal 2**63 negated; it is the one int
 * literal that only fits once negated, so the pair is read as INT64_MIN
 * unless something binding tighter than unary minus follows. */
static bool int64_min_literal(const parser *p)
{
    if (p->tok.kind != KILN__TOK_NUMBER || p->tok.is_float ||
        p->tok.int_big || p->tok.ival != (uint64_t)INT64_MAX + 1)
        return false;
    kiln__token next = peek(p);
    return !(next.kind == KILN__TOK_OP &&
             (next.op == KILN__OP_DSTAR || next.op == KILN__OP_LSQB ||
              next.op == KILN__OP_LPAR));
}

static int parse_factor(parser *p, kiln_value **out)
{
    if (!is_op(p, KILN__OP_PLUS) && !is_op(p, KILN__OP_MINUS))
        return parse_power(p, out);
    kiln__op op = p->tok.op;
    int rc = advance(p);
    if (rc != KILN_OK)
        return rc;
    if (op == KILN__OP_MINUS && int64_min_literal(p)) {
        if (p->eval && (*out = kiln_value_int(INT64_MIN)) == NULL)
            return nomem(p);
        return advance(p);
    }
    kiln_value *v = NULL;
    if ((rc = enter(p)) != KILN_OK)
        return rc;
    rc = parse_factor(p, &v);
    leave(p);
    if (rc != KILN_OK || !p->eval)
        return rc;
    rc = kiln__unary(op, v, out, p->err);
    kiln_value_unref(v);
    return rc;
}

static int parse_term(parser *p, kiln_value **out)
{
    kiln_value *lhs = NULL;
    int rc = parse_factor(p, &lhs);
    while (rc == KILN_OK &&
           (is_op(p, KILN__OP_STAR) || is_op(p, KILN__OP_SLASH) ||
            is_op(p, KILN__OP_DSLASH) || is_op(p, KILN__OP_PERCENT))) {
        kiln__op op = p->tok.op;
        kiln_value *rhs = NULL;
        if ((rc = advance(p)) != KILN_OK ||
            (rc = parse_factor(p, &rhs)) != KILN_OK)
            break;
        if (p->eval) {
            rc = kiln__binop(op, lhs, rhs, &lhs, p->err);
            kiln_value_unref(rhs);
            if (rc != KILN_OK)
                return rc; /* binop consumed lhs */
        }
    }
    if (rc != KILN_OK) {
        kiln_value_unref(lhs);
        return rc;
    }
    *out = lhs;
    return KILN_OK;
}

static int parse_expr(parser *p, kiln_value **out)
{
    kiln_value *lhs = NULL;
    int rc = enter(p);
    if (rc != KILN_OK)
        return rc;
    rc = parse_term(p, &lhs);
    while (rc == KILN_OK &&
           (is_op(p, KILN__OP_PLUS) || is_op(p, KILN__OP_MINUS))) {
        kiln__op op = p->tok.op;
        kiln_value *rhs = NULL;
        if ((rc = advance(p)) != KILN_OK ||
            (rc = parse_term(p, &rhs)) != KILN_OK)
            break;
        if (p->eval) {
            rc = kiln__binop(op, lhs, rhs, &lhs, p->err);
            kiln_value_unref(rhs);
            if (rc != KILN_OK) {
                lhs = NULL; /* binop consumed it */
                break;
            }
        }
    }
    leave(p);
    if (rc != KILN_OK) {
        kiln_value_unref(lhs);
        return rc;
    }
    *out = lhs;
    return KILN_OK;
}

/* ---- entry points --------------------------------------------------- */

static int skip_newlines(parser *p)
{
    int rc = KILN_OK;
    while (rc == KILN_OK && p->tok.kind == KILN__TOK_NEWLINE)
        rc = advance(p);
    return rc;
}

static int run(const char *src, size_t len, const kiln_vars *vars, bool eval,
               kiln_value **out, kiln_error *err, size_t *err_pos)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.src = src != NULL ? src : "";
    p.len = src != NULL ? len : 0;
    p.vars = vars;
    p.eval = eval;
    p.err = err;
    kiln_buf_init(&p.text);
    kiln_value *v = NULL;
    int rc = advance(&p);
    if (rc == KILN_OK)
        rc = skip_newlines(&p);
    if (rc == KILN_OK)
        rc = parse_expr(&p, &v);
    if (rc == KILN_OK)
        rc = skip_newlines(&p);
    if (rc == KILN_OK && p.tok.kind != KILN__TOK_EOF)
        rc = unexpected(&p);
    kiln_buf_fini(&p.text);
    if (rc != KILN_OK) {
        kiln_value_unref(v);
        if (err_pos != NULL)
            *err_pos = p.err_pos;
        return rc;
    }
    if (out != NULL)
        *out = v;
    else
        kiln_value_unref(v);
    return KILN_OK;
}

int kiln_expr_check(const char *src, size_t len, size_t *offset,
                    kiln_error *err)
{
    return run(src, len, NULL, false, NULL, err, offset);
}

int kiln_expr_eval(const char *src, size_t len, const kiln_vars *vars,
                   kiln_value **out, kiln_error *err)
{
    int rc = run(src, len, NULL, false, NULL, err, NULL);
    if (rc != KILN_OK)
        return rc;
    kiln_value *v = NULL;
    rc = run(src, len, vars, true, &v, err, NULL);
    if (rc == KILN_OK)
        *out = v;
    return rc;
}
