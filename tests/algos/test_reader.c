/* Tests of algos/data/reader.c: channels (files, directories, gzip),
 * streaming batches against whole loads, parallel slices against one
 * thread, error numbering across slices, and the golden folders of broken
 * inputs in tests/algos/golden/ (KILN_GOLDEN_UPDATE=1 rewrites them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "algos/data/reader.h"
#include "algos/data/writer.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[256];

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    (void)state;
    /* Small slices: a 1 MB file is cut into about 16. */
    setenv("KILN_DATA_SLICE_BYTES", "65536", 1);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kiln-test-reader-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void write_gz(const char *path, const char *text, size_t len)
{
    gzFile g = gzopen(path, "wb");
    assert_non_null(g);
    assert_int_equal(gzwrite(g, text, (unsigned)len), (int)len);
    gzclose(g);
}

/* Random CSV rows "label,f1,...,fk" with some empty (missing) fields. */
static char *random_csv(size_t rows, size_t cols, unsigned seed, size_t *len)
{
    srand(seed);
    size_t cap = rows * (cols + 1) * 16 + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = 0;
    for (size_t i = 0; i < rows; i++) {
        n += (size_t)snprintf(s + n, cap - n, "%d", rand() % 3);
        for (size_t j = 0; j < cols; j++) {
            int r = rand();
            if (r % 17 == 0)
                n += (size_t)snprintf(s + n, cap - n, ",");
            else
                n += (size_t)snprintf(s + n, cap - n, ",%.5g",
                                      (double)(r % 100000) / 997.0 - 50.0);
        }
        s[n++] = '\n';
    }
    s[n] = '\0';
    *len = n;
    return s;
}

