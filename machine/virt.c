/* machine/virt.c: the `virt` board: QEMU virt's memory map, boot flow and
 * the run loop that drives harts, virtual time and host input.
 *
 *   0x00001000  reset ROM (jumps to firmware or kernel)
 *   0x00100000  SiFive test finisher      0x00101000  goldfish RTC (irq 11)
 *   0x02000000  CLINT                     0x0c000000  PLIC, or with aia= the APLIC's
 *   0x0d000000  APLIC S domain (aia=)      M domain (docs/aia.md)
 *   0x24000000  IMSIC M files (aia=aplic-imsic)   0x28000000  IMSIC S files
 *   0x10000000  16550A UART (irq 10)      0x10001000+ virtio-mmio slots (irq 1-8)
 *   0x03000000  PCIe I/O window           0x30000000  PCIe ECAM (INTA-D: irq 32-35)
 *   0x40000000  PCIe MMIO window          16 GiB above RAM: PCIe MMIO64 window
 *   0x80000000  RAM
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bus/bus.h"
#include "bus/util.h"
#include "cpu/riscv/disas.h"
#include "cpu/riscv/ext.h"
#include "cpu/riscv/hart.h"
#include "bus/device.h"
#include "cpu/riscv/aia.h"
#include "machine/aplic.h"
#include "machine/board.h"
#include "machine/clint.h"
#include "machine/clock.h"
#include "machine/devices.h"
#include "machine/fdt_virt.h"
#include "machine/goldfish_rtc.h"
#include "machine/imsic.h"
#include "machine/loader.h"
#include "machine/pci_virt.h"
#include "machine/plic.h"
#include "machine/reverse.h"
#include "machine/rr.h"
#include "machine/sifive_test.h"
#include "machine/snapshot.h"
#include "machine/uart16550.h"
#include "machine/virt.h"
#include "virtio/blk.h"

#define ROM_BASE 0x1000ull
#define ROM_SIZE 0x1000ull
#define ROM_FW_DYN_OFF 64
#define KERNEL_OFFSET 0x200000ull  /* kernel after the firmware, as QEMU */
#define SLICE_INSNS 100000ull      /* one round-robin slice: 1 ms of virtual time */
#define VIRTIO_MMIO_SLOTS VIRT_VIRTIO_MMIO_SLOTS

struct virt {
    const struct virt_config *cfg;
    struct bus bus;
    uint8_t *ram, *rom;
    struct vclock clock;
    struct rv_tcache *tc;
    struct rv_hart *harts;
    unsigned nharts;
    struct rv_hart *running;
    struct clint *clint;
    struct plic *plic;
    struct aplic *aplic;    /* aia=aplic[-imsic], instead of the PLIC */
    struct imsic *imsic;    /* aia=aplic-imsic */
    struct uart16550 *uart;
    struct sifive_test *test;
    struct goldfish_rtc *rtc;
    struct devices *devs;
    struct pci_host *pci;
    void *rowdev[16];       /* what each board row made (virt_rows) */
    uint64_t tohost, fromhost, tohost_seen;
    bool stop, reset;
    bool poweroff;          /* the guest powered off (finisher, HTIF exit) */
    bool paused;            /* the monitor's stop: no hart runs, time stands still */
    bool shutdown;          /* -no-shutdown: powered off, stopped until a reset */
    bool start_paused;      /* -S with a monitor: stopped before the first instruction */
    bool host_reset;        /* system_reset (not the guest) reset it */
    int exit_code;
    uint8_t out[4096];
    size_t outlen;
    uint8_t in[64];
    size_t in_len, in_pos;
    bool quit;
    uint64_t insns;
    /* time from the host (realtime runs, -rtc clock=host|rt); see time_input */
    struct vclock_ctl ctl;
    bool read_wall;         /* read the host clock after each round */
    bool idle_anchored;     /* this idle period's wall mapping is set */
    uint64_t rtc_host0;     /* the RTC's host clock at the start */
    uint64_t rtc_checked;   /* host ns of the last RTC adjustment check */
    int64_t rtc_adjust;
    /* time steps: the moments (instruction count, host reading) at which
     * time_input() was called; steps are VCLOCK_CTL_PERIOD_NS of host time
     * apart at least (time_step_open) */
    uint64_t time_steps;
    uint64_t step_icount, step_wall;
    struct snapshot_hash_cache hash_cache; /* the state hash's page hashes */
    /* reverse execution (machine/reverse.h, section "reverse execution") */
    struct reverse *rev;
    bool replaying;         /* re-executing history: output dropped, no input */
    uint8_t *keep_ram;      /* machine_create: use this RAM (a reverse restore) */
    uint64_t slice_g0;      /* position where the running slice started */
    bool in_idle;           /* time_input from idle() (the log tells the two sites apart) */
    /* record/replay (machine/rr.h): the position is pos0 (where this
     * machine started: after a reset, where the last one stopped) + the
     * instructions retired + rr_steps, the run-loop steps that change the
     * machine without an instruction (time inputs, idle jumps) */
    uint64_t pos0, rr_steps;
    uint64_t insns0;        /* instructions retired by the machines before this one */
    bool rr_stopped;        /* a replay diverged: exit 1, no final hash */
};

uint64_t virt_rr_position(const struct virt *m)
{
    return m->pos0 + m->insns + m->rr_steps + (m->running ? rv_hart_progress(m->running) : 0);
}

/* The state hash of checkpoints and of the end: the one place to switch
 * to an incremental hash. */
static uint64_t rr_state_hash(struct virt *m)
{
    return virt_state_hash(m);
}

/* Zkr seed CSR entropy through the log (rr.h). */
static size_t seed_fill(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    ssize_t n = getrandom(buf, len, GRND_NONBLOCK);
    return n > 0 ? (size_t)n : 0;
}

static bool hart_entropy(void *ctx, uint16_t *out)
{
    struct virt *m = ctx;
    uint8_t b[2];
    if (rr_entropy(m->cfg->rr, "seed", b, 2, seed_fill, NULL) != 2)
        return false;
    *out = (uint16_t)(b[0] | b[1] << 8);
    return true;
}

static void out_flush(struct virt *m)
{
    if (m->replaying) {
        m->outlen = 0; /* printed when this part of history first ran */
        return;
    }
    if (m->outlen && m->cfg->host.serial_write)
        m->cfg->host.serial_write(m->cfg->host.ctx, m->out, m->outlen);
    m->outlen = 0;
}

static void out_byte(void *ctx, uint8_t byte)
{
    struct virt *m = ctx;
    if (m->outlen == sizeof m->out)
        out_flush(m);
    m->out[m->outlen++] = byte;
}

static uint64_t progress(void *ctx)
{
    struct virt *m = ctx;
    return m->running ? rv_hart_progress(m->running) : 0;
}

static uint64_t hart_time(void *ctx)
{
    return vclock_now(ctx);
}

/* A software interrupt (IPI) for hart n: the sender usually waits for the
 * answer, so end its slice and let the receiver run. Deterministic: it
 * depends only on what the guest does. */
static void msip_set(void *ctx, unsigned n, bool level)
{
    struct virt *m = ctx;
    rv_hart_set_irq(&m->harts[n], RV_IRQ_MSI, level);
    if (level && m->running && m->running != &m->harts[n])
        rv_hart_yield(m->running);
}

static void stop_all(struct virt *m)
{
    m->stop = true;
    for (unsigned i = 0; i < m->nharts; i++)
        rv_hart_request_stop(&m->harts[i]);
}

static void finisher(void *ctx, enum finisher_action a, int code)
{
    struct virt *m = ctx;
    if (a == FINISHER_RESET)
        m->reset = true;
    else
        m->poweroff = true;
    m->exit_code = a == FINISHER_FAIL ? code : 0;
    stop_all(m);
}

/* ---- the board table ---- */

/* Board-side creation of each row: the wiring (interrupt lines, clock,
 * callbacks) is the board's; the device types come from their files. */
static void *make_clint(struct virt *m, const struct board_row *r)
{
    struct irq_line msip[VIRT_MAX_HARTS], mtip[VIRT_MAX_HARTS];
    for (unsigned i = 0; i < m->nharts; i++) {
        msip[i] = (struct irq_line){ msip_set, m, i };
        mtip[i] = (struct irq_line){ rv_hart_set_irq, &m->harts[i], RV_IRQ_MTI };
    }
    return m->clint = clint_new(&m->clock, m->nharts, msip, mtip);
}

static void *make_plic(struct virt *m, const struct board_row *r)
{
    struct irq_line meip[VIRT_MAX_HARTS], seip[VIRT_MAX_HARTS];
    for (unsigned i = 0; i < m->nharts; i++) {
        meip[i] = (struct irq_line){ rv_hart_set_irq, &m->harts[i], RV_IRQ_MEI };
        seip[i] = (struct irq_line){ rv_hart_set_irq, &m->harts[i], RV_IRQ_SEI };
    }
    return m->plic = plic_new(m->nharts, meip, seip);
}

/* An external interrupt line of hart n / 16 (mip bit n % 16) from an
 * IMSIC file or an APLIC IDC: as for an IPI, the hart that sent the MSI
 * ends its slice so that the receiver answers soon. */
static void eip_set(void *ctx, unsigned n, bool level)
{
    struct virt *m = ctx;
    rv_hart_set_irq(&m->harts[n / 16], n % 16, level);
    if (level && m->running && m->running != &m->harts[n / 16])
        rv_hart_yield(m->running);
}

static void eip_lines(struct virt *m, struct irq_line *meip, struct irq_line *seip)
{
    for (unsigned i = 0; i < m->nharts; i++) {
        meip[i] = (struct irq_line){ eip_set, m, 16 * i + RV_IRQ_MEI };
        seip[i] = (struct irq_line){ eip_set, m, 16 * i + RV_IRQ_SEI };
    }
}

#define VIRT_IMSIC_M 0x24000000ull
#define VIRT_IMSIC_S 0x28000000ull

