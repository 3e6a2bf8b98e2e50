/* kiln — %%tune: a hyperparameter tuning job in-process (platform/tune.h),
 * with its progress line and live chart, and at the end the top jobs and
 * the objective by each tuned hyperparameter. */
#include "registry.h"

#include "algo_help.h"
#include "chars.h"
#include "table.h"
#include "train_view.h"

#include "platform/tune.h"
#include "plotting/chart.h"

#include "core/buf.h"
#include "core/strv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define TOP_JOBS 10      /* rows of the final table */
#define PARAM_CHARTS 8   /* per-parameter charts at the end, at most */

/* ---- the body: static values and ranges ------------------------------------ */

typedef struct tune_body {
    char **names, **values; /* static hyperparameters */
    size_t n;
    kiln_space space;
} tune_body;

static void body_fini(tune_body *b)
{
    kiln_strv_free(b->names, b->n);
    kiln_strv_free(b->values, b->n);
    kiln_space_fini(&b->space);
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && kiln_is_blank(**s))
        (*s)++;
    while (*e > *s && kiln_is_blank((*e)[-1]))
        (*e)--;
}

/* The arguments of `kind(a, b, ...)` between s and e (after the '('),
 * split at commas outside quotes, trimmed and unquoted. */
static int split_args(const char *s, const char *e, char **out, size_t max,
                      size_t *n, int line, kiln_error *err)
{
    *n = 0;
    const char *p = s;
    while (p <= e) {
        const char *start = p;
        char quote = 0;
        while (p < e && (quote || *p != ',')) {
            if (quote && *p == quote)
                quote = 0;
            else if (!quote && (*p == '"' || *p == '\''))
                quote = *p;
            p++;
        }
        const char *a = start, *b = p;
        trim(&a, &b);
        if (b - a >= 2 && (*a == '"' || *a == '\'') && b[-1] == *a) {
            a++;
            b--;
        }
        if (*n == max)
            return kiln_error_set(err, KILN_USAGE,
                                  "line %d: more than %zu values", line, max);
        if ((out[*n] = strndup(a, (size_t)(b - a))) == NULL)
            return kiln_error_nomem(err);
        (*n)++;
        p++;
    }
    return KILN_OK;
}

static int parse_scaling(const char *w, kiln_scaling *out)
{
    static const struct {
        const char *word;
        kiln_scaling sc;
    } words[] = {
        {"auto", KILN_SCALING_AUTO},
        {"linear", KILN_SCALING_LINEAR},
        {"log", KILN_SCALING_LOG},
        {"logarithmic", KILN_SCALING_LOG},
        {"reverse", KILN_SCALING_REVERSE_LOG},
        {"reverse-log", KILN_SCALING_REVERSE_LOG},
        {"reverselogarithmic", KILN_SCALING_REVERSE_LOG},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcasecmp(w, words[i].word) == 0) {
            *out = words[i].sc;
            return KILN_OK;
        }
    return KILN_USAGE;
}

static bool number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(*out);
}

