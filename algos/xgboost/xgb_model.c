/* kiln — XGBoost's model: trees in xgboost's array layout, prediction and
 * feature importance (xgb.h).
 *
 * Prediction follows xgboost 1.7's CPU predictor (cpu_predictor.cc), so
 * that margins agree with Booster.predict(output_margin=True) bit for bit:
 *
 *   - a row's margins start at the base margin, a float, and every tree
 *     adds its leaf value to its output group's margin in tree order, in
 *     float arithmetic (not double: the sums must round as xgboost's do);
 *   - at a split a present value goes left when x < split_condition and a
 *     missing one to the node's default side.  Missing is NaN in a dense
 *     row and an absent entry in a sparse one; a NaN stored in a sparse
 *     row is missing too, since xgboost's DMatrix drops NaNs when it is
 *     built (missing=NaN), so its trees never see one;
 *   - rows go through the trees in blocks of 64, one tree at a time for
 *     the whole block (xgboost's kBlockOfRowsSize), so a tree stays in
 *     cache; blocks are spread over threads with kiln_par_range.  A batch
 *     of 32 rows or more walks a packed copy of the trees (a 16-byte
 *     record per node); fewer rows, an endpoint's request, walk the
 *     arrays and allocate nothing;
 *   - a present value that fails x < split_condition goes to right_children;
 *     xgboost's predictor goes to left + 1 instead (GetNextNode), which is
 *     the same node in every tree xgboost or kiln grows (children are
 *     added in pairs) and differs only in hand-made files.
 *
 * Rows that do not hold num_feature values in place (sparse rows, dense
 * rows narrower than the model; features past a row's end are missing, as
 * xgboost allows fewer columns at prediction) are expanded into a
 * per-block buffer of num_feature floats, NaN where absent, like
 * xgboost's RegTree::FVec.  Features past num_feature are never read:
 * every split feature is below it.  The buffer lives on the stack when it
 * is small, so predicting one row of a narrow model allocates nothing.
 *
 * Importance is xgboost's get_score: split nodes reached from the root
 * (pruned nodes stay in the arrays but are not reached), counted per
 * feature with their loss_change ("total_gain") and sum_hessian
 * ("total_cover").
 */
#include "xgb.h"
#include "xgb_io.h"

#include "algos/par.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    BLOCK_ROWS = 64,     /* rows that walk a tree together */
    STACK_FLOATS = 4096, /* the on-stack row buffer: 16 KiB */
    PACK_ROWS = 32,      /* rows from which the trees are packed */
};

/* ---- trees -------------------------------------------------------------- */

/* Grow every node array of t to cap entries.  On failure the arrays that
 * did grow keep their larger size, which is harmless: t->cap is raised
 * only when all did. */
static int tree_reserve(kiln__xgb_tree *t, int32_t cap)
{
    if (cap <= t->cap)
        return KILN_OK;
    size_t n = (size_t)cap;
#define GROW(field)                                                        \
    do {                                                                   \
        void *q_ = realloc(t->field, n * sizeof *t->field);                \
        if (q_ == NULL)                                                    \
            return KILN_NOMEM;                                             \
        t->field = q_;                                                     \
    } while (0)
    GROW(left);
    GROW(right);
    GROW(parent);
    GROW(split_index);
    GROW(split_cond);
    GROW(default_left);
    GROW(base_weight);
    GROW(loss_change);
    GROW(sum_hess);
#undef GROW
    t->cap = cap;
    return KILN_OK;
}

int kiln__xgb_tree_init(kiln__xgb_tree *t, int32_t cap)
{
    memset(t, 0, sizeof *t);
    return tree_reserve(t, cap < 1 ? 1 : cap);
}

void kiln__xgb_tree_fini(kiln__xgb_tree *t)
{
    if (t == NULL)
        return;
    free(t->left);
    free(t->right);
    free(t->parent);
    free(t->split_index);
    free(t->split_cond);
    free(t->default_left);
    free(t->base_weight);
    free(t->loss_change);
    free(t->sum_hess);
    memset(t, 0, sizeof *t);
}

/* The new node is a leaf of value 0.  A parent given (>= 0) gets it as its
 * left child if it has none yet, else as its right child if it has none,
 * so that growing `l = add(p); r = add(p)` links both; callers may also
 * set left/right themselves. */
