/* lesson_impl.h - what lesson.c (parsing) and lesson_text.c (placeholders) share. Not a
   public header. */
#ifndef ALEXSCOPE_LESSON_IMPL_H
#define ALEXSCOPE_LESSON_IMPL_H

#include "lesson.h"

/* Strips white space at both ends, in place; returns the first non-space character. */
char *lesson_trim(char *s);

/* "conv1, relu1, ..." for messages. */
void lesson_layer_list(const ArchSpec *a, char *buf, size_t size);

/* Expands text's {placeholders} into out (truncated to size). p: the structure of the
   lesson's network; n (NULL when only checking): the run with the values. On error,
   *bad_offset is where the failing placeholder starts. */
int lesson_expand(const char *text, const Plan *p, const Net *n, const Labels *lb, char *out, int size,
                  int *bad_offset, Err *e);

#endif
