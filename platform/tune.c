/* kiln — tuning jobs run in-process (tune.h): the definition's checks, the
 * scheduler that hands points to the worker threads, the stopping rules
 * applied as jobs report, and the tuning job's record. */
#include "tune.h"

#include "artifact.h"
#include "job_record.h"
#include "tune_bayes.h"
#include "tune_rules.h"

#include "jobstore.h"

#include "algos/hparams.h"

#include "core/buf.h"
#include "core/strv.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HYPERBAND_ETA 3.0
#define UPDATE_EVERY 0.25 /* seconds between events->update */
#define POLL_MS 100       /* the scheduler's wake-up for interrupts */
#define MAX_HPARAMS 100   /* static + tuned + _tuning_objective_metric */

/* Per-trial state only the scheduler (under the lock) touches. */
typedef struct trial_state {
    double coords[KILN_TUNE_MAX_RANGES]; /* unit cube */
    double *curve;                        /* objective by step, NaN gaps */
    size_t ncurve, cap;
    kiln_cancel cancel;                   /* this job's own flag */
    double created;
} trial_state;

struct kiln_tuning {
    /* the definition */
    const kiln_algo *algo;
    char name[KILN_TUNE_NAME_MAX + 1];
    char *root, *dir;
    const kiln_space *space;
    char *objective;
    bool maximize;
    kiln_tune_strategy strategy;
    size_t max_jobs, max_parallel;
    bool early_stopping;
    uint64_t seed;
    double min_resource, max_resource;
    const char *resource_hp; /* Hyperband's, static */
    kiln_warm_start warm;
    char **parents;
    size_t nparents;
    char **static_names, **static_values; /* with _tuning_objective_metric */
    size_t nstatic;
    kiln_job_spec job_template; /* channels, algo, root, threads */
    kiln_channel_cache *cache;  /* the channels, read once */
    double created;

    /* the run, under lock */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    uint64_t rng;
    size_t next, running;
    bool stopping;
    bool dirty;
    kiln_tune_trial *trials; /* max_jobs */
    trial_state *state;      /* max_jobs */
    kiln_hyperband_plan plan;
    size_t *bracket_of;      /* Hyperband: the bracket of job i */
    double *warm_x, *warm_y; /* parents' observations */
    size_t nwarm;
    json_t *parent_best;     /* the parents' best summary (Identical) */
    double parent_best_value;

    /* what the accessors show: a copy the calling thread refreshes */
    kiln_tune_trial *shown;
    size_t nshown;
    const char *status; /* static */
    char failure[1025];
    double end;
    const kiln_tune_events *events;
    kiln_cancel *cancel;
};

/* ---- names ----------------------------------------------------------------- */

bool kiln_tuning_name_valid(const char *name)
{
    return kiln__name_valid(name, KILN_TUNE_NAME_MAX);
}

static const char *const STRATEGIES[] = {"Bayesian", "Random", "Grid",
                                         "Hyperband"};

const char *kiln_tune_strategy_name(kiln_tune_strategy s)
{
    return (unsigned)s < 4 ? STRATEGIES[s] : "Bayesian";
}

int kiln_tune_strategy_parse(const char *word)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(word, STRATEGIES[i]) == 0)
            return i;
    return -1;
}

/* ---- the definition's checks ------------------------------------------------ */

