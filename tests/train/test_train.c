/* test_train.c - training LeNet-5: the data become exactly what model_prepare makes of the
   same picture as a PNG; one SGD step matches the formula worked by hand; a short run on a
   made-up two-class set lowers the loss and learns it; the same seed gives the same bytes;
   the confusion matrix adds up; the shipped weights reach 90 % on Fashion-MNIST (skipped
   without the data set). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "support.h"
#include "train.h"
#include "wfile.h"

#define FASHION "/usr/share/datasets/fashion-mnist"

static int have_fashion(void) { return access(FASHION "/t10k-images-idx3-ubyte.gz", R_OK) == 0; }

/* A Model for lenet5's preprocessing without loading any weights. */
static Model lenet_model(void)
{
    Model m;
    memset(&m, 0, sizeof m);
    m.arch = &arch_lenet5, m.preproc = arch_lenet5.preproc;
    return m;
}

/* n made-up 28×28 images of two classes: 0 the upper half bright, 1 the lower half, with noise. */
static void synthetic(IdxSet *s, int n, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->n = n, s->h = s->w = 28, s->classes = 2;
    s->pixels = malloc((size_t)n * 28 * 28);
    s->labels = malloc((size_t)n);
    assert_non_null(s->pixels);
    assert_non_null(s->labels);
    uint64_t st = seed;
    for (int i = 0; i < n; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        int c = i % 2, phase = (int)(st >> 33 & 3);
        s->labels[i] = (unsigned char)c;
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++) {
                int on = c ? y >= 14 - phase : y < 14 + phase; /* the lower or the upper half */
                st = st * 6364136223846793005ull + 1442695040888963407ull;
                s->pixels[((size_t)i * 28 + y) * 28 + x] = (unsigned char)(on ? 160 + (st >> 59) : st >> 60);
            }
    }
    snprintf(s->source, sizeof s->source, "synthetic");
}

/* ---- data ---------------------------------------------------------------------------- */

/* The 28×28 image i of s on a black border as a 32×32 RGB picture, through model_prepare. */
static void prepared_as_png(const IdxSet *s, int i, int mirror, float *x)
{
    Image im;
    Err e = {0};
    assert_int_equal(img_alloc(&im, 32, 32, &e), 0);
    memset(im.px, 0, 32 * 32 * 3);
    for (int y = 0; y < 28; y++)
        for (int c = 0; c < 28; c++)
            memset(im.px + ((size_t)(y + 2) * 32 + c + 2) * 3, s->pixels[((size_t)i * 28 + y) * 28 + c], 3);
    Model m = lenet_model();
    assert_int_equal(model_prepare(&m, &im, mirror, -1, x, NULL, NULL, &e), 0);
    img_free(&im);
}

static void test_data_equals_model_prepare(void **state)
{
    (void)state;
    IdxSet s;
    synthetic(&s, 4, 7);
    float lut[256], a[1024], b[1024];
    Err e = {0};
    assert_int_equal(train_data_lut(&arch_lenet5.preproc, lut, &e), 0);
    assert_true(lut[0] == -1.0f && lut[255] == 1.0f); /* (0/255 − 0.5)/0.5, (255/255 − 0.5)/0.5 */
    for (int i = 0; i < 4; i++)
        for (int mirror = 0; mirror < 2; mirror++) {
            train_data_image(&s, i, lut, mirror, a);
            prepared_as_png(&s, i, mirror, b);
            assert_memory_equal(a, b, sizeof a); /* bit for bit */
        }
    train_data_image(&s, 1, lut, 1, a);
    train_data_image(&s, 1, lut, 0, b);
    assert_true(a[5 * 32 + 2] == b[5 * 32 + 29] && a[5 * 32 + 2] != lut[0]); /* mirrored, border kept */
    idx_set_free(&s);
}

/* The PNGs in assets/fashion against the t10k images they were made from. */
static void test_fashion_pngs_equal_data(void **state)
{
    (void)state;
    if (!have_fashion()) skip();
    static const char *const names[] = {"0-t-shirt-top-test00019.png", "1-trouser-test00002.png",
                                        "5-sandal-test00008.png", "9-ankle-boot-test00000.png"};
    IdxSet te;
    Err e = {0};
    assert_int_equal(idx_load_split("fashion-mnist", "t10k", &te, &e), 0);
    float lut[256], a[1024], b[1024];
    assert_int_equal(train_data_lut(&arch_lenet5.preproc, lut, &e), 0);
    Model m = lenet_model();
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/assets/fashion/%s", SOURCE_DIR, names[k]);
        int idx = atoi(strstr(names[k], "test") + 4);
        assert_int_equal(te.labels[idx], names[k][0] - '0');
        train_data_image(&te, idx, lut, 0, a);
        assert_int_equal(model_image_input(&m, path, 0, -1, b, NULL, &e), 0);
        assert_memory_equal(a, b, sizeof a);
    }
    idx_set_free(&te);
}

