/* Tests for plotting/chart_axis.c: view ranges, ticks and labels.
 *
 * Oracles: hand-computed cases, and for random ranges a naive reference
 * that builds every candidate step from its decimal text ("2e-7" through
 * strtod, not from a table of powers) and counts ticks by stepping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plotting/chart_axis.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MINUS "\xE2\x88\x92"

static void ticks(kiln_chart_axis *ax, double lo, double hi, bool log,
                  bool integer, int max_ticks)
{
    kiln_chart_axis_ticks(ax, lo, hi, log, integer, max_ticks);
}

/* Compare ticks with expected values (exactly: they must be the doubles
 * the decimal literals denote) and labels. */
static void expect(const kiln_chart_axis *ax, size_t n, const double *v,
                   const char *const *labels)
{
    if (ax->n != n) {
        for (size_t i = 0; i < ax->n; i++)
            print_error("tick %zu: %.17g '%s'\n", i, ax->tick[i],
                        ax->label[i]);
    }
    assert_int_equal(ax->n, n);
    for (size_t i = 0; i < n; i++) {
        if (ax->tick[i] != v[i])
            print_error("tick %zu: got %.17g want %.17g\n", i, ax->tick[i],
                        v[i]);
        assert_true(ax->tick[i] == v[i]);
        if (labels != NULL)
            assert_string_equal(ax->label[i], labels[i]);
    }
}

static void test_linear_hand_cases(void **state)
{
    (void)state;
    kiln_chart_axis ax;

    ticks(&ax, 0, 0.3, false, false, 8);
    expect(&ax, 7, (double[]){0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3},
           (const char *[]){"0.00", "0.05", "0.10", "0.15", "0.20", "0.25",
                            "0.30"});

    ticks(&ax, 0, 1, false, false, 6);
    expect(&ax, 6, (double[]){0, 0.2, 0.4, 0.6, 0.8, 1},
           (const char *[]){"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"});

    /* 0.1 + 0.2 is not 0.3: a tick is computed, never accumulated. */
    ticks(&ax, 0, 0.3, false, false, 4);
    expect(&ax, 4, (double[]){0, 0.1, 0.2, 0.3},
           (const char *[]){"0.0", "0.1", "0.2", "0.3"});

    ticks(&ax, -7, 3, false, false, 6);
    expect(&ax, 5, (double[]){-6, -4, -2, 0, 2},
           (const char *[]){MINUS "6", MINUS "4", MINUS "2", "0", "2"});

    ticks(&ax, -0.3, -0.1, false, false, 5);
    expect(&ax, 5, (double[]){-0.3, -0.25, -0.2, -0.15, -0.1},
           (const char *[]){MINUS "0.30", MINUS "0.25", MINUS "0.20",
                            MINUS "0.15", MINUS "0.10"});

    ticks(&ax, 1e6, 5e6, false, false, 6);
    expect(&ax, 5, (double[]){1e6, 2e6, 3e6, 4e6, 5e6},
           (const char *[]){"1M", "2M", "3M", "4M", "5M"});

    ticks(&ax, 0, 250000, false, false, 6);
    expect(&ax, 6, (double[]){0, 50000, 100000, 150000, 200000, 250000},
           (const char *[]){"0", "50k", "100k", "150k", "200k", "250k"});

    ticks(&ax, 0, 1.5e6, false, false, 4);
    expect(&ax, 4, (double[]){0, 5e5, 1e6, 1.5e6},
           (const char *[]){"0", "0.5M", "1.0M", "1.5M"});

    ticks(&ax, 0, 1e-4, false, false, 6);
    expect(&ax, 6, (double[]){0, 2e-5, 4e-5, 6e-5, 8e-5, 1e-4},
           (const char *[]){"0", "2e-5", "4e-5", "6e-5", "8e-5", "1e-4"});

    ticks(&ax, 0, 1.5e-4, false, false, 4);
    expect(&ax, 4, (double[]){0, 5e-5, 1e-4, 1.5e-4},
           (const char *[]){"0", "5e-5", "1e-4", "1.5e-4"});

    ticks(&ax, 0, 40000, false, false, 5);
    expect(&ax, 5, (double[]){0, 10000, 20000, 30000, 40000},
           (const char *[]){"0", "10000", "20000", "30000", "40000"});

    /* A view that contains no multiple of a ladder step below max. */
    ticks(&ax, 0.95, 1.05, false, false, 3);
    expect(&ax, 3, (double[]){0.95, 1.0, 1.05},
           (const char *[]){"0.95", "1.00", "1.05"});

    /* Integer axes never step below 1. */
    ticks(&ax, 0.5, 3.5, false, true, 10);
    expect(&ax, 3, (double[]){1, 2, 3}, (const char *[]){"1", "2", "3"});
    ticks(&ax, -1.45, 52.45, false, true, 9);
    expect(&ax, 6, (double[]){0, 10, 20, 30, 40, 50},
           (const char *[]){"0", "10", "20", "30", "40", "50"});
    ticks(&ax, 0.2, 0.8, false, true, 10);
    assert_int_equal(ax.n, 0);
}

