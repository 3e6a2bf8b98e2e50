/* kiln — Bayesian optimisation's next point: a Gaussian-process surrogate
 * of the objective over the search space's unit cube (tune_space.h) and
 * the expected improvement as the acquisition function.
 *
 * The surrogate: the finished jobs' objective values, negated when
 * maximising and turned by rank into normal scores (a Gaussian copula:
 * one very bad job does not flatten the differences among the good
 * ones); a Matérn 5/2 kernel with a length scale
 * per dimension picked from a grid by the marginal likelihood (first one
 * shared by all dimensions, then, once there are 2d + 2 finished jobs,
 * each dimension's own by two passes of coordinate search), signal
 * variance 1 and a small noise term (objectives of retrained jobs vary).
 * Integer and categorical dimensions are the cells of their coordinates
 * (tune_space.h): candidates are snapped to cell centres, and on a
 * categorical dimension two different cells are one full unit apart.
 *
 * Parallel jobs: a pending job (its value NaN) counts as an observation
 * at the best value so far (the "constant liar"), so that proposals made
 * while it runs look elsewhere.
 *
 * The acquisition is maximised over 2000 random candidates and a local
 * search from the best 10, with a point already tried (or pending) never
 * proposed again when another is as good.  Until d + 1 jobs (and at least
 * two) have finished the proposal is a random point: fitted to fewer,
 * maybe close together, the surrogate extrapolates a trend and searches
 * only around them (XGBoost on breast cancer, 4 ranges, 20 jobs: the
 * mean best log loss over 10 seeds went from 0.156, random search's
 * level, to 0.121).
 *
 * Threads: reentrant; the RNG state is the caller's.
 */
#ifndef KILN_PLATFORM_TUNE_BAYES_H
#define KILN_PLATFORM_TUNE_BAYES_H

#include "tune_space.h"

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The next point to try, in unit coordinates out[s->n], given n earlier
 * points xs (n x s->n, row-major, unit coordinates) and their objective
 * values ys (NaN: still running).  KILN_OK or KILN_NOMEM. */
int kiln_bayes_propose(const kiln_space *s, const double *xs,
                       const double *ys, size_t n, bool maximize,
                       uint64_t *rng, double *out, kiln_error *err);

#endif
