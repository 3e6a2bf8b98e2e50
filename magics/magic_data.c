/* kiln — data magics: %split (a CSV file into SageMaker channels) and
 * %head (a preview of any data file or channel). */
#include "registry.h"
#include "table.h"

#include "algos/data/reader.h"
#include "algos/data/split.h"
#include "algos/data/textrow.h"
#include "algos/data/writer.h"

#include "core/buf.h"
#include "core/strv.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Columns a preview shows before eliding the middle ones. */
enum { HEAD_COLS = 12, HEAD_SPARSE_ENTRIES = 10 };

/* A caption line over a table, as text and HTML. */
static int caption_and_table(const char *caption, const kiln_table *t,
                             const char *footer, kiln_bundle **out)
{
    kiln_buf text, html;
    kiln_buf_init(&text);
    kiln_buf_init(&html);
    kiln_bundle *b = kiln_bundle_new();
    int rc = b ? KILN_OK : KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&text, "%s\n", caption);
    if (rc == KILN_OK)
        rc = kiln_table_text(t, 0, &text);
    if (rc == KILN_OK && footer)
        rc = kiln_buf_printf(&text, "\n%s", footer);
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "<p>");
    if (rc == KILN_OK)
        rc = kiln_table_escape_html(&html, caption, strlen(caption));
    if (rc == KILN_OK)
        rc = kiln_buf_puts(&html, "</p>\n");
    if (rc == KILN_OK)
        rc = kiln_table_html(t, &html);
    if (rc == KILN_OK && footer) {
        rc = kiln_buf_puts(&html, "<p>");
        if (rc == KILN_OK)
            rc = kiln_table_escape_html(&html, footer, strlen(footer));
        if (rc == KILN_OK)
            rc = kiln_buf_puts(&html, "</p>\n");
    }
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/html", kiln_buf_str(&html));
    kiln_buf_fini(&text);
    kiln_buf_fini(&html);
    if (rc != KILN_OK) {
        kiln_bundle_free(b);
        return rc;
    }
    *out = b;
    return KILN_OK;
}

/* ---- %split ------------------------------------------------------------- */

static int save_labels(const char *dir, const kiln_split_result *r,
                       kiln_error *err)
{
    json_t *root = json_object(), *classes = json_array(),
           *mapping = json_object();
    int rc = root && classes && mapping ? KILN_OK : KILN_NOMEM;
    for (size_t i = 0; rc == KILN_OK && i < r->nclasses; i++)
        if (json_array_append_new(classes, json_string(r->classes[i])) != 0 ||
            json_object_set_new(mapping, r->classes[i],
                                json_integer((json_int_t)i)) != 0)
            rc = KILN_NOMEM;
    if (rc == KILN_OK &&
        (json_object_set_new(root, "label", json_string(r->label_name)) != 0 ||
         json_object_set_new(root, "column",
                             json_integer((json_int_t)r->label_column)) != 0 ||
         json_object_set(root, "classes", classes) != 0 ||
         json_object_set(root, "mapping", mapping) != 0))
        rc = KILN_NOMEM;
    char *text = rc == KILN_OK ? json_dumps(root, JSON_INDENT(2)) : NULL;
    json_decref(classes);
    json_decref(mapping);
    json_decref(root);
    if (text == NULL)
        return kiln_error_nomem(err);
    kiln_buf path;
    kiln_buf_init(&path);
    rc = kiln_buf_printf(&path, "%s/labels.json", dir) != KILN_OK
             ? kiln_error_nomem(err)
             : KILN_OK;
    size_t len = strlen(text);
    text[len] = '\0';
    if (rc == KILN_OK) {
        kiln_buf body;
        kiln_buf_init(&body);
        rc = kiln_buf_printf(&body, "%s\n", text) != KILN_OK
                 ? kiln_error_nomem(err)
                 : kiln_file_write(kiln_buf_str(&path), body.data, body.len,
                                   err);
        kiln_buf_fini(&body);
    }
    kiln_buf_fini(&path);
    free(text);
    return rc;
}

