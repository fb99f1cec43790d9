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
 * Host objects (disk images, chardevs) are opened by frontends/ and handed
 * in through struct devices_config as plain interfaces, so machine/ and
 * virtio/ never include frontends/. virtio-mmio devices take the board's
 * slots in command-line order from the highest address down, as QEMU's virt
 * does: Linux probes the device tree's highest slot first, so the first
 * -device is virtio0 (at 0x10008000, PLIC 8 on virt), the same guest view
 * as QEMU with the same command line. Host input for them (console
 * bytes, host entropy) enters only in devices_poll, which the run loop
 * calls between CPU slices.
 */
#ifndef RIVET_DEVICES_H
#define RIVET_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bus/bus.h"
#include "bus/irq.h"

struct virtio_blk_backend;

/* ---- QEMU-style "name,key=value,key=value" lists ---- */
struct devopt {
    char *key;
    char *value;    /* NULL for a bare word ("help", "nowait") */
};
struct devopts {
    struct devopt *v;
    unsigned n;
};
/* Splits at commas; ",," is a literal comma. -1 on out of memory. */
int devopts_parse(const char *s, struct devopts *);
/* The value of the last `key=`, or NULL. */
const char *devopts_get(const struct devopts *, const char *key);
bool devopts_has(const struct devopts *, const char *key);
void devopts_free(struct devopts *);
/* on/off/yes/no/true/false: 0 or 1, -1 if none of them. */
int devopts_bool(const char *value);

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

struct devices_config {
    const char *const *devices;        /* -device arguments, in order */
    unsigned ndevices;
    const struct devices_drive *drives;
    unsigned ndrives;
    const struct devices_chardev *chardevs;
    unsigned nchardevs;
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
 * i * stride with interrupt irqs[i] (empty slots answer device ID 0).
 * NULL after a one-line error. cfg may be NULL (no devices). */
struct devices *devices_create(const struct devices_config *cfg, struct bus *, uint64_t base,
                               uint64_t stride, const struct irq_line *irqs, unsigned nslots);
/* Host input for the devices; between CPU slices only. Returns true when
 * the user asked to quit through a chardev. */
bool devices_poll(struct devices *);
void devices_free(struct devices *);

#endif
