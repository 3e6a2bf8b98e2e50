/* kiln — batch transform (transform.h). */
#include "transform.h"

#include "artifact.h"

#include "algos/data/format.h"
#include "algos/data/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MAX_PAYLOAD_MB = 100 };
#define RECORDIO_MAGIC 0xced7230au
#define LENGTH_MASK ((1u << 29) - 1)

/* ---- input files ----------------------------------------------------------- */

typedef struct file_list {
    char **paths; /* relative to the input directory, or the file's name */
    size_t n, cap;
} file_list;

static int add_path(file_list *l, const char *rel)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (p == NULL)
            return KILN_NOMEM;
        l->paths = p;
        l->cap = cap;
    }
    if ((l->paths[l->n] = strdup(rel)) == NULL)
        return KILN_NOMEM;
    l->n++;
    return KILN_OK;
}

/* The regular files below root/rel (rel "" for root itself), names
 * starting with '.' skipped, symbolic links not followed. */
static int walk(const char *root, const char *rel, int depth, file_list *l,
                kiln_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    if (depth > 64)
        return kiln_error_set(err, KILN_IO, "%s: directories nested too deep",
                              dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return kiln_error_set(err, KILN_IO, "cannot list %s: %s", dir,
                              strerror(errno));
    int rc = KILN_OK;
    for (struct dirent *e; rc == KILN_OK && (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096], path[8200];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(path, sizeof path, "%s/%s", root, sub);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(root, sub, depth + 1, l, err);
        else if (S_ISREG(st.st_mode) && add_path(l, sub) != KILN_OK)
            rc = kiln_error_nomem(err);
    }
    closedir(d);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_free(file_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
}

/* Every input file; *is_dir says whether input is a directory. */
static int list_inputs(const char *input, file_list *l, bool *is_dir,
                       kiln_error *err)
{
    struct stat st;
    memset(l, 0, sizeof *l);
    if (stat(input, &st) != 0)
        return kiln_error_set(err, KILN_USAGE, "cannot read %s: %s", input,
                              strerror(errno));
    *is_dir = S_ISDIR(st.st_mode);
    if (!*is_dir) {
        const char *slash = strrchr(input, '/');
        l->paths = malloc(sizeof *l->paths);
        if (l->paths == NULL ||
            (l->paths[0] = strdup(slash ? slash + 1 : input)) == NULL) {
            free(l->paths);
            return kiln_error_nomem(err);
        }
        l->n = 1;
        return KILN_OK;
    }
    int rc = walk(input, "", 0, l, err);
    if (rc != KILN_OK)
        return rc;
    qsort(l->paths, l->n, sizeof *l->paths, by_path);
    if (l->n == 0)
        return kiln_error_set(err, KILN_USAGE, "%s holds no input files",
                              input);
    return KILN_OK;
}

static int read_file(const char *path, kiln_buf *out, kiln_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", path,
                              strerror(errno));
    int rc = KILN_OK;
    char chunk[65536];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                                strerror(errno));
            break;
        }
        if (got == 0)
            break;
        if (kiln_buf_append(out, chunk, (size_t)got) != KILN_OK) {
            rc = kiln_error_nomem(err);
            break;
        }
    }
    close(fd);
    return rc;
}

/* ---- records ------------------------------------------------------------------ */

typedef struct span {
    size_t at, len;
} span;

typedef struct spans {
    span *items;
    size_t n, cap;
} spans;

static int push_span(spans *s, size_t at, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        span *p = realloc(s->items, cap * sizeof *p);
        if (p == NULL)
            return KILN_NOMEM;
        s->items = p;
        s->cap = cap;
    }
    s->items[s->n++] = (span){at, len};
    return KILN_OK;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* The records of data[0..n) by split type; "why" set on a broken frame. */
