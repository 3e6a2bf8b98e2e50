/* kiln — the operators of the expression language: arithmetic, repetition
 * and concatenation, subscripts and ordering (see expr_impl.h).
 *
 * Semantics and error messages are CPython 3.11's (Objects/longobject.c,
 * floatobject.c, unicodeobject.c, listobject.c, abstract.c), with ints
 * limited to 64 bits: a result outside them is an OverflowError.
 */
#include "expr_impl.h"
#include "core/utf8.h"


#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *op_text(kiln__op op)
{
    switch (op) {
    case KILN__OP_PLUS: return "+";
    case KILN__OP_MINUS: return "-";
    case KILN__OP_STAR: return "*";
    case KILN__OP_SLASH: return "/";
    case KILN__OP_DSLASH: return "//";
    case KILN__OP_PERCENT: return "%";
    case KILN__OP_DSTAR: return "**";
    default: return "?";
    }
}

static bool is_number(const kiln_value *v)
{
    kiln_value_type t = kiln_value_type_of(v);
    return t == KILN_VALUE_BOOL || t == KILN_VALUE_INT || t == KILN_VALUE_FLOAT;
}

static bool is_intlike(const kiln_value *v)
{
    kiln_value_type t = kiln_value_type_of(v);
    return t == KILN_VALUE_BOOL || t == KILN_VALUE_INT;
}

int kiln__int_overflow(kiln_error *err, const char *what)
{
    return kiln_error_set(err, KILN_OVERFLOW,
                          "int overflow: %s does not fit in 64 bits", what);
}

static int int_op_overflow(kiln_error *err, int64_t a, kiln__op op, int64_t b)
{
    char what[96];
    snprintf(what, sizeof what, "%" PRId64 " %s %" PRId64, a, op_text(op), b);
    return kiln__int_overflow(err, what);
}

/* ---- ints ----------------------------------------------------------- */

/* base ** exp for exp >= 0 by squaring.  A square that overflows is always
 * needed later (a higher exponent bit is still set), so overflowing there
 * means the result overflows too. */
static bool int_pow(int64_t base, int64_t exp, int64_t *out)
{
    int64_t result = 1;
    for (;;) {
        if ((exp & 1) && __builtin_mul_overflow(result, base, &result))
            return false;
        exp >>= 1;
        if (exp == 0)
            break;
        if (__builtin_mul_overflow(base, base, &base))
            return false;
    }
    *out = result;
    return true;
}

/* a / b for ints, correctly rounded like CPython's long_true_divide.  When
 * both fit in 53 bits one IEEE division is exact-then-rounded; otherwise
 * the quotient is developed bit by bit to 55+ significant bits plus a
 * sticky bit and rounded half-to-even once. */
static double int_true_divide(int64_t a, int64_t b)
{
    bool neg = (a < 0) != (b < 0);
    uint64_t ua = a < 0 ? -(uint64_t)a : (uint64_t)a;
    uint64_t ub = b < 0 ? -(uint64_t)b : (uint64_t)b;
    if (ua == 0)
        return neg ? -0.0 : 0.0;
    const uint64_t two53 = UINT64_C(1) << 53;
    if (ua <= two53 && ub <= two53) {
        double r = (double)ua / (double)ub;
        return neg ? -r : r;
    }
    uint64_t q = ua / ub, r = ua % ub;
    int e = 0;
    while (q < (UINT64_C(1) << 54)) {
        q <<= 1;
        e--;
        if (r >= ub - r) { /* 2r >= ub, without overflowing 2r */
            q |= 1;
            r -= ub - r;
        } else {
            r <<= 1;
        }
    }
    int s = (64 - __builtin_clzll(q)) - 53;
    uint64_t mant = q >> s;
    uint64_t rest = q & ((UINT64_C(1) << s) - 1);
    uint64_t half = UINT64_C(1) << (s - 1);
    if (rest > half || (rest == half && (r != 0 || (mant & 1))))
        mant++;
    double d = ldexp((double)mant, e + s);
    return neg ? -d : d;
}

