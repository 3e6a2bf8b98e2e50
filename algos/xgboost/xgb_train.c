/* kiln — the XGBoost boosting loop (xgb.h), as xgboost.train runs it in
 * SageMaker's container.
 *
 * Every row starts from the base margin (the objective's prob_to_margin of
 * base_score).  Each round: the objective's gradients at the current
 * margins; the rows of the round (subsample: each row kept with that
 * probability); the features of the tree (colsample_bytree); then for each
 * output group one tree grown on that group's gradients, whose leaf values
 * are added to the margins of the training rows (by the leaf each row
 * reached) and of the validation rows (by routing their values).
 *
 * Evaluation, after every round, on `train` then `validation`, with every
 * eval_metric, in xgboost's Python callback line format:
 *     [12]<TAB>train-rmse:0.10000<TAB>validation-rmse:0.20000
 * (values %.5f; CloudWatch shows the tab as #011, which is what SageMaker's
 * metric regexes match).  Metrics are reported as "train:rmse" and
 * "validation:rmse".
 *
 * Early stopping (early_stopping_rounds, with a validation channel) watches
 * the last eval_metric on validation, as xgboost does, and stops when it has
 * not improved for that many rounds.  The model keeps every tree trained,
 * with the attributes best_iteration, best_ntree_limit and best_score, as
 * xgboost 1.7's train() leaves them (the last round when nothing stopped).
 */
#include "xgb.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
    const kiln_train_ctx *ctx;
    const kiln__xgb_config *cfg;
    kiln__xgb_model *model;
    kiln__xgb_qmatrix q;
    size_t n, nv, nf;
    int k;
    float *margin, *vmargin, *pred;
    float *grad, *hess, *gk, *hk;
    uint32_t *rows;
    int32_t *leaf_of;
    uint8_t *feature_ok, *all_features;
    uint32_t *fscratch;
    float *vrow;               /* a sparse validation row, densified */
    uint64_t rng;
    kiln__xgb_hist_pool pool;
    /* early stopping */
    double best_score;
    int best_round;
} run;

static void run_fini(run *r)
{
    kiln__xgb_qmatrix_fini(&r->q);
    kiln__xgb_pool_fini(&r->pool);
    free(r->margin);
    free(r->vmargin);
    free(r->pred);
    free(r->grad);
    free(r->hess);
    free(r->gk);
    free(r->hk);
    free(r->rows);
    free(r->leaf_of);
    free(r->feature_ok);
    free(r->all_features);
    free(r->fscratch);
    free(r->vrow);
}

/* ---- checks ------------------------------------------------------------ */

static int check_channel(const run *r, const kiln_dataset *d,
                         const char *name, kiln_error *err)
{
    size_t cols = kiln_dataset_cols(d);
    if (kiln_dataset_is_sparse(d) ? cols > r->nf : cols != r->nf)
        return kiln_error_set(err, KILN_DATA,
                              "channel %s has %zu features, the train "
                              "channel %zu", name, cols, r->nf);
    kiln_error inner;
    kiln_error_init(&inner);
    if (r->cfg->objective->check_labels(&r->cfg->obj, kiln_dataset_labels(d),
                                        kiln_dataset_rows(d),
                                        &inner) != KILN_OK)
        return kiln_error_set(err, inner.code, "channel %s: %s", name,
                              inner.message);
    return KILN_OK;
}

