/* lesson_text.c - {placeholders}: every number a lesson states comes from here, read off the
   plan (structure) or the run (values) of the lesson's network. To add a placeholder, add a
   line to total_field or layer_field and document it in docs/lessons.md. Prefixes plan
   another architecture ({lenet5:...}), input size or rounding ({alexnet@224/floor:...});
   {sum:a,b} adds what placeholders show; {6,400 = placeholder} states a number and fails the
   lesson check unless the engine agrees. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "im2col_net.h"
#include "lesson.h"
#include "lesson_impl.h"
#include "util.h"

#define NOT_COMPUTED "(not computed yet)"

/* One decimal ("61.9%"); below 1 %, two significant digits ("0.057%"), not a bare "0.1%". */
static void pct(char *buf, size_t size, long long part, long long whole)
{
    double v = whole ? 100.0 * (double)part / (double)whole : 0.0;
    if (v > 0 && v < 0.95) snprintf(buf, size, "%.2g%%", v);
    else snprintf(buf, size, "%.1f%%", v);
}

/* "603.9 KiB", "4.2 MiB" */
static void bytes_text(char *buf, size_t size, long long bytes)
{
    if (bytes < 1048576) snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
    else snprintf(buf, size, "%.1f MiB", bytes / 1048576.0);
}

/* {conv1.im2col_*}: the layer as Caffe's matrix product (plan_im2col, per group); maxdiff
   computes the layer again through the patch matrix and compares it with the naive loops. */
static int im2col_field(const Plan *p, const Net *n, int i, const char *f, char *out, size_t sz)
{
    PlanIm2col z;
    if (strncmp(f, "im2col_", 7) || plan_im2col(&p->layers[i], &z) != 0) return -1;
    f += 7;
    char a[32], b[32];
    if (!strcmp(f, "rows")) fmt_count(out, sz, z.rows);
    else if (!strcmp(f, "cols")) fmt_count(out, sz, z.cols);
    else if (!strcmp(f, "wrows")) fmt_count(out, sz, z.wrows);
    else if (!strcmp(f, "matrix")) snprintf(out, sz, "%s × %s", fmt_count(a, sizeof a, z.rows), fmt_count(b, sizeof b, z.cols));
    else if (!strcmp(f, "weights")) snprintf(out, sz, "%s × %s", fmt_count(a, sizeof a, z.wrows), fmt_count(b, sizeof b, z.rows));
    else if (!strcmp(f, "product")) snprintf(out, sz, "%s × %s", fmt_count(a, sizeof a, z.wrows), fmt_count(b, sizeof b, z.cols));
    else if (!strcmp(f, "macs")) fmt_count(out, sz, z.macs);
    else if (!strcmp(f, "patch_bytes")) bytes_text(out, sz, z.patch_bytes);
    else if (!strcmp(f, "in_bytes")) bytes_text(out, sz, z.in_bytes);
    else if (!strcmp(f, "ratio")) snprintf(out, sz, "%.1f", (double)z.patch_bytes / (double)z.in_bytes);
    else if (!strcmp(f, "maxdiff")) {
        float d;
        if (!n || !n->run[i].computed || im2col_net_maxdiff(n, i, &d, NULL) != 0) snprintf(out, sz, NOT_COMPUTED);
        else snprintf(out, sz, "%.2g", d);
    } else
        return -1;
    return 0;
}

/* ---- placeholders ----------------------------------------------------------------------- */