static int int_binop(kiln__op op, int64_t a, int64_t b, kiln_value **out,
                     kiln_error *err)
{
    int64_t r;
    switch (op) {
    case KILN__OP_PLUS:
        if (__builtin_add_overflow(a, b, &r))
            return int_op_overflow(err, a, op, b);
        break;
    case KILN__OP_MINUS:
        if (__builtin_sub_overflow(a, b, &r))
            return int_op_overflow(err, a, op, b);
        break;
    case KILN__OP_STAR:
        if (__builtin_mul_overflow(a, b, &r))
            return int_op_overflow(err, a, op, b);
        break;
    case KILN__OP_SLASH:
        if (b == 0)
            return kiln_error_set(err, KILN_ZERODIV, "division by zero");
        return kiln__give(kiln_value_float(int_true_divide(a, b)), out, err);
    case KILN__OP_DSLASH:
        if (b == 0)
            return kiln_error_set(err, KILN_ZERODIV,
                                  "integer division or modulo by zero");
        if (a == INT64_MIN && b == -1)
            return int_op_overflow(err, a, op, b);
        r = a / b;
        if (a % b != 0 && ((a < 0) != (b < 0)))
            r--;
        break;
    case KILN__OP_PERCENT:
        if (b == 0)
            return kiln_error_set(err, KILN_ZERODIV,
                                  "integer modulo by zero");
        if (b == -1) { /* INT64_MIN % -1 is undefined in C */
            r = 0;
            break;
        }
        r = a % b;
        if (r != 0 && ((r < 0) != (b < 0)))
            r += b;
        break;
    case KILN__OP_DSTAR:
        if (b < 0) { /* int ** negative int is a float, as in Python */
            double d;
            int rc = kiln__float_pow((double)a, (double)b, &d, err);
            if (rc != KILN_OK)
                return rc;
            return kiln__give(kiln_value_float(d), out, err);
        }
        if (!int_pow(a, b, &r))
            return int_op_overflow(err, a, op, b);
        break;
    default:
        return kiln_error_set(err, KILN_INTERNAL, "unknown operator");
    }
    return kiln__give(kiln_value_int(r), out, err);
}

/* ---- floats --------------------------------------------------------- */

static bool is_odd_integer(double d)
{
    /* Valid for finite d: beyond 2**53 every double is even. */
    return fabs(fmod(d, 2.0)) == 1.0;
}

int kiln__float_pow(double iv, double iw, double *out, kiln_error *err)
{
    /* CPython's float_pow, case by case (C's pow differs on some of
     * them, and libms disagree on others). */
    bool negate = false;
    if (iw == 0) {
        *out = 1.0;
        return KILN_OK;
    }
    if (isnan(iv)) {
        *out = iv;
        return KILN_OK;
    }
    if (isnan(iw)) {
        *out = iv == 1.0 ? 1.0 : iw;
        return KILN_OK;
    }
    if (isinf(iw)) {
        iv = fabs(iv);
        if (iv == 1.0)
            *out = 1.0;
        else if ((iw > 0.0) == (iv > 1.0))
            *out = fabs(iw);
        else
            *out = 0.0;
        return KILN_OK;
    }
    if (isinf(iv)) {
        bool odd = is_odd_integer(iw);
        if (iw > 0.0)
            *out = odd ? iv : fabs(iv);
        else
            *out = odd ? copysign(0.0, iv) : 0.0;
        return KILN_OK;
    }
    if (iv == 0.0) {
        if (iw < 0.0)
            return kiln_error_set(err, KILN_ZERODIV,
                                  "0.0 cannot be raised to a negative power");
        *out = is_odd_integer(iw) ? iv : 0.0;
        return KILN_OK;
    }
    if (iv < 0.0) {
        if (iw != floor(iw))
            /* Python's answer is a complex number, which the language
             * does not have. */
            return kiln_error_set(err, KILN_VALUE,
                                  "negative number cannot be raised to a "
                                  "fractional power");
        iv = -iv;
        negate = is_odd_integer(iw);
    }
    if (iv == 1.0) {
        *out = negate ? -1.0 : 1.0;
        return KILN_OK;
    }
    double ix = pow(iv, iw);
    if (isinf(ix))
        return kiln_error_set(err, KILN_OVERFLOW,
                              "(34, 'Numerical result out of range')");
    *out = negate ? -ix : ix;
    return KILN_OK;
}

