/* Tests for plotting/chart.c: the chart object, its series, and the
 * errors of the output functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plotting/chart.h"

#include "plot_test.h"

#include <math.h>
#include <pthread.h>

static void test_series(void **state)
{
    (void)state;
    kiln_chart_free(NULL);
    assert_int_equal(kiln_chart_series_count(NULL), 0);
    kiln_chart *c = kiln_chart_new(NULL);
    assert_non_null(c);
    assert_int_equal(kiln_chart_series_count(c), 0);
    double x[] = {1, 2, 3}, y[] = {4, 5, 6};
    for (int i = 0; i < 12; i++)
        assert_int_equal(kiln_chart_add_series(c, "s", x, y, 3), i);
    assert_int_equal(kiln_chart_series_count(c), 12);
    assert_int_equal(kiln_chart_add_series(c, "empty", NULL, NULL, 0), 12);
    /* Missing data for n > 0 is refused. */
    assert_int_equal(kiln_chart_add_series(c, "bad", NULL, y, 3), -1);
    assert_int_equal(kiln_chart_add_series(NULL, "bad", x, y, 3), -1);
    assert_int_equal(kiln_chart_series_count(c), 13);

    assert_int_equal(kiln_chart_append(c, 12, x, y, 3), KILN_OK);
    assert_int_equal(kiln_chart_append(c, 12, NULL, NULL, 0), KILN_OK);
    assert_int_equal(kiln_chart_append(c, 12, NULL, y, 1), KILN_VALUE);
    assert_int_equal(kiln_chart_append(c, 13, x, y, 1), KILN_INDEX);
    assert_int_equal(kiln_chart_append(c, -1, x, y, 1), KILN_INDEX);
    assert_int_equal(kiln_chart_append(NULL, 0, x, y, 1), KILN_INDEX);
    /* A live chart: thousands of single-point appends. */
    for (int i = 0; i < 5000; i++) {
        double xi = i, yi = sqrt(i);
        assert_int_equal(kiln_chart_append(c, 0, &xi, &yi, 1), KILN_OK);
    }
    kiln_chart_free(c);
}

/* Series data and option strings are copied: changing or freeing the
 * caller's arrays after the call changes nothing. */
static void test_copies(void **state)
{
    (void)state;
    char title[] = "original title";
    double x[] = {0, 1, 2, 3}, y[] = {3, 1, 2, 0};
    kiln_chart_opts o = {.title = title};
    kiln_chart *a = kiln_chart_new(&o);
    kiln_chart_add_series(a, "s", x, y, 4);
    kiln_buf before, after;
    kiln_buf_init(&before);
    kiln_buf_init(&after);
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(kiln_chart_png(a, 1, &before, NULL, NULL, &err),
                     KILN_OK);
    memcpy(title, "changed!", 9);
    y[0] = 100;
    x[3] = -5;
    assert_int_equal(kiln_chart_png(a, 1, &after, NULL, NULL, &err),
                     KILN_OK);
    assert_int_equal(before.len, after.len);
    assert_memory_equal(before.data, after.data, before.len);
    kiln_buf_fini(&before);
    kiln_buf_fini(&after);
    kiln_chart_free(a);
}

static void test_output_errors(void **state)
{
    (void)state;
    kiln_buf out;
    kiln_buf_init(&out);
    kiln_buf_puts(&out, "kept");
    kiln_error err;
    int w = -1, h = -1;

    kiln_chart *c = kiln_chart_new(NULL);
    for (int scale = -1; scale <= 5; scale += 6) {
        kiln_error_init(&err);
        assert_int_equal(kiln_chart_png(c, scale, &out, &w, &h, &err),
                         KILN_VALUE);
        assert_non_null(strstr(err.message, "scale"));
    }
    kiln_error_init(&err);
    assert_int_equal(kiln_chart_png(NULL, 2, &out, &w, &h, &err),
                     KILN_VALUE);
    kiln_chart_free(c);

    /* Sizes out of range, for PNG and SVG. */
    int sizes[][2] = {{10, 360}, {640, 119}, {5000, 360}, {640, -3}};
    for (size_t k = 0; k < 4; k++) {
        kiln_chart_opts o = {.width = sizes[k][0], .height = sizes[k][1]};
        c = kiln_chart_new(&o);
        kiln_error_init(&err);
        assert_int_equal(kiln_chart_png(c, 1, &out, &w, &h, &err),
                         KILN_VALUE);
        assert_non_null(strstr(err.message, "out of range"));
        kiln_error_init(&err);
        assert_int_equal(kiln_chart_svg(c, &out, &err), KILN_VALUE);
        kiln_chart_free(c);
    }
    /* Too many pixels at the scale asked for. */
    kiln_chart_opts big = {.width = 4096, .height = 4096};
    c = kiln_chart_new(&big);
    kiln_error_init(&err);
    assert_int_equal(kiln_chart_png(c, 4, &out, &w, &h, &err), KILN_VALUE);
    assert_non_null(strstr(err.message, "pixels"));
    kiln_chart_free(c);

    /* Failures leave the buffer and the size outputs alone. */
    assert_string_equal(kiln_buf_str(&out), "kept");
    assert_int_equal(w, -1);
    assert_int_equal(h, -1);

    /* Width or height 0 means the default for that side only. */
    kiln_chart_opts half = {.width = 200};
    c = kiln_chart_new(&half);
    kiln_error_init(&err);
    kiln_buf_clear(&out);
    assert_int_equal(kiln_chart_png(c, 1, &out, &w, &h, &err), KILN_OK);
    assert_int_equal(w, 200);
    assert_int_equal(h, 360);
    kiln_chart_free(c);
    kiln_buf_fini(&out);
}