static int split_report(const kiln_split_opts *o, const kiln_split_result *r,
                        kiln_bundle **out)
{
    static const char *const headers[4] = {"channel", "rows", "file",
                                           "content type"};
    kiln_table *t = kiln_table_new(4, headers);
    if (t == NULL)
        return KILN_NOMEM;
    int rc = KILN_OK;
    for (int c = 0; rc == KILN_OK && c < KILN_SPLIT_CHANNELS; c++) {
        if (r->paths[c] == NULL)
            continue;
        char rows[32];
        snprintf(rows, sizeof rows, "%zu", r->channel_rows[c]);
        const char *row[4] = {kiln_split_channel_names[c], rows, r->paths[c],
                              kiln_format_mime(o->format)};
        rc = kiln_table_add(t, row);
    }
    kiln_buf caption, footer;
    kiln_buf_init(&caption);
    kiln_buf_init(&footer);
    size_t written = r->channel_rows[0] + r->channel_rows[1] +
                     r->channel_rows[2];
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&caption,
                             "%s: %zu rows%s, label '%s' moved first, %zu "
                             "features",
                             o->src, r->rows,
                             r->header ? " under a header" : "",
                             r->label_name, r->nfeatures);
    if (rc == KILN_OK && written < r->rows)
        rc = kiln_buf_printf(&caption, "; %zu rows left out (fractions add "
                                       "up to less than 1)",
                             r->rows - written);
    if (rc == KILN_OK && r->nclasses > 0) {
        rc = kiln_buf_printf(&footer, "Classes of %s (saved in %s/labels.json): ",
                             r->label_name, o->into);
        for (size_t i = 0; rc == KILN_OK && i < r->nclasses; i++)
            rc = kiln_buf_printf(&footer, "%s%zu = %s", i ? ", " : "", i,
                                 r->classes[i]);
    }
    if (rc == KILN_OK)
        rc = caption_and_table(kiln_buf_str(&caption), t,
                               r->nclasses ? kiln_buf_str(&footer) : NULL, out);
    kiln_buf_fini(&caption);
    kiln_buf_fini(&footer);
    kiln_table_free(t);
    return rc;
}

static int run_split(const kiln_magic_call *call, kiln_error *err)
{
    const kiln_args *a = call->args;
    if (kiln_args_flag(a, "header") && kiln_args_flag(a, "no-header"))
        return kiln_error_set(err, KILN_USAGE,
                              "%%split: give --header or --no-header, not both");
    if (kiln_args_flag(a, "shuffle") && kiln_args_flag(a, "no-shuffle"))
        return kiln_error_set(err, KILN_USAGE,
                              "%%split: give --shuffle or --no-shuffle, not "
                              "both");
    kiln_split_opts o = {
        .src = kiln_args_str(a, "SRC"),
        .label = kiln_args_str(a, "label"),
        .drop = kiln_args_str(a, "drop"),
        .into = kiln_args_str(a, "into"),
        .seed = (uint64_t)kiln_args_int(a, "seed"),
        .shuffle = !kiln_args_flag(a, "no-shuffle"),
        .header = kiln_args_flag(a, "header")      ? 1
                  : kiln_args_flag(a, "no-header") ? 0
                                                   : -1,
        .cancel = call->cancel,
    };
    bool any = false;
    for (int c = 0; c < KILN_SPLIT_CHANNELS; c++) {
        const char *name = kiln_split_channel_names[c];
        any = any || kiln_args_has(a, name);
        o.fractions[c] = kiln_args_float(a, name);
    }
    if (!any) {
        o.fractions[0] = 0.7;
        o.fractions[1] = 0.15;
        o.fractions[2] = 0.15;
    }
    kiln_content_type ct;
    if (kiln_content_type_parse(kiln_args_str(a, "format"), &ct, err) != KILN_OK)
        return err->code;
    o.format = ct.format;
    kiln_split_result r;
    if (kiln_split(&o, &r, err) != KILN_OK)
        return err->code;
    int rc = r.nclasses > 0 ? save_labels(o.into, &r, err) : KILN_OK;
    kiln_bundle *b = NULL;
    if (rc == KILN_OK)
        rc = split_report(&o, &r, &b);
    kiln_split_result_fini(&r);
    return kiln_magic_show(call, rc, b, err);
}

