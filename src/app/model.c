/* model.c - the network a user asked for (arch + weights + preprocessing) and its input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labels.h"
#include "model.h"
#include "npy.h"
#include "wfile.h"

const Preproc *preproc_find(const char *name)
{
    for (int i = 0; arch_all[i]; i++)
        if (!strcmp(arch_all[i]->preproc.name, name)) return &arch_all[i]->preproc;
    return NULL;
}

/* "caffe, torchvision, lenet": every arch's preset once, in arch_all's order. */
static char *preproc_names(char *buf, size_t size)
{
    size_t o = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; arch_all[i] && o < size; i++) {
        if (preproc_find(arch_all[i]->preproc.name) != &arch_all[i]->preproc) continue; /* seen */
        int n = snprintf(buf + o, size - o, "%s%s", o ? ", " : "", arch_all[i]->preproc.name);
        if (n < 0) break;
        o += (size_t)n;
    }
    return buf;
}

int model_load(Model *m, const char *weights_path, const char *arch_name, const char *preset, Err *e)
{
    memset(m, 0, sizeof *m);
    char known[256];
    const ArchSpec *a = NULL;
    if (arch_name && !(a = arch_find(arch_name)))
        return err_set(e, "unknown architecture '%s' (known: %s)", arch_name, arch_names(known, sizeof known));
    const Preproc *p = NULL;
    if (preset && !(p = preproc_find(preset)))
        return err_set(e, "unknown preprocessing preset '%s' (known: %s)", preset, preproc_names(known, sizeof known));
    char shipped[1024];
    int builtin = weights_path && !strcmp(weights_path, MODEL_BUILTIN);
    if (builtin) weights_path = NULL;
    else if (!weights_path && a == &arch_lenet5 && access(model_shipped_weights(shipped, sizeof shipped), R_OK) == 0)
        weights_path = shipped; /* trained on Fashion-MNIST (alexscope train, docs/training.md) */
    if (weights_path) {
        if (wfile_load(weights_path, a, &m->weights, e) != 0) return -1;
        a = m->weights.arch;
    } else {
        if (!a) a = &arch_alexnet;
        if (weights_builtin(a, WEIGHTS_DEFAULT_SEED, &m->weights, e) != 0) return -1;
    }
    m->arch = a;
    m->preproc = p ? *p : a->preproc;
    if (m->preproc.grey != (a->input.c == 1)) {
        model_free(m);
        return err_set(e, "preset '%s' gives %d channels but %s takes %d", preset, m->preproc.grey ? 1 : 3,
                       a->name, a->input.c);
    }
    return 0;
}

int model_set_resize(Model *m, const char *mode, Err *e)
{
    if (!mode) return 0;
    if (strcmp(mode, "warp") && strcmp(mode, "short"))
        return err_set(e, "--resize is warp (the whole photo to %d×%d) or short (the shorter side to %d), not '%s'",
                       m->preproc.resize, m->preproc.resize, m->preproc.resize, mode);
    m->preproc.warp = !strcmp(mode, "warp");
    return 0;
}

char *preproc_resize_text(const Preproc *p, char *buf, size_t size)
{
    if (p->warp) snprintf(buf, size, "warp %d×%d", p->resize, p->resize);
    else snprintf(buf, size, "shorter side %d", p->resize);
    return buf;
}

const char *model_shipped_weights(char *out, int size)
{
    return asset_path("weights/lenet5-fashion.safetensors", out, size);
}

void model_free(Model *m) { weights_free(&m->weights); }

long model_input_count(const Model *m) { return shape_count(m->arch->input); }

int model_prepare(const Model *m, const Image *im, int mirror, long long crop_seed, float *x,
                  CropBox *box, Image *crop, Err *e)
{
    Shape s = m->arch->input;
    if (img_prepare(im, &m->preproc, s.w, s.h, mirror, crop_seed, x, box, e) != 0) return -1;
    if (crop && img_crop_rgb(im, &m->preproc, s.w, s.h, mirror, crop_seed, crop, e) != 0) return -1;
    return 0;
}

int model_image_input(const Model *m, const char *path, int mirror, long long crop_seed, float *x,
                      CropBox *box, Err *e)
{
    Image im;
    if (img_load(path, &im, e) != 0) return -1;
    int rc = model_prepare(m, &im, mirror, crop_seed, x, box, NULL, e);
    img_free(&im);
    return rc;
}

