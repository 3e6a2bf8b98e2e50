/* kiln — "did you mean": which known names are close to a mistyped one.
 *
 * Used for unknown magics, options, algorithms and hyperparameters
 * ("unknown hyperparameter 'mini_batch_siz' (did you mean
 * mini_batch_size?)").  Names longer than 63 bytes are never close.
 *
 * Threads: pure functions.
 */
#ifndef KILN_CORE_SIMILAR_H
#define KILN_CORE_SIMILAR_H

#include <stdbool.h>
#include <stddef.h>

/* Optimal-string-alignment edit distance between a[0..alen) and b (a
 * transposition counts as one edit); (size_t)-1 for names too long. */
size_t kiln_similar_distance(const char *a, size_t alen, const char *b);

/* Whether `candidate` is a plausible correction of typed[0..len): close in
 * edit distance (1 edit for up to 3 bytes, 2 up to 7, else 3), or starting
 * with what was typed (2 bytes or more). */
bool kiln_similar_close(const char *typed, size_t len, const char *candidate);

#endif
