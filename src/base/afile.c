/* afile.c - see afile.h. */
#define _DEFAULT_SOURCE /* realpath, O_NOFOLLOW, O_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"

int afile_check_output(const char *path, Err *e)
{
    if (!path || !*path) return err_set(e, "(no path): no output file name");
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT) return 0; /* a new file (or a link to one that is missing: see afile_open) */
        int er = errno;
        return err_set(e, "%s: cannot use as an output (%s)", path, strerror(er));
    }
    if (!S_ISREG(st.st_mode)) return err_set(e, "%s: exists and is not a regular file; not replaced", path);
    return 0;
}

int afile_check_dir(const char *dir, Err *e)
{
    if (!dir || !*dir) return err_set(e, "(no path): no output directory name");
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT) return 0;
        int er = errno;
        return err_set(e, "%s: cannot use as an output directory (%s)", dir, strerror(er));
    }
    if (!S_ISDIR(st.st_mode)) return err_set(e, "%s: exists and is not a directory", dir);
    return 0;
}

int afile_check_parent(const char *path, Err *e)
{
    if (afile_check_output(path, e) != 0) return -1;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0; /* the current directory, or "/" */
    size_t n = (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir) return err_set(e, "%s: out of memory", path);
    memcpy(dir, path, n);
    dir[n] = '\0';
    struct stat st;
    int rc = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : err_set(e, "%s: directory %s does not exist", path, dir);
    free(dir);
    return rc;
}

/* Six characters from [a-z0-9] that differ between calls, processes and moments. */
static void tmp_suffix(char *out)
{
    static _Atomic unsigned counter; /* the window writes from two threads */
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t x = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20) ^ ((uint64_t)getpid() << 40) ^
                 ((uint64_t)++counter * 0x9E3779B97F4A7C15u);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9u;
    x ^= x >> 29;
    for (int i = 0; i < 6; i++, x /= 36) out[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[x % 36];
    out[6] = '\0';
}

/* The name to write: path itself, or the regular file a symbolic link names. */
static char *final_name(const char *path, Err *e)
{
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *r = realpath(path, NULL);
        if (!r) err_set(e, "%s: a symbolic link to a missing file; not replaced", path);
        return r;
    }
    size_t n = strlen(path) + 1;
    char *p = malloc(n);
    if (!p) err_set(e, "%s: out of memory", path);
    else memcpy(p, path, n);
    return p;
}

int afile_open(AFile *a, const char *path, Err *e)
{
    memset(a, 0, sizeof *a);
    if (afile_check_output(path, e) != 0) return -1;
    if (!(a->path = final_name(path, e))) return -1;
    struct stat st;
    int had = stat(a->path, &st) == 0;
    if (had && !S_ISREG(st.st_mode)) { /* changed since the check */
        err_set(e, "%s: exists and is not a regular file; not replaced", path);
        goto fail;
    }
    size_t n = strlen(a->path);
    if (!(a->tmp = malloc(n + 16))) {
        err_set(e, "%s: out of memory", path);
        goto fail;
    }
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        char sfx[8];
        tmp_suffix(sfx);
        snprintf(a->tmp, n + 16, "%s.tmp-%s", a->path, sfx);
        fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
        int er = errno;
        err_set(e, "%s: cannot create the file (%s)", path, strerror(er));
        goto fail;
    }
    if (had) (void)fchmod(fd, st.st_mode & 0777); /* a replaced file keeps its permissions */
    if (!(a->f = fdopen(fd, "wb"))) {
        int er = errno;
        close(fd);
        unlink(a->tmp);
        err_set(e, "%s: cannot create the file (%s)", path, strerror(er));
        goto fail;
    }
    return 0;
fail:
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
    return -1;
}

static void release(AFile *a)
{
    free(a->path);
    free(a->tmp);
    memset(a, 0, sizeof *a);
}

void afile_abort(AFile *a)
{
    if (a->f) fclose(a->f);
    if (a->tmp) unlink(a->tmp);
    release(a);
}

static int write_failed(const AFile *a, int er, Err *e)
{
    return err_set(e, "%s: write failed (%s)", a->path, er ? strerror(er) : "I/O error");
}

int afile_fail(AFile *a, Err *e)
{
    int er = errno;
    if (a->f) write_failed(a, er, e);
    else err_set(e, "(no file): nothing to write");
    afile_abort(a);
    return -1;
}

int afile_commit(AFile *a, Err *e)
{
    if (!a->f) return err_set(e, "(no file): nothing to write");
    int er = errno; /* after a failed fwrite, its reason (EFBIG, ENOSPC) */
    int bad = 0;
    if (fflush(a->f) != 0) bad = 1, er = errno; /* the buffered rest failed now */
    else if (ferror(a->f)) bad = 1;             /* an earlier write failed */
    if (fclose(a->f) != 0 && !bad) bad = 1, er = errno;
    a->f = NULL;
    if (!bad && rename(a->tmp, a->path) != 0) bad = 1, er = errno;
    if (bad) {
        write_failed(a, er, e);
        unlink(a->tmp);
        release(a);
        return -1;
    }
    release(a);
    return 0;
}
