/* kiln — completion, inspect and `name?` help (see interp.h).
 *
 * All three look names up the same way: "%name" and "%%name" are magics
 * (their usage comes from the registry), a bare name is a variable, else a
 * builtin function of the expression language, else a magic, else a
 * built-in algorithm (its name may hold '-': linear-learner).
 *
 * Completion also knows the algorithms: their names as the first word
 * after %train, %%train, %%tune and %help, and after an algorithm its
 * hyperparameter names, as `name=` words on the magic's line and as
 * `name = ` at the start of a %%train or %%tune body line.
 */
#include "interp.h"

#include "algo_help.h"
#include "chars.h"
#include "interp_priv.h"
#include "registry.h"
#include "value.h"
#include "vars.h"

#include "algos/algo.h"

#include "core/buf.h"
#include "core/strv.h"

#include <stdlib.h>
#include <string.h>

/* The builtin functions of expressions (expr.h), with their docs for
 * inspect and help; tests check that the expression code knows each. */
static const struct builtin {
    const char *name;
    const char *signature;
    const char *doc;
} builtins[] = {
    {"abs", "abs(x)", "The absolute value of a number."},
    {"bool", "bool(x)",
     "The truth value of x: False for 0, 0.0, '', [], {} and None, else "
     "True."},
    {"float", "float(x)",
     "x as a float, from an int, a bool or a str such as '1.5'; "
     "float('nan'), float('inf') and float('-inf') too."},
    {"int", "int(x)",
     "x as an int: a float truncated toward zero, or a str of digits."},
    {"len", "len(x)",
     "The number of items of a list or dict, or of characters of a str."},
    {"max", "max(a, b, ...) or max(list)",
     "The largest of the arguments, or of the items of one list."},
    {"min", "min(a, b, ...) or min(list)",
     "The smallest of the arguments, or of the items of one list."},
    {"round", "round(x[, n])",
     "x rounded to n decimal places, halves to even; an int when n is "
     "omitted."},
    {"str", "str(x)",
     "x as text: a str unchanged, other values as Python's str() writes "
     "them."},
};

#define NBUILTINS (sizeof builtins / sizeof builtins[0])

/* Constants that complete like names. */
static const char *const keywords[] = {"False", "None", "True"};

#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

#define REPR_LIMIT 2000 /* bytes of a variable's repr shown at level 0 */

static const struct builtin *find_builtin(const char *name, size_t len)
{
    for (size_t i = 0; i < NBUILTINS; i++)
        if (strlen(builtins[i].name) == len &&
            strncmp(builtins[i].name, name, len) == 0)
            return &builtins[i];
    return NULL;
}

/* A bundle with only text/plain. */
static int text_bundle(const char *text, kiln_bundle **out)
{
    kiln_bundle *b = kiln_bundle_new();
    if (b == NULL || kiln_bundle_add_text(b, "text/plain", text) != KILN_OK) {
        kiln_bundle_free(b);
        return KILN_NOMEM;
    }
    *out = b;
    return KILN_OK;
}

/* "x: int = 42", the repr cut at REPR_LIMIT bytes unless detail_level is
 * 1. */
static int variable_help(const char *name, size_t len, const kiln_value *v,
                         int detail_level, kiln_bundle **out)
{
    kiln_buf text, repr;
    kiln_buf_init(&text);
    kiln_buf_init(&repr);
    int rc = kiln_value_repr(v, &repr);
    if (rc == KILN_OK && detail_level < 1 && repr.len > REPR_LIMIT) {
        size_t cut = REPR_LIMIT;
        while (cut > 0 && kiln_is_utf8_cont(repr.data[cut]))
            cut--;
        repr.len = cut;
        repr.data[cut] = '\0';
        rc = kiln_buf_puts(&repr, "...");
    }
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&text, "%.*s: %s = %s", (int)len, name,
                             kiln_value_type_name(v), kiln_buf_str(&repr));
    if (rc == KILN_OK)
        rc = text_bundle(kiln_buf_str(&text), out);
    kiln_buf_fini(&repr);
    kiln_buf_fini(&text);
    return rc;
}

