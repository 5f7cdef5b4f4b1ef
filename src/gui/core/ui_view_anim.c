/* ui_view_anim.c - the sliding window drawn over the centre panel (ui_view_anim.h). Every
   number and sentence comes from ui_anim.c. */
#include "ui_view_anim.h"

#include <stdio.h>
#include <string.h>

#include "ui_view_internal.h"

int ui_view_anim_setup(const UiModel *m, const UiState *st, UiAnimSetup *S)
{
    const Net *n = m->net;
    if (!n || st->pos < 1 || st->pos > n->nlayers) return 0;
    int layer = ui_pos_layer(st->pos);
    return ui_anim_setup(n->arch, layer, n->plan.layers[layer].in, (UiAnimVariant)st->anim.variant, S) == 0;
}

/* The output channel followed: the selected one, else 0. */
static int out_channel(const UiView *v, const UiAnimSetup *S)
{
    int oc = v->st->channel, c = v->m->net->plan.layers[S->layer].out.c;
    return oc >= 0 && oc < c ? oc : 0;
}

/* The network's input with three channels is the crop picture; other inputs one channel. */
static int input_is_photo(const UiView *v, const UiAnimSetup *S)
{
    return S->layer == 0 && v->m->net->plan.layers[0].in.c == 3 && v->im->img[IMG_CROP].key;
}

void ui_view_anim_images(UiImages *im, const UiView *v)
{
    UiAnimSetup S;
    if (!v->st->anim.on || !ui_view_anim_setup(v->m, v->st, &S) || input_is_photo(v, &S)) return;
    Shape s;
    const float *d = ui_view_data(v, v->st->pos - 1, &s);
    if (!d) return;
    int ch = ui_anim_in_channel(&S, s, out_channel(v, &S));
    const UiModel *m = v->m;
    uint64_t key = ui_key(ui_key(ui_key(m->net_gen, m->data_gen), (uint64_t)v->st->pos), (uint64_t)(ch * 2 + v->st->cmap));
    if (im->img[IMG_ANIM].key == key) return;
    const float *map = d + (size_t)ch * s.h * s.w;
    float lo, hi;
    viz_range(map, (long)s.h * s.w, &lo, &hi);
    Image pic = {0};
    Err e = {0};
    if (viz_channel_image(map, s.h, s.w, lo, hi, (Colormap)v->st->cmap, 1, &pic, &e) == 0)
        ui_images_set(im, IMG_ANIM, &pic, key);
    img_free(&pic);
}

/* ---- one panel ------------------------------------------------------------------------------ */

typedef struct {
    UiRect r;       /* the grid on screen */
    int lo_y, lo_x; /* input coordinate of its top-left cell */
    float cell;     /* pixels per cell */
} Grid;

static UiRect cells(const Grid *g, int y, int x, int h, int w)
{
    int x0 = g->r.x + (int)((x - g->lo_x) * g->cell), y0 = g->r.y + (int)((y - g->lo_y) * g->cell);
    int x1 = g->r.x + (int)((x + w - g->lo_x) * g->cell), y1 = g->r.y + (int)((y + h - g->lo_y) * g->cell);
    return (UiRect){x0, y0, x1 - x0 > 1 ? x1 - x0 : 1, y1 - y0 > 1 ? y1 - y0 : 1};
}

static UiColor alpha(UiColor c, int a) { return (UiColor){c.r, c.g, c.b, (unsigned char)a}; }

/* Cells from the padding's first to the last any window reaches (past the edge with ceil). */
static int extent(const UiAnimGeom *g, int *hi_y, int *hi_x)
{
    *hi_y = (g->out_h - 1) * g->s - g->p + g->f, *hi_x = (g->out_w - 1) * g->s - g->p + g->f;
    if (*hi_y < g->n_h + g->p) *hi_y = g->n_h + g->p;
    if (*hi_x < g->n_w + g->p) *hi_x = g->n_w + g->p;
    return (*hi_x > *hi_y ? *hi_x : *hi_y) + g->p;
}

/* The input of one panel in r, at the scale of `span` cells (the widest panel's, so side by
   side the pictures match): padding zeros, the picture, the cells past the edge, the
   previous window (dim) and the current one. Returns the current window's rect. */
