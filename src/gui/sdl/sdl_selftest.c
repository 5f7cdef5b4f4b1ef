/* sdl_selftest.c - the hidden --selftest-events driver (tests/test_gui_xvfb.c): real SDL
   events through the real loop. With --lesson first every lesson step forward and back and
   the picker; then 48 keys (the last ones F, X, O and H, with Esc cancelling a job that still
   runs), a good dropped image (it must open) and a bad one (it must be refused with a
   message, keeping the good one), then quit. Failures go to stderr. */
#include <stdio.h>
#include <string.h>

#include "sdl_app.h"
#include "util.h"

static void push_key(SDL_Keycode sym, Uint16 mod)
{
    SDL_Event ev = {0};
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = sym;
    ev.key.keysym.mod = mod;
    ev.key.state = SDL_PRESSED;
    sdl_check(SDL_PushEvent(&ev) < 0 ? -1 : 0, "SDL_PushEvent");
}

static void push_drop(const char *path)
{
    SDL_Event ev = {0};
    ev.type = SDL_DROPFILE;
    ev.drop.file = SDL_strdup(path);
    sdl_check(SDL_PushEvent(&ev) < 0 ? -1 : 0, "SDL_PushEvent");
}

void sdl_selftest_begin(App *A, SdlSelfTest *t)
{
    memset(t, 0, sizeof *t);
    t->phase = A->app.ls ? 10 : 0;
}

/* With --lesson: N (and the other "next" keys) through every step, P back to the first,
   the picker (L, Down, Enter), Esc; then the ordinary script. One key per settled frame. */
static void selftest_lesson(UiApp *P, SdlSelfTest *t, int idle)
{
    static const SDL_Keycode next[] = {SDLK_n, SDLK_PAGEDOWN, SDLK_RIGHT, SDLK_SPACE};
    static const SDL_Keycode prev[] = {SDLK_p, SDLK_PAGEUP, SDLK_LEFT};
    UiState *st = &P->st;
    int settled = idle && (!P->ls || P->m.narration_tag == P->narr_tag);
    if (!settled) return;
    if (st->lesson && P->m.narration_error) {
        fprintf(stderr, "selftest: step %d: %s\n", st->lesson_step + 1, P->m.narration);
        t->failures++;
    }
    switch (t->phase) {
    case 10: /* forward */
        if (st->lesson_step + 1 < st->lesson_nsteps) push_key(next[t->step++ % 4], 0);
        else t->phase = 11;
        break;
    case 11: /* back */
        if (st->lesson_step > 0) push_key(prev[t->step++ % 3], 0);
        else t->phase = 12;
        break;
    case 12:
        fprintf(stderr, "selftest: lesson \"%s\": %d steps forward and back\n", P->ls ? P->ls->title : "?", t->step);
        if (!st->lesson) fprintf(stderr, "selftest: the lesson stopped\n"), t->failures++;
        push_key(SDLK_l, 0), t->phase = 13;
        break;
    case 13:
        if (!st->picker || st->picker_n < 1) fprintf(stderr, "selftest: L opened no lesson list\n"), t->failures++;
        push_key(SDLK_DOWN, 0), t->phase = 14;
        break;
    case 14: push_key(SDLK_RETURN, 0), t->phase = 15; break;
    case 15:
        if (st->picker || (!st->lesson && !st->message[0])) fprintf(stderr, "selftest: Enter started nothing\n"), t->failures++;
        else fprintf(stderr, "selftest: picked \"%s\"\n", P->ls ? P->ls->title : st->message);
        st->message[0] = '\0';
        push_key(SDLK_ESCAPE, 0), t->phase = 16;
        break;
    default:
        if (st->lesson) fprintf(stderr, "selftest: Esc did not leave the lesson\n"), t->failures++;
        t->phase = 0, t->step = 0;
        break;
    }
}

/* After a drop: the bad file must leave a message and keep the good image. */
static void check_bad_drop(UiApp *P, SdlSelfTest *t)
{
    if (!P->st.message[0] || !P->st.message_error) {
        fprintf(stderr, "selftest: the bad file showed no message\n");
        t->failures++;
    } else {
        fprintf(stderr, "selftest: bad file refused: %s\n", P->st.message);
    }
    if (strcmp(P->m.image_name, t->good_name) != 0) {
        fprintf(stderr, "selftest: the bad file replaced the image\n");
        t->failures++;
    }
}

