/* Unit tests for bus/: the region map, device dispatch, DMA helpers and
 * irq lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bus/bus.h"
#include "bus/irq.h"

struct dev {
    uint64_t last_off, last_val;
    unsigned last_size, reads, writes;
    uint8_t regs[0x100];
};

static uint64_t dev_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev *d = opaque;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    uint64_t v = 0;
    memcpy(&v, d->regs + off, size);
    return v;
}

static void dev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_val = val;
    d->last_size = size;
    memcpy(d->regs + off, &val, size);
}

static const struct bus_device_ops dev_ops = { .read = dev_read, .write = dev_write };

static void test_map_overlap(void **state)
{
    struct bus b;
    struct dev d1 = { 0 }, d2 = { 0 };
    bus_init(&b);
    assert_int_equal(bus_map(&b, 0x1000, 0x100, "a", &dev_ops, &d1), 0);
    assert_int_equal(bus_map(&b, 0x1100, 0x100, "b", &dev_ops, &d2), 0); /* adjacent: fine */
    assert_int_equal(bus_map(&b, 0x10ff, 2, "c", &dev_ops, &d2), -1);    /* overlaps both */
    assert_int_equal(bus_map(&b, 0x0f00, 0x101, "d", &dev_ops, &d2), -1); /* overlaps the first byte */
    assert_int_equal(bus_map(&b, 0x11ff, 1, "e", &dev_ops, &d2), -1);    /* last byte of b */
    assert_int_equal(bus_map(&b, 0x800, 0, "empty", &dev_ops, &d2), -1);
    assert_int_equal(bus_map(&b, ~0ull - 10, 100, "wraps", &dev_ops, &d2), -1);
    assert_int_equal(bus_map(&b, ~0ull - 9, 10, "top", &dev_ops, &d2), 0); /* ends exactly at the top */
    assert_int_equal(bus_map(&b, 0x2000, 0x10, "noops", NULL, &d2), -1);
    assert_int_equal(b.count, 3);
    bus_free(&b);
}

static void test_dispatch_and_bounds(void **state)
{
    struct bus b;
    struct dev d = { 0 };
    bus_init(&b);
    assert_int_equal(bus_map(&b, 0x10000000, 0x100, "uart", &dev_ops, &d), 0);
    uint64_t v;
    assert_true(bus_write(&b, 0x10000004, 4, 0xdeadbeef));
    assert_int_equal(d.last_off, 4);
    assert_int_equal(d.last_size, 4);
    assert_true(bus_read(&b, 0x10000004, 4, &v));
    assert_int_equal(v, 0xdeadbeef);
    /* the last byte of the region */
    assert_true(bus_write(&b, 0x100000ff, 1, 0x5a));
    assert_int_equal(d.last_off, 0xff);
    assert_true(bus_read(&b, 0x100000ff, 1, &v));
    assert_int_equal(v, 0x5a);
    /* one past the end, and an access straddling the end */
    unsigned before = d.reads;
    assert_false(bus_read(&b, 0x10000100, 1, &v));
    assert_false(bus_read(&b, 0x100000fe, 4, &v));
    assert_false(bus_write(&b, 0x100000fc, 8, 1));
    assert_int_equal(d.reads, before);
    /* unmapped addresses are access faults */
    assert_false(bus_read(&b, 0, 8, &v));
    assert_false(bus_write(&b, ~0ull, 1, 0));
    /* bad sizes */
    assert_false(bus_read(&b, 0x10000000, 3, &v));
    bus_free(&b);
}

static void test_straddle_two_regions(void **state)
{
    struct bus b;
    struct dev d1 = { 0 }, d2 = { 0 };
    uint8_t ram[0x1000];
    bus_init(&b);
    assert_int_equal(bus_map_ram(&b, 0x80000000, sizeof ram, "ram", ram), 0);
    assert_int_equal(bus_map(&b, 0x80001000, 0x100, "dev", &dev_ops, &d1), 0);
    assert_int_equal(bus_map(&b, 0x80001100, 0x100, "dev2", &dev_ops, &d2), 0);
    uint64_t v;
    /* RAM then a device: refused, nothing touched */
    memset(ram, 0x11, sizeof ram);
    assert_false(bus_write(&b, 0x80000ffc, 8, 0));
    assert_int_equal(ram[0xffc], 0x11);
    assert_int_equal(d1.writes, 0);
    /* two devices */
    assert_false(bus_read(&b, 0x800010fe, 4, &v));
    assert_int_equal(d1.reads + d2.reads, 0);
    /* DMA across the RAM end is refused too */
    assert_null(bus_dma(&b, 0x80000ff0, 0x20));
    assert_non_null(bus_dma(&b, 0x80000ff0, 0x10));
    bus_free(&b);
}

