/* kiln — the data marks: lines, markers, scatter points (see chart_impl.h).
 *
 * Speed matters here: a live chart is redrawn several times a second and a
 * series may hold 100k points.  Lines are decimated per device-pixel
 * column before cairo sees them (M4, below); dense scatter series are
 * stamped into a coverage mask instead of being filled one path at a time.
 */
#include "plotting/chart_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline double to_px(const kiln_chart_frame *f, double x)
{
    return f->plot.x + kiln_chart_axis_frac(f->xa, x) * f->plot.w;
}

static inline double to_py(const kiln_chart_frame *f, double y)
{
    return f->plot.y + (1 - kiln_chart_axis_frac(f->ya, y)) * f->plot.h;
}

size_t kiln__chart_drawable(const kiln_chart_frame *f,
                            const kiln_chart_series *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += kiln__chart_point_ok(f, s, i);
    return k;
}

bool kiln__chart_has_markers(const kiln_chart *c, const kiln_chart_frame *f,
                             const kiln_chart_series *s)
{
    if (kiln__chart_as_points(c, (size_t)(s - c->series)))
        return true;
    return kiln__chart_drawable(f, s) <= kiln__chart_style()->max_markers;
}

static void set_rgb(cairo_t *cr, kiln_chart_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

/* The outline of a marker of the given shape; r is the circle's radius,
 * and the other shapes are sized to look as heavy as that circle. */
static void shape_path(cairo_t *cr, kiln_chart_shape shape, double x,
                       double y, double r)
{
    switch (shape) {
    case KILN__SHAPE_SQUARE: {
        double h = r * 0.886; /* same area as the circle: sqrt(pi)/2 */
        cairo_rectangle(cr, x - h, y - h, 2 * h, 2 * h);
        break;
    }
    case KILN__SHAPE_TRIANGLE: {
        double t = r * 1.35;
        cairo_move_to(cr, x, y - t);
        cairo_line_to(cr, x + t * 0.866, y + t * 0.5);
        cairo_line_to(cr, x - t * 0.866, y + t * 0.5);
        cairo_close_path(cr);
        break;
    }
    case KILN__SHAPE_DIAMOND: {
        double d = r * 1.25;
        cairo_move_to(cr, x, y - d);
        cairo_line_to(cr, x + d, y);
        cairo_line_to(cr, x, y + d);
        cairo_line_to(cr, x - d, y);
        cairo_close_path(cr);
        break;
    }
    default:
        cairo_new_sub_path(cr);
        cairo_arc(cr, x, y, r, 0, 2 * M_PI);
    }
}

void kiln__chart_marker(const kiln_chart *c, size_t i, cairo_t *cr, double x,
                        double y, double radius)
{
    kiln_chart_shape shape = kiln__chart_shape(i);
    cairo_new_path(cr);
    shape_path(cr, shape, x, y, radius);
    set_rgb(cr, kiln__chart_colour(i),
            kiln__chart_as_points(c, i) ? 0.85 : 1);
    if (kiln__chart_as_points(c, i)) {
        cairo_fill(cr);
        return;
    }
    /* A thin white rim keeps neighbouring markers and crossing lines
     * apart. */
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_set_line_width(cr, 0.75);
    cairo_stroke(cr);
}

/* --- lines: M4 decimation --------------------------------------------- */

/* M4 (Jugel et al., "M4: A Visualization-Oriented Time Series Data
 * Aggregation", PVLDB 7(10), 2014): of the consecutive points that fall in
 * one device-pixel column, drawing only the first, the last, and those with
 * the smallest and largest y rasterises to the same pixels as drawing them
 * all (exactly for one-pixel lines, within the line width for wider ones).
 * Groups are runs of consecutive points, so unsorted x and gaps stay
 * correct; at most four points per column and run reach cairo. */
typedef struct m4_point {
    double x, y;
    size_t i;
} m4_point;

typedef struct m4_group {
    bool active;
    double col;
    m4_point first, min, max, last;
} m4_group;

typedef struct line_state {
    cairo_t *cr;
    bool started;   /* the current sub-path has its move_to */
    size_t run;     /* drawable points in the current run */
    m4_group g;
    double px, py;  /* the last point emitted */
    size_t segs;    /* segments in the path not yet stroked */
    size_t chunk;   /* stroke every this many segments */
    const double *dash;
    int n_dash;
    double dash_at; /* path length stroked so far: the next dash offset */
} line_state;

/* Stroke what is in the path and go on from (x, y).  cairo's scan
 * converter slows down sharply when thousands of segments of one stroke
 * cross the same scanlines (a noisy metric after M4: 100k points took
 * 130 ms as one stroke, 30 ms in strokes of 64 segments).  Round caps make
 * the joint look like the round join it replaces, and the dash offset
 * carries over. */
static void stroke_chunk(line_state *ls, double x, double y)
{
    cairo_stroke(ls->cr);
    if (ls->n_dash > 0)
        cairo_set_dash(ls->cr, ls->dash, ls->n_dash, ls->dash_at);
    cairo_move_to(ls->cr, x, y);
    ls->segs = 0;
}

static void emit(line_state *ls, const m4_point *p)
{
    if (!ls->started) {
        cairo_move_to(ls->cr, p->x, p->y);
        ls->started = true;
    } else {
        cairo_line_to(ls->cr, p->x, p->y);
        if (ls->n_dash > 0)
            ls->dash_at += hypot(p->x - ls->px, p->y - ls->py);
        if (++ls->segs >= ls->chunk)
            stroke_chunk(ls, p->x, p->y);
    }
    ls->px = p->x;
    ls->py = p->y;
}

static void flush_group(line_state *ls)
{
    m4_group *g = &ls->g;
    if (!g->active)
        return;
    g->active = false;
    emit(ls, &g->first);
    const m4_point *a = &g->min, *b = &g->max;
    if (a->i > b->i) {
        const m4_point *t = a;
        a = b;
        b = t;
    }
    if (a->i != g->first.i && a->i != g->last.i)
        emit(ls, a);
    if (b->i != a->i && b->i != g->first.i && b->i != g->last.i)
        emit(ls, b);
    if (g->last.i != g->first.i)
        emit(ls, &g->last);
}

/* End a run of drawable points.  A lone point would be an empty sub-path;
 * a zero-length segment with round caps draws it as a dot instead. */
static void end_run(line_state *ls, const m4_point *lone)
{
    flush_group(ls);
    if (ls->run == 1)
        cairo_line_to(ls->cr, lone->x, lone->y);
    ls->started = false;
    ls->run = 0;
}

/* Stroke series s as a line; the caller has set colour, width, caps and
 * the dash pattern. */
static void stroke_line(cairo_t *cr, const kiln_chart_frame *f,
                        const kiln_chart_series *s, const double *dash,
                        int n_dash)
{
    line_state ls = {.cr = cr, .chunk = 64, .dash = dash, .n_dash = n_dash};
    m4_point p = {0};
    cairo_new_path(cr);
    for (size_t i = 0; i < s->n; i++) {
        if (!kiln__chart_point_ok(f, s, i)) {
            if (ls.run > 0)
                end_run(&ls, &p);
            continue;
        }
        p.x = to_px(f, s->x[i]);
        p.y = to_py(f, s->y[i]);
        p.i = i;
        ls.run++;
        double col = floor(p.x * f->res);
        m4_group *g = &ls.g;
        if (g->active && col == g->col) {
            if (p.y < g->min.y)
                g->min = p;
            if (p.y > g->max.y)
                g->max = p;
            g->last = p;
            continue;
        }
        flush_group(&ls);
        g->active = true;
        g->col = col;
        g->first = g->min = g->max = g->last = p;
    }
    if (ls.run > 0)
        end_run(&ls, &p);
    cairo_stroke(cr);
}

static void draw_line(const kiln_chart *c, size_t idx, cairo_t *cr,
                      const kiln_chart_frame *f)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_series *s = &c->series[idx];
    int nd;
    const double *dash = kiln__chart_dash(idx, &nd);
    cairo_set_dash(cr, dash, nd, 0);
    cairo_set_line_width(cr, st->line_width);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, nd > 0 ? CAIRO_LINE_CAP_BUTT
                                  : CAIRO_LINE_CAP_ROUND);
    set_rgb(cr, kiln__chart_colour(idx), 1);
    /* Dense lines are a band of near-vertical strokes where cairo's
     * 4x4-sample antialiasing looks the same as its finest and halves the
     * time. */
    if (kiln__chart_drawable(f, s) > st->dense_points)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    stroke_line(cr, f, s, dash, nd);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    cairo_set_dash(cr, NULL, 0, 0);
    if (kiln__chart_drawable(f, s) > st->max_markers)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (kiln__chart_point_ok(f, s, i))
            kiln__chart_marker(c, idx, cr, to_px(f, s->x[i]),
                               to_py(f, s->y[i]), st->marker_radius);
}

