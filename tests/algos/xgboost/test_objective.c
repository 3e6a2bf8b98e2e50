/* XGBoost's objectives (algos/xgboost/xgb_objective.c): every gradient
 * against central finite differences of the loss it belongs to, every
 * hessian against finite differences of the gradient (or xgboost's
 * documented substitute: the weight for reg:absoluteerror and
 * binary:hinge, twice the diagonal for softmax), weights and
 * scale_pos_weight, the hessian floors, the transforms and base_score
 * against closed forms, and the label checks' messages.  The xgboost
 * library itself is the oracle in tests/python/test_xgb_metrics.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/xgboost/xgb.h"

#include <float.h>
#include <math.h>
#include <string.h>

static kiln__xgb_obj_params defaults(void)
{
    return (kiln__xgb_obj_params){0, 1.0, 1.5, 1.0, 0.7};
}

static const kiln__xgb_objective *find(const char *name)
{
    const kiln__xgb_objective *o = kiln__xgb_objective_find(name);
    if (o == NULL)
        fail_msg("objective %s not found", name);
    return o;
}

/* One row's (g, h) at margin m, label y, weight w. */
static void grad1(const kiln__xgb_objective *o, const kiln__xgb_obj_params *p,
                  float m, float y, float w, float *g, float *h)
{
    o->gradient(p, &m, &y, &w, 1, 1, g, h);
}

/* ---- the losses the gradients belong to (double) ----------------------- */

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static double loss(const char *name, const kiln__xgb_obj_params *p,
                   double m, double y)
{
    if (strcmp(name, "reg:squarederror") == 0)
        return 0.5 * (m - y) * (m - y);
    if (strcmp(name, "reg:squaredlogerror") == 0) {
        double d = log1p(m) - log1p(y);
        return 0.5 * d * d;
    }
    if (strncmp(name, "binary:logi", 11) == 0 ||
        strcmp(name, "reg:logistic") == 0) {
        double s = sigmoid(m);
        return -(y * log(s) + (1 - y) * log(1 - s));
    }
    if (strcmp(name, "reg:pseudohubererror") == 0) {
        double d = p->huber_slope, z = (m - y) / d;
        return d * d * (sqrt(1 + z * z) - 1);
    }
    if (strcmp(name, "reg:absoluteerror") == 0)
        return fabs(m - y);
    if (strcmp(name, "reg:gamma") == 0)
        return y * exp(-m) + m;
    if (strcmp(name, "reg:tweedie") == 0) {
        double r = p->tweedie_variance_power;
        return -y * exp((1 - r) * m) / (1 - r) + exp((2 - r) * m) / (2 - r);
    }
    if (strcmp(name, "count:poisson") == 0)
        return exp(m) - y * m;
    if (strcmp(name, "binary:hinge") == 0) {
        double t = 2 * y - 1;
        return fmax(0, 1 - t * m);
    }
    fail_msg("no loss for %s", name);
    return 0;
}

/* Objectives whose hessian is not the loss's second derivative. */
static bool hessian_is_weight(const char *name)
{
    return strcmp(name, "reg:absoluteerror") == 0 ||
           strcmp(name, "binary:hinge") == 0;
}

static void check_row(const kiln__xgb_objective *o,
                      const kiln__xgb_obj_params *p, float m, float y)
{
    const double e = 1.0 / 1024;
    float g, h, gu, hu, gd, hd;
    grad1(o, p, m, y, 1.0f, &g, &h);
    double fd = (loss(o->name, p, m + e, y) - loss(o->name, p, m - e, y)) /
                (2 * e);
    if (fabs(fd - g) > 2e-3 * (1 + fabs(fd)))
        fail_msg("%s, m = %g, y = %g: gradient %g, finite difference %g",
                 o->name, (double)m, (double)y, (double)g, fd);
    if (hessian_is_weight(o->name)) {
        /* hinge, outside the margin: FLT_MIN, as xgboost */
        bool flat = strcmp(o->name, "binary:hinge") == 0 &&
                    (2 * y - 1) * m >= 1;
        assert_true(h == (flat ? FLT_MIN : 1.0f));
        return;
    }
    grad1(o, p, (float)(m + e), y, 1.0f, &gu, &hu);
    grad1(o, p, (float)(m - e), y, 1.0f, &gd, &hd);
    double fh = ((double)gu - gd) / (2 * e);
    if (strcmp(o->name, "reg:squaredlogerror") == 0 && fh < 1e-6) {
        assert_float_equal(h, 1e-6f, 0); /* xgboost's floor */
        return;
    }
    if (fabs(fh - h) > 5e-3 * (1 + fabs(fh)))
        fail_msg("%s, m = %g, y = %g: hessian %g, finite difference %g",
                 o->name, (double)m, (double)y, (double)h, fh);
}

