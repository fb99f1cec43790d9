/* tests/fuzz/fuzz_gdb.c: gdb's remote protocol from a hostile client. The
 * input is the byte stream a client sends: it goes through the framing
 * (frontends/gdb_rsp.c) byte by byte, and every complete packet to the
 * stub (frontends/gdbstub.c) on two harts over 64 KiB of RAM at
 * 0x80000000 holding a small loop. A continue runs each hart for at most
 * 500 instructions (so breakpoints, watchpoints and steps act on the
 * cpu); a kill or detach ends the input.
 *
 * Checked besides ASan/UBSan: every reply is a well-formed packet (`$`,
 * payload, `#`, two hex digits matching the checksum). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "frontends/gdb_rsp.h"
#include "frontends/gdbstub.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u

const unsigned fuzz_replay_inputs = 3000; /* each input sets up two harts */

/* loop: addi a0,a0,1; sd a0,0(a1); ld a2,8(a1); j loop */
static const uint32_t prog[] = { 0x00150513, 0x00a5b023, 0x0085b603, 0xff5ff06f };

static void check_reply(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    if (len == 1 && (data[0] == '+' || data[0] == '-'))
        return;
    if (len < 4 || data[0] != '$' || data[len - 3] != '#')
        abort();
    uint8_t sum = 0;
    for (size_t i = 1; i < len - 3; i++)
        sum += (uint8_t)data[i];
    if (rsp_hex_val(data[len - 2]) * 16 + rsp_hex_val(data[len - 1]) != sum)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct rsp_rx rx;
    static struct gdbstub s;
    struct bus bus;
    bus_init(&bus);
    uint8_t *ram = calloc(1, RAM_SIZE);
    bus_map_ram(&bus, RAM_BASE, RAM_SIZE, "ram", ram);
    memcpy(ram, prog, sizeof prog);
    struct rv_tcache *tc = rv_tcache_new(&bus);
    struct rv_hart *h = calloc(2, sizeof *h);
    for (unsigned i = 0; i < 2; i++) {
        rv_hart_init(&h[i], &bus, tc, i);
        rv_hart_reset(&h[i], RAM_BASE);
        h[i].x[11] = RAM_BASE + 0x800;
    }
    gdbstub_init(&s);
    s.send = check_reply;
    gdbstub_attach(&s, h, 2, tc, &bus);
    rsp_rx_init(&rx);
    bool done = false;
    for (size_t i = 0; i < size && !done; i++) {
        enum rsp_event ev = rsp_feed(&rx, data[i]);
        if (ev != RSP_PACKET)
            continue;
        switch (gdbstub_packet(&s, rx.buf, rx.len)) {
        case GDB_CONTINUE:
            for (unsigned k = 0; k < 2; k++) {
                rv_hart_run(&h[k], 500);
                if (h[k].dbg_stop.hit) {
                    gdbstub_report_stop(&s, k, GDB_STOP_TRAP);
                    break;
                }
            }
            break;
        case GDB_KILL:
        case GDB_DETACH:
            done = true;
            break;
        case GDB_STAY:
            break;
        }
    }
    gdbstub_free(&s);
    for (unsigned i = 0; i < 2; i++)
        rv_hart_destroy(&h[i]);
    free(h);
    rv_tcache_free(tc);
    bus_free(&bus);
    free(ram);
    return 0;
}
