/* lesson.c - parsing and checking lesson files (format in lesson.h and docs/lessons.md); the
   placeholders and their expansion are in lesson_text.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "lesson_impl.h"
#include "strbuf.h"
#include "util.h"

const char *const lesson_panel_names[PANEL_COUNT] = {
    "maps", "input", "formula", "params", "rf", "math", "kernels", "top5", "im2col",
};
_Static_assert(sizeof lesson_panel_names / sizeof lesson_panel_names[0] == PANEL_COUNT, "one name per panel");

const char *const lesson_anim_variants[LESSON_ANIM_VARIANTS] = {"auto", "layer", "padding", "rounding", "paper"};

#define LESSON_MAX_BYTES ((size_t)1 << 20)

/* ---- small string helpers -------------------------------------------------------------- */

char *lesson_trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) *--end = '\0';
    return s;
}

static int copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) return -1;
    memcpy(dst, src, n + 1);
    return 0;
}

void lesson_layer_list(const ArchSpec *a, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < a->nlayers; i++) {
        if (i) strncat(buf, ", ", size - strlen(buf) - 1);
        strncat(buf, a->layers[i].name, size - strlen(buf) - 1);
    }
}

/* ---- parsing ------------------------------------------------------------------------------- */

typedef struct {
    const char *path;
    int line;
    Err *e;
} Ctx;

/* "FILE:LINE: what" */
static int perr(Ctx *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int perr(Ctx *c, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(c->e, "%s:%d: %s", c->path, c->line, what);
}

static int parse_int_in(const char *s, int lo, int hi, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || end == s || *lesson_trim(end) || x < lo || x > hi) return -1;
    *v = (int)x;
    return 0;
}

static int parse_onoff(const char *v, const char *on, const char *off, int *out)
{
    if (!strcmp(v, on)) *out = 1;
    else if (!strcmp(v, off)) *out = 0;
    else return -1;
    return 0;
}

static void step_defaults(LessonStep *s, int line)
{
    memset(s, 0, sizeof *s);
    s->line = line;
    s->layer = -1;
    s->panel = PANEL_MAPS;
    s->channel = s->unit_y = s->unit_x = -1;
    s->mirror = s->dropout_train = -1;
    s->crop_seed = -1;
    s->animate = LESSON_ANIM_OFF;
}

static int header_line(Ctx *c, Lesson *ls, const char *key, const char *val)
{
    if (!strcmp(key, "title")) return copy_str(ls->title, sizeof ls->title, val) ? perr(c, "title is too long") : 0;
    if (!strcmp(key, "image")) return copy_str(ls->image, sizeof ls->image, val) ? perr(c, "image path is too long") : 0;
    if (!strcmp(key, "weights"))
        return copy_str(ls->weights, sizeof ls->weights, val) ? perr(c, "weights path is too long") : 0;
    if (!strcmp(key, "arch")) {
        ls->arch = arch_find(val);
        char known[128];
        return ls->arch ? 0 : perr(c, "unknown arch '%s' (known: %s)", val, arch_names(known, sizeof known));
    }
    return perr(c, "unknown header '%s' (known: title, arch, image, weights)", key);
}

/* "on", "off" or a position K below the layer's output count, then an optional variant. */
static int parse_animate(Ctx *c, const Plan *n, LessonStep *s, const char *val)
{
    if (s->layer < 0 || !layer_kind(n->layers[s->layer].spec->kind)->windowed)
        return perr(c, "'animate' needs a conv or pooling 'layer:' line before it");
    char word[32];
    const char *sp = strchr(val, ' ');
    size_t len = sp ? (size_t)(sp - val) : strlen(val);
    if (len >= sizeof word) len = sizeof word - 1;
    memcpy(word, val, len);
    word[len] = '\0';
    Shape out = n->layers[s->layer].out;
    int last = out.h * out.w - 1;
    if (!strcmp(word, "on")) s->animate = LESSON_ANIM_PLAY;
    else if (!strcmp(word, "off")) s->animate = LESSON_ANIM_OFF;
    else if (parse_int_in(word, 0, last, &s->animate))
        return perr(c, "animate is on, off or a position from 0 to %d, then optionally auto, layer, padding, "
                       "rounding or paper; not '%s'", last, val);
    const char *v = sp ? sp : "";
    while (*v == ' ' || *v == '\t') v++;
    s->animate_variant = 0;
    if (!*v) return 0;
    for (int i = 0; i < LESSON_ANIM_VARIANTS; i++)
        if (!strcmp(v, lesson_anim_variants[i])) return s->animate_variant = i, 0;
    return perr(c, "animate's comparison is auto, layer, padding, rounding or paper, not '%s'", v);
}

