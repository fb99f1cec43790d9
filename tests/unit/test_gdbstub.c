/* tests/unit/test_gdbstub.c: gdb's remote protocol framing (gdb_rsp.c) and
 * the stub's commands (gdbstub.c) on two real harts over 64 KiB of RAM:
 * registers and CSRs, memory through the MMU and physically, breakpoints
 * stopping before the instruction (also in code already decoded, and in
 * U-mode), watchpoints stopping after the access, single step, threads,
 * and malformed packets answered with errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bus/bus.h"
#include "cpu/riscv/hart.h"
#include "frontends/gdb_rsp.h"
#include "frontends/gdbstub.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u
#define DATA (RAM_BASE + 0x800)

/* loop: addi a0,a0,1; sd a0,0(a1); ld a2,8(a1); j loop */
static const uint32_t prog[] = { 0x00150513, 0x00a5b023, 0x0085b603, 0xff5ff06f };

struct fx {
    struct bus bus;
    uint8_t *ram;
    struct rv_tcache *tc;
    struct rv_hart h[2];
    struct gdbstub s;
    char sent[65536];
    size_t sent_len;
    char reply[32768];
};

static void capture(void *ctx, const char *data, size_t len)
{
    struct fx *f = ctx;
    if (f->sent_len + len < sizeof f->sent) {
        memcpy(f->sent + f->sent_len, data, len);
        f->sent_len += len;
    }
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    bus_init(&f->bus);
    f->ram = calloc(1, RAM_SIZE);
    assert_int_equal(bus_map_ram(&f->bus, RAM_BASE, RAM_SIZE, "ram", f->ram), 0);
    memcpy(f->ram, prog, sizeof prog);
    f->tc = rv_tcache_new(&f->bus);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(rv_hart_init(&f->h[i], &f->bus, f->tc, i), 0);
        rv_hart_reset(&f->h[i], RAM_BASE);
        f->h[i].x[11] = DATA;
        /* PMP entry 0 over all memory, as firmware opens it: S/U-mode code
         * runs (PMP is enforced: with no entry, S and U may touch nothing) */
        uint64_t v = ~0ull;
        assert_int_equal(rv_csr_debug(&f->h[i], 0x3b0, true, &v), 0);
        v = 0x1f;
        assert_int_equal(rv_csr_debug(&f->h[i], 0x3a0, true, &v), 0);
    }
    assert_int_equal(gdbstub_init(&f->s), 0);
    f->s.send = capture;
    f->s.send_ctx = f;
    gdbstub_attach(&f->s, f->h, 2, f->tc, &f->bus);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    gdbstub_free(&f->s);
    for (unsigned i = 0; i < 2; i++)
        rv_hart_destroy(&f->h[i]);
    rv_tcache_free(f->tc);
    bus_free(&f->bus);
    free(f->ram);
    free(f);
    return 0;
}

/* Send a packet; returns the payload of the last reply ("" when none). */
static const char *pkt(struct fx *f, const char *p, enum gdb_action *act)
{
    f->sent_len = 0;
    enum gdb_action a = gdbstub_packet(&f->s, p, strlen(p));
    if (act)
        *act = a;
    f->reply[0] = 0;
    f->sent[f->sent_len] = 0;
    char *start = strrchr(f->sent, '$');
    if (start) {
        char *end = strrchr(start, '#');
        assert_non_null(end);
        assert_true(end + 3 == f->sent + f->sent_len); /* two checksum digits */
        memcpy(f->reply, start + 1, (size_t)(end - start - 1));
        f->reply[end - start - 1] = 0;
    }
    return f->reply;
}

