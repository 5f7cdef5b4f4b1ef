/* sdl_render.c - DrawList -> SDL_Renderer, fonts, text-texture cache, image textures. */
#include "sdl_render.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FONT_SLOTS 24
#define TEXT_SETS 512 /* the text cache: 512 sets × 4 ways, LRU within a set */
#define TEXT_WAYS 4

typedef struct {
    int face, px;
    TTF_Font *font;
    unsigned long used;
} FontSlot;

typedef struct {
    uint64_t hash;
    char *str;
    int face, px;
    UiColor c;
    SDL_Texture *tex;
    int w, h;
    unsigned long used;
} TextEntry;

typedef struct {
    SDL_Texture *tex;
    uint64_t key;
    int w, h;
} ImageTex;

struct SdlGfx {
    SDL_Renderer *r;
    char face_path[FONT_COUNT][512];
    FontSlot fonts[FONT_SLOTS];
    TextEntry text[TEXT_SETS][TEXT_WAYS];
    ImageTex img[IMG_COUNT];
    unsigned long tick;
    int misses;
    int blend;              /* the renderer's current draw blend mode is BLEND */
};

int sdl_check(int rc, const char *what)
{
    static int reported;
    if (rc < 0 && reported < 8) {
        reported++;
        fprintf(stderr, "alexscope: %s: %s\n", what, SDL_GetError());
    }
    return rc;
}

/* ---- fonts ------------------------------------------------------------------------------ */

static int readable(const char *p)
{
    Err e = {0};
    FILE *f = p && *p ? file_open_regular(p, NULL, &e) : NULL; /* a FIFO is refused, not waited on */
    if (f) fclose(f);
    return f != NULL;
}

/* fc-match's answer for pattern, or "" (fontconfig missing is fine). */
static void fc_match(const char *pattern, char *out, size_t size)
{
    char cmd[256];
    out[0] = '\0';
    snprintf(cmd, sizeof cmd, "fc-match -f '%%{file}' '%s' 2>/dev/null", pattern);
    FILE *p = popen(cmd, "r");
    if (!p) return;
    if (!fgets(out, (int)size, p)) out[0] = '\0';
    pclose(p);
    out[strcspn(out, "\n")] = '\0';
}

static void find_face(char *out, size_t size, const char *user, const char *pattern, const char *file)
{
    static const char *const dirs[] = {"/usr/share/fonts/truetype/dejavu/", "/usr/share/fonts/TTF/",
                                       "/usr/share/fonts/dejavu/", "/usr/local/share/fonts/"};
    if (user && readable(user)) {
        snprintf(out, size, "%s", user);
        return;
    }
    fc_match(pattern, out, size);
    if (readable(out) && strstr(out, "DejaVu")) return;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(out, size, "%s%s", dirs[i], file);
        if (readable(out)) return;
    }
    fc_match(pattern, out, size); /* any font is better than none */
}

static TTF_Font *font_get(SdlGfx *g, int face, int px)
{
    if (px < 4) px = 4;
    if (px > 400) px = 400;
    FontSlot *lru = &g->fonts[0];
    for (int i = 0; i < FONT_SLOTS; i++) {
        FontSlot *s = &g->fonts[i];
        if (s->font && s->face == face && s->px == px) {
            s->used = ++g->tick;
            return s->font;
        }
        if (!s->font || s->used < lru->used) lru = s;
    }
    if (lru->font) TTF_CloseFont(lru->font);
    lru->font = TTF_OpenFont(g->face_path[face], px);
    if (!lru->font && face != FONT_SANS) lru->font = TTF_OpenFont(g->face_path[FONT_SANS], px);
    if (!lru->font) {
        sdl_check(-1, "TTF_OpenFont");
        return NULL;
    }
    lru->face = face, lru->px = px, lru->used = ++g->tick;
    return lru->font;
}

SdlGfx *sdl_gfx_create(SDL_Renderer *r, const char *font, Err *e)
{
    SdlGfx *g = calloc(1, sizeof *g);
    if (!g) {
        err_set(e, "out of memory");
        return NULL;
    }
    g->r = r;
    find_face(g->face_path[FONT_SANS], sizeof g->face_path[0], font, "DejaVu Sans", "DejaVuSans.ttf");
    find_face(g->face_path[FONT_BOLD], sizeof g->face_path[0], NULL, "DejaVu Sans:style=Bold", "DejaVuSans-Bold.ttf");
    find_face(g->face_path[FONT_MONO], sizeof g->face_path[0], NULL, "DejaVu Sans Mono", "DejaVuSansMono.ttf");
    if (font) snprintf(g->face_path[FONT_BOLD], sizeof g->face_path[0], "%s", g->face_path[FONT_SANS]);
    TTF_Font *probe = TTF_OpenFont(g->face_path[FONT_SANS], 16);
    if (!probe) {
        err_set(e, "%s: cannot open the font (%s); pass --font FILE.ttf", g->face_path[FONT_SANS][0] ? g->face_path[FONT_SANS] : "no font found",
                TTF_GetError());
        free(g);
        return NULL;
    }
    TTF_CloseFont(probe);
    sdl_check(SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE), "SDL_SetRenderDrawBlendMode");
    return g;
}

