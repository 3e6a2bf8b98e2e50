/* kiln — how good predictions are, against the labels (%predict).
 *
 * The problem is read off the predictions, whatever algorithm made them:
 *
 *   clusters     a closest_cluster field: cluster sizes and the mean
 *                distance_to_cluster; labels are not needed.  With whole
 *                labels (classes 0..999), the classes by cluster (scikit-
 *                learn's contingency_matrix, the classes as rows) and the
 *                purity: the share of rows whose class is the most common
 *                one of their cluster.
 *   multiclass   a predicted_label or score with labels of more than two
 *                classes, or a score vector (probabilities, argmax is the
 *                class): accuracy, macro precision/recall/F1, the
 *                confusion matrix.
 *   binary       labels in {0, 1} and a scalar score in [0, 1] (a
 *                probability; predicted label: score > 0.5 unless a
 *                predicted_label field says): accuracy, precision, recall,
 *                F1, ROC AUC, log loss, the confusion matrix and the ROC and
 *                precision-recall curves.
 *   regression   anything else with a scalar score: RMSE, MAE, R².
 *   none         projections and the like: nothing to measure.
 *
 * Definitions are scikit-learn's (accuracy_score, precision_score with
 * zero_division=0, f1_score, roc_auc_score with ties averaged,
 * log_loss with probabilities clipped to [1e-15, 1 - 1e-15], r2_score),
 * which the tests use as the oracle.
 *
 * Ownership: kiln_eval_fini.  Threads: reentrant.
 */
#ifndef KILN_ALGOS_EVALUATE_H
#define KILN_ALGOS_EVALUATE_H

#include "algos/algo.h"

#include "core/error.h"

#include <stddef.h>

typedef enum kiln_eval_kind {
    KILN_EVAL_NONE = 0,
    KILN_EVAL_BINARY,
    KILN_EVAL_MULTICLASS,
    KILN_EVAL_REGRESSION,
    KILN_EVAL_CLUSTERS,
} kiln_eval_kind;

typedef struct kiln_eval {
    kiln_eval_kind kind;
    size_t rows;
    /* classification */
    double accuracy, precision, recall, f1; /* binary, or macro averages */
    double auc, logloss;                    /* binary only; NaN otherwise */
    size_t classes;                         /* the confusion matrix's size */
    double *confusion;                      /* classes x classes: rows the
                                               true class, columns the
                                               predicted one */
    size_t curve_points;                    /* binary: ROC and PR curves */
    double *fpr, *tpr, *pr_recall, *pr_precision;
    /* regression */
    double rmse, mae, r2;
    double *predicted;                      /* rows: the scalar predictions
                                               (regression), for a chart */
    /* clusters */
    size_t clusters;
    double *cluster_sizes;                  /* rows in each cluster */
    double mean_distance;                   /* NaN without the field */
    double *by_cluster;                     /* with labels: classes x
                                               clusters counts, or NULL */
    double purity;                          /* NaN without labels */
} kiln_eval;

/* Measure predictions p against labels (n = p->rows values; NULL when the
 * data had none: only clusters are measured then).  KILN_OK (out->kind
 * says what was measured) or KILN_NOMEM. */
int kiln_evaluate(const kiln_predictions *p, const float *labels,
                  kiln_eval *out, kiln_error *err);
void kiln_eval_fini(kiln_eval *e);

#endif