static int builtin_help(const struct builtin *b, kiln_bundle **out)
{
    kiln_buf text;
    kiln_buf_init(&text);
    int rc = kiln_buf_printf(&text, "%s\n\nBuiltin function: %s",
                             b->signature, b->doc);
    if (rc == KILN_OK)
        rc = text_bundle(kiln_buf_str(&text), out);
    kiln_buf_fini(&text);
    return rc;
}

int kiln_interp_help_for(const kiln_interp *in, const char *target,
                         size_t len, int detail_level, bool *found,
                         kiln_bundle **out)
{
    *found = false;
    *out = NULL;
    if (len == 0) {
        *found = true;
        return kiln_registry_overview(out);
    }
    size_t pcts = 0;
    while (pcts < len && pcts < 2 && target[pcts] == '%')
        pcts++;
    const char *name = target + pcts;
    size_t n = len - pcts;
    int rc = KILN_OK;
    const kiln_value *v =
        pcts == 0 ? kiln_vars_get(in->vars, name, n) : NULL;
    const struct builtin *b = pcts == 0 ? find_builtin(name, n) : NULL;
    const kiln_magic *m = kiln_registry_find(name, n);
    if (v != NULL)
        rc = variable_help(name, n, v, detail_level, out);
    else if (b != NULL)
        rc = builtin_help(b, out);
    else if (m != NULL)
        rc = kiln_registry_help(m, out);
    else if (pcts == 0 && kiln_algo_find(name, n) != NULL)
        rc = kiln_algo_help(kiln_algo_find(name, n), out);
    else
        return KILN_OK;
    *found = rc == KILN_OK;
    return rc;
}

/* ---- inspect ------------------------------------------------------------ */

int kiln_interp_inspect(kiln_interp *in, const char *code, size_t cursor,
                        int detail_level, bool *found, kiln_bundle **out)
{
    *found = false;
    *out = NULL;
    size_t len = strlen(code);
    if (cursor > len)
        cursor = len;
    size_t b = cursor, e = cursor;
    while (b > 0 && kiln_is_name_char(code[b - 1]))
        b--;
    while (e < len && kiln_is_name_char(code[e]))
        e++;
    if (b == e && code[e] == '%') {
        /* On the % of a magic: the name after it. */
        size_t p = e;
        while (p < len && p - e < 2 && code[p] == '%')
            p++;
        b = e = p;
        while (e < len && kiln_is_name_char(code[e]))
            e++;
    }
    if (b == e) {
        /* Just after "name(" or "name( ": the function being called. */
        size_t p = b;
        while (p > 0 && kiln_is_blank(code[p - 1]))
            p--;
        if (p == 0 || code[p - 1] != '(')
            return KILN_OK;
        e = p - 1;
        while (e > 0 && kiln_is_blank(code[e - 1]))
            e--;
        b = e;
        while (b > 0 && kiln_is_name_char(code[b - 1]))
            b--;
        if (b == e)
            return KILN_OK;
    }
    /* An algorithm's name may hold '-' (linear-learner): widen the word
     * over its dashes when the wider word names one. */
    size_t wb = b, we = e;
    while (wb > 0 && (kiln_is_name_char(code[wb - 1]) || code[wb - 1] == '-'))
        wb--;
    while (we < len && (kiln_is_name_char(code[we]) || code[we] == '-'))
        we++;
    if ((wb < b || we > e) && kiln_algo_find(code + wb, we - wb) != NULL)
        return kiln_interp_help_for(in, code + wb, we - wb, detail_level,
                                    found, out);
    /* Take the % or %% of a magic at the start of its line. */
    size_t s = b;
    while (s > 0 && b - s < 2 && code[s - 1] == '%')
        s--;
    if (s < b) {
        size_t p = s;
        while (p > 0 && kiln_is_blank(code[p - 1]))
            p--;
        if (p > 0 && code[p - 1] != '\n')
            s = b;
    }
    return kiln_interp_help_for(in, code + s, e - s, detail_level, found, out);
}