void sdl_gfx_free(SdlGfx *g)
{
    if (!g) return;
    for (int i = 0; i < FONT_SLOTS; i++)
        if (g->fonts[i].font) TTF_CloseFont(g->fonts[i].font);
    sdl_gfx_clear(g);
    free(g);
}

void sdl_gfx_clear(SdlGfx *g)
{
    for (int s = 0; s < TEXT_SETS; s++)
        for (int w = 0; w < TEXT_WAYS; w++) {
            if (g->text[s][w].tex) SDL_DestroyTexture(g->text[s][w].tex);
            free(g->text[s][w].str);
            memset(&g->text[s][w], 0, sizeof g->text[s][w]);
        }
    for (int i = 0; i < IMG_COUNT; i++) {
        if (g->img[i].tex) SDL_DestroyTexture(g->img[i].tex);
        memset(&g->img[i], 0, sizeof g->img[i]);
    }
}

int sdl_gfx_measure(void *ctx, int font, int px, const char *s)
{
    SdlGfx *g = ctx;
    TTF_Font *f = font_get(g, font, px);
    int w = 0, h = 0;
    if (!f || TTF_SizeUTF8(f, s, &w, &h) != 0) return (int)strlen(s) * px / 2;
    return w;
}

int sdl_gfx_text_misses(SdlGfx *g)
{
    int m = g->misses;
    g->misses = 0;
    return m;
}

/* ---- text cache ------------------------------------------------------------------------- */

static uint64_t text_hash(const char *s, int face, int px, UiColor c)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ (uint64_t)face) * 1099511628211ULL;
    h = (h ^ (uint64_t)px) * 1099511628211ULL;
    h = (h ^ ((uint64_t)c.r << 24 | (uint64_t)c.g << 16 | (uint64_t)c.b << 8 | c.a)) * 1099511628211ULL;
    return h;
}

static TextEntry *text_get(SdlGfx *g, const char *s, int face, int px, UiColor c)
{
    uint64_t h = text_hash(s, face, px, c);
    TextEntry *set = g->text[h % TEXT_SETS], *lru = &set[0];
    for (int w = 0; w < TEXT_WAYS; w++) {
        TextEntry *t = &set[w];
        if (t->tex && t->hash == h && t->face == face && t->px == px && memcmp(&t->c, &c, sizeof c) == 0 &&
            strcmp(t->str, s) == 0) {
            t->used = ++g->tick;
            return t;
        }
        if (!t->tex || t->used < lru->used) lru = t;
    }
    TTF_Font *f = font_get(g, face, px);
    if (!f) return NULL;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, s, (SDL_Color){c.r, c.g, c.b, c.a});
    if (!surf) {
        sdl_check(-1, "TTF_RenderUTF8_Blended");
        return NULL;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(g->r, surf);
    int w = surf->w, hh = surf->h;
    SDL_FreeSurface(surf);
    if (!tex) {
        sdl_check(-1, "SDL_CreateTextureFromSurface (text)");
        return NULL;
    }
    char *copy = malloc(strlen(s) + 1);
    if (!copy) {
        SDL_DestroyTexture(tex);
        return NULL;
    }
    strcpy(copy, s);
    if (lru->tex) SDL_DestroyTexture(lru->tex);
    free(lru->str);
    *lru = (TextEntry){h, copy, face, px, c, tex, w, hh, ++g->tick};
    g->misses++;
    return lru;
}

/* ---- images ------------------------------------------------------------------------------ */

void sdl_gfx_upload(SdlGfx *g, const UiImages *im)
{
    for (int i = 0; i < IMG_COUNT; i++) {
        const UiImage *src = &im->img[i];
        ImageTex *t = &g->img[i];
        if (!src->key || src->key == t->key) continue;
        if (t->tex && (t->w != src->w || t->h != src->h)) {
            SDL_DestroyTexture(t->tex);
            t->tex = NULL;
        }
        if (!t->tex) {
            /* 32-bit like the renderer: the software renderer then stretches without converting */
            t->tex = SDL_CreateTexture(g->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, src->w, src->h);
            if (!t->tex) {
                sdl_check(-1, "SDL_CreateTexture");
                continue;
            }
            t->w = src->w, t->h = src->h;
            /* Feature maps stay crisp (each data pixel a square); photos are smoothed. */
            SDL_ScaleMode mode = i == IMG_PHOTO || i == IMG_CROP ? SDL_ScaleModeLinear : SDL_ScaleModeNearest;
            sdl_check(SDL_SetTextureScaleMode(t->tex, mode), "SDL_SetTextureScaleMode");
            sdl_check(SDL_SetTextureBlendMode(t->tex, SDL_BLENDMODE_NONE), "SDL_SetTextureBlendMode"); /* opaque: a plain copy */
        }
        Uint32 *argb = malloc((size_t)src->w * src->h * sizeof *argb);
        if (!argb) continue;
        for (long p = 0; p < (long)src->w * src->h; p++) {
            const unsigned char *s = src->rgb + p * 3;
            argb[p] = 0xFF000000u | (Uint32)s[0] << 16 | (Uint32)s[1] << 8 | s[2];
        }
        if (sdl_check(SDL_UpdateTexture(t->tex, NULL, argb, src->w * 4), "SDL_UpdateTexture") == 0) t->key = src->key;
        free(argb);
    }
}

