/* kiln — horizontal bar charts: labelled values, e.g. a model's feature
 * importance (see chart.h, kiln_chart_set_bars).
 *
 * The layout follows the line charts (chart_render.c) where it can: the
 * same title, x axis, grid and spines, measured from the text drawn.  What
 * differs is the y axis, which is a list of categories: one row per bar,
 * top to bottom, its label right-aligned left of the plot, and no y ticks
 * or grid.  The x view starts at 0 (or below it, for negative values) and
 * reaches far enough that each bar's value, printed after its end, stays
 * inside the plot.
 */
#include "plotting/chart_impl.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the bars ---------------------------------------------------------- */

void kiln__chart_bars_fini(kiln_chart_bars *b)
{
    if (b->label != NULL)
        for (size_t i = 0; i < b->n; i++)
            free(b->label[i]);
    free(b->label);
    free(b->value);
    b->label = NULL;
    b->value = NULL;
    b->n = 0;
}

int kiln_chart_set_bars(kiln_chart *c, const char *const *labels,
                        const double *values, size_t n)
{
    if (c == NULL || c->opts.kind != KILN_CHART_BARH ||
        (n > 0 && values == NULL))
        return KILN_VALUE;
    kiln_chart_bars b = {0};
    if (n > 0) {
        if (n > SIZE_MAX / sizeof(double))
            return KILN_NOMEM;
        b.n = n;
        b.label = calloc(n, sizeof *b.label);
        b.value = malloc(n * sizeof *b.value);
        if (b.label == NULL || b.value == NULL)
            goto nomem;
        for (size_t i = 0; i < n; i++) {
            const char *s = labels != NULL && labels[i] != NULL ? labels[i]
                                                                : "";
            bool nomem = false;
            b.label[i] = kiln__chart_text_copy(s, &nomem);
            if (nomem)
                goto nomem;
            /* Right-aligned: trailing blanks (a newline, once made a
             * space) would push the text away from its bar. */
            size_t len = strlen(b.label[i]);
            while (len > 0 && b.label[i][len - 1] == ' ')
                b.label[i][--len] = '\0';
        }
        memcpy(b.value, values, n * sizeof *b.value);
    }
    kiln__chart_bars_fini(&c->bars);
    c->bars = b;
    return KILN_OK;
nomem:
    kiln__chart_bars_fini(&b);
    return KILN_NOMEM;
}

void kiln__chart_bar_value(double v, char *out, size_t n)
{
    if (kiln__chart_nonfinite_text(v, out, n))
        return;
    /* Four significant digits tell bars apart; whole numbers (split
     * counts) keep all their digits rather than turn 12345 into 12350. */
    double a = fabs(v);
    int digits = 4;
    if (a >= 1e4 && a < 1e16)
        digits = (int)floor(log10(a)) + 1;
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", digits - 1, v);
    double r = strtod(tmp, NULL);
    /* Rounding up can pass DBL_MAX: then the value as it is. */
    kiln_chart_format_number(isfinite(r) ? r : v, out, n);
}

/* --- layout ------------------------------------------------------------ */

typedef struct bar_layout {
    double w, h, res;
    kiln_chart_metrics m;
    kiln_chart_rect plot;
    kiln_chart_axis xa;
    double row;         /* CSS px per bar */
    size_t label_step;  /* every label_step-th label is written */
    bool values;        /* bar values are written */
    bool have_data;     /* some value is finite */
} bar_layout;

/* Values this far from 0 keep the view's span finite; larger ones are
 * drawn as if they were this large. */
#define BAR_LIMIT (DBL_MAX / 8)

static double bar_value(const kiln_chart *c, size_t i)
{
    double v = c->bars.value[i];
    if (!isfinite(v))
        return v;
    return v > BAR_LIMIT ? BAR_LIMIT : v < -BAR_LIMIT ? -BAR_LIMIT : v;
}

static double frac(const bar_layout *L, double v)
{
    return kiln_chart_axis_frac(&L->xa, v);
}

static double to_px(const bar_layout *L, double v)
{
    return L->plot.x + frac(L, v) * L->plot.w;
}

