/*
 * Helpers for the F/D/Zfh tests (rvf.S, rvd.S, rvzfh*.S).  Operands go in fa0/fa1/fa3
 * (a0 for integer sources), the result in fa2 (a2 for integer results).
 * Every single-precision result is checked with all 64 bits, so a result
 * that is not NaN-boxed (upper 32 bits all ones) fails.  Each TEST_* also
 * checks and clears fflags, as part of the same case (same exit code).
 */
#ifndef ISA_FP_H
#define ISA_FP_H

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4

/* single-precision bit patterns */
#define S_ZERO    0x00000000
#define S_NZERO   0x80000000
#define S_ONE     0x3f800000
#define S_NONE    0xbf800000
#define S_TWO     0x40000000
#define S_THREE   0x40400000
#define S_HALF    0x3f000000
#define S_1P5     0x3fc00000
#define S_INF     0x7f800000
#define S_NINF    0xff800000
#define S_QNAN    0x7fc00000    /* canonical NaN */
#define S_SNAN    0x7f800001
#define S_MAX     0x7f7fffff
#define S_MINNORM 0x00800000
#define S_MINSUB  0x00000001
#define BOX(s)    (0xffffffff00000000 | (s))

/* double-precision bit patterns */
#define D_ZERO    0x0000000000000000
#define D_NZERO   0x8000000000000000
#define D_ONE     0x3ff0000000000000
#define D_NONE    0xbff0000000000000
#define D_TWO     0x4000000000000000
#define D_THREE   0x4008000000000000
#define D_HALF    0x3fe0000000000000
#define D_1P5     0x3ff8000000000000
#define D_INF     0x7ff0000000000000
#define D_NINF    0xfff0000000000000
#define D_QNAN    0x7ff8000000000000
#define D_SNAN    0x7ff0000000000001
#define D_MAX     0x7fefffffffffffff
#define D_MINNORM 0x0010000000000000
#define D_MINSUB  0x0000000000000001

/* half-precision bit patterns; a half is NaN-boxed in the upper 48 bits */
#define H_ZERO    0x0000
#define H_NZERO   0x8000
#define H_ONE     0x3c00
#define H_NONE    0xbc00
#define H_TWO     0x4000
#define H_THREE   0x4200
#define H_HALF    0x3800
#define H_1P5     0x3e00
#define H_INF     0x7c00
#define H_NINF    0xfc00
#define H_QNAN    0x7e00    /* canonical NaN */
#define H_SNAN    0x7c01
#define H_MAX     0x7bff    /* 65504 */
#define H_MINNORM 0x0400    /* 2^-14 */
#define H_MINSUB  0x0001    /* 2^-24 */
#define BOXH(h)   (0xffffffffffff0000 | (h))

#define FSET_S(freg, bits)  li t0, bits; fmv.w.x freg, t0
#define FSET_D(freg, bits)  li t0, bits; fmv.d.x freg, t0

