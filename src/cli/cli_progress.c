/* cli_progress.c - the terminal progress bar of the commands that run many forward passes
   (see cli_impl.h): on stderr, only when stderr is a terminal, redrawn after each batch:

       occlusion  [##########··········]  85/169  2.1 s

   and cleared at the end, so the output that follows (and any redirected output) is clean. */
#include <stdio.h>
#include <unistd.h>

#include "cli_impl.h"
#include "util.h"

#define BAR 20

void cli_progress_begin(CliProgress *p, const char *what)
{
    p->what = what, p->t0 = now_ms(), p->tty = isatty(2), p->shown = 0;
}

void cli_progress(void *ctx, int done, int total)
{
    CliProgress *p = ctx;
    if (!p->tty || total <= 0) return;
    int fill = (int)((long long)done * BAR / total);
    char bar[BAR * 2 + 1]; /* '#' is one byte, '·' two */
    int k = 0;
    for (int i = 0; i < BAR; i++) {
        if (i < fill) bar[k++] = '#';
        else bar[k++] = (char)0xC2, bar[k++] = (char)0xB7;
    }
    bar[k] = '\0';
    fprintf(stderr, "\r%s  [%s]  %d/%d  %.1f s ", p->what, bar, done, total, (now_ms() - p->t0) / 1000.0);
    fflush(stderr);
    p->shown = 1;
}

void cli_progress_clear(CliProgress *p)
{
    if (!p->tty || !p->shown) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    p->shown = 0;
}