/* `name = kind(args)`: a range; 0 when the value is not a range call. */
static int parse_range(tune_body *b, const char *name, const char *v,
                       const char *e, int line, bool *is_range,
                       kiln_error *err)
{
    static const char *const kinds[] = {"continuous", "integer",
                                        "categorical"};
    *is_range = false;
    size_t k = 0;
    size_t klen = 0;
    for (; k < 3; k++) {
        klen = strlen(kinds[k]);
        if ((size_t)(e - v) > klen && strncmp(v, kinds[k], klen) == 0)
            break;
    }
    if (k == 3)
        return KILN_OK;
    const char *open = v + klen;
    while (open < e && kiln_is_blank(*open))
        open++;
    if (open == e || *open != '(')
        return KILN_OK;
    *is_range = true;
    if (e[-1] != ')')
        return kiln_error_set(err, KILN_USAGE,
                              "line %d: %s(...) needs its closing ')'", line,
                              kinds[k]);
    char *args[KILN_TUNE_MAX_VALUES + 1];
    size_t n = 0;
    int rc = split_args(open + 1, e - 1, args, KILN_TUNE_MAX_VALUES + 1, &n,
                        line, err);
    if (rc == KILN_OK && k == 2) {
        bool empty = n == 0 || (n == 1 && args[0][0] == '\0');
        rc = empty ? kiln_error_set(err, KILN_USAGE,
                                    "line %d: categorical(A, B, ...) needs at "
                                    "least one value",
                                    line)
                   : kiln_space_add_categorical(&b->space, name,
                                                (const char *const *)args, n,
                                                err);
    } else if (rc == KILN_OK) {
        double lo, hi;
        kiln_scaling sc = KILN_SCALING_AUTO;
        if (n < 2 || n > 3 || !number(args[0], &lo) || !number(args[1], &hi))
            rc = kiln_error_set(err, KILN_USAGE,
                                "line %d: expected %s(LOW, HIGH[, SCALING]) "
                                "with numbers LOW and HIGH",
                                line, kinds[k]);
        else if (n == 3 && parse_scaling(args[2], &sc) != KILN_OK)
            rc = kiln_error_set(err, KILN_USAGE,
                                "line %d: unknown scaling '%.60s'; expected "
                                "auto, linear, log or reverse (or SageMaker's "
                                "Auto, Linear, Logarithmic, "
                                "ReverseLogarithmic)",
                                line, args[2]);
        else if (k == 1 && (lo != floor(lo) || hi != floor(hi)))
            rc = kiln_error_set(err, KILN_USAGE,
                                "line %d: integer(LOW, HIGH) needs whole "
                                "numbers, got %g and %g",
                                line, lo, hi);
        else
            rc = kiln_space_add_numeric(&b->space, name,
                                        k == 0 ? KILN_RANGE_CONTINUOUS
                                               : KILN_RANGE_INTEGER,
                                        lo, hi, sc, err);
    }
    for (size_t i = 0; i < n; i++)
        free(args[i]);
    return rc;
}

static int parse_body(const kiln_magic_call *call, tune_body *b,
                      kiln_error *err)
{
    const char *p = call->body;
    int line = call->body_line;
    while (p && *p) {
        const char *end = strchr(p, '\n');
        const char *s = p, *e = end ? end : p + strlen(p);
        trim(&s, &e);
        if (s < e && *s != '#') {
            const char *eq = memchr(s, '=', (size_t)(e - s));
            const char *ns = s, *ne = eq ? eq : s;
            trim(&ns, &ne);
            if (eq == NULL || ne == ns)
                return kiln_error_set(err, KILN_USAGE,
                                      "line %d: expected 'name = value' or "
                                      "'name = continuous(LOW, HIGH)', got "
                                      "'%.*s'",
                                      line, (int)(e - s), s);
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(ne - ns), ns);
            const char *v = eq + 1, *ve = e;
            trim(&v, &ve);
            bool is_range = false;
            if (parse_range(b, name, v, ve, line, &is_range, err) != KILN_OK) {
                kiln_error_prefix(err, "%s: ", name);
                return err->code;
            }
            if (!is_range) {
                size_t vlen = (size_t)(ve - v);
                if (vlen >= 2 && (*v == '"' || *v == '\'') && ve[-1] == *v) {
                    v++;
                    vlen -= 2;
                }
                if (kiln_strv_push(&b->names, b->n, name, strlen(name)) !=
                    KILN_OK)
                    return kiln_error_nomem(err);
                if (kiln_strv_push(&b->values, b->n, v, vlen) != KILN_OK) {
                    free(b->names[b->n]);
                    return kiln_error_nomem(err);
                }
                b->n++;
            }
        }
        line++;
        p = end ? end + 1 : NULL;
    }
    return KILN_OK;
}

/* ---- the live view ------------------------------------------------------------ */

typedef struct tune_view {
    const kiln_sink *sink;
    char progress_id[96], chart_id[96];
    bool progress_shown, chart_shown;
    double t0;
    const char *strategy;
} tune_view;

