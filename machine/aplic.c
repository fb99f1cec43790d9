/* machine/aplic.c: AIA APLIC, an M domain and its S child, direct or MSI
 * delivery (see aplic.h). */
#include "machine/aplic.h"
#include "bus/device.h"
#include "bus/trace.h"
#include "machine/board.h"

#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    DOMAINCFG = 0x0000, SOURCECFG = 0x0004,
    MMSIADDRCFG = 0x1bc0, MMSIADDRCFGH = 0x1bc4, SMSIADDRCFG = 0x1bc8, SMSIADDRCFGH = 0x1bcc,
    SETIP = 0x1c00, SETIPNUM = 0x1cdc, IN_CLRIP = 0x1d00, CLRIPNUM = 0x1ddc,
    SETIE = 0x1e00, SETIENUM = 0x1edc, CLRIE = 0x1f00, CLRIENUM = 0x1fdc,
    SETIPNUM_LE = 0x2000, SETIPNUM_BE = 0x2004, GENMSI = 0x3000, TARGET = 0x3004,
    IDC = 0x4000, IDC_SIZE = 32,
    IDELIVERY = 0x00, IFORCE = 0x04, ITHRESHOLD = 0x08, TOPI = 0x18, CLAIMI = 0x1c,
};

#define CFG_D        (1u << 10)
#define SM_INACTIVE  0u
#define SM_DETACHED  1u
#define SM_EDGE1     4u
#define SM_EDGE0     5u
#define SM_LEVEL1    6u
#define SM_LEVEL0    7u
#define DOMAINCFG_IE (1u << 8)
#define DOMAINCFG_DM (1u << 2)
#define WORDS        ((APLIC_NSRC + 1 + 31) / 32)
#define PRIO_MASK    0xffu

struct aplic_idc {
    uint32_t idelivery, iforce, ithreshold;
    struct irq_line line;
    bool level;
};

struct aplic;

struct aplic_domain {
    struct aplic *a;
    unsigned index;                    /* 0: M (root), 1: S */
    bool ie;
    uint32_t sourcecfg[APLIC_NSRC + 1];
    struct aplic_idc idc[APLIC_MAX_HARTS];
};

struct aplic {
    unsigned nharts;
    bool msi;
    struct bus *bus;
    uint64_t imsic[2];                 /* M and S interrupt files' base */
    uint32_t msicfg[4];                /* mmsiaddrcfg(h), smsiaddrcfg(h): read-only */
    uint32_t target[APLIC_NSRC + 1];
    uint32_t ip[WORDS], ie[WORDS], input[WORDS];
    bool sending;
    uint64_t dropped;                  /* MSIs that went nowhere */
    struct aplic_domain dom[2];
};

static bool bit(const uint32_t *m, unsigned i) { return m[i / 32] >> (i % 32) & 1; }
static void put(uint32_t *m, unsigned i, bool v)
{
    if (v)
        m[i / 32] |= 1u << (i % 32);
    else
        m[i / 32] &= ~(1u << (i % 32));
}

/* The domain that owns src: the child when the root delegated it. */
static unsigned owner(const struct aplic *a, unsigned src)
{
    return (a->dom[0].sourcecfg[src] & CFG_D) ? 1 : 0;
}

/* The source's mode in domain d (inactive when d does not own it). */
static unsigned mode(const struct aplic *a, unsigned d, unsigned src)
{
    if (src == 0 || src > APLIC_NSRC || owner(a, src) != d)
        return SM_INACTIVE;
    uint32_t c = a->dom[d].sourcecfg[src];
    return (c & CFG_D) ? SM_INACTIVE : c & 7;
}

static bool active(const struct aplic *a, unsigned d, unsigned src)
{
    return mode(a, d, src) != SM_INACTIVE;
}

static bool rectified(const struct aplic *a, unsigned d, unsigned src)
{
    bool in = bit(a->input, src);
    switch (mode(a, d, src)) {
    case SM_EDGE1: case SM_LEVEL1: return in;
    case SM_EDGE0: case SM_LEVEL0: return !in;
    default: return false;
    }
}

static bool is_level(unsigned sm) { return sm == SM_LEVEL1 || sm == SM_LEVEL0; }

/* ---- delivery ---- */

static unsigned hart_of(uint32_t target) { return target >> 18; }

