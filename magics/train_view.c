/* kiln — a training job's progress line, live chart and summary. */
#include "train_view.h"

#include "table.h"

#include "plotting/chart.h"

#include "core/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define UPDATE_SECONDS 0.25
#define CHART_W 640
#define CHART_H 320

typedef struct series {
    char *name;
    double *x, *y;
    size_t n, cap;
} series;

struct kiln_train_view {
    const kiln_sink *sink;
    kiln_train_view_opts opts;
    kiln_job_events events;
    char job[64];
    const char *step;    /* the algorithm's step: "epoch", "round" */
    char status[32];     /* secondary status */
    char note[128];      /* the algorithm's progress status ("epoch 3/15") */
    double done;         /* 0..1 */
    double t0;           /* when the view started (monotonic) */
    double last_progress, last_chart;
    bool progress_shown, chart_shown, chart_dirty;
    char progress_id[96], chart_id[96];
    series *series;
    size_t nseries;
};

static unsigned view_counter;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the progress line --------------------------------------------------- */

static int progress_bundle(const kiln_train_view *v, kiln_bundle **out)
{
    char bar[32];
    int width = 24, filled = (int)(v->done * width + 0.5);
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    double elapsed = mono() - v->t0;
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    int rc = kiln_buf_printf(&text, "%s  %-11s [%s] %3.0f%%  %s  %.1f s",
                             v->job, v->status, bar, v->done * 100, v->note,
                             elapsed);
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "<div style=\"font-family:monospace\"><b>");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, v->job, strlen(v->job));
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&html,
                             "</b> %s <progress value=\"%.3f\" max=\"1\" "
                             "style=\"width:16em;vertical-align:middle\">"
                             "</progress> %.0f%% ",
                             v->status, v->done, v->done * 100);
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, v->note, strlen(v->note));
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&html, " &middot; %.1f s</div>", elapsed);
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (b == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/html", kiln_buf_str(&html));
    kiln_buf_fini(&text);
    kiln_buf_fini(&html);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return rc;
    }
    *out = b;
    return KILN_OK;
}

static void show_progress(kiln_train_view *v, bool force)
{
    double now = mono();
    if (!force && v->progress_shown && now - v->last_progress < UPDATE_SECONDS)
        return;
    kiln_bundle *b = NULL;
    if (progress_bundle(v, &b) != KILN_OK)
        return; /* out of memory: the line is not updated, the job goes on */
    if (v->progress_shown)
        kiln_sink_update_display(v->sink, b, v->progress_id);
    else
        kiln_sink_display(v->sink, b, v->progress_id);
    v->progress_shown = true;
    v->last_progress = now;
    kiln_bundle_free(b);
}

/* ---- the chart ------------------------------------------------------------ */

/* Whether a metric is drawn: not "...:progress" nor "...:throughput". */
static bool charted(const char *name)
{
    const char *colon = strrchr(name, ':');
    const char *base = colon ? colon + 1 : name;
    return strcmp(base, "progress") != 0 && strcmp(base, "throughput") != 0;
}

int kiln_metrics_chart(const char *title, const char *x_label,
                       const char *const *names,
                       const double *const *steps,
                       const double *const *values, const size_t *counts,
                       size_t nseries, bool log_y, kiln_bundle **out)
{
    /* Progress and throughput are bookkeeping, on scales that would flatten
     * the losses: charted are the quality metrics. */
    size_t shown = 0, first = 0;
    for (size_t i = 0; i < nseries; i++)
        if (charted(names[i]) && shown++ == 0)
            first = i;
    kiln_chart_opts o = {.kind = KILN_CHART_LINE,
                         .title = title,
                         .x_label = x_label ? x_label : "epoch",
                         .y_label = shown == 1 ? names[first] : "value",
                         .y_log = log_y,
                         .x_integer = true,
                         .width = CHART_W,
                         .height = CHART_H};
    kiln_chart *c = kiln_chart_new(&o);
    if (c == NULL)
        return KILN_NOMEM;
    int rc = KILN_OK;
    for (size_t i = 0; i < nseries && rc == KILN_OK; i++)
        if (charted(names[i]) &&
            kiln_chart_add_series(c, names[i], steps[i], values[i],
                                  counts[i]) < 0)
            rc = KILN_NOMEM;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    if (rc == KILN_OK)
        rc = kiln_chart_png(c, 2, &png, &w, &h, &err);
    kiln_chart_free(c);
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && b == NULL)
        rc = KILN_NOMEM;
    char text[256];
    snprintf(text, sizeof text, "<chart: %s, %zu metric%s>",
             title ? title : "metrics", shown, shown == 1 ? "" : "s");
    if (rc == KILN_OK)
        rc = kiln_bundle_add_binary(b, "image/png", png.data, png.len);
    if (rc == KILN_OK)
        rc = kiln_bundle_set_image_size(b, "image/png", w, h);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", text);
    kiln_buf_fini(&png);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return rc;
    }
    *out = b;
    return KILN_OK;
}

