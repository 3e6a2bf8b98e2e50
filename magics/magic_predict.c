/* kiln — %predict: predictions of an endpoint (over HTTP, the way a client
 * calls it) or of a training job's model (in-process), shown as a table,
 * and with labels, measured (algos/evaluate.h) and charted.
 *
 *   %predict TARGET (--data PATH | --body TEXT) [--content-type T]
 *            [--accept A] [--rows N]
 *
 * TARGET is a running endpoint's name, else a training job's.  --body is
 * sent as given (Content-Type --content-type, default text/csv).  --data
 * is read as a channel is (algos/data/reader.h); a CSV file whose rows
 * have one column more than the model's features has its label first (as
 * training files do), one with exactly the features has none; libsvm and
 * RecordIO files carry their labels.  Its rows are sent in requests of at
 * most 5 MB (under SageMaker's 6 MB): CSV without the label for CSV data,
 * the file's own format otherwise.
 *
 * The answers are asked for as application/json (--accept another type
 * shows the raw answer's first lines instead, and measures nothing) and
 * read back into predictions: the first --rows rows are a table; with
 * labels, the metrics of the problem (evaluate.h) are a table, with a
 * confusion matrix (classification), ROC and precision-recall curves
 * (binary), predicted against actual (regression); k-means answers get
 * their cluster sizes with or without labels.
 */
#include "registry.h"
#include "table.h"
#include "train_view.h"

#include "algos/data/reader.h"
#include "algos/data/writer.h"
#include "algos/evaluate.h"
#include "algos/infer.h"
#include "platform/client.h"
#include "platform/endpoint.h"
#include "platform/model.h"

#include "core/utf8.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BATCH_BYTES = 5 * 1024 * 1024, MAX_SHOWN_ROWS = 1000 };

/* Where predictions come from. */
typedef struct target {
    kiln_endpoint *ep;   /* a running endpoint, or NULL */
    kiln_model *model;   /* else a job's model, ours to free */
    const kiln_algo *algo; /* the first model's (what requests must be) */
    size_t features;
    char url[400];
    size_t requests;
} target;

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int open_target(const kiln_magic_call *call, target *t,
                       kiln_error *err)
{
    const char *name = kiln_args_str(call->args, "TARGET");
    memset(t, 0, sizeof *t);
    t->ep = kiln_endpoint_find(name);
    if (t->ep != NULL) {
        const kiln_model *m = kiln_endpoint_model(t->ep, 0);
        t->algo = m->algo;
        t->features = m->algo->features(m->model);
        const char *h = kiln_endpoint_host(t->ep);
        if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0)
            h = "127.0.0.1";
        snprintf(t->url, sizeof t->url, "http://%s:%d/endpoints/%s/invocations",
                 h, kiln_endpoint_port(t->ep), name);
        return KILN_OK;
    }
    const char *root = kiln_args_str(call->args, "output");
    int rc = kiln_model_from_job(root, name, &t->model, err);
    if (rc == KILN_KEY)
        kiln_error_prefix(err, "'%s' is neither a running endpoint nor a "
                               "training job",
                          name);
    if (rc != KILN_OK)
        return rc;
    t->algo = t->model->algo;
    t->features = t->algo->features(t->model->model);
    return KILN_OK;
}

/* One request; the answer's body appended to out. */
static int call_target(target *t, const char *ct, const char *accept,
                       const char *body, size_t len, kiln_buf *out,
                       kiln_error *err)
{
    t->requests++;
    if (t->ep == NULL) {
        kiln_infer_error e = {0};
        kiln_media type;
        int rc = kiln_model_invoke(&t->model, 1, ct, accept, body, len, out,
                                   &type, &e);
        if (rc != KILN_OK)
            kiln_error_set(err, rc, "%s (HTTP %d in an endpoint)",
                           e.err.message, e.status);
        return rc;
    }
    kiln_http_reply r = {0};
    kiln_buf_init(&r.body);
    int rc = kiln_http_post(t->url, ct, accept, body, len, 70.0, &r, err);
    if (rc == KILN_OK && r.status != 200) {
        json_t *doc = json_loadb(r.body.data ? r.body.data : "", r.body.len,
                                 0, NULL);
        const char *m = json_string_value(json_object_get(doc, "OriginalMessage"));
        if (m == NULL)
            m = json_string_value(json_object_get(doc, "message"));
        rc = kiln_error_set(err, KILN_DATA, "the endpoint answered %ld: %s",
                            r.status, m ? m : r.body.data ? r.body.data : "");
        json_decref(doc);
    } else if (rc == KILN_OK) {
        rc = kiln_buf_append(out, r.body.data ? r.body.data : "", r.body.len);
    }
    kiln_buf_fini(&r.body);
    return rc;
}