static const kiln_metric_def *find_metric(const kiln_algo *a, const char *name)
{
    for (const kiln_metric_def *m = a->metrics; m && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return m;
    return NULL;
}

static int check_objective(const kiln_tune_spec *spec, kiln_error *err)
{
    const kiln_algo *a = spec->algo;
    if (a->metrics == NULL || a->metrics[0].name == NULL)
        return kiln_error_set(err, KILN_USAGE,
                              "%s emits no metric a tuning job could "
                              "optimise",
                              a->name);
    if (spec->objective == NULL || find_metric(a, spec->objective) == NULL) {
        kiln_buf names;
        kiln_buf_init(&names);
        for (const kiln_metric_def *m = a->metrics; m->name; m++)
            if (!strstr(m->name, ":progress") && !strstr(m->name, ":throughput"))
                kiln_buf_printf(&names, "%s%s", names.len ? ", " : "",
                                m->name);
        kiln_error_set(err, KILN_USAGE,
                       "%s does not emit the objective metric '%.100s'; its "
                       "metrics are %.700s",
                       a->name, spec->objective ? spec->objective : "",
                       kiln_buf_str(&names));
        kiln_buf_fini(&names);
        return err->code;
    }
    /* validation:auc is computed on the validation channel. */
    const char *colon = strchr(spec->objective, ':');
    size_t len = colon ? (size_t)(colon - spec->objective) : 0;
    if (len > 0 && strncmp(spec->objective, "train", len) != 0) {
        bool have = false;
        for (size_t i = 0; i < spec->nchannels; i++)
            if (strlen(spec->channels[i].name) == len &&
                strncmp(spec->channels[i].name, spec->objective, len) == 0)
                have = true;
        if (!have)
            return kiln_error_set(err, KILN_USAGE,
                                  "the objective %s is computed on the %.*s "
                                  "channel; give --%.*s PATH",
                                  spec->objective, (int)len, spec->objective,
                                  (int)len, spec->objective);
    }
    return KILN_OK;
}

static const char *const RESOURCE_HPS[] = {
    "epochs", "num_epochs", "numepochs", "n_epochs", "n-epochs", "num_round",
    NULL};

static int check_limits(const kiln_tune_spec *spec, kiln_error *err)
{
    const kiln_space *s = spec->space;
    if (s == NULL || s->n == 0)
        return kiln_error_set(err, KILN_USAGE,
                              "a tuning job needs at least one range: a body "
                              "line such as 'eta = continuous(0.1, 0.5)'");
    if (spec->max_parallel < 1 || spec->max_parallel > KILN_TUNE_MAX_PARALLEL)
        return kiln_error_set(err, KILN_USAGE,
                              "--max-parallel must be 1 to %d, got %zu",
                              KILN_TUNE_MAX_PARALLEL, spec->max_parallel);
    size_t limit = spec->strategy == KILN_TUNE_RANDOM ? KILN_TUNE_MAX_JOBS : 750;
    if (spec->strategy == KILN_TUNE_GRID) {
        for (size_t i = 0; i < s->n; i++)
            if (s->ranges[i].kind != KILN_RANGE_CATEGORICAL)
                return kiln_error_set(err, KILN_USAGE,
                                      "the Grid strategy takes categorical "
                                      "ranges only; '%s' is %s",
                                      s->ranges[i].name,
                                      s->ranges[i].kind == KILN_RANGE_INTEGER
                                          ? "an integer range"
                                          : "a continuous range");
        size_t n = kiln_space_grid_size(s, 750);
        if (n == 0)
            return kiln_error_set(err, KILN_USAGE,
                                  "the grid has more than 750 combinations "
                                  "(SageMaker's limit); take fewer values");
        if (spec->max_jobs != 0 && spec->max_jobs != n)
            return kiln_error_set(err, KILN_USAGE,
                                  "the Grid strategy runs every combination: "
                                  "%zu jobs, but --max-jobs is %zu (leave it "
                                  "out, or give %zu)",
                                  n, spec->max_jobs, n);
    } else if (spec->max_jobs < 1 || spec->max_jobs > limit) {
        return kiln_error_set(err, KILN_USAGE,
                              "--max-jobs must be 1 to %zu for the %s "
                              "strategy, got %zu",
                              limit, kiln_tune_strategy_name(spec->strategy),
                              spec->max_jobs);
    }
    if (spec->nstatic + s->n + 1 > MAX_HPARAMS)
        return kiln_error_set(err, KILN_USAGE,
                              "%zu static and %zu tuned hyperparameters with "
                              "_tuning_objective_metric exceed SageMaker's "
                              "limit of %d",
                              spec->nstatic, s->n, MAX_HPARAMS);
    for (size_t i = 0; i < spec->nstatic; i++) {
        for (size_t r = 0; r < s->n; r++)
            if (strcmp(spec->static_names[i], s->ranges[r].name) == 0)
                return kiln_error_set(err, KILN_USAGE,
                                      "'%s' is given both as a static value "
                                      "and as a range",
                                      s->ranges[r].name);
        if (strcmp(spec->static_names[i], "_tuning_objective_metric") == 0)
            return kiln_error_set(err, KILN_USAGE,
                                  "_tuning_objective_metric is set by the "
                                  "tuning job (--objective)");
    }
    if (spec->strategy == KILN_TUNE_HYPERBAND && spec->early_stopping)
        return kiln_error_set(err, KILN_USAGE,
                              "the Hyperband strategy stops jobs itself: "
                              "training job early stopping must be Off");
    if (spec->nparents > KILN_TUNE_MAX_PARENTS)
        return kiln_error_set(err, KILN_USAGE,
                              "a warm start takes at most %d parent tuning "
                              "jobs, got %zu",
                              KILN_TUNE_MAX_PARENTS, spec->nparents);
    if (spec->nparents > 0 && spec->warm_start == KILN_WARM_NONE)
        return kiln_error_set(err, KILN_USAGE,
                              "parent tuning jobs need a warm start type");
    if (spec->nparents == 0 && spec->warm_start != KILN_WARM_NONE)
        return kiln_error_set(err, KILN_USAGE,
                              "a warm start needs a parent tuning job "
                              "(--warm-start NAME)");
    return KILN_OK;
}

/* Hyperband's resource: the hyperparameter (epochs, num_round ...) and
 * the min..max it ranges over. */
static int check_resource(const kiln_tune_spec *spec, kiln_tuning *t,
                          kiln_error *err)
{
    const char *hp = NULL;
    for (size_t i = 0; RESOURCE_HPS[i] && !hp; i++)
        if (kiln_algo_hparam(spec->algo, RESOURCE_HPS[i]))
            hp = RESOURCE_HPS[i];
    if (hp == NULL)
        return kiln_error_set(err, KILN_USAGE,
                              "the Hyperband strategy needs an iterative "
                              "algorithm with an epochs or num_round "
                              "hyperparameter; %s has none",
                              spec->algo->name);
    for (size_t r = 0; r < spec->space->n; r++)
        if (strcmp(spec->space->ranges[r].name, hp) == 0)
            return kiln_error_set(err, KILN_USAGE,
                                  "%s is Hyperband's resource: it cannot be "
                                  "a tuned range",
                                  hp);
    double max = spec->max_resource;
    for (size_t i = 0; i < spec->nstatic && max <= 0; i++)
        if (strcmp(spec->static_names[i], hp) == 0)
            max = strtod(spec->static_values[i], NULL);
    double min = spec->min_resource > 0 ? spec->min_resource : 1;
    if (!(max >= 1))
        return kiln_error_set(err, KILN_USAGE,
                              "the Hyperband strategy needs its maximum "
                              "resource: --max-resource N or a static %s",
                              hp);
    if (max > 20000 || min > max || min != floor(min) || max != floor(max))
        return kiln_error_set(err, KILN_USAGE,
                              "Hyperband's resources must be whole numbers "
                              "with 1 <= --min-resource <= --max-resource <= "
                              "20000, got %g and %g",
                              min, max);
    t->resource_hp = hp;
    t->min_resource = min;
    t->max_resource = max;
    kiln_hyperband_plan_make(min, max, HYPERBAND_ETA, &t->plan);
    return KILN_OK;
}

/* The static hyperparameters each job gets: the spec's (Hyperband's
 * resource set to its maximum) and _tuning_objective_metric. */
static int make_statics(const kiln_tune_spec *spec, kiln_tuning *t,
                        kiln_error *err)
{
    bool have_resource = false;
    for (size_t i = 0; i < spec->nstatic; i++) {
        const char *v = spec->static_values[i];
        char num[32];
        if (t->resource_hp && strcmp(spec->static_names[i], t->resource_hp) == 0) {
            snprintf(num, sizeof num, "%.0f", t->max_resource);
            v = num;
            have_resource = true;
        }
        if (kiln_strv_push(&t->static_names, t->nstatic, spec->static_names[i],
                           strlen(spec->static_names[i])) != KILN_OK)
            return kiln_error_nomem(err);
        if (kiln_strv_push(&t->static_values, t->nstatic, v, strlen(v)) !=
            KILN_OK) {
            free(t->static_names[t->nstatic]);
            return kiln_error_nomem(err);
        }
        t->nstatic++;
    }
    const char *extra[2][2] = {{"_tuning_objective_metric", t->objective},
                               {t->resource_hp, NULL}};
    char num[32];
    snprintf(num, sizeof num, "%.0f", t->max_resource);
    extra[1][1] = num;
    for (size_t e = 0; e < (t->resource_hp && !have_resource ? 2u : 1u); e++) {
        if (kiln_strv_push(&t->static_names, t->nstatic, extra[e][0],
                           strlen(extra[e][0])) != KILN_OK)
            return kiln_error_nomem(err);
        if (kiln_strv_push(&t->static_values, t->nstatic, extra[e][1],
                           strlen(extra[e][1])) != KILN_OK) {
            free(t->static_names[t->nstatic]);
            return kiln_error_nomem(err);
        }
        t->nstatic++;
    }
    return KILN_OK;
}

/* A job's hyperparameters: the statics and the tuned values as text. */
typedef struct hp_set {
    const char *names[MAX_HPARAMS + 2];
    const char *values[MAX_HPARAMS + 2];
    char text[KILN_TUNE_MAX_RANGES][64];
    size_t n;
} hp_set;

static void hp_set_make(const kiln_tuning *t, const double *values,
                        hp_set *h)
{
    h->n = 0;
    for (size_t i = 0; i < t->nstatic; i++) {
        h->names[h->n] = t->static_names[i];
        h->values[h->n++] = t->static_values[i];
    }
    for (size_t r = 0; r < t->space->n; r++) {
        const kiln_param_range *pr = &t->space->ranges[r];
        kiln_range_text(pr, values[r], h->text[r], sizeof h->text[r]);
        h->names[h->n] = pr->name;
        h->values[h->n++] = h->text[r];
    }
}

static int check_point(const kiln_tuning *t, const double *values,
                       kiln_error *err)
{
    hp_set h;
    hp_set_make(t, values, &h);
    kiln_hparams *hp = NULL;
    int rc = kiln_hparams_parse(t->algo, h.names, h.values, h.n, &hp, err);
    if (rc == KILN_OK && t->algo->check)
        rc = t->algo->check(hp, err);
    kiln_hparams_free(hp);
    return rc;
}

/* The hyperparameters at the middle of every range, and with each value
 * of every categorical range, must pass the algorithm's checks, so that a
 * definition it rejects fails before any job. */
static int check_hparams(const kiln_tuning *t, kiln_error *err)
{
    double values[KILN_TUNE_MAX_RANGES];
    for (size_t r = 0; r < t->space->n; r++)
        values[r] = kiln_range_at(&t->space->ranges[r], 0.5);
    int rc = check_point(t, values, err);
    for (size_t r = 0; rc == KILN_OK && r < t->space->n; r++) {
        const kiln_param_range *g = &t->space->ranges[r];
        double mid = values[r];
        for (size_t k = 0; rc == KILN_OK && g->kind == KILN_RANGE_CATEGORICAL &&
                           k < g->nvalues;
             k++) {
            values[r] = (double)k;
            rc = check_point(t, values, err);
        }
        values[r] = mid;
    }
    return rc;
}

/* ---- the record ------------------------------------------------------------ */

static const char *objective_status(const kiln_tune_trial *tr)
{
    if (isfinite(tr->objective))
        return "Succeeded";
    if (strcmp(tr->status, "Pending") == 0 ||
        strcmp(tr->status, "InProgress") == 0)
        return "Pending";
    return "Failed";
}

/* A HyperParameterTrainingJobSummary. */
static json_t *summary(const kiln_tuning *t, const kiln_tune_trial *tr)
{
    json_t *o = json_object();
    json_object_set_new(o, "TrainingJobName", json_string(tr->name));
    json_object_set_new(o, "TrainingJobArn", kiln__arn("training-job", tr->name));
    json_object_set_new(o, "TuningJobName", json_string(t->name));
    json_object_set_new(o, "CreationTime", kiln__iso_json(tr->start));
    json_object_set_new(o, "TrainingStartTime", kiln__iso_json(tr->start));
    if (tr->end > 0)
        json_object_set_new(o, "TrainingEndTime", kiln__iso_json(tr->end));
    json_object_set_new(o, "TrainingJobStatus", json_string(tr->status));
    json_t *tuned = json_object();
    for (size_t r = 0; r < t->space->n; r++) {
        char text[64];
        kiln_range_text(&t->space->ranges[r], tr->values[r], text, sizeof text);
        json_object_set_new(tuned, t->space->ranges[r].name, json_string(text));
    }
    json_object_set_new(o, "TunedHyperParameters", tuned);
    if (tr->failure[0])
        json_object_set_new(o, "FailureReason", json_string(tr->failure));
    if (isfinite(tr->objective)) {
        json_t *m = json_object();
        json_object_set_new(m, "Type", json_string(t->maximize ? "Maximize"
                                                               : "Minimize"));
        json_object_set_new(m, "MetricName", json_string(t->objective));
        json_object_set_new(m, "Value", json_real(tr->objective));
        json_object_set_new(o, "FinalHyperParameterTuningJobObjectiveMetric",
                            m);
    }
    json_object_set_new(o, "ObjectiveStatus",
                        json_string(objective_status(tr)));
    return o;
}

static bool better(const kiln_tuning *t, double a, double b)
{
    return t->maximize ? a > b : a < b;
}

static long best_of(const kiln_tuning *t, const kiln_tune_trial *trials,
                    size_t n)
{
    long best = -1;
    for (size_t i = 0; i < n; i++)
        if (strcmp(trials[i].status, "Completed") == 0 &&
            isfinite(trials[i].objective) &&
            (best < 0 || better(t, trials[i].objective,
                                trials[best].objective)))
            best = (long)i;
    return best;
}

static json_t *ranges_json(const kiln_space *s)
{
    json_t *pr = json_object(), *cont = json_array(), *ints = json_array(),
           *cats = json_array();
    for (size_t r = 0; r < s->n; r++) {
        const kiln_param_range *g = &s->ranges[r];
        json_t *o = json_object();
        json_object_set_new(o, "Name", json_string(g->name));
        if (g->kind == KILN_RANGE_CATEGORICAL) {
            json_t *v = json_array();
            for (size_t k = 0; k < g->nvalues; k++)
                json_array_append_new(v, json_string(g->values[k]));
            json_object_set_new(o, "Values", v);
            json_array_append_new(cats, o);
            continue;
        }
        char lo[64], hi[64];
        kiln_range_text(g, g->lo, lo, sizeof lo);
        kiln_range_text(g, g->hi, hi, sizeof hi);
        json_object_set_new(o, "MinValue", json_string(lo));
        json_object_set_new(o, "MaxValue", json_string(hi));
        json_object_set_new(o, "ScalingType",
                            json_string(kiln_scaling_name(g->scaling)));
        json_array_append_new(g->kind == KILN_RANGE_INTEGER ? ints : cont, o);
    }
    json_object_set_new(pr, "IntegerParameterRanges", ints);
    json_object_set_new(pr, "ContinuousParameterRanges", cont);
    json_object_set_new(pr, "CategoricalParameterRanges", cats);
    return pr;
}

static json_t *definition_json(const kiln_tuning *t)
{
    json_t *d = json_object();
    json_t *st = json_object();
    for (size_t i = 0; i < t->nstatic; i++)
        json_object_set_new(st, t->static_names[i],
                            json_string(t->static_values[i]));
    json_object_set_new(d, "StaticHyperParameters", st);
    json_t *alg = json_object();
    char image[128];
    snprintf(image, sizeof image, "kiln/%s:1", t->algo->name);
    json_object_set_new(alg, "TrainingImage", json_string(image));
    json_object_set_new(alg, "TrainingInputMode", json_string("File"));
    json_t *defs = json_array();
    for (const kiln_metric_def *m = t->algo->metrics; m && m->name; m++) {
        json_t *o = json_object();
        json_object_set_new(o, "Name", json_string(m->name));
        json_object_set_new(o, "Regex", json_string(m->regex));
        json_array_append_new(defs, o);
    }
    json_object_set_new(alg, "MetricDefinitions", defs);
    json_object_set_new(d, "AlgorithmSpecification", alg);
    json_object_set_new(d, "RoleArn",
                        json_string("arn:aws:iam::000000000000:role/kiln-local"));
    json_t *inputs = json_array();
    for (size_t i = 0; i < t->job_template.nchannels; i++) {
        const kiln_channel_spec *c = &t->job_template.channels[i];
        char *path = kiln__absolute(c->path);
        json_array_append_new(inputs, kiln__channel_json(
                                          c->name, path ? path : c->path,
                                          c->content_type));
        free(path);
    }
    json_object_set_new(d, "InputDataConfig", inputs);
    kiln__job_config_json(d, t->root);
    return d;
}

static json_t *describe(const kiln_tuning *t, const kiln_tune_trial *trials,
                        size_t n)
{
    json_t *d = json_object();
    json_object_set_new(d, "HyperParameterTuningJobName", json_string(t->name));
    json_object_set_new(d, "HyperParameterTuningJobArn",
                        kiln__arn("hyper-parameter-tuning-job", t->name));
    json_t *cfg = json_object();
    json_object_set_new(cfg, "Strategy",
                        json_string(kiln_tune_strategy_name(t->strategy)));
    if (t->strategy == KILN_TUNE_HYPERBAND) {
        json_t *hb = json_object(), *sc = json_object();
        json_object_set_new(hb, "MinResource",
                            json_integer((json_int_t)t->min_resource));
        json_object_set_new(hb, "MaxResource",
                            json_integer((json_int_t)t->max_resource));
        json_object_set_new(sc, "HyperbandStrategyConfig", hb);
        json_object_set_new(cfg, "StrategyConfig", sc);
    }
    json_t *obj = json_object();
    json_object_set_new(obj, "Type",
                        json_string(t->maximize ? "Maximize" : "Minimize"));
    json_object_set_new(obj, "MetricName", json_string(t->objective));
    json_object_set_new(cfg, "HyperParameterTuningJobObjective", obj);
    json_t *lim = json_object();
    json_object_set_new(lim, "MaxNumberOfTrainingJobs",
                        json_integer((json_int_t)t->max_jobs));
    json_object_set_new(lim, "MaxParallelTrainingJobs",
                        json_integer((json_int_t)t->max_parallel));
    json_object_set_new(cfg, "ResourceLimits", lim);
    json_object_set_new(cfg, "ParameterRanges", ranges_json(t->space));
    json_object_set_new(cfg, "TrainingJobEarlyStoppingType",
                        json_string(t->early_stopping ? "Auto" : "Off"));
    json_object_set_new(cfg, "RandomSeed", json_integer((json_int_t)t->seed));
    json_object_set_new(d, "HyperParameterTuningJobConfig", cfg);
    json_object_set_new(d, "TrainingJobDefinition", definition_json(t));
    if (t->warm != KILN_WARM_NONE) {
        json_t *w = json_object(), *ps = json_array();
        for (size_t i = 0; i < t->nparents; i++) {
            json_t *p = json_object();
            json_object_set_new(p, "HyperParameterTuningJobName",
                                json_string(t->parents[i]));
            json_array_append_new(ps, p);
        }
        json_object_set_new(w, "ParentHyperParameterTuningJobs", ps);
        json_object_set_new(w, "WarmStartType",
                            json_string(t->warm == KILN_WARM_IDENTICAL
                                            ? "IdenticalDataAndAlgorithm"
                                            : "TransferLearning"));
        json_object_set_new(d, "WarmStartConfig", w);
    }
    json_object_set_new(d, "HyperParameterTuningJobStatus",
                        json_string(t->status));
    json_object_set_new(d, "CreationTime", kiln__iso_json(t->created));
    if (t->end > 0)
        json_object_set_new(d, "HyperParameterTuningEndTime", kiln__iso_json(t->end));
    json_object_set_new(d, "LastModifiedTime", kiln__iso_json(kiln__wall_now()));
    size_t completed = 0, running = 0, failed = 0, stopped = 0;
    size_t succeeded = 0, pending = 0, ofailed = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = trials[i].status;
        if (strcmp(s, "Pending") == 0)
            continue;
        completed += strcmp(s, "Completed") == 0;
        running += strcmp(s, "InProgress") == 0;
        failed += strcmp(s, "Failed") == 0;
        stopped += strcmp(s, "Stopped") == 0;
        const char *os = objective_status(&trials[i]);
        succeeded += strcmp(os, "Succeeded") == 0;
        pending += strcmp(os, "Pending") == 0;
        ofailed += strcmp(os, "Failed") == 0;
    }
    json_t *c = json_object();
    json_object_set_new(c, "Completed", json_integer((json_int_t)completed));
    json_object_set_new(c, "InProgress", json_integer((json_int_t)running));
    json_object_set_new(c, "RetryableError", json_integer(0));
    json_object_set_new(c, "NonRetryableError", json_integer((json_int_t)failed));
    json_object_set_new(c, "Stopped", json_integer((json_int_t)stopped));
    json_object_set_new(d, "TrainingJobStatusCounters", c);
    json_t *oc = json_object();
    json_object_set_new(oc, "Succeeded", json_integer((json_int_t)succeeded));
    json_object_set_new(oc, "Pending", json_integer((json_int_t)pending));
    json_object_set_new(oc, "Failed", json_integer((json_int_t)ofailed));
    json_object_set_new(d, "ObjectiveStatusCounters", oc);
    long best = best_of(t, trials, n);
    if (best >= 0)
        json_object_set_new(d, "BestTrainingJob", summary(t, &trials[best]));
    if (t->warm == KILN_WARM_IDENTICAL) {
        json_t *overall = NULL;
        if (best >= 0 && (t->parent_best == NULL ||
                          !better(t, t->parent_best_value,
                                  trials[best].objective)))
            overall = summary(t, &trials[best]);
        else if (t->parent_best != NULL)
            overall = json_incref(t->parent_best);
        if (overall)
            json_object_set_new(d, "OverallBestTrainingJob", overall);
    }
    if (t->failure[0])
        json_object_set_new(d, "FailureReason", json_string(t->failure));
    /* How many jobs since the best one improved on it by 1 % (SageMaker's
     * BestObjectiveNotImproving measure). */
    size_t not_improving = 0;
    double ref = NAN;
    for (size_t i = 0; i < n; i++) {
        double v = trials[i].objective;
        if (!isfinite(v))
            continue;
        if (!isfinite(ref) ||
            (t->maximize ? v > ref + 0.01 * fabs(ref) : v < ref - 0.01 * fabs(ref))) {
            ref = v;
            not_improving = 0;
        } else {
            not_improving++;
        }
    }
    json_t *cd = json_object();
    json_object_set_new(cd, "NumberOfTrainingJobsObjectiveNotImproving",
                        json_integer((json_int_t)not_improving));
    json_object_set_new(d, "TuningJobCompletionDetails", cd);
    json_t *cr = json_object();
    json_object_set_new(cr, "RuntimeInSeconds",
                        json_integer((json_int_t)ceil(
                            (t->end > 0 ? t->end : kiln__wall_now()) - t->created)));
    json_object_set_new(d, "ConsumedResources", cr);
    return d;
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4400], tmp[4500];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return;
    bool ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0)
        unlink(tmp);
}

