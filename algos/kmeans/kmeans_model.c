/* kiln — the k-means model: k centroids of feature_dim features.
 *
 * Artifact (builtin-algorithms.md §3 and §18): model_algo-1 is an MXNet
 * NDArray file holding an unnamed list of one float32 array of shape
 * (k, feature_dim), what mx.nd.load(...)[0] gives.  load also takes what
 * the "bring your own model" notebook writes with
 * mx.nd.save('model_algo-1', [mx.nd.array(centroids)]), float64 included,
 * and a dict of one array.
 *
 * predict: closest_cluster (the index of the nearest centroid, as a float:
 * SageMaker answers 1.0, not 1) and distance_to_cluster, the Euclidean
 * distance to it, not squared: in the counties notebook's output a
 * training mean square distance of 0.0658 goes with distances like 0.270,
 * and the docs' examples (3.0, 23.40) are plain distances too.
 */
#include "kmeans.h"

#include "algos/mxnet/ndarray.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

kiln__kmeans_model *kiln__kmeans_model_new(const float *centers, size_t k,
                                           size_t d, kiln_error *err)
{
    kiln__kmeans_model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    if (d != 0 && k > SIZE_MAX / sizeof(float) / d) {
        free(m);
        kiln_error_nomem(err);
        return NULL;
    }
    m->centers = malloc(k * d * sizeof *m->centers + 1);
    if (m->centers == NULL) {
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu bytes for %zu x %zu centroids",
                       k * d * sizeof *m->centers, k, d);
        free(m);
        return NULL;
    }
    if (k * d > 0)
        memcpy(m->centers, centers, k * d * sizeof *m->centers);
    m->k = k;
    m->d = d;
    return m;
}

void kiln__kmeans_model_free(void *model)
{
    kiln__kmeans_model *m = model;
    if (m == NULL)
        return;
    free(m->centers);
    free(m);
}

size_t kiln__kmeans_features(const void *model)
{
    return ((const kiln__kmeans_model *)model)->d;
}

int kiln__kmeans_predict(const void *model, const kiln_dataset *x,
                         kiln_predictions *out, kiln_error *err)
{
    const kiln__kmeans_model *m = model;
    int rc = kiln_algo_check_rows(x, "the input", m->d, "k-means", err);
    if (rc != KILN_OK)
        return rc;
    size_t n = kiln_dataset_rows(x);
    kiln_predictions p = {.rows = n};
    float *cluster = kiln_predictions_add(&p, "closest_cluster", 1, false,
                                          false, err);
    float *dist = cluster == NULL ? NULL
                                  : kiln_predictions_add(&p,
                                                         "distance_to_cluster",
                                                         1, false, false, err);
    uint32_t *label = malloc(n * sizeof *label + 1);
    if (dist == NULL || label == NULL) {
        free(label);
        kiln_predictions_fini(&p);
        return label == NULL ? kiln_error_nomem(err) : err->code;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = cores < 1 ? 1u : cores > 8 ? 8u : (unsigned)cores;
    kiln__kmeans_centers c;
    kiln__kmeans_rows rows = kiln__kmeans_rows_all(x);
    rc = kiln__kmeans_centers_init(&c, m->centers, m->k, m->d,
                                   kiln_dataset_is_sparse(x), err);
    if (rc == KILN_OK) {
        rc = kiln__kmeans_assign(&rows, m->d, &c, threads, NULL, label, dist,
                                 NULL, err);
        kiln__kmeans_centers_fini(&c);
    }
    if (rc != KILN_OK) {
        free(label);
        kiln_predictions_fini(&p);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        cluster[i] = (float)label[i];
        dist[i] = sqrtf(dist[i]);
    }
    free(label);
    *out = p;
    return KILN_OK;
}

/* dir/model_algo-1, malloc'ed. */
static char *artifact_path(const char *dir, kiln_error *err)
{
    size_t len = strlen(dir) + sizeof KILN__KMEANS_ARTIFACT + 1;
    char *path = malloc(len);
    if (path == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    snprintf(path, len, "%s/%s", dir, KILN__KMEANS_ARTIFACT);
    return path;
}

int kiln__kmeans_save(const void *model, const char *dir, kiln_error *err)
{
    const kiln__kmeans_model *m = model;
    char *path = artifact_path(dir, err);
    if (path == NULL)
        return KILN_NOMEM;
    kiln_ndarray_list l = {0};
    int64_t shape[2] = {(int64_t)m->k, (int64_t)m->d};
    int rc = kiln_ndarray_list_add(&l, NULL, KILN_ND_FLOAT32, 2, shape,
                                   m->centers, err) != NULL
                 ? KILN_OK
                 : err->code;
    if (rc == KILN_OK)
        rc = kiln_ndarray_save(path, &l, err);
    kiln_ndarray_list_free(&l);
    free(path);
    return rc;
}

int kiln__kmeans_load(const char *dir, void **model, kiln_error *err)
{
    char *path = artifact_path(dir, err);
    if (path == NULL)
        return KILN_NOMEM;
    kiln_ndarray_list l = {0};
    int rc = kiln_ndarray_load(path, &l, err);
    if (rc != KILN_OK) {
        free(path);
        return rc;
    }
    const kiln_ndarray *a = l.count == 1 ? &l.arrays[0] : NULL;
    float *centers = NULL;
    size_t k = 0, d = 0;
    if (a == NULL) {
        rc = kiln_error_set(err, KILN_DATA,
                            "%s: %zu arrays, expected one array of k-means "
                            "centroids (k x feature_dim)", path, l.count);
    } else if (a->ndim != 2 || a->shape[0] < 1 || a->shape[1] < 1) {
        char shape[200] = "(";
        for (int i = 0; i < a->ndim; i++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape),
                     "%s%lld", i ? ", " : "", (long long)a->shape[i]);
        strcat(shape, a->ndim == 1 ? ",)" : ")");
        rc = kiln_error_set(err, KILN_DATA,
                            "%s: an array of shape %s, expected the k-means "
                            "centroids as a 2-D array (k x feature_dim) with "
                            "k, feature_dim >= 1", path, shape);
    } else if (a->dtype != KILN_ND_FLOAT32 && a->dtype != KILN_ND_FLOAT64) {
        rc = kiln_error_set(err, KILN_DATA,
                            "%s: centroids of dtype %s, expected float32 (or "
                            "float64)", path,
                            a->dtype == KILN_ND_INT32 ? "int32" : "int64");
    } else {
        k = (size_t)a->shape[0];
        d = (size_t)a->shape[1];
        centers = malloc(k * d * sizeof *centers);
        if (centers == NULL)
            rc = kiln_error_set(err, KILN_NOMEM,
                                "cannot allocate %zu bytes for %zu x %zu "
                                "centroids", k * d * sizeof *centers, k, d);
        for (size_t i = 0; rc == KILN_OK && i < k * d; i++) {
            double v = a->dtype == KILN_ND_FLOAT32
                           ? ((const float *)a->data)[i]
                           : ((const double *)a->data)[i];
            centers[i] = (float)v;
            if (!isfinite(centers[i]))
                rc = kiln_error_set(err, KILN_DATA,
                                    "%s: centroid %zu, feature %zu is %g, "
                                    "expected a finite float32", path,
                                    i / d, i % d, v);
        }
    }
    kiln_ndarray_list_free(&l);
    kiln__kmeans_model *m = NULL;
    if (rc == KILN_OK) {
        m = kiln__kmeans_model_new(centers, k, d, err);
        if (m == NULL)
            rc = err->code;
    }
    free(centers);
    free(path);
    if (rc == KILN_OK)
        *model = m;
    return rc;
}
