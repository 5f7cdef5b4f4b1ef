/* ui_view_tools.c - the ten crops, the occlusion map and the top patches as the window shows
   them, the engine line and the progress bar (see ui_view_tools.h). */
#include "ui_view_tools.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_view_internal.h"
#include "util.h"

_Static_assert((int)UI_TOOL_VIEW_CROPS == (int)UI_TOOL_CROPS && (int)UI_TOOL_VIEW_OCCLUSION == (int)UI_TOOL_OCCLUSION &&
                   (int)UI_TOOL_VIEW_PATCHES == (int)UI_TOOL_PATCHES,
               "ui_state.h's tool views are ui_model.h's tools");

static const UiColor white = {255, 255, 255, 255};

/* ---- texts --------------------------------------------------------------------------------- */

char *ui_engine_text(const UiModel *m, int layer, char *buf, size_t size)
{
    const Net *n = m->net;
    buf[0] = '\0';
    if (!n || layer < 0 || layer >= n->nlayers || layer >= UI_MODEL_MAX_LAYERS) return buf;
    const char *name = n->plan.layers[layer].spec->name;
    double tn = m->ms[UI_ENGINE_NAIVE][layer], tf = m->ms[UI_ENGINE_FAST][layer];
    const char *by = m->by[layer] == UI_ENGINE_FAST ? "fast" : "naive";
    if (m->ran[layer] == (1u << UI_ENGINE_NAIVE | 1u << UI_ENGINE_FAST)) snprintf(buf, size, "%s computed by %s · naive %.1f ms, fast %.1f ms", name, by, tn, tf);
    else snprintf(buf, size, "%s computed by %s in %.1f ms", name, by, n->run[layer].ms);
    return buf;
}

char *ui_occ_grid_text(int n, int win, int stride, char *buf, size_t size)
{
    double exact = (double)(n - win) / stride + 1;
    snprintf(buf, size, "(%d − %d)/%d + 1 = %.2f → %d positions per axis", n, win, stride, exact,
             (n - win) / stride + 1);
    return buf;
}

int ui_occ_most(const UiOcclusion *o)
{
    int best = 0;
    for (int i = 1; i < o->rows * o->cols; i++)
        if (o->map[i] < o->map[best]) best = i;
    return best;
}

/* Built-in weights: the guesses mean nothing; say so where they are shown. Returns the y below. */
static int untrained_note(DrawList *dl, const UiView *v, UiRect r)
{
    if (!v->m->weights || v->m->weights->trained) return r.y;
    return vw_wrap(dl, r.x, r.y, r.w, FONT_BOLD, v->L->px_small, COL(v, TC_WARN),
                   "Untrained weights: these guesses mean nothing (load real weights).") + US(v, 4);
}

/* ---- images -------------------------------------------------------------------------------- */

int ui_view_tools_shown(const UiView *v)
{
    int t = v->st->tool_view;
    return v->m->net && (t == UI_TOOL_VIEW_CROPS || t == UI_TOOL_VIEW_OCCLUSION);
}

/* Copies src's (x0, y0, w, h) window into dst at (dx, dy); outside src: mid-grey. */
static void blit(Image *dst, int dx, int dy, const Image *src, int x0, int y0, int w, int h)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *d = dst->px + 3 * ((size_t)(dy + y) * dst->w + (size_t)(dx + x));
            int sx = x0 + x, sy = y0 + y;
            if (sx < 0 || sy < 0 || sx >= src->w || sy >= src->h) d[0] = d[1] = d[2] = 128;
            else memcpy(d, src->px + 3 * ((size_t)sy * src->w + (size_t)sx), 3);
        }
}

/* The grid cell whose square is centred nearest to pixel p (rows or columns). */
static int occ_cell(int p, int win, int stride, int cells)
{
    int c = (int)lroundf((float)(p - win / 2) / (float)stride);
    return c < 0 ? 0 : c >= cells ? cells - 1 : c;
}

