/*
 * rvd.S: the D extension (double precision), in M-mode.
 *
 * Covers: FADD/FSUB/FMUL/FDIV/FSQRT.D exact and inexact, overflow (OF|NX,
 * RTZ/RDN to the largest finite), underflow (UF|NX tiny and inexact, none
 * when exact), DZ, NV (inf-inf, 0*inf, 0/0, sqrt of a negative, sNaN),
 * canonical NaN results (0x7ff8000000000000); every rounding mode, static
 * (ties for RNE/RMM) and dynamic through frm; reserved static rounding
 * modes and a reserved frm raise illegal instruction with mtval = the
 * instruction; FMADD/FMSUB/FNMSUB/FNMADD.D (single rounding, NV for
 * inf*0); FMIN/FMAX.D (NaN handling, signed zeros); FCVT.W/WU/L/LU.D
 * (rounding, saturation at both ends, NV vs NX, -0), FCVT.D.W/WU/L/LU
 * (exact and rounded); FCVT.S.D (rounding, overflow, underflow to zero,
 * NaN canonicalised, NV for sNaN) and FCVT.D.S (exact, subnormal source,
 * sNaN -> canonical NaN with NV, an un-NaN-boxed source reads as the
 * canonical NaN); FEQ/FLT/FLE.D; FSGNJ/FSGNJN/FSGNJX.D (NaN bits kept);
 * FCLASS.D for all ten classes; FMV.X.D/FMV.D.X round-trip all 64 bits;
 * FLD/FSD (negative offsets); with mstatus.FS = Off the D instructions
 * are illegal.
 */
#include "test.h"
#include "fp.h"

/* fadd.d fa2, fa0, fa1 with rounding-mode field rm */
#define FADD_D_RM(rm) (0x02b50653 | ((rm) << 12))

