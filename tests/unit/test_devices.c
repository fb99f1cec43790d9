/* tests/unit/test_devices.c: the device table behind -device (checks,
 * help, errors), resolving drive=/chardev= references, the slot plan (the
 * first -device in the highest slot, empty slots answering ID 0) and the
 * host-input poll that feeds console bytes and host entropy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "machine/devices.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"
#include "bus/pci/pci.h"

#define BASE 0x10001000ull
#define STRIDE 0x1000ull
#define NSLOTS 8

static void test_optlist(void **state)
{
    struct optlist o;
    assert_int_equal(optlist_parse("virtio-blk-device,drive=a,,b,serial=x,help", &o), 0);
    assert_int_equal(o.n, 4);
    assert_string_equal(o.v[0].key, "virtio-blk-device");
    assert_null(o.v[0].value);
    assert_string_equal(optlist_get(&o, "drive"), "a,b");
    assert_string_equal(optlist_get(&o, "serial"), "x");
    assert_true(optlist_has(&o, "help"));
    assert_null(optlist_get(&o, "help"));
    optlist_free(&o);
    assert_int_equal(optlist_bool("on"), 1);
    assert_int_equal(optlist_bool("false"), 0);
    assert_int_equal(optlist_bool("maybe"), -1);
}

static void test_check(void **state)
{
    FILE *out = tmpfile();
    assert_int_equal(devices_check("virtio-blk-device,drive=d0", out), 0);
    assert_int_equal(devices_check("virtio-blk-device,drive=d0,serial=abc,queue-size=128", out), 0);
    assert_int_equal(devices_check("virtio-rng-device,seed=0x1234", out), 0);
    assert_int_equal(devices_check("virtio-console-device", out), 0);
    assert_int_equal(devices_check("virtconsole,chardev=c", out), 0);
    /* errors: one line each on stderr */
    assert_int_equal(devices_check("frobnicator", out), -1);
    assert_int_equal(devices_check("virtio-blk-pcie,drive=d0", out), -1);
    assert_int_equal(devices_check("virtio-blk-device", out), -1);                 /* no drive= */
    assert_int_equal(devices_check("virtio-blk-device,drive=d0,bogus=1", out), -1);
    assert_int_equal(devices_check("virtio-blk-device,drive", out), -1);           /* no value */
    assert_int_equal(devices_check("virtio-blk-device,drive=d,queue-size=100", out), -1);
    assert_int_equal(devices_check("virtio-blk-device,drive=d,serial=123456789012345678901", out), -1);
    assert_int_equal(devices_check("virtio-rng-device,seed=abc", out), -1);
    assert_int_equal(devices_check("", out), -1);
    /* help */
    assert_int_equal(devices_check("help", out), 1);
    assert_int_equal(devices_check("virtio-rng-device,help", out), 1);
    rewind(out);
    char text[4096] = { 0 };
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = 0;
    assert_non_null(strstr(text, "virtio-blk-device"));
    assert_non_null(strstr(text, "virtio-console-device"));
    assert_non_null(strstr(text, "virtio-rng-device"));
    assert_non_null(strstr(text, "seed=N"));
    fclose(out);
}

/* Every registered type is complete, its generated names are unique and
 * accepted, and its options carry help. */
static void test_registry_descriptors(void **state)
{
    unsigned n = 0;
    char names[64][64];
    unsigned nnames = 0;
    for (const struct device_desc *const *t = device_types; *t; t++, n++) {
        const struct device_desc *d = *t;
        assert_non_null(d->name);
        assert_non_null(d->help);
        assert_true(d->kind == DEVICE_PORT ? d->port_of != NULL : d->kind == DEVICE_PLATFORM ? d->ops && d->fdt_node && d->free : d->create != NULL);
        if (d->kind == DEVICE_PLATFORM)
            continue;
        for (const struct device_option *o = d->options; o && o->name; o++)
            assert_true(o->help && o->arg);
        static const char *const sfx[] = { "-device", "-pci" };
        for (unsigned v = 0; v < (d->kind == DEVICE_VIRTIO ? 2u : 1u); v++) {
            char name[64], arg[96];
            snprintf(name, sizeof name, "%s%s", d->name, d->kind == DEVICE_VIRTIO ? sfx[v] : "");
            for (unsigned k = 0; k < nnames; k++)
                assert_string_not_equal(names[k], name);
            assert_true(nnames < 64);
            strcpy(names[nnames++], name);
            /* required options get a value of their kind */
            snprintf(arg, sizeof arg, "%s", name);
            for (const struct device_option *o = d->options; o && o->name; o++)
                if (o->required)
                    snprintf(arg + strlen(arg), sizeof arg - strlen(arg), ",%s=x", o->name);
            assert_int_equal(devices_check(arg, NULL), 0);
        }
    }
    assert_true(n >= 10);   /* blk, console, serial, virtconsole, gpu, 3 input, net, rng */
}

