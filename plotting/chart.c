/* kiln — the chart object, its series, and PNG/SVG output (see chart.h). */
#include "plotting/chart_impl.h"

#include "core/utf8.h"

#include <cairo-svg.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sanitised: invalid UTF-8 would put the cairo context into an error
 * state (every later drawing call becomes a no-op), and control characters
 * would show as boxes. */
char *kiln__chart_text_copy(const char *s, bool *nomem)
{
    if (s == NULL)
        return NULL;
    kiln_buf b;
    kiln_buf_init(&b);
    if (kiln_utf8_sanitize(s, strlen(s), &b) != KILN_OK) {
        kiln_buf_fini(&b);
        *nomem = true;
        return NULL;
    }
    for (size_t i = 0; i < b.len; i++) {
        unsigned char ch = (unsigned char)b.data[i];
        if (ch < 0x20 || ch == 0x7F)
            b.data[i] = ' ';
    }
    char *out = kiln_buf_steal(&b);
    if (out == NULL)
        *nomem = true;
    return out;
}

kiln_chart *kiln_chart_new(const kiln_chart_opts *opts)
{
    kiln_chart *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (opts != NULL)
        c->opts = *opts;
    c->auto_width = c->opts.width == 0;
    c->auto_height = c->opts.height == 0;
    if (c->opts.width == 0)
        c->opts.width = 640;
    if (c->opts.height == 0)
        c->opts.height = 360;
    bool nomem = false;
    c->title = kiln__chart_text_copy(c->opts.title, &nomem);
    c->x_label = kiln__chart_text_copy(c->opts.x_label, &nomem);
    c->y_label = kiln__chart_text_copy(c->opts.y_label, &nomem);
    if (nomem) {
        kiln_chart_free(c);
        return NULL;
    }
    c->opts.title = c->title;
    c->opts.x_label = c->x_label;
    c->opts.y_label = c->y_label;
    return c;
}

void kiln_chart_free(kiln_chart *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_series; i++) {
        free(c->series[i].name);
        free(c->series[i].x);
        free(c->series[i].y);
    }
    free(c->series);
    kiln__chart_bars_fini(&c->bars);
    kiln__chart_matrix_fini(&c->matrix);
    kiln__chart_images_fini(&c->images);
    free(c->title);
    free(c->x_label);
    free(c->y_label);
    free(c);
}

int kiln_chart_series_points(kiln_chart *c, int series)
{
    if (c == NULL || series < 0 || (size_t)series >= c->n_series)
        return KILN_VALUE;
    c->series[series].points = true;
    return KILN_OK;
}

size_t kiln_chart_series_count(const kiln_chart *c)
{
    return c != NULL ? c->n_series : 0;
}

/* Make room for `extra` more points in s; the arrays grow geometrically so
 * that a live chart appending one epoch at a time stays linear. */
static int series_reserve(kiln_chart_series *s, size_t extra)
{
    if (extra > SIZE_MAX / sizeof(double) - s->n)
        return KILN_NOMEM;
    size_t need = s->n + extra;
    if (need <= s->cap)
        return KILN_OK;
    size_t cap = s->cap ? s->cap : 16;
    while (cap < need)
        cap = cap > SIZE_MAX / sizeof(double) / 2 ? need : cap * 2;
    double *x = realloc(s->x, cap * sizeof(double));
    if (x == NULL)
        return KILN_NOMEM;
    s->x = x;
    double *y = realloc(s->y, cap * sizeof(double));
    if (y == NULL)
        return KILN_NOMEM; /* x stays larger than needed: harmless */
    s->y = y;
    s->cap = cap;
    return KILN_OK;
}

int kiln_chart_add_series(kiln_chart *c, const char *name, const double *x,
                          const double *y, size_t n)
{
    if (c == NULL || (n > 0 && (x == NULL || y == NULL)) ||
        (c->opts.kind != KILN_CHART_LINE &&
         c->opts.kind != KILN_CHART_SCATTER))
        return -1;
    if (c->n_series >= (size_t)INT_MAX)
        return -1;
    if (c->n_series == c->cap_series) {
        size_t cap = c->cap_series ? c->cap_series * 2 : 4;
        kiln_chart_series *p = realloc(c->series, cap * sizeof *p);
        if (p == NULL)
            return -1;
        c->series = p;
        c->cap_series = cap;
    }
    kiln_chart_series s = {0};
    bool nomem = false;
    s.name = kiln__chart_text_copy(name, &nomem);
    if (nomem)
        return -1;
    if (n > 0) {
        if (series_reserve(&s, n) != KILN_OK) {
            free(s.name);
            free(s.x);
            free(s.y);
            return -1;
        }
        memcpy(s.x, x, n * sizeof(double));
        memcpy(s.y, y, n * sizeof(double));
        s.n = n;
    }
    c->series[c->n_series] = s;
    return (int)c->n_series++;
}

