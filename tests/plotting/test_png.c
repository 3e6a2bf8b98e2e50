/* Tests for PNG charts: decoded back with cairo's reader (libpng), then
 * checked pixel by pixel against what the data says should be where.
 * Pictures land in tests/plotting/ under the build folder, to look at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plotting/chart.h"
#include "plotting/chart_impl.h" /* the encoder, for a round-trip test */

#include "plot_test.h"

#include <math.h>

/* Series colours at the scatter's 85 % opacity on white. */
#define BLUE85 0x2687BEu
#define ORANGE85 0xEAAD26u

/* The longest horizontal run of a colour in a region: frames and axes make
 * long runs, antialiased text never does. */
static int longest_hrun(cairo_surface_t *s, uint32_t colour, int tol, int x0,
                        int y0, int x1, int y1)
{
    int best = 0;
    for (int y = y0; y < y1; y++) {
        int run = 0;
        for (int x = x0; x < x1; x++) {
            run = near_colour(pixel(s, x, y), colour, tol) ? run + 1 : 0;
            if (run > best)
                best = run;
        }
    }
    return best;
}

static kiln_chart *line_chart(const char *title)
{
    kiln_chart_opts o = {.kind = KILN_CHART_LINE, .title = title,
                         .x_label = "epoch", .y_label = "value"};
    kiln_chart *c = kiln_chart_new(&o);
    assert_non_null(c);
    return c;
}

