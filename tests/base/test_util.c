/* test_util.c - the shared base helpers: opening and reading regular files (and refusing
   everything else at once, a FIFO included), and the growable string StrBuf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "support.h"
#include "util.h"

/* file_read_all must fail with exactly "PATH: what", leaving *data NULL. */
static void expect_refused(const char *path, size_t max, const char *what)
{
    unsigned char *d = (unsigned char *)"not touched";
    size_t n = 99;
    Err e = {{0}};
    assert_int_equal(file_read_all(path, max, &d, &n, &e), -1);
    assert_null(d);
    assert_int_equal(n, 0);
    char want[1024];
    snprintf(want, sizeof want, "%s: %s", path, what);
    assert_string_equal(e.msg, want);
}

static void test_reads_back(void **state)
{
    (void)state;
    const char *p = ts_path("a.bin");
    ts_write_file(p, "hello\0world", 11);
    unsigned char *d;
    size_t n;
    Err e = {{0}};
    assert_int_equal(file_read_all(p, 11, &d, &n, &e), 0); /* exactly at the limit */
    assert_int_equal(n, 11);
    assert_memory_equal(d, "hello\0world", 11);
    assert_int_equal(d[11], '\0'); /* terminated, so text can be used as a string */
    free(d);

    ts_write_file(p, NULL, 0); /* empty is not an error: the caller decides */
    assert_int_equal(file_read_all(p, 100, &d, &n, &e), 0);
    assert_int_equal(n, 0);
    assert_non_null(d);
    assert_int_equal(d[0], '\0');
    free(d);
}

static void test_open_regular(void **state)
{
    (void)state;
    const char *p = ts_path("b.txt");
    ts_write_file(p, "abcdef", 6);
    long long size = -1;
    Err e = {{0}};
    FILE *f = file_open_regular(p, &size, &e);
    assert_non_null(f);
    assert_int_equal(size, 6);
    /* the descriptor reads normally again (O_NONBLOCK cleared) and is not inherited */
    int fl = fcntl(fileno(f), F_GETFL);
    assert_true(fl >= 0 && !(fl & O_NONBLOCK));
    assert_true(fcntl(fileno(f), F_GETFD) & FD_CLOEXEC);
    char buf[8] = {0};
    assert_int_equal(fread(buf, 1, sizeof buf, f), 6);
    assert_string_equal(buf, "abcdef");
    fclose(f);

    size = 5;
    assert_null(file_open_regular(ts_dir(), &size, &e));
    assert_int_equal(size, 0);
    char want[1024];
    snprintf(want, sizeof want, "%s: is a directory, not a regular file", ts_dir());
    assert_string_equal(e.msg, want);
    assert_null(file_open_regular(ts_path("missing"), NULL, &e));
    assert_non_null(strstr(e.msg, ": cannot open ("));
}

static void test_not_files_refused(void **state)
{
    (void)state;
    char what[300];
    snprintf(what, sizeof what, "cannot open (%s)", strerror(ENOENT));
    expect_refused(ts_path("missing.txt"), 100, what);
    expect_refused(ts_dir(), 100, "is a directory, not a regular file");

    /* A FIFO with no writer: a plain open would wait for one forever. The alarm turns a
       hang into a failed test instead of a stuck one. */
    const char *fifo = ts_path("fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    double t0 = now_ms();
    expect_refused(fifo, 100, "not a regular file");
    Err e = {{0}};
    assert_null(file_open_regular(fifo, NULL, &e));
    assert_true(now_ms() - t0 < 2000);
    alarm(0);
}

static void test_size_limit(void **state)
{
    (void)state;
    const char *p = ts_path("ten.bin");
    ts_write_file(p, "0123456789", 10);
    expect_refused(p, 9, "10 bytes is too big (limit 9 bytes)");
    expect_refused(p, 0, "10 bytes is too big (limit 0 bytes)");
    /* the limit in the largest unit that divides it; the size is checked before reading,
       so a sparse file does not cost its size */
    const char *big = ts_path("big.bin");
    ts_write_file(big, NULL, 0);
    assert_int_equal(truncate(big, (1 << 20) + 1), 0);
    expect_refused(big, 1 << 20, "1048577 bytes is too big (limit 1 MiB)");
    expect_refused(big, 3 * 1024, "1048577 bytes is too big (limit 3 KiB)");
    expect_refused(big, 1000, "1048577 bytes is too big (limit 1000 bytes)");
}

static void test_strbuf(void **state)
{
    (void)state;
    StrBuf s = {0};
    sb_add(&s, "%s=%d;%.2f|%c%%", "x", -42, 3.14159, 'q');
    assert_false(s.oom);
    assert_string_equal(s.p, "x=-42;3.14|q%");
    assert_int_equal(s.n, 13);
    size_t first_cap = s.cap;
    assert_true(first_cap >= 14);

    /* 0..999 each with a space: 10 one-digit, 90 two-digit, 900 three-digit numbers,
       so 13 + 10*2 + 90*3 + 900*4 = 13 + 3890 bytes */
    for (int i = 0; i < 1000; i++) sb_add(&s, "%d ", i);
    assert_false(s.oom);
    assert_int_equal(s.n, 13 + 3890);
    assert_int_equal(strlen(s.p), s.n);
    assert_true(s.cap > first_cap && s.cap > s.n);
    assert_memory_equal(s.p, "x=-42;3.14|q%0 1 2 ", 19);
    assert_string_equal(s.p + s.n - 8, "998 999 ");
    assert_memory_equal(s.p + 13 + 20 + 270, "100 101 ", 8);

    sb_add(&s, "%s", ""); /* adding nothing changes nothing */
    assert_int_equal(s.n, 13 + 3890);

    /* after a failure, later appends do nothing and the text stays as it was */
    s.oom = 1;
    sb_add(&s, "more");
    assert_int_equal(s.n, 13 + 3890);
    assert_string_equal(s.p + s.n - 4, "999 ");

    sb_free(&s);
    assert_null(s.p);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.cap, 0);
    assert_false(s.oom);
    sb_add(&s, "again %d", 1); /* usable after sb_free */
    assert_string_equal(s.p, "again 1");
    sb_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_back),
        cmocka_unit_test(test_open_regular),
        cmocka_unit_test(test_not_files_refused),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_strbuf),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
