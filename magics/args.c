/* kiln — magic arguments: shell-like words and spec checking (see args.h). */
#include "args.h"

#include "core/strv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct kiln_args {
    const kiln_arg_spec *spec;
    size_t nspec;
    char **values;  /* per spec entry: heap copy of the value given, or NULL */
    bool *given;    /* per spec entry */
    char **many;    /* values of the MANY positional */
    size_t nmany;
    char **keys;    /* key=value pairs */
    char **vals;
    size_t npairs;
};

/* ---- words -------------------------------------------------------------- */

void kiln_words_init(kiln_words *w)
{
    w->items = NULL;
    w->count = 0;
}

void kiln_words_fini(kiln_words *w)
{
    for (size_t i = 0; i < w->count; i++)
        free(w->items[i].text);
    free(w->items);
    kiln_words_init(w);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static size_t skip_space(const char *text, size_t len, size_t pos)
{
    while (pos < len && is_space(text[pos]))
        pos++;
    return pos;
}

/* Read the word starting at text[*pos] (not a space) into *word. */
static int read_word(const char *text, size_t len, size_t *pos,
                     kiln_word *word, kiln_error *err)
{
    kiln_buf b;
    kiln_buf_init(&b);
    size_t p = *pos;
    bool quoted = false;
    size_t bare = 0;
    int rc = KILN_OK;
    while (p < len && !is_space(text[p]) && rc == KILN_OK) {
        char c = text[p];
        if (!quoted)
            bare = b.len;
        if (c == '\'' || c == '"') {
            size_t open = p++;
            quoted = true;
            for (;;) {
                if (p >= len) {
                    rc = kiln_error_set(err, KILN_USAGE,
                                        "unterminated %c quote (opened at "
                                        "column %zu of the arguments)",
                                        c, open + 1);
                    break;
                }
                char d = text[p];
                if (d == c) {
                    p++;
                    break;
                }
                if (c == '"' && d == '\\' && p + 1 < len &&
                    (text[p + 1] == '"' || text[p + 1] == '\\')) {
                    d = text[++p];
                }
                if (kiln_buf_putc(&b, d) != KILN_OK)
                    rc = KILN_NOMEM;
                p++;
                if (rc != KILN_OK)
                    break;
            }
        } else if (c == '\\' && p + 1 < len) {
            quoted = true;
            rc = kiln_buf_putc(&b, text[p + 1]);
            p += 2;
        } else {
            rc = kiln_buf_putc(&b, c);
            p++;
        }
    }
    if (rc != KILN_OK) {
        kiln_buf_fini(&b);
        return rc == KILN_NOMEM ? kiln_error_set(err, KILN_NOMEM,
                                                 "out of memory") : rc;
    }
    char *s = kiln_buf_steal(&b);
    if (s == NULL)
        return kiln_error_set(err, KILN_NOMEM, "out of memory");
    word->text = s;
    word->start = *pos;
    word->end = p;
    word->quoted = quoted;
    word->bare = quoted ? bare : strlen(s);
    *pos = p;
    return KILN_OK;
}

int kiln_args_split(const char *text, size_t len, kiln_words *out,
                    kiln_error *err)
{
    size_t pos = skip_space(text, len, 0);
    while (pos < len) {
        kiln_word w;
        int rc = read_word(text, len, &pos, &w, err);
        if (rc != KILN_OK)
            return rc;
        kiln_word *grown = realloc(out->items, (out->count + 1) * sizeof *grown);
        if (grown == NULL) {
            free(w.text);
            return kiln_error_set(err, KILN_NOMEM, "out of memory");
        }
        out->items = grown;
        out->items[out->count++] = w;
        pos = skip_space(text, len, pos);
    }
    return KILN_OK;
}

/* ---- the spec ----------------------------------------------------------- */

static size_t spec_count(const kiln_arg_spec *spec)
{
    size_t n = 0;
    while (spec != NULL && spec[n].name != NULL)
        n++;
    return n;
}

static bool is_positional(const kiln_arg_spec *s)
{
    return (s->flags & KILN_ARG_POSITIONAL) != 0;
}

static long spec_find(const kiln_args *a, const char *name, size_t len,
                      bool positional)
{
    for (size_t i = 0; i < a->nspec; i++) {
        const kiln_arg_spec *s = &a->spec[i];
        if (is_positional(s) == positional && strlen(s->name) == len &&
            strncmp(s->name, name, len) == 0)
            return (long)i;
    }
    return -1;
}

static bool has_options(const kiln_args *a)
{
    for (size_t i = 0; i < a->nspec; i++)
        if (!is_positional(&a->spec[i]))
            return true;
    return false;
}

int kiln_args_label(const kiln_arg_spec *arg, kiln_buf *out)
{
    if (is_positional(arg)) {
        int rc = kiln_buf_puts(out, arg->name);
        if (rc == KILN_OK && (arg->flags & KILN_ARG_MANY))
            rc = kiln_buf_puts(out, " ...");
        return rc;
    }
    if (kiln_buf_printf(out, "--%s", arg->name) != KILN_OK)
        return KILN_NOMEM;
    if (arg->type == KILN_ARG_FLAG)
        return KILN_OK;
    if (arg->metavar != NULL)
        return kiln_buf_printf(out, " %s", arg->metavar);
    switch (arg->type) {
    case KILN_ARG_INT:
        return kiln_buf_puts(out, " N");
    case KILN_ARG_FLOAT:
        return kiln_buf_puts(out, " X");
    case KILN_ARG_CHOICE:
        return kiln_buf_printf(out, " %s", arg->choices);
    default:
        break;
    }
    /* --name NAME, upper-cased. */
    if (kiln_buf_putc(out, ' ') != KILN_OK)
        return KILN_NOMEM;
    for (const char *p = arg->name; *p; p++) {
        char c = *p == '-' ? '_' : *p;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (kiln_buf_putc(out, c) != KILN_OK)
            return KILN_NOMEM;
    }
    return KILN_OK;
}

int kiln_args_synopsis(const kiln_arg_spec *spec, bool pairs, kiln_buf *out)
{
    bool first = true;
    for (size_t i = 0; spec != NULL && spec[i].name != NULL; i++) {
        bool required = (spec[i].flags & KILN_ARG_REQUIRED) != 0;
        if ((!first && kiln_buf_putc(out, ' ') != KILN_OK) ||
            (!required && kiln_buf_putc(out, '[') != KILN_OK) ||
            kiln_args_label(&spec[i], out) != KILN_OK ||
            (!required && kiln_buf_putc(out, ']') != KILN_OK))
            return KILN_NOMEM;
        first = false;
    }
    if (pairs && kiln_buf_puts(out, first ? "[key=value ...]"
                                          : " [key=value ...]") != KILN_OK)
        return KILN_NOMEM;
    return KILN_OK;
}

/* "--format, --rows": the valid options of a spec. */
static int list_options(const kiln_args *a, kiln_buf *out)
{
    bool first = true;
    for (size_t i = 0; i < a->nspec; i++) {
        if (is_positional(&a->spec[i]))
            continue;
        if (kiln_buf_printf(out, "%s--%s", first ? "" : ", ",
                            a->spec[i].name) != KILN_OK)
            return KILN_NOMEM;
        first = false;
    }
    return KILN_OK;
}

/* UsageError for an unknown option name[0..len) written with `dashes`. */
static int unknown_option(const kiln_args *a, const char *who,
                          const char *dashes, const char *name, size_t len,
                          kiln_error *err)
{
    if (!has_options(a))
        return kiln_error_set(err, KILN_USAGE, "%s takes no options (got %s%.*s)",
                              who, dashes, (int)len, name);
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < a->nspec; i++) {
        const kiln_arg_spec *s = &a->spec[i];
        /* -r may be a short form: any option starting with r is close. */
        bool prefix = dashes[1] == '\0' && strncmp(s->name, name, len) == 0;
        if (is_positional(s) ||
            !(prefix || kiln_similar_close(name, len, s->name)))
            continue;
        size_t d = kiln_similar_distance(name, len, s->name);
        if (d < best_d) {
            best_d = d;
            best = s->name;
        }
    }
    kiln_buf valid;
    kiln_buf_init(&valid);
    if (list_options(a, &valid) != KILN_OK) {
        kiln_buf_fini(&valid);
        return kiln_error_set(err, KILN_NOMEM, "out of memory");
    }
    if (best != NULL)
        kiln_error_set(err, KILN_USAGE,
                       "%s: unknown option %s%.*s; did you mean --%s? "
                       "(valid options: %s)",
                       who, dashes, (int)len, name, best, kiln_buf_str(&valid));
    else
        kiln_error_set(err, KILN_USAGE,
                       "%s: unknown option %s%.*s (valid options: %s)", who,
                       dashes, (int)len, name, kiln_buf_str(&valid));
    kiln_buf_fini(&valid);
    return KILN_USAGE;
}

