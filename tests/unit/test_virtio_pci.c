/* tests/unit/test_virtio_pci.c: the virtio-pci transport on a real host
 * bridge (bus/pci) with a dummy virtio device: IDs and the capability
 * chain, BAR sizing, common configuration semantics (feature windows,
 * queue select, queue_size/enable/addresses, reset), ISR read-to-clear and
 * INTx (shared between two slots), notifications, MSI-X vectors, the
 * configuration access capability, hostile accesses, unplugging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bus/pci/msix.h"
#include "bus/pci/pci.h"
#include "virtio/pci.h"
#include "virtio/virtio.h"
#include "fixture.h"
#include "virtq_driver.h"

#define DUMMY_ID 42
#define FEATURE_A 3
#define ECAM 0x30000000ull
#define WIN32 0x40000000ull
#define WIN64 0x400000000ull
#define BAR4_ADDR 0x400000000ull
#define BAR1_ADDR 0x40000000ull

struct dummy {
    struct virtio_dev vdev;
    unsigned notifies[2], handled;
    struct virtq_elem elem;
};

static uint64_t dummy_features(struct virtio_dev *d) { return VIRTIO_BIT(FEATURE_A); }

static void dummy_notify(struct virtio_dev *d, unsigned q)
{
    struct dummy *x = (struct dummy *)d;
    x->notifies[q]++;
    bool any = false;
    while (virtio_pop(d, q, &x->elem) > 0) {
        virtio_push(d, q, &x->elem, 0);
        x->handled++;
        any = true;
    }
    if (any)
        virtio_queue_done(d, q);
}

static const struct virtio_device_ops dummy_ops = { .features = dummy_features, .queue_notify = dummy_notify };

struct fx {
    struct tdrv t;
    struct pci_host *host;
    bool line[4];
    struct dummy dev, dev2;
    struct virtio_pci *vp, *vp2;
};

static void intx_set(void *opaque, unsigned n, bool level)
{
    ((struct fx *)opaque)->line[n] = level;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    td_init(&f->t, 8);
    struct irq_line intx[4];
    for (unsigned i = 0; i < 4; i++)
        intx[i] = (struct irq_line){ intx_set, f, i };
    f->host = pci_host_new(&f->t.bus, intx);
    assert_int_equal(pci_host_map_ecam(f->host, ECAM, PCI_ECAM_BUS_SIZE), 0);
    assert_int_equal(pci_host_add_mem_window(f->host, WIN32, 0x40000000), 0);
    assert_int_equal(pci_host_add_mem_window(f->host, WIN64, 0x400000000ull), 0);
    static const uint16_t qmax[2] = { 8, 16 };
    virtio_dev_init(&f->dev.vdev, &dummy_ops, &f->t.bus, "dummy", DUMMY_ID, 2, qmax, 8);
    memcpy(f->dev.vdev.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
    virtio_dev_init(&f->dev2.vdev, &dummy_ops, &f->t.bus, "dummy2", VIRTIO_ID_RNG, 1, qmax, 0);
    f->vp = virtio_pci_new(&f->dev.vdev, f->host, 1, 0, 0);
    f->vp2 = virtio_pci_new(&f->dev2.vdev, f->host, 5, 0, 0);
    assert_non_null(f->vp);
    assert_non_null(f->vp2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    virtio_pci_free(f->vp);
    virtio_pci_free(f->vp2);
    pci_host_free(f->host);
    td_free(&f->t);
    free(f);
    return 0;
}

static uint32_t cfg_rd(struct fx *f, unsigned slot, unsigned off, unsigned size)
{
    uint64_t v = 0;
    assert_true(bus_read(&f->t.bus, ECAM + ((uint64_t)slot << 15) + off, size, &v));
    return (uint32_t)v;
}

static void cfg_wr(struct fx *f, unsigned slot, unsigned off, unsigned size, uint32_t v)
{
    assert_true(bus_write(&f->t.bus, ECAM + ((uint64_t)slot << 15) + off, size, v));
}

/* BAR 4 at bar4 (64-bit), BAR 1 at bar1, memory decode and bus mastering. */
static void program_bars(struct fx *f, unsigned slot, uint64_t bar4, uint64_t bar1)
{
    cfg_wr(f, slot, PCI_BASE_ADDRESS_0 + 16, 4, (uint32_t)bar4);
    cfg_wr(f, slot, PCI_BASE_ADDRESS_0 + 20, 4, (uint32_t)(bar4 >> 32));
    cfg_wr(f, slot, PCI_BASE_ADDRESS_0 + 4, 4, (uint32_t)bar1);
    cfg_wr(f, slot, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static uint64_t rd(struct fx *f, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    assert_true(bus_read(&f->t.bus, addr, size, &v));
    return v;
}

static void wr(struct fx *f, uint64_t addr, unsigned size, uint64_t v)
{
    assert_true(bus_write(&f->t.bus, addr, size, v));
}

/* The bus refuses both a read and a write there (access faults). */
static bool refused(struct fx *f, uint64_t addr, unsigned size)
{
    uint64_t v;
    return !bus_read(&f->t.bus, addr, size, &v) && !bus_write(&f->t.bus, addr, size, 0xffffffffffffffffull);
}

#define COMMON(o) (BAR4_ADDR + VIRTIO_PCI_COMMON_OFF + (o))
#define ISR (BAR4_ADDR + VIRTIO_PCI_ISR_OFF)
#define DEVCFG(o) (BAR4_ADDR + VIRTIO_PCI_DEVICE_OFF + (o))
#define NOTIFY(q) (BAR4_ADDR + VIRTIO_PCI_NOTIFY_OFF + 4ull * (q))

static void test_ids_and_caps(void **state)
{
    struct fx *f = *state;
    assert_int_equal(cfg_rd(f, 1, PCI_VENDOR_ID, 2), 0x1af4);
    assert_int_equal(cfg_rd(f, 1, PCI_DEVICE_ID, 2), 0x1040 + DUMMY_ID);
    assert_int_equal(cfg_rd(f, 1, PCI_REVISION_ID, 1), 1);
    assert_int_equal(cfg_rd(f, 1, PCI_CLASS_PROG, 1) | cfg_rd(f, 1, 0x0a, 2) << 8, 0x00ff00);
    assert_int_equal(cfg_rd(f, 1, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
    assert_int_equal(cfg_rd(f, 1, PCI_SUBSYSTEM_ID, 2), 0x1100);
    assert_int_equal(cfg_rd(f, 1, PCI_HEADER_TYPE, 1), 0);
    assert_int_equal(cfg_rd(f, 1, PCI_INTERRUPT_PIN, 1), 1);
    assert_true(cfg_rd(f, 1, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    assert_int_equal(cfg_rd(f, 5, PCI_DEVICE_ID, 2), 0x1044);
    /* QEMU's chain: newest first */
    static const struct { unsigned off, id, type, bar_off, len; } want[] = {
        { 0x98, PCI_CAP_ID_MSIX, 0, 0, 0 },
        { 0x84, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_PCI_CFG, 0, 0 },
        { 0x70, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_NOTIFY_CFG, 0x3000, 0x1000 },
        { 0x60, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_DEVICE_CFG, 0x2000, 0x1000 },
        { 0x50, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_ISR_CFG, 0x1000, 0x1000 },
        { 0x40, PCI_CAP_ID_VNDR, VIRTIO_PCI_CAP_COMMON_CFG, 0, 0x1000 },
    };
    unsigned c = cfg_rd(f, 1, PCI_CAPABILITY_LIST, 1);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(c, want[i].off);
        assert_int_equal(cfg_rd(f, 1, c, 1), want[i].id);
        if (want[i].id == PCI_CAP_ID_VNDR) {
            assert_int_equal(cfg_rd(f, 1, c + 3, 1), want[i].type);
            if (want[i].type != VIRTIO_PCI_CAP_PCI_CFG) {
                assert_int_equal(cfg_rd(f, 1, c + 4, 1), 4);
                assert_int_equal(cfg_rd(f, 1, c + 8, 4), want[i].bar_off);
                assert_int_equal(cfg_rd(f, 1, c + 12, 4), want[i].len);
            }
            assert_int_equal(cfg_rd(f, 1, c + 2, 1), want[i].type == VIRTIO_PCI_CAP_NOTIFY_CFG ||
                                                          want[i].type == VIRTIO_PCI_CAP_PCI_CFG ? 20 : 16);
            if (want[i].type == VIRTIO_PCI_CAP_NOTIFY_CFG)
                assert_int_equal(cfg_rd(f, 1, c + 16, 4), 4);
        } else {
            assert_int_equal(cfg_rd(f, 1, c + PCI_MSIX_FLAGS, 2), 1); /* 2 vectors */
            assert_int_equal(cfg_rd(f, 1, c + PCI_MSIX_TABLE, 4), 1); /* BAR 1, offset 0 */
            assert_int_equal(cfg_rd(f, 1, c + PCI_MSIX_PBA, 4), 0x801);
        }
        c = cfg_rd(f, 1, c + 1, 1);
    }
    assert_int_equal(c, 0);
    assert_int_equal(virtio_pci_class(VIRTIO_ID_BLOCK), 0x010000);
    assert_int_equal(virtio_pci_class(VIRTIO_ID_NET), 0x020000);
    assert_int_equal(virtio_pci_class(VIRTIO_ID_CONSOLE), 0x078000);
    assert_int_equal(virtio_pci_class(VIRTIO_ID_RNG), 0x00ff00);
    assert_int_equal(virtio_pci_class(16), 0x038000);
    assert_int_equal(virtio_pci_class(18), 0x098000);
    assert_int_equal(virtio_pci_slot(f->vp2), 5);
    assert_ptr_equal(virtio_pci_dev(f->vp), &f->dev.vdev);
    assert_string_equal(f->dev.vdev.label, "dummy (virtio-pci 00:01.0)");
    /* the latency timer is hardwired 0, as QEMU's */
    cfg_wr(f, 1, PCI_LATENCY_TIMER, 1, 64);
    assert_int_equal(cfg_rd(f, 1, PCI_LATENCY_TIMER, 1), 0);
}

static void test_bar_sizing(void **state)
{
    struct fx *f = *state;
    for (unsigned i = 0; i < 6; i++)
        cfg_wr(f, 1, PCI_BASE_ADDRESS_0 + 4 * i, 4, 0xffffffff);
    assert_int_equal(cfg_rd(f, 1, PCI_BASE_ADDRESS_0, 4), 0);
    assert_int_equal(cfg_rd(f, 1, PCI_BASE_ADDRESS_0 + 4, 4), 0xfffff000);        /* MSI-X, 4 KiB */
    assert_int_equal(cfg_rd(f, 1, PCI_BASE_ADDRESS_0 + 8, 4), 0);
    assert_int_equal(cfg_rd(f, 1, PCI_BASE_ADDRESS_0 + 12, 4), 0);
    assert_int_equal(cfg_rd(f, 1, PCI_BASE_ADDRESS_0 + 16, 4), 0xffffc00c);       /* 16 KiB, 64-bit, prefetch */
    assert_int_equal(cfg_rd(f, 1, PCI_BASE_ADDRESS_0 + 20, 4), 0xffffffff);
    /* nothing decodes before the command register says so */
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_NUMQ), 2), 2);
    cfg_wr(f, 1, PCI_COMMAND, 2, 0);
    uint64_t v;
    assert_false(bus_read(&f->t.bus, COMMON(0), 4, &v));
}

static void test_common_cfg(void **state)
{
    struct fx *f = *state;
    struct virtio_dev *dev = &f->dev.vdev;
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    /* feature windows */
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_DF), 4),
                     VIRTIO_BIT(FEATURE_A) | VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC) |
                         VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
    wr(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 4, 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 4), 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_DF), 4), 1); /* VERSION_1 */
    wr(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 4, 2);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_DF), 4), 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    wr(f, COMMON(VIRTIO_PCI_COMMON_GFSELECT), 4, 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_GF), 4, VIRTIO_BIT(FEATURE_A));
    wr(f, COMMON(VIRTIO_PCI_COMMON_GFSELECT), 4, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_GF), 4, 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_GF), 4), 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_GFSELECT), 4, 7);  /* nowhere: ignored */
    wr(f, COMMON(VIRTIO_PCI_COMMON_GF), 4, 0xffffffff);
    assert_int_equal(dev->driver_features, VIRTIO_BIT(FEATURE_A) | VIRTIO_BIT(VIRTIO_F_VERSION_1));
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 0xb);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1), 0xb);
    /* queues */
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_NUMQ), 2), 2);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 8);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2), 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 16);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_NOFF), 2), 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2), VIRTIO_PCI_NO_VECTOR);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2, 4);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 4);
    /* 64-bit addresses: two halves, or one 8-byte write */
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 4, 0x80001000);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC + 4), 4, 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_AVAIL), 8, 0x80002000);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_USED), 4, 0x80003000);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 8), 0x80001000);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_AVAIL + 4), 4), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_USED), 4), 0x80003000);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2, 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2), 1);
    assert_true(dev->vq[1].ready);
    /* enabled: size and addresses are frozen; writing 0 does not disable */
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2, 8);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 4, 0x80005000);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2, 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 4);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 4), 0x80001000);
    assert_true(dev->vq[1].ready);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_RESET), 2), 0);
    /* config space and generation */
    assert_int_equal(rd(f, DEVCFG(0), 4), 0x44332211);
    assert_int_equal(rd(f, DEVCFG(4), 4), 0x88776655);
    assert_true(refused(f, DEVCFG(0), 8)); /* 64-bit fields: two halves */
    assert_true(refused(f, DEVCFG(1), 2));
    assert_int_equal(rd(f, DEVCFG(8), 4), 0); /* past the end */
    virtio_config_changed(dev);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_CFGGEN), 1), 1);
    /* reset: everything back */
    wr(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 4), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2), VIRTIO_PCI_NO_VECTOR);
    assert_int_equal(rd(f, ISR, 1), 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 16);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 8), 0);
    assert_int_equal(dev->driver_features, 0);
}

