/* kiln — channels: files, gzip, streaming mini-batches and parallel loads.
 *
 * A reader walks the channel's files in order and keeps one buffer: bytes
 * read (and inflated, for gzip) but not yet parsed.  The per-format
 * parsers (parse.h) take whole lines or records from its front; the rest
 * waits for the next read.  The buffer starts at 1 MiB and grows only when
 * a single line or record does not fit, so a channel of any size streams
 * in bounded memory.
 *
 * kiln_data_load of a plain file cuts it (read whole into memory) into
 * slices at line or record boundaries and lets worker threads parse the
 * slices, each into its own dataset, which are then joined in order.
 * Line and record numbers in messages need the counts of every slice
 * before the failing one; those are known once the earlier slices are
 * parsed, so the first failing slice is parsed again, alone, with its
 * true starting line to produce the message.
 */
#include "reader.h"

#include "parse.h"

#include "core/strv.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum {
    READ_CHUNK = 1 << 20,        /* bytes read at a time */
    SNIFF_BYTES = 64 << 10,      /* what detection looks at */
    SLICE_BYTES = 8 << 20,       /* a parallel load's unit of work */
};
/* The largest single line or record the buffer grows to hold. */
#define MAX_PENDING ((size_t)1 << 30)

struct kiln_reader {
    kiln_read_opts opts;
    char **files; /* full paths, in reading order */
    size_t nfiles;
    size_t file;  /* index of the open file */
    gzFile gz;    /* the open file, or NULL */
    bool file_eof;
    char *buf;    /* pending bytes are buf[pos..len) */
    size_t cap, len, pos;
    kiln_format format;
    unsigned flags; /* the datasets it produces */
    kiln_parse_ctx ctx;
};

/* ---- files of a channel ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool skipped(const char *name)
{
    return name[0] == '.' || strcmp(name, "labels.json") == 0;
}

/* Append the regular files below dir (recursively) to *files. */
static int walk(const char *dir, char ***files, size_t *n, int depth,
                kiln_error *err)
{
    if (depth > 32)
        return kiln_error_set(err, KILN_IO, "%s: directories nested too deep",
                              dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return kiln_error_set(err, KILN_IO, "cannot read directory %s: %s",
                              dir, strerror(errno));
    int rc = KILN_OK;
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (skipped(e->d_name))
            continue;
        if (kiln_strv_push(&names, count, e->d_name, strlen(e->d_name)) !=
            KILN_OK) {
            rc = kiln_error_nomem(err);
            break;
        }
        count++;
    }
    closedir(d);
    if (rc == KILN_OK && count > 1)
        qsort(names, count, sizeof *names, cmp_str);
    for (size_t i = 0; rc == KILN_OK && i < count; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = malloc(len);
        if (path == NULL) {
            rc = kiln_error_nomem(err);
            break;
        }
        bool slash = dir[0] != '\0' && dir[strlen(dir) - 1] == '/';
        snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", names[i]);
        struct stat st;
        if (stat(path, &st) != 0) {
            rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                                strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(path, files, n, depth + 1, err);
        } else if (S_ISREG(st.st_mode)) {
            if (kiln_strv_push(files, *n, path, strlen(path)) != KILN_OK)
                rc = kiln_error_nomem(err);
            else
                (*n)++;
        }
        free(path);
    }
    kiln_strv_free(names, count);
    return rc;
}

static int list_files(const char *path, char ***files, size_t *n,
                      kiln_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                              strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        if (kiln_strv_push(files, 0, path, strlen(path)) != KILN_OK)
            return kiln_error_nomem(err);
        *n = 1;
        return KILN_OK;
    }
    if (walk(path, files, n, 0, err) != KILN_OK)
        return err->code;
    if (*n == 0)
        return kiln_error_set(err, KILN_DATA, "channel %s has no files", path);
    return KILN_OK;
}

/* ---- the buffer -------------------------------------------------------- */

static int open_file(kiln_reader *r, kiln_error *err)
{
    const char *path = r->files[r->file];
    r->gz = gzopen(path, "rb");
    if (r->gz == NULL)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", path,
                              errno ? strerror(errno) : "out of memory");
    gzbuffer(r->gz, 256 << 10);
    r->file_eof = false;
    r->ctx.file = path;
    r->ctx.line = 1;
    r->ctx.record = 1;
    r->ctx.offset = 0;
    r->ctx.delimiter = 0; /* sniffed from the first bytes */
    return KILN_OK;
}

