/* lesson_grad.c - the placeholders of the two gradient lessons (issue 10), computed on the
   lesson's image with the engine's backward pass:

   {saliency:FIELD}, {saliency:METHOD.FIELD} - the gradient of the top-1 class score (the
     last fc layer, before the softmax) with respect to the input, by tool_saliency: what
     `alexscope saliency` computes. METHOD: gradient, guided, deconv (how a ReLU passes the
     gradient back), or prob (the true gradient of the top-1 PROBABILITY instead).
   {backprop:...}, {backprop@K:...} - back-propagation through one conv layer for the
     cross-entropy loss of class K (default: the top-1 class): dL/dy at the layer's output
     from the layers above, then the three sums of backward.h written as the formulas
     (dw, db, dx), checked against conv2d_backward and against net_backward.

   While a lesson is only checked (n NULL) the names and their indices are checked against
   the plan and the values read "(not computed yet)"; fields that follow from the structure
   alone (dx_terms, compared, center_area_pct) are computed then too. When the lesson's run
   has not reached the layers a value needs, a copy of the run (same weights, input and
   dropout) is run further: the lesson's Net is only read. Saliency results are cached per
   input and weights (a backward pass of AlexNet takes most of a second); one thread at a
   time expands narrations (the window's worker, or the CLI). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backward.h"
#include "lesson_impl.h"
#include "saliency.h"
#include "util.h"

#define NOT_COMPUTED LESSON_NOT_COMPUTED

/* n itself when it has computed `need` layers, else a new Net on n's weights, input and
   dropout, run to `need` layers (*own: net_free it). NULL with e set on failure. */
static Net *ran_to(const Net *n, int need, Net **own, Err *e)
{
    *own = NULL;
    /* tool_saliency and net_backward run only layers not yet done: with done >= need they
       only read n, so the cast does not change the lesson's run */
    if (n->done >= need) return (Net *)n;
    Net *s = net_create(n->arch, n->weights, e);
    if (!s) return NULL;
    s->train_dropout = n->train_dropout, s->dropout_seed = n->dropout_seed;
    net_set_input(s, n->input);
    if (net_run_to(s, need, e) < 0) {
        net_free(s);
        return NULL;
    }
    return *own = s;
}

static int softmax_layer(const Plan *p)
{
    int last = p->nlayers - 1;
    return last >= 1 && p->layers[last].spec->kind == LK_SOFTMAX ? last : -1;
}

/* "0.0012" or "(-0.51)": a term of a written-out sum */
static void term_num(char *buf, size_t size, double v)
{
    snprintf(buf, size, v < 0 ? "(%.3g)" : "%.3g", v);
}

/* ---- {saliency:...} --------------------------------------------------------------------- */

enum { SAL_PROB = RELU_MODE_COUNT, SAL_KINDS }; /* gradient, guided, deconv, prob */

typedef struct {
    int have;
    float max;      /* the map's largest value */
    double center;  /* the share of the map's sum inside the central square */
    double ms;      /* the backward pass */
} SalSummary;

/* One entry: the last input and weights a saliency placeholder saw. */
static struct {
    uint64_t key;
    int cls;
    float score;
    SalSummary s[SAL_KINDS];
} sal_cache;

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* What a saliency result depends on: the input, the weights (their address, every bias and
   the first weights of each layer: a reload at the same address still differs), dropout. */
static uint64_t sal_key(const Net *n)
{
    uint64_t h = fnv(14695981039346656037ull, n->input, sizeof(float) * (size_t)shape_count(n->arch->input));
    h = fnv(h, &n->weights, sizeof n->weights);
    h = fnv(h, &n->arch, sizeof n->arch);
    for (int i = 0; i < n->arch->nlayers; i++) {
        const LayerWeights *l = &n->weights->l[i];
        if (l->w) h = fnv(h, l->w, sizeof(float) * (size_t)(l->nw < 256 ? l->nw : 256));
        if (l->b) h = fnv(h, l->b, sizeof(float) * (size_t)l->nb);
    }
    h = fnv(h, &n->train_dropout, sizeof n->train_dropout);
    return fnv(h, &n->dropout_seed, sizeof n->dropout_seed);
}

