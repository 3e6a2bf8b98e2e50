/* kiln — one mini-batch of all of linear learner's parallel models, and the
 * evaluation of every model on a channel.
 *
 * The M models' weights are one D x C matrix (C = M K), so a mini-batch of
 * B rows is, for all models at once:
 *
 *   Z  = X' W + b          (B x D) . (D x C), cblas_sgemm
 *   G  = dL/dZ * w_i / B   the losses, row weights, the mean over the batch
 *   dW = X'^T G            (D x B) . (B x C), cblas_sgemm;  db = 1^T G
 *
 * then each model's optimizer step with its own learning rate (the C
 * columns carry per-model settings).  X' is the normalised batch: dense
 * rows are copied normalised into a buffer; sparse rows are used as they
 * are with the scale applied per entry and the shift as a per-column
 * constant (sum_j mu_j isd_j W_j in the scores, mu_j isd_j (1^T G) in the
 * gradient), so sparse data is never densified.
 *
 * Threads: the batch is cut into row slices, one per thread; each slice
 * normalises its rows, computes its scores and losses and its partial
 * gradient (single-threaded OpenBLAS calls on each thread: the products of
 * a mini-batch are too small for OpenBLAS's own threads, which on two
 * cores spin against the element-wise work), and the partial gradients are
 * summed.  So a mini-batch is one fork and join.
 *
 * Evaluation folds the normalisation into the weights (W isd, b - mu isd
 * W, and the label scale for a regressor), which is what the saved model
 * computes, and multiplies raw rows by them: no copy of the channel.
 */
#include "linear.h"

#include "algos/par.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* ---- a mini-batch ------------------------------------------------------ */

typedef struct part_job {
    kiln__linear_trainer *tr;
    const kiln_dataset *ds;
    size_t r0, nb, parts;
} part_job;

/* Labels as trained and row weights of rows [a, e) of the batch. */
static void prepare_rows(kiln__linear_trainer *tr, const kiln_dataset *ds,
                         size_t r0, size_t a, size_t e)
{
    const kiln__linear_config *cfg = tr->cfg;
    const float *lab = kiln_dataset_labels(ds), *wts = kiln_dataset_weights(ds);
    for (size_t i = a; i < e; i++) {
        float y = lab[r0 + i];
        tr->y[i] = cfg->predictor == KILN__LINEAR_REGRESSOR
                       ? (float)((y - tr->ymu) / tr->ysd)
                       : y;
        float w = wts ? wts[r0 + i] : 1.0f;
        if (tr->class_w)
            w *= tr->class_w[(size_t)y];
        tr->rw[i] = w;
    }
}

/* Scores of rows [a, e) of the batch (dataset rows r0 + a ...) into
 * tr->z, the normalised dense rows into tr->xb. */
static void forward_rows(kiln__linear_trainer *tr, const kiln_dataset *ds,
                         size_t r0, size_t a, size_t e)
{
    size_t d = tr->d, c = tr->c, rows = e - a;
    float *z = tr->z + a * c;
    if (!kiln_dataset_is_sparse(ds)) {
        const float *x = kiln_dataset_dense(ds) + (r0 + a) * d;
        float *xb = tr->xb + a * d;
        for (size_t i = 0; i < rows; i++) {
            const float *src = x + i * d;
            float *dst = xb + i * d;
            for (size_t f = 0; f < d; f++)
                dst[f] = (src[f] - tr->mu[f]) * tr->isd[f];
        }
        for (size_t i = 0; i < rows; i++)
            memcpy(z + i * c, tr->b, c * sizeof *z);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows,
                    (int)c, (int)d, 1.0f, xb, (int)d, tr->w, (int)c, 1.0f, z,
                    (int)c);
        return;
    }
    const size_t *ip = kiln_dataset_indptr(ds);
    const uint32_t *ix = kiln_dataset_indices(ds);
    const float *v = kiln_dataset_values(ds);
    for (size_t i = 0; i < rows; i++) {
        float *zi = z + i * c;
        for (size_t q = 0; q < c; q++)
            zi[q] = tr->b[q] - (tr->shift ? tr->shiftc[q] : 0.0f);
        for (size_t en = ip[r0 + a + i]; en < ip[r0 + a + i + 1]; en++) {
            size_t f = ix[en];
            if (f >= d)
                continue;
            float xv = v[en] * tr->isd[f];
            const float *wf = tr->w + f * c;
            for (size_t q = 0; q < c; q++)
                zi[q] += xv * wf[q];
        }
    }
}

