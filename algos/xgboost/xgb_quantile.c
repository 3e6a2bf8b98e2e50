/* kiln — XGBoost's histogram cuts and the quantised matrix (xgb.h).
 *
 * Cuts, per feature: the non-missing values with their row weights are
 * sorted (an LSD radix sort on the float's order-preserving bits); when
 * there are at most max_bin distinct values every value gets its own bin,
 * else the cuts are weighted quantiles: walking the distinct values with
 * their cumulative weight, a cut is placed at the next distinct value each
 * time the weight passes k/max_bin of the total.  Cuts are data values, as
 * xgboost's: bin b holds cut[b-1] <= v < cut[b], and the last cut is
 * max + (|max| + 1e-5), xgboost's bound past the largest value.
 *
 * xgboost builds its cuts with a weighted quantile sketch of accuracy
 * sketch_eps; kiln sorts exactly, which for training sets that fit in
 * memory costs about the same and gives the quantiles the sketch
 * approximates.  Cuts can therefore differ slightly from xgboost's where a
 * feature has more distinct values than bins.
 *
 * Missing values (NaN in dense rows, absent entries in sparse rows) are
 * counted in an extra slot after a feature's bins; such a feature has at
 * most 255 bins so that bin numbers fit a uint8 (xgb.h).
 */
#include "xgb.h"

#include "algos/par.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SLOTS = 256 };

/* ---- sorting values ----------------------------------------------------- */

