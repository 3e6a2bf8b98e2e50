/* kiln-bench-xgb-latency: the latency of one XGBoost prediction of one
 * row, the way an endpoint serves a request (the model loaded once, then
 * the descriptor's predict on a one-row dataset), for bench/xgboost/run.py.
 * Not installed.
 *
 *   kiln-bench-xgb-latency MODEL_DIR DATA [--calls N] [--rows R]
 *       Loads the model in MODEL_DIR with the xgboost descriptor's load,
 *       reads DATA (features only: text/csv with label_size=0, or
 *       whatever the bytes say), makes one-row datasets of its first R
 *       rows (default 1), and times N predict calls (default 10000), call
 *       i on row i mod R, after 100 calls of warm-up.  Prints one JSON
 *       object: {"calls": N, "rows": R, "median_us": ..., "mean_us": ...,
 *       "p90_us": ..., "p99_us": ..., "min_us": ..., "checksum": ...}
 *       (checksum: the sum of the first value of every call's first field,
 *       so that no call can be optimised away).
 *
 * Exit status: 0 done, 1 a kiln error ("Ename: message" on stderr), 2 bad
 * usage.
 */
#include "algos/algo.h"
#include "algos/data/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
    fprintf(stderr, "usage: kiln-bench-xgb-latency MODEL_DIR DATA "
                    "[--calls N] [--rows R]\n");
    return 2;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The value at quantile q of n sorted values (nearest rank). */
static double quantile(const double *sorted, size_t n, double q)
{
    size_t i = (size_t)ceil(q * (double)n);
    return sorted[i == 0 ? 0 : i - 1];
}

/* One-row dense datasets of the first `rows` rows of ds; *out holds rows
 * pointers, set only on KILN_OK. */
static int split_rows(const kiln_dataset *ds, size_t rows,
                      kiln_dataset ***out, kiln_error *err)
{
    size_t cols = kiln_dataset_cols(ds);
    kiln_dataset **one = calloc(rows, sizeof *one);
    if (one == NULL)
        return kiln_error_nomem(err);
    int rc = KILN_OK;
    for (size_t r = 0; rc == KILN_OK && r < rows; r++) {
        one[r] = kiln_dataset_new(0, cols);
        float *dst = one[r] == NULL
                         ? NULL
                         : kiln_dataset_push_dense(one[r], 0.0f, 1.0f, err);
        if (dst == NULL) {
            rc = one[r] == NULL ? kiln_error_nomem(err) : err->code;
            break;
        }
        /* missing stays missing: absent sparse entries are NaN, as
         * XGBoost reads libsvm */
        for (size_t j = 0; j < cols; j++)
            dst[j] = kiln_dataset_get(ds, r, j, NAN);
    }
    if (rc != KILN_OK) {
        for (size_t r = 0; r < rows; r++)
            kiln_dataset_free(one[r]);
        free(one);
        return rc;
    }
    *out = one;
    return KILN_OK;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *dir = argv[1], *data = argv[2];
    long calls = 10000, rows = 1;
    for (int i = 3; i < argc; i++) {
        bool more = i + 1 < argc;
        if (strcmp(argv[i], "--calls") == 0 && more)
            calls = atol(argv[++i]);
        else if (strcmp(argv[i], "--rows") == 0 && more)
            rows = atol(argv[++i]);
        else
            return usage();
    }
    if (calls < 1 || rows < 1)
        return usage();

    const kiln_algo *a = kiln_algo_find("xgboost", 7);
    kiln_error err;
    kiln_error_init(&err);
    if (a == NULL) {
        kiln_algo_unknown("xgboost", &err);
        fprintf(stderr, "%s: %s\n", kiln_status_ename(err.code), err.message);
        return 1;
    }
    void *model = NULL;
    kiln_dataset *ds = NULL;
    kiln_dataset **one = NULL;
    double *times = NULL;
    double checksum = 0.0;
    int rc = a->load(dir, &model, &err);
    if (rc == KILN_OK) {
        kiln_read_opts opts = {0};
        rc = kiln_content_type_parse("text/csv;label_size=0", &opts.type,
                                     &err);
        opts.type.format = KILN_FORMAT_UNKNOWN; /* sniff, keep label_size=0 */
        if (rc == KILN_OK)
            rc = kiln_data_load(data, &opts, &ds, &err);
    }
    if (rc == KILN_OK && kiln_dataset_cols(ds) != a->features(model))
        rc = kiln_error_set(&err, KILN_DATA, "%s has %zu features, the model "
                            "expects %zu", data, kiln_dataset_cols(ds),
                            a->features(model));
    if (rc == KILN_OK && (size_t)rows > kiln_dataset_rows(ds))
        rc = kiln_error_set(&err, KILN_DATA, "%s has %zu rows, fewer than "
                            "--rows %ld", data, kiln_dataset_rows(ds), rows);
    if (rc == KILN_OK)
        rc = split_rows(ds, (size_t)rows, &one, &err);
    if (rc == KILN_OK && (times = malloc((size_t)calls * sizeof *times)) ==
                             NULL)
        rc = kiln_error_nomem(&err);
    for (long i = -100; rc == KILN_OK && i < calls; i++) {
        kiln_predictions p = {0};
        const kiln_dataset *x = one[(i < 0 ? -i : i) % rows];
        double t0 = now();
        rc = a->predict(model, x, &p, &err);
        double t = now() - t0;
        if (rc == KILN_OK && i >= 0) {
            times[i] = t * 1e6;
            checksum += p.count > 0 ? (double)p.fields[0].values[0] : 0.0;
        }
        kiln_predictions_fini(&p);
    }
    if (rc == KILN_OK) {
        double sum = 0.0;
        for (long i = 0; i < calls; i++)
            sum += times[i];
        qsort(times, (size_t)calls, sizeof *times, cmp_double);
        size_t n = (size_t)calls;
        printf("{\"calls\": %ld, \"rows\": %ld, \"median_us\": %.3f, "
               "\"mean_us\": %.3f, \"p90_us\": %.3f, \"p99_us\": %.3f, "
               "\"min_us\": %.3f, \"checksum\": %.9g}\n",
               calls, rows, quantile(times, n, 0.5), sum / (double)calls,
               quantile(times, n, 0.9), quantile(times, n, 0.99), times[0],
               checksum);
    }
    free(times);
    for (long r = 0; one != NULL && r < rows; r++)
        kiln_dataset_free(one[r]);
    free(one);
    kiln_dataset_free(ds);
    if (model != NULL)
        a->free(model);
    if (rc != KILN_OK) {
        fprintf(stderr, "%s: %s\n", kiln_status_ename(err.code), err.message);
        return 1;
    }
    return 0;
}