/* The central square: half the side, centred: rows and columns [h/4, h/4 + h/2). */
static void center_box(Shape s, int *y0, int *y1, int *x0, int *x1)
{
    *y0 = s.h / 4, *y1 = *y0 + s.h / 2, *x0 = s.w / 4, *x1 = *x0 + s.w / 2;
}

static double center_share(const SalResult *r)
{
    int y0, y1, x0, x1;
    center_box(r->in, &y0, &y1, &x0, &x1);
    double all = 0, in = 0;
    for (int y = 0; y < r->in.h; y++)
        for (int x = 0; x < r->in.w; x++) {
            double v = r->map[(long)y * r->in.w + x];
            all += v;
            if (y >= y0 && y < y1 && x >= x0 && x < x1) in += v;
        }
    return all > 0 ? in / all : 0.0;
}

/* Fills the cache's entry kind (and the class and score) for n's input. */
static int sal_compute(const Net *n, int kind, Err *e)
{
    uint64_t key = sal_key(n);
    if (key != sal_cache.key) memset(&sal_cache, 0, sizeof sal_cache), sal_cache.key = key, sal_cache.cls = -1;
    if (sal_cache.s[kind].have && sal_cache.cls >= 0) return 0;
    int score = saliency_score_layer(n->arch), prob = softmax_layer(&n->plan);
    Net *own, *r = ran_to(n, (kind == SAL_PROB ? prob : score) + 1, &own, e);
    if (!r) return -1;
    SalParams sp = {.method = kind == SAL_PROB ? RELU_GRADIENT : (ReluMode)kind, .layer = -1, .cls = -1};
    if (kind == SAL_PROB) { /* d p[K] / d input, K the top-1 of the scores */
        const float *z = r->run[score].out_data;
        int k = 0;
        for (int i = 1; i < r->plan.layers[score].out.c; i++) k = z[i] > z[k] ? i : k;
        sp.layer = prob, sp.c = k, sp.y = sp.x = 0;
    }
    SalResult res;
    int rc = tool_saliency(r, &sp, &res, e);
    if (rc == 0) {
        if (kind != SAL_PROB) sal_cache.cls = res.cls, sal_cache.score = res.score;
        else if (sal_cache.cls < 0) sal_cache.cls = res.c, sal_cache.score = r->run[score].out_data[res.c];
        SalSummary *s = &sal_cache.s[kind];
        s->have = 1, s->max = res.max, s->center = center_share(&res), s->ms = res.ms_backward;
        sal_result_free(&res);
    }
    net_free(own);
    return rc;
}

static const char *const sal_kind_names[SAL_KINDS] = {"gradient", "guided", "deconv", "prob"};