static void test_subset_and_shuffle(void **state)
{
    (void)state;
    int a[50], b[50], seen[200] = {0};
    train_data_subset(200, 50, 3, a);
    train_data_subset(200, 50, 3, b);
    assert_memory_equal(a, b, sizeof a);
    for (int i = 0; i < 50; i++) {
        assert_true(a[i] >= 0 && a[i] < 200);
        assert_int_equal(seen[a[i]]++, 0); /* all different */
    }
    train_data_subset(200, 50, 4, b);
    assert_true(memcmp(a, b, sizeof a) != 0);
    int v[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sum = 0;
    train_data_shuffle(v, 10, 1);
    for (int i = 0; i < 10; i++) sum += v[i];
    assert_int_equal(sum, 45);
}

/* ---- SGD ------------------------------------------------------------------------------ */

static const LayerSpec one_fc[] = {{.kind = LK_FC, .name = "fc", .out = 1}};
static const ArchSpec arch_one = {.name = "one", .input = {1, 1, 1}, .nlayers = 1, .layers = one_fc};

static void test_sgd_step_by_hand(void **state)
{
    (void)state;
    Weights w, v;
    Grads g;
    Err e = {0};
    assert_int_equal(weights_alloc(&arch_one, &w, &e), 0);
    assert_int_equal(weights_alloc(&arch_one, &v, &e), 0);
    assert_int_equal(grads_alloc(&arch_one, &g, &e), 0);
    w.l[0].w[0] = 0.5f, v.l[0].w[0] = 0.1f, g.l[0].w[0] = 0.8f; /* g summed over a batch of 2 */
    w.l[0].b[0] = 0.2f, v.l[0].b[0] = -0.05f, g.l[0].b[0] = 0.4f;
    train_sgd_step(&w, &v, &g, 2, 0.1f, 0.9f, 0.01f);
    /* v = 0.9·0.1 − 0.1·(0.8/2 + 0.01·0.5) = 0.09 − 0.0405 = 0.0495; w = 0.5495 */
    assert_float_equal(v.l[0].w[0], 0.0495f, 1e-6);
    assert_float_equal(w.l[0].w[0], 0.5495f, 1e-6);
    /* biases: no decay. v = 0.9·(−0.05) − 0.1·0.4/2 = −0.065; b = 0.135 */
    assert_float_equal(v.l[0].b[0], -0.065f, 1e-6);
    assert_float_equal(w.l[0].b[0], 0.135f, 1e-6);
    /* a second step: momentum carries v */
    train_sgd_step(&w, &v, &g, 2, 0.1f, 0.9f, 0.01f);
    /* v = 0.9·0.0495 − 0.1·(0.4 + 0.01·0.5495) = 0.04455 − 0.04054950 = 0.0040005 */
    assert_float_equal(v.l[0].w[0], 0.0040005f, 1e-6);
    weights_free(&w), weights_free(&v), grads_free(&g);
}

static void test_lr_schedule(void **state)
{
    (void)state;
    TrainConfig c;
    train_config_default(&c);
    c.lr = 0.04f, c.lr_step = 3, c.lr_gamma = 0.5f;
    assert_float_equal(train_lr_at(&c, 1), 0.04f, 1e-9);
    assert_float_equal(train_lr_at(&c, 3), 0.04f, 1e-9);
    assert_float_equal(train_lr_at(&c, 4), 0.02f, 1e-9);
    assert_float_equal(train_lr_at(&c, 7), 0.01f, 1e-9);
}

/* ---- training ------------------------------------------------------------------------- */

/* A trainer on made-up sets of ntr and nte images, batch 8. */
static Trainer *small_trainer(IdxSet *tr, IdxSet *te, int ntr, int nte, float lr, float dropout)
{
    synthetic(tr, ntr, 1);
    synthetic(te, nte, 2);
    TrainConfig c;
    train_config_default(&c);
    c.batch = 8, c.lr = lr, c.dropout = dropout;
    Err e = {0};
    Trainer *t = trainer_create(&c, tr, te, &e);
    if (!t) fail_msg("%s", e.msg);
    return t;
}

static void test_short_run_learns(void **state)
{
    (void)state;
    IdxSet tr, te;
    Err e = {0};
    Trainer *t = small_trainer(&tr, &te, 128, 64, 0.02f, 0.25f);
    assert_int_equal(t->arch.nlayers, arch_lenet5.nlayers + 2); /* drop3, drop4 */
    TrainEpoch ep[3];
    for (int i = 0; i < 3; i++) assert_int_equal(trainer_epoch(t, &ep[i], &e), 0);
    assert_true(ep[0].train_loss > ep[2].train_loss);
    assert_true(ep[2].test_acc >= 0.9);
    /* the confusion matrix adds up to the count, its diagonal to the accuracy */
    TrainEval ev;
    assert_int_equal(train_evaluate(t->net, &te, t->lut, 0, te.n, &ev, &e), 0);
    long sum = 0, diag = 0;
    for (int i = 0; i < ev.classes; i++)
        for (int j = 0; j < ev.classes; j++) sum += ev.confusion[i][j], diag += i == j ? ev.confusion[i][j] : 0;
    assert_int_equal(ev.classes, 10);
    assert_int_equal(sum, te.n);
    assert_int_equal(ev.count, te.n);
    assert_float_equal(train_eval_accuracy(&ev), (double)diag / sum, 1e-12);
    assert_float_equal(train_eval_accuracy(&ev), ep[2].test_acc, 1e-12);
    trainer_free(t);
    idx_set_free(&tr), idx_set_free(&te);
}

/* A loss that is not a number stops the epoch with a message, and the step is not taken. */
static void test_nan_loss_stops(void **state)
{
    (void)state;
    IdxSet tr, te;
    Err e = {0};
    Trainer *t = small_trainer(&tr, &te, 32, 8, 0.05f, 0.0f);
    int fc5 = arch_layer_index(&arch_lenet5, "fc5");
    t->weights.l[fc5].b[3] = NAN;
    float conv1 = t->weights.l[0].w[0];
    TrainEpoch ep;
    assert_int_equal(trainer_epoch(t, &ep, &e), -1);
    assert_non_null(strstr(e.msg, "synthetic: the loss is ")); /* nan or infinite: softmax of a NaN */
    assert_non_null(strstr(e.msg, " at epoch 1, image 1 of the epoch: training diverged"));
    assert_non_null(strstr(e.msg, "last good step"));
    assert_true(t->weights.l[0].w[0] == conv1); /* no update from the bad batch */
    trainer_free(t);
    idx_set_free(&tr), idx_set_free(&te);
}

/* Trains one epoch on (tr, te) and writes the weights to path. */
static void train_once(const IdxSet *tr, const IdxSet *te, int subset, const char *path)
{
    TrainConfig c;
    train_config_default(&c);
    c.epochs = 1, c.subset = subset, c.mirror = 1, c.dropout = 0.5f, c.seed = 11, c.train_eval_max = 100;
    Err e = {0};
    Trainer *t = trainer_create(&c, tr, te, &e);
    if (!t) fail_msg("%s", e.msg);
    TrainEpoch ep;
    assert_int_equal(trainer_epoch(t, &ep, &e), 0);
    assert_int_equal(wfile_save_safetensors(path, &t->weights, &e), 0);
    trainer_free(t);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na, nb;
    unsigned char *pa = ts_slurp(a, &na), *pb = ts_slurp(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    free(pa), free(pb);
}

static void test_deterministic_synthetic(void **state)
{
    (void)state;
    IdxSet tr, te;
    synthetic(&tr, 96, 5);
    synthetic(&te, 16, 6);
    train_once(&tr, &te, 64, ts_path("a.safetensors"));
    train_once(&tr, &te, 64, ts_path("b.safetensors"));
    assert_same_file(ts_path("a.safetensors"), ts_path("b.safetensors"));
    idx_set_free(&tr), idx_set_free(&te);
}

/* The check: one epoch on a 1,000-image subset of Fashion-MNIST, twice. */
static void test_deterministic_fashion(void **state)
{
    (void)state;
    if (!have_fashion()) skip();
    IdxSet tr, te;
    Err e = {0};
    assert_int_equal(idx_load_split("fashion-mnist", "train", &tr, &e), 0);
    assert_int_equal(idx_load_split("fashion-mnist", "t10k", &te, &e), 0);
    IdxSet few = te;
    few.n = 100; /* a short test pass: the test images do not change the weights */
    train_once(&tr, &few, 1000, ts_path("c.safetensors"));
    train_once(&tr, &few, 1000, ts_path("d.safetensors"));
    assert_same_file(ts_path("c.safetensors"), ts_path("d.safetensors"));
    idx_set_free(&tr), idx_set_free(&te);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_equals_model_prepare),
        cmocka_unit_test(test_fashion_pngs_equal_data),
        cmocka_unit_test(test_subset_and_shuffle),
        cmocka_unit_test(test_sgd_step_by_hand),
        cmocka_unit_test(test_lr_schedule),
        cmocka_unit_test(test_short_run_learns),
        cmocka_unit_test(test_nan_loss_stops),
        cmocka_unit_test(test_deterministic_synthetic),
        cmocka_unit_test(test_deterministic_fashion),
    };
    return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
