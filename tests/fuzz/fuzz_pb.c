/* fuzz_pb.c - the protobuf wire-format reader (src/io/pb.h): every field of every message,
   entering each length-delimited field as a sub-message as deep as pb_enter allows, and
   reading the first few field numbers of each message as repeated scalars of all three
   element kinds (packed or not; a few only, so the work stays linear in the input). */
#include <stddef.h>
#include <stdint.h>

#include "pb.h"

static uint64_t sink; /* keeps the reads from being optimised away */

static void walk(const PbReader *msg, int budget)
{
    PbReader r = *msg;
    PbField f;
    int rc, repeated = 0;
    while ((rc = pb_next(&r, &f)) > 0) {
        sink += f.num + f.u;
        for (PbElem k = PB_ELEM_VARINT; repeated < 4 && k <= PB_ELEM_I64; k++) {
            PbRepeated it;
            uint64_t v;
            pb_rep_init(&it, msg, f.num, k);
            while (pb_rep_next(&it, &v) > 0) sink += v;
            sink += (uintptr_t)pb_rep_pos(&it);
        }
        repeated++;
        if (f.wire != PB_LEN) continue;
        PbReader sub;
        if (budget > 0 && pb_enter(&r, &f, &sub) == 0) walk(&sub, budget - 1);
    }
    if (rc < 0) sink += r.err_off + (r.err ? (uint8_t)r.err[0] : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PbReader r;
    pb_init(&r, data, size);
    /* PB_MAX_DEPTH + 2: deeper than pb_enter allows, so its refusal is exercised too */
    walk(&r, PB_MAX_DEPTH + 2);
    return 0;
}
