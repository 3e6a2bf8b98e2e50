/* Tests for platform/job.c, job_record.c, jobstore.c and artifact.c: a
 * training job's statuses, files and record, driven by the test's own
 * algorithm (the column means of the train channel, with a per-epoch
 * metric), so that the job machinery is checked apart from any real
 * algorithm.  The record is read back with jansson, the artifact with
 * libarchive directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "platform/artifact.h"
#include "platform/job.h"
#include "platform/jobstore.h"

#include "algos/hparams.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the test's algorithm --------------------------------------------------- */

typedef struct mean_model {
    size_t cols;
    double *means;
} mean_model;

static kiln_cancel *cancel_after_epoch1; /* interrupt in the second epoch */
static const kiln_dataset *last_train;   /* the dataset the last job read */
static kiln_channel_cache *job_cache;    /* given to run_job's jobs */

static int mean_train(const kiln_train_ctx *ctx, void **model, kiln_error *err)
{
    const kiln_dataset *d = ctx->train;
    last_train = d;
    if (kiln_hp_int(ctx->hp, "fail") == 1)
        return kiln_error_set(err, KILN_DATA, "%s", "x");
    if (kiln_hp_int(ctx->hp, "fail") == 2) {
        char big[1200];
        memset(big, 'y', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        return kiln_error_set(err, KILN_DATA, "%s", big);
    }
    int64_t epochs = kiln_hp_int(ctx->hp, "epochs");
    mean_model *m = calloc(1, sizeof *m);
    m->cols = kiln_dataset_cols(d);
    m->means = calloc(m->cols, sizeof *m->means);
    for (int64_t e = 0; e < epochs; e++) {
        if (e == 1 && cancel_after_epoch1 != NULL)
            kiln_cancel_request(cancel_after_epoch1);
        if (kiln_train_cancelled(ctx, err)) {
            free(m->means);
            free(m);
            return err->code;
        }
        kiln_train_log(ctx, "#quality_metric: host=algo-1, epoch=%lld, train "
                            "mse_objective <loss>=%g",
                       (long long)e, 1.0 / (double)(e + 1));
        kiln_train_metric(ctx, "train:objective_loss", e, 1.0 / (double)(e + 1));
        kiln_train_progress(ctx, (double)(e + 1) / (double)epochs, "epoch");
    }
    for (size_t i = 0; i < kiln_dataset_rows(d); i++)
        for (size_t j = 0; j < m->cols; j++)
            m->means[j] += kiln_dataset_get(d, i, j, 0) /
                           (double)kiln_dataset_rows(d);
    kiln_train_metric(ctx, "test:mse", -1, 0.25);
    *model = m;
    return KILN_OK;
}

static size_t mean_features(const void *model)
{
    return ((const mean_model *)model)->cols;
}

static int mean_save(const void *model, const char *dir, kiln_error *err)
{
    const mean_model *m = model;
    char path[4096];
    snprintf(path, sizeof path, "%s/model_algo-1", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return kiln_error_set(err, KILN_IO, "cannot write %s", path);
    for (size_t j = 0; j < m->cols; j++)
        fprintf(f, "%.17g\n", m->means[j]);
    fclose(f);
    return KILN_OK;
}

static void mean_free(void *model)
{
    mean_model *m = model;
    if (m == NULL)
        return;
    free(m->means);
    free(m);
}

static const kiln_hp_spec mean_hps[] = {
    {.name = "feature_dim", .type = KILN_HP_INT, .flags = KILN_HP_MIN,
     .min = 1, .default_value = "auto",
     .words = (const char *const[]){"auto", NULL}, .doc = "features"},
    {.name = "epochs", .type = KILN_HP_INT, .flags = KILN_HP_MIN,
     .default_value = "3", .min = 1, .doc = "epochs"},
    {.name = "fail", .type = KILN_HP_INT, .default_value = "0",
     .doc = "fail on purpose"},
    {0},
};

static const kiln_metric_def mean_metrics[] = {
    {.name = "train:objective_loss",
     .regex = "#quality_metric: host=\\S+, epoch=\\S+, train \\S+_objective "
              "<loss>=(\\S+)"},
    {0},
};

static const kiln_algo mean_algo = {
    .name = "column-mean",
    .title = "Column mean",
    .problem = "testing",
    .summary = "the mean of every column",
    .hparams = mean_hps,
    .metrics = mean_metrics,
    .channels = (const char *const[]){"train", "validation", NULL},
    .formats = (const kiln_format[]){KILN_FORMAT_CSV, KILN_FORMAT_UNKNOWN},
    .outputs = "none",
    .response_key = "predictions",
    .train = mean_train,
    .features = mean_features,
    .save = mean_save,
    .free = mean_free,
};

/* ---- fixtures ---------------------------------------------------------------- */

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/kiln-test-job-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    char path[512];
    snprintf(path, sizeof path, "%s/train.csv", tmp);
    FILE *f = fopen(path, "w");
    fputs("1,2\n3,4\n5,6\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kiln_artifact_rmtree(tmp);
    return 0;
}

typedef struct seen {
    int logs, metrics, statuses;
    char last_status[32];
    char statuses_text[256];
} seen;

static void ev_log(void *data, const char *line)
{
    (void)line;
    ((seen *)data)->logs++;
}

static void ev_metric(void *data, const char *name, int64_t step, double v)
{
    (void)name;
    (void)step;
    (void)v;
    ((seen *)data)->metrics++;
}

static void ev_status(void *data, const kiln_job *job)
{
    seen *s = data;
    s->statuses++;
    if (strcmp(s->last_status, kiln_job_secondary_status(job)) != 0) {
        snprintf(s->last_status, sizeof s->last_status, "%s",
                 kiln_job_secondary_status(job));
        size_t used = strlen(s->statuses_text);
        snprintf(s->statuses_text + used, sizeof s->statuses_text - used,
                 "%s ", kiln_job_secondary_status(job));
    }
}

static int run_job(const char *name, const char *const *hps, size_t nhp,
                   seen *s, kiln_cancel *cancel, kiln_job **out,
                   kiln_error *err)
{
    char train[512], root[512];
    snprintf(train, sizeof train, "%s/train.csv", tmp);
    snprintf(root, sizeof root, "%s/out", tmp);
    const char *names[8], *values[8];
    char buf[8][64];
    for (size_t i = 0; i < nhp; i++) {
        snprintf(buf[i], sizeof buf[i], "%s", hps[i]);
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        names[i] = buf[i];
        values[i] = eq + 1;
    }
    static kiln_job_events ev = {.log = ev_log, .metric = ev_metric,
                                 .status = ev_status};
    ev.data = s;
    kiln_job_spec spec = {
        .algo = &mean_algo,
        .name = name,
        .output_root = root,
        .channels = {{.name = "train", .path = train,
                      .content_type = "text/csv"}},
        .nchannels = 1,
        .hp_names = names,
        .hp_values = values,
        .nhp = nhp,
        .threads = 1,
        .cancel = cancel,
        .events = &ev,
        .cache = job_cache,
    };
    return kiln_job_run(&spec, out, err);
}

static bool exists(const char *a, const char *b)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", a, b);
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- tests --------------------------------------------------------------------- */

static void test_completed_job(void **state)
{
    (void)state;
    seen s = {0};
    kiln_error err;
    kiln_error_init(&err);
    kiln_job *job = NULL;
    assert_int_equal(run_job("mean-1", (const char *const[]){"epochs=4"}, 1,
                             &s, NULL, &job, &err),
                     KILN_OK);
    assert_string_equal(kiln_job_status(job), "Completed");
    assert_string_equal(kiln_job_secondary_status(job), "Completed");
    assert_null(kiln_job_failure(job));
    assert_string_equal(s.statuses_text,
                        "Starting Downloading Training Uploading Completed ");
    assert_int_equal(s.metrics, 5); /* 4 epochs and one final */
    assert_true(s.logs >= 4);

    /* describe.json, read back independently */
    char path[1024];
    snprintf(path, sizeof path, "%s/describe.json", kiln_job_dir(job));
    json_error_t jerr;
    json_t *d = json_load_file(path, 0, &jerr);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "TrainingJobName")),
                        "mean-1");
    assert_string_equal(
        json_string_value(json_object_get(d, "TrainingJobStatus")),
        "Completed");
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(d, "HyperParameters"), "epochs")),
        "4");
    const char *uri = json_string_value(json_object_get(
        json_object_get(d, "ModelArtifacts"), "S3ModelArtifacts"));
    assert_non_null(uri);
    assert_true(strncmp(uri, "file:///", 8) == 0);
    assert_true(strstr(uri, "/mean-1/output/model.tar.gz") != NULL);
    json_t *tr = json_object_get(d, "SecondaryStatusTransitions");
    assert_int_equal(json_array_size(tr), 5);
    const char *want[] = {"Starting", "Downloading", "Training", "Uploading",
                          "Completed"};
    for (size_t i = 0; i < 5; i++) {
        json_t *t = json_array_get(tr, i);
        assert_string_equal(json_string_value(json_object_get(t, "Status")),
                            want[i]);
        double t0 = kiln_jobs_parse_time(
            json_string_value(json_object_get(t, "StartTime")));
        double t1 = kiln_jobs_parse_time(
            json_string_value(json_object_get(t, "EndTime")));
        assert_true(t0 > 1.7e9 && t1 >= t0);
    }
    json_t *fm = json_object_get(d, "FinalMetricDataList");
    assert_int_equal(json_array_size(fm), 2);
    json_t *m0 = json_array_get(fm, 0);
    assert_string_equal(json_string_value(json_object_get(m0, "MetricName")),
                        "train:objective_loss");
    assert_true(fabs(json_number_value(json_object_get(m0, "Value")) - 0.25) <
                1e-12);
    assert_non_null(json_object_get(d, "TrainingTimeInSeconds"));
    json_t *defs = json_object_get(json_object_get(d, "AlgorithmSpecification"),
                                   "MetricDefinitions");
    assert_int_equal(json_array_size(defs), 1);
    json_decref(d);

    /* metrics.csv: a header, 4 epoch rows and the final one */
    snprintf(path, sizeof path, "%s/metrics.csv", kiln_job_dir(job));
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "step,metric,value,time\n");
    assert_non_null(fgets(line, sizeof line, f));
    assert_true(strncmp(line, "0,train:objective_loss,1,", 25) == 0);
    int rows = 1;
    while (fgets(line, sizeof line, f))
        rows++;
    assert_int_equal(rows, 5);
    fclose(f);

    /* the artifact: a gzip tar with model_algo-1 at its root */
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_filename(a, kiln_job_artifact(job), 4096),
                     ARCHIVE_OK);
    struct archive_entry *e;
    assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
    assert_string_equal(archive_entry_pathname(e), "model_algo-1");
    char body[256] = "";
    la_ssize_t got = archive_read_data(a, body, sizeof body - 1);
    assert_true(got > 0);
    assert_string_equal(body, "4\n"); /* the first column is the label */
    assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_EOF);
    archive_read_free(a);

    /* no temporary files left in output/ */
    snprintf(path, sizeof path, "%s/output", kiln_job_dir(job));
    DIR *dir = opendir(path);
    int entries = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL)
        if (de->d_name[0] != '.' || strlen(de->d_name) > 2)
            entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(dir);
    assert_int_equal(entries, 1);

    /* the job store sees it */
    kiln_job_summary *list = NULL;
    size_t n = 0;
    char root[512];
    snprintf(root, sizeof root, "%s/out", tmp);
    assert_int_equal(kiln_jobs_list(root, &list, &n, &err), KILN_OK);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, "mean-1");
    assert_string_equal(list[0].algorithm, "column-mean");
    assert_string_equal(list[0].status, "Completed");
    assert_int_equal(list[0].nmetrics, 2);
    kiln_jobs_list_free(list, n);
    kiln_metric_series *ms = NULL;
    assert_int_equal(kiln_jobs_metrics(root, "mean-1", &ms, &n, &err), KILN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ms[0].n, 4);
    assert_true(ms[0].values[3] == 0.25);
    kiln_jobs_metrics_free(ms, n);
    assert_int_equal(kiln_jobs_metrics(root, "mean-2", &ms, &n, &err), KILN_KEY);
    assert_non_null(strstr(err.message, "no training job named mean-2 in "));
    assert_non_null(strstr(err.message, "did you mean mean-1?"));
    kiln_job_free(job);
}