/* The APLIC (both rows share it): direct delivery to the harts' lines, or
 * MSIs to the IMSIC files. */
static struct aplic *get_aplic(struct virt *m)
{
    if (!m->aplic) {
        struct irq_line meip[VIRT_MAX_HARTS], seip[VIRT_MAX_HARTS];
        eip_lines(m, meip, seip);
        m->aplic = aplic_new(m->nharts, m->cfg->aia == VIRT_AIA_APLIC_IMSIC, meip, seip, &m->bus,
                             VIRT_IMSIC_M, VIRT_IMSIC_S);
    }
    return m->aplic;
}

static void *make_aplic(struct virt *m, const struct board_row *r)
{
    return aplic_domain(get_aplic(m), r->base == 0xc000000 ? 0 : 1);
}

static struct imsic *get_imsic(struct virt *m)
{
    if (!m->imsic) {
        struct irq_line meip[VIRT_MAX_HARTS], seip[VIRT_MAX_HARTS];
        eip_lines(m, meip, seip);
        m->imsic = imsic_new(m->nharts, meip, seip);
        for (unsigned i = 0; m->imsic && i < m->nharts; i++)
            rv_hart_set_imsic(&m->harts[i], &imsic_hart_ops, imsic_hart_ctx(m->imsic, i));
    }
    return m->imsic;
}

static void *make_imsic(struct virt *m, const struct board_row *r)
{
    return imsic_view(get_imsic(m), r->base == VIRT_IMSIC_M ? 0 : 1);
}

/* A wired interrupt source: a PLIC source, or an APLIC one with aia=. */
static struct irq_line plic_line(struct virt *m, unsigned irq)
{
    if (m->aplic)
        return (struct irq_line){ aplic_set_irq, m->aplic, irq };
    return (struct irq_line){ plic_set_irq, m->plic, irq };
}

static void *make_uart(struct virt *m, const struct board_row *r)
{
    return m->uart = uart16550_new(plic_line(m, r->irq), out_byte, m);
}

static void *make_test(struct virt *m, const struct board_row *r)
{
    return m->test = sifive_test_new(finisher, m);
}

static void *make_rtc(struct virt *m, const struct board_row *r)
{
    return m->rtc = goldfish_rtc_new(&m->clock, m->cfg->rtc_base_ns, plic_line(m, r->irq));
}

/* The PCIe host bridge (machine/pci_virt.h); -device ...-pci functions
 * plug into it. */
static void *make_pci(struct virt *m, const struct board_row *r)
{
    if (m->aplic)
        return m->pci = virt_pci_create_wired(&m->bus, aplic_set_irq, m->aplic, VIRT_RAM_BASE, m->cfg->ram_size);
    return m->pci = virt_pci_create(&m->bus, m->plic, VIRT_RAM_BASE, m->cfg->ram_size);
}

/* -device's devices: virtio-mmio slot n at base + n * size, PLIC source
 * irq + n, filled from the top (machine/devices.h); empty slots answer
 * device ID 0. After the PCI row: -pci functions plug into it. */
static void *make_virtio_mmio(struct virt *m, const struct board_row *r)
{
    struct irq_line irq[VIRT_VIRTIO_MMIO_SLOTS];
    for (unsigned i = 0; i < r->count; i++)
        irq[i] = plic_line(m, r->irq + i);
    m->devs = devices_create(m->cfg->devices, &m->bus, r->base, r->size, irq, r->count, m->pci);
    devices_set_clock(m->devs, &m->clock); /* -netdev timers run on virtual time */
    return m->devs;
}

static void free_pci(void *d) { pci_host_free(d); }
static void free_devices(void *d) { devices_free(d); }

struct virt_row {
    struct board_row row;
    void *(*make)(struct virt *, const struct board_row *);
    void (*free)(void *);   /* rows without a device type */
    bool first;             /* interrupt controllers: made before the rest */
    unsigned char aia;      /* 0: on every board; else the VIRT_AIA_* modes (bits) that have it */
    bool per_hart;          /* the row's size is per hart (IMSIC files) */
};
#define AIA_ONLY(mode) (1u << (mode))
#define AIA_ANY (AIA_ONLY(VIRT_AIA_APLIC) | AIA_ONLY(VIRT_AIA_APLIC_IMSIC))

/* QEMU virt's memory map, the one place it is written. Table order is the
 * device tree's order (QEMU's); rows marked first are created first. */
static const struct virt_row virt_rows[] = {
    { .row = { .name = "rtc", .base = 0x101000, .size = GOLDFISH_RTC_SIZE, .irq = 11,
               .type = &device_type_goldfish_rtc }, .make = make_rtc },
    { .row = { .name = "uart", .base = 0x10000000, .size = UART16550_SIZE, .irq = 10,
               .type = &device_type_uart16550 }, .make = make_uart },
    { .row = { .name = "test", .base = 0x100000, .size = SIFIVE_TEST_SIZE, .phandle = BOARD_PH_TEST,
               .type = &device_type_sifive_test }, .make = make_test },
    { .row = { .name = "pci", .base = VIRT_PCIE_ECAM, .size = VIRT_PCIE_ECAM_SIZE, .irq = VIRT_PCIE_IRQ,
               .fdt_node = virt_pci_fdt }, .make = make_pci, .free = free_pci },
    { .row = { .name = "virtio-mmio", .base = 0x10001000, .size = 0x1000, .irq = 1,
               .count = VIRT_VIRTIO_MMIO_SLOTS, .fdt_node = board_fdt_virtio_mmio },
      .make = make_virtio_mmio, .free = free_devices },
    { .row = { .name = "plic", .base = 0xc000000, .size = PLIC_SIZE, .phandle = BOARD_PH_PLIC,
               .type = &device_type_plic }, .make = make_plic, .first = true, .aia = AIA_ONLY(VIRT_AIA_NONE) },
    { .row = { .name = "aplic-s", .base = 0xd000000, .size = APLIC_SIZE, .phandle = BOARD_PH_APLIC_S,
               .type = &device_type_aplic_s }, .make = make_aplic, .first = true, .aia = AIA_ANY },
    { .row = { .name = "aplic-m", .base = 0xc000000, .size = APLIC_SIZE, .phandle = BOARD_PH_APLIC_M,
               .type = &device_type_aplic_m }, .make = make_aplic, .first = true, .aia = AIA_ANY },
    { .row = { .name = "imsic-s", .base = VIRT_IMSIC_S, .size = IMSIC_PAGE,
               .phandle = BOARD_PH_IMSIC_S, .type = &device_type_imsic_s }, .make = make_imsic, .first = true, .per_hart = true,
      .aia = AIA_ONLY(VIRT_AIA_APLIC_IMSIC) },
    { .row = { .name = "imsic-m", .base = VIRT_IMSIC_M, .size = IMSIC_PAGE,
               .phandle = BOARD_PH_IMSIC_M, .type = &device_type_imsic_m }, .make = make_imsic, .first = true, .per_hart = true,
      .aia = AIA_ONLY(VIRT_AIA_APLIC_IMSIC) },
    { .row = { .name = "clint", .base = 0x2000000, .size = CLINT_SIZE, .type = &device_type_clint },
      .make = make_clint, .first = true },
};
#define VIRT_ROWS (sizeof virt_rows / sizeof virt_rows[0])

const struct board_row *virt_board_rows(unsigned *n)
{
    static struct board_row rows[VIRT_ROWS];
    for (unsigned i = 0; i < VIRT_ROWS; i++) {
        rows[i] = virt_rows[i].row;
        const struct device_desc *t = rows[i].type;
        if (t && !rows[i].fdt_node)
            rows[i].fdt_node = t->fdt_node;
        if (t && !rows[i].fdt_root)
            rows[i].fdt_root = t->fdt_root;
    }
    *n = VIRT_ROWS;
    return rows;
}

static int build_devices(struct virt *m)
{
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < VIRT_ROWS; i++) {
            const struct virt_row *v = &virt_rows[i];
            if (v->first != (pass == 0) || (v->aia && !(v->aia & AIA_ONLY(m->cfg->aia))))
                continue;
            const struct board_row *r = &v->row;
            m->rowdev[i] = v->make(m, r);
            if (!m->rowdev[i])
                return r->type ? log_err("out of memory creating the %s", r->name) : -1;
            uint64_t size = v->per_hart ? r->size * m->nharts : r->size;
            if (r->type && bus_map(&m->bus, r->base, size, r->name, r->type->ops, m->rowdev[i]) < 0)
                return log_err("internal error: %s overlaps the device map", r->name);
        }
    return 0;
}

/* The reverse of build_devices: the interrupt controllers last, because
 * a device may still lower its line while it goes (a PCI function with
 * INTx asserted does, through the host bridge into the PLIC). */
static void free_devices_of(struct virt *m)
{
    for (unsigned k = 2 * VIRT_ROWS; k-- > 0;) {
        unsigned i = k % VIRT_ROWS;
        const struct virt_row *v = &virt_rows[i];
        if (!m->rowdev[i] || v->first != (k < VIRT_ROWS))
            continue;
        if (v->row.type) {
            bus_unmap(&m->bus, v->row.base);
            v->row.type->free(m->rowdev[i]);
        } else {
            v->free(m->rowdev[i]);
        }
        m->rowdev[i] = NULL;
    }
}

/* Load an ELF, uImage, (gzip-compressed) Linux Image or raw binary
 * (machine/loader.h). */
static int load_program(struct virt *m, const char *path, uint64_t raw_addr, bool linux_image,
                        uint64_t floor, uint64_t *entry, uint64_t *end)
{
    char err[256];
    struct loaded_program lp;
    if (loader_program(&m->bus, path, raw_addr, linux_image, floor, &lp, err, sizeof err) < 0)
        return log_err("%s %s", linux_image ? "-kernel" : "-bios", err);
    *entry = lp.entry;
    *end = lp.end;
    if (lp.tohost) {
        m->tohost = lp.tohost;
        m->fromhost = lp.fromhost;
    }
    return 0;
}