static unsigned view_counter;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void show(tune_view *v, kiln_bundle *b, const char *id, bool *shown)
{
    if (b == NULL)
        return;
    if (*shown)
        kiln_sink_update_display(v->sink, b, id);
    else
        kiln_sink_display(v->sink, b, id);
    *shown = true;
    kiln_bundle_free(b);
}

static void progress(tune_view *v, const kiln_tuning *t)
{
    size_t n = kiln_tuning_trial_count(t), done = 0, running = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = kiln_tuning_trial(t, i)->status;
        running += strcmp(s, "InProgress") == 0;
        done += strcmp(s, "InProgress") != 0 && strcmp(s, "Pending") != 0;
    }
    long best = kiln_tuning_best(t);
    char best_text[200] = "no completed job yet";
    if (best >= 0) {
        const kiln_tune_trial *b = kiln_tuning_trial(t, (size_t)best);
        snprintf(best_text, sizeof best_text, "best %s %.6g (%s)",
                 kiln_tuning_objective(t), b->objective, b->name);
    }
    const char *status = kiln_tuning_status(t);
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    kiln_buf_printf(&text, "tuning %s (%s): %zu of %zu jobs done, %zu running; "
                           "%s; %.1f s%s%s",
                    kiln_tuning_name(t), v->strategy, done,
                    kiln_tuning_max_jobs(t), running, best_text,
                    mono() - v->t0,
                    strcmp(status, "InProgress") ? "; " : "",
                    strcmp(status, "InProgress") ? status : "");
    kiln_buf_puts(&html, "<div style=\"font-family:monospace\"><b>");
    kiln_table_escape_html(&html, kiln_tuning_name(t),
                           strlen(kiln_tuning_name(t)));
    kiln_buf_printf(&html,
                    "</b> %s <progress value=\"%zu\" max=\"%zu\" "
                    "style=\"width:12em;vertical-align:middle\"></progress> "
                    "%zu/%zu jobs, %zu running &middot; ",
                    v->strategy, done, kiln_tuning_max_jobs(t), done,
                    kiln_tuning_max_jobs(t), running);
    kiln_table_escape_html(&html, best_text, strlen(best_text));
    kiln_buf_printf(&html, " &middot; %.1f s%s%s</div>", mono() - v->t0,
                    strcmp(status, "InProgress") ? " &middot; " : "",
                    strcmp(status, "InProgress") ? status : "");
    kiln_bundle *b = kiln_bundle_new();
    if (b && kiln_buf_str(&text) && kiln_buf_str(&html) &&
        (kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&text)) != KILN_OK ||
         kiln_bundle_add_text(b, "text/html", kiln_buf_str(&html)) != KILN_OK)) {
        kiln_bundle_free(b);
        b = NULL;
    }
    kiln_buf_fini(&text);
    kiln_buf_fini(&html);
    show(v, b, v->progress_id, &v->progress_shown);
}

/* The objective of every job that reported one, in job order: completed
 * jobs as points, stopped ones as points of their own, and the best so far
 * (of the completed jobs) as a line. */
