/* machine/plugin.c: out-of-tree device plug-ins (machine/plugin.h), and
 * the functions of the public ABI (machine/rivet-device.h) that they call.
 *
 * Each plug-in type becomes an internal descriptor (bus/device.h) whose
 * hooks call the plug-in's: a virtio type is a virtio_dev whose
 * virtio_device_ops forward to it, an MMIO type a bus device whose
 * bus_device_ops do. The public handles are casts of internal objects
 * (struct rivet_dev is the adapter, struct rivet_state is struct state,
 * struct rivet_elem wraps a virtq_elem), so the plug-in sees none of
 * rivet's structs. The rivet_* functions are exported from the executable
 * (the Makefile links it with scripts/rivet-device.syms). */
#include "machine/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/device.h"
#include "bus/state.h"
#include "bus/util.h"
#include "machine/board.h"
#include "machine/devices.h"
#include "machine/pci_virt.h"
#include "machine/rivet-device.h"
#include "machine/virt.h"
#include "virtio/virtio.h"

/* An adapted type: the internal descriptor first (instances point at it). */
struct plugin_type {
    struct device_desc desc;
    const struct rivet_device_type *t;
    struct device_option *opts;
    char file[256];
};

/* One device: the adapter behind the public handle. */
struct rivet_dev {
    struct virtio_dev vdev;        /* RIVET_DEVICE_VIRTIO: first, ops cast back */
    const struct plugin_type *pt;
    void *opaque;                  /* what the plug-in's create returned */
    const struct device_args *args;   /* during create only */
    struct bus *bus;
    struct irq_line irq;           /* RIVET_DEVICE_MMIO */
    bool level;
    struct ratelimit log_rl;
};

struct rivet_elem {
    struct virtq_elem e;
};

static int plugin_err(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int plugin_err(const char *file, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return log_err("-plugin %s: %s", file, msg);
}

/* ---- the virtio adapter ---- */

static struct rivet_dev *of_vdev(struct virtio_dev *d)
{
    return (struct rivet_dev *)d;
}

static uint64_t pv_features(struct virtio_dev *d)
{
    struct rivet_dev *r = of_vdev(d);
    return r->pt->t->features ? r->pt->t->features(r->opaque) : 0;
}

static void pv_config_write(struct virtio_dev *d, unsigned off, const void *buf, unsigned len)
{
    struct rivet_dev *r = of_vdev(d);
    if (r->pt->t->config_write)
        r->pt->t->config_write(r->opaque, off, buf, len);
}

static void pv_notify(struct virtio_dev *d, unsigned q)
{
    struct rivet_dev *r = of_vdev(d);
    r->pt->t->queue_notify(r->opaque, q);
}

static void pv_reset(struct virtio_dev *d)
{
    struct rivet_dev *r = of_vdev(d);
    if (r->pt->t->reset)
        r->pt->t->reset(r->opaque);
}

/* The plug-in's fields inside a section named after the type, so a stream
 * of another type (or another plug-in's) fails by name. */
static void pv_state(struct virtio_dev *d, struct state *st)
{
    struct rivet_dev *r = of_vdev(d);
    state_section(st, "plugin", 1);
    if (r->pt->t->state)
        r->pt->t->state(r->opaque, (struct rivet_state *)st);
}

static void dev_free(struct rivet_dev *r)
{
    if (r->opaque)
        r->pt->t->free(r->opaque);
    ratelimit_flush(&r->log_rl);
    free(r);
}

static void pv_free(struct virtio_dev *d)
{
    dev_free(of_vdev(d));
}

static const struct virtio_device_ops plugin_virtio_ops = {
    .features = pv_features,
    .config_write = pv_config_write,
    .queue_notify = pv_notify,
    .reset = pv_reset,
    .state = pv_state,
    .free = pv_free,
};

static struct rivet_dev *dev_new(const struct plugin_type *pt, const struct device_args *a, char *err,
                                 size_t errlen)
{
    const struct rivet_device_type *t = pt->t;
    struct rivet_dev *r = calloc(1, sizeof *r);
    if (!r) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    r->pt = pt;
    r->bus = a->bus;
    if (t->kind == RIVET_DEVICE_VIRTIO)
        virtio_dev_init(&r->vdev, &plugin_virtio_ops, a->bus, t->name, t->virtio_id, t->nqueues, t->queue_max,
                        t->config_len);
    r->args = a;
    char why[200] = "";
    r->opaque = t->create(r, why, sizeof why);
    r->args = NULL;
    if (!r->opaque) {
        errf(err, errlen, "%s", why[0] ? why : "the plug-in's create failed");
        free(r);
        return NULL;
    }
    return r;
}

static int pv_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    struct rivet_dev *r = dev_new((const struct plugin_type *)a->desc, a, err, errlen);
    if (!r)
        return -1;
    in->vdev = &r->vdev;
    return 0;
}

