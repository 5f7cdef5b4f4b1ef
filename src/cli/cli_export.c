/* cli_export.c - `alexscope export`: feature maps (and conv1's filters) as PNG (export.h). */
#include "cli_impl.h"

static int export(const CliOpts *o) { return cli_layers_cmd(o, 0, export_layer); }

const CliCommand cli_cmd_export = {
    .name = "export",
    .run = export,
    .usage = "export IMAGE --layer NAME|all --out DIR [--norm channel|layer] [--cmap viridis|grey]",
    .help = "Usage: alexscope export IMAGE --layer NAME|all --out DIR [options]\n\n"
            "Writes DIR/NAME_cNNN.png per channel, DIR/NAME_grid.png per layer and, for conv1,\n"
            "DIR/conv1_filters.png (the filters as RGB tiles). Fully connected layers are written\n"
            "as one heat strip.\n"
            "  --norm channel|layer  each channel scaled by its own min..max (default) or the layer's\n"
            "  --cmap viridis|grey   perceptual colormap (default) or grey\n",
    .common_help = 1,
    .engines = 1,
};