static int objective_chart(const kiln_tuning *t, kiln_bundle **out)
{
    size_t n = kiln_tuning_trial_count(t);
    double *x = calloc(n + 1, sizeof *x), *y = calloc(n + 1, sizeof *y);
    double *sx = calloc(n + 1, sizeof *sx), *sy = calloc(n + 1, sizeof *sy);
    double *bx = calloc(n + 1, sizeof *bx), *by = calloc(n + 1, sizeof *by);
    int rc = x && y && sx && sy && bx && by ? KILN_OK : KILN_NOMEM;
    size_t nc = 0, ns = 0, nb = 0;
    double best = NAN;
    for (size_t i = 0; rc == KILN_OK && i < n; i++) {
        const kiln_tune_trial *tr = kiln_tuning_trial(t, i);
        if (!isfinite(tr->objective) || strcmp(tr->status, "InProgress") == 0)
            continue;
        if (strcmp(tr->status, "Completed") == 0) {
            x[nc] = (double)(i + 1);
            y[nc++] = tr->objective;
            if (!isfinite(best) || (kiln_tuning_maximize(t)
                                        ? tr->objective > best
                                        : tr->objective < best))
                best = tr->objective;
        } else {
            sx[ns] = (double)(i + 1);
            sy[ns++] = tr->objective;
        }
        if (isfinite(best)) {
            bx[nb] = (double)(i + 1);
            by[nb++] = best;
        }
    }
    char title[160], ylabel[128];
    snprintf(title, sizeof title, "%s: %s by training job", kiln_tuning_name(t),
             kiln_tuning_objective(t));
    snprintf(ylabel, sizeof ylabel, "%s (%s)", kiln_tuning_objective(t),
             kiln_tuning_maximize(t) ? "maximize" : "minimize");
    kiln_chart_opts o = {.kind = KILN_CHART_LINE,
                         .title = title,
                         .x_label = "training job",
                         .y_label = ylabel,
                         .x_integer = true,
                         .width = 640,
                         .height = 320};
    kiln_chart *c = rc == KILN_OK ? kiln_chart_new(&o) : NULL;
    if (rc == KILN_OK && c == NULL)
        rc = KILN_NOMEM;
    int s0 = -1, s1 = -1;
    if (rc == KILN_OK) {
        s0 = kiln_chart_add_series(c, "completed", x, y, nc);
        s1 = kiln_chart_add_series(c, "stopped early", sx, sy, ns);
        if (s0 < 0 || s1 < 0 ||
            kiln_chart_add_series(c, "best so far", bx, by, nb) < 0)
            rc = KILN_NOMEM;
    }
    if (rc == KILN_OK) {
        kiln_chart_series_points(c, s0);
        kiln_chart_series_points(c, s1);
        char text[256];
        snprintf(text, sizeof text,
                 "%s by training job: %zu completed, %zu stopped; best %.6g",
                 kiln_tuning_objective(t), nc, ns, best);
        rc = kiln_chart_bundle(c, text, out);
    }
    kiln_chart_free(c);
    free(x);
    free(y);
    free(sx);
    free(sy);
    free(bx);
    free(by);
    return rc;
}

static void on_update(void *data, const kiln_tuning *t)
{
    tune_view *v = data;
    progress(v, t);
    kiln_bundle *b = NULL;
    if (objective_chart(t, &b) == KILN_OK)
        show(v, b, v->chart_id, &v->chart_shown);
}

/* ---- the end: top jobs and the objective by parameter ----------------------- */

static const kiln_tuning *sort_tuning; /* qsort has no context argument */

