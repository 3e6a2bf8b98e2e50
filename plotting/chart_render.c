/* kiln — line and scatter chart layout and drawing: frame, ticks,
 * legend (see chart_impl.h; text helpers in chart_text.c).  Bar charts
 * and heatmaps have their own layouts in chart_bars.c and
 * chart_heatmap.c.
 *
 * Layout is measured, not guessed: every margin comes from cairo's text
 * extents of the strings actually drawn (chart_text.c).
 */
#include "plotting/chart_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int kiln__chart_cairo_error(cairo_status_t st, kiln_error *err)
{
    if (st == CAIRO_STATUS_SUCCESS)
        return KILN_OK;
    if (st == CAIRO_STATUS_NO_MEMORY)
        return kiln_error_set(err, KILN_NOMEM,
                              "chart: cairo ran out of memory");
    return kiln_error_set(err, KILN_INTERNAL, "chart: cairo: %s",
                          cairo_status_to_string(st));
}

/* --- layout ----------------------------------------------------------- */

typedef struct legend {
    bool shown, outside;
    kiln_chart_rect box;
    size_t rows;      /* entries drawn (series, or series + "more") */
    size_t series;    /* how many of them are series */
    double row_h, name_w, name_max;
} legend;

typedef struct layout {
    double w, h, res;
    kiln_chart_rect plot;
    kiln_chart_axis xa, ya;
    bool have_data;
    double x_lo, x_hi, y_lo, y_hi;  /* views */
    kiln_chart_metrics m;
    legend lg;
} layout;

static void data_range(const kiln_chart *c, layout *L)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    bool xlog = c->opts.x_log, ylog = c->opts.y_log;
    for (size_t k = 0; k < c->n_series; k++) {
        const kiln_chart_series *s = &c->series[k];
        for (size_t i = 0; i < s->n; i++) {
            double x = s->x[i], y = s->y[i];
            if (!isfinite(x) || !isfinite(y) || (xlog && !(x > 0)) ||
                (ylog && !(y > 0)))
                continue;
            x0 = fmin(x0, x);
            x1 = fmax(x1, x);
            y0 = fmin(y0, y);
            y1 = fmax(y1, y);
        }
    }
    L->have_data = x0 <= x1;
    if (!L->have_data)
        x0 = x1 = y0 = y1 = NAN;
    kiln_chart_axis_range(x0, x1, xlog, c->opts.x_integer, &L->x_lo,
                          &L->x_hi);
    kiln_chart_axis_range(y0, y1, ylog, false, &L->y_lo, &L->y_hi);
}

