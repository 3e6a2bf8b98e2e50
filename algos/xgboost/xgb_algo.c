/* kiln — the XGBoost descriptor: SageMaker XGBoost 1.7-1's hyperparameters
 * (its algorithm-mode validator, shared/reference/builtin-algorithms.md
 * §2), metric definitions, and the glue to train, predict, save and load.
 *
 * Decisions where kiln differs from the container, each said in the log:
 *   - tree_method auto, exact, approx and gpu_hist all train with kiln's
 *     hist engine (the container's default, auto, is exact or approx
 *     depending on the data size; hist is what the others approximate).
 *   - max_bin above 256 is capped at 256 (uint8 bins; 255 for a feature
 *     with missing values).
 *   - booster gblinear and dart, num_parallel_tree > 1, monotone and
 *     interaction constraints, and the rank: and survival: objectives are
 *     refused with a clear message rather than ignored.
 *   - sketch_eps, updater, predictor, deterministic_histogram, verbosity
 *     are accepted and have no effect (kiln's cuts are exact quantiles; its
 *     histograms are always deterministic for a thread count).
 *   - nthread caps the job's threads.
 *   - Aliases learning_rate, min_split_loss, reg_lambda and reg_alpha
 *     stand for eta, gamma, lambda and alpha; giving both is an error.
 *
 * The artifact is `xgboost-model` in xgboost 1.7's JSON schema (xgb_json.c),
 * which xgboost.Booster().load_model() reads under that name; load accepts
 * what SageMaker's containers write too (legacy binary, xgb_binary.c), as
 * the serving container does: the one regular file of the directory that
 * does not start with '.'.
 *
 * Predictions: "score", the objective's output (probability, value, class
 * index; a vector of probabilities for multi:softprob), "predicted_label"
 * for classification objectives, and "raw_score", the margins.
 */
#include "xgb.h"

#include <dirent.h>
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODEL_FILE "xgboost-model"

/* ---- the schema ------------------------------------------------------- */

#define MIN KILN_HP_MIN
#define MIN_OPEN KILN_HP_MIN_OPEN
#define MAX KILN_HP_MAX
#define MAX_OPEN KILN_HP_MAX_OPEN

static const char *const objective_choices[] = {
    "reg:squarederror", "reg:linear",       "reg:logistic",
    "reg:pseudohubererror", "reg:absoluteerror", "reg:gamma",
    "reg:tweedie",      "count:poisson",    "binary:logistic",
    "binary:logitraw",  "binary:hinge",     "multi:softmax",
    "multi:softprob",   "reg:squaredlogerror", "rank:pairwise",
    "rank:ndcg",        "rank:map",         "survival:aft",
    "survival:cox",     NULL};
static const char *const booster_choices[] = {"gbtree", "gblinear", "dart",
                                              NULL};
static const char *const tree_method_choices[] = {
    "auto", "exact", "approx", "hist", "gpu_hist", NULL};
static const char *const grow_policy_choices[] = {"depthwise", "lossguide",
                                                  NULL};
static const char *const predictor_choices[] = {
    "auto", "cpu_predictor", "gpu_predictor", NULL};
static const char *const sampling_choices[] = {"uniform", "gradient_based",
                                               NULL};
static const char *const bool_words[] = {"true", "false", NULL};

