/* kiln — linear learner: the descriptor, its hyperparameter schema and
 * metric definitions (shared/reference/builtin-algorithms.md §1), check(),
 * and the resolution of "auto" values into the settings of the parallel
 * models.
 *
 * Decisions where SageMaker's documentation says "auto" without a number
 * (each was checked against what real SageMaker logs and artifacts show
 * where one exists):
 *
 *   optimizer auto            adam (documented)
 *   learning_rate auto        adam 0.01, rmsprop 0.01, sgd 0.001
 *   momentum auto             0.9 (sgd)
 *   beta_1, beta_2 auto       0.9, 0.999 (adam)
 *   bias_lr_mult auto         10: real artifacts carry "__lr_mult__": "10.0"
 *                             on fc0_bias
 *   bias_wd_mult auto         0 (documented: no regularisation on the bias)
 *   wd, l1 auto               model 0: 0 and 0; the grid below varies them
 *   lr_scheduler_* auto       per model: step 100 with minimum lr 1e-5, or
 *                             step 10 with minimum 1e-4, factor 0.99 -- the
 *                             two combinations SageMaker logs report for their
 *                             best models ("Best model found for
 *                             hyperparameters: {... "lr_scheduler_step": 100,
 *                             "lr_scheduler_factor": 0.99,
 *                             "lr_scheduler_minimum_lr": 1e-05}")
 *   num_calibration_samples auto  10,000,000 (the container's default-input.json)
 *   normalize_data auto       true; normalize_label auto: regressor only (a
 *                             true value is ignored for classifiers, as
 *                             documented); unbias_data auto: when use_bias
 *                             and the data is dense; unbias_label auto:
 *                             regressor with use_bias
 *   positive_example_weight_mult  balanced: negatives / positives of the
 *                             training labels; auto: the grid's models with
 *                             regularisation index 2 and 3 use balanced,
 *                             the others 1.0, and selection decides
 *
 * num_models auto: 32 for binary_classifier and regressor (the 32 models
 * of real SageMaker training logs); for multiclass_classifier as many
 * models as fit in 32 output columns, max(1, 32 / num_classes) (3 for 10
 * classes), so that a 10-class run costs what a binary one does.  Under
 * automatic model tuning (_tuning_objective_metric given) num_models is 1,
 * as documented.
 *
 * The grid.  Model i of M (i = 0 trains exactly the given settings, "auto"
 * resolved as above; the others "close parameters", as documented):
 *   a = i mod 8 picks a learning-rate factor  1, 10, 0.1, 3, 0.3, 30, 0.03, 0.01
 *   r = (i div 8) mod 4 picks the regularisation:
 *       wd auto:  0, 1e-4, 1e-2, 1e-3      wd given w:  w, w/10, 10w, w/100
 *       l1 auto:  0, 0, 0, 1e-5            l1 given v:  v, v/10, 10v, v/100
 *       scheduler autos: r even -> (step 100, min 1e-5), odd -> (10, 1e-4)
 *   s = i div 32 (more than 32 models) scales the learning rate by 0.7^s.
 * So the first models differ in learning rate, then in regularisation.
 *
 * The loss / predictor_type matrix (SageMaker's documentation lists the
 * losses per predictor_type; builtin-algorithms.md marks the matrix
 * unverified): regressor: squared_loss (auto), absolute_loss,
 * eps_insensitive_squared_loss, eps_insensitive_absolute_loss,
 * quantile_loss, huber_loss; binary_classifier: logistic (auto),
 * hinge_loss; multiclass_classifier: softmax_loss (auto).  Others are a
 * HyperparameterError from check().
 */
#include "linear.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the schema --------------------------------------------------------- */

static const char *const auto_word[] = {"auto", NULL};
static const char *const weight_words[] = {"auto", "balanced", NULL};
static const char *const predictor_choices[] = {
    "binary_classifier", "multiclass_classifier", "regressor", NULL};
static const char *const criteria_choices[] = {
    "accuracy", "f_beta", "precision_at_target_recall",
    "recall_at_target_precision", "loss_function", "f1", "cross_entropy_loss",
    NULL};
static const char *const init_choices[] = {"uniform", "normal", NULL};
static const char *const loss_choices[] = {
    "auto", "logistic", "squared_loss", "absolute_loss", "hinge_loss",
    "eps_insensitive_squared_loss", "eps_insensitive_absolute_loss",
    "quantile_loss", "huber_loss", "softmax_loss", NULL};