/* Smallest and odd sizes lay out without overflowing the padding. */
static void test_small_sizes(void **state)
{
    (void)state;
    int sizes[][2] = {{120, 120}, {200, 120}, {120, 300}, {333, 177}};
    kiln_buf png;
    kiln_buf_init(&png);
    for (size_t k = 0; k < 4; k++) {
        kiln_chart_opts o = {.title = "Tiny", .x_label = "x",
                             .y_label = "y", .width = sizes[k][0],
                             .height = sizes[k][1]};
        kiln_chart *c = kiln_chart_new(&o);
        double x[] = {1, 2, 3}, y[] = {10, 30, 20};
        kiln_chart_add_series(c, "a", x, y, 3);
        kiln_chart_add_series(c, "b", y, x, 3);
        cairo_surface_t *s = render(c, 2, &png);
        char name[64];
        snprintf(name, sizeof name, "small-%dx%d.png", sizes[k][0],
                 sizes[k][1]);
        save(&png, name);
        /* The smallest sizes cannot hold every text; a realistic small
         * one does, inside the padding. */
        if (sizes[k][0] >= 300)
            assert_border_white(s, (PAD - 1) * 2);
        cairo_surface_destroy(s);
        kiln_chart_free(c);
    }
    kiln_buf_fini(&png);
}

/* Different charts render concurrently (chart.h): four threads, each its
 * own chart, give the bytes a lone render gives. */
typedef struct job {
    kiln_chart *chart;
    kiln_buf png, svg;
    int rc;
} job;

static void *render_job(void *arg)
{
    job *j = arg;
    kiln_error err;
    kiln_error_init(&err);
    j->rc = KILN_OK;
    for (int k = 0; k < 3 && j->rc == KILN_OK; k++) {
        kiln_buf_clear(&j->png);
        kiln_buf_clear(&j->svg);
        j->rc = kiln_chart_png(j->chart, 2, &j->png, NULL, NULL, &err);
        if (j->rc == KILN_OK)
            j->rc = kiln_chart_svg(j->chart, &j->svg, &err);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    (void)state;
    enum { N = 4 };
    job jobs[N];
    pthread_t th[N];
    for (int t = 0; t < N; t++) {
        kiln_chart_opts o = {.title = "concurrent", .x_label = "x",
                             .y_label = "y"};
        jobs[t].chart = kiln_chart_new(&o);
        double x[50], y[50];
        for (int i = 0; i < 50; i++) {
            x[i] = i;
            y[i] = sin(i * 0.2 + t);
        }
        kiln_chart_add_series(jobs[t].chart, "a", x, y, 50);
        kiln_chart_add_series(jobs[t].chart, "b", y, x, 50);
        kiln_buf_init(&jobs[t].png);
        kiln_buf_init(&jobs[t].svg);
    }
    for (int t = 0; t < N; t++)
        assert_int_equal(pthread_create(&th[t], NULL, render_job, &jobs[t]),
                         0);
    for (int t = 0; t < N; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    for (int t = 0; t < N; t++) {
        assert_int_equal(jobs[t].rc, KILN_OK);
        job lone = {.chart = jobs[t].chart};
        kiln_buf_init(&lone.png);
        kiln_buf_init(&lone.svg);
        render_job(&lone);
        assert_int_equal(lone.png.len, jobs[t].png.len);
        assert_memory_equal(lone.png.data, jobs[t].png.data, lone.png.len);
        assert_string_equal(kiln_buf_str(&lone.svg),
                            kiln_buf_str(&jobs[t].svg));
        kiln_buf_fini(&lone.png);
        kiln_buf_fini(&lone.svg);
        kiln_buf_fini(&jobs[t].png);
        kiln_buf_fini(&jobs[t].svg);
        kiln_chart_free(jobs[t].chart);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_copies),
        cmocka_unit_test(test_output_errors),
        cmocka_unit_test(test_small_sizes),
        cmocka_unit_test(test_concurrent),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    cairo_debug_reset_static_data();
    return rc;
}
