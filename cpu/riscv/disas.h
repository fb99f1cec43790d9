/* cpu/riscv/disas.h: RV64GC disassembler in GNU objdump's syntax.
 *
 * Prints what `riscv64-linux-gnu-objdump -d` prints for a file without
 * symbols: the same mnemonics and aliases (li, mv, ret, csrr, ...), ABI
 * register names, CSR names, decimal offsets, hex upper immediates and
 * shift amounts, branch targets as 0xADDR, and the "# 0xADDR" comment
 * objdump adds when an instruction completes an address begun by lui or
 * auipc. Anything outside RV64GC, Zicsr, Zifencei and Zihintpause (what
 * rivet executes) prints as objdump prints an unknown word: `.2byte`,
 * `.4byte`, `.8byte` or `.byte`.
 *
 * It depends on nothing but the bytes it is given (no hart, no bus), so
 * the tracer, the trap-loop message and tests all use it alike.
 */
#ifndef RIVET_RV_DISAS_H
#define RIVET_RV_DISAS_H

#include <stddef.h>
#include <stdint.h>

/* What objdump remembers between instructions: the value lui/auipc left
 * in each register, until an instruction uses it as a base. Start a new
 * context where objdump would start reading (a section, a block). */
struct rv_disas_ctx {
    uint64_t hi[32];
    uint32_t known; /* bit r: hi[r] is valid */
};

static inline void rv_disas_ctx_init(struct rv_disas_ctx *c) { c->known = 0; }

/* The length of the instruction whose first 16-bit parcel is `low`, as
 * objdump counts it: 2, 4, 6, 8, or 10..22 (80-bit and longer formats);
 * reserved length encodings count as 2. */
unsigned rv_insn_length(uint16_t low);

/* Disassembles the instruction at `pc` from `bytes` (`avail` of them,
 * little-endian) into `buf`: "mnemonic\toperands" as objdump prints it
 * after the encoding column. Returns the number of bytes consumed
 * (at least 1 when avail > 0; 0 only when avail == 0). `ctx` may be NULL
 * (no "# addr" comments). Output is always NUL-terminated and at most
 * size - 1 characters; 160 bytes always suffice. */
unsigned rv_disas(char *buf, size_t size, uint64_t pc, const uint8_t *bytes, size_t avail,
                  struct rv_disas_ctx *ctx);

/* One whole objdump line: "    80000000:\ta009                \tj\t0x80000002"
 * (address, encoding column, instruction; long instructions add objdump's
 * continuation lines, separated by "\n"). No trailing newline. 320 bytes
 * always suffice. Returns the bytes consumed as rv_disas does. */
unsigned rv_disas_line(char *buf, size_t size, uint64_t pc, const uint8_t *bytes, size_t avail,
                       struct rv_disas_ctx *ctx);

/* The ABI name of x register r (0..31) and of f register r. */
const char *rv_xreg_name(unsigned r);
const char *rv_freg_name(unsigned r);
/* The CSR's name as objdump prints it, or NULL for a number it does not name. */
const char *rv_csr_name(unsigned csr);

#endif
