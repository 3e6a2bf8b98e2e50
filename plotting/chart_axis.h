/* kiln — chart axes: view ranges, "nice" ticks and their labels.
 *
 * The renderer uses these for every chart; they are public so that tests
 * (and a caller that wants the same numbers in a table) can check them.
 *
 * Linear axes: major ticks are the multiples of a step m * 10^e with m in
 * {1, 2, 5}; the step is the smallest such that at most max_ticks fall in
 * the view.  An integer axis never steps below 1.  Labels of one axis share
 * their number of decimals ("0.00", "0.05", ... "0.30"), never show binary
 * noise (0.30000000000000004), and switch to SI suffixes (20k, 1.5M) for
 * large values and to exponents (2e-5) for small ones.  Negative numbers
 * use U+2212 MINUS SIGN, as typeset text does.
 *
 * Log axes: major ticks are powers of ten (every decade, or every k-th
 * decade when there are too many), labelled plainly ("0.01" ... "1000")
 * when all lie in [1e-4, 1e5] and as 10 with a superscript exponent
 * ("10⁻⁸") otherwise; minor ticks mark 2..9 times each power when every
 * decade is labelled.  A view narrower than two decades uses 1-2-5 ticks
 * (2, 5, 10, 20) and, if that still gives fewer than two, linear ticks.
 *
 * Threads: all functions are reentrant.
 */
#ifndef KILN_PLOTTING_CHART_AXIS_H
#define KILN_PLOTTING_CHART_AXIS_H

#include <stdbool.h>
#include <stddef.h>

#define KILN_CHART_MAX_TICKS 32
#define KILN_CHART_MAX_MINOR 256
#define KILN_CHART_LABEL_MAX 40 /* bytes, with the NUL */

typedef struct kiln_chart_axis {
    double lo, hi;  /* the view, lo < hi (both > 0 on a log axis) */
    bool log, integer;
    size_t n;       /* major ticks, ascending, all within [lo, hi] */
    double tick[KILN_CHART_MAX_TICKS];
    char label[KILN_CHART_MAX_TICKS][KILN_CHART_LABEL_MAX]; /* UTF-8 */
    size_t n_minor; /* unlabelled ticks (log axes) */
    double minor[KILN_CHART_MAX_MINOR];
} kiln_chart_axis;

/* The view for data spanning [dmin, dmax] (finite values, and > 0 on a log
 * axis; pass NAN for both when there is no data): the data plus a 5 %
 * margin on each side (of the log span on a log axis).  A single value v
 * gets v +- 10 % (+- 1 for 0 or on an integer axis; / and * sqrt(10) on a
 * log axis); a span too narrow for double precision to label (under 1e-8
 * of the magnitude) is widened; no data gives [0, 1] ([1, 10] on a log
 * axis).  The result is always finite with *lo < *hi. */
void kiln_chart_axis_range(double dmin, double dmax, bool log, bool integer,
                           double *lo, double *hi);

/* Fill ax with the view [lo, hi] (as from kiln_chart_axis_range) and its
 * ticks and labels, at most max_ticks major ticks (clamped to
 * 2..KILN_CHART_MAX_TICKS).  A view too narrow for any tick gets none. */
void kiln_chart_axis_ticks(kiln_chart_axis *ax, double lo, double hi,
                           bool log, bool integer, int max_ticks);

/* Where v falls in the view: 0 at lo, 1 at hi (linearly, or in log10 on a
 * log axis).  v must be drawable on the axis. */
double kiln_chart_axis_frac(const kiln_chart_axis *ax, double v);

/* Shortest text that reads back as v: the fewest significant digits that
 * round-trip, in plain notation for magnitudes 1e-4 to 1e16 ("0.3",
 * "1234567") and with a short exponent otherwise ("2e-5", "1.5e20", as
 * Python's repr chooses), and U+2212 for minus.  out gets at most n bytes
 * with the NUL; n >= 32 is always enough. */
void kiln_chart_format_number(double v, char *out, size_t n);

#endif
