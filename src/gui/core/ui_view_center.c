/* ui_view_center.c - the centre panel (feature-map tiles, fc heat strips, top-5 bars,
   kernels) and the enlarged tile; and the images they need. */
#include "ui_view_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels.h"
#include "ui_view_im2col.h"
#include "ui_view_saliency.h"
#include "ui_view_tools.h"

static int is_spatial(Shape s) { return s.h > 1 || s.w > 1; }

/* The conv layer whose kernels belong to the current position (the conv itself, or the
   conv a relu / norm / pool right after it came from); -1 if none. */
static int kernel_layer(const UiView *v)
{
    const Net *n = v->m->net;
    for (int i = ui_pos_layer(v->st->pos); i >= 0; i--) {
        LayerKind k = n->plan.layers[i].spec->kind;
        if (k == LK_CONV) return i;
        if (k != LK_RELU && k != LK_LRN && k != LK_TANH) return -1;
    }
    return -1;
}

static int show_kernels(const UiView *v)
{
    return v->st->kernels && v->m->net && v->m->weights && kernel_layer(v) >= 0;
}

int vw_center_grid(const UiView *v, UiGrid *g)
{
    if (!v->m->net || show_kernels(v) || ui_view_im2col_shown(v) || ui_view_tools_shown(v) || ui_view_saliency_shown(v))
        return 0;
    Shape s;
    if (!ui_view_data(v, v->st->pos, &s) || !is_spatial(s)) return 0;
    int gap = s.c > 200 ? US(v, 1) : US(v, 2);
    if (gap < 1) gap = 1;
    ui_grid_fit(g, v->L->center_body, s.c, s.w, s.h, gap);
    return 1;
}

int ui_view_grid(const UiView *v, UiGrid *g) { return vw_center_grid(v, g); }

int vw_zoom_rect(const UiView *v, int *channel, UiRect *r)
{
    if (!v->m->net) return 0;
    Shape s;
    if (!ui_view_data(v, v->st->pos, &s) || !is_spatial(s)) return 0;
    int c = v->st->channel;
    if (c < 0 && v->st->hover.valid && v->st->hover.pos == v->st->pos) c = v->st->hover.c;
    if (c < 0 || c >= s.c) return 0;
    *channel = c;
    *r = ui_fit(ui_rect_inset(v->L->zoom_area, US(v, 4)), s.w, s.h);
    return 1;
}

int vw_strip_geom(const UiView *v, UiRect *area, int *n, int *rows, int *cell_w, int *row_h, int *gap)
{
    if (!v->m->net || show_kernels(v)) return 0;
    Shape s;
    if (!ui_view_data(v, v->st->pos, &s) || is_spatial(s)) return 0;
    UiRect body = v->L->center_body;
    if (vw_is_prob(v, v->st->pos)) { /* top-5 bars above, the strip below */
        int top = body.h * 62 / 100;
        body.y += top, body.h -= top;
    }
    *n = s.c;
    *rows = (s.c + UI_STRIP_COLS - 1) / UI_STRIP_COLS;
    *cell_w = body.w / UI_STRIP_COLS;
    if (*cell_w < 1) *cell_w = 1;
    *gap = US(v, 3);
    *row_h = (body.h - *gap * (*rows - 1)) / *rows;
    if (*row_h > *cell_w * 4) *row_h = *cell_w * 4;
    if (*row_h < 1) *row_h = 1;
    int w = *cell_w * UI_STRIP_COLS, h = *rows * *row_h + (*rows - 1) * *gap;
    *area = (UiRect){body.x + (body.w - w) / 2, body.y + (body.h - h) / 2, w, h};
    return 1;
}

/* ---- images ---------------------------------------------------------------------------------- */