int32_t kiln__xgb_tree_add_node(kiln__xgb_tree *t, int32_t parent)
{
    if (t->n == INT32_MAX)
        return -1;
    if (t->n == t->cap) {
        int32_t cap = t->cap < 8 ? 8
                      : t->cap > INT32_MAX / 2 ? INT32_MAX
                                               : t->cap * 2;
        if (tree_reserve(t, cap) != KILN_OK)
            return -1;
    }
    int32_t id = t->n++;
    t->left[id] = -1;
    t->right[id] = -1;
    t->parent[id] = parent < 0 ? INT32_MAX : parent;
    t->split_index[id] = 0;
    t->split_cond[id] = 0.0f;
    t->default_left[id] = 0;
    t->base_weight[id] = 0.0f;
    t->loss_change[id] = 0.0f;
    t->sum_hess[id] = 0.0f;
    if (parent >= 0 && parent < id) {
        if (t->left[parent] < 0)
            t->left[parent] = id;
        else if (t->right[parent] < 0)
            t->right[parent] = id;
    }
    return id;
}

/* ---- checking a loaded tree --------------------------------------------- */

static int tree_error(kiln_error *err, const char *what, size_t tree,
                      int32_t node, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int tree_error(kiln_error *err, const char *what, size_t tree,
                      int32_t node, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return kiln_error_set(err, KILN_DATA, "%s: tree %zu: node %d: %s", what,
                          tree, (int)node, detail);
}

/* The checks on a split node i; its children are marked seen. */
static int check_split(const kiln__xgb_tree *t, int32_t i, size_t num_feature,
                       uint8_t *seen, const char *what, size_t tree,
                       kiln_error *err)
{
    int32_t child[2] = {t->left[i], t->right[i]};
    if (child[1] == -1)
        return tree_error(err, what, tree, i,
                          "a left child (%d) but no right child",
                          (int)child[0]);
    for (int k = 0; k < 2; k++) {
        int32_t c = child[k];
        const char *side = k == 0 ? "left" : "right";
        if (c < 0 || c >= t->n)
            return tree_error(err, what, tree, i,
                              "%s child %d is not a node (num_nodes %d)",
                              side, (int)c, (int)t->n);
        if (seen[c])
            return tree_error(err, what, tree, i,
                              "%s child %d is reached twice (a cycle or a "
                              "shared node)",
                              side, (int)c);
        if (t->parent[c] != i)
            return tree_error(err, what, tree, i,
                              "%s child %d names node %d as its parent",
                              side, (int)c, (int)t->parent[c]);
        seen[c] = 1;
    }
    int32_t f = t->split_index[i];
    if (f < 0 || (size_t)f >= num_feature)
        return tree_error(err, what, tree, i,
                          "splits on feature %d, but the model has %zu "
                          "features",
                          (int)f, num_feature);
    return KILN_OK;
}

int kiln__xgb_tree_check(const kiln__xgb_tree *t, size_t num_feature,
                         const char *what, size_t tree, kiln_error *err)
{
    if (t->n < 1)
        return kiln_error_set(err, KILN_DATA, "%s: tree %zu has no nodes",
                              what, tree);
    uint8_t *seen = calloc((size_t)t->n, 1);
    int32_t *stack = malloc((size_t)t->n * sizeof *stack);
    int rc = KILN_OK;
    if (seen == NULL || stack == NULL) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "cannot allocate %zu bytes to check tree %zu "
                            "of %s",
                            (size_t)t->n * 5, tree, what);
        goto done;
    }
    /* Depth-first from the root; a node is pushed once, when first seen,
     * so the stack never holds more than num_nodes entries. */
    size_t top = 0;
    stack[top++] = 0;
    seen[0] = 1;
    while (top > 0 && rc == KILN_OK) {
        int32_t i = stack[--top];
        if (!isfinite(t->split_cond[i])) {
            rc = tree_error(err, what, tree, i, "%s %g is not a finite number",
                            t->left[i] == -1 ? "leaf value" : "split condition",
                            (double)t->split_cond[i]);
            continue;
        }
        if (t->left[i] == -1) {
            if (t->right[i] != -1)
                rc = tree_error(err, what, tree, i,
                                "a right child (%d) but no left child",
                                (int)t->right[i]);
            continue;
        }
        rc = check_split(t, i, num_feature, seen, what, tree, err);
        if (rc == KILN_OK) {
            stack[top++] = t->left[i];
            stack[top++] = t->right[i];
        }
    }
