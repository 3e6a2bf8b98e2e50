/* Tests for algos/data/number.c: kiln_parse_f32 against the C library's
 * correctly rounded strtod cast to float (numpy's float32 text
 * semantics), bit for bit, on generated text that reaches every tier of
 * the parser (Clinger's fast path, Eisel-Lemire, the strtod_l fallback);
 * and kiln_format_f32 against strtof: every finite float sampled reads
 * back exactly, and no shorter %g text would have.
 *
 * The oracle is the process's strtod, which reads the C locale: tests
 * never call setlocale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "algos/data/parse.h"
#include "algos/data/writer.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fewer random cases under valgrind (meson test --setup valgrind sets
 * KILN_TEST_UNDER_VALGRIND): the same checks, 1/50 of the repetitions. */
static int reps(int n)
{
    if (getenv("KILN_TEST_UNDER_VALGRIND") == NULL)
        return n;
    return n / 50 > 2 ? n / 50 : 2;
}

/* ---- helpers -------------------------------------------------------- */

static uint64_t rng_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t rnd(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

static uint32_t bits_of(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static float float_of(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static size_t checked;

/* kiln_parse_f32(s) must be (float)strtod(s), bit for bit (NaN: NaN). */
static void check_against_strtod(const char *s)
{
    float got;
    size_t n = strlen(s);
    if (!kiln_parse_f32(s, n, &got))
        fail_msg("rejected '%s'", s);
    char *end;
    float want = (float)strtod(s, &end);
    if (*end != '\0')
        fail_msg("oracle did not read all of '%s'", s);
    if (isnan(want) ? !isnan(got) : bits_of(got) != bits_of(want))
        fail_msg("'%s': got %a (0x%08x), want %a (0x%08x)", s, (double)got,
                 bits_of(got), (double)want, bits_of(want));
    checked++;
}

/* ---- fixed cases ---------------------------------------------------- */

static void test_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        float want;
    } cases[] = {
        {"0", 0.0f},          {"1", 1.0f},          {"-1", -1.0f},
        {"+1", 1.0f},         {"1.", 1.0f},         {".5", 0.5f},
        {"-.5", -0.5f},       {"1e3", 1000.0f},     {"1E3", 1000.0f},
        {"1e+3", 1000.0f},    {"1e-3", 0.001f},     {"1.5e0", 1.5f},
        {"00012", 12.0f},     {"0.1", 0.1f},        {"3.4028235e38", FLT_MAX},
        {"1e-50", 0.0f},      {"123456789", 123456792.0f},
        {"1e400", INFINITY},  {"-1e400", -INFINITY},
        {"3.4028236e38", INFINITY},
        {"inf", INFINITY},    {"-inf", -INFINITY},  {"+Inf", INFINITY},
        {"INFINITY", INFINITY}, {"-Infinity", -INFINITY},
        {"1.401298464324817e-45", 1.401298464324817e-45f},
        {"0.000000000000000000000000000000000000000000000000001e51", 1.0f},
        {"1000000000000000000000000000000e-30", 1.0f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float got = -42.0f;
        if (!kiln_parse_f32(cases[i].text, strlen(cases[i].text), &got))
            fail_msg("rejected '%s'", cases[i].text);
        if (bits_of(got) != bits_of(cases[i].want))
            fail_msg("'%s': got %a, want %a", cases[i].text, (double)got,
                     (double)cases[i].want);
    }
    float v;
    assert_true(kiln_parse_f32("-0", 2, &v));
    assert_int_equal(bits_of(v), 0x80000000u);
    assert_true(kiln_parse_f32("-0.0e5", 6, &v));
    assert_int_equal(bits_of(v), 0x80000000u);
    static const char *const nans[] = {"nan", "NaN", "NAN", "-nan", "+nan"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(kiln_parse_f32(nans[i], strlen(nans[i]), &v));
        assert_true(isnan(v));
    }
    /* Empty is missing. */
    v = 0.0f;
    assert_true(kiln_parse_f32("", 0, &v));
    assert_true(isnan(v));
    /* Only n bytes are read: the rest of a line is not the number's. */
    assert_true(kiln_parse_f32("12,34", 2, &v));
    assert_true(v == 12.0f);
    assert_true(kiln_parse_f32("2.5e1x", 5, &v));
    assert_true(v == 25.0f);
}

static void test_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "+", "-", ".", "-.", "+.", "e5", ".e5", "1e", "1e+", "1e-", "1E",
        "0x10", "0x1p3", "1 ", " 1", "1 2", "1,5", "1..2", "1.2.3", "--1",
        "+-1", "1e5.5", "1e5e5", "abc", "na", "nanx", "in", "infin",
        "infinityy", "nan(1)", "1f", "1d", "\t1", "1\r", "1_000", "١",
        "\"1\"", "1e+-5", "e", "E",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        float v = 42.0f;
        if (kiln_parse_f32(bad[i], strlen(bad[i]), &v))
            fail_msg("accepted '%s' as %a", bad[i], (double)v);
    }
    /* A NUL inside the span is junk too. */
    float v;
    assert_false(kiln_parse_f32("1\0002", 3, &v));
}

