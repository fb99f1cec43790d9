/* cpu/riscv/decode.c: RV64GC instruction decoding into rv_op. */
#include <stdbool.h>

#include "cpu/riscv/decode.h"
#include "cpu/riscv/ext.h"
#include "cpu/riscv/fields.h"
#include "cpu/riscv/fpu.h"

/* 32-bit encoders used by the RVC expander. */
static uint32_t enc_i(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t enc_r(uint32_t opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1, unsigned rs2)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | opc;
}
static uint32_t enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return bits(u, 11, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | bits(u, 4, 0) << 7 | opc;
}
static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return bits(u, 12, 12) << 31 | bits(u, 10, 5) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           bits(u, 4, 1) << 8 | bits(u, 11, 11) << 7 | 0x63;
}
static uint32_t enc_j(unsigned rd, int32_t imm)
{
    uint32_t u = (uint32_t)imm;
    return bits(u, 20, 20) << 31 | bits(u, 10, 1) << 21 | bits(u, 11, 11) << 20 |
           bits(u, 19, 12) << 12 | rd << 7 | 0x6f;
}

uint32_t rv_expand_compressed(uint16_t c16)
{
    uint32_t c = c16;
    unsigned q = c & 3, f3 = bits(c, 15, 13);
    unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    unsigned rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7);
    int32_t imm6 = (int32_t)sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
    switch (q << 3 | f3) {
    /* Quadrant 0 */
    case 000: { /* C.ADDI4SPN */
        uint32_t nz = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 3;
        return nz ? enc_i(0x13, 0, rdp, 2, (int32_t)nz) : 0;
    }
    case 001: /* C.FLD */
        return enc_i(0x07, 3, rdp, rs1p, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    case 002: /* C.LW */
        return enc_i(0x03, 2, rdp, rs1p, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6));
    case 003: /* C.LD */
        return enc_i(0x03, 3, rdp, rs1p, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    case 005: /* C.FSD */
        return enc_s(0x27, 3, rs1p, rdp, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    case 006: /* C.SW */
        return enc_s(0x23, 2, rs1p, rdp, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6));
    case 007: /* C.SD */
        return enc_s(0x23, 3, rs1p, rdp, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6));
    /* Quadrant 1 */
    case 010: /* C.ADDI / C.NOP */
        return enc_i(0x13, 0, rd, rd, imm6);
    case 011: /* C.ADDIW */
        return rd ? enc_i(0x1b, 0, rd, rd, imm6) : 0;
    case 012: /* C.LI */
        return enc_i(0x13, 0, rd, 0, imm6);
    case 013:
        if (rd == 2) { /* C.ADDI16SP */
            int32_t nz = (int32_t)sext(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
                                       bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5, 10);
            return nz ? enc_i(0x13, 0, 2, 2, nz) : 0;
        } else { /* C.LUI */
            if (!imm6)
                return 0;
            return ((uint32_t)imm6 << 12) | rd << 7 | 0x37;
        }
    case 014: {
        unsigned f2 = bits(c, 11, 10);
        unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);
        switch (f2) {
        case 0: return enc_i(0x13, 5, rs1p, rs1p, (int32_t)shamt);             /* C.SRLI */
        case 1: return enc_i(0x13, 5, rs1p, rs1p, (int32_t)(shamt | 0x400));  /* C.SRAI */
        case 2: return enc_i(0x13, 7, rs1p, rs1p, imm6);                       /* C.ANDI */
        default: {
            unsigned rs2p = rdp;
            unsigned sel = bits(c, 12, 12) << 2 | bits(c, 6, 5);
            switch (sel) {
            case 0: return enc_r(0x33, 0, 0x20, rs1p, rs1p, rs2p); /* C.SUB */
            case 1: return enc_r(0x33, 4, 0, rs1p, rs1p, rs2p);    /* C.XOR */
            case 2: return enc_r(0x33, 6, 0, rs1p, rs1p, rs2p);    /* C.OR */
            case 3: return enc_r(0x33, 7, 0, rs1p, rs1p, rs2p);    /* C.AND */
            case 4: return enc_r(0x3b, 0, 0x20, rs1p, rs1p, rs2p); /* C.SUBW */
            case 5: return enc_r(0x3b, 0, 0, rs1p, rs1p, rs2p);    /* C.ADDW */
            default: return 0;
            }
        }
        }
    }
    case 015: { /* C.J */
        int32_t off = (int32_t)sext(bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
                                    bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                                    bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5, 12);
        return enc_j(0, off);
    }
    case 016: case 017: { /* C.BEQZ / C.BNEZ */
        int32_t off = (int32_t)sext(bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                                    bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5, 9);
        return enc_b(f3 == 6 ? 0 : 1, rs1p, 0, off);
    }
    /* Quadrant 2 */
    case 020: /* C.SLLI */
        return enc_i(0x13, 1, rd, rd, (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 2)));
    case 021: /* C.FLDSP */
        return enc_i(0x07, 3, rd, 2, (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6));
    case 022: /* C.LWSP */
        return rd ? enc_i(0x03, 2, rd, 2, (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6)) : 0;
    case 023: /* C.LDSP */
        return rd ? enc_i(0x03, 3, rd, 2, (int32_t)(bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6)) : 0;
    case 024:
        if (!bits(c, 12, 12)) {
            if (!rs2)
                return rd ? enc_i(0x67, 0, 0, rd, 0) : 0;   /* C.JR */
            return enc_r(0x33, 0, 0, rd, 0, rs2);           /* C.MV */
        }
        if (!rs2)
            return rd ? enc_i(0x67, 0, 1, rd, 0) : 0x00100073; /* C.JALR / C.EBREAK */
        return enc_r(0x33, 0, 0, rd, rd, rs2);              /* C.ADD */
    case 025: /* C.FSDSP */
        return enc_s(0x27, 3, 2, rs2, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6));
    case 026: /* C.SWSP */
        return enc_s(0x23, 2, 2, rs2, (int32_t)(bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6));
    case 027: /* C.SDSP */
        return enc_s(0x23, 3, 2, rs2, (int32_t)(bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6));
    }
    return 0;
}