static void write_json(const char *dir, const char *name, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17))
                   : NULL;
    if (text != NULL) {
        size_t len = strlen(text);
        char *nl = realloc(text, len + 2);
        if (nl != NULL) {
            text = nl;
            text[len] = '\n';
            text[len + 1] = '\0';
        }
        write_file(dir, name, text);
    }
    free(text);
    json_decref(j);
}

/* A CSV field, quoted when it needs to be. */
static void csv_field(kiln_buf *b, const char *s, bool last)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        kiln_buf_printf(b, "%s", s);
    } else {
        kiln_buf_printf(b, "\"");
        for (const char *p = s; *p; p++)
            kiln_buf_printf(b, *p == '"' ? "\"\"" : "%c", *p);
        kiln_buf_printf(b, "\"");
    }
    kiln_buf_printf(b, last ? "\n" : ",");
}

/* The SDK's HyperparameterTuningJobAnalytics dataframe as CSV. */
static void write_analytics(const kiln_tuning *t, const kiln_tune_trial *trials,
                            size_t n)
{
    kiln_buf b;
    kiln_buf_init(&b);
    for (size_t r = 0; r < t->space->n; r++)
        csv_field(&b, t->space->ranges[r].name, false);
    kiln_buf_printf(&b, "TrainingJobName,TrainingJobStatus,FinalObjectiveValue,"
                        "TrainingStartTime,TrainingEndTime,"
                        "TrainingElapsedTimeSeconds\n");
    for (size_t i = 0; i < n; i++) {
        const kiln_tune_trial *tr = &trials[i];
        if (strcmp(tr->status, "Pending") == 0)
            continue;
        for (size_t r = 0; r < t->space->n; r++) {
            char text[64];
            kiln_range_text(&t->space->ranges[r], tr->values[r], text,
                            sizeof text);
            csv_field(&b, text, false);
        }
        char start[64], end[64] = "", obj[32] = "", secs[32] = "";
        kiln__job_iso_time(tr->start, start);
        if (tr->end > 0) {
            kiln__job_iso_time(tr->end, end);
            snprintf(secs, sizeof secs, "%.3f", tr->end - tr->start);
        }
        if (isfinite(tr->objective))
            snprintf(obj, sizeof obj, "%.17g", tr->objective);
        kiln_buf_printf(&b, "%s,%s,%s,%s,%s,%s\n", tr->name, tr->status, obj,
                        start, end, secs);
    }
    if (kiln_buf_str(&b))
        write_file(t->dir, "analytics.csv", kiln_buf_str(&b));
    kiln_buf_fini(&b);
}

