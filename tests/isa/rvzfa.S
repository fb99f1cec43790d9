/*
 * rvzfa.S: the Zfa extension (additional floating-point instructions,
 * version 1.0), in M-mode, for S, D and H.
 *
 * QEMU 7.2 does not implement Zfa and binutils 2.40 does not know it, so
 * the instructions are written as .word encodings (ZFA_R below) and each
 * group of checks names the section of the Zfa chapter of the unprivileged
 * ISA manual it follows:
 *   "Load-Immediate Instructions": FLI.S/D/H load the 32 constants of the
 *     table, entry 1 is each format's smallest normal, entry 31 the
 *     canonical NaN; for FLI.H entries 2 and 3 (2^-16, 2^-15) are
 *     subnormal and entry 29 (2^16) is +inf; no flags are set;
 *   "Minimum and Maximum Instructions": FMINM/FMAXM are FMIN/FMAX except
 *     that any NaN input gives the canonical NaN (NV only for a signaling
 *     one);
 *   "Round-to-Integer Instructions": FROUND/FROUNDNX round to an integral
 *     value in the same format by the rm field (or frm); zeros and
 *     infinities unchanged; NaN -> canonical NaN, NV only for a signaling
 *     NaN; FROUND never sets NX, FROUNDNX sets it when the value changed;
 *   "Modular Convert-to-Integer Instruction": FCVTMOD.W.D truncates and
 *     keeps bits 31:0 of the unbounded integer, sign-extended; inf and NaN
 *     give 0; flags as FCVT.W.D would raise (NV out of range, else NX when
 *     inexact); rm other than RTZ (1) is reserved;
 *   "Move Instructions": FMVH.X.D and FMVP.D.X exist for RV32 only, and
 *     FMVH.X.Q/FMVP.Q.X need Q: all four are illegal on this RV64 hart;
 *   "Comparison Instructions": FLEQ/FLTQ are FLE/FLT without NV for quiet
 *     NaNs;
 *   the .H forms exist only with Zfh (Zfa's text: "If the Zfh extension
 *     is implemented, ..."), so the H checks come last: a hart with Zfa but
 *     not Zfh traps at the first of them (tests/guest/cpu_fp_ext.sh).
 */
#include "test.h"
#include "fp.h"

    .option arch, +zfh

/* an OP-FP instruction from its fields */
#define ZFA_R(f7, rs2, rs1, f3, rd) \
    .word ((f7) << 25 | (rs2) << 20 | (rs1) << 15 | (f3) << 12 | (rd) << 7 | 0x53)
#define FMT_S 0
#define FMT_D 1
#define FMT_H 2
/* fa2 = fli.fmt i */
#define FLI(fmt, i)         ZFA_R(0x78 | (fmt), 1, i, 0, 12)
/* fa2 = fminm/fmaxm.fmt fa0, fa1 */
#define FMINM(fmt)          ZFA_R(0x14 | (fmt), 11, 10, 2, 12)
#define FMAXM(fmt)          ZFA_R(0x14 | (fmt), 11, 10, 3, 12)
/* fa2 = fround/froundnx.fmt fa0, rm */
#define FROUND(fmt, rm)     ZFA_R(0x20 | (fmt), 4, 10, rm, 12)
#define FROUNDNX(fmt, rm)   ZFA_R(0x20 | (fmt), 5, 10, rm, 12)
/* a2 = fcvtmod.w.d fa0, rtz */
#define FCVTMOD             ZFA_R(0x61, 8, 10, 1, 12)
/* a2 = fleq/fltq.fmt fa0, fa1 */
#define FLEQ(fmt)           ZFA_R(0x50 | (fmt), 11, 10, 4, 12)
#define FLTQ(fmt)           ZFA_R(0x50 | (fmt), 11, 10, 5, 12)

#define RNE 0
#define RTZ 1
#define RDN 2
#define RUP 3
#define RMM 4
#define DYN 7

#define T2(insn, fset, a, b, res64, flags) \
    fset(fa0, a); fset(fa1, b); insn; CHECK_FD(fa2, res64); CHECK_FFLAGS_SAME(flags)
#define T1(insn, fset, a, res64, flags) \
    fset(fa0, a); insn; CHECK_FD(fa2, res64); CHECK_FFLAGS_SAME(flags)
#define TX(insn, fset, a, res, flags) \
    fset(fa0, a); insn; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)