static void test_refused_before_any_work(void **state)
{
    (void)state;
    seen s = {0};
    kiln_error err;
    kiln_job *job = NULL;
    char root[512];
    snprintf(root, sizeof root, "%s/out", tmp);

    kiln_error_init(&err);
    assert_int_equal(run_job("mean-hp", (const char *const[]){"epoch=4"}, 1,
                             &s, NULL, &job, &err),
                     KILN_HYPERPARAMETER);
    assert_string_equal(err.message,
                        "unknown hyperparameter 'epoch' for column-mean (did "
                        "you mean epochs?)");
    assert_false(exists(root, "mean-hp"));

    kiln_error_init(&err);
    assert_int_equal(run_job("-bad", NULL, 0, &s, NULL, &job, &err),
                     KILN_USAGE);
    assert_non_null(strstr(err.message, "job name '-bad' is not valid"));

    kiln_error_init(&err);
    assert_int_equal(run_job("mean-dup", NULL, 0, &s, NULL, &job, &err),
                     KILN_OK);
    kiln_job_free(job);
    kiln_error_init(&err);
    assert_int_equal(run_job("mean-dup", NULL, 0, &s, NULL, &job, &err),
                     KILN_USAGE);
    assert_non_null(strstr(err.message,
                           "a training job named mean-dup already exists"));
    assert_int_equal(s.statuses, 5 + 1); /* the first run only (+1 final) */
}

