/* kiln — the variables of a kernel session.
 *
 * A name -> value table kept in insertion order (for %who).  Names follow
 * Python identifiers (ASCII letters, digits, underscore; not starting with a
 * digit).  Setting a name that exists replaces its value in place.
 *
 * Ownership: kiln_vars_new/free; set takes a new reference (the caller
 * keeps its own), get borrows.
 * Threads: one thread (the interpreter's).
 */
#ifndef KILN_MAGICS_VARS_H
#define KILN_MAGICS_VARS_H

#include "value.h"

#include <stddef.h>

typedef struct kiln_vars kiln_vars;

kiln_vars *kiln_vars_new(void);
void kiln_vars_free(kiln_vars *vars);

/* Returns KILN_OK or KILN_NOMEM (also for a NULL value, so a failed
 * constructor can be passed straight in).  The name is not checked; callers
 * validate it with kiln_is_identifier. */
int kiln_vars_set(kiln_vars *vars, const char *name, kiln_value *value);
/* Borrowed value, or NULL when the name is not set.  `name` need not be
 * NUL-terminated: len bytes are compared. */
kiln_value *kiln_vars_get(const kiln_vars *vars, const char *name, size_t len);
size_t kiln_vars_count(const kiln_vars *vars);
/* Entry i in insertion order; both borrowed. */
void kiln_vars_item(const kiln_vars *vars, size_t i, const char **name,
                    kiln_value **value);

#endif