static bool choice_ok(const char *choices, const char *value)
{
    size_t vlen = strlen(value);
    const char *p = choices;
    while (p != NULL && *p != '\0') {
        size_t n = strcspn(p, "|");
        if (n == vlen && strncmp(p, value, n) == 0)
            return true;
        p += n;
        if (*p == '|')
            p++;
    }
    return false;
}

static bool parse_int(const char *s, int64_t *out)
{
    if (*s == '\0' || is_space(*s))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = (int64_t)v;
    return true;
}

static bool parse_float(const char *s, double *out)
{
    if (*s == '\0' || is_space(*s))
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* The label of an argument for messages: "--rows" or "NAME". */
static const char *dashes_of(const kiln_arg_spec *s)
{
    return is_positional(s) ? "" : "--";
}

static int check_type(const kiln_arg_spec *s, const char *who,
                      const char *value, kiln_error *err)
{
    int64_t i;
    double d;
    switch (s->type) {
    case KILN_ARG_INT:
        if (!parse_int(value, &i))
            return kiln_error_set(err, KILN_USAGE,
                                  "%s: %s%s expects an integer, got '%s'",
                                  who, dashes_of(s), s->name, value);
        break;
    case KILN_ARG_FLOAT:
        if (!parse_float(value, &d))
            return kiln_error_set(err, KILN_USAGE,
                                  "%s: %s%s expects a number, got '%s'", who,
                                  dashes_of(s), s->name, value);
        break;
    case KILN_ARG_CHOICE:
        if (!choice_ok(s->choices, value)) {
            kiln_buf list;
            kiln_buf_init(&list);
            for (const char *p = s->choices; *p; p++)
                if ((*p == '|' ? kiln_buf_puts(&list, ", ")
                               : kiln_buf_putc(&list, *p)) != KILN_OK)
                    break;
            kiln_error_set(err, KILN_USAGE,
                           "%s: %s%s expects one of %s; got '%s'", who,
                           dashes_of(s), s->name, kiln_buf_str(&list), value);
            kiln_buf_fini(&list);
            return KILN_USAGE;
        }
        break;
    default:
        break;
    }
    return KILN_OK;
}

static int set_value(kiln_args *a, size_t idx, const char *value, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return KILN_NOMEM;
    memcpy(copy, value, len);
    copy[len] = '\0';
    free(a->values[idx]);
    a->values[idx] = copy;
    a->given[idx] = true;
    return KILN_OK;
}

/* key=value with the key and the '=' written bare. */
static bool is_pair_key(const kiln_word *w, size_t *keylen)
{
    const char *s = w->text;
    const char *eq = strchr(s, '=');
    if (eq == NULL || eq == s || (size_t)(eq - s) >= w->bare)
        return false;
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (const char *p = s; p < eq; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
              c == ':'))
            return false;
    }
    *keylen = (size_t)(eq - s);
    return true;
}