static void test_failed_job(void **state)
{
    (void)state;
    seen s = {0};
    kiln_error err;
    kiln_error_init(&err);
    kiln_job *job = NULL;
    assert_int_equal(run_job("mean-fail", (const char *const[]){"fail=2"}, 1,
                             &s, NULL, &job, &err),
                     KILN_OK);
    assert_string_equal(kiln_job_status(job), "Failed");
    assert_string_equal(kiln_job_secondary_status(job), "Failed");
    assert_int_equal(kiln_job_failure_code(job), KILN_DATA);
    /* FailureReason: at most 1,024 characters */
    assert_int_equal(strlen(kiln_job_failure(job)), 1024);
    assert_true(strncmp(kiln_job_failure(job), "ClientError: yyy", 16) == 0);
    assert_null(kiln_job_artifact(job));
    assert_false(exists(kiln_job_dir(job), "output/model.tar.gz"));
    kiln_job_free(job);
}

static void test_interrupted_job(void **state)
{
    (void)state;
    seen s = {0};
    kiln_error err;
    kiln_error_init(&err);
    kiln_job *job = NULL;
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    cancel_after_epoch1 = &cancel;
    assert_int_equal(run_job("mean-stop", (const char *const[]){"epochs=5"}, 1,
                             &s, &cancel, &job, &err),
                     KILN_OK);
    cancel_after_epoch1 = NULL;
    assert_string_equal(kiln_job_status(job), "Stopped");
    assert_string_equal(kiln_job_secondary_status(job), "Stopped");
    assert_int_equal(kiln_job_failure_code(job), KILN_INTERRUPTED);
    assert_null(kiln_job_artifact(job));
    assert_false(exists(kiln_job_dir(job), "output/model.tar.gz"));
    assert_int_equal(s.metrics, 1); /* epoch 0 only */
    kiln_job_free(job);
}

