/* bus/pci/pci.h: PCI functions (type 0 configuration space, BARs, INTx)
 * and the PCIe host bridge that puts them on the bus.
 *
 * A device embeds a struct pci_dev, fills its header with pci_dev_init,
 * declares its BARs and capabilities, and is plugged into a slot of the
 * host bridge (bus 0, function 0 of each slot). The guest reaches the
 * configuration space through the host's ECAM window; pci.c gives every bit
 * its PCI meaning from three per-byte masks (read-only, read-write,
 * write-1-to-clear), and maps and unmaps each BAR on the bus whenever the
 * guest moves it or flips the command register's decode bits.
 *
 * Memory BARs are mapped on the host's bus at their PCI address (the
 * memory windows are identity-mapped) and only when they lie entirely
 * inside one memory window; I/O BARs are mapped in the host's private I/O
 * space, which the I/O window forwards to. A BAR that would overlap
 * anything is left unmapped with one log line, and mapped once it is moved
 * to a free place.
 */
#ifndef RIVET_PCI_H
#define RIVET_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "bus/state.h"
#include "bus/util.h"

/* Type 0 configuration header. */
#define PCI_VENDOR_ID            0x00
#define PCI_DEVICE_ID            0x02
#define PCI_COMMAND              0x04
#define PCI_STATUS               0x06
#define PCI_REVISION_ID          0x08
#define PCI_CLASS_PROG           0x09   /* class code: 0x09..0x0b */
#define PCI_CACHE_LINE_SIZE      0x0c
#define PCI_LATENCY_TIMER        0x0d
#define PCI_HEADER_TYPE          0x0e
#define PCI_BIST                 0x0f
#define PCI_BASE_ADDRESS_0       0x10   /* six BARs: 0x10..0x27 */
#define PCI_CARDBUS_CIS          0x28
#define PCI_SUBSYSTEM_VENDOR_ID  0x2c
#define PCI_SUBSYSTEM_ID         0x2e
#define PCI_ROM_ADDRESS          0x30
#define PCI_CAPABILITY_LIST      0x34
#define PCI_INTERRUPT_LINE       0x3c
#define PCI_INTERRUPT_PIN        0x3d
#define PCI_MIN_GNT              0x3e
#define PCI_MAX_LAT              0x3f
#define PCI_CAP_START            0x40   /* first byte after the header */

#define PCI_COMMAND_IO           0x0001
#define PCI_COMMAND_MEMORY       0x0002
#define PCI_COMMAND_MASTER       0x0004
#define PCI_COMMAND_PARITY       0x0040
#define PCI_COMMAND_SERR         0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define PCI_STATUS_INTERRUPT     0x0008 /* RO: the function's INTx is pending */
#define PCI_STATUS_CAP_LIST      0x0010 /* RO: capabilities pointer is valid */
#define PCI_STATUS_MASTER_PARITY 0x0100 /* W1C error bits from here on */
#define PCI_STATUS_SIG_TARGET_ABORT  0x0800
#define PCI_STATUS_REC_TARGET_ABORT  0x1000
#define PCI_STATUS_REC_MASTER_ABORT  0x2000
#define PCI_STATUS_SIG_SYSTEM_ERROR  0x4000
#define PCI_STATUS_DETECTED_PARITY   0x8000
#define PCI_STATUS_ERRORS        0xf900

/* BAR kinds for pci_dev_add_bar; they are also the BAR's low bits. */
#define PCI_BAR_MEM32            0x0
#define PCI_BAR_IO               0x1
#define PCI_BAR_MEM64            0x4
#define PCI_BAR_PREFETCH         0x8

#define PCI_CAP_ID_VNDR          0x09
#define PCI_CAP_ID_EXP           0x10
#define PCI_CAP_ID_MSIX          0x11

/* PCI Express device/port types for pci_dev_add_pcie_cap. */
#define PCI_EXP_TYPE_ENDPOINT    0x0
#define PCI_EXP_TYPE_LEG_END     0x1
#define PCI_EXP_TYPE_RC_END      0x9

#define PCI_CFG_SIZE             256    /* conventional PCI function */
#define PCIE_CFG_SIZE            4096   /* PCI Express function */
#define PCI_NUM_BARS             6
#define PCI_SLOTS                32
#define PCI_INTX_PINS            4
#define PCI_HOST_MAX_WINDOWS     4
#define PCI_ECAM_BUS_SIZE        (1ull << 20)
#define PCI_ADDR_NONE            UINT64_MAX

struct pci_dev;
struct pci_host;
struct pci_msix;

