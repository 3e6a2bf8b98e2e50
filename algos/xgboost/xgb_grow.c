/* kiln — growing one XGBoost tree on the quantised matrix (xgb.h), as
 * xgboost 1.7's hist updater (grow_quantile_histmaker) does.
 *
 * Rows: one array holds the row numbers of the tree's rows; every node
 * owns a contiguous segment of it, which a split partitions stably into
 * the left child's rows, then the right's, so rows stay in increasing
 * order inside a node (the histogram walk reads the matrix forward).
 *
 * Histograms: the smaller child's is built from its rows, the larger's is
 * its parent's minus it (histogram subtraction).  A node's histogram is
 * freed once its children have theirs.
 *
 * Splits, as xgboost's HistEvaluator: for every sampled feature the bins
 * are scanned left to right with missing values going right; when the
 * node has missing values of that feature, the scan is repeated right to
 * left with them going left (default_left).  A candidate needs both sides'
 * hessian sums >= min_child_weight; its loss change is
 * gain(left) + gain(right) - gain(node), with xgboost's CalcGain and
 * CalcWeight (reg_alpha as a soft threshold, reg_lambda, max_delta_step).
 * The best is the largest loss change; ties go to the smaller feature, and
 * within a feature to the first found.  A split is applied when its loss
 * change is > 1e-6 and >= gamma, both sides have hessian, and the depth
 * and leaf limits allow (ExpandEntry::IsValid).
 *
 * Order: depthwise expands a whole level at a time; lossguide always the
 * candidate with the largest loss change (ties: the older node).
 *
 * Node values: a leaf holds CalcWeight * eta (split_cond and base_weight);
 * an internal node keeps CalcWeight unscaled in base_weight, as xgboost's
 * RegTree::ExpandNode leaves them.
 */
#include "xgb.h"

#include "algos/par.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RT_EPS 1e-6

enum { PARTITION_AHEAD = 32 };

/* ---- xgboost's gain and weight (param.h) --------------------------------- */

static double threshold_l1(double g, double alpha)
{
    return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0.0;
}

static double calc_weight(const kiln__xgb_tree_params *p, double g, double h)
{
    if (h < p->min_child_weight || h <= 0.0)
        return 0.0;
    double dw = -threshold_l1(g, p->alpha) / (h + p->lambda);
    if (p->max_delta_step != 0.0 && fabs(dw) > p->max_delta_step)
        dw = copysign(p->max_delta_step, dw);
    return dw;
}

static double calc_gain(const kiln__xgb_tree_params *p, double g, double h)
{
    if (h <= 0.0)
        return 0.0;
    if (p->max_delta_step == 0.0) {
        double t = threshold_l1(g, p->alpha);
        return (float)(t * t / (h + p->lambda));
    }
    double w = calc_weight(p, g, h);
    return (float)(-(2.0 * g * w + (h + p->lambda) * w * w));
}

/* ---- sampling ---------------------------------------------------------- */

uint64_t kiln__xgb_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double kiln__xgb_uniform(uint64_t *state)
{
    return (double)(kiln__xgb_rand(state) >> 11) * 0x1.0p-53;
}

void kiln__xgb_sample_features(const uint8_t *ok, size_t nf, double frac,
                               uint64_t *rng, uint32_t *scratch, uint8_t *out)
{
    size_t m = 0;
    for (size_t f = 0; f < nf; f++)
        if (ok[f])
            scratch[m++] = (uint32_t)f;
    memset(out, 0, nf);
    size_t keep = frac >= 1.0 ? m : (size_t)(frac * (double)m);
    if (keep < 1 && m > 0)
        keep = 1;
    for (size_t i = 0; i < keep; i++) {
        size_t j = i + (size_t)(kiln__xgb_uniform(rng) * (double)(m - i));
        uint32_t t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        out[scratch[i]] = 1;
    }
}

/* ---- nodes --------------------------------------------------------------- */

