/* kiln — hosting magics: %deploy, %undeploy, %endpoints, %transform
 * (language.md).
 *
 * An endpoint runs inside the kernel (platform/endpoint.h): it keeps
 * serving while other cells run, survives re-running the %deploy cell's
 * neighbours, and stops at %undeploy or when the kernel shuts down
 * (kiln_interp_free stops them all).  Deploying a name that is already
 * running is an error that says to %undeploy it first: a cell re-run
 * does not silently replace a model clients are calling.
 */
#include "registry.h"
#include "table.h"

#include "platform/endpoint.h"
#include "platform/model.h"
#include "platform/transform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { MAX_PIPELINE = 15 };

/* The address clients use: a wildcard host is reached on loopback. */
static const char *client_host(const kiln_endpoint *ep)
{
    const char *h = kiln_endpoint_host(ep);
    return strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0 ? "127.0.0.1"
                                                             : h;
}

/* "kmeans-job (kmeans) → ..." */
static int models_text(const kiln_endpoint *ep, kiln_buf *out)
{
    int rc = KILN_OK;
    for (size_t i = 0; i < kiln_endpoint_model_count(ep) && rc == KILN_OK;
         i++) {
        const kiln_model *m = kiln_endpoint_model(ep, i);
        rc = kiln_buf_printf(out, "%s%s (%s)", i ? " \xe2\x86\x92 " : "",
                             m->name, m->algo->name);
    }
    return rc;
}

/* ---- %deploy ------------------------------------------------------------- */

static int deployed(const kiln_magic_call *call, const kiln_endpoint *ep,
                    kiln_error *err)
{
    char url[300];
    snprintf(url, sizeof url, "http://%s:%d", client_host(ep),
             kiln_endpoint_port(ep));
    kiln_buf models;
    kiln_buf_init(&models);
    int rc = models_text(ep, &models);
    char workers[16], invoke[400];
    snprintf(workers, sizeof workers, "%u", kiln_endpoint_workers(ep));
    snprintf(invoke, sizeof invoke, "%s/endpoints/%s/invocations", url,
             kiln_endpoint_name(ep));
    kiln_table *t = kiln_table_new(2, (const char *const[]){"endpoint",
                                                            kiln_endpoint_name(ep)});
    if (t == NULL)
        rc = KILN_NOMEM;
    const char *rows[][2] = {
        {"status", "InService"},
        {"models", models.data ? models.data : ""},
        {"url", url},
        {"InvokeEndpoint", invoke},
        {"container routes", "GET /ping, POST /invocations"},
        {"workers", workers},
    };
    for (size_t i = 0; rc == KILN_OK && i < sizeof rows / sizeof *rows; i++)
        rc = kiln_table_add(t, rows[i]);
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK)
        rc = b ? kiln_table_to_bundle(t, b) : KILN_NOMEM;
    kiln_table_free(t);
    kiln_buf_fini(&models);
    rc = kiln_magic_show(call, rc, b, err);
    if (rc == KILN_OK)
        kiln_sink_printf(call->sink, KILN_STDOUT,
                         "boto3: boto3.client(\"sagemaker-runtime\", "
                         "endpoint_url=\"%s\", region_name=\"us-east-1\", "
                         "aws_access_key_id=\"kiln\", "
                         "aws_secret_access_key=\"kiln\")"
                         ".invoke_endpoint(EndpointName=\"%s\", ...)\n",
                         url, kiln_endpoint_name(ep));
    return rc;
}