static void test_size_and_background(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart *c = kiln_chart_new(NULL);
    double x[] = {0, 1, 2}, y[] = {1, 3, 2};
    assert_int_equal(kiln_chart_add_series(c, "a", x, y, 3), 0);
    for (int scale = 1; scale <= 4; scale++) {
        cairo_surface_t *s = render(c, scale, &png);
        assert_int_equal(cairo_image_surface_get_width(s), 640 * scale);
        assert_int_equal(cairo_image_surface_get_height(s), 360 * scale);
        int w = 640 * scale, h = 360 * scale;
        assert_int_equal(pixel(s, 0, 0), WHITE);
        assert_int_equal(pixel(s, w - 1, 0), WHITE);
        assert_int_equal(pixel(s, 0, h - 1), WHITE);
        assert_int_equal(pixel(s, w - 1, h - 1), WHITE);
        assert_border_white(s, (PAD - 1) * scale);
        assert_true(count_colour(s, BLUE, 10, 0, 0, w, h) > 0);
        cairo_surface_destroy(s);
    }
    kiln_chart_free(c);

    kiln_chart_opts o = {.width = 300, .height = 200};
    c = kiln_chart_new(&o);
    kiln_chart_add_series(c, "a", x, y, 3);
    cairo_surface_t *s = render(c, 2, &png);
    assert_int_equal(cairo_image_surface_get_width(s), 600);
    assert_int_equal(cairo_image_surface_get_height(s), 400);
    assert_border_white(s, (PAD - 1) * 2);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* A rising line: its colour lies along the diagonal from lower left to
 * upper right of its own bounding box, and not in the other two corners. */
static void test_rising_line_position(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart *c = line_chart("A rising line");
    double x[100], y[100];
    for (int i = 0; i < 100; i++) {
        x[i] = i;
        y[i] = 2 * i + 10;
    }
    kiln_chart_add_series(c, "rising", x, y, 100);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "rising.png");
    bbox b = colour_bbox(s, BLUE, 8);
    assert_true(b.n > 1000);
    int w = b.x1 - b.x0, h = b.y1 - b.y0;
    /* The data spans 90 % of the plot (5 % margins): a big box. */
    assert_true(w > 1000 && h > 400);
    int cw = w / 4, ch = h / 4;
    assert_true(count_colour(s, BLUE, 8, b.x0, b.y1 - ch, b.x0 + cw, b.y1) >
                0); /* lower left */
    assert_true(count_colour(s, BLUE, 8, b.x1 - cw, b.y0, b.x1, b.y0 + ch) >
                0); /* upper right */
    assert_int_equal(count_colour(s, BLUE, 8, b.x0, b.y0, b.x0 + cw,
                                  b.y0 + ch),
                     0); /* upper left */
    assert_int_equal(count_colour(s, BLUE, 8, b.x1 - cw, b.y1 - ch, b.x1,
                                  b.y1),
                     0); /* lower right */
    /* Each column of the line has its colour near the straight line's
     * height: a linear map from data to pixels. */
    for (int col = b.x0 + 10; col < b.x1 - 10; col += 37) {
        double t = (double)(col - b.x0) / w;
        int want = (int)(b.y1 - t * h);
        assert_true(count_colour(s, BLUE, 8, col, want - 12, col + 1,
                                 want + 12) > 0);
    }
    assert_border_white(s, (PAD - 1) * 2);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Two falling curves (a loss): the legend goes to the empty upper right,
 * and shows both colours there. */
static void test_two_series_and_legend(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart_opts o = {.kind = KILN_CHART_LINE, .title = "Training loss",
                         .x_label = "epoch", .y_label = "loss",
                         .x_integer = true};
    kiln_chart *c = kiln_chart_new(&o);
    double x[40], a[40], b[40];
    for (int i = 0; i < 40; i++) {
        x[i] = i + 1;
        a[i] = 2.0 * exp(-i / 6.0) + 0.2;
        b[i] = 2.2 * exp(-i / 8.0) + 0.35;
    }
    kiln_chart_add_series(c, "train:loss", x, a, 40);
    kiln_chart_add_series(c, "validation:loss", x, b, 40);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "loss.png");
    int w = 1280, h = 720;
    assert_true(count_colour(s, BLUE, 8, 0, 0, w, h) > 500);
    assert_true(count_colour(s, ORANGE, 8, 0, 0, w, h) > 500);
    /* Upper right quarter: only the legend's swatches (the data is low
     * there), and the legend's frame. */
    assert_true(count_colour(s, BLUE, 8, w / 2, 0, w, h / 4) > 20);
    assert_true(count_colour(s, ORANGE, 8, w / 2, 0, w, h / 4) > 20);
    assert_true(longest_hrun(s, 0xD1D1D1, 6, w / 2, 0, w, h / 4) > 150);
    /* ... and no legend frame elsewhere. */
    assert_true(longest_hrun(s, 0xD1D1D1, 6, 0, h / 3, w, h) < 20);
    assert_border_white(s, (PAD - 1) * 2);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* NaN in the middle of a line leaves a gap of the same share of x. */
static void test_gap_at_nan(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart *c = line_chart("Gap");
    double x[100], y[100];
    for (int i = 0; i < 100; i++) {
        x[i] = i;
        y[i] = i >= 40 && i < 60 ? (i % 2 ? NAN : INFINITY) : 50;
    }
    kiln_chart_add_series(c, "gappy", x, y, 100);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "gap.png");
    bbox b = colour_bbox(s, BLUE, 8);
    int w = b.x1 - b.x0;
    /* Points 39 and 60 end the two pieces: x in (39, 60) is empty. */
    int g0 = b.x0 + (int)(w * 40.5 / 99), g1 = b.x0 + (int)(w * 58.5 / 99);
    assert_int_equal(count_colour(s, BLUE, 8, g0, b.y0, g1, b.y1), 0);
    assert_true(count_colour(s, BLUE, 8, b.x0, b.y0, g0 - 40, b.y1) > 100);
    assert_true(count_colour(s, BLUE, 8, g1 + 40, b.y0, b.x1, b.y1) > 100);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* The tallest run of a colour in any column. */
static int tallest_run(cairo_surface_t *s, uint32_t colour)
{
    int w = cairo_image_surface_get_width(s);
    int h = cairo_image_surface_get_height(s);
    int best = 0;
    for (int x = 0; x < w; x++) {
        int run = 0;
        for (int y = 0; y < h; y++) {
            run = near_colour(pixel(s, x, y), colour, 8) ? run + 1 : 0;
            if (run > best)
                best = run;
        }
    }
    return best;
}

/* Markers on lines of up to 30 points, none above. */
static void test_markers(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    for (int n = 5; n <= 40; n += 35) {
        kiln_chart *c = line_chart("Flat");
        double x[40], y[40];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = 1;
        }
        kiln_chart_add_series(c, "flat", x, y, (size_t)n);
        cairo_surface_t *s = render(c, 2, &png);
        int run = tallest_run(s, BLUE);
        /* Line 1.75 px wide: 3-4 device px; marker 6.5 px: ~12. */
        if (n <= 30)
            assert_true(run >= 10);
        else
            assert_true(run <= 5);
        cairo_surface_destroy(s);
        kiln_chart_free(c);
    }
    kiln_buf_fini(&png);
}

