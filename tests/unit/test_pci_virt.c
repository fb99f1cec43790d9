/* tests/unit/test_pci_virt.c: the virt board's PCIe host bridge: windows
 * at QEMU virt's addresses and INTA-D on PLIC sources 32-35. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bus/bus.h"
#include "bus/pci/pci.h"
#include "machine/pci_virt.h"
#include "machine/plic.h"

static uint64_t nop_read(void *o, uint64_t off, unsigned size) { return 0x1234; }
static void nop_write(void *o, uint64_t off, uint64_t v, unsigned size) {}
static const struct bus_device_ops nop_ops = { .read = nop_read, .write = nop_write };

static uint32_t plic_pending(struct plic *p, unsigned src)
{
    return (uint32_t)(plic_ops.read(p, 0x1000 + 4 * (src / 32), 4) >> (src % 32)) & 1;
}

static void test_windows_and_intx(void **state)
{
    struct bus bus;
    bus_init(&bus);
    struct irq_line none = { 0 };
    struct plic *plic = plic_new(1, &none, &none);
    assert_non_null(plic);
    struct pci_host *h = virt_pci_create(&bus, plic, 0x80000000, 512ull << 20);
    assert_non_null(h);
    uint64_t v;
    assert_true(bus_read(&bus, VIRT_PCIE_ECAM, 4, &v));
    assert_int_equal(v, 0x00081b36);
    assert_true(bus_read(&bus, VIRT_PCIE_ECAM + VIRT_PCIE_ECAM_SIZE - 4, 4, &v)); /* bus 255 */
    assert_int_equal(v, 0xffffffff);
    assert_true(bus_read(&bus, VIRT_PCIE_PIO + 0xfffc, 4, &v));
    assert_int_equal(v, 0xffffffff);
    assert_int_equal(h->nwin, 2);
    assert_int_equal(h->win[0].base, 0x40000000);
    assert_int_equal(h->win[1].base, 0x400000000ull);
    assert_int_equal(h->win[1].size, 0x400000000ull);

    /* Slot s pin p raises PLIC source 32 + (p - 1 + s) % 4. */
    struct pci_dev *d = test_calloc(8, sizeof *d);
    for (unsigned s = 1; s <= 8; s++) {
        struct pci_dev *x = &d[s - 1];
        pci_dev_init(x, 0x1234, (uint16_t)s, 0xff0000, 0, 0, 0);
        unsigned pin = 1 + s % 4;
        pci_dev_set_pin(x, pin);
        assert_int_equal(pci_host_add(h, (int)s, x), (int)s);
        unsigned src = 32 + (pin - 1 + s) % 4;
        assert_int_equal(plic_pending(plic, src), 0);
        pci_set_irq(x, true);
        for (unsigned k = 32; k < 36; k++)
            assert_int_equal(plic_pending(plic, k), k == src);
        pci_set_irq(x, false);
        assert_int_equal(plic_pending(plic, src), 0);
    }
    /* A 64-bit BAR in the high window reaches its device. */
    struct pci_dev *b = &d[7];
    pci_host_free(h);
    pci_dev_init(b, 0x1234, 9, 0xff0000, 0, 0, 0);
    assert_int_equal(pci_dev_add_bar(b, 0, 0x1000, PCI_BAR_MEM64 | PCI_BAR_PREFETCH, &nop_ops, NULL), 0);
    h = virt_pci_create(&bus, plic, 0x80000000, 16ull << 30);  /* RAM reaches 0x4_8000_0000 */
    assert_non_null(h);
    assert_int_equal(h->win[1].base, 0x800000000ull);
    assert_int_equal(pci_host_add(h, -1, b), 1);
    uint64_t ecam = VIRT_PCIE_ECAM + (1u << 15);
    assert_true(bus_write(&bus, ecam + 0x14, 4, 0x8));
    assert_true(bus_write(&bus, ecam + 0x10, 4, 0));
    assert_true(bus_write(&bus, ecam + PCI_COMMAND, 2, PCI_COMMAND_MEMORY));
    assert_true(bus_read(&bus, 0x800000008ull, 4, &v));
    assert_int_equal(v, 0x1234);
    /* The old place of the window is outside it now. */
    assert_true(bus_write(&bus, ecam + 0x14, 4, 0x4));
    assert_false(b->bar[0].mapped);
    pci_host_free(h);
    test_free(d);
    plic_free(plic);
    bus_free(&bus);
}

static void test_window_overlap_fails(void **state)
{
    struct bus bus;
    bus_init(&bus);
    struct irq_line none = { 0 };
    struct plic *plic = plic_new(1, &none, &none);
    assert_int_equal(bus_map(&bus, VIRT_PCIE_PIO, 0x1000, "in the way", &nop_ops, NULL), 0);
    assert_null(virt_pci_create(&bus, plic, 0x80000000, 512ull << 20));
    assert_int_equal(bus.count, 1); /* nothing left behind */
    plic_free(plic);
    bus_free(&bus);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_and_intx),
        cmocka_unit_test(test_window_overlap_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
