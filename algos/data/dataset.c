/* kiln — datasets: dense or CSR float32 matrices with labels and weights.
 *
 * The dense feature array is the one that gets big (220 MB for
 * Fashion-MNIST).  From 64 MiB on it lives in its own mapping
 * (kiln__big_alloc): aligned to 2 MiB, advised to use transparent huge
 * pages and populated at once, and it grows with mremap (no copy).  Page
 * faults are what a whole load spends its time on otherwise: 4 KiB
 * faults cost microseconds each in a virtual machine, and faults from
 * several threads serialise on the process's memory-map lock.
 */
/* MAP_ANONYMOUS, MADV_HUGEPAGE, mremap (Linux). */
#define _GNU_SOURCE
#include "dataset.h"
#include "parse.h"

#include <math.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kiln_dataset {
    unsigned flags;
    bool window;     /* rows of another dataset's storage: never grows,
                        frees nothing */
    size_t mapped;   /* bytes of `dense` when it is a mapping, else 0 */
    size_t rows;
    size_t cols;
    size_t cap_rows; /* rows the per-row arrays have room for */
    float *labels;   /* cap_rows, when KILN_DATASET_LABELS */
    float *weights;  /* cap_rows, when KILN_DATASET_WEIGHTS */
    /* dense */
    float *dense; /* cap_rows * cols */
    /* sparse */
    size_t *indptr; /* cap_rows + 1 */
    uint32_t *indices;
    float *values;
    size_t nnz;
    size_t cap_nnz;
};

kiln_dataset *kiln_dataset_new(unsigned flags, size_t cols)
{
    kiln_dataset *ds = calloc(1, sizeof *ds);
    if (ds == NULL)
        return NULL;
    ds->flags = flags;
    ds->cols = cols;
    if (flags & KILN_DATASET_SPARSE) {
        ds->indptr = calloc(1, sizeof *ds->indptr);
        if (ds->indptr == NULL) {
            free(ds);
            return NULL;
        }
    }
    return ds;
}

void kiln_dataset_free(kiln_dataset *ds)
{
    if (ds == NULL)
        return;
    if (ds->window) {
        free(ds);
        return;
    }
    if (ds->mapped)
        munmap(ds->dense, ds->mapped);
    else
        free(ds->dense);
    free(ds->labels);
    free(ds->weights);
    free(ds->indptr);
    free(ds->indices);
    free(ds->values);
    free(ds);
}

void kiln_dataset_clear(kiln_dataset *ds)
{
    ds->rows = 0;
    ds->nnz = 0;
}

size_t kiln_dataset_rows(const kiln_dataset *ds) { return ds->rows; }
size_t kiln_dataset_cols(const kiln_dataset *ds) { return ds->cols; }
unsigned kiln_dataset_flags(const kiln_dataset *ds) { return ds->flags; }

bool kiln_dataset_is_sparse(const kiln_dataset *ds)
{
    return (ds->flags & KILN_DATASET_SPARSE) != 0;
}

bool kiln_dataset_has_labels(const kiln_dataset *ds)
{
    return (ds->flags & KILN_DATASET_LABELS) != 0;
}

bool kiln_dataset_has_weights(const kiln_dataset *ds)
{
    return (ds->flags & KILN_DATASET_WEIGHTS) != 0;
}

const float *kiln_dataset_dense(const kiln_dataset *ds)
{
    return kiln_dataset_is_sparse(ds) ? NULL : ds->dense;
}

const size_t *kiln_dataset_indptr(const kiln_dataset *ds) { return ds->indptr; }
const uint32_t *kiln_dataset_indices(const kiln_dataset *ds) { return ds->indices; }
const float *kiln_dataset_values(const kiln_dataset *ds) { return ds->values; }
size_t kiln_dataset_nnz(const kiln_dataset *ds) { return ds->nnz; }

const float *kiln_dataset_labels(const kiln_dataset *ds)
{
    return kiln_dataset_has_labels(ds) ? ds->labels : NULL;
}

const float *kiln_dataset_weights(const kiln_dataset *ds)
{
    return kiln_dataset_has_weights(ds) ? ds->weights : NULL;
}

/* ---- growth ---------------------------------------------------------- */

