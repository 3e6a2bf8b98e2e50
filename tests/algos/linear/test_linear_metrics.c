/* Linear learner's metrics (algos/linear/linear_metrics.c) against naive
 * implementations written here: confusion counts, ROC AUC by counting
 * pairs, threshold calibration by trying every threshold, multiclass
 * metrics by ranking each row; and the Python-style number format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/linear/linear.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ULL;

static double rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* ---- binary ------------------------------------------------------------ */

static double naive_auc(const double *s, const float *y, size_t n)
{
    double wins = 0, pairs = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (y[i] > 0.5f && y[j] < 0.5f) {
                pairs++;
                wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
            }
    return wins / pairs;
}

static double criterion(kiln__linear_criterion c, const kiln__linear_confusion *k,
                        double beta, double tp, double tr, bool *valid)
{
    double prec = kiln__linear_precision(k), rec = kiln__linear_recall(k);
    *valid = true;
    switch (c) {
    case KILN__SEL_ACCURACY:
        return kiln__linear_accuracy(k);
    case KILN__SEL_F_BETA:
        return kiln__linear_fbeta(k, beta);
    case KILN__SEL_PRECISION_AT_RECALL:
        *valid = rec >= tr && k->tp + k->fp > 0;
        return prec;
    case KILN__SEL_RECALL_AT_PRECISION:
        *valid = prec >= tp && k->tp + k->fp > 0;
        return rec;
    case KILN__SEL_LOSS:
        break;
    }
    *valid = false;
    return 0;
}

/* every threshold that can change a prediction: each score (positive iff
 * above it) and one below them all */
static double brute_best(kiln__linear_criterion c, const double *s,
                         const float *y, size_t n, double beta, double tp,
                         double tr)
{
    double best = -1;
    for (size_t i = 0; i <= n; i++) {
        double thr = i < n ? s[i] : -1e300;
        kiln__linear_confusion k;
        kiln__linear_confusion_at(s, y, n, thr, &k);
        bool valid;
        double v = criterion(c, &k, beta, tp, tr, &valid);
        if (valid && v > best)
            best = v;
    }
    return best < 0 ? 0 : best;
}

static void test_confusion_and_rates(void **state)
{
    (void)state;
    const double s[] = {0.9, 0.8, 0.7, 0.6, 0.55, 0.3, 0.2, 0.1};
    const float y[] = {1, 1, 0, 1, 0, 0, 1, 0};
    kiln__linear_confusion c;
    kiln__linear_confusion_at(s, y, 8, 0.58, &c);
    assert_float_equal(c.tp, 3, 0);
    assert_float_equal(c.fp, 1, 0);
    assert_float_equal(c.tn, 3, 0);
    assert_float_equal(c.fn, 1, 0);
    assert_float_equal(kiln__linear_accuracy(&c), 0.75, 1e-15);
    assert_float_equal(kiln__linear_precision(&c), 0.75, 1e-15);
    assert_float_equal(kiln__linear_recall(&c), 0.75, 1e-15);
    assert_float_equal(kiln__linear_fbeta(&c, 1), 0.75, 1e-15);
    /* F2 = 5 P R / (4 P + R) */
    kiln__linear_confusion_at(s, y, 8, 0.75, &c); /* P 1, R 0.5 */
    assert_float_equal(kiln__linear_fbeta(&c, 2), 5 * 0.5 / (4 + 0.5), 1e-15);
    /* no positive prediction: precision 0 (zero_division = 0) */
    kiln__linear_confusion_at(s, y, 8, 1.0, &c);
    assert_float_equal(kiln__linear_precision(&c), 0, 0);
    assert_float_equal(kiln__linear_fbeta(&c, 1), 0, 0);
    kiln_error err;
    kiln_error_init(&err);
    assert_float_equal(kiln__linear_roc_auc(s, y, 8, &err), naive_auc(s, y, 8),
                       1e-15);
}

