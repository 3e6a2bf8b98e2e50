/* kiln — libsvm rows: the chunk parser behind reader.c and the encoder
 * behind writer.c (parse.h; the format's rules are in reader.h and
 * writer.h).
 *
 * A line is `label[:weight] [qid:N] index:value ... [# comment]`, tokens
 * separated by spaces or tabs, as xgboost's dmlc parser reads it.  A
 * row's entries are gathered in a scratch array that lives for one call
 * and then appended with kiln_dataset_push_sparse.
 */
#include "parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indices are uint32 and 2^32 - 1 is kept free, as in dmlc. */
#define INDEX_LIMIT UINT64_C(4294967295)

typedef struct svm_parser {
    kiln_parse_ctx *ctx;
    kiln_dataset *ds;
    kiln_error *err;
    uint64_t line;
    size_t token;     /* 1-based, of the token being read */
    uint32_t *indices; /* scratch for one row */
    float *values;
    size_t cap;
    size_t width;     /* largest index + 1 seen */
} svm_parser;

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

static const char *file_name(const svm_parser *sp)
{
    return sp->ctx->file != NULL ? sp->ctx->file : "<data>";
}

/* At most 64 bytes of s[0..e), then "..."; non-printable bytes as \xNN. */
static void show_text(const char *s, const char *e, char out[300])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = (size_t)(e - s), k = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            out[k++] = (char)c;
        } else {
            out[k++] = '\\';
            out[k++] = 'x';
            out[k++] = hex[c >> 4];
            out[k++] = hex[c & 15];
        }
    }
    if (n > 64) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
}

/* "train.libsvm line 5, token 3: <what>'<text>'" (no text when s is
 * NULL). */
static int token_error(const svm_parser *sp, const char *what, const char *s,
                       const char *e, const char *after)
{
    char text[300] = "";
    if (s != NULL)
        show_text(s, e, text);
    return kiln_error_set(sp->err, KILN_DATA, "%s line %llu, token %zu: %s%s%s",
                          file_name(sp), (unsigned long long)sp->line,
                          sp->token, what, text, after);
}

/* The row's label[:weight] token [s, e). */
static int parse_label(svm_parser *sp, const char *s, const char *e,
                       float *label, float *weight)
{
    const char *colon = memchr(s, ':', (size_t)(e - s));
    const char *le = colon != NULL ? colon : e;
    if (!kiln_parse_f32(s, (size_t)(le - s), label))
        return token_error(sp, "not a number: '", s, le, "'");
    if (isnan(*label))
        return kiln_error_set(sp->err, KILN_DATA, "%s line %llu: missing label",
                              file_name(sp), (unsigned long long)sp->line);
    *weight = 1.0f;
    if (colon != NULL) {
        if (!kiln_parse_f32(colon + 1, (size_t)(e - colon - 1), weight))
            return token_error(sp, "not a number: '", colon + 1, e, "'");
        if (isnan(*weight))
            return kiln_error_set(sp->err, KILN_DATA,
                                  "%s line %llu: missing weight",
                                  file_name(sp), (unsigned long long)sp->line);
    }
    return KILN_OK;
}

/* "qid:N": accepted and ignored, N a decimal integer. */
static bool is_qid(const char *s, const char *e)
{
    return e - s >= 3 && memcmp(s, "qid", 3) == 0 &&
           (e - s == 3 || s[3] == ':');
}

static int check_qid(const svm_parser *sp, const char *s, const char *e)
{
    const char *d = s + 4;
    bool ok = e - s > 4;
    for (; ok && d < e; d++)
        ok = *d >= '0' && *d <= '9';
    return ok ? KILN_OK : token_error(sp, "expected qid:N, got '", s, e, "'");
}