/* Driver-side bring-up of queue 0 of the device at slot 1 (td's ring). */
static void queue0_up(struct fx *f)
{
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 3);
    wr(f, COMMON(VIRTIO_PCI_COMMON_GFSELECT), 4, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_GF), 4, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 0xb);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 8, f->t.desc);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_AVAIL), 8, f->t.avail);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_USED), 8, f->t.used);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 0xf);
    assert_true(virtio_dev_running(&f->dev.vdev));
}

static void test_notify_isr_intx(void **state)
{
    struct fx *f = *state;
    queue0_up(f);
    uint64_t buf = td_alloc(&f->t, 16);
    td_desc(&f->t, 0, buf, 16, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 0);
    wr(f, NOTIFY(0), 2, 0);
    assert_int_equal(f->dev.notifies[0], 1);
    assert_int_equal(td_used_idx(&f->t), 1);
    /* slot 1, INTA -> INTB (line 1) */
    assert_true(f->line[1]);
    assert_true(cfg_rd(f, 1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    assert_int_equal(rd(f, ISR, 1), VIRTIO_PCI_ISR_QUEUE);
    assert_false(f->line[1]);
    assert_int_equal(rd(f, ISR, 1), 0); /* read-to-clear */
    assert_true(refused(f, ISR, 4));    /* the ISR is a byte */
    assert_false(cfg_rd(f, 1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    /* the doorbell of queue 1 is 4 bytes on; queue 1 is not enabled */
    wr(f, NOTIFY(1), 2, 1);
    assert_int_equal(f->dev.notifies[1], 0);
    /* a misaligned doorbell or one past the queues is ignored */
    wr(f, NOTIFY(0) + 2, 2, 0);
    wr(f, NOTIFY(200), 2, 200);
    /* doorbells are 16 or 32 bits, aligned */
    assert_true(refused(f, NOTIFY(0), 1));
    assert_true(refused(f, NOTIFY(0), 8));
    assert_true(refused(f, NOTIFY(0) + 1, 2));
    assert_int_equal(f->dev.notifies[0], 1);
    /* interrupt disable keeps the line low; the status bit still shows it */
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
    td_publish(&f->t, 0);
    wr(f, NOTIFY(0), 2, 0);
    assert_false(f->line[1]);
    assert_true(cfg_rd(f, 1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    cfg_wr(f, 1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    assert_true(f->line[1]);
    /* a config change sets bit 1 */
    virtio_config_changed(&f->dev.vdev);
    assert_int_equal(rd(f, ISR, 1), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
    assert_false(f->line[1]);
}

/* Slots 1 and 5 both drive INTB: the wire stays high until both ISRs are
 * read. */
static void test_shared_intx(void **state)
{
    struct fx *f = *state;
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    program_bars(f, 5, BAR4_ADDR + 0x4000, BAR1_ADDR + 0x1000);
    f->dev.vdev.status = VIRTIO_STATUS_DRIVER_OK;
    f->dev2.vdev.status = VIRTIO_STATUS_DRIVER_OK;
    virtio_config_changed(&f->dev.vdev);
    virtio_config_changed(&f->dev2.vdev);
    assert_true(f->line[1]);
    assert_int_equal(rd(f, ISR, 1), VIRTIO_PCI_ISR_CONFIG);
    assert_true(f->line[1]); /* slot 5 still asserts */
    assert_int_equal(rd(f, BAR4_ADDR + 0x4000 + VIRTIO_PCI_ISR_OFF, 1), VIRTIO_PCI_ISR_CONFIG);
    assert_false(f->line[1]);
    assert_false(f->line[0] || f->line[2] || f->line[3]);
}

static void test_msix(void **state)
{
    struct fx *f = *state;
    queue0_up(f);
    /* vectors beyond the 2-entry table read back NO_VECTOR */
    wr(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2, 5);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2), VIRTIO_PCI_NO_VECTOR);
    wr(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2, 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2), 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2, 2);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2), VIRTIO_PCI_NO_VECTOR);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2, 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2), 1);
    /* vector 1 writes 0xbeef to RAM; enable MSI-X */
    uint64_t msg = td_alloc(&f->t, 16);
    wr(f, BAR1_ADDR + 16, 4, (uint32_t)msg);
    wr(f, BAR1_ADDR + 20, 4, (uint32_t)(msg >> 32));
    wr(f, BAR1_ADDR + 24, 4, 0xbeef);
    wr(f, BAR1_ADDR + 28, 4, 0); /* unmask */
    cfg_wr(f, 1, 0x98 + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
    uint64_t buf = td_alloc(&f->t, 16);
    td_desc(&f->t, 0, buf, 16, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 0);
    wr(f, NOTIFY(0), 2, 0);
    assert_int_equal(td_ld32(&f->t, msg), 0xbeef);
    assert_false(f->line[1]);
    assert_int_equal(rd(f, ISR, 1), 0); /* no queue bit with MSI-X */
    /* NO_VECTOR: no message */
    td_st32(&f->t, msg, 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2, VIRTIO_PCI_NO_VECTOR);
    td_publish(&f->t, 0);
    wr(f, NOTIFY(0), 2, 0);
    assert_int_equal(td_used_idx(&f->t), 2);
    assert_int_equal(td_ld32(&f->t, msg), 0);
    assert_false(f->line[1]);
}

static void test_pci_cfg_window(void **state)
{
    struct fx *f = *state;
    unsigned c = 0x84;
    /* nothing selected: the data field reads as stored (0) */
    assert_int_equal(cfg_rd(f, 1, c + 16, 4), 0);
    cfg_wr(f, 1, c + 4, 1, 4);
    cfg_wr(f, 1, c + 8, 4, VIRTIO_PCI_COMMON_NUMQ);
    cfg_wr(f, 1, c + 12, 4, 2);
    assert_int_equal(cfg_rd(f, 1, c + 16, 4), 2);
    assert_int_equal(cfg_rd(f, 1, c + 16, 2), 2);
    /* a write through the window: queue_select */
    cfg_wr(f, 1, c + 8, 4, VIRTIO_PCI_COMMON_Q_SELECT);
    cfg_wr(f, 1, c + 16, 4, 1);
    assert_int_equal(cfg_rd(f, 1, c + 16, 4), 1);
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 16);
    /* bad windows do nothing: another BAR, length 3, misaligned offset */
    cfg_wr(f, 1, c + 4, 1, 1);
    cfg_wr(f, 1, c + 16, 4, 0);
    cfg_wr(f, 1, c + 4, 1, 4);
    cfg_wr(f, 1, c + 12, 4, 3);
    cfg_wr(f, 1, c + 16, 4, 0);
    cfg_wr(f, 1, c + 12, 4, 2);
    cfg_wr(f, 1, c + 8, 4, VIRTIO_PCI_COMMON_Q_SELECT + 1);
    cfg_wr(f, 1, c + 16, 4, 0);
    cfg_wr(f, 1, c + 8, 4, 0xfffffffe);
    cfg_wr(f, 1, c + 16, 4, 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2), 1);
}

