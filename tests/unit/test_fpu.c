/* tests/unit/test_fpu.c: the F and D extensions (cpu/riscv/fpu.c).
 *
 * Every expected value below was derived by hand from the RISC-V and IEEE
 * 754 rules (the comments say how); the implementation was also compared
 * bit for bit, flags included, with QEMU on millions of random operands,
 * but these tests need nothing but the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/riscv/fpu.h"

enum { RNE, RTZ, RDN, RUP, RMM, DYN = 7 };
enum { S = 0, D = 1 };
enum { W = 0, WU = 1, L = 2, LU = 3 };

#define NX FFLAG_NX
#define UF FFLAG_UF
#define OF FFLAG_OF
#define DZ FFLAG_DZ
#define NV FFLAG_NV

#define BOX(v) (0xffffffff00000000ull | (uint32_t)(v))

/* some doubles */
#define D_ONE 0x3ff0000000000000ull
#define D_TWO 0x4000000000000000ull
#define D_MONE 0xbff0000000000000ull
#define D_ZERO 0x0000000000000000ull
#define D_NZERO 0x8000000000000000ull
#define D_INF 0x7ff0000000000000ull
#define D_NINF 0xfff0000000000000ull
#define D_QNAN 0x7ff8000000000000ull
#define D_SNAN 0x7ff0000000000001ull
#define D_MAX 0x7fefffffffffffffull
#define D_MINNORM 0x0010000000000000ull
#define D_MINSUB 0x0000000000000001ull
/* some singles (unboxed) */
#define S_ONE 0x3f800000u
#define S_TWO 0x40000000u
#define S_MONE 0xbf800000u
#define S_INF 0x7f800000u
#define S_NINF 0xff800000u
#define S_QNAN 0x7fc00000u
#define S_SNAN 0x7f800001u
#define S_MAX 0x7f7fffffu
#define S_MINNORM 0x00800000u
#define S_MINSUB 0x00000001u

/* ---- instruction encoders (i_<mnemonic>): rd = 4, rs1 = 1, rs2 = 2, rs3 = 3 ---- */

static uint32_t op_fp(uint32_t funct7, uint32_t rs2, uint32_t rs1, uint32_t funct3, uint32_t rd)
{
    return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x53;
}

static uint32_t op_r4(uint32_t opcode, int fmt, int rm)
{
    return 3u << 27 | (uint32_t)fmt << 25 | 2u << 20 | 1u << 15 | (uint32_t)rm << 12 | 4u << 7 |
           opcode;
}

static uint32_t i_fadd(int fmt, int rm) { return op_fp(0x00 | fmt, 2, 1, rm, 4); }
static uint32_t i_fsub(int fmt, int rm) { return op_fp(0x04 | fmt, 2, 1, rm, 4); }
static uint32_t i_fmul(int fmt, int rm) { return op_fp(0x08 | fmt, 2, 1, rm, 4); }
static uint32_t i_fdiv(int fmt, int rm) { return op_fp(0x0c | fmt, 2, 1, rm, 4); }
static uint32_t i_fsqrt(int fmt, int rm) { return op_fp(0x2c | fmt, 0, 1, rm, 4); }
static uint32_t i_fsgnj(int fmt) { return op_fp(0x10 | fmt, 2, 1, 0, 4); }
static uint32_t i_fsgnjn(int fmt) { return op_fp(0x10 | fmt, 2, 1, 1, 4); }
static uint32_t i_fsgnjx(int fmt) { return op_fp(0x10 | fmt, 2, 1, 2, 4); }
static uint32_t i_fmin(int fmt) { return op_fp(0x14 | fmt, 2, 1, 0, 4); }
static uint32_t i_fmax(int fmt) { return op_fp(0x14 | fmt, 2, 1, 1, 4); }
static uint32_t i_fle(int fmt) { return op_fp(0x50 | fmt, 2, 1, 0, 4); }
static uint32_t i_flt(int fmt) { return op_fp(0x50 | fmt, 2, 1, 1, 4); }
static uint32_t i_feq(int fmt) { return op_fp(0x50 | fmt, 2, 1, 2, 4); }
static uint32_t i_fcvt_to_int(int fmt, int type, int rm) { return op_fp(0x60 | fmt, type, 1, rm, 4); }
static uint32_t i_fcvt_from_int(int fmt, int type, int rm) { return op_fp(0x68 | fmt, type, 1, rm, 4); }
static uint32_t i_fcvt_s_d(int rm) { return op_fp(0x20, 1, 1, rm, 4); }
static uint32_t i_fcvt_d_s(int rm) { return op_fp(0x21, 0, 1, rm, 4); }
static uint32_t i_fmv_x(int fmt) { return op_fp(0x70 | fmt, 0, 1, 0, 4); }
static uint32_t i_fclass(int fmt) { return op_fp(0x70 | fmt, 0, 1, 1, 4); }
static uint32_t i_fmv_f(int fmt) { return op_fp(0x78 | fmt, 0, 1, 0, 4); }
static uint32_t i_fmadd(int fmt, int rm) { return op_r4(0x43, fmt, rm); }
static uint32_t i_fmsub(int fmt, int rm) { return op_r4(0x47, fmt, rm); }
static uint32_t i_fnmsub(int fmt, int rm) { return op_r4(0x4b, fmt, rm); }
static uint32_t i_fnmadd(int fmt, int rm) { return op_r4(0x4f, fmt, rm); }

/* ---- running one instruction ---- */

struct hart {
    uint64_t x[32];
    uint64_t f[32];
    uint32_t fflags;
    uint32_t frm;
};

static void hart_init(struct hart *h, uint64_t a, uint64_t b, uint64_t c, uint32_t frm)
{
    memset(h, 0, sizeof *h);
    for (int i = 0; i < 32; i++)
        h->f[i] = 0x5a5a5a5a5a5a5a5aull ^ (uint64_t)i;
    for (int i = 1; i < 32; i++)
        h->x[i] = 0xa5a5a5a5a5a5a5a5ull ^ (uint64_t)i;
    h->f[1] = a;
    h->f[2] = b;
    h->f[3] = c;
    h->x[1] = a;
    h->frm = frm;
}

static int hart_exec(struct hart *h, uint32_t insn)
{
    return rv_fpu_exec(h->x, h->f, &h->fflags, h->frm, insn);
}

/* f4 = insn(f1 = a, f2 = b, f3 = c) or x4 = insn(...) with x1 = a; checks
 * the result and exactly the flags it raised. Singles are passed unboxed
 * and boxed here unless `raw` (to test NaN-boxing itself). */
static void check(int line, uint32_t insn, uint32_t frm, int in_fmt, bool raw, uint64_t a,
                  uint64_t b, uint64_t c, bool xdst, int out_fmt, uint64_t want, uint32_t want_fl)
{
    struct hart h;
    if (in_fmt == S && !raw) {
        a = BOX(a);
        b = BOX(b);
        c = BOX(c);
    }
    hart_init(&h, a, b, c, frm);
    int ret = hart_exec(&h, insn);
    uint64_t got = xdst ? h.x[4] : h.f[4];
    if (!xdst && out_fmt == S) {
        if ((got >> 32) != 0xffffffffu)
            fail_msg("line %d: single result %016llx not NaN-boxed", line, (unsigned long long)got);
        got = (uint32_t)got;
    }
    if (ret != 0 || got != want || h.fflags != want_fl)
        fail_msg("line %d: insn %08x frm %u a=%016llx b=%016llx c=%016llx: got ret %d result "
                 "%016llx flags %02x, want %016llx flags %02x",
                 line, insn, frm, (unsigned long long)a, (unsigned long long)b,
                 (unsigned long long)c, ret, (unsigned long long)got, h.fflags,
                 (unsigned long long)want, want_fl);
    if (h.x[0] != 0)
        fail_msg("line %d: x0 written", line);
}

/* FP result of FP operands in format fmt */
#define CK(insn, fmt, a, b, c, want, fl) \
    check(__LINE__, (insn), 0, (fmt), false, (a), (b), (c), false, (fmt), (want), (fl))
/* the same with rm = DYN and frm given */
#define CK_DYN(insn, frm, fmt, a, b, c, want, fl) \
    check(__LINE__, (insn), (frm), (fmt), false, (a), (b), (c), false, (fmt), (want), (fl))
/* integer result of FP operands */
#define CK_X(insn, fmt, a, b, want, fl) \
    check(__LINE__, (insn), 0, (fmt), false, (a), (b), 0, true, (fmt), (want), (fl))
/* FP result of an integer operand (x1) */
#define CK_FROM_X(insn, fmt, xa, want, fl) \
    check(__LINE__, (insn), 0, D, true, (xa), 0, 0, false, (fmt), (want), (fl))
/* raw register contents in, FP result of format out_fmt */
#define CK_RAW(insn, a, b, out_fmt, want, fl) \
    check(__LINE__, (insn), 0, S, true, (a), (b), 0, false, (out_fmt), (want), (fl))

/* ---- basic arithmetic ---- */

