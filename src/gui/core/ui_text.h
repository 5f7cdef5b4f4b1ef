/* ui_text.h - the words and numbers on the cards, built from the engine's own numbers
   (SizeCalc, params_expr, rf fields, out_data, weights). Nothing here is typed in:
   change the arch table and every string follows.

       UiLines L;  ui_formula_text(net, 0, &L);   // conv1: "(227+2·0−11)/4+1 = 55", ...
       for (int i = 0; i < L.n; i++) puts(L.s[i]);

   Layer indices are arch layers (0 = conv1); -1 means the input tensor.
   Pure; no SDL. Strings are UTF-8 (×, −, ·, Σ). */
#ifndef ALEXSCOPE_UI_TEXT_H
#define ALEXSCOPE_UI_TEXT_H

#include <stddef.h>

#include "net.h"

#define UI_MAX_LINES 24
#define UI_LINE 224

typedef struct {
    int n;
    char s[UI_MAX_LINES][UI_LINE];
    unsigned char style[UI_MAX_LINES]; /* UI_LS_* */
} UiLines;

enum { UI_LS_BODY, UI_LS_HEAD, UI_LS_MONO, UI_LS_DIM, UI_LS_WARN };

void ui_lines_clear(UiLines *L);
void ui_lines_add(UiLines *L, int style, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Output shape of a position (0 = input). */
Shape ui_pos_shape(const Net *n, int pos);
const char *ui_pos_name(const Net *n, int pos);

/* Size card: the layer's output-size calculation, and for the input / first conv why
   the network takes 227 and not the paper's 224. */
void ui_formula_text(const Net *n, int layer, UiLines *L);
void ui_why227_text(const ArchSpec *a, UiLines *L);

/* Parameter card. */
void ui_params_text(const Net *n, int layer, UiLines *L);
/* Share of all parameters and all MACs in layer (0..100). */
void ui_layer_shares(const Net *n, int layer, double *params_pct, double *macs_pct);
/* "fc6 holds 61.9% of the parameters; the 5 conv layers do 91.9% of the MACs" */
void ui_params_summary(const Net *n, char *buf, size_t size);

/* Receptive-field card for unit (y, x) of layer (y < 0: no unit). */
void ui_rf_text(const Net *n, int layer, int y, int x, UiLines *L);

/* "Show the math" for one unit of a conv layer (or of the ReLU right after one). */
typedef struct {
    int conv;            /* arch index of the conv layer computed */
    int relu;            /* arch index of the following ReLU or tanh, -1 if none */
    int o, y, x;
    int k, stride, pad, groups, group, cin, cin_g, c0; /* reads channels c0 .. c0+cin_g-1 */
    int y0, x0;          /* window top-left in input coordinates (may be < 0: padding) */
    int show;            /* rows / columns shown: min(k, 3) */
    float patch[3][3];   /* input channel c0, top-left show×show of the window */
    float kern[3][3];    /* w[o][0], the same corner */
    float prod[3];       /* the first products, in the loop's order */
    long terms;          /* cin_g · k · k */
    double sum;          /* Σ w·x, without the bias */
    float bias, pre;     /* pre = sum + bias */
    float stored;        /* out_data of the conv layer at (o, y, x) */
    float check;         /* conv2d_unit's value */
    float after_relu;    /* the activation after it: ReLU, or tanh when act_tanh */
    int act_tanh;
} UiMath;

/* Fills m for unit (o, y, x) of layer; 0, or -1 if the layer is not a conv (or ReLU after
   one), the unit is out of range, or the weights are missing. The layer must be computed. */
int ui_math(const Net *n, int layer, int o, int y, int x, UiMath *m);
void ui_math_text(const Net *n, const UiMath *m, UiLines *L);

#endif