typedef struct split {
    double loss_chg;
    int32_t feature;
    int32_t bin;        /* bins 0..bin go left */
    bool default_left;
    kiln__xgb_gh left, right;
} split;

typedef struct gnode {
    int32_t id;          /* in the tree */
    int depth;
    size_t begin, end;   /* rows[begin..end) */
    kiln__xgb_gh sum;
    kiln__xgb_gh *hist;  /* NULL once the children have theirs */
    split best;
    uint64_t order;      /* creation order, for ties */
} gnode;

typedef struct grower {
    const kiln__xgb_qmatrix *q;
    const kiln__xgb_tree_params *tp;
    const float *grad, *hess;
    unsigned threads;
    size_t slots;
    uint32_t *rows, *tmp;     /* the partition, and scratch of n */
    kiln__xgb_hist_pool *pool;
    kiln__xgb_gh *scratch;    /* the pool's */
    kiln__xgb_tree *tree;
    const uint8_t *bytree;    /* colsample_bytree */
    uint8_t *bylevel;
    uint8_t *bynode;          /* two sets of nfeat: the two children's */
    int level_of_bylevel;     /* the depth bylevel was drawn for */
    split *block_best;        /* nblocks x 2 (build_and_evaluate) */
    uint32_t *fscratch;
    uint64_t *rng;
    gnode *nodes;             /* the candidates */
    size_t nnodes, cap;
    uint64_t made;
} grower;

/* ---- split finding -------------------------------------------------------- */

/* Update best with a candidate as xgboost's SplitEntry::Update does. */
static void consider(split *best, double loss, int32_t f, int32_t bin,
                     bool dleft, kiln__xgb_gh l, kiln__xgb_gh r)
{
    bool replace = best->feature < 0 || (best->feature <= f
                                             ? loss > best->loss_chg
                                             : !(best->loss_chg > loss));
    if (!replace || isinf(loss))
        return;
    *best = (split){.loss_chg = loss, .feature = f, .bin = bin,
                    .default_left = dleft, .left = l, .right = r};
}

/* The forward scan when gains are G^2 / (H + lambda) (no alpha, no
 * max_delta_step: the defaults), in three simple loops: the prefix sums
 * (the one dependent chain, in bin order as xgboost sums), then every
 * bin's loss change in a loop the compiler vectorises (a bin the node has
 * no rows in repeats the previous candidate, which it cannot beat: it is
 * no candidate), then the first best.  Two divisions a bin make this the
 * hot loop of split finding, so on x86-64 it is also compiled for AVX2
 * and AVX-512, picked when the program starts (the same IEEE operations
 * on wider vectors: the same results). */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#endif
static void forward_plain(const grower *g, const gnode *node, size_t f,
                          double root_gain, split *best)
{
    const kiln__xgb_tree_params *p = g->tp;
    const kiln__xgb_cuts *c = &g->q->cuts;
    const kiln__xgb_gh *h = node->hist + c->ptr[f];
    int nb = c->nbins[f];
    double gl[256], hl[256];
    float loss[256];
    double ag = 0, ah = 0;
    for (int b = 0; b < nb; b++) {
        ag += h[b].g;
        ah += h[b].h;
        gl[b] = ag;
        hl[b] = ah;
    }
    double G = node->sum.g, H = node->sum.h, lambda = p->lambda;
    double mcw = p->min_child_weight;
    for (int b = 0; b < nb; b++) {
        double gr = G - gl[b], hr = H - hl[b];
        double l = gl[b] * gl[b] / (hl[b] + lambda) +
                   gr * gr / (hr + lambda) - root_gain;
        int ok = (hl[b] >= mcw) & (hr >= mcw) & (hl[b] > 0) & (hr > 0) &
                 ((h[b].h != 0.0) | (h[b].g != 0.0));
        loss[b] = ok ? (float)l : -INFINITY;
    }
    /* the feature's first best, then the one comparison across features */
    int at = -1;
    float top = -INFINITY;
    for (int b = 0; b < nb; b++) {
        if (loss[b] > top) {
            at = b;
            top = loss[b];
        }
    }
    if (at < 0)
        return;
    kiln__xgb_gh l = {gl[at], hl[at]}, r = {G - gl[at], H - hl[at]};
    consider(best, top, (int32_t)f, at, false, l, r);
}

