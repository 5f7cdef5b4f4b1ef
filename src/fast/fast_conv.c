/* fast_conv.c - a convolution as Caffe computes it: im2col, then one matrix product.

   im2col copies every k×k window of the input (one group's channels) into a column:
   cols (cin_g·k·k, ho·wo), row (c·k + i)·k + j, column y·wo + x holding
   in[c][y·s − p + i][x·s − p + j] (0 in the padding). The weights (cout, cin_g, k, k) are
   already a row-major (cout, cin_g·k·k) matrix, so group g's output is

       out_g (cout_g, ho·wo) = b + w_g (cout_g, cin_g·k·k) × cols      (cblas_sgemm)

   — the same multiply-accumulates as the naive loops (nn/kernels/conv.c), in another order.
   The engine's threads share the work: AlexNet's groups of 2 run side by side, one group per
   thread; a convolution with one group is cut into column pieces (output pixels), each
   thread building and multiplying only its own columns. A piece's SGEMM computes each of its
   elements exactly as the whole product would (the same sum over k, in the same order). */
#include <string.h>

#include <cblas.h>

#include "fast_impl.h"
#include "fast_pool.h"

static int conv_is_pointwise(int k, int stride, int pad) { return k == 1 && stride == 1 && pad == 0; }

long fk_conv_scratch(Shape in, Shape out, int k, int stride, int pad, int groups)
{
    if (conv_is_pointwise(k, stride, pad)) return 0;
    return (long)(in.c / groups) * k * k * out.h * out.w;
}

/* cols (c·k·k, p1 − p0): the columns of output pixels [p0, p1) of the im2col of in (c, h, w) */
static void patch_cols(float *cols, const float *in, int c, Shape is, Shape os, int k, int stride, int pad,
                       long p0, long p1)
{
    long ld = p1 - p0;
    int y0 = (int)(p0 / os.w), y1 = (int)((p1 - 1) / os.w); /* the output rows the pixels touch */
    for (int ch = 0; ch < c; ch++) {
        const float *ip = in + (long)ch * is.h * is.w;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                float *row = cols + ((long)(ch * k + i) * k + j) * ld;
                /* output columns x whose input column x·s − p + j lies inside the row */
                int x0 = 0, x1 = os.w;
                while (x0 < x1 && x0 * stride - pad + j < 0) x0++;
                while (x1 > x0 && (x1 - 1) * stride - pad + j >= is.w) x1--;
                for (int y = y0; y <= y1; y++) {
                    long first = (long)y * os.w; /* pixel of (y, 0) */
                    int xa = y == y0 ? (int)(p0 - first) : 0, xb = y == y1 ? (int)(p1 - first) : os.w;
                    float *r = row + (first + xa - p0); /* r[x − xa]: pixel (y, x), x in [xa, xb) */
                    int iy = y * stride - pad + i;
                    if (iy < 0 || iy >= is.h) {
                        memset(r, 0, sizeof(float) * (size_t)(xb - xa));
                        continue;
                    }
                    const float *src = ip + (long)iy * is.w; /* src[x·s − p + j]: input of x */
                    int off = j - pad, lo = xa > x0 ? xa : x0, hi = xb < x1 ? xb : x1;
                    for (int x = xa; x < xb && x < x0; x++) r[x - xa] = 0.0f;
                    if (stride == 1 && lo < hi)
                        memcpy(r + (lo - xa), src + lo + off, sizeof(float) * (size_t)(hi - lo));
                    else
                        for (int x = lo; x < hi; x++) r[x - xa] = src[(long)x * stride + off];
                    for (int x = xa > x1 ? xa : x1; x < xb; x++) r[x - xa] = 0.0f;
                }
            }
    }
}

/* rows (p1 − p0, c·k·k): the im2col matrix transposed, one row per output pixel of [p0, p1), each row
   the window in the weights' order (c, i, j). A window row is k contiguous input floats, so
   a strided convolution (conv1: 11 floats, stride 4) copies runs instead of gathering every
   fourth float as im2col must. */
