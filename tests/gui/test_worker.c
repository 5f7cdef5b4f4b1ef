/* test_ui_worker.c - the window's worker in its synchronous mode (every job runs inside the
   call that queues it): built-in weights, an image computed to a target layer (the same
   numbers as a direct net run), the hand-over in worker_sync, failing jobs that keep the
   previous model, out of memory on a request and inside a job, a lesson narration, and one
   short run of the real thread. LeNet-5 keeps it fast. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui_lesson.h"
#include "worker.h"

static char chelsea[1024];

static int setup(void **state)
{
    const char *assets = getenv("ALEXSCOPE_ASSETS");
    snprintf(chelsea, sizeof chelsea, "%s/samples/chelsea.png", assets ? assets : FIXTURES "/../../assets");
    return 0;
}

/* Every note waiting, the last one in *last; returns how many. */
static int sync_all(Worker *wk, UiModel *m, UiNote *last)
{
    UiNote n;
    int count = 0;
    while (worker_sync(wk, m, &n)) *last = n, count++;
    return count;
}

/* The input and the first k layers of lenet5 on chelsea.png, computed directly. */
static Net *direct_run(Weights *w, int mirror, int k)
{
    Err e = {0};
    const ArchSpec *a = &arch_lenet5;
    assert_int_equal(weights_builtin(a, WEIGHTS_DEFAULT_SEED, w, &e), 0);
    Image im;
    assert_int_equal(img_load(chelsea, &im, &e), 0);
    float x[32 * 32];
    assert_int_equal(img_prepare(&im, &a->preproc, 32, 32, mirror, -1, x, NULL, &e), 0);
    img_free(&im);
    Net *n = net_create(a, w, &e);
    assert_non_null(n);
    net_set_input(n, x);
    assert_int_equal(net_run_to(n, k, &e), k);
    return n;
}

/* A synchronous worker with lenet5's built-in weights, chelsea.png (image 1: yes) and
   target layers computed; every note read. */
static Worker *start_lenet(UiModel *m, int image, int target)
{
    Err e = {0};
    Worker *wk = worker_start(0, &e);
    assert_non_null(wk);
    worker_weights(wk, "builtin", &arch_lenet5);
    if (image) worker_image(wk, chelsea, 0);
    worker_target(wk, target);
    UiNote n;
    while (worker_sync(wk, m, &n)) assert_false(n.error);
    return wk;
}

static void assert_same_run(const UiModel *m, const Net *d, int k)
{
    assert_memory_equal(m->net->input, d->input, sizeof(float) * 32 * 32);
    for (int i = 0; i < k; i++) {
        assert_true(m->net->run[i].computed);
        assert_memory_equal(m->net->run[i].out_data, d->run[i].out_data,
                            sizeof(float) * (size_t)shape_count(d->plan.layers[i].out));
    }
    assert_false(m->net->run[k].computed); /* no further than asked */
}

/* m's input and first k layers equal a direct run of chelsea.png (mirrored or not). */
static void assert_as_direct(const UiModel *m, int mirror, int k)
{
    Weights w;
    Net *d = direct_run(&w, mirror, k);
    assert_same_run(m, d, k);
    net_free(d);
    weights_free(&w);
}

static void test_builtin_weights(void **state)
{
    Err e = {0};
    Worker *wk = worker_start(0, &e);
    assert_non_null(wk);
    UiModel m = {0};
    worker_weights(wk, "builtin", &arch_lenet5);
    assert_null(m.net); /* nothing changes before the sync */
    UiNote n = {0};
    assert_int_equal(sync_all(wk, &m, &n), 0); /* built-in weights: no note */
    assert_ptr_equal(m.arch, &arch_lenet5);
    assert_non_null(m.net);
    assert_ptr_equal(m.weights, &m.model->weights);
    assert_false(m.weights->trained);
    assert_int_equal(m.net_gen, 1);
    assert_int_equal(m.ready, 0);
    assert_false(m.has_input);
    assert_false(m.busy);
    assert_false(worker_busy(wk));
    worker_stop(wk);
    ui_model_free(&m);
}

static void test_image_and_compute(void **state)
{
    Err e = {0};
    Worker *wk = worker_start(0, &e);
    UiModel m = {0};
    UiNote n = {0};
    worker_weights(wk, "builtin", &arch_lenet5);
    worker_image(wk, chelsea, 0);
    worker_target(wk, 4);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_false(n.error);
    /* lenet5 keeps the aspect: int(32 · 451 / 300) = 48, (48 − 32) / 2 = 8 */
    assert_non_null(strstr(n.text, "Opened chelsea.png: 451×300, shorter side to 32: 48×32 (aspect kept), centre crop 32×32 at x 8, y 0"));
    assert_string_equal(m.image_name, "chelsea.png");
    assert_int_equal(m.orig_w, 451);
    assert_int_equal(m.orig_h, 300);
    assert_int_equal(m.photo.w, 451);          /* under 1024 px: the photo as it is */
    assert_int_equal(m.crop.w, 32);
    assert_int_equal(m.crop.h, 32);
    assert_int_equal(m.ready, 4);
    assert_true(m.has_input);
    assert_int_equal(m.image_gen, 1);

    assert_as_direct(&m, 0, 4);

    /* mirror: the same photo flipped, every layer computed again */
    unsigned gen = m.data_gen;
    worker_image(wk, NULL, 1);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_non_null(strstr(n.text, "Mirror on"));
    assert_true(m.mirror);
    assert_int_equal(m.image_gen, 2);
    assert_true(m.data_gen != gen);
    assert_int_equal(m.ready, 4);
    assert_as_direct(&m, 1, 4);
    worker_stop(wk);
    ui_model_free(&m);
}

