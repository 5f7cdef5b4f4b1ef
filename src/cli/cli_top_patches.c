/* cli_top_patches.c - `alexscope top-patches DIR|FILES... --layer L --out DIR`: Zeiler &
   Fergus's figure 2 for the user's own photos. Every image goes through the network up to
   the layer (patches_run, src/tools); each channel keeps the images whose strongest unit
   responded most. Then the patches those units see (their receptive field, cut from the
   network input with the mean added back) become one montage PNG per channel, and every hit
   a row of DIR/top-patches.csv. Only the few images that made it into a montage are read a
   second time; no tensor of the folder is kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "cli_impl.h"
#include "util.h"

#define GAP 2          /* pixels between cells and around the montage */
#define GAP_GREY 40    /* the gaps and empty cells (fewer images than --count) */
#define MIN_CELL 64    /* a patch is upsampled (by a whole factor) to at least this */
#define CHUNK_BYTES (64L << 20) /* montages held at once, to bound memory on deep layers */

typedef struct {
    const CliOpts *o;
    const Model *m;
    const CliFiles *files;
    CliProgress *bar;
    int skipped;
} Loader;

/* A PatchLoader: image i of the list into x; an unreadable file is listed and skipped. */
static int load_one(void *ctx, int i, float *x, Err *e)
{
    Loader *l = ctx;
    Err le = {0};
    (void)e;
    if (model_image_input(l->m, l->files->v[i], l->o->mirror, l->o->crop_seed, x, NULL, &le) == 0) return 0;
    cli_progress_clear(l->bar);
    fprintf(stderr, "alexscope: skipped %s\n", le.msg);
    l->skipped++;
    return 1;
}

/* The montage's geometry: count cells of side cell in a grid of cols × rows. */
typedef struct {
    int count, cols, rows, side, scale, cell, w, h;
} Grid;

static Grid grid_for(int count, int side)
{
    Grid g = {.count = count, .side = side};
    g.cols = 1;
    while (g.cols * g.cols < count) g.cols++;
    g.rows = (count + g.cols - 1) / g.cols;
    g.scale = side >= MIN_CELL ? 1 : (MIN_CELL + side - 1) / side;
    g.cell = side * g.scale;
    g.w = GAP + g.cols * (g.cell + GAP), g.h = GAP + g.rows * (g.cell + GAP);
    return g;
}

/* patch (side × side) into cell k of montage, each pixel as a scale × scale block. */
static void paste(Image *montage, const Grid *g, int k, const Image *patch)
{
    int ox = GAP + (k % g->cols) * (g->cell + GAP), oy = GAP + (k / g->cols) * (g->cell + GAP);
    for (int y = 0; y < g->cell; y++)
        for (int x = 0; x < g->cell; x++) {
            const unsigned char *s = patch->px + 3 * ((size_t)(y / g->scale) * (size_t)patch->w + (size_t)(x / g->scale));
            unsigned char *d = montage->px + 3 * ((size_t)(oy + y) * (size_t)montage->w + (size_t)(ox + x));
            d[0] = s[0], d[1] = s[1], d[2] = s[2];
        }
}

typedef struct {
    const CliOpts *o;
    const Model *m;
    const Plan *plan;
    const PatchIndex *ix;
    const CliFiles *files;
    Grid g;
    float *x;          /* one input tensor, reloaded per image */
} Montages;

/* Channels [c0, c1) of the chosen ones (chan[]): their montages, reading each needed image
   once, written as DIR/LAYER_cNNN.png. */
