/* kiln — what every algorithm shares: reporting during training, the
 * predictions container, and lookups in a descriptor. */
#include "algo.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- training events ------------------------------------------------- */

void kiln_train_log(const kiln_train_ctx *ctx, const char *fmt, ...)
{
    if (ctx->events == NULL || ctx->events->log == NULL)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->events->log(ctx->events->data, line);
}

void kiln_train_metric(const kiln_train_ctx *ctx, const char *name,
                       int64_t step, double value)
{
    if (ctx->events != NULL && ctx->events->metric != NULL)
        ctx->events->metric(ctx->events->data, name, step, value);
}

void kiln_train_progress(const kiln_train_ctx *ctx, double done,
                         const char *status)
{
    if (ctx->events == NULL || ctx->events->progress == NULL)
        return;
    if (!(done >= 0))
        done = 0;
    if (done > 1)
        done = 1;
    ctx->events->progress(ctx->events->data, done, status ? status : "");
}

bool kiln_train_cancelled(const kiln_train_ctx *ctx, kiln_error *err)
{
    if (!kiln_cancel_requested(ctx->cancel))
        return false;
    kiln_error_set(err, KILN_INTERRUPTED, "training was interrupted");
    return true;
}

/* ---- predictions ------------------------------------------------------- */

float *kiln_predictions_add(kiln_predictions *p, const char *name,
                            size_t width, bool vector, bool integer,
                            kiln_error *err)
{
    if (p->count >= KILN_PRED_MAX_FIELDS) {
        kiln_error_set(err, KILN_INTERNAL, "more than %d prediction fields",
                       KILN_PRED_MAX_FIELDS);
        return NULL;
    }
    size_t n = p->rows * width;
    if (width != 0 && n / width != p->rows) {
        kiln_error_set(err, KILN_NOMEM, "cannot allocate %zu x %zu %s values",
                       p->rows, width, name);
        return NULL;
    }
    float *v = malloc(n ? n * sizeof *v : 1);
    if (v == NULL) {
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu bytes for %zu x %zu %s values",
                       n * sizeof *v, p->rows, width, name);
        return NULL;
    }
    p->fields[p->count++] = (kiln_pred_field){
        .name = name, .width = width, .vector = vector, .integer = integer,
        .values = v};
    return v;
}

const kiln_pred_field *kiln_predictions_find(const kiln_predictions *p,
                                             const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->fields[i].name, name) == 0)
            return &p->fields[i];
    return NULL;
}

void kiln_predictions_fini(kiln_predictions *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->fields[i].values);
    memset(p, 0, sizeof *p);
}

/* ---- descriptor lookups ------------------------------------------------ */

const kiln_hp_spec *kiln_algo_hparam(const kiln_algo *a, const char *name)
{
    for (const kiln_hp_spec *s = a->hparams; s->name != NULL; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

bool kiln_algo_has_channel(const kiln_algo *a, const char *name)
{
    for (const char *const *c = a->channels; *c != NULL; c++)
        if (strcmp(*c, name) == 0)
            return true;
    return false;
}

bool kiln_algo_accepts(const kiln_algo *a, kiln_format f)
{
    for (const kiln_format *g = a->formats; *g != KILN_FORMAT_UNKNOWN; g++)
        if (*g == f)
            return true;
    return false;
}

static int bad_value(const char *what, size_t row, size_t col, float v,
                     const char *algo, kiln_error *err)
{
    return kiln_error_set(err, KILN_DATA,
                          "%s, row %zu, column %zu: %s; %s needs finite "
                          "numbers", what, row + 1, col + 1,
                          isnan(v) ? "a missing value (NaN)"
                                   : "an infinite value", algo);
}

int kiln_algo_check_rows(const kiln_dataset *ds, const char *what, size_t d,
                         const char *algo, kiln_error *err)
{
    size_t rows = kiln_dataset_rows(ds), cols = kiln_dataset_cols(ds);
    bool sparse = kiln_dataset_is_sparse(ds);
    if (d != 0 && (sparse ? cols > d : cols != d))
        return kiln_error_set(err, KILN_DATA,
                              "%s has %zu columns, feature_dim is %zu", what,
                              cols, d);
    if (sparse) {
        const float *v = kiln_dataset_values(ds);
        const size_t *indptr = kiln_dataset_indptr(ds);
        const uint32_t *idx = kiln_dataset_indices(ds);
        for (size_t i = 0; i < rows; i++)
            for (size_t e = indptr[i]; e < indptr[i + 1]; e++)
                if (!isfinite(v[e]))
                    return bad_value(what, i, idx[e], v[e], algo, err);
        return KILN_OK;
    }
    const float *x = kiln_dataset_dense(ds);
    for (size_t i = 0; i < rows; i++) {
        const float *r = x + i * cols;
        /* v * 0 is NaN exactly for NaN and infinities: a cheap row test */
        float z = 0;
        for (size_t j = 0; j < cols; j++)
            z += r[j] * 0.0f;
        if (z == 0)
            continue;
        for (size_t j = 0; j < cols; j++)
            if (!isfinite(r[j]))
                return bad_value(what, i, j, r[j], algo, err);
    }
    return KILN_OK;
}

const kiln_media kiln_first_party_requests[] = {
    KILN_MEDIA_CSV, KILN_MEDIA_JSON, KILN_MEDIA_JSONLINES,
    KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};
const kiln_media kiln_first_party_responses[] = {
    KILN_MEDIA_JSON, KILN_MEDIA_JSONLINES, KILN_MEDIA_CSV,
    KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};