/* ---- generated text against strtod ---------------------------------- */

static size_t put_digits(char *p, size_t n, bool leading_nonzero)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('0' + (i == 0 && leading_nonzero ? 1 + rnd_below(9)
                                                       : rnd_below(10)));
    return n;
}

/* Random digit strings: sign, digits with a point somewhere (or none),
 * an exponent over the whole float and double range. */
static void test_random_digits(void **state)
{
    (void)state;
    char buf[600];
    for (int i = 0; i < reps(1000000); i++) {
        size_t len = 0;
        uint32_t sign = rnd_below(3);
        if (sign == 1)
            buf[len++] = '-';
        else if (sign == 2)
            buf[len++] = '+';
        /* Mostly short, sometimes 17-25 digits, rarely hundreds. */
        uint32_t kind = rnd_below(20);
        size_t nd = kind < 14   ? 1 + rnd_below(9)
                    : kind < 19 ? 10 + rnd_below(16)
                                : 26 + rnd_below(500);
        size_t dot = rnd_below((uint32_t)nd + 2);
        size_t ib = len;
        len += put_digits(buf + len, dot < nd ? dot : nd, false);
        if (dot <= nd) {
            buf[len++] = '.';
            len += put_digits(buf + len, nd - (dot < nd ? dot : nd), false);
        }
        if (len == ib || (len == ib + 1 && buf[ib] == '.'))
            buf[len++] = '7';
        uint32_t ex = rnd_below(4);
        if (ex == 1)
            len += (size_t)sprintf(buf + len, "e%d",
                                   (int)rnd_below(90) - 45);
        else if (ex == 2)
            len += (size_t)sprintf(buf + len, "E%+d",
                                   (int)rnd_below(700) - 350);
        buf[len] = '\0';
        check_against_strtod(buf);
    }
}

/* Decimal text of float midpoints (the exact halfway value between
 * neighbouring floats is a double) and just either side of them: the
 * cases where double rounding decides.  Also the neighbours of double
 * midpoints, printed exactly with long double where that is wider. */
