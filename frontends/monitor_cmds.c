/* frontends/monitor_cmds.c: the monitor's commands that look at the
 * machine: info registers|cpus|mtree|virtio|pci, x and xp, screendump. They only read
 * (memory through the current hart's page tables without A/D updates, RAM
 * only: a device region is never read, since a read can have effects). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bus/bus.h"
#include "bus/pci/pci.h"
#include "cpu/riscv/disas.h"
#include "cpu/riscv/hart.h"
#include "frontends/display_host.h"
#include "frontends/monitor.h"
#include "machine/devices.h"
#include "virtio/virtio.h"

static struct rv_hart *current(struct monitor_call *c)
{
    unsigned n;
    struct rv_hart *h = virt_harts(c->m, &n);
    if (*c->cpu >= n)
        *c->cpu = 0;
    return &h[*c->cpu];
}

static const char *const xnames[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *priv_name(enum rv_priv p)
{
    switch (p) {
    case RV_PRIV_U: return "U";
    case RV_PRIV_S: return "S";
    case RV_PRIV_M: return "M";
    default: return "?";
    }
}

static int do_info_registers(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct rv_hart *h = current(c);
    monitor_printf(c, " pc       %016" PRIx64 "\n", h->pc);
    monitor_printf(c, " mhartid  %016" PRIx64 "\n", h->mhartid);
    monitor_printf(c, " priv     %s%s\n", priv_name(h->priv), h->wfi ? " (wfi)" : "");
    static const unsigned csrs[] = {
        0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0x344,
        0x100, 0x104, 0x105, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0xc01,
    };
    for (size_t i = 0; i < sizeof csrs / sizeof csrs[0]; i++) {
        uint64_t v;
        if (rv_csr_debug(h, csrs[i], false, &v) == 0) {
            const char *name = rv_csr_name(csrs[i]);
            monitor_printf(c, " %-8s %016" PRIx64 "\n", name ? name : "?", v);
        }
    }
    char line[128];
    for (unsigned i = 0; i < 32; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%u/%s", i, xnames[i]);
        snprintf(line, sizeof line, " %-8s %016" PRIx64, name, h->x[i]);
        monitor_printf(c, "%s%s", line, i % 4 == 3 ? "\n" : "");
    }
    for (unsigned i = 0; i < 32; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%u", i);
        monitor_printf(c, " %-8s %016" PRIx64 "%s", name, h->f[i], i % 4 == 3 ? "\n" : "");
    }
    return 0;
}
MONITOR_COMMAND(info_registers) = {
    .name = "info registers", .help = "the current hart's registers (cpu N selects it)",
    .run = do_info_registers,
};

static int do_info_cpus(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    unsigned n;
    struct rv_hart *h = virt_harts(c->m, &n);
    for (unsigned i = 0; i < n; i++)
        monitor_printf(c, "%c CPU #%u: pc=0x%016" PRIx64 " mode=%s%s\n", i == *c->cpu ? '*' : ' ', i, h[i].pc,
                       priv_name(h[i].priv), h[i].wfi ? " (halted)" : "");
    return 0;
}
MONITOR_COMMAND(info_cpus) = {
    .name = "info cpus", .help = "every hart: pc, mode, waiting; * marks the current one", .run = do_info_cpus,
};

static int do_info_mtree(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct bus *b = virt_bus(c->m);
    monitor_printf(c, "address-space: memory\n");
    for (unsigned i = 0; i < b->count; i++) {
        const struct bus_region *r = &b->regions[i];
        monitor_printf(c, "  %016" PRIx64 "-%016" PRIx64 " (%s): %s\n", r->base, r->base + r->size - 1,
                       r->ops ? "i/o" : "ram", r->name ? r->name : "?");
    }
    return 0;
}
MONITOR_COMMAND(info_mtree) = {
    .name = "info mtree", .help = "the bus's address map, in address order", .run = do_info_mtree,
};

/* ---- x and xp ---- */

/* Reads len bytes at addr (virtual through h, or physical when h is
 * NULL), RAM only. 0, or -1 with *bad the first address that failed. */
