/* cpu/riscv/hart_state.h: one hart's architectural state as a bus/state.h
 * stream (snapshots, the state hash, record/replay).
 *
 * Saved: GPRs, FPRs, fflags/frm, pc, privilege, WFI, every CSR field of
 * struct rv_hart (by name, one field each), the pending-interrupt levels
 * (mip_hw, mip_sw), the retired-instruction count and the counter offsets,
 * the LR reservation (as a guest-physical address), the debug triggers and
 * the trap-loop counter. Not saved: what a debugger set (breakpoints,
 * single step) and the caches (TLB, jump cache, decoded blocks), which a
 * load flushes. A load goes into a hart made by rv_hart_init on the same
 * bus; a CSR added to struct rv_hart gets one line in hart_state.c (a
 * newer section version when the order of fields changes).
 */
#ifndef RIVET_RV_HART_STATE_H
#define RIVET_RV_HART_STATE_H

#include "bus/state.h"
#include "cpu/riscv/hart.h"

void rv_hart_state(struct rv_hart *, struct state *);

#endif
