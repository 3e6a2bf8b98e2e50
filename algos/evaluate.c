/* kiln — how good predictions are (evaluate.h). */
#include "evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CLASSES = 1000, MAX_CLUSTERS = 100000 };

void kiln_eval_fini(kiln_eval *e)
{
    free(e->confusion);
    free(e->fpr);
    free(e->tpr);
    free(e->pr_recall);
    free(e->pr_precision);
    free(e->predicted);
    free(e->cluster_sizes);
    free(e->by_cluster);
    memset(e, 0, sizeof *e);
}

static bool whole(float v) { return isfinite(v) && v >= 0 && v == floorf(v); }

/* ---- clusters ------------------------------------------------------------- */

/* The classes by cluster and the purity, when every label is a class. */
static int by_cluster(const kiln_pred_field *cc, const float *labels,
                      size_t n, kiln_eval *e, kiln_error *err)
{
    size_t classes = 0;
    for (size_t i = 0; i < n; i++) {
        if (!whole(labels[i]) || labels[i] >= MAX_CLASSES)
            return KILN_OK; /* not classes: nothing to tabulate */
        if ((size_t)labels[i] + 1 > classes)
            classes = (size_t)labels[i] + 1;
    }
    size_t k = e->clusters;
    if (classes == 0 || k == 0 || classes * k > 10 * 1000 * 1000)
        return KILN_OK;
    e->by_cluster = calloc(classes * k, sizeof *e->by_cluster);
    if (e->by_cluster == NULL)
        return kiln_error_nomem(err);
    e->classes = classes;
    size_t counted = 0;
    for (size_t i = 0; i < n; i++)
        if (whole(cc->values[i]) && cc->values[i] < MAX_CLUSTERS) {
            e->by_cluster[(size_t)labels[i] * k + (size_t)cc->values[i]] += 1;
            counted++;
        }
    double majority = 0;
    for (size_t c = 0; c < k; c++) {
        double top = 0;
        for (size_t y = 0; y < classes; y++)
            top = fmax(top, e->by_cluster[y * k + c]);
        majority += top;
    }
    e->purity = counted ? majority / (double)counted : NAN;
    return KILN_OK;
}

static int clusters(const kiln_pred_field *cc, const kiln_pred_field *dist,
                    const float *labels, size_t n, kiln_eval *e,
                    kiln_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (whole(cc->values[i]) && cc->values[i] < MAX_CLUSTERS &&
            (size_t)cc->values[i] + 1 > k)
            k = (size_t)cc->values[i] + 1;
    e->cluster_sizes = calloc(k ? k : 1, sizeof *e->cluster_sizes);
    if (e->cluster_sizes == NULL)
        return kiln_error_nomem(err);
    e->clusters = k;
    double dsum = 0;
    for (size_t i = 0; i < n; i++) {
        if (whole(cc->values[i]) && cc->values[i] < MAX_CLUSTERS)
            e->cluster_sizes[(size_t)cc->values[i]] += 1;
        if (dist != NULL)
            dsum += dist->values[i * dist->width];
    }
    e->mean_distance = dist != NULL && n > 0 ? dsum / (double)n : NAN;
    e->kind = KILN_EVAL_CLUSTERS;
    return labels != NULL ? by_cluster(cc, labels, n, e, err) : KILN_OK;
}

/* ---- binary --------------------------------------------------------------- */

typedef struct scored {
    double score;
    int label;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
    return x > y ? -1 : x < y ? 1 : 0;
}

/* AUC (ties averaged, as roc_auc_score) and the ROC and PR curves, one
 * point per distinct score from the highest down. */