static void close_file(kiln_reader *r)
{
    if (r->gz != NULL)
        gzclose(r->gz);
    r->gz = NULL;
}

/* Read more of the open file after the pending bytes, growing the buffer
 * when it is full of one unfinished line or record. */
static int fill(kiln_reader *r, kiln_error *err)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos; /* the parsers advanced ctx.offset already */
        r->pos = 0;
    }
    if (r->cap - r->len < READ_CHUNK / 4) {
        if (r->cap >= MAX_PENDING)
            return kiln_error_set(err, KILN_DATA,
                                  "%s: a single line or record is longer "
                                  "than %zu bytes",
                                  r->ctx.file, MAX_PENDING);
        size_t cap = r->cap * 2;
        char *b = realloc(r->buf, cap);
        if (b == NULL)
            return kiln_error_set(err, KILN_NOMEM,
                                  "cannot allocate %zu bytes to read %s", cap,
                                  r->ctx.file);
        r->buf = b;
        r->cap = cap;
    }
    size_t want = r->cap - r->len;
    if (want > INT32_MAX)
        want = INT32_MAX;
    int got = gzread(r->gz, r->buf + r->len, (unsigned)want);
    if (got < 0) {
        int code;
        const char *msg = gzerror(r->gz, &code);
        return kiln_error_set(err, KILN_DATA, "%s: %s", r->ctx.file,
                              code == Z_ERRNO ? strerror(errno) : msg);
    }
    if (got == 0) {
        /* zlib reports a truncated gzip stream only as an error state. */
        int code;
        const char *msg = gzerror(r->gz, &code);
        if (code != Z_OK && code != Z_BUF_ERROR)
            return kiln_error_set(err, KILN_DATA, "%s: gzip: %s", r->ctx.file,
                                  msg);
        if (code == Z_BUF_ERROR)
            return kiln_error_set(err, KILN_DATA,
                                  "%s: gzip: the compressed data ends early",
                                  r->ctx.file);
        r->file_eof = true;
    }
    r->len += (size_t)got;
    return KILN_OK;
}

/* Fill until the buffer holds `want` bytes or the file ends. */
static int fill_to(kiln_reader *r, size_t want, kiln_error *err)
{
    while (!r->file_eof && r->len - r->pos < want)
        if (fill(r, err) != KILN_OK)
            return err->code;
    return KILN_OK;
}

/* ---- formats ----------------------------------------------------------- */

static int parse_chunk(kiln_format f, kiln_parse_ctx *ctx, const char *p,
                       size_t n, bool final, size_t max_rows, size_t *used,
                       kiln_dataset *ds, kiln_error *err)
{
    switch (f) {
    case KILN_FORMAT_CSV:
        return kiln_csv_parse(ctx, p, n, final, max_rows, used, ds, err);
    case KILN_FORMAT_LIBSVM:
        return kiln_libsvm_parse(ctx, p, n, final, max_rows, used, ds, err);
    case KILN_FORMAT_RECORDIO:
        return kiln_recordio_parse(ctx, (const unsigned char *)p, n, final,
                                   max_rows, used, ds, err);
    case KILN_FORMAT_UNKNOWN:
        break;
    }
    return kiln_error_set(err, KILN_INTERNAL, "no parser for format %d",
                          (int)f);
}

/* Check the bytes at the front of a newly opened file against the format
 * and learn what the first file decides: the layout and column count. */
