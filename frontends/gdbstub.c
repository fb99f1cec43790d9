/* frontends/gdbstub.c: gdb's remote protocol commands on rivet's harts.
 *
 * Register numbers (as in the target description): x0-x31 0-31, pc 32,
 * f0-f31 33-64, CSR n at 65 + n (fflags 66, frm 67, fcsr 68 in the fpu
 * feature), $priv at 65 + 4096 (org.gnu.gdb.riscv.virtual). Thread ids are
 * hart numbers + 1. Memory is read as the selected hart sees it (its MMU,
 * without A/D updates or permission checks), or physically after
 * `maintenance packet Qqemu.PhyMemMode:1`; only RAM (and ROM) is
 * reachable, a device or an unmapped page is an error (E14).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/gdb_rsp.h"
#include "frontends/gdbstub.h"

#define REG_PC 32
#define REG_F0 33
#define REG_CSR0 65
#define REG_PRIV (REG_CSR0 + 4096)
#define MAX_MEM 4096

static const struct { const char *name; unsigned num; } csrs[] = {
    { "cycle", 0xc00 }, { "time", 0xc01 }, { "instret", 0xc02 },
    { "sstatus", 0x100 }, { "sie", 0x104 }, { "stvec", 0x105 }, { "scounteren", 0x106 },
    { "senvcfg", 0x10a }, { "sscratch", 0x140 }, { "sepc", 0x141 }, { "scause", 0x142 },
    { "stval", 0x143 }, { "sip", 0x144 }, { "stimecmp", 0x14d }, { "satp", 0x180 },
    { "mvendorid", 0xf11 }, { "marchid", 0xf12 }, { "mimpid", 0xf13 }, { "mhartid", 0xf14 },
    { "mconfigptr", 0xf15 },
    { "mstatus", 0x300 }, { "misa", 0x301 }, { "medeleg", 0x302 }, { "mideleg", 0x303 },
    { "mie", 0x304 }, { "mtvec", 0x305 }, { "mcounteren", 0x306 }, { "menvcfg", 0x30a },
    { "mcountinhibit", 0x320 }, { "mscratch", 0x340 }, { "mepc", 0x341 }, { "mcause", 0x342 },
    { "mtval", 0x343 }, { "mip", 0x344 },
    { "pmpcfg0", 0x3a0 }, { "pmpcfg2", 0x3a2 },
    { "pmpaddr0", 0x3b0 }, { "pmpaddr1", 0x3b1 }, { "pmpaddr2", 0x3b2 }, { "pmpaddr3", 0x3b3 },
    { "pmpaddr4", 0x3b4 }, { "pmpaddr5", 0x3b5 }, { "pmpaddr6", 0x3b6 }, { "pmpaddr7", 0x3b7 },
    { "mcycle", 0xb00 }, { "minstret", 0xb02 },
    { "tselect", 0x7a0 }, { "tdata1", 0x7a1 }, { "tdata2", 0x7a2 }, { "tdata3", 0x7a3 },
    { "tinfo", 0x7a4 },
};
#define NCSRS (sizeof csrs / sizeof csrs[0])

static const char *const xnames[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const fnames[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3",
    "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
    "ft8", "ft9", "ft10", "ft11",
};

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
        char *np = realloc(b->p, cap);
        if (!np)
            return;
        b->p = np;
        b->cap = cap;
    }
}

static char *build_xml(size_t *len)
{
    struct sbuf b = { 0 };
    sb_printf(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                  "<target version=\"1.0\">\n<architecture>riscv:rv64</architecture>\n"
                  "<feature name=\"org.gnu.gdb.riscv.cpu\">\n");
    for (unsigned i = 0; i < 32; i++)
        sb_printf(&b, "<reg name=\"%s\" bitsize=\"64\" type=\"%s\" regnum=\"%u\"/>\n", xnames[i],
                  i == 1 ? "code_ptr" : i == 2 || i == 8 ? "data_ptr" : "int", i);
    sb_printf(&b, "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"%u\"/>\n</feature>\n", REG_PC);
    sb_printf(&b, "<feature name=\"org.gnu.gdb.riscv.fpu\">\n"
                  "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
                  "<field name=\"double\" type=\"ieee_double\"/></union>\n");
    for (unsigned i = 0; i < 32; i++)
        sb_printf(&b, "<reg name=\"%s\" bitsize=\"64\" type=\"riscv_double\" regnum=\"%u\"/>\n", fnames[i],
                  REG_F0 + i);
    sb_printf(&b, "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"%u\"/>\n"
                  "<reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"%u\"/>\n"
                  "<reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"%u\"/>\n</feature>\n",
              REG_CSR0 + 1, REG_CSR0 + 2, REG_CSR0 + 3);
    sb_printf(&b, "<feature name=\"org.gnu.gdb.riscv.csr\">\n");
    for (unsigned i = 0; i < NCSRS; i++)
        sb_printf(&b, "<reg name=\"%s\" bitsize=\"64\" type=\"int\" regnum=\"%u\" group=\"csr\"/>\n",
                  csrs[i].name, REG_CSR0 + csrs[i].num);
    sb_printf(&b, "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
                  "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"%u\" group=\"system\"/>\n"
                  "</feature>\n</target>\n", REG_PRIV);
    *len = b.p ? b.len : 0;
    return b.p;
}

int gdbstub_init(struct gdbstub *s)
{
    memset(s, 0, sizeof *s);
    s->xml = build_xml(&s->xml_len);
    return s->xml ? 0 : -1;
}

void gdbstub_free(struct gdbstub *s)
{
    free(s->xml);
    s->xml = NULL;
}

void gdbstub_attach(struct gdbstub *s, struct rv_hart *harts, unsigned nharts, struct rv_tcache *tc,
                    struct bus *bus)
{
    s->harts = harts;
    s->nharts = nharts;
    s->tc = tc;
    s->bus = bus;
    if (s->g_hart >= nharts)
        s->g_hart = 0;
    if (s->c_hart >= nharts)
        s->c_hart = 0;
    if (s->stop_hart >= nharts)
        s->stop_hart = 0;
    for (unsigned i = 0; i < s->npoints; i++)
        rv_dbg_insert(tc, s->points[i].type, s->points[i].addr, s->points[i].len);
}

void gdbstub_connected(struct gdbstub *s)
{
    s->no_ack = false;
    s->phys_mode = false;
}

void gdbstub_disconnected(struct gdbstub *s)
{
    s->npoints = 0;
    if (s->tc)
        rv_dbg_remove_all(s->tc);
}

/* ---- replies */

