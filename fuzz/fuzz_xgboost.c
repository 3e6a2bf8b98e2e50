/* libFuzzer target: XGBoost model files as the xgboost library writes them
 * (JSON, UBJSON, the legacy binary format of SageMaker's containers), read
 * by kiln__xgb_load.  Invariants: a failure is KILN_DATA (or KILN_NOMEM)
 * naming the file; a model that loads predicts a row of zeros and a row
 * of NaNs (missing) without reading outside its trees, and saving it as
 * JSON and loading that gives the same margins. */
#include "algos/xgboost/xgb.h"

#include "algos/data/dataset.h"

#include <math.h>
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

/* Margins of two rows (zeros, NaNs) into out (2 x num_group). */
static void margins(const kiln__xgb_model *m, float *out)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *x = kiln_dataset_new(0, m->num_feature);
    check(x != NULL);
    for (int r = 0; r < 2; r++) {
        float *row = kiln_dataset_push_dense(x, 0.0f, 1.0f, &err);
        check(row != NULL);
        for (size_t j = 0; j < m->num_feature; j++)
            row[j] = r == 0 ? 0.0f : NAN;
    }
    kiln__xgb_predict_margin(m, x, 0, 1, out);
    kiln_dataset_free(x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln__xgb_model *m = NULL;
    int rc = kiln__xgb_load(data, size, "xgboost-model", &m, &err);
    if (rc != KILN_OK) {
        check(m == NULL);
        check(rc == KILN_DATA || rc == KILN_NOMEM);
        check(rc == KILN_NOMEM || strstr(err.message, "xgboost-model"));
        return 0;
    }
    check(m != NULL && m->num_group >= 1);
    /* bounded: a huge declared width is still real memory here */
    if (m->num_feature <= (1u << 16) && m->num_group <= 64) {
        float a[2 * 64], b[2 * 64];
        margins(m, a);
        kiln_buf json;
        kiln_buf_init(&json);
        check(kiln__xgb_save_json(m, &json, &err) == KILN_OK);
        kiln__xgb_model *back = NULL;
        check(kiln__xgb_load(json.data, json.len, "xgboost-model", &back,
                             &err) == KILN_OK);
        margins(back, b);
        for (int i = 0; i < 2 * m->num_group; i++)
            check(memcmp(&a[i], &b[i], sizeof a[i]) == 0 ||
                  (isnan(a[i]) && isnan(b[i])));
        kiln__xgb_model_free(back);
        kiln_buf_fini(&json);
    }
    kiln__xgb_model_free(m);
    return 0;
}
