/* kiln — CSV rows: the chunk parser behind reader.c and the encoder
 * behind writer.c (parse.h; the format's rules are in reader.h and
 * writer.h).
 *
 * The parser is the hot path of a channel load.  It finds line ends with
 * memchr, walks each line's fields in place (no copies, no NUL
 * terminators: kiln_parse_f32 takes lengths) and writes the features
 * straight into the row kiln_dataset_push_dense hands out.  Quoted fields
 * and field counting take a slower, general scanner; errors take their
 * time.
 */
#include "parse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How the fields of one stream are delimited. */
typedef struct csv_syntax {
    char delim;
    bool space_blank; /* ' ' is a blank around fields (not the delimiter) */
    bool tab_blank;   /* '\t' likewise */
} csv_syntax;

static csv_syntax syntax_for(char delimiter)
{
    csv_syntax sx;
    sx.delim = delimiter != '\0' ? delimiter : ',';
    sx.space_blank = sx.delim != ' ';
    sx.tab_blank = sx.delim != '\t';
    return sx;
}

static bool is_blank(const csv_syntax *sx, char c)
{
    return (c == ' ' && sx->space_blank) || (c == '\t' && sx->tab_blank);
}

/* A line that holds only blanks (and stray '\r') is skipped. */
static bool is_blank_line(const csv_syntax *sx, const char *p, const char *end)
{
    for (; p < end; p++)
        if (!is_blank(sx, *p) && *p != '\r')
            return false;
    return true;
}

typedef enum field_status {
    FIELD_OK,
    FIELD_JUNK, /* text after a closing quote */
    FIELD_OPEN, /* no closing quote on the line */
} field_status;

/* The field starting at p on a line ending at end, quotes and all.
 * [*ts, *te) is its number text: without surrounding blanks and, when
 * quoted, without the quotes (for FIELD_JUNK and FIELD_OPEN, the whole
 * trimmed field, for the message).  Returns where the field ends: at
 * the delimiter after it, or at end. */
static const char *scan_field(const csv_syntax *sx, const char *p,
                              const char *end, const char **ts,
                              const char **te, field_status *status)
{
    while (p < end && is_blank(sx, *p))
        p++;
    const char *fs = p;
    *status = FIELD_OK;
    if (p < end && *p == '"') {
        const char *q = p + 1;
        for (;;) {
            const char *r = memchr(q, '"', (size_t)(end - q));
            if (r == NULL) {
                *status = FIELD_OPEN;
                p = end;
                break;
            }
            if (r + 1 < end && r[1] == '"') { /* "" stands for one quote */
                q = r + 2;
                continue;
            }
            const char *after = r + 1;
            while (after < end && is_blank(sx, *after))
                after++;
            if (after == end || *after == sx->delim) {
                const char *cs = fs + 1, *ce = r;
                while (cs < ce && is_blank(sx, *cs))
                    cs++;
                while (ce > cs && is_blank(sx, ce[-1]))
                    ce--;
                *ts = cs;
                *te = ce;
                return after;
            }
            *status = FIELD_JUNK;
            p = after;
            while (p < end && *p != sx->delim)
                p++;
            break;
        }
    } else {
        while (p < end && *p != sx->delim)
            p++;
    }
    const char *fe = p;
    while (fe > fs && is_blank(sx, fe[-1]))
        fe--;
    *ts = fs;
    *te = fe;
    return p;
}

/* Fields from p to end (p is a field's start): one more than the
 * delimiters outside quotes. */
static size_t count_fields(const csv_syntax *sx, const char *p,
                           const char *end)
{
    size_t n = 1;
    const char *ts, *te;
    field_status st;
    while ((p = scan_field(sx, p, end, &ts, &te, &st)) < end) {
        p++;
        n++;
    }
    return n;
}

