/* kiln — the builtin functions of the expression language: float, int,
 * str, bool, len, abs, min, max, round (see expr.h and expr_impl.h).
 *
 * Each follows CPython 3.11's behaviour and error wording for the argument
 * forms it accepts (no keyword arguments, no key= for min and max).
 */
#include "expr_impl.h"
#include "core/utf8.h"


#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*builtin_fn)(kiln_value *const *args, size_t n, kiln_value **out,
                          kiln_error *err);

static bool is_intlike(const kiln_value *v)
{
    kiln_value_type t = kiln_value_type_of(v);
    return t == KILN_VALUE_BOOL || t == KILN_VALUE_INT;
}

static bool is_number(const kiln_value *v)
{
    return is_intlike(v) || kiln_value_type_of(v) == KILN_VALUE_FLOAT;
}

/* An error whose message ends with the repr of a str argument, as
 * "could not convert string to float: 'abc'". */
static int error_with_repr(kiln_error *err, int code, const char *prefix,
                           const kiln_value *v)
{
    kiln_buf b;
    kiln_buf_init(&b);
    int rc = kiln_value_repr_brief(v, &b) != KILN_OK
                 ? kiln_error_nomem(err)
                 : kiln_error_set(err, code, "%s%s", prefix, kiln_buf_str(&b));
    kiln_buf_fini(&b);
    return rc;
}

/* ---- parsing numbers from text -------------------------------------- */

/* Python's str.strip() whitespace (Py_UNICODE_ISSPACE). */
static bool is_py_space(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) ||
           cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Python's str.strip(): leading and trailing Unicode whitespace.  Both
 * ends are scanned inward, so a long string costs only its whitespace;
 * bytes that are not UTF-8 count as text. */
static bool space_at(const char *p, size_t len, size_t *k)
{
    uint32_t cp;
    *k = kiln_utf8_decode(p, len, &cp);
    return *k != 0 && is_py_space(cp);
}

static void strip(const char **s, size_t *n)
{
    const char *p = *s;
    size_t start = 0, end = *n, k;
    while (start < end && space_at(p + start, end - start, &k))
        start += k;
    while (end > start) {
        size_t j = end - 1; /* back to the lead byte, at most 3 steps */
        while (j > start && end - j < 4 && ((unsigned char)p[j] & 0xC0) == 0x80)
            j--;
        if (!space_at(p + j, end - j, &k) || k != end - j)
            break;
        end = j;
    }
    *s = p + start;
    *n = end - start;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* digit (["_"] digit)* at *i. */
static bool digit_part(const char *s, size_t n, size_t *i)
{
    if (*i >= n || !is_digit(s[*i]))
        return false;
    while (*i < n) {
        if (is_digit(s[*i])) {
            (*i)++;
        } else if (s[*i] == '_' && *i + 1 < n && is_digit(s[*i + 1])) {
            (*i)++;
        } else {
            break;
        }
    }
    return true;
}

static bool equals_nocase(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i])
            return false;
    return true;
}

/* float(text): Python's grammar for float() (underscores between digits,
 * inf/infinity/nan in any case, surrounding whitespace). */
static int float_from_str(const kiln_value *v, double *out, kiln_error *err)
{
    size_t n;
    const char *s = kiln_value_as_str(v, &n);
    strip(&s, &n);
    double sign = 1.0;
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        sign = s[i++] == '-' ? -1.0 : 1.0;
    const char *body = s + i;
    size_t bn = n - i;
    if (equals_nocase(body, bn, "inf") || equals_nocase(body, bn, "infinity")) {
        *out = sign * HUGE_VAL;
        return KILN_OK;
    }
    if (equals_nocase(body, bn, "nan")) {
        *out = copysign(NAN, sign);
        return KILN_OK;
    }
    bool digits = digit_part(s, n, &i);
    if (i < n && s[i] == '.') {
        i++;
        if (digit_part(s, n, &i))
            digits = true;
    }
    if (digits && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (!digit_part(s, n, &i))
            digits = false;
    }
    if (!digits || i != n)
        return error_with_repr(err, KILN_VALUE,
                               "could not convert string to float: ", v);
    double d = 0.0;
    if (kiln__decimal_to_double(body, bn, &d) != KILN_OK)
        return kiln_error_nomem(err);
    *out = sign * d;
    return KILN_OK;
}

static int digit_value(int c)
{
    if (is_digit(c))
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    return 99;
}

/* int(text, base): Python's int() grammar (sign, optional 0x/0o/0b prefix
 * matching the base, single underscores between digits, whitespace). */
