/*
 * rv64i.S: the RV64I base integer instruction set, in M-mode.
 *
 * Covers: x0 hard-wired to zero; ADD/SUB/ADDI (wrap-around, 12-bit signed
 * immediates at both ends); AND/OR/XOR and their immediates (sign-extended);
 * SLT/SLTU/SLTI/SLTIU edge cases (signed vs unsigned, SLTIU with -1, SEQZ);
 * SLL/SRL/SRA by register (only the low 6 bits count) and SLLI/SRLI/SRAI
 * with shamt 0 and 63; the *W forms (ADDW/SUBW/ADDIW/SLLW/SRLW/SRAW/SLLIW/
 * SRLIW/SRAIW): 32-bit result sign-extended, upper input bits ignored,
 * shift amounts of 32 and more use only the low 5 bits; LUI (sign
 * extension of bit 31) and AUIPC (pc-relative, negative offsets); all six
 * branches taken and not taken, signed vs unsigned, forward and backward;
 * JAL/JALR link values, JALR clearing bit 0 of the target, JALR with
 * rd == rs1 (target from the old value), negative JALR offsets; every load
 * and store width with sign/zero extension, negative offsets and stores
 * leaving neighbouring bytes alone; FENCE/FENCE.I execute.
 *
 * Generated code is built with C enabled, so the assembler compresses some
 * of these; rvc.S covers the explicit compressed forms.
 */
#include "test.h"

#define TEST_BR_TAKEN(insn, a, b)  li t0, a; li t1, b; BR_TAKEN_ insn, __LINE__
#define TEST_BR_NOT(insn, a, b)    li t0, a; li t1, b; BR_NOT_ insn, __LINE__

.macro BR_TAKEN_ insn, line
    \insn t0, t1, .Lbt\@
    FAIL_HERE_ \line
.Lbt\@:
.endm

.macro BR_NOT_ insn, line
    \insn t0, t1, .Lbn\@
    j .Lbn_ok\@
.Lbn\@:
    FAIL_HERE_ \line
.Lbn_ok\@:
.endm

