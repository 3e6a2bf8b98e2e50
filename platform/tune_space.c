/* kiln — the search space of a tuning job (tune_space.h). */
#include "tune_space.h"

#include "algos/hparams.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void kiln_space_init(kiln_space *s)
{
    memset(s, 0, sizeof *s);
}

void kiln_space_fini(kiln_space *s)
{
    for (size_t i = 0; i < s->n; i++) {
        kiln_param_range *r = &s->ranges[i];
        free(r->name);
        for (size_t k = 0; k < r->nvalues; k++)
            free(r->values[k]);
        free(r->values);
    }
    memset(s, 0, sizeof *s);
}

const char *kiln_scaling_name(kiln_scaling sc)
{
    switch (sc) {
    case KILN_SCALING_LINEAR: return "Linear";
    case KILN_SCALING_LOG: return "Logarithmic";
    case KILN_SCALING_REVERSE_LOG: return "ReverseLogarithmic";
    case KILN_SCALING_AUTO: break;
    }
    return "Auto";
}

/* A free slot for name, or NULL with err set. */
static kiln_param_range *new_range(kiln_space *s, const char *name,
                                   kiln_error *err)
{
    if (name == NULL || name[0] == '\0') {
        kiln_error_set(err, KILN_USAGE, "a range needs a hyperparameter name");
        return NULL;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->ranges[i].name, name) == 0) {
            kiln_error_set(err, KILN_USAGE, "'%s' has two ranges", name);
            return NULL;
        }
    if (s->n == KILN_TUNE_MAX_RANGES) {
        kiln_error_set(err, KILN_USAGE,
                       "at most %d hyperparameters are tuned at once "
                       "('%s' is one more)",
                       KILN_TUNE_MAX_RANGES, name);
        return NULL;
    }
    kiln_param_range *r = &s->ranges[s->n];
    memset(r, 0, sizeof *r);
    if ((r->name = strdup(name)) == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    return r;
}

int kiln_space_add_numeric(kiln_space *s, const char *name,
                           kiln_range_kind kind, double lo, double hi,
                           kiln_scaling scaling, kiln_error *err)
{
    const char *what = kind == KILN_RANGE_INTEGER ? "integer" : "continuous";
    if (!isfinite(lo) || !isfinite(hi))
        return kiln_error_set(err, KILN_USAGE,
                              "%s: %s(LOW, HIGH) needs finite numbers", name,
                              what);
    if (kind == KILN_RANGE_INTEGER && (lo != floor(lo) || hi != floor(hi)))
        return kiln_error_set(err, KILN_USAGE,
                              "%s: integer(%g, %g) needs whole numbers", name,
                              lo, hi);
    if (kind == KILN_RANGE_INTEGER ? lo > hi : lo >= hi)
        return kiln_error_set(err, KILN_USAGE,
                              "%s: LOW %g is %s HIGH %g", name, lo,
                              lo > hi ? "above" : "not below", hi);
    if (scaling == KILN_SCALING_LOG && lo <= 0)
        return kiln_error_set(err, KILN_USAGE,
                              "%s: a Logarithmic range needs LOW > 0, got %g",
                              name, lo);
    if (scaling == KILN_SCALING_REVERSE_LOG &&
        (kind != KILN_RANGE_CONTINUOUS || lo < 0 || hi >= 1))
        return kiln_error_set(err, KILN_USAGE,
                              "%s: a ReverseLogarithmic range is continuous "
                              "with 0 <= LOW < HIGH < 1, got %s(%g, %g)",
                              name, what, lo, hi);
    kiln_param_range *r = new_range(s, name, err);
    if (r == NULL)
        return err->code;
    r->kind = kind;
    r->lo = lo;
    r->hi = hi;
    r->scaling = scaling;
    r->used = scaling != KILN_SCALING_AUTO ? scaling
              : lo > 0 && hi >= 100 * lo   ? KILN_SCALING_LOG
                                           : KILN_SCALING_LINEAR;
    s->n++;
    return KILN_OK;
}

