/*
 * fused.S: pairs of instructions that rivet's interpreter runs as one op
 * (cpu/riscv/decode.h, RV_FUSED_OPS) behave exactly like two: results with
 * register aliasing between the two, and precise faults in the second
 * instruction (mepc/mtval name it, the first one's effect is kept).
 */
#include "test.h"

#define UNMAPPED 0xc0000008   /* between RAM end and high PCIe MMIO */

TEST_BEGIN
    la s0, buf

    /* slli + add, the second reading the first's result (and itself) */
    li a0, 5
    slli a0, a0, 3
    add a0, a0, a0
    CHECK(a0, 80)
    /* add + lw through the sum */
    li a1, 8
    add a2, s0, a1
    lw a2, 0(a2)
    CHECK(a2, 0x22222222)
    /* addi + addi chained */
    li a3, 1
    addi a3, a3, 2
    addi a3, a3, 3
    CHECK(a3, 6)
    /* sd + sd, ld + ld into the same register */
    li a4, 0x1111
    li a5, 0x2222
    sd a4, 16(s0)
    sd a5, 24(s0)
    ld a6, 16(s0)
    ld a6, 24(s0)
    CHECK(a6, 0x2222)
    /* slli + srli: zero-extension idiom */
    li a0, -1
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK(a0, 0xffffffff)
    li a0, -2
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK(a0, 0xfffffffe)
    li a0, 0x123456789
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK(a0, 0x23456789)

    /* addi + bnez (a pair that ends the block): a counted loop */
    li a1, 10
    j 5f
5:  addi a1, a1, -1
    bnez a1, 5b
    CHECK(a1, 0)
    /* addi + ret */
    li a2, 0
    jal ra, 6f
    CHECK(a2, 7)
    j 7f
6:  addi a2, a2, 7
    ret
7:
    /* addi + ld: the load faults; the addi has happened */
    li s1, 5
    li s2, UNMAPPED
    EXPECT_TRAP
1:  addi s1, s1, 1
2:  ld s3, 0(s2)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    la a0, 2b
    CHECK_EPC_REG(a0)
    CHECK_TVAL(UNMAPPED)
    CHECK(s1, 6)

    /* sd + sd: the second store faults, the first is in memory */
    li a4, 0x3333
    sd zero, 32(s0)
    EXPECT_TRAP
    sd a4, 32(s0)
3:  sd a4, 0(s2)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    la a0, 3b
    CHECK_EPC_REG(a0)
    ld a5, 32(s0)
    CHECK(a5, 0x3333)

    /* add + lw: misaligned is emulated, an unmapped address faults */
    li a1, 5
    add a2, s0, a1
    lw a3, 0(a2)
    CHECK(a3, 0x22111111)
    li a1, 0
    EXPECT_TRAP
    add a2, s2, a1
4:  lw a3, 0(a2)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    la a0, 4b
    CHECK_EPC_REG(a0)
TEST_END

    .data
    .align 3
buf:
    .word 0x11111111, 0x11111111, 0x22222222, 0x22222222
    .fill 16, 4, 0
