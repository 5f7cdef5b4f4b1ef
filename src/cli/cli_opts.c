/* cli_opts.c - one option parser for every CLI command (see cli_opts.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "cli.h"
#include "cli_impl.h"
#include "cli_opts.h"
#include "parse.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "alexscope: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'alexscope %s --help'.\n", cmd ? cmd : "");
    return EXIT_USAGE;
}

static int is_flag(const char *name)
{
    static const char *const flags[] = {"--help", "-h", "--mirror", "--json", "--verbose", "-v", NULL};
    for (int f = 0; flags[f]; f++)
        if (!strcmp(name, flags[f])) return 1;
    return 0;
}

static void set_flag(CliOpts *o, const char *name)
{
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) o->help = 1;
    else if (!strcmp(name, "--mirror")) o->mirror = 1;
    else if (!strcmp(name, "--json")) o->json = 1;
    else o->verbose = 1;
}

static int set_engine(CliOpts *o, const char *val)
{
    static const char *const names[] = {"naive", "fast", "both"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(val, names[i])) {
            o->engine = i, o->engine_given = 1;
#ifndef ALEXSCOPE_HAVE_FAST
            if (i != CLI_ENGINE_NAIVE) {
                fprintf(stderr, "alexscope: this build has no fast engine (no BLAS found when it was built)\n");
                return EXIT_USAGE;
            }
#endif
            return 0;
        }
    return cli_usage_error(o->cmd, "--engine is naive, fast or both, not '%s'", val);
}

/* An option with a value: 0, or EXIT_USAGE after the message. */
static int set_value(CliOpts *o, const char *name, const char *val)
{
    const struct {
        const char *name;
        const char **field;
    } strings[] = {
        {"--weights", &o->weights}, {"--arch", &o->arch},     {"--preset", &o->preset},
        {"--format", &o->format},   {"--layer", &o->layer},   {"--out", &o->out},
        {"--input-npy", &o->input_npy}, {"--save-weights", &o->save_weights},
        {"--norm", &o->norm},       {"--cmap", &o->cmap},     {"--resize", &o->resize},
        {"--unit", &o->unit},       {"--method", &o->method},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (!strcmp(name, strings[i].name)) {
            *strings[i].field = val;
            if (o->resize == val && strcmp(val, "warp") && strcmp(val, "short"))
                return cli_usage_error(o->cmd, "--resize is warp or short, not '%s'", val);
            return 0;
        }
    if (!strcmp(name, "--top")) {
        if (parse_int(val, 1, 1000, &o->top)) return cli_usage_error(o->cmd, "--top takes a number from 1 to 1000, not '%s'", val);
    } else if (!strcmp(name, "--reps")) {
        if (parse_int(val, 1, 1000, &o->reps)) return cli_usage_error(o->cmd, "--reps takes a number from 1 to 1000, not '%s'", val);
    } else if (!strcmp(name, "--batch")) {
        if (parse_int(val, 1, 1024, &o->batch)) return cli_usage_error(o->cmd, "--batch takes a number from 1 to 1024, not '%s'", val);
    } else if (!strcmp(name, "--threads")) {
        if (parse_int(val, 1, 64, &o->threads)) return cli_usage_error(o->cmd, "--threads takes a number from 1 to 64, not '%s'", val);
    } else if (!strcmp(name, "--class")) {
        if (parse_int(val, 0, 99999, &o->klass)) return cli_usage_error(o->cmd, "--class takes a class index (0 or more), not '%s'", val);
    } else if (!strcmp(name, "--channel")) {
        if (parse_int(val, 0, 99999, &o->channel)) return cli_usage_error(o->cmd, "--channel takes a channel index (0 or more), not '%s'", val);
    } else if (!strcmp(name, "--count")) {
        if (parse_int(val, 1, 64, &o->count)) return cli_usage_error(o->cmd, "--count takes a number from 1 to 64, not '%s'", val);
    } else if (!strcmp(name, "--window")) {
        if (parse_int(val, 1, 100000, &o->window)) return cli_usage_error(o->cmd, "--window takes a size of 1 or more pixels, not '%s'", val);
    } else if (!strcmp(name, "--stride")) {
        if (parse_int(val, 1, 100000, &o->stride)) return cli_usage_error(o->cmd, "--stride takes 1 or more pixels, not '%s'", val);
    } else if (!strcmp(name, "--crops")) {
        if (parse_int(val, 1, 10, &o->crops) || (o->crops != 1 && o->crops != 10))
            return cli_usage_error(o->cmd, "--crops takes 1 (the centre) or 10 (corners, centre and mirrors), not '%s'", val);
    } else if (!strcmp(name, "--engine")) {
        return set_engine(o, val);
    } else if (!strcmp(name, "--random-crop")) {
        if (parse_ll(val, 0, 1LL << 62, &o->crop_seed)) return cli_usage_error(o->cmd, "--random-crop takes a seed (0 or more), not '%s'", val);
    } else
        return cli_usage_error(o->cmd, "unknown option '%s'", name);
    return 0;
}

/* The outputs named on the command line, checked before anything is computed: an existing
   device, FIFO or directory where a file goes (or a file where a directory goes) is refused
   now, not after a long run. batch's --out is a file, every other command's a directory. */
static int check_outputs(const CliOpts *o)
{
    Err e = {0};
    if (o->save_weights && afile_check_parent(o->save_weights, &e) != 0) return cli_fail_input(&e);
    if (o->out && o->cmd && !strcmp(o->cmd, "batch") && afile_check_parent(o->out, &e) != 0) return cli_fail_input(&e);
    if (o->out && o->cmd && strcmp(o->cmd, "batch") && afile_check_dir(o->out, &e) != 0) return cli_fail_input(&e);
    return 0;
}

int cli_opts_parse(int argc, char **argv, CliOpts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = argv[1];
    o->top = 5, o->reps = 5, o->crop_seed = -1, o->klass = -1, o->channel = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (o->nfiles == (int)(sizeof o->files / sizeof o->files[0]))
                return cli_usage_error(o->cmd, "too many files (%s)", a);
            o->files[o->nfiles++] = a;
            continue;
        }
        char name[64];
        const char *val = NULL, *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name) return cli_usage_error(o->cmd, "unknown option '%s'", a);
        memcpy(name, a, len);
        name[len] = '\0';
        if (eq) val = eq + 1;
        if (is_flag(name)) {
            if (val) return cli_usage_error(o->cmd, "option '%s' takes no value", name);
            set_flag(o, name);
            continue;
        }
        if (!val) {
            if (i + 1 >= argc) return cli_usage_error(o->cmd, "option '%s' needs a value", name);
            val = argv[++i];
        }
        int rc = set_value(o, name, val);
        if (rc) return rc;
    }
    return o->help ? 0 : check_outputs(o);
}
