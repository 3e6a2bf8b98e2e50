/* kiln — float32 text: parsing, the hot loop of the CSV and libsvm
 * readers, and shortest round-trip formatting for the writers.
 *
 * Parsing reads the text as a correctly rounded double and casts it to
 * float, which is what numpy does for float32 text (and so what a user's
 * pandas/numpy pipeline would see).  Three tiers, fastest first:
 *
 *   1. Clinger's fast path (W. D. Clinger, "How to Read Floating Point
 *      Numbers Accurately", PLDI 1990): a significand w <= 2^53 and a
 *      decimal exponent |q| <= 22 are both exact doubles, so one IEEE
 *      multiply or divide by 10^|q| is the correctly rounded result.
 *   2. The Eisel-Lemire algorithm (D. Lemire, "Number Parsing at a
 *      Gigabyte per Second", Software: Practice and Experience 51(8),
 *      2021, §5-§7): multiply the normalised 64-bit significand by a
 *      128-bit truncation of 5^q and read the double off the high bits.
 *      It either gives the correctly rounded result or says it cannot
 *      decide; significands of more than 19 digits are tried as both
 *      their truncation w and w + 1, which must agree.
 *   3. strtod_l with a "C" locale object, for what tier 2 leaves
 *      (almost never), on a normalised copy of at most 800 significant
 *      digits plus a sticky digit.  The locale object is made once; kiln
 *      never calls setlocale (style.md §15).
 */
#define _GNU_SOURCE /* strtod_l (glibc declares it only for _GNU_SOURCE) */

#include "parse.h"
#include "writer.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one-time state: the C locale and the powers of five ------------- */

/* 128-bit truncations of 5^q for q in [POW5_MIN, POW5_MAX], normalised so
 * that the top bit is set: pow5[2 * (q - POW5_MIN)] is the high word.
 * These are the exponents for which a non-zero 64-bit significand gives
 * a double that is neither 0 nor infinity (Lemire 2021, §5). */
enum { POW5_MIN = -342, POW5_MAX = 308 };
static uint64_t pow5[2 * (POW5_MAX - POW5_MIN + 1)];

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static locale_t c_locale; /* (locale_t)0 when newlocale failed */

/* A little-endian bignum of 32-bit limbs, big enough for 2^1152. */
enum { BIG_LIMBS = 40 };

/* The 128 bits of big below and including its highest set bit. */
static void big_top128(const uint32_t *big, uint64_t *hi, uint64_t *lo)
{
    int top = BIG_LIMBS - 1;
    while (top > 0 && big[top] == 0)
        top--;
    int bits = 32 * top;
    for (uint32_t v = big[top]; v != 0; v >>= 1)
        bits++;
    uint64_t h = 0, l = 0;
    for (int i = 0; i < 128; i++) {
        int pos = bits - 1 - i;
        uint64_t bit = pos >= 0 ? (big[pos / 32] >> (pos % 32)) & 1u : 0;
        if (i < 64)
            h = h << 1 | bit;
        else
            l = l << 1 | bit;
    }
    *hi = h;
    *lo = l;
}

static void build_pow5(void)
{
    uint32_t big[BIG_LIMBS];
    /* 5^0 .. 5^308, exactly. */
    memset(big, 0, sizeof big);
    big[0] = 1;
    for (int q = 0; q <= POW5_MAX; q++) {
        size_t k = 2 * (size_t)(q - POW5_MIN);
        big_top128(big, &pow5[k], &pow5[k + 1]);
        uint64_t carry = 0;
        for (int i = 0; i < BIG_LIMBS; i++) {
            uint64_t v = (uint64_t)big[i] * 5 + carry;
            big[i] = (uint32_t)v;
            carry = v >> 32;
        }
    }
    /* 5^-m as floor(2^1152 / 5^m): floor(floor(x / a) / b) is
     * floor(x / ab), so dividing by 5 step by step stays exact, and with
     * at least 357 bits above the binary point the top 128 bits are those
     * of 2^1152 / 5^m itself. */
    memset(big, 0, sizeof big);
    big[1152 / 32] = 1;
    for (int m = 1; m <= -POW5_MIN; m++) {
        uint64_t rem = 0;
        for (int i = BIG_LIMBS - 1; i >= 0; i--) {
            uint64_t v = rem << 32 | big[i];
            big[i] = (uint32_t)(v / 5);
            rem = v % 5;
        }
        size_t k = 2 * (size_t)(-m - POW5_MIN);
        big_top128(big, &pow5[k], &pow5[k + 1]);
    }
}

