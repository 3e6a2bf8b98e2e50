/* kiln — the registry of built-in algorithms: every descriptor, sorted by
 * name.  Adding an algorithm: its folder exports one const kiln_algo
 * (style.md §7); declare it here and list it in `all`. */
#include "algo.h"

#include "core/buf.h"
#include "core/similar.h"

#include <string.h>

extern const kiln_algo kiln_algo_kmeans;
extern const kiln_algo kiln_algo_linear_learner;
extern const kiln_algo kiln_algo_pca;
extern const kiln_algo kiln_algo_xgboost;

/* Sorted by name. */
static const kiln_algo *const all[] = {
    &kiln_algo_kmeans,
    &kiln_algo_linear_learner,
    &kiln_algo_pca,
    &kiln_algo_xgboost,
    NULL,
};

size_t kiln_algo_count(void)
{
    return sizeof all / sizeof all[0] - 1;
}

const kiln_algo *kiln_algo_get(size_t i)
{
    return i < kiln_algo_count() ? all[i] : NULL;
}

const kiln_algo *kiln_algo_find(const char *name, size_t len)
{
    for (size_t i = 0; i < kiln_algo_count(); i++)
        if (strlen(all[i]->name) == len && strncmp(all[i]->name, name, len) == 0)
            return all[i];
    return NULL;
}

int kiln_algo_unknown(const char *name, kiln_error *err)
{
    kiln_buf close;
    kiln_buf_init(&close);
    size_t found = 0;
    int rc = KILN_OK;
    for (size_t i = 0; i < kiln_algo_count() && rc == KILN_OK; i++)
        if (kiln_similar_close(name, strlen(name), all[i]->name))
            rc = kiln_buf_printf(&close, "%s%s", found++ ? " or " : "",
                                 all[i]->name);
    if (rc != KILN_OK)
        rc = kiln_error_nomem(err);
    else if (found)
        kiln_error_set(err, KILN_USAGE,
                       "unknown algorithm '%.100s'; did you mean %s?", name,
                       kiln_buf_str(&close));
    else
        kiln_error_set(err, KILN_USAGE,
                       "unknown algorithm '%.100s'; %%algorithms lists them",
                       name);
    kiln_buf_fini(&close);
    return rc == KILN_NOMEM ? rc : KILN_USAGE;
}
