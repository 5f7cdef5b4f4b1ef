/* weights.c - allocating and freeing a network's weights (weights.h); the built-in
   default is in weights_builtin.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "weights.h"

int weights_alloc(const ArchSpec *a, Weights *w, Err *e)
{
    memset(w, 0, sizeof *w);
    w->arch = a;
    w->l = calloc((size_t)a->nlayers, sizeof *w->l);
    if (!w->l) return err_set(e, "out of memory for the weight table");
    for (int i = 0; i < a->nlayers; i++) {
        if (!arch_has_weights(a->layers[i].kind)) continue;
        LayerWeights *lw = &w->l[i];
        layer_param_counts(a, i, &lw->nw, &lw->nb);
        lw->w = calloc((size_t)lw->nw, sizeof(float));
        lw->b = calloc((size_t)lw->nb, sizeof(float));
        if (!lw->w || !lw->b) {
            weights_free(w);
            return err_set(e, "out of memory for %s's %ld weights", a->layers[i].name, lw->nw);
        }
    }
    return 0;
}

void weights_free(Weights *w)
{
    if (!w || !w->l) return;
    for (int i = 0; i < w->arch->nlayers; i++) {
        free(w->l[i].w);
        free(w->l[i].b);
    }
    free(w->l);
    w->l = NULL;
}

int grads_alloc(const ArchSpec *a, Grads *g, Err *e)
{
    if (weights_alloc(a, g, e) != 0) return -1;
    snprintf(g->source, sizeof g->source, "gradients of %s", a->name);
    return 0;
}

void grads_zero(Grads *g)
{
    for (int i = 0; g->l && i < g->arch->nlayers; i++) {
        if (g->l[i].w) memset(g->l[i].w, 0, sizeof(float) * (size_t)g->l[i].nw);
        if (g->l[i].b) memset(g->l[i].b, 0, sizeof(float) * (size_t)g->l[i].nb);
    }
}

void grads_free(Grads *g) { weights_free(g); }