TEST_BEGIN
    /* ---- x0 */
    li a0, 123
    addi x0, a0, 1
    CHECK(x0, 0)
    lui x0, 0x12345
    add x0, a0, a0
    CHECK(x0, 0)
    mv a1, x0
    CHECK(a1, 0)

    /* ---- ADD / SUB / ADDI */
    TEST_RR(add, 1, 2, 3)
    TEST_RR(add, 0x7fffffffffffffff, 1, 0x8000000000000000)
    TEST_RR(add, -1, -1, -2)
    TEST_RR(add, 0xffffffff, 1, 0x100000000)
    TEST_RR(sub, 1, 2, -1)
    TEST_RR(sub, 0x8000000000000000, 1, 0x7fffffffffffffff)
    TEST_RR(sub, 0, 0x8000000000000000, 0x8000000000000000)
    TEST_RI(addi, 0, 2047, 2047)
    TEST_RI(addi, 0, -2048, -2048)
    TEST_RI(addi, 0x7fffffffffffffff, 1, 0x8000000000000000)
    TEST_RI(addi, 0x80000000, -1, 0x7fffffff)
    li a0, 5
    addi a0, a0, -6              /* rd == rs1 */
    CHECK(a0, -1)

    /* ---- logical */
    TEST_RR(and, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00)
    TEST_RR(or,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0)
    TEST_RR(xor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0)
    TEST_RI(andi, 0xff00ff00ff00ff00, -16, 0xff00ff00ff00ff00)  /* imm = ...fff0 */
    TEST_RI(andi, 0x123456789abcdef0, 0x7ff, 0x6f0)
    TEST_RI(ori,  0x1234567800000000, -2048, 0xfffffffffffff800)
    TEST_RI(ori,  0x1234567800000000, 0x0f0, 0x12345678000000f0)
    TEST_RI(xori, 0x00ff00ff00ff00ff, -1, 0xff00ff00ff00ff00)  /* not */
    TEST_RI(xori, 0x00ff00ff00ff00ff, 0x70f, 0x00ff00ff00ff07f0)

    /* ---- set-less-than */
    TEST_RR(slt, -1, 0, 1)
    TEST_RR(sltu, -1, 0, 0)
    TEST_RR(slt, 0, -1, 0)
    TEST_RR(sltu, 0, -1, 1)
    TEST_RR(slt, 0x8000000000000000, 0x7fffffffffffffff, 1)
    TEST_RR(sltu, 0x8000000000000000, 0x7fffffffffffffff, 0)
    TEST_RR(slt, 5, 5, 0)
    TEST_RR(sltu, 5, 5, 0)
    TEST_RI(slti, -2049, -2048, 1)
    TEST_RI(slti, 2047, 2047, 0)
    TEST_RI(slti, 0x8000000000000000, 0, 1)
    TEST_RI(sltiu, 0xfffffffffffffffe, -1, 1) /* imm is sign-extended, then compared unsigned */
    TEST_RI(sltiu, -1, -1, 0)
    TEST_RI(sltiu, 0, 1, 1)                   /* seqz */
    TEST_RI(sltiu, 7, 1, 0)
    TEST_RR(sltu, 0, 3, 1)                    /* snez via x0 */
    li a0, 3
    sltu a2, x0, a0
    CHECK(a2, 1)

    /* ---- 64-bit shifts */
    TEST_RR(sll, 1, 63, 0x8000000000000000)
    TEST_RR(sll, 1, 64 + 3, 8)                /* only rs2[5:0] counts */
    TEST_RR(sll, 0x0123456789abcdef, 0, 0x0123456789abcdef)
    TEST_RR(sll, 0xffffffff, 32, 0xffffffff00000000)
    TEST_RR(srl, 0x8000000000000000, 63, 1)
    TEST_RR(srl, 0x8000000000000000, -1, 1)   /* shamt 63 */
    TEST_RR(srl, 0xffffffff00000000, 32, 0xffffffff)
    TEST_RR(sra, 0x8000000000000000, 63, -1)
    TEST_RR(sra, 0x8000000000000000, 0x7c0 + 4, 0xf800000000000000)
    TEST_RR(sra, 0x4000000000000000, 62, 1)
    TEST_RI(slli, 1, 63, 0x8000000000000000)
    TEST_RI(slli, 0x0123456789abcdef, 0, 0x0123456789abcdef)
    TEST_RI(slli, 0x0123456789abcdef, 36, 0x9abcdef000000000)
    TEST_RI(srli, 0x8000000000000000, 63, 1)
    TEST_RI(srli, -1, 32, 0xffffffff)
    TEST_RI(srli, -1, 0, -1)
    TEST_RI(srai, 0x8000000000000000, 63, -1)
    TEST_RI(srai, 0x8000000000000000, 32, 0xffffffff80000000)
    TEST_RI(srai, 0x7000000000000000, 60, 7)

    /* ---- W forms: 32-bit results, sign-extended */
    TEST_RR(addw, 0x7fffffff, 1, 0xffffffff80000000)
    TEST_RR(addw, 0x123456700000001, 0x0fedcba900000002, 3)  /* upper bits ignored */
    TEST_RR(addw, 0xffffffff, 1, 0)
    TEST_RR(subw, 0, 1, -1)
    TEST_RR(subw, 0x80000000, 1, 0x7fffffff)
    TEST_RR(subw, 0x100000000, 1, -1)
    TEST_RI(addiw, 0x7fffffff, 1, 0xffffffff80000000)
    TEST_RI(addiw, 0xffffffff80000000, -1, 0x7fffffff)
    TEST_RI(addiw, 0x1234567880000000, 0, 0xffffffff80000000)   /* sext.w */
    TEST_RI(addiw, 0x12345678fffff800, 2047, -1)
    TEST_RR(sllw, 1, 31, 0xffffffff80000000)
    TEST_RR(sllw, 1, 32, 1)                   /* only rs2[4:0] counts */
    TEST_RR(sllw, 1, 33, 2)
    TEST_RR(sllw, 0xffffffff00000003, 1, 6)
    TEST_RR(srlw, 0xffffffff80000000, 0, 0xffffffff80000000)
    TEST_RR(srlw, 0xffffffff80000000, 1, 0x40000000)
    TEST_RR(srlw, 0xffffffff80000000, 31, 1)
    TEST_RR(srlw, 0x0000000180000000, 63, 1)  /* shamt 31, bit 32 ignored */
    TEST_RR(srlw, 0x12345678, 32, 0x12345678)
    TEST_RR(sraw, 0x80000000, 31, -1)         /* operand's bit 31 is the sign */
    TEST_RR(sraw, 0x80000000, 4, 0xfffffffff8000000)
    TEST_RR(sraw, 0xffffffff7fffffff, 1, 0x3fffffff)
    TEST_RR(sraw, 0x80000000, 32, 0xffffffff80000000)
    TEST_RI(slliw, 1, 31, 0xffffffff80000000)
    TEST_RI(slliw, 0xabcdef0123456789, 0, 0x23456789)
    TEST_RI(slliw, 0x0000000040000001, 1, 0xffffffff80000002)
    TEST_RI(srliw, 0x80000000, 31, 1)
    TEST_RI(srliw, 0xffffffff80000000, 0, 0xffffffff80000000)
    TEST_RI(srliw, -1, 4, 0x0fffffff)
    TEST_RI(sraiw, 0x80000000, 31, -1)
    TEST_RI(sraiw, 0x80000000, 0, 0xffffffff80000000)
    TEST_RI(sraiw, 0x00000000f0000000, 4, 0xffffffffff000000)
    TEST_RI(sraiw, 0xffffffff70000000, 28, 7)

    /* ---- LUI / AUIPC */
    lui a0, 0x80000
    CHECK(a0, 0xffffffff80000000)
    lui a0, 0x7ffff
    CHECK(a0, 0x7ffff000)
    lui a0, 0xfffff
    CHECK(a0, 0xfffffffffffff000)
    lui a0, 0
    CHECK(a0, 0)
