/* tests/fuzz/fuzz_cpu.c: the interpreter on arbitrary code, in any
 * privilege mode, under any page table and CSR state. The input is a
 * 64-byte header, then the RAM image:
 *    0 u8  privilege to start in (0 U, 1 S, 2-3 M)
 *    1 u8  satp: mode (bits 0-1: bare, Sv39, Sv48, Sv57), root page
 *          (bits 2-7, a page of RAM: the image's bytes are the PTEs)
 *    2 u8  ASID
 *    3 u8  interrupt lines at the start (MSI, MTI, MEI, SEI in bits 0-3)
 *    4 u16 mtvec offset in RAM (bit 0: vectored)    6 u16 stvec, the same
 *    8 u16 entry pc offset in RAM
 *   10 u16 medeleg   12 u16 mideleg   14 u16 mie
 *   16 u64 mstatus   24 u64 pmpcfg0   32 u64 pmpaddr0   40 u64 pmpaddr1
 *   48 u64 menvcfg (bits 8-15: senvcfg; bits 16-55, reserved in menvcfg:
 *          extensions to switch off, bit 16 + i = row i of cpu/riscv/ext.h
 *          if switchable: decoding and the CSRs follow the mask)
 *        56 u8 mcounteren  57 u8 scounteren
 *   58-63 u8 pmpcfg of PMP entries 8-13 (the L bit included); pmpaddr2-15
 *          are pmpaddr0 and pmpaddr1 shifted (entry i: pmpaddr(i & 1) >> (i / 2)),
 *          so TOR, NA4 and NAPOT ranges nest and overlap
 * CSRs are written as M-mode would (WARL rules apply), then the privilege
 * is set and the hart runs a few small slices with interrupt lines
 * toggled between them. RAM is 64 KiB at 0x80000000, WFI past the image,
 * so code that runs off its end or traps into the void stops at once.
 *
 * Whatever the bytes decode to (illegal encodings, every op, CSR accesses,
 * traps and returns between privilege levels, page walks through the
 * input's tables, accesses outside RAM, self-modifying code that
 * invalidates decoded blocks), each slice must end in a defined state: no
 * host access outside RAM (ASan), no hang (the fuzzer's timeout), and
 * never more instructions retired than the budget allows.
 *
 * Speed (issue #18: this ran at 3-11 inputs a second): one machine for
 * every input. Each input gets the hart reset (registers, CSRs, TLBs,
 * triggers, counters, interrupt lines), the decoded blocks dropped, and
 * RAM refilled: at 64 KiB the copy costs a few microseconds, less than
 * tracking dirty pages would. The budget (4 slices of 256 instructions)
 * and a trap-loop limit of 64 repeats (the machine's is 100000; traps
 * retire nothing, so only that limit ends a loop of them) keep an input
 * well under a millisecond. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/tcache.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (64u << 10)
#define HEADER 64
#define SLICES 4
#define BUDGET 256
#define WFI 0x10500073u

/* How far past its budget a slice may run: it ends at a block boundary. */
#define SLACK 4096

/* One machine for every run (see above): no state carries over from the
 * previous input. */
struct machine {
    struct bus bus;
    uint8_t *ram;
    uint8_t *wfi_fill;        /* RAM_SIZE bytes of WFI */
    struct rv_tcache *tc;
    struct rv_hart h;
};

static struct machine *machine(void)
{
    static struct machine *m;
    if (m)
        return m;
    m = calloc(1, sizeof *m);
    bus_init(&m->bus);
    m->ram = malloc(RAM_SIZE);
    m->wfi_fill = malloc(RAM_SIZE);
    for (unsigned i = 0; m->wfi_fill && i < RAM_SIZE; i += 4)
        memcpy(m->wfi_fill + i, &(uint32_t){ WFI }, 4);
    m->tc = rv_tcache_new(&m->bus);
    if (!m->ram || !m->wfi_fill || !m->tc || bus_map_ram(&m->bus, RAM_BASE, RAM_SIZE, "ram", m->ram) ||
        rv_hart_init(&m->h, &m->bus, m->tc, 0))
        abort();
    /* A trap that repeats at the same pc retires nothing, so the budget
     * does not end it: the machine's 100000 repeats would make such an
     * input cost 100 ms. 64 still shows the detector at work. */
    m->h.trap_loop_limit = 64;
    return m;
}

static uint64_t ld(const uint8_t *h, unsigned off, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)h[off + i] << (8 * i);
    return v;
}

