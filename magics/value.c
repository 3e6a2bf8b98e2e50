/* kiln — values of the cell language (see value.h). */
#include "value.h"

#include "expr_impl.h"
#include "core/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct value_list {
    kiln_value **items;
    size_t len, cap;
} value_list;

/* Entries live in two parallel arrays in insertion order.  Small dicts are
 * searched linearly; from DICT_INDEX_MIN entries on, an open-addressing
 * table of entry numbers (+1, 0 = empty) makes lookups O(1), so a literal
 * with thousands of keys is not quadratic. */
typedef struct value_dict {
    kiln_value **keys;
    kiln_value **vals;
    size_t len, cap;
    size_t *index;
    size_t index_cap; /* a power of two, or 0 */
} value_dict;

#define DICT_INDEX_MIN 8

struct kiln_value {
    atomic_size_t refs;
    kiln_value_type type;
    unsigned depth; /* containers: 1 + the deepest item; scalars: 0 */
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            char *data; /* points just past the struct, in the same block */
            size_t len;
        } s;
        value_list list;
        value_dict dict;
    } u;
};

/* ---- construction and lifetime ------------------------------------- */

static kiln_value *value_alloc(kiln_value_type type)
{
    kiln_value *v = calloc(1, sizeof *v);
    if (v == NULL)
        return NULL;
    atomic_init(&v->refs, 1);
    v->type = type;
    return v;
}

kiln_value *kiln_value_none(void)
{
    return value_alloc(KILN_VALUE_NONE);
}

kiln_value *kiln_value_bool(bool b)
{
    kiln_value *v = value_alloc(KILN_VALUE_BOOL);
    if (v != NULL)
        v->u.b = b;
    return v;
}

kiln_value *kiln_value_int(int64_t i)
{
    kiln_value *v = value_alloc(KILN_VALUE_INT);
    if (v != NULL)
        v->u.i = i;
    return v;
}

kiln_value *kiln_value_float(double d)
{
    kiln_value *v = value_alloc(KILN_VALUE_FLOAT);
    if (v != NULL)
        v->u.d = d;
    return v;
}

kiln_value *kiln__value_str_alloc(size_t len, char **data)
{
    if (len > SIZE_MAX - sizeof(kiln_value) - 1)
        return NULL;
    kiln_value *v = malloc(sizeof *v + len + 1);
    if (v == NULL)
        return NULL;
    memset(v, 0, sizeof *v);
    atomic_init(&v->refs, 1);
    v->type = KILN_VALUE_STR;
    v->u.s.data = (char *)(v + 1);
    v->u.s.len = len;
    v->u.s.data[len] = '\0';
    *data = v->u.s.data;
    return v;
}

kiln_value *kiln_value_str(const char *s, size_t len)
{
    char *data;
    kiln_value *v = kiln__value_str_alloc(len, &data);
    if (v != NULL && len > 0)
        memcpy(data, s, len);
    return v;
}

kiln_value *kiln_value_list_new(void)
{
    return value_alloc(KILN_VALUE_LIST);
}

kiln_value *kiln_value_dict_new(void)
{
    return value_alloc(KILN_VALUE_DICT);
}

kiln_value *kiln_value_ref(kiln_value *v)
{
    if (v != NULL)
        atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    return v;
}

void kiln_value_unref(kiln_value *v)
{
    if (v == NULL)
        return;
    /* Release on the decrement and acquire before freeing, so every write a
     * sharing thread made happens before the free (the usual refcount
     * pattern). */
    if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_release) != 1)
        return;
    atomic_thread_fence(memory_order_acquire);
    if (v->type == KILN_VALUE_LIST) {
        for (size_t i = 0; i < v->u.list.len; i++)
            kiln_value_unref(v->u.list.items[i]);
        free(v->u.list.items);
    } else if (v->type == KILN_VALUE_DICT) {
        for (size_t i = 0; i < v->u.dict.len; i++) {
            kiln_value_unref(v->u.dict.keys[i]);
            kiln_value_unref(v->u.dict.vals[i]);
        }
        free(v->u.dict.keys);
        free(v->u.dict.vals);
        free(v->u.dict.index);
    }
    free(v);
}

