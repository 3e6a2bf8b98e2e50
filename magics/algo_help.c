/* kiln — an algorithm's help and the list of algorithms, generated from
 * the descriptors (algos/algo.h): %help ALGO, ALGO? and Shift-Tab on an
 * algorithm name, and %algorithms. */
#include "algo_help.h"

#include "table.h"

#include "algos/algo.h"
#include "algos/data/format.h"
#include "algos/hparams.h"

#include "core/buf.h"

#include <stdio.h>
#include <string.h>

static const char *type_name(kiln_hp_type t)
{
    switch (t) {
    case KILN_HP_INT:
        return "int";
    case KILN_HP_FLOAT:
        return "float";
    case KILN_HP_BOOL:
        return "bool";
    case KILN_HP_CHOICE:
        return "choice";
    case KILN_HP_LIST:
        return "list";
    case KILN_HP_STRING:
        return "string";
    }
    return "?";
}

/* "text/csv, application/x-recordio-protobuf" */
static int formats_text(const kiln_algo *a, kiln_buf *out)
{
    int rc = KILN_OK;
    for (const kiln_format *f = a->formats; *f != KILN_FORMAT_UNKNOWN &&
                                            rc == KILN_OK;
         f++)
        rc = kiln_buf_printf(out, "%s%s", f == a->formats ? "" : ", ",
                             kiln_format_mime(*f));
    return rc;
}

static int channels_text(const kiln_algo *a, kiln_buf *out)
{
    int rc = KILN_OK;
    for (const char *const *c = a->channels; *c && rc == KILN_OK; c++)
        rc = kiln_buf_printf(out, "%s%s", c == a->channels ? "" : ", ", *c);
    return rc;
}

static kiln_table *hparam_table(const kiln_algo *a)
{
    kiln_table *t = kiln_table_new(
        5, (const char *const[]){"hyperparameter", "type", "default",
                                 "allowed", "meaning"});
    if (t == NULL)
        return NULL;
    for (const kiln_hp_spec *s = a->hparams; s->name; s++) {
        char allowed[512];
        kiln_hp_describe(s, allowed, sizeof allowed);
        const char *def = (s->flags & KILN_HP_REQUIRED) ? "(required)"
                          : s->default_value            ? s->default_value
                                                        : "";
        if (kiln_table_add(t, (const char *const[]){s->name,
                                                    type_name(s->type), def,
                                                    allowed, s->doc}) !=
            KILN_OK) {
            kiln_table_free(t);
            return NULL;
        }
    }
    return t;
}

static kiln_table *metric_table(const kiln_algo *a)
{
    kiln_table *t = kiln_table_new(
        3, (const char *const[]){"metric", "objective", "regex"});
    if (t == NULL)
        return NULL;
    for (const kiln_metric_def *m = a->metrics; m && m->name; m++)
        if (kiln_table_add(t, (const char *const[]){
                                  m->name,
                                  m->maximize ? "Maximize" : "Minimize",
                                  m->regex}) != KILN_OK) {
            kiln_table_free(t);
            return NULL;
        }
    return t;
}

int kiln_algo_help(const kiln_algo *a, kiln_bundle **out)
{
    kiln_buf text, html, formats, channels;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    kiln_buf_init(&formats);
    kiln_buf_init(&channels);
    kiln_table *hp = hparam_table(a), *mt = metric_table(a);
    int rc = hp && mt ? KILN_OK : KILN_NOMEM;
    if (rc == KILN_OK)
        rc = formats_text(a, &formats);
    if (rc == KILN_OK)
        rc = channels_text(a, &channels);
    const char *sup = (a->flags & KILN_ALGO_SUPERVISED)
                          ? "supervised: CSV channels have the label first"
                          : "unsupervised: CSV channels are "
                            "text/csv;label_size=0";
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&text,
                             "%s (%s): %s\n\n%s\n\n"
                             "  %%train %s --train PATH [hp=value ...]\n\n"
                             "Channels: %s\nContent types: %s (%s)\n"
                             "Predictions: %s\n\nHyperparameters:\n",
                             a->name, a->title, a->problem, a->summary,
                             a->name, kiln_buf_str(&channels),
                             kiln_buf_str(&formats), sup, a->outputs);
    if (rc == KILN_OK)
        rc = kiln_table_text(hp, 2, &text);
    if (rc == KILN_OK && kiln_table_rows(mt) > 0) {
        rc = kiln_buf_puts(&text, "\n\nMetrics:\n");
        if (rc == KILN_OK)
            rc = kiln_table_text(mt, 2, &text);
    }
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "<h4>");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, a->name, strlen(a->name));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, " &mdash; ");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, a->title, strlen(a->title));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "</h4>\n<p>");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, a->summary, strlen(a->summary));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "</p>\n<p><code>%train ");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, a->name, strlen(a->name));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, " --train PATH [hp=value ...]</code></p>\n"
                                  "<p>Channels: ");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, kiln_buf_str(&channels),
                                    channels.len);
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "<br>Content types: ");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, kiln_buf_str(&formats),
                                    formats.len);
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&html, " (%s)<br>Predictions: ", sup);
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, a->outputs, strlen(a->outputs));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "</p>\n");
    if (rc == KILN_OK)
        rc = kiln_table_html(hp, &html);
    if (rc == KILN_OK && kiln_table_rows(mt) > 0)
        rc = kiln_table_html(mt, &html);
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && b == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/html", kiln_buf_str(&html));
    kiln_table_free(hp);
    kiln_table_free(mt);
    kiln_buf_fini(&text);
    kiln_buf_fini(&html);
    kiln_buf_fini(&formats);
    kiln_buf_fini(&channels);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return KILN_NOMEM;
    }
    *out = b;
    return KILN_OK;
}

int kiln_algo_list(kiln_bundle **out)
{
    kiln_table *t = kiln_table_new(
        4, (const char *const[]){"algorithm", "problem", "channels",
                                 "content types"});
    if (t == NULL)
        return KILN_NOMEM;
    int rc = KILN_OK;
    for (size_t i = 0; i < kiln_algo_count() && rc == KILN_OK; i++) {
        const kiln_algo *a = kiln_algo_get(i);
        kiln_buf formats, channels;
        kiln_buf_init(&formats);
        kiln_buf_init(&channels);
        rc = formats_text(a, &formats);
        if (rc == KILN_OK)
            rc = channels_text(a, &channels);
        if (rc == KILN_OK)
            rc = kiln_table_add(t, (const char *const[]){
                                       a->name, a->problem,
                                       kiln_buf_str(&channels),
                                       kiln_buf_str(&formats)});
        kiln_buf_fini(&formats);
        kiln_buf_fini(&channels);
    }
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && b == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_table_to_bundle(t, b);
    kiln_table_free(t);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return KILN_NOMEM;
    }
    *out = b;
    return KILN_OK;
}