static int int_from_str(const kiln_value *v, int base, int64_t *out,
                        kiln_error *err)
{
    size_t n;
    const char *s = kiln_value_as_str(v, &n);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "invalid literal for int() with base %d: ",
             base);
    strip(&s, &n);
    bool neg = false;
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    bool prefixed = false;
    if (i + 1 < n && s[i] == '0') {
        int p = s[i + 1] | 0x20;
        int pb = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
        if (pb != 0 && (base == 0 || base == pb)) {
            base = pb;
            i += 2;
            prefixed = true;
            if (i < n && s[i] == '_') /* "0x_ff" is allowed */
                i++;
        }
    }
    bool base0 = base == 0;
    if (base0)
        base = 10;
    size_t first = i;
    uint64_t acc = 0;
    bool big = false, nonzero = false;
    while (i < n) {
        int d = digit_value((unsigned char)s[i]);
        if (d >= base)
            break;
        if (d != 0)
            nonzero = true;
        if (acc > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            big = true;
        acc = acc * (uint64_t)base + (uint64_t)d;
        i++;
        if (i + 1 < n && s[i] == '_' && digit_value((unsigned char)s[i + 1]) <
                                           base)
            i++;
    }
    /* Base 0 reads literals as Python source does: no "010". */
    bool leading_zero = base0 && !prefixed && i - first > 1 &&
                        s[first] == '0' && nonzero;
    if (i == first || i != n || leading_zero)
        return error_with_repr(err, KILN_VALUE, prefix, v);
    if (big || acc > (uint64_t)INT64_MAX + neg) {
        kiln_buf b;
        kiln_buf_init(&b);
        int rc = kiln_value_repr_brief(v, &b) != KILN_OK
                     ? kiln_error_nomem(err)
                     : kiln__int_overflow(err, kiln_buf_str(&b));
        kiln_buf_fini(&b);
        return rc;
    }
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return KILN_OK;
}

/* ---- float, int, str, bool, len, abs -------------------------------- */

static int bi_float(kiln_value *const *args, size_t n, kiln_value **out,
                    kiln_error *err)
{
    if (n > 1)
        return kiln_error_set(err, KILN_TYPE,
                              "float expected at most 1 argument, got %zu", n);
    if (n == 0)
        return kiln__give(kiln_value_float(0.0), out, err);
    const kiln_value *v = args[0];
    if (is_number(v))
        return kiln__give(kiln_value_float(kiln_value_as_float(v)), out, err);
    if (kiln_value_type_of(v) != KILN_VALUE_STR)
        return kiln_error_set(err, KILN_TYPE,
                              "float() argument must be a string or a real "
                              "number, not '%s'",
                              kiln_value_type_name(v));
    double d = 0.0;
    int rc = float_from_str(v, &d, err);
    return rc != KILN_OK ? rc : kiln__give(kiln_value_float(d), out, err);
}

static int bi_int(kiln_value *const *args, size_t n, kiln_value **out,
                  kiln_error *err)
{
    if (n > 2)
        return kiln_error_set(err, KILN_TYPE,
                              "int() takes at most 2 arguments (%zu given)", n);
    if (n == 0)
        return kiln__give(kiln_value_int(0), out, err);
    const kiln_value *v = args[0];
    int64_t i = 0;
    int rc;
    if (n == 2) {
        if (!is_intlike(args[1]))
            return kiln_error_set(err, KILN_TYPE,
                                  "'%s' object cannot be interpreted as an "
                                  "integer",
                                  kiln_value_type_name(args[1]));
        if (kiln_value_type_of(v) != KILN_VALUE_STR)
            return kiln_error_set(err, KILN_TYPE,
                                  "int() can't convert non-string with "
                                  "explicit base");
        int64_t base = kiln_value_as_int(args[1]);
        if (base != 0 && (base < 2 || base > 36))
            return kiln_error_set(err, KILN_VALUE,
                                  "int() base must be >= 2 and <= 36, or 0");
        rc = int_from_str(v, (int)base, &i, err);
    } else if (is_intlike(v)) {
        i = kiln_value_as_int(v);
        rc = KILN_OK;
    } else if (kiln_value_type_of(v) == KILN_VALUE_FLOAT) {
        rc = kiln__float_to_int(kiln_value_as_float(v), &i, err);
    } else if (kiln_value_type_of(v) == KILN_VALUE_STR) {
        rc = int_from_str(v, 10, &i, err);
    } else {
        return kiln_error_set(err, KILN_TYPE,
                              "int() argument must be a string, a bytes-like "
                              "object or a real number, not '%s'",
                              kiln_value_type_name(v));
    }
    return rc != KILN_OK ? rc : kiln__give(kiln_value_int(i), out, err);
}

