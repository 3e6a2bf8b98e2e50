/* kiln — reading job records back: describe.json with jansson,
 * metrics.csv line by line. */
#include "jobstore.h"

#include "core/buf.h"
#include "core/similar.h"
#include "core/strv.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

double kiln_jobs_parse_time(const char *iso)
{
    int y, mo, d, h, mi, s, used = 0;
    if (iso == NULL ||
        sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s,
               &used) != 6 ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return -1;
    double frac = 0;
    const char *p = iso + used;
    if (*p == '.') {
        double scale = 0.1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    return (double)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
                    h * 3600 + mi * 60 + s) +
           frac;
}

static int read_file(const char *path, char **out, kiln_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                              strerror(errno));
    kiln_buf b;
    kiln_buf_init(&b);
    char chunk[8192];
    size_t got;
    int rc = KILN_OK;
    while (rc == KILN_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = kiln_buf_append(&b, chunk, got);
    bool bad = ferror(f);
    fclose(f);
    if (rc == KILN_OK && bad)
        rc = kiln_error_set(err, KILN_IO, "cannot read %s", path);
    else if (rc != KILN_OK)
        rc = kiln_error_nomem(err);
    if (rc == KILN_OK && (*out = kiln_buf_steal(&b)) == NULL)
        rc = kiln_error_nomem(err);
    kiln_buf_fini(&b);
    return rc;
}

static char *dup_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? strdup(s) : NULL;
}

/* The algorithm of a training image "kiln/<algo>:1" (or any "<repo>/<algo>:<tag>"). */
static char *algorithm_of(json_t *d)
{
    const char *img = json_string_value(json_object_get(
        json_object_get(d, "AlgorithmSpecification"), "TrainingImage"));
    if (img == NULL)
        return strdup("");
    const char *slash = strrchr(img, '/');
    const char *start = slash ? slash + 1 : img;
    const char *colon = strchr(start, ':');
    size_t len = colon ? (size_t)(colon - start) : strlen(start);
    return strndup(start, len);
}

static void summary_fini(kiln_job_summary *s)
{
    free(s->name);
    free(s->algorithm);
    free(s->status);
    free(s->secondary);
    free(s->created);
    free(s->failure);
    free(s->artifact);
    free(s->tuning_job);
    kiln_strv_free(s->metric_names, s->nmetrics);
    free(s->metric_values);
}

static int summarise(json_t *d, kiln_job_summary *s)
{
    memset(s, 0, sizeof *s);
    s->name = dup_str(d, "TrainingJobName");
    s->algorithm = algorithm_of(d);
    s->status = dup_str(d, "TrainingJobStatus");
    s->secondary = dup_str(d, "SecondaryStatus");
    s->created = dup_str(d, "CreationTime");
    s->failure = dup_str(d, "FailureReason");
    s->artifact = dup_str(json_object_get(d, "ModelArtifacts"),
                          "S3ModelArtifacts");
    /* ARNs spell names in lower case; the name is the tuning job's
     * directory under root, which %jobs does not need to find. */
    const char *tarn = json_string_value(json_object_get(d, "TuningJobArn"));
    const char *slash = tarn ? strrchr(tarn, '/') : NULL;
    s->tuning_job = slash ? strdup(slash + 1) : NULL;
    if (s->name == NULL || s->algorithm == NULL || s->status == NULL ||
        s->created == NULL) {
        summary_fini(s);
        return KILN_DATA;
    }
    s->created_at = kiln_jobs_parse_time(s->created);
    double t0 = kiln_jobs_parse_time(
        json_string_value(json_object_get(d, "TrainingStartTime")));
    double t1 = kiln_jobs_parse_time(
        json_string_value(json_object_get(d, "TrainingEndTime")));
    s->seconds = t0 >= 0 && t1 >= t0 ? t1 - t0 : -1;
    json_t *fm = json_object_get(d, "FinalMetricDataList");
    size_t n = json_array_size(fm);
    s->metric_values = calloc(n + 1, sizeof *s->metric_values);
    if (s->metric_values == NULL) {
        summary_fini(s);
        return KILN_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_array_get(fm, i);
        const char *name = json_string_value(json_object_get(m, "MetricName"));
        json_t *v = json_object_get(m, "Value");
        if (name == NULL)
            continue;
        if (kiln_strv_push(&s->metric_names, s->nmetrics, name,
                           strlen(name)) != KILN_OK) {
            summary_fini(s);
            return KILN_NOMEM;
        }
        s->metric_values[s->nmetrics++] =
            json_is_number(v) ? json_number_value(v) : (double)NAN;
    }
    return KILN_OK;
}

static int by_newest(const void *a, const void *b)
{
    const kiln_job_summary *x = a, *y = b;
    if (x->created_at != y->created_at)
        return x->created_at < y->created_at ? 1 : -1;
    return strcmp(y->name, x->name);
}

int kiln_jobs_list(const char *root, kiln_job_summary **out, size_t *n,
                   kiln_error *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(root);
    if (d == NULL) {
        if (errno == ENOENT)
            return KILN_OK;
        return kiln_error_set(err, KILN_IO, "cannot read %s: %s", root,
                              strerror(errno));
    }
    kiln_job_summary *list = NULL;
    size_t count = 0, cap = 0;
    int rc = KILN_OK;
    struct dirent *e;
    while (rc == KILN_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s/describe.json", root,
                     e->d_name) >= (int)sizeof path)
            continue;
        json_t *j = json_load_file(path, 0, NULL);
        if (j == NULL)
            continue; /* not a job */
        if (count == cap) {
            size_t c = cap ? cap * 2 : 16;
            kiln_job_summary *l = realloc(list, c * sizeof *l);
            if (l == NULL) {
                json_decref(j);
                rc = kiln_error_nomem(err);
                break;
            }
            list = l;
            cap = c;
        }
        int r = summarise(j, &list[count]);
        json_decref(j);
        if (r == KILN_NOMEM)
            rc = kiln_error_nomem(err);
        else if (r == KILN_OK)
            count++;
    }
    closedir(d);
    if (rc != KILN_OK) {
        kiln_jobs_list_free(list, count);
        return rc;
    }
    if (count > 1)
        qsort(list, count, sizeof *list, by_newest);
    *out = list;
    *n = count;
    return KILN_OK;
}