/* ---- drawing ----------------------------------------------------------------------------- */

static SDL_Rect R(UiRect r) { return (SDL_Rect){r.x, r.y, r.w, r.h}; }

static void set_color(SdlGfx *g, UiColor c)
{
    /* Opaque fills skip blending: the software renderer would blend every pixel. */
    int blend = c.a < 255;
    if (blend != g->blend) {
        sdl_check(SDL_SetRenderDrawBlendMode(g->r, blend ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE),
                  "SDL_SetRenderDrawBlendMode");
        g->blend = blend;
    }
    sdl_check(SDL_SetRenderDrawColor(g->r, c.r, c.g, c.b, c.a), "SDL_SetRenderDrawColor");
}

static void fill(SdlGfx *g, UiRect r)
{
    SDL_Rect s = R(r);
    if (r.w > 0 && r.h > 0) sdl_check(SDL_RenderFillRect(g->r, &s), "SDL_RenderFillRect");
}

static void draw_frame(SdlGfx *g, const DrawCmd *c)
{
    UiRect r = c->r;
    int t = c->thick;
    set_color(g, c->c);
    fill(g, (UiRect){r.x, r.y, r.w, t});
    fill(g, (UiRect){r.x, r.y + r.h - t, r.w, t});
    fill(g, (UiRect){r.x, r.y + t, t, r.h - 2 * t});
    fill(g, (UiRect){r.x + r.w - t, r.y + t, t, r.h - 2 * t});
}

static void draw_line(SdlGfx *g, const DrawCmd *c)
{
    int x0 = c->r.x, y0 = c->r.y, x1 = c->r.x + c->r.w, y1 = c->r.y + c->r.h;
    set_color(g, c->c);
    if (c->thick <= 1 || (x0 != x1 && y0 != y1)) {
        sdl_check(SDL_RenderDrawLine(g->r, x0, y0, x1, y1), "SDL_RenderDrawLine");
        return;
    }
    if (x0 == x1) fill(g, (UiRect){x0 - c->thick / 2, y0 < y1 ? y0 : y1, c->thick, abs(y1 - y0) + 1});
    else fill(g, (UiRect){x0 < x1 ? x0 : x1, y0 - c->thick / 2, abs(x1 - x0) + 1, c->thick});
}

static void draw_text(SdlGfx *g, const DrawList *dl, const DrawCmd *c)
{
    TextEntry *t = text_get(g, dl_str(dl, c), c->font, c->px, c->c);
    if (!t) return;
    SDL_Rect d = {c->r.x, c->r.y, t->w, t->h};
    sdl_check(SDL_RenderCopy(g->r, t->tex, NULL, &d), "SDL_RenderCopy (text)");
}

static void draw_image(SdlGfx *g, const DrawCmd *c)
{
    ImageTex *t = &g->img[c->image];
    if (!t->tex || !t->key) return;
    SDL_Rect s = R(c->src), d = R(c->r);
    sdl_check(SDL_SetTextureColorMod(t->tex, c->c.r, c->c.g, c->c.b), "SDL_SetTextureColorMod");
    sdl_check(SDL_RenderCopy(g->r, t->tex, &s, &d), "SDL_RenderCopy (image)");
}

void sdl_gfx_draw(SdlGfx *g, const DrawList *dl)
{
    for (int i = 0; i < dl->n; i++) {
        const DrawCmd *c = &dl->cmd[i];
        switch (c->kind) {
        case DC_RECT: set_color(g, c->c); fill(g, c->r); break;
        case DC_FRAME: draw_frame(g, c); break;
        case DC_LINE: draw_line(g, c); break;
        case DC_TEXT: draw_text(g, dl, c); break;
        case DC_IMAGE: draw_image(g, c); break;
        case DC_CLIP: {
            SDL_Rect r = R(c->r);
            sdl_check(SDL_RenderSetClipRect(g->r, &r), "SDL_RenderSetClipRect");
            break;
        }
        case DC_UNCLIP: sdl_check(SDL_RenderSetClipRect(g->r, NULL), "SDL_RenderSetClipRect"); break;
        }
    }
}

int sdl_gfx_read(SdlGfx *g, int w, int h, Image *out, Err *e)
{
    out->px = malloc((size_t)w * h * 3);
    if (!out->px) return err_set(e, "out of memory for a %d×%d screenshot", w, h);
    out->w = w, out->h = h;
    if (SDL_RenderReadPixels(g->r, NULL, SDL_PIXELFORMAT_RGB24, out->px, w * 3) != 0) {
        img_free(out);
        return err_set(e, "cannot read the window's pixels (%s)", SDL_GetError());
    }
    return 0;
}