int kiln_space_add_categorical(kiln_space *s, const char *name,
                               const char *const *values, size_t n,
                               kiln_error *err)
{
    if (n < 1 || n > KILN_TUNE_MAX_VALUES)
        return kiln_error_set(err, KILN_USAGE,
                              "%s: categorical(...) takes 1 to %d values, "
                              "got %zu",
                              name, KILN_TUNE_MAX_VALUES, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(values[i], values[j]) == 0)
                return kiln_error_set(err, KILN_USAGE,
                                      "%s: categorical value '%s' is given "
                                      "twice",
                                      name, values[i]);
    kiln_param_range *r = new_range(s, name, err);
    if (r == NULL)
        return err->code;
    r->kind = KILN_RANGE_CATEGORICAL;
    r->values = calloc(n, sizeof *r->values);
    bool ok = r->values != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = (r->values[i] = strdup(values[i])) != NULL;
    r->nvalues = n;
    if (!ok) {
        for (size_t i = 0; r->values != NULL && i < n; i++)
            free(r->values[i]);
        free(r->values);
        free(r->name);
        memset(r, 0, sizeof *r);
        return kiln_error_nomem(err);
    }
    s->n++;
    return KILN_OK;
}

/* ---- against the schema ------------------------------------------------------ */

static bool within(const kiln_hp_spec *h, double v)
{
    if ((h->flags & KILN_HP_MIN) && v < h->min)
        return false;
    if ((h->flags & KILN_HP_MIN_OPEN) && v <= h->min)
        return false;
    if ((h->flags & KILN_HP_MAX) && v > h->max)
        return false;
    if ((h->flags & KILN_HP_MAX_OPEN) && v >= h->max)
        return false;
    return true;
}

static bool choice_ok(const kiln_hp_spec *h, const char *v)
{
    if (h->type == KILN_HP_BOOL)
        return strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0;
    if (h->type == KILN_HP_CHOICE) {
        for (size_t i = 0; h->choices && h->choices[i]; i++)
            if (strcmp(h->choices[i], v) == 0)
                return true;
        return false;
    }
    if (h->type == KILN_HP_INT || h->type == KILN_HP_FLOAT) {
        char *end;
        double x = strtod(v, &end);
        bool number = *v != '\0' && *end == '\0' && isfinite(x);
        for (size_t i = 0; !number && h->words && h->words[i]; i++)
            if (strcmp(h->words[i], v) == 0)
                return true;
        return number && within(h, x) &&
               (h->type == KILN_HP_FLOAT || x == floor(x));
    }
    return true; /* strings and lists: the job's own check decides */
}

int kiln_space_check(const kiln_space *s, const kiln_algo *a,
                     kiln_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        const kiln_param_range *r = &s->ranges[i];
        const kiln_hp_spec *h = kiln_algo_hparam(a, r->name);
        if (h == NULL)
            return kiln_error_set(err, KILN_HYPERPARAMETER,
                                  "%s has no hyperparameter '%s' to tune",
                                  a->name, r->name);
        char desc[256] = "";
        kiln_hp_describe(h, desc, sizeof desc);
        if (r->kind == KILN_RANGE_CATEGORICAL) {
            for (size_t k = 0; k < r->nvalues; k++)
                if (!choice_ok(h, r->values[k]))
                    return kiln_error_set(err, KILN_HYPERPARAMETER,
                                          "%s: categorical value '%s' is "
                                          "not one it takes (%s)",
                                          r->name, r->values[k], desc);
            continue;
        }
        bool numeric = h->type == KILN_HP_INT || h->type == KILN_HP_FLOAT;
        if (!numeric || (h->type == KILN_HP_INT &&
                         r->kind == KILN_RANGE_CONTINUOUS))
            return kiln_error_set(err, KILN_HYPERPARAMETER,
                                  "%s is %s: tune it with %s", r->name, desc,
                                  numeric ? "integer(LOW, HIGH)"
                                          : "categorical(...)");
        if (!within(h, r->lo) || !within(h, r->hi))
            return kiln_error_set(err, KILN_HYPERPARAMETER,
                                  "%s: the range %g..%g leaves what it takes "
                                  "(%s)",
                                  r->name, r->lo, r->hi, desc);
    }
    return KILN_OK;
}

