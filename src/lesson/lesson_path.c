/* lesson_path.c - where a lesson's image is (lesson.h): shared by `alexscope lesson play`
   and the window's lesson player. */
#include <stdio.h>
#include <string.h>

#include "labels.h"
#include "lesson.h"

/* Image paths in lessons are relative to assets/ unless absolute or starting with "./". */
const char *lesson_image_path(const char *image, char *buf, int size)
{
    if (image[0] == '/' || !strncmp(image, "./", 2) || !strncmp(image, "../", 3)) {
        snprintf(buf, (size_t)size, "%s", image);
        return buf;
    }
    return asset_path(image, buf, size);
}