bool kiln__value_unique(const kiln_value *v)
{
    return atomic_load_explicit(&((kiln_value *)v)->refs,
                                memory_order_acquire) == 1;
}

int kiln__value_str_extend(kiln_value **vp, const char *s, size_t n)
{
    kiln_value *v = *vp;
    size_t len = v->u.s.len;
    if (n > SIZE_MAX - sizeof *v - 1 - len)
        return KILN_NOMEM;
    kiln_value *nv = realloc(v, sizeof *v + len + n + 1);
    if (nv == NULL)
        return KILN_NOMEM;
    nv->u.s.data = (char *)(nv + 1);
    if (n > 0)
        memcpy(nv->u.s.data + len, s, n);
    nv->u.s.len = len + n;
    nv->u.s.data[len + n] = '\0';
    *vp = nv;
    return KILN_OK;
}

int kiln__value_list_reserve(kiln_value *list, size_t extra)
{
    value_list *l = &list->u.list;
    if (extra > SIZE_MAX / sizeof(kiln_value *) - l->len)
        return KILN_NOMEM;
    size_t need = l->len + extra;
    if (need <= l->cap)
        return KILN_OK;
    size_t cap = l->cap ? l->cap : 4;
    while (cap < need)
        cap = cap > SIZE_MAX / sizeof(kiln_value *) / 2 ? need : cap * 2;
    kiln_value **items = realloc(l->items, cap * sizeof *items);
    if (items == NULL)
        return KILN_NOMEM;
    l->items = items;
    l->cap = cap;
    return KILN_OK;
}

int kiln_value_list_append(kiln_value *list, kiln_value *item)
{
    if (list == NULL || item == NULL || list->type != KILN_VALUE_LIST)
        return KILN_NOMEM;
    /* repr, equality and unref recurse, so nesting is bounded here, where
     * values are built across cells (x = [x] again and again). */
    if (item->depth >= KILN_VALUE_MAX_DEPTH)
        return KILN_VALUE;
    if (kiln__value_list_reserve(list, 1) != KILN_OK)
        return KILN_NOMEM;
    list->u.list.items[list->u.list.len++] = kiln_value_ref(item);
    if (item->depth + 1 > list->depth)
        list->depth = item->depth + 1;
    return KILN_OK;
}

/* ---- hashing and equality ------------------------------------------ */

static bool is_number(const kiln_value *v)
{
    return v->type == KILN_VALUE_BOOL || v->type == KILN_VALUE_INT ||
           v->type == KILN_VALUE_FLOAT;
}

/* A float that is an exact integer in int64 range, as that integer. */
static bool float_as_int64(double d, int64_t *out)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;
    if (d != floor(d))
        return false;
    *out = (int64_t)d;
    return true;
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: every input bit affects every output bit. */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* Equal keys must hash equally across types, as in Python, where
 * hash(1) == hash(1.0) == hash(True). */
static uint64_t value_hash(const kiln_value *v)
{
    switch (v->type) {
    case KILN_VALUE_NONE:
        return UINT64_C(0x6e6f6e65);
    case KILN_VALUE_BOOL:
        return mix64(v->u.b ? 1 : 0);
    case KILN_VALUE_INT:
        return mix64((uint64_t)v->u.i);
    case KILN_VALUE_FLOAT: {
        int64_t i;
        if (float_as_int64(v->u.d, &i))
            return mix64((uint64_t)i);
        uint64_t bits;
        memcpy(&bits, &v->u.d, sizeof bits);
        return mix64(bits);
    }
    case KILN_VALUE_STR: {
        uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
        for (size_t i = 0; i < v->u.s.len; i++) {
            h ^= (unsigned char)v->u.s.data[i];
            h *= UINT64_C(1099511628211);
        }
        return mix64(h);
    }
    default:
        return 0;
    }
}

