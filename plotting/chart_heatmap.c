/* kiln — heatmaps: a matrix of coloured cells, e.g. a confusion matrix
 * with true labels as rows and predicted ones as columns (see chart.h,
 * kiln_chart_set_matrix).
 *
 * The layout follows the bar charts (chart_bars.c) where it can: the same
 * title and axis titles, measured from the text drawn, and row labels
 * right-aligned left of the cells as bar labels are.  Both axes are lists
 * of categories, so there are no number ticks or grid lines: the column
 * labels go under the cells (turned upright when wider than a column), and
 * a colour scale at the right says what the colours mean.  Cells are
 * square or nearly; when the chart is wider than they need, the whole
 * block (axis title, labels, cells, scale) is centred across it.
 */
#include "plotting/chart_impl.h"

#include "core/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Matrices with more cells are drawn as one image: an SVG with a path per
 * cell would run to megabytes. */
#define VECTOR_CELLS 2500
/* Pixels of that image in an SVG, at most (16 MB while drawing). */
#define SVG_IMAGE_PIXELS (4.0 * 1000 * 1000)
/* CSS px between column labels written side by side. */
#define COL_GAP 6
/* DejaVu Sans is 1.164 em from ascent to descent, and averages under 0.64
 * em a character in labels (digits are 0.636): enough to size a chart
 * before there is a cairo context to measure with (chart_bars.c too). */
#define EM_HEIGHT 1.17
#define EM_ADVANCE 0.64

/* --- the matrix -------------------------------------------------------- */

static void free_labels(char **l, size_t n)
{
    if (l != NULL)
        for (size_t i = 0; i < n; i++)
            free(l[i]);
    free(l);
}

void kiln__chart_matrix_fini(kiln_chart_matrix *m)
{
    free_labels(m->row_label, m->rows);
    free_labels(m->col_label, m->cols);
    free(m->value);
    *m = (kiln_chart_matrix){0};
}

/* n sanitised copies of labels, without trailing blanks (row labels are
 * right-aligned); the index for a NULL or blank one. */
static char **copy_labels(const char *const *labels, size_t n)
{
    char **l = calloc(n, sizeof *l);
    if (l == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        bool nomem = false;
        l[i] = kiln__chart_text_copy(labels != NULL ? labels[i] : NULL,
                                     &nomem);
        size_t len = l[i] != NULL ? strlen(l[i]) : 0;
        while (len > 0 && l[i][len - 1] == ' ')
            l[i][--len] = '\0';
        if (!nomem && len == 0) {
            char index[32];
            snprintf(index, sizeof index, "%zu", i);
            free(l[i]);
            l[i] = kiln__chart_text_copy(index, &nomem);
        }
        if (nomem) {
            free_labels(l, n);
            return NULL;
        }
    }
    return l;
}

int kiln_chart_set_matrix(kiln_chart *c, size_t rows, size_t cols,
                          const double *values,
                          const char *const *row_labels,
                          const char *const *col_labels)
{
    if (c == NULL || c->opts.kind != KILN_CHART_HEATMAP ||
        rows > KILN_CHART_MATRIX_MAX || cols > KILN_CHART_MATRIX_MAX ||
        (rows > 0 && cols > 0 && values == NULL))
        return KILN_VALUE;
    kiln_chart_matrix m = {0};
    if (rows > 0 && cols > 0) {
        m.value = malloc(rows * cols * sizeof *m.value);
        m.row_label = copy_labels(row_labels, rows);
        m.col_label = copy_labels(col_labels, cols);
        m.rows = m.row_label != NULL ? rows : 0;
        m.cols = m.col_label != NULL ? cols : 0;
        if (m.value == NULL || m.row_label == NULL || m.col_label == NULL) {
            kiln__chart_matrix_fini(&m);
            return KILN_NOMEM;
        }
        memcpy(m.value, values, rows * cols * sizeof *m.value);
    }
    kiln__chart_matrix_fini(&c->matrix);
    c->matrix = m;
    return KILN_OK;
}

