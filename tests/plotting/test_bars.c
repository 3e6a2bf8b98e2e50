/* Tests for horizontal bar charts (KILN_CHART_BARH): the bars read back
 * from the SVG (one filled path each) and from the PNG's pixels, against
 * the values given; the labels in the SVG's <desc>; empty, one, NaN and
 * negative values; long labels; 50 and thousands of bars.  Pictures land
 * in tests/plotting/ under the build folder, to look at (bars.png). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plotting/chart.h"

#include "plot_test.h"

#include <float.h>
#include <math.h>

#define GREY_NOTE 0x8C8C8Cu  /* "no data yet" and "NaN" (style.note) */
#define GREY_SPINE 0x8C8C8Cu /* axes and the zero line (style.spine) */

/* --- reading bars back ----------------------------------------------- */

typedef struct bar_box {
    double x0, y0, x1, y1; /* CSS px */
} bar_box;

/* The bars of an SVG chart: the paths filled with the first colour of the
 * cycle, each a closed rectangle "M x0 y0 L x1 y0 L x1 y1 L x0 y1 Z", in
 * document order.  Returns how many (at most max are stored). */
static size_t svg_bars(const char *doc, bar_box *out, size_t max)
{
    char blue[128], want[256];
    cairo_rgb(BLUE, blue, sizeof blue);
    snprintf(want, sizeof want, "fill:%s;", blue);
    size_t n = 0;
    for (const char *p = strstr(doc, want); p; p = strstr(p + 1, want)) {
        const char *d = strstr(p, " d=\"");
        assert_non_null(d);
        double x[4], y[4];
        int got = sscanf(d + 4, "M %lf %lf L %lf %lf L %lf %lf L %lf %lf Z",
                         &x[0], &y[0], &x[1], &y[1], &x[2], &y[2], &x[3],
                         &y[3]);
        assert_int_equal(got, 8);
        bar_box b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (int k = 0; k < 4; k++) {
            b.x0 = fmin(b.x0, x[k]);
            b.x1 = fmax(b.x1, x[k]);
            b.y0 = fmin(b.y0, y[k]);
            b.y1 = fmax(b.y1, y[k]);
        }
        /* Axis-aligned: every corner on the box. */
        for (int k = 0; k < 4; k++) {
            assert_true(x[k] == b.x0 || x[k] == b.x1);
            assert_true(y[k] == b.y0 || y[k] == b.y1);
        }
        if (n < max)
            out[n] = b;
        n++;
    }
    return n;
}

static bool has(const char *doc, const char *s)
{
    if (strstr(doc, s) != NULL)
        return true;
    print_error("not found in the SVG: %s\n", s);
    return false;
}

/* The longest run of bar colour in device row y of a PNG, and where it
 * starts. */
static int blue_run(cairo_surface_t *s, int y, int *start)
{
    int w = cairo_image_surface_get_width(s);
    int best = 0, run = 0;
    for (int x = 0; x < w; x++) {
        run = near_colour(pixel(s, x, y), BLUE, 8) ? run + 1 : 0;
        if (run > best) {
            best = run;
            if (start != NULL)
                *start = x - run + 1;
        }
    }
    return best;
}

static kiln_chart *bar_chart(const char *title, const char *x_label,
                             int height)
{
    kiln_chart_opts o = {.kind = KILN_CHART_BARH, .title = title,
                         .x_label = x_label, .height = height};
    kiln_chart *c = kiln_chart_new(&o);
    assert_non_null(c);
    return c;
}

static const char *const imp_labels[] = {"f12", "f3",  "f7",
                                         "petal_length_cm", "f1", "f9"};
static const double imp_values[] = {341.2345, 200.1, 99.87, 50.5, 3.25, 0};
#define N_IMP 6

/* --- tests ------------------------------------------------------------ */