static int start_file(kiln_reader *r, bool first, kiln_error *err)
{
    if (fill_to(r, SNIFF_BYTES, err) != KILN_OK)
        return err->code;
    const unsigned char *head = (const unsigned char *)r->buf + r->pos;
    size_t n = r->len - r->pos;
    kiln_format seen = kiln_format_sniff(head, n);
    if (first && r->format == KILN_FORMAT_UNKNOWN) {
        if (seen == KILN_FORMAT_UNKNOWN)
            return kiln_error_set(err, KILN_DATA,
                                  "%s is empty: cannot tell its format",
                                  r->ctx.file);
        r->format = seen;
    }
    /* RecordIO expected but text found: say so, unless the bytes are not
     * text either (then the RecordIO parser names the bad magic). */
    bool printable = n > 0;
    for (size_t i = 0; i < n && i < 4; i++)
        printable = printable && (head[i] >= 0x20 || head[i] == '\t' ||
                                  head[i] == '\n' || head[i] == '\r');
    if (seen != KILN_FORMAT_UNKNOWN && r->format != seen &&
        (seen == KILN_FORMAT_RECORDIO ||
         (r->format == KILN_FORMAT_RECORDIO && printable)))
        return kiln_error_set(err, KILN_DATA, "%s holds %s, not %s",
                              r->ctx.file,
                              seen == KILN_FORMAT_RECORDIO
                                  ? "RecordIO-protobuf records"
                                  : "text",
                              kiln_format_mime(r->format));
    if (r->format == KILN_FORMAT_CSV)
        r->ctx.delimiter = kiln_format_sniff_delimiter((const char *)head, n);
    if (!first)
        return KILN_OK;

    switch (r->format) {
    case KILN_FORMAT_CSV: {
        r->ctx.label_size = r->opts.type.no_label ? 0 : 1;
        r->ctx.weights = r->opts.weights;
        r->flags = (r->ctx.label_size ? KILN_DATASET_LABELS : 0u) |
                   (r->opts.weights ? KILN_DATASET_WEIGHTS : 0u);
        if (r->opts.weights && r->ctx.label_size == 0)
            return kiln_error_set(err, KILN_DATA,
                                  "%s: CSV weights need a label column "
                                  "(label_size=1)",
                                  r->ctx.file);
        /* Dense batches need the width before the first row: the first
         * line's field count, less the label and weight columns. */
        size_t fields = 0;
        while (r->ctx.cols == 0) {
            fields = kiln_csv_first_fields(r->buf + r->pos, r->len - r->pos,
                                           r->file_eof, r->ctx.delimiter);
            if (fields > 0 || r->file_eof)
                break;
            if (fill(r, err) != KILN_OK)
                return err->code;
        }
        size_t extra = (size_t)r->ctx.label_size + (r->opts.weights ? 1 : 0);
        if (r->ctx.cols == 0 && fields > extra)
            r->ctx.cols = fields - extra;
        break;
    }
    case KILN_FORMAT_LIBSVM:
        r->flags = KILN_DATASET_SPARSE | KILN_DATASET_LABELS |
                   KILN_DATASET_WEIGHTS;
        break;
    case KILN_FORMAT_RECORDIO: {
        bool complete = false, sparse = false, labels = false;
        size_t cols = 0;
        for (;;) {
            if (kiln_recordio_peek(&r->ctx, head, n, &complete, &sparse,
                                   &labels, &cols, err) != KILN_OK)
                return err->code;
            if (complete || r->file_eof)
                break;
            if (fill(r, err) != KILN_OK)
                return err->code;
            head = (const unsigned char *)r->buf + r->pos;
            n = r->len - r->pos;
        }
        if (!complete) {
            uint32_t want = n >= 8 ? ((uint32_t)head[4] | (uint32_t)head[5] << 8 |
                                      (uint32_t)head[6] << 16 |
                                      (uint32_t)head[7] << 24) &
                                         ((1u << 29) - 1)
                                   : 0;
            return kiln_error_set(err, KILN_DATA,
                                  "%s record 1 (byte 0): truncated record: "
                                  "%zu bytes of %llu",
                                  r->ctx.file, n < 8 ? n : n - 8,
                                  (unsigned long long)(n < 8 ? 8 : want));
        }
        r->flags = (sparse ? KILN_DATASET_SPARSE : 0u) |
                   (labels ? KILN_DATASET_LABELS : 0u);
        if (!sparse && r->ctx.cols == 0)
            r->ctx.cols = cols;
        break;
    }
    case KILN_FORMAT_UNKNOWN:
        break;
    }
    return KILN_OK;
}

/* Open file i (closing the previous one) and check its start. */
static int enter_file(kiln_reader *r, size_t i, kiln_error *err)
{
    close_file(r);
    r->file = i;
    r->pos = r->len = 0;
    if (open_file(r, err) != KILN_OK)
        return err->code;
    return start_file(r, i == 0, err);
}

