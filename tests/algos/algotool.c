/* kiln-algotool: an algorithm's train and predict from the command line,
 * for the Python tests that compare kiln's algorithms with scikit-learn
 * (tests/python/test_algo_*.py).  Not installed.  It goes straight to the
 * descriptor (no job records, no output root): the tests check the
 * algorithm, tests/python/test_train*.py check the jobs.
 *
 *   kiln-algotool train ALGO --train PATH [--validation PATH] [--test PATH]
 *                 [--content-type T] --model-dir DIR [--threads N]
 *                 [hp=value ...]
 *       Loads the channels, checks the hyperparameters, trains, and saves
 *       the artifact files into DIR (created if missing).  Prints one JSON
 *       object per line: {"log": LINE} for each log line, {"metric": NAME,
 *       "step": S, "value": V} for each metric, and last {"done": true,
 *       "seconds": T} (training time, without loading or saving).
 *   kiln-algotool predict ALGO --model-dir DIR --data PATH
 *                 [--content-type T]
 *       Loads the model, predicts every row, prints {"rows": N, "fields":
 *       {NAME: [[v, ...], ...]}} (rows x width; %.9g).
 *
 * Without --content-type, CSV channels of an unsupervised algorithm are
 * read with label_size=0, as SageMaker requires them to be declared.
 * Exit status: 0 done, 1 a kiln error ("Ename: message" on stderr), 2 bad
 * usage.
 */
#include "algos/algo.h"
#include "algos/data/reader.h"
#include "algos/hparams.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: kiln-algotool train ALGO --train PATH [--validation PATH]"
            " [--test PATH]\n"
            "                     [--content-type T] --model-dir DIR "
            "[--threads N] [hp=value ...]\n"
            "       kiln-algotool predict ALGO --model-dir DIR --data PATH "
            "[--content-type T]\n");
    return 2;
}

static int fail(const kiln_error *err)
{
    fprintf(stderr, "%s: %s\n", kiln_status_ename(err->code), err->message);
    return 1;
}

/* A JSON string literal of s on stdout. */
static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void json_number(double v)
{
    if (isnan(v))
        fputs("NaN", stdout);
    else if (isinf(v))
        fputs(v > 0 ? "Infinity" : "-Infinity", stdout);
    else
        printf("%.9g", v);
}

static void on_log(void *data, const char *line)
{
    (void)data;
    fputs("{\"log\": ", stdout);
    json_string(line);
    fputs("}\n", stdout);
}

static void on_metric(void *data, const char *name, int64_t step,
                      double value)
{
    (void)data;
    fputs("{\"metric\": ", stdout);
    json_string(name);
    printf(", \"step\": %lld, \"value\": ", (long long)step);
    json_number(value);
    fputs("}\n", stdout);
}

/* A channel as a training job reads it (platform/job.c): CSV of an
 * unsupervised algorithm without a label, and the descriptor's read_opts
 * (XGBoost's csv_weights).  hp may be NULL (predict). */
