/* kiln — Bayesian optimisation's next point (tune_bayes.h). */
#include "tune_bayes.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CANDIDATES = 2000, LOCAL_STARTS = 10, LOCAL_STEPS = 60 };
#define NOISE 1e-4

static const double length_grid[] = {0.05, 0.1, 0.15, 0.25, 0.4, 0.6, 1.0,
                                     1.6};

typedef struct gp {
    const kiln_space *s;
    size_t n, d;
    const double *x;   /* n x d */
    double *alpha;     /* K^-1 y */
    double *chol;      /* the Cholesky factor of K (lower, row-major) */
    double *length;    /* d: one length scale per dimension */
} gp;

/* Squared scaled distance between two points. */
static double dist2(const gp *g, const double *a, const double *b)
{
    double s = 0;
    for (size_t j = 0; j < g->d; j++) {
        double t;
        if (g->s->ranges[j].kind == KILN_RANGE_CATEGORICAL) {
            size_t m = g->s->ranges[j].nvalues;
            t = floor(a[j] * (double)m) == floor(b[j] * (double)m) ? 0.0 : 1.0;
        } else {
            t = a[j] - b[j];
        }
        s += t * t / (g->length[j] * g->length[j]);
    }
    return s;
}

static double matern52(double r2)
{
    double r = sqrt(5.0 * r2);
    return (1.0 + r + 5.0 * r2 / 3.0) * exp(-r);
}

/* Factor K for the current length; the log marginal likelihood of y, or
 * -inf when K is not positive definite. */
static double fit(gp *g, const double *y)
{
    size_t n = g->n;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k <= i; k++) {
            double v = matern52(dist2(g, g->x + i * g->d, g->x + k * g->d));
            g->chol[i * n + k] = v + (i == k ? NOISE : 0.0);
            g->chol[k * n + i] = g->chol[i * n + k];
        }
    if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, g->chol,
                       (lapack_int)n) != 0)
        return -INFINITY;
    memcpy(g->alpha, y, n * sizeof *y);
    if (LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, 1, g->chol,
                       (lapack_int)n, g->alpha, 1) != 0)
        return -INFINITY;
    double ll = 0;
    for (size_t i = 0; i < n; i++)
        ll -= 0.5 * y[i] * g->alpha[i] + log(g->chol[i * n + i]);
    return ll;
}

/* Posterior mean and standard deviation at p. */
static void predict(const gp *g, const double *p, double *kv, double *mean,
                    double *sd)
{
    size_t n = g->n;
    double mu = 0;
    for (size_t i = 0; i < n; i++) {
        kv[i] = matern52(dist2(g, p, g->x + i * g->d));
        mu += kv[i] * g->alpha[i];
    }
    /* v = L^-1 k by forward substitution */
    double var = 1.0 + NOISE;
    for (size_t i = 0; i < n; i++) {
        double t = kv[i];
        for (size_t k = 0; k < i; k++)
            t -= g->chol[i * n + k] * kv[k];
        kv[i] = t / g->chol[i * n + i];
        var -= kv[i] * kv[i];
    }
    *mean = mu;
    *sd = sqrt(var > 1e-12 ? var : 1e-12);
}

/* The standard normal's quantile (Acklam's rational approximation,
 * relative error below 1.2e-9). */
