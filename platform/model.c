/* kiln — models ready to predict (model.h). */
#include "model.h"

#include "artifact.h"
#include "jobstore.h"
#include "tune.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void kiln_model_free(kiln_model *m)
{
    if (m == NULL)
        return;
    if (m->algo != NULL && m->algo->free != NULL && m->model != NULL)
        m->algo->free(m->model);
    free(m->name);
    free(m->source);
    free(m);
}

static int wrap(const kiln_algo *a, void *model, const char *name,
                const char *source, kiln_model **out, kiln_error *err)
{
    kiln_model *m = calloc(1, sizeof *m);
    if (m != NULL) {
        m->name = strdup(name);
        m->source = strdup(source);
    }
    if (m == NULL || m->name == NULL || m->source == NULL) {
        if (a->free != NULL)
            a->free(model);
        free(m ? m->name : NULL);
        free(m ? m->source : NULL);
        free(m);
        return kiln_error_nomem(err);
    }
    m->algo = a;
    m->model = model;
    *out = m;
    return KILN_OK;
}

static bool is_file(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The algorithm of a model directory without a name given. */
static const kiln_algo *detect(const char *dir, kiln_error *err)
{
    if (is_file(dir, "xgboost-model"))
        return kiln_algo_find("xgboost", 7);
    if (is_file(dir, "model_algo-1")) {
        kiln_error_set(err, KILN_USAGE,
                       "%s holds model_algo-1, a first-party algorithm's "
                       "model: name the algorithm (linear-learner, kmeans "
                       "or pca)",
                       dir);
        return NULL;
    }
    /* SageMaker's XGBoost loads any single file of the directory */
    DIR *d = opendir(dir);
    if (d == NULL) {
        kiln_error_set(err, KILN_IO, "cannot open model directory %s", dir);
        return NULL;
    }
    size_t files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        files += e->d_name[0] != '.' && is_file(dir, e->d_name);
    closedir(d);
    if (files == 1)
        return kiln_algo_find("xgboost", 7);
    kiln_error_set(err, KILN_USAGE,
                   "cannot tell the algorithm of the model in %s (no "
                   "xgboost-model or model_algo-1): name the algorithm",
                   dir);
    return NULL;
}

static const char *last_component(const char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *p = path + n;
    while (p > path && p[-1] != '/')
        p--;
    return p;
}

int kiln_model_from_dir(const char *dir, const char *algorithm,
                        kiln_model **out, kiln_error *err)
{
    const kiln_algo *a = algorithm != NULL
                             ? kiln_algo_find(algorithm, strlen(algorithm))
                             : detect(dir, err);
    if (algorithm != NULL && a == NULL)
        return kiln_algo_unknown(algorithm, err);
    if (a == NULL)
        return err->code;
    void *model = NULL;
    int rc = a->load(dir, &model, err);
    if (rc != KILN_OK)
        return rc;
    return wrap(a, model, last_component(dir), dir, out, err);
}

int kiln_model_from_job(const char *root, const char *job, kiln_model **out,
                        kiln_error *err)
{
    char *dir = NULL, *best = NULL;
    int rc = kiln_jobs_find(root, job, &dir, err);
    if (rc == KILN_KEY) {
        /* A tuning job's name stands for its best training job, as the
         * SDK's tuner.deploy() does. */
        kiln_error terr;
        kiln_error_init(&terr);
        int trc = kiln_tuning_best_job(root, job, &best, &terr);
        if (trc == KILN_OK) {
            job = best;
            kiln_error_init(err);
            rc = kiln_jobs_find(root, job, &dir, err);
        } else if (trc != KILN_KEY) {
            *err = terr;
            rc = trc;
        }
    }
    if (rc != KILN_OK) {
        free(best);
        return rc;
    }
    free(dir);
    kiln_job_summary *list = NULL;
    size_t n = 0;
    rc = kiln_jobs_list(root, &list, &n, err);
    const kiln_job_summary *s = NULL;
    for (size_t i = 0; rc == KILN_OK && i < n; i++)
        if (strcmp(list[i].name, job) == 0)
            s = &list[i];
    const kiln_algo *a = NULL;
    if (rc == KILN_OK && s == NULL)
        rc = kiln_error_set(err, KILN_KEY, "no training job '%s'", job);
    else if (rc == KILN_OK && strcmp(s->status, "Completed") != 0)
        rc = kiln_error_set(err, KILN_USAGE,
                            "training job '%s' is %s, not Completed: it has "
                            "no model",
                            job, s->status);
    else if (rc == KILN_OK &&
             (a = kiln_algo_find(s->algorithm, strlen(s->algorithm))) == NULL)
        rc = kiln_algo_unknown(s->algorithm, err);
    else if (rc == KILN_OK && s->artifact == NULL)
        rc = kiln_error_set(err, KILN_DATA,
                            "training job '%s' records no model artifact",
                            job);
    char tmp[4096];
    bool made = false;
    const char *artifact = NULL;
    if (rc == KILN_OK) {
        artifact = strncmp(s->artifact, "file://", 7) == 0 ? s->artifact + 7
                                                             : s->artifact;
        const char *t = getenv("TMPDIR");
        rc = kiln_artifact_tempdir(t != NULL && t[0] != '\0' ? t : "/tmp",
                                   "kiln-model-", tmp, sizeof tmp, err);
        made = rc == KILN_OK;
    }
    if (rc == KILN_OK)
        rc = kiln_artifact_unpack(artifact, tmp, err);
    void *model = NULL;
    if (rc == KILN_OK)
        rc = a->load(tmp, &model, err);
    if (made)
        kiln_artifact_rmtree(tmp);
    if (rc == KILN_OK)
        rc = wrap(a, model, job, artifact, out, err);
    kiln_jobs_list_free(list, n);
    free(best);
    return rc;
}

int kiln_model_invoke(kiln_model *const *models, size_t n,
                      const char *content_type, const char *accept,
                      const void *body, size_t len, kiln_buf *out,
                      kiln_media *type, kiln_infer_error *e)
{
    kiln_buf hop[2];
    kiln_buf_init(&hop[0]);
    kiln_buf_init(&hop[1]);
    const void *in = body;
    size_t in_len = len;
    const char *ct = content_type;
    int rc = KILN_OK;
    for (size_t i = 0; i < n && rc == KILN_OK; i++) {
        bool last = i + 1 == n;
        kiln_buf *to = last ? out : &hop[i % 2];
        to->len = last ? to->len : 0;
        rc = kiln_infer_invoke(models[i]->algo, models[i]->model, ct,
                               last ? accept : "text/csv", in, in_len, to,
                               type, e);
        if (rc != KILN_OK && n > 1)
            kiln_error_prefix(&e->err, "model %zu of %zu (%s, %s)", i + 1, n,
                              models[i]->name, models[i]->algo->name);
        in = to->data;
        in_len = to->len;
        ct = "text/csv";
    }
    kiln_buf_fini(&hop[0]);
    kiln_buf_fini(&hop[1]);
    return rc;
}
