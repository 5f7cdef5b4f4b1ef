/* ui_view_im2col.c - the im2col view (ui_view_im2col.h): a conv layer as the patch matrix,
   the weight matrix and their product, with the naive loops' value beside it. */
#include "ui_view_im2col.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "ui_view_internal.h"
#include "util.h"

/* ---- what is shown ------------------------------------------------------------------------- */

static long clampl(long v, long lo, long hi) { return v < lo ? lo : v > hi ? hi : v; }

int ui_im2col_setup(const Net *n, const Weights *w, const float *in, int pos, int channel, const UiUnit *unit,
                    UiIm2col *S)
{
    memset(S, 0, sizeof *S);
    if (!n || pos < 1 || pos > n->nlayers) return -1;
    const PlanLayer *r = &n->plan.layers[pos - 1];
    if (plan_im2col(r, &S->z) != 0) return -1;
    S->layer = pos - 1, S->in = r->in, S->out = r->out, S->k = r->spec->k, S->plan_macs = r->macs;
    S->rgb = S->z.rows == 3 * S->k * S->k;
    int at_pos = unit && unit->valid && unit->pos == pos;
    S->o = at_pos ? unit->c : channel >= 0 && channel < r->out.c ? channel : 0;
    S->y = at_pos ? unit->y : r->out.h / 2;
    S->x = at_pos ? unit->x : r->out.w / 2;
    S->column = (long)S->y * r->out.w + S->x;
    long ncols = S->z.cols;
    S->count = ncols < UI_IM2COL_SLICE ? ncols : UI_IM2COL_SLICE;
    S->first = clampl(S->column - S->count / 2, 0, ncols - S->count);
    S->nwin = ncols < UI_IM2COL_WINDOWS ? (int)ncols : UI_IM2COL_WINDOWS;
    S->win0 = clampl(S->column - S->nwin / 2, 0, ncols - S->nwin);
    if (in && w && w->l && w->l[S->layer].w)
        S->have_unit = im2col_unit(r, &w->l[S->layer], in, S->o, S->y, S->x, &S->u, NULL) == 0;
    return 0;
}

/* "603.9 KiB", "4.2 MiB" */
static char *bytes(char *buf, size_t size, long long b)
{
    if (b < 1048576) snprintf(buf, size, "%.1f KiB", b / 1024.0);
    else snprintf(buf, size, "%.1f MiB", b / 1048576.0);
    return buf;
}