static const kiln_arg_spec split_args[] = {
    {.name = "SRC", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "the CSV file to split (a header row is optional; .gz is fine)"},
    {.name = "label", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "COL",
     .help = "the label column: its header name, or its 0-based position "
             "(-1 = last)"},
    {.name = "into", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "DIR", .help = "where DIR/train/, DIR/validation/ and "
                               "DIR/test/ go"},
    {.name = "drop", .type = KILN_ARG_STR, .metavar = "COLS",
     .help = "columns to leave out, by name or position, comma-separated"},
    {.name = "train", .type = KILN_ARG_FLOAT, .metavar = "F",
     .help = "fraction of rows for train (default 0.7 when no fraction is "
             "given)"},
    {.name = "validation", .type = KILN_ARG_FLOAT, .metavar = "F",
     .help = "fraction for validation (default 0.15; 0 when others are given)"},
    {.name = "test", .type = KILN_ARG_FLOAT, .metavar = "F",
     .help = "fraction for test (default 0.15; 0 when others are given)"},
    {.name = "seed", .type = KILN_ARG_INT, .def = "0",
     .help = "seed of the shuffle (the same split on every machine)"},
    {.name = "format", .type = KILN_ARG_CHOICE,
     .choices = "csv|libsvm|recordio-protobuf", .def = "csv",
     .help = "the channels' format"},
    {.name = "header", .type = KILN_ARG_FLAG,
     .help = "the first row is a header (default: detected)"},
    {.name = "no-header", .type = KILN_ARG_FLAG,
     .help = "the first row is data"},
    {.name = "shuffle", .type = KILN_ARG_FLAG,
     .help = "shuffle rows before cutting (the default)"},
    {.name = "no-shuffle", .type = KILN_ARG_FLAG,
     .help = "keep the file's order (time series)"},
    {0},
};

/* ---- %head -------------------------------------------------------------- */

/* Which columns of `n` a preview shows: all, or the first HEAD_COLS - 1,
 * an ellipsis, and the last. */
static size_t shown_cols(size_t n)
{
    return n <= HEAD_COLS ? n : HEAD_COLS;
}

static size_t col_at(size_t n, size_t k, bool *ellipsis)
{
    *ellipsis = false;
    if (n <= HEAD_COLS)
        return k;
    if (k < HEAD_COLS - 2)
        return k;
    if (k == HEAD_COLS - 2) {
        *ellipsis = true;
        return 0;
    }
    return n - 1;
}