void ui_view_images(UiImages *im, const UiView *v)
{
    const UiModel *m = v->m;
    const UiState *st = v->st;
    if (!m->net) return;
    ui_images_set(im, IMG_PHOTO, &m->photo, ui_key(0x100, m->image_gen));
    ui_images_set(im, IMG_CROP, &m->crop, ui_key(0x200, m->image_gen));
    Shape s;
    const float *d = ui_view_data(v, st->pos, &s);
    uint64_t key = ui_key(ui_key(ui_key(m->net_gen, m->data_gen), (uint64_t)st->pos), (uint64_t)(st->norm * 2 + st->cmap));
    if (d && is_spatial(s)) ui_images_atlas(im, d, s, (Norm)st->norm, (Colormap)st->cmap, key);
    else if (d) ui_images_strip(im, d, s.c, (Colormap)st->cmap, key);
    int kl = show_kernels(v) ? kernel_layer(v) : -1;
    if (kl >= 0) {
        const PlanLayer *r = &m->net->plan.layers[kl];
        int cin_g = r->in.c / r->spec->groups, first = kl == arch_first_conv(m->net->arch);
        int o = st->channel >= 0 && st->channel < r->out.c ? st->channel : 0;
        /* conv1 ran on two GPUs, 48 filters each (paper, Figure 3): two bands */
        int bands = first && r->out.c % 2 == 0 ? 2 : r->spec->groups;
        uint64_t kkey = ui_key(ui_key(m->net_gen, (uint64_t)kl), first ? 0xF1 : (uint64_t)o + 7);
        ui_images_kernels(im, m->weights->l[kl].w, r->out.c, cin_g, r->spec->k, m->arch->preproc.bgr, bands, o, kkey);
    }
    ui_view_im2col_images(im, v);
    ui_view_tools_images(im, v);
    ui_view_saliency_images(im, v);
}

/* ---- the centre ------------------------------------------------------------------------------ */

static void center_head(DrawList *dl, const UiView *v, const char *text, const char *right)
{
    UiRect h = ui_rect_inset(v->L->center_head, US(v, 6));
    int rw = right ? dl_text_in(dl, h, 1, FONT_SANS, v->L->px_body, COL(v, TC_DIM), right) : 0;
    h.w -= rw + v->L->gap;
    dl_clip(dl, h);
    dl_text_in(dl, h, -1, FONT_BOLD, v->L->px_title, COL(v, TC_TEXT), text);
    dl_unclip(dl);
}

static void center_tiles(DrawList *dl, const UiView *v, Shape s)
{
    UiGrid g;
    if (!vw_center_grid(v, &g)) return;
    const UiImages *im = v->im;
    UiColor white = {255, 255, 255, 255};
    for (int c = 0; c < s.c; c++) dl_image(dl, IMG_ATLAS, ui_atlas_src(im, c), ui_grid_tile(&g, c), white);
    if (v->st->pos == 0 && s.c == 3) { /* name the input's channels: Caffe feeds B, G, R */
        int bgr = v->m->arch && v->m->arch->preproc.bgr;
        for (int c = 0; c < 3; c++) {
            UiRect t = ui_grid_tile(&g, c);
            const char *name[3] = {bgr ? "B" : "R", "G", bgr ? "R" : "B"};
            char lab[32];
            snprintf(lab, sizeof lab, "%s − mean", name[c]);
            int w = dl_measure(dl, FONT_BOLD, v->L->px_body, lab);
            dl_rect(dl, (UiRect){t.x, t.y, w + US(v, 8), v->L->px_body * 3 / 2}, COL(v, TC_SHADE));
            dl_text(dl, t.x + US(v, 4), t.y + US(v, 2), FONT_BOLD, v->L->px_body, COL(v, TC_TEXT), lab);
        }
    }
    int sel = v->st->channel;
    if (sel >= 0 && sel < s.c) dl_frame(dl, ui_rect_inset(ui_grid_tile(&g, sel), -US(v, 2)), COL(v, TC_ACCENT), US(v, 2));
    const UiUnit *h = &v->st->hover;
    if (h->valid && h->pos == v->st->pos && h->c != sel)
        dl_frame(dl, ui_rect_inset(ui_grid_tile(&g, h->c), -1), COL(v, TC_TEXT), 1);
}