void ui_im2col_text(const Net *n, const UiIm2col *S, UiLines *L)
{
    ui_lines_clear(L);
    const PlanIm2col *z = &S->z;
    const char *name = n->plan.layers[S->layer].spec->name;
    char rows[32], cols[32], wr[32], macs[32], plan[32], c0[32], c1[32], col[32], sh[32], a[32], b[32];
    fmt_count(rows, sizeof rows, z->rows), fmt_count(cols, sizeof cols, z->cols), fmt_count(wr, sizeof wr, z->wrows);
    fmt_count(macs, sizeof macs, z->macs), fmt_count(plan, sizeof plan, S->plan_macs);
    fmt_count(col, sizeof col, S->column);
    shape_hwc(S->out, sh, sizeof sh);
    int group = S->o / z->wrows;
    if (z->groups == 1) ui_lines_add(L, UI_LS_HEAD, "%s as one matrix product (im2col, as Caffe computes it)", name);
    else ui_lines_add(L, UI_LS_HEAD, "%s as %d matrix products (im2col), group %d of %d", name, z->groups, group + 1, z->groups);
    if (z->groups == 1) {
        ui_lines_add(L, UI_LS_MONO, "W %s × %s · patches %s × %s → %s × %s → %s", wr, rows, rows, cols, wr, cols, sh);
        ui_lines_add(L, UI_LS_MONO, "%s", "");
    } else {
        ui_lines_add(L, UI_LS_MONO, "W %s × %s · patches %s × %s → %s × %s", wr, rows, rows, cols, wr, cols);
        ui_lines_add(L, UI_LS_MONO, "the %d groups' products stacked → %s", z->groups, sh);
    }
    char grp[16] = "";
    if (z->groups > 1) snprintf(grp, sizeof grp, "%d × ", z->groups);
    ui_lines_add(L, UI_LS_BODY, "MACs %s%s × %s × %s = %s %s the naive loops' %s", grp, wr, rows, cols, macs,
                 z->macs == S->plan_macs ? "=" : "≠", plan);
    fmt_count(c0, sizeof c0, S->first), fmt_count(c1, sizeof c1, S->first + S->count - 1);
    ui_lines_add(L, UI_LS_DIM, "patch matrix, columns %s–%s", c0, c1);
    ui_lines_add(L, UI_LS_DIM, "weights %s × %s", wr, rows);
    fmt_count(c0, sizeof c0, S->win0), fmt_count(c1, sizeof c1, S->win0 + S->nwin - 1);
    if (S->rgb)
        ui_lines_add(L, UI_LS_DIM, "columns %s–%s as %d×%d×3 windows · row %d of W = filter %d", c0, c1, S->k, S->k, S->o,
                     S->o);
    else
        ui_lines_add(L, UI_LS_DIM, "columns %s–%s as windows (channel 0 of %d) · filter %d", c0, c1, S->in.c / z->groups,
                     S->o);
    ui_lines_add(L, UI_LS_DIM, "the whole patch matrix, %s × %s: one column per output position", rows, cols);
    if (S->have_unit) {
        ui_lines_add(L, UI_LS_MONO, "row %d · column %s + b = %.6g", S->o, col, S->u.product);
        ui_lines_add(L, UI_LS_MONO, "naive loops, filter %d at (%d, %d) = %.6g  (|difference| %.2g)", S->o, S->y, S->x,
                     S->u.naive, fabs((double)S->u.product - S->u.naive));
    } else {
        ui_lines_add(L, UI_LS_MONO, "row %d · column %s + b: the input is not computed yet", S->o, col);
        ui_lines_add(L, UI_LS_MONO, "naive loops, filter %d at (%d, %d)", S->o, S->y, S->x);
    }
    ui_lines_add(L, UI_LS_DIM, "patch matrix %s for %s %s input: %.1f×", bytes(a, sizeof a, z->patch_bytes),
                 z->groups > 1 ? "the group's" : "a", bytes(b, sizeof b, z->in_bytes),
                 (double)z->patch_bytes / (double)z->in_bytes);
}

static int setup_view(const UiView *v, UiIm2col *S)
{
    const UiState *st = v->st;
    if (!st->im2col || !v->m->net) return 0;
    Shape s;
    const float *in = ui_view_data(v, st->pos - 1, &s);
    return ui_im2col_setup(v->m->net, v->m->weights, in, st->pos, st->channel, &st->unit, S) == 0;
}

int ui_view_im2col_shown(const UiView *v)
{
    UiIm2col S;
    return setup_view(v, &S);
}

/* ---- the picture: patch matrix, weight matrix, tiles ----------------------------------------- */

/* Where each part lies in IMG_IM2COL: the patch matrix (cols × rows) at the top, the weight
   matrix (rows × wrows) below it, then nwin windows and the filter, k×k each. */
typedef struct {
    UiRect mat, wts, tile0;
    int w, h;
} Atlas;

static Atlas atlas_of(const UiIm2col *S)
{
    Atlas A;
    int rows = S->z.rows, cols = (int)S->z.cols, k = S->k, tiles = (S->nwin + 1) * (k + 1);
    A.mat = (UiRect){0, 0, cols, rows};
    A.wts = (UiRect){0, rows, rows, S->z.wrows};
    A.tile0 = (UiRect){0, rows + S->z.wrows, k, k};
    A.w = cols > rows ? cols : rows;
    if (tiles > A.w) A.w = tiles;
    A.h = rows + S->z.wrows + k;
    return A;
}

static UiRect tile_src(const Atlas *A, int i) { return (UiRect){i * (A->tile0.w + 1), A->tile0.y, A->tile0.w, A->tile0.h}; }

