/* cli.c - the headless alexscope: the same engine as the window, printed or saved.

   alexscope summary  the layer table: shapes, formulas, parameters, MACs, memory
   alexscope run      top-K classes for an image
   alexscope dump     every layer's output as .npy
   alexscope export   feature maps and conv1's filters as PNG
   alexscope bench    per-layer timing of the forward pass
   alexscope convert  any weight file to safetensors */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli.h"
#include "export.h"
#include "kernels.h"
#include "labels.h"
#include "lesson.h"
#include "npy.h"
#include "wfile.h"
#include "util.h"

/* ---- options ------------------------------------------------------------------------ */

typedef struct {
    const char *cmd;
    const char *image, *weights, *arch, *preset, *format, *layer, *out, *input_npy, *save_weights;
    const char *norm, *cmap;
    int top, mirror, json, verbose, reps, help;
    long long crop_seed;   /* -1: centre crop */
    const char *files[64]; /* positional arguments after the command */
    int nfiles;
} Opts;

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "alexscope: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'alexscope %s --help'.\n", cmd ? cmd : "");
    return EXIT_USAGE;
}

static int parse_int(const char *s, long long lo, long long hi, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

/* Long options: "--name value" or "--name=value"; flags take no value. */
static int parse_opts(int argc, char **argv, Opts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = argv[1];
    o->top = 5, o->reps = 5, o->crop_seed = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (o->nfiles == (int)(sizeof o->files / sizeof o->files[0]))
                return usage_error(o->cmd, "too many files (%s)", a);
            o->files[o->nfiles++] = a;
            continue;
        }
        char name[64];
        const char *val = NULL, *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name) return usage_error(o->cmd, "unknown option '%s'", a);
        memcpy(name, a, len);
        name[len] = '\0';
        if (eq) val = eq + 1;

        static const char *const flags[] = {"--help", "-h", "--mirror", "--json", "--verbose", "-v", NULL};
        int is_flag = 0;
        for (int f = 0; flags[f]; f++) is_flag |= strcmp(name, flags[f]) == 0;
        if (is_flag) {
            if (val) return usage_error(o->cmd, "option '%s' takes no value", name);
            if (!strcmp(name, "--help") || !strcmp(name, "-h")) o->help = 1;
            else if (!strcmp(name, "--mirror")) o->mirror = 1;
            else if (!strcmp(name, "--json")) o->json = 1;
            else o->verbose = 1;
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) return usage_error(o->cmd, "option '%s' needs a value", name);
            val = argv[++i];
        }
        long long v;
        if (!strcmp(name, "--weights")) o->weights = val;
        else if (!strcmp(name, "--arch")) o->arch = val;
        else if (!strcmp(name, "--preset")) o->preset = val;
        else if (!strcmp(name, "--format")) o->format = val;
        else if (!strcmp(name, "--layer")) o->layer = val;
        else if (!strcmp(name, "--out")) o->out = val;
        else if (!strcmp(name, "--input-npy")) o->input_npy = val;
        else if (!strcmp(name, "--save-weights")) o->save_weights = val;
        else if (!strcmp(name, "--norm")) o->norm = val;
        else if (!strcmp(name, "--cmap")) o->cmap = val;
        else if (!strcmp(name, "--top")) {
            if (parse_int(val, 1, 1000, &v)) return usage_error(o->cmd, "--top takes a number from 1 to 1000, not '%s'", val);
            o->top = (int)v;
        } else if (!strcmp(name, "--reps")) {
            if (parse_int(val, 1, 1000, &v)) return usage_error(o->cmd, "--reps takes a number from 1 to 1000, not '%s'", val);
            o->reps = (int)v;
        } else if (!strcmp(name, "--random-crop")) {
            if (parse_int(val, 0, 1LL << 62, &v)) return usage_error(o->cmd, "--random-crop takes a seed (0 or more), not '%s'", val);
            o->crop_seed = v;
        } else
            return usage_error(o->cmd, "unknown option '%s'", name);
    }
    return 0;
}

/* ---- help --------------------------------------------------------------------------- */