static int alloc_run(run *r, kiln_error *err)
{
    size_t nk = r->n * (size_t)r->k, vk = r->nv * (size_t)r->k;
    size_t most = nk > vk ? nk : vk;
    r->margin = malloc((nk ? nk : 1) * sizeof *r->margin);
    r->vmargin = malloc((vk ? vk : 1) * sizeof *r->vmargin);
    r->pred = malloc((most ? most : 1) * sizeof *r->pred);
    r->grad = malloc((nk ? nk : 1) * sizeof *r->grad);
    r->hess = malloc((nk ? nk : 1) * sizeof *r->hess);
    r->gk = malloc((r->n ? r->n : 1) * sizeof *r->gk);
    r->hk = malloc((r->n ? r->n : 1) * sizeof *r->hk);
    r->rows = malloc((r->n ? r->n : 1) * sizeof *r->rows);
    r->leaf_of = malloc((r->n ? r->n : 1) * sizeof *r->leaf_of);
    r->feature_ok = malloc(r->nf + 1);
    r->all_features = malloc(r->nf + 1);
    r->fscratch = malloc((r->nf + 1) * sizeof *r->fscratch);
    r->vrow = malloc((r->nf + 1) * sizeof *r->vrow);
    if (!r->margin || !r->vmargin || !r->pred || !r->grad || !r->hess ||
        !r->gk || !r->hk || !r->rows || !r->leaf_of || !r->feature_ok ||
        !r->all_features || !r->fscratch || !r->vrow)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot hold the margins and gradients of "
                              "%zu rows x %d groups", r->n, r->k);
    for (size_t i = 0; i < nk; i++)
        r->margin[i] = r->model->base_margin;
    for (size_t i = 0; i < vk; i++)
        r->vmargin[i] = r->model->base_margin;
    memset(r->all_features, 1, r->nf + 1);
    return KILN_OK;
}

/* ---- one round ------------------------------------------------------------ */

/* The round's rows: all, or each with probability subsample. */
static size_t round_rows(run *r)
{
    size_t m = 0;
    double p = r->cfg->subsample;
    for (size_t i = 0; i < r->n; i++)
        if (p >= 1.0 || kiln__xgb_uniform(&r->rng) < p)
            r->rows[m++] = (uint32_t)i;
    return m;
}

/* Add tree t's leaf values to the validation margins of group g. */
static void add_to_validation(run *r, const kiln__xgb_tree *t, int g)
{
    const kiln_dataset *v = r->ctx->validation;
    if (v == NULL)
        return;
    if (!kiln_dataset_is_sparse(v)) {
        const float *x = kiln_dataset_dense(v);
        for (size_t i = 0; i < r->nv; i++)
            r->vmargin[i * (size_t)r->k + (size_t)g] +=
                t->split_cond[kiln__xgb_tree_leaf_dense(t, x + i * r->nf)];
        return;
    }
    const size_t *ip = kiln_dataset_indptr(v);
    const uint32_t *ix = kiln_dataset_indices(v);
    const float *val = kiln_dataset_values(v);
    for (size_t f = 0; f < r->nf; f++)
        r->vrow[f] = NAN;
    for (size_t i = 0; i < r->nv; i++) {
        for (size_t e = ip[i]; e < ip[i + 1]; e++)
            r->vrow[ix[e]] = val[e];
        r->vmargin[i * (size_t)r->k + (size_t)g] +=
            t->split_cond[kiln__xgb_tree_leaf_dense(t, r->vrow)];
        for (size_t e = ip[i]; e < ip[i + 1]; e++)
            r->vrow[ix[e]] = NAN;
    }
}

/* ---- reg:absoluteerror's leaves ----------------------------------------- */

/* xgboost 1.7's common::Quantile (unweighted: interpolated) and
 * WeightedQuantile (a step function on the float cdf) of sorted values. */
static float quantile_sorted(double alpha, const float *v, const float *w,
                             size_t n)
{
    if (n == 0)
        return NAN;
    if (w == NULL) {
        double dn = (double)n;
        if (alpha <= 1.0 / (dn + 1.0))
            return v[0];
        if (alpha >= dn / (dn + 1.0))
            return v[n - 1];
        double x = alpha * (dn + 1.0);
        double k = floor(x) - 1.0;
        double d = (x - 1.0) - k;
        float v0 = v[(size_t)k], v1 = v[(size_t)k + 1];
        return (float)(v0 + d * (v1 - v0));
    }
    float cdf = 0, total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    float thresh = (float)(total * alpha);
    for (size_t i = 0; i < n; i++) {
        cdf += w[i];
        if (!(cdf < thresh))
            return v[i];
    }
    return v[n - 1];
}

