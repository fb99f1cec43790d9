/*
 * rvzfh.S: the Zfh extension (half precision), in M-mode.
 *
 * What the public riscv-tests rv64uzfh programs cover (fadd, fdiv, fmin,
 * fclass, fcmp, fcvt, fcvt_w, fmadd, move, ldst, recoding; ldst, move and
 * the FP<->FP conversions are in rvzfhmin.S, which Zfhmin alone runs),
 * with more corner cases: FADD/FSUB/FMUL/FDIV/FSQRT.H exact and inexact,
 * every rounding mode (static, ties for RNE/RMM, and dynamic through frm),
 * overflow to inf or the largest finite by rounding mode, subnormal inputs
 * and results, underflow with tininess detected after rounding (a result
 * that rounds up to the smallest normal raises NX only), DZ, NV, canonical
 * NaN results (0x7e00); FMADD/FMSUB/FNMSUB/FNMADD.H with a single rounding
 * and NV for inf*0 even with a quiet NaN addend; FMIN/FMAX.H; FEQ/FLT/FLE.H
 * (quiet vs signalling); FSGNJ/FSGNJN/FSGNJX.H (NaN bits kept); FCLASS.H
 * for all ten classes; FCVT.{W,WU,L,LU}.H and back (saturation, NV vs NX,
 * only the low 32 bits of a W source); NaN-boxing: a half whose upper 48
 * bits are not all ones reads as the canonical NaN; reserved rounding
 * modes and reserved encodings are illegal; mstatus.FS = Off makes every
 * Zfh instruction illegal and a Zfh instruction makes FS Dirty.
 *
 * Expected values of the arithmetic and conversion cases come from exact
 * rational arithmetic rounded as IEEE 754 says (the generator is not part
 * of the tree); QEMU 7.2 with -cpu rv64,Zfh=true passes the whole file.
 * Assembled with `.option arch, +zfh` (binutils 2.40 knows Zfh); encodings
 * it refuses are written with .word.
 */
#include "test.h"
#include "fp.h"

    .option arch, +zfh

/* fadd.h fa2, fa0, fa1 with rounding-mode field rm */
#define FADD_H_RM(rm) (0x04b50653 | ((rm) << 12))

