/* kiln-kernel — the process: arguments, signals, and the kernel's life.
 *
 *   kiln-kernel -f CONNECTION_FILE     (as kernel.json's argv starts it)
 *   kiln-kernel CONNECTION_FILE
 *   kiln-kernel --version | --help
 *
 * Trailing arguments that front ends append are ignored with a warning.
 * Exit status: 0 after a shutdown_request (restart or not), 2 for bad
 * arguments or an unusable connection file, 1 when the kernel cannot run.
 */
#include "kernel.h"

#include "core/log.h"
#include "plotting/chart.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#ifndef KILN_VERSION
#define KILN_VERSION "0.0.0"
#endif

static kiln_kernel *signal_kernel;

/* SIGINT (interrupt_mode "signal": the client signals our process group)
 * raises the cancel flag; an idle kernel simply ignores it. */
static void on_sigint(int sig)
{
    (void)sig;
    if (signal_kernel != NULL)
        kiln_kernel_interrupt(signal_kernel);
}

static void usage(FILE *to)
{
    fputs("usage: kiln-kernel [-f] CONNECTION_FILE\n"
          "       kiln-kernel --version\n"
          "Runs the kiln Jupyter kernel on the channels of CONNECTION_FILE "
          "(written by a Jupyter client).\n"
          "Environment: KILN_LOG=error|warn|info|debug (default warn).\n",
          to);
}

int main(int argc, char **argv)
{
    const char *conn_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            puts("kiln-kernel " KILN_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc &&
                   conn_path == NULL) {
            conn_path = argv[++i];
        } else if (strncmp(argv[i], "--f=", 4) == 0 && conn_path == NULL) {
            conn_path = argv[i] + 4;
        } else if (argv[i][0] != '-' && conn_path == NULL) {
            conn_path = argv[i];
        } else {
            kiln_log(KILN_LOG_WARN, "ignoring argument '%s'", argv[i]);
        }
    }
    if (conn_path == NULL) {
        usage(stderr);
        return 2;
    }

    kiln_error err;
    kiln_error_init(&err);
    kiln_conn conn;
    if (kiln_conn_load(&conn, conn_path, &err) != KILN_OK) {
        fprintf(stderr, "kiln-kernel: %s\n", err.message);
        return 2;
    }
    kiln_kernel *k = NULL;
    int rc = kiln_kernel_new(&conn, &k, &err);
    kiln_conn_fini(&conn);
    if (rc != KILN_OK) {
        fprintf(stderr, "kiln-kernel: %s\n", err.message);
        return 1;
    }

    signal(SIGPIPE, SIG_IGN);
    signal_kernel = k;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);

    bool restart = false;
    rc = kiln_kernel_run(k, &restart, &err);
    if (rc != KILN_OK)
        fprintf(stderr, "kiln-kernel: %s\n", err.message);
    else
        kiln_log(KILN_LOG_INFO, "shut down%s", restart ? " for a restart" : "");

    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    signal_kernel = NULL;
    kiln_kernel_free(k);
    kiln_chart_release_caches(); /* a clean exit under valgrind */
    return rc == KILN_OK ? 0 : 1;
}
