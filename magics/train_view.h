/* kiln — the live view of a training job in a cell.
 *
 * While a job runs, the cell shows one progress line (text/plain and
 * text/html, display_id "<id>-progress") and, from the first metric
 * reported per epoch or round, one chart of every metric by step
 * (image/png at 2x with its CSS size, display_id "<id>-chart").  Both are
 * published once and then updated in place, at most every 250 ms, so a
 * fast job does not flood the front end; the last state is always
 * published at the end, so nbconvert keeps the final chart.  At the end a
 * summary table (job, status, training time, final metrics, artifact)
 * follows.
 *
 * Ownership: kiln_train_view_new/free.  Threads: the job's events come on
 * the cell's thread, which owns the view.
 */
#ifndef KILN_MAGICS_TRAIN_VIEW_H
#define KILN_MAGICS_TRAIN_VIEW_H

#include "platform/job.h"
#include "plotting/chart.h"

#include "core/sink.h"

#include <stdbool.h>

typedef struct kiln_train_view kiln_train_view;

typedef struct kiln_train_view_opts {
    bool stream_logs; /* log lines to stdout as they come */
    bool log_y;       /* the chart's y axis logarithmic */
} kiln_train_view_opts;

/* NULL when out of memory.  sink is borrowed for the view's life. */
kiln_train_view *kiln_train_view_new(const kiln_sink *sink,
                                     const kiln_train_view_opts *opts);
void kiln_train_view_free(kiln_train_view *v);

/* The events to give kiln_job_run (borrowed from the view). */
const kiln_job_events *kiln_train_view_events(kiln_train_view *v);

/* Publish the final progress line and chart and the summary table. */
void kiln_train_view_finish(kiln_train_view *v, const kiln_job *job);

/* A chart of metric series (name, steps, values) by x_label (the
 * algorithm's step: "epoch", "round") as a display bundle
 * (image/png with its size, text/plain); *out is new.  Progress and
 * throughput metrics ("train:progress", "train:throughput") are left out:
 * their scales would flatten the losses.  Used by %metrics too. */
int kiln_metrics_chart(const char *title, const char *x_label,
                       const char *const *names,
                       const double *const *steps,
                       const double *const *values, const size_t *counts,
                       size_t nseries, bool log_y, kiln_bundle **out);

/* A horizontal bar chart of labelled values (XGBoost's feature importance
 * by %describe), bars in the order given; *out is new (image/png with its
 * size, text/plain). */
int kiln_bars_chart(const char *title, const char *x_label,
                    const char *const *labels, const double *values,
                    size_t n, kiln_bundle **out);

/* A chart drawn as a display bundle: PNG at 2x with its CSS size, and the
 * text twin. */
int kiln_chart_bundle(const kiln_chart *c, const char *text,
                      kiln_bundle **out);

#endif
