/* tools_impl.h - what the tools' files share (private to src/tools): the progress and
   cancel steps every batch loop takes, and the batch size a tool uses.

       for (int done = 0; done < total; done += b) {
           if (tool_cancelled(pr, e)) return -1;      // Err "cancelled"
           ... engine_run on b inputs ...
           tool_progress(pr, done + b, total);
       }
*/
#ifndef ALEXSCOPE_TOOLS_IMPL_H
#define ALEXSCOPE_TOOLS_IMPL_H

#include "tools.h"

/* 1 (and e = "cancelled") if pr's cancel flag is set; pr may be NULL. */
int tool_cancelled(const ToolProgress *pr, Err *e);
/* pr->fn(ctx, done, total) if there is one. */
void tool_progress(const ToolProgress *pr, int done, int total);
/* want if 1 <= want <= the engine's max batch, else the max batch. */
int tool_batch(const Engine *g, int want);

#endif