/* int == float exactly (2**53 + 1 != 2.0**53), as Python compares. */
static bool int_equals_float(int64_t i, double d)
{
    int64_t di;
    return float_as_int64(d, &di) && di == i;
}

static bool items_equal(const kiln_value *a, const kiln_value *b);

bool kiln_value_equal(const kiln_value *a, const kiln_value *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (is_number(a) && is_number(b)) {
        bool af = a->type == KILN_VALUE_FLOAT, bf = b->type == KILN_VALUE_FLOAT;
        if (af && bf)
            return a->u.d == b->u.d;
        if (af)
            return int_equals_float(kiln_value_as_int(b), a->u.d);
        if (bf)
            return int_equals_float(kiln_value_as_int(a), b->u.d);
        return kiln_value_as_int(a) == kiln_value_as_int(b);
    }
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case KILN_VALUE_NONE:
        return true;
    case KILN_VALUE_STR:
        return a->u.s.len == b->u.s.len &&
               memcmp(a->u.s.data, b->u.s.data, a->u.s.len) == 0;
    case KILN_VALUE_LIST:
        if (a->u.list.len != b->u.list.len)
            return false;
        for (size_t i = 0; i < a->u.list.len; i++)
            if (!items_equal(a->u.list.items[i], b->u.list.items[i]))
                return false;
        return true;
    case KILN_VALUE_DICT:
        if (a->u.dict.len != b->u.dict.len)
            return false;
        for (size_t i = 0; i < a->u.dict.len; i++) {
            const kiln_value *bv = kiln_value_dict_get(b, a->u.dict.keys[i]);
            if (bv == NULL || !items_equal(a->u.dict.vals[i], bv))
                return false;
        }
        return true;
    default:
        return false;
    }
}

/* Containers compare items by identity first, as Python does, so a list
 * holding a nan equals itself. */
static bool items_equal(const kiln_value *a, const kiln_value *b)
{
    return a == b || kiln_value_equal(a, b);
}

/* ---- dicts ---------------------------------------------------------- */

static void dict_index_insert(size_t *slots, size_t cap, uint64_t h,
                              size_t entry)
{
    size_t mask = cap - 1;
    size_t i = (size_t)h & mask;
    while (slots[i] != 0)
        i = (i + 1) & mask;
    slots[i] = entry + 1;
}

static int dict_index_rebuild(value_dict *d, size_t entries)
{
    size_t cap = 16;
    while (cap / 2 < entries) {
        if (cap > SIZE_MAX / sizeof(size_t) / 4)
            return KILN_NOMEM;
        cap *= 2;
    }
    size_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return KILN_NOMEM;
    for (size_t i = 0; i < d->len; i++)
        dict_index_insert(slots, cap, value_hash(d->keys[i]), i);
    free(d->index);
    d->index = slots;
    d->index_cap = cap;
    return KILN_OK;
}

/* The entry number of key, or SIZE_MAX. */
static size_t dict_find(const value_dict *d, const kiln_value *key, uint64_t h)
{
    if (d->index == NULL) {
        for (size_t i = 0; i < d->len; i++)
            if (items_equal(d->keys[i], key))
                return i;
        return SIZE_MAX;
    }
    size_t mask = d->index_cap - 1;
    for (size_t i = (size_t)h & mask; d->index[i] != 0; i = (i + 1) & mask) {
        size_t e = d->index[i] - 1;
        if (items_equal(d->keys[e], key))
            return e;
    }
    return SIZE_MAX;
}

static bool hashable(const kiln_value *v)
{
    return v->type != KILN_VALUE_LIST && v->type != KILN_VALUE_DICT;
}

