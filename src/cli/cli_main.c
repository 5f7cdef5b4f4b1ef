/* cli_main.c - the headless alexscope's dispatch: one table of subcommands, which
   `alexscope --help`, `alexscope help CMD` and cli_is_command all read. To add a command:
   a cli_NAME.c that defines `const CliCommand cli_cmd_NAME` (cli_impl.h), and a row here. */
#define _DEFAULT_SOURCE /* realpath */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "labels.h"

#ifndef ALEXSCOPE_VERSION /* CMake passes project()'s VERSION */
#define ALEXSCOPE_VERSION "unknown"
#endif

static const CliCommand *const commands[] = {
    &cli_cmd_summary, &cli_cmd_run, &cli_cmd_dump, &cli_cmd_export,
    &cli_cmd_bench,   &cli_cmd_batch,   &cli_cmd_occlusion, &cli_cmd_top_patches, &cli_cmd_saliency, &cli_cmd_convert, &cli_cmd_lesson,
    &cli_cmd_train, &cli_cmd_eval, &cli_cmd_overfit, NULL,
};

static const char help_head[] =
    "alexscope - walk one image through AlexNet, one layer at a time\n"
    "\n"
    "Usage:\n"
    "  alexscope [IMAGE] [--weights F] [--arch A]    open the window (see docs/user-guide.md)\n";

static const char help_tail[] =
    "\n"
    "Window options: --lesson FILE, --font F.ttf, --export-dir DIR,\n"
    "  --screenshot FILE.png [--step LAYER] [--size WxH] (one frame, no display), --bench-ui\n"
    "\n"
    "Architectures (--arch): alexnet (default; 2012, Caffe's bvlc_alexnet, input 227),\n"
    "  alexnet-tv (torchvision, input 224), lenet5 (LeNet-5, 32x32 grey).\n"
    "Weights (--weights): ONNX, safetensors, .caffemodel or PyTorch .pth, by content;\n"
    "  without --weights the built-in, untrained default is used (lenet5: weights trained on\n"
    "  Fashion-MNIST, docs/training.md; --weights builtin: the built-in ones). See docs/weights.md.\n"
    "Run 'alexscope COMMAND --help' for a command's options; 'alexscope --version' for the\n"
    "  version, the engines built and where the lessons and samples are (man alexscope).\n"
    "Exit status: 0 ok, 1 bad input (a file), 2 bad usage.\n";

/* Appended to the help of the commands that load a model and an image; %s: the archs. */
static const char help_common[] =
    "  --weights F         weight file (ONNX, safetensors, .caffemodel), or builtin; default: built-in,\n"
    "                      untrained (lenet5: trained on Fashion-MNIST)\n"
    "  --arch A            %s (default: from the file, else alexnet)\n"
    "  --preset P          preprocessing: caffe (BGR, 0–255, minus 104/117/123: the per-channel\n"
    "                      means of Caffe's per-pixel mean image ilsvrc_2012_mean, 104.007,\n"
    "                      116.669, 122.679) | torchvision (RGB, /255, ImageNet mean/std) | lenet;\n"
    "                      default: the arch's\n"
    "  --resize warp|short warp: the whole photo to 256×256, aspect not kept, as Caffe did at test\n"
    "                      time (alexnet's default); short: the shorter side to 256, aspect kept,\n"
    "                      as torchvision does (alexnet-tv's and lenet5's default, with 32)\n"
    "  --mirror            flip the image left-right first (the slides' augmentation)\n"
    "  --random-crop SEED  a seeded random crop instead of the centre crop\n"
    "  --save-weights F    also write the loaded weights as F32 safetensors\n"
    "  --verbose           print the preprocessing used, and how the photo was resized and\n"
    "                      cropped, with the numbers\n";

/* Appended to the help of the commands that compute (CliCommand.engines). */
static const char help_engine[] =
    "  --engine naive|fast the naive loops (default, the reference) or the fast engine (im2col +\n"
    "                      BLAS GEMM, as Caffe computes); fast needs a build with a BLAS\n"
    "  --threads N         the fast engine's threads (default 2)\n";

static const CliCommand *find_command(const char *name)
{
    for (int i = 0; name && commands[i]; i++)
        if (!strcmp(name, commands[i]->name)) return commands[i];
    return NULL;
}

/* cmd NULL or "help": the overview; a command: its help; anything else: nothing. */
static int print_help(const char *cmd)
{
    if (!cmd || !strcmp(cmd, "help")) {
        fputs(help_head, stdout);
        for (int i = 0; commands[i]; i++) printf("  alexscope %s\n", commands[i]->usage);
        fputs(help_tail, stdout);
        return EXIT_OK;
    }
    const CliCommand *c = find_command(cmd);
    if (!c) return EXIT_OK;
    fputs(c->help, stdout);
    if (c->common_help) {
        char archs[256] = "";
        for (int i = 0; arch_all[i]; i++)
            snprintf(archs + strlen(archs), sizeof archs - strlen(archs), "%s%s", i ? " | " : "", arch_all[i]->name);
        printf(help_common, archs);
    }
    if (c->engines) fputs(help_engine, stdout);
    return EXIT_OK;
}

/* "alexscope X.Y.Z", then what this build can do and where it finds its files. */
static int print_version(void)
{
    printf("alexscope %s\n", ALEXSCOPE_VERSION);
#ifdef ALEXSCOPE_VERSION_GUI
    const char *window = "SDL2";
#else
    const char *window = "none";
#endif
    char dir[PATH_MAX], real[PATH_MAX];
    asset_path("", dir, sizeof dir);
    printf("fast engine: %s; window: %s; assets: %s\n", cli_blas_name(), window,
           realpath(dir, real) ? real : dir);
    return EXIT_OK;
}

static int is_version(const char *word) { return word && !strcmp(word, "--version"); }

int cli_is_command(const char *word)
{
    return find_command(word) || is_version(word) || (word && !strcmp(word, "help"));
}

int cli_main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return print_help(argc > 2 ? argv[2] : NULL);
    if (is_version(argv[1]) && argc > 2) {
        fprintf(stderr, "alexscope: --version takes no other argument ('%s')\n", argv[2]);
        return EXIT_USAGE;
    }
    if (is_version(argv[1])) return print_version();
    const CliCommand *c = find_command(argv[1]);
    if (c && c->run_argv) return c->run_argv(argc - 1, argv + 1);
    CliOpts o;
    int rc = cli_opts_parse(argc, argv, &o);
    if (rc) return rc;
    if (o.help) return print_help(o.cmd);
    if (!c) return cli_usage_error(NULL, "unknown command '%s'", o.cmd);
    if (o.engine_given && c->engines == 0) return cli_usage_error(o.cmd, "%s computes nothing: it takes no --engine", o.cmd);
    if (o.engine == CLI_ENGINE_BOTH && c->engines < 2) return cli_usage_error(o.cmd, "--engine both is for bench; use naive or fast");
    return c->run(&o);
}
