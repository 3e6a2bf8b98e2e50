/* kiln — the magic table and what is generated from it (see registry.h). */
#include "registry.h"

#include "table.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* Every group of magics; add new groups here (see registry.h). */
static const kiln_magic *const groups[] = {
    kiln_magics_basic,
    kiln_magics_display,
    kiln_magics_data,
    kiln_magics_train,
    kiln_magics_deploy,
    kiln_magics_predict,
    kiln_magics_tune,
    kiln_magics_script,
};

#define MAX_MAGICS 256

static once_flag sort_once = ONCE_FLAG_INIT;
static const kiln_magic *sorted[MAX_MAGICS];
static size_t nsorted;

static int by_name(const void *a, const void *b)
{
    const kiln_magic *const *x = a;
    const kiln_magic *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void sort_table(void)
{
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const kiln_magic *m = groups[g]; m->name != NULL; m++)
            if (nsorted < MAX_MAGICS)
                sorted[nsorted++] = m;
    qsort(sorted, nsorted, sizeof sorted[0], by_name);
}

size_t kiln_registry_count(void)
{
    call_once(&sort_once, sort_table);
    return nsorted;
}

const kiln_magic *kiln_registry_get(size_t i)
{
    call_once(&sort_once, sort_table);
    return i < nsorted ? sorted[i] : NULL;
}

const kiln_magic *kiln_registry_find(const char *name, size_t len)
{
    size_t n = kiln_registry_count();
    for (size_t i = 0; i < n; i++)
        if (strlen(sorted[i]->name) == len &&
            strncmp(sorted[i]->name, name, len) == 0)
            return sorted[i];
    return NULL;
}

int kiln_registry_unknown(const char *name, size_t len, bool cell,
                          kiln_error *err)
{
    const char *pct = cell ? "%%" : "%";
    kiln_buf close;
    kiln_buf_init(&close);
    size_t n = kiln_registry_count(), found = 0;
    for (size_t i = 0; i < n; i++) {
        const kiln_magic *m = sorted[i];
        if (!kiln_similar_close(name, len, m->name))
            continue;
        /* Suggest the magic as it can be called, %% for cell magics. */
        bool as_cell = cell ? (m->kinds & KILN_MAGIC_CELL) != 0
                            : (m->kinds & KILN_MAGIC_LINE) == 0;
        if (kiln_buf_printf(&close, "%s%s%s", found ? " or " : "",
                            as_cell ? "%%" : "%", m->name) != KILN_OK) {
            kiln_buf_fini(&close);
            return kiln_error_nomem(err);
        }
        found++;
    }
    if (found > 0)
        kiln_error_set(err, KILN_USAGE, "unknown magic %s%.*s; did you mean %s?",
                       pct, (int)len, name, kiln_buf_str(&close));
    else
        kiln_error_set(err, KILN_USAGE,
                       "unknown magic %s%.*s; %%lsmagic lists the magics", pct,
                       (int)len, name);
    kiln_buf_fini(&close);
    return KILN_USAGE;
}

/* "%help [NAME]" (and "%%name ..." for cell magics), one per line. */
static int synopsis(const kiln_magic *m, kiln_buf *out)
{
    static const struct {
        unsigned kind;
        const char *pct;
    } forms[] = {{KILN_MAGIC_LINE, "%"}, {KILN_MAGIC_CELL, "%%"}};
    for (size_t f = 0; f < 2; f++) {
        if (!(m->kinds & forms[f].kind))
            continue;
        if (kiln_buf_printf(out, "%s%s", forms[f].pct, m->name) != KILN_OK)
            return KILN_NOMEM;
        kiln_buf args;
        kiln_buf_init(&args);
        int rc = kiln_args_synopsis(m->args, (m->flags & KILN_MAGIC_PAIRS) != 0,
                                    &args);
        if (rc == KILN_OK && args.len > 0)
            rc = kiln_buf_printf(out, " %s", kiln_buf_str(&args));
        if (rc == KILN_OK && forms[f].kind == KILN_MAGIC_CELL)
            rc = kiln_buf_puts(out, "\n  BODY");
        kiln_buf_fini(&args);
        if (rc != KILN_OK || kiln_buf_putc(out, '\n') != KILN_OK)
            return KILN_NOMEM;
    }
    return KILN_OK;
}

/* The arguments as a two-column table: how each is written, and what it
 * means with its choices and default.  *out is NULL when there are none. */
