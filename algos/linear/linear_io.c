/* kiln — linear learner's artifact: model_algo-1, a ZIP archive of the four
 * members SageMaker's container writes (builtin-algorithms.md §1, §19),
 * written and read with libarchive.
 *
 * What is in it (each point checked against real SageMaker artifacts
 * published in public repositories, except where marked):
 *
 *   manifest.json            {"additional-params.json": "json", "mx-mod":
 *                            "mxnet_module", "version": 1}
 *   additional-params.json   {"threshold": 0.5, "loss_type": "squared_loss",
 *                            "metrics_params": {"eps_insensitive_loss_type":
 *                            null, "class_weights": null, "huber_delta": null,
 *                            "quantile": null, "loss_insensitivity": null,
 *                            "positive_example_weight_mult": 1.0,
 *                            "accuracy_top_k": 3, "threshold": 0.5, "f_beta":
 *                            null, "margin": null}, "predictor_type":
 *                            "regressor"} -- a real regressor's, key for key.
 *                            kiln fills the keys the same way: threshold is
 *                            the calibrated binary threshold (0.5 for the
 *                            others, as the real regressor shows), in the
 *                            score's units (a probability for logistic, a
 *                            margin for hinge_loss); a metrics parameter is
 *                            null unless the loss or predictor uses it;
 *                            class_weights is the list of multiclass weights
 *                            with balance_multiclass_weights; kiln's
 *                            eps_insensitive_loss_type is "squared_loss" or
 *                            "absolute_loss" [unverified].
 *   mx-mod-symbol.json       MXNet's symbol JSON (as MXNet 1.3.1 writes it,
 *                            mxnet_version 10301 like the real ones): data ->
 *                            dot(data, fc0_weight) -> broadcast_add(fc0_bias)
 *                            -> an output op with label out_label.  The real
 *                            regressor's output op is LinearRegressionOutput;
 *                            kiln writes LogisticRegressionOutput for a
 *                            logistic binary classifier (its forward is the
 *                            sigmoid, SageMaker's score), SVMOutput (margin,
 *                            use_linear) for hinge_loss (forward: the raw
 *                            margin), SoftmaxOutput for multiclass (forward:
 *                            the probabilities) [these three unverified].
 *                            fc0_bias carries "__lr_mult__" (bias_lr_mult, 10
 *                            by default, as in the real files).
 *   mx-mod-0000.params       an MXNet NDArray dict (§18): arg:fc0_weight
 *                            float32 (feature_dim, outputs) -- MXNet's dot
 *                            layout, not FullyConnected's (the real symbol's
 *                            __shape__ is "(513, 1)" for 513 features) --
 *                            and arg:fc0_bias float32 (1, outputs).
 *
 * The normalisation of training is folded into these weights, so loading
 * the symbol and parameters in MXNet (Module.load('mx-mod', 0,
 * label_names=['out_label']) or gluon.SymbolBlock) predicts from raw
 * features, as SageMaker's artifacts do.  kiln always writes fc0_bias (zero
 * with use_bias=false; its __lr_mult__ is then 0).
 *
 * Members are written in the order unzip lists them for a real artifact,
 * deflated, with a fixed time stamp so that saving a model twice gives the
 * same bytes.
 */
#include "linear.h"

#include "algos/mxnet/ndarray.h"

#include <archive.h>
#include <archive_entry.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARTIFACT "model_algo-1"
#define MEMBERS                                                              \
    "additional-params.json, manifest.json, mx-mod-symbol.json and "        \
    "mx-mod-0000.params"

static const char manifest_text[] =
    "{\"additional-params.json\": \"json\", \"mx-mod\": \"mxnet_module\", "
    "\"version\": 1}";

/* ---- member texts -------------------------------------------------------- */

static const char *predictor_name(kiln__linear_predictor p)
{
    switch (p) {
    case KILN__LINEAR_BINARY:
        return "binary_classifier";
    case KILN__LINEAR_MULTICLASS:
        return "multiclass_classifier";
    case KILN__LINEAR_REGRESSOR:
        return "regressor";
    }
    return "regressor";
}

