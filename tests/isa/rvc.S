/*
 * rvc.S: the C extension (RV64C), in M-mode, written with explicit c.
 * mnemonics so every form is really the 16-bit encoding.
 *
 * Covers: c.li, c.lui (sign-extended, negative), c.addi (negative), c.addiw
 * (32-bit wrap, sign-extension, imm 0 = sext.w), c.addi16sp, c.addi4spn,
 * c.slli/c.srli/c.srai (shamt 1..63), c.andi (sign-extended immediate),
 * c.mv, c.add, c.sub, c.xor, c.or, c.and, c.subw, c.addw (sign-extension),
 * c.lw (sign-extends)/c.ld/c.sw/c.sd, c.lwsp/c.ldsp/c.swsp/c.sdsp,
 * c.fld/c.fsd/c.fldsp/c.fsdsp, c.j (forward and backward), c.jr, c.jalr
 * (link = pc + 2), c.beqz/c.bnez taken and not taken, c.nop, c.ebreak
 * (cause 3, mepc = its address, mtval = pc or 0, resumes 2 bytes later),
 * the all-zero halfword is illegal (cause 2); mixed 2/4-byte streams,
 * including 32-bit instructions at addresses that are 2 mod 4 (also as
 * branch/jump targets and as a jalr return address), and a 32-bit
 * instruction straddling a 4-byte boundary.
 */
#include "test.h"

TEST_BEGIN
    /* ---- constants */
    c.li a0, 31
    CHECK(a0, 31)
    c.li a0, -32
    CHECK(a0, -32)
    c.lui a1, 31
    CHECK(a1, 0x1f000)
    c.lui a1, 0xfffff              /* nzimm = -1 -> -4096 */
    CHECK(a1, 0xfffffffffffff000)
    c.lui a1, 0xfffe0              /* nzimm = -32 */
    CHECK(a1, 0xfffffffffffe0000)

    /* ---- c.addi / c.addiw */
    li a0, 10
    c.addi a0, -11
    CHECK(a0, -1)
    c.addi a0, 31
    CHECK(a0, 30)
    c.nop
    li a0, 0x7fffffff
    c.addiw a0, 1
    CHECK(a0, 0xffffffff80000000)
    li a0, 0x1234567880000000
    c.addiw a0, 0                  /* sext.w */
    CHECK(a0, 0xffffffff80000000)
    li a0, 0xffffffff
    c.addiw a0, -1
    CHECK(a0, -2)

    /* ---- stack-pointer forms */
    mv s2, sp
    c.addi16sp sp, -512
    sub a0, s2, sp
    CHECK(a0, 512)
    c.addi16sp sp, 496
    sub a0, s2, sp
    CHECK(a0, 16)
    c.addi16sp sp, 16
    CHECK_REG(sp, s2)
    c.addi4spn a0, sp, 1020
    sub a0, a0, sp
    CHECK(a0, 1020)
    c.addi4spn s1, sp, 4
    sub s1, s1, sp
    CHECK(s1, 4)

    /* ---- shifts and c.andi */
    li a0, 1
    c.slli a0, 63
    CHECK(a0, 0x8000000000000000)
    c.srai a0, 63
    CHECK(a0, -1)
    c.srli a0, 63
    CHECK(a0, 1)
    li a0, 0x8000000000000000
    c.srai a0, 4
    CHECK(a0, 0xf800000000000000)
    c.srli a0, 32
    CHECK(a0, 0xf8000000)
    li a0, 0x123
    c.slli a0, 1
    CHECK(a0, 0x246)
    li a0, 0xffffffffffffffff
    c.andi a0, -32
    CHECK(a0, 0xffffffffffffffe0)
    li a0, 0x1234
    c.andi a0, 15
    CHECK(a0, 4)

    /* ---- register-register */
    li a0, 5
    c.mv a1, a0
    CHECK(a1, 5)
    li a1, 7
    c.add a1, a0
    CHECK(a1, 12)
    li a0, 3
    li a1, 10
    c.sub a1, a0
    CHECK(a1, 7)
    li a0, 0xff00ff00ff00ff00
    li a1, 0x0ff00ff00ff00ff0
    mv a2, a1
    c.xor a2, a0
    CHECK(a2, 0xf0f0f0f0f0f0f0f0)
    mv a2, a1
    c.or a2, a0
    CHECK(a2, 0xfff0fff0fff0fff0)
    mv a2, a1
    c.and a2, a0
    CHECK(a2, 0x0f000f000f000f00)
    li a0, 1
    li a1, 0x80000000
    c.subw a1, a0
    CHECK(a1, 0x7fffffff)
    li a1, 0
    c.subw a1, a0
    CHECK(a1, -1)
    li a1, 0x7fffffff
    c.addw a1, a0
    CHECK(a1, 0xffffffff80000000)
    li a1, 0x1234567800000001
    li a0, 0x8765432100000002
    c.addw a1, a0                   /* upper bits ignored */
    CHECK(a1, 3)

    /* ---- loads and stores */
    la s0, data
    li a0, 0x8877665544332211
    c.sd a0, 8(s0)
    c.ld a1, 8(s0)
    CHECK(a1, 0x8877665544332211)
    c.lw a2, 12(s0)
    CHECK(a2, 0xffffffff88776655)   /* sign-extended */
    li a3, 0x1234567876543210
    c.sw a3, 16(s0)
    c.ld a1, 16(s0)
    CHECK(a1, 0x76543210)           /* only 32 bits stored */
    c.sd a3, 248(s0)                /* largest c.sd offset */
    ld a1, 248(s0)
    CHECK_REG(a1, a3)
    c.sw a3, 124(s0)                /* largest c.sw offset */
    lwu a1, 124(s0)
    CHECK(a1, 0x76543210)

    addi sp, sp, -64
    li a0, 0x1122334455667788
    c.sdsp a0, 0(sp)
    c.ldsp a1, 0(sp)
    CHECK(a1, 0x1122334455667788)
    li a0, 0x99aabbccf0e0d0c0
    c.swsp a0, 8(sp)
    c.lwsp a2, 8(sp)
    CHECK(a2, 0xfffffffff0e0d0c0)
    c.sdsp a0, 56(sp)
    ld a1, 56(sp)
    CHECK_REG(a1, a0)
    lw a1, 12(sp)
    CHECK(a1, 0)                    /* c.swsp wrote 4 bytes only */

    /* ---- FP loads and stores */
    li a0, 0x400921fb54442d18       /* pi */
    sd a0, 32(s0)
    c.fld fa0, 32(s0)
    CHECK_FD(fa0, 0x400921fb54442d18)
    c.fsd fa0, 40(s0)
    ld a1, 40(s0)
    CHECK(a1, 0x400921fb54442d18)
    c.fsdsp fa0, 16(sp)
    c.fldsp fa1, 16(sp)
    CHECK_FD(fa1, 0x400921fb54442d18)
    ld a1, 16(sp)
    CHECK(a1, 0x400921fb54442d18)
    addi sp, sp, 64

    /* ---- control flow */
    li a0, 0
    c.j 1f
    li a0, 1
