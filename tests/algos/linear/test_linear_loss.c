/* Linear learner's losses (algos/linear/linear_loss.c): every loss's
 * gradient against central finite differences of its value, the values
 * against their formulas at hand-picked points, and the names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/linear/linear.h"

#include <math.h>
#include <string.h>

static double value_at(const kiln__linear_loss *l, const double *z, size_t k,
                       float y)
{
    float zf[16];
    for (size_t i = 0; i < k; i++)
        zf[i] = (float)z[i];
    return kiln__linear_loss_eval(l, zf, k, y, NULL);
}

/* dL/dz_i by central differences in float-representable steps. */
static void check_gradient(const kiln__linear_loss *l, const float *z0,
                           size_t k, float y)
{
    float g[16], zc[16];
    memcpy(zc, z0, k * sizeof *zc);
    kiln__linear_loss_eval(l, zc, k, y, g);
    for (size_t i = 0; i < k; i++) {
        double z[16];
        for (size_t j = 0; j < k; j++)
            z[j] = z0[j];
        double h = 1.0 / 1024; /* exact in float */
        z[i] = z0[i] + h;
        double up = value_at(l, z, k, y);
        z[i] = z0[i] - h;
        double down = value_at(l, z, k, y);
        double fd = (up - down) / (2 * h);
        if (fabs(fd - g[i]) > 2e-3 * (1 + fabs(fd)))
            fail_msg("loss %s, z[%zu] = %g, y = %g: gradient %g, finite "
                     "difference %g",
                     kiln__linear_loss_hp_name(l->kind), i, (double)z0[i],
                     (double)y, (double)g[i], fd);
    }
}

static void test_gradients_match_finite_differences(void **state)
{
    (void)state;
    kiln__linear_loss kinds[] = {
        {KILN__LOSS_LOGISTIC, 0, 0, 0, 0},
        {KILN__LOSS_HINGE, 1.0, 0, 0, 0},
        {KILN__LOSS_HINGE, 0.5, 0, 0, 0},
        {KILN__LOSS_SQUARED, 0, 0, 0, 0},
        {KILN__LOSS_ABSOLUTE, 0, 0, 0, 0},
        {KILN__LOSS_EPS_SQUARED, 0, 0.3, 0, 0},
        {KILN__LOSS_EPS_ABSOLUTE, 0, 0.3, 0, 0},
        {KILN__LOSS_QUANTILE, 0, 0, 0.2, 0},
        {KILN__LOSS_QUANTILE, 0, 0, 0.9, 0},
        {KILN__LOSS_HUBER, 0, 0, 0, 1.0},
        {KILN__LOSS_HUBER, 0, 0, 0, 0.25},
    };
    /* points away from every kink (margins, eps, delta, r = 0) */
    const float zs[] = {-3.1f, -1.7f, -0.61f, 0.13f, 0.77f, 2.3f, 5.9f};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        bool binary = kinds[i].kind == KILN__LOSS_LOGISTIC ||
                      kinds[i].kind == KILN__LOSS_HINGE;
        const float ys[] = {0.0f, 1.0f, 0.42f, -1.3f};
        size_t ny = binary ? 2 : 4;
        for (size_t a = 0; a < sizeof zs / sizeof zs[0]; a++)
            for (size_t b = 0; b < ny; b++) {
                float z = zs[a], y = ys[b];
                double r = (double)z - y;
                if (kinds[i].kind == KILN__LOSS_HINGE) {
                    double s = y > 0.5f ? 1 : -1;
                    if (fabs(kinds[i].margin - s * z) < 0.01)
                        continue;
                }
                if ((kinds[i].kind == KILN__LOSS_EPS_SQUARED ||
                     kinds[i].kind == KILN__LOSS_EPS_ABSOLUTE) &&
                    fabs(fabs(r) - kinds[i].epsilon) < 0.01)
                    continue;
                if (kinds[i].kind == KILN__LOSS_HUBER &&
                    fabs(fabs(r) - kinds[i].delta) < 0.01)
                    continue;
                check_gradient(&kinds[i], &z, 1, y);
            }
    }
    kiln__linear_loss soft = {KILN__LOSS_SOFTMAX, 0, 0, 0, 0};
    const float z3[] = {0.3f, -1.2f, 2.1f, 0.05f, -0.4f};
    for (float y = 0; y < 5; y++)
        check_gradient(&soft, z3, 5, y);
    const float big[] = {80.0f, -75.0f, 90.0f}; /* no overflow */
    check_gradient(&soft, big, 3, 1.0f);
}