/* The forward scan with the general gains (alpha, max_delta_step). */
static void forward_general(const grower *g, const gnode *node, size_t f,
                            double root_gain, split *best)
{
    const kiln__xgb_tree_params *p = g->tp;
    const kiln__xgb_cuts *c = &g->q->cuts;
    const kiln__xgb_gh *h = node->hist + c->ptr[f];
    kiln__xgb_gh tot = node->sum, acc = {0, 0};
    /* A bin the node has no rows in repeats the previous candidate, which
     * it cannot beat: skipped. */
    for (int b = 0; b < c->nbins[f]; b++) {
        if (h[b].h == 0.0 && h[b].g == 0.0)
            continue;
        acc.g += h[b].g;
        acc.h += h[b].h;
        kiln__xgb_gh rest = {tot.g - acc.g, tot.h - acc.h};
        if (acc.h < p->min_child_weight || rest.h < p->min_child_weight)
            continue;
        double loss = (float)(calc_gain(p, acc.g, acc.h) +
                              calc_gain(p, rest.g, rest.h) - root_gain);
        consider(best, loss, (int32_t)f, b, false, acc, rest);
    }
}

/* Missing values going left: the scan from the last bin down, when the
 * node has missing values of f. */
static void backward(const grower *g, const gnode *node, size_t f,
                     double root_gain, split *best)
{
    const kiln__xgb_tree_params *p = g->tp;
    const kiln__xgb_cuts *c = &g->q->cuts;
    const kiln__xgb_gh *h = node->hist + c->ptr[f];
    int nb = c->nbins[f];
    if (!c->missing[f] || h[nb].h == 0.0)
        return;
    kiln__xgb_gh tot = node->sum, acc = {0, 0};
    for (int b = nb - 1; b >= 1; b--) {
        if (h[b].h == 0.0 && h[b].g == 0.0)
            continue;
        acc.g += h[b].g;
        acc.h += h[b].h;
        kiln__xgb_gh rest = {tot.g - acc.g, tot.h - acc.h};
        if (acc.h < p->min_child_weight || rest.h < p->min_child_weight)
            continue;
        double loss = (float)(calc_gain(p, rest.g, rest.h) +
                              calc_gain(p, acc.g, acc.h) - root_gain);
        consider(best, loss, (int32_t)f, b - 1, true, rest, acc);
    }
}

/* Feature f's candidates: forward (missing right), then backward. */
static void eval_feature(const grower *g, const gnode *node, size_t f,
                         double root_gain, split *best)
{
    if (g->tp->alpha == 0.0 && g->tp->max_delta_step == 0.0)
        forward_plain(g, node, f, root_gain, best);
    else
        forward_general(g, node, f, root_gain, best);
    backward(g, node, f, root_gain, best);
}

/* The features a node may split on: bytree, then bylevel, then bynode
 * (drawn into the child'th set). */
static const uint8_t *node_features(grower *g, int depth, int child)
{
    size_t nf = g->q->nfeat;
    const uint8_t *set = g->bytree;
    if (g->tp->colsample_bylevel < 1.0) {
        if (g->level_of_bylevel != depth) {
            kiln__xgb_sample_features(g->bytree, nf,
                                      g->tp->colsample_bylevel, g->rng,
                                      g->fscratch, g->bylevel);
            g->level_of_bylevel = depth;
        }
        set = g->bylevel;
    }
    if (g->tp->colsample_bynode < 1.0) {
        uint8_t *out = g->bynode + (size_t)child * (nf + 1);
        kiln__xgb_sample_features(set, nf, g->tp->colsample_bynode, g->rng,
                                  g->fscratch, out);
        set = out;
    }
    return set;
}