static void test_log_hand_cases(void **state)
{
    (void)state;
    kiln_chart_axis ax;

    ticks(&ax, 1, 1000, true, false, 8);
    expect(&ax, 4, (double[]){1, 10, 100, 1000},
           (const char *[]){"1", "10", "100", "1000"});
    /* Minor ticks: 2..9 of each decade in view. */
    assert_int_equal(ax.n_minor, 3 * 8);
    assert_true(ax.minor[0] == 2);
    for (size_t i = 0; i < ax.n_minor; i++) {
        double m = ax.minor[i];
        double mant = m / pow(10, floor(log10(m)));
        assert_true(m > 1 && m < 1000);
        assert_true(fabs(mant - round(mant)) < 1e-9);
        assert_true(round(mant) >= 2 && round(mant) <= 9);
    }

    ticks(&ax, 0.001, 1, true, false, 8);
    expect(&ax, 4, (double[]){0.001, 0.01, 0.1, 1},
           (const char *[]){"0.001", "0.01", "0.1", "1"});

    /* 13 decades, 7 ticks at most: every second decade, superscripts. */
    ticks(&ax, 1e-9, 1e3, true, false, 7);
    expect(&ax, 6, (double[]){1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2},
           (const char *[]){"10\xE2\x81\xBB\xE2\x81\xB8",
                            "10\xE2\x81\xBB\xE2\x81\xB6",
                            "10\xE2\x81\xBB\xE2\x81\xB4",
                            "10\xE2\x81\xBB\xC2\xB2", "10\xE2\x81\xB0",
                            "10\xC2\xB2"});
    assert_int_equal(ax.n_minor, 0);

    ticks(&ax, 1, 1e12, true, false, 20);
    assert_int_equal(ax.n, 13);
    assert_string_equal(ax.label[12], "10\xC2\xB9\xC2\xB2");

    /* Under two decades: 1-2-5. */
    ticks(&ax, 2, 8, true, false, 8);
    expect(&ax, 2, (double[]){2, 5}, (const char *[]){"2", "5"});
    ticks(&ax, 3, 40, true, false, 8);
    expect(&ax, 3, (double[]){5, 10, 20}, (const char *[]){"5", "10", "20"});
    ticks(&ax, 1.5e-5, 9e-5, true, false, 8);
    expect(&ax, 2, (double[]){2e-5, 5e-5},
           (const char *[]){"2e-5", "5e-5"});

    /* Narrower than a 1-2-5 step: linear ticks. */
    ticks(&ax, 2.1, 2.9, true, false, 5);
    expect(&ax, 4, (double[]){2.2, 2.4, 2.6, 2.8},
           (const char *[]){"2.2", "2.4", "2.6", "2.8"});
}