static void test_api(void **state)
{
    (void)state;
    double v[] = {1, 2};
    const char *l[] = {"a", "b"};
    assert_int_equal(kiln_chart_set_bars(NULL, l, v, 2), KILN_VALUE);
    /* Line and scatter charts have series, not bars. */
    kiln_chart *line = kiln_chart_new(NULL);
    assert_int_equal(kiln_chart_set_bars(line, l, v, 2), KILN_VALUE);
    kiln_chart_free(line);
    kiln_chart *sc = kiln_chart_new(
        &(kiln_chart_opts){.kind = KILN_CHART_SCATTER});
    assert_int_equal(kiln_chart_set_bars(sc, l, v, 2), KILN_VALUE);
    kiln_chart_free(sc);

    kiln_chart *c = bar_chart(NULL, NULL, 0);
    assert_int_equal(kiln_chart_set_bars(c, l, NULL, 2), KILN_VALUE);
    assert_int_equal(kiln_chart_set_bars(c, NULL, NULL, 0), KILN_OK);
    assert_int_equal(kiln_chart_set_bars(c, NULL, v, 2), KILN_OK);
    const char *holes[] = {NULL, "b"};
    assert_int_equal(kiln_chart_set_bars(c, holes, v, 2), KILN_OK);
    /* ... and a bar chart has no series. */
    assert_int_equal(kiln_chart_add_series(c, "s", v, v, 2), -1);
    assert_int_equal(kiln_chart_series_count(c), 0);
    assert_int_equal(kiln_chart_append(c, 0, v, v, 2), KILN_INDEX);
    char *doc = render_svg(c);
    assert_true(has(doc, "<desc>bars: bar 1 = 1, b = 2</desc>"));
    free(doc);
    kiln_chart_free(c);
}

/* Labels and values are copied; setting bars again replaces them. */
static void test_copies_and_replace(void **state)
{
    (void)state;
    char name[] = "alpha";
    const char *l[] = {name, "beta", "gamma"};
    double v[] = {3, 2, 1};
    kiln_chart *c = bar_chart("copies", NULL, 0);
    assert_int_equal(kiln_chart_set_bars(c, l, v, 3), KILN_OK);
    char *before = render_svg(c);
    memcpy(name, "ALPHA", 5);
    v[0] = 100;
    char *after = render_svg(c);
    assert_string_equal(before, after);
    assert_true(has(after, "bars: alpha = 3, beta = 2, gamma = 1</desc>"));
    free(before);
    free(after);

    assert_int_equal(kiln_chart_set_bars(c, l + 1, v + 1, 2), KILN_OK);
    char *doc = render_svg(c);
    bar_box b[4];
    assert_int_equal(svg_bars(doc, b, 4), 2);
    assert_true(has(doc, "bars: beta = 2, gamma = 1</desc>"));
    free(doc);
    kiln_chart_free(c);
}

/* The SVG's bars: one per non-zero value, top to bottom in the given
 * order, all from the same x (0), widths proportional to the values. */
static void test_svg_widths(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("Feature importance (gain)", "gain", 0);
    assert_int_equal(kiln_chart_set_bars(c, imp_labels, imp_values, N_IMP),
                     KILN_OK);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    FILE *f = fopen(KILN_PLOT_OUT "/bars.svg", "w");
    if (f != NULL) {
        fputs(doc, f);
        fclose(f);
    }
    /* Few bars: the default size. */
    assert_true(has(doc, "width=\"640px\""));
    assert_true(has(doc, "height=\"360px\""));
    assert_true(has(doc, "<title>Feature importance (gain)</title>"));
    assert_true(has(doc, "<desc>x: gain; bars: f12 = 341.2, f3 = 200.1, "
                         "f7 = 99.87, petal_length_cm = 50.5, f1 = 3.25, "
                         "f9 = 0</desc>"));
    bar_box b[8];
    assert_int_equal(svg_bars(doc, b, 8), N_IMP - 1); /* 0 draws none */
    double k = (b[0].x1 - b[0].x0) / imp_values[0];
    for (int i = 0; i < N_IMP - 1; i++) {
        assert_true(b[i].x0 == b[0].x0);
        /* Edges on whole device pixels (half CSS px in an SVG). */
        double width = b[i].x1 - b[i].x0;
        assert_true(fabs(width - imp_values[i] * k) <= 1.0);
        assert_true(b[i].y1 - b[i].y0 >= 12);
        if (i > 0) {
            assert_true(b[i].y0 > b[i - 1].y1);
            /* Rows of one height. */
            double gap = (b[i].y0 - b[i - 1].y0) - (b[1].y0 - b[0].y0);
            assert_true(fabs(gap) <= 0.5);
        }
    }
    /* The plot's left edge is past the widest label, and the longest bar
     * leaves room for its value ("341.2", about 30 px) inside the chart. */
    assert_true(b[0].x0 > PAD + 60);
    assert_true(b[0].x1 < 640 - PAD - 30);
    free(doc);
    kiln_chart_free(c);
}

