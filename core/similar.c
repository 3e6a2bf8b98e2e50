/* kiln — "did you mean": edit distance between names. */
#include "similar.h"

#include <string.h>

#define MAX_NAME 64

size_t kiln_similar_distance(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen >= MAX_NAME || blen >= MAX_NAME)
        return (size_t)-1;
    /* Three rows of the dynamic-programming table: i-2, i-1, i. */
    size_t rows[3][MAX_NAME + 1];
    for (size_t j = 0; j <= blen; j++)
        rows[0][j] = j;
    size_t *prev2 = rows[2], *prev = rows[0], *cur = rows[1];
    for (size_t i = 1; i <= alen; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[blen];
}

bool kiln_similar_close(const char *typed, size_t len, const char *candidate)
{
    if (len == 0)
        return false;
    if (len >= 2 && strncmp(candidate, typed, len) == 0)
        return true;
    size_t limit = len <= 3 ? 1 : len <= 7 ? 2 : 3;
    return kiln_similar_distance(typed, len, candidate) <= limit;
}
