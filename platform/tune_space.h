/* kiln — the search space of a tuning job: SageMaker's parameter ranges
 * (reference/sagemaker-contract.md §5), checked against an algorithm's
 * hyperparameter schema, and mapped to and from the unit cube the search
 * strategies work in.
 *
 * Ranges (at most 30, names unique):
 *   continuous(LOW, HIGH[, scaling])   a FLOAT hyperparameter
 *   integer(LOW, HIGH[, scaling])      an INT (or FLOAT) hyperparameter
 *   categorical(A, B, ...)             1..30 values, any hyperparameter
 * LOW < HIGH (integers: LOW <= HIGH), both within the schema's bounds.
 *
 * Scaling, for a coordinate u in [0, 1]:
 *   Linear              LOW + u (HIGH - LOW)
 *   Logarithmic         log-uniform: exp(log LOW + u (log HIGH - log LOW));
 *                       LOW > 0
 *   ReverseLogarithmic  1 - v is log-uniform: for values close to 1;
 *                       continuous only, 0 <= LOW < HIGH < 1
 *   Auto                SageMaker "chooses"; kiln's decision: Logarithmic
 *                       when LOW > 0 and HIGH >= 100 LOW (two orders of
 *                       magnitude or more), else Linear
 * Integers: every value in LOW..HIGH gets an equal share of [0, 1] on the
 * linear scale (u picks among HIGH - LOW + 1 cells), and the log scale is
 * rounded.  Categorical: u picks one of the n values in equal cells.
 *
 * Grid (categorical ranges only) enumerates every combination in
 * odometer order, the last range changing fastest.
 *
 * Ownership: kiln_space_init/fini.  Threads: read-only use from any thread.
 */
#ifndef KILN_PLATFORM_TUNE_SPACE_H
#define KILN_PLATFORM_TUNE_SPACE_H

#include "algos/algo.h"

#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

enum { KILN_TUNE_MAX_RANGES = 30, KILN_TUNE_MAX_VALUES = 30 };

typedef enum kiln_range_kind {
    KILN_RANGE_CONTINUOUS,
    KILN_RANGE_INTEGER,
    KILN_RANGE_CATEGORICAL,
} kiln_range_kind;

typedef enum kiln_scaling {
    KILN_SCALING_AUTO,
    KILN_SCALING_LINEAR,
    KILN_SCALING_LOG,
    KILN_SCALING_REVERSE_LOG,
} kiln_scaling;

typedef struct kiln_param_range {
    char *name;
    kiln_range_kind kind;
    double lo, hi;        /* continuous, integer */
    kiln_scaling scaling; /* as given (Auto resolved in `used`) */
    kiln_scaling used;    /* Linear, Log or ReverseLog */
    char **values;        /* categorical */
    size_t nvalues;
} kiln_param_range;

typedef struct kiln_space {
    kiln_param_range ranges[KILN_TUNE_MAX_RANGES];
    size_t n;
} kiln_space;

void kiln_space_init(kiln_space *s);
void kiln_space_fini(kiln_space *s);

/* Add a range; KILN_USAGE naming the range and what is expected (LOW >
 * HIGH, a log scale with LOW <= 0, a reverse log outside [0, 1), too many
 * ranges or values, a name given twice). */
int kiln_space_add_numeric(kiln_space *s, const char *name,
                           kiln_range_kind kind, double lo, double hi,
                           kiln_scaling scaling, kiln_error *err);
int kiln_space_add_categorical(kiln_space *s, const char *name,
                               const char *const *values, size_t n,
                               kiln_error *err);

/* Check every range against a's schema: a known hyperparameter, a kind
 * its type allows, bounds and values its schema accepts.
 * KILN_HYPERPARAMETER naming the range. */
int kiln_space_check(const kiln_space *s, const kiln_algo *a,
                     kiln_error *err);

/* The value of range r at coordinate u (clamped to [0, 1]); categorical:
 * the index of the value. */
double kiln_range_at(const kiln_param_range *r, double u);
/* The coordinate of value v (the middle of its cell for integers and
 * categorical indexes). */
double kiln_range_coord(const kiln_param_range *r, double v);
/* v as the hyperparameter's string ("0.1", "7", "gbtree"). */
void kiln_range_text(const kiln_param_range *r, double v, char *out,
                     size_t size);

/* Grid: the number of combinations (0 when a range is not categorical, or
 * above max), and combination k's value indexes into idx[s->n]. */
size_t kiln_space_grid_size(const kiln_space *s, size_t max);
void kiln_space_grid_point(const kiln_space *s, size_t k, double *idx);

/* "Linear", "Logarithmic", "ReverseLogarithmic", "Auto": SageMaker's
 * ScalingType names.  Static. */
const char *kiln_scaling_name(kiln_scaling sc);

/* A repeatable stream of uniform doubles in [0, 1) (splitmix64). */
double kiln_tune_uniform(uint64_t *state);

#endif