static int split_records(kiln_split_type t, const char *data, size_t n,
                         spans *out, char *why, size_t why_size)
{
    if (t == KILN_SPLIT_NONE)
        return n > 0 ? push_span(out, 0, n) : KILN_OK;
    if (t == KILN_SPLIT_LINE) {
        for (size_t at = 0; at < n;) {
            const char *nl = memchr(data + at, '\n', n - at);
            size_t end = nl ? (size_t)(nl - data) + 1 : n;
            size_t k = at;
            while (k < end && (data[k] == ' ' || data[k] == '\t' ||
                               data[k] == '\r' || data[k] == '\n'))
                k++;
            if (k < end && push_span(out, at, end - at) != KILN_OK)
                return KILN_NOMEM;
            at = end;
        }
        return KILN_OK;
    }
    const unsigned char *p = (const unsigned char *)data;
    size_t start = 0;
    bool in_record = false;
    for (size_t at = 0; at < n;) {
        if (n - at < 8 || le32(p + at) != RECORDIO_MAGIC) {
            snprintf(why, why_size,
                     "no RecordIO frame at byte %zu (magic 0xced7230a "
                     "expected)",
                     at);
            return KILN_DATA;
        }
        uint32_t word = le32(p + at + 4), len = word & LENGTH_MASK;
        unsigned cflag = word >> 29;
        size_t total = 8 + (size_t)len + ((4 - len % 4) % 4);
        if (total > n - at) {
            snprintf(why, why_size,
                     "the RecordIO frame at byte %zu runs past the end", at);
            return KILN_DATA;
        }
        if (!in_record)
            start = at;
        at += total;
        /* cflag 1 starts a multi-part record, 2 continues it, 3 ends it */
        in_record = cflag == 1 || cflag == 2;
        if (!in_record && push_span(out, start, at - start) != KILN_OK)
            return KILN_NOMEM;
    }
    return KILN_OK;
}

/* ---- CSV column filters --------------------------------------------------- */

enum { MAX_SELECTORS = 32 };

typedef struct selector {
    long lo, hi;         /* columns lo..hi, both included; from the end when
                            negative */
    bool open_lo, open_hi; /* "$[:b]", "$[a:]" */
} selector;

typedef struct col_filter {
    size_t n; /* 0: everything */
    selector s[MAX_SELECTORS];
} col_filter;

static bool parse_index(const char **p, long *out)
{
    char *end;
    long v = strtol(*p, &end, 10);
    if (end == *p)
        return false;
    *p = end;
    *out = v;
    return true;
}

/* "$", "$[0]", "$[0,-1]", "$[1:]", "$[:5]", "$[0,5:]"; false otherwise. */
static bool parse_filter(const char *text, col_filter *f)
{
    memset(f, 0, sizeof *f);
    if (text == NULL || strcmp(text, "$") == 0)
        return true;
    const char *p = text;
    if (strncmp(p, "$[", 2) != 0)
        return false;
    p += 2;
    for (;;) {
        if (f->n == MAX_SELECTORS)
            return false;
        selector *s = &f->s[f->n++];
        s->open_lo = !parse_index(&p, &s->lo);
        if (*p == ':') {
            p++;
            s->open_hi = !parse_index(&p, &s->hi);
            if (s->open_lo && s->open_hi)
                return false; /* "$[:]": write "$" */
        } else if (s->open_lo) {
            return false;
        } else {
            s->hi = s->lo;
        }
        if (*p == ',') {
            p++;
            continue;
        }
        return p[0] == ']' && p[1] == '\0';
    }
}

/* Append the columns of one CSV line (no '\n') the filter selects, joined
 * by ','.  Fields are cut at commas outside double quotes. */
static int filter_line(const col_filter *f, const char *line, size_t len,
                       kiln_buf *out, char *why, size_t why_size)
{
    enum { MAX_FIELDS = 1 << 20 };
    size_t cap = 64, nf = 0;
    span *fields = malloc(cap * sizeof *fields);
    if (fields == NULL)
        return KILN_NOMEM;
    bool quoted = false;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] == '"')
            quoted = !quoted;
        if (i < len && (line[i] != ',' || quoted))
            continue;
        if (nf == cap) {
            span *g = cap < MAX_FIELDS ? realloc(fields, 2 * cap * sizeof *g)
                                       : NULL;
            if (g == NULL) {
                free(fields);
                return KILN_NOMEM;
            }
            fields = g;
            cap *= 2;
        }
        fields[nf++] = (span){start, i - start};
        start = i + 1;
    }
    int rc = KILN_OK;
    bool first = true;
    for (size_t k = 0; k < f->n && rc == KILN_OK; k++) {
        const selector *s = &f->s[k];
        long lo = s->open_lo ? 0 : s->lo < 0 ? (long)nf + s->lo : s->lo;
        long hi = s->open_hi ? (long)nf - 1 : s->hi < 0 ? (long)nf + s->hi : s->hi;
        if (lo < 0 || hi >= (long)nf || lo > hi) {
            snprintf(why, why_size,
                     "the filter's selector %zu picks columns beyond the %zu "
                     "of a line",
                     k + 1, nf);
            rc = KILN_DATA;
            break;
        }
        for (long c = lo; c <= hi && rc == KILN_OK; c++) {
            if (!first)
                rc = kiln_buf_putc(out, ',');
            first = false;
            if (rc == KILN_OK)
                rc = kiln_buf_append(out, line + fields[c].at, fields[c].len);
        }
    }
    free(fields);
    return rc;
}

