/* tests/unit/test_pci.c: the PCIe host bridge and PCI configuration space:
 * ECAM decoding, read-only / read-write / write-1-to-clear bits, BAR sizing,
 * decode enable and BAR moves on the bus, overlap refusal, absent
 * functions and odd accesses, the capability list (PCI Express, MSI-X),
 * INTx routing. The guest side is played through bus_read/bus_write at
 * the ECAM, I/O and BAR addresses, as the CPU would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "bus/pci/msix.h"
#include "bus/pci/pci.h"

#define ECAM     0x30000000ull
#define PIO      0x3000000ull
#define MMIO     0x40000000ull
#define MMIO64   0x400000000ull
#define RAM      0x80000000ull
#define RAM_SIZE 0x10000ull

/* ---- the test device: a 32-bit memory BAR (0), a 64-bit prefetchable
 * memory BAR (2-3) and an I/O BAR (4); with `express`, also a PCI Express
 * capability and 4 MSI-X vectors in BAR 5. */

struct tbar {
    uint8_t mem[64];
    unsigned reads, writes;
    uint64_t last_off;
};

static uint64_t tbar_read(void *opaque, uint64_t off, unsigned size)
{
    struct tbar *b = opaque;
    uint64_t v = 0;
    b->reads++;
    b->last_off = off;
    memcpy(&v, b->mem + off % 32, size);
    return v;
}

static void tbar_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct tbar *b = opaque;
    b->writes++;
    b->last_off = off;
    memcpy(b->mem + off % 32, &v, size);
}

static const struct bus_device_ops tbar_ops = { .read = tbar_read, .write = tbar_write };

struct tdev {
    struct pci_dev pci;
    struct tbar bar[PCI_NUM_BARS];
};

static void tdev_init(struct tdev *t, bool express)
{
    pci_dev_init(&t->pci, 0x1234, 0x5678, 0xff0000, 0x1af4, 0x1100, 3);
    assert_int_equal(pci_dev_add_bar(&t->pci, 0, 0x1000, PCI_BAR_MEM32, &tbar_ops, &t->bar[0]), 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 2, 0x4000, PCI_BAR_MEM64 | PCI_BAR_PREFETCH, &tbar_ops, &t->bar[2]), 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 4, 32, PCI_BAR_IO, &tbar_ops, &t->bar[4]), 0);
    if (express) {
        assert_int_equal(pci_dev_add_pcie_cap(&t->pci, PCI_EXP_TYPE_ENDPOINT), 0x40);
        assert_int_equal(pci_msix_init(&t->pci, 4, 5), 0x7c);
    }
}

/* ---- fixture: a bus with RAM, the host bridge at QEMU virt's addresses,
 * a plain test device in slot 1 and an express one in slot 2. */

struct sink {
    bool level[PCI_INTX_PINS];
    unsigned calls;
};

static void sink_set(void *opaque, unsigned n, bool level)
{
    struct sink *s = opaque;
    s->level[n] = level;
    s->calls++;
}

struct fix {
    struct bus bus;
    uint8_t ram[RAM_SIZE];
    struct sink sink;
    struct pci_host *host;
    struct tdev a, b;
};

static int setup(void **state)
{
    struct fix *f = test_calloc(1, sizeof *f);
    bus_init(&f->bus);
    assert_int_equal(bus_map_ram(&f->bus, RAM, RAM_SIZE, "ram", f->ram), 0);
    struct irq_line intx[PCI_INTX_PINS];
    for (unsigned i = 0; i < PCI_INTX_PINS; i++)
        intx[i] = (struct irq_line){ sink_set, &f->sink, i };
    f->host = pci_host_new(&f->bus, intx);
    assert_non_null(f->host);
    assert_int_equal(pci_host_map_ecam(f->host, ECAM, 0x10000000), 0);
    assert_int_equal(pci_host_map_io(f->host, PIO, 0x10000), 0);
    assert_int_equal(pci_host_add_mem_window(f->host, MMIO, 0x40000000), 0);
    assert_int_equal(pci_host_add_mem_window(f->host, MMIO64, 0x400000000ull), 0);
    tdev_init(&f->a, false);
    tdev_init(&f->b, true);
    assert_int_equal(pci_host_add(f->host, -1, &f->a.pci), 1);
    assert_int_equal(pci_host_add(f->host, -1, &f->b.pci), 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    pci_host_free(f->host);
    pci_dev_destroy(&f->a.pci);
    pci_dev_destroy(&f->b.pci);
    bus_free(&f->bus);
    test_free(f);
    return 0;
}

static uint64_t ecam_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    return ECAM + ((uint64_t)bus << 20 | dev << 15 | fn << 12 | reg);
}

static uint64_t cfg_rd(struct fix *f, unsigned slot, unsigned reg, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    assert_true(bus_read(&f->bus, ecam_addr(0, slot, 0, reg), size, &v));
    return v;
}

static void cfg_wr(struct fix *f, unsigned slot, unsigned reg, unsigned size, uint64_t v)
{
    assert_true(bus_write(&f->bus, ecam_addr(0, slot, 0, reg), size, v));
}

static uint64_t rd(struct fix *f, uint64_t addr, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    assert_true(bus_read(&f->bus, addr, size, &v));
    return v;
}

static bool mapped_at(struct fix *f, uint64_t addr, const char *name)
{
    const struct bus_region *r = bus_find(&f->bus, addr);
    return r && r->name && strcmp(r->name, name) == 0;
}

static bool io_mapped_at(struct fix *f, uint64_t port, const char *name)
{
    const struct bus_region *r = bus_find(&f->host->io, port);
    return r && r->name && strcmp(r->name, name) == 0;
}

/* ---- tests ---- */