static int arg_table(const kiln_magic *m, kiln_table **out)
{
    *out = NULL;
    if (m->args == NULL || m->args[0].name == NULL)
        return KILN_OK;
    kiln_table *t = kiln_table_new(2, NULL);
    if (t == NULL)
        return KILN_NOMEM;
    int rc = KILN_OK;
    for (const kiln_arg_spec *a = m->args; a->name != NULL && rc == KILN_OK;
         a++) {
        kiln_buf label, meaning;
        kiln_buf_init(&label);
        kiln_buf_init(&meaning);
        rc = kiln_args_label(a, &label);
        if (rc == KILN_OK)
            rc = kiln_buf_puts(&meaning, a->help != NULL ? a->help : "");
        if (rc == KILN_OK && (a->flags & KILN_ARG_REQUIRED) &&
            !(a->flags & KILN_ARG_POSITIONAL))
            rc = kiln_buf_puts(&meaning, " (required)");
        if (rc == KILN_OK && a->def != NULL)
            rc = kiln_buf_printf(&meaning, " (default: %s)", a->def);
        if (rc == KILN_OK) {
            const char *row[2] = {kiln_buf_str(&label), kiln_buf_str(&meaning)};
            rc = kiln_table_add(t, row);
        }
        kiln_buf_fini(&meaning);
        kiln_buf_fini(&label);
    }
    if (rc == KILN_OK && (m->flags & KILN_MAGIC_PAIRS)) {
        const char *row[2] = {"key=value", "a parameter, one per word"};
        rc = kiln_table_add(t, row);
    }
    if (rc != KILN_OK) {
        kiln_table_free(t);
        return rc;
    }
    *out = t;
    return KILN_OK;
}

int kiln_registry_help_text(const kiln_magic *m, kiln_buf *out)
{
    kiln_table *args = NULL;
    int rc = synopsis(m, out);
    if (rc == KILN_OK)
        rc = kiln_buf_printf(out, "\n%s.\n", m->summary);
    if (rc == KILN_OK)
        rc = arg_table(m, &args);
    if (rc == KILN_OK && args != NULL) {
        rc = kiln_buf_puts(out, "\nArguments:\n");
        if (rc == KILN_OK)
            rc = kiln_table_text(args, 2, out);
    }
    if (rc == KILN_OK && m->usage != NULL)
        rc = kiln_buf_printf(out, "\n%s\n", m->usage);
    kiln_table_free(args);
    return rc;
}

static int help_html(const kiln_magic *m, kiln_buf *out)
{
    kiln_buf syn;
    kiln_buf_init(&syn);
    kiln_table *args = NULL;
    int rc = synopsis(m, &syn);
    if (rc == KILN_OK)
        rc = kiln_buf_puts(out, "<div class=\"kiln-help\">\n<pre>");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(out, syn.data, syn.len);
    if (rc == KILN_OK)
        rc = kiln_buf_puts(out, "</pre>\n<p>");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(out, m->summary, strlen(m->summary));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(out, ".</p>\n");
    if (rc == KILN_OK)
        rc = arg_table(m, &args);
    if (rc == KILN_OK && args != NULL)
        rc = kiln_table_html(args, out);
    if (rc == KILN_OK && m->usage != NULL) {
        rc = kiln_buf_puts(out, "<pre>");
        if (rc == KILN_OK)
            rc = kiln_table_escape_html(out, m->usage, strlen(m->usage));
        if (rc == KILN_OK)
            rc = kiln_buf_puts(out, "</pre>\n");
    }
    if (rc == KILN_OK)
        rc = kiln_buf_puts(out, "</div>\n");
    kiln_table_free(args);
    kiln_buf_fini(&syn);
    return rc;
}

/* A new bundle of text/plain (without its final newline, as reprs are)
 * and text/html. */
static int text_html_bundle(kiln_buf *text, const kiln_buf *html,
                            kiln_bundle **out)
{
    kiln_bundle *b = kiln_bundle_new();
    if (b == NULL)
        return KILN_NOMEM;
    while (text->len > 0 && text->data[text->len - 1] == '\n')
        text->data[--text->len] = '\0';
    if (kiln_bundle_add_text(b, "text/plain", kiln_buf_str(text)) != KILN_OK ||
        kiln_bundle_add_text(b, "text/html", kiln_buf_str(html)) != KILN_OK) {
        kiln_bundle_free(b);
        return KILN_NOMEM;
    }
    *out = b;
    return KILN_OK;
}