static UiRect draw_input(DrawList *dl, const UiView *v, const UiAnimSetup *S, const UiAnimGeom *g, const UiAnimWin *w,
                         UiRect r, int span)
{
    int hi_y, hi_x;
    extent(g, &hi_y, &hi_x);
    int th = hi_y + g->p, tw = hi_x + g->p;
    Grid G = {{0}, -g->p, -g->p, 1.0f};
    G.cell = (float)r.w / span < (float)r.h / span ? (float)r.w / span : (float)r.h / span;
    G.r = (UiRect){r.x, r.y, (int)(tw * G.cell), (int)(th * G.cell)};
    if (hi_y > g->n_h + g->p || hi_x > g->n_w + g->p) /* where only ceil puts a window */
        dl_frame(dl, G.r, COL(v, TC_WARN), 1);
    if (g->p > 0) { /* the frame of zeros */
        UiRect pad = cells(&G, -g->p, -g->p, g->n_h + 2 * g->p, g->n_w + 2 * g->p);
        dl_rect(dl, pad, COL(v, TC_BOX));
        dl_frame(dl, pad, COL(v, TC_DIM), 1);
    }
    UiRect in = cells(&G, 0, 0, g->n_h, g->n_w);
    UiColor white = {255, 255, 255, 255};
    int id = input_is_photo(v, S) ? IMG_CROP : IMG_ANIM;
    const UiImage *pic = &v->im->img[id];
    Shape ds;
    if (pic->key && ui_view_data(v, v->st->pos - 1, &ds)) { /* not the last layer's while this one computes */
        int sw = pic->w < g->n_w ? pic->w : g->n_w, sh = pic->h < g->n_h ? pic->h : g->n_h;
        dl_image(dl, id, (UiRect){0, 0, sw, sh}, cells(&G, 0, 0, sh, sw), white);
    } else {
        dl_rect(dl, in, COL(v, TC_BOX_DONE));
    }
    dl_frame(dl, in, COL(v, TC_EDGE), 1);
    if (w->k > 0) { /* the previous position, to see the stride */
        UiAnimWin prev;
        ui_anim_window(g, S, w->k - 1, &prev);
        if (prev.has) dl_frame(dl, cells(&G, prev.y0, prev.x0, g->f, g->f), COL(v, TC_DIM), 1);
    }
    UiRect win = cells(&G, w->y0, w->x0, g->f, g->f);
    if (!w->has) return win;
    UiColor wc = COL(v, w->over_cells ? TC_WARN : TC_ACCENT);
    dl_rect(dl, win, alpha(wc, 70));
    if (G.cell >= 5) /* the window's own cells */
        for (int i = 1; i < g->f; i++) {
            UiRect a = cells(&G, w->y0 + i, w->x0, 1, 1), b = cells(&G, w->y0, w->x0 + i, 1, 1);
            dl_line(dl, win.x, a.y, win.x + win.w, a.y, alpha(wc, 110), 1);
            dl_line(dl, b.x, win.y, b.x, win.y + win.h, alpha(wc, 110), 1);
        }
    int px = (int)(G.cell * 0.8f);
    if (G.cell >= 8 && (w->pad_cells || w->over_cells)) /* the zeros under the window */
        for (int y = w->y0; y < w->y0 + g->f; y++)
            for (int x = w->x0; x < w->x0 + g->f; x++) {
                int inside = y >= 0 && y < g->n_h && x >= 0 && x < g->n_w;
                int padded = y >= -g->p && y < g->n_h + g->p && x >= -g->p && x < g->n_w + g->p;
                if (!inside) dl_text_in(dl, cells(&G, y, x, 1, 1), 0, FONT_MONO, px, COL(v, TC_TEXT), padded ? "0" : "·");
            }
    dl_frame(dl, win, wc, US(v, 2) > 1 ? US(v, 2) : 2);
    return win;
}

/* The output of one panel in r, filled in up to the current position; the unit just made
   lit. Returns its rect. */