static int put_number(kiln_buf *b, double v)
{
    char t[40];
    kiln__linear_repr(v, t, sizeof t);
    return kiln_buf_puts(b, t);
}

static int put_opt(kiln_buf *b, const char *key, bool present, double v)
{
    int rc = kiln_buf_printf(b, "\"%s\": ", key);
    if (rc == KILN_OK)
        rc = present ? put_number(b, v) : kiln_buf_puts(b, "null");
    return rc;
}

int kiln__linear_params_json(const kiln__linear_model *m, kiln_buf *out)
{
    kiln__linear_loss_kind kind = m->loss.kind;
    bool eps = kind == KILN__LOSS_EPS_SQUARED || kind == KILN__LOSS_EPS_ABSOLUTE;
    bool classifier = m->predictor != KILN__LINEAR_REGRESSOR;
    int rc = kiln_buf_puts(out, "{");
    rc = rc ? rc : put_opt(out, "threshold", true, m->threshold);
    rc = rc ? rc : kiln_buf_printf(out, ", \"loss_type\": \"%s\", "
                                   "\"metrics_params\": {"
                                   "\"eps_insensitive_loss_type\": ",
                                   kiln__linear_loss_hp_name(kind));
    if (rc == KILN_OK)
        rc = eps ? kiln_buf_printf(out, "\"%s\"",
                                   kind == KILN__LOSS_EPS_SQUARED
                                       ? "squared_loss"
                                       : "absolute_loss")
                 : kiln_buf_puts(out, "null");
    rc = rc ? rc : kiln_buf_puts(out, ", \"class_weights\": ");
    if (rc == KILN_OK && m->class_weights != NULL) {
        rc = kiln_buf_puts(out, "[");
        for (size_t i = 0; rc == KILN_OK && i < m->outputs; i++) {
            if (i)
                rc = kiln_buf_puts(out, ", ");
            if (rc == KILN_OK)
                rc = put_number(out, m->class_weights[i]);
        }
        rc = rc ? rc : kiln_buf_puts(out, "]");
    } else if (rc == KILN_OK) {
        rc = kiln_buf_puts(out, "null");
    }
    rc = rc ? rc : kiln_buf_puts(out, ", ");
    rc = rc ? rc : put_opt(out, "huber_delta", kind == KILN__LOSS_HUBER,
                           m->loss.delta);
    rc = rc ? rc : kiln_buf_puts(out, ", ");
    rc = rc ? rc : put_opt(out, "quantile", kind == KILN__LOSS_QUANTILE,
                           m->loss.quantile);
    rc = rc ? rc : kiln_buf_puts(out, ", ");
    rc = rc ? rc : put_opt(out, "loss_insensitivity", eps, m->loss.epsilon);
    rc = rc ? rc : kiln_buf_puts(out, ", ");
    rc = rc ? rc : put_opt(out, "positive_example_weight_mult", true,
                           m->positive_example_weight_mult);
    rc = rc ? rc : kiln_buf_printf(out, ", \"accuracy_top_k\": %lld, ",
                                   (long long)m->accuracy_top_k);
    rc = rc ? rc : put_opt(out, "threshold", true, m->threshold);
    rc = rc ? rc : kiln_buf_puts(out, ", ");
    rc = rc ? rc : put_opt(out, "f_beta", classifier && m->f_beta > 0,
                           m->f_beta);
    rc = rc ? rc : kiln_buf_puts(out, ", ");
    rc = rc ? rc : put_opt(out, "margin", kind == KILN__LOSS_HINGE,
                           m->loss.margin);
    rc = rc ? rc : kiln_buf_printf(out, "}, \"predictor_type\": \"%s\"}",
                                   predictor_name(m->predictor));
    return rc;
}

