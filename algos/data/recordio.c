/* kiln — RecordIO-protobuf: aialgs.data.Record rows in RecordIO framing
 * (reference/sagemaker-contract.md §6), read into datasets and written as
 * the SageMaker SDK writes them (parse.h, reader.h, writer.h).
 *
 * Framing.  Each record is `magic lrecord data pad`: magic 0xCED7230A and
 * lrecord = cflag << 29 | length as little-endian uint32s, then length
 * bytes, then zeros to a multiple of 4.  cflag 0 is a whole record; dmlc
 * writers split a payload wherever the magic sits at a 4-aligned offset
 * inside it and write the pieces as parts 1 (first), 2 (middle) and 3
 * (last), leaving the magic out; the reader joins the parts with the 4
 * magic bytes put back between them.
 *
 * Decoding.  protobuf-c's generated unpacker does the wire format, with a
 * bump arena as its allocator: every allocation of a record comes from one
 * block that is reset for the next record, so a steady stream of records
 * of similar size allocates nothing; its first block is on the parser's
 * stack, so a call for a few small records allocates nothing at all.
 * Packed float tensors are a memcpy in protobuf-c (little-endian hosts)
 * and a memcpy again into the dataset.
 *
 * Encoding.  One Record per row with one map entry each, built on the
 * stack around the row's (converted) arrays and packed by protobuf-c
 * straight into the output buffer after its header: the bytes the SDK's
 * python protobuf writes (fields in number order, packed repeated fields,
 * empty ones left out).
 */
#include "parse.h"

#include "record.pb-c.h"

#include <inttypes.h>
#include <stdint.h>
#include <math.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC UINT32_C(0xCED7230A)
enum {
    LENGTH_BITS = 29,
    HEADER = 8,
    ARENA_FIRST = 16 * 1024, /* the arena's first block, on the stack */
};
#define LENGTH_MASK ((UINT32_C(1) << LENGTH_BITS) - 1)

/* The largest column count a dataset can index (uint32 indices, and the
 * count itself must fit). */
#define MAX_COLS ((uint64_t)UINT32_MAX)

static char values_key[] = "values";

/* ---- messages ---------------------------------------------------------- */

/* Where a record is: its number and the file offset of its first byte. */
typedef struct where {
    const kiln_parse_ctx *ctx;
    uint64_t record;
    uint64_t byte;
} where;

static int bad(const where *w, kiln_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* KILN_DATA: "train.rec record 12 (byte 4096): <what>". */
static int bad(const where *w, kiln_error *err, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    const char *file = w->ctx->file != NULL ? w->ctx->file : "data";
    return kiln_error_set(err, KILN_DATA, "%s record %" PRIu64 " (byte %" PRIu64
                          "): %s", file, w->record, w->byte, what);
}

/* ---- the arena --------------------------------------------------------- */

/* An allocation that did not fit the block; freed at the next reset. */
typedef struct spill {
    struct spill *next;
    alignas(max_align_t) unsigned char data[];
} spill;

typedef struct arena {
    unsigned char *block; /* cap bytes, max_align_t-aligned */
    size_t cap;
    size_t used;
    bool owned;           /* block is from malloc (else the caller's) */
    spill *spills;
    size_t spilled;       /* bytes handed out from spills since the reset */
    size_t failed;        /* size of an allocation that failed, 0 if none */
    /* A place outside the arena for the first allocation of exactly
     * target_size bytes: the next dense row, so that protobuf-c unpacks a
     * Float32 feature tensor where the dataset wants it (one copy, not
     * two).  Used at most once per record; NULL when there is none. */
    void *target;
    size_t target_size;
} arena;

/* Start with the caller's block (on its stack: a call that parses a few
 * small records then allocates nothing at all). */
static void arena_init(arena *a, void *first, size_t size)
{
    memset(a, 0, sizeof *a);
    a->block = first;
    a->cap = size;
}

static void free_spills(arena *a)
{
    while (a->spills != NULL) {
        spill *next = a->spills->next;
        free(a->spills);
        a->spills = next;
    }
}

static void arena_fini(arena *a)
{
    free_spills(a);
    if (a->owned)
        free(a->block);
    memset(a, 0, sizeof *a);
}

/* Forget every allocation.  When the last record needed more than the
 * block, the block grows to twice that, so the next such record fits. */
static void arena_reset(arena *a)
{
    size_t need = a->used + a->spilled;
    free_spills(a);
    if (a->spilled > 0) {
        size_t cap = need > SIZE_MAX / 2 ? need : need * 2;
        if (a->owned)
            free(a->block);
        a->block = malloc(cap);
        a->cap = a->block != NULL ? cap : 0;
        a->owned = a->block != NULL;
    }
    a->used = 0;
    a->spilled = 0;
    a->failed = 0;
    a->target = NULL;
}

static void *arena_alloc(void *data, size_t size)
{
    arena *a = data;
    if (a->target != NULL && size == a->target_size) {
        void *p = a->target;
        a->target = NULL;
        return p;
    }
    const size_t align = alignof(max_align_t);
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX - align - sizeof(spill)) {
        a->failed = size;
        return NULL;
    }
    size = (size + align - 1) & ~(align - 1);
    if (a->cap - a->used >= size) {
        void *p = a->block + a->used;
        a->used += size;
        return p;
    }
    spill *s = malloc(sizeof *s + size);
    if (s == NULL) {
        a->failed = size;
        return NULL;
    }
    s->next = a->spills;
    a->spills = s;
    a->spilled += size;
    return s->data;
}