static const char *const optimizer_choices[] = {"auto", "sgd", "adam",
                                                "rmsprop", NULL};

#define MIN KILN_HP_MIN
#define MIN_OPEN KILN_HP_MIN_OPEN
#define MAX KILN_HP_MAX
#define MAX_OPEN KILN_HP_MAX_OPEN

static const kiln_hp_spec schema[] = {
    {.name = "predictor_type", .type = KILN_HP_CHOICE,
     .flags = KILN_HP_REQUIRED, .choices = predictor_choices,
     .doc = "binary_classifier, multiclass_classifier or regressor"},
    {.name = "num_classes", .type = KILN_HP_INT, .flags = MIN | MAX,
     .min = 1, .max = 1000000,
     .doc = "the number of classes, 3 to 1000000; required for "
            "multiclass_classifier"},
    {.name = "feature_dim", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "auto", .min = 1, .words = auto_word,
     .doc = "the number of features (auto: from the data)"},
    {.name = "accuracy_top_k", .type = KILN_HP_INT, .flags = MIN | MAX,
     .default_value = "3", .min = 1, .max = 1000000,
     .doc = "k of the multiclass top-k accuracy metric"},
    {.name = "balance_multiclass_weights", .type = KILN_HP_BOOL,
     .default_value = "false",
     .doc = "weight the classes so that each matters equally in the loss"},
    {.name = "beta_1", .type = KILN_HP_FLOAT, .flags = MIN | MAX_OPEN,
     .default_value = "auto", .min = 0, .max = 1, .words = auto_word,
     .doc = "adam's decay rate of the first moment (auto: 0.9)"},
    {.name = "beta_2", .type = KILN_HP_FLOAT, .flags = MIN | MAX_OPEN,
     .default_value = "auto", .min = 0, .max = 1, .words = auto_word,
     .doc = "adam's decay rate of the second moment (auto: 0.999)"},
    {.name = "bias_lr_mult", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "auto", .min = 0, .words = auto_word,
     .doc = "the bias's learning rate is learning_rate times this (auto: 10)"},
    {.name = "bias_wd_mult", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "auto", .min = 0, .words = auto_word,
     .doc = "the bias's l2 weight is wd times this (auto: 0)"},
    {.name = "binary_classifier_model_selection_criteria",
     .type = KILN_HP_CHOICE, .default_value = "accuracy",
     .choices = criteria_choices,
     .doc = "how a binary classifier is chosen among the models"},
    {.name = "early_stopping_patience", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "3", .min = 1,
     .doc = "epochs without improvement before training stops"},
    {.name = "early_stopping_tolerance", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN, .default_value = "0.001", .min = 0,
     .doc = "relative improvement below which the loss has not improved"},
    {.name = "epochs", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "15", .min = 1,
     .doc = "the maximum number of passes over the training data"},
    {.name = "f_beta", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "1.0", .min = 0,
     .doc = "beta of the F-score metrics and the f_beta criterion"},
    {.name = "huber_delta", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "1.0", .min = 0,
     .doc = "huber_loss: quadratic below delta, linear above"},
    {.name = "init_bias", .type = KILN_HP_FLOAT, .default_value = "0",
     .doc = "the initial bias"},
    {.name = "init_method", .type = KILN_HP_CHOICE, .default_value = "uniform",
     .choices = init_choices,
     .doc = "the distribution of the initial weights"},
    {.name = "init_scale", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "0.07", .min = 0,
     .doc = "uniform initial weights lie in [-init_scale, init_scale]"},
    {.name = "init_sigma", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "0.01", .min = 0,
     .doc = "the standard deviation of normal initial weights"},
    {.name = "l1", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "auto", .min = 0, .words = auto_word,
     .doc = "the l1 regularisation weight"},
    {.name = "learning_rate", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "auto", .min = 0, .words = auto_word,
     .doc = "the optimizer's step size (auto: adam 0.01, rmsprop 0.01, "
            "sgd 0.001)"},
    {.name = "loss", .type = KILN_HP_CHOICE, .default_value = "auto",
     .choices = loss_choices,
     .doc = "the loss (auto: logistic, softmax_loss or squared_loss)"},
    {.name = "loss_insensitivity", .type = KILN_HP_FLOAT, .flags = MIN_OPEN,
     .default_value = "0.01", .min = 0,
     .doc = "eps_insensitive losses: errors below this count as zero"},
    {.name = "lr_scheduler_factor", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX_OPEN, .default_value = "auto", .min = 0, .max = 1,
     .words = auto_word,
     .doc = "the learning rate is multiplied by this every lr_scheduler_step"},
    {.name = "lr_scheduler_minimum_lr", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN, .default_value = "auto", .min = 0, .words = auto_word,
     .doc = "the learning rate never falls below this"},
    {.name = "lr_scheduler_step", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "auto", .min = 1, .words = auto_word,
     .doc = "updates between learning-rate decreases"},
    {.name = "margin", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "1.0", .min = 0, .doc = "the margin of hinge_loss"},
    {.name = "mini_batch_size", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "1000", .min = 1, .doc = "rows per mini-batch"},
    {.name = "momentum", .type = KILN_HP_FLOAT, .flags = MIN | MAX_OPEN,
     .default_value = "auto", .min = 0, .max = 1, .words = auto_word,
     .doc = "sgd's momentum (auto: 0.9)"},
    {.name = "normalize_data", .type = KILN_HP_BOOL, .default_value = "true",
     .words = auto_word,
     .doc = "scale the features to unit standard deviation (true, false or "
            "auto)"},
    {.name = "normalize_label", .type = KILN_HP_BOOL, .default_value = "auto",
     .words = auto_word,
     .doc = "scale the label (auto: for regressor only; true, false or auto)"},
    {.name = "num_calibration_samples", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "auto", .min = 1, .words = auto_word,
     .doc = "rows used to choose the model and calibrate its threshold "
            "(auto: 10000000)"},
    {.name = "num_models", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "auto", .min = 1, .words = auto_word,
     .doc = "models trained in parallel (auto: 32, multiclass 32 / "
            "num_classes)"},
    {.name = "num_point_for_scaler", .type = KILN_HP_INT, .flags = MIN,
     .default_value = "10000", .min = 1,
     .doc = "rows used to compute the normalisation"},
    {.name = "optimizer", .type = KILN_HP_CHOICE, .default_value = "auto",
     .choices = optimizer_choices,
     .doc = "sgd, adam or rmsprop (auto: adam)"},
    {.name = "positive_example_weight_mult", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN, .default_value = "1.0", .min = 0,
     .words = weight_words,
     .doc = "the weight of positive examples (binary; auto or balanced)"},
    {.name = "quantile", .type = KILN_HP_FLOAT, .flags = MIN_OPEN | MAX_OPEN,
     .default_value = "0.5", .min = 0, .max = 1,
     .doc = "the quantile of quantile_loss"},
    {.name = "target_precision", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX_OPEN, .default_value = "0.8", .min = 0, .max = 1,
     .doc = "the precision recall_at_target_precision holds"},
    {.name = "target_recall", .type = KILN_HP_FLOAT,
     .flags = MIN_OPEN | MAX_OPEN, .default_value = "0.8", .min = 0, .max = 1,
     .doc = "the recall precision_at_target_recall holds"},
    {.name = "unbias_data", .type = KILN_HP_BOOL, .default_value = "auto",
     .words = auto_word,
     .doc = "shift the features to mean 0 (auto: with use_bias, dense data)"},
    {.name = "unbias_label", .type = KILN_HP_BOOL, .default_value = "auto",
     .words = auto_word,
     .doc = "shift the label to mean 0 (auto: regressor with use_bias)"},
    {.name = "use_bias", .type = KILN_HP_BOOL, .default_value = "true",
     .doc = "whether the model has a bias (intercept)"},
    {.name = "use_lr_scheduler", .type = KILN_HP_BOOL, .default_value = "true",
     .doc = "whether the learning rate decreases during training"},
    {.name = "wd", .type = KILN_HP_FLOAT, .flags = MIN,
     .default_value = "auto", .min = 0, .words = auto_word,
     .doc = "the l2 regularisation weight (weight decay)"},
    {0},
};

