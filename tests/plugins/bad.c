/* tests/plugins/bad.c: plug-ins that rivet must refuse, one per BAD_*
 * macro (tests/plugins/Makefile builds each; tests/guest/plugin_errors.sh
 * and tests/unit/test_plugin.c check the one-line errors). */
#include <rivet-device.h>

#include <stdlib.h>

__attribute__((unused)) static void *create(struct rivet_dev *dev, char *err, size_t errlen) { return dev; }
__attribute__((unused)) static void destroy(void *opaque) { (void)opaque; }
__attribute__((unused)) static void notify(void *opaque, unsigned q) { (void)opaque; (void)q; }
__attribute__((unused)) static uint64_t rd(void *opaque, uint64_t off, unsigned size) { return 0; }
__attribute__((unused)) static void wr(void *opaque, uint64_t off, uint64_t v, unsigned size) { }

#define VIRTIO_TYPE(n) { .size = sizeof(struct rivet_device_type), .name = n, .help = "bad", \
        .kind = RIVET_DEVICE_VIRTIO, .create = create, .free = destroy, .virtio_id = 4, .nqueues = 1, \
        .queue_max = { 64 }, .queue_notify = notify }
#define MMIO_TYPE(n, b, s) { .size = sizeof(struct rivet_device_type), .name = n, .help = "bad", \
        .kind = RIVET_DEVICE_MMIO, .create = create, .free = destroy, .base = b, .region_size = s, \
        .compatible = "rivet,bad", .access_sizes = 4, .read = rd, .write = wr }

#if defined BAD_DUP
static const struct rivet_device_type t1 = VIRTIO_TYPE("dup-rng"), t2 = VIRTIO_TYPE("dup-rng");
static const struct rivet_device_type *const types[] = { &t1, &t2, NULL };
#elif defined BAD_BUILTIN
static const struct rivet_device_type t1 = VIRTIO_TYPE("virtio-rng");
static const struct rivet_device_type *const types[] = { &t1, NULL };
#elif defined BAD_ZERO
static const struct rivet_device_type t1 = MMIO_TYPE("zero-mmio", 0x20000000, 0);
static const struct rivet_device_type *const types[] = { &t1, NULL };
#elif defined BAD_OVERLAP
static const struct rivet_device_type t1 = MMIO_TYPE("uart-clash", 0x10000000, 0x1000);
static const struct rivet_device_type *const types[] = { &t1, NULL };
#elif defined BAD_SELF_OVERLAP
static const struct rivet_device_type t1 = MMIO_TYPE("mmio-a", 0x20000000, 0x2000),
                                      t2 = MMIO_TYPE("mmio-b", 0x20001000, 0x1000);
static const struct rivet_device_type *const types[] = { &t1, &t2, NULL };
#else
static const struct rivet_device_type t1 = VIRTIO_TYPE("bad-rng");
static const struct rivet_device_type *const types[] = { &t1, NULL };
#endif

#if defined BAD_ABI_NEW
#define ABI (RIVET_DEVICE_ABI_VERSION + 1)
#elif defined BAD_ABI_OLD
#define ABI (RIVET_DEVICE_ABI_MIN - 1)
#else
#define ABI RIVET_DEVICE_ABI_VERSION
#endif

static const struct rivet_plugin plugin = {
    .abi_version = ABI, .size = sizeof(struct rivet_plugin), .name = "bad", .types = types,
};

#if defined BAD_NOENTRY
const struct rivet_plugin *not_the_entry(void) { return &plugin; }
#elif defined BAD_QEMU
/* What a QEMU TCG plug-in exports (qemu-plugin.h); the signature does not
 * matter here: rivet only looks the name up. */
int qemu_plugin_version = 1;
int qemu_plugin_install(void *id, const void *info, int argc, char **argv) { return 0; }
const struct rivet_plugin *rivet_plugin_entry(void) { return &plugin; }
#else
const struct rivet_plugin *rivet_plugin_entry(void) { return &plugin; }
#endif
