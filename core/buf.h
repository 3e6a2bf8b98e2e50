/* kiln — growable byte buffer.
 *
 * A kiln_buf is a caller-owned struct (init/fini) holding a heap array that
 * is always NUL-terminated, so text built in it can be used as a C string.
 * Appends that cannot allocate return KILN_NOMEM and leave the buffer as it
 * was; nothing here aborts.
 *
 * Threads: one buffer, one thread.
 */
#ifndef KILN_CORE_BUF_H
#define KILN_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kiln_buf {
    char *data;   /* NUL-terminated; NULL until the first append */
    size_t len;   /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
} kiln_buf;

void kiln_buf_init(kiln_buf *b);
void kiln_buf_fini(kiln_buf *b);

/* Make room for `extra` more bytes (plus the NUL). */
int kiln_buf_reserve(kiln_buf *b, size_t extra);
int kiln_buf_append(kiln_buf *b, const void *bytes, size_t n);
int kiln_buf_puts(kiln_buf *b, const char *s);
int kiln_buf_putc(kiln_buf *b, char c);
int kiln_buf_printf(kiln_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int kiln_buf_vprintf(kiln_buf *b, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;

/* Empty the buffer, keeping its allocation. */
void kiln_buf_clear(kiln_buf *b);

/* The contents as a C string ("" for an empty buffer; never NULL). */
const char *kiln_buf_str(const kiln_buf *b);

/* Hand the allocation to the caller (free() it); the buffer is left empty.
 * Returns a heap "" for an empty buffer, or NULL if that allocation fails. */
char *kiln_buf_steal(kiln_buf *b);

#endif
