/* kiln — inference requests and responses (infer.h). */
#include "infer.h"

#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <jansson.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- media types ---------------------------------------------------------- */

static const struct {
    const char *name;
    kiln_media media;
} media_names[] = {
    {"text/csv", KILN_MEDIA_CSV},
    {"csv", KILN_MEDIA_CSV},
    {"text/libsvm", KILN_MEDIA_LIBSVM},
    {"text/x-libsvm", KILN_MEDIA_LIBSVM},
    {"libsvm", KILN_MEDIA_LIBSVM},
    {"application/json", KILN_MEDIA_JSON},
    {"application/jsonlines", KILN_MEDIA_JSONLINES},
    {"application/x-jsonlines", KILN_MEDIA_JSONLINES},
    {"application/jsonl", KILN_MEDIA_JSONLINES},
    {"application/x-recordio-protobuf", KILN_MEDIA_RECORDIO},
    {"recordio-protobuf", KILN_MEDIA_RECORDIO},
};

const char *kiln_media_mime(kiln_media m)
{
    switch (m) {
    case KILN_MEDIA_CSV: return "text/csv";
    case KILN_MEDIA_LIBSVM: return "text/libsvm";
    case KILN_MEDIA_JSON: return "application/json";
    case KILN_MEDIA_JSONLINES: return "application/jsonlines";
    case KILN_MEDIA_RECORDIO: return "application/x-recordio-protobuf";
    case KILN_MEDIA_NONE: break;
    }
    return "";
}

/* [p, end) without blanks at either end. */
static void trim(const char **p, const char **end)
{
    while (*p < *end && (**p == ' ' || **p == '\t'))
        (*p)++;
    while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
        (*end)--;
}

static bool word_is(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(end - p) == n && strncasecmp(p, w, n) == 0;
}

/* One parameter "name=value" of a media type of kind m; *q gets q=. */
static int media_param(kiln_media m, const char *p, const char *end,
                       double *q, kiln_error *err)
{
    const char *eq = memchr(p, '=', (size_t)(end - p));
    const char *ne = eq ? eq : end, *v = eq ? eq + 1 : end;
    trim(&p, &ne);
    trim(&v, &end);
    if (v < end && *v == '"' && end - v >= 2 && end[-1] == '"')
        v++, end--;
    if (word_is(p, ne, "charset") && word_is(v, end, "utf-8"))
        return KILN_OK;
    if (word_is(p, ne, "verbose") &&
        (word_is(v, end, "true") || word_is(v, end, "false")))
        return KILN_OK;
    if (m == KILN_MEDIA_CSV && word_is(p, ne, "label_size") &&
        word_is(v, end, "0"))
        return KILN_OK;
    if (word_is(p, ne, "q")) {
        char buf[32];
        size_t n = (size_t)(end - v);
        char *stop;
        if (n > 0 && n < sizeof buf) {
            memcpy(buf, v, n);
            buf[n] = '\0';
            double x = strtod(buf, &stop);
            if (*stop == '\0' && x >= 0.0 && x <= 1.0) {
                *q = x;
                return KILN_OK;
            }
        }
    }
    return kiln_error_set(err, KILN_DATA,
                          "media type parameter '%.*s' is not supported "
                          "(charset=utf-8, verbose=true|false, q=, and "
                          "label_size=0 for text/csv are)",
                          (int)(end - p > 200 ? 200 : end - p), p);
}

