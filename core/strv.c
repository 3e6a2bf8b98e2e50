/* kiln — heap arrays of heap strings (see strv.h). */
#include "strv.h"

#include "error.h"

#include <stdlib.h>
#include <string.h>

int kiln_strv_push(char ***items, size_t count, const char *s, size_t len)
{
    char **grown = realloc(*items, (count + 1) * sizeof *grown);
    if (grown == NULL)
        return KILN_NOMEM;
    *items = grown;
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return KILN_NOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    grown[count] = copy;
    return KILN_OK;
}

void kiln_strv_free(char **items, size_t count)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}
