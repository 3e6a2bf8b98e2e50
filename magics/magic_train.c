/* kiln — training magics: %train and %%train (a training job in-process,
 * with a live view), %jobs, %describe, %metrics and %algorithms. */
#include "registry.h"

#include "algo_help.h"
#include "chars.h"
#include "table.h"
#include "train_view.h"

#include "algos/algo.h"
#include "platform/job.h"
#include "platform/jobstore.h"
#include "platform/model.h"
#include "platform/tune.h"

#include "core/buf.h"
#include "core/strv.h"
#include "plotting/chart.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JOBS_METRICS 3 /* final metrics shown per job by %jobs */
#define IMPORTANCE_BARS 20 /* features in %describe's importance chart */

static const char *root_of(const kiln_magic_call *call)
{
    const char *r = kiln_args_str(call->args, "output");
    return r ? r : KILN_DEFAULT_ROOT;
}

/* ---- %algorithms ---------------------------------------------------------- */

static int run_algorithms(const kiln_magic_call *call, kiln_error *err)
{
    kiln_bundle *b = NULL;
    int rc = kiln_algo_list(&b); /* before b is read as an argument */
    return kiln_magic_show(call, rc, b, err);
}

/* ---- %train and %%train ----------------------------------------------------- */

/* Hyperparameters: key=value words, then (for %%train) one `name = value`
 * per body line; '#' starts a comment line. */
typedef struct hp_list {
    char **names, **values;
    size_t n;
} hp_list;

static void hp_list_fini(hp_list *h)
{
    kiln_strv_free(h->names, h->n);
    kiln_strv_free(h->values, h->n);
}

static int hp_add(hp_list *h, const char *name, size_t nlen,
                  const char *value, size_t vlen, kiln_error *err)
{
    if (kiln_strv_push(&h->names, h->n, name, nlen) != KILN_OK)
        return kiln_error_nomem(err);
    if (kiln_strv_push(&h->values, h->n, value, vlen) != KILN_OK) {
        free(h->names[h->n]);
        return kiln_error_nomem(err);
    }
    h->n++;
    return KILN_OK;
}

static int body_hparams(const kiln_magic_call *call, hp_list *h,
                        kiln_error *err)
{
    const char *p = call->body;
    int line = call->body_line;
    while (p && *p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p, *e = p + len;
        while (s < e && kiln_is_blank(*s))
            s++;
        while (e > s && kiln_is_blank(e[-1]))
            e--;
        if (s < e && *s != '#') {
            const char *eq = memchr(s, '=', (size_t)(e - s));
            const char *ne = eq;
            while (ne && ne > s && kiln_is_blank(ne[-1]))
                ne--;
            if (eq == NULL || ne == s)
                return kiln_error_set(err, KILN_USAGE,
                                      "line %d: expected 'name = value', got "
                                      "'%.*s'",
                                      line, (int)(e - s), s);
            const char *v = eq + 1;
            while (v < e && kiln_is_blank(*v))
                v++;
            size_t vlen = (size_t)(e - v);
            /* A quoted value is the text inside the quotes. */
            if (vlen >= 2 && (*v == '"' || *v == '\'') && e[-1] == *v) {
                v++;
                vlen -= 2;
            }
            if (hp_add(h, s, (size_t)(ne - s), v, vlen, err) != KILN_OK)
                return err->code;
        }
        line++;
        p = end ? end + 1 : NULL;
    }
    return KILN_OK;
}

