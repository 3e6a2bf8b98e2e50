/* kiln — `!command` with streamed output and interrupts (see shell.h). */
#include "shell.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define POLL_MS 100        /* how often the cancel flag is looked at */
#define TERM_AFTER_MS 1000 /* after SIGINT, SIGTERM */
#define KILL_AFTER_MS 2000 /* after SIGINT, SIGKILL */
#define CHUNK 8192

/* One output pipe and the tail of an incomplete UTF-8 sequence. */
typedef struct stream {
    int fd;            /* read end, or -1 once at end of file */
    kiln_stream which;
    char pending[4];   /* bytes of a sequence cut at the end of a read */
    size_t npending;
    char last;         /* last byte forwarded, to end the status line well */
} stream;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How many bytes at the end of buf[0..n) start a UTF-8 sequence that is not
 * complete yet (0 to 3). */
static size_t incomplete_tail(const char *buf, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)buf[n - back];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need > back ? back : 0;
    }
    return 0;
}

static void forward(stream *s, const kiln_sink *sink, const char *data,
                    size_t n)
{
    if (n == 0)
        return;
    kiln_sink_stream(sink, s->which, data, n);
    s->last = data[n - 1];
}

/* Read what the pipe has and forward it whole-sequence; at end of file
 * flush the pending bytes and close.  Returns KILN_OK or KILN_IO. */
static int pump(stream *s, const kiln_sink *sink, kiln_error *err)
{
    char buf[CHUNK + 4];
    memcpy(buf, s->pending, s->npending);
    ssize_t got;
    do {
        got = read(s->fd, buf + s->npending, CHUNK);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return KILN_OK;
        return kiln_error_set(err, KILN_IO, "reading the command's output: %s",
                              strerror(errno));
    }
    size_t n = s->npending + (size_t)got;
    if (got == 0) {
        forward(s, sink, buf, n);
        s->npending = 0;
        close(s->fd);
        s->fd = -1;
        return KILN_OK;
    }
    size_t tail = incomplete_tail(buf, n);
    forward(s, sink, buf, n - tail);
    memcpy(s->pending, buf + n - tail, tail);
    s->npending = tail;
    return KILN_OK;
}

/* Start /bin/sh -c command with stdout and stderr on the pipes' write ends,
 * in a new process group. */
static int spawn(const char *command, int out_w, int err_w, pid_t *pid,
                 kiln_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        goto fail;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0)
        goto fail_fa;

    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    /* The kernel may ignore or catch these; the command gets defaults. */
    const int defaults[] = {SIGINT, SIGTERM, SIGQUIT, SIGPIPE, SIGCHLD,
                            SIGHUP, SIGUSR1, SIGUSR2, SIGALRM};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        sigaddset(&dflt, defaults[i]);

    if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
                                               0)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&fa, out_w, 1)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&fa, err_w, 2)) != 0 ||
        (rc = posix_spawnattr_setflags(
             &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                        POSIX_SPAWN_SETSIGDEF)) != 0 ||
        (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
        (rc = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
        (rc = posix_spawnattr_setsigdefault(&attr, &dflt)) != 0)
        goto fail_attr;

    char *argv[] = {"sh", "-c", (char *)command, NULL};
    rc = posix_spawn(pid, "/bin/sh", &fa, &attr, argv, environ);

fail_attr:
    posix_spawnattr_destroy(&attr);
fail_fa:
    posix_spawn_file_actions_destroy(&fa);
fail:
    if (rc != 0)
        return kiln_error_set(err, KILN_IO, "cannot start /bin/sh: %s",
                              strerror(rc));
    return KILN_OK;
}

static int make_pipe(int fds[2], kiln_error *err)
{
    if (pipe(fds) != 0)
        return kiln_error_set(err, KILN_IO, "cannot create a pipe: %s",
                              strerror(errno));
    /* The read ends must not leak into this or any other child; the write
     * ends are dup2'ed onto 1 and 2 in the child, which clears the flag. */
    for (int i = 0; i < 2; i++)
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    return KILN_OK;
}

