/* cpu/riscv/bitmanip.c: Zba, Zbb, Zbc, Zbs, Zbkb, Zbkc, Zbkx and Zicond
 * (bitmanip.h). Written from the RISC-V bit-manipulation specification
 * 1.0.0, the scalar cryptography specification 1.0.1 (Zbkb, Zbkc, Zbkx)
 * and the Zicond specification 1.0. Every operation here is a fixed
 * sequence of host operations whose timing does not depend on the operand
 * values (Zkt: cpu/README.md): loops run a fixed count, selections are
 * masks; clz/ctz/cpop (not in Zkt's list) use the compiler's builtins. */
#include "cpu/riscv/bitmanip.h"

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

/* Carry-less product of a and b: low 64 bits in *lo, high 64 bits in *hi.
 * A loop over all 64 bits with masks, no branch on the data. */
static void clmul128(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t l = 0, h = 0;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t m = 0 - ((b >> i) & 1);
        l ^= (a << i) & m;
        h ^= (i ? a >> (64 - i) : 0) & m;
    }
    *lo = l;
    *hi = h;
}

static uint64_t rol64(uint64_t a, unsigned s) { s &= 63; return s ? a << s | a >> (64 - s) : a; }
static uint64_t ror64(uint64_t a, unsigned s) { s &= 63; return s ? a >> s | a << (64 - s) : a; }
static uint32_t rol32(uint32_t a, unsigned s) { s &= 31; return s ? a << s | a >> (32 - s) : a; }
static uint32_t ror32(uint32_t a, unsigned s) { s &= 31; return s ? a >> s | a << (32 - s) : a; }

/* xperm: each lane of b (4 or 8 bits) selects a lane of a; an index past
 * the last lane gives 0 (a mask, not a branch). */
static uint64_t xperm(uint64_t a, uint64_t b, unsigned lane)
{
    uint64_t r = 0, mask = (1ull << lane) - 1;
    uint64_t lanes = 64 / lane;
    for (unsigned i = 0; i < 64; i += lane) {
        uint64_t idx = (b >> i) & mask;
        uint64_t valid = 0 - (uint64_t)(idx < lanes);
        r |= ((a >> ((idx & (lanes - 1)) * lane)) & mask & valid) << i;
    }
    return r;
}

uint64_t rv_zb(unsigned kind, uint64_t a, uint64_t b)
{
    uint64_t lo, hi;
    switch ((enum rv_zb)kind) {
    case RV_ZB_SH1ADD: return (a << 1) + b;
    case RV_ZB_SH2ADD: return (a << 2) + b;
    case RV_ZB_SH3ADD: return (a << 3) + b;
    case RV_ZB_ADD_UW: return (uint32_t)a + b;
    case RV_ZB_SH1ADD_UW: return ((uint64_t)(uint32_t)a << 1) + b;
    case RV_ZB_SH2ADD_UW: return ((uint64_t)(uint32_t)a << 2) + b;
    case RV_ZB_SH3ADD_UW: return ((uint64_t)(uint32_t)a << 3) + b;
    case RV_ZB_SLLI_UW: return (uint64_t)(uint32_t)a << (b & 63);
    case RV_ZB_ANDN: return a & ~b;
    case RV_ZB_ORN: return a | ~b;
    case RV_ZB_XNOR: return ~(a ^ b);
    case RV_ZB_CLZ: return a ? (uint64_t)__builtin_clzll(a) : 64;
    case RV_ZB_CTZ: return a ? (uint64_t)__builtin_ctzll(a) : 64;
    case RV_ZB_CPOP: return (uint64_t)__builtin_popcountll(a);
    case RV_ZB_CLZW: return (uint32_t)a ? (uint64_t)__builtin_clz((uint32_t)a) : 32;
    case RV_ZB_CTZW: return (uint32_t)a ? (uint64_t)__builtin_ctz((uint32_t)a) : 32;
    case RV_ZB_CPOPW: return (uint64_t)__builtin_popcount((uint32_t)a);
    case RV_ZB_MAX: return (int64_t)a < (int64_t)b ? b : a;
    case RV_ZB_MAXU: return a < b ? b : a;
    case RV_ZB_MIN: return (int64_t)a < (int64_t)b ? a : b;
    case RV_ZB_MINU: return a < b ? a : b;
    case RV_ZB_SEXT_B: return (uint64_t)(int64_t)(int8_t)(uint8_t)a;
    case RV_ZB_SEXT_H: return (uint64_t)(int64_t)(int16_t)(uint16_t)a;
    case RV_ZB_ZEXT_H: return (uint16_t)a;
    case RV_ZB_ROL: return rol64(a, (unsigned)b);
    case RV_ZB_ROR: return ror64(a, (unsigned)b);
    case RV_ZB_ROLW: return sext32(rol32((uint32_t)a, (unsigned)b));
    case RV_ZB_RORW: return sext32(ror32((uint32_t)a, (unsigned)b));
    case RV_ZB_ORC_B: {
        uint64_t r = 0;
        for (unsigned i = 0; i < 64; i += 8)
            r |= (0 - (uint64_t)(((a >> i) & 0xff) != 0)) & 0xffull << i;
        return r;
    }
    case RV_ZB_REV8: return __builtin_bswap64(a);
    case RV_ZB_CLMUL: clmul128(a, b, &lo, &hi); return lo;
    case RV_ZB_CLMULH: clmul128(a, b, &lo, &hi); return hi;
    case RV_ZB_CLMULR: clmul128(a, b, &lo, &hi); return hi << 1 | lo >> 63;
    case RV_ZB_BCLR: return a & ~(1ull << (b & 63));
    case RV_ZB_BEXT: return (a >> (b & 63)) & 1;
    case RV_ZB_BINV: return a ^ (1ull << (b & 63));
    case RV_ZB_BSET: return a | (1ull << (b & 63));
    case RV_ZB_BREV8: {
        uint64_t r = 0;
        for (unsigned i = 0; i < 64; i++)
            r |= ((a >> i) & 1) << ((i & ~7u) | (7 - (i & 7)));
        return r;
    }
    case RV_ZB_PACK: return (a & 0xffffffffull) | b << 32;
    case RV_ZB_PACKH: return (a & 0xff) | (b & 0xff) << 8;
    case RV_ZB_PACKW: return sext32((a & 0xffff) | (b & 0xffff) << 16);
    case RV_ZB_XPERM4: return xperm(a, b, 4);
    case RV_ZB_XPERM8: return xperm(a, b, 8);
    case RV_ZB_CZERO_EQZ: return b ? a : 0;
    case RV_ZB_CZERO_NEZ: return b ? 0 : a;
    }
    return 0;
}
