/* ui_options.c - the window's command line (ui_options.h). */
#include <string.h>

#include "afile.h"
#include "arch.h"
#include "backward.h"
#include "lesson.h"
#include "parse.h"
#include "ui_keys.h"
#include "ui_options.h"
#include "ui_state.h"
#include "weights.h"

void ui_options_usage(FILE *f)
{
    fprintf(f, "usage: alexscope [IMAGE] [--weights FILE] [--arch NAME] [--font FILE.ttf] [--export-dir DIR]\n"
               "       alexscope --lesson FILE.lesson [IMAGE] [--weights FILE]\n"
               "       alexscope --screenshot FILE.png [--step LAYER] [--size WxH] [IMAGE] [options]\n"
               "       alexscope --train [--subset N]     live training of LeNet-5 (key J)\n"
               "       alexscope --bench-ui\n"
               "\n"
               "Opens a window that walks one image through AlexNet, one layer at a time.\n"
               "Without IMAGE a bundled sample photo is used; without --weights the built-in\n"
               "untrained weights (seed %d), except lenet5's, trained on Fashion-MNIST (--weights\n"
               "builtin: the untrained ones). --resize warp|short: how the photo becomes 256 px\n"
               "before the centre crop (alexnet: warp, as Caffe; alexnet-tv, lenet5: short). --arch:",
            WEIGHTS_DEFAULT_SEED);
    for (int i = 0; arch_all[i]; i++) fprintf(f, "%s %s%s", i ? "," : "", arch_all[i]->name, i ? "" : " (default)");
    fprintf(f, ".\n\nKeys (F1 in the window shows them too):\n");
    char keys[4096];
    ui_keys_help(keys, sizeof keys);
    fputs(keys, f);
    fprintf(f, "Drop an image or a weights file (.caffemodel, .onnx, .safetensors) on the window.\n"
               "\n"
               "--lesson plays a lesson (docs/lessons.md): the keys above move between its steps,\n"
               "  Esc leaves the lesson.\n"
               "  The lesson's arch is loaded (with --weights FILE or the lesson's weights: file,\n"
               "  else built-in weights); IMAGE replaces the lesson's photo.\n"
               "\n"
               "--screenshot renders one frame without a display and writes it as PNG.\n"
               "  --step LAYER    layer name (conv1, pool5, prob), 'input' or a number\n"
               "  --size WxH      default 1280x720 (%dx%d to %dx%d)\n"
               "  --channel C     enlarge channel C      --unit C,Y,X  click unit (C, Y, X)\n"
               "  --card size|params|field|math          --kernels   show kernels\n"
               "  --im2col        a conv layer as im2col + one matrix product (key I)\n"
               "  --engine naive|fast   compute the layers with the naive loops or the fast engine (key F)\n"
               "  --train         live training of LeNet-5 on Fashion-MNIST (key J); --subset N images per\n"
               "                  epoch (2000), --train-epochs N: the screenshot waits for N epochs\n"
               "  --view crops|occlusion|patches|saliency   the ten crops (X), the occlusion map (O), the\n"
               "                  enlarged channel's top patches over the photo's folder (H) or the\n"
               "                  saliency map (Y) of the top-1 class (of --unit C,Y,X with --step)\n"
               "  --saliency-method gradient|guided|deconv   the saliency map's method (key B)\n"
               "  --theme contrast  --grey  --per-layer  --mirror  --zoom F (%g to %g)  --show-keys\n"
               "  --lesson FILE --lesson-step N   show step N (from 1) of a lesson\n"
               "  --animate K     the sliding window at position K (from 0, row by row) of a conv or\n"
               "                  pooling layer; --animate all with FILE like dir/conv1_%%04d.png writes\n"
               "                  every position as a numbered PNG (--frames N: N of them, evenly spread)\n"
               "  --compare auto|layer|padding|rounding|paper   what is shown side by side\n"
               "  --verbose       print the animation's counters\n"
               "  --check-fit     also say on stderr which texts did not fit where they are drawn\n"
               "                  (cut, or lines a card had no room for); exit status 3 if any\n"
               "  --check-fit-all the same for every layer with every card (with and without a\n"
               "                  unit selected), then every step of --lesson FILE or of every lesson\n"
               "                  in the lessons folder, at --size; the first 20 frames that clip\n"
               "                  are written as FILE-001.png, FILE-002.png, ... (FILE.png given)\n"
               "--bench-ui prints frame times (p50/p95) at 1920x1080 with conv3's 384 tiles, the\n"
               "  sliding window on conv1, conv2 and pool1 (a new position every frame),\n"
               "  time to first frame, and memory before/after 1,000 steps.\n",
            UI_OPT_MIN_W, UI_OPT_MIN_H, UI_OPT_MAX_SIDE, UI_OPT_MAX_SIDE, (double)UI_OPT_MIN_ZOOM,
            (double)UI_OPT_MAX_ZOOM);
}

