/* kiln — character classes of the cell language (private to magics/).
 *
 * ASCII only and locale-free (style.md §15): names are Python identifiers
 * of ASCII letters, digits and '_'; "blank" is horizontal white space.
 * Static inline, so they add no exported symbols.
 */
#ifndef KILN_MAGICS_CHARS_H
#define KILN_MAGICS_CHARS_H

#include <stdbool.h>

/* White space within a line: space, tab, CR, FF, VT. */
static inline bool kiln_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool kiln_is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static inline bool kiln_is_name_char(char c)
{
    return kiln_is_name_start(c) || (c >= '0' && c <= '9');
}

/* A UTF-8 continuation byte (10xxxxxx). */
static inline bool kiln_is_utf8_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

#endif