static int run_train(const kiln_magic_call *call, kiln_error *err)
{
    const kiln_args *a = call->args;
    const char *algo_name = kiln_args_str(a, "ALGO");
    const kiln_algo *algo = kiln_algo_find(algo_name, strlen(algo_name));
    if (algo == NULL)
        return kiln_algo_unknown(algo_name, err);

    hp_list h = {0};
    int rc = KILN_OK;
    for (size_t i = 0; i < kiln_args_pair_count(a) && rc == KILN_OK; i++) {
        const char *k, *v;
        kiln_args_pair(a, i, &k, &v);
        rc = hp_add(&h, k, strlen(k), v, strlen(v), err);
    }
    if (rc == KILN_OK && call->cell)
        rc = body_hparams(call, &h, err);
    if (rc != KILN_OK) {
        hp_list_fini(&h);
        return rc;
    }

    kiln_job_spec spec = {
        .algo = algo,
        .name = kiln_args_str(a, "name"),
        .output_root = root_of(call),
        .hp_names = (const char *const *)h.names,
        .hp_values = (const char *const *)h.values,
        .nhp = h.n,
        .threads = (unsigned)kiln_args_int(a, "threads"),
        .cancel = call->cancel,
    };
    static const char *const channels[] = {"train", "validation", "test"};
    for (size_t i = 0; i < 3; i++)
        if (kiln_args_str(a, channels[i]) != NULL)
            spec.channels[spec.nchannels++] = (kiln_channel_spec){
                .name = channels[i],
                .path = kiln_args_str(a, channels[i]),
                .content_type = kiln_args_str(a, "content-type")};

    kiln_train_view_opts vo = {.stream_logs = kiln_args_flag(a, "logs"),
                               .log_y = kiln_args_flag(a, "log-y")};
    kiln_train_view *view = kiln_train_view_new(call->sink, &vo);
    if (view == NULL) {
        hp_list_fini(&h);
        return kiln_error_nomem(err);
    }
    spec.events = kiln_train_view_events(view);
    kiln_job *job = NULL;
    rc = kiln_job_run(&spec, &job, err);
    hp_list_fini(&h);
    if (rc == KILN_OK) {
        kiln_train_view_finish(view, job);
        if (strcmp(kiln_job_status(job), "Stopped") == 0)
            rc = kiln_error_set(err, KILN_INTERRUPTED,
                                "training job %s was stopped; no model "
                                "artifact was written",
                                kiln_job_name(job));
        else if (strcmp(kiln_job_status(job), "Failed") == 0)
            rc = kiln_error_set(err, kiln_job_failure_code(job),
                                "training job %s failed: %s",
                                kiln_job_name(job), kiln_job_failure(job));
    }
    kiln_job_free(job);
    kiln_train_view_free(view);
    return rc;
}

static const kiln_arg_spec train_args[] = {
    {.name = "ALGO", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "a built-in algorithm (%algorithms lists them)"},
    {.name = "train", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "PATH", .help = "the train channel: a file or a directory"},
    {.name = "validation", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "the validation channel"},
    {.name = "test", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "the test channel (scored with the final model)"},
    {.name = "content-type", .type = KILN_ARG_STR, .metavar = "T",
     .help = "the channels' content type (default: detected; CSV of an "
             "unsupervised algorithm is text/csv;label_size=0)"},
    {.name = "name", .type = KILN_ARG_STR, .metavar = "JOB",
     .help = "the job name (default <algorithm>-YYYY-MM-DD-HH-MM-SS-mmm)"},
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT, .help = "the output root holding the job's files"},
    {.name = "threads", .type = KILN_ARG_INT, .metavar = "N",
     .help = "cores to use (default: all)"},
    {.name = "logs", .type = KILN_ARG_FLAG,
     .help = "print the training log as it is written"},
    {.name = "log-y", .type = KILN_ARG_FLAG,
     .help = "a logarithmic y axis for the live chart"},
    {0},
};

/* ---- %jobs ---------------------------------------------------------------- */

/* Which final metrics %jobs shows first: 0 test, 1 validation, 2 train;
 * -1 for progress and throughput, which it leaves out. */
static int metric_rank(const char *name)
{
    const char *colon = strrchr(name, ':');
    const char *base = colon ? colon + 1 : name;
    if (strcmp(base, "progress") == 0 || strcmp(base, "throughput") == 0)
        return -1;
    if (strncmp(name, "test:", 5) == 0)
        return 0;
    if (strncmp(name, "validation:", 11) == 0)
        return 1;
    return 2;
}

