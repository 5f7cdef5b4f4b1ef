/* afile.h - writing an output file all or nothing ("atomic file"), and checking output
   paths the user names before anything is computed.

       AFile a;
       if (afile_open(&a, "out/conv1.npy", &err) != 0) return -1;   // "PATH: ..." in err
       if (fwrite(buf, 1, n, a.f) != n) { afile_abort(&a); return err_set(...); }
       if (afile_commit(&a, &err) != 0) return -1;                   // "PATH: write failed (...)"

   afile_open refuses a target that exists and is not a regular file (a device, a FIFO, a
   directory: "PATH: exists and is not a regular file; not replaced") - it is never opened,
   written or removed. The data goes to a new temporary file in the same directory,
   "PATH.tmp-XXXXXX" (created with O_EXCL, so nothing else is ever opened), which
   afile_commit renames over PATH once every byte is written: a full disk, a file-size
   limit or an interrupted write never leaves a truncated file under the final name, and a
   file already there stays untouched until the new one is complete. A symbolic link to a
   regular file is followed: its target is replaced. afile_commit does not fsync (an output
   can be written again; a crash of the whole machine may leave the old file or an empty
   new one).

   Ownership: the AFile owns the stream and the temporary file until afile_commit or
   afile_abort, exactly one of which must be called after a successful afile_open; both
   close a.f and free what afile_open allocated, and neither ever removes anything but the
   temporary file. */
#ifndef ALEXSCOPE_AFILE_H
#define ALEXSCOPE_AFILE_H

#include <stdio.h>

#include "err.h"

typedef struct {
    FILE *f;          /* write here (binary mode) */
    char *path;       /* the final name (a symbolic link resolved) */
    char *tmp;        /* the temporary file's name */
} AFile;

/* Checks path as an output (afile_check_output) and creates its temporary file.
   0, or -1 with an Err and nothing created. */
int afile_open(AFile *a, const char *path, Err *e);

/* Flushes, checks the stream for write errors, closes it and renames the temporary file
   over the final name. On any failure the temporary file is removed, the final name is
   left as it was, and e says "PATH: write failed (REASON)". 0 or -1. */
int afile_commit(AFile *a, Err *e);

/* Closes the stream and removes the temporary file (only it). */
void afile_abort(AFile *a);

/* After a failed fwrite / fputs: afile_abort, and "PATH: write failed (REASON)" from the
   errno the failure left. Returns -1. */
int afile_fail(AFile *a, Err *e);

/* An output file path: 0 if it does not exist or is a regular file (or a symbolic link
   to one); -1 and "PATH: exists and is not a regular file; not replaced" otherwise (the
   check does not open the path, so a FIFO cannot block it). For start-up checks. */
int afile_check_output(const char *path, Err *e);

/* An output directory path: 0 if it does not exist (it will be created) or is a
   directory; -1 and "DIR: exists and is not a directory" otherwise. */
int afile_check_dir(const char *dir, Err *e);

/* path's parent directory exists as a directory: "" and "." count for "no directory
   part". -1 and "PATH: directory DIR does not exist" otherwise. For start-up checks of
   outputs written at the end of long runs. */
int afile_check_parent(const char *path, Err *e);

#endif
