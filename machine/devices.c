/* machine/devices.c: the generic registry behind -device. It names no
 * device type: types describe themselves (bus/device.h, DEVICE_TYPE in
 * each device's own file) and are found in the generated list. This file
 * checks options against a type's descriptor, resolves host resources,
 * plans virtio-mmio slots and PCI functions, and creates, polls and frees
 * the instances. */
#include "machine/devices.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bus/device.h"
#include "bus/suggest.h"
#include "machine/clock.h"
#include "machine/display_glue.h"
#include "virtio/mmio.h"
#include "virtio/pci.h"

#define MAX_SLOTS 32                       /* virtio-mmio slots */
#define MAX_DEVICES (MAX_SLOTS + PCI_SLOTS + 16) /* and PCI functions and bus devices */

/* Which generated name of a descriptor a -device used. */
enum variant { V_MMIO, V_PCI, V_PORT, V_BUS };
static const char *const suffix[] = { "-device", "-pci", "", "" };
static const char *const transport_name[] = { "virtio-mmio ", "virtio-pci ", "", "bus device " };

static int fail(const char *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const char *arg, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return log_err("-device %s: %s", arg, msg);
}

/* ---- finding types ---- */

/* Types registered at run time (plug-ins), after the generated list. */
static const struct device_desc *extra_types[64];
static unsigned nextra;

/* The i-th type: the generated list, then the registered ones; NULL at the end. */
static const struct device_desc *type_at(unsigned i)
{
    static unsigned nbuiltin = ~0u;
    if (nbuiltin == ~0u)
        for (nbuiltin = 0; device_types[nbuiltin]; nbuiltin++)
            ;
    if (i < nbuiltin)
        return device_types[i];
    return i - nbuiltin < nextra ? extra_types[i - nbuiltin] : NULL;
}

static const struct device_desc *find_type(const char *name, enum variant *v)
{
    const struct device_desc *d;
    for (unsigned i = 0; (d = type_at(i)); i++) {
        if ((d->kind == DEVICE_PORT || d->kind == DEVICE_MMIO) && !strcmp(d->name, name)) {
            *v = d->kind == DEVICE_PORT ? V_PORT : V_BUS;
            return d;
        }
        if (d->kind != DEVICE_VIRTIO)
            continue;
        size_t n = strlen(d->name);
        if (strncmp(name, d->name, n))
            continue;
        for (enum variant k = V_MMIO; k <= V_PCI; k++)
            if (!strcmp(name + n, suffix[k])) {
                *v = k;
                return d;
            }
    }
    return NULL;
}

/* The -device name nearest to a mistyped one, or NULL. */
static const char *nearest_type(const char *name)
{
    static char buf[64];
    const char *names[256];
    char store[256][64];
    size_t n = 0;
    const struct device_desc *d;
    for (unsigned i = 0; (d = type_at(i)) && n + 2 <= 256; i++) {
        if (d->kind == DEVICE_PORT || d->kind == DEVICE_MMIO)
            snprintf(store[n], sizeof store[n], "%s", d->name), names[n] = store[n], n++;
        else if (d->kind == DEVICE_VIRTIO)
            for (enum variant k = V_MMIO; k <= V_PCI; k++)
                snprintf(store[n], sizeof store[n], "%s%s", d->name, suffix[k]), names[n] = store[n], n++;
    }
    const char *near = suggest_nearest(name, names, n);
    if (!near)
        return NULL;
    snprintf(buf, sizeof buf, "%s", near);
    return buf;
}

bool devices_name_taken(const char *name, bool virtio, char *why, size_t len)
{
    char n[80];
    enum variant v;
    for (enum variant k = V_MMIO; k <= V_PORT; k++) {
        if (!virtio && k != V_PORT)
            continue;
        snprintf(n, sizeof n, "%s%s", name, suffix[k]);
        const struct device_desc *t = find_type(n, &v);
        if (t) {
            bool builtin = false;
            for (unsigned i = 0; device_types[i]; i++)
                builtin |= device_types[i] == t;
            errf(why, len, "the name %s is already taken by the %s device %s", n,
                 builtin ? "built-in" : "plug-in", t->name);
            return true;
        }
    }
    return false;
}

const struct device_desc *devices_type(const char *name)
{
    enum variant v;
    return find_type(name, &v);
}

