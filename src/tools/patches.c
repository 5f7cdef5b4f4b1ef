/* patches.c - Zeiler & Fergus's top patches (tools.h): for each channel of a conv or pool
   layer, the images whose best unit in that channel responded most, and where. The index
   keeps count hits per channel, best first; each image gives a channel at most one hit (its
   strongest position), so the montage shows different images. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools_impl.h"

int patches_begin(PatchIndex *ix, const Plan *p, int layer, int count, Err *e)
{
    memset(ix, 0, sizeof *ix);
    if (layer < 0 || layer >= p->nlayers)
        return err_set(e, "%s has layers 0 to %d, not %d", p->arch->name, p->nlayers - 1, layer);
    const PlanLayer *l = &p->layers[layer];
    LayerKind k = l->spec->kind;
    if (k == LK_FC || k == LK_SOFTMAX || l->rf <= 0)
        return err_set(e, "%s is %s: its units see the whole image, so there is no patch to show; choose a "
                          "conv or pool layer", l->spec->name, k == LK_SOFTMAX ? "the softmax" : "after a fully "
                          "connected layer");
    if (count < 1 || count > 64) return err_set(e, "the patches per channel are 1 to 64, not %d", count);
    ix->layer = layer, ix->channels = l->out.c, ix->count = count;
    size_t n = (size_t)ix->channels * (size_t)count;
    if (!(ix->hits = malloc(sizeof *ix->hits * n))) return err_set(e, "out of memory");
    for (size_t i = 0; i < n; i++) ix->hits[i] = (PatchHit){-INFINITY, -1, 0, 0};
    return 0;
}

/* Puts h into a channel's list (count hits, best first) if it beats the last one; an equal
   value goes after the ones already there, so earlier images win ties. */
static void keep(PatchHit *list, int count, PatchHit h)
{
    if (!(h.value > list[count - 1].value)) return;
    int i = count - 1;
    while (i > 0 && h.value > list[i - 1].value) {
        list[i] = list[i - 1];
        i--;
    }
    list[i] = h;
}

int patches_add(PatchIndex *ix, Engine *g, const float *x, int b, Err *e) { return patches_add_ids(ix, g, x, b, NULL, e); }

int patches_add_ids(PatchIndex *ix, Engine *g, const float *x, int b, const int *ids, Err *e)
{
    const Plan *p = engine_plan(g);
    if (ix->layer >= p->nlayers || p->layers[ix->layer].out.c != ix->channels)
        return err_set(e, "the patch index was made for another network");
    Shape s = p->layers[ix->layer].out;
    const float *out = engine_run(g, x, b, ix->layer + 1, e);
    if (!out) return -1;
    long plane = (long)s.h * s.w;
    for (int i = 0; i < b; i++)
        for (int c = 0; c < s.c; c++) {
            const float *v = out + ((long)i * s.c + c) * plane;
            long best = 0;
            for (long j = 1; j < plane; j++)
                if (v[j] > v[best]) best = j;
            PatchHit h = {v[best], ids ? ids[i] : ix->images + i, (int)(best / s.w), (int)(best % s.w)};
            keep(ix->hits + (size_t)c * (size_t)ix->count, ix->count, h);
        }
    ix->images += b;
    return 0;
}

int patches_run(PatchIndex *ix, Engine *g, int n, PatchLoader load, void *ctx, const ToolProgress *pr, Err *e)
{
    int B = engine_max_batch(g), added = 0, rc = 0;
    size_t in = (size_t)shape_count(engine_plan(g)->arch->input);
    float *x = malloc(sizeof(float) * in * (size_t)B);
    int *ids = malloc(sizeof(int) * (size_t)B);
    if (!x || !ids) rc = err_set(e, "out of memory");
    for (int i = 0; rc == 0 && i < n;) {
        if (tool_cancelled(pr, e)) { rc = -1; break; }
        int b = 0;
        for (; i < n && b < B; i++) {
            int r = load(ctx, i, x + in * (size_t)b, e);
            if (r < 0) { rc = -1; break; }
            if (r == 0) ids[b++] = i;
        }
        if (rc == 0 && b > 0 && patches_add_ids(ix, g, x, b, ids, e) != 0) rc = -1;
        if (rc == 0) added += b, tool_progress(pr, i, n);
    }
    free(x);
    free(ids);
    return rc < 0 ? -1 : added;
}

void patches_free(PatchIndex *ix)
{
    free(ix->hits);
    ix->hits = NULL;
}

void patches_field(const Plan *p, int layer, int y, int x, int *y0, int *x0, int *side)
{
    const PlanLayer *l = &p->layers[layer];
    *y0 = l->rf_start + y * l->rf_jump;
    *x0 = l->rf_start + x * l->rf_jump;
    *side = l->rf;
}

int tool_tensor_rgb(const Preproc *p, const float *x, Shape in, int y0, int x0, int h, int w, Image *out, Err *e)
{
    if (img_alloc(out, w, h, e) != 0) return -1;
    float scale = p->scale > 0 ? p->scale : 1;
    size_t plane = (size_t)in.h * (size_t)in.w;
    for (int y = 0; y < h; y++)
        for (int xx = 0; xx < w; xx++) {
            unsigned char *px = out->px + 3 * ((size_t)y * (size_t)w + (size_t)xx);
            int sy = y0 + y, sx = x0 + xx;
            if (sy < 0 || sy >= in.h || sx < 0 || sx >= in.w) {
                px[0] = px[1] = px[2] = 128;
                continue;
            }
            for (int ch = 0; ch < 3; ch++) {
                int src = p->grey || in.c == 1 ? 0 : p->bgr ? 2 - ch : ch;
                float sd = p->std[src] != 0 ? p->std[src] : 1;
                float v = (x[(size_t)src * plane + (size_t)sy * (size_t)in.w + (size_t)sx] * sd + p->mean[src]) / scale;
                px[ch] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
            }
        }
    return 0;
}
