/* machine/clint.h: the core-local interruptor of the virt board (SiFive
 * CLINT layout = ACLINT MSWI + MTIMER), 0x10000 bytes at 0x2000000.
 *
 *   0x0000 + 4*h   msip[h]      32-bit, bit 0 drives hart h's MSIP line
 *   0x4000 + 8*h   mtimecmp[h]  64-bit, also as two 32-bit halves
 *   0xbff8         mtime        64-bit, also as two 32-bit halves
 *
 * mtime is the virtual clock (10 MHz ticks) plus an offset that guest writes
 * to mtime set. MTIP of hart h is the level (mtime >= mtimecmp[h]); a vtimer
 * per hart raises it when time reaches mtimecmp. Other access sizes or
 * misaligned accesses read 0 and are ignored.
 */
#ifndef RIVET_CLINT_H
#define RIVET_CLINT_H

#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "machine/clock.h"

#define CLINT_SIZE      0x10000ull
#define CLINT_MSIP      0x0000u
#define CLINT_MTIMECMP  0x4000u
#define CLINT_MTIME     0xbff8u
/* mtimecmp[h] must stay below mtime. */
#define CLINT_MAX_HARTS ((CLINT_MTIME - CLINT_MTIMECMP) / 8)

struct clint;

/* msip_lines and mtip_lines are arrays of nharts lines (copied). Lines start
 * low and are only called on a change of level. Returns NULL when nharts is
 * 0 or above CLINT_MAX_HARTS, or out of memory. The clock must outlive the
 * CLINT. */
struct clint *clint_new(struct vclock *clock, unsigned nharts,
                        const struct irq_line *msip_lines,
                        const struct irq_line *mtip_lines);
/* Unregisters the timers from the clock, then frees. NULL is fine. */
void clint_free(struct clint *);

/* Current mtime (what the guest reads at 0xbff8, and the `time` CSR). */
uint64_t clint_mtime(struct clint *);

/* Register file access; opaque is the struct clint. */
extern const struct bus_device_ops clint_ops;

/* The device type (bus/device.h): node writer, ops, free. */
struct device_desc;
extern const struct device_desc device_type_clint;

/* Save/load (bus/state.h): load into a CLINT with the same number of harts
 * (its clock supplies time; mtime is saved as its offset). */
struct state;
void clint_state(struct clint *, struct state *);

#endif
