/* Tests for SVG charts: well-formed XML with the declared size, the text in
 * <title>/<desc>, glyphs counted for the drawn text (cairo draws text as
 * glyph outlines, one <use> per glyph), the series colours, and the gaps
 * in a line's path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plotting/chart.h"
#include "core/utf8.h"

#include "plot_test.h"

#include <math.h>

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static size_t glyphs(const char *doc)
{
    return count(doc, "<use xlink:href=\"#glyph");
}

static kiln_chart *sample(const char *title, int w, int h)
{
    kiln_chart_opts o = {.kind = KILN_CHART_LINE, .title = title,
                         .x_label = "round", .y_label = "rmse",
                         .x_integer = true, .width = w, .height = h};
    kiln_chart *c = kiln_chart_new(&o);
    double x[20], a[20], b[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i + 1;
        a[i] = 1.0 / (i + 1);
        b[i] = 1.2 / (i + 1) + 0.1;
    }
    kiln_chart_add_series(c, "train:rmse", x, a, 20);
    kiln_chart_add_series(c, "validation:rmse", x, b, 20);
    return c;
}

static void test_document(void **state)
{
    (void)state;
    kiln_chart *c = sample("RMSE by round", 0, 0);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    assert_non_null(strstr(doc, "<svg"));
    assert_non_null(strstr(doc, "width=\"640px\""));
    assert_non_null(strstr(doc, "height=\"360px\""));
    assert_non_null(strstr(doc, "viewBox=\"0 0 640 360\""));
    assert_non_null(strstr(doc, "<title>RMSE by round</title>"));
    assert_non_null(strstr(doc, "<desc>x: round; y: rmse; series: "
                                "train:rmse, validation:rmse</desc>"));
    /* The series colours, as strokes of their lines. */
    char blue[128], orange[128], want[256];
    cairo_rgb(BLUE, blue, sizeof blue);
    cairo_rgb(ORANGE, orange, sizeof orange);
    snprintf(want, sizeof want, "stroke:%s", blue);
    assert_non_null(strstr(doc, want));
    snprintf(want, sizeof want, "stroke:%s", orange);
    assert_non_null(strstr(doc, want));
    /* A white background covers the whole page. */
    assert_non_null(strstr(doc, "fill:rgb(100%,100%,100%)"));
    /* The same chart gives the same document, render after render. */
    char *again = render_svg(c);
    assert_string_equal(doc, again);
    free(again);
    FILE *f = fopen(KILN_PLOT_OUT "/sample.svg", "w");
    if (f != NULL) {
        fputs(doc, f);
        fclose(f);
    }
    free(doc);
    kiln_chart_free(c);

    c = sample(NULL, 300, 200);
    doc = render_svg(c);
    assert_well_formed(doc);
    assert_non_null(strstr(doc, "width=\"300px\""));
    assert_non_null(strstr(doc, "height=\"200px\""));
    assert_null(strstr(doc, "<title>"));
    free(doc);
    kiln_chart_free(c);
}

/* Each glyph of the title is one <use>: titles of the same layout differ
 * by their lengths. */
static void test_title_glyphs(void **state)
{
    (void)state;
    kiln_chart *c1 = sample("C", 0, 0);
    kiln_chart *c2 = sample("Convergence", 0, 0);
    char *d1 = render_svg(c1), *d2 = render_svg(c2);
    assert_int_equal(glyphs(d2) - glyphs(d1), 10);
    free(d1);
    free(d2);
    kiln_chart_free(c1);
    kiln_chart_free(c2);

    /* A 20000-character title becomes one line of "…"-ended text. */
    char *title = malloc(20001);
    assert_non_null(title);
    for (int i = 0; i < 20000; i++)
        title[i] = "Convergence"[i % 11];
    title[20000] = '\0';
    c1 = sample("C", 0, 0);
    c2 = sample(title, 0, 0);
    d1 = render_svg(c1);
    d2 = render_svg(c2);
    size_t extra = glyphs(d2) - glyphs(d1);
    assert_true(extra > 30);   /* most of the width is used */
    assert_true(extra < 120);  /* 620 px of 14.5 px text */
    assert_non_null(strstr(d2, "<title>ConvergenceConvergence"));
    assert_well_formed(d2);
    free(d1);
    free(d2);
    kiln_chart_free(c1);
    kiln_chart_free(c2);
    free(title);
}

