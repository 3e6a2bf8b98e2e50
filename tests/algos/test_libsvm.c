/* Tests for algos/data/libsvm.c: the libsvm chunk parser against a naive
 * reference parser (strtok, strtoul, strtod) on generated files, the
 * exact error messages, chunked parsing (random chunk sizes and row
 * limits give the dataset one call gives), and the encoder (exact text,
 * and encode -> parse bit for bit, NaN and infinities included).
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

static uint64_t rng_state = UINT64_C(0x853c49e6748fea9b);

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

enum { SVM_FLAGS = KILN_DATASET_SPARSE | KILN_DATASET_LABELS |
                   KILN_DATASET_WEIGHTS };

static kiln_parse_ctx ctx_for(void)
{
    kiln_parse_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.file = "train.libsvm";
    ctx.line = 1;
    ctx.label_size = 1;
    return ctx;
}

static int parse_text(const char *text, size_t len, size_t cols,
                      kiln_dataset **out, kiln_error *err)
{
    kiln_parse_ctx ctx = ctx_for();
    ctx.cols = cols;
    ctx.cols_fixed = cols > 0;
    kiln_dataset *ds = kiln_dataset_new(SVM_FLAGS, 0);
    assert_non_null(ds);
    size_t used = 0;
    kiln_error_init(err);
    int rc = kiln_libsvm_parse(&ctx, text, len, true, SIZE_MAX, &used, ds, err);
    if (rc == KILN_OK) {
        assert_int_equal(used, len);
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
    assert_int_equal(kiln_dataset_nnz(a), kiln_dataset_nnz(b));
    size_t rows = kiln_dataset_rows(a), nnz = kiln_dataset_nnz(a);
    for (size_t i = 0; i <= rows; i++)
        assert_int_equal(kiln_dataset_indptr(a)[i], kiln_dataset_indptr(b)[i]);
    for (size_t k = 0; k < nnz; k++) {
        assert_int_equal(kiln_dataset_indices(a)[k],
                         kiln_dataset_indices(b)[k]);
        float va = kiln_dataset_values(a)[k], vb = kiln_dataset_values(b)[k];
        if (!same_float(va, vb))
            fail_msg("value %zu: %a vs %a", k, (double)va, (double)vb);
    }
    for (size_t i = 0; i < rows; i++) {
        assert_true(same_float(kiln_dataset_labels(a)[i],
                               kiln_dataset_labels(b)[i]));
        assert_true(same_float(kiln_dataset_weights(a)[i],
                               kiln_dataset_weights(b)[i]));
    }
}

static void expect_error_cols(const char *text, size_t cols, const char *want)
{
    kiln_dataset *ds;
    kiln_error err;
    int rc = parse_text(text, strlen(text), cols, &ds, &err);
    if (rc != KILN_DATA)
        fail_msg("'%s': rc %d, want KILN_DATA", text, rc);
    assert_string_equal(err.message, want);
    kiln_dataset_free(ds);
}

static void expect_error(const char *text, const char *want)
{
    expect_error_cols(text, 0, want);
}

/* ---- the naive reference -------------------------------------------- */

/* Reads libsvm the obvious way: cut comments, strtok into tokens,
 * label[:weight], skip qid, strtoul and strtod.  No errors. */
static kiln_dataset *ref_parse(const char *text)
{
    kiln_dataset *ds = kiln_dataset_new(SVM_FLAGS, 0);
    char *copy = strdup(text);
    uint32_t *idx = malloc(4096 * sizeof *idx);
    float *val = malloc(4096 * sizeof *val);
    char *line = copy;
    while (line != NULL) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *save = NULL;
        char *tok = strtok_r(line, " \t\r", &save);
        if (tok != NULL) {
            char *colon = strchr(tok, ':');
            float weight = 1.0f;
            if (colon != NULL) {
                *colon = '\0';
                weight = (float)strtod(colon + 1, NULL);
            }
            float label = (float)strtod(tok, NULL);
            size_t nnz = 0;
            while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
                if (strncmp(tok, "qid:", 4) == 0)
                    continue;
                char *end;
                idx[nnz] = (uint32_t)strtoul(tok, &end, 10);
                assert_true(*end == ':');
                val[nnz] = end[1] == '\0' ? NAN : (float)strtod(end + 1, NULL);
                nnz++;
            }
            kiln_error err;
            kiln_error_init(&err);
            assert_int_equal(kiln_dataset_push_sparse(ds, idx, val, nnz, label,
                                                      weight, &err),
                             KILN_OK);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    free(idx);
    free(val);
    free(copy);
    return ds;
}

