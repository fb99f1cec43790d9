/*
 * rva.S: the A extension (RV64A), in M-mode.
 *
 * Covers: LR/SC success (rd = 0, memory written); SC without a reservation
 * (after a successful SC consumed it) fails with rd = 1 and stores nothing;
 * SC to a different address than the LR (in another page) fails; an SC
 * after a store to another address in between may succeed or fail
 * (implementation-defined), but memory must agree with its rd; LR.W
 * sign-extends, SC.W writes only 32 bits; an LR/SC increment loop; every
 * AMO (SWAP/ADD/AND/OR/XOR/MIN/MAX/MINU/MAXU, .W and .D) returns the old
 * value (.W: sign-extended) and writes the right new value (.W: upper
 * word untouched, rs2's upper bits ignored, signed/unsigned 32-bit
 * compares); rd = x0 and rd = rs2 aliasing; aq/rl variants execute;
 * misaligned AMOs raise store/AMO address-misaligned (cause 6) with
 * mtval = the address and leave memory alone; a misaligned LR raises
 * load address-misaligned (cause 4).
 *
 * QEMU 7.2 deviates: it reports a misaligned AMO as a *load* address-
 * misaligned exception (cause 4), so this test fails on QEMU at the first
 * misaligned-AMO check.  Build with -DQEMU72_QUIRKS to expect cause 4
 * and run the remaining checks on QEMU.
 */
#include "test.h"

#ifdef QEMU72_QUIRKS
#define AMO_MISALIGNED_CAUSE CAUSE_MISALIGNED_LOAD
#else
#define AMO_MISALIGNED_CAUSE CAUSE_MISALIGNED_STORE
#endif

/* memory at s0 = init (64-bit); insn a2, a1=operand, (s0) */
#define TEST_AMO(insn, init, operand, old, newmem) \
    li a0, init; sd a0, 0(s0); li a1, operand; \
    insn a2, a1, (s0); CHECK(a2, old); ld a3, 0(s0); CHECK(a3, newmem)

TEST_BEGIN
    la s0, area
    /* ---- LR/SC success */
    li a0, 0x1122334455667788
    sd a0, 0(s0)
    lr.d a1, (s0)
    CHECK(a1, 0x1122334455667788)
    li a2, 0x0123456789abcdef
    sc.d a3, a2, (s0)
    CHECK(a3, 0)
    ld a4, 0(s0)
    CHECK(a4, 0x0123456789abcdef)

    /* ---- SC without reservation: fails, no store */
    li a2, 0x5555
    sc.d a3, a2, (s0)
    CHECK(a3, 1)
    ld a4, 0(s0)
    CHECK(a4, 0x0123456789abcdef)

    /* ---- SC to a different address than the LR fails */
    la s1, area_far
    li a0, 77
    sd a0, 0(s1)
    lr.d a1, (s0)
    li a2, 99
    sc.d a3, a2, (s1)
    CHECK(a3, 1)
    ld a4, 0(s1)
    CHECK(a4, 77)
    ld a4, 0(s0)
    CHECK(a4, 0x0123456789abcdef)

    /* ---- SC after an unrelated store: either outcome, consistently */
    lr.d a1, (s0)
    li a0, 5
    sd a0, 0(s1)
    li a2, 0x4242
    sc.d a3, a2, (s0)
    ld a4, 0(s0)
    bnez a3, 1f
    CHECK(a4, 0x4242)
    j 2f
1:  CHECK(a4, 0x0123456789abcdef)
    CHECK(a3, 1)
2:
    /* ---- LR.W / SC.W */
    li a0, 0x5a5a5a5a80000001
    sd a0, 0(s0)
    lr.w a1, (s0)
    CHECK(a1, 0xffffffff80000001)
    li a2, 0xffffffff12345678
    sc.w a3, a2, (s0)
    CHECK(a3, 0)
    ld a4, 0(s0)
    CHECK(a4, 0x5a5a5a5a12345678)
    addi a5, s0, 4
    lr.w a1, (a5)
    CHECK(a1, 0x5a5a5a5a)
    sc.w a3, a2, (s1)  /* different word */
    CHECK(a3, 1)
    /* aq/rl variants */
    lr.d.aqrl a1, (s0)
    sc.d.rl a3, a1, (s0)
    CHECK(a3, 0)
    lr.w.aq a1, (s0)
    sc.w.aqrl a3, a1, (s0)
    CHECK(a3, 0)

    /* ---- A single hart keeps its reservation across rivet's slice ends
     * (found by make difftest: an SC right after a slice end failed on
     * rivet, succeeded on QEMU). 300 000 instructions between LR and SC
     * cross at least two 100 000-instruction slices; no store, no trap. */
    li a1, 0x1234
    sd a1, 0(s0)
    lr.d a2, (s0)
    li t0, 150000
4:  addi t0, t0, -1
    bnez t0, 4b
    addi a2, a2, 1
    sc.d a3, a2, (s0)
    CHECK(a3, 0)
    ld a4, 0(s0)
    CHECK(a4, 0x1235)

    /* ---- LR/SC increment loop */
    sd zero, 0(s0)
    li t0, 100