static void test_ecam_decode(void **state)
{
    struct fix *f = *state;
    /* 00.0: the host bridge, as QEMU's gpex. */
    assert_int_equal(cfg_rd(f, 0, PCI_VENDOR_ID, 4), 0x00081b36);
    assert_int_equal(cfg_rd(f, 0, PCI_REVISION_ID, 4), 0x06000000);
    assert_int_equal(cfg_rd(f, 0, PCI_HEADER_TYPE, 1), 0);
    assert_int_equal(cfg_rd(f, 0, PCI_INTERRUPT_PIN, 1), 0);
    assert_int_equal(cfg_rd(f, 0, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
    /* 00:01.0 at every access size. */
    assert_int_equal(cfg_rd(f, 1, PCI_VENDOR_ID, 4), 0x56781234);
    assert_int_equal(cfg_rd(f, 1, PCI_VENDOR_ID, 2), 0x1234);
    assert_int_equal(cfg_rd(f, 1, PCI_DEVICE_ID, 2), 0x5678);
    assert_int_equal(cfg_rd(f, 1, PCI_DEVICE_ID + 1, 1), 0x56);
    assert_int_equal(cfg_rd(f, 1, PCI_REVISION_ID, 4), 0xff000003);
    assert_int_equal(cfg_rd(f, 1, PCI_CLASS_PROG + 2, 1), 0xff);
    assert_int_equal(cfg_rd(f, 1, PCI_INTERRUPT_PIN, 1), 1);
    /* 8 bytes is not a configuration access: an access fault. */
    uint64_t v;
    assert_false(bus_read(&f->bus, ecam_addr(0, 1, 0, 0), 8, &v));
    /* bus/dev/fn/reg fields: another bus, function or slot is absent. */
    assert_true(bus_read(&f->bus, ecam_addr(1, 1, 0, 0), 4, &v));
    assert_int_equal(v, 0xffffffff);
    assert_true(bus_read(&f->bus, ecam_addr(0, 1, 1, 0), 4, &v));
    assert_int_equal(v, 0xffffffff);
    assert_true(bus_read(&f->bus, ecam_addr(255, 31, 7, 0xffc), 4, &v));
    assert_int_equal(v, 0xffffffff);
    assert_int_equal(cfg_rd(f, 3, 0, 2), 0xffff);
    assert_int_equal(cfg_rd(f, 31, 0, 1), 0xff);
    /* The register offset lands in the right function. */
    cfg_wr(f, 2, PCI_INTERRUPT_LINE, 1, 0x5a);
    assert_int_equal(cfg_rd(f, 2, PCI_INTERRUPT_LINE, 1), 0x5a);
    assert_int_equal(cfg_rd(f, 1, PCI_INTERRUPT_LINE, 1), 0);
    assert_int_equal(cfg_rd(f, 0, PCI_INTERRUPT_LINE, 1), 0);
    assert_ptr_equal(pci_host_dev(f->host, 0, 2, 0), &f->b.pci);
    assert_null(pci_host_dev(f->host, 0, 2, 1));
    assert_null(pci_host_dev(f->host, 1, 2, 0));
    assert_null(pci_host_dev(f->host, 0, 32, 0));
}

static void test_readonly_bits(void **state)
{
    struct fix *f = *state;
    static const unsigned ro[] = { PCI_VENDOR_ID, PCI_REVISION_ID, PCI_CARDBUS_CIS,
                                   PCI_SUBSYSTEM_VENDOR_ID, PCI_ROM_ADDRESS };
    uint32_t before[5];
    for (unsigned i = 0; i < 5; i++)
        before[i] = (uint32_t)cfg_rd(f, 1, ro[i], 4);
    for (unsigned i = 0; i < 5; i++)
        cfg_wr(f, 1, ro[i], 4, 0xffffffff);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(cfg_rd(f, 1, ro[i], 4), before[i]);
    /* No expansion ROM: its BAR reads 0, sizing included. */
    assert_int_equal(cfg_rd(f, 1, PCI_ROM_ADDRESS, 4), 0);
    /* Header type, BIST, capabilities pointer, pin, min/max are read-only. */
    cfg_wr(f, 1, PCI_HEADER_TYPE, 2, 0xffff);
    assert_int_equal(cfg_rd(f, 1, PCI_HEADER_TYPE, 2), 0);
    cfg_wr(f, 1, PCI_CAPABILITY_LIST, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, PCI_CAPABILITY_LIST, 4), 0);
    cfg_wr(f, 2, PCI_CAPABILITY_LIST, 1, 0x80);
    assert_int_equal(cfg_rd(f, 2, PCI_CAPABILITY_LIST, 1), 0x40);
    cfg_wr(f, 1, PCI_INTERRUPT_LINE, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, PCI_INTERRUPT_LINE, 4), 0x000001ff); /* line RW, pin RO */
    /* Reserved space after the header with no capability there. */
    cfg_wr(f, 1, 0x40, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, 0x40, 4), 0);
}

static void test_readwrite_bits(void **state)
{
    struct fix *f = *state;
    /* Command: I/O and memory decode (the device has both kinds of BAR),
     * bus master, parity, SERR, interrupt disable; the rest hardwired 0. */
    cfg_wr(f, 1, PCI_COMMAND, 2, 0xffff);
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 2), 0x0547);
    cfg_wr(f, 1, PCI_COMMAND, 2, 0);
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 2), 0);
    cfg_wr(f, 1, PCI_COMMAND + 1, 1, 0xff); /* byte write of the high half */
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 2), 0x0500);
    /* The host bridge has no BARs: no decode bits. */
    cfg_wr(f, 0, PCI_COMMAND, 2, 0xffff);
    assert_int_equal(cfg_rd(f, 0, PCI_COMMAND, 2), 0x0544);
    /* Cache line size, latency timer (conventional PCI), interrupt line. */
    cfg_wr(f, 1, PCI_CACHE_LINE_SIZE, 2, 0x4010);
    assert_int_equal(cfg_rd(f, 1, PCI_CACHE_LINE_SIZE, 2), 0x4010);
    cfg_wr(f, 1, PCI_INTERRUPT_LINE, 1, 0x21);
    assert_int_equal(cfg_rd(f, 1, PCI_INTERRUPT_LINE, 1), 0x21);
    /* PCI Express hardwires the latency timer to 0. */
    cfg_wr(f, 2, PCI_CACHE_LINE_SIZE, 2, 0x4010);
    assert_int_equal(cfg_rd(f, 2, PCI_CACHE_LINE_SIZE, 2), 0x0010);
}

static void test_status_w1c(void **state)
{
    struct fix *f = *state;
    pci_dev_status_set(&f->b.pci, PCI_STATUS_ERRORS);
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2), 0xf900 | PCI_STATUS_CAP_LIST);
    cfg_wr(f, 2, PCI_STATUS, 2, 0);                           /* 0 leaves them */
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2), 0xf910);
    cfg_wr(f, 2, PCI_STATUS, 2, PCI_STATUS_REC_MASTER_ABORT); /* 1 clears that one */
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2), 0xd910);
    cfg_wr(f, 2, PCI_STATUS + 1, 1, 0x01);                    /* byte write */
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2), 0xd810);
    /* A dword write of the command register with zeros in the status half
     * (what drivers do) does not clear them. */
    cfg_wr(f, 2, PCI_COMMAND, 4, PCI_COMMAND_MASTER);
    assert_int_equal(cfg_rd(f, 2, PCI_COMMAND, 4), 0xd8100000 | PCI_COMMAND_MASTER);
    /* All ones clears the error bits; read-only status bits stay. */
    pci_set_irq(&f->b.pci, true);
    cfg_wr(f, 2, PCI_STATUS, 2, 0xffff);
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2), PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT);
    pci_set_irq(&f->b.pci, false);
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2), PCI_STATUS_CAP_LIST);
    /* A conventional function has no capability list. */
    assert_int_equal(cfg_rd(f, 1, PCI_STATUS, 2), 0);
}