static const char *const help_main =
    "alexscope - walk one image through AlexNet, one layer at a time\n"
    "\n"
    "Usage:\n"
    "  alexscope [IMAGE] [--weights F] [--arch A]    open the window (see docs/user-guide.md)\n"
    "  alexscope summary [--arch A] [--format text|csv|json]\n"
    "  alexscope run IMAGE [--weights F] [--arch A] [--top K] [--mirror] [--json]\n"
    "  alexscope dump (IMAGE | --input-npy F) --layer NAME|all --out DIR [--weights F]\n"
    "  alexscope export IMAGE --layer NAME|all --out DIR [--norm channel|layer] [--cmap viridis|grey]\n"
    "  alexscope bench [--reps N] [--json] [--weights F] [--arch A]\n"
    "  alexscope convert --weights F --save-weights OUT.safetensors\n"
    "  alexscope lesson check FILE...  |  alexscope lesson play FILE\n"
    "\n"
    "Window options: --lesson FILE, --font F.ttf, --export-dir DIR,\n"
    "  --screenshot FILE.png [--step LAYER] [--size WxH] (one frame, no display), --bench-ui\n"
    "\n"
    "Architectures (--arch): alexnet (default; 2012, Caffe's bvlc_alexnet, input 227),\n"
    "  alexnet-tv (torchvision, input 224), lenet5 (LeNet-5, 32x32 grey).\n"
    "Weights (--weights): ONNX, safetensors or Caffe .caffemodel, recognised by content;\n"
    "  without --weights the built-in, untrained default is used. See docs/weights.md.\n"
    "Run 'alexscope COMMAND --help' for a command's options.\n"
    "Exit status: 0 ok, 1 bad input (a file), 2 bad usage.\n";

static const char *const help_common =
    "  --weights F         weight file (ONNX, safetensors, .caffemodel); default: built-in, untrained\n"
    "  --arch A            alexnet | alexnet-tv | lenet5 (default: from the file, else alexnet)\n"
    "  --preset P          preprocessing: caffe (BGR, 0..255 minus 104/117/123) |\n"
    "                      torchvision (RGB, /255, ImageNet mean/std) | lenet; default: the arch's\n"
    "  --mirror            flip the image left-right first (the slides' augmentation)\n"
    "  --random-crop SEED  a seeded random crop instead of the centre crop\n"
    "  --save-weights F    also write the loaded weights as F32 safetensors\n"
    "  --verbose           print the preprocessing used\n";

static int print_help(const char *cmd)
{
    if (!cmd || !strcmp(cmd, "help")) { fputs(help_main, stdout); return EXIT_OK; }
    if (!strcmp(cmd, "summary"))
        printf("Usage: alexscope summary [--arch A] [--format text|csv|json]\n\n"
               "The layer table: kind, kernel/stride/pad/groups, input -> output shape (HxWxC, as the\n"
               "slides write it), the output-size formula with the layer's numbers, parameters with\n"
               "the product written out, multiply-accumulates and activation memory; then totals.\n");
    else if (!strcmp(cmd, "run"))
        printf("Usage: alexscope run IMAGE [options]\n\nTop-K classes with probabilities.\n"
               "  --top K             how many classes (default 5)\n  --json              machine-readable output\n%s",
               help_common);
    else if (!strcmp(cmd, "dump"))
        printf("Usage: alexscope dump (IMAGE | --input-npy F) --layer NAME|all --out DIR [options]\n\n"
               "Writes DIR/NAME.npy for each layer: float32, CxHxW (or 1-D for vectors), no batch axis.\n"
               "  --input-npy F       an already preprocessed float32 tensor, CxHxW or 1xCxHxW\n%s",
               help_common);
    else if (!strcmp(cmd, "export"))
        printf("Usage: alexscope export IMAGE --layer NAME|all --out DIR [options]\n\n"
               "Writes DIR/NAME_cNNN.png per channel, DIR/NAME_grid.png per layer and, for conv1,\n"
               "DIR/conv1_filters.png (the filters as RGB tiles). Fully connected layers are written\n"
               "as one heat strip.\n"
               "  --norm channel|layer  each channel scaled by its own min..max (default) or the layer's\n"
               "  --cmap viridis|grey   perceptual colormap (default) or grey\n%s",
               help_common);
    else if (!strcmp(cmd, "bench"))
        printf("Usage: alexscope bench [--reps N] [--json] [--weights F] [--arch A]\n\n"
               "Times N full forward passes (default 5) on the bundled cat photo and prints the median\n"
               "per layer and in total, and the peak resident memory.\n");
    else if (!strcmp(cmd, "convert"))
        printf("Usage: alexscope convert --weights F --save-weights OUT.safetensors [--arch A]\n\n"
               "Loads any supported weight file and writes it as F32 safetensors, so later runs load fast.\n");
    return EXIT_OK;
}