/* --- scatter ---------------------------------------------------------- */

/* Dense series into an image: each point stamps an antialiased disc into
 * an A8 coverage mask (keeping the larger coverage where discs overlap),
 * and the mask is painted once in the series colour.  Points snap to the
 * nearest device pixel, which at these sizes no one can see, and 100k
 * points cost a few milliseconds instead of a hundred. */
static int stamp_dense(const kiln_chart *c, size_t idx, cairo_t *cr,
                       const kiln_chart_frame *f, kiln_error *err)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_series *s = &c->series[idx];
    double r = st->dense_radius * f->res;
    int half = (int)ceil(r + 0.5), size = 2 * half + 1;
    unsigned char disc[33 * 33];
    if (size > 33) { /* not at scale <= 4; keep the stamp bounded anyway */
        half = 16;
        size = 33;
    }
    /* Coverage of each stamp pixel by 4x4 supersampling. */
    for (int v = 0; v < size; v++)
        for (int u = 0; u < size; u++) {
            int hits = 0;
            for (int sv = 0; sv < 4; sv++)
                for (int su = 0; su < 4; su++) {
                    double dx = u - half + (su + 0.5) / 4 - 0.5;
                    double dy = v - half + (sv + 0.5) / 4 - 0.5;
                    hits += dx * dx + dy * dy <= r * r;
                }
            disc[v * size + u] = (unsigned char)(hits * 255 / 16);
        }
    int ox = (int)floor(f->plot.x * f->res) - half;
    int oy = (int)floor(f->plot.y * f->res) - half;
    int mw = (int)ceil(f->plot.w * f->res) + 2 * half + 2;
    int mh = (int)ceil(f->plot.h * f->res) + 2 * half + 2;
    cairo_surface_t *mask = cairo_image_surface_create(CAIRO_FORMAT_A8, mw, mh);
    if (cairo_surface_status(mask) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(mask);
        return kiln_error_set(err, KILN_NOMEM,
                              "chart: cannot allocate a %dx%d px point mask",
                              mw, mh);
    }
    cairo_surface_flush(mask);
    unsigned char *m = cairo_image_surface_get_data(mask);
    int stride = cairo_image_surface_get_stride(mask);
    for (size_t i = 0; i < s->n; i++) {
        if (!kiln__chart_point_ok(f, s, i))
            continue;
        int cx = (int)floor(to_px(f, s->x[i]) * f->res) - ox;
        int cy = (int)floor(to_py(f, s->y[i]) * f->res) - oy;
        int x0 = cx - half, y0 = cy - half;
        if (x0 < 0 || y0 < 0 || x0 + size > mw || y0 + size > mh)
            continue; /* outside the plot area: clipped anyway */
        for (int v = 0; v < size; v++) {
            unsigned char *row = m + (size_t)(y0 + v) * stride + x0;
            const unsigned char *d = disc + v * size;
            for (int u = 0; u < size; u++)
                if (d[u] > row[u])
                    row[u] = d[u];
        }
    }
    cairo_surface_mark_dirty(mask);
    cairo_save(cr);
    cairo_identity_matrix(cr);
    set_rgb(cr, kiln__chart_colour(idx), 0.85);
    cairo_mask_surface(cr, mask, ox, oy);
    cairo_restore(cr);
    cairo_surface_destroy(mask);
    return KILN_OK;
}