static void test_calibration_by_hand(void **state)
{
    (void)state;
    const double s[] = {0.9, 0.8, 0.7, 0.6, 0.55, 0.3, 0.2, 0.1};
    const float y[] = {1, 1, 0, 1, 0, 0, 1, 0};
    kiln_error err;
    kiln_error_init(&err);
    double thr, v;
    kiln__linear_calibration cal = {KILN__SEL_ACCURACY, 1, 0.9, 0.75, 0.5};
    /* accuracy 6/8 first at the top 2 (between 0.8 and 0.7) */
    assert_int_equal(kiln__linear_calibrate(&cal, s, y, 8, &thr, &v, &err), 0);
    assert_float_equal(v, 0.75, 1e-15);
    assert_float_equal(thr, 0.75, 1e-15);
    cal.criterion = KILN__SEL_F_BETA; /* F1 0.75 at the top 4 */
    kiln__linear_calibrate(&cal, s, y, 8, &thr, &v, &err);
    assert_float_equal(v, 0.75, 1e-15);
    assert_float_equal(thr, 0.575, 1e-15);
    cal.criterion = KILN__SEL_PRECISION_AT_RECALL; /* recall >= 0.75 */
    kiln__linear_calibrate(&cal, s, y, 8, &thr, &v, &err);
    assert_float_equal(v, 0.75, 1e-15);
    assert_float_equal(thr, 0.575, 1e-15);
    cal.criterion = KILN__SEL_RECALL_AT_PRECISION; /* precision >= 0.9 */
    kiln__linear_calibrate(&cal, s, y, 8, &thr, &v, &err);
    assert_float_equal(v, 0.5, 1e-15);
    assert_float_equal(thr, 0.75, 1e-15);
    cal.target_precision = 0.99; /* unreachable beyond the top 2: still 0.5 */
    kiln__linear_calibrate(&cal, s, y, 8, &thr, &v, &err);
    assert_float_equal(v, 0.5, 1e-15);
    cal.criterion = KILN__SEL_LOSS; /* keeps the fallback */
    kiln__linear_calibrate(&cal, s, y, 8, &thr, &v, &err);
    assert_float_equal(thr, 0.5, 0);
}

static void test_calibration_matches_brute_force(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    enum { N = 300 };
    double s[N];
    float y[N];
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + (size_t)(rnd() * N);
        double p = 0.1 + 0.8 * rnd();
        for (size_t i = 0; i < n; i++) {
            y[i] = rnd() < p ? 1.0f : 0.0f;
            /* ties on purpose: scores on a grid, shifted by the label */
            s[i] = floor((rnd() + 0.3 * y[i]) * 20) / 20;
        }
        kiln__linear_criterion crits[] = {
            KILN__SEL_ACCURACY, KILN__SEL_F_BETA,
            KILN__SEL_PRECISION_AT_RECALL, KILN__SEL_RECALL_AT_PRECISION};
        for (size_t c = 0; c < 4; c++) {
            kiln__linear_calibration cal = {crits[c], 0.5 + 2 * rnd(),
                                            0.3 + 0.6 * rnd(),
                                            0.3 + 0.6 * rnd(), 0.5};
            double thr, v;
            assert_int_equal(
                kiln__linear_calibrate(&cal, s, y, n, &thr, &v, &err), 0);
            double want = brute_best(crits[c], s, y, n, cal.beta,
                                     cal.target_precision, cal.target_recall);
            assert_float_equal(v, want, 1e-12);
            /* the threshold found gives that value */
            kiln__linear_confusion k;
            kiln__linear_confusion_at(s, y, n, thr, &k);
            bool valid;
            double got = criterion(crits[c], &k, cal.beta,
                                   cal.target_precision, cal.target_recall,
                                   &valid);
            if (want > 0)
                assert_float_equal(got, want, 1e-12);
        }
        bool both = false;
        for (size_t i = 1; i < n; i++)
            both |= y[i] != y[0];
        if (both)
            assert_float_equal(kiln__linear_roc_auc(s, y, n, &err),
                               naive_auc(s, y, n), 1e-12);
        else
            assert_true(isnan(kiln__linear_roc_auc(s, y, n, &err)));
    }
}

/* ---- multiclass -------------------------------------------------------- */

