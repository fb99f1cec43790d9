/* machine/devices.h: the registry behind `-device`, and the board-side
 * plumbing that creates the devices.
 *
 * Device types describe themselves (bus/device.h: one DEVICE_TYPE
 * descriptor in each device's own file, collected into a generated list);
 * this registry names none of them. `-device help` lists the types (a
 * virtio type as NAME-device on a virtio-mmio slot and NAME-pci on PCI),
 * `-device NAME,help` a type's options. The command line is checked
 * against the descriptors while options are parsed (unknown device or
 * option: one line); references to host resources (drive=, chardev=,
 * netdev=, fsdev=) are resolved when the machine is built.
 *
 * Host resources (disk images, chardevs, -netdev backends) are opened by
 * frontends/ and handed in through struct devices_config as plain
 * interfaces (bus/device.h), so machine/ and virtio/ never include
 * frontends/. virtio-mmio devices take the board's slots in command-line
 * order from the highest address down, as QEMU's virt does: Linux probes
 * the device tree's highest slot first, so the first -device is virtio0
 * (at 0x10008000, PLIC 8 on virt), the same guest view as QEMU with the
 * same command line. -pci devices are functions of the board's PCI host
 * bridge, at addr= or in the first free slot of bus 0 in command-line
 * order (explicit addresses placed first). Host input for all of them
 * (console bytes, host entropy, network frames) enters only in
 * devices_poll (each type's poll hook), which the run loop calls between
 * CPU slices.
 */
#ifndef RIVET_DEVICES_H
#define RIVET_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/bus.h"
#include "bus/irq.h"
#include "bus/device.h"
#include "bus/util.h"

struct pci_host;
struct devices_display;

struct devices_config {
    const char *const *devices;        /* -device arguments, in order */
    unsigned ndevices;
    const struct devices_drive *drives;
    unsigned ndrives;
    const struct devices_chardev *chardevs;
    unsigned nchardevs;
    const struct devices_netdev *netdevs;
    unsigned nnetdevs;
    const struct devices_fsdev *fsdevs;
    unsigned nfsdevs;
    const struct devices_rng *rngs;    /* -object rng-*, for rng= */
    unsigned nrngs;
    /* Host entropy for devices without rng= (device_args.host_rng): a
     * record/replay log's (machine/rr.h); NULL: getrandom. */
    const struct devices_rng *host_rng;
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

/* ---- run-time types (plug-ins, machine/plugin.c) ---- */
/* Whether a type named `name` (a DEVICE_VIRTIO one when virtio: its
 * NAME-device and NAME-pci) would take a name already in use; why in why. */
bool devices_name_taken(const char *name, bool virtio, char *why, size_t len);
/* The type behind a -device name (NAME-device, NAME-pci, NAME), or NULL. */
const struct device_desc *devices_type(const char *name);
/* Adds a type after the generated list: 0, or -1 with a reason. */
int devices_register(const struct device_desc *, char *err, size_t errlen);

/* ---- at machine build ---- */
struct devices;
/* Creates every device and maps the `nslots` virtio-mmio slots at base +
 * i * stride with interrupt irqs[i] (empty slots answer device ID 0); the
 * -pci devices become functions of `pci` (NULL: none allowed). A
 * DEVICE_MMIO type is mapped at its own window; its interrupt is
 * {irqs[0].set, irqs[0].sink, mmio_irq}: irqs must be interrupt-controller
 * lines whose n is the source number (the virt board's PLIC lines are). NULL after
 * a one-line error. cfg may be NULL (no devices). */
struct devices *devices_create(const struct devices_config *cfg, struct bus *, uint64_t base,
                               uint64_t stride, const struct irq_line *irqs, unsigned nslots,
                               struct pci_host *pci);
/* Host input for the devices; between CPU slices only. Returns true when
 * the user asked to quit through a chardev. */
bool devices_poll(struct devices *);
/* Gives the -netdev backends the machine's virtual clock (after create). */
/* The virtio devices, mmio slots first, then PCI functions (the
 * monitor's info virtio); returns how many were written. */
struct virtio_dev;
unsigned devices_virtio_list(struct devices *, const struct virtio_dev **out, unsigned max);
/* Ask the guest to power off (the monitor's system_powerdown): KEY_POWER
 * on the first virtio keyboard; false without one. */
bool devices_powerdown(struct devices *);
struct vclock;
void devices_set_clock(struct devices *, struct vclock *);
void devices_free(struct devices *);
/* Every -device's state (bus/state.h), transport and device, in slot
 * order: the virtio-mmio slots, then the PCI functions. A load goes into
 * devices made from the same configuration. */
void devices_state(struct devices *, struct state *);
/* The DEVICE_MMIO types created (they write no node of their own: the
 * board writes NAME@BASE with their compatible, reg and interrupt). */
unsigned devices_bus_nodes(const struct devices *, const struct device_desc **out, unsigned max);

#endif