static int float_binop(kiln__op op, double a, double b, kiln_value **out,
                       kiln_error *err)
{
    double r = 0.0;
    switch (op) {
    case KILN__OP_PLUS: r = a + b; break;
    case KILN__OP_MINUS: r = a - b; break;
    case KILN__OP_STAR: r = a * b; break;
    case KILN__OP_SLASH:
        if (b == 0.0)
            return kiln_error_set(err, KILN_ZERODIV, "float division by zero");
        r = a / b;
        break;
    case KILN__OP_DSLASH: {
        if (b == 0.0)
            return kiln_error_set(err, KILN_ZERODIV,
                                  "float floor division by zero");
        /* CPython's _float_div_mod: floor of the exact quotient, with the
         * division adjusted so that div * b + mod == a. */
        double mod = fmod(a, b);
        double div = (a - mod) / b;
        if (mod != 0.0 && ((b < 0) != (mod < 0)))
            div -= 1.0;
        if (div != 0.0) {
            r = floor(div);
            if (div - r > 0.5)
                r += 1.0;
        } else {
            r = copysign(0.0, a / b);
        }
        break;
    }
    case KILN__OP_PERCENT:
        if (b == 0.0)
            return kiln_error_set(err, KILN_ZERODIV, "float modulo");
        r = fmod(a, b);
        if (r != 0.0) {
            if ((b < 0) != (r < 0))
                r += b;
        } else {
            r = copysign(0.0, b);
        }
        break;
    case KILN__OP_DSTAR: {
        int rc = kiln__float_pow(a, b, &r, err);
        if (rc != KILN_OK)
            return rc;
        break;
    }
    default:
        return kiln_error_set(err, KILN_INTERNAL, "unknown operator");
    }
    return kiln__give(kiln_value_float(r), out, err);
}

int kiln__float_to_int(double d, int64_t *out, kiln_error *err)
{
    if (isnan(d))
        return kiln_error_set(err, KILN_VALUE,
                              "cannot convert float NaN to integer");
    if (isinf(d))
        return kiln_error_set(err, KILN_OVERFLOW,
                              "cannot convert float infinity to integer");
    double t = trunc(d);
    if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0)) {
        kiln_buf b;
        kiln_buf_init(&b);
        int rc = kiln_format_float(t, &b);
        rc = rc != KILN_OK ? kiln_error_nomem(err)
                           : kiln__int_overflow(err, kiln_buf_str(&b));
        kiln_buf_fini(&b);
        return rc;
    }
    *out = (int64_t)t;
    return KILN_OK;
}

/* ---- sequences ------------------------------------------------------ */

static int too_big(kiln_error *err, const char *what, size_t a, size_t b,
                   size_t limit)
{
    return kiln_error_set(err, KILN_NOMEM,
                          "cannot make a %s of %zu x %zu %s (the limit is "
                          "%zu)",
                          what, a, b,
                          what[0] == 's' ? "bytes" : "items", limit);
}

/* The repeat count of a sequence; <= 0 gives an empty result. */
static size_t repeat_count(const kiln_value *n)
{
    int64_t k = kiln_value_as_int(n);
    return k <= 0 ? 0 : (uint64_t)k > SIZE_MAX ? SIZE_MAX : (size_t)k;
}

static int str_concat(kiln_value *a, const kiln_value *b, kiln_value **out,
                      kiln_error *err)
{
    size_t na, nb;
    const char *sb = kiln_value_as_str(b, &nb);
    const char *sa = kiln_value_as_str(a, &na);
    if (nb > KILN__MAX_STR_BYTES - na) {
        kiln_value_unref(a);
        return too_big(err, "str", na + nb, 1, KILN__MAX_STR_BYTES);
    }
    /* Growing a value nobody else holds keeps 'a' + 'b' + ... linear. */
    if (kiln__value_unique(a) && a != b) {
        if (kiln__value_str_extend(&a, sb, nb) != KILN_OK) {
            kiln_value_unref(a);
            return kiln_error_nomem(err);
        }
        *out = a;
        return KILN_OK;
    }
    char *data;
    kiln_value *r = kiln__value_str_alloc(na + nb, &data);
    if (r != NULL) {
        memcpy(data, sa, na);
        memcpy(data + na, sb, nb);
    }
    kiln_value_unref(a);
    return kiln__give(r, out, err);
}