int kiln_value_dict_set(kiln_value *dict, kiln_value *key, kiln_value *value,
                        kiln_error *err)
{
    if (dict == NULL || key == NULL || value == NULL)
        return kiln_error_set(err, KILN_NOMEM, "out of memory");
    if (dict->type != KILN_VALUE_DICT)
        return kiln_error_set(err, KILN_TYPE, "'%s' object is not a dict",
                              kiln_value_type_name(dict));
    if (!hashable(key))
        return kiln_error_set(err, KILN_TYPE, "unhashable type: '%s'",
                              kiln_value_type_name(key));
    if (value->depth >= KILN_VALUE_MAX_DEPTH)
        return kiln_error_set(err, KILN_VALUE,
                              "values may nest at most %d levels deep",
                              KILN_VALUE_MAX_DEPTH);
    if (value->depth + 1 > dict->depth)
        dict->depth = value->depth + 1;
    value_dict *d = &dict->u.dict;
    uint64_t h = value_hash(key);
    size_t e = dict_find(d, key, h);
    if (e != SIZE_MAX) {
        /* Python keeps the first key and its position: {1: 'a', 1.0: 'b'}
         * is {1: 'b'}. */
        kiln_value *old = d->vals[e];
        d->vals[e] = kiln_value_ref(value);
        kiln_value_unref(old);
        return KILN_OK;
    }
    if (d->len == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof(kiln_value *))
            return kiln_error_set(err, KILN_NOMEM, "out of memory");
        kiln_value **keys = realloc(d->keys, cap * sizeof *keys);
        if (keys == NULL)
            return kiln_error_set(err, KILN_NOMEM, "out of memory");
        d->keys = keys;
        kiln_value **vals = realloc(d->vals, cap * sizeof *vals);
        if (vals == NULL)
            return kiln_error_set(err, KILN_NOMEM, "out of memory");
        d->vals = vals;
        d->cap = cap;
    }
    if (d->len + 1 >= DICT_INDEX_MIN && (d->len + 1) * 2 > d->index_cap) {
        if (dict_index_rebuild(d, d->len + 1) != KILN_OK)
            return kiln_error_set(err, KILN_NOMEM, "out of memory");
    }
    d->keys[d->len] = kiln_value_ref(key);
    d->vals[d->len] = kiln_value_ref(value);
    if (d->index != NULL)
        dict_index_insert(d->index, d->index_cap, h, d->len);
    d->len++;
    return KILN_OK;
}

kiln_value *kiln_value_dict_get(const kiln_value *v, const kiln_value *key)
{
    if (v == NULL || key == NULL || v->type != KILN_VALUE_DICT ||
        !hashable(key))
        return NULL;
    size_t e = dict_find(&v->u.dict, key, value_hash(key));
    return e == SIZE_MAX ? NULL : v->u.dict.vals[e];
}

void kiln_value_dict_item(const kiln_value *v, size_t i, kiln_value **key,
                          kiln_value **value)
{
    bool ok = v != NULL && v->type == KILN_VALUE_DICT && i < v->u.dict.len;
    if (key != NULL)
        *key = ok ? v->u.dict.keys[i] : NULL;
    if (value != NULL)
        *value = ok ? v->u.dict.vals[i] : NULL;
}

/* ---- accessors ------------------------------------------------------ */

kiln_value_type kiln_value_type_of(const kiln_value *v)
{
    return v->type;
}

const char *kiln_value_type_name(const kiln_value *v)
{
    static const char *const names[] = {
        [KILN_VALUE_NONE] = "NoneType", [KILN_VALUE_BOOL] = "bool",
        [KILN_VALUE_INT] = "int",       [KILN_VALUE_FLOAT] = "float",
        [KILN_VALUE_STR] = "str",       [KILN_VALUE_LIST] = "list",
        [KILN_VALUE_DICT] = "dict",
    };
    return names[v->type];
}

