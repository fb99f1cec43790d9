/* cpu/riscv/fpu.c: the F, D, Zfh/Zfhmin and Zfa extensions' arithmetic
 * (IEEE 754-2008).
 *
 * Two engines compute the same function for S and D (half precision, which
 * no host does the RISC-V way, is soft-float only):
 *   - the host's FPU for add/sub/mul/div/sqrt/fma in RNE, RTZ, RDN and RUP,
 *     which on x86-64 (SSE, tininess after rounding like RISC-V) is exact
 *     bit for bit and flag for flag once NaN results are made canonical.
 *     In RNE with NX already accrued (the usual state) it runs without
 *     touching the fenv at all; otherwise it sets the rounding mode and
 *     reads the flags around the operation;
 *   - a portable soft-float (integer arithmetic only) for everything the
 *     host cannot do the RISC-V way: RMM, FMA with a NaN addend (0*inf+qNaN
 *     must raise NV), hosts without FMA, hosts that detect tininess before
 *     rounding, and all conversions, compares and sign/class operations
 *     (cheap in integers, and the host's float->int does not saturate).
 * Build with -DRIVET_FPU_SOFT_ONLY to use the soft-float for everything, or
 * -DRIVET_FPU_GENERIC_FENV to use the portable <fenv.h> host path on x86-64
 * too (both exist to test the other hosts' code paths here).
 *
 * Single- and half-precision values travel as uint64_t holding their 32 or
 * 16 bits (the rest zero); NaN-boxing is checked when reading f[] and added
 * on writing.
 */
#include "cpu/riscv/fpu.h"

#include <float.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if !defined(RIVET_FPU_SOFT_ONLY) && defined(__GNUC__) && FLT_EVAL_METHOD == 0
#include <fenv.h>
#if defined(__x86_64__) && defined(__SSE2__) && !defined(RIVET_FPU_GENERIC_FENV)
#include <immintrin.h>
#define FPU_HOST 1
#define FPU_HOST_X86 1
#elif defined(FE_TONEAREST) && defined(FE_UPWARD) && defined(FE_DOWNWARD) && \
    defined(FE_TOWARDZERO) && defined(FE_INEXACT) && defined(FE_UNDERFLOW) && \
    defined(FE_OVERFLOW) && defined(FE_DIVBYZERO) && defined(FE_INVALID)
#include <math.h>
#define FPU_HOST 1
#define FPU_HOST_X86 0
#endif
#endif
#ifndef FPU_HOST
#define FPU_HOST 0
#define FPU_HOST_X86 0
#endif

#if defined(__clang__) && FPU_HOST
#pragma STDC FENV_ACCESS ON
#endif

typedef unsigned __int128 u128;

enum { RM_RNE, RM_RTZ, RM_RDN, RM_RUP, RM_RMM, RM_DYN = 7 };
enum { FMT_S, FMT_D, FMT_H };
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA };
enum { CVT_W, CVT_WU, CVT_L, CVT_LU };

#define S_QNAN 0x7fc00000ull
#define D_QNAN 0x7ff8000000000000ull
#define H_QNAN 0x7e00ull
#define NAN_BOX 0xffffffff00000000ull
#define NAN_BOX_H 0xffffffffffff0000ull

/* ---- format parameters (fmt is a constant after inlining) ---- */

static inline int f_mbits(int fmt) { return fmt == FMT_D ? 52 : fmt == FMT_S ? 23 : 10; }
static inline int f_bias(int fmt) { return fmt == FMT_D ? 1023 : fmt == FMT_S ? 127 : 15; }
static inline int f_emax_biased(int fmt) { return fmt == FMT_D ? 0x7ff : fmt == FMT_S ? 0xff : 0x1f; }
static inline uint64_t f_signbit(int fmt)
{
    return fmt == FMT_D ? 1ull << 63 : fmt == FMT_S ? 1ull << 31 : 1ull << 15;
}
static inline uint64_t f_qnan(int fmt) { return fmt == FMT_D ? D_QNAN : fmt == FMT_S ? S_QNAN : H_QNAN; }
static inline uint64_t f_inf(int fmt)
{
    return fmt == FMT_D ? 0x7ff0000000000000ull : fmt == FMT_S ? 0x7f800000ull : 0x7c00ull;
}
static inline uint64_t f_mag(uint64_t v, int fmt) { return v & (f_signbit(fmt) - 1); }
static inline bool f_isnan(uint64_t v, int fmt) { return f_mag(v, fmt) > f_inf(fmt); }
static inline bool f_issnan(uint64_t v, int fmt)
{
    return f_isnan(v, fmt) && !(v & (1ull << (f_mbits(fmt) - 1)));
}

/* Reads an FP register as format fmt: an improperly NaN-boxed single or
 * half is the canonical NaN (spec, "NaN Boxing of Narrower Values"). */
static inline uint64_t freg_read(const uint64_t *f, unsigned r, int fmt)
{
    if (fmt == FMT_D)
        return f[r];
    if (fmt == FMT_S)
        return (f[r] & NAN_BOX) == NAN_BOX ? (uint32_t)f[r] : S_QNAN;
    return (f[r] & NAN_BOX_H) == NAN_BOX_H ? (uint16_t)f[r] : H_QNAN;
}

static inline void freg_write(uint64_t *f, unsigned r, int fmt, uint64_t v)
{
    f[r] = fmt == FMT_D ? v : fmt == FMT_S ? (NAN_BOX | (uint32_t)v) : (NAN_BOX_H | (uint16_t)v);
}

static inline void xreg_write(uint64_t *x, unsigned r, uint64_t v)
{
    if (r)
        x[r] = v;
}

/* ---- soft-float ---- */

enum { C_ZERO, C_FIN, C_INF, C_NAN };

/* A finite nonzero value is (-1)^sign * sig * 2^(exp-62) with bit 62 of sig
 * set, i.e. exp is the unbiased exponent. */
struct fp {
    bool sign;
    bool snan;
    int cls;
    int32_t exp;
    uint64_t sig;
};

static inline int clz64(uint64_t v) { return __builtin_clzll(v); }

static inline int clz128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? clz64(hi) : 64 + clz64((uint64_t)v);
}

static inline struct fp unpack(uint64_t v, int fmt)
{
    const int mb = f_mbits(fmt);
    uint64_t frac = v & ((1ull << mb) - 1);
    int be = (int)((v >> mb) & (uint64_t)f_emax_biased(fmt));
    struct fp u = { .sign = (v & f_signbit(fmt)) != 0 };

    if (be == f_emax_biased(fmt)) {
        u.cls = frac ? C_NAN : C_INF;
        u.snan = frac && !(frac >> (mb - 1));
    } else if (be == 0) {
        if (!frac) {
            u.cls = C_ZERO;
        } else {
            int lz = clz64(frac) - 1;
            u.cls = C_FIN;
            u.sig = frac << lz;
            u.exp = 1 - f_bias(fmt) + (62 - mb) - lz;
        }
    } else {
        u.cls = C_FIN;
        u.sig = (frac | 1ull << mb) << (62 - mb);
        u.exp = be - f_bias(fmt);
    }
    return u;
}

