/* kiln — XGBoost, internal interface (not installed; the one exported
 * symbol is the descriptor kiln_algo_xgboost in xgb_algo.c).
 *
 * SageMaker's XGBoost 1.7-1 container runs the xgboost library 1.7.4
 * (shared/reference/builtin-algorithms.md §2).  kiln trains gradient
 * boosted trees itself, with xgboost's hyperparameters, objectives and
 * metric names, and writes `xgboost-model` in xgboost 1.7's JSON model
 * schema, which xgboost.Booster().load_model() reads whatever the file is
 * called (it looks at the first byte).  The files:
 *
 *   xgb_algo.c       the descriptor: hyperparameter schema (SageMaker's
 *                    1.7-1 validator), metric definitions, check()
 *   xgb_train.c      the boosting loop: base margin, gradients, one tree
 *                    per output group and round, evaluation lines,
 *                    early stopping, feature importance
 *   xgb_quantile.c   the histogram cuts of every feature (weighted
 *                    quantiles) and the quantised matrix (uint8 bins)
 *   xgb_hist.c       gradient histograms of a node's rows, subtraction
 *   xgb_grow.c       growing one tree: split finding with a learned
 *                    default direction for missing values, depthwise and
 *                    lossguide policies, row partitioning
 *   xgb_objective.c  the objectives: gradients, base score, transforms
 *   xgb_metric.c     the evaluation metrics, by xgboost's names
 *   xgb_model.c      the model: trees in xgboost's array layout, predict
 *   xgb_json.c       xgboost 1.7's JSON model: write and read (jansson)
 *   xgb_binary.c     xgboost's legacy binary model (what SageMaker's
 *                    container writes for `xgboost-model`): read
 *
 * Conventions: n rows, F features, K output groups (num_class for multi:*,
 * else 1).  Margins, predictions, gradients and hessians are n x K
 * row-major float arrays, as xgboost keeps them.  A feature value is
 * missing when it is NaN (dense rows) or absent (sparse rows); a tree
 * sends row x left at a numerical split when x[f] < split_condition, and
 * a missing value to the node's default side.
 *
 * Threads: the model is read-only once built; predict may run on many
 * threads at once.  Training uses kiln_par_* (algos/par.h).
 */
#ifndef KILN_ALGOS_XGBOOST_XGB_H
#define KILN_ALGOS_XGBOOST_XGB_H

#include "algos/algo.h"
#include "algos/hparams.h"

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- objectives (xgb_objective.c) ------------------------------------ */

typedef enum kiln__xgb_obj_kind {
    KILN__XGB_OBJ_REGRESSION, /* reg:*, count:poisson */
    KILN__XGB_OBJ_BINARY,     /* binary:* and reg:logistic */
    KILN__XGB_OBJ_MULTI,      /* multi:softmax, multi:softprob */
} kiln__xgb_obj_kind;

/* The parameters objectives read (xgboost's names). */
typedef struct kiln__xgb_obj_params {
    int num_class;                 /* multi:*; else 0 */
    double scale_pos_weight;       /* rows labelled 1 weigh this much more
                                      (reg:squarederror, squaredlogerror,
                                      logistic, binary:logistic, logitraw);
                                      1 */
    double tweedie_variance_power; /* reg:tweedie; 1.5, in (1, 2) */
    double huber_slope;            /* reg:pseudohubererror; 1 */
    double poisson_max_delta_step; /* count:poisson: max_delta_step when
                                      given, else 0.7 */
} kiln__xgb_obj_params;