static const kiln_hp_spec schema[] = {
    {.name = "num_round", .type = KILN_HP_INT,
     .flags = KILN_HP_REQUIRED | MIN, .min = 1,
     .doc = "the number of boosting rounds"},
    {.name = "num_class", .type = KILN_HP_INT, .flags = MIN, .min = 2,
     .doc = "the number of classes; required by multi:softmax and "
            "multi:softprob"},
    {.name = "objective", .type = KILN_HP_CHOICE,
     .default_value = "reg:squarederror", .choices = objective_choices,
     .doc = "the learning task and its loss"},
    {.name = "eval_metric", .type = KILN_HP_STRING,
     .doc = "comma-separated metrics on train and validation: xgboost's "
            "(default the objective's: rmse, logloss, mlogloss, ...) and "
            "SageMaker's accuracy, f1, precision, recall, r2, mse, ..."},
    {.name = "booster", .type = KILN_HP_CHOICE, .default_value = "gbtree",
     .choices = booster_choices, .doc = "gbtree (kiln trains trees only)"},
    {.name = "eta", .type = KILN_HP_FLOAT, .flags = MIN | MAX,
     .default_value = "0.3", .min = 0, .max = 1,
     .doc = "the learning rate: each tree's leaves are scaled by it"},
    {.name = "learning_rate", .type = KILN_HP_FLOAT, .flags = MIN | MAX,
     .min = 0, .max = 1, .doc = "alias of eta"},
    {.name = "gamma", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "0", .min = 0,
     .doc = "the loss reduction a split needs (min_split_loss)"},
    {.name = "min_split_loss", .type = KILN_HP_FLOAT, .flags = MIN, .min = 0,
     .doc = "alias of gamma"},
    {.name = "max_depth", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "6", .min = 0,
     .doc = "the deepest a tree grows (0: no limit, lossguide only)"},
    {.name = "min_child_weight", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "1", .min = 0,
     .doc = "the hessian sum a child needs"},
    {.name = "max_delta_step", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "0", .min = 0,
     .doc = "the largest leaf value before eta (0: no limit)"},
    {.name = "subsample", .type = KILN_HP_FLOAT, .flags = MIN_OPEN | MAX,
     .default_value = "1", .min = 0, .max = 1,
     .doc = "the fraction of rows each round samples"},
    {.name = "colsample_bytree", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX, .default_value = "1", .min = 0, .max = 1,
     .doc = "the fraction of features each tree samples"},
    {.name = "colsample_bylevel", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX, .default_value = "1", .min = 0, .max = 1,
     .doc = "the fraction of the tree's features each depth samples"},
    {.name = "colsample_bynode", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX, .default_value = "1", .min = 0, .max = 1,
     .doc = "the fraction of the level's features each split samples"},
    {.name = "lambda", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "1", .min = 0, .doc = "L2 regularisation of leaves"},
    {.name = "reg_lambda", .type = KILN_HP_FLOAT, .flags = MIN, .min = 0,
     .doc = "alias of lambda"},
    {.name = "alpha", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "0", .min = 0, .doc = "L1 regularisation of leaves"},
    {.name = "reg_alpha", .type = KILN_HP_FLOAT, .flags = MIN, .min = 0,
     .doc = "alias of alpha"},
    {.name = "tree_method", .type = KILN_HP_CHOICE, .default_value = "auto",
     .choices = tree_method_choices,
     .doc = "all train with kiln's histogram method (hist)"},
    {.name = "sketch_eps", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX_OPEN, .default_value = "0.03", .min = 0,
     .max = 1, .doc = "accepted; kiln's cuts are exact quantiles"},
    {.name = "scale_pos_weight", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "1", .min = 0,
     .doc = "the weight of positive rows (binary objectives)"},
    {.name = "grow_policy", .type = KILN_HP_CHOICE,
     .default_value = "depthwise", .choices = grow_policy_choices,
     .doc = "depthwise: level by level; lossguide: best split first"},
    {.name = "max_leaves", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "0", .min = 0,
     .doc = "the most leaves a tree has (0: no limit)"},
    {.name = "max_bin", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "256", .min = 2,
     .doc = "histogram bins a feature (at most 256 in kiln)"},
    {.name = "base_score", .type = KILN_HP_FLOAT, .default_value = "0.5",
     .doc = "the prediction every row starts from"},
    {.name = "seed", .type = KILN_HP_INT, .default_value = "0",
     .flags = MIN | MAX, .min = -2147483648.0, .max = 2147483647.0,
     .doc = "the random seed of row and feature sampling"},
    {.name = "early_stopping_rounds", .type = KILN_HP_INT, .flags = MIN,
     .min = 1,
     .doc = "stop when the last eval_metric on validation has not "
            "improved for this many rounds"},
    {.name = "csv_weights", .type = KILN_HP_INT, .flags = MIN | MAX,
     .default_value = "0", .min = 0, .max = 1,
     .doc = "1: the CSV column after the label is the row's weight"},
    {.name = "tweedie_variance_power", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX_OPEN, .default_value = "1.5", .min = 1,
     .max = 2, .doc = "reg:tweedie's variance power"},
    {.name = "num_parallel_tree", .type = KILN_HP_INT, .flags = MIN | MAX,
     .default_value = "1", .min = 1, .max = 1,
     .doc = "trees per round and group (kiln: 1)"},
    {.name = "nthread", .type = KILN_HP_INT, .flags = MIN, .min = 1,
     .doc = "threads to use, at most the job's"},
    {.name = "verbosity", .type = KILN_HP_INT, .flags = MIN | MAX,
     .default_value = "1", .min = 0, .max = 3, .doc = "accepted"},
    {.name = "updater", .type = KILN_HP_STRING, .doc = "accepted"},
    {.name = "predictor", .type = KILN_HP_CHOICE, .default_value = "auto",
     .choices = predictor_choices, .doc = "accepted"},
    {.name = "sampling_method", .type = KILN_HP_CHOICE,
     .default_value = "uniform", .choices = sampling_choices,
     .doc = "uniform (kiln)"},
    {.name = "deterministic_histogram", .type = KILN_HP_CHOICE,
     .default_value = "true", .choices = bool_words, .doc = "accepted"},
    {.name = "monotone_constraints", .type = KILN_HP_STRING,
     .doc = "not supported by kiln"},
    {.name = "interaction_constraints", .type = KILN_HP_STRING,
     .doc = "not supported by kiln"},
    {.name = "_tuning_objective_metric", .type = KILN_HP_STRING,
     .doc = "set by a tuning job: the metric it optimises"},
    {0},
};

