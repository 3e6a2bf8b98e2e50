/* libFuzzer target: inference requests and responses (algos/infer.c).
 *
 * Input layout: byte 0 picks the request type (bits 0-2, modulo 5: CSV,
 * libsvm, JSON, JSON lines, RecordIO-protobuf) and the model's feature
 * count (bits 3-7, plus one: 1..32); the rest is the request body.  The
 * body's first 256 bytes are also tried as an Accept and a Content-Type
 * header.
 *
 * Invariants: decoding either fails with status 400 or 500, the error's
 * code and a message, leaving *out alone, or gives a dataset of the
 * feature count with at least one row (sparse: offsets ascending to nnz,
 * indices below the count).  Predictions for those rows made from the
 * features (a score, an integer label, a 3-wide vector) then encode into
 * every response type without failure: JSON with {"predictions": [...]}
 * of one object a row (parsed back by jansson when every value is
 * finite), JSON lines and CSV of one line a row, CSV fields reading back
 * as the values, and RecordIO of one framed Record a row (unpacked by
 * protobuf-c) holding the three label tensors.  Header negotiation
 * succeeds with a type the descriptor lists, or fails with 415 / 406. */
#include "algos/infer.h"
#include "algos/data/record.pb-c.h"

#include <jansson.h>
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

static const kiln_media kinds[] = {KILN_MEDIA_CSV, KILN_MEDIA_LIBSVM,
                                   KILN_MEDIA_JSON, KILN_MEDIA_JSONLINES,
                                   KILN_MEDIA_RECORDIO};
static const kiln_media all_requests[] = {
    KILN_MEDIA_CSV, KILN_MEDIA_LIBSVM, KILN_MEDIA_JSON, KILN_MEDIA_JSONLINES,
    KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};

static const kiln_algo fake = {
    .name = "fuzz",
    .response_key = "predictions",
    .request_types = all_requests,
    .response_types = kiln_first_party_responses,
    .response_fields = NULL,
};

static bool listed(const kiln_media *list, kiln_media m)
{
    for (size_t i = 0; list[i] != KILN_MEDIA_NONE; i++)
        if (list[i] == m)
            return true;
    return false;
}

static void check_headers(const uint8_t *data, size_t size)
{
    char text[257];
    size_t n = size < 256 ? size : 256;
    memcpy(text, data, n);
    text[n] = '\0';
    kiln_infer_error e = {0};
    kiln_media m = KILN_MEDIA_NONE;
    if (kiln_infer_response_type(&fake, text, &m, &e) == KILN_OK)
        check(listed(fake.response_types, m));
    else
        check(e.status == 406 && e.err.message[0] != '\0');
    kiln_infer_error e2 = {0};
    if (kiln_infer_request_type(&fake, text, &m, &e2) == KILN_OK)
        check(listed(fake.request_types, m));
    else
        check(e2.status == 415 && e2.err.message[0] != '\0');
    kiln_error err;
    kiln_error_init(&err);
    if (kiln_media_parse(text, &m, &err) != KILN_OK)
        check(err.code == KILN_DATA && err.message[0] != '\0');
}

static void check_dataset(const kiln_dataset *ds, size_t cols)
{
    size_t rows = kiln_dataset_rows(ds);
    check(rows >= 1 && kiln_dataset_cols(ds) == cols);
    volatile float sink = 0;
    if (kiln_dataset_is_sparse(ds)) {
        const size_t *indptr = kiln_dataset_indptr(ds);
        const uint32_t *idx = kiln_dataset_indices(ds);
        const float *val = kiln_dataset_values(ds);
        check(indptr[0] == 0 && indptr[rows] == kiln_dataset_nnz(ds));
        for (size_t i = 0; i < rows; i++) {
            check(indptr[i] <= indptr[i + 1]);
            for (size_t k = indptr[i]; k < indptr[i + 1]; k++) {
                check(idx[k] < cols);
                sink += val[k];
            }
        }
    } else {
        const float *x = kiln_dataset_dense(ds);
        check(x != NULL);
        for (size_t i = 0; i < rows * cols; i++)
            sink += x[i];
    }
    (void)sink;
}

/* Predictions from the features: score = feature 0, predicted_label = its
 * integer part, projection = features 0..2 (absent ones 0). */
static void predictions(const kiln_dataset *ds, kiln_predictions *p,
                        bool *finite)
{
    kiln_error err;
    kiln_error_init(&err);
    memset(p, 0, sizeof *p);
    p->rows = kiln_dataset_rows(ds);
    size_t cols = kiln_dataset_cols(ds);
    float *score = kiln_predictions_add(p, "score", 1, false, false, &err);
    float *label =
        kiln_predictions_add(p, "predicted_label", 1, false, true, &err);
    float *proj = kiln_predictions_add(p, "projection", 3, true, false, &err);
    check(score != NULL && label != NULL && proj != NULL);
    *finite = true;
    for (size_t i = 0; i < p->rows; i++) {
        for (size_t j = 0; j < 3; j++)
            proj[3 * i + j] = j < cols ? kiln_dataset_get(ds, i, j, 0) : 0;
        score[i] = proj[3 * i];
        label[i] = truncf(score[i]);
        *finite = *finite && isfinite(proj[3 * i]) &&
                  isfinite(proj[3 * i + 1]) && isfinite(proj[3 * i + 2]);
    }
}

