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

/* npy_read of a good file with at most max_dims axes: its data (caller frees); its shape
   in dims, which must have nd axes. */
static float *read_ok(const char *path, int max_dims, int nd, int64_t *dims)
{
    float *x;
    int got;
    Err e = {0};
    if (npy_read(path, &x, dims, max_dims, &got, &e) != 0) fail_msg("%s", e.msg);
    assert_int_equal(got, nd);
    return x;
}

/* The file at path holds exactly what numpy wrote to NPY/name. */
static void assert_same_bytes(const char *path, const char *name)
{
    char theirs_path[256];
    snprintf(theirs_path, sizeof theirs_path, NPY "%s", name);
    size_t l1, l2;
    unsigned char *ours = ts_slurp(path, &l1), *theirs = ts_slurp(theirs_path, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(ours, theirs, l1);
    free(ours);
    free(theirs);
}

static void test_round_trip(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/rt.npy", ts_dir());
    float data[24];
    for (int i = 0; i < 24; i++) data[i] = (float)i * 0.25f - 3.0f;
    int64_t shape[3] = {2, 3, 4};
    Err e = {0};
    assert_int_equal(npy_write(path, data, shape, 3, &e), 0);

    int64_t dims[4];
    float *x = read_ok(path, 4, 3, dims);
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
    assert_same_bytes(path, "f4_2x3.npy");

    /* vector (1000,) and scalar () headers too */
    int64_t v[1] = {5};
    float five[5] = {1, 2, 3, 4, 1e-3f};
    assert_int_equal(npy_write(path, five, v, 1, &e), 0);
    assert_same_bytes(path, "f4_vec5.npy");
    float s = 3.5f;
    assert_int_equal(npy_write(path, &s, NULL, 0, &e), 0);
    assert_same_bytes(path, "f4_scalar.npy");
    remove(path);
}

#define ANY -1 /* an axis the case does not check */

/* Files numpy wrote: the axes and the values at two places (nvals of them) that must come back. */
static const struct {
    const char *name;
    int max_dims, nd;
    int64_t dims[5];
    int nvals, at[2];
    float val[2];
} numpy_files[] = {
    {"f4_2x3.npy", 4, 2, {2, 3, ANY, ANY, ANY}, 2, {0, 5}, {-1.0f, 1.5f}},
    {"f4_v2.npy", 4, 2, {ANY, ANY, ANY, ANY, ANY}, 1, {4}, {1.0f}}, /* format 2.0 */
    {"f4_scalar.npy", 4, 0, {ANY, ANY, ANY, ANY, ANY}, 1, {0}, {3.5f}},
    {"f4_vec5.npy", 1, 1, {5, ANY, ANY, ANY, ANY}, 1, {4}, {1e-3f}},
    {"f4_empty.npy", 4, 2, {0, 3, ANY, ANY, ANY}, 0, {0}, {0}}, /* no data, yet not NULL */
    {"reordered.npy", 4, 1, {ANY, ANY, ANY, ANY, ANY}, 2, {0, 1}, {7.0f, 8.0f}},
    {"f4_5d.npy", 5, 5, {ANY, ANY, ANY, 2, ANY}, 0, {0}, {0}},
};

static void test_read_numpy_files(void **state)
{
    for (size_t k = 0; k < sizeof numpy_files / sizeof numpy_files[0]; k++) {
        char path[256];
        snprintf(path, sizeof path, NPY "%s", numpy_files[k].name);
        int64_t d[5];
        float *x = read_ok(path, numpy_files[k].max_dims, numpy_files[k].nd, d);
        assert_non_null(x);
        for (int i = 0; i < numpy_files[k].nd; i++)
            if (numpy_files[k].dims[i] != ANY) assert_int_equal(d[i], numpy_files[k].dims[i]);
        for (int i = 0; i < numpy_files[k].nvals; i++) assert_true(x[numpy_files[k].at[i]] == numpy_files[k].val[i]);
        free(x);
    }
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

/* One refusal per way a header can lie: the file and what the message must say (NULL:
   only that it starts with the path). */
static const char *const refusals[][2] = {
    {NPY "f8.npy", "'<f8'"},
    {NPY "be_f4.npy", "'>f4'"},
    {NPY "i4.npy", "'<i4'"},
    {NPY "fortran.npy", "Fortran"},
    {NPY "f4_5d.npy", "5 dimensions"},
    {NPY "short.npy", "file holds 20"},
    {NPY "extra.npy", "file holds 28"},
    {NPY "header_only.npy", NULL},
    {NPY "not_npy.npy", "not a .npy"},
    {NPY "huge_shape.npy", "too large"},
    {NPY "overflow_dim.npy", "shape"},
    {NPY "negative_dim.npy", "shape"},
    {NPY "no_shape.npy", "lacks"},
    {NPY "garbage_header.npy", "not a dict"},
    {NPY "bad_version.npy", "version 9"},
    {NPY "hlen_past_end.npy", "header length"},
    {NPY "missing.npy", "cannot open"},
    {FIXTURES "/npy", "not a regular file"},
};

static void test_refusals(void **state)
{
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) expect_refused(refusals[i][0], 4, refusals[i][1]);
}

/* A version 1.0 file with this header dict of len bytes (padded with a '\n') and nbytes zero
   bytes of data. */
static void write_npy(const char *path, const char *dict, size_t len, size_t nbytes)
{
    size_t hlen = len + 1, n = 10 + hlen + nbytes;
    unsigned char *b = calloc(1, n);
    assert_non_null(b);
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xFF), (unsigned char)(hlen >> 8)};
    memcpy(b, pre, sizeof pre);
    memcpy(b + 10, dict, len);
    b[10 + len] = '\n';
    ts_write_file(path, b, n);
    free(b);
}

/* Found by fuzzing npy_read. */
static void test_fuzz_regressions(void **state)
{
    char path[128];
    snprintf(path, sizeof path, "%s/fuzz.npy", ts_dir());
    /* An empty array whose other axes multiply past INT64_MAX: numpy cannot make it, and a
       caller multiplying the returned shape would overflow. It used to be accepted. */
    const char *too_large = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 0), }";
    write_npy(path, too_large, strlen(too_large), 0);
    expect_refused(path, 4, "too large");
    /* ...while an honest empty array is still read */
    const char *honest = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 0), }";
    write_npy(path, honest, strlen(honest), 0);
    int64_t d[4];
    free(read_ok(path, 4, 2, d));
    assert_true(d[0] == 4294967296LL && d[1] == 0);
    /* A NUL inside the dtype string used to cut it short to '<f4' and be accepted. */
    static const char nul_descr[] = "{'descr': '<f4\0x', 'fortran_order': False, 'shape': (1,), }";
    write_npy(path, nul_descr, sizeof nul_descr - 1, 4);
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
