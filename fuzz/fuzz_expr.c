/* libFuzzer target: expressions (magics/expr*.c) — evaluate, scan and
 * syntax-check arbitrary text with a few variables set.  Invariants: a
 * failure always carries its message, and the syntax-only check agrees
 * with evaluation about SyntaxErrors. */
#include "magics/expr.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void set(kiln_vars *vars, const char *name, kiln_value *v)
{
    kiln_vars_set(vars, name, v);
    kiln_value_unref(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kiln_vars *vars;
    if (vars == NULL) {
        vars = kiln_vars_new();
        set(vars, "s", kiln_value_str("h\xc3\xa9llo", 6));
        set(vars, "x", kiln_value_int(5));
        kiln_value *l = kiln_value_list_new();
        kiln_value *item = kiln_value_float(1.5);
        kiln_value_list_append(l, item);
        kiln_value_unref(item);
        set(vars, "l", l);
    }
    const char *src = (const char *)data;
    kiln_error err;
    kiln_error_init(&err);
    kiln_value *out = NULL;
    int rc = kiln_expr_eval(src, size, vars, &out, &err);
    if (rc == KILN_OK) {
        kiln_buf b;
        kiln_buf_init(&b);
        kiln_value_repr(out, &b);
        kiln_value_to_json(out, &b);
        kiln_value_to_str(out, &b);
        kiln_buf_fini(&b);
        kiln_value_unref(out);
    } else if (err.code != rc || err.message[0] == '\0') {
        abort();
    }
    kiln_lex_state st;
    kiln_expr_scan(src, size, &st);
    size_t offset;
    kiln_error_init(&err);
    int check = kiln_expr_check(src, size, &offset, &err);
    if ((check == KILN_SYNTAX) != (rc == KILN_SYNTAX) ||
        (check == KILN_SYNTAX && offset > size))
        abort();
    return 0;
}