done:
    free(stack);
    free(seen);
    return rc;
}

/* ---- the model ---------------------------------------------------------- */

kiln__xgb_model *kiln__xgb_model_new(const kiln__xgb_objective *obj,
                                     const kiln__xgb_obj_params *params,
                                     size_t num_feature, double base_score)
{
    kiln__xgb_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->objective = obj;
    if (params != NULL)
        m->params = *params;
    m->num_feature = num_feature;
    m->num_class = obj != NULL && obj->kind == KILN__XGB_OBJ_MULTI
                       ? m->params.num_class
                       : 0;
    m->num_group = m->num_class > 1 ? m->num_class : 1;
    /* xgboost keeps base_score as a float (LearnerModelParamLegacy) and
     * turns it into the margin once, with the objective's ProbToMargin. */
    m->base_score = (double)(float)base_score;
    m->base_margin = obj != NULL && obj->prob_to_margin != NULL
                         ? (float)obj->prob_to_margin(&m->params,
                                                      m->base_score)
                         : (float)m->base_score;
    m->best_iteration = -1;
    m->best_ntree_limit = 0;
    m->best_score = NAN;
    return m;
}

void kiln__xgb_model_free(kiln__xgb_model *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->ntrees; i++)
        kiln__xgb_tree_fini(&m->trees[i]);
    free(m->trees);
    free(m->tree_info);
    free(m);
}

int kiln__xgb_model_add_tree(kiln__xgb_model *m, kiln__xgb_tree *t,
                             int group, kiln_error *err)
{
    if (group < 0 || group >= m->num_group)
        return kiln_error_set(err, KILN_INTERNAL,
                              "tree of output group %d in a model of %d",
                              group, m->num_group);
    if (m->ntrees == m->cap) {
        size_t cap = m->cap < 16 ? 16 : m->cap * 2;
        kiln__xgb_tree *trees = realloc(m->trees, cap * sizeof *trees);
        if (trees == NULL)
            return kiln_error_nomem(err);
        m->trees = trees;
        int32_t *info = realloc(m->tree_info, cap * sizeof *info);
        if (info == NULL)
            return kiln_error_nomem(err);
        m->tree_info = info;
        m->cap = cap;
    }
    m->trees[m->ntrees] = *t;
    m->tree_info[m->ntrees] = group;
    m->ntrees++;
    memset(t, 0, sizeof *t);
    return KILN_OK;
}

/* ---- walking trees ------------------------------------------------------ */

/* The leaf row reaches in t; row holds at least num_feature values.  The
 * common case (present and below the threshold, or present) is tested
 * first: a NaN fails v < c, then is told apart. */
static inline int32_t walk(const kiln__xgb_tree *t, const float *row)
{
    const int32_t *left = t->left, *right = t->right, *index = t->split_index;
    const float *cond = t->split_cond;
    const uint8_t *dleft = t->default_left;
    int32_t nid = 0;
    while (left[nid] >= 0) {
        float v = row[index[nid]];
        if (v < cond[nid])
            nid = left[nid];
        else if (!isnan(v))
            nid = right[nid];
        else
            nid = dleft[nid] ? left[nid] : right[nid];
    }
    return nid;
}

int32_t kiln__xgb_tree_leaf_dense(const kiln__xgb_tree *t, const float *row)
{
    return walk(t, row);
}

/* ---- packed trees ------------------------------------------------------- */

/* A node as one 16-byte record: the walk touches one cache line per node
 * instead of one per array.  For a batch of rows that is worth the copy
 * (measured: some 15% faster on a 100-tree model; packing costs about a
 * nanosecond a node, against tens per row and tree). */
typedef struct packed_node {
    int32_t left, right;
    uint32_t index; /* the split feature; bit 31: default left */
    float value;    /* threshold, or the leaf value */
} packed_node;

typedef struct packed_model {
    packed_node *nodes;
    size_t *start; /* tree t's nodes begin at nodes + start[t] */
} packed_model;