/* Every line of in[0..n) through the filter into out. */
static int filter_lines(const col_filter *f, const char *in, size_t n,
                        kiln_buf *out, char *why, size_t why_size)
{
    int rc = KILN_OK;
    for (size_t at = 0; at < n && rc == KILN_OK;) {
        const char *nl = memchr(in + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - in) : n, len = end - at;
        if (len > 0 && in[at + len - 1] == '\r')
            len--;
        rc = filter_line(f, in + at, len, out, why, why_size);
        if (rc == KILN_OK)
            rc = kiln_buf_putc(out, '\n');
        at = end + 1;
    }
    return rc;
}

/* ---- one file ------------------------------------------------------------------ */

typedef struct runner {
    const kiln_transform_spec *spec;
    kiln_transform_result *res;
    size_t max_bytes;
    col_filter in, out;
} runner;

static const char *sniff_type(const kiln_transform_spec *s, const char *data,
                              size_t n)
{
    if (s->content_type != NULL)
        return s->content_type;
    size_t i = 0;
    while (i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                     data[i] == '\t'))
        i++;
    if (i < n && (data[i] == '{' || data[i] == '['))
        return s->split == KILN_SPLIT_LINE ? "application/jsonlines"
                                           : "application/json";
    switch (kiln_format_sniff((const unsigned char *)data,
                              n < 65536 ? n : 65536)) {
    case KILN_FORMAT_RECORDIO: return "application/x-recordio-protobuf";
    case KILN_FORMAT_LIBSVM: return "text/libsvm";
    default: return "text/csv";
    }
}

/* Append the answer to out as AssembleWith (or JoinSource) says. */
static int assemble(const runner *r, const char *data, const spans *recs,
                    size_t first, size_t count, const kiln_buf *answer,
                    kiln_buf *out, char *why, size_t why_size)
{
    const kiln_transform_spec *s = r->spec;
    if (!s->join_input) {
        int rc = kiln_buf_append(out, answer->data ? answer->data : "",
                                 answer->len);
        if (rc == KILN_OK && s->assemble_line &&
            (answer->len == 0 || answer->data[answer->len - 1] != '\n'))
            rc = kiln_buf_putc(out, '\n');
        return rc;
    }
    /* one answer line per input line */
    const char *a = answer->data ? answer->data : "";
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        const char *nl = memchr(a + at, '\n', answer->len - at);
        if (at >= answer->len) {
            snprintf(why, why_size,
                     "JoinSource Input: %zu records sent, %zu answer lines",
                     count, i);
            return KILN_DATA;
        }
        size_t end = nl ? (size_t)(nl - a) : answer->len;
        const span *in = &recs->items[first + i];
        size_t len = in->len;
        while (len > 0 && (data[in->at + len - 1] == '\n' ||
                           data[in->at + len - 1] == '\r'))
            len--;
        if (kiln_buf_append(out, data + in->at, len) != KILN_OK ||
            kiln_buf_putc(out, ',') != KILN_OK ||
            kiln_buf_append(out, a + at, end - at) != KILN_OK ||
            kiln_buf_putc(out, '\n') != KILN_OK)
            return KILN_NOMEM;
        at = end + 1;
    }
    return KILN_OK;
}

