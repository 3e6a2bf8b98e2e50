/* kiln — values of the cell language.
 *
 * The language's values are Python's literal types: None, bool, int (64-bit;
 * results that do not fit raise OverflowError), float (double), str (UTF-8),
 * list and dict (insertion-ordered; keys are str, int, float, bool or None).
 * Values are immutable and reference-counted: constructors return a new
 * reference, kiln_value_unref drops one, and containers hold references to
 * their items.
 *
 * Text forms follow Python exactly where Python defines them:
 *   - repr: 'kiln', 42, 7.5, 1e+16, 0.1, [1, 'a'], {'a': 1}, True, None,
 *     inf, nan (floats in shortest round-trip form, as Python's repr);
 *   - str: like repr, but a str is its own text;
 *   - json: lists and dicts for $substitution and application/json
 *     (true/false/null, "strings" with JSON escapes; NaN and Infinity as
 *     Python's json.dumps writes them).
 * No locale is consulted.
 *
 * Threads: values are immutable; refcounts are atomic, so a value may be
 * shared across threads.
 */
#ifndef KILN_MAGICS_VALUE_H
#define KILN_MAGICS_VALUE_H

#include "core/buf.h"
#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum kiln_value_type {
    KILN_VALUE_NONE,
    KILN_VALUE_BOOL,
    KILN_VALUE_INT,
    KILN_VALUE_FLOAT,
    KILN_VALUE_STR,
    KILN_VALUE_LIST,
    KILN_VALUE_DICT,
} kiln_value_type;

typedef struct kiln_value kiln_value;

/* Constructors return a new reference, or NULL when out of memory. */
kiln_value *kiln_value_none(void);
kiln_value *kiln_value_bool(bool b);
kiln_value *kiln_value_int(int64_t i);
kiln_value *kiln_value_float(double d);
kiln_value *kiln_value_str(const char *s, size_t len);
/* An empty list or dict, to be filled with the _append / _set calls below
 * while its only reference is the caller's (values are immutable once
 * shared). */
kiln_value *kiln_value_list_new(void);
kiln_value *kiln_value_dict_new(void);
/* Containers nest at most this deep (repr, equality and unref recurse). */
#define KILN_VALUE_MAX_DEPTH 1000

/* Append takes a new reference to item (the caller keeps its own).
 * Returns KILN_OK, KILN_NOMEM (also for a NULL item, so a failed
 * constructor can be passed straight in), or KILN_VALUE when item is
 * already KILN_VALUE_MAX_DEPTH deep. */
int kiln_value_list_append(kiln_value *list, kiln_value *item);
/* Set takes new references to key and value (the caller keeps its own);
 * for an equal key the value is replaced and, as in Python, the first key
 * and its position are kept ({1: 'a', 1.0: 'b'} is {1: 'b'}).
 * Returns KILN_OK, KILN_NOMEM, KILN_TYPE for an unhashable key (list or
 * dict), naming its type in err, or KILN_VALUE for a value already
 * KILN_VALUE_MAX_DEPTH deep. */
int kiln_value_dict_set(kiln_value *dict, kiln_value *key, kiln_value *value,
                        kiln_error *err);

kiln_value *kiln_value_ref(kiln_value *v);
void kiln_value_unref(kiln_value *v); /* NULL is fine */

kiln_value_type kiln_value_type_of(const kiln_value *v);
/* Python's type name: 'NoneType', 'bool', 'int', 'float', 'str', 'list',
 * 'dict'. */
const char *kiln_value_type_name(const kiln_value *v);

bool kiln_value_as_bool(const kiln_value *v);     /* BOOL */
int64_t kiln_value_as_int(const kiln_value *v);   /* INT or BOOL */
double kiln_value_as_float(const kiln_value *v);  /* FLOAT, INT or BOOL */
const char *kiln_value_as_str(const kiln_value *v, size_t *len); /* STR */
size_t kiln_value_len(const kiln_value *v);       /* STR bytes, LIST, DICT */
kiln_value *kiln_value_list_get(const kiln_value *v, size_t i); /* borrowed */
/* Dict entry i in insertion order; borrowed. */
void kiln_value_dict_item(const kiln_value *v, size_t i, kiln_value **key,
                          kiln_value **value);
/* Borrowed value for key, or NULL. */
kiln_value *kiln_value_dict_get(const kiln_value *v, const kiln_value *key);

/* Python truthiness. */
bool kiln_value_truthy(const kiln_value *v);
/* Python ==  (1 == 1.0 == True). */
bool kiln_value_equal(const kiln_value *a, const kiln_value *b);

/* The most text the functions below write for one value (str() of a str
 * is the str itself, whatever its size).  A list can hold the same big
 * list many times over ([[1] * 100000] * 100000 is cheap to build), so its
 * text can be far larger than memory; and no front end shows 8 MiB of
 * text/plain usefully. */
#define KILN_VALUE_MAX_TEXT ((size_t)8 << 20)

/* Append the text form to out.  Return KILN_OK, or KILN_NOMEM when out of
 * memory or when the text would pass KILN_VALUE_MAX_TEXT bytes (out then
 * holds a part of it). */
int kiln_value_repr(const kiln_value *v, kiln_buf *out);
/* The repr for an error message: a str longer than KILN_VALUE_BRIEF_BYTES
 * is cut at a character boundary and shown as its first part followed by
 * "..." after the closing quote ('aaaa'...).  Error messages hold 1 KiB,
 * so the rest could never be seen, and a 200 MB string must not be
 * escaped only to be truncated. */
#define KILN_VALUE_BRIEF_BYTES 256
int kiln_value_repr_brief(const kiln_value *v, kiln_buf *out);
int kiln_value_to_str(const kiln_value *v, kiln_buf *out);
int kiln_value_to_json(const kiln_value *v, kiln_buf *out);

/* Python's repr of a float (shortest round-trip: 0.1, 1e+16, 1e-05, inf). */
int kiln_format_float(double d, kiln_buf *out);

#endif
