/* tests/fuzz/fuzz_state.c: device state streams (bus/state.c) loaded into
 * the platform devices, as a snapshot file will hand them over: the bytes
 * come from a file, so every field may be hostile. The first input byte
 * picks the device (PLIC, CLINT, 16550 UART, goldfish RTC); the rest is the
 * stream its state hook loads.
 *
 * Checked besides ASan/UBSan: a load that the reader accepted leaves a
 * device that answers register reads, claims (of sources that exist) and
 * completions, takes UART input, and saves again; a rejected load leaves a
 * device that can still be freed. */
#include <stdio.h>
#include <stdlib.h>

#include "bus/bus.h"
#include "bus/state.h"
#include "fuzz_input.h"
#include "machine/clint.h"
#include "machine/clock.h"
#include "machine/goldfish_rtc.h"
#include "machine/plic.h"
#include "machine/uart16550.h"

#define NHARTS 2

static void sink(void *opaque, unsigned n, bool level) { (void)opaque; (void)n; (void)level; }
static void tx(void *ctx, uint8_t b) { (void)ctx; (void)b; }

typedef void state_fn(void *dev, struct state *st);

/* Reads every 32-bit register in [0, size) with the given stride, and
 * writes each value back to its offset when write is set. */
static void poke(const struct bus_device_ops *ops, void *d, uint64_t size, uint64_t stride, bool write)
{
    for (uint64_t off = 0; off < size; off += stride) {
        uint64_t v = ops->read(d, off, 4);
        if (write)
            ops->write(d, off, v, 4);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    unsigned which = fin_u8(&in) % 4;
    struct irq_line a[NHARTS], b[NHARTS];
    for (unsigned i = 0; i < NHARTS; i++) {
        a[i] = (struct irq_line){ sink, NULL, i };
        b[i] = (struct irq_line){ sink, NULL, NHARTS + i };
    }
    struct vclock clock;
    vclock_init(&clock);
    void *dev;
    state_fn *fn;
    void (*free_fn)(void *);
    switch (which) {
    case 0:
        dev = plic_new(NHARTS, a, b);
        fn = (state_fn *)plic_state;
        free_fn = (void (*)(void *))plic_free;
        break;
    case 1:
        dev = clint_new(&clock, NHARTS, a, b);
        fn = (state_fn *)clint_state;
        free_fn = (void (*)(void *))clint_free;
        break;
    case 2:
        dev = uart16550_new(a[0], tx, NULL);
        fn = (state_fn *)uart16550_state;
        free_fn = (void (*)(void *))uart16550_free;
        break;
    default:
        dev = goldfish_rtc_new(&clock, 0, a[0]);
        fn = (state_fn *)goldfish_rtc_state;
        free_fn = (void (*)(void *))goldfish_rtc_free;
        break;
    }
    if (!dev)
        abort();

    struct state st;
    state_init_load(&st, in.p, in.n);
    fn(dev, &st);
    bool ok = state_ok(&st, true);
    state_free(&st);

    if (ok) {
        switch (which) {
        case 0:
            poke(&plic_ops, dev, 0x3000, 4, false);            /* priorities, pending, enables */
            for (unsigned ctx = 0; ctx < 2 * NHARTS; ctx++) {
                uint64_t base = 0x200000 + 0x1000 * (uint64_t)ctx;
                uint64_t id = plic_ops.read(dev, base + 4, 4);  /* claim */
                if (id > PLIC_NDEV) {
                    fprintf(stderr, "fuzz_state: PLIC claim of a source that does not exist\n");
                    abort();
                }
                plic_ops.write(dev, base + 4, id, 4);          /* complete */
            }
            break;
        case 1:
            poke(&clint_ops, dev, 4 * NHARTS, 4, true);
            poke(&clint_ops, dev, 0x4000 + 8 * NHARTS, 0x4000, false);
            clint_ops.read(dev, 0xbff8, 8);
            vclock_advance(&clock, 1000);
            break;
        case 2: {
            static const uint8_t bytes[20] = "hostile state bytes";
            uart16550_receive(dev, bytes, sizeof bytes);
            poke(&uart16550_ops, dev, 8, 1, false);
            poke(&uart16550_ops, dev, 8, 1, false);
            break;
        }
        default:
            poke(&goldfish_rtc_ops, dev, 0x20, 4, false);
            vclock_advance(&clock, 1000);
            break;
        }
        struct state again;
        state_init_save(&again);
        fn(dev, &again);
        if (!state_ok(&again, false)) {
            fprintf(stderr, "fuzz_state: a loaded device does not save again\n");
            abort();
        }
        state_free(&again);
    }
    free_fn(dev);
    return 0;
}
