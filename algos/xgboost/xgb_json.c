/* kiln — xgboost 1.7's JSON model: writing it, and reading JSON and UBJSON
 * models (xgb.h, xgb_io.h).
 *
 * Writing gives the bytes xgboost 1.7.4's Booster.save_model("x.json")
 * writes for the same model: no whitespace; object keys sorted (xgboost's
 * Json objects are std::maps); floats in arrays in xgboost's to_chars form,
 * the shortest decimal that reads back as the same float32 (Ryu) printed
 * as "1.3725491E-1", "5E1", "0E0"; integer arrays as integers; parameters
 * as strings: base_score in the to_chars form ("5E-1"), the objective's
 * parameters as dmlc::Parameter prints a float ("%.9g": "0.699999988").
 * The text is built here rather than through jansson, whose reals print
 * with a fixed precision ("0.100000001" for 0.1f), and because a json_t of
 * every node of a large model costs far more than its text.
 *
 * What kiln's model does not keep is written as xgboost's defaults:
 *   - feature_names and feature_types: [] (a loaded model's names are
 *     dropped; predictions do not depend on them);
 *   - num_parallel_tree "1": a random-forest model (num_parallel_tree > 1)
 *     loads and predicts the same, but is written as one tree per round,
 *     which changes what xgboost's iteration_range counts as a round;
 *   - boost_from_average "1" (xgboost writes "0" when the user gave
 *     base_score; it only matters when training starts, not for a fitted
 *     model);
 *   - attributes: best_iteration and best_ntree_limit when best_iteration
 *     >= 0; other attributes (best_score) are not kept.
 *
 * Reading parses with jansson (xgb_binary.c decodes UBJSON,
 * save_model("x.ubj"), into the same json_t tree) and checks every value
 * it uses: types, array lengths against num_nodes, integer ranges, then
 * each tree's shape with kiln__xgb_tree_check.  It is lenient where
 * xgboost versions differ: default_left as 0/1 or booleans, categories
 * and split_type absent (before 1.5), num_target absent.  Trees are
 * placed by their "id", as xgboost's GBTreeModel::LoadModel does.  A dart booster's tree weights
 * are folded into the leaf values, float(leaf * weight), which is what
 * dart's predictor adds to the margin, so the model predicts the same as
 * a gbtree.  Categorical splits, vector leaves, multi-target models and
 * gblinear are KILN_DATA.
 *
 * Floats are read through jansson's double and rounded to float; where
 * that double rounding could differ from reading the text straight to
 * float, json_float settles it (see there), so every float32 xgboost or
 * kiln writes reads back bit for bit.
 */
#include "xgb.h"
#include "xgb_io.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- numbers as xgboost prints them ------------------------------------- */

/* A decimal mant * 10^exp10. */
typedef struct decimal {
    uint64_t mant;
    int exp10;
} decimal;

/* Whether mant * 10^exp10 (with v's sign) reads back as v.  The text has
 * no decimal point, so the locale cannot matter. */
static bool reads_back(uint64_t mant, int exp10, float v)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%s%" PRIu64 "e%d", signbit(v) ? "-" : "",
             mant, exp10);
    return strtof(buf, NULL) == v;
}

/* A p-digit decimal that reads back as v, when there is one: the
 * correctly rounded one (the nearest), or else a neighbour of it, which
 * can be the only one in v's interval at a power of two, where the
 * interval is lopsided. */
static bool digits_at(float v, int p, decimal *d)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", p - 1, fabs((double)v));
    uint64_t mant = 0;
    const char *s = buf;
    for (; *s != '\0' && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            mant = mant * 10 + (uint64_t)(*s - '0');
    int exp10 = (*s == 'e' ? atoi(s + 1) : 0) - (p - 1);
    if (reads_back(mant, exp10, v)) {
        *d = (decimal){mant, exp10};
        return true;
    }
    bool lo = mant > 1 && reads_back(mant - 1, exp10, v);
    bool hi = reads_back(mant + 1, exp10, v);
    if (!lo && !hi)
        return false;
    if (lo && hi) {
        /* Both in the interval: the nearer to v, as Ryu picks. */
        double x = fabs((double)v), scale = pow(10.0, exp10);
        lo = x - (double)(mant - 1) * scale <= (double)(mant + 1) * scale - x;
    }
    *d = (decimal){lo ? mant - 1 : mant + 1, exp10};
    return true;
}

/* v as xgboost's to_chars (Ryu's f2s form) writes it into out (>= 32
 * bytes); returns the length.  The shortest length is found by bisection:
 * if some p-digit decimal reads back, so does a (p+1)-digit one. */
