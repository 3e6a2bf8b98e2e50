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
    bool points;    /* drawn as scatter points in a line chart */
} kiln_chart_series;

typedef struct kiln_chart_bars {
    char **label;   /* n sanitised copies ("" for none) */
    double *value;  /* n values as given (non-finite ones draw no bar) */
    size_t n;
} kiln_chart_bars;

typedef struct kiln_chart_matrix {
    size_t rows, cols;  /* both 0, or both > 0 */
    double *value;      /* rows * cols, row by row, as given */
    char **row_label;   /* rows sanitised copies ("0", "1", ... for none) */
    char **col_label;   /* cols likewise */
} kiln_chart_matrix;

typedef struct kiln_chart_images {
    size_t n, rows, cols;  /* n images of rows x cols */
    double *value;         /* n * rows * cols, as given */
    char **label;          /* n sanitised copies ("" for none) */
} kiln_chart_images;

struct kiln_chart {
    kiln_chart_opts opts;       /* the string members point at the copies */
    char *title, *x_label, *y_label; /* sanitised copies, or NULL */
    kiln_chart_series *series;
    size_t n_series, cap_series;
    kiln_chart_bars bars;       /* KILN_CHART_BARH only */
    kiln_chart_matrix matrix;   /* KILN_CHART_HEATMAP only */
    kiln_chart_images images;   /* KILN_CHART_IMAGES only */
    bool auto_width;            /* opts.width was 0 (heatmaps fit) */
    bool auto_height;           /* opts.height was 0 (bar charts grow,
                                   heatmaps fit) */
};

/* Whether series i is drawn as points: every series of a scatter chart,
 * and those kiln_chart_series_points marked in a line chart. */
static inline bool kiln__chart_as_points(const kiln_chart *c, size_t i)
{
    return c->opts.kind == KILN_CHART_SCATTER || c->series[i].points;
}

/* The chart's size in CSS pixels: opts.width x opts.height, except that a
 * bar chart created with height 0 gets kiln__chart_bars_height, and a
 * heatmap created with a side 0 gets kiln__chart_heatmap_size there. */
void kiln__chart_size(const kiln_chart *c, int *w, int *h);

/* A copy of s that cairo can draw: valid UTF-8, control characters turned
 * into spaces.  NULL for NULL; *nomem set when the copy cannot be made. */
char *kiln__chart_text_copy(const char *s, bool *nomem);

/* Chart size limits (CSS pixels, and device pixels of one PNG).  The pixel
 * cap keeps one surface around 200 MB at most. */
#define KILN__CHART_MIN_SIDE 120
#define KILN__CHART_MAX_SIDE 4096
#define KILN__CHART_MAX_PIXELS (50L * 1000 * 1000)

typedef struct kiln_chart_rect {
    double x, y, w, h;
} kiln_chart_rect;

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
    double bar_row;              /* CSS px per bar when the height grows */
    double bar_fill;             /* bar thickness / row height */
    double bar_max;              /* thickest bar, CSS px (few bars) */
    double bar_gap;              /* bar end to its value, CSS px */
    double bar_label_max;        /* widest bar label, fraction of width */
    double heat_cell;            /* CSS px of cells a side when the size
                                    fits the matrix (divided among them) */
    double heat_cell_min, heat_cell_max; /* ... within these, CSS px */
    double heat_auto_max;        /* largest side that fits a matrix */
    double heat_label_max;       /* longest row or column label, CSS px */
    double heat_aspect;          /* widest cell / its height, and back */
    double heat_value_min;       /* smallest font of cell values */
    double heat_scale_gap, heat_scale_w; /* cells to colour scale; width */
    kiln_chart_rgb heat_missing; /* cells of non-finite values */
} kiln_chart_style;

const kiln_chart_style *kiln__chart_style(void);
/* The heatmap's colour at t in [0, 1] (low to high) of its ramp. */
kiln_chart_rgb kiln__chart_ramp(double t);
/* The ramp's stops, evenly spaced from t = 0 to 1 (a colour scale's
 * gradient); *n gets how many. */
const kiln_chart_rgb *kiln__chart_ramp_stops(size_t *n);
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

/* --- chart_text.c: fonts, measuring, eliding, the chart's titles ------ */

typedef enum kiln_chart_font {
    KILN__FONT_REGULAR,
    KILN__FONT_BOLD,
    KILN__FONT_ITALIC,
} kiln_chart_font;

/* Heights of the style's fonts (CSS px), measured once per render. */
typedef struct kiln_chart_metrics {
    double tick_asc, tick_h; /* tick labels: ascent, ascent + descent */
    double digit_h;          /* height of a digit: centres numbers on ticks */
    double label_asc, label_h, title_asc, title_h;
} kiln_chart_metrics;

void kiln__chart_set_font(cairo_t *cr, double size, kiln_chart_font kind);
/* The advance of s in the current font. */
double kiln__chart_text_width(cairo_t *cr, const char *s);
/* s, or its longest prefix that fits max_w with "…" appended (written to
 * scratch).  "" when not even the ellipsis fits, or when scratch cannot
 * grow. */
const char *kiln__chart_fit_text(cairo_t *cr, const char *s, double max_w,
                                 kiln_buf *scratch);
