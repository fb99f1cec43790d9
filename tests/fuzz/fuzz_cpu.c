/* tests/fuzz/fuzz_cpu.c: the interpreter on arbitrary code. 1 MiB of RAM
 * at 0x80000000 starts as a copy of the input; one hart resets into it in
 * M-mode and runs a few bounded slices. Whatever the bytes decode to
 * (illegal encodings, every op, CSR writes with random values including
 * satp/mstatus/pmp, traps and returns between privilege levels, page
 * walks through random page tables, loads, stores and jumps to unmapped
 * addresses, self-modifying code that invalidates decoded blocks), the
 * hart must end each slice in a defined state: no host access outside the
 * RAM buffer (ASan), no hang (the fuzzer's timeout), and never more
 * instructions retired than the budget allows. WFI is woken by toggling
 * interrupt lines between slices, so interrupt entry is covered too. (No
 * devices: an access outside RAM must become an access fault.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "cpu/riscv/tcache.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define SLICES 4
#define BUDGET 10000
#define WFI 0x10500073u

/* How far past its budget a slice may run: it ends at a block boundary. */
#define SLACK 4096

/* For replay.c under `make test`: a run can take 100000 instructions. */
const unsigned fuzz_replay_inputs = 600;

/* One machine for every run: a fresh translation cache (a 64 MiB arena)
 * and fresh RAM per input cost far more than the run itself. Each input
 * gets a flushed cache, a re-initialised hart and refilled RAM, so no
 * state carries over from the previous input. */
struct machine {
    struct bus bus;
    uint8_t *ram;
    uint8_t *wfi_fill;        /* RAM_SIZE bytes of WFI */
    struct rv_tcache *tc;
    struct rv_hart h;
    bool hart_live;
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
    if (!m->ram || !m->wfi_fill || !m->tc || bus_map_ram(&m->bus, RAM_BASE, RAM_SIZE, "ram", m->ram))
        abort();
    return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct machine *m = machine();
    /* Past the input, WFI: code that runs off its end (or traps into the
     * void) ends the slice at once instead of trapping 100000 times before
     * the trap-loop detector stops it, which keeps the fuzzer fast. */
    memcpy(m->ram, m->wfi_fill, RAM_SIZE);
    memcpy(m->ram, data, size < RAM_SIZE ? size : RAM_SIZE);
    rv_tcache_code_written(m->tc, RAM_BASE);   /* drop the last input's blocks */

    struct rv_hart *h = &m->h;
    if (m->hart_live)
        rv_hart_destroy(h);
    if (rv_hart_init(h, &m->bus, m->tc, 0))
        abort();
    m->hart_live = true;
    rv_hart_reset(h, RAM_BASE);
    /* A trap handler somewhere in the input (the code may move it). */
    h->mtvec = RAM_BASE + ((size > 1 ? data[1] : 0) << 4);

    static const unsigned lines[] = { RV_IRQ_MSI, RV_IRQ_MTI, RV_IRQ_MEI, RV_IRQ_SEI };
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
    return 0;
}
