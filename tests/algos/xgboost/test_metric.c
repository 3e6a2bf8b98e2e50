/* XGBoost's metrics (algos/xgboost/xgb_metric.c): names as xgboost prints
 * them, the element-wise metrics against naive double formulas on small
 * hand cases (weighted and not), auc against the weighted Mann-Whitney
 * pair count (ties count one half) on random data with ties, one-vs-rest
 * auc against the same per class, and aucpr, ndcg, map and pre against
 * values printed by the xgboost library 1.7.4 for fixed inputs (the
 * golden values below).  SageMaker's own metrics (accuracy, f1, r2, ...,
 * on margins) against hand-counted confusion matrices and a naive
 * per-class count on random labels, their regression metrics against
 * naive double formulas, and float32 pairwise summation on a case where
 * it shows.  The whole set is also run against the library (and sklearn
 * for SageMaker's metrics) on real data in
 * tests/python/test_xgb_metrics.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/xgboost/xgb.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static kiln__xgb_obj_params defaults(void)
{
    return (kiln__xgb_obj_params){0, 1.0, 1.5, 1.0, 0.7};
}

static kiln__xgb_metric parse(const char *name)
{
    kiln__xgb_metric m;
    kiln_error err = {0};
    if (kiln__xgb_metric_parse(name, &m, &err) != KILN_OK)
        fail_msg("%s: %s", name, err.message);
    return m;
}

static double eval_k(const char *name, const float *pred, const float *label,
                     const float *weight, size_t n, int k)
{
    kiln__xgb_metric m = parse(name);
    kiln__xgb_obj_params p = defaults();
    return kiln__xgb_metric_eval(&m, pred, label, weight, n, k, &p);
}

static double eval1(const char *name, const float *pred, const float *label,
                    const float *weight, size_t n)
{
    return eval_k(name, pred, label, weight, n, 1);
}

static void near(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fmax(1.0, fabs(want))))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- names ------------------------------------------------------------- */

static void expect_name(const char *in, const char *out, bool maximize)
{
    kiln__xgb_metric m = parse(in);
    assert_string_equal(m.name, out);
    assert_int_equal(m.maximize, maximize);
}

static void test_names(void **state)
{
    (void)state;
    expect_name("rmse", "rmse", false);   /* SageMaker's (feval) */
    expect_name("rmse@3", "rmse", false); /* xgboost's: it ignores the @ */
    expect_name("rmse@", "rmse", false);
    expect_name("mae@", "mae", false);
    expect_name("auc@2", "auc", true);
    expect_name("aucpr", "aucpr", true);
    expect_name("error", "error", false);
    expect_name("error@0.5", "error", false);
    expect_name("error@0.7", "error@0.7", false);
    expect_name("error@.70", "error@0.7", false);
    expect_name("error@1e-1", "error@0.1", false);
    expect_name("ndcg", "ndcg", true);
    expect_name("ndcg@5", "ndcg@5", true);
    expect_name("ndcg@5-", "ndcg@5-", true);
    expect_name("ndcg-", "ndcg-", true);
    expect_name("ndcg@-", "ndcg-", true);
    expect_name("map@3", "map@3", true);
    expect_name("pre@2", "pre@2", true);
    expect_name("tweedie-nloglik@1.5", "tweedie-nloglik@1.5", false);
    expect_name("tweedie-nloglik@1.50", "tweedie-nloglik@1.5", false);
    expect_name("tweedie-nloglik", "tweedie-nloglik", false);
    expect_name("gamma-deviance", "gamma-deviance", false);
    expect_name("mlogloss", "mlogloss", false);

    kiln__xgb_metric m = parse("error@0.25");
    assert_float_equal(m.param, 0.25, 0);
    m = parse("ndcg@7-");
    assert_float_equal(m.param, 7, 0);
}