/* The three files; under the lock (or after the run). */
static void write_record(kiln_tuning *t)
{
    size_t n = t->next < t->max_jobs ? t->next : t->max_jobs;
    write_json(t->dir, "describe.json", describe(t, t->trials, n));
    json_t *list = json_object(), *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, summary(t, &t->trials[i]));
    json_object_set_new(list, "TrainingJobSummaries", arr);
    write_json(t->dir, "training-jobs.json", list);
    write_analytics(t, t->trials, n);
}

/* ---- warm start ---------------------------------------------------------------- */

static json_t *load_json(const char *dir, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return json_load_file(path, 0, NULL);
}

static const char *image_of(json_t *d)
{
    return json_string_value(json_object_get(
        json_object_get(json_object_get(d, "TrainingJobDefinition"),
                        "AlgorithmSpecification"),
        "TrainingImage"));
}

/* The parent's jobs whose values fall inside this job's ranges become
 * observations. */
static int add_parent_jobs(kiln_tuning *t, json_t *pd, json_t *jobs,
                           kiln_error *err)
{
    json_t *statics = json_object_get(
        json_object_get(pd, "TrainingJobDefinition"), "StaticHyperParameters");
    json_t *arr = json_object_get(jobs, "TrainingJobSummaries");
    size_t d = t->space->n, n = json_array_size(arr);
    double *x = realloc(t->warm_x, (t->nwarm + n) * d * sizeof *x + 1);
    if (x == NULL)
        return kiln_error_nomem(err);
    t->warm_x = x;
    double *y = realloc(t->warm_y, (t->nwarm + n) * sizeof *y + 1);
    if (y == NULL)
        return kiln_error_nomem(err);
    t->warm_y = y;
    for (size_t j = 0; j < n; j++) {
        json_t *s = json_array_get(arr, j);
        json_t *m = json_object_get(s, "FinalHyperParameterTuningJobObjectiveMetric");
        json_t *v = json_object_get(m, "Value");
        if (!json_is_number(v))
            continue;
        json_t *tuned = json_object_get(s, "TunedHyperParameters");
        bool ok = true;
        for (size_t r = 0; r < d && ok; r++) {
            const kiln_param_range *g = &t->space->ranges[r];
            const char *text = json_string_value(json_object_get(tuned, g->name));
            if (text == NULL)
                text = json_string_value(json_object_get(statics, g->name));
            if (text == NULL) {
                ok = false;
            } else if (g->kind == KILN_RANGE_CATEGORICAL) {
                ok = false;
                for (size_t k = 0; k < g->nvalues && !ok; k++)
                    if (strcmp(g->values[k], text) == 0) {
                        x[t->nwarm * d + r] = kiln_range_coord(g, (double)k);
                        ok = true;
                    }
            } else {
                char *end;
                double val = strtod(text, &end);
                ok = end != text && *end == '\0' && val >= g->lo && val <= g->hi;
                if (ok)
                    x[t->nwarm * d + r] = kiln_range_coord(g, val);
            }
        }
        if (ok)
            y[t->nwarm++] = json_number_value(v);
    }
    return KILN_OK;
}