static int curves(const double *prob, const float *labels, size_t n,
                  kiln_eval *e, kiln_error *err)
{
    scored *s = malloc((n ? n : 1) * sizeof *s);
    size_t m = n + 1;
    e->fpr = malloc(m * sizeof *e->fpr);
    e->tpr = malloc(m * sizeof *e->tpr);
    e->pr_recall = malloc(m * sizeof *e->pr_recall);
    e->pr_precision = malloc(m * sizeof *e->pr_precision);
    if (s == NULL || !e->fpr || !e->tpr || !e->pr_recall ||
        !e->pr_precision) {
        free(s);
        return kiln_error_nomem(err);
    }
    double pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        s[i] = (scored){prob[i], labels[i] > 0.5f};
        pos += s[i].label;
    }
    neg = (double)n - pos;
    qsort(s, n, sizeof *s, by_score_desc);
    double tp = 0, fp = 0, area = 0;
    size_t k = 0;
    e->fpr[k] = 0, e->tpr[k] = 0;
    e->pr_recall[k] = 0, e->pr_precision[k] = 1;
    k++;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double tp0 = tp, fp0 = fp;
        while (j < n && s[j].score == s[i].score) {
            tp += s[j].label;
            fp += !s[j].label;
            j++;
        }
        area += (fp - fp0) * (tp + tp0) / 2.0; /* trapezoid: ties averaged */
        e->fpr[k] = neg > 0 ? fp / neg : 0;
        e->tpr[k] = pos > 0 ? tp / pos : 0;
        e->pr_recall[k] = pos > 0 ? tp / pos : 0;
        e->pr_precision[k] = tp / (tp + fp);
        k++;
        i = j;
    }
    e->curve_points = k;
    e->auc = pos > 0 && neg > 0 ? area / (pos * neg) : NAN;
    free(s);
    return KILN_OK;
}

static void confusion_metrics(kiln_eval *e)
{
    size_t k = e->classes;
    double right = 0, total = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            total += e->confusion[i * k + j];
            right += i == j ? e->confusion[i * k + j] : 0;
        }
    e->accuracy = total > 0 ? right / total : NAN;
    if (e->kind == KILN_EVAL_BINARY) {
        double tp = e->confusion[3], fp = e->confusion[1],
               fn = e->confusion[2];
        e->precision = tp + fp > 0 ? tp / (tp + fp) : 0;
        e->recall = tp + fn > 0 ? tp / (tp + fn) : 0;
        e->f1 = e->precision + e->recall > 0
                    ? 2 * e->precision * e->recall /
                          (e->precision + e->recall)
                    : 0;
        return;
    }
    /* macro averages over the classes seen in the labels or predictions */
    double ps = 0, rs = 0, fs = 0, seen = 0;
    for (size_t c = 0; c < k; c++) {
        double tp = e->confusion[c * k + c], row = 0, col = 0;
        for (size_t j = 0; j < k; j++) {
            row += e->confusion[c * k + j];
            col += e->confusion[j * k + c];
        }
        if (row == 0 && col == 0)
            continue;
        double p = col > 0 ? tp / col : 0, r = row > 0 ? tp / row : 0;
        ps += p;
        rs += r;
        fs += p + r > 0 ? 2 * p * r / (p + r) : 0;
        seen++;
    }
    e->precision = seen > 0 ? ps / seen : NAN;
    e->recall = seen > 0 ? rs / seen : NAN;
    e->f1 = seen > 0 ? fs / seen : NAN;
}

/* ---- the kinds ---------------------------------------------------------- */

static int classify(const float *labels, const float *pred, const double *prob,
                    size_t n, size_t k, kiln_eval_kind kind, kiln_eval *e,
                    kiln_error *err)
{
    e->kind = kind;
    e->classes = k;
    e->confusion = calloc(k * k, sizeof *e->confusion);
    if (e->confusion == NULL)
        return kiln_error_nomem(err);
    for (size_t i = 0; i < n; i++) {
        size_t t = (size_t)labels[i], p = (size_t)pred[i];
        if (t < k && p < k)
            e->confusion[t * k + p] += 1;
    }
    confusion_metrics(e);
    if (kind != KILN_EVAL_BINARY || prob == NULL)
        return KILN_OK;
    double ll = 0;
    for (size_t i = 0; i < n; i++) {
        double q = fmin(fmax(prob[i], 1e-15), 1 - 1e-15);
        ll -= labels[i] > 0.5f ? log(q) : log(1 - q);
    }
    e->logloss = n > 0 ? ll / (double)n : NAN;
    return curves(prob, labels, n, e, err);
}

