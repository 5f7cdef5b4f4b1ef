/* ui_text.c - card texts from the engine's numbers (see ui_text.h). */
#include "ui_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernels.h"
#include "util.h"

void ui_lines_clear(UiLines *L) { L->n = 0; }

void ui_lines_add(UiLines *L, int style, const char *fmt, ...)
{
    if (L->n >= UI_MAX_LINES) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(L->s[L->n], UI_LINE, fmt, ap);
    va_end(ap);
    L->style[L->n++] = (unsigned char)style;
}

Shape ui_pos_shape(const Net *n, int pos)
{
    if (pos <= 0 || pos > n->nlayers) return n->arch->input;
    return n->plan.layers[pos - 1].out;
}

const char *ui_pos_name(const Net *n, int pos)
{
    if (pos <= 0 || pos > n->nlayers) return "input";
    return n->plan.layers[pos - 1].spec->name;
}

/* ---- size card ---------------------------------------------------------------------- */

static void size_lines(const PlanLayer *r, UiLines *L)
{
    const LayerSpec *l = r->spec;
    const SizeCalc *c = &r->size;
    char shape[48];
    if (l->kind == LK_CONV)
        ui_lines_add(L, UI_LS_HEAD, "%s: %d filters %d×%d, stride %d, padding %d%s", l->name, l->out, l->k, l->k,
                     l->stride, l->pad, l->groups > 1 ? ", 2 groups" : "");
    else
        ui_lines_add(L, UI_LS_HEAD, "%s: %s pool %d×%d, stride %d, padding %d", l->name,
                     l->kind == LK_MAXPOOL ? "max" : "average", l->k, l->k, l->stride, l->pad);
    /* both of the slides' forms, each with this layer's numbers */
    ui_lines_add(L, UI_LS_DIM, "n = %d (input), f = %d, p = %d, s = %d", c->n, c->f, c->p, c->s);
    ui_lines_add(L, UI_LS_BODY, "without padding: (n − f) / s + 1");
    ui_lines_add(L, UI_LS_MONO, "%s", c->nopad);
    ui_lines_add(L, UI_LS_BODY, "with padding: (n + 2p − f) / s + 1");
    ui_lines_add(L, UI_LS_MONO, "%s", c->padded);
    if (!c->divides) ui_lines_add(L, UI_LS_WARN, "%s", c->rounding);
    else if (l->kind != LK_CONV)
        ui_lines_add(L, UI_LS_DIM, "divides exactly, so floor and ceil agree");
    ui_lines_add(L, UI_LS_BODY, "%s → %s", shape_hwc(r->in, shape, sizeof shape),
                 shape_hwc(r->out, shape + 24, sizeof shape - 24));
}

