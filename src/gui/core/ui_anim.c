/* ui_anim.c - the sliding window's geometry, texts and playing state (ui_anim.h). */
#include "ui_anim.h"

#include <stdio.h>
#include <string.h>

const char *const ui_anim_variant_names[UI_ANIM_VARIANTS] = {"auto", "layer", "padding", "rounding", "paper"};

const double ui_anim_speeds[UI_ANIM_SPEEDS] = {1, 2, 5, 10, 20, 50, 100, 250, 1000};

/* ---- geometry ----------------------------------------------------------------------------- */

/* Conv layers always round down (layer_out_shape); pools as their spec says. */
static int layer_ceil(const LayerSpec *l) { return l->kind == LK_CONV ? 0 : l->ceil_mode; }

static void make_geom(UiAnimGeom *g, const LayerSpec *l, int n_h, int n_w, int p, int ceil_mode, int as_run,
                      const char *title)
{
    memset(g, 0, sizeof *g);
    g->n_h = n_h, g->n_w = n_w, g->f = l->k, g->p = p, g->s = l->stride, g->ceil_mode = ceil_mode;
    g->out_h = conv_out_size(n_h, l->k, p, l->stride, ceil_mode);
    g->out_w = conv_out_size(n_w, l->k, p, l->stride, ceil_mode);
    g->as_run = as_run;
    LayerSpec v = *l;
    v.pad = p, v.ceil_mode = ceil_mode;
    size_calc(&v, n_w, &g->calc);
    snprintf(g->title, sizeof g->title, "%s", title);
}

/* Floor and ceil give different sizes for n with the layer's padding. */
static int rounding_matters(const LayerSpec *l, int n)
{
    return conv_out_size(n, l->k, l->pad, l->stride, 0) != conv_out_size(n, l->k, l->pad, l->stride, 1);
}

static const LayerSpec *windowed(const ArchSpec *a, int layer)
{
    if (layer < 0 || layer >= a->nlayers || !layer_kind(a->layers[layer].kind)->windowed) return NULL;
    return &a->layers[layer];
}

int ui_anim_applies(const ArchSpec *a, int layer, Shape in, UiAnimVariant v)
{
    const LayerSpec *l = windowed(a, layer);
    if (!l) return 0;
    switch (v) {
    case UI_ANIM_PADDING: return l->pad > 0;
    case UI_ANIM_ROUNDING: return rounding_matters(l, in.w);
    case UI_ANIM_PAPER:
        return layer == arch_first_conv(a) && in.w != UI_ANIM_PAPER_N && in.w >= l->k &&
               rounding_matters(l, UI_ANIM_PAPER_N);
    case UI_ANIM_AUTO:
    case UI_ANIM_LAYER: return 1;
    case UI_ANIM_VARIANTS: break;
    }
    return 0;
}

UiAnimVariant ui_anim_next_variant(const ArchSpec *a, int layer, Shape in, UiAnimVariant cur)
{
    UiAnimVariant v = cur;
    for (int i = 0; i < UI_ANIM_VARIANTS; i++) {
        v = v + 1 >= UI_ANIM_VARIANTS ? UI_ANIM_LAYER : (UiAnimVariant)(v + 1);
        if (ui_anim_applies(a, layer, in, v)) return v;
    }
    return UI_ANIM_LAYER;
}

