/* ui_app_train.c - the live-training view's keys and frame in the window's logic (ui_app.h):
   J opens it (starting the training thread once), Space pauses, R resets with the next
   settings, D / M / Z change them, Esc or J goes back to the layers. */
#include <stdlib.h>

#include "ui_app.h"

static void send(UiApp *A, UiTrainCmd cmd)
{
    if (A->tp.cmd) A->tp.cmd(A->tp.ctx, cmd, &A->train_next);
}

/* J: the view on (starting training the first time) or off. */
static void toggle_view(UiApp *A)
{
    if (!A->tp.cmd || !A->tp.sync) {
        ui_set_status(&A->st, "J: this window has no training thread");
        return;
    }
    if (!A->train && !(A->train = calloc(1, sizeof *A->train))) {
        ui_set_status(&A->st, "out of memory");
        return;
    }
    A->train_view = !A->train_view;
    if (A->train_view && A->train->state == UI_TRAIN_OFF) {
        if (!A->train_next.epochs) {
            ui_train_settings_default(&A->train_next);
            if (A->a.train_subset > 0) A->train_next.subset = A->a.train_subset;
            if (A->a.train_epochs > 0) A->train_next.epochs = A->a.train_epochs;
            else if (A->a.screenshot) A->train_next.epochs = 1; /* a screenshot waits for the run */
        }
        send(A, UI_TRAIN_CMD_START);
    }
    ui_set_status(&A->st, A->train_view ? "Training LeNet-5 on Fashion-MNIST (J: back to the layers; training goes on)"
                                        : "Back to the layers; training goes on (J shows it)");
}

int ui_app_train_action(UiApp *A, UiAction act)
{
    if (act == ACT_TRAIN) return toggle_view(A), 1;
    int own = act == ACT_TRAIN_RESET || act == ACT_TRAIN_DROPOUT || act == ACT_TRAIN_SUBSET;
    if (!A->train_view) {
        if (own) ui_set_status(&A->st, "R, D, Z work in the training view: press J");
        return own;
    }
    UiTrainSettings *n = &A->train_next;
    switch (act) {
    case ACT_SPACE:
        send(A, A->train->state == UI_TRAIN_PAUSED ? UI_TRAIN_CMD_RESUME : UI_TRAIN_CMD_PAUSE);
        return 1;
    case ACT_TRAIN_RESET: send(A, UI_TRAIN_CMD_RESET); return 1;
    case ACT_TRAIN_DROPOUT: n->dropout = !n->dropout; break;
    case ACT_MIRROR: n->mirror = !n->mirror; break;
    case ACT_TRAIN_SUBSET: n->subset = ui_train_next_subset(n->subset); break;
    case ACT_SAMPLE: /* the test image shown: at once */
        n->probe = ui_train_next_probe(n->probe);
        send(A, UI_TRAIN_CMD_NEXT);
        return 1;
    case ACT_DESELECT: A->train_view = 0; return 1;
    default: return 0;
    }
    send(A, UI_TRAIN_CMD_NEXT);
    char t[200];
    ui_set_status(&A->st, "At the next reset (R): %s", ui_train_settings_text(n, t, sizeof t));
    return 1;
}

void ui_app_train_frame(UiApp *A, UiView *v)
{
    if (A->tp.sync) A->tp.sync(A->tp.ctx, A->train);
    ui_train_images(&A->im, v, A->train);
    dl_reset(&A->dl);
    vw_train(&A->dl, v, A->train);
}