/* "3.2 GB", "640 KB": the size in a too-big message. */
static void human_size(double bytes, char out[32])
{
    static const char *const units[] = {"bytes", "KB", "MB", "GB", "TB"};
    size_t u = 0;
    while (bytes >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1000.0;
        u++;
    }
    snprintf(out, 32, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

static int too_big(kiln_error *err, double bytes, const char *what)
{
    char size[32];
    human_size(bytes, size);
    return kiln_error_set(err, KILN_NOMEM, "cannot allocate %s for %s", size,
                          what);
}

/* Resize *p to n elements of `size` bytes, or fail with a message naming
 * the size and what it is for. */
static int grow(void *pp, size_t n, size_t size, const char *what,
                kiln_error *err)
{
    void **p = pp;
    if (n > SIZE_MAX / size)
        return too_big(err, (double)n * (double)size, what);
    void *q = realloc(*p, n * size);
    if (q == NULL)
        return too_big(err, (double)n * (double)size, what);
    *p = q;
    return KILN_OK;
}

enum { MAP_FROM = 64 << 20 }; /* dense arrays this big are mappings */

#define HUGE_PAGE ((size_t)2 << 20)

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

/* Advise huge pages and fault the range in now, where Linux can. */
static void prepare(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE);
#endif
#ifdef MADV_POPULATE_WRITE
    madvise(p, len, MADV_POPULATE_WRITE); /* a hint: faults still work */
#endif
}

void *kiln__big_alloc(size_t bytes, size_t *mapped)
{
    size_t len = round_up(bytes ? bytes : 1, HUGE_PAGE);
    if (len < bytes)
        return NULL;
    char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Keep the 2 MiB-aligned part (huge pages need the alignment). */
    char *q = (char *)round_up((size_t)p, HUGE_PAGE);
    if (q > p)
        munmap(p, (size_t)(q - p));
    if (q + len < p + len + HUGE_PAGE)
        munmap(q + len, (size_t)(p + len + HUGE_PAGE - (q + len)));
    prepare(q, len);
    *mapped = len;
    return q;
}

void kiln__big_free(void *p, size_t mapped)
{
    if (p != NULL)
        munmap(p, mapped);
}

/* Resize the dense array to n floats. */
static int grow_dense(kiln_dataset *ds, size_t n, kiln_error *err)
{
    if (n > SIZE_MAX / sizeof(float))
        return too_big(err, (double)n * 4.0, "features");
    size_t bytes = n * sizeof(float);
    if (ds->mapped) {
        if (bytes <= ds->mapped)
            return KILN_OK;
        size_t len = round_up(bytes, HUGE_PAGE);
        void *p = mremap(ds->dense, ds->mapped, len, MREMAP_MAYMOVE);
        if (p == MAP_FAILED)
            return too_big(err, (double)bytes, "features");
        prepare((char *)p + ds->mapped, len - ds->mapped);
        ds->dense = p;
        ds->mapped = len;
        return KILN_OK;
    }
    if (bytes >= MAP_FROM) {
        size_t len;
        float *p = kiln__big_alloc(bytes, &len);
        if (p == NULL)
            return too_big(err, (double)bytes, "features");
        if (ds->dense != NULL)
            memcpy(p, ds->dense, ds->rows * ds->cols * sizeof(float));
        free(ds->dense);
        ds->dense = p;
        ds->mapped = len;
        return KILN_OK;
    }
    return grow(&ds->dense, n, sizeof(float), "features", err);
}

/* Room for at least `need` rows in every per-row array; `exact` sizes
 * them to need (a reader's hint), else capacity doubles. */
static int reserve_rows_as(kiln_dataset *ds, size_t need, bool exact,
                           kiln_error *err)
{
    if (need <= ds->cap_rows)
        return KILN_OK;
    if (ds->window)
        return kiln_error_set(err, KILN_INTERNAL,
                              "a dataset window of %zu rows is full",
                              ds->cap_rows);
    size_t cap = ds->cap_rows < 64 ? 64 : ds->cap_rows;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (exact)
        cap = need;
    if ((ds->flags & KILN_DATASET_LABELS) &&
        grow(&ds->labels, cap, sizeof(float), "labels", err) != KILN_OK)
        return err->code;
    if ((ds->flags & KILN_DATASET_WEIGHTS) &&
        grow(&ds->weights, cap, sizeof(float), "weights", err) != KILN_OK)
        return err->code;
    if (ds->flags & KILN_DATASET_SPARSE) {
        if (grow(&ds->indptr, cap + 1, sizeof(size_t), "row offsets", err) !=
            KILN_OK)
            return err->code;
    } else if (ds->cols > 0) {
        if (cap > SIZE_MAX / ds->cols)
            return too_big(err, (double)cap * (double)ds->cols * 4.0,
                           "features");
        if (grow_dense(ds, cap * ds->cols, err) != KILN_OK)
            return err->code;
    }
    ds->cap_rows = cap;
    return KILN_OK;
}

static int reserve_rows(kiln_dataset *ds, size_t need, kiln_error *err)
{
    return reserve_rows_as(ds, need, false, err);
}

static int reserve_nnz(kiln_dataset *ds, size_t need, kiln_error *err)
{
    if (need <= ds->cap_nnz)
        return KILN_OK;
    size_t cap = ds->cap_nnz < 256 ? 256 : ds->cap_nnz;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (grow(&ds->indices, cap, sizeof(uint32_t), "sparse indices", err) !=
            KILN_OK ||
        grow(&ds->values, cap, sizeof(float), "sparse values", err) != KILN_OK)
        return err->code;
    ds->cap_nnz = cap;
    return KILN_OK;
}

int kiln_dataset_reserve(kiln_dataset *ds, size_t rows, size_t nnz,
                         kiln_error *err)
{
    if (rows > SIZE_MAX - ds->rows ||
        reserve_rows_as(ds, ds->rows + rows, true, err) != KILN_OK)
        return err->code ? err->code
                         : too_big(err, (double)rows * 4.0, "rows");
    if ((ds->flags & KILN_DATASET_SPARSE) && nnz > 0) {
        if (nnz > SIZE_MAX - ds->nnz)
            return too_big(err, (double)nnz * 8.0, "sparse values");
        return reserve_nnz(ds, ds->nnz + nnz, err);
    }
    return KILN_OK;
}

static void set_row_extras(kiln_dataset *ds, float label, float weight)
{
    if (ds->flags & KILN_DATASET_LABELS)
        ds->labels[ds->rows] = label;
    if (ds->flags & KILN_DATASET_WEIGHTS)
        ds->weights[ds->rows] = weight;
}

float *kiln_dataset_push_dense(kiln_dataset *ds, float label, float weight,
                               kiln_error *err)
{
    if (ds->rows == ds->cap_rows && reserve_rows(ds, ds->rows + 1, err) != KILN_OK)
        return NULL;
    set_row_extras(ds, label, weight);
    /* A dense dataset of 0 columns has no feature storage: any non-NULL
     * pointer will do, as nothing is written through it. */
    float *row = ds->cols > 0 ? ds->dense + ds->rows * ds->cols
                              : (float *)&ds->cols;
    ds->rows++;
    return row;
}

int kiln_dataset_push_sparse(kiln_dataset *ds, const uint32_t *indices,
                             const float *values, size_t nnz, float label,
                             float weight, kiln_error *err)
{
    if (ds->rows == ds->cap_rows &&
        reserve_rows(ds, ds->rows + 1, err) != KILN_OK)
        return err->code;
    if (nnz > SIZE_MAX - ds->nnz ||
        reserve_nnz(ds, ds->nnz + nnz, err) != KILN_OK)
        return err->code ? err->code
                         : too_big(err, (double)nnz * 8.0, "sparse values");
    if (nnz > 0) {
        memcpy(ds->indices + ds->nnz, indices, nnz * sizeof *indices);
        memcpy(ds->values + ds->nnz, values, nnz * sizeof *values);
    }
    for (size_t k = 0; k < nnz; k++)
        if ((size_t)indices[k] + 1 > ds->cols)
            ds->cols = (size_t)indices[k] + 1;
    set_row_extras(ds, label, weight);
    ds->nnz += nnz;
    ds->rows++;
    ds->indptr[ds->rows] = ds->nnz;
    return KILN_OK;
}

void kiln_dataset_set_cols(kiln_dataset *ds, size_t cols)
{
    if ((ds->flags & KILN_DATASET_SPARSE) && cols > ds->cols)
        ds->cols = cols;
}

int kiln_dataset_append(kiln_dataset *dst, const kiln_dataset *src,
                        kiln_error *err)
{
    if (dst->flags != src->flags)
        return kiln_error_set(err, KILN_DATA,
                              "cannot join a %s dataset%s to a %s one%s",
                              kiln_dataset_is_sparse(src) ? "sparse" : "dense",
                              kiln_dataset_has_labels(src) ? " with labels" : "",
                              kiln_dataset_is_sparse(dst) ? "sparse" : "dense",
                              kiln_dataset_has_labels(dst) ? " with labels" : "");
    bool sparse = kiln_dataset_is_sparse(dst);
    if (!sparse && src->rows > 0 && dst->cols != src->cols) {
        if (dst->rows > 0)
            return kiln_error_set(err, KILN_DATA,
                                  "%zu features, expected %zu", src->cols,
                                  dst->cols);
        /* An empty dense dataset takes the width of the first rows. */
        if (dst->mapped)
            munmap(dst->dense, dst->mapped);
        else
            free(dst->dense);
        dst->dense = NULL;
        dst->mapped = 0;
        dst->cap_rows = 0;
        dst->cols = src->cols;
    }
    if (kiln_dataset_reserve(dst, src->rows, sparse ? src->nnz : 0, err) !=
        KILN_OK)
        return err->code;
    size_t r0 = dst->rows;
    if (dst->flags & KILN_DATASET_LABELS)
        memcpy(dst->labels + r0, src->labels, src->rows * sizeof(float));
    if (dst->flags & KILN_DATASET_WEIGHTS)
        memcpy(dst->weights + r0, src->weights, src->rows * sizeof(float));
    if (sparse) {
        size_t base = dst->nnz;
        if (src->nnz > 0) {
            memcpy(dst->indices + base, src->indices,
                   src->nnz * sizeof(uint32_t));
            memcpy(dst->values + base, src->values, src->nnz * sizeof(float));
        }
        for (size_t i = 1; i <= src->rows; i++)
            dst->indptr[r0 + i] = base + src->indptr[i];
        dst->nnz += src->nnz;
        if (src->cols > dst->cols)
            dst->cols = src->cols;
    } else if (src->rows > 0 && dst->cols > 0) {
        memcpy(dst->dense + r0 * dst->cols, src->dense,
               src->rows * src->cols * sizeof(float));
    }
    dst->rows += src->rows;
    return KILN_OK;
}

int kiln_dataset_to_dense(const kiln_dataset *src, float fill,
                          kiln_dataset **out, kiln_error *err)
{
    unsigned flags = src->flags & ~(unsigned)KILN_DATASET_SPARSE;
    kiln_dataset *ds = kiln_dataset_new(flags, src->cols);
    if (ds == NULL)
        return kiln_error_nomem(err);
    if (kiln_dataset_reserve(ds, src->rows, 0, err) != KILN_OK) {
        kiln_dataset_free(ds);
        return err->code;
    }
    for (size_t i = 0; i < src->rows; i++) {
        float label = src->labels ? src->labels[i] : 0.0f;
        float weight = src->weights ? src->weights[i] : 1.0f;
        float *row = kiln_dataset_push_dense(ds, label, weight, err);
        if (!kiln_dataset_is_sparse(src)) {
            memcpy(row, src->dense + i * src->cols, src->cols * sizeof(float));
            continue;
        }
        for (size_t j = 0; j < src->cols; j++)
            row[j] = fill;
        for (size_t k = src->indptr[i]; k < src->indptr[i + 1]; k++)
            row[src->indices[k]] = src->values[k];
    }
    *out = ds;
    return KILN_OK;
}

float kiln_dataset_get(const kiln_dataset *ds, size_t i, size_t j, float fill)
{
    if (i >= ds->rows || j >= ds->cols)
        return fill;
    if (!kiln_dataset_is_sparse(ds))
        return ds->dense[i * ds->cols + j];
    /* The last stored entry for j wins, as a dense expansion would. */
    float v = fill;
    for (size_t k = ds->indptr[i]; k < ds->indptr[i + 1]; k++)
        if (ds->indices[k] == j)
            v = ds->values[k];
    return v;
}

/* ---- windows (parse.h) ------------------------------------------------- */

kiln_dataset *kiln__dataset_window(kiln_dataset *ds, size_t row0, size_t rows)
{
    if (kiln_dataset_is_sparse(ds) || row0 + rows > ds->cap_rows)
        return NULL;
    kiln_dataset *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->flags = ds->flags;
    w->window = true;
    w->cols = ds->cols;
    w->cap_rows = rows;
    w->labels = ds->labels ? ds->labels + row0 : NULL;
    w->weights = ds->weights ? ds->weights + row0 : NULL;
    w->dense = ds->dense ? ds->dense + row0 * ds->cols : NULL;
    return w;
}

float *kiln__dataset_next_dense(kiln_dataset *ds)
{
    if (kiln_dataset_is_sparse(ds) || ds->cols == 0 || ds->dense == NULL ||
        ds->rows >= ds->cap_rows)
        return NULL;
    return ds->dense + ds->rows * ds->cols;
}

void kiln__dataset_move_rows(kiln_dataset *ds, size_t to, size_t from,
                             size_t rows)
{
    if (to == from || rows == 0)
        return;
    if (ds->labels)
        memmove(ds->labels + to, ds->labels + from, rows * sizeof(float));
    if (ds->weights)
        memmove(ds->weights + to, ds->weights + from, rows * sizeof(float));
    if (ds->dense && ds->cols)
        memmove(ds->dense + to * ds->cols, ds->dense + from * ds->cols,
                rows * ds->cols * sizeof(float));
}

void kiln__dataset_set_rows(kiln_dataset *ds, size_t rows)
{
    if (rows <= ds->cap_rows)
        ds->rows = rows;
}
