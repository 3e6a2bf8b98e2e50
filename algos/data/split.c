/* kiln — %split: an ordinary CSV file into SageMaker channels (split.h). */
#include "split.h"

#include "dataset.h"
#include "parse.h"
#include "textrow.h"
#include "writer.h"

#include "core/buf.h"
#include "core/strv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

const char *const kiln_split_channel_names[KILN_SPLIT_CHANNELS] = {
    "train", "validation", "test"};

/* The source file, its records and what was learned about them. */
typedef struct source {
    const char *path;
    kiln_buf bytes;
    char delimiter;
    size_t *starts;    /* byte offset of each data record */
    uint64_t *lines;   /* its line number */
    size_t n, cap;
    size_t fields;     /* per record */
    kiln_text_row row; /* scratch */
} source;

/* ---- reading ----------------------------------------------------------- */

static int read_source(source *s, kiln_error *err)
{
    gzFile gz = gzopen(s->path, "rb");
    if (gz == NULL)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", s->path,
                              errno ? strerror(errno) : "out of memory");
    int rc = KILN_OK;
    for (;;) {
        if (kiln_buf_reserve(&s->bytes, 1 << 20) != KILN_OK) {
            rc = kiln_error_set(err, KILN_NOMEM,
                                "cannot allocate memory to read %s", s->path);
            break;
        }
        int got = gzread(gz, s->bytes.data + s->bytes.len, 1 << 20);
        if (got < 0) {
            int code;
            const char *msg = gzerror(gz, &code);
            rc = kiln_error_set(err, KILN_DATA, "%s: %s", s->path,
                                code == Z_ERRNO ? strerror(errno) : msg);
            break;
        }
        if (got == 0)
            break;
        s->bytes.len += (size_t)got;
        s->bytes.data[s->bytes.len] = '\0';
    }
    gzclose(gz);
    return rc;
}

static int add_record(source *s, size_t start, uint64_t line, kiln_error *err)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        size_t *st = realloc(s->starts, cap * sizeof *st);
        if (st == NULL)
            return kiln_error_nomem(err);
        s->starts = st;
        uint64_t *ln = realloc(s->lines, cap * sizeof *ln);
        if (ln == NULL)
            return kiln_error_nomem(err);
        s->lines = ln;
        s->cap = cap;
    }
    s->starts[s->n] = start;
    s->lines[s->n] = line;
    s->n++;
    return KILN_OK;
}

/* Re-read record i into s->row. */
static int load_row(source *s, size_t i, kiln_error *err)
{
    size_t pos = s->starts[i];
    uint64_t line = s->lines[i];
    return kiln_text_row_read(&s->row, s->bytes.data, s->bytes.len, &pos,
                              s->delimiter, s->path, &line, err);
}

/* Find every non-blank record and check that all have the same number of
 * fields as the first. */
static int index_records(source *s, kiln_cancel *cancel, kiln_error *err)
{
    size_t pos = 0;
    uint64_t line = 1;
    while (pos < s->bytes.len) {
        if ((s->n & 0xffff) == 0 && cancel && kiln_cancel_requested(cancel))
            return kiln_error_set(err, KILN_INTERRUPTED,
                                  "reading %s was interrupted", s->path);
        size_t start = pos;
        uint64_t at = line;
        if (kiln_text_row_read(&s->row, s->bytes.data, s->bytes.len, &pos,
                               s->delimiter, s->path, &line, err) != KILN_OK)
            return err->code;
        if (kiln_text_row_blank(&s->row))
            continue;
        if (s->n == 0)
            s->fields = s->row.count;
        else if (s->row.count != s->fields)
            return kiln_error_set(err, KILN_DATA,
                                  "%s line %llu: %zu fields, expected %zu",
                                  s->path, (unsigned long long)at,
                                  s->row.count, s->fields);
        if (add_record(s, start, at, err) != KILN_OK)
            return err->code;
    }
    if (s->n == 0)
        return kiln_error_set(err, KILN_DATA, "%s has no rows", s->path);
    return KILN_OK;
}

/* ---- values ------------------------------------------------------------ */