/* ---- shared loading ------------------------------------------------------------------ */

const Preproc *preproc_find(const char *name)
{
    for (int i = 0; arch_all[i]; i++)
        if (!strcmp(arch_all[i]->preproc.name, name)) return &arch_all[i]->preproc;
    return NULL;
}

int model_load(Model *m, const char *weights_path, const char *arch_name, const char *preset, Err *e)
{
    memset(m, 0, sizeof *m);
    const ArchSpec *a = NULL;
    if (arch_name && !(a = arch_find(arch_name)))
        return err_set(e, "unknown architecture '%s' (known: alexnet, alexnet-tv, lenet5)", arch_name);
    const Preproc *p = NULL;
    if (preset && !(p = preproc_find(preset)))
        return err_set(e, "unknown preprocessing preset '%s' (known: caffe, torchvision, lenet)", preset);
    if (weights_path) {
        if (wfile_load(weights_path, a, &m->weights, e) != 0) return -1;
        a = m->weights.arch;
    } else {
        if (!a) a = &arch_alexnet;
        if (weights_builtin(a, 42, &m->weights, e) != 0) return -1;
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

void model_free(Model *m) { weights_free(&m->weights); }

static void print_preproc(const Model *m)
{
    const Preproc *p = &m->preproc;
    fprintf(stderr, "preprocessing: %s: resize shorter side to %d, centre crop %d×%d, %s, x = (pixel × %g − mean) / std,"
                    " mean %g %g %g, std %g %g %g\n",
            p->name, p->resize_short, m->arch->input.w, m->arch->input.h, p->grey ? "grey" : p->bgr ? "BGR" : "RGB",
            p->scale, p->mean[0], p->mean[1], p->mean[2], p->std[0], p->std[1], p->std[2]);
    fprintf(stderr, "weights: %s (%s)\n", m->weights.source, m->weights.format);
}

static long long shape_elems(Shape s) { return (long long)s.c * s.h * s.w; }

/* The input tensor from an image file (preprocessed) or a .npy (taken as it is). */
static int load_input(const Opts *o, const Model *m, const char *image, float **x, Err *e)
{
    Shape in = m->arch->input;
    *x = malloc(sizeof(float) * (size_t)shape_elems(in));
    if (!*x) return err_set(e, "out of memory");
    if (o->input_npy) {
        float *data = NULL;
        int64_t dims[4];
        int nd = 0;
        if (npy_read(o->input_npy, &data, dims, 4, &nd, e) != 0) goto fail;
        int off = nd == 4 ? 1 : 0;
        if (!((nd == 3 || (nd == 4 && dims[0] == 1)) && dims[off] == in.c && dims[off + 1] == in.h && dims[off + 2] == in.w)) {
            free(data);
            err_set(e, "%s: expected a float32 tensor %d×%d×%d (C×H×W, or 1×C×H×W) for %s", o->input_npy, in.c, in.h,
                    in.w, m->arch->name);
            goto fail;
        }
        memcpy(*x, data, sizeof(float) * (size_t)shape_elems(in));
        free(data);
        return 0;
    }
    Image im;
    if (img_load(image, &im, e) != 0) goto fail;
    int rc = img_prepare(&im, &m->preproc, in.w, in.h, o->mirror, o->crop_seed, *x, NULL, e);
    img_free(&im);
    if (rc != 0) goto fail;
    return 0;
fail:
    free(*x);
    *x = NULL;
    return -1;
}

/* Loads the model named by the options, saves it if asked, builds the net. */
static int open_model(const Opts *o, Model *m, Net **net, Err *e)
{
    if (model_load(m, o->weights, o->arch, o->preset, e) != 0) return -1;
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

/* The end of every command that ran the net: the message for bad input, then cleanup. */
static int finish(int rc, const Err *e, float *x, Net *n, Model *m)
{
    if (rc == EXIT_INPUT) fprintf(stderr, "alexscope: %s\n", e->msg);
    free(x);
    net_free(n);
    model_free(m);
    return rc;
}

static int fail_input(const Err *e)
{
    fprintf(stderr, "alexscope: %s\n", e->msg);
    return EXIT_INPUT;
}

/* ---- summary ------------------------------------------------------------------------- */

/* printf's %-20s counts bytes; "×" and "−" are two and three. Pads by characters. */
static void put_padded(const char *s, int width)
{
    int chars = 0;
    for (const char *p = s; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++) putchar(' ');
}

static void hyper(char *buf, size_t size, const LayerSpec *l)
{
    switch (l->kind) {
    case LK_CONV: snprintf(buf, size, "%d %d×%d/%d p%d g%d", l->out, l->k, l->k, l->stride, l->pad, l->groups); break;
    case LK_MAXPOOL:
    case LK_AVGPOOL:
        snprintf(buf, size, "%d×%d/%d p%d %s", l->k, l->k, l->stride, l->pad, l->ceil_mode ? "ceil" : "floor");
        break;
    case LK_LRN: snprintf(buf, size, "n%d α%g β%g k%g", l->lrn_n, l->lrn_alpha, l->lrn_beta, l->lrn_k); break;
    case LK_FC: snprintf(buf, size, "%d", l->out); break;
    case LK_DROPOUT: snprintf(buf, size, "p=%g", l->drop_ratio); break;
    default: buf[0] = '\0';
    }
}

static void human_bytes(char *buf, size_t size, long long b)
{
    if (b >= 1 << 20) snprintf(buf, size, "%.1f MiB", b / 1048576.0);
    else snprintf(buf, size, "%.1f KiB", b / 1024.0);
}

/* JSON strings here are our own (layer names, formulas): only quotes and backslashes to escape. */
static void json_str(const char *key, const char *s, int comma)
{
    printf("\"%s\": \"", key);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        putchar(*s);
    }
    printf("\"%s", comma ? ", " : "");
}

static void csv_field(const char *s, int last)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"') putchar('"');
        putchar(*s);
    }
    putchar('"');
    putchar(last ? '\n' : ',');
}