/* n: the plan of ls->arch, for checking channels and units. */
static int step_line(Ctx *c, Lesson *ls, const Plan *n, LessonStep *s, const char *key, const char *val)
{
    const ArchSpec *a = ls->arch;
    if (!strcmp(key, "layer")) {
        if (!strcmp(val, "input")) {
            s->layer = -1;
            return 0;
        }
        s->layer = arch_layer_index(a, val);
        if (s->layer >= 0) return 0;
        char known[512];
        lesson_layer_list(a, known, sizeof known);
        return perr(c, "unknown layer '%s' (known: input, %s)", val, known);
    }
    if (!strcmp(key, "panel")) {
        for (int p = 0; p < PANEL_COUNT; p++)
            if (!strcmp(val, lesson_panel_names[p])) {
                s->panel = (LessonPanel)p;
                return 0;
            }
        return perr(c, "unknown panel '%s' (known: maps, input, formula, params, rf, math, kernels, top5, im2col)", val);
    }
    if (!strcmp(key, "channel") || !strcmp(key, "unit")) {
        if (s->layer < 0) return perr(c, "'%s' needs a 'layer:' line before it", key);
        Shape out = n->layers[s->layer].out;
        char range[64];
        if (!strcmp(key, "channel")) {
            snprintf(range, sizeof range, "0..%d", out.c - 1);
            if (parse_int_in(val, 0, out.c - 1, &s->channel)) return perr(c, "channel '%s' is not in %s", val, range);
            return 0;
        }
        /* strtol, not sscanf's %d, which is undefined on overflow (glibc wraps 4294967296 to 0);
           an out-of-range strtol gives LONG_MAX/MIN, which the range check refuses. */
        char *end;
        const char *q = val;
        long y = strtol(q, &end, 10), x = 0;
        int ok = end != q;
        if (ok) {
            q = end;
            x = strtol(q, &end, 10);
            ok = end != q && !*lesson_trim(end);
        }
        if (!ok) return perr(c, "unit takes a row and a column, e.g. 'unit: 13 20', not '%s'", val);
        if (y < 0 || y >= out.h || x < 0 || x >= out.w) {
            snprintf(range, sizeof range, "%d×%d", out.h, out.w);
            return perr(c, "unit '%s' is outside the %s output", val, range);
        }
        if (s->channel < 0) s->channel = 0;
        s->unit_y = (int)y, s->unit_x = (int)x;
        return 0;
    }
    if (!strcmp(key, "mirror"))
        return parse_onoff(val, "on", "off", &s->mirror) ? perr(c, "mirror is on or off, not '%s'", val) : 0;
    if (!strcmp(key, "dropout"))
        return parse_onoff(val, "train", "eval", &s->dropout_train) ? perr(c, "dropout is train or eval, not '%s'", val) : 0;
    if (!strcmp(key, "crop")) {
        if (!strcmp(val, "center") || !strcmp(val, "centre")) {
            s->crop_seed = -1;
            return 0;
        }
        if (!strncmp(val, "random ", 7) && parse_int_in(val + 7, 0, 1000000, &s->crop_seed) == 0) return 0;
        return perr(c, "crop is 'center' or 'random SEED', not '%s'", val);
    }
    if (!strcmp(key, "image")) return copy_str(s->image, sizeof s->image, val) ? perr(c, "image path is too long") : 0;
    if (!strcmp(key, "animate")) return parse_animate(c, n, s, val);
    return perr(c, "unknown directive '%s' (known: layer, panel, channel, unit, mirror, dropout, crop, image, animate)", key);
}

/* A directive is "word: value" where word is lower-case letters only; anything else is narration. */
static int split_directive(char *line, char **key, char **val)
{
    char *p = line;
    while (*p >= 'a' && *p <= 'z') p++;
    if (p == line || *p != ':') return 0;
    *p = '\0';
    *key = line;
    *val = lesson_trim(p + 1);
    return 1;
}

/* A step's narration is built in a StrBuf kept by the parser (its length and capacity
   known, so a 1 MiB step of one-word lines is not re-measured and re-copied for every
   line); s->narration always points at its text. */
static int append_narration(LessonStep *s, StrBuf *nb, const char *text, int new_paragraph)
{
    sb_add(nb, "%s%s", !nb->n ? "" : new_paragraph ? "\n\n" : " ", text);
    s->narration = nb->p;
    return nb->oom ? -1 : 0;
}

/* Checks every placeholder of one narration line against the arch's plan. Returns the
   bound of the line's length once expanded (lesson_expand), or -1. */
static int check_placeholders(Ctx *c, const Plan *p, const char *text)
{
    char none[1]; /* only the check and the length are wanted */
    int bad = 0;
    Err pe = {0};
    int len = lesson_expand(text, p, NULL, NULL, none, sizeof none, &bad, &pe);
    if (len >= 0) return len;
    return err_set(c->e, "%s:%d: %s", c->path, c->line, pe.msg);
}

