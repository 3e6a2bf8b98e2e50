/* kiln — model.tar.gz written atomically and read back safely, with
 * libarchive. */
#include "artifact.h"

#include "core/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What an unpacked model may hold at most (SageMaker's own limit for a
 * model is far larger; this guards against a gzip bomb). */
#define MAX_UNPACKED ((int64_t)16 << 30)
#define MAX_DEPTH 16

/* out = a "/" b (a "" means b alone); KILN_IO when it does not fit. */
static int join(char *out, size_t size, const char *a, const char *b,
                kiln_error *err)
{
    int len = snprintf(out, size, "%s%s%s", a, a[0] ? "/" : "", b);
    if (len < 0 || (size_t)len >= size)
        return kiln_error_set(err, KILN_IO, "path too long: %.200s/%.200s", a,
                              b);
    return KILN_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The relative paths of the regular files below root/rel, sorted. */
static int list_files(const char *root, const char *rel, int depth,
                      char ***files, size_t *n, kiln_error *err)
{
    if (depth > MAX_DEPTH)
        return kiln_error_set(err, KILN_IO, "%s/%s: directories nested too "
                              "deep", root, rel);
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    if (d == NULL)
        return kiln_error_set(err, KILN_IO, "cannot read directory %s: %s",
                              path, strerror(errno));
    char **names = NULL;
    size_t count = 0;
    int rc = KILN_OK;
    struct dirent *e;
    while (rc == KILN_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (kiln_strv_push(&names, count, e->d_name, strlen(e->d_name)) !=
            KILN_OK)
            rc = kiln_error_nomem(err);
        else
            count++;
    }
    closedir(d);
    if (rc == KILN_OK && count > 1)
        qsort(names, count, sizeof *names, cmp_str);
    for (size_t i = 0; rc == KILN_OK && i < count; i++) {
        char sub[4096], full[4096];
        struct stat st;
        if (join(sub, sizeof sub, rel, names[i], err) != KILN_OK ||
            join(full, sizeof full, root, sub, err) != KILN_OK)
            rc = err->code;
        else if (lstat(full, &st) != 0)
            rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", full,
                                strerror(errno));
        else if (S_ISDIR(st.st_mode))
            rc = list_files(root, sub, depth + 1, files, n, err);
        else if (S_ISREG(st.st_mode)) {
            if (kiln_strv_push(files, *n, sub, strlen(sub)) != KILN_OK)
                rc = kiln_error_nomem(err);
            else
                (*n)++;
        }
    }
    kiln_strv_free(names, count);
    return rc;
}

static int add_file(struct archive *a, const char *root, const char *rel,
                    kiln_error *err)
{
    char full[4096];
    if (join(full, sizeof full, root, rel, err) != KILN_OK)
        return err->code;
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", full,
                              strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return kiln_error_set(err, KILN_IO, "cannot read %s: %s", full,
                              strerror(errno));
    }
    struct archive_entry *e = archive_entry_new();
    if (e == NULL) {
        close(fd);
        return kiln_error_nomem(err);
    }
    archive_entry_set_pathname(e, rel);
    archive_entry_set_size(e, st.st_size);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_mtime(e, st.st_mtim.tv_sec, 0);
    int rc = KILN_OK;
    if (archive_write_header(a, e) != ARCHIVE_OK)
        rc = kiln_error_set(err, KILN_IO, "cannot archive %s: %s", rel,
                            archive_error_string(a));
    char buf[1 << 16];
    int64_t left = st.st_size;
    while (rc == KILN_OK && left > 0) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", full,
                                got < 0 ? strerror(errno)
                                        : "the file got shorter");
            break;
        }
        if (archive_write_data(a, buf, (size_t)got) != got)
            rc = kiln_error_set(err, KILN_IO, "cannot archive %s: %s", rel,
                                archive_error_string(a));
        left -= got;
    }
    archive_entry_free(e);
    close(fd);
    return rc;
}

/* fsync a path (a file, or the directory a rename happened in). */
static int sync_path(const char *path, kiln_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", path,
                              strerror(errno));
    int rc = fsync(fd) == 0 || errno == EINVAL
                 ? KILN_OK
                 : kiln_error_set(err, KILN_IO, "cannot sync %s: %s", path,
                                  strerror(errno));
    close(fd);
    return rc;
}

static void dir_of(const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s", path);
    char *slash = strrchr(out, '/');
    if (slash == NULL)
        snprintf(out, size, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

int kiln_artifact_pack(const char *dir, const char *dest, kiln_error *err)
{
    char **files = NULL;
    size_t n = 0;
    if (list_files(dir, "", 0, &files, &n, err) != KILN_OK) {
        kiln_strv_free(files, n);
        return err->code;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", dest, (long)getpid());
    struct archive *a = archive_write_new();
    int rc = a != NULL ? KILN_OK : kiln_error_nomem(err);
    if (rc == KILN_OK &&
        (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
         archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
         archive_write_open_filename(a, tmp) != ARCHIVE_OK))
        rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", tmp,
                            archive_error_string(a));
    for (size_t i = 0; rc == KILN_OK && i < n; i++)
        rc = add_file(a, dir, files[i], err);
    if (a != NULL) {
        if (archive_write_close(a) != ARCHIVE_OK && rc == KILN_OK)
            rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s", tmp,
                                archive_error_string(a));
        archive_write_free(a);
    }
    kiln_strv_free(files, n);
    if (rc == KILN_OK)
        rc = sync_path(tmp, err);
    if (rc == KILN_OK && rename(tmp, dest) != 0)
        rc = kiln_error_set(err, KILN_IO, "cannot rename %s to %s: %s", tmp,
                            dest, strerror(errno));
    if (rc != KILN_OK) {
        unlink(tmp);
        return rc;
    }
    char parent[4096];
    dir_of(dest, parent, sizeof parent);
    return sync_path(parent, err);
}

/* Whether a member name is safe to create below the target directory. */
static bool safe_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '/')
        return false;
    const char *p = name;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return false;
        p += len;
        while (*p == '/')
            p++;
    }
    return true;
}

