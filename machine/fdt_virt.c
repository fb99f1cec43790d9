/* machine/fdt_virt.c: builds the virt board's device tree with libfdt's
 * sequential-write API. Node order follows QEMU's blob so that a decompiled
 * rivet tree and a decompiled QEMU tree can be compared side by side. */
#include "machine/fdt_virt.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "machine/pci_virt.h"

/* QEMU virt memory map and PLIC sources. */
#define VIRT_TEST_BASE    0x100000ull
#define VIRT_TEST_SIZE    0x1000ull
#define VIRT_RTC_BASE     0x101000ull
#define VIRT_RTC_SIZE     0x1000ull
#define VIRT_CLINT_BASE   0x2000000ull
#define VIRT_CLINT_SIZE   0x10000ull
#define VIRT_PLIC_BASE    0xc000000ull
#define VIRT_PLIC_SIZE    0x600000ull
#define VIRT_UART_BASE    0x10000000ull
#define VIRT_UART_SIZE    0x100ull
#define VIRT_VIRTIO_BASE  0x10001000ull
#define VIRT_VIRTIO_SIZE  0x1000ull
/* The PCIe windows are in machine/pci_virt.h, shared with the board. */

#define VIRT_IRQ_VIRTIO0  1u
#define VIRT_IRQ_UART     10u
#define VIRT_IRQ_RTC      11u
#define VIRT_IRQ_PCIE0    VIRT_PCIE_IRQ   /* INTA..INTD: 32..35 */
#define VIRT_PCI_PINS     4u

#define UART_CLOCK_HZ     3686400u

/* Local interrupt numbers of the hart's interrupt controller (mip bits). */
#define IRQ_M_SOFT  3u
#define IRQ_M_TIMER 7u
#define IRQ_S_EXT   9u
#define IRQ_M_EXT   11u

#define TEST_POWEROFF 0x5555u
#define TEST_REBOOT   0x7777u

/* Phandles are handed out up front because the sequential-write API needs
 * every reference before its target node is finished. */
struct phandles {
    unsigned nharts;
};
static uint32_t ph_cpu(unsigned hart) { return 2 * hart + 1; }
static uint32_t ph_intc(unsigned hart) { return 2 * hart + 2; }
static uint32_t ph_plic(const struct phandles *p) { return 2 * p->nharts + 1; }
static uint32_t ph_test(const struct phandles *p) { return 2 * p->nharts + 2; }

/* Reserves a property of n cells in the blob and returns where to fill
 * them in, or NULL. */
static fdt32_t *prop_cells(void *fdt, const char *name, unsigned n)
{
    void *p;
    if (fdt_property_placeholder(fdt, name, (int)(n * sizeof(fdt32_t)), &p) < 0)
        return NULL;
    return p;
}

/* reg = <base size> with #address-cells = #size-cells = 2. */
static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
    fdt32_t *c = prop_cells(fdt, "reg", 4);
    if (!c)
        return -1;
    c[0] = cpu_to_fdt32((uint32_t)(base >> 32));
    c[1] = cpu_to_fdt32((uint32_t)base);
    c[2] = cpu_to_fdt32((uint32_t)(size >> 32));
    c[3] = cpu_to_fdt32((uint32_t)size);
    return 0;
}

static int prop_strings(void *fdt, const char *name, const char *const *list, unsigned n)
{
    char buf[128];
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(list[i]) + 1;
        if (len + l > sizeof buf)
            return -1;
        memcpy(buf + len, list[i], l);
        len += l;
    }
    return fdt_property(fdt, name, buf, (int)len);
}

static int begin_node_at(void *fdt, const char *name, uint64_t addr)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s@%llx", name, (unsigned long long)addr);
    return fdt_begin_node(fdt, buf);
}

/* A PLIC-wired device: interrupts + interrupt-parent, if there is a PLIC. */
static int prop_plic_irq(void *fdt, const struct virt_fdt_config *c, const struct phandles *p,
                         unsigned irq)
{
    if (!c->plic)
        return 0;
    if (fdt_property_cell(fdt, "interrupts", irq) < 0)
        return -1;
    return fdt_property_cell(fdt, "interrupt-parent", ph_plic(p));
}

#define TRY(x) do { if ((x) < 0) return -1; } while (0)

static int build_chosen(void *fdt, const struct virt_fdt_config *c)
{
    TRY(fdt_begin_node(fdt, "chosen"));
    if (c->bootargs && c->bootargs[0])
        TRY(fdt_property_string(fdt, "bootargs", c->bootargs));
    const char *out = c->stdout_path_uart;
    if (!out && c->uart)
        out = "/soc/serial@10000000";
    if (out)
        TRY(fdt_property_string(fdt, "stdout-path", out));
    if (c->initrd_start || c->initrd_end) {
        TRY(fdt_property_u64(fdt, "linux,initrd-start", c->initrd_start));
        TRY(fdt_property_u64(fdt, "linux,initrd-end", c->initrd_end));
    }
    return fdt_end_node(fdt);
}