/* The input with the drop in probability over it: viridis, half transparent. */
static void occ_picture(const UiOcclusion *o, Image *out)
{
    float most = 0;
    for (int i = 0; i < o->rows * o->cols; i++) most = o->p0 - o->map[i] > most ? o->p0 - o->map[i] : most;
    for (int y = 0; y < out->h; y++)
        for (int x = 0; x < out->w; x++) {
            int r = occ_cell(y, o->win, o->stride, o->rows), c = occ_cell(x, o->win, o->stride, o->cols);
            float drop = o->p0 - o->map[r * o->cols + c];
            unsigned char rgb[3];
            viz_colormap_rgb(CMAP_VIRIDIS, most > 0 && drop > 0 ? drop / most : 0, rgb);
            unsigned char *d = out->px + 3 * ((size_t)y * out->w + (size_t)x);
            for (int k = 0; k < 3; k++) d[k] = (unsigned char)((d[k] + rgb[k] + 1) / 2);
        }
}

/* The patches of channel c, side by side (count tiles of side×side). */
static int patches_picture(const UiPatches *p, int c, Image *out)
{
    const UiPatchHit *h = p->hits + (size_t)c * (size_t)p->count;
    int side = h[0].side > 0 ? h[0].side : 1;
    Err e = {0};
    if (img_alloc(out, side * p->count, side, &e) != 0) return -1;
    memset(out->px, 0, (size_t)out->w * out->h * 3);
    for (int i = 0; i < p->count; i++)
        if (h[i].image >= 0 && p->inputs[h[i].image].px)
            blit(out, i * side, 0, &p->inputs[h[i].image], h[i].x0, h[i].y0, side, side);
    return 0;
}

/* The channel whose patches the panel shows: the selected one, else the hovered one; -1. */
static int patches_channel(const UiView *v)
{
    const UiPatches *p = &v->m->patches;
    int c = v->st->channel;
    if (c < 0 && v->st->hover.valid && v->st->hover.pos == v->st->pos) c = v->st->hover.c;
    return c >= 0 && c < p->channels ? c : -1;
}

static int patches_ready(const UiView *v)
{
    const UiPatches *p = &v->m->patches;
    return v->st->tool_view == UI_TOOL_VIEW_PATCHES && p->valid && p->arch == v->m->arch &&
           p->layer == ui_pos_layer(v->st->pos);
}

void ui_view_tools_images(UiImages *im, const UiView *v)
{
    const UiModel *m = v->m;
    int t = v->st->tool_view, c = patches_ready(v) ? patches_channel(v) : -1;
    if (!m->net || !t || (t == UI_TOOL_VIEW_PATCHES && c < 0)) return;
    uint64_t key = ui_key(ui_key(ui_key(0x7001, m->tools_gen), (uint64_t)t), (uint64_t)(c + 1));
    if (im->img[IMG_TOOLS].key == key) return;
    Image pic = {0};
    Err e = {0};
    if (t == UI_TOOL_VIEW_CROPS && m->crops.valid) {
        const UiCrops *k = &m->crops;
        if (img_alloc(&pic, 5 * k->crop_w, 2 * k->crop_h, &e) != 0) return;
        for (int i = 0; i < 10; i++) blit(&pic, (i % 5) * k->crop_w, (i / 5) * k->crop_h, &k->img[i], 0, 0, k->crop_w, k->crop_h);
    } else if (t == UI_TOOL_VIEW_OCCLUSION && m->occ.valid) {
        if (img_alloc(&pic, m->occ.input.w, m->occ.input.h, &e) != 0) return;
        memcpy(pic.px, m->occ.input.px, (size_t)pic.w * pic.h * 3);
        occ_picture(&m->occ, &pic);
    } else if (t == UI_TOOL_VIEW_PATCHES) {
        if (patches_picture(&m->patches, c, &pic) != 0) return;
    } else {
        return;
    }
    ui_images_set(im, IMG_TOOLS, &pic, key);
    img_free(&pic);
}

/* ---- shared drawing ------------------------------------------------------------------------ */

static void head(DrawList *dl, const UiView *v, const char *text, const char *right)
{
    UiRect h = ui_rect_inset(v->L->center_head, US(v, 6));
    int rw = right ? dl_text_in(dl, h, 1, FONT_SANS, v->L->px_body, COL(v, TC_DIM), right) : 0;
    h.w -= rw + v->L->gap;
    dl_clip(dl, h);
    vw_text_fit(dl, h, -1, FONT_BOLD, v->L->px_title, v->L->px_body, COL(v, TC_TEXT), text);
    dl_unclip(dl);
}

