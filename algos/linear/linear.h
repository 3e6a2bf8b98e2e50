/* kiln — linear learner, internal interface (not installed; the one exported
 * symbol is the descriptor kiln_algo_linear_learner in linear_algo.c).
 *
 * SageMaker's linear learner (shared/reference/builtin-algorithms.md §1)
 * trains num_models linear models at once on the same mini-batches, each
 * with its own learning rate, regularisation and schedule, then keeps the
 * one that does best on the validation channel (or a sample of the training
 * data).  The files:
 *
 *   linear_algo.c     the descriptor: hyperparameter schema, metric
 *                     definitions, check(); resolving "auto" values and the
 *                     grid of per-model settings (kiln__linear_config)
 *   linear_loss.c     the losses: value and gradient with respect to the
 *                     scores, their SageMaker objective names
 *   linear_optim.c    sgd (momentum), adam, rmsprop; the proximal l1 step;
 *                     the learning-rate schedule
 *   linear_train.c    the training run: checks, scaler, epochs, early
 *                     stopping, selection, the final model and its scores
 *   linear_batch.c    one mini-batch of all models as matrix products
 *                     (cblas_sgemm), and evaluating every model
 *   linear_metrics.c  evaluation metrics, threshold calibration, the
 *                     selection criteria, the log lines of final scores
 *   linear_model.c    the trained model: predict, free
 *   linear_io.c       the artifact: model_algo-1, a ZIP of SageMaker's four
 *                     members (libarchive), read back the same way
 *   linear_json.c     the few JSON texts the artifact holds: a small reader
 *
 * Layout conventions used throughout:
 *   D  features, K outputs per model (1, or num_classes), M models,
 *   C = M * K columns.  Weights of all models are one D x C row-major
 *   matrix (column m*K + k is output k of model m), so a mini-batch of all
 *   models is one product (B x D) . (D x C).  The saved model keeps
 *   MXNet's `dot` convention: fc0_weight is (D, K), fc0_bias is (1, K).
 *
 * Threads: everything here runs on the caller's thread except the work
 * handed to kiln_par_range (algos/par.h) and OpenBLAS.  A model is read-only once
 * built; predict may run on many threads at once.
 */
#ifndef KILN_ALGOS_LINEAR_LINEAR_H
#define KILN_ALGOS_LINEAR_LINEAR_H

#include "algos/algo.h"
#include "algos/hparams.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- kinds ------------------------------------------------------------ */

typedef enum kiln__linear_predictor {
    KILN__LINEAR_BINARY,
    KILN__LINEAR_MULTICLASS,
    KILN__LINEAR_REGRESSOR,
} kiln__linear_predictor;

typedef enum kiln__linear_loss_kind {
    KILN__LOSS_LOGISTIC,
    KILN__LOSS_HINGE,
    KILN__LOSS_SOFTMAX,
    KILN__LOSS_SQUARED,
    KILN__LOSS_ABSOLUTE,
    KILN__LOSS_EPS_SQUARED,
    KILN__LOSS_EPS_ABSOLUTE,
    KILN__LOSS_QUANTILE,
    KILN__LOSS_HUBER,
} kiln__linear_loss_kind;

/* A loss with its parameters (the unused ones are 0). */
typedef struct kiln__linear_loss {
    kiln__linear_loss_kind kind;
    double margin;      /* hinge_loss */
    double epsilon;     /* eps_insensitive_*: loss_insensitivity */
    double quantile;    /* quantile_loss */
    double delta;       /* huber_loss: huber_delta */
} kiln__linear_loss;

typedef enum kiln__linear_optimizer {
    KILN__OPT_SGD,
    KILN__OPT_ADAM,
    KILN__OPT_RMSPROP,
} kiln__linear_optimizer;

/* binary_classifier_model_selection_criteria (f1 is f_beta with beta 1,
 * cross_entropy_loss is loss_function). */
typedef enum kiln__linear_criterion {
    KILN__SEL_ACCURACY,
    KILN__SEL_F_BETA,
    KILN__SEL_PRECISION_AT_RECALL,
    KILN__SEL_RECALL_AT_PRECISION,
    KILN__SEL_LOSS,
} kiln__linear_criterion;

/* positive_example_weight_mult */
typedef enum kiln__linear_posweight {
    KILN__POS_VALUE,    /* the number given (default 1.0) */
    KILN__POS_BALANCED, /* negatives / positives of the training labels */
    KILN__POS_AUTO,     /* half the models 1.0, half balanced (the grid) */
} kiln__linear_posweight;

/* ---- losses (linear_loss.c) ------------------------------------------ */

/* The loss of one row for one model and its gradient with respect to the
 * model's K scores z (K = 1 except softmax).  y is the label (0/1 for the
 * binary losses, the class for softmax, the target for regression).  g
 * receives dL/dz (K values); it may be NULL, or z itself (the scores are
 * read before the gradient is written).  Returns the loss. */
