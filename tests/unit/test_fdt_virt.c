/* tests/unit/test_fdt_virt.c: the virt device tree, parsed back with libfdt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "machine/fdt_virt.h"

#define BUFSZ (64 * 1024)

static struct virt_fdt_config full_config(unsigned nharts)
{
    return (struct virt_fdt_config){
        .nharts = nharts,
        .ram_base = 0x80000000,
        .ram_size = 512ull << 20,
        .isa = "rv64imafdc_zicsr_zifencei_sstc",
        .mmu_type = "riscv,sv57",
        .timebase = 10000000,
        .bootargs = "console=ttyS0 guest.run=blk",
        .initrd_start = 0x9fc00000,
        .initrd_end = 0x9fd19aa2,
        .uart = true, .rtc = true, .test = true, .clint = true, .plic = true,
        .plic_ndev = 95,
        .virtio_mmio_count = 8,
        .pci = true,
        .stdout_path_uart = "/soc/serial@10000000",
    };
}

static void *build(const struct virt_fdt_config *c)
{
    void *fdt = malloc(BUFSZ);
    assert_non_null(fdt);
    memset(fdt, 0xcc, BUFSZ);
    int n = virt_fdt_build(c, fdt, BUFSZ);
    assert_true(n > 0);
    assert_int_equal(fdt_check_header(fdt), 0);
    assert_int_equal((unsigned)n, fdt_totalsize(fdt));
    return fdt;
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    if (off < 0)
        fail_msg("node %s missing: %s", path, fdt_strerror(off));
    return off;
}

static const fdt32_t *cells(const void *fdt, const char *path, const char *prop, int ncells)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node(fdt, path), prop, &len);
    if (!p)
        fail_msg("%s:%s missing", path, prop);
    if (len != ncells * 4)
        fail_msg("%s:%s has %d bytes, want %d", path, prop, len, ncells * 4);
    return p;
}

static uint32_t cell(const void *fdt, const char *path, const char *prop)
{
    return fdt32_to_cpu(cells(fdt, path, prop, 1)[0]);
}

static void check_cells(const void *fdt, const char *path, const char *prop,
                        const uint32_t *want, int n)
{
    const fdt32_t *p = cells(fdt, path, prop, n);
    for (int i = 0; i < n; i++)
        if (fdt32_to_cpu(p[i]) != want[i])
            fail_msg("%s:%s cell %d is 0x%x, want 0x%x", path, prop, i, fdt32_to_cpu(p[i]),
                     want[i]);
}

static void check_reg(const void *fdt, const char *path, uint64_t base, uint64_t size)
{
    uint32_t want[4] = { (uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                         (uint32_t)size };
    check_cells(fdt, path, "reg", want, 4);
}

static void check_str(const void *fdt, const char *path, const char *prop, const char *want)
{
    int len;
    const char *p = fdt_getprop(fdt, node(fdt, path), prop, &len);
    if (!p)
        fail_msg("%s:%s missing", path, prop);
    assert_int_equal(len, strlen(want) + 1);
    assert_string_equal(p, want);
}

/* A NUL-separated list, given as one string with '|' separators. */
static void check_strlist(const void *fdt, const char *path, const char *prop, const char *want)
{
    char buf[256];
    size_t n = strlen(want) + 1;
    memcpy(buf, want, n);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '|')
            buf[i] = 0;
    int len;
    const char *p = fdt_getprop(fdt, node(fdt, path), prop, &len);
    if (!p)
        fail_msg("%s:%s missing", path, prop);
    assert_int_equal(len, n);
    assert_memory_equal(p, buf, n);
}

static void check_empty(const void *fdt, const char *path, const char *prop)
{
    int len;
    assert_non_null(fdt_getprop(fdt, node(fdt, path), prop, &len));
    assert_int_equal(len, 0);
}

static void check_absent(const void *fdt, const char *path, const char *prop)
{
    int len;
    assert_null(fdt_getprop(fdt, node(fdt, path), prop, &len));
}

/* The path of the node a phandle names. */
static const char *phandle_path(const void *fdt, uint32_t ph)
{
    static char buf[256];
    int off = fdt_node_offset_by_phandle(fdt, ph);
    if (off < 0)
        fail_msg("phandle %u does not resolve", ph);
    assert_int_equal(fdt_get_path(fdt, off, buf, sizeof buf), 0);
    return buf;
}