/* What the centre says while a job runs, or why there is no result. */
static int waiting(DrawList *dl, const UiView *v, UiToolKind k, int valid, const char *why)
{
    const UiProgress *p = &v->m->progress;
    UiRect b = ui_rect_inset(v->L->center_body, v->L->pad * 2);
    char t[300];
    if (p->running == k) snprintf(t, sizeof t, "%s… %d of %d (Esc cancels)", p->what, p->done, p->total);
    else if (why && why[0]) snprintf(t, sizeof t, "%s", why);
    else if (!valid) snprintf(t, sizeof t, "No %s yet: press %s to compute them.", ui_tool_names[k], k == UI_TOOL_CROPS ? "X" : "O");
    else return 0;
    vw_wrap(dl, b.x, b.y + b.h / 3, b.w, FONT_BOLD, v->L->px_title, COL(v, p->running == k ? TC_WARN : TC_DIM), t);
    return 1;
}

/* Top-k bars of probabilities p (n classes) in r; returns the y below. */
static int bars(DrawList *dl, const UiView *v, const float *p, int n, int k, UiRect r)
{
    const UiLayout *L = v->L;
    int idx[5];
    k = k > 5 ? 5 : k > n ? n : k;
    topk(p, n, k, idx);
    int rh = r.h / (k > 0 ? k : 1), label_w = r.w * 48 / 100, pct_w = dl_measure(dl, FONT_MONO, L->px_body, "100.0%");
    if (rh > L->px_body * 2) rh = L->px_body * 2;
    int bar_w = r.w - label_w - pct_w - 2 * L->gap, y = r.y;
    for (int i = 0; i < k; i++, y += rh) {
        char buf[128], pct[32];
        vw_text_fit(dl, (UiRect){r.x, y, label_w, rh}, -1, i == 0 ? FONT_BOLD : FONT_SANS, L->px_body, L->px_small,
                    COL(v, TC_TEXT), labels_short_name(v->labels, idx[i], buf, sizeof buf));
        int w = (int)(bar_w * (p[idx[i]] < 0 ? 0 : p[idx[i]] > 1 ? 1 : p[idx[i]]));
        int bx = r.x + label_w + L->gap;
        dl_rect(dl, (UiRect){bx, y + rh / 6, bar_w, rh * 2 / 3}, COL(v, TC_BOX));
        dl_rect(dl, (UiRect){bx, y + rh / 6, w < 1 ? 1 : w, rh * 2 / 3}, COL(v, TC_BAR1));
        snprintf(pct, sizeof pct, "%.1f%%", 100.0 * p[idx[i]]);
        dl_text_in(dl, (UiRect){bx + bar_w + L->gap, y, pct_w, rh}, 1, FONT_MONO, L->px_body, COL(v, TC_TEXT), pct);
    }
    return y;
}

/* ---- the ten crops --------------------------------------------------------------------------- */