static UiRect draw_output(DrawList *dl, const UiView *v, const UiAnimSetup *S, const UiAnimGeom *g, const UiAnimWin *w,
                          UiRect r)
{
    int span = S->cols; /* the widest panel's output sets the scale */
    for (int i = 0; i < S->npanels; i++)
        if (S->panel[i].out_h > span) span = S->panel[i].out_h;
    float cell = (float)r.w / span < (float)r.h / span ? (float)r.w / span : (float)r.h / span;
    Grid G = {{r.x, r.y, (int)(g->out_w * cell), (int)(g->out_h * cell)}, 0, 0, cell};
    dl_rect(dl, G.r, COL(v, TC_BOX));
    int rows = w->row < g->out_h ? w->row : g->out_h, last = w->col < g->out_w ? w->col + 1 : g->out_w;
    if (w->row >= g->out_h) last = 0;
    Shape s;
    int atlas = g->as_run && ui_view_data(v, v->st->pos, &s) && v->im->img[IMG_ATLAS].key;
    UiRect src = atlas ? ui_atlas_src(v->im, out_channel(v, S)) : (UiRect){0, 0, 0, 0};
    UiColor white = {255, 255, 255, 255};
    if (rows > 0) {
        UiRect a = cells(&G, 0, 0, rows, g->out_w);
        if (atlas) dl_image(dl, IMG_ATLAS, (UiRect){src.x, src.y, g->out_w, rows}, a, white);
        else dl_rect(dl, a, COL(v, TC_BOX_DONE));
    }
    if (last > 0) {
        UiRect b = cells(&G, rows, 0, 1, last);
        if (atlas) dl_image(dl, IMG_ATLAS, (UiRect){src.x, src.y + rows, last, 1}, b, white);
        else dl_rect(dl, b, COL(v, TC_BOX_DONE));
    }
    dl_frame(dl, G.r, COL(v, TC_EDGE), 1);
    UiRect unit = cells(&G, w->row, w->col, 1, 1);
    if (!w->has) return unit;
    if (!atlas) dl_rect(dl, unit, COL(v, TC_ACCENT));
    dl_frame(dl, ui_rect_inset(unit, -US(v, 2)), COL(v, TC_ACCENT), US(v, 2) > 1 ? US(v, 2) : 2);
    return unit;
}

static int text_line(DrawList *dl, const UiView *v, UiRect r, int y, int font, int px, ThemeColor c, const char *s)
{
    return vw_wrap(dl, r.x, y, r.w, font, px, COL(v, c), s);
}

/* One version of the layer in r: title, formula, input and output side by side, counters. */
static void draw_panel(DrawList *dl, const UiView *v, const UiAnimSetup *S, const UiAnimGeom *g, UiRect r, int span)
{
    const UiLayout *L = v->L;
    int px = L->px_small + US(v, 1);
    UiAnimWin w;
    ui_anim_window(g, S, v->st->anim.k, &w);
    int y = text_line(dl, v, r, r.y, FONT_BOLD, px, g->as_run ? TC_TEXT : TC_DIM, g->title);
    char t[256], c[256], d[256];
    y = text_line(dl, v, r, y, FONT_MONO, px, TC_ACCENT, g->p > 0 ? g->calc.padded : g->calc.nopad) + US(v, 4);
    ui_anim_counter(g, &w, c, sizeof c);
    ui_anim_covers(g, &w, t, sizeof t);
    ui_anim_done(g, &w, d, sizeof d);
    int below = vw_wrap_height(dl, r.w, FONT_BOLD, L->px_body, c) + vw_wrap_height(dl, r.w, FONT_SANS, px, t) +
                (d[0] ? vw_wrap_height(dl, r.w, FONT_BOLD, px, d) : px * 13 / 10 + 1) + US(v, 4);
    UiRect area = {r.x, y, r.w, r.y + r.h - y - below};
    if (area.h < US(v, 40)) area.h = US(v, 40);
    /* the input as large as the height allows, the output beside it */
    int gap = L->gap * 2, iw = (area.w - gap) * 68 / 100;
    if (iw > area.h) iw = area.h; /* the grid is square: no wider than high */
    UiRect in = {area.x, area.y, iw, area.h};
    UiRect out = {area.x + iw + gap, area.y, area.w - iw - gap, area.h * 3 / 4};
    UiRect win = draw_input(dl, v, S, g, &w, in, span);
    UiRect unit = draw_output(dl, v, S, g, &w, out);
    if (w.has)
        dl_line(dl, win.x + win.w, win.y + win.h / 2, unit.x, unit.y + unit.h / 2, alpha(COL(v, TC_ACCENT), 160), 1);
    y = area.y + area.h + US(v, 4);
    y = text_line(dl, v, r, y, FONT_BOLD, L->px_body, w.has ? TC_TEXT : TC_WARN, c);
    y = text_line(dl, v, r, y, FONT_SANS, px, w.over_cells ? TC_WARN : TC_DIM, t);
    if (d[0]) text_line(dl, v, r, y, FONT_BOLD, px, TC_ACCENT, d);
}

/* ---- the whole ------------------------------------------------------------------------------- */

