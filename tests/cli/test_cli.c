/* test_cli.c - the alexscope binary as a user drives it: output, exit codes, messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static char out[1 << 16], err[1 << 14];

/* Runs "PREFIX alexscope ARGS" in sh, returns its exit status; stdout and stderr land in
   out / err. */
static int run_sh(const char *prefix, const char *args)
{
    return ts_run_capture_with(prefix, args, out, sizeof out, err, sizeof err);
}

static int run(const char *args) { return run_sh(NULL, args); }

/* A temporary directory as ts_setup makes (tagged "cli"), with bad inputs in it. */
static int setup(void **st)
{
    (void)st;
    if (!ts_dir_create("cli")) return -1;
    ts_write_file(ts_path("empty.png"), "", 0);
    unsigned char junk[4096];
    uint64_t s = 99;
    for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)((s = s * 6364136223846793005ull + 1) >> 56);
    ts_write_file(ts_path("junk.jpg"), junk, sizeof junk);
    ts_write_file(ts_path("junk.safetensors"), junk, sizeof junk);
    ts_write_file(ts_path("text.png"), "hello, this is not a png\n", 25);
    mkdir(ts_path("adir"), 0777);
    return 0;
}

static void test_summary_text(void **st)
{
    (void)st;
    assert_int_equal(run("summary"), 0);
    assert_non_null(strstr(out, "60,965,224 parameters"));
    assert_non_null(strstr(out, "724,406,816 multiply-accumulates"));
    assert_non_null(strstr(out, "227×227×3 → 55×55×96"));
    assert_non_null(strstr(out, "(227−11)/4+1 = 55"));
    assert_non_null(strstr(out, "(27+2·2−5)/1+1 = 27"));
    assert_non_null(strstr(out, "55×55×96 → 27×27×96"));
    assert_non_null(strstr(out, "13×13×256 → 6×6×256"));
    assert_non_null(strstr(out, "256×5×5×48 + 256 = 307,456"));
    assert_int_equal(run("summary --arch alexnet-tv"), 0);
    assert_non_null(strstr(out, "61,100,840 parameters"));
    assert_non_null(strstr(out, "(224+2·2−11)/4+1 = 55"));
    /* torchvision's order: pool5, drop6, fc6, relu6, drop7, fc7, relu7, fc8, then our softmax */
    const char *rows[] = {"\npool5 ", "\ndrop6 ", "\nfc6 ", "\nrelu6 ", "\ndrop7 ", "\nfc7 ", "\nrelu7 ", "\nfc8 ",
                          "\nprob ", "(added by alexscope"};
    const char *at = out;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const char *r = strstr(at, rows[i]);
        if (!r) fail_msg("'%s' missing or out of order in:\n%s", rows[i], out);
        at = r + 1;
    }
    assert_non_null(strstr(out, "drop6  dropout  p=0.5                 6×6×256 → 6×6×256"));
    assert_int_equal(run("summary --arch lenet5"), 0);
    assert_non_null(strstr(out, "61,706 parameters"));
    assert_non_null(strstr(out, "note: lenet5 is the modern simplification, not LeCun 1998"));
    assert_non_null(strstr(out, "about 60,000 trainable parameters"));
}

/* summary needs the plan only: under a 5 MiB data limit, although alexnet's activations
   alone are 7.3 MiB. (ASan reserves far more than that for itself.) */
static void test_summary_allocates_no_activations(void **st)
{
    (void)st;
#if defined(__SANITIZE_ADDRESS__)
    skip();
#else
    /* OpenBLAS (linked for the fast engine) starts its threads when it is loaded; one thread
       keeps that start inside the limit */
    assert_int_equal(run_sh("ulimit -d 5120; OPENBLAS_NUM_THREADS=1", "summary"), 0);
    assert_non_null(strstr(out, "7.3 MiB of activations"));
#endif
}

static void test_summary_csv_json(void **st)
{
    (void)st;
    assert_int_equal(run("summary --format json"), 0);
    assert_non_null(strstr(out, "\"total_params\": 60965224"));
    assert_non_null(strstr(out, "\"total_macs\": 724406816"));
    assert_int_equal(run("summary --format csv --arch lenet5"), 0);
    assert_non_null(strstr(out, "layer,kind,hyper"));
    assert_non_null(strstr(out, ",rf,added,arch_note\n"));
    assert_non_null(strstr(out, "\"conv1\",\"conv\""));
    assert_non_null(strstr(out, ",\"\",\"lenet5 is the modern simplification, not LeCun 1998"));
    assert_int_equal(run("summary --format csv --arch alexnet-tv"), 0);
    assert_non_null(strstr(out, "\"drop6\",\"dropout\",\"p=0.5\",\"6×6×256\",\"6×6×256\""));
    assert_non_null(strstr(out, ",\"added by alexscope: torchvision's AlexNet outputs fc8's logits\",\"\"\n"));
    assert_int_equal(run("summary --format json --arch alexnet-tv"), 0);
    assert_non_null(strstr(out, "\"name\": \"prob\""));
    assert_non_null(strstr(out, "\"added\": \"added by alexscope: torchvision's AlexNet outputs fc8's logits\""));
    assert_non_null(strstr(out, "\"note\": \"\""));
    assert_int_equal(run("summary --format json --arch lenet5"), 0);
    assert_non_null(strstr(out, "\"note\": \"lenet5 is the modern simplification, not LeCun 1998"));
}