static int saliency_field(const char *spec, const char *name, const Plan *p, const Net *n, const Labels *lb,
                          char *out, int size, Err *e)
{
    size_t sz = (size_t)size;
    const char *dot = strchr(spec, '.'), *field = dot ? dot + 1 : spec;
    int kind = -1;
    for (int k = 0; dot && k < SAL_KINDS; k++)
        if ((size_t)(dot - spec) == strlen(sal_kind_names[k]) && !strncmp(spec, sal_kind_names[k], (size_t)(dot - spec)))
            kind = k;
    if (dot && kind < 0)
        return err_set(e, "unknown method '%.*s' in {%s} (known: gradient, guided, deconv, prob)", (int)(dot - spec),
                       spec, name);
    int whole = !dot && (!strcmp(field, "score") || !strcmp(field, "class") || !strcmp(field, "label") ||
                         !strcmp(field, "weights") || !strcmp(field, "center_area_pct"));
    int per = dot && (!strcmp(field, "max") || !strcmp(field, "center_pct") || !strcmp(field, "ms"));
    if (!whole && !per)
        return err_set(e, "unknown field in {%s} (known: score, class, label, weights, center_area_pct; "
                          "METHOD.max, METHOD.center_pct, METHOD.ms with METHOD gradient, guided, deconv or prob)", name);
    if (saliency_score_layer(p->arch) < 0) return err_set(e, "{%s}: %s has no class scores (no fc layer)", name, p->arch->name);
    if (kind == SAL_PROB && softmax_layer(p) < 0)
        return err_set(e, "{%s}: %s does not end in a softmax: no probability to follow", name, p->arch->name);
    if (!strcmp(field, "center_area_pct")) { /* structure: what a flat map would put there */
        int y0, y1, x0, x1;
        center_box(p->arch->input, &y0, &y1, &x0, &x1);
        snprintf(out, sz, "%.1f%%", 100.0 * (y1 - y0) * (x1 - x0) / ((double)p->arch->input.h * p->arch->input.w));
        return 0;
    }
    if (!n || !n->has_input || !n->weights) return snprintf(out, sz, NOT_COMPUTED), 0;
    if (!strcmp(field, "weights")) return snprintf(out, sz, "%s", n->weights->source), 0;
    if (sal_compute(n, kind < 0 ? RELU_GRADIENT : kind, e) != 0) return -1;
    const SalSummary *s = &sal_cache.s[kind < 0 ? RELU_GRADIENT : kind];
    char buf[128];
    if (!strcmp(field, "score")) snprintf(out, sz, "%.4g", sal_cache.score);
    else if (!strcmp(field, "class")) snprintf(out, sz, "%d", sal_cache.cls);
    else if (!strcmp(field, "label")) snprintf(out, sz, "%s", labels_name(lb, sal_cache.cls, buf, sizeof buf));
    else if (!strcmp(field, "max")) snprintf(out, sz, "%.3g", s->max);
    else if (!strcmp(field, "center_pct")) snprintf(out, sz, "%.1f%%", 100.0 * s->center);
    else snprintf(out, sz, "%.0f ms", s->ms);
    return 0;
}

/* ---- {backprop:...}: one conv layer, backwards --------------------------------------------- */

/* The fields of {backprop:LAYER.FIELD:ARGS}, the number of arguments, and what they index. */
typedef enum { IX_NONE, IX_OUT, IX_FILTER, IX_WEIGHT, IX_IN } IndexKind;
static const char *const ix_args[] = {"none", "filter, row, column of the output", "the filter",
                                      "filter, channel, row, column of the weight", "channel, row, column of the input"};
static const struct {
    const char *name;
    int nargs;
    IndexKind ix;
} bp_fields[] = {
    {"dy", 3, IX_OUT},          {"db", 1, IX_FILTER},    {"db_expr", 1, IX_FILTER}, {"dw", 4, IX_WEIGHT},
    {"dw_expr", 4, IX_WEIGHT},  {"w", 4, IX_WEIGHT},     {"sgd", 5, IX_WEIGHT},     {"dx", 3, IX_IN},
    {"dx_expr", 3, IX_IN},      {"dx_terms", 3, IX_IN},  {"maxdiff", 0, IX_NONE},   {"maxdiff_net", 0, IX_NONE},
    {"dw_max", 0, IX_NONE},     {"compared", 0, IX_NONE},
};
#define BP_FIELDS ((int)(sizeof bp_fields / sizeof bp_fields[0]))

typedef struct {
    int label;      /* the class of the loss; -1: the top-1 */
    int layer;      /* the conv layer; -1 for loss, label, class, p */
    int field;      /* into bp_fields; -1 for the loss fields */
    char loss_field[16];
    double arg[5];  /* the indices (and sgd's learning rate) */
} BpQuery;

/* One conv layer of a run that reached the softmax, and dL/dy at its output. */
typedef struct {
    const float *in, *w, *dy; /* the layer's input (is), weights (cout, cin_g, k, k), dL/dy (os) */
    Shape is, os;
    int k, s, pad, cin_g, cout_g;
} ConvGrad;

/* A written-out sum: its first two terms, its last, the count and the total. */
typedef struct {
    int n;
    double a[3], b[3]; /* terms 1, 2 and the last: a·b (b = 1 for db) */
    double sum;
} Expr;

static void expr_add(Expr *x, double a, double b)
{
    int slot = x->n < 2 ? x->n : 2;
    x->a[slot] = a, x->b[slot] = b, x->n++, x->sum += a * b;
}

