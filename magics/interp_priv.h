/* kiln — what interp.c and interp_help.c share (private to the magics
 * layer; the public contract is interp.h).
 */
#ifndef KILN_MAGICS_INTERP_PRIV_H
#define KILN_MAGICS_INTERP_PRIV_H

#include "interp.h"
#include "vars.h"

#include "core/bundle.h"
#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

struct kiln_interp {
    kiln_cancel *cancel; /* borrowed, may be NULL */
    kiln_vars *vars;     /* the session's variables */
};

/* Help for a target as `name?` and inspect show it: "%name" or "%%name"
 * (a magic), or a bare name (a variable, else a builtin, else a magic).
 * An empty target gives the list of magics.  *found says whether there was
 * anything; *out (caller frees) gets text/plain (and text/html for magics)
 * when found.  Returns KILN_OK or KILN_NOMEM. */
int kiln_interp_help_for(const kiln_interp *in, const char *target,
                         size_t len, int detail_level, bool *found,
                         kiln_bundle **out);

#endif