static int boot_setup(struct virt *m, uint64_t *start)
{
    const struct virt_config *c = m->cfg;
    uint64_t ram_end = VIRT_RAM_BASE + c->ram_size;
    uint64_t kernel_entry = 0, kernel_end = VIRT_RAM_BASE, fw_entry = 0, fw_end = VIRT_RAM_BASE;
    if (c->bios) {
        if (load_program(m, c->bios, VIRT_RAM_BASE, false, VIRT_RAM_BASE, &fw_entry, &fw_end) < 0)
            return -1;
    }
    if (c->kernel) {
        uint64_t addr = c->bios ? VIRT_RAM_BASE + KERNEL_OFFSET : VIRT_RAM_BASE;
        if (c->bios && fw_end > addr)
            addr = (fw_end + KERNEL_OFFSET - 1) & ~(KERNEL_OFFSET - 1);
        if (load_program(m, c->kernel, addr, true, fw_end, &kernel_entry, &kernel_end) < 0)
            return -1;
    } else if (!c->bios) {
        return log_err("%s", "no -kernel given and -bios none: nothing to run");
    } else if (!c->dumpdtb && loader_bios_needs_kernel(c->bios)) {
        return log_err("no -kernel given: the firmware '%s' (OpenSBI without a payload) has nothing to boot", c->bios);
    }

    uint64_t initrd_start = 0, initrd_end = 0;
    char err[256];
    if (c->initrd && loader_initrd(&m->bus, c->initrd, kernel_end, &initrd_start, &initrd_end, err, sizeof err) < 0)
        return log_err("-initrd %s", err);

    /* Device tree */
    uint8_t *dtb = NULL;
    size_t dtb_len = 0;
    if (c->dtb) {
        if (loader_dtb(c->dtb, c->append, initrd_start, initrd_end, &dtb, &dtb_len, err, sizeof err) < 0)
            return log_err("-dtb %s", err);
    } else {
        unsigned nrows;
        uint64_t ext = rv_tcache_ext(m->tc);
        char isa[512], isa_ext[1024];
        rv_ext_isa_string(ext, isa, sizeof isa);
        size_t isa_ext_len = rv_ext_list(ext, isa_ext, sizeof isa_ext);
        const struct device_desc *bus_devs[16];
        struct virt_fdt_config fc = {
            .nharts = m->nharts, .ram_base = VIRT_RAM_BASE, .ram_size = c->ram_size,
            .isa = isa, .isa_base = "rv64i", .isa_ext = isa_ext, .isa_ext_len = isa_ext_len,
            .cbom_block_size = RV_EXT_HAS(ext, ZICBOM) ? 64 : 0,
            .cboz_block_size = RV_EXT_HAS(ext, ZICBOZ) ? 64 : 0,
            .pmu = RV_EXT_HAS(ext, ZIHPM),
            .mmu_type = "riscv,sv57", .timebase = (uint32_t)VCLOCK_HZ,
            .bootargs = c->append, .initrd_start = initrd_start, .initrd_end = initrd_end,
            .uart = true, .rtc = true, .test = true, .clint = true, .plic = c->aia == VIRT_AIA_NONE,
            .aia = c->aia,
            .plic_ndev = PLIC_NDEV, .virtio_mmio_count = VIRTIO_MMIO_SLOTS, .pci = true,
            .rows = virt_board_rows(&nrows), .nrows = nrows,
            .bus_devices = bus_devs, .nbus_devices = devices_bus_nodes(m->devs, bus_devs, 16),
        };
        dtb_len = 64 * 1024;
        dtb = malloc(dtb_len);
        int n = dtb ? virt_fdt_build(&fc, dtb, dtb_len) : -1;
        if (n < 0) {
            free(dtb);
            return log_err("%s", "internal error: cannot build the device tree");
        }
        dtb_len = (size_t)n;
    }
    if (c->dumpdtb) {
        FILE *f = fopen(c->dumpdtb, "wb");
        if (!f || fwrite(dtb, 1, dtb_len, f) != dtb_len || fclose(f) != 0) {
            free(dtb);
            return log_err("cannot write '%s'", c->dumpdtb);
        }
        free(dtb);
        m->stop = true;
        return 0;
    }
    uint64_t fdt_addr = loader_fdt_addr(VIRT_RAM_BASE, c->ram_size, dtb_len);
    if (!fdt_addr || fdt_addr < kernel_end || (initrd_end && fdt_addr < initrd_end) ||
        bus_dma_write(&m->bus, fdt_addr, dtb, dtb_len) < 0) {
        free(dtb);
        return log_err("%s", "the device tree does not fit in RAM above the kernel");
    }
    free(dtb);
    (void)ram_end;

    uint64_t fw_dyn = ROM_BASE + ROM_FW_DYN_OFF;
    if (c->bios) {
        *start = fw_entry;
        loader_fw_dynamic_info(&m->bus, fw_dyn, kernel_entry ? kernel_entry : 0, FW_DYNAMIC_NEXT_MODE_S, 0);
    } else {
        *start = kernel_entry;
        fw_dyn = 0;
    }
    loader_reset_rom(m->rom, ROM_SIZE, *start, fdt_addr, fw_dyn);
    return 0;
}

static void machine_free(struct virt *m)
{
    /* devices first: one going away may still lower an interrupt line into
     * the PLIC and from there into a hart (fuzz_mmio: a PCI function with
     * INTx asserted, after the harts had been freed) */
    free_devices_of(m);
    if (m->harts)
        for (unsigned i = 0; i < m->nharts; i++)
            rv_hart_destroy(&m->harts[i]);
    free(m->harts);
    rv_tcache_free(m->tc);
    bus_free(&m->bus);
    snapshot_hash_cache_free(&m->hash_cache);
    free(m->ram);
    free(m->rom);
}

/* RAM, ROM, harts and every row's device; nothing loaded. */
static int machine_create(struct virt *m)
{
    const struct virt_config *c = m->cfg;
    bus_init(&m->bus);
    vclock_init(&m->clock);
    m->clock.progress = progress;
    m->clock.progress_ctx = m;
    m->nharts = c->smp;
    m->ram = m->keep_ram ? m->keep_ram : calloc(1, c->ram_size);
    m->keep_ram = NULL;
    m->rom = calloc(1, ROM_SIZE);
    if (!m->ram || !m->rom)
        return log_err("cannot allocate %s of guest RAM", "the requested amount");
    if (bus_map_ram(&m->bus, VIRT_RAM_BASE, c->ram_size, "ram", m->ram) ||
        bus_map_ram(&m->bus, ROM_BASE, ROM_SIZE, "rom", m->rom))
        return log_err("%s", "internal error: RAM map");
    m->tc = rv_tcache_new(&m->bus);
    m->harts = calloc(m->nharts, sizeof *m->harts);
    if (!m->tc || !m->harts)
        return log_err("%s", "out of memory");
    uint64_t ext = c->cpu_ext ? c->cpu_ext : rv_tcache_ext(m->tc);
    if (c->aia == VIRT_AIA_APLIC_IMSIC) /* the harts have the IMSIC's CSRs: -cpu cannot take them away */
        ext |= RV_EXT_BIT(SMAIA) | RV_EXT_BIT(SSAIA);
    rv_tcache_set_ext(m->tc, ext);
    for (unsigned i = 0; i < m->nharts; i++) {
        if (rv_hart_init(&m->harts[i], &m->bus, m->tc, i) < 0)
            return log_err("%s", "out of memory");
        m->harts[i].time = hart_time;
        m->harts[i].time_ctx = &m->clock;
        m->harts[i].timebase_hz = VCLOCK_HZ;
        m->harts[i].other_harts = m->nharts > 1;
        if (c->rr) {
            m->harts[i].entropy = hart_entropy;
            m->harts[i].entropy_ctx = m;
        }
    }
    rr_attach(c->rr, m);
    return build_devices(m);
}

static int machine_build(struct virt *m)
{
    if (machine_create(m) < 0)
        return -1;
    uint64_t start;
    if (boot_setup(m, &start) < 0)
        return -1;
    for (unsigned i = 0; i < m->nharts; i++)
        rv_hart_reset(&m->harts[i], ROM_BASE);
    return 0;
}

/* HTIF: act on a completed tohost value (seen unchanged twice). */
static void poll_htif(struct virt *m)
{
    if (!m->tohost)
        return;
    uint64_t *to = bus_dma(&m->bus, m->tohost, 8);
    if (!to)
        return;
    uint64_t v = *to;
    if (v == 0 || v != m->tohost_seen) {
        m->tohost_seen = v;
        return;
    }
    m->tohost_seen = 0;
    unsigned dev = v >> 56, cmd = (v >> 48) & 0xff;
    if (dev == 0 && cmd == 0 && (v & 1)) {
        uint64_t code = (v & 0xffffffffffffull) >> 1;
        m->exit_code = code == 0 ? 0 : (code & 0xff) ? (int)(code & 0xff) : 1;
        m->poweroff = true;
        stop_all(m);
        return;
    }
    if (dev == 1 && cmd == 1)
        out_byte(m, (uint8_t)v);
    *to = 0;
    if (m->fromhost) {
        uint64_t *from = bus_dma_w(&m->bus, m->fromhost, 8);
        if (from)
            *from = (uint64_t)dev << 56 | (uint64_t)cmd << 48;
    }
}

/* The one place where host input enters the machine. */
static void host_quit(struct virt *m)
{
    rr_log_input(m->cfg->rr, "quit", NULL, 0);
    m->quit = true;
    stop_all(m);
}

/* A replay: the recording's quit (Ctrl-A x, a window closed ...) here. */
static void replay_quit(struct virt *m)
{
    if (rr_take(m->cfg->rr, RR_INPUT, "quit")) {
        m->quit = true;
        stop_all(m);
    }
}