/* dL/db[o] = Σ_y Σ_x dy[o][y][x] */
static double hand_db(const ConvGrad *c, int o, Expr *x)
{
    long plane = (long)c->os.h * c->os.w;
    for (long q = 0; q < plane; q++) expr_add(x, c->dy[o * plane + q], 1.0);
    return x->sum;
}

/* dL/dw[o][ci][i][j] = Σ_y Σ_x dy[o][y][x] · x[g·cin_g + ci][y·s − p + i][x·s − p + j]
   (positions on the padding add nothing and are not terms) */
static double hand_dw(const ConvGrad *c, int o, int ci, int i, int j, Expr *x)
{
    int ch = (o / c->cout_g) * c->cin_g + ci;
    for (int y = 0; y < c->os.h; y++)
        for (int xx = 0; xx < c->os.w; xx++) {
            int iy = y * c->s - c->pad + i, ix = xx * c->s - c->pad + j;
            if (iy < 0 || iy >= c->is.h || ix < 0 || ix >= c->is.w) continue;
            expr_add(x, c->dy[((long)o * c->os.h + y) * c->os.w + xx], c->in[((long)ch * c->is.h + iy) * c->is.w + ix]);
        }
    return x->sum;
}

/* dL/dx[ch][py][px] = Σ over the units (o, y, x) whose window covers the pixel of
   w[o][ci][py − y·s + p][px − x·s + p] · dy[o][y][x], o in the pixel's group. With c NULL
   only the terms are counted (the structure decides them). */
static double hand_dx(const ConvGrad *c, Shape is, Shape os, int k, int s, int pad, int groups, int ch, int py,
                      int px, Expr *x)
{
    int cin_g = is.c / groups, cout_g = os.c / groups, g = ch / cin_g, ci = ch % cin_g;
    for (int o = g * cout_g; o < (g + 1) * cout_g; o++)
        for (int y = 0; y < os.h; y++)
            for (int xx = 0; xx < os.w; xx++) {
                int i = py + pad - y * s, j = px + pad - xx * s;
                if (i < 0 || i >= k || j < 0 || j >= k) continue;
                if (!c) {
                    x->n++;
                    continue;
                }
                expr_add(x, c->w[(((long)o * cin_g + ci) * k + i) * k + j], c->dy[((long)o * os.h + y) * os.w + xx]);
            }
    return x->sum;
}

/* "0.0012·(-0.51) + 0.0010·0.49 + … + 0.0003·0.98 = -0.0153 (784 terms)" */
static void expr_text(const Expr *x, int products, char *out, size_t size)
{
    size_t o = 0;
    out[0] = '\0';
    for (int t = 0; t < 3 && t < x->n && o < size; t++) {
        char a[32], b[32];
        term_num(a, sizeof a, x->a[t]), term_num(b, sizeof b, x->b[t]);
        const char *sep = !t ? "" : (t == 2 && x->n > 3) ? " + … + " : " + ";
        o += (size_t)snprintf(out + o, size - o, "%s%s%s%s", sep, a, products ? "·" : "", products ? b : "");
    }
    if (o < size) snprintf(out + o, size - o, " = %.4g (%d term%s)", x->sum, x->n, x->n == 1 ? "" : "s");
}

/* "backprop" ["@K"] ":" (loss | label | class | p | LAYER "." FIELD [":" ARGS]), checked
   against the plan's shapes. */
