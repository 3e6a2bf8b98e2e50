/* bench/data: time kiln's channel reader on one file, in-process.
 *
 *   kiln-bench-data PATH [--content-type T] [--threads N] [--repeat N]
 *                   [--convert OUT.pbr] [--stream ROWS] [--memory]
 *
 * --memory times kiln_data_parse of the file's bytes already in memory
 * (read before the clock starts): parse throughput alone, no file I/O.
 *
 * --stream times the streaming reader instead: mini-batches of ROWS rows
 * through one reused batch (bounded memory).
 *
 * --convert writes the loaded rows as dense Float32 RecordIO-protobuf
 * (bench/data/run.py makes its RecordIO file so).
 * Prints one JSON object: the file's bytes, rows and columns, the best
 * wall time of kiln_data_load over the repeats (seconds) and, as the
 * memory-copy floor, the best time to memcpy the same number of bytes
 * between two buffers already in memory.  bench/data/run.py calls this
 * beside pandas and numpy.
 */
#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double memcpy_time(size_t bytes, int repeat)
{
    char *a = malloc(bytes), *b = malloc(bytes);
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return -1;
    }
    memset(a, 1, bytes);
    memset(b, 2, bytes); /* both resident before timing */
    double best = 1e30;
    for (int i = 0; i < repeat; i++) {
        double t0 = now();
        memcpy(b, a, bytes);
        double t = now() - t0;
        if (t < best)
            best = t;
        a[i % bytes] = b[(i * 7919) % bytes]; /* keep the copy observable */
    }
    free(a);
    free(b);
    return best;
}

/* The whole file in a malloc'd buffer, every page touched. */
static char *read_all(const char *path, size_t size)
{
    FILE *f = fopen(path, "rb");
    char *b = malloc(size ? size : 1);
    if (f == NULL || b == NULL || fread(b, 1, size, f) != size) {
        perror(path);
        if (f != NULL)
            fclose(f);
        free(b);
        return NULL;
    }
    fclose(f);
    return b;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *type = NULL, *convert = NULL;
    size_t stream = 0;
    bool memory = false;
    unsigned threads = 0;
    int repeat = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--content-type") == 0 && i + 1 < argc)
            type = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc)
            stream = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--convert") == 0 && i + 1 < argc)
            convert = argv[++i];
        else if (strcmp(argv[i], "--memory") == 0)
            memory = true;
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else
            path = argv[i];
    }
    if (path == NULL || repeat < 1) {
        fprintf(stderr, "usage: kiln-bench-data PATH [--content-type T] "
                        "[--threads N] [--repeat N]\n");
        return 2;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts opts = {.threads = threads};
    if (kiln_content_type_parse(type, &opts.type, &err) != KILN_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double best = 1e30;
    size_t rows = 0, cols = 0;
    for (int i = 0; stream > 0 && i < repeat; i++) {
        /* Mini-batches of `stream` rows through one reused batch: the
         * bounded-memory path, no output allocation after the first. */
        kiln_reader *r;
        double t0 = now();
        if (kiln_reader_open(path, &opts, &r, &err) != KILN_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        kiln_dataset *batch = kiln_reader_batch_new(r);
        rows = 0;
        for (;;) {
            if (kiln_reader_next(r, stream, batch, &err) != KILN_OK) {
                fprintf(stderr, "%s\n", err.message);
                return 1;
            }
            if (kiln_dataset_rows(batch) == 0)
                break;
            rows += kiln_dataset_rows(batch);
            cols = kiln_dataset_cols(batch);
        }
        double t = now() - t0;
        if (t < best)
            best = t;
        kiln_dataset_free(batch);
        kiln_reader_free(r);
    }
    char *bytes = NULL;
    if (memory && (bytes = read_all(path, (size_t)st.st_size)) == NULL)
        return 1;
    for (int i = 0; stream == 0 && i < repeat; i++) {
        kiln_dataset *ds;
        double t0 = now();
        int rc = memory ? kiln_data_parse(bytes, (size_t)st.st_size, path,
                                          &opts, &ds, &err)
                        : kiln_data_load(path, &opts, &ds, &err);
        if (rc != KILN_OK) {
            fprintf(stderr, "%s: %s\n", kiln_status_ename(err.code),
                    err.message);
            return 1;
        }
        double t = now() - t0;
        if (t < best)
            best = t;
        rows = kiln_dataset_rows(ds);
        cols = kiln_dataset_cols(ds);
        kiln_write_opts wo = {.format = KILN_FORMAT_RECORDIO};
        if (convert != NULL && i == 0 &&
            kiln_data_write(convert, ds, &wo, &err) != KILN_OK) {
            fprintf(stderr, "%s\n", err.message);
            kiln_dataset_free(ds);
            return 1;
        }
        kiln_dataset_free(ds);
    }
    free(bytes);
    double copy = memcpy_time((size_t)st.st_size, repeat);
    printf("{\"bytes\": %lld, \"rows\": %zu, \"cols\": %zu, "
           "\"seconds\": %.6f, \"memcpy_seconds\": %.6f}\n",
           (long long)st.st_size, rows, cols, best, copy);
    return 0;
}