static void test_bar_sizing(void **state)
{
    struct fix *f = *state;
    /* Read-back values before sizing: the type bits. */
    assert_int_equal(cfg_rd(f, 1, 0x10, 4), 0x0);
    assert_int_equal(cfg_rd(f, 1, 0x18, 4), 0xc);
    assert_int_equal(cfg_rd(f, 1, 0x20, 4), 0x1);
    for (unsigned r = 0x10; r <= 0x24; r += 4)
        cfg_wr(f, 1, r, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, 0x10, 4), 0xfffff000); /* 32-bit, 4 KiB */
    assert_int_equal(cfg_rd(f, 1, 0x14, 4), 0);          /* unimplemented */
    assert_int_equal(cfg_rd(f, 1, 0x18, 4), 0xffffc00c); /* 64-bit prefetchable, 16 KiB */
    assert_int_equal(cfg_rd(f, 1, 0x1c, 4), 0xffffffff); /* its upper half */
    assert_int_equal(cfg_rd(f, 1, 0x20, 4), 0xffffffe1); /* I/O, 32 bytes */
    assert_int_equal(cfg_rd(f, 1, 0x24, 4), 0);
    /* MSI-X lives in BAR 5 of the express device: 32-bit, 4 KiB. */
    cfg_wr(f, 2, 0x24, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 2, 0x24, 4), 0xfffff000);
    /* Sizing with decode off maps nothing. */
    assert_int_equal(f->host->io.count, 0);
    assert_null(bus_find(&f->bus, 0xfffff000));

    /* A 64-bit BAR above 4 GiB in size, non-prefetchable; and 32-bit ones
     * at the size limits. */
    struct tdev *t = test_calloc(1, sizeof *t);
    pci_dev_init(&t->pci, 0x1234, 0x1, 0xff0000, 0, 0, 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 0, 8ull << 30, PCI_BAR_MEM64, &tbar_ops, &t->bar[0]), 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 2, 1ull << 31, PCI_BAR_MEM32 | PCI_BAR_PREFETCH, &tbar_ops, &t->bar[2]), 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 3, 16, PCI_BAR_MEM32, &tbar_ops, &t->bar[3]), 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 4, 256, PCI_BAR_IO, &tbar_ops, &t->bar[4]), 0);
    assert_int_equal(pci_dev_add_bar(&t->pci, 5, 4, PCI_BAR_IO, &tbar_ops, &t->bar[5]), 0);
    assert_int_equal(pci_host_add(f->host, 7, &t->pci), 7);
    for (unsigned r = 0x10; r <= 0x24; r += 4)
        cfg_wr(f, 7, r, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 7, 0x10, 4), 0x00000004);
    assert_int_equal(cfg_rd(f, 7, 0x14, 4), 0xfffffffe);
    assert_int_equal(cfg_rd(f, 7, 0x18, 4), 0x80000008);
    assert_int_equal(cfg_rd(f, 7, 0x1c, 4), 0xfffffff0);
    assert_int_equal(cfg_rd(f, 7, 0x20, 4), 0xffffff01);
    assert_int_equal(cfg_rd(f, 7, 0x24, 4), 0xfffffffd);
    pci_host_free(f->host);
    f->host = NULL;
    test_free(t);
}

static void test_decode_maps_and_unmaps(void **state)
{
    struct fix *f = *state;
    cfg_wr(f, 1, 0x10, 4, MMIO + 0x1000);
    cfg_wr(f, 1, 0x18, 4, 0x4000);
    cfg_wr(f, 1, 0x1c, 4, MMIO64 >> 32);
    cfg_wr(f, 1, 0x20, 4, 0x100);
    /* Programmed, but not decoded yet. */
    assert_null(bus_find(&f->bus, MMIO + 0x1000));
    assert_null(bus_find(&f->bus, MMIO64 + 0x4000));
    assert_int_equal(rd(f, PIO + 0x100, 4), 0xffffffff); /* no one at that port */
    assert_int_equal(f->a.bar[4].reads, 0);

    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    assert_true(mapped_at(f, MMIO + 0x1000, "pci 00:01.0 BAR0"));
    assert_true(mapped_at(f, MMIO + 0x1fff, "pci 00:01.0 BAR0"));
    assert_null(bus_find(&f->bus, MMIO + 0x2000));
    assert_true(mapped_at(f, MMIO64 + 0x4000, "pci 00:01.0 BAR2"));
    f->a.bar[0].mem[4] = 0x77;
    assert_int_equal(rd(f, MMIO + 0x1004, 1), 0x77);
    assert_int_equal(f->a.bar[0].last_off, 4);
    assert_true(bus_write(&f->bus, MMIO64 + 0x4008, 4, 0xcafe));
    assert_int_equal(f->a.bar[2].last_off, 8);
    assert_int_equal(rd(f, PIO + 0x100, 4), 0xffffffff); /* I/O decode still off */

    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    assert_true(io_mapped_at(f, 0x100, "pci 00:01.0 BAR4"));
    f->a.bar[4].mem[2] = 0x42;
    assert_int_equal(rd(f, PIO + 0x102, 1), 0x42);
    assert_int_equal(f->a.bar[4].last_off, 2);
    assert_true(bus_write(&f->bus, PIO + 0x11f, 1, 0x9));
    assert_int_equal(f->a.bar[4].last_off, 0x1f);
    assert_int_equal(rd(f, PIO + 0x120, 1), 0xff);       /* just past it */

    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_IO);
    assert_null(bus_find(&f->bus, MMIO + 0x1000));
    assert_null(bus_find(&f->bus, MMIO64 + 0x4000));
    assert_true(io_mapped_at(f, 0x100, "pci 00:01.0 BAR4"));
    cfg_wr(f, 1, PCI_COMMAND, 2, 0);
    assert_int_equal(f->host->io.count, 0);
    assert_int_equal(rd(f, PIO + 0x100, 4), 0xffffffff);
    /* A BAR left at its reset address 0 is not decoded. */
    cfg_wr(f, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    assert_int_equal(f->host->io.count, 0);
    assert_false(f->b.pci.bar[0].mapped);
}

