/* bus/device.h: device descriptors, the host resources devices use, and
 * the registry that collects the descriptors.
 *
 * Each device type describes itself once, in its own source file:
 *
 *     DEVICE_TYPE(virtio_rng) = {
 *         .name = "virtio-rng",                    // -device virtio-rng-device / virtio-rng-pci
 *         .help = "entropy source ...",
 *         .kind = DEVICE_VIRTIO,                   // both transports, names generated
 *         .options = rng_options,                  // typed, with defaults and help
 *         .create = rng_create,                    // plus optional poll/detach/check/free
 *     };
 *
 * No table lists the types: the Makefile collects every `DEVICE_TYPE(id)`
 * line of the library's sources into a generated list
 * (build/gen/device_list.c), which also makes the linker keep each
 * device's object file. machine/devices.c is the generic registry behind
 * -device: it finds types by name, checks and prints options, resolves
 * host resources (drive=, chardev=, netdev=, fsdev=), creates, polls and
 * frees instances. bus/ is the lowest layer, so virtio/ and machine/
 * devices both describe themselves with it.
 *
 * Save/load, reset and free of a virtio device are its virtio_device_ops
 * (the registry calls them through the virtio core and the transport);
 * the hooks here are what differs per type around the device: its options,
 * its host resources, its host input (poll).
 */
#ifndef RIVET_DEVICE_H
#define RIVET_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "bus/state.h"
#include "bus/util.h"

/* ---- host resources, opened by frontends/ and handed down ---- */

struct virtio_blk_backend;

/* -drive ...,id=ID: a block backend (virtio/blk.h's interface). */
struct devices_drive {
    const char *id;
    const struct virtio_blk_backend *backend;
};

/* -chardev ...,id=ID (or the serial console): a byte stream. */
struct devices_chardev {
    const char *id;
    void *ctx;
    void (*write)(void *ctx, const uint8_t *buf, size_t len);
    /* Non-blocking; sets *quit when the user asked to quit (Ctrl-A x). */
    size_t (*read)(void *ctx, uint8_t *buf, size_t len, bool *quit);
};

/* A -netdev (frontends/net.h), as plain callbacks. The device sends
 * frames through send at any time; frames for the guest come only from
 * inside poll (between CPU slices), through the receiver it registered. */
struct devices_netdev {
    const char *id;
    void *ctx;
    int (*send)(void *ctx, const void *frame, size_t len);
    void (*set_receiver)(void *ctx, bool (*can_receive)(void *opaque),
                         void (*rx)(void *opaque, const void *frame, size_t len), void *opaque);
    void (*poll)(void *ctx);
    /* The machine's virtual clock in ns, for the backend's timers. */
    void (*set_clock)(void *ctx, uint64_t (*now_ns)(void *clock), void *clock);
};

struct virtio_9p_backend;

/* -fsdev ...,id=ID (or -virtfs): a shared host folder (virtio/9p.h's
 * interface; frontends/fs_local.c is the confined local one). */
struct devices_fsdev {
    const char *id;
    const struct virtio_9p_backend *backend;
};

/* -object rng-random|rng-builtin,id=ID: a host entropy source. read is
 * non-blocking and returns the bytes it got (0: none now). */
struct devices_rng {
    const char *id;
    void *ctx;
    size_t (*read)(void *ctx, uint8_t *buf, size_t len);
};

/* ---- options ---- */

enum device_opt_type {
    DEVOPT_STR,       /* any string (check may restrict it) */
    DEVOPT_U64,       /* decimal or 0x hex, within [min, max] when max != 0 */
    DEVOPT_BOOL,      /* on/off/yes/no/true/false */
    /* host resources: the value is the id of a -drive/-chardev/-netdev/
     * -fsdev, resolved by the registry (unknown id or one used twice: an
     * error) and handed to create in device_args */
    DEVOPT_DRIVE,
    DEVOPT_CHARDEV,
    DEVOPT_NETDEV,
    DEVOPT_FSDEV,
    DEVOPT_RNG,       /* an -object rng-*,id=ID */
};

struct device_option {
    const char *name;
    enum device_opt_type type;
    const char *arg;       /* in help: name=ARG */
    const char *help;
    const char *def;       /* default value (text), shown in help; NULL: none */
    bool required;
    uint64_t min, max;     /* DEVOPT_U64 */
    bool pow2;             /* DEVOPT_U64: a power of two */
    /* Extra check: NULL when the value is fine, else why not ("a ..."). */
    const char *(*check)(const char *value);
};
#define DEVOPT_END { 0 }

/* ---- descriptors ---- */

enum device_kind {
    DEVICE_VIRTIO,    /* NAME-device on a virtio-mmio slot and NAME-pci on PCI bus 0 */
    DEVICE_PORT,      /* NAME: gives its host resources to the last `port_of` device */
    DEVICE_PLATFORM,  /* a fixed part of a board (machine/virt.c's board table) */
    DEVICE_MMIO,      /* NAME: a bus device at its own fixed window (a plug-in's,
                       * machine/plugin.c); -device NAME maps it */
};

struct virtio_dev;
struct virtio_gpu_display;
struct board_fdt;
struct device_instance;