/* ---- generated files ------------------------------------------------ */

static size_t gen_number(char *p, bool allow_missing)
{
    switch (rnd_below(allow_missing ? 12 : 10)) {
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
        return (size_t)sprintf(p, "%d.%018d", (int)rnd_below(100),
                               (int)rnd_below(1000000000));
    case 8:
        return (size_t)sprintf(p, "%.3e", (double)rnd_below(99999) - 5e4);
    case 9:
        return (size_t)sprintf(p, "%.1f", (double)rnd_below(100));
    case 10:
        return (size_t)sprintf(p, "%s",
                               (const char *[]){"nan", "NaN", "-nan"}
                                   [rnd_below(3)]);
    default:
        return 0; /* missing */
    }
}

static size_t gen_space(char *p)
{
    size_t n = 0;
    do
        p[n++] = (rnd_below(4) == 0) ? '\t' : ' ';
    while (rnd_below(4) == 0);
    return n;
}

static size_t gen_file(char *buf, size_t rows, uint32_t max_index)
{
    size_t len = 0;
    for (size_t i = 0; i < rows; i++) {
        while (rnd_below(10) == 0) { /* blank and comment lines */
            if (rnd() & 1)
                len += gen_space(buf + len);
            if (rnd() & 1)
                len += (size_t)sprintf(buf + len, "# note %d: x", (int)i);
            buf[len++] = '\n';
        }
        if (rnd_below(5) == 0)
            len += gen_space(buf + len);
        len += gen_number(buf + len, false);
        if (rnd_below(4) == 0) {
            buf[len++] = ':';
            len += gen_number(buf + len, false);
        }
        if (rnd_below(6) == 0)
            len += (size_t)sprintf(buf + len, " qid:%u", rnd_below(100));
        for (uint32_t k = rnd_below(12); k > 0; k--) {
            len += gen_space(buf + len);
            uint32_t index = rnd_below(20) == 0 ? (uint32_t)rnd() % 4294967295u
                                                : rnd_below(max_index);
            len += (size_t)sprintf(buf + len, "%s%u:",
                                   rnd_below(10) == 0 ? "00" : "", index);
            len += gen_number(buf + len, true);
        }
        if (rnd_below(5) == 0)
            len += gen_space(buf + len);
        if (rnd_below(8) == 0)
            len += (size_t)sprintf(buf + len, "# done");
        if (i + 1 < rows || (rnd() & 1)) {
            if (rnd_below(3) == 0)
                buf[len++] = '\r';
            buf[len++] = '\n';
        }
    }
    buf[len] = '\0';
    return len;
}

/* Labels and weights that are never missing. */
static bool sane_labels(const kiln_dataset *ds)
{
    for (size_t i = 0; i < kiln_dataset_rows(ds); i++)
        if (isnan(kiln_dataset_labels(ds)[i]) ||
            isnan(kiln_dataset_weights(ds)[i]))
            return false;
    return true;
}

static void test_against_reference(void **state)
{
    (void)state;
    static char buf[1 << 20];
    for (int iter = 0; iter < reps(800); iter++) {
        size_t len = gen_file(buf, 1 + rnd_below(150), 1 + rnd_below(1000));
        kiln_dataset *ref = ref_parse(buf);
        assert_true(sane_labels(ref));
        kiln_dataset *ds;
        kiln_error err;
        if (parse_text(buf, len, 0, &ds, &err) != KILN_OK)
            fail_msg("%s", err.message);
        assert_same_dataset(ref, ds);
        kiln_dataset_free(ds);
        kiln_dataset_free(ref);
    }
}

