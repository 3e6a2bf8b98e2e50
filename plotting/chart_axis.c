/* kiln — chart axes: view ranges, nice ticks and labels (see chart_axis.h).
 *
 * The tick search follows the usual "nice numbers" idea (Heckbert, "Nice
 * numbers for graph labels", Graphics Gems, 1990), restricted to 1-2-5
 * steps and made exact: instead of rounding a guessed step it walks the
 * 1-2-5 ladder upward from below the guess and takes the first step whose
 * ticks fit, so the answer is the finest nice labelling that fits.
 */
#include "plotting/chart_axis.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* U+2212 MINUS SIGN and the superscripts for 10^n labels. */
static const char minus_sign[] = "\xE2\x88\x92";
static const char *const superscript[10] = {
    "\xE2\x81\xB0", "\xC2\xB9",     "\xC2\xB2",     "\xC2\xB3",
    "\xE2\x81\xB4", "\xE2\x81\xB5", "\xE2\x81\xB6", "\xE2\x81\xB7",
    "\xE2\x81\xB8", "\xE2\x81\xB9",
};
static const char superscript_minus[] = "\xE2\x81\xBB";

/* Exact powers of ten up to 1e22 (the largest exactly representable), so
 * that a tick k * m / 10^d is one correctly rounded division and prints
 * back as the decimal it stands for. */
static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static double pow10i(int e)
{
    if (e >= 0 && e <= 22)
        return pow10_exact[e];
    return pow(10.0, e);
}

/* km * 10^e, rounded once where that is possible. */
static double scaled(double km, int e)
{
    if (e >= 0)
        return km * pow10i(e);
    if (e >= -22)
        return km / pow10_exact[-e];
    return km * pow(10.0, e);
}

/* Append src to dst[0..n) (always NUL-terminated). */
static void cat(char *dst, size_t n, const char *src)
{
    size_t len = strlen(dst);
    if (len + 1 >= n)
        return;
    snprintf(dst + len, n - len, "%s", src);
}

/* Replace a leading ASCII '-' with U+2212 and shorten an exponent
 * ("2e-05" -> "2e-5", "1e+20" -> "1e20").  s has room for n bytes. */
static void typeset(char *s, size_t n)
{
    char *e = strchr(s, 'e');
    if (e != NULL) {
        char *p = e + 1;
        bool neg = *p == '-';
        if (*p == '-' || *p == '+')
            p++;
        while (*p == '0' && p[1] != '\0')
            p++;
        char digits[8];
        snprintf(digits, sizeof digits, "%s", p);
        snprintf(e + 1, n - (size_t)(e + 1 - s), "%s%s", neg ? "-" : "",
                 digits);
    }
    if (s[0] == '-') {
        char tmp[KILN_CHART_LABEL_MAX];
        snprintf(tmp, sizeof tmp, "%s", s + 1);
        snprintf(s, n, "%s", minus_sign);
        cat(s, n, tmp);
    }
}

/* Drop trailing zeros of a mantissa ("2.500e-5" -> "2.5e-5"). */
static void trim_mantissa(char *s)
{
    char *e = strchr(s, 'e');
    char *end = e != NULL ? e : s + strlen(s);
    char *dot = memchr(s, '.', (size_t)(end - s));
    if (dot == NULL)
        return;
    char *q = end;
    while (q > dot + 1 && q[-1] == '0')
        q--;
    if (q == dot + 1)
        q = dot;
    memmove(q, end, strlen(end) + 1);
}