static void test_log_axis_nonpositive(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart_opts o = {.kind = KILN_CHART_LINE, .title = "Log axis",
                         .y_log = true, .x_log = true};
    kiln_chart *c = kiln_chart_new(&o);
    double x[] = {-1, 0, 1, 10, 100, 1000, 1e4};
    double y[] = {1, 1, 0, -5, 100, 1e3, 1e4};
    kiln_chart_add_series(c, "mixed", x, y, 7);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "log.png");
    /* Points 4..6 are drawable: three markers on a rising line. */
    bbox b = colour_bbox(s, BLUE, 8);
    assert_true(b.n > 100);
    assert_true(b.x1 - b.x0 > 800 && b.y1 - b.y0 > 400);
    cairo_surface_destroy(s);
    kiln_chart_free(c);

    /* Nothing drawable at all: axes and the note only. */
    c = kiln_chart_new(&o);
    double neg[] = {0, -1, -2};
    kiln_chart_add_series(c, "none", neg, neg, 3);
    s = render(c, 2, &png);
    assert_int_equal(count_colour(s, BLUE, 40, 0, 0, 1280, 720), 0);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* "no data yet" in grey in the middle of the plot. */
static void assert_note(cairo_surface_t *s)
{
    int w = cairo_image_surface_get_width(s);
    int h = cairo_image_surface_get_height(s);
    assert_true(count_colour(s, 0x8C8C8C, 24, w / 3, h / 3, 2 * w / 3,
                             2 * h / 3) > 50);
}

static void test_empty_charts(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    kiln_chart *c = line_chart("Waiting for the first epoch");
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "empty.png");
    assert_note(s);
    assert_border_white(s, (PAD - 1) * 2);
    cairo_surface_destroy(s);

    double x[] = {1, 2, 3}, y[] = {NAN, NAN, NAN};
    kiln_chart_add_series(c, "all nan", x, y, 3);
    kiln_chart_add_series(c, "empty", NULL, NULL, 0);
    s = render(c, 2, &png);
    assert_note(s);
    for (size_t i = 0; i < 2; i++) /* the legend's swatches only */
        assert_true(count_colour(s, okabe_ito[i], 8, 0, 0, 1280, 720) > 0);
    cairo_surface_destroy(s);
    kiln_chart_free(c);

    c = kiln_chart_new(&(kiln_chart_opts){.kind = KILN_CHART_SCATTER});
    s = render(c, 1, &png);
    assert_note(s);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* Degenerate ranges still draw the data, inside the image. */
static void test_degenerate_ranges(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    const struct {
        const char *name;
        double x[3], y[3];
        size_t n;
    } cases[] = {
        {"one point", {5}, {7}, 1},
        {"all equal", {1, 2, 3}, {0.25, 0.25, 0.25}, 3},
        {"same x", {4, 4, 4}, {1, 2, 3}, 3},
        {"huge", {1e300, 2e300, 3e300}, {-1e308, 0, 1e308}, 3},
        {"tiny", {1e-300, 2e-300, 3e-300}, {1e-310, 3e-310, 2e-310}, 3},
        {"negative", {-30, -20, -10}, {-0.003, -0.001, -0.002}, 3},
        {"narrow", {1, 2, 3}, {1, 1 + 1e-12, 1 - 1e-12}, 3},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        kiln_chart *c = line_chart(cases[k].name);
        kiln_chart_add_series(c, cases[k].name, cases[k].x, cases[k].y,
                              cases[k].n);
        cairo_surface_t *s = render(c, 2, &png);
        if (k == 3)
            save(&png, "huge.png");
        bbox b = colour_bbox(s, BLUE, 8);
        if (b.n == 0)
            print_error("case %s: no data drawn\n", cases[k].name);
        assert_true(b.n > 20);
        /* Inside the plot: well away from the edges. */
        assert_true(b.x0 > 60 && b.x1 < 1280 - 20 && b.y0 > 20 &&
                    b.y1 < 720 - 60);
        assert_border_white(s, (PAD - 1) * 2);
        cairo_surface_destroy(s);
        kiln_chart_free(c);
    }
    kiln_buf_fini(&png);
}

/* 100k points as a line and as a scatter: drawn, and (outside this test,
 * see the report) in a few tens of milliseconds. */