/* Direct mode: the best source of domain d for hart h's IDC, or 0. */
static unsigned best(const struct aplic *a, unsigned d, unsigned h, uint32_t *prio)
{
    const struct aplic_idc *c = &a->dom[d].idc[h];
    unsigned found = 0;
    uint32_t fp = 0;
    for (unsigned w = 0; w < WORDS; w++)
        for (uint32_t bits = a->ip[w] & a->ie[w]; bits; bits &= bits - 1) {
            unsigned s = w * 32 + (unsigned)__builtin_ctz(bits);
            if (!active(a, d, s) || hart_of(a->target[s]) != h)
                continue;
            uint32_t p = a->target[s] & PRIO_MASK;
            if (c->ithreshold && p >= c->ithreshold)
                continue;
            if (!found || p < fp) {
                found = s;
                fp = p;
            }
        }
    if (prio)
        *prio = fp;
    return found;
}

static uint64_t msi_addr(const struct aplic *a, unsigned d, uint32_t target)
{
    uint32_t mh = a->msicfg[1];
    unsigned lhxw = mh >> 12 & 0xf, hhxw = mh >> 16 & 7, hhxs = mh >> 24 & 0x1f;
    uint32_t lo = a->msicfg[2 * d], hi = a->msicfg[2 * d + 1];
    unsigned lhxs = hi >> 20 & 7;
    uint64_t ppn = lo | (uint64_t)(hi & 0xfff) << 32;
    uint64_t hart = hart_of(target);
    uint64_t g = hart >> lhxw & ((1u << hhxw) - 1), hi_idx = hart & ((1u << lhxw) - 1);
    ppn |= g << (hhxs + 12) | hi_idx << lhxs;
    return ppn << 12;
}

static void send_msi(struct aplic *a, unsigned d, uint32_t target, uint32_t eiid)
{
    uint64_t addr = msi_addr(a, d, target);
    a->sending = true;
    bool ok = bus_write(a->bus, addr, 4, eiid);
    a->sending = false;
    if (!ok) {
        a->dropped++;
        if ((a->dropped & (a->dropped - 1)) == 0) /* 1st, 2nd, 4th, 8th ... */
            fprintf(stderr, "rivet: aplic: MSI %" PRIu32 " to 0x%" PRIx64 " went nowhere, dropped (%" PRIu64
                    " so far)\n", eiid, addr, a->dropped);
    }
}

static void update(struct aplic *a)
{
    if (a->msi) {
        if (a->sending)
            return;                    /* an MSI that came back here: sent on the next update */
        for (unsigned w = 0; w < WORDS; w++)
            for (uint32_t bits = a->ip[w] & a->ie[w]; bits; bits &= bits - 1) {
                unsigned s = w * 32 + (unsigned)__builtin_ctz(bits);
                unsigned d = owner(a, s);
                if (!active(a, d, s) || !a->dom[d].ie)
                    continue;
                put(a->ip, s, false);
                send_msi(a, d, a->target[s], a->target[s] & 0x7ff);
            }
        return;
    }
    for (unsigned d = 0; d < 2; d++)
        for (unsigned h = 0; h < a->nharts; h++) {
            struct aplic_idc *c = &a->dom[d].idc[h];
            bool level = a->dom[d].ie && (c->idelivery & 1) && (c->iforce || best(a, d, h, NULL));
            if (level != c->level) {
                c->level = level;
                irq_set(&c->line, level);
            }
        }
}

/* ---- sources ---- */

void aplic_set_irq(void *opaque, unsigned src, bool level)
{
    struct aplic *a = opaque;
    if (!a || src == 0 || src > APLIC_NSRC || bit(a->input, src) == level)
        return;
    if (TRACE_ON(TRACE_IRQ))
        trace_printf("irq: aplic source %u %s\n", src, level ? "raised" : "lowered");
    unsigned d = owner(a, src);
    bool was = rectified(a, d, src);
    put(a->input, src, level);
    bool now = rectified(a, d, src);
    unsigned sm = mode(a, d, src);
    if (is_level(sm) && !a->msi)
        put(a->ip, src, now);          /* direct: pending follows the level */
    else if (is_level(sm) && !now)
        put(a->ip, src, false);
    else if (now && !was && sm != SM_DETACHED && sm != SM_INACTIVE)
        put(a->ip, src, true);         /* rising rectified edge */
    update(a);
}

/* setip / setipnum of src by domain d. */
static void set_pending(struct aplic *a, unsigned d, unsigned src, bool on)
{
    unsigned sm = mode(a, d, src);
    if (sm == SM_INACTIVE)
        return;
    if (is_level(sm)) {
        if (!a->msi)
            return;                    /* direct: the wire alone decides */
        if (on && !rectified(a, d, src))
            return;
    }
    put(a->ip, src, on);
}