static void test_gradients_match_finite_differences(void **state)
{
    (void)state;
    const char *names[] = {"reg:squarederror", "reg:squaredlogerror",
                           "reg:logistic", "binary:logistic",
                           "binary:logitraw", "reg:pseudohubererror",
                           "reg:absoluteerror", "reg:gamma", "reg:tweedie",
                           "count:poisson", "binary:hinge"};
    const float ms[] = {-2.3f, -0.61f, 0.13f, 0.77f, 1.9f};
    const float ys[] = {0.0f, 1.0f, 0.42f, 2.5f, 7.0f};
    kiln__xgb_obj_params p = defaults();
    p.poisson_max_delta_step = 0; /* the true hessian; 0.7 below */
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const kiln__xgb_objective *o = find(names[i]);
        for (size_t a = 0; a < sizeof ms / sizeof ms[0]; a++)
            for (size_t b = 0; b < sizeof ys / sizeof ys[0]; b++) {
                float y = ys[b];
                kiln_error err = {0};
                if (o->check_labels(&p, &y, 1, &err) != KILN_OK)
                    continue; /* outside the objective's domain */
                if (strcmp(o->name, "reg:squaredlogerror") == 0 &&
                    ms[a] <= -1)
                    continue; /* clamped to -1 + 1e-6 */
                if (strcmp(o->name, "binary:hinge") == 0 &&
                    fabs(1 - (2 * y - 1) * ms[a]) < 0.01)
                    continue;
                check_row(o, &p, ms[a], y);
            }
    }
    /* other parameters */
    p.huber_slope = 0.3;
    check_row(find("reg:pseudohubererror"), &p, 1.7f, -0.4f);
    p.tweedie_variance_power = 1.15;
    check_row(find("reg:tweedie"), &p, 0.8f, 3.0f);
    p.tweedie_variance_power = 1.9;
    check_row(find("reg:tweedie"), &p, -0.8f, 0.5f);
}

/* multi: g_k = p_k - [k == y] is d/dm_k of -log softmax(m)_y; xgboost's
 * hessian is 2 p_k (1 - p_k), twice the Hessian's diagonal. */
static double softmax_nll(const double *m, int k, int y)
{
    double mx = m[0], s = 0;
    for (int c = 1; c < k; c++)
        mx = fmax(mx, m[c]);
    for (int c = 0; c < k; c++)
        s += exp(m[c] - mx);
    return -(m[y] - mx - log(s));
}

static void test_softmax_gradient(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = defaults();
    p.num_class = 4;
    const kiln__xgb_objective *o = find("multi:softprob");
    float m[4] = {0.3f, -1.2f, 2.0f, 0.5f}, y = 2, w = 1.5f, g[4], h[4];
    o->gradient(&p, m, &y, &w, 1, 4, g, h);
    const double e = 1.0 / 1024;
    for (int c = 0; c < 4; c++) {
        double up[4], down[4];
        for (int j = 0; j < 4; j++)
            up[j] = down[j] = m[j];
        up[c] += e;
        down[c] -= e;
        double fd = w * (softmax_nll(up, 4, 2) - softmax_nll(down, 4, 2)) /
                    (2 * e);
        assert_float_equal(g[c], fd, 1e-4);
        double pc = g[c] / w + (c == 2);
        assert_float_equal(h[c], 2 * pc * (1 - pc) * w, 1e-6);
    }
    /* multi:softmax trains exactly as multi:softprob */
    float g2[4], h2[4];
    find("multi:softmax")->gradient(&p, m, &y, &w, 1, 4, g2, h2);
    assert_memory_equal(g, g2, sizeof g);
    assert_memory_equal(h, h2, sizeof h);
}

/* ---- weights and scale_pos_weight -------------------------------------- */