static size_t format_float(float v, char *out)
{
    if (isnan(v))
        return (size_t)snprintf(out, 32, "NaN");
    if (isinf(v))
        return (size_t)snprintf(out, 32, "%sInfinity", v < 0 ? "-" : "");
    if (v == 0.0f)
        return (size_t)snprintf(out, 32, "%s0E0", signbit(v) ? "-" : "");
    decimal best, d;
    digits_at(v, 9, &best); /* nine digits always read back */
    int lo = 1, hi = 9;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (digits_at(v, mid, &d)) {
            best = d;
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    while (best.mant % 10 == 0 && best.mant != 0) {
        best.mant /= 10;
        best.exp10++;
    }
    char digits[24];
    int nd = snprintf(digits, sizeof digits, "%" PRIu64, best.mant);
    size_t n = 0;
    if (signbit(v))
        out[n++] = '-';
    out[n++] = digits[0];
    if (nd > 1) {
        out[n++] = '.';
        memcpy(out + n, digits + 1, (size_t)nd - 1);
        n += (size_t)nd - 1;
    }
    n += (size_t)snprintf(out + n, 32 - n, "E%d", best.exp10 + nd - 1);
    return n;
}

/* The float a JSON number d stands for.  jansson reads numbers as the
 * nearest double; casting that to float rounds twice, which differs from
 * reading the text straight to float (as xgboost does) only when d falls
 * exactly halfway between two floats ("7.038531E-26" does).  Then the
 * text was one of the two floats' shortest decimals: the one that reads
 * back as d. */
static float json_float(double d)
{
    float f = (float)d;
    if ((double)f == d || !isfinite(f))
        return f;
    float other = nextafterf(f, d > (double)f ? INFINITY : -INFINITY);
    if (d != ((double)f + (double)other) / 2)
        return f;
    char buf[32];
    format_float(f, buf);
    if (strtod(buf, NULL) == d)
        return f;
    format_float(other, buf);
    return strtod(buf, NULL) == d ? other : f;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct writer {
    kiln_buf *b;
    int rc; /* the first append that failed */
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->rc == KILN_OK)
        w->rc = kiln_buf_append(w->b, s, n);
}

static void puts_(writer *w, const char *s) { put(w, s, strlen(s)); }

static void put_int(writer *w, long long v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", v);
    put(w, buf, (size_t)n);
}

/* A float of a tree's arrays.  JSON has no NaN or infinity (xgboost
 * writes them as NaN/Infinity, which no standard reader takes); loading
 * refuses them where prediction reads (xgb_model.c's tree check), so a
 * non-finite value can only be a statistic or an unreachable node's, and
 * is written 0. */
static void put_float(writer *w, float v)
{
    if (!isfinite(v))
        v = 0.0f;
    char buf[32];
    put(w, buf, format_float(v, buf));
}

/* "key":"<v>" for integer parameters, which xgboost writes as strings. */
static void put_param_int(writer *w, const char *key, long long v)
{
    put(w, "\"", 1);
    puts_(w, key);
    put(w, "\":\"", 3);
    put_int(w, v);
    put(w, "\"", 1);
}

/* "key":"<v>" for float parameters, as dmlc::Parameter prints a float. */
static void put_param_float(writer *w, const char *key, double v)
{
    char buf[96];
    snprintf(buf, sizeof buf, "\"%s\":\"%.9g\"", key, (double)(float)v);
    puts_(w, buf);
}

/* A JSON string (names are ASCII, but escape what JSON requires). */
static void put_string(writer *w, const char *s)
{
    put(w, "\"", 1);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(w, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(w, esc, 6);
        } else {
            put(w, (const char *)&c, 1);
        }
    }
    put(w, "\"", 1);
}

static void put_ints(writer *w, const int32_t *a, int32_t n)
{
    put(w, "[", 1);
    for (int32_t i = 0; i < n; i++) {
        if (i > 0)
            put(w, ",", 1);
        put_int(w, a[i]);
    }
    put(w, "]", 1);
}

static void put_floats(writer *w, const float *a, int32_t n)
{
    put(w, "[", 1);
    for (int32_t i = 0; i < n; i++) {
        if (i > 0)
            put(w, ",", 1);
        put_float(w, a[i]);
    }
    put(w, "]", 1);
}

/* default_left as 0/1, split_type as n zeros (numerical splits). */
static void put_flags(writer *w, const uint8_t *a, int32_t n)
{
    put(w, "[", 1);
    for (int32_t i = 0; i < n; i++) {
        if (i > 0)
            put(w, ",", 1);
        put(w, a != NULL && a[i] ? "1" : "0", 1);
    }
    put(w, "]", 1);
}

static int32_t count_deleted(const kiln__xgb_tree *t)
{
    int32_t d = 0;
    for (int32_t i = 0; i < t->n; i++)
        d += t->left[i] == -1 && t->split_index[i] == KILN__XGB_DELETED_INDEX;
    return d;
}

static void put_tree(writer *w, const kiln__xgb_tree *t, size_t id,
                     size_t num_feature)
{
    puts_(w, "{\"base_weights\":");
    put_floats(w, t->base_weight, t->n);
    puts_(w, ",\"categories\":[],\"categories_nodes\":[],"
             "\"categories_segments\":[],\"categories_sizes\":[],"
             "\"default_left\":");
    put_flags(w, t->default_left, t->n);
    puts_(w, ",\"id\":");
    put_int(w, (long long)id);
    puts_(w, ",\"left_children\":");
    put_ints(w, t->left, t->n);
    puts_(w, ",\"loss_changes\":");
    put_floats(w, t->loss_change, t->n);
    puts_(w, ",\"parents\":");
    put_ints(w, t->parent, t->n);
    puts_(w, ",\"right_children\":");
    put_ints(w, t->right, t->n);
    puts_(w, ",\"split_conditions\":");
    put_floats(w, t->split_cond, t->n);
    puts_(w, ",\"split_indices\":");
    put_ints(w, t->split_index, t->n);
    puts_(w, ",\"split_type\":");
    put_flags(w, NULL, t->n);
    puts_(w, ",\"sum_hessian\":");
    put_floats(w, t->sum_hess, t->n);
    puts_(w, ",\"tree_param\":{");
    put_param_int(w, "num_deleted", count_deleted(t));
    put(w, ",", 1);
    put_param_int(w, "num_feature", (long long)num_feature);
    put(w, ",", 1);
    put_param_int(w, "num_nodes", t->n);
    puts_(w, ",\"size_leaf_vector\":\"0\"}}");
}