/* Everything goes at the next reset. */
static void arena_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

/* ---- framing ----------------------------------------------------------- */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static size_t padding(size_t len)
{
    return (4 - len % 4) % 4;
}

/* One record's payload: in the input (a whole record) or in `joined` (a
 * multi-part one), and the offset just after the record. */
typedef struct frame {
    const unsigned char *data;
    size_t len;
    size_t end;
} frame;

/* Find the record starting at p[pos].  *complete false (KILN_OK) when p
 * does not hold all of it and more may come (!final).  At the end of the
 * input (final) a last record may lack its padding; so may one being
 * peeked at (peek), whose end is not consumed. */
static int frame_at(const where *w, const unsigned char *p, size_t n,
                    size_t pos, bool final, bool peek, kiln_buf *joined,
                    frame *f, bool *complete, kiln_error *err)
{
    *complete = false;
    size_t at = pos, parts = 0, total = 0, end;
    where part = *w;
    for (;;) {
        part.byte = w->byte + (at - pos);
        size_t avail = n - at;
        if (avail < HEADER) {
            if (!final)
                return KILN_OK;
            if (parts > 0 && avail == 0)
                return bad(&part, err,
                           "multi-part record ends after %zu parts without "
                           "its last part",
                           parts);
            return bad(&part, err, "truncated record header: %zu bytes of %d",
                       avail, HEADER);
        }
        uint32_t magic = le32(p + at);
        if (magic != MAGIC)
            return bad(&part, err, "bad magic 0x%08" PRIx32
                       ", expected 0x%08" PRIx32, magic, (uint32_t)MAGIC);
        uint32_t lrecord = le32(p + at + 4);
        uint32_t cflag = lrecord >> LENGTH_BITS;
        size_t len = lrecord & LENGTH_MASK;
        if (cflag > 3)
            return bad(&part, err, "bad record flag %" PRIu32
                       " (0 whole, 1 first, 2 middle, 3 last part)", cflag);
        if (parts == 0 && cflag > 1)
            return bad(&part, err,
                       "a %s part (flag %" PRIu32 ") without a first part",
                       cflag == 2 ? "middle" : "last", cflag);
        if (parts > 0 && cflag < 2)
            return bad(&part, err,
                       "a %s (flag %" PRIu32 ") inside a multi-part record",
                       cflag == 0 ? "whole record" : "first part", cflag);
        avail -= HEADER;
        if (avail < len) {
            if (!final)
                return KILN_OK;
            return bad(&part, err, "truncated record: %zu bytes of %zu", avail,
                       len);
        }
        end = at + HEADER + len + padding(len);
        if (end > n) {
            if (!final && !peek)
                return KILN_OK;
            end = n; /* the file ends where only padding was missing */
        }
        total += len + (parts > 0 ? 4 : 0);
        parts++;
        if (cflag == 0 || cflag == 3)
            break;
        at = end;
    }
    f->end = end;
    if (parts == 1) {
        f->data = p + pos + HEADER;
        f->len = total;
        *complete = true;
        return KILN_OK;
    }
    /* Join the parts, putting the magic back between them. */
    kiln_buf_clear(joined);
    if (kiln_buf_reserve(joined, total) != KILN_OK)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes for multi-part "
                              "record %" PRIu64,
                              total, w->record);
    unsigned char *out = (unsigned char *)joined->data;
    size_t k = 0;
    for (at = pos; at < end;) {
        size_t len = le32(p + at + 4) & LENGTH_MASK;
        if (at > pos) {
            put_le32(out + k, MAGIC);
            k += 4;
        }
        memcpy(out + k, p + at + HEADER, len);
        k += len;
        at += HEADER + len + padding(len);
    }
    out[k] = '\0'; /* a kiln_buf stays NUL-terminated */
    joined->len = k;
    f->data = out;
    f->len = k;
    *complete = true;
    return KILN_OK;
}

/* ---- records ----------------------------------------------------------- */

/* Decode a payload into a Record whose memory lives in a (reset first).
 * NULL with err filled when the bytes are not one. */