int model_npy_input(const Model *m, const char *path, float *x, Err *e)
{
    Shape in = m->arch->input;
    float *data = NULL;
    int64_t dims[4];
    int nd = 0;
    if (npy_read(path, &data, dims, 4, &nd, e) != 0) return -1;
    int off = nd == 4 ? 1 : 0;
    if (!((nd == 3 || (nd == 4 && dims[0] == 1)) && dims[off] == in.c && dims[off + 1] == in.h && dims[off + 2] == in.w)) {
        free(data);
        return err_set(e, "%s: expected a float32 tensor %d×%d×%d (C×H×W, or 1×C×H×W) for %s", path, in.c, in.h, in.w,
                       m->arch->name);
    }
    memcpy(x, data, sizeof(float) * (size_t)shape_count(in));
    free(data);
    return 0;
}

int model_ten_crops(int src_w, int src_h, int crop_w, int crop_h, ModelCrop out[10])
{
    static const char *const names[10] = {
        "top-left",           "top-right",           "bottom-left",           "bottom-right",           "centre",
        "top-left, mirrored", "top-right, mirrored", "bottom-left, mirrored", "bottom-right, mirrored", "centre, mirrored",
    };
    if (crop_w < 1 || crop_h < 1 || crop_w > src_w || crop_h > src_h) return -1;
    int dx = src_w - crop_w, dy = src_h - crop_h;
    const int xs[5] = {0, dx, 0, dx, dx / 2}, ys[5] = {0, 0, dy, dy, dy / 2};
    for (int i = 0; i < 10; i++)
        out[i] = (ModelCrop){.name = names[i], .x = xs[i % 5], .y = ys[i % 5], .mirror = i >= 5};
    return 0;
}

void model_crop_tensor(const float *src, int ch, int src_w, int src_h, const ModelCrop *c, int crop_w, int crop_h,
                       float *dst)
{
    for (int k = 0; k < ch; k++)
        for (int y = 0; y < crop_h; y++) {
            const float *row = src + ((size_t)k * src_h + (size_t)(c->y + y)) * src_w + c->x;
            float *o = dst + ((size_t)k * crop_h + y) * crop_w;
            for (int x = 0; x < crop_w; x++) o[x] = row[c->mirror ? crop_w - 1 - x : x];
        }
}

/* The .npy branch of model_full_input: exactly C×S×S (or 1×C×S×S). */
static int npy_full(const Model *m, const char *path, float **big, int *w, int *h, Err *e)
{
    int c = m->arch->input.c, s = m->preproc.resize;
    int64_t dims[4];
    int nd = 0;
    if (npy_read(path, big, dims, 4, &nd, e) != 0) return -1;
    int off = nd == 4 ? 1 : 0;
    if (!((nd == 3 || (nd == 4 && dims[0] == 1)) && dims[off] == c && dims[off + 1] == s && dims[off + 2] == s)) {
        free(*big);
        *big = NULL;
        return err_set(e, "%s: expected a float32 tensor %d×%d×%d (C×H×W, or 1×C×H×W) for %s's ten crops", path, c, s,
                       s, m->arch->name);
    }
    *w = *h = s;
    return 0;
}

int model_full_input(const Model *m, const char *image, const char *npy, float **big, int *w, int *h, Err *e)
{
    *big = NULL;
    Shape in = m->arch->input;
    if (m->preproc.resize <= in.w || m->preproc.resize <= in.h || m->preproc.grey)
        return err_set(e, "%s: ten crops need a photo resized larger than the %d×%d input (preset %s does not)",
                       m->arch->name, in.w, in.h, m->preproc.name);
    if (npy) return npy_full(m, npy, big, w, h, e);
    Image im;
    if (img_load(image, &im, e) != 0) return -1;
    CropBox box;
    float *x = malloc(sizeof(float) * (size_t)shape_count(in));
    int rc = x ? img_prepare(&im, &m->preproc, in.w, in.h, 0, -1, x, &box, e) : err_set(e, "out of memory");
    free(x);
    if (rc == 0) {
        /* the crop as large as the resized photo: the whole of it, normalised */
        *w = box.resized_w, *h = box.resized_h;
        *big = malloc(sizeof(float) * (size_t)in.c * (size_t)*w * (size_t)*h);
        rc = *big ? img_prepare(&im, &m->preproc, *w, *h, 0, -1, *big, NULL, e) : err_set(e, "out of memory");
        if (rc != 0) {
            free(*big);
            *big = NULL;
        }
    }
    img_free(&im);
    return rc;
}
