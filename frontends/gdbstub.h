/* frontends/gdbstub.h: gdb's remote protocol commands on the harts of a
 * machine: registers (with a target description), memory through a hart's
 * MMU, breakpoints and watchpoints (cpu/riscv/trigger.c), single step,
 * threads (one per hart, all-stop). No sockets: the server (gdb_server.c)
 * feeds it packets and sends what it writes, so the fuzz harness can
 * drive it with a machine of its own. */
#ifndef RIVET_GDBSTUB_H
#define RIVET_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "machine/reverse.h"

enum gdb_action {
    GDB_STAY,       /* stay stopped, wait for the next packet */
    GDB_CONTINUE,   /* resume the machine */
    GDB_DETACH,     /* points removed; resume and drop the connection */
    GDB_KILL,       /* stop the machine (rivet exits) */
};

/* Why the machine stopped, for the stop reply. */
enum gdb_stop_why { GDB_STOP_TRAP, GDB_STOP_INT };

struct gdbstub {
    struct rv_hart *harts;
    unsigned nharts;
    struct rv_tcache *tc;
    struct bus *bus;
    /* the connection: writes a whole packet (already framed) */
    void (*send)(void *ctx, const char *data, size_t len);
    void *send_ctx;
    /* monitor commands (the HMP monitor, frontends/monitor.h); NULL: answer
     * that there is no monitor */
    void (*monitor)(void *ctx, const char *cmd, void (*out)(void *octx, const char *text), void *octx);
    void *monitor_ctx;

    unsigned g_hart, c_hart, stop_hart;
    bool c_any;             /* the last Hc was -1 or 0 */
    enum gdb_stop_why stop_why;
    bool phys_mode;         /* Qqemu.PhyMemMode:1 */
    bool no_ack;            /* QStartNoAckMode */
    /* reverse execution (bs, bc; forward motion behind the head replays):
     * NULL with rev_why saying why not */
    struct reverse *rev;
    const char *rev_why;
    struct rv_dbg_point points[RV_DBG_MAX_POINTS]; /* to insert again into a rebuilt machine */
    unsigned npoints;
    char *xml;              /* the target description */
    size_t xml_len;
    char out[16384];        /* reply being built */
    size_t out_len;
    char frame[2 * 16384 + 8];
};

int gdbstub_init(struct gdbstub *);
void gdbstub_free(struct gdbstub *);
/* A (re)built machine: its harts, cache and bus; the points are inserted
 * again. */
void gdbstub_attach(struct gdbstub *, struct rv_hart *harts, unsigned nharts, struct rv_tcache *tc,
                    struct bus *bus);
/* A new connection: protocol state back to the start (acks on). */
void gdbstub_connected(struct gdbstub *);
/* The connection is gone: every point is removed. */
void gdbstub_disconnected(struct gdbstub *);
/* Handle one packet (payload without $ and checksum, NUL-terminated);
 * replies go through send. */
enum gdb_action gdbstub_packet(struct gdbstub *, const char *pkt, size_t len);
/* The machine stopped: hart stopped (dbg_stop says why) or, with
 * GDB_STOP_INT, was interrupted; sends the stop reply. */
void gdbstub_report_stop(struct gdbstub *, unsigned hart, enum gdb_stop_why);

#endif