#define TCMP(insn, fset, a, b, res, flags) \
    fset(fa0, a); fset(fa1, b); insn; CHECK(a2, res); CHECK_FFLAGS_SAME(flags)

/* every FLI of one format against its table (8-byte register images) */
#define FLI_ALL(fmt, table) \
    la s0, table; \
    .set fli_i, 0; \
    .rept 32; \
    FLI(fmt, fli_i); fmv.x.d t5, fa2; ld t4, 0(s0); CHECK_REG(t5, t4); addi s0, s0, 8; \
    .set fli_i, fli_i + 1; \
    .endr

TEST_BEGIN
    /* ---- Load-Immediate Instructions: S and D */
    csrwi fflags, 0
    FLI_ALL(FMT_S, fli_s)
    FLI_ALL(FMT_D, fli_d)
    CHECK_FFLAGS(0)

    /* ---- Minimum and Maximum Instructions: S and D */
    T2(FMINM(FMT_S), FSET_S, S_ONE, S_TWO, BOX(S_ONE), 0)
    T2(FMAXM(FMT_S), FSET_S, S_NONE, S_TWO, BOX(S_TWO), 0)
    T2(FMINM(FMT_S), FSET_S, S_QNAN, S_ONE, BOX(S_QNAN), 0)     /* FMIN gives 1.0 */
    T2(FMAXM(FMT_S), FSET_S, S_ONE, 0x7fc12345, BOX(S_QNAN), 0)
    T2(FMINM(FMT_S), FSET_S, S_SNAN, S_ONE, BOX(S_QNAN), NV)
    T2(FMINM(FMT_S), FSET_S, S_ZERO, S_NZERO, BOX(S_NZERO), 0)
    T2(FMAXM(FMT_S), FSET_S, S_NZERO, S_ZERO, BOX(S_ZERO), 0)
    T2(FMINM(FMT_D), FSET_D, D_THREE, D_NONE, D_NONE, 0)
    T2(FMAXM(FMT_D), FSET_D, D_QNAN, D_QNAN, D_QNAN, 0)
    T2(FMAXM(FMT_D), FSET_D, D_ONE, D_SNAN, D_QNAN, NV)
    /* an unboxed single reads as the canonical NaN */
    li t0, 0x3f800000
    fmv.d.x fa0, t0
    FSET_S(fa1, S_ONE)
    FMAXM(FMT_S)
    CHECK_FD(fa2, BOX(S_QNAN))
    CHECK_FFLAGS_SAME(0)

    /* ---- Round-to-Integer Instructions: S and D */
    T1(FROUND(FMT_S, RNE), FSET_S, S_1P5, BOX(S_TWO), 0)        /* no NX */
    T1(FROUNDNX(FMT_S, RNE), FSET_S, S_1P5, BOX(S_TWO), NX)
    T1(FROUND(FMT_S, RNE), FSET_S, 0x40200000, BOX(S_TWO), 0)   /* 2.5: to even */
    T1(FROUND(FMT_S, RMM), FSET_S, 0x40200000, BOX(S_THREE), 0)
    T1(FROUND(FMT_S, RDN), FSET_S, 0xbfc00000, BOX(0xc0000000), 0)   /* -1.5 */
    T1(FROUND(FMT_S, RUP), FSET_S, 0xbfc00000, BOX(S_NONE), 0)
    T1(FROUND(FMT_S, RTZ), FSET_S, 0xbfc00000, BOX(S_NONE), 0)
    T1(FROUNDNX(FMT_S, RNE), FSET_S, 0xbf000000, BOX(S_NZERO), NX)  /* -0.5 -> -0 */
    T1(FROUNDNX(FMT_S, RUP), FSET_S, 0x3e800000, BOX(S_ONE), NX)    /* 0.25 up */
    T1(FROUNDNX(FMT_S, RUP), FSET_S, S_MINSUB, BOX(S_ONE), NX)
    T1(FROUNDNX(FMT_S, RDN), FSET_S, S_MINSUB, BOX(S_ZERO), NX)
    T1(FROUNDNX(FMT_S, RNE), FSET_S, 0x4affffff, BOX(0x4b000000), NX)   /* 2^23 - 0.5 */
    T1(FROUNDNX(FMT_S, RNE), FSET_S, S_THREE, BOX(S_THREE), 0)      /* exact */
    T1(FROUNDNX(FMT_S, RNE), FSET_S, 0x4e800000, BOX(0x4e800000), 0)   /* 2^30 */
    T1(FROUNDNX(FMT_S, RNE), FSET_S, S_NINF, BOX(S_NINF), 0)
    T1(FROUNDNX(FMT_S, RNE), FSET_S, S_NZERO, BOX(S_NZERO), 0)
    T1(FROUNDNX(FMT_S, RNE), FSET_S, 0x7fc12345, BOX(S_QNAN), 0)
    T1(FROUND(FMT_S, RNE), FSET_S, S_SNAN, BOX(S_QNAN), NV)
    T1(FROUND(FMT_D, RDN), FSET_D, 0x4004000000000000, D_TWO, 0)    /* 2.5 */
    T1(FROUNDNX(FMT_D, RNE), FSET_D, 0x432fffffffffffff, 0x4330000000000000, NX)  /* 2^52 - 0.5 */
    T1(FROUNDNX(FMT_D, RTZ), FSET_D, 0x432fffffffffffff, 0x432ffffffffffffe, NX)
    T1(FROUNDNX(FMT_D, RNE), FSET_D, 0x7e37e43c8800759c, 0x7e37e43c8800759c, 0)  /* 1e300 */
    T1(FROUNDNX(FMT_D, RMM), FSET_D, 0xbfe0000000000000, D_NONE, NX)   /* -0.5 away */
    T1(FROUND(FMT_D, RNE), FSET_D, D_SNAN, D_QNAN, NV)
    T1(FROUND(FMT_D, RNE), FSET_D, D_INF, D_INF, 0)
    csrwi frm, RM_RUP                 /* dynamic rounding */
    T1(FROUNDNX(FMT_D, DYN), FSET_D, 0x3ff8000000000000, D_TWO, NX)
    csrwi frm, 5                      /* reserved frm with DYN */
    FSET_D(fa0, D_ONE)
    EXPECT_TRAP
    FROUND(FMT_D, DYN)
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrwi frm, RM_RNE
    EXPECT_TRAP
    FROUND(FMT_S, 5)                  /* reserved static rm */
    CHECK_TRAP(CAUSE_ILLEGAL)

    /* ---- Modular Convert-to-Integer Instruction */
    TX(FCVTMOD, FSET_D, 0x3ffe666666666666, 1, NX)                  /* 1.9 */
    TX(FCVTMOD, FSET_D, 0xbffe666666666666, -1, NX)
    TX(FCVTMOD, FSET_D, 0x3fe0000000000000, 0, NX)                  /* 0.5 */
    TX(FCVTMOD, FSET_D, D_NZERO, 0, 0)
    TX(FCVTMOD, FSET_D, 0xc1e0000000000000, 0xffffffff80000000, 0)  /* -2^31: in range */
    TX(FCVTMOD, FSET_D, 0x41dfffffffe00000, 0x7fffffff, NX)         /* 2^31 - 0.5 */
    TX(FCVTMOD, FSET_D, 0x41e0000000000000, 0xffffffff80000000, NV) /* 2^31 wraps */
    TX(FCVTMOD, FSET_D, 0x41f0000000500000, 5, NV)                  /* 2^32 + 5 */
    TX(FCVTMOD, FSET_D, 0xc1f0000000700000, -7, NV)                 /* -(2^32 + 7) */
    TX(FCVTMOD, FSET_D, 0x4415af1d78b58c40, 0x63100000, NV)         /* 1e20 */
    TX(FCVTMOD, FSET_D, 0x43f0000000000001, 0x1000, NV)             /* 2^64 + 2^12 */
    TX(FCVTMOD, FSET_D, 0xc3f0000000000001, -0x1000, NV)
    TX(FCVTMOD, FSET_D, 0x4530000000000000, 0, NV)                  /* 2^84 */
    TX(FCVTMOD, FSET_D, D_INF, 0, NV)
    TX(FCVTMOD, FSET_D, D_NINF, 0, NV)
    TX(FCVTMOD, FSET_D, D_QNAN, 0, NV)
    TX(FCVTMOD, FSET_D, D_SNAN, 0, NV)
    FSET_D(fa0, D_ONE)
    EXPECT_TRAP
    ZFA_R(0x61, 8, 10, 0, 12)         /* rm = RNE: reserved */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x61, 8, 10, 7, 12)         /* rm = DYN: reserved */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x60, 8, 10, 1, 12)         /* fmt S: no FCVTMOD.W.S */
    CHECK_TRAP(CAUSE_ILLEGAL)

    /* ---- Comparison Instructions: S and D */
    TCMP(FLEQ(FMT_S), FSET_S, S_ONE, S_ONE, 1, 0)
    TCMP(FLTQ(FMT_S), FSET_S, S_ONE, S_ONE, 0, 0)
    TCMP(FLTQ(FMT_S), FSET_S, S_ONE, S_TWO, 1, 0)
    TCMP(FLEQ(FMT_S), FSET_S, S_QNAN, S_ONE, 0, 0)              /* FLE raises NV */
    TCMP(FLTQ(FMT_S), FSET_S, S_ONE, S_QNAN, 0, 0)
    TCMP(FLEQ(FMT_S), FSET_S, S_SNAN, S_ONE, 0, NV)
    TCMP(FLTQ(FMT_D), FSET_D, D_NZERO, D_ZERO, 0, 0)
    TCMP(FLEQ(FMT_D), FSET_D, D_NZERO, D_ZERO, 1, 0)
    TCMP(FLTQ(FMT_D), FSET_D, D_NINF, D_MAX, 1, 0)
    TCMP(FLTQ(FMT_D), FSET_D, D_QNAN, D_QNAN, 0, 0)
    TCMP(FLTQ(FMT_D), FSET_D, D_ONE, D_SNAN, 0, NV)

    /* ---- Move Instructions: RV32 only (and Q): illegal here */
    EXPECT_TRAP
    ZFA_R(0x71, 1, 10, 0, 12)         /* fmvh.x.d a2, fa0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x59, 11, 10, 0, 12)        /* fmvp.d.x fa2, a0, a1 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x73, 1, 10, 0, 12)         /* fmvh.x.q */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x5b, 11, 10, 0, 12)        /* fmvp.q.x */
    CHECK_TRAP(CAUSE_ILLEGAL)

    /* ---- reserved encodings */
    EXPECT_TRAP
    ZFA_R(0x78, 1, 3, 1, 12)          /* fli.s with funct3 = 1 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x7b, 1, 3, 0, 12)          /* fli.q: no Q */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x78, 2, 3, 0, 12)          /* rs2 = 2 of fmv.w.x */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x14, 11, 10, 4, 12)        /* funct3 = 4 of fmin.s */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x50, 11, 10, 6, 12)        /* funct3 = 6 of the compares */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x20, 6, 10, 0, 12)         /* rs2 = 6 of fcvt.s.* */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    ZFA_R(0x63, 8, 10, 1, 12)         /* fcvtmod.w.q */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_FFLAGS(0)

    /* ---- mstatus.FS = Off makes Zfa illegal */
    li s1, MSTATUS_FS
    csrc mstatus, s1
    EXPECT_TRAP
    FLI(FMT_D, 16)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    FCVTMOD
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrs mstatus, s1

    /* ---- the H forms (Zfh and Zfa): FLI.H first */
    FLI_ALL(FMT_H, fli_h)
    T2(FMINM(FMT_H), FSET_H, H_ONE, H_TWO, BOXH(H_ONE), 0)
    T2(FMAXM(FMT_H), FSET_H, H_ONE, H_QNAN, BOXH(H_QNAN), 0)
    T2(FMAXM(FMT_H), FSET_H, H_SNAN, H_ONE, BOXH(H_QNAN), NV)
    T2(FMINM(FMT_H), FSET_H, H_NZERO, H_ZERO, BOXH(H_NZERO), 0)
    T1(FROUND(FMT_H, RNE), FSET_H, H_1P5, BOXH(H_TWO), 0)
    T1(FROUNDNX(FMT_H, RTZ), FSET_H, 0x3555, BOXH(H_ZERO), NX)
    T1(FROUNDNX(FMT_H, RTZ), FSET_H, 0xb555, BOXH(H_NZERO), NX)
    T1(FROUNDNX(FMT_H, RNE), FSET_H, 0x63ff, BOXH(0x6400), NX)      /* 1023.5 */
    T1(FROUNDNX(FMT_H, RDN), FSET_H, 0x63ff, BOXH(0x63fe), NX)
    T1(FROUNDNX(FMT_H, RUP), FSET_H, H_MINSUB, BOXH(H_ONE), NX)
    T1(FROUNDNX(FMT_H, RNE), FSET_H, H_MAX, BOXH(H_MAX), 0)
    T1(FROUND(FMT_H, RNE), FSET_H, H_SNAN, BOXH(H_QNAN), NV)
    TCMP(FLEQ(FMT_H), FSET_H, H_ONE, H_ONE, 1, 0)
    TCMP(FLTQ(FMT_H), FSET_H, H_ONE, H_TWO, 1, 0)
    TCMP(FLTQ(FMT_H), FSET_H, H_TWO, H_ONE, 0, 0)
    TCMP(FLEQ(FMT_H), FSET_H, H_QNAN, H_ONE, 0, 0)
    TCMP(FLTQ(FMT_H), FSET_H, H_ONE, H_SNAN, 0, NV)
    /* an unboxed half reads as the canonical NaN */
    li t0, 0x00000000ffff3c00
    fmv.d.x fa0, t0
    FROUND(FMT_H, RNE)
    CHECK_FD(fa2, BOXH(H_QNAN))
    CHECK_FFLAGS_SAME(0)