/* One row of the tuning jobs' table, from a describe.json. */
static int tuning_row(kiln_table *t, const char *name, json_t *d)
{
    json_t *cfg = json_object_get(d, "HyperParameterTuningJobConfig");
    json_t *c = json_object_get(d, "TrainingJobStatusCounters");
    json_t *best = json_object_get(d, "BestTrainingJob");
    json_t *m = json_object_get(best, "FinalHyperParameterTuningJobObjectiveMetric");
    char jobs[160], objective[160] = "", created[20];
    snprintf(jobs, sizeof jobs,
             "%lld of %lld: %lld completed, %lld stopped, %lld failed",
             (long long)(json_integer_value(json_object_get(c, "Completed")) +
                         json_integer_value(json_object_get(c, "InProgress")) +
                         json_integer_value(json_object_get(c, "Stopped")) +
                         json_integer_value(json_object_get(c, "NonRetryableError"))),
             (long long)json_integer_value(json_object_get(
                 json_object_get(cfg, "ResourceLimits"),
                 "MaxNumberOfTrainingJobs")),
             (long long)json_integer_value(json_object_get(c, "Completed")),
             (long long)json_integer_value(json_object_get(c, "Stopped")),
             (long long)json_integer_value(json_object_get(c, "NonRetryableError")));
    const char *metric = json_string_value(json_object_get(
        json_object_get(cfg, "HyperParameterTuningJobObjective"), "MetricName"));
    if (json_is_number(json_object_get(m, "Value")))
        snprintf(objective, sizeof objective, "%s=%.6g", metric ? metric : "",
                 json_number_value(json_object_get(m, "Value")));
    const char *when = json_string_value(json_object_get(d, "CreationTime"));
    snprintf(created, sizeof created, "%.19s", when ? when : "");
    if (strlen(created) > 10)
        created[10] = ' ';
    const char *strategy = json_string_value(json_object_get(cfg, "Strategy"));
    const char *status =
        json_string_value(json_object_get(d, "HyperParameterTuningJobStatus"));
    const char *best_name =
        json_string_value(json_object_get(best, "TrainingJobName"));
    return kiln_table_add(t, (const char *const[]){
                                 name, strategy ? strategy : "",
                                 status ? status : "", created, jobs,
                                 best_name ? best_name : "", objective});
}

/* Whether %jobs lists a job of this name (--name-contains). */
static bool wanted(const kiln_magic_call *call, const char *name)
{
    const char *part = kiln_args_str(call->args, "name-contains");
    if (part == NULL || *part == '\0')
        return true;
    size_t n = strlen(name), m = strlen(part);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(name + i, part, m) == 0)
            return true;
    return false;
}

/* The tuning jobs under root as a table, or *out NULL when there are
 * none. */
static int tunings_table(const kiln_magic_call *call, const char *root,
                         kiln_bundle **out, kiln_error *err)
{
    *out = NULL;
    char **names = NULL;
    size_t n = 0;
    if (kiln_tunings_list(root, &names, &n, err) != KILN_OK)
        return err->code;
    if (n == 0)
        return KILN_OK;
    kiln_table *t = kiln_table_new(
        7, (const char *const[]){"tuning job", "strategy", "status", "created",
                                 "training jobs", "best training job",
                                 "objective"});
    int rc = t ? KILN_OK : kiln_error_nomem(err);
    size_t rows = 0;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        if (!wanted(call, names[i]))
            continue;
        char *text = NULL;
        kiln_error e;
        kiln_error_init(&e);
        if (kiln_tuning_describe(root, names[i], &text, &e) != KILN_OK)
            continue; /* a broken record is left out, as %jobs does */
        json_t *d = json_loads(text, 0, NULL);
        if (d != NULL && tuning_row(t, names[i], d) != KILN_OK)
            rc = kiln_error_nomem(err);
        rows += d != NULL;
        json_decref(d);
        free(text);
    }
    kiln_bundle *b = rc == KILN_OK && rows > 0 ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK && rows > 0 &&
        (b == NULL || kiln_table_to_bundle(t, b) != KILN_OK))
        rc = kiln_error_nomem(err);
    kiln_table_free(t);
    kiln_strv_free(names, n);
    if (rc != KILN_OK)
        kiln_bundle_free(b);
    else
        *out = b;
    return rc;
}