double kiln__linear_loss_eval(const kiln__linear_loss *l, const float *z,
                              size_t k, float y, float *g);

/* SageMaker's name for the loss in the log: "mse_objective",
 * "binary_classification_cross_entropy_objective", ... (static). */
const char *kiln__linear_loss_objective(kiln__linear_loss_kind kind);
/* The hyperparameter value naming the loss: "squared_loss", "logistic" ... */
const char *kiln__linear_loss_hp_name(kiln__linear_loss_kind kind);
/* The kind called name (a `loss` value other than auto); -1 if none. */
int kiln__linear_loss_parse(const char *name);

/* ---- optimizers (linear_optim.c) -------------------------------------- */

/* Per-column settings of one update (C columns; column c belongs to model
 * c / K).  lr is already scheduled; for the bias row the caller passes the
 * bias multipliers folded into lr and wd. */
typedef struct kiln__linear_step {
    kiln__linear_optimizer opt;
    double beta1, beta2;     /* adam */
    double momentum;         /* sgd */
    double rho;              /* rmsprop decay (0.9) */
    double epsilon;          /* adam and rmsprop (1e-8) */
    int64_t t;               /* 1-based update count (adam's bias correction) */
} kiln__linear_step;

/* One optimizer step on rows [r0, r1) of a rows x C parameter matrix w with
 * gradient g (same shape), state s1 and s2 (same shape; sgd uses s1 as the
 * velocity, adam s1/s2 as the moments, rmsprop s1 as the mean square).
 * lr, wd, l1: per column.  The l2 term wd * w is added to the gradient
 * (MXNet's convention: the penalty is wd/2 * w^2); after the step, l1 > 0
 * soft-thresholds each weight by lr * l1 (the proximal step of l1 * |w|). */
void kiln__linear_optim_rows(const kiln__linear_step *st, size_t c, size_t r0,
                             size_t r1, float *w, const float *g, float *s1,
                             float *s2, const float *lr, const float *wd,
                             const float *l1);

/* MXNet's FactorScheduler: base * factor^floor(t / step), never below
 * min_lr (nor raised above base when min_lr > base).  t counts updates
 * from 0. */
double kiln__linear_schedule(double base, int64_t t, int64_t step,
                             double factor, double min_lr);

/* Soft-thresholding: sign(w) * max(|w| - tau, 0). */
float kiln__linear_soft_threshold(float w, float tau);

/* ---- configuration (linear_algo.c) ------------------------------------ */

/* The settings of one of the parallel models. */
typedef struct kiln__linear_mparams {
    double lr, wd, l1;
    int64_t sched_step;
    double sched_factor, sched_min_lr;
    bool balanced;        /* positive weight = negatives / positives */
    double pos_weight;    /* else this (binary only) */
} kiln__linear_mparams;

/* The hyperparameters with every "auto" resolved (except what needs the
 * data: balanced weights, the sparse-data rules of unbias_data). */
typedef struct kiln__linear_config {
    kiln__linear_predictor predictor;
    kiln__linear_loss loss;
    size_t num_classes;      /* multiclass; 0 otherwise */
    size_t outputs;          /* K */
    size_t feature_dim;      /* 0 for auto */

    kiln__linear_optimizer optimizer;
    double beta1, beta2, momentum;
    double bias_lr_mult, bias_wd_mult;
    bool use_bias, use_lr_scheduler;
    bool init_normal;
    double init_scale, init_sigma, init_bias;

    int64_t epochs, mini_batch_size;
    bool normalize_data, normalize_label;
    int unbias_data, unbias_label;  /* 1, 0, or -1 for auto */
    int64_t num_point_for_scaler;
    int64_t num_calibration_samples;

    kiln__linear_criterion criterion;
    double f_beta, target_precision, target_recall;
    double select_beta;      /* f_beta, or 1 for the f1 criterion */
    int64_t accuracy_top_k;
    int64_t early_stopping_patience;
    double early_stopping_tolerance;

    kiln__linear_posweight pos_mode;
    double pos_weight;       /* KILN__POS_VALUE */
    bool balance_multiclass_weights;

    size_t num_models;
    kiln__linear_mparams *models; /* num_models; owned */
} kiln__linear_config;

/* Resolve hp (validated against the descriptor) into cfg.  KILN_OK or
 * KILN_NOMEM.  Free with kiln__linear_config_fini. */
int kiln__linear_config_init(kiln__linear_config *cfg, const kiln_hparams *hp,
                             kiln_error *err);
void kiln__linear_config_fini(kiln__linear_config *cfg);

/* "auto" learning rates per optimizer (documented in linear_algo.c). */
double kiln__linear_auto_lr(kiln__linear_optimizer opt);
const char *kiln__linear_optimizer_name(kiln__linear_optimizer opt);

