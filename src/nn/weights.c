/* weights.c - allocating and freeing a network's weights (weights.h); the built-in
   default is in weights_builtin.c.

   Arrays of 1 MiB and more (alexnet's fc6 is 151 MB) are mapped on their own and marked
   MADV_DONTFORK: images are decoded in a forked child (io/img_child.c), and copying the
   page tables of 250 MB of weights cost ~23 ms per image; the child never reads them.
   Those of 2 MiB and more start on a 2 MiB boundary and ask for huge pages
   (MADV_HUGEPAGE): the fully connected layers stream their weights once per image, and
   with 4 KiB pages a virtual machine walks two page tables for each of fc6's 37,000. */
#define _DEFAULT_SOURCE /* MADV_DONTFORK, MAP_ANONYMOUS */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>

#include "plan.h"
#include "weights.h"

#define BIG_BYTES (1u << 20)
#define HUGE_BYTES ((size_t)2 << 20)

/* n zeroed floats; big arrays mapped (see above) */
static float *floats_alloc(long n)
{
    size_t bytes = (size_t)n * sizeof(float);
    if (bytes < BIG_BYTES) return calloc((size_t)n, sizeof(float));
    size_t pad = bytes >= HUGE_BYTES ? HUGE_BYTES : 0;
    char *m = mmap(NULL, bytes + pad, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    char *p = m;
    if (pad) { /* keep [p, p + bytes) with p on a 2 MiB boundary; unmap the rest */
        long ps = sysconf(_SC_PAGESIZE);
        size_t page = ps > 0 ? (size_t)ps : 4096, head = (HUGE_BYTES - (uintptr_t)m % HUGE_BYTES) % HUGE_BYTES;
        size_t keep = (bytes + page - 1) / page * page; /* what mmap mapped of [p, p + bytes) */
        p = m + head;
        if (head) munmap(m, head);
        if (pad > head) munmap(p + keep, pad - head);
#ifdef MADV_HUGEPAGE
        madvise(p, bytes, MADV_HUGEPAGE); /* advice, as below */
#endif
    }
    madvise(p, bytes, MADV_DONTFORK); /* advice: a failure only costs time */
    return (float *)p;
}

static void floats_free(float *p, long n)
{
    size_t bytes = (size_t)n * sizeof(float);
    if (!p) return;
    if (bytes < BIG_BYTES) free(p);
    else munmap(p, bytes);
}

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
        lw->w = floats_alloc(lw->nw);
        lw->b = floats_alloc(lw->nb);
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
        floats_free(w->l[i].w, w->l[i].nw);
        floats_free(w->l[i].b, w->l[i].nb);
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
