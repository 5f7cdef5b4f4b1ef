/* test_pb.c - the protobuf wire-format reader (pb.c) on messages written out byte by byte.
   Every expected value is worked out by hand from the encoding in protobuf's "Encoding"
   guide: a varint is 7 bits per byte, low group first, top bit set on all bytes but the
   last; a tag is (field number << 3 | wire type). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pb.h"

static int varint(const uint8_t *b, size_t n, uint64_t *v, size_t *used)
{
    const uint8_t *p = b;
    int rc = pb_varint(&p, b + n, v);
    *used = (size_t)(p - b);
    return rc;
}

static void test_varint(void **state)
{
    uint64_t v;
    size_t used;
    static const uint8_t zero[] = {0x00}, one[] = {0x01};
    static const uint8_t v150[] = {0x96, 0x01};       /* 0x16 + (0x01 << 7) = 22 + 128 */
    static const uint8_t v300[] = {0xAC, 0x02};       /* 0x2C + (0x02 << 7) = 44 + 256 */
    static const uint8_t max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}; /* 9×7 + 1 bits */
    static const uint8_t eleven[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    static const uint8_t cut[] = {0x96};
    assert_int_equal(varint(zero, 1, &v, &used), 0);
    assert_true(v == 0 && used == 1);
    assert_int_equal(varint(one, 1, &v, &used), 0);
    assert_true(v == 1 && used == 1);
    assert_int_equal(varint(v150, 2, &v, &used), 0);
    assert_true(v == 150 && used == 2);
    assert_int_equal(varint(v300, 2, &v, &used), 0);
    assert_true(v == 300 && used == 2);
    assert_int_equal(varint(max, sizeof max, &v, &used), 0);
    assert_true(v == UINT64_MAX && used == 10);
    assert_int_equal(varint(eleven, sizeof eleven, &v, &used), -1); /* longer than 10 bytes */
    assert_int_equal(varint(cut, 1, &v, &used), -1);                /* continuation, then the end */
    assert_int_equal(used, 0);                                      /* *p not advanced on failure */
    assert_int_equal(varint(v150, 0, &v, &used), -1);
}

static void test_little_endian(void **state)
{
    /* one leading byte, so the loads are unaligned */
    static const uint8_t b[] = {0xEE, 0x78, 0x56, 0x34, 0x12, 0xF0, 0xDE, 0xBC, 0x9A};
    assert_true(pb_le32(b + 1) == 0x12345678u);
    assert_true(pb_le64(b + 1) == 0x9ABCDEF012345678ull);
}

/* One field of each wire type, in order. */
static void test_fields(void **state)
{
    static const uint8_t m[] = {
        0x08, 0x96, 0x01,                         /* 1: varint 150        (1 << 3 | 0 = 0x08) */
        0x12, 0x02, 'h', 'i',                     /* 2: LEN "hi"          (2 << 3 | 2 = 0x12) */
        0x1D, 0x00, 0x00, 0x80, 0x3F,             /* 3: I32 bits of 1.0f  (3 << 3 | 5 = 0x1D) */
        0x21, 1, 2, 3, 4, 5, 6, 7, 8,             /* 4: I64               (4 << 3 | 1 = 0x21) */
        0x80, 0x01, 0x07,                         /* 16: varint 7         (16 << 3 = 128 = 0x80 0x01) */
    };
    PbReader r;
    PbField f;
    pb_init(&r, m, sizeof m);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 1 && f.wire == PB_VARINT && f.u == 150);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 2 && f.wire == PB_LEN && f.len == 2 && f.data == m + 5);
    assert_memory_equal(f.data, "hi", 2);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 3 && f.wire == PB_I32 && f.u == 0x3F800000u);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 4 && f.wire == PB_I64 && f.u == 0x0807060504030201ull);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 16 && f.wire == PB_VARINT && f.u == 7);
    assert_int_equal(pb_next(&r, &f), 0);
    assert_int_equal(pb_next(&r, &f), 0); /* and stays at the end */
}