static Aialgs__Data__Record *decode(const where *w, arena *a,
                                    const unsigned char *data, size_t len,
                                    void *target, size_t target_size,
                                    kiln_error *err)
{
    arena_reset(a);
    a->target = target;
    a->target_size = target_size;
    ProtobufCAllocator alloc = {arena_alloc, arena_free, a};
    Aialgs__Data__Record *rec = aialgs__data__record__unpack(&alloc, len, data);
    if (rec != NULL)
        return rec;
    if (a->failed > 0)
        kiln_error_set(err, KILN_NOMEM,
                       "cannot allocate %zu bytes to decode record %" PRIu64
                       " of %s",
                       a->failed, w->record,
                       w->ctx->file != NULL ? w->ctx->file : "data");
    else
        bad(w, err, "not a protobuf Record");
    return NULL;
}

typedef enum { T_F32, T_F64, T_I32 } tensor_kind;

/* A feature tensor, checked: keys match values and lie inside the shape. */
typedef struct tensor {
    tensor_kind kind;
    const void *values;
    size_t n;
    const uint64_t *keys; /* NULL when dense */
    bool sparse;
    bool has_shape;
    uint64_t cols;        /* dense: n; sparse: the shape's element count,
                             or the largest key + 1 without a shape */
} tensor;

static float value_at(tensor_kind kind, const void *values, size_t i)
{
    switch (kind) {
    case T_F64:
        return (float)((const double *)values)[i];
    case T_I32:
        return (float)((const int32_t *)values)[i];
    case T_F32:
        break;
    }
    return ((const float *)values)[i];
}

/* The Value stored under "values" (the last such entry, as protobuf keeps
 * the last of repeated map keys); *found says whether the key was there at
 * all (its Value may still be NULL). */
static const Aialgs__Data__Value *features_value(const Aialgs__Data__Record *r,
                                                 bool *found)
{
    const Aialgs__Data__Value *v = NULL;
    *found = false;
    for (size_t i = 0; i < r->n_features; i++)
        if (r->features[i]->key != NULL &&
            strcmp(r->features[i]->key, values_key) == 0) {
            v = r->features[i]->value;
            *found = true;
        }
    return v;
}

static const Aialgs__Data__Value *label_value(const Aialgs__Data__Record *r,
                                              bool *found)
{
    const Aialgs__Data__Value *v = NULL;
    *found = false;
    for (size_t i = 0; i < r->n_label; i++)
        if (r->label[i]->key != NULL &&
            strcmp(r->label[i]->key, values_key) == 0) {
            v = r->label[i]->value;
            *found = true;
        }
    return v;
}

/* The raw arrays of a tensor Value; false for bytes or an unset Value. */
static bool tensor_arrays(const Aialgs__Data__Value *v, tensor_kind *kind,
                          const void **values, size_t *n,
                          const uint64_t **keys, size_t *n_keys,
                          const uint64_t **shape, size_t *n_shape)
{
    switch (v->value_case) {
    case AIALGS__DATA__VALUE__VALUE_FLOAT32_TENSOR: {
        const Aialgs__Data__Float32Tensor *t = v->float32_tensor;
        *kind = T_F32;
        *values = t->values, *n = t->n_values;
        *keys = t->keys, *n_keys = t->n_keys;
        *shape = t->shape, *n_shape = t->n_shape;
        return true;
    }
    case AIALGS__DATA__VALUE__VALUE_FLOAT64_TENSOR: {
        const Aialgs__Data__Float64Tensor *t = v->float64_tensor;
        *kind = T_F64;
        *values = t->values, *n = t->n_values;
        *keys = t->keys, *n_keys = t->n_keys;
        *shape = t->shape, *n_shape = t->n_shape;
        return true;
    }
    case AIALGS__DATA__VALUE__VALUE_INT32_TENSOR: {
        const Aialgs__Data__Int32Tensor *t = v->int32_tensor;
        *kind = T_I32;
        *values = t->values, *n = t->n_values;
        *keys = t->keys, *n_keys = t->n_keys;
        *shape = t->shape, *n_shape = t->n_shape;
        return true;
    }
    default:
        return false;
    }
}

/* "10", "28x28": a shape for messages. */
static void shape_text(const uint64_t *shape, size_t n, char out[64])
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && k < 40; i++)
        k += (size_t)snprintf(out + k, 64 - k, "%s%" PRIu64, i ? "x" : "",
                              shape[i]);
    if (k >= 40)
        snprintf(out + 40, 24, "...");
}

/* Check features["values"] and describe it.
 *
 * A tensor is sparse when it has keys, or a shape and no values (a sparse
 * row that is all zeros: the SDK writes only its shape).  Otherwise it is
 * dense and its shape, if any, is not used: the values are the row.
 *
 * A sparse tensor's column count is the product of its shape's dimensions:
 * the SDK writes shape [n_cols], and for a shape of more dimensions the
 * keys index the flattened tensor (both readings of the proto's comments
 * agree that keys run below the product), so a 28x28 shape gives 784
 * columns.  Without a shape, the largest key + 1. */