/* The PNG at 2x: in each bar's middle row, a run of bar colour as long as
 * the SVG's bar (x 2), starting at the same column; text after its end;
 * white between bars. */
static void test_png_widths(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("Feature importance (gain)", "gain", 0);
    assert_int_equal(kiln_chart_set_bars(c, imp_labels, imp_values, N_IMP),
                     KILN_OK);
    char *doc = render_svg(c);
    bar_box b[8];
    assert_int_equal(svg_bars(doc, b, 8), N_IMP - 1);
    free(doc);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "bars.png");
    assert_border_white(s, (PAD - 1) * 2);
    int x_zero = (int)lround(b[0].x0 * 2);
    int run0 = 0;
    for (int i = 0; i < N_IMP - 1; i++) {
        int y = (int)((b[i].y0 + b[i].y1) / 2 * 2);
        int start = -1;
        int run = blue_run(s, y, &start);
        if (i == 0)
            run0 = run;
        assert_true(abs(start - x_zero) <= 1);
        assert_true(abs(run - (int)lround((b[i].x1 - b[i].x0) * 2)) <= 1);
        /* Proportional to the value, independently of the SVG. */
        double want = imp_values[i] / imp_values[0] * run0;
        assert_true(fabs(run - want) <= 2);
        /* The value, in grey text, within 80 px after the bar's end. */
        size_t ink = 0;
        for (int dy = -8; dy <= 8; dy++)
            for (int x = start + run + 2; x < start + run + 80; x++) {
                uint32_t p = pixel(s, x, y + dy);
                ink += p != WHITE && !near_colour(p, BLUE, 8) &&
                       !near_colour(p, 0xE5E5E5, 3); /* grid */
            }
        assert_true(ink > 20);
        /* White (or grid) between this bar and the next. */
        if (i + 1 < N_IMP - 1) {
            int gap_y = (int)((b[i].y1 + b[i + 1].y0) / 2 * 2);
            assert_int_equal(blue_run(s, gap_y, NULL), 0);
        }
    }
    /* The bar of value 0 is not drawn; its "0" is. */
    double row = b[1].y0 - b[0].y0;
    int y5 = (int)((b[4].y0 + b[4].y1) / 2 * 2 + row * 2);
    assert_int_equal(blue_run(s, y5, NULL), 0);
    cairo_surface_destroy(s);

    /* 1x: the same layout, half the pixels. */
    s = render(c, 1, &png);
    int y = (int)((b[0].y0 + b[0].y1) / 2);
    int start = -1;
    assert_true(abs(blue_run(s, y, &start) - run0 / 2) <= 1);
    assert_true(abs(start - x_zero / 2) <= 1);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* No bars: the axes and a "no data yet" note, as a line chart. */
