/* worker_impl.h - the worker's insides, shared by worker.c (thread, mailboxes, sync) and
   worker_jobs.c (what each job does). Not for other files.

   Locking: every mailbox field is read and written under Worker.mu. WorkerOwn is the
   worker thread's alone (in synchronous mode: the caller's), except own.net, which it
   writes under mu so that worker_sync and worker_busy may compare and read it. */
#ifndef ALEXSCOPE_WORKER_IMPL_H
#define ALEXSCOPE_WORKER_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "worker.h"

#define WORKER_QUEUE 16
#define WORKER_NOTES 8

typedef enum {
    JOB_WEIGHTS, JOB_IMAGE, JOB_DROP, JOB_EXPORT, JOB_DROPOUT, JOB_RESIZE,
    JOB_ENGINE, JOB_CROPS, JOB_OCCLUSION, JOB_PATCHES, /* worker_tools.c */
    JOB_SALIENCY,           /* worker_saliency.c */
    JOB_COUNT
} JobKind;

typedef struct {
    JobKind kind;
    int has_path;
    char path[1024];
    const ArchSpec *arch;
    int mirror;
    int set_crop, crop;     /* JOB_IMAGE: set the crop seed too */
    int train;              /* JOB_DROPOUT */
    int resize;             /* JOB_RESIZE: 0 the preset's, 1 warp, 2 shorter side */
    int engine;             /* JOB_ENGINE: UiEngine */
    int layer;              /* JOB_PATCHES: arch layer (path: the folder, if has_path) */
    WorkerExport exp;       /* JOB_EXPORT */
    SalParams sal;          /* JOB_SALIENCY */
    unsigned for_model;     /* JOB_PATCHES, _SALIENCY, _EXPORT: the model the UI showed (its serial), 0 any */
} Job;

/* UI -> worker: the requests waiting, and how far to compute. */
typedef struct {
    Job *jobs[WORKER_QUEUE]; /* a ring; each allocated when the UI asked */
    int head, count;
    int target;              /* layers the UI wants computed */
    int quit;
} JobQueue;

/* Worker -> UI: hand-overs waiting for worker_sync, progress, notes; and what the UI holds. */
typedef struct {
    int has_model;           /* model + net below are new and not synced yet */
    Model *model;
    Net *net;
    int has_image;           /* photo .. image_name are new and not synced yet */
    Image photo, crop;
    CropBox box;
    int orig_w, orig_h;
    char image_name[256];
    int mirror, crop_seed, dropout; /* the settings in force */
    int ready;               /* layers of own.net computed */
    int has_input;           /* own.net has an input */
    unsigned gen;            /* bumps whenever layers are forgotten */
    unsigned serial;         /* the model published last: its serial (WorkerOwn.model_serial) */
    unsigned front_serial;   /* the serial of the model the UI holds, 0 before the first */
    int working;             /* a job or a layer is running right now */
    char what[96];           /* "computing conv2" */
    Net *front;              /* the net the UI holds */
    unsigned ui_gen;         /* the gen the UI has seen */
    UiNote notes[WORKER_NOTES];
    int nnotes;
    /* the engines and the tools (worker_tools.c) */
    UiEngine engine;         /* the engine asked for */
    UiEngine by[UI_MODEL_MAX_LAYERS];
    unsigned ran[UI_MODEL_MAX_LAYERS];
    double ms[UI_ENGINES][UI_MODEL_MAX_LAYERS];
    UiProgress progress;
    int has_crops, has_occ, has_patches; /* new results not synced yet */
    UiCrops crops;
    UiOcclusion occ;
    UiPatches patches;
    int has_sal;
    UiSaliency sal;
    int forget;              /* other weights came: the UI drops its results (worker_tools_forget) */
    unsigned tools_gen;
} Published;

/* UI <-> worker: a lesson step to expand into text, and the text. */
typedef struct {
    Lesson *request;         /* a new request the worker has not picked up (may be NULL: stop) */
    int has_request;
    unsigned request_tag;
    int layers;              /* compute this far for the narration */
    const Labels *labels;
    int has_text;            /* text below is new and not synced yet */
    int error;
    unsigned tag;
    char text[UI_NARRATION_MAX];
} NarrationBox;

/* The worker thread's own state. */
typedef struct {
    Model *model;
    Net *net;
    Image orig;              /* the photo as loaded */
    char image_name[256];
    int crop_seed;           /* -1 centre crop */
    int train_dropout;
    int resize;              /* --resize for every model loaded: 0 the preset's, 1 warp, 2 short */
    Lesson *narr;            /* the narration request being served */
    unsigned narr_tag;
    unsigned narr_gen;       /* gen the last narration was expanded at */
    int narr_done;
    char image_path[1024];   /* the photo's file (the ten crops reload it), "" if none */
    UiEngine engine;         /* what the layers are computed with */
    void *fast;              /* FastNet of model for one image (worker_tools.c), NULL */
    unsigned model_serial;   /* counts the models loaded: model's is this */
} WorkerOwn;

struct Worker {
    int threaded, started;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* wakes the worker */
    pthread_cond_t ack;      /* wakes a worker waiting for the UI to see ready = 0 */
    int alloc_fail;          /* test hook: the n-th worker_alloc fails (under mu) */
    atomic_int cancel;       /* set by worker_cancel: the running tool job stops */
    void (*hook)(void *ctx, int done, int total); /* worker_set_progress_hook */
    void *hook_ctx;
    JobQueue q;
    Published pub;
    NarrationBox narr;
    WorkerOwn own;
};

/* worker.c */
void *worker_alloc(Worker *wk, size_t size); /* malloc, unless the test hook says fail */
void worker_note(Worker *wk, int error, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void worker_set_what(Worker *wk, const char *verb, const char *arg);
/* Forgets layers from k on (drop_input: the input too); with a UI thread reading the net,
   waits until it has seen that. */
void worker_retire(Worker *wk, int k, int drop_input);

/* worker_jobs.c */
void worker_run_job(Worker *wk, Job *j);
void worker_free_job(Job *j);

/* worker_tools.c: the engine switch and the tools' jobs */
void worker_tool_job(Worker *wk, const Job *j);
/* Computes n's next layer (naive) or, with the fast engine on a net computed from scratch,
   every layer at once; *used says which engine did it. net_step's return value. */
int worker_compute(Worker *wk, Net *n, UiEngine *used, Err *e);
/* Layers [from, n->done) were computed by used: their times into pub (lock held). */
void worker_record_times(Worker *wk, const Net *n, int from, UiEngine used);
/* A new model: the fast engine's buffers go, the layer times are forgotten (worker thread,
   before the new model is published). */
void worker_tools_new_model(Worker *wk);
/* Other weights were published: the tools' results, the UI's and those waiting, were the old
   model's and go at the next sync (lock held). */
void worker_tools_forget(Worker *wk);
/* Hands the published results over to m; what m held goes into old (lock held). */
void worker_tools_adopt(Worker *wk, UiModel *m, UiModel *old);
/* Frees what the worker still holds of the tools (worker_stop). */
void worker_tools_free(Worker *wk);
/* A tool job's progress bar: k UI_TOOL_NONE ends it (takes the lock). */
void worker_tool_progress(Worker *wk, UiToolKind k, int total, const char *what);

/* worker_saliency.c: the saliency map (key Y) */
void worker_saliency_job(Worker *wk, const Job *j);

#endif
