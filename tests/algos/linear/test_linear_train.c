/* Linear learner's training (algos/linear/linear_train.c, linear_batch.c,
 * linear_algo.c) on data built here with known answers: the hyperparameter
 * schema and its messages, the resolved grid, models that must reach known
 * weights or accuracies, dense and sparse giving the same model, the log
 * lines and metrics, data errors, early stopping, divergence, and
 * interrupts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/linear/linear.h"

#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const kiln_algo kiln_algo_linear_learner;
static const kiln_algo *const algo = &kiln_algo_linear_learner;

/* ---- helpers -------------------------------------------------------- */

static uint64_t rng = 0x1234567887654321ULL;

static double rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
    double u = rnd() + 1e-12, v = rnd();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* Hyperparameters from "name=value" strings; NULL-terminated list. */
static int parse(const char *const *pairs, kiln_hparams **hp, kiln_error *err)
{
    const char *names[64], *values[64];
    static char buf[64][128];
    size_t n = 0;
    for (; pairs[n] != NULL; n++) {
        snprintf(buf[n], sizeof buf[n], "%s", pairs[n]);
        char *eq = strchr(buf[n], '=');
        *eq = '\0';
        names[n] = buf[n];
        values[n] = eq + 1;
    }
    kiln_error_init(err);
    return kiln_hparams_parse(algo, names, values, n, hp, err);
}

static void expect_error(const char *const *pairs, const char *message)
{
    kiln_hparams *hp = NULL;
    kiln_error err;
    int rc = parse(pairs, &hp, &err);
    assert_int_equal(rc, KILN_HYPERPARAMETER);
    assert_string_equal(err.message, message);
    assert_null(hp);
}

typedef struct capture {
    char **lines;
    size_t nlines;
    struct {
        char name[96];
        int64_t step;
        double value;
    } metrics[4096];
    size_t nmetrics;
    kiln_cancel *cancel_on_quality; /* request it at the first epoch line */
} capture;

static void on_log(void *data, const char *line)
{
    capture *c = data;
    c->lines = realloc(c->lines, (c->nlines + 1) * sizeof *c->lines);
    c->lines[c->nlines++] = strdup(line);
    if (c->cancel_on_quality && strstr(line, "#quality_metric") != NULL)
        kiln_cancel_request(c->cancel_on_quality);
}

static void on_metric(void *data, const char *name, int64_t step, double value)
{
    capture *c = data;
    if (c->nmetrics < 4096) {
        snprintf(c->metrics[c->nmetrics].name, 96, "%s", name);
        c->metrics[c->nmetrics].step = step;
        c->metrics[c->nmetrics++].value = value;
    }
}

static void capture_free(capture *c)
{
    for (size_t i = 0; i < c->nlines; i++)
        free(c->lines[i]);
    free(c->lines);
    memset(c, 0, sizeof *c);
}

static size_t count_lines(const capture *c, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nlines; i++)
        n += strstr(c->lines[i], needle) != NULL;
    return n;
}

static int train(const char *const *pairs, const kiln_dataset *tr,
                 const kiln_dataset *val, const kiln_dataset *test,
                 capture *cap, kiln_cancel *cancel, kiln__linear_model **out,
                 kiln_error *err)
{
    kiln_hparams *hp = NULL;
    int rc = parse(pairs, &hp, err);
    if (rc != KILN_OK)
        return rc;
    kiln_train_events ev = {.data = cap, .log = on_log, .metric = on_metric};
    kiln_train_ctx ctx = {.hp = hp, .train = tr, .validation = val,
                          .test = test, .threads = 2, .cancel = cancel,
                          .events = &ev};
    void *m = NULL;
    rc = algo->train(&ctx, &m, err);
    kiln_hparams_free(hp);
    *out = m;
    return rc;
}

static kiln_dataset *dense(size_t cols)
{
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, cols);
    assert_non_null(ds);
    return ds;
}

static void push(kiln_dataset *ds, const float *x, float y)
{
    kiln_error err;
    kiln_error_init(&err);
    float *row = kiln_dataset_push_dense(ds, y, 1, &err);
    assert_non_null(row);
    memcpy(row, x, kiln_dataset_cols(ds) * sizeof *row);
}