static void test_move_bar(void **state)
{
    struct fix *f = *state;
    cfg_wr(f, 1, 0x10, 4, MMIO + 0x1000);
    cfg_wr(f, 1, 0x18, 4, 0x4000);
    cfg_wr(f, 1, 0x1c, 4, MMIO64 >> 32);
    cfg_wr(f, 1, 0x20, 4, 0x100);
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    uint64_t gen = f->bus.generation;

    cfg_wr(f, 1, 0x10, 4, MMIO + 0x8000); /* moved with decode on */
    assert_null(bus_find(&f->bus, MMIO + 0x1000));
    assert_true(mapped_at(f, MMIO + 0x8000, "pci 00:01.0 BAR0"));
    assert_true(f->bus.generation > gen);
    cfg_wr(f, 1, 0x11, 1, 0x90);          /* a byte write moves it too */
    assert_true(mapped_at(f, MMIO + 0x9000, "pci 00:01.0 BAR0"));
    assert_null(bus_find(&f->bus, MMIO + 0x8000));

    /* The 64-bit BAR, half by half: from the 64-bit window into the 32-bit
     * one. */
    cfg_wr(f, 1, 0x18, 4, 0x40100000);
    assert_true(mapped_at(f, MMIO64 + 0x40100000, "pci 00:01.0 BAR2"));
    cfg_wr(f, 1, 0x1c, 4, 0);
    assert_true(mapped_at(f, 0x40100000, "pci 00:01.0 BAR2"));
    assert_null(bus_find(&f->bus, MMIO64 + 0x40100000));
    /* An 8-byte config write is refused (access fault) and moves nothing;
     * the two halves do. */
    assert_false(bus_write(&f->bus, ecam_addr(0, 1, 0, 0x18), 8, MMIO64 + 0x10000));
    assert_true(mapped_at(f, 0x40100000, "pci 00:01.0 BAR2"));
    cfg_wr(f, 1, 0x1c, 4, (MMIO64 + 0x10000) >> 32);
    cfg_wr(f, 1, 0x18, 4, (uint32_t)(MMIO64 + 0x10000));
    assert_true(mapped_at(f, MMIO64 + 0x10000, "pci 00:01.0 BAR2"));
    assert_null(bus_find(&f->bus, 0x40100000));

    cfg_wr(f, 1, 0x20, 4, 0x2000);
    assert_null(bus_find(&f->host->io, 0x100));
    assert_true(io_mapped_at(f, 0x2000, "pci 00:01.0 BAR4"));
    f->a.bar[4].mem[0] = 0x5;
    assert_int_equal(rd(f, PIO + 0x2000, 1), 0x5);
}

static void test_overlap_refused(void **state)
{
    struct fix *f = *state;
    cfg_wr(f, 1, 0x10, 4, MMIO + 0x1000);
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    /* The other device's BAR 0 programmed over it stays unmapped. */
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x1000);
    cfg_wr(f, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    assert_false(f->b.pci.bar[0].mapped);
    assert_true(mapped_at(f, MMIO + 0x1000, "pci 00:01.0 BAR0"));
    /* Moved to a free place, it maps. */
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x3000);
    assert_true(mapped_at(f, MMIO + 0x3000, "pci 00:02.0 BAR0"));
    /* Back over the first, then the first goes away: the second takes
     * the place without being written again. */
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x1000);
    assert_false(f->b.pci.bar[0].mapped);
    assert_null(bus_find(&f->bus, MMIO + 0x3000));
    cfg_wr(f, 1, PCI_COMMAND, 2, 0);
    assert_true(mapped_at(f, MMIO + 0x1000, "pci 00:02.0 BAR0"));

    /* Over RAM: outside every window; RAM stays RAM. */
    cfg_wr(f, 2, 0x10, 4, (uint32_t)RAM);
    assert_false(f->b.pci.bar[0].mapped);
    const struct bus_region *r = bus_find(&f->bus, RAM);
    assert_non_null(r);
    assert_ptr_equal(r->host, f->ram);
    /* Over a region the board put inside a window: bus_map refuses it. */
    struct tbar busy = { 0 };
    assert_int_equal(bus_map(&f->bus, MMIO + 0x100000, 0x1000, "busy", &tbar_ops, &busy), 0);
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x100000);
    assert_false(f->b.pci.bar[0].mapped);
    assert_true(mapped_at(f, MMIO + 0x100000, "busy"));
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x101000);
    assert_true(mapped_at(f, MMIO + 0x101000, "pci 00:02.0 BAR0"));
    /* Just below the window (where the ECAM is), or at the all-ones
     * sizing value. */
    cfg_wr(f, 2, 0x10, 4, MMIO - 0x1000);
    assert_false(f->b.pci.bar[0].mapped);
    cfg_wr(f, 2, 0x10, 4, 0xffffffff);
    assert_false(f->b.pci.bar[0].mapped);
    /* The MSI-X table BAR over the same device's BAR 0. */
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x200000);
    cfg_wr(f, 2, 0x24, 4, MMIO + 0x200000);
    assert_true(f->b.pci.bar[0].mapped);
    assert_false(f->b.pci.bar[5].mapped);
    cfg_wr(f, 2, 0x10, 4, MMIO + 0x201000);  /* BAR 0 leaves: BAR 5 maps */
    assert_true(mapped_at(f, MMIO + 0x200000, "pci 00:02.0 BAR5"));
    assert_true(mapped_at(f, MMIO + 0x201000, "pci 00:02.0 BAR0"));

    /* I/O BARs: overlapping ports, and past the I/O window. */
    cfg_wr(f, 1, 0x20, 4, 0x100);
    cfg_wr(f, 2, 0x20, 4, 0x110);
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_IO);
    cfg_wr(f, 2, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    assert_true(io_mapped_at(f, 0x100, "pci 00:01.0 BAR4"));
    assert_false(f->b.pci.bar[4].mapped);
    cfg_wr(f, 2, 0x20, 4, 0x10000);
    assert_false(f->b.pci.bar[4].mapped);
    cfg_wr(f, 2, 0x20, 4, 0xffe0);
    assert_true(io_mapped_at(f, 0xffe0, "pci 00:02.0 BAR4"));
}

