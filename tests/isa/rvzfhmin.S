/*
 * rvzfhmin.S: the Zfhmin extension (the part of Zfh that Zfhmin has too:
 * half-precision loads, stores, moves and conversions to and from single
 * and double), in M-mode.
 *
 * Covers (the riscv-tests rv64uzfh ldst, move and fcvt programs, and
 * more): FLH/FSH (negative offsets, FSH writes 2 bytes, FLH NaN-boxes);
 * FMV.H.X (low 16 bits of x, boxed) and FMV.X.H (sign-extended, boxed or
 * not); FCVT.S.H and FCVT.D.H (exact: subnormal halves, infinities, sNaN
 * -> canonical NaN with NV, qNaN -> canonical NaN without); FCVT.H.S and
 * FCVT.H.D in every rounding mode: overflow to inf or the largest finite
 * (and no overflow when RTZ rounds 65520 down to 65504), subnormal
 * results, underflow with tininess after rounding (2^-14 (1 - 2^-12)
 * rounds to 2^-14 with NX only), NaNs; an unboxed half or single source
 * reads as the canonical NaN; with mstatus.FS = Off every one is illegal.
 *
 * Passes on QEMU 7.2 with -cpu rv64,Zfhmin=true (and Zfh=true); expected
 * values as in rvzfh.S. FCVT.S.H/FCVT.D.H are written with rm = 0, the only
 * form binutils 2.40 accepts (they are exact).
 */
#include "test.h"
#include "fp.h"

    .option arch, +zfhmin

