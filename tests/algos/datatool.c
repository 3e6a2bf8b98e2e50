/* kiln-datatool: kiln's data readers and writers from the command line,
 * for the Python tests that compare them with the SageMaker SDK's
 * (tests/python/test_data_recordio.py).  Not installed.
 *
 *   kiln-datatool convert IN OUT --to csv|libsvm|recordio-protobuf
 *                 [--content-type T] [--tensor float32|float64|int32]
 *                 [--label-tensor float32|float64|int32] [--sparse]
 *       kiln_data_load(IN) then kiln_data_write(OUT).
 *   kiln-datatool dump IN [--content-type T]
 *       kiln_data_load(IN), printed as one JSON object:
 *       {"rows", "cols", "sparse", "labels": [..] or null,
 *        "weights": [..] or null, and "dense": [[..], ..] or
 *        "indptr", "indices", "values"}.
 *       Numbers as %.9g (float32 round-trips), NaN as null, infinities as
 *       Infinity / -Infinity (which Python's json reads).
 *
 *   kiln-datatool stream IN [--content-type T] [--batch N]
 *       kiln_reader_next in batches of N rows (default 1000) through one
 *       reused batch, printed as {"rows", "batches", "max_batch",
 *       "label_sum", "feature_sum", "peak_rss_kib"} (sums in double;
 *       absent sparse entries and NaN count 0; VmHWM): the bounded-memory path, checked by
 *       tests/python/test_data_formats.py.
 *
 * Exit status: 0 done, 1 a kiln error (printed as "Ename: message" on
 * stderr), 2 bad usage.
 */
#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: kiln-datatool convert IN OUT --to "
            "csv|libsvm|recordio-protobuf [--content-type T]\n"
            "                     [--tensor float32|float64|int32] "
            "[--label-tensor ...] [--sparse]\n"
            "       kiln-datatool dump IN [--content-type T]\n"
            "       kiln-datatool stream IN [--content-type T] [--batch N]\n");
    return 2;
}

static int fail(const kiln_error *err)
{
    fprintf(stderr, "%s: %s\n", kiln_status_ename(err->code), err->message);
    return 1;
}

static bool tensor_type(const char *s, kiln_tensor_type *out)
{
    if (strcmp(s, "float32") == 0)
        *out = KILN_TENSOR_FLOAT32;
    else if (strcmp(s, "float64") == 0)
        *out = KILN_TENSOR_FLOAT64;
    else if (strcmp(s, "int32") == 0)
        *out = KILN_TENSOR_INT32;
    else
        return false;
    return true;
}

static void number(FILE *f, float v)
{
    if (isnan(v))
        fputs("null", f);
    else if (isinf(v))
        fputs(v > 0 ? "Infinity" : "-Infinity", f);
    else
        fprintf(f, "%.9g", (double)v);
}

static void floats(FILE *f, const float *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', f);
        number(f, v[i]);
    }
    fputc(']', f);
}

static void dump(FILE *f, const kiln_dataset *ds)
{
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    bool sparse = kiln_dataset_is_sparse(ds);
    fprintf(f, "{\"rows\":%zu,\"cols\":%zu,\"sparse\":%s,\"labels\":", rows,
            cols, sparse ? "true" : "false");
    if (kiln_dataset_has_labels(ds))
        floats(f, kiln_dataset_labels(ds), rows);
    else
        fputs("null", f);
    fputs(",\"weights\":", f);
    if (kiln_dataset_has_weights(ds))
        floats(f, kiln_dataset_weights(ds), rows);
    else
        fputs("null", f);
    if (!sparse) {
        fputs(",\"dense\":[", f);
        const float *x = kiln_dataset_dense(ds);
        for (size_t i = 0; i < rows; i++) {
            if (i)
                fputs(",\n", f);
            floats(f, x + i * cols, cols);
        }
        fputs("]}\n", f);
        return;
    }
    const size_t *indptr = kiln_dataset_indptr(ds);
    const uint32_t *indices = kiln_dataset_indices(ds);
    size_t nnz = kiln_dataset_nnz(ds);
    fputs(",\"indptr\":[", f);
    for (size_t i = 0; i <= rows; i++)
        fprintf(f, "%s%zu", i ? "," : "", indptr[i]);
    fputs("],\"indices\":[", f);
    for (size_t k = 0; k < nnz; k++)
        fprintf(f, "%s%u", k ? "," : "", (unsigned)indices[k]);
    fputs("],\"values\":", f);
    floats(f, kiln_dataset_values(ds), nnz);
    fputs("}\n", f);
}