bool kiln_value_as_bool(const kiln_value *v)
{
    return v->type == KILN_VALUE_BOOL && v->u.b;
}

int64_t kiln_value_as_int(const kiln_value *v)
{
    if (v->type == KILN_VALUE_INT)
        return v->u.i;
    if (v->type == KILN_VALUE_BOOL)
        return v->u.b ? 1 : 0;
    return 0;
}

double kiln_value_as_float(const kiln_value *v)
{
    if (v->type == KILN_VALUE_FLOAT)
        return v->u.d;
    return (double)kiln_value_as_int(v);
}

const char *kiln_value_as_str(const kiln_value *v, size_t *len)
{
    if (v->type != KILN_VALUE_STR) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    if (len != NULL)
        *len = v->u.s.len;
    return v->u.s.data;
}

size_t kiln_value_len(const kiln_value *v)
{
    switch (v->type) {
    case KILN_VALUE_STR:
        return v->u.s.len;
    case KILN_VALUE_LIST:
        return v->u.list.len;
    case KILN_VALUE_DICT:
        return v->u.dict.len;
    default:
        return 0;
    }
}

kiln_value *kiln_value_list_get(const kiln_value *v, size_t i)
{
    if (v->type != KILN_VALUE_LIST || i >= v->u.list.len)
        return NULL;
    return v->u.list.items[i];
}

bool kiln_value_truthy(const kiln_value *v)
{
    switch (v->type) {
    case KILN_VALUE_NONE:
        return false;
    case KILN_VALUE_BOOL:
        return v->u.b;
    case KILN_VALUE_INT:
        return v->u.i != 0;
    case KILN_VALUE_FLOAT:
        return v->u.d != 0.0; /* nan is true, as in Python */
    default:
        return kiln_value_len(v) != 0;
    }
}

/* ---- float repr ----------------------------------------------------- */

static const uint64_t pow10_u64[] = {
    UINT64_C(1),
    UINT64_C(10),
    UINT64_C(100),
    UINT64_C(1000),
    UINT64_C(10000),
    UINT64_C(100000),
    UINT64_C(1000000),
    UINT64_C(10000000),
    UINT64_C(100000000),
    UINT64_C(1000000000),
    UINT64_C(10000000000),
    UINT64_C(100000000000),
    UINT64_C(1000000000000),
    UINT64_C(10000000000000),
    UINT64_C(100000000000000),
    UINT64_C(1000000000000000),
    UINT64_C(10000000000000000),
    UINT64_C(100000000000000000),
};

/* Does mantissa * 10**exp read back as d?  The text has no radix character
 * ("12345e-7"), so strtod's locale does not matter. */
static bool round_trips(uint64_t mantissa, int exp, double d)
{
    char text[48];
    snprintf(text, sizeof text, "%" PRIu64 "e%d", mantissa, exp);
    return strtod(text, NULL) == d;
}

/* Is there a p-digit decimal that reads back as d (finite, > 0)?  If so,
 * *mantissa (p digits) and *exp10 give the one nearest d: d reads back from
 * mantissa * 10**(*exp10 - p + 1).  printf gives the nearest p-digit
 * decimal, rounding exactly and ties to even as David Gay's dtoa does; when
 * d is a power of two its rounding interval is lopsided, so the next
 * p-digit decimal on either side may round-trip where the nearest does
 * not.  Nothing further away can (the interval is convex). */
