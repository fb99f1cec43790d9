/* machine/fdt_virt.h: the device tree of the virt board.
 *
 * Same node names, unit addresses, compatible strings and interrupt numbers
 * as QEMU's riscv virt machine (see /work/shared/reference), so firmware and
 * kernels that boot there boot here. No pmu, fw-cfg, flash, platform-bus or
 * rng-seed: a run is a pure function of its inputs.
 *
 * The memory map and PLIC sources are the board table's (machine/virt.c,
 * machine/board.h): each row's device writes its own node, in table order.
 */
#ifndef RIVET_FDT_VIRT_H
#define RIVET_FDT_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct virt_fdt_config {
    unsigned nharts;             /* 1..VIRT_FDT_MAX_HARTS */
    uint64_t ram_base, ram_size;
    const char *isa;             /* riscv,isa, e.g. "rv64imafdc_zicsr_zifencei_sstc" */
    /* riscv,isa-base and riscv,isa-extensions (names NUL-separated, ext_len
     * bytes in all); NULL leaves them out. */
    const char *isa_base;
    const char *isa_ext;
    size_t isa_ext_len;
    uint32_t cbom_block_size, cboz_block_size; /* riscv,cbo?-block-size; 0: none */
    bool pmu;                    /* /pmu: the SBI PMU events of mhpmcounter3..18, as QEMU 7.2 virt */
    const char *mmu_type;        /* e.g. "riscv,sv57"; NULL leaves mmu-type out */
    uint32_t timebase;           /* timebase-frequency, Hz */
    const char *bootargs;        /* NULL or "" leaves bootargs out */
    uint64_t initrd_start, initrd_end; /* 0, 0 = none */
    bool uart, rtc, test, clint, plic;
    unsigned aia;                /* 0: none (PLIC), 1: APLIC direct, 2: APLIC + IMSIC (MSIs); needs !plic */
    unsigned plic_ndev;          /* riscv,ndev: sources 1..plic_ndev */
    unsigned virtio_mmio_count;  /* 0..8 */
    bool pci;                    /* needs the PLIC */
    /* chosen/stdout-path; NULL means "/soc/serial@10000000" when the uart is
     * present and no stdout-path otherwise. */
    const char *stdout_path_uart;
    /* The board table to build from (machine/board.h); NULL: virt's. The
     * switches above select its rows by name. */
    const struct board_row *rows;
    unsigned nrows;
    /* Bus devices of plug-ins (machine/devices.h, devices_bus_nodes):
     * NAME@BASE nodes under /soc after the rows, with their compatible,
     * reg and PLIC source. */
    const struct device_desc *const *bus_devices;
    unsigned nbus_devices;
};

/* The PLIC's register window (0x600000) has contexts for this many harts. */
#define VIRT_FDT_MAX_HARTS 512u
#define VIRT_FDT_MAX_VIRTIO_MMIO 8u

struct board_row;

/* Builds the blob into buf. Returns its total size, or -1 when the config
 * is inconsistent (no harts, no isa, a device's interrupt beyond plic_ndev,
 * pci without plic, initrd_end < initrd_start, ...) or buf is too small. */
int virt_fdt_build(const struct virt_fdt_config *, void *buf, size_t size);

#endif
