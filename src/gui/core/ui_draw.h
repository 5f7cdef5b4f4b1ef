/* ui_draw.h - the draw-command list one frame is made of, and the theme table.

   Pure code (ui_view*.c) appends commands each frame; the SDL backend (sdl_render.c)
   executes them in order. Nothing here includes SDL, so the view is testable.

       DrawList dl;  dl_init(&dl);
       dl_rect(&dl, r, col);  dl_text(&dl, x, y, FONT_SANS, 18, col, "conv1");
       ... backend draws dl.cmd[0 .. dl.n) ...
       dl_reset(&dl);   // next frame;   dl_free(&dl) at the end

   Ownership: the list owns its command array and a text arena; a text command's string
   lives until dl_reset. Images are referred to by UiImageId (see ui_images.h); the
   backend owns the textures. Out of memory: commands are dropped, never a crash.

   Fit: the list counts every text that does not fit where it is drawn (nclip, and the
   first DL_CLIP_KEEP of them): wider or taller than dl_text_in's rect, reaching out of
   the clip rect in force (dl_clip), or reported by a view with dl_note_clip (lines a card
   had no room for, a word wider than its column). Tests and --check-fit read it. */
#ifndef ALEXSCOPE_UI_DRAW_H
#define ALEXSCOPE_UI_DRAW_H

#include <stddef.h>

typedef struct {
    int x, y, w, h;
} UiRect;

typedef struct {
    unsigned char r, g, b, a;
} UiColor;

typedef enum { FONT_SANS, FONT_BOLD, FONT_MONO, FONT_COUNT } UiFont;

typedef enum { DC_RECT, DC_FRAME, DC_LINE, DC_TEXT, DC_IMAGE, DC_CLIP, DC_UNCLIP } DrawKind;

typedef struct {
    DrawKind kind;
    UiRect r;          /* rect / frame / image destination / clip; line: (x,y)-(x+w,y+h) */
    UiColor c;         /* fill, outline, line or text colour; image: tint (a = alpha) */
    int thick;         /* frame and line thickness in pixels */
    int font, px;      /* text */
    size_t text;       /* text: offset into the arena */
    int image;         /* image: UiImageId */
    UiRect src;        /* image: source rectangle in the image's pixels */
} DrawCmd;

/* Text width in pixels for a font and pixel size; the backend supplies the real one. */
typedef int (*UiMeasureFn)(void *ctx, int font, int px, const char *s);

#define DL_CLIP_KEEP 4
#define DL_CLIP_LEN 80

typedef struct {
    DrawCmd *cmd;
    int n, cap;
    char *arena;
    size_t used, arena_cap;
    UiMeasureFn measure;   /* NULL: an estimate (0.6 em per character) */
    void *measure_ctx;
    /* texts that did not fit this frame (reset by dl_reset) */
    int nclip;
    char clip_text[DL_CLIP_KEEP][DL_CLIP_LEN];
    UiRect clip;           /* the clip rect in force, if clip_on */
    int clip_on;
} DrawList;

void dl_init(DrawList *dl);
void dl_reset(DrawList *dl);
void dl_free(DrawList *dl);
const char *dl_str(const DrawList *dl, const DrawCmd *c);

void dl_rect(DrawList *dl, UiRect r, UiColor c);
void dl_frame(DrawList *dl, UiRect r, UiColor c, int thick);
void dl_line(DrawList *dl, int x0, int y0, int x1, int y1, UiColor c, int thick);
/* Text with its top-left at (x, y); returns the width drawn. */
int dl_text(DrawList *dl, int x, int y, int font, int px, UiColor c, const char *s);
/* Text aligned in r: align -1 left, 0 centre, 1 right; vertically centred. */
int dl_text_in(DrawList *dl, UiRect r, int align, int font, int px, UiColor c, const char *s);
void dl_image(DrawList *dl, int image, UiRect src, UiRect dst, UiColor tint);
void dl_clip(DrawList *dl, UiRect r);
void dl_unclip(DrawList *dl);
int dl_measure(const DrawList *dl, int font, int px, const char *s);
/* Counts s as a text that did not fit (kept, cut to DL_CLIP_LEN bytes, if among the first). */
void dl_note_clip(DrawList *dl, const char *s);

/* ---- rectangles ---------------------------------------------------------------------- */

int ui_rect_contains(UiRect r, int x, int y);
UiRect ui_rect_inset(UiRect r, int d);
/* Cuts a strip of size n off r's top (left), shrinking r. */
UiRect ui_cut_top(UiRect *r, int n);
UiRect ui_cut_bottom(UiRect *r, int n);
UiRect ui_cut_left(UiRect *r, int n);
UiRect ui_cut_right(UiRect *r, int n);

/* ---- theme ---------------------------------------------------------------------------- */

typedef enum {
    TC_BG, TC_PANEL, TC_EDGE, TC_TEXT, TC_DIM, TC_ACCENT, TC_ON_ACCENT, TC_WARN, TC_ERROR,
    TC_BOX, TC_BOX_DONE, TC_RF, TC_BAR1, TC_BAR2, TC_BUTTON, TC_SHADE,
    TC_COUNT
} ThemeColor;

typedef enum { THEME_DARK, THEME_CONTRAST, THEME_COUNT } ThemeId;

extern const char *const ui_theme_names[THEME_COUNT];
UiColor ui_color(int theme, ThemeColor c);

#endif