static void test_basic_ops(void **state)
{
    (void)state;
    /* 1.5 + 2.25 = 3.75 exactly */
    CK(i_fadd(D, RNE), D, 0x3ff8000000000000ull, 0x4002000000000000ull, 0, 0x400e000000000000ull, 0);
    CK(i_fadd(S, RNE), S, 0x3fc00000, 0x40100000, 0, 0x40700000, 0);
    /* 1 - 2 = -1 */
    CK(i_fsub(D, RNE), D, D_ONE, D_TWO, 0, D_MONE, 0);
    CK(i_fsub(S, RNE), S, S_ONE, S_TWO, 0, S_MONE, 0);
    /* 1.5 * -2 = -3 */
    CK(i_fmul(D, RNE), D, 0x3ff8000000000000ull, 0xc000000000000000ull, 0, 0xc008000000000000ull, 0);
    CK(i_fmul(S, RNE), S, 0x3fc00000, 0xc0000000, 0, 0xc0400000, 0);
    /* 1/3 is inexact; 3/2 is not */
    CK(i_fdiv(D, RNE), D, D_ONE, 0x4008000000000000ull, 0, 0x3fd5555555555555ull, NX);
    CK(i_fdiv(S, RNE), S, S_ONE, 0x40400000, 0, 0x3eaaaaab, NX);
    CK(i_fdiv(D, RNE), D, 0x4008000000000000ull, D_TWO, 0, 0x3ff8000000000000ull, 0);
    /* sqrt(4) = 2 exactly, sqrt(2) inexact */
    CK(i_fsqrt(D, RNE), D, 0x4010000000000000ull, 0, 0, D_TWO, 0);
    CK(i_fsqrt(S, RNE), S, 0x40800000, 0, 0, S_TWO, 0);
    CK(i_fsqrt(D, RNE), D, D_TWO, 0, 0, 0x3ff6a09e667f3bcdull, NX);
    /* x - x = +0 in every mode but RDN, where it is -0 */
    CK(i_fsub(D, RNE), D, D_ONE, D_ONE, 0, D_ZERO, 0);
    CK(i_fsub(D, RDN), D, D_ONE, D_ONE, 0, D_NZERO, 0);
    CK(i_fadd(S, RDN), S, S_ONE, S_MONE, 0, 0x80000000, 0);
    CK(i_fadd(S, RUP), S, S_ONE, S_MONE, 0, 0, 0);
    /* signed zeros */
    CK(i_fadd(D, RNE), D, D_NZERO, D_NZERO, 0, D_NZERO, 0);
    CK(i_fadd(D, RNE), D, D_NZERO, D_ZERO, 0, D_ZERO, 0);
    CK(i_fmul(D, RNE), D, D_NZERO, D_ONE, 0, D_NZERO, 0);
    /* the interpreter's registers other than rd stay as they were */
    struct hart h;
    hart_init(&h, D_ONE, D_TWO, 0, 0);
    struct hart before = h;
    assert_int_equal(hart_exec(&h, i_fadd(D, RNE)), 0);
    before.f[4] = 0x4008000000000000ull;
    assert_memory_equal(&h, &before, sizeof h);
}

/* ---- rounding modes ---- */

static void test_rounding_add(void **state)
{
    (void)state;
    /* 1 + 2^-53: exactly half an ulp above 1, a tie */
    const uint64_t half_ulp = 0x3ca0000000000000ull, up = 0x3ff0000000000001ull;
    CK(i_fadd(D, RNE), D, D_ONE, half_ulp, 0, D_ONE, NX); /* to even */
    CK(i_fadd(D, RTZ), D, D_ONE, half_ulp, 0, D_ONE, NX);
    CK(i_fadd(D, RDN), D, D_ONE, half_ulp, 0, D_ONE, NX);
    CK(i_fadd(D, RUP), D, D_ONE, half_ulp, 0, up, NX);
    CK(i_fadd(D, RMM), D, D_ONE, half_ulp, 0, up, NX); /* ties away */
    /* negative tie: -1 - 2^-53 */
    const uint64_t nhalf = 0xbca0000000000000ull, nup = 0xbff0000000000001ull;
    CK(i_fadd(D, RNE), D, D_MONE, nhalf, 0, D_MONE, NX);
    CK(i_fadd(D, RTZ), D, D_MONE, nhalf, 0, D_MONE, NX);
    CK(i_fadd(D, RDN), D, D_MONE, nhalf, 0, nup, NX);
    CK(i_fadd(D, RUP), D, D_MONE, nhalf, 0, D_MONE, NX);
    CK(i_fadd(D, RMM), D, D_MONE, nhalf, 0, nup, NX);
    /* tie next to an odd value: (1 + 2^-52) + 2^-53 goes up in RNE */
    CK(i_fadd(D, RNE), D, up, half_ulp, 0, 0x3ff0000000000002ull, NX);
    CK(i_fadd(D, RTZ), D, up, half_ulp, 0, up, NX);
    CK(i_fadd(D, RMM), D, up, half_ulp, 0, 0x3ff0000000000002ull, NX);
    /* not a tie: 1 + 0.75 ulp */
    const uint64_t q3 = 0x3ca8000000000000ull;
    CK(i_fadd(D, RNE), D, D_ONE, q3, 0, up, NX);
    CK(i_fadd(D, RTZ), D, D_ONE, q3, 0, D_ONE, NX);
    CK(i_fadd(D, RDN), D, D_ONE, q3, 0, D_ONE, NX);
    CK(i_fadd(D, RUP), D, D_ONE, q3, 0, up, NX);
    CK(i_fadd(D, RMM), D, D_ONE, q3, 0, up, NX);
    /* single: 1 + 2^-24 is the tie */
    CK(i_fadd(S, RNE), S, S_ONE, 0x33800000, 0, S_ONE, NX);
    CK(i_fadd(S, RTZ), S, S_ONE, 0x33800000, 0, S_ONE, NX);
    CK(i_fadd(S, RDN), S, S_ONE, 0x33800000, 0, S_ONE, NX);
    CK(i_fadd(S, RUP), S, S_ONE, 0x33800000, 0, 0x3f800001, NX);
    CK(i_fadd(S, RMM), S, S_ONE, 0x33800000, 0, 0x3f800001, NX);
    CK(i_fsub(S, RMM), S, S_MONE, 0x33800000, 0, 0xbf800001, NX);
    CK(i_fsub(S, RDN), S, S_MONE, 0x33800000, 0, 0xbf800001, NX);
    CK(i_fsub(S, RUP), S, S_MONE, 0x33800000, 0, S_MONE, NX);
}

static void test_rounding_dyn(void **state)
{
    (void)state;
    const uint64_t half_ulp = 0x3ca0000000000000ull, up = 0x3ff0000000000001ull;
    /* rm = DYN takes fcsr.frm */
    CK_DYN(i_fadd(D, DYN), RNE, D, D_ONE, half_ulp, 0, D_ONE, NX);
    CK_DYN(i_fadd(D, DYN), RUP, D, D_ONE, half_ulp, 0, up, NX);
    CK_DYN(i_fadd(D, DYN), RMM, D, D_ONE, half_ulp, 0, up, NX);
    CK_DYN(i_fadd(D, DYN), RTZ, D, D_ONE, half_ulp, 0, D_ONE, NX);
    /* a static rm ignores frm */
    CK_DYN(i_fadd(D, RUP), RNE, D, D_ONE, half_ulp, 0, up, NX);
    CK_DYN(i_fadd(D, RNE), RUP, D, D_ONE, half_ulp, 0, D_ONE, NX);
    check(__LINE__, i_fcvt_to_int(D, W, DYN), RDN, D, false, 0xc004000000000000ull, 0, 0, true, D,
          (uint64_t)-3, NX);
    check(__LINE__, i_fcvt_to_int(D, W, DYN), RUP, D, false, 0xc004000000000000ull, 0, 0, true, D,
          (uint64_t)-2, NX);
}