3:  lr.d t1, (s0)
    addi t1, t1, 3
    sc.d t2, t1, (s0)
    bnez t2, 3b
    addi t0, t0, -1
    bnez t0, 3b
    ld a4, 0(s0)
    CHECK(a4, 300)

    /* ---- AMO .D */
    TEST_AMO(amoswap.d, 0x1111111111111111, 0x2222222222222222, 0x1111111111111111, 0x2222222222222222)
    TEST_AMO(amoadd.d,  0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000)
    TEST_AMO(amoand.d,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00)
    TEST_AMO(amoor.d,   0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0)
    TEST_AMO(amoxor.d,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0)
    TEST_AMO(amomin.d,  -5, 3, -5, -5)
    TEST_AMO(amomin.d,  5, -3, 5, -3)
    TEST_AMO(amomax.d,  -5, 3, -5, 3)
    TEST_AMO(amomax.d,  0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_AMO(amominu.d, -5, 3, -5, 3)
    TEST_AMO(amominu.d, 2, -1, 2, 2)
    TEST_AMO(amomaxu.d, -5, 3, -5, -5)
    TEST_AMO(amomaxu.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000)

    /* ---- AMO .W: old value sign-extended, upper word untouched */
    TEST_AMO(amoswap.w, 0xa5a5a5a580000000, 0x1234567876543210, 0xffffffff80000000, 0xa5a5a5a576543210)
    TEST_AMO(amoadd.w,  0xa5a5a5a57fffffff, 1, 0x7fffffff, 0xa5a5a5a580000000)
    TEST_AMO(amoadd.w,  0xa5a5a5a5ffffffff, 0x00000000ffffffff, -1, 0xa5a5a5a5fffffffe)
    TEST_AMO(amoand.w,  0xa5a5a5a5ff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xa5a5a5a50f000f00)
    TEST_AMO(amoor.w,   0xa5a5a5a5ff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xa5a5a5a5fff0fff0)
    TEST_AMO(amoxor.w,  0xa5a5a5a5ff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xa5a5a5a5f0f0f0f0)
    TEST_AMO(amomin.w,  0xa5a5a5a580000000, 1, 0xffffffff80000000, 0xa5a5a5a580000000)
    TEST_AMO(amomin.w,  0xa5a5a5a500000005, 0x00000000fffffffd, 5, 0xa5a5a5a5fffffffd)
    TEST_AMO(amomax.w,  0xa5a5a5a580000000, 1, 0xffffffff80000000, 0xa5a5a5a500000001)
    TEST_AMO(amomax.w,  0xa5a5a5a5fffffffb, 0xfffffffffffffffd, -5, 0xa5a5a5a5fffffffd)
    TEST_AMO(amominu.w, 0xa5a5a5a580000000, 0xffffffff00000001, 0xffffffff80000000, 0xa5a5a5a500000001)
    TEST_AMO(amominu.w, 0xa5a5a5a500000002, 0xffffffff, 2, 0xa5a5a5a500000002)
    TEST_AMO(amomaxu.w, 0xa5a5a5a580000000, 0x7fffffff, 0xffffffff80000000, 0xa5a5a5a580000000)
    TEST_AMO(amomaxu.w, 0xa5a5a5a500000002, 0x00000001fffffffe, 2, 0xa5a5a5a5fffffffe)
    /* the upper word of a doubleword, via an AMO.W at +4 */
    li a0, 0x00000007a5a5a5a5
    sd a0, 0(s0)
    addi a5, s0, 4
    li a1, 1
    amoadd.w a2, a1, (a5)
    CHECK(a2, 7)
    ld a3, 0(s0)
    CHECK(a3, 0x00000008a5a5a5a5)

    /* ---- aliasing */
    li a0, 10
    sd a0, 0(s0)
    li a1, 5
    amoadd.d a1, a1, (s0)        /* rd == rs2 */
    CHECK(a1, 10)
    ld a3, 0(s0)
    CHECK(a3, 15)
    li a1, 5
    amoadd.d x0, a1, (s0)        /* rd == x0: still writes memory */
    ld a3, 0(s0)
    CHECK(a3, 20)
    CHECK(x0, 0)
    amoor.d.aqrl a2, zero, (s0)  /* AMO as an atomic load */
    CHECK(a2, 20)

    /* ---- misaligned AMOs trap (cause 6, mtval = address) */
    li a0, 0x1111111111111111
    sd a0, 0(s0)
    sd a0, 8(s0)
    addi s2, s0, 2
    li a1, 1
    li a2, 0x77
    EXPECT_TRAP
    amoadd.w a2, a1, (s2)
    CHECK_TRAP(AMO_MISALIGNED_CAUSE)
    CHECK_TVAL_REG(s2)
    CHECK(a2, 0x77)              /* rd not written */
    addi s2, s0, 4
    EXPECT_TRAP
    amoswap.d a2, a1, (s2)
    CHECK_TRAP(AMO_MISALIGNED_CAUSE)
    CHECK_TVAL_REG(s2)
    addi s2, s0, 1
    EXPECT_TRAP
    amomaxu.d a2, a1, (s2)
    CHECK_TRAP(AMO_MISALIGNED_CAUSE)
    CHECK_TVAL_REG(s2)
    ld a3, 0(s0)
    CHECK(a3, 0x1111111111111111)  /* memory untouched */
    ld a3, 8(s0)
    CHECK(a3, 0x1111111111111111)
    /* misaligned LR: load address-misaligned */
    addi s2, s0, 2
    EXPECT_TRAP
    lr.w a2, (s2)
    CHECK_TRAP(CAUSE_MISALIGNED_LOAD)
    CHECK_TVAL_REG(s2)
    addi s2, s0, 4
    EXPECT_TRAP
    lr.d a2, (s2)
    CHECK_TRAP(CAUSE_MISALIGNED_LOAD)
    CHECK_TVAL_REG(s2)
TEST_END

    .data
    .align 6
area:
    .fill 64, 1, 0
    .align 12
area_far:
    .fill 64, 1, 0