static void crops_view(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const UiCrops *k = &v->m->crops;
    char right[96] = "";
    if (k->valid) snprintf(right, sizeof right, "%s engine, %.2f s", k->engine, k->ms / 1e3);
    head(dl, v, "Ten crops, as the paper tests", right);
    if (waiting(dl, v, UI_TOOL_CROPS, k->valid, k->valid ? NULL : k->why)) return;
    UiRect b = v->L->center_body;
    int cap = L->px_small * 13 / 10 + 1, top_h = b.h * 60 / 100;
    int gap = L->gap * 3, tile = (b.w - 4 * gap - 2 * L->pad) / 5, th = (top_h - 2 * (2 * cap + L->gap)) / 2;
    if (th < tile) tile = th;
    if (tile < 8) tile = 8;
    int x0 = b.x + (b.w - (5 * tile + 4 * gap)) / 2;
    for (int i = 0; i < 10; i++) {
        UiRect dst = {x0 + (i % 5) * (tile + gap), b.y + (i / 5) * (tile + 2 * cap + L->gap), tile, tile};
        dl_image(dl, IMG_TOOLS, (UiRect){(i % 5) * k->crop_w, (i / 5) * k->crop_h, k->crop_w, k->crop_h}, dst, white);
        int top;
        topk(k->probs + (size_t)i * (size_t)k->count, k->count, 1, &top);
        char name[128], t[160];
        snprintf(t, sizeof t, "%s %.0f%%", labels_short_name(v->labels, top, name, sizeof name),
                 100.0 * k->probs[(size_t)i * (size_t)k->count + (size_t)top]);
        char where[32]; /* the second row is the first mirrored: the name without ", mirrored" */
        snprintf(where, sizeof where, "%s", k->name[i]);
        where[strcspn(where, ",")] = '\0';
        UiRect c1 = {dst.x - gap / 2, dst.y + tile, tile + gap, cap}, c2 = c1;
        c2.y += cap;
        vw_text_fit(dl, c1, 0, FONT_SANS, L->px_small, L->px_small * 2 / 3, COL(v, TC_DIM), where);
        vw_text_fit(dl, c2, 0, FONT_BOLD, L->px_small, L->px_small * 2 / 3, COL(v, TC_TEXT), t);
    }
    int y = b.y + 2 * (tile + 2 * cap + L->gap) + L->gap;
    UiRect left = {b.x + L->pad, y, b.w / 2 - L->pad, b.y + b.h - y};
    UiRect r = {b.x + b.w / 2 + L->gap, y, b.w / 2 - L->gap - L->pad, left.h};
    int ty = vw_wrap(dl, left.x, left.y, left.w, FONT_BOLD, L->px_body, COL(v, TC_ACCENT), "Averaged softmax of the ten:");
    ty = untrained_note(dl, v, (UiRect){left.x, ty, left.w, 0});
    bars(dl, v, k->mean, k->count, 5, (UiRect){left.x, ty, left.w, left.y + left.h - ty});
    char t[400];
    snprintf(t, sizeof t, "Krizhevsky et al. 2012, §4.1: at test time the network sees five %d×%d patches of the "
             "%d×%d image (top row) and their mirrors (bottom row); the ten softmax outputs are averaged.", k->crop_w,
             k->crop_h, k->big_w, k->big_h);
    ty = vw_wrap(dl, r.x, r.y, r.w, FONT_SANS, L->px_small, COL(v, TC_TEXT), t) + US(v, 4);
    snprintf(t, sizeof t, "%s: 10 forward passes on the %s engine in %.2f s. X closes.", k->image_name, k->engine,
             k->ms / 1e3);
    vw_wrap(dl, r.x, ty, r.w, FONT_SANS, L->px_small, COL(v, TC_DIM), t);
}

/* ---- occlusion -------------------------------------------------------------------------------- */

/* The colour scale: none (dark) → the largest drop (yellow). */
static int legend(DrawList *dl, const UiView *v, int x, int y, int w, float most)
{
    const UiLayout *L = v->L;
    int steps = 24, h = L->px_body;
    for (int i = 0; i < steps; i++) {
        unsigned char rgb[3];
        viz_colormap_rgb(CMAP_VIRIDIS, (float)i / (steps - 1), rgb);
        dl_rect(dl, (UiRect){x + i * w / steps, y, w / steps + 1, h}, (UiColor){rgb[0], rgb[1], rgb[2], 255});
    }
    char lo[64], hi[64];
    snprintf(lo, sizeof lo, "no drop");
    snprintf(hi, sizeof hi, "−%.1f points", 100.0 * most);
    y += h + US(v, 2);
    dl_text(dl, x, y, FONT_SANS, L->px_small, COL(v, TC_DIM), lo);
    dl_text_in(dl, (UiRect){x, y, w, L->px_small + US(v, 4)}, 1, FONT_SANS, L->px_small, COL(v, TC_DIM), hi);
    return y + L->px_small * 13 / 10 + US(v, 4);
}

