/* ui_train.c - the live-training view (ui_train.h): texts, the picture of the filters and
   maps, the curves, and the window's layout for them. */
#include "ui_train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ui_view_internal.h"
#include "util.h"
#include "viz.h"

const char *const ui_train_state_names[UI_TRAIN_ERROR + 1] = {"off", "loading", "running", "paused", "done", "stopped"};

static const UiColor white = {255, 255, 255, 255};

/* ---- settings and texts -------------------------------------------------------------------- */

void ui_train_settings_default(UiTrainSettings *s)
{
    memset(s, 0, sizeof *s);
    s->subset = 2000, s->epochs = 20, s->seed = 1, s->test_max = 2000;
}

int ui_train_next_probe(int index)
{
    static const int shown[] = {0, 1, 2, 4, 6, 8, 9, 13, 18, 19};
    for (int i = 0; i < 10; i++)
        if (shown[i] > index) return shown[i];
    return shown[0];
}

int ui_train_next_subset(int subset)
{
    static const int sizes[] = {500, 2000, 10000, 0};
    for (int i = 0; i < 4; i++)
        if (sizes[i] == subset) return sizes[(i + 1) % 4];
    return 2000;
}

void ui_train_add_point(UiTrainSnap *s, float x, float loss)
{
    if (s->npts == UI_TRAIN_POINTS) { /* full: every pair becomes its mean */
        for (int i = 0; i < UI_TRAIN_POINTS / 2; i++) {
            s->pt_x[i] = s->pt_x[2 * i + 1];
            s->pt_loss[i] = (s->pt_loss[2 * i] + s->pt_loss[2 * i + 1]) / 2;
        }
        s->npts = UI_TRAIN_POINTS / 2;
    }
    s->pt_x[s->npts] = x, s->pt_loss[s->npts] = loss;
    s->npts++;
}

char *ui_train_settings_text(const UiTrainSettings *s, char *buf, size_t size)
{
    char n[32];
    if (s->subset > 0) fmt_count(n, sizeof n, s->subset);
    snprintf(buf, size, "%s training images · dropout %s · mirroring %s · seed %llu", s->subset > 0 ? n : "all 60,000",
             s->dropout ? "0.5" : "off", s->mirror ? "on" : "off", (unsigned long long)s->seed);
    return buf;
}

char *ui_train_epoch_text(const UiTrainSnap *s, char *buf, size_t size)
{
    buf[0] = '\0';
    if (s->nep < 1) return buf;
    const UiTrainEpoch *e = &s->ep[s->nep - 1];
    snprintf(buf, size, "epoch %d of %d: training loss %.3f, training %.1f%%, test %.1f%%, %.1f s", s->nep,
             s->cur.epochs, e->train_loss, 100.0 * e->train_acc, 100.0 * e->test_acc, e->seconds);
    return buf;
}

char *ui_train_status_text(const UiTrainSnap *s, char *buf, size_t size)
{
    char a[32], b[32], c[32];
    fmt_count(a, sizeof a, s->epoch_images);
    fmt_count(b, sizeof b, s->ntrain);
    fmt_count(c, sizeof c, (long long)(s->images_per_s + 0.5));
    const char *st = ui_train_state_names[s->state];
    if (s->state == UI_TRAIN_RUNNING || s->state == UI_TRAIN_PAUSED)
        snprintf(buf, size, "%s · epoch %d, %s of %s images · %s images/s", st, s->nep + 1, a, b, c);
    else if (s->state == UI_TRAIN_DONE) snprintf(buf, size, "done: %d epochs · R trains again", s->nep);
    else snprintf(buf, size, "%s", st);
    return buf;
}

/* ---- the picture: filters, image, maps -------------------------------------------------------- */

#define PIC_W (UI_TRAIN_FILTERS * (UI_TRAIN_MAP + 1))
#define PIC_IMG_Y (UI_TRAIN_K + 1)
#define PIC_MAP_Y (PIC_IMG_Y + UI_TRAIN_SIDE + 1)
#define PIC_H (PIC_MAP_Y + UI_TRAIN_MAP)

static void put(Image *im, int x, int y, const unsigned char rgb[3]) { memcpy(im->px + 3 * ((size_t)y * im->w + x), rgb, 3); }