void sdl_selftest_tick(App *A, SdlSelfTest *t, double now)
{
    static const struct {
        SDL_Keycode sym;
        Uint16 mod;
    } keys[48] = {
        {SDLK_RIGHT, 0}, {SDLK_RIGHT, 0}, {SDLK_RIGHT, 0}, {SDLK_PAGEDOWN, 0}, {SDLK_SPACE, 0},
        {SDLK_LEFT, 0}, {SDLK_PAGEUP, 0}, {SDLK_g, 0}, {SDLK_c, 0}, {SDLK_k, 0},
        {SDLK_k, 0}, {SDLK_2, 0}, {SDLK_3, 0}, {SDLK_4, 0}, {SDLK_1, 0},
        {SDLK_t, 0}, {SDLK_t, 0}, {SDLK_F1, 0}, {SDLK_ESCAPE, 0}, {SDLK_EQUALS, KMOD_LCTRL},
        {SDLK_MINUS, KMOD_LCTRL}, {SDLK_0, KMOD_LCTRL}, {SDLK_m, 0}, {SDLK_m, 0}, {SDLK_END, 0},
        {SDLK_LEFT, 0}, {SDLK_LEFT, 0}, {SDLK_HOME, 0}, {SDLK_s, 0}, {SDLK_RIGHT, 0},
        {SDLK_RIGHT, 0}, {SDLK_g, 0}, {SDLK_SLASH, KMOD_LSHIFT}, {SDLK_ESCAPE, 0}, {SDLK_RIGHT, 0},
        {SDLK_PAGEDOWN, 0}, {SDLK_PAGEDOWN, 0}, {SDLK_PAGEUP, 0}, {SDLK_e, 0}, {SDLK_HOME, 0},
        {SDLK_f, 0}, {SDLK_x, 0}, {SDLK_ESCAPE, 0}, {SDLK_o, 0}, {SDLK_ESCAPE, 0}, {SDLK_RIGHT, 0},
        {SDLK_h, 0}, {SDLK_f, 0},
    };
    UiApp *P = &A->app;
    const UiOptions *a = &P->a;
    int idle = !P->m.busy && !worker_busy(A->wk);
    if (t->phase >= 10) {
        selftest_lesson(P, t, idle);
        return;
    }
    if (t->phase == 0) {
        int n = (int)(sizeof keys / sizeof keys[0]);
        SDL_Keycode prev = t->step > 0 && t->step < n ? keys[t->step - 1].sym : 0;
        if (t->step < n && keys[t->step].sym == SDLK_ESCAPE && (prev == SDLK_x || prev == SDLK_o) &&
            !P->m.progress.running && !idle)
            return; /* Esc after X / O: wait until the job shows as running, to cancel it */
        if (t->step < n) {
            if (keys[t->step].sym == SDLK_e && !a->export_dir) push_key(SDLK_RIGHT, 0);
            else push_key(keys[t->step].sym, keys[t->step].mod);
            t->step++;
        } else if (idle) {
            push_drop(a->selftest);
            t->phase = 1, t->phase_t = now;
        }
    } else if (t->phase == 1 && idle && now - t->phase_t > 0.2) {
        str_copy(t->good_name, sizeof t->good_name, path_base(a->selftest));
        if (strcmp(P->m.image_name, t->good_name) != 0) {
            fprintf(stderr, "selftest: dropping %s did not open it (showing %s)\n", a->selftest, P->m.image_name);
            t->failures++;
        }
        P->st.message[0] = '\0';
        push_drop(a->selftest_bad ? a->selftest_bad : "/nonexistent/alexscope-selftest.png");
        t->phase = 2, t->phase_t = now;
    } else if (t->phase == 2 && idle && now - t->phase_t > 0.2) {
        check_bad_drop(P, t);
        SDL_Event q = {.type = SDL_QUIT};
        SDL_PushEvent(&q);
        t->phase = 3;
    }
}
