/* kiln — xgboost's binary model files: the legacy binary format and UBJSON,
 * and kiln__xgb_load, which tells the formats apart (xgb.h, xgb_io.h).
 *
 * Telling them apart as xgboost 1.7's Learner::LoadModel does: '{' then
 * '"' is JSON (xgb_json.c), '{' then anything else UBJSON, otherwise the
 * legacy binary format, after an optional "binf" header (xgboost 1.7
 * writes it; older versions did not).  A Python pickle (what SageMaker's
 * 0.90 to 1.2 containers wrote) gets a message of its own.
 *
 * The legacy binary format is the in-memory structs of xgboost's C++,
 * little-endian (learner.cc SaveModel, gbtree_model.cc, tree_model.cc):
 *
 *   "binf"?                      4 bytes, optional
 *   LearnerModelParamLegacy      136 bytes: base_score f32, num_feature
 *                                u32, num_class i32, contain_extra_attrs
 *                                i32, contain_eval_metrics i32,
 *                                major_version u32, minor_version u32,
 *                                num_target u32 (1.7; 0 before), ...
 *   objective name               u64 length + bytes (an old writer put a
 *                                32-bit length in the high half: xgboost
 *                                then reads 4 bytes of gap and shifts)
 *   booster name                 u64 length + bytes: gbtree or dart
 *   GBTreeModelParam             160 bytes: num_trees i32,
 *                                num_parallel_tree i32, ...,
 *                                size_leaf_vector i32 at byte 28
 *   num_trees trees, each        TreeParam 148 bytes (num_roots i32 = 1,
 *                                num_nodes i32, num_deleted i32,
 *                                max_depth i32, num_feature i32,
 *                                size_leaf_vector i32, ...), then
 *                                num_nodes Nodes of 20 bytes (parent i32
 *                                with bit 31 = is-left-child, left i32,
 *                                right i32, split index u32 with bit 31 =
 *                                default left, value f32: threshold or
 *                                leaf), then num_nodes RTreeNodeStats of 16
 *                                bytes (loss_chg, sum_hess, base_weight
 *                                f32, leaf_child_cnt i32)
 *   tree_info                    num_trees i32 (when num_trees > 0)
 *   dart: weight_drop            u64 count + f32s (when num_trees > 0)
 *   attributes                   when contain_extra_attrs: u64 count,
 *                                then (key, value) strings; 1.0 and later
 *                                keep the objective's JSON config under
 *                                "objective"
 *   count:poisson: max_delta_step  a string, from writers before 1.0
 *
 * Node fields map to the JSON layout as xgboost's own JSON writer maps
 * them: parent & 0x7fffffff (the root's -1 becomes 2^31 - 1), split index
 * & 0x7fffffff with default_left from bit 31 (a pruned node, index
 * 0xffffffff, becomes 2^31 - 1 with default_left 1).
 *
 * Files written before xgboost 1.0 (major_version 0) hold base_score
 * already through the objective's link; xgboost 1.7 turns it back with
 * PredTransform (not for multi:*), and so does kiln.  A dart model's tree
 * weights are folded into its leaves, as in xgb_json.c.
 *
 * Every count is checked against the bytes left before anything is
 * allocated for it, and every tree with kiln__xgb_tree_check.
 */
#include "xgb.h"
#include "xgb_io.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    LEARNER_PARAM_BYTES = 136,
    GBTREE_PARAM_BYTES = 160,
    TREE_PARAM_BYTES = 148,
    NODE_BYTES = 20,
    STAT_BYTES = 16,
};

/* The bytes being read, for both formats. */
typedef struct source {
    const uint8_t *p;
    size_t len, pos;
    const char *what;
    kiln_error *err;
    int rc; /* the first error */
} source;

