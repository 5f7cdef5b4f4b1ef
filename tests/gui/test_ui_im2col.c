/* test_ui_im2col.c - the im2col view: which unit and columns it follows, its texts (sizes,
   MACs, the product beside the naive value, memory), the key, and whole frames at two
   window sizes with the matrices drawn from IMG_IM2COL and no text cut. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "ui_keys.h"
#include "ui_view_im2col.h"

static Weights weights;
static Net *net;

static int setup(void **ctx)
{
    (void)ctx;
    Err e = {0};
    if (weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &weights, &e) != 0) return -1;
    if (!(net = net_create(&arch_alexnet, &weights, &e))) return -1;
    long n = shape_count(arch_alexnet.input);
    float *x = malloc(sizeof(float) * (size_t)n);
    if (!x) return -1;
    uint64_t seed = 5;
    for (long i = 0; i < n; i++) x[i] = 100.0f * (rng_uniform(&seed) - 0.5f);
    net_set_input(net, x);
    free(x);
    /* through pool1, conv2's input (conv2 itself is not needed: the view computes its unit) */
    return net_run_to(net, arch_layer_index(&arch_alexnet, "conv2"), &e) > 0 ? 0 : -1;
}

static int teardown(void **ctx)
{
    (void)ctx;
    net_free(net);
    weights_free(&weights);
    return 0;
}

static void test_conv1_unit_and_texts(void **ctx)
{
    (void)ctx;
    UiIm2col S;
    UiUnit u = {1, 1, 5, 27, 27}; /* position 1 = conv1, filter 5, unit (27, 27) */
    assert_int_equal(ui_im2col_setup(net, &weights, net->input, 1, -1, &u, &S), 0);
    assert_true(S.z.rows == 363 && S.z.cols == 3025 && S.z.wrows == 96 && S.rgb);
    /* column 27·55 + 27 = 1,512; 25 columns enlarged around it (1,500..1,524), 5 windows (1,510..1,514) */
    assert_int_equal(S.column, 1512);
    assert_true(S.first == 1500 && S.count == 25 && S.win0 == 1510 && S.nwin == 5);
    assert_true(S.have_unit);
    float stored = net->run[0].out_data[(5 * 55 + 27) * 55 + 27];
    assert_true(fabsf(S.u.product - stored) <= 1e-5f * fmaxf(1.0f, fabsf(stored)));
    assert_true(fabsf(S.u.naive - stored) <= 1e-5f * fmaxf(1.0f, fabsf(stored)));

    UiLines L;
    ui_im2col_text(net, &S, &L);
    assert_int_equal(L.n, UI_IM2COL_NLINES);
    assert_string_equal(L.s[UI_IM2COL_SIZES], "W 96 × 363 · patches 363 × 3,025 → 96 × 3,025 → 55×55×96");
    assert_string_equal(L.s[UI_IM2COL_STACK], "");
    assert_string_equal(L.s[UI_IM2COL_MACS], "MACs 96 × 363 × 3,025 = 105,415,200 = the naive loops' 105,415,200");
    assert_string_equal(L.s[UI_IM2COL_PATCH], "patch matrix, columns 1,500–1,524");
    assert_non_null(strstr(L.s[UI_IM2COL_WINDOWS_CAP], "columns 1,510–1,514 as 11×11×3 windows"));
    assert_non_null(strstr(L.s[UI_IM2COL_PRODUCT], "row 5 · column 1,512 + b = "));
    assert_non_null(strstr(L.s[UI_IM2COL_NAIVE], "filter 5 at (27, 27) = "));
    /* 363·3,025·4 bytes = 4.2 MiB against 227·227·3·4 = 603.9 KiB: 7.1× */
    assert_string_equal(L.s[UI_IM2COL_MEMORY], "patch matrix 4.2 MiB for a 603.9 KiB input: 7.1×");
}

static void test_defaults_edges_and_refusals(void **ctx)
{
    (void)ctx;
    UiIm2col S;
    /* no unit: the channel's filter at the middle unit (27, 27) */
    assert_int_equal(ui_im2col_setup(net, &weights, NULL, 1, 7, NULL, &S), 0);
    assert_true(S.o == 7 && S.y == 27 && S.x == 27 && !S.have_unit);
    UiLines L;
    ui_im2col_text(net, &S, &L);
    assert_non_null(strstr(L.s[UI_IM2COL_PRODUCT], "not computed yet"));
    /* the corners keep the slice inside the matrix */
    UiUnit first = {1, 1, 0, 0, 0}, last = {1, 1, 0, 54, 54};
    assert_int_equal(ui_im2col_setup(net, &weights, net->input, 1, -1, &first, &S), 0);
    assert_true(S.column == 0 && S.first == 0 && S.win0 == 0);
    assert_int_equal(ui_im2col_setup(net, &weights, net->input, 1, -1, &last, &S), 0);
    assert_true(S.column == 3024 && S.first == 3000 && S.win0 == 3020);
    /* a unit of another position is not followed */
    UiUnit other = {1, 2, 9, 1, 1};
    assert_int_equal(ui_im2col_setup(net, &weights, net->input, 1, -1, &other, &S), 0);
    assert_true(S.o == 0 && S.y == 27);
    /* the input and relu1 are no convolutions */
    assert_int_equal(ui_im2col_setup(net, &weights, net->input, 0, -1, NULL, &S), -1);
    assert_int_equal(ui_im2col_setup(net, &weights, net->run[0].out_data, 2, -1, NULL, &S), -1);
}

