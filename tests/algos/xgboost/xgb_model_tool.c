/* kiln-xgb-model-tool: kiln's XGBoost model files and prediction from the
 * command line, for tests/python/test_xgb_model.py, which checks them
 * against the xgboost library.  Not installed.
 *
 *   kiln-xgb-model-tool predict MODEL DATA_CSV [--margin] [--sparse]
 *                       [--threads N] [--ntrees N]
 *       Loads MODEL (any format xgboost writes), reads DATA_CSV (features
 *       only, no header; an empty field is missing) and prints one line
 *       per row: the row's output groups, comma-separated, %.9g.  The
 *       objective's transform is applied unless --margin.  --sparse keeps
 *       the rows as CSR with the empty fields absent (else dense, NaN).
 *   kiln-xgb-model-tool tojson MODEL OUT_FILE
 *       Loads MODEL and writes it as kiln's JSON (xgboost 1.7's schema).
 *   kiln-xgb-model-tool info MODEL
 *       One JSON object: objective, num_feature, num_class, trees,
 *       base_score, best_iteration, best_ntree_limit.
 *   kiln-xgb-model-tool importance MODEL
 *       One line per feature used by a split: "f,weight,total_gain,
 *       total_cover" (xgboost's get_score).
 *   kiln-xgb-model-tool latency MODEL DATA_CSV [--iterations N]
 *       N calls (default 100000) of one row each, cycling through the
 *       first 1000 rows, and prints the mean seconds per call.
 *
 * Exit status: 0 done, 1 a kiln error ("Ename: message" on stderr), 2 bad
 * usage.
 */
#include "algos/data/dataset.h"
#include "algos/xgboost/xgb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: kiln-xgb-model-tool predict MODEL DATA_CSV [--margin] "
            "[--sparse] [--threads N] [--ntrees N]\n"
            "       kiln-xgb-model-tool tojson MODEL OUT_FILE\n"
            "       kiln-xgb-model-tool info MODEL\n"
            "       kiln-xgb-model-tool importance MODEL\n"
            "       kiln-xgb-model-tool latency MODEL DATA_CSV "
            "[--iterations N]\n");
    return 2;
}

static int fail(const kiln_error *err)
{
    fprintf(stderr, "%s: %s\n", kiln_status_ename(err->code), err->message);
    return 1;
}