int ui_anim_setup(const ArchSpec *a, int layer, Shape in, UiAnimVariant want, UiAnimSetup *S)
{
    memset(S, 0, sizeof *S);
    const LayerSpec *l = windowed(a, layer);
    if (!l) return -1;
    S->layer = layer, S->spec = l;
    UiAnimVariant v = want > UI_ANIM_AUTO && want < UI_ANIM_VARIANTS && ui_anim_applies(a, layer, in, want) ? want
                      : ui_anim_applies(a, layer, in, UI_ANIM_PADDING)                                     ? UI_ANIM_PADDING
                      : ui_anim_applies(a, layer, in, UI_ANIM_ROUNDING)                                    ? UI_ANIM_ROUNDING
                                                                                                           : UI_ANIM_LAYER;
    S->variant = v;
    int c = layer_ceil(l);
    char t[96];
    switch (v) {
    case UI_ANIM_PADDING:
        snprintf(t, sizeof t, "with padding p = %d", l->pad);
        make_geom(&S->panel[0], l, in.h, in.w, l->pad, c, 1, t);
        make_geom(&S->panel[1], l, in.h, in.w, 0, c, 0, "without padding (p = 0)");
        S->npanels = 2;
        break;
    case UI_ANIM_ROUNDING:
        make_geom(&S->panel[0], l, in.h, in.w, l->pad, c, 1, c ? "rounded up (ceil), as this layer does"
                                                                : "rounded down (floor), as this layer does");
        make_geom(&S->panel[1], l, in.h, in.w, l->pad, !c, 0, c ? "if it rounded down (floor)" : "if it rounded up (ceil)");
        S->npanels = 2;
        break;
    case UI_ANIM_PAPER:
        snprintf(t, sizeof t, "at %d, rounded down (floor)", UI_ANIM_PAPER_N);
        make_geom(&S->panel[0], l, UI_ANIM_PAPER_N, UI_ANIM_PAPER_N, l->pad, 0, 0, t);
        snprintf(t, sizeof t, "at %d, rounded up (ceil, cuda-convnet)", UI_ANIM_PAPER_N);
        make_geom(&S->panel[1], l, UI_ANIM_PAPER_N, UI_ANIM_PAPER_N, l->pad, 1, 0, t);
        S->npanels = 2;
        break;
    default:
        snprintf(t, sizeof t, "%d×%d window, stride %d, padding %d", l->k, l->k, l->stride, l->pad);
        make_geom(&S->panel[0], l, in.h, in.w, l->pad, c, 1, t);
        S->npanels = 1;
        break;
    }
    int rows = 0;
    for (int i = 0; i < S->npanels; i++) {
        if (S->panel[i].out_h > rows) rows = S->panel[i].out_h;
        if (S->panel[i].out_w > S->cols) S->cols = S->panel[i].out_w;
    }
    S->count = rows * S->cols;
    return S->count > 0 ? 0 : -1;
}

/* How many of [a, a + n) fall in [lo, hi). */
static int span_in(int a, int n, int lo, int hi)
{
    int x0 = a > lo ? a : lo, x1 = a + n < hi ? a + n : hi;
    return x1 > x0 ? x1 - x0 : 0;
}

void ui_anim_window(const UiAnimGeom *g, const UiAnimSetup *S, int k, UiAnimWin *w)
{
    memset(w, 0, sizeof *w);
    if (k >= S->count) k = S->count - 1;
    if (k < 0) k = 0;
    int cols = S->cols > 0 ? S->cols : 1;
    w->k = k, w->row = k / cols, w->col = k % cols;
    w->has = w->row < g->out_h && w->col < g->out_w;
    w->f = g->f;
    w->y0 = w->row * g->s - g->p, w->x0 = w->col * g->s - g->p;
    w->iy0 = w->y0 > 0 ? w->y0 : 0, w->iy1 = w->y0 + g->f - 1 < g->n_h - 1 ? w->y0 + g->f - 1 : g->n_h - 1;
    w->ix0 = w->x0 > 0 ? w->x0 : 0, w->ix1 = w->x0 + g->f - 1 < g->n_w - 1 ? w->x0 + g->f - 1 : g->n_w - 1;
    int in = span_in(w->y0, g->f, 0, g->n_h) * span_in(w->x0, g->f, 0, g->n_w);
    int padded = span_in(w->y0, g->f, -g->p, g->n_h + g->p) * span_in(w->x0, g->f, -g->p, g->n_w + g->p);
    w->pad_cells = padded - in;
    w->over_cells = g->f * g->f - padded;
}

/* ---- texts -------------------------------------------------------------------------------- */

char *ui_anim_counter(const UiAnimGeom *g, const UiAnimWin *w, char *buf, size_t size)
{
    if (w->has)
        snprintf(buf, size, "position %d of %d in this row · row %d of %d", w->col + 1, g->out_w, w->row + 1, g->out_h);
    else if (w->col >= g->out_w)
        snprintf(buf, size, "no position %d here: this version stops at %d per row", w->col + 1, g->out_w);
    else
        snprintf(buf, size, "no row %d here: this version stops at %d rows", w->row + 1, g->out_h);
    return buf;
}