static int grow_scratch(svm_parser *sp)
{
    size_t cap = sp->cap < 256 ? 256 : sp->cap;
    if (cap > SIZE_MAX / 2 / sizeof(uint32_t))
        return kiln_error_set(sp->err, KILN_NOMEM,
                              "%s line %llu: too many entries in a row",
                              file_name(sp), (unsigned long long)sp->line);
    cap = sp->cap == 0 ? cap : cap * 2;
    uint32_t *idx = realloc(sp->indices, cap * sizeof *idx);
    if (idx != NULL)
        sp->indices = idx;
    float *val = idx != NULL ? realloc(sp->values, cap * sizeof *val) : NULL;
    if (val == NULL)
        return kiln_error_set(sp->err, KILN_NOMEM,
                              "%s line %llu: cannot allocate %zu bytes for a "
                              "row of %zu entries",
                              file_name(sp), (unsigned long long)sp->line,
                              cap * (sizeof *idx + sizeof *val), cap);
    sp->values = val;
    sp->cap = cap;
    return KILN_OK;
}

/* The index:value token [s, e) into entry k of the scratch arrays. */
static int parse_entry(svm_parser *sp, const char *s, const char *e,
                       size_t k)
{
    const char *d = s;
    uint64_t index = 0;
    while (d < e && *d >= '0' && *d <= '9') {
        if (index <= INDEX_LIMIT) /* saturate: the text names it */
            index = index * 10 + (uint64_t)(*d - '0');
        d++;
    }
    if (d == s || d == e || *d != ':')
        return token_error(sp, "expected index:value, got '", s, e, "'");
    if (index >= INDEX_LIMIT)
        return token_error(sp, "index ", s, d, " out of range");
    kiln_parse_ctx *ctx = sp->ctx;
    if (ctx->cols_fixed && index >= ctx->cols) {
        char tail[64];
        snprintf(tail, sizeof tail, " beyond the %zu features expected",
                 ctx->cols);
        return token_error(sp, "index ", s, d, tail);
    }
    if (!kiln_parse_f32(d + 1, (size_t)(e - d - 1), &sp->values[k]))
        return token_error(sp, "not a number: '", d + 1, e, "'");
    sp->indices[k] = (uint32_t)index;
    if (index + 1 > sp->width)
        sp->width = (size_t)index + 1;
    return KILN_OK;
}

/* Parse the line [s, end) (comment cut off); *row: it was not blank. */
static int parse_line(svm_parser *sp, const char *s, const char *end,
                      bool *row)
{
    const char *p = s;
    while (p < end && is_space(*p))
        p++;
    *row = p < end;
    if (!*row)
        return KILN_OK;
    const char *ts = p;
    while (p < end && !is_space(*p))
        p++;
    sp->token = 1;
    float label, weight;
    int rc = parse_label(sp, ts, p, &label, &weight);
    if (rc != KILN_OK)
        return rc;
    size_t nnz = 0;
    for (;;) {
        while (p < end && is_space(*p))
            p++;
        if (p == end)
            break;
        ts = p;
        while (p < end && !is_space(*p))
            p++;
        sp->token++;
        if (sp->token == 2 && is_qid(ts, p)) {
            rc = check_qid(sp, ts, p);
            if (rc != KILN_OK)
                return rc;
            continue;
        }
        if (nnz == sp->cap && (rc = grow_scratch(sp)) != KILN_OK)
            return rc;
        rc = parse_entry(sp, ts, p, nnz);
        if (rc != KILN_OK)
            return rc;
        nnz++;
    }
    return kiln_dataset_push_sparse(sp->ds, sp->indices, sp->values, nnz,
                                    label, weight, sp->err);
}