static int run_deploy(const kiln_magic_call *call, kiln_error *err)
{
    const kiln_args *a = call->args;
    size_t n = kiln_args_many_count(a);
    const char *root = kiln_args_str(a, "output");
    const char *model_dir = kiln_args_str(a, "model-dir");
    if (model_dir != NULL && n > 0)
        return kiln_error_set(err, KILN_USAGE,
                              "%%deploy takes training jobs or --model-dir, "
                              "not both");
    if (model_dir == NULL && n == 0)
        return kiln_error_set(err, KILN_USAGE,
                              "%%deploy needs a training job (%%jobs lists "
                              "them), several for a pipeline, or "
                              "--model-dir DIR");
    if (n > MAX_PIPELINE)
        return kiln_error_set(err, KILN_USAGE,
                              "an inference pipeline has 2 to %d models; "
                              "got %zu",
                              MAX_PIPELINE, n);
    const char *name = kiln_args_str(a, "endpoint");
    char made[64];
    if (name == NULL) {
        const char *first = model_dir ? "model" : kiln_args_many(a, 0);
        snprintf(made, sizeof made, "%.54s%s", first,
                 n > 1 ? "-pipeline" : "");
        name = made;
    }
    if (!kiln_endpoint_name_valid(name))
        return kiln_error_set(err, KILN_USAGE,
                              "endpoint name '%.80s' is not valid: 1 to 63 "
                              "letters, digits and '-', starting and ending "
                              "with a letter or digit (--endpoint NAME)",
                              name);
    if (kiln_endpoint_find(name) != NULL)
        return kiln_error_set(err, KILN_USAGE,
                              "endpoint '%s' is already running: %%undeploy "
                              "%s first, or choose another --endpoint name",
                              name, name);
    kiln_model *models[MAX_PIPELINE] = {0};
    size_t loaded = 0;
    int rc = KILN_OK;
    if (model_dir != NULL) {
        rc = kiln_model_from_dir(model_dir, kiln_args_str(a, "algorithm"),
                                 &models[0], err);
        loaded = rc == KILN_OK;
    }
    for (size_t i = 0; model_dir == NULL && i < n && rc == KILN_OK; i++) {
        rc = kiln_model_from_job(root, kiln_args_many(a, i), &models[i], err);
        loaded += rc == KILN_OK;
    }
    kiln_endpoint_opts o = {
        .name = name,
        .host = kiln_args_str(a, "host"),
        .port = (int)kiln_args_int(a, "port"),
        .workers = (unsigned)kiln_args_int(a, "workers"),
    };
    if (kiln_args_int(a, "port") < 0 || kiln_args_int(a, "port") > 65535)
        rc = kiln_error_set(err, KILN_USAGE, "--port %lld: expected 1..65535",
                            (long long)kiln_args_int(a, "port"));
    if (rc == KILN_OK && kiln_args_has(a, "workers") &&
        (kiln_args_int(a, "workers") < 1 || kiln_args_int(a, "workers") > 64))
        rc = kiln_error_set(err, KILN_USAGE, "--workers %lld: expected 1..64",
                            (long long)kiln_args_int(a, "workers"));
    kiln_endpoint *ep = NULL;
    if (rc == KILN_OK)
        rc = kiln_endpoint_start(&o, models, loaded, &ep, err);
    if (rc != KILN_OK) {
        for (size_t i = 0; i < loaded; i++)
            kiln_model_free(models[i]);
        return rc;
    }
    return deployed(call, ep, err);
}

static const kiln_arg_spec deploy_args[] = {
    {.name = "JOB", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_MANY,
     .help = "the training job whose model to serve; several make an "
             "inference pipeline, each model's response the next one's "
             "request"},
    {.name = "endpoint", .type = KILN_ARG_STR, .metavar = "NAME",
     .help = "the EndpointName (default: the job's name)"},
    {.name = "port", .type = KILN_ARG_INT, .metavar = "N",
     .help = "the port (default: the first free one from 8080)"},
    {.name = "host", .type = KILN_ARG_STR, .metavar = "ADDR",
     .def = "127.0.0.1",
     .help = "the address to listen on (0.0.0.0: every interface)"},
    {.name = "workers", .type = KILN_ARG_INT, .metavar = "N",
     .help = "threads answering requests (default: one per core)"},
    {.name = "model-dir", .type = KILN_ARG_STR, .metavar = "DIR",
     .help = "serve an unpacked model.tar.gz instead of a job's model"},
    {.name = "algorithm", .type = KILN_ARG_STR, .metavar = "ALGO",
     .help = "the algorithm of --model-dir's model (found from its files "
             "for XGBoost)"},
    {.name = "output", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT, .help = "the output root holding the jobs"},
    {0},
};

/* ---- %undeploy ------------------------------------------------------------ */

static int run_undeploy(const kiln_magic_call *call, kiln_error *err)
{
    const char *name = kiln_args_str(call->args, "NAME");
    kiln_endpoint *ep = kiln_endpoint_find(name);
    if (ep == NULL) {
        kiln_endpoint *all[64];
        size_t n = kiln_endpoint_list(all, 64);
        kiln_buf names;
        kiln_buf_init(&names);
        for (size_t i = 0; i < n && i < 64; i++)
            kiln_buf_printf(&names, "%s%s", i ? ", " : "",
                            kiln_endpoint_name(all[i]));
        int rc = kiln_error_set(err, KILN_KEY,
                                "no endpoint '%.80s' is running (%s%s)", name,
                                n ? "running: " : "none is",
                                n ? names.data : "");
        kiln_buf_fini(&names);
        return rc;
    }
    kiln_endpoint_stats s = kiln_endpoint_get_stats(ep);
    kiln_endpoint_stop(ep);
    kiln_sink_printf(call->sink, KILN_STDOUT,
                     "endpoint %s stopped after %llu invocation%s (%llu "
                     "error%s)\n",
                     name, (unsigned long long)s.requests,
                     s.requests == 1 ? "" : "s", (unsigned long long)s.errors,
                     s.errors == 1 ? "" : "s");
    return KILN_OK;
}

