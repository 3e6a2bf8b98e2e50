/* kiln — UTF-8 helpers (see utf8.h). */
#include "utf8.h"

#include "error.h"

bool kiln_utf8_valid(const char *s, size_t len)
{
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        size_t n = kiln_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t kiln_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; count++)
        i += kiln_utf8_step(s + i, n - i);
    return count;
}

size_t kiln_utf8_offset(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    while (i < len && cp > 0) {
        i += kiln_utf8_step(s + i, len - i);
        cp--;
    }
    return i < len ? i : len;
}

int kiln_utf8_sanitize(const char *s, size_t len, kiln_buf *out)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    uint32_t cp;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && s[run] != '\0') {
            size_t n = kiln_utf8_decode(s + run, len - run, &cp);
            if (n == 0)
                break;
            run += n;
        }
        if (kiln_buf_append(out, s + i, run - i) != KILN_OK)
            return KILN_NOMEM;
        i = run;
        if (i < len) {
            if (kiln_buf_append(out, replacement, 3) != KILN_OK)
                return KILN_NOMEM;
            i++;
        }
    }
    return kiln_buf_reserve(out, 0);
}