TEST_BEGIN
    /* ---- add / sub */
    TEST_FD2(fadd.d, D_ONE, D_TWO, D_THREE, 0)
    TEST_FD2(fadd.d, D_ONE, 0x3c30000000000000, D_ONE, NX)     /* 1 + 2^-60 */
    TEST_FD2_RM(fadd.d, rup, D_ONE, 0x3c30000000000000, 0x3ff0000000000001, NX)
    TEST_FD2_RM(fadd.d, rdn, D_NONE, 0xbc30000000000000, 0xbff0000000000001, NX)
    TEST_FD2_RM(fadd.d, rtz, D_NONE, 0xbc30000000000000, D_NONE, NX)
    TEST_FD2_RM(fadd.d, rne, D_ONE, 0x3ca0000000000000, D_ONE, NX)   /* tie */
    TEST_FD2_RM(fadd.d, rmm, D_ONE, 0x3ca0000000000000, 0x3ff0000000000001, NX)
    TEST_FD2_RM(fadd.d, rdn, D_TWO, 0xc000000000000000, D_NZERO, 0)
    TEST_FD2(fsub.d, D_ONE, D_ONE, D_ZERO, 0)
    TEST_FD2(fsub.d, D_NINF, D_NINF, D_QNAN, NV)
    TEST_FD2(fadd.d, D_SNAN, D_ONE, D_QNAN, NV)
    TEST_FD2(fadd.d, 0x7ff8000000012345, D_ONE, D_QNAN, 0)

    /* ---- mul / div / sqrt */
    TEST_FD2(fmul.d, D_TWO, D_THREE, 0x4018000000000000, 0)
    TEST_FD2(fmul.d, D_MAX, D_TWO, D_INF, OF | NX)
    TEST_FD2_RM(fmul.d, rtz, D_MAX, D_TWO, D_MAX, OF | NX)
    TEST_FD2_RM(fmul.d, rup, D_MAX, 0xc000000000000000, 0xffefffffffffffff, OF | NX)
    TEST_FD2(fmul.d, 0x0010000000000001, D_HALF, 0x0008000000000000, UF | NX)
    TEST_FD2(fmul.d, D_MINNORM, D_HALF, 0x0008000000000000, 0)
    TEST_FD2(fmul.d, D_MINSUB, D_HALF, D_ZERO, UF | NX)
    TEST_FD2(fmul.d, D_ZERO, D_NINF, D_QNAN, NV)
    TEST_FD2(fdiv.d, D_ONE, D_ZERO, D_INF, DZ)
    TEST_FD2(fdiv.d, D_ONE, D_NZERO, D_NINF, DZ)
    TEST_FD2(fdiv.d, D_NZERO, D_ZERO, D_QNAN, NV)
    TEST_FD2(fdiv.d, D_ONE, D_THREE, 0x3fd5555555555555, NX)
    TEST_FD2_RM(fdiv.d, rup, D_ONE, D_THREE, 0x3fd5555555555556, NX)
    TEST_FD2_RM(fdiv.d, rdn, D_NONE, D_THREE, 0xbfd5555555555556, NX)
    TEST_FD1(fsqrt.d, 0x4010000000000000, D_TWO, 0)
    TEST_FD1(fsqrt.d, D_TWO, 0x3ff6a09e667f3bcd, NX)
    TEST_FD1_RM(fsqrt.d, rdn, D_TWO, 0x3ff6a09e667f3bcc, NX)   /* RNE rounded up */
    TEST_FD1(fsqrt.d, D_NINF, D_QNAN, NV)
    TEST_FD1(fsqrt.d, D_NZERO, D_NZERO, 0)

    /* ---- min / max */
    TEST_FD2(fmin.d, D_ONE, D_TWO, D_ONE, 0)
    TEST_FD2(fmax.d, D_NONE, D_TWO, D_TWO, 0)
    TEST_FD2(fmin.d, D_QNAN, D_NONE, D_NONE, 0)
    TEST_FD2(fmax.d, D_SNAN, D_NONE, D_NONE, NV)
    TEST_FD2(fmax.d, D_QNAN, D_QNAN, D_QNAN, 0)
    TEST_FD2(fmin.d, D_NZERO, D_ZERO, D_NZERO, 0)
    TEST_FD2(fmax.d, D_ZERO, D_NZERO, D_ZERO, 0)

    /* ---- fused multiply-add */
    TEST_FD3(fmadd.d, D_TWO, D_THREE, D_ONE, 0x401c000000000000, 0)
    TEST_FD3(fmsub.d, D_TWO, D_THREE, D_ONE, 0x4014000000000000, 0)
    TEST_FD3(fnmsub.d, D_TWO, D_THREE, D_ONE, 0xc014000000000000, 0)
    TEST_FD3(fnmadd.d, D_TWO, D_THREE, D_ONE, 0xc01c000000000000, 0)
    /* (1+2^-27)^2 - (1+2^-26) = 2^-54 only with a single rounding */
    TEST_FD3(fmsub.d, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000004000000, 0x3c90000000000000, 0)
    TEST_FD3(fmadd.d, D_ZERO, D_INF, D_QNAN, D_QNAN, NV)
    TEST_FD3(fnmadd.d, D_INF, D_ONE, D_NINF, D_QNAN, NV)    /* -inf - (-inf) */

    /* ---- double -> integer */
    TEST_FD_X(fcvt.w.d, 0x41dfffffffe00000, 0x7fffffff, NV)        /* 2^31-0.5, RNE */
    TEST_FD_X_RM(fcvt.w.d, rtz, 0x41dfffffffe00000, 0x7fffffff, NX)
    TEST_FD_X_RM(fcvt.w.d, rtz, 0xc1e0000000100000, 0xffffffff80000000, NX)  /* -2^31-0.5 */
    TEST_FD_X_RM(fcvt.w.d, rdn, 0xc1e0000000100000, 0xffffffff80000000, NV)
    TEST_FD_X_RM(fcvt.w.d, rmm, 0xbff8000000000000, -2, NX)    /* -1.5 */
    TEST_FD_X_RM(fcvt.w.d, rup, 0xbff8000000000000, -1, NX)
    TEST_FD_X_RM(fcvt.w.d, rtz, D_QNAN, 0x7fffffff, NV)
    TEST_FD_X_RM(fcvt.wu.d, rtz, 0x41efffffffe00000, -1, 0)    /* 2^32-1 */
    TEST_FD_X_RM(fcvt.wu.d, rtz, D_NONE, 0, NV)
    TEST_FD_X_RM(fcvt.wu.d, rtz, D_NINF, 0, NV)
    TEST_FD_X_RM(fcvt.l.d, rtz, 0x43e0000000000000, 0x7fffffffffffffff, NV)  /* 2^63 */
    TEST_FD_X_RM(fcvt.l.d, rtz, 0xc3e0000000000000, 0x8000000000000000, 0)   /* -2^63 */
    TEST_FD_X_RM(fcvt.l.d, rne, 0x4004000000000000, 2, NX)     /* 2.5 */
    TEST_FD_X_RM(fcvt.l.d, rtz, D_SNAN, 0x7fffffffffffffff, NV)
    TEST_FD_X_RM(fcvt.lu.d, rtz, 0x43efffffffffffff, 0xfffffffffffff800, 0)
    TEST_FD_X_RM(fcvt.lu.d, rtz, D_NZERO, 0, 0)
    TEST_FD_X_RM(fcvt.lu.d, rtz, 0x81a56e1fc2f8f359, 0, NX)    /* -1e-300 */
    TEST_FD_X_RM(fcvt.lu.d, rtz, 0x43f0000000000000, -1, NV)   /* 2^64 */

    /* ---- integer -> double */
    TEST_X_FD(fcvt.d.w, -1, D_NONE, 0)
    TEST_X_FD(fcvt.d.w, 0x1234567800000002, D_TWO, 0)
    TEST_X_FD(fcvt.d.wu, 0xffffffff, 0x41efffffffe00000, 0)
    TEST_X_FD(fcvt.d.l, 0x7fffffffffffffff, 0x43e0000000000000, NX)
    TEST_X_FD(fcvt.d.lu, -1, 0x43f0000000000000, NX)
    TEST_X_FD_RM(fcvt.d.l, rtz, 0x20000000000001, 0x4340000000000000, NX)  /* 2^53+1 */
    TEST_X_FD_RM(fcvt.d.l, rup, 0x20000000000001, 0x4340000000000001, NX)
    TEST_X_FD(fcvt.d.l, 0x8000000000000000, 0xc3e0000000000000, 0)

    /* ---- double <-> single */
    TEST_FD1(fcvt.s.d, 0x3fd5555555555555, BOX(0x3eaaaaab), NX)
    TEST_FD1_RM(fcvt.s.d, rtz, 0x3fd5555555555555, BOX(0x3eaaaaaa), NX)
    TEST_FD1(fcvt.s.d, D_MAX, BOX(S_INF), OF | NX)
    TEST_FD1_RM(fcvt.s.d, rtz, D_MAX, BOX(S_MAX), OF | NX)
    TEST_FD1(fcvt.s.d, 0x358dee7a4ad4b81f, BOX(S_ZERO), UF | NX)  /* 1e-50 */
    TEST_FD1(fcvt.s.d, 0x7ff8000000012345, BOX(S_QNAN), 0)
    TEST_FD1(fcvt.s.d, D_SNAN, BOX(S_QNAN), NV)
    TEST_FD1(fcvt.s.d, D_NINF, BOX(S_NINF), 0)
    TEST_FD1(fcvt.d.s, BOX(S_ONE), D_ONE, 0)
    TEST_FD1(fcvt.d.s, BOX(S_MINSUB), 0x36a0000000000000, 0)
    TEST_FD1(fcvt.d.s, BOX(S_SNAN), D_QNAN, NV)
    TEST_FD1(fcvt.d.s, BOX(0xffc12345), D_QNAN, 0)
    TEST_FD1(fcvt.d.s, 0x000000003f800000, D_QNAN, 0)      /* not NaN-boxed */

    /* ---- compares */
    TEST_FD_CMP(feq.d, D_ONE, D_ONE, 1, 0)
    TEST_FD_CMP(feq.d, D_NZERO, D_ZERO, 1, 0)
    TEST_FD_CMP(feq.d, D_QNAN, D_ONE, 0, 0)
    TEST_FD_CMP(feq.d, D_ONE, D_SNAN, 0, NV)
    TEST_FD_CMP(flt.d, D_ONE, D_QNAN, 0, NV)
    TEST_FD_CMP(fle.d, D_QNAN, D_ONE, 0, NV)
    TEST_FD_CMP(flt.d, D_NINF, D_NONE, 1, 0)
    TEST_FD_CMP(fle.d, D_TWO, D_ONE, 0, 0)
    TEST_FD_CMP(fle.d, D_ZERO, D_NZERO, 1, 0)

    /* ---- sign injection */
    TEST_FD2(fsgnj.d, D_ONE, D_NONE, D_NONE, 0)
    TEST_FD2(fsgnjn.d, D_NONE, D_NONE, D_ONE, 0)
    TEST_FD2(fsgnjx.d, D_NONE, D_NONE, D_ONE, 0)
    TEST_FD2(fsgnjx.d, D_ONE, D_NONE, D_NONE, 0)
    TEST_FD2(fsgnj.d, D_SNAN, D_NONE, 0xfff0000000000001, 0)
    TEST_FD2(fsgnjn.d, 0xfff8000000012345, D_NONE, 0x7ff8000000012345, 0)

    /* ---- classify */