void kiln__chart_heat_value(double v, char *out, size_t n)
{
    if (kiln__chart_nonfinite_text(v, out, n))
        return;
    v += 0.0; /* -0 is written 0 */
    /* Counts keep every digit; rates and other fractions get three
     * significant ones, enough to compare cells. */
    if (v == floor(v) && fabs(v) < 1e16) {
        kiln_chart_format_number(v, out, n);
        return;
    }
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.2e", v);
    double r = strtod(tmp, NULL);
    /* Rounding up can pass DBL_MAX: then the value as it is. */
    kiln_chart_format_number(isfinite(r) ? r : v, out, n);
}

/* The ramp's ends: the least finite value (0 when none is negative) and
 * the greatest; *any is false when no value is finite. */
static void value_range(const kiln_chart_matrix *m, double *lo, double *hi,
                        bool *any)
{
    double a = INFINITY, b = -INFINITY;
    for (size_t i = 0; i < m->rows * m->cols; i++)
        if (isfinite(m->value[i])) {
            a = fmin(a, m->value[i]);
            b = fmax(b, m->value[i]);
        }
    *any = a <= b;
    if (!*any) {
        a = 0;
        b = 1;
    }
    a = fmin(a, 0);
    if (b <= a) /* all equal, and not above 0 */
        b = a + 1 > a ? a + 1 : a / 2;
    *lo = a;
    *hi = b;
}

/* Whether column labels widest CSS px wide go upright under columns cw
 * wide: when they do not fit side by side, unless they are short (a few
 * digits), which are thinned rather than turned. */
static bool upright_labels(double widest, double cw, double tick_h)
{
    return widest + COL_GAP > cw && widest > 2.5 * tick_h;
}

/* --- size -------------------------------------------------------------- */

static double estimated_width(const char *s, double font_size, double max)
{
    double n = (double)kiln_utf8_count(s, strlen(s));
    return fmin(n * EM_ADVANCE * font_size, max);
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void kiln__chart_heatmap_size(const kiln_chart *c, int *w, int *h)
{
    if (!c->auto_width && !c->auto_height)
        return;
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    /* No matrix yet: the size of a 10 x 10 one, as likely as any. */
    size_t rows = mx->rows > 0 ? mx->rows : 10;
    size_t cols = mx->cols > 0 ? mx->cols : 10;
    double fs = st->tick_size, tick_h = EM_HEIGHT * fs;
    double label_h = EM_HEIGHT * st->label_size;
    double row_w = 0, col_w = 0;
    for (size_t i = 0; i < mx->rows; i++)
        row_w = fmax(row_w, estimated_width(mx->row_label[i], fs,
                                            st->heat_label_max));
    for (size_t i = 0; i < mx->cols; i++)
        col_w = fmax(col_w, estimated_width(mx->col_label[i], fs,
                                            st->heat_label_max));
    double lo, hi;
    bool any;
    value_range(mx, &lo, &hi, &any);
    char num[64];
    kiln__chart_heat_value(hi, num, sizeof num);
    double scale_w = estimated_width(num, fs, INFINITY);
    kiln__chart_heat_value(lo, num, sizeof num);
    scale_w = fmax(scale_w, estimated_width(num, fs, INFINITY));

    double left = st->pad + row_w + st->tick_gap + st->tick_len;
    if (kiln__chart_has_text(c->opts.y_label))
        left += label_h + st->label_gap;
    double right = st->pad;
    if (any)
        right += st->heat_scale_gap + st->heat_scale_w + st->tick_len +
                 st->tick_gap + scale_w;
    double top = st->pad + tick_h / 2;
    if (kiln__chart_has_text(c->opts.title))
        top = st->pad + EM_HEIGHT * st->title_size + st->title_gap;
    double bottom = st->pad + st->tick_len + st->tick_gap;
    if (kiln__chart_has_text(c->opts.x_label))
        bottom += label_h + st->label_gap;

    double cell = clamp(st->heat_cell / (double)(rows > cols ? rows : cols),
                        st->heat_cell_min, st->heat_cell_max);
    /* A side that was given sets the cells' size for the other. */
    if (!c->auto_width)
        cell = clamp((*w - left - right) / (double)cols, 1,
                     st->heat_cell_max);
    bool upright = upright_labels(col_w, cell, tick_h);
    if (!c->auto_height) {
        double col_h = upright ? col_w : tick_h;
        cell = clamp((*h - top - bottom - col_h) / (double)rows, 1,
                     st->heat_cell_max);
        upright = upright_labels(col_w, cell, tick_h);
    }
    bottom += upright ? col_w : tick_h;
    double side_max = st->heat_auto_max;
    if (c->auto_width)
        *w = (int)clamp(ceil(left + (double)cols * cell + right),
                        KILN__CHART_MIN_SIDE, side_max);
    if (c->auto_height)
        *h = (int)clamp(ceil(top + (double)rows * cell + bottom),
                        KILN__CHART_MIN_SIDE, side_max);
}

/* --- layout ------------------------------------------------------------ */

typedef struct heat_layout {
    double w, h, res;
    kiln_chart_metrics m;
    double lo, hi;          /* the ramp's ends */
    bool have_data;         /* some value is finite */
    kiln_chart_rect grid;   /* the cells (the plot area when empty) */
    double cw, ch;          /* one cell */
    double label_max;       /* longest label, CSS px */
    size_t row_step, col_step; /* every k-th label is written */
    bool upright;           /* column labels turned a quarter */
    double col_h;           /* height of the column labels */
    double y_left;          /* left edge of the y axis title */
    kiln_chart_rect scale;  /* the colour scale (have_data only) */
    double value_size;      /* font size of the cell values; 0: none */
    char lo_text[64], hi_text[64];
} heat_layout;

/* v on whole device pixels: cells have crisp edges at every scale. */
static double edge(double v, double res)
{
    return round(v * res) / res;
}

static double widest(cairo_t *cr, char *const *labels, size_t n,
                     double max, kiln_buf *scratch)
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w = fmax(w, kiln__chart_text_width(
                        cr, kiln__chart_fit_text(cr, labels[i], max,
                                                 scratch)));
    return w;
}