static void poll_host(struct virt *m)
{
    const struct host_io *io = &m->cfg->host;
    struct rr *rr = m->cfg->rr;
    bool feed = rr_feeding(rr); /* a replay reads nothing from the host */
    if (m->in_pos == m->in_len && feed) {
        const struct rr_event *e = rr_take(rr, RR_INPUT, "serial");
        m->in_pos = 0;
        m->in_len = e ? (e->len < sizeof m->in ? e->len : sizeof m->in) : 0;
        if (e)
            memcpy(m->in, e->data, m->in_len);
        replay_quit(m);
    } else if (m->in_pos == m->in_len && io->serial_read) {
        bool quit = false;
        m->in_len = io->serial_read(io->ctx, m->in, sizeof m->in, &quit);
        m->in_pos = 0;
        if (m->in_len)
            rr_log_input(rr, "serial", m->in, m->in_len);
        if (quit)
            host_quit(m);
    }
    if (m->paused)
        return; /* stopped: typed bytes wait in m->in, devices see nothing */
    if (m->in_pos < m->in_len) {
        size_t took = uart16550_receive(m->uart, m->in + m->in_pos, m->in_len - m->in_pos);
        m->in_pos += took;
        if (took)
            reverse_changed(m->rev); /* not in any log: history starts over */
    }
    if (feed ? rr_take(rr, RR_INPUT, "break") != NULL : io->serial_break && io->serial_break(io->ctx)) {
        rr_log_input(rr, "break", NULL, 0);
        uart16550_break(m->uart);
        reverse_changed(m->rev);
    }
    if (devices_poll(m->devs) && !feed)
        host_quit(m);
    if (feed)
        replay_quit(m);
}

static uint64_t next_deadline(const struct virt *m)
{
    uint64_t d = vclock_next_deadline(&m->clock);
    for (unsigned i = 0; i < m->nharts; i++) {
        uint64_t h = rv_hart_next_deadline(&m->harts[i]);
        if (h < d)
            d = h;
    }
    return d;
}

/* ---- time ----
 *
 * Guest time is the instruction count at the clock's rate (machine/clock.h).
 * Everything the host's clock does to it goes through time_input(), between
 * rounds, stamped by the instruction count m->clock.icount: in realtime
 * runs the controller's rate changes and jumps (at most one per
 * VCLOCK_CTL_PERIOD_NS of host time while the guest runs), the catch-up
 * when an idle wait ends before the next deadline (host input, or the wait's
 * cap), and the RTC's offset under -rtc clock=host|rt. A record/replay log
 * holds exactly these calls; jumps to a timer deadline when every hart
 * waits depend on guest state alone and are not inputs.
 *
 * A stopped machine's time stands still: time_pause()/time_resume() take
 * the host time in between out of the wall mapping (for a debugger's or the
 * monitor's stop: the gdbstub's stops use them). */
enum time_kind {
    TIME_RATE,      /* value: fs per instruction from now on */
    TIME_JUMP,      /* value: ticks to jump forward to */
    TIME_RTC,       /* value: the RTC's host adjustment in ns (int64) */
};

/* Is (this instruction count, this host reading) the step made last? */
static bool in_last_step(const struct virt *m, uint64_t wall)
{
    return m->time_steps && m->step_icount == m->clock.icount && m->step_wall == wall;
}

static const char *const time_names[2][3] = {
    { "rate", "jump", "rtc" },                 /* after a round */
    { "idle-rate", "idle-jump", "idle-rtc" },  /* in idle() */
};

static void time_apply(struct virt *m, enum time_kind kind, uint64_t value)
{
    switch (kind) {
    case TIME_RATE:
        vclock_set_rate(&m->clock, value, false);
        break;
    case TIME_JUMP:
        vclock_advance(&m->clock, value);
        break;
    case TIME_RTC:
        goldfish_rtc_set_adjust(m->rtc, (int64_t)value);
        break;
    }
    m->rr_steps++;
}

/* A replay: the time inputs the recording made here (in the order
 * time_after_round / idle make them). True if there was one. */
static bool time_replay(struct virt *m, bool idle)
{
    bool any = false;
    static const enum time_kind order[] = { TIME_JUMP, TIME_RATE, TIME_RTC };
    for (unsigned i = 0; i < 3; i++) {
        const struct rr_event *e = rr_take(m->cfg->rr, RR_TIME, time_names[idle][order[i]]);
        if (e) {
            time_apply(m, order[i], e->value);
            any = true;
        }
    }
    return any;
}

static void time_input(struct virt *m, enum time_kind kind, uint64_t value, uint64_t wall)
{
    rr_log_time(m->cfg->rr, time_names[m->in_idle][kind], value);
    if (!in_last_step(m, wall)) {
        m->time_steps++;
        m->step_icount = m->clock.icount;
        m->step_wall = wall;
    }
    time_apply(m, kind, value);
}

/* May time_input() be called now? Yes at the first step, within the step
 * being made, or a period after the last step: host time enters at most 10
 * times a second, whatever the host does. */
static bool time_step_open(const struct virt *m, uint64_t wall)
{
    return !m->time_steps || in_last_step(m, wall) || wall - m->step_wall >= VCLOCK_CTL_PERIOD_NS;
}

static uint64_t wall_now(const struct virt *m)
{
    const struct host_io *io = &m->cfg->host;
    return io->monotonic_ns ? io->monotonic_ns(io->ctx) : 0;
}

static uint64_t rtc_host_clock(const struct virt *m)
{
    const struct host_io *io = &m->cfg->host;
    if (m->cfg->rtc_clock == VIRT_RTC_HOST && io->realtime_ns)
        return io->realtime_ns(io->ctx);
    return wall_now(m);
}

static bool auto_rate(const struct virt *m)
{
    return m->cfg->icount_shift == VIRT_SHIFT_AUTO;
}

static void time_start(struct virt *m)
{
    const struct virt_config *c = m->cfg;
    if (c->icount_shift >= 0)
        vclock_set_rate(&m->clock, (1ull << c->icount_shift) * VCLOCK_FS_PER_NS, false);
    else if (auto_rate(m))
        vclock_set_rate(&m->clock, VCLOCK_CTL_INITIAL_FS_PER_INSN, false);
    else
        vclock_set_rate(&m->clock, VCLOCK_BATCH_FS_PER_INSN, true); /* (a -loadvm clock may have another) */
    m->read_wall = c->host.monotonic_ns && (auto_rate(m) || c->icount_align || c->rtc_clock != VIRT_RTC_VM);
    if (rr_feeding(c->rr))
        m->read_wall = false; /* a replay's time inputs come from the log */
    else if (c->host.monotonic_ns && (c->icount_sleep || m->read_wall)) {
        uint64_t wall = wall_now(m);
        vclock_ctl_init(&m->ctl, wall, 0, 0);
        m->rtc_checked = wall;
        if (c->rtc_clock != VIRT_RTC_VM)
            m->rtc_host0 = rtc_host_clock(m);
    }
}

/* Stop/start guest time with the machine (see above). */
static void time_pause(struct virt *m)
{
    if (m->cfg->host.monotonic_ns && !rr_feeding(m->cfg->rr))
        vclock_ctl_pause(&m->ctl, wall_now(m));
}

static void time_resume(struct virt *m)
{
    if (m->cfg->host.monotonic_ns && !rr_feeding(m->cfg->rr))
        vclock_ctl_resume(&m->ctl, wall_now(m), m->clock.icount);
}

/* -rtc clock=host|rt: keep the RTC on that host clock, checked at most every
 * controller period and adjusted when it is 10 ms off. */
static void rtc_follow(struct virt *m, uint64_t wall)
{
    if (m->cfg->rtc_clock == VIRT_RTC_VM || wall - m->rtc_checked < VCLOCK_CTL_PERIOD_NS ||
        !time_step_open(m, wall))
        return;
    m->rtc_checked = wall;
    int64_t want = (int64_t)(rtc_host_clock(m) - m->rtc_host0) - (int64_t)vclock_now_ns(&m->clock);
    int64_t d = want - m->rtc_adjust;
    if (d > 10000000 || d < -10000000) {
        m->rtc_adjust = want;
        time_input(m, TIME_RTC, (uint64_t)want, wall);
    }
}

/* The host waits up to `us` (or until host input); counted as idle time. */
static void host_wait(struct virt *m, uint64_t us)
{
    const struct host_io *io = &m->cfg->host;
    if (!io->wait)
        return;
    uint64_t t0 = wall_now(m);
    io->wait(io->ctx, us);
    vclock_ctl_waited(&m->ctl, wall_now(m) - t0);
}

/* After a round that ran guest code. */
static void time_after_round(struct virt *m)
{
    m->idle_anchored = false;
    if (rr_feeding(m->cfg->rr)) {
        time_replay(m, false);
        return;
    }
    if (!m->read_wall)
        return;
    uint64_t wall = wall_now(m);
    if (auto_rate(m) && time_step_open(m, wall)) {
        struct vclock_adjust a;
        if (vclock_ctl_update(&m->ctl, wall, vclock_now_ns(&m->clock), m->clock.icount, &a)) {
            if (a.jump_ns)
                time_input(m, TIME_JUMP, a.jump_ns / VCLOCK_NS_PER_TICK, wall);
            time_input(m, TIME_RATE, a.fs_per_insn, wall);
        }
    } else if (m->cfg->icount_align) {
        /* a fixed-rate guest ahead of the wall waits for it, even running */
        uint64_t now = vclock_now_ns(&m->clock);
        for (uint64_t target = vclock_ctl_target(&m->ctl, wall); now > target + 1000000;
             target = vclock_ctl_target(&m->ctl, wall)) {
            host_wait(m, (now - target) / 1000);
            wall = wall_now(m);
        }
    }
    rtc_follow(m, wall);
}

/* Every hart waits: move time to the next event. Batch mode (sleep=off)
 * jumps there at once. With sleep=on the host first waits until the wall
 * clock's guest time reaches it: with shift=auto or align=on the wall
 * mapping is the run's, so a guest that got ahead waits the difference;
 * (shift=auto forgives a guest more than VCLOCK_CTL_MAX_AHEAD_NS ahead the
 * excess); with a fixed rate otherwise the idle period is anchored where it
 * starts, so it lasts its own length in host time (QEMU's sleep=on). */
