/* kiln — linear learner's optimizers, the proximal l1 step and the
 * learning-rate schedule.
 *
 * The updates are MXNet's (the engine SageMaker's linear learner runs on),
 * with g the gradient plus the l2 term wd * w:
 *
 *   sgd      v = momentum * v - lr * g;  w += v
 *   adam     m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *            w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
 *   rmsprop  n = rho n + (1 - rho) g^2;  w -= lr * g / sqrt(n + eps)
 *            (MXNet's non-centred RMSProp, rho = gamma1 = 0.9)
 *
 * eps is 1e-8 for both.  l1 is applied after the step as the proximal
 * operator of lr * l1 * |w| (soft-thresholding, "truncated gradient"); for
 * plain sgd that is exactly proximal gradient descent on the l1 penalty, for
 * adam and rmsprop the same scalar threshold is used.
 */
#include "linear.h"

#include <math.h>

float kiln__linear_soft_threshold(float w, float tau)
{
    if (w > tau)
        return w - tau;
    if (w < -tau)
        return w + tau;
    return 0.0f;
}

double kiln__linear_schedule(double base, int64_t t, int64_t step,
                             double factor, double min_lr)
{
    if (step <= 0 || t < step)
        return base;
    double lr = base * pow(factor, (double)(t / step));
    double floor_lr = min_lr < base ? min_lr : base;
    return lr < floor_lr ? floor_lr : lr;
}

void kiln__linear_optim_rows(const kiln__linear_step *st, size_t c, size_t r0,
                             size_t r1, float *w, const float *g, float *s1,
                             float *s2, const float *lr, const float *wd,
                             const float *l1)
{
    bool any_l1 = false;
    for (size_t j = 0; j < c; j++)
        any_l1 |= l1[j] > 0;
    switch (st->opt) {
    case KILN__OPT_SGD: {
        const float mom = (float)st->momentum;
        for (size_t r = r0; r < r1; r++) {
            float *wr = w + r * c, *vr = s1 + r * c;
            const float *gr = g + r * c;
            for (size_t j = 0; j < c; j++) {
                float gg = gr[j] + wd[j] * wr[j];
                vr[j] = mom * vr[j] - lr[j] * gg;
                wr[j] += vr[j];
            }
        }
        break;
    }
    case KILN__OPT_ADAM: {
        const float b1 = (float)st->beta1, b2 = (float)st->beta2;
        const float eps = (float)st->epsilon;
        double t = (double)(st->t > 0 ? st->t : 1);
        const float corr = (float)(sqrt(1 - pow(st->beta2, t)) /
                                   (1 - pow(st->beta1, t)));
        for (size_t r = r0; r < r1; r++) {
            float *wr = w + r * c, *mr = s1 + r * c, *vr = s2 + r * c;
            const float *gr = g + r * c;
            for (size_t j = 0; j < c; j++) {
                float gg = gr[j] + wd[j] * wr[j];
                mr[j] = b1 * mr[j] + (1 - b1) * gg;
                vr[j] = b2 * vr[j] + (1 - b2) * gg * gg;
                wr[j] -= lr[j] * corr * mr[j] / (sqrtf(vr[j]) + eps);
            }
        }
        break;
    }
    case KILN__OPT_RMSPROP: {
        const float rho = (float)st->rho, eps = (float)st->epsilon;
        for (size_t r = r0; r < r1; r++) {
            float *wr = w + r * c, *nr = s1 + r * c;
            const float *gr = g + r * c;
            for (size_t j = 0; j < c; j++) {
                float gg = gr[j] + wd[j] * wr[j];
                nr[j] = rho * nr[j] + (1 - rho) * gg * gg;
                wr[j] -= lr[j] * gg / sqrtf(nr[j] + eps);
            }
        }
        break;
    }
    }
    if (!any_l1)
        return;
    for (size_t r = r0; r < r1; r++) {
        float *wr = w + r * c;
        for (size_t j = 0; j < c; j++)
            if (l1[j] > 0)
                wr[j] = kiln__linear_soft_threshold(wr[j], lr[j] * l1[j]);
    }
}
