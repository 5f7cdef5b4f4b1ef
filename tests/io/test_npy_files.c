/* test_npy_files.c - the io module's files that are not ordinary: .npy, class names and
   PNGs. A FIFO to read is refused at once; a FIFO or device to write over is refused and
   still exists; a write that fails (RLIMIT_FSIZE, in a child) says "FILE: write failed",
   leaves no temporary file and the file already there untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "img.h"
#include "labels.h"
#include "npy.h"
#include "support.h"

static int temp_files(void)
{
    return ts_count_named(ts_dir(), ".tmp-");
}

static void test_fifo_and_devices(void **state)
{
    (void)state;
    const char *f = ts_path("fifo");
    assert_int_equal(mkfifo(f, 0600), 0);
    Err e = {{0}};
    float *x = NULL;
    int64_t shape[4];
    int nd;
    Labels lb;
    float v[4] = {1, 2, 3, 4};
    int64_t s4[1] = {4};
    alarm(10); /* an open that blocks fails the test instead of hanging it */
    assert_int_equal(npy_read(f, &x, shape, 4, &nd, &e), -1);
    assert_non_null(strstr(e.msg, "fifo: not a regular file"));
    assert_int_equal(labels_load(f, &lb, &e), -1);
    assert_non_null(strstr(e.msg, "fifo: not a regular file"));
    assert_int_equal(npy_write(f, v, s4, 1, &e), -1);
    assert_non_null(strstr(e.msg, "fifo: exists and is not a regular file; not replaced"));
    alarm(0);
    struct stat st;
    assert_int_equal(lstat(f, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(npy_write("/dev/null", v, s4, 1, &e), -1);
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    Image im;
    assert_int_equal(img_alloc(&im, 4, 4, &e), 0);
    memset(im.px, 128, 48);
    assert_int_equal(img_write_png("/dev/null", &im, &e), -1);
    assert_non_null(strstr(e.msg, "/dev/null: exists and is not a regular file"));
    img_free(&im);
    assert_int_equal(temp_files(), 0);
}

typedef struct {
    const char *npy, *png;
} Paths;

/* In the child of the test below, under a 4 KiB file-size limit: 0 if all went as it should. */
static int write_past_limit(void *ctx)
{
    const Paths *p = ctx;
    static float v[10000];
    int64_t shape[1] = {10000};
    Err e = {{0}};
    if (npy_write(p->npy, v, shape, 1, &e) != -1) return 10;
    if (!strstr(e.msg, "big.npy: write failed (File too large)")) return 11;
    Image im;
    if (img_alloc(&im, 200, 200, &e) != 0) return 12;
    uint64_t r = 7; /* noise: compresses badly */
    for (int i = 0; i < 200 * 200 * 3; i++) im.px[i] = (unsigned char)((r = r * 6364136223846793005u + 1) >> 56);
    int rc = img_write_png(p->png, &im, &e) != -1 ? 13 : !strstr(e.msg, "big.png: write failed (File too large)") ? 14 : 0;
    img_free(&im);
    return rc;
}

/* In a child under a 4 KiB file-size limit (SIGXFSZ ignored: write fails with EFBIG). */
static void test_failed_writes(void **state)
{
    (void)state;
    const char *npy = ts_path("big.npy"), *png = ts_path("big.png");
    Paths out = {npy, png};
    ts_write_file(npy, "old npy", 7);
    assert_int_equal(ts_in_small_child(write_past_limit, &out, 4096), 0);
    size_t n;
    unsigned char *b = ts_slurp(npy, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(b, "old npy", 7);
    free(b);
    assert_int_equal(access(png, F_OK), -1);
    assert_int_equal(temp_files(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_devices),
        cmocka_unit_test(test_failed_writes),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