void kiln_jobs_list_free(kiln_job_summary *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        summary_fini(&list[i]);
    free(list);
}

/* The UsageError-like KeyError for an unknown job, with close names. */
static int unknown_job(const char *root, const char *name, kiln_error *err)
{
    kiln_job_summary *list = NULL;
    size_t n = 0;
    kiln_error scratch;
    kiln_error_init(&scratch);
    kiln_jobs_list(root, &list, &n, &scratch);
    kiln_buf close;
    kiln_buf_init(&close);
    size_t found = 0;
    for (size_t i = 0; i < n; i++)
        if (kiln_similar_close(name, strlen(name), list[i].name) &&
            kiln_buf_printf(&close, "%s%s", found++ ? " or " : "",
                            list[i].name) != KILN_OK)
            break;
    if (found)
        kiln_error_set(err, KILN_KEY,
                       "no training job named %.100s in %s; did you mean "
                       "%s?",
                       name, root, kiln_buf_str(&close));
    else
        kiln_error_set(err, KILN_KEY,
                       "no training job named %.100s in %s (%%jobs lists "
                       "them)",
                       name, root);
    kiln_buf_fini(&close);
    kiln_jobs_list_free(list, n);
    return KILN_KEY;
}

int kiln_jobs_find(const char *root, const char *name, char **dir,
                   kiln_error *err)
{
    char path[4096];
    if (strchr(name, '/') != NULL || name[0] == '.' ||
        snprintf(path, sizeof path, "%s/%s/describe.json", root, name) >=
            (int)sizeof path)
        return unknown_job(root, name, err);
    struct stat st;
    if (stat(path, &st) != 0)
        return unknown_job(root, name, err);
    path[strlen(path) - strlen("/describe.json")] = '\0';
    *dir = strdup(path);
    return *dir ? KILN_OK : kiln_error_nomem(err);
}

int kiln_jobs_describe(const char *root, const char *name, char **json,
                       kiln_error *err)
{
    char *dir = NULL;
    if (kiln_jobs_find(root, name, &dir, err) != KILN_OK)
        return err->code;
    char path[4200];
    snprintf(path, sizeof path, "%s/describe.json", dir);
    free(dir);
    return read_file(path, json, err);
}

void kiln_jobs_metrics_free(kiln_metric_series *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].name);
        free(s[i].steps);
        free(s[i].values);
    }
    free(s);
}

static int push_point(kiln_metric_series *s, double step, double value)
{
    /* Grow by powers of two: n is a power of two exactly when full. */
    if (s->n == 0 || (s->n & (s->n - 1)) == 0) {
        size_t cap = s->n ? s->n * 2 : 8;
        double *st = realloc(s->steps, cap * sizeof *st);
        if (st == NULL)
            return KILN_NOMEM;
        s->steps = st;
        double *v = realloc(s->values, cap * sizeof *v);
        if (v == NULL)
            return KILN_NOMEM;
        s->values = v;
    }
    s->steps[s->n] = step;
    s->values[s->n] = value;
    s->n++;
    return KILN_OK;
}

int kiln_jobs_metrics(const char *root, const char *name,
                      kiln_metric_series **out, size_t *n, kiln_error *err)
{
    char *dir = NULL;
    if (kiln_jobs_find(root, name, &dir, err) != KILN_OK)
        return err->code;
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    free(dir);
    char *text = NULL;
    if (read_file(path, &text, err) != KILN_OK)
        return err->code;
    kiln_metric_series *list = NULL;
    size_t count = 0;
    int rc = KILN_OK;
    char *save = NULL;
    bool header = true;
    for (char *line = strtok_r(text, "\n", &save); line && rc == KILN_OK;
         line = strtok_r(NULL, "\n", &save)) {
        if (header) { /* step,metric,value,time */
            header = false;
            continue;
        }
        char *c1 = strchr(line, ',');
        char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (c2 == NULL)
            continue;
        *c1 = *c2 = '\0';
        double step = strtod(line, NULL);
        double value = strtod(c2 + 1, NULL);
        if (step < 0)
            continue; /* a final value */
        size_t i = 0;
        while (i < count && strcmp(list[i].name, c1 + 1) != 0)
            i++;
        if (i == count) {
            kiln_metric_series *l = realloc(list, (count + 1) * sizeof *l);
            if (l == NULL) {
                rc = kiln_error_nomem(err);
                break;
            }
            list = l;
            memset(&list[count], 0, sizeof list[count]);
            if ((list[count].name = strdup(c1 + 1)) == NULL) {
                rc = kiln_error_nomem(err);
                break;
            }
            count++;
        }
        if (push_point(&list[i], step, value) != KILN_OK)
            rc = kiln_error_nomem(err);
    }
    free(text);
    if (rc != KILN_OK) {
        kiln_jobs_metrics_free(list, count);
        return rc;
    }
    *out = list;
    *n = count;
    return KILN_OK;
}
