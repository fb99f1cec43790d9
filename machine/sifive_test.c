/* machine/sifive_test.c: SiFive test finisher (pass / fail / reset). */
#include "machine/sifive_test.h"
#include "bus/device.h"
#include "machine/board.h"

#include <libfdt.h>
#include "bus/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

struct sifive_test {
    sifive_test_cb cb;
    void *ctx;
    struct ratelimit log_rl;
};

struct sifive_test *sifive_test_new(sifive_test_cb cb, void *ctx)
{
    struct sifive_test *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cb = cb;
    t->ctx = ctx;
    return t;
}

void sifive_test_free(struct sifive_test *t)
{
    if (t)
        ratelimit_flush(&t->log_rl);
    free(t);
}

static uint64_t sifive_test_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void sifive_test_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct sifive_test *t = opaque;
    if (off != 0) {
        log_guest(&t->log_rl, "sifive_test: ignoring %u-byte write at 0x%" PRIx64, size, off);
        return;
    }
    uint32_t v = (uint32_t)(size == 2 ? value & 0xffff : value);
    int code = (int)(v >> 16);
    enum finisher_action a;
    switch (v & 0xffff) {
    case SIFIVE_TEST_PASS:
        a = FINISHER_PASS;
        code = 0;
        break;
    case SIFIVE_TEST_FAIL:
        a = FINISHER_FAIL;
        break;
    case SIFIVE_TEST_RESET:
        a = FINISHER_RESET;
        code = 0;
        break;
    default:
        log_guest(&t->log_rl, "sifive_test: ignoring write of 0x%" PRIx32, v);
        return;
    }
    if (t->cb)
        t->cb(t->ctx, a, code);
}

/* syscon-poweroff/-reboot and firmware use 32-bit writes; QEMU also takes
 * 16-bit ones, so do we. */
const struct bus_device_ops sifive_test_ops = {
    .read = sifive_test_read,
    .write = sifive_test_write,
    .sizes = BUS_SIZE_2 | BUS_SIZE_4,
    .aligned = true,
};

/* ---- the device type (bus/device.h, machine/board.h) ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

static int sifive_test_fdt(const struct board_fdt *b)
{
    static const char *const compat[] = { "sifive,test1", "sifive,test0", "syscon" };
    FDT_TRY(board_fdt_begin_at(b, "test", b->base));
    FDT_TRY(fdt_property_cell(b->fdt, "phandle", b->phandle));
    FDT_TRY(board_fdt_reg(b, b->base, b->size));
    FDT_TRY(board_fdt_strings(b, "compatible", compat, 3));
    return fdt_end_node(b->fdt);
}

static int syscon_node(const struct board_fdt *b, const char *name, const char *compat, uint32_t value)
{
    FDT_TRY(fdt_begin_node(b->fdt, name));
    FDT_TRY(fdt_property_cell(b->fdt, "value", value));
    FDT_TRY(fdt_property_cell(b->fdt, "offset", 0));
    FDT_TRY(fdt_property_cell(b->fdt, "regmap", b->phandle));
    FDT_TRY(fdt_property_string(b->fdt, "compatible", compat));
    return fdt_end_node(b->fdt);
}

/* syscon-poweroff and -reboot write the finisher's PASS and RESET codes. */
static int sifive_test_fdt_root(const struct board_fdt *b)
{
    FDT_TRY(syscon_node(b, "poweroff", "syscon-poweroff", SIFIVE_TEST_PASS));
    return syscon_node(b, "reboot", "syscon-reboot", SIFIVE_TEST_RESET);
}

static void test_free(void *d) { sifive_test_free(d); }
static void test_reset(void *d) {}   /* no state */

/* The finisher keeps no guest-visible state: a versioned empty section. */
static void test_save_v(void *d, struct state *st) { state_section(st, "sifive_test", 1); }
static int test_load_v(void *d, struct state *st) { state_section(st, "sifive_test", 1); return st->error ? -1 : 0; }

DEVICE_TYPE(sifive_test) = {
    .name = "sifive-test",
    .help = "SiFive test finisher (syscon poweroff/reboot)",
    .kind = DEVICE_PLATFORM,
    .ops = &sifive_test_ops,
    .fdt_node = sifive_test_fdt,
    .fdt_root = sifive_test_fdt_root,
    .free = test_free,
    .reset = test_reset,
    .save = test_save_v,
    .load = test_load_v,
};
