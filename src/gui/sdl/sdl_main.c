/* sdl_main.c - gui_main: the window options, then one of three modes: the window's
   immediate-mode loop (here, with raylib's sections Initialization / Update / Draw /
   De-initialization), the headless screenshot and --bench-ui (sdl_headless.c). The
   window's logic is display-free in ui_app.c; this file turns SDL events into its calls.
   --selftest-events drives the loop with scripted events (sdl_selftest.c). */
#include <SDL.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui.h"
#include "sdl_app.h"
#include "ui_keys.h"
#include "ui_options.h"

/* SDL's key -> ui_keys.h's code. SDL names printable keys by their unshifted ASCII
   character, so those pass through; keypad keys count as their main-keyboard twins. */
static int key_code(const SDL_Keysym *k)
{
    static const struct {
        SDL_Keycode sym;
        int key;
    } map[] = {
        {SDLK_RIGHT, UI_KEY_RIGHT}, {SDLK_LEFT, UI_KEY_LEFT}, {SDLK_UP, UI_KEY_UP}, {SDLK_DOWN, UI_KEY_DOWN},
        {SDLK_PAGEUP, UI_KEY_PAGEUP}, {SDLK_PAGEDOWN, UI_KEY_PAGEDOWN}, {SDLK_HOME, UI_KEY_HOME},
        {SDLK_END, UI_KEY_END}, {SDLK_F1, UI_KEY_F1}, {SDLK_F11, UI_KEY_F11}, {SDLK_KP_PLUS, '+'},
        {SDLK_KP_MINUS, '-'}, {SDLK_KP_0, '0'}, {SDLK_KP_ENTER, UI_KEY_ENTER},
        {SDLK_EQUALS, '+'}, /* + is Shift = on most layouts: Ctrl = zooms in as well */
    };
    if (k->sym == SDLK_SLASH && (k->mod & KMOD_SHIFT)) return '?'; /* ? is Shift / on US layouts */
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].sym == k->sym) return map[i].key;
    return k->sym > 0 && k->sym < 127 ? (int)k->sym : 0;
}

static int key_mods(const SDL_Keysym *k)
{
    return ((k->mod & KMOD_CTRL) ? UI_MOD_CTRL : 0) | ((k->mod & KMOD_SHIFT) ? UI_MOD_SHIFT : 0);
}

/* Window coordinates -> renderer output pixels (HiDPI windows differ). */
static void to_output(App *A, int x, int y, int *ox, int *oy)
{
    int ww = 1, wh = 1;
    SDL_GetWindowSize(A->win, &ww, &wh);
    *ox = ww > 0 ? x * A->w / ww : x;
    *oy = wh > 0 ? y * A->h / wh : y;
}

static void handle_event(App *A, const SDL_Event *ev, int *running)
{
    UiApp *P = &A->app;
    int fx = 0;
    switch (ev->type) {
    case SDL_QUIT: *running = 0; break;
    case SDL_KEYDOWN: fx = ui_app_action(P, ui_keys_action(key_code(&ev->key.keysym), key_mods(&ev->key.keysym)), sdl_now()); break;
    case SDL_MOUSEMOTION: to_output(A, ev->motion.x, ev->motion.y, &A->mx, &A->my); break;
    case SDL_MOUSEBUTTONDOWN:
        to_output(A, ev->button.x, ev->button.y, &A->mx, &A->my);
        fx = ui_app_click(P, A->mx, A->my, ev->button.button == SDL_BUTTON_RIGHT, sdl_now());
        break;
    case SDL_DROPFILE:
        if (ev->drop.file) {
            ui_app_drop(P, ev->drop.file, sdl_now());
            SDL_free(ev->drop.file);
        }
        break;
    default: break;
    }
    if (fx & UI_FX_EXPORT) A->export_pending = 1;
    if (fx & UI_FX_FULLSCREEN)
        sdl_check(SDL_SetWindowFullscreen(A->win, P->st.fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0), "SDL_SetWindowFullscreen");
    if (fx & UI_FX_QUIT) *running = 0;
}