/* ---- machine side ---- */

static int be_rw(void *ctx, const struct iovec *iov, int cnt, uint64_t off) { return 0; }
static int be_flush(void *ctx) { return 0; }
static int be_discard(void *ctx, uint64_t off, uint64_t len) { return 0; }
static int be_zero(void *ctx, uint64_t off, uint64_t len, bool unmap) { return 0; }
static const struct virtio_blk_backend backend = { NULL, 1 << 20, false, 512, be_rw, be_rw, be_flush, be_discard,
                                                   be_zero };

struct host {
    const char *input;
    size_t pos;
    char output[256];
    size_t out_len;
    bool quit;
};

static void cd_write(void *ctx, const uint8_t *buf, size_t len)
{
    struct host *h = ctx;
    memcpy(h->output + h->out_len, buf, len);
    h->out_len += len;
}

/* The PCI variants: the same options plus the transport's. */
static void test_check_pci(void **state)
{
    FILE *out = tmpfile();
    assert_int_equal(devices_check("virtio-blk-pci,drive=d0,serial=x", out), 0);
    assert_int_equal(devices_check("virtio-rng-pci,seed=3,addr=1f", out), 0);
    assert_int_equal(devices_check("virtio-rng-pci,addr=0x1f.0", out), 0);
    assert_int_equal(devices_check("virtio-console-pci,chardev=c,addr=1,disable-legacy=on", out), 0);
    assert_int_equal(devices_check("virtio-serial-pci,disable-modern=off,disable-legacy=auto", out), 0);
    assert_int_equal(devices_check("virtio-rng-pci,addr=0", out), -1);
    assert_int_equal(devices_check("virtio-rng-pci,addr=20", out), -1);
    assert_int_equal(devices_check("virtio-rng-pci,addr=3.1", out), -1);
    assert_int_equal(devices_check("virtio-rng-pci,addr=", out), -1);
    assert_int_equal(devices_check("virtio-rng-pci,addr= 3", out), -1);
    assert_int_equal(devices_check("virtio-rng-pci,disable-legacy=off", out), -1);
    assert_int_equal(devices_check("virtio-rng-pci,disable-modern=on", out), -1);
    assert_int_equal(devices_check("virtio-rng-device,addr=3", out), -1);  /* mmio has no addr */
    assert_int_equal(devices_check("virtio-blk-pci", out), -1);            /* no drive= */
    assert_int_equal(devices_check("virtio-blk-pci,help", out), 1);
    rewind(out);
    char text[4096] = { 0 };
    size_t n = fread(text, 1, sizeof text - 1, out);
    text[n] = 0;
    assert_non_null(strstr(text, "drive=ID"));
    assert_non_null(strstr(text, "addr=SLOT"));
    fclose(out);
}

static size_t cd_read(void *ctx, uint8_t *buf, size_t len, bool *quit)
{
    struct host *h = ctx;
    size_t n = strlen(h->input + h->pos);
    if (n > len)
        n = len;
    memcpy(buf, h->input + h->pos, n);
    h->pos += n;
    if (h->quit)
        *quit = true;
    return n;
}

struct fx {
    struct bus bus;
    uint8_t *ram;
    struct host host;
    struct devices_drive drives[2];
    struct devices_chardev chardevs[2];
    struct devices_config cfg;
    struct irq_line irqs[NSLOTS];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    bus_init(&f->bus);
    f->ram = calloc(1, 1 << 20);
    bus_map_ram(&f->bus, 0x80000000ull, 1 << 20, "ram", f->ram);
    f->drives[0] = (struct devices_drive){ "d0", &backend };
    f->drives[1] = (struct devices_drive){ "d1", &backend };
    f->chardevs[0] = (struct devices_chardev){ "c0", &f->host, cd_write, cd_read };
    f->chardevs[1] = (struct devices_chardev){ "c1", &f->host, cd_write, cd_read };
    f->cfg.drives = f->drives;
    f->cfg.ndrives = 2;
    f->cfg.chardevs = f->chardevs;
    f->cfg.nchardevs = 2;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    bus_free(&f->bus);
    free(f->ram);
    free(f);
    return 0;
}

static int validate(struct fx *f, const char *const *devs, unsigned n)
{
    f->cfg.devices = devs;
    f->cfg.ndevices = n;
    return devices_validate(&f->cfg, NSLOTS);
}

