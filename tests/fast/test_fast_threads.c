/* test_fast_threads.c - the fast engine's own threads (fast_pool.h) and the way each layer is
   split between them.

   The pool: every part of every job runs exactly once, on a thread in range, and its writes
   are visible when fpool_run returns, for 1, 2, 3 and 5 threads, with jobs back to back
   (the workers spinning) and with pauses longer than the spin (the workers asleep).
   The engine: with 1, 2 and 3 threads, at batch 1, 2 and 3 (so the (image, group) units
   share out evenly, or are cut into column pieces), every layer of a network with a strided
   grouped padded convolution (im2row), a 1×1 convolution, a 3×3 one (im2col), LRN, pooling,
   fc and softmax on a non-square input agrees with the naive loops to 1e-4; two runs at the
   same thread count give the same bits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arch_table.h"
#include "fast.h"
#include "fast_pool.h"
#include "golden.h"
#include "rng.h"

/* ---- the pool ------------------------------------------------------------------------ */

#define MAX_PARTS 8

typedef struct {
    int runs[MAX_PARTS];      /* how often each part ran in this job */
    int bad_thread, bad_n;
    atomic_int total;         /* over all jobs */
    long sum[MAX_PARTS];      /* plain writes the caller must see */
} Record;

static void record_part(void *ctx, int part, int nparts, int thread)
{
    Record *r = ctx;
    if (thread < 0 || thread >= nparts) r->bad_thread = 1;
    if (nparts > MAX_PARTS) {
        r->bad_n = 1;
        return;
    }
    r->runs[part]++;
    for (int i = 0; i < 1000; i++) r->sum[part] += i; /* a little work */
    atomic_fetch_add(&r->total, 1);
}

static void pause_us(long us)
{
    struct timespec ts = {0, us * 1000};
    nanosleep(&ts, NULL);
}

static void check_pool(int threads, int jobs, long pause)
{
    FastPool *p = fpool_create(threads);
    assert_non_null(p);
    assert_int_equal(fpool_threads(p), threads);
    Record r;
    memset(&r, 0, sizeof r);
    atomic_init(&r.total, 0);
    for (int j = 0; j < jobs; j++) {
        memset(r.runs, 0, sizeof r.runs);
        memset(r.sum, 0, sizeof r.sum);
        fpool_run(p, record_part, &r);
        for (int t = 0; t < threads; t++) {
            if (r.runs[t] != 1) fail_msg("%d threads, job %d: part %d ran %d times", threads, j, t, r.runs[t]);
            assert_int_equal(r.sum[t], 999L * 1000 / 2);
        }
        if (pause) pause_us(pause);
    }
    assert_false(r.bad_thread || r.bad_n);
    assert_int_equal(atomic_load(&r.total), jobs * threads);
    fpool_free(p);
}

static void test_pool(void **state)
{
    int counts[] = {1, 2, 3, 5};
    for (int i = 0; i < 4; i++) {
        check_pool(counts[i], 500, 0);    /* back to back: spinning workers */
        check_pool(counts[i], 10, 1000);  /* 1 ms apart: sleeping workers */
    }
    fpool_free(fpool_create(2)); /* never run: no thread to join */
    fpool_free(NULL);
}

static void test_range(void **state)
{
    long a, b, prev = 0;
    for (int t = 0; t < 3; t++) { /* 10 in 3: 3, 3, 4, contiguous */
        fpool_range(10, t, 3, &a, &b);
        assert_int_equal(a, prev);
        assert_int_equal(b - a, t == 2 ? 4 : 3);
        prev = b;
    }
    fpool_range(1, 0, 2, &a, &b);
    assert_true(a == 0 && b == 0);
    fpool_range(1, 1, 2, &a, &b);
    assert_true(a == 0 && b == 1);
}

/* ---- the engine, split --------------------------------------------------------------- */

/* 4×11×9 → conv k5 s3 p2 g2 (im2row) 6×4×3 → ReLU → conv 1×1 → LRN 5 → conv k3 p1 (im2col)
   10×4×3 → max 2/2 ceil → 10×2×2 → fc 7 → softmax */