typedef struct residual {
    int32_t leaf;
    float r, w;
    uint32_t row;
} residual;

static int by_leaf_residual(const void *a, const void *b)
{
    const residual *x = a, *y = b;
    if (x->leaf != y->leaf)
        return x->leaf < y->leaf ? -1 : 1;
    if (x->r != y->r)
        return x->r < y->r ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* reg:absoluteerror, as xgboost 1.7's UpdateTreeLeaf: every leaf's value
 * becomes the median (weighted when rows have weights) of its rows'
 * residuals label - margin (not scaled by eta: checked against xgboost
 * 1.7.4, whose one-round leaves are exactly those medians). */
static int refit_leaves(run *r, kiln__xgb_tree *t, size_t m, kiln_error *err)
{
    const float *label = kiln_dataset_labels(r->ctx->train);
    const float *weight = kiln_dataset_weights(r->ctx->train);
    residual *res = malloc((m ? m : 1) * sizeof *res);
    float *v = malloc((m ? m : 1) * sizeof *v);
    float *w = malloc((m ? m : 1) * sizeof *w);
    if (res == NULL || v == NULL || w == NULL) {
        free(res);
        free(v);
        free(w);
        return kiln_error_nomem(err);
    }
    for (size_t i = 0; i < m; i++) {
        uint32_t row = r->rows[i];
        res[i] = (residual){.leaf = r->leaf_of[row],
                            .r = label[row] - r->margin[row],
                            .w = weight ? weight[row] : 1.0f, .row = row};
    }
    qsort(res, m, sizeof *res, by_leaf_residual);
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && res[j].leaf == res[i].leaf) {
            v[j - i] = res[j].r;
            w[j - i] = res[j].w;
            j++;
        }
        /* the median itself: xgboost 1.7.4 does not scale it by eta, and
         * leaves base_weight as the gradient step made it */
        t->split_cond[res[i].leaf] =
            quantile_sorted(0.5, v, weight ? w : NULL, j - i);
        i = j;
    }
    free(res);
    free(v);
    free(w);
    return KILN_OK;
}

/* The weighted median of the labels: reg:absoluteerror's starting point
 * when no base_score is given (xgboost 1.7's InitEstimation). */
static int label_median(const kiln_dataset *d, double *out, kiln_error *err)
{
    size_t n = kiln_dataset_rows(d);
    const float *label = kiln_dataset_labels(d);
    const float *weight = kiln_dataset_weights(d);
    residual *res = malloc((n ? n : 1) * sizeof *res);
    float *v = malloc((n ? n : 1) * sizeof *v), *w = malloc((n ? n : 1) *
                                                            sizeof *w);
    if (res == NULL || v == NULL || w == NULL) {
        free(res);
        free(v);
        free(w);
        return kiln_error_nomem(err);
    }
    for (size_t i = 0; i < n; i++)
        res[i] = (residual){.r = label[i], .w = weight ? weight[i] : 1.0f,
                            .row = (uint32_t)i};
    qsort(res, n, sizeof *res, by_leaf_residual);
    for (size_t i = 0; i < n; i++) {
        v[i] = res[i].r;
        w[i] = res[i].w;
    }
    *out = quantile_sorted(0.5, v, weight ? w : NULL, n);
    free(res);
    free(v);
    free(w);
    return KILN_OK;
}