static void expect_parse_error(const char *name, const char *fragment)
{
    kiln__xgb_metric m;
    memset(&m, 0x5a, sizeof m);
    kiln__xgb_metric before = m;
    kiln_error err = {0};
    assert_int_equal(kiln__xgb_metric_parse(name, &m, &err),
                     KILN_HYPERPARAMETER);
    assert_int_equal(err.code, KILN_HYPERPARAMETER);
    if (strstr(err.message, fragment) == NULL)
        fail_msg("'%s' does not contain '%s'", err.message, fragment);
    assert_memory_equal(&m, &before, sizeof m); /* untouched on error */
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("xyz", "unknown eval_metric 'xyz'; expected one of "
                              "rmse, rmsle, mae");
    expect_parse_error("xyz", "tweedie-nloglik@rho");
    expect_parse_error("rmse-", "unknown eval_metric 'rmse-'");
    expect_parse_error("AUC", "unknown eval_metric 'AUC'");
    expect_parse_error("", "unknown eval_metric ''");
    expect_parse_error("error@abc", "unable to parse the threshold");
    expect_parse_error("tweedie-nloglik@2.5", "must be in [1, 2)");
    expect_parse_error("tweedie-nloglik@x", "must be in [1, 2)");
    expect_parse_error("ndcg@1234567890123456789012345678901234567890123456",
                       "too long");
}

/* ---- element-wise ------------------------------------------------------ */

static void test_regression_metrics(void **state)
{
    (void)state;
    const float pred[3] = {1, 2, 3}, label[3] = {1, 1, 1}, w[3] = {1, 1, 2};
    /* xgboost's rmse and mae are "rmse@" and "mae@": plain "rmse" and
     * "mae" are SageMaker's (below) */
    near(eval1("rmse@", pred, label, w, 3), 1.5, 1e-12);
    near(eval1("rmse@", pred, label, NULL, 3), sqrt(5.0 / 3), 1e-7);
    near(eval1("mae@", pred, label, w, 3), 1.25, 1e-12);
    near(eval1("mape", pred, label, w, 3), 1.25, 1e-12);
    double l2 = log(2), l3 = log(3), l4 = log(4);
    near(eval1("rmsle", pred, label, w, 3),
         sqrt(((l3 - l2) * (l3 - l2) + 2 * (l4 - l2) * (l4 - l2)) / 4), 1e-6);
    near(eval1("mphe", pred, label, w, 3),
         ((sqrt(2.0) - 1) + 2 * (sqrt(5.0) - 1)) / 4, 1e-6);
    /* huber_slope 2: 4 (sqrt(1 + (z/2)^2) - 1) */
    kiln__xgb_metric m = parse("mphe");
    kiln__xgb_obj_params p = defaults();
    p.huber_slope = 2;
    near(kiln__xgb_metric_eval(&m, pred, label, NULL, 3, 1, &p),
         (4 * (sqrt(1.25) - 1) + 4 * (sqrt(2.0) - 1)) / 3, 1e-6);
    p.huber_slope = 0; /* xgboost stops: slope cannot be 0 */
    assert_true(isnan(kiln__xgb_metric_eval(&m, pred, label, NULL, 3, 1, &p)));
    /* all weights 0: xgboost's "wsum == 0 ? esum : esum / wsum" */
    const float zero[3] = {0, 0, 0};
    near(eval1("mae@", pred, label, zero, 3), 0, 0);
    /* no rows */
    near(eval1("rmse@", pred, label, NULL, 0), 0, 0);
}

static void test_count_metrics(void **state)
{
    (void)state;
    const float pred[4] = {0.5f, 2.0f, 4.0f, 1e-20f};
    const float label[4] = {0, 1, 5, 2}, w[4] = {1, 2, 0.5f, 1};
    double sum = 0, wsum = 0;
    for (int i = 0; i < 4; i++) {
        double p = fmax(pred[i], 1e-16f), y = label[i];
        sum += w[i] * (lgamma(y + 1) + p - y * log(p));
        wsum += w[i];
    }
    near(eval1("poisson-nloglik", pred, label, w, 4), sum / wsum, 1e-6);

    const float gp[3] = {0.5f, 2.0f, 4.0f}, gy[3] = {1, 1.5f, 5};
    double nll = 0, dev = 0, tw = 0, tw12 = 0;
    for (int i = 0; i < 3; i++) {
        double p = gp[i], y = gy[i];
        nll += w[i] * (y / p + log(p));
        double pe = p + 1e-6, ye = y + 1e-6;
        dev += w[i] * (log(pe / ye) + ye / pe - 1);
        tw += w[i] * (-y * pow(p, -0.5) / -0.5 + pow(p, 0.5) / 0.5);
        tw12 += w[i] * (-y * pow(p, -0.2) / -0.2 + pow(p, 0.8) / 0.8);
    }
    double ws = 3.5;
    near(eval1("gamma-nloglik", gp, gy, w, 3), nll / ws, 1e-6);
    near(eval1("gamma-deviance", gp, gy, w, 3), 2 * dev / ws, 1e-6);
    near(eval1("tweedie-nloglik@1.5", gp, gy, w, 3), tw / ws, 1e-6);
    near(eval1("tweedie-nloglik@1.2", gp, gy, w, 3), tw12 / ws, 1e-6);
    /* bare tweedie-nloglik: rho from the objective's parameters */
    kiln__xgb_metric m = parse("tweedie-nloglik");
    kiln__xgb_obj_params p = defaults();
    p.tweedie_variance_power = 1.2;
    near(kiln__xgb_metric_eval(&m, gp, gy, w, 3, 1, &p), tw12 / ws, 1e-6);
}