int kiln_registry_help(const kiln_magic *m, kiln_bundle **out)
{
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    int rc = kiln_registry_help_text(m, &text);
    if (rc == KILN_OK)
        rc = help_html(m, &html);
    if (rc == KILN_OK)
        rc = text_html_bundle(&text, &html, out);
    kiln_buf_fini(&html);
    kiln_buf_fini(&text);
    return rc;
}

/* "%name", "%%name" or "%name, %%name" for a magic. */
static int call_forms(const kiln_magic *m, kiln_buf *out)
{
    if ((m->kinds & KILN_MAGIC_LINE) &&
        kiln_buf_printf(out, "%%%s", m->name) != KILN_OK)
        return KILN_NOMEM;
    if ((m->kinds & KILN_MAGIC_CELL) &&
        kiln_buf_printf(out, "%s%%%%%s",
                        (m->kinds & KILN_MAGIC_LINE) ? ", " : "",
                        m->name) != KILN_OK)
        return KILN_NOMEM;
    return KILN_OK;
}

int kiln_registry_overview(kiln_bundle **out)
{
    static const char *const headers[2] = {"Magic", "What it does"};
    static const char hint[] = "Type %help NAME, or NAME?, for the usage of "
                               "one magic.";
    kiln_table *t = kiln_table_new(2, headers);
    if (t == NULL)
        return KILN_NOMEM;
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    int rc = KILN_OK;
    size_t n = kiln_registry_count();
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        kiln_buf forms;
        kiln_buf_init(&forms);
        rc = call_forms(sorted[i], &forms);
        if (rc == KILN_OK) {
            const char *row[2] = {kiln_buf_str(&forms), sorted[i]->summary};
            rc = kiln_table_add(t, row);
        }
        kiln_buf_fini(&forms);
    }
    if (rc == KILN_OK)
        rc = kiln_table_text(t, 0, &text);
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&text, "\n%s\n", hint);
    if (rc == KILN_OK)
        rc = kiln_table_html(t, &html);
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&html, "<p>%s</p>\n", hint);
    if (rc == KILN_OK)
        rc = text_html_bundle(&text, &html, out);
    kiln_buf_fini(&html);
    kiln_buf_fini(&text);
    kiln_table_free(t);
    return rc;
}

/* One "Line magics:" section of %lsmagic, as text and HTML. */
static int lsmagic_section(unsigned kind, kiln_buf *text, kiln_buf *html)
{
    const char *title = kind == KILN_MAGIC_LINE ? "Line magics" : "Cell magics";
    const char *pct = kind == KILN_MAGIC_LINE ? "%" : "%%";
    if (kiln_buf_printf(text, "%s:\n ", title) != KILN_OK ||
        kiln_buf_printf(html, "<p><b>%s:</b>", title) != KILN_OK)
        return KILN_NOMEM;
    size_t n = kiln_registry_count();
    for (size_t i = 0; i < n; i++) {
        if (!(sorted[i]->kinds & kind))
            continue;
        if (kiln_buf_printf(text, " %s%s", pct, sorted[i]->name) != KILN_OK ||
            kiln_buf_printf(html, " <code>%s%s</code>", pct,
                            sorted[i]->name) != KILN_OK)
            return KILN_NOMEM;
    }
    if (kiln_buf_puts(text, "\n") != KILN_OK ||
        kiln_buf_puts(html, "</p>\n") != KILN_OK)
        return KILN_NOMEM;
    return KILN_OK;
}

int kiln_registry_lsmagic(kiln_bundle **out)
{
    static const char hint[] = "Type %help NAME for the usage of one magic.";
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    int rc = lsmagic_section(KILN_MAGIC_LINE, &text, &html);
    if (rc == KILN_OK)
        rc = kiln_buf_putc(&text, '\n');
    if (rc == KILN_OK)
        rc = lsmagic_section(KILN_MAGIC_CELL, &text, &html);
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&text, "\n%s\n", hint);
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&html, "<p>%s</p>\n", hint);
    if (rc == KILN_OK)
        rc = text_html_bundle(&text, &html, out);
    kiln_buf_fini(&html);
    kiln_buf_fini(&text);
    return rc;
}

int kiln_magic_show(const kiln_magic_call *call, int rc, kiln_bundle *b,
                    kiln_error *err)
{
    if (rc == KILN_OK)
        kiln_sink_display(call->sink, b, NULL);
    kiln_bundle_free(b);
    if (rc == KILN_NOMEM)
        return kiln_error_nomem(err);
    return rc;
}