static int by_objective(const void *pa, const void *pb)
{
    const kiln_tune_trial *a = kiln_tuning_trial(sort_tuning, *(const size_t *)pa);
    const kiln_tune_trial *b = kiln_tuning_trial(sort_tuning, *(const size_t *)pb);
    bool ca = strcmp(a->status, "Completed") == 0;
    bool cb = strcmp(b->status, "Completed") == 0;
    if (ca != cb)
        return ca ? -1 : 1;
    double x = a->objective, y = b->objective;
    if (x != y) {
        bool better = kiln_tuning_maximize(sort_tuning) ? x > y : x < y;
        return better ? -1 : 1;
    }
    return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

static int top_table(const kiln_tuning *t, kiln_bundle **out)
{
    const kiln_space *s = kiln_tuning_space(t);
    size_t n = kiln_tuning_trial_count(t), m = 0;
    size_t *order = calloc(n + 1, sizeof *order);
    if (order == NULL)
        return KILN_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (isfinite(kiln_tuning_trial(t, i)->objective))
            order[m++] = i;
    sort_tuning = t;
    qsort(order, m, sizeof *order, by_objective);
    const char *headers[KILN_TUNE_MAX_RANGES + 5];
    size_t nh = 0;
    headers[nh++] = "rank";
    headers[nh++] = "training job";
    headers[nh++] = "status";
    headers[nh++] = kiln_tuning_objective(t);
    for (size_t r = 0; r < s->n; r++)
        headers[nh++] = s->ranges[r].name;
    headers[nh++] = "time";
    kiln_table *tab = kiln_table_new(nh, headers);
    int rc = tab ? KILN_OK : KILN_NOMEM;
    for (size_t k = 0; rc == KILN_OK && k < m && k < TOP_JOBS; k++) {
        const kiln_tune_trial *tr = kiln_tuning_trial(t, order[k]);
        char cells[KILN_TUNE_MAX_RANGES + 5][64];
        const char *row[KILN_TUNE_MAX_RANGES + 5];
        size_t c = 0;
        snprintf(cells[c], 64, "%zu", k + 1);
        row[c] = cells[c];
        c++;
        row[c++] = tr->name;
        snprintf(cells[c], 64, "%s%s", tr->status,
                 tr->early_stopped ? " (early)" : "");
        row[c] = cells[c];
        c++;
        snprintf(cells[c], 64, "%.6g", tr->objective);
        row[c] = cells[c];
        c++;
        for (size_t r = 0; r < s->n; r++, c++) {
            /* 4 significant digits here; the record has them all. */
            if (s->ranges[r].kind == KILN_RANGE_CONTINUOUS)
                snprintf(cells[c], 64, "%.4g", tr->values[r]);
            else
                kiln_range_text(&s->ranges[r], tr->values[r], cells[c], 64);
            row[c] = cells[c];
        }
        snprintf(cells[c], 64, "%.2f s", tr->end > tr->start ? tr->end - tr->start : 0);
        row[c] = cells[c];
        rc = kiln_table_add(tab, row);
    }
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && b == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_table_to_bundle(tab, b);
    kiln_table_free(tab);
    free(order);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return rc;
    }
    *out = b;
    return KILN_OK;
}

/* The objective against one tuned hyperparameter (categorical values by
 * index, named in the axis title). */
static int param_chart(const kiln_tuning *t, size_t r, kiln_bundle **out)
{
    const kiln_param_range *g = &kiln_tuning_space(t)->ranges[r];
    size_t n = kiln_tuning_trial_count(t);
    double *x = calloc(n + 1, sizeof *x), *y = calloc(n + 1, sizeof *y);
    double *sx = calloc(n + 1, sizeof *sx), *sy = calloc(n + 1, sizeof *sy);
    int rc = x && y && sx && sy ? KILN_OK : KILN_NOMEM;
    size_t nc = 0, ns = 0;
    for (size_t i = 0; rc == KILN_OK && i < n; i++) {
        const kiln_tune_trial *tr = kiln_tuning_trial(t, i);
        if (!isfinite(tr->objective))
            continue;
        bool done = strcmp(tr->status, "Completed") == 0;
        (done ? x : sx)[done ? nc : ns] = tr->values[r];
        (done ? y : sy)[done ? nc : ns] = tr->objective;
        if (done)
            nc++;
        else
            ns++;
    }
    long best = kiln_tuning_best(t);
    double bx = 0, by = 0;
    if (best >= 0) {
        bx = kiln_tuning_trial(t, (size_t)best)->values[r];
        by = kiln_tuning_trial(t, (size_t)best)->objective;
    }
    kiln_buf xl;
    kiln_buf_init(&xl);
    kiln_buf_puts(&xl, g->name);
    if (g->kind == KILN_RANGE_CATEGORICAL) {
        kiln_buf_puts(&xl, " (");
        for (size_t k = 0; k < g->nvalues && k < 8; k++)
            kiln_buf_printf(&xl, "%s%zu %s", k ? ", " : "", k, g->values[k]);
        kiln_buf_puts(&xl, g->nvalues > 8 ? ", ...)" : ")");
    }
    char title[160];
    snprintf(title, sizeof title, "%s by %s", kiln_tuning_objective(t),
             g->name);
    kiln_chart_opts o = {.kind = KILN_CHART_SCATTER,
                         .title = title,
                         .x_label = kiln_buf_str(&xl),
                         .y_label = kiln_tuning_objective(t),
                         .x_log = g->kind != KILN_RANGE_CATEGORICAL &&
                                  g->used == KILN_SCALING_LOG,
                         .x_integer = g->kind != KILN_RANGE_CONTINUOUS,
                         .width = 480,
                         .height = 300};
    kiln_chart *c = rc == KILN_OK ? kiln_chart_new(&o) : NULL;
    if (rc == KILN_OK && c == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK &&
        (kiln_chart_add_series(c, "completed", x, y, nc) < 0 ||
         (ns > 0 &&
          kiln_chart_add_series(c, "stopped early", sx, sy, ns) < 0) ||
         kiln_chart_add_series(c, "best", &bx, &by, best >= 0) < 0))
        rc = KILN_NOMEM;
    if (rc == KILN_OK) {
        char text[256];
        snprintf(text, sizeof text, "%s by %s: %zu jobs",
                 kiln_tuning_objective(t), g->name, nc + ns);
        rc = kiln_chart_bundle(c, text, out);
    }
    kiln_chart_free(c);
    kiln_buf_fini(&xl);
    free(x);
    free(y);
    free(sx);
    free(sy);
    return rc;
}

