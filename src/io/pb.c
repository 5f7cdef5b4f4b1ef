/* pb.c - protobuf wire-format reader: varints, fixed 32/64-bit values, length-delimited
   payloads and (deprecated) groups, every read checked against the end of its message.
   Field semantics (what field 7 means) live in the callers; see pb.h. */
#include "pb.h"

#include <string.h>

void pb_init(PbReader *r, const void *data, size_t size)
{
    memset(r, 0, sizeof *r);
    r->p = r->base = data;
    r->end = r->p + size;
}

int pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    const uint8_t *q = *p;
    /* 10 bytes carry 70 bits; anything longer is not a valid 64-bit varint. */
    for (int shift = 0; shift < 70; shift += 7) {
        if (q >= end) return -1;
        uint8_t b = *q++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            *p = q;
            return 0;
        }
    }
    return -1;
}

uint32_t pb_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t pb_le64(const uint8_t *p)
{
    return (uint64_t)pb_le32(p) | (uint64_t)pb_le32(p + 4) << 32;
}

static int fail(PbReader *r, const uint8_t *at, const char *why)
{
    r->err = why;
    r->err_off = (size_t)(at - r->base);
    return -1;
}

/* Reads a tag at *p. Field numbers are 1 .. 2^29-1; wire types 6 and 7 do not exist. */
static int read_tag(PbReader *r, const uint8_t **p, uint32_t *num, int *wire)
{
    uint64_t t;
    if (pb_varint(p, r->end, &t) != 0) return fail(r, *p, "truncated field tag");
    if (t >> 32 || (t >> 3) == 0) return fail(r, *p, "invalid field number");
    *num = (uint32_t)(t >> 3);
    *wire = (int)(t & 7);
    if (*wire > PB_I32) return fail(r, *p, "invalid wire type");
    return 0;
}

/* Skips one non-group value of the given wire type at *p. */
static int skip_scalar(PbReader *r, const uint8_t **p, int wire)
{
    uint64_t v;
    size_t left = (size_t)(r->end - *p);
    switch (wire) {
    case PB_VARINT:
        if (pb_varint(p, r->end, &v) != 0) return fail(r, *p, "truncated varint");
        return 0;
    case PB_I64:
        if (left < 8) return fail(r, *p, "truncated 64-bit value");
        *p += 8;
        return 0;
    case PB_I32:
        if (left < 4) return fail(r, *p, "truncated 32-bit value");
        *p += 4;
        return 0;
    case PB_LEN:
        if (pb_varint(p, r->end, &v) != 0) return fail(r, *p, "truncated length");
        if (v > (uint64_t)(r->end - *p)) return fail(r, *p, "length past the end of the data");
        *p += v;
        return 0;
    default:
        return fail(r, *p, "unexpected wire type");
    }
}

/* *p is just after a start-group tag for field num: finds the matching end tag, with
   nested groups counted on a bounded stack rather than by recursion. */
static int skip_group(PbReader *r, const uint8_t **p, uint32_t num, size_t *body_len)
{
    uint32_t open[PB_MAX_DEPTH];
    int n = 0;
    const uint8_t *body = *p;
    open[n++] = num;
    while (n > 0) {
        const uint8_t *tag_at = *p;
        uint32_t fnum;
        int wire;
        if (*p >= r->end) return fail(r, *p, "unterminated group");
        if (read_tag(r, p, &fnum, &wire) != 0) return -1;
        if (wire == PB_SGROUP) {
            if (n == PB_MAX_DEPTH || r->depth + n >= PB_MAX_DEPTH) return fail(r, tag_at, "groups nested too deeply");
            open[n++] = fnum;
        } else if (wire == PB_EGROUP) {
            if (open[n - 1] != fnum) return fail(r, tag_at, "mismatched end of group");
            if (--n == 0) *body_len = (size_t)(tag_at - body);
        } else if (skip_scalar(r, p, wire) != 0) {
            return -1;
        }
    }
    return 0;
}