/* ---- the MMIO adapter ---- */

static uint64_t pm_read(void *opaque, uint64_t off, unsigned size)
{
    struct rivet_dev *r = opaque;
    return r->pt->t->read(r->opaque, off, size);
}

static void pm_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct rivet_dev *r = opaque;
    r->pt->t->write(r->opaque, off, value, size);
}

static int pm_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    struct rivet_dev *r = dev_new((const struct plugin_type *)a->desc, a, err, errlen);
    if (!r)
        return -1;
    if (a->irq)
        r->irq = *a->irq;
    in->priv = r;
    return 0;
}

static void pm_free(void *dev)
{
    dev_free(dev);
}

static void pm_reset(void *dev)
{
    struct rivet_dev *r = dev;
    if (r->pt->t->reset)
        r->pt->t->reset(r->opaque);
}

static void pm_save(void *dev, struct state *st)
{
    pv_state((struct virtio_dev *)dev, st);
}

static int pm_load(void *dev, struct state *st)
{
    pv_state((struct virtio_dev *)dev, st);
    return st->error ? -1 : 0;
}

/* ---- the public functions (machine/rivet-device.h) ---- */

static const struct device_option *opt_of(struct rivet_dev *d, const char *name)
{
    return d && d->args ? device_find_option(d->pt->desc.options, name) : NULL;
}

const char *rivet_opt_str(struct rivet_dev *d, const char *name)
{
    return opt_of(d, name) ? device_opt(d->args, name) : NULL;
}

bool rivet_opt_u64(struct rivet_dev *d, const char *name, uint64_t *out)
{
    return opt_of(d, name) && device_opt_u64(d->args, name, out);
}

bool rivet_opt_bool(struct rivet_dev *d, const char *name, bool *out)
{
    return opt_of(d, name) && device_opt_bool(d->args, name, out);
}

void rivet_log_guest(struct rivet_dev *d, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_guest(&d->log_rl, "%s: %s", d->pt->t->name, msg);
}

int rivet_dma_read(struct rivet_dev *d, uint64_t gpa, void *buf, uint64_t len)
{
    return bus_dma_read(d->bus, gpa, buf, len);
}

int rivet_dma_write(struct rivet_dev *d, uint64_t gpa, const void *buf, uint64_t len)
{
    return bus_dma_write(d->bus, gpa, buf, len);
}

void rivet_irq_set(struct rivet_dev *d, bool level)
{
    if (d->pt->t->kind != RIVET_DEVICE_MMIO || !d->irq.set || level == d->level)
        return;
    d->level = level;
    d->irq.set(d->irq.sink, d->irq.n, level);
}

static bool is_virtio(const struct rivet_dev *d)
{
    return d && d->pt->t->kind == RIVET_DEVICE_VIRTIO;
}

bool rivet_virtio_running(struct rivet_dev *d)
{
    return is_virtio(d) && virtio_dev_running(&d->vdev);
}

bool rivet_virtio_has_feature(struct rivet_dev *d, unsigned bit)
{
    return is_virtio(d) && bit < 64 && virtio_has_feature(&d->vdev, bit);
}

void rivet_virtio_set_config(struct rivet_dev *d, unsigned off, const void *buf, unsigned len)
{
    if (is_virtio(d) && off <= d->vdev.config_len && len <= d->vdev.config_len - off)
        memcpy(d->vdev.config + off, buf, len);
}