static void plain_lines(const Net *n, const PlanLayer *r, UiLines *L)
{
    const LayerSpec *l = r->spec;
    char in[24], out[24], count[32];
    shape_hwc(r->in, in, sizeof in);
    shape_hwc(r->out, out, sizeof out);
    fmt_count(count, sizeof count, shape_count(r->out));
    switch (l->kind) {
    case LK_RELU:
        ui_lines_add(L, UI_LS_HEAD, "%s: ReLU, max(0, x)", l->name);
        ui_lines_add(L, UI_LS_BODY, "applied to each of the %s values", count);
        ui_lines_add(L, UI_LS_BODY, "the shape does not change: %s", out);
        break;
    case LK_TANH:
        ui_lines_add(L, UI_LS_HEAD, "%s: tanh(x) for each of %s values", l->name, count);
        ui_lines_add(L, UI_LS_BODY, "the shape does not change: %s", out);
        break;
    case LK_LRN:
        ui_lines_add(L, UI_LS_HEAD, "%s: local response normalisation", l->name);
        ui_lines_add(L, UI_LS_MONO, "x / (k + α/n·Σx²)^β");
        ui_lines_add(L, UI_LS_DIM, "Σ: channels c−%d … c+%d (n = %d), same position,", l->lrn_n / 2, l->lrn_n / 2,
                     l->lrn_n);
        ui_lines_add(L, UI_LS_DIM, "clipped at the first and last channel");
        ui_lines_add(L, UI_LS_DIM, "k = %g, α = %g, β = %g", l->lrn_k, l->lrn_alpha, l->lrn_beta);
        ui_lines_add(L, UI_LS_DIM, "Caffe's and PyTorch's form; the paper's has no /n");
        ui_lines_add(L, UI_LS_BODY, "the shape does not change: %s", out);
        break;
    case LK_FC: {
        char nin[32];
        fmt_count(nin, sizeof nin, shape_count(r->in));
        ui_lines_add(L, UI_LS_HEAD, "%s: fully connected", l->name);
        if (!shape_is_vector(r->in)) ui_lines_add(L, UI_LS_BODY, "flatten %s = %s inputs", in, nin);
        else ui_lines_add(L, UI_LS_BODY, "%s inputs", nin);
        ui_lines_add(L, UI_LS_MONO, "y_j = Σ_i w_ji·x_i + b_j");
        ui_lines_add(L, UI_LS_BODY, "%s inputs → %s outputs", nin, out);
        break;
    }
    case LK_DROPOUT:
        ui_lines_add(L, UI_LS_HEAD, "%s: dropout (ratio %g)", l->name, l->drop_ratio);
        ui_lines_add(L, UI_LS_BODY, "training: each unit is dropped with p = %g", l->drop_ratio);
        if (n->train_dropout)
            ui_lines_add(L, UI_LS_WARN, "now in train mode: a seeded mask drops units, survivors ×%g",
                         1.0 / (1.0 - l->drop_ratio));
        else
            ui_lines_add(L, UI_LS_BODY, "here (testing): the identity, %s → %s", in, out);
        /* what Caffe and PyTorch do, and what the paper did: the same on average */
        ui_lines_add(L, UI_LS_DIM, "inverted dropout (Caffe, PyTorch): ×%g in training, nothing at test",
                     1.0 / (1.0 - l->drop_ratio));
        ui_lines_add(L, UI_LS_DIM, "the paper: no ×%g in training, outputs ×%g at test; same on average",
                     1.0 / (1.0 - l->drop_ratio), 1.0 - l->drop_ratio);
        break;
    case LK_SOFTMAX:
        ui_lines_add(L, UI_LS_HEAD, "%s: softmax over %s classes", l->name, out);
        ui_lines_add(L, UI_LS_MONO, "p_i = exp(z_i) / Σ_j exp(z_j)");
        ui_lines_add(L, UI_LS_BODY, "every p_i > 0 and they sum to 1");
        ui_lines_add(L, UI_LS_DIM, "training: loss = −log p_true (cross-entropy)");
        if (l->added) ui_lines_add(L, UI_LS_WARN, "%s", l->added);
        break;
    default:
        ui_lines_add(L, UI_LS_HEAD, "%s: %s → %s", l->name, in, out);
        break;
    }
}

/* The sizes an n×n input gets, as the network rounds (floor 0) or with every layer rounding
   down (floor 1), e.g. "54 → 27 → 13 → 6"; *fc_in: the input count of the first fc layer,
   *fc (0 if there is none). */
static void size_chain(const ArchSpec *a, int n, int floor, char *buf, size_t size, long *fc_in, const char **fc)
{
    Shape s = {a->input.c, n, n};
    size_t used = 0;
    buf[0] = '\0';
    *fc_in = 0;
    int last = n;
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        if (l->kind == LK_FC) {
            *fc_in = shape_count(s), *fc = l->name;
            return;
        }
        if (!layer_kind(l->kind)->windowed) continue;
        /* convolutions always round down (layer_out_shape); pools as their table says */
        int h = conv_out_size(s.h, l->k, l->pad, l->stride, floor || l->kind == LK_CONV ? 0 : l->ceil_mode);
        if (h <= 0) return;
        s.h = s.w = h;
        if (l->kind == LK_CONV) s.c = l->out;
        if (h != last && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%d", used ? " → " : "", h);
        last = h;
        if (used >= size) return;
    }
}

/* "ceil pools (as here): 54 → 27 → 13 → 6, fc6 9,216" */
static void chain_line(UiLines *L, int style, const char *how, const char *chain, const char *fc, long fc_in)
{
    char cnt[32];
    fmt_count(cnt, sizeof cnt, fc_in);
    ui_lines_add(L, style, "%s: %s, %s %s", how, chain, fc, cnt);
}

/* at_conv: the card already shows the first conv's own formula, so it is not repeated, and
   the shorter story is told (the conv1 card is full). */
