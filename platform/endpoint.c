/* kiln — real-time endpoints over libmicrohttpd (endpoint.h). */
#include "endpoint.h"

#include "core/buf.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    DEFAULT_PORT = 8080,
    PORT_TRIES = 100,      /* 8080..8179 when no port is given */
    MAX_MODELS = 15,       /* a PipelineModel's containers */
    MAX_WORKERS = 64,
    CUSTOM_MAX = 1024,     /* X-Amzn-SageMaker-Custom-Attributes */
};
#define DEFAULT_MAX_BODY ((size_t)6 * 1024 * 1024)

struct kiln_endpoint {
    char *name, *host;
    int port;
    unsigned workers;
    size_t max_body;
    double timeout, created;
    kiln_model *models[MAX_MODELS];
    size_t nmodels;
    struct MHD_Daemon *daemon;
    atomic_uint_fast64_t requests, errors, ids;
    /* requests of other endpoints' threads using this one (the Runtime
     * path names any endpoint); stop waits for them */
    pthread_mutex_t lock;
    pthread_cond_t idle;
    unsigned borrowed;
    bool stopping;
    kiln_endpoint *next; /* the registry */
};

/* ---- the registry -------------------------------------------------------- */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static kiln_endpoint *registry;

/* The running endpoint called name, borrowed (release it), or NULL. */
static kiln_endpoint *borrow(const char *name, size_t len)
{
    pthread_mutex_lock(&registry_lock);
    kiln_endpoint *e = registry;
    while (e != NULL &&
           (strlen(e->name) != len || strncmp(e->name, name, len) != 0))
        e = e->next;
    if (e != NULL) {
        pthread_mutex_lock(&e->lock);
        if (e->stopping)
            e = (pthread_mutex_unlock(&e->lock), NULL);
        else
            e->borrowed++, pthread_mutex_unlock(&e->lock);
    }
    pthread_mutex_unlock(&registry_lock);
    return e;
}

static void release(kiln_endpoint *e)
{
    pthread_mutex_lock(&e->lock);
    if (--e->borrowed == 0)
        pthread_cond_broadcast(&e->idle);
    pthread_mutex_unlock(&e->lock);
}

/* Register e unless its name is taken. */
static bool enlist(kiln_endpoint *e)
{
    pthread_mutex_lock(&registry_lock);
    bool taken = false;
    for (kiln_endpoint *x = registry; x != NULL; x = x->next)
        taken |= strcmp(x->name, e->name) == 0;
    if (!taken) {
        e->next = registry;
        registry = e;
    }
    pthread_mutex_unlock(&registry_lock);
    return !taken;
}

