/* kiln — splitting a cell into logical lines.
 *
 * A cell (language.md) is a sequence of logical lines, each one of:
 *   blank or `# comment`       nothing to do
 *   name = expr                an assignment; also += -= *= /= //= %= **=
 *   expr                       a bare expression
 *   %name args                 a line magic
 *   %%name args                a cell magic: the first line of the cell,
 *                              and the rest of the cell is its body
 *   !command                   a shell command
 *   name?  ?name  name??  %name?  %%name?  ?
 *                              help, shown in the pager
 * Expression and assignment lines continue onto the next physical line
 * while a bracket or a string is open (the lexical state of kiln_expr_scan),
 * or after a trailing backslash outside a string and a comment.  Magic,
 * shell and help lines continue only after a trailing backslash, and the
 * backslash-newline is removed as a shell would ("%echo a \<NL>b" is
 * "%echo a b").
 *
 * For expression and assignment lines `text` is the cell bytes the line
 * spans, comments and continuations included (the expression code reads
 * them), so an offset into it is an offset into the cell from `start`; only
 * a final ';' (IPython's "no result" mark) is replaced by a space.
 *
 * Splitting never fails on what the cell says: a misplaced `%%` line or a
 * bad help target is a line of its kind that the interpreter reports when it
 * gets to it, so the lines before it still run.
 *
 * Ownership: kiln_cell_split fills a caller-owned kiln_cell (kiln_cell_fini).
 * The cell borrows nothing from the code.  Threads: reentrant.
 */
#ifndef KILN_MAGICS_CELL_H
#define KILN_MAGICS_CELL_H

#include "interp.h"

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kiln_line_kind {
    KILN_LINE_BLANK,
    KILN_LINE_ASSIGN,
    KILN_LINE_EXPR,
    KILN_LINE_MAGIC,
    KILN_LINE_CELL_MAGIC,
    KILN_LINE_SHELL,
    KILN_LINE_HELP,
} kiln_line_kind;

typedef struct kiln_line {
    kiln_line_kind kind;
    int lineno;          /* 1-based cell line where it starts */
    int nlines;          /* physical lines it spans (a cell magic: 1) */
    size_t start;        /* byte offset in the cell of its first byte */
    size_t span;         /* bytes of the cell it spans, without the final
                            newline (a cell magic: its first line only) */
    char *text;          /* heap, NUL-terminated: the logical line (see
                            above); a cell magic: its first line */
    size_t len;          /* strlen(text) */
    /* The parts, as byte ranges of text: */
    size_t name;         /* ASSIGN target; MAGIC, CELL_MAGIC name after the
                            %s; HELP target (with its %s, may be empty) */
    size_t name_len;
    size_t arg;          /* ASSIGN, EXPR: the expression; MAGIC, CELL_MAGIC:
                            the arguments; SHELL: the command.  It runs to
                            the end of text. */
    char op[4];          /* ASSIGN: "=", "+=", "-=", "*=", "/=", "//=", "%=",
                            "**=" */
    int help_level;      /* HELP: 1 for ?, 2 for ?? */
    bool help_bad;       /* HELP: the target is not NAME or %NAME */
    bool quiet;          /* EXPR, ASSIGN: ended in ';' */
    bool first;          /* CELL_MAGIC: the first non-blank line of the cell
                            (only then is it valid) */
    char *body;          /* CELL_MAGIC with first set: heap, the rest of the
                            cell after the first line ("" when none) */
    size_t body_len;
    int body_lineno;     /* cell line of the body's first line */
    /* Lexical state at the end of the line, for is_complete: */
    bool open;           /* the cell ended with it still open (bracket,
                            string, or trailing backslash) */
    int depth;           /* brackets open at the end */
    bool unbalanced;     /* a closer without its opener */
} kiln_line;

typedef struct kiln_cell {
    kiln_line *lines;
    size_t count;
} kiln_cell;

void kiln_cell_init(kiln_cell *cell);
void kiln_cell_fini(kiln_cell *cell);

/* Split code[0..len) into logical lines appended to an initialised *cell.
 * Returns KILN_OK or KILN_NOMEM (with err filled). */
int kiln_cell_split(const char *code, size_t len, kiln_cell *cell,
                    kiln_error *err);

/* is_complete for a console: KILN_INCOMPLETE while a bracket or a string is
 * open or the last line ends in a backslash (indent "    " inside brackets,
 * else ""), and for a cell starting with %% until it ends with an empty
 * line; KILN_INVALID when a closer has no opener; else KILN_COMPLETE.
 * KILN_UNKNOWN when out of memory.  *indent may be NULL. */
kiln_completeness kiln_cell_is_complete(const char *code, size_t len,
                                        const char **indent);

/* The physical line (1-based) and the byte offset of its start for a byte
 * offset into code[0..len). */
void kiln_cell_locate(const char *code, size_t len, size_t offset,
                      int *lineno, size_t *line_start);

/* Set err's context to locate a problem on cell line `lineno`, whose text
 * is text[0..n), unless err has a context already:
 *     "  Cell line 3\n    y = (1 +\n        ^"
 * with the caret under byte `caret` of the line (-1: no caret line).  A
 * long line is cut to a window around the caret.  err may be NULL. */
void kiln_cell_context(kiln_error *err, int lineno, const char *text,
                       size_t n, long caret);

#endif