static void test_values_at_known_points(void **state)
{
    (void)state;
    float z;
    kiln__linear_loss l = {KILN__LOSS_LOGISTIC, 0, 0, 0, 0};
    z = 0;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), log(2.0), 1e-12);
    z = 2;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 0, NULL),
                       log1p(exp(2.0)), 1e-9);
    z = -800; /* no overflow: log(1 + e^800) = 800 */
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 800, 1e-9);
    l = (kiln__linear_loss){KILN__LOSS_HINGE, 1.0, 0, 0, 0};
    z = 0.25f;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 0.75, 1e-12);
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 0, NULL), 1.25, 1e-12);
    z = 3;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 0, 0);
    /* squared_loss is r^2 (SageMaker's mse_objective equals its mse) */
    l = (kiln__linear_loss){KILN__LOSS_SQUARED, 0, 0, 0, 0};
    z = 3;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 4, 0);
    l = (kiln__linear_loss){KILN__LOSS_ABSOLUTE, 0, 0, 0, 0};
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 5, NULL), 2, 0);
    l = (kiln__linear_loss){KILN__LOSS_EPS_SQUARED, 0, 0.5, 0, 0};
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 2.25, 1e-12);
    z = 1.25f;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 0, 0);
    l = (kiln__linear_loss){KILN__LOSS_EPS_ABSOLUTE, 0, 0.5, 0, 0};
    z = 3;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 1, NULL), 1.5, 1e-12);
    /* pinball: q (y - z) under, (1 - q)(z - y) over */
    l = (kiln__linear_loss){KILN__LOSS_QUANTILE, 0, 0, 0.25, 0};
    z = 1;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 3, NULL), 0.5, 1e-12);
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, -1, NULL), 1.5, 1e-12);
    l = (kiln__linear_loss){KILN__LOSS_HUBER, 0, 0, 0, 1.0};
    z = 0.5f;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 0, NULL), 0.125, 1e-12);
    z = 3;
    assert_float_equal(kiln__linear_loss_eval(&l, &z, 1, 0, NULL), 2.5, 1e-12);
    l = (kiln__linear_loss){KILN__LOSS_SOFTMAX, 0, 0, 0, 0};
    float zz[3] = {1, 2, 3};
    double lse = log(exp(1.0) + exp(2.0) + exp(3.0));
    assert_float_equal(kiln__linear_loss_eval(&l, zz, 3, 0, NULL), lse - 1, 1e-6);
    /* the gradient may overwrite the scores */
    float g[3];
    kiln__linear_loss_eval(&l, zz, 3, 2, g);
    double v = kiln__linear_loss_eval(&l, zz, 3, 2, zz);
    assert_float_equal(v, lse - 3, 1e-6);
    for (int i = 0; i < 3; i++)
        assert_float_equal(zz[i], g[i], 0);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(kiln__linear_loss_objective(KILN__LOSS_LOGISTIC),
                        "binary_classification_cross_entropy_objective");
    assert_string_equal(kiln__linear_loss_objective(KILN__LOSS_SOFTMAX),
                        "multiclass_cross_entropy_objective");
    assert_string_equal(kiln__linear_loss_objective(KILN__LOSS_SQUARED),
                        "mse_objective");
    const char *names[] = {"logistic", "hinge_loss", "softmax_loss",
                           "squared_loss", "absolute_loss",
                           "eps_insensitive_squared_loss",
                           "eps_insensitive_absolute_loss", "quantile_loss",
                           "huber_loss"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int k = kiln__linear_loss_parse(names[i]);
        assert_true(k >= 0);
        assert_string_equal(kiln__linear_loss_hp_name(k), names[i]);
        const char *o = kiln__linear_loss_objective(k);
        assert_non_null(strstr(o, "_objective"));
    }
    assert_int_equal(kiln__linear_loss_parse("auto"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients_match_finite_differences),
        cmocka_unit_test(test_values_at_known_points),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
