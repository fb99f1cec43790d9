/* cpu/riscv/decode.c: RV64GC instruction decoding into rv_op. */
#include <stdbool.h>

#include "cpu/riscv/bitmanip.h"
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

/* Zcb (1.0.x, "Zcb" chapter of the code-size reduction specification):
 * quadrant 0 funct3 100 (c.lbu, c.lhu, c.lh, c.sb, c.sh) and quadrant 1
 * funct6 100111 (c.zext.b, c.sext.b, c.zext.h, c.sext.h, c.zext.w, c.not,
 * c.mul). c.sext.b/c.zext.h/c.sext.h need Zbb and c.zext.w needs Zba (the
 * spec: "if Zbb/Zba is not present, the encoding is reserved"); c.mul needs
 * M, which every rivet hart has. */
static uint32_t expand_zcb(uint32_t c, uint64_t ext)
{
    unsigned rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7);
    if (!RV_EXT_HAS(ext, ZCB))
        return 0;
    if ((c & 3) == 0) {
        unsigned u1 = bits(c, 5, 5) << 1, b6 = bits(c, 6, 6);
        switch (bits(c, 12, 10)) {
        case 0: return enc_i(0x03, 4, rdp, rs1p, (int32_t)(u1 | b6));              /* c.lbu */
        case 1: return enc_i(0x03, b6 ? 1 : 5, rdp, rs1p, (int32_t)u1);            /* c.lh / c.lhu */
        case 2: return enc_s(0x23, 0, rs1p, rdp, (int32_t)(u1 | b6));              /* c.sb */
        case 3: return b6 ? 0 : enc_s(0x23, 1, rs1p, rdp, (int32_t)u1);            /* c.sh */
        }
        return 0;
    }
    /* quadrant 1, bits 15:10 = 100111 */
    if (bits(c, 6, 5) == 2)
        return enc_r(0x33, 0, 1, rs1p, rs1p, rdp);                                 /* c.mul */
    if (bits(c, 6, 5) != 3)
        return 0;
    bool zbb = RV_EXT_HAS(ext, ZBB);
    switch (bits(c, 4, 2)) {
    case 0: return enc_i(0x13, 7, rs1p, rs1p, 0xff);                               /* c.zext.b */
    case 1: return zbb ? enc_i(0x13, 1, rs1p, rs1p, 0x604) : 0;                    /* c.sext.b */
    case 2: return zbb ? enc_r(0x3b, 4, 4, rs1p, rs1p, 0) : 0;                     /* c.zext.h */
    case 3: return zbb ? enc_i(0x13, 1, rs1p, rs1p, 0x605) : 0;                    /* c.sext.h */
    case 4: return RV_EXT_HAS(ext, ZBA) ? enc_r(0x3b, 0, 4, rs1p, rs1p, 0) : 0;    /* c.zext.w */
    case 5: return enc_i(0x13, 4, rs1p, rs1p, -1);                                 /* c.not */
    }
    return 0;
}

uint32_t rv_expand_compressed(uint16_t c16, uint64_t ext)
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
    case 004: /* Zcb loads and stores */
        return expand_zcb(c, ext);
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
            /* C.LUI with imm 0 is reserved; for odd x1..x15 it is
             * Zcmop's c.mop.n, which writes no register: a nop. */
            if (!imm6)
                return RV_EXT_HAS(ext, ZCMOP) && (rd & 1) && rd < 16 ? 0x13 : 0;
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
            case 6: case 7: return expand_zcb(c, ext);
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
 * Zfa in rv_fpu_exec_ext when the hart offers their extension. The hot
 * arithmetic (FADD/FSUB/FMUL/FDIV and the four FMAs, S and D) has ops of
 * its own that skip rv_fpu_exec's decoding (rv_fpu_arith_*, rv_fpu_fma_*). */