static kiln_dataset *to_sparse(const kiln_dataset *d)
{
    size_t n = kiln_dataset_rows(d), c = kiln_dataset_cols(d);
    kiln_dataset *s = kiln_dataset_new(KILN_DATASET_SPARSE | KILN_DATASET_LABELS, c);
    kiln_error err;
    kiln_error_init(&err);
    for (size_t i = 0; i < n; i++) {
        uint32_t ix[64];
        float v[64];
        size_t nnz = 0;
        for (size_t j = 0; j < c; j++) {
            float x = kiln_dataset_dense(d)[i * c + j];
            if (x != 0) {
                ix[nnz] = (uint32_t)j;
                v[nnz++] = x;
            }
        }
        assert_int_equal(kiln_dataset_push_sparse(s, ix, v, nnz,
                                                  kiln_dataset_labels(d)[i], 1,
                                                  &err),
                         0);
    }
    kiln_dataset_set_cols(s, c);
    return s;
}

static double accuracy(const kiln__linear_model *m, const kiln_dataset *ds)
{
    kiln_predictions p = {0};
    kiln_error err;
    kiln_error_init(&err);
    assert_int_equal(algo->predict(m, ds, &p, &err), 0);
    const kiln_pred_field *f = kiln_predictions_find(&p, "predicted_label");
    assert_non_null(f);
    double ok = 0;
    for (size_t i = 0; i < p.rows; i++)
        ok += f->values[i] == kiln_dataset_labels(ds)[i];
    kiln_predictions_fini(&p);
    return ok / (double)kiln_dataset_rows(ds);
}

/* ---- hyperparameters ------------------------------------------------ */

static void test_hyperparameter_messages(void **state)
{
    (void)state;
    expect_error((const char *[]){"epochs=3", NULL},
                 "missing required hyperparameter 'predictor_type' "
                 "(binary_classifier, multiclass_classifier or regressor)");
    expect_error((const char *[]){"predictor_type=multiclass_classifier", NULL},
                 "num_classes is required when predictor_type is "
                 "multiclass_classifier (an integer from 3 to 1000000)");
    expect_error((const char *[]){"predictor_type=multiclass_classifier",
                                  "num_classes=2", NULL},
                 "num_classes must be an integer from 3 to 1000000 for "
                 "multiclass_classifier, got '2' (use binary_classifier for "
                 "two classes)");
    expect_error((const char *[]){"predictor_type=regressor", "loss=logistic",
                                  NULL},
                 "loss 'logistic' cannot be used with predictor_type regressor "
                 "(use auto, squared_loss, absolute_loss, "
                 "eps_insensitive_squared_loss, eps_insensitive_absolute_loss, "
                 "quantile_loss or huber_loss)");
    expect_error((const char *[]){"predictor_type=binary_classifier",
                                  "loss=squared_loss", NULL},
                 "loss 'squared_loss' cannot be used with predictor_type "
                 "binary_classifier (use auto, logistic or hinge_loss)");
    expect_error((const char *[]){"predictor_type=multiclass_classifier",
                                  "num_classes=4", "loss=hinge_loss", NULL},
                 "loss 'hinge_loss' cannot be used with predictor_type "
                 "multiclass_classifier (use auto or softmax_loss)");
    expect_error((const char *[]){"predictor_type=binary_classifier",
                                  "beta_1=1", NULL},
                 "beta_1 must be a number in [0, 1) or auto, got '1'");
    expect_error((const char *[]){"predictor_type=binary_classifier",
                                  "positive_example_weight_mult=0", NULL},
                 "positive_example_weight_mult must be a number > 0, auto or "
                 "balanced, got '0'");
    expect_error((const char *[]){"predictor_type=regressor",
                                  "mini_batch_siz=10", NULL},
                 "unknown hyperparameter 'mini_batch_siz' for linear-learner "
                 "(did you mean mini_batch_size?)");
    expect_error((const char *[]){"predictor_type=regressor",
                                  "num_classes=1000001", NULL},
                 "num_classes must be an integer in [1, 1e+06], got '1000001'");
    expect_error((const char *[]){"predictor_type=regressor",
                                  "optimizer=adagrad", NULL},
                 "optimizer must be one of auto, sgd, adam, rmsprop, got "
                 "'adagrad'");
}