static uint64_t hex_le(const char *s, unsigned bytes)
{
    uint8_t b[8];
    assert_int_equal(rsp_hex_decode(s, bytes, b), 0);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static void feed(struct rsp_rx *rx, const char *s, size_t n, enum rsp_event *last)
{
    for (size_t i = 0; i < n; i++) {
        enum rsp_event e = rsp_feed(rx, (uint8_t)s[i]);
        if (e != RSP_NONE)
            *last = e;
    }
}

static void test_framing(void **state)
{
    (void)state;
    struct rsp_rx *rx = malloc(sizeof *rx);
    rsp_rx_init(rx);
    enum rsp_event e = RSP_NONE;
    feed(rx, "+$g#67", 6, &e);
    assert_int_equal(e, RSP_PACKET);
    assert_string_equal(rx->buf, "g");
    e = RSP_NONE;
    feed(rx, "$g#68", 5, &e);
    assert_int_equal(e, RSP_BAD);
    e = RSP_NONE;
    feed(rx, "$g#zz", 4, &e); /* bad digit */
    assert_int_equal(e, RSP_BAD);
    assert_int_equal(rsp_feed(rx, 0x03), RSP_INTERRUPT);
    assert_int_equal(rsp_feed(rx, '-'), RSP_NAK);
    /* a restart inside a packet drops the partial one */
    e = RSP_NONE;
    feed(rx, "$mxx$?#3f", 9, &e);
    assert_int_equal(e, RSP_PACKET);
    assert_string_equal(rx->buf, "?");
    /* too long: refused, and the next packet is fine */
    char *big = malloc(RSP_MAX_PACKET + 100);
    memset(big, 'a', RSP_MAX_PACKET + 100);
    big[0] = '$';
    e = RSP_NONE;
    feed(rx, big, RSP_MAX_PACKET + 100, &e);
    feed(rx, "#00", 3, &e);
    assert_int_equal(e, RSP_BAD);
    e = RSP_NONE;
    feed(rx, "$g#67", 5, &e);
    assert_int_equal(e, RSP_PACKET);
    free(big);

    /* escapes, and the checksum over the escaped bytes */
    char out[64];
    size_t n = rsp_encode("a#b$c}d*e", 9, out, sizeof out);
    out[n] = 0;
    assert_string_equal(out, "$a}\x03" "b}\x04" "c}]d}\x0a" "e#51");
    feed(rx, out, n, &e);
    assert_int_equal(e, RSP_PACKET);
    assert_int_equal(rsp_encode("abcdef", 6, out, 8), 0); /* does not fit */
    uint64_t v;
    const char *p = "1234abcdef,";
    assert_int_equal(rsp_parse_hex(&p, &v), 0);
    assert_int_equal(v, 0x1234abcdefull);
    assert_int_equal(*p, ',');
    p = "11112222333344445";
    assert_int_equal(rsp_parse_hex(&p, &v), -1);
    p = ",";
    assert_int_equal(rsp_parse_hex(&p, &v), -1);
    free(rx);
}

static void test_registers(void **state)
{
    struct fx *f = *state;
    f->h[0].x[10] = 0x1122334455667788ull;
    const char *r = pkt(f, "g", NULL);
    assert_int_equal(strlen(r), 33 * 16);
    assert_int_equal(hex_le(r + 10 * 16, 8), 0x1122334455667788ull);
    assert_int_equal(hex_le(r + 32 * 16, 8), RAM_BASE);
    assert_string_equal(pkt(f, "P5=efbeadde00000000", NULL), "OK"); /* t0 */
    assert_int_equal(f->h[0].x[5], 0xdeadbeef);
    assert_string_equal(pkt(f, "P0=0100000000000000", NULL), "OK"); /* x0 stays 0 */
    assert_int_equal(hex_le(pkt(f, "p0", NULL), 8), 0);
    /* CSRs at 65 + number: mstatus 0x300, mhartid, fflags (4 bytes) */
    f->h[1].x[1] = 7;
    assert_string_equal(pkt(f, "Hg2", NULL), "OK");
    assert_int_equal(hex_le(pkt(f, "p1", NULL), 8), 7);
    assert_int_equal(hex_le(pkt(f, "pf55", NULL), 8), 1);    /* mhartid of hart 1 */
    assert_string_equal(pkt(f, "Hg1", NULL), "OK");
    assert_string_equal(pkt(f, "P341=0800000000000000", NULL), "OK"); /* mstatus.MIE */
    assert_int_equal(f->h[0].mstatus & MSTATUS_MIE, MSTATUS_MIE);
    assert_int_equal(strlen(pkt(f, "p42", NULL)), 8);        /* fflags: 32 bits */
    /* $priv */
    assert_int_equal(hex_le(pkt(f, "p1041", NULL), 8), 3);
    assert_string_equal(pkt(f, "P1041=0100000000000000", NULL), "OK");
    assert_int_equal(f->h[0].priv, RV_PRIV_S);
    assert_string_equal(pkt(f, "P1041=0200000000000000", NULL), "E01"); /* reserved mode */
    assert_string_equal(pkt(f, "P1041=0300000000000000", NULL), "OK");
    /* tdata1 through gdb reaches the trigger CSRs */
    assert_int_equal(hex_le(pkt(f, "p7e2", NULL), 8) >> 60, 2);
    /* target description */
    r = pkt(f, "qXfer:features:read:target.xml:0,ffff", NULL);
    assert_int_equal(r[0], 'l');
    assert_non_null(strstr(r, "org.gnu.gdb.riscv.cpu"));
    assert_non_null(strstr(r, "org.gnu.gdb.riscv.fpu"));
    assert_non_null(strstr(r, "<reg name=\"satp\" bitsize=\"64\" type=\"int\" regnum=\"449\""));
    assert_non_null(strstr(r, "org.gnu.gdb.riscv.virtual"));
    r = pkt(f, "qXfer:features:read:target.xml:10,20", NULL);
    assert_int_equal(r[0], 'm');
    assert_int_equal(strlen(r), 0x21);
}

static void test_memory(void **state)
{
    struct fx *f = *state;
    assert_string_equal(pkt(f, "m80000000,4", NULL), "13051500");
    assert_string_equal(pkt(f, "M80000800,4:01020304", NULL), "OK");
    assert_int_equal(f->ram[0x800], 1);
    assert_int_equal(f->ram[0x803], 4);
    assert_string_equal(pkt(f, "m0,4", NULL), "E14");                 /* nothing mapped */
    assert_string_equal(pkt(f, "mfffffffffffffffe,10", NULL), "E14"); /* wraps */
    /* a range leaving RAM: the part inside */
    assert_int_equal(strlen(pkt(f, "m8000fffe,10", NULL)), 4);
    assert_string_equal(pkt(f, "M8000fffe,4:01020304", NULL), "E14");  /* all or nothing */
    assert_int_equal(f->ram[0xfffe], 0);
    /* X: binary data, '}' escapes the next byte (XOR 0x20); a NUL is data */
    assert_string_equal(pkt(f, "X80000000,0:", NULL), "OK");            /* gdb's probe */
    static const char xpkt[] = "X80000810,5:a\0}]}\x03" "b";            /* a, 0, '}', '#', b */
    f->sent_len = 0;
    assert_int_equal(gdbstub_packet(&f->s, xpkt, sizeof xpkt - 1), GDB_STAY);
    f->sent[f->sent_len] = 0;
    assert_non_null(strstr(f->sent, "$OK#"));
    assert_memory_equal(f->ram + 0x810, "a\0}#b", 5);
    assert_string_equal(pkt(f, "X8000fffe,4:abcd", NULL), "E14");      /* all or nothing */
    assert_int_equal(f->ram[0xfffe], 0);
    /* through the MMU: Sv39 with a root table of zeroes maps nothing in S-mode */
    f->h[0].satp = (8ull << 60) | ((RAM_BASE + 0x4000) >> 12);
    f->h[0].priv = RV_PRIV_S;
    assert_string_equal(pkt(f, "m80000000,4", NULL), "E14");
    /* a 1 GiB leaf at VA 0 -> PA 0x80000000, no permissions beyond V */
    uint64_t pte = ((RAM_BASE >> 12) << 10) | 1 | 2;
    memcpy(f->ram + 0x4000, &pte, 8);
    assert_string_equal(pkt(f, "m0,4", NULL), "13051500");
    /* the debugger's walk sets no A/D bits */
    uint64_t now;
    memcpy(&now, f->ram + 0x4000, 8);
    assert_int_equal(now, pte);
    /* physical mode */
    assert_string_equal(pkt(f, "Qqemu.PhyMemMode:1", NULL), "OK");
    assert_string_equal(pkt(f, "qqemu.PhyMemMode", NULL), "1");
    assert_string_equal(pkt(f, "m80000000,4", NULL), "13051500");
    assert_string_equal(pkt(f, "m0,4", NULL), "E14");
    assert_string_equal(pkt(f, "Qqemu.PhyMemMode:0", NULL), "OK");
    f->h[0].priv = RV_PRIV_M;
}

static void test_breakpoints(void **state)
{
    struct fx *f = *state;
    struct rv_hart *h = &f->h[0];
    /* the loop runs once without breakpoints: its block is decoded */
    rv_hart_run(h, 8);
    assert_false(h->dbg_stop.hit);
    uint64_t a0 = h->x[10];
    assert_true(a0 >= 2);
    enum gdb_action act;
    assert_string_equal(pkt(f, "Z0,80000008,4", NULL), "OK");
    assert_string_equal(pkt(f, "c", &act), "");
    assert_int_equal(act, GDB_CONTINUE);
    rv_hart_run(h, 1000);
    assert_true(h->dbg_stop.hit);
    assert_int_equal(h->pc, RAM_BASE + 8); /* before the instruction */
    gdbstub_report_stop(&f->s, 0, GDB_STOP_TRAP);
    assert_non_null(strstr(f->sent, "T05thread:1;"));
    /* step: over the breakpoint, one instruction */
    assert_string_equal(pkt(f, "vCont;s:1;c", &act), "T05thread:1;");
    assert_int_equal(act, GDB_STAY);
    assert_int_equal(h->pc, RAM_BASE + 12);
    assert_string_equal(pkt(f, "s", NULL), "T05thread:1;");
    assert_int_equal(h->pc, RAM_BASE);
    /* a step runs its hart alone: the other one does not move */
    uint64_t pc0 = h->pc, n0 = h->icount, pc1 = f->h[1].pc, n1 = f->h[1].icount;
    assert_string_equal(pkt(f, "vCont;s:2;c", NULL), "T05thread:2;");
    assert_int_equal(f->h[1].pc, pc1 + 4);
    assert_int_equal(f->h[1].icount, n1 + 1);
    assert_int_equal(h->pc, pc0);
    assert_int_equal(h->icount, n0);
    assert_string_equal(pkt(f, "vCont;s:1;c", NULL), "T05thread:1;");
    assert_int_equal(h->pc, pc0 + 4);
    assert_int_equal(f->h[1].pc, pc1 + 4);
    assert_int_equal(f->h[1].icount, n1 + 1);
    /* U-mode code stops too, on either hart */
    rv_hart_set_priv(&f->h[1], RV_PRIV_U);
    rv_hart_run(&f->h[1], 1000);
    assert_true(f->h[1].dbg_stop.hit);
    assert_int_equal(f->h[1].pc, RAM_BASE + 8);
    assert_string_equal(pkt(f, "z0,80000008,4", NULL), "OK");
    assert_string_equal(pkt(f, "z0,80000008,4", NULL), "E01"); /* gone */
    rv_hart_run(h, 1000);
    assert_false(h->dbg_stop.hit);

    /* hardware breakpoint */
    assert_string_equal(pkt(f, "Z1,80000004,4", NULL), "OK");
    rv_hart_run(h, 1000);
    assert_true(h->dbg_stop.hit);
    assert_int_equal(h->pc, RAM_BASE + 4);
    assert_string_equal(pkt(f, "z1,80000004,4", NULL), "OK");

    /* write watchpoint: stops after the store, reports the address */
    uint64_t before = h->x[10];
    assert_string_equal(pkt(f, "Z2,80000800,8", NULL), "OK");
    rv_hart_run(h, 1000);
    assert_true(h->dbg_stop.hit);
    assert_int_equal(h->pc, RAM_BASE + 8);
    uint64_t mem;
    memcpy(&mem, f->ram + 0x800, 8);
    assert_int_equal(mem, before); /* the store happened */
    assert_int_equal(mem, h->x[10]);
    gdbstub_report_stop(&f->s, 0, GDB_STOP_TRAP);
    assert_non_null(strstr(f->sent, "T05watch:80000800;thread:1;"));
    assert_string_equal(pkt(f, "z2,80000800,8", NULL), "OK");
    /* read watchpoint on the word the loop loads */
    assert_string_equal(pkt(f, "Z3,80000808,8", NULL), "OK");
    rv_hart_run(h, 1000);
    assert_true(h->dbg_stop.hit);
    assert_int_equal(h->pc, RAM_BASE + 12);
    gdbstub_report_stop(&f->s, 0, GDB_STOP_TRAP);
    assert_non_null(strstr(f->sent, "rwatch:80000808;"));
    /* stepping onto a watched access reports it after the access */
    h->pc = RAM_BASE + 8;
    assert_string_equal(pkt(f, "s", NULL), "T05rwatch:80000808;thread:1;");
    assert_int_equal(h->pc, RAM_BASE + 12);
    /* a disconnect removes everything */
    gdbstub_disconnected(&f->s);
    rv_hart_run(h, 1000);
    assert_false(h->dbg_stop.hit);
    /* Ctrl-C stop reply */
    gdbstub_report_stop(&f->s, 1, GDB_STOP_INT);
    assert_string_equal(pkt(f, "?", NULL), "T02thread:2;");
}

static void test_threads_and_queries(void **state)
{
    struct fx *f = *state;
    assert_string_equal(pkt(f, "qfThreadInfo", NULL), "m1,2");
    assert_string_equal(pkt(f, "qsThreadInfo", NULL), "l");
    assert_string_equal(pkt(f, "T2", NULL), "OK");
    assert_string_equal(pkt(f, "T3", NULL), "E01");
    assert_string_equal(pkt(f, "Hc-1", NULL), "OK");
    assert_string_equal(pkt(f, "Hg0", NULL), "OK");
    assert_string_equal(pkt(f, "Hg2", NULL), "OK");
    assert_string_equal(pkt(f, "qC", NULL), "QC2");
    assert_non_null(strstr(pkt(f, "qSupported:multiprocess+;swbreak+", NULL), "qXfer:features:read+"));
    assert_string_equal(pkt(f, "vCont?", NULL), "vCont;c;C;s;S");
    assert_string_equal(pkt(f, "qAttached", NULL), "1");
    /* qThreadExtraInfo: hex of "hart 1, M-mode" */
    const char *r = pkt(f, "qThreadExtraInfo,2", NULL);
    char text[64] = { 0 };
    assert_int_equal(rsp_hex_decode(r, strlen(r) / 2, (uint8_t *)text), 0);
    assert_string_equal(text, "hart 1, M-mode");
    /* monitor: says there is none, then OK */
    f->sent_len = 0;
    assert_string_equal(pkt(f, "qRcmd,68656c70", NULL), "OK"); /* "help" */
    assert_non_null(strstr(f->sent, "$O"));
    char *o = strstr(f->sent, "$O") + 2;
    memset(text, 0, sizeof text);
    rsp_hex_decode(o, 40, (uint8_t *)text);
    assert_non_null(strstr(text, "no monitor yet"));
    enum gdb_action act;
    pkt(f, "vKill;1", &act);
    assert_int_equal(act, GDB_KILL);
    pkt(f, "D", &act);
    assert_int_equal(act, GDB_DETACH);
}

static void test_malformed(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        "m", "mzz,1", "m1,", "m1,2x", "M1,2", "M80000000,2:0", "M80000000,2:zzzz",
        "M80000000,ffffffff:00", "Z9,0,0", "Z0,", "Z2,80000800,0", "Z2,80000800,100000",
        "Zq", "z0,1,1", "P", "P1000=00", "P1=00", "Pz=00", "p", "p99999", "Hx1", "Hg99", "Hg",
        "vCont;x", "vCont;s:9", "vCont;", "qXfer:features:read:foo.xml:0,10",
        "qXfer:features:read:target.xml:zz", "G00", "c zz", "qThreadExtraInfo,9", "qRcmd,6", "qRcmd,zz",
        "T", "mffffffffffffffffff,1", "X80000800,2:a", "X80000800,1:ab", "X80000800,1:}", "X1", "X80000800,1",
        "X80000800,ffffffff:a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum gdb_action act;
        const char *r = pkt(f, bad[i], &act);
        assert_int_equal(act, GDB_STAY);
        if (!(r[0] == 'E' || r[0] == 0))
            fail_msg("%s answered %s", bad[i], r);
    }
    /* unknown packets: the empty reply */
    assert_string_equal(pkt(f, "vFoo", NULL), "");
    /* a NUL inside a packet */
    f->sent_len = 0;
    assert_int_equal(gdbstub_packet(&f->s, "g\0g", 3), GDB_STAY);
    /* a long read is cut to what fits, never more */
    assert_true(strlen(pkt(f, "m80000000,100000", NULL)) <= 2 * 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framing),
        cmocka_unit_test_setup_teardown(test_registers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breakpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads_and_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