static int bp_parse(const char *spec, const char *name, const Plan *p, BpQuery *q, Err *e)
{
    memset(q, 0, sizeof *q);
    q->label = -1, q->layer = -1, q->field = -1;
    const char *hint = "write {backprop:loss} or {backprop@K:conv1.dw:O,C,I,J} (docs/lessons.md)";
    int prob = softmax_layer(p);
    if (prob < 0) return err_set(e, "{%s}: %s does not end in a softmax: no cross-entropy loss", name, p->arch->name);
    if (*spec == '@') {
        char *end;
        long k = strtol(spec + 1, &end, 10);
        if (end == spec + 1 || *end != ':' || k < 0 || k >= p->layers[prob].out.c)
            return err_set(e, "{%s}: the class after '@' must be 0..%d, then ':'", name, p->layers[prob].out.c - 1);
        q->label = (int)k, spec = end;
    }
    if (*spec++ != ':') return err_set(e, "{%s}: %s", name, hint);
    if (!strcmp(spec, "loss") || !strcmp(spec, "label") || !strcmp(spec, "class") || !strcmp(spec, "p"))
        return str_copy(q->loss_field, sizeof q->loss_field, spec), 0;
    char lname[64];
    const char *dot = strchr(spec, '.');
    if (!dot || (size_t)(dot - spec) >= sizeof lname) return err_set(e, "{%s}: %s", name, hint);
    snprintf(lname, sizeof lname, "%.*s", (int)(dot - spec), spec);
    q->layer = arch_layer_index(p->arch, lname);
    if (q->layer < 0 || p->layers[q->layer].spec->kind != LK_CONV)
        return err_set(e, "{%s}: '%s' is not a conv layer of %s", name, lname, p->arch->name);
    const char *colon = strchr(dot + 1, ':');
    size_t flen = colon ? (size_t)(colon - dot - 1) : strlen(dot + 1);
    for (int f = 0; f < BP_FIELDS; f++)
        if (strlen(bp_fields[f].name) == flen && !strncmp(dot + 1, bp_fields[f].name, flen)) q->field = f;
    if (q->field < 0)
        return err_set(e, "unknown field '%.*s' in {%s} (known: dy, db, db_expr, dw, dw_expr, w, sgd, dx, dx_expr, "
                          "dx_terms, maxdiff, maxdiff_net, dw_max, compared; or loss, label, class, p)", (int)flen, dot + 1, name);
    int want = bp_fields[q->field].nargs, got = 0;
    for (const char *a = colon ? colon + 1 : NULL; a && got < 5;) {
        char *end;
        q->arg[got++] = strtod(a, &end);
        if (end == a || (*end && *end != ',')) return err_set(e, "{%s}: the arguments are numbers separated by commas", name);
        a = *end ? end + 1 : NULL;
    }
    if (got != want)
        return err_set(e, "{%s}: %s takes %d number%s after ':' (%s%s)", name, bp_fields[q->field].name, want,
                       want == 1 ? "" : "s", ix_args[bp_fields[q->field].ix], want == 5 ? ", learning rate" : "");
    if (want == 5 && !(q->arg[4] > 0 && q->arg[4] < 1e6))
        return err_set(e, "{%s}: the learning rate (the fifth number) must be above 0, e.g. 0.01", name);
    const PlanLayer *r = &p->layers[q->layer];
    const LayerSpec *l = r->spec;
    int lim[4] = {0};
    switch (bp_fields[q->field].ix) {
    case IX_OUT: lim[0] = r->out.c, lim[1] = r->out.h, lim[2] = r->out.w; break;
    case IX_FILTER: lim[0] = r->out.c; break;
    case IX_WEIGHT: lim[0] = r->out.c, lim[1] = r->in.c / l->groups, lim[2] = lim[3] = l->k; break;
    case IX_IN: lim[0] = r->in.c, lim[1] = r->in.h, lim[2] = r->in.w; break;
    case IX_NONE: break;
    }
    for (int i = 0; i < 4 && lim[i]; i++)
        if (q->arg[i] != floor(q->arg[i]) || q->arg[i] < 0 || q->arg[i] >= lim[i])
            return err_set(e, "{%s}: number %d must be a whole number 0..%d for %s", name, i + 1, lim[i] - 1, lname);
    return 0;
}

/* The loss fields, from the softmax of a run that reached it. */
static int bp_loss(const Net *r, const BpQuery *q, const Labels *lb, char *out, size_t sz)
{
    int prob = r->nlayers - 1, classes = r->plan.layers[prob].out.c;
    const float *pr = r->run[prob].out_data;
    int k = q->label;
    if (k < 0) topk(pr, classes, 1, &k);
    char buf[128];
    if (!strcmp(q->loss_field, "loss")) snprintf(out, sz, "%.4g", -log((double)pr[k]));
    else if (!strcmp(q->loss_field, "label")) snprintf(out, sz, "%s", labels_name(lb, k, buf, sizeof buf));
    else if (!strcmp(q->loss_field, "class")) snprintf(out, sz, "%d", k);
    else snprintf(out, sz, "%.1f%%", 100.0 * pr[k]);
    return 0;
}