static void occlusion_view(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const UiOcclusion *o = &v->m->occ;
    char right[96] = "", t[400], name[128];
    if (o->valid) snprintf(right, sizeof right, "%s engine, %.2f s", o->engine, o->ms / 1e3);
    head(dl, v, "Occlusion: which part made the guess?", right);
    if (waiting(dl, v, UI_TOOL_OCCLUSION, o->valid, NULL)) return;
    UiRect b = v->L->center_body;
    int side = b.h - 2 * L->pad < b.w * 46 / 100 ? b.h - 2 * L->pad : b.w * 46 / 100;
    UiRect img = ui_fit((UiRect){b.x + L->pad, b.y + L->pad, side, side}, o->in_w, o->in_h);
    dl_image(dl, IMG_TOOLS, (UiRect){0, 0, o->in_w, o->in_h}, img, white);
    int most = ui_occ_most(o), mr = most / o->cols, mc = most % o->cols;
    UiRect sq = ui_from_image(img, o->in_w, o->in_h, (UiRect){mc * o->stride, mr * o->stride, o->win, o->win});
    dl_frame(dl, sq, COL(v, TC_RF), US(v, 3));
    int x = img.x + img.w + L->pad * 2, w = b.x + b.w - x - L->pad, y = b.y + L->pad;
    labels_short_name(v->labels, o->cls, name, sizeof name);
    snprintf(t, sizeof t, "A %d×%d square of zeros (the mean colour) slides over the input; the colour is how much "
             "the probability of \"%s\" fell with the square there.", o->win, o->win, name);
    y = vw_wrap(dl, x, y, w, FONT_SANS, L->px_body, COL(v, TC_TEXT), t) + US(v, 6);
    for (int axis = 0; axis < (o->in_h != o->in_w ? 2 : 1); axis++) { /* the formula, then what it gives */
        ui_occ_grid_text(axis ? o->in_h : o->in_w, o->win, o->stride, t, sizeof t);
        char *arrow = strstr(t, " → ");
        if (arrow) *arrow = '\0';
        int lh = L->px_body * 13 / 10 + 1; /* the formula on one line, smaller if need be */
        vw_text_fit(dl, (UiRect){x, y, w, lh}, -1, FONT_MONO, L->px_body, L->px_small, COL(v, TC_ACCENT), t);
        y += lh;
        if (arrow) y = vw_wrap(dl, x, y, w, FONT_SANS, L->px_body, COL(v, TC_ACCENT), arrow + 1);
        y += US(v, 2);
    }
    snprintf(t, sizeof t, "%d × %d = %d forward passes, + 1 without the square", o->rows, o->cols, o->rows * o->cols);
    y = vw_wrap(dl, x, y, w, FONT_SANS, L->px_small, COL(v, TC_DIM), t) + US(v, 6);
    snprintf(t, sizeof t, "Class: %s (top-1), %.1f%% unoccluded", name, 100.0 * o->p0);
    y = vw_wrap(dl, x, y, w, FONT_BOLD, L->px_body, COL(v, TC_TEXT), t) + US(v, 4);
    snprintf(t, sizeof t, "Most important: row %d, column %d (x %d–%d, y %d–%d): %.1f%% → %.1f%%", mr, mc,
             mc * o->stride, mc * o->stride + o->win - 1, mr * o->stride, mr * o->stride + o->win - 1, 100.0 * o->p0,
             100.0 * o->map[most]);
    y = vw_wrap(dl, x, y, w, FONT_SANS, L->px_body, COL(v, TC_RF), t) + US(v, 8);
    y = legend(dl, v, x, y, w, o->p0 - o->map[most]);
    y = untrained_note(dl, v, (UiRect){x, y, w, 0});
    vw_wrap(dl, x, y, w, FONT_SANS, L->px_small, COL(v, TC_DIM), "Zeiler & Fergus 2014, figure 7. O closes.");
}

int vw_tools(DrawList *dl, const UiView *v)
{
    if (!ui_view_tools_shown(v)) return 0;
    if (v->st->tool_view == UI_TOOL_VIEW_CROPS) crops_view(dl, v);
    else occlusion_view(dl, v);
    return 1;
}

/* ---- top patches ------------------------------------------------------------------------------- */

static void patches_hint(DrawList *dl, const UiView *v, const char *title, const char *text, int warn)
{
    const UiLayout *L = v->L;
    dl_text_in(dl, L->zoom_head, -1, FONT_BOLD, L->px_body, COL(v, TC_TEXT), title);
    vw_wrap(dl, L->zoom_area.x, L->zoom_area.y + L->pad, L->zoom_area.w, FONT_SANS, L->px_body,
            COL(v, warn ? TC_WARN : TC_DIM), text);
}