/* This process's peak resident memory in KiB (VmHWM: the high-water
 * mark of its own address space; rusage's maxrss would also count the
 * process it was forked from, before exec), or -1. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = atol(line + 6);
    fclose(f);
    return kib;
}

/* The stream command (see the top). */
static int stream(const char *in, const char *content_type, long batch_rows)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts ropts;
    memset(&ropts, 0, sizeof ropts);
    if (kiln_content_type_parse(content_type, &ropts.type, &err) != KILN_OK)
        return fail(&err);
    kiln_reader *r;
    if (kiln_reader_open(in, &ropts, &r, &err) != KILN_OK)
        return fail(&err);
    kiln_dataset *batch = kiln_reader_batch_new(r);
    size_t rows = 0, batches = 0, max_batch = 0;
    double label_sum = 0, feature_sum = 0;
    int rc = 0;
    for (;;) {
        if (kiln_reader_next(r, (size_t)batch_rows, batch, &err) != KILN_OK) {
            rc = fail(&err);
            break;
        }
        size_t n = kiln_dataset_rows(batch);
        if (n == 0)
            break;
        rows += n;
        batches++;
        max_batch = n > max_batch ? n : max_batch;
        const float *y = kiln_dataset_labels(batch);
        for (size_t i = 0; y && i < n; i++)
            label_sum += y[i];
        const float *v = kiln_dataset_is_sparse(batch)
                             ? kiln_dataset_values(batch)
                             : kiln_dataset_dense(batch);
        size_t count = kiln_dataset_is_sparse(batch)
                           ? kiln_dataset_nnz(batch)
                           : n * kiln_dataset_cols(batch);
        for (size_t k = 0; k < count; k++)
            if (!isnan(v[k]))
                feature_sum += v[k];
    }
    if (rc == 0)
        printf("{\"rows\": %zu, \"batches\": %zu, \"max_batch\": %zu, "
               "\"label_sum\": %.17g, \"feature_sum\": %.17g, "
               "\"peak_rss_kib\": %ld}\n",
               rows, batches, max_batch, label_sum, feature_sum,
               peak_rss_kib());
    kiln_dataset_free(batch);
    kiln_reader_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "stream") == 0) {
        const char *type = NULL;
        long batch = 1000;
        for (int i = 3; i + 1 < argc; i += 2) {
            if (strcmp(argv[i], "--content-type") == 0)
                type = argv[i + 1];
            else if (strcmp(argv[i], "--batch") == 0)
                batch = atol(argv[i + 1]);
            else
                return usage();
        }
        return batch > 0 ? stream(argv[2], type, batch) : usage();
    }
    bool convert = strcmp(cmd, "convert") == 0;
    if (!convert && strcmp(cmd, "dump") != 0)
        return usage();
    int npos = convert ? 2 : 1;
    if (argc < 2 + npos)
        return usage();
    const char *in = argv[2], *out = convert ? argv[3] : NULL;
    const char *content_type = NULL, *to = NULL;
    kiln_write_opts wopts;
    memset(&wopts, 0, sizeof wopts);
    for (int i = 2 + npos; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--sparse") == 0 && convert) {
            wopts.sparse = true;
            continue;
        }
        if (v == NULL)
            return usage();
        i++;
        if (strcmp(a, "--content-type") == 0)
            content_type = v;
        else if (strcmp(a, "--to") == 0 && convert)
            to = v;
        else if (strcmp(a, "--tensor") == 0 && convert) {
            if (!tensor_type(v, &wopts.tensor))
                return usage();
        } else if (strcmp(a, "--label-tensor") == 0 && convert) {
            if (!tensor_type(v, &wopts.label_tensor))
                return usage();
        } else
            return usage();
    }

    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts ropts;
    memset(&ropts, 0, sizeof ropts);
    if (kiln_content_type_parse(content_type, &ropts.type, &err) != KILN_OK)
        return fail(&err);
    if (convert) {
        kiln_content_type t;
        if (to == NULL)
            return usage();
        if (kiln_content_type_parse(to, &t, &err) != KILN_OK)
            return fail(&err);
        if (t.format == KILN_FORMAT_UNKNOWN)
            return usage();
        wopts.format = t.format;
    }
    kiln_dataset *ds = NULL;
    if (kiln_data_load(in, &ropts, &ds, &err) != KILN_OK)
        return fail(&err);
    int rc = 0;
    if (convert) {
        if (kiln_data_write(out, ds, &wopts, &err) != KILN_OK)
            rc = fail(&err);
    } else {
        dump(stdout, ds);
        if (fflush(stdout) != 0)
            rc = 1;
    }
    kiln_dataset_free(ds);
    return rc;
}