static void test_classification_metrics(void **state)
{
    (void)state;
    /* logloss: xgboost's xlogy drops a term whose factor is 0, clamps at
     * 1e-16 */
    const float p[5] = {0.9f, 0.2f, 0.0f, 1.0f, 0.0f};
    const float y[5] = {1, 0, 0, 1, 1};
    near(eval1("logloss", p, y, NULL, 4), (-log(0.9) - log(0.8)) / 4, 1e-6);
    near(eval1("logloss", p, y, NULL, 5),
         (-log(0.9) - log(0.8) - log(1e-16)) / 5, 1e-6);
    /* fractional labels */
    const float pf[1] = {0.3f}, yf[1] = {0.25f};
    near(eval1("logloss", pf, yf, NULL, 1),
         -(0.25 * log(0.3) + 0.75 * log(0.7)), 1e-6);

    const float ep[4] = {0.9f, 0.6f, 0.4f, 0.5f}, ey[4] = {1, 0, 1, 0};
    const float ew[4] = {1, 2, 3, 4};
    near(eval1("error", ep, ey, ew, 4), 0.5, 1e-12); /* 0.5 is not > 0.5 */
    near(eval1("error@0.3", ep, ey, ew, 4), 0.6, 1e-12);
    near(eval1("error@0.95", ep, ey, NULL, 4), 0.5, 1e-12);
}

static void test_multiclass_metrics(void **state)
{
    (void)state;
    const float p[9] = {0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f, 0.5f, 0.5f, 0.0f};
    const float y[3] = {0, 0, 1}, w[3] = {1, 2, 3};
    /* argmax: 0, 2, 0 (first of the tie) */
    near(eval_k("merror", p, y, NULL, 3, 3), 2.0 / 3, 1e-12);
    near(eval_k("merror", p, y, w, 3, 3), 5.0 / 6, 1e-12);
    near(eval_k("mlogloss", p, y, w, 3, 3),
         (-log(0.7) - 2 * log(0.3) - 3 * log(0.5)) / 6, 1e-6);
    const float yz[1] = {2};
    near(eval_k("mlogloss", p + 6, yz, NULL, 1, 3), -log(1e-16), 1e-6);
    /* a label out of range is xgboost's error: NaN */
    const float bad[3] = {0, 3, 1};
    assert_true(isnan(eval_k("mlogloss", p, bad, NULL, 3, 3)));
    assert_true(isnan(eval_k("merror", p, bad, NULL, 3, 3)));
    /* element-wise metrics of K > 1 outputs: xgboost's size mismatch */
    assert_true(isnan(eval_k("rmse", p, y, NULL, 3, 3)));
    assert_true(isnan(eval_k("ndcg", p, y, NULL, 3, 3)));
}

/* ---- auc against pair counting ----------------------------------------- */

static double naive_auc(const float *pred, const float *label,
                        const float *w, size_t n, int k, int c)
{
    double num = 0, pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        bool pi = c < 0 ? label[i] == 1 : label[i] == (float)c;
        double wi = w ? w[i] : 1;
        *(pi ? &pos : &neg) += wi;
        if (!pi)
            continue;
        for (size_t j = 0; j < n; j++) {
            bool pj = c < 0 ? label[j] == 1 : label[j] == (float)c;
            if (pj)
                continue;
            float a = pred[i * (size_t)k + (size_t)(c < 0 ? 0 : c)];
            float b = pred[j * (size_t)k + (size_t)(c < 0 ? 0 : c)];
            double wj = w ? w[j] : 1;
            num += wi * wj * (a > b ? 1.0 : a == b ? 0.5 : 0.0);
        }
    }
    return num / (pos * neg);
}

