/* bus/trace.h: `-d ITEM,...` tracing, for every layer.
 *
 * One process-wide mask says which items are on; a hook is
 *
 *     if (TRACE_ON(TRACE_MMIO))
 *         trace_printf("mmio: ...\n", ...);
 *
 * placed only on slow paths (block decode, trap entry, page walks, device
 * calls, virtio, interrupt lines), so tracing off costs one predictable
 * branch where it is checked at all. It lives in bus/ so that every layer
 * can call it without including an upper one.
 *
 * The trace goes to stderr or to the -D file. A write that fails (a full
 * disk) prints one message on stderr and turns tracing off; the guest runs
 * on.
 */
#ifndef RIVET_TRACE_H
#define RIVET_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* QEMU's item names where they exist, then rivet's own. */
#define TRACE_ITEMS(X) \
    X(IN_ASM, "in_asm", "each block's guest code (objdump syntax) when it is first decoded") \
    X(EXEC, "exec", "each block executed: hart, pc, instructions retired before it") \
    X(CPU, "cpu", "the registers at the entry of each block executed") \
    X(INT, "int", "every trap and interrupt: hart, cause, tval, epc, from and to privilege") \
    X(MMU, "mmu", "page-table walks (translations and faults)") \
    X(GUEST_ERRORS, "guest_errors", "the guest did something undefined (access to nothing, bad ring, ...)") \
    X(UNIMP, "unimp", "the guest used something rivet does not implement (a CSR, a register)") \
    X(MMIO, "mmio", "every device access: device, offset, size, value") \
    X(VIRTIO, "virtio", "virtio notifications, descriptors popped and pushed, interrupts") \
    X(IRQ, "irq", "interrupt line changes (device to PLIC, PLIC and CLINT to harts)")

enum trace_item {
#define TRACE_ENUM(id, name, help) TRACE_##id,
    TRACE_ITEMS(TRACE_ENUM)
#undef TRACE_ENUM
    TRACE_NITEMS
};

/* Bit (1 << item) is set while that item is traced. */
extern unsigned trace_mask;

#define TRACE_ON(item) __builtin_expect((trace_mask >> (item)) & 1, 0)

/* Parses "in_asm,int,..." into a mask. Returns 0, or -1 with a message
 * (naming the bad item) in err. */
int trace_parse_items(const char *list, unsigned *mask, char *err, size_t errlen);
/* Parses QEMU's -dfilter list: ranges "START..END" (inclusive) or
 * "START+SIZE", comma-separated, numbers in C syntax (0x...). Replaces the
 * filter. Returns 0, or -1 with a message in err. */
int trace_parse_filter(const char *spec, char *err, size_t errlen);
/* Lists the items on f (for -d help). */
void trace_help(FILE *f);

/* Opens `path` (NULL: stderr) and turns on `mask`. Returns 0, or -1 after
 * printing one line on stderr (a file that cannot be written). */
int trace_start(unsigned mask, const char *path);
/* Flushes and closes the trace (also run at exit). */
void trace_stop(void);

/* True when pc passes the -dfilter (or there is none): for items tied to
 * guest code (in_asm, exec, cpu, int, mmu). */
bool trace_pc_ok(uint64_t pc);

/* Appends to the trace. */
void trace_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Appends raw text. */
void trace_puts(const char *s);

#endif
