/* Tests for heatmaps (KILN_CHART_HEATMAP): the cells read back from the
 * SVG (one filled path each) and from the PNG's pixels, against the values
 * given and the ramp's ends written out here; the values written in the
 * cells and their colours; the labels and cells in the SVG's <desc>; the
 * colour scale; non-finite values; empty, large and refused matrices.
 * Pictures land in tests/plotting/ under the build folder, to look at
 * (heatmap-*.png). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plotting/chart.h"

#include "plot_test.h"

#include <math.h>

/* The ramp's ends (ColorBrewer "Blues" #DEEBF7 and #08306B), the grey of
 * missing values, and the note's grey, written out independently of
 * chart_style.c. */
#define LOW 0xDEEBF7u
#define HIGH 0x08306Bu
#define MISSING 0xB8B8B8u
#define GREY_NOTE 0x8C8C8Cu

/* --- reading cells back ----------------------------------------------- */

typedef struct cell_box {
    double x0, y0, x1, y1; /* CSS px */
    uint32_t rgb;
} cell_box;

static uint32_t svg_rgb(const char *s)
{
    double r, g, b;
    assert_int_equal(sscanf(s, "%lf%%,%lf%%,%lf%%)", &r, &g, &b), 3);
    return (uint32_t)lround(r * 2.55) << 16 |
           (uint32_t)lround(g * 2.55) << 8 | (uint32_t)lround(b * 2.55);
}

/* The axis-aligned rectangle of a path's d="M x0 y0 L ... Z". */
static cell_box path_box(const char *p)
{
    const char *d = strstr(p, " d=\"");
    assert_non_null(d);
    double x[4], y[4];
    int got = sscanf(d + 4, "M %lf %lf L %lf %lf L %lf %lf L %lf %lf Z",
                     &x[0], &y[0], &x[1], &y[1], &x[2], &y[2], &x[3], &y[3]);
    assert_int_equal(got, 8);
    cell_box b = {INFINITY, INFINITY, -INFINITY, -INFINITY, 0};
    for (int k = 0; k < 4; k++) {
        b.x0 = fmin(b.x0, x[k]);
        b.x1 = fmax(b.x1, x[k]);
        b.y0 = fmin(b.y0, y[k]);
        b.y1 = fmax(b.y1, y[k]);
    }
    for (int k = 0; k < 4; k++) {
        assert_true(x[k] == b.x0 || x[k] == b.x1);
        assert_true(y[k] == b.y0 || y[k] == b.y1);
    }
    return b;
}

/* The cells of an SVG heatmap: the filled rectangles of a flat colour
 * other than white (the background, and the patch under a note), in
 * document order.  Returns how many (at most max are stored). */
static size_t svg_cells(const char *doc, cell_box *out, size_t max)
{
    const char *key = "fill-rule:nonzero;fill:rgb(";
    size_t n = 0;
    for (const char *p = strstr(doc, key); p; p = strstr(p + 1, key)) {
        uint32_t rgb = svg_rgb(p + strlen(key));
        if (rgb == WHITE)
            continue;
        cell_box b = path_box(p);
        b.rgb = rgb;
        if (n < max)
            out[n] = b;
        n++;
    }
    return n;
}

/* The colour scale: the rectangle filled with a gradient. */
static bool svg_scale(const char *doc, cell_box *out)
{
    const char *p = strstr(doc, "fill:url(#linear");
    if (p == NULL)
        return false;
    *out = path_box(p);
    return true;
}