static void test_validate(void **state)
{
    struct fx *f = *state;
    const char *ok[] = { "virtio-blk-device,drive=d0", "virtio-serial-device", "virtconsole,chardev=c0",
                         "virtio-rng-device" };
    assert_int_equal(validate(f, ok, 4), 0);
    const char *no_drive[] = { "virtio-blk-device,drive=zz" };
    assert_int_equal(validate(f, no_drive, 1), -1);
    const char *twice[] = { "virtio-blk-device,drive=d0", "virtio-blk-device,drive=d0" };
    assert_int_equal(validate(f, twice, 2), -1);
    const char *no_chardev[] = { "virtio-console-device,chardev=nope" };
    assert_int_equal(validate(f, no_chardev, 1), -1);
    const char *chardev_twice[] = { "virtio-console-device,chardev=c0", "virtio-console-device,chardev=c0" };
    assert_int_equal(validate(f, chardev_twice, 2), -1);
    const char *orphan_port[] = { "virtconsole,chardev=c0" };
    assert_int_equal(validate(f, orphan_port, 1), -1);
    const char *two_ports[] = { "virtio-serial-device", "virtconsole,chardev=c0", "virtconsole,chardev=c1" };
    assert_int_equal(validate(f, two_ports, 3), -1);
    const char *nine[9];
    for (int i = 0; i < 9; i++)
        nine[i] = "virtio-rng-device";
    assert_int_equal(validate(f, nine, 8), 0);
    assert_int_equal(validate(f, nine, 9), -1);
}

static uint32_t slot_read(struct fx *f, unsigned slot, uint64_t off)
{
    uint64_t v = 0;
    assert_true(bus_read(&f->bus, BASE + slot * STRIDE + off, 4, &v));
    return (uint32_t)v;
}

static void slot_write(struct fx *f, unsigned slot, uint64_t off, uint32_t v)
{
    assert_true(bus_write(&f->bus, BASE + slot * STRIDE + off, 4, v));
}

static void test_create_slots(void **state)
{
    struct fx *f = *state;
    const char *devs[] = { "virtio-blk-device,drive=d0", "virtio-console-device", "virtio-rng-device,seed=1" };
    f->cfg.devices = devs;
    f->cfg.ndevices = 3;
    struct devices *d = devices_create(&f->cfg, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, NULL);
    assert_non_null(d);
    /* first -device in the highest slot, as QEMU */
    assert_int_equal(slot_read(f, 7, 0x008), 2);
    assert_int_equal(slot_read(f, 6, 0x008), 3);
    assert_int_equal(slot_read(f, 5, 0x008), 4);
    for (unsigned s = 0; s < 5; s++) {
        assert_int_equal(slot_read(f, s, 0x000), 0x74726976);
        assert_int_equal(slot_read(f, s, 0x004), 2);
        assert_int_equal(slot_read(f, s, 0x008), 0);
    }
    devices_free(d);
    /* slots are unmapped again */
    uint64_t v;
    assert_false(bus_read(&f->bus, BASE, 4, &v));
    /* legacy */
    f->cfg.mmio_legacy = true;
    d = devices_create(&f->cfg, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, NULL);
    assert_int_equal(slot_read(f, 7, 0x004), 1);
    devices_free(d);
    /* no config at all: eight empty slots */
    d = devices_create(NULL, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, NULL);
    assert_non_null(d);
    assert_int_equal(slot_read(f, 7, 0x008), 0);
    assert_false(devices_poll(d));
    devices_free(d);
}

static void test_validate_pci(void **state)
{
    struct fx *f = *state;
    const char *ok[] = { "virtio-blk-pci,drive=d0", "virtio-serial-pci", "virtconsole,chardev=c0",
                         "virtio-rng-pci,addr=1", "virtio-rng-device" };
    assert_int_equal(validate(f, ok, 5), 0);
    const char *taken[] = { "virtio-rng-pci,addr=4", "virtio-rng-pci,addr=04.0" };
    assert_int_equal(validate(f, taken, 2), -1);
    const char *drive_both[] = { "virtio-blk-pci,drive=d0", "virtio-blk-device,drive=d0" };
    assert_int_equal(validate(f, drive_both, 2), -1);
    /* 31 PCI functions fit beside 8 mmio devices; a 32nd does not */
    const char *many[40];
    for (int i = 0; i < 40; i++)
        many[i] = i < 8 ? "virtio-rng-device" : "virtio-rng-pci";
    assert_int_equal(validate(f, many, 39), 0);
    assert_int_equal(validate(f, many, 40), -1);
}

/* -pci devices on a host bridge: explicit slots first, then the first free
 * ones in command-line order; mmio slots unaffected. */
