/* cpu/riscv/bitmanip.h: the register-to-register operations of the bit
 * manipulation (Zba, Zbb, Zbc, Zbs), scalar-crypto bit manipulation (Zbkb,
 * Zbkc, Zbkx) and conditional-zero (Zicond) extensions (cpu/riscv internal).
 *
 * The decoder turns each such instruction into one op, RV_OP_ZB (second
 * operand x[rs2]) or RV_OP_ZBI (second operand the shift amount or bit
 * index of the immediate form), with op->imm = RV_ZB_* | shamt << 8; the
 * interpreter calls rv_zb(). None of these is frequent in code compiled for
 * RV64GC, so one call and a switch is enough; the base ISA keeps its own
 * ops. Immediate forms share the register form's function (rori = ror with
 * the shift amount as operand, bseti = bset, ...).
 */
#ifndef RIVET_RV_BITMANIP_H
#define RIVET_RV_BITMANIP_H

#include <stdint.h>

enum rv_zb {
    /* Zba */
    RV_ZB_SH1ADD, RV_ZB_SH2ADD, RV_ZB_SH3ADD,
    RV_ZB_ADD_UW, RV_ZB_SH1ADD_UW, RV_ZB_SH2ADD_UW, RV_ZB_SH3ADD_UW, RV_ZB_SLLI_UW,
    /* Zbb (andn, orn, xnor, rol, ror, rolw, rorw, rev8 are in Zbkb too) */
    RV_ZB_ANDN, RV_ZB_ORN, RV_ZB_XNOR,
    RV_ZB_CLZ, RV_ZB_CTZ, RV_ZB_CPOP, RV_ZB_CLZW, RV_ZB_CTZW, RV_ZB_CPOPW,
    RV_ZB_MAX, RV_ZB_MAXU, RV_ZB_MIN, RV_ZB_MINU,
    RV_ZB_SEXT_B, RV_ZB_SEXT_H, RV_ZB_ZEXT_H,
    RV_ZB_ROL, RV_ZB_ROR, RV_ZB_ROLW, RV_ZB_RORW,
    RV_ZB_ORC_B, RV_ZB_REV8,
    /* Zbc (clmul, clmulh are in Zbkc too) */
    RV_ZB_CLMUL, RV_ZB_CLMULH, RV_ZB_CLMULR,
    /* Zbs */
    RV_ZB_BCLR, RV_ZB_BEXT, RV_ZB_BINV, RV_ZB_BSET,
    /* Zbkb */
    RV_ZB_BREV8, RV_ZB_PACK, RV_ZB_PACKH, RV_ZB_PACKW,
    /* Zbkx */
    RV_ZB_XPERM4, RV_ZB_XPERM8,
    /* Zicond */
    RV_ZB_CZERO_EQZ, RV_ZB_CZERO_NEZ,
};

/* The result of operation `kind` (enum rv_zb) on a = x[rs1] and b = x[rs2]
 * or the immediate. */
uint64_t rv_zb(unsigned kind, uint64_t a, uint64_t b);

#endif