static int view_features(const where *w, const Aialgs__Data__Record *rec,
                         tensor *t, kiln_error *err)
{
    bool found;
    const Aialgs__Data__Value *v = features_value(rec, &found);
    if (v != NULL && v->value_case == AIALGS__DATA__VALUE__VALUE_BYTES)
        return bad(w, err, "'bytes' features are not supported");
    const void *values;
    const uint64_t *keys, *shape;
    size_t n, n_keys, n_shape;
    if (v == NULL || !tensor_arrays(v, &t->kind, &values, &n, &keys, &n_keys,
                                    &shape, &n_shape))
        return bad(w, err, "features has no 'values' tensor");
    t->values = values;
    t->n = n;
    t->sparse = n_keys > 0 || (n == 0 && n_shape > 0);
    t->has_shape = n_shape > 0;
    t->keys = t->sparse ? keys : NULL;
    if (!t->sparse) {
        t->cols = n;
        return KILN_OK;
    }
    if (n_keys != n)
        return bad(w, err, "sparse tensor has %zu keys for %zu values", n_keys,
                   n);
    char text[64];
    if (t->has_shape) {
        uint64_t cols = 1;
        for (size_t i = 0; i < n_shape; i++) {
            if (shape[i] != 0 && cols > MAX_COLS / shape[i]) {
                shape_text(shape, n_shape, text);
                return bad(w, err,
                           "shape %s is more than the %" PRIu64
                           " columns kiln supports",
                           text, MAX_COLS);
            }
            cols *= shape[i];
        }
        for (size_t k = 0; k < n; k++)
            if (keys[k] >= cols) {
                shape_text(shape, n_shape, text);
                return bad(w, err, "key %" PRIu64 " beyond shape %s", keys[k],
                           text);
            }
        t->cols = cols;
        return KILN_OK;
    }
    uint64_t cols = 0;
    for (size_t k = 0; k < n; k++) {
        if (keys[k] >= MAX_COLS)
            return bad(w, err,
                       "key %" PRIu64 " beyond the %" PRIu64
                       " columns kiln supports",
                       keys[k], MAX_COLS);
        if (keys[k] + 1 > cols)
            cols = keys[k] + 1;
    }
    t->cols = cols;
    return KILN_OK;
}

/* label["values"]: *has false when the record has none, else *label is
 * its first value. */
static int view_label(const where *w, const Aialgs__Data__Record *rec,
                      bool *has, float *label, kiln_error *err)
{
    bool found;
    const Aialgs__Data__Value *v = label_value(rec, &found);
    *has = found;
    *label = 0.0f;
    if (!found)
        return KILN_OK;
    if (v != NULL && v->value_case == AIALGS__DATA__VALUE__VALUE_BYTES)
        return bad(w, err, "'bytes' labels are not supported");
    tensor_kind kind;
    const void *values;
    const uint64_t *keys, *shape;
    size_t n, n_keys, n_shape;
    if (v == NULL || !tensor_arrays(v, &kind, &values, &n, &keys, &n_keys,
                                    &shape, &n_shape) ||
        n == 0)
        return bad(w, err, "label tensor is empty");
    *label = value_at(kind, values, 0);
    return KILN_OK;
}

/* ---- rows -------------------------------------------------------------- */

/* Append the record's row to a dense dataset: a dense tensor must have the
 * dataset's width; a sparse one is expanded with zeros. */
static int add_dense(const where *w, const tensor *t, float label,
                     kiln_dataset *ds, kiln_error *err)
{
    /* The user's count first, so that the message names it. */
    size_t cols = kiln_dataset_cols(ds);
    size_t want = w->ctx->cols_fixed ? w->ctx->cols : cols;
    if (!t->sparse || t->has_shape) {
        if (t->cols != want || t->cols != cols)
            return bad(w, err, "%" PRIu64 " features, expected %zu", t->cols,
                       t->cols != want ? want : cols);
    } else {
        for (size_t k = 0; k < t->n; k++)
            if (t->keys[k] >= cols)
                return bad(w, err, "key %" PRIu64 " beyond %zu features",
                           t->keys[k], cols);
    }
    float *row = kiln_dataset_push_dense(ds, label, 1.0f, err);
    if (row == NULL)
        return err->code;
    if (!t->sparse) {
        if (t->kind == T_F32) {
            /* Already in place when protobuf-c unpacked it there. */
            if (t->n > 0 && t->values != (const void *)row)
                memcpy(row, t->values, t->n * sizeof(float));
        } else {
            for (size_t j = 0; j < t->n; j++)
                row[j] = value_at(t->kind, t->values, j);
        }
        return KILN_OK;
    }
    if (cols > 0)
        memset(row, 0, cols * sizeof(float));
    for (size_t k = 0; k < t->n; k++)
        row[t->keys[k]] = value_at(t->kind, t->values, k);
    return KILN_OK;
}