int kiln_chart_append(kiln_chart *c, int series, const double *x,
                      const double *y, size_t n)
{
    if (c == NULL || series < 0 || (size_t)series >= c->n_series)
        return KILN_INDEX;
    if (n == 0)
        return KILN_OK;
    if (x == NULL || y == NULL)
        return KILN_VALUE;
    kiln_chart_series *s = &c->series[series];
    if (series_reserve(s, n) != KILN_OK)
        return KILN_NOMEM;
    memcpy(s->x + s->n, x, n * sizeof(double));
    memcpy(s->y + s->n, y, n * sizeof(double));
    s->n += n;
    return KILN_OK;
}

/* --- output ----------------------------------------------------------- */

void kiln__chart_size(const kiln_chart *c, int *w, int *h)
{
    *w = c->opts.width;
    *h = c->opts.height;
    if (c->opts.kind == KILN_CHART_BARH && c->auto_height)
        *h = kiln__chart_bars_height(c);
    else if (c->opts.kind == KILN_CHART_HEATMAP)
        kiln__chart_heatmap_size(c, w, h);
    else if (c->opts.kind == KILN_CHART_IMAGES)
        kiln__chart_images_size(c, w, h);
}

static int check_size(const kiln_chart *c, int scale, kiln_error *err)
{
    int w, h;
    kiln__chart_size(c, &w, &h);
    if (w < KILN__CHART_MIN_SIDE || w > KILN__CHART_MAX_SIDE ||
        h < KILN__CHART_MIN_SIDE || h > KILN__CHART_MAX_SIDE)
        return kiln_error_set(err, KILN_VALUE,
                              "chart size %dx%d px is out of range "
                              "(each side %d..%d)",
                              w, h, KILN__CHART_MIN_SIDE,
                              KILN__CHART_MAX_SIDE);
    long px = (long)w * h * scale * scale;
    if (px > KILN__CHART_MAX_PIXELS)
        return kiln_error_set(err, KILN_VALUE,
                              "chart size %dx%d px at scale %d is %ld "
                              "pixels, more than the %ld allowed",
                              w, h, scale, px, (long)KILN__CHART_MAX_PIXELS);
    return KILN_OK;
}

int kiln_chart_png(const kiln_chart *c, int scale, kiln_buf *out, int *width,
                   int *height, kiln_error *err)
{
    if (c == NULL || out == NULL)
        return kiln_error_set(err, KILN_VALUE, "chart: no chart or buffer");
    if (scale < 1 || scale > 4)
        return kiln_error_set(err, KILN_VALUE,
                              "chart PNG scale %d is out of range 1..4",
                              scale);
    int rc = check_size(c, scale, err);
    if (rc != KILN_OK)
        return rc;
    int w, h;
    kiln__chart_size(c, &w, &h);
    /* RGB24: the background is opaque, and three bytes a pixel encode
     * faster than four. */
    cairo_surface_t *img =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, w * scale, h * scale);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "chart: cannot allocate a %dx%d px image "
                            "(%ld bytes)",
                            w * scale, h * scale, 4L * w * h * scale * scale);
        goto out_surface;
    }
    cairo_t *cr = cairo_create(img);
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS) {
        rc = kiln__chart_cairo_error(cairo_status(cr), err);
        goto out_cr;
    }
    cairo_scale(cr, scale, scale);
    rc = kiln__chart_draw(c, cr, w, h, scale, img, err);
    if (rc != KILN_OK)
        goto out_cr;
    cairo_surface_flush(img);
    rc = kiln__chart_png_encode(img, out, err);
    if (rc != KILN_OK)
        goto out_cr;
    if (width != NULL)
        *width = w;
    if (height != NULL)
        *height = h;
out_cr:
    cairo_destroy(cr);
out_surface:
    cairo_surface_destroy(img);
    return rc;
}

typedef struct svg_sink {
    kiln_buf buf;
    bool nomem;
} svg_sink;

