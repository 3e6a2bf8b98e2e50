/* Tests for algos/hparams.c: hyperparameters checked against a schema.
 * The schema here is the test's own, covering every type and bound; the
 * expected messages are written out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/algo.h"
#include "algos/hparams.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const init_choices[] = {"random", "kmeans++", NULL};
static const char *const metric_choices[] = {"msd", "ssd", NULL};
static const char *const auto_word[] = {"auto", NULL};
static const char *const weight_words[] = {"auto", "balanced", NULL};

static const kiln_hp_spec schema[] = {
    {.name = "k", .type = KILN_HP_INT, .flags = KILN_HP_REQUIRED | KILN_HP_MIN,
     .min = 2, .doc = "the number of clusters"},
    {.name = "epochs", .type = KILN_HP_INT, .flags = KILN_HP_MIN_OPEN,
     .default_value = "1", .min = 0, .doc = "passes over the data"},
    {.name = "tol", .type = KILN_HP_FLOAT, .flags = KILN_HP_MIN | KILN_HP_MAX,
     .default_value = "0.0001", .min = 0, .max = 1, .doc = "tolerance"},
    {.name = "quantile", .type = KILN_HP_FLOAT,
     .flags = KILN_HP_MIN_OPEN | KILN_HP_MAX_OPEN, .default_value = "0.5",
     .min = 0, .max = 1, .doc = "the quantile"},
    {.name = "extra_center_factor", .type = KILN_HP_INT,
     .flags = KILN_HP_MIN_OPEN, .default_value = "auto", .min = 0,
     .words = auto_word, .doc = "extra centers"},
    {.name = "weight_mult", .type = KILN_HP_FLOAT, .flags = KILN_HP_MIN_OPEN,
     .default_value = "1.0", .min = 0, .words = weight_words,
     .doc = "positive weight"},
    {.name = "use_bias", .type = KILN_HP_BOOL, .default_value = "true",
     .doc = "a bias term"},
    {.name = "init_method", .type = KILN_HP_CHOICE, .default_value = "random",
     .choices = init_choices, .doc = "how centers start"},
    {.name = "eval_metrics", .type = KILN_HP_LIST, .default_value = "[\"msd\"]",
     .choices = metric_choices, .doc = "test metrics"},
    {.name = "note", .type = KILN_HP_STRING, .doc = "free text"},
    {0},
};

static int check_pair(const kiln_hparams *hp, kiln_error *err)
{
    if (kiln_hp_given(hp, "note") && strcmp(kiln_hp_str(hp, "note"), "bad") == 0)
        return kiln_error_set(err, KILN_HYPERPARAMETER, "note must not be bad");
    return KILN_OK;
}

static const kiln_algo algo = {
    .name = "test-algo",
    .hparams = schema,
    .check = check_pair,
};

static kiln_hparams *parse(const char *const *pairs, size_t n, int want,
                           const char *message)
{
    const char *names[16], *values[16];
    char buf[16][128];
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "%s", pairs[i]);
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        names[i] = buf[i];
        values[i] = eq + 1;
    }
    kiln_error err;
    kiln_error_init(&err);
    kiln_hparams *hp = NULL;
    int rc = kiln_hparams_parse(&algo, names, values, n, &hp, &err);
    assert_int_equal(rc, want);
    if (message != NULL)
        assert_string_equal(err.message, message);
    if (rc != KILN_OK)
        assert_null(hp);
    return hp;
}

static void test_defaults_and_getters(void **state)
{
    (void)state;
    kiln_hparams *hp = parse((const char *const[]){"k=10"}, 1, KILN_OK, NULL);
    assert_int_equal(kiln_hp_int(hp, "k"), 10);
    assert_true(kiln_hp_given(hp, "k"));
    assert_false(kiln_hp_given(hp, "epochs"));
    assert_int_equal(kiln_hp_int(hp, "epochs"), 1);
    assert_true(fabs(kiln_hp_float(hp, "tol") - 0.0001) < 1e-15);
    assert_true(kiln_hp_is(hp, "extra_center_factor", "auto"));
    assert_int_equal(kiln_hp_int(hp, "extra_center_factor"), 0);
    assert_true(isnan(kiln_hp_float(hp, "extra_center_factor")));
    assert_true(kiln_hp_bool(hp, "use_bias"));
    assert_string_equal(kiln_hp_str(hp, "init_method"), "random");
    assert_int_equal(kiln_hp_list_count(hp, "eval_metrics"), 1);
    assert_string_equal(kiln_hp_list_item(hp, "eval_metrics", 0), "msd");
    assert_null(kiln_hp_list_item(hp, "eval_metrics", 1));
    assert_null(kiln_hp_str(hp, "note"));
    assert_int_equal(kiln_hparams_count(hp), 1);
    assert_ptr_equal(kiln_hparams_algo(hp), &algo);
    kiln_hparams_free(hp);
}

static void test_given_values(void **state)
{
    (void)state;
    kiln_hparams *hp = parse(
        (const char *const[]){"k=3", "use_bias=False", "tol=1e-3",
                              "eval_metrics=[\"msd\", \"ssd\"]",
                              "weight_mult=balanced", "init_method=kmeans++",
                              "_tuning_objective_metric=test:msd",
                              "extra_center_factor=4"},
        8, KILN_OK, NULL);
    assert_false(kiln_hp_bool(hp, "use_bias"));
    assert_true(fabs(kiln_hp_float(hp, "tol") - 1e-3) < 1e-15);
    assert_int_equal(kiln_hp_list_count(hp, "eval_metrics"), 2);
    assert_string_equal(kiln_hp_list_item(hp, "eval_metrics", 1), "ssd");
    assert_true(kiln_hp_is(hp, "weight_mult", "balanced"));
    assert_string_equal(kiln_hp_str(hp, "_tuning_objective_metric"),
                        "test:msd");
    assert_int_equal(kiln_hp_int(hp, "extra_center_factor"), 4);
    assert_int_equal(kiln_hparams_count(hp), 8);
    const char *name, *value;
    kiln_hparams_get(hp, 1, &name, &value);
    assert_string_equal(name, "use_bias");
    assert_string_equal(value, "False");
    kiln_hparams_free(hp);

    /* Lists in the other spellings the SDK and people use. */
    const char *lists[] = {"eval_metrics=msd,ssd", "eval_metrics=['msd','ssd']",
                           "eval_metrics= [ \"msd\" ,\"ssd\" ] "};
    for (size_t i = 0; i < 3; i++) {
        const char *pairs[] = {"k=2", lists[i]};
        hp = parse(pairs, 2, KILN_OK, NULL);
        assert_int_equal(kiln_hp_list_count(hp, "eval_metrics"), 2);
        assert_string_equal(kiln_hp_list_item(hp, "eval_metrics", 0), "msd");
        kiln_hparams_free(hp);
    }
    hp = parse((const char *const[]){"k=2", "eval_metrics=[]"}, 2, KILN_OK,
               NULL);
    assert_int_equal(kiln_hp_list_count(hp, "eval_metrics"), 0);
    kiln_hparams_free(hp);
}