static void test_rounding_mul_div_sqrt(void **state)
{
    (void)state;
    /* (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: a tie in single precision */
    const uint32_t a = 0x3f800800, even = 0x3f801000, odd = 0x3f801001;
    CK(i_fmul(S, RNE), S, a, a, 0, even, NX);
    CK(i_fmul(S, RTZ), S, a, a, 0, even, NX);
    CK(i_fmul(S, RDN), S, a, a, 0, even, NX);
    CK(i_fmul(S, RUP), S, a, a, 0, odd, NX);
    CK(i_fmul(S, RMM), S, a, a, 0, odd, NX);
    /* the negative product */
    CK(i_fmul(S, RNE), S, a | 0x80000000, a, 0, even | 0x80000000, NX);
    CK(i_fmul(S, RDN), S, a | 0x80000000, a, 0, odd | 0x80000000, NX);
    CK(i_fmul(S, RUP), S, a | 0x80000000, a, 0, even | 0x80000000, NX);
    CK(i_fmul(S, RMM), S, a | 0x80000000, a, 0, odd | 0x80000000, NX);
    /* (1 + 2^-27)^2 = 1 + 2^-26 + 2^-54: a quarter ulp, no tie */
    const uint64_t da = 0x3ff0000002000000ull, dlo = 0x3ff0000004000000ull;
    CK(i_fmul(D, RNE), D, da, da, 0, dlo, NX);
    CK(i_fmul(D, RMM), D, da, da, 0, dlo, NX);
    CK(i_fmul(D, RUP), D, da, da, 0, dlo + 1, NX);
    /* 1/3 in double is 0x3fd5555555555555 and a bit (truncated 0101...) */
    CK(i_fdiv(D, RNE), D, D_ONE, 0x4008000000000000ull, 0, 0x3fd5555555555555ull, NX);
    CK(i_fdiv(D, RTZ), D, D_ONE, 0x4008000000000000ull, 0, 0x3fd5555555555555ull, NX);
    CK(i_fdiv(D, RUP), D, D_ONE, 0x4008000000000000ull, 0, 0x3fd5555555555556ull, NX);
    CK(i_fdiv(D, RMM), D, D_ONE, 0x4008000000000000ull, 0, 0x3fd5555555555555ull, NX);
    CK(i_fdiv(D, RDN), D, D_MONE, 0x4008000000000000ull, 0, 0xbfd5555555555556ull, NX);
    /* 2/3 in single: 0x3f2aaaaa and 2/3 of an ulp: rounds up except RTZ/RDN */
    CK(i_fdiv(S, RNE), S, S_TWO, 0x40400000, 0, 0x3f2aaaab, NX);
    CK(i_fdiv(S, RMM), S, S_TWO, 0x40400000, 0, 0x3f2aaaab, NX);
    CK(i_fdiv(S, RTZ), S, S_TWO, 0x40400000, 0, 0x3f2aaaaa, NX);
    /* division ties only happen in the subnormal range: 3*minsub/2, 5*minsub/2 */
    CK(i_fdiv(D, RNE), D, 3, D_TWO, 0, 2, UF | NX);
    CK(i_fdiv(D, RTZ), D, 3, D_TWO, 0, 1, UF | NX);
    CK(i_fdiv(D, RNE), D, 5, D_TWO, 0, 2, UF | NX);
    CK(i_fdiv(D, RMM), D, 5, D_TWO, 0, 3, UF | NX);
    CK(i_fdiv(D, RUP), D, 5, D_TWO, 0, 3, UF | NX);
    CK(i_fdiv(D, RDN), D, 5 | D_NZERO, D_TWO, 0, 3 | D_NZERO, UF | NX);
    CK(i_fdiv(S, RMM), S, 5, S_TWO, 0, 3, UF | NX);
    CK(i_fdiv(S, RNE), S, 5, S_TWO, 0, 2, UF | NX);
    /* sqrt(2) = 0x3ff6a09e667f3bcc|908b...: RNE and RMM round up */
    CK(i_fsqrt(D, RNE), D, D_TWO, 0, 0, 0x3ff6a09e667f3bcdull, NX);
    CK(i_fsqrt(D, RMM), D, D_TWO, 0, 0, 0x3ff6a09e667f3bcdull, NX);
    CK(i_fsqrt(D, RUP), D, D_TWO, 0, 0, 0x3ff6a09e667f3bcdull, NX);
    CK(i_fsqrt(D, RTZ), D, D_TWO, 0, 0, 0x3ff6a09e667f3bccull, NX);
    CK(i_fsqrt(D, RDN), D, D_TWO, 0, 0, 0x3ff6a09e667f3bccull, NX);
    /* single sqrt(2) = 0x3fb504f3|3...: RNE rounds down */
    CK(i_fsqrt(S, RNE), S, S_TWO, 0, 0, 0x3fb504f3, NX);
    CK(i_fsqrt(S, RMM), S, S_TWO, 0, 0, 0x3fb504f3, NX);
    CK(i_fsqrt(S, RUP), S, S_TWO, 0, 0, 0x3fb504f4, NX);
    CK(i_fsqrt(S, RTZ), S, S_TWO, 0, 0, 0x3fb504f3, NX);
    /* sqrt of the smallest subnormal, 2^-1074: 2^-537 exactly */
    CK(i_fsqrt(D, RMM), D, D_MINSUB, 0, 0, 0x1e60000000000000ull, 0);
    CK(i_fsqrt(S, RNE), S, 0x00000002, 0, 0, 0x1a800000, 0); /* sqrt(2^-148) = 2^-74 */
}

/* ---- special cases ---- */

static void test_divide_by_zero(void **state)
{
    (void)state;
    CK(i_fdiv(D, RNE), D, D_ONE, D_ZERO, 0, D_INF, DZ);
    CK(i_fdiv(D, RNE), D, D_MONE, D_ZERO, 0, D_NINF, DZ);
    CK(i_fdiv(D, RTZ), D, D_ONE, D_NZERO, 0, D_NINF, DZ);
    CK(i_fdiv(S, RNE), S, S_ONE, 0, 0, S_INF, DZ);
    CK(i_fdiv(S, RMM), S, S_MONE, 0, 0, S_NINF, DZ);
    CK(i_fdiv(D, RMM), D, D_MINSUB, D_ZERO, 0, D_INF, DZ);
    /* inf/0 is exact infinity, 0/0 invalid */
    CK(i_fdiv(D, RNE), D, D_INF, D_ZERO, 0, D_INF, 0);
    CK(i_fdiv(D, RNE), D, D_ZERO, D_ZERO, 0, D_QNAN, NV);
    CK(i_fdiv(S, RNE), S, 0, 0x80000000, 0, S_QNAN, NV);
    CK(i_fdiv(S, RMM), S, 0, 0, 0, S_QNAN, NV);
    /* x/inf = 0, inf/inf invalid */
    CK(i_fdiv(D, RNE), D, D_MONE, D_INF, 0, D_NZERO, 0);
    CK(i_fdiv(D, RNE), D, D_INF, D_NINF, 0, D_QNAN, NV);
}

static void test_invalid(void **state)
{
    (void)state;
    CK(i_fsub(D, RNE), D, D_INF, D_INF, 0, D_QNAN, NV);
    CK(i_fadd(D, RNE), D, D_INF, D_NINF, 0, D_QNAN, NV);
    CK(i_fadd(S, RMM), S, S_NINF, S_INF, 0, S_QNAN, NV);
    CK(i_fadd(D, RNE), D, D_INF, D_INF, 0, D_INF, 0);
    CK(i_fmul(D, RNE), D, D_INF, D_ZERO, 0, D_QNAN, NV);
    CK(i_fmul(S, RNE), S, 0x80000000, S_NINF, 0, S_QNAN, NV);
    CK(i_fmul(S, RMM), S, 0, S_INF, 0, S_QNAN, NV);
    /* sqrt(-1) and sqrt(-inf) invalid; sqrt(-0) = -0 */
    CK(i_fsqrt(D, RNE), D, D_MONE, 0, 0, D_QNAN, NV);
    CK(i_fsqrt(S, RNE), S, S_MONE, 0, 0, S_QNAN, NV);
    CK(i_fsqrt(S, RMM), S, S_MONE, 0, 0, S_QNAN, NV);
    CK(i_fsqrt(D, RNE), D, D_NINF, 0, 0, D_QNAN, NV);
    CK(i_fsqrt(D, RNE), D, D_NZERO, 0, 0, D_NZERO, 0);
    CK(i_fsqrt(D, RNE), D, D_INF, 0, 0, D_INF, 0);
    CK(i_fsqrt(D, RNE), D, 0x8000000000000001ull, 0, 0, D_QNAN, NV);
}

static void test_nan_results(void **state)
{
    (void)state;
    /* quiet NaNs propagate as the canonical NaN, without flags, payload
     * and sign dropped */
    const uint64_t dq_payload = 0xfff8000000001234ull;
    const uint32_t sq_payload = 0xffc01234u;
    CK(i_fadd(D, RNE), D, dq_payload, D_ONE, 0, D_QNAN, 0);
    CK(i_fmul(D, RTZ), D, D_ONE, dq_payload, 0, D_QNAN, 0);
    CK(i_fdiv(D, RMM), D, dq_payload, D_ZERO, 0, D_QNAN, 0);
    CK(i_fsqrt(D, RNE), D, dq_payload, 0, 0, D_QNAN, 0);
    CK(i_fadd(S, RNE), S, sq_payload, S_ONE, 0, S_QNAN, 0);
    CK(i_fsub(S, RUP), S, S_ONE, sq_payload, 0, S_QNAN, 0);
    /* signaling NaNs raise NV */
    CK(i_fadd(D, RNE), D, D_SNAN, D_ONE, 0, D_QNAN, NV);
    CK(i_fmul(D, RNE), D, D_ONE, 0xfff0000000000001ull, 0, D_QNAN, NV);
    CK(i_fsqrt(S, RNE), S, S_SNAN, 0, 0, S_QNAN, NV);
    CK(i_fdiv(S, RMM), S, S_ONE, S_SNAN, 0, S_QNAN, NV);
    CK(i_fadd(S, RNE), S, S_SNAN, sq_payload, 0, S_QNAN, NV);
    /* sNaN beats everything, even with a zero or infinite operand */
    CK(i_fmul(D, RNE), D, D_SNAN, D_ZERO, 0, D_QNAN, NV);
    CK(i_fdiv(D, RNE), D, D_ONE, D_SNAN, 0, D_QNAN, NV);
}

static void test_overflow(void **state)
{
    (void)state;
    /* MAX * 2 overflows: the result depends on rm and sign */
    CK(i_fmul(D, RNE), D, D_MAX, D_TWO, 0, D_INF, OF | NX);
    CK(i_fmul(D, RMM), D, D_MAX, D_TWO, 0, D_INF, OF | NX);
    CK(i_fmul(D, RTZ), D, D_MAX, D_TWO, 0, D_MAX, OF | NX);
    CK(i_fmul(D, RDN), D, D_MAX, D_TWO, 0, D_MAX, OF | NX);
    CK(i_fmul(D, RUP), D, D_MAX, D_TWO, 0, D_INF, OF | NX);
    CK(i_fmul(D, RNE), D, D_MAX, 0xc000000000000000ull, 0, D_NINF, OF | NX);
    CK(i_fmul(D, RDN), D, D_MAX, 0xc000000000000000ull, 0, D_NINF, OF | NX);
    CK(i_fmul(D, RUP), D, D_MAX, 0xc000000000000000ull, 0, D_MAX | D_NZERO, OF | NX);
    CK(i_fmul(D, RTZ), D, D_MAX, 0xc000000000000000ull, 0, D_MAX | D_NZERO, OF | NX);
    CK(i_fadd(S, RNE), S, S_MAX, S_MAX, 0, S_INF, OF | NX);
    CK(i_fadd(S, RTZ), S, S_MAX, S_MAX, 0, S_MAX, OF | NX);
    CK(i_fadd(S, RMM), S, S_MAX | 0x80000000, S_MAX | 0x80000000, 0, S_NINF, OF | NX);
    CK(i_fdiv(S, RUP), S, S_MAX, 0x3f000000, 0, S_INF, OF | NX);
    /* MAX + half an ulp of MAX: a tie that rounds (to even) to 2^1024 */
    CK(i_fadd(D, RNE), D, D_MAX, 0x7c90000000000000ull, 0, D_INF, OF | NX);
    CK(i_fadd(D, RTZ), D, D_MAX, 0x7c90000000000000ull, 0, D_MAX, NX);
    /* a bit less than half an ulp: no overflow */
    CK(i_fadd(D, RNE), D, D_MAX, 0x7c8fffffffffffffull, 0, D_MAX, NX);
}

