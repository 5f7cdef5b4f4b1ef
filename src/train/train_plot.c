/* train_plot.c - the curves of training runs as CSV and as a PNG drawn here: one panel per
   run, accuracy against epoch, training solid and test dashed, with tick labels and titles
   in a 3×5 pixel font (no font file needed). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "img.h"
#include "train.h"

int train_write_csv(const char *path, const TrainCurve *c, int ncurves, Err *e)
{
    AFile a;
    if (afile_open(&a, path, e) != 0) return -1;
    FILE *f = a.f;
    int runs = ncurves > 1 || c[0].images > 0; /* overfit's table, even while its first run goes */
    fprintf(f, "%sepoch,lr,train_loss,train_acc,test_acc,seconds\n", runs ? "run,images," : "");
    for (int r = 0; r < ncurves; r++)
        for (int i = 0; i < c[r].n; i++) {
            const TrainEpoch *p = &c[r].ep[i];
            if (runs) fprintf(f, "%s,%d,", c[r].name, c[r].images);
            fprintf(f, "%d,%g,%.6f,%.6f,%.6f,%.2f\n", p->epoch, p->lr, p->train_loss, p->train_acc, p->test_acc,
                    p->seconds);
        }
    return afile_commit(&a, e); /* checks every write above */
}

/* ---- pixels ------------------------------------------------------------------------------ */

typedef struct {
    unsigned char r, g, b;
} Rgb;

static const Rgb ink = {40, 40, 40}, grid = {225, 225, 225}, col_train = {31, 119, 180}, col_test = {230, 110, 20};

static void put(Image *im, int x, int y, Rgb c)
{
    if (x < 0 || y < 0 || x >= im->w || y >= im->h) return;
    unsigned char *p = im->px + ((size_t)y * im->w + x) * 3;
    p[0] = c.r, p[1] = c.g, p[2] = c.b;
}

static void fill(Image *im, int x, int y, int w, int h, Rgb c)
{
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++) put(im, i, j, c);
}

/* A 2-pixel line; dashed: 6 on, 4 off. */
static void line(Image *im, int x0, int y0, int x1, int y1, Rgb c, int dashed)
{
    int dx = abs(x1 - x0), dy = -abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    for (int k = 0;; k++) {
        if (!dashed || k % 10 < 6) fill(im, x0, y0, 2, 2, c);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * err;
        if (e2 >= dy) err += dy, x0 += sx;
        if (e2 <= dx) err += dx, y0 += sy;
    }
}

/* 3×5 glyphs, a row per entry, bit 2 the left pixel. */
static const struct {
    char c;
    unsigned char row[5];
} glyphs[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}}, {'3', {7, 1, 7, 1, 7}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}}, {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 1, 1, 1}},
    {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 7}}, {'A', {2, 5, 7, 5, 5}}, {'B', {6, 5, 6, 5, 6}},
    {'C', {3, 4, 4, 4, 3}}, {'D', {6, 5, 5, 5, 6}}, {'E', {7, 4, 6, 4, 7}}, {'F', {7, 4, 6, 4, 4}},
    {'G', {3, 4, 5, 5, 3}}, {'H', {5, 5, 7, 5, 5}}, {'I', {7, 2, 2, 2, 7}}, {'J', {1, 1, 1, 5, 2}},
    {'K', {5, 5, 6, 5, 5}}, {'L', {4, 4, 4, 4, 7}}, {'M', {5, 7, 7, 5, 5}}, {'N', {6, 5, 5, 5, 5}},
    {'O', {2, 5, 5, 5, 2}}, {'P', {6, 5, 6, 4, 4}}, {'Q', {2, 5, 5, 6, 3}}, {'R', {6, 5, 6, 5, 5}},
    {'S', {3, 4, 2, 1, 6}}, {'T', {7, 2, 2, 2, 2}}, {'U', {5, 5, 5, 5, 7}}, {'V', {5, 5, 5, 5, 2}},
    {'W', {5, 5, 7, 7, 5}}, {'X', {5, 5, 2, 5, 5}}, {'Y', {5, 5, 2, 2, 2}}, {'Z', {7, 1, 2, 4, 7}},
    {'%', {5, 1, 2, 4, 5}}, {'.', {0, 0, 0, 0, 2}}, {'-', {0, 0, 7, 0, 0}}, {',', {0, 0, 0, 2, 4}},
    {'(', {1, 2, 2, 2, 1}}, {')', {4, 2, 2, 2, 4}}, {'+', {0, 2, 7, 2, 0}}, {'=', {0, 7, 0, 7, 0}},
    {'/', {1, 1, 2, 4, 4}}, {':', {0, 2, 0, 2, 0}},
};

#define FONT_SCALE 2
#define GLYPH_W (4 * FONT_SCALE) /* 3 pixels and a gap */
#define GLYPH_H (5 * FONT_SCALE)

/* Draws s at (x, y) (top left); lower case as upper case. Returns the width drawn. */
static int text(Image *im, int x, int y, const char *s, Rgb c)
{
    int x0 = x;
    for (; *s; s++, x += GLYPH_W) {
        char ch = *s >= 'a' && *s <= 'z' ? (char)(*s - 'a' + 'A') : *s;
        for (size_t g = 0; g < sizeof glyphs / sizeof glyphs[0]; g++) {
            if (glyphs[g].c != ch) continue;
            for (int r = 0; r < 5; r++)
                for (int b = 0; b < 3; b++)
                    if (glyphs[g].row[r] >> (2 - b) & 1)
                        fill(im, x + b * FONT_SCALE, y + r * FONT_SCALE, FONT_SCALE, FONT_SCALE, c);
            break;
        }
    }
    return x - x0;
}

