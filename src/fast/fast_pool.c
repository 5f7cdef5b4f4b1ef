/* fast_pool.c - the fast engine's threads (see fast_pool.h).

   A job is published as a ticket, (generation << 32) | next part, under the mutex, with a
   broadcast on `wake`: a spinning worker sees the new generation at once, a sleeping one is
   woken. Every thread, the caller first, then claims parts by advancing the ticket with a
   compare-and-swap that also checks the generation (so a worker that comes late can never
   claim a part of the next job), and counts each part it finishes in `finished`; the caller
   waits for all n. Both sides spin for SPIN_NS before they sleep: a forward pass is ~25 jobs
   a few hundred microseconds apart, and a futex wake-up costs tens of microseconds on a VM.
   The atomics order everything (release on publish and on finishing, acquire on reading),
   so a part's results are visible to the caller when fpool_run returns. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "fast_pool.h"

#define SPIN_NS 300000L /* 0.3 ms */

typedef struct {
    FastPool *pool;
    int thread;
} Worker;

struct FastPool {
    int n;            /* threads, the caller included, and parts per job */
    int started;      /* workers running: 0 before the first job, n − 1 after */
    int broken;       /* a thread could not be started: run everything on the caller */
    unsigned gen;     /* the last job's generation (the caller's copy) */
    pthread_t *th;    /* (n − 1) */
    Worker *workers;  /* (n − 1) */
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    atomic_ullong ticket;   /* (generation << 32) | the next part to claim */
    atomic_int finished;    /* parts of the current job done */
    atomic_int quit;
    _Atomic(FpoolJob) job;
    _Atomic(void *) ctx;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static long elapsed_ns(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000000000L + (t.tv_nsec - t0->tv_nsec);
}

static unsigned ticket_gen(uint64_t t) { return (unsigned)(t >> 32); }

/* Waits (spinning, then on `wake`) for a job newer than generation seen; returns its generation. */
static unsigned wait_job(FastPool *p, unsigned seen)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 1;; i++) {
        unsigned g = ticket_gen(atomic_load_explicit(&p->ticket, memory_order_acquire));
        if (g != seen) return g;
        cpu_relax();
        if (i % 64 == 0 && elapsed_ns(&t0) > SPIN_NS) break;
    }
    unsigned g;
    pthread_mutex_lock(&p->mu);
    while ((g = ticket_gen(atomic_load_explicit(&p->ticket, memory_order_acquire))) == seen)
        pthread_cond_wait(&p->wake, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return g;
}

/* Claims and runs parts of job gen until none is left. */
static void run_parts(FastPool *p, unsigned gen, int thread)
{
    FpoolJob job = atomic_load_explicit(&p->job, memory_order_relaxed);
    void *ctx = atomic_load_explicit(&p->ctx, memory_order_relaxed);
    uint64_t t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    for (;;) {
        if (ticket_gen(t) != gen || (t & 0xffffffffu) >= (uint64_t)p->n) return;
        if (!atomic_compare_exchange_weak_explicit(&p->ticket, &t, t + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue; /* t now holds the current ticket */
        job(ctx, (int)(t & 0xffffffffu), p->n, thread);
        if (atomic_fetch_add_explicit(&p->finished, 1, memory_order_acq_rel) + 1 == p->n) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_broadcast(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
        t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    }
}

static void *worker_main(void *arg)
{
    Worker *w = arg;
    FastPool *p = w->pool;
    for (unsigned seen = 0;;) {
        seen = wait_job(p, seen);
        if (atomic_load_explicit(&p->quit, memory_order_acquire)) return NULL;
        run_parts(p, seen, w->thread);
    }
}

/* A new generation, with `next` as its first part to claim, published to the workers. */
static void publish(FastPool *p, unsigned next)
{
    pthread_mutex_lock(&p->mu);
    p->gen++;
    atomic_store_explicit(&p->ticket, (uint64_t)p->gen << 32 | next, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

FastPool *fpool_create(int nthreads)
{
    FastPool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = nthreads < 1 ? 1 : nthreads;
    if (p->n > 1) {
        p->th = calloc((size_t)p->n - 1, sizeof *p->th);
        p->workers = calloc((size_t)p->n - 1, sizeof *p->workers);
        if (!p->th || !p->workers) {
            free(p->th), free(p->workers), free(p);
            return NULL;
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    atomic_init(&p->ticket, 0);
    atomic_init(&p->finished, 0);
    atomic_init(&p->quit, 0);
    atomic_init(&p->job, NULL);
    atomic_init(&p->ctx, NULL);
    return p;
}

int fpool_threads(const FastPool *p) { return p->n; }

static void start_workers(FastPool *p)
{
    for (int i = 0; i < p->n - 1; i++) {
        p->workers[i] = (Worker){p, i + 1};
        if (pthread_create(&p->th[i], NULL, worker_main, &p->workers[i]) != 0) {
            p->broken = 1;
            break;
        }
        p->started++;
    }
}

static void stop_workers(FastPool *p)
{
    atomic_store_explicit(&p->quit, 1, memory_order_release);
    publish(p, (unsigned)p->n); /* no part to claim */
    for (int i = 0; i < p->started; i++) pthread_join(p->th[i], NULL);
    p->started = 0;
}

void fpool_run(FastPool *p, FpoolJob job, void *ctx)
{
    if (p->n > 1 && !p->started && !p->broken) {
        start_workers(p);
        if (p->broken) stop_workers(p); /* the ones that did start */
    }
    if (p->n == 1 || p->broken) {
        for (int t = 0; t < p->n; t++) job(ctx, t, p->n, 0);
        return;
    }
    atomic_store_explicit(&p->job, job, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&p->finished, 0, memory_order_relaxed);
    publish(p, 0);
    run_parts(p, p->gen, 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 1; atomic_load_explicit(&p->finished, memory_order_acquire) < p->n; i++) {
        cpu_relax();
        if (i % 64 == 0 && elapsed_ns(&t0) > SPIN_NS) {
            pthread_mutex_lock(&p->mu);
            while (atomic_load_explicit(&p->finished, memory_order_acquire) < p->n)
                pthread_cond_wait(&p->done, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

void fpool_free(FastPool *p)
{
    if (!p) return;
    if (p->started) stop_workers(p);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p->th);
    free(p->workers);
    free(p);
}

void fpool_range(long total, int t, int n, long *a, long *b)
{
    *a = total * t / n;
    *b = total * (t + 1) / n;
}
