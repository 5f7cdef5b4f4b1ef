/* jpeg_check.c - see jpeg_check.h. One pass over the markers, keeping which tables are
   defined so far and which frame components have been coded. */
#include "jpeg_check.h"

#include <stdarg.h>
#include <stdio.h>

typedef struct {
    int id, h, v, tq; /* from the frame header */
    int coded;        /* a scan has coded it (progressive: its first DC scan) */
} Comp;

typedef struct {
    const unsigned char *d;
    size_t n;
    const char *name;
    Err *e;
    JpegInfo *info;
    int huff[2][4]; /* [0][id]: DC table id defined, [1][id]: AC */
    int quant[4];
    int frame;      /* a frame header was read */
    int nf;
    Comp c[4];
    int hmax, vmax;
    int scans;
} Jpeg;

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }

/* "NAME: corrupt JPEG: <what>" */
static int bad(Jpeg *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int bad(Jpeg *j, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(j->e, "%s: corrupt JPEG: %s", j->name, what);
}

/* Valid JPEGs of a kind stb_image does not decode. */
static int unsupported(Jpeg *j, const char *what, unsigned m)
{
    return err_set(j->e, "%s: %s (marker FF%02X); alexscope reads baseline and progressive JPEGs "
                         "(8-bit, Huffman-coded)", j->name, what, m);
}

static int truncated(Jpeg *j, const char *where)
{
    return err_set(j->e, "%s: truncated JPEG (%s)", j->name, where);
}

/* DHT: tables of 1 + 16 + (sum of counts) bytes each. The counts must not exceed the 256
   symbols a table holds (stb_image's arrays overflow otherwise), and must form a prefix
   code: after the codes of length l, at most 2^l codes of that length are used (the same
   test as libjpeg's and stb_image's, so an all-ones code is allowed). */
static int dht(Jpeg *j, const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (len - i < 17) return bad(j, "a Huffman table (DHT) is cut short by the end of its segment");
        unsigned tc = p[i] >> 4, th = p[i] & 15;
        if (tc > 1 || th > 3)
            return bad(j, "Huffman table header 0x%02X: class %u, id %u (the class is 0 or 1, the id 0..3)",
                       p[i], tc, th);
        const char *cls = tc ? "AC" : "DC";
        unsigned total = 0;
        for (int l = 0; l < 16; l++) total += p[i + 1 + l];
        if (total > 256)
            return bad(j, "Huffman table %s%u has %u codes, more than the 256 a table can hold", cls, th, total);
        unsigned long next = 0; /* the first unused code of the current length */
        for (int l = 1; l <= 16; l++) {
            next += p[i + l];
            if (next > (1UL << l))
                return bad(j, "Huffman table %s%u has more codes of length %d than fit (not a prefix code)",
                           cls, th, l);
            next <<= 1;
        }
        if (len - i - 17 < total)
            return bad(j, "Huffman table %s%u's %u symbols run past the end of its segment", cls, th, total);
        j->huff[tc][th] = 1;
        i += 17 + total;
    }
    return 0;
}

/* DQT: tables of 1 + 64 bytes (8-bit) or 1 + 128 (16-bit). */
static int dqt(Jpeg *j, const unsigned char *p, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned pq = p[i] >> 4, tq = p[i] & 15;
        if (pq > 1) return bad(j, "quantisation table precision %u (0: 8-bit, 1: 16-bit)", pq);
        if (tq > 3) return bad(j, "quantisation table id %u (the ids are 0..3)", tq);
        size_t size = 1 + 64 * (size_t)(pq + 1);
        if (len - i < size) return bad(j, "quantisation table %u runs past the end of its segment", tq);
        j->quant[tq] = 1;
        i += size;
    }
    return 0;
}