static uint32_t float_key(float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

static float key_float(uint32_t k)
{
    uint32_t u = (k & 0x80000000u) ? k & 0x7fffffffu : ~k;
    float v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* Sort n (key, weight) pairs by key: three passes of 11, 11 and 10 bits,
 * leaving the sorted pairs in key2 and w2. */
static void radix_sort(uint32_t *key, float *w, uint32_t *key2, float *w2,
                       size_t n)
{
    static const int shift[3] = {0, 11, 22};
    for (int pass = 0; pass < 3; pass++) {
        size_t count[2049] = {0};
        int s = shift[pass];
        for (size_t i = 0; i < n; i++)
            count[((key[i] >> s) & 2047u) + 1]++;
        for (size_t b = 0; b < 2048; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++) {
            size_t at = count[(key[i] >> s) & 2047u]++;
            key2[at] = key[i];
            w2[at] = w[i];
        }
        uint32_t *tk = key;
        key = key2;
        key2 = tk;
        float *tw = w;
        w = w2;
        w2 = tw;
    }
    /* after three passes the sorted pairs are in the second buffers */
}

/* ---- cuts of one feature ------------------------------------------------ */

/* Cuts of sorted keys[0..n) with weights w into cut[] (at most maxb);
 * returns the number of bins. */
static size_t feature_cuts(const uint32_t *keys, const float *w, size_t n,
                           size_t maxb, float *cut)
{
    if (n == 0) {
        cut[0] = INFINITY;
        return 1;
    }
    size_t distinct = 1;
    double total = w[0];
    for (size_t i = 1; i < n; i++) {
        distinct += key_float(keys[i]) != key_float(keys[i - 1]);
        total += w[i];
    }
    float max = key_float(keys[n - 1]);
    size_t nb = 0;
    if (distinct <= maxb) {
        for (size_t i = 1; i < n; i++)
            if (key_float(keys[i]) != key_float(keys[i - 1]))
                cut[nb++] = key_float(keys[i]);
    } else {
        size_t k = 1;
        double cw = 0, target = total * (double)k / (double)maxb;
        for (size_t i = 0; i < n && nb + 1 < maxb; i++) {
            cw += w[i];
            bool last_of_value =
                i + 1 == n || key_float(keys[i + 1]) != key_float(keys[i]);
            if (!last_of_value || i + 1 == n || cw < target)
                continue;
            cut[nb++] = key_float(keys[i + 1]);
            while (k < maxb && target <= cw)
                target = total * (double)++k / (double)maxb;
        }
    }
    cut[nb++] = max + (fabsf(max) + 1e-5f);
    return nb;
}

/* ---- the matrix ----------------------------------------------------------- */

typedef struct cut_job {
    const kiln_dataset *x;
    const size_t *colptr;    /* sparse: CSC of x */
    const uint32_t *colrow;
    const float *colval;
    int max_bin;
    size_t nthreads;
    uint32_t **keys;         /* per worker: 2n keys, 2n weights */
    float **weights;
    float *cuts;             /* nfeat x MAX_SLOTS */
    uint16_t *nbins;
    uint8_t *missing;
} cut_job;

static void cut_feature(void *arg, size_t f, unsigned worker)
{
    cut_job *j = arg;
    size_t rows = kiln_dataset_rows(j->x), cols = kiln_dataset_cols(j->x);
    const float *rw = kiln_dataset_weights(j->x);
    uint32_t *key = j->keys[worker];
    float *w = j->weights[worker];
    size_t n = 0;
    if (kiln_dataset_is_sparse(j->x)) {
        for (size_t e = j->colptr[f]; e < j->colptr[f + 1]; e++) {
            float v = j->colval[e];
            if (isnan(v))
                continue;
            key[n] = float_key(v);
            w[n++] = rw ? rw[j->colrow[e]] : 1.0f;
        }
    } else {
        const float *x = kiln_dataset_dense(j->x);
        for (size_t r = 0; r < rows; r++) {
            float v = x[r * cols + f];
            if (isnan(v))
                continue;
            key[n] = float_key(v);
            w[n++] = rw ? rw[r] : 1.0f;
        }
    }
    bool missing = n < rows;
    size_t maxb = (size_t)j->max_bin;
    if (maxb > (missing ? MAX_SLOTS - 1 : MAX_SLOTS))
        maxb = missing ? MAX_SLOTS - 1 : MAX_SLOTS;
    radix_sort(key, w, key + rows, w + rows, n);
    j->nbins[f] = (uint16_t)feature_cuts(key + rows, w + rows, n, maxb,
                                         j->cuts + f * MAX_SLOTS);
    j->missing[f] = missing;
}

/* A CSC copy of a sparse x, for reading a feature's values. */
static int to_columns(const kiln_dataset *x, size_t **colptr,
                      uint32_t **colrow, float **colval)
{
    size_t rows = kiln_dataset_rows(x), cols = kiln_dataset_cols(x);
    size_t nnz = kiln_dataset_nnz(x);
    const size_t *ip = kiln_dataset_indptr(x);
    const uint32_t *ix = kiln_dataset_indices(x);
    const float *v = kiln_dataset_values(x);
    *colptr = calloc(cols + 1, sizeof **colptr);
    *colrow = malloc((nnz ? nnz : 1) * sizeof **colrow);
    *colval = malloc((nnz ? nnz : 1) * sizeof **colval);
    if (*colptr == NULL || *colrow == NULL || *colval == NULL)
        return KILN_NOMEM;
    for (size_t e = 0; e < nnz; e++)
        (*colptr)[ix[e] + 1]++;
    for (size_t c = 0; c < cols; c++)
        (*colptr)[c + 1] += (*colptr)[c];
    size_t *next = malloc((cols ? cols : 1) * sizeof *next);
    if (next == NULL)
        return KILN_NOMEM;
    memcpy(next, *colptr, cols * sizeof *next);
    for (size_t r = 0; r < rows; r++)
        for (size_t e = ip[r]; e < ip[r + 1]; e++) {
            size_t at = next[ix[e]]++;
            (*colrow)[at] = (uint32_t)r;
            (*colval)[at] = v[e];
        }
    free(next);
    return KILN_OK;
}

/* Bin of v among a feature's cuts: the first cut > v (the last cut is past
 * every value).  Branchless: the loads do not wait on comparisons. */
static uint8_t bin_of(const float *cut, size_t nb, float v)
{
    if (v < cut[0]) /* the commonest case of sparse data: zeros */
        return 0;
    const float *base = cut;
    size_t n = nb;
    while (n > 1) {
        size_t half = n / 2;
        base = base[half - 1] <= v ? base + half : base;
        n -= half;
    }
    return (uint8_t)((size_t)(base - cut) + (*base <= v));
}

typedef struct bin_job {
    const kiln_dataset *x;
    kiln__xgb_qmatrix *q;
} bin_job;

static void bin_rows(void *arg, size_t lo, size_t hi)
{
    bin_job *j = arg;
    const kiln__xgb_cuts *c = &j->q->cuts;
    size_t cols = j->q->nfeat;
    for (size_t r = lo; r < hi; r++) {
        uint8_t *out = j->q->bins + r * cols;
        if (kiln_dataset_is_sparse(j->x)) {
            const size_t *ip = kiln_dataset_indptr(j->x);
            const uint32_t *ix = kiln_dataset_indices(j->x);
            const float *v = kiln_dataset_values(j->x);
            for (size_t f = 0; f < cols; f++)
                out[f] = (uint8_t)c->nbins[f]; /* missing */
            for (size_t e = ip[r]; e < ip[r + 1]; e++)
                if (!isnan(v[e]))
                    out[ix[e]] = bin_of(c->values + c->ptr[ix[e]],
                                        c->nbins[ix[e]], v[e]);
            continue;
        }
        const float *x = kiln_dataset_dense(j->x) + r * cols;
        for (size_t f = 0; f < cols; f++)
            out[f] = isnan(x[f]) ? (uint8_t)c->nbins[f]
                                 : bin_of(c->values + c->ptr[f], c->nbins[f],
                                          x[f]);
    }
}

/* ---- the histogram layout -------------------------------------------- */

/* Where every feature's slots start.  A histogram slot is 16 bytes, so
 * slots 256 apart are 4096 bytes apart, and a load from one waits for a
 * pending store to the other (the core takes them for the same address by
 * their low 12 bits: 4K aliasing).  Rows add to the same bin of
 * neighbouring features all the time (a zero in every feature is bin 0),
 * and with 256 slots a feature every one of those additions would wait:
 * building took ten times as long (bench/xgboost).  So a feature starts
 * where its slot number mod 256 differs from that of the ALIAS_SPAN
 * features before it, after a few unused slots where needed. */
enum { ALIAS_SPAN = 16, ALIAS_SLOTS = 256 };

static void lay_out_slots(kiln__xgb_cuts *c, size_t cols)
{
    c->ptr[0] = 0;
    for (size_t f = 0; f < cols; f++) {
        uint32_t at = c->ptr[f] + c->nbins[f] + c->missing[f];
        for (bool clash = f + 1 < cols; clash;) {
            clash = false;
            for (size_t k = 0; k < ALIAS_SPAN && k <= f && !clash; k++)
                clash = (at - c->ptr[f - k]) % ALIAS_SLOTS == 0;
            at += clash;
        }
        c->ptr[f + 1] = at;
    }
}

/* ---- blocks ----------------------------------------------------------- */

/* Feature blocks whose slots fit in about BLOCK_SLOTS (xgb_hist.c), as
 * many as a multiple of the thread count (blocks are the parallel tasks:
 * 13 blocks on 2 threads leave one idle for the last) and of about equal
 * slots: block k ends at the first feature past k/nb of the slots. */
static int make_blocks(kiln__xgb_qmatrix *q, unsigned threads)
{
    size_t nf = q->nfeat, slots = q->cuts.ptr[nf];
    size_t want = (slots + KILN__XGB_BLOCK_SLOTS - 1) / KILN__XGB_BLOCK_SLOTS;
    if (want > 1 && threads > 1)
        want = (want + threads - 1) / threads * threads;
    if (want > nf)
        want = nf > 0 ? nf : 1;
    q->block = malloc((want + 1) * sizeof *q->block);
    if (q->block == NULL)
        return KILN_NOMEM;
    size_t nb = 0;
    q->block[0] = 0;
    for (size_t f = 1; f < nf && nb + 1 < want; f++)
        if (q->cuts.ptr[f] >= slots * (nb + 1) / want)
            q->block[++nb] = (uint32_t)f;
    q->block[++nb] = (uint32_t)nf;
    q->nblocks = nb;
    return KILN_OK;
}

void kiln__xgb_qmatrix_fini(kiln__xgb_qmatrix *q)
{
    free(q->bins);
    free(q->cuts.ptr);
    free(q->cuts.nbins);
    free(q->cuts.missing);
    free(q->cuts.values);
    free(q->block);
    memset(q, 0, sizeof *q);
}

int kiln__xgb_quantise(const kiln_dataset *x, int max_bin, unsigned threads,
                       kiln__xgb_qmatrix *q, kiln_error *err)
{
    memset(q, 0, sizeof *q);
    size_t rows = kiln_dataset_rows(x), cols = kiln_dataset_cols(x);
    if (threads < 1)
        threads = 1;
    cut_job j = {.x = x, .max_bin = max_bin < 1 ? 1 : max_bin,
                 .nthreads = threads};
    j.keys = calloc(threads, sizeof *j.keys);
    j.weights = calloc(threads, sizeof *j.weights);
    j.cuts = malloc((cols ? cols : 1) * MAX_SLOTS * sizeof *j.cuts);
    q->cuts.nbins = calloc(cols ? cols : 1, sizeof *q->cuts.nbins);
    q->cuts.missing = calloc(cols ? cols : 1, sizeof *q->cuts.missing);
    q->cuts.ptr = calloc(cols + 1, sizeof *q->cuts.ptr);
    q->bins = malloc((rows * cols > 0 ? rows * cols : 1) * sizeof *q->bins);
    int rc = j.keys && j.weights && j.cuts && q->cuts.nbins &&
                     q->cuts.missing && q->cuts.ptr && q->bins
                 ? KILN_OK
                 : KILN_NOMEM;
    for (unsigned t = 0; t < threads && rc == KILN_OK; t++) {
        j.keys[t] = malloc((2 * rows + 1) * sizeof *j.keys[t]);
        j.weights[t] = malloc((2 * rows + 1) * sizeof *j.weights[t]);
        if (j.keys[t] == NULL || j.weights[t] == NULL)
            rc = KILN_NOMEM;
    }
    size_t *colptr = NULL;
    uint32_t *colrow = NULL;
    float *colval = NULL;
    if (rc == KILN_OK && kiln_dataset_is_sparse(x))
        rc = to_columns(x, &colptr, &colrow, &colval);
    if (rc == KILN_OK) {
        j.colptr = colptr, j.colrow = colrow, j.colval = colval;
        j.nbins = q->cuts.nbins;
        j.missing = q->cuts.missing;
        kiln_par_tasks(threads, cols, cut_feature, &j);
        lay_out_slots(&q->cuts, cols);
        q->cuts.values = calloc(q->cuts.ptr[cols] + 1,
                                sizeof *q->cuts.values);
        if (q->cuts.values == NULL)
            rc = KILN_NOMEM;
    }
    if (rc == KILN_OK) {
        for (size_t f = 0; f < cols; f++) {
            float *to = q->cuts.values + q->cuts.ptr[f];
            memcpy(to, j.cuts + f * MAX_SLOTS, q->cuts.nbins[f] * sizeof *to);
            if (q->cuts.missing[f])
                to[q->cuts.nbins[f]] = INFINITY;
        }
        q->rows = rows;
        q->nfeat = cols;
        q->cuts.nfeat = cols;
        bin_job b = {.x = x, .q = q};
        kiln_par_range(threads, rows, 256, bin_rows, &b);
        rc = make_blocks(q, threads);
    }
    for (unsigned t = 0; t < threads && j.keys && j.weights; t++) {
        free(j.keys[t]);
        free(j.weights[t]);
    }
    free(j.keys);
    free(j.weights);
    free(j.cuts);
    free(colptr);
    free(colrow);
    free(colval);
    if (rc != KILN_OK) {
        kiln__xgb_qmatrix_fini(q);
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot hold the quantised training matrix "
                              "(%zu rows x %zu features)", rows, cols);
    }
    return KILN_OK;
}