void ui_train_images(UiImages *im, const UiView *v, const UiTrainSnap *s)
{
    (void)v;
    if (!s->have_probe) return;
    uint64_t key = ui_key(ui_key(0x7a1, s->run), s->gen);
    if (im->img[IMG_TOOLS].key == key) return;
    Image pic = {0};
    Err e = {0};
    if (img_alloc(&pic, PIC_W, PIC_H, &e) != 0) return;
    memset(pic.px, 0, (size_t)PIC_W * PIC_H * 3);
    int nf = UI_TRAIN_K * UI_TRAIN_K, nm = UI_TRAIN_MAP * UI_TRAIN_MAP;
    float wmax = 1e-12f, lo = s->maps[0], hi = s->maps[0];
    for (int i = 0; i < UI_TRAIN_FILTERS * nf; i++) wmax = fabsf(s->filters[i]) > wmax ? fabsf(s->filters[i]) : wmax;
    for (int i = 0; i < UI_TRAIN_FILTERS * nm; i++) lo = s->maps[i] < lo ? s->maps[i] : lo, hi = s->maps[i] > hi ? s->maps[i] : hi;
    for (int f = 0; f < UI_TRAIN_FILTERS; f++) {
        for (int k = 0; k < nf; k++) { /* grey: 0 mid-grey, ± the largest weight of the six white / black */
            unsigned char g = (unsigned char)lroundf(127.5f + 127.5f * s->filters[f * nf + k] / wmax), rgb[3] = {g, g, g};
            put(&pic, f * (UI_TRAIN_K + 1) + k % UI_TRAIN_K, k / UI_TRAIN_K, rgb);
        }
        for (int k = 0; k < nm; k++) { /* viridis over the six maps' common range */
            unsigned char rgb[3];
            viz_colormap_rgb(CMAP_VIRIDIS, hi > lo ? (s->maps[f * nm + k] - lo) / (hi - lo) : 0.0f, rgb);
            put(&pic, f * (UI_TRAIN_MAP + 1) + k % UI_TRAIN_MAP, PIC_MAP_Y + k / UI_TRAIN_MAP, rgb);
        }
    }
    for (int k = 0; k < UI_TRAIN_SIDE * UI_TRAIN_SIDE; k++) { /* the input: −1 black, 1 white */
        float t = (s->image[k] + 1.0f) / 2.0f;
        unsigned char g = (unsigned char)lroundf(255.0f * (t < 0 ? 0 : t > 1 ? 1 : t)), rgb[3] = {g, g, g};
        put(&pic, k % UI_TRAIN_SIDE, PIC_IMG_Y + k / UI_TRAIN_SIDE, rgb);
    }
    ui_images_set(im, IMG_TOOLS, &pic, key);
    img_free(&pic);
}

/* ---- curves ------------------------------------------------------------------------------------ */

typedef struct {
    const float *x, *y;   /* x NULL: 1, 2, 3 ... (epochs) */
    int n, stride;        /* y[i * stride] */
    UiColor c;
    int dots;
} Series;

/* A chart in r: title, y from lo to hi (ticks at its ends and middle, as percent if pct), x
   0..xmax epochs. */
