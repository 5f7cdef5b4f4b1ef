/* zip.h - the entries of a zip archive held in memory (PKWARE's APPNOTE.TXT: end of
   central directory, its zip64 locator and record, central directory, local headers), as
   PyTorch's torch.save (1.6 and later) writes them: every entry stored, not compressed.

       Zip z;
       if (zip_open(&z, bytes, len, "model.pth", &err) != 0) { ... err.msg ... }
       const ZipEntry *pk = zip_find_suffix(&z, "/data.pkl");
       ... pk->data[0 .. pk->size) are the entry's bytes, inside `bytes` ...
       zip_close(&z);

   Nothing is copied: names and data point into the caller's bytes, which must outlive z.
   Every offset and length is checked against len before it is used: the entries' data lie
   inside the file, before the central directory, and each local header agrees with its
   central entry. Compressed or encrypted entries, archives split over disks and more than
   ZIP_MAX_ENTRIES entries are refused. Failure: -1 and an Err "PATH: what is wrong". */
#ifndef ALEXSCOPE_ZIP_H
#define ALEXSCOPE_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define ZIP_MAX_ENTRIES 100000 /* a checkpoint has one entry per storage, plus 3 */

typedef struct {
    const uint8_t *name; /* not NUL-terminated */
    size_t name_len;
    const uint8_t *data; /* the stored bytes */
    uint64_t size;
    uint32_t crc;        /* CRC-32 from the central directory */
} ZipEntry;

typedef struct {
    const char *path;
    ZipEntry *ent;  /* sorted by name */
    size_t n;
} Zip;

/* 1 if p starts like a zip archive (a local header "PK\3\4"). */
int zip_sniff(const uint8_t *p, size_t n);

int zip_open(Zip *z, const uint8_t *p, size_t n, const char *path, Err *e);
void zip_close(Zip *z);

/* The entry named exactly name[0 .. len), or NULL. */
const ZipEntry *zip_find(const Zip *z, const char *name, size_t len);
/* The one entry whose name ends with suffix; NULL if none, NULL and *several = 1 if more
   than one (several may be NULL). */
const ZipEntry *zip_find_suffix(const Zip *z, const char *suffix, int *several);

/* 1 if the entry's bytes have its CRC-32. */
int zip_crc_ok(const ZipEntry *en);

#endif