static int regression(const kiln_pred_field *score, const float *labels,
                      size_t n, kiln_eval *e, kiln_error *err)
{
    e->kind = KILN_EVAL_REGRESSION;
    e->predicted = malloc((n ? n : 1) * sizeof *e->predicted);
    if (e->predicted == NULL)
        return kiln_error_nomem(err);
    double mean = 0, se = 0, ae = 0, tot = 0;
    for (size_t i = 0; i < n; i++)
        mean += labels[i];
    mean = n > 0 ? mean / (double)n : 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)score->values[i] - labels[i];
        e->predicted[i] = score->values[i];
        se += d * d;
        ae += fabs(d);
        tot += (labels[i] - mean) * (labels[i] - mean);
    }
    e->rmse = n > 0 ? sqrt(se / (double)n) : NAN;
    e->mae = n > 0 ? ae / (double)n : NAN;
    e->r2 = tot > 0 ? 1 - se / tot : NAN;
    return KILN_OK;
}

int kiln_evaluate(const kiln_predictions *p, const float *labels,
                  kiln_eval *e, kiln_error *err)
{
    memset(e, 0, sizeof *e);
    size_t n = p->rows;
    e->rows = n;
    e->auc = e->logloss = e->mean_distance = e->purity = NAN;
    const kiln_pred_field *cc = kiln_predictions_find(p, "closest_cluster");
    if (cc != NULL)
        return clusters(cc, kiln_predictions_find(p, "distance_to_cluster"),
                        labels, n, e, err);
    const kiln_pred_field *score = kiln_predictions_find(p, "score");
    const kiln_pred_field *pl = kiln_predictions_find(p, "predicted_label");
    if (labels == NULL || n == 0 || (score == NULL && pl == NULL))
        return KILN_OK;
    bool int_labels = true, unit = score != NULL && score->width == 1,
         int_scores = score != NULL && score->width == 1;
    float top = 0;
    for (size_t i = 0; i < n; i++) {
        int_labels &= whole(labels[i]) && labels[i] < MAX_CLASSES;
        top = labels[i] > top ? labels[i] : top;
        if (score != NULL && score->width == 1) {
            float s = score->values[i];
            unit &= s >= 0 && s <= 1;
            int_scores &= whole(s) && s < MAX_CLASSES;
        }
    }
    float *pred = malloc((n ? n : 1) * sizeof *pred);
    double *prob = malloc((n ? n : 1) * sizeof *prob);
    if (pred == NULL || prob == NULL) {
        free(pred);
        free(prob);
        return kiln_error_nomem(err);
    }
    int rc = KILN_OK;
    if (int_labels && score != NULL && score->width > 1) {
        /* probability rows: the class is the argmax */
        size_t k = score->width;
        for (size_t i = 0; i < n; i++) {
            const float *r = score->values + i * k;
            size_t best = 0;
            for (size_t j = 1; j < k; j++)
                best = r[j] > r[best] ? j : best;
            pred[i] = pl ? pl->values[i] : (float)best;
        }
        rc = classify(labels, pred, NULL, n, k > (size_t)top + 1 ? k : (size_t)top + 1,
                      KILN_EVAL_MULTICLASS, e, err);
    } else if (int_labels && top <= 1 && (unit || (pl && !score))) {
        for (size_t i = 0; i < n; i++) {
            prob[i] = score ? score->values[i] : pl->values[i];
            pred[i] = pl ? pl->values[i] : prob[i] > 0.5 ? 1.0f : 0.0f;
        }
        rc = classify(labels, pred, score ? prob : NULL, n, 2,
                      KILN_EVAL_BINARY, e, err);
    } else if (int_labels && (pl != NULL || int_scores)) {
        float pmax = top;
        for (size_t i = 0; i < n; i++) {
            pred[i] = pl ? pl->values[i] : score->values[i];
            pmax = whole(pred[i]) && pred[i] < MAX_CLASSES && pred[i] > pmax
                       ? pred[i]
                       : pmax;
        }
        rc = classify(labels, pred, NULL, n, (size_t)pmax + 1,
                      KILN_EVAL_MULTICLASS, e, err);
    } else if (score != NULL && score->width == 1) {
        rc = regression(score, labels, n, e, err);
    }
    free(pred);
    free(prob);
    return rc;
}