/* Losses of rows [a, e) for all models into lsum/wsum (m each); the
 * gradient, times the row weight / nb, replaces the scores in tr->z. */
static void loss_rows(kiln__linear_trainer *tr, size_t a, size_t e, size_t nb,
                      double *lsum, double *wsum)
{
    const kiln__linear_config *cfg = tr->cfg;
    size_t k = tr->k, c = tr->c;
    bool binary = cfg->predictor == KILN__LINEAR_BINARY;
    float inv = 1.0f / (float)nb;
    for (size_t i = a; i < e; i++) {
        float y = tr->y[i];
        float *zi = tr->z + i * c;
        for (size_t m = 0; m < tr->m; m++) {
            double w = tr->rw[i];
            if (binary && y > 0.5f)
                w *= tr->pos_w[m];
            float *zm = zi + m * k;
            double l = kiln__linear_loss_eval(&cfg->loss, zm, k, y, zm);
            lsum[m] += w * l;
            wsum[m] += w;
            float gscale = (float)w * inv;
            for (size_t q = 0; q < k; q++)
                zm[q] *= gscale;
        }
    }
}

/* The gradient of rows [a, e) into gw (d x c, overwritten) and colsum. */
static void backward_rows(kiln__linear_trainer *tr, const kiln_dataset *ds,
                          size_t r0, size_t a, size_t e, float *gw,
                          float *colsum)
{
    size_t d = tr->d, c = tr->c, rows = e - a;
    const float *g = tr->z + a * c;
    memset(colsum, 0, c * sizeof *colsum);
    for (size_t i = 0; i < rows; i++)
        for (size_t q = 0; q < c; q++)
            colsum[q] += g[i * c + q];
    if (!kiln_dataset_is_sparse(ds)) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)c,
                    (int)rows, 1.0f, tr->xb + a * d, (int)d, g, (int)c, 0.0f,
                    gw, (int)c);
        return;
    }
    memset(gw, 0, d * c * sizeof *gw);
    const size_t *ip = kiln_dataset_indptr(ds);
    const uint32_t *ix = kiln_dataset_indices(ds);
    const float *v = kiln_dataset_values(ds);
    for (size_t i = 0; i < rows; i++) {
        const float *gi = g + i * c;
        for (size_t en = ip[r0 + a + i]; en < ip[r0 + a + i + 1]; en++) {
            size_t f = ix[en];
            if (f >= d)
                continue;
            float xv = v[en] * tr->isd[f];
            float *gf = gw + f * c;
            for (size_t q = 0; q < c; q++)
                gf[q] += xv * gi[q];
        }
    }
}

static void batch_part(void *arg, size_t lo, size_t hi)
{
    part_job *j = arg;
    kiln__linear_trainer *tr = j->tr;
    size_t d = tr->d, c = tr->c, m = tr->m;
    for (size_t p = lo; p < hi; p++) {
        size_t a = j->nb * p / j->parts, e = j->nb * (p + 1) / j->parts;
        double *lsum = tr->lsum_part + p * m, *wsum = tr->wsum_part + p * m;
        memset(lsum, 0, m * sizeof *lsum);
        memset(wsum, 0, m * sizeof *wsum);
        prepare_rows(tr, j->ds, j->r0, a, e);
        forward_rows(tr, j->ds, j->r0, a, e);
        loss_rows(tr, a, e, j->nb, lsum, wsum);
        float *gw = p == 0 ? tr->gw : tr->gw_part + (p - 1) * d * c;
        backward_rows(tr, j->ds, j->r0, a, e, gw, tr->colsum_part + p * c);
    }
}

typedef struct sum_job {
    kiln__linear_trainer *tr;
    size_t parts;
} sum_job;

/* gw += the partial gradients of slices 1.., over elements [lo, hi). */
static void sum_parts(void *arg, size_t lo, size_t hi)
{
    sum_job *s = arg;
    kiln__linear_trainer *tr = s->tr;
    size_t dc = tr->d * tr->c;
    for (size_t p = 1; p < s->parts; p++) {
        const float *src = tr->gw_part + (p - 1) * dc;
        for (size_t i = lo; i < hi; i++)
            tr->gw[i] += src[i];
    }
}