/* A step's whole narration fits what the players show (LESSON_NARRATION_MAX), whatever
   the run's values. len: the sum of its lines' bounds and the separators between them (a
   placeholder never spans lines, so this is the bound of the whole text). */
static int check_length(Ctx *c, const LessonStep *s, long len)
{
    if (len <= LESSON_NARRATION_MAX) return 0;
    return err_set(c->e, "%s:%d: step '%s': the narration can be %ld bytes long once its placeholders are filled in; "
                         "the player shows at most %d (split the step)", c->path, s->line, s->title, len,
                   LESSON_NARRATION_MAX);
}

int lesson_parse(const char *text, const char *path, Lesson *ls, Err *e)
{
    memset(ls, 0, sizeof *ls);
    snprintf(ls->path, sizeof ls->path, "%s", path);
    ls->arch = &arch_alexnet;
    snprintf(ls->image, sizeof ls->image, "samples/chelsea.png");
    Ctx c = {path, 0, e};
    Plan plan, *n = NULL; /* the arch's plan, for checking channels, units and placeholders */
    LessonStep *s = NULL;
    StrBuf nb = {0};
    int blank_before = 0, in_directives = 0;
    long step_len = 0; /* the bound of the current step's narration once expanded */
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        c.line++;
        char raw[2048];
        if (len >= sizeof raw) { perr(&c, "line is longer than %d characters", (int)sizeof raw - 1); goto fail; }
        memcpy(raw, p, len);
        raw[len] = '\0';
        p += len + (nl ? 1 : 0);
        char *line = lesson_trim(raw);

        if (line[0] == '#') continue;
        if (!line[0]) { blank_before = 1; continue; }
        if (!strncmp(line, "---", 3)) {
            if (s && check_length(&c, s, step_len)) goto fail;
            step_len = 0;
            if (ls->nsteps == LESSON_MAX_STEPS) { perr(&c, "more than %d steps", LESSON_MAX_STEPS); goto fail; }
            if (!n && plan_build(ls->arch, n = &plan, e) != 0) goto fail;
            s = &ls->steps[ls->nsteps++];
            step_defaults(s, c.line);
            nb = (StrBuf){0}; /* the previous step keeps its text */
            char *title = lesson_trim(line + 3);
            if (!title[0]) { perr(&c, "a step needs a title after '---'"); goto fail; }
            if (copy_str(s->title, sizeof s->title, title)) { perr(&c, "step title is too long"); goto fail; }
            in_directives = 1, blank_before = 0;
            continue;
        }
        char *key, *val;
        if (!s) {
            if (!split_directive(line, &key, &val)) {
                perr(&c, "expected 'title:', 'arch:', 'image:' or a step ('--- Step title'), not '%.60s'", line);
                goto fail;
            }
            if (header_line(&c, ls, key, val)) goto fail;
            continue;
        }
        if (in_directives && split_directive(line, &key, &val)) {
            if (step_line(&c, ls, n, s, key, val)) goto fail;
            continue;
        }
        in_directives = 0;
        int line_len = check_placeholders(&c, n, line);
        if (line_len < 0) goto fail;
        step_len += line_len + (!nb.n ? 0 : blank_before ? 2 : 1); /* as append_narration joins lines */
        if (append_narration(s, &nb, line, blank_before)) { perr(&c, "out of memory"); goto fail; }
        blank_before = 0;
    }
    if (s && check_length(&c, s, step_len)) goto fail;
    if (!ls->title[0]) { c.line = 1; perr(&c, "the lesson has no 'title:' line"); goto fail; }
    if (!ls->nsteps) { perr(&c, "the lesson has no steps (a step starts with '--- Step title')"); goto fail; }
    for (int i = 0; i < ls->nsteps; i++)
        if (!ls->steps[i].narration) {
            c.line = ls->steps[i].line;
            perr(&c, "step '%s' has no narration", ls->steps[i].title);
            goto fail;
        }
    return 0;
fail:
    lesson_free(ls);
    return -1;
}

int lesson_load(const char *path, Lesson *ls, Err *e)
{
    memset(ls, 0, sizeof *ls);
    unsigned char *data;
    size_t len;
    if (file_read_all(path, LESSON_MAX_BYTES, &data, &len, e) != 0) return -1;
    char *text = (char *)data;
    if (memchr(text, '\0', len)) {
        free(text);
        return err_set(e, "%s: is a binary file, not a lesson", path);
    }
    int rc = lesson_parse(text, path, ls, e);
    free(text);
    return rc;
}

void lesson_free(Lesson *ls)
{
    for (int i = 0; i < ls->nsteps; i++) {
        free(ls->steps[i].narration);
        ls->steps[i].narration = NULL;
    }
    ls->nsteps = 0;
}