static void csr(struct rv_hart *h, unsigned n, uint64_t v)
{
    rv_csr_debug(h, n, true, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct machine *m = machine();
    uint8_t hd[HEADER] = { 0 };
    memcpy(hd, data, size < HEADER ? size : HEADER);
    const uint8_t *image = data + (size < HEADER ? size : HEADER);
    size_t len = size < HEADER ? 0 : size - HEADER;
    memcpy(m->ram, m->wfi_fill, RAM_SIZE);
    memcpy(m->ram, image, len < RAM_SIZE ? len : RAM_SIZE);
    rv_tcache_invalidate(m->tc);   /* drop the last input's blocks */

    struct rv_hart *h = &m->h;
    static const unsigned lines[] = { RV_IRQ_MSI, RV_IRQ_MTI, RV_IRQ_MEI, RV_IRQ_SEI };
    for (unsigned i = 0; i < 4; i++)
        rv_hart_set_irq(h, lines[i], (hd[3] >> i) & 1);
    rv_hart_reset(h, RAM_BASE + (ld(hd, 8, 2) & (RAM_SIZE - 2)));
    h->icount = 0;
    h->cycle_offset = h->instret_offset = 0;
    h->tselect = 0;
    uint64_t ext = rv_ext_default(), off = ld(hd, 48, 8) >> 16 & ((1ull << 40) - 1);
    for (unsigned i = 0; i < RV_EXT_COUNT; i++)
        if ((off >> i & 1) && rv_ext_state(i) != RV_EXT_STATE_BASE)
            ext &= ~(1ull << i);
    rv_tcache_set_ext(m->tc, ext);
    csr(h, 0x300, ld(hd, 16, 8));                              /* mstatus */
    csr(h, 0x302, ld(hd, 10, 2));                              /* medeleg */
    csr(h, 0x303, ld(hd, 12, 2));                              /* mideleg */
    csr(h, 0x304, ld(hd, 14, 2));                              /* mie */
    csr(h, 0x305, RAM_BASE + (ld(hd, 4, 2) & (RAM_SIZE - 1))); /* mtvec */
    csr(h, 0x105, RAM_BASE + (ld(hd, 6, 2) & (RAM_SIZE - 1))); /* stvec */
    csr(h, 0x3a0, ld(hd, 24, 8));                              /* pmpcfg0 */
    csr(h, 0x3b0, ld(hd, 32, 8));                              /* pmpaddr0 */
    csr(h, 0x3b1, ld(hd, 40, 8));                              /* pmpaddr1 */
    for (unsigned i = 2; i < 16; i++)                          /* pmpaddr2-15 */
        csr(h, 0x3b0 + i, ld(hd, 32 + 8 * (i & 1), 8) >> (i / 2));
    csr(h, 0x3a2, ld(hd, 58, 6));                              /* pmpcfg2: entries 8-13 */
    csr(h, 0x30a, ld(hd, 48, 8));                              /* menvcfg */
    csr(h, 0x306, hd[56]);                                     /* mcounteren */
    csr(h, 0x106, hd[57]);                                     /* scounteren */
    csr(h, 0x10a, hd[49]);                                     /* senvcfg */
    static const uint64_t modes[] = { 0, 8, 9, 10 };
    csr(h, 0x180, modes[hd[1] & 3] << 60 | (uint64_t)hd[2] << 44 |
                      ((RAM_BASE >> 12) + (hd[1] >> 2) % (RAM_SIZE >> 12)));   /* satp */
    static const enum rv_priv privs[] = { RV_PRIV_U, RV_PRIV_S, RV_PRIV_M, RV_PRIV_M };
    rv_hart_set_priv(h, privs[hd[0] & 3]);

    for (unsigned s = 0; s < SLICES; s++) {
        uint64_t n = rv_hart_run(h, BUDGET);
        if (n > BUDGET + SLACK) {
            fprintf(stderr, "fuzz_cpu: slice retired %llu instructions of a %u budget\n",
                    (unsigned long long)n, BUDGET);
            abort();
        }
        if (h->trap_loop)
            break;
        /* Levels change only between slices, as devices do it. */
        rv_hart_set_irq(h, lines[s % 4], (s & 1) == 0);
    }
    if (getenv("FUZZ_CPU_SHOW"))   /* where a seed got to */
        fprintf(stderr, "fuzz_cpu: %llu instructions, priv %d pc %#llx mcause %#llx scause %#llx\n",
                (unsigned long long)h->icount, (int)h->priv, (unsigned long long)h->pc,
                (unsigned long long)h->mcause, (unsigned long long)h->scause);
    return 0;
}