static void test_halfway_points(void **state)
{
    (void)state;
    char buf[1200];
    for (int i = 0; i < reps(200000); i++) {
        float f = float_of((uint32_t)rnd() & 0x7f7fffffu);
        if (isnan(f) || isinf(f))
            continue;
        float g = nextafterf(f, INFINITY);
        if (isinf(g))
            continue;
        double mid = ((double)f + (double)g) / 2; /* exact */
        /* The exact expansion ("%.150e" prints every digit glibc has),
         * then variants. */
        int len = snprintf(buf, sizeof buf, "%.*e", 10 + (int)rnd_below(150),
                           mid);
        check_against_strtod(buf);
        for (int prec = 6; prec <= 20; prec += 1 + (int)rnd_below(4)) {
            snprintf(buf, sizeof buf, "%.*g", prec, mid);
            check_against_strtod(buf);
        }
        /* Just above the midpoint: the digits then ...0001. */
        len = snprintf(buf, sizeof buf, "%.200e", mid);
        char *e = strchr(buf, 'e');
        char expo[16];
        snprintf(expo, sizeof expo, "%s", e);
        size_t at = (size_t)(e - buf);
        memcpy(buf + at, "0000000000000000000000001", 25);
        strcpy(buf + at + 25, expo);
        check_against_strtod(buf);
        (void)len;
    }
#if LDBL_MANT_DIG > DBL_MANT_DIG
    for (int i = 0; i < reps(50000); i++) {
        uint64_t b = rnd() & UINT64_C(0x7fefffffffffffff);
        double d;
        memcpy(&d, &b, sizeof d);
        double up = nextafter(d, INFINITY);
        long double mid = ((long double)d + (long double)up) / 2;
        /* Only doubles that round to a normal float or are near one are
         * interesting to a float parser, but all must be right. */
        snprintf(buf, sizeof buf, "%.*Le", 16 + (int)rnd_below(60), mid);
        check_against_strtod(buf);
        snprintf(buf, sizeof buf, "%.40Le", mid);
        check_against_strtod(buf);
    }
    /* Doubles near float range with exact midpoint expansions (up to ~770
     * significant digits for subnormal doubles). */
    for (int i = 0; i < reps(3000); i++) {
        uint64_t b = rnd() & UINT64_C(0x000fffffffffffff);
        if (i % 2)
            b |= (uint64_t)(0x380 + rnd_below(0x100)) << 52;
        double d;
        memcpy(&d, &b, sizeof d);
        long double mid = ((long double)d + (long double)nextafter(d, 1)) / 2;
        snprintf(buf, sizeof buf, "%.780Le", mid);
        check_against_strtod(buf);
    }
#endif
}

