/* kiln — hyperparameters checked against an algorithm's schema, as the
 * SageMaker 1P containers check hyperparameters.json before any work. */
#include "hparams.h"

#include "core/buf.h"
#include "core/similar.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct hp_value {
    const char *text; /* given or default; NULL when neither */
    bool given;
    bool word;        /* text is one of the spec's words */
    int64_t i;
    double f;
    bool b;
    char **items;     /* LIST */
    size_t nitems;
} hp_value;

struct kiln_hparams {
    const kiln_algo *algo;
    size_t nspec;
    hp_value *vals;          /* one per schema entry */
    char **names, **texts; /* the pairs given, in order (owned) */
    size_t ngiven;
};

/* ---- describing a spec ------------------------------------------------ */

static const char *type_noun(kiln_hp_type t)
{
    switch (t) {
    case KILN_HP_INT:
        return "an integer";
    case KILN_HP_FLOAT:
        return "a number";
    case KILN_HP_BOOL:
        return "true or false";
    case KILN_HP_CHOICE:
        return "one of";
    case KILN_HP_LIST:
        return "a list of";
    case KILN_HP_STRING:
        return "a string";
    }
    return "a value";
}

static void append(char *out, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void append(char *out, size_t size, const char *fmt, ...)
{
    size_t len = strlen(out);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out + len, size - len, fmt, ap);
    va_end(ap);
}

void kiln_hp_describe(const kiln_hp_spec *s, char *out, size_t size)
{
    if (size == 0)
        return;
    out[0] = '\0';
    append(out, size, "%s", type_noun(s->type));
    if (s->type == KILN_HP_CHOICE || s->type == KILN_HP_LIST) {
        for (const char *const *c = s->choices; c && *c; c++)
            append(out, size, "%s%s", c == s->choices ? " " : ", ", *c);
        return;
    }
    if (s->type != KILN_HP_INT && s->type != KILN_HP_FLOAT)
        return;
    bool lo = s->flags & (KILN_HP_MIN | KILN_HP_MIN_OPEN);
    bool hi = s->flags & (KILN_HP_MAX | KILN_HP_MAX_OPEN);
    if (lo && hi)
        append(out, size, " in %s%g, %g%s",
               (s->flags & KILN_HP_MIN_OPEN) ? "(" : "[", s->min, s->max,
               (s->flags & KILN_HP_MAX_OPEN) ? ")" : "]");
    else if (lo)
        append(out, size, " %s %g", (s->flags & KILN_HP_MIN_OPEN) ? ">" : "≥",
               s->min);
    else if (hi)
        append(out, size, " %s %g", (s->flags & KILN_HP_MAX_OPEN) ? "<" : "≤",
               s->max);
    for (const char *const *w = s->words; w && *w; w++)
        append(out, size, "%s%s", w[1] ? ", " : " or ", *w);
}

/* ---- parsing one value ------------------------------------------------- */

