/* machine/devices.c: the device type table and the glue between devices,
 * the board's virtio-mmio slots and host objects. */
#include "machine/devices.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "machine/display_glue.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "machine/clock.h"
#include "virtio/mmio.h"
#include "virtio/net.h"
#include "virtio/pci.h"
#include "virtio/rng.h"

#define MAX_SLOTS 32                       /* virtio-mmio slots */
#define MAX_DEVICES (MAX_SLOTS + PCI_SLOTS) /* and PCI functions */

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
    enum device_transport transport;   /* see machine/devices.h */
    /* Makes the device; may note host-input needs in the slot. */
    struct virtio_dev *(*create)(struct devices *, struct plan *, struct slot *);
    /* Optional: host input, between CPU slices. True: the user asked to quit. */
    bool (*poll)(struct slot *);
};

/* One virtio-mmio slot's device, resolved from the command line. */
struct plan {
    const struct device_type *type;
    const char *arg;
    struct optlist opts;
    const struct devices_drive *drive;
    const struct devices_chardev *chardev;
    const struct devices_netdev *netdev;
    unsigned nic;         /* virtio-net: index in command-line order (default MAC) */
    bool has_port;        /* virtio-serial-device: a virtconsole was given */
    int pci_slot;         /* DEVICE_PCI: addr=, or -1 until one is assigned */
};

struct slot {
    const struct device_type *type;        /* NULL: an empty slot */
    struct virtio_mmio *mmio;              /* its transport: one of these */
    struct virtio_pci *pci;
    struct virtio_dev *dev;
    const struct devices_chardev *input;   /* console input source */
    bool rng_host;                         /* unseeded rng: host entropy */
    const struct devices_netdev *netdev;   /* virtio-net's backend */
    bool mapped;
    uint8_t in[4096];
    size_t in_len, in_pos;
};

struct devices {
    struct bus *bus;
    const struct devices_netdev *netdevs;
    unsigned nnetdevs;
    struct display_glue *glue;   /* virtio-gpu/input on the host display */
    uint64_t base, stride;
    unsigned nmmio;                        /* slot[0..nmmio) are the mmio slots */
    unsigned nslots;                       /* then the PCI functions */
    struct slot slot[MAX_DEVICES];
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
    struct virtio_blk_options o = { .serial = optlist_get(&p->opts, "serial") };
    uint64_t qs;
    if (parse_u64(optlist_get(&p->opts, "queue-size"), &qs) == 0)
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
    bool seeded = parse_u64(optlist_get(&p->opts, "seed"), &seed) == 0;
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

/* ---- virtio-net and its -netdev ---- */

static int parse_mac(const char *v, uint8_t mac[6])
{
    unsigned b[6];
    char end;
    if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
        strlen(v) != 17)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return 0;
}

static const char *check_mac(const char *v)
{
    uint8_t mac[6];
    if (parse_mac(v, mac) < 0)
        return "six hex bytes like 52:54:00:12:34:56";
    return mac[0] & 1 ? "a unicast address (the first byte even)" : NULL;
}

static const char *check_bool(const char *v)
{
    return optlist_bool(v) < 0 ? "on or off" : NULL;
}

static int net_send(void *ctx, const void *frame, size_t len)
{
    const struct devices_netdev *n = ctx;
    return n->send(n->ctx, frame, len);
}

static bool net_can_receive(void *opaque)
{
    return virtio_net_can_receive(opaque);
}

static void net_rx(void *opaque, const void *frame, size_t len)
{
    virtio_net_receive(opaque, frame, len);
}

