/* rivet-device.h: the public C ABI of rivet's out-of-tree device plug-ins.
 *
 * A plug-in is a shared object that rivet loads with `-plugin FILE.so`
 * (or QEMU's spelling `-plugin file=FILE.so`; repeatable, before or after
 * the -device options that use it). It exports one function,
 *
 *     const struct rivet_plugin *rivet_plugin_entry(void);
 *
 * which returns a static description: the ABI version it was built for
 * (RIVET_DEVICE_ABI_VERSION, this header's), the size of the structs it
 * was built with, and a NULL-terminated list of device types. Each type
 * then appears in `-device help` and is used with `-device NAME,...`
 * exactly like a built-in one, with its own options (`-device NAME,help`).
 * rivet adapts the types to its internal descriptors, so plug-in devices
 * go through the same registry, transports, state streams and checks as
 * built-in ones.
 *
 * Two kinds of devices:
 *
 * - RIVET_DEVICE_VIRTIO: a virtio device carried by rivet's own
 *   transports: `NAME-device` on a virtio-mmio slot and `NAME-pci` on PCI
 *   bus 0. The plug-in declares the device ID, queue count and sizes and
 *   config space length; the transports own the registers, the rings'
 *   addresses, feature negotiation and interrupts. The device handles
 *   notifications (queue_notify), pops descriptor chains, reads and writes
 *   their buffers and pushes them back, all through the rivet_virtio_*
 *   and rivet_elem_* functions below, which check every guest address:
 *   a malformed ring puts the device in NEEDS_RESET with one log line,
 *   as for a built-in device.
 * - RIVET_DEVICE_MMIO: a bus device at a fixed guest-physical base, with
 *   one interrupt line (a PLIC source of the virt board, 0: none) and a
 *   device-tree node under /soc (`NAME@BASE`, compatible, reg and
 *   interrupts, written by rivet). The bus calls read/write for accesses
 *   of the sizes the type declares (others fault without calling it).
 *   `-device NAME` places it.
 *
 * Guest memory is reached only through the helpers here (rivet_elem_read,
 * rivet_elem_write, rivet_dma_read, rivet_dma_write), which refuse a range
 * that is not entirely guest RAM. Everything is C, every rivet object is an
 * opaque handle, and nothing of rivet's private headers shows through.
 *
 * Save/load: a type's `state` hook describes the device's own state once
 * for both directions with the rivet_state_* functions (tagged fields;
 * a load checks names, types and lengths, and the hook checks values with
 * rivet_state_fail). rivet saves the transport and virtio core around it.
 *
 * Threading: rivet runs the machine in one thread; every hook is called
 * from it, and the rivet_* functions may only be called from inside hooks.
 *
 * Build: cc -shared -fPIC $(pkg-config --cflags rivet-device) -o x.so x.c
 * (docs/plugins.md walks through tests/plugins/example-rng.c).
 */
#ifndef RIVET_PUBLIC_DEVICE_H
#define RIVET_PUBLIC_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes. rivet loads plug-ins built for versions
 * RIVET_DEVICE_ABI_MIN..RIVET_DEVICE_ABI_VERSION of it and refuses others
 * with one line. A change that breaks a built plug-in bumps the version. */
#define RIVET_DEVICE_ABI_VERSION 1
#define RIVET_DEVICE_ABI_MIN 1

/* The name of the entry point rivet looks up with dlsym. */
#define RIVET_PLUGIN_ENTRY "rivet_plugin_entry"

/* ---- opaque handles ---- */

struct rivet_dev;     /* one created device, as rivet sees it */
struct rivet_elem;    /* a popped descriptor chain */
struct rivet_state;   /* a save or load stream */

/* ---- options ---- */

enum rivet_opt_type {
    RIVET_OPT_STR,    /* any string */
    RIVET_OPT_U64,    /* decimal or 0x hex, within [min, max] when max != 0 */
    RIVET_OPT_BOOL,   /* on/off/yes/no/true/false */
};

struct rivet_option {
    const char *name;
    enum rivet_opt_type type;
    const char *arg;      /* in help: name=ARG */
    const char *help;
    const char *def;      /* default (text), shown in help; NULL: none */
    bool required;
    uint64_t min, max;    /* RIVET_OPT_U64 */
};
/* A list of options ends with an entry whose name is NULL. */

/* ---- device types ---- */

enum rivet_device_kind {
    RIVET_DEVICE_VIRTIO = 1,
    RIVET_DEVICE_MMIO = 2,
};

#define RIVET_VIRTIO_MAX_QUEUES 8
#define RIVET_VIRTIO_CONFIG_MAX 256

struct rivet_device_type {
    size_t size;              /* sizeof(struct rivet_device_type) */
    const char *name;         /* virtio: NAME-device and NAME-pci; mmio: NAME */
    const char *help;         /* one line */
    enum rivet_device_kind kind;
    const struct rivet_option *options;   /* NULL or ends with { NULL } */

    /* Makes the device; options are read with rivet_opt_* on `dev` (only
     * here). Returns the device's own pointer (handed to every hook), or
     * NULL with a reason in err (one line, no newline). */
    void *(*create)(struct rivet_dev *dev, char *err, size_t errlen);
    /* Back to the state after create (virtio: after the core reset status,
     * features and queues). Optional. */
    void (*reset)(void *opaque);
    /* The device's own state, both directions (rivet_state_loading). A
     * load goes into a fresh device made with the same options. Optional:
     * a device without state of its own. */
    void (*state)(void *opaque, struct rivet_state *st);
    /* Frees what create made. */
    void (*free)(void *opaque);

