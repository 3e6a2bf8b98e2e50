/* kiln — the algorithm interface: one const descriptor per built-in
 * algorithm (shared/design.md "Interfaces", style.md §7).
 *
 * A descriptor carries everything the rest of kiln needs to know about an
 * algorithm without naming it: its SageMaker name, the hyperparameter
 * schema (name, type, default, range or choices, required, one-line doc,
 * as shared/reference/builtin-algorithms.md lists them), its metric
 * definitions (SageMaker's names, regexes and directions), the channels
 * and content types it trains on, and the functions train, predict, save,
 * load and free.  %algorithms, %help ALGO, completion, the training jobs,
 * the tuner and the endpoints are all driven by these descriptors.
 *
 * Hyperparameters arrive as strings, as in hyperparameters.json, and are
 * checked against the schema before any work (hparams.h).
 *
 * A training run gets a kiln_train_ctx: the validated hyperparameters, the
 * channels as datasets, the cancel flag and the events through which it
 * reports log lines, metrics and progress.  It returns a model (opaque to
 * everyone but the algorithm), which save writes as SageMaker's artifact
 * files into a directory, load reads back, predict applies to rows, and
 * free releases.
 *
 * Ownership and threads: descriptors are constant.  A model is owned by
 * whoever train or load gave it to, and freed with the descriptor's free.
 * predict must be safe to call from several threads on one model at once
 * (endpoints share a model read-only); train, save and load are called from
 * one thread, and may use worker threads of their own (OpenBLAS and the
 * algorithm's own, at most ctx->threads).
 */
#ifndef KILN_ALGOS_ALGO_H
#define KILN_ALGOS_ALGO_H

#include "algos/data/dataset.h"
#include "algos/data/format.h"
#include "algos/data/reader.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- hyperparameter schema ------------------------------------------- */

typedef enum kiln_hp_type {
    KILN_HP_INT,    /* an integer ("10"; "1e3" is not one) */
    KILN_HP_FLOAT,  /* a number ("0.1", "1e-3") */
    KILN_HP_BOOL,   /* "true" or "false", any case (the SDK sends "True") */
    KILN_HP_CHOICE, /* one of `choices` (exact) */
    KILN_HP_LIST,   /* a JSON list of `choices`, e.g. '["msd", "ssd"]' (a
                       bare word is taken as a one-item list) */
    KILN_HP_STRING, /* any text */
} kiln_hp_type;

/* kiln_hp_spec.flags */
enum {
    KILN_HP_REQUIRED = 1u << 0, /* no default: must be given */
    KILN_HP_MIN = 1u << 1,      /* value >= min */
    KILN_HP_MIN_OPEN = 1u << 2, /* value > min */
    KILN_HP_MAX = 1u << 3,      /* value <= max */
    KILN_HP_MAX_OPEN = 1u << 4, /* value < max */
};

typedef struct kiln_hp_spec {
    const char *name;
    kiln_hp_type type;
    unsigned flags;                /* KILN_HP_* */
    const char *default_value;     /* SageMaker's default as a string; NULL
                                      when required or when it has none */
    double min, max;               /* bounds, as flags say (INT and FLOAT) */
    const char *const *choices;    /* CHOICE and LIST: NULL-terminated */
    const char *const *words;      /* INT and FLOAT: words accepted as well
                                      as numbers ("auto", "balanced");
                                      NULL-terminated, or NULL */
    const char *doc;               /* one line, no final period */
} kiln_hp_spec;

/* ---- metrics ---------------------------------------------------------- */

typedef struct kiln_metric_def {
    const char *name;  /* SageMaker's: "test:msd", "validation:objective_loss" */
    bool maximize;     /* else minimize */
    const char *regex; /* the MetricDefinitions regex SageMaker uses on the
                          log (Python `re` syntax, one capture group);
                          kiln's log lines match it */
} kiln_metric_def;

/* ---- training --------------------------------------------------------- */

typedef struct kiln_hparams kiln_hparams; /* hparams.h */

/* How a training run reports what happens.  Every callback may be NULL;
 * all are called on the thread that called train.  Algorithms call them
 * through the kiln_train_* helpers below. */
typedef struct kiln_train_events {
    void *data;
    /* One line of the training log (no newline), as SageMaker's container
     * prints it: "#quality_metric: host=algo-1, epoch=3, train ..." */
    void (*log)(void *data, const char *line);
    /* A metric value: name as in the descriptor's metrics (or another
     * "channel:name" the algorithm documents), step = the epoch or round
     * (0-based) it belongs to, or -1 for a final value. */
    void (*metric)(void *data, const char *name, int64_t step, double value);
    /* Progress of the whole run, 0..1 (monotone), with a short status
     * ("epoch 3/15"). */
    void (*progress)(void *data, double done, const char *status);
} kiln_train_events;