static void set_enable(struct aplic *a, unsigned d, unsigned src, bool on)
{
    if (active(a, d, src))
        put(a->ie, src, on);
}

/* A source that leaves a domain (inactive, delegated or taken back)
 * forgets its pending and enable bits and its target. */
static void forget(struct aplic *a, unsigned src)
{
    put(a->ip, src, false);
    put(a->ie, src, false);
    a->target[src] = a->msi ? 0 : 1;
}

static void write_sourcecfg(struct aplic *a, unsigned d, unsigned src, uint32_t v)
{
    if (owner(a, src) != d && !(d == 0))
        return;                        /* not the child's source: read-only zero */
    uint32_t nv;
    if (v & CFG_D)
        nv = d == 0 ? CFG_D : 0;       /* the root's one child is index 0; the child has none */
    else {
        nv = v & 7;
        if (nv == 2 || nv == 3)
            nv = SM_INACTIVE;          /* reserved modes */
    }
    uint32_t old = a->dom[d].sourcecfg[src];
    if (old == nv)
        return;
    if ((old ^ nv) & CFG_D)
        a->dom[1].sourcecfg[src] = 0;  /* delegated or taken back: the child starts inactive */
    a->dom[d].sourcecfg[src] = nv;
    forget(a, src);
    /* a level source that becomes active is pending when its wire is */
    unsigned sm = mode(a, owner(a, src), src);
    if (is_level(sm) && rectified(a, owner(a, src), src))
        put(a->ip, src, true);
    update(a);
}

static uint32_t legal_target(const struct aplic *a, uint32_t v)
{
    uint32_t hart = hart_of(v);
    if (a->msi)
        return (v & 0xfffc0000u) | (v & 0x7ff);     /* guest index 0: no guest files */
    if (hart >= a->nharts)
        hart = 0;
    uint32_t prio = v & PRIO_MASK;
    return hart << 18 | (prio ? prio : 1);
}

/* ---- registers ---- */

static uint32_t bits_of(const struct aplic *a, unsigned d, const uint32_t *m, unsigned w, bool rect)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 32; i++) {
        unsigned s = w * 32 + i;
        if (s == 0 || s > APLIC_NSRC || !active(a, d, s))
            continue;
        if (rect ? rectified(a, d, s) : bit(m, s))
            r |= 1u << i;
    }
    return r;
}

static uint32_t claim(struct aplic *a, unsigned d, unsigned h)
{
    uint32_t prio;
    unsigned s = best(a, d, h, &prio);
    if (!s) {
        a->dom[d].idc[h].iforce = 0;
        update(a);
        return 0;
    }
    if (!is_level(mode(a, d, s)))
        put(a->ip, s, false);
    update(a);
    return (uint32_t)s << 16 | prio;
}

static uint64_t aplic_read(void *opaque, uint64_t off, unsigned size)
{
    struct aplic_domain *dm = opaque;
    struct aplic *a = dm->a;
    unsigned d = dm->index;
    (void)size;
    if (off == DOMAINCFG)
        return 0x80000000u | (dm->ie ? DOMAINCFG_IE : 0) | (a->msi ? DOMAINCFG_DM : 0);
    if (off >= SOURCECFG && off < SOURCECFG + 4 * APLIC_NSRC) {
        unsigned s = (unsigned)(off - SOURCECFG) / 4 + 1;
        return (owner(a, s) == d || d == 0) ? dm->sourcecfg[s] : 0;
    }
    if (off >= MMSIADDRCFG && off <= SMSIADDRCFGH)
        return d == 0 && a->msi ? a->msicfg[(off - MMSIADDRCFG) / 4] : 0;
    if (off >= SETIP && off < SETIP + 4 * WORDS)
        return bits_of(a, d, a->ip, (unsigned)(off - SETIP) / 4, false);
    if (off >= IN_CLRIP && off < IN_CLRIP + 4 * WORDS)
        return bits_of(a, d, NULL, (unsigned)(off - IN_CLRIP) / 4, true);
    if (off >= SETIE && off < SETIE + 4 * WORDS)
        return bits_of(a, d, a->ie, (unsigned)(off - SETIE) / 4, false);
    if (off >= TARGET && off < TARGET + 4 * APLIC_NSRC) {
        unsigned s = (unsigned)(off - TARGET) / 4 + 1;
        return active(a, d, s) ? a->target[s] : 0;
    }
    if (off >= IDC && !a->msi) {
        uint64_t h = (off - IDC) / IDC_SIZE, r = (off - IDC) % IDC_SIZE;
        if (h >= a->nharts)
            return 0;
        struct aplic_idc *c = &dm->idc[h];
        uint32_t prio;
        unsigned s;
        switch (r) {
        case IDELIVERY: return c->idelivery;
        case IFORCE: return c->iforce;
        case ITHRESHOLD: return c->ithreshold;
        case TOPI:
            s = best(a, d, (unsigned)h, &prio);
            return s ? (uint32_t)s << 16 | prio : 0;
        case CLAIMI: return claim(a, d, (unsigned)h);
        }
    }
    return 0;   /* setipnum, clrip*, clrie*, genmsi (never busy), reserved */
}

