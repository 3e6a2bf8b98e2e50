/* kiln — linear learner's evaluation: the metrics SageMaker reports for
 * the final model, the calibration of a binary classifier's threshold, and
 * the number format of the log.
 *
 * Binary metrics use the calibrated threshold (positive iff score >
 * threshold; the score is P(label = 1) for logistic, the raw margin for
 * hinge_loss).  Precision with no positive prediction, recall with no
 * positive label and F with both zero are 0 (scikit-learn's
 * zero_division=0).  roc_auc_score counts tied scores half (Mann-Whitney).
 *
 * Multiclass metrics: the predicted class is the first highest score; a
 * row counts for top-k accuracy when fewer than k classes score strictly
 * higher than its label; dcg is the mean of 1 / log2(1 + rank) with rank =
 * 1 + the classes scoring strictly higher (SageMaker's dcg of 0.978 at
 * accuracy 0.947 with 3 classes fits this); macro precision, recall and F
 * average the per-class values over the classes present in the labels or
 * the predictions (scikit-learn's average="macro"); the macro F is the mean
 * of the per-class F scores (SageMaker's logged macro_f_1.000 is not the F
 * of the macro precision and recall); balanced accuracy averages recall
 * over the classes present in the labels; the log loss clips
 * probabilities at 1e-15 as scikit-learn does.
 */
#include "linear.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers as Python prints them ----------------------------------- */

void kiln__linear_repr(double v, char *out, size_t size)
{
    if (size == 0)
        return;
    if (isnan(v) || isinf(v)) {
        snprintf(out, size, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        return;
    }
    /* the fewest significant digits that read back as v */
    char e[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is [-]d[.ddd]e[+-]xx: split into sign, digits and exponent */
    const char *q = e;
    bool neg = *q == '-';
    if (neg)
        q++;
    char digits[24];
    size_t nd = 0;
    for (; *q && *q != 'e'; q++)
        if (*q != '.' && nd + 1 < sizeof digits)
            digits[nd++] = *q;
    digits[nd] = '\0';
    int exp10 = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    /* Python's repr: exponent form outside 1e-4 <= |v| < 1e16 */
    char t[64];
    size_t o = 0;
    if (neg)
        t[o++] = '-';
    if (exp10 < -4 || exp10 >= 16) {
        t[o++] = digits[0];
        if (nd > 1) {
            t[o++] = '.';
            for (size_t i = 1; i < nd; i++)
                t[o++] = digits[i];
        }
        snprintf(t + o, sizeof t - o, "e%c%02d", exp10 < 0 ? '-' : '+',
                 exp10 < 0 ? -exp10 : exp10);
    } else if (exp10 < 0) {
        t[o++] = '0';
        t[o++] = '.';
        for (int i = -1; i > exp10; i--)
            t[o++] = '0';
        for (size_t i = 0; i < nd; i++)
            t[o++] = digits[i];
        t[o] = '\0';
    } else {
        for (int i = 0; i <= exp10; i++)
            t[o++] = (size_t)i < nd ? digits[i] : '0';
        t[o++] = '.';
        if ((size_t)exp10 + 1 >= nd)
            t[o++] = '0';
        for (size_t i = (size_t)exp10 + 1; i < nd; i++)
            t[o++] = digits[i];
        t[o] = '\0';
    }
    snprintf(out, size, "%s", t);
}

/* ---- binary ------------------------------------------------------------ */

void kiln__linear_confusion_at(const double *score, const float *label,
                               size_t n, double thr,
                               kiln__linear_confusion *out)
{
    kiln__linear_confusion c = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        bool pos = label[i] > 0.5f, pred = score[i] > thr;
        if (pos && pred)
            c.tp++;
        else if (pred)
            c.fp++;
        else if (pos)
            c.fn++;
        else
            c.tn++;
    }
    *out = c;
}

double kiln__linear_accuracy(const kiln__linear_confusion *c)
{
    double n = c->tp + c->fp + c->tn + c->fn;
    return n > 0 ? (c->tp + c->tn) / n : 0;
}

double kiln__linear_precision(const kiln__linear_confusion *c)
{
    return c->tp + c->fp > 0 ? c->tp / (c->tp + c->fp) : 0;
}

double kiln__linear_recall(const kiln__linear_confusion *c)
{
    return c->tp + c->fn > 0 ? c->tp / (c->tp + c->fn) : 0;
}

double kiln__linear_fbeta(const kiln__linear_confusion *c, double beta)
{
    double b2 = beta * beta;
    double den = (1 + b2) * c->tp + b2 * c->fn + c->fp;
    return den > 0 ? (1 + b2) * c->tp / den : 0;
}

typedef struct scored {
    double s;
    float y;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    double x = ((const scored *)a)->s, y = ((const scored *)b)->s;
    return (x < y) - (x > y);
}

static scored *sorted_pairs(const double *score, const float *label, size_t n,
                            kiln_error *err)
{
    scored *p = malloc((n ? n : 1) * sizeof *p);
    if (p == NULL) {
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu bytes to sort %zu scores",
                       n * sizeof *p, n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        p[i] = (scored){isnan(score[i]) ? -INFINITY : score[i], label[i]};
    qsort(p, n, sizeof *p, by_score_desc);
    return p;
}

double kiln__linear_roc_auc(const double *score, const float *label,
                            size_t n, kiln_error *err)
{
    scored *p = sorted_pairs(score, label, n, err);
    if (p == NULL)
        return NAN;
    double pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i].y > 0.5f)
            pos++;
        else
            neg++;
    }
    /* Descending scores: a positive wins against every negative scoring
     * strictly lower and half of those tied with it (Mann-Whitney U). */
    double wins = 0, neg_above = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double gp = 0, gn = 0;
        for (; j < n && p[j].s == p[i].s; j++) {
            if (p[j].y > 0.5f)
                gp++;
            else
                gn++;
        }
        wins += gp * (neg - neg_above - gn) + gp * gn / 2;
        neg_above += gn;
        i = j;
    }
    free(p);
    if (pos == 0 || neg == 0)
        return NAN;
    return wins / (pos * neg);
}