/* ---- reading the answers back ---------------------------------------------- */

/* Append one JSON prediction object's values to p (fields made from the
 * first object). */
static int add_prediction(kiln_predictions *p, json_t *o, size_t *cap,
                          kiln_error *err)
{
    if (!json_is_object(o))
        return kiln_error_set(err, KILN_DATA,
                              "the answer's prediction %zu is not an object",
                              p->rows + 1);
    if (p->count == 0) {
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (p->count == KILN_PRED_MAX_FIELDS)
                break;
            bool list = json_is_array(v);
            kiln_pred_field *f = &p->fields[p->count++];
            /* names live as long as p: kept in a static set of the known
             * ones, else "value" */
            static const char *const known[] = {
                "score", "predicted_label", "closest_cluster",
                "distance_to_cluster", "projection", "raw_score", NULL};
            f->name = "value";
            for (size_t i = 0; known[i]; i++)
                if (strcmp(known[i], k) == 0)
                    f->name = known[i];
            f->width = list ? json_array_size(v) : 1;
            f->vector = list;
            f->integer = json_is_integer(v);
        }
    }
    if (p->rows == *cap) {
        size_t c = *cap ? 2 * *cap : 1024;
        for (size_t i = 0; i < p->count; i++) {
            float *nv = realloc(p->fields[i].values,
                                c * p->fields[i].width * sizeof *nv);
            if (nv == NULL)
                return kiln_error_nomem(err);
            p->fields[i].values = nv;
        }
        *cap = c;
    }
    for (size_t i = 0; i < p->count; i++) {
        kiln_pred_field *f = &p->fields[i];
        json_t *v = json_object_get(o, f->name);
        float *to = f->values + p->rows * f->width;
        for (size_t j = 0; j < f->width; j++) {
            json_t *x = f->vector ? json_array_get(v, j) : v;
            to[j] = json_is_number(x) ? (float)json_number_value(x) : NAN;
        }
    }
    p->rows++;
    return KILN_OK;
}