static int total_field(const Plan *n, const char *f, char *out, int size)
{
    int conv = 0, fcs = 0;
    long long conv_macs = 0, fc_params = 0;
    for (int i = 0; i < n->nlayers; i++) {
        const PlanLayer *r = &n->layers[i];
        if (r->spec->kind == LK_CONV) conv++, conv_macs += r->macs;
        if (r->spec->kind == LK_FC) fcs++, fc_params += r->nw + r->nb;
    }
    if (!strcmp(f, "params")) fmt_count(out, (size_t)size, n->total_params);
    else if (!strcmp(f, "macs")) fmt_count(out, (size_t)size, n->total_macs);
    else if (!strcmp(f, "params_millions")) snprintf(out, (size_t)size, "%.1f million", n->total_params / 1e6);
    else if (!strcmp(f, "params_nogroups")) fmt_count(out, (size_t)size, plan_params_without_groups(n->arch));
    else if (!strcmp(f, "conv")) snprintf(out, (size_t)size, "%d", conv);
    else if (!strcmp(f, "fc")) snprintf(out, (size_t)size, "%d", fcs);
    else if (!strcmp(f, "layers")) snprintf(out, (size_t)size, "%d", n->nlayers);
    else if (!strcmp(f, "conv_macs_pct")) pct(out, (size_t)size, conv_macs, n->total_macs);
    else if (!strcmp(f, "fc_params_pct")) pct(out, (size_t)size, fc_params, n->total_params);
    else if (!strcmp(f, "act_bytes")) snprintf(out, (size_t)size, "%.1f MiB", n->total_act_bytes / 1048576.0);
    else return -1;
    return 0;
}

/* n (may be NULL) has the values a run produced; the rest comes from the plan p. */
static int layer_field(const Plan *p, const Net *n, int i, const char *f, char *out, int size)
{
    const PlanLayer *r = &p->layers[i];
    const LayerRun *run = n ? &n->run[i] : NULL;
    const LayerSpec *l = r->spec;
    size_t sz = (size_t)size;
    int sized = r->has_size;
    if (!strcmp(f, "name")) snprintf(out, sz, "%s", l->name);
    else if (!strcmp(f, "kind")) snprintf(out, sz, "%s", layer_kind(l->kind)->name);
    else if (!strcmp(f, "in_shape")) shape_hwc(r->in, out, sz);
    else if (!strcmp(f, "out_shape")) shape_hwc(r->out, out, sz);
    else if (!strcmp(f, "in_c")) snprintf(out, sz, "%d", r->in.c);
    else if (!strcmp(f, "in_h")) snprintf(out, sz, "%d", r->in.h);
    else if (!strcmp(f, "out_c")) snprintf(out, sz, "%d", r->out.c);
    else if (!strcmp(f, "out_h")) snprintf(out, sz, "%d", r->out.h);
    else if (!strcmp(f, "out_count")) fmt_count(out, sz, (long long)r->out.c * r->out.h * r->out.w);
    else if (!strcmp(f, "out_hw")) fmt_count(out, sz, (long long)r->out.h * r->out.w);
    else if (!strcmp(f, "in_count")) fmt_count(out, sz, (long long)r->in.c * r->in.h * r->in.w);
    else if (!strcmp(f, "k") && sized) snprintf(out, sz, "%d", l->k);
    else if (!strcmp(f, "stride") && sized) snprintf(out, sz, "%d", l->stride);
    else if (!strcmp(f, "pad") && sized) snprintf(out, sz, "%d", l->pad);
    else if (!strcmp(f, "groups") && l->kind == LK_CONV) snprintf(out, sz, "%d", l->groups);
    else if (!strcmp(f, "unit_macs") && l->kind == LK_CONV)
        fmt_count(out, sz, (long long)l->k * l->k * (r->in.c / l->groups));
    else if (!strcmp(f, "group_in_c") && l->kind == LK_CONV) snprintf(out, sz, "%d", r->in.c / l->groups);
    else if (!strcmp(f, "kernel") && l->kind == LK_CONV)
        snprintf(out, sz, "%d×%d×%d", l->k, l->k, r->in.c / l->groups);
    else if (!strcmp(f, "formula") && sized) snprintf(out, sz, "%s", r->size.nopad);
    else if (!strcmp(f, "formula_padded") && sized) snprintf(out, sz, "%s", r->size.padded);
    /* the last window along a row: it starts at (out−1)·s − p and ends k − 1 pixels later */
    else if (!strcmp(f, "last_start") && sized) snprintf(out, sz, "%d", (r->out.w - 1) * l->stride - l->pad);
    else if (!strcmp(f, "last_end") && sized) snprintf(out, sz, "%d", (r->out.w - 1) * l->stride - l->pad + l->k - 1);
    else if (!strcmp(f, "rounding") && sized) snprintf(out, sz, "%s", r->size.rounding[0] ? r->size.rounding : "it divides exactly");
    else if (!strcmp(f, "weights")) fmt_count(out, sz, r->nw);
    else if (!strcmp(f, "biases")) fmt_count(out, sz, r->nb);
    else if (!strcmp(f, "params")) fmt_count(out, sz, r->nw + r->nb);
    else if (!strcmp(f, "params_expr") && r->params_expr[0]) snprintf(out, sz, "%s", r->params_expr);
    else if (!strcmp(f, "params_running")) fmt_count(out, sz, r->params_running);
    else if (!strcmp(f, "params_pct")) pct(out, sz, r->nw + r->nb, p->total_params);
    else if (!strcmp(f, "macs")) fmt_count(out, sz, r->macs);
    else if (!strcmp(f, "macs_pct")) pct(out, sz, r->macs, p->total_macs);
    else if (!strcmp(f, "act_bytes")) snprintf(out, sz, "%.1f KiB", r->act_bytes / 1024.0);
    else if (!strcmp(f, "rf") && r->rf > 0) snprintf(out, sz, "%d×%d", r->rf, r->rf);
    else if (!strcmp(f, "rf_jump") && r->rf > 0) snprintf(out, sz, "%d", r->rf_jump);
    else if (!strcmp(f, "lrn_n") && l->kind == LK_LRN) snprintf(out, sz, "%d", l->lrn_n);
    else if (!strcmp(f, "alpha") && l->kind == LK_LRN) snprintf(out, sz, "%g", l->lrn_alpha);
    else if (!strcmp(f, "beta") && l->kind == LK_LRN) snprintf(out, sz, "%g", l->lrn_beta);
    else if (!strcmp(f, "lrn_k") && l->kind == LK_LRN) snprintf(out, sz, "%g", l->lrn_k);
    else if (!strcmp(f, "ratio") && l->kind == LK_DROPOUT) snprintf(out, sz, "%g", l->drop_ratio);
    else if (!strcmp(f, "keep") && l->kind == LK_DROPOUT) snprintf(out, sz, "%g", 1.0 - l->drop_ratio);
    else if (!strcmp(f, "scale") && l->kind == LK_DROPOUT) snprintf(out, sz, "%g", 1.0 / (1.0 - l->drop_ratio));
    else if (!strcmp(f, "min") || !strcmp(f, "max") || !strcmp(f, "mean") || !strcmp(f, "zero_pct") || !strcmp(f, "ms")) {
        if (!run || !run->computed) snprintf(out, sz, NOT_COMPUTED);
        else if (!strcmp(f, "min")) snprintf(out, sz, "%.4g", run->min);
        else if (!strcmp(f, "max")) snprintf(out, sz, "%.4g", run->max);
        else if (!strcmp(f, "mean")) snprintf(out, sz, "%.4g", run->mean);
        else if (!strcmp(f, "zero_pct")) snprintf(out, sz, "%.1f%%", 100.0 * run->zero_frac);
        else snprintf(out, sz, "%.1f ms", run->ms);
    } else
        return im2col_field(p, n, i, f, out, sz);
    return 0;
}