static void test_auc_matches_pair_counting(void **state)
{
    (void)state;
    enum { N = 200, K = 3 };
    static float pred[N * K], label[N], mlabel[N], w[N];
    srand(12345);
    for (int i = 0; i < N; i++) {
        label[i] = (float)(rand() % 2);
        mlabel[i] = (float)(rand() % K);
        w[i] = 0.25f + (float)(rand() % 8) / 4;
        for (int c = 0; c < K; c++) /* coarse scores: many ties */
            pred[i * K + c] = (float)(rand() % 10) / 10 +
                              0.1f * (float)(mlabel[i] == (float)c);
    }
    near(eval1("auc", pred, label, NULL, N),
         naive_auc(pred, label, NULL, N, 1, -1), 1e-12);
    near(eval1("auc", pred, label, w, N),
         naive_auc(pred, label, w, N, 1, -1), 1e-12);
    /* one-vs-rest: per-class auc weighted by the class's positive weight */
    for (int weighted = 0; weighted < 2; weighted++) {
        const float *ww = weighted ? w : NULL;
        double sum = 0, tp = 0;
        for (int c = 0; c < K; c++) {
            double pos = 0;
            for (int i = 0; i < N; i++)
                pos += mlabel[i] == (float)c ? (ww ? ww[i] : 1) : 0;
            sum += naive_auc(pred, mlabel, ww, N, K, c) * pos;
            tp += pos;
        }
        near(eval_k("auc", pred, mlabel, ww, N, K), sum / tp, 1e-12);
    }
    /* one class only, or no rows: NaN */
    const float ones[3] = {1, 1, 1}, p3[3] = {0.1f, 0.5f, 0.2f};
    assert_true(isnan(eval1("auc", p3, ones, NULL, 3)));
    assert_true(isnan(eval1("aucpr", p3, ones, NULL, 3)));
    assert_true(isnan(eval1("auc", p3, ones, NULL, 0)));
    /* a class without rows makes one-vs-rest NaN */
    const float p9[9] = {0.7f, 0.2f, 0.1f, 0.3f, 0.3f, 0.4f, 0.5f, 0.5f, 0};
    const float y2[3] = {0, 1, 1};
    assert_true(isnan(eval_k("auc", p9, y2, NULL, 3, 3)));
    assert_true(isnan(eval_k("aucpr", p9, y2, NULL, 3, 3)));
    /* a perfect ranking */
    const float pp[4] = {0.9f, 0.8f, 0.3f, 0.1f}, py[4] = {1, 1, 0, 0};
    near(eval1("auc", pp, py, NULL, 4), 1, 0);
    near(eval1("aucpr", pp, py, NULL, 4), 1, 1e-12);
}

/* ---- golden values from xgboost 1.7.4 -------------------------------------
 *
 * Printed by xgboost with base_margin = pred, objective reg:squarederror
 * (identity transform) or multi:softprob (margins below), eta 0. */

static const float G_PRED[8] = {0.9f, 0.8f, 0.8f, 0.7f, 0.6f, 0.5f, 0.5f, 0.3f};
static const float G_LABEL[8] = {1, 0, 1, 1, 0, 0, 1, 0};
static const float G_WEIGHT[8] = {1, 2, 0.5f, 1, 3, 1, 2, 1};
static const float G_GRADED[8] = {3, 0, 2, 1, 0, 0, 1, 2};

static void test_binary_golden(void **state)
{
    (void)state;
    near(eval1("auc", G_PRED, G_LABEL, NULL, 8), 0.75, 1e-12);
    near(eval1("aucpr", G_PRED, G_LABEL, NULL, 8), 0.76777226471763749, 1e-12);
    near(eval1("auc", G_PRED, G_LABEL, G_WEIGHT, 8), 0.5714285714285714, 1e-12);
    near(eval1("aucpr", G_PRED, G_LABEL, G_WEIGHT, 8), 0.57119099793231665,
         1e-12);
}

