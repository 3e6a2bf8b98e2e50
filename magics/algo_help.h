/* kiln — an algorithm's help (%help ALGO, ALGO?, inspect) and the list of
 * algorithms (%algorithms), generated from the descriptors.
 *
 * Threads: reentrant. */
#ifndef KILN_MAGICS_ALGO_HELP_H
#define KILN_MAGICS_ALGO_HELP_H

#include "algos/algo.h"

#include "core/bundle.h"

/* text/plain and text/html: what it does, how to call it, its channels,
 * content types and predictions, and tables of its hyperparameters and
 * metrics.  *out is new; KILN_OK or KILN_NOMEM. */
int kiln_algo_help(const kiln_algo *a, kiln_bundle **out);

/* A table of every algorithm with its problem, channels and content
 * types. */
int kiln_algo_list(kiln_bundle **out);

#endif
