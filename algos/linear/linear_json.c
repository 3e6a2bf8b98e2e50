/* kiln — the JSON the linear learner artifact holds (manifest.json,
 * additional-params.json, mx-mod-symbol.json): a small validating reader
 * that hands out borrowed views of values.  algos/ stays free of the JSON
 * library the kernel uses (style.md §1); these files are a few hundred
 * bytes.  Nesting is limited to 64 levels so hostile input cannot exhaust
 * the stack. */
#include "linear.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 };

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static const char *string_end(const char *p, const char *end)
{
    if (p >= end || *p != '"')
        return NULL;
    for (p++; p < end; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"')
            return p + 1;
        if (ch < 0x20)
            return NULL;
        if (ch == '\\') {
            if (++p >= end)
                return NULL;
            if (*p == 'u') {
                for (int i = 0; i < 4; i++)
                    if (++p >= end || !strchr("0123456789abcdefABCDEF", *p))
                        return NULL;
            } else if (!strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
    }
    return NULL;
}

static const char *number_end(const char *p, const char *end)
{
    const char *s = p;
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return NULL;
    if (*p == '0')
        p++;
    else
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    return p > s ? p : NULL;
}

static const char *literal_end(const char *p, const char *end, const char *w)
{
    size_t n = strlen(w);
    return (size_t)(end - p) >= n && memcmp(p, w, n) == 0 ? p + n : NULL;
}

/* The end of the value starting at p (no leading space), or NULL. */
static const char *value_end(const char *p, const char *end, int depth)
{
    if (p >= end || depth > MAX_DEPTH)
        return NULL;
    switch (*p) {
    case '"':
        return string_end(p, end);
    case 't':
        return literal_end(p, end, "true");
    case 'f':
        return literal_end(p, end, "false");
    case 'n':
        return literal_end(p, end, "null");
    case '{':
    case '[': {
        bool obj = *p == '{';
        char close = obj ? '}' : ']';
        p = ws(p + 1, end);
        if (p < end && *p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = string_end(p, end);
                if (p == NULL)
                    return NULL;
                p = ws(p, end);
                if (p >= end || *p != ':')
                    return NULL;
                p = ws(p + 1, end);
            }
            p = value_end(p, end, depth + 1);
            if (p == NULL)
                return NULL;
            p = ws(p, end);
            if (p < end && *p == ',') {
                p = ws(p + 1, end);
                continue;
            }
            if (p < end && *p == close)
                return p + 1;
            return NULL;
        }
    }
    default:
        return number_end(p, end);
    }
}

bool kiln__json_valid(const char *text, size_t len, size_t *at)
{
    const char *end = text + len;
    const char *p = ws(text, end);
    const char *q = value_end(p, end, 0);
    if (q != NULL) {
        q = ws(q, end);
        if (q == end)
            return true;
    }
    /* find where it broke: the longest valid prefix is hard to know; report
     * the first byte after the leading space, or the trailing garbage */
    if (at)
        *at = (size_t)((q ? q : p) - text);
    return false;
}

bool kiln__json_member(kiln__json v, const char *key, kiln__json *out)
{
    const char *p = v.p, *end = v.p + v.len;
    if (p >= end || *p != '{')
        return false;
    size_t klen = strlen(key);
    p = ws(p + 1, end);
    while (p < end && *p == '"') {
        const char *ke = string_end(p, end);
        if (ke == NULL)
            return false;
        bool match = (size_t)(ke - p) == klen + 2 && memcmp(p + 1, key, klen) == 0;
        p = ws(ke, end);
        if (p >= end || *p != ':')
            return false;
        p = ws(p + 1, end);
        const char *ve = value_end(p, end, 1);
        if (ve == NULL)
            return false;
        if (match) {
            *out = (kiln__json){p, (size_t)(ve - p)};
            return true;
        }
        p = ws(ve, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    return false;
}

bool kiln__json_index(kiln__json v, size_t i, kiln__json *out)
{
    const char *p = v.p, *end = v.p + v.len;
    if (p >= end || *p != '[')
        return false;
    p = ws(p + 1, end);
    for (size_t k = 0; p < end && *p != ']'; k++) {
        const char *ve = value_end(p, end, 1);
        if (ve == NULL)
            return false;
        if (k == i) {
            *out = (kiln__json){p, (size_t)(ve - p)};
            return true;
        }
        p = ws(ve, end);
        if (p < end && *p == ',')
            p = ws(p + 1, end);
    }
    return false;
}

bool kiln__json_is_null(kiln__json v)
{
    return v.len == 4 && memcmp(v.p, "null", 4) == 0;
}

bool kiln__json_string(kiln__json v, char *out, size_t size)
{
    if (v.len < 2 || v.p[0] != '"' || size == 0)
        return false;
    size_t o = 0;
    for (size_t i = 1; i + 1 < v.len; i++) {
        char ch = v.p[i];
        if (ch == '\\') {
            ch = v.p[++i];
            switch (ch) {
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'u': {
                char hex[5] = {0};
                memcpy(hex, v.p + i + 1, 4);
                long u = strtol(hex, NULL, 16);
                ch = u < 0x80 ? (char)u : '?';
                i += 4;
                break;
            }
            default: break; /* \" \\ \/ */
            }
        }
        if (o + 1 >= size)
            return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    return true;
}

bool kiln__json_number(kiln__json v, double *out)
{
    char buf[64];
    if (v.len == 0 || v.len >= sizeof buf ||
        number_end(v.p, v.p + v.len) != v.p + v.len)
        return false;
    memcpy(buf, v.p, v.len);
    buf[v.len] = '\0';
    *out = strtod(buf, NULL);
    return true;
}
