/* kiln — batch transform: SageMaker's CreateTransformJob, run in-process
 * (reference/sagemaker-contract.md §3).
 *
 * Input: a file, or a directory whose regular files are read in byte
 * order of their relative paths (names starting with '.' skipped, as a
 * channel is read).  Each input file is one unit: its records go to the
 * model in mini-batches and the answers, in input order, become
 * <output>/<relative path>.out; mini-batches never span files.
 *
 *   SplitType None      the whole file is one request (a file above
 *                       MaxPayloadInMB fails, naming its size)
 *             Line      records are lines ('\n'; "\r\n" kept as it is);
 *                       blank lines are skipped
 *             RecordIO  records are RecordIO frames (magic 0xCED7230A,
 *                       length, padding to 4 bytes)
 *   BatchStrategy SingleRecord  one record a request
 *                 MultiRecord   as many records as fit in MaxPayloadInMB
 *                               (default 6) a request
 *   AssembleWith  Line  a '\n' after every answer that does not end in one
 *                 None  answers concatenated as they are
 *   JoinSource Input    (text/csv with SplitType Line and Accept text/csv
 *                       only) each output line is the input line, ',' and
 *                       the answer's line for it, as SageMaker joins CSV
 *
 *   InputFilter, OutputFilter  (text/csv with SplitType Line only) the
 *                       columns of each input line sent to the model, and
 *                       of each output line (joined or not) written, as
 *                       SageMaker's index JSONPath: "$" (all), "$[2]",
 *                       "$[0,-1]", "$[1:]", "$[:5]", "$[0,5:]"; an index
 *                       below 0 counts from the end; a slice "a:b" is
 *                       end-inclusive, as SageMaker's documentation
 *                       describes "$[1:4]" (the 2nd to the 5th column).
 *                       The join adds the whole input line, not the
 *                       filtered one (a filtered-out id column comes back).
 *                       A column beyond a line's fails the file.
 *
 * Requests go through the model (or inference pipeline) exactly as an
 * endpoint's would (model.h, kiln_model_invoke), with the content type and
 * Accept given (defaults: the first model's default request type, sniffed
 * from the file when not given, and its default Accept).
 *
 * An output file is written (atomically) only when all of its input
 * succeeded.  A file that fails makes the job Failed, with a
 * FailureReason naming the file and the record range; the other files are
 * still transformed.  The job's record, shaped like
 * DescribeTransformJob, is written to record_path.
 *
 * Threads: one call, the caller's thread (predict may use more).
 */
#ifndef KILN_PLATFORM_TRANSFORM_H
#define KILN_PLATFORM_TRANSFORM_H

#include "model.h"

#include "core/cancel.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum kiln_split_type {
    KILN_SPLIT_NONE,
    KILN_SPLIT_LINE,
    KILN_SPLIT_RECORDIO,
} kiln_split_type;

typedef struct kiln_transform_spec {
    const char *name;           /* TransformJobName */
    kiln_model *const *models;  /* 1..15 */
    size_t nmodels;
    const char *input;          /* file or directory */
    const char *output;         /* directory (created) */
    const char *record_path;    /* where describe.json goes (its directory
                                   is created) */
    const char *content_type;   /* NULL: sniffed / the model's default */
    const char *accept;         /* NULL: the last model's default */
    kiln_split_type split;
    bool single_record;         /* BatchStrategy SingleRecord */
    bool assemble_line;         /* AssembleWith Line */
    bool join_input;            /* JoinSource Input */
    const char *input_filter;   /* DataProcessing InputFilter, NULL or "$":
                                   all; else CSV columns (below) */
    const char *output_filter;  /* OutputFilter, the same */
    size_t max_payload_mb;      /* 0 = 6; at most 100 */
    kiln_cancel *cancel;        /* polled between requests; may be NULL */
} kiln_transform_spec;

typedef struct kiln_transform_result {
    bool completed;             /* TransformJobStatus Completed, else Failed
                                   (or Stopped when interrupted) */
    size_t files, files_failed; /* input files, and those that failed */
    size_t records, requests;
    double seconds;
    char failure[1024];         /* FailureReason, "" when completed */
} kiln_transform_result;

/* Run the job.  KILN_OK whenever it ran (result->completed says how it
 * ended, and the record says so too); an error only for a spec that cannot
 * start (KILN_USAGE: bad options, no input files; KILN_IO: the output or
 * record cannot be written). */
int kiln_transform_run(const kiln_transform_spec *spec,
                       kiln_transform_result *result, kiln_error *err);

#endif
