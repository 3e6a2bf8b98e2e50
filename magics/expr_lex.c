/* kiln — the lexer of the expression language, kiln_expr_scan and
 * kiln_is_identifier (see expr.h and expr_impl.h).
 *
 * Numbers and strings follow Python's tokenizer (Python/tokenizer.c): the
 * same literal forms and, where it has them, the same error wording.
 */
#include "expr.h"

#include "expr_impl.h"
#include "core/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- identifiers and keywords -------------------------------------- */

static const char *const keywords[] = {
    "False",  "None",     "True",    "and",    "as",       "assert",
    "async",  "await",    "break",   "class",  "continue", "def",
    "del",    "elif",     "else",    "except", "finally",  "for",
    "from",   "global",   "if",      "import", "in",       "is",
    "lambda", "nonlocal", "not",     "or",     "pass",     "raise",
    "return", "try",      "while",   "with",   "yield",
};

bool kiln__is_keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i]) == n && memcmp(keywords[i], s, n) == 0)
            return true;
    return false;
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha_(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int kiln_is_identifier(const char *s, size_t len)
{
    if (s == NULL || len == 0 || !is_alpha_((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!is_alpha_((unsigned char)s[i]) && !is_digit((unsigned char)s[i]))
            return 0;
    return !kiln__is_keyword(s, len);
}

/* ---- error positions ------------------------------------------------ */

/* "column C" on the first line, "line L, column C" after it; columns count
 * code points from 1, as Python's SyntaxError offsets do. */
void kiln__format_where(const char *src, size_t len, size_t pos, char *out,
                        size_t size)
{
    if (pos > len)
        pos = len;
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < pos; i++) {
        if (src[i] == '\n' || (src[i] == '\r' && (i + 1 >= len ||
                                                  src[i + 1] != '\n'))) {
            line++;
            line_start = i + 1;
        }
    }
    size_t col = kiln_utf8_count(src + line_start, pos - line_start) + 1;
    if (line == 1)
        snprintf(out, size, "column %zu", col);
    else
        snprintf(out, size, "line %zu, column %zu", line, col);
}

int kiln__syntax_error(const char *src, size_t len, size_t pos,
                       kiln_error *err, const char *head,
                       const char *detail_fmt, ...)
{
    char where[64], detail[512] = "";
    kiln__format_where(src, len, pos, where, sizeof where);
    if (detail_fmt != NULL) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof detail, detail_fmt, ap);
        va_end(ap);
    }
    return kiln_error_set(err, KILN_SYNTAX, "%s at %s%s%s", head, where,
                          detail_fmt != NULL ? ": " : "", detail);
}

/* ---- numbers -------------------------------------------------------- */

int kiln__decimal_to_double(const char *s, size_t n, double *out)
{
    /* Rewrite "1_234.5e-3" as "12345e-4": digits and an exponent only, so
     * strtod never meets the locale's radix character.  Leading zeros are
     * dropped (they only cost strtod time). */
    kiln_buf b;
    kiln_buf_init(&b);
    bool point = false, nonzero = false;
    long long frac = 0;
    size_t i = 0;
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        char c = s[i];
        if (c == '_')
            continue;
        if (c == '.') {
            point = true;
            continue;
        }
        if (point)
            frac++;
        if (!nonzero && c == '0')
            continue;
        nonzero = true;
        if (kiln_buf_putc(&b, c) != KILN_OK)
            goto nomem;
    }
    long long exp = 0;
    int sign = 1;
    if (i < n) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            sign = s[i++] == '-' ? -1 : 1;
        for (; i < n; i++) {
            if (s[i] == '_')
                continue;
            /* Saturate: beyond 1e9 the result is 0 or inf anyway. */
            if (exp < 1000000000LL)
                exp = exp * 10 + (s[i] - '0');
        }
    }
    if (!nonzero) {
        kiln_buf_fini(&b);
        *out = 0.0;
        return KILN_OK;
    }
    if (kiln_buf_printf(&b, "e%lld", sign * exp - frac) != KILN_OK)
        goto nomem;
    *out = strtod(kiln_buf_str(&b), NULL);
    kiln_buf_fini(&b);
    return KILN_OK;