static void patch_rows(float *rows, const float *in, int c, Shape is, Shape os, int k, int stride, int pad,
                       long p0, long p1)
{
    long kk = (long)c * k * k, plane = (long)is.h * is.w;
    for (long p = p0; p < p1; p++) {
        int y = (int)(p / os.w), x = (int)(p % os.w);
        int iy0 = y * stride - pad, ix0 = x * stride - pad;
        int inside = ix0 >= 0 && ix0 + k <= is.w;
        float *r = rows + (p - p0) * kk;
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < k; i++, r += k) {
                int iy = iy0 + i;
                if (iy < 0 || iy >= is.h) {
                    for (int j = 0; j < k; j++) r[j] = 0.0f;
                    continue;
                }
                const float *src = in + ch * plane + (long)iy * is.w; /* src[ix0 + j] */
                if (inside)
                    for (int j = 0; j < k; j++) r[j] = src[ix0 + j];
                else
                    for (int j = 0; j < k; j++) r[j] = ix0 + j >= 0 && ix0 + j < is.w ? src[ix0 + j] : 0.0f;
            }
    }
}

/* Output pixels [p0, p1) of group g of one image, x (cin, h, w), y (cout, npix):
   y_g[:, p0..p1) = b_g + w_g × B, B the pixels' columns of the im2col matrix (patch_cols),
   their rows (patch_rows, multiplied transposed), or a pointwise conv's input itself. */
static void conv_piece(const FkConv *c, float *y, const float *x, int g, long p0, long p1, float *cols)
{
    int cin_g = c->is.c / c->groups, cout_g = c->os.c / c->groups;
    int kk = cin_g * c->k * c->k;
    long npix = (long)c->os.h * c->os.w;
    const float *xg = x + (long)g * cin_g * c->is.h * c->is.w;
    float *yg = y + (long)g * cout_g * npix + p0;
    for (int o = 0; o < cout_g; o++) {
        float bo = c->b[g * cout_g + o];
        for (long p = 0; p < p1 - p0; p++) yg[o * npix + p] = bo;
    }
    const float *m = xg + p0;
    long ld = npix;
    CBLAS_TRANSPOSE tb = CblasNoTrans;
    if (conv_is_pointwise(c->k, c->stride, c->pad))
        ; /* the input already is the im2col matrix */
    else if (c->stride > 1) {
        patch_rows(cols, xg, cin_g, c->is, c->os, c->k, c->stride, c->pad, p0, p1);
        m = cols, ld = kk, tb = CblasTrans; /* w_g × rowsᵀ */
    } else {
        patch_cols(cols, xg, cin_g, c->is, c->os, c->k, c->stride, c->pad, p0, p1);
        m = cols, ld = p1 - p0;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, tb, cout_g, (int)(p1 - p0), kk, 1.0f,
                c->w + (long)g * cout_g * kk, kk, m, (int)ld, 1.0f, yg, (int)npix);
}

void fk_conv_part(const FkConv *c, float *cols, int part, int nparts)
{
    /* units: (image, group) products; pieces per unit: 1 when the units share out evenly */
    long units = (long)c->n * c->groups, npix = (long)c->os.h * c->os.w;
    int pieces = units % nparts == 0 ? 1 : nparts;
    long t0, t1;
    fpool_range(units * pieces, part, nparts, &t0, &t1);
    long in_count = shape_count(c->is), out_count = shape_count(c->os);
    for (long t = t0; t < t1; t++) {
        long u = t / pieces, p0, p1;
        fpool_range(npix, (int)(t % pieces), pieces, &p0, &p1);
        if (p1 <= p0) continue;
        int img = (int)(u / c->groups), g = (int)(u % c->groups);
        conv_piece(c, c->out + img * out_count, c->in + img * in_count, g, p0, p1, cols);
    }
}