static int text_width(const char *s) { return (int)strlen(s) * GLYPH_W; }

/* ---- the panels -------------------------------------------------------------------------- */

#define PANEL_W 420
#define PANEL_H 280
#define M_LEFT 52
#define M_RIGHT 16
#define M_TOP 30
#define M_BOTTOM 34

typedef struct {
    int x, y, w, h;     /* the plot area */
    int epochs;         /* x axis 0..epochs */
    double lo, hi;      /* y axis */
} Axes;

static int ax_x(const Axes *a, double epoch) { return a->x + (int)lround(epoch / a->epochs * (a->w - 1)); }
static int ax_y(const Axes *a, double v) { return a->y + a->h - 1 - (int)lround((v - a->lo) / (a->hi - a->lo) * (a->h - 1)); }

static void axes_draw(Image *im, const Axes *a)
{
    double step = a->hi - a->lo > 0.35 ? 0.1 : 0.05;
    char buf[32];
    for (double v = a->lo; v <= a->hi + 1e-9; v += step) {
        int y = ax_y(a, v);
        fill(im, a->x, y, a->w, 1, grid);
        snprintf(buf, sizeof buf, "%d%%", (int)lround(v * 100));
        text(im, a->x - 6 - text_width(buf), y - GLYPH_H / 2, buf, ink);
    }
    int xstep = a->epochs <= 10 ? 1 : a->epochs <= 30 ? 5 : 10;
    for (int k = 0; k <= a->epochs; k += xstep) {
        int x = ax_x(a, k);
        fill(im, x, a->y + a->h, 1, 4, ink);
        snprintf(buf, sizeof buf, "%d", k);
        text(im, x - text_width(buf) / 2, a->y + a->h + 6, buf, ink);
    }
    fill(im, a->x, a->y, 1, a->h, ink);
    fill(im, a->x, a->y + a->h - 1, a->w, 1, ink);
}

static void curve(Image *im, const Axes *a, const TrainCurve *c, int test, Rgb col)
{
    int px = ax_x(a, 0), py = 0;
    for (int i = 0; i < c->n; i++) {
        double v = test ? c->ep[i].test_acc : c->ep[i].train_acc;
        int x = ax_x(a, c->ep[i].epoch), y = ax_y(a, v);
        if (i > 0) line(im, px, py, x, y, col, test);
        fill(im, x - 2, y - 2, 5, 5, col);
        px = x, py = y;
    }
}

static void panel(Image *im, int ox, int oy, const TrainCurve *c, double lo, int epochs)
{
    Axes a = {ox + M_LEFT, oy + M_TOP, PANEL_W - M_LEFT - M_RIGHT, PANEL_H - M_TOP - M_BOTTOM, epochs, lo, 1.0};
    axes_draw(im, &a);
    char title[96];
    const TrainEpoch *last = c->n ? &c->ep[c->n - 1] : NULL;
    if (last)
        snprintf(title, sizeof title, "%s: %.1f%% / %.1f%%", c->name, 100 * last->train_acc, 100 * last->test_acc);
    else
        snprintf(title, sizeof title, "%s", c->name);
    text(im, a.x, oy + 8, title, ink);
    int lx = ox + PANEL_W - M_RIGHT - text_width("TRAIN TEST") - 24;
    line(im, lx, oy + 12, lx + 10, oy + 12, col_train, 0);
    lx += 14 + text(im, lx + 14, oy + 8, "TRAIN", col_train);
    line(im, lx + 6, oy + 12, lx + 16, oy + 12, col_test, 1);
    text(im, lx + 20, oy + 8, "TEST", col_test);
    text(im, a.x + a.w / 2 - text_width("EPOCH") / 2, oy + PANEL_H - GLYPH_H - 4, "EPOCH", ink);
    curve(im, &a, c, 0, col_train);
    curve(im, &a, c, 1, col_test);
}

int train_write_png(const char *path, const TrainCurve *c, int ncurves, Err *e)
{
    if (ncurves < 1) return err_set(e, "%s: no curves to draw", path);
    double lo = 1.0;
    int epochs = 1;
    for (int r = 0; r < ncurves; r++)
        for (int i = 0; i < c[r].n; i++) {
            lo = fmin(lo, fmin(c[r].ep[i].train_acc, c[r].ep[i].test_acc));
            if (c[r].ep[i].epoch > epochs) epochs = c[r].ep[i].epoch;
        }
    lo = fmax(0.0, floor(lo * 10.0 - 1e-9) / 10.0); /* down to a multiple of 10 % */
    if (lo > 0.9) lo = 0.9;
    int cols = ncurves == 1 ? 1 : 2, rows = (ncurves + cols - 1) / cols;
    Image im;
    if (img_alloc(&im, cols * PANEL_W, rows * PANEL_H, e) != 0) return -1;
    memset(im.px, 255, (size_t)im.w * im.h * 3);
    for (int r = 0; r < ncurves; r++) panel(&im, (r % cols) * PANEL_W, (r / cols) * PANEL_H, &c[r], lo, epochs);
    int rc = img_write_png(path, &im, e);
    img_free(&im);
    return rc;
}
