/* worker_saliency.c - the saliency map job (key Y, issue 10): the gradient of a class score
   or a unit's activation with respect to the input, by tool_saliency on the worker's own
   Net, so the layers the window has computed are not computed again. Runs on the worker
   thread (see worker.h); takes the lock only to publish. */
#include <stdio.h>
#include <string.h>

#include "tools.h"
#include "util.h"
#include "worker_impl.h"

/* Computes n up to and including arch layer `layer` the way the window does (the fast
   engine from scratch when it is on), publishing each layer as the layer loop would. */
static int forward_to(Worker *wk, Net *n, int layer, Err *e)
{
    while (n->done <= layer) {
        int from = n->done;
        UiEngine used = UI_ENGINE_NAIVE;
        if (worker_compute(wk, n, &used, e) < 0) return -1;
        pthread_mutex_lock(&wk->mu);
        wk->pub.ready = n->done;
        worker_record_times(wk, n, from, used);
        pthread_mutex_unlock(&wk->mu);
    }
    return 0;
}

static void publish(Worker *wk, UiSaliency *u)
{
    pthread_mutex_lock(&wk->mu);
    if (wk->pub.has_sal) ui_sal_free(&wk->pub.sal);
    wk->pub.sal = *u;
    wk->pub.has_sal = 1;
    wk->pub.tools_gen++;
    pthread_mutex_unlock(&wk->mu);
    memset(u, 0, sizeof *u);
}

void worker_saliency_job(Worker *wk, const Job *j)
{
    WorkerOwn *o = &wk->own;
    Net *n = o->net;
    if (!n || !o->model || !wk->pub.has_input) {
        worker_note(wk, 0, "Y: open a photo first (S for a sample, or drop one)");
        return;
    }
    const SalParams *p = &j->sal;
    int layer = p->layer < 0 ? saliency_score_layer(n->arch) : p->layer;
    Err e = {0};
    double t0 = now_ms();
    char what[128];
    snprintf(what, sizeof what, "saliency map (%s) of %.90s", relu_mode_name(p->method), o->image_name);
    worker_tool_progress(wk, UI_TOOL_SALIENCY, 1, what);
    UiSaliency u = {.arch = n->arch, .method = (int)p->method, .in = n->arch->input,
                    .trained = o->model->weights.trained};
    str_copy(u.image_name, sizeof u.image_name, o->image_name);
    SalResult r = {0};
    u.reused = n->done < layer + 1 ? n->done : layer + 1;
    int rc = layer >= 0 && layer < n->nlayers ? forward_to(wk, n, layer, &e) : 0; /* else tool_saliency says why */
    double t1 = now_ms();
    if (rc == 0) rc = tool_saliency(n, p, &r, &e);
    if (rc == 0) {
        u.layer = r.layer, u.cls = r.cls, u.c = r.c, u.y = r.y, u.x = r.x, u.score = r.score;
        u.grad = r.grad, u.map = r.map, u.max = r.max;
        u.ms_forward = t1 - t0 + r.ms_forward, u.ms_backward = r.ms_backward;
        r.grad = r.map = NULL;
        rc = tool_tensor_rgb(&o->model->preproc, n->input, u.in, 0, 0, u.in.h, u.in.w, &u.input, &e);
    }
    worker_tool_progress(wk, UI_TOOL_NONE, 0, NULL);
    if (rc != 0) {
        ui_sal_free(&u);
        worker_note(wk, 1, "Saliency map: %s", e.msg);
        return;
    }
    u.valid = 1, u.ms = now_ms() - t0;
    const char *name = n->plan.layers[u.layer].spec->name;
    if (u.cls >= 0)
        worker_note(wk, 0, "Saliency map (%s) of %s class %d: %d layers reused, forward %.0f ms, backward %.0f ms",
                    relu_mode_name(p->method), name, u.cls, u.reused, u.ms_forward, u.ms_backward);
    else
        worker_note(wk, 0, "Saliency map (%s) of %s unit (%d, %d, %d): %d layers reused, forward %.0f ms, backward %.0f ms",
                    relu_mode_name(p->method), name, u.c, u.y, u.x, u.reused, u.ms_forward, u.ms_backward);
    publish(wk, &u);
}
