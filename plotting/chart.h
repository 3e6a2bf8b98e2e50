/* kiln — charts: data in, PNG or SVG bytes out (shared/design.md).
 *
 * plotting/ knows nothing of Jupyter or of machine learning: a chart is
 * built from named series of numbers (or labelled bars, or a matrix of
 * cells) and rendered with cairo.  Every chart has one look (chart_style.c): DejaVu Sans (Debian's
 * fonts-dejavu-core), a white background, light grid lines, a fixed colour
 * cycle that stays readable for colour-blind readers, titled axes with
 * "nice" ticks (1-2-5 steps; powers of ten on a log axis), and a legend
 * that does not cover the data when there is more than one series.
 *
 * Sizes are in CSS pixels; PNG output is rendered at `scale` (2 for the
 * notebook's retina images) and the caller reports the CSS size as the
 * image's width/height metadata.  SVG output is resolution-free.
 *
 * Non-finite values (NaN, inf) are gaps in a line.  On a log axis values
 * <= 0 are gaps too.  A chart with no finite points renders its axes and a
 * "no data yet" note (a live chart before the first metric arrives).
 *
 * Ownership: kiln_chart_new/free; series, bar and matrix data are copied.  Render
 * results are appended to a caller's kiln_buf.  Threads: one chart, one
 * thread; different charts render concurrently.
 */
#ifndef KILN_PLOTTING_CHART_H
#define KILN_PLOTTING_CHART_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct kiln_chart kiln_chart;

typedef enum kiln_chart_kind {
    KILN_CHART_LINE,    /* series as lines (with markers when few points) */
    KILN_CHART_SCATTER, /* series as points */
    KILN_CHART_BARH,    /* labelled horizontal bars: kiln_chart_set_bars */
    KILN_CHART_HEATMAP, /* a matrix of coloured cells: kiln_chart_set_matrix */
    KILN_CHART_IMAGES,  /* a grid of small greyscale images:
                           kiln_chart_set_images */
} kiln_chart_kind;

typedef struct kiln_chart_opts {
    kiln_chart_kind kind;
    const char *title;   /* above the plot; NULL for none */
    const char *x_label; /* below the x axis; NULL for none */
    const char *y_label; /* beside the y axis, rotated; NULL for none */
    bool x_log, y_log;   /* logarithmic axes */
    bool x_integer;      /* ticks only on whole numbers (epochs, rounds) */
    int width, height;   /* CSS pixels; 0 = 640 x 360 (a bar chart's
                            height 0 grows: kiln_chart_set_bars; a heatmap
                            fits its matrix: kiln_chart_set_matrix) */
} kiln_chart_opts;

/* A new empty chart; opts is copied (strings too).  NULL when out of
 * memory. */
kiln_chart *kiln_chart_new(const kiln_chart_opts *opts);
void kiln_chart_free(kiln_chart *c); /* NULL is fine */

/* Add a series of n points (x[i], y[i]); its colour is the next in the
 * cycle.  Returns the series index, or -1 when out of memory (or when c is
 * a bar chart or heatmap, which have bars or cells instead). */
int kiln_chart_add_series(kiln_chart *c, const char *name, const double *x,
                          const double *y, size_t n);
/* Append points to series i (a live chart growing by epochs). */
int kiln_chart_append(kiln_chart *c, int series, const double *x,
                      const double *y, size_t n);
size_t kiln_chart_series_count(const kiln_chart *c);
/* Draw series i of a line chart as scatter points (a tuning job's
 * objective per job beside its best-so-far line).  KILN_OK, or KILN_VALUE
 * for no such series. */
int kiln_chart_series_points(kiln_chart *c, int series);