/* ---- objectives' parameter objects -------------------------------------- */

typedef enum param_family {
    PARAMS_NONE,     /* reg:gamma, binary:hinge, survival:cox, ... */
    PARAMS_REG_LOSS, /* reg_loss_param{scale_pos_weight} */
    PARAMS_POISSON,  /* poisson_regression_param{max_delta_step} */
    PARAMS_TWEEDIE,  /* tweedie_regression_param{tweedie_variance_power} */
    PARAMS_HUBER,    /* pseudo_huber_param{huber_slope} */
    PARAMS_SOFTMAX,  /* softmax_multiclass_param{num_class} */
    PARAMS_RANK,     /* lambda_rank_param{fix_list_weight, num_pairsample} */
    PARAMS_AFT,      /* aft_loss_param{...} */
} param_family;

static const struct {
    const char *name;
    param_family family;
} objective_params[] = {
    {"reg:squarederror", PARAMS_REG_LOSS},
    {"reg:linear", PARAMS_REG_LOSS},
    {"reg:squaredlogerror", PARAMS_REG_LOSS},
    {"reg:logistic", PARAMS_REG_LOSS},
    {"binary:logistic", PARAMS_REG_LOSS},
    {"binary:logitraw", PARAMS_REG_LOSS},
    {"count:poisson", PARAMS_POISSON},
    {"reg:tweedie", PARAMS_TWEEDIE},
    {"reg:pseudohubererror", PARAMS_HUBER},
    {"multi:softmax", PARAMS_SOFTMAX},
    {"multi:softprob", PARAMS_SOFTMAX},
    {"rank:pairwise", PARAMS_RANK},
    {"rank:ndcg", PARAMS_RANK},
    {"rank:map", PARAMS_RANK},
    {"survival:aft", PARAMS_AFT},
};

static const char *const family_key[] = {
    [PARAMS_NONE] = NULL,
    [PARAMS_REG_LOSS] = "reg_loss_param",
    [PARAMS_POISSON] = "poisson_regression_param",
    [PARAMS_TWEEDIE] = "tweedie_regression_param",
    [PARAMS_HUBER] = "pseudo_huber_param",
    [PARAMS_SOFTMAX] = "softmax_multiclass_param",
    [PARAMS_RANK] = "lambda_rank_param",
    [PARAMS_AFT] = "aft_loss_param",
};

static param_family family_of(const char *name)
{
    for (size_t i = 0; i < sizeof objective_params / sizeof objective_params[0];
         i++)
        if (strcmp(objective_params[i].name, name) == 0)
            return objective_params[i].family;
    return PARAMS_NONE;
}

/* The members of the family's parameter object, keys sorted. */
static void put_family_params(writer *w, param_family f,
                              const kiln__xgb_model *m)
{
    const kiln__xgb_obj_params *p = &m->params;
    put(w, "{", 1);
    switch (f) {
    case PARAMS_REG_LOSS:
        put_param_float(w, "scale_pos_weight", p->scale_pos_weight);
        break;
    case PARAMS_POISSON:
        put_param_float(w, "max_delta_step", p->poisson_max_delta_step);
        break;
    case PARAMS_TWEEDIE:
        put_param_float(w, "tweedie_variance_power",
                        p->tweedie_variance_power);
        break;
    case PARAMS_HUBER:
        put_param_float(w, "huber_slope", p->huber_slope);
        break;
    case PARAMS_SOFTMAX:
        put_param_int(w, "num_class", m->num_class);
        break;
    case PARAMS_RANK:
        puts_(w, "\"fix_list_weight\":\"0\",\"num_pairsample\":\"1\"");
        break;
    case PARAMS_AFT:
        puts_(w, "\"aft_loss_distribution\":\"normal\","
                 "\"aft_loss_distribution_scale\":\"1\"");
        break;
    case PARAMS_NONE:
        break;
    }
    put(w, "}", 1);
}

/* {"name": ..., "<family>_param": {...}}, the parameter object before or
 * after "name" as the keys sort. */
static void put_objective(writer *w, const kiln__xgb_model *m)
{
    const char *name = m->objective != NULL ? m->objective->name
                                            : "reg:squarederror";
    param_family f = family_of(name);
    const char *key = family_key[f];
    bool before = key != NULL && strcmp(key, "name") < 0;
    put(w, "{", 1);
    if (before) {
        put_string(w, key);
        put(w, ":", 1);
        put_family_params(w, f, m);
        put(w, ",", 1);
    }
    puts_(w, "\"name\":");
    put_string(w, name);
    if (key != NULL && !before) {
        put(w, ",", 1);
        put_string(w, key);
        put(w, ":", 1);
        put_family_params(w, f, m);
    }
    put(w, "}", 1);
}