nomem:
    kiln_buf_fini(&b);
    return KILN_NOMEM;
}

typedef struct lexer {
    const char *src;
    size_t len;
    kiln_error *err;
    size_t *err_pos;
} lexer;

static int lex_error(const lexer *lx, size_t pos, const char *head,
                     const char *detail)
{
    *lx->err_pos = pos;
    if (detail == NULL)
        return kiln__syntax_error(lx->src, lx->len, pos, lx->err, head, NULL);
    return kiln__syntax_error(lx->src, lx->len, pos, lx->err, head, "%s",
                              detail);
}

static int at(const lexer *lx, size_t i)
{
    return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

/* Digits with single underscores between them, from a digit at *i. */
static int decimal_tail(const lexer *lx, size_t *i)
{
    for (;;) {
        while (is_digit(at(lx, *i)))
            (*i)++;
        if (at(lx, *i) != '_')
            return KILN_OK;
        (*i)++;
        if (!is_digit(at(lx, *i)))
            return lex_error(lx, *i, "invalid decimal literal", NULL);
    }
}

/* A number may not run straight into a name: "1a", "0x1g". */
static int verify_end(const lexer *lx, size_t i, const char *kind)
{
    int c = at(lx, i);
    if (c >= 0 && (is_alpha_(c) || is_digit(c) || c >= 0x80)) {
        char head[64];
        snprintf(head, sizeof head, "invalid %s literal", kind);
        return lex_error(lx, i, head, NULL);
    }
    return KILN_OK;
}

static int digit_value(int c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* 0x / 0o / 0b literals. */
static int lex_prefixed_int(const lexer *lx, size_t pos, kiln__token *tok)
{
    int p = at(lx, pos + 1) | 0x20;
    unsigned base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
    const char *kind = base == 16 ? "hexadecimal" : base == 8 ? "octal"
                                                             : "binary";
    size_t i = pos + 2;
    uint64_t v = 0;
    bool big = false;
    for (;;) {
        if (at(lx, i) == '_')
            i++;
        if (digit_value(at(lx, i)) >= (int)base) {
            char head[64];
            if (base != 16 && is_digit(at(lx, i))) {
                snprintf(head, sizeof head, "invalid digit '%c' in %s literal",
                         at(lx, i), kind);
                return lex_error(lx, i, head, NULL);
            }
            snprintf(head, sizeof head, "invalid %s literal", kind);
            return lex_error(lx, i, head, NULL);
        }
        for (int d; (d = digit_value(at(lx, i))) < (int)base; i++) {
            if (v > (UINT64_MAX - (uint64_t)d) / base)
                big = true;
            v = v * base + (uint64_t)d;
        }
        if (at(lx, i) != '_')
            break;
    }
    if (base != 16 && is_digit(at(lx, i))) {
        char head[64];
        snprintf(head, sizeof head, "invalid digit '%c' in %s literal",
                 at(lx, i), kind);
        return lex_error(lx, i, head, NULL);
    }
    int rc = verify_end(lx, i, kind);
    if (rc != KILN_OK)
        return rc;
    tok->kind = KILN__TOK_NUMBER;
    tok->end = i;
    tok->is_float = false;
    tok->int_big = big;
    tok->ival = v;
    return KILN_OK;
}

static int lex_number(const lexer *lx, size_t pos, kiln__token *tok)
{
    int c1 = at(lx, pos + 1) | 0x20;
    if (at(lx, pos) == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b'))
        return lex_prefixed_int(lx, pos, tok);
    size_t i = pos;
    bool is_float = false;
    int rc;
    if (at(lx, i) == '0') {
        /* Zeros ("0", "00", "0_0") are an int; "012" is not, but "012.5"
         * and "012e1" are floats. */
        i++;
        for (;;) {
            if (at(lx, i) == '_') {
                i++;
                if (!is_digit(at(lx, i)))
                    return lex_error(lx, i, "invalid decimal literal", NULL);
            }
            if (at(lx, i) != '0')
                break;
            i++;
        }
        bool nonzero = false;
        if (is_digit(at(lx, i))) {
            nonzero = true;
            if ((rc = decimal_tail(lx, &i)) != KILN_OK)
                return rc;
        }
        int c = at(lx, i);
        if (c != '.' && c != 'e' && c != 'E' && c != 'j' && c != 'J' &&
            nonzero)
            return lex_error(lx, pos,
                             "leading zeros in decimal integer literals are "
                             "not permitted; use an 0o prefix for octal "
                             "integers",
                             NULL);
    } else if (is_digit(at(lx, i))) {
        if ((rc = decimal_tail(lx, &i)) != KILN_OK)
            return rc;
    }
    if (at(lx, i) == '.') {
        is_float = true;
        i++;
        if (is_digit(at(lx, i)) && (rc = decimal_tail(lx, &i)) != KILN_OK)
            return rc;
    }
    if (at(lx, i) == 'e' || at(lx, i) == 'E') {
        size_t e = i++;
        if (at(lx, i) == '+' || at(lx, i) == '-') {
            i++;
            if (!is_digit(at(lx, i)))
                return lex_error(lx, i, "invalid decimal literal", NULL);
        }
        if (is_digit(at(lx, i))) {
            is_float = true;
            if ((rc = decimal_tail(lx, &i)) != KILN_OK)
                return rc;
        } else {
            i = e; /* "1e" is "1" then a name: verify_end rejects it */
        }
    }
    if (at(lx, i) == 'j' || at(lx, i) == 'J')
        return lex_error(lx, pos, "complex number literals are not supported",
                         NULL);
    if ((rc = verify_end(lx, i, "decimal")) != KILN_OK)
        return rc;
    tok->kind = KILN__TOK_NUMBER;
    tok->end = i;
    tok->is_float = is_float;
    if (is_float) {
        if (kiln__decimal_to_double(lx->src + pos, i - pos, &tok->fval) !=
            KILN_OK)
            return kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
        return KILN_OK;
    }
    uint64_t v = 0;
    bool big = false;
    for (size_t k = pos; k < i; k++) {
        if (lx->src[k] == '_')
            continue;
        uint64_t d = (uint64_t)(lx->src[k] - '0');
        if (v > (UINT64_MAX - d) / 10)
            big = true;
        v = v * 10 + d;
    }
    tok->int_big = big;
    tok->ival = v;
    return KILN_OK;
}

/* ---- strings -------------------------------------------------------- */

/* Append source text to a string's value with line breaks made "\n", as
 * Python reads source with universal newlines. */
static int append_source(kiln_buf *text, const char *s, size_t n)
{
    if (text == NULL)
        return KILN_OK;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\r')
            continue;
        if (kiln_buf_append(text, s + run, i - run) != KILN_OK ||
            kiln_buf_putc(text, '\n') != KILN_OK)
            return KILN_NOMEM;
        if (i + 1 < n && s[i + 1] == '\n')
            i++;
        run = i + 1;
    }
    return kiln_buf_append(text, s + run, n - run);
}

static int append_cp(kiln_buf *text, uint32_t cp)
{
    char enc[4];
    if (text == NULL)
        return KILN_OK;
    return kiln_buf_append(text, enc, kiln_utf8_encode(cp, enc));
}

/* Exactly n hex digits at i. */
static bool read_hex(const lexer *lx, size_t i, int n, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < n; k++) {
        int d = digit_value(at(lx, i + (size_t)k));
        if (d > 15)
            return false;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return true;
}

/* The escape whose backslash is at *i, appended to text; *i moves past it.
 * Python's unicode-escape rules; an unknown escape keeps its backslash. */
static int lex_escape(const lexer *lx, size_t *i, kiln_buf *text)
{
    size_t bs = *i;
    int c = at(lx, bs + 1);
    const char *simple = NULL;
    uint32_t cp;
    switch (c) {
    case '\n':
        *i = bs + 2;
        return KILN_OK;
    case '\r':
        *i = bs + 2 + (at(lx, bs + 2) == '\n');
        return KILN_OK;
    case '\\': simple = "\\"; break;
    case '\'': simple = "'"; break;
    case '"': simple = "\""; break;
    case 'a': simple = "\a"; break;
    case 'b': simple = "\b"; break;
    case 'f': simple = "\f"; break;
    case 'n': simple = "\n"; break;
    case 'r': simple = "\r"; break;
    case 't': simple = "\t"; break;
    case 'v': simple = "\v"; break;
    case 'x':
    case 'u':
    case 'U': {
        int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        if (!read_hex(lx, bs + 2, n, &cp))
            return lex_error(lx, bs,
                             c == 'x'   ? "truncated \\xXX escape"
                             : c == 'u' ? "truncated \\uXXXX escape"
                                        : "truncated \\UXXXXXXXX escape",
                             NULL);
        if (cp > 0x10FFFF)
            return lex_error(lx, bs, "illegal Unicode character", NULL);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return lex_error(lx, bs, "invalid escape",
                             "a surrogate code point cannot be encoded in "
                             "UTF-8");
        *i = bs + 2 + (size_t)n;
        return append_cp(text, cp) == KILN_OK
                   ? KILN_OK
                   : kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
    }
    case 'N':
        return lex_error(lx, bs, "\\N{...} escapes are not supported", NULL);
    default:
        if (c >= '0' && c <= '7') {
            cp = 0;
            size_t k = bs + 1;
            for (int n = 0; n < 3 && at(lx, k) >= '0' && at(lx, k) <= '7';
                 n++, k++)
                cp = cp * 8 + (uint32_t)(at(lx, k) - '0');
            *i = k;
            return append_cp(text, cp) == KILN_OK
                       ? KILN_OK
                       : kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
        }
        /* Unknown: the backslash stays and the next character is read as
         * ordinary text. */
        *i = bs + 1;
        return append_source(text, "\\", 1) == KILN_OK
                   ? KILN_OK
                   : kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
    }
    *i = bs + 2;
    /* Not append_source: an escaped \r is a real carriage return. */
    return text == NULL || kiln_buf_append(text, simple, 1) == KILN_OK
               ? KILN_OK
               : kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
}

/* A string literal: prefix at start, opening quote at q. */
static int lex_string(const lexer *lx, size_t start, size_t q, bool raw,
                      kiln__token *tok, kiln_buf *text)
{
    int quote = at(lx, q);
    bool triple = at(lx, q + 1) == quote && at(lx, q + 2) == quote;
    size_t i = q + (triple ? 3 : 1);
    size_t run = i;
    const char *unterminated = triple
                                   ? "unterminated triple-quoted string literal"
                                   : "unterminated string literal";
    for (;;) {
        int c = at(lx, i);
        if (c < 0)
            return lex_error(lx, start, unterminated, NULL);
        if (c == quote) {
            if (!triple)
                break;
            if (at(lx, i + 1) == quote && at(lx, i + 2) == quote)
                break;
            i++;
        } else if (c == '\n' || c == '\r') {
            if (!triple)
                return lex_error(lx, start, unterminated, NULL);
            i++;
        } else if (c == '\\') {
            if (at(lx, i + 1) < 0)
                return lex_error(lx, start, unterminated, NULL);
            if (raw) {
                /* Raw: the backslash stays, but still keeps the next
                 * character (a quote, a line break) from ending the
                 * string. */
                i += 2 + (at(lx, i + 1) == '\r' && at(lx, i + 2) == '\n');
                continue;
            }
            if (append_source(text, lx->src + run, i - run) != KILN_OK)
                return kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
            int rc = lex_escape(lx, &i, text);
            if (rc != KILN_OK)
                return rc;
            run = i;
        } else {
            i++;
        }
    }
    if (append_source(text, lx->src + run, i - run) != KILN_OK)
        return kiln_error_set(lx->err, KILN_NOMEM, "out of memory");
    tok->kind = KILN__TOK_STRING;
    tok->end = i + (triple ? 3 : 1);
    return KILN_OK;
}

/* ---- operators ------------------------------------------------------ */

static const struct {
    const char *text;
    kiln__op op;
} operators[] = {
    /* longest first */
    {"**=", KILN__OP_OTHER}, {"//=", KILN__OP_OTHER}, {">>=", KILN__OP_OTHER},
    {"<<=", KILN__OP_OTHER}, {"...", KILN__OP_OTHER}, {"**", KILN__OP_DSTAR},
    {"//", KILN__OP_DSLASH}, {"==", KILN__OP_OTHER},  {"!=", KILN__OP_OTHER},
    {"<=", KILN__OP_OTHER},  {">=", KILN__OP_OTHER},  {"<<", KILN__OP_OTHER},
    {">>", KILN__OP_OTHER},  {"->", KILN__OP_OTHER},  {":=", KILN__OP_OTHER},
    {"+=", KILN__OP_OTHER},  {"-=", KILN__OP_OTHER},  {"*=", KILN__OP_OTHER},
    {"/=", KILN__OP_OTHER},  {"%=", KILN__OP_OTHER},  {"&=", KILN__OP_OTHER},
    {"|=", KILN__OP_OTHER},  {"^=", KILN__OP_OTHER},  {"@=", KILN__OP_OTHER},
    {"+", KILN__OP_PLUS},    {"-", KILN__OP_MINUS},   {"*", KILN__OP_STAR},
    {"/", KILN__OP_SLASH},   {"%", KILN__OP_PERCENT}, {"(", KILN__OP_LPAR},
    {")", KILN__OP_RPAR},    {"[", KILN__OP_LSQB},    {"]", KILN__OP_RSQB},
    {"{", KILN__OP_LBRACE},  {"}", KILN__OP_RBRACE},  {",", KILN__OP_COMMA},
    {":", KILN__OP_COLON},
};

/* ---- the token stream ----------------------------------------------- */

int kiln__lex(const char *src, size_t len, size_t pos, int depth,
              kiln__token *tok, kiln_buf *text, kiln_error *err,
              size_t *err_pos)
{
    lexer lx = {src, len, err, err_pos};
    memset(tok, 0, sizeof *tok);
    while (pos < len) {
        char c = src[pos];
        if (c == ' ' || c == '\t' || c == '\f') {
            pos++;
        } else if (c == '#') {
            while (pos < len && src[pos] != '\n' && src[pos] != '\r')
                pos++;
        } else if (c == '\\') {
            int n = at(&lx, pos + 1);
            if (n == '\n' || n == '\r') {
                pos += 2 + (n == '\r' && at(&lx, pos + 2) == '\n');
            } else if (n < 0) {
                return lex_error(&lx, pos, "invalid syntax",
                                 "unexpected end of input after line "
                                 "continuation character");
            } else {
                return lex_error(&lx, pos + 1, "invalid syntax",
                                 "unexpected character after line "
                                 "continuation character");
            }
        } else if ((c == '\n' || c == '\r') && depth > 0) {
            pos++;
        } else if (c == '\n' || c == '\r') {
            tok->kind = KILN__TOK_NEWLINE;
            tok->start = pos;
            tok->end = pos + 1 + (c == '\r' && at(&lx, pos + 1) == '\n');
            return KILN_OK;
        } else {
            break;
        }
    }
    tok->start = pos;
    tok->end = pos;
    if (pos >= len) {
        tok->kind = KILN__TOK_EOF;
        return KILN_OK;
    }
    int c = (unsigned char)src[pos];
    if (is_digit(c) || (c == '.' && is_digit(at(&lx, pos + 1))))
        return lex_number(&lx, pos, tok);
    if (is_alpha_(c)) {
        size_t i = pos;
        while (is_alpha_(at(&lx, i)) || is_digit(at(&lx, i)))
            i++;
        int q = at(&lx, i);
        if ((q == '\'' || q == '"') && i - pos <= 2) {
            char prefix[3] = {0};
            for (size_t k = pos; k < i; k++)
                prefix[k - pos] = (char)(src[k] | 0x20);
            if (strcmp(prefix, "r") == 0 || strcmp(prefix, "u") == 0)
                return lex_string(&lx, pos, i, prefix[0] == 'r', tok, text);
            if (strspn(prefix, "bfr") == i - pos && strcmp(prefix, "rr") != 0 &&
                prefix[0] != prefix[1]) {
                char head[64];
                snprintf(head, sizeof head, "unsupported string prefix '%.*s'",
                         (int)(i - pos), src + pos);
                return lex_error(&lx, pos, head,
                                 "bytes and f-strings are not part of the "
                                 "language");
            }
        }
        tok->kind = KILN__TOK_NAME;
        tok->end = i;
        return KILN_OK;
    }
    if (c == '\'' || c == '"')
        return lex_string(&lx, pos, pos, false, tok, text);
    for (size_t k = 0; k < sizeof operators / sizeof operators[0]; k++) {
        size_t n = strlen(operators[k].text);
        if (n <= len - pos && memcmp(src + pos, operators[k].text, n) == 0) {
            tok->kind = KILN__TOK_OP;
            tok->op = operators[k].op;
            tok->end = pos + n;
            return KILN_OK;
        }
    }
    if (c >= 0x80) {
        uint32_t cp;
        size_t k = kiln_utf8_decode(src + pos, len - pos, &cp);
        char head[80];
        if (k == 0)
            snprintf(head, sizeof head, "invalid UTF-8 byte 0x%02x", c);
        else
            snprintf(head, sizeof head, "invalid character '%.*s' (U+%04X)",
                     (int)k, src + pos, (unsigned)cp);
        return lex_error(&lx, pos, head, NULL);
    }
    if (c < 0x20 || c == 0x7f) {
        char head[64];
        snprintf(head, sizeof head, "invalid non-printable character U+%04X",
                 (unsigned)c);
        return lex_error(&lx, pos, head, NULL);
    }
    /* Any other ASCII character ($ ? ! . ; ...) is an operator the grammar
     * does not know; the parser reports it by name. */
    tok->kind = KILN__TOK_OP;
    tok->op = KILN__OP_OTHER;
    tok->end = pos + 1;
    return KILN_OK;
}

/* ---- kiln_expr_scan ------------------------------------------------- */

/* Bracket kinds are remembered this deep; deeper closers only count. */
#define SCAN_STACK 4096

void kiln_expr_scan(const char *src, size_t len, kiln_lex_state *state)
{
    char stack[SCAN_STACK];
    kiln_lex_state st = {0, 0, 0, 0};
    size_t i = 0;
    while (i < len) {
        char c = src[i];
        if (c == '#') {
            while (i < len && src[i] != '\n' && src[i] != '\r')
                i++;
            continue;
        }
        if (c == '\'' || c == '"') {
            bool triple = i + 2 < len && src[i + 1] == c && src[i + 2] == c;
            i += triple ? 3 : 1;
            for (;;) {
                if (i >= len) {
                    st.open_string = c;
                    st.triple = triple;
                    *state = st;
                    return;
                }
                char d = src[i];
                if (d == '\\') {
                    /* Skips the escaped character, so \' and a backslash
                     * line continuation do not end the string (raw
                     * strings behave the same here). */
                    i += 2 + (i + 2 < len && src[i + 1] == '\r' &&
                              src[i + 2] == '\n');
                } else if (d == c && !triple) {
                    i++;
                    break;
                } else if (d == c && i + 2 < len && src[i + 1] == c &&
                           src[i + 2] == c) {
                    i += 3;
                    break;
                } else if ((d == '\n' || d == '\r') && !triple) {
                    /* A one-line string ran into the end of its line: an
                     * error (Python: unterminated string literal), not an
                     * incomplete cell. */
                    st.unbalanced = 1;
                    break;
                } else {
                    i++;
                }
            }
            continue;
        }
        if (c == '(' || c == '[' || c == '{') {
            if (st.depth < SCAN_STACK)
                stack[st.depth] = c;
            st.depth++;
        } else if (c == ')' || c == ']' || c == '}') {
            if (st.depth == 0) {
                st.unbalanced = 1;
            } else {
                st.depth--;
                char want = c == ')' ? '(' : c == ']' ? '[' : '{';
                if (st.depth < SCAN_STACK && stack[st.depth] != want)
                    st.unbalanced = 1;
            }
        }
        i++;
    }
    *state = st;
}
