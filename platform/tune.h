/* kiln — tuning jobs: SageMaker's CreateHyperParameterTuningJob, run
 * in-process (reference/sagemaker-contract.md §5).
 *
 * A tuning job runs up to max_jobs training jobs (job.h) of one algorithm,
 * max_parallel at a time on threads of this process, each with the static
 * hyperparameters, the tuned ones the strategy picks (as strings), and
 * `_tuning_objective_metric` = the objective's name, as SageMaker passes
 * it.  The cores are shared: each job gets cores / max_parallel threads
 * (at least one).  Training jobs are named `<tuning>-NNN-<8 hex>` as
 * SageMaker names them, are ordinary jobs under the output root (their
 * describe.json has TuningJobArn), and the tuning job's record is
 *
 *   <root>/tuning-jobs/<name>/describe.json      DescribeHyperParameter-
 *                                                TuningJob's fields
 *   <root>/tuning-jobs/<name>/training-jobs.json ListTrainingJobsFor-
 *                                                HyperParameterTuningJob's
 *                                                TrainingJobSummaries
 *   <root>/tuning-jobs/<name>/analytics.csv      the SDK's Hyperparameter-
 *                                                TuningJobAnalytics
 *                                                dataframe (one row a job)
 *
 * rewritten atomically whenever a training job starts or ends.
 *
 * Strategies:
 *   Random     every job's point drawn independently from the seed's
 *              stream, in job order: repeatable for a seed at any
 *              parallelism.
 *   Bayesian   tune_bayes.h; jobs still running count as pending.  The
 *              first two points are random.  Repeatable for a seed when
 *              max_parallel is 1 (otherwise the order in which parallel
 *              jobs finish changes what the surrogate sees).
 *   Grid       categorical ranges only; every combination once, in
 *              odometer order; max_jobs 0 or exactly the number of
 *              combinations (at most 750, SageMaker's limit).
 *   Hyperband  Random points, each assigned to a bracket of the plan for
 *              min..max resource (tune_rules.h, eta = 3) in turn; the
 *              resource hyperparameter (the algorithm's epochs, num_epochs
 *              or num_round) is set to max_resource, and at every rung but
 *              the last a job goes on only when its objective after that
 *              rung's resource is among the best ceil(k / 3) of the k jobs
 *              of its bracket that reached the rung (itself included):
 *              asynchronous successive halving, since an in-process job
 *              cannot be paused.  SageMaker does not publish its rules;
 *              this is kiln's decision.  Early stopping must be Off.
 *
 * The objective of a job is the last value of the objective metric it
 * emitted (FinalHyperParameterTuningJobObjectiveMetric).  The best
 * training job is the best objective among the Completed jobs (a stopped
 * job has no model to deploy), ties to the earlier job.
 *
 * Early stopping Auto: SageMaker's median rule (tune_rules.h) after every
 * step at which a job emits the objective, against the jobs started
 * before it; a job it stops ends with status Stopped, its objective being
 * the last value it emitted, and no model artifact.
 *
 * Warm start: up to 5 parent tuning jobs in a terminal state, with the
 * same algorithm and objective; their training jobs with an objective
 * whose tuned (or static) values fall inside this job's ranges seed the
 * Bayesian surrogate as finished observations (Random, Grid and Hyperband
 * ignore them).  IdenticalDataAndAlgorithm also asks for the same
 * channels and adds OverallBestTrainingJob, the best over this job and
 * its parents; TransferLearning allows other data.
 *
 * Interrupt (spec.cancel): every running job is stopped within a second,
 * no new job starts, and the tuning job ends Stopped with a whole record.
 * The tuning job ends Completed otherwise, or Failed with a FailureReason
 * when no training job produced an objective.
 *
 * Ownership: kiln_tuning_run gives a new kiln_tuning (kiln_tuning_free).
 * Threads: kiln_tuning_run runs the jobs on threads of its own and calls
 * the events on the calling thread only.
 */
#ifndef KILN_PLATFORM_TUNE_H
#define KILN_PLATFORM_TUNE_H

#include "job.h"
#include "tune_space.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kiln_tune_strategy {
    KILN_TUNE_BAYESIAN,
    KILN_TUNE_RANDOM,
    KILN_TUNE_GRID,
    KILN_TUNE_HYPERBAND,
} kiln_tune_strategy;

typedef enum kiln_warm_start {
    KILN_WARM_NONE,
    KILN_WARM_IDENTICAL, /* IdenticalDataAndAlgorithm */
    KILN_WARM_TRANSFER,  /* TransferLearning */
} kiln_warm_start;

enum { KILN_TUNE_MAX_PARENTS = 5, KILN_TUNE_MAX_JOBS = 10000,
       KILN_TUNE_MAX_PARALLEL = 100, KILN_TUNE_NAME_MAX = 32 };

typedef struct kiln_tuning kiln_tuning;