/* The output op of the symbol and its attributes ("" for none). */
static void output_op(const kiln__linear_model *m, const char **op,
                      const char **name, char *attrs, size_t size)
{
    attrs[0] = '\0';
    if (m->predictor == KILN__LINEAR_REGRESSOR) {
        *op = "LinearRegressionOutput";
        *name = "linearregressionoutput0";
    } else if (m->predictor == KILN__LINEAR_MULTICLASS) {
        *op = "SoftmaxOutput";
        *name = "softmaxoutput0";
    } else if (m->loss.kind == KILN__LOSS_HINGE) {
        char v[40];
        kiln__linear_repr(m->loss.margin, v, sizeof v);
        *op = "SVMOutput";
        *name = "svmoutput0";
        snprintf(attrs, size,
                 "      \"attrs\": {\n"
                 "        \"margin\": \"%s\", \n"
                 "        \"use_linear\": \"True\"\n"
                 "      }, \n",
                 v);
    } else {
        *op = "LogisticRegressionOutput";
        *name = "logisticregressionoutput0";
    }
}

int kiln__linear_symbol_json(const kiln__linear_model *m, kiln_buf *out)
{
    const char *op, *name;
    char attrs[256], lr[40];
    output_op(m, &op, &name, attrs, sizeof attrs);
    kiln__linear_repr(m->bias_lr_mult, lr, sizeof lr);
    /* MXNet's SaveJSON layout (dmlc::JSONWriter): ", " before a new line,
     * one-entry maps on one line. */
    return kiln_buf_printf(
        out,
        "{\n"
        "  \"nodes\": [\n"
        "    {\n"
        "      \"op\": \"null\", \n"
        "      \"name\": \"data\", \n"
        "      \"inputs\": []\n"
        "    }, \n"
        "    {\n"
        "      \"op\": \"null\", \n"
        "      \"name\": \"fc0_weight\", \n"
        "      \"attrs\": {\"__shape__\": \"(%zu, %zu)\"}, \n"
        "      \"inputs\": []\n"
        "    }, \n"
        "    {\n"
        "      \"op\": \"dot\", \n"
        "      \"name\": \"dot0\", \n"
        "      \"inputs\": [[0, 0, 0], [1, 0, 0]]\n"
        "    }, \n"
        "    {\n"
        "      \"op\": \"null\", \n"
        "      \"name\": \"fc0_bias\", \n"
        "      \"attrs\": {\n"
        "        \"__lr_mult__\": \"%s\", \n"
        "        \"__shape__\": \"(1, %zu)\"\n"
        "      }, \n"
        "      \"inputs\": []\n"
        "    }, \n"
        "    {\n"
        "      \"op\": \"broadcast_add\", \n"
        "      \"name\": \"broadcast_plus0\", \n"
        "      \"inputs\": [[2, 0, 0], [3, 0, 0]]\n"
        "    }, \n"
        "    {\n"
        "      \"op\": \"null\", \n"
        "      \"name\": \"out_label\", \n"
        "      \"inputs\": []\n"
        "    }, \n"
        "    {\n"
        "      \"op\": \"%s\", \n"
        "      \"name\": \"%s\", \n"
        "%s"
        "      \"inputs\": [[4, 0, 0], [5, 0, 0]]\n"
        "    }\n"
        "  ], \n"
        "  \"arg_nodes\": [0, 1, 3, 5], \n"
        "  \"node_row_ptr\": [0, 1, 2, 3, 4, 5, 6, 7], \n"
        "  \"heads\": [[6, 0, 0]], \n"
        "  \"attrs\": {\"mxnet_version\": [\"int\", 10301]}\n"
        "}",
        m->features, m->outputs, lr, m->outputs, op, name, attrs);
}

static int params_bytes(const kiln__linear_model *m, kiln_buf *out,
                        kiln_error *err)
{
    kiln_ndarray_list l = {0};
    l.named = true;
    int64_t wshape[2] = {(int64_t)m->features, (int64_t)m->outputs};
    int64_t bshape[2] = {1, (int64_t)m->outputs};
    int rc = KILN_OK;
    if (kiln_ndarray_list_add(&l, "arg:fc0_weight", KILN_ND_FLOAT32, 2, wshape,
                              m->weight, err) == NULL ||
        kiln_ndarray_list_add(&l, "arg:fc0_bias", KILN_ND_FLOAT32, 2, bshape,
                              m->bias, err) == NULL)
        rc = err->code;
    if (rc == KILN_OK)
        rc = kiln_ndarray_encode(&l, out, err);
    kiln_ndarray_list_free(&l);
    return rc;
}