void kiln_chart_format_number(double v, char *out, size_t n)
{
    if (n == 0)
        return;
    if (isnan(v)) {
        snprintf(out, n, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(out, n, "%sinf", v < 0 ? minus_sign : "");
        return;
    }
    if (v == 0) {
        snprintf(out, n, "0");
        return;
    }
    char tmp[KILN_CHART_LABEL_MAX];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
    /* Plain digits where they stay short, as Python's repr does. */
    int x = atoi(strchr(tmp, 'e') + 1);
    if (x >= -4 && x < 16)
        snprintf(tmp, sizeof tmp, "%.*f", prec - 1 - x > 0 ? prec - 1 - x : 0,
                 v);
    else
        trim_mantissa(tmp);
    snprintf(out, n, "%s", tmp);
    typeset(out, n);
}

/* --- view ranges ------------------------------------------------------ */

static double clamp_finite(double v)
{
    if (v > DBL_MAX)
        return DBL_MAX;
    if (v < -DBL_MAX)
        return -DBL_MAX;
    return v;
}

void kiln_chart_axis_range(double dmin, double dmax, bool log, bool integer,
                           double *lo, double *hi)
{
    if (!isfinite(dmin) || !isfinite(dmax) ||
        (log && !(dmin > 0 && dmax > 0))) {
        *lo = log ? 1 : 0;
        *hi = log ? 10 : 1;
        return;
    }
    if (dmin > dmax) {
        double t = dmin;
        dmin = dmax;
        dmax = t;
    }
    if (log) {
        double a = log10(dmin), b = log10(dmax);
        /* Equal (or nearly equal) values: half a decade either side. */
        if (dmax - dmin <= 1e-8 * dmax) {
            double mid = (a + b) / 2;
            a = mid - 0.5;
            b = mid + 0.5;
        } else {
            double m = 0.05 * (b - a);
            a -= m;
            b += m;
        }
        double l = pow(10.0, a), h = pow(10.0, b);
        /* DBL_TRUE_MIN is the smallest positive double: data can be no
         * smaller, so the view still contains it. */
        if (!(l >= DBL_TRUE_MIN))
            l = DBL_TRUE_MIN;
        if (!(h <= DBL_MAX))
            h = DBL_MAX;
        if (!(l < h)) {
            l = dmin;
            h = dmax > dmin ? dmax : DBL_MAX;
        }
        *lo = l;
        *hi = h;
        return;
    }
    /* Work with halves so that dmax - dmin cannot overflow. */
    double half = dmax / 2 - dmin / 2;
    double mid = dmin / 2 + dmax / 2;
    double mag = fmax(fabs(dmin), fabs(dmax));
    if (half == 0) {
        double d = integer || mid == 0 ? 1 : fabs(mid) * 0.1;
        /* Subnormal values: 10 % of them is no usable span. */
        if (!(d >= 1e-300))
            d = 1e-300;
        *lo = clamp_finite(mid - d);
        *hi = clamp_finite(mid + d);
        return;
    }
    /* A span below 1e-8 of the magnitude would need more digits per label
     * than double precision can honestly give; widen it about its middle. */
    if (half < 0.5e-8 * mag) {
        half = 0.5e-8 * mag;
        dmin = mid - half;
        dmax = mid + half;
    }
    *lo = clamp_finite(dmin - 0.1 * half);
    *hi = clamp_finite(dmax + 0.1 * half);
    if (!(*lo < *hi)) { /* only at the very edge of the double range */
        *lo = -DBL_MAX;
        *hi = DBL_MAX;
    }
}

/* --- linear ticks ----------------------------------------------------- */

/* The finest 1-2-5 step m * 10^e with at most max_ticks multiples in
 * [lo, hi]; their indices are k0..k1.  False when no step fits. */
static bool lin_step(double lo, double hi, bool integer, int max_ticks,
                     int *m_out, int *e_out, double *k0, double *k1)
{
    static const int ms[] = {1, 2, 5};
    double span_est = (hi / 2 - lo / 2) / max_ticks * 2;
    if (!(span_est > 0) || !isfinite(span_est))
        span_est = DBL_MAX / max_ticks;
    int e0 = (int)floor(log10(span_est)) - 1;
    if (integer && e0 < 0)
        e0 = 0;
    if (e0 < -330)
        e0 = -330;
    for (int e = e0; e <= 308; e++) {
        for (int j = 0; j < 3; j++) {
            double step = scaled(ms[j], e);
            if (!(step > 0) || !isfinite(step))
                continue;
            /* The tolerance keeps a tick that lands on an end of the view
             * despite the division's rounding. */
            double a = ceil(lo / step - 1e-9), b = floor(hi / step + 1e-9);
            if (b - a + 1 <= max_ticks) {
                *m_out = ms[j];
                *e_out = e;
                *k0 = a;
                *k1 = b;
                return true;
            }
        }
    }
    return false;
}

static const char *const si_suffix[] = {"", "k", "M", "G", "T"};

/* Labels of linear ticks with step m * 10^e: one number of decimals for
 * the whole axis. */
static void lin_labels(kiln_chart_axis *ax, int e)
{
    double step = pow10i(e), mag = 0;
    for (size_t i = 0; i < ax->n; i++)
        mag = fmax(mag, fabs(ax->tick[i]));
    for (size_t i = 0; i < ax->n; i++) {
        char *out = ax->label[i];
        size_t n = KILN_CHART_LABEL_MAX;
        double v = ax->tick[i];
        if (fabs(v) < step * 1e-6)
            v = 0; /* no "-0.00" from rounding */
        if (mag < 1e5 && (ax->integer || mag >= 1e-3)) {
            int d = ax->integer || e >= 0 ? 0 : -e;
            snprintf(out, n, "%.*f", d, v);
        } else if (mag >= 1e5 && mag < 1e15) {
            int e3 = (int)floor(log10(mag) / 3 + 1e-12) * 3;
            if (v == 0) {
                snprintf(out, n, "0");
            } else {
                int d = e3 - e > 0 ? e3 - e : 0;
                snprintf(out, n, "%.*f%s", d, v / pow10i(e3),
                         si_suffix[e3 / 3]);
            }
        } else if (v == 0) {
            snprintf(out, n, "0");
        } else {
            /* Enough significant digits to tell neighbours apart. */
            int sig = (int)floor(log10(fabs(v)) + 1e-12) - e + 1;
            if (sig < 1)
                sig = 1;
            if (sig > 17)
                sig = 17;
            snprintf(out, n, "%.*e", sig - 1, v);
            trim_mantissa(out);
        }
        typeset(out, n);
    }
}

static void lin_ticks(kiln_chart_axis *ax, int max_ticks)
{
    int m, e;
    double k0, k1;
    ax->n = 0;
    if (!lin_step(ax->lo, ax->hi, ax->integer, max_ticks, &m, &e, &k0, &k1))
        return;
    for (double k = k0; k <= k1 && ax->n < KILN_CHART_MAX_TICKS; k++) {
        double v = scaled(k * m, e);
        /* Ticks just past an end by rounding are clamped, not dropped. */
        if (v < ax->lo)
            v = ax->lo;
        if (v > ax->hi)
            v = ax->hi;
        ax->tick[ax->n++] = v;
    }
    lin_labels(ax, e);
}

/* --- log ticks -------------------------------------------------------- */

/* "10" followed by the exponent in superscript digits. */
static void label_power(char *out, size_t n, int e)
{
    char digits[16];
    snprintf(out, n, "10");
    if (e < 0)
        cat(out, n, superscript_minus);
    snprintf(digits, sizeof digits, "%d", abs(e));
    for (const char *p = digits; *p; p++)
        cat(out, n, superscript[*p - '0']);
}

static void add_minor(kiln_chart_axis *ax, double v)
{
    if (v >= ax->lo && v <= ax->hi && ax->n_minor < KILN_CHART_MAX_MINOR)
        ax->minor[ax->n_minor++] = v;
}

static void log_ticks(kiln_chart_axis *ax, int max_ticks)
{
    double a = log10(ax->lo), b = log10(ax->hi);
    int e0 = (int)ceil(a - 1e-9), e1 = (int)floor(b + 1e-9);
    if (e1 - e0 + 1 >= 2) {
        /* Every s-th decade, s the smallest stride that fits. */
        static const int strides[] = {1, 2, 3, 5, 10, 20, 25, 50, 100, 200};
        int s = 1;
        for (size_t j = 0; j < sizeof strides / sizeof strides[0]; j++) {
            s = strides[j];
            int c = (int)(floor((double)e1 / s) - ceil((double)e0 / s)) + 1;
            if (c <= max_ticks)
                break;
        }
        bool plain = true;
        int exps[KILN_CHART_MAX_TICKS];
        /* Aligned decades (10^0, 10^3, 10^6 for s = 3) read best, unless
         * that leaves a single tick: then the two ends. */
        int first = (int)ceil((double)e0 / s) * s;
        if (first + s > e1) {
            first = e0;
            s = e1 - e0;
        }
        for (int e = first; e <= e1 && ax->n < KILN_CHART_MAX_TICKS; e += s) {
            double v = scaled(1, e);
            if (v < ax->lo || v > ax->hi)
                continue;
            exps[ax->n] = e;
            ax->tick[ax->n++] = v;
            if (e < -4 || e > 5)
                plain = false;
        }
        for (size_t i = 0; i < ax->n; i++) {
            if (plain)
                snprintf(ax->label[i], KILN_CHART_LABEL_MAX, "%.*f",
                         exps[i] < 0 ? -exps[i] : 0, ax->tick[i]);
            else
                label_power(ax->label[i], KILN_CHART_LABEL_MAX, exps[i]);
        }
        if (s == 1)
            for (int e = e0 - 1; e <= e1; e++)
                for (int j = 2; j <= 9; j++)
                    add_minor(ax, scaled(j, e));
        return;
    }
    /* Under two decades: 1-2-5 ticks, the other digits as minor ticks. */
    static const int ms[] = {1, 2, 5};
    double vals[KILN_CHART_MAX_TICKS];
    size_t c = 0;
    int lo_e = (int)floor(a) - 1, hi_e = (int)floor(b) + 1;
    for (int e = lo_e; e <= hi_e; e++)
        for (int j = 0; j < 3; j++) {
            double v = scaled(ms[j], e);
            if (v >= ax->lo && v <= ax->hi && c < KILN_CHART_MAX_TICKS)
                vals[c++] = v;
        }
    if (c >= 2 && c <= (size_t)max_ticks) {
        for (size_t i = 0; i < c; i++) {
            ax->tick[i] = vals[i];
            kiln_chart_format_number(vals[i], ax->label[i],
                                     KILN_CHART_LABEL_MAX);
        }
        ax->n = c;
        for (int e = lo_e; e <= hi_e; e++)
            for (int j = 3; j <= 9; j++)
                if (j != 5)
                    add_minor(ax, scaled(j, e));
        return;
    }
    if (c > (size_t)max_ticks && e1 == e0) {
        /* Crowded: the one power of ten only. */
        ax->tick[0] = scaled(1, e0);
        kiln_chart_format_number(ax->tick[0], ax->label[0],
                                 KILN_CHART_LABEL_MAX);
        ax->n = 1;
        return;
    }
    /* Less than a 1-2-5 step wide: linear ticks read best. */
    lin_ticks(ax, max_ticks);
}

void kiln_chart_axis_ticks(kiln_chart_axis *ax, double lo, double hi,
                           bool log, bool integer, int max_ticks)
{
    if (!(isfinite(lo) && isfinite(hi) && lo < hi) || (log && !(lo > 0)))
        kiln_chart_axis_range(NAN, NAN, log, integer, &lo, &hi);
    if (max_ticks < 2)
        max_ticks = 2;
    if (max_ticks > KILN_CHART_MAX_TICKS)
        max_ticks = KILN_CHART_MAX_TICKS;
    ax->lo = lo;
    ax->hi = hi;
    ax->log = log;
    ax->integer = integer;
    ax->n = 0;
    ax->n_minor = 0;
    if (log)
        log_ticks(ax, max_ticks);
    else
        lin_ticks(ax, max_ticks);
}

double kiln_chart_axis_frac(const kiln_chart_axis *ax, double v)
{
    if (ax->log) {
        double a = log10(ax->lo);
        return (log10(v) - a) / (log10(ax->hi) - a);
    }
    return (v / 2 - ax->lo / 2) / (ax->hi / 2 - ax->lo / 2);
}
