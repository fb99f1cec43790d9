/* machine/fdt_virt.c: builds the virt board's device tree with libfdt's
 * sequential-write API. Node order follows QEMU's blob so that a decompiled
 * rivet tree and a decompiled QEMU tree can be compared side by side. */
#include "machine/fdt_virt.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "bus/device.h"
#include "machine/board.h"
#include "machine/virt.h"

/* The memory map and PLIC sources are the board table's (machine/virt.c);
 * each device writes its own node (machine/board.h). */
#define VIRT_PCI_PINS     4u

/* Local interrupt numbers of the hart's interrupt controller (mip bits). */
#define IRQ_M_SOFT  3u
#define IRQ_M_TIMER 7u
#define IRQ_S_EXT   9u
#define IRQ_M_EXT   11u


/* Phandles are handed out up front because the sequential-write API needs
 * every reference before its target node is finished: 2h+1 and 2h+2 for
 * hart h and its interrupt controller, then 2n+k for a row with phandle k. */
static uint32_t ph_cpu(unsigned hart) { return 2 * hart + 1; }
static uint32_t ph_intc(unsigned hart) { return 2 * hart + 2; }

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
        if (c->isa_base)
            TRY(fdt_property_string(fdt, "riscv,isa-base", c->isa_base));
        if (c->isa_ext)
            TRY(fdt_property(fdt, "riscv,isa-extensions", c->isa_ext, (int)c->isa_ext_len));
        if (c->cbom_block_size)
            TRY(fdt_property_cell(fdt, "riscv,cbom-block-size", c->cbom_block_size));
        if (c->cboz_block_size)
            TRY(fdt_property_cell(fdt, "riscv,cboz-block-size", c->cboz_block_size));
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

/* ---- helpers for node writers (machine/board.h) ---- */

uint32_t board_fdt_intc_phandle(unsigned hart) { return ph_intc(hart); }

int board_fdt_begin_at(const struct board_fdt *b, const char *name, uint64_t addr)
{
    return begin_node_at(b->fdt, name, addr);
}

int board_fdt_reg(const struct board_fdt *b, uint64_t base, uint64_t size)
{
    return prop_reg(b->fdt, base, size);
}

int board_fdt_irq(const struct board_fdt *b, unsigned irq)
{
    if (!b->plic_phandle)
        return 0;
    if (b->irq_cells == 2) {
        fdt32_t *c = prop_cells(b->fdt, "interrupts", 2);
        if (!c)
            return -1;
        c[0] = cpu_to_fdt32(irq);
        c[1] = cpu_to_fdt32(4);        /* IRQ_TYPE_LEVEL_HIGH */
    } else if (fdt_property_cell(b->fdt, "interrupts", irq) < 0)
        return -1;
    return fdt_property_cell(b->fdt, "interrupt-parent", b->plic_phandle);
}

int board_fdt_strings(const struct board_fdt *b, const char *name, const char *const *list, unsigned n)
{
    return prop_strings(b->fdt, name, list, n);
}

uint32_t *board_fdt_cells(const struct board_fdt *b, const char *name, unsigned n)
{
    return (uint32_t *)prop_cells(b->fdt, name, n);
}

int board_fdt_per_hart_irqs(const struct board_fdt *b, uint32_t x, uint32_t y)
{
    fdt32_t *cells = prop_cells(b->fdt, "interrupts-extended", 4 * b->nharts);
    if (!cells)
        return -1;
    for (unsigned h = 0; h < b->nharts; h++) {
        cells[4 * h + 0] = cpu_to_fdt32(ph_intc(h));
        cells[4 * h + 1] = cpu_to_fdt32(x);
        cells[4 * h + 2] = cpu_to_fdt32(ph_intc(h));
        cells[4 * h + 3] = cpu_to_fdt32(y);
    }
    return 0;
}

/* The virtio-mmio slots belong to the board (their devices come from
 * -device). Highest address first, as QEMU does: Linux numbers the
 * populated slots in the order it probes them, and QEMU (and rivet) fill
 * the slots from the top down, so the first -device becomes virtio0. */
int board_fdt_virtio_mmio(const struct board_fdt *b)
{
    for (unsigned i = b->count; i-- > 0;) {
        uint64_t base = b->base + i * b->stride;
        TRY(board_fdt_begin_at(b, "virtio_mmio", base));
        TRY(board_fdt_irq(b, b->irq + i));
        TRY(board_fdt_reg(b, base, b->stride));
        TRY(fdt_property_string(b->fdt, "compatible", "virtio,mmio"));
        TRY(fdt_end_node(b->fdt));
    }
    return 0;
}

/* ---- the board table, as the config switches select it ---- */

/* How many regions of row r the config includes (0: the row is left out). */
static unsigned row_count(const struct virt_fdt_config *c, const struct board_row *r)
{
    if (r->count > 1)
        return c->virtio_mmio_count;
    bool on = !strcmp(r->name, "test") ? c->test : !strcmp(r->name, "rtc") ? c->rtc
            : !strcmp(r->name, "uart") ? c->uart : !strcmp(r->name, "pci") ? c->pci
            : !strcmp(r->name, "plic") ? c->plic : !strcmp(r->name, "clint") ? c->clint
            : !strncmp(r->name, "aplic", 5) ? c->aia != 0 : !strncmp(r->name, "imsic", 5) ? c->aia == 2 : true;
    return on ? 1 : 0;
}

static const struct board_row *rows_of(const struct virt_fdt_config *c, unsigned *n)
{
    if (c->rows) {
        *n = c->nrows;
        return c->rows;
    }
    return virt_board_rows(n);
}

