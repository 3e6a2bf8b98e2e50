/* kiln — real-time endpoints: SageMaker hosting, served in-process over
 * HTTP with libmicrohttpd (reference/sagemaker-contract.md §2, §4).
 *
 * An endpoint serves one model, or an inference pipeline of 2 to 15
 * (model.h, kiln_model_invoke), on its own address and port, with the
 * routes of a SageMaker container and of the SageMaker Runtime API:
 *
 *   GET  /ping                         200, empty body (the health check)
 *   GET  /execution-parameters         {"MaxConcurrentTransforms": workers,
 *                                      "BatchStrategy": "MULTI_RECORD",
 *                                      "MaxPayloadInMB": 6}
 *   POST /invocations                  the container contract: the body is
 *                                      the request, Content-Type and Accept
 *                                      as infer.h reads them
 *   POST /endpoints/NAME/invocations   InvokeEndpoint, as boto3's
 *                                      sagemaker-runtime client sends it
 *                                      with endpoint_url=http://HOST:PORT;
 *                                      NAME may be any running endpoint of
 *                                      this process, so one endpoint_url
 *                                      reaches all of them
 *
 * Responses carry Content-Type, x-amzn-RequestId,
 * x-Amzn-Invoked-Production-Variant ("AllTraffic") and, when the request
 * had one, X-Amzn-SageMaker-Custom-Attributes passed back unchanged (the
 * built-in models do not set their own).
 *
 * Errors.  On /invocations, the status infer.h gives (400 bad payload, 406
 * Accept, 415 Content-Type, 500) or 413 for a body over the limit, with a
 * JSON body {"code": 415, "type": "UnsupportedMediaType", "message":
 * "..."}.  On the Runtime path, what SageMaker's front end answers, so
 * that botocore raises the modelled exception: a failing model is 424
 * with header x-amzn-ErrorType: ModelError and body {"message": "Received
 * client error (400) from primary with message \"...\". ...",
 * "OriginalStatusCode": 400, "OriginalMessage": "..."}; an unknown
 * endpoint, or a body over the limit, is a ValidationError (400, 413).
 * Every error keeps the endpoint serving.
 *
 * Limits: a request body of at most 6 MiB (SageMaker's, max_body), a
 * connection idle for the model timeout (60 s) is closed, and a response
 * that took longer than the timeout is answered as a timeout (504 on
 * /invocations, a ModelError with OriginalStatusCode 504 on the Runtime
 * path) instead of late: predict cannot be cut off half-way, but the
 * client sees what SageMaker's would.
 *
 * Threads: `workers` threads answer requests, each model shared
 * read-only by all of them.  Endpoints are registered process-wide by
 * name (names are unique); kiln_endpoint_stop waits for requests in
 * flight, then frees the models.
 */
#ifndef KILN_PLATFORM_ENDPOINT_H
#define KILN_PLATFORM_ENDPOINT_H

#include "model.h"

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

typedef struct kiln_endpoint kiln_endpoint;

typedef struct kiln_endpoint_opts {
    const char *name;   /* EndpointName: 1..63 of [a-zA-Z0-9-], starting
                           and ending with a letter or digit */
    const char *host;   /* the address to listen on; NULL = 127.0.0.1 */
    int port;           /* 0 = the first free one from 8080 */
    unsigned workers;   /* 0 = one per core */
    size_t max_body;    /* bytes; 0 = 6 MiB */
    double timeout;     /* seconds; 0 = 60 */
} kiln_endpoint_opts;

/* Start an endpoint serving models[0..n) (1..15).  On KILN_OK the
 * endpoint owns the models; else they stay the caller's.  Errors:
 * KILN_USAGE for a bad or taken name or option, KILN_IO when the address
 * cannot be bound (naming it). */
int kiln_endpoint_start(const kiln_endpoint_opts *o, kiln_model **models,
                        size_t n, kiln_endpoint **out, kiln_error *err);

/* Stop serving, wait for requests in flight, free everything.  NULL is
 * fine. */
void kiln_endpoint_stop(kiln_endpoint *ep);

const char *kiln_endpoint_name(const kiln_endpoint *ep);
const char *kiln_endpoint_host(const kiln_endpoint *ep);
int kiln_endpoint_port(const kiln_endpoint *ep);
unsigned kiln_endpoint_workers(const kiln_endpoint *ep);
size_t kiln_endpoint_model_count(const kiln_endpoint *ep);
const kiln_model *kiln_endpoint_model(const kiln_endpoint *ep, size_t i);
double kiln_endpoint_created(const kiln_endpoint *ep); /* epoch seconds */

typedef struct kiln_endpoint_stats {
    uint64_t requests; /* invocations answered */
    uint64_t errors;   /* of which with an error status */
} kiln_endpoint_stats;

kiln_endpoint_stats kiln_endpoint_get_stats(const kiln_endpoint *ep);

/* The running endpoint called name, or NULL.  The pointer stays valid
 * until that endpoint is stopped: for the thread that starts and stops
 * endpoints (the kernel's shell). */
kiln_endpoint *kiln_endpoint_find(const char *name);
/* The running endpoints, oldest first: up to max of them into out; returns
 * how many are running. */
size_t kiln_endpoint_list(kiln_endpoint **out, size_t max);
/* Stop every running endpoint (kernel shutdown). */
void kiln_endpoint_stop_all(void);

/* True when name is a valid EndpointName. */
bool kiln_endpoint_name_valid(const char *name);

#endif