/* ---- metric definitions: SageMaker's 1.7-1 metrics.py ---------------- */

#define VALID(m, max)                                                         \
    {"validation:" m, max, ".*\\[[0-9]+\\].*#011validation-" m ":(\\S+)"}

static const kiln_metric_def metrics[] = {
    VALID("accuracy", true),
    VALID("auc", true),
    VALID("aucpr", true),
    VALID("balanced_accuracy", true),
    VALID("f1", true),
    VALID("f1_binary", true),
    VALID("f1_macro", true),
    VALID("map", true),
    VALID("ndcg", true),
    VALID("precision", true),
    VALID("precision_macro", true),
    VALID("precision_micro", true),
    VALID("r2", true),
    VALID("recall", true),
    VALID("recall_macro", true),
    VALID("recall_micro", true),
    VALID("error", false),
    VALID("logloss", false),
    VALID("mae", false),
    VALID("mape", false),
    VALID("merror", false),
    VALID("mlogloss", false),
    VALID("mphe", false),
    VALID("mse", false),
    VALID("rmse", false),
    VALID("rmsle", false),
    VALID("gamma-deviance", false),
    VALID("gamma-nloglik", false),
    VALID("poisson-nloglik", false),
    VALID("tweedie-nloglik", false),
    {0},
};

#undef VALID

static const char *const channels[] = {"train", "validation", NULL};
static const kiln_format formats[] = {KILN_FORMAT_LIBSVM, KILN_FORMAT_CSV,
                                      KILN_FORMAT_RECORDIO,
                                      KILN_FORMAT_UNKNOWN};

/* ---- check -------------------------------------------------------------- */

/* An alias and its name: the value given, preferring neither when both are
 * given (an error). */
static int alias(const kiln_hparams *hp, const char *name, const char *alt,
                 double *out, kiln_error *err)
{
    if (kiln_hp_given(hp, name) && kiln_hp_given(hp, alt))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "give %s or its alias %s, not both", name, alt);
    *out = kiln_hp_float(hp, kiln_hp_given(hp, alt) ? alt : name);
    return KILN_OK;
}

