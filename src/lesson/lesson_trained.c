/* lesson_trained.c - the placeholders of the training lesson: what the committed overfitting
   experiment measured ({overfit:RUN.FIELD}, from assets/experiments/overfit-2000.csv, which
   `alexscope overfit` wrote) and what the shipped LeNet-5 weights say about themselves
   ({trained:FIELD}, from the metadata `alexscope train` wrote into
   assets/weights/lenet5-fashion.safetensors). Both are files in the repository, so a lesson
   checks without running anything, and its numbers are the files' numbers. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "labels.h"
#include "lesson_impl.h"
#include "util.h"
#include "wfile.h"

#define OVERFIT_CSV "experiments/overfit-2000.csv"
#define TRAINED_WEIGHTS "weights/lenet5-fashion.safetensors"
#define MAX_EPOCHS 1000

/* ---- {overfit:RUN.FIELD} ---------------------------------------------------------------- */

typedef struct {
    int images, n;
    int epoch[MAX_EPOCHS];
    double loss[MAX_EPOCHS], train[MAX_EPOCHS], test[MAX_EPOCHS];
} RunCurve;

/* The rows of run from the CSV: run,images,epoch,lr,train_loss,train_acc,test_acc,seconds. */
static int read_run(const char *run, RunCurve *c, Err *e)
{
    char path[1024];
    asset_path(OVERFIT_CSV, path, sizeof path);
    unsigned char *text;
    size_t len;
    if (file_read_all(path, 1 << 20, &text, &len, e) != 0) return -1;
    memset(c, 0, sizeof *c);
    char *line = strchr((char *)text, '\n'); /* after the header */
    while (line && *++line && c->n < MAX_EPOCHS) {
        char name[64];
        int images, epoch;
        double lr, loss, tr, te;
        if (sscanf(line, "%63[^,],%d,%d,%lf,%lf,%lf,%lf", name, &images, &epoch, &lr, &loss, &tr, &te) == 7 &&
            !strcmp(name, run)) {
            c->images = images, c->epoch[c->n] = epoch, c->loss[c->n] = loss;
            c->train[c->n] = tr, c->test[c->n] = te;
            c->n++;
        }
        line = strchr(line, '\n');
    }
    free(text);
    if (!c->n) return err_set(e, "%s: no rows for the run '%s' (runs: plain, dropout, mirror, dropout+mirror)", path, run);
    return 0;
}

static int overfit_field(const char *spec, const char *name, char *out, int size, Err *e)
{
    char run[64], field[64];
    const char *dot = strrchr(spec, '.');
    if (!dot || dot == spec || (size_t)(dot - spec) >= sizeof run)
        return err_set(e, "{%s}: write {overfit:RUN.FIELD}, e.g. {overfit:plain.test_acc}", name);
    snprintf(run, sizeof run, "%.*s", (int)(dot - spec), spec);
    str_copy(field, sizeof field, dot + 1);
    RunCurve *c = malloc(sizeof *c);
    if (!c) return err_set(e, "out of memory");
    int rc = read_run(run, c, e), k = c->n - 1;
    char *at = strchr(field, '@');
    if (rc == 0 && at) { /* train_acc@5: after epoch 5 */
        *at = '\0';
        int ep = atoi(at + 1);
        for (k = 0; k < c->n && c->epoch[k] != ep; k++) {}
        if (k == c->n) rc = err_set(e, "{%s}: the run has no epoch %s (1 to %d)", name, at + 1, c->epoch[c->n - 1]);
    }
    int best = 0;
    for (int i = 1; rc == 0 && i < c->n; i++)
        if (c->test[i] > c->test[best]) best = i;
    if (rc != 0) {
    } else if (!strcmp(field, "train_acc")) snprintf(out, (size_t)size, "%.1f%%", 100 * c->train[k]);
    else if (!strcmp(field, "test_acc")) snprintf(out, (size_t)size, "%.1f%%", 100 * c->test[k]);
    else if (!strcmp(field, "gap")) snprintf(out, (size_t)size, "%.1f", 100 * (c->train[k] - c->test[k]));
    else if (!strcmp(field, "loss")) snprintf(out, (size_t)size, "%.3f", c->loss[k]);
    else if (!strcmp(field, "best_test_acc")) snprintf(out, (size_t)size, "%.1f%%", 100 * c->test[best]);
    else if (!strcmp(field, "best_epoch")) snprintf(out, (size_t)size, "%d", c->epoch[best]);
    else if (!strcmp(field, "epochs")) snprintf(out, (size_t)size, "%d", c->epoch[c->n - 1]);
    else if (!strcmp(field, "images")) fmt_count(out, (size_t)size, c->images);
    else rc = err_set(e, "unknown field '%s' in {%s} (known: train_acc, test_acc, gap, loss, each also @EPOCH; "
                         "best_test_acc, best_epoch, epochs, images)", field, name);
    free(c);
    return rc;
}