/* Append the record's row to a sparse dataset: a sparse tensor's entries
 * as stored, a dense one's values all kept (zeros too) at columns 0..n-1.
 * Scratch arrays come from the record's arena. */
static int add_sparse(const where *w, arena *a, const tensor *t, float label,
                      kiln_dataset *ds, kiln_error *err)
{
    const kiln_parse_ctx *ctx = w->ctx;
    if (ctx->cols_fixed) {
        if ((!t->sparse || t->has_shape) && t->cols > ctx->cols)
            return bad(w, err, "%" PRIu64 " features, expected %zu", t->cols,
                       ctx->cols);
        for (size_t k = 0; t->sparse && k < t->n; k++)
            if (t->keys[k] >= ctx->cols)
                return bad(w, err, "key %" PRIu64 " beyond %zu features",
                           t->keys[k], ctx->cols);
    }
    if (t->n > MAX_COLS)
        return bad(w, err, "%zu features, more than the %" PRIu64
                   " columns kiln supports", t->n, MAX_COLS);
    uint32_t *idx = t->n > 0 ? arena_alloc(a, t->n * sizeof *idx) : NULL;
    const float *vals = t->values;
    float *conv = NULL;
    if (t->kind != T_F32 && t->n > 0)
        vals = conv = arena_alloc(a, t->n * sizeof *conv);
    if (t->n > 0 && (idx == NULL || vals == NULL))
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes for record %" PRIu64,
                              t->n * (sizeof *idx + sizeof *conv), w->record);
    for (size_t k = 0; k < t->n; k++)
        idx[k] = t->sparse ? (uint32_t)t->keys[k] : (uint32_t)k;
    if (conv != NULL)
        for (size_t k = 0; k < t->n; k++)
            conv[k] = value_at(t->kind, t->values, k);
    if (kiln_dataset_push_sparse(ds, idx, vals, t->n, label, 1.0f, err) !=
        KILN_OK)
        return err->code;
    kiln_dataset_set_cols(ds, (size_t)t->cols);
    return KILN_OK;
}

static int add_record(const where *w, arena *a,
                      const Aialgs__Data__Record *rec, kiln_dataset *ds,
                      kiln_error *err)
{
    tensor t;
    bool has_label;
    float label;
    if (view_features(w, rec, &t, err) != KILN_OK ||
        view_label(w, rec, &has_label, &label, err) != KILN_OK)
        return err->code;
    bool want_label = kiln_dataset_has_labels(ds);
    if (has_label && !want_label)
        return bad(w, err, "has a label, the first record had none");
    if (!has_label && want_label)
        return bad(w, err, "has no label, the first record had one");
    if (kiln_dataset_is_sparse(ds))
        return add_sparse(w, a, &t, label, ds, err);
    return add_dense(w, &t, label, ds, err);
}

/* ---- parsing ----------------------------------------------------------- */

/* Whether the row offered to the unpacker holds the record's dense Float32
 * features.  When some other array of the same size took the place
 * instead (an Int32 tensor, sparse keys), the record is decoded again
 * without it, so that nothing the row holds is read after the row is
 * written. */
static bool in_place(const where *w, const Aialgs__Data__Record *rec,
                     const float *row)
{
    kiln_error scratch;
    kiln_error_init(&scratch);
    /* Zeroed: gcc may test t's fields and the status in one branch, which
     * valgrind then reports when view_features failed. */
    tensor t = {0};
    return view_features(w, rec, &t, &scratch) == KILN_OK && !t.sparse &&
           t.kind == T_F32 && t.values == (const void *)row;
}

int kiln_recordio_peek(kiln_parse_ctx *ctx, const unsigned char *p, size_t n,
                       bool *complete, bool *sparse, bool *labels,
                       size_t *cols, kiln_error *err)
{
    where w = {ctx, ctx->record ? ctx->record : 1, ctx->offset};
    kiln_buf joined;
    kiln_buf_init(&joined);
    alignas(max_align_t) unsigned char first[ARENA_FIRST];
    arena a;
    arena_init(&a, first, sizeof first);
    frame f;
    int rc = frame_at(&w, p, n, 0, false, true, &joined, &f, complete, err);
    if (rc == KILN_OK && *complete) {
        const Aialgs__Data__Record *rec =
            decode(&w, &a, f.data, f.len, NULL, 0, err);
        tensor t;
        bool has_label;
        float label;
        if (rec == NULL || view_features(&w, rec, &t, err) != KILN_OK ||
            view_label(&w, rec, &has_label, &label, err) != KILN_OK) {
            rc = err->code;
        } else {
            *sparse = t.sparse;
            *labels = has_label;
            *cols = (size_t)t.cols;
        }
    }
    arena_fini(&a);
    kiln_buf_fini(&joined);
    return rc;
}

