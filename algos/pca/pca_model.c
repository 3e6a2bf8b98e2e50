/* kiln — the PCA model: num_components components of feature_dim
 * features, their singular values and (with subtract_mean) the mean.
 *
 * predict: "projection", a vector of num_components values per row,
 * (x - mean) . v, in v's order (ascending singular value: the largest
 * component last), as SageMaker's PCA answers
 * {"projections": [{"projection": [...]}, ...]} (builtin-algorithms.md §4).
 * Dense rows are centred in float and multiplied with cblas_sgemm in
 * blocks; sparse rows take x . v entry by entry in double minus
 * mean . v (kept in double).
 *
 * Artifact (builtin-algorithms.md §4, §18): model_algo-1 is an MXNet
 * NDArray dict of float32 arrays
 *   s     (num_components,)               the singular values, ascending
 *   v     (feature_dim, num_components)   the components, as columns
 *   mean  (1, feature_dim)                only when subtract_mean is true
 * written in that order.  The order and mean's shape are what
 * mx.nd.load prints for two real SageMaker artifacts in public notebooks
 * (the Udacity counties notebook: {'s': <NDArray 33>, 'v': <NDArray
 * 34x33>, 'mean': <NDArray 1x34>}; an Airbnb notebook: s 50, v 2201x50,
 * mean 1x2201), Python 3 dicts keeping the file's order.  The research
 * notes listed "mean, v, s" and left mean's shape open; these outputs
 * settle both.  load also takes mean as (feature_dim,), float64 arrays,
 * and ignores names it does not know.
 */
#include "pca.h"

#include "algos/mxnet/ndarray.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PREDICT_BLOCK = 256 };

kiln__pca_model *kiln__pca_model_new(size_t d, size_t k, const float *mean,
                                     const float *v, const float *s,
                                     kiln_error *err)
{
    kiln__pca_model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    m->d = d;
    m->k = k;
    bool fits = d != 0 && k != 0 && k <= SIZE_MAX / sizeof(float) / d;
    m->v = fits ? malloc(d * k * sizeof *m->v) : NULL;
    m->s = malloc(k * sizeof *m->s + 1);
    if (mean != NULL) {
        m->mean = malloc(d * sizeof *m->mean);
        m->mean_v = malloc(k * sizeof *m->mean_v + 1);
    }
    if (m->v == NULL || m->s == NULL ||
        (mean != NULL && (m->mean == NULL || m->mean_v == NULL))) {
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu x %zu PCA components", d, k);
        kiln__pca_model_free(m);
        return NULL;
    }
    memcpy(m->v, v, d * k * sizeof *m->v);
    memcpy(m->s, s, k * sizeof *m->s);
    if (mean != NULL) {
        memcpy(m->mean, mean, d * sizeof *m->mean);
        for (size_t c = 0; c < k; c++) {
            double acc = 0;
            for (size_t j = 0; j < d; j++)
                acc += (double)mean[j] * v[j * k + c];
            m->mean_v[c] = acc;
        }
    }
    return m;
}

void kiln__pca_model_free(void *model)
{
    kiln__pca_model *m = model;
    if (m == NULL)
        return;
    free(m->mean);
    free(m->v);
    free(m->s);
    free(m->mean_v);
    free(m);
}

size_t kiln__pca_features(const void *model)
{
    return ((const kiln__pca_model *)model)->d;
}

/* ---- projections -------------------------------------------------------- */

/* rows x k projections of x into out (checked rows). */
static int project(const kiln__pca_model *m, const kiln_dataset *x,
                   float *out, kiln_error *err)
{
    size_t n = kiln_dataset_rows(x), d = m->d, k = m->k;
    if (kiln_dataset_is_sparse(x)) {
        const size_t *indptr = kiln_dataset_indptr(x);
        const uint32_t *idx = kiln_dataset_indices(x);
        const float *val = kiln_dataset_values(x);
        double *acc = malloc(k * sizeof *acc);
        if (acc == NULL)
            return kiln_error_nomem(err);
        for (size_t i = 0; i < n; i++) {
            for (size_t c = 0; c < k; c++)
                acc[c] = m->mean_v != NULL ? -m->mean_v[c] : 0;
            for (size_t e = indptr[i]; e < indptr[i + 1]; e++) {
                const float *vr = m->v + (size_t)idx[e] * k;
                double a = val[e];
                for (size_t c = 0; c < k; c++)
                    acc[c] += a * vr[c];
            }
            for (size_t c = 0; c < k; c++)
                out[i * k + c] = (float)acc[c];
        }
        free(acc);
        return KILN_OK;
    }
    const float *rows = kiln_dataset_dense(x);
    float *blk = NULL;
    if (m->mean != NULL) {
        size_t b = n < PREDICT_BLOCK ? n : PREDICT_BLOCK;
        blk = malloc(b * d * sizeof *blk + 1);
        if (blk == NULL)
            return kiln_error_nomem(err);
    }
    for (size_t r0 = 0; r0 < n; r0 += PREDICT_BLOCK) {
        size_t r1 = r0 + PREDICT_BLOCK < n ? r0 + PREDICT_BLOCK : n;
        const float *a = rows + r0 * d;
        if (blk != NULL) {
            kiln__pca_block(x, r0, r1, d, m->mean, blk);
            a = blk;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(r1 - r0),
                    (int)k, (int)d, 1.0f, a, (int)d, m->v, (int)k, 0.0f,
                    out + r0 * k, (int)k);
    }
    free(blk);
    return KILN_OK;
}