/* Which input channel is drawn, in words. */
static void input_words(const UiView *v, const UiAnimSetup *S, char *buf, size_t size)
{
    const Net *n = v->m->net;
    const PlanLayer *pl = &n->plan.layers[S->layer];
    const LayerSpec *l = S->spec;
    const char *src = ui_pos_name(n, v->st->pos - 1);
    int oc = out_channel(v, S), ch = ui_anim_in_channel(S, pl->in, oc);
    if (input_is_photo(v, S)) {
        snprintf(buf, size, "Input: the %d×%d photo, all %d channels (the window is %d×%d×%d deep)", pl->in.h, pl->in.w,
                 pl->in.c, l->k, l->k, pl->in.c);
    } else if (l->kind == LK_CONV) {
        int cin_g = pl->in.c / (l->groups > 0 ? l->groups : 1);
        snprintf(buf, size,
                 "Input: channel %d of %s's %d, the first the window reads for output channel %d (it is %d×%d×%d deep: "
                 "channels %d–%d)",
                 ch, src, pl->in.c, oc, l->k, l->k, cin_g, ch, ch + cin_g - 1);
    } else {
        snprintf(buf, size, "Input: channel %d of %s's %d; pooling works on each channel alone, output channel %d", ch,
                 src, pl->in.c, oc);
    }
}

int vw_anim(DrawList *dl, const UiView *v)
{
    UiAnimSetup S;
    if (!v->st->anim.on || !ui_view_anim_setup(v->m, v->st, &S)) return 0;
    const UiLayout *L = v->L;
    const UiAnimState *a = &v->st->anim;
    char t[320], right[128];
    UiRect h = ui_rect_inset(L->center_head, US(v, 6));
    snprintf(right, sizeof right, "%d / %d · %g/s%s", a->k + 1, S.count, ui_anim_speeds[a->speed],
             a->playing ? "" : " · paused");
    int rw = dl_text_in(dl, h, 1, FONT_SANS, L->px_body, COL(v, TC_DIM), right);
    h.w -= rw + L->gap;
    snprintf(t, sizeof t, "%s: %d×%d window, stride %d", S.spec->name, S.spec->k, S.spec->k, S.spec->stride);
    dl_clip(dl, h);
    dl_text_in(dl, h, -1, FONT_BOLD, L->px_title, COL(v, TC_TEXT), t);
    dl_unclip(dl);
    UiRect b = ui_rect_inset(L->center_body, US(v, 6));
    input_words(v, &S, t, sizeof t);
    int y = vw_wrap(dl, b.x, b.y, b.w, FONT_SANS, L->px_small, COL(v, TC_TEXT), t);
    ui_anim_overlap(&S, t, sizeof t);
    y = vw_wrap(dl, b.x, y, b.w, FONT_SANS, L->px_small, COL(v, TC_TEXT), t) + US(v, 6);
    snprintf(t, sizeof t, "A stop · Space %s · → ← one position · [ ] speed · V compare (now: %s)",
             a->playing ? "pause" : "play", ui_anim_variant_names[S.variant]);
    int kh = v->st->lesson ? 0 : L->px_small * 3 / 2;
    if (kh) dl_text(dl, b.x, b.y + b.h - kh, FONT_SANS, L->px_small, COL(v, TC_DIM), t);
    UiRect body = {b.x, y, b.w, b.y + b.h - kh - y};
    int gap = L->gap * 3, pw = (body.w - gap * (S.npanels - 1)) / S.npanels, span = 0, hy, hx;
    for (int i = 0; i < S.npanels; i++)
        if (extent(&S.panel[i], &hy, &hx) > span) span = extent(&S.panel[i], &hy, &hx);
    for (int i = 0; i < S.npanels; i++) {
        UiRect r = {body.x + i * (pw + gap), body.y, pw, body.h};
        if (i > 0) dl_line(dl, r.x - gap / 2, r.y, r.x - gap / 2, r.y + r.h, COL(v, TC_EDGE), 1);
        draw_panel(dl, v, &S, &S.panel[i], r, span);
    }
    return 1;
}

char *ui_view_anim_text(const UiView *v, char *buf, size_t size)
{
    UiAnimSetup S;
    if (size) buf[0] = '\0';
    if (!v->st->anim.on || !ui_view_anim_setup(v->m, v->st, &S)) return buf;
    size_t n = 0;
    for (int i = 0; i < S.npanels && n < size; i++) {
        const UiAnimGeom *g = &S.panel[i];
        UiAnimWin w;
        char c[200], cov[200], done[200];
        ui_anim_window(g, &S, v->st->anim.k, &w);
        ui_anim_covers(g, &w, cov, sizeof cov);
        ui_anim_done(g, &w, done, sizeof done);
        int m = snprintf(buf + n, size - n, "%s %s: %s%s%s%s%s\n", S.spec->name, g->title, ui_anim_counter(g, &w, c, sizeof c),
                         cov[0] ? "; " : "", cov, done[0] ? "; " : "", done);
        if (m < 0) break;
        n += (size_t)m;
    }
    return buf;
}