static void test_failing_jobs(void **state)
{
    Err e = {0};
    UiModel m = {0};
    UiNote n = {0};
    Worker *wk = start_lenet(&m, 1, 2);
    Net *net = m.net;

    worker_image(wk, "/nonexistent/cat.png", 0);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_true(n.error);
    assert_non_null(strstr(n.text, "/nonexistent/cat.png"));
    assert_non_null(strstr(n.text, "Keeping the previous image."));
    assert_string_equal(m.image_name, "chelsea.png");
    assert_int_equal(m.image_gen, 1);
    assert_int_equal(m.ready, 2);

    worker_weights(wk, FIXTURES "/bad/random.bin", NULL);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_true(n.error);
    assert_non_null(strstr(n.text, "random.bin"));
    assert_non_null(strstr(n.text, "Keeping the previous weights."));
    assert_ptr_equal(m.net, net);
    assert_ptr_equal(m.arch, &arch_lenet5);
    assert_int_equal(m.net_gen, 1);
    assert_int_equal(m.ready, 2);
    worker_stop(wk);
    ui_model_free(&m);

    /* a bad first file: the built-in weights of the arch asked for, so the window works */
    wk = worker_start(0, &e);
    worker_weights(wk, FIXTURES "/bad/random.bin", &arch_lenet5);
    assert_true(worker_sync(wk, &m, &n));
    assert_true(n.error);
    assert_non_null(strstr(n.text, "Keeping the previous weights."));
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_false(n.error);
    assert_non_null(strstr(n.text, "Weights: built-in"));
    assert_ptr_equal(m.arch, &arch_lenet5);
    assert_false(m.weights->trained);
    worker_stop(wk);
    ui_model_free(&m);
}

static void test_out_of_memory(void **state)
{
    UiModel m = {0};
    UiNote n = {0};
    Worker *wk = start_lenet(&m, 0, 2);

    /* the request itself: refused, nothing left queued, the worker not stuck */
    worker_set_alloc_fail(wk, 1);
    worker_image(wk, chelsea, 0);
    assert_false(worker_busy(wk));
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_true(n.error);
    assert_non_null(strstr(n.text, "Out of memory"));
    assert_non_null(strstr(n.text, "load image"));
    assert_false(m.busy);
    assert_false(m.has_input);

    /* inside the job (the input tensor, after the request's own copy): the image is refused */
    worker_set_alloc_fail(wk, 2);
    worker_image(wk, chelsea, 0);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_true(n.error);
    assert_non_null(strstr(n.text, "out of memory for the input tensor"));
    assert_int_equal(m.image_gen, 0);
    assert_false(worker_busy(wk));

    /* an export refused for memory frees the screen it was given */
    WorkerExport x = {.layer = 0};
    snprintf(x.dir, sizeof x.dir, "/tmp/never-written");
    x.screen.w = x.screen.h = 1;
    x.screen.px = malloc(3);
    worker_set_alloc_fail(wk, 1);
    worker_export(wk, &x);
    assert_null(x.screen.px);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_non_null(strstr(n.text, "export"));

    /* and then everything works again */
    worker_image(wk, chelsea, 0);
    assert_int_equal(sync_all(wk, &m, &n), 1);
    assert_false(n.error);
    assert_int_equal(m.ready, 2);
    worker_stop(wk);
    ui_model_free(&m);
}

static void test_narration(void **state)
{
    const char *text = "title: T\narch: lenet5\n\n--- One\nlayer: conv1\nLeNet starts with {conv1.out_c} kernels.\n";
    Lesson ls;
    Err e = {0};
    assert_int_equal(lesson_parse(text, "t.lesson", &ls, &e), 0);
    Worker *wk = worker_start(0, &e);
    UiModel m = {0};
    UiNote n = {0};
    worker_weights(wk, "builtin", &arch_lenet5);
    worker_image(wk, chelsea, 0);
    worker_narrate(wk, ui_lesson_one_step(&ls, 0), 1, 7, NULL);
    sync_all(wk, &m, &n);
    assert_int_equal(m.narration_tag, 7);
    assert_false(m.narration_error);
    assert_string_equal(m.narration, "LeNet starts with 6 kernels.");
    assert_int_equal(m.ready, 1); /* computed as far as the narration needs */
    worker_stop(wk);
    ui_model_free(&m);
    lesson_free(&ls);
}

/* The real thread: the same result as the synchronous mode, some frames later. */
static void test_threaded(void **state)
{
    Err e = {0};
    Worker *wk = worker_start(1, &e);
    assert_non_null(wk);
    UiModel m = {0};
    UiNote n = {0};
    worker_weights(wk, "builtin", &arch_lenet5);
    worker_image(wk, chelsea, 0);
    worker_target(wk, 3);
    for (int i = 0; i < 2000 && (worker_busy(wk) || m.ready < 3); i++) { /* at most 20 s */
        sync_all(wk, &m, &n);
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    sync_all(wk, &m, &n);
    assert_int_equal(m.ready, 3);
    assert_as_direct(&m, 0, 3);
    worker_stop(wk);
    ui_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_weights), cmocka_unit_test(test_image_and_compute),
        cmocka_unit_test(test_failing_jobs),    cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_narration),       cmocka_unit_test(test_threaded),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
