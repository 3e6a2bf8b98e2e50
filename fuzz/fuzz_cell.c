/* libFuzzer target: whole cells through the interpreter (magics/) —
 * splitting, substitution, magic argument parsing, every magic of the
 * table, is_complete, completion and inspect at every cursor.
 *
 * `!` is replaced by `?` so the fuzzer never runs shell commands.  The
 * interpreter is shared across inputs, as a kernel session is, so state
 * left by one cell (variables) meets the next. */
#include "core/capture.h"
#include "magics/interp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kiln_interp *in;
    static kiln_capture *cap;
    if (in == NULL) {
        in = kiln_interp_new(NULL);
        cap = kiln_capture_new();
    }
    char *code = malloc(size + 1);
    if (code == NULL)
        return 0;
    for (size_t i = 0; i < size; i++)
        code[i] = data[i] == '!' ? '?' : (char)data[i];
    code[size] = '\0';

    kiln_sink sink = kiln_capture_sink(cap);
    kiln_exec_opts opts = {.execution_count = 1, .silent = false};
    kiln_error err;
    kiln_error_init(&err);
    int rc = kiln_interp_execute(in, code, &opts, &sink, &err);
    if (rc != KILN_OK && (err.code != rc || err.message[0] == '\0'))
        abort();
    kiln_capture_reset(cap);

    kiln_interp_is_complete(in, code, NULL);
    size_t len = strlen(code); /* an embedded NUL ends the code */
    for (size_t cursor = 0; cursor <= len && cursor < 64; cursor++) {
        kiln_completion c;
        kiln_completion_init(&c);
        kiln_interp_complete(in, code, cursor, &c);
        if (c.cursor_start > c.cursor_end || c.cursor_end > len)
            abort();
        kiln_completion_fini(&c);
        bool found = false;
        kiln_bundle *b = NULL;
        kiln_interp_inspect(in, code, cursor, 0, &found, &b);
        kiln_bundle_free(b);
    }
    free(code);
    return 0;
}