/* ---- {trained:FIELD} --------------------------------------------------------------------- */

/* The entries read last, while the file is the same (device, inode, size, time): a lesson
   reads the same few entries for each placeholder, and each narration again. The window
   checks lessons (lesson_load) on its thread while its worker narrates: one lock. */
#define META_CACHE 4
static pthread_mutex_t meta_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    struct stat st;
    char path[1024], key[32], value[2048];
    int used;
} meta_cache[META_CACHE];
static int meta_next;

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* The shipped weights' metadata entry key into out. */
static int meta(const char *key, const char *name, char *out, size_t size, Err *e)
{
    char path[1024];
    asset_path(TRAINED_WEIGHTS, path, sizeof path);
    struct stat st;
    int known = stat(path, &st) == 0 && strlen(key) < sizeof meta_cache[0].key, hit = 0;
    pthread_mutex_lock(&meta_mu);
    for (int i = 0; known && !hit && i < META_CACHE; i++)
        if (meta_cache[i].used && !strcmp(meta_cache[i].path, path) && !strcmp(meta_cache[i].key, key) &&
            same_file(&meta_cache[i].st, &st) && strlen(meta_cache[i].value) < size)
            str_copy(out, size, meta_cache[i].value), hit = 1;
    pthread_mutex_unlock(&meta_mu);
    if (hit) return 0;
    int rc = wfile_metadata(path, key, out, size, e);
    if (rc > 0) return err_set(e, "{%s}: %s has no '%s' in its metadata (made by alexscope train?)", name, path, key);
    if (rc == 0 && known && strlen(out) < sizeof meta_cache[0].value) {
        pthread_mutex_lock(&meta_mu);
        int i = meta_next++ % META_CACHE;
        meta_cache[i].st = st, meta_cache[i].used = 1;
        str_copy(meta_cache[i].path, sizeof meta_cache[i].path, path);
        str_copy(meta_cache[i].key, sizeof meta_cache[i].key, key);
        str_copy(meta_cache[i].value, sizeof meta_cache[i].value, out);
        pthread_mutex_unlock(&meta_mu);
    }
    return rc;
}

/* The 10×10 confusion matrix from the metadata ("n,n,...", rows the true class). */
static int confusion(const char *name, long m[10][10], Err *e)
{
    char text[2048];
    if (meta("confusion", name, text, sizeof text, e) != 0) return -1;
    char *p = text;
    for (int i = 0; i < 100; i++) {
        char *end;
        m[i / 10][i % 10] = strtol(p, &end, 10);
        if (end == p) return err_set(e, "{%s}: the weights' confusion matrix has fewer than 100 numbers", name);
        p = *end == ',' ? end + 1 : end;
    }
    return 0;
}

