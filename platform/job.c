/* kiln — a training job from its checks to its record: channels read,
 * the algorithm trained, the artifact packed, describe.json, metrics.csv
 * and log.txt written as it goes. */
#include "job.h"
#include "job_record.h"

#include "artifact.h"

#include "algos/data/reader.h"
#include "algos/hparams.h"

#include "core/buf.h"
#include "core/log.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* SageMaker's status messages for the secondary statuses. */
static const struct {
    const char *status;
    const char *message;
} MESSAGES[] = {
    {"Starting", "Preparing the instances for training"},
    {"Downloading", "Downloading input data"},
    {"Training", "Training image download completed. Training in progress."},
    {"Uploading", "Uploading generated training model"},
    {"Completed", "Training job completed"},
    {"Failed", "Training job failed"},
    {"Stopped", "Training job stopped"},
};

bool kiln_job_name_valid(const char *name)
{
    return kiln__name_valid(name, 63);
}

/* ---- the job's files --------------------------------------------------- */

/* Rewrite describe.json atomically and tell the events. */
static void publish(kiln_job *job)
{
    char *text = kiln_job_describe_json(job);
    if (text != NULL) {
        char path[4200], tmp[4300];
        snprintf(path, sizeof path, "%s/describe.json", job->dir);
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (f != NULL) {
            bool ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
            ok = fclose(f) == 0 && ok;
            if (!ok || rename(tmp, path) != 0)
                unlink(tmp);
        }
        free(text);
    }
    if (job->events && job->events->status)
        job->events->status(job->events->data, job);
}

static void set_secondary(kiln_job *job, const char *status)
{
    double t = kiln__wall_now();
    if (job->ntransitions > 0)
        job->transitions[job->ntransitions - 1].end = t;
    if (job->ntransitions < KILN__JOB_MAX_TRANSITIONS) {
        const char *message = "";
        for (size_t i = 0; i < sizeof MESSAGES / sizeof MESSAGES[0]; i++)
            if (strcmp(MESSAGES[i].status, status) == 0)
                message = MESSAGES[i].message;
        kiln__job_transition *tr = &job->transitions[job->ntransitions++];
        tr->status = status;
        tr->start = t;
        tr->end = 0;
        tr->message = message;
    }
    job->secondary = status;
    job->modified = t;
    publish(job);
}

/* One line into log.txt (and to the events). */
static void log_line(kiln_job *job, const char *line)
{
    if (job->log != NULL) {
        fputs(line, job->log);
        fputc('\n', job->log);
        fflush(job->log);
    }
    if (job->events && job->events->log)
        job->events->log(job->events->data, line);
}

