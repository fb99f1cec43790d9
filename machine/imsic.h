/* machine/imsic.h: the incoming MSI controller of the AIA (riscv,imsics),
 * with the virt board's aia=aplic-imsic.
 *
 * Every hart has two interrupt files, one for M level (its MEIP line) and
 * one for S level (SEIP), each with identities 1..IMSIC_NUM_IDS:
 *
 *   eip, eie        pending and enable bits (id 0 does not exist)
 *   eidelivery      1: the file drives the hart's line; 0: it does not
 *                   (WARL: other values read back as bit 0)
 *   eithreshold     0: every id may interrupt; n: only ids below n
 *   topei           the lowest pending-and-enabled id under the
 *                   threshold, as (id << 16) | id; writing claims it
 *
 * The hart reaches its files through the indirect CSRs (cpu/riscv/aia.h;
 * imsic_hart_ops). A file's MMIO page (QEMU virt: M files at 0x24000000,
 * S files at 0x28000000, one 4 KiB page per hart) takes 32-bit writes of
 * an identity to setipnum_le (offset 0) or setipnum_be (offset 4): that is
 * an MSI. Ids 0 and above IMSIC_NUM_IDS are ignored; reads return 0.
 */
#ifndef RIVET_IMSIC_H
#define RIVET_IMSIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"

#define IMSIC_NUM_IDS   255u            /* riscv,num-ids */
#define IMSIC_PAGE      0x1000ull       /* one interrupt file */
#define IMSIC_MAX_HARTS 64u

struct imsic;
struct rv_imsic_ops;

/* meip and seip are arrays of nharts lines (copied). NULL when nharts is 0
 * or above IMSIC_MAX_HARTS, or out of memory. */
struct imsic *imsic_new(unsigned nharts, const struct irq_line *meip, const struct irq_line *seip);
void imsic_free(struct imsic *);

/* The MMIO view of level 0 (M) or 1 (S): the opaque of imsic_ops, one page
 * per hart. */
void *imsic_view(struct imsic *, unsigned level);
extern const struct bus_device_ops imsic_ops;

/* For the hart (rv_hart_set_imsic): the ops and the context of hart h. */
extern const struct rv_imsic_ops imsic_hart_ops;
void *imsic_hart_ctx(struct imsic *, unsigned hart);

/* An MSI of identity id to hart's file at level (what a setipnum write does). */
void imsic_send(struct imsic *, unsigned level, unsigned hart, uint32_t id);

/* Device types (bus/device.h) of the two rows: imsic_m and imsic_s; the
 * M row's device owns the controller (free), the S row's is a view. */
struct device_desc;
extern const struct device_desc device_type_imsic_m;
extern const struct device_desc device_type_imsic_s;

#endif
