/* Helpers shared by the plotting tests: decode a PNG with cairo's own
 * reader (libpng: independent of kiln's encoder), look for colours, save
 * pictures for a person to look at, render an SVG and check that it is
 * well-formed XML.  Include after cmocka.h. */
#ifndef KILN_TESTS_PLOTTING_PLOT_TEST_H
#define KILN_TESTS_PLOTTING_PLOT_TEST_H

#include "plotting/chart.h"
#include "core/utf8.h"

#include <cairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The colour cycle, written out independently of chart_style.c:
 * Okabe-Ito blue, orange, bluish green, vermillion, reddish purple, sky
 * blue, black. */
static const uint32_t okabe_ito[] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
                                     0xCC79A7, 0x56B4E9, 0x000000};
#define BLUE 0x0072B2u
#define ORANGE 0xE69F00u
#define WHITE 0xFFFFFFu
#define PAD 10 /* the chart's outer padding, CSS px (chart_style.c) */

typedef struct png_reader {
    const unsigned char *data;
    size_t len, at;
} png_reader;

static inline cairo_status_t png_read(void *closure, unsigned char *out,
                                      unsigned int n)
{
    png_reader *r = closure;
    if (r->len - r->at < n)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, r->data + r->at, n);
    r->at += n;
    return CAIRO_STATUS_SUCCESS;
}

/* Decode; the whole buffer must be one PNG. */
static inline cairo_surface_t *decode_png(const kiln_buf *b)
{
    png_reader r = {(const unsigned char *)b->data, b->len, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read,
                                                                    &r);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    return s;
}

static inline uint32_t pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    return ((const uint32_t *)(d + (size_t)y * stride))[x] & 0xFFFFFFu;
}

static inline bool near_colour(uint32_t p, uint32_t want, int tol)
{
    for (int sh = 0; sh <= 16; sh += 8) {
        int a = (int)((p >> sh) & 0xFF), b = (int)((want >> sh) & 0xFF);
        if (abs(a - b) > tol)
            return false;
    }
    return true;
}

/* Pixels of colour `want` (within tol per channel) in [x0,x1) x [y0,y1). */
static inline size_t count_colour(cairo_surface_t *s, uint32_t want,
                                  int tol, int x0, int y0, int x1, int y1)
{
    int w = cairo_image_surface_get_width(s);
    int h = cairo_image_surface_get_height(s);
    size_t n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
            n += near_colour(pixel(s, x, y), want, tol);
    return n;
}

typedef struct bbox {
    int x0, y0, x1, y1; /* x1, y1 exclusive; x0 > x1 when empty */
    size_t n;
} bbox;

static inline bbox colour_bbox(cairo_surface_t *s, uint32_t want, int tol)
{
    int w = cairo_image_surface_get_width(s);
    int h = cairo_image_surface_get_height(s);
    bbox b = {w, h, 0, 0, 0};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (near_colour(pixel(s, x, y), want, tol)) {
                b.n++;
                if (x < b.x0)
                    b.x0 = x;
                if (y < b.y0)
                    b.y0 = y;
                if (x + 1 > b.x1)
                    b.x1 = x + 1;
                if (y + 1 > b.y1)
                    b.y1 = y + 1;
            }
    return b;
}

/* Nothing is drawn within `band` device pixels of the image's edge: no
 * text or mark overflowed the padding. */
static inline void assert_border_white(cairo_surface_t *s, int band)
{
    int w = cairo_image_surface_get_width(s);
    int h = cairo_image_surface_get_height(s);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            if (x >= band && x < w - band && y >= band && y < h - band)
                continue;
            if (pixel(s, x, y) != WHITE)
                print_error("pixel (%d,%d) of %dx%d is %06X\n", x, y, w, h,
                            pixel(s, x, y));
            assert_int_equal(pixel(s, x, y), WHITE);
        }
}

/* Render c as a PNG at scale, decode it and check its size. */
static inline cairo_surface_t *render(const kiln_chart *c, int scale,
                                      kiln_buf *png)
{
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    kiln_buf_clear(png);
    int rc = kiln_chart_png(c, scale, png, &w, &h, &err);
    if (rc != KILN_OK)
        print_error("kiln_chart_png: %s\n", err.message);
    assert_int_equal(rc, KILN_OK);
    assert_true(png->len > 8);
    assert_memory_equal(png->data, "\x89PNG\r\n\x1a\n", 8);
    cairo_surface_t *s = decode_png(png);
    assert_int_equal(cairo_image_surface_get_width(s), w * scale);
    assert_int_equal(cairo_image_surface_get_height(s), h * scale);
    return s;
}

/* Write bytes under the build folder for a person to look at. */
static inline void save(const kiln_buf *b, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", KILN_PLOT_OUT, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return; /* looking is optional */
    fwrite(b->data, 1, b->len, f);
    fclose(f);
}

