/* jpeg_check.h - walks a JPEG's markers and checks its structure before stb_image sees it
   (jpeg_check.c; called by img_check, img_sniff.h).

       JpegInfo ji;
       if (jpeg_check(data, len, "cat.jpg", &ji, &err) != 0) puts(err.msg);
       // "cat.jpg: corrupt JPEG: scan 2 uses Huffman table AC1, which the file does not
       //  define before the scan"

   Why: stb_image trusts what a JPEG says. A Huffman table of more than 256 codes overflows
   its arrays, and a scan that names a table the file never defined decodes with whatever
   the heap held (garbage, or a wild read). jpeg_check refuses every such file with the
   same message every time; what it accepts, stb_image decodes deterministically.

   What is checked (ITU-T T.81): SOI first; every segment's length inside the file; DHT:
   class 0/1, id 0..3, at most 256 codes whose lengths form a prefix code, values inside
   the segment; DQT: precision 8/16 bits, id 0..3, inside the segment; one frame (SOF0
   baseline, SOF1 extended, SOF2 progressive; lossless, hierarchical and arithmetic-coded
   JPEGs are refused by name) with 8-bit samples, a non-zero size, 1, 3 or 4 components
   with distinct ids, sampling factors 1..4 that divide the largest, quantisation ids 0..3;
   scans only after the frame, naming 1..4 distinct frame components, Ss/Se/Ah/Al valid for
   the frame's kind (G.1.1.1), the Huffman tables the scan's kind reads and each
   component's quantisation table defined before the scan, at most 10 blocks per MCU; every
   component coded (a DC scan first, when progressive); EOI reached inside the file.
   The scans' entropy-coded data itself is not decoded.

   Failure: -1 and "NAME: ..." in e. info is filled as far as the walk got (info->w == 0:
   no frame header seen), so a caller can report an oversized frame first. */
#ifndef ALEXSCOPE_JPEG_CHECK_H
#define ALEXSCOPE_JPEG_CHECK_H

#include <stddef.h>

#include "err.h"

typedef struct {
    int w, h;            /* from the frame header (0: none seen) */
    int ncomp;           /* components: 1 grey, 3 colour, 4 CMYK */
    int progressive;     /* SOF2 */
    long long blocks;    /* 8×8 blocks over all components: each needs >= 1 bit of scan data */
    long long ecs_bytes; /* entropy-coded bytes over all scans */
} JpegInfo;

int jpeg_check(const unsigned char *d, size_t n, const char *name, JpegInfo *info, Err *e);

#endif