static void test_every_hyperparameter_has_a_usable_default(void **state)
{
    (void)state;
    kiln_hparams *hp;
    kiln_error err;
    assert_int_equal(parse((const char *[]){"predictor_type=binary_classifier",
                                            "normalize_data=True",
                                            "use_bias=False", NULL},
                           &hp, &err),
                     0);
    for (const kiln_hp_spec *s = algo->hparams; s->name; s++) {
        assert_non_null(s->doc);
        if (s->flags & KILN_HP_REQUIRED || strcmp(s->name, "num_classes") == 0)
            continue;
        assert_non_null(kiln_hp_str(hp, s->name));
        switch (s->type) {
        case KILN_HP_INT:
            if (!kiln_hp_is(hp, s->name, "auto"))
                assert_true(kiln_hp_int(hp, s->name) >= 1);
            break;
        case KILN_HP_FLOAT:
            if (!kiln_hp_is(hp, s->name, "auto") &&
                !kiln_hp_is(hp, s->name, "balanced"))
                assert_false(isnan(kiln_hp_float(hp, s->name)));
            break;
        default:
            break;
        }
    }
    assert_true(kiln_hp_bool(hp, "normalize_data"));
    assert_false(kiln_hp_bool(hp, "use_bias"));
    kiln__linear_config cfg;
    assert_int_equal(kiln__linear_config_init(&cfg, hp, &err), 0);
    assert_int_equal(cfg.num_models, 32);
    assert_int_equal(cfg.loss.kind, KILN__LOSS_LOGISTIC);
    assert_int_equal(cfg.optimizer, KILN__OPT_ADAM);
    assert_int_equal(cfg.epochs, 15);
    assert_int_equal(cfg.mini_batch_size, 1000);
    assert_float_equal(cfg.bias_lr_mult, 10, 0);
    assert_float_equal(cfg.bias_wd_mult, 0, 0);
    assert_int_equal(cfg.num_calibration_samples, 10000000);
    /* the grid: model 0 is the given settings; learning rates vary first */
    assert_float_equal(cfg.models[0].lr, 0.01, 1e-15);
    assert_float_equal(cfg.models[1].lr, 0.1, 1e-15);
    assert_float_equal(cfg.models[2].lr, 0.001, 1e-15);
    assert_float_equal(cfg.models[0].wd, 0, 0);
    assert_float_equal(cfg.models[8].wd, 1e-4, 0);
    assert_float_equal(cfg.models[16].wd, 1e-2, 0);
    assert_int_equal(cfg.models[0].sched_step, 100);
    assert_int_equal(cfg.models[8].sched_step, 10);
    assert_float_equal(cfg.models[8].sched_min_lr, 1e-4, 0);
    assert_float_equal(cfg.models[31].l1, 1e-5, 0);
    kiln__linear_config_fini(&cfg);
    kiln_hparams_free(hp);

    assert_int_equal(parse((const char *[]){"predictor_type=multiclass_classifier",
                                            "num_classes=10", "wd=0.1",
                                            "learning_rate=0.5",
                                            "optimizer=sgd", NULL},
                           &hp, &err),
                     0);
    assert_int_equal(kiln__linear_config_init(&cfg, hp, &err), 0);
    assert_int_equal(cfg.num_models, 3);
    assert_int_equal(cfg.outputs, 10);
    assert_int_equal(cfg.loss.kind, KILN__LOSS_SOFTMAX);
    assert_float_equal(cfg.models[0].lr, 0.5, 0);
    assert_float_equal(cfg.models[0].wd, 0.1, 0);
    assert_float_equal(cfg.momentum, 0.9, 0);
    kiln__linear_config_fini(&cfg);
    kiln_hparams_free(hp);

    /* automatic model tuning turns the internal tuning off */
    assert_int_equal(parse((const char *[]){"predictor_type=regressor",
                                            "num_models=8",
                                            "_tuning_objective_metric="
                                            "validation:objective_loss",
                                            NULL},
                           &hp, &err),
                     0);
    assert_int_equal(kiln__linear_config_init(&cfg, hp, &err), 0);
    assert_int_equal(cfg.num_models, 1);
    kiln__linear_config_fini(&cfg);
    kiln_hparams_free(hp);

    assert_int_equal(parse((const char *[]){"predictor_type=multiclass_classifier",
                                            "num_classes=40", NULL},
                           &hp, &err),
                     0);
    assert_int_equal(kiln__linear_config_init(&cfg, hp, &err), 0);
    assert_int_equal(cfg.num_models, 1);
    kiln__linear_config_fini(&cfg);
    kiln_hparams_free(hp);
}