static kiln_dataset *parse_chunked(const char *text, size_t len,
                                   uint64_t *lines)
{
    kiln_parse_ctx ctx = ctx_for();
    kiln_dataset *ds = kiln_dataset_new(SVM_FLAGS, 0);
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
        if (kiln_libsvm_parse(&ctx, text + pos, wend - pos, final, max_rows,
                              &used, ds, &err) != KILN_OK)
            fail_msg("%s", err.message);
        assert_true(used <= wend - pos);
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
        size_t len = gen_file(buf, 1 + rnd_below(60), 1 + rnd_below(100));
        kiln_dataset *whole;
        kiln_error err;
        assert_int_equal(parse_text(buf, len, 0, &whole, &err), KILN_OK);
        uint64_t lines;
        kiln_dataset *pieces = parse_chunked(buf, len, &lines);
        assert_same_dataset(whole, pieces);
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
    const char *text = "1 qid:3 0:1.5\t7:2 # a comment\r\n"
                       "# only a comment\n"
                       "\n"
                       "  -1:0.5 3:1 1: 2:nan\r\n"
                       "2.5\n"
                       "0 9:-inf 4:1e-50";
    kiln_dataset *ds;
    kiln_error err;
    assert_int_equal(parse_text(text, strlen(text), 0, &ds, &err), KILN_OK);
    assert_int_equal(kiln_dataset_rows(ds), 4);
    assert_int_equal(kiln_dataset_cols(ds), 10);
    assert_int_equal(kiln_dataset_nnz(ds), 7);
    const size_t *ip = kiln_dataset_indptr(ds);
    assert_true(ip[0] == 0 && ip[1] == 2 && ip[2] == 5 && ip[3] == 5 &&
                ip[4] == 7);
    const uint32_t *ix = kiln_dataset_indices(ds);
    const float *v = kiln_dataset_values(ds);
    assert_true(ix[0] == 0 && ix[1] == 7 && ix[2] == 3 && ix[3] == 1 &&
                ix[4] == 2 && ix[5] == 9 && ix[6] == 4);
    assert_true(v[0] == 1.5f && v[1] == 2.0f && v[2] == 1.0f);
    assert_true(isnan(v[3]) && isnan(v[4]));
    assert_true(isinf(v[5]) && v[5] < 0 && v[6] == 0.0f);
    const float *l = kiln_dataset_labels(ds), *w = kiln_dataset_weights(ds);
    assert_true(l[0] == 1 && l[1] == -1 && l[2] == 2.5f && l[3] == 0);
    assert_true(w[0] == 1 && w[1] == 0.5f && w[2] == 1 && w[3] == 1);
    kiln_dataset_free(ds);

    /* The user's width: indices below it, and the dataset that wide. */
    text = "1 3:1\n";
    assert_int_equal(parse_text(text, strlen(text), 10, &ds, &err), KILN_OK);
    assert_int_equal(kiln_dataset_cols(ds), 10);
    kiln_dataset_free(ds);

    /* The largest index allowed, and the width found raised in ctx. */
    kiln_parse_ctx ctx = ctx_for();
    ds = kiln_dataset_new(SVM_FLAGS, 0);
    kiln_error_init(&err);
    size_t used;
    text = "1 5:1\n0 4294967294:2\n";
    assert_int_equal(kiln_libsvm_parse(&ctx, text, strlen(text), true, SIZE_MAX,
                                       &used, ds, &err),
                     KILN_OK);
    assert_int_equal(kiln_dataset_indices(ds)[1], 4294967294u);
    assert_int_equal(ctx.cols, (size_t)4294967295u);
    assert_int_equal(ctx.line, 3);
    kiln_dataset_free(ds);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("1 abc\n",
                 "train.libsvm line 1, token 2: expected index:value, got 'abc'");
    expect_error("1 2:3\n\n# c\n1 2:3 4294967296:1\n",
                 "train.libsvm line 4, token 3: index 4294967296 out of range");
    expect_error("1 4294967295:1\n",
                 "train.libsvm line 1, token 2: index 4294967295 out of range");
    expect_error("1 99999999999999999999999:1\n",
                 "train.libsvm line 1, token 2: index 99999999999999999999999 "
                 "out of range");
    expect_error_cols("1 3:1\n1 12:1\n", 10,
                      "train.libsvm line 2, token 2: index 12 beyond the 10 "
                      "features expected");
    expect_error("1 2:abc\n",
                 "train.libsvm line 1, token 2: not a number: 'abc'");
    expect_error("1 2:0x10\n",
                 "train.libsvm line 1, token 2: not a number: '0x10'");
    expect_error("abc 1:2\n", "train.libsvm line 1, token 1: not a number: 'abc'");
    expect_error(":2 1:1\n", "train.libsvm line 1: missing label");
    expect_error("nan 1:1\n", "train.libsvm line 1: missing label");
    expect_error("1: 1:1\n", "train.libsvm line 1: missing weight");
    expect_error("1:x 1:1\n", "train.libsvm line 1, token 1: not a number: 'x'");
    expect_error("1 qid:x 1:2\n",
                 "train.libsvm line 1, token 2: expected qid:N, got 'qid:x'");
    expect_error("1 1:2 qid:3\n",
                 "train.libsvm line 1, token 3: expected index:value, got 'qid:3'");
    expect_error("1 -1:2\n",
                 "train.libsvm line 1, token 2: expected index:value, got '-1:2'");
    expect_error("1 :2\n",
                 "train.libsvm line 1, token 2: expected index:value, got ':2'");
    expect_error("1 2\n", "train.libsvm line 1, token 2: expected index:value, got '2'");
    expect_error("1 1:2:3\n", "train.libsvm line 1, token 2: not a number: '2:3'");
    expect_error("1 1:\x01\n",
                 "train.libsvm line 1, token 2: not a number: '\\x01'");
    expect_error("1,2 1:1\n", "train.libsvm line 1, token 1: not a number: '1,2'");

    char text[300], want[300];
    memcpy(text, "1 1:", 4);
    memset(text + 4, '7', 100);
    memcpy(text + 104, "x\n", 3);
    snprintf(want, sizeof want,
             "train.libsvm line 1, token 2: not a number: '%.64s...'",
             text + 4);
    expect_error(text, want);

    /* Line numbers start where the context says. */
    kiln_parse_ctx ctx = ctx_for();
    ctx.line = 40;
    kiln_dataset *ds = kiln_dataset_new(SVM_FLAGS, 0);
    kiln_error err;
    kiln_error_init(&err);
    size_t used;
    const char *t = "1 1:1\n# c\n1 x\n";
    assert_int_equal(kiln_libsvm_parse(&ctx, t, strlen(t), true, SIZE_MAX,
                                       &used, ds, &err),
                     KILN_DATA);
    assert_string_equal(err.message,
                        "train.libsvm line 42, token 2: expected index:value, "
                        "got 'x'");
    kiln_dataset_free(ds);
}