static int sof(Jpeg *j, unsigned m, const unsigned char *p, size_t len, size_t at)
{
    if (j->frame) return bad(j, "a second frame header (SOF) at byte %zu; a JPEG has one frame", at);
    if (len < 6) return bad(j, "the frame header (SOF) is %zu bytes, too short", len);
    unsigned prec = p[0], y = be16(p + 1), x = be16(p + 3), nf = p[5];
    j->info->w = (int)x;
    j->info->h = (int)y;
    if (len != 6 + 3 * (size_t)nf)
        return bad(j, "the frame header's length does not match its %u components", nf);
    if (prec != 8) {
        char what[64];
        snprintf(what, sizeof what, "a %u-bit JPEG", prec);
        return unsupported(j, what, m);
    }
    if (y == 0) return bad(j, "the frame header gives height 0 (a height set later by a DNL marker is not supported)");
    if (x == 0) return bad(j, "the frame header gives width 0");
    if (nf == 2) return unsupported(j, "a JPEG of 2 components (only grey, colour and CMYK are read)", m);
    if (nf != 1 && nf != 3 && nf != 4) return bad(j, "the frame has %u components (1, 3 or 4)", nf);
    j->nf = (int)nf;
    j->hmax = j->vmax = 1;
    for (int k = 0; k < j->nf; k++) {
        const unsigned char *c = p + 6 + 3 * k;
        Comp *cp = &j->c[k];
        *cp = (Comp){c[0], c[1] >> 4, c[1] & 15, c[2], 0};
        for (int o = 0; o < k; o++)
            if (j->c[o].id == cp->id) return bad(j, "component id %d appears twice in the frame header", cp->id);
        if (cp->h < 1 || cp->h > 4 || cp->v < 1 || cp->v > 4)
            return bad(j, "component %d has sampling factors %d×%d (each 1..4)", cp->id, cp->h, cp->v);
        if (cp->tq > 3) return bad(j, "component %d uses quantisation table %d (the ids are 0..3)", cp->id, cp->tq);
        if (cp->h > j->hmax) j->hmax = cp->h;
        if (cp->v > j->vmax) j->vmax = cp->v;
    }
    j->info->blocks = 0;
    for (int k = 0; k < j->nf; k++) {
        const Comp *cp = &j->c[k];
        if (j->hmax % cp->h || j->vmax % cp->v)
            return unsupported(j, "a JPEG whose sampling factors are not whole ratios of each other", m);
        long long cx = ((long long)x * cp->h + j->hmax - 1) / j->hmax;
        long long cy = ((long long)y * cp->v + j->vmax - 1) / j->vmax;
        j->info->blocks += ((cx + 7) / 8) * ((cy + 7) / 8);
    }
    j->frame = 1;
    j->info->ncomp = j->nf;
    j->info->progressive = m == 0xC2;
    return 0;
}

/* Ss, Se, Ah, Al as T.81 allows them for the frame's kind. Sequential: Ss 0, Ah = Al = 0
   (Se "shall be 63", but libjpeg only warns and stb_image ignores it, so any Se <= 63 is
   taken). Progressive (G.1.1.1): a DC scan is Ss = Se = 0 and may interleave components;
   an AC scan is 1 <= Ss <= Se <= 63 with one component; Ah, Al <= 13, and a refinement
   scan (Ah != 0) lowers the bit position by one (Al = Ah - 1). */
static int scan_params(Jpeg *j, int scan, int ns, unsigned ss, unsigned se, unsigned ah, unsigned al)
{
    if (!j->info->progressive) {
        if (ss != 0 || ah != 0 || al != 0 || se > 63)
            return bad(j, "scan %d of a sequential JPEG has Ss %u, Se %u, Ah %u, Al %u (0, 63, 0, 0 expected)", scan,
                       ss, se, ah, al);
        return 0;
    }
    if (se > 63 || ss > se) return bad(j, "scan %d codes coefficients %u..%u (inside 0..63, in order)", scan, ss, se);
    if (ss == 0 && se != 0) return bad(j, "scan %d mixes the DC coefficient with AC ones (Ss 0, Se %u)", scan, se);
    if (ss > 0 && ns != 1) return bad(j, "scan %d is an AC scan of %d components (AC scans code one)", scan, ns);
    if (ah > 13 || al > 13) return bad(j, "scan %d has bit positions Ah %u, Al %u (at most 13)", scan, ah, al);
    if (ah != 0 && al + 1 != ah) return bad(j, "scan %d refines from bit %u to bit %u (one bit at a time)", scan, ah, al);
    return 0;
}