static const kiln_arg_spec undeploy_args[] = {
    {.name = "NAME", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "the endpoint to stop (%endpoints lists them)"},
    {0},
};

/* ---- %endpoints ----------------------------------------------------------- */

static int run_endpoints(const kiln_magic_call *call, kiln_error *err)
{
    enum { MAX_SHOWN = 256 };
    kiln_endpoint *all[MAX_SHOWN];
    size_t n = kiln_endpoint_list(all, MAX_SHOWN);
    if (n > MAX_SHOWN)
        n = MAX_SHOWN;
    kiln_bundle *b = kiln_bundle_new();
    int rc = b ? KILN_OK : KILN_NOMEM;
    if (rc == KILN_OK && n == 0) {
        rc = kiln_bundle_add_text(b, "text/plain",
                                  "no endpoints are running (%deploy JOB "
                                  "starts one)");
        return kiln_magic_show(call, rc, b, err);
    }
    kiln_table *t = kiln_table_new(
        6, (const char *const[]){"endpoint", "models", "url", "workers",
                                 "invocations", "created"});
    rc = t ? rc : KILN_NOMEM;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        kiln_buf models;
        kiln_buf_init(&models);
        rc = models_text(all[i], &models);
        char url[300], workers[16], calls[64], created[32];
        snprintf(url, sizeof url, "http://%s:%d", client_host(all[i]),
                 kiln_endpoint_port(all[i]));
        snprintf(workers, sizeof workers, "%u", kiln_endpoint_workers(all[i]));
        kiln_endpoint_stats s = kiln_endpoint_get_stats(all[i]);
        snprintf(calls, sizeof calls, "%llu (%llu errors)",
                 (unsigned long long)s.requests, (unsigned long long)s.errors);
        time_t at = (time_t)kiln_endpoint_created(all[i]);
        struct tm tm;
        gmtime_r(&at, &tm);
        strftime(created, sizeof created, "%Y-%m-%d %H:%M:%S", &tm);
        if (rc == KILN_OK)
            rc = kiln_table_add(t, (const char *const[]){
                                       kiln_endpoint_name(all[i]),
                                       models.data ? models.data : "", url,
                                       workers, calls, created});
        kiln_buf_fini(&models);
    }
    if (rc == KILN_OK)
        rc = kiln_table_to_bundle(t, b);
    kiln_table_free(t);
    return kiln_magic_show(call, rc, b, err);
}

/* ---- %transform ------------------------------------------------------------ */

/* The models of jobs args JOB..., loaded; *n of them. */
static int load_jobs(const kiln_args *a, const char *root,
                     kiln_model **models, size_t *n, kiln_error *err)
{
    size_t want = kiln_args_many_count(a);
    *n = 0;
    if (want == 0 || want > MAX_PIPELINE)
        return kiln_error_set(err, KILN_USAGE,
                              "%%transform needs a training job, or a "
                              "pipeline of 2 to %d; got %zu",
                              MAX_PIPELINE, want);
    int rc = KILN_OK;
    for (size_t i = 0; i < want && rc == KILN_OK; i++) {
        rc = kiln_model_from_job(root, kiln_args_many(a, i), &models[i], err);
        *n += rc == KILN_OK;
    }
    return rc;
}