#define CLASS_D(bits, cls) FSET_D(fa0, bits); fclass.d a2, fa0; CHECK(a2, cls)
    CLASS_D(D_NINF,             1 << 0)
    CLASS_D(D_NONE,             1 << 1)
    CLASS_D(0x800fffffffffffff, 1 << 2)
    CLASS_D(D_NZERO,            1 << 3)
    CLASS_D(D_ZERO,             1 << 4)
    CLASS_D(D_MINSUB,           1 << 5)
    CLASS_D(D_MINNORM,          1 << 6)
    CLASS_D(D_INF,              1 << 7)
    CLASS_D(D_SNAN,             1 << 8)
    CLASS_D(0xfff8000000000000, 1 << 9)
    CHECK_FFLAGS(0)

    /* ---- moves, loads, stores */
    li a0, 0xfedcba9876543210
    fmv.d.x fa0, a0
    fmv.x.d a1, fa0
    CHECK_REG(a1, a0)
    la s0, fdata
    sd a0, 0(s0)
    addi s1, s0, 16
    fld fa1, -16(s1)
    CHECK_FD(fa1, 0xfedcba9876543210)
    fsd fa1, -8(s1)
    ld a1, 8(s0)
    CHECK_REG(a1, a0)
    fmv.d fa2, fa1                        /* fsgnj.d: no canonicalisation */
    CHECK_FD(fa2, 0xfedcba9876543210)
    CHECK_FFLAGS(0)

    /* ---- dynamic rounding */
    csrwi frm, RM_RUP
    TEST_FD2(fdiv.d, D_ONE, D_THREE, 0x3fd5555555555556, NX)
    csrwi frm, RM_RDN
    TEST_FD2(fadd.d, D_NONE, 0xbc30000000000000, 0xbff0000000000001, NX)
    TEST_FD_X(fcvt.l.d, 0x4004000000000000, 2, NX)
    csrwi frm, RM_RMM
    TEST_FD_X(fcvt.l.d, 0x4004000000000000, 3, NX)
    csrwi frm, RM_RTZ
    TEST_FD1(fcvt.s.d, D_MAX, BOX(S_MAX), OF | NX)
    csrwi frm, RM_RNE

    /* ---- reserved rounding modes */
    FSET_D(fa0, D_ONE)
    FSET_D(fa1, D_ONE)
    EXPECT_TRAP
    .word FADD_D_RM(5)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_D_RM(5))
    EXPECT_TRAP
    .word FADD_D_RM(6)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_D_RM(6))
    csrwi frm, 6
    EXPECT_TRAP
    .word FADD_D_RM(7)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_D_RM(7))
    csrwi frm, RM_RNE
    .word FADD_D_RM(7)
    CHECK_FD(fa2, D_TWO)

    /* ---- mstatus.FS = Off */
    li s1, MSTATUS_FS
    csrc mstatus, s1
    EXPECT_TRAP
    .word FADD_D_RM(7)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fld fa0, 0(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fsd fa0, 0(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fcvt.d.s fa0, fa1
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrs mstatus, s1
TEST_END

    .data
    .align 4
fdata:
    .fill 32, 1, 0
