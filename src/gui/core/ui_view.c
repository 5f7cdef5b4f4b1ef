/* ui_view.c - the frame: top bar, pipeline strip, input panel, buttons, status line,
   overlays; and picking (what is under the mouse), hover and click. The centre and the
   cards are in ui_view_center.c and ui_view_cards.c. */
#include "ui_view_internal.h"
#include "ui_keys.h"
#include "ui_view_anim.h"
#include "ui_view_saliency.h"
#include "ui_view_tools.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------------------- */

/* One wrapped line; a word wider than the column runs out of it. */
static void wrap_line(DrawList *dl, int x, int y, int w, int font, int px, UiColor c, const char *line)
{
    if (dl_text(dl, x, y, font, px, c, line) > w + 1) dl_note_clip(dl, line);
}

static int wrap_impl(DrawList *dl, int draw, int x, int y, int w, int font, int px, UiColor c, const char *s)
{
    char line[UI_LINE * 2] = "", word[UI_LINE];
    int lh = px * 13 / 10 + 1;
    const char *p = s;
    while (*p) {
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n') e++;
        size_t n = (size_t)(e - p) < sizeof word - 1 ? (size_t)(e - p) : sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        char trial[sizeof line + sizeof word + 2];
        snprintf(trial, sizeof trial, "%s%s%s", line, line[0] ? " " : "", word);
        if (line[0] && dl_measure(dl, font, px, trial) > w) {
            if (draw) wrap_line(dl, x, y, w, font, px, c, line);
            y += lh;
            snprintf(line, sizeof line, "%s", word);
        } else {
            size_t tl = strlen(trial) < sizeof line - 1 ? strlen(trial) : sizeof line - 1;
            memcpy(line, trial, tl);
            line[tl] = '\0';
        }
        if (*e == '\n') {
            if (draw) wrap_line(dl, x, y, w, font, px, c, line);
            y += lh;
            line[0] = '\0';
        }
        p = *e ? e + 1 : e;
    }
    if (line[0]) {
        if (draw) wrap_line(dl, x, y, w, font, px, c, line);
        y += lh;
    }
    return y;
}

int vw_wrap(DrawList *dl, int x, int y, int w, int font, int px, UiColor c, const char *s)
{
    return wrap_impl(dl, 1, x, y, w, font, px, c, s);
}

int vw_wrap_height(DrawList *dl, int w, int font, int px, const char *s)
{
    return wrap_impl(dl, 0, 0, 0, w, font, px, (UiColor){0, 0, 0, 0}, s);
}

int vw_lines_px(DrawList *dl, const UiView *v, const UiLines *L, UiRect r, int y, int body, int draw)
{
    const UiLayout *lay = v->L;
    int small = body < lay->px_small ? body : lay->px_small;
    for (int i = 0; i < L->n; i++) {
        if (y >= r.y + r.h) { /* no room for the rest */
            if (draw) dl_note_clip(dl, L->s[i]);
            y += body;
            continue;
        }
        int font = FONT_SANS, px = body;
        UiColor c = COL(v, TC_TEXT);
        switch (L->style[i]) {
        case UI_LS_HEAD: font = FONT_BOLD; break;
        case UI_LS_MONO: font = FONT_MONO, px = body - US(v, 1); c = COL(v, TC_ACCENT); break;
        case UI_LS_DIM: px = body - US(v, 2) > small ? body - US(v, 2) : small, c = COL(v, TC_DIM); break;
        case UI_LS_WARN: c = COL(v, TC_WARN); break;
        default: break;
        }
        if (i > 0 && L->style[i] == UI_LS_HEAD) y += US(v, 6);
        if (font == FONT_MONO) /* keep the columns: shrink a little rather than wrap */
            while (px > small && dl_measure(dl, font, px, L->s[i]) > r.w) px--;
        if (font == FONT_MONO && dl_measure(dl, font, px, L->s[i]) <= r.w) {
            if (draw) dl_text(dl, r.x, y, font, px, c, L->s[i]);
            y += px * 13 / 10 + 1 + US(v, 2);
            continue;
        }
        y = (draw ? vw_wrap(dl, r.x, y, r.w, font, px, c, L->s[i]) : y + vw_wrap_height(dl, r.w, font, px, L->s[i])) +
            US(v, 2);
    }
    return y;
}