static void test_empty(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart *c = bar_chart("Feature importance", "gain", 0);
    for (int round = 0; round < 3; round++) {
        if (round == 1) {
            double v[] = {NAN, INFINITY, -INFINITY};
            assert_int_equal(kiln_chart_set_bars(c, NULL, v, 3), KILN_OK);
        } else if (round == 2) {
            assert_int_equal(kiln_chart_set_bars(c, NULL, NULL, 0), KILN_OK);
        }
        cairo_surface_t *s = render(c, 2, &png);
        assert_int_equal(cairo_image_surface_get_height(s), 720);
        assert_int_equal(count_colour(s, BLUE, 8, 0, 0, 1280, 720), 0);
        /* The note, in the middle. */
        assert_true(count_colour(s, GREY_NOTE, 24, 400, 280, 880, 440) > 50);
        cairo_surface_destroy(s);
        char *doc = render_svg(c);
        assert_well_formed(doc);
        bar_box b[1];
        assert_int_equal(svg_bars(doc, b, 1), 0);
        if (round == 1)
            assert_true(has(doc, "bars: bar 1 = NaN, bar 2 = \xE2\x88\x9E, "
                                 "bar 3 = \xE2\x88\x92\xE2\x88\x9E</desc>"));
        else
            assert_null(strstr(doc, "bars:"));
        free(doc);
    }
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* One bar: not the plot's whole height (at most 36 px thick), centred. */
static void test_one_bar(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("one", NULL, 0);
    const char *l[] = {"only"};
    double v[] = {42};
    assert_int_equal(kiln_chart_set_bars(c, l, v, 1), KILN_OK);
    char *doc = render_svg(c);
    bar_box b[2];
    assert_int_equal(svg_bars(doc, b, 2), 1);
    assert_true(b[0].y1 - b[0].y0 <= 36.5);
    assert_true(b[0].y1 - b[0].y0 >= 35);
    assert_true(b[0].y0 > 120 && b[0].y1 < 240);
    assert_true(b[0].x1 < 630 - 10);
    assert_true(has(doc, "bars: only = 42</desc>"));
    free(doc);
    kiln_chart_free(c);
}

/* NaN and infinities draw no bar; their rows and labels stay, the other
 * bars keep their places and sizes. */
static void test_nan_values(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("gaps", NULL, 0);
    const char *l[] = {"a", "b", "c", "d"};
    double v[] = {4, NAN, 2, INFINITY};
    assert_int_equal(kiln_chart_set_bars(c, l, v, 4), KILN_OK);
    char *doc = render_svg(c);
    bar_box b[4];
    assert_int_equal(svg_bars(doc, b, 4), 2);
    double row = (b[1].y0 - b[0].y0) / 2; /* bars in rows 0 and 2 */
    assert_true(row > 50);
    assert_true(fabs((b[1].x1 - b[1].x0) * 2 - (b[0].x1 - b[0].x0)) <= 1);
    assert_true(has(doc, "bars: a = 4, b = NaN, c = 2, d = \xE2\x88\x9E"));
    free(doc);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    int y1 = (int)(((b[0].y0 + b[0].y1) / 2 + row) * 2);
    assert_int_equal(blue_run(s, y1, NULL), 0);
    /* "NaN" in the note's grey, just after 0. */
    int x0 = (int)(b[0].x0 * 2);
    assert_true(count_colour(s, GREY_NOTE, 40, x0, y1 - 12, x0 + 80,
                             y1 + 12) > 10);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Negative values go left of 0, with a zero line; the sizes stay
 * proportional. */
static void test_negative_values(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("weights", "weight", 0);
    const char *l[] = {"up", "down", "small"};
    double v[] = {5, -3, 2};
    assert_int_equal(kiln_chart_set_bars(c, l, v, 3), KILN_OK);
    char *doc = render_svg(c);
    bar_box b[4];
    assert_int_equal(svg_bars(doc, b, 4), 3);
    double zero = b[0].x0;
    assert_true(b[2].x0 == zero);
    assert_true(b[1].x1 == zero);
    assert_true(b[1].x0 < zero - 50);
    double k = (b[0].x1 - zero) / 5;
    assert_true(fabs((zero - b[1].x0) - 3 * k) <= 1);
    assert_true(fabs((b[2].x1 - zero) - 2 * k) <= 1);
    assert_true(has(doc, "bars: up = 5, down = \xE2\x88\x92" "3, small = 2"));
    free(doc);

    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "bars-negative.png");
    assert_border_white(s, (PAD - 1) * 2);
    /* The zero line: spine grey in the gap between the first two bars. */
    int gap_y = (int)((b[0].y1 + b[1].y0) / 2 * 2);
    int zx = (int)lround(zero * 2);
    assert_true(count_colour(s, GREY_SPINE, 16, zx - 2, gap_y, zx + 2,
                             gap_y + 1) >= 1);
    cairo_surface_destroy(s);

    /* All negative: the view ends at 0. */
    double neg[] = {-1, -4};
    assert_int_equal(kiln_chart_set_bars(c, l, neg, 2), KILN_OK);
    doc = render_svg(c);
    assert_int_equal(svg_bars(doc, b, 4), 2);
    assert_true(b[0].x1 == b[1].x1);
    assert_true(b[0].x1 > 600 && b[0].x1 <= 630);
    assert_true(fabs((b[1].x1 - b[1].x0) - 4 * (b[0].x1 - b[0].x0)) <= 2);
    free(doc);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Values at the ends of double's range render (clamped for drawing). */
static void test_extreme_values(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("extremes", NULL, 0);
    double v[] = {DBL_MAX, -DBL_MAX, 5e-324, -0.0, 1e-300, 1e300};
    assert_int_equal(kiln_chart_set_bars(c, NULL, v, 6), KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 1, &png);
    assert_true(count_colour(s, BLUE, 8, 0, 0, 640, 360) > 1000);
    cairo_surface_destroy(s);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    free(doc);
    double tiny[] = {5e-324, 1e-323};
    assert_int_equal(kiln_chart_set_bars(c, NULL, tiny, 2), KILN_OK);
    s = render(c, 1, &png);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* A long label ends in "…" at 35 % of the width; the plot keeps the rest.
 * Bad UTF-8 and markup in labels are made safe. */
static void test_long_labels(void **state)
{
    (void)state;
    size_t n = 20000;
    char *longest = malloc(n + 1);
    assert_non_null(longest);
    for (size_t i = 0; i < n; i++)
        longest[i] = "feature_with_a_long_name_"[i % 25];
    longest[n] = '\0';
    const char *l[] = {longest, "<a & b>", "bad \xFF\xFE utf-8\n\x01", "x"};
    double v[] = {10, 8, 6, 4};
    kiln_chart *c = bar_chart("long labels", NULL, 0);
    assert_int_equal(kiln_chart_set_bars(c, l, v, 4), KILN_OK);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    bar_box b[4];
    assert_int_equal(svg_bars(doc, b, 4), 4);
    /* pad + at most 35 % of 640 + the gap to the axis (7 px). */
    assert_true(b[0].x0 <= PAD + 0.35 * 640 + 7 + 1);
    assert_true(b[0].x0 >= PAD + 0.30 * 640);
    assert_true(has(doc, "feature_with_a_long_name_feature"));
    assert_true(has(doc, ", &lt;a &amp; b&gt; = 8, bad \xEF\xBF\xBD"
                         "\xEF\xBF\xBD utf-8 = 6, x = 4</desc>"));
    free(doc);
    kiln_buf png;
    kiln_buf_init(&png);
    for (int scale = 1; scale <= 2; scale++) {
        cairo_surface_t *s = render(c, scale, &png);
        if (scale == 2)
            save(&png, "bars-long-labels.png");
        assert_border_white(s, (PAD - 1) * scale);
        cairo_surface_destroy(s);
    }
    kiln_chart_free(c);
    kiln_buf_fini(&png);
    free(longest);
}

static void fifty(const char **labels, double *values, char (*names)[16],
                  size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], 16, "f%zu", (i * 37) % 97);
        labels[i] = names[i];
        values[i] = 1000 * exp(-0.1 * (double)i);
    }
}

