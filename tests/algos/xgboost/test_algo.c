/* Tests for the XGBoost descriptor (algos/xgboost/xgb_algo.c, xgb_train.c):
 * the hyperparameter schema and its messages (aliases, num_class,
 * unsupported boosters and objectives, eval_metric), training end to end
 * (the log line format, metrics against the objective's own evaluation,
 * early stopping), save -> load -> predict identical, the report
 * (feature importance: the splits counted naively from the trees), the
 * csv_weights read option, and a prompt interrupt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/algo.h"
#include "algos/hparams.h"
#include "algos/xgboost/xgb.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const kiln_algo kiln_algo_xgboost;
static const kiln_algo *A = &kiln_algo_xgboost;

/* ---- helpers ----------------------------------------------------------- */

static uint32_t lcg = 99;

static float frand(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return (float)(lcg >> 8) / 16777216.0f;
}

/* n rows of d features; the label is 1 when x0 + x1 > 1 (x1 sometimes
 * missing), with 5% of labels flipped. */
static kiln_dataset *binary_ds(size_t n, size_t d)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_LABELS, d);
    for (size_t i = 0; i < n; i++) {
        float x[16];
        for (size_t j = 0; j < d; j++)
            x[j] = frand();
        if (i % 11 == 0)
            x[1] = NAN;
        float y = x[0] + (isnan(x[1]) ? 0.5f : x[1]) > 1.0f ? 1.0f : 0.0f;
        if (frand() < 0.05f)
            y = 1.0f - y;
        memcpy(kiln_dataset_push_dense(ds, y, 1, &err), x, d * sizeof(float));
    }
    return ds;
}

static int parse(const char *const *names, const char *const *values,
                 size_t n, kiln_hparams **hp, kiln_error *err)
{
    int rc = kiln_hparams_parse(A, names, values, n, hp, err);
    if (rc == KILN_OK && A->check(*hp, err) != KILN_OK) {
        kiln_hparams_free(*hp);
        *hp = NULL;
        return err->code;
    }
    return rc;
}

static void expect_hp_error(const char *const *names,
                            const char *const *values, size_t n,
                            const char *message)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    assert_int_equal(parse(names, values, n, &hp, &err), KILN_HYPERPARAMETER);
    if (strstr(err.message, message) == NULL)
        fail_msg("'%s' does not say '%s'", err.message, message);
    assert_null(hp);
}

typedef struct capture {
    char log[64][512];
    int nlog;
    int nmetrics;
    char last_metric[64];
    double last_value;
} capture;

static void on_log(void *data, const char *line)
{
    capture *c = data;
    if (c->nlog < 64)
        snprintf(c->log[c->nlog++], 512, "%s", line);
}

static void on_metric(void *data, const char *name, int64_t step,
                      double value)
{
    (void)step;
    capture *c = data;
    c->nmetrics++;
    snprintf(c->last_metric, sizeof c->last_metric, "%s", name);
    c->last_value = value;
}

static int train(kiln_hparams *hp, const kiln_dataset *tr,
                 const kiln_dataset *va, kiln_cancel *cancel, capture *cap,
                 void **model, kiln_error *err)
{
    kiln_train_events ev = {.data = cap, .log = on_log,
                            .metric = on_metric};
    kiln_train_ctx ctx = {.hp = hp, .train = tr, .validation = va,
                          .threads = 2, .cancel = cancel,
                          .events = cap ? &ev : NULL};
    return A->train(&ctx, model, err);
}

/* ---- hyperparameters ----------------------------------------------------- */

static void test_hyperparameters(void **state)
{
    (void)state;
    expect_hp_error((const char *[]){"num_round", "eta"},
                    (const char *[]){"10", "2"}, 2,
                    "eta must be a number in [0, 1], got '2'");
    expect_hp_error((const char *[]){"num_round", "objective"},
                    (const char *[]){"10", "multi:softprob"}, 2,
                    "num_class is required with objective multi:softprob");
    expect_hp_error((const char *[]){"num_round", "num_class"},
                    (const char *[]){"10", "3"}, 2,
                    "num_class is only for the multi: objectives");
    expect_hp_error((const char *[]){"num_round", "booster"},
                    (const char *[]){"10", "dart"}, 2,
                    "booster dart is not supported");
    expect_hp_error((const char *[]){"num_round", "objective"},
                    (const char *[]){"10", "rank:pairwise"}, 2,
                    "objective rank:pairwise is not supported");
    expect_hp_error((const char *[]){"num_round", "eta", "learning_rate"},
                    (const char *[]){"10", "0.1", "0.2"}, 3,
                    "give eta or its alias learning_rate, not both");
    expect_hp_error((const char *[]){"num_round", "eval_metric"},
                    (const char *[]){"10", "rmse,nope"}, 2,
                    "eval_metric");
    expect_hp_error((const char *[]){"num_round", "max_depth"},
                    (const char *[]){"10", "0"}, 2,
                    "needs grow_policy lossguide");
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    assert_int_equal(kiln_hparams_parse(A, NULL, NULL, 0, &hp, &err),
                     KILN_HYPERPARAMETER);
    assert_non_null(strstr(err.message, "num_round"));
}

/* ---- training ------------------------------------------------------------ */