/* {topN.label} / {topN.prob} / {topN.index}, N = 1..5; n NULL: not computed */
static int top_field(const Net *n, const Labels *lb, int rank, const char *f, char *out, int size)
{
    if (strcmp(f, "label") && strcmp(f, "prob") && strcmp(f, "index")) return -1;
    int count = 0;
    const float *p = n ? net_output(n, &count) : NULL;
    if (!p) {
        snprintf(out, (size_t)size, NOT_COMPUTED);
        return 0;
    }
    int idx[5];
    topk(p, count, rank, idx);
    int c = idx[rank - 1];
    char name[128];
    if (!strcmp(f, "label")) snprintf(out, (size_t)size, "%s", labels_name(lb, c, name, sizeof name));
    else if (!strcmp(f, "prob")) snprintf(out, (size_t)size, "%.1f%%", 100.0 * p[c]);
    else snprintf(out, (size_t)size, "%d", c);
    return 0;
}

/* {input.resize} "256", {input.order} "BGR", {input.range} "0–255", {input.mean} "104, 117, 123":
   how a photo becomes this network's input (the arch's default preprocessing). */
static int input_preproc(const Preproc *pp, const char *f, char *out, int size)
{
    size_t sz = (size_t)size;
    int nc = pp->grey ? 1 : 3;
    if (!strcmp(f, "resize")) snprintf(out, sz, "%d", pp->resize);
    else if (!strcmp(f, "order")) snprintf(out, sz, "%s", pp->grey ? "grey" : pp->bgr ? "BGR" : "RGB");
    else if (!strcmp(f, "range")) snprintf(out, sz, "%s", pp->scale == 1.0f ? "0–255" : "0–1");
    else if (!strcmp(f, "mean")) {
        int used = 0;
        out[0] = '\0';
        for (int c = 0; c < nc && used < size; c++)
            used += snprintf(out + used, sz - (size_t)used, "%s%g", c ? ", " : "", pp->mean[c]);
    } else
        return -1;
    return 0;
}