static int read_answer(const kiln_buf *body, kiln_predictions *p,
                       size_t *cap, kiln_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(body->data ? body->data : "", body->len,
                             JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (doc == NULL)
        return kiln_error_set(err, KILN_DATA, "the answer is not JSON: %s",
                              je.text);
    json_t *list = NULL;
    const char *k;
    json_t *v;
    json_object_foreach(doc, k, v)
    {
        if (json_is_array(v) && list == NULL)
            list = v; /* "predictions", "projections" */
    }
    int rc = list ? KILN_OK
                  : kiln_error_set(err, KILN_DATA,
                                   "the answer has no list of predictions");
    for (size_t i = 0; rc == KILN_OK && i < json_array_size(list); i++)
        rc = add_prediction(p, json_array_get(list, i), cap, err);
    json_decref(doc);
    return rc;
}

/* ---- the data -------------------------------------------------------------- */

/* The data file, with labels when it has them (see the top). */
static int load_data(const kiln_magic_call *call, const target *t,
                     kiln_dataset **out, kiln_error *err)
{
    const char *path = kiln_args_str(call->args, "data");
    const char *ct = kiln_args_str(call->args, "content-type");
    kiln_read_opts o = {0};
    if (ct != NULL && kiln_content_type_parse(ct, &o.type, err) != KILN_OK)
        return err->code;
    int rc = kiln_data_load(path, &o, out, err);
    if (rc != KILN_OK)
        return rc;
    /* a CSV taken to have a label that is really all features */
    if (ct == NULL && kiln_dataset_has_labels(*out) &&
        !kiln_dataset_is_sparse(*out) &&
        kiln_dataset_cols(*out) + 1 == t->features) {
        kiln_dataset_free(*out);
        *out = NULL;
        o.type.format = KILN_FORMAT_CSV;
        o.type.no_label = true;
        rc = kiln_data_load(path, &o, out, err);
    }
    return rc;
}

/* Rows [begin, ...) of ds as one request body of at most BATCH_BYTES
 * (at least one row); returns the row after the last one written. */
static size_t encode_batch(const kiln_dataset *ds, size_t begin,
                           kiln_media m, kiln_buf *out, int *rc,
                           kiln_error *err)
{
    size_t n = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    size_t r = begin;
    for (; r < n && (r == begin || out->len < BATCH_BYTES) && *rc == KILN_OK;
         r++) {
        if (m != KILN_MEDIA_CSV) {
            kiln_write_opts o = {.format = m == KILN_MEDIA_LIBSVM
                                               ? KILN_FORMAT_LIBSVM
                                               : KILN_FORMAT_RECORDIO,
                                 .sparse = kiln_dataset_is_sparse(ds)};
            *rc = kiln_data_encode(ds, r, r + 1, &o, out, err);
            continue;
        }
        for (size_t j = 0; j < cols && *rc == KILN_OK; j++) {
            float v = kiln_dataset_get(ds, r, j, 0.0f);
            char num[32] = "";
            if (!isnan(v))
                kiln_format_f32(v, num);
            *rc = kiln_buf_printf(out, "%s%s", j ? "," : "", num);
        }
        if (*rc == KILN_OK)
            *rc = kiln_buf_putc(out, '\n');
    }
    return r;
}

/* ---- showing ---------------------------------------------------------------- */

static int value_text(const kiln_pred_field *f, size_t row, kiln_buf *out)
{
    const float *v = f->values + row * f->width;
    int rc = f->vector ? kiln_buf_puts(out, "[") : KILN_OK;
    size_t shown = f->width > 6 ? 6 : f->width;
    for (size_t j = 0; j < shown && rc == KILN_OK; j++)
        rc = kiln_buf_printf(out, f->integer ? "%s%.0f" : "%s%.6g",
                             j ? ", " : "", (double)v[j]);
    if (rc == KILN_OK && shown < f->width)
        rc = kiln_buf_printf(out, ", … (%zu)", f->width);
    return rc == KILN_OK && f->vector ? kiln_buf_puts(out, "]") : rc;
}

static int rows_table(const kiln_predictions *p, const float *labels,
                      size_t shown, kiln_bundle **out)
{
    const char *heads[KILN_PRED_MAX_FIELDS + 2];
    size_t nh = 0;
    heads[nh++] = "row";
    if (labels != NULL)
        heads[nh++] = "label";
    for (size_t i = 0; i < p->count; i++)
        heads[nh++] = p->fields[i].name;
    kiln_table *t = kiln_table_new(nh, heads);
    int rc = t ? KILN_OK : KILN_NOMEM;
    for (size_t r = 0; r < shown && rc == KILN_OK; r++) {
        kiln_buf cells[KILN_PRED_MAX_FIELDS + 2];
        const char *cp[KILN_PRED_MAX_FIELDS + 2];
        for (size_t i = 0; i < nh; i++)
            kiln_buf_init(&cells[i]);
        size_t c = 0;
        rc = kiln_buf_printf(&cells[c++], "%zu", r);
        if (labels != NULL && rc == KILN_OK)
            rc = kiln_buf_printf(&cells[c++], "%.6g", (double)labels[r]);
        for (size_t i = 0; i < p->count && rc == KILN_OK; i++)
            rc = value_text(&p->fields[i], r, &cells[c++]);
        for (size_t i = 0; i < nh; i++)
            cp[i] = cells[i].data ? cells[i].data : "";
        if (rc == KILN_OK)
            rc = kiln_table_add(t, cp);
        for (size_t i = 0; i < nh; i++)
            kiln_buf_fini(&cells[i]);
    }
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK)
        rc = b ? kiln_table_to_bundle(t, b) : KILN_NOMEM;
    kiln_table_free(t);
    *out = b;
    return rc;
}