static void delist(kiln_endpoint *e)
{
    pthread_mutex_lock(&registry_lock);
    for (kiln_endpoint **p = &registry; *p != NULL; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
}

/* ---- responses --------------------------------------------------------- */

typedef struct request {
    kiln_buf body;
    size_t received;
    bool too_large;
} request;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Queue `body` (taken: its data becomes the response's) with the
 * headers every answer has. */
static enum MHD_Result reply(kiln_endpoint *ep, struct MHD_Connection *c,
                             unsigned status, const char *type, kiln_buf *body,
                             const char *error_type)
{
    size_t len = body->len;
    char *data = body->data;
    kiln_buf_init(body);
    struct MHD_Response *r =
        data != NULL
            ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        free(data);
        return MHD_NO;
    }
    char id[64];
    uint64_t n = atomic_fetch_add(&ep->ids, 1);
    snprintf(id, sizeof id, "%08x-%04x-kiln-%012llx",
             (unsigned)(uintptr_t)ep ^ (unsigned)ep->port, (unsigned)ep->port,
             (unsigned long long)n);
    if (type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, "x-amzn-RequestId", id);
    if (error_type != NULL)
        MHD_add_response_header(r, "x-amzn-ErrorType", error_type);
    const char *custom = MHD_lookup_connection_value(
        c, MHD_HEADER_KIND, "X-Amzn-SageMaker-Custom-Attributes");
    if (custom != NULL && strlen(custom) <= CUSTOM_MAX)
        MHD_add_response_header(r, "X-Amzn-SageMaker-Custom-Attributes",
                                custom);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* A JSON string's text (quotes included) appended to b. */
static void put_json_string(kiln_buf *b, const char *s)
{
    kiln_buf_putc(b, '"');
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            kiln_buf_printf(b, "\\%c", ch);
        else if (ch == '\n')
            kiln_buf_puts(b, "\\n");
        else if (ch < 0x20)
            kiln_buf_printf(b, "\\u%04x", ch);
        else
            kiln_buf_putc(b, (char)ch);
    }
    kiln_buf_putc(b, '"');
}

static const char *status_type(unsigned status)
{
    switch (status) {
    case 400: return "BadRequest";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 413: return "PayloadTooLarge";
    case 415: return "UnsupportedMediaType";
    case 504: return "GatewayTimeout";
    default: return "InternalServerError";
    }
}

/* The container contract's error: {"code", "type", "message"}. */
static enum MHD_Result container_error(kiln_endpoint *ep,
                                       struct MHD_Connection *c,
                                       unsigned status, const char *message)
{
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_buf_printf(&b, "{\"code\": %u, \"type\": \"%s\", \"message\": ",
                    status, status_type(status));
    put_json_string(&b, message);
    kiln_buf_puts(&b, "}");
    atomic_fetch_add(&ep->errors, 1);
    return reply(ep, c, status, "application/json", &b, NULL);
}

/* The Runtime API's errors, as botocore reads them (endpoint.h). */
static enum MHD_Result runtime_error(kiln_endpoint *ep,
                                     struct MHD_Connection *c,
                                     unsigned status, const char *type,
                                     unsigned original, const char *message)
{
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_buf_puts(&b, "{\"message\": ");
    if (strcmp(type, "ModelError") == 0) {
        kiln_buf text;
        kiln_buf_init(&text);
        kiln_buf_printf(&text,
                        "Received %s error (%u) from primary with message "
                        "\"%s\". See the kernel's %%endpoints for more "
                        "information.",
                        original < 500 ? "client" : "server", original,
                        message);
        put_json_string(&b, text.data ? text.data : "");
        kiln_buf_fini(&text);
        kiln_buf_printf(&b, ", \"OriginalStatusCode\": %u, "
                            "\"OriginalMessage\": ",
                        original);
        put_json_string(&b, message);
    } else {
        put_json_string(&b, message);
    }
    kiln_buf_puts(&b, "}");
    atomic_fetch_add(&ep->errors, 1);
    return reply(ep, c, status, "application/json", &b, type);
}

/* ---- the routes --------------------------------------------------------- */

/* An invocation of `ep` (the endpoint the request names, which need not
 * be the one whose port took it): counted, and answered, as ep's. */
static enum MHD_Result invoke(kiln_endpoint *ep, struct MHD_Connection *c,
                              request *req, bool runtime)
{
    atomic_fetch_add(&ep->requests, 1);
    char message[1200];
    if (req->too_large) {
        snprintf(message, sizeof message,
                 "the request body has %zu bytes, more than the %zu an "
                 "invocation may have",
                 req->received, ep->max_body);
        return runtime ? runtime_error(ep, c, 413, "ValidationError", 0,
                                       message)
                       : container_error(ep, c, 413, message);
    }
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_ACCEPT);
    kiln_buf out;
    kiln_buf_init(&out);
    kiln_media type = KILN_MEDIA_NONE;
    kiln_infer_error e = {0};
    double t0 = now();
    int rc = kiln_model_invoke(ep->models, ep->nmodels, ct, accept,
                               req->body.data ? req->body.data : "",
                               req->body.len, &out, &type, &e);
    if (rc == KILN_OK && now() - t0 > ep->timeout) {
        rc = KILN_INTERRUPTED;
        e.status = 504;
        snprintf(e.err.message, sizeof e.err.message,
                 "the model took %.1f s, more than the %.0f s timeout",
                 now() - t0, ep->timeout);
    }
    if (rc != KILN_OK) {
        kiln_buf_fini(&out);
        return runtime ? runtime_error(ep, c, 424, "ModelError",
                                       (unsigned)e.status, e.err.message)
                       : container_error(ep, c, (unsigned)e.status,
                                         e.err.message);
    }
    return reply(ep, c, 200, kiln_media_mime(type), &out, NULL);
}