static void test_errors(void **state)
{
    (void)state;
    const struct {
        const char *pairs[3];
        size_t n;
        const char *message;
    } cases[] = {
        {{"k=1"}, 1, "k must be an integer ≥ 2, got '1'"},
        {{"k=2.5"}, 1, "k must be an integer ≥ 2, got '2.5'"},
        {{"k=ten"}, 1, "k must be an integer ≥ 2, got 'ten'"},
        {{"k=99999999999999999999"}, 1,
         "k must be an integer ≥ 2, got '99999999999999999999'"},
        {{"k=3", "epochs=0"}, 2, "epochs must be an integer > 0, got '0'"},
        {{"k=3", "tol=1.5"}, 2, "tol must be a number in [0, 1], got '1.5'"},
        {{"k=3", "tol=nan"}, 2, "tol must be a number in [0, 1], got 'nan'"},
        {{"k=3", "quantile=1"}, 2,
         "quantile must be a number in (0, 1), got '1'"},
        {{"k=3", "extra_center_factor=0"}, 2,
         "extra_center_factor must be an integer > 0 or auto, got '0'"},
        {{"k=3", "weight_mult=x"}, 2,
         "weight_mult must be a number > 0, auto or balanced, got 'x'"},
        {{"k=3", "use_bias=yes"}, 2, "use_bias must be true or false, got 'yes'"},
        {{"k=3", "init_method=kmeans"}, 2,
         "init_method must be one of random, kmeans++, got 'kmeans'"},
        {{"k=3", "eval_metrics=[\"msd\", \"mse\"]"}, 2,
         "eval_metrics must be a list of msd, ssd, got '[\"msd\", \"mse\"]' "
         "('mse' is not one)"},
        {{"k=3", "eval_metrics=[\"msd\""}, 2,
         "eval_metrics must be a list of msd, ssd, got '[\"msd\"'"},
        {{"k=3", "mini_batch_siz=10"}, 2,
         "unknown hyperparameter 'mini_batch_siz' for test-algo (%help "
         "test-algo lists them)"},
        {{"k=3", "epoch=2"}, 2,
         "unknown hyperparameter 'epoch' for test-algo (did you mean "
         "epochs?)"},
        {{"k=3", "k=4"}, 2, "hyperparameter 'k' is given twice"},
        {{"epochs=2"}, 1,
         "missing required hyperparameter 'k' (the number of clusters)"},
        {{"k=3", "note=bad"}, 2, "note must not be bad"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        parse(cases[i].pairs, cases[i].n, KILN_HYPERPARAMETER,
              cases[i].message);
}

static void test_describe(void **state)
{
    (void)state;
    char out[256];
    kiln_hp_describe(&schema[0], out, sizeof out);
    assert_string_equal(out, "an integer ≥ 2");
    kiln_hp_describe(&schema[3], out, sizeof out);
    assert_string_equal(out, "a number in (0, 1)");
    kiln_hp_describe(&schema[7], out, sizeof out);
    assert_string_equal(out, "one of random, kmeans++");
    kiln_hp_describe(&schema[9], out, sizeof out);
    assert_string_equal(out, "a string");
    char small[8];
    kiln_hp_describe(&schema[5], small, sizeof small);
    assert_string_equal(small, "a numbe");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_getters),
        cmocka_unit_test(test_given_values),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