/* ---- training ----------------------------------------------------------- */

/* The metric names emitted are the descriptor's. */
static void check_metric_names(const capture *c)
{
    for (size_t i = 0; i < c->nmetrics; i++) {
        bool found = false;
        for (const kiln_metric_def *d = algo->metrics; d->name; d++)
            found |= strcmp(d->name, c->metrics[i].name) == 0;
        if (!found)
            fail_msg("metric %s is not in the descriptor", c->metrics[i].name);
    }
}

/* Every metric emitted is read back from the log by its descriptor regex
 * (SageMaker's MetricDefinitions, Python syntax; \\S becomes the POSIX
 * class here): the values the regex captures, in order, are the values
 * emitted, in order. */
static void check_metric_regexes(const capture *c)
{
    for (const kiln_metric_def *d = algo->metrics; d->name; d++) {
        char ere[512];
        size_t o = 0;
        for (const char *p = d->regex; *p && o + 16 < sizeof ere; p++) {
            if (p[0] == '\\' && p[1] == 'S') {
                o += (size_t)snprintf(ere + o, sizeof ere - o, "[^[:space:]]");
                p++;
            } else {
                ere[o++] = *p;
            }
        }
        ere[o] = '\0';
        regex_t re;
        assert_int_equal(regcomp(&re, ere, REG_EXTENDED), 0);
        double got[512];
        size_t ngot = 0;
        for (size_t i = 0; i < c->nlines && ngot < 512; i++) {
            regmatch_t m[2];
            if (regexec(&re, c->lines[i], 2, m, 0) != 0)
                continue;
            char v[64];
            snprintf(v, sizeof v, "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
                     c->lines[i] + m[1].rm_so);
            got[ngot++] = strtod(v, NULL);
        }
        regfree(&re);
        size_t k = 0;
        for (size_t i = 0; i < c->nmetrics; i++) {
            if (strcmp(c->metrics[i].name, d->name) != 0)
                continue;
            if (k >= ngot)
                fail_msg("metric %s = %g: no log line matches %s", d->name,
                         c->metrics[i].value, d->regex);
            if (!(got[k] == c->metrics[i].value ||
                  (isnan(got[k]) && isnan(c->metrics[i].value))))
                fail_msg("metric %s: the log says %.17g, the metric %.17g",
                         d->name, got[k], c->metrics[i].value);
            k++;
        }
        if (k != ngot)
            fail_msg("metric %s: %zu log lines match, %zu metrics emitted",
                     d->name, ngot, k);
    }
}