static void top5(DrawList *dl, const UiView *v, const float *p, int n)
{
    const UiLayout *L = v->L;
    int idx[5], k = n < 5 ? n : 5;
    topk(p, n, k, idx);
    int untrained = v->m->weights && !v->m->weights->trained;
    UiRect body = L->center_body;
    body.h = body.h * 62 / 100;
    int y = body.y + US(v, 4);
    if (untrained) {
        y = vw_wrap(dl, body.x + L->pad, y, body.w - 2 * L->pad, FONT_BOLD, L->px_body, COL(v, TC_WARN),
                    "Untrained weights: these guesses mean nothing. Load real weights (--weights FILE, or drop a "
                    ".caffemodel / .onnx / .safetensors file) to see real predictions.") + US(v, 4);
    }
    int rows = k, rh = (body.y + body.h - y) / (rows > 0 ? rows : 1);
    if (rh > L->px_big * 2) rh = L->px_big * 2;
    int label_w = body.w * 45 / 100, bar_x = body.x + L->pad + label_w, bar_w = body.w - label_w - 2 * L->pad - US(v, 70);
    for (int r = 0; r < k; r++, y += rh) {
        char buf[128], pct[32];
        const char *name = labels_name(v->labels, idx[r], buf, sizeof buf);
        UiColor tc = COL(v, untrained ? TC_DIM : TC_TEXT), bc = COL(v, untrained ? TC_EDGE : TC_BAR1);
        UiRect lr = {body.x + L->pad, y, label_w - L->gap, rh - US(v, 4)};
        dl_clip(dl, lr);
        dl_text_in(dl, lr, -1, r == 0 ? FONT_BOLD : FONT_SANS, L->px_body + (r == 0 ? US(v, 2) : 0), tc, name);
        dl_unclip(dl);
        int w = (int)(bar_w * (p[idx[r]] < 0 ? 0 : p[idx[r]] > 1 ? 1 : p[idx[r]]));
        dl_rect(dl, (UiRect){bar_x, y + rh / 6, bar_w, rh * 2 / 3}, COL(v, TC_BOX));
        dl_rect(dl, (UiRect){bar_x, y + rh / 6, w < 1 ? 1 : w, rh * 2 / 3}, bc);
        snprintf(pct, sizeof pct, "%.1f%%", 100.0 * p[idx[r]]);
        dl_text_in(dl, (UiRect){bar_x + bar_w + L->gap, y, US(v, 70), rh}, -1, FONT_MONO, L->px_body, tc, pct);
    }
}

static void center_strip(DrawList *dl, const UiView *v, const float *d, Shape s)
{
    UiRect area;
    int n, rows, cw, rh, gap;
    if (!vw_strip_geom(v, &area, &n, &rows, &cw, &rh, &gap)) return;
    UiColor white = {255, 255, 255, 255};
    for (int r = 0; r < rows; r++) {
        int cols = n - r * UI_STRIP_COLS < UI_STRIP_COLS ? n - r * UI_STRIP_COLS : UI_STRIP_COLS;
        UiRect src = {0, r, cols, 1}, dst = {area.x, area.y + r * (rh + gap), cols * cw, rh};
        dl_image(dl, IMG_STRIP, src, dst, white);
    }
    int h = v->st->hover_fc;
    if (h >= 0 && h < n) {
        UiRect c = {area.x + (h % UI_STRIP_COLS) * cw, area.y + (h / UI_STRIP_COLS) * (rh + gap), cw, rh};
        dl_frame(dl, ui_rect_inset(c, -US(v, 2)), COL(v, TC_TEXT), US(v, 2));
    }
    char note[160];
    snprintf(note, sizeof note, "%d units, %d per row; each cell is one number (hover to read it)", n, UI_STRIP_COLS);
    dl_text(dl, area.x, area.y + area.h + US(v, 6), FONT_SANS, v->L->px_small, COL(v, TC_DIM), note);
    if (vw_is_prob(v, v->st->pos)) top5(dl, v, d, s.c);
}