static int cmd_summary(const Opts *o)
{
    const char *fmt = o->format ? o->format : "text";
    if (strcmp(fmt, "text") && strcmp(fmt, "csv") && strcmp(fmt, "json"))
        return usage_error("summary", "--format is text, csv or json, not '%s'", fmt);
    if (o->nfiles) return usage_error("summary", "summary takes no files ('%s')", o->files[0]);
    const ArchSpec *a = &arch_alexnet;
    if (o->arch && !(a = arch_find(o->arch)))
        return usage_error("summary", "unknown architecture '%s' (known: alexnet, alexnet-tv, lenet5)", o->arch);
    Err e = {0};
    Net *n = net_create(a, NULL, &e); /* shapes and counts need no weights */
    if (!n) return fail_input(&e);

    char in[32], out[32], hp[48], macs[32], params[32], mem[32], total[32];
    if (!strcmp(fmt, "json")) printf("{\"arch\": \"%s\", \"input\": [%d, %d, %d], \"layers\": [\n", a->name, a->input.c, a->input.h, a->input.w);
    else if (!strcmp(fmt, "csv"))
        printf("layer,kind,hyper,input,output,formula,formula_padded,rounding,weights,biases,params_expr,params_running,macs,act_bytes,rf\n");
    else {
        printf("%s: %s\n\n", a->name, a->title);
        put_padded("layer", 7), put_padded("kind", 9), put_padded("hyper-parameters", 22);
        put_padded("input → output", 28), put_padded("output size", 38), put_padded("parameters", 32);
        put_padded("MACs", 14), puts("memory");
    }
    for (int i = 0; i < n->nlayers; i++) {
        const LayerRun *r = &n->layers[i];
        const char *kind = layer_kind_names[r->spec->kind];
        shape_hwc(r->in, in, sizeof in), shape_hwc(r->out, out, sizeof out), hyper(hp, sizeof hp, r->spec);
        const char *formula = r->has_size ? (r->spec->pad ? r->size.padded : r->size.nopad) : "";
        if (!strcmp(fmt, "json")) {
            printf("  {");
            json_str("name", r->spec->name, 1), json_str("kind", kind, 1), json_str("hyper", hp, 1);
            printf("\"input\": [%d, %d, %d], \"output\": [%d, %d, %d], ", r->in.c, r->in.h, r->in.w, r->out.c, r->out.h, r->out.w);
            json_str("formula", r->has_size ? r->size.nopad : "", 1);
            json_str("formula_padded", r->has_size ? r->size.padded : "", 1);
            json_str("rounding", r->has_size ? r->size.rounding : "", 1);
            json_str("params_expr", r->params_expr, 1);
            printf("\"weights\": %ld, \"biases\": %ld, \"params_running\": %lld, \"macs\": %lld, \"act_bytes\": %lld, \"rf\": %d}%s\n",
                   r->nw, r->nb, r->params_running, r->macs, r->act_bytes, r->rf, i + 1 < n->nlayers ? "," : "");
        } else if (!strcmp(fmt, "csv")) {
            char num[256];
            csv_field(r->spec->name, 0), csv_field(kind, 0), csv_field(hp, 0), csv_field(in, 0), csv_field(out, 0);
            csv_field(r->has_size ? r->size.nopad : "", 0), csv_field(r->has_size ? r->size.padded : "", 0);
            csv_field(r->has_size ? r->size.rounding : "", 0);
            snprintf(num, sizeof num, "%ld,%ld,", r->nw, r->nb);
            fputs(num, stdout);
            csv_field(r->params_expr, 0);
            printf("%lld,%lld,%lld,%d\n", r->params_running, r->macs, r->act_bytes, r->rf);
        } else {
            char io[80];
            snprintf(io, sizeof io, "%s → %s", in, out);
            fmt_count(macs, sizeof macs, r->macs), human_bytes(mem, sizeof mem, r->act_bytes);
            put_padded(r->spec->name, 7), put_padded(kind, 9), put_padded(hp, 22), put_padded(io, 28);
            put_padded(formula, 38), put_padded(r->params_expr, 32), put_padded(r->macs ? macs : "", 14);
            puts(mem);
            if (r->has_size && r->size.rounding[0]) printf("%*s%s\n", 64, "", r->size.rounding);
        }
    }
    fmt_count(params, sizeof params, n->total_params), fmt_count(macs, sizeof macs, n->total_macs);
    human_bytes(mem, sizeof mem, n->total_act_bytes);
    if (!strcmp(fmt, "json"))
        printf("], \"total_params\": %lld, \"total_macs\": %lld, \"total_act_bytes\": %lld}\n", n->total_params,
               n->total_macs, n->total_act_bytes);
    else if (!strcmp(fmt, "text")) {
        snprintf(total, sizeof total, "%s", params);
        printf("\ntotal: %s parameters, %s multiply-accumulates, %s of activations (float32)\n", total, macs, mem);
    }
    net_free(n);
    return EXIT_OK;
}

