/* cli_files.c - the image files a many-image command reads (see cli_impl.h): FILES as given,
   a directory's image files in sorted order, other entries noted on stderr; and the CSV
   field their names are written as. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_impl.h"
#include "img.h"

static int paths_add(CliFiles *pl, const char *dir, const char *name)
{
    if (pl->n == pl->cap) {
        int cap = pl->cap ? pl->cap * 2 : 64;
        char **v = realloc(pl->v, sizeof *v * (size_t)cap);
        if (!v) return -1;
        pl->v = v, pl->cap = cap;
    }
    size_t len = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    if (!(pl->v[pl->n] = malloc(len))) return -1;
    snprintf(pl->v[pl->n++], len, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    return 0;
}

void cli_files_free(CliFiles *pl)
{
    for (int i = 0; i < pl->n; i++) free(pl->v[i]);
    free(pl->v);
    pl->v = NULL, pl->n = pl->cap = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A directory's image files, sorted by name; other entries are noted on stderr. */
static int add_dir(CliFiles *pl, const char *dir, Err *e)
{
    DIR *d = opendir(dir);
    if (!d) return err_set(e, "%s: cannot read the directory", dir);
    CliFiles names = {0};
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        if (img_is_image_name(de->d_name)) rc = paths_add(&names, NULL, de->d_name);
        else fprintf(stderr, "alexscope: note: %s/%s: not an image name, skipped\n", dir, de->d_name);
    }
    closedir(d);
    if (names.n) qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
    for (int i = 0; rc == 0 && i < names.n; i++) rc = paths_add(pl, dir, names.v[i]);
    cli_files_free(&names);
    return rc ? err_set(e, "out of memory") : 0;
}

int cli_files_collect(const CliOpts *o, CliFiles *pl, Err *e)
{
    for (int i = 0; i < o->nfiles; i++) {
        struct stat st;
        if (stat(o->files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (add_dir(pl, o->files[i], e) != 0) return -1;
        } else if (paths_add(pl, NULL, o->files[i]) != 0)
            return err_set(e, "out of memory");
    }
    if (!pl->n) return err_set(e, "%s: no image files", o->nfiles ? o->files[0] : "(none given)");
    return 0;
}

/* A CSV field, quoted when it holds a comma, quote or newline. */
void cli_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
