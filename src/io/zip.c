/* zip.c - reading a stored zip archive's directory (zip.h). Field offsets from PKWARE's
   APPNOTE.TXT, sections 4.3.7 (local header), 4.3.12 (central directory header), 4.3.14-16
   (zip64 end of central directory record and locator, end of central directory) and 4.5.3
   (the zip64 extra field). */
#include "zip.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pb.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define EOCD_LEN 22
#define EOCD64_LEN 56
#define LOC64_LEN 20
#define COMMENT_MAX 65535

static unsigned le16(const uint8_t *p) { return (unsigned)p[0] | (unsigned)p[1] << 8; }

int zip_sniff(const uint8_t *p, size_t n)
{
    return n >= 4 && pb_le32(p) == SIG_LOCAL;
}

/* Where the central directory is, from the end records. */
typedef struct {
    uint64_t count, cd_off, cd_size;
    uint64_t end; /* where the end records start: the central directory ends at or before it */
} Dir;

static int bad(const Zip *z, Err *e, const char *why)
{
    return err_set(e, "%s: damaged zip archive: %s", z->path, why);
}

/* The end of central directory record: searched backwards over the last 22 + 65,535 bytes
   (the longest comment), its comment running exactly to the end of the file. */
static int find_eocd(const Zip *z, const uint8_t *p, size_t n, size_t *at, Err *e)
{
    if (n < EOCD_LEN) return bad(z, e, "too short for an end of central directory record");
    size_t lo = n - EOCD_LEN > COMMENT_MAX ? n - EOCD_LEN - COMMENT_MAX : 0;
    for (size_t i = n - EOCD_LEN + 1; i-- > lo;) {
        if (pb_le32(p + i) == SIG_EOCD && i + EOCD_LEN + le16(p + i + 20) == n) {
            *at = i;
            return 0;
        }
    }
    return err_set(e, "%s: not a complete zip archive: no end of central directory record (truncated?)", z->path);
}

static int read_end(const Zip *z, const uint8_t *p, size_t n, Dir *d, Err *e)
{
    size_t at = 0;
    if (find_eocd(z, p, n, &at, e) != 0) return -1;
    const uint8_t *r = p + at;
    if (le16(r + 4) != 0 || le16(r + 6) != 0) return err_set(e, "%s: a zip archive split over disks", z->path);
    d->count = le16(r + 10);
    d->cd_size = pb_le32(r + 12);
    d->cd_off = pb_le32(r + 16);
    d->end = at;
    if (at < LOC64_LEN || pb_le32(p + at - LOC64_LEN) != SIG_LOC64) return 0;
    /* zip64: the locator sits right before the record and points at the zip64 record */
    const uint8_t *l = p + at - LOC64_LEN;
    uint64_t off = pb_le64(l + 8);
    if (pb_le32(l + 4) != 0 || pb_le32(l + 16) > 1) return err_set(e, "%s: a zip archive split over disks", z->path);
    if (off > at - LOC64_LEN || at - LOC64_LEN - off < EOCD64_LEN || pb_le32(p + off) != SIG_EOCD64)
        return bad(z, e, "the zip64 locator does not point at a zip64 end record");
    const uint8_t *r64 = p + off;
    if (pb_le32(r64 + 16) != 0 || pb_le32(r64 + 20) != 0) return err_set(e, "%s: a zip archive split over disks", z->path);
    d->count = pb_le64(r64 + 32);
    d->cd_size = pb_le64(r64 + 40);
    d->cd_off = pb_le64(r64 + 48);
    d->end = off;
    return 0;
}

/* The zip64 extra field (id 1) holds 8-byte values for the fields saturated at 0xffffffff,
   in the order: uncompressed size, compressed size, local header offset. */
static int zip64_extra(const Zip *z, const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                       uint64_t *off, Err *e)
{
    while (xlen >= 4) {
        unsigned id = le16(x), len = le16(x + 2);
        if (len > xlen - 4) return bad(z, e, "an extra field runs past its entry");
        if (id == 1) {
            uint64_t *f[3] = {usize, csize, off};
            size_t o = 4;
            for (int i = 0; i < 3; i++) {
                if (*f[i] != 0xffffffffu) continue;
                if (o + 8 > 4 + (size_t)len) return bad(z, e, "a zip64 extra field is too short");
                *f[i] = pb_le64(x + o);
                o += 8;
            }
        }
        x += 4 + len;
        xlen -= 4 + len;
    }
    return 0;
}

/* The local header at off must agree with its central entry; the data follow it. */
static int read_local(const Zip *z, const uint8_t *p, const Dir *d, uint64_t off, ZipEntry *en, Err *e)
{
    if (off > d->cd_off || d->cd_off - off < LOCAL_LEN || pb_le32(p + off) != SIG_LOCAL)
        return bad(z, e, "an entry's local header is not where the central directory says");
    const uint8_t *h = p + off;
    uint64_t start = off + LOCAL_LEN + le16(h + 26) + le16(h + 28);
    if (le16(h + 26) != en->name_len || memcmp(h + LOCAL_LEN, en->name, en->name_len) != 0)
        return bad(z, e, "a local header's name differs from the central directory's");
    if (start > d->cd_off || en->size > d->cd_off - start)
        return bad(z, e, "an entry's data run past the start of the central directory");
    en->data = p + start;
    return 0;
}