static enum rv_op_kind rv_decode_fp(uint32_t i, uint64_t ext)
{
    bool zfh = RV_EXT_HAS(ext, ZFH), zfa = RV_EXT_HAS(ext, ZFA);
    switch (rv_fpu_class(i)) {
    case RV_FPU_BASE: {
        unsigned fmt = (i >> 25) & 3; /* S 0, D 1 */
        if ((i & 0x7f) != 0x53 && fmt <= 1)
            return fmt ? RV_OP_FMA_D : RV_OP_FMA_S;
        if ((i & 0x7f) == 0x53 && (i >> 25) <= 0x0d && fmt <= 1) /* FADD FSUB FMUL FDIV */
            return fmt ? RV_OP_FARITH_D : RV_OP_FARITH_S;
        return RV_OP_FP;
    }
    case RV_FPU_ZFHMIN: return zfh || RV_EXT_HAS(ext, ZFHMIN) ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    case RV_FPU_ZFH:    return zfh ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    case RV_FPU_ZFA:    return zfa ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    default:            return zfa && zfh ? RV_OP_FP_EXT : RV_OP_ILLEGAL;
    }
}
/* Zba, Zbb, Zbc, Zbs, Zbkb, Zbkc, Zbkx, Zicond (bitmanip.h): the OP,
 * OP-32, OP-IMM and OP-IMM-32 encodings the base ISA leaves free. */
#define ZB(id) do { if (!(has)) break; op->imm = (int64_t)RV_ZB_##id | (int64_t)sh << 8; return kind; } while (0)
static enum rv_op_kind decode_zb(uint32_t i, uint64_t ext, struct rv_op *op)
{
    unsigned opc = bits(i, 6, 0), f3 = bits(i, 14, 12), rs2 = bits(i, 24, 20), f7 = bits(i, 31, 25);
    unsigned f6 = bits(i, 31, 26), imm12 = bits(i, 31, 20), sh = 0;
    bool zba = RV_EXT_HAS(ext, ZBA), zbb = RV_EXT_HAS(ext, ZBB), zbs = RV_EXT_HAS(ext, ZBS);
    bool zbkb = RV_EXT_HAS(ext, ZBKB), zbbk = zbb || zbkb;
    bool zbc = RV_EXT_HAS(ext, ZBC), zbck = zbc || RV_EXT_HAS(ext, ZBKC);
    bool zbkx = RV_EXT_HAS(ext, ZBKX), zicond = RV_EXT_HAS(ext, ZICOND);
    bool has;
    enum rv_op_kind kind = RV_OP_ZB;
#define IF(cond, id) do { has = (cond); ZB(id); } while (0)
    switch (opc << 3 | f3) {
    case 0x13 << 3 | 1:
        kind = RV_OP_ZBI;
        sh = bits(i, 25, 20);
        if (imm12 == 0x600) IF(zbb, CLZ);
        if (imm12 == 0x601) IF(zbb, CTZ);
        if (imm12 == 0x602) IF(zbb, CPOP);
        if (imm12 == 0x604) IF(zbb, SEXT_B);
        if (imm12 == 0x605) IF(zbb, SEXT_H);
        if (f6 == 0x12) IF(zbs, BCLR);
        if (f6 == 0x1a) IF(zbs, BINV);
        if (f6 == 0x0a) IF(zbs, BSET);
        break;
    case 0x13 << 3 | 5:
        kind = RV_OP_ZBI;
        sh = bits(i, 25, 20);
        if (f6 == 0x18) IF(zbbk, ROR);
        if (imm12 == 0x287) IF(zbb, ORC_B);
        if (imm12 == 0x6b8) IF(zbbk, REV8);
        if (imm12 == 0x687) IF(zbkb, BREV8);
        if (f6 == 0x12) IF(zbs, BEXT);
        break;
    case 0x1b << 3 | 1:
        kind = RV_OP_ZBI;
        sh = bits(i, 25, 20);
        if (f6 == 0x02) IF(zba, SLLI_UW);
        if (imm12 == 0x600) IF(zbb, CLZW);
        if (imm12 == 0x601) IF(zbb, CTZW);
        if (imm12 == 0x602) IF(zbb, CPOPW);
        break;
    case 0x1b << 3 | 5:
        kind = RV_OP_ZBI;
        sh = rs2;
        if (f7 == 0x30) IF(zbbk, RORW);
        break;
    case 0x33 << 3 | 1:
        if (f7 == 0x05) IF(zbck, CLMUL);
        if (f7 == 0x30) IF(zbbk, ROL);
        if (f7 == 0x24) IF(zbs, BCLR);
        if (f7 == 0x34) IF(zbs, BINV);
        if (f7 == 0x14) IF(zbs, BSET);
        break;
    case 0x33 << 3 | 2:
        if (f7 == 0x10) IF(zba, SH1ADD);
        if (f7 == 0x05) IF(zbc, CLMULR);
        if (f7 == 0x14) IF(zbkx, XPERM4);
        break;
    case 0x33 << 3 | 3:
        if (f7 == 0x05) IF(zbck, CLMULH);
        break;
    case 0x33 << 3 | 4:
        if (f7 == 0x10) IF(zba, SH2ADD);
        if (f7 == 0x20) IF(zbbk, XNOR);
        if (f7 == 0x05) IF(zbb, MIN);
        if (f7 == 0x04) IF(zbkb, PACK);
        if (f7 == 0x14) IF(zbkx, XPERM8);
        break;
    case 0x33 << 3 | 5:
        if (f7 == 0x05) IF(zbb, MINU);
        if (f7 == 0x30) IF(zbbk, ROR);
        if (f7 == 0x24) IF(zbs, BEXT);
        if (f7 == 0x07) IF(zicond, CZERO_EQZ);
        break;
    case 0x33 << 3 | 6:
        if (f7 == 0x10) IF(zba, SH3ADD);
        if (f7 == 0x20) IF(zbbk, ORN);
        if (f7 == 0x05) IF(zbb, MAX);
        break;
    case 0x33 << 3 | 7:
        if (f7 == 0x20) IF(zbbk, ANDN);
        if (f7 == 0x05) IF(zbb, MAXU);
        if (f7 == 0x04) IF(zbkb, PACKH);
        if (f7 == 0x07) IF(zicond, CZERO_NEZ);
        break;
    case 0x3b << 3 | 0:
        if (f7 == 0x04) IF(zba, ADD_UW);
        break;
    case 0x3b << 3 | 1:
        if (f7 == 0x30) IF(zbbk, ROLW);
        break;
    case 0x3b << 3 | 2:
        if (f7 == 0x10) IF(zba, SH1ADD_UW);
        break;
    case 0x3b << 3 | 4:
        if (f7 == 0x10) IF(zba, SH2ADD_UW);
        /* zext.h is packw rd, rs1, zero: Zbb has that one encoding */
        if (f7 == 0x04 && rs2 == 0) IF(zbb, ZEXT_H);
        if (f7 == 0x04) IF(zbkb, PACKW);
        break;
    case 0x3b << 3 | 5:
        if (f7 == 0x30) IF(zbbk, RORW);
        break;
    case 0x3b << 3 | 6:
        if (f7 == 0x10) IF(zba, SH3ADD_UW);
        break;
    }
#undef IF
    return RV_OP_ILLEGAL;
}
#undef ZB