static void test_limits_and_partial_lines(void **state)
{
    (void)state;
    const char *t = "1 1:1\n#c\n2 2:2\n3 3:3";
    kiln_parse_ctx ctx = ctx_for();
    kiln_dataset *ds = kiln_dataset_new(SVM_FLAGS, 0);
    kiln_error err;
    kiln_error_init(&err);
    size_t used;
    assert_int_equal(kiln_libsvm_parse(&ctx, t, strlen(t), false, 1, &used, ds,
                                       &err),
                     KILN_OK);
    assert_int_equal(used, 6);
    assert_int_equal(kiln_dataset_rows(ds), 1);
    size_t off = used;
    assert_int_equal(kiln_libsvm_parse(&ctx, t + off, strlen(t) - off, false,
                                       SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 9);
    assert_int_equal(kiln_dataset_rows(ds), 2);
    off += used;
    assert_int_equal(kiln_libsvm_parse(&ctx, t + off, strlen(t) - off, true,
                                       SIZE_MAX, &used, ds, &err),
                     KILN_OK);
    assert_int_equal(used, 5);
    assert_int_equal(kiln_dataset_rows(ds), 3);
    assert_int_equal(ctx.line, 5);
    kiln_dataset_free(ds);
}

/* A row of many entries grows the scratch arrays. */
static void test_wide_row(void **state)
{
    (void)state;
    size_t n = 100000;
    char *text = malloc(n * 16 + 16);
    size_t len = (size_t)sprintf(text, "1");
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, " %zu:%zu", n - i, i);
    kiln_dataset *ds;
    kiln_error err;
    assert_int_equal(parse_text(text, len, 0, &ds, &err), KILN_OK);
    assert_int_equal(kiln_dataset_nnz(ds), n);
    assert_int_equal(kiln_dataset_cols(ds), n + 1);
    assert_int_equal(kiln_dataset_indices(ds)[0], n);
    assert_true(kiln_dataset_values(ds)[n - 1] == (float)(n - 1));
    kiln_dataset_free(ds);
    free(text);
}

/* ---- encoding ------------------------------------------------------- */

static kiln_write_opts svm_opts(bool weights)
{
    kiln_write_opts o;
    memset(&o, 0, sizeof o);
    o.format = KILN_FORMAT_LIBSVM;
    o.weights = weights;
    return o;
}