typedef struct step_job {
    kiln__linear_trainer *tr;
    kiln__linear_step st;
} step_job;

static void update_rows(void *arg, size_t lo, size_t hi)
{
    step_job *s = arg;
    kiln__linear_trainer *tr = s->tr;
    kiln__linear_optim_rows(&s->st, tr->c, lo, hi, tr->w, tr->gw, tr->s1,
                            tr->s2, tr->lr, tr->wd, tr->l1);
}

static void update(kiln__linear_trainer *tr)
{
    const kiln__linear_config *cfg = tr->cfg;
    size_t k = tr->k;
    for (size_t m = 0; m < tr->m; m++) {
        const kiln__linear_mparams *p = &cfg->models[m];
        double lr = cfg->use_lr_scheduler
                        ? kiln__linear_schedule(p->lr, tr->t, p->sched_step,
                                                p->sched_factor,
                                                p->sched_min_lr)
                        : p->lr;
        for (size_t q = m * k; q < (m + 1) * k; q++) {
            tr->lr[q] = (float)lr;
            tr->blr[q] = (float)(lr * cfg->bias_lr_mult);
        }
    }
    tr->t++;
    step_job s = {tr,
                  {.opt = cfg->optimizer,
                   .beta1 = cfg->beta1,
                   .beta2 = cfg->beta2,
                   .momentum = cfg->momentum,
                   .rho = 0.9,
                   .epsilon = 1e-8,
                   .t = tr->t}};
    /* below ~256k parameters one thread is faster than starting another */
    size_t grain = ((size_t)1 << 18) / (tr->c + 1) + 1;
    kiln_par_range(tr->threads, tr->d, grain, update_rows, &s);
    if (cfg->use_bias)
        kiln__linear_optim_rows(&s.st, tr->c, 0, 1, tr->b, tr->gb, tr->sb1,
                                tr->sb2, tr->blr, tr->bwd, tr->nol1);
}

/* Row slices for nb rows: one per thread, at least 128 rows each. */
static size_t slices(const kiln__linear_trainer *tr, size_t nb)
{
    size_t parts = nb / 128;
    if (parts > tr->parts_max)
        parts = tr->parts_max;
    return parts < 1 ? 1 : parts;
}

void kiln__linear_batch(kiln__linear_trainer *tr, const kiln_dataset *ds,
                        size_t r0, size_t nb)
{
    size_t d = tr->d, c = tr->c, m = tr->m;
    if (kiln_dataset_is_sparse(ds) && tr->shift) {
        memset(tr->shiftc, 0, c * sizeof *tr->shiftc);
        for (size_t f = 0; f < d; f++) {
            float a = tr->mu[f] * tr->isd[f];
            if (a == 0)
                continue;
            const float *wf = tr->w + f * c;
            for (size_t q = 0; q < c; q++)
                tr->shiftc[q] += a * wf[q];
        }
    }
    size_t parts = slices(tr, nb);
    part_job j = {tr, ds, r0, nb, parts};
    kiln_par_range(tr->threads, parts, 1, batch_part, &j);
    if (parts > 1) {
        sum_job s = {tr, parts};
        kiln_par_range(tr->threads, d * c, (size_t)1 << 16, sum_parts,
                              &s);
    }
    for (size_t q = 0; q < c; q++) {
        float cs = 0;
        for (size_t p = 0; p < parts; p++)
            cs += tr->colsum_part[p * c + q];
        tr->colsum[q] = cs;
        tr->gb[q] = cs;
    }
    for (size_t p = 0; p < parts; p++)
        for (size_t i = 0; i < m; i++) {
            tr->lsum[i] += tr->lsum_part[p * m + i];
            tr->wsum[i] += tr->wsum_part[p * m + i];
        }
    if (kiln_dataset_is_sparse(ds) && tr->shift)
        for (size_t f = 0; f < d; f++) {
            float a = tr->mu[f] * tr->isd[f];
            float *gf = tr->gw + f * c;
            for (size_t q = 0; q < c; q++)
                gf[q] -= a * tr->colsum[q];
        }
    update(tr);
}

/* ---- evaluation ---------------------------------------------------------- */