static int sos(Jpeg *j, const unsigned char *p, size_t len)
{
    if (!j->frame) return bad(j, "a scan (SOS) comes before the frame header");
    if (len < 1) return bad(j, "an empty scan header");
    int ns = p[0], scan = ++j->scans;
    if (ns < 1 || ns > 4) return bad(j, "scan %d has %d components (1 to 4)", scan, ns);
    if (ns > j->nf) return bad(j, "scan %d has %d components, the frame only %d", scan, ns, j->nf);
    if (len != 4 + 2 * (size_t)ns) return bad(j, "scan %d's header length does not match its %d components", scan, ns);
    const unsigned char *t = p + 1 + 2 * ns;
    unsigned ss = t[0], se = t[1], ah = t[2] >> 4, al = t[2] & 15;
    if (scan_params(j, scan, ns, ss, se, ah, al) != 0) return -1;
    int prog = j->info->progressive, dc_first = ss == 0 && ah == 0;
    int need_dc = !prog || dc_first, need_ac = !prog || ss > 0, mcu_blocks = 0;
    Comp *seen[4];
    for (int k = 0; k < ns; k++) {
        unsigned cs = p[1 + 2 * k], td = p[2 + 2 * k] >> 4, ta = p[2 + 2 * k] & 15;
        Comp *c = NULL;
        for (int ci = 0; ci < j->nf; ci++)
            if ((unsigned)j->c[ci].id == cs) c = &j->c[ci];
        if (!c) return bad(j, "scan %d uses component %u, which the frame does not have", scan, cs);
        for (int o = 0; o < k; o++)
            if (seen[o] == c) return bad(j, "scan %d names component %u twice", scan, cs);
        seen[k] = c;
        mcu_blocks += c->h * c->v;
        if (td > 3 || ta > 3) return bad(j, "scan %d gives component %u Huffman tables DC%u and AC%u (ids 0..3)", scan, cs, td, ta);
        if (need_dc && !j->huff[0][td])
            return bad(j, "scan %d uses Huffman table DC%u, which the file does not define before the scan", scan, td);
        if (need_ac && !j->huff[1][ta])
            return bad(j, "scan %d uses Huffman table AC%u, which the file does not define before the scan", scan, ta);
        if (!j->quant[c->tq])
            return bad(j, "component %u uses quantisation table %d, which the file does not define before scan %d", cs,
                       c->tq, scan);
        if (!prog && c->coded) return bad(j, "component %u is coded by two scans of a sequential JPEG", cs);
        if (prog && !dc_first && !c->coded)
            return bad(j, "scan %d refines or adds to component %u before its first DC scan", scan, cs);
        if (prog && dc_first && c->coded) return bad(j, "component %u has two first DC scans", cs);
        c->coded = 1;
    }
    /* B.2.3: an interleaved MCU holds at most 10 blocks */
    if (ns > 1 && mcu_blocks > 10) return bad(j, "scan %d's MCU has %d blocks (at most 10)", scan, mcu_blocks);
    return 0;
}

/* The entropy-coded data after a scan header: every 0xFF in it is followed by 0x00 (a
   stuffed byte) or RST0-7, so the first FF followed by anything else (after fill bytes)
   is the next marker. Returns its position, or n if the data runs to the end. */
static size_t scan_data(const unsigned char *d, size_t n, size_t i)
{
    while (i + 1 < n) {
        if (d[i] != 0xFF) { i++; continue; }
        unsigned m = d[i + 1];
        if (m == 0x00 || (m >= 0xD0 && m <= 0xD7)) i += 2;
        else if (m == 0xFF) i++;
        else return i;
    }
    return n;
}