#undef MIN
#undef MIN_OPEN
#undef MAX
#undef MAX_OPEN

/* ---- metric definitions ---------------------------------------------------
 *
 * SageMaker's MetricDefinitions for linear-learner (a real
 * DescribeHyperParameterTuningJob dump; builtin-algorithms.md §0), plus
 * the same pattern for the values kiln also prints: rmse and roc_auc_score
 * (listed by the documentation), the train: and test: variants of every
 * validation: metric, multiclass_balanced_accuracy and multiclass_log_loss
 * (printed by the 2024 container).  Regexes are Python `re` syntax. */

#define QM "#quality_metric: host=\\S+, "
#define FINAL(ch, what, kind) QM ch " " what " <" kind ">=(\\S+)"
#define CHANNEL_METRICS(ch)                                                   \
    {ch ":binary_classification_accuracy", true,                              \
     FINAL(ch, "binary_classification_accuracy", "score")},                  \
    {ch ":binary_f_beta", true, FINAL(ch, "binary_f_\\S+", "score")},          \
    {ch ":precision", true, FINAL(ch, "precision", "score")},                 \
    {ch ":recall", true, FINAL(ch, "recall", "score")},                       \
    {ch ":roc_auc_score", true, FINAL(ch, "roc_auc_score", "score")},         \
    {ch ":mse", false, FINAL(ch, "mse", "loss")},                             \
    {ch ":absolute_loss", false, FINAL(ch, "absolute_loss", "loss")},         \
    {ch ":rmse", false, FINAL(ch, "rmse", "loss")},                           \
    {ch ":multiclass_accuracy", true, FINAL(ch, "multiclass_accuracy", "score")}, \
    {ch ":multiclass_top_k_accuracy", true,                                   \
     FINAL(ch, "multiclass_top_k_accuracy_\\S+", "score")},                   \
    {ch ":dcg", true, FINAL(ch, "dcg", "score")},                             \
    {ch ":macro_f_beta", true, FINAL(ch, "macro_f_\\S+", "score")},           \
    {ch ":macro_precision", true, FINAL(ch, "macro_precision", "score")},     \
    {ch ":macro_recall", true, FINAL(ch, "macro_recall", "score")},           \
    {ch ":multiclass_balanced_accuracy", true,                                \
     FINAL(ch, "multiclass_balanced_accuracy", "score")},                     \
    {ch ":multiclass_log_loss", false,                                        \
     FINAL(ch, "multiclass_log_loss", "score")}

