/* kiln — image grids (KILN_CHART_IMAGES, see chart.h): small greyscale
 * images side by side, each with its label under it, e.g. K-Means
 * centroids of Fashion-MNIST drawn as the 28 x 28 pictures they are. */
#include "chart_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Layout constants, CSS px. */
#define CELL_TARGET 72.0 /* an image's side when the chart's size is free */
#define CELL_MIN 16.0
#define GAP 10.0         /* between images, and image to its label */
#define MAX_COLUMNS 10

void kiln__chart_images_fini(kiln_chart_images *im)
{
    for (size_t i = 0; i < im->n; i++)
        free(im->label[i]);
    free(im->label);
    free(im->value);
    memset(im, 0, sizeof *im);
}

int kiln_chart_set_images(kiln_chart *c, size_t n, size_t rows, size_t cols,
                          const double *values, const char *const *labels)
{
    if (c == NULL || c->opts.kind != KILN_CHART_IMAGES ||
        n > KILN_CHART_IMAGES_MAX || rows > KILN_CHART_IMAGE_SIDE ||
        cols > KILN_CHART_IMAGE_SIDE || (n > 0 && (rows == 0 || cols == 0)) ||
        (values == NULL && n > 0))
        return KILN_VALUE;
    kiln_chart_images im = {0};
    size_t count = n * rows * cols;
    im.value = malloc((count ? count : 1) * sizeof *im.value);
    im.label = calloc(n ? n : 1, sizeof *im.label);
    bool nomem = im.value == NULL || im.label == NULL;
    for (size_t i = 0; !nomem && i < n; i++) {
        const char *l = labels && labels[i] ? labels[i] : "";
        im.label[i] = kiln__chart_text_copy(l, &nomem);
        im.n = i + 1;
    }
    if (nomem) {
        kiln__chart_images_fini(&im);
        return KILN_NOMEM;
    }
    if (count)
        memcpy(im.value, values, count * sizeof *im.value);
    im.n = n;
    im.rows = rows;
    im.cols = cols;
    kiln__chart_images_fini(&c->images);
    c->images = im;
    return KILN_OK;
}

static size_t columns(size_t n)
{
    return n < MAX_COLUMNS ? (n ? n : 1) : MAX_COLUMNS;
}

/* The height above the grid (the title) and under each image (its
 * label), from the style's font sizes (DejaVu Sans: 1.164 em a line). */
static double title_band(const kiln_chart *c)
{
    const kiln_chart_style *st = kiln__chart_style();
    return kiln__chart_has_text(c->title) ? st->title_size * 1.164 + st->title_gap
                                          : 0;
}

static double label_band(void)
{
    return kiln__chart_style()->tick_size * 1.164 + GAP / 2;
}

void kiln__chart_images_size(const kiln_chart *c, int *w, int *h)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_images *im = &c->images;
    size_t n = im->n ? im->n : 1, ncol = columns(n);
    size_t nrow = (n + ncol - 1) / ncol;
    double aspect = im->rows && im->cols ? (double)im->rows / (double)im->cols
                                         : 1.0;
    double cell = CELL_TARGET;
    if (!c->auto_width && *w > 0)
        cell = fmax(CELL_MIN, (*w - 2 * st->pad - (double)(ncol - 1) * GAP) /
                                  (double)ncol);
    if (c->auto_width)
        *w = (int)ceil(2 * st->pad + (double)ncol * cell +
                       (double)(ncol - 1) * GAP);
    if (c->auto_height)
        *h = (int)ceil(2 * st->pad + title_band(c) +
                       (double)nrow * (cell * aspect + label_band()) +
                       (double)(nrow - 1) * GAP);
    if (*w < KILN__CHART_MIN_SIDE)
        *w = KILN__CHART_MIN_SIDE;
    if (*h < KILN__CHART_MIN_SIDE)
        *h = KILN__CHART_MIN_SIDE;
    if (*w > KILN__CHART_MAX_SIDE)
        *w = KILN__CHART_MAX_SIDE;
    if (*h > KILN__CHART_MAX_SIDE)
        *h = KILN__CHART_MAX_SIDE;
}

/* The range the greys span: every finite value of every image (so that
 * images compare), white at the low end. */
static void value_range(const kiln_chart_images *im, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    size_t count = im->n * im->rows * im->cols;
    for (size_t i = 0; i < count; i++)
        if (isfinite(im->value[i])) {
            *lo = fmin(*lo, im->value[i]);
            *hi = fmax(*hi, im->value[i]);
        }
    if (!(*hi > *lo))
        *hi = *lo + 1;
}