/* Raw CSV: fields as written, with the header's names when there is one. */
static int head_csv(const char *file, size_t rows, const char *caption_path,
                    size_t nfiles, kiln_bundle **out, kiln_error *err)
{
    gzFile gz = gzopen(file, "rb");
    if (gz == NULL)
        return kiln_error_set(err, KILN_IO, "cannot open %s", file);
    kiln_buf bytes;
    kiln_buf_init(&bytes);
    int rc = kiln_buf_reserve(&bytes, (1 << 20) + 1) == KILN_OK
                 ? KILN_OK
                 : kiln_error_nomem(err);
    /* Enough lines for the preview: up to 1 MiB, then whole lines only. */
    int got = rc == KILN_OK ? gzread(gz, bytes.data, 1 << 20) : 0;
    bool whole = got >= 0 && gzeof(gz);
    gzclose(gz);
    if (got < 0 && rc == KILN_OK)
        rc = kiln_error_set(err, KILN_DATA, "%s: cannot decompress", file);
    if (rc != KILN_OK) {
        kiln_buf_fini(&bytes);
        return rc;
    }
    bytes.len = (size_t)got;
    if (!whole) {
        while (bytes.len > 0 && bytes.data[bytes.len - 1] != '\n')
            bytes.len--;
    }
    char delim = kiln_format_sniff_delimiter(bytes.data, bytes.len);
    kiln_text_row row;
    kiln_text_row_init(&row);
    char ***cells = calloc(rows + 1, sizeof *cells);
    size_t *counts = calloc(rows + 1, sizeof *counts);
    size_t nrows = 0, pos = 0;
    uint64_t line = 1;
    if (cells == NULL || counts == NULL)
        rc = kiln_error_nomem(err);
    while (rc == KILN_OK && pos < bytes.len && nrows < rows + 1) {
        rc = kiln_text_row_read(&row, bytes.data, bytes.len, &pos, delim,
                                file, &line, err);
        if (rc != KILN_OK || kiln_text_row_blank(&row))
            continue;
        for (size_t j = 0; rc == KILN_OK && j < row.count; j++) {
            const char *f = kiln_text_row_field(&row, j);
            if (kiln_strv_push(&cells[nrows], j, f, strlen(f)) != KILN_OK)
                rc = kiln_error_nomem(err);
            else
                counts[nrows] = j + 1;
        }
        nrows++;
    }
    /* A header: a text field over a number in the next row. */
    bool header = false;
    if (rc == KILN_OK && nrows >= 2) {
        for (size_t j = 0; j < counts[0] && j < counts[1]; j++) {
            char *end;
            const char *top = cells[0][j], *below = cells[1][j];
            strtod(top, &end);
            bool top_text = top[0] != '\0' && *end != '\0';
            strtod(below, &end);
            bool below_num = below[0] != '\0' && *end == '\0';
            header = header || (top_text && below_num);
        }
    }
    size_t ncols = nrows > 0 ? counts[0] : 0;
    kiln_table *t = NULL;
    if (rc == KILN_OK && ncols > 0) {
        size_t show_n = shown_cols(ncols);
        char **heads = calloc(show_n, sizeof *heads);
        rc = heads ? KILN_OK : kiln_error_nomem(err);
        for (size_t k = 0; rc == KILN_OK && k < show_n; k++) {
            bool ell;
            size_t j = col_at(ncols, k, &ell);
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%zu", j);
            const char *h = ell ? "..." : header && j < counts[0] ? cells[0][j] : tmp;
            heads[k] = strdup(h);
            if (heads[k] == NULL)
                rc = kiln_error_nomem(err);
        }
        if (rc == KILN_OK) {
            t = kiln_table_new(show_n, (const char *const *)heads);
            rc = t ? KILN_OK : kiln_error_nomem(err);
        }
        for (size_t i = header ? 1 : 0; rc == KILN_OK && i < nrows; i++) {
            if (i - (header ? 1 : 0) >= rows)
                break;
            const char *cellrow[HEAD_COLS];
            for (size_t k = 0; k < show_n; k++) {
                bool ell;
                size_t j = col_at(ncols, k, &ell);
                cellrow[k] = ell ? "..." : j < counts[i] ? cells[i][j] : "";
            }
            rc = kiln_table_add(t, cellrow) == KILN_OK ? KILN_OK
                                                       : kiln_error_nomem(err);
        }
        kiln_strv_free(heads, show_n);
    }
    if (rc == KILN_OK && t == NULL)
        rc = kiln_error_set(err, KILN_DATA, "%s has no rows", file);
    if (rc == KILN_OK) {
        kiln_buf cap;
        kiln_buf_init(&cap);
        rc = kiln_buf_printf(
            &cap, "%s%s: text/csv, %zu columns, %s", caption_path,
            nfiles > 1 ? " (first of its files)" : "", ncols,
            header ? "with a header row (not a SageMaker channel yet: "
                     "%split makes one)"
                   : "no header (SageMaker's layout: the label is column 0)");
        if (rc == KILN_OK && delim != ',')
            rc = kiln_buf_printf(&cap, ", delimiter '%s'",
                                 delim == '\t' ? "\\t" : (char[]){delim, 0});
        if (rc == KILN_OK)
            rc = caption_and_table(kiln_buf_str(&cap), t, NULL, out);
        if (rc == KILN_NOMEM)
            rc = kiln_error_nomem(err);
        kiln_buf_fini(&cap);
    }
    kiln_table_free(t);
    for (size_t i = 0; cells && i < nrows; i++)
        kiln_strv_free(cells[i], counts[i]);
    free(cells);
    free(counts);
    kiln_text_row_fini(&row);
    kiln_buf_fini(&bytes);
    return rc;
}