static void trim(const char **p, size_t *n)
{
    while (*n > 0 && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

/* A finite number, as a feature or label may be written. */
static bool is_number(const char *text, float *out)
{
    size_t n = strlen(text);
    trim(&text, &n);
    float v;
    if (n == 0 || !kiln_parse_f32(text, n, &v) || isnan(v))
        return false;
    if (out)
        *out = v;
    return true;
}

/* The text of a value for a message: at most 40 bytes. */
static void quoted(const char *text, char out[64])
{
    size_t n = strlen(text);
    if (n > 40)
        snprintf(out, 64, "'%.40s...'", text);
    else
        snprintf(out, 64, "'%s'", text);
}

/* ---- header and label -------------------------------------------------- */

static bool parse_position(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0)
        return false;
    *out = v;
    return true;
}

static int decide_header(source *s, const kiln_split_opts *o, bool *header,
                         kiln_error *err)
{
    if (o->header >= 0) {
        *header = o->header == 1;
        return KILN_OK;
    }
    if (load_row(s, 0, err) != KILN_OK)
        return err->code;
    long pos;
    if (!parse_position(o->label, &pos)) {
        for (size_t j = 0; j < s->row.count; j++)
            if (strcmp(kiln_text_row_field(&s->row, j), o->label) == 0) {
                *header = true;
                return KILN_OK;
            }
    }
    *header = false;
    if (s->n < 2)
        return KILN_OK;
    /* A text field over a number in the row below. */
    char **first = NULL;
    size_t nf = 0;
    int rc = KILN_OK;
    for (size_t j = 0; j < s->row.count && rc == KILN_OK; j++) {
        const char *f = kiln_text_row_field(&s->row, j);
        rc = kiln_strv_push(&first, nf, f, strlen(f));
        nf += rc == KILN_OK;
    }
    if (rc == KILN_OK)
        rc = load_row(s, 1, err);
    for (size_t j = 0; rc == KILN_OK && j < nf && j < s->row.count; j++) {
        const char *below = kiln_text_row_field(&s->row, j);
        const char *f = first[j];
        if (f[0] != '\0' && !is_number(f, NULL) && is_number(below, NULL))
            *header = true;
    }
    kiln_strv_free(first, nf);
    return rc == KILN_NOMEM ? kiln_error_nomem(err) : rc;
}

static int find_label(source *s, const kiln_split_opts *o, bool header,
                      size_t *col, kiln_error *err)
{
    if (header) {
        if (load_row(s, 0, err) != KILN_OK)
            return err->code;
        for (size_t j = 0; j < s->row.count; j++)
            if (strcmp(kiln_text_row_field(&s->row, j), o->label) == 0) {
                *col = j;
                return KILN_OK;
            }
    }
    long pos;
    if (parse_position(o->label, &pos)) {
        long n = (long)s->fields;
        if (pos < -n || pos >= n)
            return kiln_error_set(err, KILN_USAGE,
                                  "--label %s: %s has %zu columns "
                                  "(positions 0 to %zu, or -1 for the last)",
                                  o->label, s->path, s->fields,
                                  s->fields - 1);
        *col = (size_t)(pos < 0 ? n + pos : pos);
        return KILN_OK;
    }
    kiln_buf names;
    kiln_buf_init(&names);
    for (size_t j = 0; header && j < s->row.count && j < 20; j++)
        kiln_buf_printf(&names, "%s%s", j ? ", " : "",
                        kiln_text_row_field(&s->row, j));
    int rc = kiln_error_set(err, KILN_USAGE,
                            header ? "--label %s: no such column in %s "
                                     "(columns: %s)"
                                   : "--label %s: %s has no header row; give "
                                     "the label's position (0-based)%s",
                            o->label, s->path,
                            header ? kiln_buf_str(&names) : "");
    kiln_buf_fini(&names);
    return rc;
}

/* ---- classes ----------------------------------------------------------- */

/* Sorted distinct texts, with binary search. */
typedef struct classes {
    char **items;
    size_t n;
} classes;

static size_t class_find(const classes *c, const char *text, bool *found)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = strcmp(c->items[mid], text);
        if (d == 0) {
            *found = true;
            return mid;
        }
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static int class_add(classes *c, const char *text, kiln_error *err)
{
    bool found;
    size_t at = class_find(c, text, &found);
    if (found)
        return KILN_OK;
    if (kiln_strv_push(&c->items, c->n, text, strlen(text)) != KILN_OK)
        return kiln_error_nomem(err);
    char *added = c->items[c->n];
    memmove(c->items + at + 1, c->items + at, (c->n - at) * sizeof(char *));
    c->items[at] = added;
    c->n++;
    return KILN_OK;
}

/* ---- shuffling and cutting --------------------------------------------- */

/* xoshiro256** (Blackman and Vigna), seeded by splitmix64. */
typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) without modulo bias: draws below 2^64 mod n are
 * rejected. */