/* Rounds sig to an integer after dropping its low `shift` bits (shift >= 1,
 * may exceed 63) in mode rm, for a value of the given sign. */
static inline uint64_t round_bits(uint64_t sig, int shift, bool sign, int rm, bool *inexact)
{
    uint64_t kept, rem, half;
    if (shift >= 64) {
        /* sig < 2^63 <= half: everything is a nonzero fraction below 1/2 */
        kept = 0;
        rem = sig ? 1 : 0;
        half = 2;
    } else {
        kept = sig >> shift;
        rem = sig & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    }
    *inexact = rem != 0;
    switch (rm) {
    case RM_RNE: return kept + (rem > half || (rem == half && (kept & 1)));
    case RM_RTZ: return kept;
    case RM_RDN: return kept + (sign && rem);
    case RM_RUP: return kept + (!sign && rem);
    default:     return kept + (rem >= half);
    }
}

static uint64_t overflow_result(int fmt, bool sign, int rm, uint32_t *fl)
{
    uint64_t s = sign ? f_signbit(fmt) : 0;
    bool to_inf = rm == RM_RNE || rm == RM_RMM ||
                  (rm == RM_RDN && sign) || (rm == RM_RUP && !sign);
    *fl |= FFLAG_OF | FFLAG_NX;
    return s | (to_inf ? f_inf(fmt) : f_inf(fmt) - 1);
}

/* Rounds (-1)^sign * sig * 2^(exp-62) (sig != 0, any normalization, low
 * bit may carry sticky information) to format fmt. Tininess is detected
 * after rounding, as RISC-V specifies. */
static uint64_t round_pack(int fmt, bool sign, int32_t ex, uint64_t sig, int rm, uint32_t *fl)
{
    const int mb = f_mbits(fmt);
    const int emin = 1 - f_bias(fmt);
    const int emax = f_bias(fmt);
    const uint64_t s = sign ? f_signbit(fmt) : 0;
    const int shift0 = 62 - mb;
    bool inexact;

    if (sig >> 63) {
        sig = (sig >> 1) | (sig & 1);
        ex++;
    } else {
        int lz = clz64(sig) - 1;
        sig <<= lz;
        ex -= lz;
    }
    if (ex > emax)
        return overflow_result(fmt, sign, rm, fl);

    if (ex >= emin) {
        uint64_t k = round_bits(sig, shift0, sign, rm, &inexact);
        if (k >> (mb + 1)) {
            k >>= 1;
            if (++ex > emax)
                return overflow_result(fmt, sign, rm, fl);
        }
        if (inexact)
            *fl |= FFLAG_NX;
        return s | ((uint64_t)(ex + f_bias(fmt)) << mb) | (k & ((1ull << mb) - 1));
    }

    /* Below the normal range. Tiny unless rounding to full precision with
     * an unbounded exponent would carry up to 2^emin. */
    bool tiny = true;
    if (ex == emin - 1) {
        uint64_t k = round_bits(sig, shift0, sign, rm, &inexact);
        tiny = !(k >> (mb + 1));
    }
    uint64_t k = round_bits(sig, shift0 + (emin - ex), sign, rm, &inexact);
    if (inexact)
        *fl |= FFLAG_NX | (tiny ? FFLAG_UF : 0);
    /* k == 2^mb lands exactly on the smallest normal's encoding */
    return s | k;
}

/* The same for (-1)^sign * r * 2^(e-124), r != 0. */
static uint64_t round_pack128(int fmt, bool sign, int32_t e, u128 r, int rm, uint32_t *fl)
{
    int m = 127 - clz128(r);
    uint64_t sig;
    if (m > 62) {
        int sh = m - 62;
        sig = (uint64_t)(r >> sh) | (uint64_t)((r & (((u128)1 << sh) - 1)) != 0);
    } else {
        sig = (uint64_t)r << (62 - m);
    }
    return round_pack(fmt, sign, e - 124 + m, sig, rm, fl);
}

static inline u128 shr_jam128(u128 v, int32_t d)
{
    if (d == 0)
        return v;
    if (d >= 128)
        return v != 0;
    return (v >> d) | ((v << (128 - d)) != 0);
}

static inline uint64_t signed_zero(int fmt, bool neg) { return neg ? f_signbit(fmt) : 0; }

static inline uint64_t nan_result(int fmt, bool invalid, uint32_t *fl)
{
    if (invalid)
        *fl |= FFLAG_NV;
    return f_qnan(fmt);
}

/* Exact sum of two nonzero finite values given as p*2^(ep-124) and
 * q*2^(eq-124), p and q below 2^126, with at least 10 zero low bits each
 * (so aligning by one place loses nothing), rounded once. */
static uint64_t add_core(int fmt, bool ps, int32_t ep, u128 p, bool qs, int32_t eq, u128 q,
                         int rm, uint32_t *fl)
{
    int32_t e;
    if (ep >= eq) {
        e = ep;
        q = shr_jam128(q, ep - eq);
    } else {
        e = eq;
        p = shr_jam128(p, eq - ep);
    }
    if (ps == qs)
        return round_pack128(fmt, ps, e, p + q, rm, fl);
    if (p > q)
        return round_pack128(fmt, ps, e, p - q, rm, fl);
    if (q > p)
        return round_pack128(fmt, qs, e, q - p, rm, fl);
    return signed_zero(fmt, rm == RM_RDN);
}

static uint64_t soft_add(int fmt, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    struct fp x = unpack(a, fmt), y = unpack(b, fmt);
    if (x.cls == C_NAN || y.cls == C_NAN)
        return nan_result(fmt, x.snan || y.snan, fl);
    if (x.cls == C_INF) {
        if (y.cls == C_INF && x.sign != y.sign)
            return nan_result(fmt, true, fl);
        return a;
    }
    if (y.cls == C_INF)
        return b;
    if (x.cls == C_ZERO && y.cls == C_ZERO)
        return signed_zero(fmt, x.sign == y.sign ? x.sign : rm == RM_RDN);
    if (x.cls == C_ZERO)
        return b;
    if (y.cls == C_ZERO)
        return a;
    return add_core(fmt, x.sign, x.exp, (u128)x.sig << 62, y.sign, y.exp, (u128)y.sig << 62,
                    rm, fl);
}

