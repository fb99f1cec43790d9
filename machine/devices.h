/* machine/devices.h: the table of device types behind `-device`, and the
 * board-side plumbing that creates them.
 *
 * Every device type is one entry of one table (machine/devices.c): its
 * QEMU name, a help line, its options and a create function. `-device help`
 * lists the table, `-device NAME,help` a type's options. The command line
 * is checked against the table while options are parsed (unknown device or
 * option: one line); references to host objects (drive=, chardev=) are
 * resolved when the machine is built.
 *
 * Host objects (disk images, chardevs, -netdev backends) are opened by
 * frontends/ and handed in through struct devices_config as plain
 * interfaces, so machine/ and virtio/ never include frontends/.
 * virtio-mmio devices take the board's slots in command-line order from
 * the highest address down, as QEMU's virt
 * does: Linux probes the device tree's highest slot first, so the first
 * -device is virtio0 (at 0x10008000, PLIC 8 on virt), the same guest view
 * as QEMU with the same command line. -pci devices are functions of the
 * board's PCI host bridge, at addr= or in the first free slot of bus 0 in
 * command-line order (explicit addresses placed first). Host input for
 * all of them (console bytes, host entropy, network frames) enters only
 * in devices_poll, which the run loop calls between CPU slices.
 */
#ifndef RIVET_DEVICES_H
#define RIVET_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "bus/util.h"

struct virtio_blk_backend;
struct pci_host;

/* ---- transports ----
 * A virtio device type is written once (its create function, options and
 * poll in devices.c) and listed once per transport in the `types` table,
 * one line each:
 *
 *   { "virtio-foo-device", "virtio-mmio foo ...", foo_options, DEVICE_MMIO, create_foo, poll_foo },
 *   { "virtio-foo-pci",    "virtio-pci foo ...",  foo_options, DEVICE_PCI,  create_foo, poll_foo },
 *
 * create() makes the struct virtio_dev and never sees the transport;
 * devices.c then puts it in a virtio-mmio slot or plugs it into the PCI
 * host bridge (virtio/pci.c: ids 1af4:1040+id, class code from the device
 * ID). DEVICE_PCI types take the PCI transport's options on top of their
 * own (addr=SLOT in hex, as QEMU's; disable-legacy=on and disable-modern=off
 * are accepted) and the first free slot of bus 0 without addr=. A
 * device-specific rule in planning should test the create function or the
 * plan's type, not one of the two names. */
enum device_transport {
    DEVICE_PORT = 0,   /* no slot: a port of the previous virtio-serial-* (virtconsole) */
    DEVICE_MMIO = 1,   /* a virtio-mmio slot of the board */
    DEVICE_PCI = 2,    /* a function on PCI bus 0 */
};
struct devices_display;

/* Option lists ("name,key=value,...") are bus/util.h's struct optlist. */

/* ---- host objects, opened by frontends/ ---- */
struct devices_drive {
    const char *id;
    const struct virtio_blk_backend *backend;
};
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

struct devices_config {
    const char *const *devices;        /* -device arguments, in order */
    unsigned ndevices;
    const struct devices_drive *drives;
    unsigned ndrives;
    const struct devices_chardev *chardevs;
    unsigned nchardevs;
    const struct devices_netdev *netdevs;
    unsigned nnetdevs;
    /* The host display for virtio-gpu and virtio-input (machine/display_glue.h); NULL: none. */
    const struct devices_display *display;
    bool mmio_legacy;                  /* -global virtio-mmio.force-legacy=true */
};

/* ---- at option-parsing time ---- */
/* Checks one -device argument against the table. Returns 0 when valid, 1
 * after printing help (to `out`) for "help" or "NAME,help", -1 after a
 * one-line error on stderr. */
int devices_check(const char *arg, FILE *out);
/* Resolves drive=/chardev= references and slot counts without building
 * anything: 0, or -1 after a one-line error. */
int devices_validate(const struct devices_config *, unsigned nslots);

/* ---- at machine build ---- */
struct devices;
/* Creates every device and maps the `nslots` virtio-mmio slots at base +
 * i * stride with interrupt irqs[i] (empty slots answer device ID 0); the
 * -pci devices become functions of `pci` (NULL: none allowed). NULL after
 * a one-line error. cfg may be NULL (no devices). */
struct devices *devices_create(const struct devices_config *cfg, struct bus *, uint64_t base,
                               uint64_t stride, const struct irq_line *irqs, unsigned nslots,
                               struct pci_host *pci);
/* Host input for the devices; between CPU slices only. Returns true when
 * the user asked to quit through a chardev. */
bool devices_poll(struct devices *);
/* Gives the -netdev backends the machine's virtual clock (after create). */
struct vclock;
void devices_set_clock(struct devices *, struct vclock *);
void devices_free(struct devices *);

#endif