/* classK_acc, worst_class, mixupK_true ...: read off the confusion matrix. */
static int confusion_field(const char *field, const char *name, char *out, int size, Err *e)
{
    long m[10][10];
    if (confusion(name, m, e) != 0) return -1;
    Labels lb;
    Err le = {0};
    int have = labels_load_for(10, &lb, &le) == 0;
    double acc[10];
    for (int i = 0; i < 10; i++) {
        long row = 0;
        for (int j = 0; j < 10; j++) row += m[i][j];
        acc[i] = row ? (double)m[i][i] / row : 0.0;
    }
    int worst = 0, best = 0, k = 0, rc = 0;
    for (int i = 1; i < 10; i++) worst = acc[i] < acc[worst] ? i : worst, best = acc[i] > acc[best] ? i : best;
    char buf[64];
    if (sscanf(field, "class%d_", &k) == 1 && k >= 0 && k < 10 && strstr(field, "_acc"))
        snprintf(out, (size_t)size, "%.1f%%", 100 * acc[k]);
    else if (!strcmp(field, "worst_class") || !strcmp(field, "best_class"))
        snprintf(out, (size_t)size, "%s", labels_name(have ? &lb : NULL, field[0] == 'w' ? worst : best, buf, sizeof buf));
    else if (!strcmp(field, "worst_class_acc") || !strcmp(field, "best_class_acc"))
        snprintf(out, (size_t)size, "%.1f%%", 100 * acc[field[0] == 'w' ? worst : best]);
    else if (sscanf(field, "mixup%d_", &k) == 1 && k >= 1 && k <= 3) {
        int bi = 0, bj = 1, used[10][10] = {{0}};
        for (int r = 0; r < k; r++) { /* the k-th largest off-diagonal cell */
            bi = -1;
            for (int i = 0; i < 10; i++)
                for (int j = 0; j < 10; j++)
                    if (i != j && !used[i][j] && (bi < 0 || m[i][j] > m[bi][bj])) bi = i, bj = j;
            used[bi][bj] = 1;
        }
        /* "mixup2" alone (no "_true" ...) has no '_': an unknown field, not a crash (fuzzing) */
        const char *what = strchr(field, '_') ? strchr(field, '_') + 1 : "";
        if (!strcmp(what, "true")) snprintf(out, (size_t)size, "%s", labels_name(have ? &lb : NULL, bi, buf, sizeof buf));
        else if (!strcmp(what, "pred")) snprintf(out, (size_t)size, "%s", labels_name(have ? &lb : NULL, bj, buf, sizeof buf));
        else if (!strcmp(what, "count")) fmt_count(out, (size_t)size, m[bi][bj]);
        else rc = -1;
    } else
        rc = -1;
    if (have) labels_free(&lb);
    if (rc != 0)
        return err_set(e, "unknown field '%s' in {%s} (known: accuracy, train_accuracy, test_count, epochs, seed, "
                          "on, command, classK_acc, best_class, worst_class, best_class_acc, worst_class_acc, "
                          "mixupK_true, mixupK_pred, mixupK_count)", field, name);
    return 0;
}

static int trained_field(const char *field, const char *name, char *out, int size, Err *e)
{
    static const struct {
        const char *field, *key;
        int kind; /* 0 text, 1 a fraction shown as a percentage, 2 a count */
    } direct[] = {
        {"accuracy", "test_accuracy", 1}, {"train_accuracy", "train_accuracy", 1}, {"test_count", "test_count", 2},
        {"epochs", "epochs", 0},          {"seed", "seed", 0},                     {"on", "trained_on", 0},
        {"command", "command", 0},
    };
    for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
        if (strcmp(field, direct[i].field)) continue;
        char v[1024];
        if (meta(direct[i].key, name, v, sizeof v, e) != 0) return -1;
        if (direct[i].kind == 1) snprintf(out, (size_t)size, "%.2f%%", 100 * atof(v));
        else if (direct[i].kind == 2) fmt_count(out, (size_t)size, atoll(v));
        else snprintf(out, (size_t)size, "%s", v);
        return 0;
    }
    return confusion_field(field, name, out, size, e);
}

int lesson_trained_field(const char *name, char *out, int size, Err *e)
{
    if (!strncmp(name, "overfit:", 8)) return overfit_field(name + 8, name, out, size, e);
    return trained_field(name + 8, name, out, size, e); /* "trained:" */
}