static uint64_t soft_mul(int fmt, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    struct fp x = unpack(a, fmt), y = unpack(b, fmt);
    bool sign = x.sign ^ y.sign;
    if (x.cls == C_NAN || y.cls == C_NAN)
        return nan_result(fmt, x.snan || y.snan, fl);
    if ((x.cls == C_INF && y.cls == C_ZERO) || (x.cls == C_ZERO && y.cls == C_INF))
        return nan_result(fmt, true, fl);
    if (x.cls == C_INF || y.cls == C_INF)
        return (sign ? f_signbit(fmt) : 0) | f_inf(fmt);
    if (x.cls == C_ZERO || y.cls == C_ZERO)
        return signed_zero(fmt, sign);
    return round_pack128(fmt, sign, x.exp + y.exp, (u128)x.sig * y.sig, rm, fl);
}

/* a*b + c with a single rounding; negations are applied by the caller. */
static uint64_t soft_fma(int fmt, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
    struct fp x = unpack(a, fmt), y = unpack(b, fmt), z = unpack(c, fmt);
    bool ps = x.sign ^ y.sign;
    bool inf_zero = (x.cls == C_INF && y.cls == C_ZERO) || (x.cls == C_ZERO && y.cls == C_INF);
    /* RISC-V: inf*0 raises NV even when the addend is a quiet NaN */
    if (x.cls == C_NAN || y.cls == C_NAN || z.cls == C_NAN)
        return nan_result(fmt, x.snan || y.snan || z.snan || inf_zero, fl);
    if (inf_zero)
        return nan_result(fmt, true, fl);
    if (x.cls == C_INF || y.cls == C_INF) {
        if (z.cls == C_INF && z.sign != ps)
            return nan_result(fmt, true, fl);
        return (ps ? f_signbit(fmt) : 0) | f_inf(fmt);
    }
    if (z.cls == C_INF)
        return c;
    if (x.cls == C_ZERO || y.cls == C_ZERO) {
        if (z.cls == C_ZERO)
            return signed_zero(fmt, ps == z.sign ? ps : rm == RM_RDN);
        return c;
    }
    u128 p = (u128)x.sig * y.sig;
    if (z.cls == C_ZERO)
        return round_pack128(fmt, ps, x.exp + y.exp, p, rm, fl);
    return add_core(fmt, ps, x.exp + y.exp, p, z.sign, z.exp, (u128)z.sig << 62, rm, fl);
}

static uint64_t soft_div(int fmt, uint64_t a, uint64_t b, int rm, uint32_t *fl)
{
    struct fp x = unpack(a, fmt), y = unpack(b, fmt);
    bool sign = x.sign ^ y.sign;
    if (x.cls == C_NAN || y.cls == C_NAN)
        return nan_result(fmt, x.snan || y.snan, fl);
    if ((x.cls == C_INF && y.cls == C_INF) || (x.cls == C_ZERO && y.cls == C_ZERO))
        return nan_result(fmt, true, fl);
    if (x.cls == C_INF)
        return (sign ? f_signbit(fmt) : 0) | f_inf(fmt);
    if (y.cls == C_INF || x.cls == C_ZERO)
        return signed_zero(fmt, sign);
    if (y.cls == C_ZERO) {
        *fl |= FFLAG_DZ;
        return (sign ? f_signbit(fmt) : 0) | f_inf(fmt);
    }
    /* q = sigA/sigB * 2^64 lies in (2^63, 2^65): ample guard bits */
    u128 n = (u128)x.sig << 64;
    u128 q = n / y.sig;
    bool sticky = n % y.sig != 0;
    return round_pack128(fmt, sign, x.exp - y.exp + 60, q | sticky, rm, fl);
}

/* floor(sqrt(n)) by the digit-by-digit method; *exact tells if it was. */
static uint64_t isqrt128(u128 n, bool *exact)
{
    u128 rem = 0, root = 0;
    for (int i = 63; i >= 0; i--) {
        rem = (rem << 2) | ((n >> (2 * i)) & 3);
        u128 trial = (root << 2) | 1;
        root <<= 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    *exact = rem == 0;
    return (uint64_t)root;
}

static uint64_t soft_sqrt(int fmt, uint64_t a, int rm, uint32_t *fl)
{
    struct fp x = unpack(a, fmt);
    if (x.cls == C_NAN)
        return nan_result(fmt, x.snan, fl);
    if (x.cls == C_ZERO)
        return a;
    if (x.sign)
        return nan_result(fmt, true, fl);
    if (x.cls == C_INF)
        return a;
    /* make the exponent of sig*2^(exp-62-k) even; sqrt keeps >= 62 bits */
    int k = (x.exp & 1) ? 63 : 64;
    bool exact;
    uint64_t r = isqrt128((u128)x.sig << k, &exact);
    return round_pack128(fmt, false, 124 + (x.exp - 62 - k) / 2, (u128)(r | !exact), rm, fl);
}

static uint64_t soft_arith(int op, int fmt, uint64_t a, uint64_t b, uint64_t c, int rm,
                           uint32_t *fl)
{
    switch (op) {
    case OP_ADD:  return soft_add(fmt, a, b, rm, fl);
    case OP_SUB:  return soft_add(fmt, a, b ^ f_signbit(fmt), rm, fl);
    case OP_MUL:  return soft_mul(fmt, a, b, rm, fl);
    case OP_DIV:  return soft_div(fmt, a, b, rm, fl);
    case OP_SQRT: return soft_sqrt(fmt, a, rm, fl);
    default:      return soft_fma(fmt, a, b, c, rm, fl);
    }
}

/* ---- host FPU ---- */

#if FPU_HOST

/* Keeps the compiler from moving FP arithmetic across the rounding-mode and
 * flag accesses: GCC ignores FENV_ACCESS and assumes round-to-nearest. The
 * operand is made opaque at this point of the (ordered, memory-clobbering)
 * asm sequence. */
#if defined(__x86_64__)
#define FP_OPAQUE(v) __asm__ volatile("" : "+x"(v) : : "memory")
#elif defined(__aarch64__)
#define FP_OPAQUE(v) __asm__ volatile("" : "+w"(v) : : "memory")
#else
#define FP_OPAQUE(v) __asm__ volatile("" : "+m"(v) : : "memory")
#endif

static inline double d_from(uint64_t v) { double d; memcpy(&d, &v, sizeof d); return d; }
static inline uint64_t d_bits(double d) { uint64_t v; memcpy(&v, &d, sizeof v); return v; }
static inline float s_from(uint64_t v) { uint32_t w = (uint32_t)v; float s; memcpy(&s, &w, sizeof s); return s; }
static inline uint64_t s_bits(float s) { uint32_t w; memcpy(&w, &s, sizeof w); return w; }

#if FPU_HOST_X86
/* MXCSR: flags IE=0 DE=1 ZE=2 OE=3 UE=4 PE=5, DAZ=6, RC=13..14, FTZ=15. */
#define MX_FLAGS 0x3du /* without DE, which RISC-V has no use for */
#define MX_RC 0x6000u
#define MX_DAZ_FTZ 0x8040u

static const uint8_t mx_to_rv[64] = {
#define MX2RV(i) (uint8_t)((((i) & 1) ? FFLAG_NV : 0) | (((i) & 4) ? FFLAG_DZ : 0) | \
                           (((i) & 8) ? FFLAG_OF : 0) | (((i) & 16) ? FFLAG_UF : 0) | \
                           (((i) & 32) ? FFLAG_NX : 0))
#define MX2RV4(i) MX2RV(i), MX2RV(i + 1), MX2RV(i + 2), MX2RV(i + 3)
#define MX2RV16(i) MX2RV4(i), MX2RV4(i + 4), MX2RV4(i + 8), MX2RV4(i + 12)
    MX2RV16(0), MX2RV16(16), MX2RV16(32), MX2RV16(48)
#undef MX2RV16
#undef MX2RV4
#undef MX2RV
};