static void check_ref(const void *fdt, const char *path, const char *prop, const char *target)
{
    assert_string_equal(phandle_path(fdt, cell(fdt, path, prop)), target);
}

/* interrupts-extended = <intc(h) a intc(h) b> per hart. */
static void check_per_hart(const void *fdt, const char *path, unsigned nharts, uint32_t a,
                           uint32_t b)
{
    const fdt32_t *p = cells(fdt, path, "interrupts-extended", 4 * (int)nharts);
    for (unsigned h = 0; h < nharts; h++) {
        char intc[64];
        snprintf(intc, sizeof intc, "/cpus/cpu@%x/interrupt-controller", h);
        assert_string_equal(phandle_path(fdt, fdt32_to_cpu(p[4 * h])), intc);
        assert_int_equal(fdt32_to_cpu(p[4 * h + 1]), a);
        assert_string_equal(phandle_path(fdt, fdt32_to_cpu(p[4 * h + 2])), intc);
        assert_int_equal(fdt32_to_cpu(p[4 * h + 3]), b);
    }
}

static void check_dev_irq(const void *fdt, const char *path, uint32_t irq)
{
    assert_int_equal(cell(fdt, path, "interrupts"), irq);
    check_ref(fdt, path, "interrupt-parent", "/soc/plic@c000000");
}

/* Every node's phandle is unique, and every cell-valued reference property
 * names an existing node. */
static void check_phandles(const void *fdt)
{
    uint32_t seen[2048];
    unsigned nseen = 0;
    for (int off = fdt_next_node(fdt, -1, NULL); off >= 0; off = fdt_next_node(fdt, off, NULL)) {
        uint32_t ph = fdt_get_phandle(fdt, off);
        if (ph) {
            for (unsigned i = 0; i < nseen; i++)
                assert_int_not_equal(seen[i], ph);
            assert_true(nseen < 2048);
            seen[nseen++] = ph;
        }
        static const char *const refs[] = { "interrupt-parent", "regmap", "cpu" };
        for (unsigned r = 0; r < 3; r++) {
            int len;
            const fdt32_t *v = fdt_getprop(fdt, off, refs[r], &len);
            if (v) {
                assert_int_equal(len, 4);
                assert_true(fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*v)) >= 0);
            }
        }
    }
}

