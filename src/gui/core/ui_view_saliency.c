/* ui_view_saliency.c - the saliency view (see ui_view_saliency.h). */
#include "ui_view_saliency.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "saliency.h"
#include "ui_view_internal.h"

_Static_assert((int)UI_TOOL_VIEW_SALIENCY == (int)UI_TOOL_SALIENCY, "ui_state.h's tool views are ui_model.h's tools");

static const UiColor white = {255, 255, 255, 255};

/* ---- texts --------------------------------------------------------------------------------- */

char *ui_sal_target_text(const UiSaliency *s, const Net *n, const Labels *labels, char *buf, size_t size)
{
    const char *layer = n && s->layer >= 0 && s->layer < n->nlayers ? n->plan.layers[s->layer].spec->name : "?";
    if (s->cls >= 0) {
        char name[128];
        snprintf(buf, size, "class %d %s: %s score %.4g, before the softmax", s->cls,
                 labels_short_name(labels, s->cls, name, sizeof name), layer, s->score);
    } else {
        snprintf(buf, size, "%s channel %d at row %d, column %d: activation %.4g", layer, s->c, s->y, s->x, s->score);
    }
    return buf;
}

char *ui_sal_formula(const UiSaliency *s, const Net *n, char *buf, size_t size)
{
    const char *layer = n && s->layer >= 0 && s->layer < n->nlayers ? n->plan.layers[s->layer].spec->name : "?";
    if (s->cls >= 0) snprintf(buf, size, "∂ %s[%d] / ∂ input", layer, s->cls);
    else snprintf(buf, size, "∂ %s[%d, %d, %d] / ∂ input", layer, s->c, s->y, s->x);
    return buf;
}

const char *ui_sal_weights_note(const UiSaliency *s)
{
    if (s->trained) return "Trained weights: the map shows which pixels this decision is most sensitive to.";
    if (s->method != RELU_GRADIENT)
        return "Untrained weights (built-in, past conv1): this map shows what an untrained network responds to; "
               "guided and deconv maps show the photo's edges even then (Adebayo et al. 2018). Load real weights "
               "(docs/weights.md) for a real map.";
    return "Untrained weights (built-in, past conv1): this map shows what an untrained network responds to. Load "
           "real weights (docs/weights.md) for a real map.";
}

/* ---- geometry ------------------------------------------------------------------------------ */

int ui_view_saliency_shown(const UiView *v) { return v->m->net && v->st->tool_view == UI_TOOL_VIEW_SALIENCY; }

/* The classes' scores (the last fc layer's output) once computed; NULL before. */
static const float *scores(const UiView *v, int *n)
{
    const Net *net = v->m->net;
    int l = saliency_score_layer(net->arch);
    if (l < 0 || l >= v->m->ready) return NULL;
    *n = net->plan.layers[l].out.c;
    return net->run[l].out_data;
}

int ui_sal_geom(const UiView *v, UiSalGeom *g)
{
    memset(g, 0, sizeof *g);
    if (!ui_view_saliency_shown(v)) return 0;
    const UiLayout *L = v->L;
    UiRect b = v->L->center_body;
    int pad = L->pad, cap = L->px_small * 13 / 10 + 1;
    int side = (b.w - 4 * pad) / 3, tall = b.h * 42 / 100 - cap;
    if (side > tall) side = tall;
    if (side < 8) side = 8;
    int x0 = b.x + (b.w - (3 * side + 2 * pad)) / 2;
    Shape in = v->m->net->arch->input;
    for (int i = 0; i < 3; i++) g->img[i] = ui_fit((UiRect){x0 + i * (side + pad), b.y + pad, side, side}, in.w, in.h);
    int y = b.y + pad + side + cap + pad, left_w = b.w * 44 / 100, lx = b.x + pad;
    int chip_h = L->px_body * 16 / 10, label_w = left_w * 24 / 100, chip_w = (left_w - label_w - 2 * L->gap) / 3;
    for (int i = 0; i < RELU_MODE_COUNT; i++)
        g->chip[i] = (UiRect){lx + label_w + i * (chip_w + L->gap), y, chip_w, chip_h};
    int row_h = L->px_body * 14 / 10, ry = y + chip_h + L->gap + cap, n = 0;
    const float *s = scores(v, &n);
    if (s) {
        int k = n < UI_SAL_ROWS ? n : UI_SAL_ROWS, fit = (b.y + b.h - ry) / row_h;
        g->nrows = k < fit ? k : fit;
        topk(s, n, g->nrows, g->cls);
        for (int i = 0; i < g->nrows; i++) g->row[i] = (UiRect){lx, ry + i * row_h, left_w, row_h};
    }
    int tx = b.x + b.w * 47 / 100;
    g->text = (UiRect){tx, y, b.x + b.w - tx - pad, b.y + b.h - y};
    return 1;
}