static void fmt_value(float v, char out[32])
{
    kiln_format_f32(v, out);
}

/* libsvm and RecordIO: parsed rows; sparse ones as index:value lists. */
static int head_parsed(kiln_reader *r, size_t rows, const char *path,
                       kiln_bundle **out, kiln_error *err)
{
    kiln_dataset *ds = kiln_reader_batch_new(r);
    if (ds == NULL)
        return kiln_error_nomem(err);
    int rc = kiln_reader_next(r, rows, ds, err);
    if (rc != KILN_OK) {
        kiln_dataset_free(ds);
        return rc;
    }
    bool sparse = kiln_dataset_is_sparse(ds);
    bool labels = kiln_dataset_has_labels(ds);
    const float *w = kiln_dataset_weights(ds);
    bool weights = false;
    for (size_t i = 0; w && i < kiln_dataset_rows(ds); i++)
        weights = weights || w[i] != 1.0f;
    size_t cols = kiln_dataset_cols(ds);
    size_t feat_cols = sparse ? 1 : shown_cols(cols);
    size_t ncols = (labels ? 1 : 0) + (weights ? 1 : 0) + feat_cols;
    const char *heads[HEAD_COLS + 3];
    char names[HEAD_COLS][32];
    size_t k = 0;
    if (labels)
        heads[k++] = "label";
    if (weights)
        heads[k++] = "weight";
    for (size_t c = 0; c < feat_cols; c++) {
        bool ell;
        size_t j = col_at(cols, c, &ell);
        snprintf(names[c], sizeof names[c], "%zu", j);
        heads[k++] = sparse ? "features (index:value)" : ell ? "..." : names[c];
    }
    kiln_table *t = kiln_table_new(ncols, heads);
    rc = t ? KILN_OK : kiln_error_nomem(err);
    kiln_buf cell;
    kiln_buf_init(&cell);
    for (size_t i = 0; rc == KILN_OK && i < kiln_dataset_rows(ds); i++) {
        char vals[HEAD_COLS + 2][32];
        const char *row[HEAD_COLS + 3];
        k = 0;
        if (labels) {
            fmt_value(kiln_dataset_labels(ds)[i], vals[k]);
            row[k] = vals[k];
            k++;
        }
        if (weights) {
            fmt_value(w[i], vals[k]);
            row[k] = vals[k];
            k++;
        }
        if (sparse) {
            kiln_buf_clear(&cell);
            const size_t *ip = kiln_dataset_indptr(ds);
            size_t shown = 0;
            for (size_t e = ip[i]; e < ip[i + 1] && rc == KILN_OK; e++) {
                if (shown == HEAD_SPARSE_ENTRIES) {
                    rc = kiln_buf_printf(&cell, " ... (%zu more)",
                                         ip[i + 1] - e);
                    break;
                }
                char v[32];
                fmt_value(kiln_dataset_values(ds)[e], v);
                rc = kiln_buf_printf(&cell, "%s%u:%s", shown ? " " : "",
                                     kiln_dataset_indices(ds)[e], v);
                shown++;
            }
            row[k++] = kiln_buf_str(&cell);
        } else {
            for (size_t c = 0; c < feat_cols; c++, k++) {
                bool ell;
                size_t j = col_at(cols, c, &ell);
                if (ell) {
                    row[k] = "...";
                    continue;
                }
                float v = kiln_dataset_dense(ds)[i * cols + j];
                if (isnan(v))
                    vals[k][0] = '\0';
                else
                    fmt_value(v, vals[k]);
                row[k] = vals[k];
            }
        }
        if (rc == KILN_OK)
            rc = kiln_table_add(t, row) == KILN_OK ? KILN_OK
                                                   : kiln_error_nomem(err);
    }
    kiln_buf_fini(&cell);
    if (rc == KILN_OK) {
        kiln_buf cap;
        kiln_buf_init(&cap);
        size_t nfiles = kiln_reader_file_count(r);
        rc = kiln_buf_printf(&cap, "%s%s: %s, %s, %zu features%s%s", path,
                             nfiles > 1 ? " (first rows of its files)" : "",
                             kiln_format_mime(kiln_reader_format(r)),
                             sparse ? "sparse" : "dense", cols,
                             labels ? ", labelled" : ", no labels",
                             weights ? ", weighted" : "");
        if (rc == KILN_OK)
            rc = caption_and_table(kiln_buf_str(&cap), t, NULL, out);
        if (rc == KILN_NOMEM)
            rc = kiln_error_nomem(err);
        kiln_buf_fini(&cap);
    }
    kiln_table_free(t);
    kiln_dataset_free(ds);
    return rc;
}