static struct virtio_dev *create_net(struct devices *d, struct plan *p, struct slot *s)
{
    /* QEMU's default: 52:54:00:12:34:56 for the first card, then :57 ... */
    struct virtio_net_options o = { .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + p->nic) } };
    const char *mac = optlist_get(&p->opts, "mac");
    if (mac)
        parse_mac(mac, o.mac);
    uint64_t qs;
    if (parse_u64(optlist_get(&p->opts, "queue-size"), &qs) == 0)
        o.queue_size = (unsigned)qs;
    o.no_mrg_rxbuf = optlist_bool(optlist_get(&p->opts, "mrg_rxbuf")) == 0;
    o.no_csum = optlist_bool(optlist_get(&p->opts, "csum")) == 0;
    o.no_guest_csum = optlist_bool(optlist_get(&p->opts, "guest_csum")) == 0;
    struct virtio_net_backend be = { (void *)p->netdev, p->netdev ? net_send : NULL };
    struct virtio_dev *dev = virtio_net_new(d->bus, &be, &o);
    if (dev && p->netdev) {
        s->netdev = p->netdev;
        p->netdev->set_receiver(p->netdev->ctx, net_can_receive, net_rx, dev);
    }
    return dev;
}

/* A frame that waited for buffers goes first; the backend's own frames
 * come in poll_netdevs, after every card had its turn. */
static bool poll_net(struct slot *s)
{
    virtio_net_flush(s->dev);
    return false;
}

static void poll_netdevs(struct devices *d)
{
    for (unsigned i = 0; i < d->nnetdevs; i++)
        d->netdevs[i].poll(d->netdevs[i].ctx);
}

static void detach_netdevs(struct devices *d)
{
    for (unsigned i = 0; i < d->nslots; i++)
        if (d->slot[i].netdev)
            d->slot[i].netdev->set_receiver(d->slot[i].netdev->ctx, NULL, NULL, NULL);
    /* the clock dies with the machine */
    for (unsigned i = 0; i < d->nnetdevs; i++)
        if (d->netdevs[i].set_clock)
            d->netdevs[i].set_clock(d->netdevs[i].ctx, NULL, NULL);
}

static uint64_t vclock_ns(void *clock)
{
    return vclock_now(clock) * (1000000000ull / VCLOCK_HZ);
}

void devices_set_clock(struct devices *d, struct vclock *clock)
{
    for (unsigned i = 0; d && i < d->nnetdevs; i++)
        if (d->netdevs[i].set_clock)
            d->netdevs[i].set_clock(d->netdevs[i].ctx, vclock_ns, clock);
}

static const struct device_option net_options[] = {
    { "netdev", "ID", "the -netdev ...,id=ID it is wired to (default: unconnected)", false, NULL },
    { "mac", "MAC", "its MAC address (default 52:54:00:12:34:56, then :57 ... per card)", false, check_mac },
    { "queue-size", "N", "receive and transmit queue size, a power of two from 4 to 1024 (default 256)", false,
      check_queue_size },
    { "mrg_rxbuf", "on|off", "offer mergeable receive buffers (default on)", false, check_bool },
    { "csum", "on|off", "offer transmit checksum offload (default on)", false, check_bool },
    { "guest_csum", "on|off", "mark received frames' checksums valid (default on)", false, check_bool },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};

/* ---- virtio-gpu and virtio-input (machine/display_glue.c) ---- */

static struct virtio_dev *create_gpu(struct devices *d, struct plan *p, struct slot *s)
{
    return display_glue_gpu(d->glue, d->bus, &p->opts);
}

static struct virtio_dev *create_keyboard(struct devices *d, struct plan *p, struct slot *s)
{
    return display_glue_input(d->glue, d->bus, VIRTIO_INPUT_KEYBOARD, &p->opts);
}

static struct virtio_dev *create_mouse(struct devices *d, struct plan *p, struct slot *s)
{
    return display_glue_input(d->glue, d->bus, VIRTIO_INPUT_MOUSE, &p->opts);
}

static struct virtio_dev *create_tablet(struct devices *d, struct plan *p, struct slot *s)
{
    return display_glue_input(d->glue, d->bus, VIRTIO_INPUT_TABLET, &p->opts);
}

static const struct device_option gpu_options[] = {
    { "xres", "N", "width of the preferred mode, 16 to 4095 (default 1024)", false, display_glue_check_res },
    { "yres", "N", "height of the preferred mode, 16 to 4095 (default 768)", false, display_glue_check_res },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};