/* ---- the images ---------------------------------------------------------------------------- */

static int result_ready(const UiView *v)
{
    const UiSaliency *s = &v->m->sal;
    return s->valid && s->arch == v->m->arch && s->input.px;
}

/* Input | |gradient| (grey, white = the map's max) | signed gradient (grey = 0). */
static int picture(const UiSaliency *s, Image *out)
{
    Shape in = s->in;
    int w = in.w, h = in.h, bgr = s->arch->preproc.bgr;
    Err e = {0};
    if (img_alloc(out, 3 * w, h, &e) != 0) return -1;
    long plane = (long)w * h;
    float big = 0;
    for (long i = 0; i < plane * in.c; i++) big = fmaxf(big, fabsf(s->grad[i]));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            long q = (long)y * w + x;
            unsigned char *d = out->px + 3 * ((size_t)y * (size_t)out->w + (size_t)x);
            memcpy(d, s->input.px + 3 * q, 3);
            viz_colormap_rgb(CMAP_GREY, viz_unit(s->map[q], 0.0f, s->max), d + 3 * w);
            for (int k = 0; k < 3; k++) { /* RGB from the network's channels (Caffe's are B, G, R) */
                int c = in.c < 3 ? 0 : bgr ? 2 - k : k;
                float g = big > 0 ? s->grad[c * plane + q] / big : 0;
                d[6 * w + k] = (unsigned char)lroundf(127.5f + 127.5f * g);
            }
        }
    return 0;
}

void ui_view_saliency_images(UiImages *im, const UiView *v)
{
    if (!ui_view_saliency_shown(v) || !result_ready(v)) return;
    uint64_t key = ui_key(ui_key(0x5A11, v->m->tools_gen), (uint64_t)v->m->net_gen);
    if (im->img[IMG_TOOLS].key == key) return;
    Image pic = {0};
    if (picture(&v->m->sal, &pic) != 0) return;
    ui_images_set(im, IMG_TOOLS, &pic, key);
    img_free(&pic);
}

/* ---- drawing ------------------------------------------------------------------------------- */

static void head(DrawList *dl, const UiView *v, const char *right)
{
    UiRect h = ui_rect_inset(v->L->center_head, US(v, 6));
    int rw = right[0] ? dl_text_in(dl, h, 1, FONT_SANS, v->L->px_body, COL(v, TC_DIM), right) : 0;
    h.w -= rw + v->L->gap;
    vw_text_fit(dl, h, -1, FONT_BOLD, v->L->px_title, v->L->px_small, COL(v, TC_TEXT),
                "Saliency: which pixels move the score most?");
}

