/* machine/plic.c: SiFive PLIC, gateways plus the per-context core. */
#include "machine/plic.h"
#include "bus/device.h"
#include "machine/board.h"

#include <libfdt.h>

#include <stdlib.h>
#include <string.h>

#include "bus/trace.h"

#define PLIC_PENDING    0x001000u
#define PLIC_ENABLE     0x002000u
#define PLIC_ENABLE_CTX 0x80u
#define PLIC_CONTEXT    0x200000u
#define PLIC_CONTEXT_SZ 0x1000u
/* Bitmap words covering ids 0..PLIC_NDEV. */
#define PLIC_WORDS      ((PLIC_NDEV + 1 + 31) / 32)

struct plic_context {
    uint32_t enable[PLIC_WORDS];
    uint32_t threshold;
    struct irq_line line;
    bool level;              /* current level of the output line */
};

struct plic {
    uint32_t priority[PLIC_NDEV + 1];
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS];   /* in service: claimed, not completed */
    uint32_t input[PLIC_WORDS];     /* level of each source's input wire */
    uint32_t edge[PLIC_WORDS];      /* edge-triggered sources */
    uint32_t latched[PLIC_WORDS];   /* edge seen while in service */
    unsigned ncontexts;
    struct plic_context ctx[];
};

static bool bit_get(const uint32_t *map, unsigned id)
{
    return map[id / 32] >> (id % 32) & 1;
}

static void bit_put(uint32_t *map, unsigned id, bool v)
{
    if (v)
        map[id / 32] |= 1u << (id % 32);
    else
        map[id / 32] &= ~(1u << (id % 32));
}

/* Bits of bitmap word w that name real sources. */
static uint32_t valid_mask(unsigned w)
{
    uint32_t m = UINT32_MAX;
    if (w == 0)
        m &= ~1u;                       /* source 0 does not exist */
    unsigned first = w * 32;
    if (first + 31 > PLIC_NDEV) {
        unsigned n = PLIC_NDEV + 1 > first ? PLIC_NDEV + 1 - first : 0;
        m &= n >= 32 ? UINT32_MAX : (1u << n) - 1;
    }
    return m;
}

/* The source a claim by context c would return: the highest priority
 * pending enabled source above the threshold, lowest id on ties; 0 if none. */
static unsigned best_source(const struct plic *p, const struct plic_context *c)
{
    unsigned best = 0;
    uint32_t best_prio = c->threshold;
    for (unsigned w = 0; w < PLIC_WORDS; w++) {
        uint32_t bits = p->pending[w] & c->enable[w] & ~p->claimed[w];
        while (bits) {
            unsigned id = w * 32 + (unsigned)__builtin_ctz(bits);
            bits &= bits - 1;
            if (p->priority[id] > best_prio) {
                best_prio = p->priority[id];
                best = id;
            }
        }
    }
    return best;
}

static void update(struct plic *p)
{
    for (unsigned i = 0; i < p->ncontexts; i++) {
        struct plic_context *c = &p->ctx[i];
        bool level = best_source(p, c) != 0;
        if (level != c->level) {
            c->level = level;
            irq_set(&c->line, level);
        }
    }
}

struct plic *plic_new(unsigned nharts, const struct irq_line *meip_lines,
                      const struct irq_line *seip_lines)
{
    if (nharts == 0 || nharts > PLIC_MAX_HARTS)
        return NULL;
    unsigned n = 2 * nharts;
    struct plic *p = calloc(1, sizeof *p + n * sizeof p->ctx[0]);
    if (!p)
        return NULL;
    p->ncontexts = n;
    for (unsigned h = 0; h < nharts; h++) {
        if (meip_lines)
            p->ctx[2 * h].line = meip_lines[h];
        if (seip_lines)
            p->ctx[2 * h + 1].line = seip_lines[h];
    }
    return p;
}

void plic_free(struct plic *p)
{
    free(p);
}

void plic_set_irq(void *opaque, unsigned src, bool level)
{
    struct plic *p = opaque;
    if (!p || src == 0 || src > PLIC_NDEV)
        return;
    bool was = bit_get(p->input, src);
    if (TRACE_ON(TRACE_IRQ) && was != level)
        trace_printf("irq: plic source %u %s\n", src, level ? "raised" : "lowered");
    bit_put(p->input, src, level);
    bool in_service = bit_get(p->claimed, src);
    if (bit_get(p->edge, src)) {
        if (!level || was)
            return;
        if (in_service)
            bit_put(p->latched, src, true);
        else
            bit_put(p->pending, src, true);
    } else {
        /* A level source that drops its request before the claim
         * withdraws it, so the guest never sees a stale interrupt. */
        if (in_service)
            return;
        bit_put(p->pending, src, level);
    }
    update(p);
}

