/* machine/virt.h: the `virt` board, QEMU's virt memory map. */
#ifndef RIVET_VIRT_H
#define RIVET_VIRT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/host.h"

#define VIRT_MAX_HARTS 8
#define VIRT_RAM_BASE 0x80000000ull
#define VIRT_DEFAULT_RAM (512ull << 20)
#define VIRT_MIN_RAM (16ull << 20)
#define VIRT_MAX_RAM (16ull << 30)
#define VIRT_VIRTIO_MMIO_SLOTS 8
#define VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

struct devices_config;
struct rv_hart;
struct rv_tcache;
struct bus;

/* A debugger on the run loop (frontends/gdb_server.c). The board calls it
 * only between slices, so a stop never splits an instruction; while it is
 * stopped no time passes for the guest. */
struct virt_debugger {
    void *ctx;
    /* A machine was built (at start and after every guest reset). */
    void (*attach)(void *ctx, struct rv_hart *harts, unsigned nharts, struct rv_tcache *tc, struct bus *bus);
    /* Between slices: true = stop now (Ctrl-C, a new connection, -S). */
    bool (*poll)(void *ctx);
    /* The machine stopped, for hart `hart` (its dbg_stop says why) or, with
     * hart < 0, because poll asked. Serves the debugger (single steps
     * included) until it resumes: returns false to go on, true to quit. */
    bool (*stopped)(void *ctx, int hart);
};

#define VIRT_SHIFT_BATCH (-1)  /* batch mode: 10 ns per instruction, rounded up per round */
#define VIRT_SHIFT_AUTO (-2)   /* realtime: the rate follows the host (shift=auto) */
#define VIRT_SHIFT_MAX 10

enum { VIRT_RTC_VM, VIRT_RTC_HOST, VIRT_RTC_RT };

struct virt_config {
    uint64_t ram_size;
    unsigned smp;
    uint64_t cpu_ext;       /* ISA extensions (cpu/riscv/ext.h mask); 0: the default set */
    const char *bios;       /* path, or NULL for none */
    const char *kernel;
    const char *initrd;
    const char *append;
    const char *dtb;        /* use this blob instead of generating one */
    const char *dumpdtb;    /* write the generated blob here and exit */
    /* -icount (machine/clock.h): how instructions make guest time. */
    int icount_shift;       /* 0..10: 2^N ns per instruction, or VIRT_SHIFT_* */
    bool icount_sleep;      /* idle guest time is waited out on the host's clock */
    bool icount_align;      /* a fixed rate is also held to the host's clock while running */
    uint64_t rtc_base_ns;   /* epoch ns the RTC reads at virtual time 0 */
    int rtc_clock;          /* VIRT_RTC_*: what the RTC follows after the start */
    bool stats;             /* print instruction count and MIPS at exit */
    bool no_reboot;         /* -no-reboot: a guest reset ends the run (exit 0) */
    const struct devices_config *devices; /* -device and the host objects (NULL: none) */
    const struct virt_debugger *debugger; /* -s/-gdb (NULL: none) */
    struct host_io host;
};

/* Build the machine, run it until it stops, and return the process exit
 * status: the guest's poweroff 0, a finisher failure its code, an error of
 * the user's (bad image) 1 after a one-line message, 3 for a hart stuck in
 * a trap loop or harts that all wait for an interrupt that cannot come. */
int virt_run(const struct virt_config *);

/* The board virt_run builds (RAM, harts, the platform devices, -device's
 * devices) without firmware, images or a run loop, for the MMIO fuzz
 * harness (tests/fuzz/fuzz_mmio.c): its caller accesses the bus as harts
 * would. virt_board_step moves virtual time `ticks` forward (due timers
 * fire) and polls host input as the run loop does between slices; it
 * returns true once the guest stopped the machine (test finisher, quit). */
struct virt;
struct virt *virt_board_new(const struct virt_config *);
struct bus *virt_board_bus(struct virt *);
uint8_t *virt_board_ram(struct virt *);
bool virt_board_step(struct virt *, uint64_t ticks);
void virt_board_free(struct virt *);

/* The virt board's table (machine/board.h): the memory map, PLIC sources
 * and node writers, in device-tree order. */
struct board_row;
const struct board_row *virt_board_rows(unsigned *n);

#endif