static void test_ranges(void **state)
{
    (void)state;
    double lo, hi;
    kiln_chart_axis_range(0, 10, false, false, &lo, &hi);
    assert_true(lo == -0.5 && hi == 10.5);
    kiln_chart_axis_range(10, 0, false, false, &lo, &hi);
    assert_true(lo == -0.5 && hi == 10.5);
    /* One point, or all values equal. */
    kiln_chart_axis_range(5, 5, false, false, &lo, &hi);
    assert_true(fabs(lo - 4.5) < 1e-12 && fabs(hi - 5.5) < 1e-12);
    kiln_chart_axis_range(-5, -5, false, false, &lo, &hi);
    assert_true(fabs(lo + 5.5) < 1e-12 && fabs(hi + 4.5) < 1e-12);
    kiln_chart_axis_range(0, 0, false, false, &lo, &hi);
    assert_true(lo == -1 && hi == 1);
    kiln_chart_axis_range(3, 3, false, true, &lo, &hi);
    assert_true(lo == 2 && hi == 4);
    kiln_chart_axis_range(5, 5, true, false, &lo, &hi);
    assert_true(fabs(lo - 5 / sqrt(10)) < 1e-12 &&
                fabs(hi - 5 * sqrt(10)) < 1e-12);
    /* No data. */
    kiln_chart_axis_range(NAN, NAN, false, false, &lo, &hi);
    assert_true(lo == 0 && hi == 1);
    kiln_chart_axis_range(NAN, NAN, true, false, &lo, &hi);
    assert_true(lo == 1 && hi == 10);
    kiln_chart_axis_range(-1, 0, true, false, &lo, &hi);
    assert_true(lo == 1 && hi == 10);
    /* Log: 5 % of the log span either side. */
    kiln_chart_axis_range(1, 1000, true, false, &lo, &hi);
    assert_true(fabs(log10(lo) + 0.15) < 1e-12 &&
                fabs(log10(hi) - 3.15) < 1e-12);

    /* Extremes stay finite and ordered, and contain the data. */
    const double cases[][2] = {
        {-DBL_MAX, DBL_MAX}, {DBL_MAX, DBL_MAX},   {-DBL_MAX, -DBL_MAX},
        {1e308, 1.5e308},    {5e-324, 5e-324},     {0, 5e-324},
        {1e-300, 2e-300},    {1, 1 + 1e-15},       {1e15, 1e15 + 1},
        {-1e-320, 1e-320},   {123456789, 123456789},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int log = 0; log < 2; log++) {
            double a = cases[i][0], b = cases[i][1];
            if (log && !(a > 0))
                continue;
            kiln_chart_axis_range(a, b, log, false, &lo, &hi);
            assert_true(isfinite(lo) && isfinite(hi));
            assert_true(lo < hi);
            assert_true(lo <= a && hi >= b);
            if (log)
                assert_true(lo > 0);
            kiln_chart_axis ax;
            ticks(&ax, lo, hi, log, false, 8);
            assert_true(ax.n <= 8);
            for (size_t k = 0; k < ax.n; k++) {
                assert_true(isfinite(ax.tick[k]));
                assert_true(ax.tick[k] >= lo && ax.tick[k] <= hi);
                if (k > 0) {
                    assert_true(ax.tick[k] > ax.tick[k - 1]);
                    assert_string_not_equal(ax.label[k], ax.label[k - 1]);
                }
            }
            double f0 = kiln_chart_axis_frac(&ax, a);
            double f1 = kiln_chart_axis_frac(&ax, b);
            assert_true(f0 >= 0 && f0 <= 1 && f1 >= 0 && f1 <= 1);
        }
    }
    /* A span too narrow for double labels is widened. */
    kiln_chart_axis_range(1, 1 + 1e-15, false, false, &lo, &hi);
    assert_true(hi - lo >= 1e-8);
}