int kiln_recordio_parse(kiln_parse_ctx *ctx, const unsigned char *p,
                        size_t n, bool final, size_t max_rows, size_t *used,
                        kiln_dataset *ds, kiln_error *err)
{
    if (ctx->record == 0)
        ctx->record = 1;
    kiln_buf joined;
    kiln_buf_init(&joined);
    alignas(max_align_t) unsigned char first[ARENA_FIRST];
    arena a;
    arena_init(&a, first, sizeof first);
    size_t pos = 0, rows = 0;
    int rc = KILN_OK;
    bool dense = !kiln_dataset_is_sparse(ds);
    while (rows < max_rows && pos < n) {
        where w = {ctx, ctx->record, ctx->offset + pos};
        frame f;
        bool complete;
        rc = frame_at(&w, p, n, pos, final, false, &joined, &f, &complete,
                      err);
        if (rc != KILN_OK || !complete)
            break;
        /* A dense row of known width: offer its place to the unpacker. */
        float *row = dense ? kiln__dataset_next_dense(ds) : NULL;
        size_t row_bytes = row ? kiln_dataset_cols(ds) * sizeof(float) : 0;
        const Aialgs__Data__Record *rec =
            decode(&w, &a, f.data, f.len, row, row_bytes, err);
        if (rec != NULL && row != NULL && a.target == NULL &&
            !in_place(&w, rec, row))
            rec = decode(&w, &a, f.data, f.len, NULL, 0, err);
        if (rec == NULL || add_record(&w, &a, rec, ds, err) != KILN_OK) {
            rc = err->code;
            break;
        }
        /* The first dense row fixes the width for messages and slices. */
        if (dense && ctx->cols == 0)
            ctx->cols = kiln_dataset_cols(ds);
        pos = f.end;
        ctx->record++;
        rows++;
    }
    ctx->offset += pos;
    *used = pos;
    arena_fini(&a);
    kiln_buf_fini(&joined);
    return rc;
}

/* ---- encoding ---------------------------------------------------------- */

/* Per-call scratch for one row's converted arrays. */
typedef struct scratch {
    float *f32;
    double *f64;
    int32_t *i32;
    uint64_t *keys;
    size_t cap;
} scratch;

static void scratch_fini(scratch *s)
{
    free(s->f32);
    free(s->f64);
    free(s->i32);
    free(s->keys);
}

static int scratch_init(scratch *s, size_t cap, kiln_error *err)
{
    memset(s, 0, sizeof *s);
    s->cap = cap > 0 ? cap : 1;
    if (s->cap > SIZE_MAX / sizeof(double))
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate scratch for %zu values", cap);
    s->f32 = malloc(s->cap * sizeof *s->f32);
    s->f64 = malloc(s->cap * sizeof *s->f64);
    s->i32 = malloc(s->cap * sizeof *s->i32);
    s->keys = malloc(s->cap * sizeof *s->keys);
    if (s->f32 == NULL || s->f64 == NULL || s->i32 == NULL ||
        s->keys == NULL) {
        scratch_fini(s);
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes to encode rows of "
                              "%zu values",
                              s->cap * 24, cap);
    }
    return KILN_OK;
}

/* The tensor types' structs, one of which a Value points at. */
typedef struct tensors {
    Aialgs__Data__Float32Tensor f32;
    Aialgs__Data__Float64Tensor f64;
    Aialgs__Data__Int32Tensor i32;
} tensors;

/* numpy's astype(int32) truncates toward zero; what it does with NaN,
 * infinities and values beyond int32 is platform garbage, and the SDK's
 * protobuf refuses them, so they are errors here. */
static bool to_int32(float v, int32_t *out)
{
    double d = v;
    if (!(d > -2147483649.0 && d < 2147483648.0))
        return false;
    *out = (int32_t)d;
    return true;
}

/* "row 3, column 5: nan does not fit an Int32 tensor"; rows count from 0
 * as the dataset's do.  column < 0 means the label. */
static int int32_error(size_t row, long long column, float v,
                       kiln_error *err)
{
    char at[64];
    if (column < 0)
        snprintf(at, sizeof at, "row %zu, label", row);
    else
        snprintf(at, sizeof at, "row %zu, column %lld", row, column);
    return kiln_error_set(err, KILN_DATA,
                          "%s: %g does not fit an Int32 tensor", at,
                          (double)v);
}

/* Point v at values[0..n) as a tensor of `type`, converting into f64 or
 * i32 (room for n); keys and shape as given (sparse) or none.  row names
 * the row in errors; label says values is its label. */