static int load_channel(const kiln_algo *a, const kiln_hparams *hp,
                        const char *channel, const char *path,
                        const char *type, kiln_dataset **out, kiln_error *err)
{
    kiln_read_opts opts = {0};
    const char *t = type;
    if (t == NULL && !(a->flags & KILN_ALGO_SUPERVISED))
        t = "text/csv;label_size=0";
    if (t != NULL &&
        kiln_content_type_parse(t, &opts.type, err) != KILN_OK)
        return err->code;
    if (type == NULL && !(a->flags & KILN_ALGO_SUPERVISED))
        opts.type.format = KILN_FORMAT_UNKNOWN; /* sniff, keep label_size=0 */
    if (hp != NULL && a->read_opts != NULL)
        a->read_opts(hp, channel, &opts);
    return kiln_data_load(path, &opts, out, err);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int train(const kiln_algo *a, int argc, char **argv)
{
    const char *paths[3] = {NULL, NULL, NULL}; /* train, validation, test */
    const char *type = NULL, *dir = NULL;
    unsigned threads = 0;
    const char **names = calloc((size_t)argc + 1, sizeof *names);
    const char **values = calloc((size_t)argc + 1, sizeof *values);
    char **owned = calloc((size_t)argc + 1, sizeof *owned);
    size_t n = 0;
    if (names == NULL || values == NULL || owned == NULL)
        return 1;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(arg, "--train") == 0 && more)
            paths[0] = argv[++i];
        else if (strcmp(arg, "--validation") == 0 && more)
            paths[1] = argv[++i];
        else if (strcmp(arg, "--test") == 0 && more)
            paths[2] = argv[++i];
        else if (strcmp(arg, "--content-type") == 0 && more)
            type = argv[++i];
        else if (strcmp(arg, "--model-dir") == 0 && more)
            dir = argv[++i];
        else if (strcmp(arg, "--threads") == 0 && more)
            threads = (unsigned)atoi(argv[++i]);
        else if (strchr(arg, '=') != NULL && arg[0] != '-') {
            owned[n] = strdup(arg);
            if (owned[n] == NULL)
                return 1;
            char *eq = strchr(owned[n], '=');
            *eq = '\0';
            names[n] = owned[n];
            values[n] = eq + 1;
            n++;
        } else {
            return usage();
        }
    }
    if (paths[0] == NULL || dir == NULL)
        return usage();
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    kiln_dataset *ds[3] = {NULL, NULL, NULL};
    void *model = NULL;
    int rc = kiln_hparams_parse(a, names, values, n, &hp, &err);
    for (int c = 0; rc == KILN_OK && c < 3; c++)
        if (paths[c] != NULL)
            rc = load_channel(a, hp, (const char *[]){"train", "validation",
                                                      "test"}[c],
                              paths[c], type, &ds[c], &err);
    if (rc == KILN_OK && mkdir(dir, 0777) != 0 && errno != EEXIST)
        rc = kiln_error_set(&err, KILN_IO, "cannot create %s: %s", dir,
                            strerror(errno));
    if (rc == KILN_OK) {
        if (threads == 0) {
            long cores = sysconf(_SC_NPROCESSORS_ONLN);
            threads = cores < 1 ? 1u : (unsigned)cores;
        }
        kiln_train_events ev = {.log = on_log, .metric = on_metric};
        kiln_train_ctx ctx = {.hp = hp, .train = ds[0], .validation = ds[1],
                              .test = ds[2], .threads = threads,
                              .events = &ev};
        double t0 = now();
        rc = a->train(&ctx, &model, &err);
        double t = now() - t0;
        if (rc == KILN_OK)
            rc = a->save(model, dir, &err);
        if (rc == KILN_OK)
            printf("{\"done\": true, \"seconds\": %.6f}\n", t);
    }
    if (model != NULL)
        a->free(model);
    for (int c = 0; c < 3; c++)
        kiln_dataset_free(ds[c]);
    kiln_hparams_free(hp);
    for (size_t i = 0; i < n; i++)
        free(owned[i]);
    free(owned);
    free(names);
    free(values);
    return rc == KILN_OK ? 0 : fail(&err);
}

static int predict(const kiln_algo *a, int argc, char **argv)
{
    const char *type = NULL, *dir = NULL, *data = NULL;
    for (int i = 0; i < argc; i++) {
        bool more = i + 1 < argc;
        if (strcmp(argv[i], "--model-dir") == 0 && more)
            dir = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && more)
            data = argv[++i];
        else if (strcmp(argv[i], "--content-type") == 0 && more)
            type = argv[++i];
        else
            return usage();
    }
    if (dir == NULL || data == NULL)
        return usage();
    kiln_error err;
    kiln_error_init(&err);
    void *model = NULL;
    kiln_dataset *ds = NULL;
    kiln_predictions p = {0};
    /* Inference CSV has no label column (SageMaker: label_size=0). */
    int rc = a->load(dir, &model, &err);
    if (rc == KILN_OK) {
        kiln_read_opts opts = {0};
        rc = kiln_content_type_parse(type ? type : "text/csv;label_size=0",
                                     &opts.type, &err);
        if (rc == KILN_OK && type == NULL)
            opts.type.format = KILN_FORMAT_UNKNOWN;
        if (rc == KILN_OK)
            rc = kiln_data_load(data, &opts, &ds, &err);
    }
    if (rc == KILN_OK && kiln_dataset_cols(ds) != a->features(model))
        rc = kiln_error_set(&err, KILN_DATA, "%s has %zu features, the model "
                            "expects %zu", data, kiln_dataset_cols(ds),
                            a->features(model));
    if (rc == KILN_OK)
        rc = a->predict(model, ds, &p, &err);
    if (rc == KILN_OK) {
        printf("{\"rows\": %zu, \"fields\": {", p.rows);
        for (size_t f = 0; f < p.count; f++) {
            const kiln_pred_field *fl = &p.fields[f];
            printf("%s", f ? ", " : "");
            json_string(fl->name);
            fputs(": [", stdout);
            for (size_t r = 0; r < p.rows; r++) {
                fputs(r ? ", [" : "[", stdout);
                for (size_t j = 0; j < fl->width; j++) {
                    if (j)
                        fputs(", ", stdout);
                    json_number(fl->values[r * fl->width + j]);
                }
                putchar(']');
            }
            putchar(']');
        }
        fputs("}}\n", stdout);
    }
    kiln_predictions_fini(&p);
    kiln_dataset_free(ds);
    if (model != NULL)
        a->free(model);
    return rc == KILN_OK ? 0 : fail(&err);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const kiln_algo *a = kiln_algo_find(argv[2], strlen(argv[2]));
    if (a == NULL) {
        kiln_error err;
        kiln_error_init(&err);
        kiln_algo_unknown(argv[2], &err);
        return fail(&err);
    }
    if (strcmp(argv[1], "train") == 0)
        return train(a, argc - 3, argv + 3);
    if (strcmp(argv[1], "predict") == 0)
        return predict(a, argc - 3, argv + 3);
    return usage();
}
