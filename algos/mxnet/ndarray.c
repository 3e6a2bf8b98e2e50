/* kiln — MXNet NDArray files (see ndarray.h).
 *
 * The layout is MXNet 1.x's src/ndarray/ndarray.cc (NDArray::Save, Load,
 * LegacyLoad and the list Save/Load), as written up in
 * shared/reference/builtin-algorithms.md §18.  Everything is little-endian
 * with no padding:
 *
 *   u64 0x112, u64 reserved, u64 n_arrays, n_arrays records,
 *   u64 n_names, n_names x (u64 len, bytes)
 *
 * A V2 record: u32 0xF993FAC9, i32 stype (0 dense), i32 ndim, ndim x i64
 * dims (ndim 0 ends the record: an empty "none" array), i32 dev_type,
 * i32 dev_id, i32 type_flag, prod(dims) elements.  V1 (0xF993FAC8) has no
 * stype; the pre-V1 layout has no magic at all: its first u32 is ndim,
 * followed by u32 dims.
 *
 * Decoding trusts nothing: every read is bounds-checked, counts are
 * checked against the bytes left before anything is allocated, and the
 * element count is checked for overflow, so a hostile file costs at most
 * about its own size in memory.  Unlike mx.nd.load, bytes after the names
 * are an error: kiln never writes them, and they mean a damaged file.
 */
#include "ndarray.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    LIST_MAGIC = 0x112,
    STYPE_DENSE = 0,
    DEV_CPU = 1,
};
#define V1_MAGIC 0xF993FAC8u
#define V2_MAGIC 0xF993FAC9u
#define V3_MAGIC 0xF993FACAu

static size_t dtype_size(int dtype)
{
    switch (dtype) {
    case KILN_ND_FLOAT32:
    case KILN_ND_INT32:
        return 4;
    case KILN_ND_FLOAT64:
    case KILN_ND_INT64:
        return 8;
    default:
        return 0;
    }
}

/* MXNet's names for the type flags, for messages (mshadow/base.h). */
static const char *dtype_name(int32_t dtype)
{
    static const char *const names[] = {
        "float32", "float64", "float16", "uint8",  "int32",  "int8",   "int64",
        "bool",    "int16",   "uint16",  "uint32", "uint64", "bfloat16",
    };
    if (dtype >= 0 && (size_t)dtype < sizeof names / sizeof names[0])
        return names[dtype];
    return "unknown";
}

static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Reverse the bytes of each of n elements of width w (big-endian hosts). */
static void swap_elements(void *data, size_t n, size_t w)
{
    unsigned char *p = data;
    for (size_t i = 0; i < n; i++, p += w)
        for (size_t a = 0, b = w - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* Element count of a shape (0 for ndim 0, MXNet's "none" array), or false
 * if it overflows size_t or a dim is negative. */
static bool shape_size(int ndim, const int64_t *shape, size_t *out)
{
    size_t n = 1;
    if (ndim == 0) {
        *out = 0;
        return true;
    }
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0 || (uint64_t)shape[d] > SIZE_MAX)
            return false;
        size_t dim = (size_t)shape[d];
        if (dim != 0 && n > SIZE_MAX / dim)
            return false;
        n *= dim;
    }
    *out = n;
    return true;
}

size_t kiln_ndarray_size(const kiln_ndarray *a)
{
    size_t n = 0;
    if (!shape_size(a->ndim, a->shape, &n))
        return 0;
    return n;
}

size_t kiln_ndarray_bytes(const kiln_ndarray *a)
{
    return kiln_ndarray_size(a) * dtype_size(a->dtype);
}

/* ------------------------------------------------------------------ */
/* Building lists                                                      */

void kiln_ndarray_list_free(kiln_ndarray_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->count; i++) {
        free(l->arrays[i].name);
        free(l->arrays[i].data);
    }
    free(l->arrays);
    memset(l, 0, sizeof *l);
}