static double max_label_width(cairo_t *cr, const kiln_chart_axis *ax)
{
    double w = 0;
    for (size_t i = 0; i < ax->n; i++)
        w = fmax(w, kiln__chart_text_width(cr, ax->label[i]));
    return w;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The legend's entries and box size (position comes later). */
static void legend_measure(const kiln_chart *c, cairo_t *cr, layout *L,
                           double name_max, kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    legend *lg = &L->lg;
    kiln__chart_set_font(cr, st->legend_size, KILN__FONT_REGULAR);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    lg->row_h = ceil(fe.height * 1.35);
    lg->name_max = name_max;
    lg->name_w = 0;
    char fallback[32];
    for (size_t i = 0; i < c->n_series; i++) {
        const char *name = c->series[i].name;
        if (!kiln__chart_has_text(name)) {
            snprintf(fallback, sizeof fallback, "series %zu", i + 1);
            name = fallback;
        }
        const char *t = kiln__chart_fit_text(cr, name, name_max, scratch);
        lg->name_w = fmax(lg->name_w, kiln__chart_text_width(cr, t));
    }
    lg->rows = lg->series = c->n_series;
    lg->box.w = ceil(2 * st->legend_pad + st->legend_swatch + 6 + lg->name_w);
    lg->box.h = ceil(2 * st->legend_pad + (double)lg->rows * lg->row_h -
                     (lg->row_h - fe.height));
}

void kiln__chart_x_ticks(cairo_t *cr, kiln_chart_axis *xa, double lo,
                         double hi, bool log, bool integer, double plot_w)
{
    const kiln_chart_style *st = kiln__chart_style();
    int max_x = (int)clampd(floor(plot_w / 70) + 1, 2, 12);
    for (;;) {
        kiln_chart_axis_ticks(xa, lo, hi, log, integer, max_x);
        if (xa->n < 2 || max_x <= 2)
            break;
        /* Neighbouring labels must not touch: compare each gap. */
        bool ok = true;
        for (size_t i = 1; i < xa->n && ok; i++) {
            double a = kiln_chart_axis_frac(xa, xa->tick[i - 1]);
            double b = kiln_chart_axis_frac(xa, xa->tick[i]);
            double need = (kiln__chart_text_width(cr, xa->label[i - 1]) +
                           kiln__chart_text_width(cr, xa->label[i])) / 2 +
                          st->min_x_tick_space;
            ok = (b - a) * plot_w >= need;
        }
        if (ok)
            break;
        max_x = (int)xa->n - 1;
    }
}

/* Place the plot area and the axes' ticks for the given right margin
 * extra (an outside legend). */
static void place_plot(const kiln_chart *c, cairo_t *cr, layout *L,
                       double right_extra)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_opts *o = &c->opts;
    double pad = st->pad;
    double top = pad, bottom = pad;
    if (kiln__chart_has_text(o->title))
        top += L->m.title_h + st->title_gap;
    /* The top y tick label is centred on its tick; keep its upper half. */
    top = fmax(top, pad + L->m.tick_h / 2);
    bottom += st->tick_len + st->tick_gap + L->m.tick_h;
    if (kiln__chart_has_text(o->x_label))
        bottom += st->label_gap + L->m.label_h;
    double plot_h = fmax(L->h - top - bottom, 8);

    int max_y = (int)floor(plot_h / st->min_y_tick_space) + 1;
    max_y = (int)clampd(max_y, 2, 12);
    kiln_chart_axis_ticks(&L->ya, L->y_lo, L->y_hi, o->y_log, false, max_y);
    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    double left = pad + max_label_width(cr, &L->ya) + st->tick_gap +
                  st->tick_len;
    if (kiln__chart_has_text(o->y_label))
        left += L->m.label_h + st->label_gap;
    double right = pad + right_extra;

    /* The x tick labels may overhang the plot's ends: widen the margins
     * and place the ticks again (a narrower plot may pick other ticks,
     * which settles within a pass or two). */
    for (int pass = 0; pass < 4; pass++) {
        double plot_w = fmax(L->w - left - right, 8);
        kiln__chart_x_ticks(cr, &L->xa, L->x_lo, L->x_hi, o->x_log,
                            o->x_integer, plot_w);
        if (L->xa.n == 0)
            break;
        double first = left + kiln_chart_axis_frac(&L->xa, L->xa.tick[0]) *
                                  plot_w;
        double last = left + kiln_chart_axis_frac(&L->xa,
                                                  L->xa.tick[L->xa.n - 1]) *
                                 plot_w;
        double w0 = kiln__chart_text_width(cr, L->xa.label[0]);
        double w1 = kiln__chart_text_width(cr, L->xa.label[L->xa.n - 1]);
        double over_l = pad - (first - w0 / 2);
        double over_r = last + w1 / 2 - (L->w - pad - right_extra);
        if (over_l <= 0 && over_r <= 0)
            break;
        if (over_l > 0)
            left += over_l;
        if (over_r > 0)
            right += over_r;
    }
    L->plot.x = left;
    L->plot.y = top;
    L->plot.w = fmax(L->w - left - right, 8);
    L->plot.h = plot_h;
}

/* Legend corners in matplotlib's order of preference. */
static kiln_chart_rect corner(const layout *L, int k)
{
    const kiln_chart_style *st = kiln__chart_style();
    kiln_chart_rect r = L->lg.box;
    double in = st->legend_inset;
    bool rightside = k == 0 || k == 3, topside = k <= 1;
    r.x = rightside ? L->plot.x + L->plot.w - in - r.w : L->plot.x + in;
    r.y = topside ? L->plot.y + in : L->plot.y + L->plot.h - in - r.h;
    return r;
}

