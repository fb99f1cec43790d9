/*
 * hints.S: instructions that must not change architectural state beyond
 * what their spec says: Zihintntl 1.0, Zimop and Zcmop 1.0 (may-be-
 * operations), Zawrs 1.01. In M-, S- and U-mode. QEMU 7.2 and binutils 2.40
 * lack Zihintntl, Zimop and Zcmop (encoded with .word/.2byte); Zawrs is
 * known to binutils 2.40 but not to QEMU 7.2.
 *
 * Covers:
 *  - ntl.p1/ntl.pall/ntl.s1/ntl.all (add x0, x0, x2..x5) and c.ntl.*
 *    (c.add x0, x2..x5) change no register (Zihintntl 1.0, ch. 2: HINTs);
 *    the store after them works;
 *  - mop.r.n (n = 0, 17, 31) and mop.rr.n (n = 0, 7) write 0 to rd and leave
 *    rs1/rs2 alone; mop.r with rd = x0 does nothing (Zimop 1.0, ch. 1: "the
 *    defined behavior is to write zero to rd");
 *  - c.mop.1 ... c.mop.15 write no register (Zcmop 1.0: "not write any
 *    register"); c.lui x4, 0 (not a c.mop) stays reserved: illegal;
 *  - wrs.nto and wrs.sto complete (rivet does not wait: the spec allows an
 *    implementation to return at once) in M, S and U mode, with and without
 *    a reservation; with mstatus.TW = 1, wrs.nto in S- or U-mode is an
 *    illegal instruction (Zawrs 1.01, ch. 2, as QEMU does: the bounded time
 *    of the spec is zero); wrs.sto is not affected by TW.
 */
#include "test.h"
    .option arch, +zawrs

#define TEST_ILLEGAL16(h) EXPECT_TRAP; .2byte h; CHECK_TRAP(CAUSE_ILLEGAL); CHECK_TVAL(h)

/* sp, gp, tp, t0..t2, ra must be unchanged */
.macro SAVE_REGS
    mv s2, sp; mv s3, gp; mv s4, tp; mv s5, t0; mv s6, t1; mv s7, t2; mv s8, ra
.endm
.macro CHECK_SAVED
    CHECK_REG(sp, s2); CHECK_REG(gp, s3); CHECK_REG(tp, s4); CHECK_REG(t0, s5)
    CHECK_REG(t1, s6); CHECK_REG(t2, s7); CHECK_REG(ra, s8)
.endm

TEST_BEGIN
    /* ---- Zihintntl */
    li t0, 0x1234
    SAVE_REGS
    la a0, slot
    .word 0x00200033                     /* ntl.p1 */
    sd t0, 0(a0)
    .word 0x00300033                     /* ntl.pall */
    .word 0x00400033                     /* ntl.s1 */
    .word 0x00500033                     /* ntl.all */
    .2byte 0x900a                        /* c.ntl.p1 */
    .2byte 0x900e                        /* c.ntl.pall */
    .2byte 0x9012                        /* c.ntl.s1 */
    .2byte 0x9016                        /* c.ntl.all */
    ld a1, 0(a0)
    CHECK(a1, 0x1234)
    CHECK_SAVED
    CHECK(zero, 0)

    /* ---- Zimop: rd = 0; rs1 = a0, rs2 = a1, rd = a2 */
    li a0, 0x55
    li a1, 0x66
    li a2, -1
    .word 0x81c54673                     /* mop.r.0 a2, a0 */
    CHECK(a2, 0)
    li a2, -1
    .word 0xcdf54673                     /* mop.r.31 a2, a0 */
    CHECK(a2, 0)
    li a2, -1
    .word 0xc1d54673                     /* mop.r.17 a2, a0 */
    CHECK(a2, 0)
    li a2, -1
    .word 0x82b54673                     /* mop.rr.0 a2, a0, a1 */
    CHECK(a2, 0)
    li a2, -1
    .word 0xceb54673                     /* mop.rr.7 a2, a0, a1 */
    CHECK(a2, 0)
    CHECK(a0, 0x55)
    CHECK(a1, 0x66)
    .word 0x85d54073                     /* mop.r.5 zero, a0 */
    CHECK(zero, 0)

    /* ---- Zcmop */
    SAVE_REGS
    .2byte 0x6081                        /* c.mop.1 */
    .2byte 0x6181                        /* c.mop.3 */
    .2byte 0x6281                        /* c.mop.5 */
    .2byte 0x6381                        /* c.mop.7 */
    .2byte 0x6481
    .2byte 0x6581
    .2byte 0x6681
    .2byte 0x6781                        /* c.mop.15 */
    CHECK_SAVED
    TEST_ILLEGAL16(0x6201)               /* c.lui x4, 0: reserved */

    /* ---- Zawrs */
    wrs.nto
    wrs.sto
    la a0, slot
    lr.d a1, (a0)
    wrs.nto
    sc.d a2, t0, (a0)
    CHECK(a2, 0)                         /* the reservation is still there */
    wrs.sto
    li a0, MSTATUS_TW
    csrs mstatus, a0
    wrs.nto                              /* M-mode: TW does not apply */
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    wrs.nto
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0x00d00073)
    wrs.sto
    BACK_TO_M(1f)
1:  GOTO_UMODE(1f)
1:  EXPECT_TRAP
    wrs.nto
    CHECK_TRAP(CAUSE_ILLEGAL)
    wrs.sto
    BACK_TO_M(1f)
1:  li a0, MSTATUS_TW
    csrc mstatus, a0
    GOTO_SMODE(1f)
1:  wrs.nto
    wrs.sto
    BACK_TO_M(1f)
1:  GOTO_UMODE(1f)
1:  wrs.nto
    wrs.sto
    BACK_TO_M(1f)
1:
TEST_END

    .data
    .balign 8
slot: .dword 0
