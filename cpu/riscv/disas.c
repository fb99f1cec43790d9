/* cpu/riscv/disas.c: RV64GC disassembler in GNU objdump's syntax (disas.h).
 *
 * Written from the RISC-V unprivileged and privileged specifications; the
 * output conventions (which alias wins, hex or decimal, "unknown" for
 * reserved fence sets and rounding modes, .4byte for the rest) follow what
 * binutils 2.40's objdump prints, checked by tests/unit/test_disas.c.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cpu/riscv/disas.h"
#include "cpu/riscv/fields.h"

static const char *const xreg[32] = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
    "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};
static const char *const freg[32] = {
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5",
    "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
};
static const char *const rm_name[8] = { "rne", "rtz", "rdn", "rup", "rmm", "unknown", "unknown", "dyn" };

const char *rv_xreg_name(unsigned r) { return xreg[r & 31]; }
const char *rv_freg_name(unsigned r) { return freg[r & 31]; }

/* CSR names: the privileged spec's tables (machine, supervisor, hypervisor,
 * debug, counters, AIA, state enable, vector), which objdump names whatever
 * the extensions of the file. Numbered families are computed below. */
static const struct { uint16_t num; const char *name; } csr_names[] = {
    { 0x001, "fflags" }, { 0x002, "frm" }, { 0x003, "fcsr" },
    { 0x008, "vstart" }, { 0x009, "vxsat" }, { 0x00a, "vxrm" }, { 0x00f, "vcsr" }, { 0x015, "seed" },
    { 0x100, "sstatus" }, { 0x104, "sie" }, { 0x105, "stvec" }, { 0x106, "scounteren" },
    { 0x10a, "senvcfg" }, { 0x10c, "sstateen0" }, { 0x10d, "sstateen1" }, { 0x10e, "sstateen2" },
    { 0x10f, "sstateen3" }, { 0x114, "sieh" }, { 0x140, "sscratch" }, { 0x141, "sepc" },
    { 0x142, "scause" }, { 0x143, "stval" }, { 0x144, "sip" }, { 0x14d, "stimecmp" },
    { 0x150, "siselect" }, { 0x151, "sireg" }, { 0x154, "siph" }, { 0x15c, "stopei" },
    { 0x15d, "stimecmph" }, { 0x180, "satp" },
    { 0x200, "vsstatus" }, { 0x204, "vsie" }, { 0x205, "vstvec" }, { 0x214, "vsieh" },
    { 0x240, "vsscratch" }, { 0x241, "vsepc" }, { 0x242, "vscause" }, { 0x243, "vstval" },
    { 0x244, "vsip" }, { 0x24d, "vstimecmp" }, { 0x250, "vsiselect" }, { 0x251, "vsireg" },
    { 0x254, "vsiph" }, { 0x25c, "vstopei" }, { 0x25d, "vstimecmph" }, { 0x280, "vsatp" },
    { 0x300, "mstatus" }, { 0x301, "misa" }, { 0x302, "medeleg" }, { 0x303, "mideleg" },
    { 0x304, "mie" }, { 0x305, "mtvec" }, { 0x306, "mcounteren" }, { 0x308, "mvien" },
    { 0x309, "mvip" }, { 0x30a, "menvcfg" }, { 0x30c, "mstateen0" }, { 0x30d, "mstateen1" },
    { 0x30e, "mstateen2" }, { 0x30f, "mstateen3" }, { 0x310, "mstatush" }, { 0x313, "midelegh" },
    { 0x314, "mieh" }, { 0x318, "mvienh" }, { 0x319, "mviph" }, { 0x31a, "menvcfgh" },
    { 0x31c, "mstateen0h" }, { 0x31d, "mstateen1h" }, { 0x31e, "mstateen2h" }, { 0x31f, "mstateen3h" },
    { 0x320, "mcountinhibit" },
    { 0x340, "mscratch" }, { 0x341, "mepc" }, { 0x342, "mcause" }, { 0x343, "mtval" },
    { 0x344, "mip" }, { 0x34a, "mtinst" }, { 0x34b, "mtval2" }, { 0x350, "miselect" },
    { 0x351, "mireg" }, { 0x354, "miph" }, { 0x35c, "mtopei" },
    { 0x5a8, "scontext" },
    { 0x600, "hstatus" }, { 0x602, "hedeleg" }, { 0x603, "hideleg" }, { 0x604, "hie" },
    { 0x605, "htimedelta" }, { 0x606, "hcounteren" }, { 0x607, "hgeie" }, { 0x608, "hvien" },
    { 0x609, "hvictl" }, { 0x60a, "henvcfg" }, { 0x60c, "hstateen0" }, { 0x60d, "hstateen1" },
    { 0x60e, "hstateen2" }, { 0x60f, "hstateen3" }, { 0x613, "hidelegh" }, { 0x615, "htimedeltah" },
    { 0x618, "hvienh" }, { 0x61a, "henvcfgh" }, { 0x61c, "hstateen0h" }, { 0x61d, "hstateen1h" },
    { 0x61e, "hstateen2h" }, { 0x61f, "hstateen3h" }, { 0x643, "htval" }, { 0x644, "hip" },
    { 0x645, "hvip" }, { 0x646, "hviprio1" }, { 0x647, "hviprio2" }, { 0x64a, "htinst" },
    { 0x655, "hviph" }, { 0x656, "hviprio1h" }, { 0x657, "hviprio2h" }, { 0x680, "hgatp" },
    { 0x6a8, "hcontext" },
    { 0x747, "mseccfg" }, { 0x757, "mseccfgh" },
    { 0x7a0, "tselect" }, { 0x7a1, "tdata1" }, { 0x7a2, "tdata2" }, { 0x7a3, "tdata3" },
    { 0x7a4, "tinfo" }, { 0x7a5, "tcontrol" }, { 0x7a8, "mcontext" }, { 0x7aa, "mscontext" },
    { 0x7b0, "dcsr" }, { 0x7b1, "dpc" }, { 0x7b2, "dscratch0" }, { 0x7b3, "dscratch1" },
    { 0xb00, "mcycle" }, { 0xb02, "minstret" }, { 0xb80, "mcycleh" }, { 0xb82, "minstreth" },
    { 0xc00, "cycle" }, { 0xc01, "time" }, { 0xc02, "instret" },
    { 0xc20, "vl" }, { 0xc21, "vtype" }, { 0xc22, "vlenb" },
    { 0xc80, "cycleh" }, { 0xc81, "timeh" }, { 0xc82, "instreth" },
    { 0xda0, "scountovf" }, { 0xdb0, "stopi" }, { 0xe12, "hgeip" }, { 0xeb0, "vstopi" },
    { 0xf11, "mvendorid" }, { 0xf12, "marchid" }, { 0xf13, "mimpid" }, { 0xf14, "mhartid" },
    { 0xf15, "mconfigptr" }, { 0xfb0, "mtopi" },
};

