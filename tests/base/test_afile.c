/* test_afile.c - writing outputs all or nothing (afile.h): the new file appears under its
   name only when complete; a failed write (RLIMIT_FSIZE) or an abort leaves no temporary
   file and the old file untouched; a device, FIFO or directory in the way is refused, at
   once, and still exists afterwards; output directories and parents are checked. */
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

#include "afile.h"
#include "support.h"

/* The temporary files left in ts_dir. */
static int temp_files(void)
{
    return ts_count_named(ts_dir(), ".tmp-");
}

static void expect_text(const char *path, const char *want)
{
    size_t n;
    unsigned char *b = ts_slurp(path, &n);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(b, want, n);
    free(b);
}

static void test_commit_replaces_only_when_complete(void **state)
{
    (void)state;
    const char *p = ts_path("a.txt");
    ts_write_file(p, "old", 3);
    chmod(p, 0640);
    AFile a;
    Err e = {{0}};
    assert_int_equal(afile_open(&a, p, &e), 0);
    assert_int_equal(fputs("new contents", a.f) >= 0, 1);
    assert_int_equal(fflush(a.f), 0);
    expect_text(p, "old"); /* written, not yet committed: the old file is still there */
    assert_int_equal(temp_files(), 1);
    assert_int_equal(afile_commit(&a, &e), 0);
    expect_text(p, "new contents");
    assert_int_equal(temp_files(), 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* the replaced file's permissions are kept */

    /* a new file */
    const char *q = ts_path("new.txt");
    assert_int_equal(afile_open(&a, q, &e), 0);
    fputs("x", a.f);
    assert_int_equal(afile_commit(&a, &e), 0);
    expect_text(q, "x");

    /* abort: the old file stays, the temporary file goes */
    assert_int_equal(afile_open(&a, p, &e), 0);
    fputs("half", a.f);
    afile_abort(&a);
    expect_text(p, "new contents");
    assert_int_equal(temp_files(), 0);
}

/* Targets that are not regular files are refused without being opened, and remain. */
static void test_refuses_devices_fifos_dirs(void **state)
{
    (void)state;
    AFile a;
    Err e = {{0}};
    assert_int_equal(afile_open(&a, "/dev/null", &e), -1);
    assert_non_null(strstr(e.msg, "/dev/null: exists and is not a regular file; not replaced"));
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));

    const char *fifo = ts_path("fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10); /* a regression that opens the FIFO blocks: fail instead of hanging */
    assert_int_equal(afile_open(&a, fifo, &e), -1);
    alarm(0);
    assert_non_null(strstr(e.msg, "exists and is not a regular file"));
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(afile_check_output(fifo, &e), -1);

    const char *dir = ts_path("sub");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(afile_open(&a, dir, &e), -1);
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(temp_files(), 0);

    /* the directory part must exist */
    assert_int_equal(afile_open(&a, ts_path("missing/x.txt"), &e), -1);
    assert_non_null(strstr(e.msg, "missing/x.txt: cannot create the file (No such file or directory)"));
    assert_int_equal(afile_check_parent(ts_path("missing/x.txt"), &e), -1);
    assert_non_null(strstr(e.msg, "does not exist"));
    assert_int_equal(afile_check_parent(ts_path("x.txt"), &e), 0);
    assert_int_equal(afile_check_parent("x.txt", &e), 0);

    /* directories */
    assert_int_equal(afile_check_dir(dir, &e), 0);
    assert_int_equal(afile_check_dir(ts_path("not-yet"), &e), 0);
    ts_write_file(ts_path("plain"), "p", 1);
    assert_int_equal(afile_check_dir(ts_path("plain"), &e), -1);
    assert_non_null(strstr(e.msg, "plain: exists and is not a directory"));
    assert_int_equal(afile_check_dir("/dev/null", &e), -1);
}

/* A symbolic link to a regular file: the file it names is replaced, the link stays. */
static void test_follows_links(void **state)
{
    (void)state;
    const char *target = ts_path("target.txt"), *link = ts_path("link.txt");
    ts_write_file(target, "t", 1);
    assert_int_equal(symlink(target, link), 0);
    AFile a;
    Err e = {{0}};
    assert_int_equal(afile_open(&a, link, &e), 0);
    fputs("through the link", a.f);
    assert_int_equal(afile_commit(&a, &e), 0);
    expect_text(target, "through the link");
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    /* a link to nothing is refused */
    assert_int_equal(symlink(ts_path("nothing"), ts_path("dangling")), 0);
    assert_int_equal(afile_open(&a, ts_path("dangling"), &e), -1);
    assert_non_null(strstr(e.msg, "symbolic link to a missing file"));
}

/* In the child of the test below, under a 4 KiB file-size limit: 0 if all went as it should. */
static int write_past_limit(void *ctx)
{
    const char *p = ctx;
    AFile a;
    Err e = {{0}};
    if (afile_open(&a, p, &e) != 0) return 10;
    static char block[65536];
    for (int i = 0; i < 4; i++) fwrite(block, 1, sizeof block, a.f); /* failures seen at commit */
    if (afile_commit(&a, &e) == 0) return 11;
    if (!strstr(e.msg, "big.bin: write failed (File too large)")) return 12;
    /* afile_fail after a failed fwrite says the same */
    if (afile_open(&a, p, &e) != 0) return 13;
    if (fwrite(block, 1, sizeof block, a.f) == sizeof block && fflush(a.f) == 0) return 14;
    if (afile_fail(&a, &e) != -1 || !strstr(e.msg, "write failed (File too large)")) return 15;
    return 0;
}

/* A write that fails (the file-size limit: EFBIG, SIGXFSZ ignored) in a child: -1 and
   "write failed (File too large)", no temporary file, the old file untouched. */
static void test_failed_write(void **state)
{
    (void)state;
    const char *p = ts_path("big.bin");
    ts_write_file(p, "previous", 8);
    assert_int_equal(ts_in_small_child(write_past_limit, (void *)p, 4096), 0);
    expect_text(p, "previous");
    assert_int_equal(temp_files(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_replaces_only_when_complete),
        cmocka_unit_test(test_refuses_devices_fifos_dirs),
        cmocka_unit_test(test_follows_links),
        cmocka_unit_test(test_failed_write),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