/* Bar charts (KILN_CHART_BARH), e.g. a model's feature importance: set the
 * n bars, replacing any set before.  labels[i] is written left of the plot
 * and values[i] drawn as a bar from 0, in the given order from top to
 * bottom: sort before calling for a ranking.  labels may be NULL, and so
 * may any labels[i] (no label; "bar i+1" in the SVG's <desc>).  Labels and
 * values are copied; labels are sanitised as titles are, and lose trailing
 * blanks.
 *
 * The look is that of the line charts: the title above, opts.x_label under
 * the x axis, opts.y_label rotated at the left, vertical grid lines at
 * "nice" x ticks (opts.x_integer honoured; opts.x_log and y_log ignored).
 * The bars have the first colour of the cycle and no y grid.  Each bar's
 * value is written after its end, rounded to 4 significant digits (whole
 * numbers of 10000 and above in full); the x axis reaches far enough for
 * the values to fit, unless one would need more than half the plot, in
 * which case it goes inside its bar, in white, or is left out.  Labels are
 * right-aligned next to the plot; the left margin fits the longest label
 * up to 35 % of the width, and longer labels end in "…".  The SVG's <desc>
 * lists the first 50 bars as "label = value".
 *
 * Height: a chart created with opts.height 0 grows with the bars, 18 CSS
 * px per bar beyond about 15 bars (50 bars with a title and an x label:
 * 989 px), up to 4096 px; kiln_chart_png reports the size, and bars are at
 * most 36 px thick.  With an explicit height the rows shrink to fit; when
 * a row is shorter than a line of text, only every k-th label is written
 * (with a tick mark) and no values, so thousands of bars still render.
 *
 * Values: a negative value is drawn left of 0, with a zero line, its value
 * before its end.  A non-finite value (NaN, inf) draws no bar; its row and
 * label stay, with "NaN" or "∞" written in grey at 0.  No bars, or only
 * non-finite ones, render the axes and a "no data yet" note.  Values
 * beyond +-DBL_MAX/8 are drawn as that.
 *
 * Returns KILN_OK; KILN_VALUE when c is NULL or not a bar chart, or values
 * is NULL with n > 0; KILN_NOMEM.  On failure the bars set before stay. */
int kiln_chart_set_bars(kiln_chart *c, const char *const *labels,
                        const double *values, size_t n);

/* The most rows, and the most columns, of a heatmap's matrix. */
#define KILN_CHART_MATRIX_MAX 1000

/* Heatmaps (KILN_CHART_HEATMAP), e.g. a confusion matrix with the true
 * labels as rows and the predicted ones as columns: set the rows x cols
 * matrix, replacing any set before.  values holds rows * cols numbers row
 * by row (values[r * cols + c] is row r, column c, drawn top to bottom and
 * left to right).  row_labels[r] is written left of row r and
 * col_labels[c] under column c; either array may be NULL, and so may any
 * entry (or a blank one): then the index "0", "1", ... is shown.  All is
 * copied; labels are sanitised as titles are, and lose trailing blanks.
 * A matrix with no rows or no columns is an empty one.
 *
 * The look is that of the other charts: the title above, opts.x_label
 * under the column labels, opts.y_label rotated at the left (opts.x_log,
 * y_log and x_integer are ignored).  Cells are square in a chart sized to
 * fit them, and at most 1.2 times as wide as high (or the other way) in
 * one of a given size, where the block is centred across the width.  They
 * are coloured on a sequential single-hue blue ramp (ColorBrewer "Blues",
 * readable by colour-blind readers) from light blue at the low end to dark
 * navy at the high end; the low end is the least finite value, or 0 when
 * none is negative, and the high end the greatest (one above the low end
 * when they are equal).  A colour scale right of the cells shows the ramp
 * with the two ends written at its ticks.  Each cell's value is written in
 * it, in white on dark cells and dark grey on light ones (whichever
 * contrasts more), whole numbers in full and others to 3 significant
 * digits ("0.877", "1e-5"), in a font of 11 CSS px or larger in large
 * cells; when the widest value does not fit its cell even at 9 px, no
 * values are written.  Row labels are right-aligned left of the cells;
 * column labels go under them, turned a quarter turn (reading upwards)
 * when wider than a column, unless short (a few digits); labels of rows or
 * columns too thin for them are thinned to every k-th, with tick marks.
 * Labels longer than 150 CSS px (or 35 % of the chart's width) end in
 * "…".  Matrices of more than 2500 cells are drawn as one image, in the
 * SVG too.  The SVG's <desc> lists the first 100 cells row by row as
 * "row / column = value".
 *
 * Values: a non-finite value (NaN, inf) is a grey cell with no text (and
 * "NaN", "∞" in the <desc>).  With only non-finite values the cells are
 * grey, with a "no data yet" note over them and no colour scale.  No
 * matrix, or an empty one, renders the axes and the note as other charts.
 *
 * Size: a side given as 0 in opts fits the matrix: about 320 CSS px of
 * cells, at most 110 px and at least 12 px a cell, up to 2400 px a side
 * (a 10 x 10 matrix with a title and both axis titles: about 425 x 410;
 * no matrix yet: as 10 x 10); kiln_chart_png reports the size.
 *
 * Returns KILN_OK; KILN_VALUE when c is NULL or not a heatmap, values is
 * NULL with rows * cols > 0, or rows or cols is above
 * KILN_CHART_MATRIX_MAX; KILN_NOMEM.  On failure the matrix set before
 * stays. */
