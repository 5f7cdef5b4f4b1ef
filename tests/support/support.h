/* support.h - what the cmocka tests share (prefix ts_): a temporary directory per test
   program, whole-file read and write, running the alexscope binary, and telling a picture
   from a blank one.

       static void test_x(void **state)
       {
           ts_write_file(ts_path("a.bin"), "abc", 3);
           size_t n;
           unsigned char *b = ts_slurp(ts_path("a.bin"), &n);    // n == 3; free(b)
           char out[4096], err[1024];
           int code = ts_run_capture("summary --arch lenet5", out, sizeof out, err, sizeof err);
       }
       int main(void) { ... return cmocka_run_group_tests(tests, ts_setup, ts_teardown); }

   Include after <cmocka.h>. The helpers that read or write fail the current test (a cmocka
   assertion) instead of returning an error: a test has no better thing to do. Paths from
   ts_path live in static buffers that are reused after TS_PATHS calls. */
#ifndef ALEXSCOPE_TEST_SUPPORT_H
#define ALEXSCOPE_TEST_SUPPORT_H

#include <stddef.h>

#define TS_PATHS 8

/* cmocka group fixtures: a fresh empty /tmp/alexscope-test-XXXXXX, and its removal with
   everything in it. */
int ts_setup(void **state);
int ts_teardown(void **state);

/* Creates a fresh directory /tmp/alexscope-TAG-XXXXXX and makes it the one ts_dir and
   ts_path name. Returns its path, or NULL (errno set). */
const char *ts_dir_create(const char *tag);
/* Removes ts_dir and everything below it (without following symbolic links). 0 or -1. */
int ts_dir_remove(void);
/* The directory made by ts_setup / ts_dir_create ("" before). */
const char *ts_dir(void);
/* "<ts_dir>/<name>". */
const char *ts_path(const char *name);

/* The whole file, NUL-terminated (so text can be used as a string); *len (if not NULL)
   the size without the NUL. Caller frees. */
unsigned char *ts_slurp(const char *path, size_t *len);
/* Creates or replaces path with n bytes of data. */
void ts_write_file(const char *path, const void *data, size_t n);

/* Runs `[PREFIX ]'alexscope' ARGS >OUT 2>ERR` with /bin/sh. prefix: environment settings
   or a wrapper (NULL for none); out, err: file names (NULL: /dev/null). Returns the exit
   status, or -1 if the program did not exit normally. */
int ts_run(const char *prefix, const char *args, const char *out, const char *err);
/* ts_run with stdout and stderr captured (through files in ts_dir) into the buffers,
   NUL-terminated and cut to their size. */
int ts_run_capture(const char *args, char *out, size_t out_size, char *err, size_t err_size);
/* ts_run_capture after a prefix, as in ts_run: ts_run_capture_with("ulimit -d 5120;",
   "summary", ...) runs the binary under a 5 MiB data limit. */
int ts_run_capture_with(const char *prefix, const char *args, char *out, size_t out_size, char *err,
                        size_t err_size);

/* How many entries of directory where have part in their names (ts_count_named(ts_dir(),
   ".tmp-"): temporary files left behind). */
int ts_count_named(const char *where, const char *part);

/* How many different colours n RGB pixels hold, each channel cut to 5 bits: a blank or
   flat picture has a handful, a rendered window hundreds. */
int ts_colours(const unsigned char *rgb, long n);

/* " --engine fast" if this build's binary has the fast engine, else "": for CLI tests that
   need forward passes but are not about the naive loops' numbers (a naive alexnet pass
   takes seconds under AddressSanitizer). Asked once, with a lenet5 run. */
const char *ts_fast_engine(void);

/* Runs fn(ctx) in a forked child whose files may not grow past fsize bytes (RLIMIT_FSIZE,
   SIGXFSZ ignored: such a write fails with EFBIG), and returns the exit code it returned
   (fn's result, 0 meaning passed), or -1 if the child died otherwise. */
int ts_in_small_child(int (*fn)(void *ctx), void *ctx, long fsize);

#endif
