/* test_npy.c - .npy round trips, files written by real numpy (tests/fixtures/npy, made by
   make_npy_fixtures.py), and one refusal per way a header can lie. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "npy.h"
#include "support.h"

#define NPY FIXTURES "/npy/"

static void test_round_trip(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/rt.npy", ts_dir());
    float data[24];
    for (int i = 0; i < 24; i++) data[i] = (float)i * 0.25f - 3.0f;
    int64_t shape[3] = {2, 3, 4};
    Err e = {0};
    assert_int_equal(npy_write(path, data, shape, 3, &e), 0);

    float *x;
    int64_t dims[4];
    int nd;
    assert_int_equal(npy_read(path, &x, dims, 4, &nd, &e), 0);
    assert_int_equal(nd, 3);
    assert_int_equal(dims[0], 2);
    assert_int_equal(dims[1], 3);
    assert_int_equal(dims[2], 4);
    assert_memory_equal(x, data, sizeof data);
    free(x);

    /* header: 64-byte aligned data, '\n' last */
    size_t len;
    unsigned char *b = ts_slurp(path, &len);
    int hlen = b[8] | b[9] << 8;
    assert_int_equal((10 + hlen) % 64, 0);
    assert_int_equal(b[10 + hlen - 1], '\n');
    assert_int_equal(len, 10 + hlen + 24 * 4);
    free(b);
    remove(path);
}

/* Our bytes are numpy's bytes for the same array. */
static void test_same_as_numpy(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/same.npy", ts_dir());
    float a[6] = {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f};
    int64_t shape[2] = {2, 3};
    Err e = {0};
    assert_int_equal(npy_write(path, a, shape, 2, &e), 0);
    size_t l1, l2;
    unsigned char *ours = ts_slurp(path, &l1), *theirs = ts_slurp(NPY "f4_2x3.npy", &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(ours, theirs, (size_t)l1);
    free(ours);
    free(theirs);

    /* vector (1000,) and scalar () headers too */
    int64_t v[1] = {5};
    float five[5] = {1, 2, 3, 4, 1e-3f};
    assert_int_equal(npy_write(path, five, v, 1, &e), 0);
    ours = ts_slurp(path, &l1);
    theirs = ts_slurp(NPY "f4_vec5.npy", &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(ours, theirs, (size_t)l1);
    free(ours);
    free(theirs);
    float s = 3.5f;
    assert_int_equal(npy_write(path, &s, NULL, 0, &e), 0);
    ours = ts_slurp(path, &l1);
    theirs = ts_slurp(NPY "f4_scalar.npy", &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(ours, theirs, (size_t)l1);
    free(ours);
    free(theirs);
    remove(path);
}

static void test_read_numpy_files(void **state)
{
    float *x;
    int64_t d[5];
    int nd;
    Err e = {0};
    assert_int_equal(npy_read(NPY "f4_2x3.npy", &x, d, 4, &nd, &e), 0);
    assert_int_equal(nd, 2);
    assert_int_equal(d[0], 2);
    assert_int_equal(d[1], 3);
    assert_true(x[0] == -1.0f && x[5] == 1.5f);
    free(x);

    assert_int_equal(npy_read(NPY "f4_v2.npy", &x, d, 4, &nd, &e), 0); /* format 2.0 */
    assert_int_equal(nd, 2);
    assert_true(x[4] == 1.0f);
    free(x);

    assert_int_equal(npy_read(NPY "f4_scalar.npy", &x, d, 4, &nd, &e), 0);
    assert_int_equal(nd, 0);
    assert_true(x[0] == 3.5f);
    free(x);

    assert_int_equal(npy_read(NPY "f4_vec5.npy", &x, d, 1, &nd, &e), 0);
    assert_int_equal(nd, 1);
    assert_int_equal(d[0], 5);
    assert_true(x[4] == 1e-3f);
    free(x);

    assert_int_equal(npy_read(NPY "f4_empty.npy", &x, d, 4, &nd, &e), 0);
    assert_int_equal(nd, 2);
    assert_int_equal(d[0], 0);
    assert_int_equal(d[1], 3);
    assert_non_null(x);
    free(x);

    assert_int_equal(npy_read(NPY "reordered.npy", &x, d, 4, &nd, &e), 0);
    assert_int_equal(nd, 1);
    assert_true(x[0] == 7.0f && x[1] == 8.0f);
    free(x);

    assert_int_equal(npy_read(NPY "f4_5d.npy", &x, d, 5, &nd, &e), 0);
    assert_int_equal(nd, 5);
    assert_int_equal(d[3], 2);
    free(x);
}

static void expect_refused(const char *path, int max_dims, const char *needle)
{
    float *x = (float *)&x;
    int64_t d[8];
    int nd = 99;
    Err e = {0};
    int rc = npy_read(path, &x, d, max_dims, &nd, &e);
    if (rc != -1 || strncmp(e.msg, path, strlen(path)) != 0 || (needle && !strstr(e.msg, needle)))
        fail_msg("%s: rc %d, message \"%s\" (expected \"%s\")", path, rc, e.msg, needle ? needle : "");
    assert_null(x);
    assert_int_equal(nd, 0);
}

static void test_refusals(void **state)
{
    expect_refused(NPY "f8.npy", 4, "'<f8'");
    expect_refused(NPY "be_f4.npy", 4, "'>f4'");
    expect_refused(NPY "i4.npy", 4, "'<i4'");
    expect_refused(NPY "fortran.npy", 4, "Fortran");
    expect_refused(NPY "f4_5d.npy", 4, "5 dimensions");
    expect_refused(NPY "short.npy", 4, "file holds 20");
    expect_refused(NPY "extra.npy", 4, "file holds 28");
    expect_refused(NPY "header_only.npy", 4, NULL);
    expect_refused(NPY "not_npy.npy", 4, "not a .npy");
    expect_refused(NPY "huge_shape.npy", 4, "too large");
    expect_refused(NPY "overflow_dim.npy", 4, "shape");
    expect_refused(NPY "negative_dim.npy", 4, "shape");
    expect_refused(NPY "no_shape.npy", 4, "lacks");
    expect_refused(NPY "garbage_header.npy", 4, "not a dict");
    expect_refused(NPY "bad_version.npy", 4, "version 9");
    expect_refused(NPY "hlen_past_end.npy", 4, "header length");
    expect_refused(NPY "missing.npy", 4, "cannot open");
    expect_refused(FIXTURES "/npy", 4, "not a regular file");
}

/* A version 1.0 file with this header dict (padded with a '\n') and nbytes zero bytes of data. */
static void write_npy(const char *path, const char *dict, size_t nbytes)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t hlen = strlen(dict) + 1;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xFF), (unsigned char)(hlen >> 8)};
    fwrite(pre, 1, sizeof pre, f);
    fwrite(dict, 1, strlen(dict), f);
    fputc('\n', f);
    for (size_t i = 0; i < nbytes; i++) fputc(0, f);
    fclose(f);
}