/* Device-specific configuration space behaviour (both optional). */
struct pci_dev_ops {
    /* After the generic read: return the value the guest sees (e.g. a
     * window register that reads through to a BAR). */
    uint32_t (*config_read)(struct pci_dev *, unsigned off, unsigned size, uint32_t value);
    /* After the generic write semantics were applied; value is what the
     * guest wrote. */
    void (*config_write)(struct pci_dev *, unsigned off, unsigned size, uint32_t value);
};

struct pci_bar {
    uint64_t size;                      /* 0: not implemented */
    unsigned flags;                     /* PCI_BAR_* */
    const struct bus_device_ops *ops;
    void *opaque;
    bool mapped;
    uint64_t addr;                      /* PCI address it is mapped at */
    uint64_t refused;                   /* address last refused (logged once) */
    char name[24];                      /* region name on the bus */
};

struct pci_dev {
    uint8_t config[PCIE_CFG_SIZE];
    uint8_t wmask[PCIE_CFG_SIZE];       /* 1: the guest may write this bit */
    uint8_t w1cmask[PCIE_CFG_SIZE];     /* 1: writing 1 clears this bit */
    unsigned cfg_size;                  /* PCI_CFG_SIZE, or PCIE_CFG_SIZE */
    unsigned cap_free;                  /* where the next capability goes */
    unsigned cap_last;                  /* offset of the last one, 0: none */
    struct pci_bar bar[PCI_NUM_BARS];
    const struct pci_dev_ops *ops;
    void *opaque;                       /* the device model's, for ops */
    struct pci_msix *msix;              /* bus/pci/msix.h */
    struct pci_host *host;              /* set by pci_host_add */
    unsigned slot;
    unsigned intx_line;                 /* 0..3: INTA..INTD of the host */
    bool irq_level;                     /* what the device asks for */
    bool intx_asserted;                 /* what it drives on the host line */
    char name[12];                      /* "00:01.0", for log lines */
};

/* ---- building a function (device side) ---- */

/* Clears the function and fills a type 0 header: IDs, class code
 * (base << 16 | sub << 8 | prog-if), interrupt pin INTA. */
void pci_dev_init(struct pci_dev *, uint16_t vendor, uint16_t device, uint32_t class_code,
                  uint16_t subsys_vendor, uint16_t subsys_id, uint8_t revision);
/* Frees what the function allocated (MSI-X storage). Call after the host
 * is freed or before it is added. */
void pci_dev_destroy(struct pci_dev *);
/* Interrupt pin 1..4 (INTA..INTD), or 0 for none. Before pci_host_add. */
void pci_dev_set_pin(struct pci_dev *, unsigned pin);
/* Declares BAR `index`: size a power of two (memory >= 16 bytes, 32-bit
 * ones < 4 GiB; I/O 4..256 bytes), flags PCI_BAR_MEM32, PCI_BAR_MEM64 (takes
 * index + 1 too), PCI_BAR_IO, optionally | PCI_BAR_PREFETCH for memory.
 * Accesses to the mapped BAR go to ops with opaque, offset relative to the
 * BAR. Returns 0, or -1 for an invalid request. Before pci_host_add. */
int pci_dev_add_bar(struct pci_dev *, unsigned index, uint64_t size, unsigned flags,
                    const struct bus_device_ops *ops, void *opaque);
/* Appends a capability of len bytes (>= 2: id and next pointer are filled)
 * to the list. Returns its offset, or -1 when it does not fit in the
 * 256-byte space. Its other bytes start zero and read-only. */
int pci_dev_add_cap(struct pci_dev *, uint8_t id, unsigned len);
/* The PCI Express capability, version 2, of a function of the given
 * PCI_EXP_TYPE_* (x1 link at 2.5 GT/s, 128-byte payload, no ASPM, no FLR).
 * Makes the configuration space 4 KiB and the latency timer read-only 0.
 * Returns its offset or -1. (express.c) */
int pci_dev_add_pcie_cap(struct pci_dev *, unsigned type);

/* Raw configuration space, for device code: no guest semantics. off + size
 * must lie inside the 4 KiB array, size 1, 2 or 4. */
uint32_t pci_cfg_get(const struct pci_dev *, unsigned off, unsigned size);
void pci_cfg_set(struct pci_dev *, unsigned off, unsigned size, uint32_t value);
void pci_cfg_set_wmask(struct pci_dev *, unsigned off, unsigned size, uint32_t mask);
void pci_cfg_set_w1c(struct pci_dev *, unsigned off, unsigned size, uint32_t mask);

/* ---- running ---- */

/* Drive the function's INTx pin. The host line is asserted while the
 * level is high, the command register's interrupt-disable bit is clear and
 * MSI-X is off; status bit 3 shows the level either way. Lines are shared
 * (wired-OR) between slots. */