int kiln_chart_bundle(const kiln_chart *c, const char *text,
                      kiln_bundle **out)
{
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    int rc = kiln_chart_png(c, 2, &png, &w, &h, &err);
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && b == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_binary(b, "image/png", png.data, png.len);
    if (rc == KILN_OK)
        rc = kiln_bundle_set_image_size(b, "image/png", w, h);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", text);
    kiln_buf_fini(&png);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return rc;
    }
    *out = b;
    return KILN_OK;
}

int kiln_bars_chart(const char *title, const char *x_label,
                    const char *const *labels, const double *values,
                    size_t n, kiln_bundle **out)
{
    kiln_chart_opts o = {.kind = KILN_CHART_BARH, .title = title,
                         .x_label = x_label, .width = CHART_W};
    kiln_chart *c = kiln_chart_new(&o);
    if (c == NULL)
        return KILN_NOMEM;
    int rc = kiln_chart_set_bars(c, labels, values, n);
    char text[256];
    snprintf(text, sizeof text, "<chart: %s, %zu bars>",
             title ? title : "bars", n);
    if (rc == KILN_OK)
        rc = kiln_chart_bundle(c, text, out);
    kiln_chart_free(c);
    return rc;
}

static void show_chart(kiln_train_view *v, bool force)
{
    if (v->nseries == 0 || !v->chart_dirty)
        return;
    double now = mono();
    if (!force && v->chart_shown && now - v->last_chart < UPDATE_SECONDS)
        return;
    const char *names[64];
    const double *xs[64], *ys[64];
    size_t counts[64];
    size_t n = v->nseries < 64 ? v->nseries : 64;
    for (size_t i = 0; i < n; i++) {
        names[i] = v->series[i].name;
        xs[i] = v->series[i].x;
        ys[i] = v->series[i].y;
        counts[i] = v->series[i].n;
    }
    kiln_bundle *b = NULL;
    if (kiln_metrics_chart(v->job, v->step, names, xs, ys, counts, n,
                           v->opts.log_y,
                           &b) != KILN_OK)
        return;
    if (v->chart_shown)
        kiln_sink_update_display(v->sink, b, v->chart_id);
    else
        kiln_sink_display(v->sink, b, v->chart_id);
    v->chart_shown = true;
    v->chart_dirty = false;
    v->last_chart = now;
    kiln_bundle_free(b);
}

static void add_point(kiln_train_view *v, const char *name, double x,
                      double y)
{
    size_t i = 0;
    while (i < v->nseries && strcmp(v->series[i].name, name) != 0)
        i++;
    if (i == v->nseries) {
        series *s = realloc(v->series, (v->nseries + 1) * sizeof *s);
        if (s == NULL)
            return;
        v->series = s;
        memset(&s[i], 0, sizeof s[i]);
        if ((s[i].name = strdup(name)) == NULL)
            return;
        v->nseries++;
    }
    series *s = &v->series[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        double *x2 = realloc(s->x, cap * sizeof *x2);
        if (x2 == NULL)
            return;
        s->x = x2;
        double *y2 = realloc(s->y, cap * sizeof *y2);
        if (y2 == NULL)
            return;
        s->y = y2;
        s->cap = cap;
    }
    s->x[s->n] = x;
    s->y[s->n] = y;
    s->n++;
    v->chart_dirty = true;
}

/* ---- events ---------------------------------------------------------------- */

static void on_log(void *data, const char *line)
{
    kiln_train_view *v = data;
    if (v->opts.stream_logs)
        kiln_sink_printf(v->sink, KILN_STDOUT, "%s\n", line);
}

static void on_metric(void *data, const char *name, int64_t step,
                      double value)
{
    kiln_train_view *v = data;
    if (step < 0)
        return; /* a final value: in the summary */
    add_point(v, name, (double)step, value);
    show_chart(v, false);
}