static const struct device_option input_options[] = {
    { "serial", "STRING", "serial the guest reads (default: empty)", false, NULL },
    { "id", "NAME", "name of the device (accepted, unused)", false, NULL },
    { NULL, NULL, NULL, false, NULL },
};

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

/* ---- the PCI transport's own options, for every DEVICE_PCI type ---- */

/* QEMU's addr=SLOT[.FN]: the slot in hex; function 0 only. */
static int parse_pci_addr(const char *v, int *slot)
{
    char *end;
    if (!((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'f') || (*v >= 'A' && *v <= 'F')))
        return -1;
    errno = 0;
    unsigned long x = strtoul(v, &end, 16);
    if (errno || end == v || x < 1 || x >= PCI_SLOTS)
        return -1;
    if (*end == '.' && (!strcmp(end, ".0") || !strcmp(end, ".00")))
        end += strlen(end);
    if (*end)
        return -1;
    *slot = (int)x;
    return 0;
}

static const char *check_pci_addr(const char *v)
{
    int slot;
    if (parse_pci_addr(v, &slot) < 0)
        return "a slot from 1 to 1f in hex, as QEMU's (optionally .0: one function per slot; 00.0 is the "
               "host bridge)";
    return NULL;
}

static const char *check_disable_legacy(const char *v)
{
    return !strcmp(v, "on") || !strcmp(v, "auto") || optlist_bool(v) == 1
               ? NULL : "on or auto (rivet's virtio-pci devices are modern-only, as QEMU's with disable-legacy=on)";
}

static const char *check_disable_modern(const char *v)
{
    return optlist_bool(v) == 0 ? NULL : "off (rivet's virtio-pci devices are modern-only)";
}

static const struct device_option pci_options[] = {
    { "addr", "SLOT", "PCI slot on bus 0, in hex as QEMU (1-1f; default: the first free one)", false,
      check_pci_addr },
    { "disable-legacy", "on", "accepted for QEMU's sake: the device is modern-only (1af4:1040+id)", false,
      check_disable_legacy },
    { "disable-modern", "off", "accepted for QEMU's sake", false, check_disable_modern },
    { NULL, NULL, NULL, false, NULL },
};

/* One line per type and transport; see machine/devices.h. */
static const struct device_type types[] = {
    { "virtio-blk-device", "virtio-mmio block device on a -drive (drive=ID)", blk_options, DEVICE_MMIO, create_blk,
      NULL },
    { "virtio-blk-pci", "virtio-pci block device on a -drive (drive=ID)", blk_options, DEVICE_PCI, create_blk,
      NULL },
    { "virtio-console-device", "virtio-mmio console (Linux hvcN) on a -chardev (chardev=ID)", console_options,
      DEVICE_MMIO, create_console, poll_console },
    { "virtio-console-pci", "virtio-pci console (Linux hvcN) on a -chardev (chardev=ID)", console_options,
      DEVICE_PCI, create_console, poll_console },
    { "virtio-serial-device", "QEMU's spelling of the console: takes a slot; add -device virtconsole for its port",
      serial_options, DEVICE_MMIO, create_console, poll_console },
    { "virtio-serial-pci", "QEMU's spelling of the PCI console: add -device virtconsole for its port",
      serial_options, DEVICE_PCI, create_console, poll_console },
    { "virtconsole", "the console port of the previous virtio-serial-device/-pci (chardev=ID)", virtconsole_options,
      DEVICE_PORT, NULL, NULL },
    { "virtio-rng-device", "virtio-mmio entropy source (host getrandom, or seed=N for a reproducible stream)",
      rng_options, DEVICE_MMIO, create_rng, poll_rng },
    { "virtio-rng-pci", "virtio-pci entropy source (host getrandom, or seed=N for a reproducible stream)",
      rng_options, DEVICE_PCI, create_rng, poll_rng },
    { "virtio-net-device", "virtio-mmio network card on a -netdev (netdev=ID[,mac=52:54:00:..])", net_options,
      DEVICE_MMIO, create_net, poll_net },
    { "virtio-net-pci", "virtio-pci network card on a -netdev (netdev=ID[,mac=52:54:00:..])", net_options,
      DEVICE_PCI, create_net, poll_net },
    { "virtio-gpu-device", "virtio-mmio 2D display (xres=,yres=; shown by -display)", gpu_options, DEVICE_MMIO,
      create_gpu, NULL },
    { "virtio-gpu-pci", "virtio-pci 2D display (xres=,yres=; shown by -display)", gpu_options, DEVICE_PCI,
      create_gpu, NULL },
    { "virtio-keyboard-device", "virtio-mmio keyboard (the display window's keys)", input_options, DEVICE_MMIO,
      create_keyboard, NULL },
    { "virtio-keyboard-pci", "virtio-pci keyboard (the display window's keys)", input_options, DEVICE_PCI,
      create_keyboard, NULL },
    { "virtio-mouse-device", "virtio-mmio mouse (relative; Ctrl-Alt-G grabs the pointer)", input_options,
      DEVICE_MMIO, create_mouse, NULL },
    { "virtio-mouse-pci", "virtio-pci mouse (relative; Ctrl-Alt-G grabs the pointer)", input_options, DEVICE_PCI,
      create_mouse, NULL },
    { "virtio-tablet-device", "virtio-mmio tablet (absolute pointer)", input_options, DEVICE_MMIO, create_tablet,
      NULL },
    { "virtio-tablet-pci", "virtio-pci tablet (absolute pointer)", input_options, DEVICE_PCI, create_tablet, NULL },
};
#define NTYPES (sizeof types / sizeof types[0])