/* Found by fuzzing npy_read. */
static void test_fuzz_regressions(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/fuzz.npy", ts_dir());
    /* An empty array whose other axes multiply past INT64_MAX: numpy cannot make it, and a
       caller multiplying the returned shape would overflow. It used to be accepted. */
    write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 0), }", 0);
    expect_refused(path, 4, "too large");
    /* ...while an honest empty array is still read */
    write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 0), }", 0);
    float *x;
    int64_t d[4];
    int nd;
    Err e = {0};
    assert_int_equal(npy_read(path, &x, d, 4, &nd, &e), 0);
    assert_int_equal(nd, 2);
    assert_true(d[0] == 4294967296LL && d[1] == 0);
    free(x);
    /* A NUL inside the dtype string used to cut it short to '<f4' and be accepted. */
    static const char nul_descr[] = "{'descr': '<f4\0x', 'fortran_order': False, 'shape': (1,), }";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t hlen = sizeof nul_descr; /* includes the NUL that ends the literal: becomes '\n' */
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hlen, 0};
    fwrite(pre, 1, sizeof pre, f);
    fwrite(nul_descr, 1, sizeof nul_descr - 1, f);
    fputc('\n', f);
    fwrite("\0\0\0\0", 1, 4, f);
    fclose(f);
    expect_refused(path, 4, "descr");
    remove(path);
}

static void test_write_errors(void **state)
{
    float a[2] = {1, 2};
    int64_t shape[1] = {2}, neg[1] = {-2};
    Err e = {0};
    const char *p = "/nonexistent-dir/x.npy";
    assert_int_equal(npy_write(p, a, shape, 1, &e), -1);
    assert_int_equal(strncmp(e.msg, p, strlen(p)), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/bad.npy", ts_dir());
    assert_int_equal(npy_write(path, a, neg, 1, &e), -1);
    assert_int_equal(npy_write(path, NULL, shape, 1, &e), -1);
    assert_int_equal(npy_write(path, a, shape, 40, &e), -1);
    assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_same_as_numpy),
        cmocka_unit_test(test_read_numpy_files),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_fuzz_regressions),
        cmocka_unit_test(test_write_errors),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