bool kiln__chart_has_text(const char *s); /* non-NULL and non-empty */
void kiln__chart_measure_fonts(cairo_t *cr, kiln_chart_metrics *m);
/* The title centred over plot, the x axis title under the x tick labels,
 * the y axis title rotated at the left edge (each when opts has it). */
void kiln__chart_draw_titles(const kiln_chart *c, cairo_t *cr,
                             const kiln_chart_metrics *m,
                             kiln_chart_rect plot, double w, double h,
                             kiln_buf *scratch);
/* The same with the x axis title's line starting x_top down (under
 * whatever labels the x axis has) and the y axis title's left edge at
 * y_left (rather than the padding). */
void kiln__chart_draw_titles_at(const kiln_chart *c, cairo_t *cr,
                                const kiln_chart_metrics *m,
                                kiln_chart_rect plot, double x_top,
                                double y_left, double w, double h,
                                kiln_buf *scratch);
/* "no data yet", centred in plot. */
void kiln__chart_draw_note(cairo_t *cr, const kiln_chart_metrics *m,
                           kiln_chart_rect plot);

/* A coordinate on which a line of width lw (CSS px) covers whole device
 * pixels: odd device widths sit on pixel centres, even ones on edges. */
static inline double kiln__chart_snap(double v, double lw, double res);
/* lw rounded to whole device pixels (at least one). */
static inline double kiln__chart_snapped_width(double lw, double res);

/* --- chart_render.c: layout, axes, legend ----------------------------- */

/* Draw the whole chart into cr (CSS pixel units, w x h).  `res` is device
 * pixels per CSS pixel; `image` is the target image surface for PNG output
 * (dense scatter series are stamped into it) or NULL for vector output.
 * Returns KILN_OK or fills err (cairo's own failures, out of memory). */
int kiln__chart_draw(const kiln_chart *c, cairo_t *cr, double w, double h,
                     double res, cairo_surface_t *image, kiln_error *err);

/* Fill xa with ticks for the view [lo, hi] on a plot plot_w CSS px wide:
 * about one per 70 px, fewer when neighbouring labels (in the tick font,
 * which must be set on cr) would come closer than style.min_x_tick_space. */
void kiln__chart_x_ticks(cairo_t *cr, kiln_chart_axis *xa, double lo,
                         double hi, bool log, bool integer, double plot_w);

/* Map a cairo status to a kiln status and message (KILN_OK for success). */
int kiln__chart_cairo_error(cairo_status_t st, kiln_error *err);

/* --- chart_marks.c: the data marks ------------------------------------ */

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

/* --- chart_bars.c: horizontal bar charts ------------------------------ */

/* The height a bar chart created with height 0 gets for its bars: 360 CSS
 * px, or more so that each bar has a row of style.bar_row px, up to
 * KILN__CHART_MAX_SIDE. */
int kiln__chart_bars_height(const kiln_chart *c);
/* Draw the whole bar chart (as kiln__chart_draw). */
int kiln__chart_draw_bars(const kiln_chart *c, cairo_t *cr, double w,
                          double h, double res, kiln_buf *scratch,
                          kiln_error *err);
void kiln__chart_bars_fini(kiln_chart_bars *b);
/* The text written after a bar of value v: 4 significant digits (whole
 * numbers in full), "NaN", "∞".  n >= 32 is always enough. */
void kiln__chart_bar_value(double v, char *out, size_t n);

/* --- chart_heatmap.c: heatmaps ---------------------------------------- */

/* The size of a heatmap created with a side 0 (see chart.h,
 * kiln_chart_set_matrix): *w and *h come in as opts.width and height and
 * are changed on the sides that fit the matrix. */
void kiln__chart_heatmap_size(const kiln_chart *c, int *w, int *h);
/* Draw the whole heatmap (as kiln__chart_draw; image as there). */
int kiln__chart_draw_heatmap(const kiln_chart *c, cairo_t *cr, double w,
                             double h, double res, cairo_surface_t *image,
                             kiln_buf *scratch, kiln_error *err);
void kiln__chart_matrix_fini(kiln_chart_matrix *m);
/* The text written in a cell of value v: whole numbers in full, others to
 * 3 significant digits; "NaN", "∞" for non-finite ones (which are not
 * written in the cell, but are in the SVG's <desc>).  n >= 32 is always
 * enough. */
void kiln__chart_heat_value(double v, char *out, size_t n);

/* --- chart_images.c: image grids ------------------------------------- */

/* The size of an image grid created with a side 0 (see chart.h,
 * kiln_chart_set_images), as kiln__chart_heatmap_size. */
void kiln__chart_images_size(const kiln_chart *c, int *w, int *h);
int kiln__chart_draw_images(const kiln_chart *c, cairo_t *cr, double w,
                            double h, double res, kiln_buf *scratch,
                            kiln_error *err);
void kiln__chart_images_fini(kiln_chart_images *im);

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

static inline double kiln__chart_snap(double v, double lw, double res)
{
    double dw = fmax(round(lw * res), 1);
    double d = v * res;
    d = fmod(dw, 2) == 1 ? floor(d) + 0.5 : round(d);
    return d / res;
}

static inline double kiln__chart_snapped_width(double lw, double res)
{
    return fmax(round(lw * res), 1) / res;
}

/* "NaN", "∞" or "−∞" into out when v is not finite (and true), as bar and
 * heatmap values write them; false and out untouched otherwise. */
bool kiln__chart_nonfinite_text(double v, char *out, size_t n);

#endif
