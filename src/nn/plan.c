/* plan.c - what follows from an architecture alone (plan.h). Allocates nothing. */
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "util.h"

/* Walks the arch from its input shape; the weight counts depend on the input to each layer. */
static Shape shape_before(const ArchSpec *a, int i)
{
    Shape s = a->input;
    for (int j = 0; j < i; j++) {
        Shape o;
        if (layer_out_shape(&a->layers[j], s, &o, NULL) != 0) break;
        s = o;
    }
    return s;
}

/* Weight and bias counts of layer l on input shape in. */
static void param_counts(const LayerSpec *l, Shape in, long *nw, long *nb)
{
    *nw = *nb = 0;
    if (l->kind == LK_CONV) {
        *nw = (long)l->out * (in.c / (l->groups > 0 ? l->groups : 1)) * l->k * l->k;
        *nb = l->out;
    } else if (l->kind == LK_FC) {
        *nw = (long)l->out * shape_count(in);
        *nb = l->out;
    }
}

void layer_param_counts(const ArchSpec *a, int i, long *nw, long *nb)
{
    param_counts(&a->layers[i], shape_before(a, i), nw, nb);
}

long long plan_params_without_groups(const ArchSpec *a)
{
    Shape s = a->input;
    long long p = 0;
    for (int i = 0; i < a->nlayers; i++) {
        LayerSpec l = a->layers[i];
        if (l.kind == LK_CONV) l.groups = 1;
        long nw, nb;
        param_counts(&l, s, &nw, &nb);
        p += nw + nb;
        if (layer_out_shape(&l, s, &s, NULL) != 0) break;
    }
    return p;
}

static long long layer_macs(const LayerSpec *l, Shape in, Shape out)
{
    if (l->kind == LK_CONV) return (long long)shape_count(out) * (in.c / l->groups) * l->k * l->k;
    if (l->kind == LK_FC) return (long long)out.c * shape_count(in);
    return 0;
}

int plan_im2col(const PlanLayer *r, PlanIm2col *z)
{
    const LayerSpec *l = r->spec;
    if (l->kind != LK_CONV || l->groups <= 0) return -1;
    z->groups = l->groups;
    z->rows = r->in.c / l->groups * l->k * l->k;
    z->cols = (long)r->out.h * r->out.w;
    z->wrows = r->out.c / l->groups;
    z->macs = (long long)z->wrows * z->rows * z->cols * z->groups;
    z->patch_bytes = (long long)z->rows * z->cols * (long long)sizeof(float);
    z->in_bytes = (long long)(r->in.c / l->groups) * r->in.h * r->in.w * (long long)sizeof(float);
    return 0;
}

/* "96×11×11×3 + 96 = 34,944": out × k × k × in/groups, as the slides multiply. */
static void params_expr(char *buf, size_t size, const LayerSpec *l, Shape in, long nw, long nb)
{
    char total[32];
    fmt_count(total, sizeof total, nw + nb);
    if (l->kind == LK_CONV)
        snprintf(buf, size, "%d×%d×%d×%d + %d = %s", l->out, l->k, l->k, in.c / l->groups, l->out, total);
    else if (l->kind == LK_FC)
        snprintf(buf, size, "%d×%ld + %d = %s", l->out, shape_count(in), l->out, total);
    else
        buf[0] = '\0';
}

int plan_build(const ArchSpec *a, Plan *p, Err *e)
{
    memset(p, 0, sizeof *p);
    if (a->nlayers > PLAN_MAX_LAYERS)
        return err_set(e, "%s has %d layers; at most %d are supported", a->name, a->nlayers, PLAN_MAX_LAYERS);
    p->arch = a, p->nlayers = a->nlayers;
    Shape s = a->input;
    int rf = 1, jump = 1, start = 0;
    p->max_act = shape_count(s);
    for (int i = 0; i < a->nlayers; i++) {
        const LayerSpec *l = &a->layers[i];
        PlanLayer *r = &p->layers[i];
        r->spec = l, r->in = s;
        if (layer_out_shape(l, s, &r->out, e) != 0) return -1;
        param_counts(l, s, &r->nw, &r->nb);
        if (l->kind == LK_FC && !shape_is_vector(s)) rf = jump = 0; /* sees the whole input */
        if (layer_kind(l->kind)->windowed) {
            r->has_size = 1;
            size_calc(l, s.h, &r->size);
            if (rf > 0) {
                start -= l->pad * jump;
                rf += (l->k - 1) * jump;
                jump *= l->stride;
            }
        }
        r->rf = rf, r->rf_jump = jump, r->rf_start = start;
        r->macs = layer_macs(l, s, r->out);
        r->act_bytes = (long long)shape_count(r->out) * (long long)sizeof(float);
        p->total_params += r->nw + r->nb;
        r->params_running = p->total_params;
        p->total_macs += r->macs;
        p->total_act_bytes += r->act_bytes;
        params_expr(r->params_expr, sizeof r->params_expr, l, s, r->nw, r->nb);
        if (shape_count(r->out) > p->max_act) p->max_act = shape_count(r->out);
        s = r->out;
    }
    return 0;
}