/* ---- writing the ZIP ----------------------------------------------------- */

static int zip_member(struct archive *a, const char *name, const void *data,
                      size_t len, const char *path, kiln_error *err)
{
    struct archive_entry *e = archive_entry_new();
    if (e == NULL)
        return kiln_error_nomem(err);
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, 1577836800, 0); /* 2020-01-01: reproducible */
    int rc = KILN_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len))
        rc = kiln_error_set(err, KILN_IO, "cannot write %s in %s: %s", name,
                            path, archive_error_string(a));
    archive_entry_free(e);
    return rc;
}

int kiln__linear_save(const void *model, const char *dir, kiln_error *err)
{
    const kiln__linear_model *m = model;
    kiln_buf params, symbol, extra, path;
    kiln_buf_init(&params);
    kiln_buf_init(&symbol);
    kiln_buf_init(&extra);
    kiln_buf_init(&path);
    int rc = kiln_buf_printf(&path, "%s/%s", dir, ARTIFACT);
    if (rc == KILN_OK)
        rc = kiln__linear_params_json(m, &extra);
    if (rc == KILN_OK)
        rc = kiln__linear_symbol_json(m, &symbol);
    if (rc != KILN_OK)
        rc = kiln_error_nomem(err);
    if (rc == KILN_OK)
        rc = params_bytes(m, &params, err);
    struct archive *a = NULL;
    if (rc == KILN_OK && (a = archive_write_new()) == NULL)
        rc = kiln_error_nomem(err);
    const char *p = kiln_buf_str(&path);
    if (rc == KILN_OK &&
        (archive_write_set_format_zip(a) != ARCHIVE_OK ||
         archive_write_zip_set_compression_deflate(a) != ARCHIVE_OK ||
         archive_write_open_filename(a, p) != ARCHIVE_OK))
        rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", p,
                            archive_error_string(a));
    bool opened = rc == KILN_OK;
    if (rc == KILN_OK)
        rc = zip_member(a, "additional-params.json", extra.data, extra.len, p,
                        err);
    if (rc == KILN_OK)
        rc = zip_member(a, "manifest.json", manifest_text,
                        sizeof manifest_text - 1, p, err);
    if (rc == KILN_OK)
        rc = zip_member(a, "mx-mod-symbol.json", symbol.data, symbol.len, p,
                        err);
    if (rc == KILN_OK)
        rc = zip_member(a, "mx-mod-0000.params", params.data, params.len, p,
                        err);
    if (opened && archive_write_close(a) != ARCHIVE_OK && rc == KILN_OK)
        rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", p,
                            archive_error_string(a));
    if (a != NULL)
        archive_write_free(a);
    if (opened && rc != KILN_OK)
        remove(p);
    kiln_buf_fini(&params);
    kiln_buf_fini(&symbol);
    kiln_buf_fini(&extra);
    kiln_buf_fini(&path);
    return rc;
}

/* ---- reading ---------------------------------------------------------- */

enum { M_PARAMS_JSON, M_MANIFEST, M_SYMBOL, M_PARAMS, M_COUNT };
static const char *const member_names[M_COUNT] = {
    "additional-params.json", "manifest.json", "mx-mod-symbol.json",
    "mx-mod-0000.params"};

/* The largest member kiln reads (a 1M-feature 1000-class model is 4 GB;
 * a member claiming more is corrupt for our purposes). */
#define MAX_MEMBER ((size_t)1 << 34)

