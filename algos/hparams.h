/* kiln — hyperparameters: strings in, checked values out.
 *
 * SageMaker passes hyperparameters as a map of strings
 * (hyperparameters.json); the 1P containers check them against a JSON
 * schema before any work.  kiln_hparams_parse does the same against an
 * algorithm's kiln_hp_spec table, with messages like SageMaker's:
 *
 *   unknown hyperparameter 'mini_batch_siz' (did you mean mini_batch_size?)
 *   missing required hyperparameter 'k' (the number of clusters)
 *   k must be an integer >= 2, got '1'
 *   init_method must be one of random, kmeans++, got 'kmeans'
 *
 * Values not given take the schema's default.  Hyperparameters whose name
 * starts with '_' (SageMaker's `_tuning_objective_metric`) are kept as
 * given and never checked.
 *
 * The getters take a name from the algorithm's own schema; asking for a
 * name the schema lacks, or for the wrong type, is a bug in the algorithm
 * (the getters return 0 / false / NULL, and a test per algorithm reads
 * every hyperparameter of its schema).
 *
 * Ownership: kiln_hparams_new/free; strings returned are borrowed until
 * free.  Threads: read-only use from any thread once parsed.
 */
#ifndef KILN_ALGOS_HPARAMS_H
#define KILN_ALGOS_HPARAMS_H

#include "algo.h"

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Check n name/value pairs against a's schema (and a->check).  *out is set
 * only on KILN_OK.  Errors are KILN_HYPERPARAMETER (the first problem
 * found, in the order given, then missing required ones) or KILN_NOMEM. */
int kiln_hparams_parse(const kiln_algo *a, const char *const *names,
                       const char *const *values, size_t n,
                       kiln_hparams **out, kiln_error *err);
void kiln_hparams_free(kiln_hparams *hp);

const kiln_algo *kiln_hparams_algo(const kiln_hparams *hp);

/* Whether the user gave name (else the default applies). */
bool kiln_hp_given(const kiln_hparams *hp, const char *name);
/* The value as a string (given, or the default); NULL when neither. */
const char *kiln_hp_str(const kiln_hparams *hp, const char *name);
/* Whether the value is the word w ("auto"). */
bool kiln_hp_is(const kiln_hparams *hp, const char *name, const char *w);
/* INT: the value; 0 when it is a word or absent. */
int64_t kiln_hp_int(const kiln_hparams *hp, const char *name);
/* FLOAT (or INT): the value; NaN when it is a word or absent. */
double kiln_hp_float(const kiln_hparams *hp, const char *name);
/* BOOL: the value; false when absent. */
bool kiln_hp_bool(const kiln_hparams *hp, const char *name);
/* LIST: the number of items and the i-th (in the order given). */
size_t kiln_hp_list_count(const kiln_hparams *hp, const char *name);
const char *kiln_hp_list_item(const kiln_hparams *hp, const char *name,
                              size_t i);

/* The pairs the user gave, in the order given (DescribeTrainingJob's
 * HyperParameters holds these, as strings). */
size_t kiln_hparams_count(const kiln_hparams *hp);
void kiln_hparams_get(const kiln_hparams *hp, size_t i, const char **name,
                      const char **value);

/* One schema entry's type and range in words, for %help and messages:
 * "integer >= 2", "float in (0, 1)", "one of uniform, normal",
 * "integer > 0 or auto". Appends to out (NUL-terminated, truncated to
 * size). */
void kiln_hp_describe(const kiln_hp_spec *s, char *out, size_t size);

#endif