static int build_syscon_node(void *fdt, const char *name, const char *compat, uint32_t value,
                             const struct phandles *p)
{
    TRY(fdt_begin_node(fdt, name));
    TRY(fdt_property_cell(fdt, "value", value));
    TRY(fdt_property_cell(fdt, "offset", 0));
    TRY(fdt_property_cell(fdt, "regmap", ph_test(p)));
    TRY(fdt_property_string(fdt, "compatible", compat));
    return fdt_end_node(fdt);
}

static int build_cpus(void *fdt, const struct virt_fdt_config *c)
{
    char name[32];
    TRY(fdt_begin_node(fdt, "cpus"));
    TRY(fdt_property_cell(fdt, "#address-cells", 1));
    TRY(fdt_property_cell(fdt, "#size-cells", 0));
    TRY(fdt_property_cell(fdt, "timebase-frequency", c->timebase));
    for (unsigned h = 0; h < c->nharts; h++) {
        snprintf(name, sizeof name, "cpu@%x", h);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_cell(fdt, "phandle", ph_cpu(h)));
        TRY(fdt_property_string(fdt, "device_type", "cpu"));
        TRY(fdt_property_cell(fdt, "reg", h));
        TRY(fdt_property_string(fdt, "status", "okay"));
        TRY(fdt_property_string(fdt, "compatible", "riscv"));
        TRY(fdt_property_string(fdt, "riscv,isa", c->isa));
        if (c->mmu_type)
            TRY(fdt_property_string(fdt, "mmu-type", c->mmu_type));
        TRY(fdt_begin_node(fdt, "interrupt-controller"));
        /* Not in QEMU 7.2's tree; dtc's interrupt_provider check (and the
         * current binding) want it, and nothing reads it otherwise. */
        TRY(fdt_property_cell(fdt, "#address-cells", 0));
        TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
        TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
        TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
        TRY(fdt_property_cell(fdt, "phandle", ph_intc(h)));
        TRY(fdt_end_node(fdt));
        TRY(fdt_end_node(fdt));
    }
    TRY(fdt_begin_node(fdt, "cpu-map"));
    TRY(fdt_begin_node(fdt, "cluster0"));
    for (unsigned h = 0; h < c->nharts; h++) {
        snprintf(name, sizeof name, "core%u", h);
        TRY(fdt_begin_node(fdt, name));
        TRY(fdt_property_cell(fdt, "cpu", ph_cpu(h)));
        TRY(fdt_end_node(fdt));
    }
    TRY(fdt_end_node(fdt));
    TRY(fdt_end_node(fdt));
    return fdt_end_node(fdt);
}

/* interrupts-extended = <intc(h) a intc(h) b> for every hart. */
static int prop_per_hart_irqs(void *fdt, unsigned nharts, uint32_t a, uint32_t b)
{
    fdt32_t *cells = prop_cells(fdt, "interrupts-extended", 4 * nharts);
    if (!cells)
        return -1;
    for (unsigned h = 0; h < nharts; h++) {
        cells[4 * h + 0] = cpu_to_fdt32(ph_intc(h));
        cells[4 * h + 1] = cpu_to_fdt32(a);
        cells[4 * h + 2] = cpu_to_fdt32(ph_intc(h));
        cells[4 * h + 3] = cpu_to_fdt32(b);
    }
    return 0;
}