static void test_absent_and_outside(void **state)
{
    struct fix *f = *state;
    /* Writes to absent functions are ignored, reads are all ones. */
    assert_true(bus_write(&f->bus, ecam_addr(0, 9, 0, PCI_COMMAND), 2, 0xffff));
    assert_true(bus_write(&f->bus, ecam_addr(0, 1, 3, PCI_COMMAND), 2, 0xffff));
    assert_true(bus_write(&f->bus, ecam_addr(4, 1, 0, PCI_COMMAND), 2, 0xffff));
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 2), 0);
    assert_int_equal(cfg_rd(f, 9, PCI_COMMAND, 2), 0xffff);
    /* A conventional function has 256 bytes: beyond reads all ones. */
    assert_int_equal(cfg_rd(f, 1, 0x100, 4), 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, 0xffc, 4), 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, 0xfff, 1), 0xff);
    cfg_wr(f, 1, 0x100, 4, 0);
    assert_int_equal(cfg_rd(f, 1, 0x100, 4), 0xffffffff);
    assert_int_equal(cfg_rd(f, 0, 0x100, 4), 0xffffffff);
    /* A PCI Express function has 4 KiB, with no extended capability. */
    assert_int_equal(cfg_rd(f, 2, 0x100, 4), 0);
    cfg_wr(f, 2, 0x100, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 2, 0x100, 4), 0);
    assert_int_equal(cfg_rd(f, 2, 0xffc, 4), 0);
}

static void test_odd_accesses(void **state)
{
    struct fix *f = *state;
    /* Misaligned or 8 bytes: access faults raised by the bus, nothing
     * reaches the function. */
    uint64_t v;
    assert_false(bus_read(&f->bus, ecam_addr(0, 1, 0, 0x01), 2, &v));
    assert_false(bus_read(&f->bus, ecam_addr(0, 1, 0, 0x02), 4, &v));
    assert_false(bus_read(&f->bus, ecam_addr(0, 1, 0, 0x04), 8, &v));
    assert_false(bus_write(&f->bus, ecam_addr(0, 1, 0, 0x03), 2, 0xffff));
    assert_false(bus_write(&f->bus, ecam_addr(0, 1, 0, 0x05), 4, 0xffffffff));
    assert_false(bus_write(&f->bus, ecam_addr(0, 1, 0, 0x0c), 8, 0));
    assert_false(bus_write(&f->bus, ecam_addr(0, 1, 0, PCI_COMMAND), 8, 0xffffffff));
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 4), 0);
    /* Direct calls with bad sizes or offsets past the space. */
    assert_int_equal(pci_config_read(&f->a.pci, 0, 3), 0xffffff);
    assert_int_equal(pci_config_read(&f->a.pci, 0, 0), 0);
    assert_int_equal(pci_config_read(&f->a.pci, 4096, 4), 0xffffffff);
    assert_int_equal(pci_config_read(&f->b.pci, 4094, 4), 0xffffffff);
    pci_config_write(&f->a.pci, PCI_COMMAND, 3, 0xffffff);
    pci_config_write(&f->b.pci, 0xfffffffe, 4, 0xffffffff);
    pci_config_write(&f->b.pci, 0xfffffffc, 4, 0xffffffff); /* off + size wraps */
    assert_int_equal(pci_config_read(&f->b.pci, 0xfffffffc, 4), 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 2), 0);
    /* An access straddling the end of the ECAM region faults on the bus,
     * as every straddling access does. */
    assert_false(bus_read(&f->bus, ECAM + 0x10000000 - 2, 4, &v));
    /* I/O: straddling two BARs or one's end reads all ones. */
    cfg_wr(f, 1, 0x20, 4, 0x100);
    cfg_wr(f, 2, 0x20, 4, 0x120);
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_IO);
    cfg_wr(f, 2, PCI_COMMAND, 2, PCI_COMMAND_IO);
    assert_int_equal(rd(f, PIO + 0x11e, 4), 0xffffffff);
    assert_true(bus_write(&f->bus, PIO + 0x11e, 4, 0));
    assert_int_equal(f->a.bar[4].writes, 0);
    assert_int_equal(f->b.bar[4].writes, 0);
}

static unsigned find_cap(struct fix *f, unsigned slot, unsigned id)
{
    unsigned seen = 0;
    for (unsigned p = (unsigned)cfg_rd(f, slot, PCI_CAPABILITY_LIST, 1); p; seen++) {
        assert_true(p >= 0x40 && p < 0x100 && (p & 3) == 0 && seen < 48);
        if (cfg_rd(f, slot, p, 1) == id)
            return p;
        p = (unsigned)cfg_rd(f, slot, p + 1, 1);
    }
    return 0;
}