/* ---- the model (linear_model.c) --------------------------------------- */

typedef struct kiln__linear_model {
    kiln__linear_predictor predictor;
    kiln__linear_loss loss;
    size_t features;      /* D */
    size_t outputs;       /* K */
    float *weight;        /* D x K row-major (fc0_weight, MXNet dot layout) */
    float *bias;          /* K (fc0_bias) */
    double threshold;     /* binary: positive iff score > threshold */
    /* carried into additional-params.json */
    double f_beta;                /* 0 when not applicable (null) */
    int64_t accuracy_top_k;
    double positive_example_weight_mult;
    float *class_weights;         /* K, or NULL */
    double bias_lr_mult;          /* the fc0_bias __lr_mult__ attribute */
} kiln__linear_model;

/* A model with zeroed D x K weights; NULL when out of memory (err says the
 * size). */
kiln__linear_model *kiln__linear_model_new(kiln__linear_predictor pred,
                                           const kiln__linear_loss *loss,
                                           size_t features, size_t outputs,
                                           kiln_error *err);
void kiln__linear_model_free(kiln__linear_model *m);

/* Raw scores z = x . W + b of rows [r0, r1) of x into z ((r1 - r0) x K). */
void kiln__linear_model_scores(const kiln__linear_model *m,
                               const kiln_dataset *x, size_t r0, size_t r1,
                               float *z);

/* The descriptor's functions. */
int kiln__linear_predict(const void *model, const kiln_dataset *x,
                         kiln_predictions *out, kiln_error *err);
size_t kiln__linear_features(const void *model);
void kiln__linear_free(void *model);

double kiln__linear_sigmoid(double z);

/* ---- training (linear_train.c, linear_batch.c) ------------------------ */

int kiln__linear_train(const kiln_train_ctx *ctx, void **model,
                       kiln_error *err);

/* The state of a training run: all models' parameters and the buffers of
 * one mini-batch.  Owned by linear_train.c; linear_batch.c does the
 * arithmetic of a mini-batch and of evaluating every model. */
typedef struct kiln__linear_trainer {
    const kiln_train_ctx *ctx;
    const kiln__linear_config *cfg;
    unsigned threads;
    size_t d, k, m, c;   /* features, outputs, models, columns (m * k) */
    size_t rows_buf;     /* rows the batch buffers hold */
    /* the scaler: x' = (x - mu) * isd, y' = (y - ymu) / ysd */
    float *mu, *isd;
    bool shift;          /* some mu is not 0 */
    double ymu, ysd;
    /* all models' parameters (d x c, and c), gradients, optimizer state */
    float *w, *gw, *s1, *s2;
    float *b, *gb, *sb1, *sb2;
    float *best_w, *best_b;
    bool have_best;
    /* the models folded into raw units, for evaluation (d x c, c) */
    float *fw, *fb;
    /* per-column settings of the current update */
    float *lr, *wd, *l1, *blr, *bwd, *nol1;
    double *pos_w;       /* m: weight of the positive rows (binary) */
    float *class_w;      /* k: class weights (multiclass), or NULL */
    /* batch buffers */
    float *xb;           /* rows_buf x d, normalised rows (dense data) */
    float *z;            /* rows_buf x c: scores, then their gradient */
    float *y, *rw;       /* rows_buf: labels as trained, row weights */
    float *colsum;       /* c: column sums of the gradient */
    float *shiftc;       /* c: sum_j mu_j isd_j W_j (sparse, shifted) */
    size_t parts_max;    /* row slices a batch is cut into (threads) */
    float *gw_part;      /* (parts_max - 1) x d x c partial gradients */
    float *colsum_part;  /* parts_max x c */
    double *lsum_part;   /* parts_max x m */
    double *wsum_part;   /* parts_max x m */
    double *lsum, *wsum; /* m: the epoch's weighted loss and weight */
    int64_t t;           /* updates done */
} kiln__linear_trainer;

/* One mini-batch, rows [r0, r0 + nb) of ds (at most rows_buf), for all
 * models: scores, losses (added to lsum/wsum), gradient, optimizer step. */
void kiln__linear_batch(kiln__linear_trainer *tr, const kiln_dataset *ds,
                        size_t r0, size_t nb);

/* The mean loss (raw label units, unweighted) of every model on the first
 * n rows of ds into loss (m values) and, if scores is not NULL, the
 * binary scores (P(1), or the margin) of the first score_rows rows
 * (score_rows x m, row-major).  The models are folded into raw units
 * first, as the saved model will be.  KILN_OK or KILN_INTERRUPTED. */
int kiln__linear_evaluate(kiln__linear_trainer *tr, const kiln_dataset *ds,
                          size_t n, double *loss, double *scores,
                          size_t score_rows, kiln_error *err);