/* {size:N,F,P,S} - the output-size formula for any numbers, e.g. {size:224,11,0,4};
   {rounding:N,F,P,S} - how floor and ceil resolve it when it does not divide. */
static int size_field(const char *args, int rounding, char *out, int size, Err *e)
{
    /* strtol, not sscanf's %d: %d is undefined on overflow and glibc wraps, so
       {size:4294967520,11,0,4} used to be accepted as 224. */
    const char *what = rounding ? "rounding" : "size";
    int v[4];
    const char *p = args;
    for (int i = 0; i < 4; i++) {
        if (i && *p++ != ',') return err_set(e, "{%s:...} takes four numbers n,f,p,s, e.g. {%s:224,11,0,4}", what, what);
        char *end;
        errno = 0;
        long x = strtol(p, &end, 10);
        if (end == p) return err_set(e, "{%s:...} takes four numbers n,f,p,s, e.g. {%s:224,11,0,4}", what, what);
        if (errno || x < (i == 2 ? 0 : 1) || x > 100000)
            return err_set(e, "{%s:%s}: n, f and s must be 1..100000 and p 0..100000", what, args);
        v[i] = (int)x;
        p = end;
    }
    if (*p) return err_set(e, "{%s:...} takes four numbers n,f,p,s, e.g. {%s:224,11,0,4}", what, what);
    LayerSpec l = {.kind = LK_CONV, .name = "size", .k = v[1], .pad = v[2], .stride = v[3], .groups = 1};
    SizeCalc c;
    size_calc(&l, v[0], &c);
    if (rounding) snprintf(out, (size_t)size, "%s", c.rounding[0] ? c.rounding : "it divides exactly");
    else snprintf(out, (size_t)size, "%s", v[2] ? c.padded : c.nopad);
    return 0;
}

/* ---- another input size, forced floor rounding, sums, checked numbers -------------------- */


/* An architecture with another input size and/or every pool rounding down, e.g. the prefix
   "alexnet@224/floor": a copy of the tables, on the caller's stack (no allocation). */
typedef struct {
    ArchSpec arch;
    LayerSpec layers[PLAN_MAX_LAYERS];
} ArchVariant;

/* spec: "NAME", "NAME@N", "NAME/floor" or "NAME@N/floor" (modified in place). *out: the
   shipped table itself, or v's copy. */
static int arch_variant(char *spec, const char *name, ArchVariant *v, const ArchSpec **out, Err *e)
{
    char *slash = strchr(spec, '/'), *at = strchr(spec, '@');
    int floor_all = 0, size = 0;
    if (slash) {
        *slash = '\0';
        if (strcmp(slash + 1, "floor"))
            return err_set(e, "unknown rounding '/%s' in {%s} (known: /floor, e.g. {alexnet@224/floor:pool5.out_shape})",
                           slash + 1, name);
        floor_all = 1;
    }
    if (at) {
        *at = '\0';
        char *end;
        errno = 0;
        long x = strtol(at + 1, &end, 10);
        if (end == at + 1 || *end || errno || x < 1 || x > 4096)
            return err_set(e, "{%s}: the input size after '@' must be a whole number 1..4096, not '%s'", name, at + 1);
        size = (int)x;
    }
    const ArchSpec *a = arch_find(spec);
    if (!a) {
        char known[128];
        return err_set(e, "unknown architecture '%s' in {%s} (known: %s)", spec, name, arch_names(known, sizeof known));
    }
    *out = a;
    if (!floor_all && !size) return 0;
    if (a->nlayers > PLAN_MAX_LAYERS) return err_set(e, "{%s}: %s has too many layers", name, a->name);
    v->arch = *a;
    memcpy(v->layers, a->layers, (size_t)a->nlayers * sizeof *a->layers);
    for (int i = 0; floor_all && i < a->nlayers; i++) v->layers[i].ceil_mode = 0;
    v->arch.layers = v->layers;
    if (size) v->arch.input.h = v->arch.input.w = size;
    *out = &v->arch;
    return 0;
}