static void test_ram_and_dma(void **state)
{
    struct bus b;
    static uint8_t ram[0x4000];
    bus_init(&b);
    assert_int_equal(bus_map_ram(&b, 0x80000000, sizeof ram, "ram", ram), 0);
    assert_ptr_equal(b.ram, ram);
    assert_true(bus_write(&b, 0x80000010, 8, 0x0102030405060708ull));
    assert_int_equal(ram[0x10], 0x08);
    assert_int_equal(ram[0x17], 0x01);
    uint64_t v;
    assert_true(bus_read(&b, 0x80000012, 2, &v));
    assert_int_equal(v, 0x0506);
    /* DMA helpers */
    assert_ptr_equal(bus_dma(&b, 0x80000000, sizeof ram), ram);
    assert_null(bus_dma(&b, 0x80000000, sizeof ram + 1));
    assert_null(bus_dma(&b, 0x7fffffff, 2));
    assert_null(bus_dma(&b, 0x80003fff, 2));
    assert_null(bus_dma(&b, 0x80000000, 0));          /* empty range */
    assert_null(bus_dma(&b, ~0ull - 1, 4));           /* wraps */
    uint8_t buf[4] = { 1, 2, 3, 4 };
    assert_int_equal(bus_dma_write(&b, 0x80003ffc, buf, 4), 0);
    assert_int_equal(bus_dma_write(&b, 0x80003ffd, buf, 4), -1);
    uint8_t out[4] = { 0 };
    assert_int_equal(bus_dma_read(&b, 0x80003ffc, out, 4), 0);
    assert_memory_equal(out, buf, 4);
    assert_int_equal(bus_dma_read(&b, 0x90000000, out, 4), -1);
    assert_int_equal(bus_dma_read(&b, 0x90000000, out, 0), 0); /* nothing to copy */
    bus_free(&b);
}

static void test_unmap_remap(void **state)
{
    struct bus b;
    struct dev d = { 0 };
    bus_init(&b);
    assert_int_equal(bus_map(&b, 0x40000000, 0x1000, "bar", &dev_ops, &d), 0);
    uint64_t gen = b.generation, v;
    assert_true(bus_read(&b, 0x40000000, 4, &v)); /* warms the last-hit cache */
    assert_int_equal(bus_unmap(&b, 0x40000000), 0);
    assert_true(b.generation != gen);
    assert_false(bus_read(&b, 0x40000000, 4, &v)); /* the cache must not keep it */
    assert_int_equal(bus_unmap(&b, 0x40000000), -1);
    /* a BAR moved by the guest */
    assert_int_equal(bus_map(&b, 0x50000000, 0x1000, "bar", &dev_ops, &d), 0);
    assert_true(bus_write(&b, 0x50000008, 4, 7));
    assert_int_equal(d.last_off, 8);
    assert_int_equal(bus_unmap(&b, 0x50000004), -1); /* not a region base */
    bus_free(&b);
}

static void test_many_regions_sorted(void **state)
{
    struct bus b;
    struct dev d[64];
    memset(d, 0, sizeof d);
    bus_init(&b);
    /* map in a scrambled order; lookups must find each */
    for (unsigned i = 0; i < 64; i++) {
        unsigned k = (i * 37) % 64;
        assert_int_equal(bus_map(&b, 0x100000ull * k, 0x1000, "d", &dev_ops, &d[k]), 0);
    }
    for (unsigned k = 0; k < 64; k++) {
        const struct bus_region *r = bus_find(&b, 0x100000ull * k + 0xfff);
        assert_non_null(r);
        assert_ptr_equal(r->opaque, &d[k]);
        assert_null(bus_find(&b, 0x100000ull * k + 0x1000));
    }
    for (unsigned i = 1; i < b.count; i++)
        assert_true(b.regions[i - 1].base < b.regions[i].base);
    bus_free(&b);
}

static unsigned code_hits;
static void code_hook(void *ctx, uint64_t gpa, uint64_t len) { code_hits++; }

static void test_code_write_hook(void **state)
{
    struct bus b;
    static uint8_t ram[0x3000];
    bus_init(&b);
    assert_int_equal(bus_map_ram(&b, 0x80000000, sizeof ram, "ram", ram), 0);
    b.code_write = code_hook;
    code_hits = 0;
    b.code_pages[1] = 1;
    assert_true(bus_is_code_page(&b, 0x80001800));
    assert_false(bus_is_code_page(&b, 0x80000800));
    assert_non_null(bus_dma_w(&b, 0x80000000, 0x100)); /* page 0: no code */
    assert_int_equal(code_hits, 0);
    assert_non_null(bus_dma_w(&b, 0x80000f00, 0x200)); /* touches page 1 */
    assert_int_equal(code_hits, 1);
    assert_true(bus_write(&b, 0x80001000, 4, 0));
    assert_int_equal(code_hits, 2);
    bus_free(&b);
}