/* dL/dy at conv layer L's output: the loss back-propagated through the layers above L of
   the run itself (net_backward_to reads the run, it does not change it). */
static int dy_above(const Net *r, int L, int label, float *dy, Err *e)
{
    int prob = r->nlayers - 1, classes = r->plan.layers[prob].out.c, rc = -1;
    float *dl = malloc(sizeof(float) * (size_t)classes);
    if (!dl) return err_set(e, "out of memory");
    softmax_ce_backward(dl, r->run[prob].out_data, classes, label);
    rc = net_backward_to((Net *)r, prob - 1, dl, L, RELU_GRADIENT, NULL, dy, e);
    free(dl);
    return rc;
}

/* The engine's gradients for the layer: conv2d_backward on dy (kdw, kdb, kdx), or the whole
   network's net_backward (dinput only when L is the first layer). */
static int engine_grads(const Net *r, int L, const ConvGrad *c, int label, int whole, float *dw, float *db, float *dx,
                        Err *e)
{
    const LayerSpec *l = r->plan.layers[L].spec;
    long nw = r->plan.layers[L].nw, nb = r->plan.layers[L].nb;
    if (!whole) {
        memset(dw, 0, sizeof(float) * (size_t)nw), memset(db, 0, sizeof(float) * (size_t)nb);
        conv2d_backward(dx, dw, db, c->dy, c->in, c->w, c->is, c->os, l->k, l->stride, l->pad, l->groups);
        return 0;
    }
    Grads g;
    int prob = r->nlayers - 1, classes = r->plan.layers[prob].out.c, rc = -1;
    if (grads_alloc(r->arch, &g, e) != 0) return -1;
    float *dl = malloc(sizeof(float) * (size_t)classes);
    if (!dl) err_set(e, "out of memory");
    else {
        softmax_ce_backward(dl, r->run[prob].out_data, classes, label);
        rc = net_backward((Net *)r, prob - 1, dl, RELU_GRADIENT, &g, L == 0 ? dx : NULL, e);
        memcpy(dw, g.l[L].w, sizeof(float) * (size_t)nw), memcpy(db, g.l[L].b, sizeof(float) * (size_t)nb);
    }
    free(dl);
    grads_free(&g);
    return rc;
}

static double absdiff_max(double m, double a, double b)
{
    double d = fabs(a - b);
    return d > m ? d : m;
}

/* maxdiff: the hand sums against conv2d_backward over every dw, db and dx; maxdiff_net:
   conv2d_backward on dy against the whole network's backward pass; dw_max: max |dw|. */
static int bp_check(const Net *r, int L, const ConvGrad *c, int label, const char *what, double *res, Err *e)
{
    const PlanLayer *pl = &r->plan.layers[L];
    long nw = pl->nw, nb = pl->nb, nx = shape_count(c->is);
    float *kw = malloc(sizeof(float) * (size_t)nw), *kb = malloc(sizeof(float) * (size_t)nb);
    float *kx = malloc(sizeof(float) * (size_t)nx), *gw = malloc(sizeof(float) * (size_t)nw);
    float *gb = malloc(sizeof(float) * (size_t)nb), *gx = malloc(sizeof(float) * (size_t)nx);
    int rc = -1;
    if (!kw || !kb || !kx || !gw || !gb || !gx) err_set(e, "out of memory");
    else if (engine_grads(r, L, c, label, 0, kw, kb, kx, e) == 0) {
        double m = 0;
        rc = 0;
        if (!strcmp(what, "dw_max"))
            for (long i = 0; i < nw; i++) m = absdiff_max(m, kw[i], 0.0);
        else if (!strcmp(what, "maxdiff_net")) {
            if ((rc = engine_grads(r, L, c, label, 1, gw, gb, gx, e)) == 0) {
                for (long i = 0; i < nw; i++) m = absdiff_max(m, kw[i], gw[i]);
                for (long i = 0; i < nb; i++) m = absdiff_max(m, kb[i], gb[i]);
                for (long i = 0; L == 0 && i < nx; i++) m = absdiff_max(m, kx[i], gx[i]);
            }
        } else {
            long per = nw / pl->out.c, k2 = (long)pl->spec->k * pl->spec->k;
            for (long i = 0; i < nw; i++) {
                Expr x = {0};
                int o = (int)(i / per), ci = (int)(i % per / k2), ii = (int)(i % k2 / pl->spec->k), jj = (int)(i % pl->spec->k);
                m = absdiff_max(m, hand_dw(c, o, ci, ii, jj, &x), kw[i]);
            }
            for (long i = 0; i < nb; i++) {
                Expr x = {0};
                m = absdiff_max(m, hand_db(c, (int)i, &x), kb[i]);
            }
            long plane = (long)c->is.h * c->is.w;
            for (long i = 0; i < nx; i++) {
                Expr x = {0};
                m = absdiff_max(m, hand_dx(c, c->is, c->os, c->k, c->s, c->pad, pl->spec->groups, (int)(i / plane),
                                           (int)(i % plane / c->is.w), (int)(i % c->is.w), &x), kx[i]);
            }
        }
        *res = m;
    }
    free(kw), free(kb), free(kx), free(gw), free(gb), free(gx);
    return rc;
}

