/* kiln — a MIME bundle (see bundle.h). */
#include "bundle.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *key;
    kiln_bundle_kind kind;
    char *data; /* NUL-terminated copy (also for BINARY, for convenience) */
    size_t len;
} entry;

typedef struct entry_list {
    entry *items;
    size_t count, cap;
} entry_list;

struct kiln_bundle {
    entry_list data;
    entry_list metadata;
};

kiln_bundle *kiln_bundle_new(void)
{
    return calloc(1, sizeof(kiln_bundle));
}

static void list_fini(entry_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].key);
        free(l->items[i].data);
    }
    free(l->items);
}

void kiln_bundle_free(kiln_bundle *b)
{
    if (b == NULL)
        return;
    list_fini(&b->data);
    list_fini(&b->metadata);
    free(b);
}

static int list_put(entry_list *l, const char *key, kiln_bundle_kind kind,
                    const void *bytes, size_t len);

kiln_bundle *kiln_bundle_copy(const kiln_bundle *b)
{
    kiln_bundle *copy = kiln_bundle_new();
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < b->data.count; i++) {
        const entry *e = &b->data.items[i];
        if (list_put(&copy->data, e->key, e->kind, e->data, e->len) != KILN_OK)
            goto nomem;
    }
    for (size_t i = 0; i < b->metadata.count; i++) {
        const entry *e = &b->metadata.items[i];
        if (list_put(&copy->metadata, e->key, e->kind, e->data, e->len) !=
            KILN_OK)
            goto nomem;
    }
    return copy;
nomem:
    kiln_bundle_free(copy);
    return NULL;
}

static int list_put(entry_list *l, const char *key, kiln_bundle_kind kind,
                    const void *bytes, size_t len)
{
    char *k = strdup(key);
    char *d = malloc(len + 1);
    if (k == NULL || d == NULL)
        goto nomem;
    if (len > 0)
        memcpy(d, bytes, len);
    d[len] = '\0';

    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            free(k);
            free(l->items[i].data);
            l->items[i].data = d;
            l->items[i].len = len;
            l->items[i].kind = kind;
            return KILN_OK;
        }
    }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        entry *items = realloc(l->items, cap * sizeof *items);
        if (items == NULL)
            goto nomem;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = (entry){k, kind, d, len};
    return KILN_OK;
nomem:
    free(d);
    free(k);
    return KILN_NOMEM;
}

int kiln_bundle_add_text(kiln_bundle *b, const char *mime, const char *text)
{
    return list_put(&b->data, mime, KILN_BUNDLE_TEXT, text, strlen(text));
}

int kiln_bundle_add_json(kiln_bundle *b, const char *mime, const char *json_text)
{
    return list_put(&b->data, mime, KILN_BUNDLE_JSON, json_text,
                    strlen(json_text));
}

int kiln_bundle_add_binary(kiln_bundle *b, const char *mime, const void *bytes,
                           size_t len)
{
    return list_put(&b->data, mime, KILN_BUNDLE_BINARY, bytes, len);
}

int kiln_bundle_set_metadata(kiln_bundle *b, const char *key,
                             const char *json_text)
{
    return list_put(&b->metadata, key, KILN_BUNDLE_JSON, json_text,
                    strlen(json_text));
}

int kiln_bundle_set_image_size(kiln_bundle *b, const char *mime, int width,
                               int height)
{
    char text[64];
    snprintf(text, sizeof text, "{\"width\": %d, \"height\": %d}", width,
             height);
    return kiln_bundle_set_metadata(b, mime, text);
}

size_t kiln_bundle_count(const kiln_bundle *b)
{
    return b->data.count;
}

void kiln_bundle_get(const kiln_bundle *b, size_t i, const char **mime,
                     kiln_bundle_kind *kind, const char **data, size_t *len)
{
    const entry *e = &b->data.items[i];
    if (mime)
        *mime = e->key;
    if (kind)
        *kind = e->kind;
    if (data)
        *data = e->data;
    if (len)
        *len = e->len;
}

const char *kiln_bundle_find(const kiln_bundle *b, const char *mime,
                             size_t *len)
{
    for (size_t i = 0; i < b->data.count; i++) {
        if (strcmp(b->data.items[i].key, mime) == 0) {
            if (len)
                *len = b->data.items[i].len;
            return b->data.items[i].data;
        }
    }
    return NULL;
}

size_t kiln_bundle_metadata_count(const kiln_bundle *b)
{
    return b->metadata.count;
}

void kiln_bundle_metadata_get(const kiln_bundle *b, size_t i, const char **key,
                              const char **json_text)
{
    const entry *e = &b->metadata.items[i];
    if (key)
        *key = e->key;
    if (json_text)
        *json_text = e->data;
}