int kiln__linear_calibrate(const kiln__linear_calibration *cal,
                           const double *score, const float *label, size_t n,
                           double *threshold, double *value, kiln_error *err)
{
    if (cal->criterion == KILN__SEL_LOSS || n == 0) {
        *threshold = cal->fallback;
        *value = NAN;
        return KILN_OK;
    }
    scored *p = sorted_pairs(score, label, n, err);
    if (p == NULL)
        return err->code;
    double P = 0;
    for (size_t i = 0; i < n; i++)
        P += p[i].y > 0.5f;
    double N = (double)n - P;
    kiln__linear_confusion c = {0, 0, N, P};
    double best = -INFINITY, best_thr = p[0].s;
    double fb_prec = -1, fb_rec = -1, fb_thr = p[0].s; /* fallback */
    for (size_t i = 0;;) {
        /* the candidate: positive iff score > thr, the first i rows */
        double thr;
        if (i == 0)
            thr = p[0].s;
        else if (i < n)
            thr = p[i - 1].s / 2 + p[i].s / 2;
        else
            thr = nextafter(p[n - 1].s, -INFINITY);
        if (i > 0 && i < n && !(thr < p[i - 1].s && thr >= p[i].s))
            thr = p[i].s; /* adjacent doubles: the midpoint rounds down */
        double v = NAN;
        double prec = kiln__linear_precision(&c), rec = kiln__linear_recall(&c);
        switch (cal->criterion) {
        case KILN__SEL_ACCURACY:
            v = kiln__linear_accuracy(&c);
            break;
        case KILN__SEL_F_BETA:
            v = kiln__linear_fbeta(&c, cal->beta);
            break;
        case KILN__SEL_PRECISION_AT_RECALL:
            if (rec >= cal->target_recall && c.tp + c.fp > 0)
                v = prec;
            break;
        case KILN__SEL_RECALL_AT_PRECISION:
            if (prec >= cal->target_precision && c.tp + c.fp > 0)
                v = rec;
            break;
        case KILN__SEL_LOSS:
            break;
        }
        if (!isnan(v) && v > best) {
            best = v;
            best_thr = thr;
        }
        if (c.tp + c.fp > 0 &&
            (prec > fb_prec || (prec == fb_prec && rec > fb_rec))) {
            fb_prec = prec;
            fb_rec = rec;
            fb_thr = thr;
        }
        if (i >= n)
            break;
        size_t j = i;
        while (j < n && p[j].s == p[i].s) {
            if (p[j].y > 0.5f) {
                c.tp++;
                c.fn--;
            } else {
                c.fp++;
                c.tn--;
            }
            j++;
        }
        i = j;
    }
    free(p);
    if (best == -INFINITY) {
        *threshold = fb_thr;
        *value = 0;
    } else {
        *threshold = best_thr;
        *value = best;
    }
    return KILN_OK;
}

/* ---- multiclass -------------------------------------------------------- */