/* Pack trees [0, ntrees); false when out of memory (the caller walks the
 * arrays instead). */
static bool pack_trees(const kiln__xgb_model *m, size_t ntrees,
                       packed_model *pk)
{
    size_t total = 0;
    for (size_t t = 0; t < ntrees; t++)
        total += (size_t)m->trees[t].n;
    pk->nodes = malloc((total > 0 ? total : 1) * sizeof *pk->nodes);
    pk->start = malloc((ntrees > 0 ? ntrees : 1) * sizeof *pk->start);
    if (pk->nodes == NULL || pk->start == NULL) {
        free(pk->nodes);
        free(pk->start);
        return false;
    }
    size_t at = 0;
    for (size_t t = 0; t < ntrees; t++) {
        const kiln__xgb_tree *tree = &m->trees[t];
        pk->start[t] = at;
        for (int32_t i = 0; i < tree->n; i++, at++) {
            packed_node *nd = &pk->nodes[at];
            nd->left = tree->left[i] < 0 ? -1 : tree->left[i];
            nd->right = tree->right[i];
            nd->index = (uint32_t)tree->split_index[i] & 0x7fffffffu;
            nd->index |= tree->default_left[i] ? 0x80000000u : 0u;
            nd->value = tree->split_cond[i];
        }
    }
    return true;
}

/* As walk, on packed nodes; returns the leaf's value. */
static inline float walk_packed(const packed_node *nodes, const float *row)
{
    const packed_node *nd = nodes;
    while (nd->left >= 0) {
        float v = row[nd->index & 0x7fffffffu];
        int32_t next;
        if (v < nd->value)
            next = nd->left;
        else if (!isnan(v))
            next = nd->right;
        else
            next = (nd->index >> 31) ? nd->left : nd->right;
        nd = nodes + next;
    }
    return nd->value;
}

typedef struct predict_job {
    const kiln__xgb_model *m;
    size_t ntrees;
    const kiln_dataset *x;
    const packed_model *packed; /* or NULL: walk the arrays */
    float *margin;
} predict_job;

/* Margins of nr rows (nr x K from margin): the base margin plus trees
 * [0, ntrees), each tree walked by the whole block before the next, from
 * the packed copy when there is one. */
static void block_margins(const predict_job *j, const float *const *rows,
                          size_t nr, float *margin)
{
    const kiln__xgb_model *m = j->m;
    size_t k = (size_t)m->num_group;
    for (size_t i = 0; i < nr * k; i++)
        margin[i] = m->base_margin;
    for (size_t t = 0; t < j->ntrees; t++) {
        float *out = margin + m->tree_info[t];
        if (j->packed != NULL) {
            const packed_node *nodes = j->packed->nodes + j->packed->start[t];
            for (size_t i = 0; i < nr; i++)
                out[i * k] += walk_packed(nodes, rows[i]);
        } else {
            const kiln__xgb_tree *tree = &m->trees[t];
            for (size_t i = 0; i < nr; i++)
                out[i * k] += tree->split_cond[walk(tree, rows[i])];
        }
    }
}

/* Rows [lo, hi) of a dense x at least num_feature wide: read in place. */
static void predict_dense_wide(const predict_job *j, size_t lo, size_t hi)
{
    size_t cols = kiln_dataset_cols(j->x), k = (size_t)j->m->num_group;
    const float *data = kiln_dataset_dense(j->x);
    const float *rows[BLOCK_ROWS];
    for (size_t r = lo; r < hi; r += BLOCK_ROWS) {
        size_t nr = hi - r < BLOCK_ROWS ? hi - r : BLOCK_ROWS;
        /* no columns: data may be NULL, and no row is read */
        for (size_t i = 0; i < nr; i++)
            rows[i] = cols > 0 ? data + (r + i) * cols : data;
        block_margins(j, rows, nr, j->margin + r * k);
    }
}

/* Row r of x into dst (num_feature floats, all NaN on entry). */
static void expand_row(const kiln_dataset *x, size_t r, size_t nf, float *dst)
{
    if (!kiln_dataset_is_sparse(x)) {
        size_t cols = kiln_dataset_cols(x), n = cols < nf ? cols : nf;
        if (n > 0)
            memcpy(dst, kiln_dataset_dense(x) + r * cols, n * sizeof *dst);
        return;
    }
    const size_t *indptr = kiln_dataset_indptr(x);
    const uint32_t *index = kiln_dataset_indices(x);
    const float *value = kiln_dataset_values(x);
    for (size_t e = indptr[r]; e < indptr[r + 1]; e++)
        if (index[e] < nf)
            dst[index[e]] = value[e];
}

