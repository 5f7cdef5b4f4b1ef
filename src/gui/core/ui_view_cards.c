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

/* Parameters and MACs per weighted layer, as two bars each. */
static void param_bars(DrawList *dl, const UiView *v, UiRect r, int y)
{
    const Net *n = v->m->net;
    const UiLayout *L = v->L;
    int rows = 0;
    for (int i = 0; i < n->nlayers; i++) rows += arch_has_weights(n->plan.layers[i].spec->kind);
    int lh = L->px_small + US(v, 5);
    if (rows > 0 && y + (rows + 1) * lh > r.y + r.h) lh = (r.y + r.h - y) / (rows + 1);
    if (rows == 0 || lh < L->px_small) return;
    int name_w = US(v, 48), half = (r.w - name_w - L->gap) / 2;
    dl_text(dl, r.x + name_w, y, FONT_BOLD, L->px_small, COL(v, TC_BAR1), "parameters");
    dl_text(dl, r.x + name_w + half + L->gap, y, FONT_BOLD, L->px_small, COL(v, TC_BAR2), "multiply-adds");
    y += lh;
    int cur = ui_pos_layer(v->st->pos);
    for (int i = 0; i < n->nlayers; i++) {
        if (!arch_has_weights(n->plan.layers[i].spec->kind)) continue;
        double pp, mp;
        ui_layer_shares(n, i, &pp, &mp);
        UiColor tc = COL(v, i == cur ? TC_TEXT : TC_DIM);
        dl_text(dl, r.x, y, i == cur ? FONT_BOLD : FONT_SANS, L->px_small, tc, n->plan.layers[i].spec->name);
        double share[2] = {pp, mp};
        for (int b = 0; b < 2; b++) {
            int x = r.x + name_w + b * (half + L->gap), bw = half - US(v, 44);
            int w = (int)(bw * share[b] / 100.0);
            dl_rect(dl, (UiRect){x, y + 2, w < 1 ? 1 : w, lh - 5}, COL(v, b ? TC_BAR2 : TC_BAR1));
            char t[24];
            snprintf(t, sizeof t, share[b] < 1 ? "%.2f%%" : "%.1f%%", share[b]);
            dl_text(dl, x + (w < 1 ? 1 : w) + US(v, 3), y, FONT_MONO, L->px_small, tc, t);
        }
        y += lh;
    }
}

void vw_card(DrawList *dl, const UiView *v)
{
    const UiLayout *L = v->L;
    const Net *n = v->m->net;
    tabs(dl, v);
    UiRect r = ui_rect_inset(L->card, US(v, 6));
    int y = r.y + US(v, 4);
    int layer = ui_pos_layer(v->st->pos);
    static UiLines lines; /* 5 KB; the view runs on one thread */
    UiUnit u;
    switch (v->st->card) {
    case CARD_SIZE:
        ui_formula_text(n, layer, &lines);
        vw_lines(dl, v, &lines, r, y);
        break;
    case CARD_PARAMS:
        ui_params_text(n, layer, &lines);
        lines.n--; /* the summary goes under the chart */
        y = vw_lines(dl, v, &lines, r, y);
        {
            char sum[200];
            ui_params_summary(n, sum, sizeof sum);
            int sh = vw_wrap_height(dl, r.w, FONT_SANS, L->px_small + US(v, 1), sum);
            param_bars(dl, v, (UiRect){r.x, r.y, r.w, r.h - sh}, y + US(v, 6));
            vw_wrap(dl, r.x, r.y + r.h - sh, r.w, FONT_SANS, L->px_small + US(v, 1), COL(v, TC_DIM), sum);
        }
        break;
    case CARD_RF:
        if (vw_unit(v, &u)) ui_rf_text(n, layer, u.y, u.x, &lines);
        else ui_rf_text(n, layer, -1, -1, &lines);
        vw_lines(dl, v, &lines, r, y);
        break;
    case CARD_MATH: {
        UiMath m;
        const UiUnit *s = &v->st->unit;
        if (s->valid && s->pos == v->st->pos && layer >= 0 && layer < v->m->ready &&
            ui_math(n, layer, s->c, s->y, s->x, &m) == 0) {
            ui_math_text(n, &m, &lines);
        } else {
            ui_lines_clear(&lines);
            ui_lines_add(&lines, UI_LS_HEAD, "Show the math");
            ui_lines_add(&lines, UI_LS_BODY, "Click a unit of a conv layer (or of the ReLU after it) in the tiles or "
                                             "in the enlarged channel: its dot product appears here with the real numbers.");
            if (layer >= 0 && n->plan.layers[layer].spec->kind != LK_CONV && n->plan.layers[layer].spec->kind != LK_RELU)
                ui_lines_add(&lines, UI_LS_DIM, "%s is not a conv layer.", n->plan.layers[layer].spec->name);
        }
        vw_lines(dl, v, &lines, r, y);
        break;
    }
    default: break;
    }
}
