/* sdl_render.h - the thin SDL2 + SDL2_ttf backend: executes a DrawList on an
   SDL_Renderer, keeps the fonts, an LRU cache of text textures (keyed by string, font,
   size and colour) and one texture per UiImage (re-uploaded only when its key changes).

       SdlGfx *g = sdl_gfx_create(renderer, "/usr/share/fonts/.../DejaVuSans.ttf", &err);
       dl.measure = sdl_gfx_measure;  dl.measure_ctx = g;
       each frame: sdl_gfx_upload(g, &images); sdl_gfx_draw(g, &dl); SDL_RenderPresent(...)
       sdl_gfx_free(g);

   The renderer belongs to the caller and must outlive the SdlGfx. Failures are reported
   through Err (create) or once per kind on stderr (drawing), never by exiting. */
#ifndef ALEXSCOPE_SDL_RENDER_H
#define ALEXSCOPE_SDL_RENDER_H

#include <SDL.h>

#include "img.h"
#include "ui_draw.h"
#include "ui_images.h"

typedef struct SdlGfx SdlGfx;

/* font: the regular sans face (NULL: fc-match, then the usual DejaVu path). Bold and
   mono faces are looked up next to it and through fc-match. */
SdlGfx *sdl_gfx_create(SDL_Renderer *r, const char *font, Err *e);
void sdl_gfx_free(SdlGfx *g);

int sdl_gfx_measure(void *ctx, int font, int px, const char *s);
void sdl_gfx_upload(SdlGfx *g, const UiImages *im);
void sdl_gfx_draw(SdlGfx *g, const DrawList *dl);
/* The renderer's current pixels as an RGB image (caller frees with img_free). */
int sdl_gfx_read(SdlGfx *g, int w, int h, Image *out, Err *e);
/* Empties the text cache (up to 2,048 textures) and drops every image texture; the next
   sdl_gfx_upload makes those shown again (the soak, before it reads its memory). */
void sdl_gfx_clear(SdlGfx *g);
/* Text textures created since the last call (for the benchmark). */
int sdl_gfx_text_misses(SdlGfx *g);

/* Prints "alexscope: <what>: <SDL_GetError()>" the first few times a call fails. */
int sdl_check(int rc, const char *what);

#endif
