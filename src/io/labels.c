/* labels.c - class names (one per line, index = line number - 1) and the assets folder.

   The file is read whole into one buffer and split in place, so a Labels is two
   allocations however many names it holds. Windows line ends, a UTF-8 byte-order mark and
   a missing final newline are all accepted; the count is whatever the file holds
   (1..LABELS_MAX) and the caller decides whether anything but 1000 deserves a warning. */
#include "labels.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define LABELS_MAX 100000
#define LABELS_MAX_BYTES ((size_t)16 * 1024 * 1024) /* the ImageNet list is 21 kB */

#ifndef ALEXSCOPE_SOURCE_ASSETS
#define ALEXSCOPE_SOURCE_ASSETS "assets"
#endif

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* "<dir>/<file>" into out; 0 if it does not fit. */
static int join(char *out, int size, const char *dir, const char *file)
{
    int n = (file && *file) ? snprintf(out, (size_t)size, "%s/%s", dir, file)
                            : snprintf(out, (size_t)size, "%s", dir);
    return n >= 0 && n < size;
}

const char *asset_path(const char *file, char *out, int size)
{
    if (!out || size <= 0) return "";
    out[0] = '\0';

    /* 1. the environment (tests, and running from anywhere) */
    const char *env = getenv("ALEXSCOPE_ASSETS");
    if (env && *env && join(out, size, env, file) && file_exists(out)) return out;

    /* 2. installed: <prefix>/bin/alexscope -> <prefix>/share/alexscope/assets */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char dir[PATH_MAX + 32];
            int m = snprintf(dir, sizeof dir, "%s/../share/alexscope/assets", exe);
            if (m > 0 && m < (int)sizeof dir && join(out, size, dir, file) && file_exists(out))
                return out;
        }
    }

    /* 3. the source tree it was built from; also the answer when nothing exists, so the
       error the caller reports names a sensible place. */
    if (!join(out, size, ALEXSCOPE_SOURCE_ASSETS, file)) out[0] = '\0';
    return out;
}

int labels_load(const char *path, Labels *lb, Err *e)
{
    char def[4096];
    if (!path) path = asset_path("imagenet-classes.txt", def, sizeof def);
    if (!lb) return err_set(e, "%s: no Labels to fill", path);
    lb->count = 0;
    lb->name = NULL;
    lb->text = NULL;

    unsigned char *data;
    size_t len;
    if (file_read_all(path, LABELS_MAX_BYTES, &data, &len, e) != 0) return -1;
    char *text = (char *)data;
    if (len == 0) {
        free(text);
        return err_set(e, "%s: empty file; expected one class name per line", path);
    }
    if (memchr(text, '\0', len)) {
        free(text);
        return err_set(e, "%s: binary file, not a list of class names", path);
    }

    char *start = text;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) start += 3; /* UTF-8 BOM */

    /* Count lines; a final line without '\n' still counts, an empty tail does not. */
    long count = 0;
    for (char *p = start; *p; p++)
        if (*p == '\n') count++;
    if (len > 0 && text[len - 1] != '\n' && start < text + len) count++;
    if (count < 1 || count > LABELS_MAX) {
        free(text);
        return err_set(e, "%s: %ld lines; expected 1 to %d class names", path, count, LABELS_MAX);
    }
    char **name = malloc((size_t)count * sizeof *name);
    if (!name) {
        free(text);
        return err_set(e, "%s: out of memory", path);
    }
    long i = 0;
    char *p = start;
    while (*p && i < count) {
        char *nl = strchr(p, '\n');
        char *end = nl ? nl : p + strlen(p);
        if (end > p && end[-1] == '\r') end--;
        *end = '\0';
        name[i++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    lb->count = (int)i;
    lb->name = name;
    lb->text = text;
    return 0;
}

int labels_load_for(int count, Labels *lb, Err *e)
{
    char path[1024];
    if (count == 1000) return labels_load(NULL, lb, e);
    if (count == 10) return labels_load(asset_path("fashion-mnist-classes.txt", path, sizeof path), lb, e);
    lb->count = 0, lb->name = NULL, lb->text = NULL;
    return err_set(e, "no class names for a network with %d outputs", count);
}

void labels_free(Labels *lb)
{
    if (!lb) return;
    free(lb->name);
    free(lb->text);
    lb->name = NULL;
    lb->text = NULL;
    lb->count = 0;
}

const char *labels_name(const Labels *lb, int i, char *buf, int size)
{
    if (lb && lb->name && i >= 0 && i < lb->count && lb->name[i][0]) return lb->name[i];
    if (!buf || size <= 0) return "?";
    snprintf(buf, (size_t)size, "class %d", i);
    return buf;
}

const char *labels_short_name(const Labels *lb, int i, char *buf, int size)
{
    const char *name = labels_name(lb, i, buf, size);
    if (name != buf) snprintf(buf, (size_t)size, "%s", name);
    buf[strcspn(buf, ",")] = '\0';
    return buf;
}
