/* kiln — the stopping rules of a tuning job (reference/sagemaker-contract.md
 * §5.2): SageMaker's median rule for TrainingJobEarlyStoppingType Auto, and
 * Hyperband's brackets of successive halving.
 *
 * Median rule: after epoch t (0-based) a running job whose objective is v
 * stops when v is worse (higher when minimising, lower when maximising)
 * than the median, over the earlier jobs that reached epoch t, of their
 * running averages up to epoch t.  With no such earlier job it goes on.
 *
 * Hyperband (Li et al., 2018) with reduction factor eta: resources (epochs
 * or rounds) from min to max; s_max = floor(log_eta(max / min)); bracket s
 * (s_max down to 0) starts n = ceil((s_max + 1) / (s + 1) * eta^s)
 * configurations at r = max * eta^-s, and its rung i (0..s) keeps
 * floor(n * eta^-i) of them, the best, at r * eta^i.  SageMaker does not
 * publish its bracket details; eta = 3 is kiln's choice (the paper's).
 *
 * Threads: reentrant.
 */
#ifndef KILN_PLATFORM_TUNE_RULES_H
#define KILN_PLATFORM_TUNE_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the median rule stops a job at epoch t with objective v; curves
 * are the earlier jobs' objective values by epoch (lengths[j] of job j). */
bool kiln_median_rule_stops(const double *const *curves,
                            const size_t *lengths, size_t jobs, size_t t,
                            double v, bool maximize);

enum { KILN_HYPERBAND_MAX_BRACKETS = 16 };

typedef struct kiln_hyperband_bracket {
    size_t rungs;                           /* s + 1 */
    size_t configs[KILN_HYPERBAND_MAX_BRACKETS]; /* per rung */
    double resource[KILN_HYPERBAND_MAX_BRACKETS]; /* per rung */
} kiln_hyperband_bracket;

typedef struct kiln_hyperband_plan {
    size_t brackets;
    kiln_hyperband_bracket b[KILN_HYPERBAND_MAX_BRACKETS];
} kiln_hyperband_plan;

/* The brackets for resources min..max (1 <= min <= max) and eta >= 2. */
void kiln_hyperband_plan_make(double min, double max, double eta,
                              kiln_hyperband_plan *out);

#endif
