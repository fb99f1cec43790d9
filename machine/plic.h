/* machine/plic.h: the SiFive platform-level interrupt controller
 * (riscv,plic0) of the virt board, at 0xc000000.
 *
 * Sources 1..PLIC_NDEV (0 is reserved); two contexts per hart: context 2h is
 * hart h in M-mode (drives its MEIP line), 2h+1 is hart h in S-mode (drives
 * SEIP). Registers are 32-bit; other sizes and misaligned accesses read 0
 * and are ignored, as are registers of absent sources and contexts.
 *
 *   0x000000 + 4*src            priority (0..7; 0 = never interrupts)
 *   0x001000 + 4*word           pending bits (read-only)
 *   0x002000 + 0x80*ctx + 4*w   enable bits of a context
 *   0x200000 + 0x1000*ctx       priority threshold (0..7)
 *   0x200004 + 0x1000*ctx       claim (read) / complete (write)
 *
 * Sources are level-triggered unless made edge-triggered with plic_set_edge.
 * A claimed source is in service until completed: its input does not
 * pend it again before that.
 */
#ifndef RIVET_PLIC_H
#define RIVET_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"

#define PLIC_SIZE       0x600000ull
/* Number of sources, as the device tree's riscv,ndev (QEMU virt: 0x60). */
#define PLIC_NDEV       96u
#define PLIC_PRIO_MASK  7u
/* Contexts whose threshold/claim registers fit in PLIC_SIZE. */
#define PLIC_MAX_HARTS  ((unsigned)((PLIC_SIZE - 0x200000) / 0x1000 / 2))

struct plic;

/* meip_lines and seip_lines are arrays of nharts lines (copied). Outputs
 * start low and are only called on a change of level. Returns NULL when
 * nharts is 0 or above PLIC_MAX_HARTS, or out of memory. */
struct plic *plic_new(unsigned nharts, const struct irq_line *meip_lines,
                      const struct irq_line *seip_lines);
void plic_free(struct plic *);

/* The input wire of source src: the set function of a source's irq_line,
 *   struct irq_line l = { plic_set_irq, plic, src };
 * Source ids outside 1..PLIC_NDEV are ignored. */
void plic_set_irq(void *plic, unsigned src, bool level);
/* Makes src edge-triggered (a rising edge of its input sets pending; an
 * edge that arrives while it is in service pends it at completion) or
 * level-triggered (the default: pending follows the input while not in
 * service, and is set again at completion if the input is still high). */
void plic_set_edge(struct plic *, unsigned src, bool edge);

/* Register file access; opaque is the struct plic. */
extern const struct bus_device_ops plic_ops;

/* The device type (bus/device.h): node writer, ops, free. */
struct device_desc;
extern const struct device_desc device_type_plic;

/* Save/load (bus/state.h): load into a PLIC with the same number of harts. */
struct state;
void plic_state(struct plic *, struct state *);

#endif
