/* cli_dump.c - `alexscope dump`: every chosen layer's output as DIR/NAME.npy. */
#include <stdio.h>

#include "cli_impl.h"
#include "npy.h"

/* float32, C×H×W, or 1-D for a vector; no batch axis. */
static int write_npy(const Net *n, int i, const char *dir, Norm norm, Colormap cm, Err *e)
{
    (void)norm, (void)cm;
    const PlanLayer *l = &n->plan.layers[i];
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.npy", dir, l->spec->name);
    int64_t shape[3] = {l->out.c, l->out.h, l->out.w};
    return npy_write(path, n->run[i].out_data, shape, shape_is_vector(l->out) ? 1 : 3, e) == 0 ? 1 : -1;
}

static int dump(const CliOpts *o) { return cli_layers_cmd(o, 1, write_npy); }

const CliCommand cli_cmd_dump = {
    .name = "dump",
    .run = dump,
    .usage = "dump (IMAGE | --input-npy F) --layer NAME|all --out DIR [--weights F]",
    .help = "Usage: alexscope dump (IMAGE | --input-npy F) --layer NAME|all --out DIR [options]\n\n"
            "Writes DIR/NAME.npy for each layer: float32, CxHxW (or 1-D for vectors), no batch axis.\n"
            "  --input-npy F       an already preprocessed float32 tensor, CxHxW or 1xCxHxW\n",
    .common_help = 1,
    .engines = 1,
};