static const kiln_metric_def metrics[] = {
    {"train:progress", true, "#progress_metric: host=\\S+, completed (\\S+) %"},
    {"train:throughput", true,
     "#throughput_metric: host=\\S+, train throughput=(\\S+) records/second"},
    {"train:objective_loss", false,
     QM "epoch=\\S+, train \\S+_objective <loss>=(\\S+)"},
    {"validation:objective_loss", false,
     QM "epoch=\\S+, validation \\S+_objective <loss>=(\\S+)"},
    {"train:objective_loss:final", false,
     QM "train \\S+_objective <loss>=(\\S+)"},
    {"validation:objective_loss:final", false,
     QM "validation \\S+_objective <loss>=(\\S+)"},
    {"test:objective_loss", false, QM "test \\S+_objective <loss>=(\\S+)"},
    CHANNEL_METRICS("test"),
    CHANNEL_METRICS("validation"),
    CHANNEL_METRICS("train"),
    {0},
};

#undef CHANNEL_METRICS
#undef FINAL
#undef QM

static const char *const channels[] = {"train", "validation", "test", NULL};
static const kiln_format formats[] = {KILN_FORMAT_CSV, KILN_FORMAT_RECORDIO,
                                      KILN_FORMAT_UNKNOWN};

/* ---- check ------------------------------------------------------------ */

static const char *const regressor_losses[] = {
    "auto", "squared_loss", "absolute_loss", "eps_insensitive_squared_loss",
    "eps_insensitive_absolute_loss", "quantile_loss", "huber_loss", NULL};
static const char *const binary_losses[] = {"auto", "logistic", "hinge_loss",
                                            NULL};
static const char *const multiclass_losses[] = {"auto", "softmax_loss", NULL};