/* The whole file into a heap buffer. */
static int read_file(const char *path, char **data, size_t *len,
                     kiln_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(err, KILN_IO, "cannot open %s", path);
    kiln_buf b;
    kiln_buf_init(&b);
    char chunk[65536];
    size_t n;
    int rc = KILN_OK;
    while (rc == KILN_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = kiln_buf_append(&b, chunk, n);
    fclose(f);
    if (rc != KILN_OK) {
        kiln_buf_fini(&b);
        return kiln_error_nomem(err);
    }
    *len = b.len;
    *data = kiln_buf_steal(&b);
    return *data != NULL ? KILN_OK : kiln_error_nomem(err);
}

static int load_model(const char *path, kiln__xgb_model **m, kiln_error *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = read_file(path, &data, &len, err);
    if (rc == KILN_OK)
        rc = kiln__xgb_load(data, len, path, m, err);
    free(data);
    return rc;
}

/* ---- CSV ---------------------------------------------------------------- */

/* The fields of line (modified in place), up to max. */
static size_t split_fields(char *line, char **field, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        if (n < max)
            field[n] = p;
        n++;
        char *comma = strchr(p, ',');
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

static int push_row(kiln_dataset *ds, char **field, size_t n, bool sparse,
                    size_t line, kiln_error *err)
{
    uint32_t idx[4096];
    float val[4096];
    size_t nnz = 0;
    float *dense = sparse ? NULL : kiln_dataset_push_dense(ds, 0, 1, err);
    if (!sparse && dense == NULL)
        return err->code;
    for (size_t j = 0; j < n; j++) {
        char *end;
        float v = NAN;
        if (field[j][0] != '\0') {
            v = strtof(field[j], &end);
            if (end == field[j])
                return kiln_error_set(err, KILN_DATA,
                                      "line %zu: field %zu is not a number",
                                      line, j + 1);
        }
        if (!sparse) {
            dense[j] = v;
        } else if (field[j][0] != '\0') {
            idx[nnz] = (uint32_t)j;
            val[nnz++] = v;
        }
    }
    return sparse ? kiln_dataset_push_sparse(ds, idx, val, nnz, 0, 1, err)
                  : KILN_OK;
}

static int read_csv(const char *path, bool sparse, kiln_dataset **out,
                    kiln_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(path, &text, &len, err);
    if (rc != KILN_OK)
        return rc;
    kiln_dataset *ds = NULL;
    char *field[4096];
    size_t line_no = 0, cols = 0;
    for (char *line = text; rc == KILN_OK && *line != '\0';) {
        char *nl = strchr(line, '\n');
        char *next = nl != NULL ? nl + 1 : line + strlen(line);
        if (nl != NULL)
            *nl = '\0';
        line_no++;
        if (line[0] != '\0' && line[0] != '\r') {
            line[strcspn(line, "\r")] = '\0';
            size_t n = split_fields(line, field, 4096);
            if (ds == NULL) {
                cols = n;
                ds = kiln_dataset_new(sparse ? KILN_DATASET_SPARSE : 0, n);
                if (ds == NULL || n > 4096)
                    rc = kiln_error_set(err, KILN_NOMEM, "%zu columns", n);
            } else if (n != cols) {
                rc = kiln_error_set(err, KILN_DATA,
                                    "line %zu: %zu fields, expected %zu",
                                    line_no, n, cols);
            }
            if (rc == KILN_OK)
                rc = push_row(ds, field, n, sparse, line_no, err);
        }
        line = next;
    }
    free(text);
    if (rc == KILN_OK && ds == NULL)
        rc = kiln_error_set(err, KILN_DATA, "%s has no rows", path);
    if (rc != KILN_OK) {
        kiln_dataset_free(ds);
        return rc;
    }
    if (sparse)
        kiln_dataset_set_cols(ds, cols);
    *out = ds;
    return KILN_OK;
}

/* ---- commands ----------------------------------------------------------- */

static int print_predictions(const kiln__xgb_model *m, const kiln_dataset *x,
                             bool margin_only, unsigned threads,
                             size_t ntrees, kiln_error *err)
{
    size_t n = kiln_dataset_rows(x), k = (size_t)m->num_group;
    float *out = malloc((n * k > 0 ? n * k : 1) * sizeof *out);
    if (out == NULL)
        return kiln_error_nomem(err);
    kiln__xgb_predict_margin(m, x, ntrees, threads, out);
    size_t width = k;
    if (!margin_only && m->objective != NULL) {
        m->objective->transform(&m->params, out, n, (int)k, false);
        if (strcmp(m->objective->name, "multi:softmax") == 0)
            width = 1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t g = 0; g < width; g++)
            printf("%.9g%c", (double)out[i * width + g],
                   g + 1 < width ? ',' : '\n');
    free(out);
    return KILN_OK;
}

static int cmd_predict(int argc, char **argv, kiln_error *err)
{
    if (argc < 4)
        return usage();
    bool margin = false, sparse = false;
    unsigned threads = 1;
    size_t ntrees = 0;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--margin") == 0)
            margin = true;
        else if (strcmp(argv[i], "--sparse") == 0)
            sparse = true;
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--ntrees") == 0 && i + 1 < argc)
            ntrees = (size_t)atol(argv[++i]);
        else
            return usage();
    }
    kiln__xgb_model *m = NULL;
    kiln_dataset *x = NULL;
    int rc = load_model(argv[2], &m, err);
    if (rc == KILN_OK)
        rc = read_csv(argv[3], sparse, &x, err);
    if (rc == KILN_OK)
        rc = print_predictions(m, x, margin, threads, ntrees, err);
    kiln_dataset_free(x);
    kiln__xgb_model_free(m);
    return rc == KILN_OK ? 0 : fail(err);
}

static int cmd_tojson(int argc, char **argv, kiln_error *err)
{
    if (argc != 4)
        return usage();
    kiln__xgb_model *m = NULL;
    kiln_buf out;
    kiln_buf_init(&out);
    int rc = load_model(argv[2], &m, err);
    if (rc == KILN_OK)
        rc = kiln__xgb_save_json(m, &out, err);
    if (rc == KILN_OK) {
        FILE *f = fopen(argv[3], "wb");
        if (f == NULL || fwrite(out.data, 1, out.len, f) != out.len)
            rc = kiln_error_set(err, KILN_IO, "cannot write %s", argv[3]);
        if (f != NULL && fclose(f) != 0 && rc == KILN_OK)
            rc = kiln_error_set(err, KILN_IO, "cannot write %s", argv[3]);
    }
    kiln_buf_fini(&out);
    kiln__xgb_model_free(m);
    return rc == KILN_OK ? 0 : fail(err);
}

static int cmd_info(int argc, char **argv, kiln_error *err)
{
    if (argc != 3)
        return usage();
    kiln__xgb_model *m = NULL;
    if (load_model(argv[2], &m, err) != KILN_OK)
        return fail(err);
    printf("{\"objective\": \"%s\", \"num_feature\": %zu, \"num_class\": %d, "
           "\"trees\": %zu, \"base_score\": %.9g, \"base_margin\": %.9g, "
           "\"best_iteration\": %lld, \"best_ntree_limit\": %lld}\n",
           m->objective != NULL ? m->objective->name : "", m->num_feature,
           m->num_class, m->ntrees, m->base_score, (double)m->base_margin,
           (long long)m->best_iteration, (long long)m->best_ntree_limit);
    kiln__xgb_model_free(m);
    return 0;
}

static int cmd_importance(int argc, char **argv, kiln_error *err)
{
    if (argc != 3)
        return usage();
    kiln__xgb_model *m = NULL;
    if (load_model(argv[2], &m, err) != KILN_OK)
        return fail(err);
    size_t nf = m->num_feature > 0 ? m->num_feature : 1;
    double *w = calloc(nf, sizeof *w), *g = calloc(nf, sizeof *g),
           *c = calloc(nf, sizeof *c);
    int rc = w != NULL && g != NULL && c != NULL ? KILN_OK
                                                 : kiln_error_nomem(err);
    if (rc == KILN_OK) {
        kiln__xgb_importance(m, w, g, c);
        for (size_t f = 0; f < m->num_feature; f++)
            if (w[f] > 0)
                printf("%zu,%.17g,%.17g,%.17g\n", f, w[f], g[f], c[f]);
    }
    free(w);
    free(g);
    free(c);
    kiln__xgb_model_free(m);
    return rc == KILN_OK ? 0 : fail(err);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One-row datasets of the first rows of x (at most max). */
static int one_row_sets(const kiln_dataset *x, size_t max, kiln_dataset ***out,
                        size_t *count, kiln_error *err)
{
    size_t n = kiln_dataset_rows(x), cols = kiln_dataset_cols(x);
    n = n < max ? n : max;
    kiln_dataset **sets = calloc(n, sizeof *sets);
    if (sets == NULL)
        return kiln_error_nomem(err);
    *out = sets;
    *count = n;
    for (size_t i = 0; i < n; i++) {
        sets[i] = kiln_dataset_new(0, cols);
        float *row = sets[i] != NULL ? kiln_dataset_push_dense(sets[i], 0, 1,
                                                               err)
                                     : NULL;
        if (row == NULL)
            return kiln_error_nomem(err);
        memcpy(row, kiln_dataset_dense(x) + i * cols, cols * sizeof *row);
    }
    return KILN_OK;
}

static int cmd_latency(int argc, char **argv, kiln_error *err)
{
    if (argc < 4)
        return usage();
    long iterations = 100000;
    if (argc == 6 && strcmp(argv[4], "--iterations") == 0)
        iterations = atol(argv[5]);
    else if (argc != 4)
        return usage();
    kiln__xgb_model *m = NULL;
    kiln_dataset *x = NULL, **rows = NULL;
    size_t nrows = 0;
    float *out = NULL;
    int rc = load_model(argv[2], &m, err);
    if (rc == KILN_OK)
        rc = read_csv(argv[3], false, &x, err);
    if (rc == KILN_OK)
        rc = one_row_sets(x, 1000, &rows, &nrows, err);
    if (rc == KILN_OK &&
        (out = malloc((size_t)m->num_group * sizeof *out)) == NULL)
        rc = kiln_error_nomem(err);
    if (rc == KILN_OK) {
        /* One call per row, cycling through up to 1000 different rows. */
        double sink = 0, t0 = now();
        for (long i = 0; i < iterations; i++) {
            kiln__xgb_predict_margin(m, rows[(size_t)i % nrows], 0, 1, out);
            sink += out[0];
        }
        double t = (now() - t0) / (double)iterations;
        printf("%.9g seconds per row (%zu trees, %zu different rows; check "
               "%g)\n",
               t, m->ntrees, nrows, sink / (double)iterations);
    }
    for (size_t i = 0; i < nrows; i++)
        kiln_dataset_free(rows[i]);
    free(rows);
    free(out);
    kiln_dataset_free(x);
    kiln__xgb_model_free(m);
    return rc == KILN_OK ? 0 : fail(err);
}

int main(int argc, char **argv)
{
    kiln_error err;
    kiln_error_init(&err);
    if (argc < 3)
        return usage();
    if (strcmp(argv[1], "predict") == 0)
        return cmd_predict(argc, argv, &err);
    if (strcmp(argv[1], "tojson") == 0)
        return cmd_tojson(argc, argv, &err);
    if (strcmp(argv[1], "info") == 0)
        return cmd_info(argc, argv, &err);
    if (strcmp(argv[1], "importance") == 0)
        return cmd_importance(argc, argv, &err);
    if (strcmp(argv[1], "latency") == 0)
        return cmd_latency(argc, argv, &err);
    return usage();
}
