/* labels.h - the 1000 ImageNet class names in the models' index order (assets/imagenet-classes.txt),
   and where the assets folder is.

       Labels lb;
       if (labels_load(NULL, &lb, &err) == 0) printf("%s\n", lb.name[281]);  // tabby
       labels_free(&lb);
*/
#ifndef ALEXSCOPE_LABELS_H
#define ALEXSCOPE_LABELS_H

#include "err.h"

typedef struct {
    int count;
    char **name;   /* count strings, owned */
    char *text;    /* the file's contents the names point into */
} Labels;

/* path NULL: <assets>/imagenet-classes.txt. */
int labels_load(const char *path, Labels *lb, Err *e);
/* The class names of a network with count outputs: 1000 ImageNet's, 10 Fashion-MNIST's
   (<assets>/fashion-mnist-classes.txt, what lenet5's shipped weights learned); -1 and an
   Err for any other count. */
int labels_load_for(int count, Labels *lb, Err *e);
void labels_free(Labels *lb);
/* A class name, or "class N" when out of range or labels are missing. */
const char *labels_name(const Labels *lb, int i, char *buf, int size);
/* The name up to its first comma, in buf (size > 0): "tabby, tabby cat" -> "tabby". */
const char *labels_short_name(const Labels *lb, int i, char *buf, int size);

/* The assets folder: $ALEXSCOPE_ASSETS, else <exe dir>/../share/alexscope/assets, else the
   source tree's assets/ (compiled in). Writes "<dir>/<file>" into out. */
const char *asset_path(const char *file, char *out, int size);

#endif