static int str_repeat(const kiln_value *s, size_t k, kiln_value **out,
                      kiln_error *err)
{
    size_t n;
    const char *src = kiln_value_as_str(s, &n);
    if (n == 0 || k == 0)
        return kiln__give(kiln_value_str("", 0), out, err);
    if (k > KILN__MAX_STR_BYTES / n)
        return too_big(err, "str", n, k, KILN__MAX_STR_BYTES);
    char *data;
    kiln_value *r = kiln__value_str_alloc(n * k, &data);
    if (r == NULL)
        return kiln_error_nomem(err);
    for (size_t i = 0; i < k; i++)
        memcpy(data + i * n, src, n);
    *out = r;
    return KILN_OK;
}

/* Items of src appended to dst. */
static int list_extend(kiln_value *dst, const kiln_value *src, size_t times)
{
    size_t n = kiln_value_len(src);
    if (kiln__value_list_reserve(dst, n * times) != KILN_OK)
        return KILN_NOMEM;
    for (size_t t = 0; t < times; t++)
        for (size_t i = 0; i < n; i++)
            if (kiln_value_list_append(dst, kiln_value_list_get(src, i)) !=
                KILN_OK)
                return KILN_NOMEM;
    return KILN_OK;
}

static int list_concat(kiln_value *a, const kiln_value *b, kiln_value **out,
                       kiln_error *err)
{
    size_t na = kiln_value_len(a), nb = kiln_value_len(b);
    if (nb > KILN__MAX_LIST_ITEMS - na) {
        kiln_value_unref(a);
        return too_big(err, "list", na + nb, 1, KILN__MAX_LIST_ITEMS);
    }
    if (kiln__value_unique(a) && a != b) {
        if (list_extend(a, b, 1) != KILN_OK) {
            kiln_value_unref(a);
            return kiln_error_nomem(err);
        }
        *out = a;
        return KILN_OK;
    }
    kiln_value *r = kiln_value_list_new();
    if (r == NULL || list_extend(r, a, 1) != KILN_OK ||
        list_extend(r, b, 1) != KILN_OK) {
        kiln_value_unref(r);
        kiln_value_unref(a);
        return kiln_error_nomem(err);
    }
    kiln_value_unref(a);
    *out = r;
    return KILN_OK;
}

static int list_repeat(const kiln_value *l, size_t k, kiln_value **out,
                       kiln_error *err)
{
    size_t n = kiln_value_len(l);
    if (n != 0 && k > KILN__MAX_LIST_ITEMS / n)
        return too_big(err, "list", n, k, KILN__MAX_LIST_ITEMS);
    kiln_value *r = kiln_value_list_new();
    if (r == NULL || list_extend(r, l, n == 0 ? 0 : k) != KILN_OK) {
        kiln_value_unref(r);
        return kiln_error_nomem(err);
    }
    *out = r;
    return KILN_OK;
}

static int unsupported(kiln__op op, const kiln_value *a, const kiln_value *b,
                       kiln_error *err)
{
    return kiln_error_set(err, KILN_TYPE,
                          "unsupported operand type(s) for %s: '%s' and '%s'",
                          op == KILN__OP_DSTAR ? "** or pow()" : op_text(op),
                          kiln_value_type_name(a), kiln_value_type_name(b));
}

/* Everything but number OP number. */
static int sequence_binop(kiln__op op, kiln_value *a, const kiln_value *b,
                          kiln_value **out, kiln_error *err)
{
    kiln_value_type ta = kiln_value_type_of(a), tb = kiln_value_type_of(b);
    if (op == KILN__OP_PLUS && (ta == KILN_VALUE_STR || ta == KILN_VALUE_LIST)) {
        if (tb == ta)
            return ta == KILN_VALUE_STR ? str_concat(a, b, out, err)
                                        : list_concat(a, b, out, err);
        kiln_error_set(err, KILN_TYPE,
                       "can only concatenate %s (not \"%s\") to %s",
                       kiln_value_type_name(a), kiln_value_type_name(b),
                       kiln_value_type_name(a));
        kiln_value_unref(a);
        return KILN_TYPE;
    }
    int rc;
    if (op == KILN__OP_STAR) {
        const kiln_value *seq = NULL, *n = NULL;
        if (ta == KILN_VALUE_STR || ta == KILN_VALUE_LIST) {
            seq = a;
            n = b;
        } else if (tb == KILN_VALUE_STR || tb == KILN_VALUE_LIST) {
            seq = b;
            n = a;
        }
        if (seq != NULL && is_intlike(n)) {
            size_t k = repeat_count(n);
            rc = kiln_value_type_of(seq) == KILN_VALUE_STR
                     ? str_repeat(seq, k, out, err)
                     : list_repeat(seq, k, out, err);
        } else if (seq != NULL) {
            rc = kiln_error_set(err, KILN_TYPE,
                                "can't multiply sequence by non-int of type "
                                "'%s'",
                                kiln_value_type_name(n));
        } else {
            rc = unsupported(op, a, b, err);
        }
        kiln_value_unref(a);
        return rc;
    }
    if (op == KILN__OP_PERCENT && ta == KILN_VALUE_STR)
        /* Python's printf-style formatting: not part of the language. */
        rc = kiln_error_set(err, KILN_TYPE,
                            "str %% formatting is not supported");
    else
        rc = unsupported(op, a, b, err);
    kiln_value_unref(a);
    return rc;
}