static void test_ranking_golden(void **state)
{
    (void)state;
    near(eval1("ndcg", G_PRED, G_LABEL, NULL, 8), 0.88382429458997058, 1e-12);
    near(eval1("map", G_PRED, G_LABEL, NULL, 8), 0.74702380952380953, 1e-12);
    near(eval1("ndcg@3", G_PRED, G_LABEL, NULL, 8), 0.70391808903413466, 1e-12);
    near(eval1("ndcg@3-", G_PRED, G_LABEL, NULL, 8), 0.70391808903413466,
         1e-12);
    near(eval1("map@3", G_PRED, G_LABEL, NULL, 8), 0.41666666666666663, 1e-12);
    near(eval1("pre@3", G_PRED, G_LABEL, NULL, 8), 0.66666666666666663, 1e-12);
    /* weights are ignored */
    near(eval1("ndcg", G_PRED, G_LABEL, G_WEIGHT, 8), 0.88382429458997058,
         1e-12);
    near(eval1("map", G_PRED, G_LABEL, G_WEIGHT, 8), 0.74702380952380953,
         1e-12);
    /* graded relevance */
    near(eval1("ndcg", G_PRED, G_GRADED, NULL, 8), 0.91080413165623042, 1e-12);
    near(eval1("ndcg@4", G_PRED, G_GRADED, NULL, 8), 0.82512170386043993,
         1e-12);
    near(eval1("map", G_PRED, G_GRADED, NULL, 8), 0.72261904761904761, 1e-12);
    /* no relevant row: 1, or 0 with the minus suffix */
    const float none[8] = {0};
    near(eval1("ndcg", G_PRED, none, NULL, 8), 1, 0);
    near(eval1("map", G_PRED, none, NULL, 8), 1, 0);
    near(eval1("ndcg-", G_PRED, none, NULL, 8), 0, 0);
    near(eval1("map@2-", G_PRED, none, NULL, 8), 0, 0);
    /* by hand: rel (0, 1, 1) ranked in that order */
    const float p3[3] = {3, 2, 1}, r3[3] = {0, 1, 1};
    near(eval1("ndcg", p3, r3, NULL, 3),
         (1 / log2(3.0) + 0.5) / (1 + 1 / log2(3.0)), 1e-12);
    near(eval1("map", p3, r3, NULL, 3), (0.5 + 2.0 / 3) / 2, 1e-12);
}

static void test_multiclass_golden(void **state)
{
    (void)state;
    float m[18] = {2, 1, 0, 0.5f, 0.2f, 0.1f, 0, 3, 1,
                   1, 1, 1, 0.2f, 0.1f, 2, 1, 0, 2};
    const float y[6] = {0, 1, 1, 2, 2, 0}, w[6] = {1, 2, 1, 0.5f, 1, 3};
    kiln__xgb_obj_params p = defaults();
    p.num_class = 3;
    kiln__xgb_objective_find("multi:softprob")->transform(&p, m, 6, 3, true);
    near(eval_k("auc", m, y, NULL, 6, 3), 0.83333333333333337, 1e-12);
    near(eval_k("aucpr", m, y, NULL, 6, 3), 0.7689509398133515, 1e-9);
    near(eval_k("merror", m, y, NULL, 6, 3), 0.5, 1e-12);
    near(eval_k("mlogloss", m, y, NULL, 6, 3), 0.756250853339831, 1e-7);
    near(eval_k("auc", m, y, w, 6, 3), 0.75732111026228677, 1e-12);
    near(eval_k("aucpr", m, y, w, 6, 3), 0.74543937112293646, 1e-9);
}

/* ---- SageMaker's metrics (feval, on margins) ---------------------------- */

static void test_sagemaker_names(void **state)
{
    (void)state;
    static const char *const max[] = {
        "accuracy", "balanced_accuracy", "f1", "f1_binary", "f1_macro",
        "precision", "precision_macro", "precision_micro", "r2", "recall",
        "recall_macro", "recall_micro"};
    for (size_t i = 0; i < sizeof max / sizeof max[0]; i++)
        expect_name(max[i], max[i], true);
    expect_name("mse", "mse", false);
    expect_name("mae", "mae", false);
    /* the container matches whole names; xgboost knows none of these */
    expect_parse_error("accuracy@0.5", "unknown eval_metric 'accuracy@0.5'");
    expect_parse_error("mse@2", "unknown eval_metric 'mse@2'");
    expect_parse_error("F1", "unknown eval_metric 'F1'");
    expect_parse_error("xyz", "balanced_accuracy, f1, f1_binary");
    /* rmse and mae are listed once, with xgboost's */
    kiln__xgb_metric m;
    kiln_error err = {0};
    assert_int_equal(kiln__xgb_metric_parse("xyz", &m, &err),
                     KILN_HYPERPARAMETER);
    const char *first = strstr(err.message, "rmse,");
    assert_non_null(first);
    assert_null(strstr(first + 1, " rmse,"));
}

static double sm(const char *name, const float *margin, const float *label,
                 size_t n, int k)
{
    return eval_k(name, margin, label, NULL, n, k);
}