static void test_default_name(void **state)
{
    (void)state;
    seen s = {0};
    kiln_error err;
    kiln_error_init(&err);
    kiln_job *a = NULL, *b = NULL;
    assert_int_equal(run_job(NULL, NULL, 0, &s, NULL, &a, &err), KILN_OK);
    assert_int_equal(run_job(NULL, NULL, 0, &s, NULL, &b, &err), KILN_OK);
    /* column-mean-YYYY-MM-DD-HH-MM-SS-mmm, unique */
    const char *n = kiln_job_name(a);
    assert_int_equal(strlen(n), strlen("column-mean-2026-11-22-09-20-01-123"));
    assert_true(strncmp(n, "column-mean-20", 14) == 0);
    assert_true(kiln_job_name_valid(n));
    assert_string_not_equal(kiln_job_name(a), kiln_job_name(b));
    kiln_job_free(a);
    kiln_job_free(b);
    assert_false(kiln_job_name_valid(""));
    assert_false(kiln_job_name_valid("a_b"));
    assert_false(kiln_job_name_valid("ab-"));
    char long_name[70];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    assert_false(kiln_job_name_valid(long_name));
    long_name[63] = '\0';
    assert_true(kiln_job_name_valid(long_name));
}

static void test_unpack_refuses_escapes(void **state)
{
    (void)state;
    /* A tar with "../evil" made with libarchive directly. */
    char tarpath[512], dir[512];
    snprintf(tarpath, sizeof tarpath, "%s/evil.tar.gz", tmp);
    snprintf(dir, sizeof dir, "%s/unpacked", tmp);
    mkdir(dir, 0777);
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    assert_int_equal(archive_write_open_filename(a, tarpath), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "../evil");
    archive_entry_set_size(e, 4);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, "evil", 4);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_artifact_unpack(tarpath, dir, &err), KILN_DATA);
    assert_non_null(strstr(err.message, "member '../evil' would land outside"));
    assert_false(exists(tmp, "evil"));

    /* not a tar at all */
    kiln_error_init(&err);
    char junk[512];
    snprintf(junk, sizeof junk, "%s/train.csv", tmp);
    assert_int_equal(kiln_artifact_unpack(junk, dir, &err), KILN_DATA);
}