static int check(const kiln_hparams *hp, kiln_error *err)
{
    const char *pred = kiln_hp_str(hp, "predictor_type");
    const char *const *allowed = regressor_losses;
    if (strcmp(pred, "binary_classifier") == 0)
        allowed = binary_losses;
    else if (strcmp(pred, "multiclass_classifier") == 0) {
        allowed = multiclass_losses;
        if (!kiln_hp_given(hp, "num_classes"))
            return kiln_error_set(
                err, KILN_HYPERPARAMETER,
                "num_classes is required when predictor_type is "
                "multiclass_classifier (an integer from 3 to 1000000)");
        if (kiln_hp_int(hp, "num_classes") < 3)
            return kiln_error_set(
                err, KILN_HYPERPARAMETER,
                "num_classes must be an integer from 3 to 1000000 for "
                "multiclass_classifier, got '%s' (use binary_classifier for "
                "two classes)",
                kiln_hp_str(hp, "num_classes"));
    }
    const char *loss = kiln_hp_str(hp, "loss");
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, loss) == 0)
            return KILN_OK;
    char list[256] = "";
    for (const char *const *a = allowed; *a; a++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 a == allowed ? "" : a[1] ? ", " : " or ", *a);
    return kiln_error_set(err, KILN_HYPERPARAMETER,
                          "loss '%s' cannot be used with predictor_type %s "
                          "(use %s)",
                          loss, pred, list);
}

/* ---- resolving the configuration ------------------------------------- */

static const double lr_factors[8] = {1, 10, 0.1, 3, 0.3, 30, 0.03, 0.01};
static const double wd_auto[4] = {0, 1e-4, 1e-2, 1e-3};
static const double l1_auto[4] = {0, 0, 0, 1e-5};
static const double reg_factors[4] = {1, 0.1, 10, 0.01};

double kiln__linear_auto_lr(kiln__linear_optimizer opt)
{
    switch (opt) {
    case KILN__OPT_ADAM:
        return 0.01;
    case KILN__OPT_RMSPROP:
        return 0.01;
    case KILN__OPT_SGD:
        return 0.001;
    }
    return 0.01;
}

const char *kiln__linear_optimizer_name(kiln__linear_optimizer opt)
{
    switch (opt) {
    case KILN__OPT_SGD:
        return "sgd";
    case KILN__OPT_ADAM:
        return "adam";
    case KILN__OPT_RMSPROP:
        return "rmsprop";
    }
    return "adam";
}

/* A FLOAT hyperparameter, or `dflt` when it is the word auto. */
static double float_or(const kiln_hparams *hp, const char *name, double dflt)
{
    return kiln_hp_is(hp, name, "auto") ? dflt : kiln_hp_float(hp, name);
}

/* A BOOL that may be auto: 1, 0, or -1 for auto. */
static int tristate(const kiln_hparams *hp, const char *name)
{
    if (kiln_hp_is(hp, name, "auto"))
        return -1;
    return kiln_hp_bool(hp, name) ? 1 : 0;
}