int kiln_reader_open(const char *path, const kiln_read_opts *opts,
                     kiln_reader **out, kiln_error *err)
{
    kiln_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return kiln_error_nomem(err);
    r->opts = *opts;
    r->format = opts->type.format;
    r->ctx.cols = opts->cols;
    r->ctx.cols_fixed = opts->cols > 0;
    r->ctx.label_size = 1;
    r->cap = READ_CHUNK;
    r->buf = malloc(r->cap);
    if (r->buf == NULL) {
        free(r);
        return kiln_error_nomem(err);
    }
    if (list_files(path, &r->files, &r->nfiles, err) != KILN_OK ||
        enter_file(r, 0, err) != KILN_OK) {
        kiln_reader_free(r);
        return err->code;
    }
    *out = r;
    return KILN_OK;
}

void kiln_reader_free(kiln_reader *r)
{
    if (r == NULL)
        return;
    close_file(r);
    kiln_strv_free(r->files, r->nfiles);
    free(r->buf);
    free(r);
}

kiln_dataset *kiln_reader_batch_new(const kiln_reader *r)
{
    return kiln_dataset_new(r->flags, r->ctx.cols);
}

kiln_format kiln_reader_format(const kiln_reader *r) { return r->format; }
size_t kiln_reader_cols(const kiln_reader *r) { return r->ctx.cols; }
const char *kiln_reader_file(const kiln_reader *r) { return r->files[r->file]; }
size_t kiln_reader_file_count(const kiln_reader *r) { return r->nfiles; }

static bool cancelled(const kiln_reader *r, kiln_error *err)
{
    if (r->opts.cancel == NULL || !kiln_cancel_requested(r->opts.cancel))
        return false;
    kiln_error_set(err, KILN_INTERRUPTED, "reading %s was interrupted",
                   r->ctx.file);
    return true;
}

/* Parse up to max_rows more rows into ds (not cleared). */
static int read_rows(kiln_reader *r, size_t max_rows, kiln_dataset *ds,
                     kiln_error *err)
{
    size_t start = kiln_dataset_rows(ds);
    while (kiln_dataset_rows(ds) - start < max_rows) {
        if (cancelled(r, err))
            return err->code;
        size_t pending = r->len - r->pos, used = 0;
        size_t want = max_rows - (kiln_dataset_rows(ds) - start);
        if (pending > 0 &&
            parse_chunk(r->format, &r->ctx, r->buf + r->pos, pending,
                        r->file_eof, want, &used, ds, err) != KILN_OK)
            return err->code;
        r->pos += used;
        if (used > 0)
            continue;
        if (!r->file_eof) {
            if (fill(r, err) != KILN_OK)
                return err->code;
            continue;
        }
        if (r->pos < r->len)
            return kiln_error_set(err, KILN_INTERNAL,
                                  "%s: %zu bytes left unparsed at the end",
                                  r->ctx.file, r->len - r->pos);
        if (r->file + 1 >= r->nfiles)
            break;
        if (enter_file(r, r->file + 1, err) != KILN_OK)
            return err->code;
    }
    return KILN_OK;
}

int kiln_reader_next(kiln_reader *r, size_t max_rows, kiln_dataset *batch,
                     kiln_error *err)
{
    kiln_dataset_clear(batch);
    if (max_rows == 0)
        max_rows = 1;
    return read_rows(r, max_rows, batch, err);
}

int kiln_reader_rewind(kiln_reader *r, kiln_error *err)
{
    size_t cols = r->ctx.cols;
    if (enter_file(r, 0, err) != KILN_OK)
        return err->code;
    r->ctx.cols = cols;
    return KILN_OK;
}

/* ---- whole loads -------------------------------------------------------- */

/* One slice of a file parsed by a worker. */
typedef struct slice {
    const char *p;
    size_t n;
    uint64_t offset; /* in the file */
    kiln_dataset *ds;
    kiln_parse_ctx ctx; /* after parsing: line/record advanced */
    kiln_error err;
    int rc;
    bool ran;
    size_t bound; /* dense: at most this many rows (counted first) */
    size_t row0;  /* dense: its first row in the dataset */
} slice;

typedef struct slice_job {
    kiln_format format;
    bool counting; /* the first pass of a dense load: bound rows */
    slice *slices;
    size_t count;
    atomic_size_t next;
    atomic_bool stop;
    kiln_cancel *cancel;
} slice_job;