const char *rv_csr_name(unsigned csr)
{
    /* Numbered families: pmpcfg0-15, pmpaddr0-63, mhpmevent3-31(h),
     * mhpmcounter3-31(h), hpmcounter3-31(h). */
    static char fam[0x1000][16];
    static bool fam_done;
    csr &= 0xfff;
    if (!fam_done) {
        for (unsigned n = 0; n < 16; n++)
            snprintf(fam[0x3a0 + n], 16, "pmpcfg%u", n);
        for (unsigned n = 0; n < 64; n++)
            snprintf(fam[0x3b0 + n], 16, "pmpaddr%u", n);
        for (unsigned n = 3; n < 32; n++) {
            snprintf(fam[0x320 + n], 16, "mhpmevent%u", n);
            snprintf(fam[0x720 + n], 16, "mhpmevent%uh", n);
            snprintf(fam[0xb00 + n], 16, "mhpmcounter%u", n);
            snprintf(fam[0xb80 + n], 16, "mhpmcounter%uh", n);
            snprintf(fam[0xc00 + n], 16, "hpmcounter%u", n);
            snprintf(fam[0xc80 + n], 16, "hpmcounter%uh", n);
        }
        fam_done = true;
    }
    if (fam[csr][0])
        return fam[csr];
    size_t lo = 0, hi = sizeof csr_names / sizeof csr_names[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (csr_names[mid].num == csr)
            return csr_names[mid].name;
        if (csr_names[mid].num < csr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

unsigned rv_insn_length(uint16_t low)
{
    if ((low & 3) != 3)
        return 2;
    if ((low & 0x1f) != 0x1f)
        return 4;
    if ((low & 0x3f) == 0x1f)
        return 6;
    if ((low & 0x7f) == 0x3f)
        return 8;
    if ((low & 0x7f) == 0x7f && (low & 0x7000) != 0x7000)
        return 10 + ((low >> 11) & 0xe);
    return 2;
}

/* ---- output -------------------------------------------------------------- */

struct dis {
    char mn[24];       /* mnemonic */
    char ops[96];      /* operands */
    size_t n;          /* length of ops */
    uint64_t pc;
    struct rv_disas_ctx *ctx;
    bool has_addr;     /* print " # 0x..." */
    uint64_t addr;
};

static void mn(struct dis *d, const char *m) { snprintf(d->mn, sizeof d->mn, "%s", m); }

static void op(struct dis *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void op(struct dis *d, const char *fmt, ...)
{
    if (d->n >= sizeof d->ops - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(d->ops + d->n, sizeof d->ops - d->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        d->n += (size_t)k < sizeof d->ops - d->n ? (size_t)k : sizeof d->ops - 1 - d->n;
}

/* A comma before every operand but the first. */
static void sep(struct dis *d) { if (d->n) op(d, ","); }
static void x(struct dis *d, unsigned r) { sep(d); op(d, "%s", xreg[r]); }
static void f(struct dis *d, unsigned r) { sep(d); op(d, "%s", freg[r]); }
static void imm(struct dis *d, int64_t v) { sep(d); op(d, "%" PRId64, v); }
static void hex(struct dis *d, uint64_t v) { sep(d); op(d, "0x%" PRIx64, v); }
static void target(struct dis *d, int64_t off) { hex(d, d->pc + (uint64_t)off); }
static void mem(struct dis *d, int64_t off, unsigned base) { sep(d); op(d, "%" PRId64 "(%s)", off, xreg[base]); }
static void amo_addr(struct dis *d, unsigned base) { sep(d); op(d, "(%s)", xreg[base]); }
static void csr(struct dis *d, unsigned c)
{
    const char *name = rv_csr_name(c);
    sep(d);
    if (name)
        op(d, "%s", name);
    else
        op(d, "0x%x", c);
}
static void rm(struct dis *d, unsigned r) { if (r != 7) { sep(d); op(d, "%s", rm_name[r]); } }

/* objdump's address comment: an instruction that adds an offset to a base
 * register whose value lui/auipc set (consuming it), or to zero or tp. */
static void addr_comment(struct dis *d, unsigned base, int64_t off, bool wide)
{
    struct rv_disas_ctx *c = d->ctx;
    uint64_t a;
    if (!c)
        return;
    if (c->known >> base & 1) {
        a = (base ? c->hi[base] : 0) + (uint64_t)off;
        c->known &= ~(1u << base);
    } else if (base == 0 || base == 4) {
        a = (uint64_t)off;
    } else {
        return;
    }
    if (wide)
        a = (uint64_t)(int64_t)(int32_t)a;
    d->has_addr = true;
    d->addr = a;
}

static void set_hi(struct dis *d, unsigned rd, uint64_t v)
{
    if (d->ctx) {
        d->ctx->hi[rd] = v;
        d->ctx->known |= 1u << rd;
    }
}

/* ---- 32-bit instructions ------------------------------------------------- */

static void fence_set(struct dis *d, unsigned s)
{
    sep(d);
    if (!s) {
        op(d, "unknown");
        return;
    }
    if (s & 8) op(d, "i");
    if (s & 4) op(d, "o");
    if (s & 2) op(d, "r");
    if (s & 1) op(d, "w");
}

static bool dis_system(struct dis *d, uint32_t i)
{
    unsigned rd = bits(i, 11, 7), f3 = bits(i, 14, 12), rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20);
    unsigned c = bits(i, 31, 20);
    static const char *const plain[] = { NULL, "csrrw", "csrrs", "csrrc", NULL, "csrrw", "csrrs", "csrrc" };
    static const char *const short_[] = { NULL, "csrw", "csrs", "csrc", NULL, "csrw", "csrs", "csrc" };
    if (f3 == 0) {
        switch (i) {
        case 0x00000073: mn(d, "ecall"); return true;
        case 0x00100073: mn(d, "ebreak"); return true;
        case 0x00200073: mn(d, "uret"); return true;
        case 0x10200073: mn(d, "sret"); return true;
        case 0x30200073: mn(d, "mret"); return true;
        case 0x7b200073: mn(d, "dret"); return true;
        case 0x10500073: mn(d, "wfi"); return true;
        case 0x00d00073: mn(d, "wrs.nto"); return true;
        case 0x01d00073: mn(d, "wrs.sto"); return true;
        }
        if (bits(i, 31, 25) == 0x09 && rd == 0) {
            mn(d, "sfence.vma");
            if (rs1 || rs2) x(d, rs1);
            if (rs2) x(d, rs2);
            return true;
        }
        return false;
    }
    if (f3 == 4)
        return false;
    if (i == 0xc0001073) {
        mn(d, "unimp");
        return true;
    }
    bool uimm = f3 >= 5;
    /* The F extension's CSR aliases, then the counters, then csrr/csrw. */
    if (!uimm) {
        if (f3 == 2 && rs1 == 0) {
            const char *a = NULL;
            switch (c) {
            case 0x003: a = "frcsr"; break;
            case 0x002: a = "frrm"; break;
            case 0x001: a = "frflags"; break;
            case 0xc00: a = "rdcycle"; break;
            case 0xc01: a = "rdtime"; break;
            case 0xc02: a = "rdinstret"; break;
            }
            if (a) {
                mn(d, a);
                x(d, rd);
            } else {
                mn(d, "csrr");
                x(d, rd);
                csr(d, c);
            }
            return true;
        }
        if (f3 == 1 && c >= 1 && c <= 3) {
            mn(d, c == 3 ? "fscsr" : c == 2 ? "fsrm" : "fsflags");
            if (rd) x(d, rd);
            x(d, rs1);
            return true;
        }
    } else if (f3 == 5 && (c == 1 || c == 2)) {
        /* objdump names rd even when it is zero, unlike fsrm/fsflags */
        mn(d, c == 2 ? "fsrmi" : "fsflagsi");
        x(d, rd);
        imm(d, rs1);
        return true;
    }
    if (rd == 0) {
        mn(d, short_[f3]);
    } else {
        mn(d, plain[f3]);
        x(d, rd);
    }
    csr(d, c);
    if (uimm)
        imm(d, rs1);
    else
        x(d, rs1);
    return true;
}

static bool dis_amo(struct dis *d, uint32_t i)
{
    unsigned rd = bits(i, 11, 7), f3 = bits(i, 14, 12), rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20);
    unsigned f5 = bits(i, 31, 27), aqrl = bits(i, 26, 25);
    static const char *const ord[4] = { "", ".rl", ".aq", ".aqrl" };
    const char *name;
    if (f3 != 2 && f3 != 3)
        return false;
    switch (f5) {
    case 0x02: name = "lr"; break;
    case 0x03: name = "sc"; break;
    case 0x01: name = "amoswap"; break;
    case 0x00: name = "amoadd"; break;
    case 0x04: name = "amoxor"; break;
    case 0x0c: name = "amoand"; break;
    case 0x08: name = "amoor"; break;
    case 0x10: name = "amomin"; break;
    case 0x14: name = "amomax"; break;
    case 0x18: name = "amominu"; break;
    case 0x1c: name = "amomaxu"; break;
    default: return false;
    }
    if (f5 == 2 && rs2)
        return false;
    snprintf(d->mn, sizeof d->mn, "%s.%c%s", name, f3 == 2 ? 'w' : 'd', ord[aqrl]);
    x(d, rd);
    if (f5 != 2)
        x(d, rs2);
    amo_addr(d, rs1);
    return true;
}

static bool dis_fp(struct dis *d, uint32_t i)
{
    unsigned rd = bits(i, 11, 7), f3 = bits(i, 14, 12), rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20);
    unsigned f5 = bits(i, 31, 27), fmt = bits(i, 26, 25);
    char t;
    if (fmt == 0)
        t = 's';
    else if (fmt == 1)
        t = 'd';
    else if (fmt == 2)
        t = 'h';
    else
        return false;
    unsigned opc = bits(i, 6, 0);
    if (opc != 0x53) { /* fused multiply-add */
        static const char *const fma[4] = { "fmadd", "fmsub", "fnmsub", "fnmadd" };
        snprintf(d->mn, sizeof d->mn, "%s.%c", fma[(opc >> 2) & 3], t);
        f(d, rd); f(d, rs1); f(d, rs2); f(d, bits(i, 31, 27));
        rm(d, f3);
        return true;
    }
    const char *name = NULL;
    switch (f5) {
    case 0x00: name = "fadd"; break;
    case 0x01: name = "fsub"; break;
    case 0x02: name = "fmul"; break;
    case 0x03: name = "fdiv"; break;
    }
    if (name) {
        snprintf(d->mn, sizeof d->mn, "%s.%c", name, t);
        f(d, rd); f(d, rs1); f(d, rs2);
        rm(d, f3);
        return true;
    }
    switch (f5) {
    case 0x0b: /* fsqrt */
        if (rs2) return false;
        snprintf(d->mn, sizeof d->mn, "fsqrt.%c", t);
        f(d, rd); f(d, rs1); rm(d, f3);
        return true;
    case 0x04: { /* sign injection */
        static const char *const sg[3] = { "fsgnj", "fsgnjn", "fsgnjx" };
        static const char *const al[3] = { "fmv", "fneg", "fabs" };
        if (f3 > 2) return false;
        if (rs1 == rs2) {
            snprintf(d->mn, sizeof d->mn, "%s.%c", al[f3], t);
            f(d, rd); f(d, rs1);
        } else {
            snprintf(d->mn, sizeof d->mn, "%s.%c", sg[f3], t);
            f(d, rd); f(d, rs1); f(d, rs2);
        }
        return true;
    }
    case 0x05: /* fmin, fmax */
        if (f3 > 1) return false;
        snprintf(d->mn, sizeof d->mn, "%s.%c", f3 ? "fmax" : "fmin", t);
        f(d, rd); f(d, rs1); f(d, rs2);
        return true;
    case 0x08: { /* fcvt.fmt.fmt2 (rs2 = the source format) */
        static const char src[3] = { 's', 'd', 'h' };
        if (rs2 > 2 || rs2 == fmt)
            return false;
        snprintf(d->mn, sizeof d->mn, "fcvt.%c.%c", t, src[rs2]);
        f(d, rd); f(d, rs1);
        /* Widening is exact: objdump knows it only with rm = rne (0). */
        if ((t == 'd' && rs2 != 1) || (t == 's' && rs2 == 2))
            return f3 == 0;
        rm(d, f3);
        return true;
    }
    case 0x14: { /* compares */
        static const char *const cmp[3] = { "fle", "flt", "feq" };
        if (f3 > 2) return false;
        snprintf(d->mn, sizeof d->mn, "%s.%c", cmp[f3], t);
        x(d, rd); f(d, rs1); f(d, rs2);
        return true;
    }
    case 0x18: case 0x1a: { /* fcvt.{w,wu,l,lu}.fmt and back */
        static const char *const it[4] = { "w", "wu", "l", "lu" };
        if (rs2 > 3) return false;
        if (f5 == 0x18) {
            snprintf(d->mn, sizeof d->mn, "fcvt.%s.%c", it[rs2], t);
            x(d, rd); f(d, rs1); rm(d, f3);
        } else {
            /* int -> double for 32-bit ints is exact: rne only, as above */
            if (t == 'd' && rs2 < 2) {
                if (f3) return false;
                snprintf(d->mn, sizeof d->mn, "fcvt.d.%s", it[rs2]);
                f(d, rd); x(d, rs1);
                return true;
            }
            snprintf(d->mn, sizeof d->mn, "fcvt.%c.%s", t, it[rs2]);
            f(d, rd); x(d, rs1); rm(d, f3);
        }
        return true;
    }
    case 0x1c: /* fmv.x.w / fclass */
        if (rs2) return false;
        if (f3 == 0) {
            mn(d, t == 's' ? "fmv.x.w" : t == 'd' ? "fmv.x.d" : "fmv.x.h");
        } else if (f3 == 1) {
            snprintf(d->mn, sizeof d->mn, "fclass.%c", t);
        } else {
            return false;
        }
        x(d, rd); f(d, rs1);
        return true;
    case 0x1e: /* fmv.w.x */
        if (rs2 || f3) return false;
        mn(d, t == 's' ? "fmv.w.x" : t == 'd' ? "fmv.d.x" : "fmv.h.x");
        f(d, rd); x(d, rs1);
        return true;
    }
    return false;
}

/* Zba, Zbb, Zbc, Zbs, Zbkb, Zbkc, Zbkx (objdump 2.40 knows them all; it
 * prints an immediate form under the register form's name, shift amounts
 * and bit numbers in hex). Zicond is not known to objdump 2.40: .4byte. */
static bool dis_zb(struct dis *d, uint32_t i)
{
    unsigned opc = bits(i, 6, 0), rd = bits(i, 11, 7), f3 = bits(i, 14, 12);
    unsigned rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20), f7 = bits(i, 31, 25);
    unsigned f6 = bits(i, 31, 26), imm12 = bits(i, 31, 20);
    const char *un = NULL, *sh = NULL, *rr = NULL;
    unsigned amount = bits(i, 25, 20);
    switch (opc << 3 | f3) {
    case 0x13 << 3 | 1:
        if (imm12 == 0x600) un = "clz";
        else if (imm12 == 0x601) un = "ctz";
        else if (imm12 == 0x602) un = "cpop";
        else if (imm12 == 0x604) un = "sext.b";
        else if (imm12 == 0x605) un = "sext.h";
        else if (f6 == 0x12) sh = "bclr";
        else if (f6 == 0x1a) sh = "binv";
        else if (f6 == 0x0a) sh = "bset";
        break;
    case 0x13 << 3 | 5:
        if (imm12 == 0x287) un = "orc.b";
        else if (imm12 == 0x6b8) un = "rev8";
        else if (imm12 == 0x687) un = "brev8";
        else if (f6 == 0x18) sh = "ror";
        else if (f6 == 0x12) sh = "bext";
        break;
    case 0x1b << 3 | 1:
        if (imm12 == 0x600) un = "clzw";
        else if (imm12 == 0x601) un = "ctzw";
        else if (imm12 == 0x602) un = "cpopw";
        else if (f6 == 0x02) sh = "slli.uw";
        break;
    case 0x1b << 3 | 5:
        if (f7 == 0x30) { sh = "rorw"; amount = rs2; }
        break;
    case 0x33 << 3 | 1:
        rr = f7 == 0x05 ? "clmul" : f7 == 0x30 ? "rol" : f7 == 0x24 ? "bclr" : f7 == 0x34 ? "binv" :
             f7 == 0x14 ? "bset" : NULL;
        break;
    case 0x33 << 3 | 2: rr = f7 == 0x10 ? "sh1add" : f7 == 0x05 ? "clmulr" : f7 == 0x14 ? "xperm4" : NULL; break;
    case 0x33 << 3 | 3: rr = f7 == 0x05 ? "clmulh" : NULL; break;
    case 0x33 << 3 | 4:
        rr = f7 == 0x10 ? "sh2add" : f7 == 0x20 ? "xnor" : f7 == 0x05 ? "min" : f7 == 0x04 ? "pack" :
             f7 == 0x14 ? "xperm8" : NULL;
        break;
    case 0x33 << 3 | 5: rr = f7 == 0x05 ? "minu" : f7 == 0x30 ? "ror" : f7 == 0x24 ? "bext" : NULL; break;
    case 0x33 << 3 | 6: rr = f7 == 0x10 ? "sh3add" : f7 == 0x20 ? "orn" : f7 == 0x05 ? "max" : NULL; break;
    case 0x33 << 3 | 7: rr = f7 == 0x20 ? "andn" : f7 == 0x05 ? "maxu" : f7 == 0x04 ? "packh" : NULL; break;
    case 0x3b << 3 | 0:
        if (f7 == 0x04 && rs2 == 0) un = "zext.w";
        else if (f7 == 0x04) rr = "add.uw";
        break;
    case 0x3b << 3 | 1: rr = f7 == 0x30 ? "rolw" : NULL; break;
    case 0x3b << 3 | 2: rr = f7 == 0x10 ? "sh1add.uw" : NULL; break;
    case 0x3b << 3 | 4:
        if (f7 == 0x04 && rs2 == 0) un = "zext.h";
        else rr = f7 == 0x10 ? "sh2add.uw" : f7 == 0x04 ? "packw" : NULL;
        break;
    case 0x3b << 3 | 5: rr = f7 == 0x30 ? "rorw" : NULL; break;
    case 0x3b << 3 | 6: rr = f7 == 0x10 ? "sh3add.uw" : NULL; break;
    }
    if (un) {
        mn(d, un); x(d, rd); x(d, rs1);
    } else if (sh) {
        mn(d, sh); x(d, rd); x(d, rs1); hex(d, amount);
    } else if (rr) {
        mn(d, rr); x(d, rd); x(d, rs1); x(d, rs2);
    } else {
        return false;
    }
    return true;
}

static bool dis32(struct dis *d, uint32_t i)
{
    unsigned opc = bits(i, 6, 0), rd = bits(i, 11, 7), f3 = bits(i, 14, 12);
    unsigned rs1 = bits(i, 19, 15), rs2 = bits(i, 24, 20), f7 = bits(i, 31, 25);
    int64_t imm_i = imm_i_of(i), imm_s = imm_s_of(i), imm_b = imm_b_of(i);
    int64_t imm_u = imm_u_of(i), imm_j = imm_j_of(i);

    if ((opc == 0x13 || opc == 0x1b || opc == 0x33 || opc == 0x3b) && dis_zb(d, i))
        return true;
    switch (opc) {
    case 0x37:
    case 0x17:
        mn(d, opc == 0x37 ? "lui" : "auipc");
        x(d, rd);
        hex(d, i >> 12);
        set_hi(d, rd, opc == 0x37 ? (uint64_t)imm_u : d->pc + (uint64_t)imm_u);
        return true;
    case 0x6f:
        if (rd == 0) {
            mn(d, "j");
        } else {
            mn(d, "jal");
            if (rd != 1) x(d, rd);
        }
        target(d, imm_j);
        return true;
    case 0x67:
        if (f3)
            return false;
        if (rd == 0 && rs1 == 1 && imm_i == 0) {
            mn(d, "ret");
            return true;
        }
        mn(d, rd == 0 ? "jr" : "jalr");
        if (rd > 1) x(d, rd);
        addr_comment(d, rs1, imm_i, false);
        /* objdump looks at the base twice in the offset form (once for the
         * offset, once for the register): for zero and tp the second look
         * wins, leaving the bare offset. */
        if (imm_i)
            addr_comment(d, rs1, imm_i, false);
        if (imm_i)
            mem(d, imm_i, rs1);
        else
            x(d, rs1);
        return true;
    case 0x63: {
        static const char *const b[8] = { "beq", "bne", NULL, NULL, "blt", "bge", "bltu", "bgeu" };
        if (!b[f3])
            return false;
        /* with both registers zero, objdump prefers bltz and blez */
        if (rs1 == 0 && f3 == 5) {
            mn(d, "blez");
            x(d, rs2);
        } else if (rs2 == 0 && f3 <= 5) {
            static const char *const z[8] = { "beqz", "bnez", NULL, NULL, "bltz", "bgez" };
            mn(d, z[f3]);
            x(d, rs1);
        } else if (rs1 == 0 && f3 == 4) {
            mn(d, "bgtz");
            x(d, rs2);
        } else {
            mn(d, b[f3]);
            x(d, rs1);
            x(d, rs2);
        }
        target(d, imm_b);
        return true;
    }
    case 0x03: {
        static const char *const l[8] = { "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu", NULL };
        if (!l[f3])
            return false;
        mn(d, l[f3]);
        x(d, rd);
        addr_comment(d, rs1, imm_i, false);
        mem(d, imm_i, rs1);
        return true;
    }
    case 0x07:
    case 0x27:
        if (f3 < 1 || f3 > 3)
            return false;
        if (opc == 0x07) {
            mn(d, f3 == 1 ? "flh" : f3 == 2 ? "flw" : "fld");
            f(d, rd);
            addr_comment(d, rs1, imm_i, false);
            mem(d, imm_i, rs1);
        } else {
            mn(d, f3 == 1 ? "fsh" : f3 == 2 ? "fsw" : "fsd");
            f(d, rs2);
            addr_comment(d, rs1, imm_s, false);
            mem(d, imm_s, rs1);
        }
        return true;
    case 0x23: {
        static const char *const s[8] = { "sb", "sh", "sw", "sd" };
        if (f3 > 3)
            return false;
        mn(d, s[f3]);
        x(d, rs2);
        addr_comment(d, rs1, imm_s, false);
        mem(d, imm_s, rs1);
        return true;
    }
    case 0x13:
        switch (f3) {
        case 0:
            if (rd == 0 && rs1 == 0 && imm_i == 0) {
                mn(d, "nop");
            } else if (rs1 == 0) {
                mn(d, "li"); x(d, rd); imm(d, imm_i);
            } else if (imm_i == 0) {
                mn(d, "mv"); x(d, rd); x(d, rs1);
            } else {
                mn(d, "add"); x(d, rd); x(d, rs1);
                addr_comment(d, rs1, imm_i, false);
                imm(d, imm_i);
            }
            return true;
        case 2: mn(d, "slti"); x(d, rd); x(d, rs1); imm(d, imm_i); return true;
        case 3:
            if (imm_i == 1) {
                mn(d, "seqz"); x(d, rd); x(d, rs1);
            } else {
                mn(d, "sltiu"); x(d, rd); x(d, rs1); imm(d, imm_i);
            }
            return true;
        case 4:
            if (imm_i == -1) {
                mn(d, "not"); x(d, rd); x(d, rs1);
            } else {
                mn(d, "xor"); x(d, rd); x(d, rs1); imm(d, imm_i);
            }
            return true;
        case 6:
            /* Zicbop: ori x0 with imm[4:0] 0, 1, 3 is prefetch.i/r/w */
            if (rd == 0 && (rs2 == 0 || rs2 == 1 || rs2 == 3)) {
                mn(d, rs2 == 0 ? "prefetch.i" : rs2 == 1 ? "prefetch.r" : "prefetch.w");
                mem(d, imm_i & ~31ll, rs1);
                return true;
            }
            mn(d, "or"); x(d, rd); x(d, rs1); imm(d, imm_i);
            return true;
        case 7:
            if (imm_i == 255) {
                mn(d, "zext.b"); x(d, rd); x(d, rs1);
            } else {
                mn(d, "and"); x(d, rd); x(d, rs1); imm(d, imm_i);
            }
            return true;
        case 1:
        case 5: {
            unsigned f6 = bits(i, 31, 26);
            if (f3 == 1 && f6 == 0) mn(d, "sll");
            else if (f3 == 5 && f6 == 0) mn(d, "srl");
            else if (f3 == 5 && f6 == 0x10) mn(d, "sra");
            else return false;
            x(d, rd); x(d, rs1); hex(d, bits(i, 25, 20));
            return true;
        }
        }
        return false;
    case 0x1b:
        if (f3 == 0) {
            if (imm_i == 0) {
                mn(d, "sext.w"); x(d, rd); x(d, rs1);
            } else {
                mn(d, "addw"); x(d, rd); x(d, rs1);
                if (rs1) addr_comment(d, rs1, imm_i, true);
                imm(d, imm_i);
            }
            return true;
        }
        if (f3 == 1 && f7 == 0) mn(d, "sllw");
        else if (f3 == 5 && f7 == 0) mn(d, "srlw");
        else if (f3 == 5 && f7 == 0x20) mn(d, "sraw");
        else return false;
        x(d, rd); x(d, rs1); hex(d, rs2);
        return true;
    case 0x33:
    case 0x3b: {
        static const char *const base[8] = { "add", "sll", "slt", "sltu", "xor", "srl", "or", "and" };
        static const char *const mul[8] = { "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu" };
        bool w = opc == 0x3b;
        const char *name = NULL;
        if (f7 == 0) name = base[f3];
        else if (f7 == 1) name = mul[f3];
        else if (f7 == 0x20 && f3 == 0) name = "sub";
        else if (f7 == 0x20 && f3 == 5) name = "sra";
        if (!name)
            return false;
        if (w) {
            /* OP-32 has add, sub, sll, srl, sra and the M ops but mulh*. */
            if (f7 != 1 && f3 != 0 && f3 != 1 && f3 != 5) return false;
            if (f7 == 1 && f3 >= 1 && f3 <= 3) return false;
        }
        if (f7 == 0x20 && f3 == 0 && rs1 == 0) {
            mn(d, w ? "negw" : "neg"); x(d, rd); x(d, rs2);
            return true;
        }
        if (!w && f7 == 0 && f3 == 3 && rs1 == 0) {
            mn(d, "snez"); x(d, rd); x(d, rs2);
            return true;
        }
        if (!w && f7 == 0 && f3 == 2 && (rs2 == 0 || rs1 == 0)) {
            if (rs2 == 0) {
                mn(d, "sltz"); x(d, rd); x(d, rs1);
            } else {
                mn(d, "sgtz"); x(d, rd); x(d, rs2);
            }
            return true;
        }
        snprintf(d->mn, sizeof d->mn, "%s%s", name, w ? "w" : "");
        x(d, rd); x(d, rs1); x(d, rs2);
        return true;
    }
    case 0x0f:
        if (f3 == 2 && rd == 0 && (imm_i == 0 || imm_i == 1 || imm_i == 2 || imm_i == 4)) {
            static const char *const cbo[5] = { "cbo.inval", "cbo.clean", "cbo.flush", NULL, "cbo.zero" };
            mn(d, cbo[imm_i]);
            amo_addr(d, rs1);
            return true;
        }
        if (f3 == 1) {
            if (i != 0x0000100f) return false;
            mn(d, "fence.i");
            return true;
        }
        if (f3 != 0 || rd || rs1)
            return false;
        if (i == 0x8330000f) {
            mn(d, "fence.tso");
            return true;
        }
        if (i == 0x0100000f) {
            mn(d, "pause");
            return true;
        }
        if (bits(i, 31, 28))
            return false;
        mn(d, "fence");
        if (bits(i, 27, 20) != 0xff) {
            fence_set(d, bits(i, 27, 24));
            fence_set(d, bits(i, 23, 20));
        }
        return true;
    case 0x73:
        return dis_system(d, i);
    case 0x2f:
        return dis_amo(d, i);
    case 0x53: case 0x43: case 0x47: case 0x4b: case 0x4f:
        return dis_fp(d, i);
    }
    return false;
}

/* ---- 16-bit instructions ------------------------------------------------- */

static bool dis16(struct dis *d, uint32_t c)
{
    unsigned q = c & 3, f3 = bits(c, 15, 13);
    unsigned rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
    unsigned rdp = 8 + bits(c, 4, 2), rs1p = 8 + bits(c, 9, 7);
    int64_t imm6 = sext(bits(c, 12, 12) << 5 | bits(c, 6, 2), 6);
    unsigned ld_off = bits(c, 12, 10) << 3 | bits(c, 6, 5) << 6;
    unsigned lw_off = bits(c, 12, 10) << 3 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 6;

    if (c == 0) {
        mn(d, "unimp");
        return true;
    }
    switch (q << 3 | f3) {
    case 000: { /* c.addi4spn */
        unsigned nz = bits(c, 12, 11) << 4 | bits(c, 10, 7) << 6 | bits(c, 6, 6) << 2 | bits(c, 5, 5) << 3;
        if (!nz) return false;
        mn(d, "add"); x(d, rdp); x(d, 2); imm(d, nz);
        return true;
    }
    case 001: mn(d, "fld"); f(d, rdp); mem(d, ld_off, rs1p); return true;
    case 002: mn(d, "lw"); x(d, rdp); mem(d, lw_off, rs1p); return true;
    case 003: mn(d, "ld"); x(d, rdp); mem(d, ld_off, rs1p); return true;
    case 005: mn(d, "fsd"); f(d, rdp); mem(d, ld_off, rs1p); return true;
    case 006: mn(d, "sw"); x(d, rdp); mem(d, lw_off, rs1p); return true;
    case 007: mn(d, "sd"); x(d, rdp); mem(d, ld_off, rs1p); return true;
    case 010: /* c.addi, c.nop */
        if (rd == 0) { /* a HINT when imm != 0 */
            mn(d, imm6 ? "c.nop" : "nop");
            if (imm6) imm(d, imm6);
            return true;
        }
        mn(d, "add"); x(d, rd); x(d, rd);
        addr_comment(d, rd, imm6, false);
        imm(d, imm6);
        return true;
    case 011: /* c.addiw */
        if (rd == 0) return false;
        if (imm6 == 0) {
            mn(d, "sext.w"); x(d, rd); x(d, rd);
            return true;
        }
        mn(d, "addw"); x(d, rd); x(d, rd);
        addr_comment(d, rd, imm6, true);
        imm(d, imm6);
        return true;
    case 012: mn(d, rd ? "li" : "c.li"); x(d, rd); imm(d, imm6); return true;
    case 013:
        if (rd == 2) {
            int64_t nz = sext(bits(c, 12, 12) << 9 | bits(c, 6, 6) << 4 | bits(c, 5, 5) << 6 |
                              bits(c, 4, 3) << 7 | bits(c, 2, 2) << 5, 10);
            /* nz == 0 is reserved, yet objdump prints it as an add */
            mn(d, "add"); x(d, 2); x(d, 2); imm(d, nz);
            return true;
        }
        if (!imm6) return false;
        if (!rd) {
            mn(d, "c.lui"); x(d, rd); hex(d, (uint64_t)imm6 & 0xfffff);
            return true;
        }
        mn(d, "lui"); x(d, rd); hex(d, (uint64_t)imm6 & 0xfffff);
        set_hi(d, rd, (uint64_t)(imm6 * 4096));
        return true;
    case 014: {
        unsigned f2 = bits(c, 11, 10);
        unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);
        if (f2 == 0 || f2 == 1) {
            if (!shamt) {
                mn(d, f2 ? "c.srai64" : "c.srli64"); x(d, rs1p);
                return true;
            }
            mn(d, f2 ? "sra" : "srl"); x(d, rs1p); x(d, rs1p); hex(d, shamt);
            return true;
        }
        if (f2 == 2) {
            mn(d, "and"); x(d, rs1p); x(d, rs1p); imm(d, imm6);
            return true;
        }
        static const char *const ar[8] = { "sub", "xor", "or", "and", "subw", "addw", NULL, NULL };
        const char *name = ar[bits(c, 12, 12) << 2 | bits(c, 6, 5)];
        if (!name) return false;
        mn(d, name); x(d, rs1p); x(d, rs1p); x(d, rdp);
        return true;
    }
    case 015: {
        int64_t off = sext(bits(c, 12, 12) << 11 | bits(c, 11, 11) << 4 | bits(c, 10, 9) << 8 |
                           bits(c, 8, 8) << 10 | bits(c, 7, 7) << 6 | bits(c, 6, 6) << 7 |
                           bits(c, 5, 3) << 1 | bits(c, 2, 2) << 5, 12);
        mn(d, "j"); target(d, off);
        return true;
    }
    case 016: case 017: {
        int64_t off = sext(bits(c, 12, 12) << 8 | bits(c, 11, 10) << 3 | bits(c, 6, 5) << 6 |
                           bits(c, 4, 3) << 1 | bits(c, 2, 2) << 5, 9);
        mn(d, f3 == 6 ? "beqz" : "bnez"); x(d, rs1p); target(d, off);
        return true;
    }
    case 020: {
        unsigned shamt = bits(c, 12, 12) << 5 | bits(c, 6, 2);
        if (!shamt) {
            mn(d, "c.slli64"); x(d, rd);
        } else if (!rd) {
            mn(d, "c.slli"); x(d, rd); hex(d, shamt);
        } else {
            mn(d, "sll"); x(d, rd); x(d, rd); hex(d, shamt);
        }
        return true;
    }
    case 021:
        mn(d, "fld"); f(d, rd);
        mem(d, bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6, 2);
        return true;
    case 022:
        if (!rd) return false;
        mn(d, "lw"); x(d, rd);
        mem(d, bits(c, 12, 12) << 5 | bits(c, 6, 4) << 2 | bits(c, 3, 2) << 6, 2);
        return true;
    case 023:
        if (!rd) return false;
        mn(d, "ld"); x(d, rd);
        mem(d, bits(c, 12, 12) << 5 | bits(c, 6, 5) << 3 | bits(c, 4, 2) << 6, 2);
        return true;
    case 024:
        if (!bits(c, 12, 12)) {
            if (!rs2) {
                if (!rd) return false;
                if (rd == 1) {
                    mn(d, "ret");
                    return true;
                }
                mn(d, "jr"); x(d, rd);
            } else {
                mn(d, rd ? "mv" : "c.mv"); x(d, rd); x(d, rs2);
            }
            return true;
        }
        if (!rs2) {
            if (!rd) {
                mn(d, "ebreak");
            } else {
                mn(d, "jalr"); x(d, rd);
            }
            return true;
        }
        if (!rd) {
            mn(d, "c.add"); x(d, rd); x(d, rs2);
            return true;
        }
        mn(d, "add"); x(d, rd); x(d, rd); x(d, rs2);
        return true;
    case 025: mn(d, "fsd"); f(d, rs2); mem(d, bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6, 2); return true;
    case 026: mn(d, "sw"); x(d, rs2); mem(d, bits(c, 12, 9) << 2 | bits(c, 8, 7) << 6, 2); return true;
    case 027: mn(d, "sd"); x(d, rs2); mem(d, bits(c, 12, 10) << 3 | bits(c, 9, 7) << 6, 2); return true;
    }
    return false;
}

/* ---- entry points -------------------------------------------------------- */

static uint64_t le(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned k = n; k-- > 0;)
        v = v << 8 | b[k];
    return v;
}