static int run_transform(const kiln_magic_call *call, kiln_error *err)
{
    const kiln_args *a = call->args;
    const char *root = kiln_args_str(a, "root");
    kiln_model *models[MAX_PIPELINE] = {0};
    size_t n = 0;
    int rc = load_jobs(a, root, models, &n, err);
    const char *split = kiln_args_str(a, "split-type");
    kiln_split_type st = strcmp(split, "None") == 0       ? KILN_SPLIT_NONE
                         : strcmp(split, "RecordIO") == 0 ? KILN_SPLIT_RECORDIO
                                                          : KILN_SPLIT_LINE;
    const char *assemble = kiln_args_str(a, "assemble-with");
    int64_t mb = kiln_args_has(a, "max-payload") ? kiln_args_int(a, "max-payload")
                                                 : 6;
    if (rc == KILN_OK && (mb < 1 || mb > 100))
        rc = kiln_error_set(err, KILN_USAGE,
                            "--max-payload %lld: expected 1..100 (MB)",
                            (long long)mb);
    char name[64];
    if (kiln_args_has(a, "name"))
        snprintf(name, sizeof name, "%.63s", kiln_args_str(a, "name"));
    else
        snprintf(name, sizeof name, "%.40s-%lld", kiln_args_many(a, 0),
                 (long long)time(NULL));
    if (rc == KILN_OK && !kiln_endpoint_name_valid(name))
        rc = kiln_error_set(err, KILN_USAGE,
                            "transform job name '%s' is not valid: 1 to 63 "
                            "letters, digits and '-' (--name NAME)",
                            name);
    char record[4200];
    snprintf(record, sizeof record, "%s/transform-jobs/%s/describe.json",
             root, name);
    /* names are unique, as CreateTransformJob's are: a given name that
     * exists is refused, a default one gets the next free suffix */
    for (int k = 2; rc == KILN_OK && access(record, F_OK) == 0; k++) {
        if (kiln_args_has(a, "name")) {
            rc = kiln_error_set(err, KILN_USAGE,
                                "transform job '%s' exists already (%s): "
                                "choose another --name",
                                name, record);
            break;
        }
        snprintf(name, sizeof name, "%.40s-%lld-%d", kiln_args_many(a, 0),
                 (long long)time(NULL), k);
        snprintf(record, sizeof record,
                 "%s/transform-jobs/%s/describe.json", root, name);
    }
    kiln_transform_spec spec = {
        .name = name,
        .models = models,
        .nmodels = n,
        .input = kiln_args_str(a, "data"),
        .output = kiln_args_str(a, "output"),
        .record_path = record,
        .content_type = kiln_args_str(a, "content-type"),
        .accept = kiln_args_str(a, "accept"),
        .split = st,
        .single_record = strcmp(kiln_args_str(a, "strategy"), "SingleRecord") == 0,
        .assemble_line = assemble ? strcmp(assemble, "Line") == 0
                                  : st == KILN_SPLIT_LINE,
        .join_input = strcmp(kiln_args_str(a, "join-source"), "Input") == 0,
        .input_filter = kiln_args_str(a, "input-filter"),
        .output_filter = kiln_args_str(a, "output-filter"),
        .max_payload_mb = (size_t)mb,
        .cancel = call->cancel,
    };
    kiln_transform_result res;
    if (rc == KILN_OK)
        rc = kiln_transform_run(&spec, &res, err);
    for (size_t i = 0; i < n; i++)
        kiln_model_free(models[i]);
    if (rc != KILN_OK)
        return rc;
    char files[64], records[64], took[32];
    snprintf(files, sizeof files, "%zu (%zu failed)", res.files,
             res.files_failed);
    snprintf(records, sizeof records, "%zu in %zu requests", res.records,
             res.requests);
    snprintf(took, sizeof took, "%.3f s", res.seconds);
    const char *status = res.completed ? "Completed"
                         : strcmp(res.failure, "interrupted") == 0 ? "Stopped"
                                                                   : "Failed";
    kiln_table *t = kiln_table_new(2, (const char *const[]){"transform job",
                                                            name});
    rc = t ? KILN_OK : KILN_NOMEM;
    const char *rows[][2] = {
        {"status", status},    {"input files", files},
        {"records", records},  {"time", took},
        {"output", spec.output}, {"record", record},
        {"failure", res.failure},
    };
    for (size_t i = 0; rc == KILN_OK && i < sizeof rows / sizeof *rows; i++)
        if (rows[i][1][0] != '\0')
            rc = kiln_table_add(t, rows[i]);
    kiln_bundle *b = rc == KILN_OK ? kiln_bundle_new() : NULL;
    if (rc == KILN_OK)
        rc = b ? kiln_table_to_bundle(t, b) : KILN_NOMEM;
    kiln_table_free(t);
    rc = kiln_magic_show(call, rc, b, err);
    if (rc == KILN_OK && !res.completed)
        rc = kiln_error_set(err, strcmp(status, "Stopped") == 0
                                     ? KILN_INTERRUPTED
                                     : KILN_DATA,
                            "transform job %s %s: %s", name,
                            strcmp(status, "Stopped") == 0 ? "was stopped"
                                                           : "failed",
                            res.failure);
    return rc;
}