static void why227(const ArchSpec *a, UiLines *L, int at_conv)
{
    int i = arch_first_conv(a);
    /* the 224-versus-227 story belongs to AlexNet's colour input, not to LeNet's digits */
    if (i < 0 || a->input.c != 3) return;
    const LayerSpec *l = &a->layers[i];
    const int paper = 224; /* the paper's input size (Krizhevsky et al. 2012, Fig. 2) */
    SizeCalc c224, cnet;
    size_calc(l, paper, &c224);
    size_calc(l, a->input.h, &cnet);
    if (a->input.h != paper) ui_lines_add(L, UI_LS_HEAD, "Why %d and not the paper's %d?", a->input.h, paper);
    else ui_lines_add(L, UI_LS_HEAD, "The paper's %d, as this network takes it", paper);
    ui_lines_add(L, UI_LS_MONO, "%s at %d: %s", l->name, paper, l->pad ? c224.padded : c224.nopad);
    if (!c224.divides) {
        char own[96], flo[96];
        long own_fc, flo_fc;
        const char *fc = "";
        size_chain(a, paper, 0, own, sizeof own, &own_fc, &fc);
        size_chain(a, paper, 1, flo, sizeof flo, &flo_fc, &fc);
        if (own_fc && flo_fc && strcmp(own, flo)) {
            /* the last window that fits starts at (out−1)·s − p and ends k − 1 further on */
            int end = (c224.out - 1) * l->stride - l->pad + l->k - 1;
            if (end < paper - 1 && !at_conv)
                ui_lines_add(L, UI_LS_DIM, "its windows cover pixels 0–%d of 0–%d", end, paper - 1);
            chain_line(L, UI_LS_DIM, "ceil pools (as here)", own, fc, own_fc);
            chain_line(L, UI_LS_DIM, "floor everywhere", flo, fc, flo_fc);
        } else if (a->input.h == paper) {
            ui_lines_add(L, UI_LS_BODY, "rounding down drops the last partial window: %d", c224.out);
        }
        /* how the paper's Figure 2 got its number from 224, for a network that takes another size */
        if (a->input.h != paper)
            ui_lines_add(L, UI_LS_DIM, "the paper's %d: cuda-convnet's 1 + ceil((n+2p−f)/s)", (int)ceil(c224.exact));
    } else {
        ui_lines_add(L, UI_LS_BODY, "%d divides exactly for this network", paper);
    }
    if (a->input.h != paper) {
        if (!at_conv) ui_lines_add(L, UI_LS_MONO, "%s at %d: %s", l->name, a->input.h, l->pad ? cnet.padded : cnet.nopad);
        if (cnet.divides)
            ui_lines_add(L, UI_LS_BODY, "%d %swindows, %d wide, %d apart", cnet.out,
                         l->k > l->stride ? "overlapping " : "", l->k, l->stride);
    }
}

void ui_why227_text(const ArchSpec *a, UiLines *L) { why227(a, L, 0); }

void ui_formula_text(const Net *n, int layer, UiLines *L)
{
    ui_lines_clear(L);
    char shape[32];
    if (layer < 0 || layer >= n->nlayers) {
        ui_lines_add(L, UI_LS_HEAD, "input: %s, the crop the network sees",
                     shape_hwc(n->arch->input, shape, sizeof shape));
        const Preproc *pp = &n->arch->preproc;
        if (pp->warp)
            ui_lines_add(L, UI_LS_DIM, "default \"%s\": warp to %d×%d, centre crop, minus the mean", pp->name,
                         pp->resize, pp->resize);
        else
            ui_lines_add(L, UI_LS_DIM, "default \"%s\": shorter side to %d, centre crop, minus the mean",
                         pp->name, pp->resize);
        ui_why227_text(n->arch, L);
        return;
    }
    const PlanLayer *r = &n->plan.layers[layer];
    if (r->has_size) size_lines(r, L);
    else plain_lines(n, r, L);
    if (layer == arch_first_conv(n->arch)) why227(n->arch, L, 1);
}

/* ---- parameter card ----------------------------------------------------------------- */

void ui_layer_shares(const Net *n, int layer, double *params_pct, double *macs_pct)
{
    const PlanLayer *r = &n->plan.layers[layer];
    *params_pct = n->plan.total_params ? 100.0 * (double)(r->nw + r->nb) / (double)n->plan.total_params : 0;
    *macs_pct = n->plan.total_macs ? 100.0 * (double)r->macs / (double)n->plan.total_macs : 0;
}

