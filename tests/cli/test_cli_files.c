/* test_cli_files.c - what the binary does with paths that are not ordinary files: a FIFO
   in any role (image, --input-npy, lesson, --weights, --save-weights, --out) is refused at
   once; an output that exists and is not a regular file (or not a directory where one is
   wanted) is refused at start-up and still exists afterwards; a write that fails (a
   file-size limit) exits 1 naming the file, leaves no file under the final name and no
   temporary file, and leaves a file already there untouched; a narration longer than the
   player shows is refused by `lesson check`, one as long as it shows is played whole.
   Every run goes through `timeout`, so a regression that blocks fails instead of hanging. */
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

#include "support.h"

#define TIMEOUT "timeout 60"
/* A file-size limit of 8 blocks (4 or 8 KiB, as the shell counts), SIGXFSZ ignored so that
   write fails with EFBIG instead of killing the process. */
#define FSIZE_LIMIT "ulimit -f 8; trap '' XFSZ;"

static char out[1 << 16], err[1 << 14];

static int run_with(const char *prefix, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    char pre[256];
    snprintf(pre, sizeof pre, "%s%s%s", prefix ? prefix : "", prefix ? " " : "", TIMEOUT);
    return ts_run_capture_with(pre, args, out, sizeof out, err, sizeof err);
}

#define run(...) run_with(NULL, __VA_ARGS__)

static void expect_err(int rc, int want_rc, const char *want)
{
    if (rc != want_rc || !strstr(err, want))
        fail_msg("exit %d (want %d), stderr '%s' (want '%s')", rc, want_rc, err, want);
}

/* The temporary files left in dir. */
static int temp_files(const char *dir)
{
    return ts_count_named(dir, ".tmp-");
}

static void expect_fifo(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
}

static int setup(void **st)
{
    (void)st;
    if (!ts_dir_create("cli-files")) return -1;
    if (mkfifo(ts_path("fifo"), 0600) != 0) return -1;
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    return ts_dir_remove();
}

/* A FIFO without a writer, in every role that reads: refused at once, not waited on. */
static void test_fifo_inputs(void **st)
{
    (void)st;
    const char *f = ts_path("fifo");
    expect_err(run("run '%s' --arch lenet5", f), 1, "fifo: not a regular file");
    expect_err(run("run --input-npy '%s' --arch lenet5", f), 1, "fifo: not a regular file");
    expect_err(run("lesson check '%s'", f), 1, "fifo: not a regular file");
    expect_err(run("lesson play '%s'", f), 1, "fifo: not a regular file");
    expect_err(run("run '%s/chelsea.png' --weights '%s'", ALEXSCOPE_SOURCE_ASSETS "/samples", f), 1,
               "fifo: not a regular file");
    expect_err(run("lesson check /dev/zero"), 1, "/dev/zero: not a regular file");
    expect_fifo(f);
}

/* Outputs in the way: refused before any work, and left as they were. */
static void test_outputs_in_the_way(void **st)
{
    (void)st;
    const char *f = ts_path("fifo");
    expect_err(run("convert --arch lenet5 --weights builtin --save-weights '%s'", f), 1,
               "fifo: exists and is not a regular file; not replaced");
    expect_err(run("convert --arch lenet5 --weights builtin --save-weights /dev/null"), 1,
               "/dev/null: exists and is not a regular file; not replaced");
    expect_err(run("batch '%s/chelsea.png' --arch lenet5 --out '%s'", ALEXSCOPE_SOURCE_ASSETS "/samples", f), 1,
               "fifo: exists and is not a regular file; not replaced");
    expect_err(run("batch '%s/chelsea.png' --arch lenet5 --out /dev/null", ALEXSCOPE_SOURCE_ASSETS "/samples"), 1,
               "/dev/null: exists and is not a regular file");
    expect_err(run("convert --arch lenet5 --weights builtin --save-weights '%s'", ts_path("no-such-dir/w.safetensors")), 1,
               "no-such-dir/w.safetensors: directory");
    ts_write_file(ts_path("plain.txt"), "plain", 5);
    expect_err(run("dump '%s/chelsea.png' --arch lenet5 --layer conv1 --out '%s'", ALEXSCOPE_SOURCE_ASSETS "/samples",
                   ts_path("plain.txt")),
               1, "plain.txt: exists and is not a directory");
    expect_err(run("saliency '%s/chelsea.png' --arch lenet5 --out /dev/null", ALEXSCOPE_SOURCE_ASSETS "/samples"), 1,
               "/dev/null: exists and is not a directory");
    expect_err(run("train --arch lenet5 --data fashion-mnist --out '%s'", f), 1,
               "fifo: exists and is not a regular file");
    expect_err(run("overfit --data fashion-mnist --out '%s'", ts_path("plain.txt")), 1,
               "plain.txt: exists and is not a directory");
    expect_fifo(f);
    struct stat sb;
    assert_int_equal(stat("/dev/null", &sb), 0);
    assert_true(S_ISCHR(sb.st_mode));
    size_t n;
    unsigned char *b = ts_slurp(ts_path("plain.txt"), &n);
    assert_int_equal(n, 5);
    free(b);
}