/* "WxH" with both sides in range. */
static int parse_size(const char *s, int *w, int *h)
{
    char buf[32];
    const char *x = strchr(s, 'x');
    if (!x || (size_t)(x - s) >= sizeof buf) return -1;
    memcpy(buf, s, (size_t)(x - s));
    buf[x - s] = '\0';
    int ww, hh;
    if (parse_int(buf, UI_OPT_MIN_W, UI_OPT_MAX_SIDE, &ww) || parse_int(x + 1, UI_OPT_MIN_H, UI_OPT_MAX_SIDE, &hh))
        return -1;
    *w = ww, *h = hh;
    return 0;
}

/* "C,Y,X", each 0 .. UI_OPT_MAX_INDEX. */
static int parse_unit(const char *s, int unit[3])
{
    char buf[64];
    if (strlen(s) >= sizeof buf) return -1;
    strcpy(buf, s);
    char *p = buf;
    int v[3];
    for (int i = 0; i < 3; i++) {
        char *comma = strchr(p, ',');
        if ((comma != NULL) != (i < 2)) return -1;
        if (comma) *comma = '\0';
        if (parse_int(p, 0, UI_OPT_MAX_INDEX, &v[i])) return -1;
        p = comma + 1;
    }
    memcpy(unit, v, sizeof v);
    return 0;
}