void ui_params_summary(const Net *n, char *buf, size_t size)
{
    int big = -1, nconv = 0;
    long long conv_macs = 0;
    for (int i = 0; i < n->nlayers; i++) {
        const PlanLayer *r = &n->plan.layers[i];
        if (big < 0 || r->nw + r->nb > n->plan.layers[big].nw + n->plan.layers[big].nb) big = i;
        if (r->spec->kind == LK_CONV) nconv++, conv_macs += r->macs;
    }
    double pp, mp;
    ui_layer_shares(n, big, &pp, &mp);
    double conv_pct = n->plan.total_macs ? 100.0 * (double)conv_macs / (double)n->plan.total_macs : 0;
    snprintf(buf, size, "%s holds %.1f%% of the parameters; the %d conv layers do %.1f%% of the MACs",
             n->plan.layers[big].spec->name, pp, nconv, conv_pct);
}

void ui_params_text(const Net *n, int layer, UiLines *L)
{
    char total[32], running[32], macs[32];
    ui_lines_clear(L);
    fmt_count(total, sizeof total, n->plan.total_params);
    if (layer < 0 || layer >= n->nlayers) {
        ui_lines_add(L, UI_LS_HEAD, "The input has no parameters");
        ui_lines_add(L, UI_LS_BODY, "the whole network: %s", total);
    } else {
        const PlanLayer *r = &n->plan.layers[layer];
        fmt_count(running, sizeof running, r->params_running);
        if (r->params_expr[0]) {
            double pp, mp;
            ui_layer_shares(n, layer, &pp, &mp);
            fmt_count(macs, sizeof macs, r->macs);
            ui_lines_add(L, UI_LS_HEAD, "%s: weights + biases", r->spec->name);
            ui_lines_add(L, UI_LS_MONO, "%s", r->params_expr);
            if (r->spec->kind == LK_CONV && r->spec->groups > 1)
                ui_lines_add(L, UI_LS_DIM, "%d groups: each filter sees %d of the %d input channels",
                             r->spec->groups, r->in.c / r->spec->groups, r->in.c);
            ui_lines_add(L, UI_LS_BODY, "%.2f%% of the parameters, %.1f%% of the MACs", pp, mp);
            ui_lines_add(L, UI_LS_DIM, "%s multiply-adds for one image", macs);
        } else {
            ui_lines_add(L, UI_LS_HEAD, "%s has no parameters", r->spec->name);
        }
        double share = n->plan.total_params ? 100.0 * (double)r->params_running / (double)n->plan.total_params : 0;
        ui_lines_add(L, UI_LS_BODY, "so far: %s of %s (%.1f%%)", running, total, share);
    }
    char sum[200];
    ui_params_summary(n, sum, sizeof sum);
    ui_lines_add(L, UI_LS_DIM, "%s", sum);
}

/* ---- receptive field ---------------------------------------------------------------- */

/* How many of the pixels start .. start+len−1 lie in 0 .. n−1. */
static int rf_on_image(int start, int len, int n)
{
    int lo = start < 0 ? 0 : start, hi = start + len > n ? n : start + len;
    return hi > lo ? hi - lo : 0;
}