/* The cells' size for the room they have: square in a chart sized to fit
 * them (its estimate of the labels' widths may be off a little), nearly
 * square in one of a given size, which they then fill better. */
static void size_cells(const kiln_chart *c, heat_layout *L, double avail_w,
                       double avail_h)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    L->cw = avail_w / (double)(mx->cols > 0 ? mx->cols : 1);
    L->ch = avail_h / (double)(mx->rows > 0 ? mx->rows : 1);
    if (mx->rows > 0) {
        double aspect = c->auto_width || c->auto_height ? 1 : st->heat_aspect;
        L->cw = fmin(L->cw, aspect * L->ch);
        L->ch = fmin(L->ch, aspect * L->cw);
    }
}

/* The font size of the cell values: larger in large cells, smaller down
 * to style.heat_value_min for the widest value to fit, or 0 (none). */
static double value_font(const kiln_chart *c, cairo_t *cr,
                         const heat_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    double ref = st->tick_size;
    /* Text at ref scales linearly (the metrics are unhinted). */
    double size = ref * (L->ch - 2) / L->m.tick_h;
    if (!L->have_data || size < st->heat_value_min)
        return 0;
    size = fmin(size, clamp(0.3 * fmin(L->cw, L->ch), ref, st->title_size));
    kiln__chart_set_font(cr, ref, KILN__FONT_REGULAR);
    char num[64];
    double room = L->cw - 4;
    for (size_t i = 0; i < mx->rows * mx->cols; i++) {
        if (!isfinite(mx->value[i]))
            continue;
        kiln__chart_heat_value(mx->value[i], num, sizeof num);
        double tw = kiln__chart_text_width(cr, num);
        if (tw * size / ref > room)
            size = room / tw * ref;
        if (size < st->heat_value_min)
            return 0;
    }
    return size;
}

