/* make_seeds.c - writes the weight-file seeds of the fuzz corpora (tests/fuzz/corpus/
   {safetensors,onnx,caffemodel,pb,pth}/) with the test suite's writers (wfile_writer.h):
   the tiny test arch in every variant the readers accept, and LeNet-5 in bfloat16 so that
   inferring the arch from a file is reached too. The files are committed; run it again
   only when the writers change:

       cmake --build build-fuzz --target fuzz_make_seeds && build-fuzz/fuzz_make_seeds tests/fuzz/corpus

   (make_seeds.py writes the other corpora.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "support.h"
#include "wfile_writer.h"

static const char *dir;

static const char *out(const char *sub, const char *name)
{
    static char path[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s/%s", dir, sub, name);
    return path[k];
}

static void safetensors(const Weights *tiny, const Weights *lenet)
{
    static const char *const f32[] = {"F32", NULL}, *const mixed[] = {"F16", "BF16", "F64", "F32", NULL},
                             *const bf16[] = {"BF16", NULL};
    st_from(out("safetensors", "tiny-f32"), &arch_tiny, tiny, 0, f32, NULL);
    st_from(out("pth", "safetensors-tiny"), &arch_tiny, tiny, 0, f32, NULL);
    st_from(out("safetensors", "tiny-mixed-alias"), &arch_tiny, tiny, 1, mixed,
            "{\"arch\":\"tiny\",\"source\":\"seed\",\"trained_on\":\"fuzz \\u00e9\"}");
    st_from(out("safetensors", "tiny-module"), &arch_tiny, tiny, 2, bf16, NULL);
    st_from(out("safetensors", "lenet5-bf16"), &arch_lenet5, lenet, 1, bf16, "{\"arch\":\"lenet5\"}");
}

static void onnx(const Weights *tiny)
{
    static const OxOpts opts[] = {
        {OX_RAW, FC_MATMUL, 0, 0}, {OX_FLOAT_DATA, FC_GEMM_TB, 0, 0}, {OX_UNPACKED, FC_GEMM, 0, 1},
        {OX_F16, FC_GEMM_TB, 1, 0}, {OX_BF16, FC_MATMUL, 0, 1}, {OX_F16_INT32, FC_GEMM, 0, 0},
        {OX_DOUBLE, FC_GEMM_TB, 1, 1},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "tiny-%zu", i);
        ox_file(out("onnx", name), &arch_tiny, tiny, &opts[i]);
        if (i < 2) ox_file(out("pb", name), &arch_tiny, tiny, &opts[i]);
        if (i == 0) ox_file(out("pth", "onnx-tiny"), &arch_tiny, tiny, &opts[i]);
    }
}

static void caffe(const Weights *tiny)
{
    cf_file(out("caffemodel", "tiny-v2"), &arch_tiny, tiny, 0, 0);
    cf_file(out("caffemodel", "tiny-v1"), &arch_tiny, tiny, 1, 0);
    cf_file(out("caffemodel", "tiny-v2-renamed"), &arch_tiny, tiny, 0, 1);
    cf_file(out("pb", "caffe-v1"), &arch_tiny, tiny, 1, 0);
    cf_file(out("pth", "caffe-tiny"), &arch_tiny, tiny, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_make_seeds CORPUS_DIR (tests/fuzz/corpus)\n");
        return 2;
    }
    dir = argv[1];
    static const char *const subs[] = {"safetensors", "onnx", "caffemodel", "pb", "pth"};
    for (int i = 0; i < 5; i++) mkdir(out(subs[i], ""), 0755);
    Weights tiny, lenet;
    fill_ref(&arch_tiny, &tiny);
    fill_ref(&arch_lenet5, &lenet);
    safetensors(&tiny, &lenet);
    onnx(&tiny);
    caffe(&tiny);
    weights_free(&tiny);
    weights_free(&lenet);
    return 0;
}