static void idle_wait(struct virt *m, uint64_t deadline);

/* A replay that cannot go on as the recording did: one line, exit 1. */
static void rr_diverged(struct virt *m, const char *why)
{
    out_flush(m);
    fprintf(stderr, "rivet: replay diverged at instruction %" PRIu64 " (%s)\n", m->insns0 + m->insns, why);
    m->rr_stopped = true;
    m->exit_code = 1;
    m->quit = true;
    stop_all(m);
}

static void idle(struct virt *m, uint64_t deadline)
{
    if (rr_feeding(m->cfg->rr)) {
        /* a replay: the recording's time inputs here; an input at this
         * position first (poll_host takes it); else on to the deadline */
        if (time_replay(m, true) || rr_pending_now(m->cfg->rr))
            return;
        if (deadline == UINT64_MAX) {
            /* nothing to wait for and no input here: the recording was elsewhere */
            rr_diverged(m, "every hart waits and the log has no input for it here");
            return;
        }
        vclock_advance(&m->clock, deadline);
        m->rr_steps++;
        time_replay(m, true); /* the RTC check that follows the jump */
        return;
    }
    m->in_idle = true;
    idle_wait(m, deadline);
    m->in_idle = false;
}

static void idle_wait(struct virt *m, uint64_t deadline)
{
    uint64_t now = m->clock.ticks;
    if (!m->cfg->icount_sleep || !m->cfg->host.monotonic_ns) {
        if (deadline == UINT64_MAX) {
            /* Nothing will ever wake the guest but input. */
            const struct host_io *io = &m->cfg->host;
            if (io->wait)
                io->wait(io->ctx, 10000);
            return;
        }
        vclock_advance(&m->clock, deadline);
        m->rr_steps++;
        return;
    }
    uint64_t wall = wall_now(m);
    if (!m->idle_anchored && auto_rate(m))
        vclock_ctl_idle(&m->ctl, wall, vclock_now_ns(&m->clock));
    else if (!m->idle_anchored && !m->cfg->icount_align)
        vclock_ctl_anchor(&m->ctl, wall, vclock_now_ns(&m->clock));
    m->idle_anchored = true;
    uint64_t target = vclock_ctl_target(&m->ctl, wall) / VCLOCK_NS_PER_TICK;
    if (target >= deadline) {
        vclock_advance(&m->clock, deadline);
        m->rr_steps++;
        return;
    }
    uint64_t us = 100000; /* without a deadline: look again every 100 ms */
    if (deadline != UINT64_MAX && (deadline - target) / (VCLOCK_HZ / 1000000) < us)
        us = (deadline - target + VCLOCK_HZ / 1000000 - 1) / (VCLOCK_HZ / 1000000);
    host_wait(m, us);
    wall = wall_now(m);
    target = vclock_ctl_target(&m->ctl, wall) / VCLOCK_NS_PER_TICK;
    if (target >= deadline) {
        vclock_advance(&m->clock, deadline);
        m->rr_steps++;
    } else if (target > now && time_step_open(m, wall))
        time_input(m, TIME_JUMP, target, wall); /* woken early: input arrived at this wall time */
    /* (a step not open yet leaves the guest behind the wall until the next
     * one: by at most a period, which the controller then works off) */
    if (m->read_wall)
        rtc_follow(m, wall);
}

static void report_trap_loop(struct rv_hart *h)
{
    fprintf(stderr,
            "rivet: hart %" PRIu64 " is stuck: trap cause %" PRIu64 " at pc 0x%" PRIx64
            " repeats forever (mtvec 0x%" PRIx64 ", stvec 0x%" PRIx64 ")\n",
            h->mhartid, h->last_trap_cause, h->last_trap_pc, h->mtvec, h->stvec);
    /* The trap repeats in the handler's own mode, which is the mode now. */
    uint8_t code[4];
    size_t n = rv_hart_peek_code(h, h->last_trap_pc, code, sizeof code);
    char line[320];
    if (n && rv_disas_line(line, sizeof line, h->last_trap_pc, code, n, NULL))
        fprintf(stderr, "rivet: the instruction: %s\n", line);
    else
        fprintf(stderr, "rivet: no instruction at 0x%" PRIx64 " (not RAM, or not mapped)\n", h->last_trap_pc);
}

/* Every hart waits in WFI and no timer is armed: can anything still wake
 * one? Not the harts (none runs to write an msip or mip), not the timers;
 * only the host (input, a network frame, a window event; devices act on
 * those in poll_host; an HTIF request) or a debugger, which may connect at
 * any time. */
static bool wake_possible(struct virt *m)
{
    const struct host_io *io = &m->cfg->host;
    if (m->tohost) {
        const uint64_t *to = bus_dma(&m->bus, m->tohost, 8);
        if (to && *to)
            return true; /* an HTIF request poll_htif has yet to serve (an exit, a byte) */
    }
    if (rr_feeding(m->cfg->rr))
        return rr_more(m->cfg->rr); /* a replay: only the log's inputs */
    return m->cfg->debugger || !io->input_possible || io->input_possible(io->ctx);
}

static void report_dead_wait(const struct virt *m)
{
    char line[512];
    size_t n = 0;
    for (unsigned i = 0; i < m->nharts && n < sizeof line; i++) {
        const struct rv_hart *h = &m->harts[i];
        n += (size_t)snprintf(line + n, sizeof line - n, "%shart %u: wfi at 0x%" PRIx64 ", mie 0x%" PRIx64,
                              i ? "; " : "", i, h->pc - 4, h->mie);
    }
    fprintf(stderr, "rivet: all harts wait for an interrupt that cannot come (%s)\n", line);
}

/* Stopped for the debugger: no time passes until it resumes. `cut`: the
 * slice the stop cut short (a point hit), for reverse execution. */
static void debug_stop(struct virt *m, int hart, const struct reverse_cut *cut)
{
    const struct virt_debugger *d = m->cfg->debugger;
    out_flush(m);
    reverse_stopped(m->rev, cut);
    time_pause(m);
    bool quit = d->stopped(d->ctx, hart);
    time_resume(m);
    if (quit) {
        m->quit = true;
        stop_all(m);
    }
}

/* ---- the monitor (struct virt_monitor) ---- */

static void monitor_event(struct virt *m, enum virt_event ev, const char *reason)
{
    const struct virt_monitor *mon = m->cfg->monitor;
    if (mon && mon->event)
        mon->event(mon->ctx, ev, reason);
}

const char *virt_status(const struct virt *m)
{
    return m->shutdown ? "shutdown" : m->paused ? "paused" : "running";
}

bool virt_is_running(const struct virt *m) { return !m->paused; }

/* The monitor's commands that change the machine (these functions, from
 * HMP, QMP or Ctrl-A c) are host input: a recording logs each call at its
 * position, a replay makes the same call there (replay_monitor). */
static void rr_monitor(struct virt *m, const char *cmd, const char *arg)
{
    char line[600];
    snprintf(line, sizeof line, "%s%s%s", cmd, arg ? " " : "", arg ? arg : "");
    rr_log_input(m->cfg->rr, "monitor", line, strlen(line));
}

void virt_stop(struct virt *m)
{
    rr_monitor(m, "stop", NULL);
    if (m->paused)
        return;
    out_flush(m);
    m->paused = true;
    time_pause(m);
    monitor_event(m, VIRT_EV_STOP, NULL);
}

int virt_cont(struct virt *m)
{
    rr_monitor(m, "cont", NULL);
    if (m->shutdown)
        return -1;
    if (!m->paused)
        return 0;
    m->paused = false;
    time_resume(m);
    monitor_event(m, VIRT_EV_RESUME, NULL);
    return 0;
}

void virt_system_reset(struct virt *m)
{
    rr_monitor(m, "system_reset", NULL);
    m->reset = true;
    m->host_reset = true;
    m->exit_code = 0;
    stop_all(m);
}

int virt_system_powerdown(struct virt *m)
{
    rr_monitor(m, "system_powerdown", NULL);
    if (!devices_powerdown(m->devs))
        return -1;
    monitor_event(m, VIRT_EV_POWERDOWN, NULL);
    return 0;
}

void virt_quit(struct virt *m)
{
    rr_monitor(m, "quit", NULL);
    m->quit = true;
    stop_all(m);
}

struct rv_hart *virt_harts(struct virt *m, unsigned *n)
{
    *n = m->nharts;
    return m->harts;
}

struct bus *virt_bus(struct virt *m) { return &m->bus; }
struct rv_tcache *virt_tcache(struct virt *m) { return m->tc; }
struct devices *virt_devices(struct virt *m) { return m->devs; }
struct pci_host *virt_pci(struct virt *m) { return m->pci; }
uint64_t virt_ram_size(const struct virt *m) { return m->cfg->ram_size; }
uint64_t virt_insns(const struct virt *m) { return m->insns; }
struct rr *virt_rr(const struct virt *m) { return m->cfg->rr; }
uint64_t virt_time_ns(const struct virt *m) { return vclock_now_ns(&m->clock); }

/* A replay: the monitor commands the recording ran at this position. */
static void replay_monitor(struct virt *m)
{
    const struct rr_event *e;
    while ((e = rr_take(m->cfg->rr, RR_INPUT, "monitor"))) {
        char cmd[600];
        size_t n = e->len < sizeof cmd - 1 ? e->len : sizeof cmd - 1;
        memcpy(cmd, e->data, n);
        cmd[n] = 0;
        char err[256];
        if (!strcmp(cmd, "stop"))
            virt_stop(m);
        else if (!strcmp(cmd, "cont"))
            virt_cont(m);
        else if (!strcmp(cmd, "system_reset"))
            virt_system_reset(m);
        else if (!strcmp(cmd, "system_powerdown"))
            virt_system_powerdown(m);
        else if (!strcmp(cmd, "quit"))
            virt_quit(m);
        else if (!strncmp(cmd, "loadvm ", 7) && virt_loadvm(m, cmd + 7, err, sizeof err) < 0)
            fprintf(stderr, "rivet: replay: loadvm %s failed as in the recording: %s\n", cmd + 7, err);
    }
}

