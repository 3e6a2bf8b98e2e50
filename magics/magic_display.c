/* kiln — the display cell magics: %%html, %%markdown, %%json.
 *
 * Each shows its body (after $substitution) as one display_data with the
 * body's MIME type and a text/plain twin for front ends that cannot render
 * it (nbconvert to text, consoles).  Everything here is static except the
 * descriptor table kiln_magics_display (registry.h).
 */
#include "registry.h"

#include "cell.h"
#include "chars.h"
#include "value.h"

#include "core/buf.h"

#include <jansson.h>
#include <string.h>

/* Display {mime: body, text/plain: plain}. */
static int show(const kiln_magic_call *call, const char *mime,
                const char *body, const char *plain, kiln_error *err)
{
    kiln_bundle *b = kiln_bundle_new();
    int rc = b != NULL ? kiln_bundle_add_text(b, mime, body) : KILN_NOMEM;
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(b, "text/plain", plain);
    if (rc == KILN_OK)
        kiln_sink_display(call->sink, b, NULL);
    kiln_bundle_free(b);
    return rc == KILN_OK ? KILN_OK : kiln_error_nomem(err);
}

static int run_html(const kiln_magic_call *call, kiln_error *err)
{
    return show(call, "text/html", call->body, "<HTML>", err);
}

static int run_markdown(const kiln_magic_call *call, kiln_error *err)
{
    return show(call, "text/markdown", call->body, call->body, err);
}

/* ---- %%json ------------------------------------------------------------- */

/* Pretty-print as Python's json.dumps(indent=2) does: floats in their
 * shortest round-trip form (0.1, not jansson's 0.10000000000000001). */
static int pretty(const json_t *j, int indent, kiln_buf *out)
{
    int rc = KILN_OK;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        if (json_object_size(j) == 0)
            return kiln_buf_puts(out, "{}");
        const char *key;
        json_t *value;
        bool first = true;
        rc = kiln_buf_putc(out, '{');
        json_object_foreach((json_t *)j, key, value) {
            json_t *k = json_string(key);
            char *quoted = k != NULL ? json_dumps(k, JSON_ENCODE_ANY) : NULL;
            json_decref(k);
            if (quoted == NULL)
                return KILN_NOMEM;
            if (rc == KILN_OK)
                rc = kiln_buf_printf(out, "%s\n%*s%s: ", first ? "" : ",",
                                     indent + 2, "", quoted);
            free(quoted);
            if (rc == KILN_OK)
                rc = pretty(value, indent + 2, out);
            if (rc != KILN_OK)
                return rc;
            first = false;
        }
        return kiln_buf_printf(out, "\n%*s}", indent, "");
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (n == 0)
            return kiln_buf_puts(out, "[]");
        rc = kiln_buf_putc(out, '[');
        for (size_t i = 0; i < n && rc == KILN_OK; i++) {
            rc = kiln_buf_printf(out, "%s\n%*s", i ? "," : "", indent + 2, "");
            if (rc == KILN_OK)
                rc = pretty(json_array_get(j, i), indent + 2, out);
        }
        return rc == KILN_OK ? kiln_buf_printf(out, "\n%*s]", indent, "")
                             : rc;
    }
    case JSON_REAL:
        return kiln_format_float(json_real_value(j), out);
    case JSON_INTEGER:
        return kiln_buf_printf(out, "%" JSON_INTEGER_FORMAT,
                               json_integer_value(j));
    default: {
        char *s = json_dumps(j, JSON_ENCODE_ANY);
        if (s == NULL)
            return KILN_NOMEM;
        rc = kiln_buf_puts(out, s);
        free(s);
        return rc;
    }
    }
}

/* The ValueError for a body jansson rejects, with the cell line and a caret
 * under the column it names. */