static void init_once_fn(void)
{
    build_pow5();
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static void ensure_init(void) { pthread_once(&init_once, init_once_fn); }

/* ---- 64 x 64 -> 128 ------------------------------------------------- */

typedef struct u128 {
    uint64_t hi, lo;
} u128;

static u128 mul64(uint64_t a, uint64_t b)
{
    u128 r;
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 wide;
    wide p = (wide)a * b;
    r.hi = (uint64_t)(p >> 64);
    r.lo = (uint64_t)p;
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    r.lo = (mid << 32) | (uint32_t)p00;
    r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
    return r;
}

static int clz64(uint64_t v) /* v != 0 */
{
#if defined(__GNUC__)
    return __builtin_clzll(v);
#else
    int n = 0;
    while (!(v & (UINT64_C(1) << 63))) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

/* floor(a / 65536) without relying on >> of a negative number. */
static int32_t floor_div65536(int32_t a)
{
    return a >= 0 ? a / 65536 : -((-a + 65535) / 65536);
}

/* ---- Eisel-Lemire --------------------------------------------------- */

/* A double as significand and biased exponent; power2 < 0: undecided. */
typedef struct binary64 {
    uint64_t mantissa;
    int32_t power2;
} binary64;

enum {
    MANT_BITS = 52,
    MIN_EXPONENT = -1023,
    INF_POWER = 0x7FF,
};

/* w * 10^q rounded to nearest-even as a double (Lemire 2021, Algorithm 1,
 * as in fast_float's compute_float).  w != 0 is the significand; q in
 * [POW5_MIN, POW5_MAX]. */
static binary64 eisel_lemire(int64_t q, uint64_t w)
{
    binary64 a = {0, 0};
    int lz = clz64(w);
    w <<= lz;
    const uint64_t *p5 = &pow5[2 * (size_t)(q - POW5_MIN)];
    u128 prod = mul64(w, p5[0]);
    /* MANT_BITS + 3 bits are needed: the implicit bit, a rounding bit and
     * one lost to a product below 2^127.  If the bits below them are all
     * ones, the truncated power may matter: use its low word too. */
    const uint64_t mask = UINT64_MAX >> (MANT_BITS + 3);
    if ((prod.hi & mask) == mask) {
        u128 second = mul64(w, p5[1]);
        prod.lo += second.hi;
        if (second.hi > prod.lo)
            prod.hi++;
        /* Still ambiguous where 5^q is not exact in 128 bits: leave it to
         * strtod (the paper's conservative test). */
        if (prod.lo == UINT64_MAX && (q < -27 || q > 55)) {
            a.power2 = -1;
            return a;
        }
    }
    int upper = (int)(prod.hi >> 63);
    int shift = upper + 64 - MANT_BITS - 3;
    a.mantissa = prod.hi >> shift;
    /* floor(q * log2(10)) + 63, by the paper's 152170 + 65536 = 2^16 *
     * log2(10) approximation, exact for |q| <= 1233. */
    int32_t power = floor_div65536((152170 + 65536) * (int32_t)q) + 63;
    a.power2 = power + upper - lz - MIN_EXPONENT;
    if (a.power2 <= 0) {
        /* Subnormal (or zero). */
        if (-a.power2 + 1 >= 64) {
            a.mantissa = 0;
            a.power2 = 0;
            return a;
        }
        a.mantissa >>= -a.power2 + 1;
        /* No ties here: round-to-even only matters for q in [-4, 23]. */
        a.mantissa += a.mantissa & 1;
        a.mantissa >>= 1;
        /* Rounding may carry into the smallest normal. */
        a.power2 = a.mantissa < (UINT64_C(1) << MANT_BITS) ? 0 : 1;
        return a;
    }
    /* A tie is possible only when 5^q fits in 64 bits and nothing
     * non-zero was shifted out: then round half to even. */
    if (prod.lo <= 1 && q >= -4 && q <= 23 && (a.mantissa & 3) == 1 &&
        (a.mantissa << shift) == prod.hi)
        a.mantissa &= ~UINT64_C(1);
    a.mantissa += a.mantissa & 1;
    a.mantissa >>= 1;
    if (a.mantissa >= (UINT64_C(2) << MANT_BITS)) {
        a.mantissa = UINT64_C(1) << MANT_BITS;
        a.power2++;
    }
    a.mantissa &= ~(UINT64_C(1) << MANT_BITS);
    if (a.power2 >= INF_POWER) {
        a.power2 = INF_POWER;
        a.mantissa = 0;
    }
    return a;
}

static double to_double(binary64 a, bool neg)
{
    uint64_t bits = a.mantissa | (uint64_t)a.power2 << MANT_BITS |
                    (uint64_t)neg << 63;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* ---- text ----------------------------------------------------------- */

static bool is_digit(char c) { return (unsigned char)(c - '0') < 10; }

/* Eight digits at a time (SWAR, Lemire 2021 §8 after fast_float's
 * parse_eight_digits_unrolled): bytes are loaded little-endian, so the
 * first digit is the low byte. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HAVE_SWAR 1

static uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static bool eight_digits(uint64_t v)
{
    return (((v + UINT64_C(0x4646464646464646)) |
             (v - UINT64_C(0x3030303030303030))) &
            UINT64_C(0x8080808080808080)) == 0;
}

static uint64_t eight_value(uint64_t v)
{
    const uint64_t mask = UINT64_C(0x000000FF000000FF);
    const uint64_t mul1 = UINT64_C(0x000F424000000064); /* 100, 10^6 << 32 */
    const uint64_t mul2 = UINT64_C(0x0000271000000001); /* 1, 10^4 << 32 */
    v -= UINT64_C(0x3030303030303030);
    v = v * 10 + (v >> 8);
    return (((v & mask) * mul1) + (((v >> 16) & mask) * mul2)) >> 32;
}
#else
#define HAVE_SWAR 0
#endif

/* Accumulate the digits at *pp into w (wrapping beyond 19 digits: the
 * caller recounts then). */
static uint64_t scan_digits(const char **pp, const char *e, uint64_t w)
{
    const char *p = *pp;
#if HAVE_SWAR
    while (e - p >= 8 && eight_digits(load8(p))) {
        w = w * 100000000 + eight_value(load8(p));
        p += 8;
    }
#endif
    while (p != e && is_digit(*p)) {
        w = 10 * w + (uint64_t)(*p - '0');
        p++;
    }
    *pp = p;
    return w;
}

/* Exact powers of ten as doubles (10^22 is the last exact one). */
static const double exact_pow10[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const uint64_t int_pow10[] = {
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
};

/* "nan", "inf", "infinity" in any case: p[0..n) after the sign. */
static bool parse_special(const char *p, size_t n, bool neg, double *out)
{
    static const char *const words[] = {"nan", "inf", "infinity"};
    for (size_t w = 0; w < 3; w++) {
        size_t len = strlen(words[w]);
        if (n != len)
            continue;
        size_t i = 0;
        while (i < len && (p[i] | 0x20) == words[w][i])
            i++;
        if (i == len) {
            double v = w == 0 ? (double)NAN : (double)INFINITY;
            *out = neg ? -v : v;
            return true;
        }
    }
    return false;
}

/* The number as written, already validated: digits in [ib, ie) and
 * [fb, fe), explicit exponent e10.  Rebuilt as "-DDDDe-NN" with at most
 * SLOW_DIGITS significant digits and a sticky '1' standing for any
 * non-zero digit dropped (a double's halfway points have at most 767
 * significant digits, so the rounding cannot change), then read by
 * strtod_l in the C locale. */
enum { SLOW_DIGITS = 800 };

static double slow_path(const char *ib, const char *ie, const char *fb,
                        const char *fe, int64_t e10, bool neg)
{
    char buf[SLOW_DIGITS + 48];
    size_t len = 0;
    if (neg)
        buf[len++] = '-';
    size_t start = len;
    int64_t total = 0; /* significant digits seen */
    bool sticky = false;
    for (int part = 0; part < 2; part++) {
        const char *p = part == 0 ? ib : fb, *e = part == 0 ? ie : fe;
        for (; p < e; p++) {
            if (total == 0 && *p == '0')
                continue;
            total++;
            if (len - start < SLOW_DIGITS)
                buf[len++] = *p;
            else if (*p != '0')
                sticky = true;
        }
    }
    int64_t kept = (int64_t)(len - start);
    if (kept == 0)
        return neg ? -0.0 : 0.0;
    int64_t exp10 = e10 - (int64_t)(fe - fb) + (total - kept);
    if (sticky) {
        buf[len++] = '1';
        exp10--;
    }
    /* Beyond these, 801 digits are 0 or infinity whatever they are. */
    if (exp10 > 99999)
        exp10 = 99999;
    if (exp10 < -99999)
        exp10 = -99999;
    snprintf(buf + len, sizeof buf - len, "e%lld", (long long)exp10);
    ensure_init();
    if (c_locale != (locale_t)0)
        return strtod_l(buf, NULL, c_locale);
    /* No locale object (out of memory at first use): kiln never calls
     * setlocale, so the process locale is still "C". */
    return strtod(buf, NULL);
}

/* Parse [p, e) (non-empty) as a double by the rules of parse.h. */
static bool parse_double(const char *p, const char *e, double *out)
{
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    const char *ib = p;
    uint64_t w = scan_digits(&p, e, 0); /* recomputed beyond 19 digits */
    const char *ie = p, *fb = p, *fe = p;
    int64_t ndigits = ie - ib;
    int64_t q = 0;
    if (p != e && *p == '.') {
        fb = ++p;
        w = scan_digits(&p, e, w);
        fe = p;
        q = -(int64_t)(fe - fb);
        ndigits += fe - fb;
    }
    if (ndigits == 0) {
        if (p == ib)
            return parse_special(ib, (size_t)(e - ib), neg, out);
        return false; /* ".", "-.", ".e1" */
    }
    int64_t e10 = 0;
    if (p != e && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p != e && (*p == '-' || *p == '+')) {
            eneg = *p == '-';
            p++;
        }
        if (p == e || !is_digit(*p))
            return false; /* "1e", "1e+" */
        while (p != e && is_digit(*p)) {
            /* Saturate far beyond any exponent that matters, but below
             * where adding a field's digit count could overflow. */
            if (e10 < INT64_C(1000000000000000))
                e10 = 10 * e10 + (*p - '0');
            p++;
        }
        if (eneg)
            e10 = -e10;
        q += e10;
    }
    if (p != e)
        return false; /* trailing junk, hex, embedded blanks */

    bool many = false;
    if (ndigits > 19) {
        /* Leading zeros (0.000123) do not count. */
        for (const char *z = ib; z != e && (*z == '0' || *z == '.'); z++)
            if (*z == '0')
                ndigits--;
        if (ndigits > 19) {
            /* Keep the first 19 significant digits; the rest only decide
             * between w and w + 1 (Lemire 2021, §11). */
            many = true;
            const uint64_t big = UINT64_C(1000000000000000000);
            w = 0;
            const char *z = ib;
            while (w < big && z != ie)
                w = 10 * w + (uint64_t)(*z++ - '0');
            if (w >= big) {
                q = (ie - z) + e10;
            } else {
                z = fb;
                while (w < big && z != fe)
                    w = 10 * w + (uint64_t)(*z++ - '0');
                q = (fb - z) + e10;
            }
        }
    }

    if (!many) {
        if (w == 0) {
            *out = neg ? -0.0 : 0.0;
            return true;
        }
#if FLT_EVAL_METHOD == 0
        /* Clinger's fast path (no excess precision to double-round). */
        if (w <= (UINT64_C(1) << 53) && q >= -22 && q <= 22 + 15) {
            double d;
            bool exact = true;
            if (q < 0) {
                d = (double)w / exact_pow10[-q];
            } else if (q <= 22) {
                d = (double)w * exact_pow10[q];
            } else if (w <= (UINT64_C(1) << 53) / int_pow10[q - 22]) {
                /* 1234e30 = 1234000000e24: still an exact significand. */
                d = (double)(w * int_pow10[q - 22]) * 1e22;
            } else {
                d = 0;
                exact = false;
            }
            if (exact) {
                *out = neg ? -d : d;
                return true;
            }
        }
#endif
    }
    if (q < POW5_MIN) { /* below half the smallest subnormal */
        *out = neg ? -0.0 : 0.0;
        return true;
    }
    if (q > POW5_MAX) {
        *out = neg ? -(double)INFINITY : (double)INFINITY;
        return true;
    }
    ensure_init();
    binary64 a = eisel_lemire(q, w);
    if (many && a.power2 >= 0) {
        binary64 b = eisel_lemire(q, w + 1);
        if (b.power2 != a.power2 || b.mantissa != a.mantissa)
            a.power2 = -1;
    }
    if (a.power2 >= 0) {
        *out = to_double(a, neg);
        return true;
    }
    *out = slow_path(ib, ie, fb, fe, e10, neg);
    return true;
}

bool kiln_parse_f32(const char *s, size_t n, float *out)
{
    if (n == 0) {
        *out = NAN;
        return true;
    }
    double d;
    if (!parse_double(s, s + n, &d))
        return false;
    /* Round the correctly rounded double to float, as numpy's float32
     * does; beyond FLT_MAX that is an infinity (IEEE 754, C11 F.4). */
    *out = (float)d;
    return true;
}

/* ---- formatting ----------------------------------------------------- */

/* Whether text (NUL-terminated) reads back as v both through
 * kiln_parse_f32 (double, then float) and through strtof (straight to
 * float).  The two can differ only when the double lands exactly halfway
 * between two floats ("7.038531e-26" does); only then is strtof asked. */
static bool reads_back(const char *text, int len, float v)
{
    double d;
    if (!parse_double(text, text + len, &d) || (float)d != v)
        return false;
    if ((double)v == d)
        return true;
    float other = nextafterf(v, d > (double)v ? INFINITY : -INFINITY);
    if (d != ((double)v + (double)other) / 2)
        return true;
    ensure_init();
    float f = c_locale != (locale_t)0 ? strtof_l(text, NULL, c_locale)
                                      : strtof(text, NULL);
    return f == v;
}

size_t kiln_format_f32(float v, char out[32])
{
    if (isnan(v)) {
        memcpy(out, "nan", 4);
        return 3;
    }
    if (isinf(v)) {
        const char *s = v < 0 ? "-inf" : "inf";
        size_t len = strlen(s);
        memcpy(out, s, len + 1);
        return len;
    }
    /* The shortest of the %.1g .. %.9g texts that reads back as v (9
     * digits always do).  The C locale's '.' is safe: kiln never calls
     * setlocale (style.md §15).  Reading back is checked with the
     * readers' own parser, avoiding texts that strtof would read
     * otherwise (see reads_back); tests check against strtof too.
     *
     * Below 1e5 no exponent form is shorter than the plain one, so the
     * first precision that reads back wins (%g drops trailing zeros).
     * There, for a normal float, any decimal of up to 6 digits that reads
     * back is within half an ulp (at most 2^-24 relative) of v, well
     * inside half the spacing of 6-digit decimals (at least 5e-7
     * relative), so %.6g already finds it.  Subnormals have fewer bits
     * and may need a single digit ("1e-45").  From 1e5 up either form
     * may be shorter ("1e+05" against "100000", "26176180" against
     * "2.617618e+07"): all precisions are tried, a tie going to the
     * plain form. */
    float mag = fabsf(v);
    int len = 0;
    if (mag < 1e5f) {
        for (int prec = mag < FLT_MIN ? 1 : 6; prec <= 9; prec++) {
            len = snprintf(out, 32, "%.*g", prec, (double)v);
            if (prec == 9 || reads_back(out, len, v))
                break;
        }
        return (size_t)len;
    }
    char text[32];
    bool best_exp = false;
    for (int prec = 1; prec <= 9; prec++) {
        int n = snprintf(text, sizeof text, "%.*g", prec, (double)v);
        bool exp = strchr(text, 'e') != NULL;
        if ((len == 0 || n < len || (n == len && best_exp && !exp)) &&
            (prec == 9 || reads_back(text, n, v))) {
            memcpy(out, text, (size_t)n + 1);
            len = n;
            best_exp = exp;
        }
    }
    return (size_t)len;
}