static void test_weights_and_scale_pos_weight(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = defaults();
    const char *names[] = {"reg:squarederror", "reg:logistic",
                           "binary:logistic", "reg:gamma", "count:poisson",
                           "reg:pseudohubererror", "reg:absoluteerror",
                           "reg:tweedie", "binary:hinge"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const kiln__xgb_objective *o = find(names[i]);
        float g1, h1, g3, h3;
        grad1(o, &p, 0.4f, 1.0f, 1.0f, &g1, &h1);
        grad1(o, &p, 0.4f, 1.0f, 3.0f, &g3, &h3);
        assert_float_equal(g3, 3 * g1, 1e-6 * (1 + fabs(g1)));
        assert_float_equal(h3, 3 * h1, 1e-6 * (1 + fabs(h1)));
    }
    /* scale_pos_weight: rows labelled exactly 1, for RegLossObj's family
     * (reg:squarederror too, as xgboost), not for the others */
    p.scale_pos_weight = 4;
    kiln__xgb_obj_params one = defaults();
    const struct {
        const char *name;
        bool scaled;
    } cases[] = {{"reg:squarederror", true},  {"reg:squaredlogerror", true},
                 {"reg:logistic", true},      {"binary:logistic", true},
                 {"binary:logitraw", true},   {"reg:gamma", false},
                 {"count:poisson", false},    {"binary:hinge", false},
                 {"reg:pseudohubererror", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const kiln__xgb_objective *o = find(cases[i].name);
        float g, h, g0, h0;
        grad1(o, &p, 0.4f, 1.0f, 1.0f, &g, &h);
        grad1(o, &one, 0.4f, 1.0f, 1.0f, &g0, &h0);
        float f = cases[i].scaled ? 4.0f : 1.0f;
        assert_float_equal(g, f * g0, 1e-6);
        assert_float_equal(h, f * h0, 1e-6);
        /* a label of 0.999 is not a positive */
        if (strcmp(cases[i].name, "reg:squarederror") == 0) {
            grad1(o, &p, 0.4f, 0.999f, 1.0f, &g, &h);
            assert_float_equal(h, 1.0, 0);
        }
    }
}

/* ---- floors and saturation --------------------------------------------- */

static void test_hessian_floors(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = defaults();
    float g, h;
    grad1(find("binary:logistic"), &p, 40.0f, 1.0f, 1.0f, &g, &h);
    assert_float_equal(g, 0.0, 0);
    assert_float_equal(h, 1e-16f, 0);
    grad1(find("binary:logistic"), &p, -40.0f, 1.0f, 2.0f, &g, &h);
    assert_float_equal(g, -2.0, 1e-6);
    assert_float_equal(h, 2e-16f, 1e-22);
    /* hinge: outside the margin g = 0 and h = FLT_MIN, unweighted */
    grad1(find("binary:hinge"), &p, 2.0f, 1.0f, 5.0f, &g, &h);
    assert_float_equal(g, 0.0, 0);
    assert_true(h == FLT_MIN);
    grad1(find("binary:hinge"), &p, 0.5f, 0.0f, 5.0f, &g, &h);
    assert_float_equal(g, 5.0, 0);
    assert_float_equal(h, 5.0, 0);
    /* squaredlogerror: hessian at least 1e-6, margin clamped above -1 */
    grad1(find("reg:squaredlogerror"), &p, 1e6f, 0.0f, 1.0f, &g, &h);
    assert_float_equal(h, 1e-6f, 0);
    grad1(find("reg:squaredlogerror"), &p, -3.0f, 1.0f, 1.0f, &g, &h);
    assert_true(isfinite(g) && isfinite(h) && g < 0);
    /* poisson: hessian exp(m + max_delta_step) */
    grad1(find("count:poisson"), &p, 0.3f, 2.0f, 1.0f, &g, &h);
    assert_float_equal(g, exp(0.3) - 2, 1e-6);
    assert_float_equal(h, exp(1.0), 1e-5);
    /* softmax: 1e-16 floor on saturated classes */
    p.num_class = 3;
    float m[3] = {100.0f, -100.0f, 0.0f}, y = 0, w = 1, gg[3], hh[3];
    find("multi:softprob")->gradient(&p, m, &y, &w, 1, 3, gg, hh);
    assert_float_equal(hh[1], 1e-16f, 0);
    assert_float_equal(gg[0], 0.0, 1e-6);
    /* all-negative margins (the running max starts at FLT_MIN) */
    float neg[3] = {-50.0f, -51.0f, -52.0f};
    find("multi:softprob")->gradient(&p, neg, &y, &w, 1, 3, gg, hh);
    double s = 1 + exp(-1.0) + exp(-2.0);
    assert_float_equal(gg[0], 1 / s - 1, 1e-6);
    assert_float_equal(gg[1], exp(-1.0) / s, 1e-6);
}

/* ---- transforms and base_score ----------------------------------------- */

static void test_transforms(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = defaults();
    float v[4] = {-2.0f, 0.0f, 0.5f, 30.0f};
    float t[4];
    memcpy(t, v, sizeof v);
    find("binary:logistic")->transform(&p, t, 4, 1, false);
    for (int i = 0; i < 4; i++)
        assert_float_equal(t[i], sigmoid(v[i]), 1e-7);
    memcpy(t, v, sizeof v);
    find("reg:logistic")->transform(&p, t, 4, 1, true);
    assert_float_equal(t[0], sigmoid(-2.0), 1e-7);
    memcpy(t, v, sizeof v);
    find("binary:logitraw")->transform(&p, t, 4, 1, true);
    assert_memory_equal(t, v, sizeof v);
    memcpy(t, v, sizeof v);
    find("reg:gamma")->transform(&p, t, 4, 1, false);
    assert_float_equal(t[2], exp(0.5), 1e-6);
    memcpy(t, v, sizeof v);
    find("binary:hinge")->transform(&p, t, 4, 1, true);
    const float hinge[4] = {0, 0, 1, 1}; /* 0 is not > 0 */
    assert_memory_equal(t, hinge, sizeof t);
    memcpy(t, v, sizeof v);
    find("reg:squarederror")->transform(&p, t, 4, 1, false);
    assert_memory_equal(t, v, sizeof v);
}

static void test_softmax_transforms(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = defaults();
    p.num_class = 3;
    /* rows: plain, a tie between classes 1 and 2, huge margins */
    const float m[9] = {1.0f, 2.0f, 0.5f, 0.0f, 3.0f, 3.0f, 1000.f, 990.f, 0.f};
    float t[9];
    memcpy(t, m, sizeof m);
    find("multi:softprob")->transform(&p, t, 3, 3, false);
    for (int r = 0; r < 3; r++) {
        double mx = fmax(m[3 * r], fmax(m[3 * r + 1], m[3 * r + 2])), s = 0;
        for (int c = 0; c < 3; c++)
            s += exp(m[3 * r + c] - mx);
        for (int c = 0; c < 3; c++)
            assert_float_equal(t[3 * r + c], exp(m[3 * r + c] - mx) / s, 1e-7);
    }
    float e[9];
    memcpy(e, m, sizeof m);
    find("multi:softmax")->transform(&p, e, 3, 3, true);
    assert_memory_equal(e, t, sizeof t);
    memcpy(e, m, sizeof m);
    find("multi:softmax")->transform(&p, e, 3, 3, false);
    assert_float_equal(e[0], 1, 0);
    assert_float_equal(e[1], 1, 0); /* the first of the tied classes */
    assert_float_equal(e[2], 0, 0);
}

static void test_prob_to_margin(void **state)
{
    (void)state;
    kiln__xgb_obj_params p = defaults();
    assert_float_equal(find("binary:logistic")->prob_to_margin(&p, 0.3),
                       log(0.3 / 0.7), 1e-6);
    assert_float_equal(find("reg:logistic")->prob_to_margin(&p, 0.5), 0, 1e-7);
    assert_float_equal(find("binary:logitraw")->prob_to_margin(&p, 0.3), 0.3,
                       1e-7);
    assert_float_equal(find("reg:gamma")->prob_to_margin(&p, 2.0), log(2.0),
                       1e-6);
    assert_float_equal(find("count:poisson")->prob_to_margin(&p, 0.5),
                       log(0.5), 1e-6);
    assert_float_equal(find("reg:tweedie")->prob_to_margin(&p, 7.0), log(7.0),
                       1e-6);
    assert_float_equal(find("reg:squarederror")->prob_to_margin(&p, 2.5), 2.5,
                       0);
    assert_float_equal(find("multi:softprob")->prob_to_margin(&p, 0.5), 0.5, 0);
    /* outside the domain: not finite (kiln checks base_score earlier) */
    assert_false(isfinite(find("binary:logistic")->prob_to_margin(&p, 1.0)));
    assert_false(isfinite(find("reg:gamma")->prob_to_margin(&p, 0.0)));
}

/* ---- labels ------------------------------------------------------------ */

static void expect_label_error(const char *name, const float *y, size_t n,
                               int num_class, int code, const char *message)
{
    kiln__xgb_obj_params p = defaults();
    p.num_class = num_class;
    kiln_error err = {0};
    int rc = find(name)->check_labels(&p, y, n, &err);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.message, message);
}

