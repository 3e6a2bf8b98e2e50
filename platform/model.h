/* kiln — models ready to predict: an algorithm's loaded model, from a
 * training job's artifact or from a directory holding an unpacked
 * model.tar.gz (what SageMaker puts in /opt/ml/model for `serve`).
 *
 * A training job's model: the job must be Completed; its
 * output/model.tar.gz is unpacked into a temporary directory, loaded by
 * the job's algorithm, and the directory removed.
 *
 * A directory's algorithm is given, or found from its files: a file named
 * xgboost-model (or any single file the xgboost loader takes) is XGBoost;
 * model_algo-1 is a first-party algorithm's, which one cannot be told from
 * the file alone (k-means' and PCA's are both NDArray lists), so the
 * algorithm must then be named.
 *
 * Ownership: kiln_model_free.  Threads: a loaded model is only read by
 * predict, from any number of threads at once (algo.h).
 */
#ifndef KILN_PLATFORM_MODEL_H
#define KILN_PLATFORM_MODEL_H

#include "algos/algo.h"
#include "algos/infer.h"

#include "core/error.h"

typedef struct kiln_model {
    const kiln_algo *algo;
    void *model;
    char *name;   /* the job's name, or the directory's last component */
    char *source; /* the artifact or directory it was loaded from */
} kiln_model;

/* The model of training job `job` under the output root (or of a tuning
 * job's BestTrainingJob, given the tuning job's name).  KILN_KEY for an
 * unknown job (naming close matches), KILN_USAGE for a job that did not
 * complete, the algorithm's load errors for a corrupt artifact. */
int kiln_model_from_job(const char *root, const char *job, kiln_model **out,
                        kiln_error *err);

/* The model in directory dir, of algorithm `algorithm` (NULL: found from
 * the files as above). */
int kiln_model_from_dir(const char *dir, const char *algorithm,
                        kiln_model **out, kiln_error *err);

void kiln_model_free(kiln_model *m); /* NULL is fine */

/* One inference request through models[0..n): a single model, or an
 * inference pipeline (SageMaker's PipelineModel, 2 to 15 models) in which
 * each model's response is the next one's request.  Between models the
 * response is text/csv, which every built-in algorithm reads (as setting
 * SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT=text/csv on the inner containers
 * does); the client's Accept applies to the last model, and the client's
 * Content-Type to the first.  The response body is appended to out and
 * *type is its media type; else e says why, its message naming the model
 * (its position and name) when there are several.  e must be zeroed. */
int kiln_model_invoke(kiln_model *const *models, size_t n,
                      const char *content_type, const char *accept,
                      const void *body, size_t len, kiln_buf *out,
                      kiln_media *type, kiln_infer_error *e);

#endif
