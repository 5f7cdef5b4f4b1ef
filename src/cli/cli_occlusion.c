/* cli_occlusion.c - `alexscope occlusion IMAGE --out DIR`: Zeiler & Fergus's occlusion map.
   A window×window square of the input tensor is set to 0 (all channels: after the mean
   subtraction, the mean colour) at every position of a grid that starts at the top-left
   corner and moves by the stride, and the network is run each time; the class's probability
   at each position is the map. Writes DIR/occlusion.npy (rows × cols, float32) and
   DIR/occlusion.png (the map, upsampled, blended over the crop). The passes are
   tool_occlusion's (src/tools): with the fast engine the occluded copies go through in
   batches, with the naive loops one by one. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_impl.h"
#include "labels.h"
#include "npy.h"
#include "util.h"
#include "viz.h"

/* The grid, for printing and drawing. */
typedef struct {
    int h, w;        /* the input's size */
    int win, stride, rows, cols;
} Occ;

/* The grid cell whose window is centred nearest to pixel coordinate v along an axis. */
static int nearest_cell(const Occ *q, int v, int cells)
{
    int cell = (2 * v + 1 - q->win + q->stride) / (2 * q->stride);
    if (2 * v + 1 - q->win + q->stride < 0) cell = 0;
    return cell < 0 ? 0 : cell >= cells ? cells - 1 : cell;
}

/* The drop in probability, viridis, blended half and half over the crop. */
static int write_png(const Occ *q, const float *map, float p0, Image *crop, const char *path, Err *e)
{
    int total = q->rows * q->cols;
    float *drop = malloc(sizeof(float) * (size_t)total);
    if (!drop) return err_set(e, "out of memory");
    for (int i = 0; i < total; i++) drop[i] = p0 - map[i];
    float lo, hi;
    viz_range(drop, total, &lo, &hi);
    for (int y = 0; y < crop->h; y++)
        for (int x = 0; x < crop->w; x++) {
            unsigned char rgb[3], *px = crop->px + 3 * ((size_t)y * (size_t)crop->w + (size_t)x);
            float d = drop[nearest_cell(q, y, q->rows) * q->cols + nearest_cell(q, x, q->cols)];
            viz_colormap_rgb(CMAP_VIRIDIS, viz_unit(d, lo, hi), rgb);
            for (int ch = 0; ch < 3; ch++) px[ch] = (unsigned char)((px[ch] + rgb[ch] + 1) / 2);
        }
    free(drop);
    return img_write_png(path, crop, e);
}

/* "rows: (227−32)/16+1 = 13.19 → 13" for one axis. */
static void print_axis(const char *what, int n, const Occ *q, int cells)
{
    printf("%s(%d−%d)/%d+1 = %.2f → %d", what, n, q->win, q->stride, (double)(n - q->win) / q->stride + 1, cells);
}

static void print_result(const Occ *q, int k, const char *name, float p0, const float *map)
{
    if (q->h == q->w) {
        print_axis("grid: ", q->h, q, q->rows);
        printf(" positions per axis, %d in all\n", q->rows * q->cols);
    } else {
        print_axis("grid: rows ", q->h, q, q->rows);
        print_axis(", columns ", q->w, q, q->cols);
        printf(": %d×%d = %d positions\n", q->rows, q->cols, q->rows * q->cols);
    }
    printf("class: %d%s%s\nunoccluded probability: %.6g\n", k, *name ? " " : "", name, p0);
    int lo = 0, hi = 0;
    for (int i = 1; i < q->rows * q->cols; i++) {
        if (map[i] < map[lo]) lo = i;
        if (map[i] > map[hi]) hi = i;
    }
    const struct { const char *what; int i; } pos[2] = {{"most important", lo}, {"least important", hi}};
    for (int j = 0; j < 2; j++) {
        int r = pos[j].i / q->cols, c = pos[j].i % q->cols;
        printf("%s: row %d, column %d (pixels x %d..%d, y %d..%d): probability %.6g (drop %.6g)\n", pos[j].what, r,
               c, c * q->stride, c * q->stride + q->win - 1, r * q->stride, r * q->stride + q->win - 1, map[pos[j].i],
               p0 - map[pos[j].i]);
    }
}

/* The input tensor x and the crop as RGB (from the image, or back from the --input-npy tensor). */
static int load_input(const CliOpts *o, const Model *m, const Occ *q, float *x, Image *crop, Err *e)
{
    if (o->input_npy)
        return model_npy_input(m, o->input_npy, x, e) != 0
                   ? -1
                   : tool_tensor_rgb(&m->preproc, x, m->arch->input, 0, 0, q->h, q->w, crop, e);
    Image im;
    if (img_load(o->files[0], &im, e) != 0) return -1;
    int rc = model_prepare(m, &im, o->mirror, o->crop_seed, x, NULL, crop, e);
    img_free(&im);
    return rc;
}