/* single precision */
#define TEST_FS2(insn, a, b, res, flags) \
    FSET_S(fa0, a); FSET_S(fa1, b); insn fa2, fa0, fa1; \
    CHECK_FD(fa2, BOX(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FS2_RM(insn, rm, a, b, res, flags) \
    FSET_S(fa0, a); FSET_S(fa1, b); insn fa2, fa0, fa1, rm; \
    CHECK_FD(fa2, BOX(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FS1(insn, a, res, flags) \
    FSET_S(fa0, a); insn fa2, fa0; CHECK_FD(fa2, BOX(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FS3(insn, a, b, c, res, flags) \
    FSET_S(fa0, a); FSET_S(fa1, b); FSET_S(fa3, c); insn fa2, fa0, fa1, fa3; \
    CHECK_FD(fa2, BOX(res)); CHECK_FFLAGS_SAME(flags)
/* FP -> integer register (compares, fclass, fcvt.*.s, fmv.x.w) */
#define TEST_FS_X(insn, a, res, flags) \
    FSET_S(fa0, a); insn a2, fa0; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FS_X_RM(insn, rm, a, res, flags) \
    FSET_S(fa0, a); insn a2, fa0, rm; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FS_CMP(insn, a, b, res, flags) \
    FSET_S(fa0, a); FSET_S(fa1, b); insn a2, fa0, fa1; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
/* integer register -> FP */
#define TEST_X_FS(insn, x, res, flags) \
    li a0, x; insn fa2, a0; CHECK_FD(fa2, BOX(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_X_FS_RM(insn, rm, x, res, flags) \
    li a0, x; insn fa2, a0, rm; CHECK_FD(fa2, BOX(res)); CHECK_FFLAGS_SAME(flags)

/* double precision */
#define TEST_FD2(insn, a, b, res, flags) \
    FSET_D(fa0, a); FSET_D(fa1, b); insn fa2, fa0, fa1; \
    CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD2_RM(insn, rm, a, b, res, flags) \
    FSET_D(fa0, a); FSET_D(fa1, b); insn fa2, fa0, fa1, rm; \
    CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD1(insn, a, res, flags) \
    FSET_D(fa0, a); insn fa2, fa0; CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD1_RM(insn, rm, a, res, flags) \
    FSET_D(fa0, a); insn fa2, fa0, rm; CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD3(insn, a, b, c, res, flags) \
    FSET_D(fa0, a); FSET_D(fa1, b); FSET_D(fa3, c); insn fa2, fa0, fa1, fa3; \
    CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD_X(insn, a, res, flags) \
    FSET_D(fa0, a); insn a2, fa0; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD_X_RM(insn, rm, a, res, flags) \
    FSET_D(fa0, a); insn a2, fa0, rm; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FD_CMP(insn, a, b, res, flags) \
    FSET_D(fa0, a); FSET_D(fa1, b); insn a2, fa0, fa1; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_X_FD(insn, x, res, flags) \
    li a0, x; insn fa2, a0; CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_X_FD_RM(insn, rm, x, res, flags) \
    li a0, x; insn fa2, a0, rm; CHECK_FD(fa2, res); CHECK_FFLAGS_SAME(flags)

/* half precision (set through fmv.d.x with the box, so these helpers do
 * not depend on FMV.H.X); results are checked with all 64 bits */
#define FSET_H(freg, bits)  li t0, BOXH(bits); fmv.d.x freg, t0
#define TEST_FH2(insn, a, b, res, flags) \
    FSET_H(fa0, a); FSET_H(fa1, b); insn fa2, fa0, fa1; \
    CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FH2_RM(insn, rm, a, b, res, flags) \
    FSET_H(fa0, a); FSET_H(fa1, b); insn fa2, fa0, fa1, rm; \
    CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FH1(insn, a, res, flags) \
    FSET_H(fa0, a); insn fa2, fa0; CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FH1_RM(insn, rm, a, res, flags) \
    FSET_H(fa0, a); insn fa2, fa0, rm; CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FH3(insn, a, b, c, res, flags) \
    FSET_H(fa0, a); FSET_H(fa1, b); FSET_H(fa3, c); insn fa2, fa0, fa1, fa3; \
    CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FH3_RM(insn, rm, a, b, c, res, flags) \
    FSET_H(fa0, a); FSET_H(fa1, b); FSET_H(fa3, c); insn fa2, fa0, fa1, fa3, rm; \
    CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_FH_X(insn, a, res, flags) \
    FSET_H(fa0, a); insn a2, fa0; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FH_X_RM(insn, rm, a, res, flags) \
    FSET_H(fa0, a); insn a2, fa0, rm; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_FH_CMP(insn, a, b, res, flags) \
    FSET_H(fa0, a); FSET_H(fa1, b); insn a2, fa0, fa1; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TEST_X_FH(insn, x, res, flags) \
    li a0, x; insn fa2, a0; CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
#define TEST_X_FH_RM(insn, rm, x, res, flags) \
    li a0, x; insn fa2, a0, rm; CHECK_FD(fa2, BOXH(res)); CHECK_FFLAGS_SAME(flags)
/* a conversion between FP formats: source set with FSET_src, result
 * checked against the full 64-bit register value */
#define TEST_CVT(insn, fset, a, res64, flags) \
    fset(fa0, a); insn fa2, fa0; CHECK_FD(fa2, res64); CHECK_FFLAGS_SAME(flags)
#define TEST_CVT_RM(insn, rm, fset, a, res64, flags) \
    fset(fa0, a); insn fa2, fa0, rm; CHECK_FD(fa2, res64); CHECK_FFLAGS_SAME(flags)

#endif
