/* ui_model.c - freeing what a UiModel owns, and the tools' names (see ui_model.h). */
#include "ui_model.h"

#include <stdlib.h>
#include <string.h>

void ui_model_drop(Model *model)
{
    if (!model) return;
    model_free(model);
    free(model);
}

const char *const ui_tool_names[UI_TOOL_COUNT] = {"", "ten crops", "occlusion", "top patches", "saliency map"};
_Static_assert(sizeof ui_tool_names / sizeof ui_tool_names[0] == UI_TOOL_COUNT, "one name per tool");

void ui_crops_free(UiCrops *c)
{
    free(c->probs);
    free(c->mean);
    for (int i = 0; i < 10; i++) img_free(&c->img[i]);
    memset(c, 0, sizeof *c);
}

void ui_occ_free(UiOcclusion *o)
{
    free(o->map);
    img_free(&o->input);
    memset(o, 0, sizeof *o);
}

void ui_patches_free(UiPatches *p)
{
    free(p->hits);
    for (int i = 0; p->inputs && i < p->nimages; i++) img_free(&p->inputs[i]);
    free(p->inputs);
    free(p->names);
    memset(p, 0, sizeof *p);
}

void ui_sal_free(UiSaliency *s)
{
    free(s->grad);
    free(s->map);
    img_free(&s->input);
    memset(s, 0, sizeof *s);
}

void ui_model_free(UiModel *m)
{
    ui_sal_free(&m->sal);
    ui_crops_free(&m->crops);
    ui_occ_free(&m->occ);
    ui_patches_free(&m->patches);
    net_free(m->net); /* before the weights it borrows */
    ui_model_drop(m->model);
    img_free(&m->photo);
    img_free(&m->crop);
    memset(m, 0, sizeof *m);
}