static uint64_t rng_below(rng *r, uint64_t n)
{
    uint64_t threshold = (0 - n) % n;
    for (;;) {
        uint64_t x = rng_next(r);
        if (x >= threshold)
            return x % n;
    }
}

static void cut(size_t n, const double *fractions, size_t *counts)
{
    double sum = 0;
    size_t given = 0;
    double rem[KILN_SPLIT_CHANNELS];
    for (int c = 0; c < KILN_SPLIT_CHANNELS; c++) {
        double exact = (double)n * fractions[c];
        counts[c] = (size_t)floor(exact);
        rem[c] = exact - (double)counts[c];
        sum += fractions[c];
        given += counts[c];
    }
    size_t total = (size_t)llround((double)n * sum);
    if (total > n)
        total = n;
    while (given < total) {
        int best = 0;
        for (int c = 1; c < KILN_SPLIT_CHANNELS; c++)
            if (rem[c] > rem[best])
                best = c;
        counts[best]++;
        rem[best] = -1.0;
        given++;
    }
}

/* ---- writing ----------------------------------------------------------- */

static int make_dir(const char *path, kiln_error *err)
{
    char *p = strdup(path);
    if (p == NULL)
        return kiln_error_nomem(err);
    int rc = KILN_OK;
    for (char *q = p + 1;; q++) {
        bool end = *q == '\0';
        if (*q != '/' && !end)
            continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            rc = kiln_error_set(err, KILN_IO, "cannot create directory %s: %s",
                                p, strerror(errno));
            break;
        }
        if (end)
            break;
        *q = '/';
    }
    free(p);
    return rc;
}

static const char *extension(kiln_format f)
{
    return f == KILN_FORMAT_CSV      ? "csv"
           : f == KILN_FORMAT_LIBSVM ? "libsvm"
                                     : "pbr";
}

typedef struct plan {
    source *src;
    size_t label;       /* column */
    bool *dropped;      /* per column */
    bool text_labels;
    classes *cls;
    const kiln_split_opts *opts;
} plan;

/* Label value of the current row (s->row): its class or its number. */
static float label_value(const plan *pl, const char *text)
{
    if (pl->text_labels) {
        bool found;
        return (float)class_find(pl->cls, text, &found);
    }
    float v = 0;
    is_number(text, &v);
    return v;
}

static int write_csv_row(const plan *pl, kiln_buf *out, kiln_error *err)
{
    const kiln_text_row *row = &pl->src->row;
    const char *label = kiln_text_row_field(row, pl->label);
    int rc;
    if (pl->text_labels) {
        bool found;
        rc = kiln_buf_printf(out, "%zu", class_find(pl->cls, label, &found));
    } else {
        size_t n = strlen(label);
        trim(&label, &n);
        rc = kiln_buf_append(out, label, n);
    }
    for (size_t j = 0; rc == KILN_OK && j < row->count; j++) {
        if (j == pl->label || pl->dropped[j])
            continue;
        const char *f = kiln_text_row_field(row, j);
        size_t n = strlen(f);
        trim(&f, &n);
        rc = kiln_buf_putc(out, ',');
        if (rc == KILN_OK)
            rc = kiln_buf_append(out, f, n);
    }
    if (rc == KILN_OK)
        rc = kiln_buf_putc(out, '\n');
    return rc == KILN_OK ? KILN_OK : kiln_error_nomem(err);
}

