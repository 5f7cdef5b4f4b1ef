/* test_idx.c - MNIST idx files: plain and gzipped, and every way a file can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"
#include "support.h"

/* An idx header of unsigned bytes with nd dimensions into buf; its length. */
static size_t header(unsigned char *buf, int type, int nd, const unsigned *dims)
{
    buf[0] = 0, buf[1] = 0, buf[2] = (unsigned char)type, buf[3] = (unsigned char)nd;
    for (int i = 0; i < nd; i++)
        for (int b = 0; b < 4; b++) buf[4 + 4 * i + b] = (unsigned char)(dims[i] >> (24 - 8 * b));
    return 4 + 4 * (size_t)nd;
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
}

/* 2 images of 2×3 and their labels 3 and 7, as plain files (gz 0) or gzipped. */
static void write_pair(const char *split, int gz)
{
    unsigned char buf[64];
    unsigned dims[3] = {2, 2, 3};
    size_t n = header(buf, 8, 3, dims);
    for (int i = 0; i < 12; i++) buf[n + i] = (unsigned char)(10 * i);
    char path[600];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte%s", ts_dir(), split, gz ? ".gz" : "");
    gz ? write_gz(path, buf, n + 12) : ts_write_file(path, buf, n + 12);
    unsigned ldims[1] = {2};
    n = header(buf, 8, 1, ldims);
    buf[n] = 3, buf[n + 1] = 7;
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte%s", ts_dir(), split, gz ? ".gz" : "");
    gz ? write_gz(path, buf, n + 2) : ts_write_file(path, buf, n + 2);
}

static void test_split_plain_and_gz(void **state)
{
    (void)state;
    for (int gz = 0; gz < 2; gz++) {
        write_pair(gz ? "gz" : "plain", gz);
        IdxSet s;
        Err e = {0};
        assert_int_equal(idx_load_split(ts_dir(), gz ? "gz" : "plain", &s, &e), 0);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.h, 2);
        assert_int_equal(s.w, 3);
        assert_int_equal(s.classes, 8);
        assert_int_equal(s.labels[1], 7);
        assert_int_equal(s.pixels[6 + 5], 110);   /* image 1, row 1, column 2 */
        idx_set_free(&s);
    }
}

/* Writes bytes to a.idx and reads it; returns the message (empty on success). */
static const char *read_bytes(const unsigned char *b, size_t n, int gz)
{
    static Err e;
    memset(&e, 0, sizeof e);
    const char *p = ts_path(gz ? "a.idx.gz" : "a.idx");
    gz ? write_gz(p, b, n) : ts_write_file(p, b, n);
    IdxArray a;
    if (idx_read(p, 3, &a, &e) == 0) {
        assert_null(a.data == NULL ? "no data" : NULL);
        idx_array_free(&a);
        return "";
    }
    assert_null(a.data);
    return e.msg;
}

static void test_bad_files(void **state)
{
    (void)state;
    unsigned char b[64];
    unsigned d3[3] = {2, 2, 3}, big[3] = {60000, 2000, 2000}, zero[3] = {2, 0, 3};
    size_t n = header(b, 8, 3, d3);
    memset(b + n, 1, 20);
    for (int gz = 0; gz < 2; gz++) {
        assert_string_equal(read_bytes(b, n + 12, gz), "");
        assert_non_null(strstr(read_bytes(b, n + 11, gz), "truncated: 11 of 12 bytes"));
        assert_non_null(strstr(read_bytes(b, n + 13, gz), "trailing data after 12 bytes"));
    }
    assert_non_null(strstr(read_bytes(b, 3, 0), "not an idx file"));
    n = header(b, 0x0D, 3, d3);
    assert_non_null(strstr(read_bytes(b, n + 48, 0), "type 0x0d"));
    n = header(b, 8, 3, big);   /* 240 GB claimed by a 16-byte file: refused before malloc */
    assert_non_null(strstr(read_bytes(b, n, 1), "more than 256 MiB"));
    n = header(b, 8, 3, zero);
    assert_non_null(strstr(read_bytes(b, n, 0), "dimension 1 is 0"));
    n = header(b, 8, 3, d3);
    assert_non_null(strstr(read_bytes(b, n - 2, 0), "truncated in the header"));
    unsigned d5[4] = {1, 1, 1, 1};
    n = header(b, 8, 4, d5);
    assert_non_null(strstr(read_bytes(b, n + 1, 0), "4 dimensions; expected 1 to 3"));
    /* a gzip stream cut in the middle */
    write_gz(ts_path("cut.gz"), b, n + 1);
    size_t len;
    unsigned char *gzb = ts_slurp(ts_path("cut.gz"), &len);
    ts_write_file(ts_path("cut.gz"), gzb, len / 2);
    free(gzb);
    IdxArray a;
    Err e = {0};
    assert_int_equal(idx_read(ts_path("cut.gz"), 4, &a, &e), -1);
    assert_non_null(strstr(e.msg, "cut.gz: "));
}

static void test_split_mismatch_and_missing(void **state)
{
    (void)state;
    write_pair("mm", 0);
    unsigned char b[16];
    unsigned d1[1] = {3};
    size_t n = header(b, 8, 1, d1);
    memset(b + n, 1, 3);
    char path[600];
    snprintf(path, sizeof path, "%s/mm-labels-idx1-ubyte", ts_dir());
    ts_write_file(path, b, n + 3);
    IdxSet s;
    Err e = {0};
    assert_int_equal(idx_load_split(ts_dir(), "mm", &s, &e), -1);
    assert_non_null(strstr(e.msg, "2 images but"));
    assert_non_null(strstr(e.msg, "has 3 labels"));
    assert_int_equal(idx_load_split(ts_dir(), "nothing", &s, &e), -1);
    assert_non_null(strstr(e.msg, "nothing-images-idx3-ubyte.gz: cannot open"));
}

/* Debian's dataset-fashion-mnist, when it is installed. */
static void test_fashion_mnist(void **state)
{
    (void)state;
    char dir[512];
    idx_dataset_dir("fashion-mnist", dir, sizeof dir);
    if (access(dir, R_OK) != 0) skip();
    IdxSet s;
    Err e = {0};
    assert_int_equal(idx_load_split("fashion-mnist", "t10k", &s, &e), 0);
    assert_int_equal(s.n, 10000);
    assert_int_equal(s.h, 28);
    assert_int_equal(s.w, 28);
    assert_int_equal(s.classes, 10);
    int per[10] = {0};
    for (int i = 0; i < s.n; i++) per[s.labels[i]]++;
    for (int c = 0; c < 10; c++) assert_int_equal(per[c], 1000);
    idx_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_plain_and_gz),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_split_mismatch_and_missing),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