/* A word like -x that looks like a short option (not a negative number). */
static bool looks_short_option(const char *s)
{
    return s[0] == '-' && s[1] != '\0' && s[1] != '-' &&
           !(s[1] >= '0' && s[1] <= '9') && s[1] != '.';
}

/* The state of one parse. */
typedef struct parser {
    kiln_args *a;
    const char *who;
    const char *text;
    size_t len;
    size_t pos;
    size_t next_positional; /* spec index search starts here */
    bool options_done;
    bool pairs;
    kiln_error *err;
} parser;

/* read_word, with the command named in an unterminated-quote error. */
static int parser_word(parser *p, size_t *pos, kiln_word *w)
{
    int rc = read_word(p->text, p->len, pos, w, p->err);
    if (rc == KILN_USAGE)
        kiln_error_prefix(p->err, "%s", p->who);
    return rc;
}

/* The spec index of the next positional to fill, or -1. */
static long next_positional(parser *p)
{
    for (size_t i = p->next_positional; i < p->a->nspec; i++)
        if (is_positional(&p->a->spec[i]))
            return (long)i;
    return -1;
}

/* UsageError for a word no positional takes. */
static int unexpected(parser *p, const char *value)
{
    kiln_args *a = p->a;
    bool any = false;
    for (size_t i = 0; i < a->nspec; i++)
        any = any || is_positional(&a->spec[i]);
    if (!any && !p->pairs)
        return kiln_error_set(p->err, KILN_USAGE,
                              "%s takes no arguments (got '%s')", p->who,
                              value);
    kiln_buf syn;
    kiln_buf_init(&syn);
    if (kiln_args_synopsis(a->spec, p->pairs, &syn) != KILN_OK) {
        kiln_buf_fini(&syn);
        return kiln_error_nomem(p->err);
    }
    kiln_error_set(p->err, KILN_USAGE,
                   "%s: unexpected argument '%s' (usage: %s %s)", p->who,
                   value, p->who, kiln_buf_str(&syn));
    kiln_buf_fini(&syn);
    return KILN_USAGE;
}