/* Add metric `name` (as a user wrote it, or kiln's own spelling of a
 * default when `user` is false) to out, as SageMaker's container builds
 * its evaluation: xgboost's metrics first, then the container's own
 * (feval) ones; a container metric printed like an xgboost one already
 * there takes its place (the line shows the feval value there). */
static int add_metric(const char *name, bool user, const char *objective,
                      kiln__xgb_metric *out, int *n, kiln_error *err)
{
    const char *at = strchr(name, '@');
    if (user && at != NULL && strncmp(name, "error@", 6) != 0 &&
        strncmp(name, "ndcg@", 5) != 0 && strncmp(name, "map@", 4) != 0)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric %.60s: a threshold (@) is only "
                              "allowed on error, ndcg and map", name);
    kiln__xgb_metric m;
    if (kiln__xgb_metric_parse(name, &m, err) != KILN_OK)
        return err->code;
    if (strcmp(m.name, "auc") == 0 &&
        kiln__xgb_objective_find(objective)->kind ==
            KILN__XGB_OBJ_REGRESSION)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric auc needs a binary: or multi: "
                              "objective, not %s", objective);
    for (int i = 0; i < *n; i++)
        if (strcmp(out[i].name, m.name) == 0) {
            if (m.margin && !out[i].margin)
                out[i] = m;
            return KILN_OK;
        }
    if (*n == KILN__XGB_MAX_METRICS)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "eval_metric lists more than %d metrics",
                              KILN__XGB_MAX_METRICS);
    /* xgboost's before the container's */
    int at_pos = *n;
    if (!m.margin)
        while (at_pos > 0 && out[at_pos - 1].margin)
            at_pos--;
    memmove(out + at_pos + 1, out + at_pos,
            (size_t)(*n - at_pos) * sizeof *out);
    out[at_pos] = m;
    (*n)++;
    return KILN_OK;
}

/* The names of a comma-separated list, each given to add_metric. */
static int add_list(const char *list, const char *objective,
                    kiln__xgb_metric *out, int *n, kiln_error *err)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len == 0)
            break;
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(len < 47 ? len : 47), p);
        if (add_metric(name, true, objective, out, n, err) != KILN_OK)
            return err->code;
        p += len;
    }
    return KILN_OK;
}

/* The evaluation metrics, as SageMaker's container decides them:
 * eval_metric and the metric of _tuning_objective_metric
 * ("validation:auc"); when none of them is one of xgboost's, the
 * objective's default comes first (xgboost's weighted rmse and mae:
 * "rmse@", "mae@" in kiln's parser; reg:tweedie's names its rho). */
static int check_metrics(const kiln_hparams *hp, const char *objective,
                         kiln__xgb_metric *out, int *n, kiln_error *err)
{
    *n = 0;
    if (kiln_hp_given(hp, "eval_metric") &&
        add_list(kiln_hp_str(hp, "eval_metric"), objective, out, n, err) !=
            KILN_OK)
        return err->code;
    if (kiln_hp_given(hp, "_tuning_objective_metric")) {
        const char *t = kiln_hp_str(hp, "_tuning_objective_metric");
        const char *colon = strchr(t, ':');
        if (add_list(colon ? colon + 1 : t, objective, out, n, err) !=
            KILN_OK)
            return err->code;
    }
    bool xgboost_metric = false;
    for (int i = 0; i < *n; i++)
        xgboost_metric |= !out[i].margin;
    if (xgboost_metric)
        return KILN_OK;
    const char *def = kiln__xgb_objective_find(objective)->default_metric;
    char name[48];
    if (strcmp(objective, "reg:tweedie") == 0)
        snprintf(name, sizeof name, "tweedie-nloglik@%g",
                 kiln_hp_float(hp, "tweedie_variance_power"));
    else if (strcmp(def, "rmse") == 0 || strcmp(def, "mae") == 0)
        snprintf(name, sizeof name, "%s@", def);
    else
        snprintf(name, sizeof name, "%s", def);
    return add_metric(name, false, objective, out, n, err);
}