int devices_register(const struct device_desc *t, char *err, size_t errlen)
{
    if (nextra == sizeof extra_types / sizeof extra_types[0])
        return errf(err, errlen, "too many plug-in device types (%u)", nextra);
    if (devices_name_taken(t->name, t->kind == DEVICE_VIRTIO, err, errlen))
        return -1;
    extra_types[nextra++] = t;
    return 0;
}

/* ---- the PCI transport's own options, for every -pci variant ---- */

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
    { .name = "addr", .type = DEVOPT_STR, .arg = "SLOT",
      .help = "PCI slot on bus 0, in hex as QEMU (1-1f; default: the first free one)",
      .check = check_pci_addr },
    { .name = "disable-legacy", .type = DEVOPT_STR, .arg = "on",
      .help = "accepted for QEMU's sake: the device is modern-only (1af4:1040+id)",
      .check = check_disable_legacy },
    { .name = "disable-modern", .type = DEVOPT_STR, .arg = "off", .help = "accepted for QEMU's sake",
      .check = check_disable_modern },
    DEVOPT_END,
};

static const char *check_bootindex(const char *v)
{
    char *end;
    errno = 0;
    long b = strtol(v, &end, 10);
    return errno || end == v || *end || b < -1 ? "a number (accepted, unused)" : NULL;
}

/* Every variant also takes id= (QEMU's device name; unused), and QEMU's
 * option ROM and boot order, which rivet has neither of. */
static const struct device_option common_options[] = {
    { .name = "id", .type = DEVOPT_STR, .arg = "NAME", .help = "name of the device (accepted, unused)" },
    { .name = "romfile", .type = DEVOPT_STR, .arg = "FILE", .help = "option ROM (accepted, unused: no firmware loads ROMs)" },
    { .name = "bootindex", .type = DEVOPT_STR, .arg = "N", .help = "boot order (accepted, unused: the kernel is given)",
      .check = check_bootindex },
    DEVOPT_END,
};

static const struct device_option *find_option(const struct device_desc *t, enum variant v, const char *name)
{
    const struct device_option *o = device_find_option(t->options, name);
    if (!o && v == V_PCI)
        o = device_find_option(pci_options, name);
    return o ? o : device_find_option(common_options, name);
}

/* ---- help ---- */

static void list_types(FILE *out)
{
    fprintf(out, "Devices (QEMU's names; ...-device: virtio-mmio, in the virt board's 8 slots in command-line "
                 "order;\n...-pci: virtio-pci on PCI bus 0, at addr=SLOT or the first free slot):\n");
    const struct device_desc *d;
    for (unsigned i = 0; (d = type_at(i)); i++) {
        char name[64];
        for (enum variant v = V_MMIO; v <= V_BUS; v++) {
            bool has = d->kind == DEVICE_VIRTIO ? v <= V_PCI : d->kind == DEVICE_PORT ? v == V_PORT
                     : d->kind == DEVICE_MMIO && v == V_BUS;
            if (!has)
                continue;
            snprintf(name, sizeof name, "%s%s", d->name, suffix[v]);
            fprintf(out, "  %-24s %s%s\n", name, transport_name[v], d->help);
        }
    }
}

static void print_options(const struct device_option *list, FILE *out)
{
    static const char *const type_names[] = { "",           "",           "",          "-drive id",
                                              "-chardev id", "-netdev id", "-fsdev id", "-object id" };
    for (const struct device_option *o = list; o && o->name; o++) {
        char left[48], extra[96] = "", range[64] = "";
        snprintf(left, sizeof left, "%s=%s", o->name, o->arg);
        if (o->type == DEVOPT_U64 && o->max)
            snprintf(range, sizeof range, ", %s%llu to %llu", o->pow2 ? "a power of two from " : "",
                     (unsigned long long)o->min, (unsigned long long)o->max);
        if (o->required)
            snprintf(extra, sizeof extra, " (required%s%s)", *type_names[o->type] ? ": a " : "",
                     type_names[o->type]);
        else if (o->def)
            snprintf(extra, sizeof extra, " (default %s)", o->def);
        fprintf(out, "  %-22s %s%s%s\n", left, o->help, range, extra);
    }
}

static void type_help(const struct device_desc *t, enum variant v, FILE *out)
{
    fprintf(out, "%s%s: %s%s\n", t->name, suffix[v], transport_name[v], t->help);
    print_options(t->options, out);
    if (v == V_PCI)
        print_options(pci_options, out);
    print_options(common_options, out);
}

/* ---- checking one -device ---- */