static int fail(source *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* KILN_DATA "<what>: <message>", the source's first error. */
static int fail(source *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kiln__xgb_vfail(s->err, s->what, fmt, ap);
    va_end(ap);
    if (s->rc == KILN_OK)
        s->rc = KILN_DATA;
    return KILN_DATA;
}

static int nomem(source *s, size_t bytes, const char *for_what)
{
    if (s->rc == KILN_OK)
        s->rc = KILN_NOMEM;
    return kiln_error_set(s->err, KILN_NOMEM,
                          "cannot allocate %zu bytes for %s of %s", bytes,
                          for_what, s->what);
}

static size_t left(const source *s) { return s->len - s->pos; }

/* ---- the legacy binary format: fields ----------------------------------- */

static int take(source *s, size_t n, const char *field, const uint8_t **out)
{
    if (left(s) < n)
        return fail(s, "the file ends inside %s (byte %zu of %zu, %zu more "
                       "needed)",
                    field, s->pos, s->len, n);
    *out = s->p + s->pos;
    s->pos += n;
    return KILN_OK;
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
           (uint32_t)b[3] << 24;
}

static uint64_t le64(const uint8_t *b)
{
    return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
}

static int32_t le_i32(const uint8_t *b) { return (int32_t)le32(b); }

static float le_f32(const uint8_t *b)
{
    uint32_t u = le32(b);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static int read_u64(source *s, const char *field, uint64_t *v)
{
    const uint8_t *b = NULL;
    if (take(s, 8, field, &b) != KILN_OK)
        return KILN_DATA;
    *v = le64(b);
    return KILN_OK;
}

/* A dmlc string of len bytes, as a heap C string (NULs rejected). */
static int read_bytes(source *s, uint64_t len, const char *field, char **out)
{
    const uint8_t *b = NULL;
    if (len > left(s))
        return fail(s, "%s: length %" PRIu64 " at byte %zu is more than the "
                       "%zu bytes left",
                    field, len, s->pos - 8, left(s));
    if (take(s, (size_t)len, field, &b) != KILN_OK)
        return KILN_DATA;
    if (memchr(b, '\0', (size_t)len) != NULL)
        return fail(s, "%s holds a NUL byte", field);
    char *str = malloc((size_t)len + 1);
    if (str == NULL)
        return nomem(s, (size_t)len + 1, field);
    memcpy(str, b, (size_t)len);
    str[len] = '\0';
    *out = str;
    return KILN_OK;
}

static int read_string(source *s, const char *field, char **out)
{
    uint64_t len;
    if (read_u64(s, field, &len) != KILN_OK)
        return KILN_DATA;
    return read_bytes(s, len, field, out);
}

/* The objective's name, with learner.cc's allowance for an old writer
 * that stored a 32-bit length in the high half of the 64-bit one. */
static int read_objective_name(source *s, char **out)
{
    uint64_t len;
    if (read_u64(s, "the objective's name", &len) != KILN_OK)
        return KILN_DATA;
    if (len >= UINT32_MAX) {
        const uint8_t *gap = NULL;
        if (take(s, 4, "the objective's name", &gap) != KILN_OK)
            return KILN_DATA;
        len >>= 32;
    }
    return read_bytes(s, len, "the objective's name", out);
}

/* ---- the legacy binary format: the model -------------------------------- */

typedef struct learner_header {
    float base_score;
    uint32_t num_feature;
    int32_t num_class;
    int32_t extra_attrs;
    uint32_t major, minor;
    uint32_t num_target;
} learner_header;

typedef struct attributes {
    char *objective;     /* the objective's JSON config, or NULL */
    char *poisson_step;  /* max_delta_step of count:poisson before 1.0 */
    int64_t best_iteration, best_ntree_limit;
} attributes;

typedef struct binary_model {
    learner_header h;
    char *objective, *booster;
    int32_t num_trees;
    kiln__xgb_tree *trees; /* num_trees, read so far: ntrees_read */
    int32_t ntrees_read;
    int32_t *tree_info;
    float *weight_drop;    /* dart, or NULL */
    attributes attrs;
} binary_model;

static void binary_model_fini(binary_model *b)
{
    free(b->objective);
    free(b->booster);
    for (int32_t i = 0; i < b->ntrees_read; i++)
        kiln__xgb_tree_fini(&b->trees[i]);
    free(b->trees);
    free(b->tree_info);
    free(b->weight_drop);
    free(b->attrs.objective);
    free(b->attrs.poisson_step);
}

static int read_learner_header(source *s, learner_header *h)
{
    const uint8_t *b = NULL;
    if (take(s, LEARNER_PARAM_BYTES, "the learner's parameters", &b))
        return KILN_DATA;
    h->base_score = le_f32(b);
    h->num_feature = le32(b + 4);
    h->num_class = le_i32(b + 8);
    h->extra_attrs = le_i32(b + 12);
    h->major = le32(b + 20);
    h->minor = le32(b + 24);
    h->num_target = le32(b + 28);
    if (h->num_feature > INT32_MAX || h->num_class < 0 ||
        h->num_class > 1 << 20)
        return fail(s, "not an xgboost model (num_feature %" PRIu32
                       ", num_class %" PRId32 ")",
                    h->num_feature, h->num_class);
    if (h->num_target > 1)
        return fail(s, "multi-target models (num_target %" PRIu32 ") are "
                       "not supported",
                    h->num_target);
    return KILN_OK;
}

/* One tree's Nodes and RTreeNodeStats into t (n nodes). */
static void decode_nodes(const uint8_t *nodes, const uint8_t *stats,
                         kiln__xgb_tree *t)
{
    for (int32_t i = 0; i < t->n; i++) {
        const uint8_t *nd = nodes + (size_t)i * NODE_BYTES;
        const uint8_t *st = stats + (size_t)i * STAT_BYTES;
        uint32_t sindex = le32(nd + 12);
        t->parent[i] = (int32_t)(le32(nd) & 0x7fffffffu);
        t->left[i] = le_i32(nd + 4);
        t->right[i] = le_i32(nd + 8);
        t->split_index[i] = (int32_t)(sindex & 0x7fffffffu);
        t->default_left[i] = (uint8_t)(sindex >> 31);
        t->split_cond[i] = le_f32(nd + 16);
        t->loss_change[i] = le_f32(st);
        t->sum_hess[i] = le_f32(st + 4);
        t->base_weight[i] = le_f32(st + 8);
    }
}

static int read_tree(source *s, int32_t index, kiln__xgb_tree *t)
{
    const uint8_t *param = NULL, *nodes = NULL, *stats = NULL;
    char field[48];
    snprintf(field, sizeof field, "tree %d's parameters", (int)index);
    if (take(s, TREE_PARAM_BYTES, field, &param) != KILN_OK)
        return KILN_DATA;
    int32_t roots = le_i32(param), n = le_i32(param + 4);
    int32_t leaf_vector = le_i32(param + 20);
    if (roots != 1)
        return fail(s, "tree %d has %d roots, expected 1", (int)index,
                    (int)roots);
    if (leaf_vector != 0)
        return fail(s, "tree %d: vector leaves (size_leaf_vector %d) are "
                       "not supported",
                    (int)index, (int)leaf_vector);
    if (n < 1 || (size_t)n > left(s) / (NODE_BYTES + STAT_BYTES))
        return fail(s, "tree %d: num_nodes %d does not fit the %zu bytes "
                       "left",
                    (int)index, (int)n, left(s));
    snprintf(field, sizeof field, "tree %d's nodes", (int)index);
    if (take(s, (size_t)n * NODE_BYTES, field, &nodes) != KILN_OK ||
        take(s, (size_t)n * STAT_BYTES, field, &stats) != KILN_OK)
        return KILN_DATA;
    if (kiln__xgb_tree_init(t, n) != KILN_OK)
        return nomem(s, (size_t)n * 40, field);
    t->n = n;
    decode_nodes(nodes, stats, t);
    for (int32_t i = 0; i < n; i++)
        if (t->left[i] < -1 || t->right[i] < -1)
            return fail(s, "tree %d: node %d: child %d is not a node",
                        (int)index, (int)i,
                        (int)(t->left[i] < -1 ? t->left[i] : t->right[i]));
    return KILN_OK;
}

static int read_trees(source *s, binary_model *b)
{
    const uint8_t *param = NULL;
    if (take(s, GBTREE_PARAM_BYTES, "the booster's parameters", &param))
        return KILN_DATA;
    b->num_trees = le_i32(param);
    int32_t leaf_vector = le_i32(param + 28);
    if (b->num_trees < 0 ||
        (size_t)b->num_trees > left(s) / (TREE_PARAM_BYTES + 4))
        return fail(s, "num_trees %d does not fit the %zu bytes left",
                    (int)b->num_trees, left(s));
    if (leaf_vector != 0)
        return fail(s, "vector leaves (size_leaf_vector %d) are not "
                       "supported",
                    (int)leaf_vector);
    size_t n = (size_t)b->num_trees;
    b->trees = calloc(n > 0 ? n : 1, sizeof *b->trees);
    b->tree_info = calloc(n > 0 ? n : 1, sizeof *b->tree_info);
    if (b->trees == NULL || b->tree_info == NULL)
        return nomem(s, n * (sizeof *b->trees + 4), "the trees");
    for (int32_t i = 0; i < b->num_trees; i++) {
        b->ntrees_read = i + 1;
        if (read_tree(s, i, &b->trees[i]) != KILN_OK)
            return KILN_DATA;
    }
    const uint8_t *info = NULL;
    if (n > 0 && take(s, n * 4, "tree_info", &info) != KILN_OK)
        return KILN_DATA;
    for (size_t i = 0; i < n; i++)
        b->tree_info[i] = le_i32(info + 4 * i);
    return KILN_OK;
}

/* dart's weight_drop: a vector<float> of num_trees (none without trees). */
static int read_weight_drop(source *s, binary_model *b)
{
    if (b->num_trees == 0)
        return KILN_OK;
    uint64_t n;
    const uint8_t *w = NULL;
    if (read_u64(s, "weight_drop", &n) != KILN_OK)
        return KILN_DATA;
    if (n != (uint64_t)b->num_trees)
        return fail(s, "weight_drop has %" PRIu64 " values for %d trees", n,
                    (int)b->num_trees);
    if (take(s, (size_t)n * 4, "weight_drop", &w) != KILN_OK)
        return KILN_DATA;
    b->weight_drop = malloc((size_t)n * sizeof *b->weight_drop);
    if (b->weight_drop == NULL)
        return nomem(s, (size_t)n * 4, "weight_drop");
    for (size_t i = 0; i < n; i++)
        b->weight_drop[i] = le_f32(w + 4 * i);
    return KILN_OK;
}

/* A decimal attribute value ("12"); false when it is not one. */
static bool attr_int(const char *v, int64_t *out)
{
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end != '\0')
        return false;
    *out = x;
    return true;
}

/* Keep the attributes kiln uses; take over value when kept. */
static int keep_attribute(source *s, attributes *a, const char *key,
                          char **value)
{
    if (strcmp(key, "objective") == 0) {
        free(a->objective);
        a->objective = *value;
        *value = NULL;
    } else if (strcmp(key, "count_poisson_max_delta_step") == 0) {
        free(a->poisson_step);
        a->poisson_step = *value;
        *value = NULL;
    } else if (strcmp(key, "best_iteration") == 0) {
        if (!attr_int(*value, &a->best_iteration))
            return fail(s, "attribute best_iteration is \"%s\", expected "
                           "an integer",
                        *value);
    } else if (strcmp(key, "best_ntree_limit") == 0) {
        if (!attr_int(*value, &a->best_ntree_limit))
            return fail(s, "attribute best_ntree_limit is \"%s\", "
                           "expected an integer",
                        *value);
    }
    return KILN_OK;
}

static int read_attributes(source *s, attributes *a)
{
    uint64_t n;
    if (read_u64(s, "the attributes", &n) != KILN_OK)
        return KILN_DATA;
    if (n > left(s) / 16)
        return fail(s, "%" PRIu64 " attributes do not fit the %zu bytes "
                       "left",
                    n, left(s));
    for (uint64_t i = 0; i < n; i++) {
        char *key = NULL, *value = NULL;
        int rc = read_string(s, "an attribute's name", &key);
        if (rc == KILN_OK)
            rc = read_string(s, "an attribute's value", &value);
        if (rc == KILN_OK)
            rc = keep_attribute(s, a, key, &value);
        free(key);
        free(value);
        if (rc != KILN_OK)
            return rc;
    }
    return KILN_OK;
}

static int read_binary(source *s, binary_model *b)
{
    if (left(s) >= 4 && memcmp(s->p + s->pos, "binf", 4) == 0)
        s->pos += 4;
    if (read_learner_header(s, &b->h) != KILN_OK ||
        read_objective_name(s, &b->objective) != KILN_OK ||
        read_string(s, "the booster's name", &b->booster) != KILN_OK)
        return KILN_DATA;
    bool dart = strcmp(b->booster, "dart") == 0;
    if (!dart && strcmp(b->booster, "gbtree") != 0)
        return fail(s, "booster \"%s\" is not supported (kiln's XGBoost "
                       "reads gbtree and dart models)",
                    b->booster);
    if (read_trees(s, b) != KILN_OK ||
        (dart && read_weight_drop(s, b) != KILN_OK))
        return KILN_DATA;
    b->attrs.best_iteration = -1;
    if (b->h.extra_attrs != 0 && read_attributes(s, &b->attrs) != KILN_OK)
        return KILN_DATA;
    /* Writers before 1.0 followed count:poisson with max_delta_step; 1.7
     * writes nothing more, so this is read only when it is all there. */
    if (strcmp(b->objective, "count:poisson") == 0 && left(s) >= 8 &&
        le64(s->p + s->pos) <= left(s) - 8 && b->attrs.poisson_step == NULL)
        return read_string(s, "max_delta_step", &b->attrs.poisson_step);
    return KILN_OK;
}

/* ---- the legacy binary format: to kiln's model -------------------------- */

static int configure(source *s, binary_model *b,
                     const kiln__xgb_objective **obj,
                     kiln__xgb_obj_params *p)
{
    if (kiln__xgb_objective_config(b->objective, b->attrs.objective,
                                   b->h.num_class, s->what, obj, p,
                                   s->err) != KILN_OK) {
        s->rc = KILN_DATA;
        return KILN_DATA;
    }
    if (b->attrs.objective == NULL && b->attrs.poisson_step != NULL) {
        char *end;
        double step = strtod(b->attrs.poisson_step, &end);
        if (end == b->attrs.poisson_step || *end != '\0')
            return fail(s, "count:poisson's max_delta_step is \"%s\", "
                           "expected a number",
                        b->attrs.poisson_step);
        p->poisson_max_delta_step = step;
    }
    return KILN_OK;
}

/* base_score as xgboost 1.7 takes it from the file: before 1.0 it was
 * stored through the objective's link, which PredTransform undoes. */
static double base_score(const binary_model *b,
                         const kiln__xgb_objective *obj,
                         const kiln__xgb_obj_params *p)
{
    float v = b->h.base_score;
    if (b->h.major < 1 && obj->kind != KILN__XGB_OBJ_MULTI &&
        obj->transform != NULL)
        obj->transform(p, &v, 1, 1, false);
    return v;
}

/* Check each tree, fold dart's weights, hand the trees to m. */
static int add_trees(source *s, binary_model *b, kiln__xgb_model *m)
{
    for (int32_t i = 0; i < b->num_trees; i++) {
        kiln__xgb_tree *t = &b->trees[i];
        int32_t group = b->tree_info[i];
        if (group < 0 || group >= m->num_group)
            return fail(s, "tree_info[%d] = %d is not an output group "
                           "0..%d",
                        (int)i, (int)group, m->num_group - 1);
        int rc = kiln__xgb_tree_check(t, m->num_feature, s->what, (size_t)i,
                                      s->err);
        if (rc != KILN_OK)
            return s->rc = rc;
        for (int32_t j = 0; b->weight_drop != NULL && j < t->n; j++)
            if (t->left[j] == -1)
                t->split_cond[j] = t->split_cond[j] * b->weight_drop[i];
        if (kiln__xgb_model_add_tree(m, t, group, s->err) != KILN_OK)
            return s->rc = KILN_NOMEM;
    }
    return KILN_OK;
}

static int load_binary(source *s, kiln__xgb_model **out)
{
    binary_model b = {0};
    kiln__xgb_model *m = NULL;
    const kiln__xgb_objective *obj = NULL;
    kiln__xgb_obj_params params;
    int rc = read_binary(s, &b);
    if (rc == KILN_OK)
        rc = configure(s, &b, &obj, &params);
    if (rc == KILN_OK) {
        m = kiln__xgb_model_new(obj, &params, b.h.num_feature,
                                base_score(&b, obj, &params));
        if (m == NULL)
            rc = nomem(s, sizeof *m, "the model");
    }
    if (rc == KILN_OK)
        rc = add_trees(s, &b, m);
    if (rc == KILN_OK) {
        m->best_iteration = b.attrs.best_iteration;
        m->best_ntree_limit = b.attrs.best_ntree_limit;
        *out = m;
    } else {
        kiln__xgb_model_free(m);
    }
    binary_model_fini(&b);
    return rc;
}

/* ---- UBJSON ------------------------------------------------------------- */

/* UBJSON (ubjson.org, draft 12), as xgboost 1.7's UBJWriter writes it:
 * big-endian numbers, object keys as a length then bytes, containers
 * optionally typed ('$') and counted ('#').  Decoded into a json_t that
 * xgb_json.c reads as it reads JSON.  Counts are checked against the
 * bytes left before anything is allocated for them. */

enum { UB_MAX_DEPTH = 64 };

static int ub_truncated(source *u)
{
    return fail(u, "UBJSON ends early (at byte %zu of %zu)", u->pos,
                u->len);
}

static int ub_take(source *u, size_t n, const uint8_t **out)
{
    if (u->len - u->pos < n)
        return ub_truncated(u);
    *out = u->p + u->pos;
    u->pos += n;
    return KILN_OK;
}

static int ub_byte(source *u, uint8_t *c)
{
    const uint8_t *b = NULL;
    if (ub_take(u, 1, &b) != KILN_OK)
        return KILN_DATA;
    *c = b[0];
    return KILN_OK;
}

static uint64_t big_endian(const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

/* Bytes of a fixed-size value of this marker, or 0. */
static size_t ub_size(uint8_t marker)
{
    switch (marker) {
    case 'i': case 'U': case 'C': return 1;
    case 'I': return 2;
    case 'l': case 'd': return 4;
    case 'L': case 'D': return 8;
    default: return 0;
    }
}

static int ub_int(source *u, uint8_t marker, int64_t *v)
{
    size_t n = ub_size(marker);
    const uint8_t *b = NULL;
    if (n == 0 || marker == 'C' || marker == 'd' || marker == 'D')
        return fail(u, "UBJSON: marker '%c' at byte %zu is not an "
                       "integer",
                    isprint(marker) ? marker : '?', u->pos - 1);
    if (ub_take(u, n, &b) != KILN_OK)
        return KILN_DATA;
    uint64_t x = big_endian(b, n);
    switch (marker) {
    case 'i': *v = (int8_t)x; break;
    case 'U': *v = (uint8_t)x; break;
    case 'I': *v = (int16_t)x; break;
    case 'l': *v = (int32_t)(uint32_t)x; break;
    default: *v = (int64_t)x; break;
    }
    return KILN_OK;
}

/* A length: an integer marker and value, at most the bytes left times
 * per (the smallest size of one element). */
static int ub_length(source *u, size_t per, size_t *n)
{
    uint8_t marker;
    int64_t v;
    if (ub_byte(u, &marker) != KILN_OK || ub_int(u, marker, &v) != KILN_OK)
        return KILN_DATA;
    if (v < 0 || (uint64_t)v > (u->len - u->pos) / (per > 0 ? per : 1))
        return fail(u, "UBJSON: length %" PRId64 " at byte %zu is more "
                       "than the bytes left",
                    v, u->pos);
    *n = (size_t)v;
    return KILN_OK;
}

static json_t *ub_value(source *u, uint8_t marker, int depth);

static json_t *ub_scalar(source *u, uint8_t marker)
{
    const uint8_t *b = NULL;
    int64_t i;
    switch (marker) {
    case 'Z': return json_null();
    case 'T': return json_true();
    case 'F': return json_false();
    case 'i': case 'U': case 'I': case 'l': case 'L':
        return ub_int(u, marker, &i) == KILN_OK ? json_integer(i) : NULL;
    case 'd': {
        if (ub_take(u, 4, &b) != KILN_OK)
            return NULL;
        uint32_t x = (uint32_t)big_endian(b, 4);
        float f;
        memcpy(&f, &x, sizeof f);
        return json_real(f);
    }
    case 'D': {
        if (ub_take(u, 8, &b) != KILN_OK)
            return NULL;
        uint64_t x = big_endian(b, 8);
        double d;
        memcpy(&d, &x, sizeof d);
        return json_real(d);
    }
    case 'C':
        if (ub_take(u, 1, &b) != KILN_OK)
            return NULL;
        return json_stringn((const char *)b, 1);
    case 'S': {
        size_t n;
        if (ub_length(u, 1, &n) != KILN_OK || ub_take(u, n, &b) != KILN_OK)
            return NULL;
        json_t *s = json_stringn((const char *)b, n);
        if (s == NULL)
            fail(u, "UBJSON: the string before byte %zu is not UTF-8",
                 u->pos);
        return s;
    }
    default:
        fail(u, "UBJSON: unknown marker 0x%02x at byte %zu", marker,
             u->pos - 1);
        return NULL;
    }
}

/* A container's optional '$' type and '#' count.  *counted false: the
 * container ends with its closing marker. */
static int ub_header(source *u, uint8_t *type, bool *counted, size_t *count)
{
    *type = 0;
    *counted = false;
    if (u->pos < u->len && u->p[u->pos] == '$') {
        u->pos++;
        if (ub_byte(u, type) != KILN_OK)
            return KILN_DATA;
        if (ub_size(*type) == 0 && *type != 'S' && *type != '[' &&
            *type != '{')
            return fail(u, "UBJSON: container type '%c' at byte %zu is "
                           "not supported",
                        isprint(*type) ? *type : '?', u->pos - 1);
        if (u->pos >= u->len || u->p[u->pos] != '#')
            return fail(u, "UBJSON: a typed container without a count "
                           "at byte %zu",
                        u->pos);
    }
    if (u->pos < u->len && u->p[u->pos] == '#') {
        u->pos++;
        *counted = true;
        /* Each element takes at least its fixed size, or a byte. */
        size_t per = ub_size(*type) > 0 ? ub_size(*type) : 1;
        return ub_length(u, per, count);
    }
    return KILN_OK;
}

/* The next element's marker: the container's type, or read one (skipping
 * no-ops).  *end: it is the closing marker close (-1: counted, none). */
static int ub_next(source *u, uint8_t type, int close, uint8_t *marker,
                   bool *end)
{
    *end = false;
    if (type != 0) {
        *marker = type;
        return KILN_OK;
    }
    do {
        if (ub_byte(u, marker) != KILN_OK)
            return KILN_DATA;
    } while (*marker == 'N');
    *end = *marker == close;
    return KILN_OK;
}

static json_t *ub_array(source *u, int depth)
{
    uint8_t type;
    bool counted;
    size_t count = 0;
    if (ub_header(u, &type, &counted, &count) != KILN_OK)
        return NULL;
    json_t *a = json_array();
    if (a == NULL)
        return NULL;
    for (size_t i = 0; !counted || i < count; i++) {
        uint8_t marker;
        bool end;
        if (ub_next(u, type, counted ? -1 : ']', &marker, &end) != KILN_OK)
            goto bad;
        if (end)
            break;
        json_t *v = ub_value(u, marker, depth + 1);
        if (v == NULL || json_array_append_new(a, v) != 0)
            goto bad;
    }
    return a;
bad:
    json_decref(a);
    return NULL;
}

/* One member: the key (a length, then its bytes) and the value. */
static int ub_member(source *u, json_t *o, uint8_t type, int depth)
{
    size_t n = 0;
    const uint8_t *b = NULL;
    if (ub_length(u, 1, &n) != KILN_OK || ub_take(u, n, &b) != KILN_OK)
        return KILN_DATA;
    if (memchr(b, '\0', n) != NULL)
        return fail(u, "UBJSON: the key before byte %zu holds a NUL",
                    u->pos);
    uint8_t marker;
    bool end;
    if (ub_next(u, type, -1, &marker, &end) != KILN_OK)
        return KILN_DATA;
    json_t *v = ub_value(u, marker, depth + 1);
    char *key = malloc(n + 1);
    if (v == NULL || key == NULL) {
        json_decref(v);
        free(key);
        return KILN_DATA;
    }
    memcpy(key, b, n);
    key[n] = '\0';
    int rc = json_object_set_new(o, key, v);
    free(key);
    if (rc != 0)
        return fail(u, "UBJSON: the key before byte %zu is not UTF-8",
                    u->pos);
    return KILN_OK;
}

static json_t *ub_object(source *u, int depth)
{
    uint8_t type;
    bool counted;
    size_t count = 0;
    if (ub_header(u, &type, &counted, &count) != KILN_OK)
        return NULL;
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    for (size_t i = 0; !counted || i < count; i++) {
        if (!counted) {
            if (u->pos >= u->len) {
                ub_truncated(u);
                goto bad;
            }
            if (u->p[u->pos] == '}') {
                u->pos++;
                break;
            }
        }
        if (ub_member(u, o, type, depth) != KILN_OK)
            goto bad;
    }
    return o;
bad:
    json_decref(o);
    return NULL;
}

static json_t *ub_value(source *u, uint8_t marker, int depth)
{
    if (depth > UB_MAX_DEPTH) {
        fail(u, "UBJSON: nested deeper than %d at byte %zu", UB_MAX_DEPTH,
             u->pos);
        return NULL;
    }
    json_t *v;
    if (marker == '[')
        v = ub_array(u, depth);
    else if (marker == '{')
        v = ub_object(u, depth);
    else
        v = ub_scalar(u, marker);
    if (v == NULL && u->rc == KILN_OK)
        fail(u, "UBJSON: cannot decode the value at byte %zu (out of "
                "memory?)",
             u->pos);
    return v;
}

/* ---- telling the formats apart ------------------------------------------ */

/* Python's pickle protocols 2 to 5 start with 0x80 and the protocol. */
static bool is_pickle(const uint8_t *b, size_t len)
{
    return len >= 2 && b[0] == 0x80 && b[1] >= 2 && b[1] <= 5;
}

static int load_ubjson(source *s, kiln__xgb_model **out)
{
    s->pos = 1; /* past the root's '{' */
    json_t *root = ub_object(s, 0);
    if (root == NULL)
        return s->rc != KILN_OK ? s->rc : fail(s, "not a valid UBJSON model");
    int rc = kiln__xgb_load_document(root, s->what, out, s->err);
    json_decref(root);
    return rc;
}

int kiln__xgb_load(const void *bytes, size_t len, const char *what,
                   kiln__xgb_model **out, kiln_error *err)
{
    source s = {bytes, len, 0, what, err, KILN_OK};
    const uint8_t *b = bytes;
    if (len == 0)
        return fail(&s, "the model file is empty");
    size_t i = 0;
    while (i < len && isspace(b[i]))
        i++;
    if (i < len && b[i] == '{') {
        size_t j = i + 1;
        while (j < len && isspace(b[j]))
            j++;
        if (j < len && (b[j] == '"' || b[j] == '}'))
            return kiln__xgb_load_json(bytes, len, what, out, err);
        if (i == 0)
            return load_ubjson(&s, out);
    }
    if (is_pickle(b, len))
        return fail(&s, "a Python pickle, not an xgboost model file "
                        "(SageMaker's XGBoost 0.90 to 1.2 containers "
                        "pickled the Booster): unpickle it with xgboost, "
                        "save_model(\"xgboost-model.json\") and load that");
    if (len >= 4 && memcmp(b, "bs64", 4) == 0)
        return fail(&s, "base64 models (\"bs64\") are not supported");
    return load_binary(&s, out);
}