static void test_format_number(void **state)
{
    (void)state;
    char s[KILN_CHART_LABEL_MAX];
    struct {
        double v;
        const char *want;
    } cases[] = {
        {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"},
        {100, "100"},
        {1234567, "1234567"},
        {1e20, "1e20"},
        {-2.5e-5, MINUS "2.5e-5"},
        {0, "0"},
        {-0.0, "0"},
        {1.0 / 3, "0.3333333333333333"},
        {NAN, "nan"},
        {-INFINITY, MINUS "inf"},
        {5e-324, "5e-324"},
        {DBL_MAX, "1.7976931348623157e308"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiln_chart_format_number(cases[i].v, s, sizeof s);
        assert_string_equal(s, cases[i].want);
    }
}

/* --- random ranges against a naive reference ------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* The reference: steps from their decimal text, ticks counted by walking
 * from the first multiple at or above lo. */
static double naive_step(double lo, double hi, int max_ticks, bool integer,
                         int *count)
{
    for (int e = -60; e <= 60; e++) {
        static const char *const ms[] = {"1", "2", "5"};
        for (int j = 0; j < 3; j++) {
            char text[32];
            snprintf(text, sizeof text, "%se%d", ms[j], e);
            double step = strtod(text, NULL);
            if (integer && step < 1)
                continue;
            double k = ceil(lo / step - 1e-9);
            int c = 0;
            for (; k * step <= hi + step * 1e-9 && c <= max_ticks; k++)
                c++;
            if (c <= max_ticks) {
                *count = c;
                return step;
            }
        }
    }
    return NAN;
}

/* Read a label back: U+2212 to '-', SI suffix to a factor. */
static double read_label(const char *label)
{
    char buf[KILN_CHART_LABEL_MAX];
    size_t n = 0;
    for (const char *p = label; *p && n + 1 < sizeof buf;) {
        if (strncmp(p, MINUS, 3) == 0) {
            buf[n++] = '-';
            p += 3;
        } else {
            buf[n++] = *p++;
        }
    }
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    switch (*end) {
    case 'k':
        return v * 1e3;
    case 'M':
        return v * 1e6;
    case 'G':
        return v * 1e9;
    case 'T':
        return v * 1e12;
    case '\0':
        return v;
    default:
        return NAN;
    }
}

/* Significant digits of a label's mantissa (trailing zeros of a whole
 * number do not count). */
static int sig_digits(const char *label)
{
    int n = 0, zeros = 0;
    bool leading = true, dot = false;
    for (const char *p = label; *p && *p != 'e'; p++) {
        dot = dot || *p == '.';
        if (*p < '0' || *p > '9')
            continue;
        if (leading && *p == '0')
            continue;
        leading = false;
        n++;
        zeros = *p == '0' ? zeros + 1 : 0;
    }
    return dot ? n : n - zeros;
}

/* Fewer random cases under valgrind (KILN_TEST_UNDER_VALGRIND): the same
 * checks, a tenth of the time. */
static int trials(int n)
{
    return getenv("KILN_TEST_UNDER_VALGRIND") != NULL ? n / 10 : n;
}

static void test_random_linear(void **state)
{
    (void)state;
    for (int trial = 0; trial < trials(20000); trial++) {
        double scale = pow(10, floor(uniform() * 40) - 20);
        double a = (uniform() * 2 - 1) * scale;
        double span = uniform() * scale * (uniform() < 0.2 ? 0.001 : 2);
        if (span < fabs(a) * 1e-7)
            span = fabs(a) * 1e-7 + scale * 1e-6;
        double lo = a, hi = a + span;
        int max_ticks = 2 + (int)(uniform() * 11);
        bool integer = uniform() < 0.15;
        if (integer) {
            lo *= 1e6 / scale;
            hi *= 1e6 / scale;
        }
        kiln_chart_axis ax;
        ticks(&ax, lo, hi, false, integer, max_ticks);
        int count;
        double step = naive_step(lo, hi, max_ticks, integer, &count);
        if ((int)ax.n != count)
            print_error("[%.17g, %.17g] max %d: %zu ticks, naive %d "
                        "(step %g)\n",
                        lo, hi, max_ticks, ax.n, count, step);
        assert_int_equal(ax.n, count);
        for (size_t i = 0; i < ax.n; i++) {
            assert_true(ax.tick[i] >= lo && ax.tick[i] <= hi);
            double k = ax.tick[i] / step;
            assert_true(fabs(k - round(k)) < 1e-6);
            if (i > 0)
                assert_true(fabs(ax.tick[i] - ax.tick[i - 1] - step) <
                            step * 1e-6);
            /* Labels read back as the tick, to well within a step, and
             * are all different. */
            double back = read_label(ax.label[i]);
            if (!(fabs(back - ax.tick[i]) <= step * 1e-6))
                print_error("label '%s' for %.17g (step %g)\n",
                            ax.label[i], ax.tick[i], step);
            assert_true(fabs(back - ax.tick[i]) <= step * 1e-6);
            /* No binary noise (0.30000000000000004): no more significant
             * digits than the step and the magnitude call for, plus one
             * for the shared number of decimals. */
            int allowed = (int)floor(log10(fmax(fabs(lo), fabs(hi)))) -
                          (int)floor(log10(step) + 1e-9) + 2;
            if (sig_digits(ax.label[i]) > allowed)
                print_error("label '%s': %d digits, allowed %d\n",
                            ax.label[i], sig_digits(ax.label[i]), allowed);
            assert_true(sig_digits(ax.label[i]) <= allowed);
            if (i > 0)
                assert_string_not_equal(ax.label[i], ax.label[i - 1]);
        }
        /* Plain labels share their number of decimals. */
        bool plain = true;
        for (size_t i = 0; i < ax.n; i++)
            plain = plain && strpbrk(ax.label[i], "ekMGT") == NULL;
        if (plain && ax.n >= 2) {
            const char *d0 = strchr(ax.label[0], '.');
            size_t dec = d0 ? strlen(d0 + 1) : 0;
            for (size_t i = 1; i < ax.n; i++) {
                const char *d = strchr(ax.label[i], '.');
                assert_int_equal(d ? strlen(d + 1) : 0, dec);
            }
        }
    }
}

static void test_random_log(void **state)
{
    (void)state;
    for (int trial = 0; trial < trials(5000); trial++) {
        double a = floor(uniform() * 60) - 30 + uniform();
        double b = a + uniform() * (uniform() < 0.3 ? 2 : 40);
        double lo = pow(10, a), hi = pow(10, b);
        if (!(lo < hi))
            continue;
        int max_ticks = 2 + (int)(uniform() * 11);
        kiln_chart_axis ax;
        ticks(&ax, lo, hi, true, false, max_ticks);
        assert_true(ax.n <= (size_t)max_ticks);
        for (size_t i = 0; i < ax.n; i++) {
            assert_true(ax.tick[i] >= lo && ax.tick[i] <= hi);
            if (i > 0)
                assert_true(ax.tick[i] > ax.tick[i - 1]);
        }
        /* Two or more powers of ten in view: ticks are powers of ten,
         * evenly spaced in exponent, and at least two of them. */
        int e0 = (int)ceil(a - 1e-9), e1 = (int)floor(b + 1e-9);
        if (e1 - e0 >= 1 && pow(10, e0) >= lo && pow(10, e1) <= hi) {
            assert_true(ax.n >= 2 || max_ticks < 2);
            int stride = 0;
            for (size_t i = 0; i < ax.n; i++) {
                double e = log10(ax.tick[i]);
                assert_true(fabs(e - round(e)) < 1e-9);
                if (i > 0) {
                    int d = (int)lround(e - log10(ax.tick[i - 1]));
                    if (stride == 0)
                        stride = d;
                    assert_int_equal(d, stride);
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_hand_cases),
        cmocka_unit_test(test_log_hand_cases),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_random_linear),
        cmocka_unit_test(test_random_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