/* Checks an already split argument; the shared part of devices_check and
 * planning. 0, 1 after help, -1 after an error line. */
static int check_opts(const char *arg, const struct optlist *o, const struct device_desc **type, enum variant *var,
                      FILE *out)
{
    if (o->n == 0 || o->v[0].value || !*o->v[0].key)
        return fail(arg, "expected a device name first (see -device help)");
    const char *name = o->v[0].key;
    if (!strcmp(name, "help") || !strcmp(name, "?")) {
        if (out)
            list_types(out);
        return 1;
    }
    enum variant v;
    const struct device_desc *t = find_type(name, &v);
    if (!t) {
        const char *near = nearest_type(name);
        if (near)
            return fail(arg, "unknown device '%s'; did you mean '%s'? (see -device help)", name, near);
        return fail(arg, "unknown device '%s' (see -device help)", name);
    }
    for (unsigned i = 1; i < o->n; i++) {
        const char *k = o->v[i].key, *val = o->v[i].value;
        if (!val && (!strcmp(k, "help") || !strcmp(k, "?"))) {
            if (out)
                type_help(t, v, out);
            return 1;
        }
        const struct device_option *opt = find_option(t, v, k);
        if (!opt)
            return fail(arg, "%s has no option '%s' (see -device %s,help)", name, k, name);
        if (!val)
            return fail(arg, "option '%s' needs a value (%s=%s)", k, k, opt->arg);
        char buf[96];
        const char *why = device_check_value(opt, val, buf, sizeof buf);
        if (why)
            return fail(arg, "%s must be %s", k, why);
    }
    for (const struct device_option *opt = t->options; opt && opt->name; opt++)
        if (opt->required && !optlist_get(o, opt->name))
            return fail(arg, "%s needs %s=%s (%s)", name, opt->name, opt->arg, opt->help);
    *type = t;
    *var = v;
    return 0;
}

int devices_check(const char *arg, FILE *out)
{
    struct optlist o;
    if (optlist_parse(arg, &o) < 0)
        return fail(arg, "out of memory");
    const struct device_desc *t;
    enum variant v;
    int r = check_opts(arg, &o, &t, &v, out);
    optlist_free(&o);
    return r;
}

/* ---- planning: command line to slots ---- */

struct plan {
    const struct device_desc *type;
    enum variant var;
    const char *arg;
    struct optlist opts;
    struct device_args args;   /* resources resolved; bus and display at creation */
    bool has_port;             /* a DEVICE_PORT attached to it */
    int pci_slot;              /* V_PCI: addr=, or -1 until one is assigned */
};

/* Every -device in command-line order; mmio[] lists the virtio-mmio ones. */
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

/* A host resource reference: the id must name one, not used before. */
#define RESOLVE(kind, list, count, field, what)                                                          \
    static int resolve_##kind(const struct devices_config *c, const struct plans *ps, const char *arg,   \
                              const char *id, const struct devices_##kind **out)                         \
    {                                                                                                    \
        for (unsigned i = 0; i < c->count; i++)                                                          \
            if (!strcmp(c->list[i].id, id)) {                                                            \
                for (unsigned k = 0; k < ps->n; k++)                                                     \
                    if (ps->p[k].args.field == &c->list[i])                                              \
                        return fail(arg, what " '%s' is already used by -device %s", id, ps->p[k].arg); \
                *out = &c->list[i];                                                                      \
                return 0;                                                                                \
            }                                                                                            \
        return fail(arg, "no -" what " with id=%s", id);                                                 \
    }
RESOLVE(drive, drives, ndrives, drive, "drive")
RESOLVE(chardev, chardevs, nchardevs, chardev, "chardev")
RESOLVE(netdev, netdevs, nnetdevs, netdev, "netdev")
RESOLVE(fsdev, fsdevs, nfsdevs, fsdev, "fsdev")
RESOLVE(rng, rngs, nrngs, rng, "object")