int kiln__binop(kiln__op op, kiln_value *a, const kiln_value *b,
                kiln_value **out, kiln_error *err)
{
    if (!is_number(a) || !is_number(b))
        return sequence_binop(op, a, b, out, err);
    int rc;
    if (kiln_value_type_of(a) == KILN_VALUE_FLOAT ||
        kiln_value_type_of(b) == KILN_VALUE_FLOAT)
        rc = float_binop(op, kiln_value_as_float(a), kiln_value_as_float(b),
                         out, err);
    else
        rc = int_binop(op, kiln_value_as_int(a), kiln_value_as_int(b), out,
                       err);
    kiln_value_unref(a);
    return rc;
}

int kiln__unary(kiln__op op, const kiln_value *v, kiln_value **out,
                kiln_error *err)
{
    kiln_value_type t = kiln_value_type_of(v);
    if (t == KILN_VALUE_FLOAT) {
        double d = kiln_value_as_float(v);
        return kiln__give(kiln_value_float(op == KILN__OP_MINUS ? -d : d), out, err);
    }
    if (t == KILN_VALUE_INT || t == KILN_VALUE_BOOL) {
        int64_t i = kiln_value_as_int(v);
        if (op == KILN__OP_MINUS) {
            if (i == INT64_MIN)
                return kiln__int_overflow(err, "-(-9223372036854775808)");
            i = -i;
        }
        return kiln__give(kiln_value_int(i), out, err);
    }
    return kiln_error_set(err, KILN_TYPE, "bad operand type for unary %s: '%s'",
                          op_text(op), kiln_value_type_name(v));
}

/* ---- subscripts ----------------------------------------------------- */

int kiln__index(const kiln_value *obj, const kiln_value *key,
                kiln_value **out, kiln_error *err)
{
    kiln_value_type t = kiln_value_type_of(obj);
    if (t == KILN_VALUE_DICT) {
        kiln_value_type kt = kiln_value_type_of(key);
        if (kt == KILN_VALUE_LIST || kt == KILN_VALUE_DICT)
            return kiln_error_set(err, KILN_TYPE, "unhashable type: '%s'",
                                  kiln_value_type_name(key));
        kiln_value *v = kiln_value_dict_get(obj, key);
        if (v == NULL) {
            /* Python's KeyError text is the key's repr. */
            kiln_buf b;
            kiln_buf_init(&b);
            int rc = kiln_value_repr_brief(key, &b) != KILN_OK
                         ? kiln_error_nomem(err)
                         : kiln_error_set(err, KILN_KEY, "%s",
                                          kiln_buf_str(&b));
            kiln_buf_fini(&b);
            return rc;
        }
        *out = kiln_value_ref(v);
        return KILN_OK;
    }
    if (t != KILN_VALUE_LIST && t != KILN_VALUE_STR)
        return kiln_error_set(err, KILN_TYPE,
                              "'%s' object is not subscriptable",
                              kiln_value_type_name(obj));
    if (!is_intlike(key)) {
        if (t == KILN_VALUE_LIST)
            return kiln_error_set(err, KILN_TYPE,
                                  "list indices must be integers or slices, "
                                  "not %s",
                                  kiln_value_type_name(key));
        return kiln_error_set(err, KILN_TYPE,
                              "string indices must be integers, not '%s'",
                              kiln_value_type_name(key));
    }
    int64_t i = kiln_value_as_int(key);
    if (t == KILN_VALUE_LIST) {
        int64_t n = (int64_t)kiln_value_len(obj);
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            return kiln_error_set(err, KILN_INDEX, "list index out of range");
        *out = kiln_value_ref(kiln_value_list_get(obj, (size_t)i));
        return KILN_OK;
    }
    /* str: by code point, as Python indexes. */
    size_t n;
    const char *s = kiln_value_as_str(obj, &n);
    int64_t count = (int64_t)kiln_utf8_count(s, n);
    if (i < 0)
        i += count;
    if (i < 0 || i >= count)
        return kiln_error_set(err, KILN_INDEX, "string index out of range");
    size_t pos = 0;
    for (int64_t k = 0; k < i; k++)
        pos += kiln_utf8_step(s + pos, n - pos);
    return kiln__give(kiln_value_str(s + pos, kiln_utf8_step(s + pos, n - pos)), out,
                err);
}