static void chart(DrawList *dl, const UiView *v, UiRect r, const char *title, float lo, float hi, int pct,
                  float xmax, const Series *ser, int nser)
{
    const UiLayout *L = v->L;
    int lh = L->px_small * 13 / 10 + 1, tw = dl_measure(dl, FONT_MONO, L->px_small, "100.0%") + L->gap;
    vw_text_fit(dl, (UiRect){r.x, r.y, r.w, L->px_body * 13 / 10}, -1, FONT_BOLD, L->px_body, L->px_small,
                COL(v, TC_TEXT), title);
    UiRect p = {r.x + tw, r.y + L->px_body * 13 / 10 + US(v, 4), r.w - tw - L->pad, 0};
    p.h = r.y + r.h - lh - p.y;
    if (p.w < 10 || p.h < 10) return;
    dl_rect(dl, p, COL(v, TC_BOX));
    for (int i = 0; i <= 2; i++) { /* y ticks */
        float val = lo + (hi - lo) * (float)i / 2;
        int y = p.y + p.h - (int)((long)p.h * i / 2);
        char t[32];
        if (pct) snprintf(t, sizeof t, "%.0f%%", 100.0 * val);
        else snprintf(t, sizeof t, "%.2f", (double)val);
        dl_line(dl, p.x, y, p.x + p.w, y, COL(v, TC_EDGE), 1);
        dl_text_in(dl, (UiRect){r.x, y - lh / 2, tw - L->gap, lh}, 1, FONT_MONO, L->px_small, COL(v, TC_DIM), t);
    }
    int step = xmax > 12 ? (int)ceilf(xmax / 6) : 1;
    for (int e = 0; e <= (int)xmax; e += step) { /* x ticks: epochs */
        int x = p.x + (int)((float)p.w * (float)e / xmax);
        char t[16];
        snprintf(t, sizeof t, "%d", e);
        dl_text_in(dl, (UiRect){x - tw / 2, p.y + p.h, tw, lh}, 0, FONT_MONO, L->px_small, COL(v, TC_DIM), t);
    }
    for (int k = 0; k < nser; k++) {
        const Series *s = &ser[k];
        int px = 0, py = 0;
        for (int i = 0; i < s->n; i++) {
            float xv = s->x ? s->x[i] : (float)(i + 1), yv = s->y[i * s->stride];
            float ty = hi > lo ? (yv - lo) / (hi - lo) : 0;
            ty = ty < 0 ? 0 : ty > 1 ? 1 : ty;
            int x = p.x + (int)((float)p.w * xv / xmax), y = p.y + p.h - (int)((float)p.h * ty);
            if (i > 0) dl_line(dl, px, py, x, y, s->c, s->dots ? US(v, 2) : 1);
            if (s->dots) dl_rect(dl, (UiRect){x - US(v, 3), y - US(v, 3), 2 * US(v, 3) + 1, 2 * US(v, 3) + 1}, s->c);
            px = x, py = y;
        }
    }
}

/* A legend line: coloured squares and names; returns the y below. */
static int legend(DrawList *dl, const UiView *v, int x, int y, const char *const *names, const UiColor *c, int n)
{
    const UiLayout *L = v->L;
    for (int i = 0; i < n; i++) {
        dl_rect(dl, (UiRect){x, y + L->px_small / 4, L->px_small / 2 + 2, L->px_small / 2 + 2}, c[i]);
        x += L->px_small;
        x += dl_text(dl, x, y, FONT_SANS, L->px_small, COL(v, TC_TEXT), names[i]) + L->pad;
    }
    return y + L->px_small * 13 / 10 + 1;
}

static void curves(DrawList *dl, const UiView *v, const UiTrainSnap *s, UiRect r)
{
    float xmax = (float)(s->nep > 0 ? s->nep : 1);
    if (s->npts > 0 && s->pt_x[s->npts - 1] > xmax) xmax = ceilf(s->pt_x[s->npts - 1]);
    float lmax = 0.1f, amin = 1.0f;
    for (int i = 0; i < s->npts; i++) lmax = s->pt_loss[i] > lmax ? s->pt_loss[i] : lmax;
    for (int i = 0; i < s->nep; i++) {
        const UiTrainEpoch *e = &s->ep[i];
        lmax = e->train_loss > lmax ? e->train_loss : lmax, lmax = e->test_loss > lmax ? e->test_loss : lmax;
        amin = e->train_acc < amin ? e->train_acc : amin, amin = e->test_acc < amin ? e->test_acc : amin;
    }
    lmax = ceilf(lmax * 2) / 2;
    amin = s->nep ? floorf(amin * 10) / 10 : 0;
    UiColor ctr = COL(v, TC_ACCENT), cte = COL(v, TC_WARN), crun = COL(v, TC_DIM);
    int stride = (int)(sizeof(UiTrainEpoch) / sizeof(float));
    int half = (r.h - v->L->gap) / 2;
    const char *const ln[] = {"training, running (few batches)", "training (epoch)", "test"};
    const char *const an[] = {"training (inference, after the epoch)", "test"};
    UiColor lc[] = {crun, ctr, cte}, ac[] = {ctr, cte};
    int y = legend(dl, v, r.x, r.y, ln, lc, 3);
    Series loss[] = {{s->pt_x, s->pt_loss, s->npts, 1, crun, 0},
                     {NULL, &s->ep[0].train_loss, s->nep, stride, ctr, 1},
                     {NULL, &s->ep[0].test_loss, s->nep, stride, cte, 1}};
    chart(dl, v, (UiRect){r.x, y, r.w, r.y + half - y}, "Loss (cross-entropy), per epoch", 0, lmax, 0, xmax, loss, 3);
    y = legend(dl, v, r.x, r.y + half + v->L->gap, an, ac, 2);
    Series acc[] = {{NULL, &s->ep[0].train_acc, s->nep, stride, ctr, 1}, {NULL, &s->ep[0].test_acc, s->nep, stride, cte, 1}};
    chart(dl, v, (UiRect){r.x, y, r.w, r.y + r.h - y}, "Accuracy, per epoch", amin, 1.0f, 1, xmax, acc, 2);
}