/* Transform one file into out; false with why filled when it fails. */
static bool transform_file(runner *r, const char *path, kiln_buf *out,
                           char *why, size_t why_size)
{
    const kiln_transform_spec *s = r->spec;
    kiln_buf data, body, answer;
    kiln_buf_init(&data);
    kiln_buf_init(&body);
    kiln_buf_init(&answer);
    spans recs = {0};
    kiln_error err;
    kiln_error_init(&err);
    bool ok = read_file(path, &data, &err) == KILN_OK;
    if (!ok)
        snprintf(why, why_size, "%.800s", err.message);
    const char *d = data.data ? data.data : "";
    int rc = ok ? split_records(s->split, d, data.len, &recs, why, why_size)
                : KILN_OK;
    if (rc == KILN_NOMEM)
        snprintf(why, why_size, "out of memory splitting %zu bytes",
                 data.len);
    ok = ok && rc == KILN_OK;
    /* RecordIO frames cut at newline bytes are no records at all: say
     * what the input is and what splits it. */
    if (ok && s->split == KILN_SPLIT_LINE &&
        kiln_format_sniff((const unsigned char *)d,
                          data.len < 65536 ? data.len : 65536) ==
            KILN_FORMAT_RECORDIO) {
        snprintf(why, why_size,
                 "the file holds RecordIO-protobuf records, which SplitType "
                 "Line cuts at newline bytes: give --split-type RecordIO");
        ok = false;
    }
    const char *ct = ok ? sniff_type(s, d, data.len) : NULL;
    /* what is sent: the records, or their filtered columns (the join keeps
     * the whole input line) */
    const char *sd = d;
    const spans *send = &recs;
    kiln_buf fdata;
    kiln_buf_init(&fdata);
    spans frecs = {0};
    for (size_t i = 0; ok && r->in.n > 0 && i < recs.n; i++) {
        size_t at = fdata.len, len = recs.items[i].len;
        const char *line = d + recs.items[i].at;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        rc = filter_line(&r->in, line, len, &fdata, why, why_size);
        if (rc == KILN_OK)
            rc = kiln_buf_putc(&fdata, '\n');
        if (rc == KILN_OK)
            rc = push_span(&frecs, at, fdata.len - at);
        if (rc == KILN_NOMEM)
            snprintf(why, why_size, "out of memory filtering the input");
        else if (rc != KILN_OK)
            snprintf(why + strlen(why), why_size - strlen(why),
                     " (InputFilter %.63s, record %zu)", s->input_filter,
                     i + 1);
        ok = rc == KILN_OK;
    }
    if (r->in.n > 0) {
        sd = fdata.data ? fdata.data : "";
        send = &frecs;
    }
    for (size_t i = 0; ok && i < recs.n;) {
        if (s->cancel != NULL && kiln_cancel_requested(s->cancel)) {
            snprintf(why, why_size, "interrupted");
            ok = false;
            break;
        }
        size_t first = i;
        body.len = 0;
        answer.len = 0;
        do {
            const span *sp = &send->items[i];
            if (sp->len > r->max_bytes) {
                snprintf(why, why_size,
                         "record %zu is %zu bytes, more than MaxPayloadInMB "
                         "(%zu MB)%s",
                         i + 1, sp->len, r->max_bytes / (1024 * 1024),
                         s->split == KILN_SPLIT_NONE
                             ? "; SplitType Line or RecordIO sends it in "
                               "pieces"
                             : "");
                ok = false;
                break;
            }
            if (kiln_buf_append(&body, sd + sp->at, sp->len) != KILN_OK) {
                snprintf(why, why_size, "out of memory");
                ok = false;
                break;
            }
            i++;
        } while (!s->single_record && i < recs.n &&
                 body.len + send->items[i].len <= r->max_bytes);
        if (!ok)
            break;
        kiln_infer_error e = {0};
        kiln_media type;
        r->res->requests++;
        rc = kiln_model_invoke(s->models, s->nmodels, ct, s->accept,
                               body.data, body.len, &answer, &type, &e);
        if (rc != KILN_OK) {
            snprintf(why, why_size, "records %zu..%zu: %.800s (%d)", first + 1, i,
                     e.err.message, e.status);
            ok = false;
            break;
        }
        r->res->records += i - first;
        if (assemble(r, d, &recs, first, i - first, &answer, out, why,
                     why_size) != KILN_OK)
            ok = false;
    }
    if (ok && r->out.n > 0) {
        kiln_buf kept;
        kiln_buf_init(&kept);
        rc = filter_lines(&r->out, out->data ? out->data : "", out->len,
                          &kept, why, why_size);
        if (rc == KILN_NOMEM)
            snprintf(why, why_size, "out of memory filtering the output");
        else if (rc != KILN_OK)
            snprintf(why + strlen(why), why_size - strlen(why),
                     " (OutputFilter %.63s)", s->output_filter);
        ok = rc == KILN_OK;
        kiln_buf_fini(out);
        *out = kept;
    }
    free(frecs.items);
    kiln_buf_fini(&fdata);
    free(recs.items);
    kiln_buf_fini(&data);
    kiln_buf_fini(&body);
    kiln_buf_fini(&answer);
    return ok;
}