static void aplic_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct aplic_domain *dm = opaque;
    struct aplic *a = dm->a;
    unsigned d = dm->index;
    uint32_t v = (uint32_t)value;
    (void)size;
    if (off == DOMAINCFG) {
        dm->ie = v & DOMAINCFG_IE;
        update(a);
        return;
    }
    if (off >= SOURCECFG && off < SOURCECFG + 4 * APLIC_NSRC) {
        write_sourcecfg(a, d, (unsigned)(off - SOURCECFG) / 4 + 1, v);
        return;
    }
    if (off >= TARGET && off < TARGET + 4 * APLIC_NSRC) {
        unsigned s = (unsigned)(off - TARGET) / 4 + 1;
        if (active(a, d, s)) {
            a->target[s] = legal_target(a, v);
            update(a);
        }
        return;
    }
    bool on = true;
    switch (off) {
    case SETIPNUM: case SETIPNUM_LE: case SETIPNUM_BE:
        if (off == SETIPNUM_BE)
            v = __builtin_bswap32(v);
        if (v >= 1 && v <= APLIC_NSRC)
            set_pending(a, d, v, true);
        update(a);
        return;
    case CLRIPNUM:
        if (v >= 1 && v <= APLIC_NSRC)
            set_pending(a, d, v, false);
        update(a);
        return;
    case CLRIENUM:
        on = false;
        /* fall through */
    case SETIENUM:
        if (v >= 1 && v <= APLIC_NSRC)
            set_enable(a, d, v, on);
        update(a);
        return;
    case GENMSI:
        if (a->msi)
            send_msi(a, d, v & 0xfffc0000u, v & 0x7ff);
        return;
    }
    for (unsigned k = 0; k < 4; k++) {
        static const uint64_t base[4] = { SETIP, IN_CLRIP, SETIE, CLRIE };
        if (off < base[k] || off >= base[k] + 4 * WORDS)
            continue;
        unsigned w = (unsigned)(off - base[k]) / 4;
        for (unsigned i = 0; i < 32; i++) {
            unsigned s = w * 32 + i;
            if (!(v >> i & 1) || s == 0 || s > APLIC_NSRC)
                continue;
            if (k < 2)
                set_pending(a, d, s, k == 0);
            else
                set_enable(a, d, s, k == 2);
        }
        update(a);
        return;
    }
    if (off >= IDC && !a->msi) {
        uint64_t h = (off - IDC) / IDC_SIZE, r = (off - IDC) % IDC_SIZE;
        if (h >= a->nharts)
            return;
        struct aplic_idc *c = &dm->idc[h];
        if (r == IDELIVERY)
            c->idelivery = v & 1;
        else if (r == IFORCE)
            c->iforce = v & 1;
        else if (r == ITHRESHOLD)
            c->ithreshold = v & PRIO_MASK;
        update(a);
    }
}

const struct bus_device_ops aplic_ops = {
    .read = aplic_read,
    .write = aplic_write,
    .sizes = BUS_SIZE_4,
    .aligned = true,
};

/* ---- life ---- */

static unsigned log2_up(unsigned n)
{
    unsigned b = 0;
    while ((1u << b) < n)
        b++;
    return b;
}

