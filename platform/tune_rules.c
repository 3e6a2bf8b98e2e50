/* kiln — the stopping rules of a tuning job (tune_rules.h). */
#include "tune_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

bool kiln_median_rule_stops(const double *const *curves,
                            const size_t *lengths, size_t jobs, size_t t,
                            double v, bool maximize)
{
    double *avg = malloc((jobs ? jobs : 1) * sizeof *avg);
    if (avg == NULL)
        return false; /* out of memory: never stop a job for it */
    size_t m = 0;
    for (size_t j = 0; j < jobs; j++) {
        if (lengths[j] <= t)
            continue;
        double s = 0;
        for (size_t e = 0; e <= t; e++)
            s += curves[j][e];
        avg[m++] = s / (double)(t + 1);
    }
    bool stop = false;
    if (m > 0) {
        qsort(avg, m, sizeof *avg, cmp_double);
        double median = m % 2 ? avg[m / 2] : (avg[m / 2 - 1] + avg[m / 2]) / 2;
        stop = maximize ? v < median : v > median;
    }
    free(avg);
    return stop;
}

void kiln_hyperband_plan_make(double min, double max, double eta,
                              kiln_hyperband_plan *out)
{
    memset(out, 0, sizeof *out);
    if (min < 1)
        min = 1;
    if (max < min)
        max = min;
    if (eta < 2)
        eta = 2;
    /* the small epsilon keeps log_3(81) from rounding to 3.9999 */
    size_t s_max = (size_t)floor(log(max / min) / log(eta) + 1e-9);
    if (s_max + 1 > KILN_HYPERBAND_MAX_BRACKETS)
        s_max = KILN_HYPERBAND_MAX_BRACKETS - 1;
    for (size_t k = 0; k <= s_max; k++) {
        size_t s = s_max - k;
        kiln_hyperband_bracket *b = &out->b[out->brackets++];
        double n = ceil((double)(s_max + 1) / (double)(s + 1) *
                        pow(eta, (double)s) - 1e-9);
        double r = max * pow(eta, -(double)s);
        b->rungs = s + 1;
        for (size_t i = 0; i <= s; i++) {
            b->configs[i] = (size_t)floor(n * pow(eta, -(double)i) + 1e-9);
            b->resource[i] = r * pow(eta, (double)i);
        }
    }
}