static int bi_str(kiln_value *const *args, size_t n, kiln_value **out,
                  kiln_error *err)
{
    if (n > 1)
        return kiln_error_set(err, KILN_TYPE,
                              "str() takes at most 1 argument (%zu given)", n);
    if (n == 0)
        return kiln__give(kiln_value_str("", 0), out, err);
    if (kiln_value_type_of(args[0]) == KILN_VALUE_STR) {
        *out = kiln_value_ref(args[0]);
        return KILN_OK;
    }
    kiln_buf b;
    kiln_buf_init(&b);
    int rc = kiln_value_to_str(args[0], &b) != KILN_OK
                 ? kiln_error_nomem(err)
                 : kiln__give(kiln_value_str(kiln_buf_str(&b), b.len), out, err);
    kiln_buf_fini(&b);
    return rc;
}

static int bi_bool(kiln_value *const *args, size_t n, kiln_value **out,
                   kiln_error *err)
{
    if (n > 1)
        return kiln_error_set(err, KILN_TYPE,
                              "bool expected at most 1 argument, got %zu", n);
    return kiln__give(kiln_value_bool(n == 1 && kiln_value_truthy(args[0])), out,
                err);
}

static int bi_len(kiln_value *const *args, size_t n, kiln_value **out,
                  kiln_error *err)
{
    if (n != 1)
        return kiln_error_set(err, KILN_TYPE,
                              "len() takes exactly one argument (%zu given)",
                              n);
    const kiln_value *v = args[0];
    switch (kiln_value_type_of(v)) {
    case KILN_VALUE_STR: {
        size_t len;
        const char *s = kiln_value_as_str(v, &len);
        return kiln__give(kiln_value_int((int64_t)kiln_utf8_count(s, len)), out,
                    err);
    }
    case KILN_VALUE_LIST:
    case KILN_VALUE_DICT:
        return kiln__give(kiln_value_int((int64_t)kiln_value_len(v)), out, err);
    default:
        return kiln_error_set(err, KILN_TYPE,
                              "object of type '%s' has no len()",
                              kiln_value_type_name(v));
    }
}

static int bi_abs(kiln_value *const *args, size_t n, kiln_value **out,
                  kiln_error *err)
{
    if (n != 1)
        return kiln_error_set(err, KILN_TYPE,
                              "abs() takes exactly one argument (%zu given)",
                              n);
    const kiln_value *v = args[0];
    if (kiln_value_type_of(v) == KILN_VALUE_FLOAT)
        return kiln__give(kiln_value_float(fabs(kiln_value_as_float(v))), out, err);
    if (!is_intlike(v))
        return kiln_error_set(err, KILN_TYPE, "bad operand type for abs(): '%s'",
                              kiln_value_type_name(v));
    int64_t i = kiln_value_as_int(v);
    if (i == INT64_MIN)
        return kiln__int_overflow(err, "abs(-9223372036854775808)");
    return kiln__give(kiln_value_int(i < 0 ? -i : i), out, err);
}

/* ---- min, max ------------------------------------------------------- */

/* The smallest (largest) code point of a non-empty str, as a str.  UTF-8
 * sequences compare bytewise in code point order. */
static int str_extreme(const kiln_value *v, bool gt, kiln_value **out,
                       kiln_error *err)
{
    size_t n;
    const char *s = kiln_value_as_str(v, &n);
    size_t best = 0, best_len = kiln_utf8_step(s, n);
    for (size_t i = best_len; i < n;) {
        size_t k = kiln_utf8_step(s + i, n - i);
        size_t m = k < best_len ? k : best_len;
        int c = memcmp(s + i, s + best, m);
        if (c == 0)
            c = k < best_len ? -1 : k > best_len ? 1 : 0;
        if (gt ? c > 0 : c < 0) {
            best = i;
            best_len = k;
        }
        i += k;
    }
    return kiln__give(kiln_value_str(s + best, best_len), out, err);
}