static int fill_value(Aialgs__Data__Value *v, tensors *t, kiln_tensor_type type,
                      const float *values, size_t n, uint64_t *keys,
                      size_t n_keys, uint64_t *shape, size_t n_shape,
                      double *f64, int32_t *i32, size_t row, bool label,
                      kiln_error *err)
{
    switch (type) {
    case KILN_TENSOR_FLOAT64:
        for (size_t k = 0; k < n; k++)
            f64[k] = values[k];
        t->f64.n_values = n, t->f64.values = f64;
        t->f64.n_keys = n_keys, t->f64.keys = keys;
        t->f64.n_shape = n_shape, t->f64.shape = shape;
        v->value_case = AIALGS__DATA__VALUE__VALUE_FLOAT64_TENSOR;
        v->float64_tensor = &t->f64;
        return KILN_OK;
    case KILN_TENSOR_INT32:
        for (size_t k = 0; k < n; k++)
            if (!to_int32(values[k], &i32[k]))
                return int32_error(row,
                                   label  ? -1
                                   : keys ? (long long)keys[k]
                                          : (long long)k,
                                   values[k], err);
        t->i32.n_values = n, t->i32.values = i32;
        t->i32.n_keys = n_keys, t->i32.keys = keys;
        t->i32.n_shape = n_shape, t->i32.shape = shape;
        v->value_case = AIALGS__DATA__VALUE__VALUE_INT32_TENSOR;
        v->int32_tensor = &t->i32;
        return KILN_OK;
    case KILN_TENSOR_FLOAT32:
        break;
    }
    /* protobuf-c's structs are not const; packing only reads them. */
    t->f32.n_values = n, t->f32.values = (float *)values;
    t->f32.n_keys = n_keys, t->f32.keys = keys;
    t->f32.n_shape = n_shape, t->f32.shape = shape;
    v->value_case = AIALGS__DATA__VALUE__VALUE_FLOAT32_TENSOR;
    v->float32_tensor = &t->f32;
    return KILN_OK;
}

/* Append magic, lrecord, the packed record and its padding to out. */
static int frame_record(const Aialgs__Data__Record *rec, size_t row,
                        kiln_buf *out, kiln_error *err)
{
    size_t size = aialgs__data__record__get_packed_size(rec);
    if (size > LENGTH_MASK)
        return kiln_error_set(err, KILN_DATA,
                              "row %zu: a record of %zu bytes is beyond "
                              "RecordIO's %" PRIu32 "-byte limit",
                              row, size, (uint32_t)LENGTH_MASK);
    size_t pad = padding(size), total = HEADER + size + pad;
    if (kiln_buf_reserve(out, total) != KILN_OK)
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes for RecordIO output",
                              out->len + total);
    unsigned char *q = (unsigned char *)out->data + out->len;
    put_le32(q, MAGIC);
    put_le32(q + 4, (uint32_t)size);
    size_t packed = aialgs__data__record__pack(rec, q + HEADER);
    if (packed != size)
        return kiln_error_set(err, KILN_INTERNAL,
                              "row %zu: protobuf-c packed %zu bytes of %zu",
                              row, packed, size);
    memset(q + HEADER + size, 0, pad);
    out->len += total;
    out->data[out->len] = '\0';
    return KILN_OK;
}