/* The tuning job a training job belongs to, in the case of its name: ARNs
 * keep names in lower case, and a tuning job's training jobs are named
 * after it. */
static const char *tuning_of(const kiln_job_summary *s)
{
    static _Thread_local char name[KILN_TUNE_NAME_MAX + 1];
    if (s->tuning_job == NULL)
        return "";
    size_t len = strlen(s->tuning_job);
    if (len <= KILN_TUNE_NAME_MAX && strncasecmp(s->name, s->tuning_job, len) == 0)
        snprintf(name, sizeof name, "%.*s", (int)len, s->name);
    else
        snprintf(name, sizeof name, "%.32s", s->tuning_job);
    return name;
}

static int run_jobs(const kiln_magic_call *call, kiln_error *err)
{
    const char *root = root_of(call);
    kiln_bundle *tunings = NULL;
    if (tunings_table(call, root, &tunings, err) != KILN_OK)
        return err->code;
    if (tunings != NULL &&
        kiln_magic_show(call, KILN_OK, tunings, err) != KILN_OK)
        return err->code;
    kiln_job_summary *list = NULL;
    size_t n = 0;
    if (kiln_jobs_list(root, &list, &n, err) != KILN_OK)
        return err->code;
    kiln_table *t = kiln_table_new(
        7, (const char *const[]){"job", "algorithm", "status", "created",
                                 "training time", "final metrics",
                                 "tuning job"});
    int rc = t ? KILN_OK : KILN_NOMEM;
    size_t listed = 0;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        const kiln_job_summary *s = &list[i];
        if (!wanted(call, s->name))
            continue;
        listed++;
        char seconds[32] = "";
        if (s->seconds >= 0)
            snprintf(seconds, sizeof seconds, "%.2f s", s->seconds);
        char created[20];
        snprintf(created, sizeof created, "%.19s", s->created);
        if (strlen(created) > 10)
            created[10] = ' ';
        kiln_buf metrics;
        kiln_buf_init(&metrics);
        /* A few, test before validation before train, so that the table
         * stays readable; %describe has all. */
        size_t shown = 0, ranked = 0;
        for (int r = 0; r < 3; r++)
            for (size_t m = 0; m < s->nmetrics && rc == KILN_OK; m++) {
                if (metric_rank(s->metric_names[m]) != r)
                    continue;
                ranked++;
                if (shown < JOBS_METRICS)
                    rc = kiln_buf_printf(&metrics, "%s%s=%.4g",
                                         shown++ ? ", " : "",
                                         s->metric_names[m],
                                         s->metric_values[m]);
            }
        if (rc == KILN_OK && shown < ranked)
            rc = kiln_buf_printf(&metrics, " (+%zu more)", ranked - shown);
        if (rc == KILN_OK && s->failure)
            rc = kiln_buf_printf(&metrics, "%s%.120s", s->nmetrics ? "; " : "",
                                 s->failure);
        if (rc == KILN_OK)
            rc = kiln_table_add(t, (const char *const[]){
                                       s->name, s->algorithm, s->status,
                                       created, seconds,
                                       kiln_buf_str(&metrics),
                                       tuning_of(s)});
        kiln_buf_fini(&metrics);
    }
    kiln_jobs_list_free(list, n);
    kiln_bundle *b = NULL;
    if (rc == KILN_OK && listed == 0) {
        b = kiln_bundle_new();
        char text[4300];
        const char *part = kiln_args_str(call->args, "name-contains");
        if (n > 0 && part != NULL)
            snprintf(text, sizeof text,
                     "no training job in %s has '%.100s' in its name", root,
                     part);
        else
            snprintf(text, sizeof text, "no training jobs in %s yet", root);
        rc = b ? kiln_bundle_add_text(b, "text/plain", text) : KILN_NOMEM;
    } else if (rc == KILN_OK) {
        b = kiln_bundle_new();
        rc = b ? kiln_table_to_bundle(t, b) : KILN_NOMEM;
    }
    kiln_table_free(t);
    return kiln_magic_show(call, rc, b, err);
}