int vw_lines(DrawList *dl, const UiView *v, const UiLines *L, UiRect r, int y)
{
    return vw_lines_px(dl, v, L, r, y, v->L->px_body, 1);
}

int vw_text_fit(DrawList *dl, UiRect r, int align, int font, int px, int min_px, UiColor c, const char *s)
{
    while (px > min_px && dl_measure(dl, font, px, s) > r.w) px--;
    return dl_text_in(dl, r, align, font, px, c, s);
}

void vw_panel(DrawList *dl, const UiView *v, UiRect r)
{
    dl_rect(dl, r, COL(v, TC_PANEL));
    dl_frame(dl, r, COL(v, TC_EDGE), 1);
}

int ui_view_shapes(const UiModel *m, Shape *shapes, int max)
{
    if (!m->net) return 0;
    int n = m->net->nlayers + 1;
    if (n > max) n = max;
    for (int i = 0; i < n; i++) shapes[i] = ui_pos_shape(m->net, i);
    return n;
}

const float *ui_view_data(const UiView *v, int pos, Shape *s)
{
    const UiModel *m = v->m;
    if (!m->net) return NULL;
    *s = ui_pos_shape(m->net, pos);
    if (pos <= 0) return pos == 0 && m->has_input ? m->net->input : NULL; /* im2col asks for pos - 1 at the input */
    if (pos > m->net->nlayers || pos > m->ready) return NULL;
    return m->net->run[pos - 1].out_data;
}

int vw_is_prob(const UiView *v, int pos)
{
    const Net *n = v->m->net;
    return n && pos == n->nlayers && n->plan.layers[pos - 1].spec->kind == LK_SOFTMAX;
}

int vw_unit(const UiView *v, UiUnit *u)
{
    if (v->st->hover.valid && v->st->hover.pos == v->st->pos) *u = v->st->hover;
    else if (v->st->unit.valid && v->st->unit.pos == v->st->pos) *u = v->st->unit;
    else return 0;
    return 1;
}

/* ---- top bar ---------------------------------------------------------------------------- */

static void top_bar(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const UiModel *m = v->m;
    UiRect r = L->top;
    dl_rect(dl, r, COL(v, TC_PANEL));
    dl_line(dl, r.x, r.y + r.h - 1, r.x + r.w, r.y + r.h - 1, COL(v, TC_EDGE), 1);
    r = ui_rect_inset(r, L->pad / 2);
    r.x += L->pad / 2, r.w -= L->pad;
    char title[256];
    snprintf(title, sizeof title, "alexscope");
    int x = r.x + dl_text_in(dl, r, -1, FONT_BOLD, L->px_title, COL(v, TC_ACCENT), title) + L->gap;
    char w[400];
    int untrained = m->weights && !m->weights->trained;
    if (m->weights) snprintf(w, sizeof w, "weights: %s", m->weights->source);
    else snprintf(w, sizeof w, "weights: loading…");
    int ww = vw_text_fit(dl, r, 1, untrained ? FONT_BOLD : FONT_SANS, L->px_body, L->px_small,
                         COL(v, untrained ? TC_WARN : TC_TEXT), w);
    UiRect t = {x, r.y, r.x + r.w - ww - L->gap - x, r.h}; /* the title: what is left of the row */
    const Lesson *ls = v->lesson && v->st->lesson ? v->lesson->ls : NULL;
    if (ls) {
        char t2[200];
        snprintf(t2, sizeof t2, "Lesson: %s", ls->title);
        dl_clip(dl, t);
        vw_text_fit(dl, t, -1, FONT_BOLD, L->px_title, L->px_body, COL(v, TC_TEXT), t2);
        dl_unclip(dl);
    } else if (m->arch) {
        dl_clip(dl, t);
        vw_text_fit(dl, t, -1, FONT_SANS, L->px_body, L->px_small, COL(v, TC_DIM), m->arch->title);
        dl_unclip(dl);
    }
}

/* ---- pipeline strip --------------------------------------------------------------------- */

