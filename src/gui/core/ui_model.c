/* ui_model.c - freeing what a UiModel owns (see ui_model.h). */
#include "ui_model.h"

#include <stdlib.h>
#include <string.h>

void ui_model_drop(Model *model)
{
    if (!model) return;
    model_free(model);
    free(model);
}

void ui_model_free(UiModel *m)
{
    net_free(m->net); /* before the weights it borrows */
    ui_model_drop(m->model);
    img_free(&m->photo);
    img_free(&m->crop);
    memset(m, 0, sizeof *m);
}