static int check(const kiln_hparams *hp, kiln_error *err)
{
    const char *objective = kiln_hp_str(hp, "objective");
    bool multi = strncmp(objective, "multi:", 6) == 0;
    if (kiln__xgb_objective_find(objective) == NULL)
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "objective %s is not supported by kiln yet",
                              objective);
    if (multi && !kiln_hp_given(hp, "num_class"))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "num_class is required with objective %s",
                              objective);
    if (!multi && kiln_hp_given(hp, "num_class"))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "num_class is only for the multi: objectives, "
                              "not %s", objective);
    if (!kiln_hp_is(hp, "booster", "gbtree"))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "booster %s is not supported by kiln (gbtree "
                              "is)", kiln_hp_str(hp, "booster"));
    if (kiln_hp_given(hp, "monotone_constraints") ||
        kiln_hp_given(hp, "interaction_constraints"))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "monotone_constraints and "
                              "interaction_constraints are not supported by "
                              "kiln");
    if (kiln_hp_is(hp, "sampling_method", "gradient_based"))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "sampling_method gradient_based needs a GPU in "
                              "xgboost; kiln samples uniformly");
    if (kiln_hp_int(hp, "max_depth") == 0 &&
        !kiln_hp_is(hp, "grow_policy", "lossguide"))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "max_depth 0 (no limit) needs grow_policy "
                              "lossguide");
    double base = kiln_hp_float(hp, "base_score");
    bool logistic = strcmp(objective, "reg:logistic") == 0 ||
                    strcmp(objective, "binary:logistic") == 0;
    bool positive = strcmp(objective, "reg:gamma") == 0 ||
                    strcmp(objective, "reg:tweedie") == 0 ||
                    strcmp(objective, "count:poisson") == 0;
    if (logistic && !(base > 0 && base < 1))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "base_score must be in (0, 1) for %s, got %g",
                              objective, base);
    if (positive && !(base > 0))
        return kiln_error_set(err, KILN_HYPERPARAMETER,
                              "base_score must be > 0 for %s, got %g",
                              objective, base);
    double v;
    if (alias(hp, "eta", "learning_rate", &v, err) != KILN_OK ||
        alias(hp, "gamma", "min_split_loss", &v, err) != KILN_OK ||
        alias(hp, "lambda", "reg_lambda", &v, err) != KILN_OK ||
        alias(hp, "alpha", "reg_alpha", &v, err) != KILN_OK)
        return err->code;
    kiln__xgb_metric m[KILN__XGB_MAX_METRICS];
    int n;
    return check_metrics(hp, objective, m, &n, err);
}

/* ---- config ------------------------------------------------------------- */