static void logf_(kiln_job *job, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* kiln's own lines, in the style of SageMaker's 1P containers:
 * "[11/22/2026 09:20:01 INFO 140211] message". */
static void logf_(kiln_job *job, const char *fmt, ...)
{
    char msg[900], line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%m/%d/%Y %H:%M:%S", &tm);
    snprintf(line, sizeof line, "[%s INFO %ld] %s", stamp, (long)getpid(),
             msg);
    log_line(job, line);
}

/* ---- events from the algorithm ----------------------------------------- */

static void on_log(void *data, const char *line)
{
    log_line(data, line);
}

static void on_metric(void *data, const char *name, int64_t step,
                      double value)
{
    kiln_job *job = data;
    double t = kiln__wall_now();
    if (job->metrics_csv != NULL) {
        fprintf(job->metrics_csv, "%lld,%s,%.9g,%.3f\n", (long long)step,
                name, value, t - job->train_start);
        fflush(job->metrics_csv);
    }
    kiln__job_metric_set(job, name, value, t);
    if (job->events && job->events->metric)
        job->events->metric(job->events->data, name, step, value);
}

static void on_progress(void *data, double done, const char *status)
{
    kiln_job *job = data;
    if (job->events && job->events->progress)
        job->events->progress(job->events->data, done, status);
}

/* ---- reading the channels ---------------------------------------------- */

/* Dataset d of channel `name` made to fit `cols` features: sparse rows may
 * use fewer columns (the width grows to cols); dense ones must match. */
static int fit_cols(kiln_job *job, const char *name, kiln_dataset *d,
                    size_t cols, const char *why, kiln_error *err)
{
    size_t have = kiln_dataset_cols(d);
    if (kiln_dataset_is_sparse(d) && have <= cols) {
        kiln_dataset_set_cols(d, cols);
        return KILN_OK;
    }
    if (have == cols)
        return KILN_OK;
    const char *hint = "";
    if (!(job->algo->flags & KILN_ALGO_SUPERVISED) &&
        kiln_dataset_has_labels(d))
        hint = " (the first CSV column was read as a label: unsupervised "
               "algorithms read text/csv;label_size=0)";
    return kiln_error_set(err, KILN_DATA,
                          "channel %s has %zu features, %s %zu%s", name,
                          have, why, cols, hint);
}

/* ---- the channel cache ------------------------------------------------- */

typedef struct cached_channel cached_channel;

/* items grown to hold one more; NULL (items kept) when out of memory. */
static cached_channel *realloc_items(cached_channel *items, size_t *cap);

struct cached_channel {
    char *path;
    kiln_read_opts opts; /* cancel and threads cleared */
    kiln_dataset *data;
};

struct kiln_channel_cache {
    pthread_mutex_t lock;
    cached_channel *items;
    size_t n, cap;
};

kiln_channel_cache *kiln_channel_cache_new(void)
{
    kiln_channel_cache *c = calloc(1, sizeof *c);
    if (c != NULL)
        pthread_mutex_init(&c->lock, NULL);
    return c;
}

void kiln_channel_cache_free(kiln_channel_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].path);
        kiln_dataset_free(c->items[i].data);
    }
    free(c->items);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static cached_channel *realloc_items(cached_channel *items, size_t *cap)
{
    size_t n = *cap ? *cap * 2 : 4;
    cached_channel *p = realloc(items, n * sizeof *p);
    if (p != NULL)
        *cap = n;
    return p;
}

static bool same_opts(const kiln_read_opts *a, const kiln_read_opts *b)
{
    return a->type.format == b->type.format &&
           a->type.no_label == b->type.no_label && a->weights == b->weights &&
           a->cols == b->cols;
}

static kiln_dataset *cache_find(kiln_channel_cache *c, const char *path,
                                const kiln_read_opts *opts)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->items[i].path, path) == 0 &&
            same_opts(&c->items[i].opts, opts))
            return c->items[i].data;
    return NULL;
}

/* Channel `path` from the cache, or read (outside the lock: two jobs
 * starting together may both read it; the first to finish is kept).
 * *shared says whether *out belongs to the cache. */