/* ---- the unit cube -------------------------------------------------------------- */

static double clamp01(double u)
{
    return u < 0 ? 0 : u > 1 ? 1 : isnan(u) ? 0.5 : u;
}

/* The continuous value at u on r's scale between lo and hi. */
static double scaled(kiln_scaling sc, double lo, double hi, double u)
{
    switch (sc) {
    case KILN_SCALING_LOG:
        return exp(log(lo) + u * (log(hi) - log(lo)));
    case KILN_SCALING_REVERSE_LOG:
        return 1 - exp(log(1 - lo) + u * (log(1 - hi) - log(1 - lo)));
    default:
        return lo + u * (hi - lo);
    }
}

static double unscaled(kiln_scaling sc, double lo, double hi, double v)
{
    switch (sc) {
    case KILN_SCALING_LOG:
        return (log(v) - log(lo)) / (log(hi) - log(lo));
    case KILN_SCALING_REVERSE_LOG:
        return (log(1 - v) - log(1 - lo)) / (log(1 - hi) - log(1 - lo));
    default:
        return (v - lo) / (hi - lo);
    }
}

double kiln_range_at(const kiln_param_range *r, double u)
{
    u = clamp01(u);
    if (r->kind == KILN_RANGE_CATEGORICAL) {
        double k = floor(u * (double)r->nvalues);
        return k >= (double)r->nvalues ? (double)r->nvalues - 1 : k;
    }
    if (r->kind == KILN_RANGE_CONTINUOUS)
        return fmin(r->hi, fmax(r->lo, scaled(r->used, r->lo, r->hi, u)));
    double v;
    if (r->used == KILN_SCALING_LINEAR) {
        v = r->lo + floor(u * (r->hi - r->lo + 1));
    } else {
        v = round(scaled(r->used, r->lo, r->hi, u));
    }
    return fmin(r->hi, fmax(r->lo, v));
}

double kiln_range_coord(const kiln_param_range *r, double v)
{
    if (r->kind == KILN_RANGE_CATEGORICAL)
        return (v + 0.5) / (double)r->nvalues;
    if (r->kind == KILN_RANGE_INTEGER && r->used == KILN_SCALING_LINEAR)
        return (v - r->lo + 0.5) / (r->hi - r->lo + 1);
    if (r->lo == r->hi)
        return 0.5;
    return clamp01(unscaled(r->used, r->lo, r->hi, v));
}

void kiln_range_text(const kiln_param_range *r, double v, char *out,
                     size_t size)
{
    if (r->kind == KILN_RANGE_CATEGORICAL) {
        size_t k = v < 0 ? 0 : (size_t)v;
        snprintf(out, size, "%s", r->values[k < r->nvalues ? k : r->nvalues - 1]);
    } else if (r->kind == KILN_RANGE_INTEGER) {
        snprintf(out, size, "%lld", (long long)v);
    } else {
        /* the shortest text that reads back as v */
        for (int p = 1; p <= 17; p++) {
            snprintf(out, size, "%.*g", p, v);
            if (strtod(out, NULL) == v)
                break;
        }
    }
}

/* ---- grid and random -------------------------------------------------------------- */

size_t kiln_space_grid_size(const kiln_space *s, size_t max)
{
    size_t n = s->n > 0 ? 1 : 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->ranges[i].kind != KILN_RANGE_CATEGORICAL)
            return 0;
        if (n > max / s->ranges[i].nvalues)
            return 0;
        n *= s->ranges[i].nvalues;
    }
    return n <= max ? n : 0;
}

void kiln_space_grid_point(const kiln_space *s, size_t k, double *idx)
{
    for (size_t i = s->n; i-- > 0;) {
        size_t m = s->ranges[i].nvalues;
        idx[i] = (double)(k % m);
        k /= m;
    }
}

double kiln_tune_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}