static int write_chunk(const Montages *mt, const int *chan, int c0, int c1, Err *e)
{
    const PatchIndex *ix = mt->ix;
    int n = c1 - c0, rc = 0;
    Image *img = calloc((size_t)n, sizeof *img);
    if (!img) return err_set(e, "out of memory");
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = img_alloc(&img[i], mt->g.w, mt->g.h, e);
        if (rc == 0) memset(img[i].px, GAP_GREY, (size_t)img[i].w * (size_t)img[i].h * 3);
    }
    /* images in file order; each one read once for all the hits it has in the chunk */
    for (int file = 0; rc == 0 && file < mt->files->n; file++) {
        int loaded = 0;
        for (int i = 0; rc == 0 && i < n; i++)
            for (int k = 0; rc == 0 && k < ix->count; k++) {
                const PatchHit *h = &ix->hits[(size_t)chan[c0 + i] * (size_t)ix->count + (size_t)k];
                if (h->image != file) continue;
                if (!loaded && model_image_input(mt->m, mt->files->v[file], mt->o->mirror, mt->o->crop_seed, mt->x,
                                                 NULL, e) != 0) {
                    rc = -1;
                    break;
                }
                loaded = 1;
                int y0, x0, side;
                Image patch = {0};
                patches_field(mt->plan, ix->layer, h->y, h->x, &y0, &x0, &side);
                if ((rc = tool_tensor_rgb(&mt->m->preproc, mt->x, mt->plan->arch->input, y0, x0, side, side, &patch, e)) == 0)
                    paste(&img[i], &mt->g, k, &patch);
                img_free(&patch);
            }
    }
    char path[4096];
    for (int i = 0; rc == 0 && i < n; i++) {
        snprintf(path, sizeof path, "%s/%s_c%03d.png", mt->o->out, mt->plan->layers[ix->layer].spec->name, chan[c0 + i]);
        rc = img_write_png(path, &img[i], e);
    }
    for (int i = 0; i < n; i++) img_free(&img[i]);
    free(img);
    return rc;
}

static int write_csv(const Montages *mt, const int *chan, int nchan, Err *e)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/top-patches.csv", mt->o->out);
    AFile a;
    if (afile_open(&a, path, e) != 0) return -1;
    FILE *f = a.f;
    fputs("channel,rank,file,y,x,value\n", f);
    for (int i = 0; i < nchan; i++)
        for (int k = 0; k < mt->ix->count; k++) {
            const PatchHit *h = &mt->ix->hits[(size_t)chan[i] * (size_t)mt->ix->count + (size_t)k];
            if (h->image < 0) break;
            fprintf(f, "%d,%d,", chan[i], k + 1);
            cli_csv_field(f, mt->files->v[h->image]);
            fprintf(f, ",%d,%d,%.9g\n", h->y, h->x, h->value);
        }
    return afile_commit(&a, e); /* checks every write above */
}

/* Every chosen channel's montage, a chunk of channels at a time, and the CSV. */
static int write_all(const Montages *mt, const int *chan, int nchan, Err *e)
{
    long per = (long)mt->g.w * mt->g.h * 3 + (long)mt->g.side * mt->g.side * 3;
    int chunk = (int)(CHUNK_BYTES / per);
    if (chunk < 1) chunk = 1;
    if (mkdir_p(mt->o->out, e) != 0) return -1;
    for (int c0 = 0; c0 < nchan; c0 += chunk)
        if (write_chunk(mt, chan, c0, c0 + chunk < nchan ? c0 + chunk : nchan, e) != 0) return -1;
    return write_csv(mt, chan, nchan, e);
}

/* Checks the options against the layer; 0 or EXIT_USAGE. */
static int check_layer(const CliOpts *o, const Plan *p, int layer, PatchIndex *ix, Err *e)
{
    if (patches_begin(ix, p, layer, o->count ? o->count : 9, e) != 0) return cli_usage_error(o->cmd, "%s", e->msg);
    if (o->channel >= ix->channels) {
        patches_free(ix);
        return cli_usage_error(o->cmd, "--channel is 0 to %d (%s has %d channels), not %d", ix->channels - 1,
                               p->layers[layer].spec->name, ix->channels, o->channel);
    }
    return 0;
}

static void print_summary(const Montages *mt, int nchan, int good, double secs, double write_secs, int B, const Engine *g)
{
    const PlanLayer *l = &mt->plan->layers[mt->ix->layer];
    int y0, x0, side;
    patches_field(mt->plan, mt->ix->layer, 0, 0, &y0, &x0, &side);
    printf("%s: %d channels of %d×%d units; each unit sees a %d×%d patch of the %d×%d input, one every %d pixels "
           "(unit (0, 0) from pixel (%d, %d))\n",
           l->spec->name, l->out.c, l->out.h, l->out.w, side, side, mt->plan->arch->input.w, mt->plan->arch->input.h,
           l->rf_jump, x0, y0);
    printf("%d of %d images in %.2f s: %.1f images/s (%s engine, batch %d; reading and resizing included)\n", good,
           mt->files->n, secs, secs > 0 ? good / secs : 0.0, engine_name(engine_kind(g)), B);
    if (good < mt->files->n) printf("%d skipped (listed above on stderr)\n", mt->files->n - good);
    printf("wrote %s/top-patches.csv and %d montage%s in %.2f s (%s/%s_cNNN.png: the top %d of each channel, best "
           "first, %d× enlarged)\n",
           mt->o->out, nchan, nchan == 1 ? "" : "s", write_secs, mt->o->out, l->spec->name, mt->ix->count, mt->g.scale);
}