static void check_common(const void *fdt, const struct virt_fdt_config *c)
{
    check_cells(fdt, "/", "#address-cells", (uint32_t[]){ 2 }, 1);
    check_cells(fdt, "/", "#size-cells", (uint32_t[]){ 2 }, 1);
    check_str(fdt, "/", "compatible", "riscv-virtio");
    check_str(fdt, "/", "model", "riscv-virtio,rivet");
    check_str(fdt, "/memory@80000000", "device_type", "memory");
    check_reg(fdt, "/memory@80000000", c->ram_base, c->ram_size);

    assert_int_equal(cell(fdt, "/cpus", "#address-cells"), 1);
    assert_int_equal(cell(fdt, "/cpus", "#size-cells"), 0);
    assert_int_equal(cell(fdt, "/cpus", "timebase-frequency"), c->timebase);
    for (unsigned h = 0; h < c->nharts; h++) {
        char cpu[64], intc[96], core[64];
        snprintf(cpu, sizeof cpu, "/cpus/cpu@%x", h);
        snprintf(intc, sizeof intc, "%s/interrupt-controller", cpu);
        snprintf(core, sizeof core, "/cpus/cpu-map/cluster0/core%u", h);
        check_str(fdt, cpu, "device_type", "cpu");
        assert_int_equal(cell(fdt, cpu, "reg"), h);
        check_str(fdt, cpu, "status", "okay");
        check_str(fdt, cpu, "compatible", "riscv");
        check_str(fdt, cpu, "riscv,isa", c->isa);
        check_str(fdt, cpu, "mmu-type", c->mmu_type);
        assert_int_equal(cell(fdt, intc, "#interrupt-cells"), 1);
        assert_int_equal(cell(fdt, intc, "#address-cells"), 0);
        check_empty(fdt, intc, "interrupt-controller");
        check_str(fdt, intc, "compatible", "riscv,cpu-intc");
        assert_true(cell(fdt, intc, "phandle") != 0);
        check_ref(fdt, core, "cpu", cpu);
    }
    char extra[64];
    snprintf(extra, sizeof extra, "/cpus/cpu@%x", c->nharts);
    assert_true(fdt_path_offset(fdt, extra) < 0);

    assert_int_equal(cell(fdt, "/soc", "#address-cells"), 2);
    assert_int_equal(cell(fdt, "/soc", "#size-cells"), 2);
    check_str(fdt, "/soc", "compatible", "simple-bus");
    check_empty(fdt, "/soc", "ranges");

    check_reg(fdt, "/soc/clint@2000000", 0x2000000, 0x10000);
    check_strlist(fdt, "/soc/clint@2000000", "compatible", "sifive,clint0|riscv,clint0");
    check_per_hart(fdt, "/soc/clint@2000000", c->nharts, 3, 7);

    const char *plic = "/soc/plic@c000000";
    check_reg(fdt, plic, 0xc000000, 0x600000);
    check_strlist(fdt, plic, "compatible", "sifive,plic-1.0.0|riscv,plic0");
    assert_int_equal(cell(fdt, plic, "riscv,ndev"), c->plic_ndev);
    check_empty(fdt, plic, "interrupt-controller");
    assert_int_equal(cell(fdt, plic, "#interrupt-cells"), 1);
    assert_int_equal(cell(fdt, plic, "#address-cells"), 0);
    check_per_hart(fdt, plic, c->nharts, 11, 9);

    check_reg(fdt, "/soc/serial@10000000", 0x10000000, 0x100);
    check_str(fdt, "/soc/serial@10000000", "compatible", "ns16550a");
    assert_int_equal(cell(fdt, "/soc/serial@10000000", "clock-frequency"), 3686400);
    check_dev_irq(fdt, "/soc/serial@10000000", 10);

    check_reg(fdt, "/soc/rtc@101000", 0x101000, 0x1000);
    check_str(fdt, "/soc/rtc@101000", "compatible", "google,goldfish-rtc");
    check_dev_irq(fdt, "/soc/rtc@101000", 11);

    check_reg(fdt, "/soc/test@100000", 0x100000, 0x1000);
    check_strlist(fdt, "/soc/test@100000", "compatible", "sifive,test1|sifive,test0|syscon");
    check_str(fdt, "/poweroff", "compatible", "syscon-poweroff");
    check_ref(fdt, "/poweroff", "regmap", "/soc/test@100000");
    assert_int_equal(cell(fdt, "/poweroff", "offset"), 0);
    assert_int_equal(cell(fdt, "/poweroff", "value"), 0x5555);
    check_str(fdt, "/reboot", "compatible", "syscon-reboot");
    check_ref(fdt, "/reboot", "regmap", "/soc/test@100000");
    assert_int_equal(cell(fdt, "/reboot", "offset"), 0);
    assert_int_equal(cell(fdt, "/reboot", "value"), 0x7777);

    /* No nodes the board does not have. */
    static const char *const absent[] = { "/pmu", "/fw-cfg@10100000", "/flash@20000000",
                                          "/platform-bus@4000000" };
    for (unsigned i = 0; i < 4; i++)
        assert_true(fdt_path_offset(fdt, absent[i]) < 0);
    check_absent(fdt, "/chosen", "rng-seed");
    check_phandles(fdt);
}

static void check_virtio(const void *fdt, unsigned count)
{
    /* Listed from the highest address down. */
    int soc = node(fdt, "/soc");
    unsigned expect = count;
    int sub;
    fdt_for_each_subnode(sub, fdt, soc) {
        const char *name = fdt_get_name(fdt, sub, NULL);
        if (strncmp(name, "virtio_mmio@", 12) != 0)
            continue;
        assert_true(expect > 0);
        expect--;
        char want[32], path[64];
        snprintf(want, sizeof want, "virtio_mmio@%x", 0x10001000 + expect * 0x1000);
        assert_string_equal(name, want);
        snprintf(path, sizeof path, "/soc/%s", want);
        check_reg(fdt, path, 0x10001000 + expect * 0x1000, 0x1000);
        check_str(fdt, path, "compatible", "virtio,mmio");
        check_dev_irq(fdt, path, 1 + expect);
    }
    assert_int_equal(expect, 0);
}