static int write_channel(const plan *pl, const size_t *order, size_t begin,
                         size_t end, const char *path, kiln_error *err)
{
    source *s = pl->src;
    kiln_format f = pl->opts->format;
    if (f == KILN_FORMAT_CSV) {
        kiln_buf out;
        kiln_buf_init(&out);
        int rc = KILN_OK;
        for (size_t k = begin; rc == KILN_OK && k < end; k++) {
            rc = load_row(s, order[k], err);
            if (rc == KILN_OK)
                rc = write_csv_row(pl, &out, err);
        }
        if (rc == KILN_OK)
            rc = kiln_file_write(path, out.data ? out.data : "", out.len, err);
        kiln_buf_fini(&out);
        return rc;
    }
    size_t nfeat = 0;
    for (size_t j = 0; j < s->fields; j++)
        nfeat += j != pl->label && !pl->dropped[j];
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, nfeat);
    if (ds == NULL)
        return kiln_error_nomem(err);
    int rc = kiln_dataset_reserve(ds, end - begin, 0, err);
    for (size_t k = begin; rc == KILN_OK && k < end; k++) {
        rc = load_row(s, order[k], err);
        if (rc != KILN_OK)
            break;
        const kiln_text_row *row = &s->row;
        float *x = kiln_dataset_push_dense(
            ds, label_value(pl, kiln_text_row_field(row, pl->label)), 1.0f,
            err);
        if (x == NULL) {
            rc = err->code;
            break;
        }
        for (size_t j = 0; j < row->count; j++) {
            if (j == pl->label || pl->dropped[j])
                continue;
            const char *text = kiln_text_row_field(row, j);
            size_t n = strlen(text);
            trim(&text, &n);
            float v = NAN;
            if (n > 0)
                kiln_parse_f32(text, n, &v); /* checked while classifying */
            *x++ = v;
        }
    }
    kiln_write_opts wo = {.format = f};
    if (rc == KILN_OK)
        rc = kiln_data_write(path, ds, &wo, err);
    kiln_dataset_free(ds);
    return rc;
}

/* Mark the --drop columns, named like the label. */
static int resolve_drops(source *s, const kiln_split_opts *o, bool header,
                         plan *pl, kiln_error *err)
{
    if (o->drop == NULL || o->drop[0] == '\0')
        return KILN_OK;
    char *list = strdup(o->drop);
    if (list == NULL)
        return kiln_error_nomem(err);
    int rc = KILN_OK;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok && rc == KILN_OK;
         tok = strtok_r(NULL, ",", &save)) {
        size_t n = strlen(tok);
        const char *t = tok;
        trim(&t, &n);
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)n, t);
        kiln_split_opts one = *o;
        one.label = name;
        size_t col;
        rc = find_label(s, &one, header, &col, err);
        if (rc == KILN_USAGE) {
            /* Say --drop, not --label. */
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s", err->message);
            kiln_error_init(err);
            rc = kiln_error_set(err, KILN_USAGE, "--drop%s",
                                msg + strlen("--label"));
        } else if (rc == KILN_OK && col == pl->label) {
            rc = kiln_error_set(err, KILN_USAGE,
                                "--drop %s: that is the label column", name);
        } else if (rc == KILN_OK) {
            pl->dropped[col] = true;
        }
    }
    free(list);
    return rc;
}

/* ---- the whole job ------------------------------------------------------ */

static int column_name(const source *s, bool header, size_t j, char **out)
{
    char tmp[48];
    const char *name = tmp;
    if (header)
        name = kiln_text_row_field(&s->row, j);
    else
        snprintf(tmp, sizeof tmp, "column %zu", j);
    *out = strdup(name);
    return *out ? KILN_OK : KILN_NOMEM;
}

