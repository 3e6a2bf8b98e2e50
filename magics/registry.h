/* kiln — the magic table.
 *
 * Every magic is one const kiln_magic descriptor: its name, whether it is a
 * line magic (%name), a cell magic (%%name) or both, its argument spec
 * (args.h), a one-line summary, usage text, and the function that runs it.
 * %help, %lsmagic, completion of magic and option names, inspect and the
 * `%name?` pager are all generated from these descriptors, and arguments
 * are checked against the spec once, before `run` is called.
 *
 * Adding magics: write magic_<group>.c with everything static except one
 *     const kiln_magic kiln_magics_<group>[] = { {...}, {...}, {0} };
 * (ended by an entry whose name is NULL), declare it below, list it in
 * registry.c's `groups`, and add the file to magics/meson.build.
 *
 * Threads: the table is constant; these functions are reentrant.
 */
#ifndef KILN_MAGICS_REGISTRY_H
#define KILN_MAGICS_REGISTRY_H

#include "args.h"
#include "interp.h"
#include "vars.h"

#include "core/bundle.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/sink.h"

#include <stdbool.h>
#include <stddef.h>

/* kiln_magic.kinds */
enum {
    KILN_MAGIC_LINE = 1u << 0, /* %name args */
    KILN_MAGIC_CELL = 1u << 1, /* %%name args, then a body */
};

/* kiln_magic.flags */
enum {
    KILN_MAGIC_PAIRS = 1u << 0, /* collects key=value words as pairs */
    /* The body is prose or markup, where `$` also delimits LaTeX math:
     * defined $names are substituted, but an unknown $name and `$$` (display
     * math) stay as written instead of being an error and an escape. */
    KILN_MAGIC_TEXT_BODY = 1u << 1,
    /* The body is a script: defined $names are substituted, an unknown
     * $name is left for the script's shell, as for `!command`. */
    KILN_MAGIC_SHELL_BODY = 1u << 2,
};

typedef struct kiln_magic kiln_magic;

/* What a magic's run function gets.  Everything is borrowed for the call. */
typedef struct kiln_magic_call {
    const kiln_magic *magic;
    const kiln_args *args;       /* checked against magic->args */
    bool cell;                   /* called as %%name */
    const char *body;            /* %%: the body after $substitution
                                    (NUL-terminated, maybe ""); % : NULL */
    size_t body_len;
    int body_line;               /* cell line number of the body's first
                                    line, for messages */
    const kiln_sink *sink;       /* where output goes */
    kiln_vars *vars;             /* the session's variables */
    kiln_cancel *cancel;         /* poll in long work; may be NULL */
    const kiln_exec_opts *opts;  /* execution count, silent */
} kiln_magic_call;

/* Runs a magic.  Returns KILN_OK or a status with *err filled; the
 * interpreter adds the cell line to err->context unless the magic set a
 * context itself, and sends the error to the sink. */
typedef int (*kiln_magic_fn)(const kiln_magic_call *call, kiln_error *err);

struct kiln_magic {
    const char *name;           /* without % */
    unsigned kinds;             /* KILN_MAGIC_LINE and/or KILN_MAGIC_CELL */
    unsigned flags;             /* KILN_MAGIC_* */
    const kiln_arg_spec *args;  /* ended by {0}; NULL for none */
    const char *summary;        /* one line, no final period */
    const char *usage;          /* more text for %help: what it does, in
                                   detail, with examples; may be NULL */
    kiln_magic_fn run;
};

/* The groups of magics (see "Adding magics" above). */
extern const kiln_magic kiln_magics_basic[];
extern const kiln_magic kiln_magics_display[];
extern const kiln_magic kiln_magics_data[];
extern const kiln_magic kiln_magics_train[];
extern const kiln_magic kiln_magics_deploy[];
extern const kiln_magic kiln_magics_predict[];
extern const kiln_magic kiln_magics_tune[];
extern const kiln_magic kiln_magics_script[];

/* What most magics end with: display bundle b when rc is KILN_OK, free
 * it either way, and return rc (KILN_NOMEM with err filled).  b may be
 * NULL when rc is not KILN_OK. */
int kiln_magic_show(const kiln_magic_call *call, int rc, kiln_bundle *b,
                    kiln_error *err);

/* The output root of training jobs when --output is not given. */
#define KILN_DEFAULT_ROOT "kiln-output"

/* All magics, sorted by name. */
size_t kiln_registry_count(void);
const kiln_magic *kiln_registry_get(size_t i);

/* The magic called name[0..len) (without %), or NULL. */
const kiln_magic *kiln_registry_find(const char *name, size_t len);

/* Fill err with the UsageError for an unknown magic name[0..len), with
 * close matches ("unknown magic %ech; did you mean %echo?").  Returns
 * KILN_USAGE. */
int kiln_registry_unknown(const char *name, size_t len, bool cell,
                          kiln_error *err);

/* The usage of one magic (synopsis, summary, arguments and options, usage
 * text) as text/plain and text/html; *out is a new bundle. */
int kiln_registry_help(const kiln_magic *m, kiln_bundle **out);
/* The same text/plain text, appended to out. */
int kiln_registry_help_text(const kiln_magic *m, kiln_buf *out);

/* All magics with their summaries (%help without a name). */
int kiln_registry_overview(kiln_bundle **out);
/* The names of the line and of the cell magics (%lsmagic). */
int kiln_registry_lsmagic(kiln_bundle **out);

#endif