int kiln__chart_bars_height(const kiln_chart *c)
{
    const kiln_chart_style *st = kiln__chart_style();
    /* DejaVu Sans is 1.164 em from ascent to descent; a little over that
     * is close enough here, as the layout measures the real fonts. */
    double em = 1.17;
    double fixed = 2 * st->pad + st->tick_len + st->tick_gap +
                   em * st->tick_size;
    if (c->title != NULL && c->title[0] != '\0')
        fixed += em * st->title_size + st->title_gap;
    if (c->x_label != NULL && c->x_label[0] != '\0')
        fixed += em * st->label_size + st->label_gap;
    double h = ceil(fixed + (double)c->bars.n * st->bar_row);
    if (h < c->opts.height)
        return c->opts.height;
    return h > KILN__CHART_MAX_SIDE ? KILN__CHART_MAX_SIDE : (int)h;
}

/* The x view [*lo, *hi] from 0 to the data, wide enough on each side for
 * the values written after the bars' ends (tw[i] wide) when values is set,
 * else with a 5 % margin at the bars' end.  A value whose text would need
 * more than half the plot width is left out of that count: it goes inside
 * its bar, or nowhere. */
static void view(const kiln_chart *c, const bar_layout *L, const double *tw,
                 double plot_w, double *lo, double *hi)
{
    const kiln_chart_style *st = kiln__chart_style();
    double vmin = 0, vmax = 0;
    for (size_t i = 0; i < c->bars.n; i++) {
        double v = bar_value(c, i);
        if (isfinite(v)) {
            vmin = fmin(vmin, v);
            vmax = fmax(vmax, v);
        }
    }
    if (vmin == vmax) {
        /* No bars, or all 0: the axis of an empty chart. */
        *lo = 0;
        *hi = 1;
        return;
    }
    double l = vmin, h = vmax;
    if (!L->values || tw == NULL) {
        double margin = 0.05 * (vmax - vmin);
        *lo = vmin < 0 ? vmin - margin : 0;
        *hi = vmax > 0 ? vmax + margin : 0;
        return;
    }
    /* Where value v ends up depends on the view it widens: a few rounds of
     * fixed-point iteration settle it (each only widens the view). */
    for (int round = 0; round < 8; round++) {
        double nl = vmin, nh = vmax;
        for (size_t i = 0; i < c->bars.n; i++) {
            double v = bar_value(c, i);
            /* A gap before the text and one after, from the edge. */
            double avail = plot_w - 2 * st->bar_gap - tw[i];
            if (avail < plot_w / 2)
                continue;
            if (!isfinite(v))
                v = 0; /* its "NaN" goes right of 0 */
            if (v >= 0 && h > 0)
                nh = fmax(nh, l + (v - l) * plot_w / avail);
            else if (v < 0)
                nl = fmin(nl, h - (h - v) * plot_w / avail);
        }
        if (nl == l && nh == h)
            break;
        l = nl;
        h = nh;
    }
    *lo = l;
    *hi = h;
}

/* Place the plot, the x axis and the label column.  Returns KILN_NOMEM
 * when the value widths cannot be held. */
static int place(const kiln_chart *c, cairo_t *cr, bar_layout *L,
                 kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_opts *o = &c->opts;
    size_t n = c->bars.n;
    double pad = st->pad;
    double top = pad, bottom = pad;
    if (kiln__chart_has_text(o->title))
        top += L->m.title_h + st->title_gap;
    top = fmax(top, pad + L->m.tick_h / 2);
    bottom += st->tick_len + st->tick_gap + L->m.tick_h;
    if (kiln__chart_has_text(o->x_label))
        bottom += st->label_gap + L->m.label_h;
    double plot_h = fmax(L->h - top - bottom, 8);
    L->row = n > 0 ? plot_h / (double)n : plot_h;

    /* Rows shorter than a line of text: write every k-th label only, and
     * no values (they would overlap too). */
    double line = L->m.tick_h * 1.1;
    L->label_step = L->row >= line ? 1 : (size_t)ceil(line / L->row);
    L->values = L->label_step == 1;

    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    L->have_data = false;
    for (size_t i = 0; i < n && !L->have_data; i++)
        L->have_data = isfinite(c->bars.value[i]);
    double label_max = st->bar_label_max * L->w;
    double widest = 0;
    for (size_t i = 0; i < n; i += L->label_step)
        widest = fmax(widest,
                      kiln__chart_text_width(
                          cr, kiln__chart_fit_text(cr, c->bars.label[i],
                                                   label_max, scratch)));
    double *tw = NULL;
    if (L->values && n > 0) {
        tw = malloc(n * sizeof *tw);
        if (tw == NULL)
            return KILN_NOMEM;
        char num[64];
        for (size_t i = 0; i < n; i++) {
            kiln__chart_bar_value(c->bars.value[i], num, sizeof num);
            tw[i] = kiln__chart_text_width(cr, num);
        }
    }

    double left = pad + widest + st->tick_gap + st->tick_len;
    if (kiln__chart_has_text(o->y_label))
        left += L->m.label_h + st->label_gap;
    double right = pad;
    /* As for line charts: the x tick labels may overhang the plot's ends,
     * which then shrinks, and a narrower plot may want another view. */
    for (int pass = 0; pass < 4; pass++) {
        double plot_w = fmax(L->w - left - right, 8);
        double lo, hi;
        view(c, L, tw, plot_w, &lo, &hi);
        kiln__chart_x_ticks(cr, &L->xa, lo, hi, false, o->x_integer, plot_w);
        if (L->xa.n == 0)
            break;
        double first = left + frac(L, L->xa.tick[0]) * plot_w;
        double last = left + frac(L, L->xa.tick[L->xa.n - 1]) * plot_w;
        double w0 = kiln__chart_text_width(cr, L->xa.label[0]);
        double w1 = kiln__chart_text_width(cr, L->xa.label[L->xa.n - 1]);
        double over_l = pad - (first - w0 / 2);
        double over_r = last + w1 / 2 - (L->w - pad);
        if (over_l <= 0 && over_r <= 0)
            break;
        if (over_l > 0)
            left += over_l;
        if (over_r > 0)
            right += over_r;
    }
    free(tw);
    L->plot.x = left;
    L->plot.y = top;
    L->plot.w = fmax(L->w - left - right, 8);
    L->plot.h = plot_h;
    return KILN_OK;
}