void plic_set_edge(struct plic *p, unsigned src, bool edge)
{
    if (!p || src == 0 || src > PLIC_NDEV)
        return;
    bit_put(p->edge, src, edge);
    bit_put(p->latched, src, false);
    if (!edge && !bit_get(p->claimed, src))
        bit_put(p->pending, src, bit_get(p->input, src));
    update(p);
}

static uint32_t claim(struct plic *p, struct plic_context *c)
{
    unsigned id = best_source(p, c);
    if (id) {
        bit_put(p->pending, id, false);
        bit_put(p->claimed, id, true);
        update(p);
    }
    return id;
}

static void complete(struct plic *p, struct plic_context *c, uint64_t id)
{
    /* The spec ignores completions of ids the context cannot have claimed. */
    if (id == 0 || id > PLIC_NDEV || !bit_get(c->enable, (unsigned)id))
        return;
    unsigned src = (unsigned)id;
    if (!bit_get(p->claimed, src))
        return;
    bit_put(p->claimed, src, false);
    if (bit_get(p->edge, src)) {
        if (bit_get(p->latched, src))
            bit_put(p->pending, src, true);
        bit_put(p->latched, src, false);
    } else if (bit_get(p->input, src)) {
        bit_put(p->pending, src, true);
    }
    update(p);
}

static uint64_t plic_read(void *opaque, uint64_t off, unsigned size)
{
    struct plic *p = opaque;
    if (off < PLIC_PENDING) {
        uint64_t src = off / 4;
        return src >= 1 && src <= PLIC_NDEV ? p->priority[src] : 0;
    }
    if (off < PLIC_ENABLE) {
        uint64_t w = (off - PLIC_PENDING) / 4;
        return w < PLIC_WORDS ? p->pending[w] : 0;
    }
    if (off < PLIC_CONTEXT) {
        uint64_t i = (off - PLIC_ENABLE) / PLIC_ENABLE_CTX;
        uint64_t w = (off - PLIC_ENABLE) % PLIC_ENABLE_CTX / 4;
        return i < p->ncontexts && w < PLIC_WORDS ? p->ctx[i].enable[w] : 0;
    }
    uint64_t i = (off - PLIC_CONTEXT) / PLIC_CONTEXT_SZ;
    uint64_t reg = (off - PLIC_CONTEXT) % PLIC_CONTEXT_SZ;
    if (i >= p->ncontexts)
        return 0;
    if (reg == 0)
        return p->ctx[i].threshold;
    if (reg == 4)
        return claim(p, &p->ctx[i]);
    return 0;
}

static void plic_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct plic *p = opaque;
    uint32_t v = (uint32_t)value;
    if (off < PLIC_PENDING) {
        uint64_t src = off / 4;
        if (src >= 1 && src <= PLIC_NDEV) {
            p->priority[src] = v & PLIC_PRIO_MASK;
            update(p);
        }
        return;
    }
    if (off < PLIC_ENABLE)
        return; /* pending bits are read-only */
    if (off < PLIC_CONTEXT) {
        uint64_t i = (off - PLIC_ENABLE) / PLIC_ENABLE_CTX;
        uint64_t w = (off - PLIC_ENABLE) % PLIC_ENABLE_CTX / 4;
        if (i < p->ncontexts && w < PLIC_WORDS) {
            p->ctx[i].enable[w] = v & valid_mask((unsigned)w);
            update(p);
        }
        return;
    }
    uint64_t i = (off - PLIC_CONTEXT) / PLIC_CONTEXT_SZ;
    uint64_t reg = (off - PLIC_CONTEXT) % PLIC_CONTEXT_SZ;
    if (i >= p->ncontexts)
        return;
    if (reg == 0) {
        p->ctx[i].threshold = v & PLIC_PRIO_MASK;
        update(p);
    } else if (reg == 4) {
        complete(p, &p->ctx[i], v);
    }
}

const struct bus_device_ops plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .sizes = BUS_SIZE_4,
    .aligned = true,
};