static int metrics_table(const kiln_eval *e, kiln_bundle **out)
{
    struct {
        const char *name;
        double v;
    } m[8];
    size_t n = 0;
    if (e->kind == KILN_EVAL_BINARY || e->kind == KILN_EVAL_MULTICLASS) {
        bool macro = e->kind == KILN_EVAL_MULTICLASS;
        m[n].name = "accuracy", m[n++].v = e->accuracy;
        m[n].name = macro ? "precision (macro)" : "precision",
        m[n++].v = e->precision;
        m[n].name = macro ? "recall (macro)" : "recall", m[n++].v = e->recall;
        m[n].name = macro ? "F1 (macro)" : "F1", m[n++].v = e->f1;
        if (!isnan(e->auc))
            m[n].name = "ROC AUC", m[n++].v = e->auc;
        if (!isnan(e->logloss))
            m[n].name = "log loss", m[n++].v = e->logloss;
    } else if (e->kind == KILN_EVAL_REGRESSION) {
        m[n].name = "RMSE", m[n++].v = e->rmse;
        m[n].name = "MAE", m[n++].v = e->mae;
        m[n].name = "R\xc2\xb2", m[n++].v = e->r2;
    } else if (e->kind == KILN_EVAL_CLUSTERS) {
        m[n].name = "clusters used", m[n++].v = 0;
        for (size_t c = 0; c < e->clusters; c++)
            m[n - 1].v += e->cluster_sizes[c] > 0;
        if (!isnan(e->mean_distance))
            m[n].name = "mean distance to cluster", m[n++].v = e->mean_distance;
        if (!isnan(e->purity))
            m[n].name = "purity", m[n++].v = e->purity;
    }
    kiln_table *t = kiln_table_new(2, (const char *const[]){"metric", "value"});
    int rc = t ? KILN_OK : KILN_NOMEM;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        char v[64];
        snprintf(v, sizeof v, "%.6g", m[i].v);
        rc = kiln_table_add(t, (const char *const[]){m[i].name, v});
    }
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK)
        rc = b ? kiln_table_to_bundle(t, b) : KILN_NOMEM;
    kiln_table_free(t);
    *out = b;
    return rc;
}

static int heatmap(const char *title, const kiln_eval *e, kiln_bundle **out)
{
    kiln_chart_opts o = {.kind = KILN_CHART_HEATMAP, .title = title,
                         .x_label = "predicted label", .y_label = "true label"};
    kiln_chart *c = kiln_chart_new(&o);
    if (c == NULL)
        return KILN_NOMEM;
    size_t k = e->classes > KILN_CHART_MATRIX_MAX ? KILN_CHART_MATRIX_MAX
                                                  : e->classes;
    int rc = kiln_chart_set_matrix(c, k, k, e->confusion, NULL, NULL);
    char text[200];
    snprintf(text, sizeof text, "<chart: %s, %zu classes>", title, k);
    if (rc == KILN_OK)
        rc = kiln_chart_bundle(c, text, out);
    kiln_chart_free(c);
    return rc;
}

/* Which clusters the classes fall in: a heatmap of the counts, the
 * classes as rows. */
static int classes_by_cluster(const kiln_eval *e, kiln_bundle **out)
{
    kiln_chart_opts o = {.kind = KILN_CHART_HEATMAP,
                         .title = "Classes by cluster",
                         .x_label = "closest cluster",
                         .y_label = "true label"};
    kiln_chart *c = kiln_chart_new(&o);
    if (c == NULL)
        return KILN_NOMEM;
    int rc = kiln_chart_set_matrix(c, e->classes, e->clusters, e->by_cluster,
                                   NULL, NULL);
    char text[200];
    snprintf(text, sizeof text,
             "<chart: Classes by cluster, %zu classes x %zu clusters>",
             e->classes, e->clusters);
    if (rc == KILN_OK)
        rc = kiln_chart_bundle(c, text, out);
    kiln_chart_free(c);
    return rc;
}

/* A chart of one series (a curve, or points), and maybe a reference line
 * (ROC's chance diagonal). */
static int curve(const char *title, const char *xl, const char *yl,
                 kiln_chart_kind kind, const char *name, const double *x,
                 const double *y, size_t n, const char *ref_name,
                 const double *rx, const double *ry, size_t rn,
                 kiln_bundle **out)
{
    kiln_chart_opts o = {.kind = kind, .title = title, .x_label = xl,
                         .y_label = yl, .width = 480, .height = 400};
    kiln_chart *c = kiln_chart_new(&o);
    if (c == NULL)
        return KILN_NOMEM;
    int rc = kiln_chart_add_series(c, name, x, y, n) < 0 ? KILN_NOMEM
                                                          : KILN_OK;
    if (rc == KILN_OK && ref_name != NULL &&
        kiln_chart_add_series(c, ref_name, rx, ry, rn) < 0)
        rc = KILN_NOMEM;
    char text[200];
    snprintf(text, sizeof text, "<chart: %s>", title);
    if (rc == KILN_OK)
        rc = kiln_chart_bundle(c, text, out);
    kiln_chart_free(c);
    return rc;
}