static void test_train_log_metrics_and_early_stopping(void **state)
{
    (void)state;
    kiln_dataset *tr = binary_ds(3000, 4), *va = binary_ds(600, 4);
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    assert_int_equal(parse((const char *[]){"num_round", "objective",
                                            "eval_metric", "max_depth",
                                            "early_stopping_rounds"},
                           (const char *[]){"200", "binary:logistic",
                                            "error,logloss", "3", "4"},
                           5, &hp, &err),
                     KILN_OK);
    capture *cap = calloc(1, sizeof *cap);
    void *model = NULL;
    assert_int_equal(train(hp, tr, va, NULL, cap, &model, &err), KILN_OK);
    const kiln__xgb_model *m = model;
    /* noisy labels: validation logloss stops improving well before 200 */
    assert_true(m->ntrees < 200);
    assert_true(m->best_iteration >= 0 &&
                m->best_iteration + 4 == (int64_t)m->ntrees - 1);
    /* "[0]\ttrain-error:...\ttrain-logloss:...\tvalidation-error:..." */
    bool seen = false;
    for (int i = 0; i < cap->nlog; i++)
        if (strncmp(cap->log[i], "[0]\ttrain-error:", 16) == 0) {
            seen = strstr(cap->log[i], "\tvalidation-logloss:") != NULL;
            break;
        }
    assert_true(seen);
    assert_string_equal(cap->last_metric, "validation:logloss");
    assert_true(cap->last_value < 0.4);
    kiln_hparams_free(hp);

    /* save -> load -> predict: the same numbers */
    char dir[] = "/tmp/kiln-xgb-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(A->save(model, dir, &err), KILN_OK);
    void *back = NULL;
    assert_int_equal(A->load(dir, &back, &err), KILN_OK);
    kiln_predictions p1 = {0}, p2 = {0};
    assert_int_equal(A->predict(model, va, &p1, &err), KILN_OK);
    assert_int_equal(A->predict(back, va, &p2, &err), KILN_OK);
    const kiln_pred_field *s1 = kiln_predictions_find(&p1, "score");
    const kiln_pred_field *s2 = kiln_predictions_find(&p2, "score");
    assert_non_null(s1);
    assert_non_null(s2);
    assert_memory_equal(s1->values, s2->values,
                        kiln_dataset_rows(va) * sizeof(float));
    /* predicted_label agrees with the probability */
    const kiln_pred_field *l1 = kiln_predictions_find(&p1, "predicted_label");
    for (size_t i = 0; i < kiln_dataset_rows(va); i++)
        assert_true(l1->values[i] == (s1->values[i] > 0.5f ? 1.0f : 0.0f) ||
                    fabsf(s1->values[i] - 0.5f) < 1e-6f);
    kiln_predictions_fini(&p1);
    kiln_predictions_fini(&p2);

    /* the report: split counts per feature, counted here from the trees */
    char *report = A->report(model);
    assert_non_null(report);
    size_t splits0 = 0;
    for (size_t t = 0; t < m->ntrees; t++)
        for (int32_t i = 0; i < m->trees[t].n; i++)
            splits0 += m->trees[t].left[i] >= 0 &&
                       m->trees[t].split_index[i] == 0;
    char want[64];
    snprintf(want, sizeof want, "\"f0\": %zu.0", splits0);
    if (strstr(report, want) == NULL)
        fail_msg("%s not in %s", want, report);
    free(report);

    char path[512];
    snprintf(path, sizeof path, "%s/xgboost-model", dir);
    unlink(path);
    rmdir(dir);
    A->free(model);
    A->free(back);
    free(cap);
    kiln_dataset_free(tr);
    kiln_dataset_free(va);
}

static void test_read_opts(void **state)
{
    (void)state;
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    assert_int_equal(parse((const char *[]){"num_round", "csv_weights"},
                           (const char *[]){"3", "1"}, 2, &hp, &err),
                     KILN_OK);
    kiln_read_opts o = {0};
    A->read_opts(hp, "train", &o);
    assert_true(o.weights);
    kiln_hparams_free(hp);
}

/* ---- interrupt ------------------------------------------------------------ */

typedef struct run {
    kiln_hparams *hp;
    kiln_dataset *ds;
    kiln_cancel *cancel;
    void *model;
    int rc;
    kiln_error err;
} run;

static void *run_train(void *p)
{
    run *r = p;
    kiln_error_init(&r->err);
    r->rc = train(r->hp, r->ds, NULL, r->cancel, NULL, &r->model, &r->err);
    return NULL;
}

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void test_interrupt_is_prompt(void **state)
{
    (void)state;
    kiln_dataset *ds = binary_ds(20000, 8);
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    assert_int_equal(parse((const char *[]){"num_round", "objective"},
                           (const char *[]){"100000", "binary:logistic"}, 2,
                           &hp, &err),
                     KILN_OK);
    kiln_cancel cancel;
    kiln_cancel_init(&cancel);
    run r = {.hp = hp, .ds = ds, .cancel = &cancel};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_train, &r), 0);
    nanosleep(&(struct timespec){.tv_nsec = 300 * 1000 * 1000}, NULL);
    double t0 = mono();
    kiln_cancel_request(&cancel);
    pthread_join(t, NULL);
    assert_true(mono() - t0 < 1.0);
    assert_int_equal(r.rc, KILN_INTERRUPTED);
    assert_null(r.model);
    kiln_hparams_free(hp);
    kiln_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hyperparameters),
        cmocka_unit_test(test_train_log_metrics_and_early_stopping),
        cmocka_unit_test(test_read_opts),
        cmocka_unit_test(test_interrupt_is_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