static const uint8_t rv_to_mx[32] = {
#define RV2MX(i) (uint8_t)((((i) & FFLAG_NV) ? 0x01 : 0) | (((i) & FFLAG_DZ) ? 0x04 : 0) | \
                           (((i) & FFLAG_OF) ? 0x08 : 0) | (((i) & FFLAG_UF) ? 0x10 : 0) | \
                           (((i) & FFLAG_NX) ? 0x20 : 0))
#define RV2MX4(i) RV2MX(i), RV2MX(i + 1), RV2MX(i + 2), RV2MX(i + 3)
    RV2MX4(0), RV2MX4(4), RV2MX4(8), RV2MX4(12),
    RV2MX4(16), RV2MX4(20), RV2MX4(24), RV2MX4(28)
#undef RV2MX4
#undef RV2MX
};

/* RISC-V rm (RNE RTZ RDN RUP) to MXCSR.RC */
static const uint16_t rm_to_mx[4] = { 0x0000, 0x6000, 0x2000, 0x4000 };

struct host_env {
    uint32_t saved;
};

static inline uint32_t mx_read(void)
{
    uint32_t m;
    __asm__ volatile("stmxcsr %0" : "=m"(m) : : "memory");
    return m;
}

static inline void mx_write(uint32_t m)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(m) : "memory");
}

/* Host flags are sticky and never cleared behind us, so only the ones the
 * guest has not accrued yet need clearing: after the operation, whatever is
 * set is then either old and already in fflags, or new. This skips the
 * costly ldmxcsr in the common case. */
static inline void host_enter(struct host_env *env, int rm, uint32_t fflags)
{
    uint32_t m = mx_read();
    uint32_t clear = MX_FLAGS & ~(uint32_t)rv_to_mx[fflags & 31];
    uint32_t want = (m & ~(clear | MX_RC | MX_DAZ_FTZ)) | rm_to_mx[rm];
    env->saved = m;
    if (want != m)
        mx_write(want);
}

static inline uint32_t host_leave(struct host_env *env)
{
    uint32_t m = mx_read();
    if ((m ^ env->saved) & MX_RC)
        mx_write((m & ~MX_RC) | (env->saved & MX_RC));
    return mx_to_rv[m & 0x3f];
}

static inline bool host_has_fma(void)
{
    return __builtin_cpu_supports("fma");
}

__attribute__((target("fma"))) static double host_fma_d(double a, double b, double c)
{
    return _mm_cvtsd_f64(_mm_fmadd_sd(_mm_set_sd(a), _mm_set_sd(b), _mm_set_sd(c)));
}

__attribute__((target("fma"))) static float host_fma_s(float a, float b, float c)
{
    return _mm_cvtss_f32(_mm_fmadd_ss(_mm_set_ss(a), _mm_set_ss(b), _mm_set_ss(c)));
}

static inline double host_sqrt_d(double a) { return _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(a))); }
static inline float host_sqrt_s(float a) { return _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(a))); }

#else /* generic <fenv.h> host */

struct host_env {
    int saved_round;
};