TEST_BEGIN
    /* ---- add / sub (expected values from exact rational arithmetic) */
    TEST_FH2(fadd.h, 0x3c00, 0x4000, 0x4200, 0)
    TEST_FH2(fadd.h, 0x3c00, 0x1000, 0x3c00, NX)   /* 1 + 2^-11: a tie */
    TEST_FH2_RM(fadd.h, rne, 0x3c00, 0x1000, 0x3c00, NX)
    TEST_FH2_RM(fadd.h, rtz, 0x3c00, 0x1000, 0x3c00, NX)
    TEST_FH2_RM(fadd.h, rdn, 0x3c00, 0x1000, 0x3c00, NX)
    TEST_FH2_RM(fadd.h, rup, 0x3c00, 0x1000, 0x3c01, NX)
    TEST_FH2_RM(fadd.h, rmm, 0x3c00, 0x1000, 0x3c01, NX)
    TEST_FH2_RM(fadd.h, rup, 0x3c00, 0x0c00, 0x3c01, NX)   /* 1 + 2^-12 */
    TEST_FH2_RM(fadd.h, rdn, 0xbc00, 0x8c00, 0xbc01, NX)
    TEST_FH2_RM(fadd.h, rtz, 0xbc00, 0x8c00, 0xbc00, NX)
    TEST_FH2_RM(fadd.h, rne, 0x3c00, 0xbc00, 0x0000, 0)   /* x - x = +0 */
    TEST_FH2_RM(fadd.h, rdn, 0x3c00, 0xbc00, 0x8000, 0)   /* ... -0 in RDN */
    TEST_FH2(fadd.h, 0x8000, 0x8000, 0x8000, 0)
    TEST_FH2(fsub.h, 0x4200, 0x3c00, 0x4000, 0)
    TEST_FH2(fsub.h, 0x7c00, 0x7c00, 0x7e00, NV)
    TEST_FH2(fadd.h, 0x7c01, 0x3c00, 0x7e00, NV)
    TEST_FH2(fadd.h, 0x7e55, 0x3c00, 0x7e00, 0)   /* payload dropped */
    TEST_FH2(fadd.h, 0x7bff, 0x7bff, 0x7c00, OF | NX)   /* overflow */
    TEST_FH2_RM(fadd.h, rtz, 0x7bff, 0x7bff, 0x7bff, OF | NX)
    TEST_FH2_RM(fadd.h, rup, 0xfbff, 0xfbff, 0xfbff, OF | NX)
    TEST_FH2_RM(fadd.h, rdn, 0xfbff, 0xfbff, 0xfc00, OF | NX)
    TEST_FH2_RM(fadd.h, rne, 0x7bff, 0x4c00, 0x7c00, OF | NX)   /* 65504 + 16 = 65520, a tie: to even, +inf */
    TEST_FH2_RM(fadd.h, rne, 0x7bff, 0x4bff, 0x7bff, NX)   /* just below the tie: max */
    TEST_FH2_RM(fadd.h, rtz, 0x7bff, 0x4c00, 0x7bff, NX)   /* the tie in RTZ: max, no overflow */
    TEST_FH2(fadd.h, 0x0001, 0x0001, 0x0002, 0)   /* subnormals, exact */
    TEST_FH2(fsub.h, 0x0400, 0x0001, 0x03ff, 0)   /* exact subnormal result */
    TEST_FH2(fadd.h, 0x7c00, 0xfc00, 0x7e00, NV)
    TEST_FH2(fadd.h, 0xfc00, 0x7bff, 0xfc00, 0)
    /* ---- mul / div / sqrt */
    TEST_FH2(fmul.h, 0x4000, 0x4200, 0x4600, 0)
    TEST_FH2(fmul.h, 0x7bff, 0x4000, 0x7c00, OF | NX)
    TEST_FH2_RM(fmul.h, rtz, 0x7bff, 0x4000, 0x7bff, OF | NX)
    TEST_FH2_RM(fmul.h, rup, 0x7bff, 0xc000, 0xfbff, OF | NX)
    TEST_FH2(fmul.h, 0x0400, 0x3800, 0x0200, 0)   /* exact subnormal: no UF */
    TEST_FH2(fmul.h, 0x0401, 0x3800, 0x0200, UF | NX)   /* tie in the subnormal range */
    TEST_FH2_RM(fmul.h, rup, 0x0401, 0x3800, 0x0201, UF | NX)
    TEST_FH2(fmul.h, 0x03ff, 0x3c01, 0x0400, NX)   /* rounds up to the smallest normal: not tiny after rounding */
    TEST_FH2_RM(fmul.h, rtz, 0x03ff, 0x3c01, 0x03ff, UF | NX)   /* ... but tiny in RTZ */
    TEST_FH2_RM(fmul.h, rup, 0x03ff, 0x3c01, 0x0400, NX)
    TEST_FH2(fmul.h, 0x0001, 0x3800, 0x0000, UF | NX)   /* to zero */
    TEST_FH2_RM(fmul.h, rup, 0x0001, 0x3800, 0x0001, UF | NX)
    TEST_FH2_RM(fmul.h, rdn, 0x8001, 0x3800, 0x8001, UF | NX)
    TEST_FH2_RM(fmul.h, rmm, 0x8001, 0x3a00, 0x8001, UF | NX)
    TEST_FH2(fmul.h, 0x0000, 0xfc00, 0x7e00, NV)
    TEST_FH2(fmul.h, 0xbc00, 0x0000, 0x8000, 0)
    TEST_FH2(fmul.h, 0x5bff, 0x5bff, 0x7bfe, NX)   /* 255.875^2 = 65472.02 */
    TEST_FH2(fdiv.h, 0x3c00, 0x4200, 0x3555, NX)
    TEST_FH2_RM(fdiv.h, rup, 0x3c00, 0x4200, 0x3556, NX)
    TEST_FH2_RM(fdiv.h, rtz, 0x3c00, 0x4200, 0x3555, NX)
    TEST_FH2_RM(fdiv.h, rdn, 0xbc00, 0x4200, 0xb556, NX)
    TEST_FH2(fdiv.h, 0x3c00, 0x0000, 0x7c00, DZ)
    TEST_FH2(fdiv.h, 0xbc00, 0x0000, 0xfc00, DZ)
    TEST_FH2(fdiv.h, 0x8000, 0x0000, 0x7e00, NV)
    TEST_FH2(fdiv.h, 0x7c00, 0x7c00, 0x7e00, NV)
    TEST_FH2(fdiv.h, 0x3c00, 0x7c00, 0x0000, 0)
    TEST_FH2(fdiv.h, 0x0400, 0x6400, 0x0001, 0)   /* 2^-14 / 1024: subnormal, exact */
    TEST_FH2(fdiv.h, 0x4200, 0x6400, 0x1a00, 0)   /* 3/1024 */
    TEST_FH2(fdiv.h, 0x7bff, 0x3bff, 0x7c00, OF | NX)   /* overflow by division */
    TEST_FH1(fsqrt.h, 0x4400, 0x4000, 0)
    TEST_FH1(fsqrt.h, 0x4000, 0x3da8, NX)
    TEST_FH1_RM(fsqrt.h, rup, 0x4000, 0x3da9, NX)
    TEST_FH1_RM(fsqrt.h, rdn, 0x4000, 0x3da8, NX)
    TEST_FH1(fsqrt.h, 0xbc00, 0x7e00, NV)
    TEST_FH1(fsqrt.h, 0x8000, 0x8000, 0)
    TEST_FH1(fsqrt.h, 0x7c00, 0x7c00, 0)
    TEST_FH1(fsqrt.h, 0x0001, 0x0c00, 0)
    TEST_FH1(fsqrt.h, 0x0002, 0x0da8, NX)
    TEST_FH1(fsqrt.h, 0x7c01, 0x7e00, NV)
    /* ---- fused multiply-add: one rounding */
    TEST_FH3(fmadd.h, 0x4000, 0x4200, 0x3c00, 0x4700, 0)
    TEST_FH3(fmsub.h, 0x4000, 0x4200, 0x3c00, 0x4500, 0)
    TEST_FH3(fnmsub.h, 0x4000, 0x4200, 0x3c00, 0xc500, 0)
    TEST_FH3(fnmadd.h, 0x4000, 0x4200, 0x3c00, 0xc700, 0)
    TEST_FH3(fmsub.h, 0x3c10, 0x3c10, 0x3c20, 0x0c00, 0)   /* (1+2^-6)^2 - (1+2^-5) = 2^-12 only with a single rounding */
    TEST_FH3(fmadd.h, 0x3c01, 0x3c01, 0x8000, 0x3c02, NX)   /* (1+2^-10)^2 rounds */
    TEST_FH3_RM(fmadd.h, rup, 0x3c01, 0x3c01, 0x8000, 0x3c03, NX)
    TEST_FH3(fmadd.h, 0x7c00, 0x0000, 0x3c00, 0x7e00, NV)
    TEST_FH3(fmadd.h, 0x7c00, 0x0000, 0x7e00, 0x7e00, NV)   /* inf*0 + qNaN: NV */
    TEST_FH3(fmadd.h, 0x7c00, 0x3c00, 0xfc00, 0x7e00, NV)
    TEST_FH3(fmadd.h, 0x3c00, 0x3c00, 0x7c01, 0x7e00, NV)
    TEST_FH3(fmadd.h, 0x7bff, 0x4000, 0xfc00, 0xfc00, 0)   /* the product overflows, the addend is -inf */
    TEST_FH3(fmadd.h, 0x7bff, 0x4000, 0xfbff, 0x7bff, 0)   /* 2*max - max = max, exact */
    TEST_FH3(fmadd.h, 0x3c00, 0x0000, 0x8000, 0x0000, 0)   /* +0 + -0 = +0 */
    TEST_FH3_RM(fmadd.h, rdn, 0x3c00, 0x0000, 0x8000, 0x8000, 0)   /* ... -0 in RDN */
    TEST_FH3_RM(fnmadd.h, rne, 0x3c00, 0x3c00, 0xbc00, 0x0000, 0)   /* -(1) - (-1) = +0 */
    TEST_FH3_RM(fmadd.h, rne, 0x0400, 0x3400, 0x0001, 0x0101, 0)   /* subnormal sum */

    /* ---- min / max */
    TEST_FH2(fmin.h, H_ONE, H_TWO, H_ONE, 0)
    TEST_FH2(fmax.h, H_NONE, H_TWO, H_TWO, 0)
    TEST_FH2(fmin.h, H_QNAN, H_ONE, H_ONE, 0)
    TEST_FH2(fmax.h, H_ONE, 0x7e55, H_ONE, 0)
    TEST_FH2(fmin.h, H_SNAN, H_ONE, H_ONE, NV)
    TEST_FH2(fmax.h, H_QNAN, H_SNAN, H_QNAN, NV)
    TEST_FH2(fmin.h, 0x7e55, 0xff00, H_QNAN, 0)
    TEST_FH2(fmin.h, H_ZERO, H_NZERO, H_NZERO, 0)
    TEST_FH2(fmax.h, H_NZERO, H_ZERO, H_ZERO, 0)
    TEST_FH2(fmin.h, H_MINSUB, 0x8001, 0x8001, 0)
    TEST_FH2(fmax.h, H_NINF, H_MAX, H_MAX, 0)

    /* ---- compares */
    TEST_FH_CMP(feq.h, H_ONE, H_ONE, 1, 0)
    TEST_FH_CMP(feq.h, H_ZERO, H_NZERO, 1, 0)
    TEST_FH_CMP(feq.h, H_QNAN, H_QNAN, 0, 0)
    TEST_FH_CMP(feq.h, H_SNAN, H_ONE, 0, NV)
    TEST_FH_CMP(flt.h, H_ONE, H_TWO, 1, 0)
    TEST_FH_CMP(flt.h, H_TWO, H_ONE, 0, 0)
    TEST_FH_CMP(flt.h, H_NZERO, H_ZERO, 0, 0)
    TEST_FH_CMP(flt.h, H_QNAN, H_ONE, 0, NV)
    TEST_FH_CMP(flt.h, 0x8001, H_MINSUB, 1, 0)
    TEST_FH_CMP(fle.h, H_NZERO, H_ZERO, 1, 0)
    TEST_FH_CMP(fle.h, H_NINF, H_NINF, 1, 0)
    TEST_FH_CMP(fle.h, 0xbc01, H_NONE, 1, 0)
    TEST_FH_CMP(fle.h, H_ONE, H_QNAN, 0, NV)

    /* ---- sign injection */
    TEST_FH2(fsgnj.h, H_ONE, H_NONE, H_NONE, 0)
    TEST_FH2(fsgnjn.h, H_ONE, H_NONE, H_ONE, 0)
    TEST_FH2(fsgnjx.h, H_NONE, H_NONE, H_ONE, 0)
    TEST_FH2(fsgnjx.h, H_ONE, H_NONE, H_NONE, 0)
    TEST_FH2(fsgnj.h, H_SNAN, H_NONE, 0xfc01, 0)
    TEST_FH2(fsgnjn.h, 0xfe55, H_NONE, 0x7e55, 0)

    /* ---- classify */
