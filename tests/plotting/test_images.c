/* Image grids (KILN_CHART_IMAGES): the API's checks, where each image
 * lands and how its values are shaded, read back from the PNG's pixels;
 * the SVG's description; the empty grid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "plot_test.h"

#include <math.h>

#define BLACK 0x000000u
#define NAN_RED 0xF4C7C3u
#define CELL 72  /* an image's side in an automatically sized grid, CSS px */
#define GAP 10   /* between images */

static kiln_chart *grid(const char *title, int w, int h)
{
    kiln_chart_opts o = {.kind = KILN_CHART_IMAGES, .title = title,
                         .width = w, .height = h};
    kiln_chart *c = kiln_chart_new(&o);
    assert_non_null(c);
    return c;
}

static void test_api(void **state)
{
    (void)state;
    double v[16] = {0};
    kiln_chart_opts lo = {.kind = KILN_CHART_LINE};
    kiln_chart *line = kiln_chart_new(&lo);
    assert_int_equal(kiln_chart_set_images(line, 1, 4, 4, v, NULL), KILN_VALUE);
    kiln_chart_free(line);
    assert_int_equal(kiln_chart_set_images(NULL, 1, 4, 4, v, NULL), KILN_VALUE);
    kiln_chart *c = grid("t", 0, 0);
    assert_int_equal(kiln_chart_set_images(c, 1, 0, 4, v, NULL), KILN_VALUE);
    assert_int_equal(kiln_chart_set_images(c, 1, 4, 4, NULL, NULL), KILN_VALUE);
    assert_int_equal(kiln_chart_set_images(c, KILN_CHART_IMAGES_MAX + 1, 1, 1,
                                           v, NULL),
                     KILN_VALUE);
    assert_int_equal(kiln_chart_set_images(c, 1, KILN_CHART_IMAGE_SIDE + 1, 1,
                                           v, NULL),
                     KILN_VALUE);
    assert_int_equal(kiln_chart_set_images(c, 1, 4, 4, v, NULL), KILN_OK);
    /* a series has no place in an image grid */
    assert_int_equal(kiln_chart_add_series(c, "s", v, v, 1), -1);
    kiln_chart_free(c);
}

/* Three 4 x 4 images: all low (white), all high (black), and left half
 * low, right half high with one NaN pixel.  The black ink is exactly the
 * second image and the right half of the third, where the grid's layout
 * puts them. */
static void test_three(void **state)
{
    (void)state;
    double v[48];
    for (int i = 0; i < 16; i++) {
        v[i] = 0.0;
        v[16 + i] = 1.0;
        v[32 + i] = (i % 4) >= 2 ? 1.0 : 0.0;
    }
    v[32 + 4 * 3 + 0] = NAN; /* row 3, column 0 of the third */
    const char *labels[] = {"blank", "ink", "half"};
    kiln_chart *c = grid("Three", 0, 0);
    assert_int_equal(kiln_chart_set_images(c, 3, 4, 4, v, labels), KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 2, &png);
    save(&png, "images-three.png");
    int w = cairo_image_surface_get_width(s);
    /* width: padding, three images and two gaps */
    assert_int_equal(w, 2 * (2 * PAD + 3 * CELL + 2 * GAP));
    bbox ink = colour_bbox(s, BLACK, 8);
    /* from the second image's left edge to the third's right edge, one
     * image high (the frame's hairline is grey, not black) */
    int x0 = 2 * (PAD + CELL + GAP), x1 = 2 * (PAD + 3 * CELL + 2 * GAP);
    assert_true(abs(ink.x0 - x0) <= 2 && abs(ink.x1 - x1) <= 2);
    assert_true(abs((ink.y1 - ink.y0) - 2 * CELL) <= 2);
    /* the second image is all ink, the third half */
    int top = ink.y0, mid = top + CELL;
    assert_int_equal(pixel(s, x0 + CELL, mid), BLACK);
    int third = 2 * (PAD + 2 * CELL + 2 * GAP);
    assert_int_equal(pixel(s, third + CELL / 4, top + CELL / 2), WHITE);
    assert_int_equal(pixel(s, third + 3 * CELL / 2, top + CELL / 2), BLACK);
    /* the NaN pixel: the third image's bottom-left quarter-cell */
    assert_true(near_colour(pixel(s, third + CELL / 4, top + 2 * CELL - 8),
                            NAN_RED, 2));
    /* the first image is white inside its frame */
    int first = 2 * PAD;
    assert_int_equal(count_colour(s, BLACK, 60, first + 4, top + 4,
                                  first + 2 * CELL - 4, top + 2 * CELL - 4),
                     0);
    /* its label is written under it (dark text pixels in that band) */
    assert_true(count_colour(s, 0x444444u, 0x50, first, top + 2 * CELL + 4,
                             first + 2 * CELL, top + 2 * CELL + 40) > 20);
    assert_border_white(s, (PAD - 1) * 2);
    cairo_surface_destroy(s);
    char *doc = render_svg(c);
    assert_well_formed(doc);
    assert_non_null(strstr(doc, "3 images of 4x4: blank, ink, half"));
    free(doc);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

/* More than ten images wrap into rows of ten; a given width is filled. */
static void test_rows_and_width(void **state)
{
    (void)state;
    double v[25 * 9];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        v[i] = (double)(i % 9);
    kiln_chart *c = grid(NULL, 0, 0);
    assert_int_equal(kiln_chart_set_images(c, 25, 3, 3, v, NULL), KILN_OK);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 1, &png);
    assert_int_equal(cairo_image_surface_get_width(s),
                     2 * PAD + 10 * CELL + 9 * GAP);
    /* three rows: the bottom-right pixel of each image is its darkest (the
     * value 8, black); count black blocks down the first column */
    bbox ink = colour_bbox(s, BLACK, 8);
    assert_true(ink.y1 - ink.y0 > 2 * CELL + 2 * GAP);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    c = grid("wide", 1000, 0);
    assert_int_equal(kiln_chart_set_images(c, 4, 3, 3, v, NULL), KILN_OK);
    s = render(c, 1, &png);
    assert_int_equal(cairo_image_surface_get_width(s), 1000);
    ink = colour_bbox(s, BLACK, 8);
    assert_true(ink.x1 > 900); /* the last image reaches the right side */
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

static void test_empty(void **state)
{
    (void)state;
    kiln_chart *c = grid("Nothing", 640, 360);
    kiln_buf png;
    kiln_buf_init(&png);
    cairo_surface_t *s = render(c, 1, &png);
    assert_int_equal(count_colour(s, BLACK, 8, 0, 0, 640, 360), 0);
    /* the grey "no data yet" note in the middle */
    assert_true(count_colour(s, 0x8C8C8Cu, 24, 240, 140, 400, 220) > 20);
    cairo_surface_destroy(s);
    kiln_chart_free(c);
    kiln_buf_fini(&png);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_three),
        cmocka_unit_test(test_rows_and_width),
        cmocka_unit_test(test_empty),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    kiln_chart_release_caches();
    return rc;
}