/* One media range [p, end) with its parameters; NONE for a wildcard. */
static int media_range(const char *p, const char *end, kiln_media *out,
                       double *q, kiln_error *err)
{
    const char *semi = memchr(p, ';', (size_t)(end - p));
    const char *te = semi ? semi : end;
    trim(&p, &te);
    *out = KILN_MEDIA_NONE;
    *q = 1.0;
    bool known = p == te || word_is(p, te, "*/*") ||
                 word_is(p, te, "application/*") || word_is(p, te, "text/*");
    for (size_t i = 0; !known && i < sizeof media_names / sizeof *media_names;
         i++)
        if (word_is(p, te, media_names[i].name)) {
            *out = media_names[i].media;
            known = true;
        }
    if (!known)
        return kiln_error_set(err, KILN_DATA, "unknown media type '%.*s'",
                              (int)(te - p > 200 ? 200 : te - p), p);
    while (semi != NULL) {
        const char *a = semi + 1;
        semi = memchr(a, ';', (size_t)(end - a));
        int rc = media_param(*out, a, semi ? semi : end, q, err);
        if (rc != KILN_OK)
            return rc;
    }
    return KILN_OK;
}

int kiln_media_parse(const char *text, kiln_media *out, kiln_error *err)
{
    double q;
    text = text ? text : "";
    return media_range(text, text + strlen(text), out, &q, err);
}

/* ---- negotiation ------------------------------------------------------------ */

static int fail(kiln_infer_error *e, int status, int code, const char *fmt,
                ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail(kiln_infer_error *e, int status, int code, const char *fmt,
                ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = status;
    kiln_error_setv(&e->err, code, fmt, ap);
    va_end(ap);
    return code;
}

static bool listed(const kiln_media *list, kiln_media m)
{
    for (size_t i = 0; list != NULL && list[i] != KILN_MEDIA_NONE; i++)
        if (list[i] == m)
            return true;
    return false;
}

/* "text/csv, text/libsvm" into buf. */
static const char *list_text(const kiln_media *list, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; list != NULL && list[i] != KILN_MEDIA_NONE; i++)
        n += (size_t)snprintf(buf + (n < size ? n : size - 1),
                              n < size ? size - n : 1, "%s%s",
                              i ? ", " : "", kiln_media_mime(list[i]));
    return buf;
}

int kiln_infer_request_type(const kiln_algo *a, const char *content_type,
                            kiln_media *out, kiln_infer_error *e)
{
    char types[256];
    kiln_media m;
    kiln_error err;
    kiln_error_init(&err);
    if (kiln_media_parse(content_type, &m, &err) != KILN_OK ||
        (m != KILN_MEDIA_NONE && !listed(a->request_types, m)) ||
        a->request_types == NULL || a->request_types[0] == KILN_MEDIA_NONE)
        return fail(e, 415, KILN_DATA,
                    "Content-Type '%.200s' is not supported: %s reads %s",
                    content_type ? content_type : "", a->name,
                    list_text(a->request_types, types, sizeof types));
    *out = m != KILN_MEDIA_NONE ? m : a->request_types[0];
    return KILN_OK;
}

/* How specifically the range [p, end) (its type, parameters cut off),
 * parsed as m, covers type t: 3 names it, 2 is its "major/ *", 1 is "* / *"
 * (or no type at all), 0 does not cover it. */
static int covers(kiln_media m, const char *p, const char *end, kiln_media t)
{
    if (m != KILN_MEDIA_NONE)
        return m == t ? 3 : 0;
    const char *slash = memchr(p, '/', (size_t)(end - p));
    size_t major = slash ? (size_t)(slash - p) : 0;
    if (major == 0 || (major == 1 && *p == '*'))
        return 1;
    const char *mime = kiln_media_mime(t);
    return strncasecmp(mime, p, major) == 0 && mime[major] == '/' ? 2 : 0;
}