size_t kiln_csv_first_fields(const char *p, size_t n, bool final,
                             char delimiter)
{
    if (n == 0)
        return 0;
    csv_syntax sx = syntax_for(delimiter);
    const char *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL && !final)
            return 0;
        const char *le = nl != NULL ? nl : end;
        if (!is_blank_line(&sx, p, le)) {
            if (le > p && le[-1] == '\r')
                le--;
            return count_fields(&sx, p, le);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    return 0;
}

/* ---- parsing -------------------------------------------------------- */

typedef struct csv_parser {
    kiln_parse_ctx *ctx;
    csv_syntax sx;
    size_t lead;      /* label and weight columns before the features */
    kiln_dataset *ds;
    kiln_error *err;
    uint64_t line;    /* of the line being parsed */
} csv_parser;

static const char *file_name(const csv_parser *cp)
{
    return cp->ctx->file != NULL ? cp->ctx->file : "<data>";
}

/* 'text' for a message: at most 64 bytes of it, then "...";
 * non-printable bytes as \xNN. */
static void quote_text(const char *s, const char *e, char out[300])
{
    static const char hex[] = "0123456789abcdef";
    size_t n = (size_t)(e - s), k = 0;
    out[k++] = '\'';
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
    out[k++] = '\'';
    out[k] = '\0';
}

static int not_a_number(const csv_parser *cp, size_t column, const char *s,
                        const char *e, field_status st)
{
    char text[300];
    quote_text(s, e, text);
    return kiln_error_set(cp->err, KILN_DATA,
                          "%s line %llu, column %zu: %s: %s", file_name(cp),
                          (unsigned long long)cp->line, column,
                          st == FIELD_OPEN ? "unterminated quote"
                                           : "not a number",
                          text);
}

static int wrong_count(const csv_parser *cp, size_t fields)
{
    size_t expected = cp->lead + cp->ctx->cols;
    return kiln_error_set(cp->err, KILN_DATA,
                          "%s line %llu: %zu field%s, expected %zu",
                          file_name(cp), (unsigned long long)cp->line, fields,
                          fields == 1 ? "" : "s", expected);
}

/* The label or weight field at p (1-based column `column`): a number
 * that is not missing.  Returns where the field ends, or NULL with the
 * error set. */
static const char *parse_extra(const csv_parser *cp, const char *p,
                               const char *end, size_t column,
                               const char *what, float *out)
{
    const char *ts, *te;
    field_status st;
    const char *q = scan_field(&cp->sx, p, end, &ts, &te, &st);
    if (st != FIELD_OK || !kiln_parse_f32(ts, (size_t)(te - ts), out)) {
        not_a_number(cp, column, ts, te, st);
        return NULL;
    }
    if (isnan(*out)) {
        kiln_error_set(cp->err, KILN_DATA,
                       "%s line %llu: missing %s (column %zu)", file_name(cp),
                       (unsigned long long)cp->line, what, column);
        return NULL;
    }
    return q;
}

/* Fill row[0..cols) from the feature fields starting at p.  The line has
 * `lead` fields before p.  On error the rest of the row is NaN. */
static int parse_features(const csv_parser *cp, const char *p,
                          const char *end, float *row)
{
    const csv_syntax *sx = &cp->sx;
    const char delim = sx->delim;
    const size_t cols = cp->ctx->cols;
    size_t j = 0;
    int rc = KILN_OK;
    for (; j < cols; j++) {
        while (p < end && is_blank(sx, *p))
            p++;
        const char *fs = p, *fe;
        field_status st = FIELD_OK;
        if (p < end && *p == '"') {
            p = scan_field(sx, p, end, &fs, &fe, &st);
        } else {
            while (p < end && *p != delim)
                p++;
            fe = p;
            while (fe > fs && is_blank(sx, fe[-1]))
                fe--;
        }
        if (st != FIELD_OK ||
            !kiln_parse_f32(fs, (size_t)(fe - fs), &row[j])) {
            rc = not_a_number(cp, cp->lead + j + 1, fs, fe, st);
            break;
        }
        if (p == end) {
            if (j + 1 < cols) {
                rc = wrong_count(cp, cp->lead + j + 1);
                j++;
                break;
            }
        } else if (j + 1 == cols) {
            size_t rest = count_fields(sx, p + 1, end);
            rc = wrong_count(cp, cp->lead + cols + rest);
        } else {
            p++;
        }
    }
    for (; j < cols; j++)
        row[j] = NAN;
    return rc;
}