static void check_pci(const void *fdt)
{
    const char *pci = "/soc/pci@30000000";
    check_str(fdt, pci, "compatible", "pci-host-ecam-generic");
    check_str(fdt, pci, "device_type", "pci");
    check_reg(fdt, pci, 0x30000000, 0x10000000);
    check_cells(fdt, pci, "bus-range", (uint32_t[]){ 0, 0xff }, 2);
    assert_int_equal(cell(fdt, pci, "#address-cells"), 3);
    assert_int_equal(cell(fdt, pci, "#size-cells"), 2);
    assert_int_equal(cell(fdt, pci, "#interrupt-cells"), 1);
    assert_int_equal(cell(fdt, pci, "linux,pci-domain"), 0);
    check_empty(fdt, pci, "dma-coherent");
    check_cells(fdt, pci, "ranges",
                (uint32_t[]){ 0x1000000, 0, 0, 0, 0x3000000, 0, 0x10000,
                              0x2000000, 0, 0x40000000, 0, 0x40000000, 0, 0x40000000,
                              0x3000000, 4, 0, 4, 0, 4, 0 }, 21);
    check_cells(fdt, pci, "interrupt-map-mask", (uint32_t[]){ 0x1800, 0, 0, 7 }, 4);
    /* The map as QEMU 7.2 emits it (reference DTS), phandle cells checked
     * separately. */
    static const uint32_t ref[16][2] = {
        { 0x0000, 0x20 }, { 0x0000, 0x21 }, { 0x0000, 0x22 }, { 0x0000, 0x23 },
        { 0x0800, 0x21 }, { 0x0800, 0x22 }, { 0x0800, 0x23 }, { 0x0800, 0x20 },
        { 0x1000, 0x22 }, { 0x1000, 0x23 }, { 0x1000, 0x20 }, { 0x1000, 0x21 },
        { 0x1800, 0x23 }, { 0x1800, 0x20 }, { 0x1800, 0x21 }, { 0x1800, 0x22 },
    };
    const fdt32_t *m = cells(fdt, pci, "interrupt-map", 16 * 6);
    for (unsigned i = 0; i < 16; i++) {
        const fdt32_t *e = m + 6 * i;
        assert_int_equal(fdt32_to_cpu(e[0]), ref[i][0]);
        assert_int_equal(fdt32_to_cpu(e[1]), 0);
        assert_int_equal(fdt32_to_cpu(e[2]), 0);
        assert_int_equal(fdt32_to_cpu(e[3]), i % 4 + 1);
        assert_string_equal(phandle_path(fdt, fdt32_to_cpu(e[4])), "/soc/plic@c000000");
        assert_int_equal(fdt32_to_cpu(e[5]), ref[i][1]);
    }
}

static void test_one_hart(void **state)
{
    struct virt_fdt_config c = full_config(1);
    void *fdt = build(&c);
    check_common(fdt, &c);
    check_virtio(fdt, 8);
    check_pci(fdt);
    check_str(fdt, "/chosen", "bootargs", c.bootargs);
    check_str(fdt, "/chosen", "stdout-path", "/soc/serial@10000000");
    assert_true(fdt_path_offset(fdt, "/soc/serial@10000000") >= 0);
    check_cells(fdt, "/chosen", "linux,initrd-start", (uint32_t[]){ 0, 0x9fc00000 }, 2);
    check_cells(fdt, "/chosen", "linux,initrd-end", (uint32_t[]){ 0, 0x9fd19aa2 }, 2);
    free(fdt);
}

static void test_four_harts(void **state)
{
    struct virt_fdt_config c = full_config(4);
    c.ram_base = 0x80000000;
    c.ram_size = 0x140000000ull; /* 5 GiB: the size needs both cells */
    c.initrd_start = 0x100000000ull;
    c.initrd_end = 0x100100000ull;
    void *fdt = build(&c);
    check_common(fdt, &c);
    check_virtio(fdt, 8);
    check_pci(fdt);
    check_cells(fdt, "/chosen", "linux,initrd-start", (uint32_t[]){ 1, 0 }, 2);
    check_cells(fdt, "/chosen", "linux,initrd-end", (uint32_t[]){ 1, 0x100000 }, 2);
    free(fdt);
}

