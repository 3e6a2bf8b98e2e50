/* kiln — a trained linear learner model and its predictions.
 *
 * The model is what SageMaker's artifact holds: fc0_weight (D x K, the
 * layout of MXNet's `dot(data, fc0_weight)`), fc0_bias (K), and from
 * additional-params.json the predictor type, the loss and the binary
 * threshold.  The normalisation of training is folded into these weights,
 * so raw feature rows go straight in.
 *
 * Responses (SageMaker's inference format, builtin-algorithms.md §1):
 *   binary_classifier      score (P(label = 1) for logistic, the raw margin
 *                          for hinge_loss), predicted_label (integer:
 *                          score > threshold)
 *   multiclass_classifier  score (the softmax probabilities, a list),
 *                          predicted_label (the first most probable class)
 *   regressor              score
 */
#include "linear.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double kiln__linear_sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

kiln__linear_model *kiln__linear_model_new(kiln__linear_predictor pred,
                                           const kiln__linear_loss *loss,
                                           size_t features, size_t outputs,
                                           kiln_error *err)
{
    kiln__linear_model *m = calloc(1, sizeof *m);
    if (m == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    size_t n = features * outputs;
    if (outputs != 0 && n / outputs != features) {
        free(m);
        kiln_error_set(err, KILN_NOMEM, "cannot allocate %zu x %zu weights",
                       features, outputs);
        return NULL;
    }
    m->weight = calloc(n ? n : 1, sizeof *m->weight);
    m->bias = calloc(outputs ? outputs : 1, sizeof *m->bias);
    if (m->weight == NULL || m->bias == NULL) {
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu bytes for %zu x %zu weights",
                       n * sizeof *m->weight, features, outputs);
        kiln__linear_model_free(m);
        return NULL;
    }
    m->predictor = pred;
    m->loss = *loss;
    m->features = features;
    m->outputs = outputs;
    m->threshold = 0.5;
    m->accuracy_top_k = 3;
    m->positive_example_weight_mult = 1.0;
    m->bias_lr_mult = 10.0;
    return m;
}

void kiln__linear_model_free(kiln__linear_model *m)
{
    if (m == NULL)
        return;
    free(m->weight);
    free(m->bias);
    free(m->class_weights);
    free(m);
}

void kiln__linear_free(void *model)
{
    kiln__linear_model_free(model);
}

size_t kiln__linear_features(const void *model)
{
    return ((const kiln__linear_model *)model)->features;
}

void kiln__linear_model_scores(const kiln__linear_model *m,
                               const kiln_dataset *x, size_t r0, size_t r1,
                               float *z)
{
    size_t k = m->outputs, d = m->features, rows = r1 - r0;
    for (size_t i = 0; i < rows; i++)
        memcpy(z + i * k, m->bias, k * sizeof *z);
    if (rows == 0)
        return;
    if (!kiln_dataset_is_sparse(x)) {
        /* the caller made sure x has d columns; BLAS counts in int */
        const size_t chunk = (size_t)1 << 20;
        for (size_t i = 0; i < rows; i += chunk) {
            size_t nr = rows - i < chunk ? rows - i : chunk;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nr,
                        (int)k, (int)d, 1.0f,
                        kiln_dataset_dense(x) + (r0 + i) * d, (int)d,
                        m->weight, (int)k, 1.0f, z + i * k, (int)k);
        }
        return;
    }
    const size_t *ip = kiln_dataset_indptr(x);
    const uint32_t *ix = kiln_dataset_indices(x);
    const float *v = kiln_dataset_values(x);
    for (size_t i = 0; i < rows; i++) {
        float *zi = z + i * k;
        for (size_t e = ip[r0 + i]; e < ip[r0 + i + 1]; e++) {
            if (ix[e] >= d)
                continue; /* beyond the model's features: weight 0 */
            const float *w = m->weight + (size_t)ix[e] * k;
            float xv = v[e];
            for (size_t c = 0; c < k; c++)
                zi[c] += xv * w[c];
        }
    }
}

int kiln__linear_predict(const void *model, const kiln_dataset *x,
                         kiln_predictions *out, kiln_error *err)
{
    const kiln__linear_model *m = model;
    size_t n = kiln_dataset_rows(x), k = m->outputs;
    if (!kiln_dataset_is_sparse(x) && kiln_dataset_cols(x) != m->features)
        return kiln_error_set(err, KILN_DATA,
                              "the data has %zu features, the model expects "
                              "%zu",
                              kiln_dataset_cols(x), m->features);
    kiln_predictions p = {.rows = n};
    float *score = kiln_predictions_add(&p, "score", k,
                                        m->predictor == KILN__LINEAR_MULTICLASS,
                                        false, err);
    if (score == NULL)
        return err->code;
    kiln__linear_model_scores(m, x, 0, n, score);
    if (m->predictor == KILN__LINEAR_REGRESSOR) {
        *out = p;
        return KILN_OK;
    }
    float *label = kiln_predictions_add(&p, "predicted_label", 1, false, true,
                                        err);
    if (label == NULL) {
        kiln_predictions_fini(&p);
        return err->code;
    }
    for (size_t i = 0; i < n; i++) {
        float *z = score + i * k;
        if (m->predictor == KILN__LINEAR_BINARY) {
            double s = m->loss.kind == KILN__LOSS_LOGISTIC
                           ? kiln__linear_sigmoid(z[0])
                           : (double)z[0];
            label[i] = s > m->threshold ? 1.0f : 0.0f;
            z[0] = (float)s;
            continue;
        }
        size_t arg = 0;
        float mx = z[0];
        for (size_t c = 1; c < k; c++)
            if (z[c] > mx) {
                mx = z[c];
                arg = c;
            }
        double sum = 0;
        for (size_t c = 0; c < k; c++)
            sum += (z[c] = expf(z[c] - mx));
        for (size_t c = 0; c < k; c++)
            z[c] = (float)(z[c] / sum);
        label[i] = (float)arg;
    }
    *out = p;
    return KILN_OK;
}