void rivet_virtio_config_changed(struct rivet_dev *d)
{
    if (is_virtio(d))
        virtio_config_changed(&d->vdev);
}

void rivet_virtio_fail(struct rivet_dev *d, const char *why)
{
    if (is_virtio(d))
        virtio_dev_fail(&d->vdev, "%s", why);
}

struct rivet_elem *rivet_elem_new(void)
{
    return calloc(1, sizeof(struct rivet_elem));
}

void rivet_elem_free(struct rivet_elem *e)
{
    free(e);
}

int rivet_virtio_pop(struct rivet_dev *d, unsigned q, struct rivet_elem *e)
{
    if (!is_virtio(d) || !e)
        return 0;
    return virtio_pop(&d->vdev, q, &e->e);
}

uint64_t rivet_elem_out_len(const struct rivet_elem *e)
{
    return e->e.out_len;
}

uint64_t rivet_elem_in_len(const struct rivet_elem *e)
{
    return e->e.in_len;
}

long rivet_elem_read(struct rivet_dev *d, const struct rivet_elem *e, uint64_t off, void *buf, size_t len)
{
    return is_virtio(d) ? virtio_elem_read(&d->vdev, &e->e, off, buf, len) : -1;
}

long rivet_elem_write(struct rivet_dev *d, const struct rivet_elem *e, uint64_t off, const void *buf, size_t len)
{
    return is_virtio(d) ? virtio_elem_write(&d->vdev, &e->e, off, buf, len) : -1;
}

void rivet_virtio_push(struct rivet_dev *d, unsigned q, const struct rivet_elem *e, uint32_t written)
{
    if (is_virtio(d))
        virtio_push(&d->vdev, q, &e->e, written);
}

void rivet_virtio_queue_done(struct rivet_dev *d, unsigned q)
{
    if (is_virtio(d))
        virtio_queue_done(&d->vdev, q);
}

bool rivet_state_loading(const struct rivet_state *st)
{
    return state_loading((const struct state *)st);
}

unsigned rivet_state_section(struct rivet_state *st, const char *name, unsigned version)
{
    return state_section((struct state *)st, name, version);
}

void rivet_state_u8(struct rivet_state *st, const char *name, uint8_t *v) { state_u8((struct state *)st, name, v); }
void rivet_state_u32(struct rivet_state *st, const char *name, uint32_t *v) { state_u32((struct state *)st, name, v); }
void rivet_state_u64(struct rivet_state *st, const char *name, uint64_t *v) { state_u64((struct state *)st, name, v); }
void rivet_state_bool(struct rivet_state *st, const char *name, bool *v) { state_bool((struct state *)st, name, v); }

void rivet_state_bytes(struct rivet_state *st, const char *name, void *v, size_t len)
{
    state_bytes((struct state *)st, name, v, len);
}

void rivet_state_fail(struct rivet_state *st, const char *why)
{
    state_fail((struct state *)st, why);
}

bool rivet_state_error(const struct rivet_state *st)
{
    return ((const struct state *)st)->error;
}

/* ---- checking a plug-in's descriptors ---- */

static bool name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 40)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
            return false;
    return true;
}

/* The board's fixed windows an MMIO plug-in must stay out of: the rows of
 * the virt board, the reset ROM, the PCI windows and RAM and above. */