enum rv_op_kind rv_fuse(enum rv_op_kind a, enum rv_op_kind b)
{
#define RV_FUSE_CASE(A, B) if (a == RV_OP_##A && b == RV_OP_##B) return RV_OP_##A##__##B;
    RV_FUSED_OPS(RV_FUSE_CASE)
#undef RV_FUSE_CASE
    return RV_OP_COUNT;
}

int rv_op_ends_block(enum rv_op_kind k)
{
    switch (k) {
    case RV_OP_ILLEGAL: case RV_OP_EXIT: case RV_OP_JAL: case RV_OP_JALR:
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
    case RV_OP_FENCE_I: case RV_OP_ECALL: case RV_OP_EBREAK: case RV_OP_MRET: case RV_OP_SRET:
    case RV_OP_WFI: case RV_OP_SFENCE_VMA:
        return 1;
    default:
        return 0;
    }
}

/* OP-FP and the FMA opcodes: F/D run in rv_fpu_exec, half precision and
 * Zfa in rv_fpu_exec_ext when the hart offers their extension. */
static enum rv_op_kind rv_decode_fp(uint32_t i, uint64_t ext)
{
    bool zfh = RV_EXT_HAS(ext, ZFH), zfa = RV_EXT_HAS(ext, ZFA);
    switch (rv_fpu_class(i)) {
    case RV_FPU_BASE:   return RV_OP_FP;
    case RV_FPU_ZFHMIN: return zfh || RV_EXT_HAS(ext, ZFHMIN) ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    case RV_FPU_ZFH:    return zfh ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    case RV_FPU_ZFA:    return zfa ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    default:            return zfa && zfh ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    }
}

