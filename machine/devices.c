/* machine/devices.c: the device type table and the glue between devices,
 * the board's virtio-mmio slots and host objects. */
#include "machine/devices.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/mmio.h"
#include "virtio/rng.h"

#define MAX_SLOTS 32

/* ---- option lists ---- */

static int push_opt(struct devopts *o, char *item)
{
    struct devopt *v = realloc(o->v, (o->n + 1) * sizeof *v);
    if (!v)
        return -1;
    o->v = v;
    char *eq = strchr(item, '=');
    if (eq) {
        *eq = 0;
        v[o->n].value = strdup(eq + 1);
    } else {
        v[o->n].value = NULL;
    }
    v[o->n].key = strdup(item);
    if (!v[o->n].key || (eq && !v[o->n].value)) {
        free(v[o->n].key);
        free(v[o->n].value);
        return -1;
    }
    o->n++;
    return 0;
}

int devopts_parse(const char *s, struct devopts *o)
{
    memset(o, 0, sizeof *o);
    size_t len = strlen(s);
    char *item = malloc(len + 1);
    if (!item)
        return -1;
    size_t n = 0;
    for (size_t i = 0;; i++) {
        if (s[i] == ',' && s[i + 1] == ',') {
            item[n++] = ',';
            i++;
            continue;
        }
        if (s[i] == ',' || s[i] == 0) {
            item[n] = 0;
            if (push_opt(o, item) < 0) {
                free(item);
                devopts_free(o);
                return -1;
            }
            n = 0;
            if (s[i] == 0)
                break;
            continue;
        }
        item[n++] = s[i];
    }
    free(item);
    return 0;
}

const char *devopts_get(const struct devopts *o, const char *key)
{
    const char *v = NULL;
    for (unsigned i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].key, key) && o->v[i].value)
            v = o->v[i].value;
    return v;
}

bool devopts_has(const struct devopts *o, const char *key)
{
    for (unsigned i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].key, key))
            return true;
    return false;
}

void devopts_free(struct devopts *o)
{
    for (unsigned i = 0; i < o->n; i++) {
        free(o->v[i].key);
        free(o->v[i].value);
    }
    free(o->v);
    memset(o, 0, sizeof *o);
}

int devopts_bool(const char *v)
{
    if (!v)
        return -1;
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true"))
        return 1;
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false"))
        return 0;
    return -1;
}