static void place_legend(const kiln_chart *c, cairo_t *cr, layout *L,
                         kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    legend *lg = &L->lg;
    lg->shown = c->n_series > 1;
    if (!lg->shown)
        return;
    legend_measure(c, cr, L, fmin(st->legend_max_name, L->w * 0.3), scratch);
    kiln_chart_frame f = {L->plot, &L->xa, &L->ya, L->res};
    /* Inside, in the corner covering the least data, when that is none. */
    if (lg->box.w <= 0.5 * L->plot.w && lg->box.h <= 0.7 * L->plot.h) {
        size_t best = (size_t)-1;
        int best_k = 0;
        for (int k = 0; k < 4; k++) {
            size_t cov = kiln__chart_cover(c, &f, corner(L, k));
            if (cov < best) {
                best = cov;
                best_k = k;
            }
        }
        if (best == 0) {
            lg->outside = false;
            lg->box = corner(L, best_k);
            return;
        }
    }
    /* Otherwise to the right of the plot, which shrinks to make room.
     * The plot's height does not depend on its width, so the rows that
     * fit are known before the plot is placed again. */
    double gap = st->legend_inset;
    double room = L->plot.h - 2 * st->legend_pad;
    size_t fit = room > 0 ? (size_t)(room / lg->row_h) : 0;
    if (lg->rows > fit) {
        /* Too many series for the height: the last row says how many
         * more, and needs its own width. */
        if (fit < 2) {
            lg->shown = false;
            return;
        }
        lg->rows = fit;
        lg->series = fit - 1;
        char more[64];
        snprintf(more, sizeof more, "+ %zu more", c->n_series - lg->series);
        kiln__chart_set_font(cr, st->legend_size, KILN__FONT_REGULAR);
        double mw = ceil(2 * st->legend_pad + st->legend_swatch + 6 +
                         kiln__chart_text_width(cr, more));
        lg->box.w = fmax(lg->box.w, mw);
        lg->box.h = ceil(2 * st->legend_pad + (double)fit * lg->row_h);
    }
    /* A legend that would squeeze the plot below half the chart is left
     * out: the data matters more than its key. */
    if (L->plot.w - lg->box.w - gap < 0.5 * L->w) {
        lg->shown = false;
        return;
    }
    lg->outside = true;
    place_plot(c, cr, L, lg->box.w + gap);
    lg->box.x = L->plot.x + L->plot.w + gap;
    lg->box.y = L->plot.y;
}

/* --- drawing ---------------------------------------------------------- */