static const kiln_arg_spec root_args[] = {
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT, .help = "the output root holding the jobs"},
    {.name = "name-contains", .type = KILN_ARG_STR, .metavar = "TEXT",
     .help = "only the jobs whose name contains TEXT, as ListTrainingJobs' "
             "NameContains (case-insensitive)"},
    {0},
};

/* ---- %describe ------------------------------------------------------------ */

/* The features with the largest total gain, best first (at most
 * IMPORTANCE_BARS), from a record's FeatureImportance; 0 when it has
 * none. */
static size_t top_features(json_t *record, const char **names,
                           double *gains)
{
    json_t *gain = json_object_get(
        json_object_get(record, "FeatureImportance"), "total_gain");
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(gain, key, v)
    {
        double g = json_number_value(v);
        size_t at = n < IMPORTANCE_BARS ? n++ : IMPORTANCE_BARS;
        if (at == IMPORTANCE_BARS && !(g > gains[IMPORTANCE_BARS - 1]))
            continue;
        if (at == IMPORTANCE_BARS)
            at = IMPORTANCE_BARS - 1;
        while (at > 0 && gains[at - 1] < g) {
            names[at] = names[at - 1];
            gains[at] = gains[at - 1];
            at--;
        }
        names[at] = key;
        gains[at] = g;
    }
    return n;
}

/* %describe of a tuning job: its record, and its training jobs as a
 * table (ListTrainingJobsForHyperParameterTuningJob). */
static int describe_tuning(const kiln_magic_call *call, const char *name,
                           char *json, kiln_error *err)
{
    kiln_bundle *b = kiln_bundle_new();
    int rc = b ? KILN_OK : KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_json(b, "application/json", json);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", json);
    free(json);
    if (kiln_magic_show(call, rc, b, err) != KILN_OK)
        return err->code;
    char *jobs = NULL;
    if (kiln_tuning_jobs(root_of(call), name, &jobs, err) != KILN_OK)
        return err->code;
    json_t *root = json_loads(jobs, 0, NULL);
    json_t *list = json_object_get(root, "TrainingJobSummaries");
    free(jobs);
    json_t *first = json_array_get(list, 0);
    json_t *tuned = json_object_get(first, "TunedHyperParameters");
    size_t ntuned = json_object_size(tuned), nh = 0;
    const char **headers = calloc(ntuned + 4, sizeof *headers);
    rc = headers ? KILN_OK : KILN_NOMEM;
    if (rc == KILN_OK) {
        headers[nh++] = "training job";
        headers[nh++] = "status";
        headers[nh++] = "objective";
        const char *key;
        json_t *v;
        json_object_foreach(tuned, key, v) headers[nh++] = key;
    }
    kiln_table *t = rc == KILN_OK ? kiln_table_new(nh, headers) : NULL;
    if (rc == KILN_OK && t == NULL)
        rc = KILN_NOMEM;
    size_t i;
    json_t *s;
    json_array_foreach(list, i, s)
    {
        if (rc != KILN_OK)
            break;
        const char **row = calloc(nh + 1, sizeof *row);
        char objective[48] = "";
        json_t *m = json_object_get(
            json_object_get(s, "FinalHyperParameterTuningJobObjectiveMetric"),
            "Value");
        if (json_is_number(m))
            snprintf(objective, sizeof objective, "%.6g", json_number_value(m));
        if (row == NULL) {
            rc = KILN_NOMEM;
            break;
        }
        row[0] = json_string_value(json_object_get(s, "TrainingJobName"));
        row[1] = json_string_value(json_object_get(s, "TrainingJobStatus"));
        row[2] = objective;
        for (size_t h = 3; h < nh; h++)
            row[h] = json_string_value(json_object_get(
                json_object_get(s, "TunedHyperParameters"), headers[h]));
        for (size_t h = 0; h < nh; h++)
            if (row[h] == NULL)
                row[h] = "";
        rc = kiln_table_add(t, row);
        free(row);
    }
    kiln_bundle *tb = rc == KILN_OK && json_array_size(list) ? kiln_bundle_new()
                                                            : NULL;
    if (rc == KILN_OK && json_array_size(list) && tb == NULL)
        rc = KILN_NOMEM;
    if (tb != NULL)
        rc = kiln_table_to_bundle(t, tb);
    kiln_table_free(t);
    free(headers);
    json_decref(root);
    rc = tb ? kiln_magic_show(call, rc, tb, err) : rc;
    if (rc != KILN_OK && !kiln_error_is_set(err))
        rc = kiln_error_nomem(err);
    return rc;
}