int kiln_infer_response_type(const kiln_algo *a, const char *accept,
                             kiln_media *out, kiln_infer_error *e)
{
    char types[256];
    if (a->response_types == NULL || a->response_types[0] == KILN_MEDIA_NONE)
        return fail(e, 406, KILN_DATA, "%s has no inference responses",
                    a->name);
    /* Per media type: the q of the most specific range covering it (RFC
     * 9110 §12.5.1, so "application/json;q=0, * / *" excludes JSON), and
     * the position of that range, which breaks ties. */
    enum { N = KILN_MEDIA_RECORDIO + 1 };
    int spec[N] = {0};
    double q_of[N] = {0};
    size_t pos[N] = {0};
    const char *p = accept ? accept : "";
    bool any = false;
    for (size_t at = 0;; at++) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *s = p, *se = end;
        trim(&s, &se);
        kiln_media m;
        double q;
        kiln_error err;
        kiln_error_init(&err);
        any |= s < se;
        /* types kiln does not know are passed over, as HTTP says */
        if (s < se && media_range(s, se, &m, &q, &err) == KILN_OK) {
            const char *te = memchr(s, ';', (size_t)(se - s));
            for (int t = 1; t < N; t++) {
                int c = covers(m, s, te ? te : se, (kiln_media)t);
                if (c > spec[t]) {
                    spec[t] = c;
                    q_of[t] = q;
                    pos[t] = at;
                }
            }
        }
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    kiln_media best = any ? KILN_MEDIA_NONE : a->response_types[0];
    for (size_t i = 0; any && a->response_types[i] != KILN_MEDIA_NONE; i++) {
        kiln_media t = a->response_types[i];
        if (q_of[t] > 0.0 &&
            (best == KILN_MEDIA_NONE || q_of[t] > q_of[best] ||
             (q_of[t] == q_of[best] && pos[t] < pos[best])))
            best = t;
    }
    if (best == KILN_MEDIA_NONE)
        return fail(e, 406, KILN_DATA,
                    "Accept '%.200s' cannot be answered: %s answers with %s",
                    accept, a->name,
                    list_text(a->response_types, types, sizeof types));
    *out = best;
    return KILN_OK;
}

/* ---- decoding --------------------------------------------------------------- */

/* The parts of one JSON instance: dense values, or sparse keys + values. */
typedef struct instance {
    json_t *values; /* an array */
    json_t *keys;   /* an array, or NULL: dense */
} instance;

static int bad_json(kiln_infer_error *e, size_t i, const char *what)
{
    return fail(e, 400, KILN_DATA, "instance %zu: %s", i + 1, what);
}

static int instance_parts(json_t *v, size_t i, size_t cols, instance *out,
                          kiln_infer_error *e)
{
    out->keys = NULL;
    if (json_is_array(v)) {
        out->values = v;
        return KILN_OK;
    }
    if (!json_is_object(v))
        return bad_json(e, i, "expected an object with \"features\" (or "
                              "\"data\": {\"features\": ...}), or a list of "
                              "numbers");
    json_t *f = json_object_get(v, "features");
    if (json_is_array(f)) {
        out->values = f;
        return KILN_OK;
    }
    json_t *d = json_object_get(v, "data");
    f = json_is_object(d) ? json_object_get(d, "features") : NULL;
    json_t *vals = json_is_object(f) ? json_object_get(f, "values") : NULL;
    if (!json_is_array(vals))
        return bad_json(e, i, "no \"features\" list and no "
                              "\"data\": {\"features\": {\"values\": [...]}}");
    out->values = vals;
    json_t *keys = json_object_get(f, "keys");
    json_t *shape = json_object_get(f, "shape");
    if (keys == NULL)
        return KILN_OK;
    if (!json_is_array(keys) || json_array_size(keys) != json_array_size(vals))
        return bad_json(e, i, "\"keys\" must be a list as long as "
                              "\"values\"");
    if (shape != NULL) {
        json_t *s0 = json_is_array(shape) && json_array_size(shape) == 1
                         ? json_array_get(shape, 0)
                         : NULL;
        if (!json_is_integer(s0) || json_integer_value(s0) < 0 ||
            (cols > 0 && (size_t)json_integer_value(s0) != cols))
            return fail(e, 400, KILN_DATA,
                        "instance %zu: \"shape\" must be [%zu], the model's "
                        "feature count",
                        i + 1, cols);
    }
    out->keys = keys;
    return KILN_OK;
}