static bool same_bits(float a, float b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void assert_same(const kiln_dataset *a, const kiln_dataset *b)
{
    assert_int_equal(kiln_dataset_rows(a), kiln_dataset_rows(b));
    assert_int_equal(kiln_dataset_cols(a), kiln_dataset_cols(b));
    assert_int_equal(kiln_dataset_flags(a), kiln_dataset_flags(b));
    size_t rows = kiln_dataset_rows(a), cols = kiln_dataset_cols(a);
    for (size_t i = 0; i < rows; i++) {
        if (kiln_dataset_labels(a))
            assert_true(same_bits(kiln_dataset_labels(a)[i],
                                  kiln_dataset_labels(b)[i]));
        for (size_t j = 0; j < cols; j++)
            if (!same_bits(kiln_dataset_get(a, i, j, 0.0f),
                           kiln_dataset_get(b, i, j, 0.0f)))
                fail_msg("row %zu col %zu differ", i, j);
    }
}

static kiln_dataset *load(const char *path, const char *type,
                          unsigned threads)
{
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts o = {.threads = threads};
    assert_int_equal(kiln_content_type_parse(type, &o.type, &err), KILN_OK);
    kiln_dataset *ds = NULL;
    if (kiln_data_load(path, &o, &ds, &err) != KILN_OK)
        fail_msg("load %s: %s", path, err.message);
    return ds;
}

/* Several slices on several threads give what one thread and the
 * streaming reader give. */
static void test_parallel_equals_serial_and_stream(void **state)
{
    (void)state;
    size_t len;
    char *csv = random_csv(3000, 40, 1, &len);
    char path[512];
    path_of(path, sizeof path, "big.csv");
    write_file(path, csv, len);
    kiln_dataset *par = load(path, "text/csv", 4);
    kiln_dataset *one = load(path, "text/csv", 1);
    assert_int_equal(kiln_dataset_rows(par), 3000);
    assert_int_equal(kiln_dataset_cols(par), 40);
    assert_same(par, one);

    /* Streaming in batches of 777 rows, twice (rewind). */
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts o = {0};
    kiln_reader *r;
    assert_int_equal(kiln_reader_open(path, &o, &r, &err), KILN_OK);
    assert_int_equal(kiln_reader_format(r), KILN_FORMAT_CSV);
    for (int pass = 0; pass < 2; pass++) {
        kiln_dataset *all = kiln_reader_batch_new(r);
        kiln_dataset *batch = kiln_reader_batch_new(r);
        for (;;) {
            assert_int_equal(kiln_reader_next(r, 777, batch, &err), KILN_OK);
            if (kiln_dataset_rows(batch) == 0)
                break;
            assert_true(kiln_dataset_rows(batch) <= 777);
            assert_int_equal(kiln_dataset_append(all, batch, &err), KILN_OK);
        }
        assert_same(all, par);
        kiln_dataset_free(all);
        kiln_dataset_free(batch);
        assert_int_equal(kiln_reader_rewind(r, &err), KILN_OK);
    }
    kiln_reader_free(r);

    /* The same bytes gzipped stream to the same rows. */
    path_of(path, sizeof path, "big.csv.gz");
    write_gz(path, csv, len);
    kiln_dataset *gz = load(path, "", 0);
    assert_same(gz, par);
    kiln_dataset_free(gz);

    /* kiln_data_parse of the bytes in memory: in slices on threads
     * (threads 0 or 4; the test's slices are 64 KiB) and serially. */
    for (unsigned threads = 0; threads <= 4; threads += threads ? 3 : 1) {
        kiln_read_opts mo = {.threads = threads};
        kiln_dataset *mem = NULL;
        assert_int_equal(kiln_data_parse(csv, len, "body", &mo, &mem, &err),
                         KILN_OK);
        assert_same(mem, par);
        kiln_dataset_free(mem);
    }

    kiln_dataset_free(par);
    kiln_dataset_free(one);
    free(csv);
}

/* A bad line deep in a sliced file is reported with its true number. */
static void test_error_line_across_slices(void **state)
{
    (void)state;
    size_t len;
    char *csv = random_csv(4000, 40, 2, &len);
    /* Break line 3210: replace its first feature with "oops". */
    char *p = csv;
    for (int line = 1; line < 3210; line++)
        p = strchr(p, '\n') + 1;
    char *comma = strchr(p, ',');
    char *next = strpbrk(comma + 1, ",\n");
    size_t tail = len - (size_t)(next - csv);
    char *broken = malloc(len + 8);
    size_t head = (size_t)(comma + 1 - csv);
    memcpy(broken, csv, head);
    memcpy(broken + head, "oops", 4);
    memcpy(broken + head + 4, next, tail);
    size_t blen = head + 4 + tail;
    char path[512];
    path_of(path, sizeof path, "broken.csv");
    write_file(path, broken, blen);
    for (unsigned threads = 1; threads <= 4; threads += 3) {
        kiln_error err;
        kiln_error_init(&err);
        kiln_read_opts o = {.threads = threads};
        kiln_dataset *ds = NULL;
        assert_int_equal(kiln_data_load(path, &o, &ds, &err), KILN_DATA);
        assert_null(ds);
        char want[600];
        snprintf(want, sizeof want,
                 "%s line 3210, column 2: not a number: 'oops'", path);
        assert_string_equal(err.message, want);
        /* The same bytes in memory, parsed in slices or serially. */
        kiln_error_init(&err);
        assert_int_equal(kiln_data_parse(broken, blen, "body", &o, &ds, &err),
                         KILN_DATA);
        assert_null(ds);
        assert_string_equal(err.message,
                            "body line 3210, column 2: not a number: 'oops'");
    }
    free(broken);
    free(csv);
}

/* Directory channels: sorted, recursive, hidden files and labels.json
 * skipped; a mix of gzip and plain files. */
static void test_directory_channel(void **state)
{
    (void)state;
    char dir[512], path[600];
    path_of(dir, sizeof dir, "chan");
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/sub", dir);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/b.csv", dir);
    write_file(path, "2,2\n", 4);
    snprintf(path, sizeof path, "%s/a.csv.gz", dir);
    write_gz(path, "1,1\n", 4);
    snprintf(path, sizeof path, "%s/sub/c.csv", dir);
    write_file(path, "3,3", 3); /* no final newline */
    snprintf(path, sizeof path, "%s/.hidden", dir);
    write_file(path, "junk", 4);
    snprintf(path, sizeof path, "%s/labels.json", dir);
    write_file(path, "{}", 2);
    for (unsigned threads = 1; threads <= 2; threads++) {
        kiln_dataset *ds = load(dir, "text/csv", threads);
        assert_int_equal(kiln_dataset_rows(ds), 3);
        assert_int_equal(kiln_dataset_cols(ds), 1);
        for (size_t i = 0; i < 3; i++) {
            assert_true(kiln_dataset_labels(ds)[i] == (float)(i + 1));
            assert_true(kiln_dataset_dense(ds)[i] == (float)(i + 1));
        }
        kiln_dataset_free(ds);
    }
    /* A second file of another width is an error naming it. */
    snprintf(path, sizeof path, "%s/d.csv", dir);
    write_file(path, "4,4,4\n", 6);
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts o = {0};
    kiln_dataset *ds = NULL;
    assert_int_equal(kiln_data_load(dir, &o, &ds, &err), KILN_DATA);
    char want[700];
    snprintf(want, sizeof want, "%s/d.csv line 1: 3 fields, expected 2", dir);
    assert_string_equal(err.message, want);
}

static void test_cancel(void **state)
{
    (void)state;
    char path[512];
    path_of(path, sizeof path, "small.csv");
    write_file(path, "1,2\n3,4\n", 8);
    kiln_cancel c;
    kiln_cancel_init(&c);
    kiln_cancel_request(&c);
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts o = {.cancel = &c};
    kiln_dataset *ds = NULL;
    assert_int_equal(kiln_data_load(path, &o, &ds, &err), KILN_INTERRUPTED);
    assert_null(ds);
}