static int one_tree(run *r, int g, size_t m, kiln_error *err)
{
    const kiln_train_ctx *ctx = r->ctx;
    for (size_t i = 0; i < r->n; i++) {
        r->gk[i] = r->grad[i * (size_t)r->k + (size_t)g];
        r->hk[i] = r->hess[i * (size_t)r->k + (size_t)g];
    }
    kiln__xgb_tree t;
    memset(&t, 0, sizeof t);
    int rc = kiln__xgb_grow(&r->q, r->rows, m, r->gk, r->hk, r->feature_ok,
                            &r->cfg->tree, &r->rng, &r->pool, ctx->cancel,
                            &t, r->leaf_of, err);
    if (rc == KILN_OK && r->cfg->objective->kind == KILN__XGB_OBJ_REGRESSION &&
        strcmp(r->cfg->objective->name, "reg:absoluteerror") == 0)
        rc = refit_leaves(r, &t, m, err);
    if (rc != KILN_OK) {
        kiln__xgb_tree_fini(&t);
        return rc;
    }
    /* rows left out by subsample are routed by their bins */
    if (m < r->n)
        for (size_t i = 0; i < r->n; i++)
            r->leaf_of[i] = kiln__xgb_tree_leaf_bins(&r->q, &t, i);
    for (size_t i = 0; i < r->n; i++)
        r->margin[i * (size_t)r->k + (size_t)g] += t.split_cond[r->leaf_of[i]];
    add_to_validation(r, &t, g);
    return kiln__xgb_model_add_tree(r->model, &t, g, err);
}

/* ---- evaluation -------------------------------------------------------------- */

/* A metric of the margins of dataset d.  xgboost's metrics see the eval
 * transform; SageMaker's own (m->margin) see the margins, and the
 * container prints their value through "%f" first, so kiln rounds them
 * the same way. */
static double evaluate(run *r, const kiln__xgb_metric *m, const float *margin,
                       const kiln_dataset *d)
{
    size_t n = kiln_dataset_rows(d);
    memcpy(r->pred, margin, n * (size_t)r->k * sizeof *r->pred);
    if (!m->margin)
        r->cfg->objective->transform(&r->cfg->obj, r->pred, n, r->k, true);
    double v = kiln__xgb_metric_eval(m, r->pred, kiln_dataset_labels(d),
                                     kiln_dataset_weights(d), n, r->k,
                                     &r->cfg->obj);
    if (m->margin && isfinite(v)) {
        char text[64];
        snprintf(text, sizeof text, "%f", v);
        v = strtod(text, NULL);
    }
    return v;
}

/* Evaluate, log the round's line and report the metrics; *stop when early
 * stopping says so. */
static int eval_round(run *r, int round, bool *stop, kiln_error *err)
{
    const kiln_train_ctx *ctx = r->ctx;
    const kiln__xgb_config *cfg = r->cfg;
    kiln_buf line;
    kiln_buf_init(&line);
    int rc = kiln_buf_printf(&line, "[%d]", round);
    double last = NAN;
    for (int s = 0; s < 2 && rc == KILN_OK; s++) {
        const kiln_dataset *d = s == 0 ? ctx->train : ctx->validation;
        const float *margin = s == 0 ? r->margin : r->vmargin;
        const char *set = s == 0 ? "train" : "validation";
        if (d == NULL)
            continue;
        for (int i = 0; i < cfg->nmetrics && rc == KILN_OK; i++) {
            double v = evaluate(r, &cfg->metrics[i], margin, d);
            char name[80];
            snprintf(name, sizeof name, "%s:%s", set, cfg->metrics[i].name);
            kiln_train_metric(ctx, name, round, v);
            rc = kiln_buf_printf(&line, "\t%s-%s:%.5f", set,
                                 cfg->metrics[i].name, v);
            last = v;
        }
    }
    if (rc != KILN_OK) {
        kiln_buf_fini(&line);
        return kiln_error_nomem(err);
    }
    kiln_train_log(ctx, "%s", kiln_buf_str(&line));
    kiln_buf_fini(&line);
    *stop = false;
    if (cfg->early_stopping_rounds <= 0 || ctx->validation == NULL)
        return KILN_OK;
    bool maximize = cfg->metrics[cfg->nmetrics - 1].maximize;
    bool better = r->best_round < 0 ||
                  (maximize ? last > r->best_score : last < r->best_score);
    if (better) {
        r->best_score = last;
        r->best_round = round;
    } else if (round - r->best_round >= cfg->early_stopping_rounds) {
        *stop = true;
    }
    return KILN_OK;
}

/* ---- the run ------------------------------------------------------------------ */