enum rv_op_kind rv_decode(uint32_t raw, uint64_t pc, uint64_t ext, struct rv_op *op)
{
    uint32_t i = raw;
    (void)ext; /* no switchable extension decodes yet */
    op->pc = pc;
    op->imm = 0;
    op->len = 4;
    if ((raw & 3) != 3) {
        op->len = 2;
        i = rv_expand_compressed((uint16_t)raw);
        if (!i) {
            op->insn = raw & 0xffff;
            op->rd = op->rs1 = op->rs2 = 0;
            return RV_OP_ILLEGAL;
        }
    }
    op->insn = i;
    unsigned opc = bits(i, 6, 0), rd = bits(i, 11, 7), f3 = bits(i, 14, 12);
    unsigned rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20), f7 = bits(i, 31, 25);
    op->rd = rd ? (uint8_t)rd : 32;
    op->rs1 = (uint8_t)rs1;
    op->rs2 = (uint8_t)rs2;
    int64_t imm_i = imm_i_of(i), imm_s = imm_s_of(i), imm_b = imm_b_of(i);
    int64_t imm_u = imm_u_of(i), imm_j = imm_j_of(i);

    switch (opc) {
    case 0x37: op->imm = imm_u; return RV_OP_LUI;
    case 0x17: op->imm = imm_u; return RV_OP_AUIPC;
    case 0x6f: op->imm = imm_j; return RV_OP_JAL;
    case 0x67: op->imm = imm_i; return f3 == 0 ? RV_OP_JALR : RV_OP_ILLEGAL;
    case 0x63:
        op->imm = imm_b;
        switch (f3) {
        case 0: return RV_OP_BEQ;
        case 1: return RV_OP_BNE;
        case 4: return RV_OP_BLT;
        case 5: return RV_OP_BGE;
        case 6: return RV_OP_BLTU;
        case 7: return RV_OP_BGEU;
        }
        break;
    case 0x03:
        op->imm = imm_i;
        switch (f3) {
        case 0: return RV_OP_LB;
        case 1: return RV_OP_LH;
        case 2: return RV_OP_LW;
        case 3: return RV_OP_LD;
        case 4: return RV_OP_LBU;
        case 5: return RV_OP_LHU;
        case 6: return RV_OP_LWU;
        }
        break;
    case 0x23:
        op->imm = imm_s;
        switch (f3) {
        case 0: return RV_OP_SB;
        case 1: return RV_OP_SH;
        case 2: return RV_OP_SW;
        case 3: return RV_OP_SD;
        }
        break;
    case 0x13:
        op->imm = imm_i;
        switch (f3) {
        case 0: return RV_OP_ADDI;
        case 2: return RV_OP_SLTI;
        case 3: return RV_OP_SLTIU;
        case 4: return RV_OP_XORI;
        case 6: return RV_OP_ORI;
        case 7: return RV_OP_ANDI;
        case 1:
            op->imm = bits(i, 25, 20);
            return bits(i, 31, 26) == 0 ? RV_OP_SLLI : RV_OP_ILLEGAL;
        case 5:
            op->imm = bits(i, 25, 20);
            if (bits(i, 31, 26) == 0) return RV_OP_SRLI;
            if (bits(i, 31, 26) == 0x10) return RV_OP_SRAI;
            break;
        }
        break;
    case 0x1b:
        op->imm = imm_i;
        switch (f3) {
        case 0: return RV_OP_ADDIW;
        case 1: op->imm = rs2; return f7 == 0 ? RV_OP_SLLIW : RV_OP_ILLEGAL;
        case 5:
            op->imm = rs2;
            if (f7 == 0) return RV_OP_SRLIW;
            if (f7 == 0x20) return RV_OP_SRAIW;
            break;
        }
        break;
    case 0x33:
        if (f7 == 0) {
            static const enum rv_op_kind k[8] = { RV_OP_ADD, RV_OP_SLL, RV_OP_SLT, RV_OP_SLTU,
                                                  RV_OP_XOR, RV_OP_SRL, RV_OP_OR, RV_OP_AND };
            return k[f3];
        }
        if (f7 == 1) {
            static const enum rv_op_kind k[8] = { RV_OP_MUL, RV_OP_MULH, RV_OP_MULHSU, RV_OP_MULHU,
                                                  RV_OP_DIV, RV_OP_DIVU, RV_OP_REM, RV_OP_REMU };
            /* `div rd, rd, zero` is Linux's cpu_relax() without Zihintpause:
             * a spin-wait hint. */
            if (f3 == 4 && rs2 == 0)
                return RV_OP_DIV_SPIN;
            return k[f3];
        }
        if (f7 == 0x20) {
            if (f3 == 0) return RV_OP_SUB;
            if (f3 == 5) return RV_OP_SRA;
        }
        break;
    case 0x3b:
        if (f7 == 0) {
            if (f3 == 0) return RV_OP_ADDW;
            if (f3 == 1) return RV_OP_SLLW;
            if (f3 == 5) return RV_OP_SRLW;
        } else if (f7 == 0x20) {
            if (f3 == 0) return RV_OP_SUBW;
            if (f3 == 5) return RV_OP_SRAW;
        } else if (f7 == 1) {
            switch (f3) {
            case 0: return RV_OP_MULW;
            case 4: return RV_OP_DIVW;
            case 5: return RV_OP_DIVUW;
            case 6: return RV_OP_REMW;
            case 7: return RV_OP_REMUW;
            }
        }
        break;
    case 0x0f:
        if (i == 0x0100000f) return RV_OP_PAUSE; /* Zihintpause: fence w,0 */
        if (f3 == 0) return RV_OP_FENCE;
        if (f3 == 1) return RV_OP_FENCE_I;
        break;
    case 0x73:
        if (f3 == 0) {
            if (rd != 0) break;
            if (i == 0x00000073) return RV_OP_ECALL;
            if (i == 0x00100073) return RV_OP_EBREAK;
            if (i == 0x30200073) return RV_OP_MRET;
            if (i == 0x10200073) return RV_OP_SRET;
            if (i == 0x10500073) return RV_OP_WFI;
            if (f7 == 0x09) return RV_OP_SFENCE_VMA;
            if (RV_EXT_HAS(ext, SVINVAL)) {
                /* sinval.vma is sfence.vma (TVM included); sfence.w.inval
                 * (rs2 0) and sfence.inval.ir (rs2 1) only order it */
                if (f7 == 0x0b) return RV_OP_SFENCE_VMA;
                if (f7 == 0x0c && rs1 == 0 && rs2 <= 1) return RV_OP_SFENCE_INVAL;
            }
            break;
        }
        op->imm = bits(i, 31, 20); /* the CSR number; rs1 is the register or uimm */
        switch (f3) {
        case 1: return RV_OP_CSRRW;
        case 2: return RV_OP_CSRRS;
        case 3: return RV_OP_CSRRC;
        case 5: return RV_OP_CSRRWI;
        case 6: return RV_OP_CSRRSI;
        case 7: return RV_OP_CSRRCI;
        }
        break;
    case 0x2f: {
        unsigned f5 = bits(i, 31, 27);
        op->imm = f5;
        if (f3 != 2 && f3 != 3) break;
        bool d = f3 == 3;
        if (f5 == 2) return rs2 == 0 ? (d ? RV_OP_LR_D : RV_OP_LR_W) : RV_OP_ILLEGAL;
        if (f5 == 3) return d ? RV_OP_SC_D : RV_OP_SC_W;
        switch (f5) {
        case 0x00: case 0x01: case 0x04: case 0x08: case 0x0c:
        case 0x10: case 0x14: case 0x18: case 0x1c:
            return d ? RV_OP_AMO_D : RV_OP_AMO_W;
        }
        break;
    }
    /* FP loads and stores trap as illegal when mstatus.FS is off; their
     * handlers do not use insn, so it keeps the original bits that the
     * trap reports in mtval (C.FLD, C.FSD, C.FLDSP, C.FSDSP included). */
    case 0x07:
        op->imm = imm_i;
        op->rd = (uint8_t)rd; /* an FP register: f0 is a real register */
        op->insn = op->len == 2 ? (raw & 0xffff) : raw;
        if (f3 == 2) return RV_OP_FLW;
        if (f3 == 3) return RV_OP_FLD;
        if (f3 == 1 && (RV_EXT_HAS(ext, ZFH) || RV_EXT_HAS(ext, ZFHMIN))) return RV_OP_FLH;
        break;
    case 0x27:
        op->imm = imm_s;
        op->insn = op->len == 2 ? (raw & 0xffff) : raw;
        if (f3 == 2) return RV_OP_FSW;
        if (f3 == 3) return RV_OP_FSD;
        if (f3 == 1 && (RV_EXT_HAS(ext, ZFH) || RV_EXT_HAS(ext, ZFHMIN))) return RV_OP_FSH;
        break;
    case 0x53: case 0x43: case 0x47: case 0x4b: case 0x4f:
        return rv_decode_fp(i, ext);
    }
    op->insn = op->len == 2 ? (raw & 0xffff) : raw;
    return RV_OP_ILLEGAL;
}
