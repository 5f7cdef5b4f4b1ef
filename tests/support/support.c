/* support.c - see support.h. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

#ifndef ALEXSCOPE_BIN
#define ALEXSCOPE_BIN "alexscope"
#endif

static char dir[256];

const char *ts_dir(void) { return dir; }

const char *ts_dir_create(const char *tag)
{
    snprintf(dir, sizeof dir, "/tmp/alexscope-%s-XXXXXX", tag);
    if (!mkdtemp(dir)) {
        dir[0] = '\0';
        return NULL;
    }
    return dir;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

int ts_dir_remove(void)
{
    /* only what ts_dir_create made: never a path that came from elsewhere */
    if (strncmp(dir, "/tmp/alexscope-", 15) != 0) return -1;
    int rc = nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    dir[0] = '\0';
    return rc == 0 ? 0 : -1;
}

int ts_setup(void **state)
{
    (void)state;
    return ts_dir_create("test") ? 0 : -1;
}

int ts_teardown(void **state)
{
    (void)state;
    return ts_dir_remove();
}

const char *ts_path(const char *name)
{
    static char buf[TS_PATHS][512];
    static int k;
    k = (k + 1) % TS_PATHS;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

unsigned char *ts_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("%s: cannot open (%s)", path, strerror(errno));
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    unsigned char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    p[n] = '\0';
    if (len) *len = (size_t)n;
    return p;
}

void ts_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("%s: cannot create (%s)", path, strerror(errno));
    if (n) assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

int ts_run(const char *prefix, const char *args, const char *out, const char *err)
{
    char cmd[8192];
    int k = snprintf(cmd, sizeof cmd, "%s%s'%s' %s >'%s' 2>'%s'", prefix ? prefix : "", prefix ? " " : "",
                     ALEXSCOPE_BIN, args, out ? out : "/dev/null", err ? err : "/dev/null");
    assert_true(k > 0 && (size_t)k < sizeof cmd);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* What the file holds, cut to size; "" if it cannot be read. */
static void read_into(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

int ts_run_capture_with(const char *prefix, const char *args, char *out, size_t out_size, char *err,
                        size_t err_size)
{
    char po[512], pe[512];
    snprintf(po, sizeof po, "%s/.ts_out", dir);
    snprintf(pe, sizeof pe, "%s/.ts_err", dir);
    int rc = ts_run(prefix, args, po, pe);
    read_into(po, out, out_size);
    read_into(pe, err, err_size);
    remove(po);
    remove(pe);
    return rc;
}

int ts_run_capture(const char *args, char *out, size_t out_size, char *err, size_t err_size)
{
    return ts_run_capture_with(NULL, args, out, out_size, err, err_size);
}

const char *ts_fast_engine(void)
{
    static int known, fast;
    if (!known)
        fast = ts_run(NULL, "run --arch lenet5 --input-npy /dev/null --engine fast", NULL, NULL) != 2, known = 1;
    return fast ? " --engine fast" : "";
}

int ts_count_named(const char *where, const char *part)
{
    DIR *d = opendir(where);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));) n += strstr(de->d_name, part) != NULL;
    closedir(d);
    return n;
}

int ts_colours(const unsigned char *rgb, long n)
{
    static unsigned char seen[1 << 15];
    memset(seen, 0, sizeof seen);
    int count = 0;
    for (long i = 0; i < n; i++) {
        const unsigned char *p = rgb + i * 3;
        int key = (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3);
        if (!seen[key]) seen[key] = 1, count++;
    }
    return count;
}

int ts_in_small_child(int (*fn)(void *ctx), void *ctx, long fsize)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {(rlim_t)fsize, (rlim_t)fsize};
        _exit(setrlimit(RLIMIT_FSIZE, &rl) == 0 ? fn(ctx) : 99);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}
