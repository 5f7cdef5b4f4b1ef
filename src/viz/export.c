/* export.c - feature maps and filters as PNG files (see export.h); the pixels are viz.c's. */
#include "export.h"
#include "util.h"

#include <stdio.h>

static int write_png(const char *dir, const char *name, const char *suffix, const Image *im, Err *e)
{
    char path[4352];
    int n = snprintf(path, sizeof path, "%s/%s%s.png", dir, name, suffix);
    if (n < 0 || n >= (int)sizeof path) return err_set(e, "%s: path too long", dir);
    return img_write_png(path, im, e);
}

/* Writes im (then frees it) as DIR/NAME SUFFIX.png; made != 0 is the picture's own result. */
static int write_and_free(int made, const char *dir, const char *name, const char *suffix, Image *im, Err *e)
{
    if (made != 0) return -1;
    int rc = write_png(dir, name, suffix, im, e);
    img_free(im);
    return rc;
}

/* Up-scaling so small maps are still visible: one channel file about 128 px wide,
   a grid tile about 48 px. */
static int channel_scale(Shape s)
{
    int m = s.h > s.w ? s.h : s.w;
    return m >= 128 ? 1 : 128 / m;
}
static int tile_scale(Shape s)
{
    int m = s.h > s.w ? s.h : s.w;
    return m >= 48 ? 1 : 48 / m;
}

int export_maps(const float *data, Shape s, const char *name, const char *dir, Norm norm, Colormap cm, Err *e)
{
    if (!dir || !*dir) return err_set(e, "export: no output directory");
    if (!data || s.c <= 0 || s.h <= 0 || s.w <= 0) return err_set(e, "export: %s is empty", name);
    if (mkdir_p(dir, e) != 0) return -1;
    Image im;
    if (shape_is_vector(s)) /* one heat strip, no per-unit files */
        return write_and_free(viz_grid_image(data, s, norm, cm, 8, &im, e), dir, name, "_strip", &im, e) != 0 ? -1 : 1;

    long plane = (long)s.h * s.w;
    float llo = 0, lhi = 0;
    if (norm == NORM_LAYER) viz_range(data, plane * s.c, &llo, &lhi);
    for (int c = 0; c < s.c; c++) {
        const float *d = data + (size_t)c * plane;
        float lo = llo, hi = lhi;
        if (norm == NORM_CHANNEL) viz_range(d, plane, &lo, &hi);
        char suffix[32];
        snprintf(suffix, sizeof suffix, "_c%03d", c);
        int made = viz_channel_image(d, s.h, s.w, lo, hi, cm, channel_scale(s), &im, e);
        if (write_and_free(made, dir, name, suffix, &im, e) != 0) return -1;
    }
    if (write_and_free(viz_grid_image(data, s, norm, cm, tile_scale(s), &im, e), dir, name, "_grid", &im, e) != 0)
        return -1;
    return s.c + 1;
}

int export_layer(const Net *n, int layer, const char *dir, Norm norm, Colormap cm, Err *e)
{
    if (!dir || !*dir) return err_set(e, "export: no output directory");
    if (!n || !n->run || layer < 0 || layer >= n->nlayers) return err_set(e, "export: no layer %d", layer);
    const PlanLayer *P = &n->plan.layers[layer];
    const LayerRun *R = &n->run[layer];
    const char *name = P->spec && P->spec->name ? P->spec->name : "layer";
    if (!R->computed || !R->out_data) return err_set(e, "export: layer %s has not been computed yet", name);
    int files = export_maps(R->out_data, P->out, name, dir, norm, cm, e);
    if (files < 0 || shape_is_vector(P->out)) return files;

    /* The first conv's filters look at pixels, so they can be drawn as colour patches. */
    const LayerWeights *lw = n->weights && n->weights->l ? &n->weights->l[layer] : NULL;
    int cin = P->in.c, cout = P->spec->out, k = P->spec->k;
    if (n->arch && arch_first_conv(n->arch) == layer && (cin == 3 || cin == 1) && lw && lw->w && lw->nw == (long)cout * cin * k * k) {
        Image im;
        int bgr = n->arch->preproc.bgr;
        if (write_and_free(viz_filters_image(lw->w, cout, cin, k, bgr, 4, &im, e), dir, name, "_filters", &im, e) != 0)
            return -1;
        files++;
    }
    return files;
}