int kiln__pca_predict(const void *model, const kiln_dataset *x,
                      kiln_predictions *out, kiln_error *err)
{
    const kiln__pca_model *m = model;
    int rc = kiln_algo_check_rows(x, "the input", m->d, "PCA", err);
    if (rc != KILN_OK)
        return rc;
    kiln_predictions p = {.rows = kiln_dataset_rows(x)};
    float *proj = kiln_predictions_add(&p, "projection", m->k, true, false,
                                       err);
    if (proj == NULL)
        return err->code;
    rc = project(m, x, proj, err);
    if (rc != KILN_OK) {
        kiln_predictions_fini(&p);
        return rc;
    }
    *out = p;
    return KILN_OK;
}

int kiln__pca_score(const kiln__pca_model *m, const kiln_dataset *x,
                    double *ratio, kiln_error *err)
{
    size_t n = kiln_dataset_rows(x), d = m->d, k = m->k;
    *ratio = 0;
    if (n == 0)
        return KILN_OK;
    float *proj = n <= SIZE_MAX / sizeof(float) / k
                      ? malloc(n * k * sizeof *proj)
                      : NULL;
    if (proj == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu x %zu projections", n, k);
    int rc = project(m, x, proj, err);
    if (rc != KILN_OK) {
        free(proj);
        return rc;
    }
    double kept = 0, total = 0;
    for (size_t i = 0; i < n * k; i++)
        kept += (double)proj[i] * proj[i];
    free(proj);
    if (kiln_dataset_is_sparse(x)) {
        /* |x - mean|^2 = |x|^2 - 2 x . mean + |mean|^2 */
        const size_t *indptr = kiln_dataset_indptr(x);
        const uint32_t *idx = kiln_dataset_indices(x);
        const float *val = kiln_dataset_values(x);
        double mm = 0;
        for (size_t j = 0; m->mean != NULL && j < d; j++)
            mm += (double)m->mean[j] * m->mean[j];
        for (size_t i = 0; i < n; i++) {
            double row = mm;
            for (size_t e = indptr[i]; e < indptr[i + 1]; e++) {
                double a = val[e];
                row += a * a -
                       (m->mean != NULL ? 2 * a * m->mean[idx[e]] : 0);
            }
            total += row;
        }
    } else {
        const float *rows = kiln_dataset_dense(x);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++) {
                double a = (double)rows[i * d + j] -
                           (m->mean != NULL ? (double)m->mean[j] : 0.0);
                total += a * a;
            }
    }
    *ratio = total > 0 ? kept / total : 0;
    return KILN_OK;
}

/* ---- the artifact ------------------------------------------------------- */