static void reset(struct aplic *a)
{
    memset(a->target, 0, sizeof a->target);
    memset(a->ip, 0, sizeof a->ip);
    memset(a->ie, 0, sizeof a->ie);
    for (unsigned s = 0; s <= APLIC_NSRC; s++)
        a->target[s] = a->msi ? 0 : 1;
    for (unsigned d = 0; d < 2; d++) {
        struct aplic_domain *dm = &a->dom[d];
        dm->ie = false;
        memset(dm->sourcecfg, 0, sizeof dm->sourcecfg);
        for (unsigned h = 0; h < APLIC_MAX_HARTS; h++)
            dm->idc[h].idelivery = dm->idc[h].iforce = dm->idc[h].ithreshold = 0;
    }
    update(a);
}

struct aplic *aplic_new(unsigned nharts, bool msi, const struct irq_line *meip, const struct irq_line *seip,
                        struct bus *bus, uint64_t imsic_m, uint64_t imsic_s)
{
    if (nharts == 0 || nharts > APLIC_MAX_HARTS)
        return NULL;
    struct aplic *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->nharts = nharts;
    a->msi = msi;
    a->bus = bus;
    a->imsic[0] = imsic_m;
    a->imsic[1] = imsic_s;
    /* Locked MSI address configuration: hart index h at base + h pages
     * (LHXW bits of hart index, LHXS = HHXW = HHXS = 0). */
    a->msicfg[0] = (uint32_t)(imsic_m >> 12);
    a->msicfg[1] = 1u << 31 | log2_up(nharts) << 12 | (uint32_t)(imsic_m >> 44 & 0xfff);
    a->msicfg[2] = (uint32_t)(imsic_s >> 12);
    a->msicfg[3] = (uint32_t)(imsic_s >> 44 & 0xfff);
    for (unsigned d = 0; d < 2; d++) {
        a->dom[d].a = a;
        a->dom[d].index = d;
        for (unsigned h = 0; h < nharts && !msi; h++) {
            const struct irq_line *l = d == 0 ? meip : seip;
            if (l)
                a->dom[d].idc[h].line = l[h];
        }
    }
    reset(a);
    return a;
}

void aplic_free(struct aplic *a)
{
    free(a);
}

void *aplic_domain(struct aplic *a, unsigned d)
{
    return a && d < 2 ? &a->dom[d] : NULL;
}

/* ---- device types ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

/* QEMU 7.2's nodes. The M domain delegates every source to its child. */
static int aplic_fdt(const struct board_fdt *b, bool m)
{
    FDT_TRY(board_fdt_begin_at(b, "aplic", b->base));
    FDT_TRY(fdt_property_cell(b->fdt, "phandle", b->phandle));
    if (m) {
        uint32_t *c = board_fdt_cells(b, "riscv,delegate", 3);
        if (!c)
            return -1;
        c[0] = cpu_to_fdt32(b->aplic_s_phandle);
        c[1] = cpu_to_fdt32(1);
        c[2] = cpu_to_fdt32(APLIC_NSRC);
        FDT_TRY(fdt_property_cell(b->fdt, "riscv,children", b->aplic_s_phandle));
    }
    FDT_TRY(fdt_property_cell(b->fdt, "riscv,num-sources", APLIC_NSRC));
    FDT_TRY(board_fdt_reg(b, b->base, b->size));
    if (b->msi_phandle[m ? 0 : 1]) {
        FDT_TRY(fdt_property_cell(b->fdt, "msi-parent", b->msi_phandle[m ? 0 : 1]));
    } else {
        uint32_t *c = board_fdt_cells(b, "interrupts-extended", 2 * b->nharts);
        if (!c)
            return -1;
        for (unsigned h = 0; h < b->nharts; h++) {
            c[2 * h] = cpu_to_fdt32(board_fdt_intc_phandle(h));
            c[2 * h + 1] = cpu_to_fdt32(m ? 11 : 9);
        }
    }
    FDT_TRY(fdt_property(b->fdt, "interrupt-controller", NULL, 0));
    FDT_TRY(fdt_property_cell(b->fdt, "#interrupt-cells", 2));
    FDT_TRY(fdt_property_string(b->fdt, "compatible", "riscv,aplic"));
    return fdt_end_node(b->fdt);
}

static int aplic_m_fdt(const struct board_fdt *b) { return aplic_fdt(b, true); }
static int aplic_s_fdt(const struct board_fdt *b) { return aplic_fdt(b, false); }

static void aplic_free_m(void *d) { aplic_free(((struct aplic_domain *)d)->a); }
static void aplic_free_s(void *d) { (void)d; /* a view of the M row's controller */ }
static void aplic_reset_m(void *d) { reset(((struct aplic_domain *)d)->a); }
static void aplic_reset_s(void *d) { (void)d; /* the M row's reset covers both domains */ }

