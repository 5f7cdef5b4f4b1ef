/* cli_convert.c - `alexscope convert`: any weight file to F32 safetensors (the saving itself
   is --save-weights, which every command that loads a model honours). */
#include "cli_impl.h"

static int convert(const CliOpts *o)
{
    if (!o->weights || !o->save_weights)
        return cli_usage_error("convert", "convert needs --weights F and --save-weights OUT");
    Err e = {0};
    Model m;
    if (cli_open_model(o, &m, NULL, &e) != 0) return cli_fail_input(&e);
    model_free(&m);
    return EXIT_OK;
}

const CliCommand cli_cmd_convert = {
    .name = "convert",
    .run = convert,
    .usage = "convert --weights F --save-weights OUT.safetensors",
    .help = "Usage: alexscope convert --weights F --save-weights OUT.safetensors [--arch A]\n\n"
            "Loads any supported weight file and writes it as F32 safetensors, so later runs load fast.\n",
};