static bool can_split(const grower *g, const gnode *node)
{
    return (g->tp->max_depth <= 0 || node->depth < g->tp->max_depth) &&
           node->hist != NULL && node->end - node->begin >= 2;
}

/* Building and evaluating go a feature block at a time: the smaller
 * child's block is built, the larger's is the parent's block minus it,
 * and both are evaluated while the block is still in the core's cache
 * (rather than three passes over 3 MB histograms).  A block's best splits
 * are kept per block and combined in the end: consider() does not depend
 * on the order. */
typedef struct children_job {
    grower *g;
    const uint32_t *rows;       /* the smaller child's */
    size_t n;
    const kiln__xgb_gh *parent; /* or NULL: no larger child (the root) */
    kiln__xgb_gh *small, *large;
    gnode *node[2];             /* to evaluate, or NULL */
    const uint8_t *features[2];
    double root_gain[2];
} children_job;

static void children_block(void *arg, size_t k, unsigned worker)
{
    children_job *j = arg;
    grower *g = j->g;
    const kiln__xgb_qmatrix *q = g->q;
    kiln__xgb_gh *spare =
        g->scratch ? g->scratch + (size_t)worker * KILN__XGB_SCRATCH : NULL;
    kiln__xgb_hist_build_block(q, j->rows, j->n, g->grad, g->hess, k, spare,
                               j->small);
    size_t f0 = q->block[k], f1 = q->block[k + 1];
    if (j->parent != NULL) {
        size_t a = q->cuts.ptr[f0], b = q->cuts.ptr[f1];
        kiln__xgb_hist_subtract(j->parent + a, j->small + a, b - a,
                                j->large + a);
    }
    for (int i = 0; i < 2; i++) {
        split *best = &g->block_best[2 * k + (size_t)i];
        *best = (split){.feature = -1};
        if (j->node[i] == NULL)
            continue;
        for (size_t f = f0; f < f1; f++)
            if (j->features[i][f])
                eval_feature(g, j->node[i], f, j->root_gain[i], best);
    }
}

/* Build the histograms of a node's children (or of the root, when parent
 * is NULL: rows are all of it, small its histogram) and find the best
 * split of each node in `eval` (NULL: not to be split). */
static void build_and_evaluate(grower *g, const uint32_t *rows, size_t n,
                               const kiln__xgb_gh *parent,
                               kiln__xgb_gh *small, kiln__xgb_gh *large,
                               gnode *eval[2])
{
    children_job j = {.g = g, .rows = rows, .n = n, .parent = parent,
                      .small = small, .large = large};
    /* features drawn in the order xgboost draws them: left, then right */
    for (int i = 0; i < 2; i++) {
        if (eval[i] == NULL)
            continue;
        eval[i]->best = (split){.feature = -1};
        if (!can_split(g, eval[i]))
            continue;
        j.node[i] = eval[i];
        j.features[i] = node_features(g, eval[i]->depth, i);
        j.root_gain[i] = calc_gain(g->tp, eval[i]->sum.g, eval[i]->sum.h);
    }
    const kiln__xgb_qmatrix *q = g->q;
    bool evaluating = j.node[0] != NULL || j.node[1] != NULL;
    /* few rows and nothing to evaluate: not worth a thread start */
    if (g->threads <= 1 || q->nblocks == 1 ||
        (!evaluating && n * q->nfeat < 1u << 16)) {
        for (size_t k = 0; k < q->nblocks; k++)
            children_block(&j, k, 0);
    } else {
        kiln_par_tasks(g->threads, q->nblocks, children_block, &j);
    }
    for (int i = 0; i < 2; i++) {
        if (j.node[i] == NULL)
            continue;
        split *best = &j.node[i]->best;
        for (size_t k = 0; k < q->nblocks; k++) {
            const split *b = &g->block_best[2 * k + (size_t)i];
            if (b->feature >= 0)
                consider(best, b->loss_chg, b->feature, b->bin,
                         b->default_left, b->left, b->right);
        }
    }
}