static void test_capabilities(void **state)
{
    struct fix *f = *state;
    assert_int_equal(cfg_rd(f, 2, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, PCI_STATUS_CAP_LIST);
    assert_int_equal(cfg_rd(f, 2, PCI_CAPABILITY_LIST, 1), 0x40);
    assert_int_equal(cfg_rd(f, 2, 0x40, 2), 0x7c10);   /* PCIe, next MSI-X */
    assert_int_equal(cfg_rd(f, 2, 0x7c, 2), 0x0011);   /* MSI-X, end of list */
    assert_int_equal(find_cap(f, 2, PCI_CAP_ID_EXP), 0x40);
    assert_int_equal(find_cap(f, 2, PCI_CAP_ID_MSIX), 0x7c);
    assert_int_equal(find_cap(f, 1, PCI_CAP_ID_EXP), 0);

    /* PCI Express: version 2 endpoint, RBER, x1 at 2.5 GT/s. */
    unsigned e = 0x40;
    assert_int_equal(cfg_rd(f, 2, e + 2, 2), 0x0002);
    assert_int_equal(cfg_rd(f, 2, e + 4, 4), 0x00008000);
    assert_int_equal(cfg_rd(f, 2, e + 8, 2), 0x2810);
    cfg_wr(f, 2, e + 8, 2, 0xffff);
    assert_int_equal(cfg_rd(f, 2, e + 8, 2), 0x78ff);
    cfg_wr(f, 2, e + 2, 2, 0xffff);                    /* capabilities: RO */
    assert_int_equal(cfg_rd(f, 2, e + 2, 2), 0x0002);
    pci_cfg_set(&f->b.pci, e + 0xa, 2, 0x000f);        /* errors detected */
    cfg_wr(f, 2, e + 8, 4, 0x00050000);                /* clear 0 and 2 */
    assert_int_equal(cfg_rd(f, 2, e + 0xa, 2), 0x000a);
    assert_int_equal(cfg_rd(f, 2, e + 0xc, 4), 0x00000011);
    assert_int_equal(cfg_rd(f, 2, e + 0x12, 2), 0x0011);
    cfg_wr(f, 2, e + 0x10, 4, 0xffffffff);             /* link status RO */
    assert_int_equal(cfg_rd(f, 2, e + 0x10, 4), 0x001100cb);
    assert_int_equal(cfg_rd(f, 2, e + 0x2c, 4), 0x2);

    /* MSI-X: 4 vectors, table at BAR 5 offset 0, PBA at 0x800. */
    unsigned m = 0x7c;
    assert_int_equal(cfg_rd(f, 2, m + 2, 2), 3);
    assert_int_equal(cfg_rd(f, 2, m + 4, 4), 5);
    assert_int_equal(cfg_rd(f, 2, m + 8, 4), 0x805);
    cfg_wr(f, 2, m + 2, 2, 0xffff);
    assert_int_equal(cfg_rd(f, 2, m + 2, 2), 0xc003);  /* enable, mask all */
    cfg_wr(f, 2, m + 4, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 2, m + 4, 4), 5);

    /* Adding capabilities until the 256-byte space is full. */
    struct pci_dev *d = test_calloc(1, sizeof *d);
    pci_dev_init(d, 1, 2, 0, 0, 0, 0);
    int off, n = 0, last = 0;
    while ((off = pci_dev_add_cap(d, PCI_CAP_ID_VNDR, 6)) > 0) {
        assert_true(off >= 0x40 && off + 6 <= 0x100 && (off & 3) == 0);
        if (last)
            assert_int_equal(pci_cfg_get(d, (unsigned)last + 1, 1), off);
        last = off;
        n++;
    }
    assert_int_equal(n, (0x100 - 0x40) / 8);
    assert_int_equal(pci_dev_add_cap(d, PCI_CAP_ID_VNDR, 1), -1);
    assert_int_equal(pci_dev_add_pcie_cap(d, PCI_EXP_TYPE_ENDPOINT), -1);
    assert_int_equal(pci_msix_init(d, 1, 0), -1);
    assert_int_equal(d->bar[0].size, 0);                 /* nothing half-added */
    pci_dev_destroy(d);
    test_free(d);
}

