/* kiln — UTF-8 helpers.
 *
 * Jupyter counts cursor positions in Unicode code points (protocol 5.2+),
 * while kiln works on UTF-8 bytes; every string sent as JSON must be valid
 * UTF-8 (clients decode strictly and drop a message that is not); and the
 * cell language counts columns and str lengths in code points.
 *
 * Decoding is strict: overlong forms, surrogates and code points above
 * U+10FFFF are invalid.  Walks (step, count, offset) treat each byte that
 * does not start a valid sequence as one code point, as U+FFFD would be.
 * The per-character functions are static inline: the lexer calls them on
 * every byte.
 *
 * Threads: reentrant.
 */
#ifndef KILN_CORE_UTF8_H
#define KILN_CORE_UTF8_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode one code point from s[0..n).  Returns its length in bytes (1..4)
 * and sets *cp, or 0 when the bytes are not valid UTF-8 (or n is 0). */
static inline size_t kiln_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    unsigned c = u[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t k;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (size_t i = 1; i < k; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (u[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return k;
}

/* Encode cp (<= U+10FFFF, not a surrogate) into out; returns the length. */
static inline size_t kiln_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the code point at s[0..n): its UTF-8 length, or 1 for a byte
 * that does not start a valid sequence (so invalid bytes count as one code
 * point each, and a walk always advances).  n must be > 0. */
static inline size_t kiln_utf8_step(const char *s, size_t n)
{
    uint32_t cp;
    size_t k = kiln_utf8_decode(s, n, &cp);
    return k ? k : 1;
}


/* The number of code points in s[0..n). */
size_t kiln_utf8_count(const char *s, size_t n);

/* Byte offset of code point `cp` in s[0..len); len if cp is past the end. */
size_t kiln_utf8_offset(const char *s, size_t len, size_t cp);

bool kiln_utf8_valid(const char *s, size_t len);

/* Append s[0..len) to out, replacing each invalid byte with U+FFFD, and NUL
 * bytes too (C strings cannot carry them).  KILN_OK or KILN_NOMEM. */
int kiln_utf8_sanitize(const char *s, size_t len, kiln_buf *out);

#endif