/* Check every row: labels present, features numbers; collect classes. */
static int classify(source *s, size_t first, plan *pl, kiln_split_result *res,
                    kiln_error *err)
{
    bool any_text = false;
    for (size_t i = first; i < s->n; i++) {
        if (load_row(s, i, err) != KILN_OK)
            return err->code;
        const char *label = kiln_text_row_field(&s->row, pl->label);
        size_t ln = strlen(label);
        const char *lt = label;
        trim(&lt, &ln);
        if (ln == 0)
            return kiln_error_set(err, KILN_DATA,
                                  "%s line %llu: the label (%s) is empty",
                                  s->path, (unsigned long long)s->lines[i],
                                  res->label_name);
        if (!is_number(label, NULL))
            any_text = true;
        for (size_t j = 0, fi = 0; j < s->row.count; j++) {
            if (j == pl->label || pl->dropped[j])
                continue;
            const char *f = kiln_text_row_field(&s->row, j);
            size_t n = strlen(f);
            trim(&f, &n);
            float v;
            if (n == 0 || kiln_parse_f32(f, n, &v)) {
                fi++;
                continue;
            }
            char q[64];
            quoted(kiln_text_row_field(&s->row, j), q);
            return kiln_error_set(
                err, KILN_DATA,
                "%s line %llu: column '%s' (position %zu) holds text: %s; "
                "only the label may be text (--drop the column?)",
                s->path, (unsigned long long)s->lines[i],
                res->feature_names[fi], j, q);
        }
    }
    pl->text_labels = any_text;
    for (size_t i = first; any_text && i < s->n; i++) {
        if (load_row(s, i, err) != KILN_OK ||
            class_add(pl->cls, kiln_text_row_field(&s->row, pl->label),
                      err) != KILN_OK)
            return err->code;
    }
    return KILN_OK;
}