/* ---- %%tune ------------------------------------------------------------------- */

static int list_words(const char *text, char ***out, size_t *n,
                      kiln_error *err)
{
    *out = NULL;
    *n = 0;
    const char *p = text;
    while (p && *p) {
        const char *end = strchr(p, ',');
        const char *s = p, *e = end ? end : p + strlen(p);
        trim(&s, &e);
        if (s < e) {
            if (kiln_strv_push(out, *n, s, (size_t)(e - s)) != KILN_OK)
                return kiln_error_nomem(err);
            (*n)++;
        }
        p = end ? end + 1 : NULL;
    }
    return KILN_OK;
}

static int run_tune(const kiln_magic_call *call, kiln_error *err)
{
    const kiln_args *a = call->args;
    const char *algo_name = kiln_args_str(a, "ALGO");
    const kiln_algo *algo = kiln_algo_find(algo_name, strlen(algo_name));
    if (algo == NULL)
        return kiln_algo_unknown(algo_name, err);

    tune_body body = {0};
    kiln_space_init(&body.space);
    char **parents = NULL;
    size_t nparents = 0;
    int rc = parse_body(call, &body, err);
    if (rc == KILN_OK && kiln_args_str(a, "warm-start"))
        rc = list_words(kiln_args_str(a, "warm-start"), &parents, &nparents,
                        err);
    if (rc != KILN_OK) {
        body_fini(&body);
        return rc;
    }
    const char *type = kiln_args_str(a, "type");
    const char *warm = kiln_args_str(a, "warm-start-type");
    kiln_tune_spec spec = {
        .algo = algo,
        .name = kiln_args_str(a, "name"),
        .output_root = kiln_args_str(a, "output") ? kiln_args_str(a, "output")
                                                  : KILN_DEFAULT_ROOT,
        .static_names = (const char *const *)body.names,
        .static_values = (const char *const *)body.values,
        .nstatic = body.n,
        .space = &body.space,
        .objective = kiln_args_str(a, "objective"),
        .maximize = type ? strcmp(type, "Maximize") == 0 : -1,
        .strategy = (kiln_tune_strategy)kiln_tune_strategy_parse(
            kiln_args_str(a, "strategy")),
        .max_jobs = kiln_args_has(a, "max-jobs")
                        ? (size_t)(kiln_args_int(a, "max-jobs") < 0
                                       ? 0
                                       : kiln_args_int(a, "max-jobs"))
                        : 0,
        .max_parallel = (size_t)(kiln_args_int(a, "max-parallel") < 0
                                     ? 0
                                     : kiln_args_int(a, "max-parallel")),
        .early_stopping = strcmp(kiln_args_str(a, "early-stopping"), "Auto") == 0,
        .seeded = kiln_args_has(a, "seed"),
        .seed = (uint64_t)kiln_args_int(a, "seed"),
        .min_resource = kiln_args_has(a, "min-resource")
                            ? (double)kiln_args_int(a, "min-resource")
                            : 0,
        .max_resource = kiln_args_has(a, "max-resource")
                            ? (double)kiln_args_int(a, "max-resource")
                            : 0,
        .warm_start = nparents == 0 && warm == NULL ? KILN_WARM_NONE
                      : warm && strcmp(warm, "TransferLearning") == 0
                          ? KILN_WARM_TRANSFER
                          : KILN_WARM_IDENTICAL,
        .parents = (const char *const *)parents,
        .nparents = nparents,
        .threads = (unsigned)kiln_args_int(a, "threads"),
        .cancel = call->cancel,
    };
    if (kiln_args_has(a, "seed") && kiln_args_int(a, "seed") < 0)
        rc = kiln_error_set(err, KILN_USAGE, "--seed must be 0 or more");
    static const char *const channels[] = {"train", "validation", "test"};
    for (size_t i = 0; i < 3; i++)
        if (kiln_args_str(a, channels[i]) != NULL)
            spec.channels[spec.nchannels++] = (kiln_channel_spec){
                .name = channels[i],
                .path = kiln_args_str(a, channels[i]),
                .content_type = kiln_args_str(a, "content-type")};

    tune_view view = {.sink = call->sink,
                      .t0 = mono(),
                      .strategy = kiln_tune_strategy_name(spec.strategy)};
    unsigned id = ++view_counter;
    snprintf(view.progress_id, sizeof view.progress_id,
             "kiln-tune-%u-%ld-progress", id, (long)time(NULL));
    snprintf(view.chart_id, sizeof view.chart_id, "kiln-tune-%u-%ld-chart", id,
             (long)time(NULL));
    kiln_tune_events ev = {.data = &view, .update = on_update};
    spec.events = &ev;
    kiln_tuning *t = NULL;
    if (rc == KILN_OK)
        rc = kiln_tuning_run(&spec, &t, err);
    if (rc == KILN_OK) {
        kiln_bundle *b = NULL;
        if (top_table(t, &b) == KILN_OK)
            kiln_sink_display(call->sink, b, NULL);
        kiln_bundle_free(b);
        const kiln_space *s = kiln_tuning_space(t);
        for (size_t r = 0; r < s->n && r < PARAM_CHARTS; r++) {
            b = NULL;
            if (param_chart(t, r, &b) == KILN_OK)
                kiln_sink_display(call->sink, b, NULL);
            kiln_bundle_free(b);
        }
        const char *status = kiln_tuning_status(t);
        if (strcmp(status, "Stopped") == 0)
            rc = kiln_error_set(err, KILN_INTERRUPTED,
                                "tuning job %s was stopped: its running "
                                "training jobs were stopped and no new one "
                                "started; the record is in %s",
                                kiln_tuning_name(t), kiln_tuning_dir(t));
        else if (strcmp(status, "Failed") == 0)
            rc = kiln_error_set(err, KILN_DATA, "tuning job %s failed: %s",
                                kiln_tuning_name(t), kiln_tuning_failure(t));
    }
    kiln_tuning_free(t);
    kiln_strv_free(parents, nparents);
    body_fini(&body);
    return rc;
}