int kiln_recordio_encode(const kiln_dataset *ds, size_t begin, size_t end,
                         const kiln_write_opts *opts, kiln_buf *out,
                         kiln_error *err)
{
    bool in_sparse = kiln_dataset_is_sparse(ds);
    bool out_sparse = opts->sparse;
    size_t cols = kiln_dataset_cols(ds);
    if (end > kiln_dataset_rows(ds))
        end = kiln_dataset_rows(ds);
    if (begin >= end)
        return KILN_OK;

    /* The widest row this call converts. */
    size_t width = cols;
    const size_t *indptr = kiln_dataset_indptr(ds);
    if (in_sparse && out_sparse) {
        width = 0;
        for (size_t i = begin; i < end; i++)
            if (indptr[i + 1] - indptr[i] > width)
                width = indptr[i + 1] - indptr[i];
    }
    scratch s;
    if (scratch_init(&s, width, err) != KILN_OK)
        return err->code;

    const float *dense = kiln_dataset_dense(ds);
    const uint32_t *indices = kiln_dataset_indices(ds);
    const float *svalues = kiln_dataset_values(ds);
    const float *labels = kiln_dataset_labels(ds);
    uint64_t shape = cols;
    float label_f32;
    double label_f64;
    int32_t label_i32;
    int rc = KILN_OK;
    for (size_t i = begin; i < end && rc == KILN_OK; i++) {
        const float *values;
        size_t n = 0;
        if (!out_sparse && !in_sparse) {
            values = dense != NULL ? dense + i * cols : s.f32;
            n = cols;
        } else if (!out_sparse) {
            for (size_t j = 0; j < cols; j++)
                s.f32[j] = 0.0f;
            for (size_t k = indptr[i]; k < indptr[i + 1]; k++)
                s.f32[indices[k]] = svalues[k];
            values = s.f32;
            n = cols;
        } else if (in_sparse) {
            n = indptr[i + 1] - indptr[i];
            values = n > 0 ? svalues + indptr[i] : s.f32;
            for (size_t k = 0; k < n; k++)
                s.keys[k] = indices[indptr[i] + k];
        } else {
            /* As scipy's csr_matrix keeps them from the array the SDK is
             * given: the entries that are not == 0 in the tensor's type
             * (NaN stays, -0.0 goes, and for Int32 so does what truncates
             * to 0, as csr_matrix(x.astype(int)) drops it). */
            const float *row = cols > 0 ? dense + i * cols : NULL;
            bool int32 = opts->tensor == KILN_TENSOR_INT32;
            for (size_t j = 0; j < cols; j++)
                if (isnan(row[j]) ||
                    (int32 ? !(fabsf(row[j]) < 1.0f) : row[j] != 0.0f)) {
                    s.f32[n] = row[j];
                    s.keys[n] = j;
                    n++;
                }
            values = s.f32;
        }

        Aialgs__Data__Record rec = AIALGS__DATA__RECORD__INIT;
        Aialgs__Data__Record__FeaturesEntry fe =
            AIALGS__DATA__RECORD__FEATURES_ENTRY__INIT;
        Aialgs__Data__Record__FeaturesEntry *fep = &fe;
        Aialgs__Data__Value fv = AIALGS__DATA__VALUE__INIT;
        tensors ft = {AIALGS__DATA__FLOAT32_TENSOR__INIT,
                      AIALGS__DATA__FLOAT64_TENSOR__INIT,
                      AIALGS__DATA__INT32_TENSOR__INIT};
        fe.key = values_key;
        fe.value = &fv;
        rec.n_features = 1;
        rec.features = &fep;
        rc = fill_value(&fv, &ft, opts->tensor, values, n,
                        out_sparse ? s.keys : NULL, out_sparse ? n : 0,
                        out_sparse ? &shape : NULL, out_sparse ? 1 : 0, s.f64,
                        s.i32, i, false, err);
        if (rc != KILN_OK)
            break;

        Aialgs__Data__Record__LabelEntry le =
            AIALGS__DATA__RECORD__LABEL_ENTRY__INIT;
        Aialgs__Data__Record__LabelEntry *lep = &le;
        Aialgs__Data__Value lv = AIALGS__DATA__VALUE__INIT;
        tensors lt = {AIALGS__DATA__FLOAT32_TENSOR__INIT,
                      AIALGS__DATA__FLOAT64_TENSOR__INIT,
                      AIALGS__DATA__INT32_TENSOR__INIT};
        if (labels != NULL) {
            label_f32 = labels[i];
            le.key = values_key;
            le.value = &lv;
            rec.n_label = 1;
            rec.label = &lep;
            rc = fill_value(&lv, &lt, opts->label_tensor, &label_f32, 1, NULL,
                            0, NULL, 0, &label_f64, &label_i32, i, true,
                            err);
            if (rc != KILN_OK)
                break;
        }
        rc = frame_record(&rec, i, out, err);
    }
    scratch_fini(&s);
    return rc;
}

int kiln_recordio_encode_labels(const kiln_label_tensor *t, size_t n,
                                size_t rows, kiln_buf *out, kiln_error *err)
{
    enum { MAX_TENSORS = 8 };
    if (n > MAX_TENSORS)
        return kiln_error_set(err, KILN_INTERNAL,
                              "%zu label tensors a record, at most %d", n,
                              (int)MAX_TENSORS);
    Aialgs__Data__Record__LabelEntry entries[MAX_TENSORS];
    Aialgs__Data__Record__LabelEntry *ptrs[MAX_TENSORS];
    Aialgs__Data__Value values[MAX_TENSORS];
    Aialgs__Data__Float32Tensor f32[MAX_TENSORS];
    for (size_t r = 0; r < rows; r++) {
        Aialgs__Data__Record rec = AIALGS__DATA__RECORD__INIT;
        for (size_t k = 0; k < n; k++) {
            entries[k] = (Aialgs__Data__Record__LabelEntry)
                AIALGS__DATA__RECORD__LABEL_ENTRY__INIT;
            values[k] = (Aialgs__Data__Value)AIALGS__DATA__VALUE__INIT;
            f32[k] = (Aialgs__Data__Float32Tensor)
                AIALGS__DATA__FLOAT32_TENSOR__INIT;
            /* protobuf-c's structs are not const-correct; nothing is
             * written through these */
            f32[k].values = (float *)(uintptr_t)(t[k].values +
                                                     r * t[k].width);
            f32[k].n_values = t[k].width;
            values[k].value_case = AIALGS__DATA__VALUE__VALUE_FLOAT32_TENSOR;
            values[k].float32_tensor = &f32[k];
            entries[k].key = (char *)(uintptr_t)t[k].name;
            entries[k].value = &values[k];
            ptrs[k] = &entries[k];
        }
        rec.n_label = n;
        rec.label = ptrs;
        int rc = frame_record(&rec, r, out, err);
        if (rc != KILN_OK)
            return rc;
    }
    return KILN_OK;
}