static int load_parents(const kiln_tune_spec *spec, kiln_tuning *t,
                        kiln_error *err)
{
    char image[128];
    snprintf(image, sizeof image, "kiln/%s:1", t->algo->name);
    json_t *mine = definition_json(t);
    json_t *my_inputs = json_object_get(mine, "InputDataConfig");
    int rc = KILN_OK;
    for (size_t i = 0; i < spec->nparents && rc == KILN_OK; i++) {
        const char *p = spec->parents[i];
        char dir[4300];
        snprintf(dir, sizeof dir, "%s/tuning-jobs/%s", t->root, p);
        json_t *pd = load_json(dir, "describe.json");
        json_t *jobs = pd ? load_json(dir, "training-jobs.json") : NULL;
        const char *status = json_string_value(
            json_object_get(pd, "HyperParameterTuningJobStatus"));
        const char *metric = json_string_value(json_object_get(
            json_object_get(json_object_get(pd, "HyperParameterTuningJobConfig"),
                            "HyperParameterTuningJobObjective"),
            "MetricName"));
        if (pd == NULL || jobs == NULL)
            rc = kiln_error_set(err, KILN_KEY,
                                "no tuning job named '%.100s' in %.200s/"
                                "tuning-jobs (a warm start's parent)",
                                p, t->root);
        else if (status == NULL || strcmp(status, "InProgress") == 0)
            rc = kiln_error_set(err, KILN_USAGE,
                                "the parent tuning job %.100s has not ended "
                                "(status %s)",
                                p, status ? status : "unknown");
        else if (metric == NULL || strcmp(metric, t->objective) != 0)
            rc = kiln_error_set(err, KILN_USAGE,
                                "the parent tuning job %.100s optimised %s; a "
                                "warm start needs the same objective (%s)",
                                p, metric ? metric : "nothing", t->objective);
        else if (image_of(pd) == NULL || strcmp(image_of(pd), image) != 0)
            rc = kiln_error_set(err, KILN_USAGE,
                                "the parent tuning job %.100s trained %s, not "
                                "%s",
                                p, image_of(pd) ? image_of(pd) : "nothing",
                                t->algo->name);
        else if (t->warm == KILN_WARM_IDENTICAL &&
                 !json_equal(json_object_get(json_object_get(
                                                 pd, "TrainingJobDefinition"),
                                             "InputDataConfig"),
                             my_inputs))
            rc = kiln_error_set(err, KILN_USAGE,
                                "the parent tuning job %.100s trained on other "
                                "channels: an IdenticalDataAndAlgorithm warm "
                                "start needs the same data (TransferLearning "
                                "allows other data)",
                                p);
        if (rc == KILN_OK)
            rc = add_parent_jobs(t, pd, jobs, err);
        /* OverallBestTrainingJob: the parents' best (their own, not their
         * parents': warm starts are not recursive). */
        json_t *pb = json_object_get(pd, "BestTrainingJob");
        json_t *pv = json_object_get(
            json_object_get(pb, "FinalHyperParameterTuningJobObjectiveMetric"),
            "Value");
        if (rc == KILN_OK && json_is_number(pv) &&
            (t->parent_best == NULL ||
             better(t, json_number_value(pv), t->parent_best_value))) {
            json_decref(t->parent_best);
            t->parent_best = json_incref(pb);
            t->parent_best_value = json_number_value(pv);
        }
        json_decref(pd);
        json_decref(jobs);
    }
    json_decref(mine);
    return rc;
}

/* ---- the scheduler --------------------------------------------------------- */

/* The next job's point, under the lock. */
static int propose(kiln_tuning *t, size_t i, kiln_error *err)
{
    const kiln_space *s = t->space;
    trial_state *st = &t->state[i];
    kiln_tune_trial *tr = &t->trials[i];
    if (t->strategy == KILN_TUNE_GRID) {
        double idx[KILN_TUNE_MAX_RANGES];
        kiln_space_grid_point(s, i, idx);
        for (size_t r = 0; r < s->n; r++)
            st->coords[r] = kiln_range_coord(&s->ranges[r], idx[r]);
    } else if (t->strategy == KILN_TUNE_BAYESIAN) {
        size_t d = s->n, n = t->nwarm;
        double *xs = malloc((t->nwarm + i + 1) * d * sizeof *xs);
        double *ys = malloc((t->nwarm + i + 1) * sizeof *ys);
        if (xs == NULL || ys == NULL) {
            free(xs);
            free(ys);
            return kiln_error_nomem(err);
        }
        if (t->nwarm) {
            memcpy(xs, t->warm_x, t->nwarm * d * sizeof *xs);
            memcpy(ys, t->warm_y, t->nwarm * sizeof *ys);
        }
        for (size_t j = 0; j < i; j++) {
            const kiln_tune_trial *o = &t->trials[j];
            bool pending = strcmp(o->status, "InProgress") == 0;
            if (!pending && !isfinite(o->objective))
                continue; /* failed: no information */
            memcpy(xs + n * d, t->state[j].coords, d * sizeof *xs);
            ys[n++] = pending ? NAN : o->objective;
        }
        int rc = kiln_bayes_propose(s, xs, ys, n, t->maximize, &t->rng,
                                    st->coords, err);
        free(xs);
        free(ys);
        if (rc != KILN_OK)
            return rc;
    } else {
        for (size_t r = 0; r < s->n; r++)
            st->coords[r] = kiln_tune_uniform(&t->rng);
    }
    for (size_t r = 0; r < s->n; r++)
        tr->values[r] = kiln_range_at(&s->ranges[r], st->coords[r]);
    return KILN_OK;
}