static void naive_multiclass(const float *p, const float *y, size_t n,
                             size_t k, int64_t top, double beta,
                             kiln__linear_mc_metrics *out)
{
    double acc = 0, topk = 0, dcg = 0, ll = 0;
    double tp[16] = {0}, pred[16] = {0}, act[16] = {0};
    for (size_t i = 0; i < n; i++) {
        const float *r = p + i * k;
        size_t c = (size_t)y[i];
        /* rank of the true class: 1 + classes scoring strictly higher */
        size_t rank = 1;
        for (size_t j = 0; j < k; j++)
            if (r[j] > r[c])
                rank++;
        size_t arg = 0;
        for (size_t j = 1; j < k; j++)
            if (r[j] > r[arg])
                arg = j;
        acc += arg == c;
        topk += (int64_t)rank <= top;
        dcg += 1 / log2(1.0 + (double)rank);
        ll += -log(fmax(r[c], 1e-15));
        act[c]++;
        pred[arg]++;
        tp[c] += arg == c;
    }
    double sp = 0, sr = 0, sf = 0, used = 0, bal = 0, present = 0;
    for (size_t c = 0; c < k; c++) {
        if (act[c] == 0 && pred[c] == 0)
            continue;
        double pc = pred[c] ? tp[c] / pred[c] : 0, rc = act[c] ? tp[c] / act[c] : 0;
        double f = pc + rc > 0 ? (1 + beta * beta) * pc * rc / (beta * beta * pc + rc) : 0;
        sp += pc;
        sr += rc;
        sf += f;
        used++;
        if (act[c]) {
            bal += rc;
            present++;
        }
    }
    *out = (kiln__linear_mc_metrics){acc / n, topk / n, dcg / n, sp / used,
                                     sr / used, sf / used, bal / present,
                                     ll / n};
}

static void test_multiclass_matches_naive(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    enum { N = 200, K = 7 };
    static float p[N * K], y[N];
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < N; i++) {
            double sum = 0;
            y[i] = (float)(size_t)(rnd() * (round % 2 ? K - 2 : K));
            for (size_t j = 0; j < K; j++) {
                /* ties on a grid; the true class is favoured */
                p[i * K + j] = (float)(floor(rnd() * 8) + (j == y[i] ? 3 : 0));
                sum += p[i * K + j];
            }
            for (size_t j = 0; j < K; j++)
                p[i * K + j] = (float)(p[i * K + j] / sum);
        }
        int64_t top = 1 + round % 4;
        double beta = 0.5 + round % 3;
        kiln__linear_mc_metrics got, want;
        assert_int_equal(kiln__linear_multiclass_metrics(p, y, N, K, top, beta,
                                                         &got, &err),
                         0);
        naive_multiclass(p, y, N, K, top, beta, &want);
        assert_float_equal(got.accuracy, want.accuracy, 1e-12);
        assert_float_equal(got.top_k_accuracy, want.top_k_accuracy, 1e-12);
        assert_float_equal(got.dcg, want.dcg, 1e-12);
        assert_float_equal(got.macro_precision, want.macro_precision, 1e-12);
        assert_float_equal(got.macro_recall, want.macro_recall, 1e-12);
        assert_float_equal(got.macro_f_beta, want.macro_f_beta, 1e-12);
        assert_float_equal(got.balanced_accuracy, want.balanced_accuracy, 1e-12);
        assert_float_equal(got.log_loss, want.log_loss, 1e-9);
    }
}

/* ---- numbers ------------------------------------------------------------ */

static void test_repr_is_pythons(void **state)
{
    (void)state;
    struct {
        double v;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},         {1.0, "1.0"},
        {1e-05, "1e-05"},     {0.595682421003, "0.595682421003"},
        {123456.0, "123456.0"}, {1.0 / 3, "0.3333333333333333"},
        {-2.5, "-2.5"},       {1e16, "1e+16"},
        {0.0, "0.0"},         {22743.7031111, "22743.7031111"},
        {NAN, "nan"},         {INFINITY, "inf"},
        {10.0, "10.0"},       {1e15, "1000000000000000.0"},
        {1.5e-7, "1.5e-07"},  {0.0001, "0.0001"},
        {-0.00012, "-0.00012"}, {2.5e22, "2.5e+22"},
        {100.5, "100.5"},     {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
    };
    char buf[40];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln__linear_repr(cases[i].v, buf, sizeof buf);
        assert_string_equal(buf, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_confusion_and_rates),
        cmocka_unit_test(test_calibration_by_hand),
        cmocka_unit_test(test_calibration_matches_brute_force),
        cmocka_unit_test(test_multiclass_matches_naive),
        cmocka_unit_test(test_repr_is_pythons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
