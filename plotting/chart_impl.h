/* kiln — plotting internals shared by the chart*.c files.
 *
 * Not part of plotting/'s interface: other layers include chart.h (and
 * chart_axis.h for ticks) only.  Names with a double underscore are
 * internal to plotting/.
 *
 * Coordinates: everything is drawn in CSS pixels; the cairo context given
 * to kiln__chart_draw already maps one CSS pixel to `res` device pixels
 * (the PNG scale, or 2 for SVG, where it only sets the decimation grain).
 */
#ifndef KILN_PLOTTING_CHART_IMPL_H
#define KILN_PLOTTING_CHART_IMPL_H

#include "plotting/chart.h"
#include "plotting/chart_axis.h"

#include <cairo.h>

typedef struct kiln_chart_series {
    char *name;     /* sanitised copy: valid UTF-8, no control characters */
    double *x, *y;  /* n points; cap allocated */
    size_t n, cap;
} kiln_chart_series;

struct kiln_chart {
    kiln_chart_opts opts;       /* the string members point at the copies */
    char *title, *x_label, *y_label; /* sanitised copies, or NULL */
    kiln_chart_series *series;
    size_t n_series, cap_series;
};

/* Chart size limits (CSS pixels, and device pixels of one PNG).  The pixel
 * cap keeps one surface around 200 MB at most. */
#define KILN__CHART_MIN_SIDE 120
#define KILN__CHART_MAX_SIDE 4096
#define KILN__CHART_MAX_PIXELS (50L * 1000 * 1000)

/* --- chart_style.c: the look ------------------------------------------ */

typedef struct kiln_chart_rgb {
    double r, g, b;
} kiln_chart_rgb;

typedef struct kiln_chart_style {
    const char *font;            /* fontconfig family */
    double title_size, label_size, tick_size, legend_size, note_size;
    kiln_chart_rgb background, title, label, tick_label, grid, spine, note,
        legend_frame;
    double legend_alpha;         /* opacity of the legend's background */
    double pad;                  /* outer padding */
    double title_gap;            /* title baseline area to plot top */
    double label_gap;            /* tick labels to axis title */
    double tick_len, tick_gap;   /* tick mark length; mark to its label */
    double grid_width, spine_width;
    double line_width;
    double marker_radius;        /* line charts with few points */
    double scatter_radius;       /* scatter charts */
    double dense_radius;         /* scatter series with many points */
    size_t max_markers;          /* markers on lines up to this many points */
    size_t dense_points;         /* scatter series above this are stamped */
    double min_x_tick_space;     /* CSS px between x tick labels */
    double min_y_tick_space;     /* CSS px between y ticks */
    double legend_inset, legend_pad, legend_swatch, legend_max_name;
} kiln_chart_style;

const kiln_chart_style *kiln__chart_style(void);
/* Colour of series i: the colour cycle, repeated. */
kiln_chart_rgb kiln__chart_colour(size_t i);
/* Dash pattern of series i: solid (*n = 0) for the first round of the
 * colour cycle, then a different dash per round so that series sharing a
 * colour stay apart.  The array is static. */
const double *kiln__chart_dash(size_t i, int *n);
/* Marker shape of series i, also by round of the colour cycle. */
typedef enum kiln_chart_shape {
    KILN__SHAPE_CIRCLE,
    KILN__SHAPE_SQUARE,
    KILN__SHAPE_TRIANGLE,
    KILN__SHAPE_DIAMOND,
} kiln_chart_shape;
kiln_chart_shape kiln__chart_shape(size_t i);

/* --- chart_render.c: layout, axes, text, legend ----------------------- */

/* Draw the whole chart into cr (CSS pixel units, w x h).  `res` is device
 * pixels per CSS pixel; `image` is the target image surface for PNG output
 * (dense scatter series are stamped into it) or NULL for vector output.
 * Returns KILN_OK or fills err (cairo's own failures, out of memory). */
int kiln__chart_draw(const kiln_chart *c, cairo_t *cr, double w, double h,
                     double res, cairo_surface_t *image, kiln_error *err);

/* Map a cairo status to a kiln status and message (KILN_OK for success). */
int kiln__chart_cairo_error(cairo_status_t st, kiln_error *err);

/* --- chart_marks.c: the data marks ------------------------------------ */

typedef struct kiln_chart_rect {
    double x, y, w, h;
} kiln_chart_rect;

typedef struct kiln_chart_frame {
    kiln_chart_rect plot;           /* the plot area, CSS px */
    const kiln_chart_axis *xa, *ya;
    double res;                     /* device px per CSS px */
} kiln_chart_frame;

/* Is point i of s drawable on these axes (finite, > 0 on a log axis)? */
static inline bool kiln__chart_point_ok(const kiln_chart_frame *f,
                                        const kiln_chart_series *s,
                                        size_t i);

/* Count the drawable points of s. */
size_t kiln__chart_drawable(const kiln_chart_frame *f,
                            const kiln_chart_series *s);

/* Whether series s of chart c gets markers (line charts with few points,
 * and every scatter series). */
bool kiln__chart_has_markers(const kiln_chart *c, const kiln_chart_frame *f,
                             const kiln_chart_series *s);

/* Draw series i of c (clipped to the plot area by the caller). */
int kiln__chart_draw_series(const kiln_chart *c, size_t i, cairo_t *cr,
                            const kiln_chart_frame *f, cairo_surface_t *image,
                            kiln_error *err);

/* Draw one marker of series i centred at (x, y): used by the legend. */
void kiln__chart_marker(const kiln_chart *c, size_t i, cairo_t *cr, double x,
                        double y, double radius);

/* How much of the data box r covers: drawable points inside plus, on line
 * charts, segments crossing it.  Used to place the legend. */
size_t kiln__chart_cover(const kiln_chart *c, const kiln_chart_frame *f,
                         kiln_chart_rect r);

/* --- chart_png.c: PNG encoding ---------------------------------------- */

/* Append image (CAIRO_FORMAT_RGB24) to out as an 8-bit RGB PNG.  On
 * failure out is left as it was. */
int kiln__chart_png_encode(cairo_surface_t *image, kiln_buf *out,
                           kiln_error *err);

/* ---------------------------------------------------------------------- */

#include <math.h>

static inline bool kiln__chart_point_ok(const kiln_chart_frame *f,
                                        const kiln_chart_series *s, size_t i)
{
    double x = s->x[i], y = s->y[i];
    if (!isfinite(x) || !isfinite(y))
        return false;
    if (f->xa->log && !(x > 0))
        return false;
    if (f->ya->log && !(y > 0))
        return false;
    return true;
}

#endif