1:  CHECK(a0, 0)
    li a0, 3
2:  c.addi a0, -1
    c.beqz a0, 3f
    c.j 2b                          /* backward */
3:  CHECK(a0, 0)
    li a0, 5
    c.bnez a0, 4f
    FAIL_HERE
4:  li a0, 0
    c.bnez a0, 5f                   /* not taken */
    c.beqz a0, 6f
5:  FAIL_HERE
6:  li a0, 1
    c.beqz a0, 7f                   /* not taken */
    j 8f
7:  FAIL_HERE
8:  la a0, 9f
    c.jr a0
    FAIL_HERE
9:  la a1, 10f
    c.jalr a1
11: c.j 12f                         /* returned here: ra = pc of c.jalr + 2 */
10: la a2, 11b
    CHECK_REG(ra, a2)
    c.jr ra
12:

    /* ---- 32-bit instructions at 2 mod 4 */
    .option push
    .option norvc
    .balign 4
    .half 0x0001                    /* c.nop (norvc forbids the mnemonic) */
    addi a0, zero, 0x123            /* at 2 mod 4 */
    .half 0x0001
    .option pop
    CHECK(a0, 0x123)
    la t0, 13f
    andi a1, t0, 3
    CHECK(a1, 2)
    jr t0                           /* jump target 2 mod 4 */
    FAIL_HERE
    .option push
    .option norvc
    .balign 4
    .half 0x0001
13: addi a0, zero, 0x321
    jal ra, 14f                     /* link at 2 mod 4 (4-byte jal) */
    j 15f
    .balign 4
14: ret
    .option pop
15: CHECK(a0, 0x321)
    /* a 32-bit instruction whose halves are in different 4-byte words,
       and a loop whose body has mixed sizes */
    li a0, 0
    li a1, 4
    .balign 4
16: c.addi a0, 1
    .option push
    .option norvc
    addi a0, a0, 16                 /* straddles */
    .option pop
    c.addi a1, -1
    c.bnez a1, 16b
    CHECK(a0, 68)

    /* ---- traps */
    EXPECT_TRAP
17: c.ebreak
    CHECK_TRAP(CAUSE_BREAKPOINT)
    la a0, 17b
    CHECK_EPC_REG(a0)
    ld a1, trap_tval
    beqz a1, 18f                    /* mtval = 0 is allowed */
    CHECK_REG(a1, a0)
18: EXPECT_TRAP
19: .half 0x0000                    /* illegal */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0)
    la a0, 19b
    CHECK_EPC_REG(a0)

    /* compressed FP loads/stores with mstatus.FS = Off: illegal, and mtval
     * holds the 16-bit instruction, not its 32-bit expansion (found by
     * make difftest: rivet reported the expanded fld/fsd) */
    li t0, MSTATUS_FS
    csrc mstatus, t0
    la s0, data                     /* (no access happens: sp as it is) */
    EXPECT_TRAP
20: c.fld fa0, 8(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0x2408)
    EXPECT_TRAP
    c.fsd fa1, 16(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0xa80c)
    EXPECT_TRAP
    c.fldsp fa2, 24(sp)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0x2662)
    EXPECT_TRAP
    c.fsdsp fa3, 32(sp)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0xb036)
    EXPECT_TRAP
    .option push
    .option norvc
    fld fa0, 8(s0)                  /* 32-bit forms keep their 32 bits */
    .option pop
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0x00843507)
    li t0, MSTATUS_FS
    csrs mstatus, t0
TEST_END

    .data
    .align 4
data:
    .fill 256, 1, 0
