/* kiln-serve — one endpoint (endpoint.h) outside a kernel: the model of an
 * unpacked model.tar.gz served on GET /ping and POST /invocations (and the
 * Runtime path), so the same binary can be a SageMaker container's `serve`.
 *
 *   kiln-serve --model-dir DIR [--algorithm NAME] [--host H] [--port N]
 *              [--workers N] [--name NAME] [--timeout S]
 *   kiln-serve serve          as SageMaker starts a container: the model in
 *                             /opt/ml/model, every address (0.0.0.0), the
 *                             port of SAGEMAKER_BIND_TO_PORT (8080)
 *
 * Without `serve` the defaults are 127.0.0.1 and port 8080.  The
 * environment SageMaker's serving containers read is read too:
 * SAGEMAKER_BIND_TO_PORT, SAGEMAKER_MODEL_SERVER_WORKERS,
 * SAGEMAKER_MODEL_SERVER_TIMEOUT (options win over it).  The algorithm is
 * found from the files when not named (model.h).  Runs until SIGINT or
 * SIGTERM, then waits for requests in flight and exits 0.
 */
#include "endpoint.h"
#include "model.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kiln-serve [serve] [--model-dir DIR] [--algorithm NAME] "
            "[--host H]\n"
            "                  [--port N] [--workers N] [--name NAME] "
            "[--timeout S]\n");
}

/* A whole number in lo..hi from text, else -1. */
static long number(const char *text, long lo, long hi)
{
    char *end;
    long v = text ? strtol(text, &end, 10) : -1;
    return text && *text && *end == '\0' && v >= lo && v <= hi ? v : -1;
}

int main(int argc, char **argv)
{
    bool container = argc > 1 && strcmp(argv[1], "serve") == 0;
    const char *dir = container ? "/opt/ml/model" : NULL;
    const char *algorithm = NULL, *name = "kiln-serve";
    kiln_endpoint_opts o = {.host = container ? "0.0.0.0" : "127.0.0.1"};
    long port = number(getenv("SAGEMAKER_BIND_TO_PORT"), 1, 65535);
    long workers = number(getenv("SAGEMAKER_MODEL_SERVER_WORKERS"), 1, 64);
    long timeout = number(getenv("SAGEMAKER_MODEL_SERVER_TIMEOUT"), 1, 3600);
    for (int i = container ? 2 : 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (v == NULL || strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "kiln-serve: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--model-dir") == 0)
            dir = v;
        else if (strcmp(a, "--algorithm") == 0)
            algorithm = v;
        else if (strcmp(a, "--host") == 0)
            o.host = v;
        else if (strcmp(a, "--name") == 0)
            name = v;
        else if (strcmp(a, "--port") == 0 && (port = number(v, 1, 65535)) < 0)
            return fprintf(stderr, "kiln-serve: --port %s: expected 1..65535\n",
                           v), 2;
        else if (strcmp(a, "--workers") == 0 &&
                 (workers = number(v, 1, 64)) < 0)
            return fprintf(stderr, "kiln-serve: --workers %s: expected 1..64\n",
                           v), 2;
        else if (strcmp(a, "--timeout") == 0 &&
                 (timeout = number(v, 1, 3600)) < 0)
            return fprintf(stderr,
                           "kiln-serve: --timeout %s: expected 1..3600 "
                           "seconds\n",
                           v), 2;
        else if (strcmp(a, "--model-dir") && strcmp(a, "--algorithm") &&
                 strcmp(a, "--host") && strcmp(a, "--name") &&
                 strcmp(a, "--port") && strcmp(a, "--workers") &&
                 strcmp(a, "--timeout")) {
            fprintf(stderr, "kiln-serve: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (dir == NULL) {
        fprintf(stderr, "kiln-serve: --model-dir is required (or `serve`)\n");
        usage(stderr);
        return 2;
    }
    o.name = name;
    o.port = port > 0 ? (int)port : 8080;
    o.workers = workers > 0 ? (unsigned)workers : 0;
    o.timeout = timeout > 0 ? (double)timeout : 0;

    /* the signals are taken by sigwait below, on this thread only: the
     * server's threads inherit the mask */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    kiln_error err;
    kiln_error_init(&err);
    kiln_model *m = NULL;
    kiln_endpoint *ep = NULL;
    if (kiln_model_from_dir(dir, algorithm, &m, &err) != KILN_OK ||
        kiln_endpoint_start(&o, &m, 1, &ep, &err) != KILN_OK) {
        fprintf(stderr, "kiln-serve: %s\n", err.message);
        kiln_model_free(m);
        return 1;
    }
    fprintf(stderr, "kiln-serve: serving %s (%s, %s) on http://%s:%d with %u "
                    "workers\n",
            dir, m->algo->name, name, o.host, kiln_endpoint_port(ep),
            kiln_endpoint_workers(ep));
    int sig = 0;
    sigwait(&stop, &sig);
    kiln_endpoint_stop(ep);
    fprintf(stderr, "kiln-serve: stopped (%s)\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return 0;
}