static int read_members(const void *zip, size_t len, const char *what,
                        kiln_buf members[M_COUNT], kiln_error *err)
{
    struct archive *a = archive_read_new();
    if (a == NULL)
        return kiln_error_nomem(err);
    archive_read_support_format_zip(a);
    int rc = KILN_OK;
    if (archive_read_open_memory(a, zip, len) != ARCHIVE_OK) {
        rc = kiln_error_set(err, KILN_DATA,
                            "%s: not a ZIP archive (expected linear learner's "
                            "model, a ZIP of " MEMBERS "): %s",
                            what, archive_error_string(a));
        archive_read_free(a);
        return rc;
    }
    struct archive_entry *e;
    bool seen[M_COUNT] = {false};
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: a corrupt ZIP archive (expected linear "
                                "learner's model, a ZIP of " MEMBERS "): %s",
                                what, archive_error_string(a));
            break;
        }
        const char *name = archive_entry_pathname(e);
        int which = -1;
        for (int i = 0; name && i < M_COUNT; i++)
            if (strcmp(name, member_names[i]) == 0 ||
                (strncmp(name, "./", 2) == 0 &&
                 strcmp(name + 2, member_names[i]) == 0))
                which = i;
        if (which < 0 || seen[which])
            continue;
        seen[which] = true;
        if (archive_entry_size_is_set(e) &&
            (uint64_t)archive_entry_size(e) > MAX_MEMBER) {
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: %s claims %lld bytes, more than a linear "
                                "learner model holds",
                                what, member_names[which],
                                (long long)archive_entry_size(e));
            break;
        }
        char chunk[65536];
        la_ssize_t got;
        while ((got = archive_read_data(a, chunk, sizeof chunk)) > 0) {
            if (members[which].len + (size_t)got > MAX_MEMBER ||
                kiln_buf_append(&members[which], chunk, (size_t)got) != KILN_OK) {
                rc = kiln_error_set(err, KILN_NOMEM,
                                    "%s: cannot hold %s in memory (%zu bytes "
                                    "so far)",
                                    what, member_names[which],
                                    members[which].len);
                break;
            }
        }
        if (rc == KILN_OK && got < 0)
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: %s is corrupt in the ZIP archive: %s",
                                what, member_names[which],
                                archive_error_string(a));
        if (rc != KILN_OK)
            break;
    }
    archive_read_free(a);
    for (int i = 0; rc == KILN_OK && i < M_COUNT; i++)
        if (!seen[i])
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: the ZIP archive has no %s (a linear "
                                "learner model holds " MEMBERS ")",
                                what, member_names[i]);
    return rc;
}

static int bad_json(const char *what, const char *member, const kiln_buf *b,
                    kiln_error *err)
{
    size_t at = 0;
    if (!kiln__json_valid(kiln_buf_str(b), b->len, &at))
        return kiln_error_set(err, KILN_DATA,
                              "%s: %s is not valid JSON (at byte %zu)", what,
                              member, at);
    return KILN_OK;
}

static int member_json(const char *what, const char *member, const kiln_buf *b,
                       kiln__json *out, kiln_error *err)
{
    int rc = bad_json(what, member, b, err);
    if (rc != KILN_OK)
        return rc;
    const char *p = kiln_buf_str(b);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p != '{')
        return kiln_error_set(err, KILN_DATA,
                              "%s: %s is not a JSON object", what, member);
    *out = (kiln__json){p, b->len - (size_t)(p - b->data)};
    return KILN_OK;
}

/* An optional number member (absent or null keeps *v); false if it is
 * something else. */
static bool opt_number(kiln__json obj, const char *key, double *v)
{
    kiln__json x;
    if (!kiln__json_member(obj, key, &x) || kiln__json_is_null(x))
        return true;
    return kiln__json_number(x, v);
}

typedef struct params_info {
    kiln__linear_predictor predictor;
    kiln__linear_loss loss;
    double threshold, f_beta, pos_mult;
    int64_t top_k;
    kiln__json class_weights; /* len 0 when absent or null */
} params_info;