static enum MHD_Result route(kiln_endpoint *ep, struct MHD_Connection *c,
                             const char *url, const char *method,
                             request *req)
{
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    kiln_buf b;
    kiln_buf_init(&b);
    if (strcmp(url, "/ping") == 0) {
        if (!get)
            return container_error(ep, c, 405, "/ping answers GET");
        return reply(ep, c, 200, NULL, &b, NULL);
    }
    if (strcmp(url, "/execution-parameters") == 0) {
        if (!get)
            return container_error(ep, c, 405,
                                   "/execution-parameters answers GET");
        kiln_buf_printf(&b,
                        "{\"MaxConcurrentTransforms\": %u, \"BatchStrategy\": "
                        "\"MULTI_RECORD\", \"MaxPayloadInMB\": %zu}",
                        ep->workers, ep->max_body / (1024 * 1024));
        return reply(ep, c, 200, "application/json", &b, NULL);
    }
    if (strcmp(url, "/invocations") == 0) {
        if (!post)
            return container_error(ep, c, 405, "/invocations answers POST");
        return invoke(ep, c, req, false);
    }
    static const char prefix[] = "/endpoints/", suffix[] = "/invocations";
    size_t n = strlen(url), pl = sizeof prefix - 1, sl = sizeof suffix - 1;
    if (n > pl + sl && strncmp(url, prefix, pl) == 0 &&
        strcmp(url + n - sl, suffix) == 0) {
        const char *name = url + pl;
        size_t len = n - pl - sl;
        if (!post)
            return runtime_error(ep, c, 405, "ValidationError", 0,
                                 "InvokeEndpoint is a POST");
        kiln_endpoint *target = borrow(name, len);
        if (target == NULL) {
            char m[200];
            snprintf(m, sizeof m, "Endpoint %.*s not found (%%endpoints "
                                  "lists them).",
                     (int)(len > 63 ? 63 : len), name);
            return runtime_error(ep, c, 400, "ValidationError", 0, m);
        }
        enum MHD_Result rc = invoke(target, c, req, true);
        release(target);
        return rc;
    }
    char m[300];
    snprintf(m, sizeof m, "no route %.200s: the routes are GET /ping, POST "
                          "/invocations and POST /endpoints/NAME/invocations",
             url);
    return container_error(ep, c, 404, m);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    kiln_endpoint *ep = cls;
    request *req = *state;
    if (req == NULL) {
        req = calloc(1, sizeof *req);
        if (req == NULL)
            return MHD_NO;
        kiln_buf_init(&req->body);
        *state = req;
        return MHD_YES;
    }
    if (*upload_size > 0) {
        req->received += *upload_size;
        if (req->received > ep->max_body) {
            req->too_large = true;
            kiln_buf_fini(&req->body); /* the rest is read and dropped */
        } else if (kiln_buf_append(&req->body, upload, *upload_size) !=
                   KILN_OK) {
            return MHD_NO;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return route(ep, c, url, method, req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    request *req = *state;
    if (req != NULL) {
        kiln_buf_fini(&req->body);
        free(req);
        *state = NULL;
    }
}

/* ---- starting and stopping ----------------------------------------------- */

bool kiln_endpoint_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n < 1 || n > 63 || !isalnum((unsigned char)name[0]) ||
        !isalnum((unsigned char)name[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-')
            return false;
    return true;
}

static struct MHD_Daemon *listen_on(kiln_endpoint *ep,
                                    const struct sockaddr *addr, bool ipv6)
{
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_TURBO;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    return MHD_start_daemon(
        flags, (uint16_t)ep->port, NULL, NULL, on_request, ep,
        MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)ep->workers,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(ep->timeout + 0.999),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_END);
}

/* Bind host:port (port 0: the first free from 8080). */
static int bind_daemon(kiln_endpoint *ep, int port, kiln_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE},
                    *ai = NULL;
    int g = getaddrinfo(ep->host, "0", &hints, &ai);
    if (g != 0 || ai == NULL)
        return kiln_error_set(err, KILN_USAGE, "cannot use host '%s': %s",
                              ep->host, gai_strerror(g));
    struct sockaddr_storage ss;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    bool ipv6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    int first = port > 0 ? port : DEFAULT_PORT;
    int last = port > 0 ? port : DEFAULT_PORT + PORT_TRIES - 1;
    for (int p = first; p <= last && ep->daemon == NULL; p++) {
        ep->port = p;
        if (ipv6)
            ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)p);
        else
            ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)p);
        ep->daemon = listen_on(ep, (const struct sockaddr *)&ss, ipv6);
    }
    if (ep->daemon != NULL)
        return KILN_OK;
    if (port > 0)
        return kiln_error_set(err, KILN_IO,
                              "cannot listen on %s:%d (in use, or not an "
                              "address of this machine)",
                              ep->host, port);
    return kiln_error_set(err, KILN_IO,
                          "cannot listen on %s: ports %d..%d are all in use",
                          ep->host, first, last);
}

static void destroy(kiln_endpoint *ep, bool own_models)
{
    for (size_t i = 0; own_models && i < ep->nmodels; i++)
        kiln_model_free(ep->models[i]);
    pthread_mutex_destroy(&ep->lock);
    pthread_cond_destroy(&ep->idle);
    free(ep->name);
    free(ep->host);
    free(ep);
}

