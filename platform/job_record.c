/* kiln — the training job's record and its DescribeTrainingJob shape. */
#include "job_record.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

double kiln__wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

char *kiln__absolute(const char *path)
{
    char *real = realpath(path, NULL);
    return real != NULL ? real : strdup(path);
}

kiln_job *kiln__job_new(const kiln_algo *a, const char *name,
                        const char *root, kiln_hparams *hp,
                        const kiln_job_spec *spec)
{
    kiln_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        kiln_hparams_free(hp);
        return NULL;
    }
    job->algo = a;
    job->hp = hp;
    snprintf(job->name, sizeof job->name, "%s", name);
    if (spec->tuning_job != NULL)
        snprintf(job->tuning, sizeof job->tuning, "%s", spec->tuning_job);
    job->root = kiln__absolute(root);
    size_t len = job->root ? strlen(job->root) + strlen(name) + 2 : 0;
    job->dir = len ? malloc(len) : NULL;
    if (job->dir != NULL)
        snprintf(job->dir, len, "%s/%s", job->root, name);
    bool ok = job->root != NULL && job->dir != NULL;
    for (size_t i = 0; ok && i < spec->nchannels; i++) {
        const kiln_channel_spec *c = &spec->channels[i];
        kiln__job_channel *d = &job->channels[job->nchannels++];
        d->name = strdup(c->name);
        d->path = kiln__absolute(c->path);
        d->content_type = c->content_type ? strdup(c->content_type) : NULL;
        ok = d->name && d->path && (!c->content_type || d->content_type);
    }
    job->status = "InProgress";
    job->secondary = "Starting";
    job->created = job->modified = kiln__wall_now();
    if (!ok) {
        kiln_job_free(job);
        return NULL;
    }
    return job;
}

void kiln_job_free(kiln_job *job)
{
    if (job == NULL)
        return;
    kiln_hparams_free(job->hp);
    for (size_t i = 0; i < job->nchannels; i++) {
        free(job->channels[i].name);
        free(job->channels[i].path);
        free(job->channels[i].content_type);
    }
    for (size_t i = 0; i < job->nmetrics; i++)
        free(job->metrics[i].name);
    free(job->metrics);
    for (int s = 0; s < 3; s++)
        kiln_dataset_free(job->data[s]);
    if (job->log)
        fclose(job->log);
    if (job->metrics_csv)
        fclose(job->metrics_csv);
    free(job->artifact);
    free(job->report);
    free(job->root);
    free(job->dir);
    free(job);
}

void kiln__job_metric_set(kiln_job *job, const char *name, double value,
                          double time)
{
    for (size_t i = 0; i < job->nmetrics; i++)
        if (strcmp(job->metrics[i].name, name) == 0) {
            job->metrics[i].value = value;
            job->metrics[i].time = time;
            return;
        }
    if (job->nmetrics == job->metrics_cap) {
        size_t cap = job->metrics_cap ? job->metrics_cap * 2 : 16;
        kiln__job_metric *m = realloc(job->metrics, cap * sizeof *m);
        if (m == NULL)
            return; /* the metric stays in metrics.csv and the log */
        job->metrics = m;
        job->metrics_cap = cap;
    }
    char *copy = strdup(name);
    if (copy == NULL)
        return;
    job->metrics[job->nmetrics++] =
        (kiln__job_metric){.name = copy, .value = value, .time = time};
}

void kiln__job_iso_time(double t, char out[64])
{
    time_t secs = (time_t)floor(t);
    int micros = (int)((t - (double)secs) * 1e6);
    if (micros > 999999 || micros < 0)
        micros = 999999;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 64, "%s.%06d+00:00", stamp, micros);
}

/* ---- accessors ----------------------------------------------------------- */

const char *kiln_job_name(const kiln_job *job) { return job->name; }
const kiln_algo *kiln_job_algo(const kiln_job *job) { return job->algo; }
const char *kiln_job_status(const kiln_job *job) { return job->status; }
const char *kiln_job_secondary_status(const kiln_job *job)
{
    return job->secondary;
}
const char *kiln_job_failure(const kiln_job *job)
{
    return job->failure[0] ? job->failure : NULL;
}
int kiln_job_failure_code(const kiln_job *job) { return job->failure_code; }
const char *kiln_job_dir(const kiln_job *job) { return job->dir; }
const char *kiln_job_artifact(const kiln_job *job) { return job->artifact; }

double kiln_job_training_seconds(const kiln_job *job)
{
    if (job->train_start == 0)
        return 0;
    double end = job->train_end != 0 ? job->train_end : kiln__wall_now();
    return end - job->train_start;
}

