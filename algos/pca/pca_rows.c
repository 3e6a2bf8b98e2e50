/* kiln — PCA's rows and the helpers both modes share (pca.h): row checks,
 * blocks of rows, block sizes, the order and signs of components, the
 * fixed-seed generator, progress and number formatting. */
#include "pca.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- checks ------------------------------------------------------------- */

/* ---- blocks ------------------------------------------------------------- */

void kiln__pca_block(const kiln_dataset *ds, size_t r0, size_t r1, size_t d,
                     const float *center, float *out)
{
    size_t n = r1 - r0;
    if (!kiln_dataset_is_sparse(ds)) {
        const float *x = kiln_dataset_dense(ds) + r0 * d;
        if (center == NULL) {
            memcpy(out, x, n * d * sizeof *out);
            return;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                out[i * d + j] = x[i * d + j] - center[j];
        return;
    }
    const size_t *indptr = kiln_dataset_indptr(ds);
    const uint32_t *idx = kiln_dataset_indices(ds);
    const float *val = kiln_dataset_values(ds);
    for (size_t i = 0; i < n; i++) {
        float *row = out + i * d;
        memset(row, 0, d * sizeof *row);
        for (size_t e = indptr[r0 + i]; e < indptr[r0 + i + 1]; e++)
            row[idx[e]] += val[e];
        if (center != NULL)
            for (size_t j = 0; j < d; j++)
                row[j] -= center[j];
    }
}

size_t kiln__pca_block_rows(size_t mini_batch_size, double per_row)
{
    double cap = per_row > 0 ? 1073741824.0 / per_row : 4096;
    size_t hi = cap >= 4096 ? 4096 : cap <= 64 ? 64 : (size_t)cap;
    size_t b = mini_batch_size;
    return b < 64 ? 64 : b > hi ? hi : b;
}

/* ---- order and signs ---------------------------------------------------- */

void kiln__pca_arrange(double *values, double *vectors, size_t d, size_t k)
{
    /* insertion sort of columns by value: k is small next to d x k */
    for (size_t c = 1; c < k; c++)
        for (size_t j = c; j > 0 && values[j - 1] > values[j]; j--) {
            double t = values[j - 1];
            values[j - 1] = values[j];
            values[j] = t;
            for (size_t r = 0; r < d; r++) {
                double *row = vectors + r * k;
                t = row[j - 1];
                row[j - 1] = row[j];
                row[j] = t;
            }
        }
    for (size_t c = 0; c < k; c++) {
        size_t arg = 0;
        double best = -1;
        for (size_t r = 0; r < d; r++) {
            double a = fabs(vectors[r * k + c]);
            if (a > best) {
                best = a;
                arg = r;
            }
        }
        if (vectors[arg * k + c] < 0)
            for (size_t r = 0; r < d; r++)
                vectors[r * k + c] = -vectors[r * k + c];
    }
}

/* ---- random numbers ----------------------------------------------------- */

uint64_t kiln__pca_rng_next(kiln__pca_rng *r)
{
    /* splitmix64 (Steele, Lea & Flood 2014) */
    uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

double kiln__pca_rng_gauss(kiln__pca_rng *r)
{
    /* Box-Muller; u in (0, 1] keeps the log finite */
    double u = ((double)(kiln__pca_rng_next(r) >> 11) + 1.0) * 0x1p-53;
    double w = (double)(kiln__pca_rng_next(r) >> 11) * 0x1p-53;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * w);
}

/* ---- the rest ----------------------------------------------------------- */

void kiln__pca_fit_fini(kiln__pca_fit *f)
{
    free(f->mean);
    free(f->s);
    free(f->v);
    memset(f, 0, sizeof *f);
}

void kiln__pca_progress(const kiln_train_ctx *ctx, double from, double to,
                        double part, const char *status)
{
    if (ctx != NULL)
        kiln_train_progress(ctx, from + (to - from) * part, status);
}

void kiln__pca_fmt(double v, char *buf, size_t size)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}