static void test_sagemaker_binary_by_hand(void **state)
{
    (void)state;
    /* margin > 0 is class 1 (0 is not): predicted 1 0 0 1 0 1 1 */
    const float m[7] = {2, -1, 0, 0.3f, -0.2f, 5, 1};
    const float y[7] = {1, 0, 1, 0, 0, 1, 0};
    /* class 1: tp 2, predicted 4, true 3; class 0: tp 2, predicted 3,
     * true 4 */
    double p1 = 0.5, r1 = 2.0 / 3, p0 = 2.0 / 3, r0 = 0.5;
    double f1 = 2 * p1 * r1 / (p1 + r1), f0 = 2 * p0 * r0 / (p0 + r0);
    near(sm("accuracy", m, y, 7, 1), 4.0 / 7, 1e-15);
    near(sm("precision_micro", m, y, 7, 1), 4.0 / 7, 1e-15);
    near(sm("recall_micro", m, y, 7, 1), 4.0 / 7, 1e-15);
    near(sm("balanced_accuracy", m, y, 7, 1), (r0 + r1) / 2, 1e-15);
    near(sm("precision", m, y, 7, 1), p1, 1e-15);
    near(sm("recall", m, y, 7, 1), r1, 1e-15);
    near(sm("f1_binary", m, y, 7, 1), f1, 1e-15);
    near(sm("f1", m, y, 7, 1), (f0 + f1) / 2, 1e-15);
    near(sm("f1_macro", m, y, 7, 1), (f0 + f1) / 2, 1e-15);
    near(sm("precision_macro", m, y, 7, 1), (p0 + p1) / 2, 1e-15);
    near(sm("recall_macro", m, y, 7, 1), (r0 + r1) / 2, 1e-15);
    /* weights are not read: the container never passes them */
    const float w[7] = {5, 1, 1, 1, 1, 1, 1};
    near(eval_k("accuracy", m, y, w, 7, 1), 4.0 / 7, 1e-15);

    /* probabilities would be all "1": the metric wants margins */
    const float prob[3] = {0.1f, 0.2f, 0.9f}, y3[3] = {0, 0, 1};
    near(sm("accuracy", prob, y3, 3, 1), 1.0 / 3, 1e-15);
    /* a NaN margin is not > 0 */
    const float mn[2] = {NAN, 1}, yn[2] = {0, 1};
    near(sm("accuracy", mn, yn, 2, 1), 1, 0);

    /* one class in labels and predictions, not 1: zero_division 0 */
    const float neg[3] = {-1, -2, -3}, zeros[3] = {0, 0, 0};
    near(sm("precision", neg, zeros, 3, 1), 0, 0);
    near(sm("recall", neg, zeros, 3, 1), 0, 0);
    near(sm("f1_binary", neg, zeros, 3, 1), 0, 0);
    near(sm("accuracy", neg, zeros, 3, 1), 1, 0);
    near(sm("balanced_accuracy", neg, zeros, 3, 1), 1, 0);
    near(sm("f1", neg, zeros, 3, 1), 1, 0);
    /* the predictions only: recall of the predicted class is 0 */
    const float pos[3] = {1, 2, 3};
    near(sm("precision", pos, zeros, 3, 1), 0, 0);
    near(sm("f1", pos, zeros, 3, 1), 0, 0);
    near(sm("balanced_accuracy", pos, zeros, 3, 1), 0, 0);
}

static void test_sagemaker_errors(void **state)
{
    (void)state;
    const float m[3] = {1, -1, 1};
    /* labels 0 and 2: two values without 1 -- "pos_label=1 is not a valid
     * label"; with predictions 1 and 0, three values -- "Target is
     * multiclass but average='binary'" */
    const float y02[3] = {0, 2, 2};
    const float neg[3] = {-1, -1, -1};
    assert_true(isnan(sm("f1_binary", neg, y02, 3, 1)));
    assert_true(isnan(sm("precision", m, y02, 3, 1)));
    assert_true(isnan(sm("recall", m, y02, 3, 1)));
    near(sm("accuracy", m, y02, 3, 1), 0, 0);
    near(sm("recall_macro", m, y02, 3, 1), 0, 0);
    near(sm("balanced_accuracy", neg, y02, 3, 1), 0.5, 0);
    /* labels that are not whole numbers: "continuous" */
    const float frac[3] = {0, 0.5f, 1}, nan3[3] = {0, NAN, 1};
    const float inf3[3] = {0, INFINITY, 1};
    assert_true(isnan(sm("accuracy", m, frac, 3, 1)));
    assert_true(isnan(sm("f1", m, nan3, 3, 1)));
    assert_true(isnan(sm("balanced_accuracy", m, inf3, 3, 1)));
    /* no rows: the container's 0 */
    near(sm("accuracy", m, frac, 0, 1), 0, 0);
    near(sm("f1_binary", m, frac, 0, 3), 0, 0);
    /* regression metrics: no rows, K > 1, NaN, r2 of one row */
    assert_true(isnan(sm("mse", m, frac, 0, 1)));
    assert_true(isnan(sm("rmse", m, frac, 1, 3)));
    assert_true(isnan(sm("mae", m, nan3, 3, 1)));
    assert_true(isnan(sm("r2", nan3, m, 3, 1)));
    assert_true(isnan(sm("r2", m, m, 1, 1)));
}

