/* kiln — the basic magics: %help, %lsmagic, %who, %echo, %clear.
 *
 * Everything here is static except the descriptor table kiln_magics_basic
 * (registry.h).
 */
#include "registry.h"

#include "algo_help.h"
#include "chars.h"
#include "table.h"
#include "value.h"
#include "vars.h"

#include "algos/algo.h"

#include "core/buf.h"
#include "core/utf8.h"

#include <string.h>

#define WHO_REPR_LIMIT 60 /* code points of a value shown by %who */

/* Display b when rc (the status of making it) is KILN_OK, then free it. */
/* ---- %help -------------------------------------------------------------- */

static int run_help(const kiln_magic_call *call, kiln_error *err)
{
    const char *name = kiln_args_str(call->args, "NAME");
    kiln_bundle *b = NULL;
    if (name == NULL) {
        int rc = kiln_registry_overview(&b);
        return kiln_magic_show(call, rc, b, err);
    }
    size_t pcts = 0;
    while (pcts < 2 && name[pcts] == '%')
        pcts++;
    const kiln_magic *m = kiln_registry_find(name + pcts, strlen(name + pcts));
    /* A bare name that is no magic may be an algorithm (%help kmeans). */
    const kiln_algo *a =
        m == NULL && pcts == 0 ? kiln_algo_find(name, strlen(name)) : NULL;
    if (m == NULL && a == NULL)
        return kiln_registry_unknown(name + pcts, strlen(name + pcts),
                                     pcts == 2, err);
    int rc = m != NULL ? kiln_registry_help(m, &b) : kiln_algo_help(a, &b);
    return kiln_magic_show(call, rc, b, err);
}

static const kiln_arg_spec help_args[] = {
    {.name = "NAME", .type = KILN_ARG_STR, .flags = KILN_ARG_POSITIONAL,
     .help = "a magic, with or without its % (echo, %echo, %%html), or an "
             "algorithm (kmeans)"},
    {0},
};

/* ---- %lsmagic ----------------------------------------------------------- */

static int run_lsmagic(const kiln_magic_call *call, kiln_error *err)
{
    kiln_bundle *b = NULL;
    int rc = kiln_registry_lsmagic(&b);
    return kiln_magic_show(call, rc, b, err);
}

/* ---- %who --------------------------------------------------------------- */

/* The repr of v, cut to WHO_REPR_LIMIT code points with "...". */
static int short_repr(const kiln_value *v, kiln_buf *out)
{
    if (kiln_value_repr(v, out) != KILN_OK)
        return KILN_NOMEM;
    if (kiln_utf8_count(out->data, out->len) <= WHO_REPR_LIMIT)
        return KILN_OK;
    size_t points = 0;
    for (size_t i = 0; i < out->len; i++) {
        if (kiln_is_utf8_cont(out->data[i]))
            continue;
        if (++points > WHO_REPR_LIMIT - 3) {
            out->len = i;
            out->data[i] = '\0';
            return kiln_buf_puts(out, "...");
        }
    }
    return KILN_OK;
}

/* "No variables." (of that type), as text and HTML. */
static int no_variables(const char *type, kiln_bundle *b)
{
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    int rc = type != NULL
                 ? kiln_buf_printf(&text, "No variables of type %s.", type)
                 : kiln_buf_puts(&text, "No variables.");
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&html, "<p>%s</p>", kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/html", kiln_buf_str(&html));
    kiln_buf_fini(&html);
    kiln_buf_fini(&text);
    return rc;
}