/* ---- the right column: filters, the test image and its maps, top 3 ------------------------------ */

static int tiles_row(DrawList *dl, const UiView *v, int x, int y, int w, int n, int side, int src_y, int src_step, int max_tile)
{
    int gap = US(v, 6), tile = (w - (n - 1) * gap) / n;
    tile = tile > max_tile ? max_tile : tile;
    for (int i = 0; i < n; i++)
        dl_image(dl, IMG_TOOLS, (UiRect){i * src_step, src_y, side, side}, (UiRect){x + i * (tile + gap), y, tile, tile}, white);
    return y + tile;
}

static void probe_panel(DrawList *dl, const UiView *v, const UiTrainSnap *s, UiRect r)
{
    const UiLayout *L = v->L;
    int y = r.y, lh = L->px_body * 13 / 10 + 1;
    if (!s->have_probe) return;
    vw_text_fit(dl, (UiRect){r.x, y, r.w, lh}, -1, FONT_BOLD, L->px_body, L->px_small, COL(v, TC_TEXT),
                "conv1's 6 filters (5×5; grey 0, white +, black −)");
    y = tiles_row(dl, v, r.x, y + lh, r.w, UI_TRAIN_FILTERS, UI_TRAIN_K, 0, UI_TRAIN_K + 1, r.h / 5) + L->gap * 2;
    char t[600];
    const char *label = s->names[s->test_label][0] ? s->names[s->test_label] : "?";
    snprintf(t, sizeof t, "Test image %d (%s) and its conv1 maps", s->test_index, label);
    vw_text_fit(dl, (UiRect){r.x, y, r.w, lh}, -1, FONT_BOLD, L->px_body, L->px_small, COL(v, TC_TEXT), t);
    y += lh;
    int side = r.h / 4 < r.w / 4 ? r.h / 4 : r.w / 4;
    dl_image(dl, IMG_TOOLS, (UiRect){0, PIC_IMG_Y, UI_TRAIN_SIDE, UI_TRAIN_SIDE}, (UiRect){r.x, y, side, side}, white);
    /* top 3 beside the image */
    int bx = r.x + side + L->pad * 2, bw = r.x + r.w - bx, idx[3];
    topk(s->probs, UI_TRAIN_CLASSES, 3, idx);
    int by = y;
    by = vw_wrap(dl, bx, by, bw, FONT_SANS, L->px_small, COL(v, TC_DIM), "Its top 3 now:");
    for (int i = 0; i < 3; i++) {
        const char *nm = s->names[idx[i]][0] ? s->names[idx[i]] : "?";
        snprintf(t, sizeof t, "%s %.1f%%", nm, 100.0 * s->probs[idx[i]]);
        UiColor c = COL(v, idx[i] == s->test_label ? TC_ACCENT : TC_TEXT);
        vw_text_fit(dl, (UiRect){bx, by, bw, lh}, -1, i == 0 ? FONT_BOLD : FONT_SANS, L->px_body, L->px_small, c, t);
        by += lh;
        int w = (int)((float)bw * s->probs[idx[i]]);
        dl_rect(dl, (UiRect){bx, by, bw, US(v, 5)}, COL(v, TC_BOX));
        dl_rect(dl, (UiRect){bx, by, w < 1 ? 1 : w, US(v, 5)}, c);
        by += US(v, 8);
    }
    y += side + L->gap;
    y = tiles_row(dl, v, r.x, y, r.w, UI_TRAIN_FILTERS, UI_TRAIN_MAP, PIC_MAP_Y, UI_TRAIN_MAP + 1, r.y + r.h - y);
    y += L->gap * 2;
    snprintf(t, sizeof t, "Each mini-batch of %d images moves every weight a step down the gradient of the "
             "cross-entropy (SGD, momentum %g). The gap between training and test accuracy is overfitting; the "
             "slides' remedies are dropout (D) and more data by mirroring (M): change one, press R, compare.",
             s->batch, (double)s->momentum);
    if (vw_wrap_height(dl, r.w, FONT_SANS, L->px_small, t) <= r.y + r.h - y) vw_wrap(dl, r.x, y, r.w, FONT_SANS, L->px_small, COL(v, TC_DIM), t);
}

