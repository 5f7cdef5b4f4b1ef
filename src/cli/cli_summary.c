/* cli_summary.c - `alexscope summary`: the layer table from the architecture's plan (shapes,
   formulas, parameters, MACs, memory), as text, CSV or JSON. Builds no network. */
#include <stdio.h>
#include <string.h>

#include "cli_impl.h"
#include "plan.h"
#include "util.h"

/* printf's %-20s counts bytes; "×" and "−" are two and three. Pads by characters. */
static void put_padded(const char *s, int width)
{
    int chars = 0;
    for (const char *p = s; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
    fputs(s, stdout);
    for (; chars < width; chars++) putchar(' ');
}

/* prefix, then text broken at spaces into lines of at most width bytes, indented. */
static void put_wrapped(const char *prefix, const char *text, int width)
{
    int indent = (int)strlen(prefix), col = indent;
    fputs(prefix, stdout);
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (col > indent && col + 1 + word > width) printf("\n%*s", indent, ""), col = indent;
        else if (col > indent) putchar(' '), col++;
        fwrite(text, 1, (size_t)word, stdout);
        col += word, text += word;
        while (*text == ' ') text++;
    }
    putchar('\n');
}

static void human_bytes(char *buf, size_t size, long long b)
{
    if (b >= 1 << 20) snprintf(buf, size, "%.1f MiB", b / 1048576.0);
    else snprintf(buf, size, "%.1f KiB", b / 1024.0);
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

static void print_header(const char *fmt, const ArchSpec *a)
{
    if (!strcmp(fmt, "json")) {
        printf("{\"arch\": \"%s\", ", a->name);
        cli_json_str("title", a->title, 1), cli_json_str("note", a->note ? a->note : "", 1);
        printf("\"input\": [%d, %d, %d], \"layers\": [\n", a->input.c, a->input.h, a->input.w);
    } else if (!strcmp(fmt, "csv"))
        printf("layer,kind,hyper,input,output,formula,formula_padded,rounding,weights,biases,params_expr,params_running,"
               "macs,act_bytes,rf,added,arch_note\n");
    else {
        printf("%s: %s\n\n", a->name, a->title);
        put_padded("layer", 7), put_padded("kind", 9), put_padded("hyper-parameters", 22);
        put_padded("input → output", 28), put_padded("output size", 38), put_padded("parameters", 32);
        put_padded("MACs", 14), puts("memory");
    }
}

/* One layer's row; a layer alexscope adds (spec->added) says so in every format, and the
   CSV repeats the arch's note on each row so that every row stands alone. */
static void print_layer(const char *fmt, const ArchSpec *a, const PlanLayer *r, int last)
{
    const char *added = r->spec->added ? r->spec->added : "";
    char in[32], out[32], hp[48], macs[32], mem[32];
    const char *kind = layer_kind(r->spec->kind)->name;
    shape_hwc(r->in, in, sizeof in), shape_hwc(r->out, out, sizeof out), layer_hyper(r->spec, hp, sizeof hp);
    const char *formula = r->has_size ? (r->spec->pad ? r->size.padded : r->size.nopad) : "";
    if (!strcmp(fmt, "json")) {
        printf("  {");
        cli_json_str("name", r->spec->name, 1), cli_json_str("kind", kind, 1), cli_json_str("hyper", hp, 1);
        printf("\"input\": [%d, %d, %d], \"output\": [%d, %d, %d], ", r->in.c, r->in.h, r->in.w, r->out.c, r->out.h, r->out.w);
        cli_json_str("formula", r->has_size ? r->size.nopad : "", 1);
        cli_json_str("formula_padded", r->has_size ? r->size.padded : "", 1);
        cli_json_str("rounding", r->has_size ? r->size.rounding : "", 1);
        cli_json_str("params_expr", r->params_expr, 1), cli_json_str("added", added, 1);
        printf("\"weights\": %ld, \"biases\": %ld, \"params_running\": %lld, \"macs\": %lld, \"act_bytes\": %lld, \"rf\": %d}%s\n",
               r->nw, r->nb, r->params_running, r->macs, r->act_bytes, r->rf, last ? "" : ",");
    } else if (!strcmp(fmt, "csv")) {
        char num[256];
        csv_field(r->spec->name, 0), csv_field(kind, 0), csv_field(hp, 0), csv_field(in, 0), csv_field(out, 0);
        csv_field(r->has_size ? r->size.nopad : "", 0), csv_field(r->has_size ? r->size.padded : "", 0);
        csv_field(r->has_size ? r->size.rounding : "", 0);
        snprintf(num, sizeof num, "%ld,%ld,", r->nw, r->nb);
        fputs(num, stdout);
        csv_field(r->params_expr, 0);
        printf("%lld,%lld,%lld,%d,", r->params_running, r->macs, r->act_bytes, r->rf);
        csv_field(added, 0), csv_field(a->note ? a->note : "", 1);
    } else {
        char io[80];
        snprintf(io, sizeof io, "%s → %s", in, out);
        fmt_count(macs, sizeof macs, r->macs), human_bytes(mem, sizeof mem, r->act_bytes);
        put_padded(r->spec->name, 7), put_padded(kind, 9), put_padded(hp, 22), put_padded(io, 28);
        put_padded(formula, 38), put_padded(r->params_expr, 32), put_padded(r->macs ? macs : "", 14);
        puts(mem);
        if (r->has_size && r->size.rounding[0]) printf("%*s%s\n", 64, "", r->size.rounding);
        if (added[0]) printf("%*s(%s)\n", 7, "", added);
    }
}

static void print_totals(const char *fmt, const ArchSpec *a, const Plan *p)
{
    char params[32], macs[32], mem[32];
    fmt_count(params, sizeof params, p->total_params), fmt_count(macs, sizeof macs, p->total_macs);
    human_bytes(mem, sizeof mem, p->total_act_bytes);
    if (!strcmp(fmt, "json"))
        printf("], \"total_params\": %lld, \"total_macs\": %lld, \"total_act_bytes\": %lld}\n", p->total_params,
               p->total_macs, p->total_act_bytes);
    else if (!strcmp(fmt, "text")) {
        printf("\ntotal: %s parameters, %s multiply-accumulates, %s of activations (float32)\n", params, macs, mem);
        if (a->note) put_wrapped("note: ", a->note, 100);
    }
}

static int summary(const CliOpts *o)
{
    const char *fmt = o->format ? o->format : "text";
    if (strcmp(fmt, "text") && strcmp(fmt, "csv") && strcmp(fmt, "json"))
        return cli_usage_error("summary", "--format is text, csv or json, not '%s'", fmt);
    if (o->nfiles) return cli_usage_error("summary", "summary takes no files ('%s')", o->files[0]);
    const ArchSpec *a = &arch_alexnet;
    char known[256];
    if (o->arch && !(a = arch_find(o->arch)))
        return cli_usage_error("summary", "unknown architecture '%s' (known: %s)", o->arch, arch_names(known, sizeof known));
    Err e = {0};
    Plan p; /* shapes and counts need no weights and no activations */
    if (plan_build(a, &p, &e) != 0) return cli_fail_input(&e);
    print_header(fmt, a);
    for (int i = 0; i < p.nlayers; i++) print_layer(fmt, a, &p.layers[i], i + 1 == p.nlayers);
    print_totals(fmt, a, &p);
    return EXIT_OK;
}

const CliCommand cli_cmd_summary = {
    .name = "summary",
    .run = summary,
    .usage = "summary [--arch A] [--format text|csv|json]",
    .help = "Usage: alexscope summary [--arch A] [--format text|csv|json]\n\n"
            "The layer table: kind, kernel/stride/pad/groups, input -> output shape (HxWxC, as the\n"
            "slides write it), the output-size formula with the layer's numbers, parameters with\n"
            "the product written out, multiply-accumulates and activation memory; then totals.\n"
            "A layer the original network does not have is marked as added by alexscope (the\n"
            "softmax after torchvision's logits), and an arch with a caveat prints it as a note\n"
            "(lenet5: the modern simplification of LeCun 1998); CSV and JSON carry both as fields.\n",
};