/* ---- the job's record ------------------------------------------------------ */

static json_t *iso(double t)
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[80];
    snprintf(out, sizeof out, "%s.%03dZ", buf, (int)((t - (double)s) * 1000));
    return json_string(out);
}

static json_t *file_uri(const char *path)
{
    char buf[4200];
    char real[4096];
    snprintf(buf, sizeof buf, "file://%s",
             realpath(path, real) ? real : path);
    return json_string(buf);
}

static const char *split_name(kiln_split_type t)
{
    return t == KILN_SPLIT_LINE       ? "Line"
           : t == KILN_SPLIT_RECORDIO ? "RecordIO"
                                      : "None";
}

static int write_record(const kiln_transform_spec *s,
                        const kiln_transform_result *res, double start,
                        double end, size_t payload_mb, kiln_error *err)
{
    json_t *d = json_object();
    char arn[200];
    snprintf(arn, sizeof arn,
             "arn:aws:sagemaker:local:000000000000:transform-job/%s", s->name);
    json_object_set_new(d, "TransformJobName", json_string(s->name));
    json_object_set_new(d, "TransformJobArn", json_string(arn));
    json_object_set_new(d, "TransformJobStatus",
                        json_string(res->completed ? "Completed"
                                    : strcmp(res->failure, "interrupted") == 0
                                        ? "Stopped"
                                        : "Failed"));
    if (!res->completed)
        json_object_set_new(d, "FailureReason", json_string(res->failure));
    kiln_buf model;
    kiln_buf_init(&model);
    for (size_t i = 0; i < s->nmodels; i++)
        kiln_buf_printf(&model, "%s%s", i ? "+" : "", s->models[i]->name);
    json_object_set_new(d, "ModelName", json_string(model.data ? model.data : ""));
    kiln_buf_fini(&model);
    json_object_set_new(d, "MaxConcurrentTransforms", json_integer(1));
    json_object_set_new(d, "MaxPayloadInMB", json_integer((json_int_t)payload_mb));
    json_object_set_new(d, "BatchStrategy",
                        json_string(s->single_record ? "SingleRecord"
                                                     : "MultiRecord"));
    json_t *src = json_pack("{s:{s:{s:s,s:o}}}", "DataSource", "S3DataSource",
                            "S3DataType", "S3Prefix", "S3Uri",
                            file_uri(s->input));
    if (s->content_type)
        json_object_set_new(src, "ContentType", json_string(s->content_type));
    json_object_set_new(src, "CompressionType", json_string("None"));
    json_object_set_new(src, "SplitType", json_string(split_name(s->split)));
    json_object_set_new(d, "TransformInput", src);
    json_t *out = json_pack("{s:o,s:s}", "S3OutputPath", file_uri(s->output),
                            "AssembleWith",
                            s->assemble_line ? "Line" : "None");
    if (s->accept)
        json_object_set_new(out, "Accept", json_string(s->accept));
    json_object_set_new(d, "TransformOutput", out);
    json_object_set_new(d, "TransformResources",
                        json_pack("{s:s,s:i}", "InstanceType", "local",
                                  "InstanceCount", 1));
    json_object_set_new(d, "DataProcessing",
                        json_pack("{s:s,s:s,s:s}", "InputFilter",
                                  s->input_filter ? s->input_filter : "$",
                                  "OutputFilter",
                                  s->output_filter ? s->output_filter : "$",
                                  "JoinSource",
                                  s->join_input ? "Input" : "None"));
    json_object_set_new(d, "CreationTime", iso(start));
    json_object_set_new(d, "TransformStartTime", iso(start));
    json_object_set_new(d, "TransformEndTime", iso(end));
    json_object_set_new(d, "KilnStatistics",
                        json_pack("{s:I,s:I,s:I,s:I}", "Files",
                                  (json_int_t)res->files, "FilesFailed",
                                  (json_int_t)res->files_failed, "Records",
                                  (json_int_t)res->records, "Requests",
                                  (json_int_t)res->requests));
    char *text = json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(d);
    if (text == NULL)
        return kiln_error_nomem(err);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", s->record_path);
    char *slash = strrchr(dir, '/');
    int rc = KILN_OK;
    if (slash != NULL && slash != dir) {
        *slash = '\0';
        rc = kiln_artifact_mkdirs(dir, err);
    }
    if (rc == KILN_OK)
        rc = kiln_file_write(s->record_path, text, strlen(text), err);
    free(text);
    return rc;
}