/* The 64-bit PCIe window is 16 GiB at the first 16 GiB boundary above
 * RAM, as QEMU places it: 0x4_0000_0000 up to 14 GiB of RAM, then
 * 0x8_0000_0000 (QEMU 7.2 -m 16G dumps exactly these ranges). */
static void test_pci_window_above_ram(void **state)
{
    static const struct { uint64_t ram; uint32_t hi; } cases[] = {
        { 14ull << 30, 4 }, { (14ull << 30) + 4096, 8 }, { 16ull << 30, 8 },
    };
    for (unsigned i = 0; i < 3; i++) {
        struct virt_fdt_config c = full_config(1);
        c.ram_size = cases[i].ram;
        void *fdt = build(&c);
        uint32_t hi = cases[i].hi;
        check_cells(fdt, "/soc/pci@30000000", "ranges",
                    (uint32_t[]){ 0x1000000, 0, 0, 0, 0x3000000, 0, 0x10000,
                                  0x2000000, 0, 0x40000000, 0, 0x40000000, 0, 0x40000000,
                                  0x3000000, hi, 0, hi, 0, 4, 0 }, 21);
        free(fdt);
    }
}

static void test_minimal(void **state)
{
    struct virt_fdt_config c = full_config(2);
    c.bootargs = NULL;
    c.initrd_start = c.initrd_end = 0;
    c.pci = false;
    c.virtio_mmio_count = 3;
    c.stdout_path_uart = NULL;
    void *fdt = build(&c);
    check_common(fdt, &c);
    check_virtio(fdt, 3);
    assert_true(fdt_path_offset(fdt, "/soc/pci@30000000") < 0);
    check_absent(fdt, "/chosen", "bootargs");
    check_absent(fdt, "/chosen", "linux,initrd-start");
    check_absent(fdt, "/chosen", "linux,initrd-end");
    check_str(fdt, "/chosen", "stdout-path", "/soc/serial@10000000");
    free(fdt);

    /* Empty bootargs count as none; without uart or test, their nodes and
     * the default stdout-path go away; without mmu-type, no property. */
    c.bootargs = "";
    c.uart = false;
    c.test = false;
    c.rtc = false;
    c.mmu_type = NULL;
    c.virtio_mmio_count = 0;
    fdt = build(&c);
    check_absent(fdt, "/chosen", "bootargs");
    check_absent(fdt, "/chosen", "stdout-path");
    check_absent(fdt, "/cpus/cpu@0", "mmu-type");
    static const char *const gone[] = { "/soc/serial@10000000", "/soc/test@100000",
                                        "/soc/rtc@101000", "/poweroff", "/reboot",
                                        "/soc/virtio_mmio@10001000" };
    for (unsigned i = 0; i < 6; i++)
        assert_true(fdt_path_offset(fdt, gone[i]) < 0);
    check_phandles(fdt);
    free(fdt);

    /* Without a PLIC, devices carry no interrupt properties. */
    c = full_config(1);
    c.pci = false;
    c.plic = false;
    fdt = build(&c);
    assert_true(fdt_path_offset(fdt, "/soc/plic@c000000") < 0);
    check_absent(fdt, "/soc/serial@10000000", "interrupts");
    check_absent(fdt, "/soc/serial@10000000", "interrupt-parent");
    check_absent(fdt, "/soc/virtio_mmio@10001000", "interrupt-parent");
    check_phandles(fdt);
    free(fdt);
}

/* The extension properties of the current binding, next to riscv,isa. */
static void test_isa_extensions(void **state)
{
    struct virt_fdt_config c = full_config(2);
    static const char ext[] = "i\0m\0a\0f\0d\0c\0zicboz\0zicsr\0sstc";
    c.isa_base = "rv64i";
    c.isa_ext = ext;
    c.isa_ext_len = sizeof ext;
    c.cboz_block_size = 64;
    void *fdt = build(&c);
    for (unsigned h = 0; h < 2; h++) {
        char path[32];
        snprintf(path, sizeof path, "/cpus/cpu@%x", h);
        int cpu = node(fdt, path), len;
        check_str(fdt, path, "riscv,isa-base", "rv64i");
        const void *p = fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len);
        assert_non_null(p);
        assert_int_equal(len, sizeof ext);
        assert_memory_equal(p, ext, sizeof ext);
        assert_int_equal(fdt32_to_cpu(*cells(fdt, path, "riscv,cboz-block-size", 1)), 64);
        assert_null(fdt_getprop(fdt, cpu, "riscv,cbom-block-size", &len));
    }
    free(fdt);
    /* Left out unless given (the full config above has none of them). */
    c = full_config(1);
    fdt = build(&c);
    int len, cpu = node(fdt, "/cpus/cpu@0");
    assert_null(fdt_getprop(fdt, cpu, "riscv,isa-base", &len));
    assert_null(fdt_getprop(fdt, cpu, "riscv,isa-extensions", &len));
    free(fdt);
}