int pb_next(PbReader *r, PbField *f)
{
    if (r->err) return -1;
    if (r->p >= r->end) return 0;
    const uint8_t *p = r->p;
    memset(f, 0, sizeof *f);
    if (read_tag(r, &p, &f->num, &f->wire) != 0) return -1;
    const uint8_t *val = p;
    switch (f->wire) {
    case PB_VARINT:
        if (pb_varint(&p, r->end, &f->u) != 0) return fail(r, val, "truncated varint");
        break;
    case PB_I64:
        if (skip_scalar(r, &p, PB_I64) != 0) return -1;
        f->u = pb_le64(val);
        break;
    case PB_I32:
        if (skip_scalar(r, &p, PB_I32) != 0) return -1;
        f->u = pb_le32(val);
        break;
    case PB_LEN: {
        uint64_t len;
        if (pb_varint(&p, r->end, &len) != 0) return fail(r, val, "truncated length");
        if (len > (uint64_t)(r->end - p)) return fail(r, val, "length past the end of the data");
        f->data = p;
        f->len = (size_t)len;
        p += len;
        break;
    }
    case PB_SGROUP:
        f->data = p;
        if (skip_group(r, &p, f->num, &f->len) != 0) return -1;
        break;
    default: /* an end-group tag with no group open */
        return fail(r, r->p, "end of group without a start");
    }
    r->p = p;
    return 1;
}

int pb_enter(const PbReader *r, const PbField *f, PbReader *sub)
{
    memset(sub, 0, sizeof *sub);
    sub->base = r->base;
    sub->depth = r->depth + 1;
    sub->p = sub->end = f->data;
    if (f->wire != PB_LEN) return fail(sub, r->p, "expected a message");
    if (sub->depth >= PB_MAX_DEPTH) return fail(sub, f->data, "messages nested too deeply");
    sub->end = f->data + f->len;
    return 0;
}

void pb_rep_init(PbRepeated *it, const PbReader *msg, uint32_t num, PbElem elem)
{
    memset(it, 0, sizeof *it);
    it->msg = *msg;
    it->num = num;
    it->elem = elem;
}

static const int elem_wire[] = {PB_VARINT, PB_I32, PB_I64};

/* One value from the packed run [it->pk, it->pkend). */
static int packed_next(PbRepeated *it, uint64_t *v)
{
    size_t left = (size_t)(it->pkend - it->pk);
    switch (it->elem) {
    case PB_ELEM_VARINT:
        if (pb_varint(&it->pk, it->pkend, v) != 0) return fail(&it->msg, it->pk, "truncated packed varint");
        return 1;
    case PB_ELEM_I32:
        if (left < 4) return fail(&it->msg, it->pk, "packed 32-bit values do not fill their field");
        *v = pb_le32(it->pk);
        it->pk += 4;
        return 1;
    default:
        if (left < 8) return fail(&it->msg, it->pk, "packed 64-bit values do not fill their field");
        *v = pb_le64(it->pk);
        it->pk += 8;
        return 1;
    }
}

int pb_rep_next(PbRepeated *it, uint64_t *v)
{
    for (;;) {
        if (it->pk < it->pkend) return packed_next(it, v);
        PbField f;
        int rc = pb_next(&it->msg, &f);
        if (rc <= 0) return rc;
        if (f.num != it->num) continue;
        if (f.wire == PB_LEN) {
            it->pk = f.data;
            it->pkend = f.data + f.len;
        } else if (f.wire == elem_wire[it->elem]) {
            *v = f.u;
            return 1;
        } else {
            return fail(&it->msg, f.data ? f.data : it->msg.p, "repeated field has the wrong wire type");
        }
    }
}

const uint8_t *pb_rep_pos(const PbRepeated *it)
{
    return it->pk < it->pkend ? it->pk : it->msg.p;
}