static int parse_card(const char *s)
{
    static const char *const names[CARD_COUNT] = {"size", "params", "field", "math"};
    for (int i = 0; i < CARD_COUNT; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

/* Options that take a value; index into the switch in take_value. */
typedef enum {
    OPT_WEIGHTS, OPT_ARCH, OPT_FONT, OPT_EXPORT_DIR, OPT_SCREENSHOT, OPT_STEP, OPT_SELFTEST, OPT_SELFTEST_BAD,
    OPT_LESSON, OPT_LESSON_STEP, OPT_SIZE, OPT_THEME, OPT_CARD, OPT_CHANNEL, OPT_ZOOM, OPT_UNIT, OPT_ANIMATE,
    OPT_FRAMES, OPT_COMPARE, OPT_RESIZE, OPT_ENGINE, OPT_VIEW, OPT_TRAIN_EPOCHS, OPT_SUBSET, OPT_SAL_METHOD, OPT_COUNT
} OptId;

static const char *const opt_names[OPT_COUNT] = {
    "--weights", "--arch", "--font", "--export-dir", "--screenshot", "--step", "--selftest-events",
    "--selftest-bad", "--lesson", "--lesson-step", "--size", "--theme", "--card", "--channel", "--zoom", "--unit",
    "--animate", "--frames", "--compare", "--resize", "--engine", "--view", "--train-epochs", "--subset",
    "--saliency-method",
};

/* Flags: name -> the int they set to a value. */
static int *flag_of(UiOptions *o, const char *s, int *value)
{
    *value = 1;
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) return &o->help;
    if (!strcmp(s, "--bench-ui")) return &o->bench;
    if (!strcmp(s, "--kernels")) return &o->kernels;
    if (!strcmp(s, "--im2col")) return &o->im2col;
    if (!strcmp(s, "--train")) return &o->train;
    if (!strcmp(s, "--show-keys")) return &o->show_keys;
    if (!strcmp(s, "--per-layer")) return &o->norm;
    if (!strcmp(s, "--mirror")) return &o->mirror;
    if (!strcmp(s, "--verbose") || !strcmp(s, "-v")) return &o->verbose;
    if (!strcmp(s, "--grey")) return *value = 0, &o->cmap;
    if (!strcmp(s, "--check-fit")) return &o->check_fit;
    if (!strcmp(s, "--check-fit-all")) return *value = 2, &o->check_fit;
    return NULL;
}

static int take_value(UiOptions *o, OptId id, const char *v, Err *e)
{
    const char *name = opt_names[id];
    switch (id) {
    case OPT_WEIGHTS: o->weights = v; break;
    case OPT_ARCH: o->arch = v; break;
    case OPT_FONT: o->font = v; break;
    case OPT_EXPORT_DIR: /* refused now, not when the first export fails */
        if (afile_check_dir(v, e) != 0) return -1;
        o->export_dir = v;
        break;
    case OPT_SCREENSHOT:
        if (afile_check_output(v, e) != 0) return -1;
        o->screenshot = v;
        break;
    case OPT_STEP: o->step = v; break;
    case OPT_SELFTEST: o->selftest = v; break;
    case OPT_SELFTEST_BAD: o->selftest_bad = v; break;
    case OPT_LESSON: o->lesson = v; break;
    case OPT_LESSON_STEP:
        if (parse_int(v, 1, LESSON_MAX_STEPS, &o->lesson_step))
            return err_set(e, "%s %s: a step number from 1 to %d", name, v, LESSON_MAX_STEPS);
        break;
    case OPT_SIZE:
        if (parse_size(v, &o->w, &o->h))
            return err_set(e, "%s %s: expected WxH from %dx%d to %dx%d, e.g. 1920x1080", name, v, UI_OPT_MIN_W,
                           UI_OPT_MIN_H, UI_OPT_MAX_SIDE, UI_OPT_MAX_SIDE);
        o->sized = 1;
        break;
    case OPT_THEME: o->theme = strcmp(v, "contrast") == 0 || strcmp(v, "high-contrast") == 0; break;
    case OPT_CARD:
        if ((o->card = parse_card(v)) < 0) return err_set(e, "%s %s: one of size, params, field, math", name, v);
        break;
    case OPT_CHANNEL:
        if (parse_int(v, 0, UI_OPT_MAX_INDEX, &o->channel))
            return err_set(e, "%s %s: a channel number from 0 to %d", name, v, UI_OPT_MAX_INDEX);
        break;
    case OPT_ZOOM:
        if (parse_float(v, UI_OPT_MIN_ZOOM, UI_OPT_MAX_ZOOM, &o->zoom))
            return err_set(e, "%s %s: a scale from %g to %g", name, v, (double)UI_OPT_MIN_ZOOM, (double)UI_OPT_MAX_ZOOM);
        break;
    case OPT_UNIT:
        if (parse_unit(v, o->unit))
            return err_set(e, "%s %s: expected C,Y,X, each from 0 to %d", name, v, UI_OPT_MAX_INDEX);
        o->has_unit = 1;
        break;
    case OPT_ANIMATE:
        if (strcmp(v, "all") == 0) o->animate = UI_OPT_ANIM_ALL;
        else if (parse_int(v, 0, UI_OPT_MAX_ANIM, &o->animate))
            return err_set(e, "%s %s: a position from 0 to %d, or 'all'", name, v, UI_OPT_MAX_ANIM);
        break;
    case OPT_FRAMES:
        if (parse_int(v, 1, UI_OPT_MAX_ANIM, &o->frames))
            return err_set(e, "%s %s: a number of frames from 1 to %d", name, v, UI_OPT_MAX_ANIM);
        break;
    case OPT_COMPARE:
        for (o->compare = UI_ANIM_VARIANTS - 1; o->compare >= 0; o->compare--)
            if (strcmp(v, ui_anim_variant_names[o->compare]) == 0) break;
        if (o->compare < 0) return err_set(e, "%s %s: one of auto, layer, padding, rounding, paper", name, v);
        break;
    case OPT_RESIZE:
        if (strcmp(v, "warp") && strcmp(v, "short"))
            return err_set(e, "%s %s: warp (the whole photo to 256×256, as Caffe) or short (the shorter side)", name, v);
        o->resize = v;
        break;
    case OPT_TRAIN_EPOCHS: /* --train: the screenshot waits for this many epochs */
        if (parse_int(v, 1, UI_OPT_MAX_TRAIN_EPOCHS, &o->train_epochs))
            return err_set(e, "%s %s: a number of epochs from 1 to %d", name, v, UI_OPT_MAX_TRAIN_EPOCHS);
        break;
    case OPT_SUBSET:
        if (parse_int(v, 1, 60000, &o->train_subset)) return err_set(e, "%s %s: training images from 1 to 60000", name, v);
        break;
    case OPT_ENGINE:
        if (strcmp(v, "naive") && strcmp(v, "fast")) return err_set(e, "%s %s: naive or fast", name, v);
        o->fast = strcmp(v, "fast") == 0;
        break;
    case OPT_VIEW:
        o->view = !strcmp(v, "crops") ? UI_TOOL_VIEW_CROPS : !strcmp(v, "occlusion") ? UI_TOOL_VIEW_OCCLUSION
                : !strcmp(v, "patches") ? UI_TOOL_VIEW_PATCHES : !strcmp(v, "saliency") ? UI_TOOL_VIEW_SALIENCY : -1;
        if (o->view < 0) return err_set(e, "%s %s: one of crops, occlusion, patches, saliency", name, v);
        break;
    case OPT_SAL_METHOD:
        for (o->sal_method = RELU_MODE_COUNT - 1; o->sal_method >= 0; o->sal_method--)
            if (strcmp(v, relu_mode_name((ReluMode)o->sal_method)) == 0) break;
        if (o->sal_method < 0) return err_set(e, "%s %s: one of gradient, guided, deconv", name, v);
        break;
    case OPT_COUNT: break;
    }
    return 0;
}

/* --animate all writes FILE with its one %d (flags 0 and a width allowed) as the frame number. */
static int frame_pattern_ok(const char *s)
{
    const char *p = strchr(s, '%');
    if (!p || strchr(p + 1, '%')) return 0;
    p++;
    while (*p >= '0' && *p <= '9') p++;
    return *p == 'd' && p - strchr(s, '%') <= 4;
}

int ui_options_parse(int argc, char **argv, UiOptions *o, Err *e)
{
    memset(o, 0, sizeof *o);
    o->w = 1280, o->h = 720, o->channel = -1, o->card = -1, o->cmap = 1, o->zoom = 1.0f;
    o->animate = UI_OPT_ANIM_NONE;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int value, id = 0, *flag = flag_of(o, s, &value);
        if (flag) {
            *flag = value;
            continue;
        }
        while (id < OPT_COUNT && strcmp(s, opt_names[id]) != 0) id++;
        if (id < OPT_COUNT) {
            if (i + 1 >= argc) return err_set(e, "%s needs a value (see --help)", s), 2;
            if (take_value(o, (OptId)id, argv[++i], e) != 0) return 2;
        } else if (s[0] == '-' && s[1]) {
            return err_set(e, "unknown option %s (see --help)", s), 2;
        } else if (!o->image) {
            o->image = s;
        } else {
            return err_set(e, "one image at a time (got %s and %s)", o->image, s), 2;
        }
    }
    if (o->lesson_step && !o->lesson && !o->help) return err_set(e, "--lesson-step needs --lesson FILE"), 2;
    if (o->animate == UI_OPT_ANIM_ALL && o->screenshot && !frame_pattern_ok(o->screenshot))
        return err_set(e, "--animate all: --screenshot %s needs one %%d for the frame number, e.g. dir/conv1_%%04d.png",
                       o->screenshot), 2;
    if (o->frames && o->animate != UI_OPT_ANIM_ALL) return err_set(e, "--frames needs --animate all"), 2;
    return 0;
}