/* Room for one more array.  Lists hold a handful of arrays, so the array
 * grows by one: a decoded list's allocation is exact, and so is this. */
static kiln_ndarray *list_push(kiln_ndarray_list *l, kiln_error *err)
{
    if (l->count >= SIZE_MAX / sizeof(kiln_ndarray) - 1) {
        kiln_error_nomem(err);
        return NULL;
    }
    kiln_ndarray *p = realloc(l->arrays, (l->count + 1) * sizeof(kiln_ndarray));
    if (p == NULL) {
        kiln_error_nomem(err);
        return NULL;
    }
    l->arrays = p;
    kiln_ndarray *a = &l->arrays[l->count];
    memset(a, 0, sizeof *a);
    return a;
}

kiln_ndarray *kiln_ndarray_list_add(kiln_ndarray_list *l, const char *name,
                                    kiln_ndarray_dtype dtype, int ndim,
                                    const int64_t *shape, const void *data,
                                    kiln_error *err)
{
    size_t w = dtype_size((int)dtype), n = 0;
    if (w == 0) {
        kiln_error_set(err, KILN_VALUE,
                       "NDArray dtype %d: expected float32, float64, int32 "
                       "or int64", (int)dtype);
        return NULL;
    }
    if (ndim < 0 || ndim > KILN_ND_MAX_DIMS) {
        kiln_error_set(err, KILN_VALUE, "NDArray ndim %d: expected 0..%d",
                       ndim, KILN_ND_MAX_DIMS);
        return NULL;
    }
    if (!shape_size(ndim, shape, &n) || (n > 0 && w > SIZE_MAX / n)) {
        kiln_error_set(err, KILN_VALUE,
                       "NDArray shape: dims must be >= 0 and their product "
                       "must fit in memory");
        return NULL;
    }
    if (l->count > 0 && l->named != (name != NULL)) {
        kiln_error_set(err, KILN_VALUE,
                       "NDArray list: every array must have a name or none "
                       "may (adding %s)",
                       name != NULL ? name : "an unnamed array");
        return NULL;
    }
    kiln_ndarray *a = list_push(l, err);
    if (a == NULL)
        return NULL;
    size_t bytes = n * w;
    if (bytes > 0) {
        a->data = malloc(bytes);
        if (a->data == NULL) {
            kiln_error_set(err, KILN_NOMEM,
                           "out of memory for a %zu-byte NDArray", bytes);
            return NULL;
        }
        if (data != NULL)
            memcpy(a->data, data, bytes);
        else
            memset(a->data, 0, bytes);
    }
    if (name != NULL) {
        a->name = strdup(name);
        if (a->name == NULL) {
            free(a->data);
            a->data = NULL;
            kiln_error_nomem(err);
            return NULL;
        }
    }
    a->dtype = dtype;
    a->ndim = ndim;
    for (int d = 0; d < ndim; d++)
        a->shape[d] = shape[d];
    l->named = name != NULL;
    l->count++;
    return a;
}

