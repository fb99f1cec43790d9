/*
 * smc.S: self-modifying code, in M-mode.
 *
 * Covers: an instruction in a loop body that has already executed is
 * overwritten (sw), FENCE.I, and the following iterations run the new
 * instruction; an instruction later in the same straight-line run (the
 * same decoded block) is patched just before it executes; a function
 * patched between two calls; a patch written byte by byte (sb), with an
 * AMO (amoswap.w), and a 16-bit compressed instruction patched with sh;
 * code copied into a fresh RAM buffer and executed, then changed in the
 * buffer and executed again; a buffer reused for different code at the
 * same address.
 */
#include "test.h"

/* encodings */
#define ADDI(rd, rs, imm) ((((imm) & 0xfff) << 20) | ((rs) << 15) | ((rd) << 7) | 0x13)
#define C_LI(rd, imm)     (0x4001 | (((imm) & 0x20) << 7) | ((rd) << 7) | (((imm) & 0x1f) << 2))
#define RET_INSN          0x00008067
#define A0 10
#define S2 18

TEST_BEGIN
    /* ---- patch a loop body that has already run */
    li s1, 0
    li s2, 0
1:
    .option push
    .option norvc
loop_insn:
    addi s2, s2, 1
    .option pop
    addi s1, s1, 1
    li t0, 5
    bne s1, t0, 2f
    la t0, loop_insn
    li t1, ADDI(S2, S2, 10)
    sw t1, 0(t0)
    fence.i
2:  li t0, 10
    blt s1, t0, 1b
    CHECK(s2, 5 * 1 + 5 * 10)

    /* ---- patch the next instruction of the same straight-line block */
    la t0, next_insn
    li t1, ADDI(A0, 0, 222)
    li a0, 0
    sw t1, 0(t0)
    fence.i
    .option push
    .option norvc
next_insn:
    addi a0, zero, 111
    .option pop
    CHECK(a0, 222)

    /* ---- patch a function between calls */
    call patch_fn
    CHECK(a0, 1)
    la t0, patch_fn
    li t1, ADDI(A0, 0, 2)
    sw t1, 0(t0)
    fence.i
    call patch_fn
    CHECK(a0, 2)
    /* byte by byte: only the immediate's top byte changes */
    la t0, patch_fn
    li t1, ADDI(A0, 0, 0x7f2) >> 24
    sb t1, 3(t0)
    fence.i
    call patch_fn
    CHECK(a0, 0x7f2)
    /* with an AMO */
    la t0, patch_fn
    li t1, ADDI(A0, 0, 3)
    amoswap.w t2, t1, (t0)
    fence.i
    li t3, ADDI(A0, 0, 0x7f2)
    CHECK_REG(t2, t3)                                /* old instruction */
    call patch_fn
    CHECK(a0, 3)
    /* a compressed instruction */
    call patch_cfn
    CHECK(a0, 5)
    la t0, patch_cfn
    li t1, C_LI(A0, -7)
    sh t1, 0(t0)
    fence.i
    call patch_cfn
    CHECK(a0, -7)

    /* ---- copy code to a RAM buffer and run it */
    la s0, codebuf
    la t0, tmpl
    lw t1, 0(t0)
    sw t1, 0(s0)
    lw t1, 4(t0)
    sw t1, 4(s0)
    fence.i
    jalr s0
    CHECK(a0, 42)
    li t1, ADDI(A0, 0, 43)
    sw t1, 0(s0)
    fence.i
    jalr s0
    CHECK(a0, 43)
    /* different code at the same address: a loop summing 1..10 */
    la t0, tmpl2
    la t1, tmpl2_end
    mv t2, s0
3:  lhu t3, 0(t0)
    sh t3, 0(t2)
    addi t0, t0, 2
    addi t2, t2, 2
    bltu t0, t1, 3b
    fence.i
    jalr s0
    CHECK(a0, 55)
    /* ... and once more, patched in place: sum 1..20 */
    li t2, ADDI(11, 0, 20)                           /* addi a1, zero, 20 */
    sw t2, 4(s0)
    fence.i
    jalr s0
    CHECK(a0, 210)
TEST_END

    .text
    .option push
    .option norvc
    .balign 4
patch_fn:
    addi a0, zero, 1
    ret
    .option pop
    .balign 4
patch_cfn:
    c.li a0, 5
    ret

    .option push
    .option norvc
tmpl:
    addi a0, zero, 42
    ret
/* a0 = 1 + 2 + ... + a1 */
tmpl2:
    addi a0, zero, 0
    addi a1, zero, 10
1:  add a0, a0, a1
    addi a1, a1, -1
    bnez a1, 1b
    ret
tmpl2_end:
    .option pop

    .bss
    .balign 4096
codebuf:
    .fill 256, 1, 0
