/*
 * zcb.S: Zcb (Zc* code-size reduction 1.0.x, chapter "Zcb"), in M-mode.
 * QEMU 7.2 and binutils 2.40 lack it: the instructions are .2byte with
 * the register fields filled in (rs1' = a0, rd' = a2, rs2' = a1).
 *
 * Covers: c.lbu (uimm 0..3), c.lhu and c.lh (uimm 0 and 2; c.lh
 * sign-extends), c.sb (uimm 0..3), c.sh (0 and 2) — each against the
 * 32-bit form's result; c.zext.b, c.sext.b, c.zext.h, c.sext.h, c.zext.w,
 * c.not on rd' in place; c.mul rd', rs2'; the reserved encodings (c.sh
 * with bit 6 set, the two unused unary codes 110 and 111) trap as illegal
 * with mtval = the 16-bit encoding. c.sext.b/c.zext.h/c.sext.h need Zbb and
 * c.zext.w Zba (all on by default; tests/unit/test_rv_ext.c checks that
 * they are reserved when those are off).
 */
#include "test.h"

#define TEST_ILLEGAL16(h) EXPECT_TRAP; .2byte h; CHECK_TRAP(CAUSE_ILLEGAL); CHECK_TVAL(h)
/* a2 = op(a2) for a one-register Zcb instruction */
#define TEST_C1(enc, a, res) li a2, a; .2byte enc; CHECK(a2, res)

TEST_BEGIN
    la a0, data
    .2byte 0x8110                        /* c.lbu a2, 0(a0) */
    CHECK(a2, 0x80)
    .2byte 0x8150                        /* c.lbu a2, 1(a0) */
    CHECK(a2, 0xf1)
    .2byte 0x8130                        /* c.lbu a2, 2(a0) */
    CHECK(a2, 0x12)
    .2byte 0x8170                        /* c.lbu a2, 3(a0) */
    CHECK(a2, 0xa3)
    .2byte 0x8510                        /* c.lhu a2, 0(a0) */
    CHECK(a2, 0xf180)
    .2byte 0x8530                        /* c.lhu a2, 2(a0) */
    CHECK(a2, 0xa312)
    .2byte 0x8550                        /* c.lh a2, 0(a0) */
    CHECK(a2, 0xfffffffffffff180)
    .2byte 0x8570                        /* c.lh a2, 2(a0) */
    CHECK(a2, 0xffffffffffffa312)
    la a0, out
    li a1, 0x11
    .2byte 0x890c                        /* c.sb a1, 0(a0) */
    li a1, 0x122
    .2byte 0x894c                        /* c.sb a1, 1(a0): low byte only */
    li a1, 0x33
    .2byte 0x892c                        /* c.sb a1, 2(a0) */
    li a1, 0x44
    .2byte 0x896c                        /* c.sb a1, 3(a0) */
    lwu a3, 0(a0)
    CHECK(a3, 0x44332211)
    li a1, 0x12345678
    .2byte 0x8d0c                        /* c.sh a1, 0(a0) */
    li a1, 0x9abc
    .2byte 0x8d2c                        /* c.sh a1, 2(a0) */
    lwu a3, 0(a0)
    CHECK(a3, 0x9abc5678)
    ld a3, 8(a0)
    CHECK(a3, 0)                         /* nothing past the stores */

    TEST_C1(0x9e61, 0x12345678abcdeff1, 0xf1)                  /* c.zext.b */
    TEST_C1(0x9e65, 0x12345678abcdeff1, 0xfffffffffffffff1)    /* c.sext.b */
    TEST_C1(0x9e65, 0x7f, 0x7f)
    TEST_C1(0x9e69, 0x12345678abcdeff1, 0xeff1)                /* c.zext.h */
    TEST_C1(0x9e6d, 0x12345678abcdeff1, 0xffffffffffffeff1)    /* c.sext.h */
    TEST_C1(0x9e6d, 0x7ff1, 0x7ff1)
    TEST_C1(0x9e71, 0x12345678abcdeff1, 0xabcdeff1)            /* c.zext.w */
    TEST_C1(0x9e75, 0x12345678abcdeff1, 0xedcba9875432100e)    /* c.not */
    li a2, 0x100000003
    li a1, -7
    .2byte 0x9e4d                        /* c.mul a2, a1 */
    CHECK(a2, 0xfffffff8ffffffeb)
    CHECK(a1, -7)

    TEST_ILLEGAL16(0x8d4c)               /* c.sh with bit 6 set */
    TEST_ILLEGAL16(0x9e79)               /* unary code 110 */
    TEST_ILLEGAL16(0x9e7d)               /* unary code 111 */
TEST_END

    .data
    .balign 8
data: .byte 0x80, 0xf1, 0x12, 0xa3, 0, 0, 0, 0
out:  .dword 0, 0