static int charts(const kiln_magic_call *call, const kiln_eval *e,
                  const float *labels, kiln_error *err)
{
    kiln_bundle *b = NULL;
    int rc = KILN_OK;
    if (e->kind == KILN_EVAL_BINARY || e->kind == KILN_EVAL_MULTICLASS) {
        rc = heatmap("Confusion matrix", e, &b);
        rc = kiln_magic_show(call, rc, b, err);
        b = NULL;
    }
    if (rc == KILN_OK && e->kind == KILN_EVAL_BINARY && e->curve_points > 1) {
        char title[64];
        snprintf(title, sizeof title, "ROC curve (AUC %.4f)", e->auc);
        const double d[2] = {0, 1};
        rc = curve(title, "false positive rate", "true positive rate",
                   KILN_CHART_LINE, "model", e->fpr, e->tpr, e->curve_points,
                   "chance", d, d, 2, &b);
        rc = kiln_magic_show(call, rc, b, err);
        b = NULL;
        if (rc == KILN_OK) {
            rc = curve("Precision-recall curve", "recall", "precision",
                       KILN_CHART_LINE, "model", e->pr_recall,
                       e->pr_precision, e->curve_points, NULL, NULL, NULL, 0,
                       &b);
            rc = kiln_magic_show(call, rc, b, err);
            b = NULL;
        }
    }
    if (rc == KILN_OK && e->kind == KILN_EVAL_REGRESSION) {
        double *actual = malloc((e->rows ? e->rows : 1) * sizeof *actual);
        if (actual == NULL)
            return kiln_error_nomem(err);
        for (size_t i = 0; i < e->rows; i++)
            actual[i] = labels[i];
        rc = curve("Predicted against actual", "actual", "predicted",
                   KILN_CHART_SCATTER, "rows", actual, e->predicted, e->rows,
                   NULL, NULL, NULL, 0, &b);
        rc = kiln_magic_show(call, rc, b, err);
        free(actual);
    }
    if (rc == KILN_OK && e->kind == KILN_EVAL_CLUSTERS && e->clusters > 0) {
        size_t k = e->clusters > 200 ? 200 : e->clusters;
        char(*names)[24] = malloc(k * sizeof *names);
        const char **labels_ = malloc(k * sizeof *labels_);
        if (names == NULL || labels_ == NULL)
            rc = KILN_NOMEM;
        for (size_t i = 0; rc == KILN_OK && i < k; i++) {
            snprintf(names[i], sizeof names[i], "cluster %zu", i);
            labels_[i] = names[i];
        }
        if (rc == KILN_OK)
            rc = kiln_bars_chart("Cluster sizes", "rows", labels_,
                                 e->cluster_sizes, k, &b);
        rc = kiln_magic_show(call, rc, b, err);
        free(names);
        free(labels_);
        b = NULL;
    }
    if (rc == KILN_OK && e->kind == KILN_EVAL_CLUSTERS && e->by_cluster &&
        e->clusters <= KILN_CHART_MATRIX_MAX &&
        e->classes <= KILN_CHART_MATRIX_MAX) {
        rc = classes_by_cluster(e, &b); /* before b is read as an argument */
        rc = kiln_magic_show(call, rc, b, err);
    }
    return rc;
}

/* A binary answer (RecordIO-protobuf) as its size and a hex dump of its
 * first bytes, rather than bytes a terminal cannot show. */
static void show_binary(const kiln_magic_call *call, const kiln_buf *answer)
{
    kiln_buf text;
    kiln_buf_init(&text);
    kiln_buf_printf(&text, "%zu bytes (binary), the first %zu:\n", answer->len,
                    answer->len < 64 ? answer->len : (size_t)64);
    for (size_t i = 0; i < answer->len && i < 64; i++)
        kiln_buf_printf(&text, "%02x%s", (unsigned char)answer->data[i],
                        i % 16 == 15 || i + 1 == answer->len || i == 63 ? "\n"
                                                                      : " ");
    if (kiln_buf_str(&text))
        kiln_sink_printf(call->sink, KILN_STDOUT, "%s", kiln_buf_str(&text));
    kiln_buf_fini(&text);
}

