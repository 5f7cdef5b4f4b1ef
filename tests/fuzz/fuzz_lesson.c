/* fuzz_lesson.c - lesson files (src/lesson): lesson_parse, then every step's narration
   expanded with lesson_narration, so the {placeholder} expansion is fuzzed too. A lenet5
   lesson is expanded against LeNet-5 with the built-in weights, run to the end on a fixed
   input (every value placeholder, the saliency ones included, has something to show); an
   AlexNet lesson against a net of its arch that has no weights and no input (what can be
   computed from the plan; the values say "not computed yet"), so one input stays fast.
   The nets and labels are made once, on first use, and kept (still reachable at exit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

static Net *net_for(const ArchSpec *a)
{
    static const ArchSpec *arch[8];
    static Net *net[8]; /* NULL if it could not be made: tried once only */
    static Weights w;
    static float *x;
    int i = 0;
    while (i < 8 && arch[i] && arch[i] != a) i++;
    if (i == 8) return NULL;
    if (arch[i]) return net[i];
    arch[i] = a;
    Err e = {0};
    if (a != &arch_lenet5) return net[i] = net_create(a, NULL, &e);
    long count = shape_count(a->input);
    if (weights_builtin(a, WEIGHTS_DEFAULT_SEED, &w, &e) != 0 || !(x = malloc(sizeof(float) * (size_t)count)))
        return NULL;
    for (long k = 0; k < count; k++) x[k] = (float)((k * 37) % 101) / 50.0f - 1.0f;
    if (!(net[i] = net_create(a, &w, &e))) return NULL;
    net_set_input(net[i], x);
    if (net_forward(net[i], &e) < 0) fprintf(stderr, "fuzz_lesson: %s\n", e.msg);
    return net[i];
}

static const Labels *labels_for(int count)
{
    static Labels lb[2];
    static int tried[2];
    int k = count == 10 ? 0 : count == 1000 ? 1 : -1;
    if (k < 0) return NULL;
    if (!tried[k]) {
        Err e = {0};
        tried[k] = labels_load_for(count, &lb[k], &e) == 0 ? 1 : -1;
    }
    return tried[k] > 0 ? &lb[k] : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static Lesson ls; /* ~70 KB: not on the stack */
    Err e = {0};
    if (lesson_parse(text, "fuzz.lesson", &ls, &e) == 0) {
        const Net *n = net_for(ls.arch);
        int outputs = n ? n->plan.layers[n->nlayers - 1].out.c : 0;
        static char out[16384];
        for (int s = 0; n && s < ls.nsteps; s++)
            lesson_narration(&ls, s, n, labels_for(outputs), out, (int)sizeof out, &e);
        if (n && ls.nsteps > 0) /* a narration longer than the room it is given */
            lesson_narration(&ls, ls.nsteps - 1, n, NULL, out, 40, &e);
        lesson_free(&ls);
    }
    free(text);
    return 0;
}