static int json_syntax_error(const kiln_magic_call *call,
                             const json_error_t *je, kiln_error *err)
{
    int line = je->line > 0 ? je->line : 1;
    int column = je->column > 0 ? je->column : 1;
    int cell_line = call->body_line + line - 1;
    kiln_error_set(err, KILN_VALUE, "%%%%json: invalid JSON at line %d, "
                   "column %d: %s", cell_line, column, je->text);
    /* The body line, and a caret under the column (code points). */
    const char *s = call->body;
    for (int l = 1; l < line; l++) {
        const char *nl = strchr(s, '\n');
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    size_t n = strcspn(s, "\n"), caret = 0;
    for (int points = 1; points < column && caret < n; points++) {
        caret++;
        while (caret < n && kiln_is_utf8_cont(s[caret]))
            caret++;
    }
    kiln_cell_context(err, cell_line, s, n, (long)caret);
    return KILN_VALUE;
}

static const char *json_kind(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int run_json(const kiln_magic_call *call, kiln_error *err)
{
    const char *body = call->body;
    size_t a = 0, b = call->body_len;
    while (a < b && strchr(" \t\r\n", body[a]) != NULL)
        a++;
    while (b > a && strchr(" \t\r\n", body[b - 1]) != NULL)
        b--;
    if (a == b)
        return kiln_error_set(err, KILN_VALUE,
                              "%%%%json: the body is empty; write a JSON "
                              "object or array on the lines below %%%%json");
    json_error_t je;
    json_t *root = json_loadb(body, call->body_len, JSON_DECODE_ANY, &je);
    if (root == NULL)
        return json_syntax_error(call, &je, err);
    int rc = KILN_OK;
    if (!json_is_object(root) && !json_is_array(root)) {
        rc = kiln_error_set(err, KILN_VALUE,
                            "%%%%json: the body is %s; application/json "
                            "shows an object or an array",
                            json_kind(root));
        json_decref(root);
        return rc;
    }
    kiln_buf text, plain;
    kiln_buf_init(&text);
    kiln_buf_init(&plain);
    kiln_bundle *bundle = kiln_bundle_new();
    rc = bundle != NULL ? KILN_OK : KILN_NOMEM;
    /* application/json: the body as written, which keeps its numbers. */
    if (rc == KILN_OK)
        rc = kiln_buf_append(&text, body + a, b - a);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_json(bundle, "application/json",
                                  kiln_buf_str(&text));
    if (rc == KILN_OK)
        rc = pretty(root, 0, &plain);
    if (rc == KILN_OK)
        rc = kiln_bundle_add_text(bundle, "text/plain", kiln_buf_str(&plain));
    if (rc == KILN_OK)
        kiln_sink_display(call->sink, bundle, NULL);
    kiln_bundle_free(bundle);
    kiln_buf_fini(&plain);
    kiln_buf_fini(&text);
    json_decref(root);
    return rc == KILN_OK ? KILN_OK : kiln_error_nomem(err);
}

/* ---- the table ---------------------------------------------------------- */

const kiln_magic kiln_magics_display[] = {
    {
        .name = "html",
        .kinds = KILN_MAGIC_CELL,
        .summary = "Display the body as HTML",
        .usage = "The body is shown as text/html after $substitution.\n\n"
                 "Example:\n"
                 "  %%html\n"
                 "  <b>accuracy:</b> $acc",
        .run = run_html,
    },
    {
        .name = "json",
        .kinds = KILN_MAGIC_CELL,
        .summary = "Display the body, a JSON object or array, as JSON",
        .usage = "The body is checked with a JSON parser; an error names the "
                 "line and column.\n"
                 "Front ends show application/json as a tree; text/plain is "
                 "the JSON indented.\n\n"
                 "Example:\n"
                 "  %%json\n"
                 "  {\"objective\": \"reg:squarederror\", \"rounds\": $rounds}",
        .run = run_json,
    },
    {
        .name = "markdown",
        .kinds = KILN_MAGIC_CELL,
        .flags = KILN_MAGIC_TEXT_BODY,
        .summary = "Display the body as Markdown",
        .usage = "The body is shown as text/markdown after $substitution "
                 "of defined variables;\nan unknown $name and $$ stay as "
                 "written, so LaTeX math ($x^2$, $$\\sum_i x_i$$)\n"
                 "renders.\n\n"
                 "Example:\n"
                 "  %%markdown\n"
                 "  ## Results for *$job*",
        .run = run_markdown,
    },
    {0},
};