static const LayerSpec split_layers[] = {
    CONV("cs3", NULL, 6, 5, 3, 2, 2), RELU("relu1"), CONV("c1x1", NULL, 4, 1, 1, 0, 1),
    LRN("norm"), CONV("c3", NULL, 10, 3, 1, 1, 1), RELU("relu2"), MAXPOOL("pool", 2, 2, 1),
    FC("fc", NULL, 7), SOFTMAX("prob"),
};
static const ArchSpec arch_split = {
    .name = "split", .title = "the layer splits", .input = {4, 11, 9},
    .nlayers = COUNT(split_layers), .layers = split_layers,
};

static void fill_normal(float *v, long n, uint64_t seed, float scale)
{
    uint64_t st = seed;
    for (long i = 0; i < n; i++) v[i] = scale * rng_normal(&st);
}

/* Runs x (batch images) at `threads`; copies every layer's outputs to out[i]. */
static void run_fast(const Weights *w, const float *x, int batch, int threads, float **out)
{
    Err e = {0};
    fast_set_threads(threads);
    FastNet *f = fast_create(&arch_split, w, batch, &e);
    fast_set_threads(0);
    if (!f) fail_msg("%s", e.msg);
    assert_int_equal(fast_run(f, x, batch, arch_split.nlayers, &e), 0);
    Plan p;
    assert_int_equal(plan_build(&arch_split, &p, &e), 0);
    for (int i = 0; i < arch_split.nlayers; i++)
        memcpy(out[i], fast_layer_output(f, i), sizeof(float) * (size_t)(shape_count(p.layers[i].out) * batch));
    fast_free(f);
}

static void test_split_agrees(void **state)
{
    enum { MAXB = 3 };
    Err e = {0};
    Weights w;
    assert_int_equal(weights_alloc(&arch_split, &w, &e), 0);
    for (int i = 0; i < arch_split.nlayers; i++) {
        fill_normal(w.l[i].w, w.l[i].nw, 11 + i, 0.5f);
        fill_normal(w.l[i].b, w.l[i].nb, 31 + i, 0.5f);
    }
    long in_count = shape_count(arch_split.input);
    float *x = malloc(sizeof(float) * (size_t)(in_count * MAXB));
    assert_non_null(x);
    fill_normal(x, in_count * MAXB, 5, 1.0f);
    Net *naive[MAXB];
    for (int b = 0; b < MAXB; b++) {
        naive[b] = net_create(&arch_split, &w, &e);
        assert_non_null(naive[b]);
        net_set_input(naive[b], x + b * in_count);
        assert_int_equal(net_forward(naive[b], &e), arch_split.nlayers);
    }
    float *out[COUNT(split_layers)], *again[COUNT(split_layers)];
    for (int i = 0; i < arch_split.nlayers; i++) {
        size_t n = (size_t)shape_count(naive[0]->plan.layers[i].out) * MAXB;
        assert_true((out[i] = malloc(sizeof(float) * n)) && (again[i] = malloc(sizeof(float) * n)));
    }
    for (int threads = 1; threads <= 3; threads++)
        for (int batch = 1; batch <= MAXB; batch++) {
            run_fast(&w, x, batch, threads, out);
            run_fast(&w, x, batch, threads, again);
            for (int i = 0; i < arch_split.nlayers; i++) {
                long count = shape_count(naive[0]->plan.layers[i].out);
                if (memcmp(out[i], again[i], sizeof(float) * (size_t)(count * batch)) != 0)
                    fail_msg("%d threads, batch %d: %s differs between two runs", threads, batch,
                             split_layers[i].name);
                for (int b = 0; b < batch; b++) {
                    double err = golden_rel_error(out[i] + b * count, naive[b]->run[i].out_data, count);
                    if (!(err <= GOLDEN_TOLERANCE))
                        fail_msg("%d threads, batch %d, item %d: %s relative error %.3g", threads, batch, b,
                                 split_layers[i].name, err);
                }
            }
        }
    for (int i = 0; i < arch_split.nlayers; i++) free(out[i]), free(again[i]);
    for (int b = 0; b < MAXB; b++) net_free(naive[b]);
    free(x);
    weights_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_split_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