static int top_patches(const CliOpts *o)
{
    if (!o->nfiles) return cli_usage_error(o->cmd, "missing DIR or FILES");
    if (!o->out) return cli_usage_error(o->cmd, "missing --out DIR");
    if (o->input_npy) return cli_usage_error(o->cmd, "top-patches reads images, not --input-npy");
    Err e = {0};
    Model m;
    Engine *g = NULL;
    CliFiles files = {0};
    PatchIndex ix = {0};
    int *chan = NULL, lo, hi, rc;
    float *x = NULL;
    if (cli_open_model(o, &m, NULL, &e) != 0) return cli_fail_input(&e);
    if ((rc = cli_pick_layers(o, m.arch, 0, &lo, &hi)) != 0) goto done;
    rc = EXIT_INPUT;
    if (!(g = cli_engine(o, &m, 16, 1, &e))) goto done;
    const Plan *plan = engine_plan(g);
    if ((rc = check_layer(o, plan, lo, &ix, &e)) != 0) goto done;
    rc = EXIT_INPUT;
    if (cli_files_collect(o, &files, &e) != 0) goto done;
    CliProgress bar;
    Loader ld = {o, &m, &files, &bar, 0};
    cli_progress_begin(&bar, "top-patches");
    ToolProgress pr = {cli_progress, &bar, NULL};
    double t0 = now_ms();
    int good = patches_run(&ix, g, files.n, load_one, &ld, &pr, &e);
    double secs = (now_ms() - t0) / 1000.0;
    cli_progress_clear(&bar);
    if (good < 0) goto done;
    if (!good) {
        err_set(&e, "%s: no image could be read", o->files[0]);
        goto done;
    }
    int nchan = o->channel >= 0 ? 1 : ix.channels;
    int y0, x0, side;
    patches_field(plan, lo, 0, 0, &y0, &x0, &side);
    Montages mt = {o, &m, plan, &ix, &files, grid_for(ix.count, side), NULL};
    if (!(chan = malloc(sizeof(int) * (size_t)nchan)) || !(x = malloc(sizeof(float) * (size_t)model_input_count(&m)))) {
        err_set(&e, "out of memory");
        goto done;
    }
    for (int i = 0; i < nchan; i++) chan[i] = o->channel >= 0 ? o->channel : i;
    mt.x = x;
    t0 = now_ms();
    if (write_all(&mt, chan, nchan, &e) != 0) goto done;
    print_summary(&mt, nchan, good, secs, (now_ms() - t0) / 1000.0, engine_max_batch(g), g);
    rc = EXIT_OK;
done:
    free(chan);
    patches_free(&ix);
    cli_files_free(&files);
    engine_free(g);
    return cli_finish(rc, &e, x, NULL, &m);
}

const CliCommand cli_cmd_top_patches = {
    .name = "top-patches",
    .run = top_patches,
    .usage = "top-patches DIR|FILES... --layer L --out DIR [--channel C] [--count 9] [--engine naive|fast]",
    .help = "Usage: alexscope top-patches DIR|FILES... --layer L --out DIR [options]\n\n"
            "Zeiler & Fergus's figure 2 for your own photos: for each channel of a conv or pool layer,\n"
            "the images whose strongest unit in that channel responded most, and the patch of the\n"
            "input that unit sees (its receptive field, cut from the network's input with the mean\n"
            "added back; grey where it reaches into the padding). Each image counts at most once per\n"
            "channel. Writes DIR/L_cNNN.png (the top patches of channel NNN in a square grid, best\n"
            "first, enlarged so small ones are visible) and DIR/top-patches.csv (channel, rank, file,\n"
            "y, x, value: the unit's position in the layer's output and its activation). A directory\n"
            "is read in sorted order; unreadable images are listed on stderr and skipped. Prints the\n"
            "receptive field's size and the images per second.\n"
            "  --layer L           a conv or pool layer (or the ReLU / LRN after one), not fc\n"
            "  --channel C         only channel C (default: every channel)\n"
            "  --count N           patches per channel, 1 to 64 (default 9)\n"
            "  --batch B           images per fast-engine pass (default 16)\n",
    .common_help = 1,
    .engines = 1,
};