static void strip(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const Net *n = v->m->net;
    if (!n) return;
    for (int i = 0; i < L->npos; i++) {
        UiRect b = L->box[i];
        int cur = i == v->st->pos, done = i == 0 ? v->m->has_input : i <= v->m->ready;
        UiColor fill = COL(v, cur ? TC_ACCENT : done ? TC_BOX_DONE : TC_BOX);
        dl_rect(dl, b, fill);
        if (cur) dl_frame(dl, ui_rect_inset(b, -US(v, 2)), COL(v, TC_TEXT), US(v, 2));
        UiColor tc = COL(v, cur ? TC_ACCENT : TC_DIM);
        if (cur) tc = COL(v, TC_TEXT);
        const char *name = ui_pos_name(n, i);
        UiRect nr = {b.x - US(v, 20), L->name_y, b.w + US(v, 40), L->px_small + US(v, 2)};
        int px = L->px_small;
        while (px > 6 && dl_measure(dl, FONT_SANS, px, name) > b.w + US(v, 2)) px--;
        dl_text_in(dl, nr, 0, cur ? FONT_BOLD : FONT_SANS, px, tc, name);
        char shape[32];
        shape_hwc(ui_pos_shape(n, i), shape, sizeof shape);
        int row = i % 2;
        UiRect sr = {b.x - US(v, 40), L->shape_y[row], b.w + US(v, 80), L->px_small + US(v, 2)};
        dl_line(dl, b.x + b.w / 2, b.y + b.h, b.x + b.w / 2, L->shape_y[row], COL(v, TC_EDGE), 1);
        /* a backing rect so the tick line does not run through the label */
        int sw = dl_measure(dl, FONT_MONO, L->px_small, shape);
        dl_rect(dl, (UiRect){b.x + b.w / 2 - sw / 2 - 2, L->shape_y[row], sw + 4, L->px_small + US(v, 2)}, COL(v, TC_BG));
        dl_text_in(dl, sr, 0, FONT_MONO, L->px_small, cur ? COL(v, TC_TEXT) : COL(v, TC_DIM), shape);
    }
}

/* ---- input panel --------------------------------------------------------------------------- */

static void input_panel(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const UiModel *m = v->m;
    const UiImages *im = v->im;
    vw_panel(dl, v, L->left);
    char head[320];
    snprintf(head, sizeof head, "Photo: %s", m->image_name[0] ? m->image_name : m->busy ? "loading…" : "none");
    vw_text_fit(dl, L->photo_head, -1, FONT_BOLD, L->px_body, L->px_small, COL(v, TC_TEXT), head);
    const UiImage *ph = &im->img[IMG_PHOTO];
    if (ph->key) {
        UiRect dst = ui_fit(L->photo_area, ph->w, ph->h);
        dl_image(dl, IMG_PHOTO, (UiRect){0, 0, ph->w, ph->h}, dst, (UiColor){255, 255, 255, 255});
        if (m->orig_w > 0 && m->orig_h > 0) {
            UiRect b = {(int)lroundf(m->box.x), (int)lroundf(m->box.y), (int)lroundf(m->box.w), (int)lroundf(m->box.h)};
            UiRect sb = ui_from_image(dst, m->orig_w, m->orig_h, b);
            dl_frame(dl, sb, COL(v, TC_ACCENT), US(v, 2));
        }
    }
    const UiImage *cr = &im->img[IMG_CROP];
    char ch[160];
    if (cr->key) snprintf(ch, sizeof ch, "Network input: %d×%d%s", cr->w, cr->h, m->mirror ? ", mirrored" : "");
    else snprintf(ch, sizeof ch, "Network input");
    vw_text_fit(dl, L->crop_head, -1, FONT_BOLD, L->px_body, L->px_small, COL(v, TC_TEXT), ch);
    if (!cr->key) {
        if (!m->busy)
            vw_wrap(dl, L->crop_area.x, L->crop_area.y, L->crop_area.w, FONT_SANS, L->px_body, COL(v, TC_DIM),
                    "No image yet: drop a photo on the window, or press S for a sample.");
        return;
    }
    UiRect dst = ui_fit(L->crop_area, cr->w, cr->h);
    dl_image(dl, IMG_CROP, (UiRect){0, 0, cr->w, cr->h}, dst, (UiColor){255, 255, 255, 255});
    UiUnit u;
    if (!m->net || !vw_unit(v, &u)) return;
    const PlanLayer *r = u.pos > 0 ? &m->net->plan.layers[u.pos - 1] : NULL;
    UiRect box;
    int clipped;
    if (!ui_rf_box(r, u.y, u.x, cr->h, cr->w, &box, &clipped)) return;
    UiRect sb = ui_from_image(dst, cr->w, cr->h, box);
    if (sb.w < 3) sb.x -= 1, sb.w = 3;
    if (sb.h < 3) sb.y -= 1, sb.h = 3;
    dl_frame(dl, sb, COL(v, TC_RF), US(v, 2));
    char t[96];
    int rf = r ? r->rf : 1;
    snprintf(t, sizeof t, "receptive field %d×%d%s", rf, rf, clipped ? " (clipped)" : "");
    UiRect tr = {dst.x, dst.y + dst.h + US(v, 2), dst.w, L->px_small + US(v, 4)};
    dl_text_in(dl, tr, 0, FONT_SANS, L->px_small, COL(v, TC_RF), t);
}

