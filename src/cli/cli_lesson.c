/* cli_lesson.c - `alexscope lesson check FILE...` and `alexscope lesson play FILE`
   (headless: prints every step's narration after running the engine to its layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_impl.h"
#include "labels.h"
#include "lesson.h"

static int lesson_check(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "alexscope: lesson check needs at least one FILE\nTry 'alexscope lesson --help'.\n");
        return EXIT_USAGE;
    }
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        Lesson *ls = malloc(sizeof *ls);
        Err e = {0};
        if (!ls) return EXIT_INPUT;
        if (lesson_load(argv[i], ls, &e) != 0) {
            fprintf(stderr, "alexscope: %s\n", e.msg);
            bad++;
        } else {
            printf("%s: ok, %d steps, \"%s\"\n", argv[i], ls->nsteps, ls->title);
            lesson_free(ls);
        }
        free(ls);
    }
    return bad ? EXIT_INPUT : EXIT_OK;
}

/* Prepares the input for a step: the lesson's (or step's) image, mirror and crop. */
static int step_input(const Model *m, const char *image, int mirror, int crop_seed, float *x, Err *e)
{
    char path[1024];
    return model_image_input(m, lesson_image_path(image, path, sizeof path), mirror, crop_seed, x, NULL, e);
}

/* Runs every step and prints its narration. eo: the engine (--engine); a step in dropout's
   train mode runs on the naive loops (the fast engine is inference only). */
static int play_steps(const Lesson *ls, const Model *m, Net *n, float *x, const Labels *lb, const CliOpts *eo, Err *e)
{
    printf("%s (%s, weights: %s)\n", ls->title, m->arch->name, m->weights.source);
    /* The input is prepared again only when a step changes it; otherwise stepping on reuses
       the layers already computed, as the window does. */
    int mirror = 0, crop = -1, dropout = 0, have_input = 0;
    char image[256], text[LESSON_NARRATION_MAX + 1]; /* lesson_load checked that each narration fits */
    snprintf(image, sizeof image, "%s", ls->image);
    for (int s = 0; s < ls->nsteps; s++) {
        const LessonStep *st = &ls->steps[s];
        int changed = !have_input;
        if (st->mirror >= 0 && st->mirror != mirror) mirror = st->mirror, changed = 1;
        if (st->crop_seed != crop) crop = st->crop_seed, changed = 1;
        if (st->image[0] && strcmp(st->image, image)) snprintf(image, sizeof image, "%s", st->image), changed = 1;
        if (changed) {
            if (step_input(m, image, mirror, crop, x, e) != 0) return -1;
            net_set_input(n, x);
            have_input = 1;
        }
        if (st->dropout_train >= 0 && st->dropout_train != dropout) {
            dropout = n->train_dropout = st->dropout_train;
            net_reset(n, 0);
        }
        if ((n->train_dropout ? net_run_to(n, st->layer + 1, e) : cli_forward(eo, n, st->layer + 1, e)) < 0) return -1;
        if (lesson_narration(ls, s, n, lb, text, sizeof text, e) != 0) return -1;
        printf("\n== Step %d of %d: %s  [%s, %s]\n%s\n", s + 1, ls->nsteps, st->title,
               st->layer < 0 ? "input" : m->arch->layers[st->layer].name, lesson_panel_names[st->panel], text);
    }
    return 0;
}

static int lesson_play(int argc, char **argv)
{
    const char *file = NULL, *weights = NULL;
    CliOpts eo = {.cmd = "lesson", .engine = CLI_ENGINE_NAIVE};
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--weights") && i + 1 < argc) weights = argv[++i];
        else if (!strcmp(argv[i], "--engine") && i + 1 < argc && (!strcmp(argv[i + 1], "naive") || !strcmp(argv[i + 1], "fast"))) {
            eo.engine = !strcmp(argv[++i], "fast") ? CLI_ENGINE_FAST : CLI_ENGINE_NAIVE;
#ifndef ALEXSCOPE_HAVE_FAST
            if (eo.engine == CLI_ENGINE_FAST) {
                fprintf(stderr, "alexscope: this build has no fast engine (no BLAS found when it was built)\n");
                return EXIT_USAGE;
            }
#endif
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "alexscope: lesson play takes FILE [--weights F] [--engine naive|fast], not '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else file = argv[i];
    }
    if (!file) {
        fprintf(stderr, "alexscope: lesson play needs a FILE\n");
        return EXIT_USAGE;
    }
    Err e = {0};
    Lesson *ls = malloc(sizeof *ls);
    if (!ls || lesson_load(file, ls, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", ls ? e.msg : "out of memory");
        free(ls);
        return EXIT_INPUT;
    }
    Model m;
    Net *n = NULL;
    float *x = NULL;
    Labels lb;
    int have_labels = labels_load_for(ls->arch == &arch_lenet5 ? 10 : 1000, &lb, &e) == 0;
    int rc = EXIT_INPUT;
    if (!weights && ls->weights[0]) weights = ls->weights;
    if (model_load(&m, weights, ls->arch->name, NULL, &e) != 0) goto out;
    if (!(n = net_create(m.arch, &m.weights, &e))) goto model;
    x = malloc(sizeof(float) * (size_t)model_input_count(&m));
    if (!x) goto model;
    if (play_steps(ls, &m, n, x, have_labels ? &lb : NULL, &eo, &e) != 0) goto model;
    rc = EXIT_OK;
model:
    net_free(n);
    model_free(&m);
out:
    if (rc) fprintf(stderr, "alexscope: %s\n", e.msg);
    if (have_labels) labels_free(&lb);
    free(x);
    lesson_free(ls);
    free(ls);
    return rc;
}

static const char lesson_help[] =
    "Usage: alexscope lesson check FILE...\n"
    "       alexscope lesson play FILE [--weights F] [--engine naive|fast]\n\n"
    "check: parses lesson files and checks every directive, layer name and {placeholder};\n"
    "       errors read FILE:LINE: what is wrong.\n"
    "play:  runs the lesson headless and prints each step's narration with the engine's numbers;\n"
    "       --engine fast computes with the fast engine (steps in dropout's train mode: the loops).\n"
    "In the window: alexscope --lesson FILE. Writing lessons: docs/lessons.md.\n";

/* argv[0] is "lesson". */
static int lesson(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(lesson_help, stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "check")) return lesson_check(argc, argv);
    if (!strcmp(argv[1], "play")) return lesson_play(argc, argv);
    fprintf(stderr, "alexscope: unknown lesson command '%s' (check or play)\n", argv[1]);
    return EXIT_USAGE;
}

const CliCommand cli_cmd_lesson = {
    .name = "lesson",
    .run_argv = lesson,
    .usage = "lesson check FILE...  |  alexscope lesson play FILE [--engine naive|fast]",
    .help = lesson_help,
};