static double normal_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                               2.445134137142996e+00, 3.754408661907416e+00};
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q +
                c[5]) /
               ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - 0.02425)
        return -normal_quantile(1 - p);
    double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r +
            a[5]) *
           q /
           (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static double expected_improvement(double best, double mean, double sd)
{
    double z = (best - mean) / sd;
    double cdf = 0.5 * erfc(-z / sqrt(2.0));
    double pdf = exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
    return (best - mean) * cdf + sd * pdf;
}

/* p snapped to the centres of its integer and categorical cells. */
static void snap(const kiln_space *s, double *p)
{
    for (size_t j = 0; j < s->n; j++) {
        const kiln_param_range *r = &s->ranges[j];
        p[j] = p[j] < 0 ? 0 : p[j] > 1 ? 1 : p[j];
        if (r->kind != KILN_RANGE_CONTINUOUS)
            p[j] = kiln_range_coord(r, kiln_range_at(r, p[j]));
    }
}

static bool tried(const gp *g, const double *p)
{
    for (size_t i = 0; i < g->n; i++) {
        bool same = true;
        for (size_t j = 0; same && j < g->d; j++)
            same = fabs(g->x[i * g->d + j] - p[j]) < 1e-9;
        if (same)
            return true;
    }
    return false;
}

static double acquisition(const gp *g, double best, const double *p,
                          double *kv)
{
    if (tried(g, p))
        return -1.0;
    double mean, sd;
    predict(g, p, kv, &mean, &sd);
    return expected_improvement(best, mean, sd);
}

static void random_point(const kiln_space *s, uint64_t *rng, double *out)
{
    for (size_t j = 0; j < s->n; j++)
        out[j] = kiln_tune_uniform(rng);
    snap(s, out);
}

int kiln_bayes_propose(const kiln_space *s, const double *xs,
                       const double *ys, size_t n, bool maximize,
                       uint64_t *rng, double *out, kiln_error *err)
{
    size_t d = s->n, done = 0;
    for (size_t i = 0; i < n; i++)
        done += !isnan(ys[i]);
    /* d + 1 random points first (at least two): a surrogate fitted to
     * fewer, maybe close together, extrapolates a trend and searches
     * only around them. */
    if (done < 2 || done < d + 1 || d == 0) {
        random_point(s, rng, out);
        return KILN_OK;
    }
    gp g = {.s = s, .n = n, .d = d, .x = xs};
    double *y = malloc(n * sizeof *y);
    g.alpha = malloc(n * sizeof *g.alpha);
    g.chol = malloc(n * n * sizeof *g.chol);
    double *kv = malloc(n * sizeof *kv);
    double *cand = malloc((size_t)CANDIDATES * d * sizeof *cand);
    double *score = malloc((size_t)CANDIDATES * sizeof *score);
    double *trial = malloc(d * sizeof *trial);
    g.length = malloc(d * sizeof *g.length);
    if (!y || !g.alpha || !g.chol || !kv || !cand || !score || !trial ||
        !g.length) {
        free(y), free(g.alpha), free(g.chol), free(kv), free(cand);
        free(score), free(trial), free(g.length);
        return kiln_error_nomem(err);
    }
    /* Minimised, then by rank to normal scores (a Gaussian copula), so
     * that one very bad job does not flatten the differences among the
     * good ones; ties share their mean rank.  Pending jobs lie at the best
     * so far. */
    double ybest = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(ys[i]))
            continue;
        double v = maximize ? -ys[i] : ys[i];
        double below = 0, same = 0;
        for (size_t k = 0; k < n; k++) {
            if (isnan(ys[k]))
                continue;
            double w = maximize ? -ys[k] : ys[k];
            below += w < v;
            same += w == v;
        }
        y[i] = normal_quantile((below + 0.5 * same) / (double)done);
        ybest = y[i] < ybest ? y[i] : ybest;
    }
    for (size_t i = 0; i < n; i++)
        if (isnan(ys[i]))
            y[i] = ybest;
    /* one length scale for all dimensions first, then each dimension's
     * own (two passes of coordinate search), by the marginal likelihood */
    size_t ngrid = sizeof length_grid / sizeof *length_grid;
    double top = -INFINITY;
    double shared = length_grid[0];
    for (size_t k = 0; k < ngrid; k++) {
        for (size_t j = 0; j < d; j++)
            g.length[j] = length_grid[k];
        double ll = fit(&g, y);
        if (ll > top) {
            top = ll;
            shared = length_grid[k];
        }
    }
    for (size_t j = 0; j < d; j++)
        g.length[j] = shared;
    for (int pass = 0; pass < 2 && done >= 2 * d + 2; pass++)
        for (size_t j = 0; j < d; j++) {
            double keep = g.length[j];
            for (size_t k = 0; k < ngrid; k++) {
                g.length[j] = length_grid[k];
                double ll = fit(&g, y);
                if (ll > top + 1e-9) {
                    top = ll;
                    keep = length_grid[k];
                }
            }
            g.length[j] = keep;
        }
    if (!isfinite(fit(&g, y))) {
        random_point(s, rng, out);
    } else {
        /* random candidates, then a local search from the best few */
        for (size_t c = 0; c < CANDIDATES; c++) {
            random_point(s, rng, cand + c * d);
            score[c] = acquisition(&g, ybest, cand + c * d, kv);
        }
        double best_ei = -INFINITY;
        for (size_t start = 0; start < LOCAL_STARTS; start++) {
            size_t at = 0;
            for (size_t c = 1; c < CANDIDATES; c++)
                if (score[c] > score[at])
                    at = c;
            double *p = cand + at * d, ei = score[at];
            score[at] = -INFINITY; /* taken */
            double step = 0.1;
            for (size_t t = 0; t < LOCAL_STEPS; t++) {
                for (size_t j = 0; j < d; j++)
                    trial[j] = p[j] + step * (2 * kiln_tune_uniform(rng) - 1);
                snap(s, trial);
                double e = acquisition(&g, ybest, trial, kv);
                if (e > ei) {
                    memcpy(p, trial, d * sizeof *p);
                    ei = e;
                } else if (t % 10 == 9) {
                    step *= 0.5;
                }
            }
            if (ei > best_ei) {
                best_ei = ei;
                memcpy(out, p, d * sizeof *out);
            }
        }
        if (!(best_ei > -1.0))
            random_point(s, rng, out);
    }
    free(y), free(g.alpha), free(g.chol), free(kv), free(cand);
    free(score), free(trial), free(g.length);
    return KILN_OK;
}