TEST_END

    .data
    .align 3
/* the "Load-Immediate Instructions" table: rs1 = 0..31 */
fli_s:  /* -1, min normal, 2^-16, 2^-15, 2^-8, 2^-7, 2^-4, 2^-3, 0.25, 0.3125, 0.375,
         * 0.4375, 0.5, 0.625, 0.75, 0.875, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 8, 16,
         * 2^7, 2^8, 2^15, 2^16, +inf, canonical NaN (NaN-boxed) */
    .dword 0xffffffffbf800000, 0xffffffff00800000, 0xffffffff37800000, 0xffffffff38000000
    .dword 0xffffffff3b800000, 0xffffffff3c000000, 0xffffffff3d800000, 0xffffffff3e000000
    .dword 0xffffffff3e800000, 0xffffffff3ea00000, 0xffffffff3ec00000, 0xffffffff3ee00000
    .dword 0xffffffff3f000000, 0xffffffff3f200000, 0xffffffff3f400000, 0xffffffff3f600000
    .dword 0xffffffff3f800000, 0xffffffff3fa00000, 0xffffffff3fc00000, 0xffffffff3fe00000
    .dword 0xffffffff40000000, 0xffffffff40200000, 0xffffffff40400000, 0xffffffff40800000
    .dword 0xffffffff41000000, 0xffffffff41800000, 0xffffffff43000000, 0xffffffff43800000
    .dword 0xffffffff47000000, 0xffffffff47800000, 0xffffffff7f800000, 0xffffffff7fc00000