/* Jobs given a channel cache read a channel once and share it; a job
 * without one reads its own; the models are the same. */
static void test_channel_cache(void **state)
{
    (void)state;
    kiln_channel_cache *cache = kiln_channel_cache_new();
    assert_non_null(cache);
    const kiln_dataset *seen_by[3];
    const char *names[3] = {"cache-1", "cache-2", "cache-3"};
    for (int i = 0; i < 3; i++) {
        job_cache = i < 2 ? cache : NULL;
        seen s = {0};
        kiln_error err;
        kiln_error_init(&err);
        kiln_job *job = NULL;
        assert_int_equal(run_job(names[i], (const char *const[]){"epochs=1"},
                                 1, &s, NULL, &job, &err),
                         KILN_OK);
        assert_string_equal(kiln_job_status(job), "Completed");
        seen_by[i] = last_train;
        kiln_job_free(job);
    }
    /* the cache still holds the first dataset: the third job's is
     * another allocation */
    assert_ptr_equal(seen_by[0], seen_by[1]);
    assert_ptr_not_equal(seen_by[0], seen_by[2]);
    job_cache = NULL;
    kiln_channel_cache_free(cache);
}

static void test_parse_time(void **state)
{
    (void)state;
    /* 2026-11-22T09:20:01Z = 1795339201 (date -u -d ... +%s) */
    assert_true(kiln_jobs_parse_time("2026-11-22T09:20:01.500000+00:00") ==
                1795339201.5);
    assert_true(kiln_jobs_parse_time("1970-01-01T00:00:00+00:00") == 0);
    assert_true(kiln_jobs_parse_time("2000-02-29T12:00:00+00:00") ==
                951825600);
    assert_true(kiln_jobs_parse_time("yesterday") == -1);
    assert_true(kiln_jobs_parse_time(NULL) == -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completed_job),
        cmocka_unit_test(test_refused_before_any_work),
        cmocka_unit_test(test_failed_job),
        cmocka_unit_test(test_interrupted_job),
        cmocka_unit_test(test_default_name),
        cmocka_unit_test(test_unpack_refuses_escapes),
        cmocka_unit_test(test_channel_cache),
        cmocka_unit_test(test_parse_time),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