/* ---- run ------------------------------------------------------------------------------ */

static int need_image(const Opts *o, int allow_npy)
{
    if (allow_npy && o->input_npy) {
        if (o->nfiles) return usage_error(o->cmd, "give an IMAGE or --input-npy, not both ('%s')", o->files[0]);
        return 0;
    }
    if (o->nfiles != 1)
        return usage_error(o->cmd, o->nfiles ? "give exactly one IMAGE ('%s' is extra)" : "missing IMAGE%s",
                           o->nfiles ? o->files[1] : "");
    return 0;
}

static int cmd_run(const Opts *o)
{
    int rc = need_image(o, 1);
    if (rc) return rc;
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    if (open_model(o, &m, &n, &e) != 0) return fail_input(&e);
    rc = EXIT_INPUT;
    if (load_input(o, &m, o->files[0], &x, &e) != 0) goto done;
    net_set_input(n, x);
    if (net_forward(n, &e) < 0) goto done;

    int count = 0;
    const float *p = net_output(n, &count);
    int k = o->top < count ? o->top : count;
    int idx[1000];
    topk(p, count, k, idx);
    Labels lb;
    Err le = {0};
    int have_labels = count == 1000 && labels_load(NULL, &lb, &le) == 0;
    char name[128];
    const char *src = o->input_npy ? o->input_npy : o->files[0];
    if (o->json) {
        printf("{\"image\": \"%s\", \"arch\": \"%s\", \"weights\": \"%s\", \"trained\": %s, \"top\": [", src, m.arch->name,
               m.weights.source, m.weights.trained ? "true" : "false");
        for (int i = 0; i < k; i++) {
            printf("%s{\"index\": %d, ", i ? ", " : "", idx[i]);
            json_str("label", have_labels ? labels_name(&lb, idx[i], name, sizeof name) : "", 1);
            printf("\"prob\": %.6g}", p[idx[i]]);
        }
        printf("]}\n");
    } else {
        printf("%s through %s, weights: %s\n", src, m.arch->name, m.weights.source);
        if (!m.weights.trained)
            printf("(untrained weights: these classes are what random numbers say, not what the network learned;\n"
                   " load real weights with --weights, see docs/weights.md)\n");
        for (int i = 0; i < k; i++) {
            const char *label = have_labels ? labels_name(&lb, idx[i], name, sizeof name) : "";
            printf("%2d. %6.2f%%  %4d  %s\n", i + 1, 100.0 * p[idx[i]], idx[i], label);
        }
    }
    if (count == 1000 && !have_labels) fprintf(stderr, "alexscope: warning: %s\n", le.msg);
    if (have_labels) labels_free(&lb);
    rc = EXIT_OK;
done:
    return finish(rc, &e, x, n, &m);
}