static int peek(struct bus *b, struct rv_hart *h, uint64_t addr, uint8_t *buf, unsigned len, uint64_t *bad)
{
    for (unsigned i = 0; i < len; i++) {
        uint64_t va = addr + i, pa = va;
        if (h && rv_dbg_translate(h, va, &pa) < 0) {
            *bad = va;
            return -1;
        }
        const uint8_t *p = bus_dma(b, pa, 1);
        if (!p) {
            *bad = va;
            return -1;
        }
        buf[i] = *p;
    }
    return 0;
}

static int dump(struct monitor_call *c, int argc, char **argv, bool physical)
{
    (void)argc;
    struct monitor_fmt f;
    char err[128];
    if (monitor_parse_fmt(c->fmt, &f, err, sizeof err) < 0)
        return monitor_error(c, "%s", err);
    struct rv_hart *h = current(c);
    uint64_t addr;
    if (monitor_parse_value(argv[0], h, &addr) < 0)
        return monitor_error(c, "bad address '%s' (a number, or $pc, $sp, $a0 ...)", argv[0]);
    struct bus *b = virt_bus(c->m);
    struct rv_hart *via = physical ? NULL : h;
    uint64_t bad;
    if (f.format == 'i') {
        struct rv_disas_ctx dctx;
        rv_disas_ctx_init(&dctx);
        for (unsigned i = 0; i < f.count; i++) {
            uint8_t code[4];
            if (peek(b, via, addr, code, 2, &bad) < 0)
                return monitor_error(c, "cannot access memory at 0x%" PRIx64, bad);
            unsigned want = (code[0] & 3) == 3 ? 4 : 2;
            if (want == 4 && peek(b, via, addr + 2, code + 2, 2, &bad) < 0)
                return monitor_error(c, "cannot access memory at 0x%" PRIx64, bad);
            char line[320];
            unsigned used = rv_disas_line(line, sizeof line, addr, code, want, &dctx);
            monitor_printf(c, "%s\n", line);
            addr += used ? used : 2;
        }
        return 0;
    }
    unsigned per_line = (f.size == 1 ? 8 : 16) / f.size;
    for (unsigned i = 0; i < f.count; i++) {
        uint8_t v[8] = { 0 };
        uint64_t a = addr + (uint64_t)i * f.size;
        if (peek(b, via, a, v, f.size, &bad) < 0) {
            if (i)
                monitor_printf(c, "\n");
            return monitor_error(c, "cannot access memory at 0x%" PRIx64, bad);
        }
        if (i % per_line == 0)
            monitor_printf(c, "%s%016" PRIx64 ":", i ? "\n" : "", a);
        uint64_t x = 0;
        for (unsigned k = 0; k < f.size; k++)
            x |= (uint64_t)v[k] << (8 * k);
        unsigned bits = f.size * 8;
        int64_t sx = bits == 64 ? (int64_t)x : (int64_t)(x << (64 - bits)) >> (64 - bits);
        switch (f.format) {
        case 'x':
            monitor_printf(c, " 0x%0*" PRIx64, (int)(f.size * 2), x);
            break;
        case 'o':
            monitor_printf(c, " 0%" PRIo64, x);
            break;
        case 'd':
            monitor_printf(c, " %" PRId64, sx);
            break;
        case 'u':
            monitor_printf(c, " %" PRIu64, x);
            break;
        case 'c': {
            uint8_t ch = (uint8_t)x;
            if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '\'')
                monitor_printf(c, " '%c'", ch);
            else
                monitor_printf(c, " '\\x%02x'", ch);
            break;
        }
        }
    }
    monitor_printf(c, "\n");
    return 0;
}

static int do_x(struct monitor_call *c, int argc, char **argv) { return dump(c, argc, argv, false); }
static int do_xp(struct monitor_call *c, int argc, char **argv) { return dump(c, argc, argv, true); }
MONITOR_COMMAND(x) = {
    .name = "x", .args = "/FMT ADDR", .min_args = 1, .max_args = 1, .takes_fmt = true,
    .help = "memory at virtual ADDR (current hart): FMT = count, format x d u o c i, size b h w g",
    .run = do_x,
};
MONITOR_COMMAND(xp) = {
    .name = "xp", .args = "/FMT ADDR", .min_args = 1, .max_args = 1, .takes_fmt = true,
    .help = "memory at physical ADDR, as x", .run = do_xp,
};

