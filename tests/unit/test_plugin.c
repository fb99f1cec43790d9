/* tests/unit/test_plugin.c: device plug-ins (machine/plugin.c) as rivet
 * loads them: a plug-in built for another ABI version is refused in one
 * line naming the file; the example plug-ins (tests/plugins/, built by
 * `make plugins` against the installed header) register with the device
 * registry, and their devices work through rivet's virtio core and bus:
 * example-rng's counter stream, its position across save/load, a broken
 * ring putting it in NEEDS_RESET like a built-in device; example-mmio's
 * window, access sizes, interrupt line and state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixture.h"
#include "bus/device.h"
#include "machine/devices.h"
#include "machine/plugin.h"
#include "machine/rivet-device.h"
#include "virtio/rng.h"

#define NUM 16

static char plugin_dir[512];

static const char *plugin_path(const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", plugin_dir, name);
    return path;
}

/* plugin_load with stderr captured into buf. */
static int load_captured(const char *file, char *buf, size_t len)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int r = plugin_load(file);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(buf, 1, len - 1, tmp);
    buf[n] = 0;
    fclose(tmp);
    return r;
}

static unsigned lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_wrong_abi_refused(void **state)
{
    char err[1024], want[700];
    const char *f = plugin_path("bad-abi-new.so");
    assert_int_equal(load_captured(f, err, sizeof err), -1);
    snprintf(want, sizeof want, "rivet: -plugin %s: built for device ABI %d, newer than this rivet's", f,
             RIVET_DEVICE_ABI_VERSION + 1);
    if (strncmp(err, want, strlen(want)))
        fail_msg("got: %s", err);
    assert_int_equal(lines(err), 1);

    f = plugin_path("bad-abi-old.so");
    assert_int_equal(load_captured(f, err, sizeof err), -1);
    snprintf(want, sizeof want, "rivet: -plugin %s: built for device ABI 0, older than this rivet's", f);
    if (strncmp(err, want, strlen(want)))
        fail_msg("got: %s", err);
    assert_int_equal(lines(err), 1);
    /* nothing of theirs was registered */
    assert_null(devices_type("bad-rng-device"));
}

