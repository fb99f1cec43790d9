/* machine/virt.h: the `virt` board, QEMU's virt memory map. */
#ifndef RIVET_VIRT_H
#define RIVET_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/host.h"
#include "machine/reverse.h"

#define VIRT_MAX_HARTS 8
#define VIRT_RAM_BASE 0x80000000ull
#define VIRT_DEFAULT_RAM (512ull << 20)
#define VIRT_MIN_RAM (16ull << 20)
#define VIRT_MAX_RAM (16ull << 30)
#define VIRT_VIRTIO_MMIO_SLOTS 8
#define VIRT_DEFAULT_BIOS "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

struct devices_config;
struct virt;
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
    /* Optional: the machine's reverse execution (machine/reverse.h; NULL
     * with why: none, or refused for that reason), after each attach;
     * (NULL, NULL) before the machine goes away. */
    void (*reverse)(void *ctx, struct reverse *, const char *why);
};

/* The monitor on the run loop (frontends/monitor.c). The board calls it
 * only between slices, running or stopped; what it does to the machine
 * goes through the virt_* calls below, made from inside poll. */
enum virt_event {
    VIRT_EV_STOP,       /* the machine stopped (stop, -no-shutdown poweroff) */
    VIRT_EV_RESUME,     /* it runs again (cont) */
    VIRT_EV_SHUTDOWN,   /* the guest powered off, or quit */
    VIRT_EV_RESET,      /* the guest or system_reset reset it */
    VIRT_EV_POWERDOWN,  /* system_powerdown asked the guest to power off */
};
struct virt_monitor {
    void *ctx;
    /* A machine was built (start, after every reset), or m == NULL: it
     * is being torn down. */
    void (*attach)(void *ctx, struct virt *m);
    /* Between slices and while stopped: read the monitor's host side and
     * run what it asks. */
    void (*poll)(void *ctx);
    /* Something happened (QMP events); reason: QEMU's "reason" string. */
    void (*event)(void *ctx, enum virt_event ev, const char *reason);
};

#define VIRT_SHIFT_BATCH (-1)  /* batch mode: 10 ns per instruction, rounded up per round */
#define VIRT_SHIFT_AUTO (-2)   /* realtime: the rate follows the host (shift=auto) */
#define VIRT_SHIFT_MAX 10

enum { VIRT_RTC_VM, VIRT_RTC_HOST, VIRT_RTC_RT };

/* -M virt,aia=: the interrupt controllers (docs/aia.md). */
enum { VIRT_AIA_NONE, VIRT_AIA_APLIC, VIRT_AIA_APLIC_IMSIC };

struct virt_config {
    uint64_t ram_size;
    unsigned smp;
    uint64_t cpu_ext;       /* ISA extensions (cpu/riscv/ext.h mask); 0: the default set */
    unsigned aia;           /* VIRT_AIA_*: PLIC (default), APLIC, APLIC + IMSIC (adds Smaia/Ssaia) */
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
    const struct virt_monitor *monitor;   /* -monitor, -qmp, Ctrl-A c (NULL: none) */
    bool no_shutdown;       /* -no-shutdown: a guest poweroff stops the machine (needs a monitor) */
    bool start_stopped;     /* -S without a debugger: stopped until the monitor's cont */
    /* Snapshots (docs/snapshots.md): -loadvm NAME starts from that
     * snapshot; a NAME without '/' is a file in snapshot_dir (NULL:
     * "rivet-snapshots" in the current directory). */
    const char *loadvm;
    const char *snapshot_dir;
    /* -gdb-reverse (machine/reverse.h): with a debugger, history for
     * reverse execution; zeroed = defaults */
    struct reverse_config reverse;
    struct host_io host;
    /* -record / -replay (machine/rr.h, docs/replay.md), or NULL */
    struct rr *rr;
};

/* Build the machine, run it until it stops, and return the process exit
 * status: the guest's poweroff 0, a finisher failure its code, an error of
 * the user's (bad image) 1 after a one-line message, 3 for a hart stuck in
 * a trap loop or harts that all wait for an interrupt that cannot come. */