TEST_BEGIN
    /* ---- loads and stores */
    la s0, hdata
    li a0, 0x1234abcd5678ef01
    sd a0, 0(s0)
    sd a0, 8(s0)
    addi s1, s0, 8
    flh fa0, -6(s1)                    /* bytes 2-3: 0x5678 */
    CHECK_FD(fa0, BOXH(0x5678))
    flh fa1, 6(s1)                     /* bytes 14-15: 0x1234 */
    CHECK_FD(fa1, BOXH(0x1234))
    fsh fa1, -8(s1)                    /* replaces bytes 0-1 only */
    ld a1, 0(s0)
    CHECK(a1, 0x1234abcd56781234)
    li t0, 0x00000000ffffbeef          /* not boxed: fsh stores the low bits */
    fmv.d.x fa2, t0
    fsh fa2, 2(s1)
    ld a1, 8(s0)
    CHECK(a1, 0x1234abcdbeefef01)
    CHECK_FFLAGS(0)

    /* ---- moves */
    li a0, 0x123456789abcdef0
    fmv.h.x fa0, a0
    CHECK_FD(fa0, BOXH(0xdef0))
    fmv.x.h a1, fa0
    CHECK(a1, 0xffffffffffffdef0)      /* sign-extended */
    li a0, 0x7c01
    fmv.h.x fa0, a0                    /* a signaling NaN moves untouched */
    fmv.x.h a1, fa0
    CHECK(a1, 0x7c01)
    li t0, 0x0123456789ab8001          /* unboxed: low 16 bits, no check */
    fmv.d.x fa0, t0
    fmv.x.h a1, fa0
    CHECK(a1, 0xffffffffffff8001)
    CHECK_FFLAGS(0)

    /* ---- half -> single, half -> double: exact (rm = 0, the only one binutils 2.40 takes) */
    TEST_CVT(fcvt.s.h, FSET_H, 0x3c00, 0xffffffff3f800000, 0)
    TEST_CVT(fcvt.s.h, FSET_H, 0x1, 0xffffffff33800000, 0)   /* smallest subnormal */
    TEST_CVT(fcvt.s.h, FSET_H, 0x83ff, 0xffffffffb87fc000, 0)   /* largest negative subnormal */
    TEST_CVT(fcvt.s.h, FSET_H, 0x7bff, 0xffffffff477fe000, 0)   /* 65504 */
    TEST_CVT(fcvt.s.h, FSET_H, 0x7c00, 0xffffffff7f800000, 0)
    TEST_CVT(fcvt.s.h, FSET_H, 0xfc00, 0xffffffffff800000, 0)
    TEST_CVT(fcvt.s.h, FSET_H, 0x7c01, 0xffffffff7fc00000, NV)   /* sNaN: NV */
    TEST_CVT(fcvt.s.h, FSET_H, 0x7e55, 0xffffffff7fc00000, 0)   /* qNaN: canonical, no NV */
    TEST_CVT(fcvt.s.h, FSET_H, 0x8000, 0xffffffff80000000, 0)
    TEST_CVT(fcvt.s.h, FSET_H, 0x3555, 0xffffffff3eaaa000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0x3c00, 0x3ff0000000000000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0x1, 0x3e70000000000000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0x83ff, 0xbf0ff80000000000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0xfbff, 0xc0effc0000000000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0x7c00, 0x7ff0000000000000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0x7c01, 0x7ff8000000000000, NV)
    TEST_CVT(fcvt.d.h, FSET_H, 0xfe55, 0x7ff8000000000000, 0)
    TEST_CVT(fcvt.d.h, FSET_H, 0x8000, 0x8000000000000000, 0)
    /* ---- single -> half */
    TEST_CVT(fcvt.h.s, FSET_S, 0x3f800000, 0xffffffffffff3c00, 0)
    TEST_CVT(fcvt.h.s, FSET_S, 0x3eaaaaab, 0xffffffffffff3555, NX)   /* 1/3 */
    TEST_CVT_RM(fcvt.h.s, rup, FSET_S, 0x3eaaaaab, 0xffffffffffff3556, NX)
    TEST_CVT(fcvt.h.s, FSET_S, 0x477ff000, 0xffffffffffff7c00, OF | NX)   /* 65520, a tie: to even, +inf */
    TEST_CVT_RM(fcvt.h.s, rtz, FSET_S, 0x477ff000, 0xffffffffffff7bff, NX)   /* no overflow in RTZ */
    TEST_CVT(fcvt.h.s, FSET_S, 0x477fefff, 0xffffffffffff7bff, NX)   /* just below: max */
    TEST_CVT_RM(fcvt.h.s, rtz, FSET_S, 0x47800000, 0xffffffffffff7bff, OF | NX)   /* 65536: overflow */
    TEST_CVT_RM(fcvt.h.s, rdn, FSET_S, 0x47800000, 0xffffffffffff7bff, OF | NX)
    TEST_CVT_RM(fcvt.h.s, rup, FSET_S, 0x47800000, 0xffffffffffff7c00, OF | NX)
    TEST_CVT_RM(fcvt.h.s, rup, FSET_S, 0xc7800000, 0xfffffffffffffbff, OF | NX)
    TEST_CVT_RM(fcvt.h.s, rdn, FSET_S, 0xc7800000, 0xfffffffffffffc00, OF | NX)
    TEST_CVT(fcvt.h.s, FSET_S, 0x7f7fffff, 0xffffffffffff7c00, OF | NX)
    TEST_CVT(fcvt.h.s, FSET_S, 0x33000000, 0xffffffffffff0000, UF | NX)   /* 2^-25: a tie between 0 and 2^-24 */
    TEST_CVT_RM(fcvt.h.s, rup, FSET_S, 0x33000000, 0xffffffffffff0001, UF | NX)
    TEST_CVT_RM(fcvt.h.s, rmm, FSET_S, 0x33000000, 0xffffffffffff0001, UF | NX)
    TEST_CVT(fcvt.h.s, FSET_S, 0x33800000, 0xffffffffffff0001, 0)   /* 2^-24 exact */
    TEST_CVT(fcvt.h.s, FSET_S, 0x33c00000, 0xffffffffffff0002, UF | NX)   /* 1.5 * 2^-24: to even */
    TEST_CVT(fcvt.h.s, FSET_S, 0x387ff000, 0xffffffffffff0400, NX)   /* 2^-14 (1 - 2^-12): rounds to the smallest normal, not tiny after rounding */
    TEST_CVT_RM(fcvt.h.s, rtz, FSET_S, 0x387ff000, 0xffffffffffff03ff, UF | NX)   /* ... tiny in RTZ */
    TEST_CVT(fcvt.h.s, FSET_S, 0x387fc000, 0xffffffffffff03ff, 0)   /* exact subnormal 0x3ff */
    TEST_CVT(fcvt.h.s, FSET_S, 0x1, 0xffffffffffff0000, UF | NX)   /* single subnormal */
    TEST_CVT_RM(fcvt.h.s, rdn, FSET_S, 0x80000001, 0xffffffffffff8001, UF | NX)
    TEST_CVT(fcvt.h.s, FSET_S, 0x7f800001, 0xffffffffffff7e00, NV)   /* sNaN */
    TEST_CVT(fcvt.h.s, FSET_S, 0x7fc12345, 0xffffffffffff7e00, 0)   /* qNaN payload dropped */
    TEST_CVT(fcvt.h.s, FSET_S, 0xff800000, 0xfffffffffffffc00, 0)
    TEST_CVT(fcvt.h.s, FSET_S, 0x80000000, 0xffffffffffff8000, 0)
    /* ---- double -> half */
    TEST_CVT(fcvt.h.d, FSET_D, 0x3ff0000000000000, 0xffffffffffff3c00, 0)
    TEST_CVT_RM(fcvt.h.d, rtz, FSET_D, 0x3fd5555555555555, 0xffffffffffff3555, NX)
    TEST_CVT(fcvt.h.d, FSET_D, 0x40effe0000000000, 0xffffffffffff7c00, OF | NX)   /* 65520 */
    TEST_CVT(fcvt.h.d, FSET_D, 0x40effdffffffffff, 0xffffffffffff7bff, NX)   /* 65519.99... */
    TEST_CVT_RM(fcvt.h.d, rtz, FSET_D, 0x7fefffffffffffff, 0xffffffffffff7bff, OF | NX)
    TEST_CVT_RM(fcvt.h.d, rmm, FSET_D, 0x7fefffffffffffff, 0xffffffffffff7c00, OF | NX)
    TEST_CVT(fcvt.h.d, FSET_D, 0x3e78000000000000, 0xffffffffffff0002, UF | NX)   /* 1.5 * 2^-24 */
    TEST_CVT_RM(fcvt.h.d, rup, FSET_D, 0x3e70000000000001, 0xffffffffffff0002, UF | NX)   /* just above 2^-24 */
    TEST_CVT_RM(fcvt.h.d, rup, FSET_D, 0x1, 0xffffffffffff0001, UF | NX)
    TEST_CVT(fcvt.h.d, FSET_D, 0x7ff0000000000001, 0xffffffffffff7e00, NV)
    TEST_CVT(fcvt.h.d, FSET_D, 0xfff8000000000000, 0xffffffffffff7e00, 0)
    TEST_CVT(fcvt.h.d, FSET_D, 0x8000000000000000, 0xffffffffffff8000, 0)
    TEST_CVT(fcvt.h.d, FSET_D, 0x3f0ff80000000000, 0xffffffffffff03ff, 0)   /* 2^-15 (2-2^-10): exact subnormal 0x3ff */
    TEST_CVT(fcvt.h.d, FSET_D, 0x3f0ffe0000000000, 0xffffffffffff0400, NX)   /* 2^-15 (2-2^-11): to the smallest normal, NX only */
    TEST_CVT_RM(fcvt.h.d, rdn, FSET_D, 0x3f0ffe0000000000, 0xffffffffffff03ff, UF | NX)

    /* ---- unboxed sources read as the canonical NaN (quiet: no NV) */
    li t0, 0x0000ffffffff3c00
    fmv.d.x fa0, t0
    fcvt.s.h fa2, fa0
    CHECK_FD(fa2, BOX(S_QNAN))
    fcvt.d.h fa2, fa0
    CHECK_FD(fa2, D_QNAN)
    li t0, 0x000000003f800000          /* a single that is not boxed */
    fmv.d.x fa0, t0
    fcvt.h.s fa2, fa0
    CHECK_FD(fa2, BOXH(H_QNAN))
    CHECK_FFLAGS(0)

    /* ---- dynamic rounding */
    csrwi frm, RM_RUP
    TEST_CVT(fcvt.h.s, FSET_S, 0x3eaaaaab, BOXH(0x3556), NX)
    csrwi frm, RM_RTZ
    TEST_CVT(fcvt.h.d, FSET_D, 0x7fefffffffffffff, BOXH(H_MAX), OF | NX)
    csrwi frm, RM_RNE

    /* ---- mstatus.FS = Off */
    li s1, MSTATUS_FS
    csrc mstatus, s1
    EXPECT_TRAP
    flh fa0, 0(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fsh fa0, 0(s0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fmv.h.x fa0, a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fmv.x.h a0, fa0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fcvt.s.h fa0, fa1
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    fcvt.h.d fa0, fa1
    CHECK_TRAP(CAUSE_ILLEGAL)
    li s2, 1 << 13                     /* FS = Initial: flh makes it Dirty */
    csrs mstatus, s2
    flh fa0, 0(s0)
    csrr a0, mstatus
    and a0, a0, s1
    CHECK(a0, MSTATUS_FS)
    csrs mstatus, s1
TEST_END

    .data
    .align 4
hdata:
    .fill 32, 1, 0