static const kiln_arg_spec transform_args[] = {
    {.name = "JOB", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_MANY | KILN_ARG_REQUIRED,
     .help = "the training job whose model transforms; several make a "
             "pipeline"},
    {.name = "data", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "PATH", .help = "the input: a file or a directory of files"},
    {.name = "output", .type = KILN_ARG_STR, .flags = KILN_ARG_REQUIRED,
     .metavar = "DIR", .help = "where <input file>.out files go"},
    {.name = "split-type", .type = KILN_ARG_CHOICE,
     .choices = "None|Line|RecordIO", .def = "Line",
     .help = "how a file is cut into records (SplitType)"},
    {.name = "strategy", .type = KILN_ARG_CHOICE,
     .choices = "MultiRecord|SingleRecord", .def = "MultiRecord",
     .help = "records a request (BatchStrategy)"},
    {.name = "max-payload", .type = KILN_ARG_INT, .metavar = "MB",
     .help = "the largest request (MaxPayloadInMB, default 6)"},
    {.name = "content-type", .type = KILN_ARG_STR, .metavar = "T",
     .help = "the input's content type (default: found from the bytes)"},
    {.name = "accept", .type = KILN_ARG_STR, .metavar = "A",
     .help = "the answers' type (default: the algorithm's)"},
    {.name = "assemble-with", .type = KILN_ARG_CHOICE, .choices = "None|Line",
     .help = "Line: a newline after every answer (default with --split-type "
             "Line)"},
    {.name = "join-source", .type = KILN_ARG_CHOICE, .choices = "None|Input",
     .def = "None", .help = "Input: each CSV output line is the input line "
                            "and its answer"},
    {.name = "input-filter", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "CSV columns sent to the model (InputFilter): \"$[1:]\" drops "
             "a label or id column"},
    {.name = "output-filter", .type = KILN_ARG_STR, .metavar = "PATH",
     .help = "CSV columns written (OutputFilter), e.g. \"$[0,-1]\""},
    {.name = "name", .type = KILN_ARG_STR, .metavar = "NAME",
     .help = "the TransformJobName (default: JOB-<time>)"},
    {.name = "root", .type = KILN_ARG_STR, .metavar = "DIR",
     .def = KILN_DEFAULT_ROOT,
     .help = "the output root holding the training jobs; the transform "
             "job's record goes to ROOT/transform-jobs/NAME"},
    {0},
};

const kiln_magic kiln_magics_deploy[] = {
    {
        .name = "deploy",
        .kinds = KILN_MAGIC_LINE,
        .args = deploy_args,
        .summary = "Start a real-time endpoint (HTTP) serving a job's model",
        .usage = "Serves the model of a completed training job (or an "
                 "inference pipeline of several) at http://127.0.0.1:PORT "
                 "with SageMaker's routes: GET /ping, POST /invocations and "
                 "POST /endpoints/NAME/invocations, which boto3's "
                 "sagemaker-runtime client calls with endpoint_url.  The "
                 "endpoint keeps serving while other cells run, until "
                 "%undeploy NAME or kernel shutdown.\n"
                 "Examples:\n"
                 "  %deploy my-xgb-job\n"
                 "  %deploy pca-job kmeans-job --endpoint clusters --port 8090",
        .run = run_deploy,
    },
    {
        .name = "undeploy",
        .kinds = KILN_MAGIC_LINE,
        .args = undeploy_args,
        .summary = "Stop a real-time endpoint",
        .run = run_undeploy,
    },
    {
        .name = "endpoints",
        .kinds = KILN_MAGIC_LINE,
        .summary = "List the running endpoints",
        .run = run_endpoints,
    },
    {
        .name = "transform",
        .kinds = KILN_MAGIC_LINE,
        .args = transform_args,
        .summary = "Run a batch transform job: a job's model over every "
                   "file of the input",
        .usage = "As SageMaker's CreateTransformJob: each input file's "
                 "records (SplitType) go to the model in requests "
                 "(BatchStrategy, MaxPayloadInMB), and the answers in "
                 "input order become OUTPUT/<file>.out, written only when "
                 "the whole file succeeded.\n"
                 "Examples:\n"
                 "  %transform my-job --data test/ --output predictions/\n"
                 "  %transform my-job --data test.csv --output out/ "
                 "--strategy SingleRecord --join-source Input --accept "
                 "text/csv",
        .run = run_transform,
    },
    {0},
};
