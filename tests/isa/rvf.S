/*
 * rvf.S: the F extension (single precision), in M-mode.
 *
 * Covers: FADD/FSUB/FMUL/FDIV/FSQRT with exact and inexact results,
 * overflow (OF|NX; RTZ overflows to the largest finite), underflow (UF|NX
 * when tiny and inexact, none for an exact subnormal), divide by zero (DZ),
 * invalid (NV: inf-inf, 0*inf, 0/0, sqrt(-1), signalling NaN operands),
 * canonical NaN results (0x7fc00000, payloads dropped); all rounding modes,
 * static (rne/rtz/rdn/rup/rmm, including ties) and dynamic through frm,
 * a static mode overriding frm; reserved rounding modes (static 5/6,
 * dynamic with frm = 5/7) raise illegal instruction with mtval = the
 * instruction, while instructions without rounding ignore frm; FMADD/
 * FMSUB/FNMSUB/FNMADD (single rounding, NV for inf*0 even with a quiet-NaN
 * addend); FMIN/FMAX (NaN operands, -0 < +0, NV only for sNaN); FCVT.W/
 * WU/L/LU.S with every rounding mode, NaN/inf/out-of-range saturation and
 * NV, FCVT.S.W/WU/L/LU (rounding, upper bits of W sources ignored);
 * FEQ/FLT/FLE (quiet vs signalling compares); FSGNJ/FSGNJN/FSGNJX (NaN
 * bits untouched); FCLASS for all ten classes; FMV.X.W (sign-extends) and
 * FMV.W.X; NaN-boxing: FLW and every single result are boxed (upper 32
 * bits ones), an unboxed value reads as the canonical NaN for arithmetic,
 * FSGNJ, FCLASS and compares but FSW/FMV.X.W move its low bits untouched;
 * fflags accrual and fcsr = frm << 5 | fflags; mstatus.FS: with FS = Off
 * every FP instruction and fcsr access is illegal, an FP register write
 * makes FS Dirty (3) from Initial, an fcsr write makes it Dirty from
 * Clean, and SD (bit 63) reads 1 exactly when FS is Dirty.
 */
#include "test.h"
#include "fp.h"

/* fadd.s fa2, fa0, fa1 with rounding-mode field rm */
#define FADD_S_RM(rm) (0x00b50653 | ((rm) << 12))

