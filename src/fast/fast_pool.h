/* fast_pool.h - the fast engine's own threads: the calling thread plus n − 1 workers that run
   one job at a time (prefix fpool_). A job is cut into n fixed parts (a group, half the
   output columns, half the channels...); each thread claims parts until none is left, so
   a worker the system has not scheduled yet does not hold the others up. Which thread runs
   a part does not change what it computes: the results are the same from run to run.

       FastPool *p = fpool_create(2);      // nothing started yet
       fpool_run(p, job, &ctx);            // job(&ctx, part, 2, thread) for parts 0 and 1
       fpool_free(p);                      // stops and joins the worker

   The workers start at the first fpool_run; between jobs they spin for a fraction of a
   millisecond (the next layer comes within microseconds) and then sleep on a condition
   variable, so an idle engine costs no CPU. If a thread cannot be started, fpool_run runs
   every part on the calling thread: the results are the same, only slower. One thread runs
   fpool_run at a time (the FastNet that owns the pool). Ownership: fpool_free joins and frees
   everything fpool_create and fpool_run made. Failure: fpool_create returns NULL (out of
   memory) and nothing else fails. */
#ifndef ALEXSCOPE_FAST_POOL_H
#define ALEXSCOPE_FAST_POOL_H

typedef struct FastPool FastPool;

/* part in 0..nparts−1 (nparts: the pool's thread count); thread in 0..nparts−1 names the
   thread running it, for per-thread scratch (0: the caller) */
typedef void (*FpoolJob)(void *ctx, int part, int nparts, int thread);

FastPool *fpool_create(int nthreads);
void fpool_free(FastPool *p);
int fpool_threads(const FastPool *p);

/* Runs job(ctx, t, n, thread) for every part t in 0..n−1; returns when all are done. */
void fpool_run(FastPool *p, FpoolJob job, void *ctx);

/* [*a, *b): part t of n of 0..total−1, in contiguous pieces as equal as they can be. */
void fpool_range(long total, int t, int n, long *a, long *b);

#endif