/* ExpandEntry::IsValid */
static bool valid(const grower *g, const gnode *node, int leaves)
{
    const split *s = &node->best;
    const kiln__xgb_tree_params *p = g->tp;
    if (s->feature < 0 || s->loss_chg <= RT_EPS)
        return false;
    if (s->left.h == 0.0 || s->right.h == 0.0)
        return false;
    if (s->loss_chg < p->gamma)
        return false;
    if (p->max_depth > 0 && node->depth >= p->max_depth)
        return false;
    if (p->max_leaves > 0 && leaves >= p->max_leaves)
        return false;
    return true;
}

/* ---- applying a split ----------------------------------------------------- */

static void set_leaf(grower *g, int32_t id, kiln__xgb_gh sum)
{
    kiln__xgb_tree *t = g->tree;
    float w = (float)(calc_weight(g->tp, sum.g, sum.h) * g->tp->eta);
    t->split_cond[id] = w;
    t->base_weight[id] = w;
    t->sum_hess[id] = (float)sum.h;
    t->loss_change[id] = 0.0f;
    t->left[id] = t->right[id] = -1;
    t->split_index[id] = 0;
    t->default_left[id] = 0;
}

/* Stable partition of rows[begin..end) by the split; returns the first
 * right row's position. */
static size_t partition(grower *g, const gnode *node)
{
    const kiln__xgb_qmatrix *q = g->q;
    size_t f = (size_t)node->best.feature;
    uint8_t missing_bin = q->cuts.missing[f] ? (uint8_t)q->cuts.nbins[f] : 0;
    bool has_missing = q->cuts.missing[f];
    int bin = node->best.bin;
    bool dleft = node->best.default_left;
    size_t l = node->begin, r = 0;
    for (size_t i = node->begin; i < node->end; i++) {
        uint32_t row = g->rows[i];
        /* one byte a row, a row apart: fetch ahead of the walk */
        if (i + PARTITION_AHEAD < node->end)
            KILN__XGB_PREFETCH(q->bins +
                               (size_t)g->rows[i + PARTITION_AHEAD] *
                                   q->nfeat + f);
        uint8_t b = q->bins[(size_t)row * q->nfeat + f];
        bool left = has_missing && b == missing_bin ? dleft : b <= bin;
        if (left)
            g->rows[l++] = row;
        else
            g->tmp[r++] = row;
    }
    memcpy(g->rows + l, g->tmp, r * sizeof *g->rows);
    return l;
}

static int push_node(grower *g, int32_t id, int depth, size_t begin,
                     size_t end, kiln__xgb_gh sum, kiln__xgb_gh *hist)
{
    if (g->nnodes == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 64;
        gnode *n = realloc(g->nodes, cap * sizeof *n);
        if (n == NULL)
            return KILN_NOMEM;
        g->nodes = n;
        g->cap = cap;
    }
    g->nodes[g->nnodes++] = (gnode){.id = id, .depth = depth, .begin = begin,
                                    .end = end, .sum = sum, .hist = hist,
                                    .order = g->made++};
    return KILN_OK;
}

static kiln__xgb_gh *new_hist(const grower *g)
{
    return kiln__xgb_pool_get(g->pool);
}

static void drop_hist(const grower *g, kiln__xgb_gh *h)
{
    kiln__xgb_pool_put(g->pool, h);
}

/* Split node (removed from the candidates by the caller) into two leaves
 * and make them candidates. */