/* --save-weights under a file-size limit: exit 1, "FILE: write failed (File too large)",
   nothing under the final name (or the old file untouched), no temporary file. */
static void test_failed_save_weights(void **st)
{
    (void)st;
    const char *w = ts_path("w.safetensors");
    expect_err(run_with(FSIZE_LIMIT, "convert --arch lenet5 --weights builtin --save-weights '%s'", w), 1,
               "w.safetensors: write failed (File too large)");
    assert_int_equal(access(w, F_OK), -1);
    assert_int_equal(temp_files(ts_dir()), 0);
    ts_write_file(w, "previous", 8);
    expect_err(run_with(FSIZE_LIMIT, "convert --arch lenet5 --weights builtin --save-weights '%s'", w), 1, "write failed");
    size_t n;
    unsigned char *b = ts_slurp(w, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(b, "previous", 8);
    free(b);
    assert_int_equal(temp_files(ts_dir()), 0);
    /* without the limit the same command replaces it */
    expect_err(run("convert --arch lenet5 --weights builtin --save-weights '%s'", w), 0, "wrote");
    b = ts_slurp(w, &n);
    assert_true(n > 200000);
    free(b);
}

/* A float32 .npy of zeros shaped (1, 32, 32): LeNet-5's input, so no image is decoded. */
static void write_input_npy(const char *path)
{
    static unsigned char b[128 + 32 * 32 * 4];
    memset(b, 0, sizeof b);
    memcpy(b, "\x93NUMPY\x01\x00\x76\x00", 10); /* header length 118: data at byte 128 */
    int n = sprintf((char *)b + 10, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 32, 32), }");
    memset(b + 10 + n, ' ', (size_t)(127 - 10 - n));
    b[127] = '\n';
    ts_write_file(path, b, sizeof b);
}

/* .npy files (dump) under the limit: the same, the old file kept. (PNGs: test_npy_files.c.) */
static void test_failed_exports(void **st)
{
    (void)st;
    const char *in = ts_path("in.npy");
    write_input_npy(in);
    const char *d = ts_path("dump");
    expect_err(run("dump --input-npy '%s' --arch lenet5 --layer conv1 --out '%s'", in, d), 0, "wrote 1 file");
    size_t n, n2;
    unsigned char *good = ts_slurp(ts_path("dump/conv1.npy"), &n);
    assert_int_equal(n, 128 + 6 * 28 * 28 * 4);
    expect_err(run_with(FSIZE_LIMIT, "dump --input-npy '%s' --arch lenet5 --layer conv1 --out '%s'", in, d), 1,
               "conv1.npy: write failed (File too large)");
    unsigned char *b = ts_slurp(ts_path("dump/conv1.npy"), &n2);
    assert_int_equal(n2, n);
    assert_memory_equal(b, good, n);
    free(b);
    free(good);
    assert_int_equal(temp_files(d), 0);
}

/* A step as long as the player shows is played whole; one byte more is refused. */
static void test_narration_limit(void **st)
{
    (void)st;
    static char text[16384];
    for (int extra = 0; extra < 2; extra++) {
        size_t n = (size_t)sprintf(text, "title: T\narch: lenet5\n--- Long\nlayer: conv1\n");
        for (int i = 0; i < 8; i++) { /* 8 lines of 1023 letters, joined by spaces: 8,191 bytes */
            memset(text + n, 'a' + i, 1023);
            n += 1023;
            text[n++] = '\n';
        }
        if (extra) text[n++] = 'z', text[n++] = '\n';
        ts_write_file(ts_path("long.lesson"), text, n);
        if (extra) {
            expect_err(run("lesson check '%s'", ts_path("long.lesson")), 1,
                       "long.lesson:3: step 'Long': the narration can be 8193 bytes long");
            expect_err(run("lesson play '%s'", ts_path("long.lesson")), 1, "the player shows at most 8191");
        } else {
            expect_err(run("lesson check '%s'", ts_path("long.lesson")), 0, "");
            expect_err(run("lesson play '%s'", ts_path("long.lesson")), 0, "");
            char last[1030];
            memset(last, 'h', 1023);
            last[1023] = '\n', last[1024] = '\0'; /* the last line, whole, then the end */
            assert_non_null(strstr(out, last));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_inputs),
        cmocka_unit_test(test_outputs_in_the_way),
        cmocka_unit_test(test_failed_save_weights),
        cmocka_unit_test(test_failed_exports),
        cmocka_unit_test(test_narration_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