static void test_conv2_groups(void **ctx)
{
    (void)ctx;
    int pos = arch_layer_index(&arch_alexnet, "conv2") + 1;
    UiIm2col S;
    /* filter 200 is in the second group (128 filters each), which reads channels 48..95 */
    assert_int_equal(ui_im2col_setup(net, &weights, net->run[pos - 2].out_data, pos, 200, NULL, &S), 0);
    assert_true(S.have_unit && S.u.group == 1 && !S.rgb);
    assert_true(fabsf(S.u.product - S.u.naive) <= 1e-5f * fmaxf(1.0f, fabsf(S.u.naive)));
    UiLines L;
    ui_im2col_text(net, &S, &L);
    assert_string_equal(L.s[UI_IM2COL_TITLE], "conv2 as 2 matrix products (im2col), group 2 of 2");
    assert_string_equal(L.s[UI_IM2COL_SIZES], "W 128 × 1,200 · patches 1,200 × 729 → 128 × 729");
    assert_string_equal(L.s[UI_IM2COL_STACK], "the 2 groups' products stacked → 27×27×256");
    assert_string_equal(L.s[UI_IM2COL_MACS],
                        "MACs 2 × 128 × 1,200 × 729 = 223,948,800 = the naive loops' 223,948,800");
    assert_non_null(strstr(L.s[UI_IM2COL_WINDOWS_CAP], "channel 0 of 48"));
    assert_string_equal(L.s[UI_IM2COL_MEMORY], "patch matrix 3.3 MiB for the group's 136.7 KiB input: 25.0×");
}

static void test_key_toggles(void **ctx)
{
    (void)ctx;
    assert_int_equal(ui_keys_action('i', 0), ACT_IM2COL);
    UiState st;
    ui_state_init(&st, net->nlayers);
    assert_int_equal(ui_apply(&st, ACT_IM2COL), 0);
    assert_true(st.im2col);
    ui_apply(&st, ACT_IM2COL);
    assert_false(st.im2col);
}

/* Whole frames: the view replaces the maps on conv1 and conv2, draws its matrices from
   IMG_IM2COL (inside the image) and cuts no text; on relu1 the maps come back. */
static void test_frames(void **ctx)
{
    (void)ctx;
    static const int sizes[][2] = {{1280, 720}, {1920, 1080}};
    UiModel m = {0};
    m.arch = &arch_alexnet, m.net = net, m.weights = &weights, m.has_input = 1;
    m.ready = arch_layer_index(&arch_alexnet, "conv2"); /* through pool1 */
    m.net_gen = m.data_gen = m.image_gen = 1;
    UiState st;
    ui_state_init(&st, net->nlayers);
    st.im2col = 1;
    UiImages im;
    ui_images_init(&im);
    DrawList dl;
    dl_init(&dl);
    UiLayout L;
    for (int s = 0; s < 2; s++)
        for (int pos = 1; pos <= m.ready + 1; pos++) { /* conv1 .. conv2 */
            ui_jump(&st, pos);
            Shape shapes[UI_MAX_POS];
            int npos = ui_view_shapes(&m, shapes, UI_MAX_POS);
            ui_layout(&L, sizes[s][0], sizes[s][1], 1.0f, shapes, npos, &dl);
            UiView v = {&st, &L, &m, &im, NULL, 0.0, 0.0, NULL};
            ui_view_images(&im, &v);
            dl_reset(&dl);
            ui_view_build(&dl, &v);
            int conv = net->plan.layers[pos - 1].spec->kind == LK_CONV, drawn = 0;
            assert_int_equal(ui_view_im2col_shown(&v), conv);
            for (int i = 0; i < dl.n; i++) {
                const DrawCmd *c = &dl.cmd[i];
                if (c->kind != DC_IMAGE || c->image != IMG_IM2COL) continue;
                drawn++;
                const UiImage *img = &im.img[IMG_IM2COL];
                assert_true(c->src.x >= 0 && c->src.y >= 0 && c->src.x + c->src.w <= img->w && c->src.y + c->src.h <= img->h);
            }
            /* slice, weights, thumbnail, 5 windows and the filter */
            if (conv) assert_int_equal(drawn, 3 + UI_IM2COL_WINDOWS + 1);
            else assert_int_equal(drawn, 0);
            if (conv) assert_int_equal(dl.nclip, 0);
        }
    dl_free(&dl);
    ui_images_free(&im);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv1_unit_and_texts), cmocka_unit_test(test_defaults_edges_and_refusals),
        cmocka_unit_test(test_conv2_groups),         cmocka_unit_test(test_key_toggles),
        cmocka_unit_test(test_frames),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