static bool has(const char *doc, const char *s)
{
    if (strstr(doc, s) != NULL)
        return true;
    print_error("not found in the SVG: %s\n", s);
    return false;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Relative luminance, to order colours from light to dark. */
static double lum(uint32_t rgb)
{
    double c[3];
    for (int k = 0; k < 3; k++) {
        double v = ((rgb >> (16 - 8 * k)) & 0xFF) / 255.0;
        c[k] = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

static kiln_chart *heatmap(const char *title, int w, int h)
{
    kiln_chart_opts o = {.kind = KILN_CHART_HEATMAP, .title = title,
                         .x_label = "predicted label",
                         .y_label = "true label", .width = w, .height = h};
    kiln_chart *c = kiln_chart_new(&o);
    assert_non_null(c);
    return c;
}

/* The size an SVG declares. */
static void svg_size(const char *doc, int *w, int *h)
{
    const char *p = strstr(doc, "<svg");
    assert_non_null(p);
    const char *pw = strstr(p, " width=\""), *ph = strstr(p, " height=\"");
    assert_non_null(pw);
    assert_non_null(ph);
    *w = atoi(pw + 8);
    *h = atoi(ph + 9);
}

/* A PNG pixel inside cell b, inset from its top-left corner (away from
 * the value written in its middle). */
static uint32_t cell_pixel(cairo_surface_t *s, int scale, const cell_box *b)
{
    return pixel(s, (int)(b->x0 * scale) + 3, (int)(b->y0 * scale) + 3);
}

/* Pixels in cell b (inset by 2 device px) that differ from the cell's own
 * colour by more than tol per channel: its value's text. */
static size_t cell_ink(cairo_surface_t *s, int scale, const cell_box *b,
                       uint32_t want, int tol)
{
    size_t n = 0;
    for (int y = (int)(b->y0 * scale) + 2; y < (int)(b->y1 * scale) - 2; y++)
        for (int x = (int)(b->x0 * scale) + 2; x < (int)(b->x1 * scale) - 2;
             x++)
            n += near_colour(pixel(s, x, y), want, tol);
    return n;
}

static const double iris[] = {50, 2, 0, 3, 45, 4, 0, 5, 40};
static const char *const iris_labels[] = {"setosa", "versicolor",
                                          "virginica"};

/* --- tests ------------------------------------------------------------ */

static void test_api(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4};
    assert_int_equal(kiln_chart_set_matrix(NULL, 2, 2, v, NULL, NULL),
                     KILN_VALUE);
    /* Other kinds have series or bars, not a matrix. */
    kiln_chart_kind others[] = {KILN_CHART_LINE, KILN_CHART_SCATTER,
                                KILN_CHART_BARH};
    for (int k = 0; k < 3; k++) {
        kiln_chart *o = kiln_chart_new(&(kiln_chart_opts){.kind = others[k]});
        assert_int_equal(kiln_chart_set_matrix(o, 2, 2, v, NULL, NULL),
                         KILN_VALUE);
        kiln_chart_free(o);
    }
    kiln_chart *c = heatmap(NULL, 0, 0);
    /* ... and a heatmap has neither series nor bars. */
    assert_int_equal(kiln_chart_add_series(c, "s", v, v, 2), -1);
    assert_int_equal(kiln_chart_series_count(c), 0);
    assert_int_equal(kiln_chart_set_bars(c, NULL, v, 2), KILN_VALUE);

    assert_int_equal(kiln_chart_set_matrix(c, 2, 2, v, NULL, NULL), KILN_OK);
    assert_int_equal(kiln_chart_set_matrix(c, 2, 2, NULL, NULL, NULL),
                     KILN_VALUE);
    assert_int_equal(kiln_chart_set_matrix(c, KILN_CHART_MATRIX_MAX + 1, 1,
                                           v, NULL, NULL),
                     KILN_VALUE);
    assert_int_equal(kiln_chart_set_matrix(c, 1, KILN_CHART_MATRIX_MAX + 1,
                                           v, NULL, NULL),
                     KILN_VALUE);
    assert_int_equal(kiln_chart_set_matrix(c, SIZE_MAX, SIZE_MAX, v, NULL,
                                           NULL),
                     KILN_VALUE);
    /* The failures left the 2 x 2 matrix in place. */
    char *doc = render_svg(c);
    assert_true(has(doc, "cells: 0 / 0 = 1, 0 / 1 = 2, 1 / 0 = 3, "
                         "1 / 1 = 4</desc>"));
    free(doc);
    /* No values are needed for no cells. */
    assert_int_equal(kiln_chart_set_matrix(c, 0, 0, NULL, NULL, NULL),
                     KILN_OK);
    assert_int_equal(kiln_chart_set_matrix(c, 3, 0, NULL, NULL, NULL),
                     KILN_OK);
    doc = render_svg(c);
    assert_null(strstr(doc, "cells:"));
    free(doc);
    /* The limit itself is allowed. */
    double *col = calloc(KILN_CHART_MATRIX_MAX, sizeof *col);
    assert_non_null(col);
    assert_int_equal(kiln_chart_set_matrix(c, KILN_CHART_MATRIX_MAX, 1, col,
                                           NULL, NULL),
                     KILN_OK);
    free(col);
    kiln_chart_free(c);
}

/* Labels: NULL arrays, NULL and blank entries show the index; all is
 * copied; a new matrix replaces the old. */
static void test_labels_and_copies(void **state)
{
    (void)state;
    kiln_chart *c = heatmap("labels", 0, 0);
    double v[] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(kiln_chart_set_matrix(c, 2, 3, v, NULL, NULL), KILN_OK);
    char *doc = render_svg(c);
    assert_true(has(doc, "<desc>x: predicted label; y: true label; cells: "
                         "0 / 0 = 1, 0 / 1 = 2, 0 / 2 = 3, 1 / 0 = 4, "
                         "1 / 1 = 5, 1 / 2 = 6</desc>"));
    free(doc);

    char cat[] = "cat";
    const char *rows[] = {cat, NULL};
    const char *cols[] = {"  ", "dog\n", "<b&>"};
    assert_int_equal(kiln_chart_set_matrix(c, 2, 3, v, rows, cols), KILN_OK);
    char *before = render_svg(c);
    memcpy(cat, "CAT", 3);
    v[0] = 100;
    char *after = render_svg(c);
    assert_string_equal(before, after);
    assert_well_formed(after);
    assert_true(has(after, "cells: cat / 0 = 1, cat / dog = 2, "
                           "cat / &lt;b&amp;&gt; = 3, 1 / 0 = 4, "
                           "1 / dog = 5, 1 / &lt;b&amp;&gt; = 6</desc>"));
    free(before);
    free(after);

    assert_int_equal(kiln_chart_set_matrix(c, 1, 1, v + 1, NULL, NULL),
                     KILN_OK);
    doc = render_svg(c);
    cell_box b[4];
    assert_int_equal(svg_cells(doc, b, 4), 1);
    assert_true(has(doc, "cells: 0 / 0 = 2</desc>"));
    free(doc);
    kiln_chart_free(c);
}

/* A 3 x 3 confusion matrix at its automatic size: nine square cells in
 * rows and columns, coloured from the low end (0) to the high end (the
 * largest count) of the ramp, darker for larger counts; each count
 * written in white on dark cells and dark grey on light ones; the PNG
 * agrees with the SVG. */
static void test_three(void **state)
{
    (void)state;
    kiln_chart *c = heatmap("Confusion matrix", 0, 0);
    assert_int_equal(kiln_chart_set_matrix(c, 3, 3, iris, iris_labels,
                                           iris_labels),
                     KILN_OK);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    save(&(kiln_buf){.data = doc, .len = strlen(doc)}, "heatmap-3.svg");
    int w, h;
    svg_size(doc, &w, &h);
    assert_true(w >= 360 && w <= 560);
    assert_true(h >= 320 && h <= 480);
    assert_true(has(doc, "<title>Confusion matrix</title>"));
    assert_true(has(doc, "cells: setosa / setosa = 50, setosa / versicolor "
                         "= 2, setosa / virginica = 0, versicolor / setosa "
                         "= 3, versicolor / versicolor = 45, versicolor / "
                         "virginica = 4, virginica / setosa = 0, virginica "
                         "/ versicolor = 5, virginica / virginica = 40"
                         "</desc>"));
    cell_box b[9];
    assert_int_equal(svg_cells(doc, b, 9), 9);
    double side = b[0].x1 - b[0].x0;
    assert_true(side >= 60 && side <= 111);
    for (int i = 0; i < 9; i++) {
        /* Square, one size, in rows and columns with a thin gap. */
        assert_true(fabs((b[i].x1 - b[i].x0) - side) <= 0.5);
        assert_true(fabs((b[i].y1 - b[i].y0) - side) <= 0.5);
        assert_true(b[i].x0 == b[i % 3].x0 && b[i].y0 == b[i / 3 * 3].y0);
        if (i % 3 > 0)
            assert_true(b[i].x0 > b[i - 1].x1 && b[i].x0 < b[i - 1].x1 + 2);
        if (i >= 3)
            assert_true(b[i].y0 > b[i - 3].y1 && b[i].y0 < b[i - 3].y1 + 2);
        /* Inside the chart, right of the row labels. */
        assert_true(b[i].x0 > PAD + 60 && b[i].x1 < w - PAD - 30);
    }
    /* The ends of the ramp: 50 is the top, 0 the bottom. */
    assert_true(near_colour(b[0].rgb, HIGH, 1));
    assert_true(near_colour(b[2].rgb, LOW, 1));
    assert_true(near_colour(b[6].rgb, LOW, 1));
    /* Larger counts are darker, and blue. */
    for (int i = 0; i < 9; i++) {
        uint32_t p = b[i].rgb;
        assert_true((p & 0xFF) >= (p >> 16));
        for (int j = 0; j < 9; j++)
            if (iris[i] < iris[j])
                assert_true(lum(b[i].rgb) > lum(b[j].rgb));
    }
    /* White text in the three dark cells (the diagonal), dark grey in the
     * other six. */
    assert_int_equal(count(doc, "<g style=\"fill:rgb(100%,100%,100%);"), 3);
    cell_box scale = {0};
    assert_true(svg_scale(doc, &scale));
    assert_true(scale.x0 > b[2].x1 && scale.x1 < w - PAD - 10);
    assert_true(fabs(scale.y0 - b[0].y0) <= 0.5);
    assert_true(fabs(scale.y1 - b[8].y1) <= 1.5);
    free(doc);

    kiln_buf png;
    kiln_buf_init(&png);
    int pw = 0, ph = 0;
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_chart_png(c, 2, &png, &pw, &ph, &err), KILN_OK);
    assert_int_equal(pw, w);
    assert_int_equal(ph, h);
    save(&png, "heatmap-3.png");
    cairo_surface_t *s = decode_png(&png);
    assert_int_equal(cairo_image_surface_get_width(s), 2 * w);
    assert_border_white(s, (PAD - 1) * 2);
    for (int i = 0; i < 9; i++)
        assert_true(near_colour(cell_pixel(s, 2, &b[i]), b[i].rgb, 2));
    uint32_t hi = cell_pixel(s, 2, &b[0]), lo = cell_pixel(s, 2, &b[2]);
    assert_true(near_colour(hi, HIGH, 2));
    assert_true(near_colour(lo, LOW, 2));
    assert_true(lum(hi) < lum(lo) / 4);
    /* The value in each cell: white text on the max, dark on the min. */
    assert_true(cell_ink(s, 2, &b[0], WHITE, 16) > 40);
    assert_int_equal(cell_ink(s, 2, &b[2], WHITE, 16), 0);
    assert_true(cell_ink(s, 2, &b[2], 0x333333, 24) > 20);
    assert_int_equal(cell_ink(s, 2, &b[0], 0x333333, 24), 0);
    /* The scale: dark at its top, light at its bottom. */
    int sx = (int)((scale.x0 + scale.x1) / 2 * 2);
    assert_true(near_colour(pixel(s, sx, (int)(scale.y0 * 2) + 1), HIGH, 6));
    assert_true(near_colour(pixel(s, sx, (int)(scale.y1 * 2) - 2), LOW, 6));
    cairo_surface_destroy(s);
    kiln_buf_fini(&png);
    kiln_chart_free(c);
}

static void ten_by_ten(double *v)
{
    for (int i = 0; i < 100; i++)
        v[i] = i / 10 == i % 10 ? 90 + i % 7 : (i * 37) % 11 < 3 ? i % 9 : 0;
}

/* A 10 x 10 matrix: about 425 x 410 at its automatic size, every cell
 * and value drawn and listed; in a given 640 x 360 the cells stay nearly
 * square and the block is centred. */
static void test_ten(void **state)
{
    (void)state;
    double v[100];
    ten_by_ten(v);
    kiln_chart *c = heatmap("Confusion matrix", 0, 0);
    assert_int_equal(kiln_chart_set_matrix(c, 10, 10, v, NULL, NULL),
                     KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    assert_int_equal(kiln_chart_png(c, 2, &png, &w, &h, &err), KILN_OK);
    assert_true(w >= 380 && w <= 540);
    assert_true(h >= 360 && h <= 480);
    save(&png, "heatmap-10.png");
    cairo_surface_t *s = decode_png(&png);
    assert_border_white(s, (PAD - 1) * 2);
    char *doc = render_svg(c);
    int sw, sh;
    svg_size(doc, &sw, &sh);
    assert_int_equal(sw, w);
    assert_int_equal(sh, h);
    cell_box b[100];
    assert_int_equal(svg_cells(doc, b, 100), 100);
    for (int i = 0; i < 100; i++) {
        assert_true(fabs((b[i].x1 - b[i].x0) - (b[i].y1 - b[i].y0)) <= 0.5);
        assert_true(b[i].x1 - b[i].x0 >= 24);
        if (i % 10 > 0)
            assert_true(b[i].x0 > b[i - 1].x0);
        if (i >= 10)
            assert_true(b[i].y0 > b[i - 10].y0);
        assert_true(near_colour(cell_pixel(s, 2, &b[i]), b[i].rgb, 2));
        /* Every value is written: ink of another colour in each cell. */
        size_t area = (size_t)((b[i].x1 - b[i].x0) * 2 - 4) *
                      (size_t)((b[i].y1 - b[i].y0) * 2 - 4);
        assert_true(cell_ink(s, 2, &b[i], b[i].rgb, 8) < area - 10);
    }
    /* All 100 cells in the description. */
    assert_true(has(doc, "cells: 0 / 0 = 90, 0 / 1 = 0"));
    assert_true(has(doc, ", 9 / 8 = 0, 9 / 9 = 91</desc>"));
    assert_null(strstr(doc, "more</desc>"));
    free(doc);
    cairo_surface_destroy(s);
    kiln_chart_free(c);

    c = heatmap("Confusion matrix", 640, 360);
    assert_int_equal(kiln_chart_set_matrix(c, 10, 10, v, NULL, NULL),
                     KILN_OK);
    s = render(c, 2, &png);
    assert_int_equal(cairo_image_surface_get_width(s), 1280);
    assert_int_equal(cairo_image_surface_get_height(s), 720);
    save(&png, "heatmap-10-640.png");
    assert_border_white(s, (PAD - 1) * 2);
    doc = render_svg(c);
    assert_int_equal(svg_cells(doc, b, 100), 100);
    double cw = b[0].x1 - b[0].x0, ch = b[0].y1 - b[0].y0;
    assert_true(cw <= 1.2 * ch + 1 && ch <= 1.2 * cw + 1);
    /* Centred: the block leaves about as much room left as right. */
    int left = 1280, right = 0;
    for (int y = 0; y < 720; y++)
        for (int x = 0; x < 1280; x++)
            if (pixel(s, x, y) != WHITE) {
                left = x < left ? x : left;
                right = x > right ? x : right;
            }
    assert_true(abs(left - (1279 - right)) <= 60);
    assert_true(left > 100);
    free(doc);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Cells too small for their values: none are written (not some). */
static void test_small_cells(void **state)
{
    (void)state;
    double v[100];
    ten_by_ten(v);
    v[0] = 123456.5; /* "123000": too wide for any cell here */
    kiln_chart *c = heatmap(NULL, 0, 0);
    assert_int_equal(kiln_chart_set_matrix(c, 10, 10, v, NULL, NULL),
                     KILN_OK);
    char *doc = render_svg(c);
    assert_true(has(doc, "cells: 0 / 0 = 123000, "));
    cell_box b[100];
    assert_int_equal(svg_cells(doc, b, 100), 100);
    size_t glyphs = count(doc, "<use xlink:href=\"#glyph");
    free(doc);
    /* Labels and axis titles only: 20 one-digit labels, two titles, two
     * scale labels of at most 6 digits. */
    assert_true(glyphs < 20 + 30 + 12);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    for (int i = 0; i < 100; i++)
        assert_int_equal(cell_ink(s, 2, &b[i], b[i].rgb, 3),
                         (size_t)((b[i].x1 - b[i].x0) * 2 - 4) *
                             (size_t)((b[i].y1 - b[i].y0) * 2 - 4));
    cairo_surface_destroy(s);
    kiln_buf_fini(&png);

    /* The same without the wide value: all written. */
    v[0] = 12;
    assert_int_equal(kiln_chart_set_matrix(c, 10, 10, v, NULL, NULL),
                     KILN_OK);
    doc = render_svg(c);
    assert_true(count(doc, "<use xlink:href=\"#glyph") > glyphs + 100);
    free(doc);
    kiln_chart_free(c);
}

/* Fractions to 3 significant digits, counts in full, negative values with
 * a minus sign and the ramp from the least value. */
static void test_values(void **state)
{
    (void)state;
    kiln_chart *c = heatmap("rates", 0, 0);
    double v[] = {0.876544, 0.123456, -2, 3, 1e-5, 2.0 / 3};
    assert_int_equal(kiln_chart_set_matrix(c, 2, 3, v, NULL, NULL), KILN_OK);
    char *doc = render_svg(c);
    assert_true(has(doc, "cells: 0 / 0 = 0.877, 0 / 1 = 0.123, 0 / 2 = "
                         "\xE2\x88\x92" "2, 1 / 0 = 3, 1 / 1 = 1e-5, "
                         "1 / 2 = 0.667</desc>"));
    cell_box b[6];
    assert_int_equal(svg_cells(doc, b, 6), 6);
    /* From -2 (the least, below 0) to 3. */
    assert_true(near_colour(b[2].rgb, LOW, 1));
    assert_true(near_colour(b[3].rgb, HIGH, 1));
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++)
            if (v[i] < v[j])
                assert_true(lum(b[i].rgb) > lum(b[j].rgb));
    free(doc);

    /* Counts in full, however large; beyond 1e16 with an exponent. */
    double big[] = {1234567, 98765432109, 1e20, -0.0};
    assert_int_equal(kiln_chart_set_matrix(c, 2, 2, big, NULL, NULL),
                     KILN_OK);
    doc = render_svg(c);
    assert_true(has(doc, "cells: 0 / 0 = 1234567, 0 / 1 = 98765432109, "
                         "1 / 0 = 1e20, 1 / 1 = 0</desc>"));
    free(doc);
    kiln_chart_free(c);
}

/* NaN and infinities: grey cells with no text; the ramp spans the finite
 * values only.  Only non-finite values: grey cells, a note, no scale. */
static void test_non_finite(void **state)
{
    (void)state;
    kiln_chart *c = heatmap("gaps", 0, 0);
    double v[] = {10, NAN, 0, INFINITY, 5, -INFINITY, 1, 2, 3};
    assert_int_equal(kiln_chart_set_matrix(c, 3, 3, v, NULL, NULL), KILN_OK);
    char *doc = render_svg(c);
    assert_true(has(doc, "cells: 0 / 0 = 10, 0 / 1 = NaN, 0 / 2 = 0, "
                         "1 / 0 = \xE2\x88\x9E, 1 / 1 = 5, 1 / 2 = "
                         "\xE2\x88\x92\xE2\x88\x9E, 2 / 0 = 1"));
    cell_box b[9];
    assert_int_equal(svg_cells(doc, b, 9), 9);
    assert_true(near_colour(b[0].rgb, HIGH, 1));
    assert_true(near_colour(b[2].rgb, LOW, 1));
    int missing[] = {1, 3, 5};
    for (int k = 0; k < 3; k++)
        assert_true(near_colour(b[missing[k]].rgb, MISSING, 1));
    cell_box scale = {0};
    assert_true(svg_scale(doc, &scale));
    free(doc);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "heatmap-gaps.png");
    for (int k = 0; k < 3; k++) {
        const cell_box *m = &b[missing[k]];
        size_t area = (size_t)((m->x1 - m->x0) * 2 - 4) *
                      (size_t)((m->y1 - m->y0) * 2 - 4);
        /* Grey throughout: no text. */
        assert_int_equal(cell_ink(s, 2, m, MISSING, 2), area);
    }
    /* The finite cells have their values. */
    assert_true(cell_ink(s, 2, &b[0], WHITE, 16) > 20);
    cairo_surface_destroy(s);

    double none[] = {NAN, INFINITY, NAN, -INFINITY};
    assert_int_equal(kiln_chart_set_matrix(c, 2, 2, none, NULL, NULL),
                     KILN_OK);
    doc = render_svg(c);
    assert_int_equal(svg_cells(doc, b, 9), 4);
    for (int i = 0; i < 4; i++)
        assert_true(near_colour(b[i].rgb, MISSING, 1));
    assert_false(svg_scale(doc, &scale));
    free(doc);
    s = render(c, 2, &png);
    save(&png, "heatmap-no-data.png");
    /* The note, on white, between the four cells. */
    int cx = (int)(b[0].x1 + b[1].x0), cy = (int)(b[0].y1 + b[2].y0);
    assert_true(count_colour(s, GREY_NOTE, 24, cx - 80, cy - 20, cx + 80,
                             cy + 20) > 50);
    cairo_surface_destroy(s);
    kiln_buf_fini(&png);
    kiln_chart_free(c);
}

/* No matrix (or an empty one): the axes and "no data yet", as other
 * charts; no cells and no scale. */
static void test_empty(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart *c = heatmap("Confusion matrix", 640, 360);
    for (int round = 0; round < 3; round++) {
        if (round == 1) {
            double v[] = {1};
            assert_int_equal(kiln_chart_set_matrix(c, 1, 1, v, NULL, NULL),
                             KILN_OK);
            assert_int_equal(kiln_chart_set_matrix(c, 0, 0, NULL, NULL,
                                                   NULL),
                             KILN_OK);
        } else if (round == 2) {
            double v[] = {1};
            assert_int_equal(kiln_chart_set_matrix(c, 0, 5, v, NULL, NULL),
                             KILN_OK);
        }
        cairo_surface_t *s = render(c, 2, &png);
        assert_int_equal(cairo_image_surface_get_width(s), 1280);
        assert_int_equal(cairo_image_surface_get_height(s), 720);
        assert_true(count_colour(s, GREY_NOTE, 24, 400, 280, 880, 440) > 50);
        assert_int_equal(count_colour(s, LOW, 4, 0, 0, 1280, 720), 0);
        assert_border_white(s, (PAD - 1) * 2);
        cairo_surface_destroy(s);
        char *doc = render_svg(c);
        assert_well_formed(doc);
        cell_box b[1], scale = {0};
        assert_int_equal(svg_cells(doc, b, 1), 0);
        assert_false(svg_scale(doc, &scale));
        assert_null(strstr(doc, "cells:"));
        free(doc);
    }
    kiln_chart_free(c);
    /* The automatic size of an empty heatmap is a 10 x 10 one's. */
    c = heatmap("Confusion matrix", 0, 0);
    char *doc = render_svg(c);
    int w, h;
    svg_size(doc, &w, &h);
    assert_true(w >= 300 && w <= 540 && h >= 300 && h <= 480);
    free(doc);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Column labels wider than a column are turned upright: their ink under
 * the cells is taller than wide; short ones are written side by side. */
static void test_column_labels(void **state)
{
    (void)state;
    static const char *const names[] = {"airplane", "automobile", "bird",
                                        "cat",      "deer",       "dog",
                                        "frog",     "horse",      "ship",
                                        "truck"};
    double v[100];
    ten_by_ten(v);
    kiln_buf png;
    kiln_buf_init(&png);
    for (int round = 0; round < 2; round++) {
        kiln_chart_opts o = {.kind = KILN_CHART_HEATMAP};
        kiln_chart *c = kiln_chart_new(&o);
        assert_int_equal(kiln_chart_set_matrix(c, 10, 10, v,
                                               round ? names : NULL,
                                               round ? names : NULL),
                         KILN_OK);
        char *doc = render_svg(c);
        cell_box b[100];
        assert_int_equal(svg_cells(doc, b, 100), 100);
        free(doc);
        cairo_surface_t *s = render(c, 2, &png);
        if (round)
            save(&png, "heatmap-names.png");
        int w = cairo_image_surface_get_width(s);
        int h = cairo_image_surface_get_height(s);
        /* Ink under the cells, left of the scale: the column labels. */
        int top = (int)(b[99].y1 * 2) + 1, right = (int)(b[99].x1 * 2) + 1;
        int y0 = h, y1 = 0;
        for (int y = top; y < h; y++)
            for (int x = 0; x < right && x < w; x++)
                if (pixel(s, x, y) != WHITE) {
                    y0 = y < y0 ? y : y0;
                    y1 = y > y1 ? y : y1;
                }
        int tall = y1 - y0;
        if (round)
            assert_true(tall > 2 * 50); /* "automobile", upright */
        else
            assert_true(tall > 2 * 6 && tall < 2 * 16); /* one line */
        /* Row labels left of the cells, none over them. */
        assert_true(b[0].x0 > PAD + (round ? 50 : 6));
        assert_border_white(s, (PAD - 1) * 2);
        cairo_surface_destroy(s);
        kiln_chart_free(c);
    }
    kiln_buf_fini(&png);
}

/* Large matrices render as an image, PNG and SVG alike, within the size
 * limits; the description stops at 100 cells. */
static void test_large(void **state)
{
    (void)state;
    size_t n = under_valgrind() ? 200 : KILN_CHART_MATRIX_MAX;
    double *v = malloc(n * n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n * n; i++)
        v[i] = i / n == i % n ? 50 : (double)(i % 7);
    kiln_chart *c = heatmap("many classes", 0, 0);
    assert_int_equal(kiln_chart_set_matrix(c, n, n, v, NULL, NULL), KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    assert_int_equal(kiln_chart_png(c, 1, &png, &w, &h, &err), KILN_OK);
    assert_true(w <= 2400 && h <= 2400 && w >= 1000 && h >= 1000);
    cairo_surface_t *s = decode_png(&png);
    /* The diagonal: dark along it, light beside it, from the top left to
     * the bottom right of the cells. */
    bbox dark = colour_bbox(s, HIGH, 4);
    assert_true(dark.n > n);
    assert_true(dark.x1 - dark.x0 > w / 2 && dark.y1 - dark.y0 > h / 2);
    assert_true(count_colour(s, LOW, 4, 0, 0, w, h) > (size_t)(w * h / 20));
    cairo_surface_destroy(s);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    assert_true(has(doc, "<image"));
    assert_true(strlen(doc) < 4u * 1000 * 1000);
    cell_box b[1];
    assert_int_equal(svg_cells(doc, b, 1), 0);
    char more[64];
    snprintf(more, sizeof more, ", and %zu more</desc>", n * n - 100);
    assert_true(has(doc, more));
    free(doc);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
    free(v);
}

/* The same chart gives the same bytes, render after render. */
static void test_deterministic(void **state)
{
    (void)state;
    kiln_chart *c = heatmap("again", 0, 0);
    assert_int_equal(kiln_chart_set_matrix(c, 3, 3, iris, iris_labels,
                                           iris_labels),
                     KILN_OK);
    assert_deterministic(c);
    kiln_chart_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_labels_and_copies),
        cmocka_unit_test(test_three),
        cmocka_unit_test(test_ten),
        cmocka_unit_test(test_small_cells),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_non_finite),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_column_labels),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_deterministic),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* cairo's font caches, so that valgrind sees no leak at exit. */
    cairo_debug_reset_static_data();
    return rc;
}