typedef struct kiln_train_ctx {
    const kiln_hparams *hp;         /* validated against the descriptor */
    const kiln_dataset *train;      /* the train channel; never NULL */
    const kiln_dataset *validation; /* NULL without that channel */
    const kiln_dataset *test;       /* NULL without that channel */
    unsigned threads;               /* cores to use, >= 1 */
    kiln_cancel *cancel;            /* poll at least every 100 ms of work;
                                       stop with KILN_INTERRUPTED */
    const kiln_train_events *events;
} kiln_train_ctx;

/* The helpers algorithms report through (no-ops for NULL callbacks).
 * kiln_train_log formats one line (printf-style, numbers in the C locale). */
void kiln_train_log(const kiln_train_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void kiln_train_metric(const kiln_train_ctx *ctx, const char *name,
                       int64_t step, double value);
void kiln_train_progress(const kiln_train_ctx *ctx, double done,
                         const char *status);
/* True once the user interrupted; sets err to KILN_INTERRUPTED ("training
 * was interrupted") so that callers can `return err->code`. */
bool kiln_train_cancelled(const kiln_train_ctx *ctx, kiln_error *err);

/* ---- predictions ------------------------------------------------------ */

enum { KILN_PRED_MAX_FIELDS = 4 };

/* One output of predict, in SageMaker's response vocabulary. */
typedef struct kiln_pred_field {
    const char *name; /* "score", "predicted_label", "closest_cluster",
                         "distance_to_cluster", "projection" (static) */
    size_t width;     /* values per row */
    bool vector;      /* JSON shows a list (even of width 1) */
    bool integer;     /* JSON shows an integer ("predicted_label": 2); the
                         value is still stored as a float */
    float *values;    /* rows x width, row-major; owned */
} kiln_pred_field;

typedef struct kiln_predictions {
    size_t rows;
    size_t count;                               /* fields used */
    kiln_pred_field fields[KILN_PRED_MAX_FIELDS];
} kiln_predictions;

/* Add a field with room for p->rows x width values (uninitialised); its
 * values pointer, or NULL with err set (KILN_NOMEM states the size). */
float *kiln_predictions_add(kiln_predictions *p, const char *name,
                            size_t width, bool vector, bool integer,
                            kiln_error *err);
/* The field called name, or NULL. */
const kiln_pred_field *kiln_predictions_find(const kiln_predictions *p,
                                             const char *name);
/* Free the fields' values and zero *p. */
void kiln_predictions_fini(kiln_predictions *p);

/* ---- inference media types (algos/infer.h) ---------------------------- */

/* The content types of SageMaker's inference requests and responses. */
typedef enum kiln_media {
    KILN_MEDIA_NONE = 0,  /* ends a list */
    KILN_MEDIA_CSV,       /* text/csv */
    KILN_MEDIA_LIBSVM,    /* text/libsvm (also text/x-libsvm) */
    KILN_MEDIA_JSON,      /* application/json */
    KILN_MEDIA_JSONLINES, /* application/jsonlines */
    KILN_MEDIA_RECORDIO,  /* application/x-recordio-protobuf */
} kiln_media;

/* What the first-party algorithms (linear learner, k-means, PCA ...) read
 * and answer with: text/csv (a request without a Content-Type), JSON,
 * JSON lines, RecordIO-protobuf; application/json (the default Accept),
 * JSON lines, text/csv, RecordIO-protobuf. */
extern const kiln_media kiln_first_party_requests[];
extern const kiln_media kiln_first_party_responses[];

/* ---- the descriptor --------------------------------------------------- */

/* kiln_algo.flags */
enum {
    KILN_ALGO_SUPERVISED = 1u << 0, /* trains on labels; CSV channels have
                                       the label first (else label_size=0) */
};

typedef struct kiln_algo {
    const char *name;     /* SageMaker's: "linear-learner", "kmeans", "pca" */
    const char *title;    /* "Linear Learner" */
    const char *problem;  /* "classification and regression" (%algorithms) */
    const char *summary;  /* one paragraph for %help */
    unsigned flags;       /* KILN_ALGO_* */

    const kiln_hp_spec *hparams;  /* ended by an entry whose name is NULL */
    const kiln_metric_def *metrics; /* ended by {0}; may be empty */
    const char *const *channels;  /* accepted channels, "train" first;
                                     NULL-terminated */
    const kiln_format *formats;   /* training content types, ended by
                                     KILN_FORMAT_UNKNOWN */
    /* The response fields predict produces, for %help ("score,
     * predicted_label"). */
    const char *outputs;
    /* The name of the JSON response's list: "predictions" ("projections"
     * for PCA). */
    const char *response_key;
    /* What a metric's step counts, for charts' x axes: "epoch" (NULL),
     * "round" (XGBoost), "component" (PCA's explained variance). */
    const char *step;
    /* Inference (algos/infer.h): the request content types answered, the
     * first being what a request without a Content-Type is taken as; the
     * response types offered, the first being the default Accept; the
     * fields of predict a response carries, in order (NULL: all). */
    const kiln_media *request_types;  /* ended by KILN_MEDIA_NONE */
    const kiln_media *response_types; /* ended by KILN_MEDIA_NONE */
    const char *const *response_fields; /* NULL-terminated, or NULL */

    /* Cross-checks the schema cannot express (num_classes required when
     * predictor_type is multiclass_classifier).  May be NULL. */
    int (*check)(const kiln_hparams *hp, kiln_error *err);

    /* Adjust how a channel is read from the hyperparameters (XGBoost's
     * csv_weights=1: the column after the label is a weight).  Called for
     * every channel before it is read.  May be NULL. */
    void (*read_opts)(const kiln_hparams *hp, const char *channel,
                      kiln_read_opts *opts);

    /* Train on ctx's channels.  *model is set only on KILN_OK.  Errors:
     * KILN_DATA for data the algorithm cannot use (labels out of range,
     * NaN features), KILN_HYPERPARAMETER for values that only the data can
     * show wrong, KILN_INTERRUPTED, KILN_NOMEM. */
    int (*train)(const kiln_train_ctx *ctx, void **model, kiln_error *err);

    /* The number of features the model expects. */
    size_t (*features)(const void *model);

    /* Predict every row of x (its labels, if any, are ignored); x has
     * features(model) columns (the caller checks).  *out is filled only on
     * KILN_OK; free it with kiln_predictions_fini. */
    int (*predict)(const void *model, const kiln_dataset *x,
                   kiln_predictions *out, kiln_error *err);

    /* Write the model's artifact files (as SageMaker's container writes
     * them: "model_algo-1") into the existing directory dir. */
    int (*save)(const void *model, const char *dir, kiln_error *err);

    /* Read a model back from a directory holding what save wrote (or what
     * SageMaker wrote).  Corrupt files are KILN_DATA naming the file and
     * what was expected. */
    int (*load)(const char *dir, void **model, kiln_error *err);

    /* What the training job's record shows of the model, beyond
     * SageMaker's fields: a JSON object text (malloc'd) whose members are
     * added to describe.json, e.g. XGBoost's {"FeatureImportance": ...};
     * NULL for none.  May be NULL. */
    char *(*report)(const void *model);

    /* The model's vectors in feature space, for %describe to draw as
     * pictures when the features are pixels: a new rows x cols row-major
     * matrix (free()) and what a row is ("cluster": K-Means' centroids;
     * "component": PCA's components, the largest first).  KILN_OK or
     * KILN_NOMEM.  May be NULL. */
    int (*vectors)(const void *model, float **out, size_t *rows,
                   size_t *cols, const char **noun, kiln_error *err);

    void (*free)(void *model); /* NULL is fine */
} kiln_algo;

/* ---- the registry ----------------------------------------------------- */

/* The built-in algorithms, sorted by name. */
size_t kiln_algo_count(void);
const kiln_algo *kiln_algo_get(size_t i);

/* The algorithm called name[0..len), or NULL. */
const kiln_algo *kiln_algo_find(const char *name, size_t len);

/* Fill err with KILN_USAGE for an unknown algorithm name, with close
 * matches ("unknown algorithm 'kmean'; did you mean kmeans?").  Returns
 * KILN_USAGE. */
int kiln_algo_unknown(const char *name, kiln_error *err);

/* The schema entry called name, or NULL. */
const kiln_hp_spec *kiln_algo_hparam(const kiln_algo *a, const char *name);

/* Whether a accepts channel `name` / trains on format f. */
bool kiln_algo_has_channel(const kiln_algo *a, const char *name);
bool kiln_algo_accepts(const kiln_algo *a, kiln_format f);

/* The rows an algorithm is given, checked before any work: a column count
 * other than feature_dim ("<what> has 5 columns, feature_dim is 4"; a
 * sparse dataset may have fewer, absent trailing features being 0; d = 0
 * checks no count), then the first NaN or infinite value as KILN_DATA
 * "<what>, row R, column C: a missing value (NaN); <algo> needs finite
 * numbers" (1-based).  what: "the train channel", "the input". */
int kiln_algo_check_rows(const kiln_dataset *ds, const char *what, size_t d,
                         const char *algo, kiln_error *err);

#endif