static void test_hostile(void **state)
{
    struct fx *f = *state;
    struct virtio_dev *dev = &f->dev.vdev;
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    /* queue_select out of range: size 0, everything 0, writes ignored */
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 0xffff);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2), 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2, 4);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_ENABLE), 2, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC), 8, 0x80001000);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_MSIX), 2, 0);
    wr(f, NOTIFY(1023), 2, 1023); /* the last doorbell of the region */
    assert_int_equal(dev->status, 0);
    /* the common configuration takes each field at its natural width
     * (ring addresses also as 32-bit halves): the bus refuses anything
     * else, in both directions, and the device sees nothing */
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 1));         /* a byte of a 16-bit field */
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 4));           /* status + generation + select */
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 2));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_NUMQ + 1), 1));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_NUMQ), 4));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 8));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 2));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC + 4), 8));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_Q_DESC + 2), 2));
    assert_true(refused(f, COMMON(VIRTIO_PCI_COMMON_Q_NDATA), 4));
    assert_true(refused(f, COMMON(0x100), 8));
    assert_true(refused(f, COMMON(0x101), 2));
    wr(f, COMMON(0x100), 4, 1);                                /* reserved: ignored */
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2), 0xffff);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_DFSELECT), 4), 0);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_NUMQ), 2), 2);
    assert_int_equal(rd(f, COMMON(0x3f), 1), 0);
    assert_int_equal(rd(f, COMMON(0x800), 4), 0);
    assert_int_equal(rd(f, NOTIFY(0), 4), 0);
    wr(f, ISR, 1, 0xff); /* read-only */
    assert_int_equal(rd(f, ISR + 4, 1), 0);
    /* queue_size not a power of two: NEEDS_RESET, one log line */
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 0);
    wr(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1, 3);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2, 6);
    assert_true(rd(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1) & VIRTIO_STATUS_NEEDS_RESET);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SIZE), 2), 8);
    assert_int_equal(rd(f, ISR, 1), VIRTIO_PCI_ISR_CONFIG);
    /* configuration space: past the 256 bytes reads all ones; absent slots too */
    assert_int_equal(cfg_rd(f, 1, 0x100, 4), 0xffffffff);
    assert_int_equal(cfg_rd(f, 2, 0, 4), 0xffffffff);
    uint64_t v;
    assert_false(bus_read(&f->t.bus, ECAM + (1ull << 15) + 3, 2, &v));  /* misaligned: access fault */
    /* BAR 4 over guest RAM: outside the windows, left unmapped */
    program_bars(f, 1, TD_RAM_BASE, BAR1_ADDR);
    assert_int_equal(rd(f, TD_RAM_BASE, 4), 0); /* still RAM */
    /* slot 5's BAR 4 over slot 1's: refused until slot 1 moves away */
    program_bars(f, 1, BAR4_ADDR, BAR1_ADDR);
    program_bars(f, 5, BAR4_ADDR, BAR1_ADDR + 0x1000);
    assert_int_equal(rd(f, BAR4_ADDR + VIRTIO_PCI_COMMON_NUMQ, 2), 2);  /* slot 1: 2 queues */
    program_bars(f, 1, BAR4_ADDR + 0x10000, BAR1_ADDR);
    assert_int_equal(rd(f, BAR4_ADDR + VIRTIO_PCI_COMMON_NUMQ, 2), 1);  /* slot 5: 1 queue */
    assert_int_equal(rd(f, BAR4_ADDR + 0x10000 + VIRTIO_PCI_COMMON_NUMQ, 2), 2);
}