static void monitor_poll(struct virt *m)
{
    if (rr_feeding(m->cfg->rr)) {
        replay_monitor(m); /* the host's monitor is not read */
        return;
    }
    const struct virt_monitor *mon = m->cfg->monitor;
    if (mon)
        mon->poll(mon->ctx);
}

/* -no-shutdown: the guest powered off; the machine stays, stopped, with
 * its monitor, until system_reset (or quit). */
static bool hold_shutdown(struct virt *m)
{
    if (!m->cfg->no_shutdown || !m->cfg->monitor || !m->poweroff || m->reset || m->quit || m->shutdown)
        return false;
    out_flush(m);
    m->shutdown = true;
    m->stop = false;
    m->paused = true;
    time_pause(m);
    monitor_event(m, VIRT_EV_SHUTDOWN, "guest-shutdown");
    monitor_event(m, VIRT_EV_STOP, NULL);
    return true;
}

static uint64_t position(struct virt *m)
{
    uint64_t p = 0;
    for (unsigned i = 0; i < m->nharts; i++)
        p += m->harts[i].icount;
    return m->running ? p + rv_hart_progress(m->running) : p;
}

/* One round-robin round: every hart that can run gets a slice of the same
 * budget (up to the next timer deadline), then time advances by the
 * longest slice. Returns the hart a debugger point stopped (its slice cut
 * in *cut), or -1. rr: re-execution (machine/reverse.h), which repeats the
 * history's cuts and stops at its target; NULL when live. */
static int round_once(struct virt *m, struct reverse_run *rr, struct reverse_cut *cut)
{
    vclock_advance(&m->clock, m->clock.ticks); /* fire what is due */
    uint64_t now = m->clock.ticks;
    uint64_t dl = next_deadline(m);
    uint64_t budget = dl == UINT64_MAX ? SLICE_INSNS : vclock_insns_until(&m->clock, dl, SLICE_INSNS);
    bool ran = false, cut_here = false;
    int dbg_hart = -1;    /* a hart stopped for the debugger */
    uint64_t longest = 0; /* time advances by the longest slice run */
    for (unsigned i = 0; i < m->nharts && !m->stop; i++) {
        struct rv_hart *h = &m->harts[i];
        rv_hart_update_timer(h);
        if (rv_hart_idle(h))
            continue;
        uint64_t g0 = position(m), ic0 = h->icount, exact = UINT64_MAX;
        bool from_break = false;
        if (rr) {
            const struct reverse_break *b = reverse_next_break(m->rev);
            if (rr->stop_at_cut && !rr->cut.k && g0 == rr->cut.g0) {
                rr->halt = cut_here = true;
                if (!ran)
                    return -1; /* at the round's start: nothing happened */
                break;
            }
            if (rr->stop_at_cut && rr->cut.g0 == g0 && rr->cut.hart == i) {
                exact = rr->cut.k;
                rr->halt = true;
            } else if (b && !b->step && b->cut.g0 == g0 && b->cut.hart == i) {
                exact = b->cut.k;
                from_break = true;
                reverse_break_done(m->rev);
            }
        }
        m->running = h;
        m->slice_g0 = g0;
        uint64_t done = exact != UINT64_MAX ? rv_hart_run_exact(h, exact) : rv_hart_run(h, budget);
        m->running = NULL;
        m->insns += done;
        if (done > longest)
            longest = done;
        ran = true;
        if (rr && rr->slice)
            rr->slice(rr->ctx, i, g0, ic0, done, false);
        /* the history stopped here: a breakpoint at the pc is a hit (the
         * single step that follows does not look) */
        if (from_break && rv_dbg_break_at(m->tc, h->pc))
            reverse_hit(m->rev, i, RV_DBG_BREAK_SW, h->pc, g0 + done, g0);
        if (h->trap_loop) {
            out_flush(m);
            report_trap_loop(h);
            m->exit_code = 3;
            m->stop = true;
        }
        if (h->dbg_stop.hit) {
            dbg_hart = (int)i;
            *cut = (struct reverse_cut){ g0, i, h->icount - ic0 }; /* a watchpoint's access included */
            break; /* all-stop: the other harts wait too */
        }
        if (exact != UINT64_MAX || (rr && rr->halt))
            break; /* a cut of the history: the round ends here */
    }
    (void)cut_here;
    if (m->stop)
        return -1;
    if (ran) {
        if (longest)
            vclock_run(&m->clock, longest);
        else {
            vclock_advance(&m->clock, now + 1);
            m->rr_steps++;
        }
        time_after_round(m);
    } else {
        uint64_t next = next_deadline(m);
        if (next == UINT64_MAX && !wake_possible(m)) {
            out_flush(m);
            report_dead_wait(m);
            m->exit_code = 3;
            m->stop = true;
            return -1;
        }
        idle(m, next);
    }
    return dbg_hart;
}

/* After each round: checkpoints, and a replay that went past a record. */
static void rr_round(struct virt *m)
{
    struct rr *rr = m->cfg->rr;
    if (!rr)
        return;
    int r = rr_check_missed(rr, m->insns0 + m->insns);
    if (r == 0 && rr_checkpoint_due(rr))
        r = rr_checkpoint(rr, m->insns0 + m->insns, rr_state_hash(m));
    if (r < 0) {
        out_flush(m);
        m->rr_stopped = true;
        m->exit_code = 1;
        m->quit = true;
        stop_all(m);
    }
}

static int run(struct virt *m)
{
    time_start(m);
    if (m->start_paused) {
        m->paused = true;
        time_pause(m);
    }
    while (!m->stop || hold_shutdown(m)) {
        poll_host(m);
        monitor_poll(m);
        if (m->stop)
            continue;
        if (m->paused && rr_feeding(m->cfg->rr)) {
            /* a replay: only the log can resume it, at this position */
            if (!rr_pending_now(m->cfg->rr))
                rr_diverged(m, "the machine is stopped and the log has nothing more for it here");
            continue;
        }
        if (m->paused) {
            /* nothing runs, no time passes: wait for the host */
            out_flush(m);
            const struct host_io *io = &m->cfg->host;
            if (io->wait)
                io->wait(io->ctx, 50000);
            continue;
        }
        if (m->cfg->debugger && m->cfg->debugger->poll(m->cfg->debugger->ctx)) {
            debug_stop(m, -1, NULL);
            if (m->stop)
                continue;
        }
        struct reverse_cut cut;
        int dbg_hart = round_once(m, NULL, &cut);
        if (m->stop)
            continue;
        if (dbg_hart >= 0)
            debug_stop(m, dbg_hart, &cut);
        poll_htif(m);
        out_flush(m);
        reverse_round(m->rev);
        rr_round(m);
    }
    out_flush(m);
    return m->exit_code;
}

static int start_from_snapshot(struct virt *m);
static void rev_start(struct virt *m);

int virt_run(const struct virt_config *cfg)
{
    if (cfg->smp < 1 || cfg->smp > VIRT_MAX_HARTS) {
        fprintf(stderr, "rivet: -smp %u: between 1 and %d harts are supported\n", cfg->smp, VIRT_MAX_HARTS);
        return 1;
    }
    uint64_t total = 0, blocks = 0, flushes = 0, steps = 0;
    uint64_t t0 = cfg->host.monotonic_ns ? cfg->host.monotonic_ns(cfg->host.ctx) : 0;
    int rc;
    bool restarted = false;
    uint64_t pos = 0;
    for (;;) {
        struct virt *m = calloc(1, sizeof *m);
        if (!m) {
            fprintf(stderr, "rivet: out of memory\n");
            return 1;
        }
        m->cfg = cfg;
        m->pos0 = pos;
        m->insns0 = total;
        bool snap = cfg->loadvm && !restarted && !cfg->dumpdtb;
        if ((snap ? start_from_snapshot(m) : machine_build(m)) < 0) {
            machine_free(m);
            free(m);
            return 1;
        }
        if (m->stop) { /* dumpdtb */
            machine_free(m);
            free(m);
            return 0;
        }
        if (cfg->host.started && !total)
            cfg->host.started(cfg->host.ctx);
        if (cfg->debugger)
            cfg->debugger->attach(cfg->debugger->ctx, m->harts, m->nharts, m->tc, &m->bus);
        rev_start(m);
        if (cfg->debugger && cfg->debugger->reverse)
            cfg->debugger->reverse(cfg->debugger->ctx, m->rev, reverse_refused(m->rev));
        if (cfg->monitor)
            cfg->monitor->attach(cfg->monitor->ctx, m);
        m->start_paused = cfg->start_stopped && !cfg->debugger && !total && !restarted;
        rc = run(m);
        if (cfg->monitor) {
            if (m->reset && !m->quit)
                monitor_event(m, VIRT_EV_RESET, m->host_reset ? "host-qmp-system-reset" : "guest-reset");
            else if (m->quit || !m->shutdown)
                monitor_event(m, VIRT_EV_SHUTDOWN, m->quit ? "host-qmp-quit" : "guest-shutdown");
            cfg->monitor->attach(cfg->monitor->ctx, NULL);
        }
        total += m->insns;
        uint64_t b, f;
        rv_tcache_stats(m->tc, &b, &f);
        blocks += b;
        flushes += f;
        steps += m->time_steps;
        bool again = m->reset && !m->quit && !cfg->no_reboot;
        pos = virt_rr_position(m);
        if (cfg->rr && !again && !m->rr_stopped) {
            /* the end of a recording or replay: both print this line */
            uint64_t h = rr_state_hash(m);
            fprintf(stderr, "rivet: state hash %016" PRIx64 " at instruction %" PRIu64 "\n", h, total);
            if (rr_close(cfg->rr, pos, total, h) < 0 && rr_mode(cfg->rr) == RR_REPLAYING)
                rc = 1;
        }
        rr_attach(cfg->rr, NULL);
        if (cfg->debugger && cfg->debugger->reverse)
            cfg->debugger->reverse(cfg->debugger->ctx, NULL, NULL);
        reverse_free(m->rev);
        machine_free(m);
        free(m);
        if (!again)
            break;
        restarted = true;
    }
    if (cfg->stats && cfg->host.monotonic_ns) {
        double secs = (double)(cfg->host.monotonic_ns(cfg->host.ctx) - t0) / 1e9;
        fprintf(stderr, "rivet: stats: instructions=%" PRIu64 " seconds=%.3f mips=%.1f blocks=%" PRIu64
                " code-flushes=%" PRIu64 " time-steps=%" PRIu64 "\n", total, secs,
                secs > 0 ? (double)total / secs / 1e6 : 0.0, blocks, flushes, steps);
    }
    return rc;
}