static int apply(grower *g, gnode node)
{
    kiln__xgb_tree *t = g->tree;
    const split *s = &node.best;
    int32_t lid = kiln__xgb_tree_add_node(t, node.id);
    int32_t rid = lid < 0 ? -1 : kiln__xgb_tree_add_node(t, node.id);
    if (lid < 0 || rid < 0) {
        drop_hist(g, node.hist);
        return KILN_NOMEM;
    }
    const kiln__xgb_cuts *c = &g->q->cuts;
    t->left[node.id] = lid;
    t->right[node.id] = rid;
    t->split_index[node.id] = s->feature;
    t->split_cond[node.id] = c->values[c->ptr[s->feature] + (size_t)s->bin];
    t->default_left[node.id] = s->default_left;
    t->loss_change[node.id] = (float)s->loss_chg;
    t->base_weight[node.id] =
        (float)calc_weight(g->tp, node.sum.g, node.sum.h);
    set_leaf(g, lid, s->left);
    set_leaf(g, rid, s->right);

    size_t mid = partition(g, &node);
    size_t nl = mid - node.begin, nr = node.end - mid;
    /* Children at the depth limit are leaves: no histograms for them. */
    bool last = g->tp->max_depth > 0 && node.depth + 1 >= g->tp->max_depth;
    kiln__xgb_gh *hl = NULL, *hr = NULL;
    if (!last) {
        hl = new_hist(g);
        hr = new_hist(g);
        if (hl == NULL || hr == NULL) {
            drop_hist(g, hl);
            drop_hist(g, hr);
            drop_hist(g, node.hist);
            return KILN_NOMEM;
        }
    }
    int rc = push_node(g, lid, node.depth + 1, node.begin, mid, s->left, hl);
    if (rc == KILN_OK) {
        hl = NULL; /* the candidate's now */
        rc = push_node(g, rid, node.depth + 1, mid, node.end, s->right, hr);
    }
    if (rc != KILN_OK) {
        drop_hist(g, hl);
        drop_hist(g, hr);
        drop_hist(g, node.hist);
        return rc;
    }
    gnode *kids[2] = {&g->nodes[g->nnodes - 2], &g->nodes[g->nnodes - 1]};
    if (!last) {
        bool left_small = nl <= nr;
        build_and_evaluate(g, g->rows + (left_small ? node.begin : mid),
                           left_small ? nl : nr, node.hist,
                           left_small ? kids[0]->hist : kids[1]->hist,
                           left_small ? kids[1]->hist : kids[0]->hist, kids);
    } else {
        kids[0]->best = kids[1]->best = (split){.feature = -1};
    }
    drop_hist(g, node.hist);
    return KILN_OK;
}

/* ---- the driver ------------------------------------------------------------- */

/* The candidate to expand next: depthwise, the shallowest (then oldest);
 * lossguide, the largest loss change (then oldest). */
static size_t next_candidate(const grower *g)
{
    size_t best = 0;
    for (size_t i = 1; i < g->nnodes; i++) {
        const gnode *a = &g->nodes[i], *b = &g->nodes[best];
        bool better;
        if (g->tp->lossguide)
            better = a->best.loss_chg > b->best.loss_chg ||
                     (a->best.loss_chg == b->best.loss_chg &&
                      a->order < b->order);
        else
            better = a->depth < b->depth ||
                     (a->depth == b->depth && a->order < b->order);
        if (better)
            best = i;
    }
    return best;
}

static gnode take(grower *g, size_t i)
{
    gnode n = g->nodes[i];
    g->nodes[i] = g->nodes[--g->nnodes];
    return n;
}

/* Grows until no candidate is left; a candidate that stays a leaf writes
 * its rows' leaf_of (when not NULL). */
static int grow_all(grower *g, int32_t *leaf_of, kiln_cancel *cancel,
                    kiln_error *err)
{
    int leaves = 1;
    while (g->nnodes > 0) {
        if (kiln_cancel_requested(cancel))
            return kiln_error_set(err, KILN_INTERRUPTED,
                                  "training was interrupted");
        gnode node = take(g, next_candidate(g));
        if (!valid(g, &node, leaves)) {
            drop_hist(g, node.hist); /* stays the leaf it is */
            if (leaf_of != NULL)
                for (size_t i = node.begin; i < node.end; i++)
                    leaf_of[g->rows[i]] = node.id;
            continue;
        }
        if (apply(g, node) != KILN_OK)
            return kiln_error_set(err, KILN_NOMEM,
                                  "out of memory growing a tree (%zu "
                                  "histogram slots a node)", g->slots);
        leaves++;
    }
    return KILN_OK;
}