static bool probe(double d, int p, uint64_t *mantissa, int *exp10)
{
    char text[48];
    snprintf(text, sizeof text, "%.*e", p - 1, d);
    /* "d[.ddd]e[+-]XX", whatever the radix character is. */
    uint64_t m = 0;
    const char *c = text;
    for (; *c != 'e' && *c != '\0'; c++)
        if (*c >= '0' && *c <= '9')
            m = m * 10 + (uint64_t)(*c - '0');
    int e = *c == 'e' ? atoi(c + 1) : 0;
    uint64_t cand[3] = {m, m + 1, m - 1};
    for (int k = 0; k < 3; k++) {
        uint64_t cm = cand[k];
        int ce = e;
        if (cm == pow10_u64[p]) { /* 99..9 + 1: a decade up */
            cm = pow10_u64[p - 1];
            ce++;
        }
        if (cm < pow10_u64[p - 1]) { /* 10..0 - 1: 99..9 a decade down */
            cm = pow10_u64[p] - 1;
            ce--;
        }
        if (round_trips(cm, ce - (p - 1), d)) {
            *mantissa = cm;
            *exp10 = ce;
            return true;
        }
    }
    return false;
}

/* The shortest decimal digits that read back as d (finite, > 0), as
 * Python's repr (dtoa mode 0): d is digits * 10**(*exp10 - ndigits + 1).
 * Whether some p-digit decimal round-trips is monotone in p (a p-digit
 * decimal is also a (p+1)-digit one), so the shortest p is found by
 * bisection; most values people type have at most 15 digits, most computed
 * ones need 16 or 17, so 15 is tried first. */
static void shortest_digits(double d, char digits[20], int *ndigits,
                            int *exp10)
{
    uint64_t m = 0;
    int e = 0, lo, hi;
    if (probe(d, 15, &m, &e)) {
        lo = 1;
        hi = 15;
    } else {
        lo = 16;
        hi = 17; /* 17 digits always round-trip */
    }
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (probe(d, mid, &m, &e))
            hi = mid;
        else
            lo = mid + 1;
    }
    probe(d, lo, &m, &e);
    int n = snprintf(digits, 20, "%" PRIu64, m);
    while (n > 1 && digits[n - 1] == '0')
        digits[--n] = '\0';
    *ndigits = n;
    *exp10 = e;
}

int kiln_format_float(double d, kiln_buf *out)
{
    if (isnan(d))
        return kiln_buf_puts(out, "nan");
    if (isinf(d))
        return kiln_buf_puts(out, d < 0 ? "-inf" : "inf");
    char text[64];
    size_t n = 0;
    if (signbit(d)) {
        text[n++] = '-';
        d = -d;
    }
    if (d == 0.0)
        return kiln_buf_printf(out, "%.*s0.0", (int)n, text);
    char digits[20];
    int nd, e;
    shortest_digits(d, digits, &nd, &e);
    /* Python's float_repr_style 'short': positional when the decimal point
     * falls within -4 < decpt <= 16 (decpt = e + 1), else exponent form
     * with at least two exponent digits. */
    int decpt = e + 1;
    if (decpt <= -4 || decpt > 16) {
        text[n++] = digits[0];
        if (nd > 1) {
            text[n++] = '.';
            memcpy(text + n, digits + 1, (size_t)nd - 1);
            n += (size_t)nd - 1;
        }
        n += (size_t)snprintf(text + n, sizeof text - n, "e%c%02d",
                              e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (decpt <= 0) {
        text[n++] = '0';
        text[n++] = '.';
        for (int i = 0; i < -decpt; i++)
            text[n++] = '0';
        memcpy(text + n, digits, (size_t)nd);
        n += (size_t)nd;
    } else if (decpt >= nd) {
        memcpy(text + n, digits, (size_t)nd);
        n += (size_t)nd;
        for (int i = nd; i < decpt; i++)
            text[n++] = '0';
        text[n++] = '.';
        text[n++] = '0';
    } else {
        memcpy(text + n, digits, (size_t)decpt);
        n += (size_t)decpt;
        text[n++] = '.';
        memcpy(text + n, digits + decpt, (size_t)(nd - decpt));
        n += (size_t)(nd - decpt);
    }
    return kiln_buf_append(out, text, n);
}

/* ---- text forms ----------------------------------------------------- */

typedef enum text_mode { MODE_REPR, MODE_JSON } text_mode;

/* Python's str.__repr__: single quotes unless the text has a ' and no ".
 * Control characters (C0, DEL, C1) are escaped as Python escapes them;
 * other non-ASCII text is printed as is (Python also escapes a few
 * non-printable code points such as U+2028, which this does not). Bytes
 * that are not valid UTF-8 are shown as \xNN. */
static int repr_str(const char *s, size_t n, kiln_buf *out)
{
    char q = (memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL) ? '"'
                                                                       : '\'';
    if (kiln_buf_putc(out, q) != KILN_OK)
        return KILN_NOMEM;
    size_t run = 0; /* start of the pending run of plain bytes */
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = kiln_utf8_decode(s + i, n - i, &cp);
        char esc[8];
        const char *e = NULL;
        if (k == 0) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)s[i]);
            e = esc;
            k = 1;
        } else if (cp == (uint32_t)q || cp == '\\') {
            esc[0] = '\\';
            esc[1] = (char)cp;
            esc[2] = '\0';
            e = esc;
        } else if (cp == '\t') {
            e = "\\t";
        } else if (cp == '\n') {
            e = "\\n";
        } else if (cp == '\r') {
            e = "\\r";
        } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
            e = esc;
        }
        if (e != NULL) {
            if (kiln_buf_append(out, s + run, i - run) != KILN_OK ||
                kiln_buf_puts(out, e) != KILN_OK)
                return KILN_NOMEM;
            run = i + k;
        }
        i += k;
    }
    if (kiln_buf_append(out, s + run, n - run) != KILN_OK)
        return KILN_NOMEM;
    return kiln_buf_putc(out, q);
}