/* ---- the board without its run loop (tests/fuzz/fuzz_mmio.c) ---- */

struct virt *virt_board_new(const struct virt_config *cfg)
{
    if (cfg->smp < 1 || cfg->smp > VIRT_MAX_HARTS)
        return NULL;
    struct virt *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cfg = cfg;
    if (machine_create(m) < 0) {
        virt_board_free(m);
        return NULL;
    }
    return m;
}

struct bus *virt_board_bus(struct virt *m) { return &m->bus; }
uint8_t *virt_board_ram(struct virt *m)
{
    bus_mark_all_dirty(&m->bus); /* the caller may write anywhere */
    return m->ram;
}

bool virt_board_step(struct virt *m, uint64_t ticks)
{
    vclock_advance(&m->clock, vclock_now(&m->clock) + ticks);
    poll_host(m);
    out_flush(m);
    return m->stop;
}

void virt_board_free(struct virt *m)
{
    if (!m)
        return;
    machine_free(m);
    free(m);
}

/* ---- snapshots (machine/snapshot.h, docs/snapshots.md) ---- */

/* The board's own fields and every row's device, in table order: the
 * interrupt controllers come last, so that their loaded input levels and
 * outputs win over what the other devices' loads raise into them. */
static void board_state(void *ctx, struct state *st)
{
    struct virt *m = ctx;
    state_section(st, "virt", 1);
    state_u64(st, "tohost", &m->tohost);
    state_u64(st, "fromhost", &m->fromhost);
    state_u64(st, "tohost_seen", &m->tohost_seen);
    for (unsigned i = 0; i < VIRT_ROWS && !st->error; i++) {
        const struct board_row *r = &virt_rows[i].row;
        void *d = m->rowdev[i];
        if (!d)
            continue;               /* not on this board (the aia= rows) */
        if (r->type && state_loading(st)) {
            if (r->type->load(d, st) < 0)
                state_fail(st, r->name);
        } else if (r->type) {
            r->type->save(d, st);
        } else if (d == m->pci) {
            pci_host_state(m->pci, st);
        } else if (d == m->devs) {
            devices_state(m->devs, st);
        }
    }
}

/* What a snapshot must match: board, RAM, harts, ISA, devices, drives. */
static char *describe(const struct virt *m)
{
    const struct virt_config *c = m->cfg;
    const struct devices_config *dc = c->devices;
    size_t n = 256;
    for (unsigned i = 0; dc && i < dc->ndevices; i++)
        n += strlen(dc->devices[i]) + 9;
    for (unsigned i = 0; dc && i < dc->ndrives; i++)
        n += strlen(dc->drives[i].id ? dc->drives[i].id : "") + 40;
    char *s = malloc(n);
    if (!s)
        return NULL;
    size_t k = (size_t)snprintf(s, n, "virt ram=%" PRIu64 " smp=%u isa-ext=0x%" PRIx64 " mmio-legacy=%d",
                                c->ram_size, c->smp, rv_tcache_ext(m->tc), dc && dc->mmio_legacy);
    for (unsigned i = 0; dc && i < dc->ndevices; i++)
        k += (size_t)snprintf(s + k, n - k, " device=%s", dc->devices[i]);
    for (unsigned i = 0; dc && i < dc->ndrives; i++)
        k += (size_t)snprintf(s + k, n - k, " drive=%s:%" PRIu64 "%s", dc->drives[i].id ? dc->drives[i].id : "",
                              dc->drives[i].backend->size, dc->drives[i].backend->readonly ? ":ro" : "");
    return s;
}

static void snap_view(struct virt *m, struct snapshot_machine *sm, const char *desc)
{
    const struct devices_config *dc = m->cfg->devices;
    *sm = (struct snapshot_machine){
        .desc = desc, .harts = m->harts, .nharts = m->nharts, .clock = &m->clock,
        .ram = { { "ram", m->ram, m->cfg->ram_size }, { "rom", m->rom, ROM_SIZE } }, .nram = 2,
        .devices = board_state, .ctx = m,
        .drives = dc ? dc->drives : NULL, .ndrives = dc ? dc->ndrives : 0,
        .bus = &m->bus, .hash_cache = &m->hash_cache,
    };
}

static int snap_path(const struct virt *m, const char *name, bool mkdir_it, char **out, char *err, size_t errlen)
{
    if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
        snprintf(err, errlen, "'%s' is not a snapshot name", name);
        return -1;
    }
    if (strchr(name, '/')) {
        *out = strdup(name);
    } else {
        const char *dir = m->cfg->snapshot_dir ? m->cfg->snapshot_dir : "rivet-snapshots";
        if (mkdir_it && mkdir(dir, 0777) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "cannot create the snapshot folder '%s': %s", dir, strerror(errno));
            return -1;
        }
        size_t n = strlen(dir) + strlen(name) + 2;
        if ((*out = malloc(n)))
            snprintf(*out, n, "%s/%s", dir, name);
    }
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

char *virt_snapshot_file(const struct virt_config *c, const char *name)
{
    struct virt tmp = { .cfg = c };
    char *out = NULL, err[160];
    return snap_path(&tmp, name, false, &out, err, sizeof err) == 0 ? out : NULL;
}

int virt_savevm(struct virt *m, const char *name, char *err, size_t errlen)
{
    char *path = NULL, *desc = describe(m);
    int rc = -1;
    if (!desc)
        snprintf(err, errlen, "out of memory");
    else if (snap_path(m, name, true, &path, err, errlen) == 0) {
        out_flush(m);
        struct snapshot_machine sm;
        snap_view(m, &sm, desc);
        rc = snapshot_save(&sm, path, err, errlen);
    }
    free(path);
    free(desc);
    return rc;
}

/* Free the machine and build an empty one of the same configuration in
 * the same struct virt (devices and the debugger keep pointing at it). */
static int rebuild(struct virt *m)
{
    machine_free(m);
    m->harts = NULL;
    m->tc = NULL;
    m->ram = m->rom = NULL;
    m->running = NULL;
    m->clint = NULL; m->plic = NULL; m->uart = NULL; m->test = NULL; m->rtc = NULL;
    m->devs = NULL; m->pci = NULL;
    memset(&m->bus, 0, sizeof m->bus);
    return machine_create(m);
}

/* After a load (ok: of the snapshot, else of the machine as it was): what
 * lives outside the machine follows it. A machine loaded from a snapshot
 * runs (or stays stopped): no longer powered off (-no-shutdown). */
static void loaded(struct virt *m, bool ok)
{
    const struct virt_config *c = m->cfg;
    if (ok) {
        m->poweroff = m->shutdown = false;
        m->exit_code = 0;
    }
    /* a fixed rate is the configuration's; a realtime one goes on from the
     * loaded rate, re-anchored below */
    if (c->icount_shift >= 0)
        vclock_set_rate(&m->clock, (1ull << c->icount_shift) * VCLOCK_FS_PER_NS, false);
    else if (!auto_rate(m))
        vclock_set_rate(&m->clock, VCLOCK_BATCH_FS_PER_INSN, true);
    if (c->host.monotonic_ns && (c->icount_sleep || m->read_wall)) {
        bool paused = m->ctl.paused;
        uint64_t wall = wall_now(m);
        vclock_ctl_init(&m->ctl, wall, vclock_now_ns(&m->clock), m->clock.icount);
        if (paused)
            vclock_ctl_pause(&m->ctl, wall);
    }
    if (c->debugger)
        c->debugger->attach(c->debugger->ctx, m->harts, m->nharts, m->tc, &m->bus);
    reverse_changed(m->rev);
}

int virt_loadvm(struct virt *m, const char *name, char *err, size_t errlen)
{
    rr_monitor(m, "loadvm", name);
    char *path = NULL, *desc = describe(m);
    if (!desc || snap_path(m, name, false, &path, err, errlen) < 0) {
        if (!desc)
            snprintf(err, errlen, "out of memory");
        free(desc);
        return -1;
    }
    struct snapshot_file *sf = snapshot_open(path, desc, err, errlen);
    free(path);
    struct snapshot_machine sm;
    uint8_t *backup = NULL;
    size_t blen = 0;
    snap_view(m, &sm, desc);
    /* what to go back to if the file's contents do not load: the machine
     * as it is, RAM stored raw (fast), disks untouched */
    if (!sf || snapshot_encode(&sm, 0, false, &backup, &blen, err, errlen) < 0) {
        snapshot_close(sf);
        free(desc);
        return -1;
    }
    out_flush(m);
    int rc = -1;
    if (rebuild(m) == 0) {
        snap_view(m, &sm, desc);
        rc = snapshot_load(sf, &sm, err, errlen);
        if (rc == 0) {
            free(backup);
            backup = NULL;
            rc = snapshot_commit_disks(sf, &sm, err, errlen);
        }
    }
    bool restored = backup != NULL;
    if (backup) {
        char e2[160] = "out of memory";
        struct snapshot_file *bf = snapshot_parse(backup, blen, desc, e2, sizeof e2);
        if (rebuild(m) < 0 || !bf || (snap_view(m, &sm, desc), snapshot_load(bf, &sm, e2, sizeof e2) < 0)) {
            fprintf(stderr, "rivet: loadvm: cannot go back to the machine as it was: %s\n", e2);
            abort();
        }
        snapshot_close(bf);
    }
    snapshot_close(sf);
    free(desc);
    loaded(m, !restored);
    return rc;
}