/* Parse the non-blank line [s, end) into cp->ds. */
static int parse_line(csv_parser *cp, const char *s, const char *end)
{
    kiln_parse_ctx *ctx = cp->ctx;
    kiln_dataset *ds = cp->ds;
    /* The width: the rows already read decide it, else this line. */
    if (ctx->cols == 0 && kiln_dataset_rows(ds) > 0)
        ctx->cols = kiln_dataset_cols(ds);
    if (ctx->cols == 0) {
        size_t fields = count_fields(&cp->sx, s, end);
        if (fields <= cp->lead)
            return kiln_error_set(cp->err, KILN_DATA,
                                  "%s line %llu: no features", file_name(cp),
                                  (unsigned long long)cp->line);
        ctx->cols = fields - cp->lead;
    }

    /* Label, then weight. */
    float label = 0.0f, weight = 1.0f;
    const char *p = s;
    size_t column = 0;
    if (ctx->label_size > 0) {
        p = parse_extra(cp, p, end, ++column, "label", &label);
        if (p == NULL)
            return cp->err->code;
        if (p == end)
            return wrong_count(cp, column);
        p++;
    }
    if (ctx->weights) {
        p = parse_extra(cp, p, end, ++column, "weight", &weight);
        if (p == NULL)
            return cp->err->code;
        if (p == end)
            return wrong_count(cp, column);
        p++;
    }

    /* A dense dataset's width is fixed when it is made; one that was made
     * before the width was known (0 columns, no rows) takes it from a
     * one-row dataset appended to it (kiln_dataset_append). */
    size_t have = kiln_dataset_cols(ds);
    if (have == ctx->cols) {
        float *row = kiln_dataset_push_dense(ds, label, weight, cp->err);
        if (row == NULL)
            return cp->err->code;
        return parse_features(cp, p, end, row);
    }
    if (kiln_dataset_rows(ds) > 0)
        return kiln_error_set(cp->err, KILN_INTERNAL,
                              "%s line %llu: the dataset has %zu features, "
                              "the stream %zu",
                              file_name(cp), (unsigned long long)cp->line,
                              have, ctx->cols);
    kiln_dataset *first = kiln_dataset_new(kiln_dataset_flags(ds), ctx->cols);
    if (first == NULL)
        return kiln_error_nomem(cp->err);
    float *row = kiln_dataset_push_dense(first, label, weight, cp->err);
    int rc = row == NULL ? cp->err->code : parse_features(cp, p, end, row);
    if (rc == KILN_OK)
        rc = kiln_dataset_append(ds, first, cp->err);
    kiln_dataset_free(first);
    return rc;
}

int kiln_csv_parse(kiln_parse_ctx *ctx, const char *p, size_t n, bool final,
                   size_t max_rows, size_t *used, kiln_dataset *ds,
                   kiln_error *err)
{
    csv_parser cp;
    cp.ctx = ctx;
    cp.sx = syntax_for(ctx->delimiter);
    cp.lead = (ctx->label_size > 0 ? 1u : 0u) + (ctx->weights ? 1u : 0u);
    cp.ds = ds;
    cp.err = err;
    cp.line = ctx->line;
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
        if (end > s && end[-1] == '\r')
            end--;
        if (!is_blank_line(&cp.sx, s, end)) {
            rc = parse_line(&cp, s, end);
            if (rc != KILN_OK)
                break;
            rows++;
        }
        pos = next;
        cp.line++;
    }
    *used = pos;
    ctx->line = cp.line;
    return rc;
}