/* ---- bottom: buttons and status ------------------------------------------------------------ */

static int button_on(const UiView *v, UiAction a)
{
    switch (a) {
    case ACT_MIRROR: return v->m->mirror;
    case ACT_KERNELS: return v->st->kernels;
    case ACT_HELP: return v->st->help;
    case ACT_THEME: return v->st->theme != 0;
    default: return 0;
    }
}

static const char *button_label(const UiView *v, const UiButton *b)
{
    switch (b->action) {
    case ACT_NORM: return v->st->norm ? "Per layer" : "Per channel";
    case ACT_CMAP: return v->st->cmap ? "Viridis" : "Grey";
    default: return b->label;
    }
}

static void buttons(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    for (int i = 0; i < L->nbutton; i++) {
        const UiButton *b = &L->button[i];
        int on = button_on(v, b->action);
        dl_rect(dl, b->r, COL(v, on ? TC_ACCENT : TC_BUTTON));
        dl_frame(dl, b->r, COL(v, TC_EDGE), 1);
        dl_text_in(dl, b->r, 0, FONT_SANS, L->px_body, COL(v, on ? TC_ON_ACCENT : TC_TEXT), button_label(v, b));
    }
}

/* The status line: what was said last on the left, the worker's state on the right. */
void vw_status(DrawList *dl, const UiView *v, int px)
{
    const UiLayout *L = v->L;
    UiRect s = L->status;
    char right[160] = "";
    if (v->m->busy) {
        static const char *const spin[] = {"◐", "◓", "◑", "◒"};
        snprintf(right, sizeof right, "%s %s…", spin[(int)(v->now * 6) % 4], v->m->busy_what);
    } else if (v->m->net && v->st->pos > 0 && v->st->pos <= v->m->ready) {
        ui_engine_text(v->m, v->st->pos - 1, right, sizeof right);
    }
    if (v->m->model) { /* which resize made the crop: warp (Caffe) or the shorter side */
        size_t n = strlen(right);
        char rs[48];
        snprintf(right + n, sizeof right - n, "%sresize: %s", n ? "   " : "", preproc_resize_text(&v->m->model->preproc, rs, sizeof rs));
    }
    if (v->frame_ms > 0) {
        size_t n = strlen(right);
        snprintf(right + n, sizeof right - n, "%sframe %.1f ms", n ? "   " : "", v->frame_ms);
    }
    int rw = vw_progress(dl, v, s, px); /* a long job: its bar instead */
    if (!rw) rw = dl_text_in(dl, s, 1, FONT_SANS, px, COL(v, v->m->busy ? TC_WARN : TC_DIM), right);
    UiRect left = {s.x, s.y, s.w - rw - L->gap, s.h};
    dl_clip(dl, left);
    vw_text_fit(dl, left, -1, FONT_SANS, px, L->px_small, COL(v, TC_TEXT), v->st->status);
    dl_unclip(dl);
}

static void bottom(DrawList *dl, const UiView *v)
{
    if (v->L->lesson) {
        vw_lesson_band(dl, v);
        buttons(dl, v);
        return;
    }
    buttons(dl, v);
    vw_status(dl, v, v->L->px_body);
}

/* ---- overlays ------------------------------------------------------------------------------- */