static int parse_slice(kiln_format f, slice *s)
{
    size_t used = 0;
    s->ran = true;
    s->rc = parse_chunk(f, &s->ctx, s->p, s->n, true, SIZE_MAX, &used, s->ds,
                        &s->err);
    if (s->rc == KILN_OK && used != s->n)
        s->rc = kiln_error_set(&s->err, KILN_INTERNAL,
                               "%s: slice parsed %zu of %zu bytes",
                               s->ctx.file, used, s->n);
    return s->rc;
}

/* An upper bound on the rows in a slice: its line ends, or its records
 * (complete ones and first parts), up to any broken framing. */
static size_t count_rows(kiln_format f, const char *p, size_t n)
{
    size_t rows = 0;
    if (f != KILN_FORMAT_RECORDIO) {
        const char *q = p, *end = p + n;
        while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
            rows++;
            q++;
        }
        return rows + (n > 0 && p[n - 1] != '\n');
    }
    size_t at = 0;
    while (at + 8 <= n) {
        const unsigned char *h = (const unsigned char *)p + at;
        uint32_t magic = (uint32_t)h[0] | (uint32_t)h[1] << 8 |
                         (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        uint32_t lrec = (uint32_t)h[4] | (uint32_t)h[5] << 8 |
                        (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
        if (magic != 0xCED7230Au)
            break;
        rows += (lrec >> 29) <= 1;
        at += 8 + (((size_t)(lrec & ((1u << 29) - 1)) + 3) & ~(size_t)3);
    }
    return rows;
}

static void *slice_worker(void *arg)
{
    slice_job *job = arg;
    for (;;) {
        if (atomic_load(&job->stop) ||
            (job->cancel != NULL && kiln_cancel_requested(job->cancel)))
            break;
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->count)
            break;
        if (job->counting) {
            slice *s = &job->slices[i];
            s->bound = count_rows(job->format, s->p, s->n);
            continue;
        }
        if (parse_slice(job->format, &job->slices[i]) != KILN_OK)
            atomic_store(&job->stop, true);
    }
    return NULL;
}

/* Where the slice starting at `from` should end: the first line end at or
 * after `target`, or the first record boundary (a complete record or the
 * first part of a multi-part one) at or after it. */