TEST_BEGIN
    /* ---- add / sub */
    TEST_FS2(fadd.s, S_ONE, S_TWO, S_THREE, 0)
    TEST_FS2(fadd.s, S_ONE, 0x30800000, S_ONE, NX)          /* 1 + 2^-30 */
    TEST_FS2_RM(fadd.s, rup, S_ONE, 0x30800000, 0x3f800001, NX)
    TEST_FS2_RM(fadd.s, rdn, S_NONE, 0xb0800000, 0xbf800001, NX)
    TEST_FS2_RM(fadd.s, rtz, S_NONE, 0xb0800000, S_NONE, NX)
    TEST_FS2_RM(fadd.s, rdn, S_ONE, 0x30800000, S_ONE, NX)
    TEST_FS2_RM(fadd.s, rne, S_ONE, 0x33800000, S_ONE, NX)   /* tie: to even */
    TEST_FS2_RM(fadd.s, rmm, S_ONE, 0x33800000, 0x3f800001, NX) /* tie: away */
    TEST_FS2_RM(fadd.s, rne, S_ONE, S_NONE, S_ZERO, 0)       /* x - x = +0 */
    TEST_FS2_RM(fadd.s, rdn, S_ONE, S_NONE, S_NZERO, 0)      /* ... -0 in RDN */
    TEST_FS2(fsub.s, S_THREE, S_ONE, S_TWO, 0)
    TEST_FS2(fsub.s, S_INF, S_INF, S_QNAN, NV)
    TEST_FS2(fadd.s, S_SNAN, S_ONE, S_QNAN, NV)
    TEST_FS2(fadd.s, 0x7fc12345, S_ONE, S_QNAN, 0)          /* payload dropped */
    TEST_FS2(fadd.s, S_INF, S_MAX, S_INF, 0)

    /* ---- mul / div / sqrt */
    TEST_FS2(fmul.s, S_TWO, S_THREE, 0x40c00000, 0)
    TEST_FS2(fmul.s, S_MAX, S_TWO, S_INF, OF | NX)
    TEST_FS2_RM(fmul.s, rtz, S_MAX, S_TWO, S_MAX, OF | NX)
    TEST_FS2_RM(fmul.s, rdn, S_MAX, S_TWO, S_MAX, OF | NX)
    TEST_FS2(fmul.s, 0x00800001, S_HALF, 0x00400000, UF | NX) /* tiny, inexact */
    TEST_FS2(fmul.s, S_MINNORM, S_HALF, 0x00400000, 0)       /* exact subnormal */
    TEST_FS2_RM(fmul.s, rup, S_MINSUB, S_HALF, S_MINSUB, UF | NX)
    TEST_FS2(fmul.s, S_INF, S_ZERO, S_QNAN, NV)
    TEST_FS2(fmul.s, S_NONE, S_ZERO, S_NZERO, 0)
    TEST_FS2(fdiv.s, S_ONE, S_ZERO, S_INF, DZ)
    TEST_FS2(fdiv.s, S_NONE, S_ZERO, S_NINF, DZ)
    TEST_FS2(fdiv.s, S_ZERO, S_ZERO, S_QNAN, NV)
    TEST_FS2(fdiv.s, S_INF, S_INF, S_QNAN, NV)
    TEST_FS2(fdiv.s, S_ONE, S_THREE, 0x3eaaaaab, NX)
    TEST_FS2_RM(fdiv.s, rtz, S_ONE, S_THREE, 0x3eaaaaaa, NX)
    TEST_FS2(fdiv.s, S_ONE, S_INF, S_ZERO, 0)
    TEST_FS1(fsqrt.s, 0x40800000, S_TWO, 0)
    TEST_FS1(fsqrt.s, S_TWO, 0x3fb504f3, NX)
    TEST_FS1(fsqrt.s, S_NONE, S_QNAN, NV)
    TEST_FS1(fsqrt.s, S_NZERO, S_NZERO, 0)
    TEST_FS1(fsqrt.s, S_INF, S_INF, 0)

    /* ---- min / max */
    TEST_FS2(fmin.s, S_ONE, S_TWO, S_ONE, 0)
    TEST_FS2(fmax.s, S_NONE, S_TWO, S_TWO, 0)
    TEST_FS2(fmin.s, S_QNAN, S_ONE, S_ONE, 0)
    TEST_FS2(fmax.s, S_ONE, 0x7fc12345, S_ONE, 0)
    TEST_FS2(fmin.s, S_SNAN, S_ONE, S_ONE, NV)
    TEST_FS2(fmax.s, S_QNAN, S_SNAN, S_QNAN, NV)
    TEST_FS2(fmin.s, 0x7fc12345, 0x7fc54321, S_QNAN, 0)
    TEST_FS2(fmin.s, S_ZERO, S_NZERO, S_NZERO, 0)
    TEST_FS2(fmax.s, S_NZERO, S_ZERO, S_ZERO, 0)

    /* ---- fused multiply-add */
    TEST_FS3(fmadd.s, S_TWO, S_THREE, S_ONE, 0x40e00000, 0)    /*  2*3+1 */
    TEST_FS3(fmsub.s, S_TWO, S_THREE, S_ONE, 0x40a00000, 0)    /*  2*3-1 */
    TEST_FS3(fnmsub.s, S_TWO, S_THREE, S_ONE, 0xc0a00000, 0)   /* -2*3+1 */
    TEST_FS3(fnmadd.s, S_TWO, S_THREE, S_ONE, 0xc0e00000, 0)   /* -2*3-1 */
    /* (1+2^-12)^2 - (1+2^-11) = 2^-24 only with a single rounding */
    TEST_FS3(fmsub.s, 0x3f800800, 0x3f800800, 0x3f801000, 0x33800000, 0)
    TEST_FS3(fmadd.s, S_INF, S_ZERO, S_ONE, S_QNAN, NV)
    TEST_FS3(fmadd.s, S_INF, S_ZERO, S_QNAN, S_QNAN, NV)
    TEST_FS3(fmadd.s, S_INF, S_ONE, S_NINF, S_QNAN, NV)
    TEST_FS3(fmadd.s, S_ONE, S_ONE, S_SNAN, S_QNAN, NV)

    /* ---- float -> integer */
    TEST_FS_X(fcvt.w.s, S_1P5, 2, NX)                  /* dyn, frm = RNE */
    TEST_FS_X_RM(fcvt.w.s, rtz, S_1P5, 1, NX)
    TEST_FS_X_RM(fcvt.w.s, rdn, 0xbfc00000, -2, NX)    /* -1.5 */
    TEST_FS_X_RM(fcvt.w.s, rup, 0xbfc00000, -1, NX)
    TEST_FS_X_RM(fcvt.w.s, rmm, 0x40200000, 3, NX)     /* 2.5 */
    TEST_FS_X_RM(fcvt.w.s, rne, 0x40200000, 2, NX)
    TEST_FS_X_RM(fcvt.w.s, rmm, 0xc0200000, -3, NX)    /* -2.5 */
    TEST_FS_X_RM(fcvt.w.s, rtz, S_QNAN, 0x7fffffff, NV)
    TEST_FS_X_RM(fcvt.w.s, rtz, S_NINF, 0xffffffff80000000, NV)
    TEST_FS_X_RM(fcvt.w.s, rtz, 0x4f32d05e, 0x7fffffff, NV)   /* 3e9 */
    TEST_FS_X_RM(fcvt.w.s, rtz, 0xcf000000, 0xffffffff80000000, 0)   /* -2^31 */
    TEST_FS_X_RM(fcvt.wu.s, rtz, S_NONE, 0, NV)
    TEST_FS_X_RM(fcvt.wu.s, rtz, 0xbf000000, 0, NX)    /* -0.5 rounds to 0 */
    TEST_FS_X_RM(fcvt.wu.s, rtz, 0x4f6e6b28, 0xffffffffee6b2800, 0)   /* 4e9 */
    TEST_FS_X_RM(fcvt.wu.s, rtz, S_QNAN, -1, NV)
    TEST_FS_X_RM(fcvt.l.s, rtz, 0x53800000, 0x10000000000, 0)   /* 2^40 */
    TEST_FS_X_RM(fcvt.l.s, rtz, S_QNAN, 0x7fffffffffffffff, NV)
    TEST_FS_X_RM(fcvt.l.s, rtz, S_NINF, 0x8000000000000000, NV)
    TEST_FS_X_RM(fcvt.l.s, rdn, 0xbf000000, -1, NX)
    TEST_FS_X_RM(fcvt.lu.s, rtz, S_NONE, 0, NV)
    TEST_FS_X_RM(fcvt.lu.s, rtz, S_INF, -1, NV)
    TEST_FS_X_RM(fcvt.lu.s, rup, 0x3e800000, 1, NX)    /* 0.25 */

    /* ---- integer -> float */
    TEST_X_FS(fcvt.s.w, -1, S_NONE, 0)
    TEST_X_FS(fcvt.s.w, 0xffffffff00000003, S_THREE, 0)  /* upper bits ignored */
    TEST_X_FS(fcvt.s.wu, 0xffffffff, 0x4f800000, NX)
    TEST_X_FS(fcvt.s.l, 0x7fffffffffffffff, 0x5f000000, NX)
    TEST_X_FS(fcvt.s.lu, -1, 0x5f800000, NX)
    TEST_X_FS(fcvt.s.l, 0x8000000000000000, 0xdf000000, 0)
    TEST_X_FS_RM(fcvt.s.w, rtz, 0x01000001, 0x4b800000, NX)
    TEST_X_FS_RM(fcvt.s.w, rup, 0x01000001, 0x4b800001, NX)

    /* ---- compares */
    TEST_FS_CMP(feq.s, S_ONE, S_ONE, 1, 0)
    TEST_FS_CMP(feq.s, S_ZERO, S_NZERO, 1, 0)
    TEST_FS_CMP(feq.s, S_QNAN, S_QNAN, 0, 0)           /* quiet compare */
    TEST_FS_CMP(feq.s, S_SNAN, S_ONE, 0, NV)
    TEST_FS_CMP(flt.s, S_QNAN, S_ONE, 0, NV)           /* signalling compares */
    TEST_FS_CMP(fle.s, S_ONE, S_QNAN, 0, NV)
    TEST_FS_CMP(flt.s, S_NONE, S_ONE, 1, 0)
    TEST_FS_CMP(flt.s, S_ONE, S_ONE, 0, 0)
    TEST_FS_CMP(fle.s, S_ONE, S_ONE, 1, 0)
    TEST_FS_CMP(flt.s, S_NZERO, S_ZERO, 0, 0)
    TEST_FS_CMP(fle.s, S_NINF, S_MAX, 1, 0)

    /* ---- sign injection */
    TEST_FS2(fsgnj.s, S_ONE, S_NONE, S_NONE, 0)
    TEST_FS2(fsgnjn.s, S_ONE, S_NONE, S_ONE, 0)
    TEST_FS2(fsgnjx.s, S_NONE, S_NONE, S_ONE, 0)
    TEST_FS2(fsgnjx.s, S_NONE, S_ONE, S_NONE, 0)
    TEST_FS2(fsgnj.s, S_SNAN, S_NONE, 0xff800001, 0)   /* no NV, bits kept */
    TEST_FS2(fsgnjn.s, 0x7fc12345, S_ONE, 0xffc12345, 0)

    /* ---- classify */
