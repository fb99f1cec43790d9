/*
 * zicond.S: Zicond 1.0 (integer conditional operations), in M-mode. QEMU
 * 7.2 and binutils 2.40 lack it: the instructions are written with .insn.
 *
 * Covers (Zicond 1.0, chapter 2 "Instructions"): czero.eqz rd, rs1, rs2
 * gives 0 if rs2 == 0, else rs1; czero.nez gives 0 if rs2 != 0, else rs1;
 * rs2 is tested on all 64 bits (a value with only bit 63 or bit 32 set is
 * non-zero); rd = rs1 and rd = rs2 aliasing; the neighbouring funct3 6
 * and the OP-32 forms are reserved and trap as illegal.
 */
#include "test.h"

.macro czero.eqz rd, rs1, rs2
    .insn r 0x33, 5, 7, \rd, \rs1, \rs2
.endm
.macro czero.nez rd, rs1, rs2
    .insn r 0x33, 7, 7, \rd, \rs1, \rs2
.endm
#define TEST_ILLEGAL(w) EXPECT_TRAP; .word w; CHECK_TRAP(CAUSE_ILLEGAL); CHECK_TVAL(w)

TEST_BEGIN
    TEST_RR(czero.eqz, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
    TEST_RR(czero.eqz, 0xffffffffffffffff, 0x000000000000003f, 0xffffffffffffffff)
    TEST_RR(czero.eqz, 0x0123456789abcdef, 0xfedcba9876543210, 0x0123456789abcdef)
    TEST_RR(czero.eqz, 0x8000000000000000, 0x000000000000001f, 0x8000000000000000)
    TEST_RR(czero.eqz, 0xfedcba9876543210, 0x0000000000000000, 0x0000000000000000)
    TEST_RR(czero.eqz, 0x000000000000007f, 0x000000000000003f, 0x000000000000007f)
    TEST_RR(czero.nez, 0x0000000000000000, 0x0000000000000000, 0x0000000000000000)
    TEST_RR(czero.nez, 0xffffffffffffffff, 0x000000000000003f, 0x0000000000000000)
    TEST_RR(czero.nez, 0x0123456789abcdef, 0xfedcba9876543210, 0x0000000000000000)
    TEST_RR(czero.nez, 0x8000000000000000, 0x000000000000001f, 0x0000000000000000)
    TEST_RR(czero.nez, 0xfedcba9876543210, 0x0000000000000000, 0xfedcba9876543210)
    TEST_RR(czero.nez, 0x000000000000007f, 0x000000000000003f, 0x0000000000000000)
    TEST_RR(czero.eqz, 0x1234, 0x8000000000000000, 0x1234)
    TEST_RR(czero.eqz, 0x1234, 0x100000000, 0x1234)
    TEST_RR(czero.nez, 0x1234, 0x100000000, 0)
    /* aliasing */
    li a0, 5
    li a1, 0
    czero.eqz a0, a0, a1
    CHECK(a0, 0)
    li a0, 5
    li a1, 9
    czero.nez a1, a0, a1
    CHECK(a1, 0)
    li a1, 9
    czero.eqz a1, a1, a1
    CHECK(a1, 9)
    /* reserved: funct3 6 with funct7 7; czero in OP-32 */
    TEST_ILLEGAL(0x0eb56633)
    TEST_ILLEGAL(0x0eb5563b)
TEST_END