static void test_label_checks(void **state)
{
    (void)state;
    const float bin[4] = {0, 1, 1.5f, -1};
    expect_label_error("binary:logistic", bin, 4, 0, KILN_DATA,
                       "label 1.5 in row 3: binary:logistic needs labels in "
                       "[0, 1]");
    expect_label_error("binary:hinge", bin, 4, 0, KILN_DATA,
                       "label 1.5 in row 3: binary:hinge needs labels in "
                       "[0, 1]");
    const float gam[3] = {1, 2, 0};
    expect_label_error("reg:gamma", gam, 3, 0, KILN_DATA,
                       "label 0 in row 3: reg:gamma needs labels > 0");
    const float poi[2] = {3, -0.5f};
    expect_label_error("count:poisson", poi, 2, 0, KILN_DATA,
                       "label -0.5 in row 2: count:poisson needs labels >= 0");
    expect_label_error("reg:tweedie", poi, 2, 0, KILN_DATA,
                       "label -0.5 in row 2: reg:tweedie needs labels >= 0");
    const float sle[2] = {0, -1};
    expect_label_error("reg:squaredlogerror", sle, 2, 0, KILN_DATA,
                       "label -1 in row 2: reg:squaredlogerror needs labels "
                       "> -1");
    const float nan_[2] = {0, NAN};
    expect_label_error("reg:squarederror", nan_, 2, 0, KILN_DATA,
                       "label nan in row 2: reg:squarederror needs finite "
                       "labels");
    const float cls[4] = {0, 2, 1.5f, 3};
    expect_label_error("multi:softmax", cls, 4, 3, KILN_DATA,
                       "label 1.5 in row 3: multi:softmax needs integer "
                       "labels 0..2 (num_class 3)");
    expect_label_error("multi:softprob", cls + 3, 1, 3, KILN_DATA,
                       "label 3 in row 1: multi:softprob needs integer "
                       "labels 0..2 (num_class 3)");
    expect_label_error("multi:softprob", cls, 1, 0, KILN_HYPERPARAMETER,
                       "multi:softprob needs num_class >= 1, got 0");

    /* valid labels pass */
    kiln__xgb_obj_params p = defaults();
    kiln_error err = {0};
    const float ok[3] = {0, 1, 0.25f};
    assert_int_equal(find("binary:logistic")->check_labels(&p, ok, 3, &err),
                     KILN_OK);
    const float any[3] = {-5, 1e6f, 0};
    assert_int_equal(
        find("reg:pseudohubererror")->check_labels(&p, any, 3, &err), KILN_OK);
    p.num_class = 3;
    const float classes[3] = {2, 0, 1};
    assert_int_equal(find("multi:softmax")->check_labels(&p, classes, 3, &err),
                     KILN_OK);
    assert_false(kiln_error_is_set(&err));
}

