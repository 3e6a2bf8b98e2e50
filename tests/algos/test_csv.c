/* Tests for algos/data/csv.c: the CSV chunk parser against a naive
 * reference parser (strchr and strtod) on generated files, the exact
 * error messages, chunked parsing (random chunk sizes and row limits give
 * the dataset one call gives), kiln_csv_first_fields, and the encoder
 * (exact text, and encode -> parse bit for bit, NaN and infinities
 * included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/data/parse.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fewer random cases under valgrind (meson test --setup valgrind sets
 * KILN_TEST_UNDER_VALGRIND): the same checks, 1/50 of the repetitions. */
static int reps(int n)
{
    if (getenv("KILN_TEST_UNDER_VALGRIND") == NULL)
        return n;
    return n / 50 > 2 ? n / 50 : 2;
}

/* ---- helpers -------------------------------------------------------- */

static uint64_t rng_state = UINT64_C(0x2545f4914f6cdd1d);

static uint64_t rnd(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

static uint32_t bits_of(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static bool same_float(float a, float b)
{
    return isnan(a) ? isnan(b) : bits_of(a) == bits_of(b);
}

static unsigned flags_for(int label_size, bool weights)
{
    return (label_size ? KILN_DATASET_LABELS : 0u) |
           (weights ? KILN_DATASET_WEIGHTS : 0u);
}

static kiln_parse_ctx ctx_for(int label_size, bool weights, char delim)
{
    kiln_parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.file = "train.csv";
    ctx.line = 1;
    ctx.label_size = label_size;
    ctx.weights = weights;
    ctx.delimiter = delim;
    return ctx;
}

/* Parse all of text in one call into a new dataset. */
static int parse_text(const char *text, size_t len, int label_size,
                      bool weights, char delim, kiln_dataset **out,
                      kiln_error *err)
{
    kiln_parse_ctx ctx = ctx_for(label_size, weights, delim);
    kiln_dataset *ds = kiln_dataset_new(flags_for(label_size, weights), 0);
    assert_non_null(ds);
    size_t used = 0;
    kiln_error_init(err);
    int rc = kiln_csv_parse(&ctx, text, len, true, SIZE_MAX, &used, ds, err);
    if (rc == KILN_OK) {
        assert_int_equal(used, len);
        assert_int_equal(kiln_dataset_cols(ds), ctx.cols);
    } else {
        assert_int_equal(err->code, rc);
        assert_true(err->message[0] != '\0');
    }
    *out = ds;
    return rc;
}

static void assert_same_dataset(const kiln_dataset *a, const kiln_dataset *b)
{
    assert_int_equal(kiln_dataset_flags(a), kiln_dataset_flags(b));
    assert_int_equal(kiln_dataset_rows(a), kiln_dataset_rows(b));
    assert_int_equal(kiln_dataset_cols(a), kiln_dataset_cols(b));
    size_t rows = kiln_dataset_rows(a), cols = kiln_dataset_cols(a);
    const float *da = kiln_dataset_dense(a), *db = kiln_dataset_dense(b);
    for (size_t i = 0; i < rows * cols; i++)
        if (!same_float(da[i], db[i]))
            fail_msg("value %zu: %a vs %a", i, (double)da[i], (double)db[i]);
    const float *la = kiln_dataset_labels(a), *lb = kiln_dataset_labels(b);
    const float *wa = kiln_dataset_weights(a), *wb = kiln_dataset_weights(b);
    for (size_t i = 0; i < rows; i++) {
        if (la != NULL && !same_float(la[i], lb[i]))
            fail_msg("label %zu: %a vs %a", i, (double)la[i], (double)lb[i]);
        if (wa != NULL && !same_float(wa[i], wb[i]))
            fail_msg("weight %zu: %a vs %a", i, (double)wa[i], (double)wb[i]);
    }
}

/* The message of parsing text (which must fail with KILN_DATA). */
static void expect_error(const char *text, int label_size, bool weights,
                         const char *want)
{
    kiln_dataset *ds;
    kiln_error err;
    int rc = parse_text(text, strlen(text), label_size, weights, ',', &ds,
                        &err);
    if (rc != KILN_DATA)
        fail_msg("'%s': rc %d, want KILN_DATA (%s)", text, rc, err.message);
    assert_string_equal(err.message, want);
    kiln_dataset_free(ds);
}

/* ---- the naive reference -------------------------------------------- */

typedef struct ref_data {
    size_t rows, cols;
    float *labels, *weights, *values;
} ref_data;

/* Reads unquoted CSV the obvious way: split at '\n', drop a '\r', skip
 * blank lines, split at the delimiter, trim, strtod.  The generator below
 * writes only what this understands, and no errors. */
static void ref_parse(const char *text, int label_size, bool weights,
                      char delim, ref_data *out)
{
    char *copy = strdup(text);
    size_t cap = 16;
    memset(out, 0, sizeof *out);
    out->labels = malloc(cap * sizeof(float));
    out->weights = malloc(cap * sizeof(float));
    out->values = NULL;
    char *line = copy;
    while (line != NULL) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (strspn(line, delim == '\t' ? " " : " \t") != len) {
            float fields[64];
            size_t nf = 0;
            char *f = line;
            for (;;) {
                char *d = strchr(f, delim);
                if (d != NULL)
                    *d = '\0';
                while (*f == ' ' || (*f == '\t' && delim != '\t'))
                    f++;
                size_t fl = strlen(f);
                while (fl > 0 && (f[fl - 1] == ' ' ||
                                  (f[fl - 1] == '\t' && delim != '\t')))
                    f[--fl] = '\0';
                fields[nf++] = fl == 0 ? NAN : (float)strtod(f, NULL);
                if (d == NULL)
                    break;
                f = d + 1;
            }
            size_t lead = (size_t)label_size + weights;
            if (out->rows == 0) {
                out->cols = nf - lead;
                out->values = malloc(cap * out->cols * sizeof(float));
            }
            assert_int_equal(nf, lead + out->cols);
            if (out->rows == cap) {
                cap *= 2;
                out->labels = realloc(out->labels, cap * sizeof(float));
                out->weights = realloc(out->weights, cap * sizeof(float));
                out->values =
                    realloc(out->values, cap * out->cols * sizeof(float));
            }
            out->labels[out->rows] = label_size ? fields[0] : 0.0f;
            out->weights[out->rows] = weights ? fields[label_size] : 1.0f;
            memcpy(out->values + out->rows * out->cols, fields + lead,
                   out->cols * sizeof(float));
            out->rows++;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(copy);
}

static void ref_free(ref_data *r)
{
    free(r->labels);
    free(r->weights);
    free(r->values);
}

static void assert_matches_ref(const kiln_dataset *ds, const ref_data *r,
                               int label_size, bool weights)
{
    assert_int_equal(kiln_dataset_rows(ds), r->rows);
    assert_int_equal(kiln_dataset_cols(ds), r->cols);
    const float *v = kiln_dataset_dense(ds);
    for (size_t i = 0; i < r->rows * r->cols; i++)
        if (!same_float(v[i], r->values[i]))
            fail_msg("value %zu: %a, reference %a", i, (double)v[i],
                     (double)r->values[i]);
    for (size_t i = 0; i < r->rows; i++) {
        if (label_size)
            assert_true(same_float(kiln_dataset_labels(ds)[i], r->labels[i]));
        if (weights)
            assert_true(same_float(kiln_dataset_weights(ds)[i], r->weights[i]));
    }
}

/* ---- generated files ------------------------------------------------ */

static size_t gen_number(char *p, bool allow_missing)
{
    switch (rnd_below(allow_missing ? 14 : 11)) {
    case 0:
        return (size_t)sprintf(p, "%d", (int)rnd_below(2001) - 1000);
    case 1:
        return (size_t)sprintf(p, "%.*g", 1 + (int)rnd_below(9),
                               ((double)rnd_below(2000000) - 1e6) / 1e3);
    case 2:
        return (size_t)sprintf(p, "%.17g", (double)rnd() / 3e15 - 3e3);
    case 3:
        return (size_t)sprintf(p, "%.6f", (double)rnd_below(100000) / 7.0);
    case 4:
        return (size_t)sprintf(p, "%e", ldexp((double)rnd_below(1000) + 1,
                                              (int)rnd_below(250) - 150));
    case 5:
        return (size_t)sprintf(p, "%s",
                               (const char *[]){"inf", "-inf", "Infinity",
                                                "+INF", "1e39", "-1e300",
                                                "1e-50", "-0", "0.",
                                                ".25"}[rnd_below(10)]);
    case 6:
        return (size_t)sprintf(p, "%.9g", (double)(float)ldexp(
                                              (double)rnd() / 1.8e19,
                                              (int)rnd_below(60) - 30));
    case 7:
        return (size_t)sprintf(p, "%d.%0*d", (int)rnd_below(100), 18,
                               (int)rnd_below(1000000000));
    case 8:
        return (size_t)sprintf(p, "%.3e", (double)rnd_below(99999) - 5e4);
    case 9:
        return (size_t)sprintf(p, "%u", (unsigned)rnd());
    case 10:
        return (size_t)sprintf(p, "%.1f", (double)rnd_below(100));
    case 11:
        return (size_t)sprintf(p, "%s",
                               (const char *[]){"nan", "NaN", "NAN",
                                                "-nan"}[rnd_below(4)]);
    default:
        return 0; /* missing */
    }
}

static size_t gen_blanks(char *p, char delim)
{
    size_t n = 0;
    if (rnd_below(5) == 0)
        for (uint32_t k = rnd_below(3); k > 0; k--)
            p[n++] = (delim != '\t' && (rnd() & 1)) ? '\t' : ' ';
    return n;
}

/* A CSV text of rows x cols (+ label, weight) for ref_parse.  Returns
 * its length. */
static size_t gen_file(char *buf, size_t rows, size_t cols, int label_size,
                       bool weights, char delim)
{
    size_t len = 0;
    for (size_t i = 0; i < rows; i++) {
        while (rnd_below(12) == 0) { /* blank lines */
            len += gen_blanks(buf + len, delim);
            if (rnd() & 1)
                buf[len++] = '\r';
            buf[len++] = '\n';
        }
        size_t fields = cols + (size_t)label_size + weights;
        for (size_t j = 0; j < fields; j++) {
            if (j > 0)
                buf[len++] = delim;
            len += gen_blanks(buf + len, delim);
            len += gen_number(buf + len, j >= (size_t)label_size + weights);
            len += gen_blanks(buf + len, delim);
        }
        if (i + 1 < rows || (rnd() & 1)) {
            if (rnd_below(3) == 0)
                buf[len++] = '\r';
            buf[len++] = '\n';
        }
    }
    buf[len] = '\0';
    return len;
}

static char gen_delim(void) { return ",\t;|"[rnd_below(4)]; }

static void test_against_reference(void **state)
{
    (void)state;
    static char buf[1 << 20];
    for (int iter = 0; iter < reps(600); iter++) {
        size_t rows = 1 + rnd_below(150), cols = 1 + rnd_below(12);
        int label_size = (int)rnd_below(2);
        bool weights = rnd_below(3) == 0;
        char delim = gen_delim();
        size_t len = gen_file(buf, rows, cols, label_size, weights, delim);
        ref_data ref;
        ref_parse(buf, label_size, weights, delim, &ref);
        kiln_dataset *ds;
        kiln_error err;
        int rc = parse_text(buf, len, label_size, weights, delim, &ds, &err);
        if (rc != KILN_OK)
            fail_msg("%s", err.message);
        assert_matches_ref(ds, &ref, label_size, weights);
        kiln_dataset_free(ds);
        ref_free(&ref);
    }
}

/* Feed text in random windows as reader.c does: final only when the
 * window reaches the end, random row limits; the unconsumed rest starts
 * the next window. */
static kiln_dataset *parse_chunked(const char *text, size_t len,
                                   int label_size, bool weights, char delim,
                                   uint64_t *lines)
{
    kiln_parse_ctx ctx = ctx_for(label_size, weights, delim);
    kiln_dataset *ds = kiln_dataset_new(flags_for(label_size, weights), 0);
    size_t pos = 0, wend = 0;
    while (pos < len) {
        size_t step = 1 + rnd_below(rnd_below(4) == 0 ? 400 : 40);
        if (wend < pos + step)
            wend = pos + step < len ? pos + step : len;
        bool final = wend == len;
        size_t max_rows = rnd_below(3) == 0 ? 1 + rnd_below(3) : SIZE_MAX;
        size_t used = 99999;
        kiln_error err;
        kiln_error_init(&err);
        int rc = kiln_csv_parse(&ctx, text + pos, wend - pos, final, max_rows,
                                &used, ds, &err);
        if (rc != KILN_OK)
            fail_msg("%s", err.message);
        assert_true(used <= wend - pos);
        /* Whole lines only. */
        assert_true(used == 0 || text[pos + used - 1] == '\n' ||
                    pos + used == len);
        if (final && used == 0)
            fail_msg("no progress at the end (%zu of %zu)", pos, len);
        pos += used;
        if (used == 0)
            wend = wend + step < len ? wend + step : len;
    }
    *lines = ctx.line;
    return ds;
}

static void test_chunked(void **state)
{
    (void)state;
    static char buf[1 << 18];
    for (int iter = 0; iter < reps(300); iter++) {
        size_t rows = 1 + rnd_below(60), cols = 1 + rnd_below(8);
        int label_size = (int)rnd_below(2);
        bool weights = rnd_below(3) == 0;
        char delim = gen_delim();
        size_t len = gen_file(buf, rows, cols, label_size, weights, delim);
        kiln_dataset *whole;
        kiln_error err;
        assert_int_equal(
            parse_text(buf, len, label_size, weights, delim, &whole, &err),
            KILN_OK);
        uint64_t lines;
        kiln_dataset *pieces =
            parse_chunked(buf, len, label_size, weights, delim, &lines);
        assert_same_dataset(whole, pieces);
        /* The line count: one more than the '\n's, unless the text ends
         * with one. */
        uint64_t nl = 0;
        for (size_t i = 0; i < len; i++)
            nl += buf[i] == '\n';
        assert_int_equal(lines, 1 + nl + (len > 0 && buf[len - 1] != '\n'));
        kiln_dataset_free(whole);
        kiln_dataset_free(pieces);
    }
}

/* ---- behaviour ------------------------------------------------------ */

static void test_basic_rows(void **state)
{
    (void)state;
    const char *text = "1,0.5,2\r\n\n  \r\n0, -3 ,\t4e1\t\n1,,nan\n2,inf,-0";
    kiln_dataset *ds;
    kiln_error err;
    assert_int_equal(parse_text(text, strlen(text), 1, false, ',', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_rows(ds), 4);
    assert_int_equal(kiln_dataset_cols(ds), 2);
    const float *v = kiln_dataset_dense(ds), *l = kiln_dataset_labels(ds);
    assert_true(l[0] == 1 && l[1] == 0 && l[2] == 1 && l[3] == 2);
    assert_true(v[0] == 0.5f && v[1] == 2.0f && v[2] == -3.0f &&
                v[3] == 40.0f);
    assert_true(isnan(v[4]) && isnan(v[5]));
    assert_true(isinf(v[6]) && v[6] > 0);
    assert_int_equal(bits_of(v[7]), 0x80000000u);
    assert_null(kiln_dataset_weights(ds));
    kiln_dataset_free(ds);

    /* No label; weights after the label. */
    text = "1,2,3\n4,5,6\n";
    assert_int_equal(parse_text(text, strlen(text), 0, false, ',', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 3);
    assert_null(kiln_dataset_labels(ds));
    kiln_dataset_free(ds);
    assert_int_equal(parse_text(text, strlen(text), 1, true, ',', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 1);
    assert_true(kiln_dataset_labels(ds)[1] == 4.0f);
    assert_true(kiln_dataset_weights(ds)[1] == 5.0f);
    assert_true(kiln_dataset_dense(ds)[1] == 6.0f);
    kiln_dataset_free(ds);

    /* Only blank lines: no rows, no error. */
    text = "\n \n\t\r\n";
    assert_int_equal(parse_text(text, strlen(text), 1, false, ',', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_rows(ds), 0);
    kiln_dataset_free(ds);
}

static void test_quotes_and_delimiters(void **state)
{
    (void)state;
    const char *text = "\"1\",\" 2.5 \" , \"\" ,\"-inf\"\n";
    kiln_dataset *ds;
    kiln_error err;
    assert_int_equal(parse_text(text, strlen(text), 1, false, ',', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 3);
    const float *v = kiln_dataset_dense(ds);
    assert_true(kiln_dataset_labels(ds)[0] == 1.0f);
    assert_true(v[0] == 2.5f && isnan(v[1]) && isinf(v[2]) && v[2] < 0);
    kiln_dataset_free(ds);

    /* A quoted delimiter belongs to its field. */
    assert_int_equal(kiln_csv_first_fields("1,\"2,5\",3\n", 10, false, ','),
                     3);
    expect_error("1,\"2,5\",3\n", 1, false,
                 "train.csv line 1, column 2: not a number: '2,5'");
    expect_error("1,\"2\"x,3\n", 1, false,
                 "train.csv line 1, column 2: not a number: '\"2\"x'");
    expect_error("1,\"a\"\"b\"\n", 1, false,
                 "train.csv line 1, column 2: not a number: 'a\"\"b'");
    expect_error("1,2\n1,\"2\n", 1, false,
                 "train.csv line 2, column 2: unterminated quote: '\"2'");

    /* Tab-delimited: a tab is a delimiter, not a blank. */
    text = "1\t\t 3 \n";
    assert_int_equal(parse_text(text, strlen(text), 1, false, '\t', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 2);
    assert_true(isnan(kiln_dataset_dense(ds)[0]));
    assert_true(kiln_dataset_dense(ds)[1] == 3.0f);
    kiln_dataset_free(ds);

    /* Semicolons, and a delimiter of 0 meaning ','. */
    text = "1;2;3\n";
    assert_int_equal(parse_text(text, strlen(text), 0, false, ';', &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 3);
    kiln_dataset_free(ds);
    text = "1,2\n";
    assert_int_equal(parse_text(text, strlen(text), 1, false, 0, &ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 1);
    kiln_dataset_free(ds);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("1,2,3\n4,5\n", 1, false, "train.csv line 2: 2 fields, expected 3");
    expect_error("1,2,3\n\n\n4,5,6,7\n", 1, false,
                 "train.csv line 4: 4 fields, expected 3");
    expect_error("1,2,3\n4\n", 1, false, "train.csv line 2: 1 field, expected 3");
    expect_error("1,2,3\n4,5,6,\n", 0, false,
                 "train.csv line 2: 4 fields, expected 3");
    expect_error("1,2,abc\n", 1, false,
                 "train.csv line 1, column 3: not a number: 'abc'");
    expect_error("1,2\nabc,2\n", 1, false,
                 "train.csv line 2, column 1: not a number: 'abc'");
    expect_error("1,2\n3,0x10\n", 1, false,
                 "train.csv line 2, column 2: not a number: '0x10'");
    expect_error("1,2 3\n", 1, false,
                 "train.csv line 1, column 2: not a number: '2 3'");
    expect_error("1,2\n,3\n", 1, false, "train.csv line 2: missing label (column 1)");
    expect_error("nan,3\n", 1, false, "train.csv line 1: missing label (column 1)");
    expect_error("1,,3\n", 1, true, "train.csv line 1: missing weight (column 2)");
    expect_error("1,NaN,3\n", 1, true, "train.csv line 1: missing weight (column 2)");
    expect_error("\n5\n", 1, false, "train.csv line 2: no features");
    expect_error("5,1\n", 1, true, "train.csv line 1: no features");
    expect_error("1,2,1e\n", 1, false,
                 "train.csv line 1, column 3: not a number: '1e'");

    /* Long text is cut at 64 bytes; odd bytes are shown as \xNN. */
    char text[300];
    memcpy(text, "1,", 2);
    memset(text + 2, 'x', 100);
    strcpy(text + 102, "\n");
    char want[200];
    snprintf(want, sizeof want,
             "train.csv line 1, column 2: not a number: '%.64s...'", text + 2);
    expect_error(text, 1, false, want);
    expect_error("1,a\x01\xff\n", 1, false,
                 "train.csv line 1, column 2: not a number: 'a\\x01\\xff'");
    expect_error("1,2\r3\n", 1, false,
                 "train.csv line 1, column 2: not a number: '2\\x0d3'");

    /* The line number starts where the context says. */
    kiln_parse_ctx ctx = ctx_for(1, false, ',');
    ctx.line = 17;
    ctx.file = "part-3.csv";
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 0);
    kiln_error err;
    kiln_error_init(&err);
    size_t used;
    const char *t = "1,2\n\n3,4,5\n";
    assert_int_equal(kiln_csv_parse(&ctx, t, strlen(t), true, SIZE_MAX, &used,
                                    ds, &err),
                     KILN_DATA);
    assert_string_equal(err.message, "part-3.csv line 19: 3 fields, expected 2");
    kiln_dataset_free(ds);

    /* Columns given by the user: the first row must fit too. */
    ctx = ctx_for(1, false, ',');
    ctx.cols = 5;
    ctx.cols_fixed = true;
    ds = kiln_dataset_new(KILN_DATASET_LABELS, 5);
    kiln_error_init(&err);
    t = "1,2,3,4\n";
    assert_int_equal(kiln_csv_parse(&ctx, t, strlen(t), true, SIZE_MAX, &used,
                                    ds, &err),
                     KILN_DATA);
    assert_string_equal(err.message, "train.csv line 1: 4 fields, expected 6");
    kiln_dataset_free(ds);
}

static void test_limits_and_partial_lines(void **state)
{
    (void)state;
    const char *t = "1,2\n\n3,4\n5,6\n7,8";
    kiln_parse_ctx ctx = ctx_for(1, false, ',');
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 0);
    kiln_error err;
    kiln_error_init(&err);
    size_t used;
    assert_int_equal(kiln_csv_parse(&ctx, t, strlen(t), false, 2, &used, ds,
                                    &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_rows(ds), 2);
    assert_int_equal(used, 9);
    assert_int_equal(ctx.line, 4);
    assert_int_equal(ctx.cols, 1);
    size_t off = used;
    /* Not final: "7,8" waits for its '\n'. */
    assert_int_equal(kiln_csv_parse(&ctx, t + off, strlen(t) - off, false,
                                    SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 4);
    assert_int_equal(kiln_dataset_rows(ds), 3);
    off += used;
    assert_int_equal(kiln_csv_parse(&ctx, t + off, strlen(t) - off, false,
                                    SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 0);
    assert_int_equal(kiln_csv_parse(&ctx, t + off, strlen(t) - off, true,
                                    SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 3);
    assert_int_equal(kiln_dataset_rows(ds), 4);
    assert_int_equal(ctx.line, 6);
    assert_true(kiln_dataset_dense(ds)[3] == 8.0f);
    kiln_dataset_free(ds);

    /* A dataset made with the width already known. */
    ctx = ctx_for(0, false, ',');
    ctx.cols = 2;
    ds = kiln_dataset_new(0, 2);
    assert_int_equal(kiln_csv_parse(&ctx, "1,2\n3,4\n", 8, true, SIZE_MAX,
                                    &used, ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_rows(ds), 2);
    kiln_dataset_free(ds);
}

static void test_first_fields(void **state)
{
    (void)state;
    assert_int_equal(kiln_csv_first_fields("", 0, true, ','), 0);
    assert_int_equal(kiln_csv_first_fields("\n \n", 3, true, ','), 0);
    assert_int_equal(kiln_csv_first_fields("\n \n1,2,3\n4\n", 11, false, ','),
                     3);
    assert_int_equal(kiln_csv_first_fields("1,2", 3, false, ','), 0);
    assert_int_equal(kiln_csv_first_fields("1,2", 3, true, ','), 2);
    assert_int_equal(kiln_csv_first_fields("1,2,\r\n", 6, false, ','), 3);
    assert_int_equal(kiln_csv_first_fields("1\t2\t3\n", 6, false, '\t'), 3);
    assert_int_equal(kiln_csv_first_fields("1,2;3\n", 6, false, ';'), 2);
    assert_int_equal(kiln_csv_first_fields("\"a,b\"\n", 6, false, ','), 1);
}

/* ---- encoding ------------------------------------------------------- */

static kiln_write_opts csv_opts(char delim, bool weights)
{
    kiln_write_opts o;
    memset(&o, 0, sizeof o);
    o.format = KILN_FORMAT_CSV;
    o.delimiter = delim;
    o.weights = weights;
    return o;
}

static void test_encode_text(void **state)
{
    (void)state;
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 3);
    kiln_error err;
    kiln_error_init(&err);
    float *row = kiln_dataset_push_dense(ds, 1.0f, 1.0f, &err);
    row[0] = 0.1f;
    row[1] = NAN;
    row[2] = 3.0f;
    row = kiln_dataset_push_dense(ds, 0.0f, 1.0f, &err);
    row[0] = 1e-7f;
    row[1] = -INFINITY;
    row[2] = -0.0f;
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_write_opts o = csv_opts(0, false);
    assert_int_equal(kiln_csv_encode(ds, 0, 2, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "1,0.1,,3\n0,1e-07,-inf,-0\n");
    kiln_buf_clear(&b);
    /* A delimiter, weights the dataset does not have (1), a range. */
    o = csv_opts('\t', true);
    assert_int_equal(kiln_csv_encode(ds, 1, 2, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "0\t1\t1e-07\t-inf\t-0\n");
    kiln_buf_clear(&b);
    assert_int_equal(kiln_csv_encode(ds, 2, 2, &o, &b, &err), KILN_OK);
    assert_int_equal(b.len, 0);
    kiln_dataset_free(ds);

    /* Sparse rows are written dense, absent entries 0. */
    ds = kiln_dataset_new(KILN_DATASET_SPARSE | KILN_DATASET_LABELS |
                              KILN_DATASET_WEIGHTS,
                          0);
    uint32_t idx[] = {3, 1};
    float val[] = {2.5f, NAN};
    assert_int_equal(
        kiln_dataset_push_sparse(ds, idx, val, 2, 7.0f, 0.5f, &err), KILN_OK);
    assert_int_equal(kiln_dataset_push_sparse(ds, NULL, NULL, 0, 1.0f, 2.0f,
                                              &err),
                     KILN_OK);
    o = csv_opts(0, true);
    assert_int_equal(kiln_csv_encode(ds, 0, 2, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "7,0.5,0,,0,2.5\n1,2,0,0,0,0\n");
    kiln_buf_clear(&b);
    kiln_dataset_free(ds);

    /* A row of one missing value is not written as a blank line. */
    ds = kiln_dataset_new(0, 1);
    row = kiln_dataset_push_dense(ds, 0, 1, &err);
    row[0] = NAN;
    row = kiln_dataset_push_dense(ds, 0, 1, &err);
    row[0] = 2.0f;
    o = csv_opts(0, false);
    assert_int_equal(kiln_csv_encode(ds, 0, 2, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "\"\"\n2\n");
    kiln_dataset *back;
    assert_int_equal(parse_text(b.data, b.len, 0, false, ',', &back, &err),
                     KILN_OK);
    assert_same_dataset(ds, back);
    kiln_dataset_free(back);
    kiln_dataset_free(ds);
    kiln_buf_fini(&b);
}

static float random_float(bool allow_nan)
{
    for (;;) {
        uint32_t b;
        switch (rnd_below(6)) {
        case 0:
            b = (uint32_t)rnd();
            break;
        case 1:
            return (float)((int)rnd_below(200) - 100);
        case 2:
            return (float)rnd_below(1000) / 10.0f;
        case 3: {
            static const float specials[] = {INFINITY, -INFINITY, 0.0f, -0.0f,
                                             FLT_MAX,  -FLT_MIN,  1e-45f, NAN};
            return specials[rnd_below(allow_nan ? 8 : 7)];
        }
        default:
            b = (uint32_t)rnd() & 0x807fffffu; /* subnormal */
            break;
        }
        float f;
        memcpy(&f, &b, sizeof f);
        if (allow_nan || !isnan(f))
            return f;
    }
}

static void test_encode_round_trip(void **state)
{
    (void)state;
    kiln_buf whole, pieces;
    kiln_buf_init(&whole);
    kiln_buf_init(&pieces);
    for (int iter = 0; iter < reps(400); iter++) {
        int label_size = (int)rnd_below(2);
        bool weights = label_size && (rnd() & 1);
        size_t cols = 1 + rnd_below(10), rows = rnd_below(50);
        kiln_dataset *ds =
            kiln_dataset_new(flags_for(label_size, weights), cols);
        kiln_error err;
        kiln_error_init(&err);
        for (size_t i = 0; i < rows; i++) {
            float *row = kiln_dataset_push_dense(ds, random_float(false),
                                                 random_float(false), &err);
            for (size_t j = 0; j < cols; j++)
                row[j] = random_float(true);
        }
        char delim = gen_delim();
        kiln_write_opts o = csv_opts(delim, weights);
        kiln_buf_clear(&whole);
        kiln_buf_clear(&pieces);
        assert_int_equal(kiln_csv_encode(ds, 0, rows, &o, &whole, &err),
                         KILN_OK);
        for (size_t i = 0; i < rows;) {
            size_t k = i + rnd_below(5);
            if (k > rows)
                k = rows;
            assert_int_equal(kiln_csv_encode(ds, i, k, &o, &pieces, &err),
                             KILN_OK);
            i = k;
        }
        assert_int_equal(whole.len, pieces.len);
        assert_memory_equal(kiln_buf_str(&whole), kiln_buf_str(&pieces),
                            whole.len);
        kiln_dataset *back;
        int rc = parse_text(kiln_buf_str(&whole), whole.len, label_size,
                            weights, delim, &back, &err);
        if (rc != KILN_OK)
            fail_msg("%s\n%s", err.message, kiln_buf_str(&whole));
        if (rows > 0)
            assert_same_dataset(ds, back);
        else
            assert_int_equal(kiln_dataset_rows(back), 0);
        kiln_dataset_free(back);
        kiln_dataset_free(ds);
    }
    kiln_buf_fini(&whole);
    kiln_buf_fini(&pieces);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_rows),
        cmocka_unit_test(test_quotes_and_delimiters),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits_and_partial_lines),
        cmocka_unit_test(test_first_fields),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_encode_text),
        cmocka_unit_test(test_encode_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