/* Dense series into a vector surface: one path of small discs, skipping
 * points whose cell of a grid one disc radius wide already has one (they
 * would be hidden under it, and the file would grow with each). */
static int path_dense(const kiln_chart *c, size_t idx, cairo_t *cr,
                      const kiln_chart_frame *f, kiln_error *err)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_series *s = &c->series[idx];
    double cell = st->dense_radius;
    size_t gw = (size_t)ceil(f->plot.w / cell) + 1;
    size_t gh = (size_t)ceil(f->plot.h / cell) + 1;
    size_t bytes = (gw * gh + 7) / 8;
    unsigned char *seen = calloc(bytes, 1);
    if (seen == NULL)
        return kiln_error_set(err, KILN_NOMEM,
                              "chart: cannot allocate %zu bytes for points",
                              bytes);
    cairo_new_path(cr);
    for (size_t i = 0; i < s->n; i++) {
        if (!kiln__chart_point_ok(f, s, i))
            continue;
        double x = to_px(f, s->x[i]), y = to_py(f, s->y[i]);
        double gx = floor((x - f->plot.x) / cell);
        double gy = floor((y - f->plot.y) / cell);
        if (gx >= 0 && gy >= 0 && gx < (double)gw && gy < (double)gh) {
            size_t bit = (size_t)gy * gw + (size_t)gx;
            if (seen[bit / 8] & (1u << (bit % 8)))
                continue;
            seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
        }
        shape_path(cr, kiln__chart_shape(idx), x, y, st->dense_radius);
    }
    free(seen);
    set_rgb(cr, kiln__chart_colour(idx), 0.85);
    cairo_fill(cr);
    return KILN_OK;
}