static void place(const kiln_chart *c, cairo_t *cr, heat_layout *L,
                  kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_opts *o = &c->opts;
    const kiln_chart_matrix *mx = &c->matrix;
    double pad = st->pad, tick_h = L->m.tick_h;
    value_range(mx, &L->lo, &L->hi, &L->have_data);
    double top = pad;
    if (kiln__chart_has_text(o->title))
        top += L->m.title_h + st->title_gap;
    /* The scale's top label is centred on its tick. */
    top = fmax(top, pad + tick_h / 2);

    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    L->label_max = fmin(st->heat_label_max, st->bar_label_max * L->w);
    double row_w = widest(cr, mx->row_label, mx->rows, L->label_max, scratch);
    double col_w = widest(cr, mx->col_label, mx->cols, L->label_max, scratch);
    double left = pad + row_w + st->tick_gap + st->tick_len;
    if (kiln__chart_has_text(o->y_label))
        left += L->m.label_h + st->label_gap;
    double right = pad;
    if (L->have_data) {
        kiln__chart_heat_value(L->lo, L->lo_text, sizeof L->lo_text);
        kiln__chart_heat_value(L->hi, L->hi_text, sizeof L->hi_text);
        right += st->heat_scale_gap + st->heat_scale_w + st->tick_len +
                 st->tick_gap +
                 fmax(kiln__chart_text_width(cr, L->lo_text),
                      kiln__chart_text_width(cr, L->hi_text));
    }
    double below = pad + st->tick_len + st->tick_gap;
    if (kiln__chart_has_text(o->x_label))
        below += st->label_gap + L->m.label_h;

    double avail_w = fmax(L->w - left - right, 8);
    L->col_h = tick_h;
    double avail_h = fmax(L->h - top - below - L->col_h, 8);
    size_cells(c, L, avail_w, avail_h);
    /* Upright labels take height, which makes the cells (and columns)
     * smaller still: they stay upright. */
    L->upright = mx->cols > 0 && upright_labels(col_w, L->cw, tick_h);
    if (L->upright) {
        L->col_h = col_w;
        avail_h = fmax(L->h - top - below - L->col_h, 8);
        size_cells(c, L, avail_w, avail_h);
    }
    double line = tick_h * 1.1;
    L->row_step = L->ch >= line ? 1 : (size_t)ceil(line / L->ch);
    double col_need = L->upright ? line : col_w + COL_GAP;
    L->col_step = L->cw >= col_need ? 1 : (size_t)ceil(col_need / L->cw);

    double gw = L->cw * (double)(mx->cols > 0 ? mx->cols : 1);
    double gh = L->ch * (double)(mx->rows > 0 ? mx->rows : 1);
    double shift = (avail_w - gw) / 2;
    L->y_left = pad + shift;
    L->grid.x = edge(left + shift, L->res);
    L->grid.y = edge(top, L->res);
    L->grid.w = edge(L->grid.x + gw, L->res) - L->grid.x;
    L->grid.h = edge(L->grid.y + gh, L->res) - L->grid.y;
    /* The scale as tall as the cells, and tall enough for its two labels
     * when they are few rows. */
    L->scale.x = edge(L->grid.x + L->grid.w + st->heat_scale_gap, L->res);
    L->scale.y = L->grid.y;
    L->scale.w = st->heat_scale_w;
    L->scale.h = edge(fmax(L->grid.h, fmin(avail_h, 4 * tick_h)), L->res);
    L->value_size = value_font(c, cr, L);
}

/* --- drawing ----------------------------------------------------------- */