/* Paints the atlas into pic; cols is the group's patch matrix (rows, ncols). */
static void paint(Image *pic, const Atlas *A, const UiIm2col *S, const float *cols, const float *w, int bgr, Colormap cm)
{
    int rows = S->z.rows;
    long ncols = S->z.cols;
    float lo, hi;
    viz_range(cols, rows * ncols, &lo, &hi);
    for (int r = 0; r < rows; r++)
        for (long p = 0; p < ncols; p++)
            viz_colormap_rgb(cm, viz_unit(cols[r * ncols + p], lo, hi), pic->px + ((size_t)r * pic->w + p) * 3);
    const float *wg = w + (long)(S->o / S->z.wrows) * S->z.wrows * rows; /* the group's (wrows, rows) */
    float wlo, whi;
    viz_range(wg, (long)S->z.wrows * rows, &wlo, &whi);
    float m = fmaxf(fabsf(wlo), fabsf(whi));
    for (int o = 0; o < S->z.wrows; o++)
        for (int r = 0; r < rows; r++)
            viz_diverging_rgb(m > 0 ? wg[(long)o * rows + r] / m : 0, pic->px + ((size_t)(A->wts.y + o) * pic->w + r) * 3);
    float *col = malloc(sizeof(float) * (size_t)rows);
    if (!col) return;
    int k = S->k;
    for (int i = 0; i <= S->nwin; i++) {
        UiRect t = tile_src(A, i);
        if (i < S->nwin) {
            for (int r = 0; r < rows; r++) col[r] = cols[r * ncols + S->win0 + i];
        } else
            memcpy(col, w + (long)S->o * rows, sizeof(float) * (size_t)rows);
        if (S->rgb) viz_paint_filter_rgb(pic, t.x, t.y, col, 3, k, bgr, 1);
        else if (i < S->nwin) viz_paint_channel(pic, t.x, t.y, col, k, k, lo, hi, cm, 1);
        else
            for (int j = 0; j < k * k; j++)
                viz_diverging_rgb(m > 0 ? col[j] / m : 0, pic->px + ((size_t)(t.y + j / k) * pic->w + t.x + j % k) * 3);
    }
    free(col);
}

void ui_view_im2col_images(UiImages *im, const UiView *v)
{
    UiIm2col S;
    if (!setup_view(v, &S) || !v->m->weights) return;
    Shape s;
    const float *in = ui_view_data(v, v->st->pos - 1, &s);
    if (!in) return;
    const UiModel *m = v->m;
    uint64_t key = ui_key(ui_key(ui_key(m->net_gen, m->data_gen), (uint64_t)v->st->pos), (uint64_t)S.o);
    key = ui_key(ui_key(key, (uint64_t)S.column), (uint64_t)v->st->cmap);
    if (im->img[IMG_IM2COL].key == key) return;
    const PlanLayer *r = &m->net->plan.layers[S.layer];
    int g = S.o / S.z.wrows, cin_g = r->in.c / S.z.groups;
    Atlas A = atlas_of(&S);
    Image pic = {0};
    float *cols = malloc(sizeof(float) * (size_t)S.z.rows * (size_t)S.z.cols);
    if (cols && img_alloc(&pic, A.w, A.h, NULL) == 0) {
        memset(pic.px, 0, (size_t)A.w * A.h * 3);
        im2col(cols, in + (long)g * cin_g * r->in.h * r->in.w, (Shape){cin_g, r->in.h, r->in.w}, r->out, S.k,
               r->spec->stride, r->spec->pad);
        paint(&pic, &A, &S, cols, m->weights->l[S.layer].w, m->arch && m->arch->preproc.bgr, (Colormap)v->st->cmap);
        ui_images_set(im, IMG_IM2COL, &pic, key);
    }
    img_free(&pic);
    free(cols);
}

/* ---- drawing ------------------------------------------------------------------------------- */

static const UiColor white = {255, 255, 255, 255};

/* One line of L in r (shrunk to fit), in its style's font and colour. */
static void line(DrawList *dl, const UiView *v, const UiLines *L, int i, UiRect r, int px)
{
    int st = L->style[i];
    int font = st == UI_LS_MONO ? FONT_MONO : st == UI_LS_HEAD ? FONT_BOLD : FONT_SANS;
    UiColor c = COL(v, st == UI_LS_DIM ? TC_DIM : TC_TEXT);
    vw_text_fit(dl, r, -1, font, px, v->L->px_small, c, L->s[i]);
}