/* dy of layer L for label, as dy_above gives it; the last few are kept (a step names several
   fields of a layer or two), keyed as the saliency cache is. Owned here: valid until the
   next call. */
#define DY_CACHE 4
static const float *dy_cached(const Net *r, int L, int label, Err *e)
{
    static struct {
        uint64_t key;
        int layer, label;
        float *dy;
    } c[DY_CACHE];
    static int next;
    uint64_t key = sal_key(r);
    for (int i = 0; i < DY_CACHE; i++)
        if (c[i].dy && c[i].key == key && c[i].layer == L && c[i].label == label) return c[i].dy;
    int i = next++ % DY_CACHE;
    free(c[i].dy);
    c[i].dy = malloc(sizeof(float) * (size_t)shape_count(r->plan.layers[L].out));
    if (!c[i].dy) return err_set(e, "out of memory"), NULL;
    if (dy_above(r, L, label, c[i].dy, e) != 0) return free(c[i].dy), c[i].dy = NULL, NULL;
    c[i].key = key, c[i].layer = L, c[i].label = label;
    return c[i].dy;
}

/* The checks' last results: each compares every weight, bias and input gradient of a layer,
   and a step's narration is expanded again each time it is shown. Keyed as the saliency
   cache is, with the layer, the label and the field. */
#define BP_CACHE 64
static struct {
    uint64_t key;
    int layer, label, field, used;
    double value;
} bp_cache[BP_CACHE];
static int bp_cache_next;

static int bp_check_cached(const Net *r, int L, const ConvGrad *c, int label, int field, double *res, Err *e)
{
    uint64_t key = sal_key(r);
    for (int i = 0; i < BP_CACHE; i++)
        if (bp_cache[i].used && bp_cache[i].key == key && bp_cache[i].layer == L && bp_cache[i].label == label &&
            bp_cache[i].field == field)
            return *res = bp_cache[i].value, 0;
    if (bp_check(r, L, c, label, bp_fields[field].name, res, e) != 0) return -1;
    int i = bp_cache_next++ % BP_CACHE;
    bp_cache[i].key = key, bp_cache[i].layer = L, bp_cache[i].label = label, bp_cache[i].field = field;
    bp_cache[i].used = 1, bp_cache[i].value = *res;
    return 0;
}