/* json.dumps(s, ensure_ascii=False): " \ and control characters escaped,
 * everything else as UTF-8.  Bytes that are not valid UTF-8 become U+FFFD
 * so the output is always valid JSON. */
static int json_str(const char *s, size_t n, kiln_buf *out)
{
    if (kiln_buf_putc(out, '"') != KILN_OK)
        return KILN_NOMEM;
    size_t run = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        const char *e = NULL;
        size_t k = 1;
        if (c >= 0x80) {
            uint32_t cp;
            k = kiln_utf8_decode(s + i, n - i, &cp);
            if (k == 0) {
                e = "\xEF\xBF\xBD";
                k = 1;
            }
        } else if (c == '"') {
            e = "\\\"";
        } else if (c == '\\') {
            e = "\\\\";
        } else if (c == '\n') {
            e = "\\n";
        } else if (c == '\r') {
            e = "\\r";
        } else if (c == '\t') {
            e = "\\t";
        } else if (c == '\b') {
            e = "\\b";
        } else if (c == '\f') {
            e = "\\f";
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            e = esc;
        }
        if (e != NULL) {
            if (kiln_buf_append(out, s + run, i - run) != KILN_OK ||
                kiln_buf_puts(out, e) != KILN_OK)
                return KILN_NOMEM;
            run = i + k;
        }
        i += k;
    }
    if (kiln_buf_append(out, s + run, n - run) != KILN_OK)
        return KILN_NOMEM;
    return kiln_buf_putc(out, '"');
}

/* A float as json.dumps writes it: repr, or NaN / Infinity / -Infinity. */
static int json_float(double d, kiln_buf *out)
{
    if (isnan(d))
        return kiln_buf_puts(out, "NaN");
    if (isinf(d))
        return kiln_buf_puts(out, d < 0 ? "-Infinity" : "Infinity");
    return kiln_format_float(d, out);
}

static int write_value(const kiln_value *v, text_mode mode, kiln_buf *out);

/* json.dumps turns non-str keys into strings: 1 -> "1", 1.5 -> "1.5",
 * True -> "true", None -> "null", nan -> "NaN". */