static const struct device_type *find_type(const char *name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

/* The options a type's transport adds to the device's own. */
static const struct device_option *transport_options(const struct device_type *t)
{
    return t->transport == DEVICE_PCI ? pci_options : NULL;
}

static const struct device_option *find_option(const struct device_type *t, const char *name)
{
    for (const struct device_option *o = t->options; o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    for (const struct device_option *o = transport_options(t); o && o->name; o++)
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
    fprintf(out, "Devices (QEMU's names; ...-device: virtio-mmio, in the virt board's 8 slots in command-line "
                 "order;\n...-pci: virtio-pci on PCI bus 0, at addr=SLOT or the first free slot):\n");
    for (size_t i = 0; i < NTYPES; i++)
        fprintf(out, "  %-24s %s\n", types[i].name, types[i].help);
}

static void type_help(const struct device_type *t, FILE *out)
{
    fprintf(out, "%s: %s\n", t->name, t->help);
    const struct device_option *lists[2] = { t->options, transport_options(t) };
    for (unsigned l = 0; l < 2; l++)
        for (const struct device_option *o = lists[l]; o && o->name; o++) {
            char left[48];
            snprintf(left, sizeof left, "%s=%s", o->name, o->arg);
            fprintf(out, "  %-22s %s%s\n", left, o->help, o->required ? " (required)" : "");
        }
}

/* Checks an already split argument; the shared part of devices_check and
 * planning. */
static int check_opts(const char *arg, const struct optlist *o, const struct device_type **type, FILE *out)
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
    if (!t)
        return fail(arg, "unknown device '%s' (see -device help)", name);
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
        if (opt->required && !optlist_get(o, opt->name))
            return fail(arg, "%s needs %s=%s (%s)", t->name, opt->name, opt->arg, opt->help);
    *type = t;
    return 0;
}

int devices_check(const char *arg, FILE *out)
{
    struct optlist o;
    if (optlist_parse(arg, &o) < 0)
        return fail(arg, "out of memory");
    const struct device_type *t;
    int r = check_opts(arg, &o, &t, out);
    optlist_free(&o);
    return r;
}

/* ---- planning: command line to slots ---- */

/* Every -device in command-line order; mmio[] lists the DEVICE_MMIO ones. */
struct plans {
    struct plan p[MAX_DEVICES];
    unsigned n;
    struct plan *mmio[MAX_SLOTS];
    unsigned nmmio, npci;
};

static void plans_free(struct plans *ps)
{
    for (unsigned i = 0; i < ps->n; i++)
        optlist_free(&ps->p[i].opts);
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

static int plan_netdev(const struct devices_config *c, const struct plans *ps, struct plan *p)
{
    const char *id = optlist_get(&p->opts, "netdev");
    if (p->type->create != create_net)
        return 0;
    for (unsigned k = 0; k + 1 < ps->n; k++)
        if (ps->p[k].type->create == create_net)
            p->nic++;
    if (p->nic > 0xff - 0x56 && !optlist_get(&p->opts, "mac"))
        return fail(p->arg, "too many network cards for default MAC addresses (give mac=)");
    if (!id)
        return 0;
    for (unsigned i = 0; i < c->nnetdevs; i++)
        if (!strcmp(c->netdevs[i].id, id))
            p->netdev = &c->netdevs[i];
    if (!p->netdev)
        return fail(p->arg, "no -netdev with id=%s", id);
    for (unsigned k = 0; k + 1 < ps->n; k++)
        if (ps->p[k].netdev == p->netdev)
            return fail(p->arg, "netdev '%s' is already used by -device %s", id, ps->p[k].arg);
    return 0;
}

/* QEMU warns, and so do we: a -netdev no card uses is probably a typo. */
static void warn_unused_netdevs(const struct devices_config *c, const struct plans *ps)
{
    for (unsigned i = 0; c && i < c->nnetdevs; i++) {
        bool used = false;
        for (unsigned k = 0; k < ps->n; k++)
            used |= ps->p[k].netdev == &c->netdevs[i];
        if (!used)
            fprintf(stderr, "rivet: warning: -netdev id=%s is not used by any -device (add -device "
                    "virtio-net-device,netdev=%s)\n", c->netdevs[i].id, c->netdevs[i].id);
    }
}

/* An explicit addr= must be free of earlier explicit ones. */
static int plan_pci_slot(struct plans *ps, struct plan *p)
{
    ps->npci++;
    const char *addr = optlist_get(&p->opts, "addr");
    if (!addr)
        return 0;
    parse_pci_addr(addr, &p->pci_slot); /* valid: check_opts checked it */
    for (unsigned k = 0; k + 1 < ps->n; k++)
        if (ps->p[k].pci_slot == p->pci_slot && ps->p[k].type->transport == DEVICE_PCI)
            return fail(p->arg, "PCI slot %02x is already taken by -device %s", (unsigned)p->pci_slot,
                        ps->p[k].arg);
    return 0;
}

/* The others take the first free slots in command-line order. Explicit
 * ones are placed first, which gives QEMU's layout whenever QEMU accepts
 * the command line (it places devices one by one, and fails when an
 * earlier automatic one took a slot a later addr= names). */
static void assign_pci_slots(struct plans *ps)
{
    bool used[PCI_SLOTS] = { true }; /* 00.0: the host bridge */
    for (unsigned k = 0; k < ps->n; k++)
        if (ps->p[k].type->transport == DEVICE_PCI && ps->p[k].pci_slot > 0)
            used[ps->p[k].pci_slot] = true;
    unsigned next = 1;
    for (unsigned k = 0; k < ps->n; k++) {
        struct plan *p = &ps->p[k];
        if (p->type->transport != DEVICE_PCI || p->pci_slot > 0)
            continue;
        while (next < PCI_SLOTS && used[next])
            next++;
        if (next == PCI_SLOTS)
            return; /* cannot happen: at most 31 were planned */
        p->pci_slot = (int)next;
        used[next] = true;
    }
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
        struct optlist o;
        const struct device_type *t;
        if (optlist_parse(arg, &o) < 0)
            return fail(arg, "out of memory");
        if (check_opts(arg, &o, &t, NULL) != 0) {
            optlist_free(&o);
            return -1; /* help cannot get here: options.c handled it */
        }
        if (t->transport == DEVICE_PORT) {
            /* virtconsole: the port of the last virtio-serial-device/-pci */
            struct plan *host = NULL;
            for (unsigned k = ps->n; k-- > 0;)
                if (!strncmp(ps->p[k].type->name, "virtio-serial-", 14)) {
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
                r = find_chardev(c, arg, optlist_get(&o, "chardev"), &host->chardev, ps);
            if (host)
                host->has_port = true;
            optlist_free(&o);
            if (r < 0)
                return -1;
            continue;
        }
        if (t->transport == DEVICE_MMIO && ps->nmmio == nslots) {
            optlist_free(&o);
            return fail(arg, "all %u virtio-mmio slots are taken", nslots);
        }
        if (t->transport == DEVICE_PCI && ps->npci == PCI_SLOTS - 1) {
            optlist_free(&o);
            return fail(arg, "all %u PCI slots of bus 0 are taken", PCI_SLOTS - 1);
        }
        struct plan *p = &ps->p[ps->n++];
        p->type = t;
        p->arg = arg;
        p->opts = o;
        p->pci_slot = -1;
        if (t->transport == DEVICE_MMIO)
            ps->mmio[ps->nmmio++] = p;
        if (t->transport == DEVICE_PCI && plan_pci_slot(ps, p) < 0)
            return -1;
        if (find_chardev(c, arg, optlist_get(&o, "chardev"), &p->chardev, ps) < 0)
            return -1;
        const char *drive = optlist_get(&o, "drive");
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
        if (plan_netdev(c, ps, p) < 0)
            return -1;
    }
    assign_pci_slots(ps);
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
    if (r == 0)
        warn_unused_netdevs(c, ps);
    plans_free(ps);
    free(ps);
    return r;
}

/* ---- the machine's devices ---- */

/* The PCI functions, after the mmio slots in d->slot[], in command-line
 * order. */
static int create_pci(struct devices *d, struct plans *ps, struct pci_host *pci)
{
    for (unsigned k = 0; k < ps->n; k++) {
        struct plan *p = &ps->p[k];
        if (p->type->transport != DEVICE_PCI)
            continue;
        if (!pci)
            return fail(p->arg, "this machine has no PCI bus");
        struct slot *s = &d->slot[d->nslots++];
        s->type = p->type;
        s->dev = p->type->create(d, p, s);
        if (!s->dev)
            return fail(p->arg, "out of memory");
        s->pci = virtio_pci_new(s->dev, pci, p->pci_slot, 0, 0);
        if (!s->pci)
            return fail(p->arg, "PCI slot %02x is not free (or out of memory)", (unsigned)p->pci_slot);
    }
    return 0;
}

struct devices *devices_create(const struct devices_config *c, struct bus *bus, uint64_t base, uint64_t stride,
                               const struct irq_line *irqs, unsigned nslots, struct pci_host *pci)
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
    d->nmmio = d->nslots = nslots;
    if (c) {
        d->netdevs = c->netdevs;
        d->nnetdevs = c->nnetdevs;
    }
    d->glue = display_glue_new(c ? c->display : NULL);
    if (!d->glue) {
        fprintf(stderr, "rivet: out of memory\n");
        goto fail;
    }
    if (plan_all(c, nslots, ps) < 0)
        goto fail;
    bool legacy = c && c->mmio_legacy;
    for (unsigned i = 0; i < nslots; i++) {
        struct slot *s = &d->slot[i];
        /* The highest slot first, as QEMU: Linux probes the device tree's
         * highest address first, so the first -device becomes virtio0. */
        unsigned k = nslots - 1 - i;
        if (k < ps->nmmio) {
            struct plan *p = ps->mmio[k];
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
    if (create_pci(d, ps, pci) < 0)
        goto fail;
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
    poll_netdevs(d);
    if (d)
        quit |= display_glue_poll(d->glue);
    return quit;
}

void devices_free(struct devices *d)
{
    if (!d)
        return;
    detach_netdevs(d);
    display_glue_free(d->glue);   /* before the devices: the scanout's pixels are theirs */
    for (unsigned i = 0; i < d->nslots; i++) {
        struct slot *s = &d->slot[i];
        if (s->mapped)
            bus_unmap(d->bus, d->base + i * d->stride);
        virtio_mmio_free(s->mmio);
        virtio_pci_free(s->pci);
        virtio_dev_free(s->dev);
    }
    free(d);
}
