/* kiln — the interpreter: the cell language behind the kernel.
 *
 * This is the whole boundary between the transport (kernel/) and the
 * language (magics/): execute, complete, inspect, is_complete, plus
 * evaluating one expression for user_expressions.  The interpreter never
 * sees frames, signatures or sockets; everything a cell shows goes through
 * the kiln_sink it is given, so it can be driven by a capturing sink in tests.
 *
 * Positions (cursor, cursor_start/end) are BYTE offsets into the UTF-8 code;
 * the kernel converts Jupyter's code-point offsets at the boundary.
 *
 * Ownership: kiln_interp_new/free.  Results (kiln_completion) are caller-owned
 * structs with an _fini.
 * Threads: one interpreter is used by one thread at a time (the kernel's
 * shell thread).  Work it starts may call the sink from other threads.
 */
#ifndef KILN_MAGICS_INTERP_H
#define KILN_MAGICS_INTERP_H

#include "core/bundle.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/sink.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kiln_interp kiln_interp;

/* cancel: the process's interrupt flag, polled by long work; may be NULL.
 * Borrowed: it must outlive the interpreter.  Returns NULL when out of
 * memory. */
kiln_interp *kiln_interp_new(kiln_cancel *cancel);
void kiln_interp_free(kiln_interp *in);

typedef struct kiln_exec_opts {
    int execution_count; /* the In[n] of this cell */
    bool silent;         /* no execute_result, as quiet as possible */
} kiln_exec_opts;

/* Run one cell.  Outputs go to `sink` as they happen; the value of the last
 * bare expression goes to sink->result (unless silent).  On failure the
 * error is sent to sink->error AND copied into *err (may be NULL), and the
 * kiln_status is returned; variables assigned before the failing line keep
 * their values.  An interrupt ends the cell with KILN_INTERRUPTED. */
int kiln_interp_execute(kiln_interp *in, const char *code,
                        const kiln_exec_opts *opts, const kiln_sink *sink,
                        kiln_error *err);

/* Evaluate one expression without side effects on the outputs and return
 * its display bundle (text/plain at least) in *out (caller frees).  Used for
 * execute_request's user_expressions. */
int kiln_interp_eval(kiln_interp *in, const char *expr, kiln_bundle **out,
                     kiln_error *err);

typedef struct kiln_completion {
    char **matches;      /* heap strings */
    size_t count;
    size_t cursor_start; /* byte range of the code the matches replace */
    size_t cursor_end;
} kiln_completion;

void kiln_completion_init(kiln_completion *c);
void kiln_completion_fini(kiln_completion *c);

/* Completions for the word before `cursor` (a byte offset into code).
 * Returns KILN_OK with zero matches when there is nothing to offer. */
int kiln_interp_complete(kiln_interp *in, const char *code, size_t cursor,
                         kiln_completion *out);

/* Help for the name under or just before `cursor`: *found says whether there
 * was anything; *out (caller frees) gets text/plain (and text/html) when
 * found, else NULL.  detail_level 0 or 1. */
int kiln_interp_inspect(kiln_interp *in, const char *code, size_t cursor,
                        int detail_level, bool *found, kiln_bundle **out);

typedef enum kiln_completeness {
    KILN_COMPLETE,
    KILN_INCOMPLETE,
    KILN_INVALID,
    KILN_UNKNOWN,
} kiln_completeness;

/* Whether `code` is ready to run (consoles call this on Enter).  For
 * KILN_INCOMPLETE, *indent (may be NULL) gets a static string to indent the
 * next line with. */
kiln_completeness kiln_interp_is_complete(kiln_interp *in, const char *code,
                                          const char **indent);

/* Names of the language for kernel_info. */
#define KILN_LANGUAGE_NAME "kiln"
#define KILN_LANGUAGE_VERSION "0.1"
#define KILN_LANGUAGE_MIMETYPE "text/x-kiln"
#define KILN_LANGUAGE_EXTENSION ".kiln"

#endif