static int config(const kiln_hparams *hp, kiln__xgb_config *c,
                  kiln_error *err)
{
    memset(c, 0, sizeof *c);
    const char *objective = kiln_hp_str(hp, "objective");
    c->objective = kiln__xgb_objective_find(objective);
    c->obj = (kiln__xgb_obj_params){
        .num_class = kiln_hp_given(hp, "num_class")
                         ? (int)kiln_hp_int(hp, "num_class")
                         : 0,
        .scale_pos_weight = kiln_hp_float(hp, "scale_pos_weight"),
        .tweedie_variance_power = kiln_hp_float(hp, "tweedie_variance_power"),
        .huber_slope = 1.0,
        /* xgboost's Poisson objective has its own max_delta_step, 0.7,
         * which a given max_delta_step sets too */
        .poisson_max_delta_step = kiln_hp_given(hp, "max_delta_step")
                                      ? kiln_hp_float(hp, "max_delta_step")
                                      : 0.7,
    };
    kiln__xgb_tree_params *t = &c->tree;
    if (alias(hp, "eta", "learning_rate", &t->eta, err) != KILN_OK ||
        alias(hp, "gamma", "min_split_loss", &t->gamma, err) != KILN_OK ||
        alias(hp, "lambda", "reg_lambda", &t->lambda, err) != KILN_OK ||
        alias(hp, "alpha", "reg_alpha", &t->alpha, err) != KILN_OK)
        return err->code;
    t->min_child_weight = kiln_hp_float(hp, "min_child_weight");
    /* xgboost's learner sets 0.7 for count:poisson when none is given,
     * for the trees as for the objective */
    t->max_delta_step = kiln_hp_given(hp, "max_delta_step") ||
                                strcmp(objective, "count:poisson") != 0
                            ? kiln_hp_float(hp, "max_delta_step")
                            : 0.7;
    t->max_depth = (int)kiln_hp_int(hp, "max_depth");
    t->max_leaves = (int)kiln_hp_int(hp, "max_leaves");
    t->lossguide = kiln_hp_is(hp, "grow_policy", "lossguide");
    t->colsample_bylevel = kiln_hp_float(hp, "colsample_bylevel");
    t->colsample_bynode = kiln_hp_float(hp, "colsample_bynode");
    c->num_round = (int)kiln_hp_int(hp, "num_round");
    /* NaN: the trainer starts from the labels' median (xgboost 1.7 does
     * that for reg:absoluteerror when base_score is not given) */
    c->base_score = !kiln_hp_given(hp, "base_score") &&
                            strcmp(objective, "reg:absoluteerror") == 0
                        ? NAN
                        : kiln_hp_float(hp, "base_score");
    c->subsample = kiln_hp_float(hp, "subsample");
    c->colsample_bytree = kiln_hp_float(hp, "colsample_bytree");
    int64_t bins = kiln_hp_int(hp, "max_bin");
    c->max_bin = bins > 256 ? 256 : (int)bins;
    c->seed = (uint64_t)kiln_hp_int(hp, "seed");
    c->early_stopping_rounds = kiln_hp_given(hp, "early_stopping_rounds")
                                   ? (int)kiln_hp_int(hp,
                                                      "early_stopping_rounds")
                                   : 0;
    return check_metrics(hp, objective, c->metrics, &c->nmetrics, err);
}

/* ---- the descriptor's functions ------------------------------------------ */

static int train(const kiln_train_ctx *ctx, void **model, kiln_error *err)
{
    kiln__xgb_config c;
    if (config(ctx->hp, &c, err) != KILN_OK)
        return err->code;
    kiln_train_ctx run = *ctx;
    if (kiln_hp_given(ctx->hp, "nthread") &&
        (unsigned)kiln_hp_int(ctx->hp, "nthread") < run.threads)
        run.threads = (unsigned)kiln_hp_int(ctx->hp, "nthread");
    const char *method = kiln_hp_str(ctx->hp, "tree_method");
    if (strcmp(method, "hist") != 0)
        kiln_train_log(ctx, "tree_method %s: kiln trains with the histogram "
                       "method (hist)", method);
    if (kiln_hp_int(ctx->hp, "max_bin") > 256)
        kiln_train_log(ctx, "max_bin %lld: kiln uses at most 256 bins a "
                       "feature", (long long)kiln_hp_int(ctx->hp, "max_bin"));
    kiln__xgb_model *m = NULL;
    if (kiln__xgb_train(&run, &c, &m, err) != KILN_OK)
        return err->code;
    *model = m;
    return KILN_OK;
}

/* Inference as SageMaker's XGBoost container serves (builtin-algorithms.md
 * §2): libsvm is what a request without a Content-Type is taken as;
 * text/csv is the default Accept; a response carries the score alone (the
 * raw Booster.predict output: a probability, a class index for
 * multi:softmax, a probability row for multi:softprob). */
static const kiln_media xgb_request_types[] = {
    KILN_MEDIA_LIBSVM, KILN_MEDIA_CSV, KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};
static const kiln_media xgb_response_types[] = {
    KILN_MEDIA_CSV, KILN_MEDIA_JSON, KILN_MEDIA_JSONLINES,
    KILN_MEDIA_RECORDIO, KILN_MEDIA_NONE};
static const char *const xgb_response_fields[] = {"score", NULL};

static size_t features(const void *model)
{
    return ((const kiln__xgb_model *)model)->num_feature;
}