static const kiln_arg_spec tune_args[] = {
    {.name = "ALGO", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "a built-in algorithm (%algorithms lists them)"},
    {.name = "objective", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "METRIC",
     .help = "the metric to optimise, one of the algorithm's (%help ALGO)"},
    {.name = "type", .type = KILN_ARG_CHOICE, .choices = "Maximize|Minimize",
     .help = "Maximize or Minimize (default: the metric's direction)"},
    {.name = "strategy", .type = KILN_ARG_CHOICE, .choices = "Bayesian|Random|Grid|Hyperband",
     .def = "Bayesian", .help = "how the next job's values are chosen"},
    {.name = "max-jobs", .type = KILN_ARG_INT, .metavar = "N",
     .help = "MaxNumberOfTrainingJobs (Grid: every combination)"},
    {.name = "max-parallel", .type = KILN_ARG_INT, .metavar = "N", .def = "1",
     .help = "MaxParallelTrainingJobs: jobs at once, sharing the cores"},
    {.name = "early-stopping", .type = KILN_ARG_CHOICE, .choices = "Off|Auto",
     .def = "Off",
     .help = "Auto: stop a job whose objective is worse than the median of "
             "earlier jobs at the same epoch"},
    {.name = "seed", .type = KILN_ARG_INT, .metavar = "N",
     .help = "RandomSeed: the same jobs again (default: drawn, recorded)"},
    {.name = "min-resource", .type = KILN_ARG_INT, .metavar = "N",
     .help = "Hyperband: epochs or rounds a job runs at least (default 1)"},
    {.name = "max-resource", .type = KILN_ARG_INT, .metavar = "N",
     .help = "Hyperband: epochs or rounds at most (default: the static "
             "epochs or num_round)"},
    {.name = "warm-start", .type = KILN_ARG_STR, .metavar = "PARENTS",
     .help = "parent tuning jobs, comma-separated (at most 5)"},
    {.name = "warm-start-type", .type = KILN_ARG_CHOICE, .choices = "IdenticalDataAndAlgorithm|TransferLearning",
     .help = "IdenticalDataAndAlgorithm (default with --warm-start) or "
             "TransferLearning"},
    {.name = "train", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "PATH", .help = "the train channel: a file or a directory"},
    {.name = "validation", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "the validation channel"},
    {.name = "test", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "the test channel"},
    {.name = "content-type", .type = KILN_ARG_STR, .metavar = "T",
     .help = "the channels' content type (default: detected)"},
    {.name = "name", .type = KILN_ARG_STR, .metavar = "NAME",
     .help = "the tuning job's name, at most 32 characters (default "
             "<algorithm>-YYMMDD-HHMMSS-mmm)"},
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT,
     .help = "the output root: training jobs, and the record in "
             "DIR/tuning-jobs/NAME"},
    {.name = "threads", .type = KILN_ARG_INT, .metavar = "N",
     .help = "cores in all, shared by the parallel jobs (default: all)"},
    {0},
};