static void chips(DrawList *dl, const UiView *v, const UiSalGeom *g)
{
    const UiLayout *L = v->L;
    UiRect lab = {v->L->center_body.x + L->pad, g->chip[0].y, g->chip[0].x - L->center_body.x - L->pad - L->gap,
                  g->chip[0].h};
    vw_text_fit(dl, lab, -1, FONT_BOLD, L->px_body, L->px_small * 2 / 3, COL(v, TC_TEXT), "Method");
    for (int i = 0; i < RELU_MODE_COUNT; i++) {
        int on = v->st->sal_method == i;
        dl_rect(dl, g->chip[i], COL(v, on ? TC_ACCENT : TC_BUTTON));
        dl_frame(dl, g->chip[i], COL(v, TC_EDGE), 1);
        vw_text_fit(dl, g->chip[i], 0, on ? FONT_BOLD : FONT_SANS, L->px_body, L->px_small * 2 / 3,
                    COL(v, on ? TC_ON_ACCENT : TC_TEXT), relu_mode_name((ReluMode)i));
    }
}

/* The classes with the highest scores, the followed one marked; a click follows another. */
static void class_rows(DrawList *dl, const UiView *v, const UiSalGeom *g)
{
    const UiLayout *L = v->L;
    if (g->nrows == 0) return;
    int cap = L->px_small * 13 / 10 + 1;
    dl_text(dl, g->row[0].x, g->row[0].y - cap, FONT_SANS, L->px_small, COL(v, TC_DIM),
            "Target (click one):");
    const UiSalTarget *t = &v->st->sal;
    int n = 0;
    const float *s = scores(v, &n);
    for (int i = 0; i < g->nrows; i++) {
        int on = t->layer < 0 && (t->cls == g->cls[i] || (t->cls < 0 && i == 0));
        char name[128], line[200];
        snprintf(line, sizeof line, "%s%s  %.3g", labels_short_name(v->labels, g->cls[i], name, sizeof name),
                 i == 0 ? " (top-1)" : "", s[g->cls[i]]);
        if (on) dl_rect(dl, g->row[i], COL(v, TC_SHADE));
        UiRect r = ui_rect_inset(g->row[i], US(v, 2));
        vw_text_fit(dl, r, -1, on ? FONT_BOLD : FONT_SANS, L->px_body, L->px_small * 2 / 3,
                    COL(v, on ? TC_ACCENT : TC_TEXT), line);
    }
}

static int has_relu(const ArchSpec *a)
{
    for (int i = 0; i < a->nlayers; i++)
        if (a->layers[i].kind == LK_RELU) return 1;
    return 0;
}

static void texts(DrawList *dl, const UiView *v, const UiSalGeom *g)
{
    const UiLayout *L = v->L;
    const UiSaliency *s = &v->m->sal;
    UiRect r = g->text;
    char t[400];
    int lh = L->px_body * 13 / 10 + 1;
    vw_text_fit(dl, (UiRect){r.x, r.y, r.w, lh}, -1, FONT_MONO, L->px_body, L->px_small * 2 / 3, COL(v, TC_ACCENT),
                ui_sal_formula(s, v->m->net, t, sizeof t));
    ui_sal_target_text(s, v->m->net, v->labels, t, sizeof t);
    int y = vw_wrap(dl, r.x, r.y + lh + US(v, 2), r.w, FONT_BOLD, L->px_small, COL(v, TC_TEXT), t) + US(v, 4);
    snprintf(t, sizeof t, "%s%s", saliency_about((ReluMode)s->method),
             s->method != RELU_GRADIENT && !has_relu(s->arch) ? " This network has no ReLU (tanh): the same map." : "");
    y = vw_wrap(dl, r.x, y, r.w, FONT_SANS, L->px_small, COL(v, TC_TEXT), t) + US(v, 4);
    snprintf(t, sizeof t, "max |gradient| %.4g (white) · forward %.1f ms (%d layers reused), backward %.1f ms",
             s->max, s->ms_forward, s->reused, s->ms_backward);
    y = vw_wrap(dl, r.x, y, r.w, FONT_SANS, L->px_small, COL(v, TC_DIM), t) + US(v, 4);
    vw_wrap(dl, r.x, y, r.w, s->trained ? FONT_SANS : FONT_BOLD, L->px_small, COL(v, s->trained ? TC_DIM : TC_WARN),
            ui_sal_weights_note(s));
}