/* ".byte 0x1f, 0x00, ..." */
static void bytes_list(char *buf, size_t size, const uint8_t *b, unsigned n)
{
    size_t k = (size_t)snprintf(buf, size, ".byte\t");
    for (unsigned j = 0; j < n && k < size; j++)
        k += (size_t)snprintf(buf + k, size - k, j ? ", 0x%02x" : "0x%02x", b[j]);
}

unsigned rv_disas(char *buf, size_t size, uint64_t pc, const uint8_t *bytes, size_t avail,
                  struct rv_disas_ctx *ctx)
{
    if (!size)
        return 0;
    buf[0] = 0;
    if (!avail)
        return 0;
    if (avail < 2) {
        bytes_list(buf, size, bytes, 1);
        return 1;
    }
    unsigned len = rv_insn_length((uint16_t)le(bytes, 2));
    if (len > avail) {
        /* objdump reports the address as out of bounds; show what there is. */
        bytes_list(buf, size, bytes, (unsigned)avail);
        return (unsigned)avail;
    }
    struct dis d = { .pc = pc, .ctx = ctx };
    bool ok = false;
    uint64_t w = le(bytes, len <= 8 ? len : 8);
    if (len == 2)
        ok = dis16(&d, (uint32_t)w);
    else if (len == 4)
        ok = dis32(&d, (uint32_t)w);
    if (!ok) {
        if (len == 2)
            snprintf(buf, size, ".2byte\t0x%" PRIx64, w);
        else if (len == 4)
            snprintf(buf, size, ".4byte\t0x%" PRIx64, w);
        else if (len == 8)
            snprintf(buf, size, ".8byte\t0x%" PRIx64, w);
        else
            bytes_list(buf, size, bytes, len);
        return len;
    }
    if (d.n) {
        if (d.has_addr)
            snprintf(buf, size, "%s\t%s # 0x%" PRIx64, d.mn, d.ops, d.addr);
        else
            snprintf(buf, size, "%s\t%s", d.mn, d.ops);
    } else {
        snprintf(buf, size, "%s", d.mn);
    }
    return len;
}

