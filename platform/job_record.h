/* kiln — the training job's record: the struct behind kiln_job (shared by
 * job.c, which runs a job, and job_record.c, which keeps and describes
 * it).  Internal to platform/. */
#ifndef KILN_PLATFORM_JOB_RECORD_H
#define KILN_PLATFORM_JOB_RECORD_H

#include "job.h"

#include "algos/data/dataset.h"
#include "algos/hparams.h"

#include <jansson.h>
#include <stdio.h>

#define KILN__JOB_MAX_TRANSITIONS 16

typedef struct kiln__job_transition {
    const char *status;  /* static */
    const char *message; /* static */
    double start, end;   /* wall-clock seconds; end 0 while current */
} kiln__job_transition;

typedef struct kiln__job_metric {
    char *name;
    double value;
    double time;
} kiln__job_metric;

typedef struct kiln__job_channel {
    char *name, *path, *content_type; /* content_type may be NULL */
} kiln__job_channel;

struct kiln_job {
    const kiln_algo *algo;
    char name[64];
    char tuning[64];  /* the tuning job's name, "" when none */
    char *root;     /* absolute */
    char *dir;      /* root/name */
    kiln_hparams *hp;
    kiln__job_channel channels[KILN_JOB_MAX_CHANNELS];
    size_t nchannels;
    const char *status;    /* static */
    const char *secondary; /* static */
    char failure[1025];    /* FailureReason, "" when none */
    int failure_code;
    char *artifact;        /* NULL until packed */
    char *report;          /* the algorithm's report (a JSON object whose
                              members join describe.json), or NULL */
    double created, start, end, modified, train_start, train_end;
    kiln__job_transition transitions[KILN__JOB_MAX_TRANSITIONS];
    size_t ntransitions;
    kiln__job_metric *metrics;
    size_t nmetrics, metrics_cap;
    FILE *log, *metrics_csv;
    kiln_dataset *data[3]; /* train, validation, test while running */
    bool shared[3];        /* data[s] belongs to a kiln_channel_cache */
    unsigned threads;
    const kiln_job_events *events;
};

/* A job record in status InProgress, taking ownership of hp (also on
 * failure: NULL when out of memory, hp freed). */
kiln_job *kiln__job_new(const kiln_algo *a, const char *name,
                        const char *root, kiln_hparams *hp,
                        const kiln_job_spec *spec);

/* Set the last value of a metric (FinalMetricDataList). */
void kiln__job_metric_set(kiln_job *job, const char *name, double value,
                          double time);

/* A local SageMaker ARN, the name in lower case as SageMaker spells
 * it: "arn:aws:sagemaker:local:000000000000:<kind>/<name>". */
json_t *kiln__arn(const char *kind, const char *name);
/* t as an ISO 8601 JSON string (kiln__job_iso_time). */
json_t *kiln__iso_json(double t);

/* A job name "<prefix>-<UTC time>-<ms>" not yet taken in directory
 * parent, one millisecond later while it is: the prefix cut to
 * prefix_max characters; the time "YYYY-MM-DD-HH-MM-SS" (training jobs,
 * as the SDK names them) or, short, "YYMMDD-HHMMSS" (tuning jobs, whose
 * names are at most 32 characters). */
void kiln__stamped_name(const char *parent, const char *prefix,
                        int prefix_max, bool short_stamp, char *out,
                        size_t size);

/* An InputDataConfig entry: channel name, its path as a file:// S3Uri
 * (FullyReplicated S3Prefix), the content type when given. */
json_t *kiln__channel_json(const char *name, const char *path,
                           const char *content_type);

/* OutputDataConfig (root as the file:// S3OutputPath), ResourceConfig
 * and StoppingCondition of a local job, set in record d. */
void kiln__job_config_json(json_t *d, const char *root);

/* Whether name is a SageMaker job name of at most max characters:
 * letters, digits and hyphens, starting and ending with a letter or
 * digit. */
bool kiln__name_valid(const char *name, size_t max);

/* Wall-clock seconds since the epoch (CLOCK_REALTIME). */
double kiln__wall_now(void);

/* path made absolute (realpath; path itself when it does not exist yet),
 * a new string; NULL when out of memory. */
char *kiln__absolute(const char *path);

/* ISO 8601 UTC with microseconds, as the AWS CLI prints times:
 * "2026-11-22T09:20:01.123000+00:00". */
void kiln__job_iso_time(double t, char out[64]);

#endif