static void test_underflow(void **state)
{
    (void)state;
    /* exact subnormal results are not underflow */
    CK(i_fdiv(D, RNE), D, D_MINNORM, D_TWO, 0, 0x0008000000000000ull, 0);
    CK(i_fmul(S, RNE), S, S_MINNORM, 0x3f000000, 0, 0x00400000, 0);
    CK(i_fsub(D, RNE), D, 0x0010000000000001ull, D_MINNORM, 0, D_MINSUB, 0);
    /* minsub/2 is a tie that rounds to 0 (even) in RNE */
    CK(i_fmul(D, RNE), D, D_MINSUB, 0x3fe0000000000000ull, 0, D_ZERO, UF | NX);
    CK(i_fmul(D, RMM), D, D_MINSUB, 0x3fe0000000000000ull, 0, D_MINSUB, UF | NX);
    CK(i_fmul(D, RUP), D, D_MINSUB, 0x3fe0000000000000ull, 0, D_MINSUB, UF | NX);
    CK(i_fmul(D, RDN), D, D_MINSUB, 0x3fe0000000000000ull, 0, D_ZERO, UF | NX);
    CK(i_fmul(D, RDN), D, D_MINSUB | D_NZERO, 0x3fe0000000000000ull, 0, D_MINSUB | D_NZERO, UF | NX);
    CK(i_fmul(S, RNE), S, S_MINSUB, 0x3f400000, 0, S_MINSUB, UF | NX); /* 0.75 minsub */
    CK(i_fmul(S, RNE), S, S_MINSUB, 0x3e800000, 0, 0, UF | NX);        /* 0.25 minsub */
    CK(i_fmul(D, RNE), D, 0x0008000000000000ull, 0x0008000000000000ull, 0, D_ZERO, UF | NX);

    /* 0.75 * (fl(1/3) * 2^-1020) = 2^-1022 * (1 - 2^-54): tiny before
     * rounding, but rounding it to 53 bits with an unbounded exponent is a
     * tie that goes (to even) to 2^-1022: not tiny after rounding, so no
     * UF in RISC-V. In RTZ and RDN it stays below 2^-1022: UF. */
    const uint64_t third_tiny = 0x0015555555555555ull, three_q = 0x3fe8000000000000ull;
    CK(i_fmul(D, RNE), D, three_q, third_tiny, 0, D_MINNORM, NX);
    CK(i_fmul(D, RMM), D, three_q, third_tiny, 0, D_MINNORM, NX);
    CK(i_fmul(D, RUP), D, three_q, third_tiny, 0, D_MINNORM, NX);
    CK(i_fmul(D, RTZ), D, three_q, third_tiny, 0, 0x000fffffffffffffull, UF | NX);
    CK(i_fmul(D, RDN), D, three_q, third_tiny, 0, 0x000fffffffffffffull, UF | NX);
    CK(i_fmul(D, RNE), D, three_q | D_NZERO, third_tiny, 0, D_MINNORM | D_NZERO, NX);
    /* (1 - 2^-53) * 2^-1022 = 2^-1022 - 2^-1075 is exact in 53 bits: tiny
     * even though it rounds to 2^-1022 in the subnormal grid */
    CK(i_fmul(D, RNE), D, 0x3fefffffffffffffull, D_MINNORM, 0, D_MINNORM, UF | NX);
    CK(i_fmul(D, RTZ), D, 0x3fefffffffffffffull, D_MINNORM, 0, 0x000fffffffffffffull, UF | NX);
    /* the same for singles through fcvt.s.d: 2^-126 * (1 - 2^-30) */
    check(__LINE__, i_fcvt_s_d(RNE), 0, D, false, 0x380fffffff800000ull, 0, 0, false, S, S_MINNORM, NX);
    check(__LINE__, i_fcvt_s_d(RTZ), 0, D, false, 0x380fffffff800000ull, 0, 0, false, S, 0x007fffff,
          UF | NX);
    /* 2^-126 * (1 - 2^-24): rounding to 24 bits unbounded is exact: tiny */
    check(__LINE__, i_fcvt_s_d(RNE), 0, D, false, 0x380fffffe0000000ull, 0, 0, false, S, S_MINNORM,
          UF | NX);
    /* fma landing at the tiny/normal boundary */
    CK(i_fmadd(D, RNE), D, three_q, third_tiny, D_ZERO, D_MINNORM, NX);
}

/* ---- fused multiply-add ---- */

static void test_fma(void **state)
{
    (void)state;
    /* a = 1 + 2^-30: a*a = 1 + 2^-29 + 2^-60. Unfused, a*a rounds to
     * 1 + 2^-29 and a*a - (1 + 2^-29) would be 0; fused it is 2^-60. */
    const uint64_t a = 0x3ff0000000400000ull, c = 0x3ff0000000800000ull;
    const uint64_t tiny = 0x3c30000000000000ull;
    CK(i_fmadd(D, RNE), D, a, a, c | D_NZERO, tiny, 0);
    CK(i_fmsub(D, RNE), D, a, a, c, tiny, 0);
    CK(i_fnmsub(D, RNE), D, a, a, c, tiny | D_NZERO, 0);   /* -(a*a) + c */
    CK(i_fnmadd(D, RNE), D, a, a, c | D_NZERO, tiny | D_NZERO, 0); /* -(a*a) - c */
    CK(i_fmadd(D, RMM), D, a, a, c | D_NZERO, tiny, 0);
    /* single: (1 + 2^-12)^2 - (1 + 2^-11) = 2^-24 */
    CK(i_fmadd(S, RNE), S, 0x3f800800, 0x3f800800, 0xbf801000, 0x33800000, 0);
    CK(i_fmsub(S, RDN), S, 0x3f800800, 0x3f800800, 0x3f801000, 0x33800000, 0);
    /* one rounding of the whole: (1 + 2^-12)^2 + 0 is the tie seen in fmul */
    CK(i_fmadd(S, RNE), S, 0x3f800800, 0x3f800800, 0, 0x3f801000, NX);
    CK(i_fmadd(S, RMM), S, 0x3f800800, 0x3f800800, 0, 0x3f801001, NX);
    CK(i_fmadd(S, RMM), S, 0x3f800800, 0x3f800800, 0x80000000, 0x3f801001, NX);
    /* a product far below the addend only sets the sticky bit */
    CK(i_fmadd(D, RUP), D, D_MINSUB, D_MINSUB, D_ONE, 0x3ff0000000000001ull, NX);
    CK(i_fmadd(D, RNE), D, D_MINSUB, D_MINSUB, D_ONE, D_ONE, NX);
    CK(i_fmsub(D, RTZ), D, D_MINSUB, D_MINSUB, D_MONE, D_ONE, NX);
    CK(i_fnmadd(D, RDN), D, D_MINSUB, D_MINSUB, D_MONE, 0x3fefffffffffffffull, NX);
    /* signs of zero: FNMADD negates the product and the addend, not the
     * result: -(+0 * 1) - (-0) = -0 + +0 = +0 */
    CK(i_fnmadd(D, RNE), D, D_ZERO, D_ONE, D_NZERO, D_ZERO, 0);
    CK(i_fnmadd(D, RNE), D, D_ZERO, D_ONE, D_ZERO, D_NZERO, 0);
    CK(i_fmadd(D, RNE), D, D_ZERO, D_ONE, D_NZERO, D_ZERO, 0);
    CK(i_fmadd(D, RDN), D, D_ZERO, D_ONE, D_NZERO, D_NZERO, 0);
    CK(i_fmadd(D, RNE), D, D_ONE, D_ONE, D_MONE, D_ZERO, 0);
    CK(i_fmadd(D, RDN), D, D_ONE, D_ONE, D_MONE, D_NZERO, 0);
    CK(i_fmadd(S, RDN), S, S_ONE, S_ONE, S_MONE, 0x80000000, 0);
    /* inf * 0 is invalid even when the addend is a quiet NaN */
    CK(i_fmadd(D, RNE), D, D_INF, D_ZERO, D_QNAN, D_QNAN, NV);
    CK(i_fmadd(S, RNE), S, 0, S_NINF, S_QNAN, S_QNAN, NV);
    CK(i_fmadd(D, RNE), D, D_INF, D_ZERO, D_ONE, D_QNAN, NV);
    /* a quiet NaN addend otherwise is quiet; a signaling one is not */
    CK(i_fmadd(D, RNE), D, D_ONE, D_TWO, D_QNAN, D_QNAN, 0);
    CK(i_fmadd(D, RNE), D, D_ONE, D_TWO, D_SNAN, D_QNAN, NV);
    CK(i_fnmsub(S, RNE), S, S_SNAN, S_ONE, S_ONE, S_QNAN, NV);
    /* inf*2 - inf is invalid, inf*2 + inf is inf */
    CK(i_fmsub(D, RNE), D, D_INF, D_TWO, D_INF, D_QNAN, NV);
    CK(i_fmadd(D, RNE), D, D_INF, D_TWO, D_INF, D_INF, 0);
    CK(i_fnmadd(D, RNE), D, D_INF, D_TWO, D_INF, D_NINF, 0);
    CK(i_fmadd(D, RNE), D, D_ONE, D_TWO, D_NINF, D_NINF, 0);
    /* overflow and underflow in the fused result */
    CK(i_fmadd(D, RNE), D, D_MAX, D_TWO, D_MONE, D_INF, OF | NX);
    CK(i_fmadd(D, RTZ), D, D_MAX, D_TWO, D_MONE, D_MAX, OF | NX);
    CK(i_fmadd(D, RNE), D, D_MINNORM, 0x3fe0000000000000ull, D_MINSUB, 0x0008000000000001ull, 0);
    CK(i_fmadd(D, RNE), D, D_MINSUB, 0x3fe0000000000000ull, D_ZERO, D_ZERO, UF | NX);
}