/* The encoding column: 8 bytes per line in chunks of 2 bytes (4 for
 * instructions whose length is a multiple of 4), each "%0Nx ". */
static size_t enc_column(char *buf, size_t size, const uint8_t *b, unsigned n, unsigned chunk, bool pad)
{
    size_t k = 0;
    unsigned j = 0;
    for (; j + chunk <= n && k < size; j += chunk)
        k += (size_t)snprintf(buf + k, size - k, "%0*" PRIx64 " ", (int)chunk * 2, le(b + j, chunk));
    for (; j < n && k < size; j++) /* a tail shorter than a chunk */
        k += (size_t)snprintf(buf + k, size - k, "%02x ", b[j]);
    if (pad)
        for (; j < 8 && k < size; j += chunk)
            k += (size_t)snprintf(buf + k, size - k, "%*s", (int)chunk * 2 + 1, "");
    return k < size ? k : size - 1;
}

static size_t addr_prefix(char *buf, size_t size, uint64_t pc)
{
    /* objdump's layout for code at 0x80000000 (or any 8-digit address):
     * four spaces, then the address. */
    int k = pc <= 0xffffffffu ? snprintf(buf, size, "    %8" PRIx64 ":\t", pc)
                              : snprintf(buf, size, "%16" PRIx64 ":\t", pc);
    if (k < 0)
        return 0;
    return (size_t)k < size ? (size_t)k : size - 1;
}

unsigned rv_disas_line(char *buf, size_t size, uint64_t pc, const uint8_t *bytes, size_t avail,
                       struct rv_disas_ctx *ctx)
{
    char text[160];
    if (!size)
        return 0;
    buf[0] = 0;
    unsigned len = rv_disas(text, sizeof text, pc, bytes, avail, ctx);
    if (!len)
        return 0;
    unsigned chunk = len % 4 == 0 ? 4 : 2;
    if (len == 1)
        chunk = 1;
    size_t k = addr_prefix(buf, size, pc);
    k += enc_column(buf + k, size - k, bytes, len < 8 ? len : 8, chunk, true);
    k += (size_t)snprintf(buf + k, size > k ? size - k : 0, "\t%s", text);
    for (unsigned off = 8; off < len && k < size - 1; off += 8) {
        k += (size_t)snprintf(buf + k, size - k, "\n");
        if (k >= size - 1)
            break;
        k += addr_prefix(buf + k, size - k, pc + off);
        if (k >= size - 1)
            break;
        k += enc_column(buf + k, size - k, bytes + off, len - off < 8 ? len - off : 8, chunk, false);
    }
    return len;
}
