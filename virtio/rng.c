/* virtio/rng.c: the virtio entropy device. */
#include "virtio/rng.h"
#include "bus/device.h"

#include <sys/random.h>

#include <stdlib.h>
#include <string.h>

#define QUEUE_SIZE 64
#define MAX_PER_REQUEST (64u << 10)

struct rng {
    struct virtio_dev vdev;
    bool seeded;
    uint64_t seed;
    uint64_t s[4];        /* xoshiro256** state */
    bool pending;
    struct virtq_elem elem;
};

static struct rng *to_rng(struct virtio_dev *d)
{
    return (struct rng *)d;
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro_next(uint64_t s[4])
{
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

static void seed_state(struct rng *r)
{
    uint64_t x = r->seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static size_t prng_source(void *ctx, uint8_t *buf, size_t len)
{
    struct rng *r = ctx;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = xoshiro_next(r->s);
        uint8_t b[8];
        virtio_st64(b, v);
        memcpy(buf + i, b, len - i < 8 ? len - i : 8);
    }
    return len;
}

void virtio_rng_fill(struct virtio_dev *d, virtio_rng_source source, void *ctx)
{
    struct rng *r = to_rng(d);
    bool any = false;
    int got;
    while ((got = virtio_pop(d, 0, &r->elem)) > 0) {
        uint64_t want = r->elem.in_len < MAX_PER_REQUEST ? r->elem.in_len : MAX_PER_REQUEST;
        uint64_t done = 0;
        while (done < want) {
            uint8_t buf[256];
            size_t n = want - done < sizeof buf ? (size_t)(want - done) : sizeof buf;
            n = source(ctx, buf, n);
            if (n == 0 || virtio_elem_write(d, &r->elem, done, buf, n) != (long)n)
                break;
            done += n;
        }
        virtio_push(d, 0, &r->elem, (uint32_t)done);
        any = true;
    }
    r->pending = false;
    if (any)
        virtio_queue_done(d, 0);
}

bool virtio_rng_pending(struct virtio_dev *d)
{
    return to_rng(d)->pending && virtio_dev_running(d);
}

static void rng_notify(struct virtio_dev *d, unsigned q)
{
    struct rng *r = to_rng(d);
    if (r->seeded)
        virtio_rng_fill(d, prng_source, r);
    else
        r->pending = true;
}

static void rng_reset(struct virtio_dev *d)
{
    /* The generator's stream goes on across a device reset, as a hardware
     * source would; only requests in flight are forgotten. */
    to_rng(d)->pending = false;
}

/* The generator's position and a request waiting for host entropy (the
 * ring entries themselves are the core's). */
static void rng_state(struct virtio_dev *d, struct state *st)
{
    struct rng *r = to_rng(d);
    state_section(st, "virtio-rng", 1);
    bool seeded = r->seeded;
    state_bool(st, "seeded", &seeded);
    if (state_loading(st) && seeded != r->seeded)
        state_fail(st, "virtio-rng: another entropy source");
    state_bytes(st, "xoshiro", r->s, sizeof r->s);
    state_bool(st, "pending", &r->pending);
    if (state_loading(st) && !st->error && r->seeded && !(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        state_fail(st, "virtio-rng: a generator state of all zeros");
}

static void rng_free(struct virtio_dev *d)
{
    free(to_rng(d));
}

static const struct virtio_device_ops rng_ops = {
    .queue_notify = rng_notify,
    .reset = rng_reset,
    .state = rng_state,
    .free = rng_free,
};

struct virtio_dev *virtio_rng_new(struct bus *bus, const uint64_t *seed)
{
    struct rng *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    static const uint16_t qmax[1] = { QUEUE_SIZE };
    virtio_dev_init(&r->vdev, &rng_ops, bus, "virtio-rng", VIRTIO_ID_RNG, 1, qmax, 0);
    if (seed) {
        r->seeded = true;
        r->seed = *seed;
        seed_state(r);
    }
    return &r->vdev;
}

/* ---- the device type (bus/device.h) ---- */

static size_t host_entropy(void *ctx, uint8_t *buf, size_t len)
{
    ssize_t n = getrandom(buf, len, GRND_NONBLOCK);
    return n > 0 ? (size_t)n : 0;
}

struct rng_instance {
    bool host;   /* unseeded: host entropy */
    const struct devices_rng *source;   /* rng=ID: that -object's, else the board's host_rng, else getrandom */
};

static size_t object_entropy(void *ctx, uint8_t *buf, size_t len)
{
    const struct devices_rng *r = ctx;
    return r->read(r->ctx, buf, len);
}

static int rng_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    uint64_t seed;
    bool seeded = device_opt_u64(a, "seed", &seed);
    if (seeded && a->rng)
        return errf(err, errlen, "seed= and rng= exclude each other (a seeded stream reads no host source)");
    struct rng_instance *ri = calloc(1, sizeof *ri);
    if (!ri)
        return errf(err, errlen, "out of memory");
    ri->host = !seeded;
    ri->source = seeded ? NULL : a->rng ? a->rng : a->host_rng;
    in->priv = ri;
    in->vdev = virtio_rng_new(a->bus, seeded ? &seed : NULL);
    return in->vdev ? 0 : errf(err, errlen, "out of memory");
}

/* Host entropy is input from outside: served here, never at notify time. */
static bool rng_poll(struct device_instance *in)
{
    struct rng_instance *ri = in->priv;
    if (ri->host && virtio_rng_pending(in->vdev)) {
        if (ri->source)
            virtio_rng_fill(in->vdev, object_entropy, (void *)ri->source);
        else
            virtio_rng_fill(in->vdev, host_entropy, NULL);
    }
    return false;
}

static const struct device_option rng_options[] = {
    { .name = "seed", .type = DEVOPT_U64, .arg = "N",
      .help = "deterministic generator with this seed (default: the host's getrandom)" },
    { .name = "rng", .type = DEVOPT_RNG, .arg = "ID",
      .help = "the -object rng-random|rng-builtin,id=ID it reads (rng-builtin: getrandom)" },
    DEVOPT_END,
};

DEVICE_TYPE(virtio_rng) = {
    .name = "virtio-rng",
    .help = "entropy source (host getrandom, or seed=N for a reproducible stream)",
    .kind = DEVICE_VIRTIO,
    .options = rng_options,
    .create = rng_create,
    .poll = rng_poll,
};