static int do_screendump(struct monitor_call *c, int argc, char **argv)
{
    (void)argc;
    struct display_host *d = monitor_display(c->mon);
    if (!d)
        return monitor_error(c, "no display to dump (add -device virtio-gpu-device)");
    char err[256];
    if (display_host_screendump(d, argv[0], err, sizeof err) < 0)
        return monitor_error(c, "%s", err);
    return 0;
}
MONITOR_COMMAND(screendump) = {
    .name = "screendump", .args = "FILE", .min_args = 1, .max_args = 1,
    .help = "write the display to FILE (PNG)", .run = do_screendump,
};

/* ---- devices ---- */

static const char *const virtio_status_bits[8] = {
    "ACKNOWLEDGE", "DRIVER", "DRIVER_OK", "FEATURES_OK", "?4", "?5", "NEEDS_RESET", "FAILED",
};

static int do_info_virtio(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    const struct virtio_dev *v[64];
    unsigned n = devices_virtio_list(virt_devices(c->m), v, 64);
    if (!n)
        monitor_printf(c, "no virtio devices\n");
    for (unsigned i = 0; i < n; i++) {
        char st[128] = "";
        size_t k = 0;
        for (unsigned b = 0; b < 8; b++)
            if (v[i]->status & (1u << b))
                k += (size_t)snprintf(st + k, sizeof st - k, "%s%s", k ? " " : "", virtio_status_bits[b]);
        monitor_printf(c, "%s: device id %u, status 0x%02x (%s)%s, features 0x%016" PRIx64 "\n", v[i]->label,
                       v[i]->device_id, v[i]->status, k ? st : "reset", v[i]->legacy ? ", legacy" : "",
                       v[i]->features);
        for (unsigned q = 0; q < v[i]->nqueues; q++) {
            const struct virtq *vq = &v[i]->vq[q];
            if (!vq->ready)
                continue;
            monitor_printf(c, "  queue %u: size %u, desc 0x%" PRIx64 " avail 0x%" PRIx64 " used 0x%" PRIx64
                              ", last_avail %u, used_idx %u\n",
                           q, vq->num, vq->desc, vq->avail, vq->used, vq->last_avail, vq->used_idx);
        }
    }
    return 0;
}
MONITOR_COMMAND(info_virtio) = {
    .name = "info virtio", .help = "the virtio devices: status, features, live queues", .run = do_info_virtio,
};

static int do_info_pci(struct monitor_call *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    struct pci_host *host = virt_pci(c->m);
    if (!host)
        return monitor_error(c, "no PCI host bridge");
    for (unsigned slot = 0; slot < 32; slot++) {
        for (unsigned fn = 0; fn < 8; fn++) {
            struct pci_dev *d = pci_host_dev(host, 0, slot, fn);
            if (!d)
                continue;
            uint32_t class = pci_cfg_get(d, 0x08, 4) >> 8;
            monitor_printf(c, "  Bus  0, device %2u, function %u:\n", slot, fn);
            monitor_printf(c, "    class %04x: PCI device %04x:%04x\n", class >> 8, pci_cfg_get(d, 0x00, 2),
                           pci_cfg_get(d, 0x02, 2));
            unsigned pin = pci_cfg_get(d, 0x3d, 1);
            if (pin)
                monitor_printf(c, "      IRQ pin %c (host INT%c)%s\n", 'A' + pin - 1, 'A' + d->intx_line,
                               d->intx_asserted ? ", asserted" : "");
            for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
                const struct pci_bar *bar = &d->bar[b];
                if (!bar->size)
                    continue;
                const char *kind = bar->flags & PCI_BAR_IO ? "I/O" : bar->flags & PCI_BAR_MEM64 ? "64 bit memory" : "32 bit memory";
                if (bar->mapped)
                    monitor_printf(c, "      BAR%u: %s at 0x%" PRIx64 " [0x%" PRIx64 "].\n", b, kind, bar->addr,
                                   bar->addr + bar->size - 1);
                else
                    monitor_printf(c, "      BAR%u: %s, size 0x%" PRIx64 ", not mapped\n", b, kind, bar->size);
            }
            monitor_printf(c, "      id \"%s\"\n", d->name);
        }
    }
    return 0;
}
MONITOR_COMMAND(info_pci) = {
    .name = "info pci", .help = "the PCI functions: class, ids, interrupt pin, BARs", .run = do_info_pci,
};