1:  auipc a0, 0
    la a1, 1b
    CHECK_REG(a0, a1)
2:  auipc a0, 1
    la a1, 2b
    sub a0, a0, a1
    CHECK(a0, 0x1000)
3:  auipc a0, 0xfffff            /* pc - 4096 */
    la a1, 3b
    sub a0, a1, a0
    CHECK(a0, 0x1000)
4:  auipc a0, 0x80000            /* pc - 2 GiB: sign-extended offset */
    la a1, 4b
    sub a0, a1, a0
    CHECK(a0, 0x80000000)

    /* ---- branches */
    TEST_BR_TAKEN(beq, 5, 5)
    TEST_BR_NOT(beq, 5, 6)
    TEST_BR_NOT(beq, 0x100000005, 5)         /* all 64 bits compared */
    TEST_BR_TAKEN(bne, 0x100000005, 5)
    TEST_BR_NOT(bne, -1, -1)
    TEST_BR_TAKEN(blt, -1, 1)
    TEST_BR_NOT(blt, 1, -1)
    TEST_BR_NOT(blt, 3, 3)
    TEST_BR_TAKEN(blt, 0x8000000000000000, 0x7fffffffffffffff)
    TEST_BR_TAKEN(bge, 1, -1)
    TEST_BR_TAKEN(bge, 3, 3)
    TEST_BR_NOT(bge, -1, 1)
    TEST_BR_TAKEN(bltu, 1, -1)
    TEST_BR_NOT(bltu, -1, 1)
    TEST_BR_NOT(bltu, 3, 3)
    TEST_BR_TAKEN(bgeu, -1, 1)
    TEST_BR_TAKEN(bgeu, 3, 3)
    TEST_BR_NOT(bgeu, 1, -1)
    TEST_BR_TAKEN(bgeu, 0x8000000000000000, 0x7fffffffffffffff)
    /* backward branch: a loop that counts to 10 */
    li a0, 0
    li a1, 10