static void reply_start(struct gdbstub *s)
{
    s->out_len = 0;
}

static void put(struct gdbstub *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof s->out - s->out_len;
    int n = vsnprintf(s->out + s->out_len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        s->out_len += (size_t)n < room ? (size_t)n : room - 1;
}

static void put_hex(struct gdbstub *s, const void *data, size_t n)
{
    if (s->out_len + 2 * n >= sizeof s->out)
        n = (sizeof s->out - s->out_len - 1) / 2;
    rsp_hex_encode(data, n, s->out + s->out_len);
    s->out_len += 2 * n;
    s->out[s->out_len] = 0;
}

static void send_packet(struct gdbstub *s, const char *data, size_t len)
{
    size_t n = rsp_encode(data, len, s->frame, sizeof s->frame);
    if (n && s->send)
        s->send(s->send_ctx, s->frame, n);
}

static void reply_send(struct gdbstub *s)
{
    send_packet(s, s->out, s->out_len);
}

static void reply(struct gdbstub *s, const char *text)
{
    send_packet(s, text, strlen(text));
}

/* ---- registers */

static int csr_index(unsigned num)
{
    for (unsigned i = 0; i < NCSRS; i++)
        if (csrs[i].num == num)
            return (int)i;
    return -1;
}

/* Register size in bytes, or 0 when there is no such register. */
static unsigned reg_size(uint64_t n)
{
    if (n <= REG_PC || (n >= REG_F0 && n < REG_F0 + 32) || n == REG_PRIV)
        return 8;
    if (n >= REG_CSR0 + 1 && n <= REG_CSR0 + 3)
        return 4;
    if (n >= REG_CSR0 && n < REG_CSR0 + 4096 && csr_index((unsigned)(n - REG_CSR0)) >= 0)
        return 8;
    return 0;
}

/* 0, or -1 when it cannot be read now. */
static int reg_read(struct gdbstub *s, struct rv_hart *h, uint64_t n, uint64_t *v)
{
    if (n < 32)
        *v = n ? h->x[n] : 0;
    else if (n == REG_PC)
        *v = h->pc;
    else if (n >= REG_F0 && n < REG_F0 + 32)
        *v = h->f[n - REG_F0];
    else if (n == REG_PRIV)
        *v = h->priv;
    else if (reg_size(n))
        return rv_csr_debug(h, (unsigned)(n - REG_CSR0), false, v);
    else
        return -1;
    return 0;
}

static int reg_write(struct gdbstub *s, struct rv_hart *h, uint64_t n, uint64_t v)
{
    if (n < 32) {
        if (n)
            h->x[n] = v;
    } else if (n == REG_PC) {
        h->pc = v & ~1ull;
        h->wfi = false;
    } else if (n >= REG_F0 && n < REG_F0 + 32) {
        h->f[n - REG_F0] = v;
    } else if (n == REG_PRIV) {
        if (v != RV_PRIV_U && v != RV_PRIV_S && v != RV_PRIV_M)
            return -1;
        rv_hart_set_priv(h, (enum rv_priv)v);
    } else if (reg_size(n)) {
        if (rv_csr_debug(h, (unsigned)(n - REG_CSR0), true, &v) < 0)
            return -1;
    } else {
        return -1;
    }
    reverse_changed(s->rev); /* the history cannot hold gdb's changes */
    return 0;
}

static void put_reg(struct gdbstub *s, struct rv_hart *h, uint64_t n)
{
    unsigned size = reg_size(n);
    uint64_t v;
    if (reg_read(s, h, n, &v) < 0) {
        for (unsigned i = 0; i < 2 * size; i++)
            put(s, "x");
        return;
    }
    uint8_t le[8];
    for (unsigned i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    put_hex(s, le, size);
}

static int get_le(const char *hex, unsigned size, uint64_t *v)
{
    uint8_t le[8];
    if (rsp_hex_decode(hex, size, le) < 0)
        return -1;
    uint64_t r = 0;
    for (unsigned i = 0; i < size; i++)
        r |= (uint64_t)le[i] << (8 * i);
    *v = r;
    return 0;
}

/* ---- memory */

/* Host pointer for len bytes at addr (within one page) as hart h sees it. */
static uint8_t *mem_ptr(struct gdbstub *s, struct rv_hart *h, uint64_t addr, uint64_t len, bool write)
{
    uint64_t pa = addr;
    if (!s->phys_mode && rv_dbg_translate(h, addr, &pa) < 0)
        return NULL;
    return write ? bus_dma_w(s->bus, pa, len) : bus_dma(s->bus, pa, len);
}

/* Split [addr, addr+len) into pieces that stay within a page and do not
 * wrap; calls fn on each until it fails. Returns bytes done. */
static uint64_t mem_access(struct gdbstub *s, uint64_t addr, uint64_t len, uint8_t *buf, bool write)
{
    struct rv_hart *h = &s->harts[s->g_hart];
    uint64_t done = 0;
    while (done < len) {
        uint64_t a = addr + done;
        if (a < addr)
            break; /* wrapped past the top of the address space */
        uint64_t n = 0x1000 - (a & 0xfff);
        if (n > len - done)
            n = len - done;
        uint8_t *p = mem_ptr(s, h, a, n, write);
        if (!p)
            break;
        if (write)
            memcpy(p, buf + done, n);
        else
            memcpy(buf + done, p, n);
        done += n;
    }
    return done;
}

static void cmd_read_mem(struct gdbstub *s, const char *p)
{
    uint64_t addr, len;
    if (rsp_parse_hex(&p, &addr) < 0 || *p++ != ',' || rsp_parse_hex(&p, &len) < 0 || *p)
        return reply(s, "E01");
    if (len > MAX_MEM)
        len = MAX_MEM;
    uint8_t buf[MAX_MEM];
    uint64_t n = mem_access(s, addr, len, buf, false);
    if (!n && len)
        return reply(s, "E14");
    reply_start(s);
    put_hex(s, buf, n);
    reply_send(s);
}

/* All or nothing: every page is checked before a byte is written. */
static void write_all(struct gdbstub *s, uint64_t addr, uint8_t *buf, uint64_t len)
{
    uint8_t scratch[MAX_MEM];
    if (mem_access(s, addr, len, scratch, false) != len)
        return reply(s, "E14");
    mem_access(s, addr, len, buf, true);
    if (len)
        reverse_changed(s->rev);
    reply(s, "OK");
}

static void cmd_write_mem(struct gdbstub *s, const char *p, size_t plen)
{
    const char *start = p;
    uint64_t addr, len;
    if (rsp_parse_hex(&p, &addr) < 0 || *p++ != ',' || rsp_parse_hex(&p, &len) < 0 || *p++ != ':')
        return reply(s, "E01");
    size_t hexlen = plen - (size_t)(p - start);
    if (len > MAX_MEM || hexlen != 2 * len)
        return reply(s, "E01");
    uint8_t buf[MAX_MEM];
    if (rsp_hex_decode(p, len, buf) < 0)
        return reply(s, "E01");
    write_all(s, addr, buf, len);
}

/* X addr,length:DATA, the bytes themselves, '}' escaping the next one
 * (XOR 0x20) as in every packet; gdb probes it with a length of 0. */
static void cmd_write_bin(struct gdbstub *s, const char *p, size_t plen)
{
    const char *end = p + plen;
    uint64_t addr, len;
    if (rsp_parse_hex(&p, &addr) < 0 || *p++ != ',' || rsp_parse_hex(&p, &len) < 0 || *p++ != ':' ||
        len > MAX_MEM)
        return reply(s, "E01");
    uint8_t buf[MAX_MEM];
    uint64_t n = 0;
    while (p < end) {
        uint8_t c = (uint8_t)*p++;
        if (c == '}') {
            if (p == end)
                return reply(s, "E01");
            c = (uint8_t)*p++ ^ 0x20;
        }
        if (n == len)
            return reply(s, "E01"); /* more bytes than the length says */
        buf[n++] = c;
    }
    if (n != len)
        return reply(s, "E01");
    write_all(s, addr, buf, len);
}

/* ---- threads and stops */

/* Thread id from the packet: -1 all, 0 any, else hart + 1. */
static int parse_thread(const char *p, int64_t *tid)
{
    if (!strcmp(p, "-1")) {
        *tid = -1;
        return 0;
    }
    uint64_t v;
    if (rsp_parse_hex(&p, &v) < 0 || *p)
        return -1;
    *tid = (int64_t)(v > 0x10000 ? 0x10000 : v);
    return 0;
}

static bool thread_ok(struct gdbstub *s, int64_t tid)
{
    return tid >= 1 && (uint64_t)tid <= s->nharts;
}

void gdbstub_report_stop(struct gdbstub *s, unsigned hart, enum gdb_stop_why why)
{
    if (hart >= s->nharts)
        hart = 0;
    s->stop_hart = s->g_hart = s->c_hart = hart;
    s->stop_why = why;
    const struct rv_dbg_stop *st = &s->harts[hart].dbg_stop;
    reply_start(s);
    put(s, "T%02x", why == GDB_STOP_INT ? 2 : 5);
    if (why == GDB_STOP_TRAP && st->hit && st->type >= RV_DBG_WATCH_W)
        put(s, "%s:%" PRIx64 ";", st->type == RV_DBG_WATCH_W ? "watch" : st->type == RV_DBG_WATCH_R ? "rwatch" : "awatch",
            st->addr);
    put(s, "thread:%x;", hart + 1);
    reply_send(s);
}

/* A live single step (the history records it), or one replayed when
 * the machine is behind the head of its history. */
static void step_hart(struct gdbstub *s, unsigned hart)
{
    if (reverse_behind(s->rev)) {
        struct reverse_stop st;
        char err[200];
        switch (reverse_step(s->rev, hart, false, &st, err, sizeof err)) {
        case REVERSE_STOP:
            s->harts[st.hart].dbg_stop.hit = false;
            return gdbstub_report_stop(s, st.hart, GDB_STOP_TRAP);
        case REVERSE_LIVE:
            break; /* at the head: this step runs live */
        case REVERSE_BEGIN:
        case REVERSE_ERROR:
            reply_start(s);
            put(s, "E.%s", err);
            return reply_send(s);
        }
    }
    reverse_stepping(s->rev, hart);
    rv_hart_step(&s->harts[hart]);
    reverse_stopped(s->rev, NULL);
    gdbstub_report_stop(s, hart, GDB_STOP_TRAP);
}

/* bs, bc, and c behind the head of the history. Returns GDB_CONTINUE when
 * forward motion reached the head (the machine runs on live). */
static enum gdb_action reverse_cmd(struct gdbstub *s, bool step, bool backward)
{
    struct reverse_stop st;
    char err[240] = "";
    if (!s->rev) {
        reply_start(s);
        put(s, "E.%s", s->rev_why ? s->rev_why : "no reverse execution");
        reply_send(s);
        return GDB_STAY;
    }
    /* bs after Hc-1 (any thread): the thread gdb has selected */
    unsigned hart = s->c_any ? s->g_hart : s->c_hart;
    enum reverse_result r = step ? reverse_step(s->rev, hart, backward, &st, err, sizeof err)
                                 : reverse_continue(s->rev, backward, &st, err, sizeof err);
    switch (r) {
    case REVERSE_STOP: {
        struct rv_dbg_stop *d = &s->harts[st.hart].dbg_stop;
        *d = (struct rv_dbg_stop){ st.hit, st.type, st.addr };
        gdbstub_report_stop(s, st.hart, GDB_STOP_TRAP);
        d->hit = false;
        return GDB_STAY;
    }
    case REVERSE_BEGIN:
        s->stop_why = GDB_STOP_TRAP;
        reply_start(s);
        put(s, "T05replaylog:begin;thread:%x;", hart + 1);
        reply_send(s);
        return GDB_STAY;
    case REVERSE_LIVE:
        return GDB_CONTINUE;
    case REVERSE_ERROR:
        break;
    }
    reply_start(s);
    put(s, "E.%s", err);
    reply_send(s);
    return GDB_STAY;
}

/* vCont;ACTION[:TID];...: a step anywhere steps that hart alone (the
 * others stay stopped); otherwise continue. */
static enum gdb_action cmd_vcont(struct gdbstub *s, const char *p)
{
    bool cont = false;
    while (*p == ';') {
        p++;
        char a = *p++;
        if (a == 'C' || a == 'S') { /* signal number: ignored */
            uint64_t sig;
            if (rsp_parse_hex(&p, &sig) < 0) {
                reply(s, "E01");
                return GDB_STAY;
            }
        } else if (a != 'c' && a != 's' && a != 't') {
            reply(s, "E01");
            return GDB_STAY;
        }
        int64_t tid = -1;
        if (*p == ':') {
            p++;
            uint64_t v;
            if (*p == '-' && p[1] == '1') {
                p += 2;
            } else if (rsp_parse_hex(&p, &v) == 0) {
                tid = (int64_t)(v > 0x10000 ? 0x10000 : v);
            } else {
                reply(s, "E01");
                return GDB_STAY;
            }
        }
        if (a == 's' || a == 'S') {
            unsigned hart = tid >= 1 ? (unsigned)(tid - 1) : s->c_hart;
            if (hart >= s->nharts) {
                reply(s, "E01");
                return GDB_STAY;
            }
            step_hart(s, hart);
            return GDB_STAY;
        }
        if (a == 'c' || a == 'C')
            cont = true;
    }
    if (*p || !cont) {
        reply(s, "E01");
        return GDB_STAY;
    }
    if (reverse_behind(s->rev))
        return reverse_cmd(s, false, false);
    return GDB_CONTINUE;
}

static void cmd_z(struct gdbstub *s, const char *p, bool insert)
{
    int t = *p >= '0' && *p <= '4' ? *p - '0' : -1;
    p++;
    uint64_t addr, kind;
    if (t < 0 || *p++ != ',' || rsp_parse_hex(&p, &addr) < 0 || *p++ != ',' ||
        rsp_parse_hex(&p, &kind) < 0 || (*p && *p != ';'))
        return reply(s, t < 0 ? "" : "E01");
    static const enum rv_dbg_type map[5] = { RV_DBG_BREAK_SW, RV_DBG_BREAK_HW, RV_DBG_WATCH_W,
                                             RV_DBG_WATCH_R, RV_DBG_WATCH_RW };
    enum rv_dbg_type type = map[t];
    uint64_t len = type <= RV_DBG_BREAK_HW ? 1 : kind;
    if (insert) {
        if (s->npoints >= RV_DBG_MAX_POINTS || rv_dbg_insert(s->tc, type, addr, len) < 0)
            return reply(s, "E01");
        s->points[s->npoints++] = (struct rv_dbg_point){ type, addr, len };
        return reply(s, "OK");
    }
    for (unsigned i = 0; i < s->npoints; i++) {
        if (s->points[i].type == type && s->points[i].addr == addr && s->points[i].len == len) {
            s->points[i] = s->points[--s->npoints];
            rv_dbg_remove(s->tc, type, addr, len);
            return reply(s, "OK");
        }
    }
    reply(s, "E01");
}

/* ---- queries */

static void cmd_xfer_features(struct gdbstub *s, const char *p)
{
    static const char annex[] = "target.xml:";
    if (strncmp(p, annex, sizeof annex - 1))
        return reply(s, "E00");
    p += sizeof annex - 1;
    uint64_t off, len;
    if (rsp_parse_hex(&p, &off) < 0 || *p++ != ',' || rsp_parse_hex(&p, &len) < 0 || *p)
        return reply(s, "E01");
    if (off >= s->xml_len)
        return reply(s, "l");
    uint64_t n = s->xml_len - off;
    if (n > len)
        n = len;
    if (n > sizeof s->out - 2)
        n = sizeof s->out - 2;
    s->out[0] = n < s->xml_len - off ? 'm' : 'l';
    memcpy(s->out + 1, s->xml + off, n);
    s->out_len = 1 + n;
    reply_send(s);
}

static void monitor_out(void *ctx, const char *text)
{
    struct gdbstub *s = ctx;
    size_t n = strlen(text);
    while (n) {
        size_t k = n > 1000 ? 1000 : n;
        reply_start(s);
        put(s, "O");
        put_hex(s, text, k);
        reply_send(s);
        text += k;
        n -= k;
    }
}

static void cmd_rcmd(struct gdbstub *s, const char *p)
{
    size_t n = strlen(p);
    if (n % 2)
        return reply(s, "E01");
    char cmd[RSP_MAX_PACKET / 2 + 1];
    if (n / 2 >= sizeof cmd || rsp_hex_decode(p, n / 2, (uint8_t *)cmd) < 0)
        return reply(s, "E01");
    cmd[n / 2] = 0;
    if (s->monitor)
        s->monitor(s->monitor_ctx, cmd, monitor_out, s);
    else
        monitor_out(s, "rivet has no monitor yet: monitor commands are not available\n");
    reply(s, "OK");
}

static void cmd_query(struct gdbstub *s, const char *p)
{
    if (!strncmp(p, "qSupported", 10)) {
        reply_start(s);
        put(s, "PacketSize=%x;qXfer:features:read+;vContSupported+;QStartNoAckMode+%s", RSP_MAX_PACKET,
            s->rev ? ";ReverseStep+;ReverseContinue+" : "");
        return reply_send(s);
    }
    if (!strncmp(p, "qXfer:features:read:", 20))
        return cmd_xfer_features(s, p + 20);
    if (!strcmp(p, "qfThreadInfo")) {
        reply_start(s);
        put(s, "m");
        for (unsigned i = 0; i < s->nharts; i++)
            put(s, i ? ",%x" : "%x", i + 1);
        return reply_send(s);
    }
    if (!strcmp(p, "qsThreadInfo"))
        return reply(s, "l");
    if (!strcmp(p, "qC")) {
        reply_start(s);
        put(s, "QC%x", s->g_hart + 1);
        return reply_send(s);
    }
    if (!strncmp(p, "qThreadExtraInfo,", 17)) {
        int64_t tid;
        if (parse_thread(p + 17, &tid) < 0 || !thread_ok(s, tid))
            return reply(s, "E01");
        const struct rv_hart *h = &s->harts[tid - 1];
        char text[64];
        snprintf(text, sizeof text, "hart %u, %s-mode%s", (unsigned)(tid - 1),
                 h->priv == RV_PRIV_M ? "M" : h->priv == RV_PRIV_S ? "S" : "U", h->wfi ? ", wfi" : "");
        reply_start(s);
        put_hex(s, text, strlen(text));
        return reply_send(s);
    }
    if (!strncmp(p, "qAttached", 9))
        return reply(s, "1");
    if (!strncmp(p, "qSymbol", 7))
        return reply(s, "OK");
    if (!strncmp(p, "qRcmd,", 6))
        return cmd_rcmd(s, p + 6);
    if (!strcmp(p, "qqemu.PhyMemMode"))
        return reply(s, s->phys_mode ? "1" : "0");
    reply(s, "");
}

enum gdb_action gdbstub_packet(struct gdbstub *s, const char *pkt, size_t len)
{
    if (!s->nharts || (strlen(pkt) != len && pkt[0] != 'X')) { /* no machine, or a NUL inside */
        reply(s, "E01");
        return GDB_STAY;
    }
    struct rv_hart *g = &s->harts[s->g_hart];
    const char *p = pkt + 1;
    uint64_t v, n;
    switch (pkt[0]) {
    case '?':
        gdbstub_report_stop(s, s->stop_hart, s->stop_why);
        return GDB_STAY;
    case 'g':
        if (*p)
            break;
        reply_start(s);
        for (unsigned i = 0; i <= REG_PC; i++)
            put_reg(s, g, i);
        reply_send(s);
        return GDB_STAY;
    case 'G':
        if (len - 1 != 33 * 16) {
            reply(s, "E01");
            return GDB_STAY;
        }
        for (unsigned i = 0; i <= REG_PC; i++)
            if (get_le(p + 16 * i, 8, &v) < 0) {
                reply(s, "E01");
                return GDB_STAY;
            }
        for (unsigned i = 0; i <= REG_PC; i++) {
            get_le(p + 16 * i, 8, &v);
            reg_write(s, g, i, v);
        }
        reply(s, "OK");
        return GDB_STAY;
    case 'p':
        if (rsp_parse_hex(&p, &n) < 0 || *p || !reg_size(n)) {
            reply(s, "E01");
            return GDB_STAY;
        }
        reply_start(s);
        put_reg(s, g, n);
        reply_send(s);
        return GDB_STAY;
    case 'P': {
        if (rsp_parse_hex(&p, &n) < 0 || *p++ != '=') {
            reply(s, "E01");
            return GDB_STAY;
        }
        unsigned size = reg_size(n);
        if (!size || strlen(p) != 2 * size || get_le(p, size, &v) < 0 || reg_write(s, g, n, v) < 0) {
            reply(s, "E01");
            return GDB_STAY;
        }
        reply(s, "OK");
        return GDB_STAY;
    }
    case 'm':
        cmd_read_mem(s, p);
        return GDB_STAY;
    case 'M':
        cmd_write_mem(s, p, len - 1);
        return GDB_STAY;
    case 'X':
        cmd_write_bin(s, p, len - 1);
        return GDB_STAY;
    case 'Z':
    case 'z':
        cmd_z(s, p, pkt[0] == 'Z');
        return GDB_STAY;
    case 'H': {
        int64_t tid;
        if ((*p != 'g' && *p != 'c') || parse_thread(p + 1, &tid) < 0 || (tid > 0 && !thread_ok(s, tid))) {
            reply(s, "E01");
            return GDB_STAY;
        }
        unsigned hart = tid > 0 ? (unsigned)(tid - 1) : s->stop_hart;
        if (*p == 'g') {
            s->g_hart = hart;
        } else {
            s->c_hart = hart;
            s->c_any = tid <= 0;
        }
        reply(s, "OK");
        return GDB_STAY;
    }
    case 'T': {
        int64_t tid;
        reply(s, parse_thread(p, &tid) == 0 && thread_ok(s, tid) ? "OK" : "E01");
        return GDB_STAY;
    }
    case 'c':
    case 's':
        if (*p) {
            if (rsp_parse_hex(&p, &v) < 0 || *p) {
                reply(s, "E01");
                return GDB_STAY;
            }
            s->harts[s->c_hart].pc = v & ~1ull;
            reverse_changed(s->rev);
        }
        if (pkt[0] == 's') {
            step_hart(s, s->c_hart);
            return GDB_STAY;
        }
        if (reverse_behind(s->rev))
            return reverse_cmd(s, false, false);
        return GDB_CONTINUE;
    case 'b':
        if ((*p != 's' && *p != 'c') || p[1]) {
            reply(s, *p == 's' || *p == 'c' ? "E01" : "");
            return GDB_STAY;
        }
        return reverse_cmd(s, *p == 's', true);
    case 'D':
        gdbstub_disconnected(s);
        reply(s, "OK");
        return GDB_DETACH;
    case 'k':
        return GDB_KILL;
    case 'v':
        if (!strcmp(pkt, "vCont?")) {
            reply(s, "vCont;c;C;s;S");
            return GDB_STAY;
        }
        if (!strncmp(pkt, "vCont;", 5) && pkt[5] == ';')
            return cmd_vcont(s, pkt + 5);
        if (!strncmp(pkt, "vKill", 5)) {
            reply(s, "OK");
            return GDB_KILL;
        }
        break;
    case 'q':
        cmd_query(s, pkt);
        return GDB_STAY;
    case 'Q':
        if (!strcmp(pkt, "QStartNoAckMode")) {
            reply(s, "OK");
            s->no_ack = true;
            return GDB_STAY;
        }
        if (!strcmp(pkt, "Qqemu.PhyMemMode:1") || !strcmp(pkt, "Qqemu.PhyMemMode:0")) {
            s->phys_mode = pkt[17] == '1';
            reply(s, "OK");
            return GDB_STAY;
        }
        break;
    }
    reply(s, ""); /* not supported */
    return GDB_STAY;
}