static void test_escaping_and_bad_utf8(void **state)
{
    (void)state;
    kiln_chart_opts o = {.title = "a < b & \"c\" \xFF\xFE\n\x01 end",
                         .x_label = "<x>", .y_label = "y&y"};
    kiln_chart *c = kiln_chart_new(&o);
    double v[] = {1, 2};
    kiln_chart_add_series(c, "<s1>", v, v, 2);
    kiln_chart_add_series(c, NULL, v, v, 2);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    assert_non_null(strstr(doc, "<title>a &lt; b &amp; &quot;c&quot; "
                                "\xEF\xBF\xBD\xEF\xBF\xBD   end</title>"));
    assert_non_null(strstr(doc, "x: &lt;x&gt;; y: y&amp;y; series: "
                                "&lt;s1&gt;, series 2</desc>"));
    free(doc);
    kiln_chart_free(c);
}

/* The blue line's path: one sub-path ("M") per run between gaps. */
static size_t blue_subpaths(const char *doc)
{
    char blue[128], want[256];
    cairo_rgb(BLUE, blue, sizeof blue);
    snprintf(want, sizeof want, "stroke-linejoin:round;stroke:%s", blue);
    size_t moves = 0;
    for (const char *p = strstr(doc, want); p; p = strstr(p + 1, want)) {
        const char *d = strstr(p, " d=\"");
        assert_non_null(d);
        const char *end = strchr(d + 4, '"');
        for (const char *q = d + 4; q < end; q++)
            moves += *q == 'M';
    }
    return moves;
}

static void test_gaps_in_path(void **state)
{
    (void)state;
    double x[20], y[20];
    for (int i = 0; i < 20; i++) {
        x[i] = i;
        y[i] = sin(i);
    }
    kiln_chart *c = kiln_chart_new(NULL);
    kiln_chart_add_series(c, "s", x, y, 20);
    char *doc = render_svg(c);
    assert_int_equal(blue_subpaths(doc), 1);
    free(doc);
    kiln_chart_free(c);

    y[5] = NAN;
    y[12] = INFINITY;
    y[13] = -INFINITY;
    c = kiln_chart_new(NULL);
    kiln_chart_add_series(c, "s", x, y, 20);
    doc = render_svg(c);
    assert_int_equal(blue_subpaths(doc), 3);
    free(doc);
    kiln_chart_free(c);

    /* On a log axis, values <= 0 are gaps too. */
    kiln_chart_opts o = {.y_log = true};
    c = kiln_chart_new(&o);
    for (int i = 0; i < 20; i++)
        y[i] = i % 7 == 3 ? -1 : i + 1;
    kiln_chart_add_series(c, "s", x, y, 20);
    doc = render_svg(c);
    assert_int_equal(blue_subpaths(doc), 4);
    free(doc);
    kiln_chart_free(c);
}

/* 100k points: M4 keeps a line's SVG small; a scatter's hidden points
 * are dropped. */
static void test_many_points(void **state)
{
    (void)state;
    size_t n = under_valgrind() ? 20000 : 100000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i;
        y[i] = sin((double)i * 0.37) + (double)(i % 13) * 0.01;
    }
    kiln_chart_opts o = {.kind = KILN_CHART_LINE, .title = "dense"};
    kiln_chart *c = kiln_chart_new(&o);
    kiln_chart_add_series(c, "s", x, y, n);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    assert_true(strlen(doc) < 600 * 1000);
    free(doc);
    kiln_chart_free(c);

    o.kind = KILN_CHART_SCATTER;
    c = kiln_chart_new(&o);
    kiln_chart_add_series(c, "s", x, y, n);
    doc = render_svg(c);
    assert_true(strlen(doc) < 8 * 1000 * 1000);
    free(doc);
    kiln_chart_free(c);
    free(x);
    free(y);
}

static void test_empty(void **state)
{
    (void)state;
    kiln_chart_opts o = {.title = "Waiting"};
    kiln_chart *c = kiln_chart_new(&o);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    /* Title, tick labels and the note are all glyphs. */
    assert_true(glyphs(doc) > 30);
    free(doc);
    kiln_chart_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_title_glyphs),
        cmocka_unit_test(test_escaping_and_bad_utf8),
        cmocka_unit_test(test_gaps_in_path),
        cmocka_unit_test(test_many_points),
        cmocka_unit_test(test_empty),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cairo_debug_reset_static_data();
    return rc;
}