/* --- drawing ----------------------------------------------------------- */

static void set_rgb(cairo_t *cr, kiln_chart_rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

/* v on whole device pixels: bars have crisp edges at every scale. */
static double edge(double v, double res)
{
    return round(v * res) / res;
}

static void draw_grid(cairo_t *cr, const bar_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *p = &L->plot;
    cairo_set_line_width(cr,
                         kiln__chart_snapped_width(st->grid_width, L->res));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    set_rgb(cr, st->grid);
    for (size_t i = 0; i < L->xa.n; i++) {
        double x = kiln__chart_snap(to_px(L, L->xa.tick[i]), st->grid_width,
                                    L->res);
        cairo_move_to(cr, x, p->y);
        cairo_line_to(cr, x, p->y + p->h);
    }
    cairo_stroke(cr);
}

/* One filled path per bar: an SVG reader (or a test) finds each bar as
 * one element. */
static void draw_bars(const kiln_chart *c, cairo_t *cr, const bar_layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    double res = L->res, min_h = 1 / res;
    double zero = edge(to_px(L, 0), res);
    set_rgb(cr, kiln__chart_colour(0));
    for (size_t i = 0; i < c->bars.n; i++) {
        double v = bar_value(c, i);
        if (!isfinite(v))
            continue;
        double mid = L->plot.y + ((double)i + 0.5) * L->row;
        double half = fmin(L->row * st->bar_fill, st->bar_max) / 2;
        double y0 = edge(mid - half, res), y1 = edge(mid + half, res);
        if (y1 - y0 < min_h)
            y1 = y0 + min_h;
        double x = edge(to_px(L, v), res);
        if (x == zero)
            continue;
        cairo_rectangle(cr, fmin(x, zero), y0, fabs(x - zero), y1 - y0);
        cairo_fill(cr);
    }
}

static void draw_axes(const kiln_chart *c, cairo_t *cr, const bar_layout *L)
{
    size_t n = c->bars.n;
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *p = &L->plot;
    cairo_set_line_width(cr,
                         kiln__chart_snapped_width(st->spine_width, L->res));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    set_rgb(cr, st->spine);
    double sx = kiln__chart_snap(p->x, st->spine_width, L->res);
    double sy = kiln__chart_snap(p->y + p->h, st->spine_width, L->res);
    cairo_move_to(cr, sx, p->y);
    cairo_line_to(cr, sx, sy);
    cairo_line_to(cr, p->x + p->w, sy);
    for (size_t i = 0; i < L->xa.n; i++) {
        double x = kiln__chart_snap(to_px(L, L->xa.tick[i]), st->spine_width,
                                    L->res);
        cairo_move_to(cr, x, sy);
        cairo_line_to(cr, x, sy + st->tick_len);
    }
    /* Labels for some rows only: ticks say which. */
    for (size_t i = 0; L->label_step > 1 && i < n; i += L->label_step) {
        double y = kiln__chart_snap(p->y + ((double)i + 0.5) * L->row,
                                    st->spine_width, L->res);
        cairo_move_to(cr, sx, y);
        cairo_line_to(cr, sx - st->tick_len, y);
    }
    /* Bars going left: a zero line where they start. */
    if (L->xa.lo < 0) {
        double x = kiln__chart_snap(to_px(L, 0), st->spine_width, L->res);
        cairo_move_to(cr, x, p->y);
        cairo_line_to(cr, x, sy);
    }
    cairo_stroke(cr);
}

static void draw_text(const kiln_chart *c, cairo_t *cr, const bar_layout *L,
                      kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *p = &L->plot;
    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    set_rgb(cr, st->tick_label);
    double base = p->y + p->h + st->tick_len + st->tick_gap + L->m.tick_asc;
    for (size_t i = 0; i < L->xa.n; i++) {
        double x = to_px(L, L->xa.tick[i]);
        cairo_move_to(cr, x - kiln__chart_text_width(cr, L->xa.label[i]) / 2,
                      base);
        cairo_show_text(cr, L->xa.label[i]);
    }

    /* Labels: right-aligned, each centred on its row by the height of a
     * digit (close to that of a capital, and of most feature names). */
    double right = p->x - st->tick_len - st->tick_gap;
    double label_max = st->bar_label_max * L->w;
    set_rgb(cr, st->label);
    for (size_t i = 0; i < c->bars.n; i += L->label_step) {
        const char *t =
            kiln__chart_fit_text(cr, c->bars.label[i], label_max, scratch);
        double mid = p->y + ((double)i + 0.5) * L->row;
        cairo_move_to(cr, right - kiln__chart_text_width(cr, t),
                      mid + L->m.digit_h / 2);
        cairo_show_text(cr, t);
    }
    if (!L->values)
        return;

    /* Values after the bars' ends; inside a bar, in white, when there is
     * no room outside; not at all when neither fits. */
    double zero = to_px(L, 0), g = st->bar_gap;
    double x_lo = p->x - 0.5, x_hi = p->x + p->w + 0.5;
    char num[64];
    for (size_t i = 0; i < c->bars.n; i++) {
        double v = bar_value(c, i);
        kiln__chart_bar_value(c->bars.value[i], num, sizeof num);
        double tw = kiln__chart_text_width(cr, num);
        double mid = p->y + ((double)i + 0.5) * L->row;
        double x = isfinite(v) ? to_px(L, v) : zero;
        /* A missing value's note goes where there is room: right of 0
         * unless every bar goes left. */
        bool ahead = isfinite(v) ? v >= 0 : L->xa.hi > 0;
        double tx = ahead ? x + g : x - g - tw;
        kiln_chart_rgb colour = isfinite(v) ? st->tick_label : st->note;
        if (tx < x_lo || tx + tw > x_hi) {
            /* Inside the bar, from its end. */
            tx = ahead ? x - g - tw : x + g;
            if (!isfinite(v) || fabs(x - zero) < tw + 2 * g)
                continue;
            colour = st->background;
        }
        set_rgb(cr, colour);
        cairo_move_to(cr, tx, mid + L->m.digit_h / 2);
        cairo_show_text(cr, num);
    }
}

int kiln__chart_draw_bars(const kiln_chart *c, cairo_t *cr, double w,
                          double h, double res, kiln_buf *scratch,
                          kiln_error *err)
{
    const kiln_chart_style *st = kiln__chart_style();
    /* The axis holds its tick labels: too big for some threads' stacks. */
    bar_layout *L = calloc(1, sizeof *L);
    if (L == NULL)
        return kiln_error_nomem(err);
    L->w = w;
    L->h = h;
    L->res = res;
    kiln__chart_measure_fonts(cr, &L->m);
    int rc = place(c, cr, L, scratch);
    if (rc != KILN_OK) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "chart: out of memory measuring %zu bars",
                            c->bars.n);
        goto out;
    }

    set_rgb(cr, st->background);
    cairo_paint(cr);
    draw_grid(cr, L);
    draw_bars(c, cr, L);
    draw_axes(c, cr, L);
    draw_text(c, cr, L, scratch);
    if (!L->have_data)
        kiln__chart_draw_note(cr, &L->m, L->plot);
    kiln__chart_draw_titles(c, cr, &L->m, L->plot, L->w, L->h, scratch);
    rc = kiln__chart_cairo_error(cairo_status(cr), err);
out:
    free(L);
    return rc;
}
