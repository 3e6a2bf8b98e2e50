/* kiln — error codes and the caller-owned error object.
 *
 * Every fallible function in kiln returns an int status (0 = KILN_OK, or a
 * kiln_status) and, on failure, fills a caller-owned kiln_error.  The first
 * message set wins: a low-level function names the precise cause ("train.csv
 * line 17: 9 fields, expected 11") and callers up the stack do not overwrite
 * it.  The error's code maps to a Python-style exception name (the `ename`
 * of a Jupyter error message) through KILN_STATUS_MAP.
 *
 * Nothing below main() exits or aborts on user input; errors travel back
 * through these objects instead.
 *
 * Threads: a kiln_error belongs to one thread at a time; the functions here
 * are reentrant.
 */
#ifndef KILN_CORE_ERROR_H
#define KILN_CORE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* X(SYMBOL, ename, one-line meaning) */
#define KILN_STATUS_MAP(X)                                                   \
    X(OK, "OK", "no error")                                                  \
    X(USAGE, "UsageError", "a magic or option was used wrongly")             \
    X(SYNTAX, "SyntaxError", "the cell could not be parsed")                 \
    X(NAME, "NameError", "an unknown variable was used")                     \
    X(TYPE, "TypeError", "an operation got a value of the wrong type")       \
    X(VALUE, "ValueError", "a value is out of range or malformed")           \
    X(ZERODIV, "ZeroDivisionError", "division or modulo by zero")            \
    X(OVERFLOW, "OverflowError", "a number is too large")                    \
    X(KEY, "KeyError", "a key is missing from a dict")                       \
    X(INDEX, "IndexError", "an index is out of range")                       \
    X(IO, "OSError", "a file or process operation failed")                   \
    X(NOMEM, "MemoryError", "an allocation failed")                          \
    X(DATA, "DataError", "input data is malformed")                          \
    X(HYPERPARAMETER, "HyperparameterError", "a hyperparameter is invalid")  \
    X(INTERRUPTED, "Interrupted", "the user interrupted the work")           \
    X(PROTOCOL, "ProtocolError", "a message broke the wire protocol")        \
    X(INTERNAL, "InternalError", "a bug in kiln")

typedef enum kiln_status {
#define KILN__STATUS_ENUM(sym, ename, doc) KILN_##sym,
    KILN_STATUS_MAP(KILN__STATUS_ENUM)
#undef KILN__STATUS_ENUM
    KILN__STATUS_COUNT
} kiln_status;

/* Exception-style name of a status ("NameError"); "InternalError" for codes
 * out of range.  The string is static. */
const char *kiln_status_ename(int status);

/* Caller-owned error object.  Zero-initialise it (or kiln_error_init) before
 * the first call that may fill it. */
typedef struct kiln_error {
    int code;             /* a kiln_status; KILN_OK while unset */
    char message[1024];   /* what went wrong, for a person; NUL-terminated */
    char context[1024];   /* optional lines locating it (cell line, caret) */
} kiln_error;

void kiln_error_init(kiln_error *err);

/* Set the error unless one is already set (first message wins).  Returns
 * code, so callers can `return kiln_error_set(err, KILN_NAME, ...)`.
 * err may be NULL, in which case only the code is returned. */
int kiln_error_set(kiln_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int kiln_error_setv(kiln_error *err, int code, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/* Attach locating lines (replaces any previous context; the message is kept).
 * No-op when err is NULL. */
void kiln_error_set_context(kiln_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prefix the message: "prefix: old message".  Used by callers that add
 * where the error happened without replacing what it was. */
void kiln_error_prefix(kiln_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The common case of kiln_error_set: KILN_NOMEM, "out of memory". */
int kiln_error_nomem(kiln_error *err);

static inline int kiln_error_is_set(const kiln_error *err)
{
    return err != NULL && err->code != 0;
}

#endif