/* ---- the window ---------------------------------------------------------------------------------- */

void vw_train(DrawList *dl, const UiView *v, const UiTrainSnap *s)
{
    const UiLayout *L = v->L;
    int W = L->w, H = L->h, pad = L->pad * 2, lh = L->px_small * 13 / 10 + 1;
    dl_rect(dl, (UiRect){0, 0, W, H}, COL(v, TC_BG));
    char t[800], right[200];
    UiRect head = {pad, pad / 2, W - 2 * pad, L->px_title * 3 / 2};
    ui_train_status_text(s, right, sizeof right);
    int rw = dl_text_in(dl, head, 1, FONT_SANS, L->px_body, COL(v, s->state == UI_TRAIN_PAUSED ? TC_WARN : TC_DIM), right);
    vw_text_fit(dl, (UiRect){head.x, head.y, head.w - rw - L->gap, head.h}, -1, FONT_BOLD, L->px_title, L->px_body,
                COL(v, TC_TEXT), "Training LeNet-5 on Fashion-MNIST, live");
    int foot_h = 3 * lh + pad;
    UiRect body = {pad, head.y + head.h + L->gap, W - 2 * pad, H - foot_h - (head.y + head.h + L->gap)};
    if (s->state == UI_TRAIN_ERROR || s->state == UI_TRAIN_LOADING || s->state == UI_TRAIN_OFF) {
        const char *m = s->state == UI_TRAIN_ERROR ? s->msg : s->state == UI_TRAIN_LOADING ? "Loading Fashion-MNIST…" : "Starting…";
        vw_wrap(dl, body.x, body.y + body.h / 4, body.w, FONT_BOLD, L->px_title,
                COL(v, s->state == UI_TRAIN_ERROR ? TC_ERROR : TC_DIM), m);
    } else {
        UiRect left = {body.x, body.y, body.w * 56 / 100, body.h};
        UiRect rcol = {left.x + left.w + pad, body.y, body.x + body.w - (left.x + left.w + pad), body.h};
        vw_panel(dl, v, (UiRect){left.x - L->pad, left.y - L->pad, left.w + 2 * L->pad, left.h + 2 * L->pad});
        vw_panel(dl, v, (UiRect){rcol.x - L->pad, rcol.y - L->pad, rcol.w + 2 * L->pad, rcol.h + 2 * L->pad});
        curves(dl, v, s, left);
        probe_panel(dl, v, s, rcol);
    }
    int y = H - foot_h + L->pad;
    char a[200], b[200], c[32], d[32];
    ui_train_settings_text(&s->cur, a, sizeof a);
    fmt_count(c, sizeof c, s->ntest);
    snprintf(t, sizeof t, "This run: %s · batch %d · lr %g · momentum %g · test on %s images", a, s->batch, (double)s->lr,
             (double)s->momentum, c);
    vw_text_fit(dl, (UiRect){pad, y, W - 2 * pad, lh}, -1, FONT_SANS, L->px_small, L->px_small * 3 / 4, COL(v, TC_TEXT), t);
    ui_train_settings_text(&s->next, b, sizeof b);
    ui_train_epoch_text(s, t, sizeof t);
    snprintf(d, sizeof d, "%s", t[0] ? " · " : "");
    char line[1400];
    snprintf(line, sizeof line, "%s%sR starts: %s", t, d, b);
    vw_text_fit(dl, (UiRect){pad, y + lh, W - 2 * pad, lh}, -1, FONT_SANS, L->px_small, L->px_small * 3 / 4, COL(v, TC_DIM), line);
    vw_text_fit(dl, (UiRect){pad, y + 2 * lh, W - 2 * pad, lh}, -1, FONT_BOLD, L->px_small, L->px_small * 3 / 4,
                COL(v, TC_ACCENT),
                "Space pause / resume · R reset (new seeded weights) · D dropout · M mirroring · Z subset (D, M, Z: at "
                "the next R) · S next test image · J back to the layers");
}