/* Each malformed message: -1, the reason, and the offset where it was found. */
static void expect_bad(const uint8_t *m, size_t n, const char *why, size_t off)
{
    PbReader r;
    PbField f;
    int rc;
    pb_init(&r, m, n);
    while ((rc = pb_next(&r, &f)) > 0) {}
    assert_int_equal(rc, -1);
    assert_string_equal(r.err, why);
    assert_int_equal(r.err_off, off);
    assert_int_equal(pb_next(&r, &f), -1); /* an error sticks */
}

static void test_malformed(void **state)
{
    static const uint8_t num0[] = {0x00};                              /* field number 0 */
    static const uint8_t wire6[] = {0x0E};                             /* 1 << 3 | 6 */
    static const uint8_t past[] = {0x08, 0x01, 0x0A, 0x05, 'a'};       /* field 1 LEN 5, 1 byte left */
    static const uint8_t i32[] = {0x1D, 0x00, 0x00};                   /* 4 bytes needed, 2 left */
    static const uint8_t i64[] = {0x21, 0, 0, 0, 0, 0, 0, 0};          /* 8 needed, 7 left */
    static const uint8_t egroup[] = {0x0C};                            /* 1 << 3 | 4, no group open */
    static const uint8_t tag[] = {0x80};                               /* a tag cut short */
    static const uint8_t val[] = {0x08, 0x80};                         /* a value cut short */
    expect_bad(num0, sizeof num0, "invalid field number", 1);
    expect_bad(wire6, sizeof wire6, "invalid wire type", 1);
    expect_bad(past, sizeof past, "length past the end of the data", 3);
    expect_bad(i32, sizeof i32, "truncated 32-bit value", 1);
    expect_bad(i64, sizeof i64, "truncated 64-bit value", 1);
    expect_bad(egroup, sizeof egroup, "end of group without a start", 0);
    expect_bad(tag, sizeof tag, "truncated field tag", 0);
    expect_bad(val, sizeof val, "truncated varint", 1);
}

/* Deprecated groups are skipped as one field whose data is the group's body. */
static void test_groups(void **state)
{
    static const uint8_t m[] = {
        0x0B,             /* field 1, start group (1 << 3 | 3) */
        0x10, 0x05,       /*   field 2 varint 5 */
        0x1B, 0x1C,       /*   field 3 start, field 3 end (3 << 3 | 4): a nested empty group */
        0x0C,             /* field 1, end group */
        0x18, 0x07,       /* field 3 varint 7 */
    };
    PbReader r;
    PbField f;
    pb_init(&r, m, sizeof m);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 1 && f.wire == PB_SGROUP && f.data == m + 1 && f.len == 4);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_true(f.num == 3 && f.wire == PB_VARINT && f.u == 7);
    assert_int_equal(pb_next(&r, &f), 0);

    static const uint8_t mismatched[] = {0x0B, 0x14};  /* start 1, end 2 (2 << 3 | 4) */
    static const uint8_t open[] = {0x0B, 0x10, 0x05};   /* never closed */
    expect_bad(mismatched, sizeof mismatched, "mismatched end of group", 1);
    expect_bad(open, sizeof open, "unterminated group", 3);
    /* PB_MAX_DEPTH start tags: refused before the stack can overflow */
    uint8_t deep[PB_MAX_DEPTH + 1];
    memset(deep, 0x0B, sizeof deep);
    expect_bad(deep, sizeof deep, "groups nested too deeply", PB_MAX_DEPTH);
}