/* Image i as a cairo image surface of rows x cols pixels: dark where the
 * value is high (ink on paper, matplotlib's "Greys"); non-finite values
 * are a light red. */
static cairo_surface_t *picture(const kiln_chart_images *im, size_t i,
                                double lo, double hi)
{
    cairo_surface_t *s = cairo_image_surface_create(
        CAIRO_FORMAT_RGB24, (int)im->cols, (int)im->rows);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        return s;
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    const double *v = im->value + i * im->rows * im->cols;
    for (size_t r = 0; r < im->rows; r++) {
        uint32_t *row = (uint32_t *)(void *)(data + (size_t)stride * r);
        for (size_t k = 0; k < im->cols; k++) {
            double x = v[r * im->cols + k];
            uint32_t px;
            if (!isfinite(x)) {
                px = 0xf4c7c3u;
            } else {
                double t = (x - lo) / (hi - lo);
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                unsigned g = (unsigned)lround(255.0 * (1.0 - t));
                px = (g << 16) | (g << 8) | g;
            }
            row[k] = px;
        }
    }
    cairo_surface_mark_dirty(s);
    return s;
}

int kiln__chart_draw_images(const kiln_chart *c, cairo_t *cr, double w,
                            double h, double res, kiln_buf *scratch,
                            kiln_error *err)
{
    (void)res;
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_images *im = &c->images;
    kiln_chart_metrics m;
    kiln__chart_measure_fonts(cr, &m);
    cairo_set_source_rgb(cr, st->background.r, st->background.g,
                         st->background.b);
    cairo_paint(cr);

    size_t n = im->n, ncol = columns(n), nrow = n ? (n + ncol - 1) / ncol : 1;
    double aspect = im->rows && im->cols ? (double)im->rows / (double)im->cols
                                         : 1.0;
    double top = st->pad + title_band(c);
    double avail_w = w - 2 * st->pad - (double)(ncol - 1) * GAP;
    double avail_h = h - top - st->pad - (double)(nrow - 1) * GAP -
                     (double)nrow * label_band();
    double cell = fmin(avail_w / (double)ncol, avail_h / ((double)nrow * aspect));
    if (cell < 1)
        cell = 1;
    double grid_w = (double)ncol * cell + (double)(ncol - 1) * GAP;
    double left = (w - grid_w) / 2;
    kiln_chart_rect plot = {left, top, grid_w,
                            (double)nrow * (cell * aspect + label_band()) +
                                (double)(nrow - 1) * GAP};
    int rc = KILN_OK;
    if (n == 0) {
        kiln__chart_draw_note(cr, &m, plot);
    } else {
        double lo, hi;
        value_range(im, &lo, &hi);
        for (size_t i = 0; i < n && rc == KILN_OK; i++) {
            double x = left + (double)(i % ncol) * (cell + GAP);
            double y = top + (double)(i / ncol) *
                                 (cell * aspect + label_band() + GAP);
            cairo_surface_t *s = picture(im, i, lo, hi);
            if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
                rc = kiln__chart_cairo_error(cairo_surface_status(s), err);
                cairo_surface_destroy(s);
                break;
            }
            cairo_save(cr);
            cairo_translate(cr, x, y);
            cairo_scale(cr, cell / (double)im->cols,
                        cell * aspect / (double)im->rows);
            cairo_set_source_surface(cr, s, 0, 0);
            cairo_pattern_set_filter(cairo_get_source(cr),
                                     CAIRO_FILTER_NEAREST);
            cairo_paint(cr);
            cairo_restore(cr);
            cairo_surface_destroy(s);
            /* a hairline frame: white images stay visible on white */
            cairo_set_source_rgb(cr, st->spine.r, st->spine.g, st->spine.b);
            cairo_set_line_width(cr, 1.0 / res);
            cairo_rectangle(cr, x, y, cell, cell * aspect);
            cairo_stroke(cr);
            /* the label, centred under the image, elided to its width */
            kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
            const char *text = kiln__chart_fit_text(cr, im->label[i],
                                                    cell + GAP * 0.8, scratch);
            double tw = kiln__chart_text_width(cr, text);
            cairo_set_source_rgb(cr, st->tick_label.r, st->tick_label.g,
                                 st->tick_label.b);
            cairo_move_to(cr, x + (cell - tw) / 2,
                          y + cell * aspect + GAP / 2 + m.tick_asc);
            cairo_show_text(cr, text);
        }
    }
    if (rc == KILN_OK)
        kiln__chart_draw_titles(c, cr, &m, plot, w, h, scratch);
    if (rc == KILN_OK)
        rc = kiln__chart_cairo_error(cairo_status(cr), err);
    return rc;
}