#define CLASS_H(bits, cls) FSET_H(fa0, bits); fclass.h a2, fa0; CHECK(a2, cls)
    CLASS_H(H_NINF,    1 << 0)
    CLASS_H(H_NONE,    1 << 1)
    CLASS_H(0x83ff,    1 << 2)
    CLASS_H(H_NZERO,   1 << 3)
    CLASS_H(H_ZERO,    1 << 4)
    CLASS_H(H_MINSUB,  1 << 5)
    CLASS_H(H_MINNORM, 1 << 6)
    CLASS_H(H_INF,     1 << 7)
    CLASS_H(H_SNAN,    1 << 8)
    CLASS_H(0xfe00,    1 << 9)
    CHECK_FFLAGS(0)

    /* ---- half -> integer */
    TEST_FH_X(fcvt.w.h, 0x3e00, 0x2, NX)   /* 1.5, dyn: frm = RNE */
    TEST_FH_X_RM(fcvt.w.h, rtz, 0x3e00, 0x1, NX)
    TEST_FH_X_RM(fcvt.w.h, rdn, 0xbe00, 0xfffffffffffffffe, NX)
    TEST_FH_X_RM(fcvt.w.h, rup, 0xbe00, 0xffffffffffffffff, NX)
    TEST_FH_X_RM(fcvt.w.h, rmm, 0x4100, 0x3, NX)   /* 2.5 */
    TEST_FH_X_RM(fcvt.w.h, rne, 0x4100, 0x2, NX)
    TEST_FH_X_RM(fcvt.w.h, rmm, 0xc100, 0xfffffffffffffffd, NX)
    TEST_FH_X_RM(fcvt.w.h, rtz, 0x7bff, 0xffe0, 0)   /* 65504 */
    TEST_FH_X_RM(fcvt.w.h, rtz, 0xfbff, 0xffffffffffff0020, 0)
    TEST_FH_X_RM(fcvt.w.h, rtz, 0x7e00, 0x7fffffff, NV)
    TEST_FH_X_RM(fcvt.w.h, rtz, 0x7c00, 0x7fffffff, NV)
    TEST_FH_X_RM(fcvt.w.h, rtz, 0xfc00, 0xffffffff80000000, NV)
    TEST_FH_X_RM(fcvt.w.h, rup, 0x0001, 0x1, NX)   /* 2^-24 up to 1 */
    TEST_FH_X_RM(fcvt.w.h, rdn, 0x8001, 0xffffffffffffffff, NX)
    TEST_FH_X_RM(fcvt.w.h, rtz, 0x8000, 0x0, 0)
    TEST_FH_X_RM(fcvt.wu.h, rtz, 0xbc00, 0x0, NV)
    TEST_FH_X_RM(fcvt.wu.h, rtz, 0xb800, 0x0, NX)   /* -0.5 rounds to 0: NX, not NV */
    TEST_FH_X_RM(fcvt.wu.h, rdn, 0xb800, 0x0, NV)   /* ... but to -1 in RDN: NV */
    TEST_FH_X_RM(fcvt.wu.h, rtz, 0x7bff, 0xffe0, 0)
    TEST_FH_X_RM(fcvt.wu.h, rtz, 0x7c00, 0xffffffffffffffff, NV)
    TEST_FH_X_RM(fcvt.wu.h, rtz, 0x7c01, 0xffffffffffffffff, NV)
    TEST_FH_X_RM(fcvt.l.h, rtz, 0xfbff, 0xffffffffffff0020, 0)
    TEST_FH_X_RM(fcvt.l.h, rtz, 0xfc00, 0x8000000000000000, NV)
    TEST_FH_X_RM(fcvt.l.h, rtz, 0x7e00, 0x7fffffffffffffff, NV)
    TEST_FH_X_RM(fcvt.l.h, rup, 0x3555, 0x1, NX)
    TEST_FH_X_RM(fcvt.lu.h, rtz, 0x7bff, 0xffe0, 0)
    TEST_FH_X_RM(fcvt.lu.h, rtz, 0xbc00, 0x0, NV)
    TEST_FH_X_RM(fcvt.lu.h, rtz, 0xfc00, 0x0, NV)
    TEST_FH_X_RM(fcvt.lu.h, rmm, 0x3800, 0x1, NX)
    /* ---- integer -> half */
    TEST_X_FH(fcvt.h.w, 0x1, 0x3c00, 0)
    TEST_X_FH(fcvt.h.w, -0x1, 0xbc00, 0)
    TEST_X_FH(fcvt.h.w, 0x0, 0x0000, 0)
    TEST_X_FH(fcvt.h.w, 0xffe0, 0x7bff, 0)
    TEST_X_FH(fcvt.h.w, 0xffe1, 0x7bff, NX)   /* inexact */
    TEST_X_FH(fcvt.h.w, 0xfff0, 0x7c00, OF | NX)   /* a tie: to even, overflows */
    TEST_X_FH_RM(fcvt.h.w, rtz, 0xfff0, 0x7bff, NX)
    TEST_X_FH_RM(fcvt.h.w, rtz, 0x11170, 0x7bff, OF | NX)
    TEST_X_FH(fcvt.h.w, 0x801, 0x6800, NX)   /* a tie: to even */
    TEST_X_FH_RM(fcvt.h.w, rup, 0x801, 0x6801, NX)
    TEST_X_FH_RM(fcvt.h.w, rmm, 0x801, 0x6801, NX)
    TEST_X_FH_RM(fcvt.h.w, rdn, -0x801, 0xe801, NX)
    TEST_X_FH_RM(fcvt.h.w, rtz, 0xffffffff80000000, 0xfbff, OF | NX)   /* -2^31 */
    TEST_X_FH(fcvt.h.w, 0x1234567800000001, 0x3c00, 0)   /* only the low 32 bits count */
    TEST_X_FH_RM(fcvt.h.wu, rtz, 0xffffffff, 0x7bff, OF | NX)
    TEST_X_FH_RM(fcvt.h.wu, rup, 0xffffffff, 0x7c00, OF | NX)
    TEST_X_FH(fcvt.h.wu, 0xffffffff00000003, 0x4200, 0)
    TEST_X_FH_RM(fcvt.h.l, rne, 0x8000000000000000, 0xfc00, OF | NX)
    TEST_X_FH_RM(fcvt.h.l, rtz, 0xffffffffffff0001, 0xfbff, NX)   /* -65535 */
    TEST_X_FH_RM(fcvt.h.lu, rdn, 0xffffffffffffffff, 0x7bff, OF | NX)
    TEST_X_FH_RM(fcvt.h.lu, rdn, 0x3039, 0x7207, NX)

    /* ---- NaN-boxing: the upper 48 bits must be all ones */
    FSET_H(fa1, H_ONE)
    li t0, 0x0000ffffffff3c00          /* 1.0, badly boxed */
    fmv.d.x fa0, t0
    fadd.h fa2, fa0, fa1
    CHECK_FD(fa2, BOXH(H_QNAN))
    CHECK_FFLAGS_SAME(0)               /* the canonical NaN is quiet */
    li t0, 0xffffffff00003c00          /* boxed as a single is not a half */
    fmv.d.x fa0, t0
    fadd.h fa2, fa1, fa0
    CHECK_FD(fa2, BOXH(H_QNAN))
    li t0, 0x7fffffffffff3c00          /* one bit missing */
    fmv.d.x fa0, t0
    fmul.h fa2, fa0, fa1
    CHECK_FD(fa2, BOXH(H_QNAN))
    fclass.h a2, fa0
    CHECK(a2, 1 << 9)
    FSET_H(fa3, H_NONE)
    fsgnj.h fa2, fa0, fa3              /* canonical NaN, sign of rs2 */
    CHECK_FD(fa2, BOXH(0xfe00))
    fmin.h fa2, fa0, fa1
    CHECK_FD(fa2, BOXH(H_ONE))
    feq.h a2, fa0, fa0
    CHECK(a2, 0)
    CHECK_FFLAGS(0)
    fcvt.w.h a2, fa0, rtz
    CHECK(a2, 0x7fffffff)
    CHECK_FFLAGS_SAME(NV)
    fmv.x.h a2, fa0                    /* moves the low 16 bits untouched */
    CHECK(a2, 0x3c00)
    fmadd.h fa2, fa1, fa1, fa0
    CHECK_FD(fa2, BOXH(H_QNAN))
    CHECK_FFLAGS(0)

    /* ---- dynamic rounding */
    csrwi frm, RM_RUP
    TEST_FH2(fdiv.h, H_ONE, H_THREE, 0x3556, NX)
    csrwi frm, RM_RDN
    TEST_FH_X(fcvt.w.h, 0xbe00, -2, NX)
    csrwi frm, RM_RMM
    TEST_X_FH(fcvt.h.w, 2049, 0x6801, NX)
    csrwi frm, RM_RTZ
    TEST_FH3(fmadd.h, H_MAX, H_TWO, H_ZERO, H_MAX, OF | NX)
    csrwi frm, RM_RNE

    /* ---- reserved rounding modes and encodings */
    FSET_H(fa0, H_ONE)
    FSET_H(fa1, H_ONE)
    EXPECT_TRAP
    .word FADD_H_RM(5)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_H_RM(5))
    EXPECT_TRAP
    .word FADD_H_RM(6)
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrwi frm, 5
    EXPECT_TRAP
    .word FADD_H_RM(7)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    .word 0x6cb55643                   /* fmadd.h fa2,fa0,fa1,fa3 with rm = 5 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrwi frm, RM_RNE
    .word FADD_H_RM(7)
    CHECK_FD(fa2, BOXH(H_TWO))
    EXPECT_TRAP
    .word 0x5c150653                   /* fsqrt.h with rs2 = 1 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0x5c150653)
    EXPECT_TRAP
    .word 0xe4052653                   /* funct3 = 2 of fmv.x.h/fclass.h */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    .word 0x24b53653                   /* fsgnj.h with funct3 = 3 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    .word 0xa4b53653                   /* feq.h with funct3 = 3 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    .word 0xc4450653                   /* fcvt.?.h with rs2 = 4 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    .word 0xd4450653                   /* fcvt.h.? with rs2 = 4 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_FFLAGS(0)

    /* ---- mstatus.FS: Off makes Zfh illegal, a Zfh instruction makes it Dirty */
    li s1, MSTATUS_FS
    csrc mstatus, s1
    EXPECT_TRAP
    fadd.h fa2, fa0, fa1
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fclass.h a0, fa0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fcvt.h.w fa0, a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    li s2, 1 << 13                     /* FS = Initial */
    csrs mstatus, s2
    csrr a0, mstatus
    and a0, a0, s1
    CHECK(a0, 1 << 13)
    fsgnjx.h fa2, fa0, fa1
    csrr a0, mstatus
    and a0, a0, s1
    CHECK(a0, MSTATUS_FS)
    csrs mstatus, s1
TEST_END