static int predict(const void *model, const kiln_dataset *x,
                   kiln_predictions *out, kiln_error *err)
{
    const kiln__xgb_model *m = model;
    size_t n = kiln_dataset_rows(x);
    size_t k = (size_t)m->num_group;
    kiln_predictions p = {.rows = n};
    float *raw = kiln_predictions_add(&p, "raw_score", k, k > 1, false, err);
    if (raw == NULL)
        return err->code;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = n < 1024 || cores < 1 ? 1 : (unsigned)cores;
    kiln__xgb_predict_margin(m, x, 0, threads, raw);
    const char *name = m->objective->name;
    bool softprob = strcmp(name, "multi:softprob") == 0;
    bool softmax = strcmp(name, "multi:softmax") == 0;
    size_t sw = softprob ? k : 1;
    float *score = kiln_predictions_add(&p, "score", sw, softprob, softmax,
                                        err);
    if (score == NULL) {
        kiln_predictions_fini(&p);
        return err->code;
    }
    float *tmp = malloc((n * k > 0 ? n * k : 1) * sizeof *tmp);
    if (tmp == NULL) {
        kiln_predictions_fini(&p);
        return kiln_error_nomem(err);
    }
    memcpy(tmp, raw, n * k * sizeof *tmp);
    m->objective->transform(&m->params, tmp, n, (int)k, false);
    memcpy(score, tmp, n * sw * sizeof *score);
    if (m->objective->kind != KILN__XGB_OBJ_REGRESSION) {
        float *label = kiln_predictions_add(&p, "predicted_label", 1, false,
                                            true, err);
        if (label == NULL) {
            free(tmp);
            kiln_predictions_fini(&p);
            return err->code;
        }
        memcpy(tmp, raw, n * k * sizeof *tmp);
        for (size_t i = 0; i < n; i++) {
            const float *r = tmp + i * k;
            size_t best = 0;
            for (size_t j = 1; j < k; j++)
                if (r[j] > r[best])
                    best = j;
            /* binary: the margin's sign (probability 0.5) */
            label[i] = k > 1 ? (float)best : r[0] > 0.0f ? 1.0f : 0.0f;
        }
    }
    free(tmp);
    *out = p;
    return KILN_OK;
}

static int save(const void *model, const char *dir, kiln_error *err)
{
    kiln_buf json;
    kiln_buf_init(&json);
    if (kiln__xgb_save_json(model, &json, err) != KILN_OK) {
        kiln_buf_fini(&json);
        return err->code;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, MODEL_FILE);
    FILE *f = fopen(path, "wb");
    int rc = KILN_OK;
    if (f == NULL || fwrite(json.data, 1, json.len, f) != json.len)
        rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", path,
                            strerror(errno));
    if (f != NULL && fclose(f) != 0 && rc == KILN_OK)
        rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", path,
                            strerror(errno));
    kiln_buf_fini(&json);
    return rc;
}

/* The model file of dir: xgboost-model, else its one regular file not
 * starting with '.' (what SageMaker's serving container takes). */
static int model_path(const char *dir, char *path, size_t size,
                      kiln_error *err)
{
    snprintf(path, size, "%s/%s", dir, MODEL_FILE);
    if (access(path, R_OK) == 0)
        return KILN_OK;
    DIR *d = opendir(dir);
    if (d == NULL)
        return kiln_error_set(err, KILN_DATA, "cannot open %s: %s", dir,
                              strerror(errno));
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && found++ == 0)
            snprintf(path, size, "%s/%s", dir, e->d_name);
    closedir(d);
    if (found == 1)
        return KILN_OK;
    return kiln_error_set(err, KILN_DATA,
                          "%s holds %s; expected %s (one xgboost model file)",
                          dir, found ? "several files" : "no model file",
                          MODEL_FILE);
}