static void test_bad_descriptors_refused(void **state)
{
    static const struct { const char *file, *why; } cases[] = {
        { "not-elf.so", "not a shared object" },
        { "bad-noentry.so", "no entry point rivet_plugin_entry" },
        { "bad-dup.so", "two devices named dup-rng" },
        { "bad-builtin.so", "the name virtio-rng-device is already taken by the built-in device virtio-rng" },
        { "bad-zero.so", "device zero-mmio: a zero-sized region" },
        { "bad-overlap.so", "overlaps the board's uart" },
        { "bad-qemu.so", "a QEMU TCG plug-in, not a rivet device plug-in" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[1024];
        const char *f = plugin_path(cases[i].file);
        assert_int_equal(load_captured(f, err, sizeof err), -1);
        assert_int_equal(lines(err), 1);
        if (!strstr(err, f) || !strstr(err, cases[i].why))
            fail_msg("%s: got: %s", cases[i].file, err);
    }
    assert_null(devices_type("dup-rng-device"));
    assert_null(devices_type("zero-mmio"));
}

/* ---- example-rng ---- */

struct rng_fx {
    struct fx_virtio v;
    struct optlist opts;
    struct device_args args;
    struct device_instance inst;
};

static void rng_make(struct rng_fx *f, const char *arg, bool up)
{
    const struct device_desc *t = devices_type("example-rng-device");
    assert_non_null(t);
    assert_int_equal(optlist_parse(arg, &f->opts), 0);
    f->args = (struct device_args){ .desc = t, .bus = fx_bus(&f->v), .opts = &f->opts, .arg = arg };
    memset(&f->inst, 0, sizeof f->inst);
    f->inst.desc = t;
    char err[256];
    assert_int_equal(t->create(&f->inst, &f->args, err, sizeof err), 0);
    assert_non_null(f->inst.vdev);
    fx_virtio_attach(&f->v, f->inst.vdev);
    if (up)
        fx_virtio_up(&f->v, f->inst.vdev);
}

static void rng_drop(struct rng_fx *f)
{
    virtio_dev_free(f->inst.vdev);
    optlist_free(&f->opts);
}

/* Posts one writable buffer of len bytes at gpa on entry slot. */
static void post(struct rng_fx *f, unsigned slot, uint64_t gpa, uint32_t len)
{
    td_desc(&f->v.q[0], slot, gpa, len, VIRTQ_DESC_F_WRITE, 0);
    td_publish(&f->v.q[0], (uint16_t)slot);
}

static void test_rng_counter_and_state(void **state)
{
    struct rng_fx *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    fx_virtio_init(&a->v, 1, NUM);
    rng_make(a, "example-rng-device,start=250", true);
    struct tdrv *q = &a->v.q[0];
    uint64_t buf = td_alloc(q, 64);
    post(a, 0, buf, 12);
    virtio_notify(a->inst.vdev, 0);
    assert_int_equal(td_used_idx(q), 1);
    assert_int_equal(td_used_len(q, 0), 12);
    for (unsigned i = 0; i < 12; i++)
        assert_int_equal(td_ptr(q, buf)[i], (250 + i) % 256);
    assert_int_equal(a->v.irqs[0], 1);

    /* save; a fresh device (same options, same RAM) loads and goes on */
    struct state st;
    state_init_save(&st);
    virtio_dev_state(a->inst.vdev, &st);
    assert_true(state_ok(&st, false));
    b->v = a->v;
    rng_make(b, "example-rng-device,start=250", false);
    struct state in;
    state_init_load(&in, st.buf, st.len);
    virtio_dev_state(b->inst.vdev, &in);
    if (!state_ok(&in, true))
        fail_msg("load failed: %s", in.why);
    post(b, 1, buf + 16, 8);
    virtio_notify(b->inst.vdev, 0);
    assert_int_equal(td_used_idx(q), 2);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(td_ptr(q, buf + 16)[i], (262 + i) % 256);

    /* the built-in virtio-rng has the same device ID; its stream does not
     * load into the plug-in's device (the device sections differ) */
    state_free(&st);
    uint64_t seed = 1;
    struct virtio_dev *builtin = virtio_rng_new(fx_bus(&a->v), &seed);
    state_init_save(&st);
    virtio_dev_state(builtin, &st);
    state_init_load(&in, st.buf, st.len);
    virtio_dev_state(b->inst.vdev, &in);
    assert_false(state_ok(&in, true));
    virtio_dev_free(builtin);
    state_free(&st);
    rng_drop(b);
    rng_drop(a);
    fx_virtio_free(&a->v);
    free(a);
    free(b);
}

static void test_rng_broken_ring_needs_reset(void **state)
{
    struct rng_fx *a = calloc(1, sizeof *a);
    fx_virtio_init(&a->v, 1, NUM);
    rng_make(a, "example-rng-device", true);
    post(a, 0, 0x1000, 16);   /* not RAM */
    virtio_notify(a->inst.vdev, 0);
    assert_true(virtio_get_status(a->inst.vdev) & VIRTIO_STATUS_NEEDS_RESET);
    assert_int_equal(a->inst.vdev->failures, 1);
    assert_int_equal(a->v.config_irqs, 1);
    assert_int_equal(td_used_idx(&a->v.q[0]), 0);
    /* after a reset the driver can use it again */
    virtio_set_status(a->inst.vdev, 0);
    fx_virtio_up(&a->v, a->inst.vdev);
    rng_drop(a);
    fx_virtio_free(&a->v);
    free(a);
}

/* ---- example-mmio ---- */

struct sink {
    unsigned n;
    bool level;
    unsigned calls;
};

static void sink_set(void *ctx, unsigned n, bool level)
{
    struct sink *s = ctx;
    s->n = n;
    s->level = level;
    s->calls++;
}

static void test_mmio_device(void **state)
{
    struct fx_virtio *v = calloc(1, sizeof *v);
    fx_virtio_init(v, 1, NUM);
    struct sink s = { 0 };
    struct irq_line irq = { sink_set, &s, 1 };
    const char *devs[] = { "example-mmio" };
    struct devices_config cfg = { .devices = devs, .ndevices = 1 };
    struct devices *d = devices_create(&cfg, fx_bus(v), 0x10001000, 0x1000, &irq, 1, NULL);
    assert_non_null(d);
    const struct device_desc *nodes[4];
    assert_int_equal(devices_bus_nodes(d, nodes, 4), 1);
    assert_string_equal(nodes[0]->compatible, "rivet,example-mmio");
    uint64_t x;
    assert_true(bus_read(fx_bus(v), 0x10100000, 4, &x));
    assert_int_equal(x, 0x72697674);
    assert_true(bus_write(fx_bus(v), 0x10100004, 4, 0xabcd));
    assert_true(bus_read(fx_bus(v), 0x10100004, 4, &x));
    assert_int_equal(x, 0xabcd);
    assert_false(bus_read(fx_bus(v), 0x10100000, 8, &x));   /* 8-byte: not declared */
    assert_false(bus_read(fx_bus(v), 0x10100002, 4, &x));   /* misaligned */
    assert_true(bus_write(fx_bus(v), 0x10100008, 4, 1));
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.n, 12);                              /* its PLIC source */
    assert_true(s.level);
    devices_free(d);
    assert_false(bus_read(fx_bus(v), 0x10100000, 4, &x));   /* unmapped */

    /* state: save a busy one, load into a fresh one, outputs follow */
    const struct device_desc *t = devices_type("example-mmio");
    struct optlist o;
    optlist_parse("example-mmio", &o);
    struct sink s2 = { 0 };
    struct irq_line l2 = { sink_set, &s2, 12 };
    struct device_args args = { .desc = t, .bus = fx_bus(v), .opts = &o, .irq = &l2 };
    struct device_instance i1 = { .desc = t }, i2 = { .desc = t };
    char err[256];
    assert_int_equal(t->create(&i1, &args, err, sizeof err), 0);
    assert_int_equal(t->create(&i2, &args, err, sizeof err), 0);
    t->ops->write(i1.priv, 4, 0x55, 4);
    t->ops->write(i1.priv, 8, 1, 4);
    struct state st;
    state_init_save(&st);
    t->save(i1.priv, &st);
    s2.calls = 0;
    struct state in;
    state_init_load(&in, st.buf, st.len);
    assert_int_equal(t->load(i2.priv, &in), 0);
    assert_true(state_ok(&in, true));
    assert_int_equal(t->ops->read(i2.priv, 4, 4), 0x55);
    assert_int_equal(s2.calls, 1);
    assert_true(s2.level);
    /* a truncated stream fails */
    state_init_load(&in, st.buf, st.len - 1);
    assert_int_not_equal(t->load(i2.priv, &in), 0);
    state_free(&st);
    t->free(i1.priv);
    t->free(i2.priv);
    optlist_free(&o);
    fx_virtio_free(v);
    free(v);
}

static int load_examples(void **state)
{
    const char *b = getenv("B");
    snprintf(plugin_dir, sizeof plugin_dir, "%s/tests/plugins", b && *b ? b : "build");
    if (access(plugin_path("example-rng.so"), R_OK) != 0) {
        fprintf(stderr, "%s: not built (make plugins)\n", plugin_path("example-rng.so"));
        return -1;
    }
    return plugin_load(plugin_path("example-rng.so")) == 0 && plugin_load(plugin_path("example-mmio.so")) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_abi_refused),
        cmocka_unit_test(test_bad_descriptors_refused),
        cmocka_unit_test(test_rng_counter_and_state),
        cmocka_unit_test(test_rng_broken_ring_needs_reset),
        cmocka_unit_test(test_mmio_device),
    };
    return cmocka_run_group_tests(tests, load_examples, NULL);
}