static int window_init(App *A, Err *e)
{
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) return err_set(e, "cannot open a window: %s", SDL_GetError());
    /* With no display SDL falls back to a driver that shows nothing; a window nobody can
       see would look like a hang. Unless asked for explicitly, say so instead. */
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *asked = getenv("SDL_VIDEODRIVER");
    if (driver && (!strcmp(driver, "offscreen") || !strcmp(driver, "dummy") || !strcmp(driver, "evdev")) &&
        !(asked && *asked))
        return err_set(e, "no display to open a window on (SDL chose its '%s' driver; is DISPLAY set?). "
                          "Run it on a desktop, or use --screenshot FILE.png for a picture without a display", driver);
    A->win = SDL_CreateWindow("alexscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, A->app.a.w, A->app.a.h,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!A->win) return err_set(e, "SDL_CreateWindow: %s", SDL_GetError());
    SDL_SetWindowMinimumSize(A->win, 640, 360);
    A->ren = SDL_CreateRenderer(A->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!A->ren) A->ren = SDL_CreateRenderer(A->win, -1, SDL_RENDERER_SOFTWARE);
    if (!A->ren) return err_set(e, "SDL_CreateRenderer: %s", SDL_GetError());
    if (SDL_GetRendererOutputSize(A->ren, &A->w, &A->h) != 0) return err_set(e, "SDL_GetRendererOutputSize: %s", SDL_GetError());
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    return sdl_app_start(A, 1, e);
}

static int window_mode(App *A)
{
    // Initialization ------------------------------------------------------------------------
    UiApp *P = &A->app;
    Err e = {0};
    if (window_init(A, &e) != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return 1;
    }
    ui_app_load(P, sdl_now());
    SdlSelfTest test;
    sdl_selftest_begin(A, &test);
    int running = 1;
    double start = sdl_now();
    while (running) {
        // Update --------------------------------------------------------------------------------
        SDL_Event ev;
        int timeout = P->m.busy || P->st.message[0] || P->a.selftest || P->st.anim.playing ? 16 : 50;
        if (SDL_WaitEventTimeout(&ev, timeout)) {
            handle_event(A, &ev, &running);
            while (running && SDL_PollEvent(&ev)) handle_event(A, &ev, &running);
        }
        double t0 = sdl_now();
        if (P->a.selftest) {
            sdl_selftest_tick(A, &test, t0);
            if (t0 - start > 120) {
                fprintf(stderr, "selftest: timed out\n");
                test.failures++;
                running = 0;
            }
        }
        if (SDL_GetRendererOutputSize(A->ren, &A->w, &A->h) != 0) sdl_check(-1, "SDL_GetRendererOutputSize");
        // Draw ----------------------------------------------------------------------------------
        sdl_app_frame(A, t0, 1);
        if (A->export_pending) {
            A->export_pending = 0;
            sdl_app_export(A);
        }
        SDL_RenderPresent(A->ren);
        P->frame_ms = (sdl_now() - t0) * 1e3;
    }
    // De-initialization -------------------------------------------------------------------------
    return test.failures ? 1 : 0;
}

int gui_main(int argc, char **argv)
{
    double t0 = sdl_now();
    UiOptions o;
    Err e = {0};
    int rc = ui_options_parse(argc, argv, &o, &e);
    if (rc != 0) {
        fprintf(stderr, "alexscope: %s\n", e.msg);
        return rc;
    }
    if (o.help) {
        ui_options_usage(stdout);
        return 0;
    }
    App *A = calloc(1, sizeof *A);
    if (!A) {
        fprintf(stderr, "alexscope: out of memory\n");
        return 1;
    }
    sdl_app_init(A, &o);
    int ttf = 0;
    if (o.lesson && ui_app_open_lesson(&A->app, &e) != 0) { /* a bad lesson stops here, before any window opens */
        fprintf(stderr, "alexscope: %s\n", e.msg);
        rc = 1;
    } else if (!(ttf = TTF_Init() == 0)) {
        fprintf(stderr, "alexscope: TTF_Init: %s\n", TTF_GetError());
        rc = 1;
    } else if (o.screenshot) {
        rc = sdl_screenshot_mode(A);
    } else {
        rc = o.bench ? sdl_bench_mode(A, t0) : window_mode(A);
    }
    // De-initialization (every mode) ------------------------------------------------------------
    sdl_app_free(A); /* closes the fonts: before TTF_Quit */
    free(A);
    if (ttf) TTF_Quit();
    SDL_Quit();
    return rc;
}