/* Undo expand_row: dst back to all NaN.  Dense rows narrower than the
 * model overwrite the same leading columns every time and need none. */
static void clear_row(const kiln_dataset *x, size_t r, size_t nf, float *dst)
{
    if (!kiln_dataset_is_sparse(x))
        return;
    const size_t *indptr = kiln_dataset_indptr(x);
    const uint32_t *index = kiln_dataset_indices(x);
    for (size_t e = indptr[r]; e < indptr[r + 1]; e++)
        if (index[e] < nf)
            dst[index[e]] = NAN;
}

/* Rows [lo, hi) through a buffer buf of block x num_feature floats. */
static void predict_buffered(const predict_job *j, size_t lo, size_t hi,
                             float *buf, size_t block)
{
    size_t nf = j->m->num_feature, k = (size_t)j->m->num_group;
    const float *rows[BLOCK_ROWS];
    if (block > BLOCK_ROWS)
        block = BLOCK_ROWS;
    for (size_t i = 0; i < block * nf; i++)
        buf[i] = NAN;
    for (size_t r = lo; r < hi; r += block) {
        size_t nr = hi - r < block ? hi - r : block;
        for (size_t i = 0; i < nr; i++) {
            expand_row(j->x, r + i, nf, buf + i * nf);
            rows[i] = buf + i * nf;
        }
        block_margins(j, rows, nr, j->margin + r * k);
        for (size_t i = 0; i < nr; i++)
            clear_row(j->x, r + i, nf, buf + i * nf);
    }
}

/* Feature f of row r as the buffer would hold it, found by a scan (the
 * last entry of a repeated index wins, as in expand_row). */
static float row_value(const kiln_dataset *x, size_t r, size_t f)
{
    if (!kiln_dataset_is_sparse(x)) {
        size_t cols = kiln_dataset_cols(x);
        return f < cols ? kiln_dataset_dense(x)[r * cols + f] : NAN;
    }
    const size_t *indptr = kiln_dataset_indptr(x);
    const uint32_t *index = kiln_dataset_indices(x);
    float v = NAN;
    for (size_t e = indptr[r]; e < indptr[r + 1]; e++)
        if (index[e] == f)
            v = kiln_dataset_values(x)[e];
    return v;
}

/* Rows [lo, hi) without a buffer, each split's feature looked up in the
 * row: for when no memory is left for one; slower, the same results. */
static void predict_lookup(const predict_job *j, size_t lo, size_t hi)
{
    const kiln__xgb_model *m = j->m;
    size_t k = (size_t)m->num_group;
    for (size_t r = lo; r < hi; r++) {
        float *out = j->margin + r * k;
        for (size_t g = 0; g < k; g++)
            out[g] = m->base_margin;
        for (size_t t = 0; t < j->ntrees; t++) {
            const kiln__xgb_tree *tree = &m->trees[t];
            int32_t nid = 0;
            while (tree->left[nid] >= 0) {
                float v = row_value(j->x, r, (size_t)tree->split_index[nid]);
                bool go_left = isnan(v) ? tree->default_left[nid] != 0
                                        : v < tree->split_cond[nid];
                nid = go_left ? tree->left[nid] : tree->right[nid];
            }
            out[m->tree_info[t]] += tree->split_cond[nid];
        }
    }
}

static void predict_range(void *arg, size_t lo, size_t hi)
{
    const predict_job *j = arg;
    size_t nf = j->m->num_feature;
    if (!kiln_dataset_is_sparse(j->x) && kiln_dataset_cols(j->x) >= nf) {
        predict_dense_wide(j, lo, hi);
        return;
    }
    float stack_buf[STACK_FLOATS];
    size_t want = hi - lo < BLOCK_ROWS ? hi - lo : BLOCK_ROWS;
    size_t nf1 = nf > 0 ? nf : 1;
    if (want * nf1 <= STACK_FLOATS) {
        predict_buffered(j, lo, hi, stack_buf, want);
        return;
    }
    float *heap = malloc(want * nf1 * sizeof *heap);
    if (heap == NULL) {
        predict_lookup(j, lo, hi);
        return;
    }
    predict_buffered(j, lo, hi, heap, want);
    free(heap);
}

