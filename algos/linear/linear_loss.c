/* kiln — linear learner's losses: the value of one row's loss and its
 * gradient with respect to the model's scores.
 *
 * SageMaker's loss hyperparameter values and what kiln computes for a
 * score z and label y (r = z - y for the regression losses):
 *
 *   logistic           log(1 + exp(-s z)), s = 2y - 1          dz: sigmoid(z) - y
 *   hinge_loss         max(0, margin - s z)                    dz: -s inside the margin
 *   softmax_loss       logsumexp(z) - z_y                      dz: softmax(z) - onehot(y)
 *   squared_loss       r^2                                     dz: 2r
 *   absolute_loss      |r|                                     dz: sign(r)
 *   eps_insensitive_squared_loss   max(0, |r| - eps)^2         dz: 2 max(0,|r|-eps) sign(r)
 *   eps_insensitive_absolute_loss  max(0, |r| - eps)           dz: sign(r) outside eps
 *   quantile_loss      q (y - z) if y >= z, else (1 - q)(z - y) (pinball)
 *   huber_loss         r^2 / 2 if |r| <= delta, else delta (|r| - delta/2)
 *
 * squared_loss is r^2, not r^2/2: SageMaker's validation "mse_objective"
 * equals its "mse" in the training log.  At the kinks (r = 0, |r| = eps,
 * s z = margin) the gradient is the one-sided value on the flat side.
 *
 * The objective names printed in the log ("<name>_objective") are
 * SageMaker's for logistic (binary_classification_cross_entropy_objective),
 * softmax_loss (multiclass_cross_entropy_objective) and squared_loss
 * (mse_objective), seen in real training logs; for the other losses kiln
 * uses "<loss value>_objective" (hinge_loss_objective, ...), which the
 * metric regexes ("\S+_objective") match as well.
 */
#include "linear.h"

#include <math.h>
#include <string.h>

static double softplus(double x)
{
    /* log(1 + exp(x)) without overflow */
    return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

static double sign(double x)
{
    return (x > 0) - (x < 0);
}

double kiln__linear_loss_eval(const kiln__linear_loss *l, const float *z,
                              size_t k, float y, float *g)
{
    double r = (double)z[0] - (double)y;
    switch (l->kind) {
    case KILN__LOSS_LOGISTIC: {
        double s = y > 0.5f ? 1.0 : -1.0, zz = z[0];
        if (g)
            g[0] = (float)(kiln__linear_sigmoid(zz) - (y > 0.5f ? 1.0 : 0.0));
        return softplus(-s * zz);
    }
    case KILN__LOSS_HINGE: {
        double s = y > 0.5f ? 1.0 : -1.0;
        double m = l->margin - s * z[0];
        if (g)
            g[0] = m > 0 ? (float)-s : 0.0f;
        return m > 0 ? m : 0.0;
    }
    case KILN__LOSS_SOFTMAX: {
        /* in float (expf is several times faster than exp, and the scores
         * are float): one exponential per class */
        size_t c = (size_t)y;
        float mx = z[0];
        for (size_t i = 1; i < k; i++)
            if (z[i] > mx)
                mx = z[i];
        float sum = 0;
        if (g == NULL) {
            for (size_t i = 0; i < k; i++)
                sum += expf(z[i] - mx);
            double lse = (double)mx + log((double)sum);
            return c < k ? lse - z[c] : lse;
        }
        float zc = c < k ? z[c] : mx;
        for (size_t i = 0; i < k; i++)
            sum += (g[i] = expf(z[i] - mx));
        double lse = (double)mx + log((double)sum);
        float inv = 1.0f / sum;
        for (size_t i = 0; i < k; i++)
            g[i] *= inv;
        if (c < k)
            g[c] -= 1.0f;
        return c < k ? lse - zc : lse;
    }
    case KILN__LOSS_SQUARED:
        if (g)
            g[0] = (float)(2 * r);
        return r * r;
    case KILN__LOSS_ABSOLUTE:
        if (g)
            g[0] = (float)sign(r);
        return fabs(r);
    case KILN__LOSS_EPS_SQUARED: {
        double a = fabs(r) - l->epsilon;
        if (a < 0)
            a = 0;
        if (g)
            g[0] = (float)(2 * a * sign(r));
        return a * a;
    }
    case KILN__LOSS_EPS_ABSOLUTE: {
        double a = fabs(r) - l->epsilon;
        if (g)
            g[0] = a > 0 ? (float)sign(r) : 0.0f;
        return a > 0 ? a : 0.0;
    }
    case KILN__LOSS_QUANTILE: {
        double q = l->quantile;
        double e = -r; /* y - z */
        if (g)
            g[0] = e > 0 ? (float)-q : e < 0 ? (float)(1 - q) : 0.0f;
        return e >= 0 ? q * e : (q - 1) * e;
    }
    case KILN__LOSS_HUBER: {
        double d = l->delta, a = fabs(r);
        if (a <= d) {
            if (g)
                g[0] = (float)r;
            return 0.5 * r * r;
        }
        if (g)
            g[0] = (float)(d * sign(r));
        return d * (a - 0.5 * d);
    }
    }
    return 0;
}

static const struct {
    kiln__linear_loss_kind kind;
    const char *hp, *objective;
} names[] = {
    {KILN__LOSS_LOGISTIC, "logistic",
     "binary_classification_cross_entropy_objective"},
    {KILN__LOSS_HINGE, "hinge_loss", "hinge_loss_objective"},
    {KILN__LOSS_SOFTMAX, "softmax_loss", "multiclass_cross_entropy_objective"},
    {KILN__LOSS_SQUARED, "squared_loss", "mse_objective"},
    {KILN__LOSS_ABSOLUTE, "absolute_loss", "absolute_loss_objective"},
    {KILN__LOSS_EPS_SQUARED, "eps_insensitive_squared_loss",
     "eps_insensitive_squared_loss_objective"},
    {KILN__LOSS_EPS_ABSOLUTE, "eps_insensitive_absolute_loss",
     "eps_insensitive_absolute_loss_objective"},
    {KILN__LOSS_QUANTILE, "quantile_loss", "quantile_loss_objective"},
    {KILN__LOSS_HUBER, "huber_loss", "huber_loss_objective"},
};

const char *kiln__linear_loss_objective(kiln__linear_loss_kind kind)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].kind == kind)
            return names[i].objective;
    return "unknown_objective";
}

const char *kiln__linear_loss_hp_name(kiln__linear_loss_kind kind)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].kind == kind)
            return names[i].hp;
    return "unknown";
}

int kiln__linear_loss_parse(const char *name)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].hp, name) == 0)
            return (int)names[i].kind;
    return -1;
}