static void test_usage_errors_exit_2(void **st)
{
    (void)st;
    assert_int_equal(run("summary --format yaml"), 2);
    assert_non_null(strstr(err, "alexscope: --format"));
    assert_int_equal(run("summary --arch alexnet9"), 2);
    assert_non_null(strstr(err, "alexnet9"));
    assert_int_equal(run("run"), 2);
    assert_non_null(strstr(err, "missing IMAGE"));
    assert_int_equal(run("run a.png --top zero"), 2);
    assert_int_equal(run("run a.png --frobnicate"), 2);
    assert_non_null(strstr(err, "--frobnicate"));
    assert_int_equal(run("dump a.png --out x"), 2);
    assert_int_equal(run("bench --reps"), 2);
    assert_int_equal(run("nonsense-command-xyz --top 3"), 2);
}

static void test_help_everywhere(void **st)
{
    (void)st;
    assert_int_equal(run("--help"), 0);
    const char *lines[] = {"  alexscope summary [", "  alexscope run IMAGE", "  alexscope dump (IMAGE", "  alexscope export IMAGE",
                           "  alexscope bench [", "  alexscope convert --weights", "  alexscope lesson check FILE"};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        if (!strstr(out, lines[i])) fail_msg("--help lacks '%s'", lines[i]);
    assert_int_equal(run("help lesson"), 0);
    assert_non_null(strstr(out, "alexscope lesson play FILE"));
    const char *cmds[] = {"--help", "summary --help", "run --help", "dump --help", "export --help",
                          "bench --help", "convert --help", "lesson --help"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        assert_int_equal(run(cmds[i]), 0);
        assert_non_null(strstr(out, "Usage"));
    }
}

/* Every bad image: exit 1 and "alexscope: PATH: ..." */
static void test_bad_images_exit_1(void **st)
{
    (void)st;
    const char *files[] = {"empty.png", "junk.jpg", "text.png", "adir", "missing.png"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char args[1024], want[600];
        snprintf(args, sizeof args, "run %s", ts_path(files[i]));
        assert_int_equal(run(args), 1);
        snprintf(want, sizeof want, "alexscope: %s: ", ts_path(files[i]));
        if (!strstr(err, want)) fail_msg("%s: stderr was: %s", files[i], err);
    }
}

static void test_bad_image_fixtures(void **st)
{
    (void)st;
    const char *names[] = {"huge.png", "huge.jpg", "huge.bmp", "huge.gif", "trunc_1586.png", "trunc_775.jpg", "random.bin", "zero.png"};
    int found = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[1024], args[1200];
        snprintf(path, sizeof path, "%s/bad/%s", FIXTURES, names[i]);
        if (access(path, R_OK) != 0) continue;
        found++;
        snprintf(args, sizeof args, "run %s", path);
        assert_int_equal(run(args), 1);
        assert_non_null(strstr(err, path));
    }
    assert_true(found > 0);
}

static void test_bad_weights_exit_1(void **st)
{
    (void)st;
    const char *files[] = {"junk.safetensors", "empty.png", "adir", "missing.onnx"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char args[1024], want[600];
        snprintf(args, sizeof args, "run %s/../../%s --weights %s", FIXTURES, "assets/samples/chelsea.png", ts_path(files[i]));
        assert_int_equal(run(args), 1);
        snprintf(want, sizeof want, "alexscope: %s: ", ts_path(files[i]));
        if (!strstr(err, want)) fail_msg("%s: stderr was: %s", files[i], err);
    }
}