/* Field names that take arguments after a colon, rather than being an architecture prefix. */
static int is_function(const char *f)
{
    return !strncmp(f, "size:", 5) || !strncmp(f, "rounding:", 9) || !strncmp(f, "sum:", 4) ||
           !strncmp(f, "overfit:", 8) || !strncmp(f, "trained:", 8);
}

static int placeholder(const char *name, const Plan *p, const Net *n, const Labels *lb, char *out, int size, Err *e);

/* "6,400", "46.4%", "0.057 %" → the number and whether it is a percentage, ignoring
   thousands separators and spaces; -1 if it is not a plain number. decimals: digits after
   the point. */
static void no_separators(const char *s, char *o, size_t size)
{
    size_t k = 0;
    for (; *s && k + 1 < size; s++)
        if (*s != ',' && *s != ' ') o[k++] = *s;
    o[k] = '\0';
}

static int plain_number(const char *s, double *v, int *pct, int *decimals)
{
    char digits[64];
    no_separators(s, digits, sizeof digits);
    char *end;
    errno = 0;
    *v = strtod(digits, &end);
    if (end == digits || errno) return -1;
    const char *dot = strchr(digits, '.');
    *decimals = dot && dot < end ? (int)(end - dot - 1) : 0;
    *pct = *end == '%';
    return end[*pct] ? -1 : 0;
}

/* {sum:a,b,c}: the sum of the numbers the placeholders a, b, c show (as a reader who adds
   them up gets it), with as many decimals as the most precise term, "%" if every term is one. */
static int sum_field(char *args, const char *name, const Plan *p, const Net *n, const Labels *lb, char *out, int size,
                     Err *e)
{
    double total = 0;
    int terms = 0, pcts = 0, decimals = 0;
    for (char *t = args;;) {
        char *comma = strchr(t, ',');
        if (comma) *comma = '\0';
        char *term = lesson_trim(t), val[128];
        if (!*term || strchr(term, '=') || strstr(term, "sum:"))
            return err_set(e, "{%s}: write {sum:a,b,...} with placeholders a, b, e.g. {sum:conv3.macs_pct,conv4.macs_pct}",
                           name);
        if (placeholder(term, p, n, lb, val, sizeof val, e) != 0) return -1;
        if (!strcmp(val, NOT_COMPUTED)) return snprintf(out, (size_t)size, NOT_COMPUTED), 0;
        double v;
        int pct, dec;
        if (plain_number(val, &v, &pct, &dec) != 0)
            return err_set(e, "{%s}: {%s} gives '%s', which is not a number to add", name, term, val);
        total += v, terms++, pcts += pct;
        if (dec > decimals) decimals = dec;
        if (!comma) break;
        t = comma + 1;
    }
    if (pcts && pcts != terms) return err_set(e, "{%s}: adds percentages to counts", name);
    if (decimals || pcts) snprintf(out, (size_t)size, "%.*f%s", decimals, total, pcts ? "%" : "");
    else fmt_count(out, (size_t)size, (long long)(total + 0.5));
    return 0;
}

/* {6,400 = alexnet@224/floor:fc6.in_count}: shows the number as written, and fails (at
   `lesson check`, with the line) unless the placeholder gives the same number, ignoring
   thousands separators and spaces. */
