/* cli_common.c - the steps the CLI's commands share: open the model, read the input, write
   layers, clean up (see cli_impl.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "util.h"
#include "wfile.h"

static void print_preproc(const Model *m)
{
    const Preproc *p = &m->preproc;
    char rs[48];
    fprintf(stderr, "preprocessing: %s: resize %s%s, centre crop %d×%d, %s, x = (pixel × %g − mean) / std,"
                    " mean %g %g %g, std %g %g %g\n",
            p->name, preproc_resize_text(p, rs, sizeof rs), p->warp ? " (aspect not kept)" : " (aspect kept)",
            m->arch->input.w, m->arch->input.h, p->grey ? "grey" : p->bgr ? "BGR" : "RGB", p->scale, p->mean[0],
            p->mean[1], p->mean[2], p->std[0], p->std[1], p->std[2]);
    if (p->about) fprintf(stderr, "  %s\n", p->about);
    fprintf(stderr, "weights: %s (%s)\n", m->weights.source, m->weights.format);
    if (m->weights.match[0]) fprintf(stderr, "  %s\n", m->weights.match);
}

int cli_open_model(const CliOpts *o, Model *m, Net **net, Err *e)
{
    if (model_load(m, o->weights, o->arch, o->preset, e) != 0) return -1;
    if (model_set_resize(m, o->resize, e) != 0) goto fail;
    if (o->save_weights && wfile_save_safetensors(o->save_weights, &m->weights, e) != 0) goto fail;
    if (o->save_weights) fprintf(stderr, "alexscope: wrote %s\n", o->save_weights);
    if (o->verbose) print_preproc(m);
    if (net) {
        *net = net_create(m->arch, &m->weights, e);
        if (!*net) goto fail;
    }
    return 0;
fail:
    model_free(m);
    return -1;
}

int cli_load_input(const CliOpts *o, const Model *m, const char *image, float **x, Err *e)
{
    *x = malloc(sizeof(float) * (size_t)model_input_count(m));
    if (!*x) return err_set(e, "out of memory");
    CropBox box;
    int rc = o->input_npy ? model_npy_input(m, o->input_npy, *x, e)
                          : model_image_input(m, image, o->mirror, o->crop_seed, *x, &box, e);
    if (rc == 0 && o->verbose && !o->input_npy) {
        char how[256];
        fprintf(stderr, "resize: %s\n", img_crop_text(&box, how, sizeof how));
    }
    if (rc != 0) {
        free(*x);
        *x = NULL;
    }
    return rc;
}

int cli_finish(int rc, const Err *e, float *x, Net *n, Model *m)
{
    if (rc == EXIT_INPUT) fprintf(stderr, "alexscope: %s\n", e->msg);
    free(x);
    net_free(n);
    model_free(m);
    return rc;
}

int cli_fail_input(const Err *e)
{
    fprintf(stderr, "alexscope: %s\n", e->msg);
    return EXIT_INPUT;
}

int cli_need_image(const CliOpts *o, int allow_npy)
{
    if (allow_npy && o->input_npy) {
        if (o->nfiles) return cli_usage_error(o->cmd, "give an IMAGE or --input-npy, not both ('%s')", o->files[0]);
        return 0;
    }
    if (o->nfiles != 1)
        return o->nfiles ? cli_usage_error(o->cmd, "give exactly one IMAGE ('%s' is extra)", o->files[1])
                         : cli_usage_error(o->cmd, "missing IMAGE");
    return 0;
}

void cli_json_str(const char *key, const char *s, int comma)
{
    printf("\"%s\": \"", key);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        putchar(*s);
    }
    printf("\"%s", comma ? ", " : "");
}

/* ---- dump and export ---------------------------------------------------------------- */

int cli_pick_layers(const CliOpts *o, const ArchSpec *a, int allow_all, int *lo, int *hi)
{
    if (!o->layer) return cli_usage_error(o->cmd, allow_all ? "missing --layer NAME|all" : "missing --layer NAME");
    if (allow_all && !strcmp(o->layer, "all")) {
        *lo = 0, *hi = a->nlayers - 1;
        return 0;
    }
    int i = arch_layer_index(a, o->layer);
    if (i < 0) {
        char known[512] = "";
        for (int j = 0; j < a->nlayers; j++) {
            strncat(known, a->layers[j].name, sizeof known - strlen(known) - 1);
            if (j + 1 < a->nlayers) strncat(known, ", ", sizeof known - strlen(known) - 1);
        }
        fprintf(stderr, "alexscope: unknown layer '%s' for %s (known: %s)\n", o->layer, a->name, known);
        return EXIT_USAGE;
    }
    *lo = *hi = i;
    return 0;
}

int cli_layers_cmd(const CliOpts *o, int allow_npy, CliLayerWriter write)
{
    int rc = cli_need_image(o, allow_npy);
    if (rc) return rc;
    if (!o->out) return cli_usage_error(o->cmd, "missing --out DIR");
    Norm norm = NORM_CHANNEL;
    Colormap cm = CMAP_VIRIDIS;
    if (o->norm && !strcmp(o->norm, "layer")) norm = NORM_LAYER;
    else if (o->norm && strcmp(o->norm, "channel")) return cli_usage_error(o->cmd, "--norm is channel or layer, not '%s'", o->norm);
    if (o->cmap && !strcmp(o->cmap, "grey")) cm = CMAP_GREY;
    else if (o->cmap && strcmp(o->cmap, "viridis")) return cli_usage_error(o->cmd, "--cmap is viridis or grey, not '%s'", o->cmap);

    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    if (cli_open_model(o, &m, &n, &e) != 0) return cli_fail_input(&e);
    int lo = 0, hi = 0;
    if ((rc = cli_pick_layers(o, m.arch, 1, &lo, &hi)) != 0) goto done;
    rc = EXIT_INPUT;
    if (cli_load_input(o, &m, o->files[0], &x, &e) != 0 || mkdir_p(o->out, &e) != 0) goto done;
    net_set_input(n, x);
    if (cli_forward(o, n, hi + 1, &e) < 0) goto done;
    int files = 0;
    for (int i = lo; i <= hi; i++) {
        int k = write(n, i, o->out, norm, cm, &e);
        if (k < 0) goto done;
        files += k;
    }
    fprintf(stderr, "alexscope: wrote %d file%s to %s\n", files, files == 1 ? "" : "s", o->out);
    rc = EXIT_OK;
done:
    return cli_finish(rc, &e, x, n, &m);
}