/* The /pmu node (Zihpm on): QEMU 7.2 virt's riscv,event-to-mhpmcounters,
 * cell for cell as the reference DTS has it. */
static void test_pmu_node(void **state)
{
    (void)state;
    struct virt_fdt_config c = full_config(2);
    c.pmu = true;
    void *fdt = build(&c);
    static const uint32_t want[] = { 0x01, 0x01, 0x7fff9, 0x02, 0x02, 0x7fffc, 0x10019, 0x10019, 0x7fff8,
                                     0x1001b, 0x1001b, 0x7fff8, 0x10021, 0x10021, 0x7fff8, 0, 0, 0, 0, 0 };
    const fdt32_t *p = cells(fdt, "/pmu", "riscv,event-to-mhpmcounters", 20);
    for (unsigned i = 0; i < 20; i++)
        assert_int_equal(fdt32_to_cpu(p[i]), want[i]);
    check_str(fdt, "/pmu", "compatible", "riscv,pmu");
    free(fdt);
    c.pmu = false;
    fdt = build(&c);
    assert_true(fdt_path_offset(fdt, "/pmu") < 0);
    free(fdt);
}

static void test_bad_config(void **state)
{
    static uint8_t buf[BUFSZ];
    struct virt_fdt_config c = full_config(1);
    assert_true(virt_fdt_build(&c, buf, sizeof buf) > 0);
    c.nharts = 0;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c.nharts = VIRT_FDT_MAX_HARTS + 1;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c = full_config(1);
    c.isa = NULL;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c = full_config(1);
    c.virtio_mmio_count = 9;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c = full_config(1);
    c.plic = false;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1); /* pci needs it */
    c = full_config(1);
    c.plic_ndev = 34;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c.plic_ndev = 35;
    assert_true(virt_fdt_build(&c, buf, sizeof buf) > 0);
    c.pci = false;
    c.plic_ndev = 10;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1); /* rtc is 11 */
    c.plic_ndev = 11;
    assert_true(virt_fdt_build(&c, buf, sizeof buf) > 0);
    c = full_config(1);
    c.initrd_end = c.initrd_start - 1;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c = full_config(1);
    c.ram_size = 0;
    assert_int_equal(virt_fdt_build(&c, buf, sizeof buf), -1);
    c = full_config(1);
    assert_int_equal(virt_fdt_build(&c, buf, 256), -1);
    assert_int_equal(virt_fdt_build(NULL, buf, sizeof buf), -1);
    assert_int_equal(virt_fdt_build(&c, NULL, sizeof buf), -1);
    /* Every size below the needed one fails cleanly, the exact one works. */
    int need = virt_fdt_build(&c, buf, sizeof buf);
    assert_true(need > 0);
    for (int sz = 0; sz < need; sz += 7)
        assert_int_equal(virt_fdt_build(&c, buf, (size_t)sz), -1);
    assert_int_equal(virt_fdt_build(&c, buf, (size_t)need), need);
}

static void test_deterministic_and_max(void **state)
{
    struct virt_fdt_config c = full_config(4);
    void *a = build(&c), *b = build(&c);
    assert_memory_equal(a, b, fdt_totalsize(a));
    free(a);
    free(b);
    c = full_config(VIRT_FDT_MAX_HARTS);
    size_t big = 1 << 20;
    void *fdt = malloc(big);
    assert_non_null(fdt);
    int n = virt_fdt_build(&c, fdt, big);
    assert_true(n > 0);
    assert_int_equal(fdt_check_header(fdt), 0);
    check_common(fdt, &c);
    free(fdt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_hart),
        cmocka_unit_test(test_four_harts),
        cmocka_unit_test(test_pci_window_above_ram),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_isa_extensions),
        cmocka_unit_test(test_pmu_node),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_deterministic_and_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