void pci_set_irq(struct pci_dev *, bool level);
/* Set status bits (the W1C error bits: a master abort on DMA, ...). */
void pci_dev_status_set(struct pci_dev *, uint16_t bits);
/* Whether the guest lets the function master the bus (DMA, MSI). */
bool pci_dev_bus_master(const struct pci_dev *);

/* Guest configuration accesses, as the host's ECAM window makes them.
 * size 1, 2 or 4, naturally aligned, inside the function's space;
 * otherwise reads are all ones and writes are ignored. */
uint32_t pci_config_read(struct pci_dev *, unsigned off, unsigned size);
void pci_config_write(struct pci_dev *, unsigned off, unsigned size, uint32_t value);

/* ---- the host bridge (host.c) ---- */

struct pci_host {
    struct bus *bus;                    /* the system bus: ECAM, windows, memory BARs */
    struct bus io;                      /* PCI I/O space: I/O BARs at their port */
    struct irq_line intx[PCI_INTX_PINS];
    unsigned intx_count[PCI_INTX_PINS]; /* functions asserting each line */
    struct pci_dev *slots[PCI_SLOTS];
    struct pci_dev bridge;              /* 00.0 */
    uint64_t ecam_base, ecam_size;      /* size 0: not mapped */
    uint64_t io_base, io_size;
    struct { uint64_t base, size; } win[PCI_HOST_MAX_WINDOWS];
    unsigned nwin;
    struct ratelimit log_rl;            /* refused BAR placements (guest-provoked) */
};

/* A host bridge on bus, with a host bridge function at 00.0 (QEMU's gpex:
 * 1b36:0008, class 0x060000). intx[i] is the wire of INTA+i: slot s pin p
 * (1..4) drives intx[(p - 1 + s) % 4]; intx may be NULL (no wires).
 * Nothing is mapped yet: see the three calls below. */
struct pci_host *pci_host_new(struct bus *, const struct irq_line intx[PCI_INTX_PINS]);
/* Unmaps everything the host and its functions mapped, detaches the
 * functions (they are the caller's) and frees the host. NULL is fine. */
void pci_host_free(struct pci_host *);
/* ECAM configuration window: 1 MiB per bus (bus << 20 | dev << 15 |
 * fn << 12 | reg), size a multiple of 1 MiB up to 256 MiB. 0 or -1. */
int pci_host_map_ecam(struct pci_host *, uint64_t base, uint64_t size);
/* I/O window: CPU address base reaches PCI I/O port 0 (size <= 64 KiB).
 * Ports no BAR decodes read all ones. 0 or -1. */
int pci_host_map_io(struct pci_host *, uint64_t base, uint64_t size);
/* A memory window, identity-mapped (PCI address = CPU address). Memory
 * BARs are mapped only inside one. 0 or -1. */
int pci_host_add_mem_window(struct pci_host *, uint64_t base, uint64_t size);
/* Plugs the function in as bus 0, device slot (1..31, or -1 for the first
 * free one), function 0. Returns the slot, or -1 when taken or full. */
int pci_host_add(struct pci_host *, int slot, struct pci_dev *);
/* Unplugs a function: unmaps its BARs, withdraws its INTx and frees the
 * slot (BARs of other functions it kept out are tried again). */
void pci_host_remove(struct pci_host *, struct pci_dev *);
/* The function at bus/slot/fn, or NULL when absent. */
struct pci_dev *pci_host_dev(struct pci_host *, unsigned bus, unsigned slot, unsigned fn);

/* For pci.c: put BAR i of d at PCI address addr (0 or -1, logging a
 * refusal once per address), take it off, and drive an INTx line. */
int pci_host_map_bar(struct pci_host *, struct pci_dev *, unsigned i, uint64_t addr);
void pci_host_unmap_bar(struct pci_host *, struct pci_dev *, unsigned i);
void pci_host_set_intx(struct pci_host *, unsigned line, bool level);
/* For host.c: the function was plugged in; map its BARs, drive its INTx. */
void pci_dev_attached(struct pci_dev *);

/* Function state (bus/state.h, either direction): configuration space,
 * the interrupt request and MSI-X. A load into a function built the same
 * way (and attached to its host) keeps only the bits a guest can write
 * (write and write-1-to-clear masks), then maps the BARs where the loaded
 * registers put them and drives INTx again. Fails on another layout
 * (configuration size, MSI-X or not). */
void pci_dev_state(struct pci_dev *, struct state *);
/* The host bridge function's state (the windows are the board's). */
void pci_host_state(struct pci_host *, struct state *);

#endif