typedef struct kiln__xgb_objective {
    const char *name;           /* "binary:logistic" */
    kiln__xgb_obj_kind kind;
    const char *default_metric; /* xgboost's default eval_metric: "rmse",
                                   "logloss", "mlogloss", ... */
    /* Labels the objective accepts, checked before training: binary
     * [0, 1], multi integers 0..K-1, poisson/tweedie >= 0, gamma > 0, ...
     * KILN_DATA names the row (1-based) and what was expected. */
    int (*check_labels)(const kiln__xgb_obj_params *p, const float *label,
                        size_t n, kiln_error *err);
    /* base_score (as written in the model: probability space for
     * reg:logistic and binary:logistic, the margin itself for logitraw)
     * to the margin every row starts from, as xgboost's ProbToMargin.
     * base_score is checked beforehand (xgb_algo.c): out of the
     * objective's domain the margin is not finite. */
    double (*prob_to_margin)(const kiln__xgb_obj_params *p,
                             double base_score);
    /* Gradient and hessian of every row (and group) at margin; weight may
     * be NULL (all 1).  n x K each, as xgboost's GetGradient (float). */
    void (*gradient)(const kiln__xgb_obj_params *p, const float *margin,
                     const float *label, const float *weight, size_t n,
                     int k, float *grad, float *hess);
    /* Margins to predictions in place (n x K), as PredTransform: sigmoid,
     * softmax, class index (multi:softmax then leaves n x 1 in the first n
     * values), exp, ...  `eval` selects EvalTransform, which differs for
     * multi:softmax (probabilities, for mlogloss and merror). */
    void (*transform)(const kiln__xgb_obj_params *p, float *margin,
                      size_t n, int k, bool eval);
} kiln__xgb_objective;

/* The objective called name ("reg:linear" is an alias of
 * "reg:squarederror"), or NULL. */
const kiln__xgb_objective *kiln__xgb_objective_find(const char *name);
/* The names of all objectives kiln implements, NULL-terminated. */
extern const char *const kiln__xgb_objective_names[];

/* ---- metrics (xgb_metric.c) ------------------------------------------ */

typedef struct kiln__xgb_metric {
    char name[48];   /* as xgboost prints it: "rmse", "error@0.7",
                        "ndcg@5", "tweedie-nloglik@1.5" */
    int kind;        /* private to xgb_metric.c */
    double param;    /* the @ value, or the metric's default */
    bool maximize;   /* auc, aucpr, ndcg, map, and SageMaker's accuracy,
                        f1, precision, recall, r2 ... */
    bool margin;     /* SageMaker's container computes it (its feval):
                        it reads the raw margins, not the eval transform */
} kiln__xgb_metric;

/* Parse one eval_metric name (with an optional @ parameter).  Unknown
 * names are KILN_HYPERPARAMETER listing the known ones. */
int kiln__xgb_metric_parse(const char *name, kiln__xgb_metric *m,
                           kiln_error *err);

/* The metric of predictions pred (n x K: after the objective's eval
 * transform, or the raw margins for a metric with m->margin) against
 * labels, with weights (NULL: all 1), as xgboost or SageMaker's container
 * computes it (weighted means; auc by ranks with ties; NaN when
 * undefined, e.g. auc of one class). */
double kiln__xgb_metric_eval(const kiln__xgb_metric *m, const float *pred,
                             const float *label, const float *weight,
                             size_t n, int k,
                             const kiln__xgb_obj_params *p);

/* ---- the model (xgb_model.c) ----------------------------------------- */

/* One tree in xgboost 1.7's JSON layout: node 0 is the root; a leaf has
 * left == -1 and its value (eta already applied) in split_cond. */
typedef struct kiln__xgb_tree {
    int32_t n;            /* nodes */
    int32_t cap;          /* allocated */
    int32_t *left, *right, *parent; /* parent of the root: INT32_MAX */
    int32_t *split_index; /* feature; 0 for leaves */
    float *split_cond;    /* threshold, or the leaf value */
    uint8_t *default_left;
    float *base_weight;   /* the node's weight: a leaf's value (eta
                                applied); unscaled at a split node */
    float *loss_change;   /* the split's gain; 0 for leaves */
    float *sum_hess;      /* the node's hessian sum (cover) */
} kiln__xgb_tree;