static bool parse_int(const char *t, int64_t *out)
{
    const char *p = t;
    if (*p == '+' || *p == '-')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    long long v = strtoll(t, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = (int64_t)v;
    return true;
}

static bool parse_float(const char *t, double *out)
{
    if (*t == '\0' || *t == ' ' || *t == '\t' || *t == '\n')
        return false;
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (*end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool in_range(const kiln_hp_spec *s, double v)
{
    if ((s->flags & KILN_HP_MIN) && !(v >= s->min))
        return false;
    if ((s->flags & KILN_HP_MIN_OPEN) && !(v > s->min))
        return false;
    if ((s->flags & KILN_HP_MAX) && !(v <= s->max))
        return false;
    if ((s->flags & KILN_HP_MAX_OPEN) && !(v < s->max))
        return false;
    return true;
}

static bool is_choice(const kiln_hp_spec *s, const char *t, size_t len)
{
    for (const char *const *c = s->choices; c && *c; c++)
        if (strlen(*c) == len && strncmp(*c, t, len) == 0)
            return true;
    return false;
}

static void free_items(hp_value *v)
{
    for (size_t i = 0; i < v->nitems; i++)
        free(v->items[i]);
    free(v->items);
    v->items = NULL;
    v->nitems = 0;
}

/* A LIST value: '["msd", "ssd"]' (JSON, as the SDK writes lists), or the
 * bare words 'msd' or 'msd,ssd'.  Items are checked against the choices;
 * *bad gets the first item that is not one (NUL-terminated copy). */
static int parse_list(const kiln_hp_spec *s, const char *t, hp_value *v,
                      char *bad, size_t bad_size, kiln_error *err)
{
    const char *p = t;
    while (*p == ' ')
        p++;
    bool bracket = *p == '[';
    if (bracket)
        p++;
    bad[0] = '\0';
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (bracket && *p == ']' && v->nitems == 0) {
            p++;
            break;
        }
        char quote = (*p == '"' || *p == '\'') ? *p : 0;
        if (quote)
            p++;
        const char *start = p;
        while (*p && (quote ? *p != quote : (*p != ',' && *p != ']' &&
                                             *p != ' ')))
            p++;
        size_t len = (size_t)(p - start);
        if (quote) {
            if (*p != quote)
                return KILN_VALUE; /* unterminated */
            p++;
        }
        if (len == 0)
            return KILN_VALUE;
        if (!is_choice(s, start, len)) {
            snprintf(bad, bad_size, "%.*s", (int)len, start);
            return KILN_VALUE;
        }
        char **items = realloc(v->items, (v->nitems + 1) * sizeof *items);
        if (items == NULL)
            return kiln_error_nomem(err);
        v->items = items;
        if ((items[v->nitems] = strndup(start, len)) == NULL)
            return kiln_error_nomem(err);
        v->nitems++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == ',') {
            p++;
            continue;
        }
        if (bracket) {
            if (*p != ']')
                return KILN_VALUE;
            p++;
        }
        break;
    }
    while (*p == ' ')
        p++;
    return *p == '\0' ? KILN_OK : KILN_VALUE;
}

/* Check text against s and fill *v.  KILN_OK, or KILN_HYPERPARAMETER with
 * the message "<name> must be <what>, got '<text>'". */
static int check_value(const kiln_hp_spec *s, const char *text, hp_value *v,
                       kiln_error *err)
{
    v->text = text;
    v->word = false;
    for (const char *const *w = s->words; w && *w; w++)
        if (strcmp(*w, text) == 0) {
            v->word = true;
            return KILN_OK;
        }
    bool ok = false;
    char bad[128] = "";
    switch (s->type) {
    case KILN_HP_INT:
        ok = parse_int(text, &v->i) && in_range(s, (double)v->i);
        v->f = (double)v->i;
        break;
    case KILN_HP_FLOAT:
        ok = parse_float(text, &v->f) && in_range(s, v->f);
        break;
    case KILN_HP_BOOL:
        ok = strcasecmp(text, "true") == 0 || strcasecmp(text, "false") == 0;
        v->b = strcasecmp(text, "true") == 0;
        break;
    case KILN_HP_CHOICE:
        ok = is_choice(s, text, strlen(text));
        break;
    case KILN_HP_LIST: {
        free_items(v);
        int rc = parse_list(s, text, v, bad, sizeof bad, err);
        if (rc == KILN_NOMEM)
            return rc;
        ok = rc == KILN_OK;
        break;
    }
    case KILN_HP_STRING:
        ok = true;
        break;
    }
    if (ok)
        return KILN_OK;
    char what[512];
    kiln_hp_describe(s, what, sizeof what);
    if (bad[0] != '\0')
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "%s must be %s, got '%s' ('%s' is not one)",
                              s->name, what, text, bad);
    return kiln_error_set(err, KILN_HYPERPARAMETER, "%s must be %s, got '%.200s'",
                          s->name, what, text);
}

/* ---- the set ------------------------------------------------------------ */

static int unknown(const kiln_algo *a, const char *name, kiln_error *err)
{
    kiln_buf close;
    kiln_buf_init(&close);
    size_t found = 0;
    int rc = KILN_OK;
    for (const kiln_hp_spec *s = a->hparams; s->name && rc == KILN_OK; s++)
        if (kiln_similar_close(name, strlen(name), s->name))
            rc = kiln_buf_printf(&close, "%s%s", found++ ? " or " : "",
                                 s->name);
    if (rc != KILN_OK)
        rc = kiln_error_nomem(err);
    else if (found)
        rc = kiln_error_set(err, KILN_HYPERPARAMETER,
                            "unknown hyperparameter '%.100s' for %s (did you "
                            "mean %s?)",
                            name, a->name, kiln_buf_str(&close));
    else
        rc = kiln_error_set(err, KILN_HYPERPARAMETER,
                            "unknown hyperparameter '%.100s' for %s (%%help %s "
                            "lists them)",
                            name, a->name, a->name);
    kiln_buf_fini(&close);
    return rc;
}

static size_t spec_index(const kiln_algo *a, const char *name)
{
    size_t i = 0;
    for (const kiln_hp_spec *s = a->hparams; s->name; s++, i++)
        if (strcmp(s->name, name) == 0)
            return i;
    return (size_t)-1;
}