struct sink {
    unsigned n;
    bool level;
    int calls;
};
static void sink_set(void *opaque, unsigned n, bool level)
{
    struct sink *s = opaque;
    s->n = n;
    s->level = level;
    s->calls++;
}

/* Declared access sizes and alignment are enforced by the bus: other
 * accesses fail (the CPU's access fault) without calling the device. */
static void test_access_sizes_enforced(void **state)
{
    static const struct bus_device_ops strict = { .read = dev_read, .write = dev_write,
                                                  .sizes = BUS_SIZE_4 | BUS_SIZE_8, .aligned = true };
    struct bus b;
    struct dev d = { 0 };
    uint64_t v;
    bus_init(&b);
    assert_int_equal(bus_map(&b, 0x1000, 0x100, "strict", &strict, &d), 0);
    assert_true(bus_write(&b, 0x1008, 4, 0x12345678));
    assert_true(bus_read(&b, 0x1008, 8, &v));
    assert_int_equal(d.writes, 1);
    unsigned calls = d.writes + d.reads;
    assert_false(bus_write(&b, 0x1008, 1, 0xff));   /* size not declared */
    assert_false(bus_write(&b, 0x1008, 2, 0xff));
    assert_false(bus_read(&b, 0x1009, 1, &v));
    assert_false(bus_write(&b, 0x100a, 4, 0xff));   /* misaligned */
    assert_false(bus_read(&b, 0x100c, 8, &v));
    assert_int_equal(d.writes + d.reads, calls);     /* the device never saw them */
    assert_true(bus_access_ok(&dev_ops, 3, 8));      /* 0: every size, any alignment */
    bus_free(&b);
}

/* Rules: windows with their own sizes; outside them the defaults. */
static void test_access_rules(void **state)
{
    static const struct bus_access_rule rules[] = {
        { 0x00, 0x10, BUS_SIZE_4, true },
        { 0x10, 0x12, BUS_SIZE_1 | BUS_SIZE_2, true },
        { 0x20, 0x40, BUS_SIZE_8, false },
        { 0 },
    };
    static const struct bus_device_ops ruled = { .read = dev_read, .write = dev_write,
                                                 .sizes = BUS_SIZE_1, .rules = rules };
    for (unsigned size = 1; size <= 8; size *= 2) {
        assert_true(bus_access_ok(&ruled, 0x0c, size) == (size == 4));
        assert_true(bus_access_ok(&ruled, 0x10, size) == (size <= 2));
        assert_true(bus_access_ok(&ruled, 0x18, size) == (size == 1));   /* between rules */
        assert_true(bus_access_ok(&ruled, 0x40, size) == (size == 1));   /* after the last */
    }
    assert_false(bus_access_ok(&ruled, 0x02, 4));    /* misaligned in an aligned rule */
    assert_false(bus_access_ok(&ruled, 0x11, 2));
    assert_true(bus_access_ok(&ruled, 0x11, 1));
    assert_true(bus_access_ok(&ruled, 0x23, 8));     /* unaligned rule */
    assert_false(bus_access_ok(&ruled, 0x3c, 8));    /* would end past its rule */
    /* through the bus: refused accesses never reach the device */
    struct bus b;
    struct dev d = { 0 };
    uint64_t v;
    bus_init(&b);
    assert_int_equal(bus_map(&b, 0x1000, 0x100, "ruled", &ruled, &d), 0);
    assert_true(bus_read(&b, 0x1004, 4, &v));
    assert_true(bus_write(&b, 0x1023, 8, 1));
    assert_false(bus_read(&b, 0x1004, 2, &v));
    assert_false(bus_write(&b, 0x1080, 4, 1));
    assert_int_equal(d.reads + d.writes, 2);
    bus_free(&b);
}

static void test_irq_line(void **state)
{
    struct sink s = { 0 };
    struct irq_line l = { sink_set, &s, 7 };
    irq_raise(&l);
    assert_true(s.level);
    assert_int_equal(s.n, 7);
    irq_lower(&l);
    assert_false(s.level);
    assert_int_equal(s.calls, 2);
    /* an unconnected line is valid and does nothing */
    struct irq_line none = { 0 };
    irq_raise(&none);
    irq_set(NULL, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_overlap),
        cmocka_unit_test(test_dispatch_and_bounds),
        cmocka_unit_test(test_straddle_two_regions),
        cmocka_unit_test(test_ram_and_dma),
        cmocka_unit_test(test_unmap_remap),
        cmocka_unit_test(test_many_regions_sorted),
        cmocka_unit_test(test_code_write_hook),
        cmocka_unit_test(test_access_sizes_enforced),
        cmocka_unit_test(test_access_rules),
        cmocka_unit_test(test_irq_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