static void center_kernels(DrawList *dl, const UiView *v)
{
    const UiImages *im = v->im;
    const UiImage *k = &im->img[IMG_KERNELS];
    if (!k->key) return;
    const UiLayout *L = v->L;
    UiRect body = L->center_body;
    UiColor white = {255, 255, 255, 255};
    if (im->kern_rgb) {
        /* one line under the bands says where these filters came from */
        int note_h = L->px_body * 2;
        int per = im->kern_n / im->kern_groups,
            band_h = (body.h - note_h - L->px_body * 2 * im->kern_groups) / im->kern_groups;
        /* the paper's Figure 3 has one GPU's half colourless and the other's colourful,
           "modulo a renumbering of the GPUs": a label must not promise which is which */
        const char *note = v->m->weights && !v->m->weights->trained
                               ? "Built-in weights: these filters are hand-made edges and colour blobs, not learned. "
                                 "Load real weights to see what training found."
                               : "In the paper one half came out mostly colourless, the other mostly colourful; "
                                 "which half is which changes from one training run to the next.";
        vw_wrap(dl, body.x + L->pad, body.y + body.h - note_h, body.w - 2 * L->pad, FONT_SANS, L->px_small,
                COL(v, v->m->weights && !v->m->weights->trained ? TC_WARN : TC_DIM), note);
        for (int gi = 0; gi < im->kern_groups; gi++) {
            char t[96];
            snprintf(t, sizeof t, "filters %d–%d: one GPU's half", gi * per, gi * per + per - 1);
            int y = body.y + gi * (band_h + L->px_body * 2);
            dl_text(dl, body.x + L->pad, y, FONT_BOLD, L->px_body, COL(v, TC_DIM), t);
            UiGrid g;
            ui_grid_fit(&g, (UiRect){body.x, y + L->px_body * 3 / 2, body.w, band_h}, per, im->kern_k, im->kern_k, US(v, 3));
            for (int j = 0; j < per; j++) dl_image(dl, IMG_KERNELS, ui_kernel_src(im, gi * per + j), ui_grid_tile(&g, j), white);
        }
        return;
    }
    UiGrid g;
    UiRect area = body;
    area.h -= L->px_body * 2;
    ui_grid_fit(&g, area, im->kern_n, im->kern_k, im->kern_k, US(v, 5));
    for (int j = 0; j < im->kern_n; j++) dl_image(dl, IMG_KERNELS, ui_kernel_src(im, j), ui_grid_tile(&g, j), white);
    dl_text(dl, body.x + L->pad, body.y + body.h - L->px_body * 3 / 2, FONT_SANS, L->px_small, COL(v, TC_DIM),
            "blue < 0 < red, white = 0; one tile per input channel the filter reads");
}