int kiln_hparams_parse(const kiln_algo *a, const char *const *names,
                       const char *const *values, size_t n,
                       kiln_hparams **out, kiln_error *err)
{
    kiln_hparams *hp = calloc(1, sizeof *hp);
    if (hp == NULL)
        return kiln_error_nomem(err);
    hp->algo = a;
    while (a->hparams[hp->nspec].name != NULL)
        hp->nspec++;
    hp->vals = calloc(hp->nspec + 1, sizeof *hp->vals);
    hp->names = calloc(n + 1, sizeof *hp->names);
    hp->texts = calloc(n + 1, sizeof *hp->texts);
    int rc = hp->vals && hp->names && hp->texts ? KILN_OK
                                                : kiln_error_nomem(err);
    for (size_t k = 0; rc == KILN_OK && k < n; k++) {
        for (size_t j = 0; j < k; j++)
            if (strcmp(names[j], names[k]) == 0) {
                rc = kiln_error_set(err, KILN_HYPERPARAMETER,
                                    "hyperparameter '%.100s' is given twice",
                                    names[k]);
                break;
            }
        if (rc != KILN_OK)
            break;
        hp->names[k] = strdup(names[k]);
        hp->texts[k] = strdup(values[k]);
        if (hp->names[k] == NULL || hp->texts[k] == NULL) {
            free(hp->names[k]);
            free(hp->texts[k]);
            rc = kiln_error_nomem(err);
            break;
        }
        hp->ngiven++;
        size_t i = spec_index(a, names[k]);
        if (i == (size_t)-1 && names[k][0] == '_')
            continue; /* _tuning_objective_metric and the like, kept as
                         given where the schema does not declare them */
        if (i == (size_t)-1) {
            rc = unknown(a, names[k], err);
            break;
        }
        hp->vals[i].given = true;
        rc = check_value(&a->hparams[i], hp->texts[k], &hp->vals[i], err);
    }
    for (size_t i = 0; rc == KILN_OK && i < hp->nspec; i++) {
        const kiln_hp_spec *s = &a->hparams[i];
        if (hp->vals[i].given)
            continue;
        if (s->flags & KILN_HP_REQUIRED) {
            rc = kiln_error_set(err, KILN_HYPERPARAMETER,
                                "missing required hyperparameter '%s' (%s)",
                                s->name, s->doc);
            break;
        }
        if (s->default_value != NULL)
            rc = check_value(s, s->default_value, &hp->vals[i], err);
    }
    if (rc == KILN_OK && a->check != NULL)
        rc = a->check(hp, err);
    if (rc != KILN_OK) {
        kiln_hparams_free(hp);
        return rc;
    }
    *out = hp;
    return KILN_OK;
}

void kiln_hparams_free(kiln_hparams *hp)
{
    if (hp == NULL)
        return;
    for (size_t i = 0; hp->vals && i < hp->nspec; i++)
        free_items(&hp->vals[i]);
    for (size_t k = 0; k < hp->ngiven; k++) {
        free(hp->names[k]);
        free(hp->texts[k]);
    }
    free(hp->names);
    free(hp->texts);
    free(hp->vals);
    free(hp);
}

const kiln_algo *kiln_hparams_algo(const kiln_hparams *hp)
{
    return hp->algo;
}

static const hp_value *find(const kiln_hparams *hp, const char *name)
{
    size_t i = spec_index(hp->algo, name);
    return i == (size_t)-1 ? NULL : &hp->vals[i];
}

bool kiln_hp_given(const kiln_hparams *hp, const char *name)
{
    const hp_value *v = find(hp, name);
    return v != NULL && v->given;
}

const char *kiln_hp_str(const kiln_hparams *hp, const char *name)
{
    const hp_value *v = find(hp, name);
    if (v != NULL)
        return v->text;
    for (size_t k = 0; k < hp->ngiven; k++) /* the '_' ones */
        if (strcmp(hp->names[k], name) == 0)
            return hp->texts[k];
    return NULL;
}

bool kiln_hp_is(const kiln_hparams *hp, const char *name, const char *w)
{
    const hp_value *v = find(hp, name);
    return v != NULL && v->text != NULL && strcmp(v->text, w) == 0;
}

int64_t kiln_hp_int(const kiln_hparams *hp, const char *name)
{
    const hp_value *v = find(hp, name);
    if (v == NULL || v->text == NULL || v->word)
        return 0;
    return v->i;
}

double kiln_hp_float(const kiln_hparams *hp, const char *name)
{
    const hp_value *v = find(hp, name);
    if (v == NULL || v->text == NULL || v->word)
        return NAN;
    return v->f;
}

bool kiln_hp_bool(const kiln_hparams *hp, const char *name)
{
    const hp_value *v = find(hp, name);
    return v != NULL && v->text != NULL && !v->word && v->b;
}

size_t kiln_hp_list_count(const kiln_hparams *hp, const char *name)
{
    const hp_value *v = find(hp, name);
    return v == NULL ? 0 : v->nitems;
}

const char *kiln_hp_list_item(const kiln_hparams *hp, const char *name,
                              size_t i)
{
    const hp_value *v = find(hp, name);
    return v == NULL || i >= v->nitems ? NULL : v->items[i];
}

size_t kiln_hparams_count(const kiln_hparams *hp)
{
    return hp->ngiven;
}

void kiln_hparams_get(const kiln_hparams *hp, size_t i, const char **name,
                      const char **value)
{
    *name = i < hp->ngiven ? hp->names[i] : NULL;
    *value = i < hp->ngiven ? hp->texts[i] : NULL;
}
