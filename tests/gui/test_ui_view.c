/* test_ui_view.c - whole frames as draw commands (ui_view*.c) for every position, both
   themes and two window sizes, and picking / hover / click through the real layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "rng.h"
#include "ui_view.h"

static Weights weights;
static UiModel model;

static int setup(void **ctx)
{
    (void)ctx;
    Err e = {0};
    if (weights_builtin(&arch_alexnet, WEIGHTS_DEFAULT_SEED, &weights, &e) != 0) return -1;
    Net *net = net_create(&arch_alexnet, &weights, &e);
    if (!net) return -1;
    Shape s = arch_alexnet.input;
    size_t n = (size_t)s.c * s.h * s.w;
    float *x = malloc(n * sizeof *x);
    unsigned char *px = malloc(n), *ph = malloc(300 * 200 * 3);
    if (!x || !px || !ph) return -1;
    uint64_t seed = 3;
    for (size_t i = 0; i < n; i++) x[i] = 100.0f * (rng_uniform(&seed) - 0.5f), px[i] = (unsigned char)(i * 7);
    for (size_t i = 0; i < 300 * 200 * 3; i++) ph[i] = (unsigned char)(i * 13);
    net_set_input(net, x);
    free(x);
    if (net_forward(net, &e) < 0) return -1;
    model.arch = &arch_alexnet, model.net = net, model.weights = &weights;
    model.ready = net->nlayers, model.has_input = 1;
    model.crop = (Image){s.w, s.h, px};
    model.photo = (Image){300, 200, ph};
    model.orig_w = 300, model.orig_h = 200;
    model.box = (CropBox){.x = 40, .y = 0, .w = 200, .h = 200};
    strcpy(model.image_name, "test.png");
    model.image_gen = model.net_gen = model.data_gen = 1;
    return 0;
}

static int teardown(void **ctx)
{
    (void)ctx;
    net_free(model.net);
    weights_free(&weights);
    img_free(&model.crop);
    img_free(&model.photo);
    return 0;
}

typedef struct {
    UiState st;
    UiLayout L;
    UiImages im;
    DrawList dl;
    UiView v;
} Frame;

static void frame_build(Frame *f, int w, int h)
{
    Shape shapes[UI_MAX_POS];
    int npos = ui_view_shapes(&model, shapes, UI_MAX_POS);
    ui_layout(&f->L, w, h, f->st.zoom, shapes, npos, &f->dl);
    f->v = (UiView){&f->st, &f->L, &model, &f->im, NULL, 0.0, 0.0, NULL};
    ui_view_images(&f->im, &f->v);
    dl_reset(&f->dl);
    ui_view_build(&f->dl, &f->v);
}

static void frame_init(Frame *f)
{
    memset(f, 0, sizeof *f);
    ui_state_init(&f->st, model.net->nlayers);
    ui_images_init(&f->im);
    dl_init(&f->dl);
}

static void frame_free(Frame *f)
{
    ui_images_free(&f->im);
    dl_free(&f->dl);
}

static void check_commands(const Frame *f, int w, int h)
{
    int texts = 0, images = 0;
    for (int i = 0; i < f->dl.n; i++) {
        const DrawCmd *c = &f->dl.cmd[i];
        if (c->kind == DC_RECT || c->kind == DC_IMAGE) {
            assert_true(c->r.x >= -8 && c->r.y >= -8);
            assert_true(c->r.x + c->r.w <= w + 8 && c->r.y + c->r.h <= h + 8);
        }
        if (c->kind == DC_TEXT) {
            texts++;
            assert_true(c->r.x >= 0 && c->r.y >= 0 && c->r.y + c->px <= h);
            assert_true(c->px >= 6);
            assert_true(strlen(dl_str(&f->dl, c)) > 0);
        }
        if (c->kind == DC_IMAGE) {
            images++;
            const UiImage *im = &f->im.img[c->image];
            assert_true(im->key != 0);
            assert_true(c->src.x >= 0 && c->src.y >= 0 && c->src.x + c->src.w <= im->w && c->src.y + c->src.h <= im->h);
        }
    }
    assert_true(texts > 30);
    assert_true(images >= 2); /* at least the photo and the crop */
}