static int checked_field(char *buf, const char *name, const Plan *p, const Net *n, const Labels *lb, char *out,
                         int size, Err *e)
{
    char *eq = strchr(buf, '=');
    *eq = '\0';
    char *stated = lesson_trim(buf), *what = lesson_trim(eq + 1);
    if (!*stated || !*what || strchr(what, '='))
        return err_set(e, "{%s}: write {NUMBER = placeholder}, e.g. {6,400 = alexnet@224/floor:fc6.in_count}", name);
    if (placeholder(what, p, n, lb, out, size, e) != 0) return -1;
    if (!strcmp(out, NOT_COMPUTED))
        return err_set(e, "{%s}: a checked number must follow from the network's structure, not from a run", name);
    char a[128], b[128];
    no_separators(stated, a, sizeof a);
    no_separators(out, b, sizeof b);
    if (strcmp(a, b)) return err_set(e, "the text states %s but {%s} gives %s", stated, what, out);
    snprintf(out, (size_t)size, "%s", stated);
    return 0;
}

/* One {placeholder}. p: the structure of the network the lesson is about; n (NULL while a
   lesson is only checked) the run that has the values. */
static int placeholder(const char *name, const Plan *p, const Net *n, const Labels *lb, char *out, int size, Err *e)
{
    char buf[128];
    if (strlen(name) >= sizeof buf) return err_set(e, "placeholder too long");
    str_copy(buf, sizeof buf, name);
    if (strchr(buf, '=')) return checked_field(buf, name, p, n, lb, out, size, e);
    if (!strncmp(buf, "sum:", 4)) return sum_field(buf + 4, name, p, n, lb, out, size, e);
    if (!strncmp(buf, "size:", 5)) return size_field(buf + 5, 0, out, size, e);
    if (!strncmp(buf, "rounding:", 9)) return size_field(buf + 9, 1, out, size, e);
    if (!strncmp(buf, "overfit:", 8) || !strncmp(buf, "trained:", 8)) return lesson_trained_field(buf, out, size, e);
    if (!strncmp(buf, "saliency:", 9) || !strncmp(buf, "backprop", 8)) return lesson_grad_field(buf, p, n, lb, out, size, e);

    /* "lenet5:conv1.params" reads another architecture's structure, "alexnet@224/floor:..."
       the same with another input size and floor rounding; the last prefix wins */
    if (strchr(buf, ':')) {
        char *field = buf;
        const ArchSpec *a = p->arch;
        ArchVariant v;
        char *colon;
        while ((colon = strchr(field, ':')) && !is_function(field)) {
            *colon = '\0';
            if (arch_variant(field, name, &v, &a, e) != 0) return -1;
            field = colon + 1;
        }
        Plan other;
        Err why = {0};
        if (plan_build(a, &other, &why) != 0) return err_set(e, "{%s}: %s", name, why.msg);
        return placeholder(field, &other, NULL, NULL, out, size, e);
    }
    char *dot = strchr(buf, '.');
    if (!dot)
        return err_set(e, "unknown placeholder {%s}: write {layer.field}, {total.field}, {size:n,f,p,s} or {sum:a,b} "
                          "(docs/lessons.md)", name);
    *dot = '\0';
    const char *obj = buf, *field = dot + 1;
    if (!strcmp(obj, "total")) {
        if (total_field(p, field, out, size) == 0) return 0;
        return err_set(e, "unknown field '%s' in {%s} (known: params, macs, params_millions, params_nogroups, conv, fc, "
                          "layers, conv_macs_pct, fc_params_pct, act_bytes)", field, name);
    }
    if (!strcmp(obj, "input")) {
        Shape s = p->arch->input;
        if (!strcmp(field, "shape")) shape_hwc(s, out, (size_t)size);
        else if (!strcmp(field, "size")) snprintf(out, (size_t)size, "%d", s.h);
        else if (!strcmp(field, "c")) snprintf(out, (size_t)size, "%d", s.c);
        else if (!strcmp(field, "count")) fmt_count(out, (size_t)size, (long long)s.c * s.h * s.w);
        else if (input_preproc(&p->arch->preproc, field, out, size) != 0)
            return err_set(e, "unknown field '%s' in {%s} (known: shape, size, c, count, resize, order, range, mean)",
                           field, name);
        return 0;
    }
    if (!strcmp(obj, "arch")) {
        if (!strcmp(field, "name")) snprintf(out, (size_t)size, "%s", p->arch->name);
        else if (!strcmp(field, "title")) snprintf(out, (size_t)size, "%s", p->arch->title);
        else return err_set(e, "unknown field '%s' in {%s} (known: name, title)", field, name);
        return 0;
    }
    if (!strncmp(obj, "top", 3) && obj[3] >= '1' && obj[3] <= '5' && !obj[4]) {
        if (top_field(n, lb, obj[3] - '0', field, out, size) == 0) return 0;
        return err_set(e, "unknown field '%s' in {%s} (known: label, prob, index)", field, name);
    }
    int i = arch_layer_index(p->arch, obj);
    if (i < 0) {
        char known[512];
        lesson_layer_list(p->arch, known, sizeof known);
        return err_set(e, "unknown layer '%s' in {%s} (known: %s, total, input, arch, top1..top5)", obj, name, known);
    }
    if (layer_field(p, n, i, field, out, size) == 0) return 0;
    return err_set(e, "'%s' is not a field of %s layer %s in {%s} (see docs/lessons.md for the list)", field,
                   layer_kind(p->arch->layers[i].kind)->name, obj, name);
}