/* Render c as an SVG document (valid UTF-8, no NUL inside); free it. */
static inline char *render_svg(const kiln_chart *c)
{
    kiln_buf b;
    kiln_buf_init(&b);
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_chart_svg(c, &b, &err);
    if (rc != KILN_OK)
        print_error("kiln_chart_svg: %s\n", err.message);
    assert_int_equal(rc, KILN_OK);
    assert_true(kiln_utf8_valid(b.data, b.len));
    assert_int_equal(strlen(b.data), b.len); /* no NUL inside */
    return kiln_buf_steal(&b);
}

/* A small XML well-formedness check: tags nest and match, attributes are
 * quoted, entities are known, text has no bare '<' or '&'. */
/* A chart renders to the same SVG text and the same PNG bytes twice. */
static inline void assert_deterministic(const kiln_chart *c)
{
    char *a = render_svg(c), *b = render_svg(c);
    assert_string_equal(a, b);
    free(a);
    free(b);
    kiln_buf p1, p2;
    kiln_buf_init(&p1);
    kiln_buf_init(&p2);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_chart_png(c, 2, &p1, NULL, NULL, &err), KILN_OK);
    assert_int_equal(kiln_chart_png(c, 2, &p2, NULL, NULL, &err), KILN_OK);
    assert_int_equal(p1.len, p2.len);
    assert_memory_equal(p1.data, p2.data, p1.len);
    kiln_buf_fini(&p1);
    kiln_buf_fini(&p2);
}

static inline void assert_well_formed(const char *doc)
{
    assert_true(strncmp(doc, "<?xml", 5) == 0);
    const char *p = strstr(doc, "?>");
    assert_non_null(p);
    p += 2;
    char stack[64][64];
    int depth = 0, roots = 0;
    while (*p) {
        if (*p == '&') {
            assert_true(strncmp(p, "&amp;", 5) == 0 ||
                        strncmp(p, "&lt;", 4) == 0 ||
                        strncmp(p, "&gt;", 4) == 0 ||
                        strncmp(p, "&quot;", 6) == 0 ||
                        strncmp(p, "&apos;", 6) == 0 || p[1] == '#');
            p++;
            continue;
        }
        if (*p != '<') {
            assert_true(*p != '>' || depth > 0);
            if (depth == 0)
                assert_true(*p == ' ' || *p == '\n' || *p == '\r' ||
                            *p == '\t');
            p++;
            continue;
        }
        if (strncmp(p, "<!--", 4) == 0) {
            p = strstr(p, "-->");
            assert_non_null(p);
            p += 3;
            continue;
        }
        bool closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t nl = strcspn(name, " \t\n/>");
        assert_true(nl > 0 && nl < 64);
        const char *q = name + nl;
        /* Attributes: name="value" pairs until > or />. */
        while (*q && *q != '>' && !(q[0] == '/' && q[1] == '>')) {
            if (*q == ' ' || *q == '\n' || *q == '\t') {
                q++;
                continue;
            }
            size_t an = strcspn(q, "= \t\n>");
            assert_true(an > 0 && q[an] == '=');
            q += an + 1;
            char quote = *q;
            assert_true(quote == '"' || quote == '\'');
            const char *end = strchr(q + 1, quote);
            assert_non_null(end);
            assert_null(memchr(q + 1, '<', (size_t)(end - q - 1)));
            q = end + 1;
        }
        assert_true(*q != '\0');
        bool self = q[0] == '/';
        if (closing) {
            assert_true(depth > 0);
            depth--;
            assert_int_equal(strlen(stack[depth]), nl);
            assert_memory_equal(stack[depth], name, nl);
        } else if (!self) {
            assert_true(depth < 64);
            memcpy(stack[depth], name, nl);
            stack[depth][nl] = '\0';
            if (depth == 0)
                roots++;
            depth++;
        } else if (depth == 0) {
            roots++;
        }
        p = q + (self ? 2 : 1);
    }
    assert_int_equal(depth, 0);
    assert_int_equal(roots, 1);
}

/* cairo's spelling of a colour: percentages printed with %f, trailing
 * zeros dropped. */
static inline void cairo_rgb(uint32_t rgb, char *out, size_t n)
{
    char part[3][32];
    for (int k = 0; k < 3; k++) {
        unsigned v = (rgb >> (16 - 8 * k)) & 0xFF;
        snprintf(part[k], sizeof part[k], "%f", v / 255.0 * 100);
        char *e = part[k] + strlen(part[k]);
        while (e[-1] == '0')
            *--e = '\0';
        if (e[-1] == '.')
            e[-1] = '\0';
    }
    snprintf(out, n, "rgb(%s%%,%s%%,%s%%)", part[0], part[1], part[2]);
}

static inline bool under_valgrind(void)
{
    return getenv("KILN_TEST_UNDER_VALGRIND") != NULL;
}

#endif
