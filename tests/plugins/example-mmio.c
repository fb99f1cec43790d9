/* tests/plugins/example-mmio.c: an example platform (MMIO) device plug-in.
 *
 * A 4 KiB register window at 0x10100000 with a device-tree node
 * (compatible "rivet,example-mmio") and PLIC source 12:
 *
 *   0x0  ID       read-only 0x72697674 ("rivt")
 *   0x4  SCRATCH  read/write, saved and loaded
 *   0x8  IRQ      write 1: raise the interrupt, 0: lower it; reads the level
 *
 * 32-bit aligned accesses only (rivet's bus faults others without calling
 * the device).
 */
#include <rivet-device.h>

#include <stdlib.h>

struct example_mmio {
    struct rivet_dev *dev;
    uint32_t scratch;
    bool level;
};

static void *mmio_create(struct rivet_dev *dev, char *err, size_t errlen)
{
    struct example_mmio *m = calloc(1, sizeof *m);
    if (m)
        m->dev = dev;
    return m;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct example_mmio *m = opaque;
    switch (off) {
    case 0x0: return 0x72697674;
    case 0x4: return m->scratch;
    case 0x8: return m->level;
    default: return 0;
    }
}

static void mmio_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct example_mmio *m = opaque;
    if (off == 0x4)
        m->scratch = (uint32_t)value;
    else if (off == 0x8) {
        m->level = value & 1;
        rivet_irq_set(m->dev, m->level);
    }
}

static void mmio_reset(void *opaque)
{
    struct example_mmio *m = opaque;
    m->scratch = 0;
    m->level = false;
    rivet_irq_set(m->dev, false);
}

static void mmio_state(void *opaque, struct rivet_state *st)
{
    struct example_mmio *m = opaque;
    rivet_state_section(st, "example-mmio", 1);
    rivet_state_u32(st, "scratch", &m->scratch);
    rivet_state_bool(st, "level", &m->level);
    if (rivet_state_loading(st))
        rivet_irq_set(m->dev, m->level);   /* outputs follow the loaded state */
}

static void mmio_free(void *opaque)
{
    free(opaque);
}

static const struct rivet_device_type example_mmio = {
    .size = sizeof(struct rivet_device_type),
    .name = "example-mmio",
    .help = "example plug-in: a register window with an interrupt (tests/plugins)",
    .kind = RIVET_DEVICE_MMIO,
    .create = mmio_create,
    .reset = mmio_reset,
    .state = mmio_state,
    .free = mmio_free,
    .base = 0x10100000,
    .region_size = 0x1000,
    .irq = 12,
    .compatible = "rivet,example-mmio",
    .access_sizes = 4,
    .read = mmio_read,
    .write = mmio_write,
};

static const struct rivet_device_type *const types[] = { &example_mmio, NULL };

static const struct rivet_plugin plugin = {
    .abi_version = RIVET_DEVICE_ABI_VERSION,
    .size = sizeof(struct rivet_plugin),
    .name = "example-mmio",
    .types = types,
};

const struct rivet_plugin *rivet_plugin_entry(void)
{
    return &plugin;
}