static int resolve_resources(const struct devices_config *c, const struct plans *ps, const char *arg,
                             const struct device_desc *t, const struct optlist *o, struct device_args *a)
{
    for (const struct device_option *opt = t->options; opt && opt->name; opt++) {
        const char *id = optlist_get(o, opt->name);
        if (!id)
            continue;
        int r = 0;
        switch (opt->type) {
        case DEVOPT_DRIVE: r = resolve_drive(c, ps, arg, id, &a->drive); break;
        case DEVOPT_CHARDEV: r = resolve_chardev(c, ps, arg, id, &a->chardev); break;
        case DEVOPT_NETDEV: r = resolve_netdev(c, ps, arg, id, &a->netdev); break;
        case DEVOPT_FSDEV: r = resolve_fsdev(c, ps, arg, id, &a->fsdev); break;
        case DEVOPT_RNG: r = resolve_rng(c, ps, arg, id, &a->rng); break;
        default: break;
        }
        if (r < 0)
            return -1;
    }
    return 0;
}

/* QEMU warns, and so do we: a -netdev no device uses is probably a typo. */
static void warn_unused_netdevs(const struct devices_config *c, const struct plans *ps)
{
    for (unsigned i = 0; c && i < c->nnetdevs; i++) {
        bool used = false;
        for (unsigned k = 0; k < ps->n; k++)
            used |= ps->p[k].args.netdev == &c->netdevs[i];
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
        if (ps->p[k].pci_slot == p->pci_slot && ps->p[k].var == V_PCI)
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
        if (ps->p[k].var == V_PCI && ps->p[k].pci_slot > 0)
            used[ps->p[k].pci_slot] = true;
    unsigned next = 1;
    for (unsigned k = 0; k < ps->n; k++) {
        struct plan *p = &ps->p[k];
        if (p->var != V_PCI || p->pci_slot > 0)
            continue;
        while (next < PCI_SLOTS && used[next])
            next++;
        if (next == PCI_SLOTS)
            return; /* cannot happen: at most 31 were planned */
        p->pci_slot = (int)next;
        used[next] = true;
    }
}

/* A DEVICE_PORT gives its resources to the last device of its parent type. */
static int plan_port(const struct devices_config *c, struct plans *ps, const char *arg,
                     const struct device_desc *t, const struct optlist *o)
{
    struct plan *host = NULL;
    for (unsigned k = ps->n; k-- > 0;)
        if (!strcmp(ps->p[k].type->name, t->port_of)) {
            host = &ps->p[k];
            break;
        }
    if (!host)
        return fail(arg, "needs a -device %s-device (or -pci) before it", t->port_of);
    if (host->has_port)
        return fail(arg, "rivet's %s has one port, and it already has a %s", t->port_of, t->name);
    host->has_port = true;
    struct device_args a = { 0 };
    if (resolve_resources(c, ps, arg, t, o, &a) < 0)
        return -1;
#define TAKE(f) if (a.f) host->args.f = a.f
    TAKE(drive);
    TAKE(chardev);
    TAKE(netdev);
    TAKE(fsdev);
    TAKE(rng);
#undef TAKE
    return 0;
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
        const struct device_desc *t;
        enum variant v;
        if (optlist_parse(arg, &o) < 0)
            return fail(arg, "out of memory");
        if (check_opts(arg, &o, &t, &v, NULL) != 0) {
            optlist_free(&o);
            return -1; /* help cannot get here: options.c handled it */
        }
        if (v == V_PORT) {
            int r = plan_port(c, ps, arg, t, &o);
            optlist_free(&o);
            if (r < 0)
                return -1;
            continue;
        }
        if (v == V_MMIO && ps->nmmio == nslots) {
            optlist_free(&o);
            return fail(arg, "all %u virtio-mmio slots are taken", nslots);
        }
        if (v == V_PCI && ps->npci == PCI_SLOTS - 1) {
            optlist_free(&o);
            return fail(arg, "all %u PCI slots of bus 0 are taken", PCI_SLOTS - 1);
        }
        if (v == V_BUS && ps->n - ps->nmmio - ps->npci >= 16) {
            optlist_free(&o);
            return fail(arg, "at most 16 bus devices");
        }
        for (unsigned k = 0; v == V_BUS && k < ps->n; k++)
            if (ps->p[k].type == t) {
                optlist_free(&o);
                return fail(arg, "%s has one fixed window (0x%llx), taken by -device %s", t->name,
                            (unsigned long long)t->mmio_base, ps->p[k].arg);
            }
        struct plan *p = &ps->p[ps->n++];
        p->type = t;
        p->var = v;
        p->arg = arg;
        p->opts = o;
        p->pci_slot = -1;
        p->args.desc = t;
        p->args.arg = arg;
        for (unsigned k = 0; k + 1 < ps->n; k++)
            p->args.index += ps->p[k].type == t;
        if (v == V_MMIO)
            ps->mmio[ps->nmmio++] = p;
        if (v == V_PCI && plan_pci_slot(ps, p) < 0)
            return -1;
        if (resolve_resources(c, ps, arg, t, &p->opts, &p->args) < 0)
            return -1;
        p->args.opts = &p->opts;
        char err[256] = "";
        if (t->check && t->check(&p->args, err, sizeof err) < 0)
            return fail(arg, "%s", err);
    }
    assign_pci_slots(ps);
    return 0;
}

