/* cpu/riscv/fpu.h: the F, D, Zfh/Zfhmin and Zfa extensions' arithmetic
 * (IEEE 754-2008).
 *
 * The interpreter does FP loads and stores itself and calls this for every
 * instruction of the major opcodes OP-FP (0x53), MADD (0x43), MSUB (0x47),
 * NMSUB (0x4b) and NMADD (0x4f). It knows nothing of harts: it gets the
 * register files and fcsr fields by pointer. The decoder asks
 * rv_fpu_class which extension an encoding belongs to, and sends F/D to
 * rv_fpu_exec and the rest (when the hart offers it) to rv_fpu_exec_ext.
 */
#ifndef RIVET_FPU_H
#define RIVET_FPU_H

#include <stdint.h>

/* fflags bits */
#define FFLAG_NX 0x01u /* inexact */
#define FFLAG_UF 0x02u /* underflow */
#define FFLAG_OF 0x04u /* overflow */
#define FFLAG_DZ 0x08u /* divide by zero */
#define FFLAG_NV 0x10u /* invalid */

/* Execute one FP instruction `insn`.
 *   x:      the 32 integer registers; x[0] is never written.
 *   f:      the 32 FP registers, 64 bits each; singles are NaN-boxed.
 *   fflags: accrued exception flags, OR-ed into.
 *   frm:    the dynamic rounding mode (fcsr.frm).
 * Returns 0, or -1 when the instruction is illegal (unknown encoding,
 * reserved rounding mode, or rm=DYN with an invalid frm). On -1 no state
 * has changed. */
int rv_fpu_exec(uint64_t *x, uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn);

/* rv_fpu_exec for the encodings the decoder gives ops of their own (the
 * same results, flags and -1 cases, without its decoding): FADD, FSUB,
 * FMUL, FDIV (OP-FP, funct7 0x00/04/08/0c for S, 0x01/05/09/0d for D) and
 * FMADD/FMSUB/FNMSUB/FNMADD, each in S and D. */
int rv_fpu_arith_s(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn);
int rv_fpu_arith_d(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn);
int rv_fpu_fma_s(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn);
int rv_fpu_fma_d(uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn);

/* The same for every FP encoding: F, D, and also half precision (Zfh,
 * Zfhmin: halves are NaN-boxed in 64 bits, an unboxed one reads as the
 * canonical NaN 0x7e00) and Zfa (FLI, FMINM/FMAXM, FROUND/FROUNDNX,
 * FCVTMOD.W.D, FLEQ/FLTQ; FMVH.X.D and FMVP.D.X are RV32-only and
 * illegal here). The caller checks the extension first (rv_fpu_class). */
int rv_fpu_exec_ext(uint64_t *x, uint64_t *f, uint32_t *fflags, uint32_t frm, uint32_t insn);

/* Which extension an OP-FP/MADD/MSUB/NMSUB/NMADD encoding needs: F/D
 * (including encodings that are illegal anyway), Zfh or Zfhmin (either
 * one), Zfh, Zfa, or Zfa together with Zfh. */
enum { RV_FPU_BASE, RV_FPU_ZFHMIN, RV_FPU_ZFH, RV_FPU_ZFA, RV_FPU_ZFA_H };
int rv_fpu_class(uint32_t insn);

#endif