static int build_pci(void *fdt, const struct virt_fdt_config *c, const struct phandles *p)
{
    TRY(begin_node_at(fdt, "pci", VIRT_PCIE_ECAM));
    /* The map repeats every four slots (mask 0x1800 keeps two device-number
     * bits), so slots 0-3 describe all 32: pin P of slot S raises
     * PLIC source 32 + (P - 1 + S) % 4. */
    TRY(fdt_property_cell(fdt, "#address-cells", 3));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
    fdt32_t *mask = prop_cells(fdt, "interrupt-map-mask", 4);
    if (!mask)
        return -1;
    mask[0] = cpu_to_fdt32(0x1800);
    mask[1] = cpu_to_fdt32(0);
    mask[2] = cpu_to_fdt32(0);
    mask[3] = cpu_to_fdt32(7);
    enum { ENTRY = 6 }; /* child unit address (3), child pin (1), parent phandle, source */
    fdt32_t *map = prop_cells(fdt, "interrupt-map", VIRT_PCI_PINS * VIRT_PCI_PINS * ENTRY);
    if (!map)
        return -1;
    for (unsigned slot = 0; slot < VIRT_PCI_PINS; slot++)
        for (unsigned pin = 1; pin <= VIRT_PCI_PINS; pin++) {
            fdt32_t *e = map + ((slot * VIRT_PCI_PINS) + pin - 1) * ENTRY;
            e[0] = cpu_to_fdt32(slot << 11);
            e[1] = cpu_to_fdt32(0);
            e[2] = cpu_to_fdt32(0);
            e[3] = cpu_to_fdt32(pin);
            e[4] = cpu_to_fdt32(ph_plic(p));
            e[5] = cpu_to_fdt32(VIRT_IRQ_PCIE0 + (pin - 1 + slot) % VIRT_PCI_PINS);
        }
    /* ranges: <pci.hi pci.mid pci.lo  cpu.hi cpu.lo  size.hi size.lo> x3:
     * I/O space, 32-bit memory, 64-bit memory (not prefetchable, as
     * QEMU's: Linux still puts 64-bit prefetchable BARs there). The 64-bit
     * window moves above RAM when RAM would reach it, as on QEMU. */
    uint64_t mmio64 = virt_pcie_mmio64_base(c->ram_base, c->ram_size);
    const struct { uint32_t space; uint64_t pci, cpu, size; } win[3] = {
        { 0x1000000, 0, VIRT_PCIE_PIO, VIRT_PCIE_PIO_SIZE },
        { 0x2000000, VIRT_PCIE_MMIO, VIRT_PCIE_MMIO, VIRT_PCIE_MMIO_SIZE },
        { 0x3000000, mmio64, mmio64, VIRT_PCIE_MMIO64_SIZE },
    };
    fdt32_t *r = prop_cells(fdt, "ranges", 3 * 7);
    if (!r)
        return -1;
    for (unsigned i = 0; i < 3; i++, r += 7) {
        r[0] = cpu_to_fdt32(win[i].space);
        r[1] = cpu_to_fdt32((uint32_t)(win[i].pci >> 32));
        r[2] = cpu_to_fdt32((uint32_t)win[i].pci);
        r[3] = cpu_to_fdt32((uint32_t)(win[i].cpu >> 32));
        r[4] = cpu_to_fdt32((uint32_t)win[i].cpu);
        r[5] = cpu_to_fdt32((uint32_t)(win[i].size >> 32));
        r[6] = cpu_to_fdt32((uint32_t)win[i].size);
    }
    TRY(prop_reg(fdt, VIRT_PCIE_ECAM, VIRT_PCIE_ECAM_SIZE));
    TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
    fdt32_t *bus_range = prop_cells(fdt, "bus-range", 2);
    if (!bus_range)
        return -1;
    bus_range[0] = cpu_to_fdt32(0);
    bus_range[1] = cpu_to_fdt32(VIRT_PCIE_ECAM_SIZE / (1u << 20) - 1); /* 1 MiB of ECAM per bus */
    TRY(fdt_property_cell(fdt, "linux,pci-domain", 0));
    TRY(fdt_property_string(fdt, "device_type", "pci"));
    TRY(fdt_property_string(fdt, "compatible", "pci-host-ecam-generic"));
    return fdt_end_node(fdt);
}