static int cache_load(kiln_channel_cache *c, const char *path,
                      const kiln_read_opts *opts, kiln_dataset **out,
                      bool *shared, kiln_error *err)
{
    pthread_mutex_lock(&c->lock);
    kiln_dataset *d = cache_find(c, path, opts);
    pthread_mutex_unlock(&c->lock);
    *shared = d != NULL;
    if (d != NULL) {
        *out = d;
        return KILN_OK;
    }
    if (kiln_data_load(path, opts, &d, err) != KILN_OK)
        return err->code;
    *out = d;
    if (kiln_dataset_is_sparse(d))
        return KILN_OK;
    pthread_mutex_lock(&c->lock);
    kiln_dataset *other = cache_find(c, path, opts);
    if (other != NULL) {
        kiln_dataset_free(d);
        *out = other;
        *shared = true;
    } else {
        if (c->n == c->cap) {
            cached_channel *p = realloc_items(c->items, &c->cap);
            if (p != NULL)
                c->items = p;
        }
    }
    if (other == NULL && c->n < c->cap) {
        cached_channel *it = &c->items[c->n];
        it->path = strdup(path);
        if (it->path != NULL) {
            it->opts = *opts;
            it->opts.cancel = NULL;
            it->opts.threads = 0;
            it->data = d;
            c->n++;
            *shared = true;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return KILN_OK;
}

/* The format of channel c's first file, set in opts; KILN_DATA when the
 * algorithm does not train on it. */
static int detected_format(const kiln_algo *a, const kiln_channel_spec *c,
                           kiln_read_opts *opts, kiln_error *err)
{
    kiln_reader *r = NULL;
    if (kiln_reader_open(c->path, opts, &r, err) != KILN_OK)
        return err->code;
    kiln_format f = kiln_reader_format(r);
    kiln_reader_free(r);
    if (f == KILN_FORMAT_UNKNOWN || kiln_algo_accepts(a, f)) {
        opts->type.format = f;
        return KILN_OK;
    }
    kiln_buf names;
    kiln_buf_init(&names);
    for (const kiln_format *g = a->formats; g && *g != KILN_FORMAT_UNKNOWN; g++)
        kiln_buf_printf(&names, "%s%s", names.len ? " and " : "",
                        kiln_format_mime(*g));
    kiln_error_set(err, KILN_DATA,
                   "channel %s holds %s (detected from %s); %s trains on %s: "
                   "convert it (%%split --format) or give the content type",
                   c->name, kiln_format_mime(f), c->path, a->name,
                   kiln_buf_str(&names) ? kiln_buf_str(&names) : "nothing");
    kiln_buf_fini(&names);
    return err->code;
}

static int read_channels(kiln_job *job, const kiln_job_spec *spec,
                         kiln_error *err)
{
    const kiln_algo *a = job->algo;
    for (size_t i = 0; i < spec->nchannels; i++) {
        const kiln_channel_spec *c = &spec->channels[i];
        kiln_read_opts opts = {.cancel = spec->cancel};
        const char *type = c->content_type;
        if (type != NULL &&
            kiln_content_type_parse(type, &opts.type, err) != KILN_OK)
            return err->code;
        if (type == NULL && !(a->flags & KILN_ALGO_SUPERVISED))
            opts.type.no_label = true; /* label_size=0 */
        if (a->read_opts != NULL)
            a->read_opts(job->hp, c->name, &opts);
        /* A detected format must be one the algorithm trains on, as a
         * given one is (check_channels): Linear Learner does not read
         * libsvm, whatever the files look like. */
        if (opts.type.format == KILN_FORMAT_UNKNOWN &&
            detected_format(a, c, &opts, err) != KILN_OK)
            return err->code;
        kiln_dataset *d = NULL;
        bool shared = false;
        if ((spec->cache
                 ? cache_load(spec->cache, c->path, &opts, &d, &shared, err)
                 : kiln_data_load(c->path, &opts, &d, err)) != KILN_OK)
            return err->code;
        int slot = strcmp(c->name, "train") == 0        ? 0
                   : strcmp(c->name, "validation") == 0 ? 1
                                                        : 2;
        if (!job->shared[slot])
            kiln_dataset_free(job->data[slot]);
        job->data[slot] = d;
        job->shared[slot] = shared;
        if ((a->flags & KILN_ALGO_SUPERVISED) && !kiln_dataset_has_labels(d))
            return kiln_error_set(err, KILN_DATA,
                                  "channel %s has no labels; %s trains on "
                                  "labelled rows (the label in the first CSV "
                                  "column)",
                                  c->name, a->name);
        logf_(job, "channel %s: %s, %zu rows x %zu features%s", c->name,
              c->path, kiln_dataset_rows(d), kiln_dataset_cols(d),
              kiln_dataset_is_sparse(d) ? " (sparse)" : "");
    }
    /* feature_dim, when the schema has one and it is a number, fixes the
     * width; else the train channel does. */
    const kiln_hp_spec *fd = kiln_algo_hparam(a, "feature_dim");
    size_t cols = kiln_dataset_cols(job->data[0]);
    const char *why = "the train channel has";
    if (fd != NULL && fd->type == KILN_HP_INT &&
        kiln_hp_int(job->hp, "feature_dim") > 0) {
        cols = (size_t)kiln_hp_int(job->hp, "feature_dim");
        why = "feature_dim is";
    }
    static const char *const names[3] = {"train", "validation", "test"};
    for (int s = 0; s < 3; s++)
        if (job->data[s] != NULL &&
            fit_cols(job, names[s], job->data[s], cols, why, err) != KILN_OK)
            return err->code;
    return KILN_OK;
}

/* ---- running ----------------------------------------------------------- */

static void fail(kiln_job *job, const kiln_error *err)
{
    job->failure_code = err->code;
    const char *kind = err->code == KILN_INTERNAL || err->code == KILN_NOMEM
                           ? "AlgorithmError"
                           : "ClientError";
    /* FailureReason keeps at most 1,024 characters, as SageMaker's does. */
    if (snprintf(job->failure, sizeof job->failure, "%s: %s", kind,
                 err->message) >= (int)sizeof job->failure)
        kiln_log(KILN_LOG_INFO, "job %s: failure reason cut to %zu bytes",
                 job->name, sizeof job->failure - 1);
}

/* The final status: its transition starts and ends when the job does. */
static void finish(kiln_job *job, const char *status, const char *secondary)
{
    job->status = status;
    set_secondary(job, secondary);
    kiln__job_transition *last = &job->transitions[job->ntransitions - 1];
    last->end = last->start;
    job->end = last->start;
    publish(job);
}

static int save_model(kiln_job *job, void *model, kiln_error *err)
{
    char out[4200], tmp[4300], dest[4400];
    snprintf(out, sizeof out, "%s/output", job->dir);
    if (kiln_artifact_mkdirs(out, err) != KILN_OK)
        return err->code;
    if (kiln_artifact_tempdir(out, ".model-", tmp, sizeof tmp, err) !=
        KILN_OK)
        return err->code;
    int rc = job->algo->save(model, tmp, err);
    snprintf(dest, sizeof dest, "%s/model.tar.gz", out);
    if (rc == KILN_OK)
        rc = kiln_artifact_pack(tmp, dest, err);
    kiln_artifact_rmtree(tmp);
    if (rc == KILN_OK)
        job->artifact = strdup(dest);
    return rc;
}

/* Everything from Downloading to the end; the job's status says how it
 * went. */
static void run(kiln_job *job, const kiln_job_spec *spec)
{
    kiln_error err;
    kiln_error_init(&err);
    set_secondary(job, "Downloading");
    int rc = read_channels(job, spec, &err);
    void *model = NULL;
    if (rc == KILN_OK && kiln_cancel_requested(spec->cancel))
        rc = kiln_error_set(&err, KILN_INTERRUPTED, "training was interrupted");
    if (rc == KILN_OK) {
        set_secondary(job, "Training");
        job->train_start = kiln__wall_now();
        job->start = job->train_start;
        kiln_train_events ev = {.data = job, .log = on_log,
                                .metric = on_metric,
                                .progress = on_progress};
        kiln_train_ctx ctx = {.hp = job->hp, .train = job->data[0],
                              .validation = job->data[1],
                              .test = job->data[2], .threads = job->threads,
                              .cancel = spec->cancel, .events = &ev};
        rc = job->algo->train(&ctx, &model, &err);
        job->train_end = kiln__wall_now();
    }
    /* The data is not needed any more; free it before packing. */
    for (int s = 0; s < 3; s++) {
        if (!job->shared[s])
            kiln_dataset_free(job->data[s]);
        job->data[s] = NULL;
        job->shared[s] = false;
    }
    if (rc == KILN_OK && kiln_cancel_requested(spec->cancel))
        rc = kiln_error_set(&err, KILN_INTERRUPTED, "training was interrupted");
    if (rc == KILN_OK && job->algo->report != NULL)
        job->report = job->algo->report(model);
    if (rc == KILN_OK) {
        set_secondary(job, "Uploading");
        rc = save_model(job, model, &err);
    }
    if (model != NULL)
        job->algo->free(model);
    if (rc == KILN_OK) {
        logf_(job, "model artifact: %s", job->artifact);
        finish(job, "Completed", "Completed");
    } else if (rc == KILN_INTERRUPTED) {
        job->failure_code = KILN_INTERRUPTED;
        logf_(job, "training job %s was stopped", job->name);
        finish(job, "Stopped", "Stopped");
    } else {
        fail(job, &err);
        logf_(job, "%s", job->failure);
        finish(job, "Failed", "Failed");
    }
}

/* ---- checks before any work -------------------------------------------- */

static int check_channels(const kiln_job_spec *spec, kiln_error *err)
{
    const kiln_algo *a = spec->algo;
    bool train = false;
    for (size_t i = 0; i < spec->nchannels; i++) {
        const kiln_channel_spec *c = &spec->channels[i];
        if (!kiln_algo_has_channel(a, c->name)) {
            char list[256] = "";
            for (const char *const *n = a->channels; *n; n++)
                snprintf(list + strlen(list), sizeof list - strlen(list),
                         "%s%s", n == a->channels ? "" : ", ", *n);
            return kiln_error_set(err, KILN_USAGE,
                                  "%s does not take a %s channel (it takes "
                                  "%s)",
                                  a->name, c->name, list);
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec->channels[j].name, c->name) == 0)
                return kiln_error_set(err, KILN_USAGE,
                                      "channel %s is given twice", c->name);
        struct stat st;
        if (stat(c->path, &st) != 0)
            return kiln_error_set(err, KILN_IO, "channel %s: cannot read %s: %s",
                                  c->name, c->path, strerror(errno));
        if (c->content_type != NULL) {
            kiln_content_type t;
            if (kiln_content_type_parse(c->content_type, &t, err) != KILN_OK)
                return err->code;
            if (t.format != KILN_FORMAT_UNKNOWN && !kiln_algo_accepts(a, t.format))
                return kiln_error_set(err, KILN_USAGE,
                                      "%s does not train on %s",
                                      a->name, c->content_type);
        }
        train = train || strcmp(c->name, "train") == 0;
    }
    if (!train)
        return kiln_error_set(err, KILN_USAGE,
                              "a training job needs a train channel (--train "
                              "PATH)");
    return KILN_OK;
}

int kiln_job_run(const kiln_job_spec *spec, kiln_job **out, kiln_error *err)
{
    const kiln_algo *a = spec->algo;
    const char *root = spec->output_root ? spec->output_root : "kiln-output";
    if (check_channels(spec, err) != KILN_OK)
        return err->code;
    if (spec->name != NULL && !kiln_job_name_valid(spec->name))
        return kiln_error_set(err, KILN_USAGE,
                              "job name '%.100s' is not valid: 1 to 63 "
                              "letters, digits and hyphens, starting and "
                              "ending with a letter or digit",
                              spec->name);
    kiln_hparams *hp = NULL;
    if (kiln_hparams_parse(a, spec->hp_names, spec->hp_values, spec->nhp, &hp,
                           err) != KILN_OK)
        return err->code;
    if (kiln_artifact_mkdirs(root, err) != KILN_OK) {
        kiln_hparams_free(hp);
        return err->code;
    }
    char name[64];
    if (spec->name != NULL)
        snprintf(name, sizeof name, "%s", spec->name);
    else
        /* Job names are at most 63 characters: the prefix is cut. */
        kiln__stamped_name(root, a->name, 38, false, name, sizeof name);
    kiln_job *job = kiln__job_new(a, name, root, hp, spec);
    if (job == NULL) {
        kiln_hparams_free(hp);
        return kiln_error_nomem(err);
    }
    /* The job directory must be new: SageMaker job names are unique. */
    if (mkdir(job->dir, 0777) != 0) {
        int rc = errno == EEXIST
                     ? kiln_error_set(err, KILN_USAGE,
                                      "a training job named %s already exists "
                                      "in %s",
                                      name, root)
                     : kiln_error_set(err, KILN_IO, "cannot create %s: %s",
                                      job->dir, strerror(errno));
        kiln_job_free(job);
        return rc;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/log.txt", job->dir);
    job->log = fopen(path, "w");
    snprintf(path, sizeof path, "%s/metrics.csv", job->dir);
    job->metrics_csv = fopen(path, "w");
    if (job->log == NULL || job->metrics_csv == NULL) {
        int rc = kiln_error_set(err, KILN_IO, "cannot write in %s: %s",
                                job->dir, strerror(errno));
        kiln_artifact_rmtree(job->dir);
        kiln_job_free(job);
        return rc;
    }
    fputs("step,metric,value,time\n", job->metrics_csv);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    job->threads = spec->threads ? spec->threads
                                 : (cores < 1 ? 1u : (unsigned)cores);
    job->events = spec->events;
    set_secondary(job, "Starting");
    logf_(job, "training job %s: %s on %u thread%s", name, a->name,
          job->threads, job->threads == 1 ? "" : "s");
    run(job, spec);
    fclose(job->log);
    fclose(job->metrics_csv);
    job->log = job->metrics_csv = NULL;
    *out = job;
    return KILN_OK;
}