static int read_params_json(const char *what, const kiln_buf *b,
                            params_info *pi, kiln_error *err)
{
    const char *member = "additional-params.json";
    kiln__json obj, x;
    int rc = member_json(what, member, b, &obj, err);
    if (rc != KILN_OK)
        return rc;
    char s[64];
    if (!kiln__json_member(obj, "predictor_type", &x) ||
        !kiln__json_string(x, s, sizeof s))
        return kiln_error_set(err, KILN_DATA,
                              "%s: %s has no \"predictor_type\" (expected "
                              "binary_classifier, multiclass_classifier or "
                              "regressor)", what, member);
    if (strcmp(s, "binary_classifier") == 0)
        pi->predictor = KILN__LINEAR_BINARY;
    else if (strcmp(s, "multiclass_classifier") == 0)
        pi->predictor = KILN__LINEAR_MULTICLASS;
    else if (strcmp(s, "regressor") == 0)
        pi->predictor = KILN__LINEAR_REGRESSOR;
    else
        return kiln_error_set(err, KILN_DATA,
                              "%s: %s has predictor_type \"%s\", expected "
                              "binary_classifier, multiclass_classifier or "
                              "regressor", what, member, s);
    memset(&pi->loss, 0, sizeof pi->loss);
    pi->loss.kind = pi->predictor == KILN__LINEAR_BINARY ? KILN__LOSS_LOGISTIC
                    : pi->predictor == KILN__LINEAR_MULTICLASS
                        ? KILN__LOSS_SOFTMAX
                        : KILN__LOSS_SQUARED;
    if (kiln__json_member(obj, "loss_type", &x) && !kiln__json_is_null(x)) {
        int kind = kiln__json_string(x, s, sizeof s)
                       ? kiln__linear_loss_parse(s)
                       : -1;
        if (kind < 0)
            return kiln_error_set(err, KILN_DATA,
                                  "%s: %s has an unknown loss_type (expected "
                                  "one of linear learner's losses, such as "
                                  "logistic or squared_loss)", what, member);
        pi->loss.kind = (kiln__linear_loss_kind)kind;
    }
    pi->threshold = 0.5;
    pi->f_beta = 0;
    pi->pos_mult = 1.0;
    pi->top_k = 3;
    pi->class_weights.len = 0;
    pi->loss.margin = 1.0;
    pi->loss.quantile = 0.5;
    pi->loss.delta = 1.0;
    pi->loss.epsilon = 0.01;
    double topk = 3;
    kiln__json mp;
    bool ok = opt_number(obj, "threshold", &pi->threshold);
    if (kiln__json_member(obj, "metrics_params", &mp) &&
        !kiln__json_is_null(mp)) {
        ok = ok && opt_number(mp, "f_beta", &pi->f_beta) &&
             opt_number(mp, "positive_example_weight_mult", &pi->pos_mult) &&
             opt_number(mp, "accuracy_top_k", &topk) &&
             opt_number(mp, "margin", &pi->loss.margin) &&
             opt_number(mp, "quantile", &pi->loss.quantile) &&
             opt_number(mp, "huber_delta", &pi->loss.delta) &&
             opt_number(mp, "loss_insensitivity", &pi->loss.epsilon);
        if (ok && kiln__json_member(mp, "class_weights", &x) &&
            !kiln__json_is_null(x)) {
            if (x.p[0] != '[')
                ok = false;
            else
                pi->class_weights = x;
        }
    }
    if (!ok || !isfinite(pi->threshold) || !(topk >= 1 && topk <= 1e9))
        return kiln_error_set(err, KILN_DATA,
                              "%s: %s has a value of the wrong type (expected "
                              "numbers or null for threshold and the "
                              "metrics_params)", what, member);
    pi->top_k = (int64_t)topk;
    return KILN_OK;
}

/* "(a, b)" into two sizes. */
static bool parse_shape(const char *s, size_t *a, size_t *b)
{
    unsigned long long x, y;
    char close;
    if (sscanf(s, " (%llu, %llu %c", &x, &y, &close) != 3 || close != ')')
        return false;
    *a = (size_t)x;
    *b = (size_t)y;
    return true;
}

/* The node called name in the symbol's "nodes". */
static bool symbol_node(kiln__json sym, const char *name, kiln__json *node)
{
    kiln__json nodes, nm;
    char s[64];
    if (!kiln__json_member(sym, "nodes", &nodes))
        return false;
    for (size_t i = 0; kiln__json_index(nodes, i, node); i++)
        if (kiln__json_member(*node, "name", &nm) &&
            kiln__json_string(nm, s, sizeof s) && strcmp(s, name) == 0)
            return true;
    return false;
}