static int number_at(json_t *a, size_t k, size_t i, const char *what,
                     float *out, kiln_infer_error *e)
{
    json_t *x = json_array_get(a, k);
    if (json_is_null(x) && strcmp(what, "features") == 0) {
        *out = NAN;
        return KILN_OK;
    }
    if (!json_is_number(x))
        return fail(e, 400, KILN_DATA,
                    "instance %zu: %s[%zu] is not a number", i + 1, what, k);
    *out = (float)json_number_value(x);
    return KILN_OK;
}

static int push_instance(kiln_dataset *ds, const instance *in, size_t i,
                         size_t cols, kiln_infer_error *e)
{
    size_t n = json_array_size(in->values);
    if (in->keys == NULL && n != cols)
        return fail(e, 400, KILN_DATA,
                    "instance %zu: %zu features, the model expects %zu",
                    i + 1, n, cols);
    if (!kiln_dataset_is_sparse(ds)) {
        float *row = kiln_dataset_push_dense(ds, 0, 1, &e->err);
        if (row == NULL)
            return fail(e, 500, KILN_NOMEM, "%s", e->err.message);
        for (size_t k = 0; k < n; k++)
            if (number_at(in->values, k, i, "features", &row[k], e) != KILN_OK)
                return KILN_DATA;
        return KILN_OK;
    }
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    float *val = malloc((n ? n : 1) * sizeof *val);
    int rc = idx && val ? KILN_OK : fail(e, 500, KILN_NOMEM, "out of memory");
    for (size_t k = 0; k < n && rc == KILN_OK; k++) {
        /* a dense instance's list keeps null as missing in a sparse
         * batch too; only sparse "values" must be numbers */
        rc = number_at(in->values, k, i, in->keys ? "values" : "features",
                       &val[k], e);
        json_t *key = in->keys ? json_array_get(in->keys, k) : NULL;
        if (rc == KILN_OK && in->keys == NULL) {
            idx[k] = (uint32_t)k;
        } else if (rc == KILN_OK) {
            if (!json_is_integer(key) || json_integer_value(key) < 0 ||
                (size_t)json_integer_value(key) >= cols)
                rc = fail(e, 400, KILN_DATA,
                          "instance %zu: keys[%zu] must be an integer in "
                          "0..%zu",
                          i + 1, k, cols ? cols - 1 : 0);
            else
                idx[k] = (uint32_t)json_integer_value(key);
        }
    }
    if (rc == KILN_OK &&
        kiln_dataset_push_sparse(ds, idx, val, n, 0, 1, &e->err) != KILN_OK)
        rc = fail(e, 500, KILN_NOMEM, "%s", e->err.message);
    free(idx);
    free(val);
    return rc;
}

/* The instances of a JSON body (or of JSON lines, already in an array). */
static int decode_instances(json_t *list, size_t cols, kiln_dataset **out,
                            kiln_infer_error *e)
{
    size_t n = json_array_size(list);
    instance *parts = malloc((n ? n : 1) * sizeof *parts);
    if (parts == NULL)
        return fail(e, 500, KILN_NOMEM, "out of memory");
    bool sparse = false;
    int rc = KILN_OK;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        rc = instance_parts(json_array_get(list, i), i, cols, &parts[i], e);
        sparse |= rc == KILN_OK && parts[i].keys != NULL;
    }
    kiln_dataset *ds = NULL;
    if (rc == KILN_OK) {
        ds = kiln_dataset_new(sparse ? KILN_DATASET_SPARSE : 0, cols);
        if (ds == NULL)
            rc = fail(e, 500, KILN_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == KILN_OK; i++)
        rc = push_instance(ds, &parts[i], i, cols, e);
    free(parts);
    if (rc != KILN_OK) {
        kiln_dataset_free(ds);
        return rc;
    }
    if (sparse)
        kiln_dataset_set_cols(ds, cols);
    *out = ds;
    return KILN_OK;
}