enum rv_op_kind rv_decode(uint32_t raw, uint64_t pc, uint64_t ext, struct rv_op *op)
{
    uint32_t i = raw;
    op->pc = pc;
    op->imm = 0;
    op->len = 4;
    if ((raw & 3) != 3) {
        op->len = 2;
        i = rv_expand_compressed((uint16_t)raw, ext);
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
            if (bits(i, 31, 26) == 0) return RV_OP_SLLI;
            break;
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
        case 1:
            op->imm = rs2;
            if (f7 == 0) return RV_OP_SLLIW;
            break;
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
        if (f3 == 2 && rd == 0) { /* Zicbom, Zicboz: cbo.* (rs1) */
            op->imm = bits(i, 31, 20);
            if (op->imm <= 2 && RV_EXT_HAS(ext, ZICBOM)) return RV_OP_CBO;
            if (op->imm == 4 && RV_EXT_HAS(ext, ZICBOZ)) return RV_OP_CBO;
            break;
        }
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
            if ((i == 0x00d00073 || i == 0x01d00073) && RV_EXT_HAS(ext, ZAWRS)) {
                op->imm = i == 0x00d00073; /* 1: wrs.nto */
                return RV_OP_WRS;
            }
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
        /* Zimop: mop.r.n and mop.rr.n write 0 to rd. */
        if (RV_EXT_HAS(ext, ZIMOP) && ((i & 0xb3c0707f) == 0x81c04073 || (i & 0xb200707f) == 0x82004073)) {
            op->imm = 0;
            return RV_OP_LUI;
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
    if (opc == 0x13 || opc == 0x1b || opc == 0x33 || opc == 0x3b) {
        enum rv_op_kind k = decode_zb(i, ext, op);
        if (k != RV_OP_ILLEGAL)
            return k;
    }
    op->insn = op->len == 2 ? (raw & 0xffff) : raw;
    return RV_OP_ILLEGAL;
}