static void test_encode_text(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_buf b;
    kiln_buf_init(&b);

    /* Dense: non-zero, non-missing values, 0-based. */
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, 4);
    float *row = kiln_dataset_push_dense(ds, 1.0f, 1.0f, &err);
    row[0] = 0.0f;
    row[1] = 0.1f;
    row[2] = NAN;
    row[3] = -INFINITY;
    row = kiln_dataset_push_dense(ds, -2.5f, 1.0f, &err);
    memset(row, 0, 4 * sizeof *row);
    kiln_write_opts o = svm_opts(false);
    assert_int_equal(kiln_libsvm_encode(ds, 0, 2, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "1 1:0.1 3:-inf\n-2.5\n");
    kiln_buf_clear(&b);
    o = svm_opts(true);
    assert_int_equal(kiln_libsvm_encode(ds, 1, 2, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "-2.5:1\n");
    kiln_buf_clear(&b);
    kiln_dataset_free(ds);

    /* No labels: label 0. */
    ds = kiln_dataset_new(0, 2);
    row = kiln_dataset_push_dense(ds, 0, 1, &err);
    row[0] = 3;
    row[1] = 1e-7f;
    o = svm_opts(false);
    assert_int_equal(kiln_libsvm_encode(ds, 0, 1, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "0 0:3 1:1e-07\n");
    kiln_buf_clear(&b);
    kiln_dataset_free(ds);

    /* Sparse: stored entries in stored order, zeros and NaN included. */
    ds = kiln_dataset_new(SVM_FLAGS, 0);
    uint32_t idx[] = {9, 0, 4294967294u};
    float val[] = {0.0f, NAN, 2.0f};
    assert_int_equal(kiln_dataset_push_sparse(ds, idx, val, 3, 1.0f, 0.25f,
                                              &err),
                     KILN_OK);
    o = svm_opts(true);
    assert_int_equal(kiln_libsvm_encode(ds, 0, 1, &o, &b, &err), KILN_OK);
    assert_string_equal(b.data, "1:0.25 9:0 0:nan 4294967294:2\n");
    kiln_dataset *back;
    assert_int_equal(parse_text(b.data, b.len, 0, &back, &err), KILN_OK);
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
            b = (uint32_t)rnd() & 0x807fffffu;
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
    uint32_t idx[64];
    float val[64];
    for (int iter = 0; iter < reps(400); iter++) {
        size_t rows = rnd_below(60);
        kiln_dataset *ds = kiln_dataset_new(SVM_FLAGS, 0);
        kiln_error err;
        kiln_error_init(&err);
        uint32_t span = rnd_below(3) == 0 ? 4294967295u : 1 + rnd_below(100);
        for (size_t i = 0; i < rows; i++) {
            size_t nnz = rnd_below(20);
            for (size_t k = 0; k < nnz; k++) {
                idx[k] = (uint32_t)(rnd() % span);
                val[k] = random_float(true);
            }
            float label = random_float(false), weight = random_float(false);
            assert_int_equal(kiln_dataset_push_sparse(ds, idx, val, nnz, label,
                                                      weight, &err),
                             KILN_OK);
        }
        kiln_write_opts o = svm_opts(true);
        kiln_buf_clear(&whole);
        kiln_buf_clear(&pieces);
        assert_int_equal(kiln_libsvm_encode(ds, 0, rows, &o, &whole, &err),
                         KILN_OK);
        for (size_t i = 0; i < rows;) {
            size_t k = i + rnd_below(5);
            if (k > rows)
                k = rows;
            assert_int_equal(kiln_libsvm_encode(ds, i, k, &o, &pieces, &err),
                             KILN_OK);
            i = k;
        }
        assert_int_equal(whole.len, pieces.len);
        assert_memory_equal(kiln_buf_str(&whole), kiln_buf_str(&pieces),
                            whole.len);
        kiln_dataset *back;
        if (parse_text(kiln_buf_str(&whole), whole.len, 0, &back, &err) !=
            KILN_OK)
            fail_msg("%s", err.message);
        assert_same_dataset(ds, back);
        kiln_dataset_free(back);

        /* Dense through libsvm: the non-zero, non-missing values. */
        kiln_dataset *dense = NULL;
        if (kiln_dataset_cols(ds) <= 200) {
            assert_int_equal(kiln_dataset_to_dense(ds, 0.0f, &dense, &err),
                             KILN_OK);
            kiln_buf_clear(&whole);
            assert_int_equal(kiln_libsvm_encode(dense, 0, rows, &o, &whole,
                                                &err),
                             KILN_OK);
            assert_int_equal(parse_text(kiln_buf_str(&whole), whole.len, 0,
                                        &back, &err),
                             KILN_OK);
            for (size_t i = 0; i < rows; i++)
                for (size_t j = 0; j < kiln_dataset_cols(dense); j++) {
                    float want = kiln_dataset_get(dense, i, j, 0.0f);
                    float got = kiln_dataset_get(back, i, j, 0.0f);
                    if (isnan(want) || want == 0.0f)
                        assert_true(got == 0.0f);
                    else
                        assert_int_equal(bits_of(got), bits_of(want));
                }
            kiln_dataset_free(back);
        }
        kiln_dataset_free(dense);
        kiln_dataset_free(ds);
    }
    kiln_buf_fini(&whole);
    kiln_buf_fini(&pieces);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_rows),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limits_and_partial_lines),
        cmocka_unit_test(test_wide_row),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_encode_text),
        cmocka_unit_test(test_encode_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