static void message_box(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    if (!v->st->message[0]) return;
    int w = L->center.w * 9 / 10;
    const char *title = v->st->message_error ? "Could not open that" : "Note", *hint = "Esc closes this message.";
    int inner = w - 2 * L->pad;
    int h = vw_wrap_height(dl, inner, FONT_BOLD, L->px_body, title) + vw_wrap_height(dl, inner, FONT_SANS, L->px_body, v->st->message) +
            vw_wrap_height(dl, inner, FONT_SANS, L->px_small, hint) + 2 * L->pad;
    UiRect r = {L->center.x + (L->center.w - w) / 2, L->center.y + US(v, 40), w, h};
    UiColor edge = COL(v, v->st->message_error ? TC_ERROR : TC_ACCENT);
    dl_rect(dl, ui_rect_inset(r, -US(v, 4)), COL(v, TC_SHADE));
    dl_rect(dl, r, COL(v, TC_PANEL));
    dl_frame(dl, r, edge, US(v, 3));
    UiRect in = ui_rect_inset(r, L->pad);
    int y = vw_wrap(dl, in.x, in.y, in.w, FONT_BOLD, L->px_body, edge, title);
    y = vw_wrap(dl, in.x, y, in.w, FONT_SANS, L->px_body, COL(v, TC_TEXT), v->st->message);
    vw_wrap(dl, in.x, y, in.w, FONT_SANS, L->px_small, COL(v, TC_DIM), hint);
}

static void help_overlay(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    if (!v->st->help) return;
    dl_rect(dl, (UiRect){0, 0, L->w, L->h}, COL(v, TC_SHADE));
    int px = L->px_body, lh = px * 3 / 2;
    while (px > L->px_small && (ui_keys_count + 3) * lh + 2 * L->pad > L->h) lh = --px * 4 / 3; /* all rows on screen */
    int h = (ui_keys_count + 3) * lh + 2 * L->pad;
    int w = US(v, 760) < L->w - 2 * L->pad ? US(v, 760) : L->w - 2 * L->pad;
    UiRect r = {(L->w - w) / 2, (L->h - h) / 2, w, h};
    if (r.y < 0) r.y = 0;
    vw_panel(dl, v, r);
    dl_frame(dl, r, COL(v, TC_ACCENT), US(v, 2));
    int y = r.y + L->pad;
    dl_text(dl, r.x + L->pad, y, FONT_BOLD, L->px_title, COL(v, TC_ACCENT), "Keys");
    y += lh * 3 / 2;
    int kx = r.x + L->pad, dx = r.x + w * 2 / 5;
    for (int i = 0; i < ui_keys_count; i++, y += lh) {
        dl_text(dl, kx, y, FONT_MONO, px, COL(v, TC_TEXT), ui_keys[i].keys);
        dl_text(dl, dx, y, FONT_SANS, px, COL(v, TC_DIM), ui_keys[i].what);
    }
}

void ui_view_build(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    dl_rect(dl, (UiRect){0, 0, L->w, L->h}, COL(v, TC_BG));
    top_bar(dl, v);
    if (!v->m->net) {
        UiRect r = {0, L->top.y + L->top.h, L->w, L->h / 2};
        dl_text_in(dl, r, 0, FONT_BOLD, L->px_big, COL(v, TC_TEXT), "Loading the network…");
        bottom(dl, v);
        message_box(dl, v);
        vw_picker(dl, v);
        return;
    }
    strip(dl, v);
    input_panel(dl, v);
    vw_panel(dl, v, L->center);
    if (!vw_anim(dl, v)) vw_center(dl, v);
    vw_panel(dl, v, L->right);
    if (L->zoom_area.h > 0) vw_zoom(dl, v);
    vw_card(dl, v);
    bottom(dl, v);
    message_box(dl, v);
    help_overlay(dl, v);
    vw_picker(dl, v);
}

/* ---- picking --------------------------------------------------------------------------------- */