/* One training job of a tuning job, as the events and accessors see it. */
typedef struct kiln_tune_trial {
    char name[64];
    const char *status;   /* "Pending" (not started yet), "InProgress",
                             "Completed", "Failed", "Stopped" (static) */
    bool early_stopped;   /* stopped by the median rule or Hyperband */
    double objective;     /* the last value emitted; NaN when none */
    double values[KILN_TUNE_MAX_RANGES]; /* the tuned values by range
                                            (categorical: the index) */
    double start, end;    /* wall-clock seconds; 0 when not yet */
    char failure[256];    /* a failed job's reason, "" otherwise */
    int bracket;          /* Hyperband's bracket, else -1 */
    size_t steps;         /* objective values seen by step */
} kiln_tune_trial;

typedef struct kiln_tune_events {
    void *data;
    /* Something changed (a job started, ended or emitted its objective);
     * called at most every 250 ms and once at the end, on the calling
     * thread, with the state stable for the call (do not call
     * kiln_tuning_run from it). */
    void (*update)(void *data, const kiln_tuning *t);
} kiln_tune_events;

typedef struct kiln_tune_spec {
    const kiln_algo *algo;
    const char *name;        /* NULL: <algorithm>-YYMMDD-HHMMSS-mmm */
    const char *output_root; /* NULL: "kiln-output" */
    kiln_channel_spec channels[KILN_JOB_MAX_CHANNELS];
    size_t nchannels;
    const char *const *static_names; /* static hyperparameters */
    const char *const *static_values;
    size_t nstatic;
    const kiln_space *space;  /* the tuned ranges (borrowed) */
    const char *objective;    /* a metric of the algorithm */
    int maximize;             /* 1, 0, or -1: the metric's direction */
    kiln_tune_strategy strategy;
    size_t max_jobs;          /* 0: Grid's combinations (other strategies
                                 need it) */
    size_t max_parallel;      /* >= 1 */
    bool early_stopping;      /* TrainingJobEarlyStoppingType Auto */
    bool seeded;              /* seed given (else drawn and recorded) */
    uint64_t seed;
    double min_resource, max_resource; /* Hyperband; max 0: the static
                                          resource hyperparameter */
    kiln_warm_start warm_start;
    const char *const *parents; /* tuning job names */
    size_t nparents;
    unsigned threads;           /* cores in all; 0: every core */
    kiln_cancel *cancel;
    const kiln_tune_events *events; /* may be NULL */
} kiln_tune_spec;

/* Check spec and run the tuning job to its end.
 *   - KILN_OK with *out set: it ran (Completed, Stopped or Failed: see
 *     kiln_tuning_status); err untouched.
 *   - otherwise nothing ran and err says what the definition gets wrong
 *     (KILN_USAGE, KILN_HYPERPARAMETER naming the hyperparameter or
 *     range, KILN_KEY for an unknown parent, KILN_IO, KILN_NOMEM). */
int kiln_tuning_run(const kiln_tune_spec *spec, kiln_tuning **out,
                    kiln_error *err);
void kiln_tuning_free(kiln_tuning *t);

const char *kiln_tuning_name(const kiln_tuning *t);
/* "InProgress", "Completed", "Stopped", "Failed" */
const char *kiln_tuning_status(const kiln_tuning *t);
const char *kiln_tuning_failure(const kiln_tuning *t); /* or NULL */
const char *kiln_tuning_objective(const kiln_tuning *t);
bool kiln_tuning_maximize(const kiln_tuning *t);
const kiln_space *kiln_tuning_space(const kiln_tuning *t);
const char *kiln_tuning_dir(const kiln_tuning *t);
size_t kiln_tuning_max_jobs(const kiln_tuning *t);
/* The trials so far, in job order (started or not). */
size_t kiln_tuning_trial_count(const kiln_tuning *t);
const kiln_tune_trial *kiln_tuning_trial(const kiln_tuning *t, size_t i);
/* The index of the best Completed trial, or -1. */
long kiln_tuning_best(const kiln_tuning *t);
/* Trial i's objective by step (the values it emitted per epoch or round,
 * NaN where it emitted none), n values; once kiln_tuning_run has
 * returned. */
const double *kiln_tuning_curve(const kiln_tuning *t, size_t i, size_t *n);

/* ---- tuning jobs under an output root, read back from their files ---- */

/* describe.json (or training-jobs.json) of tuning job `name` as JSON text
 * (new, free()); KILN_KEY for an unknown tuning job. */
int kiln_tuning_describe(const char *root, const char *name, char **json,
                         kiln_error *err);
int kiln_tuning_jobs(const char *root, const char *name, char **json,
                     kiln_error *err);
/* The name of its BestTrainingJob (new, free()): what the SDK's
 * tuner.deploy() and best_training_job() use.  KILN_KEY when it has
 * none. */
int kiln_tuning_best_job(const char *root, const char *name, char **job,
                         kiln_error *err);
/* The tuning jobs under root, newest first (a NULL-terminated array of new
 * strings, kiln_strv_free(names, n)).  A missing directory is none. */
int kiln_tunings_list(const char *root, char ***names, size_t *n,
                      kiln_error *err);

/* Whether name is a valid tuning job name (1..32 of [a-zA-Z0-9-],
 * starting and ending with a letter or digit). */
bool kiln_tuning_name_valid(const char *name);

/* "Bayesian", "Random", "Grid", "Hyperband"; and back (case-insensitive),
 * -1 for another word. */
const char *kiln_tune_strategy_name(kiln_tune_strategy s);
int kiln_tune_strategy_parse(const char *word);

#endif