static int boost(run *r, kiln_error *err)
{
    const kiln_train_ctx *ctx = r->ctx;
    const kiln__xgb_config *cfg = r->cfg;
    const float *label = kiln_dataset_labels(ctx->train);
    const float *weight = kiln_dataset_weights(ctx->train);
    int rounds = 0;
    for (int round = 0; round < cfg->num_round; round++) {
        if (kiln_train_cancelled(ctx, err))
            return err->code;
        cfg->objective->gradient(&cfg->obj, r->margin, label, weight, r->n,
                                 r->k, r->grad, r->hess);
        size_t m = round_rows(r);
        if (cfg->colsample_bytree < 1.0)
            kiln__xgb_sample_features(r->all_features, r->nf,
                                      cfg->colsample_bytree, &r->rng,
                                      r->fscratch, r->feature_ok);
        else
            memset(r->feature_ok, 1, r->nf);
        for (int g = 0; g < r->k; g++)
            if (one_tree(r, g, m, err) != KILN_OK)
                return err->code;
        rounds = round + 1;
        bool stop = false;
        if (eval_round(r, round, &stop, err) != KILN_OK)
            return err->code;
        char status[64];
        snprintf(status, sizeof status, "round %d/%d", round + 1,
                 cfg->num_round);
        kiln_train_progress(ctx, (double)(round + 1) / cfg->num_round, status);
        if (stop) {
            kiln_train_log(ctx, "Stopping. Best iteration: [%d] %s %.5f",
                           r->best_round, cfg->metrics[cfg->nmetrics - 1].name,
                           r->best_score);
            break;
        }
    }
    bool stopped_early = cfg->early_stopping_rounds > 0 &&
                         ctx->validation != NULL && r->best_round >= 0;
    r->model->best_iteration = stopped_early ? r->best_round : rounds - 1;
    r->model->best_ntree_limit = r->model->best_iteration + 1;
    if (stopped_early)
        r->model->best_score = r->best_score;
    return KILN_OK;
}

int kiln__xgb_train(const kiln_train_ctx *ctx, const kiln__xgb_config *cfg,
                    kiln__xgb_model **out, kiln_error *err)
{
    run r = {.ctx = ctx, .cfg = cfg, .best_round = -1};
    r.n = kiln_dataset_rows(ctx->train);
    r.nf = kiln_dataset_cols(ctx->train);
    r.nv = ctx->validation ? kiln_dataset_rows(ctx->validation) : 0;
    r.k = cfg->objective->kind == KILN__XGB_OBJ_MULTI ? cfg->obj.num_class : 1;
    r.rng = cfg->seed;
    int rc = check_channel(&r, ctx->train, "train", err);
    if (rc == KILN_OK && ctx->validation != NULL)
        rc = check_channel(&r, ctx->validation, "validation", err);
    if (rc != KILN_OK)
        return rc;
    /* reg:absoluteerror without a base_score starts from the labels'
     * median, as xgboost 1.7 does (cfg->base_score NaN) */
    double base = cfg->base_score;
    if (isnan(base) && label_median(ctx->train, &base, err) != KILN_OK)
        return err->code;
    r.model = kiln__xgb_model_new(cfg->objective, &cfg->obj, r.nf, base);
    if (r.model == NULL)
        return kiln_error_nomem(err);
    rc = alloc_run(&r, err);
    if (rc == KILN_OK) {
        kiln_train_log(ctx, "quantising %zu rows x %zu features into at most "
                       "%d bins a feature", r.n, r.nf, cfg->max_bin);
        rc = kiln__xgb_quantise(ctx->train, cfg->max_bin, ctx->threads, &r.q,
                                err);
    }
    if (rc == KILN_OK)
        kiln__xgb_pool_init(&r.pool, r.q.cuts.ptr[r.q.nfeat], ctx->threads);
    if (rc == KILN_OK)
        rc = boost(&r, err);
    run_fini(&r);
    if (rc != KILN_OK) {
        kiln__xgb_model_free(r.model);
        return rc;
    }
    *out = r.model;
    return KILN_OK;
}
