/* kiln — internals shared by value.c and the expr_*.c files (private).
 *
 * Nothing here is part of the magics API; the kiln__ prefix marks symbols
 * that are exported only because the expression code spans several files.
 */
#ifndef KILN_MAGICS_EXPR_IMPL_H
#define KILN_MAGICS_EXPR_IMPL_H

#include "core/buf.h"
#include "core/error.h"
#include "value.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values (value.c) ---------------------------------------------- */

/* The largest str (bytes) and list (items) an expression may build; beyond
 * them an operation fails with MemoryError naming the size, before it
 * allocates.  A fuzzing build may define smaller ones. */
#ifndef KILN__MAX_STR_BYTES
#define KILN__MAX_STR_BYTES ((size_t)1 << 30)
#endif
#ifndef KILN__MAX_LIST_ITEMS
#define KILN__MAX_LIST_ITEMS ((size_t)1 << 26)
#endif

/* A new str of len bytes whose contents the caller writes through *data
 * before sharing it (data[len] is already NUL).  NULL when out of memory. */
kiln_value *kiln__value_str_alloc(size_t len, char **data);
/* Is the caller's reference the only one (so the value may be grown in
 * place)? */
bool kiln__value_unique(const kiln_value *v);
/* Append n bytes to the str *v, whose only reference the caller holds; *v
 * may move.  KILN_OK or KILN_NOMEM (then *v is unchanged). */
int kiln__value_str_extend(kiln_value **v, const char *s, size_t n);
/* Room for `extra` more items in a list.  KILN_OK or KILN_NOMEM. */
int kiln__value_list_reserve(kiln_value *list, size_t extra);

/* ---- lexer (expr_lex.c) -------------------------------------------- */

typedef enum kiln__tok_kind {
    KILN__TOK_EOF,
    KILN__TOK_NEWLINE, /* a line break outside brackets */
    KILN__TOK_NUMBER,
    KILN__TOK_STRING,
    KILN__TOK_NAME,
    KILN__TOK_OP,
} kiln__tok_kind;

typedef enum kiln__op {
    KILN__OP_PLUS,
    KILN__OP_MINUS,
    KILN__OP_STAR,
    KILN__OP_SLASH,
    KILN__OP_DSLASH,
    KILN__OP_PERCENT,
    KILN__OP_DSTAR,
    KILN__OP_LPAR,
    KILN__OP_RPAR,
    KILN__OP_LSQB,
    KILN__OP_RSQB,
    KILN__OP_LBRACE,
    KILN__OP_RBRACE,
    KILN__OP_COMMA,
    KILN__OP_COLON,
    KILN__OP_OTHER, /* an operator outside the language (==, ., @ ...) */
} kiln__op;

typedef struct kiln__token {
    kiln__tok_kind kind;
    size_t start, end;  /* byte range in the source */
    kiln__op op;        /* OP */
    bool is_float;      /* NUMBER */
    bool int_big;       /* NUMBER int literal >= 2**64 */
    uint64_t ival;      /* NUMBER int literal (when !int_big) */
    double fval;        /* NUMBER float literal */
} kiln__token;

/* Lex one token starting at byte `pos` of src[0..len), with `depth`
 * brackets open (inside brackets line breaks are whitespace).  A STRING
 * token's decoded text is appended to `text` (which may be NULL to skip
 * it).  On a lexical error returns KILN_SYNTAX (or KILN_NOMEM), fills err
 * and sets *err_pos to the byte offset of the problem. */
int kiln__lex(const char *src, size_t len, size_t pos, int depth,
              kiln__token *tok, kiln_buf *text, kiln_error *err,
              size_t *err_pos);

/* Set a SyntaxError "<head> at column C[: <detail>]" (or "at line L,
 * column C" past the first line) for byte offset pos of src.  detail_fmt
 * may be NULL.  Returns KILN_SYNTAX. */
int kiln__syntax_error(const char *src, size_t len, size_t pos,
                       kiln_error *err, const char *head,
                       const char *detail_fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Where byte offset pos of src is, as "column C" or "line L, column C". */
void kiln__format_where(const char *src, size_t len, size_t pos, char *out,
                        size_t size);

/* Is s[0..n) one of Python's keywords (including True, False, None)? */
bool kiln__is_keyword(const char *s, size_t n);

/* Convert a decimal number already checked against Python's float syntax
 * (digits, '_', one '.', an exponent; no sign, no inf/nan) to the nearest
 * double, without consulting the locale.  KILN_OK or KILN_NOMEM. */
int kiln__decimal_to_double(const char *s, size_t n, double *out);

/* ---- operators (expr_ops.c) ---------------------------------------- */

/* a OP b for the arithmetic operators (+ - * / // % **).  Consumes the
 * reference `a` (it may be reused for the result when it is unique),
 * borrows b; on success *out gets a new reference. */
int kiln__binop(kiln__op op, kiln_value *a, const kiln_value *b,
                kiln_value **out, kiln_error *err);
/* Unary + or -; borrows v. */
int kiln__unary(kiln__op op, const kiln_value *v, kiln_value **out,
                kiln_error *err);
/* obj[key]; borrows both; *out gets a new reference. */
int kiln__index(const kiln_value *obj, const kiln_value *key,
                kiln_value **out, kiln_error *err);
/* Python's a < b (gt false) or a > b (gt true), for min and max: numbers
 * with numbers (exactly, across int and float), str with str, list with
 * list; anything else is a TypeError naming the operator. */
int kiln__compare(const kiln_value *a, const kiln_value *b, bool gt,
                  bool *result, kiln_error *err);
/* int(d) for a float: ValueError for nan, OverflowError for inf or a value
 * outside 64 bits. */
int kiln__float_to_int(double d, int64_t *out, kiln_error *err);
/* Python's float ** float (CPython's float_pow). */
int kiln__float_pow(double a, double b, double *out, kiln_error *err);
/* Set an OverflowError for an int result that does not fit 64 bits. */
int kiln__int_overflow(kiln_error *err, const char *what);

/* ---- builtins (expr_builtin.c) ------------------------------------- */

/* The builtin named s[0..n), or -1. */
int kiln__builtin_find(const char *s, size_t n);
/* Call builtin `id` with borrowed args; *out gets a new reference. */
int kiln__builtin_call(int id, kiln_value *const *args, size_t nargs,
                       kiln_value **out, kiln_error *err);

/* Hand a freshly built value to *out, or report that building it ran out
 * of memory (constructors return NULL then). */
static inline int kiln__give(kiln_value *v, kiln_value **out, kiln_error *err)
{
    if (v == NULL)
        return kiln_error_nomem(err);
    *out = v;
    return KILN_OK;
}

#endif