/* The columns first .. first+count−1 of the matrix, enlarged into r (columns stay whole). */
static UiRect draw_slice(DrawList *dl, const UiView *v, const UiIm2col *S, const Atlas *A, UiRect r)
{
    int cw = r.w / (int)S->count;
    UiRect dst = {r.x, r.y, cw * (int)S->count, r.h};
    dl_image(dl, IMG_IM2COL, (UiRect){(int)S->first, 0, (int)S->count, A->mat.h}, dst, white);
    dl_frame(dl, dst, COL(v, TC_EDGE), 1);
    UiRect sel = {dst.x + (int)(S->column - S->first) * cw, dst.y, cw, dst.h};
    dl_frame(dl, ui_rect_inset(sel, -US(v, 1)), COL(v, TC_ACCENT), US(v, 2));
    return dst;
}

static void draw_weights(DrawList *dl, const UiView *v, const UiIm2col *S, const Atlas *A, UiRect r)
{
    dl_image(dl, IMG_IM2COL, A->wts, r, white);
    dl_frame(dl, r, COL(v, TC_EDGE), 1);
    int row = S->o % S->z.wrows, y0 = r.y + (int)((long)r.h * row / S->z.wrows),
        y1 = r.y + (int)((long)r.h * (row + 1) / S->z.wrows);
    dl_frame(dl, (UiRect){r.x - US(v, 2), y0 - US(v, 1), r.w + US(v, 4), (y1 - y0) + US(v, 2)}, COL(v, TC_ACCENT), US(v, 2));
}

static void draw_thumb(DrawList *dl, const UiView *v, const UiIm2col *S, const Atlas *A, UiRect r)
{
    int h = (int)((long)r.w * A->mat.h / A->mat.w);
    if (h > r.h) h = r.h;
    if (h < 4) h = 4;
    UiRect dst = {r.x, r.y, r.w, h};
    dl_image(dl, IMG_IM2COL, A->mat, dst, white);
    int x0 = dst.x + (int)((long)dst.w * S->first / S->z.cols), x1 = dst.x + (int)((long)dst.w * (S->first + S->count) / S->z.cols);
    dl_frame(dl, (UiRect){x0 - US(v, 1), dst.y - US(v, 1), x1 - x0 + US(v, 2), dst.h + US(v, 2)}, COL(v, TC_ACCENT), US(v, 2));
}

/* The windows and the filter as tiles of side t from (x, y); their column / row under each
   when there is room for it (the caption names them all). */
static void draw_tiles(DrawList *dl, const UiView *v, const UiIm2col *S, const Atlas *A, int x, int y, int t)
{
    int gap = t / 4, px = v->L->px_small;
    char lab[32];
    fmt_count(lab, sizeof lab, S->win0 + S->nwin - 1);
    int labels = dl_measure(dl, FONT_MONO, px, lab) <= t + gap && dl_measure(dl, FONT_MONO, px, "row 000") <= t + gap * 2;
    for (int i = 0; i <= S->nwin; i++) {
        int tx = x + i * (t + gap) + (i == S->nwin ? gap * 2 : 0);
        UiRect dst = {tx, y, t, t};
        dl_image(dl, IMG_IM2COL, tile_src(A, i), dst, white);
        int sel = i < S->nwin && S->win0 + i == S->column;
        dl_frame(dl, ui_rect_inset(dst, -US(v, 1)), COL(v, sel || i == S->nwin ? TC_ACCENT : TC_EDGE), sel ? US(v, 2) : 1);
        if (!labels) continue;
        if (i < S->nwin) fmt_count(lab, sizeof lab, S->win0 + i);
        else snprintf(lab, sizeof lab, "row %d", S->o);
        int w = i < S->nwin ? t + gap : t + gap * 2;
        dl_text_in(dl, (UiRect){tx + t / 2 - w / 2, y + t + US(v, 2), w, px * 5 / 4}, 0, FONT_MONO, px, COL(v, TC_DIM), lab);
    }
}

/* The pictures in r: the slice and the weight matrix side by side, the thumbnail, the
   tiles; the thumbnail goes first when the panel is short (a lesson's narration below). */