static int run_head(const kiln_magic_call *call, kiln_error *err)
{
    const char *path = kiln_args_str(call->args, "PATH");
    int64_t rows = kiln_args_int(call->args, "rows");
    if (rows < 1 || rows > 1000)
        return kiln_error_set(err, KILN_USAGE,
                              "%%head --rows must be from 1 to 1000, got %lld",
                              (long long)rows);
    kiln_read_opts opts = {.cancel = call->cancel};
    if (kiln_content_type_parse(kiln_args_str(call->args, "content-type"),
                                &opts.type, err) != KILN_OK)
        return err->code;
    kiln_reader *r;
    if (kiln_reader_open(path, &opts, &r, err) != KILN_OK)
        return err->code;
    kiln_bundle *b = NULL;
    int rc;
    if (kiln_reader_format(r) == KILN_FORMAT_CSV)
        rc = head_csv(kiln_reader_file(r), (size_t)rows, path,
                      kiln_reader_file_count(r), &b, err);
    else
        rc = head_parsed(r, (size_t)rows, path, &b, err);
    kiln_reader_free(r);
    return kiln_magic_show(call, rc, b, err);
}

static const kiln_arg_spec head_args[] = {
    {.name = "PATH", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "a data file or a channel directory (.gz is fine)"},
    {.name = "rows", .type = KILN_ARG_INT, .def = "5", .metavar = "N",
     .help = "how many rows to show (1 to 1000)"},
    {.name = "content-type", .type = KILN_ARG_STR, .metavar = "T",
     .help = "read as this type instead of detecting it"},
    {0},
};

/* ---- the table ---------------------------------------------------------- */

const kiln_magic kiln_magics_data[] = {
    {
        .name = "head",
        .kinds = KILN_MAGIC_LINE,
        .args = head_args,
        .summary = "Preview a data file or channel as a table",
        .usage =
            "Shows the first rows of a CSV, libsvm or RecordIO-protobuf file "
            "(or a channel directory, or a .gz of any of them) and the "
            "content type it detected from the bytes.  CSV fields are shown "
            "as written, with the header's names when the first row is one; "
            "libsvm and RecordIO rows are shown parsed, sparse rows as "
            "index:value lists.  Wide rows show their first and last "
            "columns.\n"
            "Example:\n"
            "  %head data/iris/train --rows 3",
        .run = run_head,
    },
    {
        .name = "split",
        .kinds = KILN_MAGIC_LINE,
        .args = split_args,
        .summary = "Turn a CSV file into SageMaker channels (train, "
                   "validation, test)",
        .usage =
            "Reads an ordinary CSV file (with or without a header row), moves "
            "the label column first, drops the header, shuffles the rows with "
            "the seed and writes DIR/train/, DIR/validation/ and DIR/test/ in "
            "the chosen format, as SageMaker's built-in algorithms read them. "
            " Text labels become classes 0..K-1 in sorted order; the mapping "
            "is shown and saved as DIR/labels.json.  Feature columns must "
            "hold numbers (an empty field is a missing value).  Channel "
            "sizes are the fractions of the rows, rounded so they add up.\n"
            "Example:\n"
            "  %split iris.csv --label species --into data/iris --seed 7\n"
            "  %split wine.csv --label -1 --into data/wine --train 0.8 "
            "--validation 0.2 --format recordio-protobuf",
        .run = run_split,
    },
    {0},
};
