/* test_npy_files.c - the io module's files that are not ordinary: .npy, class names and
   PNGs. A FIFO to read is refused at once; a FIFO or device to write over is refused and
   still exists; a write that fails (RLIMIT_FSIZE, in a child) says "FILE: write failed",
   leaves no temporary file and the file already there untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* In a child under a 4 KiB file-size limit (SIGXFSZ ignored: write fails with EFBIG). */
static void test_failed_writes(void **state)
{
    (void)state;
    const char *npy = ts_path("big.npy"), *png = ts_path("big.png");
    ts_write_file(npy, "old npy", 7);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        static float v[10000];
        int64_t shape[1] = {10000};
        Err e = {{0}};
        if (npy_write(npy, v, shape, 1, &e) != -1) _exit(10);
        if (!strstr(e.msg, "big.npy: write failed (File too large)")) _exit(11);
        Image im;
        if (img_alloc(&im, 200, 200, &e) != 0) _exit(12);
        uint64_t r = 7; /* noise: compresses badly */
        for (int i = 0; i < 200 * 200 * 3; i++) im.px[i] = (unsigned char)((r = r * 6364136223846793005u + 1) >> 56);
        if (img_write_png(png, &im, &e) != -1) _exit(13);
        if (!strstr(e.msg, "big.png: write failed (File too large)")) _exit(14);
        img_free(&im);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
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