static const int rm_to_fe[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

static inline int rv_to_fe(uint32_t fl)
{
    return ((fl & FFLAG_NV) ? FE_INVALID : 0) | ((fl & FFLAG_DZ) ? FE_DIVBYZERO : 0) |
           ((fl & FFLAG_OF) ? FE_OVERFLOW : 0) | ((fl & FFLAG_UF) ? FE_UNDERFLOW : 0) |
           ((fl & FFLAG_NX) ? FE_INEXACT : 0);
}

static inline uint32_t fe_to_rv(int e)
{
    return ((e & FE_INVALID) ? FFLAG_NV : 0) | ((e & FE_DIVBYZERO) ? FFLAG_DZ : 0) |
           ((e & FE_OVERFLOW) ? FFLAG_OF : 0) | ((e & FE_UNDERFLOW) ? FFLAG_UF : 0) |
           ((e & FE_INEXACT) ? FFLAG_NX : 0);
}

#define FE_RV_ALL (FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW | FE_INEXACT)

/* See the x86 variant: only flags the guest lacks need clearing. */
static inline void host_enter(struct host_env *env, int rm, uint32_t fflags)
{
    int stale = fetestexcept(FE_RV_ALL) & ~rv_to_fe(fflags);
    if (stale)
        feclearexcept(stale);
    env->saved_round = fegetround();
    if (env->saved_round != rm_to_fe[rm])
        fesetround(rm_to_fe[rm]);
}

static inline uint32_t host_leave(struct host_env *env)
{
    uint32_t fl = fe_to_rv(fetestexcept(FE_RV_ALL));
    if (fegetround() != env->saved_round)
        fesetround(env->saved_round);
    return fl;
}

static inline bool host_has_fma(void) { return true; }
static inline double host_fma_d(double a, double b, double c) { return fma(a, b, c); }
static inline float host_fma_s(float a, float b, float c) { return fmaf(a, b, c); }
static inline double host_sqrt_d(double a) { return sqrt(a); }
static inline float host_sqrt_s(float a) { return sqrtf(a); }

#endif /* FPU_HOST_X86 */

/* The same without fenv access: round-to-nearest, flags not observed. */
static inline uint64_t host_plain_d(int op, uint64_t ua, uint64_t ub, uint64_t uc)
{
    double a = d_from(ua), b = d_from(ub);
    switch (op) {
    case OP_ADD:  return d_bits(a + b);
    case OP_SUB:  return d_bits(a - b);
    case OP_MUL:  return d_bits(a * b);
    case OP_DIV:  return d_bits(a / b);
    case OP_SQRT: return d_bits(host_sqrt_d(a));
    default:      return d_bits(host_fma_d(a, b, d_from(uc)));
    }
}

static inline uint64_t host_plain_s(int op, uint64_t ua, uint64_t ub, uint64_t uc)
{
    float a = s_from(ua), b = s_from(ub);
    switch (op) {
    case OP_ADD:  return s_bits(a + b);
    case OP_SUB:  return s_bits(a - b);
    case OP_MUL:  return s_bits(a * b);
    case OP_DIV:  return s_bits(a / b);
    case OP_SQRT: return s_bits(host_sqrt_s(a));
    default:      return s_bits(host_fma_s(a, b, s_from(uc)));
    }
}

static uint64_t host_arith_d(int op, uint64_t ua, uint64_t ub, uint64_t uc, int rm,
                             uint32_t accrued, uint32_t *fl)
{
    double a = d_from(ua), b = d_from(ub), c = d_from(uc), r;
    struct host_env env;
    host_enter(&env, rm, accrued);
    FP_OPAQUE(a);
    FP_OPAQUE(b);
    FP_OPAQUE(c);
    switch (op) {
    case OP_ADD:  r = a + b; break;
    case OP_SUB:  r = a - b; break;
    case OP_MUL:  r = a * b; break;
    case OP_DIV:  r = a / b; break;
    case OP_SQRT: r = host_sqrt_d(a); break;
    default:      r = host_fma_d(a, b, c); break;
    }
    FP_OPAQUE(r);
    *fl |= host_leave(&env);
    return d_bits(r);
}

static uint64_t host_arith_s(int op, uint64_t ua, uint64_t ub, uint64_t uc, int rm,
                             uint32_t accrued, uint32_t *fl)
{
    float a = s_from(ua), b = s_from(ub), c = s_from(uc), r;
    struct host_env env;
    host_enter(&env, rm, accrued);
    FP_OPAQUE(a);
    FP_OPAQUE(b);
    FP_OPAQUE(c);
    switch (op) {
    case OP_ADD:  r = a + b; break;
    case OP_SUB:  r = a - b; break;
    case OP_MUL:  r = a * b; break;
    case OP_DIV:  r = a / b; break;
    case OP_SQRT: r = host_sqrt_s(a); break;
    default:      r = host_fma_s(a, b, c); break;
    }
    FP_OPAQUE(r);
    *fl |= host_leave(&env);
    return s_bits(r);
}

#endif /* FPU_HOST */

#if FPU_HOST
/* The common case without touching the host's fenv, which is assumed to be
 * in its default state (RNE, no flush-to-zero): rm is RNE and NX is already
 * accrued, so only the other flags matter, and each shows in the result: NV
 * as NaN, DZ and OF as infinity, UF as a magnitude at or below the smallest
 * normal (a zero sum is exact). False means: redo it with flags. */
__attribute__((always_inline))
static inline bool host_fast(int op, int fmt, uint64_t a, uint64_t b, uint64_t c, uint64_t *res)
{
    uint64_t r = fmt == FMT_D ? host_plain_d(op, a, b, c) : host_plain_s(op, a, b, c);
    uint64_t m = f_mag(r, fmt);
    *res = r;
    return (m > 1ull << f_mbits(fmt) && m < f_inf(fmt)) || (m == 0 && op <= OP_SUB);
}
#endif

/* fp_op's general case: host FPU with its flags observed, or soft-float. */
static uint64_t fp_arith(int op, int fmt, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
#if FPU_HOST
    if (rm != RM_RMM && (op != OP_FMA || (!f_isnan(c, fmt) && host_has_fma()))) {
        uint32_t hfl = 0;
        uint64_t r = fmt == FMT_D ? host_arith_d(op, a, b, c, rm, *fl, &hfl)
                                  : host_arith_s(op, a, b, c, rm, *fl, &hfl);
        if (f_isnan(r, fmt))
            r = f_qnan(fmt);
#if !FPU_HOST_X86
        /* A host that detects tininess before rounding differs from RISC-V
         * only for results that round to the smallest normal. */
        if (f_mag(r, fmt) == 1ull << f_mbits(fmt))
            return soft_arith(op, fmt, a, b, c, rm, fl);
#endif
        *fl |= hfl;
        return r;
    }
#endif
    return soft_arith(op, fmt, a, b, c, rm, fl);
}

/* One arithmetic operation (FMA operands already negated as the opcode
 * asks), result canonical. *fl holds the flags accrued so far and gets this
 * operation's added. */
__attribute__((always_inline))
static inline uint64_t fp_op(int op, int fmt, uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *fl)
{
#if FPU_HOST
    uint64_t r;
    if (rm == RM_RNE && (*fl & FFLAG_NX) && (op != OP_FMA || host_has_fma()) &&
        host_fast(op, fmt, a, b, c, &r))
        return r;
#endif
    return fp_arith(op, fmt, a, b, c, rm, fl);
}

/* ---- conversions ---- */

static uint64_t cvt_f_to_i(int fmt, uint64_t v, int type, int rm, uint32_t *fl)
{
    static const uint64_t maxv[4] = { 0x7fffffffull, 0xffffffffffffffffull,
                                      0x7fffffffffffffffull, 0xffffffffffffffffull };
    static const uint64_t minv[4] = { 0xffffffff80000000ull, 0, 0x8000000000000000ull, 0 };
    struct fp u = unpack(v, fmt);
    uint64_t mag;
    bool inexact = false;

    if (u.cls == C_NAN)
        goto invalid_pos;
    if (u.cls == C_INF)
        goto invalid;
    if (u.cls == C_ZERO)
        return 0;
    if (u.exp >= 64)
        goto invalid;
    if (u.exp >= 62)
        mag = u.sig << (u.exp - 62);
    else
        mag = round_bits(u.sig, 62 - u.exp, u.sign, rm, &inexact);

    uint64_t r;
    switch (type) {
    case CVT_W:
        if (mag > (u.sign ? 0x80000000ull : 0x7fffffffull))
            goto invalid;
        r = u.sign ? 0 - mag : mag;
        break;
    case CVT_WU:
        if (u.sign ? mag != 0 : mag > 0xffffffffull)
            goto invalid;
        r = (uint64_t)(int64_t)(int32_t)(uint32_t)mag;
        break;
    case CVT_L:
        if (mag > (u.sign ? 0x8000000000000000ull : 0x7fffffffffffffffull))
            goto invalid;
        r = u.sign ? 0 - mag : mag;
        break;
    default:
        if (u.sign && mag != 0)
            goto invalid;
        r = mag;
        break;
    }
    if (inexact)
        *fl |= FFLAG_NX;
    return r;

invalid:
    if (u.sign) {
        *fl |= FFLAG_NV;
        return minv[type];
    }
invalid_pos:
    *fl |= FFLAG_NV;
    return maxv[type];
}

static uint64_t cvt_i_to_f(int fmt, uint64_t v, int type, int rm, uint32_t *fl)
{
    bool sign = false;
    uint64_t mag;
    switch (type) {
    case CVT_W:  sign = (int32_t)v < 0; mag = sign ? 0 - (uint64_t)(int64_t)(int32_t)v : (uint32_t)v; break;
    case CVT_WU: mag = (uint32_t)v; break;
    case CVT_L:  sign = (int64_t)v < 0; mag = sign ? 0 - v : v; break;
    default:     mag = v; break;
    }
    if (!mag)
        return 0;
    return round_pack(fmt, sign, 62, mag, rm, fl);
}

/* Between two formats (S, D, H). */
static uint64_t cvt_f_to_f(int to, int from, uint64_t v, int rm, uint32_t *fl)
{
    struct fp u = unpack(v, from);
    switch (u.cls) {
    case C_NAN:  return nan_result(to, u.snan, fl);
    case C_INF:  return (u.sign ? f_signbit(to) : 0) | f_inf(to);
    case C_ZERO: return signed_zero(to, u.sign);
    default:     return round_pack(to, u.sign, u.exp, u.sig, rm, fl);
    }
}

/* ---- compares, min/max, classify ---- */

static inline bool f_eq(int fmt, uint64_t a, uint64_t b)
{
    return a == b || (f_mag(a, fmt) | f_mag(b, fmt)) == 0;
}

/* a < b for non-NaN values, with -0 == +0 */
static inline bool f_lt(int fmt, uint64_t a, uint64_t b)
{
    bool sa = (a & f_signbit(fmt)) != 0, sb = (b & f_signbit(fmt)) != 0;
    uint64_t ma = f_mag(a, fmt), mb = f_mag(b, fmt);
    if (sa != sb)
        return sa && (ma | mb) != 0;
    return sa ? ma > mb : ma < mb;
}

static uint64_t f_minmax(int fmt, uint64_t a, uint64_t b, bool max, uint32_t *fl)
{
    bool na = f_isnan(a, fmt), nb = f_isnan(b, fmt);
    if (na || nb) {
        if (f_issnan(a, fmt) || f_issnan(b, fmt))
            *fl |= FFLAG_NV;
        if (na && nb)
            return f_qnan(fmt);
        return na ? b : a;
    }
    /* here -0 < +0 */
    bool a_lt_b = f_lt(fmt, a, b) || (f_mag(a, fmt) == 0 && f_mag(b, fmt) == 0 &&
                                      (a & f_signbit(fmt)) && !(b & f_signbit(fmt)));
    return a_lt_b != max ? a : b;
}

static uint64_t f_class(int fmt, uint64_t v)
{
    struct fp u = unpack(v, fmt);
    const int mb = f_mbits(fmt);
    bool sub = u.cls == C_FIN && !(v & ((uint64_t)f_emax_biased(fmt) << mb));
    switch (u.cls) {
    case C_NAN:  return u.snan ? 1u << 8 : 1u << 9;
    case C_INF:  return u.sign ? 1u << 0 : 1u << 7;
    case C_ZERO: return u.sign ? 1u << 3 : 1u << 4;
    default:
        if (sub)
            return u.sign ? 1u << 2 : 1u << 5;
        return u.sign ? 1u << 1 : 1u << 6;
    }
}

/* ---- Zfa ---- */

/* FLI.fmt: the 32 constants of the Zfa table (entry 1 is the format's
 * smallest normal, 31 the canonical NaN; 2^-16 and 2^-15 are subnormal
 * halves and 2^16 overflows to +inf in FLI.H). */
static const uint32_t fli_s[32] = {
    0xbf800000, 0x00800000, 0x37800000, 0x38000000, 0x3b800000, 0x3c000000, 0x3d800000,
    0x3e000000, 0x3e800000, 0x3ea00000, 0x3ec00000, 0x3ee00000, 0x3f000000, 0x3f200000,
    0x3f400000, 0x3f600000, 0x3f800000, 0x3fa00000, 0x3fc00000, 0x3fe00000, 0x40000000,
    0x40200000, 0x40400000, 0x40800000, 0x41000000, 0x41800000, 0x43000000, 0x43800000,
    0x47000000, 0x47800000, 0x7f800000, 0x7fc00000,
};
static const uint64_t fli_d[32] = {
    0xbff0000000000000, 0x0010000000000000, 0x3ef0000000000000, 0x3f00000000000000,
    0x3f70000000000000, 0x3f80000000000000, 0x3fb0000000000000, 0x3fc0000000000000,
    0x3fd0000000000000, 0x3fd4000000000000, 0x3fd8000000000000, 0x3fdc000000000000,
    0x3fe0000000000000, 0x3fe4000000000000, 0x3fe8000000000000, 0x3fec000000000000,
    0x3ff0000000000000, 0x3ff4000000000000, 0x3ff8000000000000, 0x3ffc000000000000,
    0x4000000000000000, 0x4004000000000000, 0x4008000000000000, 0x4010000000000000,
    0x4020000000000000, 0x4030000000000000, 0x4060000000000000, 0x4070000000000000,
    0x40e0000000000000, 0x40f0000000000000, 0x7ff0000000000000, 0x7ff8000000000000,
};
static const uint16_t fli_h[32] = {
    0xbc00, 0x0400, 0x0100, 0x0200, 0x1c00, 0x2000, 0x2c00, 0x3000, 0x3400, 0x3500, 0x3600,
    0x3700, 0x3800, 0x3900, 0x3a00, 0x3b00, 0x3c00, 0x3d00, 0x3e00, 0x3f00, 0x4000, 0x4100,
    0x4200, 0x4400, 0x4800, 0x4c00, 0x5800, 0x5c00, 0x7800, 0x7c00, 0x7c00, 0x7e00,
};

/* FROUND (nx false) / FROUNDNX (nx true): round to an integral value in
 * the same format. Zeros and infinities unchanged, NaN canonical (NV for
 * a signaling one), NX only for FROUNDNX when the value changed. */
static uint64_t f_round_int(int fmt, uint64_t v, int rm, bool nx, uint32_t *fl)
{
    struct fp u = unpack(v, fmt);
    if (u.cls == C_NAN)
        return nan_result(fmt, u.snan, fl);
    if (u.cls != C_FIN || u.exp >= f_mbits(fmt))
        return v;
    bool inexact;
    uint64_t k = round_bits(u.sig, 62 - u.exp, u.sign, rm, &inexact);
    if (inexact && nx)
        *fl |= FFLAG_NX;
    if (!k)
        return signed_zero(fmt, u.sign);
    uint32_t exact = 0; /* k has at most mbits+1 bits: no rounding */
    return round_pack(fmt, u.sign, 62, k, rm, &exact);
}

/* FCVTMOD.W.D: truncate, keep bits 31:0 of the unbounded integer (sign-
 * extended); infinities and NaN give 0. Flags as FCVT.W.D RTZ. */
static uint64_t cvt_mod_w_d(uint64_t v, uint32_t *fl)
{
    struct fp u = unpack(v, FMT_D);
    (void)cvt_f_to_i(FMT_D, v, CVT_W, RM_RTZ, fl);
    if (u.cls != C_FIN || u.exp < 0)
        return 0;
    uint64_t mag;
    if (u.exp <= 62)
        mag = u.sig >> (62 - u.exp);
    else
        mag = u.exp - 62 >= 64 ? 0 : u.sig << (u.exp - 62);
    if (u.sign)
        mag = 0 - mag;
    return (uint64_t)(int64_t)(int32_t)(uint32_t)mag;
}

/* ---- decode ---- */

static inline int resolve_rm(uint32_t rm, uint32_t frm)
{
    if (rm == RM_DYN)
        rm = frm;
    return rm <= RM_RMM ? (int)rm : -1;
}

int rv_fpu_class(uint32_t insn)
{
    const uint32_t opc = insn & 0x7f;
    const unsigned rs2 = (insn >> 20) & 31;
    const uint32_t funct3 = (insn >> 12) & 7;
    const uint32_t f5 = insn >> 27;
    const bool h = ((insn >> 25) & 3) == FMT_H;

    if (opc != 0x53)
        return h ? RV_FPU_ZFH : RV_FPU_BASE;
    switch (f5) {
    case 0x05: /* FMINM, FMAXM */
        if (funct3 >= 2)
            return h ? RV_FPU_ZFA_H : RV_FPU_ZFA;
        break;
    case 0x08: /* FROUND, FROUNDNX; conversions from or to H */
        if (rs2 == 4 || rs2 == 5)
            return h ? RV_FPU_ZFA_H : RV_FPU_ZFA;
        if (h || rs2 == FMT_H)
            return RV_FPU_ZFHMIN;
        break;
    case 0x14: /* FLEQ, FLTQ */
        if (funct3 >= 4)
            return h ? RV_FPU_ZFA_H : RV_FPU_ZFA;
        break;
    case 0x18: /* FCVTMOD.W.D */
        if (rs2 == 8)
            return RV_FPU_ZFA;
        break;
    case 0x1c: /* FMV.X.H is Zfhmin, FCLASS.H Zfh */
        if (h && funct3 == 0)
            return RV_FPU_ZFHMIN;
        break;
    case 0x1e: /* FLI; FMV.H.X */
        if (rs2 == 1)
            return h ? RV_FPU_ZFA_H : RV_FPU_ZFA;
        if (h)
            return RV_FPU_ZFHMIN;
        break;
    }
    return h ? RV_FPU_ZFH : RV_FPU_BASE;
}

/* One body, two instances: rv_fpu_exec (ext false: F and D only, the hot
 * one, where every H and Zfa case folds away) and rv_fpu_exec_ext (ext
 * true: also H and Zfa). */
__attribute__((always_inline))
static inline int fpu_exec(uint64_t *x, uint64_t *f, uint32_t *fflags, uint32_t frm,
                           uint32_t insn, const bool ext)
{
    const uint32_t opc = insn & 0x7f;
    const unsigned rd = (insn >> 7) & 31;
    const uint32_t funct3 = (insn >> 12) & 7;
    const unsigned rs1 = (insn >> 15) & 31;
    const unsigned rs2 = (insn >> 20) & 31;
    const uint32_t funct7 = insn >> 25;
    const int fmt = (int)(funct7 & 3);
    uint32_t fl = *fflags; /* accrued so far; written back on success */
    int rm;

    if (fmt > FMT_D && !(ext && fmt == FMT_H))
        return -1;
    /* H arithmetic is soft-float only (no host has it the RISC-V way) */
#define ARITH(op, a, b, c) \
    (ext && fmt == FMT_H ? soft_arith(op, fmt, a, b, c, rm, &fl) : fp_op(op, fmt, a, b, c, rm, &fl))

    if (opc == 0x43 || opc == 0x47 || opc == 0x4b || opc == 0x4f) {
        /* FMADD rs1*rs2+rs3, FMSUB rs1*rs2-rs3, FNMSUB -rs1*rs2+rs3,
         * FNMADD -rs1*rs2-rs3 */
        if ((rm = resolve_rm(funct3, frm)) < 0)
            return -1;
        uint64_t a = freg_read(f, rs1, fmt), b = freg_read(f, rs2, fmt);
        uint64_t c = freg_read(f, insn >> 27, fmt);
        if (opc == 0x4b || opc == 0x4f)
            a ^= f_signbit(fmt);
        if (opc == 0x47 || opc == 0x4f)
            c ^= f_signbit(fmt);
        freg_write(f, rd, fmt, ARITH(OP_FMA, a, b, c));
        *fflags = fl;
        return 0;
    }
    if (opc != 0x53)
        return -1;

    switch (funct7 >> 2) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x0b: {
        static const int ops[12] = { OP_ADD, OP_SUB, OP_MUL, OP_DIV, [0x0b] = OP_SQRT };
        int op = ops[funct7 >> 2];
        if (op == OP_SQRT && rs2 != 0)
            return -1;
        if ((rm = resolve_rm(funct3, frm)) < 0)
            return -1;
        uint64_t r = ARITH(op, freg_read(f, rs1, fmt), freg_read(f, rs2, fmt), 0);
        freg_write(f, rd, fmt, r);
        break;
    }
    case 0x04: { /* FSGNJ, FSGNJN, FSGNJX */
        if (funct3 > 2)
            return -1;
        uint64_t a = freg_read(f, rs1, fmt), b = freg_read(f, rs2, fmt), sb = f_signbit(fmt);
        uint64_t s = funct3 == 0 ? b : funct3 == 1 ? ~b : a ^ b;
        freg_write(f, rd, fmt, (a & ~sb) | (s & sb));
        break;
    }
    case 0x05: { /* FMIN, FMAX; Zfa FMINM, FMAXM (any NaN gives the NaN) */
        if (funct3 > (ext ? 3u : 1u))
            return -1;
        uint64_t a = freg_read(f, rs1, fmt), b = freg_read(f, rs2, fmt);
        if (ext && funct3 >= 2 && (f_isnan(a, fmt) || f_isnan(b, fmt))) {
            freg_write(f, rd, fmt, nan_result(fmt, f_issnan(a, fmt) || f_issnan(b, fmt), &fl));
            break;
        }
        freg_write(f, rd, fmt, f_minmax(fmt, a, b, funct3 & 1, &fl));
        break;
    }
    case 0x08: { /* FCVT.fmt.fmt2 (rs2 = the source format); Zfa FROUND(NX) */
        if ((rm = resolve_rm(funct3, frm)) < 0)
            return -1;
        if (ext && (rs2 == 4 || rs2 == 5)) {
            freg_write(f, rd, fmt, f_round_int(fmt, freg_read(f, rs1, fmt), rm, rs2 == 5, &fl));
            break;
        }
        int from = (int)rs2;
        if (ext ? (from > FMT_H || from == fmt) : from != (fmt == FMT_S ? FMT_D : FMT_S))
            return -1;
        freg_write(f, rd, fmt, cvt_f_to_f(fmt, from, freg_read(f, rs1, from), rm, &fl));
        break;
    }
    case 0x14: { /* FLE, FLT, FEQ; Zfa FLEQ, FLTQ (quiet) */
        if (funct3 > 2 && !(ext && (funct3 == 4 || funct3 == 5)))
            return -1;
        uint64_t a = freg_read(f, rs1, fmt), b = freg_read(f, rs2, fmt), r;
        if (f_isnan(a, fmt) || f_isnan(b, fmt)) {
            /* FEQ, FLEQ, FLTQ are quiet; FLT and FLE signal on any NaN */
            if (funct3 < 2 || f_issnan(a, fmt) || f_issnan(b, fmt))
                fl |= FFLAG_NV;
            r = 0;
        } else if (funct3 == 2) {
            r = f_eq(fmt, a, b);
        } else if (funct3 & 1) {
            r = f_lt(fmt, a, b);
        } else {
            r = f_lt(fmt, a, b) || f_eq(fmt, a, b);
        }
        xreg_write(x, rd, r);
        break;
    }
    case 0x18: /* FCVT.W/WU/L/LU.fmt; Zfa FCVTMOD.W.D (rm RTZ only) */
        if (ext && rs2 == 8) {
            if (fmt != FMT_D || funct3 != RM_RTZ)
                return -1;
            xreg_write(x, rd, cvt_mod_w_d(freg_read(f, rs1, fmt), &fl));
            break;
        }
        if (rs2 > CVT_LU)
            return -1;
        if ((rm = resolve_rm(funct3, frm)) < 0)
            return -1;
        xreg_write(x, rd, cvt_f_to_i(fmt, freg_read(f, rs1, fmt), (int)rs2, rm, &fl));
        break;
    case 0x1a: /* FCVT.fmt.W/WU/L/LU */
        if (rs2 > CVT_LU)
            return -1;
        if ((rm = resolve_rm(funct3, frm)) < 0)
            return -1;
        freg_write(f, rd, fmt, cvt_i_to_f(fmt, x[rs1], (int)rs2, rm, &fl));
        break;
    case 0x1c: /* FMV.X.W / FMV.X.D / FMV.X.H, FCLASS */
        if (rs2 != 0 || funct3 > 1)
            return -1;
        if (funct3 == 0)
            xreg_write(x, rd, fmt == FMT_D   ? f[rs1]
                              : fmt == FMT_S ? (uint64_t)(int64_t)(int32_t)f[rs1]
                                             : (uint64_t)(int64_t)(int16_t)f[rs1]);
        else
            xreg_write(x, rd, f_class(fmt, freg_read(f, rs1, fmt)));
        break;
    case 0x1e: /* FMV.W.X / FMV.D.X / FMV.H.X; Zfa FLI */
        if (funct3 != 0)
            return -1;
        if (ext && rs2 == 1) {
            f[rd] = fmt == FMT_D ? fli_d[rs1] : fmt == FMT_S ? (NAN_BOX | fli_s[rs1])
                                                             : (NAN_BOX_H | fli_h[rs1]);
            break;
        }
        if (rs2 != 0)
            return -1;
        freg_write(f, rd, fmt, x[rs1]);
        break;
    default:
        return -1;
    }
#undef ARITH
    *fflags = fl;
    return 0;
}