static int finish(Jpeg *j)
{
    if (!j->frame) return bad(j, "no frame header (SOF) before the end-of-image marker");
    if (!j->scans) return bad(j, "no scan (SOS) before the end-of-image marker: the file holds no image data");
    for (int k = 0; k < j->nf; k++)
        if (!j->c[k].coded) return bad(j, "component %d is never coded (no scan includes it)", j->c[k].id);
    return 0;
}

/* Markers that are not segments we read: the kind of JPEG they announce, or NULL. */
static const char *other_kind(unsigned m)
{
    if (m == 0xC3) return "a lossless JPEG";
    if ((m >= 0xC5 && m <= 0xC7) || m == 0xDE || m == 0xDF) return "a hierarchical JPEG";
    if (m >= 0xC9 && m <= 0xCF) return /* SOF9-11, DAC, SOF13-15 */ "an arithmetic-coded JPEG";
    if (m == 0xF7 || m == 0xF8) return "a JPEG-LS image";
    return NULL;
}

static int segment(Jpeg *j, unsigned m, const unsigned char *p, size_t len, size_t at)
{
    if (m == 0xC4) return dht(j, p, len);
    if (m == 0xDB) return dqt(j, p, len);
    if (m == 0xC0 || m == 0xC1 || m == 0xC2) return sof(j, m, p, len, at);
    if (m == 0xDA) return sos(j, p, len);
    if (m == 0xDD) return len == 2 ? 0 : bad(j, "the restart interval segment (DRI) is %zu bytes, not 2", len);
    if (m == 0xDC) { /* DNL: only the height the frame already gave (as stb_image requires) */
        if (!j->frame || len != 2 || be16(p) != (unsigned)j->info->h)
            return bad(j, "a DNL marker at byte %zu that does not repeat the frame's height", at);
        return 0;
    }
    if ((m >= 0xE0 && m <= 0xEF) || m == 0xFE) return 0; /* APPn, COM */
    const char *kind = other_kind(m);
    if (kind) return unsupported(j, kind, m);
    return bad(j, "unknown marker FF%02X at byte %zu", m, at);
}

int jpeg_check(const unsigned char *d, size_t n, const char *name, JpegInfo *info, Err *e)
{
    *info = (JpegInfo){0, 0, 0, 0, 0, 0};
    Jpeg j = {.d = d, .n = n, .name = name, .e = e, .info = info};
    if (n < 2 || d[0] != 0xFF || d[1] != 0xD8) return bad(&j, "no start-of-image marker");
    size_t i = 2;
    for (;;) {
        if (i >= n) return truncated(&j, "the file ends before its end-of-image marker");
        if (d[i] != 0xFF) {
            /* stb_image skips padding between segments before the frame header, not after */
            if (j.frame) return bad(&j, "byte 0x%02X at %zu where a marker should be", d[i], i);
            i++;
            continue;
        }
        while (i + 1 < n && d[i + 1] == 0xFF) i++; /* fill bytes */
        if (i + 1 >= n) return truncated(&j, "the file ends before its end-of-image marker");
        unsigned m = d[i + 1];
        size_t at = i;
        i += 2;
        if (m == 0xD9) return finish(&j);
        if (m == 0xD8) return bad(&j, "a second start-of-image marker at byte %zu", at);
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            return bad(&j, "marker FF%02X at byte %zu outside any scan's data", m, at);
        if (n - i < 2) return truncated(&j, "the file ends inside a segment header");
        size_t len = be16(d + i);
        if (len < 2) return bad(&j, "segment FF%02X at byte %zu has length %zu (at least 2)", m, at, len);
        if (len > n - i) {
            char where[96];
            snprintf(where, sizeof where, "segment FF%02X at byte %zu runs past the end of the file", m, at);
            return truncated(&j, where);
        }
        if (segment(&j, m, d + i + 2, len - 2, at) != 0) return -1;
        i += len;
        if (m == 0xDA) {
            size_t end = scan_data(d, n, i);
            info->ecs_bytes += (long long)(end - i);
            i = end;
        }
    }
}