static int min_max(kiln_value *const *args, size_t n, bool gt,
                   kiln_value **out, kiln_error *err)
{
    const char *name = gt ? "max" : "min";
    if (n == 0)
        return kiln_error_set(err, KILN_TYPE,
                              "%s expected at least 1 argument, got 0", name);
    kiln_value *const *items = args;
    size_t count = n;
    kiln_value *seq = args[0];
    if (n == 1) {
        kiln_value_type t = kiln_value_type_of(seq);
        if (t != KILN_VALUE_LIST && t != KILN_VALUE_DICT &&
            t != KILN_VALUE_STR)
            return kiln_error_set(err, KILN_TYPE,
                                  "'%s' object is not iterable",
                                  kiln_value_type_name(seq));
        count = kiln_value_len(seq);
        if (count == 0)
            return kiln_error_set(err, KILN_VALUE,
                                  "%s() arg is an empty sequence", name);
        if (t == KILN_VALUE_STR)
            return str_extreme(seq, gt, out, err);
        items = NULL;
    }
    kiln_value *best = NULL;
    for (size_t i = 0; i < count; i++) {
        kiln_value *item;
        if (items != NULL)
            item = items[i];
        else if (kiln_value_type_of(seq) == KILN_VALUE_LIST)
            item = kiln_value_list_get(seq, i);
        else
            kiln_value_dict_item(seq, i, &item, NULL);
        if (best == NULL) {
            best = item;
            continue;
        }
        /* Python keeps the first of equal items: only a strictly smaller
         * (larger) one replaces it. */
        bool better;
        int rc = kiln__compare(item, best, gt, &better, err);
        if (rc != KILN_OK)
            return rc;
        if (better)
            best = item;
    }
    *out = kiln_value_ref(best);
    return KILN_OK;
}

static int bi_min(kiln_value *const *args, size_t n, kiln_value **out,
                  kiln_error *err)
{
    return min_max(args, n, false, out, err);
}

static int bi_max(kiln_value *const *args, size_t n, kiln_value **out,
                  kiln_error *err)
{
    return min_max(args, n, true, out, err);
}

/* ---- round ---------------------------------------------------------- */

/* Parse printf output ("-12.50", "123") locale-independently. */
static int parse_printed(const char *text, double *out)
{
    char clean[800];
    size_t n = 0;
    bool neg = text[0] == '-';
    for (const char *c = text + neg; *c != '\0' && n + 1 < sizeof clean; c++)
        clean[n++] = is_digit(*c) ? *c : '.';
    clean[n] = '\0';
    double d = 0.0;
    if (kiln__decimal_to_double(clean, n, &d) != KILN_OK)
        return KILN_NOMEM;
    *out = neg ? -d : d;
    return KILN_OK;
}

/* round(x, nd) for a float: the decimal nearest x with nd digits after the
 * point (ties to even on x's exact binary value), read back as a double,
 * as CPython's double_round does with dtoa mode 3.  printf's %f rounds the
 * exact value the same way; for nd < 0, which %f cannot do, the integer
 * digits are rounded here by hand. */
static int round_float(double x, int64_t nd, double *out, kiln_error *err)
{
    if (!isfinite(x) || x == 0.0 || nd > 323) {
        *out = x;
        return KILN_OK;
    }
    if (nd < -308) {
        *out = copysign(0.0, x);
        return KILN_OK;
    }
    double r = 0.0;
    if (nd >= 0) {
        char text[800];
        snprintf(text, sizeof text, "%.*f", (int)nd, x);
        if (parse_printed(text, &r) != KILN_OK)
            return kiln_error_nomem(err);
        *out = r;
        return KILN_OK;
    }
    size_t k = (size_t)-nd;
    double ax = fabs(x), t = trunc(ax);
    bool frac = ax != t;
    char digits[400];
    snprintf(digits, sizeof digits, "%.0f", t); /* exact for integers */
    size_t len = strlen(digits);
    char text[420];
    if (len < k) {
        r = 0.0; /* below 10**(k-1) <= half of 10**k */
    } else if (len == k) {
        /* Round to 0 or 10**k: against half = 5 followed by zeros. */
        int c = digits[0] - '5';
        for (size_t i = 1; c == 0 && i < len; i++)
            c = digits[i] != '0';
        bool up = c > 0 || (c == 0 && frac);
        snprintf(text, sizeof text, "1e%zu", k);
        r = 0.0;
        if (up && kiln__decimal_to_double(text, strlen(text), &r) != KILN_OK)
            return kiln_error_nomem(err);
    } else {
        size_t keep = len - k;
        char d = digits[keep];
        bool rest = frac;
        for (size_t i = keep + 1; i < len; i++)
            rest = rest || digits[i] != '0';
        bool odd = (digits[keep - 1] - '0') & 1;
        bool up = d > '5' || (d == '5' && (rest || odd));
        memcpy(text + 1, digits, keep);
        text[0] = '0'; /* room for a carry out of the top digit */
        size_t m = keep + 1;
        if (up) {
            size_t i = m;
            while (i-- > 0) {
                if (text[i] == '9') {
                    text[i] = '0';
                } else {
                    text[i]++;
                    break;
                }
            }
        }
        snprintf(text + m, sizeof text - m, "e%zu", k);
        if (kiln__decimal_to_double(text, strlen(text), &r) != KILN_OK)
            return kiln_error_nomem(err);
    }
    if (isinf(r))
        return kiln_error_set(err, KILN_OVERFLOW,
                              "rounded value too large to represent");
    *out = copysign(r, x);
    return KILN_OK;
}