fli_d:  /* the same values; entry 1 is 2^-1022 */
    .dword 0xbff0000000000000, 0x0010000000000000, 0x3ef0000000000000, 0x3f00000000000000
    .dword 0x3f70000000000000, 0x3f80000000000000, 0x3fb0000000000000, 0x3fc0000000000000
    .dword 0x3fd0000000000000, 0x3fd4000000000000, 0x3fd8000000000000, 0x3fdc000000000000
    .dword 0x3fe0000000000000, 0x3fe4000000000000, 0x3fe8000000000000, 0x3fec000000000000
    .dword 0x3ff0000000000000, 0x3ff4000000000000, 0x3ff8000000000000, 0x3ffc000000000000
    .dword 0x4000000000000000, 0x4004000000000000, 0x4008000000000000, 0x4010000000000000
    .dword 0x4020000000000000, 0x4030000000000000, 0x4060000000000000, 0x4070000000000000
    .dword 0x40e0000000000000, 0x40f0000000000000, 0x7ff0000000000000, 0x7ff8000000000000
fli_h:  /* entry 1 is 2^-14; 2^-16 and 2^-15 are subnormal; 2^16 is +inf */
    .dword 0xffffffffffffbc00, 0xffffffffffff0400, 0xffffffffffff0100, 0xffffffffffff0200
    .dword 0xffffffffffff1c00, 0xffffffffffff2000, 0xffffffffffff2c00, 0xffffffffffff3000
    .dword 0xffffffffffff3400, 0xffffffffffff3500, 0xffffffffffff3600, 0xffffffffffff3700
    .dword 0xffffffffffff3800, 0xffffffffffff3900, 0xffffffffffff3a00, 0xffffffffffff3b00
    .dword 0xffffffffffff3c00, 0xffffffffffff3d00, 0xffffffffffff3e00, 0xffffffffffff3f00
    .dword 0xffffffffffff4000, 0xffffffffffff4100, 0xffffffffffff4200, 0xffffffffffff4400
    .dword 0xffffffffffff4800, 0xffffffffffff4c00, 0xffffffffffff5800, 0xffffffffffff5c00
    .dword 0xffffffffffff7800, 0xffffffffffff7c00, 0xffffffffffff7c00, 0xffffffffffff7e00