/* ---- the device type (bus/device.h, machine/board.h) ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

#define IRQ_S_EXT 9u
#define IRQ_M_EXT 11u

static int plic_fdt(const struct board_fdt *b)
{
    static const char *const compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
    FDT_TRY(board_fdt_begin_at(b, "plic", b->base));
    FDT_TRY(fdt_property_cell(b->fdt, "phandle", b->phandle));
    FDT_TRY(fdt_property_cell(b->fdt, "riscv,ndev", b->plic_ndev));
    FDT_TRY(board_fdt_reg(b, b->base, b->size));
    /* Context 2h is hart h's M-mode external interrupt, 2h+1 its S-mode. */
    FDT_TRY(board_fdt_per_hart_irqs(b, IRQ_M_EXT, IRQ_S_EXT));
    FDT_TRY(fdt_property(b->fdt, "interrupt-controller", NULL, 0));
    FDT_TRY(board_fdt_strings(b, "compatible", compat, 2));
    FDT_TRY(fdt_property_cell(b->fdt, "#address-cells", 0));
    FDT_TRY(fdt_property_cell(b->fdt, "#interrupt-cells", 1));
    return fdt_end_node(b->fdt);
}

static void plic_free_v(void *d) { plic_free(d); }

/* Priorities, enables, thresholds and claims cleared; a level source whose
 * wire is still high is pending again, as its next edge would make it. */
static void plic_reset_v(void *d)
{
    struct plic *p = d;
    memset(p->priority, 0, sizeof p->priority);
    memset(p->claimed, 0, sizeof p->claimed);
    memset(p->latched, 0, sizeof p->latched);
    for (unsigned w = 0; w < PLIC_WORDS; w++)
        p->pending[w] = p->input[w] & ~p->edge[w] & valid_mask(w);
    for (unsigned i = 0; i < p->ncontexts; i++) {
        memset(p->ctx[i].enable, 0, sizeof p->ctx[i].enable);
        p->ctx[i].threshold = 0;
    }
    update(p);
}

void plic_state(struct plic *p, struct state *st)
{
    state_section(st, "plic", 1);
    unsigned n = p->ncontexts;
    state_unsigned(st, "contexts", &n);
    if (state_loading(st) && n != p->ncontexts)
        state_fail(st, "plic: another number of harts");
    state_bytes(st, "priority", p->priority, sizeof p->priority);
    state_bytes(st, "pending", p->pending, sizeof p->pending);
    state_bytes(st, "claimed", p->claimed, sizeof p->claimed);
    state_bytes(st, "input", p->input, sizeof p->input);
    state_bytes(st, "edge", p->edge, sizeof p->edge);
    state_bytes(st, "latched", p->latched, sizeof p->latched);
    for (unsigned i = 0; i < p->ncontexts && !st->error; i++) {
        state_bytes(st, "enable", p->ctx[i].enable, sizeof p->ctx[i].enable);
        state_u32(st, "threshold", &p->ctx[i].threshold);
    }
    if (!state_loading(st))
        return;
    /* a stream comes from a file: hold it to what guest writes can reach
     * (sources 1..PLIC_NDEV, 3-bit priorities), as plic_write does */
    p->priority[0] = 0;
    for (unsigned s = 1; s <= PLIC_NDEV; s++)
        p->priority[s] &= PLIC_PRIO_MASK;
    for (unsigned w = 0; w < PLIC_WORDS; w++) {
        uint32_t m = valid_mask(w);
        p->pending[w] &= m;
        p->claimed[w] &= m;
        p->input[w] &= m;
        p->edge[w] &= m;
        p->latched[w] &= m;
        for (unsigned i = 0; i < p->ncontexts; i++)
            p->ctx[i].enable[w] &= m;
    }
    for (unsigned i = 0; i < p->ncontexts; i++)
        p->ctx[i].threshold &= PLIC_PRIO_MASK;
    update(p);
}

static void plic_save_v(void *d, struct state *st) { plic_state(d, st); }
static int plic_load_v(void *d, struct state *st) { plic_state(d, st); return st->error ? -1 : 0; }

DEVICE_TYPE(plic) = {
    .name = "plic",
    .help = "platform-level interrupt controller",
    .kind = DEVICE_PLATFORM,
    .ops = &plic_ops,
    .fdt_node = plic_fdt,
    .free = plic_free_v,
    .reset = plic_reset_v,
    .save = plic_save_v,
    .load = plic_load_v,
};