/* ---- the table --------------------------------------------------------- */

static void test_find_and_names(void **state)
{
    (void)state;
    size_t n = 0;
    for (; kiln__xgb_objective_names[n] != NULL; n++) {
        const kiln__xgb_objective *o = find(kiln__xgb_objective_names[n]);
        /* every default metric is a metric kiln knows */
        kiln__xgb_metric m;
        kiln_error err = {0};
        assert_int_equal(kiln__xgb_metric_parse(o->default_metric, &m, &err),
                         KILN_OK);
        assert_non_null(o->check_labels);
        assert_non_null(o->prob_to_margin);
        assert_non_null(o->gradient);
        assert_non_null(o->transform);
    }
    assert_int_equal(n, 14);
    assert_ptr_equal(kiln__xgb_objective_find("reg:linear"),
                     kiln__xgb_objective_find("reg:squarederror"));
    assert_null(kiln__xgb_objective_find("rank:pairwise"));
    assert_null(kiln__xgb_objective_find(NULL));
    assert_int_equal(find("reg:logistic")->kind, KILN__XGB_OBJ_BINARY);
    assert_int_equal(find("multi:softmax")->kind, KILN__XGB_OBJ_MULTI);
    assert_int_equal(find("count:poisson")->kind, KILN__XGB_OBJ_REGRESSION);
    assert_string_equal(find("reg:logistic")->default_metric, "rmse");
    assert_string_equal(find("binary:hinge")->default_metric, "error");
    assert_string_equal(find("multi:softmax")->default_metric, "merror");
    assert_string_equal(find("multi:softprob")->default_metric, "mlogloss");
    assert_string_equal(find("reg:absoluteerror")->default_metric, "mae");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients_match_finite_differences),
        cmocka_unit_test(test_softmax_gradient),
        cmocka_unit_test(test_weights_and_scale_pos_weight),
        cmocka_unit_test(test_hessian_floors),
        cmocka_unit_test(test_transforms),
        cmocka_unit_test(test_softmax_transforms),
        cmocka_unit_test(test_prob_to_margin),
        cmocka_unit_test(test_label_checks),
        cmocka_unit_test(test_find_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