int kiln__linear_config_init(kiln__linear_config *cfg, const kiln_hparams *hp,
                             kiln_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    const char *pred = kiln_hp_str(hp, "predictor_type");
    if (strcmp(pred, "binary_classifier") == 0)
        cfg->predictor = KILN__LINEAR_BINARY;
    else if (strcmp(pred, "multiclass_classifier") == 0)
        cfg->predictor = KILN__LINEAR_MULTICLASS;
    else
        cfg->predictor = KILN__LINEAR_REGRESSOR;
    cfg->num_classes = cfg->predictor == KILN__LINEAR_MULTICLASS
                           ? (size_t)kiln_hp_int(hp, "num_classes")
                           : 0;
    cfg->outputs = cfg->num_classes ? cfg->num_classes : 1;
    cfg->feature_dim = kiln_hp_is(hp, "feature_dim", "auto")
                           ? 0
                           : (size_t)kiln_hp_int(hp, "feature_dim");

    const char *loss = kiln_hp_str(hp, "loss");
    int kind = kiln__linear_loss_parse(loss);
    if (kind < 0)
        kind = cfg->predictor == KILN__LINEAR_BINARY       ? KILN__LOSS_LOGISTIC
               : cfg->predictor == KILN__LINEAR_MULTICLASS ? KILN__LOSS_SOFTMAX
                                                           : KILN__LOSS_SQUARED;
    cfg->loss.kind = (kiln__linear_loss_kind)kind;
    cfg->loss.margin = kiln_hp_float(hp, "margin");
    cfg->loss.epsilon = kiln_hp_float(hp, "loss_insensitivity");
    cfg->loss.quantile = kiln_hp_float(hp, "quantile");
    cfg->loss.delta = kiln_hp_float(hp, "huber_delta");

    const char *opt = kiln_hp_str(hp, "optimizer");
    cfg->optimizer = strcmp(opt, "sgd") == 0       ? KILN__OPT_SGD
                     : strcmp(opt, "rmsprop") == 0 ? KILN__OPT_RMSPROP
                                                   : KILN__OPT_ADAM;
    cfg->beta1 = float_or(hp, "beta_1", 0.9);
    cfg->beta2 = float_or(hp, "beta_2", 0.999);
    cfg->momentum = float_or(hp, "momentum", 0.9);
    cfg->bias_lr_mult = float_or(hp, "bias_lr_mult", 10.0);
    cfg->bias_wd_mult = float_or(hp, "bias_wd_mult", 0.0);
    cfg->use_bias = kiln_hp_bool(hp, "use_bias");
    cfg->use_lr_scheduler = kiln_hp_bool(hp, "use_lr_scheduler");
    cfg->init_normal = strcmp(kiln_hp_str(hp, "init_method"), "normal") == 0;
    cfg->init_scale = kiln_hp_float(hp, "init_scale");
    cfg->init_sigma = kiln_hp_float(hp, "init_sigma");
    cfg->init_bias = kiln_hp_float(hp, "init_bias");

    cfg->epochs = kiln_hp_int(hp, "epochs");
    cfg->mini_batch_size = kiln_hp_int(hp, "mini_batch_size");
    cfg->normalize_data = tristate(hp, "normalize_data") != 0;
    int nl = tristate(hp, "normalize_label");
    cfg->normalize_label = cfg->predictor == KILN__LINEAR_REGRESSOR && nl != 0;
    cfg->unbias_data = tristate(hp, "unbias_data");
    cfg->unbias_label = tristate(hp, "unbias_label");
    if (cfg->unbias_label < 0)
        cfg->unbias_label =
            cfg->predictor == KILN__LINEAR_REGRESSOR && cfg->use_bias;
    if (cfg->predictor != KILN__LINEAR_REGRESSOR)
        cfg->unbias_label = 0;
    cfg->num_point_for_scaler = kiln_hp_int(hp, "num_point_for_scaler");
    cfg->num_calibration_samples =
        kiln_hp_is(hp, "num_calibration_samples", "auto")
            ? 10000000
            : kiln_hp_int(hp, "num_calibration_samples");

    const char *crit = kiln_hp_str(hp, "binary_classifier_model_selection_criteria");
    cfg->f_beta = kiln_hp_float(hp, "f_beta");
    cfg->criterion = KILN__SEL_ACCURACY;
    cfg->select_beta = cfg->f_beta;
    if (strcmp(crit, "f_beta") == 0)
        cfg->criterion = KILN__SEL_F_BETA;
    else if (strcmp(crit, "f1") == 0) {
        cfg->criterion = KILN__SEL_F_BETA;
        cfg->select_beta = 1.0;
    } else if (strcmp(crit, "precision_at_target_recall") == 0)
        cfg->criterion = KILN__SEL_PRECISION_AT_RECALL;
    else if (strcmp(crit, "recall_at_target_precision") == 0)
        cfg->criterion = KILN__SEL_RECALL_AT_PRECISION;
    else if (strcmp(crit, "loss_function") == 0 ||
             strcmp(crit, "cross_entropy_loss") == 0)
        cfg->criterion = KILN__SEL_LOSS;
    cfg->target_precision = kiln_hp_float(hp, "target_precision");
    cfg->target_recall = kiln_hp_float(hp, "target_recall");
    cfg->accuracy_top_k = kiln_hp_int(hp, "accuracy_top_k");
    cfg->early_stopping_patience = kiln_hp_int(hp, "early_stopping_patience");
    cfg->early_stopping_tolerance = kiln_hp_float(hp, "early_stopping_tolerance");

    cfg->pos_mode = kiln_hp_is(hp, "positive_example_weight_mult", "balanced")
                        ? KILN__POS_BALANCED
                    : kiln_hp_is(hp, "positive_example_weight_mult", "auto")
                        ? KILN__POS_AUTO
                        : KILN__POS_VALUE;
    cfg->pos_weight = cfg->pos_mode == KILN__POS_VALUE
                          ? kiln_hp_float(hp, "positive_example_weight_mult")
                          : 1.0;
    cfg->balance_multiclass_weights =
        kiln_hp_bool(hp, "balance_multiclass_weights");

    /* Automatic model tuning turns the internal tuning off: num_models is 1
     * whatever was given (documented; AMT adds _tuning_objective_metric). */
    if (kiln_hp_str(hp, "_tuning_objective_metric") != NULL)
        cfg->num_models = 1;
    else if (kiln_hp_is(hp, "num_models", "auto"))
        cfg->num_models = cfg->predictor == KILN__LINEAR_MULTICLASS
                              ? (cfg->outputs >= 32 ? 1 : 32 / cfg->outputs)
                              : 32;
    else
        cfg->num_models = (size_t)kiln_hp_int(hp, "num_models");

    cfg->models = calloc(cfg->num_models, sizeof *cfg->models);
    if (cfg->models == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate the settings of %zu models",
                              cfg->num_models);

    bool lr_auto = kiln_hp_is(hp, "learning_rate", "auto");
    double lr0 = lr_auto ? kiln__linear_auto_lr(cfg->optimizer)
                         : kiln_hp_float(hp, "learning_rate");
    bool wd_given = !kiln_hp_is(hp, "wd", "auto");
    bool l1_given = !kiln_hp_is(hp, "l1", "auto");
    double wd0 = wd_given ? kiln_hp_float(hp, "wd") : 0;
    double l10 = l1_given ? kiln_hp_float(hp, "l1") : 0;
    for (size_t i = 0; i < cfg->num_models; i++) {
        kiln__linear_mparams *m = &cfg->models[i];
        size_t a = i % 8, r = (i / 8) % 4, s = i / 32;
        m->lr = lr0 * lr_factors[a] * pow(0.7, (double)s);
        m->wd = wd_given ? wd0 * reg_factors[r] : wd_auto[r];
        m->l1 = l1_given ? l10 * reg_factors[r] : l1_auto[r];
        m->sched_step = kiln_hp_is(hp, "lr_scheduler_step", "auto")
                            ? (r % 2 == 0 ? 100 : 10)
                            : kiln_hp_int(hp, "lr_scheduler_step");
        m->sched_factor = float_or(hp, "lr_scheduler_factor", 0.99);
        m->sched_min_lr = float_or(hp, "lr_scheduler_minimum_lr",
                                   r % 2 == 0 ? 1e-5 : 1e-4);
        m->balanced = cfg->pos_mode == KILN__POS_BALANCED ||
                      (cfg->pos_mode == KILN__POS_AUTO && r >= 2);
        m->pos_weight = cfg->pos_weight;
    }
    return KILN_OK;
}