static void on_progress(void *data, double done, const char *status)
{
    kiln_train_view *v = data;
    v->done = done;
    snprintf(v->note, sizeof v->note, "%s", status);
    show_progress(v, false);
}

static void on_status(void *data, const kiln_job *job)
{
    kiln_train_view *v = data;
    snprintf(v->job, sizeof v->job, "%s", kiln_job_name(job));
    v->step = kiln_job_algo(job)->step;
    snprintf(v->status, sizeof v->status, "%s",
             kiln_job_secondary_status(job));
    if (strcmp(v->status, "Training") == 0)
        v->note[0] = '\0';
    show_progress(v, true);
}

kiln_train_view *kiln_train_view_new(const kiln_sink *sink,
                                     const kiln_train_view_opts *opts)
{
    kiln_train_view *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    v->sink = sink;
    v->opts = *opts;
    v->events = (kiln_job_events){.data = v,
                                  .log = on_log,
                                  .metric = on_metric,
                                  .progress = on_progress,
                                  .status = on_status};
    v->t0 = mono();
    unsigned id = ++view_counter;
    snprintf(v->progress_id, sizeof v->progress_id, "kiln-train-%u-%ld-progress",
             id, (long)time(NULL));
    snprintf(v->chart_id, sizeof v->chart_id, "kiln-train-%u-%ld-chart", id,
             (long)time(NULL));
    return v;
}

void kiln_train_view_free(kiln_train_view *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->nseries; i++) {
        free(v->series[i].name);
        free(v->series[i].x);
        free(v->series[i].y);
    }
    free(v->series);
    free(v);
}

const kiln_job_events *kiln_train_view_events(kiln_train_view *v)
{
    return &v->events;
}

/* ---- the summary ------------------------------------------------------------- */

static int summary(const kiln_job *job, kiln_bundle **out)
{
    kiln_table *t = kiln_table_new(2, (const char *const[]){"", "value"});
    if (t == NULL)
        return KILN_NOMEM;
    char seconds[64];
    snprintf(seconds, sizeof seconds, "%.3f s",
             kiln_job_training_seconds(job));
    int rc = kiln_table_add(t, (const char *const[]){"job", kiln_job_name(job)});
    if (rc == KILN_OK)
        rc = kiln_table_add(t, (const char *const[]){
                                   "algorithm", kiln_job_algo(job)->name});
    if (rc == KILN_OK)
        rc = kiln_table_add(t,
                            (const char *const[]){"status", kiln_job_status(job)});
    if (rc == KILN_OK)
        rc = kiln_table_add(t, (const char *const[]){"training time", seconds});
    for (size_t i = 0; rc == KILN_OK && i < kiln_job_metric_count(job); i++) {
        const char *name;
        double value;
        kiln_job_metric(job, i, &name, &value);
        char text[64];
        snprintf(text, sizeof text, "%.6g", value);
        rc = kiln_table_add(t, (const char *const[]){name, text});
    }
    if (rc == KILN_OK && kiln_job_failure(job))
        rc = kiln_table_add(t, (const char *const[]){"failure reason",
                                                     kiln_job_failure(job)});
    if (rc == KILN_OK)
        rc = kiln_table_add(t, (const char *const[]){
                                   "artifact", kiln_job_artifact(job)
                                                   ? kiln_job_artifact(job)
                                                   : "(none)"});
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && b == NULL)
        rc = KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_table_to_bundle(t, b);
    kiln_table_free(t);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return rc;
    }
    *out = b;
    return KILN_OK;
}

void kiln_train_view_finish(kiln_train_view *v, const kiln_job *job)
{
    snprintf(v->job, sizeof v->job, "%s", kiln_job_name(job));
    snprintf(v->status, sizeof v->status, "%s", kiln_job_secondary_status(job));
    if (strcmp(kiln_job_status(job), "Completed") == 0)
        v->done = 1;
    snprintf(v->note, sizeof v->note, "%s", kiln_job_status(job));
    show_progress(v, true);
    v->chart_dirty = v->chart_dirty || !v->chart_shown;
    show_chart(v, true);
    kiln_bundle *b = NULL;
    if (summary(job, &b) == KILN_OK) {
        kiln_sink_display(v->sink, b, NULL);
        kiln_bundle_free(b);
    }
}