/* 50 bars at the default size: the chart grows to about 18 px a bar, and
 * every bar, label and value gets its row. */
static void test_fifty_bars(void **state)
{
    (void)state;
    const char *l[50];
    double v[50];
    char names[50][16];
    fifty(l, v, names, 50);
    kiln_chart *c = bar_chart("Feature importance (gain)", "gain", 0);
    assert_int_equal(kiln_chart_set_bars(c, l, v, 50), KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    assert_int_equal(kiln_chart_png(c, 2, &png, &w, &h, &err), KILN_OK);
    assert_int_equal(w, 640);
    assert_true(h >= 50 * 18 + 60 && h <= 50 * 18 + 120);
    save(&png, "bars-50.png");
    cairo_surface_t *s = decode_png(&png);
    assert_int_equal(cairo_image_surface_get_height(s), 2 * h);
    assert_border_white(s, (PAD - 1) * 2);

    char *doc = render_svg(c);
    char size[64];
    snprintf(size, sizeof size, "height=\"%dpx\"", h);
    assert_true(has(doc, size));
    bar_box b[64];
    assert_int_equal(svg_bars(doc, b, 64), 50);
    double k = (b[0].x1 - b[0].x0) / v[0];
    for (int i = 0; i < 50; i++) {
        assert_true(b[i].y1 - b[i].y0 >= 12);
        if (i > 0)
            assert_true(b[i].y0 - b[i - 1].y1 >= 4);
        assert_true(fabs((b[i].x1 - b[i].x0) - v[i] * k) <= 1);
        /* Each bar in the PNG too. */
        int y = (int)((b[i].y0 + b[i].y1) / 2 * 2);
        assert_true(abs(blue_run(s, y, NULL) -
                        (int)lround((b[i].x1 - b[i].x0) * 2)) <= 1);
    }
    /* Every label in the description, none left out. */
    assert_true(has(doc, "bars: f0 = 1000, f37 = 904.8, f74 = 818.7"));
    assert_true(has(doc, ", f67 = 7.447</desc>"));
    assert_null(strstr(doc, "more</desc>"));
    cairo_surface_destroy(s);
    free(doc);
    kiln_chart_free(c);

    /* The same 50 squeezed into 360 px: every bar still has its own row;
     * the labels thin out. */
    c = bar_chart("Feature importance (gain)", "gain", 360);
    assert_int_equal(kiln_chart_set_bars(c, l, v, 50), KILN_OK);
    doc = render_svg(c);
    assert_true(has(doc, "height=\"360px\""));
    assert_int_equal(svg_bars(doc, b, 64), 50);
    for (int i = 1; i < 50; i++)
        assert_true(b[i].y0 >= b[i - 1].y1);
    free(doc);
    s = render(c, 2, &png);
    save(&png, "bars-50-squeezed.png");
    assert_border_white(s, (PAD - 1) * 2);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Thousands of bars render: the automatic height stops at 4096 px, and
 * the description at 50 bars. */
static void test_many_bars(void **state)
{
    (void)state;
    size_t n = under_valgrind() ? 2000 : 10000;
    const char **l = malloc(n * sizeof *l);
    double *v = malloc(n * sizeof *v);
    char(*names)[16] = malloc(n * sizeof *names);
    assert_non_null(l);
    assert_non_null(v);
    assert_non_null(names);
    fifty(l, v, names, n);
    kiln_chart *c = bar_chart("many", "gain", 0);
    assert_int_equal(kiln_chart_set_bars(c, l, v, n), KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_error err;
    kiln_error_init(&err);
    int w = 0, h = 0;
    assert_int_equal(kiln_chart_png(c, 1, &png, &w, &h, &err), KILN_OK);
    assert_int_equal(h, 4096);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    char more[64];
    snprintf(more, sizeof more, ", and %zu more</desc>", n - 50);
    assert_true(has(doc, more));
    free(doc);
    kiln_chart_free(c);

    c = bar_chart("many", NULL, 300);
    assert_int_equal(kiln_chart_set_bars(c, l, v, n), KILN_OK);
    cairo_surface_t *s = render(c, 2, &png);
    assert_border_white(s, (PAD - 1) * 2);
    assert_true(count_colour(s, BLUE, 8, 0, 0, 1280, 600) > 1000);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
    free(l);
    free(v);
    free(names);
}

/* The same chart gives the same bytes, render after render. */
static void test_deterministic(void **state)
{
    (void)state;
    kiln_chart *c = bar_chart("again", "gain", 0);
    assert_int_equal(kiln_chart_set_bars(c, imp_labels, imp_values, N_IMP),
                     KILN_OK);
    assert_deterministic(c);
    kiln_chart_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_copies_and_replace),
        cmocka_unit_test(test_svg_widths),
        cmocka_unit_test(test_png_widths),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_one_bar),
        cmocka_unit_test(test_nan_values),
        cmocka_unit_test(test_negative_values),
        cmocka_unit_test(test_extreme_values),
        cmocka_unit_test(test_long_labels),
        cmocka_unit_test(test_fifty_bars),
        cmocka_unit_test(test_many_bars),
        cmocka_unit_test(test_deterministic),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* cairo's font caches, so that valgrind sees no leak at exit. */
    cairo_debug_reset_static_data();
    return rc;
}
