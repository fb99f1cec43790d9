/* cpu/riscv/decode.h: pre-decoded operations (cpu/riscv internal).
 *
 * Guest code is decoded once into blocks of rv_op; the interpreter jumps
 * from op to op through `impl` (a label address in rv_exec: threaded
 * dispatch). Compressed instructions are expanded to their 32-bit form first,
 * so every op kind has one implementation.
 */
#ifndef RIVET_RV_DECODE_H
#define RIVET_RV_DECODE_H

#include <stdint.h>

#define RV_OPS(X) \
    X(ILLEGAL) X(EXIT) \
    X(LUI) X(AUIPC) X(JAL) X(JALR) \
    X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU) \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU) X(SB) X(SH) X(SW) X(SD) \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI) \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND) \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW) X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW) \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU) \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW) \
    X(FENCE) X(PAUSE) X(DIV_SPIN) X(FENCE_I) X(ECALL) X(EBREAK) X(MRET) X(SRET) X(WFI) X(SFENCE_VMA) X(SFENCE_INVAL) \
    X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI) \
    X(LR_W) X(SC_W) X(AMO_W) X(LR_D) X(SC_D) X(AMO_D) \
    X(FLW) X(FLD) X(FSW) X(FSD) X(FP) X(FARITH_S) X(FARITH_D) X(FMA_S) X(FMA_D) \
    X(FLH) X(FSH) X(FP_EXT) \
    X(ZB) X(ZBI) X(CBO) X(WRS) \
    X(DEBUG)

/* Pairs of consecutive ops that run as one (no dispatch between them):
 * the most frequent pairs in compiled code (address arithmetic, load + use,
 * prologue/epilogue runs, an update before a loop branch or a return).
 * The first op never ends a block; the second may (then the pair ends it). */
#define RV_FUSED_OPS(X) \
    X(SLLI, ADD) X(ADD, LW) X(ADD, LD) X(ADD, LBU) X(LW, ADD) X(LD, ADDI) \
    X(ADDI, ADD) X(ADD, ADDI) X(ADDI, ADDI) X(ADDI, XOR) X(XOR, ANDI) X(ANDI, SLLI) \
    X(LBU, SRLIW) X(SRLIW, ADDI) X(LW, XOR) X(XOR, ADDIW) X(SLLI, SRLI) X(SRLI, SLLI) \
    X(SLLI, ADDI) X(LD, LD) X(SD, SD) X(ADDI, SD) X(ADDI, LD) X(FLD, FLD) \
    X(ADD, ADD) X(LBU, LBU) X(AUIPC, ADDI) X(LD, ADD) \
    X(ADDI, BNE) X(ADDIW, BNE) X(ADD, BNE) X(ADDI, BEQ) X(ANDI, BEQ) X(ANDI, BNE) \
    X(ADDI, BLTU) X(ADDI, JAL) X(ADD, JALR) X(ADDI, JALR) X(LD, JALR)

enum rv_op_kind {
#define RV_OP_ENUM(n) RV_OP_##n,
    RV_OPS(RV_OP_ENUM)
#undef RV_OP_ENUM
#define RV_FUSED_ENUM(a, b) RV_OP_##a##__##b,
    RV_FUSED_OPS(RV_FUSED_ENUM)
#undef RV_FUSED_ENUM
    RV_OP_COUNT
};

struct rv_op {
    const void *impl;   /* label in rv_exec */
    uint8_t rd, rs1, rs2, len;  /* rd 0 is stored as 32 (the sink) */
    uint32_t insn;      /* the 32-bit encoding (the original bits for ILLEGAL) */
    int64_t imm;
    uint64_t pc;
};

/* Decode one instruction (len 2 or 4 from its low bits) for a hart that
 * offers the extensions in `ext` (ext.h: an instruction of an extension
 * not in the mask decodes as ILLEGAL). Fills op (not impl) and returns its
 * kind. */
enum rv_op_kind rv_decode(uint32_t raw, uint64_t pc, uint64_t ext, struct rv_op *op);
/* The fused kind for the pair (a, b), or RV_OP_COUNT when there is none. */
enum rv_op_kind rv_fuse(enum rv_op_kind a, enum rv_op_kind b);
/* Does this kind end a block? */
int rv_op_ends_block(enum rv_op_kind);
/* Expand a 16-bit instruction to 32 bits for a hart offering `ext` (Zcb
 * and Zcmop add encodings); 0 if illegal/reserved. */
uint32_t rv_expand_compressed(uint16_t c, uint64_t ext);

#endif