/* ---- completion --------------------------------------------------------- */

void kiln_completion_init(kiln_completion *c)
{
    c->matches = NULL;
    c->count = 0;
    c->cursor_start = 0;
    c->cursor_end = 0;
}

void kiln_completion_fini(kiln_completion *c)
{
    kiln_strv_free(c->matches, c->count);
    kiln_completion_init(c);
}

/* Add "<prefix><name>" when name starts with typed[0..n). */
static int offer(kiln_completion *c, const char *prefix, const char *name,
                 const char *typed, size_t n)
{
    if (strncmp(name, typed, n) != 0)
        return KILN_OK;
    kiln_buf b;
    kiln_buf_init(&b);
    if (kiln_buf_printf(&b, "%s%s", prefix, name) != KILN_OK)
        return KILN_NOMEM;
    for (size_t i = 0; i < c->count; i++) {
        if (strcmp(c->matches[i], kiln_buf_str(&b)) == 0) {
            kiln_buf_fini(&b);
            return KILN_OK;
        }
    }
    int rc = kiln_strv_push(&c->matches, c->count, kiln_buf_str(&b), b.len);
    kiln_buf_fini(&b);
    if (rc == KILN_OK)
        c->count++;
    return rc;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Magic names after % or %% at the start of a line: after %, the line
 * magics and (on the cell's first line) the cell magics with their %%;
 * after %%, the cell magics. */
static int complete_magics(kiln_completion *c, size_t pcts, bool first_line,
                           const char *typed, size_t n)
{
    size_t count = kiln_registry_count();
    int rc = KILN_OK;
    for (size_t i = 0; i < count && rc == KILN_OK; i++) {
        const kiln_magic *m = kiln_registry_get(i);
        if (pcts == 1 && (m->kinds & KILN_MAGIC_LINE))
            rc = offer(c, "%", m->name, typed, n);
        if (rc == KILN_OK && (pcts == 2 || first_line) &&
            (m->kinds & KILN_MAGIC_CELL))
            rc = offer(c, "%%", m->name, typed, n);
    }
    return rc;
}

/* Option names of the magic the line starts with. */
static int complete_options(kiln_completion *c, const char *line,
                            size_t line_len, const char *typed, size_t n)
{
    size_t p = 0;
    while (p < line_len && kiln_is_blank(line[p]))
        p++;
    size_t pcts = 0;
    while (p < line_len && pcts < 2 && line[p] == '%') {
        p++;
        pcts++;
    }
    size_t q = p;
    while (q < line_len && kiln_is_name_char(line[q]))
        q++;
    const kiln_magic *m = pcts > 0 ? kiln_registry_find(line + p, q - p) : NULL;
    if (m == NULL || m->args == NULL)
        return KILN_OK;
    int rc = KILN_OK;
    for (const kiln_arg_spec *a = m->args; a->name != NULL && rc == KILN_OK;
         a++)
        if (!(a->flags & KILN_ARG_POSITIONAL))
            rc = offer(c, "--", a->name, typed, n);
    return rc;
}

/* The magics whose first word is an algorithm, and whose name=value words
 * (or body lines) are its hyperparameters. */
static bool takes_algorithm(const char *name, size_t len, size_t pcts)
{
    static const char *const line[] = {"train", "help"};
    static const char *const cell[] = {"train", "tune"};
    const char *const *set = pcts == 1 ? line : cell;
    for (size_t i = 0; i < 2; i++)
        if (strlen(set[i]) == len && strncmp(set[i], name, len) == 0)
            return true;
    return false;
}

/* A line's magic: *name..*nlen after its % or %%, *after the offset of
 * what follows the name.  false when the line is no magic call. */
static bool line_magic(const char *line, size_t line_len, size_t *pcts,
                       const char **name, size_t *nlen, size_t *after)
{
    size_t p = 0;
    while (p < line_len && kiln_is_blank(line[p]))
        p++;
    size_t k = 0;
    while (p < line_len && k < 2 && line[p] == '%') {
        p++;
        k++;
    }
    size_t q = p;
    while (q < line_len && kiln_is_name_char(line[q]))
        q++;
    if (k == 0 || q == p)
        return false;
    *pcts = k;
    *name = line + p;
    *nlen = q - p;
    *after = q;
    return true;
}

/* Algorithm names starting with typed[0..n) (which may hold '-'). */
static int complete_algorithms(kiln_completion *c, const char *typed, size_t n)
{
    int rc = KILN_OK;
    for (size_t i = 0; i < kiln_algo_count() && rc == KILN_OK; i++)
        rc = offer(c, "", kiln_algo_get(i)->name, typed, n);
    return rc;
}

/* Hyperparameter names of algo starting with typed[0..n), each followed by
 * suffix ("=" on a magic's line, " = " in a body). */
static int complete_hparams(kiln_completion *c, const kiln_algo *algo,
                            const char *suffix, const char *typed, size_t n)
{
    int rc = KILN_OK;
    for (const kiln_hp_spec *h = algo->hparams; h->name != NULL && rc == KILN_OK;
         h++) {
        if (strncmp(h->name, typed, n) != 0)
            continue;
        kiln_buf b;
        kiln_buf_init(&b);
        rc = kiln_buf_printf(&b, "%s%s", h->name, suffix);
        if (rc == KILN_OK)
            rc = offer(c, "", kiln_buf_str(&b), typed, n);
        kiln_buf_fini(&b);
    }
    return rc;
}

/* The algorithm named by the first word after a %train-like magic on the
 * line line[0..len), or NULL. */
static const kiln_algo *algorithm_of_line(const char *line, size_t len)
{
    size_t pcts, nlen, after;
    const char *name;
    if (!line_magic(line, len, &pcts, &name, &nlen, &after) ||
        !takes_algorithm(name, nlen, pcts))
        return NULL;
    size_t p = after;
    while (p < len && kiln_is_blank(line[p]))
        p++;
    size_t q = p;
    while (q < len && !kiln_is_blank(line[q]) && line[q] != '\n')
        q++;
    return q > p ? kiln_algo_find(line + p, q - p) : NULL;
}

/* Completion of algorithm and hyperparameter names (see the top of the
 * file).  *done is set when the cursor is in such a place. */
static int complete_algo_words(const char *code, size_t ls, size_t cursor,
                               kiln_completion *c, size_t *start, bool *done)
{
    *done = false;
    /* The word at the cursor, '-' included (linear-learner). */
    size_t b = cursor;
    while (b > ls && (kiln_is_name_char(code[b - 1]) || code[b - 1] == '-'))
        b--;
    const char *line = code + ls;
    size_t line_len = cursor - ls;
    size_t pcts, nlen, after;
    const char *name;
    if (line_magic(line, line_len, &pcts, &name, &nlen, &after) &&
        takes_algorithm(name, nlen, pcts) && ls + after < b) {
        /* The first word after the magic: an algorithm. */
        bool first = true;
        for (size_t i = ls + after; i < b && first; i++)
            first = kiln_is_blank(code[i]);
        if (first) {
            *done = true;
            *start = b;
            return complete_algorithms(c, code + b, cursor - b);
        }
        /* A later word that does not start with '-': a hyperparameter. */
        if (kiln_is_blank(code[b - 1]) && code[b] != '-') {
            const kiln_algo *algo = algorithm_of_line(line, line_len);
            if (algo != NULL) {
                *done = true;
                *start = b;
                return complete_hparams(c, algo, "=", code + b, cursor - b);
            }
        }
        return KILN_OK;
    }
    /* A body line of %%train or %%tune: the first word is a
     * hyperparameter.  The cell's first line names the algorithm. */
    for (size_t i = ls; i < b; i++)
        if (!kiln_is_blank(code[i]))
            return KILN_OK;
    size_t fl = 0;
    while (fl < ls && (kiln_is_blank(code[fl]) || code[fl] == '\n'))
        fl++;
    if (fl >= ls)
        return KILN_OK;
    size_t fe = fl;
    while (fe < ls && code[fe] != '\n')
        fe++;
    if (code[fl] != '%' || fl + 1 >= fe || code[fl + 1] != '%')
        return KILN_OK;
    const kiln_algo *algo = algorithm_of_line(code + fl, fe - fl);
    if (algo == NULL)
        return KILN_OK;
    *done = true;
    *start = b;
    return complete_hparams(c, algo, " = ", code + b, cursor - b);
}

/* Variables, and unless vars_only the builtins and constants. */
static int complete_names(const kiln_interp *in, kiln_completion *c,
                          bool vars_only, const char *typed, size_t n)
{
    int rc = KILN_OK;
    size_t count = kiln_vars_count(in->vars);
    for (size_t i = 0; i < count && rc == KILN_OK; i++) {
        const char *name;
        kiln_vars_item(in->vars, i, &name, NULL);
        rc = offer(c, "", name, typed, n);
    }
    for (size_t i = 0; i < NBUILTINS && rc == KILN_OK && !vars_only; i++)
        rc = offer(c, "", builtins[i].name, typed, n);
    for (size_t i = 0; i < NKEYWORDS && rc == KILN_OK && !vars_only; i++)
        rc = offer(c, "", keywords[i], typed, n);
    return rc;
}

int kiln_interp_complete(kiln_interp *in, const char *code, size_t cursor,
                         kiln_completion *out)
{
    size_t len = strlen(code);
    if (cursor > len)
        cursor = len;
    size_t ls = cursor; /* start of the cursor's line */
    while (ls > 0 && code[ls - 1] != '\n')
        ls--;
    size_t b = cursor;
    while (b > ls && kiln_is_name_char(code[b - 1]))
        b--;
    const char *typed = code + b;
    size_t n = cursor - b;
    /* Is everything before ls blank (the cursor is on the first line)? */
    bool first_line = true;
    for (size_t i = 0; i < ls && first_line; i++)
        first_line = kiln_is_blank(code[i]) || code[i] == '\n';
    size_t lead = ls; /* the line's first non-blank byte */
    while (lead < cursor && kiln_is_blank(code[lead]))
        lead++;

    kiln_completion c;
    kiln_completion_init(&c);
    size_t start = b;
    int rc = KILN_OK;
    size_t pcts = 0;
    while (b - pcts > ls && pcts < 2 && code[b - pcts - 1] == '%')
        pcts++;
    size_t dashes = 0;
    while (b - dashes > ls && dashes < 2 && code[b - dashes - 1] == '-')
        dashes++;
    bool raw_line = lead < cursor && (code[lead] == '%' || code[lead] == '!');
    bool algo_done = false;
    if (!(pcts > 0 && b - pcts == lead))
        rc = complete_algo_words(code, ls, cursor, &c, &start, &algo_done);
    if (rc != KILN_OK || algo_done) {
        /* done: an algorithm or hyperparameter name */
    } else if (pcts > 0 && b - pcts == lead) {
        start = lead;
        rc = complete_magics(&c, pcts, first_line, typed, n);
    } else if (dashes > 0 && lead < cursor && code[lead] == '%' &&
               (b - dashes == ls || kiln_is_blank(code[b - dashes - 1]))) {
        start = b - dashes;
        rc = complete_options(&c, code + ls, cursor - ls, typed, n);
    } else if (b > ls && (code[b - 1] == '$' ||
                          (code[b - 1] == '{' && b - 1 > ls &&
                           code[b - 2] == '$'))) {
        rc = complete_names(in, &c, true, typed, n);
    } else if (!raw_line) {
        rc = complete_names(in, &c, false, typed, n);
    }
    if (rc != KILN_OK) {
        kiln_completion_fini(&c);
        return KILN_NOMEM;
    }
    if (c.count > 1)
        qsort(c.matches, c.count, sizeof c.matches[0], by_text);
    c.cursor_start = start;
    c.cursor_end = cursor;
    *out = c;
    return KILN_OK;
}