static void test_many_points(void **state)
{
    (void)state;
    size_t n = under_valgrind() ? 20000 : 100000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    uint64_t r = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        double u = (double)(r >> 11) / 9007199254740992.0;
        x[i] = (double)i / 100;
        y[i] = sin((double)i / 2000) + (u - 0.5) * 0.6;
    }
    kiln_buf png;
    kiln_buf_init(&png);
    for (int kind = 0; kind < 2; kind++) {
        kiln_chart_opts o = {.kind = kind ? KILN_CHART_SCATTER
                                          : KILN_CHART_LINE,
                             .title = "100k points", .x_label = "x",
                             .y_label = "y"};
        kiln_chart *c = kiln_chart_new(&o);
        kiln_chart_add_series(c, "noisy", x, y, n);
        cairo_surface_t *s = render(c, 2, &png);
        save(&png, kind ? "scatter100k.png" : "line100k.png");
        bbox b = colour_bbox(s, kind ? BLUE85 : BLUE, 24);
        assert_true(b.n > 50000);
        assert_true(b.x1 - b.x0 > 1000);
        /* A sine band: the middle of the band's box at x = 1/4 of the way
         * (the sine's top) is coloured, its bottom there is not. */
        int qx = b.x0 + (b.x1 - b.x0) * 157 / 1000; /* sin peaks at pi/2 */
        assert_true(count_colour(s, kind ? BLUE85 : BLUE, 24, qx - 3,
                                 b.y0, qx + 3, b.y0 + (b.y1 - b.y0) / 3) >
                    0);
        assert_int_equal(count_colour(s, kind ? BLUE85 : BLUE, 24, qx - 3,
                                      b.y1 - (b.y1 - b.y0) / 5, qx + 3,
                                      b.y1),
                         0);
        cairo_surface_destroy(s);
        kiln_chart_free(c);
    }
    kiln_buf_fini(&png);
    free(x);
    free(y);
}

/* Long texts are cut with an ellipsis, never drawn past the padding. */
static void test_long_texts(void **state)
{
    (void)state;
    size_t n = 20000;
    char *title = malloc(n + 1);
    assert_non_null(title);
    for (size_t i = 0; i < n; i++)
        title[i] = "Wide title W "[i % 13];
    title[n] = '\0';
    kiln_chart_opts o = {.kind = KILN_CHART_LINE, .title = title,
                         .x_label = title, .y_label = title};
    kiln_chart *c = kiln_chart_new(&o);
    double x[] = {1, 2, 3}, y[] = {3, 1, 2};
    kiln_chart_add_series(c, title, x, y, 3);
    kiln_chart_add_series(c, "a name in \xC3\xBC\xE2\x82\xAC and "
                             "\xF0\x9F\x93\x88 repeated a few times over "
                             "and over and over again",
                          y, x, 3);
    kiln_buf png;
    kiln_buf_init(&png);
    for (int scale = 1; scale <= 2; scale++) {
        cairo_surface_t *s = render(c, scale, &png);
        if (scale == 2)
            save(&png, "long-texts.png");
        assert_border_white(s, (PAD - 1) * scale);
        assert_true(count_colour(s, BLUE, 8, 0, 0, 1280, 720) > 100);
        cairo_surface_destroy(s);
    }
    kiln_chart_free(c);
    kiln_buf_fini(&png);
    free(title);
}

/* Many series: the whole colour cycle, a legend beside the plot, and a
 * "+ N more" row when they do not all fit. */
static void test_many_series(void **state)
{
    (void)state;
    kiln_buf png;
    kiln_buf_init(&png);
    size_t counts[] = {9, 60};
    for (size_t k = 0; k < 2; k++) {
        kiln_chart_opts o = {.kind = KILN_CHART_LINE,
                             .title = "Hyperparameter tuning jobs",
                             .x_label = "epoch", .y_label = "validation:auc"};
        kiln_chart *c = kiln_chart_new(&o);
        for (size_t i = 0; i < counts[k]; i++) {
            double x[50], y[50];
            for (int j = 0; j < 50; j++) {
                x[j] = j + 1;
                y[j] = 0.5 + 0.4 * (1 - exp(-j / (3.0 + (double)i))) +
                       0.003 * (double)i;
            }
            char name[32];
            snprintf(name, sizeof name, "tuning-job-%03zu", i + 1);
            assert_int_equal(kiln_chart_add_series(c, name, x, y, 50),
                             (int)i);
        }
        assert_int_equal(kiln_chart_series_count(c), counts[k]);
        cairo_surface_t *s = render(c, 2, &png);
        save(&png, k ? "series60.png" : "series9.png");
        for (size_t i = 0; i < 7; i++)
            assert_true(count_colour(s, okabe_ito[i], 8, 0, 0, 1280, 720) >
                        50);
        assert_border_white(s, (PAD - 1) * 2);
        cairo_surface_destroy(s);
        kiln_chart_free(c);
    }
    kiln_buf_fini(&png);
}