int kiln_chart_set_matrix(kiln_chart *c, size_t rows, size_t cols,
                          const double *values,
                          const char *const *row_labels,
                          const char *const *col_labels);

/* The most images of an image grid, and the most pixels a side of one. */
#define KILN_CHART_IMAGES_MAX 400
#define KILN_CHART_IMAGE_SIDE 512

/* Image grids (KILN_CHART_IMAGES), e.g. K-Means centroids of 28 x 28
 * pictures: set n images of rows x cols values each, replacing any set
 * before.  values holds n * rows * cols numbers, image by image, each row
 * by row; labels[i] (may be NULL, as may the array) is written under
 * image i, elided to its width.  All is copied.
 * The look: the title above; images in rows of at most 10, in the given
 * order, each drawn pixel by pixel (no smoothing) in greys from white at
 * the least finite value of all the images to black at the greatest (ink
 * on paper, one scale for all so that images compare), a hairline frame
 * round each, non-finite values light red.  opts.x_label and y_label are
 * drawn as on other charts.  Size: a side given as 0 fits the grid (72
 * CSS px an image side); with a width given the images fill it.  No
 * images renders a "no data yet" note.
 * Returns KILN_OK; KILN_VALUE when c is NULL or not an image grid, n is
 * above KILN_CHART_IMAGES_MAX, a side is 0 (with n > 0) or above
 * KILN_CHART_IMAGE_SIDE, or values is NULL with n > 0; KILN_NOMEM.  On
 * failure the images set before stay. */
int kiln_chart_set_images(kiln_chart *c, size_t n, size_t rows, size_t cols,
                          const double *values, const char *const *labels);

/* Render as PNG at scale (1..4) and append the bytes to out.  *width and
 * *height (may be NULL) get the CSS size.  KILN_VALUE for a scale out of
 * range, or a size outside 120..4096 CSS pixels a side (or above 50
 * million device pixels); on any failure out and the sizes are left as
 * they were. */
int kiln_chart_png(const kiln_chart *c, int scale, kiln_buf *out,
                   int *width, int *height, kiln_error *err);
/* Render as an SVG document (UTF-8 text) appended to out. */
int kiln_chart_svg(const kiln_chart *c, kiln_buf *out, kiln_error *err);

/* Free what cairo keeps for the whole process (its font caches, which
 * hold fontconfig patterns), so that a leak checker sees a clean exit:
 * once, at the very end of a program, when no chart exists any more. */
void kiln_chart_release_caches(void);

#endif