int rv_fpu_exec(uint64_t *x, uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn)
{
    return fpu_exec(x, f, fflags, frm, insn, false);
}

int rv_fpu_exec_ext(uint64_t *x, uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn)
{
    return fpu_exec(x, f, fflags, frm, insn, true);
}

/* The decoder's own ops (fpu.h): rv_fpu_exec's cases for one format. */
__attribute__((always_inline))
static inline int fpu_arith(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn, const int fmt)
{
    static const int ops[4] = { OP_ADD, OP_SUB, OP_MUL, OP_DIV };
    int rm = resolve_rm((insn >> 12) & 7, frm);
    if (rm < 0)
        return -1;
    uint32_t fl = *fflags;
    uint64_t r = fp_op(ops[(insn >> 27) & 3], fmt, freg_read(f, (insn >> 15) & 31, fmt),
                       freg_read(f, (insn >> 20) & 31, fmt), 0, rm, &fl);
    freg_write(f, (insn >> 7) & 31, fmt, r);
    *fflags = fl;
    return 0;
}

__attribute__((always_inline))
static inline int fpu_fma(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn, const int fmt)
{
    int rm = resolve_rm((insn >> 12) & 7, frm);
    if (rm < 0)
        return -1;
    uint32_t opc = insn & 0x7f, fl = *fflags;
    uint64_t a = freg_read(f, (insn >> 15) & 31, fmt), b = freg_read(f, (insn >> 20) & 31, fmt);
    uint64_t c = freg_read(f, insn >> 27, fmt);
    if (opc == 0x4b || opc == 0x4f)
        a ^= f_signbit(fmt);
    if (opc == 0x47 || opc == 0x4f)
        c ^= f_signbit(fmt);
    uint64_t r = fp_op(OP_FMA, fmt, a, b, c, rm, &fl);
    freg_write(f, (insn >> 7) & 31, fmt, r);
    *fflags = fl;
    return 0;
}

int rv_fpu_arith_d(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn)
{
    return fpu_arith(f, fflags, frm, insn, FMT_D);
}

int rv_fpu_arith_s(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn)
{
    return fpu_arith(f, fflags, frm, insn, FMT_S);
}

int rv_fpu_fma_d(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn)
{
    return fpu_fma(f, fflags, frm, insn, FMT_D);
}

int rv_fpu_fma_s(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn)
{
    return fpu_fma(f, fflags, frm, insn, FMT_S);
}