void ui_rf_text(const Net *n, int layer, int y, int x, UiLines *L)
{
    ui_lines_clear(L);
    Shape in = n->arch->input;
    if (layer < 0) {
        ui_lines_add(L, UI_LS_HEAD, "input: each value is one pixel of the %d×%d crop", in.h, in.w);
        return;
    }
    const PlanLayer *r = &n->plan.layers[layer];
    const LayerSpec *l = r->spec;
    if (r->rf <= 0) {
        ui_lines_add(L, UI_LS_HEAD, "%s sees the whole %d×%d input", l->name, in.h, in.w);
        ui_lines_add(L, UI_LS_BODY, "every output is connected to every input");
        return;
    }
    int prf = 1, pjump = 1;
    if (layer > 0) prf = n->plan.layers[layer - 1].rf, pjump = n->plan.layers[layer - 1].rf_jump;
    ui_lines_add(L, UI_LS_HEAD, "%s: each unit sees %d×%d input pixels", l->name, r->rf, r->rf);
    if (r->has_size) {
        ui_lines_add(L, UI_LS_BODY, "rf = rf_before + (k − 1)·jump_before");
        ui_lines_add(L, UI_LS_MONO, "%d = %d + (%d − 1)·%d", r->rf, prf, l->k, pjump);
        ui_lines_add(L, UI_LS_BODY, "jump = %d·%d = %d input pixels between units", pjump, l->stride, r->rf_jump);
    } else if (l->kind == LK_LRN) {
        ui_lines_add(L, UI_LS_BODY, "%s mixes %d channels at the same position: the field stays %d×%d", l->name,
                     l->lrn_n, r->rf, r->rf);
    } else {
        ui_lines_add(L, UI_LS_BODY, "%s works value by value: the field stays %d×%d", l->name, r->rf, r->rf);
    }
    /* the part of the field on the image (the rest is padding), clipped per axis */
    int rows = r->rf, cols = r->rf;
    if (y >= 0 && x >= 0) {
        int top = r->rf_start + y * r->rf_jump, left = r->rf_start + x * r->rf_jump;
        ui_lines_add(L, UI_LS_MONO, "unit (y %d, x %d): rows %d..%d, cols %d..%d", y, x, top, top + r->rf - 1, left,
                     left + r->rf - 1);
        rows = rf_on_image(top, r->rf, in.h), cols = rf_on_image(left, r->rf, in.w);
        if (rows < r->rf || cols < r->rf)
            ui_lines_add(L, UI_LS_WARN, "%d×%d of it on the image: %.1f%% of the field is padding", rows, cols,
                         100.0 - 100.0 * rows * cols / ((double)r->rf * r->rf));
    } else {
        ui_lines_add(L, UI_LS_DIM, "hover a unit to see its field on the crop");
        rows = rows > in.h ? in.h : rows, cols = cols > in.w ? in.w : cols;
    }
    ui_lines_add(L, UI_LS_DIM, "on the image: %.1f%% of the %d×%d input", 100.0 * rows * cols / ((double)in.h * in.w),
                 in.h, in.w);
    ui_lines_add(L, UI_LS_DIM, "the theoretical field: the effective one (what really sways the unit) is smaller");
}

/* ---- show the math ------------------------------------------------------------------ */

static float input_at(const float *in, Shape s, int c, int y, int x)
{
    if (y < 0 || x < 0 || y >= s.h || x >= s.w) return 0.0f; /* zero padding */
    return in[((size_t)c * s.h + y) * s.w + x];
}

int ui_math(const Net *n, int layer, int o, int y, int x, UiMath *m)
{
    memset(m, 0, sizeof *m);
    if (layer < 0 || layer >= n->nlayers) return -1;
    int conv = layer, relu = -1;
    LayerKind k = n->plan.layers[layer].spec->kind;
    /* the unit's activation: a ReLU (alexnet) or tanh (lenet5) right after the conv */
    if ((k == LK_RELU || k == LK_TANH) && layer > 0 && n->plan.layers[layer - 1].spec->kind == LK_CONV)
        conv = layer - 1, relu = layer;
    else if (k != LK_CONV) return -1;
    else if (layer + 1 < n->nlayers && (n->plan.layers[layer + 1].spec->kind == LK_RELU ||
                                         n->plan.layers[layer + 1].spec->kind == LK_TANH))
        relu = layer + 1;
    const PlanLayer *r = &n->plan.layers[conv];
    const LayerSpec *l = r->spec;
    if (!n->weights || !n->weights->l || !n->weights->l[conv].w) return -1;
    if (o < 0 || o >= r->out.c || y < 0 || y >= r->out.h || x < 0 || x >= r->out.w) return -1;
    if (!n->run[conv].computed) return -1;

    const float *in = net_layer_input(n, conv);
    const float *w = n->weights->l[conv].w, *b = n->weights->l[conv].b;
    m->conv = conv, m->relu = relu, m->o = o, m->y = y, m->x = x;
    m->k = l->k, m->stride = l->stride, m->pad = l->pad, m->groups = l->groups;
    m->cin = r->in.c, m->cin_g = r->in.c / l->groups;
    m->group = o / (r->out.c / l->groups);
    m->c0 = m->group * m->cin_g;
    m->y0 = y * l->stride - l->pad, m->x0 = x * l->stride - l->pad;
    m->show = l->k < 3 ? l->k : 3;
    m->terms = (long)m->cin_g * l->k * l->k;

    const float *wo = w + (size_t)o * m->cin_g * l->k * l->k; /* (cin/groups, k, k) */
    double sum = 0.0;
    int np = 0;
    for (int c = 0; c < m->cin_g; c++)
        for (int ky = 0; ky < l->k; ky++)
            for (int kx = 0; kx < l->k; kx++) {
                float xv = input_at(in, r->in, m->c0 + c, m->y0 + ky, m->x0 + kx);
                float wv = wo[((size_t)c * l->k + ky) * l->k + kx];
                sum += (double)xv * wv;
                if (np < 3) m->prod[np++] = xv * wv;
            }
    for (int ky = 0; ky < m->show; ky++)
        for (int kx = 0; kx < m->show; kx++) {
            m->patch[ky][kx] = input_at(in, r->in, m->c0, m->y0 + ky, m->x0 + kx);
            m->kern[ky][kx] = wo[(size_t)ky * l->k + kx];
        }
    m->sum = sum;
    m->bias = b[o];
    m->pre = (float)(sum + b[o]);
    m->stored = n->run[conv].out_data[((size_t)o * r->out.h + y) * r->out.w + x];
    m->check = conv2d_unit(in, w, b, r->in, r->out.c, l->k, l->stride, l->pad, l->groups, o, y, x);
    m->act_tanh = relu >= 0 && n->plan.layers[relu].spec->kind == LK_TANH;
    m->after_relu = m->act_tanh ? tanhf(m->pre) : m->pre > 0 ? m->pre : 0.0f;
    return 0;
}