static struct board_fdt row_ctx(const struct virt_fdt_config *c, const struct board_row *r, void *fdt)
{
    return (struct board_fdt){
        .fdt = fdt, .base = r->base, .size = r->size, .irq = r->irq, .count = row_count(c, r),
        .stride = r->size, .phandle = r->phandle ? 2 * c->nharts + r->phandle : 0,
        .plic_phandle = c->plic ? 2 * c->nharts + BOARD_PH_PLIC : c->aia ? 2 * c->nharts + BOARD_PH_APLIC_S : 0,
        .irq_cells = c->aia ? 2 : 1, .aplic_s_phandle = 2 * c->nharts + BOARD_PH_APLIC_S,
        .msi_phandle = { c->aia == 2 ? 2 * c->nharts + BOARD_PH_IMSIC_M : 0,
                         c->aia == 2 ? 2 * c->nharts + BOARD_PH_IMSIC_S : 0 },
        .test_phandle = 2 * c->nharts + BOARD_PH_TEST,
        .nharts = c->nharts, .plic_ndev = c->plic_ndev, .ram_base = c->ram_base, .ram_size = c->ram_size,
    };
}

/* Rows' nodes under / (before /memory), then under /soc, in table order. */
static int build_rows(void *fdt, const struct virt_fdt_config *c, bool root)
{
    unsigned n;
    const struct board_row *rows = rows_of(c, &n);
    for (unsigned i = 0; i < n; i++) {
        struct board_fdt b = row_ctx(c, &rows[i], fdt);
        int (*fn)(const struct board_fdt *) = root ? rows[i].fdt_root : rows[i].fdt_node;
        if (b.count && fn)
            TRY(fn(&b));
    }
    return 0;
}

static int build_soc(void *fdt, const struct virt_fdt_config *c)
{
    TRY(fdt_begin_node(fdt, "soc"));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
    TRY(fdt_property(fdt, "ranges", NULL, 0));
    TRY(build_rows(fdt, c, false));
    for (unsigned i = 0; i < c->nbus_devices; i++) {
        const struct device_desc *t = c->bus_devices[i];
        struct board_row r = { .name = t->name, .base = t->mmio_base, .size = t->mmio_size, .irq = t->mmio_irq };
        struct board_fdt b = row_ctx(c, &r, fdt);
        TRY(board_fdt_begin_at(&b, t->name, t->mmio_base));
        if (t->mmio_irq)
            TRY(board_fdt_irq(&b, t->mmio_irq));
        TRY(board_fdt_reg(&b, t->mmio_base, t->mmio_size));
        TRY(fdt_property_string(fdt, "compatible", t->compatible));
        TRY(fdt_end_node(fdt));
    }
    return fdt_end_node(fdt);
}

/* The highest PLIC source a row of the config uses. */
static unsigned max_irq(const struct virt_fdt_config *c)
{
    unsigned n, need = 0;
    const struct board_row *rows = rows_of(c, &n);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = row_count(c, &rows[i]);
        if (!k || !rows[i].irq)
            continue;
        unsigned last = rows[i].irq + (rows[i].count > 1 ? k : !strcmp(rows[i].name, "pci") ? VIRT_PCI_PINS : 1) - 1;
        if (last > need)
            need = last;
    }
    return need;
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
    if (c->aia > 2 || (c->aia && c->plic))
        return false;
    if (c->pci && !c->plic && !c->aia)
        return false;
    if (c->plic) {
        unsigned need = max_irq(c);
        if (c->plic_ndev == 0 || c->plic_ndev < need || c->plic_ndev > 1023)
            return false;
    }
    return true;
}

static int build(const struct virt_fdt_config *c, void *fdt, size_t size)
{
    TRY(fdt_create(fdt, (int)size));
    TRY(fdt_finish_reservemap(fdt));
    TRY(fdt_begin_node(fdt, ""));
    TRY(fdt_property_cell(fdt, "#address-cells", 2));
    TRY(fdt_property_cell(fdt, "#size-cells", 2));
    TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
    TRY(fdt_property_string(fdt, "model", "riscv-virtio,rivet"));

    TRY(build_chosen(fdt, c));
    if (c->pmu) {
        /* QEMU 7.2 virt's node, for OpenSBI's SBI PMU: triplets (first
         * event, last event, counters); events 1 (cycles), 2 (instructions)
         * and the TLB misses 0x10019, 0x1001b, 0x10021 on mhpmcounter3-18
         * (cpu/riscv/pmu.c; cycles and instructions also on mcycle/minstret) */
        static const uint32_t map[] = { 0x01, 0x01, 0x7fff9, 0x02, 0x02, 0x7fffc, 0x10019, 0x10019, 0x7fff8,
                                        0x1001b, 0x1001b, 0x7fff8, 0x10021, 0x10021, 0x7fff8 };
        uint32_t be[sizeof map / sizeof map[0] + 5] = { 0 }; /* QEMU's five trailing zero cells */
        for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
            be[i] = cpu_to_fdt32(map[i]);
        TRY(fdt_begin_node(fdt, "pmu"));
        TRY(fdt_property(fdt, "riscv,event-to-mhpmcounters", be, (int)sizeof be));
        TRY(fdt_property_string(fdt, "compatible", "riscv,pmu"));
        TRY(fdt_end_node(fdt));
    }
    TRY(build_rows(fdt, c, true));
    TRY(begin_node_at(fdt, "memory", c->ram_base));
    TRY(fdt_property_string(fdt, "device_type", "memory"));
    TRY(prop_reg(fdt, c->ram_base, c->ram_size));
    TRY(fdt_end_node(fdt));
    TRY(build_cpus(fdt, c));
    TRY(build_soc(fdt, c));

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