static int draw_scatter(const kiln_chart *c, size_t idx, cairo_t *cr,
                        const kiln_chart_frame *f, cairo_surface_t *image,
                        kiln_error *err)
{
    const kiln_chart_style *st = kiln__chart_style();
    const kiln_chart_series *s = &c->series[idx];
    if (kiln__chart_drawable(f, s) > st->dense_points) {
        /* Stamped discs are round; other shapes keep their vector path. */
        if (image != NULL && kiln__chart_shape(idx) == KILN__SHAPE_CIRCLE)
            return stamp_dense(c, idx, cr, f, err);
        return path_dense(c, idx, cr, f, err);
    }
    for (size_t i = 0; i < s->n; i++)
        if (kiln__chart_point_ok(f, s, i))
            kiln__chart_marker(c, idx, cr, to_px(f, s->x[i]),
                               to_py(f, s->y[i]), st->scatter_radius);
    return KILN_OK;
}

int kiln__chart_draw_series(const kiln_chart *c, size_t i, cairo_t *cr,
                            const kiln_chart_frame *f, cairo_surface_t *image,
                            kiln_error *err)
{
    int rc = KILN_OK;
    cairo_save(cr);
    if (kiln__chart_as_points(c, i))
        rc = draw_scatter(c, i, cr, f, image, err);
    else
        draw_line(c, i, cr, f);
    cairo_restore(cr);
    if (rc != KILN_OK)
        return rc;
    return kiln__chart_cairo_error(cairo_status(cr), err);
}

/* --- legend placement ------------------------------------------------- */

static bool inside(kiln_chart_rect r, double x, double y)
{
    return x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
}

/* Does segment (x0,y0)-(x1,y1) cross rectangle r?  Bounding boxes first;
 * then the segment's line must separate the rectangle's corners. */
static bool crosses(kiln_chart_rect r, double x0, double y0, double x1,
                    double y1)
{
    if (fmax(x0, x1) < r.x || fmin(x0, x1) > r.x + r.w ||
        fmax(y0, y1) < r.y || fmin(y0, y1) > r.y + r.h)
        return false;
    double dx = x1 - x0, dy = y1 - y0;
    int pos = 0, neg = 0;
    for (int k = 0; k < 4; k++) {
        double cx = r.x + (k & 1 ? r.w : 0), cy = r.y + (k & 2 ? r.h : 0);
        double cr = dx * (cy - y0) - dy * (cx - x0);
        pos += cr >= 0;
        neg += cr <= 0;
    }
    return pos > 0 && neg > 0;
}

size_t kiln__chart_cover(const kiln_chart *c, const kiln_chart_frame *f,
                         kiln_chart_rect r)
{
    size_t count = 0;
    bool lines = c->opts.kind == KILN_CHART_LINE;
    for (size_t k = 0; k < c->n_series; k++) {
        const kiln_chart_series *s = &c->series[k];
        bool have_prev = false;
        double px = 0, py = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (!kiln__chart_point_ok(f, s, i)) {
                have_prev = false;
                continue;
            }
            double x = to_px(f, s->x[i]), y = to_py(f, s->y[i]);
            if (inside(r, x, y))
                count++;
            else if (lines && have_prev && !inside(r, px, py) &&
                     crosses(r, px, py, x, y))
                count++;
            px = x;
            py = y;
            have_prev = true;
        }
    }
    return count;
}