static void test_run_cat_builtin(void **st)
{
    (void)st;
    char args[1024];
    snprintf(args, sizeof args, "run %s/../../assets/samples/chelsea.png --top 3 --verbose", FIXTURES);
    assert_int_equal(run(args), 0);
    assert_non_null(strstr(out, "untrained"));
    assert_non_null(strstr(out, " 1. "));
    assert_non_null(strstr(out, " 3. "));
    assert_null(strstr(out, " 4. "));
    assert_non_null(strstr(err, "BGR"));
    /* chelsea.png is 451×300: Caffe warps it to 256×256 and crops at (256 − 227) / 2 = 14 */
    assert_non_null(strstr(err, "resize: 451×300 warped to 256×256 (aspect not kept), centre crop 227×227 at x 14, y 14"));
    assert_non_null(strstr(err, "ilsvrc_2012_mean: 104.007, 116.669, 122.679, BGR"));
    static const struct {
        const char *opts, *want;
    } resized[] = {
        /* the shorter side: int(256 · 451 / 300) = 384, (384 − 227) / 2 = 78 */
        {"--resize short", "resize: 451×300, shorter side to 256: 384×256 (aspect kept), centre crop 227×227 at x 78, y 14"},
        /* alexnet-tv keeps torchvision's shorter side: (384 − 224) / 2 = 80, (256 − 224) / 2 = 16 */
        {"--arch alexnet-tv", "resize: 451×300, shorter side to 256: 384×256 (aspect kept), centre crop 224×224 at x 80, y 16"},
    };
    for (size_t i = 0; i < sizeof resized / sizeof *resized; i++) {
        snprintf(args, sizeof args, "run %s/../../assets/samples/chelsea.png --top 1 --verbose %s", FIXTURES, resized[i].opts);
        assert_int_equal(run(args), 0);
        if (!strstr(err, resized[i].want)) fail_msg("%s: stderr lacks '%s': %s", resized[i].opts, resized[i].want, err);
    }
    snprintf(args, sizeof args, "run %s/../../assets/samples/chelsea.png --resize squash", FIXTURES);
    assert_int_equal(run(args), 2);
    assert_non_null(strstr(err, "--resize is warp or short, not 'squash'"));
    snprintf(args, sizeof args, "run %s/../../assets/samples/chelsea.png --json --mirror", FIXTURES);
    assert_int_equal(run(args), 0);
    assert_non_null(strstr(out, "\"trained\": false"));
}

static void test_dump_and_convert(void **st)
{
    (void)st;
    char args[2048], path[1024];
    snprintf(args, sizeof args, "dump %s/../../assets/samples/coffee.png --layer all --out %s/dump --arch lenet5", FIXTURES, ts_dir());
    assert_int_equal(run(args), 0);
    const char *layers[] = {"conv1", "tanh1", "pool2", "fc5", "prob"};
    for (size_t i = 0; i < sizeof layers / sizeof *layers; i++) {
        snprintf(path, sizeof path, "%s/dump/%s.npy", ts_dir(), layers[i]);
        assert_int_equal(access(path, R_OK), 0);
    }
    /* the dumped input of a layer goes back in through --input-npy: lenet5's input is 1×32×32,
       so save the built-in weights once and dump conv1 from a tensor */
    snprintf(args, sizeof args, "convert --arch lenet5 --weights %s/none.safetensors --save-weights %s/l.safetensors", ts_dir(), ts_dir());
    assert_int_equal(run(args), 1); /* a missing weight file */
    snprintf(args, sizeof args, "dump --input-npy %s/dump/conv1.npy --layer conv1 --out %s/d2 --arch lenet5", ts_dir(), ts_dir());
    assert_int_equal(run(args), 1); /* 6×28×28 is not lenet5's 1×32×32 input */
    assert_non_null(strstr(err, "conv1.npy"));
    snprintf(args, sizeof args, "dump %s/../../assets/samples/coffee.png --layer conv9 --out %s/d3", FIXTURES, ts_dir());
    assert_int_equal(run(args), 2);
    assert_non_null(strstr(err, "conv9"));
    assert_non_null(strstr(err, "known: conv1"));
}

static void test_export_pngs(void **st)
{
    (void)st;
    char args[2048];
    snprintf(args, sizeof args, "export %s/../../assets/samples/chelsea.png --layer conv1 --out %s/png --arch alexnet-tv", FIXTURES, ts_dir());
    assert_int_equal(run(args), 0);
    assert_int_equal(access(ts_path("png/conv1_grid.png"), R_OK), 0);
    assert_int_equal(access(ts_path("png/conv1_filters.png"), R_OK), 0);
    assert_int_equal(access(ts_path("png/conv1_c063.png"), R_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_text),       cmocka_unit_test(test_summary_allocates_no_activations),
        cmocka_unit_test(test_summary_csv_json),
        cmocka_unit_test(test_usage_errors_exit_2), cmocka_unit_test(test_help_everywhere),
        cmocka_unit_test(test_bad_images_exit_1),  cmocka_unit_test(test_bad_image_fixtures),
        cmocka_unit_test(test_bad_weights_exit_1), cmocka_unit_test(test_run_cat_builtin),
        cmocka_unit_test(test_dump_and_convert),   cmocka_unit_test(test_export_pngs),
    };
    return cmocka_run_group_tests(tests, setup, ts_teardown);
}