/* Subnormal floats and doubles, and values around FLT_MIN, FLT_MAX. */
static void test_subnormals_and_edges(void **state)
{
    (void)state;
    char buf[128];
    for (int i = 0; i < reps(300000); i++) {
        uint32_t b = (uint32_t)rnd() & 0x007fffffu; /* float subnormal */
        if (i % 3 == 1)
            b |= 0x00800000u; /* smallest normal binade */
        if (i % 3 == 2)
            b = 0x7f000000u | ((uint32_t)rnd() & 0x00ffffffu); /* top */
        if (rnd() & 1)
            b |= 0x80000000u;
        float f = float_of(b);
        if (isinf(f) || isnan(f))
            continue;
        snprintf(buf, sizeof buf, "%.*g", 1 + (int)rnd_below(25), (double)f);
        check_against_strtod(buf);
    }
    for (int i = 0; i < reps(100000); i++) {
        uint64_t b = rnd() & UINT64_C(0x800fffffffffffff); /* subnormal */
        double d;
        memcpy(&d, &b, sizeof d);
        snprintf(buf, sizeof buf, "%.*g", 1 + (int)rnd_below(25), d);
        check_against_strtod(buf);
    }
    static const char *const edges[] = {
        "1.17549435e-38",  "1.1754942e-38",       "1.401298464324817e-45",
        "7.006492321624085e-46", "7.006492321624086e-46",
        "7.0064923216240854e-46", "2.2250738585072011e-308",
        "2.2250738585072012e-308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324",
        "1.7976931348623157e308", "1.7976931348623158e308",
        "1.7976931348623159e308", "3.40282346638528859811704183484516925440e+38",
        "3.4028235677973366e38", "3.4028235677973367e38",
        "9007199254740993",      "9007199254740992.5", "9007199254740993e-3",
        "1e23",                 "8.988465674311579e307",
        "1.00000005960464477539", "1.00000005960464477540",
        "1.000000059604644775390625", "1.000000059604644775390624",
        "0.000000000000000000000000000000000000000000001",
        "123456789012345678901234567890e-20",
        "18446744073709551615", "18446744073709551616",
        "10000000000000000000000000000000000000001e-40",
        "1e-324", "1e-400", "1e308", "1e309",
        "1e-99999999999999999999", "1e99999999999999999999",
        "0e99999999999999999999", "0.0000000000000000000000e-5",
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        check_against_strtod(edges[i]);
}

/* 17 to 19+ significant digits (the text of float64 data): past
 * Clinger's 2^53, where Eisel-Lemire works and w / w+1 disagree. */
static void test_long_significands(void **state)
{
    (void)state;
    char buf[128];
    for (int i = 0; i < reps(600000); i++) {
        uint64_t b = rnd() & UINT64_C(0x7fefffffffffffff);
        double d;
        memcpy(&d, &b, sizeof d);
        /* Keep most of them where floats live. */
        if (i % 4 != 0)
            d = d == 0 ? 1.0 : scalbn(d, (int)rnd_below(260) - 150 - ilogb(d));
        snprintf(buf, sizeof buf, "%.*e", 15 + (int)rnd_below(10), d);
        check_against_strtod(buf);
    }
    for (int i = 0; i < reps(300000); i++) {
        size_t len = 0;
        len += put_digits(buf, 17 + rnd_below(8), true);
        len += (size_t)sprintf(buf + len, "e%d", (int)rnd_below(120) - 80);
        check_against_strtod(buf);
    }
}

/* Hundreds of digits, and leading or trailing zeros by the hundred. */
static void test_long_mantissas(void **state)
{
    (void)state;
    static char buf[8192];
    for (int i = 0; i < reps(20000); i++) {
        size_t len = 0;
        size_t zeros = rnd_below(4) == 0 ? rnd_below(400) : 0;
        if (rnd() & 1) {
            memcpy(buf, "0.", 2);
            len = 2;
            memset(buf + len, '0', zeros);
            len += zeros;
            len += put_digits(buf + len, 1 + rnd_below(900), true);
        } else {
            len += put_digits(buf + len, 1 + rnd_below(60), true);
            buf[len++] = '.';
            len += put_digits(buf + len, rnd_below(900), false);
            memset(buf + len, '0', zeros);
            len += zeros;
        }
        if (rnd() & 1)
            len += (size_t)sprintf(buf + len, "e%d", (int)rnd_below(200) - 100);
        buf[len] = '\0';
        check_against_strtod(buf);
    }
    /* A midpoint with a thousand zeros and then a 1: only the last digit
     * decides (and it must not be lost to truncation). */
    for (int i = 0; i < reps(2000); i++) {
        float f = float_of(((uint32_t)rnd() & 0x3fffffffu) | 0x20000000u);
        double mid = ((double)f + (double)nextafterf(f, INFINITY)) / 2;
        int len = snprintf(buf, sizeof buf, "%.120e", mid);
        char *e = strchr(buf, 'e');
        char expo[16];
        snprintf(expo, sizeof expo, "%s", e);
        size_t at = (size_t)(e - buf);
        size_t zeros = 500 + rnd_below(2000);
        memset(buf + at, '0', zeros);
        at += zeros;
        buf[at++] = (rnd() & 1) ? '1' : '0';
        strcpy(buf + at, expo);
        check_against_strtod(buf);
        (void)len;
    }
}

/* The first slow-path parses may race to make the C locale object. */
static void *parse_many(void *arg)
{
    int *bad = arg;
    for (int i = 0; i < reps(2000); i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%d.%019d1e-%d", i, i, i % 300);
        float v;
        if (!kiln_parse_f32(buf, strlen(buf), &v) ||
            bits_of(v) != bits_of((float)strtod(buf, NULL)))
            (*bad)++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t t[4];
    int bad[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, parse_many, &bad[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(bad[i], 0);
    }
}

/* ---- formatting ----------------------------------------------------- */

static void test_format_examples(void **state)
{
    (void)state;
    static const struct {
        float v;
        const char *text;
    } cases[] = {
        {0.1f, "0.1"},
        {3.0f, "3"},
        {-3.0f, "-3"},
        {1e-7f, "1e-07"},
        {0.0f, "0"},
        {1.5f, "1.5"},
        {100.0f, "100"},
        {123456.0f, "123456"},
        {1234567.0f, "1234567"},
        {16777216.0f, "16777216"},
        {1e10f, "1e+10"},
        {0.3f, "0.3"},
        {2.0f / 3.0f, "0.6666667"},
        {1e-45f, "1e-45"},
        {3e-45f, "3e-45"},
        {FLT_MAX, "3.4028235e+38"},
        {100000.0f, "1e+05"},
        {26176180.0f, "26176180"},
        {12345.0f, "12345"},
        {10000.0f, "10000"},
        {FLT_MIN, "1.1754944e-38"},
                {INFINITY, "inf"},
        {-INFINITY, "-inf"},
    };
    char out[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = kiln_format_f32(cases[i].v, out);
        assert_string_equal(out, cases[i].text);
        assert_int_equal(len, strlen(cases[i].text));
    }
    assert_int_equal(kiln_format_f32(NAN, out), 3);
    assert_string_equal(out, "nan");
    kiln_format_f32(-NAN, out);
    assert_string_equal(out, "nan");
    kiln_format_f32(-0.0f, out);
    assert_string_equal(out, "-0");
    /* "7.038531e-26" is v's 7-digit text, but it lands exactly halfway
     * between two floats as a double: strtof and (float)strtod read it
     * differently.  The writer must take a text both read as v. */
    float v = float_of(0x15ae43feu);
    kiln_format_f32(v, out);
    assert_string_not_equal(out, "7.038531e-26");
    assert_int_equal(bits_of(strtof(out, NULL)), 0x15ae43feu);
    float mine;
    assert_true(kiln_parse_f32(out, strlen(out), &mine));
    assert_int_equal(bits_of(mine), 0x15ae43feu);
}

/* Every sampled float's text reads back exactly through strtof and
 * through kiln_parse_f32, and (a sample) no shorter %g does. */
static void test_format_round_trip(void **state)
{
    (void)state;
    char out[32], shorter[32];
    for (uint32_t i = 0; i < (uint32_t)reps(2000000); i++) {
        uint32_t b = (uint32_t)rnd();
        if (i < 4096) /* the ends of the range */
            b = (i & 1 ? 0x80000000u : 0) |
                (i & 2 ? 0x7f7fffffu - (i >> 2) : (i >> 2));
        float v = float_of(b);
        if (isnan(v) || isinf(v))
            continue;
        size_t len = kiln_format_f32(v, out);
        assert_int_equal(len, strlen(out));
        assert_true(len < 16);
        char *end;
        float back = strtof(out, &end);
        if (*end != '\0' || bits_of(back) != b)
            fail_msg("0x%08x: '%s' reads back as 0x%08x", b, out,
                     bits_of(back));
        float mine;
        if (!kiln_parse_f32(out, len, &mine) || bits_of(mine) != b)
            fail_msg("0x%08x: '%s' parses as 0x%08x", b, out, bits_of(mine));
        if (strchr(out, '.') == NULL && strchr(out, 'e') == NULL &&
            rintf(v) != v)
            fail_msg("0x%08x: '%s' lost a fraction", b, out);
        if (i % 8 != 0)
            continue;
        for (int prec = 1; prec <= 9; prec++) {
            int sl = snprintf(shorter, sizeof shorter, "%.*g", prec,
                              (double)v);
            if ((size_t)sl < len && strtof(shorter, NULL) == v)
                fail_msg("0x%08x: '%s' is shorter than '%s'", b, shorter,
                         out);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_random_digits),
        cmocka_unit_test(test_halfway_points),
        cmocka_unit_test(test_subnormals_and_edges),
        cmocka_unit_test(test_long_significands),
        cmocka_unit_test(test_long_mantissas),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_format_examples),
        cmocka_unit_test(test_format_round_trip),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    printf("# %zu texts checked against strtod\n", checked);
    return rc;
}