static int json_error(kiln_infer_error *e, const json_error_t *je,
                      size_t line_no)
{
    if (line_no > 0)
        return fail(e, 400, KILN_DATA,
                    "the request body line %zu is not JSON: %s", line_no,
                    je->text);
    return fail(e, 400, KILN_DATA,
                "the request body is not JSON: %s (line %d, column %d)",
                je->text, je->line, je->column);
}

static int no_records(kiln_infer_error *e, kiln_media m)
{
    return fail(e, 400, KILN_DATA, "the request body has no records (%s)",
                kiln_media_mime(m));
}

/* application/json: {"instances": [...]}, [...], or one instance. */
static int decode_json(const char *body, size_t len, size_t cols,
                       kiln_dataset **out, kiln_infer_error *e)
{
    /* an empty (or blank) body has no records, as in the other types */
    size_t blank = 0;
    while (blank < len && (body[blank] == ' ' || body[blank] == '\t' ||
                           body[blank] == '\r' || body[blank] == '\n'))
        blank++;
    if (blank == len)
        return no_records(e, KILN_MEDIA_JSON);
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (root == NULL)
        return json_error(e, &je, 0);
    json_t *list = json_is_object(root) ? json_object_get(root, "instances")
                                        : root;
    json_t *single = NULL;
    int rc;
    if (json_is_array(list) &&
        (json_array_size(list) == 0 ||
         json_is_object(json_array_get(list, 0)) ||
         json_is_array(json_array_get(list, 0)))) {
        rc = decode_instances(list, cols, out, e);
    } else if (json_is_object(root) || json_is_array(root)) {
        /* one instance: {"features": [...]} or a list of numbers */
        single = json_array();
        rc = single && json_array_append(single, root) == 0
                 ? decode_instances(single, cols, out, e)
                 : fail(e, 500, KILN_NOMEM, "out of memory");
    } else {
        rc = fail(e, 400, KILN_DATA,
                  "the request body must be {\"instances\": [...]}, a list "
                  "of instances, or one instance");
    }
    json_decref(single);
    json_decref(root);
    return rc;
}

