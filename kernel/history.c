/* kiln — the input history of a kernel session (see history.h). */
#include "history.h"

#include "core/error.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    int line;
    char *input;
    char *output; /* NULL when the execution had no result */
} entry;

struct kiln_history {
    entry *items;
    size_t count, cap;
};

kiln_history *kiln_history_new(void)
{
    return calloc(1, sizeof(kiln_history));
}

void kiln_history_free(kiln_history *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->count; i++) {
        free(h->items[i].input);
        free(h->items[i].output);
    }
    free(h->items);
    free(h);
}

int kiln_history_add(kiln_history *h, int line, const char *input,
                     const char *output)
{
    if (h->count == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        entry *items = realloc(h->items, cap * sizeof *items);
        if (items == NULL)
            return KILN_NOMEM;
        h->items = items;
        h->cap = cap;
    }
    entry e = {line, strdup(input), output ? strdup(output) : NULL};
    if (e.input == NULL || (output != NULL && e.output == NULL)) {
        free(e.input);
        free(e.output);
        return KILN_NOMEM;
    }
    h->items[h->count++] = e;
    return KILN_OK;
}

int kiln_history_set_output(kiln_history *h, int line, const char *output)
{
    for (size_t i = h->count; i-- > 0;) {
        if (h->items[i].line != line)
            continue;
        char *copy = strdup(output);
        if (copy == NULL)
            return KILN_NOMEM;
        free(h->items[i].output);
        h->items[i].output = copy;
        return KILN_OK;
    }
    return KILN_OK;
}

/* Append one entry to the reply list; false when out of memory. */
static bool append(json_t *list, const entry *e, bool output)
{
    json_t *item;
    if (output)
        item = json_pack("[i, i, [s, s?]]", KILN_HISTORY_SESSION, e->line,
                         e->input, e->output);
    else
        item = json_pack("[i, i, s]", KILN_HISTORY_SESSION, e->line,
                         e->input);
    return item != NULL && json_array_append_new(list, item) == 0;
}

json_t *kiln_history_tail(const kiln_history *h, int n, bool output)
{
    json_t *list = json_array();
    if (list == NULL)
        return NULL;
    size_t count = n > 0 ? (size_t)n : 0;
    size_t first = h->count > count ? h->count - count : 0;
    for (size_t i = first; i < h->count; i++)
        if (!append(list, &h->items[i], output))
            goto nomem;
    return list;
nomem:
    json_decref(list);
    return NULL;
}

json_t *kiln_history_range(const kiln_history *h, int session, int start,
                           int stop, bool output)
{
    json_t *list = json_array();
    if (list == NULL)
        return NULL;
    if (session > 0 && session != KILN_HISTORY_SESSION)
        return list;
    for (size_t i = 0; i < h->count; i++) {
        const entry *e = &h->items[i];
        if (e->line < start || (stop > 0 && e->line >= stop))
            continue;
        if (!append(list, e, output))
            goto nomem;
    }
    return list;
nomem:
    json_decref(list);
    return NULL;
}

json_t *kiln_history_search(const kiln_history *h, const char *pattern,
                            int n, bool unique, bool output)
{
    json_t *list = json_array();
    bool *take = calloc(h->count + 1, sizeof *take);
    if (list == NULL || take == NULL)
        goto nomem;
    /* Walk from the newest entry back, so that `unique` keeps the latest
     * of each input and `n` counts the most recent matches. */
    size_t wanted = n > 0 ? (size_t)n : (size_t)-1;
    size_t taken = 0;
    for (size_t i = h->count; i-- > 0 && taken < wanted;) {
        if (fnmatch(pattern, h->items[i].input, 0) != 0)
            continue;
        bool seen = false;
        for (size_t j = i + 1; unique && j < h->count && !seen; j++)
            seen = take[j] &&
                   strcmp(h->items[j].input, h->items[i].input) == 0;
        if (seen)
            continue;
        take[i] = true;
        taken++;
    }
    for (size_t i = 0; i < h->count; i++)
        if (take[i] && !append(list, &h->items[i], output))
            goto nomem;
    free(take);
    return list;
nomem:
    free(take);
    json_decref(list);
    return NULL;
}