static int take_positional(parser *p, const char *value, size_t len)
{
    kiln_args *a = p->a;
    long idx = next_positional(p);
    if (idx < 0)
        return unexpected(p, value);
    const kiln_arg_spec *s = &a->spec[idx];
    int rc = check_type(s, p->who, value, p->err);
    if (rc != KILN_OK)
        return rc;
    if (s->flags & KILN_ARG_MANY) {
        if (kiln_strv_push(&a->many, a->nmany, value, len) != KILN_OK)
            return kiln_error_nomem(p->err);
        a->nmany++;
        a->given[idx] = true;
        return KILN_OK;
    }
    if (set_value(a, (size_t)idx, value, len) != KILN_OK)
        return kiln_error_nomem(p->err);
    p->next_positional = (size_t)idx + 1;
    return KILN_OK;
}

/* The raw rest of the line from p->pos, trimmed, for a REST positional. */
static int take_rest(parser *p, long idx)
{
    size_t start = skip_space(p->text, p->len, p->pos);
    size_t end = p->len;
    while (end > start && is_space(p->text[end - 1]))
        end--;
    p->pos = p->len;
    if (set_value(p->a, (size_t)idx, p->text + start, end - start) != KILN_OK)
        return kiln_error_nomem(p->err);
    p->next_positional = (size_t)idx + 1;
    return KILN_OK;
}