int virt_delvm(struct virt *m, const char *name, char *err, size_t errlen)
{
    char *path = NULL;
    if (snap_path(m, name, false, &path, err, errlen) < 0)
        return -1;
    char head[8];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    bool ours = fd >= 0 && read(fd, head, 8) == 8 && !memcmp(head, SNAPSHOT_MAGIC, 8);
    int e = errno;
    if (fd >= 0)
        close(fd);
    int rc = -1;
    if (fd < 0)
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(e));
    else if (!ours)
        snprintf(err, errlen, "'%s' is not a rivet snapshot", path);
    else if (unlink(path) < 0)
        snprintf(err, errlen, "cannot delete '%s': %s", path, strerror(errno));
    else
        rc = 0;
    free(path);
    return rc;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void virt_list_snapshots(struct virt *m, char *out, size_t len)
{
    const char *dir = m->cfg->snapshot_dir ? m->cfg->snapshot_dir : "rivet-snapshots";
    size_t k = 0;
    out[0] = 0;
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof *names);
            if (!nn)
                break;
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    if (d)
        closedir(d);
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    k += (size_t)snprintf(out + k, len - k, "Snapshots in %s:\n%-24s %12s  %s\n", dir, "ID/TAG", "SIZE", "DATE");
    unsigned shown = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096], head[8];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        struct stat sb;
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        bool ours = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && read(fd, head, 8) == 8 &&
                    !memcmp(head, SNAPSHOT_MAGIC, 8);
        if (fd >= 0)
            close(fd);
        if (ours && k < len) {
            char date[32];
            struct tm tm;
            time_t t = sb.st_mtime;
            strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
            k += (size_t)snprintf(out + k, len - k, "%-24s %12lld  %s\n", names[i], (long long)sb.st_size, date);
            shown++;
        }
        free(names[i]);
    }
    free(names);
    if (!shown && k < len)
        snprintf(out + k, len - k, "(none)\n");
}

uint64_t virt_state_hash(struct virt *m)
{
    struct snapshot_machine sm;
    snap_view(m, &sm, "");
    return snapshot_state_hash(&sm);
}

uint64_t virt_board_state_hash_full(struct virt *m)
{
    struct snapshot_machine sm;
    snap_view(m, &sm, "");
    sm.hash_cache = NULL;
    return snapshot_state_hash(&sm);
}

/* ---- reverse execution (machine/reverse.h, docs/debugging.md) ---- */

static uint64_t rev_pos(void *ctx)
{
    return position(ctx);
}

static uint64_t rev_hart_icount(void *ctx, unsigned hart)
{
    struct virt *m = ctx;
    return hart < m->nharts ? m->harts[hart].icount : 0;
}

/* The ROM's bytes, then clock, harts and devices. */
static int rev_save(void *ctx, uint8_t **blob, size_t *len)
{
    struct virt *m = ctx;
    struct snapshot_machine sm;
    snap_view(m, &sm, "");
    uint8_t *st;
    size_t n;
    if (snapshot_save_state(&sm, &st, &n) < 0)
        return -1;
    uint8_t *b = malloc(ROM_SIZE + n);
    if (!b) {
        free(st);
        return -1;
    }
    memcpy(b, m->rom, ROM_SIZE);
    memcpy(b + ROM_SIZE, st, n);
    free(st);
    *blob = b;
    *len = ROM_SIZE + n;
    return 0;
}

/* Rebuild the machine around the same RAM (reverse.c put its bytes back),
 * keeping the bus's dirty pages and the hash's page cache, then load. */
static int rev_load(void *ctx, const uint8_t *blob, size_t len)
{
    struct virt *m = ctx;
    uint32_t *gens = m->bus.dirty_gen;
    uint32_t now = m->bus.dirty_now;
    struct snapshot_hash_cache hc = m->hash_cache;
    m->bus.dirty_gen = NULL;
    memset(&m->hash_cache, 0, sizeof hc);
    m->keep_ram = m->ram;
    m->ram = NULL;
    char err[200] = "out of memory";
    struct snapshot_machine sm;
    if (rebuild(m) < 0 || len < ROM_SIZE ||
        (snap_view(m, &sm, ""), snapshot_load_state(&sm, blob + ROM_SIZE, len - ROM_SIZE, err, sizeof err) < 0)) {
        fprintf(stderr, "rivet: reverse execution: cannot load a snapshot: %s\n", err);
        abort();
    }
    free(m->bus.dirty_gen);
    m->bus.dirty_gen = gens;
    m->bus.dirty_now = now;
    m->hash_cache = hc;
    memcpy(m->rom, blob, ROM_SIZE);
    if (m->cfg->debugger)
        m->cfg->debugger->attach(m->cfg->debugger->ctx, m->harts, m->nharts, m->tc, &m->bus);
    return 0;
}

static void rev_point(void *ctx, struct rv_hart *h, enum rv_dbg_type type, uint64_t addr)
{
    struct virt *m = ctx;
    uint64_t pos = position(m) + (type >= RV_DBG_WATCH_W); /* a watchpoint stops after the access */
    reverse_hit(m->rev, (unsigned)(h - m->harts), type, addr, pos, m->running ? m->slice_g0 : pos);
}

static void rev_log_points(void *ctx, bool on)
{
    struct virt *m = ctx;
    rv_dbg_set_log(m->tc, on ? rev_point : NULL, m);
}

static void rev_step(void *ctx, unsigned hart)
{
    struct virt *m = ctx;
    rv_hart_step(&m->harts[hart]);
}

/* Re-execute as the run loop did (rounds, the history's cuts and steps),
 * silently and without host input, to rr's end. */
static int rev_run(void *ctx, struct reverse_run *rr)
{
    struct virt *m = ctx;
    out_flush(m);
    m->replaying = true;
    uint64_t last_p = UINT64_MAX, last_t = 0;
    unsigned still = 0; /* rounds in which neither a hart nor time moved */
    while (!m->stop) {
        uint64_t p = position(m);
        still = p == last_p && m->clock.ticks == last_t ? still + 1 : 0;
        if (still > 1000)
            break; /* nothing can move without input: the target is not in this history */
        last_p = p;
        last_t = m->clock.ticks;
        if (rr->stop_at_cut && !rr->cut.k && p == rr->cut.g0)
            break;
        const struct reverse_break *b = reverse_next_break(m->rev);
        if (b && b->step && b->pos == p) {
            unsigned h = b->hart;
            uint64_t ic0 = m->harts[h].icount;
            reverse_break_done(m->rev);
            rev_step(m, h);
            rr->slice(rr->ctx, h, p, ic0, m->harts[h].icount - ic0, true);
            if (rr->halt)
                break;
            continue;
        }
        if (p >= rr->until || rr->halt)
            break;
        devices_poll(m->devs);
        struct reverse_cut cut;
        round_once(m, rr, &cut);
        if (rr->halt || m->stop)
            break;
        poll_htif(m);
        out_flush(m);
        reverse_round(m->rev);
    }
    out_flush(m);
    m->replaying = false;
    return m->stop || still > 1000 ? -1 : 0;
}

/* Why this run cannot go back, or NULL. */
static const char *rev_why_not(const struct virt *m)
{
    const struct virt_config *c = m->cfg;
    if (c->icount_sleep || auto_rate(m) || c->icount_align || c->rtc_clock != VIRT_RTC_VM)
        return "reverse execution needs guest time that does not follow the host: a batch run (no terminal, "
               "no network peer) or -icount shift=N,sleep=off";
    const struct devices_config *dc = c->devices;
    for (unsigned i = 0; dc && i < dc->ndrives; i++)
        if (!dc->drives[i].backend->readonly)
            return "reverse execution cannot take disk writes back: give the drives readonly=on";
    if (dc && dc->nnetdevs)
        return "reverse execution cannot take back what went out to the network: no -netdev/-nic";
    for (unsigned i = 0; dc && i < dc->ndevices; i++) {
        const char *d = dc->devices[i];
        if (!strncmp(d, "virtio-rng", 10) && !strstr(d, "seed="))
            return "reverse execution needs the same random bytes again: give virtio-rng seed=N";
        if (strstr(d, "9p"))
            return "reverse execution cannot take back writes to a shared host folder (9p)";
        if (strstr(d, "console") || strstr(d, "serial"))
            return "reverse execution would write virtio-console output twice: use the serial console";
    }
    return NULL;
}

/* A new machine's history (start, after each reset), with the debugger. */
static void rev_start(struct virt *m)
{
    const struct virt_config *c = m->cfg;
    if (!c->debugger || c->reverse.off)
        return;
    struct reverse_ops ops = { m, rev_pos, rev_hart_icount, rev_save, rev_load, rev_run, rev_step, rev_log_points };
    m->rev = reverse_new(&c->reverse, &ops, &m->bus);
    reverse_refuse(m->rev, rev_why_not(m));
}

/* -loadvm at start: the machine built empty, then loaded; disks last. */
static int start_from_snapshot(struct virt *m)
{
    const struct virt_config *c = m->cfg;
    char err[256], *path = NULL, *desc = NULL;
    struct snapshot_file *sf = NULL;
    int rc = -1;
    if (machine_create(m) < 0)
        return -1;
    if (!(desc = describe(m)))
        snprintf(err, sizeof err, "out of memory");
    else if (snap_path(m, c->loadvm, false, &path, err, sizeof err) == 0 &&
             (sf = snapshot_open(path, desc, err, sizeof err))) {
        struct snapshot_machine sm;
        snap_view(m, &sm, desc);
        if (snapshot_load(sf, &sm, err, sizeof err) == 0 && snapshot_commit_disks(sf, &sm, err, sizeof err) == 0)
            rc = 0;
    }
    if (rc < 0)
        fprintf(stderr, "rivet: -loadvm %s: %s\n", c->loadvm, err);
    snapshot_close(sf);
    free(path);
    free(desc);
    return rc;
}