static int load(const char *dir, void **model, kiln_error *err)
{
    char path[4096];
    if (model_path(dir, path, sizeof path, err) != KILN_OK)
        return err->code;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(err, KILN_DATA, "cannot open %s: %s", path,
                              strerror(errno));
    kiln_buf data;
    kiln_buf_init(&data);
    char chunk[65536];
    size_t got;
    int rc = KILN_OK;
    while (rc == KILN_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kiln_buf_append(&data, chunk, got) != KILN_OK)
            rc = kiln_error_nomem(err);
    fclose(f);
    kiln__xgb_model *m = NULL;
    if (rc == KILN_OK)
        rc = kiln__xgb_load(data.data ? data.data : "", data.len, path, &m,
                            err);
    kiln_buf_fini(&data);
    if (rc == KILN_OK)
        *model = m;
    return rc;
}

static void free_model(void *model)
{
    kiln__xgb_model_free(model);
}

/* What describe.json shows of the model (kiln's extension of
 * DescribeTrainingJob): FeatureImportance, xgboost's get_score of every
 * importance type (weight, gain, cover, total_gain, total_cover) by
 * xgboost's feature names f0, f1, ... (features never split on are left
 * out, as get_score leaves them); BestIteration, the round early stopping
 * kept (the model's best_iteration attribute); NumberOfTrees. */
static char *report(const void *model)
{
    const kiln__xgb_model *m = model;
    size_t nf = m->num_feature;
    double *w = calloc(nf + 1, sizeof *w), *g = calloc(nf + 1, sizeof *g);
    double *c = calloc(nf + 1, sizeof *c);
    json_t *root = json_object(), *fi = json_object();
    static const char *const types[] = {"weight", "gain", "cover",
                                        "total_gain", "total_cover"};
    json_t *by[5];
    for (int t = 0; t < 5; t++)
        by[t] = json_object();
    char *text = NULL;
    if (w && g && c && root && fi && by[0] && by[1] && by[2] && by[3] &&
        by[4]) {
        kiln__xgb_importance(m, w, g, c);
        for (size_t f = 0; f < nf; f++) {
            if (w[f] == 0)
                continue;
            char name[32];
            snprintf(name, sizeof name, "f%zu", f);
            const double v[5] = {w[f], g[f] / w[f], c[f] / w[f], g[f], c[f]};
            for (int t = 0; t < 5; t++)
                json_object_set_new(by[t], name, json_real(v[t]));
        }
        for (int t = 0; t < 5; t++) {
            json_object_set_new(fi, types[t], by[t]);
            by[t] = NULL;
        }
        json_object_set_new(root, "FeatureImportance", fi);
        fi = NULL;
        /* the round early stopping kept (the last when it did not stop) */
        json_object_set_new(root, "BestIteration",
                            json_integer(m->best_iteration));
        json_object_set_new(root, "NumberOfTrees",
                            json_integer((json_int_t)m->ntrees));
        text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
    }
    for (int t = 0; t < 5; t++)
        json_decref(by[t]);
    json_decref(fi);
    json_decref(root);
    free(w);
    free(g);
    free(c);
    return text;
}

static void read_opts(const kiln_hparams *hp, const char *channel,
                      kiln_read_opts *opts)
{
    (void)channel;
    opts->weights = kiln_hp_int(hp, "csv_weights") == 1;
}

const kiln_algo kiln_algo_xgboost = {
    .name = "xgboost",
    .title = "XGBoost",
    .problem = "classification and regression",
    .summary =
        "Gradient boosted trees with xgboost 1.7's hyperparameters, "
        "objectives and metrics.  Features are quantised into at most 256 "
        "bins; each round grows one tree per output group on the gradients "
        "of the objective, finding splits from gradient histograms with a "
        "learned direction for missing values.  The model is xgboost's own "
        "JSON (xgboost-model), which the xgboost library loads.",
    .flags = KILN_ALGO_SUPERVISED,
    .hparams = schema,
    .metrics = metrics,
    .channels = channels,
    .formats = formats,
    .outputs = "score, predicted_label, raw_score",
    .response_key = "predictions",
    .step = "round",
    .request_types = xgb_request_types,
    .response_types = xgb_response_types,
    .response_fields = xgb_response_fields,
    .check = check,
    .read_opts = read_opts,
    .train = train,
    .features = features,
    .predict = predict,
    .save = save,
    .load = load,
    .report = report,
    .free = free_model,
};