void kiln__xgb_predict_margin(const kiln__xgb_model *m, const kiln_dataset *x,
                              size_t ntrees, unsigned threads, float *margin)
{
    size_t n = kiln_dataset_rows(x);
    if (n == 0)
        return;
    if (ntrees == 0 || ntrees > m->ntrees)
        ntrees = m->ntrees;
    /* A batch walks from a packed copy; a few rows (an endpoint's
     * request) walk the arrays and allocate nothing. */
    packed_model pk;
    bool packed = n >= PACK_ROWS && pack_trees(m, ntrees, &pk);
    predict_job j = {m, ntrees, x, packed ? &pk : NULL, margin};
    /* A thread is worth starting for some 30k row-trees (about 200 us of
     * walking): below that everything stays on the caller's thread. */
    size_t grain = (size_t)1 << 15;
    grain = ntrees > 0 ? grain / ntrees : grain;
    if (grain < BLOCK_ROWS)
        grain = BLOCK_ROWS;
    kiln_par_range(threads, n, grain, predict_range, &j);
    if (packed) {
        free(pk.nodes);
        free(pk.start);
    }
}

/* ---- importance --------------------------------------------------------- */

/* Whether node i is reached from the root: its parents lead there
 * through child links (checked trees have consistent parents). */
static bool reachable(const kiln__xgb_tree *t, int32_t i)
{
    for (int32_t steps = 0; steps <= t->n; steps++) {
        if (i == 0)
            return true;
        int32_t p = t->parent[i];
        if (p < 0 || p >= t->n || (t->left[p] != i && t->right[p] != i))
            return false;
        i = p;
    }
    return false;
}

/* xgboost sums gain and cover in float (gbtree.h FeatureScore): the
 * doubles here always hold float values, rounded after every addition. */
static void count_split(const kiln__xgb_tree *t, int32_t i, size_t nf,
                        double *weight, double *gain, double *cover)
{
    int32_t f = t->split_index[i];
    if (f < 0 || (size_t)f >= nf)
        return;
    weight[f] += 1.0;
    gain[f] = (double)((float)gain[f] + t->loss_change[i]);
    cover[f] = (double)((float)cover[f] + t->sum_hess[i]);
}

/* The split nodes of t in RegTree::WalkTree's order (a stack: pop a node,
 * push its left then its right child), which fixes how the float sums
 * round.  The stack holds at most num_nodes entries. */
static void tree_importance(const kiln__xgb_tree *t, size_t nf,
                            double *weight, double *gain, double *cover)
{
    int32_t local[256];
    int32_t *stack = local;
    size_t cap = sizeof local / sizeof local[0];
    if ((size_t)t->n + 1 > cap) {
        cap = (size_t)t->n + 1;
        stack = malloc(cap * sizeof *stack);
    }
    if (stack == NULL) {
        /* Out of memory: node order, which may round differently. */
        for (int32_t i = 0; i < t->n; i++)
            if (t->left[i] >= 0 && reachable(t, i))
                count_split(t, i, nf, weight, gain, cover);
        return;
    }
    size_t top = 0;
    stack[top++] = 0;
    while (top > 0) {
        int32_t i = stack[--top];
        if (t->left[i] < 0)
            continue;
        count_split(t, i, nf, weight, gain, cover);
        if (top + 2 > cap)
            break; /* not a tree: a cycle would never end */
        stack[top++] = t->left[i];
        stack[top++] = t->right[i];
    }
    if (stack != local)
        free(stack);
}

void kiln__xgb_importance(const kiln__xgb_model *m, double *weight,
                          double *total_gain, double *total_cover)
{
    size_t nf = m->num_feature;
    for (size_t f = 0; f < nf; f++)
        weight[f] = total_gain[f] = total_cover[f] = 0.0;
    for (size_t t = 0; t < m->ntrees; t++)
        tree_importance(&m->trees[t], nf, weight, total_gain, total_cover);
}