static void test_create_pci(void **state)
{
    struct fx *f = *state;
    struct pci_host *h = pci_host_new(&f->bus, NULL);
    assert_non_null(h);
    const char *devs[] = { "virtio-rng-pci", "virtio-blk-pci,drive=d0,addr=1", "virtio-rng-device",
                           "virtio-serial-pci,addr=1f", "virtconsole,chardev=c0", "virtio-console-pci" };
    f->cfg.devices = devs;
    f->cfg.ndevices = 6;
    struct devices *d = devices_create(&f->cfg, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, h);
    assert_non_null(d);
    assert_int_equal(slot_read(f, 7, 0x008), 4);  /* the mmio rng */
    assert_int_equal(slot_read(f, 6, 0x008), 0);
    struct { unsigned slot, id; } want[] = { { 1, 0x1042 }, { 2, 0x1044 }, { 3, 0x1043 }, { 0x1f, 0x1043 } };
    for (unsigned i = 0; i < 4; i++) {
        struct pci_dev *p = pci_host_dev(h, 0, want[i].slot, 0);
        assert_non_null(p);
        assert_int_equal(pci_cfg_get(p, PCI_DEVICE_ID, 2), want[i].id);
    }
    assert_null(pci_host_dev(h, 0, 4, 0));
    /* the virtconsole's chardev reaches the PCI console */
    f->host.input = "hi";
    assert_false(devices_poll(d));
    devices_free(d);
    for (unsigned s = 1; s < PCI_SLOTS; s++)
        assert_null(pci_host_dev(h, 0, s, 0));
    /* without a host, -pci devices are a one-line error */
    assert_null(devices_create(&f->cfg, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, NULL));
    pci_host_free(h);
}

static void test_create_error(void **state)
{
    struct fx *f = *state;
    const char *devs[] = { "virtio-blk-device,drive=missing" };
    f->cfg.devices = devs;
    f->cfg.ndevices = 1;
    assert_null(devices_create(&f->cfg, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, NULL));
    uint64_t v;
    assert_false(bus_read(&f->bus, BASE, 4, &v));
}

/* Brings the console in slot 7 up with a receive queue of one 8-byte buffer. */
static void console_up(struct fx *f)
{
    uint64_t desc = 0x80001000, avail = 0x80002000, used = 0x80003000, buf = 0x80010000;
    slot_write(f, 7, 0x070, 3);
    slot_write(f, 7, 0x024, 1);
    slot_write(f, 7, 0x020, 1); /* VERSION_1 */
    slot_write(f, 7, 0x070, 0xb);
    slot_write(f, 7, 0x030, 0);
    slot_write(f, 7, 0x038, 4);
    slot_write(f, 7, 0x080, (uint32_t)desc);
    slot_write(f, 7, 0x084, 0);
    slot_write(f, 7, 0x090, (uint32_t)avail);
    slot_write(f, 7, 0x094, 0);
    slot_write(f, 7, 0x0a0, (uint32_t)used);
    slot_write(f, 7, 0x0a4, 0);
    slot_write(f, 7, 0x044, 1);
    slot_write(f, 7, 0x070, 0xf);
    uint8_t *r = f->ram;
    uint64_t d[2] = { buf, 8 | (uint64_t)VIRTQ_DESC_F_WRITE << 32 };
    memcpy(r + (desc - 0x80000000), d, 16);
    uint16_t a[3] = { 0, 1, 0 };
    memcpy(r + (avail - 0x80000000), a, 6);
}

static void test_poll_console_input(void **state)
{
    struct fx *f = *state;
    const char *devs[] = { "virtio-serial-device", "virtconsole,chardev=c0" };
    f->cfg.devices = devs;
    f->cfg.ndevices = 2;
    f->host.input = "typed-by-user";
    struct devices *d = devices_create(&f->cfg, &f->bus, BASE, STRIDE, f->irqs, NSLOTS, NULL);
    assert_non_null(d);
    /* before the driver is ready: read from the host, kept, not delivered */
    assert_false(devices_poll(d));
    console_up(f);
    assert_false(devices_poll(d));
    assert_memory_equal(f->ram + 0x10000, "typed-by", 8);
    uint16_t used_idx;
    memcpy(&used_idx, f->ram + 0x3002, 2);
    assert_int_equal(used_idx, 1);
    f->host.quit = true;
    assert_true(devices_poll(d));
    devices_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optlist),
        cmocka_unit_test(test_registry_descriptors),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_check_pci),
        cmocka_unit_test_setup_teardown(test_validate_pci, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_pci, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_slots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_console_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