5:  addi a0, a0, 1
    blt a0, a1, 5b
    CHECK(a0, 10)
    /* branch over a large distance (12-bit immediate reach: +-4 KiB) */
    li a0, 1
    beqz a0, 6f
    bnez a0, 7f
6:  .fill 1000, 4, 0x00000013   /* nops */
    FAIL_HERE
7:

    /* ---- JAL / JALR */
    jal a0, 8f
8:  la a1, 8b
    CHECK_REG(a0, a1)            /* link = pc + 4 = next instruction */
    jal x0, 9f
    FAIL_HERE
9:  la t0, 10f
    jalr a0, 0(t0)
    FAIL_HERE
    .balign 4
10: la a1, 9b
    addi a1, a1, 8 + 4           /* after la (auipc+addi) and jalr */
    CHECK_REG(a0, a1)
    /* bit 0 of the target is cleared */
    la t0, 11f
    addi t0, t0, 1
    jalr a0, 0(t0)
    FAIL_HERE
    .balign 4
11: la t0, 12f
    jalr t0, 0(t0)               /* rd == rs1: jumps to the old t0 */
12: la t1, 12b
    CHECK_REG(t0, t1)
    la t0, 13f + 16
    jalr ra, -16(t0)             /* negative offset */
    FAIL_HERE
13: la t0, 14f
    jalr x0, 0(t0)
    FAIL_HERE
14:

    /* ---- loads and stores */
    la s0, memarea
    li a0, 0x8182838485868788
    sd a0, 0(s0)
    lb a1, 0(s0)
    CHECK(a1, 0xffffffffffffff88)
    lbu a1, 0(s0)
    CHECK(a1, 0x88)
    lb a1, 6(s0)
    CHECK(a1, 0xffffffffffffff82)
    lh a1, 0(s0)
    CHECK(a1, 0xffffffffffff8788)
    lhu a1, 2(s0)
    CHECK(a1, 0x8586)
    lw a1, 4(s0)
    CHECK(a1, 0xffffffff81828384)
    lwu a1, 4(s0)
    CHECK(a1, 0x81828384)
    ld a1, 0(s0)
    CHECK(a1, 0x8182838485868788)
    li a0, 0x7172737475767778
    sd a0, 8(s0)
    lb a1, 15(s0)
    CHECK(a1, 0x71)
    lh a1, 14(s0)
    CHECK(a1, 0x7172)
    lw a1, 12(s0)
    CHECK(a1, 0x71727374)
    lwu a1, 8(s0)
    CHECK(a1, 0x75767778)
    addi s1, s0, 16
    lw a1, -8(s1)                /* negative offset */
    CHECK(a1, 0x75767778)
    ld a1, -16(s1)
    CHECK(a1, 0x8182838485868788)
    /* narrow stores leave the neighbours alone */
    li a0, 0x1111111111111111
    sd a0, 16(s0)
    li a0, 0xaabbccddeeff0022
    sb a0, 16(s0)
    sh a0, 18(s0)
    sw a0, 20(s0)
    ld a1, 16(s0)
    CHECK(a1, 0xeeff002200221122)
    li a0, 0x1111111111111111
    sd a0, 24(s0)
    addi s1, s0, 32
    sw x0, -4(s1)                /* negative offset, store of x0 */
    sh x0, -8(s1)
    ld a1, 24(s0)
    CHECK(a1, 0x0000000011110000)
    li a0, 0xffffffff
    sd a0, 32(s0)
    lw a1, 32(s0)                /* lw sign-extends, lwu does not */
    CHECK(a1, -1)
    lhu a1, 32(s0)
    CHECK(a1, 0xffff)

    /* ---- fences are accepted */
    fence
    fence rw, rw
    fence i, o
    fence.i
    fence.tso
    li a0, 1
    CHECK(a0, 1)
TEST_END

    .data
    .align 4
memarea:
    .fill 64, 1, 0