static int build_soc(void *fdt, const struct virt_fdt_config *c, const struct phandles *p)
{
    TRY(fdt_begin_node(fdt, "soc"));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
    TRY(fdt_property(fdt, "ranges", NULL, 0));

    if (c->rtc) {
        TRY(begin_node_at(fdt, "rtc", VIRT_RTC_BASE));
        TRY(prop_plic_irq(fdt, c, p, VIRT_IRQ_RTC));
        TRY(prop_reg(fdt, VIRT_RTC_BASE, VIRT_RTC_SIZE));
        TRY(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
        TRY(fdt_end_node(fdt));
    }
    if (c->uart) {
        TRY(begin_node_at(fdt, "serial", VIRT_UART_BASE));
        TRY(prop_plic_irq(fdt, c, p, VIRT_IRQ_UART));
        TRY(fdt_property_cell(fdt, "clock-frequency", UART_CLOCK_HZ));
        TRY(prop_reg(fdt, VIRT_UART_BASE, VIRT_UART_SIZE));
        TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
        TRY(fdt_end_node(fdt));
    }
    if (c->test) {
        static const char *const compat[] = { "sifive,test1", "sifive,test0", "syscon" };
        TRY(begin_node_at(fdt, "test", VIRT_TEST_BASE));
        TRY(fdt_property_cell(fdt, "phandle", ph_test(p)));
        TRY(prop_reg(fdt, VIRT_TEST_BASE, VIRT_TEST_SIZE));
        TRY(prop_strings(fdt, "compatible", compat, 3));
        TRY(fdt_end_node(fdt));
    }
    if (c->pci)
        TRY(build_pci(fdt, c, p));
    /* Highest address first, as QEMU does. Linux numbers the populated
     * slots in the order it probes them, and QEMU (and rivet) fill the slots
     * from 0x10008000 down, so the first -device becomes virtio0. */
    for (unsigned i = c->virtio_mmio_count; i-- > 0;) {
        uint64_t base = VIRT_VIRTIO_BASE + i * VIRT_VIRTIO_SIZE;
        TRY(begin_node_at(fdt, "virtio_mmio", base));
        TRY(prop_plic_irq(fdt, c, p, VIRT_IRQ_VIRTIO0 + i));
        TRY(prop_reg(fdt, base, VIRT_VIRTIO_SIZE));
        TRY(fdt_property_string(fdt, "compatible", "virtio,mmio"));
        TRY(fdt_end_node(fdt));
    }
    if (c->plic) {
        static const char *const compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
        TRY(begin_node_at(fdt, "plic", VIRT_PLIC_BASE));
        TRY(fdt_property_cell(fdt, "phandle", ph_plic(p)));
        TRY(fdt_property_cell(fdt, "riscv,ndev", c->plic_ndev));
        TRY(prop_reg(fdt, VIRT_PLIC_BASE, VIRT_PLIC_SIZE));
        /* Context 2h is hart h's M-mode external interrupt, 2h+1 its S-mode. */
        TRY(prop_per_hart_irqs(fdt, c->nharts, IRQ_M_EXT, IRQ_S_EXT));
        TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
        TRY(prop_strings(fdt, "compatible", compat, 2));
        TRY(fdt_property_cell(fdt, "#address-cells", 0));
        TRY(fdt_property_cell(fdt, "#interrupt-cells", 1));
        TRY(fdt_end_node(fdt));
    }
    if (c->clint) {
        static const char *const compat[] = { "sifive,clint0", "riscv,clint0" };
        TRY(begin_node_at(fdt, "clint", VIRT_CLINT_BASE));
        TRY(prop_per_hart_irqs(fdt, c->nharts, IRQ_M_SOFT, IRQ_M_TIMER));
        TRY(prop_reg(fdt, VIRT_CLINT_BASE, VIRT_CLINT_SIZE));
        TRY(prop_strings(fdt, "compatible", compat, 2));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

static bool config_ok(const struct virt_fdt_config *c)
{
    if (c->nharts == 0 || c->nharts > VIRT_FDT_MAX_HARTS || !c->isa || c->ram_size == 0 ||
        c->ram_base + c->ram_size - 1 < c->ram_base || c->timebase == 0)
        return false;
    if (c->virtio_mmio_count > VIRT_FDT_MAX_VIRTIO_MMIO)
        return false;
    if (c->initrd_end < c->initrd_start)
        return false;
    if (c->pci && !c->plic)
        return false;
    if (c->plic) {
        unsigned need = 0;
        if (c->virtio_mmio_count)
            need = VIRT_IRQ_VIRTIO0 + c->virtio_mmio_count - 1;
        if (c->uart && need < VIRT_IRQ_UART)
            need = VIRT_IRQ_UART;
        if (c->rtc && need < VIRT_IRQ_RTC)
            need = VIRT_IRQ_RTC;
        if (c->pci)
            need = VIRT_IRQ_PCIE0 + VIRT_PCI_PINS - 1;
        if (c->plic_ndev == 0 || c->plic_ndev < need || c->plic_ndev > 1023)
            return false;
    }
    return true;
}

static int build(const struct virt_fdt_config *c, void *fdt, size_t size)
{
    struct phandles p = { c->nharts };
    TRY(fdt_create(fdt, (int)size));
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
    TRY(fdt_property_string(fdt, "model", "riscv-virtio,rivet"));

    TRY(build_chosen(fdt, c));
    if (c->test) {
        TRY(build_syscon_node(fdt, "poweroff", "syscon-poweroff", TEST_POWEROFF, &p));
        TRY(build_syscon_node(fdt, "reboot", "syscon-reboot", TEST_REBOOT, &p));
    }
    TRY(begin_node_at(fdt, "memory", c->ram_base));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    TRY(prop_reg(fdt, c->ram_base, c->ram_size));
    TRY(fdt_end_node(fdt));
    TRY(build_cpus(fdt, c));
    TRY(build_soc(fdt, c, &p));

    TRY(fdt_end_node(fdt));
    TRY(fdt_finish(fdt));
    return (int)fdt_totalsize(fdt);
}

int virt_fdt_build(const struct virt_fdt_config *c, void *buf, size_t size)
{
    if (!c || !buf || size > INT32_MAX || !config_ok(c))
        return -1;
    return build(c, buf, size);
}