const kiln_ndarray *kiln_ndarray_list_find(const kiln_ndarray_list *l,
                                           const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->arrays[i].name != NULL && strcmp(l->arrays[i].name, name) == 0)
            return &l->arrays[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int put_u32(kiln_buf *out, uint32_t v)
{
    unsigned char b[4];
    put_le(b, v, 4);
    return kiln_buf_append(out, b, sizeof b);
}

static int put_u64(kiln_buf *out, uint64_t v)
{
    unsigned char b[8];
    put_le(b, v, 8);
    return kiln_buf_append(out, b, sizeof b);
}

static int put_data(kiln_buf *out, const kiln_ndarray *a)
{
    size_t n = kiln_ndarray_size(a), w = dtype_size(a->dtype);
    if (n == 0)
        return KILN_OK;
    size_t start = out->len;
    if (kiln_buf_append(out, a->data, n * w) != KILN_OK)
        return KILN_NOMEM;
    if (!host_is_little_endian())
        swap_elements(out->data + start, n, w);
    return KILN_OK;
}

/* One V2 record of a dense array on the cpu (dev_type 1, dev_id 0). */
static int put_record(kiln_buf *out, const kiln_ndarray *a)
{
    int rc = put_u32(out, V2_MAGIC);
    rc = rc ? rc : put_u32(out, STYPE_DENSE);
    rc = rc ? rc : put_u32(out, (uint32_t)a->ndim);
    for (int d = 0; d < a->ndim && rc == KILN_OK; d++)
        rc = put_u64(out, (uint64_t)a->shape[d]);
    if (rc != KILN_OK || a->ndim == 0)
        return rc;
    rc = put_u32(out, DEV_CPU);
    rc = rc ? rc : put_u32(out, 0);
    rc = rc ? rc : put_u32(out, (uint32_t)a->dtype);
    return rc ? rc : put_data(out, a);
}

int kiln_ndarray_encode(const kiln_ndarray_list *l, kiln_buf *out,
                        kiln_error *err)
{
    size_t start = out->len, need = 32;
    for (size_t i = 0; i < l->count; i++) {
        const kiln_ndarray *a = &l->arrays[i];
        size_t n;
        if (dtype_size(a->dtype) == 0 || a->ndim < 0 ||
            a->ndim > KILN_ND_MAX_DIMS || !shape_size(a->ndim, a->shape, &n))
            return kiln_error_set(err, KILN_VALUE,
                                  "NDArray %zu: dtype %d, ndim %d or its shape "
                                  "is not one kiln writes", i, (int)a->dtype,
                                  a->ndim);
        if (l->named && a->name == NULL)
            return kiln_error_set(err, KILN_VALUE,
                                  "NDArray %zu has no name in a named list", i);
        need += 24 + 8 * (size_t)a->ndim + kiln_ndarray_bytes(a);
        if (l->named)
            need += 8 + strlen(a->name);
    }
    if (kiln_buf_reserve(out, need) != KILN_OK)
        return kiln_error_set(err, KILN_NOMEM,
                              "out of memory for a %zu-byte NDArray file",
                              need);
    int rc = put_u64(out, LIST_MAGIC);
    rc = rc ? rc : put_u64(out, 0);
    rc = rc ? rc : put_u64(out, l->count);
    for (size_t i = 0; i < l->count && rc == KILN_OK; i++)
        rc = put_record(out, &l->arrays[i]);
    rc = rc ? rc : put_u64(out, l->named ? l->count : 0);
    for (size_t i = 0; l->named && i < l->count && rc == KILN_OK; i++) {
        size_t len = strlen(l->arrays[i].name);
        rc = put_u64(out, len);
        rc = rc ? rc : kiln_buf_append(out, l->arrays[i].name, len);
    }
    if (rc != KILN_OK) {
        out->len = start;
        if (out->data != NULL)
            out->data[start] = '\0';
        return kiln_error_nomem(err);
    }
    return KILN_OK;
}

int kiln_ndarray_save(const char *path, const kiln_ndarray_list *l,
                      kiln_error *err)
{
    kiln_buf b;
    kiln_buf_init(&b);
    int rc = kiln_ndarray_encode(l, &b, err);
    if (rc != KILN_OK) {
        kiln_buf_fini(&b);
        return rc;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        rc = kiln_error_set(err, KILN_IO, "%s: cannot create: %s", path,
                            strerror(errno));
        kiln_buf_fini(&b);
        return rc;
    }
    size_t wrote = b.len > 0 ? fwrite(b.data, 1, b.len, f) : 0;
    int werrno = errno;
    int closed = fclose(f);
    if (wrote != b.len || closed != 0)
        rc = kiln_error_set(err, KILN_IO, "%s: cannot write %zu bytes: %s",
                            path, b.len,
                            strerror(wrote != b.len ? werrno : errno));
    kiln_buf_fini(&b);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

typedef struct reader {
    const unsigned char *p;
    size_t len, pos;
    const char *what;
    char where[48];     /* ", in array 3" while reading a record, else "" */
    kiln_error *err;
} reader;

static size_t left(const reader *r)
{
    return r->len - r->pos;
}

/* Take n bytes for `expected`, or fail naming where and what. */
static const unsigned char *take(reader *r, size_t n, const char *expected)
{
    if (n > left(r)) {
        kiln_error_set(r->err, KILN_DATA,
                       "%s: truncated at byte %zu%s: expected %s (%zu bytes), "
                       "%zu left", r->what, r->pos, r->where, expected, n,
                       left(r));
        return NULL;
    }
    const unsigned char *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static bool get_u32(reader *r, const char *expected, uint32_t *v)
{
    const unsigned char *p = take(r, 4, expected);
    if (p == NULL)
        return false;
    *v = (uint32_t)get_le(p, 4);
    return true;
}

static bool get_i32(reader *r, const char *expected, int32_t *v)
{
    uint32_t u;
    if (!get_u32(r, expected, &u))
        return false;
    /* two's complement without an implementation-defined conversion */
    *v = u <= INT32_MAX ? (int32_t)u : -(int32_t)(~u) - 1;
    return true;
}

static bool get_u64(reader *r, const char *expected, uint64_t *v)
{
    const unsigned char *p = take(r, 8, expected);
    if (p == NULL)
        return false;
    *v = get_le(p, 8);
    return true;
}

static int bad(reader *r, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A KILN_DATA error "what: byte AT[, in array I]: message". */
static int bad(reader *r, size_t at, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kiln_error_set(r->err, KILN_DATA, "%s: byte %zu%s: %s", r->what, at,
                          r->where, msg);
}

/* The shape of a record: i32 ndim and i64 dims (V1, V2), or, pre-V1,
 * ndim already read as the record's first u32, and u32 dims. */
static int read_shape(reader *r, bool legacy, uint32_t legacy_ndim,
                      kiln_ndarray *a)
{
    size_t at = r->pos;
    int64_t ndim;
    if (legacy) {
        at -= 4;
        ndim = legacy_ndim;
    } else {
        int32_t n;
        if (!get_i32(r, "the shape's ndim (int32)", &n))
            return KILN_DATA;
        ndim = n;
    }
    if (ndim < 0 || ndim > KILN_ND_MAX_DIMS) {
        if (legacy)
            return bad(r, at,
                       "expected an NDArray record magic (0xF993FAC9 V2, "
                       "0xF993FAC8 V1) or a pre-V1 ndim 0..%d, found 0x%08"
                       PRIX32, KILN_ND_MAX_DIMS, legacy_ndim);
        return bad(r, at, "ndim %" PRId64 ", expected 0..%d", ndim,
                   KILN_ND_MAX_DIMS);
    }
    a->ndim = (int)ndim;
    for (int d = 0; d < a->ndim; d++) {
        size_t dat = r->pos;
        if (legacy) {
            uint32_t v;
            if (!get_u32(r, "a shape dim (uint32)", &v))
                return KILN_DATA;
            a->shape[d] = v;
        } else {
            uint64_t v;
            if (!get_u64(r, "a shape dim (int64)", &v))
                return KILN_DATA;
            if (v > INT64_MAX)
                return bad(r, dat, "shape dim %d is negative, expected >= 0",
                           d);
            a->shape[d] = (int64_t)v;
        }
    }
    return KILN_OK;
}

/* Context, type flag and data of a record whose shape is read. */
static int read_body(reader *r, kiln_ndarray *a)
{
    size_t at = r->pos;
    int32_t dev_type, dev_id, type_flag;
    if (!get_i32(r, "the context's dev_type (int32)", &dev_type) ||
        !get_i32(r, "the context's dev_id (int32)", &dev_id))
        return KILN_DATA;
    /* cpu, gpu, cpu_pinned, cpu_shared (include/mxnet/base.h) */
    if (dev_type != 1 && dev_type != 2 && dev_type != 3 && dev_type != 5)
        return bad(r, at,
                   "context dev_type %" PRId32 ", expected 1 (cpu), 2 (gpu), "
                   "3 (cpu_pinned) or 5 (cpu_shared)", dev_type);
    at = r->pos;
    if (!get_i32(r, "the type flag (int32)", &type_flag))
        return KILN_DATA;
    size_t w = dtype_size(type_flag);
    if (w == 0)
        return bad(r, at,
                   "dtype %" PRId32 " (%s), expected 0 (float32), 1 (float64), "
                   "4 (int32) or 6 (int64)", type_flag, dtype_name(type_flag));
    a->dtype = (kiln_ndarray_dtype)type_flag;
    at = r->pos;
    char shape[KILN_ND_MAX_DIMS * 22 + 4] = "(";
    for (int d = 0; d < a->ndim; d++)
        snprintf(shape + strlen(shape), sizeof shape - strlen(shape),
                 "%s%" PRId64, d ? ", " : "", a->shape[d]);
    strcat(shape, a->ndim == 1 ? ",)" : ")");
    size_t n;
    if (!shape_size(a->ndim, a->shape, &n) || (n > 0 && w > SIZE_MAX / n))
        return bad(r, at, "shape %s of %s: the data size overflows, expected "
                   "at most the %zu bytes left", shape, dtype_name(type_flag),
                   left(r));
    if (n * w > left(r))
        return bad(r, at, "truncated: shape %s of %s needs %zu bytes of data, "
                   "%zu left", shape, dtype_name(type_flag), n * w, left(r));
    size_t bytes = n * w;
    if (bytes == 0)
        return KILN_OK;
    a->data = malloc(bytes);
    if (a->data == NULL)
        return kiln_error_set(r->err, KILN_NOMEM,
                              "%s: out of memory for a %zu-byte array",
                              r->what, bytes);
    memcpy(a->data, r->p + r->pos, bytes);
    r->pos += bytes;
    if (!host_is_little_endian())
        swap_elements(a->data, n, w);
    return KILN_OK;
}

/* One record (NDArray::Load and LegacyLoad). */
static int read_record(reader *r, kiln_ndarray *a)
{
    size_t at = r->pos;
    uint32_t magic;
    if (!get_u32(r, "an NDArray record magic (uint32)", &magic))
        return KILN_DATA;
    int rc;
    if (magic == V2_MAGIC) {
        size_t sat = r->pos;
        int32_t stype;
        if (!get_i32(r, "the storage type (int32)", &stype))
            return KILN_DATA;
        if (stype != STYPE_DENSE)
            return bad(r, sat,
                       "storage type %" PRId32 " (%s), expected 0 (dense): "
                       "kiln reads dense arrays only", stype,
                       stype == 1   ? "row_sparse"
                       : stype == 2 ? "csr"
                                    : "unknown");
        rc = read_shape(r, false, 0, a);
    } else if (magic == V3_MAGIC) {
        return bad(r, at,
                   "record magic 0xF993FACA (V3, saved in numpy shape "
                   "semantics), expected 0xF993FAC9 (V2): mx.nd.load refuses "
                   "it too");
    } else if (magic == V1_MAGIC) {
        rc = read_shape(r, false, 0, a);
    } else {
        rc = read_shape(r, true, magic, a);
    }
    if (rc != KILN_OK)
        return rc;
    /* ndim 0 is an empty ("none") array: nothing follows */
    if (a->ndim == 0) {
        a->dtype = KILN_ND_FLOAT32;
        return KILN_OK;
    }
    return read_body(r, a);
}

static int read_names(reader *r, kiln_ndarray_list *l)
{
    size_t at = r->pos;
    uint64_t n_names;
    if (!get_u64(r, "the name count (uint64)", &n_names))
        return KILN_DATA;
    if (n_names != 0 && n_names != l->count)
        return bad(r, at, "%" PRIu64 " names for %zu arrays, expected 0 or %zu",
                   n_names, l->count, l->count);
    for (size_t i = 0; i < n_names; i++) {
        at = r->pos;
        uint64_t len;
        if (!get_u64(r, "a name's length (uint64)", &len))
            return KILN_DATA;
        if (len > left(r))
            return bad(r, at, "truncated: name %zu of %" PRIu64
                       " bytes, %zu left", i, len, left(r));
        const unsigned char *s = r->p + r->pos;
        r->pos += (size_t)len;
        if (len > 0 && memchr(s, '\0', (size_t)len) != NULL)
            return bad(r, at + 8, "name %zu contains a NUL byte", i);
        char *name = malloc((size_t)len + 1);
        if (name == NULL)
            return kiln_error_nomem(r->err);
        if (len > 0)
            memcpy(name, s, (size_t)len);
        name[len] = '\0';
        l->arrays[i].name = name;
    }
    l->named = n_names != 0;
    return KILN_OK;
}

int kiln_ndarray_decode(const void *bytes, size_t len, const char *what,
                        kiln_ndarray_list *out, kiln_error *err)
{
    reader r = {.p = bytes, .len = len, .pos = 0, .what = what, .err = err};
    r.where[0] = '\0';
    kiln_ndarray_list l = {0};
    uint64_t header, reserved, n_arrays;
    if (!get_u64(&r, "the NDArray list header 0x112 (uint64)", &header))
        return KILN_DATA;
    if (header != LIST_MAGIC)
        return bad(&r, 0,
                   "header 0x%" PRIX64 ", expected 0x112 (an MXNet NDArray "
                   "file as mx.nd.save writes)", header);
    if (!get_u64(&r, "the reserved word (uint64)", &reserved) ||
        !get_u64(&r, "the array count (uint64)", &n_arrays))
        return KILN_DATA;
    /* a record takes at least 4 bytes, and the name count 8 more */
    size_t room = left(&r) >= 8 ? left(&r) - 8 : 0;
    if (n_arrays > room / 4)
        return bad(&r, 16,
                   "%" PRIu64 " arrays cannot fit in the %zu bytes that follow",
                   n_arrays, left(&r));
    int rc = KILN_OK;
    if (n_arrays > 0) {
        l.arrays = calloc((size_t)n_arrays, sizeof(kiln_ndarray));
        if (l.arrays == NULL)
            return kiln_error_nomem(err);
    }
    for (size_t i = 0; i < n_arrays; i++) {
        snprintf(r.where, sizeof r.where, ", in array %zu", i);
        rc = read_record(&r, &l.arrays[i]);
        l.count = i + 1;
        if (rc != KILN_OK)
            goto fail;
    }
    r.where[0] = '\0';
    rc = read_names(&r, &l);
    if (rc != KILN_OK)
        goto fail;
    if (left(&r) != 0) {
        rc = bad(&r, r.pos, "%zu bytes after the last name, expected the end "
                 "of the file", left(&r));
        goto fail;
    }
    *out = l;
    return KILN_OK;
fail:
    kiln_ndarray_list_free(&l);
    return rc;
}

int kiln_ndarray_load(const char *path, kiln_ndarray_list *out,
                      kiln_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(err, KILN_IO, "%s: cannot open: %s", path,
                              strerror(errno));
    kiln_buf b;
    kiln_buf_init(&b);
    int rc = KILN_OK;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (kiln_buf_append(&b, chunk, n) != KILN_OK) {
            rc = kiln_error_set(err, KILN_NOMEM,
                                "%s: out of memory reading %zu bytes", path,
                                b.len + n);
            break;
        }
    if (rc == KILN_OK && ferror(f))
        rc = kiln_error_set(err, KILN_IO, "%s: cannot read: %s", path,
                            strerror(errno));
    fclose(f);
    if (rc == KILN_OK)
        rc = kiln_ndarray_decode(b.data != NULL ? b.data : "", b.len, path,
                                 out, err);
    kiln_buf_fini(&b);
    return rc;
}
