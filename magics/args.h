/* kiln — magic arguments: shell-like words checked against a declarative
 * argument spec before a magic runs.
 *
 * Words (kiln_args_split) follow the shell, without expansions:
 *   - whitespace separates words;
 *   - '...' groups text literally;
 *   - "..." groups text; inside it \" and \\ are escapes, any other
 *     backslash is kept as written (so C:\data stays C:\data);
 *   - outside quotes a backslash takes the next character literally
 *     (a\ b is one word "a b"); a lone trailing backslash is kept.
 * Quoting decides what a word can be: --name and key= count only when
 * written bare, so "--x" and 'a=b' pass through as positionals, while
 * --label='a b' is an option and eta="0.3" a pair.
 *
 * Against a spec (kiln_args_parse) the words mean:
 *   --name value, --name=value    an option (FLAG options take no value);
 *   --                            the end of options: the rest are positional;
 *   key=value                     a pair, when the magic accepts pairs
 *                                 (hyperparameters), else a positional;
 *   anything else                 the next positional.
 * Checking happens once, before the magic runs: an unknown option names it
 * and the valid ones ("did you mean --format?"), a missing required
 * argument names it, a value of the wrong type names the option, the value
 * and what was expected.  All of these are KILN_USAGE.
 *
 * Ownership: kiln_args_parse returns a kiln_args that kiln_args_free frees;
 * strings it returns are borrowed from it (or from the static spec, for
 * defaults).  Threads: reentrant; a kiln_args is read-only once parsed.
 */
#ifndef KILN_MAGICS_ARGS_H
#define KILN_MAGICS_ARGS_H

#include "core/buf.h"
#include "core/error.h"
#include "core/similar.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kiln_arg_type {
    KILN_ARG_STR,    /* any text */
    KILN_ARG_INT,    /* a decimal integer that fits int64 */
    KILN_ARG_FLOAT,  /* a finite number (strtod syntax) */
    KILN_ARG_CHOICE, /* one of `choices` */
    KILN_ARG_FLAG,   /* an option without a value: --header */
    KILN_ARG_REST,   /* a positional: the raw rest of the line, unsplit
                        (quotes kept); must be the last positional */
} kiln_arg_type;

/* kiln_arg_spec.flags */
enum {
    KILN_ARG_POSITIONAL = 1u << 0, /* a positional, else an --option */
    KILN_ARG_REQUIRED = 1u << 1,
    KILN_ARG_MANY = 1u << 2,       /* last positional: takes all the rest */
};

/* One argument of a magic.  A magic's spec is a static array ended by an
 * entry whose name is NULL. */
typedef struct kiln_arg_spec {
    const char *name;    /* option name without "--" ("rows"), or the
                            placeholder of a positional ("NAME") */
    kiln_arg_type type;
    unsigned flags;      /* KILN_ARG_* */
    const char *choices; /* CHOICE: "csv|libsvm|recordio-protobuf" */
    const char *def;     /* default value as text, or NULL */
    const char *metavar; /* placeholder of an option's value in usage ("N");
                            NULL: derived from the type */
    const char *help;    /* one line, for %help and inspect */
} kiln_arg_spec;

/* ---- words ---------------------------------------------------------- */

typedef struct kiln_word {
    char *text;     /* heap, the word with quotes and escapes resolved */
    size_t start;   /* byte range of the word in the source text */
    size_t end;
    bool quoted;    /* some part of it was quoted or escaped */
    size_t bare;    /* bytes of text before the first quoted or escaped
                       one (all of it when !quoted) */
} kiln_word;

typedef struct kiln_words {
    kiln_word *items;
    size_t count;
} kiln_words;

void kiln_words_init(kiln_words *w);
void kiln_words_fini(kiln_words *w);

/* Split text[0..len) into words (appended to *out, which must be
 * initialised).  Errors: KILN_USAGE for an unterminated quote (naming where
 * it opened), KILN_NOMEM. */
int kiln_args_split(const char *text, size_t len, kiln_words *out,
                    kiln_error *err);

/* ---- parsing against a spec ----------------------------------------- */

typedef struct kiln_args kiln_args;

/* Parse text[0..len) for the command `who` (for messages, "%help") against
 * `spec`.  `pairs`: whether key=value words are collected as pairs.  On
 * success *out gets a new kiln_args.  Errors: KILN_USAGE (see above),
 * KILN_NOMEM. */
int kiln_args_parse(const kiln_arg_spec *spec, bool pairs, const char *who,
                    const char *text, size_t len, kiln_args **out,
                    kiln_error *err);
void kiln_args_free(kiln_args *a);

/* The value of an option or positional by its spec name: the last one
 * given, else the spec's default, else NULL.  For a MANY positional, the
 * first of its values. */
const char *kiln_args_str(const kiln_args *a, const char *name);
/* Whether the argument was given (defaults do not count). */
bool kiln_args_has(const kiln_args *a, const char *name);
/* Typed views of a validated INT / FLOAT value (0 when absent). */
int64_t kiln_args_int(const kiln_args *a, const char *name);
double kiln_args_float(const kiln_args *a, const char *name);
/* Whether a FLAG option was given. */
bool kiln_args_flag(const kiln_args *a, const char *name);
/* All values of a MANY positional, in order. */
size_t kiln_args_many_count(const kiln_args *a);
const char *kiln_args_many(const kiln_args *a, size_t i);
/* key=value pairs in order (only when parsed with pairs). */
size_t kiln_args_pair_count(const kiln_args *a);
void kiln_args_pair(const kiln_args *a, size_t i, const char **key,
                    const char **value);

/* ---- helpers shared with the registry ------------------------------- */

/* A one-line synopsis of a spec, appended to `out` as text, e.g.
 * "NAME [--rows N] [--format csv|libsvm] [key=value ...]".  Returns KILN_OK
 * or KILN_NOMEM. */
int kiln_args_synopsis(const kiln_arg_spec *spec, bool pairs,
                       kiln_buf *out);
/* "--rows N" or "NAME": how an argument is written in usage. */
int kiln_args_label(const kiln_arg_spec *arg, kiln_buf *out);

#endif
