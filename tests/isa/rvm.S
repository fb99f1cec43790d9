/*
 * rvm.S: the M extension (RV64M), in M-mode.
 *
 * Covers: MUL (low 64 bits, wrap-around), MULH/MULHSU/MULHU (high 64 bits
 * of signed*signed, signed*unsigned, unsigned*unsigned products, including
 * INT64_MIN and -1 operands), MULW (32-bit product sign-extended, upper
 * input bits ignored); DIV/DIVU/REM/REMU: rounding toward zero and the
 * sign of the remainder following the dividend, division by zero (quotient
 * all ones, remainder = dividend), signed overflow INT64_MIN / -1
 * (quotient INT64_MIN, remainder 0); DIVW/DIVUW/REMW/REMUW: the same on
 * 32-bit operands, with results sign-extended from bit 31 (also for the
 * unsigned forms), upper input bits ignored; rd aliasing a source.
 */
#include "test.h"

TEST_BEGIN
    /* ---- MUL */
    TEST_RR(mul, 3, 7, 21)
    TEST_RR(mul, -3, 7, -21)
    TEST_RR(mul, -3, -7, 21)
    TEST_RR(mul, 0x100000000, 0x100000000, 0)
    TEST_RR(mul, 0x7fffffffffffffff, 2, -2)
    TEST_RR(mul, 0x0123456789abcdef, 0xfedcba9876543210, 0x2236d88fe5618cf0)
    TEST_RR(mul, 0x8000000000000000, -1, 0x8000000000000000)

    /* ---- MULH (signed x signed) */
    TEST_RR(mulh, 3, 7, 0)
    TEST_RR(mulh, -3, 7, -1)
    TEST_RR(mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000)
    TEST_RR(mulh, 0x8000000000000000, -1, 0)
    TEST_RR(mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff)
    TEST_RR(mulh, 0x0123456789abcdef, 0xfedcba9876543210, 0xfffeb49923cc0953)
    TEST_RR(mulh, -1, -1, 0)

    /* ---- MULHSU (signed rs1 x unsigned rs2) */
    TEST_RR(mulhsu, -1, -1, -1)          /* -1 * (2^64-1) = -(2^64-1) */
    TEST_RR(mulhsu, 1, -1, 0)
    TEST_RR(mulhsu, 0x8000000000000000, -1, 0x8000000000000000)
    TEST_RR(mulhsu, 0x0123456789abcdef, 0xfedcba9876543210, 0x0121fa00ad77d742)
    TEST_RR(mulhsu, -2, 0x8000000000000000, -1)

    /* ---- MULHU (unsigned x unsigned) */
    TEST_RR(mulhu, -1, -1, 0xfffffffffffffffe)
    TEST_RR(mulhu, 0x8000000000000000, 2, 1)
    TEST_RR(mulhu, 0x0123456789abcdef, 0xfedcba9876543210, 0x0121fa00ad77d742)
    TEST_RR(mulhu, 3, 7, 0)

    /* ---- MULW */
    TEST_RR(mulw, 0x7fffffff, 2, -2)
    TEST_RR(mulw, 0x10000, 0x8000, 0xffffffff80000000)
    TEST_RR(mulw, 0xabcdef0000000003, 0x1234567800000005, 15)   /* upper bits ignored */
    TEST_RR(mulw, -1, -1, 1)
    TEST_RR(mulw, 0x12345678, 0x9abcdef0, 0x242d2080)

    /* ---- DIV / DIVU */
    TEST_RR(div, 20, 6, 3)
    TEST_RR(div, -20, 6, -3)             /* rounds toward zero */
    TEST_RR(div, 20, -6, -3)
    TEST_RR(div, -20, -6, 3)
    TEST_RR(div, 0x8000000000000000, -1, 0x8000000000000000)   /* overflow */
    TEST_RR(div, 0x8000000000000000, 1, 0x8000000000000000)
    TEST_RR(div, 5, 0, -1)               /* by zero: all ones */
    TEST_RR(div, -5, 0, -1)
    TEST_RR(divu, 20, 6, 3)
    TEST_RR(divu, -20, 6, 0x2aaaaaaaaaaaaaa7)
    TEST_RR(divu, 0x8000000000000000, -1, 0)
    TEST_RR(divu, -1, 1, -1)
    TEST_RR(divu, 5, 0, -1)
    TEST_RR(divu, 0, 0, -1)

    /* ---- REM / REMU */
    TEST_RR(rem, 20, 6, 2)
    TEST_RR(rem, -20, 6, -2)             /* sign follows the dividend */
    TEST_RR(rem, 20, -6, 2)
    TEST_RR(rem, -20, -6, -2)
    TEST_RR(rem, 0x8000000000000000, -1, 0)   /* overflow: remainder 0 */
    TEST_RR(rem, 5, 0, 5)                /* by zero: the dividend */
    TEST_RR(rem, -5, 0, -5)
    TEST_RR(remu, 20, 6, 2)
    TEST_RR(remu, -20, 6, 2)             /* 2^64-20 = 6 * 0x2aaa..a7 + 2 */
    TEST_RR(remu, 5, 0, 5)
    TEST_RR(remu, -1, 0, -1)
    TEST_RR(remu, 0x8000000000000000, -1, 0x8000000000000000)

    /* ---- W forms */
    TEST_RR(divw, 20, 6, 3)
    TEST_RR(divw, -20, 6, -3)
    TEST_RR(divw, 0x80000000, -1, 0xffffffff80000000)         /* overflow */
    TEST_RR(divw, 0xffffffff80000000, 0xffffffff, 0xffffffff80000000)
    TEST_RR(divw, 0x1234567800000014, 0xabcdef0000000006, 3)  /* upper bits ignored */
    TEST_RR(divw, 5, 0, -1)
    TEST_RR(divw, 5, 0x100000000, -1)    /* divisor's low 32 bits are zero */
    TEST_RR(divuw, 0xffffffec, 6, 0x2aaaaaa7)
    TEST_RR(divuw, 0xffffffff, 1, -1)    /* 0xffffffff sign-extended */
    TEST_RR(divuw, 0x80000000, 1, 0xffffffff80000000)
    TEST_RR(divuw, 0xffffffff80000000, 0xffffffffffffffff, 0)
    TEST_RR(divuw, 5, 0, -1)
    TEST_RR(remw, -20, 6, -2)
    TEST_RR(remw, 20, -6, 2)
    TEST_RR(remw, 0x80000000, -1, 0)
    TEST_RR(remw, 0x80000000, 0, 0xffffffff80000000)   /* dividend, sign-extended */
    TEST_RR(remw, 0x1234567800000005, 0, 5)
    TEST_RR(remw, 0x00000001fffffffb, 3, -2)           /* -5 rem 3 */
    TEST_RR(remuw, 0xffffffec, 6, 2)
    TEST_RR(remuw, 0xfffffffb, 0, 0xfffffffffffffffb)  /* dividend, sign-extended */
    TEST_RR(remuw, 0x80000005, 0x80000000, 5)
    TEST_RR(remuw, 0x1234567800000007, 0xabcdef0000000004, 3)

    /* ---- rd aliasing a source */
    li a0, 100
    li a1, 7
    div a0, a0, a1
    CHECK(a0, 14)
    li a0, 100
    li a1, 7
    rem a1, a0, a1
    CHECK(a1, 2)
    li a0, -9
    mul a0, a0, a0
    CHECK(a0, 81)
TEST_END