static void set_rgb(cairo_t *cr, kiln_chart_rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static kiln_chart_rgb cell_colour(const heat_layout *L, double v)
{
    if (!isfinite(v))
        return kiln__chart_style()->heat_missing;
    /* Halves: hi - lo may overflow where hi/2 - lo/2 cannot. */
    return kiln__chart_ramp((v / 2 - L->lo / 2) / (L->hi / 2 - L->lo / 2));
}

/* WCAG 2 relative luminance of an sRGB colour. */
static double luminance(kiln_chart_rgb c)
{
    double ch[3] = {c.r, c.g, c.b};
    for (int k = 0; k < 3; k++)
        ch[k] = ch[k] <= 0.04045 ? ch[k] / 12.92
                                 : pow((ch[k] + 0.055) / 1.055, 2.4);
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

/* White or the label grey, whichever contrasts more with bg (WCAG 2's
 * contrast ratio). */
static kiln_chart_rgb text_on(kiln_chart_rgb bg)
{
    const kiln_chart_style *st = kiln__chart_style();
    double lb = luminance(bg), ld = luminance(st->label);
    double white = 1.05 / (lb + 0.05), dark = (lb + 0.05) / (ld + 0.05);
    return white > dark ? st->background : st->label;
}

static double cell_x(const heat_layout *L, size_t j)
{
    return edge(L->grid.x + (double)j * L->cw, L->res);
}

static double cell_y(const heat_layout *L, size_t i)
{
    return edge(L->grid.y + (double)i * L->ch, L->res);
}

/* One filled path per cell: an SVG reader (or a test) finds each cell as
 * one element.  Cells big enough to spare it keep a device pixel or so of
 * background between them: light cells of a mostly empty matrix stay
 * apart, and no seam shows where two cells' edges meet in an SVG viewer. */
static void draw_cell_paths(const kiln_chart *c, cairo_t *cr,
                            const heat_layout *L)
{
    const kiln_chart_matrix *mx = &c->matrix;
    double gap = fmin(L->cw, L->ch) >= 16 ? edge(1, L->res) : 0;
    for (size_t i = 0; i < mx->rows; i++) {
        double y0 = cell_y(L, i), y1 = cell_y(L, i + 1) - gap;
        for (size_t j = 0; j < mx->cols; j++) {
            double x0 = cell_x(L, j), x1 = cell_x(L, j + 1) - gap;
            if (x1 <= x0 || y1 <= y0)
                continue;
            set_rgb(cr, cell_colour(L, mx->value[i * mx->cols + j]));
            cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
            cairo_fill(cr);
        }
    }
}

static uint32_t pixel_of(kiln_chart_rgb c)
{
    return (uint32_t)lround(c.r * 255) << 16 |
           (uint32_t)lround(c.g * 255) << 8 | (uint32_t)lround(c.b * 255);
}

/* Large matrices: one image, k x k pixels a cell, scaled onto the cells
 * with the nearest pixel.  On a PNG cairo scales exactly, so one pixel a
 * cell is enough; SVG viewers smooth a scaled image, so there it has about
 * as many pixels as the cells cover at 2x. */
static int draw_cell_image(const kiln_chart *c, cairo_t *cr,
                           const heat_layout *L, bool vector,
                           kiln_error *err)
{
    const kiln_chart_matrix *mx = &c->matrix;
    double k = 1;
    if (vector) {
        double cells = (double)mx->rows * (double)mx->cols;
        k = floor(fmin(L->cw, L->ch) * L->res);
        k = clamp(fmin(k, floor(sqrt(SVG_IMAGE_PIXELS / cells))), 1, 64);
    }
    int kk = (int)k, iw = (int)mx->cols * kk, ih = (int)mx->rows * kk;
    cairo_surface_t *img =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, iw, ih);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return kiln_error_set(err, KILN_NOMEM,
                              "chart: cannot allocate a %dx%d px heatmap "
                              "image (%.0f bytes)",
                              iw, ih, 4.0 * iw * ih);
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    size_t stride = (size_t)cairo_image_surface_get_stride(img);
    for (int y = 0; y < ih; y++) {
        uint32_t *row = (uint32_t *)(data + (size_t)y * stride);
        if (y % kk != 0) { /* a copy of the row above */
            memcpy(row, data + (size_t)(y - 1) * stride, (size_t)iw * 4);
            continue;
        }
        const double *v = mx->value + (size_t)(y / kk) * mx->cols;
        for (size_t j = 0; j < mx->cols; j++) {
            uint32_t p = pixel_of(cell_colour(L, v[j]));
            for (int d = 0; d < kk; d++)
                row[j * (size_t)kk + (size_t)d] = p;
        }
    }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_rectangle(cr, L->grid.x, L->grid.y, L->grid.w, L->grid.h);
    cairo_clip(cr);
    cairo_translate(cr, L->grid.x, L->grid.y);
    cairo_scale(cr, L->grid.w / iw, L->grid.h / ih);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    return KILN_OK;
}

static void draw_values(const kiln_chart *c, cairo_t *cr,
                        const heat_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    if (L->value_size <= 0)
        return;
    kiln__chart_set_font(cr, L->value_size, KILN__FONT_REGULAR);
    double digit_h = L->m.digit_h * L->value_size / st->tick_size;
    char num[64];
    for (size_t i = 0; i < mx->rows; i++)
        for (size_t j = 0; j < mx->cols; j++) {
            double v = mx->value[i * mx->cols + j];
            if (!isfinite(v))
                continue;
            kiln__chart_heat_value(v, num, sizeof num);
            double tw = kiln__chart_text_width(cr, num);
            set_rgb(cr, text_on(cell_colour(L, v)));
            cairo_move_to(cr, L->grid.x + ((double)j + 0.5) * L->cw - tw / 2,
                          L->grid.y + ((double)i + 0.5) * L->ch +
                              digit_h / 2);
            cairo_show_text(cr, num);
        }
}

/* Tick marks at the labelled rows and columns when labels are thinned
 * (which say where each label belongs); the left and bottom axes when
 * there are no cells. */
static void draw_ticks(const kiln_chart *c, cairo_t *cr,
                       const heat_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    const kiln_chart_rect *g = &L->grid;
    cairo_set_line_width(cr,
                         kiln__chart_snapped_width(st->spine_width, L->res));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    set_rgb(cr, st->spine);
    double sx = kiln__chart_snap(g->x, st->spine_width, L->res);
    double sy = kiln__chart_snap(g->y + g->h, st->spine_width, L->res);
    if (mx->rows == 0) {
        cairo_move_to(cr, sx, g->y);
        cairo_line_to(cr, sx, sy);
        cairo_line_to(cr, g->x + g->w, sy);
    }
    for (size_t i = 0; L->row_step > 1 && i < mx->rows; i += L->row_step) {
        double y = kiln__chart_snap(g->y + ((double)i + 0.5) * L->ch,
                                    st->spine_width, L->res);
        cairo_move_to(cr, g->x, y);
        cairo_line_to(cr, g->x - st->tick_len, y);
    }
    for (size_t j = 0; L->col_step > 1 && j < mx->cols; j += L->col_step) {
        double x = kiln__chart_snap(g->x + ((double)j + 0.5) * L->cw,
                                    st->spine_width, L->res);
        cairo_move_to(cr, x, g->y + g->h);
        cairo_line_to(cr, x, g->y + g->h + st->tick_len);
    }
    cairo_stroke(cr);
}

static void draw_labels(const kiln_chart *c, cairo_t *cr,
                        const heat_layout *L, kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    const kiln_chart_rect *g = &L->grid;
    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    set_rgb(cr, st->label);
    /* Right-aligned, each centred on its row by the height of a digit. */
    double right = g->x - st->tick_len - st->tick_gap;
    for (size_t i = 0; i < mx->rows; i += L->row_step) {
        const char *t =
            kiln__chart_fit_text(cr, mx->row_label[i], L->label_max, scratch);
        cairo_move_to(cr, right - kiln__chart_text_width(cr, t),
                      g->y + ((double)i + 0.5) * L->ch + L->m.digit_h / 2);
        cairo_show_text(cr, t);
    }
    double top = g->y + g->h + st->tick_len + st->tick_gap;
    for (size_t j = 0; j < mx->cols; j += L->col_step) {
        const char *t =
            kiln__chart_fit_text(cr, mx->col_label[j], L->label_max, scratch);
        double tw = kiln__chart_text_width(cr, t);
        double x = g->x + ((double)j + 0.5) * L->cw;
        if (!L->upright) {
            cairo_move_to(cr, x - tw / 2, top + L->m.tick_asc);
            cairo_show_text(cr, t);
            continue;
        }
        /* Reading upwards, ending just under the cells, as the y axis
         * title reads. */
        cairo_save(cr);
        cairo_translate(cr, x + L->m.digit_h / 2, top + tw);
        cairo_rotate(cr, -M_PI / 2);
        cairo_move_to(cr, 0, 0);
        cairo_show_text(cr, t);
        cairo_restore(cr);
    }
}

/* The colour scale: the ramp from the low end (bottom) to the high end,
 * with a tick and the value at each. */
static void draw_scale(cairo_t *cr, const heat_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *b = &L->scale;
    size_t n;
    const kiln_chart_rgb *stops = kiln__chart_ramp_stops(&n);
    cairo_pattern_t *grad =
        cairo_pattern_create_linear(0, b->y + b->h, 0, b->y);
    for (size_t k = 0; k < n; k++)
        cairo_pattern_add_color_stop_rgb(grad, (double)k / (double)(n - 1),
                                         stops[k].r, stops[k].g, stops[k].b);
    cairo_set_source(cr, grad);
    cairo_rectangle(cr, b->x, b->y, b->w, b->h);
    cairo_fill(cr);
    cairo_pattern_destroy(grad);

    cairo_set_line_width(cr,
                         kiln__chart_snapped_width(st->spine_width, L->res));
    set_rgb(cr, st->spine);
    double ends[2] = {b->y, b->y + b->h};
    const char *text[2] = {L->hi_text, L->lo_text};
    double x = b->x + b->w;
    for (int k = 0; k < 2; k++) {
        double y = kiln__chart_snap(ends[k], st->spine_width, L->res);
        cairo_move_to(cr, x, y);
        cairo_line_to(cr, x + st->tick_len, y);
    }
    cairo_stroke(cr);
    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    set_rgb(cr, st->tick_label);
    for (int k = 0; k < 2; k++) {
        cairo_move_to(cr, x + st->tick_len + st->tick_gap,
                      ends[k] + L->m.digit_h / 2);
        cairo_show_text(cr, text[k]);
    }
}

/* "no data yet" (kiln__chart_draw_note), on a patch of background when
 * it would be written over grey cells. */
static void draw_note(const kiln_chart *c, cairo_t *cr, const heat_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *g = &L->grid;
    if (c->matrix.rows > 0) {
        kiln__chart_set_font(cr, st->note_size, KILN__FONT_ITALIC);
        double tw = kiln__chart_text_width(cr, "no data yet");
        double bw = tw + 2 * st->legend_pad, bh = 2 * L->m.label_h;
        set_rgb(cr, st->background);
        cairo_rectangle(cr, g->x + (g->w - bw) / 2, g->y + (g->h - bh) / 2,
                        bw, bh);
        cairo_fill(cr);
    }
    kiln__chart_draw_note(cr, &L->m, *g);
}

int kiln__chart_draw_heatmap(const kiln_chart *c, cairo_t *cr, double w,
                             double h, double res, cairo_surface_t *image,
                             kiln_buf *scratch, kiln_error *err)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_matrix *mx = &c->matrix;
    heat_layout *L = calloc(1, sizeof *L);
    if (L == NULL)
        return kiln_error_nomem(err);
    L->w = w;
    L->h = h;
    L->res = res;
    kiln__chart_measure_fonts(cr, &L->m);
    place(c, cr, L, scratch);

    int rc = KILN_OK;
    set_rgb(cr, st->background);
    cairo_paint(cr);
    if (mx->rows * mx->cols > VECTOR_CELLS)
        rc = draw_cell_image(c, cr, L, image == NULL, err);
    else
        draw_cell_paths(c, cr, L);
    if (rc != KILN_OK)
        goto out;
    draw_values(c, cr, L);
    draw_ticks(c, cr, L);
    draw_labels(c, cr, L, scratch);
    if (L->have_data)
        draw_scale(cr, L);
    else
        draw_note(c, cr, L);
    double x_top = L->grid.y + L->grid.h + st->tick_len + st->tick_gap +
                   L->col_h;
    kiln__chart_draw_titles_at(c, cr, &L->m, L->grid, x_top, L->y_left, w, h,
                               scratch);
    rc = kiln__chart_cairo_error(cairo_status(cr), err);
out:
    free(L);
    return rc;
}