int devices_validate(const struct devices_config *c, unsigned nslots)
{
    struct plans *ps = malloc(sizeof *ps);
    if (!ps)
        return log_err("out of memory");
    int r = plan_all(c, nslots, ps);
    if (r == 0)
        warn_unused_netdevs(c, ps);
    plans_free(ps);
    free(ps);
    return r;
}

/* ---- the machine's devices ---- */

struct slot {
    struct device_instance inst;           /* inst.desc NULL: an empty slot */
    struct virtio_mmio *mmio;              /* its transport: one of these */
    struct virtio_pci *pci;
    bool mapped;
    bool bus_mapped;                       /* a DEVICE_MMIO at its own window */
};

struct devices {
    struct bus *bus;
    const struct devices_netdev *netdevs;
    unsigned nnetdevs;
    struct display_glue *glue;   /* the host display, for the devices that show or read it */
    const struct devices_rng *host_rng;
    uint64_t base, stride;
    unsigned nmmio;                        /* slot[0..nmmio) are the mmio slots */
    unsigned nslots;                       /* then the PCI functions */
    struct slot slot[MAX_DEVICES];
};

static int create_one(struct devices *d, struct plan *p, struct slot *s)
{
    p->args.bus = d->bus;
    p->args.display = display_glue_port(d->glue);
    p->args.host_rng = d->host_rng;
    s->inst.desc = p->type;
    char err[256] = "out of memory";
    if (p->type->create(&s->inst, &p->args, err, sizeof err) < 0 ||
        !(p->var == V_BUS ? s->inst.priv : s->inst.vdev)) {
        s->inst.desc = NULL;
        return fail(p->arg, "%s", err);
    }
    return 0;
}

/* The bus devices (plug-ins' DEVICE_MMIO), after the PCI functions. Their
 * interrupt is PLIC source mmio_irq: the board's slot lines are PLIC lines
 * whose n is the source (machine/devices.h). */
static int create_bus_devices(struct devices *d, struct plans *ps, const struct irq_line *irqs, unsigned nslots)
{
    for (unsigned k = 0; k < ps->n; k++) {
        struct plan *p = &ps->p[k];
        if (p->var != V_BUS)
            continue;
        struct irq_line line = { 0 };
        if (p->type->mmio_irq && nslots)
            line = (struct irq_line){ irqs[0].set, irqs[0].sink, p->type->mmio_irq };
        p->args.irq = &line;
        struct slot *s = &d->slot[d->nslots++];
        if (create_one(d, p, s) < 0)
            return -1;
        if (bus_map(d->bus, p->type->mmio_base, p->type->mmio_size, p->type->name, p->type->ops, s->inst.priv) < 0)
            return fail(p->arg, "its window 0x%llx+0x%llx overlaps another device", (unsigned long long)p->type->mmio_base,
                        (unsigned long long)p->type->mmio_size);
        s->bus_mapped = true;
    }
    return 0;
}

unsigned devices_bus_nodes(const struct devices *d, const struct device_desc **out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; d && i < d->nslots; i++)
        if (d->slot[i].bus_mapped && n < max)
            out[n++] = d->slot[i].inst.desc;
    return n;
}

/* The PCI functions, after the mmio slots in d->slot[], in command-line
 * order. */