static int make_parents(const char *dir, const char *rel, kiln_error *err)
{
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (len < 0 || (size_t)len >= sizeof path)
        return kiln_error_set(err, KILN_DATA, "member name too long: %.100s",
                              rel);
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            int rc = kiln_error_set(err, KILN_IO, "cannot create %s: %s",
                                    path, strerror(errno));
            *p = '/';
            return rc;
        }
        *p = '/';
    }
    return KILN_OK;
}

int kiln_artifact_unpack(const char *src, const char *dir, kiln_error *err)
{
    struct archive *a = archive_read_new();
    if (a == NULL)
        return kiln_error_nomem(err);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_none(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    int rc = KILN_OK;
    if (archive_read_open_filename(a, src, 1 << 16) != ARCHIVE_OK)
        rc = kiln_error_set(err, KILN_DATA, "%s is not a tar archive: %s",
                            src, archive_error_string(a));
    int64_t total = 0;
    struct archive_entry *e;
    while (rc == KILN_OK) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
            rc = kiln_error_set(err, KILN_DATA, "%s: corrupt archive: %s",
                                src, archive_error_string(a));
            break;
        }
        const char *name = archive_entry_pathname(e);
        mode_t type = archive_entry_filetype(e);
        if (!safe_name(name)) {
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: member '%.200s' would land outside the "
                                "model directory",
                                src, name ? name : "");
            break;
        }
        while (name[0] == '.' && name[1] == '/')
            name += 2;
        if (type == AE_IFDIR) {
            if (name[0] == '\0' || strcmp(name, ".") == 0)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            rc = make_parents(dir, name, err);
            if (rc == KILN_OK && mkdir(path, 0755) != 0 && errno != EEXIST)
                rc = kiln_error_set(err, KILN_IO, "cannot create %s: %s",
                                    path, strerror(errno));
            continue;
        }
        if (type != AE_IFREG) {
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: member '%.200s' is not a regular file "
                                "(links and devices are refused)",
                                src, name);
            break;
        }
        rc = make_parents(dir, name, err);
        if (rc != KILN_OK)
            break;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            rc = kiln_error_set(err, KILN_IO, "cannot create %s: %s", path,
                                strerror(errno));
            break;
        }
        char buf[1 << 16];
        for (;;) {
            la_ssize_t got = archive_read_data(a, buf, sizeof buf);
            if (got == 0)
                break;
            if (got < 0) {
                rc = kiln_error_set(err, KILN_DATA, "%s: corrupt member "
                                    "'%.200s': %s", src, name,
                                    archive_error_string(a));
                break;
            }
            total += got;
            if (total > MAX_UNPACKED) {
                rc = kiln_error_set(err, KILN_DATA,
                                    "%s unpacks to more than %lld bytes",
                                    src, (long long)MAX_UNPACKED);
                break;
            }
            if (write(fd, buf, (size_t)got) != got) {
                rc = kiln_error_set(err, KILN_IO, "cannot write %s: %s",
                                    path, strerror(errno));
                break;
            }
        }
        close(fd);
    }
    archive_read_free(a);
    return rc;
}

int kiln_artifact_tempdir(const char *parent, const char *prefix, char *out,
                          size_t size, kiln_error *err)
{
    int len = snprintf(out, size, "%s/%sXXXXXX", parent, prefix);
    if (len < 0 || (size_t)len >= size)
        return kiln_error_set(err, KILN_IO, "path too long: %s", parent);
    if (mkdtemp(out) == NULL)
        return kiln_error_set(err, KILN_IO, "cannot create a directory in "
                              "%s: %s", parent, strerror(errno));
    return KILN_OK;
}

static void rmtree(const char *path, int depth)
{
    struct stat st;
    if (depth > MAX_DEPTH || lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 ||
                    strcmp(e->d_name, "..") == 0)
                    continue;
                char sub[4096];
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                rmtree(sub, depth + 1);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

void kiln_artifact_rmtree(const char *dir)
{
    rmtree(dir, 0);
}

int kiln_artifact_mkdirs(const char *path, kiln_error *err)
{
    char p[4096];
    int len = snprintf(p, sizeof p, "%s", path);
    if (len < 0 || (size_t)len >= sizeof p)
        return kiln_error_set(err, KILN_IO, "path too long: %.200s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            int rc = kiln_error_set(err, KILN_IO, "cannot create %s: %s", p,
                                    strerror(errno));
            *s = '/';
            return rc;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return kiln_error_set(err, KILN_IO, "cannot create %s: %s", p,
                              strerror(errno));
    return KILN_OK;
}