typedef struct job_ctx {
    kiln_tuning *t;
    size_t i;
} job_ctx;

static bool append_curve(trial_state *st, int64_t step, double v)
{
    size_t need = (size_t)step + 1;
    if (need > st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 64;
        while (cap < need)
            cap *= 2;
        double *c = realloc(st->curve, cap * sizeof *c);
        if (c == NULL)
            return false;
        st->curve = c;
        st->cap = cap;
    }
    for (size_t k = st->ncurve; k < need; k++)
        st->curve[k] = NAN;
    if (need > st->ncurve)
        st->ncurve = need;
    st->curve[step] = v;
    return true;
}

/* The median rule, against the jobs started before job i. */
static bool median_stops(const kiln_tuning *t, size_t i, size_t step, double v)
{
    const double **cs = malloc((i + 1) * sizeof *cs);
    size_t *lens = malloc((i + 1) * sizeof *lens);
    bool stop = false;
    if (cs != NULL && lens != NULL) {
        for (size_t j = 0; j < i; j++) {
            cs[j] = t->state[j].curve;
            lens[j] = t->state[j].ncurve;
        }
        stop = kiln_median_rule_stops(cs, lens, i, step, v, t->maximize);
    }
    free(cs);
    free(lens);
    return stop;
}

/* Hyperband at a rung: whether job i goes on after `step`. */
static bool hyperband_stops(const kiln_tuning *t, size_t i, size_t step)
{
    const kiln_hyperband_bracket *b = &t->plan.b[t->bracket_of[i]];
    for (size_t rung = 0; rung + 1 < b->rungs; rung++) {
        size_t r = (size_t)llround(b->resource[rung]);
        if (r < 1 || r - 1 != step)
            continue;
        double v = t->state[i].curve[step];
        size_t k = 0, ahead = 0;
        for (size_t j = 0; j < t->next && j < t->max_jobs; j++) {
            if (t->bracket_of[j] != t->bracket_of[i] ||
                t->state[j].ncurve <= step || !isfinite(t->state[j].curve[step]))
                continue;
            double w = t->state[j].curve[step];
            k++;
            if (j != i && (better(t, w, v) || (w == v && j < i)))
                ahead++;
        }
        return ahead >= (size_t)ceil((double)k / HYPERBAND_ETA);
    }
    return false;
}

static void on_metric(void *data, const char *name, int64_t step, double v)
{
    job_ctx *c = data;
    kiln_tuning *t = c->t;
    if (strcmp(name, t->objective) != 0 || !isfinite(v))
        return;
    pthread_mutex_lock(&t->lock);
    kiln_tune_trial *tr = &t->trials[c->i];
    trial_state *st = &t->state[c->i];
    tr->objective = v;
    if (step >= 0 && append_curve(st, step, v)) {
        tr->steps = st->ncurve;
        bool stop = false;
        if (t->early_stopping)
            stop = median_stops(t, c->i, (size_t)step, v);
        else if (t->strategy == KILN_TUNE_HYPERBAND)
            stop = hyperband_stops(t, c->i, (size_t)step);
        if (stop && !tr->early_stopped) {
            tr->early_stopped = true;
            kiln_cancel_request(&st->cancel);
        }
    }
    t->dirty = true;
    pthread_mutex_unlock(&t->lock);
}

/* Run job i (the lock not held). */
static void run_one(kiln_tuning *t, size_t i)
{
    kiln_tune_trial *tr = &t->trials[i];
    hp_set h;
    hp_set_make(t, tr->values, &h); /* values are fixed once proposed */
    job_ctx ctx = {t, i};
    kiln_job_events ev = {.data = &ctx, .metric = on_metric};
    kiln_job_spec js = t->job_template;
    js.name = tr->name;
    js.hp_names = h.names;
    js.hp_values = h.values;
    js.nhp = h.n;
    js.cancel = &t->state[i].cancel;
    js.events = &ev;
    kiln_job *job = NULL;
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_job_run(&js, &job, &err);

    pthread_mutex_lock(&t->lock);
    tr->end = kiln__wall_now();
    if (rc != KILN_OK) {
        tr->status = "Failed";
        snprintf(tr->failure, sizeof tr->failure, "ClientError: %.240s",
                 err.message);
    } else {
        tr->status = kiln_job_status(job);
        if (strcmp(tr->status, "Failed") == 0 && kiln_job_failure(job))
            snprintf(tr->failure, sizeof tr->failure, "%s",
                     kiln_job_failure(job));
        /* The objective is the last value emitted, final values (step
         * -1) included. */
        for (size_t m = 0; m < kiln_job_metric_count(job); m++) {
            const char *name;
            double v;
            kiln_job_metric(job, m, &name, &v);
            if (strcmp(name, t->objective) == 0 && isfinite(v))
                tr->objective = v;
        }
    }
    kiln_job_free(job);
    t->running--;
    t->dirty = true;
    write_record(t);
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->lock);
}

static void *worker(void *arg)
{
    kiln_tuning *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stopping && t->next < t->max_jobs) {
        size_t i = t->next;
        kiln_error err;
        kiln_error_init(&err);
        if (propose(t, i, &err) != KILN_OK) {
            /* Out of memory: no new jobs; the record says why. */
            snprintf(t->failure, sizeof t->failure, "%s", err.message);
            t->stopping = true;
            break;
        }
        kiln_tune_trial *tr = &t->trials[i];
        /* The suffix: random-looking and different for every job (it does
         * not come from the strategy's stream, which it would change). */
        uint64_t h = t->seed * 0xbf58476d1ce4e5b9ull ^
                     (uint64_t)(i + 1) * 0x94d049bb133111ebull ^
                     (uint64_t)(t->created * 1e6);
        unsigned hex = (unsigned)(kiln_tune_uniform(&h) * 4294967296.0);
        snprintf(tr->name, sizeof tr->name, "%s-%03zu-%08x", t->name, i + 1,
                 hex);
        tr->status = "InProgress";
        tr->start = kiln__wall_now();
        t->next++;
        t->running++;
        t->dirty = true;
        write_record(t);
        pthread_mutex_unlock(&t->lock);
        run_one(t, i);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* Copy the trials for the accessors and call the events; under the lock. */
static void show(kiln_tuning *t)
{
    size_t n = t->next < t->max_jobs ? t->next : t->max_jobs;
    memcpy(t->shown, t->trials, t->max_jobs * sizeof *t->shown);
    t->nshown = n;
    t->dirty = false;
}

static void schedule(kiln_tuning *t)
{
    size_t nworkers = t->max_parallel < t->max_jobs ? t->max_parallel
                                                    : t->max_jobs;
    pthread_t *threads = calloc(nworkers, sizeof *threads);
    size_t started = 0;
    pthread_mutex_lock(&t->lock);
    for (size_t w = 0; threads && w < nworkers; w++)
        if (pthread_create(&threads[w], NULL, worker, t) == 0)
            started++;
    if (started == 0) {
        snprintf(t->failure, sizeof t->failure,
                 "no thread could be started for the training jobs");
        t->stopping = true;
    }
    double last = 0;
    for (;;) {
        bool busy = t->running > 0 || (!t->stopping && t->next < t->max_jobs &&
                                       started > 0);
        if (!busy)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->wake, &t->lock, &until);
        if (kiln_cancel_requested(t->cancel) && !t->stopping) {
            t->stopping = true;
            for (size_t i = 0; i < t->next && i < t->max_jobs; i++)
                kiln_cancel_request(&t->state[i].cancel);
        }
        double now = kiln__wall_now();
        if (t->dirty && now - last >= UPDATE_EVERY && t->events &&
            t->events->update) {
            show(t);
            last = now;
            pthread_mutex_unlock(&t->lock);
            t->events->update(t->events->data, t);
            pthread_mutex_lock(&t->lock);
        }
    }
    pthread_mutex_unlock(&t->lock);
    for (size_t w = 0; w < started; w++)
        pthread_join(threads[w], NULL);
    free(threads);
}

