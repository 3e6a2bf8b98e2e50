/* kiln — writing datasets: dispatch by format, and atomic files (.gz too). */
#include "writer.h"

#include "parse.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

enum { WRITE_ROWS = 4096 }; /* rows encoded per write */

int kiln_data_encode(const kiln_dataset *ds, size_t begin, size_t end,
                     const kiln_write_opts *opts, kiln_buf *out,
                     kiln_error *err)
{
    if (end > kiln_dataset_rows(ds))
        end = kiln_dataset_rows(ds);
    if (begin >= end)
        return KILN_OK;
    switch (opts->format) {
    case KILN_FORMAT_CSV:
        return kiln_csv_encode(ds, begin, end, opts, out, err);
    case KILN_FORMAT_LIBSVM:
        return kiln_libsvm_encode(ds, begin, end, opts, out, err);
    case KILN_FORMAT_RECORDIO:
        return kiln_recordio_encode(ds, begin, end, opts, out, err);
    case KILN_FORMAT_UNKNOWN:
        break;
    }
    return kiln_error_set(err, KILN_USAGE,
                          "no output format given (csv, libsvm or "
                          "recordio-protobuf)");
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Write b to fd, or through gz when compressing. */
static int put(int fd, gzFile gz, const kiln_buf *b, const char *path,
               kiln_error *err)
{
    if (b->len == 0)
        return KILN_OK;
    if (gz != NULL) {
        size_t off = 0;
        while (off < b->len) {
            size_t n = b->len - off > (1u << 30) ? (1u << 30) : b->len - off;
            if (gzwrite(gz, b->data + off, (unsigned)n) != (int)n) {
                int code;
                const char *msg = gzerror(gz, &code);
                return kiln_error_set(err, KILN_IO, "cannot write %s: %s",
                                      path,
                                      code == Z_ERRNO ? strerror(errno) : msg);
            }
            off += n;
        }
        return KILN_OK;
    }
    size_t off = 0;
    while (off < b->len) {
        ssize_t n = write(fd, b->data + off, b->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return kiln_error_set(err, KILN_IO, "cannot write %s: %s", path,
                                  strerror(n < 0 ? errno : ENOSPC));
        off += (size_t)n;
    }
    return KILN_OK;
}

/* A file being written: a temporary name beside the final one. */
typedef struct atomic_file {
    const char *path;
    char *tmp;
    int fd;
    gzFile gz; /* when the path ends in .gz */
} atomic_file;

static int atomic_open(atomic_file *f, const char *path, kiln_error *err)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    f->fd = -1;
    size_t plen = strlen(path);
    f->tmp = malloc(plen + 16);
    if (f->tmp == NULL)
        return kiln_error_nomem(err);
    snprintf(f->tmp, plen + 16, "%s.tmp-XXXXXX", path);
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int rc = kiln_error_set(err, KILN_IO, "cannot create %s: %s", path,
                                strerror(errno));
        free(f->tmp);
        f->tmp = NULL;
        return rc;
    }
    /* mkstemp makes 0600; a data file is for everyone to read.  (Not
     * 0666 & ~umask: reading the umask means setting it, process-wide.) */
    fchmod(f->fd, 0644);
    if (ends_with(path, ".gz")) {
        int gfd = dup(f->fd);
        f->gz = gfd >= 0 ? gzdopen(gfd, "wb") : NULL;
        if (f->gz == NULL) {
            if (gfd >= 0)
                close(gfd);
            return kiln_error_set(err, KILN_IO, "cannot compress %s", path);
        }
    }
    return KILN_OK;
}

/* Finish (rc == KILN_OK: flush, fsync, rename) or abandon the file. */
static int atomic_close(atomic_file *f, int rc, kiln_error *err)
{
    if (f->gz != NULL && gzclose(f->gz) != Z_OK && rc == KILN_OK)
        rc = kiln_error_set(err, KILN_IO, "cannot write %s", f->path);
    if (f->fd >= 0) {
        if (rc == KILN_OK && fsync(f->fd) != 0)
            rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", f->path,
                                strerror(errno));
        if (close(f->fd) != 0 && rc == KILN_OK)
            rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", f->path,
                                strerror(errno));
        if (rc == KILN_OK && rename(f->tmp, f->path) != 0)
            rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", f->path,
                                strerror(errno));
        if (rc != KILN_OK)
            unlink(f->tmp);
    }
    free(f->tmp);
    return rc;
}

int kiln_data_write(const char *path, const kiln_dataset *ds,
                    const kiln_write_opts *opts, kiln_error *err)
{
    atomic_file f;
    int rc = atomic_open(&f, path, err);
    kiln_buf b;
    kiln_buf_init(&b);
    size_t rows = kiln_dataset_rows(ds);
    for (size_t i = 0; rc == KILN_OK && i < rows; i += WRITE_ROWS) {
        kiln_buf_clear(&b);
        size_t end = rows - i > WRITE_ROWS ? i + WRITE_ROWS : rows;
        rc = kiln_data_encode(ds, i, end, opts, &b, err);
        if (rc == KILN_OK)
            rc = put(f.fd, f.gz, &b, path, err);
    }
    kiln_buf_fini(&b);
    return atomic_close(&f, rc, err);
}

int kiln_file_write(const char *path, const void *data, size_t len,
                    kiln_error *err)
{
    atomic_file f;
    int rc = atomic_open(&f, path, err);
    if (rc == KILN_OK) {
        kiln_buf b = {.data = (char *)(uintptr_t)data, .len = len, .cap = len};
        rc = put(f.fd, f.gz, &b, path, err);
    }
    return atomic_close(&f, rc, err);
}
