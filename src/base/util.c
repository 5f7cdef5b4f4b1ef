/* util.c - see util.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void str_copy(char *dst, size_t size, const char *src)
{
    if (!size) return;
    size_t n = strlen(src);
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

const char *path_base(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

int mkdir_p(const char *dir, Err *e)
{
    char buf[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) return err_set(e, "%s: invalid directory name", dir);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            int er = errno;
            return err_set(e, "%s: cannot create directory (%s)", buf, strerror(er));
        }
        buf[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return err_set(e, "%s: exists and is not a directory", dir);
    return 0;
}

FILE *file_open_regular(const char *path, long long *size, Err *e)
{
    if (size) *size = 0;
    /* O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int er = errno;
        err_set(e, "%s: cannot open (%s)", path, strerror(er));
        return NULL;
    }
    struct stat st;
    const char *bad = NULL;
    if (fstat(fd, &st) != 0) bad = strerror(errno);
    else if (S_ISDIR(st.st_mode)) bad = "is a directory, not a regular file";
    else if (!S_ISREG(st.st_mode)) bad = "not a regular file";
    int flags = bad ? 0 : fcntl(fd, F_GETFL);
    if (!bad && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)) bad = strerror(errno);
    FILE *f = bad ? NULL : fdopen(fd, "rb");
    if (!f) {
        if (!bad) bad = strerror(errno);
        err_set(e, "%s: %s", path, bad);
        close(fd);
        return NULL;
    }
    if (size) *size = (long long)st.st_size;
    return f;
}

/* "1 MiB", "64 KiB" or "1000 bytes": the largest unit that divides n. */
static void fmt_bytes(char *buf, size_t size, size_t n)
{
    if (n && n % (1024 * 1024) == 0) snprintf(buf, size, "%zu MiB", n / (1024 * 1024));
    else if (n && n % 1024 == 0) snprintf(buf, size, "%zu KiB", n / 1024);
    else snprintf(buf, size, "%zu bytes", n);
}

int file_read_all(const char *path, size_t max_bytes, unsigned char **data, size_t *len, Err *e)
{
    *data = NULL;
    *len = 0;
    long long size;
    FILE *f = file_open_regular(path, &size, e);
    if (!f) return -1;
    if (size < 0 || (unsigned long long)size > max_bytes) {
        char limit[32];
        fmt_bytes(limit, sizeof limit, max_bytes);
        fclose(f);
        return err_set(e, "%s: %lld bytes is too big (limit %s)", path, size, limit);
    }
    size_t n = (size_t)size;
    unsigned char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return err_set(e, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = fread(buf, 1, n, f);
    int rerr = ferror(f);
    fclose(f);
    if (got != n || rerr) {
        free(buf);
        return err_set(e, "%s: read error (got %zu of %zu bytes)", path, got, n);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

char *fmt_count(char *buf, size_t size, long long n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", n < 0 ? -n : n);
    size_t o = 0;
    if (n < 0 && o + 1 < size) buf[o++] = '-';
    for (int i = 0; i < len && o + 1 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0 && o + 1 < size) buf[o++] = ',';
        if (o + 1 < size) buf[o++] = digits[i];
    }
    if (size) buf[o < size ? o : size - 1] = '\0';
    return buf;
}

double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