/* The picture shape of a row of `cols` features: --image-shape HxW, or a
 * square of side 4 or more; false when the features are not pixels. */
static bool image_shape(const kiln_magic_call *call, size_t cols,
                        size_t *h, size_t *w, kiln_error *err)
{
    const char *shape = kiln_args_str(call->args, "image-shape");
    if (shape != NULL) {
        unsigned long a = 0, b = 0;
        char x = 0, extra = 0;
        if (sscanf(shape, "%lu%c%lu%c", &a, &x, &b, &extra) != 3 ||
            (x != 'x' && x != 'X') || a == 0 || b == 0 || a * b != cols ||
            a > KILN_CHART_IMAGE_SIDE || b > KILN_CHART_IMAGE_SIDE) {
            kiln_error_set(err, KILN_USAGE,
                           "--image-shape %.40s: expected HxW with H * W = "
                           "%zu, the model's features",
                           shape, cols);
            return false;
        }
        *h = a;
        *w = b;
        return true;
    }
    size_t side = (size_t)llround(sqrt((double)cols));
    if (side < 4 || side * side != cols || side > KILN_CHART_IMAGE_SIDE)
        return false;
    *h = *w = side;
    return true;
}

/* K-Means' centroids and PCA's components drawn as the pictures they are
 * when the features are pixels (Fashion-MNIST's 28 x 28), as SageMaker's
 * K-Means lab does with the model it downloads. */
static int show_vectors(const kiln_magic_call *call, const char *job,
                        kiln_error *err)
{
    kiln_model *m = NULL;
    kiln_error lerr;
    kiln_error_init(&lerr);
    /* A job without a model (failed, stopped) has nothing to draw. */
    if (kiln_model_from_job(root_of(call), job, &m, &lerr) != KILN_OK)
        return KILN_OK;
    float *v = NULL;
    size_t rows = 0, cols = 0, h = 0, w = 0;
    const char *noun = "";
    int rc = m->algo->vectors
                 ? m->algo->vectors(m->model, &v, &rows, &cols, &noun, err)
                 : KILN_OK;
    bool pictures = rc == KILN_OK && v != NULL && rows > 0 &&
                    image_shape(call, cols, &h, &w, err);
    if (rc == KILN_OK && kiln_error_is_set(err))
        rc = err->code;
    size_t n = rows < 100 ? rows : 100;
    double *values = pictures ? malloc(n * cols * sizeof *values) : NULL;
    char (*labels)[48] = pictures ? calloc(n, sizeof *labels) : NULL;
    const char **names = pictures ? calloc(n, sizeof *names) : NULL;
    if (pictures && (values == NULL || labels == NULL || names == NULL))
        rc = kiln_error_nomem(err);
    kiln_bundle *b = NULL;
    if (rc == KILN_OK && pictures) {
        for (size_t i = 0; i < n * cols; i++)
            values[i] = v[i];
        for (size_t i = 0; i < n; i++) {
            snprintf(labels[i], sizeof labels[i], "%s %zu", noun, i);
            names[i] = labels[i];
        }
        char title[200];
        snprintf(title, sizeof title, "%.100s: %zu %ss as %zux%zu images%s",
                 job, rows, noun, h, w, n < rows ? " (the first 100)" : "");
        kiln_chart_opts o = {.kind = KILN_CHART_IMAGES, .title = title};
        kiln_chart *c = kiln_chart_new(&o);
        rc = c ? kiln_chart_set_images(c, n, h, w, values, names)
               : KILN_NOMEM;
        if (rc == KILN_OK)
            rc = kiln_chart_bundle(c, title, &b);
        kiln_chart_free(c);
        if (rc != KILN_OK)
            rc = kiln_error_set(err, rc, "cannot draw the %ss", noun);
    }
    free(values);
    free(labels);
    free(names);
    free(v);
    kiln_model_free(m);
    return b ? kiln_magic_show(call, rc, b, err) : rc;
}

