/* cpu/riscv/fields.h: instruction fields and immediates of the base
 * encodings (RISC-V unprivileged spec, "Immediate Encoding Variants"),
 * shared by the decoder and the disassembler so that each immediate
 * layout is written once. */
#ifndef RIVET_CPU_RISCV_FIELDS_H
#define RIVET_CPU_RISCV_FIELDS_H

#include <stdint.h>

/* Bits hi..lo of v, shifted down. */
static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* The low width bits of v, sign-extended. */
static inline int64_t sext(uint64_t v, unsigned width)
{
    return (int64_t)(v << (64 - width)) >> (64 - width);
}

static inline int64_t imm_i_of(uint32_t i) { return sext(bits(i, 31, 20), 12); }
static inline int64_t imm_s_of(uint32_t i) { return sext(bits(i, 31, 25) << 5 | bits(i, 11, 7), 12); }
static inline int64_t imm_b_of(uint32_t i)
{
    return sext(bits(i, 31, 31) << 12 | bits(i, 7, 7) << 11 | bits(i, 30, 25) << 5 | bits(i, 11, 8) << 1, 13);
}
static inline int64_t imm_u_of(uint32_t i) { return sext(i & 0xfffff000u, 32); }
static inline int64_t imm_j_of(uint32_t i)
{
    return sext(bits(i, 31, 31) << 20 | bits(i, 19, 12) << 12 | bits(i, 20, 20) << 11 | bits(i, 30, 21) << 1, 21);
}

#endif