static void test_msix(void **state)
{
    struct fix *f = *state;
    struct pci_dev *d = &f->b.pci;
    uint64_t tbl = MMIO + 0x20000;
    cfg_wr(f, 2, 0x24, 4, tbl);
    cfg_wr(f, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    assert_true(mapped_at(f, tbl, "pci 00:02.0 BAR5"));
    /* Entries start masked; address, data and mask are read-write. */
    for (unsigned v = 0; v < 4; v++)
        assert_int_equal(rd(f, tbl + 16 * v + 12, 4), 1);
    assert_true(bus_write(&f->bus, tbl + 0, 4, (RAM + 0x103)));  /* low bits RO 0 */
    assert_true(bus_write(&f->bus, tbl + 4, 4, 0));
    assert_true(bus_write(&f->bus, tbl + 8, 4, 0xabcd));
    assert_true(bus_write(&f->bus, tbl + 12, 4, 0xfffffffe)); /* unmask; reserved bits 0 */
    assert_int_equal(rd(f, tbl, 8), RAM + 0x100);
    assert_int_equal(rd(f, tbl + 8, 8), 0xabcd);
    assert_true(bus_write(&f->bus, tbl + 16, 8, RAM + 0x200));
    assert_true(bus_write(&f->bus, tbl + 24, 8, 0x00000001000000beull)); /* data, masked */
    assert_int_equal(rd(f, tbl + 16, 8), RAM + 0x200);
    assert_int_equal(rd(f, tbl + 28, 4), 1);
    assert_int_equal(rd(f, tbl + 64, 4), 0);                 /* past the table */
    assert_int_equal(rd(f, tbl + 0x800, 8), 0);              /* PBA */

    /* MSI-X off: the function uses INTx. */
    assert_false(pci_msix_notify(d, 0));
    pci_set_irq(d, true);
    assert_true(f->sink.level[2]); /* slot 2, INTA: line 2 */

    /* Enabled: INTx drops; without bus mastering messages stay pending. */
    cfg_wr(f, 2, 0x7c + 2, 2, PCI_MSIX_FLAGS_ENABLE);
    assert_false(f->sink.level[2]);
    assert_true(pci_msix_notify(d, 0));
    assert_true(pci_msix_pending(d, 0));
    assert_int_equal(rd(f, tbl + 0x800, 8), 1);
    assert_true(bus_write(&f->bus, tbl + 0x800, 8, 0));     /* PBA is read-only */
    assert_int_equal(rd(f, tbl + 0x800, 8), 1);
    cfg_wr(f, 2, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    assert_false(pci_msix_pending(d, 0));                  /* sent when allowed */
    uint32_t got;
    memcpy(&got, f->ram + 0x100, 4);
    assert_int_equal(got, 0xabcd);

    memset(f->ram, 0, 0x400);
    assert_true(pci_msix_notify(d, 0));
    memcpy(&got, f->ram + 0x100, 4);
    assert_int_equal(got, 0xabcd);
    /* A masked vector pends until unmasked. */
    assert_true(pci_msix_notify(d, 1));
    assert_int_equal(rd(f, tbl + 0x800, 4), 2);
    uint64_t v;
    assert_false(bus_read(&f->bus, tbl + 0x800, 1, &v));     /* DWORD or QWORD only */
    assert_false(bus_read(&f->bus, tbl + 4, 8, &v));
    assert_false(bus_write(&f->bus, tbl + 12, 2, 0));
    memcpy(&got, f->ram + 0x200, 4);
    assert_int_equal(got, 0);
    assert_true(bus_write(&f->bus, tbl + 28, 4, 0));
    memcpy(&got, f->ram + 0x200, 4);
    assert_int_equal(got, 0xbe);
    assert_false(pci_msix_pending(d, 1));
    /* The function mask holds every vector. */
    memset(f->ram, 0, 0x400);
    cfg_wr(f, 2, 0x7c + 2, 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    assert_true(pci_msix_notify(d, 0));
    assert_true(pci_msix_notify(d, 1));
    assert_int_equal(rd(f, tbl + 0x800, 4), 3);
    cfg_wr(f, 2, 0x7c + 2, 2, PCI_MSIX_FLAGS_ENABLE);
    assert_int_equal(rd(f, tbl + 0x800, 4), 0);
    memcpy(&got, f->ram + 0x100, 4);
    assert_int_equal(got, 0xabcd);
    memcpy(&got, f->ram + 0x200, 4);
    assert_int_equal(got, 0xbe);
    /* A message to nowhere is dropped with a log line; a vector past the
     * table is ignored. */
    assert_true(bus_write(&f->bus, tbl + 32, 8, 0x10));
    assert_true(bus_write(&f->bus, tbl + 44, 4, 0));
    assert_true(pci_msix_notify(d, 2));
    assert_int_equal(f->b.pci.msix->lost, 1);
    assert_true(pci_msix_notify(d, 2));
    assert_true(pci_msix_notify(d, 2));
    assert_int_equal(f->b.pci.msix->lost, 3);      /* counted; logged 1st and 2nd only */
    assert_true(pci_msix_notify(d, 99));
    /* A message aimed at the function's own table cannot loop. */
    assert_true(bus_write(&f->bus, tbl + 48, 8, tbl + 60));
    assert_true(bus_write(&f->bus, tbl + 56, 4, 0));
    assert_true(bus_write(&f->bus, tbl + 60, 4, 0));
    assert_true(pci_msix_notify(d, 3));
    /* Disabled again: INTx comes back (the level is still high). */
    cfg_wr(f, 2, 0x7c + 2, 2, 0);
    assert_true(f->sink.level[2]);
}

static void test_intx(void **state)
{
    struct fix *f = *state;
    /* Slot 1 INTA: line (1 - 1 + 1) % 4 = 1. */
    pci_set_irq(&f->a.pci, true);
    assert_true(f->sink.level[1]);
    assert_int_equal(cfg_rd(f, 1, PCI_STATUS, 2), PCI_STATUS_INTERRUPT);
    /* Interrupt disable gates the wire, not the status bit. */
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
    assert_false(f->sink.level[1]);
    assert_int_equal(cfg_rd(f, 1, PCI_STATUS, 2), PCI_STATUS_INTERRUPT);
    cfg_wr(f, 1, PCI_COMMAND, 2, 0);
    assert_true(f->sink.level[1]);
    unsigned calls = f->sink.calls;
    pci_set_irq(&f->a.pci, true);                  /* no change, no call */
    assert_int_equal(f->sink.calls, calls);
    pci_set_irq(&f->a.pci, false);
    assert_false(f->sink.level[1]);
    assert_int_equal(cfg_rd(f, 1, PCI_STATUS, 2), 0);

    /* The swizzle: slot s pin p drives line (p - 1 + s) % 4, and slots
     * four apart share a line (wired-OR). */
    struct tdev *t = test_calloc(4, sizeof *t);
    static const struct { int slot; unsigned pin, line; } c[4] = {
        { 5, 1, 1 }, { 3, 4, 2 }, { 6, 2, 3 }, { 31, 3, 1 },
    };
    for (unsigned i = 0; i < 4; i++) {
        tdev_init(&t[i], false);
        pci_dev_set_pin(&t[i].pci, c[i].pin);
        assert_int_equal(pci_host_add(f->host, c[i].slot, &t[i].pci), c[i].slot);
        assert_int_equal(cfg_rd(f, (unsigned)c[i].slot, PCI_INTERRUPT_PIN, 1), c[i].pin);
        pci_set_irq(&t[i].pci, true);
        assert_true(f->sink.level[c[i].line]);
        pci_set_irq(&t[i].pci, false);
        assert_false(f->sink.level[c[i].line]);
    }
    pci_set_irq(&f->a.pci, true);     /* slot 1 INTA: line 1 */
    pci_set_irq(&t[0].pci, true);     /* slot 5 INTA: line 1 */
    pci_set_irq(&t[3].pci, true);     /* slot 31 INTC: line 1 */
    pci_set_irq(&f->a.pci, false);
    assert_true(f->sink.level[1]);
    pci_set_irq(&t[3].pci, false);
    assert_true(f->sink.level[1]);
    pci_set_irq(&t[0].pci, false);
    assert_false(f->sink.level[1]);
    /* A function with no pin never drives a line. */
    struct pci_dev *nopin = test_calloc(1, sizeof *nopin);
    pci_dev_init(nopin, 1, 2, 0, 0, 0, 0);
    pci_dev_set_pin(nopin, 0);
    assert_int_equal(pci_host_add(f->host, -1, nopin), 4);
    calls = f->sink.calls;
    pci_set_irq(nopin, true);
    assert_int_equal(f->sink.calls, calls);
    assert_int_equal(cfg_rd(f, 4, PCI_STATUS, 2), PCI_STATUS_INTERRUPT);
    /* Freeing the host with a function asserting its line is fine. */
    pci_set_irq(&t[1].pci, true);
    pci_host_free(f->host);
    f->host = NULL;
    test_free(nopin);
    test_free(t);
}

static void test_host_slots_and_free(void **state)
{
    struct fix *f = *state;
    struct pci_dev *d = test_calloc(PCI_SLOTS, sizeof *d);
    for (unsigned i = 0; i < PCI_SLOTS; i++)
        pci_dev_init(&d[i], 1, (uint16_t)i, 0, 0, 0, 0);
    assert_int_equal(pci_host_add(f->host, 0, &d[0]), -1);   /* the host bridge's */
    assert_int_equal(pci_host_add(f->host, 1, &d[0]), -1);   /* taken */
    assert_int_equal(pci_host_add(f->host, 32, &d[0]), -1);
    assert_int_equal(pci_host_add(f->host, 9, &d[0]), 9);
    assert_int_equal(pci_host_add(f->host, 10, &d[0]), -1);  /* already plugged */
    assert_int_equal(pci_host_add(f->host, -1, &d[1]), 3);   /* first free */
    for (unsigned i = 2; i <= PCI_SLOTS - 4; i++)   /* slots 4-8, 10-31 */
        assert_true(pci_host_add(f->host, -1, &d[i]) > 3);
    assert_int_equal(pci_host_add(f->host, -1, &d[PCI_SLOTS - 3]), -1); /* full */
    assert_int_equal(cfg_rd(f, 31, PCI_DEVICE_ID, 2), PCI_SLOTS - 4);
    /* No more BARs or capabilities once plugged in. */
    assert_int_equal(pci_dev_add_bar(&d[0], 0, 0x1000, PCI_BAR_MEM32, &tbar_ops, NULL), -1);
    assert_int_equal(pci_dev_add_cap(&d[0], PCI_CAP_ID_VNDR, 4), -1);

    /* Freeing the host takes everything it mapped off the bus. */
    cfg_wr(f, 1, 0x10, 4, MMIO + 0x1000);
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    assert_int_equal(f->bus.count, 4); /* RAM, ECAM, I/O window, BAR */
    pci_host_free(f->host);
    f->host = NULL;
    assert_int_equal(f->bus.count, 1);
    assert_false(f->a.pci.bar[0].mapped);
    assert_null(f->a.pci.host);
    test_free(d);

    /* Windows: bad ECAM sizes, overlaps, too many windows. */
    struct pci_host *h = pci_host_new(&f->bus, NULL);
    assert_non_null(h);
    assert_int_equal(pci_host_map_ecam(h, ECAM, 0x180000), -1);
    assert_int_equal(pci_host_map_ecam(h, ECAM, 0x20000000), -1);
    assert_int_equal(pci_host_map_ecam(h, RAM, 0x100000), -1);
    assert_int_equal(pci_host_map_ecam(h, ECAM, 0x100000), 0);
    assert_int_equal(pci_host_map_ecam(h, ECAM + 0x100000, 0x100000), -1);
    assert_int_equal(pci_host_map_io(h, PIO, 0x20000), -1);
    assert_int_equal(pci_host_map_io(h, ECAM, 0x1000), -1);
    assert_int_equal(pci_host_add_mem_window(h, ~0ull - 10, 100), -1);
    for (unsigned i = 0; i < PCI_HOST_MAX_WINDOWS; i++)
        assert_int_equal(pci_host_add_mem_window(h, MMIO + i * 0x1000000ull, 0x1000000), 0);
    assert_int_equal(pci_host_add_mem_window(h, MMIO64, 0x1000), -1);
    /* One bus of ECAM: bus 0 only. */
    assert_int_equal(rd(f, ECAM, 4), 0x00081b36);
    uint64_t v;
    assert_false(bus_read(&f->bus, ecam_addr(1, 0, 0, 0), 4, &v));
    /* No INTx wires given: raising is harmless. */
    struct pci_dev *x = test_calloc(1, sizeof *x);
    pci_dev_init(x, 1, 2, 0, 0, 0, 0);
    assert_int_equal(pci_host_add(h, -1, x), 1);
    pci_set_irq(x, true);
    pci_host_free(h);
    pci_host_free(NULL);
    test_free(x);
}

static void test_add_bar_validation(void **state)
{
    struct pci_dev *d = test_calloc(1, sizeof *d);
    struct tbar b;
    pci_dev_init(d, 1, 2, 0, 0, 0, 0);
    assert_int_equal(pci_dev_add_bar(d, 0, 0x1800, PCI_BAR_MEM32, &tbar_ops, &b), -1); /* not 2^n */
    assert_int_equal(pci_dev_add_bar(d, 0, 0, PCI_BAR_MEM32, &tbar_ops, &b), -1);
    assert_int_equal(pci_dev_add_bar(d, 0, 8, PCI_BAR_MEM32, &tbar_ops, &b), -1);      /* < 16 */
    assert_int_equal(pci_dev_add_bar(d, 0, 1ull << 32, PCI_BAR_MEM32, &tbar_ops, &b), -1);
    assert_int_equal(pci_dev_add_bar(d, 0, 512, PCI_BAR_IO, &tbar_ops, &b), -1);       /* > 256 */
    assert_int_equal(pci_dev_add_bar(d, 0, 2, PCI_BAR_IO, &tbar_ops, &b), -1);
    assert_int_equal(pci_dev_add_bar(d, 0, 16, PCI_BAR_IO | PCI_BAR_PREFETCH, &tbar_ops, &b), -1);
    assert_int_equal(pci_dev_add_bar(d, 0, 16, 0x2, &tbar_ops, &b), -1);               /* bad flag */
    assert_int_equal(pci_dev_add_bar(d, 6, 16, PCI_BAR_MEM32, &tbar_ops, &b), -1);
    assert_int_equal(pci_dev_add_bar(d, 5, 16, PCI_BAR_MEM64, &tbar_ops, &b), -1);     /* no upper half */
    assert_int_equal(pci_dev_add_bar(d, 0, 16, PCI_BAR_MEM32, NULL, &b), -1);
    assert_int_equal(pci_dev_add_bar(d, 1, 16, PCI_BAR_MEM64, &tbar_ops, &b), 0);
    assert_int_equal(pci_dev_add_bar(d, 1, 16, PCI_BAR_MEM32, &tbar_ops, &b), -1);     /* taken */
    assert_int_equal(pci_dev_add_bar(d, 2, 16, PCI_BAR_MEM32, &tbar_ops, &b), -1);     /* upper half */
    assert_int_equal(pci_dev_add_bar(d, 0, 16, PCI_BAR_MEM64, &tbar_ops, &b), -1);     /* would cover 1 */
    assert_int_equal(pci_dev_add_bar(d, 0, 16, PCI_BAR_MEM32, &tbar_ops, &b), 0);
    assert_int_equal(pci_dev_add_bar(d, 3, 1ull << 31, PCI_BAR_MEM32 | PCI_BAR_PREFETCH, &tbar_ops, &b), 0);
    assert_int_equal(pci_dev_add_bar(d, 5, 4, PCI_BAR_IO, &tbar_ops, &b), 0);
    assert_int_equal(pci_msix_init(d, 0, 4), -1);
    assert_int_equal(pci_msix_init(d, PCI_MSIX_MAX_VECTORS + 1, 4), -1);
    assert_int_equal(pci_msix_init(d, 8, 3), -1);                                       /* BAR taken */
    assert_null(d->msix);
    assert_int_equal(pci_dev_add_pcie_cap(d, 4), -1);                                   /* a port type */
    /* A big table: the PBA on the next 4 KiB page, the BAR a power of two. */
    assert_true(pci_msix_init(d, 2048, 4) > 0);
    assert_int_equal(d->msix->pba_off, 0x8000);
    assert_int_equal(d->bar[4].size, 0x10000);
    assert_int_equal(pci_msix_init(d, 1, 4), -1);                                       /* once */
    pci_dev_destroy(d);
    assert_null(d->msix);
    test_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ecam_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readwrite_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_w1c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decode_maps_and_unmaps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_bar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_and_outside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_accesses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capabilities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_slots_and_free, setup, teardown),
        cmocka_unit_test(test_add_bar_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