int kiln_libsvm_parse(kiln_parse_ctx *ctx, const char *p, size_t n,
                      bool final, size_t max_rows, size_t *used,
                      kiln_dataset *ds, kiln_error *err)
{
    svm_parser sp;
    memset(&sp, 0, sizeof sp);
    sp.ctx = ctx;
    sp.ds = ds;
    sp.err = err;
    sp.line = ctx->line;
    size_t pos = 0, rows = 0;
    int rc = KILN_OK;
    while (rows < max_rows && pos < n) {
        const char *s = p + pos;
        const char *nl = memchr(s, '\n', n - pos);
        const char *end;
        size_t next;
        if (nl != NULL) {
            end = nl;
            next = (size_t)(nl - p) + 1;
        } else if (final) {
            end = p + n;
            next = n;
        } else {
            break; /* a partial line: the caller brings the rest */
        }
        const char *hash = memchr(s, '#', (size_t)(end - s));
        if (hash != NULL)
            end = hash;
        bool row;
        rc = parse_line(&sp, s, end, &row);
        if (rc != KILN_OK)
            break;
        rows += row;
        pos = next;
        sp.line++;
    }
    free(sp.indices);
    free(sp.values);
    if (rc == KILN_OK) {
        if (ctx->cols_fixed)
            kiln_dataset_set_cols(ds, ctx->cols);
        else if (sp.width > ctx->cols)
            ctx->cols = sp.width;
    }
    *used = pos;
    ctx->line = sp.line;
    return rc;
}

/* ---- encoding ------------------------------------------------------- */

/* " index:value" at most: a space, 10 digits, ':', 15 for the value. */
enum { ENTRY_MAX = 27 };

static size_t put_index(char *out, uint32_t v)
{
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

static void put_entry(kiln_buf *out, uint32_t index, float v)
{
    char *d = out->data + out->len;
    *d++ = ' ';
    d += put_index(d, index);
    *d++ = ':';
    char text[32];
    size_t len = kiln_format_f32(v, text);
    memcpy(d, text, len);
    out->len = (size_t)(d + len - out->data);
}

int kiln_libsvm_encode(const kiln_dataset *ds, size_t begin, size_t end,
                       const kiln_write_opts *opts, kiln_buf *out,
                       kiln_error *err)
{
    size_t rows = kiln_dataset_rows(ds);
    if (begin > end || end > rows)
        return kiln_error_set(err, KILN_INTERNAL,
                              "rows %zu..%zu of a dataset of %zu", begin, end,
                              rows);
    const float *labels = kiln_dataset_labels(ds);
    const float *weights = kiln_dataset_weights(ds);
    bool sparse = kiln_dataset_is_sparse(ds);
    size_t cols = kiln_dataset_cols(ds);
    const float *dense = kiln_dataset_dense(ds);
    const size_t *indptr = kiln_dataset_indptr(ds);
    const uint32_t *indices = kiln_dataset_indices(ds);
    const float *values = kiln_dataset_values(ds);
    for (size_t i = begin; i < end; i++) {
        size_t entries = sparse ? indptr[i + 1] - indptr[i] : cols;
        if (entries > (SIZE_MAX - 64) / ENTRY_MAX ||
            kiln_buf_reserve(out, entries * ENTRY_MAX + 64) != KILN_OK)
            return kiln_error_set(err, KILN_NOMEM,
                                  "cannot allocate room for libsvm text of "
                                  "%zu entries",
                                  entries);
        char text[32];
        size_t len = kiln_format_f32(labels != NULL ? labels[i] : 0.0f, text);
        memcpy(out->data + out->len, text, len);
        out->len += len;
        if (opts->weights) {
            out->data[out->len++] = ':';
            len = kiln_format_f32(weights != NULL ? weights[i] : 1.0f, text);
            memcpy(out->data + out->len, text, len);
            out->len += len;
        }
        if (sparse) {
            for (size_t k = indptr[i]; k < indptr[i + 1]; k++)
                put_entry(out, indices[k], values[k]);
        } else if (dense != NULL) {
            const float *row = dense + i * cols;
            for (size_t j = 0; j < cols; j++)
                if (row[j] != 0.0f && !isnan(row[j]))
                    put_entry(out, (uint32_t)j, row[j]);
        }
        out->data[out->len++] = '\n';
        out->data[out->len] = '\0';
    }
    return KILN_OK;
}