/* The class's name, "" without labels. */
static const char *class_name(int count, int k, char *buf, int size)
{
    Labels lb;
    Err le = {0};
    buf[0] = '\0';
    if (count != 1000) return buf;
    if (labels_load(NULL, &lb, &le) != 0) {
        fprintf(stderr, "alexscope: warning: %s\n", le.msg);
        return buf;
    }
    char tmp[128];
    snprintf(buf, (size_t)size, "%s", labels_name(&lb, k, tmp, sizeof tmp));
    labels_free(&lb);
    return buf;
}

static int occlusion(const CliOpts *o)
{
    int rc = cli_need_image(o, 1);
    if (rc) return rc;
    if (!o->out) return cli_usage_error(o->cmd, "missing --out DIR");
    Err e = {0};
    Model m;
    Engine *g = NULL;
    OccResult r = {0};
    float *x = NULL;
    Image crop = {0};
    if (cli_open_model(o, &m, NULL, &e) != 0) return cli_fail_input(&e);
    Shape s = m.arch->input;
    OccParams op = {.win = o->window ? o->window : 32, .stride = o->stride ? o->stride : 16, .cls = o->klass};
    Occ q = {.h = s.h, .w = s.w, .win = op.win, .stride = op.stride};
    if (!(g = cli_engine(o, &m, 16, 1, &e))) {
        model_free(&m);
        return cli_fail_input(&e);
    }
    const Plan *pl = engine_plan(g);
    int count = (int)shape_count(pl->layers[pl->nlayers - 1].out), min_side = s.h < s.w ? s.h : s.w;
    rc = EXIT_USAGE;
    if (q.win > min_side) {
        cli_usage_error(o->cmd, "--window is 1 to %d (%s's input is %d×%d), not %d", min_side, m.arch->name, s.w, s.h, q.win);
        goto done;
    }
    if (o->klass >= count) {
        cli_usage_error(o->cmd, "--class is 0 to %d (%s has %d classes), not %d", count - 1, m.arch->name, count, o->klass);
        goto done;
    }
    rc = EXIT_INPUT;
    if (!(x = malloc(sizeof(float) * (size_t)model_input_count(&m)))) {
        err_set(&e, "out of memory");
        goto done;
    }
    if (load_input(o, &m, &q, x, &crop, &e) != 0) goto done;
    CliProgress bar;
    cli_progress_begin(&bar, "occlusion");
    ToolProgress pr = {cli_progress, &bar, NULL};
    double t0 = now_ms();
    int fail = tool_occlusion(g, x, &op, &r, &pr, &e);
    double secs = (now_ms() - t0) / 1000.0;
    cli_progress_clear(&bar);
    if (fail) goto done;
    q.rows = r.rows, q.cols = r.cols;
    char name[128], path[4096];
    print_result(&q, r.cls, class_name(count, r.cls, name, sizeof name), r.p0, r.map);
    if (mkdir_p(o->out, &e) != 0) goto done;
    snprintf(path, sizeof path, "%s/occlusion.npy", o->out);
    int64_t shape[2] = {q.rows, q.cols};
    if (npy_write(path, r.map, shape, 2, &e) != 0) goto done;
    snprintf(path, sizeof path, "%s/occlusion.png", o->out);
    if (write_png(&q, r.map, r.p0, &crop, path, &e) != 0) goto done;
    printf("%d forward passes in %.2f s (%s engine, batch %d)\nwrote %s/occlusion.npy and %s/occlusion.png\n",
           q.rows * q.cols + 1, secs, engine_name(engine_kind(g)), engine_max_batch(g), o->out, o->out);
    rc = EXIT_OK;
done:
    occ_result_free(&r);
    engine_free(g);
    img_free(&crop);
    return cli_finish(rc, &e, x, NULL, &m);
}

const CliCommand cli_cmd_occlusion = {
    .name = "occlusion",
    .run = occlusion,
    .usage = "occlusion IMAGE|--input-npy F --out DIR [--class K] [--window 32] [--stride 16] [--engine naive|fast]",
    .help = "Usage: alexscope occlusion (IMAGE | --input-npy F) --out DIR [options]\n\n"
            "Zeiler & Fergus's occlusion map: a window×window square of the input tensor is set to 0\n"
            "in every channel (after the mean subtraction: the mean colour) at each position of a grid\n"
            "that starts at the top-left corner and moves by the stride, so each axis has\n"
            "(n − window)/stride + 1 positions, rounded down; the network runs once per position.\n"
            "Writes DIR/occlusion.npy (rows × cols, float32: the class's probability with the square\n"
            "at that position occluded) and DIR/occlusion.png (the drop in probability as viridis over\n"
            "the crop: bright where hiding the square costs most). Prints the grid, the class, its\n"
            "unoccluded probability and the most and least important positions, in pixels.\n"
            "  --class K           the class to follow (default: the unoccluded top-1)\n"
            "  --window W          the square's side in input pixels, 1 to the input size (default 32)\n"
            "  --stride S          pixels between positions, 1 or more (default 16)\n"
            "  --batch B           occluded copies per fast-engine pass (default 16)\n",
    .common_help = 1,
    .engines = 1,
};