int kiln__linear_multiclass_metrics(const float *prob, const float *label,
                                    size_t n, size_t k, int64_t top_k,
                                    double beta, kiln__linear_mc_metrics *out,
                                    kiln_error *err)
{
    memset(out, 0, sizeof *out);
    double *cnt = calloc(3 * (k ? k : 1), sizeof *cnt);
    if (cnt == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate the counts of %zu classes", k);
    double *actual = cnt, *pred = cnt + k, *tp = cnt + 2 * k;
    double correct = 0, topk = 0, dcg = 0, ll = 0;
    for (size_t i = 0; i < n; i++) {
        const float *p = prob + i * k;
        size_t y = (size_t)label[i];
        if (y >= k)
            y = k - 1;
        size_t arg = 0;
        size_t above = 0;
        for (size_t c = 0; c < k; c++) {
            if (p[c] > p[arg])
                arg = c;
            if (p[c] > p[y])
                above++;
        }
        actual[y]++;
        pred[arg]++;
        if (arg == y) {
            correct++;
            tp[y]++;
        }
        if ((int64_t)above < top_k)
            topk++;
        dcg += 1.0 / log2(2.0 + (double)above);
        double py = p[y] < 1e-15f ? 1e-15 : p[y];
        ll -= log(py);
    }
    double b2 = beta * beta;
    double sp = 0, sr = 0, sf = 0, used = 0, bal = 0, present = 0;
    for (size_t c = 0; c < k; c++) {
        if (actual[c] + pred[c] == 0)
            continue;
        double pc = pred[c] > 0 ? tp[c] / pred[c] : 0;
        double rc = actual[c] > 0 ? tp[c] / actual[c] : 0;
        double fc = b2 * pc + rc > 0 ? (1 + b2) * pc * rc / (b2 * pc + rc) : 0;
        sp += pc;
        sr += rc;
        sf += fc;
        used++;
        if (actual[c] > 0) {
            bal += rc;
            present++;
        }
    }
    free(cnt);
    if (n > 0) {
        out->accuracy = correct / (double)n;
        out->top_k_accuracy = topk / (double)n;
        out->dcg = dcg / (double)n;
        out->log_loss = ll / (double)n;
    }
    if (used > 0) {
        out->macro_precision = sp / used;
        out->macro_recall = sr / used;
        out->macro_f_beta = sf / used;
    }
    if (present > 0)
        out->balanced_accuracy = bal / present;
    return KILN_OK;
}

/* ---- the final scores in the log ------------------------------------- */

typedef struct score_line {
    char name[64];   /* as printed: "binary_f_1.000" */
    const char *metric; /* "binary_f_beta"; NULL: the objective */
    bool loss;       /* <loss> rather than <score> */
    double value;
} score_line;

int kiln__linear_report(const kiln_train_ctx *ctx, const char *channel,
                        const kiln__linear_model *m, const float *z,
                        const float *label, size_t n, kiln_error *err)
{
    size_t k = m->outputs;
    score_line lines[12];
    size_t nl = 0;
    double obj = 0;
    for (size_t i = 0; i < n; i++)
        obj += kiln__linear_loss_eval(&m->loss, z + i * k, k, label[i], NULL);
    obj = n ? obj / (double)n : NAN;
    lines[nl] = (score_line){"", NULL, true, obj};
    snprintf(lines[nl++].name, sizeof lines[0].name, "%s",
             kiln__linear_loss_objective(m->loss.kind));

    if (m->predictor == KILN__LINEAR_BINARY) {
        double *s = malloc((n ? n : 1) * sizeof *s);
        if (s == NULL)
            return kiln_error_set(err, KILN_NOMEM,
                                  "cannot allocate %zu bytes for %zu scores",
                                  n * sizeof *s, n);
        for (size_t i = 0; i < n; i++)
            s[i] = m->loss.kind == KILN__LOSS_LOGISTIC
                       ? kiln__linear_sigmoid(z[i])
                       : (double)z[i];
        kiln__linear_confusion c;
        kiln__linear_confusion_at(s, label, n, m->threshold, &c);
        double auc = kiln__linear_roc_auc(s, label, n, err);
        free(s);
        if (err->code == KILN_NOMEM)
            return err->code;
        lines[nl++] = (score_line){"binary_classification_accuracy",
                                   "binary_classification_accuracy", false,
                                   kiln__linear_accuracy(&c)};
        lines[nl] = (score_line){"", "binary_f_beta", false,
                                 kiln__linear_fbeta(&c, m->f_beta)};
        snprintf(lines[nl++].name, sizeof lines[0].name, "binary_f_%.3f",
                 m->f_beta);
        lines[nl++] = (score_line){"precision", "precision", false,
                                   kiln__linear_precision(&c)};
        lines[nl++] = (score_line){"recall", "recall", false,
                                   kiln__linear_recall(&c)};
        lines[nl++] = (score_line){"roc_auc_score", "roc_auc_score", false, auc};
    } else if (m->predictor == KILN__LINEAR_MULTICLASS) {
        size_t bytes = n * k * sizeof(float);
        float *p = (n && bytes / n / k == sizeof(float)) ? malloc(bytes) : NULL;
        if (p == NULL && n > 0)
            return kiln_error_set(err, KILN_NOMEM,
                                  "cannot allocate %zu bytes for %zu x %zu "
                                  "probabilities", bytes, n, k);
        for (size_t i = 0; i < n; i++) {
            const float *zi = z + i * k;
            float *pi = p + i * k;
            float mx = zi[0];
            for (size_t c = 1; c < k; c++)
                mx = zi[c] > mx ? zi[c] : mx;
            double sum = 0;
            for (size_t c = 0; c < k; c++)
                sum += (pi[c] = expf(zi[c] - mx));
            for (size_t c = 0; c < k; c++)
                pi[c] = (float)(pi[c] / sum);
        }
        kiln__linear_mc_metrics mc;
        int rc = kiln__linear_multiclass_metrics(p, label, n, k,
                                                 m->accuracy_top_k, m->f_beta,
                                                 &mc, err);
        free(p);
        if (rc != KILN_OK)
            return rc;
        lines[nl++] = (score_line){"multiclass_accuracy", "multiclass_accuracy",
                                   false, mc.accuracy};
        lines[nl] = (score_line){"", "multiclass_top_k_accuracy", false,
                                 mc.top_k_accuracy};
        snprintf(lines[nl++].name, sizeof lines[0].name,
                 "multiclass_top_k_accuracy_%lld", (long long)m->accuracy_top_k);
        lines[nl++] = (score_line){"dcg", "dcg", false, mc.dcg};
        lines[nl++] = (score_line){"macro_recall", "macro_recall", false,
                                   mc.macro_recall};
        lines[nl++] = (score_line){"macro_precision", "macro_precision", false,
                                   mc.macro_precision};
        lines[nl] = (score_line){"", "macro_f_beta", false, mc.macro_f_beta};
        snprintf(lines[nl++].name, sizeof lines[0].name, "macro_f_%.3f",
                 m->f_beta);
        lines[nl++] = (score_line){"multiclass_balanced_accuracy",
                                   "multiclass_balanced_accuracy", false,
                                   mc.balanced_accuracy};
        lines[nl++] = (score_line){"multiclass_log_loss", "multiclass_log_loss",
                                   false, mc.log_loss};
    } else {
        double se = 0, ae = 0;
        for (size_t i = 0; i < n; i++) {
            double r = (double)z[i] - (double)label[i];
            se += r * r;
            ae += fabs(r);
        }
        double mse = n ? se / (double)n : NAN, mae = n ? ae / (double)n : NAN;
        lines[nl++] = (score_line){"mse", "mse", true, mse};
        lines[nl++] = (score_line){"absolute_loss", "absolute_loss", true, mae};
        lines[nl++] = (score_line){"rmse", "rmse", true, sqrt(mse)};
    }

    char v[40];
    for (size_t i = 0; i < nl; i++) {
        kiln__linear_repr(lines[i].value, v, sizeof v);
        kiln_train_log(ctx, "#%s_score (algo-1) : ('%s', %s)", channel,
                       lines[i].name, v);
    }
    for (size_t i = 0; i < nl; i++) {
        kiln__linear_repr(lines[i].value, v, sizeof v);
        kiln_train_log(ctx, "#quality_metric: host=algo-1, %s %s <%s>=%s",
                       channel, lines[i].name, lines[i].loss ? "loss" : "score",
                       v);
        char metric[96];
        if (lines[i].metric != NULL)
            snprintf(metric, sizeof metric, "%s:%s", channel, lines[i].metric);
        else if (strcmp(channel, "test") == 0)
            snprintf(metric, sizeof metric, "test:objective_loss");
        else
            snprintf(metric, sizeof metric, "%s:objective_loss:final", channel);
        kiln_train_metric(ctx, metric, -1, strtod(v, NULL));
    }
    return KILN_OK;
}