static int parse_u64(const char *v, uint64_t *out)
{
    if (!v || !*v || *v == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(v, &end, 0);
    if (errno || *end)
        return -1;
    *out = x;
    return 0;
}

/* ---- the table ---- */

struct plan;
struct slot;
struct devices;

struct device_option {
    const char *name, *arg, *help;
    bool required;
    /* NULL when the value is fine, else why not. */
    const char *(*check)(const char *value);
};

struct device_type {
    const char *name;
    const char *help;
    const struct device_option *options;
    bool takes_slot;      /* false: a port of the previous virtio-serial-device */
    /* Makes the device; may note host-input needs in the slot. */
    struct virtio_dev *(*create)(struct devices *, struct plan *, struct slot *);
    /* Optional: host input, between CPU slices. True: the user asked to quit. */
    bool (*poll)(struct slot *);
};

/* One virtio-mmio slot's device, resolved from the command line. */
struct plan {
    const struct device_type *type;
    const char *arg;
    struct devopts opts;
    const struct devices_drive *drive;
    const struct devices_chardev *chardev;
    bool has_port;        /* virtio-serial-device: a virtconsole was given */
};

struct slot {
    const struct device_type *type;        /* NULL: an empty slot */
    struct virtio_mmio *mmio;
    struct virtio_dev *dev;
    const struct devices_chardev *input;   /* console input source */
    bool rng_host;                         /* unseeded rng: host entropy */
    bool mapped;
    uint8_t in[4096];
    size_t in_len, in_pos;
};

struct devices {
    struct bus *bus;
    uint64_t base, stride;
    unsigned nslots;
    struct slot slot[MAX_SLOTS];
};

static const char *check_serial(const char *v)
{
    return strlen(v) > VIRTIO_BLK_ID_BYTES ? "at most 20 characters" : NULL;
}

static const char *check_queue_size(const char *v)
{
    uint64_t x;
    if (parse_u64(v, &x) < 0 || x < 4 || x > VIRTQ_MAX_SIZE || (x & (x - 1)))
        return "a power of two from 4 to 1024";
    return NULL;
}

static const char *check_u64(const char *v)
{
    uint64_t x;
    return parse_u64(v, &x) < 0 ? "a number (decimal or 0x hex)" : NULL;
}

static const char *check_ports(const char *v)
{
    uint64_t x;
    return parse_u64(v, &x) < 0 || x < 1 ? "a number of at least 1 (one port is used)" : NULL;
}

static struct virtio_dev *create_blk(struct devices *d, struct plan *p, struct slot *s)
{
    struct virtio_blk_options o = { .serial = devopts_get(&p->opts, "serial") };
    uint64_t qs;
    if (parse_u64(devopts_get(&p->opts, "queue-size"), &qs) == 0)
        o.queue_size = (unsigned)qs;
    return virtio_blk_new(d->bus, p->drive->backend, &o);
}

static struct virtio_dev *create_console(struct devices *d, struct plan *p, struct slot *s)
{
    struct virtio_console_port port = { 0 };
    s->input = p->chardev;
    if (p->chardev) {
        port.write = p->chardev->write;
        port.ctx = p->chardev->ctx;
    }
    return virtio_console_new(d->bus, p->chardev ? &port : NULL);
}

static struct virtio_dev *create_rng(struct devices *d, struct plan *p, struct slot *s)
{
    uint64_t seed;
    bool seeded = parse_u64(devopts_get(&p->opts, "seed"), &seed) == 0;
    s->rng_host = !seeded;
    return virtio_rng_new(d->bus, seeded ? &seed : NULL);
}

/* Console bytes from the chardev. Reading goes on while the guest lags
 * (bytes wait in the slot) so that the user's quit key is seen; it stops
 * when that buffer is full. */
static bool poll_console(struct slot *s)
{
    bool quit = false;
    if (!s->input || !s->input->read)
        return false;
    memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
    s->in_len -= s->in_pos;
    s->in_pos = 0;
    if (s->in_len < sizeof s->in)
        s->in_len += s->input->read(s->input->ctx, s->in + s->in_len, sizeof s->in - s->in_len, &quit);
    if (s->in_len)
        s->in_pos += virtio_console_receive(s->dev, s->in, s->in_len);
    return quit;
}

static size_t host_entropy(void *ctx, uint8_t *buf, size_t len)
{
    ssize_t n = getrandom(buf, len, GRND_NONBLOCK);
    return n > 0 ? (size_t)n : 0;
}

/* Host entropy is input from outside: served here, never at notify time. */
static bool poll_rng(struct slot *s)
{
    if (s->rng_host && virtio_rng_pending(s->dev))
        virtio_rng_fill(s->dev, host_entropy, NULL);
    return false;
}

static const struct device_option blk_options[] = {
    { "drive", "ID", "the -drive ...,id=ID holding the image", true, NULL },
    { "serial", "STRING", "serial number the guest reads (GET_ID), up to 20 characters", false, check_serial },
    { "queue-size", "N", "virtqueue size, a power of two from 4 to 1024 (default 256)", false, check_queue_size },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};
static const struct device_option console_options[] = {
    { "chardev", "ID", "the -chardev ...,id=ID for its input and output (default: unconnected)", false, NULL },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};
static const struct device_option serial_options[] = {
    { "max_ports", "N", "accepted for QEMU's sake; rivet's device has one port", false, check_ports },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};
static const struct device_option virtconsole_options[] = {
    { "chardev", "ID", "the -chardev ...,id=ID for its input and output (default: unconnected)", false, NULL },
    { "name", "NAME", "port name (accepted, unused: the port is a console, not named)", false, NULL },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};
static const struct device_option rng_options[] = {
    { "seed", "N", "deterministic generator with this seed (default: the host's getrandom)", false, check_u64 },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};

static const struct device_type types[] = {
    { "virtio-blk-device", "virtio-mmio block device on a -drive (drive=ID)", blk_options, true, create_blk,
      NULL },
    { "virtio-console-device", "virtio-mmio console (Linux hvcN) on a -chardev (chardev=ID)", console_options, true,
      create_console, poll_console },
    { "virtio-serial-device", "QEMU's spelling of the console: takes a slot; add -device virtconsole for its port",
      serial_options, true, create_console, poll_console },
    { "virtconsole", "the console port of the previous virtio-serial-device (chardev=ID)", virtconsole_options, false,
      NULL, NULL },
    { "virtio-rng-device", "virtio-mmio entropy source (host getrandom, or seed=N for a reproducible stream)",
      rng_options, true, create_rng, poll_rng },
};
#define NTYPES (sizeof types / sizeof types[0])

static const struct device_type *find_type(const char *name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

static const struct device_option *find_option(const struct device_type *t, const char *name)
{
    for (const struct device_option *o = t->options; o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

static int fail(const char *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *arg, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "rivet: -device %s: ", arg);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

static void list_types(FILE *out)
{
    fprintf(out, "Devices (QEMU's names; virtio-mmio, in the virt board's 8 slots in command-line order):\n");
    for (size_t i = 0; i < NTYPES; i++)
        fprintf(out, "  %-24s %s\n", types[i].name, types[i].help);
}

static void type_help(const struct device_type *t, FILE *out)
{
    fprintf(out, "%s: %s\n", t->name, t->help);
    for (const struct device_option *o = t->options; o->name; o++) {
        char left[48];
        snprintf(left, sizeof left, "%s=%s", o->name, o->arg);
        fprintf(out, "  %-22s %s%s\n", left, o->help, o->required ? " (required)" : "");
    }
}

/* Checks an already split argument; the shared part of devices_check and
 * planning. */
static int check_opts(const char *arg, const struct devopts *o, const struct device_type **type, FILE *out)
{
    if (o->n == 0 || o->v[0].value || !*o->v[0].key)
        return fail(arg, "expected a device name first (see -device help)");
    const char *name = o->v[0].key;
    if (!strcmp(name, "help") || !strcmp(name, "?")) {
        if (out)
            list_types(out);
        return 1;
    }
    const struct device_type *t = find_type(name);
    if (!t) {
        size_t n = strlen(name);
        if (n > 4 && !strcmp(name + n - 4, "-pci"))
            return fail(arg, "unknown device '%s' (no virtio-pci transport yet; the virtio-mmio devices are "
                        "listed by -device help)", name);
        return fail(arg, "unknown device '%s' (see -device help)", name);
    }
    for (unsigned i = 1; i < o->n; i++) {
        const char *k = o->v[i].key, *v = o->v[i].value;
        if (!v && (!strcmp(k, "help") || !strcmp(k, "?"))) {
            if (out)
                type_help(t, out);
            return 1;
        }
        const struct device_option *opt = find_option(t, k);
        if (!opt)
            return fail(arg, "%s has no option '%s' (see -device %s,help)", t->name, k, t->name);
        if (!v)
            return fail(arg, "option '%s' needs a value (%s=%s)", k, k, opt->arg);
        const char *why = opt->check ? opt->check(v) : NULL;
        if (why)
            return fail(arg, "%s must be %s", k, why);
    }
    for (const struct device_option *opt = t->options; opt->name; opt++)
        if (opt->required && !devopts_get(o, opt->name))
            return fail(arg, "%s needs %s=%s (%s)", t->name, opt->name, opt->arg, opt->help);
    *type = t;
    return 0;
}

int devices_check(const char *arg, FILE *out)
{
    struct devopts o;
    if (devopts_parse(arg, &o) < 0)
        return fail(arg, "out of memory");
    const struct device_type *t;
    int r = check_opts(arg, &o, &t, out);
    devopts_free(&o);
    return r;
}

/* ---- planning: command line to slots ---- */

struct plans {
    struct plan p[MAX_SLOTS];
    unsigned n;
};

static void plans_free(struct plans *ps)
{
    for (unsigned i = 0; i < ps->n; i++)
        devopts_free(&ps->p[i].opts);
    ps->n = 0;
}

static int find_chardev(const struct devices_config *c, const char *arg, const char *id,
                        const struct devices_chardev **out, const struct plans *ps)
{
    if (!id) {
        *out = NULL;
        return 0;
    }
    for (unsigned i = 0; i < c->nchardevs; i++)
        if (!strcmp(c->chardevs[i].id, id)) {
            for (unsigned k = 0; k < ps->n; k++)
                if (ps->p[k].chardev == &c->chardevs[i])
                    return fail(arg, "chardev '%s' is already used by -device %s", id, ps->p[k].arg);
            *out = &c->chardevs[i];
            return 0;
        }
    return fail(arg, "no -chardev with id=%s", id);
}

static int plan_all(const struct devices_config *c, unsigned nslots, struct plans *ps)
{
    memset(ps, 0, sizeof *ps);
    if (!c)
        return 0;
    if (nslots > MAX_SLOTS)
        nslots = MAX_SLOTS;
    for (unsigned i = 0; i < c->ndevices; i++) {
        const char *arg = c->devices[i];
        struct devopts o;
        const struct device_type *t;
        if (devopts_parse(arg, &o) < 0)
            return fail(arg, "out of memory");
        if (check_opts(arg, &o, &t, NULL) != 0) {
            devopts_free(&o);
            return -1; /* help cannot get here: options.c handled it */
        }
        if (!t->takes_slot) {
            /* virtconsole: the port of the last virtio-serial-device */
            struct plan *host = NULL;
            for (unsigned k = ps->n; k-- > 0;)
                if (!strcmp(ps->p[k].type->name, "virtio-serial-device")) {
                    host = &ps->p[k];
                    break;
                }
            int r = 0;
            if (!host)
                r = fail(arg, "needs a -device virtio-serial-device before it (or use -device "
                         "virtio-console-device,chardev=ID)");
            else if (host->has_port)
                r = fail(arg, "rivet's virtio-serial-device has one port, and it already has a virtconsole");
            else
                r = find_chardev(c, arg, devopts_get(&o, "chardev"), &host->chardev, ps);
            if (host)
                host->has_port = true;
            devopts_free(&o);
            if (r < 0)
                return -1;
            continue;
        }
        if (ps->n == nslots) {
            devopts_free(&o);
            return fail(arg, "all %u virtio-mmio slots are taken", nslots);
        }
        struct plan *p = &ps->p[ps->n++];
        p->type = t;
        p->arg = arg;
        p->opts = o;
        if (find_chardev(c, arg, devopts_get(&o, "chardev"), &p->chardev, ps) < 0)
            return -1;
        const char *drive = devopts_get(&o, "drive");
        if (drive) {
            for (unsigned k = 0; k < c->ndrives; k++)
                if (!strcmp(c->drives[k].id, drive))
                    p->drive = &c->drives[k];
            if (!p->drive)
                return fail(arg, "no -drive with id=%s", drive);
            for (unsigned k = 0; k + 1 < ps->n; k++)
                if (ps->p[k].drive == p->drive)
                    return fail(arg, "drive '%s' is already used by -device %s", drive, ps->p[k].arg);
        }
    }
    return 0;
}

int devices_validate(const struct devices_config *c, unsigned nslots)
{
    struct plans *ps = malloc(sizeof *ps);
    if (!ps) {
        fprintf(stderr, "rivet: out of memory\n");
        return -1;
    }
    int r = plan_all(c, nslots, ps);
    plans_free(ps);
    free(ps);
    return r;
}

/* ---- the machine's devices ---- */

struct devices *devices_create(const struct devices_config *c, struct bus *bus, uint64_t base, uint64_t stride,
                               const struct irq_line *irqs, unsigned nslots)
{
    struct devices *d = calloc(1, sizeof *d);
    struct plans *ps = malloc(sizeof *ps);
    if (!d || !ps) {
        free(d);
        free(ps);
        fprintf(stderr, "rivet: out of memory\n");
        return NULL;
    }
    if (nslots > MAX_SLOTS)
        nslots = MAX_SLOTS;
    d->bus = bus;
    d->base = base;
    d->stride = stride;
    d->nslots = nslots;
    if (plan_all(c, nslots, ps) < 0)
        goto fail;
    bool legacy = c && c->mmio_legacy;
    for (unsigned i = 0; i < nslots; i++) {
        struct slot *s = &d->slot[i];
        /* The highest slot first, as QEMU: Linux probes the device tree's
         * highest address first, so the first -device becomes virtio0. */
        unsigned k = nslots - 1 - i;
        if (k < ps->n) {
            struct plan *p = &ps->p[k];
            s->type = p->type;
            s->dev = p->type->create(d, p, s);
            if (!s->dev) {
                fprintf(stderr, "rivet: -device %s: out of memory\n", p->arg);
                goto fail;
            }
        }
        s->mmio = virtio_mmio_new(s->dev, base + i * stride, irqs[i], legacy);
        if (!s->mmio) {
            fprintf(stderr, "rivet: out of memory\n");
            goto fail;
        }
        if (bus_map(bus, base + i * stride, stride, "virtio-mmio", &virtio_mmio_ops, s->mmio) < 0) {
            fprintf(stderr, "rivet: internal error: virtio-mmio slot %u overlaps\n", i);
            goto fail;
        }
        s->mapped = true;
    }
    plans_free(ps);
    free(ps);
    return d;
fail:
    plans_free(ps);
    free(ps);
    devices_free(d);
    return NULL;
}

bool devices_poll(struct devices *d)
{
    bool quit = false;
    for (unsigned i = 0; d && i < d->nslots; i++) {
        struct slot *s = &d->slot[i];
        if (s->type && s->type->poll)
            quit |= s->type->poll(s);
    }
    return quit;
}

void devices_free(struct devices *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->nslots; i++) {
        struct slot *s = &d->slot[i];
        if (s->mapped)
            bus_unmap(d->bus, d->base + i * d->stride);
        virtio_mmio_free(s->mmio);
        virtio_dev_free(s->dev);
    }
    free(d);
}
