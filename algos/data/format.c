/* kiln — content types and format detection (format.h). */
#include "format.h"

#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    kiln_format format;
} spellings[] = {
    {"text/csv", KILN_FORMAT_CSV},
    {"csv", KILN_FORMAT_CSV},
    {"text/libsvm", KILN_FORMAT_LIBSVM},
    {"text/x-libsvm", KILN_FORMAT_LIBSVM},
    {"libsvm", KILN_FORMAT_LIBSVM},
    {"application/x-recordio-protobuf", KILN_FORMAT_RECORDIO},
    {"recordio-protobuf", KILN_FORMAT_RECORDIO},
};

const char *kiln_format_mime(kiln_format f)
{
    switch (f) {
    case KILN_FORMAT_CSV:
        return "text/csv";
    case KILN_FORMAT_LIBSVM:
        return "text/libsvm";
    case KILN_FORMAT_RECORDIO:
        return "application/x-recordio-protobuf";
    case KILN_FORMAT_UNKNOWN:
        break;
    }
    return "";
}

const char *kiln_format_name(kiln_format f)
{
    switch (f) {
    case KILN_FORMAT_CSV:
        return "csv";
    case KILN_FORMAT_LIBSVM:
        return "libsvm";
    case KILN_FORMAT_RECORDIO:
        return "recordio-protobuf";
    case KILN_FORMAT_UNKNOWN:
        break;
    }
    return "";
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* s[0..n) without blanks at either end. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && blank(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && blank((*s)[*n - 1]))
        (*n)--;
}

static bool word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* One "name=value" parameter of a content type. */
static int parse_param(const char *s, size_t n, const char *text,
                       kiln_content_type *out, kiln_error *err)
{
    const char *eq = memchr(s, '=', n);
    if (eq == NULL)
        return kiln_error_set(err, KILN_DATA,
                              "content type '%s': parameter '%.*s' has no "
                              "value (expected name=value)",
                              text, (int)n, s);
    const char *name = s, *value = eq + 1;
    size_t name_len = (size_t)(eq - s), value_len = n - name_len - 1;
    trim(&name, &name_len);
    trim(&value, &value_len);
    if (value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"') {
        value++;
        value_len -= 2;
    }
    if (word_is(name, name_len, "label_size")) {
        if (out->format != KILN_FORMAT_CSV)
            return kiln_error_set(err, KILN_DATA,
                                  "content type '%s': label_size applies to "
                                  "text/csv only",
                                  text);
        if (value_len != 1 || (value[0] != '0' && value[0] != '1'))
            return kiln_error_set(err, KILN_DATA,
                                  "content type '%s': label_size must be 0 "
                                  "or 1, got '%.*s'",
                                  text, (int)value_len, value);
        out->no_label = value[0] == '0';
        return KILN_OK;
    }
    if (word_is(name, name_len, "charset")) {
        if (word_is(value, value_len, "utf-8") ||
            word_is(value, value_len, "utf8"))
            return KILN_OK;
        return kiln_error_set(err, KILN_DATA,
                              "content type '%s': charset must be utf-8, got "
                              "'%.*s'",
                              text, (int)value_len, value);
    }
    return kiln_error_set(err, KILN_DATA,
                          "content type '%s': unknown parameter '%.*s' "
                          "(expected label_size or charset)",
                          text, (int)name_len, name);
}

int kiln_content_type_parse(const char *text, kiln_content_type *out,
                            kiln_error *err)
{
    kiln_content_type ct = {KILN_FORMAT_UNKNOWN, false};
    if (text == NULL || text[0] == '\0') {
        *out = ct;
        return KILN_OK;
    }
    const char *semi = strchr(text, ';');
    const char *type = text;
    size_t type_len = semi ? (size_t)(semi - text) : strlen(text);
    trim(&type, &type_len);
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++)
        if (word_is(type, type_len, spellings[i].name))
            ct.format = spellings[i].format;
    if (ct.format == KILN_FORMAT_UNKNOWN)
        return kiln_error_set(err, KILN_DATA,
                              "unsupported content type '%.*s' (expected "
                              "text/csv, text/libsvm or "
                              "application/x-recordio-protobuf)",
                              (int)type_len, type);
    while (semi != NULL) {
        const char *p = semi + 1;
        semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        trim(&p, &n);
        if (n == 0)
            continue;
        if (parse_param(p, n, text, &ct, err) != KILN_OK)
            return err->code;
    }
    *out = ct;
    return KILN_OK;
}

bool kiln_format_is_gzip(const unsigned char *head, size_t n)
{
    return n >= 2 && head[0] == 0x1f && head[1] == 0x8b;
}

/* The first line with something other than blanks on it. */
static void first_line(const char *s, size_t n, const char **line,
                       size_t *len)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        const char *p = s + i;
        size_t k = end - i;
        trim(&p, &k);
        if (k > 0 && p[k - 1] == '\r')
            k--;
        if (k > 0 && p[0] != '#') {
            *line = p;
            *len = k;
            return;
        }
        i = end + 1;
    }
    *line = s;
    *len = 0;
}

kiln_format kiln_format_sniff(const unsigned char *head, size_t n)
{
    if (n == 0)
        return KILN_FORMAT_UNKNOWN;
    if (n >= 4 && head[0] == 0x0a && head[1] == 0x23 && head[2] == 0xd7 &&
        head[3] == 0xce)
        return KILN_FORMAT_RECORDIO;
    const char *line;
    size_t len;
    first_line((const char *)head, n, &line, &len);
    /* libsvm: "label idx:val ..." — a blank-separated token after the
     * first one with a ':' between digits, and no comma anywhere. */
    if (memchr(line, ',', len) != NULL)
        return KILN_FORMAT_CSV;
    size_t i = 0;
    while (i < len && !blank(line[i]))
        i++;
    while (i < len) {
        while (i < len && blank(line[i]))
            i++;
        size_t start = i;
        while (i < len && !blank(line[i]))
            i++;
        const char *colon = memchr(line + start, ':', i - start);
        if (colon != NULL && colon > line + start &&
            colon[-1] >= '0' && colon[-1] <= '9')
            return KILN_FORMAT_LIBSVM;
    }
    return KILN_FORMAT_CSV;
}

char kiln_format_sniff_delimiter(const char *head, size_t n)
{
    const char *nl = memchr(head, '\n', n);
    size_t len = nl ? (size_t)(nl - head) : n;
    if (memchr(head, ',', len) != NULL)
        return ',';
    static const char others[] = {'\t', ';', '|'};
    for (size_t i = 0; i < sizeof others; i++)
        if (memchr(head, others[i], len) != NULL)
            return others[i];
    return ',';
}