/* ---- dump and export ---------------------------------------------------------------- */

/* Layers chosen by --layer: all, or one name. Returns first..last in *lo, *hi. */
static int pick_layers(const Opts *o, const ArchSpec *a, int *lo, int *hi)
{
    if (!o->layer) return usage_error(o->cmd, "missing --layer NAME|all%s", "");
    if (!strcmp(o->layer, "all")) {
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

static int cmd_dump_or_export(const Opts *o, int export)
{
    int rc = need_image(o, !export);
    if (rc) return rc;
    if (!o->out) return usage_error(o->cmd, "missing --out DIR%s", "");
    Norm norm = NORM_CHANNEL;
    Colormap cm = CMAP_VIRIDIS;
    if (o->norm && !strcmp(o->norm, "layer")) norm = NORM_LAYER;
    else if (o->norm && strcmp(o->norm, "channel")) return usage_error(o->cmd, "--norm is channel or layer, not '%s'", o->norm);
    if (o->cmap && !strcmp(o->cmap, "grey")) cm = CMAP_GREY;
    else if (o->cmap && strcmp(o->cmap, "viridis")) return usage_error(o->cmd, "--cmap is viridis or grey, not '%s'", o->cmap);

    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    if (open_model(o, &m, &n, &e) != 0) return fail_input(&e);
    int lo, hi;
    if ((rc = pick_layers(o, m.arch, &lo, &hi)) != 0) goto done;
    rc = EXIT_INPUT;
    if (load_input(o, &m, o->files[0], &x, &e) != 0 || mkdir_p(o->out, &e) != 0) goto done;
    net_set_input(n, x);
    if (net_run_to(n, hi + 1, &e) < 0) goto done;
    int files = 0;
    for (int i = lo; i <= hi; i++) {
        const LayerRun *r = &n->layers[i];
        if (export) {
            int k = export_layer(n, i, o->out, norm, cm, &e);
            if (k < 0) goto done;
            files += k;
            continue;
        }
        char path[1200];
        snprintf(path, sizeof path, "%s/%s.npy", o->out, r->spec->name);
        int64_t shape[3] = {r->out.c, r->out.h, r->out.w};
        int nd = r->out.h == 1 && r->out.w == 1 ? 1 : 3;
        if (npy_write(path, r->out_data, shape, nd, &e) != 0) goto done;
        files++;
    }
    fprintf(stderr, "alexscope: wrote %d file%s to %s\n", files, files == 1 ? "" : "s", o->out);
    rc = EXIT_OK;
done:
    return finish(rc, &e, x, n, &m);
}

/* ---- bench ---------------------------------------------------------------------------- */

static long peak_rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int cmd_bench(const Opts *o)
{
    if (o->nfiles > 1) return usage_error("bench", "bench takes at most one IMAGE ('%s' is extra)", o->files[1]);
    Err e = {0};
    Model m;
    Net *n = NULL;
    float *x = NULL;
    if (open_model(o, &m, &n, &e) != 0) return fail_input(&e);
    int rc = EXIT_INPUT;
    char sample[1024];
    const char *image = o->nfiles ? o->files[0] : asset_path("samples/chelsea.png", sample, sizeof sample);
    if (load_input(o, &m, image, &x, &e) != 0) goto done;
    double *ms = calloc((size_t)(n->nlayers + 1) * (size_t)o->reps, sizeof *ms);
    if (!ms) { err_set(&e, "out of memory"); goto done; }
    for (int r = 0; r < o->reps; r++) {
        net_set_input(n, x);
        if (net_forward(n, &e) < 0) { free(ms); goto done; }
        double total = 0;
        for (int i = 0; i < n->nlayers; i++) {
            ms[(size_t)i * o->reps + r] = n->layers[i].ms;
            total += n->layers[i].ms;
        }
        ms[(size_t)n->nlayers * o->reps + r] = total;
    }
    double total = median(ms + (size_t)n->nlayers * o->reps, o->reps);
    if (o->json) printf("{\"arch\": \"%s\", \"weights\": \"%s\", \"reps\": %d, \"layers\": [", m.arch->name, m.weights.source, o->reps);
    else printf("%s, %s, median of %d forward passes\n\n%-8s %10s %8s %16s\n", m.arch->name, m.weights.source, o->reps,
                "layer", "ms", "share", "MACs/s");
    for (int i = 0; i < n->nlayers; i++) {
        double t = median(ms + (size_t)i * o->reps, o->reps);
        const LayerRun *r = &n->layers[i];
        if (o->json) printf("%s{\"name\": \"%s\", \"ms\": %.3f}", i ? ", " : "", r->spec->name, t);
        else if (r->macs && t > 0) printf("%-8s %10.2f %7.1f%% %15.2fG\n", r->spec->name, t, 100 * t / total, r->macs / t / 1e6);
        else printf("%-8s %10.2f %7.1f%%\n", r->spec->name, t, 100 * t / total);
    }
    long rss = peak_rss_kib();
    if (o->json) printf("], \"total_ms\": %.3f, \"peak_rss_kib\": %ld}\n", total, rss);
    else printf("\ntotal %.1f ms (%.2f GMAC/s), peak resident memory %.1f MiB\n", total, n->total_macs / total / 1e6, rss / 1024.0);
    free(ms);
    rc = EXIT_OK;
done:
    return finish(rc, &e, x, n, &m);
}

static int cmd_convert(const Opts *o)
{
    if (!o->weights || !o->save_weights)
        return usage_error("convert", "convert needs --weights F and --save-weights OUT%s", "");
    Err e = {0};
    Model m;
    if (open_model(o, &m, NULL, &e) != 0) return fail_input(&e);
    model_free(&m);
    return EXIT_OK;
}

/* ---- dispatch ------------------------------------------------------------------------- */

static const char *const commands[] = {"summary", "run", "dump", "export", "bench", "convert", "lesson", "help", NULL};

int cli_is_command(const char *word)
{
    for (int i = 0; word && commands[i]; i++)
        if (!strcmp(word, commands[i])) return 1;
    return 0;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return print_help(argc > 2 ? argv[2] : NULL);
    if (!strcmp(argv[1], "lesson")) return lesson_cli(argc - 1, argv + 1);
    Opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) return rc;
    if (o.help) return print_help(o.cmd);
    if (!strcmp(o.cmd, "summary")) return cmd_summary(&o);
    if (!strcmp(o.cmd, "run")) return cmd_run(&o);
    if (!strcmp(o.cmd, "dump")) return cmd_dump_or_export(&o, 0);
    if (!strcmp(o.cmd, "export")) return cmd_dump_or_export(&o, 1);
    if (!strcmp(o.cmd, "bench")) return cmd_bench(&o);
    if (!strcmp(o.cmd, "convert")) return cmd_convert(&o);
    return usage_error(NULL, "unknown command '%s'", o.cmd);
}
