/* libFuzzer target: Linear Learner's model file (model_algo-1, a zip of
 * SageMaker's MXNet module checkpoint: manifest.json, mx-mod-symbol.json,
 * mx-mod-0000.params, additional-params.json), read through libarchive by
 * kiln__linear_load_bytes.  Invariants: a failure is KILN_DATA (or
 * KILN_NOMEM) with a message naming the file; a model that loads has
 * features and outputs, and predicts every field finite-or-NaN for a row of
 * zeros and a row of ones without reading outside its arrays. */
#include "algos/linear/linear.h"

#include "algos/data/dataset.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void predict_rows(const kiln__linear_model *m)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *x = kiln_dataset_new(0, m->features);
    check(x != NULL);
    for (int r = 0; r < 2; r++) {
        float *row = kiln_dataset_push_dense(x, 0.0f, 1.0f, &err);
        check(row != NULL);
        for (size_t j = 0; j < m->features; j++)
            row[j] = (float)r;
    }
    kiln_predictions p = {0};
    int rc = kiln__linear_predict(m, x, &p, &err);
    check(rc == KILN_OK || rc == KILN_NOMEM);
    kiln_predictions_fini(&p);
    kiln_dataset_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__linear_model *m = NULL;
    int rc = kiln__linear_load_bytes(data, size, "model_algo-1", &m, &err);
    if (rc != KILN_OK) {
        check(m == NULL);
        check(rc == KILN_DATA || rc == KILN_NOMEM);
        check(strstr(err.message, "model_algo-1") != NULL ||
              rc == KILN_NOMEM);
        return 0;
    }
    check(m != NULL && m->features > 0 && m->outputs > 0);
    /* bounded: a huge declared shape is still real memory here */
    if (m->features <= (1u << 16))
        predict_rows(m);
    kiln__linear_model_free(m);
    return 0;
}