typedef struct kiln__xgb_model {
    size_t num_feature;
    int num_class;        /* 0 unless multi:* */
    int num_group;        /* trees per round: max(1, num_class) */
    const kiln__xgb_objective *objective;
    kiln__xgb_obj_params params;
    double base_score;    /* as in the model file (probability space) */
    float base_margin;    /* prob_to_margin(base_score) */
    size_t ntrees, cap;
    kiln__xgb_tree *trees;
    int32_t *tree_info;   /* the output group of every tree */
    int64_t best_iteration;   /* early stopping's best round, or -1 */
    int64_t best_ntree_limit; /* trees up to it, or 0 */
    double best_score;        /* early stopping's best value, or NaN when
                                 early stopping did not run */
} kiln__xgb_model;

/* A model with no trees; NULL when out of memory. */
kiln__xgb_model *kiln__xgb_model_new(const kiln__xgb_objective *obj,
                                     const kiln__xgb_obj_params *params,
                                     size_t num_feature, double base_score);
void kiln__xgb_model_free(kiln__xgb_model *m); /* NULL is fine */

/* Tree storage.  init makes an empty tree with room for cap nodes;
 * add_node appends one (a leaf until split) and returns its index, or -1
 * when out of memory. */
int kiln__xgb_tree_init(kiln__xgb_tree *t, int32_t cap);
void kiln__xgb_tree_fini(kiln__xgb_tree *t);
int32_t kiln__xgb_tree_add_node(kiln__xgb_tree *t, int32_t parent);

/* Append a tree of output group `group`; the model takes *t over (and
 * zeroes it).  KILN_OK or KILN_NOMEM. */
int kiln__xgb_model_add_tree(kiln__xgb_model *m, kiln__xgb_tree *t,
                             int group, kiln_error *err);

/* The leaf a row reaches in tree t: dense row (NaN missing) ... */
int32_t kiln__xgb_tree_leaf_dense(const kiln__xgb_tree *t, const float *row);

/* Margins of every row of x (n x num_group), from the base margin plus the
 * first `ntrees` trees (0: all); rows of a sparse x have absent features
 * missing; a dense x has NaN missing.  Vectorised over blocks of rows, on
 * up to `threads` threads. */
void kiln__xgb_predict_margin(const kiln__xgb_model *m, const kiln_dataset *x,
                              size_t ntrees, unsigned threads, float *margin);

/* Feature importance as xgboost's get_score: for every feature, the number
 * of splits on it (weight), their total gain and total cover.  Arrays of
 * num_feature doubles, zeroed then filled. */
void kiln__xgb_importance(const kiln__xgb_model *m, double *weight,
                          double *total_gain, double *total_cover);

/* ---- model files (xgb_json.c, xgb_binary.c) --------------------------- */

/* xgboost 1.7.4's JSON model (Booster.save_model("x.json")), with
 * "version": [1, 7, 4]; attributes best_iteration and best_ntree_limit
 * when early stopping ran. */
int kiln__xgb_save_json(const kiln__xgb_model *m, kiln_buf *out,
                        kiln_error *err);

/* A model file as the xgboost library writes it: JSON (first byte '{'
 * followed by JSON), UBJSON, or the legacy binary format (what SageMaker's
 * 1.3-1..1.7-1 containers write).  Corrupt or unsupported files are
 * KILN_DATA naming `what` and what was expected. */
int kiln__xgb_load(const void *bytes, size_t len, const char *what,
                   kiln__xgb_model **out, kiln_error *err);

/* ---- training: the quantised matrix (xgb_quantile.c) ------------------ */

/* The histogram cuts of every feature.  Bin b of feature f holds the
 * values v with cut[b-1] <= v < cut[b] (cut = values + ptr[f]), so a split
 * "bins 0..b go left" is the condition v < cut[b].  A feature with missing
 * values has one more slot, bin nbins(f), where its missing rows are
 * counted; so that every bin fits a uint8, such a feature has at most 255
 * bins, others at most 256 (max_bin is capped there). */
