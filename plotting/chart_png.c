/* kiln — PNG encoding of a rendered chart (see chart_impl.h).
 *
 * Why not cairo_surface_write_to_png_stream: cairo goes through libpng
 * with adaptive row filtering and zlib's default level, which takes about
 * 20 ms for a 640x360 chart at scale 2 -- too slow for a live chart that
 * is redrawn several times a second.  Charts are large flat areas with a
 * few thin lines, which deflate compresses well unfiltered; zlib level 3
 * without filters takes about 4 ms for the same image.
 *
 * Format: PNG 1.2 (ISO/IEC 15948), 8-bit truecolour (colour type 2), no
 * interlacing, one IDAT chunk.
 */
#include "plotting/chart_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define DEFLATE_LEVEL 3

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Append a whole chunk: length, type, data, CRC of type and data. */
static int put_chunk(kiln_buf *out, const char type[4],
                     const unsigned char *data, uint32_t len)
{
    unsigned char head[8], tail[4];
    put_be32(head, len);
    memcpy(head + 4, type, 4);
    uLong crc = crc32(0L, head + 4, 4);
    if (len > 0)
        crc = crc32(crc, data, len);
    put_be32(tail, (uint32_t)crc);
    if (kiln_buf_append(out, head, 8) != KILN_OK ||
        kiln_buf_append(out, data, len) != KILN_OK ||
        kiln_buf_append(out, tail, 4) != KILN_OK)
        return KILN_NOMEM;
    return KILN_OK;
}

/* Run deflate on what is in z, growing out as it writes. */
static int deflate_into(z_stream *z, kiln_buf *out, int flush)
{
    for (;;) {
        if (out->cap < out->len + 1 + 4096 &&
            kiln_buf_reserve(out, 64 * 1024) != KILN_OK)
            return KILN_NOMEM;
        size_t room = out->cap - out->len - 1;
        if (room > UINT32_MAX)
            room = UINT32_MAX;
        z->next_out = (Bytef *)out->data + out->len;
        z->avail_out = (uInt)room;
        int zr = deflate(z, flush);
        out->len += room - z->avail_out;
        out->data[out->len] = '\0';
        if (zr == Z_STREAM_END)
            return KILN_OK;
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return KILN_INTERNAL;
        /* Done with this input once deflate left output room unused. */
        if (flush != Z_FINISH && z->avail_in == 0 && z->avail_out > 0)
            return KILN_OK;
    }
}

int kiln__chart_png_encode(cairo_surface_t *image, kiln_buf *out,
                           kiln_error *err)
{
    static const unsigned char signature[8] = {0x89, 'P',  'N',  'G',
                                               '\r', '\n', 0x1A, '\n'};
    int w = cairo_image_surface_get_width(image);
    int h = cairo_image_surface_get_height(image);
    int stride = cairo_image_surface_get_stride(image);
    const unsigned char *pixels = cairo_image_surface_get_data(image);
    if (pixels == NULL ||
        cairo_image_surface_get_format(image) != CAIRO_FORMAT_RGB24)
        return kiln_error_set(err, KILN_INTERNAL,
                              "chart: PNG encoder given no RGB24 image");
    size_t start = out->len, row_len = (size_t)w * 3 + 1;
    int rc = KILN_OK;
    unsigned char *row = malloc(row_len);
    if (row == NULL) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "chart: cannot allocate a %zu-byte PNG row",
                            row_len);
        goto out_row;
    }
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit(&z, DEFLATE_LEVEL) != Z_OK) {
        rc = kiln_error_nomem(err);
        goto out_row;
    }

    unsigned char ihdr[13];
    put_be32(ihdr, (uint32_t)w);
    put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* truecolour */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering (each row says "None") */
    ihdr[12] = 0; /* no interlace */
    if (kiln_buf_append(out, signature, 8) != KILN_OK ||
        put_chunk(out, "IHDR", ihdr, 13) != KILN_OK) {
        rc = KILN_NOMEM;
        goto out_z;
    }
    /* IDAT: the length is patched in once the stream is complete. */
    size_t idat = out->len;
    if (kiln_buf_append(out, "\0\0\0\0IDAT", 8) != KILN_OK) {
        rc = KILN_NOMEM;
        goto out_z;
    }
    row[0] = 0; /* filter type None */
    for (int y = 0; y < h && rc == KILN_OK; y++) {
        /* cairo's RGB24 pixel is a native-endian 32-bit 0x00RRGGBB. */
        const uint32_t *src = (const uint32_t *)(pixels + (size_t)y * stride);
        unsigned char *dst = row + 1;
        for (int x = 0; x < w; x++) {
            uint32_t p = src[x];
            dst[0] = (unsigned char)(p >> 16);
            dst[1] = (unsigned char)(p >> 8);
            dst[2] = (unsigned char)p;
            dst += 3;
        }
        z.next_in = row;
        z.avail_in = (uInt)row_len;
        rc = deflate_into(&z, out, Z_NO_FLUSH);
    }
    if (rc == KILN_OK)
        rc = deflate_into(&z, out, Z_FINISH);
    if (rc != KILN_OK)
        goto out_z;
    size_t data_len = out->len - idat - 8;
    if (data_len > 0x7FFFFFFF) { /* PNG's chunk limit; not reachable at
                                    KILN__CHART_MAX_PIXELS */
        rc = kiln_error_set(err, KILN_VALUE, "chart: PNG too large");
        goto out_z;
    }
    put_be32((unsigned char *)out->data + idat, (uint32_t)data_len);
    unsigned char crc[4];
    put_be32(crc, (uint32_t)crc32(0L, (const Bytef *)out->data + idat + 4,
                                  (uInt)(data_len + 4)));
    if (kiln_buf_append(out, crc, 4) != KILN_OK ||
        put_chunk(out, "IEND", NULL, 0) != KILN_OK)
        rc = KILN_NOMEM;
out_z:
    deflateEnd(&z);
out_row:
    free(row);
    if (rc != KILN_OK) {
        out->len = start;
        if (out->data != NULL)
            out->data[start] = '\0';
        if (rc == KILN_NOMEM)
            rc = kiln_error_set(err, KILN_NOMEM,
                                "chart: out of memory encoding a %dx%d PNG",
                                w, h);
        else
            rc = kiln_error_set(err, rc, "chart: PNG encoding failed");
    }
    return rc;
}