const kiln_magic kiln_magics_tune[] = {
    {
        .name = "tune",
        .kinds = KILN_MAGIC_CELL,
        .args = tune_args,
        .summary = "Run a hyperparameter tuning job in-process",
        .usage =
            "SageMaker's automatic model tuning: up to --max-jobs training "
            "jobs of ALGO, --max-parallel at a time, each with the static "
            "hyperparameters, the values the strategy picks for the ranges, "
            "and _tuning_objective_metric.  Body lines are static values "
            "`name = value` or ranges:\n"
            "  name = continuous(LOW, HIGH[, SCALING])\n"
            "  name = integer(LOW, HIGH[, SCALING])\n"
            "  name = categorical(A, B, ...)\n"
            "SCALING is auto (log when HIGH >= 100 LOW > 0), linear, log or "
            "reverse.  The training jobs are ordinary jobs under the output "
            "root (NAME-001-xxxxxxxx ...); the tuning job's record is "
            "DIR/tuning-jobs/NAME: describe.json "
            "(DescribeHyperParameterTuningJob), training-jobs.json and "
            "analytics.csv.  While it runs, a progress line and a chart of "
            "the objective by job update in place; at the end the top jobs "
            "and the objective by each parameter are shown.  %deploy, "
            "%predict and %transform take the tuning job's name for its best "
            "training job.\n\n"
            "  %%tune xgboost --objective validation:auc --max-jobs 20 "
            "--max-parallel 2 --train data/train --validation data/validation\n"
            "  num_round = 50\n"
            "  eta = continuous(0.01, 0.5, log)\n"
            "  max_depth = integer(2, 10)",
        .run = run_tune,
    },
    {0},
};