static const char *board_overlap(uint64_t base, uint64_t size)
{
    unsigned n;
    const struct board_row *rows = virt_board_rows(&n);
    uint64_t end = base + size;   /* checked not to wrap */
    for (unsigned i = 0; i < n; i++) {
        uint64_t rs = rows[i].size * (rows[i].count ? rows[i].count : 1);
        if (base < rows[i].base + rs && rows[i].base < end)
            return rows[i].name;
    }
    static const struct { const char *name; uint64_t base, size; } fixed[] = {
        { "mrom", 0x1000, 0xf000 },
        { "pcie-pio", VIRT_PCIE_PIO, VIRT_PCIE_PIO_SIZE },
        { "pcie-mmio", VIRT_PCIE_MMIO, VIRT_PCIE_MMIO_SIZE },
        { "dram (and the 64-bit PCI window above it)", VIRT_RAM_BASE, UINT64_MAX - VIRT_RAM_BASE },
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (base < fixed[i].base + fixed[i].size && fixed[i].base < end)
            return fixed[i].name;
    return NULL;
}

/* MMIO windows taken by plug-ins loaded so far (their types may be used
 * together). */
static struct { uint64_t base, size; unsigned irq; char name[48]; } taken[64];
static unsigned ntaken;

static int check_type(const char *file, const struct rivet_device_type *t, unsigned i,
                      const struct rivet_device_type *const *before)
{
    if (t->size < sizeof *t)
        return plugin_err(file, "device type %u: struct rivet_device_type of %zu bytes, this rivet's is %zu "
                          "(built for another ABI)", i, t->size, sizeof *t);
    if (!name_ok(t->name))
        return plugin_err(file, "device type %u: its name must be 1-40 characters of a-z 0-9 - _ .", i);
    const char *n = t->name;
    if (!t->create || !t->free)
        return plugin_err(file, "device %s: needs create and free", n);
    for (const struct rivet_option *o = t->options; o && o->name; o++) {
        if (!name_ok(o->name) || !o->arg || !o->help)
            return plugin_err(file, "device %s: an option needs a name (a-z 0-9 - _ .), arg and help", n);
        if (o->type != RIVET_OPT_STR && o->type != RIVET_OPT_U64 && o->type != RIVET_OPT_BOOL)
            return plugin_err(file, "device %s: option %s has an unknown type %d", n, o->name, (int)o->type);
        if (o->type == RIVET_OPT_U64 && o->max && o->min > o->max)
            return plugin_err(file, "device %s: option %s has min > max", n, o->name);
    }
    if (t->kind == RIVET_DEVICE_VIRTIO) {
        if (t->virtio_id == 0 || t->virtio_id > 0xffff - 0x1040)
            return plugin_err(file, "device %s: virtio_id %u is not a device ID", n, t->virtio_id);
        if (t->nqueues < 1 || t->nqueues > RIVET_VIRTIO_MAX_QUEUES)
            return plugin_err(file, "device %s: nqueues %u must be 1 to %d", n, t->nqueues, RIVET_VIRTIO_MAX_QUEUES);
        for (unsigned q = 0; q < t->nqueues; q++) {
            unsigned m = t->queue_max[q];
            if (m == 0 || m > VIRTQ_MAX_SIZE || (m & (m - 1)))
                return plugin_err(file, "device %s: queue_max[%u] = %u is not a power of two up to %d", n, q, m,
                                  VIRTQ_MAX_SIZE);
        }
        if (t->config_len > RIVET_VIRTIO_CONFIG_MAX)
            return plugin_err(file, "device %s: config_len %u is over %d", n, t->config_len, RIVET_VIRTIO_CONFIG_MAX);
        if (!t->queue_notify)
            return plugin_err(file, "device %s: a virtio device needs queue_notify", n);
        return 0;
    }
    if (t->kind != RIVET_DEVICE_MMIO)
        return plugin_err(file, "device %s: unknown kind %d (RIVET_DEVICE_VIRTIO or RIVET_DEVICE_MMIO)", n, (int)t->kind);
    if (t->region_size == 0)
        return plugin_err(file, "device %s: a zero-sized region", n);
    if (t->base + t->region_size < t->base || (t->base & 0xfff) || (t->region_size & 0xfff))
        return plugin_err(file, "device %s: region 0x%llx+0x%llx must be page-aligned and not wrap", n,
                          (unsigned long long)t->base, (unsigned long long)t->region_size);
    const char *o = board_overlap(t->base, t->region_size);
    if (o)
        return plugin_err(file, "device %s: region 0x%llx+0x%llx overlaps the board's %s", n,
                          (unsigned long long)t->base, (unsigned long long)t->region_size, o);
    for (unsigned k = 0; k < ntaken; k++) {
        if (t->base < taken[k].base + taken[k].size && taken[k].base < t->base + t->region_size)
            return plugin_err(file, "device %s: region 0x%llx+0x%llx overlaps plug-in device %s", n,
                              (unsigned long long)t->base, (unsigned long long)t->region_size, taken[k].name);
        if (t->irq && t->irq == taken[k].irq)
            return plugin_err(file, "device %s: irq %u is taken by plug-in device %s", n, t->irq, taken[k].name);
    }
    for (unsigned k = 0; k < i; k++) {
        const struct rivet_device_type *o2 = before[k];
        if (o2->kind != RIVET_DEVICE_MMIO)
            continue;
        if (t->base < o2->base + o2->region_size && o2->base < t->base + t->region_size)
            return plugin_err(file, "device %s: region 0x%llx+0x%llx overlaps its device %s", n,
                              (unsigned long long)t->base, (unsigned long long)t->region_size, o2->name);
        if (t->irq && t->irq == o2->irq)
            return plugin_err(file, "device %s: irq %u is taken by its device %s", n, t->irq, o2->name);
    }
    if (t->irq >= VIRT_PCIE_IRQ || (t->irq && t->irq <= VIRT_VIRTIO_MMIO_SLOTS) || t->irq == 10 || t->irq == 11)
        return plugin_err(file, "device %s: irq %u is not a free PLIC source of the virt board (12-31, or 0)", n, t->irq);
    if (!t->compatible || !*t->compatible)
        return plugin_err(file, "device %s: an MMIO device needs a device-tree compatible string", n);
    if (!t->access_sizes || (t->access_sizes & ~15u) || !t->read || !t->write)
        return plugin_err(file, "device %s: an MMIO device needs access_sizes (1|2|4|8), read and write", n);
    return 0;
}

/* ---- adapting and registering ---- */

static int adapt(const char *file, const struct rivet_device_type *t)
{
    struct plugin_type *pt = calloc(1, sizeof *pt);
    unsigned nopts = 0;
    for (const struct rivet_option *o = t->options; o && o->name; o++)
        nopts++;
    if (!pt || !(pt->opts = calloc(nopts + 1, sizeof *pt->opts))) {
        free(pt);
        return plugin_err(file, "out of memory");
    }
    static const enum device_opt_type types[] = {
        [RIVET_OPT_STR] = DEVOPT_STR, [RIVET_OPT_U64] = DEVOPT_U64, [RIVET_OPT_BOOL] = DEVOPT_BOOL,
    };
    for (unsigned i = 0; i < nopts; i++) {
        const struct rivet_option *o = &t->options[i];
        pt->opts[i] = (struct device_option){ .name = o->name, .type = types[o->type], .arg = o->arg,
                                              .help = o->help, .def = o->def, .required = o->required,
                                              .min = o->min, .max = o->max };
    }
    pt->t = t;
    snprintf(pt->file, sizeof pt->file, "%s", file);
    pt->desc.name = t->name;
    pt->desc.help = t->help ? t->help : "(a plug-in device)";
    pt->desc.options = pt->opts;
    if (t->kind == RIVET_DEVICE_VIRTIO) {
        pt->desc.kind = DEVICE_VIRTIO;
        pt->desc.create = pv_create;
    } else {
        struct bus_device_ops *ops = calloc(1, sizeof *ops);
        if (!ops) {
            free(pt->opts);
            free(pt);
            return plugin_err(file, "out of memory");
        }
        ops->read = pm_read;
        ops->write = pm_write;
        ops->sizes = t->access_sizes;
        ops->aligned = true;
        pt->desc.kind = DEVICE_MMIO;
        pt->desc.ops = ops;
        pt->desc.create = pm_create;
        pt->desc.free = pm_free;
        pt->desc.reset = pm_reset;
        pt->desc.save = pm_save;
        pt->desc.load = pm_load;
        pt->desc.mmio_base = t->base;
        pt->desc.mmio_size = t->region_size;
        pt->desc.mmio_irq = t->irq;
        pt->desc.compatible = t->compatible;
        if (ntaken < sizeof taken / sizeof taken[0]) {
            taken[ntaken].base = t->base;
            taken[ntaken].size = t->region_size;
            taken[ntaken].irq = t->irq;
            snprintf(taken[ntaken].name, sizeof taken[ntaken].name, "%s", t->name);
            ntaken++;
        }
    }
    char err[200];
    if (devices_register(&pt->desc, err, sizeof err) < 0)
        return plugin_err(file, "%s", err);   /* checked before: cannot happen */
    return 0;
}

static bool is_elf(const char *path, int *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *err = errno;
        return false;
    }
    unsigned char h[18] = { 0 };
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    *err = 0;
    /* ELF magic and e_type ET_DYN (3), little-endian on the hosts rivet runs on */
    return n == (ssize_t)sizeof h && !memcmp(h, "\177ELF", 4) && h[16] == 3 && h[17] == 0;
}