static bool same_value(float got, float want)
{
    return isnan(want) ? isnan(got) : got == want;
}

/* One CSV line a row, each field reading back as its value. */
static void check_csv(const kiln_buf *b, const kiln_predictions *p)
{
    const char *s = kiln_buf_str(b);
    for (size_t r = 0; r < p->rows; r++) {
        const float want[5] = {p->fields[0].values[r], p->fields[1].values[r],
                               p->fields[2].values[3 * r],
                               p->fields[2].values[3 * r + 1],
                               p->fields[2].values[3 * r + 2]};
        for (size_t k = 0; k < 5; k++) {
            char *end;
            float got = strtof(s, &end);
            check(end > s && *end == (k < 4 ? ',' : '\n'));
            check(same_value(got, want[k]));
            s = end + 1;
        }
    }
    check(*s == '\0' && (size_t)(s - b->data) == b->len);
}

static size_t count_lines(const kiln_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    check(b->len == 0 || b->data[b->len - 1] == '\n');
    return n;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void check_recordio(const kiln_buf *b, const kiln_predictions *p)
{
    const unsigned char *q = (const unsigned char *)b->data;
    size_t at = 0, n = 0;
    while (at < b->len) {
        check(b->len - at >= 8 && le32(q + at) == 0xCED7230Au);
        size_t len = le32(q + at + 4), padded = (len + 3) / 4 * 4;
        check(b->len - at - 8 >= padded);
        Aialgs__Data__Record *rec =
            aialgs__data__record__unpack(NULL, len, q + at + 8);
        check(rec != NULL && rec->n_label == 3 && rec->n_features == 0);
        for (size_t k = 0; k < 3; k++) {
            const kiln_pred_field *f = &p->fields[k];
            const Aialgs__Data__Value *v = rec->label[k]->value;
            check(strcmp(rec->label[k]->key, f->name) == 0);
            check(v->value_case == AIALGS__DATA__VALUE__VALUE_FLOAT32_TENSOR);
            check(v->float32_tensor->n_values == f->width);
            check(memcmp(v->float32_tensor->values, f->values + n * f->width,
                         f->width * sizeof(float)) == 0);
        }
        aialgs__data__record__free_unpacked(rec, NULL);
        n++;
        at += 8 + padded;
    }
    check(n == p->rows);
}

static void check_json(const kiln_buf *b, const kiln_predictions *p)
{
    json_error_t je;
    json_t *root = json_loadb(b->data, b->len, 0, &je);
    check(root != NULL);
    json_t *list = json_object_get(root, "predictions");
    check(json_array_size(list) == p->rows);
    for (size_t r = 0; r < p->rows; r++) {
        json_t *o = json_array_get(list, r);
        json_t *score = json_object_get(o, "score");
        json_t *label = json_object_get(o, "predicted_label");
        json_t *proj = json_object_get(o, "projection");
        check(json_is_number(score) && json_is_array(proj) &&
              json_array_size(proj) == 3);
        check((float)json_number_value(score) == p->fields[0].values[r]);
        /* integers as integers, up to where %lld stops being used */
        check(fabsf(p->fields[1].values[r]) >= 1e15f || json_is_integer(label));
        check((float)json_number_value(label) == p->fields[1].values[r]);
    }
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    kiln_media m = kinds[(data[0] & 7) % 5];
    size_t cols = (size_t)(data[0] >> 3) + 1;
    data++;
    size--;
    check_headers(data, size);

    kiln_infer_error e = {0};
    kiln_error_init(&e.err);
    kiln_dataset *ds = NULL;
    int rc = kiln_infer_decode(m, data, size, cols, &ds, &e);
    if (rc != KILN_OK) {
        check(ds == NULL);
        check(e.status == 400 || e.status == 500);
        check(e.err.code == rc && e.err.message[0] != '\0');
        return 0;
    }
    check(ds != NULL);
    check_dataset(ds, cols);

    kiln_predictions p;
    bool finite;
    predictions(ds, &p, &finite);
    kiln_dataset_free(ds);
    for (size_t i = 0; kiln_first_party_responses[i] != KILN_MEDIA_NONE;
         i++) {
        kiln_media r = kiln_first_party_responses[i];
        kiln_buf out;
        kiln_buf_init(&out);
        kiln_infer_error ee = {0};
        check(kiln_infer_encode(&fake, &p, r, &out, &ee) == KILN_OK);
        check(strlen(kiln_buf_str(&out)) == out.len || r == KILN_MEDIA_RECORDIO);
        if (r == KILN_MEDIA_JSON && finite)
            check_json(&out, &p);
        if (r == KILN_MEDIA_JSONLINES)
            check(count_lines(&out) == p.rows);
        if (r == KILN_MEDIA_CSV) {
            check(count_lines(&out) == p.rows);
            check_csv(&out, &p);
        }
        if (r == KILN_MEDIA_RECORDIO)
            check_recordio(&out, &p);
        kiln_buf_fini(&out);
    }
    kiln_predictions_fini(&p);
    return 0;
}
