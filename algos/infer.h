/* kiln — inference requests and responses in SageMaker's formats
 * (reference/builtin-algorithms.md "Inference formats" and each
 * algorithm's section), driven by the algorithm's descriptor
 * (request_types, response_types, response_fields, response_key).
 *
 * Requests (the body of POST /invocations, a batch transform's
 * mini-batch, %predict --body):
 *
 *   text/csv          features only, no label (label_size=0 is implied;
 *                     label_size=1 is refused: inference has no label).
 *                     The CSV reader's rules: delimiter sniffed, an empty
 *                     field is a missing value (NaN).
 *   text/libsvm       `label index:value ...`, the label ignored; sparse.
 *   application/x-recordio-protobuf   Records' features["values"].
 *   application/json  {"instances": [INSTANCE, ...]}, INSTANCE being
 *                     {"features": [1.5, 16.0]} (dense),
 *                     {"data": {"features": {"values": [...]}}} (dense),
 *                     {"data": {"features": {"keys": [26, 182],
 *                       "shape": [2000], "values": [1, 4]}}} (sparse), or
 *                     (kiln's leniency, as the SDK's JSONSerializer sends a
 *                     list of rows) a bare list of numbers; the body may
 *                     also be one INSTANCE, or a list of them.  null in a
 *                     dense list is a missing value.
 *   application/jsonlines   one INSTANCE per line.
 *
 * Every row must have the model's feature count (sparse keys below it);
 * anything else is a 400 naming the row and what was expected.
 *
 * Responses, from predict's fields (response_fields of them, in order):
 *
 *   application/json  {"<response_key>": [{"score": 0.4,
 *                     "predicted_label": 1}, ...]}: a vector field is a
 *                     list, an integer field an integer, others numbers in
 *                     the shortest text that reads back as the same float32;
 *                     NaN and infinities as Python's json writes them (NaN,
 *                     Infinity, -Infinity), which is what SageMaker's Python
 *                     containers send.
 *   application/jsonlines   one such object a line.
 *   text/csv          one line a row: the fields' values joined by ','
 *                     (vectors spread out), e.g. k-means
 *                     "1,3.2" (closest_cluster, distance_to_cluster) or
 *                     XGBoost's "0.43" (one score a line; a probability row
 *                     for multi:softprob).
 *   application/x-recordio-protobuf   one Record a row, each field a
 *                     float32 tensor under label[name].
 *
 * Media type parameters: charset=utf-8 is accepted everywhere;
 * `verbose=true|false` on an Accept is accepted and changes nothing (none
 * of kiln's algorithms has a verbose response); text/csv's label_size=0;
 * anything else is an error naming it.
 *
 * Accept negotiation: a missing Accept, or * / * (or application/ *, text/ *),
 * is the algorithm's default (its first response type, as
 * SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT is); a list "a, b;q=0.5" takes the
 * supported type with the highest q (ties: the first), a type's q being
 * that of the most specific range covering it (RFC 9110 §12.5.1), so
 * "application/json;q=0, * / *" answers with the next type, not JSON.
 *
 * Errors carry the HTTP status an endpoint answers with: 415 for a
 * Content-Type the algorithm does not read, 406 for an Accept it cannot
 * answer (both messages list the supported types), 400 for a body that
 * does not parse or has the wrong shape, 500 when predict fails.
 *
 * Threads: reentrant; the model is only read.
 */
#ifndef KILN_ALGOS_INFER_H
#define KILN_ALGOS_INFER_H

#include "algos/algo.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

/* The canonical MIME type of m ("text/csv"); "" for NONE.  Static. */
const char *kiln_media_mime(kiln_media m);

/* The media type named by a Content-Type or one Accept entry (parameters
 * checked as above); KILN_MEDIA_NONE for "", NULL or a wildcard.  KILN_OK
 * or KILN_DATA naming the type. */
int kiln_media_parse(const char *text, kiln_media *out, kiln_error *err);

/* What an inference failed with: the HTTP status and kiln's error. */
typedef struct kiln_infer_error {
    int status; /* 400, 406, 413, 415, 500 */
    kiln_error err;
} kiln_infer_error;

/* The request type for a Content-Type header (NULL or "": the algorithm's
 * first request type).  KILN_OK, or 415 listing what it reads. */
int kiln_infer_request_type(const kiln_algo *a, const char *content_type,
                            kiln_media *out, kiln_infer_error *e);
/* The response type for an Accept header.  KILN_OK, or 406 listing what
 * it answers with. */
int kiln_infer_response_type(const kiln_algo *a, const char *accept,
                             kiln_media *out, kiln_infer_error *e);

/* Decode a request body of type m into a new dataset of `cols` features.
 * KILN_OK (*out set), or 400. */
int kiln_infer_decode(kiln_media m, const void *body, size_t len,
                      size_t cols, kiln_dataset **out, kiln_infer_error *e);

/* Append predictions p encoded as m to out, with a's response fields and
 * key.  KILN_OK, or 500 (out of memory). */
int kiln_infer_encode(const kiln_algo *a, const kiln_predictions *p,
                      kiln_media m, kiln_buf *out, kiln_infer_error *e);

/* The whole of one request: types from the headers, decode, predict,
 * encode.  On KILN_OK the response body is appended to out and *type is
 * its media type; else e says why (out keeps what it had). */
int kiln_infer_invoke(const kiln_algo *a, const void *model,
                      const char *content_type, const char *accept,
                      const void *body, size_t len, kiln_buf *out,
                      kiln_media *type, kiln_infer_error *e);

#endif