static int read_entry(const Zip *z, const uint8_t *p, const Dir *d, const uint8_t **c, const uint8_t *cend,
                      ZipEntry *en, Err *e)
{
    const uint8_t *h = *c;
    if ((size_t)(cend - h) < CENTRAL_LEN || pb_le32(h) != SIG_CENTRAL)
        return bad(z, e, "the central directory holds fewer entries than its end record says");
    size_t nlen = le16(h + 28), xlen = le16(h + 30), clen = le16(h + 32);
    if (nlen + xlen + clen > (size_t)(cend - h) - CENTRAL_LEN) return bad(z, e, "a central entry runs past the directory");
    en->name = h + CENTRAL_LEN;
    en->name_len = nlen;
    en->crc = pb_le32(h + 16);
    uint64_t csize = pb_le32(h + 20), usize = pb_le32(h + 24), off = pb_le32(h + 42);
    if (zip64_extra(z, h + CENTRAL_LEN + nlen, xlen, &usize, &csize, &off, e) != 0) return -1;
    *c = h + CENTRAL_LEN + nlen + xlen + clen;
    char nm[128];
    size_t k = nlen < sizeof nm - 1 ? nlen : sizeof nm - 1;
    for (size_t i = 0; i < k; i++) nm[i] = en->name[i] < 0x20 || en->name[i] >= 0x7f ? '?' : (char)en->name[i];
    nm[k] = '\0';
    if (le16(h + 8) & 1) return err_set(e, "%s: zip entry '%s' is encrypted", z->path, nm);
    if (le16(h + 10) != 0)
        return err_set(e, "%s: zip entry '%s' is compressed (method %u); torch.save stores its entries uncompressed",
                       z->path, nm, le16(h + 10));
    if (csize != usize) return bad(z, e, "a stored entry's sizes differ");
    en->size = usize;
    return read_local(z, p, d, off, en, e);
}

static int name_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : an < bn ? -1 : an > bn;
}

static int by_name(const void *x, const void *y)
{
    const ZipEntry *a = x, *b = y;
    return name_cmp(a->name, a->name_len, b->name, b->name_len);
}

int zip_open(Zip *z, const uint8_t *p, size_t n, const char *path, Err *e)
{
    memset(z, 0, sizeof *z);
    z->path = path;
    Dir d = {0};
    if (read_end(z, p, n, &d, e) != 0) return -1;
    if (d.cd_off > d.end || d.cd_size > d.end - d.cd_off)
        return bad(z, e, "the central directory lies outside the file");
    if (d.count == 0) return err_set(e, "%s: an empty zip archive", path);
    if (d.count > ZIP_MAX_ENTRIES || d.count > d.cd_size / CENTRAL_LEN)
        return bad(z, e, "more entries than the central directory can hold");
    z->ent = calloc((size_t)d.count, sizeof *z->ent);
    if (!z->ent) return err_set(e, "%s: out of memory", path);
    const uint8_t *c = p + d.cd_off, *cend = c + d.cd_size;
    for (uint64_t i = 0; i < d.count; i++) {
        if (read_entry(z, p, &d, &c, cend, &z->ent[i], e) != 0) {
            zip_close(z);
            return -1;
        }
        z->n++;
    }
    qsort(z->ent, z->n, sizeof *z->ent, by_name); /* zip_find searches in halves */
    return 0;
}

void zip_close(Zip *z)
{
    free(z->ent);
    z->ent = NULL;
    z->n = 0;
}

const ZipEntry *zip_find(const Zip *z, const char *name, size_t len)
{
    size_t lo = 0, hi = z->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(z->ent[mid].name, z->ent[mid].name_len, (const uint8_t *)name, len);
        if (c == 0) return &z->ent[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

const ZipEntry *zip_find_suffix(const Zip *z, const char *suffix, int *several)
{
    size_t sn = strlen(suffix);
    const ZipEntry *found = NULL;
    if (several) *several = 0;
    for (size_t i = 0; i < z->n; i++) {
        const ZipEntry *en = &z->ent[i];
        if (en->name_len < sn || memcmp(en->name + en->name_len - sn, suffix, sn) != 0) continue;
        if (found) {
            if (several) *several = 1;
            return NULL;
        }
        found = en;
    }
    return found;
}

int zip_crc_ok(const ZipEntry *en)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const uint8_t *q = en->data;
    uint64_t left = en->size;
    while (left > 0) {
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        crc = crc32(crc, q, chunk);
        q += chunk;
        left -= chunk;
    }
    return (uint32_t)crc == en->crc;
}