static void test_every_position(void **ctx)
{
    (void)ctx;
    static const int sizes[][2] = {{1280, 720}, {3840, 2160}};
    Frame f;
    frame_init(&f);
    for (int s = 0; s < 2; s++)
        for (int theme = 0; theme < THEME_COUNT; theme++)
            for (int pos = 0; pos <= model.net->nlayers; pos++) {
                f.st.theme = theme;
                ui_jump(&f.st, pos);
                frame_build(&f, sizes[s][0], sizes[s][1]);
                check_commands(&f, sizes[s][0], sizes[s][1]);
            }
    /* every card, the kernels, help and a message on conv2 */
    ui_jump(&f.st, arch_layer_index(&arch_alexnet, "conv2") + 1);
    f.st.kernels = 1, f.st.help = 1, f.st.channel = 3;
    ui_set_message(&f.st, 1, 0, 0, "x.png: not an image");
    for (int card = 0; card < CARD_COUNT; card++) {
        f.st.card = card;
        frame_build(&f, 1280, 720);
        check_commands(&f, 1280, 720);
    }
    assert_int_equal(f.im.kern_n, 48); /* conv2 filter 3: 48 slices of 5×5 */
    frame_free(&f);
}

static void test_atlas_cache(void **ctx)
{
    (void)ctx;
    Frame f;
    frame_init(&f);
    ui_jump(&f.st, arch_layer_index(&arch_alexnet, "conv3") + 1);
    frame_build(&f, 1920, 1080);
    uint64_t key = f.im.img[IMG_ATLAS].key;
    assert_int_equal(f.im.atlas_n, 384);
    frame_build(&f, 1920, 1080);
    assert_true(f.im.img[IMG_ATLAS].key == key); /* unchanged: no rebuild */
    ui_apply(&f.st, ACT_NORM);
    frame_build(&f, 1920, 1080);
    assert_true(f.im.img[IMG_ATLAS].key != key);
    UiGrid g;
    assert_true(ui_view_grid(&f.v, &g));
    assert_int_equal(g.n, 384);
    frame_free(&f);
}

static void test_picking(void **ctx)
{
    (void)ctx;
    Frame f;
    frame_init(&f);
    ui_jump(&f.st, 1); /* conv1 */
    frame_build(&f, 1280, 720);
    UiGrid g;
    assert_true(ui_view_grid(&f.v, &g));
    UiRect t = ui_grid_tile(&g, 17);
    ui_hover(&f.st, &f.v, t.x + 1, t.y + 1);
    assert_true(f.st.hover.valid);
    assert_int_equal(f.st.hover.c, 17);
    assert_non_null(strstr(f.st.status, "channel 17"));
    int fx = ui_click(&f.st, &f.v, t.x + 1, t.y + 1);
    assert_int_equal(fx, 0);
    assert_int_equal(f.st.channel, 17);
    assert_true(f.st.unit.valid);
    assert_int_equal(f.st.card, CARD_MATH); /* conv1 has a dot product to show */
    /* the strip: click fc6's box */
    int fc6 = arch_layer_index(&arch_alexnet, "fc6") + 1;
    UiRect b = f.L.box[fc6];
    fx = ui_click(&f.st, &f.v, b.x + b.w / 2, b.y + b.h / 2);
    assert_int_equal(fx, UI_FX_RUN);
    assert_int_equal(f.st.pos, fc6);
    frame_build(&f, 1280, 720);
    assert_false(ui_view_grid(&f.v, &g)); /* a vector has no tiles */
    /* a button */
    UiRect nb = {0, 0, 0, 0};
    for (int i = 0; i < f.L.nbutton; i++)
        if (f.L.button[i].action == ACT_NEXT) nb = f.L.button[i].r;
    fx = ui_click(&f.st, &f.v, nb.x + 2, nb.y + 2);
    assert_int_equal(fx, UI_FX_RUN);
    assert_int_equal(f.st.pos, fc6 + 1);
    frame_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_position), cmocka_unit_test(test_atlas_cache), cmocka_unit_test(test_picking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
