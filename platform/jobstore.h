/* kiln — the jobs under an output root, read back from their files.
 *
 * Every training job leaves <root>/<name>/describe.json and metrics.csv
 * (job.h).  %jobs, %describe and %metrics read them back, so jobs of
 * earlier kernels (and of other processes) are listed like the current
 * kernel's.  A directory without a readable describe.json is not a job and
 * is skipped.
 *
 * Ownership: the lists and series returned are the caller's, freed with
 * the matching _free.  Threads: no shared state.
 */
#ifndef KILN_PLATFORM_JOBSTORE_H
#define KILN_PLATFORM_JOBSTORE_H

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kiln_job_summary {
    char *name;
    char *algorithm;      /* from the training image, "kmeans" */
    char *status;         /* TrainingJobStatus */
    char *secondary;      /* SecondaryStatus */
    char *created;        /* CreationTime, ISO 8601 */
    char *failure;        /* FailureReason or NULL */
    char *artifact;       /* ModelArtifacts.S3ModelArtifacts or NULL */
    char *tuning_job;     /* the tuning job (from TuningJobArn) or NULL */
    double created_at;    /* CreationTime in seconds since the epoch */
    double seconds;       /* TrainingEndTime - TrainingStartTime, or -1 */
    size_t nmetrics;      /* FinalMetricDataList */
    char **metric_names;
    double *metric_values;
} kiln_job_summary;

/* Every job under root, newest first.  A missing root is an empty list. */
int kiln_jobs_list(const char *root, kiln_job_summary **out, size_t *n,
                   kiln_error *err);
void kiln_jobs_list_free(kiln_job_summary *list, size_t n);

/* The directory of job `name` under root, checked to hold a describe.json
 * (a new string, free()).  KILN_KEY for an unknown job, naming close
 * matches. */
int kiln_jobs_find(const char *root, const char *name, char **dir,
                   kiln_error *err);

/* describe.json of job `name` (a new string, free()). */
int kiln_jobs_describe(const char *root, const char *name, char **json,
                       kiln_error *err);

/* One metric's values by step, from metrics.csv (final values, step -1,
 * are left out). */
typedef struct kiln_metric_series {
    char *name;
    size_t n;
    double *steps;
    double *values;
} kiln_metric_series;

/* Every metric of job `name` with its per-step values, in first-seen
 * order. */
int kiln_jobs_metrics(const char *root, const char *name,
                      kiln_metric_series **out, size_t *n, kiln_error *err);
void kiln_jobs_metrics_free(kiln_metric_series *s, size_t n);

/* Seconds since the epoch of an ISO 8601 UTC time as job records write
 * them ("2026-11-22T09:20:01.123000+00:00"); -1 when it is not one. */
double kiln_jobs_parse_time(const char *iso);

#endif