void ui_pick(const UiView *v, int x, int y, UiPick *p)
{
    memset(p, 0, sizeof *p);
    const UiLayout *L = v->L;
    if (v->st->picker) { /* modal: only its rows can be picked */
        UiRect r;
        for (int i = 0; i < v->st->picker_n; i++)
            if (vw_picker_row(v, i, &r) && ui_rect_contains(r, x, y)) {
                p->kind = PICK_LESSON, p->index = i;
                return;
            }
        return;
    }
    if ((p->action = ui_hit_button(L, x, y)) != ACT_NONE) {
        p->kind = PICK_BUTTON;
        return;
    }
    if (!v->m->net) return;
    if ((p->pos = ui_hit_box(L, x, y)) >= 0) {
        p->kind = PICK_BOX;
        return;
    }
    if ((p->card = ui_hit_tab(L, x, y)) >= 0) {
        p->kind = PICK_TAB;
        return;
    }
    if (ui_sal_pick(v, x, y, p)) return;
    UiGrid g;
    int tile, py, px;
    int anim = v->st->anim.on && v->st->anim.count > 0; /* the sliding window covers the tiles */
    if (!anim && vw_center_grid(v, &g) && ui_grid_hit(&g, x, y, &tile, &py, &px)) {
        p->kind = PICK_TILE, p->c = tile, p->y = py, p->x = px;
        return;
    }
    int ch;
    UiRect zr;
    if (vw_zoom_rect(v, &ch, &zr) && ui_rect_contains(zr, x, y)) {
        Shape s = ui_pos_shape(v->m->net, v->st->pos);
        p->kind = PICK_ZOOM, p->c = ch;
        ui_to_image(zr, s.w, s.h, x, y, &p->x, &p->y);
        return;
    }
    UiRect area;
    int n, rows, cw, rh, gap;
    if (vw_strip_geom(v, &area, &n, &rows, &cw, &rh, &gap) && ui_rect_contains(area, x, y)) {
        int col = (x - area.x) / cw, row = (y - area.y) / (rh + gap);
        int i = row * UI_STRIP_COLS + col;
        if (col < UI_STRIP_COLS && (y - area.y) % (rh + gap) < rh && i < n) p->kind = PICK_STRIP, p->index = i;
    }
}

void ui_hover(UiState *st, const UiView *v, int x, int y)
{
    UiPick p;
    ui_pick(v, x, y, &p);
    st->hover.valid = 0;
    st->hover_fc = -1;
    if (p.kind == PICK_TILE || p.kind == PICK_ZOOM) st->hover = (UiUnit){1, st->pos, p.c, p.y, p.x};
    else if (p.kind == PICK_STRIP) st->hover_fc = p.index;
    Shape s;
    const float *d = ui_view_data(v, st->pos, &s);
    const char *name = v->m->net ? ui_pos_name(v->m->net, st->pos) : "";
    if (d && st->hover.valid) {
        float val = d[((size_t)p.c * s.h + p.y) * s.w + p.x];
        ui_set_status(st, "%s  channel %d  (y %d, x %d) = %.4g", name, p.c, p.y, p.x, val);
    } else if (d && st->hover_fc >= 0) {
        char cls[128] = "";
        if (vw_is_prob(v, st->pos) || s.c == 1000) {
            char b[100];
            snprintf(cls, sizeof cls, "  (%s)", labels_name(v->labels, p.index, b, sizeof b));
        }
        ui_set_status(st, "%s  unit %d = %.4g%s", name, p.index, d[p.index], cls);
    } else if (p.kind == PICK_BOX && v->m->net) {
        char sh[32];
        shape_hwc(ui_pos_shape(v->m->net, p.pos), sh, sizeof sh);
        ui_set_status(st, "%s: %s   (click to jump)", ui_pos_name(v->m->net, p.pos), sh);
    }
}

int ui_click(UiState *st, const UiView *v, int x, int y)
{
    UiPick p;
    ui_pick(v, x, y, &p);
    if (st->picker && p.kind != PICK_LESSON) { /* a click beside the list closes it */
        st->picker = 0;
        return 0;
    }
    switch (p.kind) {
    case PICK_LESSON: st->picker_sel = p.index; return UI_FX_PICK;
    case PICK_BUTTON: return ui_apply(st, p.action);
    case PICK_BOX: return ui_jump(st, p.pos) ? UI_FX_RUN : 0;
    case PICK_TAB: st->card = p.card; return 0;
    case PICK_TILE:
        if (st->channel == p.c && st->unit.valid && st->unit.c == p.c && st->unit.y == p.y && st->unit.x == p.x) {
            st->channel = -1, st->unit.valid = 0;
            return 0;
        }
        st->channel = p.c;
        /* fall through */
    case PICK_ZOOM: {
        UiMath m;
        int layer = ui_pos_layer(st->pos);
        st->unit = (UiUnit){1, st->pos, p.c, p.y, p.x};
        if (v->m->net && layer >= 0 && layer < v->m->ready && ui_math(v->m->net, layer, p.c, p.y, p.x, &m) == 0)
            st->card = CARD_MATH;
        return ui_sal_click(st, v, &p); /* the unit is the saliency target too */
    }
    case PICK_STRIP:
    case PICK_SAL_METHOD:
    case PICK_SAL_CLASS: return ui_sal_click(st, v, &p);
    case PICK_NONE: break;
    }
    return 0;
}