size_t kiln_job_metric_count(const kiln_job *job) { return job->nmetrics; }

void kiln_job_metric(const kiln_job *job, size_t i, const char **name,
                     double *value)
{
    *name = i < job->nmetrics ? job->metrics[i].name : NULL;
    *value = i < job->nmetrics ? job->metrics[i].value : NAN;
}

/* ---- describe.json ------------------------------------------------------- */

json_t *kiln__iso_json(double t)
{
    char s[64];
    kiln__job_iso_time(t, s);
    return json_string(s);
}

static json_t *file_uri(const char *path)
{
    size_t len = strlen(path) + 8;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    snprintf(s, len, "file://%s", path);
    json_t *j = json_string(s);
    free(s);
    return j;
}

bool kiln__name_valid(const char *name, size_t max)
{
    size_t n = strlen(name);
    if (n == 0 || n > max || name[0] == '-' || name[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

json_t *kiln__channel_json(const char *name, const char *path,
                           const char *content_type)
{
    json_t *ch = json_object(), *ds = json_object(), *s3 = json_object();
    json_object_set_new(s3, "S3DataType", json_string("S3Prefix"));
    json_object_set_new(s3, "S3Uri", file_uri(path));
    json_object_set_new(s3, "S3DataDistributionType",
                        json_string("FullyReplicated"));
    json_object_set_new(ds, "S3DataSource", s3);
    json_object_set_new(ch, "ChannelName", json_string(name));
    json_object_set_new(ch, "DataSource", ds);
    if (content_type)
        json_object_set_new(ch, "ContentType", json_string(content_type));
    json_object_set_new(ch, "CompressionType", json_string("None"));
    json_object_set_new(ch, "RecordWrapperType", json_string("None"));
    return ch;
}

void kiln__job_config_json(json_t *d, const char *root)
{
    json_t *out = json_object();
    json_object_set_new(out, "KmsKeyId", json_string(""));
    json_object_set_new(out, "S3OutputPath", file_uri(root));
    json_object_set_new(d, "OutputDataConfig", out);
    json_t *res = json_object();
    json_object_set_new(res, "InstanceType", json_string("local"));
    json_object_set_new(res, "InstanceCount", json_integer(1));
    json_object_set_new(res, "VolumeSizeInGB", json_integer(0));
    json_object_set_new(d, "ResourceConfig", res);
    json_t *stop = json_object();
    json_object_set_new(stop, "MaxRuntimeInSeconds", json_integer(86400));
    json_object_set_new(d, "StoppingCondition", stop);
}

void kiln__stamped_name(const char *parent, const char *prefix,
                        int prefix_max, bool short_stamp, char *out,
                        size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    for (int tries = 0; tries < 1000; tries++, ms++) {
        time_t secs = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        char stamp[24], name[128];
        if (short_stamp)
            snprintf(stamp, sizeof stamp, "%02u%02u%02u-%02u%02u%02u",
                     (unsigned)tm.tm_year % 100u, (unsigned)tm.tm_mon % 100u + 1,
                     (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
                     (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
        else
            strftime(stamp, sizeof stamp, "%Y-%m-%d-%H-%M-%S", &tm);
        snprintf(name, sizeof name, "%.*s-%s-%03u", prefix_max, prefix, stamp,
                 (unsigned)(ms % 1000));
        size_t len = strlen(name) < size ? strlen(name) : size - 1;
        memcpy(out, name, len);
        out[len] = '\0';
        char path[4300];
        snprintf(path, sizeof path, "%s/%s", parent, out);
        struct stat st;
        if (stat(path, &st) != 0)
            return;
    }
}

/* Lower-case, as SageMaker's ARNs spell job names. */
json_t *kiln__arn(const char *kind, const char *name)
{
    char lower[64], s[160];
    size_t i = 0;
    for (; name[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32
                                                           : name[i]);
    lower[i] = '\0';
    snprintf(s, sizeof s,
             "arn:aws:sagemaker:local:000000000000:%s/%s", kind, lower);
    return json_string(s);
}

static json_t *arn(const char *name)
{
    return kiln__arn("training-job", name);
}

static json_t *whole_seconds(double s)
{
    return json_integer(s > 0 ? (json_int_t)ceil(s) : 0);
}

static json_t *describe(const kiln_job *job)
{
    const kiln_algo *a = job->algo;
    json_t *d = json_object();
    if (d == NULL)
        return NULL;
    json_object_set_new(d, "TrainingJobName", json_string(job->name));
    json_object_set_new(d, "TrainingJobArn", arn(job->name));
    if (job->tuning[0])
        json_object_set_new(d, "TuningJobArn",
                            kiln__arn("hyper-parameter-tuning-job", job->tuning));
    if (job->artifact) {
        json_t *m = json_object();
        json_object_set_new(m, "S3ModelArtifacts", file_uri(job->artifact));
        json_object_set_new(d, "ModelArtifacts", m);
    }
    json_object_set_new(d, "TrainingJobStatus", json_string(job->status));
    json_object_set_new(d, "SecondaryStatus", json_string(job->secondary));
    if (job->failure[0])
        json_object_set_new(d, "FailureReason", json_string(job->failure));
    json_t *hps = json_object();
    for (size_t i = 0; i < kiln_hparams_count(job->hp); i++) {
        const char *k, *v;
        kiln_hparams_get(job->hp, i, &k, &v);
        json_object_set_new(hps, k, json_string(v));
    }
    json_object_set_new(d, "HyperParameters", hps);

    json_t *alg = json_object();
    char image[128];
    snprintf(image, sizeof image, "kiln/%s:1", a->name);
    json_object_set_new(alg, "TrainingImage", json_string(image));
    json_object_set_new(alg, "TrainingInputMode", json_string("File"));
    json_t *defs = json_array();
    for (const kiln_metric_def *m = a->metrics; m && m->name; m++) {
        json_t *o = json_object();
        json_object_set_new(o, "Name", json_string(m->name));
        json_object_set_new(o, "Regex", json_string(m->regex));
        json_array_append_new(defs, o);
    }
    json_object_set_new(alg, "MetricDefinitions", defs);
    json_object_set_new(alg, "EnableSageMakerMetricsTimeSeries", json_false());
    json_object_set_new(d, "AlgorithmSpecification", alg);
    json_object_set_new(d, "RoleArn",
                        json_string("arn:aws:iam::000000000000:role/kiln-local"));

    json_t *inputs = json_array();
    for (size_t i = 0; i < job->nchannels; i++) {
        const kiln__job_channel *c = &job->channels[i];
        json_array_append_new(inputs, kiln__channel_json(c->name, c->path,
                                                         c->content_type));
    }
    json_object_set_new(d, "InputDataConfig", inputs);
    kiln__job_config_json(d, job->root);

    json_object_set_new(d, "CreationTime", kiln__iso_json(job->created));
    if (job->start)
        json_object_set_new(d, "TrainingStartTime", kiln__iso_json(job->start));
    if (job->end)
        json_object_set_new(d, "TrainingEndTime", kiln__iso_json(job->end));
    json_object_set_new(d, "LastModifiedTime", kiln__iso_json(job->modified));
    json_t *trs = json_array();
    for (size_t i = 0; i < job->ntransitions; i++) {
        const kiln__job_transition *t = &job->transitions[i];
        json_t *o = json_object();
        json_object_set_new(o, "Status", json_string(t->status));
        json_object_set_new(o, "StartTime", kiln__iso_json(t->start));
        if (t->end)
            json_object_set_new(o, "EndTime", kiln__iso_json(t->end));
        json_object_set_new(o, "StatusMessage", json_string(t->message));
        json_array_append_new(trs, o);
    }
    json_object_set_new(d, "SecondaryStatusTransitions", trs);
    json_t *fm = json_array();
    for (size_t i = 0; i < job->nmetrics; i++) {
        const kiln__job_metric *m = &job->metrics[i];
        json_t *o = json_object();
        json_object_set_new(o, "MetricName", json_string(m->name));
        json_object_set_new(o, "Value", isfinite(m->value)
                                            ? json_real(m->value)
                                            : json_null());
        json_object_set_new(o, "Timestamp", kiln__iso_json(m->time));
        json_array_append_new(fm, o);
    }
    json_object_set_new(d, "FinalMetricDataList", fm);
    json_object_set_new(d, "EnableNetworkIsolation", json_false());
    json_object_set_new(d, "EnableInterContainerTrafficEncryption",
                        json_false());
    json_object_set_new(d, "EnableManagedSpotTraining", json_false());
    double training = kiln_job_training_seconds(job);
    json_object_set_new(d, "TrainingTimeInSeconds", whole_seconds(training));
    json_object_set_new(d, "BillableTimeInSeconds", whole_seconds(training));
    /* kiln's extension: what the algorithm reports of its model
     * (XGBoost's FeatureImportance), after SageMaker's fields. */
    json_t *report = job->report ? json_loads(job->report, 0, NULL) : NULL;
    if (json_is_object(report))
        json_object_update(d, report);
    json_decref(report);
    return d;
}

char *kiln_job_describe_json(const kiln_job *job)
{
    json_t *d = describe(job);
    if (d == NULL)
        return NULL;
    char *text = json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(17));
    json_decref(d);
    return text;
}
