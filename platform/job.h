/* kiln — training jobs: SageMaker's CreateTrainingJob, run in-process.
 *
 * A job has a name (`<algorithm>-YYYY-MM-DD-HH-MM-SS-mmm` by default, UTC,
 * as the SageMaker SDK names jobs), channels (train, validation, test:
 * files or directories with a content type), hyperparameters as strings,
 * and an output root.  kiln_job_run checks everything it can before any
 * work (the algorithm, the channels it accepts, the hyperparameters
 * against its schema, the job name), then creates the job's directory
 *
 *   <root>/<name>/describe.json        DescribeTrainingJob's fields
 *   <root>/<name>/metrics.csv          step,metric,value,time
 *   <root>/<name>/log.txt              the training log, SageMaker's lines
 *   <root>/<name>/output/model.tar.gz  the artifact (written atomically)
 *
 * and runs the job through SageMaker's statuses: TrainingJobStatus
 * InProgress → Completed | Failed | Stopped, with the secondary statuses
 * Starting → Downloading → Training → Uploading → Completed (or Failed,
 * Stopped), each recorded in SecondaryStatusTransitions with its start and
 * end times and SageMaker's status messages.  describe.json is rewritten
 * (atomically) at every transition, so another process reading it always
 * sees a whole record.
 *
 * Failure: the status is Failed and FailureReason (at most 1,024
 * characters, as SageMaker keeps) says why: "ClientError: ..." for what
 * the user can fix (data, hyperparameters the data shows wrong),
 * "AlgorithmError: ..." otherwise.  Interrupt (the cancel flag): the
 * algorithm stops within a second, the status is Stopped, and no
 * model.tar.gz is left.
 *
 * Ownership: kiln_job_run gives a new kiln_job (kiln_job_free).  Threads:
 * a job runs on the calling thread (the algorithm may use workers); the
 * events are called on that thread.
 */
#ifndef KILN_PLATFORM_JOB_H
#define KILN_PLATFORM_JOB_H

#include "algos/algo.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kiln_job kiln_job;

enum { KILN_JOB_MAX_CHANNELS = 8 };

typedef struct kiln_channel_spec {
    const char *name;         /* "train", "validation", "test" */
    const char *path;         /* a file or a directory */
    const char *content_type; /* NULL: sniffed; CSV channels of an
                                 unsupervised algorithm get label_size=0 */
} kiln_channel_spec;

/* Channels read once and shared by the jobs given the cache (a tuning
 * job's): a job takes a dense channel from it when it was read from the
 * same path with the same options, and reads (and adds) it otherwise;
 * sparse channels, whose width a job may widen, are each job's own.  The
 * datasets are read-only while shared.  Threads: any. */
typedef struct kiln_channel_cache kiln_channel_cache;
kiln_channel_cache *kiln_channel_cache_new(void); /* NULL: out of memory */
void kiln_channel_cache_free(kiln_channel_cache *c); /* no job may use it */

typedef struct kiln_job_events {
    void *data;
    void (*log)(void *data, const char *line);
    void (*metric)(void *data, const char *name, int64_t step, double value);
    void (*progress)(void *data, double done, const char *status);
    /* The job's status or secondary status changed (and describe.json was
     * rewritten). */
    void (*status)(void *data, const kiln_job *job);
} kiln_job_events;

typedef struct kiln_job_spec {
    const kiln_algo *algo;
    const char *name;        /* NULL: <algorithm>-<timestamp> */
    const char *output_root; /* NULL: "kiln-output" */
    kiln_channel_spec channels[KILN_JOB_MAX_CHANNELS];
    size_t nchannels;
    const char *const *hp_names; /* as strings, as in hyperparameters.json */
    const char *const *hp_values;
    size_t nhp;
    unsigned threads;        /* 0: every core */
    kiln_cancel *cancel;
    const kiln_job_events *events; /* may be NULL */
    const char *tuning_job;  /* the tuning job launching it (its
                                describe.json gets TuningJobArn), or NULL */
    kiln_channel_cache *cache; /* channels shared with other jobs, or NULL */
} kiln_job_spec;

/* Check spec and run the job to its end.
 *   - KILN_OK with *out set: the job ran; it may have Completed, Failed or
 *     been Stopped (see kiln_job_status); err is untouched.
 *   - another status, *out not set: nothing was started (KILN_USAGE for a
 *     channel or name the spec gets wrong, KILN_HYPERPARAMETER, KILN_IO
 *     when the job directory cannot be made, KILN_NOMEM). */
int kiln_job_run(const kiln_job_spec *spec, kiln_job **out, kiln_error *err);
void kiln_job_free(kiln_job *job);

const char *kiln_job_name(const kiln_job *job);
const kiln_algo *kiln_job_algo(const kiln_job *job);
/* "InProgress", "Completed", "Failed", "Stopped" */
const char *kiln_job_status(const kiln_job *job);
/* "Starting", "Downloading", "Training", "Uploading", "Completed",
 * "Failed", "Stopped" */
const char *kiln_job_secondary_status(const kiln_job *job);
/* The FailureReason, or NULL; and the kiln status behind it (KILN_DATA,
 * KILN_INTERRUPTED, ...), KILN_OK when the job did not fail. */
const char *kiln_job_failure(const kiln_job *job);
int kiln_job_failure_code(const kiln_job *job);
const char *kiln_job_dir(const kiln_job *job);
/* The path of output/model.tar.gz, or NULL when the job left none. */
const char *kiln_job_artifact(const kiln_job *job);
/* Seconds spent in Training (TrainingTimeInSeconds, fractional). */
double kiln_job_training_seconds(const kiln_job *job);

/* FinalMetricDataList: the last value of every metric, in first-seen
 * order. */
size_t kiln_job_metric_count(const kiln_job *job);
void kiln_job_metric(const kiln_job *job, size_t i, const char **name,
                     double *value);

/* The job's describe.json text (a new string, free()), or NULL when out of
 * memory. */
char *kiln_job_describe_json(const kiln_job *job);

/* Whether name is a valid SageMaker job name (1..63 of [a-zA-Z0-9-],
 * starting and ending with a letter or digit). */
bool kiln_job_name_valid(const char *name);

#endif