void kiln__linear_fold(const kiln__linear_trainer *tr, size_t which,
                       float *weight, size_t stride, float *bias)
{
    size_t d = tr->d, c = tr->c, k = tr->k;
    /* W = W' isd ysd;  b = (b' - sum_j mu_j isd_j W'_j) ysd + ymu, the sum
     * in double */
    for (size_t q = 0; q < k; q++) {
        size_t col = which * k + q;
        double acc = tr->b[col];
        for (size_t f = 0; f < d; f++) {
            double wq = tr->w[f * c + col];
            acc -= (double)tr->mu[f] * tr->isd[f] * wq;
            weight[f * stride + q] = (float)(wq * tr->isd[f] * tr->ysd);
        }
        bias[q] = (float)(acc * tr->ysd + tr->ymu);
    }
}

typedef struct eval_job {
    kiln__linear_trainer *tr;
    const kiln_dataset *ds;
    size_t r0, nb, parts;
    size_t score_rows;   /* dataset rows below this keep their scores */
    double *scores;
} eval_job;

static void eval_part(void *arg, size_t lo, size_t hi)
{
    eval_job *j = arg;
    kiln__linear_trainer *tr = j->tr;
    const kiln__linear_config *cfg = tr->cfg;
    size_t d = tr->d, c = tr->c, k = tr->k, m = tr->m;
    const float *lab = kiln_dataset_labels(j->ds);
    for (size_t p = lo; p < hi; p++) {
        size_t a = j->nb * p / j->parts, e = j->nb * (p + 1) / j->parts;
        size_t rows = e - a, r0 = j->r0 + a;
        float *z = tr->z + a * c;
        for (size_t i = 0; i < rows; i++)
            memcpy(z + i * c, tr->fb, c * sizeof *z);
        if (!kiln_dataset_is_sparse(j->ds)) {
            if (rows > 0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                            (int)rows, (int)c, (int)d, 1.0f,
                            kiln_dataset_dense(j->ds) + r0 * d, (int)d, tr->fw,
                            (int)c, 1.0f, z, (int)c);
        } else {
            const size_t *ip = kiln_dataset_indptr(j->ds);
            const uint32_t *ix = kiln_dataset_indices(j->ds);
            const float *v = kiln_dataset_values(j->ds);
            for (size_t i = 0; i < rows; i++) {
                float *zi = z + i * c;
                for (size_t en = ip[r0 + i]; en < ip[r0 + i + 1]; en++) {
                    if (ix[en] >= d)
                        continue;
                    const float *wf = tr->fw + (size_t)ix[en] * c;
                    for (size_t q = 0; q < c; q++)
                        zi[q] += v[en] * wf[q];
                }
            }
        }
        double *lsum = tr->lsum_part + p * m;
        for (size_t i = 0; i < rows; i++) {
            const float *zi = z + i * c;
            for (size_t q = 0; q < m; q++) {
                lsum[q] += kiln__linear_loss_eval(&cfg->loss, zi + q * k, k,
                                                  lab[r0 + i], NULL);
                if (j->scores != NULL && r0 + i < j->score_rows)
                    j->scores[(r0 + i) * m + q] =
                        cfg->loss.kind == KILN__LOSS_LOGISTIC
                            ? kiln__linear_sigmoid(zi[q * k])
                            : (double)zi[q * k];
            }
        }
    }
}

int kiln__linear_evaluate(kiln__linear_trainer *tr, const kiln_dataset *ds,
                          size_t n, double *loss, double *scores,
                          size_t score_rows, kiln_error *err)
{
    size_t k = tr->k, m = tr->m;
    for (size_t q = 0; q < m; q++) {
        kiln__linear_fold(tr, q, tr->fw + q * k, tr->c, tr->fb + q * k);
        loss[q] = 0;
    }
    for (size_t r0 = 0; r0 < n; r0 += tr->rows_buf) {
        if (kiln_train_cancelled(tr->ctx, err))
            return err->code;
        size_t nb = n - r0 < tr->rows_buf ? n - r0 : tr->rows_buf;
        size_t parts = slices(tr, nb);
        memset(tr->lsum_part, 0, parts * m * sizeof *tr->lsum_part);
        eval_job j = {tr, ds, r0, nb, parts, score_rows, scores};
        kiln_par_range(tr->threads, parts, 1, eval_part, &j);
        for (size_t p = 0; p < parts; p++)
            for (size_t q = 0; q < m; q++)
                loss[q] += tr->lsum_part[p * m + q];
    }
    for (size_t q = 0; q < m; q++)
        loss[q] = n ? loss[q] / (double)n : NAN;
    return KILN_OK;
}
