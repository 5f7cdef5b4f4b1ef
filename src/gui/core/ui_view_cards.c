/* ui_view_cards.c - the right column's tabbed cards: size formula, parameters (with the
   per-layer bar chart), receptive field, and "show the math". */
#include "ui_view_internal.h"

#include <stdio.h>
#include <string.h>

static void tabs(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    for (int i = 0; i < CARD_COUNT; i++) {
        int on = v->st->card == i;
        char t[48];
        snprintf(t, sizeof t, "%d %s", i + 1, i == CARD_RF ? "Field" : ui_card_names[i]);
        dl_rect(dl, L->tabs[i], COL(v, on ? TC_ACCENT : TC_BUTTON));
        dl_frame(dl, L->tabs[i], COL(v, TC_EDGE), 1);
        dl_text_in(dl, L->tabs[i], 0, on ? FONT_BOLD : FONT_SANS, L->px_body, COL(v, on ? TC_ON_ACCENT : TC_TEXT), t);
    }
}

/* Parameters and MACs per weighted layer, as two bars each, text px pixels high (at
   least 13 layout units, readable from the back). Returns the y below. */
static int param_bars(DrawList *dl, const UiView *v, UiRect r, int y, int px, int draw)
{
    const Net *n = v->m->net;
    const UiLayout *L = v->L;
    int rows = 0;
    for (int i = 0; i < n->nlayers; i++) rows += arch_has_weights(n->plan.layers[i].spec->kind);
    if (rows == 0) return y;
    if (px < US(v, 13)) px = US(v, 13);
    int lh = px * 6 / 5 + US(v, 1);
    if (!draw) return y + (rows + 1) * lh;
    int name_w = 0;
    for (int i = 0; i < n->nlayers; i++) {
        int w = dl_measure(dl, FONT_BOLD, px, n->plan.layers[i].spec->name);
        if (arch_has_weights(n->plan.layers[i].spec->kind) && w > name_w) name_w = w;
    }
    name_w += US(v, 6);
    int half = (r.w - name_w - L->gap) / 2, num_w = dl_measure(dl, FONT_MONO, px, "00.00%") + US(v, 3);
    dl_text(dl, r.x + name_w, y, FONT_BOLD, px, COL(v, TC_BAR1), "parameters");
    dl_text(dl, r.x + name_w + half + L->gap, y, FONT_BOLD, px, COL(v, TC_BAR2), "multiply-adds");
    y += lh;
    int cur = ui_pos_layer(v->st->pos);
    for (int i = 0; i < n->nlayers; i++) {
        if (!arch_has_weights(n->plan.layers[i].spec->kind)) continue;
        double pp, mp;
        ui_layer_shares(n, i, &pp, &mp);
        UiColor tc = COL(v, i == cur ? TC_TEXT : TC_DIM);
        dl_text(dl, r.x, y, i == cur ? FONT_BOLD : FONT_SANS, px, tc, n->plan.layers[i].spec->name);
        double share[2] = {pp, mp};
        for (int b = 0; b < 2; b++) {
            int x = r.x + name_w + b * (half + L->gap), bw = half - num_w;
            int w = (int)(bw * share[b] / 100.0);
            if (w < 1) w = 1;
            dl_rect(dl, (UiRect){x, y + US(v, 2), w, lh - US(v, 5)}, COL(v, b ? TC_BAR2 : TC_BAR1));
            char t[24];
            snprintf(t, sizeof t, share[b] < 1 ? "%.2f%%" : "%.1f%%", share[b]);
            dl_text(dl, x + w + US(v, 3), y, FONT_MONO, px, tc, t);
        }
        y += lh;
    }
    return y;
}

/* The text lines of the card shown (the math card's, or its hint). */
static void card_lines(const UiView *v, UiLines *lines)
{
    const Net *n = v->m->net;
    int layer = ui_pos_layer(v->st->pos);
    UiUnit u;
    UiMath m;
    const UiUnit *s = &v->st->unit;
    switch (v->st->card) {
    case CARD_SIZE: ui_formula_text(n, layer, lines); break;
    case CARD_PARAMS:
        ui_params_text(n, layer, lines);
        lines->n--; /* the summary goes under the chart */
        break;
    case CARD_RF:
        if (vw_unit(v, &u)) ui_rf_text(n, layer, u.y, u.x, lines);
        else ui_rf_text(n, layer, -1, -1, lines);
        break;
    case CARD_MATH:
        if (s->valid && s->pos == v->st->pos && layer >= 0 && layer < v->m->ready &&
            ui_math(n, layer, s->c, s->y, s->x, &m) == 0) {
            ui_math_text(n, &m, lines);
            if (m.conv < UI_MODEL_MAX_LAYERS && v->m->by[m.conv] == UI_ENGINE_FAST)
                ui_lines_add(lines, UI_LS_DIM, "The maps came from the fast engine (im2col + SGEMM); this sum is "
                                               "the naive loops' (conv2d_unit), as always.");
            break;
        }
        ui_lines_clear(lines);
        ui_lines_add(lines, UI_LS_HEAD, "Show the math");
        ui_lines_add(lines, UI_LS_BODY, "Click a unit of a conv layer (or of the ReLU after it) in the tiles or "
                                        "in the enlarged channel: its dot product appears here with the real numbers.");
        if (layer >= 0 && n->plan.layers[layer].spec->kind != LK_CONV && n->plan.layers[layer].spec->kind != LK_RELU)
            ui_lines_add(lines, UI_LS_DIM, "%s is not a conv layer.", n->plan.layers[layer].spec->name);
        break;
    default: ui_lines_clear(lines); break;
    }
}

/* Draws the card with body text of px pixels (draw 0: only measures); returns the height used. */
static int card_body(DrawList *dl, const UiView *v, const UiLines *lines, UiRect r, int px, int draw)
{
    UiRect room = draw ? r : (UiRect){r.x, r.y, r.w, 1 << 20};
    int y = vw_lines_px(dl, v, lines, room, r.y + US(v, 4), px, draw);
    if (v->st->card == CARD_PARAMS) {
        char sum[200];
        ui_params_summary(v->m->net, sum, sizeof sum);
        int spx = px - US(v, 2) > v->L->px_small ? px - US(v, 2) : v->L->px_small;
        int sh = vw_wrap_height(dl, r.w, FONT_SANS, spx, sum);
        y = param_bars(dl, v, r, y + US(v, 6), px, draw) + US(v, 4);
        if (draw) vw_wrap(dl, r.x, r.y + r.h - sh > y ? r.y + r.h - sh : y, r.w, FONT_SANS, spx, COL(v, TC_DIM), sum);
        y += sh;
    }
    return y - r.y;
}

static UiLines lines; /* 5 KB; the view runs on one thread */

int vw_card_fits(DrawList *dl, const UiView *v, int px)
{
    if (!v->m->net) return 1;
    UiRect r = ui_rect_inset(v->L->card, US(v, 6));
    card_lines(v, &lines);
    return card_body(dl, v, &lines, r, px, 0) <= r.h;
}

/* The card's text as large as fits: the body size down to the small size; below that
   the lines that do not fit are cut (and counted: dl->nclip). */
void vw_card(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    tabs(dl, v);
    UiRect r = ui_rect_inset(L->card, US(v, 6));
    card_lines(v, &lines);
    int px = L->px_body;
    while (px > L->px_small && card_body(dl, v, &lines, r, px, 0) > r.h) px--;
    dl_clip(dl, r);
    card_body(dl, v, &lines, r, px, 1);
    dl_unclip(dl);
}