/* ---- the job -------------------------------------------------------------------- */

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int kiln_transform_run(const kiln_transform_spec *s,
                       kiln_transform_result *res, kiln_error *err)
{
    memset(res, 0, sizeof *res);
    size_t mb = s->max_payload_mb ? s->max_payload_mb : 6;
    if (mb > MAX_PAYLOAD_MB)
        return kiln_error_set(err, KILN_USAGE,
                              "MaxPayloadInMB %zu: at most %d", mb,
                              MAX_PAYLOAD_MB);
    if (s->join_input && (s->split != KILN_SPLIT_LINE ||
                          (s->accept && strncmp(s->accept, "text/csv", 8))))
        return kiln_error_set(err, KILN_USAGE,
                              "JoinSource Input joins CSV lines: it needs "
                              "SplitType Line and Accept text/csv");
    runner r = {.spec = s, .res = res, .max_bytes = mb * 1024 * 1024};
    bool csv_lines = s->split == KILN_SPLIT_LINE &&
                     (s->content_type == NULL ||
                      strncmp(s->content_type, "text/csv", 8) == 0);
    if (!parse_filter(s->input_filter, &r.in) ||
        !parse_filter(s->output_filter, &r.out))
        return kiln_error_set(err, KILN_USAGE,
                              "filter '%.63s' is not one kiln reads: \"$\", "
                              "or column indexes and slices such as "
                              "\"$[1:]\", \"$[0,-1]\", \"$[0,5:]\"",
                              parse_filter(s->input_filter, &r.in)
                                  ? s->output_filter
                                  : s->input_filter);
    if ((r.in.n > 0 || r.out.n > 0) && !csv_lines)
        return kiln_error_set(err, KILN_USAGE,
                              "InputFilter and OutputFilter pick CSV "
                              "columns: they need SplitType Line and text/csv "
                              "input");
    if (r.out.n > 0 && s->accept && strncmp(s->accept, "text/csv", 8))
        return kiln_error_set(err, KILN_USAGE,
                              "OutputFilter picks CSV columns: it needs "
                              "Accept text/csv");
    file_list files;
    bool is_dir = false;
    int rc = list_inputs(s->input, &files, &is_dir, err);
    if (rc == KILN_OK)
        rc = kiln_artifact_mkdirs(s->output, err);
    if (rc != KILN_OK) {
        list_free(&files);
        return rc;
    }
    double start = wall();
    res->files = files.n;
    kiln_buf out;
    kiln_buf_init(&out);
    for (size_t i = 0; i < files.n && rc == KILN_OK; i++) {
        char in[4200], to[4300], why[900];
        if (is_dir)
            snprintf(in, sizeof in, "%s/%s", s->input, files.paths[i]);
        else
            snprintf(in, sizeof in, "%s", s->input);
        snprintf(to, sizeof to, "%s/%s.out", s->output, files.paths[i]);
        out.len = 0;
        why[0] = '\0';
        bool ok = transform_file(&r, in, &out, why, sizeof why);
        if (ok) {
            char dir[4300];
            snprintf(dir, sizeof dir, "%s", to);
            char *slash = strrchr(dir, '/');
            if (slash != NULL)
                *slash = '\0';
            kiln_error werr;
            kiln_error_init(&werr);
            if (kiln_artifact_mkdirs(dir, &werr) != KILN_OK ||
                kiln_file_write(to, out.data ? out.data : "", out.len,
                                &werr) != KILN_OK) {
                ok = false;
                snprintf(why, sizeof why, "%.800s", werr.message);
            }
        }
        if (!ok) {
            res->files_failed++;
            if (res->failure[0] == '\0')
                snprintf(res->failure, sizeof res->failure, "%s%s%.900s",
                         strcmp(why, "interrupted") ? files.paths[i] : "",
                         strcmp(why, "interrupted") ? ": " : "", why);
            if (strcmp(why, "interrupted") == 0)
                snprintf(res->failure, sizeof res->failure, "interrupted");
            if (s->cancel != NULL && kiln_cancel_requested(s->cancel))
                break;
        }
    }
    kiln_buf_fini(&out);
    res->completed = res->files_failed == 0;
    res->seconds = wall() - start;
    rc = write_record(s, res, start, wall(), mb, err);
    list_free(&files);
    return rc;
}