/* ---- the magic ---------------------------------------------------------------- */

static int predict_data(const kiln_magic_call *call, target *t,
                        kiln_predictions *p, float **labels, kiln_error *err)
{
    kiln_dataset *ds = NULL;
    int rc = load_data(call, t, &ds, err);
    if (rc != KILN_OK)
        return rc;
    size_t n = kiln_dataset_rows(ds), cap = 0;
    /* the data's own format when the model reads it, else CSV */
    kiln_media m = KILN_MEDIA_CSV;
    if (kiln_dataset_is_sparse(ds)) {
        for (size_t i = 0; t->algo->request_types[i]; i++)
            if (t->algo->request_types[i] == KILN_MEDIA_LIBSVM)
                m = KILN_MEDIA_LIBSVM;
        if (m == KILN_MEDIA_CSV)
            m = KILN_MEDIA_RECORDIO;
    }
    kiln_buf body, answer;
    kiln_buf_init(&body);
    kiln_buf_init(&answer);
    for (size_t r = 0; r < n && rc == KILN_OK;) {
        body.len = 0;
        answer.len = 0;
        r = encode_batch(ds, r, m, &body, &rc, err);
        if (rc == KILN_OK)
            rc = call_target(t, kiln_media_mime(m), "application/json",
                             body.data, body.len, &answer, err);
        if (rc == KILN_OK)
            rc = read_answer(&answer, p, &cap, err);
        if (rc == KILN_OK && kiln_cancel_requested(call->cancel))
            rc = kiln_error_set(err, KILN_INTERRUPTED,
                                "%%predict was interrupted after %zu rows",
                                p->rows);
    }
    kiln_buf_fini(&body);
    kiln_buf_fini(&answer);
    if (rc == KILN_OK && p->rows != n)
        rc = kiln_error_set(err, KILN_DATA,
                            "%zu rows sent, %zu predictions came back", n,
                            p->rows);
    if (rc == KILN_OK && kiln_dataset_has_labels(ds)) {
        *labels = malloc((n ? n : 1) * sizeof **labels);
        if (*labels == NULL)
            rc = kiln_error_nomem(err);
        else
            memcpy(*labels, kiln_dataset_labels(ds), n * sizeof **labels);
    }
    kiln_dataset_free(ds);
    return rc;
}