int lesson_placeholder(const char *name, const Net *n, const Labels *lb, char *out, int size, Err *e)
{
    if (!name || !n || !out || size <= 0) return err_set(e, "placeholder: bad arguments");
    return placeholder(name, &n->plan, n, lb, out, size, e);
}

/* The bytes a value can take once computed (placeholder's buffer): what a value that is
   not computed yet counts for in lesson_expand's bound. */
#define VALUE_MAX 511

int lesson_expand(const char *text, const Plan *pl, const Net *n, const Labels *lb, char *out, int size,
                  int *bad_offset, Err *e)
{
    long o = 0; /* the full length, as if out were large enough */
#define PUT(ch) (o + 1 < size ? (void)(out[o] = (ch)) : (void)0, o++)
    for (const char *p = text; *p;) {
        if (*p == '{') {
            /* "{{" is a literal brace; tested before looking for a '}', which it does not need */
            if (p[1] == '{') {
                PUT('{');
                p += 2;
                continue;
            }
            const char *end = strchr(p, '}');
            if (!end || end - p - 1 >= 128 || memchr(p + 1, '\n', (size_t)(end - p - 1))) {
                *bad_offset = (int)(p - text);
                return err_set(e, "'{' without a matching '}' on the same line (write {{ for a literal brace)");
            }
            char name[128], val[VALUE_MAX + 1];
            memcpy(name, p + 1, (size_t)(end - p - 1));
            name[end - p - 1] = '\0';
            if (placeholder(lesson_trim(name), pl, n, lb, val, sizeof val, e) != 0) {
                *bad_offset = (int)(p - text);
                return -1;
            }
            size_t vn = strlen(val);
            for (size_t v = 0; v < vn; v++) PUT(val[v]);
            if (!n && !strcmp(val, NOT_COMPUTED)) o += VALUE_MAX - (long)vn; /* its value may be that long */
            p = end + 1;
        } else if (*p == '}' && p[1] == '}') {
            PUT('}');
            p += 2;
        } else {
            PUT(*p);
            p++;
        }
        if (o > INT_MAX / 2) o = INT_MAX / 2; /* a bound, never an overflow */
    }
#undef PUT
    if (size > 0) out[o < size ? o : size - 1] = '\0';
    return (int)o;
}

int lesson_narration(const Lesson *ls, int s, const Net *n, const Labels *lb, char *out, int size, Err *e)
{
    if (s < 0 || s >= ls->nsteps) return err_set(e, "%s: no step %d", ls->path, s + 1);
    if (!n || !out || size <= 0) return err_set(e, "%s: step %d: no net or no room for the narration", ls->path, s + 1);
    int bad = 0;
    Err why = {0}; /* a local Err: e may be NULL */
    int rc = lesson_expand(ls->steps[s].narration ? ls->steps[s].narration : "", &n->plan, n, lb, out, size, &bad, &why);
    if (rc < 0) return err_set(e, "%s: step %d: %s", ls->path, s + 1, why.msg);
    return 0;
}