static void draw_pictures(DrawList *dl, const UiView *v, const UiIm2col *S, const UiLines *T, UiRect b)
{
    const UiLayout *Ly = v->L;
    Atlas A = atlas_of(S);
    int sh = Ly->px_small * 3 / 2;
    int tile = b.h / 5;
    if (tile > US(v, 72)) tile = US(v, 72);
    if (tile < Ly->px_body * 2) tile = Ly->px_body * 2;
    UiRect tiles = ui_cut_bottom(&b, sh + tile + sh);
    int thumb_h = b.w * A.mat.h / (A.mat.w > 0 ? A.mat.w : 1);
    if (thumb_h > b.h / 5) thumb_h = b.h / 5;
    if (thumb_h < US(v, 10)) thumb_h = US(v, 10);
    if (b.h - (sh + thumb_h) >= sh + US(v, 60)) {
        UiRect thumb = ui_cut_bottom(&b, sh + thumb_h + Ly->gap);
        line(dl, v, T, UI_IM2COL_THUMB, ui_cut_top(&thumb, sh), Ly->px_small);
        draw_thumb(dl, v, S, &A, thumb);
    }
    UiRect left = ui_cut_left(&b, b.w * 64 / 100), right = b;
    line(dl, v, T, UI_IM2COL_PATCH, ui_cut_top(&left, sh), Ly->px_small);
    draw_slice(dl, v, S, &A, (UiRect){left.x, left.y, left.w, left.h - Ly->gap});
    right.x += Ly->gap * 2, right.w -= Ly->gap * 2;
    line(dl, v, T, UI_IM2COL_WEIGHTS, ui_cut_top(&right, sh), Ly->px_small);
    draw_weights(dl, v, S, &A, (UiRect){right.x, right.y + US(v, 2), right.w - US(v, 2), right.h - Ly->gap - US(v, 2)});
    line(dl, v, T, UI_IM2COL_WINDOWS_CAP, ui_cut_top(&tiles, sh), Ly->px_small);
    draw_tiles(dl, v, S, &A, tiles.x + US(v, 4), tiles.y + US(v, 2), tile);
}

int vw_im2col(DrawList *dl, const UiView *v)
{
    UiIm2col S;
    if (!setup_view(v, &S)) return 0;
    const UiLayout *Ly = v->L;
    UiLines T;
    ui_im2col_text(v->m->net, &S, &T);
    UiRect h = ui_rect_inset(Ly->center_head, US(v, 6));
    vw_text_fit(dl, h, -1, FONT_BOLD, Ly->px_title, Ly->px_body, COL(v, TC_TEXT), T.s[UI_IM2COL_TITLE]);
    UiRect b = ui_rect_inset(Ly->center_body, Ly->pad);
    int lh = Ly->px_body * 3 / 2, sh = Ly->px_small * 3 / 2;
    line(dl, v, &T, UI_IM2COL_SIZES, ui_cut_top(&b, lh), Ly->px_body + US(v, 2));
    if (T.s[UI_IM2COL_STACK][0]) line(dl, v, &T, UI_IM2COL_STACK, ui_cut_top(&b, lh), Ly->px_body + US(v, 2));
    line(dl, v, &T, UI_IM2COL_MACS, ui_cut_top(&b, lh), Ly->px_body);
    ui_cut_top(&b, Ly->gap);
    UiRect bottom = ui_cut_bottom(&b, lh * 2 + sh + Ly->gap);
    const UiImage *img = &v->im->img[IMG_IM2COL];
    Atlas A = atlas_of(&S);
    if (img->key && img->w == A.w && img->h == A.h) draw_pictures(dl, v, &S, &T, b);
    else dl_text_in(dl, b, 0, FONT_BOLD, Ly->px_big, COL(v, TC_WARN), "computing the patch matrix…");
    ui_cut_top(&bottom, Ly->gap);
    line(dl, v, &T, UI_IM2COL_PRODUCT, ui_cut_top(&bottom, lh), Ly->px_body);
    line(dl, v, &T, UI_IM2COL_NAIVE, ui_cut_top(&bottom, lh), Ly->px_body);
    line(dl, v, &T, UI_IM2COL_MEMORY, bottom, Ly->px_small);
    return 1;
}