/* A scatter chart of two clusters, and a picture of it. */
static void test_scatter(void **state)
{
    (void)state;
    kiln_chart_opts o = {.kind = KILN_CHART_SCATTER,
                         .title = "k-means clusters", .x_label = "feature 1",
                         .y_label = "feature 2"};
    kiln_chart *c = kiln_chart_new(&o);
    double x[200], y[200];
    for (int i = 0; i < 200; i++) {
        double a = i * 2.399963, r = sqrt((double)(i % 100) / 100);
        x[i] = (i < 100 ? 2 : 6) + r * cos(a);
        y[i] = (i < 100 ? 2 : 5) + r * sin(a);
    }
    kiln_chart_add_series(c, "cluster 0", x, y, 100);
    kiln_chart_add_series(c, "cluster 1", x + 100, y + 100, 100);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "scatter.png");
    bbox b0 = colour_bbox(s, BLUE85, 20); /* blue at 85 % on white */
    bbox b1 = colour_bbox(s, ORANGE85, 20); /* orange at 85 % */
    assert_true(b0.n > 200 && b1.n > 200);
    /* Cluster 1 is up and to the right of cluster 0. */
    assert_true((b1.x0 + b1.x1) / 2 > (b0.x0 + b0.x1) / 2 + 300);
    assert_true((b1.y0 + b1.y1) / 2 < (b0.y0 + b0.y1) / 2 - 150);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* The same chart renders to the same bytes (no stale or uninitialised
 * state), and a live chart grown by appends matches one built at once. */
static void test_deterministic_and_append(void **state)
{
    (void)state;
    double x[30], y[30];
    for (int i = 0; i < 30; i++) {
        x[i] = i;
        y[i] = sqrt(i);
    }
    kiln_chart *a = line_chart("live");
    kiln_chart *b = line_chart("live");
    kiln_chart_add_series(a, "s", x, y, 30);
    int sb = kiln_chart_add_series(b, "s", NULL, NULL, 0);
    for (int i = 0; i < 30; i += 7)
        assert_int_equal(kiln_chart_append(b, sb, x + i, y + i,
                                           (size_t)(i + 7 <= 30 ? 7
                                                               : 30 - i)),
                         KILN_OK);
    kiln_buf p1, p2, p3;
    kiln_buf_init(&p1);
    kiln_buf_init(&p2);
    kiln_buf_init(&p3);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_chart_png(a, 2, &p1, NULL, NULL, &err), KILN_OK);
    assert_int_equal(kiln_chart_png(a, 2, &p2, NULL, NULL, &err), KILN_OK);
    assert_int_equal(kiln_chart_png(b, 2, &p3, NULL, NULL, &err), KILN_OK);
    assert_int_equal(p1.len, p2.len);
    assert_memory_equal(p1.data, p2.data, p1.len);
    assert_int_equal(p1.len, p3.len);
    assert_memory_equal(p1.data, p3.data, p1.len);
    /* Appending to a buffer keeps what was there. */
    kiln_buf_clear(&p2);
    kiln_buf_puts(&p2, "prefix");
    assert_int_equal(kiln_chart_png(a, 2, &p2, NULL, NULL, &err), KILN_OK);
    assert_int_equal(p2.len, 6 + p1.len);
    assert_memory_equal(p2.data + 6, p1.data, p1.len);
    kiln_buf_fini(&p1);
    kiln_buf_fini(&p2);
    kiln_buf_fini(&p3);
    kiln_chart_free(a);
    kiln_chart_free(b);
}

/* kiln's PNG encoder against libpng's decoder, on noise (every byte value,
 * nothing compressible) and odd sizes. */
static void test_encoder_round_trip(void **state)
{
    (void)state;
    int sizes[][2] = {{1, 1}, {3, 2}, {257, 129}, {1000, 40}};
    uint32_t r = 2463534242u;
    for (size_t k = 0; k < 4; k++) {
        int w = sizes[k][0], h = sizes[k][1];
        cairo_surface_t *img =
            cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        cairo_surface_flush(img);
        unsigned char *d = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                r ^= r << 13;
                r ^= r >> 17;
                r ^= r << 5;
                ((uint32_t *)(d + (size_t)y * stride))[x] = r & 0xFFFFFF;
            }
        cairo_surface_mark_dirty(img);
        kiln_buf png;
        kiln_buf_init(&png);
        kiln_error err;
        kiln_error_init(&err);
        assert_int_equal(kiln__chart_png_encode(img, &png, &err), KILN_OK);
        cairo_surface_t *back = decode_png(&png);
        assert_int_equal(cairo_image_surface_get_width(back), w);
        assert_int_equal(cairo_image_surface_get_height(back), h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                assert_int_equal(pixel(back, x, y), pixel(img, x, y));
        cairo_surface_destroy(back);
        cairo_surface_destroy(img);
        kiln_buf_fini(&png);
    }
}