    /* RIVET_DEVICE_VIRTIO */
    uint32_t virtio_id;       /* virtio device ID (virtio 1.2, 5): 4 is an entropy source */
    unsigned nqueues;         /* 1..RIVET_VIRTIO_MAX_QUEUES */
    uint16_t queue_max[RIVET_VIRTIO_MAX_QUEUES];  /* powers of two up to 1024 */
    unsigned config_len;      /* 0..RIVET_VIRTIO_CONFIG_MAX */
    /* Device feature bits offered (0-23, 41-63); rivet adds VERSION_1,
     * INDIRECT_DESC and EVENT_IDX. Optional. */
    uint64_t (*features)(void *opaque);
    /* The driver notified queue q (the device is running). */
    void (*queue_notify)(void *opaque, unsigned q);
    /* A driver write to config space, within config_len. Optional. */
    void (*config_write)(void *opaque, unsigned off, const void *buf, unsigned len);

    /* RIVET_DEVICE_MMIO */
    uint64_t base, region_size;   /* guest-physical window; must not overlap the board's */
    unsigned irq;                 /* PLIC source 1..95 of the virt board, 0: none */
    const char *compatible;       /* device-tree compatible string */
    unsigned access_sizes;        /* bit mask of 1, 2, 4, 8: the sizes it takes, aligned */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
};

struct rivet_plugin {
    uint32_t abi_version;     /* RIVET_DEVICE_ABI_VERSION */
    uint32_t size;            /* sizeof(struct rivet_plugin) */
    const char *name;         /* for messages */
    const struct rivet_device_type *const *types;   /* NULL-terminated */
};

/* Every plug-in defines this (see the top of the file). */
const struct rivet_plugin *rivet_plugin_entry(void);

/* ---- functions rivet exports to plug-ins ---- */

/* Options, inside create: the given value or the default; NULL / false
 * when neither. Values were checked against the option's type. */
const char *rivet_opt_str(struct rivet_dev *, const char *name);
bool rivet_opt_u64(struct rivet_dev *, const char *name, uint64_t *out);
bool rivet_opt_bool(struct rivet_dev *, const char *name, bool *out);

/* A rate-limited message about something the guest did (one line). */
void rivet_log_guest(struct rivet_dev *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Guest memory: copies to or from guest-physical addresses; 0, or -1
 * (nothing copied) when the range is not entirely guest RAM. */
int rivet_dma_read(struct rivet_dev *, uint64_t gpa, void *buf, uint64_t len);
int rivet_dma_write(struct rivet_dev *, uint64_t gpa, const void *buf, uint64_t len);

/* MMIO devices: the level of the interrupt line (no-op without one). */
void rivet_irq_set(struct rivet_dev *, bool level);

/* Virtio devices. */
/* True while the device may use its queues (DRIVER_OK, no NEEDS_RESET). */
bool rivet_virtio_running(struct rivet_dev *);
bool rivet_virtio_has_feature(struct rivet_dev *, unsigned bit);
/* Config space bytes (what the driver reads); set_config bumps nothing,
 * config_changed tells the driver. */
void rivet_virtio_set_config(struct rivet_dev *, unsigned off, const void *buf, unsigned len);
void rivet_virtio_config_changed(struct rivet_dev *);
/* The guest broke the device's protocol: NEEDS_RESET and one log line. */
void rivet_virtio_fail(struct rivet_dev *, const char *why);

/* An element holds one popped chain; allocate one (or a few) in create. */
struct rivet_elem *rivet_elem_new(void);
void rivet_elem_free(struct rivet_elem *);
/* Pops the next chain of queue q into e: 1, 0 when the queue is empty, -1
 * when the ring is malformed (the device is then in NEEDS_RESET). */
int rivet_virtio_pop(struct rivet_dev *, unsigned q, struct rivet_elem *e);
/* Bytes the driver gave: device-readable (out) and device-writable (in). */
uint64_t rivet_elem_out_len(const struct rivet_elem *);
uint64_t rivet_elem_in_len(const struct rivet_elem *);
/* Copy at byte `off` of the element's readable / writable part; the bytes
 * copied (short at its end), or -1 when guest RAM vanished under it. */
long rivet_elem_read(struct rivet_dev *, const struct rivet_elem *, uint64_t off, void *buf, size_t len);
long rivet_elem_write(struct rivet_dev *, const struct rivet_elem *, uint64_t off, const void *buf, size_t len);
/* Returns the chain with `written` bytes written; then, after a batch,
 * queue_done interrupts the driver unless it suppressed that. */
void rivet_virtio_push(struct rivet_dev *, unsigned q, const struct rivet_elem *, uint32_t written);
void rivet_virtio_queue_done(struct rivet_dev *, unsigned q);

/* State streams (save and load with the same calls). section returns the
 * version (the stored one when loading, 0 after an error). */
bool rivet_state_loading(const struct rivet_state *);
unsigned rivet_state_section(struct rivet_state *, const char *name, unsigned version);
void rivet_state_u8(struct rivet_state *, const char *name, uint8_t *);
void rivet_state_u32(struct rivet_state *, const char *name, uint32_t *);
void rivet_state_u64(struct rivet_state *, const char *name, uint64_t *);
void rivet_state_bool(struct rivet_state *, const char *name, bool *);
void rivet_state_bytes(struct rivet_state *, const char *name, void *, size_t len);
/* A load hook found an inconsistent value: the load fails with this reason. */
void rivet_state_fail(struct rivet_state *, const char *why);
bool rivet_state_error(const struct rivet_state *);

#ifdef __cplusplus
}
#endif

#endif