static const kiln_ndarray *find_array(const kiln_ndarray_list *l,
                                      const char *name)
{
    char arg[64];
    snprintf(arg, sizeof arg, "arg:%s", name);
    const kiln_ndarray *a = kiln_ndarray_list_find(l, arg);
    return a ? a : kiln_ndarray_list_find(l, name);
}

static double element(const kiln_ndarray *a, size_t i)
{
    switch (a->dtype) {
    case KILN_ND_FLOAT32:
        return ((const float *)a->data)[i];
    case KILN_ND_FLOAT64:
        return ((const double *)a->data)[i];
    case KILN_ND_INT32:
        return ((const int32_t *)a->data)[i];
    case KILN_ND_INT64:
        return (double)((const int64_t *)a->data)[i];
    }
    return NAN;
}

int kiln__linear_load_bytes(const void *zip, size_t len, const char *what,
                            kiln__linear_model **out, kiln_error *err)
{
    kiln_buf mem[M_COUNT];
    for (int i = 0; i < M_COUNT; i++)
        kiln_buf_init(&mem[i]);
    kiln_ndarray_list arrays = {0};
    kiln__linear_model *m = NULL;
    params_info pi;
    kiln__json manifest, sym, x;
    char s[64], label[256];
    int rc = read_members(zip, len, what, mem, err);
    if (rc == KILN_OK)
        rc = member_json(what, "manifest.json", &mem[M_MANIFEST], &manifest,
                         err);
    if (rc == KILN_OK &&
        !(kiln__json_member(manifest, "mx-mod", &x) &&
          kiln__json_string(x, s, sizeof s) && strcmp(s, "mxnet_module") == 0))
        rc = kiln_error_set(err, KILN_DATA,
                            "%s: manifest.json does not list \"mx-mod\": "
                            "\"mxnet_module\" (expected SageMaker's manifest "
                            "of an MXNet module checkpoint)", what);
    if (rc == KILN_OK)
        rc = read_params_json(what, &mem[M_PARAMS_JSON], &pi, err);
    if (rc == KILN_OK)
        rc = member_json(what, "mx-mod-symbol.json", &mem[M_SYMBOL], &sym, err);
    if (rc == KILN_OK) {
        snprintf(label, sizeof label, "%s: mx-mod-0000.params", what);
        rc = kiln_ndarray_decode(mem[M_PARAMS].data ? mem[M_PARAMS].data : "",
                                 mem[M_PARAMS].len, label, &arrays, err);
    }
    const kiln_ndarray *w = NULL, *b = NULL;
    size_t d = 0, k = 0;
    if (rc == KILN_OK) {
        w = find_array(&arrays, "fc0_weight");
        b = find_array(&arrays, "fc0_bias");
        if (w == NULL || b == NULL)
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: mx-mod-0000.params has no %s (expected "
                                "arg:fc0_weight and arg:fc0_bias)",
                                what, w == NULL ? "arg:fc0_weight" : "arg:fc0_bias");
    }
    if (rc == KILN_OK) {
        bool floats = (w->dtype == KILN_ND_FLOAT32 || w->dtype == KILN_ND_FLOAT64) &&
                      (b->dtype == KILN_ND_FLOAT32 || b->dtype == KILN_ND_FLOAT64);
        d = w->ndim == 2 ? (size_t)w->shape[0] : 0;
        k = w->ndim == 2 ? (size_t)w->shape[1] : 0;
        size_t want = pi.predictor == KILN__LINEAR_MULTICLASS ? 0 : 1;
        if (!floats || w->ndim != 2 || d == 0 || k == 0 ||
            (want && k != want) || (!want && k < 2))
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: mx-mod-0000.params: arg:fc0_weight must "
                                "be a float array of shape (feature_dim, %s) "
                                "for a %s",
                                what, want ? "1" : "num_classes",
                                predictor_name(pi.predictor));
        else if (kiln_ndarray_size(b) != k || b->ndim < 1 || b->ndim > 2 ||
                 (b->ndim == 2 && b->shape[0] != 1))
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: mx-mod-0000.params: arg:fc0_bias must "
                                "have shape (1, %zu) to match arg:fc0_weight",
                                what, k);
    }
    if (rc == KILN_OK) {
        kiln__json node, attrs, v;
        size_t sa, sb;
        if (!symbol_node(sym, "fc0_weight", &node))
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: mx-mod-symbol.json has no fc0_weight node "
                                "(expected linear learner's symbol)", what);
        else if (kiln__json_member(node, "attrs", &attrs) &&
                 kiln__json_member(attrs, "__shape__", &v) &&
                 kiln__json_string(v, s, sizeof s) &&
                 (!parse_shape(s, &sa, &sb) || sa != d || sb != k))
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: mx-mod-symbol.json gives fc0_weight the "
                                "shape %s, but mx-mod-0000.params holds "
                                "(%zu, %zu)", what, s, d, k);
    }
    if (rc == KILN_OK &&
        (m = kiln__linear_model_new(pi.predictor, &pi.loss, d, k, err)) == NULL)
        rc = err->code;
    if (rc == KILN_OK) {
        for (size_t i = 0; i < d * k; i++)
            m->weight[i] = (float)element(w, i);
        for (size_t i = 0; i < k; i++)
            m->bias[i] = (float)element(b, i);
        m->threshold = pi.threshold;
        m->f_beta = pi.f_beta;
        m->accuracy_top_k = pi.top_k;
        m->positive_example_weight_mult = pi.pos_mult;
        kiln__json node, attrs, v;
        double lr;
        if (symbol_node(sym, "fc0_bias", &node) &&
            kiln__json_member(node, "attrs", &attrs) &&
            kiln__json_member(attrs, "__lr_mult__", &v) &&
            kiln__json_string(v, s, sizeof s) && sscanf(s, "%lf", &lr) == 1)
            m->bias_lr_mult = lr;
        if (pi.class_weights.len > 0) {
            m->class_weights = malloc(k * sizeof *m->class_weights);
            if (m->class_weights == NULL)
                rc = kiln_error_nomem(err);
            for (size_t i = 0; rc == KILN_OK && i < k; i++) {
                double cw;
                if (!kiln__json_index(pi.class_weights, i, &v) ||
                    !kiln__json_number(v, &cw))
                    rc = kiln_error_set(err, KILN_DATA,
                                        "%s: additional-params.json: "
                                        "class_weights must be a list of %zu "
                                        "numbers", what, k);
                else
                    m->class_weights[i] = (float)cw;
            }
        }
    }
    kiln_ndarray_list_free(&arrays);
    for (int i = 0; i < M_COUNT; i++)
        kiln_buf_fini(&mem[i]);
    if (rc != KILN_OK) {
        kiln__linear_model_free(m);
        return rc;
    }
    *out = m;
    return KILN_OK;
}

int kiln__linear_load(const char *dir, void **model, kiln_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, ARTIFACT);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(err, errno == ENOENT ? KILN_DATA : KILN_IO,
                              "cannot open %s: %s (a linear learner model "
                              "directory holds %s)",
                              path, strerror(errno), ARTIFACT);
    kiln_buf data;
    kiln_buf_init(&data);
    char chunk[65536];
    size_t got;
    int rc = KILN_OK;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kiln_buf_append(&data, chunk, got) != KILN_OK) {
            rc = kiln_error_set(err, KILN_NOMEM,
                                "cannot hold %s in memory (%zu bytes so far)",
                                path, data.len);
            break;
        }
    if (rc == KILN_OK && ferror(f))
        rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                            strerror(errno));
    fclose(f);
    kiln__linear_model *m = NULL;
    if (rc == KILN_OK)
        rc = kiln__linear_load_bytes(data.data ? data.data : "", data.len,
                                     ARTIFACT, &m, err);
    kiln_buf_fini(&data);
    if (rc == KILN_OK)
        *model = m;
    return rc;
}
