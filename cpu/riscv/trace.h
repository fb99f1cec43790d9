/* cpu/riscv/trace.h: the hart's trace hooks (cpu/riscv internal; the
 * trace itself is bus/trace.h). Each is called only behind TRACE_ON(). */
#ifndef RIVET_RV_TRACE_H
#define RIVET_RV_TRACE_H

#include <stdint.h>

#include "bus/trace.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/tcache.h"

/* in_asm: a block just decoded; `code` holds its bytes (len of them). */
void rv_trace_in_asm(const struct rv_hart *, uint64_t vpc, const uint8_t *code, unsigned len);
/* exec and cpu: a block about to run (from the dispatcher). */
void rv_trace_exec(const struct rv_hart *, const struct rv_block *);
/* int: a trap about to be taken at h->pc, from the hart's current mode. */
void rv_trace_trap(const struct rv_hart *, uint64_t cause, uint64_t tval, bool irq, bool to_s);
/* mmu: a page walk's result (cause 0: translated to pa). */
void rv_trace_walk(const struct rv_hart *, uint64_t va, int kind, int cause, uint64_t pa);

#endif
