/* kiln tests — helpers shared by the algorithm tests (tests/algos/<name>/):
 * datasets built from arrays, hyperparameters from "name=value" words.
 * Include after <cmocka.h>.  static inline: a test file uses what it
 * needs. */
#ifndef KILN_TESTS_ALGOS_ALGO_TEST_H
#define KILN_TESTS_ALGOS_ALGO_TEST_H

#include "algos/algo.h"
#include "algos/data/dataset.h"
#include "algos/hparams.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse "name=value name=value ..." (at most 32) against a's schema. */
static inline int parse_pairs(const kiln_algo *a, kiln_hparams **hp,
                              kiln_error *err, const char *pairs)
{
    char buf[1024];
    const char *names[32], *values[32];
    size_t n = 0;
    snprintf(buf, sizeof buf, "%s", pairs);
    for (char *tok = strtok(buf, " "); tok != NULL && n < 32;
         tok = strtok(NULL, " ")) {
        char *eq = strchr(tok, '=');
        assert_non_null(eq);
        *eq = '\0';
        names[n] = tok;
        values[n++] = eq + 1;
    }
    kiln_error_init(err);
    *hp = NULL;
    return kiln_hparams_parse(a, names, values, n, hp, err);
}

/* n dense rows of d features, no labels. */
static inline kiln_dataset *dense_ds(const float *x, size_t n, size_t d)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(0, d);
    assert_non_null(ds);
    for (size_t i = 0; i < n; i++) {
        float *r = kiln_dataset_push_dense(ds, 0, 1, &err);
        assert_non_null(r);
        memcpy(r, x + i * d, d * sizeof *r);
    }
    return ds;
}

/* The same rows as CSR, zeros left out; each row's entries in column
 * order, or in reverse (readers keep the order they are given). */
static inline kiln_dataset *sparse_ds_ordered(const float *x, size_t n,
                                              size_t d, bool reverse)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_dataset *ds = kiln_dataset_new(KILN_DATASET_SPARSE, d);
    assert_non_null(ds);
    uint32_t *idx = malloc((d ? d : 1) * sizeof *idx);
    float *val = malloc((d ? d : 1) * sizeof *val);
    assert_true(idx != NULL && val != NULL);
    for (size_t i = 0; i < n; i++) {
        size_t nnz = 0;
        for (size_t k = 0; k < d; k++) {
            size_t j = reverse ? d - 1 - k : k;
            if (x[i * d + j] != 0) {
                idx[nnz] = (uint32_t)j;
                val[nnz++] = x[i * d + j];
            }
        }
        assert_int_equal(kiln_dataset_push_sparse(ds, idx, val, nnz, 0, 1,
                                                  &err),
                         KILN_OK);
    }
    kiln_dataset_set_cols(ds, d);
    free(idx);
    free(val);
    return ds;
}

static inline kiln_dataset *sparse_ds(const float *x, size_t n, size_t d)
{
    return sparse_ds_ordered(x, n, d, false);
}

#endif