static int json_key(const kiln_value *k, kiln_buf *out)
{
    if (k->type == KILN_VALUE_STR)
        return json_str(k->u.s.data, k->u.s.len, out);
    if (kiln_buf_putc(out, '"') != KILN_OK ||
        write_value(k, MODE_JSON, out) != KILN_OK)
        return KILN_NOMEM;
    return kiln_buf_putc(out, '"');
}

static int write_value(const kiln_value *v, text_mode mode, kiln_buf *out)
{
    bool json = mode == MODE_JSON;
    if (out->len > KILN_VALUE_MAX_TEXT)
        return KILN_NOMEM;
    switch (v->type) {
    case KILN_VALUE_NONE:
        return kiln_buf_puts(out, json ? "null" : "None");
    case KILN_VALUE_BOOL:
        if (json)
            return kiln_buf_puts(out, v->u.b ? "true" : "false");
        return kiln_buf_puts(out, v->u.b ? "True" : "False");
    case KILN_VALUE_INT:
        return kiln_buf_printf(out, "%" PRId64, v->u.i);
    case KILN_VALUE_FLOAT:
        return json ? json_float(v->u.d, out) : kiln_format_float(v->u.d, out);
    case KILN_VALUE_STR:
        if (v->u.s.len > KILN_VALUE_MAX_TEXT - out->len)
            return KILN_NOMEM;
        return json ? json_str(v->u.s.data, v->u.s.len, out)
                    : repr_str(v->u.s.data, v->u.s.len, out);
    case KILN_VALUE_LIST:
        if (kiln_buf_putc(out, '[') != KILN_OK)
            return KILN_NOMEM;
        for (size_t i = 0; i < v->u.list.len; i++) {
            if (i > 0 && kiln_buf_puts(out, ", ") != KILN_OK)
                return KILN_NOMEM;
            if (write_value(v->u.list.items[i], mode, out) != KILN_OK)
                return KILN_NOMEM;
        }
        return kiln_buf_putc(out, ']');
    case KILN_VALUE_DICT:
        if (kiln_buf_putc(out, '{') != KILN_OK)
            return KILN_NOMEM;
        for (size_t i = 0; i < v->u.dict.len; i++) {
            if (i > 0 && kiln_buf_puts(out, ", ") != KILN_OK)
                return KILN_NOMEM;
            int rc = json ? json_key(v->u.dict.keys[i], out)
                          : write_value(v->u.dict.keys[i], mode, out);
            if (rc != KILN_OK || kiln_buf_puts(out, ": ") != KILN_OK ||
                write_value(v->u.dict.vals[i], mode, out) != KILN_OK)
                return KILN_NOMEM;
        }
        return kiln_buf_putc(out, '}');
    }
    return KILN_OK;
}

int kiln_value_repr(const kiln_value *v, kiln_buf *out)
{
    return write_value(v, MODE_REPR, out);
}

int kiln_value_repr_brief(const kiln_value *v, kiln_buf *out)
{
    if (v->type != KILN_VALUE_STR || v->u.s.len <= KILN_VALUE_BRIEF_BYTES)
        return write_value(v, MODE_REPR, out);
    size_t n = 0;
    while (n < KILN_VALUE_BRIEF_BYTES) {
        size_t k = kiln_utf8_step(v->u.s.data + n, v->u.s.len - n);
        if (n + k > KILN_VALUE_BRIEF_BYTES)
            break;
        n += k;
    }
    if (repr_str(v->u.s.data, n, out) != KILN_OK)
        return KILN_NOMEM;
    return kiln_buf_puts(out, "...");
}

int kiln_value_to_str(const kiln_value *v, kiln_buf *out)
{
    if (v->type == KILN_VALUE_STR)
        return kiln_buf_append(out, v->u.s.data, v->u.s.len);
    return write_value(v, MODE_REPR, out);
}

int kiln_value_to_json(const kiln_value *v, kiln_buf *out)
{
    return write_value(v, MODE_JSON, out);
}
