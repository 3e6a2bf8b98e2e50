/* kiln — the variables of a kernel session (see vars.h). */
#include "vars.h"

#include "core/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct var_entry {
    char *name;
    size_t len;
    kiln_value *value;
} var_entry;

/* Entries in insertion order, searched linearly: a session holds tens of
 * variables, and %who wants them in order. */
struct kiln_vars {
    var_entry *entries;
    size_t count, cap;
};

kiln_vars *kiln_vars_new(void)
{
    return calloc(1, sizeof(kiln_vars));
}

void kiln_vars_free(kiln_vars *vars)
{
    if (vars == NULL)
        return;
    for (size_t i = 0; i < vars->count; i++) {
        free(vars->entries[i].name);
        kiln_value_unref(vars->entries[i].value);
    }
    free(vars->entries);
    free(vars);
}

static var_entry *find(const kiln_vars *vars, const char *name, size_t len)
{
    for (size_t i = 0; i < vars->count; i++) {
        var_entry *e = &vars->entries[i];
        if (e->len == len && memcmp(e->name, name, len) == 0)
            return e;
    }
    return NULL;
}

int kiln_vars_set(kiln_vars *vars, const char *name, kiln_value *value)
{
    /* A NULL value is a constructor that ran out of memory:
     * kiln_vars_set(v, "x", kiln_value_int(1)) then reports it. */
    if (vars == NULL || name == NULL || value == NULL)
        return KILN_NOMEM;
    size_t len = strlen(name);
    var_entry *e = find(vars, name, len);
    if (e != NULL) {
        kiln_value *old = e->value;
        e->value = kiln_value_ref(value);
        kiln_value_unref(old);
        return KILN_OK;
    }
    if (vars->count == vars->cap) {
        size_t cap = vars->cap ? vars->cap * 2 : 16;
        if (cap > SIZE_MAX / sizeof(var_entry))
            return KILN_NOMEM;
        var_entry *entries = realloc(vars->entries, cap * sizeof *entries);
        if (entries == NULL)
            return KILN_NOMEM;
        vars->entries = entries;
        vars->cap = cap;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return KILN_NOMEM;
    memcpy(copy, name, len + 1);
    vars->entries[vars->count++] =
        (var_entry){.name = copy, .len = len, .value = kiln_value_ref(value)};
    return KILN_OK;
}

kiln_value *kiln_vars_get(const kiln_vars *vars, const char *name, size_t len)
{
    if (vars == NULL || name == NULL)
        return NULL;
    var_entry *e = find(vars, name, len);
    return e != NULL ? e->value : NULL;
}

size_t kiln_vars_count(const kiln_vars *vars)
{
    return vars != NULL ? vars->count : 0;
}

void kiln_vars_item(const kiln_vars *vars, size_t i, const char **name,
                    kiln_value **value)
{
    bool ok = vars != NULL && i < vars->count;
    if (name != NULL)
        *name = ok ? vars->entries[i].name : NULL;
    if (value != NULL)
        *value = ok ? vars->entries[i].value : NULL;
}