/* Fold model `which`'s columns into raw units: weight (d rows of k values,
 * row f at weight + f * stride), bias (k). */
void kiln__linear_fold(const kiln__linear_trainer *tr, size_t which,
                       float *weight, size_t stride, float *bias);

/* ---- metrics (linear_metrics.c) --------------------------------------- */

/* Binary confusion counts at a threshold (positive iff score > thr). */
typedef struct kiln__linear_confusion {
    double tp, fp, tn, fn;
} kiln__linear_confusion;

void kiln__linear_confusion_at(const double *score, const float *label,
                               size_t n, double thr,
                               kiln__linear_confusion *out);
double kiln__linear_accuracy(const kiln__linear_confusion *c);
double kiln__linear_precision(const kiln__linear_confusion *c);
double kiln__linear_recall(const kiln__linear_confusion *c);
double kiln__linear_fbeta(const kiln__linear_confusion *c, double beta);

/* Area under the ROC curve (ties count half); NaN without both classes. */
double kiln__linear_roc_auc(const double *score, const float *label,
                            size_t n, kiln_error *err);

/* The threshold that does best on (score, label) for a selection
 * criterion: accuracy, f_beta, precision at target recall, recall at
 * target precision (SEL_LOSS keeps `fallback`).  *value gets the
 * criterion's value at that threshold.  KILN_OK or KILN_NOMEM. */
typedef struct kiln__linear_calibration {
    kiln__linear_criterion criterion;
    double beta, target_precision, target_recall;
    double fallback;        /* threshold for SEL_LOSS */
} kiln__linear_calibration;

int kiln__linear_calibrate(const kiln__linear_calibration *cal,
                           const double *score, const float *label, size_t n,
                           double *threshold, double *value, kiln_error *err);

/* Multiclass metrics of n rows of K probabilities (or scores). */
typedef struct kiln__linear_mc_metrics {
    double accuracy, top_k_accuracy, dcg;
    double macro_precision, macro_recall, macro_f_beta;
    double balanced_accuracy, log_loss;
} kiln__linear_mc_metrics;

int kiln__linear_multiclass_metrics(const float *prob, const float *label,
                                    size_t n, size_t k, int64_t top_k,
                                    double beta, kiln__linear_mc_metrics *out,
                                    kiln_error *err);

/* Log the final model's scores on a channel ("validation", "train" for
 * the calibration sample of the training data without a validation
 * channel, "test"): the "#<channel>_score (algo-1) : ('name', value)"
 * lines, then the "#quality_metric: host=algo-1, <channel> <name>
 * <loss|score>=<value>" lines the metric regexes read, and the metrics
 * themselves.  z: the model's raw scores of the n rows (n x K). */
int kiln__linear_report(const kiln_train_ctx *ctx, const char *channel,
                        const struct kiln__linear_model *m, const float *z,
                        const float *label, size_t n, kiln_error *err);

/* Python's repr of a float (shortest text that reads back the same double,
 * "1.0" rather than "1"), as SageMaker's Python container prints metric
 * values.  out must hold 32 bytes. */
void kiln__linear_repr(double v, char *out, size_t size);

/* ---- the artifact (linear_io.c) --------------------------------------- */

int kiln__linear_save(const void *model, const char *dir, kiln_error *err);
int kiln__linear_load(const char *dir, void **model, kiln_error *err);

/* The member texts of the ZIP, built from a model (for tests). */
int kiln__linear_symbol_json(const kiln__linear_model *m, kiln_buf *out);
int kiln__linear_params_json(const kiln__linear_model *m, kiln_buf *out);

/* Read a model from the bytes of model_algo-1 (what names them in errors). */
int kiln__linear_load_bytes(const void *zip, size_t len, const char *what,
                            kiln__linear_model **out, kiln_error *err);

/* ---- JSON (linear_json.c) ---------------------------------------------- */

/* A borrowed view of one JSON value inside a text. */
typedef struct kiln__json {
    const char *p;   /* first byte of the value */
    size_t len;      /* its length */
} kiln__json;

/* Check that text[0..len) is one JSON value (with surrounding space);
 * false with *at set to the offset of the first error. */
bool kiln__json_valid(const char *text, size_t len, size_t *at);
/* The member `key` of object v; false if v is not an object or lacks it. */
bool kiln__json_member(kiln__json v, const char *key, kiln__json *out);
/* The i-th element of array v. */
bool kiln__json_index(kiln__json v, size_t i, kiln__json *out);
bool kiln__json_is_null(kiln__json v);
/* A string value copied (unescaped) into out; false if not a string or it
 * does not fit. */
bool kiln__json_string(kiln__json v, char *out, size_t size);
bool kiln__json_number(kiln__json v, double *out);

#endif