/* ---- the run ------------------------------------------------------------------ */

void kiln_tuning_free(kiln_tuning *t)
{
    if (t == NULL)
        return;
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->wake);
    free(t->root);
    free(t->dir);
    free(t->objective);
    kiln_strv_free(t->parents, t->nparents);
    kiln_strv_free(t->static_names, t->nstatic);
    kiln_strv_free(t->static_values, t->nstatic);
    for (size_t i = 0; t->state && i < t->max_jobs; i++)
        free(t->state[i].curve);
    free(t->state);
    free(t->trials);
    free(t->shown);
    free(t->bracket_of);
    free(t->warm_x);
    free(t->warm_y);
    json_decref(t->parent_best);
    kiln_channel_cache_free(t->cache);
    free(t);
}

static kiln_tuning *tuning_new(const kiln_tune_spec *spec)
{
    kiln_tuning *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->wake, NULL);
    t->algo = spec->algo;
    t->space = spec->space;
    t->strategy = spec->strategy;
    t->max_parallel = spec->max_parallel;
    t->early_stopping = spec->early_stopping;
    t->warm = spec->warm_start;
    t->status = "InProgress";
    t->events = spec->events;
    t->cancel = spec->cancel;
    t->created = kiln__wall_now();
    t->objective = strdup(spec->objective);
    const kiln_metric_def *m = find_metric(spec->algo, spec->objective);
    t->maximize = spec->maximize >= 0 ? spec->maximize != 0 : m->maximize;
    t->max_jobs = spec->strategy == KILN_TUNE_GRID
                      ? kiln_space_grid_size(spec->space, 750)
                      : spec->max_jobs;
    if (spec->seeded) {
        t->seed = spec->seed;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                     (uint64_t)getpid();
        t->seed = (uint64_t)(kiln_tune_uniform(&s) * 2147483647.0);
    }
    t->rng = t->seed;
    for (size_t i = 0; i < spec->nparents; i++)
        if (kiln_strv_push(&t->parents, t->nparents, spec->parents[i],
                           strlen(spec->parents[i])) == KILN_OK)
            t->nparents++;
    t->trials = calloc(t->max_jobs, sizeof *t->trials);
    t->shown = calloc(t->max_jobs, sizeof *t->shown);
    t->state = calloc(t->max_jobs, sizeof *t->state);
    t->bracket_of = calloc(t->max_jobs, sizeof *t->bracket_of);
    if (t->objective == NULL || t->trials == NULL || t->shown == NULL ||
        t->state == NULL || t->bracket_of == NULL ||
        t->nparents != spec->nparents) {
        kiln_tuning_free(t);
        return NULL;
    }
    for (size_t i = 0; i < t->max_jobs; i++) {
        t->trials[i].status = "Pending";
        t->trials[i].objective = NAN;
        t->trials[i].bracket = -1;
        kiln_cancel_init(&t->state[i].cancel);
    }
    return t;
}

/* Hyperband: bracket s_max gets its n configurations, then s_max - 1 ...,
 * round and round until every job has one. */
static void assign_brackets(kiln_tuning *t)
{
    size_t i = 0;
    while (i < t->max_jobs) {
        for (size_t b = 0; b < t->plan.brackets && i < t->max_jobs; b++)
            for (size_t k = 0; k < t->plan.b[b].configs[0] && i < t->max_jobs;
                 k++) {
                t->bracket_of[i] = b;
                t->trials[i++].bracket = (int)b;
            }
    }
}

int kiln_tuning_run(const kiln_tune_spec *spec, kiln_tuning **out,
                    kiln_error *err)
{
    const char *root = spec->output_root ? spec->output_root : "kiln-output";
    if (spec->name != NULL && !kiln_tuning_name_valid(spec->name))
        return kiln_error_set(err, KILN_USAGE,
                              "tuning job name '%.100s' is not valid: 1 to 32 "
                              "letters, digits and hyphens, starting and "
                              "ending with a letter or digit",
                              spec->name);
    if (check_objective(spec, err) != KILN_OK ||
        check_limits(spec, err) != KILN_OK ||
        kiln_space_check(spec->space, spec->algo, err) != KILN_OK)
        return err->code;
    bool has_train = false;
    for (size_t i = 0; i < spec->nchannels; i++)
        has_train |= strcmp(spec->channels[i].name, "train") == 0;
    if (!has_train)
        return kiln_error_set(err, KILN_USAGE,
                              "a tuning job needs a train channel (--train "
                              "PATH)");
    kiln_tuning *t = tuning_new(spec);
    if (t == NULL)
        return kiln_error_nomem(err);
    int rc = KILN_OK;
    if (spec->strategy == KILN_TUNE_HYPERBAND)
        rc = check_resource(spec, t, err);
    if (rc == KILN_OK)
        rc = make_statics(spec, t, err);
    if (rc == KILN_OK)
        rc = check_hparams(t, err);
    if (rc == KILN_OK)
        rc = kiln_artifact_mkdirs(root, err);
    if (rc == KILN_OK) {
        t->root = kiln__absolute(root);
        if (spec->name)
            snprintf(t->name, sizeof t->name, "%s", spec->name);
        else
        {
            /* "<algo>-YYMMDD-HHMMSS-mmm": the SDK's short timestamp with
             * seconds and milliseconds, so that two tunings a minute apart
             * differ. */
            char parent[4300];
            snprintf(parent, sizeof parent, "%s/tuning-jobs",
                     t->root ? t->root : root);
            kiln__stamped_name(parent, spec->algo->name, 14, true, t->name,
                               sizeof t->name);
        }
        size_t len = t->root ? strlen(t->root) + strlen(t->name) + 16 : 0;
        t->dir = len ? malloc(len) : NULL;
        if (t->dir == NULL)
            rc = kiln_error_nomem(err);
        else
            snprintf(t->dir, len, "%s/tuning-jobs/%s", t->root, t->name);
    }
    /* The job template: the channels, the cores shared by the parallel
     * jobs. */
    t->job_template = (kiln_job_spec){
        .algo = spec->algo,
        .output_root = t->root,
        .nchannels = spec->nchannels,
        .tuning_job = t->name,
    };
    memcpy(t->job_template.channels, spec->channels, sizeof spec->channels);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned total = spec->threads ? spec->threads
                                   : (cores < 1 ? 1u : (unsigned)cores);
    unsigned per = total / (unsigned)spec->max_parallel;
    t->job_template.threads = per ? per : 1;
    /* Every job reads the same channels: once, shared read-only. */
    t->job_template.cache = t->cache = kiln_channel_cache_new();
    if (rc == KILN_OK && t->cache == NULL)
        rc = kiln_error_nomem(err);
    if (rc == KILN_OK && spec->nparents > 0)
        rc = load_parents(spec, t, err);
    if (rc == KILN_OK) {
        char parent[4300];
        snprintf(parent, sizeof parent, "%s/tuning-jobs", t->root);
        rc = kiln_artifact_mkdirs(parent, err);
    }
    if (rc == KILN_OK && mkdir(t->dir, 0777) != 0)
        rc = errno == EEXIST
                 ? kiln_error_set(err, KILN_USAGE,
                                  "a tuning job named %s already exists in "
                                  "%s/tuning-jobs",
                                  t->name, t->root)
                 : kiln_error_set(err, KILN_IO, "cannot create %s: %s",
                                  t->dir, strerror(errno));
    if (rc != KILN_OK) {
        kiln_tuning_free(t);
        return rc;
    }
    if (t->strategy == KILN_TUNE_HYPERBAND)
        assign_brackets(t);
    write_record(t);

    schedule(t);

    pthread_mutex_lock(&t->lock);
    t->end = kiln__wall_now();
    bool any = false;
    for (size_t i = 0; i < t->next && i < t->max_jobs; i++)
        any |= isfinite(t->trials[i].objective);
    if (kiln_cancel_requested(t->cancel)) {
        t->status = "Stopped";
    } else if (!any || t->failure[0]) {
        t->status = "Failed";
        if (!t->failure[0]) {
            const char *why = NULL;
            for (size_t i = 0; i < t->next && !why; i++)
                if (t->trials[i].failure[0])
                    why = t->trials[i].failure;
            snprintf(t->failure, sizeof t->failure,
                     "no training job emitted the objective %s%s%.900s",
                     t->objective, why ? "; the first failure: " : "",
                     why ? why : "");
        }
    } else {
        t->status = "Completed";
    }
    write_record(t);
    show(t);
    pthread_mutex_unlock(&t->lock);
    if (t->events && t->events->update)
        t->events->update(t->events->data, t);
    *out = t;
    return KILN_OK;
}