static int create_pci(struct devices *d, struct plans *ps, struct pci_host *pci)
{
    for (unsigned k = 0; k < ps->n; k++) {
        struct plan *p = &ps->p[k];
        if (p->var != V_PCI)
            continue;
        if (!pci)
            return fail(p->arg, "this machine has no PCI bus");
        struct slot *s = &d->slot[d->nslots++];
        if (create_one(d, p, s) < 0)
            return -1;
        /* MSI-X vectors as QEMU's defaults: net and blk one per queue plus
         * the config's (with aia=aplic-imsic Linux gives each its own), the
         * others 2 */
        unsigned id = s->inst.vdev->device_id, nq = s->inst.vdev->nqueues;
        unsigned nvec = (id == 1 || id == 2) && nq + 1 > 2 ? nq + 1 : 0;
        s->pci = virtio_pci_new(s->inst.vdev, pci, p->pci_slot, nvec, 0);
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
        log_err("out of memory");
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
    d->host_rng = c ? c->host_rng : NULL;
    if (!d->glue) {
        log_err("out of memory");
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
        if (k < ps->nmmio && create_one(d, ps->mmio[k], s) < 0)
            goto fail;
        s->mmio = virtio_mmio_new(s->inst.vdev, base + i * stride, irqs[i], legacy);
        if (!s->mmio) {
            log_err("out of memory");
            goto fail;
        }
        if (bus_map(bus, base + i * stride, stride, "virtio-mmio", &virtio_mmio_ops, s->mmio) < 0) {
            log_err("internal error: virtio-mmio slot %u overlaps", i);
            goto fail;
        }
        s->mapped = true;
    }
    if (create_pci(d, ps, pci) < 0 || create_bus_devices(d, ps, irqs, nslots) < 0)
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
    if (!d)
        return false;
    for (unsigned i = 0; i < d->nslots; i++) {
        struct device_instance *in = &d->slot[i].inst;
        if (in->desc && in->desc->poll)
            quit |= in->desc->poll(in);
    }
    /* the backends' own frames, after every card had its turn */
    for (unsigned i = 0; i < d->nnetdevs; i++)
        d->netdevs[i].poll(d->netdevs[i].ctx);
    quit |= display_glue_poll(d->glue);
    return quit;
}

unsigned devices_virtio_list(struct devices *d, const struct virtio_dev **out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; d && i < d->nslots && n < max; i++)
        if (d->slot[i].inst.desc && d->slot[i].inst.vdev)
            out[n++] = d->slot[i].inst.vdev;
    return n;
}

bool devices_powerdown(struct devices *d)
{
    return d && display_glue_powerdown(d->glue);
}

static uint64_t vclock_ns(void *clock)
{
    return vclock_now(clock) * (1000000000ull / VCLOCK_HZ);
}

void devices_set_clock(struct devices *d, struct vclock *clock)
{
    for (unsigned i = 0; d && i < d->nnetdevs; i++)
        if (d->netdevs[i].set_clock)
            d->netdevs[i].set_clock(d->netdevs[i].ctx, clock ? vclock_ns : NULL, clock);
}

void devices_state(struct devices *d, struct state *st)
{
    state_section(st, "devices", 1);
    unsigned n = d ? d->nslots : 0;
    state_unsigned(st, "slots", &n);
    if (state_loading(st) && n != (d ? d->nslots : 0))
        state_fail(st, "devices: another set of devices");
    for (unsigned i = 0; d && i < d->nslots && !st->error; i++) {
        if (d->slot[i].mmio)
            virtio_mmio_state(d->slot[i].mmio, st);
        else if (d->slot[i].pci)
            virtio_pci_state(d->slot[i].pci, st);
        else if (d->slot[i].bus_mapped) {   /* a plug-in's DEVICE_MMIO */
            const struct device_desc *t = d->slot[i].inst.desc;
            if (!state_loading(st))
                t->save(d->slot[i].inst.priv, st);
            else if (t->load(d->slot[i].inst.priv, st) < 0 && !st->error)
                state_fail(st, "devices: a plug-in bus device refused its state");
        }
    }
}

void devices_free(struct devices *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->nslots; i++) {
        struct device_instance *in = &d->slot[i].inst;
        if (in->desc && in->desc->detach && in->vdev)
            in->desc->detach(in);
    }
    devices_set_clock(d, NULL);   /* the clock dies with the machine */
    display_glue_free(d->glue);   /* before the devices: the scanout's pixels are theirs */
    for (unsigned i = 0; i < d->nslots; i++) {
        struct slot *s = &d->slot[i];
        if (s->mapped)
            bus_unmap(d->bus, d->base + i * d->stride);
        virtio_mmio_free(s->mmio);
        virtio_pci_free(s->pci);
        if (s->bus_mapped)
            bus_unmap(d->bus, s->inst.desc->mmio_base);
        virtio_dev_free(s->inst.vdev);
        if (s->inst.desc && s->inst.desc->kind == DEVICE_MMIO)
            s->inst.desc->free(s->inst.priv);
        else
            free(s->inst.priv);
    }
    free(d);
}