/* xorshift64: a call, so that draws in one initializer list are sequenced
 * (a comma expression there modifies r unsequenced). */
static uint64_t xorshift(uint64_t *r)
{
    *r ^= *r << 13;
    *r ^= *r >> 7;
    *r ^= *r << 17;
    return *r;
}

/* Random charts (sizes, flags, data with NaN, infinities, zeros and every
 * magnitude): each renders, as PNG and SVG, with nothing past the padding
 * and the data's colour somewhere when any point is drawable. */
static void test_random_charts(void **state)
{
    (void)state;
    uint64_t r = 0x2545F4914F6CDD1Du;
#define NEXT() xorshift(&r)
#define UNIFORM() ((double)(NEXT() >> 11) / 9007199254740992.0)
    kiln_buf png, svg;
    kiln_buf_init(&png);
    kiln_buf_init(&svg);
    int rounds = under_valgrind() ? 12 : 80;
    for (int round = 0; round < rounds; round++) {
        kiln_chart_opts o = {
            .kind = UNIFORM() < 0.5 ? KILN_CHART_LINE : KILN_CHART_SCATTER,
            .title = UNIFORM() < 0.7 ? "Random chart" : NULL,
            .x_label = UNIFORM() < 0.7 ? "x axis" : NULL,
            .y_label = UNIFORM() < 0.7 ? "y axis" : NULL,
            .x_log = UNIFORM() < 0.2,
            .y_log = UNIFORM() < 0.2,
            .x_integer = UNIFORM() < 0.3,
            .width = 300 + (int)(UNIFORM() * 700),
            .height = 200 + (int)(UNIFORM() * 400),
        };
        kiln_chart *c = kiln_chart_new(&o);
        size_t ns = (size_t)(UNIFORM() * 5);
        double scale_x = pow(10, floor(UNIFORM() * 40) - 20);
        double scale_y = pow(10, floor(UNIFORM() * 40) - 20);
        for (size_t k = 0; k < ns; k++) {
            size_t n = (size_t)(UNIFORM() * 80);
            double x[80], y[80];
            for (size_t i = 0; i < n; i++) {
                double u = UNIFORM();
                x[i] = (UNIFORM() - 0.2) * scale_x;
                y[i] = (UNIFORM() - 0.2) * scale_y;
                if (u < 0.05)
                    y[i] = NAN;
                else if (u < 0.07)
                    x[i] = INFINITY;
                else if (u < 0.09)
                    y[i] = 0;
            }
            kiln_chart_add_series(c, k % 2 ? "series" : "another series",
                                  x, y, n);
        }
        kiln_error err;
        kiln_error_init(&err);
        cairo_surface_t *s = render(c, 1 + (int)(UNIFORM() * 2), &png);
        int scale = cairo_image_surface_get_width(s) / o.width;
        assert_border_white(s, (PAD - 1) * scale);
        cairo_surface_destroy(s);
        kiln_buf_clear(&svg);
        assert_int_equal(kiln_chart_svg(c, &svg, &err), KILN_OK);
        kiln_chart_free(c);
    }
#undef NEXT
#undef UNIFORM
    kiln_buf_fini(&png);
    kiln_buf_fini(&svg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_and_background),
        cmocka_unit_test(test_rising_line_position),
        cmocka_unit_test(test_two_series_and_legend),
        cmocka_unit_test(test_gap_at_nan),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_log_axis_nonpositive),
        cmocka_unit_test(test_empty_charts),
        cmocka_unit_test(test_degenerate_ranges),
        cmocka_unit_test(test_many_points),
        cmocka_unit_test(test_long_texts),
        cmocka_unit_test(test_many_series),
        cmocka_unit_test(test_scatter),
        cmocka_unit_test(test_deterministic_and_append),
        cmocka_unit_test(test_encoder_round_trip),
        cmocka_unit_test(test_random_charts),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cairo_debug_reset_static_data();
    return rc;
}
