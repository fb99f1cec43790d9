/* machine/board.h: a board as one table of rows, and what a device needs
 * to write its own device-tree node.
 *
 * A row is one region of the board's memory map: its name, base, size,
 * PLIC source, the node writer of the device behind it and (for platform
 * devices) the device type whose ops are mapped there. machine/virt.c's
 * table is the virt board: creation, the device tree (machine/fdt_virt.c)
 * and teardown all iterate it, so the map lives in exactly one place.
 *
 * Node writers live in the device's own file and use the helpers below;
 * they are called in table order inside /soc (and `root` ones before
 * /memory), which is QEMU's order, so the blob stays byte for byte the
 * same. */
#ifndef RIVET_BOARD_H
#define RIVET_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device_desc;

/* What a node writer gets. */
struct board_fdt {
    void *fdt;                 /* libfdt sequential-write blob */
    uint64_t base, size;       /* the row's region */
    unsigned irq;              /* PLIC source (0: none) */
    unsigned count;            /* rows that repeat (virtio-mmio slots): how many */
    uint64_t stride;           /* ... and how far apart */
    uint32_t phandle;          /* this node's phandle (0: none) */
    uint32_t plic_phandle;     /* the wired interrupt controller's (PLIC, or the APLIC's S
                                * domain with aia); 0: none (no interrupts properties) */
    unsigned irq_cells;        /* its #interrupt-cells: 1 (PLIC) or 2 (APLIC: <source 4>) */
    uint32_t aplic_s_phandle;  /* aia: the APLIC's S domain */
    uint32_t msi_phandle[2];   /* aia=aplic-imsic: the M and S IMSICs (0: direct delivery) */
    uint32_t test_phandle;     /* the syscon's, for poweroff/reboot */
    unsigned nharts;
    unsigned plic_ndev;
    uint64_t ram_base, ram_size;
};

struct board_row {
    const char *name;          /* bus region name, and the config switch (fdt_virt.h) */
    uint64_t base, size;
    unsigned irq;              /* PLIC source, 0: none */
    unsigned count;            /* 0/1: one region; n: n regions of `size` from base up */
    unsigned phandle;          /* 0: none; k: phandle 2 * nharts + k (after the harts'), BOARD_PH_* */
    int (*fdt_node)(const struct board_fdt *);   /* the node(s) under /soc */
    int (*fdt_root)(const struct board_fdt *);   /* optional: nodes under / (before /memory) */
    const struct device_desc *type;              /* platform device type, or NULL */
};

/* Row phandles k (2 * nharts + k in the blob). */
enum { BOARD_PH_PLIC = 1, BOARD_PH_TEST = 2, BOARD_PH_APLIC_M = 3, BOARD_PH_APLIC_S = 4,
       BOARD_PH_IMSIC_M = 5, BOARD_PH_IMSIC_S = 6 };

/* ---- helpers for node writers (machine/fdt_virt.c) ---- */
int board_fdt_begin_at(const struct board_fdt *, const char *name, uint64_t addr);
/* reg = <base size> (two cells each). */
int board_fdt_reg(const struct board_fdt *, uint64_t base, uint64_t size);
/* interrupts (<irq>, or <irq 4> = level high with the APLIC) and
 * interrupt-parent, when the board has a wired interrupt controller. */
int board_fdt_irq(const struct board_fdt *, unsigned irq);
int board_fdt_strings(const struct board_fdt *, const char *name, const char *const *list, unsigned n);
/* interrupts-extended = <intc(h) a intc(h) b> for every hart. */
int board_fdt_per_hart_irqs(const struct board_fdt *, uint32_t a, uint32_t b);
uint32_t board_fdt_intc_phandle(unsigned hart);
/* Reserves a property of n big-endian cells and returns them, or NULL. */
uint32_t *board_fdt_cells(const struct board_fdt *, const char *name, unsigned n);
/* The board's virtio-mmio slots (count regions of stride from base). */
int board_fdt_virtio_mmio(const struct board_fdt *);

#endif