static int run_describe(const kiln_magic_call *call, kiln_error *err)
{
    const char *job = kiln_args_str(call->args, "JOB");
    char *json = NULL;
    if (kiln_jobs_describe(root_of(call), job, &json, err) != KILN_OK) {
        /* A tuning job's name shows the tuning job. */
        kiln_error terr;
        kiln_error_init(&terr);
        if (err->code == KILN_KEY &&
            kiln_tuning_describe(root_of(call), job, &json, &terr) == KILN_OK) {
            kiln_error_init(err);
            return describe_tuning(call, job, json, err);
        }
        return err->code;
    }
    kiln_bundle *b = kiln_bundle_new();
    int rc = b ? KILN_OK : KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_json(b, "application/json", json);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", json);
    rc = kiln_magic_show(call, rc, b, err);
    /* An algorithm that reports feature importance (XGBoost) gets its
     * chart too. */
    json_t *record = rc == KILN_OK ? json_loads(json, 0, NULL) : NULL;
    const char *names[IMPORTANCE_BARS];
    double gains[IMPORTANCE_BARS];
    size_t n = record ? top_features(record, names, gains) : 0;
    if (n > 0) {
        char title[160];
        snprintf(title, sizeof title, "%.100s: feature importance", job);
        kiln_bundle *chart = NULL;
        rc = kiln_bars_chart(title, "total gain", names, gains, n, &chart);
        rc = kiln_magic_show(call, rc, chart, err);
    }
    json_decref(record);
    free(json);
    if (rc == KILN_OK)
        rc = show_vectors(call, job, err);
    return rc;
}

static const kiln_arg_spec job_args[] = {
    {.name = "JOB", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "a training or tuning job's name (%jobs lists them)"},
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT, .help = "the output root holding the job"},
    {.name = "image-shape", .type = KILN_ARG_STR, .metavar = "HxW",
     .help = "draw K-Means centroids and PCA components as HxW images "
             "(default: when the features are a square number of pixels)"},
    {0},
};

static const kiln_arg_spec metrics_args[] = {
    {.name = "JOB", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "a training job's name (%jobs lists them)"},
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT, .help = "the output root holding the job"},
    {.name = "log-y", .type = KILN_ARG_FLAG,
     .help = "a logarithmic y axis"},
    {0},
};

/* ---- %metrics --------------------------------------------------------------- */

/* What job's algorithm counts its steps in ("epoch", "round"), from the
 * job's record; NULL when it cannot be told. */
static const char *step_of(const kiln_magic_call *call, const char *job)
{
    kiln_job_summary *list = NULL;
    size_t n = 0;
    kiln_error err;
    kiln_error_init(&err);
    const char *step = NULL;
    if (kiln_jobs_list(root_of(call), &list, &n, &err) != KILN_OK)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, job) == 0) {
            const kiln_algo *a = kiln_algo_find(list[i].algorithm,
                                                strlen(list[i].algorithm));
            step = a ? a->step : NULL;
        }
    kiln_jobs_list_free(list, n);
    return step;
}