/* Describe how the shell ended, on stderr, when it did not succeed. */
static void show_status(int status, stream *errs, const kiln_sink *sink)
{
    char line[64];
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        snprintf(line, sizeof line, "exit status %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(line, sizeof line, "killed by signal %d\n", WTERMSIG(status));
    else
        return;
    if (errs->last != '\0' && errs->last != '\n')
        kiln_sink_stream(sink, KILN_STDERR, "\n", 1);
    kiln_sink_stream(sink, KILN_STDERR, line, strlen(line));
}

/* Wait for the shell, reading its output, until it exits and its pipes are
 * drained.  Handles the cancel flag.  *status gets the wait status. */
static int supervise(pid_t pid, stream *streams, const kiln_sink *sink,
                     kiln_cancel *cancel, int *status, bool *cancelled,
                     kiln_error *err)
{
    long long cancel_at = -1, exited_at = -1;
    int stage = 0; /* signals sent: 1 SIGINT, 2 SIGTERM, 3 SIGKILL */
    bool exited = false;
    int rc = KILN_OK;
    for (;;) {
        if (!exited) {
            pid_t w = waitpid(pid, status, WNOHANG);
            if (w == pid || (w < 0 && errno == ECHILD)) {
                exited = true;
                exited_at = now_ms();
            }
        }
        if (!*cancelled && kiln_cancel_requested(cancel)) {
            *cancelled = true;
            cancel_at = now_ms();
        }
        if (*cancelled && !exited) {
            long long t = now_ms() - cancel_at;
            int want = t >= KILL_AFTER_MS ? 3 : t >= TERM_AFTER_MS ? 2 : 1;
            static const int sigs[] = {0, SIGINT, SIGTERM, SIGKILL};
            while (stage < want)
                kill(-pid, sigs[++stage]);
        }
        struct pollfd fds[2];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++)
            if (streams[i].fd >= 0)
                fds[n++] = (struct pollfd){.fd = streams[i].fd,
                                           .events = POLLIN};
        if (n == 0 && exited)
            break;
        if (n == 0) {
            /* The pipes are closed but the shell runs on: wait for it. */
            struct timespec ts = {0, POLL_MS * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        /* Once the shell is gone, only drain what is already there (for at
         * most POLL_MS): a background job may hold the pipes open, and
         * write to them, for ever. */
        int ready = poll(fds, n, exited ? 0 : POLL_MS);
        if (ready < 0 && errno != EINTR) {
            rc = kiln_error_set(err, KILN_IO, "poll: %s", strerror(errno));
            break;
        }
        if (exited && (ready <= 0 || now_ms() - exited_at > POLL_MS))
            break;
        for (nfds_t k = 0; k < n && ready > 0; k++) {
            if (fds[k].revents == 0)
                continue;
            stream *s = streams[0].fd == fds[k].fd ? &streams[0] : &streams[1];
            rc = pump(s, sink, err);
            if (rc != KILN_OK)
                break;
        }
        if (rc != KILN_OK)
            break;
    }
    if (!exited) {
        /* After an error: stop the command and reap it. */
        kill(-pid, SIGKILL);
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    /* Whatever was cut mid-sequence goes out as it is. */
    for (int i = 0; i < 2; i++) {
        forward(&streams[i], sink, streams[i].pending, streams[i].npending);
        streams[i].npending = 0;
    }
    return rc;
}

int kiln_shell_run(const char *command, const kiln_sink *sink,
                   kiln_cancel *cancel, kiln_error *err)
{
    int out[2], errp[2];
    if (make_pipe(out, err) != KILN_OK)
        return KILN_IO;
    if (make_pipe(errp, err) != KILN_OK) {
        close(out[0]);
        close(out[1]);
        return KILN_IO;
    }
    pid_t pid;
    int rc = spawn(command, out[1], errp[1], &pid, err);
    close(out[1]);
    close(errp[1]);
    if (rc != KILN_OK) {
        close(out[0]);
        close(errp[0]);
        return rc;
    }
    stream streams[2] = {{.fd = out[0], .which = KILN_STDOUT},
                         {.fd = errp[0], .which = KILN_STDERR}};
    int status = 0;
    bool cancelled = false;
    rc = supervise(pid, streams, sink, cancel, &status, &cancelled, err);
    for (int i = 0; i < 2; i++)
        if (streams[i].fd >= 0)
            close(streams[i].fd);
    if (rc != KILN_OK)
        return rc;
    if (cancelled) {
        size_t n = strlen(command);
        return kiln_error_set(err, KILN_INTERRUPTED, "!%.*s%s stopped",
                              n > 60 ? 57 : (int)n, command,
                              n > 60 ? "..." : "");
    }
    show_status(status, &streams[1], sink);
    return KILN_OK;
}