/* ---- ordering ------------------------------------------------------- */

/* Exact three-way comparison of an int and a finite or infinite float;
 * 2 for nan (unordered). */
static int cmp_int_float(int64_t i, double d)
{
    if (isnan(d))
        return 2;
    if (d >= 9223372036854775808.0)
        return -1;
    if (d < -9223372036854775808.0)
        return 1;
    double t = trunc(d);
    int64_t ti = (int64_t)t;
    if (i != ti)
        return i < ti ? -1 : 1;
    double frac = d - t;
    return frac > 0 ? -1 : frac < 0 ? 1 : 0;
}

/* -1, 0, 1, or 2 when unordered (nan). */
static int cmp_numbers(const kiln_value *a, const kiln_value *b)
{
    bool af = kiln_value_type_of(a) == KILN_VALUE_FLOAT;
    bool bf = kiln_value_type_of(b) == KILN_VALUE_FLOAT;
    if (af && bf) {
        double x = kiln_value_as_float(a), y = kiln_value_as_float(b);
        if (isnan(x) || isnan(y))
            return 2;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (af) {
        int c = cmp_int_float(kiln_value_as_int(b), kiln_value_as_float(a));
        return c == 2 ? 2 : -c;
    }
    if (bf)
        return cmp_int_float(kiln_value_as_int(a), kiln_value_as_float(b));
    int64_t x = kiln_value_as_int(a), y = kiln_value_as_int(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

int kiln__compare(const kiln_value *a, const kiln_value *b, bool gt,
                  bool *result, kiln_error *err)
{
    kiln_value_type ta = kiln_value_type_of(a), tb = kiln_value_type_of(b);
    if (is_number(a) && is_number(b)) {
        int c = cmp_numbers(a, b);
        *result = c != 2 && (gt ? c > 0 : c < 0);
        return KILN_OK;
    }
    if (ta == KILN_VALUE_STR && tb == KILN_VALUE_STR) {
        /* UTF-8 byte order is code point order. */
        size_t na, nb;
        const char *sa = kiln_value_as_str(a, &na);
        const char *sb = kiln_value_as_str(b, &nb);
        int c = memcmp(sa, sb, na < nb ? na : nb);
        if (c == 0)
            c = na < nb ? -1 : na > nb ? 1 : 0;
        *result = gt ? c > 0 : c < 0;
        return KILN_OK;
    }
    if (ta == KILN_VALUE_LIST && tb == KILN_VALUE_LIST) {
        /* Lexicographic: the first unequal pair decides, else length. */
        size_t na = kiln_value_len(a), nb = kiln_value_len(b);
        for (size_t i = 0; i < na && i < nb; i++) {
            const kiln_value *x = kiln_value_list_get(a, i);
            const kiln_value *y = kiln_value_list_get(b, i);
            if (x == y || kiln_value_equal(x, y))
                continue;
            return kiln__compare(x, y, gt, result, err);
        }
        *result = gt ? na > nb : na < nb;
        return KILN_OK;
    }
    return kiln_error_set(err, KILN_TYPE,
                          "'%s' not supported between instances of '%s' and "
                          "'%s'",
                          gt ? ">" : "<", kiln_value_type_name(a),
                          kiln_value_type_name(b));
}