static size_t cut_at(kiln_format f, const char *p, size_t n, size_t from,
                     size_t target)
{
    if (target >= n)
        return n;
    if (f != KILN_FORMAT_RECORDIO) {
        const char *nl = memchr(p + target, '\n', n - target);
        return nl ? (size_t)(nl - p) + 1 : n;
    }
    size_t at = from;
    while (at + 8 <= n) {
        const unsigned char *h = (const unsigned char *)p + at;
        uint32_t magic = (uint32_t)h[0] | (uint32_t)h[1] << 8 |
                         (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
        uint32_t lrec = (uint32_t)h[4] | (uint32_t)h[5] << 8 |
                        (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
        uint32_t cflag = lrec >> 29;
        if (magic != 0xCED7230Au)
            return n; /* let one slice meet the broken bytes and say so */
        if (at >= target && (cflag == 0 || cflag == 1))
            return at;
        size_t len = lrec & ((1u << 29) - 1);
        at += 8 + ((len + 3) & ~(size_t)3);
    }
    return n;
}

/* Read a whole plain file into memory: kiln__big_alloc'd, *len bytes of
 * data in *mapped bytes of mapping. */
static int slurp(const char *path, char **out, size_t *len, size_t *mapped,
                 kiln_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kiln_error_set(err, KILN_IO, "cannot open %s: %s", path,
                              strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 0) {
        int rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                                strerror(errno));
        close(fd);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    char *data = kiln__big_alloc(size, mapped);
    if (data == NULL) {
        close(fd);
        return kiln_error_set(err, KILN_NOMEM,
                              "cannot allocate %zu bytes to read %s", size,
                              path);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int rc = kiln_error_set(err, KILN_IO, "cannot read %s: %s", path,
                                    n < 0 ? strerror(errno)
                                          : "the file got shorter");
            close(fd);
            kiln__big_free(data, *mapped);
            return rc;
        }
        got += (size_t)n;
    }
    close(fd);
    *out = data;
    *len = size;
    return KILN_OK;
}

static unsigned load_threads(const kiln_read_opts *opts)
{
    if (opts->threads > 0)
        return opts->threads > 64 ? 64 : opts->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 8 ? 8u : (unsigned)n;
}

/* Parse data[0..len) of the reader's current file in slices on worker
 * threads and append the rows to ds.  The reader's ctx says where the file
 * starts (line 1, record 1) and holds the columns learned so far. */
/* Run job on nthreads threads (this one included) until it is done. */
static void run_workers(slice_job *job, unsigned nthreads)
{
    pthread_t threads[64];
    unsigned started = 0;
    for (unsigned t = 1; t < nthreads && t <= 64; t++) {
        if (pthread_create(&threads[started], NULL, slice_worker, job) != 0)
            break;
        started++;
    }
    slice_worker(job);
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
}

/* The slice size: 8 MiB, or KILN_DATA_SLICE_BYTES (at least 1024) so that
 * tests cut small files into many slices. */
static size_t slice_bytes(void)
{
    const char *env = getenv("KILN_DATA_SLICE_BYTES");
    long v = env ? atol(env) : 0;
    return v >= 1024 ? (size_t)v : (size_t)SLICE_BYTES;
}

static int load_slices(kiln_reader *r, const char *data, size_t len,
                       kiln_dataset *ds, kiln_error *err)
{
    size_t slice_size = slice_bytes();
    /* Dense rows go straight into ds (windows); sparse slices parse into
     * datasets of their own, joined after. */
    bool dense = !(r->flags & KILN_DATASET_SPARSE);
    size_t max = len / slice_size + 2;
    slice *slices = calloc(max, sizeof *slices);
    if (slices == NULL)
        return kiln_error_nomem(err);
    size_t count = 0, at = 0;
    while (at < len && count < max) {
        size_t end = count + 1 == max ? len
                                      : cut_at(r->format, data, len, at,
                                               at + slice_size);
        slice *s = &slices[count++];
        s->p = data + at;
        s->n = end - at;
        s->offset = at;
        s->ctx = r->ctx;
        s->ctx.offset = at;
        kiln_error_init(&s->err);
        s->ds = dense ? NULL : kiln_dataset_new(r->flags, r->ctx.cols);
        at = end;
        if (!dense && s->ds == NULL) {
            count--;
            break;
        }
    }
    int rc = KILN_OK;
    if (at < len) {
        rc = kiln_error_nomem(err);
        goto done;
    }
    slice_job job = {.format = r->format, .slices = slices, .count = count,
                     .cancel = r->opts.cancel, .counting = dense};
    unsigned nthreads = load_threads(&r->opts);
    if (nthreads > count)
        nthreads = (unsigned)count;
    size_t base = kiln_dataset_rows(ds);
    for (int pass = dense ? 0 : 1; pass < 2; pass++) {
        job.counting = pass == 0;
        atomic_init(&job.next, 0);
        atomic_init(&job.stop, false);
        run_workers(&job, nthreads);
        if (pass == 1)
            break;
        /* Dense: reserve every row once and give each slice its window. */
        size_t total = 0;
        for (size_t i = 0; i < count; i++)
            total += slices[i].bound;
        if (kiln_dataset_reserve(ds, total, 0, err) != KILN_OK) {
            rc = err->code;
            goto done;
        }
        size_t row = base;
        for (size_t i = 0; i < count; i++) {
            slices[i].row0 = row;
            slices[i].ds = kiln__dataset_window(ds, row, slices[i].bound);
            row += slices[i].bound;
            if (slices[i].ds == NULL) {
                rc = kiln_error_nomem(err);
                goto done;
            }
        }
    }

    /* Join in order; number messages from the counts of earlier slices. */
    uint64_t line = r->ctx.line, record = r->ctx.record;
    size_t rows = base;
    for (size_t i = 0; i < count && rc == KILN_OK; i++) {
        slice *s = &slices[i];
        if (!s->ran) {
            /* The workers stopped early: a later slice failed, or the
             * user interrupted.  Earlier slices still decide the error. */
            if (r->opts.cancel != NULL &&
                kiln_cancel_requested(r->opts.cancel)) {
                rc = kiln_error_set(err, KILN_INTERRUPTED,
                                    "reading %s was interrupted",
                                    r->ctx.file);
                break;
            }
            parse_slice(r->format, s);
        }
        if (s->rc != KILN_OK) {
            /* Parse it again from its true first line and record. */
            kiln_dataset_clear(s->ds);
            kiln_error_init(&s->err);
            s->ctx = r->ctx;
            s->ctx.line = line;
            s->ctx.record = record;
            s->ctx.offset = s->offset;
            parse_slice(r->format, s);
            rc = kiln_error_set(err, s->err.code ? s->err.code : KILN_INTERNAL,
                                "%s", s->err.code ? s->err.message
                                                  : "slice failed");
            break;
        }
        line += s->ctx.line - r->ctx.line;
        record += s->ctx.record - r->ctx.record;
        if (dense) {
            /* Close the gap blank lines left below the window's bound. */
            size_t got = kiln_dataset_rows(s->ds);
            kiln__dataset_move_rows(ds, rows, s->row0, got);
            rows += got;
        } else if (kiln_dataset_append(ds, s->ds, err) != KILN_OK) {
            rc = err->code;
        }
        kiln_dataset_free(s->ds);
        s->ds = NULL;
    }
    if (dense)
        kiln__dataset_set_rows(ds, rc == KILN_OK ? rows : base);
    r->ctx.line = line;
    r->ctx.record = record;
done:
    for (size_t i = 0; i < count; i++)
        kiln_dataset_free(slices[i].ds);
    free(slices);
    return rc;
}

/* Parse data[0..len), the whole of the reader's current file, in
 * parallel slices into *ds.  The CSV width must be known before slices
 * start: it comes from the first line when no earlier file set it, and
 * *ds is made anew for it when this is the first file. */
static int parse_whole(kiln_reader *r, const char *data, size_t len,
                       bool first, kiln_dataset **ds, kiln_error *err)
{
    if (r->format == KILN_FORMAT_CSV && r->ctx.cols == 0) {
        size_t fields = kiln_csv_first_fields(data, len, true,
                                              r->ctx.delimiter);
        size_t extra = (size_t)r->ctx.label_size + (r->ctx.weights ? 1 : 0);
        if (fields > extra)
            r->ctx.cols = fields - extra;
    }
    if (first && !kiln_dataset_is_sparse(*ds) &&
        kiln_dataset_cols(*ds) != r->ctx.cols) {
        kiln_dataset_free(*ds);
        *ds = kiln_reader_batch_new(r);
        if (*ds == NULL)
            return kiln_error_nomem(err);
    }
    return load_slices(r, data, len, *ds, err);
}

int kiln_data_load(const char *path, const kiln_read_opts *opts,
                   kiln_dataset **out, kiln_error *err)
{
    kiln_reader *r;
    if (kiln_reader_open(path, opts, &r, err) != KILN_OK)
        return err->code;
    kiln_dataset *ds = kiln_reader_batch_new(r);
    int rc = ds == NULL ? kiln_error_nomem(err) : KILN_OK;
    for (size_t i = 0; rc == KILN_OK && i < r->nfiles; i++) {
        if (i > 0)
            rc = enter_file(r, i, err);
        if (rc != KILN_OK)
            break;
        if (!gzdirect(r->gz)) {
            rc = read_rows(r, SIZE_MAX, ds, err);
            /* read_rows walks on through the remaining files itself. */
            break;
        }
        /* A plain file: parse it whole, in parallel slices. */
        char *data = NULL;
        size_t len = 0, mapped = 0;
        rc = slurp(r->files[i], &data, &len, &mapped, err);
        if (rc != KILN_OK)
            break;
        rc = parse_whole(r, data, len, i == 0, &ds, err);
        kiln__big_free(data, mapped);
    }
    if (rc == KILN_OK && kiln_dataset_rows(ds) == 0)
        rc = kiln_error_set(err, KILN_DATA, "%s has no rows", path);
    kiln_reader_free(r);
    if (rc != KILN_OK) {
        kiln_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return KILN_OK;
}

/* ---- bytes in memory ------------------------------------------------------ */

/* Inflate a gzip body (several members are joined, as gzip -d does). */
static int inflate_all(const void *data, size_t len, const char *name,
                       char **out, size_t *out_len, kiln_error *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return kiln_error_nomem(err);
    size_t cap = len * 4 + 4096, n = 0;
    char *buf = malloc(cap);
    int rc = buf ? KILN_OK : kiln_error_nomem(err);
    z.next_in = (Bytef *)(uintptr_t)data;
    size_t left = len;
    while (rc == KILN_OK) {
        if (n == cap) {
            if (cap >= MAX_PENDING * 4) {
                rc = kiln_error_set(err, KILN_DATA,
                                    "%s: inflates to more than %zu bytes",
                                    name, cap);
                break;
            }
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                rc = kiln_error_nomem(err);
                break;
            }
            buf = b;
            cap *= 2;
        }
        unsigned in_chunk = left > UINT32_MAX ? UINT32_MAX : (unsigned)left;
        size_t room = cap - n;
        z.avail_in = in_chunk;
        z.next_out = (Bytef *)buf + n;
        z.avail_out = room > UINT32_MAX ? UINT32_MAX : (unsigned)room;
        unsigned before_in = z.avail_in, before_out = z.avail_out;
        int zr = inflate(&z, Z_NO_FLUSH);
        left -= before_in - z.avail_in;
        n += before_out - z.avail_out;
        if (zr == Z_STREAM_END) {
            if (left == 0)
                break;
            /* Another gzip member follows. */
            if (inflateReset(&z) != Z_OK)
                rc = kiln_error_nomem(err);
            continue;
        }
        if (zr == Z_BUF_ERROR && left == 0) {
            rc = kiln_error_set(err, KILN_DATA,
                                "%s: gzip: the compressed data ends early",
                                name);
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            rc = kiln_error_set(err, KILN_DATA, "%s: gzip: %s", name,
                                z.msg ? z.msg : "corrupt data");
        }
    }
    inflateEnd(&z);
    if (rc != KILN_OK) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return KILN_OK;
}

int kiln_data_parse(const void *data, size_t len, const char *name,
                    const kiln_read_opts *opts, kiln_dataset **out,
                    kiln_error *err)
{
    char *inflated = NULL;
    if (kiln_format_is_gzip(data, len)) {
        if (inflate_all(data, len, name, &inflated, &len, err) != KILN_OK)
            return err->code;
        data = inflated;
    }
    kiln_reader r;
    memset(&r, 0, sizeof r);
    r.opts = *opts;
    r.opts.threads = 1;
    r.format = opts->type.format;
    r.ctx.cols = opts->cols;
    r.ctx.cols_fixed = opts->cols > 0;
    r.ctx.label_size = 1;
    r.ctx.file = name;
    r.ctx.line = 1;
    r.ctx.record = 1;
    r.buf = (char *)(uintptr_t)data;
    r.len = r.cap = len;
    r.file_eof = true;
    int rc = KILN_OK;
    kiln_dataset *ds = NULL;
    if (len == 0 && r.format == KILN_FORMAT_UNKNOWN)
        r.format = KILN_FORMAT_CSV;
    if (len > 0 || r.format == KILN_FORMAT_UNKNOWN)
        rc = start_file(&r, true, err);
    else if (r.format == KILN_FORMAT_CSV)
        r.flags = opts->type.no_label ? 0u : KILN_DATASET_LABELS;
    else if (r.format == KILN_FORMAT_LIBSVM)
        r.flags = KILN_DATASET_SPARSE | KILN_DATASET_LABELS |
                  KILN_DATASET_WEIGHTS;
    if (rc == KILN_OK) {
        ds = kiln_dataset_new(r.flags, r.ctx.cols);
        rc = ds ? KILN_OK : kiln_error_nomem(err);
    }
    /* Bytes for more than one slice (a benchmark, a large batch
     * transform payload) parse as a whole file does: rows counted and
     * reserved once, slices on threads. */
    if (rc == KILN_OK && r.len - r.pos > slice_bytes()) {
        r.opts.threads = opts->threads;
        rc = parse_whole(&r, r.buf + r.pos, r.len - r.pos, true, &ds, err);
        r.pos = r.len;
    }
    while (rc == KILN_OK && r.pos < r.len) {
        size_t used = 0;
        rc = parse_chunk(r.format, &r.ctx, r.buf + r.pos, r.len - r.pos, true,
                         SIZE_MAX, &used, ds, err);
        if (rc == KILN_OK && used == 0)
            rc = kiln_error_set(err, KILN_INTERNAL,
                                "%s: %zu bytes left unparsed", name,
                                r.len - r.pos);
        r.pos += used;
    }
    free(inflated);
    if (rc != KILN_OK) {
        kiln_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return KILN_OK;
}