static void test_enter(void **state)
{
    /* field 1 holds a message whose field 1 is 42 (0x2A); offsets stay from the outer start */
    static const uint8_t m[] = {0x0A, 0x02, 0x08, 0x2A, 0x12, 0x03, 0x08, 0x80, 0x80};
    PbReader r, sub;
    PbField f, g;
    pb_init(&r, m, sizeof m);
    assert_int_equal(pb_next(&r, &f), 1);
    assert_int_equal(pb_enter(&r, &f, &sub), 0);
    assert_int_equal(sub.depth, 1);
    assert_int_equal(pb_next(&sub, &g), 1);
    assert_true(g.num == 1 && g.u == 42);
    assert_int_equal(pb_next(&sub, &g), 0);
    /* field 2 holds "08 80 80": a varint cut short at byte 7 of the outer buffer */
    assert_int_equal(pb_next(&r, &f), 1);
    assert_int_equal(pb_enter(&r, &f, &sub), 0);
    assert_int_equal(pb_next(&sub, &g), -1);
    assert_string_equal(sub.err, "truncated varint");
    assert_int_equal(sub.err_off, 7);
    /* not a message; too deep */
    PbField v = {.num = 1, .wire = PB_VARINT};
    assert_int_equal(pb_enter(&r, &v, &sub), -1);
    assert_string_equal(sub.err, "expected a message");
    r.depth = PB_MAX_DEPTH - 1;
    assert_int_equal(pb_enter(&r, &f, &sub), -1);
    assert_string_equal(sub.err, "messages nested too deeply");
}

/* Field num of the n-byte message m, read with pb_rep_* as elem: exactly the count values
   of want. r and it are left at the end, for the caller to look at. */
static void expect_repeated(PbReader *r, PbRepeated *it, const uint8_t *m, size_t n, uint32_t num, PbElem elem,
                            const uint64_t *want, int count)
{
    uint64_t v;
    pb_init(r, m, n);
    pb_rep_init(it, r, num, elem);
    for (int i = 0; i < count; i++) {
        assert_int_equal(pb_rep_next(it, &v), 1);
        assert_true(v == want[i]);
    }
    assert_int_equal(pb_rep_next(it, &v), 0);
}

/* The first pb_rep_next of field num fails with err. */
static void expect_repeated_error(const uint8_t *m, size_t n, uint32_t num, PbElem elem, const char *err)
{
    PbReader r;
    PbRepeated it;
    uint64_t v;
    pb_init(&r, m, n);
    pb_rep_init(&it, &r, num, elem);
    assert_int_equal(pb_rep_next(&it, &v), -1);
    assert_string_equal(it.msg.err, err);
}

static void test_repeated(void **state)
{
    /* field 4 packed (1, 150), an unrelated field, field 4 unpacked 5, packed again (300) */
    static const uint8_t m[] = {
        0x22, 0x03, 0x01, 0x96, 0x01, /* 4 << 3 | 2, 3 bytes: 1, 150 */
        0x08, 0x01,                   /* field 1: skipped */
        0x20, 0x05,                   /* 4 << 3 | 0: 5 */
        0x22, 0x02, 0xAC, 0x02,       /* 300 */
    };
    PbReader r;
    PbRepeated it;
    static const uint64_t want[] = {1, 150, 5, 300};
    expect_repeated(&r, &it, m, sizeof m, 4, PB_ELEM_VARINT, want, 4);
    assert_ptr_equal(pb_rep_pos(&it), m + sizeof m);
    assert_ptr_equal(r.p, m); /* the message itself was not advanced */

    /* packed fixed32 (1.0f, 2.0f) and one unpacked (-1.0f = 0xBF800000) */
    static const uint8_t f32[] = {0x2A, 0x08, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0x2D, 0, 0, 0x80, 0xBF};
    static const uint64_t wf[] = {0x3F800000u, 0x40000000u, 0xBF800000u};
    expect_repeated(&r, &it, f32, sizeof f32, 5, PB_ELEM_I32, wf, 3);

    /* 3 bytes cannot hold 32-bit values; an I32 where varints are expected */
    static const uint8_t short3[] = {0x2A, 0x03, 0, 0, 0};
    static const uint8_t wrong[] = {0x25, 0, 0, 0, 0};
    expect_repeated_error(short3, sizeof short3, 5, PB_ELEM_I32, "packed 32-bit values do not fill their field");
    expect_repeated_error(wrong, sizeof wrong, 4, PB_ELEM_VARINT, "repeated field has the wrong wire type");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint),   cmocka_unit_test(test_little_endian), cmocka_unit_test(test_fields),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_groups),      cmocka_unit_test(test_enter),
        cmocka_unit_test(test_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