int32_t kiln__xgb_tree_leaf_bins(const kiln__xgb_qmatrix *q,
                                 const kiln__xgb_tree *t, size_t row)
{
    /* bin b goes left exactly when its cut <= the split's cut */
    const kiln__xgb_cuts *c = &q->cuts;
    const uint8_t *b = q->bins + row * q->nfeat;
    int32_t id = 0;
    while (t->left[id] >= 0) {
        int32_t f = t->split_index[id];
        bool left = c->missing[f] && b[f] == c->nbins[f]
                        ? t->default_left[id]
                        : c->values[c->ptr[f] + b[f]] <= t->split_cond[id];
        id = left ? t->left[id] : t->right[id];
    }
    return id;
}

int kiln__xgb_grow(const kiln__xgb_qmatrix *q, const uint32_t *rows,
                   size_t n, const float *grad, const float *hess,
                   const uint8_t *feature_ok, const kiln__xgb_tree_params *tp,
                   uint64_t *rng, kiln__xgb_hist_pool *pool,
                   kiln_cancel *cancel, kiln__xgb_tree *tree,
                   int32_t *leaf_of, kiln_error *err)
{
    grower g = {.q = q, .tp = tp, .grad = grad, .hess = hess,
                .threads = pool->threads, .pool = pool,
                .slots = q->cuts.ptr[q->nfeat], .tree = tree,
                .bytree = feature_ok, .level_of_bylevel = -1, .rng = rng};
    int rc = kiln__xgb_tree_init(tree, 64);
    if (rc == KILN_OK)
        rc = kiln__xgb_pool_rows(pool, n, &g.rows, &g.tmp);
    g.scratch = kiln__xgb_pool_scratch(pool);
    g.bylevel = malloc(q->nfeat + 1);
    g.bynode = malloc(2 * (q->nfeat + 1));
    g.fscratch = malloc((q->nfeat + 1) * sizeof *g.fscratch);
    g.block_best = malloc(2 * (q->nblocks + 1) * sizeof *g.block_best);
    kiln__xgb_gh *root_hist = new_hist(&g);
    if (rc != KILN_OK || !g.rows || !g.tmp || !g.scratch || !g.bylevel ||
        !g.bynode || !g.fscratch || !g.block_best || !root_hist) {
        rc = kiln_error_set(err, KILN_NOMEM,
                            "out of memory growing a tree (%zu rows)", n);
        drop_hist(&g, root_hist);
        goto done;
    }
    memcpy(g.rows, rows, n * sizeof *rows);
    kiln__xgb_gh sum = {0, 0};
    for (size_t i = 0; i < n; i++) {
        sum.g += grad[rows[i]];
        sum.h += hess[rows[i]];
    }
    int32_t root = kiln__xgb_tree_add_node(tree, INT32_MAX);
    if (root != 0) {
        rc = kiln_error_nomem(err);
        drop_hist(&g, root_hist);
        goto done;
    }
    set_leaf(&g, 0, sum);
    rc = push_node(&g, 0, 0, 0, n, sum, root_hist);
    if (rc != KILN_OK) {
        drop_hist(&g, root_hist);
        rc = kiln_error_nomem(err);
        goto done;
    }
    gnode *eval[2] = {&g.nodes[0], NULL};
    build_and_evaluate(&g, g.rows, n, NULL, root_hist, NULL, eval);
    rc = grow_all(&g, leaf_of, cancel, err);
done:
    for (size_t i = 0; i < g.nnodes; i++)
        drop_hist(&g, g.nodes[i].hist);
    free(g.nodes);
    free(g.bylevel);
    free(g.bynode);
    free(g.fscratch);
    free(g.block_best);
    if (rc != KILN_OK)
        kiln__xgb_tree_fini(tree);
    return rc;
}