static void set_rgb(cairo_t *cr, kiln_chart_rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void draw_grid_and_axes(cairo_t *cr, const layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *p = &L->plot;
    double gw = kiln__chart_snapped_width(st->grid_width, L->res);
    cairo_set_line_width(cr, gw);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    set_rgb(cr, st->grid);
    for (size_t i = 0; i < L->xa.n; i++) {
        double x = kiln__chart_snap(
            p->x + kiln_chart_axis_frac(&L->xa, L->xa.tick[i]) * p->w,
            st->grid_width, L->res);
        cairo_move_to(cr, x, p->y);
        cairo_line_to(cr, x, p->y + p->h);
    }
    for (size_t i = 0; i < L->ya.n; i++) {
        double y = kiln__chart_snap(p->y + (1 - kiln_chart_axis_frac(&L->ya,
                                                         L->ya.tick[i])) *
                                   p->h,
                        st->grid_width, L->res);
        cairo_move_to(cr, p->x, y);
        cairo_line_to(cr, p->x + p->w, y);
    }
    cairo_stroke(cr);

    /* Left and bottom spines with outward ticks; minor ticks half long. */
    double sw = kiln__chart_snapped_width(st->spine_width, L->res);
    double sx = kiln__chart_snap(p->x, st->spine_width, L->res);
    double sy = kiln__chart_snap(p->y + p->h, st->spine_width, L->res);
    cairo_set_line_width(cr, sw);
    set_rgb(cr, st->spine);
    cairo_move_to(cr, sx, p->y);
    cairo_line_to(cr, sx, sy);
    cairo_line_to(cr, p->x + p->w, sy);
    for (size_t i = 0; i < L->xa.n + L->xa.n_minor; i++) {
        bool major = i < L->xa.n;
        double v = major ? L->xa.tick[i] : L->xa.minor[i - L->xa.n];
        double x = kiln__chart_snap(
            p->x + kiln_chart_axis_frac(&L->xa, v) * p->w, st->spine_width,
            L->res);
        cairo_move_to(cr, x, sy);
        cairo_line_to(cr, x, sy + (major ? st->tick_len : st->tick_len / 2));
    }
    for (size_t i = 0; i < L->ya.n + L->ya.n_minor; i++) {
        bool major = i < L->ya.n;
        double v = major ? L->ya.tick[i] : L->ya.minor[i - L->ya.n];
        double y = kiln__chart_snap(
            p->y + (1 - kiln_chart_axis_frac(&L->ya, v)) * p->h,
            st->spine_width, L->res);
        cairo_move_to(cr, sx, y);
        cairo_line_to(cr, sx - (major ? st->tick_len : st->tick_len / 2), y);
    }
    cairo_stroke(cr);
}

static void draw_tick_labels(cairo_t *cr, const layout *L)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_rect *p = &L->plot;
    kiln__chart_set_font(cr, st->tick_size, KILN__FONT_REGULAR);
    set_rgb(cr, st->tick_label);
    double base = p->y + p->h + st->tick_len + st->tick_gap + L->m.tick_asc;
    for (size_t i = 0; i < L->xa.n; i++) {
        double x = p->x + kiln_chart_axis_frac(&L->xa, L->xa.tick[i]) * p->w;
        cairo_move_to(cr, x - kiln__chart_text_width(cr, L->xa.label[i]) / 2,
                      base);
        cairo_show_text(cr, L->xa.label[i]);
    }
    double right = p->x - st->tick_len - st->tick_gap;
    for (size_t i = 0; i < L->ya.n; i++) {
        double y = p->y + (1 - kiln_chart_axis_frac(&L->ya, L->ya.tick[i])) *
                              p->h;
        cairo_move_to(cr, right - kiln__chart_text_width(cr, L->ya.label[i]),
                      y + L->m.digit_h / 2);
        cairo_show_text(cr, L->ya.label[i]);
    }
}

static void draw_legend(const kiln_chart *c, cairo_t *cr, const layout *L,
                        kiln_buf *scratch)
{
    const kiln_chart_style *st = kiln__chart_style();
    const legend *lg = &L->lg;
    if (!lg->shown)
        return;
    /* The frame on whole device pixels, crisp like the axes. */
    kiln_chart_rect b;
    double fw = kiln__chart_snapped_width(0.8, L->res);
    b.x = kiln__chart_snap(lg->box.x, fw, L->res);
    b.y = kiln__chart_snap(lg->box.y, fw, L->res);
    b.w = kiln__chart_snap(lg->box.x + lg->box.w, fw, L->res) - b.x;
    b.h = kiln__chart_snap(lg->box.y + lg->box.h, fw, L->res) - b.y;
    cairo_new_path(cr);
    double r = 3;
    cairo_new_sub_path(cr);
    cairo_arc(cr, b.x + b.w - r, b.y + r, r, -M_PI / 2, 0);
    cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, M_PI / 2);
    cairo_arc(cr, b.x + r, b.y + b.h - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, b.x + r, b.y + r, r, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, st->background.r, st->background.g,
                          st->background.b, st->legend_alpha);
    cairo_fill_preserve(cr);
    set_rgb(cr, st->legend_frame);
    cairo_set_line_width(cr, fw);
    cairo_stroke(cr);

    kiln__chart_set_font(cr, st->legend_size, KILN__FONT_REGULAR);
    cairo_font_extents_t fe;
    cairo_font_extents(cr, &fe);
    kiln_chart_frame f = {L->plot, &L->xa, &L->ya, L->res};
    char fallback[64];
    for (size_t i = 0; i < lg->rows; i++) {
        double top = b.y + st->legend_pad + (double)i * lg->row_h;
        double mid = top + fe.height / 2;
        double tx = b.x + st->legend_pad + st->legend_swatch + 6;
        if (i >= lg->series) {
            set_rgb(cr, st->note);
            snprintf(fallback, sizeof fallback, "+ %zu more",
                     c->n_series - lg->series);
            cairo_move_to(cr, tx, top + fe.ascent);
            cairo_show_text(cr, fallback);
            break;
        }
        double sx = b.x + st->legend_pad;
        const kiln_chart_series *s = &c->series[i];
        if (!kiln__chart_as_points(c, i)) {
            kiln_chart_rgb col = kiln__chart_colour(i);
            int nd;
            const double *dash = kiln__chart_dash(i, &nd);
            cairo_set_dash(cr, dash, nd, 0);
            cairo_set_line_width(cr, st->line_width);
            cairo_set_line_cap(cr, nd ? CAIRO_LINE_CAP_BUTT
                                      : CAIRO_LINE_CAP_ROUND);
            cairo_set_source_rgb(cr, col.r, col.g, col.b);
            cairo_move_to(cr, sx + 1, mid);
            cairo_line_to(cr, sx + st->legend_swatch - 1, mid);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
        if (kiln__chart_has_markers(c, &f, s))
            kiln__chart_marker(c, i, cr, sx + st->legend_swatch / 2, mid,
                               kiln__chart_as_points(c, i)
                                   ? st->scatter_radius + 0.5
                                   : st->marker_radius);
        const char *name = s->name;
        if (!kiln__chart_has_text(name)) {
            snprintf(fallback, sizeof fallback, "series %zu", i + 1);
            name = fallback;
        }
        set_rgb(cr, st->label);
        cairo_move_to(cr, tx, top + fe.ascent);
        cairo_show_text(cr,
                        kiln__chart_fit_text(cr, name, lg->name_max, scratch));
    }
}

