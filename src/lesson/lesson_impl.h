/* lesson_impl.h - what lesson.c (parsing) and lesson_text.c (placeholders) share. Not a
   public header. */
#ifndef ALEXSCOPE_LESSON_IMPL_H
#define ALEXSCOPE_LESSON_IMPL_H

#include "lesson.h"

/* Strips white space at both ends, in place; returns the first non-space character. */
char *lesson_trim(char *s);

/* "conv1, relu1, ..." for messages. */
void lesson_layer_list(const ArchSpec *a, char *buf, size_t size);

/* Expands text's {placeholders} into out (truncated to size, always terminated if size > 0).
   p: the structure of the lesson's network; n (NULL when only checking): the run with the
   values. Returns the length the whole expansion has (as snprintf does; out may hold less);
   with n NULL an upper bound of it for any run: a value not computed yet counts as the
   longest a value can be (511 bytes). On error -1, and *bad_offset is where the failing
   placeholder starts. */
int lesson_expand(const char *text, const Plan *p, const Net *n, const Labels *lb, char *out, int size,
                  int *bad_offset, Err *e);

/* {overfit:RUN.FIELD} and {trained:FIELD} (lesson_trained.c): name is the whole
   placeholder, "overfit:plain.test_acc" or "trained:accuracy". */
int lesson_trained_field(const char *name, char *out, int size, Err *e);

/* What a placeholder that needs a run shows while there is none (lesson_text.c's NOT_COMPUTED). */
#define LESSON_NOT_COMPUTED "(not computed yet)"

/* {saliency:FIELD}, {saliency:METHOD.FIELD} and {backprop[@K]:...} (lesson_grad.c): name is
   the whole placeholder, "saliency:guided.max" or "backprop@6:conv1.db:0". p: the lesson's
   plan; n NULL while checking (then only the name is checked). */
int lesson_grad_field(const char *name, const Plan *p, const Net *n, const Labels *lb, char *out, int size, Err *e);

#endif