int kiln_endpoint_start(const kiln_endpoint_opts *o, kiln_model **models,
                        size_t n, kiln_endpoint **out, kiln_error *err)
{
    if (!kiln_endpoint_name_valid(o->name))
        return kiln_error_set(err, KILN_USAGE,
                              "endpoint name '%.80s' is not valid: 1 to 63 "
                              "letters, digits and '-', starting and ending "
                              "with a letter or digit",
                              o->name ? o->name : "");
    if (n < 1 || n > MAX_MODELS)
        return kiln_error_set(err, KILN_USAGE,
                              "an endpoint serves 1 model, or a pipeline of "
                              "2 to %d; got %zu",
                              MAX_MODELS, n);
    if (o->port < 0 || o->port > 65535)
        return kiln_error_set(err, KILN_USAGE,
                              "port %d is not in 1..65535", o->port);
    if (o->workers > MAX_WORKERS)
        return kiln_error_set(err, KILN_USAGE,
                              "%u workers: at most %d", o->workers,
                              MAX_WORKERS);
    kiln_endpoint *ep = calloc(1, sizeof *ep);
    if (ep == NULL)
        return kiln_error_nomem(err);
    pthread_mutex_init(&ep->lock, NULL);
    pthread_cond_init(&ep->idle, NULL);
    ep->name = strdup(o->name);
    ep->host = strdup(o->host ? o->host : "127.0.0.1");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    ep->workers = o->workers ? o->workers
                             : cores < 1 ? 1u
                             : cores > MAX_WORKERS ? (unsigned)MAX_WORKERS
                                                   : (unsigned)cores;
    ep->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    ep->timeout = o->timeout > 0 ? o->timeout : 60.0;
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    ep->created = (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
    memcpy(ep->models, models, n * sizeof *models);
    ep->nmodels = n;
    if (ep->name == NULL || ep->host == NULL) {
        destroy(ep, false);
        return kiln_error_nomem(err);
    }
    if (!enlist(ep)) {
        destroy(ep, false);
        return kiln_error_set(err, KILN_USAGE,
                              "endpoint '%s' is already running: %%undeploy "
                              "it first, or choose another --endpoint name",
                              o->name);
    }
    int rc = bind_daemon(ep, o->port, err);
    if (rc != KILN_OK) {
        delist(ep);
        destroy(ep, false);
        return rc;
    }
    *out = ep;
    return KILN_OK;
}

void kiln_endpoint_stop(kiln_endpoint *ep)
{
    if (ep == NULL)
        return;
    pthread_mutex_lock(&ep->lock);
    ep->stopping = true;
    pthread_mutex_unlock(&ep->lock);
    delist(ep);
    MHD_stop_daemon(ep->daemon); /* joins its threads */
    pthread_mutex_lock(&ep->lock);
    while (ep->borrowed > 0)
        pthread_cond_wait(&ep->idle, &ep->lock);
    pthread_mutex_unlock(&ep->lock);
    destroy(ep, true);
}

const char *kiln_endpoint_name(const kiln_endpoint *ep) { return ep->name; }
const char *kiln_endpoint_host(const kiln_endpoint *ep) { return ep->host; }
int kiln_endpoint_port(const kiln_endpoint *ep) { return ep->port; }
unsigned kiln_endpoint_workers(const kiln_endpoint *ep) { return ep->workers; }
double kiln_endpoint_created(const kiln_endpoint *ep) { return ep->created; }

size_t kiln_endpoint_model_count(const kiln_endpoint *ep)
{
    return ep->nmodels;
}

const kiln_model *kiln_endpoint_model(const kiln_endpoint *ep, size_t i)
{
    return i < ep->nmodels ? ep->models[i] : NULL;
}

kiln_endpoint_stats kiln_endpoint_get_stats(const kiln_endpoint *ep)
{
    kiln_endpoint_stats s = {
        .requests = atomic_load(&((kiln_endpoint *)ep)->requests),
        .errors = atomic_load(&((kiln_endpoint *)ep)->errors)};
    return s;
}

kiln_endpoint *kiln_endpoint_find(const char *name)
{
    pthread_mutex_lock(&registry_lock);
    kiln_endpoint *e = registry;
    while (e != NULL && strcmp(e->name, name) != 0)
        e = e->next;
    pthread_mutex_unlock(&registry_lock);
    return e;
}

size_t kiln_endpoint_list(kiln_endpoint **out, size_t max)
{
    pthread_mutex_lock(&registry_lock);
    size_t n = 0;
    for (kiln_endpoint *e = registry; e != NULL; e = e->next)
        n++;
    /* the registry is newest first */
    size_t i = n;
    for (kiln_endpoint *e = registry; e != NULL; e = e->next) {
        i--;
        if (i < max)
            out[i] = e;
    }
    pthread_mutex_unlock(&registry_lock);
    return n;
}

void kiln_endpoint_stop_all(void)
{
    for (;;) {
        pthread_mutex_lock(&registry_lock);
        kiln_endpoint *e = registry;
        pthread_mutex_unlock(&registry_lock);
        if (e == NULL)
            return;
        kiln_endpoint_stop(e);
    }
}