char *ui_anim_covers(const UiAnimGeom *g, const UiAnimWin *w, char *buf, size_t size)
{
    int n = 0, cells = g->f * g->f;
    if (!w->has) {
        if (size) buf[0] = '\0';
        return buf;
    }
    if (w->iy0 > w->iy1 || w->ix0 > w->ix1) n = snprintf(buf, size, "the window covers no input pixel");
    else
        n = snprintf(buf, size, "covers rows %d–%d, columns %d–%d", w->iy0, w->iy1, w->ix0, w->ix1);
    if (n < 0 || (size_t)n >= size) return buf;
    if (w->pad_cells > 0)
        n += snprintf(buf + n, size - (size_t)n, " · %d of %d cells are padding zeros", w->pad_cells, cells);
    if (n >= 0 && (size_t)n < size && w->over_cells > 0)
        snprintf(buf + n, size - (size_t)n, " · %d of %d cells hang over the edge (no input there)", w->over_cells, cells);
    return buf;
}

char *ui_anim_done(const UiAnimGeom *g, const UiAnimWin *w, char *buf, size_t size)
{
    if (w->has && w->row == g->out_h - 1 && w->col == g->out_w - 1)
        snprintf(buf, size, "last position: %d per row, %d rows = %s", g->out_w, g->out_h,
                 g->p > 0 ? g->calc.padded : g->calc.nopad);
    else if (size)
        buf[0] = '\0';
    return buf;
}

char *ui_anim_overlap(const UiAnimSetup *S, char *buf, size_t size)
{
    const LayerSpec *l = S->spec;
    int pool = l->kind != LK_CONV, d = l->k - l->stride;
    if (d > 0)
        snprintf(buf, size, "%d×%d windows at stride %d overlap: neighbours share %d column%s%s", l->k, l->k, l->stride,
                 d, d == 1 ? "" : "s", pool ? " (overlapping pooling, the paper's section 3.4)" : "");
    else if (d == 0)
        snprintf(buf, size, "%d×%d windows at stride %d tile the input: no overlap", l->k, l->k, l->stride);
    else
        snprintf(buf, size, "%d×%d windows at stride %d leave %d column%s between them", l->k, l->k, l->stride, -d,
                 -d == 1 ? "" : "s");
    return buf;
}

int ui_anim_in_channel(const UiAnimSetup *S, Shape in, int oc)
{
    const LayerSpec *l = S->spec;
    if (oc < 0) oc = 0;
    if (l->kind != LK_CONV) return oc < in.c ? oc : in.c - 1;
    int groups = l->groups > 0 ? l->groups : 1, per_out = l->out / groups;
    int g = per_out > 0 ? oc / per_out : 0;
    if (g >= groups) g = groups - 1;
    return g * (in.c / groups);
}

/* ---- playing ------------------------------------------------------------------------------ */

void ui_anim_init(UiAnimState *a)
{
    memset(a, 0, sizeof *a);
    a->speed = UI_ANIM_DEFAULT_SPEED;
}

void ui_anim_play_from(UiAnimState *a, int k)
{
    a->on = 1, a->playing = 1, a->k = k < 0 ? 0 : k, a->anchor = 1;
}

void ui_anim_show(UiAnimState *a, int k)
{
    a->on = 1, a->playing = 0, a->k = k < 0 ? 0 : k, a->anchor = 1;
}

void ui_anim_toggle(UiAnimState *a)
{
    if (a->on) a->on = 0, a->playing = 0;
    else ui_anim_play_from(a, a->count > 0 && a->k >= a->count - 1 ? 0 : a->k);
}

void ui_anim_pause(UiAnimState *a)
{
    if (a->playing) a->playing = 0;
    else ui_anim_play_from(a, a->count > 0 && a->k >= a->count - 1 ? 0 : a->k);
}

void ui_anim_step(UiAnimState *a, int delta)
{
    int k = a->k + delta;
    if (a->count > 0 && k > a->count - 1) k = a->count - 1;
    ui_anim_show(a, k);
}

void ui_anim_speed(UiAnimState *a, int delta)
{
    int s = a->speed + delta;
    a->speed = s < 0 ? 0 : s >= UI_ANIM_SPEEDS ? UI_ANIM_SPEEDS - 1 : s;
    a->anchor = 1;
}

void ui_anim_rewind(UiAnimState *a)
{
    a->k = 0, a->anchor = 1;
}

void ui_anim_tick(UiAnimState *a, int count, double now)
{
    a->count = count;
    if (!a->on || count <= 0) return;
    if (a->k > count - 1) a->k = count - 1;
    if (a->anchor) a->t0 = now, a->k0 = a->k, a->anchor = 0;
    if (!a->playing) return;
    double k = a->k0 + (now - a->t0) * ui_anim_speeds[a->speed];
    if (k >= count - 1) a->k = count - 1, a->playing = 0;
    else a->k = (int)k;
}