static int run_who(const kiln_magic_call *call, kiln_error *err)
{
    const char *type = kiln_args_str(call->args, "type");
    size_t n = kiln_vars_count(call->vars), shown = 0;
    static const char *const headers[3] = {"Variable", "Type", "Value"};
    kiln_table *t = kiln_table_new(3, headers);
    kiln_bundle *b = kiln_bundle_new();
    int rc = t != NULL && b != NULL ? KILN_OK : KILN_NOMEM;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        const char *name;
        kiln_value *v;
        kiln_vars_item(call->vars, i, &name, &v);
        if (type != NULL && strcmp(type, kiln_value_type_name(v)) != 0)
            continue;
        shown++;
        kiln_buf repr;
        kiln_buf_init(&repr);
        rc = short_repr(v, &repr);
        if (rc == KILN_OK) {
            const char *row[3] = {name, kiln_value_type_name(v),
                                  kiln_buf_str(&repr)};
            rc = kiln_table_add(t, row);
        }
        kiln_buf_fini(&repr);
    }
    if (rc == KILN_OK && shown > 0) {
        rc = kiln_table_to_bundle(t, b);
    } else if (rc == KILN_OK) {
        rc = no_variables(type, b);
    }
    kiln_table_free(t);
    return kiln_magic_show(call, rc, b, err);
}

static const kiln_arg_spec who_args[] = {
    {.name = "type", .type = KILN_ARG_CHOICE,
     .choices = "NoneType|bool|int|float|str|list|dict",
     .help = "only the variables of this type"},
    {0},
};

/* ---- %echo, %clear ------------------------------------------------------ */

static int run_echo(const kiln_magic_call *call, kiln_error *err)
{
    const char *text = kiln_args_str(call->args, "TEXT");
    kiln_buf b;
    kiln_buf_init(&b);
    if (kiln_buf_printf(&b, "%s\n", text != NULL ? text : "") != KILN_OK) {
        kiln_buf_fini(&b);
        return kiln_error_nomem(err);
    }
    kiln_sink_stream(call->sink, KILN_STDOUT, b.data, b.len);
    kiln_buf_fini(&b);
    return KILN_OK;
}

static const kiln_arg_spec echo_args[] = {
    {.name = "TEXT", .type = KILN_ARG_REST, .flags = KILN_ARG_POSITIONAL,
     .help = "the text to print, as written (after $substitution)"},
    {0},
};

static int run_clear(const kiln_magic_call *call, kiln_error *err)
{
    kiln_sink_clear(call->sink, kiln_args_flag(call->args, "wait"));
    return KILN_OK;
}

static const kiln_arg_spec clear_args[] = {
    {.name = "wait", .type = KILN_ARG_FLAG,
     .help = "clear only when the next output arrives (no flicker)"},
    {0},
};

/* ---- the table ---------------------------------------------------------- */

const kiln_magic kiln_magics_basic[] = {
    {
        .name = "clear",
        .kinds = KILN_MAGIC_LINE,
        .args = clear_args,
        .summary = "Clear the output of the cell so far",
        .usage = "Example:\n"
                 "  %echo this line disappears\n"
                 "  %clear\n"
                 "  %echo only this one stays",
        .run = run_clear,
    },
    {
        .name = "echo",
        .kinds = KILN_MAGIC_LINE,
        .args = echo_args,
        .summary = "Print text to stdout, after $substitution",
        .usage = "The text is printed as written, quotes included, with a "
                 "newline.\n"
                 "$name and ${name} are replaced by variables, $$ by $.\n\n"
                 "Example:\n"
                 "  rows = 120\n"
                 "  %echo training on $rows rows",
        .run = run_echo,
    },
    {
        .name = "help",
        .kinds = KILN_MAGIC_LINE,
        .args = help_args,
        .summary = "Show the usage of a magic or an algorithm, or list all "
                   "magics",
        .usage = "NAME? and %NAME? show the same help in the pager.  An "
                 "algorithm's help lists its hyperparameters, metrics and "
                 "content types (%algorithms lists the algorithms).\n\n"
                 "Examples:\n"
                 "  %help\n"
                 "  %help echo\n"
                 "  %help %%json\n"
                 "  %help linear-learner",
        .run = run_help,
    },
    {
        .name = "lsmagic",
        .kinds = KILN_MAGIC_LINE,
        .summary = "List the line magics and the cell magics",
        .run = run_lsmagic,
    },
    {
        .name = "who",
        .kinds = KILN_MAGIC_LINE,
        .args = who_args,
        .summary = "List the variables with their types and values",
        .usage = "Values longer than a line are shortened with ...; NAME? "
                 "shows one in full.\n\n"
                 "Examples:\n"
                 "  %who\n"
                 "  %who --type str",
        .run = run_who,
    },
    {0},
};