static void put_learner_model_param(writer *w, const kiln__xgb_model *m)
{
    char base[32];
    format_float((float)m->base_score, base);
    puts_(w, "{\"base_score\":");
    put_string(w, base);
    puts_(w, ",\"boost_from_average\":\"1\",");
    put_param_int(w, "num_class", m->num_class);
    put(w, ",", 1);
    put_param_int(w, "num_feature", (long long)m->num_feature);
    puts_(w, ",\"num_target\":\"1\"}");
}

static void put_model(writer *w, const kiln__xgb_model *m)
{
    puts_(w, "{\"learner\":{\"attributes\":{");
    if (m->best_iteration >= 0) {
        put_param_int(w, "best_iteration", (long long)m->best_iteration);
        put(w, ",", 1);
        put_param_int(w, "best_ntree_limit", (long long)m->best_ntree_limit);
    }
    if (m->best_iteration >= 0 && isfinite(m->best_score)) {
        /* Python's repr of the float, as xgboost.train's set_attr writes
         * it: the shortest text that reads back the same double */
        char buf[64];
        for (int digits = 1; digits <= 17; digits++) {
            snprintf(buf, sizeof buf, "%.*g", digits, m->best_score);
            if (strtod(buf, NULL) == m->best_score)
                break;
        }
        puts_(w, ",\"best_score\":");
        put_string(w, buf);
    }
    puts_(w, "},\"feature_names\":[],\"feature_types\":[],"
             "\"gradient_booster\":{\"model\":{\"gbtree_model_param\":{"
             "\"num_parallel_tree\":\"1\",");
    put_param_int(w, "num_trees", (long long)m->ntrees);
    puts_(w, ",\"size_leaf_vector\":\"0\"},\"tree_info\":[");
    for (size_t i = 0; i < m->ntrees; i++) {
        if (i > 0)
            put(w, ",", 1);
        put_int(w, m->tree_info[i]);
    }
    puts_(w, "],\"trees\":[");
    for (size_t i = 0; i < m->ntrees; i++) {
        if (i > 0)
            put(w, ",", 1);
        put_tree(w, &m->trees[i], i, m->num_feature);
    }
    puts_(w, "]},\"name\":\"gbtree\"},\"learner_model_param\":");
    put_learner_model_param(w, m);
    puts_(w, ",\"objective\":");
    put_objective(w, m);
    puts_(w, "},\"version\":[1,7,4]}");
}

int kiln__xgb_save_json(const kiln__xgb_model *m, kiln_buf *out,
                        kiln_error *err)
{
    size_t len0 = out->len;
    writer w = {out, KILN_OK};
    put_model(&w, m);
    if (w.rc == KILN_OK)
        return KILN_OK;
    /* Leave out as it was. */
    out->len = len0;
    if (out->data != NULL)
        out->data[len0] = '\0';
    return kiln_error_set(err, KILN_NOMEM,
                          "cannot allocate the JSON text of a model of %zu "
                          "trees",
                          m->ntrees);
}

/* ---- reading: values ---------------------------------------------------- */

typedef struct reader {
    const char *what;
    kiln_error *err;
    int rc; /* the first error, KILN_DATA or KILN_NOMEM */
} reader;