/* ---- min, max, compares ---- */

static void test_min_max(void **state)
{
    (void)state;
    CK(i_fmin(D), D, D_ONE, D_TWO, 0, D_ONE, 0);
    CK(i_fmax(D), D, D_ONE, D_TWO, 0, D_TWO, 0);
    CK(i_fmin(D), D, D_MONE, D_ONE, 0, D_MONE, 0);
    CK(i_fmax(S), S, S_MONE, 0xc0000000, 0, S_MONE, 0);
    CK(i_fmin(S), S, S_MONE, 0xc0000000, 0, 0xc0000000, 0);
    CK(i_fmin(D), D, D_NINF, D_MAX, 0, D_NINF, 0);
    /* -0 < +0 for these, in either order */
    CK(i_fmin(D), D, D_ZERO, D_NZERO, 0, D_NZERO, 0);
    CK(i_fmin(D), D, D_NZERO, D_ZERO, 0, D_NZERO, 0);
    CK(i_fmax(D), D, D_ZERO, D_NZERO, 0, D_ZERO, 0);
    CK(i_fmax(D), D, D_NZERO, D_ZERO, 0, D_ZERO, 0);
    CK(i_fmin(S), S, 0, 0x80000000, 0, 0x80000000, 0);
    CK(i_fmax(S), S, 0x80000000, 0, 0, 0, 0);
    /* one NaN: the other operand; NV only for a signaling NaN */
    CK(i_fmin(D), D, D_QNAN, D_ONE, 0, D_ONE, 0);
    CK(i_fmax(D), D, D_ONE, 0xfff8000000000123ull, 0, D_ONE, 0);
    CK(i_fmin(D), D, D_SNAN, D_ONE, 0, D_ONE, NV);
    CK(i_fmax(D), D, D_ONE, D_SNAN, 0, D_ONE, NV);
    CK(i_fmin(S), S, S_QNAN, S_MONE, 0, S_MONE, 0);
    CK(i_fmax(S), S, S_SNAN, S_MONE, 0, S_MONE, NV);
    /* both NaN: canonical NaN */
    CK(i_fmin(D), D, 0x7ff8000000000042ull, D_QNAN, 0, D_QNAN, 0);
    CK(i_fmax(D), D, D_SNAN, D_QNAN, 0, D_QNAN, NV);
    CK(i_fmin(S), S, 0xffc00001, S_SNAN, 0, S_QNAN, NV);
    /* an improperly boxed single is the canonical (quiet) NaN */
    CK_RAW(i_fmin(S), 0x000000003f800000ull, BOX(S_TWO), S, S_TWO, 0);
    CK_RAW(i_fmax(S), BOX(S_MONE), 0xfffffffe3f800000ull, S, S_MONE, 0);
}

static void test_compare(void **state)
{
    (void)state;
    CK_X(i_feq(D), D, D_ONE, D_ONE, 1, 0);
    CK_X(i_feq(D), D, D_ONE, D_TWO, 0, 0);
    CK_X(i_flt(D), D, D_ONE, D_TWO, 1, 0);
    CK_X(i_flt(D), D, D_TWO, D_ONE, 0, 0);
    CK_X(i_flt(D), D, D_ONE, D_ONE, 0, 0);
    CK_X(i_fle(D), D, D_ONE, D_ONE, 1, 0);
    CK_X(i_fle(D), D, D_TWO, D_ONE, 0, 0);
    CK_X(i_flt(D), D, 0xc000000000000000ull, D_MONE, 1, 0);
    CK_X(i_flt(S), S, 0xc0000000, S_MONE, 1, 0);
    CK_X(i_fle(S), S, S_NINF, S_INF, 1, 0);
    /* -0 == +0 */
    CK_X(i_feq(D), D, D_NZERO, D_ZERO, 1, 0);
    CK_X(i_flt(D), D, D_NZERO, D_ZERO, 0, 0);
    CK_X(i_fle(D), D, D_ZERO, D_NZERO, 1, 0);
    CK_X(i_feq(S), S, 0x80000000, 0, 1, 0);
    /* FEQ is quiet: NV only for sNaN */
    CK_X(i_feq(D), D, D_QNAN, D_ONE, 0, 0);
    CK_X(i_feq(D), D, D_QNAN, D_QNAN, 0, 0);
    CK_X(i_feq(D), D, D_ONE, D_SNAN, 0, NV);
    CK_X(i_feq(S), S, S_QNAN, S_QNAN, 0, 0);
    CK_X(i_feq(S), S, S_SNAN, S_ONE, 0, NV);
    /* FLT and FLE signal on any NaN */
    CK_X(i_flt(D), D, D_QNAN, D_ONE, 0, NV);
    CK_X(i_fle(D), D, D_ONE, D_QNAN, 0, NV);
    CK_X(i_flt(S), S, S_SNAN, S_ONE, 0, NV);
    CK_X(i_fle(S), S, S_QNAN, S_QNAN, 0, NV);
    /* an improperly boxed operand compares as a quiet NaN */
    check(__LINE__, i_feq(S), 0, S, true, 0x3f800000ull, BOX(S_ONE), 0, true, S, 0, 0);
    check(__LINE__, i_flt(S), 0, S, true, 0x3f800000ull, BOX(S_ONE), 0, true, S, 0, NV);
}

/* ---- sign injection, moves, classify ---- */

static void test_sign_injection(void **state)
{
    (void)state;
    CK(i_fsgnj(D), D, D_ONE, 0xc000000000000000ull, 0, D_MONE, 0);
    CK(i_fsgnj(D), D, D_MONE, D_TWO, 0, D_ONE, 0);
    CK(i_fsgnjn(D), D, D_ONE, D_TWO, 0, D_MONE, 0); /* fneg */
    CK(i_fsgnjn(D), D, D_MONE, D_MONE, 0, D_ONE, 0);
    CK(i_fsgnjx(D), D, D_MONE, D_MONE, 0, D_ONE, 0); /* fabs */
    CK(i_fsgnjx(D), D, D_ONE, D_MONE, 0, D_MONE, 0);
    CK(i_fsgnj(S), S, S_ONE, 0x80000000, 0, S_MONE, 0);
    CK(i_fsgnjn(S), S, S_ONE, S_ONE, 0, S_MONE, 0);
    CK(i_fsgnjx(S), S, S_MONE, S_ONE, 0, S_MONE, 0);
    /* bit operations: NaN payloads survive, sNaN raises nothing */
    CK(i_fsgnjn(D), D, D_SNAN, D_SNAN, 0, D_SNAN | D_NZERO, 0);
    CK(i_fsgnj(S), S, 0x7fc01234, 0x80000000, 0, 0xffc01234, 0);
    CK(i_fsgnjx(S), S, S_SNAN, 0x80000000, 0, S_SNAN | 0x80000000, 0);
    /* but singles are still unboxed first: an improperly boxed rs1 is the
     * canonical NaN, an improperly boxed rs2 gives the canonical NaN's
     * (clear) sign */
    CK_RAW(i_fsgnjn(S), 0x00000000bf800000ull, BOX(S_ONE), S, 0xffc00000, 0);
    CK_RAW(i_fsgnj(S), BOX(S_ONE), 0x00000000bf800000ull, S, S_ONE, 0);
    CK_RAW(i_fsgnjn(S), BOX(S_ONE), 0x00000000bf800000ull, S, S_MONE, 0);
}

static void test_moves(void **state)
{
    (void)state;
    struct hart h;
    /* FMV.X.W sign-extends bit 31 and ignores NaN-boxing */
    hart_init(&h, BOX(0x80000000u), 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fmv_x(S)), 0);
    assert_int_equal(h.x[4], 0xffffffff80000000ull);
    hart_init(&h, 0x123456789abcdef0ull, 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fmv_x(S)), 0);
    assert_int_equal(h.x[4], 0xffffffff9abcdef0ull);
    hart_init(&h, BOX(0x7f800001u), 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fmv_x(S)), 0);
    assert_int_equal(h.x[4], 0x7f800001ull);
    assert_int_equal(h.fflags, 0);
    /* FMV.W.X NaN-boxes the low 32 bits, payload and all */
    hart_init(&h, 0x123456787f800001ull, 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fmv_f(S)), 0);
    assert_int_equal(h.f[4], 0xffffffff7f800001ull);
    assert_int_equal(h.fflags, 0);
    /* FMV.X.D / FMV.D.X copy 64 bits */
    hart_init(&h, 0x7ff0000000000001ull, 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fmv_x(D)), 0);
    assert_int_equal(h.x[4], 0x7ff0000000000001ull);
    hart_init(&h, 0xfedcba9876543210ull, 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fmv_f(D)), 0);
    assert_int_equal(h.f[4], 0xfedcba9876543210ull);
    assert_int_equal(h.fflags, 0);
    /* rd = x0 is discarded */
    hart_init(&h, D_ONE, 0, 0, 0);
    assert_int_equal(hart_exec(&h, op_fp(0x71, 0, 1, 0, 0)), 0);
    assert_int_equal(h.x[0], 0);
    /* FMV.D.X from x0 reads zero */
    hart_init(&h, D_ONE, 0, 0, 0);
    assert_int_equal(hart_exec(&h, op_fp(0x79, 0, 0, 0, 4)), 0);
    assert_int_equal(h.f[4], 0);
}