/* One field of layer q->layer, from a run r that reached the softmax. */
static int bp_layer_field(const Net *r, const BpQuery *q, char *out, size_t sz, Err *e)
{
    int L = q->layer, label = q->label;
    const PlanLayer *pl = &r->plan.layers[L];
    if (label < 0) topk(r->run[r->nlayers - 1].out_data, r->plan.layers[r->nlayers - 1].out.c, 1, &label);
    const float *dy = dy_cached(r, L, label, e);
    if (!dy) return -1;
    ConvGrad c = {.in = net_layer_input(r, L), .w = r->weights->l[L].w, .dy = dy, .is = pl->in, .os = pl->out,
                  .k = pl->spec->k, .s = pl->spec->stride, .pad = pl->spec->pad,
                  .cin_g = pl->in.c / pl->spec->groups, .cout_g = pl->out.c / pl->spec->groups};
    const char *f = bp_fields[q->field].name;
    int a0 = (int)q->arg[0], a1 = (int)q->arg[1], a2 = (int)q->arg[2], a3 = (int)q->arg[3], rc = 0;
    Expr x = {0};
    double v;
    if (!strcmp(f, "dy")) snprintf(out, sz, "%.4g", dy[((long)a0 * pl->out.h + a1) * pl->out.w + a2]);
    else if (!strcmp(f, "db")) snprintf(out, sz, "%.4g", hand_db(&c, a0, &x));
    else if (!strcmp(f, "db_expr")) hand_db(&c, a0, &x), expr_text(&x, 0, out, sz);
    else if (!strcmp(f, "dw")) snprintf(out, sz, "%.4g", hand_dw(&c, a0, a1, a2, a3, &x));
    else if (!strcmp(f, "dw_expr")) hand_dw(&c, a0, a1, a2, a3, &x), expr_text(&x, 1, out, sz);
    else if (!strcmp(f, "dx") || !strcmp(f, "dx_expr")) {
        hand_dx(&c, c.is, c.os, c.k, c.s, c.pad, pl->spec->groups, a0, a1, a2, &x);
        if (f[2]) expr_text(&x, 1, out, sz);
        else snprintf(out, sz, "%.4g", x.sum);
    } else if (!strcmp(f, "w") || !strcmp(f, "sgd")) {
        double w = c.w[(((long)a0 * c.cin_g + a1) * c.k + a2) * c.k + a3];
        if (f[0] == 'w') snprintf(out, sz, "%.4g", w);
        else {
            double dw = hand_dw(&c, a0, a1, a2, a3, &x), lr = q->arg[4];
            char d[32];
            term_num(d, sizeof d, dw);
            snprintf(out, sz, "%.4g − %g × %s = %.4g", w, lr, d, w - lr * dw);
        }
    } else if ((rc = bp_check_cached(r, L, &c, label, q->field, &v, e)) == 0)
        snprintf(out, sz, !strcmp(f, "dw_max") ? "%.3g" : "%.2g", v);
    return rc;
}

static int backprop_field(const char *spec, const char *name, const Plan *p, const Net *n, const Labels *lb,
                          char *out, int size, Err *e)
{
    BpQuery q;
    size_t sz = (size_t)size;
    if (bp_parse(spec, name, p, &q, e) != 0) return -1;
    const char *f = q.field >= 0 ? bp_fields[q.field].name : "";
    if (!strcmp(f, "dx_terms") || !strcmp(f, "compared")) { /* the structure decides these */
        const PlanLayer *pl = &p->layers[q.layer];
        const LayerSpec *l = pl->spec;
        Expr x = {0};
        if (f[0] == 'c') fmt_count(out, sz, pl->nw + pl->nb + shape_count(pl->in));
        else {
            hand_dx(NULL, pl->in, pl->out, l->k, l->stride, l->pad, l->groups, (int)q.arg[0], (int)q.arg[1],
                    (int)q.arg[2], &x);
            fmt_count(out, sz, x.n);
        }
        return 0;
    }
    if (!n || !n->has_input || !n->weights) return snprintf(out, sz, NOT_COMPUTED), 0;
    Net *own, *r = ran_to(n, n->nlayers, &own, e);
    if (!r) return -1;
    int rc = q.layer < 0 ? bp_loss(r, &q, lb, out, sz) : bp_layer_field(r, &q, out, sz, e);
    net_free(own);
    return rc;
}

int lesson_grad_field(const char *name, const Plan *p, const Net *n, const Labels *lb, char *out, int size, Err *e)
{
    if (!strncmp(name, "saliency:", 9)) return saliency_field(name + 9, name, p, n, lb, out, size, e);
    return backprop_field(name + 8, name, p, n, lb, out, size, e); /* "backprop" */
}