/* Every writer's output reads back bit for bit, through files and .gz. */
static void test_write_read_round_trip(void **state)
{
    (void)state;
    size_t len;
    char *csv = random_csv(3000, 12, 3, &len);
    char path[512];
    path_of(path, sizeof path, "rt.csv");
    write_file(path, csv, len);
    kiln_dataset *ds = load(path, "text/csv", 0);
    static const struct {
        kiln_format f;
        const char *name;
        bool sparse;
    } cases[] = {
        {KILN_FORMAT_CSV, "rt-out.csv", false},
        {KILN_FORMAT_CSV, "rt-out.csv.gz", false},
        {KILN_FORMAT_RECORDIO, "rt-out.pbr", false},
        {KILN_FORMAT_RECORDIO, "rt-out-sparse.pbr.gz", true},
        {KILN_FORMAT_LIBSVM, "rt-out.libsvm", false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        kiln_error err;
        kiln_error_init(&err);
        kiln_write_opts wo = {.format = cases[k].f, .sparse = cases[k].sparse};
        path_of(path, sizeof path, cases[k].name);
        if (kiln_data_write(path, ds, &wo, &err) != KILN_OK)
            fail_msg("write %s: %s", path, err.message);
        kiln_dataset *back = load(path, "", 0);
        if (cases[k].f == KILN_FORMAT_LIBSVM || cases[k].sparse) {
            /* Sparse formats drop missing values and zeros: compare with
             * absent entries as NaN (libsvm) or 0 (RecordIO). */
            float fill = cases[k].f == KILN_FORMAT_LIBSVM ? NAN : 0.0f;
            kiln_dataset *dense;
            assert_int_equal(kiln_dataset_to_dense(back, fill, &dense, &err),
                             KILN_OK);
            assert_int_equal(kiln_dataset_rows(dense), kiln_dataset_rows(ds));
            for (size_t i = 0; i < kiln_dataset_rows(ds); i++)
                for (size_t j = 0; j < kiln_dataset_cols(dense); j++) {
                    float want = kiln_dataset_dense(ds)[i * 12 + j];
                    if (isnan(want) && fill == 0.0f)
                        continue; /* NaN kept as a stored value */
                    if (want == 0.0f && isnan(fill))
                        want = NAN;
                    if (!same_bits(kiln_dataset_dense(dense)[i * 12 + j], want))
                        fail_msg("%s row %zu col %zu", path, i, j);
                }
            kiln_dataset_free(dense);
        } else {
            assert_same(back, ds);
        }
        kiln_dataset_free(back);
    }
    kiln_dataset_free(ds);
    free(csv);
}

/* ---- golden folders --------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *s = calloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    fclose(f);
    s[n] = '\0';
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Each case folder holds `input` (a file or a directory: the channel),
 * optional `content_type` and `options` ("weights", "cols=N", "stream"),
 * and `expected.txt`: "ename: message" of the load. */
static void run_golden_case(const char *dir, int *failures)
{
    char path[1024];
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    char *type = read_text("content_type");
    char *options = read_text("options");
    kiln_error err;
    kiln_error_init(&err);
    kiln_read_opts o = {.threads = 2};
    char got[2200];
    int rc = kiln_content_type_parse(type ? type : "", &o.type, &err);
    if (options && strstr(options, "weights"))
        o.weights = true;
    const char *cols = options ? strstr(options, "cols=") : NULL;
    if (cols)
        o.cols = (size_t)atol(cols + 5);
    kiln_dataset *ds = NULL;
    if (rc == KILN_OK && options && strstr(options, "stream")) {
        kiln_reader *r = NULL;
        rc = kiln_reader_open("input", &o, &r, &err);
        ds = rc == KILN_OK ? kiln_reader_batch_new(r) : NULL;
        while (rc == KILN_OK) {
            rc = kiln_reader_next(r, 2, ds, &err);
            if (rc != KILN_OK || kiln_dataset_rows(ds) == 0)
                break;
        }
        kiln_reader_free(r);
    } else if (rc == KILN_OK) {
        rc = kiln_data_load("input", &o, &ds, &err);
    }
    if (rc == KILN_OK)
        snprintf(got, sizeof got, "OK: %zu rows, %zu columns",
                 ds ? kiln_dataset_rows(ds) : 0,
                 ds ? kiln_dataset_cols(ds) : 0);
    else
        snprintf(got, sizeof got, "%s: %s", kiln_status_ename(err.code),
                 err.message);
    kiln_dataset_free(ds);
    snprintf(path, sizeof path, "expected.txt");
    char *want = read_text(path);
    if (getenv("KILN_GOLDEN_UPDATE")) {
        FILE *f = fopen(path, "w");
        fprintf(f, "%s\n", got);
        fclose(f);
    } else if (want == NULL || strcmp(want, got) != 0) {
        print_error("golden %s:\n  got:  %s\n  want: %s\n", dir, got,
                    want ? want : "(no expected.txt)");
        (*failures)++;
    }
    free(want);
    free(type);
    free(options);
    assert_int_equal(chdir(cwd), 0);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void **state)
{
    (void)state;
    char root[1024];
    snprintf(root, sizeof root, "%s/algos/golden", KILN_TEST_SRC);
    DIR *d = opendir(root);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 512)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    assert_true(n >= 20);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char dir[1600];
        snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
        run_golden_case(dir, &failures);
        free(names[i]);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parallel_equals_serial_and_stream),
        cmocka_unit_test(test_error_line_across_slices),
        cmocka_unit_test(test_directory_channel),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_write_read_round_trip),
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