/* Both domains and the sources (bus/state.h), saved with the M row; a
 * load keeps what guest writes could reach and recomputes the outputs. */
static void aplic_state(struct aplic *a, struct state *st)
{
    state_section(st, "aplic", 1);
    unsigned n = a->nharts;
    bool msi = a->msi;
    state_unsigned(st, "harts", &n);
    state_bool(st, "msi", &msi);
    if (state_loading(st) && (n != a->nharts || msi != a->msi))
        state_fail(st, "aplic: another number of harts or delivery mode");
    state_bytes(st, "target", a->target, sizeof a->target);
    state_bytes(st, "ip", a->ip, sizeof a->ip);
    state_bytes(st, "ie", a->ie, sizeof a->ie);
    state_bytes(st, "input", a->input, sizeof a->input);
    for (unsigned d = 0; d < 2 && !st->error; d++) {
        struct aplic_domain *dm = &a->dom[d];
        state_bool(st, "ie", &dm->ie);
        state_bytes(st, "sourcecfg", dm->sourcecfg, sizeof dm->sourcecfg);
        for (unsigned h = 0; h < a->nharts; h++) {
            state_u32(st, "idelivery", &dm->idc[h].idelivery);
            state_u32(st, "iforce", &dm->idc[h].iforce);
            state_u32(st, "ithreshold", &dm->idc[h].ithreshold);
        }
    }
    if (!state_loading(st) || st->error)
        return;
    for (unsigned s = 1; s <= APLIC_NSRC; s++) {
        uint32_t c0 = a->dom[0].sourcecfg[s];
        a->dom[0].sourcecfg[s] = (c0 & CFG_D) ? CFG_D : ((c0 & 7) == 2 || (c0 & 7) == 3) ? 0 : c0 & 7;
        uint32_t c1 = a->dom[1].sourcecfg[s] & 7;
        a->dom[1].sourcecfg[s] = (a->dom[0].sourcecfg[s] & CFG_D) && c1 != 2 && c1 != 3 ? c1 : 0;
        a->target[s] = legal_target(a, a->target[s]);
    }
    for (unsigned w = 0; w < WORDS; w++) {
        uint32_t valid = w == 0 ? ~1u : ~0u;
        if (w == WORDS - 1 && (APLIC_NSRC + 1) % 32)
            valid &= (1u << ((APLIC_NSRC + 1) % 32)) - 1;
        a->ip[w] &= valid;
        a->ie[w] &= valid;
        a->input[w] &= valid;
    }
    for (unsigned s = 1; s <= APLIC_NSRC; s++)
        if (!active(a, owner(a, s), s)) {
            put(a->ip, s, false);
            put(a->ie, s, false);
        }
    for (unsigned d = 0; d < 2; d++)
        for (unsigned h = 0; h < a->nharts; h++) {
            a->dom[d].idc[h].idelivery &= 1;
            a->dom[d].idc[h].iforce &= 1;
            a->dom[d].idc[h].ithreshold &= PRIO_MASK;
        }
    update(a);
}

static void aplic_save_m(void *d, struct state *st) { aplic_state(((struct aplic_domain *)d)->a, st); }
static int aplic_load_m(void *d, struct state *st)
{
    aplic_state(((struct aplic_domain *)d)->a, st);
    return st->error ? -1 : 0;
}
/* The S row's state is the M row's (one controller). */
static void aplic_save_s(void *d, struct state *st) { (void)d; state_section(st, "aplic-s", 1); }
static int aplic_load_s(void *d, struct state *st) { (void)d; state_section(st, "aplic-s", 1); return st->error ? -1 : 0; }

DEVICE_TYPE(aplic_m) = {
    .name = "aplic-m",
    .help = "AIA platform-level interrupt controller, M domain",
    .kind = DEVICE_PLATFORM,
    .ops = &aplic_ops,
    .fdt_node = aplic_m_fdt,
    .free = aplic_free_m,
    .reset = aplic_reset_m,
    .save = aplic_save_m,
    .load = aplic_load_m,
};

DEVICE_TYPE(aplic_s) = {
    .name = "aplic-s",
    .help = "AIA platform-level interrupt controller, S domain",
    .kind = DEVICE_PLATFORM,
    .ops = &aplic_ops,
    .fdt_node = aplic_s_fdt,
    .free = aplic_free_s,
    .reset = aplic_reset_s,
    .save = aplic_save_s,
    .load = aplic_load_s,
};