static int fail(reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

int kiln__xgb_vfail(kiln_error *err, const char *what, const char *fmt,
                    va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    for (char *c = msg; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            *c = '?';
    kiln_error_set(err, KILN_DATA, "%s: %s", what, msg);
    return KILN_DATA;
}

/* KILN_DATA "<what>: <message>", the reader's first error. */
static int fail(reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kiln__xgb_vfail(r->err, r->what, fmt, ap);
    va_end(ap);
    if (r->rc == KILN_OK)
        r->rc = KILN_DATA;
    return KILN_DATA;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* obj[key], which must be of type type; NULL with the error set. */
static json_t *need(reader *r, json_t *obj, const char *where,
                    const char *key, json_type type)
{
    json_t *v = json_object_get(obj, key);
    static const char *const want[] = {
        [JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
        [JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
        [JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
        [JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
    };
    if (v == NULL) {
        fail(r, "%s has no \"%s\"", where, key);
        return NULL;
    }
    if (json_typeof(v) != type) {
        fail(r, "%s.%s is %s, expected %s", where, key, type_name(v),
             want[type]);
        return NULL;
    }
    return v;
}

/* A number written the way xgboost writes parameters: a string ("5E-1",
 * "0.699999988", "[5E-1]" in xgboost 2) or, leniently, a JSON number. */
static bool parse_number(const json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    char buf[64];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    *out = strtod(buf, &end);
    return *end == '\0' && !isspace((unsigned char)buf[0]);
}

/* Parameter key of obj as a number; *out keeps its value when the key is
 * absent and optional. */
static int param_number(reader *r, json_t *obj, const char *where,
                        const char *key, bool required, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return required ? fail(r, "%s has no \"%s\"", where, key) : KILN_OK;
    if (!parse_number(v, out))
        return fail(r, "%s.%s is not a number", where, key);
    return KILN_OK;
}

/* Parameter key of obj as an integer in [lo, hi]. */
static int param_int(reader *r, json_t *obj, const char *where,
                     const char *key, bool required, long long lo,
                     long long hi, long long *out)
{
    double d = (double)*out;
    if (param_number(r, obj, where, key, required, &d) != KILN_OK)
        return KILN_DATA;
    if (d != floor(d) || d < (double)lo || d > (double)hi)
        return fail(r, "%s.%s = %.17g, expected an integer in [%lld, %lld]",
                    where, key, d, lo, hi);
    *out = (long long)d;
    return KILN_OK;
}

/* ---- reading: the objective --------------------------------------------- */

static void objective_list(char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; kiln__xgb_objective_names[i] != NULL && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i > 0 ? ", " : "",
                              kiln__xgb_objective_names[i]);
}

static void default_params(kiln__xgb_obj_params *p)
{
    memset(p, 0, sizeof *p);
    p->scale_pos_weight = 1.0;
    p->tweedie_variance_power = 1.5;
    p->huber_slope = 1.0;
    p->poisson_max_delta_step = 0.7;
}

/* A float parameter: xgboost keeps them as floats, so "0.300000012" is
 * the float 0.3f, whichever way it was written. */
static int param_float(reader *r, json_t *obj, const char *where,
                       const char *key, double *out)
{
    double d = *out;
    if (param_number(r, obj, where, key, false, &d) != KILN_OK)
        return KILN_DATA;
    *out = json_float(d);
    return KILN_OK;
}

/* The family's parameters from config (xgboost's objective object; NULL
 * or without the family's object: defaults). */
static int family_params(reader *r, param_family f, json_t *config,
                         kiln__xgb_obj_params *p)
{
    const char *key = family_key[f];
    json_t *o = key != NULL && config != NULL ? json_object_get(config, key)
                                              : NULL;
    if (o == NULL)
        return KILN_OK;
    char where[64];
    snprintf(where, sizeof where, "objective.%s", key);
    if (!json_is_object(o))
        return fail(r, "%s is %s, expected an object", where, type_name(o));
    switch (f) {
    case PARAMS_REG_LOSS:
        return param_float(r, o, where, "scale_pos_weight",
                           &p->scale_pos_weight);
    case PARAMS_POISSON:
        return param_float(r, o, where, "max_delta_step",
                           &p->poisson_max_delta_step);
    case PARAMS_TWEEDIE:
        return param_float(r, o, where, "tweedie_variance_power",
                           &p->tweedie_variance_power);
    case PARAMS_HUBER:
        return param_float(r, o, where, "huber_slope", &p->huber_slope);
    default:
        return KILN_OK;
    }
}

static int objective_from(reader *r, const char *name, json_t *config,
                          int num_class, const kiln__xgb_objective **obj,
                          kiln__xgb_obj_params *p)
{
    const kiln__xgb_objective *o = kiln__xgb_objective_find(name);
    if (o == NULL) {
        char known[1024];
        objective_list(known, sizeof known);
        return fail(r, "objective \"%s\" is not supported (kiln's XGBoost "
                       "has %s)",
                    name, known);
    }
    default_params(p);
    if (o->kind == KILN__XGB_OBJ_MULTI) {
        if (num_class < 2)
            return fail(r, "objective %s with num_class %d, expected at "
                           "least 2",
                        name, num_class);
        p->num_class = num_class;
    } else if (num_class > 1) {
        return fail(r, "num_class %d with objective %s, which has one "
                       "output",
                    num_class, name);
    }
    if (family_params(r, family_of(o->name), config, p) != KILN_OK)
        return KILN_DATA;
    *obj = o;
    return KILN_OK;
}

int kiln__xgb_objective_config(const char *name, const char *config,
                               int num_class, const char *what,
                               const kiln__xgb_objective **obj,
                               kiln__xgb_obj_params *p, kiln_error *err)
{
    reader r = {what, err, KILN_OK};
    json_t *cfg = NULL;
    if (config != NULL) {
        json_error_t jerr;
        cfg = json_loads(config, 0, &jerr);
        if (cfg == NULL || !json_is_object(cfg)) {
            json_decref(cfg);
            return fail(&r, "the objective attribute is not a JSON object "
                            "(%s)",
                        cfg == NULL ? jerr.text : "another JSON value");
        }
    }
    int rc = objective_from(&r, name, cfg, num_class, obj, p);
    json_decref(cfg);
    return rc;
}

/* ---- reading: trees ----------------------------------------------------- */

/* tree[key]: an array of n values. */
static json_t *tree_array(reader *r, json_t *jt, size_t tree,
                          const char *key, size_t n)
{
    json_t *a = json_object_get(jt, key);
    if (a == NULL) {
        fail(r, "tree %zu has no \"%s\"", tree, key);
        return NULL;
    }
    if (!json_is_array(a)) {
        fail(r, "tree %zu: %s is %s, expected an array", tree, key,
             type_name(a));
        return NULL;
    }
    if (json_array_size(a) != n) {
        fail(r, "tree %zu: %s has %zu values, expected %zu (num_nodes)",
             tree, key, json_array_size(a), n);
        return NULL;
    }
    return a;
}

/* Integers in [lo, hi]. */
static int tree_ints(reader *r, json_t *jt, size_t tree, const char *key,
                     int32_t n, long long lo, long long hi, int32_t *dst)
{
    json_t *a = tree_array(r, jt, tree, key, (size_t)n);
    if (a == NULL)
        return KILN_DATA;
    for (int32_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        long long x;
        if (json_is_integer(v))
            x = json_integer_value(v);
        else if (json_is_real(v) && fabs(json_real_value(v)) < 1e18 &&
                 json_real_value(v) == floor(json_real_value(v)))
            x = (long long)json_real_value(v);
        else
            return fail(r, "tree %zu: %s[%d] is %s, expected an integer",
                        tree, key, (int)i, type_name(v));
        if (x < lo || x > hi)
            return fail(r, "tree %zu: %s[%d] = %lld is out of range [%lld, "
                           "%lld]",
                        tree, key, (int)i, x, lo, hi);
        dst[i] = (int32_t)x;
    }
    return KILN_OK;
}

static int tree_floats(reader *r, json_t *jt, size_t tree, const char *key,
                       int32_t n, float *dst)
{
    json_t *a = tree_array(r, jt, tree, key, (size_t)n);
    if (a == NULL)
        return KILN_DATA;
    for (int32_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        if (!json_is_number(v))
            return fail(r, "tree %zu: %s[%d] is %s, expected a number", tree,
                        key, (int)i, type_name(v));
        dst[i] = json_float(json_number_value(v));
    }
    return KILN_OK;
}

/* Any categorical split: split_type with a nonzero, or categories. */
static int check_numerical(reader *r, json_t *jt, size_t tree, int32_t n)
{
    json_t *types = json_object_get(jt, "split_type");
    if (types != NULL) {
        if (!json_is_array(types) || json_array_size(types) != (size_t)n)
            return fail(r, "tree %zu: split_type is not an array of %d "
                           "values (num_nodes)",
                        tree, (int)n);
        for (int32_t i = 0; i < n; i++) {
            json_t *v = json_array_get(types, (size_t)i);
            if (!json_is_integer(v) || json_integer_value(v) != 0)
                return fail(r, "tree %zu: node %d: categorical splits are "
                               "not supported",
                            tree, (int)i);
        }
    }
    json_t *nodes = json_object_get(jt, "categories_nodes");
    if (nodes != NULL && (!json_is_array(nodes) || json_array_size(nodes) > 0))
        return fail(r, "tree %zu: categorical splits are not supported",
                    tree);
    return KILN_OK;
}

/* default_left: 0/1, or booleans (older xgboost). */
static int tree_flags(reader *r, json_t *jt, size_t tree, const char *key,
                      int32_t n, uint8_t *dst)
{
    json_t *a = tree_array(r, jt, tree, key, (size_t)n);
    if (a == NULL)
        return KILN_DATA;
    for (int32_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        if (json_is_boolean(v))
            dst[i] = json_is_true(v);
        else if (json_is_integer(v) && (json_integer_value(v) == 0 ||
                                        json_integer_value(v) == 1))
            dst[i] = (uint8_t)json_integer_value(v);
        else
            return fail(r, "tree %zu: %s[%d] is %s, expected 0 or 1", tree,
                        key, (int)i, type_name(v));
    }
    return KILN_OK;
}

/* The node count of tree jt from its tree_param. */
static int tree_size(reader *r, json_t *jt, size_t tree, int32_t *n)
{
    char where[48];
    snprintf(where, sizeof where, "tree %zu", tree);
    json_t *param = need(r, jt, where, "tree_param", JSON_OBJECT);
    if (param == NULL)
        return KILN_DATA;
    snprintf(where, sizeof where, "tree %zu: tree_param", tree);
    long long nodes = 0, leaf_vector = 0;
    if (param_int(r, param, where, "num_nodes", true, 1, INT32_MAX, &nodes) ||
        param_int(r, param, where, "size_leaf_vector", false, 0, INT32_MAX,
                  &leaf_vector))
        return KILN_DATA;
    if (leaf_vector > 1) /* xgboost 2 writes 1 for scalar leaves */
        return fail(r, "tree %zu: vector leaves (size_leaf_vector %lld) are "
                       "not supported",
                    tree, leaf_vector);
    *n = (int32_t)nodes;
    return KILN_OK;
}

/* Tree jt (placed at index tree) into t, checked. */
static int load_tree(reader *r, json_t *jt, size_t tree, size_t num_feature,
                     kiln__xgb_tree *t)
{
    int32_t n = 0;
    /* The length is checked before allocating for it, so n is bounded by
     * the size of the text. */
    if (tree_size(r, jt, tree, &n) != KILN_OK ||
        tree_array(r, jt, tree, "left_children", (size_t)n) == NULL ||
        check_numerical(r, jt, tree, n) != KILN_OK)
        return KILN_DATA;
    if (kiln__xgb_tree_init(t, n) != KILN_OK) {
        r->rc = KILN_NOMEM;
        return kiln_error_set(r->err, KILN_NOMEM,
                              "cannot allocate tree %zu of %s (%d nodes)",
                              tree, r->what, (int)n);
    }
    t->n = n;
    if (tree_ints(r, jt, tree, "left_children", n, -1, INT32_MAX, t->left) ||
        tree_ints(r, jt, tree, "right_children", n, -1, INT32_MAX,
                  t->right) ||
        tree_ints(r, jt, tree, "parents", n, -1, INT32_MAX, t->parent) ||
        tree_ints(r, jt, tree, "split_indices", n, 0, INT32_MAX,
                  t->split_index) ||
        tree_flags(r, jt, tree, "default_left", n, t->default_left) ||
        tree_floats(r, jt, tree, "split_conditions", n, t->split_cond) ||
        tree_floats(r, jt, tree, "base_weights", n, t->base_weight) ||
        tree_floats(r, jt, tree, "loss_changes", n, t->loss_change) ||
        tree_floats(r, jt, tree, "sum_hessian", n, t->sum_hess))
        return KILN_DATA;
    if (t->parent[0] == -1)
        t->parent[0] = INT32_MAX;
    int rc = kiln__xgb_tree_check(t, num_feature, r->what, tree, r->err);
    if (rc != KILN_OK)
        r->rc = rc;
    return rc;
}

/* ---- reading: the document ---------------------------------------------- */

typedef struct learner_params {
    double base_score;
    long long num_feature, num_class;
} learner_params;

static int read_learner_params(reader *r, json_t *learner, learner_params *lp)
{
    const char *where = "learner.learner_model_param";
    json_t *o = need(r, learner, "learner", "learner_model_param",
                     JSON_OBJECT);
    if (o == NULL)
        return KILN_DATA;
    long long num_target = 1;
    lp->base_score = 0.5;
    lp->num_feature = 0;
    lp->num_class = 0;
    if (param_number(r, o, where, "base_score", true, &lp->base_score) ||
        param_int(r, o, where, "num_feature", true, 0, INT32_MAX,
                  &lp->num_feature) ||
        param_int(r, o, where, "num_class", false, 0, 1 << 20,
                  &lp->num_class) ||
        param_int(r, o, where, "num_target", false, 0, INT32_MAX,
                  &num_target))
        return KILN_DATA;
    if (num_target > 1)
        return fail(r, "multi-target models (num_target %lld) are not "
                       "supported",
                    num_target);
    return KILN_OK;
}

/* feature_types "c" means categorical features. */
static int check_feature_types(reader *r, json_t *learner)
{
    json_t *types = json_object_get(learner, "feature_types");
    if (types == NULL || !json_is_array(types))
        return KILN_OK;
    for (size_t i = 0; i < json_array_size(types); i++) {
        const char *s = json_string_value(json_array_get(types, i));
        if (s != NULL && strcmp(s, "c") == 0)
            return fail(r, "feature %zu is categorical: categorical splits "
                           "are not supported",
                        i);
    }
    return KILN_OK;
}

static int read_attributes(reader *r, json_t *learner, kiln__xgb_model *m)
{
    json_t *attrs = json_object_get(learner, "attributes");
    if (attrs == NULL || !json_is_object(attrs))
        return KILN_OK;
    long long it = -1, limit = 0;
    const char *where = "learner.attributes";
    if (param_int(r, attrs, where, "best_iteration", false, -1, INT64_MAX / 2,
                  &it) ||
        param_int(r, attrs, where, "best_ntree_limit", false, 0,
                  INT64_MAX / 2, &limit))
        return KILN_DATA;
    m->best_iteration = it;
    m->best_ntree_limit = limit;
    json_t *score = json_object_get(attrs, "best_score");
    if (json_is_string(score)) {
        char *end;
        double v = strtod(json_string_value(score), &end);
        if (*end == '\0' && isfinite(v))
            m->best_score = v;
    }
    return KILN_OK;
}

/* The gbtree model object of the booster and, for dart, its weights. */
static json_t *booster_model(reader *r, json_t *learner, json_t **weights)
{
    json_t *gb = need(r, learner, "learner", "gradient_booster", JSON_OBJECT);
    if (gb == NULL)
        return NULL;
    json_t *jname = need(r, gb, "learner.gradient_booster", "name",
                         JSON_STRING);
    if (jname == NULL)
        return NULL;
    const char *name = json_string_value(jname);
    *weights = NULL;
    if (strcmp(name, "gbtree") == 0)
        return need(r, gb, "learner.gradient_booster", "model", JSON_OBJECT);
    if (strcmp(name, "dart") == 0) {
        json_t *inner = need(r, gb, "learner.gradient_booster", "gbtree",
                             JSON_OBJECT);
        *weights = need(r, gb, "learner.gradient_booster", "weight_drop",
                        JSON_ARRAY);
        if (inner == NULL || *weights == NULL)
            return NULL;
        return need(r, inner, "learner.gradient_booster.gbtree", "model",
                    JSON_OBJECT);
    }
    fail(r, "booster \"%s\" is not supported (kiln's XGBoost reads gbtree "
            "and dart models)",
         name);
    return NULL;
}

/* Fold dart's weight of tree id into its leaves. */
static int dart_weight(reader *r, json_t *weights, size_t id,
                       kiln__xgb_tree *t)
{
    json_t *w = json_array_get(weights, id);
    if (!json_is_number(w))
        return fail(r, "gradient_booster.weight_drop[%zu] is not a number",
                    id);
    float wf = json_float(json_number_value(w));
    for (int32_t i = 0; i < t->n; i++)
        if (t->left[i] == -1)
            t->split_cond[i] = t->split_cond[i] * wf;
    return KILN_OK;
}

/* trees[] ordered by their "id" into by_id (num_trees entries). */
static int order_trees(reader *r, json_t *trees, json_t **by_id, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *jt = json_array_get(trees, i);
        if (!json_is_object(jt))
            return fail(r, "trees[%zu] is %s, expected an object", i,
                        type_name(jt));
        json_t *jid = json_object_get(jt, "id");
        long long id = (long long)i;
        if (jid != NULL) {
            if (!json_is_integer(jid))
                return fail(r, "trees[%zu].id is %s, expected an integer", i,
                            type_name(jid));
            id = json_integer_value(jid);
        }
        if (id < 0 || (unsigned long long)id >= n)
            return fail(r, "trees[%zu].id = %lld, expected 0..%zu", i, id,
                        n - 1);
        if (by_id[id] != NULL)
            return fail(r, "two trees have id %lld", id);
        by_id[id] = jt;
    }
    return KILN_OK;
}

static int tree_group(reader *r, json_t *info, size_t id, int num_group,
                      int *group)
{
    json_t *v = json_array_get(info, id);
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) >= num_group)
        return fail(r, "tree_info[%zu] is not an output group 0..%d", id,
                    num_group - 1);
    *group = (int)json_integer_value(v);
    return KILN_OK;
}

static int load_trees(reader *r, json_t *model_obj, json_t *weights,
                      kiln__xgb_model *m)
{
    const char *where = "gradient_booster.model";
    json_t *param = need(r, model_obj, where, "gbtree_model_param",
                         JSON_OBJECT);
    json_t *info = need(r, model_obj, where, "tree_info", JSON_ARRAY);
    json_t *trees = need(r, model_obj, where, "trees", JSON_ARRAY);
    if (param == NULL || info == NULL || trees == NULL)
        return KILN_DATA;
    long long num_trees = 0;
    if (param_int(r, param, "gbtree_model_param", "num_trees", true, 0,
                  INT32_MAX, &num_trees))
        return KILN_DATA;
    size_t n = (size_t)num_trees;
    if (json_array_size(trees) != n || json_array_size(info) != n)
        return fail(r, "num_trees is %zu, but there are %zu trees and %zu "
                       "tree_info entries",
                    n, json_array_size(trees), json_array_size(info));
    if (weights != NULL && json_array_size(weights) != n)
        return fail(r, "weight_drop has %zu values for %zu trees",
                    json_array_size(weights), n);
    json_t **by_id = calloc(n > 0 ? n : 1, sizeof *by_id);
    if (by_id == NULL) {
        r->rc = KILN_NOMEM;
        return kiln_error_nomem(r->err);
    }
    int rc = order_trees(r, trees, by_id, n);
    for (size_t id = 0; id < n && rc == KILN_OK; id++) {
        kiln__xgb_tree t = {0};
        int group = 0;
        rc = tree_group(r, info, id, m->num_group, &group);
        if (rc == KILN_OK)
            rc = load_tree(r, by_id[id], id, m->num_feature, &t);
        if (rc == KILN_OK && weights != NULL)
            rc = dart_weight(r, weights, id, &t);
        if (rc == KILN_OK)
            rc = kiln__xgb_model_add_tree(m, &t, group, r->err);
        kiln__xgb_tree_fini(&t);
    }
    free(by_id);
    return rc;
}

static int load_document(reader *r, json_t *root, kiln__xgb_model **out)
{
    if (!json_is_object(root))
        return fail(r, "the model is %s, expected an object",
                    type_name(root));
    json_t *learner = need(r, root, "the model", "learner", JSON_OBJECT);
    if (learner == NULL)
        return KILN_DATA;
    learner_params lp;
    if (read_learner_params(r, learner, &lp) != KILN_OK ||
        check_feature_types(r, learner) != KILN_OK)
        return KILN_DATA;
    json_t *jobj = need(r, learner, "learner", "objective", JSON_OBJECT);
    json_t *jname = jobj != NULL ? need(r, jobj, "learner.objective", "name",
                                        JSON_STRING)
                                 : NULL;
    if (jname == NULL)
        return KILN_DATA;
    const kiln__xgb_objective *obj = NULL;
    kiln__xgb_obj_params params;
    if (objective_from(r, json_string_value(jname), jobj, (int)lp.num_class,
                       &obj, &params) != KILN_OK)
        return KILN_DATA;
    json_t *weights = NULL;
    json_t *model_obj = booster_model(r, learner, &weights);
    if (model_obj == NULL)
        return KILN_DATA;
    kiln__xgb_model *m = kiln__xgb_model_new(obj, &params,
                                             (size_t)lp.num_feature,
                                             json_float(lp.base_score));
    if (m == NULL) {
        r->rc = KILN_NOMEM;
        return kiln_error_nomem(r->err);
    }
    int rc = load_trees(r, model_obj, weights, m);
    if (rc == KILN_OK)
        rc = read_attributes(r, learner, m);
    if (rc != KILN_OK) {
        kiln__xgb_model_free(m);
        return rc;
    }
    *out = m;
    return KILN_OK;
}

/* ---- loading ------------------------------------------------------------ */

int kiln__xgb_load_document(json_t *root, const char *what,
                            kiln__xgb_model **out, kiln_error *err)
{
    reader r = {what, err, KILN_OK};
    return load_document(&r, root, out);
}

int kiln__xgb_load_json(const void *bytes, size_t len, const char *what,
                        kiln__xgb_model **out, kiln_error *err)
{
    reader r = {what, err, KILN_OK};
    json_error_t jerr;
    json_t *root = json_loadb((const char *)bytes, len, 0, &jerr);
    if (root == NULL)
        return fail(&r, "not valid JSON: %s (line %d, column %d)", jerr.text,
                    jerr.line, jerr.column);
    int rc = load_document(&r, root, out);
    json_decref(root);
    return rc;
}