int kiln__chart_draw(const kiln_chart *c, cairo_t *cr, double w, double h,
                     double res, cairo_surface_t *image, kiln_error *err)
{
    const kiln_chart_style *st = kiln__chart_style();
    int rc = KILN_OK;
    kiln_buf scratch;
    kiln_buf_init(&scratch);
    layout *L = NULL;

    /* Unhinted metrics: text measures the same at every scale, so the PNG
     * at 1x, the PNG at 2x and the SVG have one layout. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr, fo);
    cairo_font_options_destroy(fo);

    if (c->opts.kind == KILN_CHART_BARH) {
        rc = kiln__chart_draw_bars(c, cr, w, h, res, &scratch, err);
        goto out;
    }
    if (c->opts.kind == KILN_CHART_IMAGES) {
        rc = kiln__chart_draw_images(c, cr, w, h, res, &scratch, err);
        goto out;
    }
    if (c->opts.kind == KILN_CHART_HEATMAP) {
        rc = kiln__chart_draw_heatmap(c, cr, w, h, res, image, &scratch,
                                      err);
        goto out;
    }
    /* The axes hold the tick labels: too big for some threads' stacks. */
    L = calloc(1, sizeof *L);
    if (L == NULL) {
        rc = kiln_error_nomem(err);
        goto out;
    }
    L->w = w;
    L->h = h;
    L->res = res;

    data_range(c, L);
    kiln__chart_measure_fonts(cr, &L->m);
    place_plot(c, cr, L, 0);
    place_legend(c, cr, L, &scratch);

    set_rgb(cr, st->background);
    cairo_paint(cr);
    draw_grid_and_axes(cr, L);
    draw_tick_labels(cr, L);

    kiln_chart_frame f = {L->plot, &L->xa, &L->ya, res};
    cairo_save(cr);
    cairo_rectangle(cr, L->plot.x, L->plot.y, L->plot.w, L->plot.h);
    cairo_clip(cr);
    for (size_t i = 0; i < c->n_series && rc == KILN_OK; i++)
        rc = kiln__chart_draw_series(c, i, cr, &f, image, err);
    cairo_restore(cr);
    if (rc != KILN_OK)
        goto out;
    if (!L->have_data)
        kiln__chart_draw_note(cr, &L->m, L->plot);
    draw_legend(c, cr, L, &scratch);
    kiln__chart_draw_titles(c, cr, &L->m, L->plot, L->w, L->h, &scratch);
    rc = kiln__chart_cairo_error(cairo_status(cr), err);
out:
    free(L);
    kiln_buf_fini(&scratch);
    return rc;
}
