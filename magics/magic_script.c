/* kiln — cells that are scripts or files, as IPython's cell magics:
 * %%script PROGRAM (the body run by a program: /usr/bin/python3, bash),
 * %%bash, and %%writefile PATH.
 *
 * A script's body is written to a temporary file that PROGRAM is given as
 * its last argument, and run as `!` runs a command (shell.h): in the
 * kernel's working directory, output streaming into the cell, an interrupt
 * stopping it, a non-zero exit status shown rather than raised.  In the
 * body, defined $names are substituted and unknown ones left for the
 * script, as for `!`. */
#include "registry.h"

#include "shell.h"

#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The body, and a newline at its end when it has none (shells and Python
 * want one), to path; KILN_IO naming the path. */
static int write_body(const kiln_magic_call *call, const char *path,
                      const char *mode, kiln_error *err)
{
    FILE *f = fopen(path, mode);
    if (f == NULL)
        return kiln_error_set(err, KILN_IO, "cannot write %s: %s", path,
                              strerror(errno));
    size_t n = call->body_len;
    bool ok = fwrite(call->body, 1, n, f) == n;
    if (ok && n > 0 && call->body[n - 1] != '\n')
        ok = fputc('\n', f) != EOF;
    ok = fclose(f) == 0 && ok;
    return ok ? KILN_OK
              : kiln_error_set(err, KILN_IO, "cannot write %s: %s", path,
                               strerror(errno));
}

/* A word quoted for /bin/sh. */
static int quoted(kiln_buf *b, const char *s)
{
    int rc = kiln_buf_putc(b, '\'');
    for (const char *p = s; *p && rc == KILN_OK; p++)
        rc = *p == '\'' ? kiln_buf_puts(b, "'\\''") : kiln_buf_putc(b, *p);
    return rc == KILN_OK ? kiln_buf_putc(b, '\'') : rc;
}

static int run_program(const kiln_magic_call *call, const char *program,
                       kiln_error *err)
{
    const char *t = getenv("TMPDIR");
    char path[4200];
    snprintf(path, sizeof path, "%s/kiln-script-XXXXXX",
             t != NULL && t[0] != '\0' ? t : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return kiln_error_set(err, KILN_IO,
                              "cannot make a file for the script: %s",
                              strerror(errno));
    close(fd);
    int rc = write_body(call, path, "w", err);
    kiln_buf cmd;
    kiln_buf_init(&cmd);
    /* PROGRAM as written (it may carry options: "/usr/bin/python3 -u"),
     * then the script. */
    if (rc == KILN_OK)
        rc = kiln_buf_printf(&cmd, "%s ", program) == KILN_OK &&
                     quoted(&cmd, path) == KILN_OK
                 ? KILN_OK
                 : kiln_error_nomem(err);
    if (rc == KILN_OK)
        rc = kiln_shell_run(kiln_buf_str(&cmd), call->sink, call->cancel, err);
    kiln_buf_fini(&cmd);
    unlink(path);
    return rc;
}

static int run_script(const kiln_magic_call *call, kiln_error *err)
{
    return run_program(call, kiln_args_str(call->args, "PROGRAM"), err);
}

static int run_bash(const kiln_magic_call *call, kiln_error *err)
{
    return run_program(call, "bash", err);
}

static int run_writefile(const kiln_magic_call *call, kiln_error *err)
{
    const char *path = kiln_args_str(call->args, "PATH");
    bool append = kiln_args_flag(call->args, "append");
    if (write_body(call, path, append ? "a" : "w", err) != KILN_OK)
        return err->code;
    kiln_sink_printf(call->sink, KILN_STDOUT, "%s %s\n",
                     append ? "Appending to" : "Writing", path);
    return KILN_OK;
}

static const kiln_arg_spec script_args[] = {
    {.name = "PROGRAM", .type = KILN_ARG_REST,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "the program that runs the body, with its options "
             "(/usr/bin/python3, bash, ...)"},
    {0},
};

static const kiln_arg_spec writefile_args[] = {
    {.name = "PATH", .type = KILN_ARG_STR,
     .flags = KILN_ARG_POSITIONAL | KILN_ARG_REQUIRED,
     .help = "the file to write, relative to the kernel's working directory"},
    {.name = "append", .type = KILN_ARG_FLAG,
     .help = "add the body at the end of the file instead of replacing it"},
    {0},
};

const kiln_magic kiln_magics_script[] = {
    {
        .name = "script",
        .kinds = KILN_MAGIC_CELL,
        .flags = KILN_MAGIC_SHELL_BODY,
        .args = script_args,
        .summary = "Run the cell's body with a program",
        .usage = "The body is saved to a temporary file, which PROGRAM is "
                 "given as its last argument; output streams into the cell "
                 "and an interrupt stops the program, as with !command.  "
                 "Defined $names in the body are substituted; unknown ones "
                 "are left as written.\n\n"
                 "Example:\n"
                 "  %%script /usr/bin/python3\n"
                 "  import boto3\n"
                 "  print(boto3.__version__)",
        .run = run_script,
    },
    {
        .name = "bash",
        .kinds = KILN_MAGIC_CELL,
        .flags = KILN_MAGIC_SHELL_BODY,
        .summary = "Run the cell's body with bash",
        .usage = "%%script bash, as IPython's %%bash.\n\n"
                 "Example:\n"
                 "  %%bash\n"
                 "  for f in data/*; do wc -l $f; done",
        .run = run_bash,
    },
    {
        .name = "writefile",
        .kinds = KILN_MAGIC_CELL,
        .flags = KILN_MAGIC_SHELL_BODY,
        .args = writefile_args,
        .summary = "Write the cell's body to a file",
        .usage = "As IPython's %%writefile: the body (after $substitution "
                 "of defined names) replaces the file, or with --append "
                 "goes at its end.\n\n"
                 "Example:\n"
                 "  %%writefile invoke.py\n"
                 "  import sys\n"
                 "  print(sys.argv)",
        .run = run_writefile,
    },
    {0},
};