void kiln__linear_config_fini(kiln__linear_config *cfg)
{
    free(cfg->models);
    cfg->models = NULL;
}

/* ---- the descriptor ---------------------------------------------------- */

const kiln_algo kiln_algo_linear_learner = {
    .name = "linear-learner",
    .title = "Linear Learner",
    .problem = "classification and regression",
    .summary =
        "Linear models for regression, binary and multiclass classification, "
        "trained by mini-batch SGD, Adam or RMSProp.  Many models with "
        "different learning rates and regularisation train in parallel on "
        "the same mini-batches; the best on the validation channel (or a "
        "sample of the training data) is kept, and a binary classifier's "
        "threshold is calibrated for the selection criterion.  Features are "
        "normalised during training and the normalisation is folded into "
        "the saved weights.",
    .flags = KILN_ALGO_SUPERVISED,
    .hparams = schema,
    .metrics = metrics,
    .channels = channels,
    .formats = formats,
    .outputs = "score, predicted_label",
    .response_key = "predictions",
    .request_types = kiln_first_party_requests,
    .response_types = kiln_first_party_responses,
    .response_fields = NULL,
    .check = check,
    .train = kiln__linear_train,
    .features = kiln__linear_features,
    .predict = kiln__linear_predict,
    .save = kiln__linear_save,
    .load = kiln__linear_load,
    .free = kiln__linear_free,
};
