/* ui_test_drawn.h - for the window's tests (tests/gui): whether a frame's draw list shows a
   text. The texts are joined by spaces, so a sentence that vw_wrap broke into lines matches
   again. On a miss it prints what was drawn (cmocka's print_message).

       assert_true(ui_test_drawn(&app.dl, "max |gradient|"));

   Include after <cmocka.h>. Static: one copy per test program, no library. */
#ifndef ALEXSCOPE_UI_TEST_DRAWN_H
#define ALEXSCOPE_UI_TEST_DRAWN_H

#include <stdio.h>
#include <string.h>

#include "ui_draw.h"

static int ui_test_drawn(const DrawList *dl, const char *s)
{
    static char all[65536];
    size_t n = 0;
    all[0] = '\0';
    for (int i = 0; i < dl->n && n < sizeof all - 1; i++)
        if (dl->cmd[i].kind == DC_TEXT) n += (size_t)snprintf(all + n, sizeof all - n, "%s ", dl_str(dl, &dl->cmd[i]));
    if (!strstr(all, s)) print_message("not drawn: \"%s\" in\n%s\n", s, all);
    return strstr(all, s) != NULL;
}

#endif
