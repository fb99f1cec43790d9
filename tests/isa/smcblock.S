/*
 * smcblock.S: stores into decoded code, block by block, in M-mode.
 *
 * rivet drops only the decoded blocks a store overlaps (cpu/riscv/tcache.c);
 * this checks the cases that splits open. Covers: a store into the block
 * that is executing, patching an instruction further down that same block,
 * on every pass of a loop (each pass must run its own patch), with and
 * without FENCE.I between; data words kept in the same 64-byte chunk and
 * page as a running loop, written on every pass while the loop keeps
 * running right; a block left alive on a page whose other block is
 * patched, chained to it (the chain must lead to the new code); a store
 * that ends on the first byte of a block; code patched on a page where
 * the store first missed every decoded block and then hits one.
 *
 * Without FENCE.I the RISC-V spec lets a hart run the old or the new
 * instruction; rivet and QEMU both run the new one (a code write ends the
 * block that is running), and the cases without FENCE.I check that.
 */
#include "test.h"

#define ADDI(rd, rs, imm) ((((imm) & 0xfff) << 20) | ((rs) << 15) | ((rd) << 7) | 0x13)
#define A0 10
#define A1 11

TEST_BEGIN
    /* ---- the executing block patches itself further down, every pass:
     * pass i writes "addi a0, a0, i" over the slot and then runs it */
    li a0, 0
    li s1, 1
    la s2, self_slot
1:
    .option push
    .option norvc
    slli t1, s1, 20
    li t2, ADDI(A0, A0, 0)
    or t1, t1, t2
    sw t1, 0(s2)
    fence.i
self_slot:
    addi a0, a0, 100
    addi s1, s1, 1
    li t0, 6
    bne s1, t0, 1b
    .option pop
    CHECK(a0, 1 + 2 + 3 + 4 + 5)

    /* the same without FENCE.I: each pass must run its own patch (rivet)
     * or the previous content of the slot (allowed: QEMU 7.2 runs the old
     * instruction on the first pass), never anything else */
    li a1, 0
    li s1, 1
    li s3, 0                       /* a1 before the slot */
    li s4, 100                     /* the slot's previous immediate */
    la s2, self_slot2
1:
    .option push
    .option norvc
    slli t1, s1, 20
    li t2, ADDI(A1, A1, 0)
    or t1, t1, t2
    sw t1, 0(s2)
self_slot2:
    addi a1, a1, 100
    .option pop
    sub t3, a1, s3
    beq t3, s1, 2f
    beq t3, s4, 2f
    CHECK(t3, 0x7fff)              /* neither: fails */
2:  mv s3, a1
    mv s4, s1
    addi s1, s1, 1
    li t0, 6
    bne s1, t0, 1b
    CHECK(s1, 6)

    /* ---- data next to running code: the loop writes a counter and a
     * sum kept in its own 64-byte chunk, 1000 times */
    call data_loop
    CHECK(a0, 1000 * 1001 / 2)
    la t0, near_sum
    ld t1, 0(t0)
    CHECK(t1, 1000 * 1001 / 2)
    la t0, near_count
    lw t1, 0(t0)
    CHECK(t1, 1000)
    /* the loop's code is intact: run it again */
    call data_loop
    CHECK(a0, 1000 * 1001 / 2)

    /* ---- a block kept alive, chained to a patched one on its page */
    call chain_a
    CHECK(a0, 1)
    call chain_a
    CHECK(a0, 1)
    la t0, chain_b
    li t1, ADDI(A0, 0, 2)
    sw t1, 0(t0)
    fence.i
    call chain_a
    CHECK(a0, 2)
    /* and without FENCE.I */
    li t1, ADDI(A0, 0, 3)
    sw t1, 0(t0)
    call chain_a
    CHECK(a0, 3)

    /* ---- a store whose last byte is the first byte of a block:
     * the low byte of "addi a0, zero, 4" becomes that of "addi a1, zero, 4" */
    call edge_fn
    CHECK(a0, 4)
    la t0, edge_fn
    li t1, ADDI(A1, 0, 4) & 0xff
    slli t1, t1, 8
    sh t1, -1(t0)                 /* misaligned: bytes edge_fn-1 and edge_fn */
    fence.i
    li a0, 0
    li a1, 0
    call edge_fn
    CHECK(a0, 0)
    CHECK(a1, 4)

    /* ---- writes that miss the decoded code of a page, then one that hits */
    call miss_fn
    CHECK(a0, 7)
    la t0, miss_data
    li t1, 0x1234
    sw t1, 0(t0)
    sw t1, 4(t0)
    call miss_fn
    CHECK(a0, 7)
    la t0, miss_fn
    li t1, ADDI(A0, 0, 8)
    sw t1, 0(t0)
    call miss_fn
    CHECK(a0, 8)
    la t0, miss_data
    lw t1, 4(t0)
    CHECK(t1, 0x1234)
TEST_END

    .text
    .option push
    .option norvc
    .balign 64
/* a0 = 1 + 2 + ... + 1000, kept in near_sum as well; near_count counts */
data_loop:
    la t0, near_count
    sw zero, 0(t0)
    sd zero, 8(t0)
    li t1, 0
    li a0, 0
1:  addi t1, t1, 1
    add a0, a0, t1
    sw t1, 0(t0)
    sd a0, 8(t0)
    li t2, 1000
    bne t1, t2, 1b
    ret
    .balign 8
near_count:
    .word 0, 0
near_sum:
    .dword 0

    .balign 64
chain_a:
    li a0, 0
    j chain_b
    .word 0                        /* chain_b starts a block of its own */
chain_b:
    addi a0, zero, 1
    ret

    .balign 64
    .word 0
edge_fn:
    addi a0, zero, 4
    ret

    .balign 64
miss_fn:
    addi a0, zero, 7
    ret
    .balign 64
miss_data:
    .word 0, 0
    .option pop