typedef struct kiln__xgb_cuts {
    size_t nfeat;
    uint32_t *ptr;      /* nfeat + 1: the slots of feature f start at
                           ptr[f] (bins, then the missing slot), then
                           maybe unused ones up to ptr[f+1] (the layout:
                           xgb_quantile.c) */
    uint16_t *nbins;    /* nfeat: real bins of feature f (>= 1) */
    uint8_t *missing;   /* nfeat: 1 when f has a missing slot */
    float *values;      /* the cut of every slot (the missing slot: +inf) */
} kiln__xgb_cuts;

/* The training rows as bin numbers, rows x nfeat, row-major, and the
 * feature blocks histograms are built by (xgb_hist.c). */
typedef struct kiln__xgb_qmatrix {
    size_t rows, nfeat;
    uint8_t *bins;
    kiln__xgb_cuts cuts;
    uint32_t *block;       /* nblocks + 1 feature bounds of the blocks */
    size_t nblocks;
} kiln__xgb_qmatrix;

/* Cuts from x's values (weights: x's, or 1) with at most max_bin bins a
 * feature, then every row binned; on up to `threads` threads. */
int kiln__xgb_quantise(const kiln_dataset *x, int max_bin, unsigned threads,
                       kiln__xgb_qmatrix *q, kiln_error *err);
void kiln__xgb_qmatrix_fini(kiln__xgb_qmatrix *q);

/* ---- training: histograms (xgb_hist.c) -------------------------------- */

/* A read hint; nothing where the compiler has no such builtin. */
#if defined(__GNUC__)
#define KILN__XGB_PREFETCH(p) __builtin_prefetch(p)
#else
#define KILN__XGB_PREFETCH(p) ((void)(p))
#endif

typedef struct kiln__xgb_gh {
    double g, h;
} kiln__xgb_gh;

/* Histograms are built a block of features at a time, a block's slots
 * fitting in a core's L2 (xgb_hist.c); the pairs of scratch
 * kiln__xgb_hist_build needs a thread. */
#define KILN__XGB_BLOCK_SLOTS 16384
#define KILN__XGB_SCRATCH 16896

/* The gradient histogram of rows rows[0..n) (slots ptr[nfeat] entries),
 * from the gradient pairs (one per row of the matrix), on up to `threads`
 * threads; scratch holds threads x KILN__XGB_SCRATCH pairs (or is NULL:
 * slower). */
void kiln__xgb_hist_build(const kiln__xgb_qmatrix *q, const uint32_t *rows,
                          size_t n, const float *grad, const float *hess,
                          unsigned threads, kiln__xgb_gh *scratch,
                          kiln__xgb_gh *hist);
/* The same for feature block k alone (slots ptr[block[k]] ..
 * ptr[block[k+1]]), on the caller's thread; spare is KILN__XGB_SCRATCH
 * pairs of the thread's own, or NULL. */
void kiln__xgb_hist_build_block(const kiln__xgb_qmatrix *q,
                                const uint32_t *rows, size_t n,
                                const float *grad, const float *hess,
                                size_t k, kiln__xgb_gh *spare,
                                kiln__xgb_gh *hist);
/* out = parent - child, slot by slot. */
void kiln__xgb_hist_subtract(const kiln__xgb_gh *parent,
                             const kiln__xgb_gh *child, size_t slots,
                             kiln__xgb_gh *out);

/* Histogram buffers reused from tree to tree (a fresh 3 MB buffer a node
 * costs page faults and zeroing), and the per-thread scratch of
 * kiln__xgb_hist_build. */
typedef struct kiln__xgb_hist_pool {
    size_t slots;
    kiln__xgb_gh **free;
    size_t nfree, cap;
    kiln__xgb_gh *scratch; /* threads x KILN__XGB_SCRATCH */
    unsigned threads;
    uint32_t *rows, *tmp;  /* the grower's row partition, kept */
    size_t rows_cap;
} kiln__xgb_hist_pool;

void kiln__xgb_pool_init(kiln__xgb_hist_pool *p, size_t slots,
                         unsigned threads);