static void test_binary_separable(void **state)
{
    (void)state;
    kiln_dataset *tr = dense(3), *te = dense(3);
    for (int i = 0; i < 1200; i++) {
        float x[3] = {(float)gauss(), (float)gauss(), (float)(100 + 5 * gauss())};
        float y = x[0] + 0.5f * x[1] > 0.2f ? 1.0f : 0.0f;
        push(i < 900 ? tr : te, x, y);
    }
    capture cap = {0};
    kiln__linear_model *m = NULL;
    kiln_error err;
    int rc = train((const char *[]){"predictor_type=binary_classifier",
                                    "mini_batch_size=100", NULL},
                   tr, NULL, te, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    assert_true(accuracy(m, te) > 0.97);
    assert_int_equal(m->predictor, KILN__LINEAR_BINARY);
    assert_true(m->threshold > 0 && m->threshold < 1);
    /* every epoch logged, then the final train scores and the test scores */
    assert_int_equal(count_lines(&cap, ", train binary_classification_cross_"
                                       "entropy_objective <loss>="),
                     16);
    assert_int_equal(count_lines(&cap, "#quality_metric: host=algo-1, test "
                                       "binary_f_1.000 <score>="),
                     1);
    assert_int_equal(count_lines(&cap, "Best model found for hyperparameters"),
                     1);
    assert_int_equal(count_lines(&cap, "#progress_metric: host=algo-1, "
                                       "completed 100 % of epochs"),
                     1);
    check_metric_names(&cap);
    check_metric_regexes(&cap);
    capture_free(&cap);
    kiln__linear_model_free(m);
    kiln_dataset_free(tr);
    kiln_dataset_free(te);
}

static void test_regression_recovers_weights(void **state)
{
    (void)state;
    /* y = 3 x0 - 2 x1 + 5, features far from 0: the folded model must give
     * the raw weights back */
    kiln_dataset *tr = dense(2), *val = dense(2);
    for (int i = 0; i < 2000; i++) {
        float x[2] = {(float)(100 + 10 * gauss()), (float)(-50 + 2 * gauss())};
        float y = 3 * x[0] - 2 * x[1] + 5 + (float)(0.01 * gauss());
        push(i < 1600 ? tr : val, x, y);
    }
    capture cap = {0};
    kiln__linear_model *m = NULL;
    kiln_error err;
    int rc = train((const char *[]){"predictor_type=regressor",
                                    "mini_batch_size=50", "epochs=20", NULL},
                   tr, val, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    assert_float_equal(m->weight[0], 3.0, 0.02);
    assert_float_equal(m->weight[1], -2.0, 0.02);
    assert_float_equal(m->bias[0], 5.0, 2.0);
    /* the prediction error is what matters: tiny against y's spread */
    kiln_predictions p = {0};
    assert_int_equal(algo->predict(m, val, &p, &err), 0);
    double se = 0;
    for (size_t i = 0; i < p.rows; i++) {
        double r = p.fields[0].values[i] - kiln_dataset_labels(val)[i];
        se += r * r;
    }
    assert_true(se / (double)p.rows < 0.05);
    assert_int_equal(p.count, 1);
    assert_string_equal(p.fields[0].name, "score");
    kiln_predictions_fini(&p);
    assert_int_equal(count_lines(&cap, "#quality_metric: host=algo-1, "
                                       "validation mse <loss>="),
                     1);
    assert_int_equal(count_lines(&cap, "#quality_metric: host=algo-1, "
                                       "validation rmse <loss>="),
                     1);
    assert_int_equal(count_lines(&cap, "Test data is not provided."), 1);
    check_metric_names(&cap);
    check_metric_regexes(&cap);
    capture_free(&cap);
    kiln__linear_model_free(m);
    kiln_dataset_free(tr);
    kiln_dataset_free(val);
}

static void test_other_regression_losses_train(void **state)
{
    (void)state;
    kiln_dataset *tr = dense(2);
    for (int i = 0; i < 600; i++) {
        float x[2] = {(float)gauss(), (float)gauss()};
        push(tr, x, 2 * x[0] - x[1] + 1);
    }
    const char *losses[] = {"absolute_loss", "eps_insensitive_squared_loss",
                            "eps_insensitive_absolute_loss", "quantile_loss",
                            "huber_loss"};
    for (size_t i = 0; i < 5; i++) {
        char loss[64];
        snprintf(loss, sizeof loss, "loss=%s", losses[i]);
        capture cap = {0};
        kiln__linear_model *m = NULL;
        kiln_error err;
        int rc = train((const char *[]){"predictor_type=regressor", loss,
                                        "mini_batch_size=20", "epochs=30",
                                        NULL},
                       tr, NULL, NULL, &cap, NULL, &m, &err);
        assert_int_equal(rc, 0);
        if (fabs(m->weight[0] - 2) > 0.2 || fabs(m->weight[1] + 1) > 0.2)
            fail_msg("%s: weights %g %g, expected 2 -1", losses[i],
                     (double)m->weight[0], (double)m->weight[1]);
        char objective[96];
        snprintf(objective, sizeof objective, "train %s_objective <loss>=",
                 losses[i]);
        assert_true(count_lines(&cap, objective) >= 1);
        capture_free(&cap);
        kiln__linear_model_free(m);
    }
    kiln_dataset_free(tr);
}

static void test_multiclass_blobs_and_hinge(void **state)
{
    (void)state;
    kiln_dataset *tr = dense(2), *val = dense(2);
    const float cx[4] = {0, 4, 0, 4}, cy[4] = {0, 0, 4, 4};
    for (int i = 0; i < 1600; i++) {
        int c = i % 4;
        float x[2] = {cx[c] + (float)(0.6 * gauss()), cy[c] + (float)(0.6 * gauss())};
        push(i < 1200 ? tr : val, x, (float)c);
    }
    capture cap = {0};
    kiln__linear_model *m = NULL;
    kiln_error err;
    int rc = train((const char *[]){"predictor_type=multiclass_classifier",
                                    "num_classes=4", "mini_batch_size=64",
                                    "balance_multiclass_weights=true", NULL},
                   tr, val, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    assert_true(accuracy(m, val) > 0.97);
    assert_non_null(m->class_weights);
    assert_float_equal(m->class_weights[0], 1.0, 1e-6);
    kiln_predictions p = {0};
    assert_int_equal(algo->predict(m, val, &p, &err), 0);
    const kiln_pred_field *s = kiln_predictions_find(&p, "score");
    assert_int_equal(s->width, 4);
    assert_true(s->vector);
    for (size_t i = 0; i < p.rows; i++) {
        double sum = 0;
        for (int c = 0; c < 4; c++)
            sum += s->values[i * 4 + c];
        assert_float_equal(sum, 1.0, 1e-5);
    }
    kiln_predictions_fini(&p);
    assert_int_equal(count_lines(&cap, "validation multiclass_top_k_accuracy_3 "
                                       "<score>="),
                     1);
    assert_int_equal(count_lines(&cap, "validation macro_f_1.000 <score>="), 1);
    check_metric_names(&cap);
    check_metric_regexes(&cap);
    capture_free(&cap);
    kiln__linear_model_free(m);

    /* hinge: the score is the raw margin, the threshold near 0 */
    kiln_dataset *b = dense(2);
    for (int i = 0; i < 800; i++) {
        float x[2] = {(float)gauss(), (float)gauss()};
        push(b, x, x[0] - x[1] > 0 ? 1.0f : 0.0f);
    }
    rc = train((const char *[]){"predictor_type=binary_classifier",
                                "loss=hinge_loss", "mini_batch_size=50",
                                "binary_classifier_model_selection_criteria="
                                "f1",
                                NULL},
               b, NULL, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(m->loss.kind, KILN__LOSS_HINGE);
    assert_true(fabs(m->threshold) < 1.0);
    assert_true(accuracy(m, b) > 0.97);
    assert_int_equal(count_lines(&cap, "host=algo-1, train hinge_loss_objective "
                                       "<loss>="),
                     1);
    capture_free(&cap);
    kiln__linear_model_free(m);
    kiln_dataset_free(b);
    kiln_dataset_free(tr);
    kiln_dataset_free(val);
}

static void test_sparse_trains_like_dense(void **state)
{
    (void)state;
    kiln_dataset *d = dense(6);
    for (int i = 0; i < 700; i++) {
        float x[6];
        for (int j = 0; j < 6; j++)
            x[j] = rnd() < 0.4 ? (float)(1 + gauss()) : 0.0f;
        push(d, x, x[0] - x[2] + 0.5f * x[4] > 0.3f ? 1.0f : 0.0f);
    }
    kiln_dataset *s = to_sparse(d);
    const char *hp[] = {"predictor_type=binary_classifier", "unbias_data=false",
                        "mini_batch_size=64", "num_models=4", NULL};
    kiln__linear_model *md = NULL, *ms = NULL;
    capture cap = {0};
    kiln_error err;
    assert_int_equal(train(hp, d, NULL, NULL, &cap, NULL, &md, &err), 0);
    capture_free(&cap);
    assert_int_equal(train(hp, s, NULL, NULL, &cap, NULL, &ms, &err), 0);
    capture_free(&cap);
    for (int j = 0; j < 6; j++)
        assert_float_equal(md->weight[j], ms->weight[j],
                           1e-3 * (1 + fabs(md->weight[j])));
    assert_float_equal(md->bias[0], ms->bias[0], 1e-3);
    /* a sparse model predicts sparse rows as it does dense ones */
    kiln_predictions pd = {0}, ps = {0};
    assert_int_equal(algo->predict(md, d, &pd, &err), 0);
    assert_int_equal(algo->predict(md, s, &ps, &err), 0);
    for (size_t i = 0; i < pd.rows; i++)
        assert_float_equal(pd.fields[0].values[i], ps.fields[0].values[i], 1e-5);
    kiln_predictions_fini(&pd);
    kiln_predictions_fini(&ps);
    /* and with the shift too (unbias_data=true on sparse data) */
    const char *hp2[] = {"predictor_type=binary_classifier", "unbias_data=true",
                         "mini_batch_size=64", "num_models=4", NULL};
    kiln__linear_model *md2 = NULL, *ms2 = NULL;
    assert_int_equal(train(hp2, d, NULL, NULL, &cap, NULL, &md2, &err), 0);
    capture_free(&cap);
    assert_int_equal(train(hp2, s, NULL, NULL, &cap, NULL, &ms2, &err), 0);
    capture_free(&cap);
    for (int j = 0; j < 6; j++)
        assert_float_equal(md2->weight[j], ms2->weight[j],
                           2e-3 * (1 + fabs(md2->weight[j])));
    kiln__linear_model_free(md);
    kiln__linear_model_free(ms);
    kiln__linear_model_free(md2);
    kiln__linear_model_free(ms2);
    kiln_dataset_free(d);
    kiln_dataset_free(s);
}

static void test_data_errors(void **state)
{
    (void)state;
    kiln__linear_model *m = NULL;
    capture cap = {0};
    kiln_error err;
    kiln_dataset *d = dense(2);
    float x[2] = {1, 2};
    push(d, x, 0);
    push(d, x, 1);
    push(d, x, 2);
    int rc = train((const char *[]){"predictor_type=binary_classifier", NULL},
                   d, NULL, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, KILN_DATA);
    assert_string_equal(err.message, "train channel row 3: label 2, expected 0 "
                                     "or 1 for binary_classifier");
    rc = train((const char *[]){"predictor_type=multiclass_classifier",
                                "num_classes=3", NULL},
               d, NULL, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    kiln__linear_model_free(m);
    rc = train((const char *[]){"predictor_type=regressor", "feature_dim=5",
                                NULL},
               d, NULL, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, KILN_HYPERPARAMETER);
    assert_string_equal(err.message, "feature_dim is 5, but the train channel "
                                     "has 2 features");
    kiln_dataset *v = dense(3);
    float x3[3] = {1, 2, 3};
    push(v, x3, 1);
    rc = train((const char *[]){"predictor_type=regressor", NULL}, d, v, NULL,
               &cap, NULL, &m, &err);
    assert_int_equal(rc, KILN_DATA);
    assert_string_equal(err.message, "the validation channel has 3 features, "
                                     "the train channel 2");
    kiln_dataset *n = dense(2);
    push(n, x, 0);
    float bad[2] = {1, NAN};
    push(n, bad, 1);
    rc = train((const char *[]){"predictor_type=regressor", NULL}, n, NULL,
               NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, KILN_DATA);
    assert_string_equal(err.message,
                        "train channel row 2, feature 2: a missing value (empty "
                        "or NaN), expected a number (linear-learner has no "
                        "missing values)");
    kiln_dataset *e = dense(2);
    rc = train((const char *[]){"predictor_type=regressor", NULL}, e, NULL,
               NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, KILN_DATA);
    assert_string_equal(err.message, "the train channel has no rows");
    capture_free(&cap);
    kiln_dataset_free(d);
    kiln_dataset_free(v);
    kiln_dataset_free(n);
    kiln_dataset_free(e);
}

static void test_early_stopping_and_divergence(void **state)
{
    (void)state;
    kiln_dataset *tr = dense(2), *val = dense(2);
    for (int i = 0; i < 400; i++) {
        float x[2] = {(float)gauss(), (float)gauss()};
        push(i < 300 ? tr : val, x, x[0] > 0 ? 1.0f : 0.0f);
    }
    capture cap = {0};
    kiln__linear_model *m = NULL;
    kiln_error err;
    /* an improvement must halve the loss: training stops after patience 1 */
    int rc = train((const char *[]){"predictor_type=binary_classifier",
                                    "early_stopping_patience=1",
                                    "early_stopping_tolerance=0.5",
                                    "binary_classifier_model_selection_criteria="
                                    "loss_function",
                                    "epochs=15", NULL},
                   tr, val, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(count_lines(&cap, "Early stop condition met."), 1);
    assert_true(count_lines(&cap, ", validation binary_classification_cross_"
                                  "entropy_objective <loss>=") < 15);
    assert_int_equal(count_lines(&cap, "criteria=binary_classification_cross_"
                                       "entropy_objective"),
                     count_lines(&cap, "#early_stopping_criteria_metric"));
    capture_free(&cap);
    kiln__linear_model_free(m);
    /* sampled_accuracy is the criterion with the default selection */
    rc = train((const char *[]){"predictor_type=binary_classifier", "epochs=2",
                                NULL},
               tr, val, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(count_lines(&cap, "criteria=sampled_accuracy"), 2);
    capture_free(&cap);
    kiln__linear_model_free(m);

    kiln_dataset *big = dense(2);
    for (int i = 0; i < 200; i++) {
        float x[2] = {(float)(1e4 * gauss()), (float)(1e4 * gauss())};
        push(big, x, x[0] * 1e3f);
    }
    rc = train((const char *[]){"predictor_type=regressor", "optimizer=sgd",
                                "learning_rate=1e30", "num_models=2",
                                "normalize_data=false", "normalize_label=false",
                                "epochs=3", NULL},
               big, NULL, NULL, &cap, NULL, &m, &err);
    assert_int_equal(rc, KILN_HYPERPARAMETER);
    assert_string_equal(err.message,
                        "every one of the 2 models diverged (its loss became "
                        "NaN or infinite); try a smaller learning_rate or "
                        "normalize_data=true");
    capture_free(&cap);
    kiln_dataset_free(big);
    kiln_dataset_free(tr);
    kiln_dataset_free(val);
}

static void test_interrupt(void **state)
{
    (void)state;
    kiln_dataset *tr = dense(20);
    for (int i = 0; i < 20000; i++) {
        float x[20];
        for (int j = 0; j < 20; j++)
            x[j] = (float)gauss();
        push(tr, x, x[0] > 0 ? 1.0f : 0.0f);
    }
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    capture cap = {0};
    cap.cancel_on_quality = &cancel;
    kiln__linear_model *m = NULL;
    kiln_error err;
    int rc = train((const char *[]){"predictor_type=binary_classifier",
                                    "mini_batch_size=10", "epochs=1000", NULL},
                   tr, NULL, NULL, &cap, &cancel, &m, &err);
    assert_int_equal(rc, KILN_INTERRUPTED);
    assert_string_equal(err.message, "training was interrupted");
    assert_null(m);
    /* it stopped in the epoch after the first epoch line */
    assert_int_equal(count_lines(&cap, ", train binary_classification"), 1);
    capture_free(&cap);
    /* cancelled before it starts */
    rc = train((const char *[]){"predictor_type=binary_classifier", NULL}, tr,
               NULL, NULL, &cap, &cancel, &m, &err);
    assert_int_equal(rc, KILN_INTERRUPTED);
    capture_free(&cap);
    kiln_dataset_free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hyperparameter_messages),
        cmocka_unit_test(test_every_hyperparameter_has_a_usable_default),
        cmocka_unit_test(test_binary_separable),
        cmocka_unit_test(test_regression_recovers_weights),
        cmocka_unit_test(test_other_regression_losses_train),
        cmocka_unit_test(test_multiclass_blobs_and_hinge),
        cmocka_unit_test(test_sparse_trains_like_dense),
        cmocka_unit_test(test_data_errors),
        cmocka_unit_test(test_early_stopping_and_divergence),
        cmocka_unit_test(test_interrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