static void test_unplug_and_slots(void **state)
{
    struct fx *f = *state;
    program_bars(f, 5, BAR4_ADDR, BAR1_ADDR);
    f->dev2.vdev.status = VIRTIO_STATUS_DRIVER_OK;
    virtio_config_changed(&f->dev2.vdev);
    assert_true(f->line[1]);
    virtio_pci_free(f->vp2);
    f->vp2 = NULL;
    assert_false(f->line[1]);
    assert_int_equal(cfg_rd(f, 5, 0, 4), 0xffffffff);
    uint64_t v;
    assert_false(bus_read(&f->t.bus, BAR4_ADDR, 4, &v));
    /* a taken slot is refused; -1 takes the first free one */
    struct dummy d3;
    static const uint16_t qmax[1] = { 8 };
    virtio_dev_init(&d3.vdev, &dummy_ops, &f->t.bus, "d3", VIRTIO_ID_BLOCK, 1, qmax, 0);
    assert_null(virtio_pci_new(&d3.vdev, f->host, 1, 0, 0));
    struct virtio_pci *vp3 = virtio_pci_new(&d3.vdev, f->host, -1, 4, 0);
    assert_non_null(vp3);
    assert_int_equal(virtio_pci_slot(vp3), 2);
    assert_int_equal(cfg_rd(f, 2, PCI_DEVICE_ID, 2), 0x1042);
    assert_int_equal(cfg_rd(f, 2, 0x0a, 2), 0x0100);
    assert_int_equal(cfg_rd(f, 2, 0x98 + PCI_MSIX_FLAGS, 2), 3);
    /* the host goes first: freeing the transport afterwards is still fine */
    pci_host_free(f->host);
    f->host = NULL;
    virtio_pci_free(vp3);
}