/* A buffer of p->slots pairs (not zeroed), or NULL when out of memory. */
kiln__xgb_gh *kiln__xgb_pool_get(kiln__xgb_hist_pool *p);
void kiln__xgb_pool_put(kiln__xgb_hist_pool *p, kiln__xgb_gh *h);
/* The scratch for kiln__xgb_hist_build, or NULL. */
kiln__xgb_gh *kiln__xgb_pool_scratch(kiln__xgb_hist_pool *p);
/* Two arrays of n row numbers (the partition and its scratch), kept from
 * tree to tree; KILN_OK or KILN_NOMEM. */
int kiln__xgb_pool_rows(kiln__xgb_hist_pool *p, size_t n, uint32_t **rows,
                        uint32_t **tmp);
void kiln__xgb_pool_fini(kiln__xgb_hist_pool *p);

/* ---- training: one tree (xgb_grow.c) ---------------------------------- */

/* The tree parameters of xgboost's TrainParam that growing reads. */
typedef struct kiln__xgb_tree_params {
    double eta, gamma, lambda, alpha, min_child_weight, max_delta_step;
    int max_depth;      /* 0: no limit (lossguide) */
    int max_leaves;     /* 0: no limit */
    bool lossguide;     /* grow_policy */
    double colsample_bylevel, colsample_bynode;
} kiln__xgb_tree_params;

/* Grow one tree on rows rows[0..n) of q with gradients grad/hess (one per
 * row of q), using the features with feature_ok[f] (colsample_bytree);
 * rng is the sampling state, advanced; histograms come from pool (whose
 * slots are q's), and work goes to pool->threads threads.  On return *tree is the tree and
 * leaf_of[r] the leaf of every row r in rows (for the margin update).
 * Polls cancel; KILN_INTERRUPTED or KILN_NOMEM. */
int kiln__xgb_grow(const kiln__xgb_qmatrix *q, const uint32_t *rows,
                   size_t n, const float *grad, const float *hess,
                   const uint8_t *feature_ok, const kiln__xgb_tree_params *tp,
                   uint64_t *rng, kiln__xgb_hist_pool *pool,
                   kiln_cancel *cancel, kiln__xgb_tree *tree,
                   int32_t *leaf_of, kiln_error *err);

/* The leaf row `row` of q reaches in t, routed by its bins (a bin goes
 * left exactly when its cut is <= the split's). */
int32_t kiln__xgb_tree_leaf_bins(const kiln__xgb_qmatrix *q,
                                 const kiln__xgb_tree *t, size_t row);

/* A 64-bit generator for sampling (splitmix64), and a uniform double in
 * [0, 1). */
uint64_t kiln__xgb_rand(uint64_t *state);
double kiln__xgb_uniform(uint64_t *state);

/* out[f] = 1 for max(1, floor(frac * m)) of the m features with ok[f],
 * chosen uniformly; scratch holds nf entries. */
void kiln__xgb_sample_features(const uint8_t *ok, size_t nf, double frac,
                               uint64_t *rng, uint32_t *scratch,
                               uint8_t *out);

/* ---- training: the run (xgb_train.c) ---------------------------------- */

/* The most evaluation metrics a run has. */
#define KILN__XGB_MAX_METRICS 16

typedef struct kiln__xgb_config {
    const kiln__xgb_objective *objective;
    kiln__xgb_obj_params obj;
    kiln__xgb_tree_params tree;
    int num_round;
    double base_score;      /* NaN: the labels' median (reg:absoluteerror) */
    double subsample, colsample_bytree;
    int max_bin;
    uint64_t seed;
    int early_stopping_rounds; /* 0: none */
    kiln__xgb_metric metrics[KILN__XGB_MAX_METRICS];
    int nmetrics;
} kiln__xgb_config;

/* Train on ctx's channels (validation: evaluated every round, early
 * stopping).  *out on KILN_OK. */
int kiln__xgb_train(const kiln_train_ctx *ctx, const kiln__xgb_config *cfg,
                    kiln__xgb_model **out, kiln_error *err);

#endif
