/* pb.h - a tiny, bounds-checked reader of protobuf's wire format (ONNX and .caffemodel).

   No schema, no allocation: a PbReader walks the fields of one message held in memory
   and hands back each field's number, wire type and value (or payload slice). A
   length-delimited field is entered as a sub-message with pb_enter.

       PbReader r;  PbField f;
       pb_init(&r, data, size);
       while ((rc = pb_next(&r, &f)) > 0)
           if (f.num == 7 && f.wire == PB_LEN) { PbReader g; pb_enter(&r, &f, &g); ... }
       if (rc < 0) ... r.err says why, r.err_off where (offset from the outermost start)

   Every length is checked against the bytes that remain; groups are skipped with a
   bounded nesting depth, and pb_enter refuses to go deeper than PB_MAX_DEPTH. Values
   are read byte by byte, so the data may be unaligned and of either host endianness. */
#ifndef ALEXSCOPE_PB_H
#define ALEXSCOPE_PB_H

#include <stddef.h>
#include <stdint.h>

#define PB_MAX_DEPTH 32

typedef enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4, PB_I32 = 5 } PbWire;

typedef struct {
    const uint8_t *p, *end;  /* the unread part of this message */
    const uint8_t *base;     /* start of the outermost buffer, for offsets in messages */
    int depth;               /* messages entered above this one */
    const char *err;         /* why pb_next returned -1 */
    size_t err_off;          /* where, from base */
} PbReader;

typedef struct {
    uint32_t num;            /* field number, 1 .. 2^29-1 */
    int wire;                /* PbWire */
    uint64_t u;              /* VARINT: the value; I32 / I64: the little-endian bits */
    const uint8_t *data;     /* LEN: payload; SGROUP: the group's body */
    size_t len;
} PbField;

void pb_init(PbReader *r, const void *data, size_t size);

/* Reads the next field. 1: f is filled; 0: end of message; -1: malformed (r->err). */
int pb_next(PbReader *r, PbField *f);

/* Opens a LEN field of r as a message. -1 (and sub->err) if f is not LEN or too deep. */
int pb_enter(const PbReader *r, const PbField *f, PbReader *sub);

/* Reads a varint at *p (< end), advancing *p. -1 if truncated or longer than 10 bytes. */
int pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/* Little-endian loads from possibly unaligned bytes. */
uint32_t pb_le32(const uint8_t *p);
uint64_t pb_le64(const uint8_t *p);

/* Repeated scalar field num of a message, packed (one LEN field) or not (one field per
   value), or both mixed, as protobuf parsers must accept. */
typedef enum { PB_ELEM_VARINT, PB_ELEM_I32, PB_ELEM_I64 } PbElem;

typedef struct {
    PbReader msg;            /* the message's remaining fields */
    uint32_t num;
    PbElem elem;
    const uint8_t *pk, *pkend; /* the packed run being read, if any */
} PbRepeated;

/* it iterates the fields of msg (a copy; msg itself is not advanced). */
void pb_rep_init(PbRepeated *it, const PbReader *msg, uint32_t num, PbElem elem);
/* 1: *v is the next value (I32 / I64: its bits); 0: no more; -1: malformed (it->msg.err). */
int pb_rep_next(PbRepeated *it, uint64_t *v);
/* Where the iterator has read up to (for releasing pages already consumed). */
const uint8_t *pb_rep_pos(const PbRepeated *it);

#endif