#define CLASS_S(bits, cls) FSET_S(fa0, bits); fclass.s a2, fa0; CHECK(a2, cls)
    CLASS_S(S_NINF,     1 << 0)
    CLASS_S(S_NONE,     1 << 1)
    CLASS_S(0x807fffff, 1 << 2)
    CLASS_S(S_NZERO,    1 << 3)
    CLASS_S(S_ZERO,     1 << 4)
    CLASS_S(S_MINSUB,   1 << 5)
    CLASS_S(S_MAX,      1 << 6)
    CLASS_S(S_INF,      1 << 7)
    CLASS_S(0x7fbfffff, 1 << 8)
    CLASS_S(0xffc00001, 1 << 9)
    CHECK_FFLAGS(0)

    /* ---- moves and NaN-boxing */
    FSET_S(fa0, 0x80000001)
    fmv.x.w a2, fa0
    CHECK(a2, 0xffffffff80000001)                      /* sign-extended */
    li a0, 0x123456783f800000
    fmv.w.x fa0, a0                                    /* low bits, boxed */
    CHECK_FD(fa0, BOX(S_ONE))
    la s0, fdata
    li a0, 0x0000000040490fdb
    sd a0, 0(s0)
    flw fa0, 0(s0)
    CHECK_FD(fa0, BOX(0x40490fdb))                     /* FLW boxes */
    li a0, 0x1234567840490fdb                          /* not boxed */
    fmv.d.x fa0, a0
    fsw fa0, 8(s0)                                     /* stores low bits */
    lwu a2, 8(s0)
    CHECK(a2, 0x40490fdb)
    fmv.x.w a2, fa0                                    /* moves low bits */
    CHECK(a2, 0x40490fdb)
    FSET_S(fa1, S_ONE)
    fadd.s fa2, fa0, fa1                               /* unboxed = qNaN */
    CHECK_FD(fa2, BOX(S_QNAN))
    FSET_S(fa1, S_NONE)
    fsgnj.s fa2, fa0, fa1
    CHECK_FD(fa2, BOX(0xffc00000))
    fclass.s a2, fa0
    CHECK(a2, 1 << 9)
    li a0, 0xfffffffe3f800000                          /* almost boxed */
    fmv.d.x fa0, a0
    feq.s a2, fa0, fa0
    CHECK(a2, 0)
    CHECK_FFLAGS(0)

    /* ---- fcsr, frm, fflags */
    fsflags zero
    FSET_S(fa0, S_ONE)
    FSET_S(fa1, S_THREE)
    fdiv.s fa2, fa0, fa1                               /* NX */
    FSET_S(fa1, S_ZERO)
    fdiv.s fa2, fa0, fa1                               /* DZ, accrues */
    csrr a2, fcsr
    CHECK(a2, DZ | NX)
    csrwi frm, RM_RUP
    csrr a2, fcsr
    CHECK(a2, (RM_RUP << 5) | DZ | NX)
    fsflags zero
    FSET_S(fa0, S_ONE)
    FSET_S(fa1, 0x30800000)
    fadd.s fa2, fa0, fa1                               /* dynamic: RUP */
    CHECK_FD(fa2, BOX(0x3f800001))
    fadd.s fa2, fa0, fa1, rne                          /* static wins */
    CHECK_FD(fa2, BOX(S_ONE))
    csrwi frm, RM_RDN
    TEST_FS_X(fcvt.w.s, S_1P5, 1, NX)
    csrwi frm, RM_RMM
    TEST_FS2(fadd.s, S_ONE, 0x33800000, 0x3f800001, NX)
    csrwi frm, RM_RTZ
    TEST_FS2(fdiv.s, S_ONE, S_THREE, 0x3eaaaaaa, NX)
    TEST_FS3(fmadd.s, S_ONE, S_ONE, 0x30800000, S_ONE, NX)
    csrwi frm, RM_RNE

    /* ---- reserved rounding modes */
    FSET_S(fa0, S_ONE)
    FSET_S(fa1, S_ONE)
    EXPECT_TRAP
    .word FADD_S_RM(5)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_S_RM(5))
    EXPECT_TRAP
    .word FADD_S_RM(6)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_S_RM(6))
    csrwi frm, 5
    EXPECT_TRAP
    .word FADD_S_RM(7)                                 /* dyn */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_S_RM(7))
    fmin.s fa2, fa0, fa1                               /* no rounding: fine */
    fsgnj.s fa2, fa0, fa1
    CHECK_FD(fa2, BOX(S_ONE))
    fadd.s fa2, fa0, fa1, rne                          /* static: fine */
    CHECK_FD(fa2, BOX(S_TWO))
    csrwi frm, 7
    EXPECT_TRAP
    .word FADD_S_RM(7)
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrwi frm, RM_RNE
    CHECK_FFLAGS(0)

    /* ---- mstatus.FS */
    li s1, MSTATUS_FS
    csrc mstatus, s1                                   /* Off */
    EXPECT_TRAP
    .word FADD_S_RM(7)
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(FADD_S_RM(7))
    EXPECT_TRAP
    flw fa0, 0(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fmv.x.w a2, fa0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a2, fflags
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrwi frm, 1
    CHECK_TRAP(CAUSE_ILLEGAL)
    li a0, 1 << 13
    csrs mstatus, a0                                   /* Initial */
    csrr a2, mstatus
    and a3, a2, s1
    CHECK(a3, 1 << 13)
    srli a3, a2, 63
    CHECK(a3, 0)                                       /* SD clear */
    li a0, S_ONE
    fmv.w.x fa0, a0                                    /* FP register write */
    csrr a2, mstatus
    and a3, a2, s1
    CHECK(a3, MSTATUS_FS)                              /* Dirty */
    srli a3, a2, 63
    CHECK(a3, 1)                                       /* SD set */
    csrc mstatus, s1
    li a0, 2 << 13
    csrs mstatus, a0                                   /* Clean */
    csrr a2, mstatus
    srli a3, a2, 63
    CHECK(a3, 0)
    csrwi fflags, NX                                   /* fcsr write */
    csrr a2, mstatus
    and a3, a2, s1
    CHECK(a3, MSTATUS_FS)
    csrs mstatus, s1
TEST_END

    .data
    .align 4
fdata:
    .fill 32, 1, 0