static void test_sagemaker_multiclass(void **state)
{
    (void)state;
    /* argmax of margins: first maximum, a NaN wins */
    const float m[15] = {3, 1, 2,   1, 1, 0,   0, 2, 2,
                         NAN, 5, 6,  0, 1, NAN};
    /* predicted 0, 0, 1, 0, 2 */
    const float y[5] = {0, 1, 1, 2, 2};
    near(sm("accuracy", m, y, 5, 3), 3.0 / 5, 1e-15);
    /* class 0: tp 1, pred 3, true 1; 1: tp 1, pred 1, true 2; 2: tp 1,
     * pred 1, true 2 */
    near(sm("balanced_accuracy", m, y, 5, 3), (1 + 0.5 + 0.5) / 3, 1e-15);
    near(sm("precision_macro", m, y, 5, 3), (1.0 / 3 + 1 + 1) / 3, 1e-15);
    double f0 = 2 * (1.0 / 3) / (1.0 / 3 + 1), f12 = 2 * 0.5 / 1.5;
    near(sm("f1_macro", m, y, 5, 3), (f0 + 2 * f12) / 3, 1e-15);
    assert_true(isnan(sm("f1_binary", m, y, 5, 3)));
    assert_true(isnan(sm("mse", m, y, 5, 3)));
}

/* sklearn's per-class counts, naively: classes by linear search. */
static void naive_counts(const float *m, const float *y, size_t n, int k,
                         float *cls, size_t *ncls, size_t *t, size_t *p,
                         size_t *tp)
{
    *ncls = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        float v;
        if (i < n) {
            v = y[i];
        } else {
            const float *r = m + (i - n) * (size_t)k;
            int best = 0;
            for (int c = 1; c < k; c++)
                if (r[c] > r[best])
                    best = c;
            v = k > 1 ? (float)best : r[0] > 0 ? 1.0f : 0.0f;
        }
        size_t j = 0;
        while (j < *ncls && cls[j] != v)
            j++;
        if (j == *ncls) {
            cls[j] = v;
            t[j] = p[j] = tp[j] = 0;
            (*ncls)++;
        }
        if (i < n)
            t[j]++;
        else
            p[j]++;
    }
    for (size_t i = 0; i < n; i++) {
        const float *r = m + i * (size_t)k;
        int best = 0;
        for (int c = 1; c < k; c++)
            if (r[c] > r[best])
                best = c;
        float q = k > 1 ? (float)best : r[0] > 0 ? 1.0f : 0.0f;
        if (q != y[i])
            continue;
        for (size_t j = 0; j < *ncls; j++)
            if (cls[j] == q)
                tp[j]++;
    }
}

