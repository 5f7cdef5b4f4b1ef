/* crops.c - the paper's test-time augmentation (tools.h): the four corners and the centre of
   the resized photo and their mirrors, each through the whole network, and the average of the
   ten softmax outputs. */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "tools_impl.h"

int tool_crops(Engine *g, const float *big, int w, int h, CropsResult *r, const ToolProgress *pr, Err *e)
{
    memset(r, 0, sizeof *r);
    const Plan *p = engine_plan(g);
    Shape in = p->arch->input;
    const PlanLayer *last = &p->layers[p->nlayers - 1];
    if (model_ten_crops(w, h, in.w, in.h, r->box) != 0)
        return err_set(e, "a %d×%d image is smaller than the %d×%d crop", w, h, in.w, in.h);
    r->count = (int)shape_count(last->out);
    long n = shape_count(in);
    int B = tool_batch(g, 10);
    float *x = malloc(sizeof(float) * (size_t)n * (size_t)B);
    r->probs = malloc(sizeof(float) * 10 * (size_t)r->count);
    r->mean = malloc(sizeof(float) * (size_t)r->count);
    if (!x || !r->probs || !r->mean) {
        free(x);
        crops_result_free(r);
        return err_set(e, "out of memory");
    }
    int rc = 0, logits = last->spec->kind != LK_SOFTMAX;
    for (int done = 0; rc == 0 && done < 10; done += B) {
        int b = 10 - done < B ? 10 - done : B;
        if (tool_cancelled(pr, e)) { rc = -1; break; }
        for (int i = 0; i < b; i++) model_crop_tensor(big, in.c, w, h, &r->box[done + i], in.w, in.h, x + n * i);
        const float *out = engine_run(g, x, b, p->nlayers, e);
        if (!out) { rc = -1; break; }
        for (int i = 0; i < b; i++) {
            float *dst = r->probs + (size_t)(done + i) * (size_t)r->count;
            if (logits) softmax(dst, out + (size_t)i * (size_t)r->count, r->count);
            else memcpy(dst, out + (size_t)i * (size_t)r->count, sizeof(float) * (size_t)r->count);
        }
        tool_progress(pr, done + b, 10);
    }
    free(x);
    if (rc != 0) {
        crops_result_free(r);
        return -1;
    }
    for (int c = 0; c < r->count; c++) {
        double s = 0;
        for (int i = 0; i < 10; i++) s += r->probs[(size_t)i * (size_t)r->count + (size_t)c];
        r->mean[c] = (float)(s / 10);
    }
    return 0;
}

void crops_result_free(CropsResult *r)
{
    free(r->probs);
    free(r->mean);
    r->probs = r->mean = NULL;
}