/* application/jsonlines: one instance a line (blank lines skipped). */
static int decode_jsonlines(const char *body, size_t len, size_t cols,
                            kiln_dataset **out, kiln_infer_error *e)
{
    json_t *list = json_array();
    if (list == NULL)
        return fail(e, 500, KILN_NOMEM, "out of memory");
    int rc = KILN_OK;
    size_t line_no = 0;
    for (size_t at = 0; at < len && rc == KILN_OK;) {
        const char *nl = memchr(body + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - body) : len;
        line_no++;
        const char *p = body + at, *q = body + end;
        while (p < q && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p < q) {
            json_error_t je;
            json_t *v = json_loadb(p, (size_t)(q - p),
                                   JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
            if (v == NULL)
                rc = json_error(e, &je, line_no);
            else if (json_array_append_new(list, v) != 0)
                rc = fail(e, 500, KILN_NOMEM, "out of memory");
        }
        at = end + 1;
    }
    if (rc == KILN_OK)
        rc = decode_instances(list, cols, out, e);
    json_decref(list);
    return rc;
}

int kiln_infer_decode(kiln_media m, const void *body, size_t len,
                      size_t cols, kiln_dataset **out, kiln_infer_error *e)
{
    kiln_dataset *ds = NULL;
    int rc;
    if (m == KILN_MEDIA_JSON) {
        rc = decode_json(body, len, cols, &ds, e);
    } else if (m == KILN_MEDIA_JSONLINES) {
        rc = decode_jsonlines(body, len, cols, &ds, e);
    } else {
        kiln_read_opts o = {.cols = cols, .threads = 1};
        o.type.format = m == KILN_MEDIA_CSV      ? KILN_FORMAT_CSV
                        : m == KILN_MEDIA_LIBSVM ? KILN_FORMAT_LIBSVM
                                                 : KILN_FORMAT_RECORDIO;
        o.type.no_label = true;
        rc = kiln_data_parse(body, len, "the request body", &o, &ds, &e->err);
        if (rc != KILN_OK)
            e->status = rc == KILN_NOMEM ? 500 : 400;
    }
    if (rc != KILN_OK)
        return rc;
    if (kiln_dataset_rows(ds) == 0) {
        kiln_dataset_free(ds);
        return no_records(e, m);
    }
    *out = ds;
    return KILN_OK;
}

/* ---- encoding --------------------------------------------------------------- */

/* A number as Python's json/csv modules write a float32 turned double: the
 * shortest text that reads back as the value, "1.0" for whole numbers,
 * NaN/Infinity/-Infinity (JSON) or nan/inf/-inf (CSV). */
static int put_number(kiln_buf *out, float v, bool integer, bool json)
{
    char t[40];
    if (isnan(v))
        return kiln_buf_puts(out, json ? "NaN" : "nan");
    if (isinf(v))
        return kiln_buf_puts(out, v > 0 ? (json ? "Infinity" : "inf")
                                        : (json ? "-Infinity" : "-inf"));
    if (integer && fabsf(v) < 1e15f) {
        snprintf(t, sizeof t, "%lld", (long long)v);
        return kiln_buf_puts(out, t);
    }
    size_t n = kiln_format_f32(v, t);
    if (strpbrk(t, ".e") == NULL) {
        memcpy(t + n, ".0", 3);
    }
    return kiln_buf_puts(out, t);
}

/* The fields a response carries, in order. */
static size_t response_fields(const kiln_algo *a, const kiln_predictions *p,
                              const kiln_pred_field **f)
{
    size_t n = 0;
    if (a->response_fields == NULL) {
        for (size_t i = 0; i < p->count; i++)
            f[n++] = &p->fields[i];
        return n;
    }
    for (size_t i = 0; a->response_fields[i] != NULL && n < KILN_PRED_MAX_FIELDS;
         i++) {
        const kiln_pred_field *x = kiln_predictions_find(p, a->response_fields[i]);
        if (x != NULL)
            f[n++] = x;
    }
    return n;
}

static int put_object(kiln_buf *out, const kiln_pred_field *const *f,
                      size_t nf, size_t row)
{
    int rc = kiln_buf_puts(out, "{");
    for (size_t k = 0; k < nf && rc == KILN_OK; k++) {
        const float *v = f[k]->values + row * f[k]->width;
        rc = kiln_buf_printf(out, "%s\"%s\": ", k ? ", " : "", f[k]->name);
        bool list = f[k]->vector || f[k]->width != 1;
        if (rc == KILN_OK && list)
            rc = kiln_buf_puts(out, "[");
        for (size_t j = 0; j < f[k]->width && rc == KILN_OK; j++) {
            if (j > 0)
                rc = kiln_buf_puts(out, ", ");
            if (rc == KILN_OK)
                rc = put_number(out, v[j], f[k]->integer, true);
        }
        if (rc == KILN_OK && list)
            rc = kiln_buf_puts(out, "]");
    }
    return rc == KILN_OK ? kiln_buf_puts(out, "}") : rc;
}

static int put_csv_row(kiln_buf *out, const kiln_pred_field *const *f,
                       size_t nf, size_t row)
{
    int rc = KILN_OK;
    bool first = true;
    for (size_t k = 0; k < nf && rc == KILN_OK; k++)
        for (size_t j = 0; j < f[k]->width && rc == KILN_OK; j++) {
            if (!first)
                rc = kiln_buf_puts(out, ",");
            first = false;
            if (rc == KILN_OK)
                rc = put_number(out, f[k]->values[row * f[k]->width + j],
                                f[k]->integer, false);
        }
    return rc == KILN_OK ? kiln_buf_puts(out, "\n") : rc;
}

/* Drop what was appended after len, keeping the buffer NUL-terminated
 * (kiln_buf's promise: a partial response must not show as its text). */
static void truncate_to(kiln_buf *out, size_t len)
{
    out->len = len;
    if (out->data != NULL)
        out->data[len] = '\0';
}

int kiln_infer_encode(const kiln_algo *a, const kiln_predictions *p,
                      kiln_media m, kiln_buf *out, kiln_infer_error *e)
{
    const kiln_pred_field *f[KILN_PRED_MAX_FIELDS];
    size_t nf = response_fields(a, p, f);
    size_t start = out->len;
    int rc = KILN_OK;
    switch (m) {
    case KILN_MEDIA_JSON:
        rc = kiln_buf_printf(out, "{\"%s\": [",
                             a->response_key ? a->response_key : "predictions");
        for (size_t r = 0; r < p->rows && rc == KILN_OK; r++) {
            if (r > 0)
                rc = kiln_buf_puts(out, ", ");
            if (rc == KILN_OK)
                rc = put_object(out, f, nf, r);
        }
        if (rc == KILN_OK)
            rc = kiln_buf_puts(out, "]}");
        break;
    case KILN_MEDIA_JSONLINES:
        for (size_t r = 0; r < p->rows && rc == KILN_OK; r++) {
            rc = put_object(out, f, nf, r);
            if (rc == KILN_OK)
                rc = kiln_buf_puts(out, "\n");
        }
        break;
    case KILN_MEDIA_CSV:
        for (size_t r = 0; r < p->rows && rc == KILN_OK; r++)
            rc = put_csv_row(out, f, nf, r);
        break;
    case KILN_MEDIA_RECORDIO: {
        kiln_label_tensor t[KILN_PRED_MAX_FIELDS];
        for (size_t k = 0; k < nf; k++)
            t[k] = (kiln_label_tensor){f[k]->name, f[k]->width, f[k]->values};
        rc = kiln_recordio_encode_labels(t, nf, p->rows, out, &e->err);
        if (rc != KILN_OK) {
            truncate_to(out, start);
            e->status = 500;
            return rc;
        }
        return KILN_OK;
    }
    case KILN_MEDIA_LIBSVM:
    case KILN_MEDIA_NONE:
        return fail(e, 406, KILN_DATA, "%s is not a response type",
                    kiln_media_mime(m));
    }
    if (rc != KILN_OK) {
        truncate_to(out, start);
        return fail(e, 500, KILN_NOMEM, "out of memory encoding %zu "
                                        "predictions",
                    p->rows);
    }
    return KILN_OK;
}

/* ---- one request ------------------------------------------------------------ */

int kiln_infer_invoke(const kiln_algo *a, const void *model,
                      const char *content_type, const char *accept,
                      const void *body, size_t len, kiln_buf *out,
                      kiln_media *type, kiln_infer_error *e)
{
    kiln_media req, resp;
    int rc = kiln_infer_request_type(a, content_type, &req, e);
    if (rc == KILN_OK)
        rc = kiln_infer_response_type(a, accept, &resp, e);
    kiln_dataset *x = NULL;
    if (rc == KILN_OK)
        rc = kiln_infer_decode(req, body, len, a->features(model), &x, e);
    if (rc != KILN_OK)
        return rc;
    kiln_predictions p;
    rc = a->predict(model, x, &p, &e->err);
    kiln_dataset_free(x);
    if (rc != KILN_OK) {
        e->status = rc == KILN_DATA || rc == KILN_VALUE ? 400 : 500;
        return rc;
    }
    rc = kiln_infer_encode(a, &p, resp, out, e);
    kiln_predictions_fini(&p);
    if (rc == KILN_OK)
        *type = resp;
    return rc;
}