/* The board's host display as devices see it (machine/display_glue.c owns
 * it; a board without a display hands in one that shows nothing). */
struct device_display {
    void *ctx;
    /* A display device asks for the scanout: true (and *out filled, see
     * virtio/gpu.h) for the first one, false for later ones. */
    bool (*claim_scanout)(void *ctx, struct virtio_gpu_display *out);
    /* An input device of `kind` (virtio/input.h) wants host events. */
    void (*add_input)(void *ctx, struct virtio_dev *, unsigned kind);
    /* EV_KEY bitmap (128 bytes) for keyboards; NULL: codes 1-255. */
    const uint8_t *keys;
};

/* What create gets: the checked options and the resolved resources. */
struct device_args {
    const struct device_desc *desc;
    struct bus *bus;
    const struct optlist *opts;            /* the -device list (name first) */
    const struct devices_drive *drive;     /* DEVOPT_DRIVE option, or NULL */
    const struct devices_chardev *chardev; /* ... */
    const struct devices_netdev *netdev;
    const struct devices_fsdev *fsdev;
    const struct devices_rng *rng;
    /* host entropy for a device that takes it without rng= (an unseeded
     * virtio-rng): the board's, which a record/replay log takes; NULL:
     * the device reads getrandom itself */
    const struct devices_rng *host_rng;
    unsigned index;                        /* instances of this type before it */
    const struct device_display *display;  /* the board's host display */
    const char *arg;                       /* the whole -device argument, for messages */
    const struct irq_line *irq;            /* DEVICE_MMIO with mmio_irq: its line */
};

struct device_desc {
    const char *name;
    const char *help;              /* one line (without the transport) */
    enum device_kind kind;
    const struct device_option *options;   /* ends with DEVOPT_END */
    const char *port_of;           /* DEVICE_PORT: the parent type's name */
    bool takes_port;               /* DEVICE_VIRTIO: a DEVICE_PORT may attach to it */

    /* Optional, at option-parsing time: a rule across options (index is
     * known). 0, or -1 with a reason in err. */
    int (*check)(const struct device_args *, char *err, size_t errlen);
    /* Makes the device: fills inst->vdev (DEVICE_VIRTIO) and may keep its
     * own per-instance data in inst->priv (freed by the registry). 0, or
     * -1 with a reason in err. */
    int (*create)(struct device_instance *, const struct device_args *, char *err, size_t errlen);
    /* Optional: host input, between CPU slices. True: the user asked to quit. */
    bool (*poll)(struct device_instance *);
    /* Optional: let go of host resources (before anything is freed). */
    void (*detach)(struct device_instance *);

    /* DEVICE_PLATFORM: a part of a board, created by the board's table
     * (machine/board.h), which maps `ops` at the row's base with the
     * device as opaque. It writes its own device-tree node(s). */
    const struct bus_device_ops *ops;
    int (*fdt_node)(const struct board_fdt *);   /* under /soc */
    int (*fdt_root)(const struct board_fdt *);   /* optional: under / */
    void (*free)(void *dev);
    /* Back to the state the device has when created (same wiring, same
     * clock); outputs (interrupt lines) follow. A device whose time runs
     * on (an RTC) keeps its time. */
    void (*reset)(void *dev);
    /* Device state (bus/state.h): save, and load into a fresh instance
     * made with the same wiring; load fails (-1, or the stream's error)
     * on an inconsistent stream and recomputes outputs and timers. */
    void (*save)(void *dev, struct state *);
    int (*load)(void *dev, struct state *);

    /* DEVICE_MMIO: `ops` mapped at [mmio_base, +mmio_size) with the
     * instance's priv as opaque, PLIC source mmio_irq (0: none), and a
     * device-tree node NAME@BASE with this compatible string. */
    uint64_t mmio_base, mmio_size;
    unsigned mmio_irq;
    const char *compatible;
};

/* One created device. */
struct device_instance {
    const struct device_desc *desc;
    struct virtio_dev *vdev;
    void *priv;
};

/* Registers a type; the line must start with it (the Makefile greps it). */
#define DEVICE_TYPE(id) const struct device_desc device_type_##id

/* ---- the registry (machine/devices.c and the generated list) ---- */

/* Every registered type, in the order of the generated list (sorted by
 * source file); NULL-terminated. */
extern const struct device_desc *const device_types[];

/* Option values after checking: the given value or the default; NULL when
 * neither. */
const char *device_opt(const struct device_args *, const char *name);
/* DEVOPT_U64 / DEVOPT_BOOL values (with defaults); false when absent. */
bool device_opt_u64(const struct device_args *, const char *name, uint64_t *out);
bool device_opt_bool(const struct device_args *, const char *name, bool *out);
/* The option `name` of a type (NULL: none); checking a value against its
 * type, bounds and check (NULL when fine, else why not, possibly written
 * into buf). */
const struct device_option *device_find_option(const struct device_option *list, const char *name);
const char *device_check_value(const struct device_option *, const char *value, char *buf, size_t len);
/* Strict number: decimal or 0x hex, no sign, no junk. 0 or -1. */
int device_parse_u64(const char *v, uint64_t *out);

#endif
