/* kiln — the connection file (see conn.h). */
#include "conn.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channel_names[KILN__CHANNEL_COUNT] = {
    "shell", "iopub", "stdin", "control", "hb"};

const char *kiln_channel_name(kiln_channel ch)
{
    return (unsigned)ch < KILN__CHANNEL_COUNT ? channel_names[ch] : "?";
}

void kiln_conn_fini(kiln_conn *conn)
{
    free(conn->transport);
    free(conn->ip);
    free(conn->key);
    free(conn->signature_scheme);
    memset(conn, 0, sizeof *conn);
}

/* A copy of the string at `name`, or of `fallback` when absent. */
static int get_string(json_t *root, const char *name, const char *fallback,
                      char **out, size_t *out_len, const char *path,
                      kiln_error *err)
{
    json_t *v = json_object_get(root, name);
    const char *s = fallback;
    size_t len = fallback ? strlen(fallback) : 0;
    if (v != NULL) {
        if (!json_is_string(v))
            return kiln_error_set(err, KILN_VALUE,
                                  "%s: %s must be a string", path, name);
        s = json_string_value(v);
        len = json_string_length(v);
    } else if (fallback == NULL) {
        return kiln_error_set(err, KILN_VALUE, "%s: missing key %s", path,
                              name);
    }
    *out = malloc(len + 1);
    if (*out == NULL)
        return kiln_error_set(err, KILN_NOMEM, "out of memory");
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    if (out_len)
        *out_len = len;
    return KILN_OK;
}

int kiln_conn_parse(kiln_conn *conn, const char *json_text, size_t len,
                    const char *path, kiln_error *err)
{
    memset(conn, 0, sizeof *conn);
    json_error_t jerr;
    json_t *root = json_loadb(json_text, len, 0, &jerr);
    if (root == NULL)
        return kiln_error_set(err, KILN_VALUE,
                              "%s line %d column %d: %s", path, jerr.line,
                              jerr.column, jerr.text);
    int rc = KILN_OK;
    if (!json_is_object(root)) {
        rc = kiln_error_set(err, KILN_VALUE, "%s: expected a JSON object",
                            path);
        goto done;
    }
    if ((rc = get_string(root, "transport", "tcp", &conn->transport, NULL,
                         path, err)) ||
        (rc = get_string(root, "ip", "127.0.0.1", &conn->ip, NULL, path,
                         err)) ||
        (rc = get_string(root, "key", "", &conn->key, &conn->key_len, path,
                         err)) ||
        (rc = get_string(root, "signature_scheme", "hmac-sha256",
                         &conn->signature_scheme, NULL, path, err)))
        goto done;
    if (strcmp(conn->transport, "tcp") != 0 &&
        strcmp(conn->transport, "ipc") != 0) {
        rc = kiln_error_set(err, KILN_VALUE,
                            "%s: transport must be \"tcp\" or \"ipc\", got "
                            "\"%s\"",
                            path, conn->transport);
        goto done;
    }
    for (int ch = 0; ch < KILN__CHANNEL_COUNT; ch++) {
        char name[32];
        snprintf(name, sizeof name, "%s_port", channel_names[ch]);
        json_t *v = json_object_get(root, name);
        if (v == NULL) {
            rc = kiln_error_set(err, KILN_VALUE, "%s: missing key %s", path,
                                name);
            goto done;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > 65535) {
            char *shown = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            rc = kiln_error_set(err, KILN_VALUE,
                                "%s: %s must be an integer 1-65535, got %s",
                                path, name, shown ? shown : "?");
            free(shown);
            goto done;
        }
        conn->ports[ch] = (int)json_integer_value(v);
    }
done:
    json_decref(root);
    if (rc != KILN_OK)
        kiln_conn_fini(conn);
    return rc;
}

int kiln_conn_load(kiln_conn *conn, const char *path, kiln_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", path,
                              strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    int rc = KILN_OK;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            if (cap > (1u << 24)) {
                rc = kiln_error_set(err, KILN_VALUE,
                                    "%s: larger than 16 MiB, not a "
                                    "connection file",
                                    path);
                goto done;
            }
            char *grown = realloc(text, cap);
            if (grown == NULL) {
                rc = kiln_error_set(err, KILN_NOMEM, "out of memory");
                goto done;
            }
            text = grown;
        }
        size_t got = fread(text + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = kiln_error_set(err, KILN_IO, "cannot read %s", path);
        goto done;
    }
    rc = kiln_conn_parse(conn, text, len, path, err);
done:
    free(text);
    fclose(f);
    return rc;
}

void kiln_conn_endpoint(const kiln_conn *conn, kiln_channel ch, char *buf,
                        size_t size)
{
    if (strcmp(conn->transport, "ipc") == 0)
        snprintf(buf, size, "ipc://%s-%d", conn->ip, conn->ports[ch]);
    else
        snprintf(buf, size, "tcp://%s:%d", conn->ip, conn->ports[ch]);
}