static int run_predict(const kiln_magic_call *call, kiln_error *err)
{
    const kiln_args *a = call->args;
    bool has_data = kiln_args_has(a, "data"), has_body = kiln_args_has(a, "body");
    if (has_data == has_body)
        return kiln_error_set(err, KILN_USAGE,
                              "%%predict needs --data PATH or --body TEXT "
                              "(one of them)");
    int64_t shown = kiln_args_has(a, "rows") ? kiln_args_int(a, "rows") : 10;
    if (shown < 0 || shown > MAX_SHOWN_ROWS)
        return kiln_error_set(err, KILN_USAGE,
                              "--rows %lld: expected 0..%d", (long long)shown,
                              MAX_SHOWN_ROWS);
    target t;
    int rc = open_target(call, &t, err);
    if (rc != KILN_OK)
        return rc;
    double t0 = mono();
    const char *accept = kiln_args_str(a, "accept");
    kiln_predictions p = {0};
    float *labels = NULL;
    kiln_media want = KILN_MEDIA_JSON;
    if (accept != NULL && kiln_media_parse(accept, &want, err) != KILN_OK)
        rc = err->code;
    if (rc == KILN_OK && (has_body || (want != KILN_MEDIA_JSON &&
                                       want != KILN_MEDIA_NONE))) {
        /* the raw answer */
        const char *ct = kiln_args_str(a, "content-type");
        const char *body = has_body ? kiln_args_str(a, "body") : NULL;
        if (!has_body)
            rc = kiln_error_set(err, KILN_USAGE,
                                "--accept %s shows a raw answer: use it with "
                                "--body",
                                accept);
        kiln_buf answer;
        kiln_buf_init(&answer);
        if (rc == KILN_OK)
            rc = call_target(&t, ct ? ct : "text/csv", accept, body,
                             strlen(body), &answer, err);
        if (rc == KILN_OK && answer.len > 0 &&
            !kiln_utf8_valid(answer.data, answer.len))
            show_binary(call, &answer);
        else if (rc == KILN_OK)
            kiln_sink_printf(call->sink, KILN_STDOUT, "%.*s%s",
                             (int)(answer.len > 65536 ? 65536 : answer.len),
                             answer.data ? answer.data : "",
                             answer.len > 0 && answer.data[answer.len - 1] != '\n'
                                 ? "\n"
                                 : "");
        kiln_buf_fini(&answer);
    } else if (rc == KILN_OK) {
        rc = predict_data(call, &t, &p, &labels, err);
        kiln_bundle *b = NULL;
        if (rc == KILN_OK) {
            /* A tuning job's name stands for its best training job. */
            const char *named = kiln_args_str(a, "TARGET");
            const char *job = t.ep || t.model == NULL ? named : t.model->name;
            bool best = strcmp(job, named) != 0;
            kiln_sink_printf(call->sink, KILN_STDOUT,
                             "%zu rows predicted by %s %s%s%s%s in %.3f s "
                             "(%zu request%s%s)\n",
                             p.rows, t.ep ? "endpoint" : "training job", job,
                             best ? " (the best of tuning job " : "",
                             best ? named : "", best ? ")" : "",
                             mono() - t0, t.requests,
                             t.requests == 1 ? "" : "s",
                             t.ep ? " over HTTP" : ", in-process");
            /* --rows 0: the metrics and charts alone */
            if (shown > 0) {
                rc = rows_table(&p, labels,
                                (size_t)shown < p.rows ? (size_t)shown
                                                       : p.rows,
                                &b);
                rc = kiln_magic_show(call, rc, b, err);
            }
        }
        kiln_eval e = {0};
        if (rc == KILN_OK)
            rc = kiln_evaluate(&p, labels, &e, err);
        if (rc == KILN_OK && e.kind != KILN_EVAL_NONE) {
            b = NULL;
            rc = metrics_table(&e, &b);
            rc = kiln_magic_show(call, rc, b, err);
            if (rc == KILN_OK)
                rc = charts(call, &e, labels, err);
        }
        kiln_eval_fini(&e);
    }
    kiln_predictions_fini(&p);
    free(labels);
    kiln_model_free(t.model);
    return rc;
}

static const kiln_arg_spec predict_args[] = {
    {.name = "TARGET", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "a running endpoint (%endpoints), else a training job"},
    {.name = "data", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "rows to predict: a file or directory (CSV with or without the "
             "label first, libsvm, RecordIO-protobuf)"},
    {.name = "body", .type = KILN_ARG_STR, .metavar = "TEXT",
     .help = "a request body sent as it is; the answer is shown raw"},
    {.name = "content-type", .type = KILN_ARG_STR, .metavar = "T",
     .help = "the body's or the data's content type"},
    {.name = "accept", .type = KILN_ARG_STR, .metavar = "A",
     .help = "the answer's type, shown raw (with --body; default: the "
             "algorithm's, application/json or XGBoost's text/csv)"},
    {.name = "rows", .type = KILN_ARG_INT, .metavar = "N",
     .help = "rows shown in the table (default 10)"},
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT, .help = "the output root holding the jobs"},
    {0},
};

const kiln_magic kiln_magics_predict[] = {
    {
        .name = "predict",
        .kinds = KILN_MAGIC_LINE,
        .args = predict_args,
        .summary = "Predict with an endpoint or a job's model, with metrics "
                   "and charts when the data has labels",
        .usage = "With an endpoint, rows go over HTTP as a client sends "
                 "them (requests of at most 5 MB); with a training job, its "
                 "model predicts in-process.  A CSV file with one column "
                 "more than the model's features has its label first.\n"
                 "Examples:\n"
                 "  %predict my-endpoint --data test.csv\n"
                 "  %predict my-job --data test.csv --rows 20\n"
                 "  %predict my-endpoint --body \"1.5,2,0.3\" --accept text/csv",
        .run = run_predict,
    },
    {0},
};