int virt_run(const struct virt_config *);

/* Record/replay's stamp (machine/rr.h): instructions retired by all harts
 * since the run started (the running hart's so far included) plus the
 * run-loop steps that changed the machine without an instruction. */
struct virt;
uint64_t virt_rr_position(const struct virt *);
/* The run's record/replay (machine/rr.h), or NULL. */
struct rr;
struct rr *virt_rr(const struct virt *);
/* The file -loadvm NAME reads (malloc'd; NULL: not a snapshot name). */
char *virt_snapshot_file(const struct virt_config *, const char *name);

/* For the monitor, from inside its poll (between slices). */
struct virt;
struct devices;
struct pci_host;
/* "running", "paused", "shutdown" (a -no-shutdown poweroff) */
const char *virt_status(const struct virt *);
bool virt_is_running(const struct virt *);
/* Stop the harts and virtual time / let them go on. virt_cont fails (-1)
 * after a -no-shutdown poweroff: only a reset leaves that state. */
void virt_stop(struct virt *);
int virt_cont(struct virt *);
void virt_system_reset(struct virt *);
/* Ask the guest to power off: KEY_POWER on a virtio keyboard (virt has no
 * ACPI). -1 when the machine has no way to tell the guest. */
int virt_system_powerdown(struct virt *);
void virt_quit(struct virt *);
struct rv_hart *virt_harts(struct virt *, unsigned *n);
struct bus *virt_bus(struct virt *);
struct rv_tcache *virt_tcache(struct virt *);
struct devices *virt_devices(struct virt *);
struct pci_host *virt_pci(struct virt *);
uint64_t virt_ram_size(const struct virt *);
uint64_t virt_insns(const struct virt *);     /* retired since this machine was built */
uint64_t virt_time_ns(const struct virt *);   /* virtual time */
/* Snapshots of the running machine (machine/snapshot.h,
 * docs/snapshots.md), for the monitor; call them between slices only.
 * NAME is a path when it holds a '/', else a file in the snapshot folder.
 * 0, or -1 with a one-line reason in err; a failed loadvm leaves the
 * machine and its disks as they were. */
struct virt;
int virt_savevm(struct virt *, const char *name, char *err, size_t errlen);
int virt_loadvm(struct virt *, const char *name, char *err, size_t errlen);
int virt_delvm(struct virt *, const char *name, char *err, size_t errlen);
/* `info snapshots`: one line per snapshot in the folder (name, size, date)
 * into out (NUL-terminated, truncated to len). */
void virt_list_snapshots(struct virt *, char *out, size_t len);
/* The state hash (snapshot_state_hash): harts, clock, RAM, every device. */
uint64_t virt_state_hash(struct virt *);

/* The board virt_run builds (RAM, harts, the platform devices, -device's
 * devices) without firmware, images or a run loop, for the MMIO fuzz
 * harness (tests/fuzz/fuzz_mmio.c): its caller accesses the bus as harts
 * would. virt_board_step moves virtual time `ticks` forward (due timers
 * fire) and polls host input as the run loop does between slices; it
 * returns true once the guest stopped the machine (test finisher, quit). */
struct virt;
struct virt *virt_board_new(const struct virt_config *);
struct bus *virt_board_bus(struct virt *);
/* Main RAM through a raw pointer: every page counts as written (dirty). */
uint8_t *virt_board_ram(struct virt *);
/* The state hash computed from scratch (no page-hash cache): it must equal
 * virt_state_hash, which only hashes pages dirtied since its last call. */
uint64_t virt_board_state_hash_full(struct virt *);
bool virt_board_step(struct virt *, uint64_t ticks);
void virt_board_free(struct virt *);

/* The virt board's table (machine/board.h): the memory map, PLIC sources
 * and node writers, in device-tree order. */
struct board_row;
const struct board_row *virt_board_rows(unsigned *n);

#endif