static void table_row(char *buf, size_t size, const float *p, const float *k, int show)
{
    size_t used = 0;
    for (int i = 0; i < show && used < size; i++) used += (size_t)snprintf(buf + used, size - used, "%7.1f", p[i]);
    if (used < size) used += (size_t)snprintf(buf + used, size - used, "   ");
    for (int i = 0; i < show && used < size; i++) used += (size_t)snprintf(buf + used, size - used, "%7.3f", k[i]);
}

void ui_math_text(const Net *n, const UiMath *m, UiLines *L)
{
    ui_lines_clear(L);
    const PlanLayer *r = &n->plan.layers[m->conv];
    char terms[32];
    fmt_count(terms, sizeof terms, m->terms);
    ui_lines_add(L, UI_LS_HEAD, "%s, channel %d, unit (y %d, x %d)", r->spec->name, m->o, m->y, m->x);
    if (m->groups > 1)
        ui_lines_add(L, UI_LS_WARN, "group %d of %d: reads input channels %d–%d of %d", m->group + 1, m->groups,
                     m->c0, m->c0 + m->cin_g - 1, m->cin);
    else
        ui_lines_add(L, UI_LS_DIM, "reads all %d input channels", m->cin);
    ui_lines_add(L, UI_LS_DIM, "window rows %d..%d, cols %d..%d%s", m->y0, m->y0 + m->k - 1, m->x0,
                 m->x0 + m->k - 1, m->pad ? " (outside = padding 0)" : "");
    ui_lines_add(L, UI_LS_DIM, "input ch %d (corner %d×%d)    kernel w[%d][0]", m->c0, m->show, m->show, m->o);
    for (int i = 0; i < m->show; i++) {
        char row[UI_LINE];
        table_row(row, sizeof row, m->patch[i], m->kern[i], m->show);
        ui_lines_add(L, UI_LS_MONO, "%s", row);
    }
    char terms3[3][32];
    for (int i = 0; i < 3; i++)
        snprintf(terms3[i], sizeof terms3[i], m->prod[i] < 0 ? "(%.3g)" : "%.3g", m->prod[i]);
    ui_lines_add(L, UI_LS_MONO, "Σ x·w = %s + %s + %s + …", terms3[0], terms3[1], terms3[2]);
    ui_lines_add(L, UI_LS_MONO, "      = %.4f   (%s terms)", m->sum, terms);
    ui_lines_add(L, UI_LS_MONO, "+ bias %.4f = %.4f", m->bias, m->pre);
    int ok = fabsf(m->stored - m->check) <= 1e-3f * (1.0f + fabsf(m->check));
    ui_lines_add(L, ok ? UI_LS_DIM : UI_LS_WARN, "out_data %.4f, conv2d_unit %.4f %s", m->stored, m->check,
                 ok ? "✓" : "(differ!)");
    if (m->relu >= 0 && m->act_tanh) ui_lines_add(L, UI_LS_HEAD, "tanh(%.4f) = %.4f", m->pre, m->after_relu);
    else if (m->relu >= 0) ui_lines_add(L, UI_LS_HEAD, "ReLU: max(0, %.4f) = %.4f", m->pre, m->after_relu);
}