static void test_fclass(void **state)
{
    (void)state;
    static const struct { uint64_t d; uint32_t s; unsigned bit; } cases[] = {
        { D_NINF, S_NINF, 0 },
        { D_MONE, S_MONE, 1 },
        { 0x800fffffffffffffull, 0x807fffff, 2 },
        { D_NZERO, 0x80000000, 3 },
        { D_ZERO, 0, 4 },
        { D_MINSUB, S_MINSUB, 5 },
        { D_MINNORM, S_MINNORM, 6 },
        { D_INF, S_INF, 7 },
        { D_SNAN, S_SNAN, 8 },
        { D_QNAN, S_QNAN, 9 },
        { 0xfff7ffffffffffffull, 0xffbfffff, 8 }, /* negative sNaN */
        { 0xfff8000000000001ull, 0xffc00001, 9 }, /* negative qNaN with payload */
        { D_MAX, S_MAX, 6 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check(__LINE__, i_fclass(D), 0, D, false, cases[i].d, 0, 0, true, D,
              1u << cases[i].bit, 0);
        check(__LINE__, i_fclass(S), 0, S, false, cases[i].s, 0, 0, true, S,
              1u << cases[i].bit, 0);
    }
    /* an improperly boxed single classifies as a quiet NaN */
    check(__LINE__, i_fclass(S), 0, S, true, 0x00000000ff800000ull, 0, 0, true, S, 1u << 9, 0);
}

/* ---- conversions ---- */

static void cvt_i(int line, int fmt, int type, int rm, uint64_t in, uint64_t want, uint32_t fl)
{
    check(line, i_fcvt_to_int(fmt, type, rm), 0, fmt, false, in, 0, 0, true, fmt, want, fl);
}
#define CVT_I(fmt, type, rm, in, want, fl) cvt_i(__LINE__, fmt, type, rm, in, (uint64_t)(want), fl)

static void test_cvt_to_int_rounding(void **state)
{
    (void)state;
    const uint64_t d1_5 = 0x3ff8000000000000ull, d2_5 = 0x4004000000000000ull;
    const uint64_t dm2_5 = 0xc004000000000000ull, dm0_5 = 0xbfe0000000000000ull;
    CVT_I(D, W, RNE, d1_5, 2, NX);
    CVT_I(D, W, RNE, d2_5, 2, NX);
    CVT_I(D, W, RMM, d2_5, 3, NX);
    CVT_I(D, W, RTZ, d2_5, 2, NX);
    CVT_I(D, W, RDN, d2_5, 2, NX);
    CVT_I(D, W, RUP, d2_5, 3, NX);
    CVT_I(D, W, RNE, dm2_5, -2, NX);
    CVT_I(D, W, RMM, dm2_5, -3, NX);
    CVT_I(D, W, RTZ, dm2_5, -2, NX);
    CVT_I(D, W, RDN, dm2_5, -3, NX);
    CVT_I(D, W, RUP, dm2_5, -2, NX);
    CVT_I(D, L, RMM, dm0_5, -1, NX);
    CVT_I(D, L, RNE, dm0_5, 0, NX);
    CVT_I(D, W, RNE, D_ONE, 1, 0);
    CVT_I(D, W, RNE, D_NZERO, 0, 0);
    CVT_I(D, L, RUP, D_MINSUB, 1, NX);
    CVT_I(D, L, RNE, D_MINSUB, 0, NX);
    CVT_I(D, L, RDN, D_MINSUB | D_NZERO, -1, NX);
    CVT_I(S, W, RNE, 0x3fc00000, 2, NX);      /* 1.5f */
    CVT_I(S, W, RNE, 0x3f000000, 0, NX);      /* 0.5f ties to even 0 */
    CVT_I(S, W, RMM, 0x3f000000, 1, NX);
    CVT_I(S, L, RUP, 0xbfc00000, -1, NX);     /* -1.5f */
    CVT_I(S, W, RNE, 0x80000000, 0, 0);
    CVT_I(S, LU, RNE, 0x4f800000, 0x100000000ull, 0); /* 2^32 */
}

static void test_cvt_to_int_saturate(void **state)
{
    (void)state;
    const uint64_t imin32 = 0xffffffff80000000ull, imax32 = 0x7fffffffull;
    const uint64_t imin64 = 0x8000000000000000ull, imax64 = 0x7fffffffffffffffull;
    const uint64_t ones = 0xffffffffffffffffull;
    /* W */
    CVT_I(D, W, RNE, 0x41dfffffffc00000ull, imax32, 0);   /* 2^31 - 1 */
    CVT_I(D, W, RNE, 0x41dfffffffe00000ull, imax32, NV);  /* 2^31 - 0.5 rounds to 2^31 */
    CVT_I(D, W, RTZ, 0x41dfffffffe00000ull, imax32, NX);  /* ... or not */
    CVT_I(D, W, RNE, 0xc1e0000000000000ull, imin32, 0);   /* -2^31 */
    CVT_I(D, W, RNE, 0xc1e0000000100000ull, imin32, NX);  /* -2^31 - 0.5: to even */
    CVT_I(D, W, RMM, 0xc1e0000000100000ull, imin32, NV);  /* away: -2^31 - 1 */
    CVT_I(D, W, RNE, 0xc1e0000000200000ull, imin32, NV);  /* -2^31 - 1 */
    CVT_I(D, W, RNE, D_QNAN, imax32, NV);
    CVT_I(D, W, RNE, 0xfff8000000000000ull, imax32, NV);  /* negative NaN too */
    CVT_I(D, W, RNE, D_INF, imax32, NV);
    CVT_I(D, W, RNE, D_NINF, imin32, NV);
    CVT_I(D, W, RNE, D_MAX, imax32, NV);
    CVT_I(S, W, RNE, 0x4f000000, imax32, NV);             /* 2^31 */
    CVT_I(S, W, RNE, 0xcf000000, imin32, 0);              /* -2^31 */
    CVT_I(S, W, RNE, S_SNAN, imax32, NV);
    /* WU: results are sign-extended from 32 bits */
    CVT_I(D, WU, RNE, 0x41efffffffe00000ull, ones, 0);      /* 2^32 - 1 */
    CVT_I(D, WU, RNE, 0x41e65a0bc0000000ull, 0xffffffffb2d05e00ull, 0); /* 3e9 */
    CVT_I(D, WU, RNE, 0x41f0000000000000ull, ones, NV);     /* 2^32 */
    CVT_I(D, WU, RTZ, 0xbfe0000000000000ull, 0, NX);        /* -0.5 RTZ: 0 */
    CVT_I(D, WU, RNE, 0xbfe0000000000000ull, 0, NX);        /* -0.5 RNE: -0 */
    CVT_I(D, WU, RDN, 0xbfe0000000000000ull, 0, NV);        /* -0.5 RDN: -1 */
    CVT_I(D, WU, RTZ, D_MONE, 0, NV);
    CVT_I(D, WU, RNE, D_QNAN, ones, NV);
    CVT_I(D, WU, RNE, D_INF, ones, NV);
    CVT_I(D, WU, RNE, D_NINF, 0, NV);
    CVT_I(D, WU, RNE, D_NZERO, 0, 0);
    CVT_I(S, WU, RTZ, 0xbf000000, 0, NX);                   /* -0.5f */
    CVT_I(S, WU, RTZ, S_MONE, 0, NV);
    /* L */
    CVT_I(D, L, RNE, 0x43e0000000000000ull, imax64, NV);    /* 2^63 */
    CVT_I(D, L, RNE, 0xc3e0000000000000ull, imin64, 0);     /* -2^63 */
    CVT_I(D, L, RNE, 0x43dfffffffffffffull, 0x7ffffffffffffc00ull, 0);
    CVT_I(D, L, RNE, 0xc3e0000000000001ull, imin64, NV);
    CVT_I(D, L, RNE, D_QNAN, imax64, NV);
    CVT_I(D, L, RNE, D_INF, imax64, NV);
    CVT_I(D, L, RNE, D_NINF, imin64, NV);
    CVT_I(S, L, RNE, 0x5f000000, imax64, NV);               /* 2^63 */
    CVT_I(S, L, RNE, 0xdf000000, imin64, 0);
    /* LU */
    CVT_I(D, LU, RNE, 0x43f0000000000000ull, ones, NV);     /* 2^64 */
    CVT_I(D, LU, RNE, 0x43efffffffffffffull, 0xfffffffffffff800ull, 0);
    CVT_I(D, LU, RNE, D_MONE, 0, NV);
    CVT_I(D, LU, RTZ, 0xbfefffffffffffffull, 0, NX);
    CVT_I(D, LU, RNE, D_QNAN, ones, NV);
    CVT_I(D, LU, RNE, D_INF, ones, NV);
    CVT_I(D, LU, RNE, D_NINF, 0, NV);
    CVT_I(S, LU, RNE, 0x5f800000, ones, NV);                /* 2^64 */
    CVT_I(S, LU, RNE, 0x5f7fffff, 0xffffff0000000000ull, 0);
}

static void cvt_f(int line, int fmt, int type, int rm, uint64_t in, uint64_t want, uint32_t fl)
{
    check(line, i_fcvt_from_int(fmt, type, rm), 0, D, true, in, 0, 0, false, fmt, want, fl);
}
#define CVT_F(fmt, type, rm, in, want, fl) cvt_f(__LINE__, fmt, type, rm, (uint64_t)(in), want, fl)

static void test_cvt_from_int(void **state)
{
    (void)state;
    CVT_F(D, W, RNE, 0, D_ZERO, 0);
    CVT_F(D, W, RNE, 1, D_ONE, 0);
    CVT_F(D, W, RNE, -1, D_MONE, 0);
    /* W and WU look at the low 32 bits only */
    CVT_F(D, W, RNE, 0x00000000ffffffffull, D_MONE, 0);
    CVT_F(D, WU, RNE, 0x00000000ffffffffull, 0x41efffffffe00000ull, 0);
    CVT_F(S, WU, RNE, 0xffffffff00000001ull, S_ONE, 0);
    CVT_F(D, W, RNE, 0x0000000180000000ull, 0xc1e0000000000000ull, 0); /* -2^31 */
    /* 2^24 + 1 does not fit a single: a tie */
    CVT_F(S, W, RNE, 16777217, 0x4b800000, NX);
    CVT_F(S, W, RTZ, 16777217, 0x4b800000, NX);
    CVT_F(S, W, RUP, 16777217, 0x4b800001, NX);
    CVT_F(S, W, RMM, 16777217, 0x4b800001, NX);
    CVT_F(S, W, RDN, -16777217, 0xcb800001, NX);
    CVT_F(S, W, RMM, -16777217, 0xcb800001, NX);
    CVT_F(S, W, RNE, -16777217, 0xcb800000, NX);
    CVT_F(S, W, RNE, 16777219, 0x4b800002, NX);  /* tie to even upwards */
    /* 2^53 + 1 in double */
    CVT_F(D, L, RNE, (1ull << 53) + 1, 0x4340000000000000ull, NX);
    CVT_F(D, L, RMM, (1ull << 53) + 1, 0x4340000000000001ull, NX);
    CVT_F(D, LU, RUP, (1ull << 53) + 1, 0x4340000000000001ull, NX);
    CVT_F(D, L, RNE, 0x8000000000000000ull, 0xc3e0000000000000ull, 0); /* -2^63 */
    CVT_F(S, L, RNE, 0x8000000000000000ull, 0xdf000000, 0);
    CVT_F(D, L, RNE, 0x7fffffffffffffffull, 0x43e0000000000000ull, NX);
    CVT_F(D, L, RTZ, 0x7fffffffffffffffull, 0x43dfffffffffffffull, NX);
    /* LU: all ones is 2^64 - 1 */
    CVT_F(D, LU, RNE, 0xffffffffffffffffull, 0x43f0000000000000ull, NX);
    CVT_F(D, LU, RTZ, 0xffffffffffffffffull, 0x43efffffffffffffull, NX);
    CVT_F(S, LU, RNE, 0xffffffffffffffffull, 0x5f800000, NX);
    CVT_F(S, LU, RDN, 0xffffffffffffffffull, 0x5f7fffff, NX);
    CVT_F(D, L, RNE, 0xffffffffffffffffull, D_MONE, 0);
    /* from x0 */
    check(__LINE__, op_fp(0x69, 0, 0, 0, 4), 0, D, true, 5, 0, 0, false, D, D_ZERO, 0);
}

static void test_cvt_float_float(void **state)
{
    (void)state;
#define S_D(rm, in, want, fl) check(__LINE__, i_fcvt_s_d(rm), 0, D, false, in, 0, 0, false, S, want, fl)
#define D_S(rm, in, want, fl) check(__LINE__, i_fcvt_d_s(rm), 0, S, false, in, 0, 0, false, D, want, fl)
    S_D(RNE, 0x3fd5555555555555ull, 0x3eaaaaab, NX); /* 1/3 */
    S_D(RTZ, 0x3fd5555555555555ull, 0x3eaaaaaa, NX);
    S_D(RMM, 0x3fd5555555555555ull, 0x3eaaaaab, NX);
    S_D(RNE, D_ONE, S_ONE, 0);
    S_D(RNE, D_NZERO, 0x80000000, 0);
    S_D(RNE, D_NINF, S_NINF, 0);
    /* 1 + 2^-24 (tie) and 1 + 2^-24 + 2^-52 (above) */
    S_D(RNE, 0x3ff0000010000000ull, S_ONE, NX);
    S_D(RMM, 0x3ff0000010000000ull, 0x3f800001, NX);
    S_D(RNE, 0x3ff0000010000001ull, 0x3f800001, NX);
    /* out of range */
    S_D(RNE, D_MAX, S_INF, OF | NX);
    S_D(RTZ, D_MAX, S_MAX, OF | NX);
    S_D(RUP, D_MAX | D_NZERO, S_MAX | 0x80000000, OF | NX);
    S_D(RNE, 0x47efffffefffffffull, S_MAX, NX);  /* just under the overflow tie */
    S_D(RNE, 0x47effffff0000000ull, S_INF, OF | NX); /* the tie itself */
    S_D(RNE, 0x3690000000000000ull, 0, UF | NX);    /* 2^-150: tie to 0 */
    S_D(RMM, 0x3690000000000000ull, S_MINSUB, UF | NX);
    S_D(RNE, 0x36a0000000000000ull, S_MINSUB, 0);   /* 2^-149 exactly */
    S_D(RNE, D_MINSUB, 0, UF | NX);
    S_D(RUP, D_MINSUB, S_MINSUB, UF | NX);
    /* NaNs: canonical, NV for sNaN only */
    S_D(RNE, 0x7ff8000000000123ull, S_QNAN, 0);
    S_D(RNE, D_SNAN, S_QNAN, NV);
    /* D.S is exact */
    D_S(RNE, 0x3dcccccd, 0x3fb99999a0000000ull, 0); /* 0.1f */
    D_S(RNE, S_MINSUB, 0x36a0000000000000ull, 0);   /* 2^-149 */
    D_S(RNE, 0x807fffff, 0xb80fffffc0000000ull, 0); /* largest negative subnormal */
    D_S(RNE, 0x80000000, D_NZERO, 0);
    D_S(RNE, S_INF, D_INF, 0);
    D_S(RNE, 0xffc00123, D_QNAN, 0);
    D_S(RNE, S_SNAN, D_QNAN, NV);
    /* an improperly boxed single is the canonical NaN: quiet, no NV */
    check(__LINE__, i_fcvt_d_s(RNE), 0, S, true, 0x000000007f800001ull, 0, 0, false, D, D_QNAN, 0);
#undef S_D
#undef D_S
}

/* ---- NaN-boxing of single inputs and outputs ---- */

static void test_nan_boxing(void **state)
{
    (void)state;
    /* upper half not all ones: the operand is the canonical NaN (quiet, so
     * no NV), the result the canonical NaN */
    CK_RAW(i_fadd(S, RNE), 0x000000003f800000ull, BOX(S_ONE), S, S_QNAN, 0);
    CK_RAW(i_fmul(S, RNE), BOX(S_ONE), 0x7fffffff3f800000ull, S, S_QNAN, 0);
    CK_RAW(i_fsqrt(S, RNE), 0xfffffffe40800000ull, 0, S, S_QNAN, 0);
    /* a double in the register read as a single */
    CK_RAW(i_fadd(S, RNE), D_ONE, BOX(S_ONE), S, S_QNAN, 0);
    check(__LINE__, i_fcvt_to_int(S, W, RNE), 0, S, true, 0x0000000040000000ull, 0, 0, true, S,
          0x7fffffff, NV);
    check(__LINE__, i_fmadd(S, RNE), 0, S, true, BOX(S_ONE), BOX(S_ONE), 0x3f800000ull, false, S,
          S_QNAN, 0);
    /* every single-precision result is written NaN-boxed (check() tests
     * that); with rd = f0 as well */
    struct hart h;
    hart_init(&h, BOX(S_ONE), BOX(S_ONE), 0, 0);
    assert_int_equal(hart_exec(&h, op_fp(0x00, 2, 1, RNE, 0)), 0);
    assert_int_equal(h.f[0], BOX(S_TWO));
    hart_init(&h, 7, 0, 0, 0);
    assert_int_equal(hart_exec(&h, i_fcvt_from_int(S, W, RNE)), 0);
    assert_int_equal(h.f[4], BOX(0x40e00000));
}

/* ---- flags accrue, integer destinations, illegal encodings ---- */

static void test_flags_accrue(void **state)
{
    (void)state;
    struct hart h;
    hart_init(&h, D_ONE, 0x4008000000000000ull, 0, 0);
    h.fflags = DZ;
    assert_int_equal(hart_exec(&h, i_fdiv(D, RNE)), 0);
    assert_int_equal(h.fflags, DZ | NX);
    /* with NX already set, an exact operation changes nothing, and the
     * other flags are still seen */
    static const struct {
        uint32_t insn;
        uint64_t a, b, want;
        uint32_t fl;
    } cases[] = {
        { 0, D_ONE, D_TWO, 0x4008000000000000ull, 0 },       /* fadd, exact */
        { 1, D_MAX, D_TWO, D_INF, OF },                       /* fmul overflow */
        { 1, D_MINSUB, 0x3fe0000000000000ull, D_ZERO, UF },   /* fmul underflow */
        { 1, 0x3fe8000000000000ull, 0x0015555555555555ull, D_MINNORM, 0 }, /* no UF */
        { 1, 0x3fefffffffffffffull, D_MINNORM, D_MINNORM, UF },
        { 2, D_ONE, D_ZERO, D_INF, DZ },                      /* fdiv */
        { 2, D_ZERO, D_ZERO, D_QNAN, NV },
        { 2, D_MINNORM, D_TWO, 0x0008000000000000ull, 0 },     /* exact subnormal */
        { 0, D_INF, D_NINF, D_QNAN, NV },
        { 0, D_SNAN, D_ONE, D_QNAN, NV },
        { 0, 0xfff8000000000001ull, D_ONE, D_QNAN, 0 },
        { 0, D_ONE, D_MONE, D_ZERO, 0 },
        { 3, D_MONE, 0, D_QNAN, NV },                         /* fsqrt */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t insn = cases[i].insn == 0 ? i_fadd(D, RNE) : cases[i].insn == 1 ? i_fmul(D, RNE) :
                        cases[i].insn == 2 ? i_fdiv(D, RNE) : i_fsqrt(D, RNE);
        hart_init(&h, cases[i].a, cases[i].b, 0, 0);
        h.fflags = NX;
        assert_int_equal(hart_exec(&h, insn), 0);
        if (h.f[4] != cases[i].want || h.fflags != (NX | cases[i].fl))
            fail_msg("case %zu: got %016llx flags %02x", i, (unsigned long long)h.f[4], h.fflags);
    }
    hart_init(&h, BOX(S_MAX), BOX(S_TWO), 0, 0);
    h.fflags = NX;
    assert_int_equal(hart_exec(&h, i_fmul(S, RNE)), 0);
    assert_int_equal(h.f[4], BOX(S_INF));
    assert_int_equal(h.fflags, NX | OF);
    hart_init(&h, BOX(S_INF), BOX(0), BOX(S_QNAN), 0);
    h.fflags = NX;
    assert_int_equal(hart_exec(&h, i_fmadd(S, RNE)), 0);
    assert_int_equal(h.f[4], BOX(S_QNAN));
    assert_int_equal(h.fflags, NX | NV);
    /* a directed rounding mode does not leak into the next operation nor
     * into the host's own arithmetic */
    hart_init(&h, D_ONE, 0x4008000000000000ull, 0, 0);
    assert_int_equal(hart_exec(&h, i_fdiv(D, RUP)), 0);
    assert_int_equal(h.f[4], 0x3fd5555555555556ull);
    assert_int_equal(hart_exec(&h, i_fdiv(D, RNE)), 0);
    assert_int_equal(h.f[4], 0x3fd5555555555555ull);
    h.fflags = 0;
    assert_int_equal(hart_exec(&h, i_fdiv(D, RTZ)), 0);
    volatile double one = 1.0, three = 3.0;
    double third = one / three;
    uint64_t bits;
    memcpy(&bits, &third, sizeof bits);
    assert_int_equal(bits, 0x3fd5555555555555ull);
}

static void test_x0_and_int_results(void **state)
{
    (void)state;
    struct hart h;
    /* rd = x0: nothing written, flags still accrued */
    hart_init(&h, D_QNAN, D_ONE, 0, 0);
    assert_int_equal(hart_exec(&h, op_fp(0x51, 2, 1, 1, 0)), 0); /* flt x0 */
    assert_int_equal(h.x[0], 0);
    assert_int_equal(h.fflags, NV);
    hart_init(&h, D_INF, 0, 0, 0);
    assert_int_equal(hart_exec(&h, op_fp(0x61, 0, 1, RNE, 0)), 0); /* fcvt.w.d x0 */
    assert_int_equal(h.x[0], 0);
    assert_int_equal(h.fflags, NV);
    hart_init(&h, D_ONE, 0, 0, 0);
    assert_int_equal(hart_exec(&h, op_fp(0x71, 0, 1, 1, 0)), 0); /* fclass x0 */
    assert_int_equal(h.x[0], 0);
    /* FEQ writes a full 0 or 1 */
    hart_init(&h, D_ONE, D_ONE, 0, 0);
    assert_int_equal(hart_exec(&h, i_feq(D)), 0);
    assert_int_equal(h.x[4], 1);
}

static void expect_illegal(int line, uint32_t insn, uint32_t frm)
{
    struct hart h;
    hart_init(&h, D_ONE, D_TWO, D_ONE, frm);
    h.fflags = 0;
    struct hart before = h;
    if (hart_exec(&h, insn) != -1)
        fail_msg("line %d: insn %08x frm %u not illegal", line, insn, frm);
    if (memcmp(&h, &before, sizeof h) != 0)
        fail_msg("line %d: insn %08x changed state", line, insn);
}
#define ILLEGAL(insn, frm) expect_illegal(__LINE__, (insn), (frm))

static void expect_legal(int line, uint32_t insn, uint32_t frm)
{
    struct hart h;
    hart_init(&h, D_ONE, D_TWO, D_ONE, frm);
    if (hart_exec(&h, insn) != 0)
        fail_msg("line %d: insn %08x frm %u illegal", line, insn, frm);
}
#define LEGAL(insn, frm) expect_legal(__LINE__, (insn), (frm))

static void test_illegal(void **state)
{
    (void)state;
    /* reserved static rounding modes */
    ILLEGAL(i_fadd(D, 5), 0);
    ILLEGAL(i_fadd(S, 6), 0);
    ILLEGAL(i_fsqrt(D, 5), 0);
    ILLEGAL(i_fmadd(D, 6), 0);
    ILLEGAL(i_fnmadd(S, 5), 0);
    ILLEGAL(i_fcvt_to_int(D, W, 5), 0);
    ILLEGAL(i_fcvt_from_int(S, L, 6), 0);
    ILLEGAL(i_fcvt_s_d(5), 0);
    ILLEGAL(i_fcvt_d_s(6), 0); /* exact, but it still has an rm field */
    /* DYN with an invalid frm */
    for (uint32_t frm = 5; frm <= 7; frm++) {
        ILLEGAL(i_fadd(D, DYN), frm);
        ILLEGAL(i_fmul(S, DYN), frm);
        ILLEGAL(i_fmsub(D, DYN), frm);
        ILLEGAL(i_fcvt_to_int(S, WU, DYN), frm);
        ILLEGAL(i_fcvt_from_int(D, W, DYN), frm);
        ILLEGAL(i_fcvt_d_s(DYN), frm);
        /* instructions without a rounding mode do not care */
        LEGAL(i_fsgnj(D), frm);
        LEGAL(i_fmin(S), frm);
        LEGAL(i_feq(D), frm);
        LEGAL(i_fclass(S), frm);
        LEGAL(i_fmv_x(D), frm);
        LEGAL(i_fmv_f(S), frm);
        /* a static rm does not look at frm */
        LEGAL(i_fadd(D, RMM), frm);
    }
    for (uint32_t rm = 0; rm <= 4; rm++) {
        LEGAL(i_fadd(D, (int)rm), 7);
        LEGAL(i_fadd(D, DYN), rm);
    }
    /* fmt H (2) and Q (3) are not implemented */
    ILLEGAL(op_fp(0x02, 2, 1, RNE, 4), 0);
    ILLEGAL(op_fp(0x03, 2, 1, RNE, 4), 0);
    ILLEGAL(op_fp(0x2e, 0, 1, RNE, 4), 0);
    ILLEGAL(op_r4(0x43, 2, RNE), 0);
    ILLEGAL(op_r4(0x4f, 3, RNE), 0);
    ILLEGAL(op_fp(0x72, 0, 1, 0, 4), 0);   /* fmv.x.h */
    ILLEGAL(op_fp(0x22, 0, 1, RNE, 4), 0); /* fcvt.h.s */
    /* wrong rs2 / funct3 fields */
    ILLEGAL(op_fp(0x2d, 1, 1, RNE, 4), 0);  /* fsqrt.d with rs2 = 1 */
    ILLEGAL(op_fp(0x11, 2, 1, 3, 4), 0);    /* fsgnj funct3 = 3 */
    ILLEGAL(op_fp(0x15, 2, 1, 2, 4), 0);    /* fmin/fmax funct3 = 2 */
    ILLEGAL(op_fp(0x51, 2, 1, 3, 4), 0);    /* fle/flt/feq funct3 = 3 */
    ILLEGAL(op_fp(0x61, 4, 1, RNE, 4), 0);  /* fcvt.?.d rs2 = 4 */
    ILLEGAL(op_fp(0x69, 31, 1, RNE, 4), 0); /* fcvt.d.? rs2 = 31 */
    ILLEGAL(op_fp(0x20, 0, 1, RNE, 4), 0);  /* fcvt.s.s */
    ILLEGAL(op_fp(0x21, 1, 1, RNE, 4), 0);  /* fcvt.d.d */
    ILLEGAL(op_fp(0x20, 3, 1, RNE, 4), 0);  /* fcvt.s.q */
    ILLEGAL(op_fp(0x70, 1, 1, 0, 4), 0);    /* fmv.x.w rs2 = 1 */
    ILLEGAL(op_fp(0x71, 0, 1, 2, 4), 0);    /* fclass funct3 = 2 */
    ILLEGAL(op_fp(0x78, 0, 1, 1, 4), 0);    /* fmv.w.x funct3 = 1 */
    ILLEGAL(op_fp(0x79, 1, 1, 0, 4), 0);    /* fmv.d.x rs2 = 1 */
    /* funct7 values with no instruction */
    ILLEGAL(op_fp(0x18, 2, 1, RNE, 4), 0);
    ILLEGAL(op_fp(0x30, 0, 1, RNE, 4), 0);
    ILLEGAL(op_fp(0x7c, 0, 1, 0, 4), 0);
    ILLEGAL(op_fp(0x25, 0, 1, RNE, 4), 0);
    /* other major opcodes (FLW, OP) */
    ILLEGAL(0x00002087u, 0);
    ILLEGAL(0x002081b3u, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_ops),
        cmocka_unit_test(test_rounding_add),
        cmocka_unit_test(test_rounding_dyn),
        cmocka_unit_test(test_rounding_mul_div_sqrt),
        cmocka_unit_test(test_divide_by_zero),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_nan_results),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_underflow),
        cmocka_unit_test(test_fma),
        cmocka_unit_test(test_min_max),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_sign_injection),
        cmocka_unit_test(test_moves),
        cmocka_unit_test(test_fclass),
        cmocka_unit_test(test_cvt_to_int_rounding),
        cmocka_unit_test(test_cvt_to_int_saturate),
        cmocka_unit_test(test_cvt_from_int),
        cmocka_unit_test(test_cvt_float_float),
        cmocka_unit_test(test_nan_boxing),
        cmocka_unit_test(test_flags_accrue),
        cmocka_unit_test(test_x0_and_int_results),
        cmocka_unit_test(test_illegal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