void vw_center(DrawList *dl, const UiView *v)
{
    const UiState *st = v->st;
    const Net *n = v->m->net;
    Shape s = ui_pos_shape(n, st->pos);
    char head[200], sh[32], right[96] = "";
    shape_hwc(s, sh, sizeof sh);
    const float *d = ui_view_data(v, st->pos, &s);
    if (vw_tools(dl, v) || vw_saliency(dl, v)) return;
    if (vw_im2col(dl, v)) return;
    if (show_kernels(v)) {
        int kl = kernel_layer(v);
        const PlanLayer *r = &n->plan.layers[kl];
        int o = st->channel >= 0 && st->channel < r->out.c ? st->channel : 0;
        if (v->im->kern_rgb)
            snprintf(head, sizeof head, "%s: %d filters of %d×%d×3 (RGB)", r->spec->name, r->out.c, r->spec->k, r->spec->k);
        else
            snprintf(head, sizeof head, "%s filter %d: %d slices of %d×%d", r->spec->name, o, r->in.c / r->spec->groups, r->spec->k, r->spec->k);
        snprintf(right, sizeof right, "K: feature maps");
        center_head(dl, v, head, right);
        center_kernels(dl, v);
        return;
    }
    if (is_spatial(s))
        snprintf(head, sizeof head, "%s: %d maps of %d×%d", ui_pos_name(n, st->pos), s.c, s.h, s.w);
    else if (vw_is_prob(v, st->pos))
        snprintf(head, sizeof head, "%s: top 5 of %d classes", ui_pos_name(n, st->pos), s.c);
    else
        snprintf(head, sizeof head, "%s: a vector of %s numbers", ui_pos_name(n, st->pos), sh);
    if (is_spatial(s))
        snprintf(right, sizeof right, "%s, %s", st->norm ? "per layer" : "per channel", st->cmap ? "viridis" : "grey");
    center_head(dl, v, head, right);
    if (!d && !v->m->has_input && !v->m->busy) {
        UiRect b = ui_rect_inset(v->L->center_body, v->L->pad * 2);
        vw_wrap(dl, b.x, b.y + b.h / 2, b.w, FONT_BOLD, v->L->px_title, COL(v, TC_DIM),
                "No image yet: drop a photo here, or press S for a sample.");
        return;
    }
    if (!d) {
        static const char *const dots[] = {"", ".", "..", "..."};
        char t[128];
        snprintf(t, sizeof t, "computing %s…%s", ui_pos_name(n, st->pos), dots[(int)(v->now * 3) % 4]);
        dl_text_in(dl, v->L->center_body, 0, FONT_BOLD, v->L->px_big, COL(v, TC_WARN), t);
        return;
    }
    if (is_spatial(s)) center_tiles(dl, v, s);
    else center_strip(dl, v, d, s);
}

/* ---- the enlarged tile ----------------------------------------------------------------------- */

void vw_zoom(DrawList *dl, const UiView *v)
{
    if (vw_patches(dl, v)) return;
    const UiLayout *L = v->L;
    int c;
    UiRect r;
    Shape s;
    const float *d = v->m->net ? ui_view_data(v, v->st->pos, &s) : NULL;
    if (!vw_zoom_rect(v, &c, &r) || !d) {
        dl_text_in(dl, L->zoom_head, -1, FONT_BOLD, L->px_body, COL(v, TC_TEXT), "Enlarged channel");
        const char *hint = d && !is_spatial(s) ? "fc layers have no maps: hover a cell to read it"
                                               : "hover a tile to preview it, click it to keep it and see its math";
        vw_wrap(dl, L->zoom_area.x, L->zoom_area.y + L->pad, L->zoom_area.w, FONT_SANS, L->px_body, COL(v, TC_DIM), hint);
        return;
    }
    char t[160];
    float lo = 0, hi = 0;
    const float *ch = d + (size_t)c * s.h * s.w;
    lo = hi = ch[0];
    for (long i = 1; i < (long)s.h * s.w; i++) lo = ch[i] < lo ? ch[i] : lo, hi = ch[i] > hi ? ch[i] : hi;
    snprintf(t, sizeof t, "channel %d%s   min %.3g  max %.3g", c, v->st->channel == c ? "" : " (preview)", lo, hi);
    dl_text_in(dl, L->zoom_head, -1, FONT_BOLD, L->px_body, COL(v, TC_TEXT), t);
    dl_image(dl, IMG_ATLAS, ui_atlas_src(v->im, c), r, (UiColor){255, 255, 255, 255});
    dl_frame(dl, r, COL(v, TC_EDGE), 1);
    const UiUnit *u[2] = {&v->st->unit, &v->st->hover};
    ThemeColor col[2] = {TC_ACCENT, TC_RF};
    for (int i = 0; i < 2; i++) {
        if (!u[i]->valid || u[i]->pos != v->st->pos || u[i]->c != c) continue;
        UiRect px = ui_from_image(r, s.w, s.h, (UiRect){u[i]->x, u[i]->y, 1, 1});
        dl_frame(dl, ui_rect_inset(px, -US(v, 1)), COL(v, col[i]), US(v, 2));
    }
}
