/* kiln — heap arrays of heap strings (char **), as used for tracebacks,
 * completion matches and repeated magic arguments.
 *
 * The array and its count live with the caller; kiln_strv_push grows the
 * array by one and stores a NUL-terminated copy at index `count`, and the
 * caller increments its count on success.  On failure nothing changes but
 * possibly the array's capacity, so the caller's count stays valid.
 *
 * Threads: reentrant.
 */
#ifndef KILN_CORE_STRV_H
#define KILN_CORE_STRV_H

#include <stddef.h>

/* KILN_OK or KILN_NOMEM. */
int kiln_strv_push(char ***items, size_t count, const char *s, size_t len);

/* Free count strings and the array (NULL is fine). */
void kiln_strv_free(char **items, size_t count);

#endif
