/* tests/plugins/example-rng.c: an example rivet device plug-in.
 *
 * A virtio entropy device (device ID 4, what Linux's virtio-rng driver
 * binds) whose "entropy" is a counter: byte n of its stream is n mod 256.
 * Nobody should use it for randomness; it exists so that a test can tell
 * its bytes from a real generator's, and as the walk-through of
 * docs/plugins.md. Build it out of tree:
 *
 *     cc -shared -fPIC $(pkg-config --cflags rivet-device) -o example-rng.so example-rng.c
 *
 * and use it with
 *
 *     rivet -plugin ./example-rng.so -device example-rng-device ...   (virtio-mmio)
 *     rivet -plugin ./example-rng.so -device example-rng-pci ...      (virtio-pci)
 */
#include <rivet-device.h>

#include <stdlib.h>

/* One device. rivet hands `dev` (its handle) to create; the device keeps
 * it to call back into rivet. */
struct example_rng {
    struct rivet_dev *dev;
    struct rivet_elem *elem;   /* the chain being filled */
    uint64_t pos;              /* position in the stream: the next byte is pos mod 256 */
};

static void *rng_create(struct rivet_dev *dev, char *err, size_t errlen)
{
    struct example_rng *r = calloc(1, sizeof *r);
    if (!r || !(r->elem = rivet_elem_new())) {
        free(r);
        return NULL;            /* rivet says "the plug-in's create failed" */
    }
    r->dev = dev;
    rivet_opt_u64(dev, "start", &r->pos);   /* default 0 (the option's def) */
    return r;
}

/* The driver put buffers on queue 0: fill each one's writable part with
 * the next bytes of the stream and give it back. rivet checked the chain
 * (a malformed ring makes rivet_virtio_pop return -1 and puts the device
 * in NEEDS_RESET). */
static void rng_notify(void *opaque, unsigned q)
{
    struct example_rng *r = opaque;
    int got, any = 0;
    while ((got = rivet_virtio_pop(r->dev, q, r->elem)) > 0) {
        uint64_t want = rivet_elem_in_len(r->elem), done = 0;
        if (want > 65536)
            want = 65536;
        while (done < want) {
            uint8_t buf[256];
            size_t n = want - done < sizeof buf ? (size_t)(want - done) : sizeof buf;
            for (size_t i = 0; i < n; i++)
                buf[i] = (uint8_t)(r->pos + i);
            if (rivet_elem_write(r->dev, r->elem, done, buf, n) != (long)n)
                break;
            r->pos += n;
            done += n;
        }
        rivet_virtio_push(r->dev, q, r->elem, (uint32_t)done);
        any = 1;
    }
    if (any)
        rivet_virtio_queue_done(r->dev, q);
}

/* The stream goes on across a device reset, like a hardware source's. */
static void rng_reset(void *opaque)
{
    (void)opaque;
}

/* Save/load: the stream position, so a restored machine goes on where it
 * stopped. The same calls save and load. */
static void rng_state(void *opaque, struct rivet_state *st)
{
    struct example_rng *r = opaque;
    rivet_state_section(st, "example-rng", 1);
    rivet_state_u64(st, "pos", &r->pos);
}

static void rng_free(void *opaque)
{
    struct example_rng *r = opaque;
    rivet_elem_free(r->elem);
    free(r);
}

static const struct rivet_option rng_options[] = {
    { .name = "start", .type = RIVET_OPT_U64, .arg = "N", .def = "0",
      .help = "position the stream starts at (its first byte is N mod 256)" },
    { 0 },
};

static const struct rivet_device_type example_rng = {
    .size = sizeof(struct rivet_device_type),
    .name = "example-rng",
    .help = "example plug-in: entropy device whose byte n is n mod 256 (tests/plugins)",
    .kind = RIVET_DEVICE_VIRTIO,
    .options = rng_options,
    .create = rng_create,
    .reset = rng_reset,
    .state = rng_state,
    .free = rng_free,
    .virtio_id = 4,             /* an entropy source (virtio 1.2, 5.4) */
    .nqueues = 1,
    .queue_max = { 64 },
    .config_len = 0,            /* virtio-rng has no config space */
    .queue_notify = rng_notify,
};

static const struct rivet_device_type *const types[] = { &example_rng, NULL };

static const struct rivet_plugin plugin = {
    .abi_version = RIVET_DEVICE_ABI_VERSION,
    .size = sizeof(struct rivet_plugin),
    .name = "example-rng",
    .types = types,
};

const struct rivet_plugin *rivet_plugin_entry(void)
{
    return &plugin;
}
