/* kiln — UTF-8 helpers.
 *
 * Jupyter counts cursor positions in Unicode code points (protocol 5.2+),
 * while kiln works on UTF-8 bytes; and every string sent as JSON must be
 * valid UTF-8 (clients decode strictly and drop a message that is not).
 *
 * Threads: reentrant.
 */
#ifndef KILN_CORE_UTF8_H
#define KILN_CORE_UTF8_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Byte offset of code point `cp` in s[0..len); len if cp is past the end. */
size_t kiln_utf8_offset(const char *s, size_t len, size_t cp);

/* Number of code points in s[0..bytes) (a byte count past len is clamped). */
size_t kiln_utf8_count(const char *s, size_t len, size_t bytes);

/* Length of the longest valid UTF-8 sequence at s[0..len), or 0 if s starts
 * with an invalid or truncated sequence. */
size_t kiln_utf8_char_len(const char *s, size_t len);

bool kiln_utf8_valid(const char *s, size_t len);

/* Append s[0..len) to out, replacing each invalid byte with U+FFFD, and NUL
 * bytes too (C strings cannot carry them).  KILN_OK or KILN_NOMEM. */
int kiln_utf8_sanitize(const char *s, size_t len, kiln_buf *out);

#endif