/* round(i, nd) for an int and nd < 0: half to even at 10**-nd, as
 * CPython's long_round. */
static int round_int(int64_t i, int64_t nd, int64_t *out, kiln_error *err)
{
    char what[64];
    snprintf(what, sizeof what, "round(%lld, %lld)", (long long)i,
             (long long)nd);
    if (nd <= -20) { /* half of 10**20 exceeds every int64 */
        *out = 0;
        return KILN_OK;
    }
    if (nd == -19) { /* 10**19 itself does not fit */
        if (i > 5000000000000000000LL || i < -5000000000000000000LL)
            return kiln__int_overflow(err, what);
        *out = 0;
        return KILN_OK;
    }
    int64_t p = 1;
    for (int64_t k = 0; k < -nd; k++)
        p *= 10;
    int64_t q = i / p, r = i % p;
    if (r < 0) {
        r += p;
        q--;
    }
    if (2 * r > p || (2 * r == p && (q & 1)))
        q++;
    int64_t res;
    if (__builtin_mul_overflow(q, p, &res))
        return kiln__int_overflow(err, what);
    *out = res;
    return KILN_OK;
}

static int bi_round(kiln_value *const *args, size_t n, kiln_value **out,
                    kiln_error *err)
{
    if (n == 0)
        return kiln_error_set(err, KILN_TYPE,
                              "round() missing required argument 'number' "
                              "(pos 1)");
    if (n > 2)
        return kiln_error_set(err, KILN_TYPE,
                              "round() takes at most 2 arguments (%zu given)",
                              n);
    const kiln_value *x = args[0];
    const kiln_value *nd = n == 2 && kiln_value_type_of(args[1]) !=
                                         KILN_VALUE_NONE
                               ? args[1]
                               : NULL;
    if (!is_number(x))
        return kiln_error_set(err, KILN_TYPE,
                              "type %s doesn't define __round__ method",
                              kiln_value_type_name(x));
    if (nd != NULL && !is_intlike(nd))
        return kiln_error_set(err, KILN_TYPE,
                              "'%s' object cannot be interpreted as an "
                              "integer",
                              kiln_value_type_name(nd));
    int rc;
    if (is_intlike(x)) {
        int64_t i = kiln_value_as_int(x);
        if (nd != NULL && kiln_value_as_int(nd) < 0 &&
            (rc = round_int(i, kiln_value_as_int(nd), &i, err)) != KILN_OK)
            return rc;
        return kiln__give(kiln_value_int(i), out, err);
    }
    double d = kiln_value_as_float(x);
    if (nd != NULL) {
        double r = 0.0;
        rc = round_float(d, kiln_value_as_int(nd), &r, err);
        return rc != KILN_OK ? rc : kiln__give(kiln_value_float(r), out, err);
    }
    /* CPython's float.__round__(): round half away from zero, then fix
     * the halfway cases to even. */
    double r = round(d);
    if (fabs(d - r) == 0.5)
        r = 2.0 * round(d / 2.0);
    int64_t i = 0;
    rc = kiln__float_to_int(r, &i, err);
    return rc != KILN_OK ? rc : kiln__give(kiln_value_int(i), out, err);
}

/* ---- the table ------------------------------------------------------ */

static const struct {
    const char *name;
    builtin_fn fn;
} builtins[] = {
    {"abs", bi_abs},   {"bool", bi_bool}, {"float", bi_float},
    {"int", bi_int},   {"len", bi_len},   {"max", bi_max},
    {"min", bi_min},   {"round", bi_round}, {"str", bi_str},
};

int kiln__builtin_find(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strlen(builtins[i].name) == n && memcmp(builtins[i].name, s, n) == 0)
            return (int)i;
    return -1;
}

int kiln__builtin_call(int id, kiln_value *const *args, size_t nargs,
                       kiln_value **out, kiln_error *err)
{
    return builtins[id].fn(args, nargs, out, err);
}