/* An unquoted word starting with "--" (not "--" itself). */
static int take_option(parser *p, const kiln_word *w)
{
    kiln_args *a = p->a;
    const char *name = w->text + 2;
    const char *eq = strchr(name, '=');
    size_t nlen = eq != NULL ? (size_t)(eq - name) : strlen(name);
    long idx = spec_find(a, name, nlen, false);
    if (idx < 0)
        return unknown_option(a, p->who, "--", name, nlen, p->err);
    const kiln_arg_spec *s = &a->spec[idx];
    if (s->type == KILN_ARG_FLAG) {
        if (eq != NULL)
            return kiln_error_set(p->err, KILN_USAGE,
                                  "%s: --%s takes no value (got '%s')",
                                  p->who, s->name, eq + 1);
        if (set_value(a, (size_t)idx, "", 0) != KILN_OK)
            return kiln_error_nomem(p->err);
        return KILN_OK;
    }
    kiln_word next = {0};
    const char *value;
    if (eq != NULL) {
        value = eq + 1;
    } else {
        size_t at = skip_space(p->text, p->len, p->pos);
        kiln_buf label;
        kiln_buf_init(&label);
        int rc = KILN_OK;
        if (at < p->len) {
            size_t save = at;
            rc = parser_word(p, &at, &next);
            if (rc == KILN_OK && !next.quoted &&
                strncmp(next.text, "--", 2) == 0) {
                free(next.text);
                next.text = NULL;
                at = save;
            }
        }
        if (rc == KILN_OK && next.text == NULL) {
            rc = kiln_args_label(s, &label) != KILN_OK
                     ? kiln_error_nomem(p->err)
                     : kiln_error_set(p->err, KILN_USAGE,
                                      "%s: %s needs a value", p->who,
                                      kiln_buf_str(&label));
        }
        kiln_buf_fini(&label);
        if (rc != KILN_OK)
            return rc;
        p->pos = at;
        value = next.text;
    }
    int rc = check_type(s, p->who, value, p->err);
    if (rc == KILN_OK && set_value(a, (size_t)idx, value, strlen(value)) !=
                             KILN_OK)
        rc = kiln_error_nomem(p->err);
    free(next.text);
    return rc;
}

static int take_word(parser *p, const kiln_word *w)
{
    kiln_args *a = p->a;
    const char *t = w->text;
    if (!p->options_done) {
        if (!w->quoted && strcmp(t, "--") == 0) {
            p->options_done = true;
            return KILN_OK;
        }
        /* --name must be bare up to its end or its '='. */
        size_t name_end = strcspn(t, "=");
        if (strncmp(t, "--", 2) == 0 && w->bare > 2 && w->bare >= name_end)
            return take_option(p, w);
        if (!w->quoted && looks_short_option(t))
            return unknown_option(a, p->who, "-", t + 1, strlen(t + 1),
                                  p->err);
    }
    size_t keylen;
    if (p->pairs && is_pair_key(w, &keylen)) {
        if (kiln_strv_push(&a->keys, a->npairs, t, keylen) != KILN_OK)
            return kiln_error_nomem(p->err);
        if (kiln_strv_push(&a->vals, a->npairs, t + keylen + 1,
                     strlen(t + keylen + 1)) != KILN_OK) {
            free(a->keys[a->npairs]);
            return kiln_error_nomem(p->err);
        }
        a->npairs++;
        return KILN_OK;
    }
    return take_positional(p, t, strlen(t));
}

static int check_required(parser *p)
{
    kiln_args *a = p->a;
    for (size_t i = 0; i < a->nspec; i++) {
        const kiln_arg_spec *s = &a->spec[i];
        if (!(s->flags & KILN_ARG_REQUIRED) || a->given[i])
            continue;
        kiln_buf label;
        kiln_buf_init(&label);
        if (kiln_args_label(s, &label) != KILN_OK) {
            kiln_buf_fini(&label);
            return kiln_error_nomem(p->err);
        }
        kiln_error_set(p->err, KILN_USAGE, "%s: missing %s %s%s%s%s", p->who,
                       is_positional(s) ? "argument" : "required option",
                       kiln_buf_str(&label), s->help ? " (" : "",
                       s->help ? s->help : "", s->help ? ")" : "");
        kiln_buf_fini(&label);
        return KILN_USAGE;
    }
    return KILN_OK;
}