int kiln_split(const kiln_split_opts *o, kiln_split_result *res,
               kiln_error *err)
{
    memset(res, 0, sizeof *res);
    double sum = 0;
    for (int c = 0; c < KILN_SPLIT_CHANNELS; c++) {
        if (!(o->fractions[c] >= 0.0 && o->fractions[c] <= 1.0))
            return kiln_error_set(err, KILN_USAGE,
                                  "--%s must be a fraction from 0 to 1, got %g",
                                  kiln_split_channel_names[c], o->fractions[c]);
        sum += o->fractions[c];
    }
    if (sum > 1.0 + 1e-9 || sum <= 0.0)
        return kiln_error_set(err, KILN_USAGE,
                              "--train, --validation and --test add up to %g; "
                              "they must add up to more than 0 and at most 1",
                              sum);
    source s = {.path = o->src};
    kiln_buf_init(&s.bytes);
    kiln_text_row_init(&s.row);
    classes cls = {0};
    size_t *order = NULL;
    plan pl = {.src = &s, .cls = &cls, .opts = o};
    int rc = read_source(&s, err);
    if (rc == KILN_OK) {
        s.delimiter = kiln_format_sniff_delimiter(
            s.bytes.data ? s.bytes.data : "", s.bytes.len);
        res->delimiter = s.delimiter;
        rc = index_records(&s, o->cancel, err);
    }
    bool header = false;
    if (rc == KILN_OK)
        rc = decide_header(&s, o, &header, err);
    if (rc == KILN_OK && s.fields < 2)
        rc = kiln_error_set(err, KILN_DATA,
                            "%s has %zu column; a label and at least one "
                            "feature are needed",
                            o->src, s.fields);
    if (rc == KILN_OK)
        rc = find_label(&s, o, header, &pl.label, err);
    if (rc == KILN_OK) {
        pl.dropped = calloc(s.fields, sizeof *pl.dropped);
        rc = pl.dropped ? resolve_drops(&s, o, header, &pl, err)
                        : kiln_error_nomem(err);
    }
    size_t first = header ? 1 : 0;
    if (rc == KILN_OK && s.n <= first)
        rc = kiln_error_set(err, KILN_DATA, "%s has a header but no rows",
                            o->src);
    /* Names, from the header row (reloaded: find_label may have read
     * another row). */
    if (rc == KILN_OK && header)
        rc = load_row(&s, 0, err);
    if (rc == KILN_OK) {
        res->header = header;
        res->label_column = pl.label;
        res->nfeatures = 0;
        for (size_t j = 0; j < s.fields; j++)
            res->nfeatures += j != pl.label && !pl.dropped[j];
        res->feature_names = calloc(res->nfeatures + 1, sizeof(char *));
        if (res->feature_names == NULL ||
            column_name(&s, header, pl.label, &res->label_name) != KILN_OK)
            rc = kiln_error_nomem(err);
        if (rc == KILN_OK && res->nfeatures == 0)
            rc = kiln_error_set(err, KILN_USAGE,
                                "%%split: no feature columns are left");
        for (size_t j = 0, k = 0; rc == KILN_OK && j < s.fields; j++) {
            if (j == pl.label || pl.dropped[j])
                continue;
            if (column_name(&s, header, j, &res->feature_names[k++]) !=
                KILN_OK)
                rc = kiln_error_nomem(err);
        }
    }
    if (rc == KILN_OK)
        rc = classify(&s, first, &pl, res, err);

    /* Shuffle the data rows and cut. */
    size_t n = rc == KILN_OK ? s.n - first : 0;
    if (rc == KILN_OK) {
        order = malloc((n ? n : 1) * sizeof *order);
        if (order == NULL)
            rc = kiln_error_nomem(err);
    }
    if (rc == KILN_OK) {
        for (size_t i = 0; i < n; i++)
            order[i] = first + i;
        if (o->shuffle) {
            rng r;
            uint64_t seed = o->seed;
            for (int k = 0; k < 4; k++)
                r.s[k] = splitmix64(&seed);
            for (size_t i = n; i > 1; i--) {
                size_t j = (size_t)rng_below(&r, i);
                size_t t = order[i - 1];
                order[i - 1] = order[j];
                order[j] = t;
            }
        }
        res->rows = n;
        cut(n, o->fractions, res->channel_rows);
        rc = make_dir(o->into, err);
    }
    size_t at = 0;
    for (int c = 0; rc == KILN_OK && c < KILN_SPLIT_CHANNELS; c++) {
        size_t count = res->channel_rows[c];
        if (o->fractions[c] <= 0.0)
            continue;
        const char *name = kiln_split_channel_names[c];
        kiln_buf dir, path;
        kiln_buf_init(&dir);
        kiln_buf_init(&path);
        if (kiln_buf_printf(&dir, "%s/%s", o->into, name) != KILN_OK ||
            kiln_buf_printf(&path, "%s/%s.%s", kiln_buf_str(&dir), name,
                            extension(o->format)) != KILN_OK)
            rc = kiln_error_nomem(err);
        if (rc == KILN_OK)
            rc = make_dir(kiln_buf_str(&dir), err);
        if (rc == KILN_OK && o->cancel && kiln_cancel_requested(o->cancel))
            rc = kiln_error_set(err, KILN_INTERRUPTED,
                                "%%split was interrupted before writing %s",
                                kiln_buf_str(&path));
        if (rc == KILN_OK)
            rc = write_channel(&pl, order, at, at + count,
                               kiln_buf_str(&path), err);
        if (rc == KILN_OK)
            res->paths[c] = kiln_buf_steal(&path);
        at += count;
        kiln_buf_fini(&dir);
        kiln_buf_fini(&path);
    }
    if (rc == KILN_OK && pl.text_labels) {
        res->classes = cls.items;
        res->nclasses = cls.n;
        cls.items = NULL;
        cls.n = 0;
    }
    kiln_strv_free(cls.items, cls.n);
    free(pl.dropped);
    free(order);
    free(s.starts);
    free(s.lines);
    kiln_text_row_fini(&s.row);
    kiln_buf_fini(&s.bytes);
    if (rc != KILN_OK)
        kiln_split_result_fini(res);
    return rc;
}

void kiln_split_result_fini(kiln_split_result *r)
{
    for (int c = 0; c < KILN_SPLIT_CHANNELS; c++)
        free(r->paths[c]);
    free(r->label_name);
    kiln_strv_free(r->feature_names, r->nfeatures);
    kiln_strv_free(r->classes, r->nclasses);
    memset(r, 0, sizeof *r);
}