static void pci_state(void *vp, struct state *st) { virtio_pci_state(vp, st); }

/* Saved busy (BARs placed, a config vector, a request published and not
 * notified, the config-change interrupt up), unplugged; a fresh transport
 * and device in the same slot load it: same bytes again, the BARs decode
 * where they did, the line is up, and the request completes there. */
static void test_snapshot(void **state)
{
    struct fx *f = *state;
    queue0_up(f);
    wr(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2, 1);
    wr(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2, 1);
    virtio_config_changed(&f->dev.vdev);
    assert_true(f->line[1]);
    uint64_t buf = td_alloc(&f->t, 16);
    td_desc(&f->t, 0, buf, 16, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->t, 0);
    struct state s = fx_save(pci_state, f->vp);
    virtio_pci_free(f->vp);
    assert_false(f->line[1]);
    assert_null(bus_find(&f->t.bus, BAR4_ADDR));
    static const uint16_t qmax[2] = { 8, 16 };
    memset(&f->dev, 0, sizeof f->dev);
    virtio_dev_init(&f->dev.vdev, &dummy_ops, &f->t.bus, "dummy", DUMMY_ID, 2, qmax, 8);
    f->vp = virtio_pci_new(&f->dev.vdev, f->host, 1, 0, 0);
    assert_non_null(f->vp);
    fx_roundtrip(pci_state, pci_state, &s, f->vp);
    assert_true(f->line[1]);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_MSIX), 2), 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_Q_SELECT), 2), 1);
    assert_int_equal(rd(f, COMMON(VIRTIO_PCI_COMMON_STATUS), 1), 0xf);
    assert_int_equal(cfg_rd(f, 1, PCI_COMMAND, 2), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    wr(f, NOTIFY(0), 2, 0);
    assert_int_equal(f->dev.handled, 1);
    assert_int_equal(td_used_idx(&f->t), 1);
    assert_int_equal(td_used_id(&f->t, 0), 0);
    /* truncations fail and leave a reset transport */
    for (size_t n = 0; n < s.len; n += 1 + s.len / 200) {
        struct state t;
        state_init_load(&t, s.buf, n);
        virtio_pci_state(f->vp, &t);
        assert_false(state_ok(&t, true));
    }
    state_free(&s);
}

/* The host bridge function's state: the command register the guest set. */
static void host_state(void *h, struct state *st) { pci_host_state(h, st); }
static void test_host_state(void **state)
{
    struct fx *f = *state;
    cfg_wr(f, 0, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_SERR);
    uint32_t cmd = cfg_rd(f, 0, PCI_COMMAND, 2);
    assert_true(cmd != 0);
    struct state s = fx_save(host_state, f->host);
    struct bus b;
    bus_init(&b);
    struct irq_line none[4] = { { 0 } };
    struct pci_host *h = pci_host_new(&b, none);
    fx_roundtrip(host_state, host_state, &s, h);
    assert_int_equal(pci_config_read(&h->bridge, PCI_COMMAND, 2), cmd);
    assert_int_equal(pci_config_read(&h->bridge, PCI_VENDOR_ID, 2), 0x1b36);
    pci_host_free(h);
    bus_free(&b);
    state_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ids_and_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_common_cfg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notify_isr_intx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_intx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pci_cfg_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_and_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_state, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