/* dir/model_algo-1, malloc'ed. */
static char *artifact_path(const char *dir, kiln_error *err)
{
    size_t len = strlen(dir) + sizeof KILN__PCA_ARTIFACT + 1;
    char *path = malloc(len);
    if (path == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    snprintf(path, len, "%s/%s", dir, KILN__PCA_ARTIFACT);
    return path;
}

int kiln__pca_save(const void *model, const char *dir, kiln_error *err)
{
    const kiln__pca_model *m = model;
    char *path = artifact_path(dir, err);
    if (path == NULL)
        return KILN_NOMEM;
    kiln_ndarray_list l = {0};
    int64_t s_shape[1] = {(int64_t)m->k};
    int64_t v_shape[2] = {(int64_t)m->d, (int64_t)m->k};
    int64_t mean_shape[2] = {1, (int64_t)m->d};
    int rc = KILN_OK;
    if (kiln_ndarray_list_add(&l, "s", KILN_ND_FLOAT32, 1, s_shape, m->s,
                              err) == NULL ||
        kiln_ndarray_list_add(&l, "v", KILN_ND_FLOAT32, 2, v_shape, m->v,
                              err) == NULL ||
        (m->mean != NULL &&
         kiln_ndarray_list_add(&l, "mean", KILN_ND_FLOAT32, 2, mean_shape,
                               m->mean, err) == NULL))
        rc = err->code;
    if (rc == KILN_OK)
        rc = kiln_ndarray_save(path, &l, err);
    kiln_ndarray_list_free(&l);
    free(path);
    return rc;
}

static void shape_text(const kiln_ndarray *a, char *buf, size_t size)
{
    snprintf(buf, size, "(");
    for (int i = 0; i < a->ndim; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%lld",
                 i ? ", " : "", (long long)a->shape[i]);
    snprintf(buf + strlen(buf), size - strlen(buf), a->ndim == 1 ? ",)" : ")");
}

static const char *dtype_name(kiln_ndarray_dtype t)
{
    switch (t) {
    case KILN_ND_FLOAT32:
        return "float32";
    case KILN_ND_FLOAT64:
        return "float64";
    case KILN_ND_INT32:
        return "int32";
    case KILN_ND_INT64:
        return "int64";
    }
    return "unknown";
}

/* The array's values as finite floats into out (count of them). */
static int read_floats(const char *path, const kiln_ndarray *a, float *out,
                       kiln_error *err)
{
    if (a->dtype != KILN_ND_FLOAT32 && a->dtype != KILN_ND_FLOAT64)
        return kiln_error_set(err, KILN_DATA,
                              "%s: array '%s' has dtype %s, expected float32 "
                              "(or float64)", path, a->name,
                              dtype_name(a->dtype));
    size_t count = kiln_ndarray_size(a);
    for (size_t i = 0; i < count; i++) {
        double x = a->dtype == KILN_ND_FLOAT32 ? ((const float *)a->data)[i]
                                               : ((const double *)a->data)[i];
        out[i] = (float)x;
        if (!isfinite(out[i]))
            return kiln_error_set(err, KILN_DATA,
                                  "%s: array '%s', element %zu is %g, "
                                  "expected a finite float32", path, a->name,
                                  i, x);
    }
    return KILN_OK;
}

/* A vector of `want` values: shape (want,) or (1, want). */
static bool vector_of(const kiln_ndarray *a, size_t want)
{
    if (a->ndim == 1)
        return a->shape[0] == (int64_t)want;
    return a->ndim == 2 && a->shape[0] == 1 && a->shape[1] == (int64_t)want;
}

static int parse_model(const char *path, const kiln_ndarray_list *l,
                       kiln__pca_model **out, kiln_error *err)
{
    char shape[200];
    if (!l->named)
        return kiln_error_set(err, KILN_DATA,
                              "%s: an unnamed list of %zu arrays, expected a "
                              "dict of PCA arrays 's', 'v' and (with "
                              "subtract_mean) 'mean'", path, l->count);
    const kiln_ndarray *v = kiln_ndarray_list_find(l, "v");
    const kiln_ndarray *s = kiln_ndarray_list_find(l, "s");
    const kiln_ndarray *mean = kiln_ndarray_list_find(l, "mean");
    if (v == NULL || s == NULL)
        return kiln_error_set(err, KILN_DATA,
                              "%s: no array '%s', expected a dict of PCA "
                              "arrays 's', 'v' and (with subtract_mean) "
                              "'mean'", path, v == NULL ? "v" : "s");
    if (v->ndim != 2 || v->shape[0] < 1 || v->shape[1] < 1) {
        shape_text(v, shape, sizeof shape);
        return kiln_error_set(err, KILN_DATA,
                              "%s: 'v' has shape %s, expected the components "
                              "as (feature_dim, num_components), both >= 1",
                              path, shape);
    }
    size_t d = (size_t)v->shape[0], k = (size_t)v->shape[1];
    if (!vector_of(s, k)) {
        shape_text(s, shape, sizeof shape);
        return kiln_error_set(err, KILN_DATA,
                              "%s: 's' has shape %s, expected (%zu,): one "
                              "singular value per column of 'v'", path,
                              shape, k);
    }
    if (mean != NULL && !vector_of(mean, d)) {
        shape_text(mean, shape, sizeof shape);
        return kiln_error_set(err, KILN_DATA,
                              "%s: 'mean' has shape %s, expected (1, %zu): "
                              "one value per row of 'v'", path, shape, d);
    }
    float *vf = malloc(d * k * sizeof *vf);
    float *sf = malloc(k * sizeof *sf);
    float *mf = mean != NULL ? malloc(d * sizeof *mf) : NULL;
    int rc = KILN_OK;
    if (vf == NULL || sf == NULL || (mean != NULL && mf == NULL))
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate %zu x %zu PCA components", d, k);
    if (rc == KILN_OK)
        rc = read_floats(path, v, vf, err);
    if (rc == KILN_OK)
        rc = read_floats(path, s, sf, err);
    if (rc == KILN_OK && mean != NULL)
        rc = read_floats(path, mean, mf, err);
    kiln__pca_model *m = NULL;
    if (rc == KILN_OK) {
        m = kiln__pca_model_new(d, k, mf, vf, sf, err);
        if (m == NULL)
            rc = err->code;
    }
    free(vf);
    free(sf);
    free(mf);
    if (rc == KILN_OK)
        *out = m;
    return rc;
}

int kiln__pca_load(const char *dir, void **model, kiln_error *err)
{
    char *path = artifact_path(dir, err);
    if (path == NULL)
        return KILN_NOMEM;
    kiln_ndarray_list l = {0};
    int rc = kiln_ndarray_load(path, &l, err);
    kiln__pca_model *m = NULL;
    if (rc == KILN_OK)
        rc = parse_model(path, &l, &m, err);
    kiln_ndarray_list_free(&l);
    free(path);
    if (rc == KILN_OK)
        *model = m;
    return rc;
}