/* ---- accessors ------------------------------------------------------------------ */

const char *kiln_tuning_name(const kiln_tuning *t) { return t->name; }
const char *kiln_tuning_status(const kiln_tuning *t) { return t->status; }
const char *kiln_tuning_failure(const kiln_tuning *t)
{
    return t->failure[0] ? t->failure : NULL;
}
const char *kiln_tuning_objective(const kiln_tuning *t) { return t->objective; }
bool kiln_tuning_maximize(const kiln_tuning *t) { return t->maximize; }
const kiln_space *kiln_tuning_space(const kiln_tuning *t) { return t->space; }
const char *kiln_tuning_dir(const kiln_tuning *t) { return t->dir; }
size_t kiln_tuning_max_jobs(const kiln_tuning *t) { return t->max_jobs; }
size_t kiln_tuning_trial_count(const kiln_tuning *t) { return t->nshown; }
const kiln_tune_trial *kiln_tuning_trial(const kiln_tuning *t, size_t i)
{
    return &t->shown[i];
}
long kiln_tuning_best(const kiln_tuning *t)
{
    return best_of(t, t->shown, t->nshown);
}
const double *kiln_tuning_curve(const kiln_tuning *t, size_t i, size_t *n)
{
    *n = t->state[i].ncurve;
    return t->state[i].curve;
}

/* ---- tuning jobs under a root ------------------------------------------------ */

static int tuning_dir(const char *root, const char *name, char *dir,
                      size_t size, kiln_error *err)
{
    snprintf(dir, size, "%s/tuning-jobs/%s", root, name);
    char path[4400];
    snprintf(path, sizeof path, "%s/describe.json", dir);
    struct stat st;
    if (!kiln_tuning_name_valid(name) || stat(path, &st) != 0)
        return kiln_error_set(err, KILN_KEY,
                              "no tuning job named '%.100s' in %.200s/"
                              "tuning-jobs",
                              name, root);
    return KILN_OK;
}

static int read_text(const char *dir, const char *file, char **out,
                     kiln_error *err)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (j == NULL)
        return kiln_error_set(err, KILN_DATA, "%s is not a JSON record: %s",
                              path, je.text);
    *out = json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    json_decref(j);
    return *out ? KILN_OK : kiln_error_nomem(err);
}

int kiln_tuning_describe(const char *root, const char *name, char **json,
                         kiln_error *err)
{
    char dir[4300];
    if (tuning_dir(root, name, dir, sizeof dir, err) != KILN_OK)
        return err->code;
    return read_text(dir, "describe.json", json, err);
}

int kiln_tuning_jobs(const char *root, const char *name, char **json,
                     kiln_error *err)
{
    char dir[4300];
    if (tuning_dir(root, name, dir, sizeof dir, err) != KILN_OK)
        return err->code;
    return read_text(dir, "training-jobs.json", json, err);
}

int kiln_tuning_best_job(const char *root, const char *name, char **job,
                         kiln_error *err)
{
    char *text = NULL;
    if (kiln_tuning_describe(root, name, &text, err) != KILN_OK)
        return err->code;
    json_t *d = json_loads(text, 0, NULL);
    free(text);
    const char *best = json_string_value(json_object_get(
        json_object_get(d, "BestTrainingJob"), "TrainingJobName"));
    int rc = best ? KILN_OK
                  : kiln_error_set(err, KILN_KEY,
                                   "tuning job %.100s has no best training "
                                   "job: none completed with its objective",
                                   name);
    if (best && (*job = strdup(best)) == NULL)
        rc = kiln_error_nomem(err);
    json_decref(d);
    return rc;
}

typedef struct named_time {
    char *name;
    double created;
} named_time;

static int newest_first(const void *a, const void *b)
{
    const named_time *x = a, *y = b;
    return x->created < y->created ? 1 : x->created > y->created ? -1
                                                                 : strcmp(x->name, y->name);
}

int kiln_tunings_list(const char *root, char ***names, size_t *n,
                      kiln_error *err)
{
    *names = NULL;
    *n = 0;
    char dir[4300];
    snprintf(dir, sizeof dir, "%s/tuning-jobs", root);
    DIR *d = opendir(dir);
    if (d == NULL)
        return KILN_OK;
    named_time *list = NULL;
    size_t count = 0, cap = 0;
    int rc = KILN_OK;
    struct dirent *e;
    while (rc == KILN_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !kiln_tuning_name_valid(e->d_name))
            continue;
        char path[4600];
        snprintf(path, sizeof path, "%s/%s/describe.json", dir, e->d_name);
        json_t *j = json_load_file(path, 0, NULL);
        if (j == NULL)
            continue;
        double created = kiln_jobs_parse_time(
            json_string_value(json_object_get(j, "CreationTime")));
        json_decref(j);
        if (count == cap) {
            cap = cap ? cap * 2 : 16;
            named_time *l = realloc(list, cap * sizeof *l);
            if (l == NULL) {
                rc = kiln_error_nomem(err);
                break;
            }
            list = l;
        }
        list[count].name = strdup(e->d_name);
        list[count].created = created;
        if (list[count].name == NULL)
            rc = kiln_error_nomem(err);
        else
            count++;
    }
    closedir(d);
    if (count > 1)
        qsort(list, count, sizeof *list, newest_first);
    char **out = rc == KILN_OK ? calloc(count + 1, sizeof *out) : NULL;
    if (rc == KILN_OK && out == NULL)
        rc = kiln_error_nomem(err);
    for (size_t i = 0; i < count; i++) {
        if (out)
            out[i] = list[i].name;
        else
            free(list[i].name);
    }
    free(list);
    if (rc == KILN_OK) {
        *names = out;
        *n = count;
    }
    return rc;
}
