/* occlusion.c - Zeiler & Fergus's occlusion map (tools.h): a win×win square of the input
   set to 0 in every channel at each position of a grid from the top-left corner, one forward
   pass per position, in batches; the class's probability at each position is the map. */
#include <stdlib.h>
#include <string.h>

#include "tools_impl.h"

int tool_occ_cells(int n, int win, int stride)
{
    if (win < 1 || stride < 1 || win > n) return 0;
    return (n - win) / stride + 1;
}

void tool_occlude(const float *x, Shape in, int win, int stride, int r, int c, float *dst)
{
    memcpy(dst, x, sizeof(float) * (size_t)shape_count(in));
    int y0 = r * stride, x0 = c * stride;
    for (int ch = 0; ch < in.c; ch++)
        for (int y = y0; y < y0 + win; y++)
            memset(dst + ((size_t)ch * (size_t)in.h + (size_t)y) * (size_t)in.w + (size_t)x0, 0,
                   sizeof(float) * (size_t)win);
}

/* map[i] for grid positions [0, total): class k's probability, in batches of B. */
static int run_grid(Engine *g, const float *x, const OccParams *p, OccResult *r, int count, const ToolProgress *pr,
                    Err *e)
{
    const Plan *pl = engine_plan(g);
    Shape in = pl->arch->input;
    size_t n = (size_t)shape_count(in);
    int B = tool_batch(g, p->batch), total = r->rows * r->cols, rc = 0;
    float *xb = malloc(sizeof(float) * n * (size_t)B);
    if (!xb) return err_set(e, "out of memory");
    for (int done = 0; rc == 0 && done < total; done += B) {
        int b = total - done < B ? total - done : B;
        if (tool_cancelled(pr, e)) { rc = -1; break; }
        for (int i = 0; i < b; i++)
            tool_occlude(x, in, p->win, p->stride, (done + i) / r->cols, (done + i) % r->cols, xb + n * (size_t)i);
        const float *out = engine_run(g, xb, b, pl->nlayers, e);
        if (!out) { rc = -1; break; }
        for (int i = 0; i < b; i++) r->map[done + i] = out[(size_t)i * (size_t)count + (size_t)r->cls];
        tool_progress(pr, done + b, total);
    }
    free(xb);
    return rc;
}

int tool_occlusion(Engine *g, const float *x, const OccParams *p, OccResult *r, const ToolProgress *pr, Err *e)
{
    memset(r, 0, sizeof *r);
    const Plan *pl = engine_plan(g);
    Shape in = pl->arch->input;
    int count = (int)shape_count(pl->layers[pl->nlayers - 1].out);
    int side = in.h < in.w ? in.h : in.w;
    if (p->win < 1 || p->win > side)
        return err_set(e, "the occluding square's side is 1 to %d (the input is %d×%d), not %d", side, in.w, in.h,
                       p->win);
    if (p->stride < 1) return err_set(e, "the stride is 1 or more, not %d", p->stride);
    if (p->cls >= count) return err_set(e, "the class is 0 to %d, not %d", count - 1, p->cls);
    r->rows = tool_occ_cells(in.h, p->win, p->stride), r->cols = tool_occ_cells(in.w, p->win, p->stride);
    if (tool_cancelled(pr, e)) return -1;
    const float *out = engine_run(g, x, 1, pl->nlayers, e);
    if (!out) return -1;
    r->cls = p->cls;
    if (r->cls < 0) topk(out, count, 1, &r->cls);
    r->p0 = out[r->cls];
    if (!(r->map = malloc(sizeof(float) * (size_t)r->rows * (size_t)r->cols))) return err_set(e, "out of memory");
    if (run_grid(g, x, p, r, count, pr, e) != 0) {
        occ_result_free(r);
        return -1;
    }
    return 0;
}

void occ_result_free(OccResult *r)
{
    free(r->map);
    r->map = NULL;
}