static void test_sagemaker_random_against_naive(void **state)
{
    (void)state;
    enum { N = 300 };
    static float m[N * 4], y[N], cls[2 * N];
    static size_t t[2 * N], p[2 * N], tp[2 * N];
    srand(777);
    for (int k = 1; k <= 4; k += 3) {
        for (int i = 0; i < N; i++) {
            y[i] = (float)(rand() % (k == 1 ? 2 : k));
            for (int c = 0; c < k; c++)
                m[i * k + c] = (float)(rand() % 200 - 100) / 25;
        }
        size_t nc;
        naive_counts(m, y, N, k, cls, &nc, t, p, tp);
        double correct = 0, bal = 0, pm = 0, rm = 0, fm = 0;
        size_t present = 0;
        for (size_t j = 0; j < nc; j++) {
            correct += (double)tp[j];
            double pj = p[j] ? (double)tp[j] / (double)p[j] : 0;
            double rj = t[j] ? (double)tp[j] / (double)t[j] : 0;
            if (t[j]) {
                bal += rj;
                present++;
            }
            pm += pj;
            rm += rj;
            fm += pj + rj > 0 ? 2 * pj * rj / (pj + rj) : 0;
        }
        near(sm("accuracy", m, y, N, k), correct / N, 1e-15);
        near(sm("precision_micro", m, y, N, k), correct / N, 1e-15);
        near(sm("balanced_accuracy", m, y, N, k), bal / (double)present,
             1e-14);
        near(sm("precision_macro", m, y, N, k), pm / (double)nc, 1e-14);
        near(sm("recall_macro", m, y, N, k), rm / (double)nc, 1e-14);
        near(sm("f1", m, y, N, k), fm / (double)nc, 1e-14);
        if (k == 1)
            for (size_t j = 0; j < nc; j++)
                if (cls[j] == 1) {
                    double pj = (double)tp[j] / (double)p[j];
                    double rj = (double)tp[j] / (double)t[j];
                    near(sm("precision", m, y, N, 1), pj, 1e-15);
                    near(sm("recall", m, y, N, 1), rj, 1e-15);
                    near(sm("f1_binary", m, y, N, 1),
                         2 * pj * rj / (pj + rj), 1e-15);
                }
    }
}

static void test_sagemaker_regression(void **state)
{
    (void)state;
    const float m[5] = {1.5f, 2, -3, 4.25f, 0}, y[5] = {1, 2, 3, 4, 5};
    double se = 0, ae = 0, ybar = 3, ss = 0;
    for (int i = 0; i < 5; i++) {
        se += (y[i] - m[i]) * (y[i] - m[i]);
        ae += fabs(y[i] - m[i]);
        ss += (y[i] - ybar) * (y[i] - ybar);
    }
    near(sm("mse", m, y, 5, 1), se / 5, 1e-7);
    near(sm("rmse", m, y, 5, 1), sqrt(se / 5), 1e-7);
    near(sm("mae", m, y, 5, 1), ae / 5, 1e-7);
    near(sm("r2", m, y, 5, 1), 1 - se / ss, 1e-12);
    /* unweighted, unlike xgboost's rmse */
    const float w[5] = {9, 1, 1, 1, 1};
    near(eval_k("rmse", m, y, w, 5, 1), sqrt(se / 5), 1e-7);
    /* constant labels: 1 for a perfect fit, else 0 */
    const float c[3] = {2, 2, 2}, off[3] = {2, 2, 3};
    near(sm("r2", c, c, 3, 1), 1, 0);
    near(sm("r2", off, c, 3, 1), 0, 0);
    /* -0.5 in exact arithmetic; sklearn's label mean is float32 (7/3
     * rounded), and r2_score(float32 [2, 2, 3], float32 [2, 2, 2]) prints
     * -0.5000000223517422 */
    near(sm("r2", c, off, 3, 1), -0.5000000223517422, 1e-15);
    /* float32 sums, numpy's pairwise order: squares 2^24 and seven 1s sum
     * to ((2^24 + 1) + (1 + 1)) + ((1 + 1) + (1 + 1)) = 2^24 + 6 in
     * float (2^24 + 7 exactly; 2^24 added one at a time) */
    const float big[8] = {4096, 1, 1, 1, 1, 1, 1, 1};
    const float zero[8] = {0};
    near(sm("mse", zero, big, 8, 1), (16777216.0 + 6) / 8, 0);
    /* under eight values numpy adds in order: 2^24 + 1 + 1 + 1 = 2^24 */
    near(sm("mse", zero, big, 4, 1), (double)(16777216.0f / 4.0f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_regression_metrics),
        cmocka_unit_test(test_count_metrics),
        cmocka_unit_test(test_classification_metrics),
        cmocka_unit_test(test_multiclass_metrics),
        cmocka_unit_test(test_auc_matches_pair_counting),
        cmocka_unit_test(test_binary_golden),
        cmocka_unit_test(test_ranking_golden),
        cmocka_unit_test(test_multiclass_golden),
        cmocka_unit_test(test_sagemaker_names),
        cmocka_unit_test(test_sagemaker_binary_by_hand),
        cmocka_unit_test(test_sagemaker_errors),
        cmocka_unit_test(test_sagemaker_multiclass),
        cmocka_unit_test(test_sagemaker_random_against_naive),
        cmocka_unit_test(test_sagemaker_regression),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
