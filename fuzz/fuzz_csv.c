/* libFuzzer target: CSV channels (algos/data/csv.c, number.c) through
 * kiln_data_parse, and the chunk parser directly.
 *
 * Input layout: byte 0 picks the options (bit 0: label_size=0, bit 1:
 * weights when there is a label, bits 2-3: the feature count given, 0 for
 * none, bits 4-5: the delimiter of the direct parse); byte 1 where the
 * direct parse splits the input; the rest is the file.
 *
 * Invariants: a failure carries its code and a message; a dataset has a
 * consistent shape; encoding it and parsing the text again gives the same
 * rows, columns and values bit for bit (NaN as NaN); parsing in two
 * chunks (final=false, then the rest with final=true) gives what one call
 * gives, error message included; and when the whole file is one number
 * to kiln_parse_f32, it is the number (float)strtod reads.
 */
#include "algos/data/parse.h"
#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_float(float a, float b)
{
    return isnan(a) ? isnan(b) : memcmp(&a, &b, sizeof a) == 0;
}

static bool same_floats(const float *a, const float *b, size_t n)
{
    if (n == 0)
        return true;
    if (a == NULL || b == NULL)
        return a == b;
    for (size_t i = 0; i < n; i++)
        if (!same_float(a[i], b[i]))
            return false;
    return true;
}

static void check_shape(const kiln_dataset *ds, bool labels, bool weights)
{
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    if (rows == 0) /* an empty body: whatever layout, no rows */
        return;
    if (kiln_dataset_is_sparse(ds) || kiln_dataset_has_labels(ds) != labels ||
        kiln_dataset_has_weights(ds) != weights)
        abort();
    if (cols == 0 || kiln_dataset_dense(ds) == NULL)
        abort();
    /* Touch every value, so that a short allocation shows. */
    volatile float sink = 0;
    const float *v = kiln_dataset_dense(ds);
    for (size_t i = 0; i < rows * cols; i++)
        sink += v[i];
    if (labels) {
        for (size_t i = 0; i < rows; i++)
            if (isnan(kiln_dataset_labels(ds)[i]))
                abort(); /* a missing label is an error */
    }
    if (weights) {
        for (size_t i = 0; i < rows; i++)
            if (isnan(kiln_dataset_weights(ds)[i]))
                abort();
    }
    (void)sink;
}

static bool same_dataset(const kiln_dataset *a, const kiln_dataset *b)
{
    size_t rows = kiln_dataset_rows(a);
    if (rows != kiln_dataset_rows(b))
        return false;
    if (rows == 0)
        return true;
    size_t cols = kiln_dataset_cols(a);
    return cols == kiln_dataset_cols(b) &&
           same_floats(kiln_dataset_dense(a), kiln_dataset_dense(b),
                       rows * cols) &&
           same_floats(kiln_dataset_labels(a), kiln_dataset_labels(b), rows) &&
           same_floats(kiln_dataset_weights(a), kiln_dataset_weights(b), rows);
}

/* kiln_csv_parse on the whole input, and in two chunks: same result. */
static void check_chunks(const char *text, size_t len, size_t split,
                         int label_size, bool weights, char delim)
{
    unsigned flags = (label_size ? KILN_DATASET_LABELS : 0u) |
                     (weights ? KILN_DATASET_WEIGHTS : 0u);
    kiln_dataset *whole = kiln_dataset_new(flags, 0);
    kiln_dataset *parts = kiln_dataset_new(flags, 0);
    if (whole == NULL || parts == NULL)
        abort();
    kiln_parse_ctx c1, c2;
    memset(&c1, 0, sizeof c1);
    c1.file = "fuzz.csv";
    c1.line = 1;
    c1.label_size = label_size;
    c1.weights = weights;
    c1.delimiter = delim;
    c2 = c1;
    kiln_error e1, e2;
    kiln_error_init(&e1);
    kiln_error_init(&e2);
    size_t used1 = 0, used2 = 0, more = 0;
    int rc1 =
        kiln_csv_parse(&c1, text, len, true, SIZE_MAX, &used1, whole, &e1);
    int rc2 = kiln_csv_parse(&c2, text, split, split == len, SIZE_MAX, &used2,
                             parts, &e2);
    if (used2 > split)
        abort();
    if (rc2 == KILN_OK && split < len) {
        rc2 = kiln_csv_parse(&c2, text + used2, len - used2, true, SIZE_MAX,
                             &more, parts, &e2);
        used2 += more;
    }
    if (rc1 != rc2 || (rc1 != KILN_OK && strcmp(e1.message, e2.message) != 0))
        abort();
    if (rc1 == KILN_OK && (used1 != len || used2 != len || c1.line != c2.line ||
                           !same_dataset(whole, parts)))
        abort();
    kiln_dataset_free(whole);
    kiln_dataset_free(parts);
}

/* kiln_parse_f32 against the C library: its grammar is a subset of
 * strtod's, and its result the correctly rounded double cast to float. */
static void check_number(const char *s, size_t n)
{
    char buf[4097];
    float got;
    if (n == 0 || n >= sizeof buf || !kiln_parse_f32(s, n, &got))
        return;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    float want = (float)strtod(buf, &end);
    if (end != buf + n || !same_float(got, want)) {
        fprintf(stderr, "'%s': %a, strtod %a\n", buf, (double)got,
                (double)want);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t sel = data[0];
    size_t split = data[1];
    data += 2;
    size -= 2;
    if (split > size)
        split = size;

    kiln_read_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.type.format = KILN_FORMAT_CSV;
    opts.type.no_label = (sel & 1) != 0;
    int label_size = opts.type.no_label ? 0 : 1;
    opts.weights = label_size == 1 && (sel & 2);
    opts.cols = (sel >> 2) & 3;
    opts.threads = 1;

    check_number((const char *)data, size);
    check_chunks((const char *)data, size, split, label_size,
                 opts.weights, ",\t;|"[(sel >> 4) & 3]);

    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = NULL;
    int rc = kiln_data_parse(data, size, "fuzz.csv", &opts, &ds, &err);
    if (rc != KILN_OK) {
        if (err.code != rc || err.message[0] == '\0')
            abort();
        return 0;
    }
    bool labels = label_size == 1;
    check_shape(ds, labels, opts.weights);

    /* Encode, parse again: the same dataset. */
    kiln_write_opts w;
    memset(&w, 0, sizeof w);
    w.format = KILN_FORMAT_CSV;
    w.weights = opts.weights;
    kiln_buf text;
    kiln_buf_init(&text);
    if (kiln_data_encode(ds, 0, kiln_dataset_rows(ds), &w, &text, &err) !=
        KILN_OK)
        abort();
    kiln_dataset *again = NULL;
    kiln_error_init(&err);
    if (kiln_data_parse(kiln_buf_str(&text), text.len, "again.csv", &opts,
                        &again, &err) != KILN_OK ||
        !same_dataset(ds, again))
        abort();
    kiln_dataset_free(again);
    kiln_buf_fini(&text);
    kiln_dataset_free(ds);
    return 0;
}