int plugin_load(const char *spec)
{
    struct optlist o;
    if (optlist_parse(spec, &o) < 0)
        return log_err("-plugin %s: out of memory", spec);
    const char *file = NULL;
    for (unsigned i = 0; i < o.n; i++) {
        if (i == 0 && !o.v[i].value && *o.v[i].key)
            file = o.v[i].key;
        else if (!strcmp(o.v[i].key, "file") && o.v[i].value)
            file = o.v[i].value;
        else {
            int r = log_err("-plugin %s: unknown option '%s' (rivet's plug-ins take file=FILE.so and no arguments)",
                            spec, o.v[i].key);
            optlist_free(&o);
            return r;
        }
    }
    if (!file || !*file) {
        optlist_free(&o);
        return log_err("-plugin %s: expected FILE.so or file=FILE.so", spec);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s%s", strchr(file, '/') ? "" : "./", file);
    char name[256];
    snprintf(name, sizeof name, "%s", file);
    optlist_free(&o);
    file = name;

    int e;
    if (!is_elf(path, &e))
        return e ? plugin_err(file, "cannot open it: %s", strerror(e))
                 : plugin_err(file, "not a shared object (no ELF header of type ET_DYN)");
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return plugin_err(file, "cannot load it: %s", why ? why : "dlopen failed");
    }
    /* From here on the object stays loaded: a refused plug-in ends the run. */
    if (dlsym(h, "qemu_plugin_install"))
        return plugin_err(file, "a QEMU TCG plug-in, not a rivet device plug-in");
    const struct rivet_plugin *(*entry)(void);
    *(void **)&entry = dlsym(h, RIVET_PLUGIN_ENTRY);
    if (!entry)
        return plugin_err(file, "no entry point %s (not a rivet device plug-in; see docs/plugins.md)",
                          RIVET_PLUGIN_ENTRY);
    const struct rivet_plugin *p = entry();
    if (!p)
        return plugin_err(file, "%s returned NULL", RIVET_PLUGIN_ENTRY);
    if (p->abi_version > RIVET_DEVICE_ABI_VERSION)
        return plugin_err(file, "built for device ABI %u, newer than this rivet's (%d to %d): upgrade rivet",
                          p->abi_version, RIVET_DEVICE_ABI_MIN, RIVET_DEVICE_ABI_VERSION);
    if (p->abi_version < RIVET_DEVICE_ABI_MIN)
        return plugin_err(file, "built for device ABI %u, older than this rivet's (%d to %d): rebuild it against "
                          "rivet-device.h", p->abi_version, RIVET_DEVICE_ABI_MIN, RIVET_DEVICE_ABI_VERSION);
    if (p->size < sizeof *p)
        return plugin_err(file, "struct rivet_plugin of %u bytes, this rivet's is %zu (built for another ABI)",
                          p->size, sizeof *p);
    if (!p->types || !p->types[0])
        return plugin_err(file, "declares no device types");
    unsigned n = 0;
    for (; p->types[n]; n++) {
        if (n == 64)
            return plugin_err(file, "declares more than 64 device types");
        if (check_type(file, p->types[n], n, p->types) < 0)
            return -1;
        for (unsigned k = 0; k < n; k++)
            if (!strcmp(p->types[k]->name, p->types[n]->name))
                return plugin_err(file, "two devices named %s", p->types[n]->name);
        char other[200];
        if (devices_name_taken(p->types[n]->name, p->types[n]->kind == RIVET_DEVICE_VIRTIO, other, sizeof other))
            return plugin_err(file, "device %s: %s", p->types[n]->name, other);
    }
    for (unsigned i = 0; i < n; i++)
        if (adapt(file, p->types[i]) < 0)
            return -1;
    return 0;
}
