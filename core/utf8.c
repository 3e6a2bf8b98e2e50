/* kiln — UTF-8 helpers (see utf8.h). */
#include "utf8.h"

#include "error.h"

size_t kiln_utf8_char_len(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    if (len == 0)
        return 0;
    unsigned char c = s[0];
    size_t n;
    unsigned int min;
    unsigned int cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* Reject overlong forms, surrogates and code points past U+10FFFF. */
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return n;
}

bool kiln_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = kiln_utf8_char_len(s + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Invalid bytes count as one code point each, as U+FFFD would. */
static size_t step(const char *s, size_t len, size_t i)
{
    size_t n = kiln_utf8_char_len(s + i, len - i);
    return n ? n : 1;
}

size_t kiln_utf8_offset(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    while (i < len && cp > 0) {
        i += step(s, len, i);
        cp--;
    }
    return i < len ? i : len;
}

size_t kiln_utf8_count(const char *s, size_t len, size_t bytes)
{
    if (bytes > len)
        bytes = len;
    size_t i = 0, count = 0;
    while (i < bytes) {
        i += step(s, len, i);
        count++;
    }
    return count;
}

int kiln_utf8_sanitize(const char *s, size_t len, kiln_buf *out)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && s[run] != '\0') {
            size_t n = kiln_utf8_char_len(s + run, len - run);
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