static int run_metrics(const kiln_magic_call *call, kiln_error *err)
{
    const char *job = kiln_args_str(call->args, "JOB");
    kiln_metric_series *s = NULL;
    size_t n = 0;
    if (kiln_jobs_metrics(root_of(call), job, &s, &n, err) != KILN_OK)
        return err->code;
    int rc = KILN_OK;
    kiln_bundle *b = NULL;
    if (n == 0) {
        b = kiln_bundle_new();
        char text[256];
        snprintf(text, sizeof text,
                 "training job %.100s reported no metric per epoch", job);
        rc = b ? kiln_bundle_add_text(b, "text/plain", text) : KILN_NOMEM;
    } else {
        const char **names = calloc(n, sizeof *names);
        const double **xs = calloc(n, sizeof *xs), **ys = calloc(n, sizeof *ys);
        size_t *counts = calloc(n, sizeof *counts);
        rc = names && xs && ys && counts ? KILN_OK : KILN_NOMEM;
        for (size_t i = 0; rc == KILN_OK && i < n; i++) {
            names[i] = s[i].name;
            xs[i] = s[i].steps;
            ys[i] = s[i].values;
            counts[i] = s[i].n;
        }
        if (rc == KILN_OK)
            rc = kiln_metrics_chart(job, step_of(call, job), names, xs, ys,
                                    counts, n,
                                    kiln_args_flag(call->args, "log-y"), &b);
        free(names);
        free(xs);
        free(ys);
        free(counts);
    }
    kiln_jobs_metrics_free(s, n);
    return kiln_magic_show(call, rc, b, err);
}

/* ---- the table ------------------------------------------------------------------ */

const kiln_magic kiln_magics_train[] = {
    {
        .name = "algorithms",
        .kinds = KILN_MAGIC_LINE,
        .summary = "List the built-in algorithms",
        .usage = "%help ALGORITHM shows one algorithm's hyperparameters, "
                 "metrics and content types.",
        .run = run_algorithms,
    },
    {
        .name = "train",
        .kinds = KILN_MAGIC_LINE | KILN_MAGIC_CELL,
        .flags = KILN_MAGIC_PAIRS,
        .args = train_args,
        .summary = "Run a training job in-process",
        .usage =
            "Runs a SageMaker built-in algorithm as a training job: the "
            "channels are read, the hyperparameters checked against the "
            "algorithm's schema, and the job's record written under the "
            "output root: describe.json (DescribeTrainingJob's fields), "
            "metrics.csv, log.txt and output/model.tar.gz.  While it runs, "
            "a progress line and a chart of its metrics update in place; "
            "an interrupt stops it within a second.\n\n"
            "Hyperparameters are name=value words, or with %%train one "
            "`name = value` per body line.\n\n"
            "  %train kmeans --train data/train k=10 feature_dim=784\n"
            "  %%train linear-learner --train data/train "
            "--validation data/validation\n"
            "  predictor_type = binary_classifier\n"
            "  epochs = 10",
        .run = run_train,
    },
    {
        .name = "jobs",
        .kinds = KILN_MAGIC_LINE,
        .args = root_args,
        .summary = "List the training jobs under the output root",
        .usage = "Newest first, with status, training time and final "
                 "metrics.",
        .run = run_jobs,
    },
    {
        .name = "describe",
        .kinds = KILN_MAGIC_LINE,
        .args = job_args,
        .summary = "Show a training or tuning job's record",
        .usage = "The record as JSON (describe.json: DescribeTrainingJob's "
                 "or DescribeHyperParameterTuningJob's fields).  For an "
                 "algorithm that reports feature importance (XGBoost), a "
                 "chart of the 20 features with the largest total gain "
                 "follows; for K-Means and PCA on pixels (a square number "
                 "of features, or --image-shape HxW), the centroids or "
                 "components drawn as images; for a tuning job, a table of "
                 "its training jobs.",
        .run = run_describe,
    },
    {
        .name = "metrics",
        .kinds = KILN_MAGIC_LINE,
        .args = metrics_args,
        .summary = "Chart a training job's metrics by epoch again",
        .run = run_metrics,
    },
    {0},
};