static cairo_status_t svg_write(void *closure, const unsigned char *data,
                                unsigned int len)
{
    svg_sink *s = closure;
    if (kiln_buf_append(&s->buf, data, len) != KILN_OK) {
        s->nomem = true;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static int xml_escaped(kiln_buf *b, const char *s)
{
    for (; *s; s++) {
        int rc;
        switch (*s) {
        case '&':
            rc = kiln_buf_puts(b, "&amp;");
            break;
        case '<':
            rc = kiln_buf_puts(b, "&lt;");
            break;
        case '>':
            rc = kiln_buf_puts(b, "&gt;");
            break;
        case '"':
            rc = kiln_buf_puts(b, "&quot;");
            break;
        default:
            rc = kiln_buf_putc(b, *s);
        }
        if (rc != KILN_OK)
            return rc;
    }
    return KILN_OK;
}

/* The chart's text as SVG <title> and <desc> elements: cairo draws text as
 * glyph outlines, so without these an SVG chart has no text that screen
 * readers, search or a test can find. */
static int svg_text(const kiln_chart *c, kiln_buf *b)
{
    int rc = KILN_OK;
    if (c->title != NULL && c->title[0] != '\0') {
        rc = kiln_buf_puts(b, "\n<title>");
        if (rc == KILN_OK)
            rc = xml_escaped(b, c->title);
        if (rc == KILN_OK)
            rc = kiln_buf_puts(b, "</title>");
    }
    if (rc == KILN_OK)
        rc = kiln_buf_puts(b, "\n<desc>");
    const char *sep = "";
    if (rc == KILN_OK && c->x_label != NULL && c->x_label[0] != '\0') {
        rc = kiln_buf_puts(b, "x: ");
        if (rc == KILN_OK)
            rc = xml_escaped(b, c->x_label);
        sep = "; ";
    }
    if (rc == KILN_OK && c->y_label != NULL && c->y_label[0] != '\0') {
        rc = kiln_buf_printf(b, "%sy: ", sep);
        if (rc == KILN_OK)
            rc = xml_escaped(b, c->y_label);
        sep = "; ";
    }
    /* A handful of names is a description; a thousand would be noise. */
    size_t shown = c->n_series < 20 ? c->n_series : 20;
    for (size_t i = 0; rc == KILN_OK && i < shown; i++) {
        rc = kiln_buf_printf(b, "%s", i == 0 ? sep : ", ");
        if (i == 0 && rc == KILN_OK)
            rc = kiln_buf_puts(b, "series: ");
        const char *name = c->series[i].name;
        if (rc == KILN_OK && name != NULL && name[0] != '\0')
            rc = xml_escaped(b, name);
        else if (rc == KILN_OK)
            rc = kiln_buf_printf(b, "series %zu", i + 1);
    }
    if (rc == KILN_OK && shown < c->n_series)
        rc = kiln_buf_printf(b, ", and %zu more", c->n_series - shown);
    /* Bars are the data itself: each label with its value as written,
     * up to the 50 a bar chart shows readably at its default size. */
    shown = c->bars.n < 50 ? c->bars.n : 50;
    char num[64];
    for (size_t i = 0; rc == KILN_OK && i < shown; i++) {
        rc = kiln_buf_puts(b, i > 0 ? ", " : sep);
        if (i == 0 && rc == KILN_OK)
            rc = kiln_buf_puts(b, "bars: ");
        const char *label = c->bars.label[i];
        if (rc == KILN_OK && label[0] != '\0')
            rc = xml_escaped(b, label);
        else if (rc == KILN_OK)
            rc = kiln_buf_printf(b, "bar %zu", i + 1);
        kiln__chart_bar_value(c->bars.value[i], num, sizeof num);
        if (rc == KILN_OK)
            rc = kiln_buf_printf(b, " = %s", num);
    }
    if (rc == KILN_OK && shown < c->bars.n)
        rc = kiln_buf_printf(b, ", and %zu more", c->bars.n - shown);
    /* Cells likewise, row by row: all of a 10 x 10 matrix. */
    const kiln_chart_matrix *mx = &c->matrix;
    size_t cells = mx->rows * mx->cols;
    shown = cells < 100 ? cells : 100;
    for (size_t i = 0; rc == KILN_OK && i < shown; i++) {
        rc = kiln_buf_puts(b, i > 0 ? ", " : sep);
        if (i == 0 && rc == KILN_OK)
            rc = kiln_buf_puts(b, "cells: ");
        if (rc == KILN_OK)
            rc = xml_escaped(b, mx->row_label[i / mx->cols]);
        if (rc == KILN_OK)
            rc = kiln_buf_puts(b, " / ");
        if (rc == KILN_OK)
            rc = xml_escaped(b, mx->col_label[i % mx->cols]);
        kiln__chart_heat_value(mx->value[i], num, sizeof num);
        if (rc == KILN_OK)
            rc = kiln_buf_printf(b, " = %s", num);
    }
    if (rc == KILN_OK && shown < cells)
        rc = kiln_buf_printf(b, ", and %zu more", cells - shown);
    /* Images by their labels. */
    const kiln_chart_images *im = &c->images;
    shown = im->n < 50 ? im->n : 50;
    for (size_t i = 0; rc == KILN_OK && i < shown; i++) {
        rc = kiln_buf_puts(b, i > 0 ? ", " : sep);
        if (i == 0 && rc == KILN_OK)
            rc = kiln_buf_printf(b, "%zu images of %zux%zu: ", im->n, im->rows,
                                 im->cols);
        if (rc == KILN_OK && im->label[i][0] != '\0')
            rc = xml_escaped(b, im->label[i]);
        else if (rc == KILN_OK)
            rc = kiln_buf_printf(b, "image %zu", i + 1);
    }
    if (rc == KILN_OK && shown < im->n)
        rc = kiln_buf_printf(b, ", and %zu more", im->n - shown);
    if (rc == KILN_OK)
        rc = kiln_buf_puts(b, "</desc>");
    return rc;
}

/* cairo names the page's group "surfaceN" after a process-wide counter,
 * so the same chart would differ from one render to the next -- noise in
 * every saved notebook's diff.  Rename it "chart" when nothing refers to
 * it.  The name only gets shorter, so this works in place. */
static void stable_ids(kiln_buf *b)
{
    char *id = b->data != NULL ? strstr(b->data, "<g id=\"surface") : NULL;
    if (id == NULL)
        return;
    char *name = id + strlen("<g id=\"");
    size_t len = strlen("surface");
    while (name[len] >= '0' && name[len] <= '9')
        len++;
    if (name[len] != '"')
        return;
    char ref[48];
    if (len + 2 >= sizeof ref)
        return;
    snprintf(ref, sizeof ref, "#%.*s\"", (int)len, name);
    if (strstr(b->data, ref) != NULL)
        return;
    memcpy(name, "chart", 5);
    memmove(name + 5, name + len, b->len - (size_t)(name + len - b->data) + 1);
    b->len -= len - 5;
}

int kiln_chart_svg(const kiln_chart *c, kiln_buf *out, kiln_error *err)
{
    if (c == NULL || out == NULL)
        return kiln_error_set(err, KILN_VALUE, "chart: no chart or buffer");
    int rc = check_size(c, 1, err);
    if (rc != KILN_OK)
        return rc;
    int w, h;
    kiln__chart_size(c, &w, &h);
    size_t start = out->len;
    svg_sink sink = {.nomem = false};
    kiln_buf_init(&sink.buf);
    cairo_surface_t *svg =
        cairo_svg_surface_create_for_stream(svg_write, &sink, w, h);
    if (cairo_surface_status(svg) != CAIRO_STATUS_SUCCESS) {
        rc = kiln__chart_cairo_error(cairo_surface_status(svg), err);
        goto out_surface;
    }
    /* CSS pixels, as in the PNG's metadata (cairo's default unit is pt). */
    cairo_svg_surface_set_document_unit(svg, CAIRO_SVG_UNIT_PX);
    cairo_t *cr = cairo_create(svg);
    /* 2 device px per CSS px for decimation: detail survives zooming in. */
    rc = kiln__chart_draw(c, cr, w, h, 2, NULL, err);
    cairo_destroy(cr);
    cairo_surface_finish(svg);
    if (rc != KILN_OK)
        goto out_surface;
    if (sink.nomem) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "chart: out of memory writing a %zu-byte SVG",
                            sink.buf.len);
        goto out_surface;
    }
    rc = kiln__chart_cairo_error(cairo_surface_status(svg), err);
    if (rc != KILN_OK)
        goto out_surface;
    stable_ids(&sink.buf);
    /* Insert the text elements right after the <svg ...> start tag. */
    const char *doc = kiln_buf_str(&sink.buf);
    const char *tag = strstr(doc, "<svg");
    const char *end = tag != NULL ? strchr(tag, '>') : NULL;
    size_t head = end != NULL ? (size_t)(end + 1 - doc) : sink.buf.len;
    rc = kiln_buf_append(out, doc, head);
    if (rc == KILN_OK && end != NULL)
        rc = svg_text(c, out);
    if (rc == KILN_OK)
        rc = kiln_buf_append(out, doc + head, sink.buf.len - head);
    if (rc != KILN_OK) {
        out->len = start;
        if (out->data != NULL)
            out->data[start] = '\0';
        rc = kiln_error_set(err, KILN_NOMEM,
                            "chart: out of memory copying a %zu-byte SVG",
                            sink.buf.len);
    }
out_surface:
    cairo_surface_destroy(svg);
    kiln_buf_fini(&sink.buf);
    return rc;
}

void kiln_chart_release_caches(void)
{
    cairo_debug_reset_static_data();
}

bool kiln__chart_nonfinite_text(double v, char *out, size_t n)
{
    if (isnan(v))
        snprintf(out, n, "NaN");
    else if (isinf(v))
        snprintf(out, n, "%s\xE2\x88\x9E", v < 0 ? "\xE2\x88\x92" : "");
    return !isfinite(v);
}
