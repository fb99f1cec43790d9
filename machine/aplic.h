/* machine/aplic.h: the AIA advanced platform-level interrupt controller
 * (riscv,aplic), as QEMU virt's aia=aplic and aia=aplic-imsic have it: a
 * root M-level domain at 0xc000000 and its one child, the S-level domain
 * at 0xd000000, each APLIC_SIZE bytes, with APLIC_NSRC wired sources.
 *
 * The M domain owns every source until it delegates one (sourcecfg D=1,
 * child index 0) to the S domain; a domain sees only its own sources
 * (others read 0 and ignore writes). Source modes (sourcecfg SM):
 * inactive, detached (pending only by writes), edge rising/falling, level
 * high/low; the reserved modes 2 and 3 are written as inactive.
 *
 * Delivery is fixed by the board (domaincfg.DM is read-only):
 *   direct (aia=aplic): per hart an interrupt delivery control (IDC:
 *     idelivery, iforce, ithreshold, topi, claimi) drives the hart's MEIP
 *     (M domain) or SEIP (S domain); target = hart index, priority 1..255.
 *   MSI (aia=aplic-imsic): a pending enabled source of a domain with IE
 *     set is forwarded as an MSI (target = hart index, EIID) written on the
 *     bus to the IMSIC page of that hart, and stops pending. The MSI
 *     address registers are read-only (locked, L=1) with the board's IMSIC
 *     layout: M files at imsic_m, S files at imsic_s, one page per hart.
 *     An MSI that lands nowhere is dropped with a rate-limited log.
 *
 * Registers are 32-bit; other sizes and misaligned accesses read 0 and
 * are ignored (bus). Register map: AIA spec 1.0, chapter 4.
 */
#ifndef RIVET_APLIC_H
#define RIVET_APLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"

#define APLIC_SIZE      0x8000ull
#define APLIC_NSRC      96u      /* riscv,num-sources, as QEMU virt */
#define APLIC_MAX_HARTS 16u

struct aplic;

/* Direct delivery (msi false): meip/seip are arrays of nharts lines
 * (copied). MSI delivery (msi true): the lines are unused and MSIs go to
 * bus at imsic_m / imsic_s + hart * 0x1000. NULL when nharts is 0 or
 * above APLIC_MAX_HARTS, or out of memory. */
struct aplic *aplic_new(unsigned nharts, bool msi, const struct irq_line *meip, const struct irq_line *seip,
                        struct bus *bus, uint64_t imsic_m, uint64_t imsic_s);
void aplic_free(struct aplic *);

/* The input wire of source src (1..APLIC_NSRC; others ignored), as
 *   struct irq_line l = { aplic_set_irq, aplic, src }; */
void aplic_set_irq(void *aplic, unsigned src, bool level);

/* The MMIO view of domain 0 (M) or 1 (S): the opaque of aplic_ops. */
void *aplic_domain(struct aplic *, unsigned domain);
extern const struct bus_device_ops aplic_ops;

/* Device types of the two rows (the M row's device owns the controller). */
struct device_desc;
extern const struct device_desc device_type_aplic_m;
extern const struct device_desc device_type_aplic_s;

#endif