/* ---- encoding ------------------------------------------------------- */

/* Longest kiln_format_f32 text ("-1.17549435e-38") and a delimiter. */
enum { FIELD_MAX = 16 };

/* Append one field (NaN: empty) at out->data + out->len; the caller
 * reserved room. */
static void put_field(kiln_buf *out, float v, bool first, char delim)
{
    if (!first)
        out->data[out->len++] = delim;
    if (!isnan(v)) {
        char text[32];
        size_t len = kiln_format_f32(v, text);
        memcpy(out->data + out->len, text, len);
        out->len += len;
    }
}

int kiln_csv_encode(const kiln_dataset *ds, size_t begin, size_t end,
                    const kiln_write_opts *opts, kiln_buf *out,
                    kiln_error *err)
{
    size_t rows = kiln_dataset_rows(ds);
    if (begin > end || end > rows)
        return kiln_error_set(err, KILN_INTERNAL,
                              "rows %zu..%zu of a dataset of %zu", begin, end,
                              rows);
    char delim = opts->delimiter != '\0' ? opts->delimiter : ',';
    const float *labels = kiln_dataset_labels(ds);
    const float *weights = kiln_dataset_weights(ds);
    bool with_weights = opts->weights;
    size_t cols = kiln_dataset_cols(ds);
    size_t fields = cols + (labels != NULL) + with_weights;
    if (fields > (SIZE_MAX - 4) / FIELD_MAX)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot encode rows of %zu features", cols);
    size_t room = fields * FIELD_MAX + 4;

    /* Sparse rows are expanded into a dense scratch row, absent entries
     * 0 (a later entry for the same column wins, as in a dense view). */
    float *scratch = NULL;
    const float *dense = kiln_dataset_dense(ds);
    const size_t *indptr = NULL;
    const uint32_t *indices = NULL;
    const float *values = NULL;
    if (kiln_dataset_is_sparse(ds) && begin < end && cols > 0) {
        scratch = calloc(cols, sizeof *scratch);
        if (scratch == NULL)
            return kiln_error_set(err, KILN_NOMEM,
                                  "cannot allocate %zu bytes for a row of "
                                  "%zu features",
                                  cols * sizeof *scratch, cols);
        indptr = kiln_dataset_indptr(ds);
        indices = kiln_dataset_indices(ds);
        values = kiln_dataset_values(ds);
    }

    int rc = KILN_OK;
    for (size_t i = begin; i < end; i++) {
        if (kiln_buf_reserve(out, room) != KILN_OK) {
            rc = kiln_error_set(err, KILN_NOMEM,
                                "cannot allocate %zu bytes for CSV text",
                                out->len + room);
            break;
        }
        size_t start = out->len;
        bool first = true;
        if (labels != NULL) {
            put_field(out, labels[i], first, delim);
            first = false;
        }
        if (with_weights) {
            put_field(out, weights != NULL ? weights[i] : 1.0f, first, delim);
            first = false;
        }
        const float *row = NULL;
        if (scratch != NULL) {
            for (size_t k = indptr[i]; k < indptr[i + 1]; k++)
                scratch[indices[k]] = values[k];
            row = scratch;
        } else if (dense != NULL) {
            row = dense + i * cols;
        }
        for (size_t j = 0; j < cols; j++) {
            put_field(out, row[j], first, delim);
            first = false;
        }
        if (scratch != NULL)
            for (size_t k = indptr[i]; k < indptr[i + 1]; k++)
                scratch[indices[k]] = 0.0f;
        /* A line of one empty field would read back as a blank line, so
         * it is written as an empty quoted field (as Python's csv module
         * does). */
        if (fields == 1 && out->len == start) {
            memcpy(out->data + out->len, "\"\"", 2);
            out->len += 2;
        }
        out->data[out->len++] = '\n';
        out->data[out->len] = '\0';
    }
    free(scratch);
    return rc;
}