int vw_saliency(DrawList *dl, const UiView *v)
{
    UiSalGeom g;
    if (!ui_sal_geom(v, &g)) return 0;
    const UiLayout *L = v->L;
    const UiSaliency *s = &v->m->sal;
    const UiProgress *p = &v->m->progress;
    int ready = result_ready(v);
    char right[96] = "", t[300];
    if (ready) snprintf(right, sizeof right, "%s, %.2f s", relu_mode_name((ReluMode)s->method), s->ms / 1e3);
    head(dl, v, right);
    chips(dl, v, &g);
    class_rows(dl, v, &g);
    if (p->running == UI_TOOL_SALIENCY || !ready) {
        UiRect b = ui_rect_inset(L->center_body, L->pad * 2);
        if (p->running == UI_TOOL_SALIENCY) snprintf(t, sizeof t, "computing the %s…", p->what);
        else snprintf(t, sizeof t, "No saliency map yet: Y computes it.");
        vw_wrap(dl, b.x, b.y + L->pad, b.w, FONT_BOLD, L->px_title, COL(v, TC_WARN), t);
        if (!ready) return 1;
    }
    static const char *const caps[3] = {"the input", "max |gradient| over channels", "signed gradient (grey = 0)"};
    int cap = L->px_small * 13 / 10 + 1;
    for (int i = 0; i < 3; i++) {
        dl_image(dl, IMG_TOOLS, (UiRect){i * s->in.w, 0, s->in.w, s->in.h}, g.img[i], white);
        dl_frame(dl, g.img[i], COL(v, TC_EDGE), 1);
        UiRect c = {g.img[i].x, g.img[i].y + g.img[i].h + US(v, 2), g.img[i].w, cap};
        vw_text_fit(dl, c, 0, FONT_SANS, L->px_small, L->px_small * 2 / 3, COL(v, TC_DIM), caps[i]);
    }
    texts(dl, v, &g);
    return 1;
}

/* ---- clicks -------------------------------------------------------------------------------- */

int ui_sal_pick(const UiView *v, int x, int y, UiPick *p)
{
    UiSalGeom g;
    if (!ui_sal_geom(v, &g)) return 0;
    for (int i = 0; i < RELU_MODE_COUNT; i++)
        if (ui_rect_contains(g.chip[i], x, y)) {
            p->kind = PICK_SAL_METHOD, p->index = i;
            return 1;
        }
    for (int i = 0; i < g.nrows; i++)
        if (ui_rect_contains(g.row[i], x, y)) {
            p->kind = PICK_SAL_CLASS, p->index = g.cls[i];
            return 1;
        }
    return 0;
}

int ui_sal_click(UiState *st, const UiView *v, const UiPick *p)
{
    UiSalTarget old = st->sal;
    int method = st->sal_method, layer = ui_pos_layer(st->pos);
    const Net *n = v->m->net;
    switch (p->kind) {
    case PICK_SAL_METHOD: st->sal_method = p->index; break;
    case PICK_SAL_CLASS: st->sal = (UiSalTarget){-1, p->index, 0, 0, 0}; break;
    case PICK_TILE:
    case PICK_ZOOM: /* a unit of a layer with maps (not the input: its gradient is itself) */
        if (n && layer >= 0 && st->unit.valid) st->sal = (UiSalTarget){layer, -1, st->unit.c, st->unit.y, st->unit.x};
        break;
    case PICK_STRIP: /* a cell of a vector: the scores or probabilities are classes, others units */
        if (!n || layer < 0) break;
        if (layer == saliency_score_layer(n->arch) || n->plan.layers[layer].spec->kind == LK_SOFTMAX)
            st->sal = (UiSalTarget){-1, p->index, 0, 0, 0};
        else
            st->sal = (UiSalTarget){layer, -1, p->index, 0, 0};
        break;
    default: return 0;
    }
    int changed = memcmp(&old, &st->sal, sizeof old) != 0 || method != st->sal_method;
    return changed && st->tool_view == UI_TOOL_VIEW_SALIENCY ? UI_FX_TOOL : 0;
}
