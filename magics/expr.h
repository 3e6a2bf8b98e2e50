/* kiln — expressions of the cell language.
 *
 * An expression is a Python literal or arithmetic over literals and
 * variables:
 *   literals   42  -1.5e-3  0x1F  1_000  "text"  'text'  """multi"""
 *              r'raw'  True  False  None  [1, 2]  {"a": 1}  (1 + 2)
 *   operators  + - * / // % ** (Python's precedence and associativity;
 *              ** is right-associative and binds tighter than unary minus
 *              on its left: -2 ** 2 == -4), unary + and -
 *   names      variables from a kiln_vars
 *   calls      a few builtins: float(x) (also float('nan'), float('inf'),
 *              which papermill writes), int(x), str(x), bool(x), len(x),
 *              abs(x), min(...), max(...), round(x[, n])
 *   indexing   list[i] (negative too), dict[key], str[i]
 * Semantics are Python's: int / int is a float, // and % floor, int
 * overflow beyond 64 bits is OverflowError, 1 / 0 is ZeroDivisionError,
 * str + str concatenates, str * int and list * int repeat, list + list
 * concatenates, comparisons are not part of the language.
 *
 * Errors: SyntaxError with the byte offset of the problem in the message
 * ("invalid syntax at column 7: unexpected ')'"), NameError ("name 'x' is
 * not defined"), TypeError ("unsupported operand type(s) for +: 'int' and
 * 'str'"), ZeroDivisionError, OverflowError, KeyError, IndexError,
 * ValueError.
 *
 * Threads: reentrant.
 */
#ifndef KILN_MAGICS_EXPR_H
#define KILN_MAGICS_EXPR_H

#include "core/error.h"
#include "value.h"
#include "vars.h"

#include <stddef.h>

/* Parse and evaluate src[0..len) as one whole expression (surrounding
 * whitespace allowed; newlines allowed inside brackets).  On success *out
 * gets a new reference.  vars may be NULL (no variables).  The whole
 * expression is parsed before anything is evaluated, so a SyntaxError wins
 * over a runtime error, as in Python. */
int kiln_expr_eval(const char *src, size_t len, const kiln_vars *vars,
                   kiln_value **out, kiln_error *err);

/* How deeply brackets, unary operators and ** exponents may nest; deeper
 * is a SyntaxError "too deeply nested", never a stack overflow. */
#define KILN_EXPR_MAX_DEPTH 100

/* Check the syntax of src[0..len) without evaluating it (no variables are
 * looked up).  Returns KILN_OK, or KILN_SYNTAX (KILN_NOMEM) with err set
 * and, when offset is non-NULL, *offset = the byte offset in src of the
 * problem, for a caret under the cell line. */
int kiln_expr_check(const char *src, size_t len, size_t *offset,
                    kiln_error *err);

/* Lexical state at the end of src[0..len), for is_complete and for splitting
 * a cell into logical lines: how deep brackets are nested, and whether a
 * string is still open.  `unbalanced` is set when a closer has no opener or
 * the wrong kind ("(]").  Comments (# to end of line, outside strings) are
 * skipped. */
typedef struct kiln_lex_state {
    int depth;          /* open (, [, { not yet closed */
    int open_string;    /* 0, or the quote char of an unterminated string */
    int triple;         /* the open string is triple-quoted */
    int unbalanced;     /* a closer did not match (or a one-line string
                           ran into the end of its line) */
} kiln_lex_state;

void kiln_expr_scan(const char *src, size_t len, kiln_lex_state *state);

/* Is [s, s+len) a valid identifier (not a keyword such as True/None)? */
int kiln_is_identifier(const char *s, size_t len);

#endif