int kiln_args_parse(const kiln_arg_spec *spec, bool pairs, const char *who,
                    const char *text, size_t len, kiln_args **out,
                    kiln_error *err)
{
    kiln_args *a = calloc(1, sizeof *a);
    if (a == NULL)
        return kiln_error_nomem(err);
    a->spec = spec;
    a->nspec = spec_count(spec);
    a->values = calloc(a->nspec + 1, sizeof *a->values);
    a->given = calloc(a->nspec + 1, sizeof *a->given);
    int rc = KILN_OK;
    if (a->values == NULL || a->given == NULL) {
        rc = kiln_error_nomem(err);
        goto fail;
    }
    parser p = {.a = a, .who = who, .text = text, .len = len, .pairs = pairs,
                .err = err};
    for (;;) {
        p.pos = skip_space(text, len, p.pos);
        if (p.pos >= len)
            break;
        long next = next_positional(&p);
        /* A REST positional takes the raw line: at once when the magic has
         * no options, else from the first word that is not an option. */
        if (next >= 0 && a->spec[next].type == KILN_ARG_REST &&
            (!has_options(a) || p.options_done ||
             strncmp(text + p.pos, "--", 2) != 0)) {
            rc = take_rest(&p, next);
            if (rc != KILN_OK)
                goto fail;
            continue;
        }
        kiln_word w;
        rc = parser_word(&p, &p.pos, &w);
        if (rc != KILN_OK)
            goto fail;
        rc = take_word(&p, &w);
        free(w.text);
        if (rc != KILN_OK)
            goto fail;
    }
    rc = check_required(&p);
    if (rc != KILN_OK)
        goto fail;
    *out = a;
    return KILN_OK;
fail:
    kiln_args_free(a);
    return rc;
}

void kiln_args_free(kiln_args *a)
{
    if (a == NULL)
        return;
    kiln_strv_free(a->values, a->nspec);
    free(a->given);
    kiln_strv_free(a->many, a->nmany);
    kiln_strv_free(a->keys, a->npairs);
    kiln_strv_free(a->vals, a->npairs);
    free(a);
}

/* ---- access ------------------------------------------------------------- */

static long find_any(const kiln_args *a, const char *name)
{
    for (size_t i = 0; i < a->nspec; i++)
        if (strcmp(a->spec[i].name, name) == 0)
            return (long)i;
    return -1;
}

const char *kiln_args_str(const kiln_args *a, const char *name)
{
    long i = find_any(a, name);
    if (i < 0)
        return NULL;
    if (a->spec[i].flags & KILN_ARG_MANY)
        return a->nmany > 0 ? a->many[0] : a->spec[i].def;
    return a->given[i] ? a->values[i] : a->spec[i].def;
}

bool kiln_args_has(const kiln_args *a, const char *name)
{
    long i = find_any(a, name);
    return i >= 0 && a->given[i];
}

int64_t kiln_args_int(const kiln_args *a, const char *name)
{
    const char *s = kiln_args_str(a, name);
    int64_t v = 0;
    if (s == NULL || !parse_int(s, &v))
        return 0;
    return v;
}

double kiln_args_float(const kiln_args *a, const char *name)
{
    const char *s = kiln_args_str(a, name);
    double v = 0;
    if (s == NULL || !parse_float(s, &v))
        return 0;
    return v;
}

bool kiln_args_flag(const kiln_args *a, const char *name)
{
    return kiln_args_has(a, name);
}

size_t kiln_args_many_count(const kiln_args *a)
{
    return a->nmany;
}

const char *kiln_args_many(const kiln_args *a, size_t i)
{
    return i < a->nmany ? a->many[i] : NULL;
}

size_t kiln_args_pair_count(const kiln_args *a)
{
    return a->npairs;
}

void kiln_args_pair(const kiln_args *a, size_t i, const char **key,
                    const char **value)
{
    if (key != NULL)
        *key = i < a->npairs ? a->keys[i] : NULL;
    if (value != NULL)
        *value = i < a->npairs ? a->vals[i] : NULL;
}