int vw_patches(DrawList *dl, const UiView *v)
{
    if (v->st->tool_view != UI_TOOL_VIEW_PATCHES || !v->m->net) return 0;
    const UiLayout *L = v->L;
    const UiPatches *p = &v->m->patches;
    const UiProgress *pr = &v->m->progress;
    char t[300];
    if (pr->running == UI_TOOL_PATCHES) {
        snprintf(t, sizeof t, "%s: %d of %d images (Esc cancels)", pr->what, pr->done, pr->total);
        patches_hint(dl, v, "Top patches", t, 1);
        return 1;
    }
    int layer = ui_pos_layer(v->st->pos), c = patches_channel(v);
    if (!patches_ready(v)) {
        snprintf(t, sizeof t, "H: find the top patches of %s's channels over the photos in a folder.",
                 layer >= 0 ? v->m->net->plan.layers[layer].spec->name : "a conv layer");
        patches_hint(dl, v, "Top patches", t, 0);
        return 1;
    }
    if (c < 0) {
        snprintf(t, sizeof t, "Click a tile: the %d patches of the %d images that excite that channel most appear "
                 "here.", p->count, p->nimages - p->skipped);
        patches_hint(dl, v, "Top patches", t, 0);
        return 1;
    }
    const UiPatchHit *h = p->hits + (size_t)c * (size_t)p->count;
    int shown = 0;
    while (shown < p->count && h[shown].image >= 0) shown++;
    snprintf(t, sizeof t, "channel %d: top %d of %d images", c, shown, p->nimages - p->skipped);
    dl_text_in(dl, L->zoom_head, -1, FONT_BOLD, L->px_body, COL(v, TC_TEXT), t);
    UiRect a = L->zoom_area;
    int cap = L->px_small * 13 / 10 + 1, foot = cap + US(v, 2);
    UiGrid g;
    int side = h[0].side > 0 ? h[0].side : 1;
    ui_grid_fit(&g, (UiRect){a.x, a.y, a.w, a.h - foot}, shown > 0 ? shown : 1, side, side + side * cap / 64 + 1, US(v, 4));
    for (int i = 0; i < shown; i++) {
        UiRect tile = ui_grid_tile(&g, i);
        UiRect dst = {tile.x, tile.y, tile.w, tile.w};
        dl_image(dl, IMG_TOOLS, (UiRect){i * side, 0, side, side}, dst, white);
        char val[32];
        snprintf(val, sizeof val, "%.3g", h[i].value);
        vw_text_fit(dl, (UiRect){tile.x, dst.y + dst.h, tile.w, tile.h - dst.h}, 0, FONT_MONO, L->px_small,
                    L->px_small * 2 / 3, COL(v, TC_TEXT), val);
    }
    snprintf(t, sizeof t, "%d×%d receptive fields from %s, %s engine", side, side, path_base(p->folder), p->engine);
    vw_text_fit(dl, (UiRect){a.x, a.y + a.h - cap, a.w, cap}, -1, FONT_SANS, L->px_small, L->px_small * 3 / 4,
                COL(v, TC_DIM), t);
    return 1;
}

/* ---- progress ---------------------------------------------------------------------------------- */

int vw_progress(DrawList *dl, const UiView *v, UiRect r, int px)
{
    const UiProgress *p = &v->m->progress;
    if (!p->running) return 0;
    char t[200];
    snprintf(t, sizeof t, "%s: %d / %d   Esc cancels", p->what, p->done, p->total);
    int tw = dl_measure(dl, FONT_SANS, px, t), bw = r.w / 4;
    UiRect bar = {r.x + r.w - bw, r.y + r.h / 4, bw, r.h / 2};
    dl_rect(dl, bar, COL(v, TC_BOX));
    if (p->total > 0) dl_rect(dl, (UiRect){bar.x, bar.y, (int)((long)bar.w * p->done / p->total), bar.h}, COL(v, TC_WARN));
    dl_frame(dl, bar, COL(v, TC_EDGE), 1);
    UiRect tr = {bar.x - tw - v->L->gap, r.y, tw, r.h};
    dl_text_in(dl, tr, 1, FONT_SANS, px, COL(v, TC_WARN), t);
    return bw + tw + v->L->gap;
}
