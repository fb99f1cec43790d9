/* machine/imsic.c: AIA incoming MSI controller, interrupt files per hart
 * and level (see imsic.h). */
#include "machine/imsic.h"
#include "bus/device.h"
#include "bus/trace.h"
#include "cpu/riscv/aia.h"
#include "machine/board.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define WORDS ((IMSIC_NUM_IDS + 1 + 63) / 64)   /* 64-bit eip/eie words */
#define THRESHOLD_MASK 0x7ffu                  /* as wide as topei's identity */

struct imsic_file {
    uint64_t eip[WORDS], eie[WORDS];
    uint32_t eidelivery, eithreshold;
    struct irq_line line;
    bool level;
};

struct imsic;

struct imsic_hart {
    struct imsic *im;
    struct imsic_file file[2];   /* RV_AIA_LEVEL_M, RV_AIA_LEVEL_S */
};

struct imsic_view {
    struct imsic *im;
    unsigned level;
};

struct imsic {
    unsigned nharts;
    struct imsic_view view[2];
    struct imsic_hart hart[];
};

static uint32_t top(const struct imsic_file *f)
{
    for (unsigned w = 0; w < WORDS; w++) {
        uint64_t bits = f->eip[w] & f->eie[w];
        if (!bits)
            continue;
        uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(bits);
        if (f->eithreshold && id >= f->eithreshold)
            return 0;
        return id;
    }
    return 0;
}

static void update(struct imsic_file *f)
{
    bool level = f->eidelivery == 1 && top(f) != 0;
    if (level != f->level) {
        f->level = level;
        irq_set(&f->line, level);
    }
}

/* Bits of word w that name identities 1..IMSIC_NUM_IDS. */
static uint64_t valid(unsigned w)
{
    uint64_t m = w == 0 ? ~1ull : ~0ull;
    unsigned first = w * 64;
    if (first + 63 > IMSIC_NUM_IDS) {
        unsigned n = IMSIC_NUM_IDS + 1 > first ? IMSIC_NUM_IDS + 1 - first : 0;
        m &= n >= 64 ? ~0ull : (1ull << n) - 1;
    }
    return m;
}

struct imsic *imsic_new(unsigned nharts, const struct irq_line *meip, const struct irq_line *seip)
{
    if (nharts == 0 || nharts > IMSIC_MAX_HARTS)
        return NULL;
    struct imsic *im = calloc(1, sizeof *im + nharts * sizeof im->hart[0]);
    if (!im)
        return NULL;
    im->nharts = nharts;
    for (unsigned l = 0; l < 2; l++)
        im->view[l] = (struct imsic_view){ im, l };
    for (unsigned h = 0; h < nharts; h++) {
        im->hart[h].im = im;
        if (meip)
            im->hart[h].file[RV_AIA_LEVEL_M].line = meip[h];
        if (seip)
            im->hart[h].file[RV_AIA_LEVEL_S].line = seip[h];
    }
    return im;
}

void imsic_free(struct imsic *im)
{
    free(im);
}

void *imsic_view(struct imsic *im, unsigned level)
{
    return im && level < 2 ? &im->view[level] : NULL;
}

void *imsic_hart_ctx(struct imsic *im, unsigned hart)
{
    return im && hart < im->nharts ? &im->hart[hart] : NULL;
}

void imsic_send(struct imsic *im, unsigned level, unsigned hart, uint32_t id)
{
    if (!im || level > 1 || hart >= im->nharts || id == 0 || id > IMSIC_NUM_IDS)
        return;
    if (TRACE_ON(TRACE_IRQ))
        trace_printf("irq: imsic hart %u %s file: MSI %u\n", hart, level ? "S" : "M", id);
    struct imsic_file *f = &im->hart[hart].file[level];
    f->eip[id / 64] |= 1ull << (id % 64);
    update(f);
}

/* ---- the hart's indirect CSRs (cpu/riscv/aia.h) ---- */

static int reg_read(void *ctx, unsigned level, unsigned sel, uint64_t *v)
{
    struct imsic_file *f = &((struct imsic_hart *)ctx)->file[level & 1];
    if (sel == 0x70) {
        *v = f->eidelivery;
        return 0;
    }
    if (sel == 0x72) {
        *v = f->eithreshold;
        return 0;
    }
    if (sel >= 0x80 && sel <= 0xff) {
        unsigned i = (sel - 0x80) % 64;
        if (i & 1)
            return -1;                      /* eip1, eip3 ...: RV32 only */
        const uint64_t *a = sel < 0xc0 ? f->eip : f->eie;
        *v = i / 2 < WORDS ? a[i / 2] : 0;
        return 0;
    }
    return -1;                              /* 0x71, 0x73..0x7f: reserved */
}

static int reg_write(void *ctx, unsigned level, unsigned sel, uint64_t v)
{
    struct imsic_file *f = &((struct imsic_hart *)ctx)->file[level & 1];
    if (sel == 0x70)
        f->eidelivery = (uint32_t)(v & 1);   /* no APLIC-direct mode (0x40000000) */
    else if (sel == 0x72)
        f->eithreshold = (uint32_t)(v & THRESHOLD_MASK);
    else if (sel >= 0x80 && sel <= 0xff) {
        unsigned i = (sel - 0x80) % 64;
        if (i & 1)
            return -1;
        uint64_t *a = sel < 0xc0 ? f->eip : f->eie;
        if (i / 2 < WORDS)
            a[i / 2] = v & valid(i / 2);
    } else
        return -1;
    update(f);
    return 0;
}

static uint32_t topei(void *ctx, unsigned level)
{
    uint32_t id = top(&((struct imsic_hart *)ctx)->file[level & 1]);
    return id << 16 | id;
}

static void claim(void *ctx, unsigned level)
{
    struct imsic_file *f = &((struct imsic_hart *)ctx)->file[level & 1];
    uint32_t id = top(f);
    if (id) {
        f->eip[id / 64] &= ~(1ull << (id % 64));
        update(f);
    }
}

const struct rv_imsic_ops imsic_hart_ops = {
    .reg_read = reg_read, .reg_write = reg_write, .topei = topei, .claim = claim,
};

/* ---- MMIO: setipnum_le / setipnum_be per page ---- */

static uint64_t imsic_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque; (void)off; (void)size;
    return 0;
}

static void imsic_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct imsic_view *v = opaque;
    uint64_t hart = off / IMSIC_PAGE, reg = off % IMSIC_PAGE;
    uint32_t id = (uint32_t)value;
    if (reg == 4)
        id = __builtin_bswap32(id);
    else if (reg != 0)
        return;
    if (hart < v->im->nharts)
        imsic_send(v->im, v->level, (unsigned)hart, id);
}

const struct bus_device_ops imsic_ops = {
    .read = imsic_read,
    .write = imsic_write,
    .sizes = BUS_SIZE_4,
    .aligned = true,
};

/* ---- device types ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

/* QEMU 7.2's node: M files drive MEIP (11), S files SEIP (9). */
static int imsic_fdt(const struct board_fdt *b, unsigned irq)
{
    FDT_TRY(board_fdt_begin_at(b, "imsics", b->base));
    FDT_TRY(fdt_property_cell(b->fdt, "phandle", b->phandle));
    FDT_TRY(fdt_property_cell(b->fdt, "riscv,ipi-id", 1));
    FDT_TRY(fdt_property_cell(b->fdt, "riscv,num-ids", IMSIC_NUM_IDS));
    FDT_TRY(board_fdt_reg(b, b->base, IMSIC_PAGE * b->nharts));
    uint32_t *c = board_fdt_cells(b, "interrupts-extended", 2 * b->nharts);
    if (!c)
        return -1;
    for (unsigned h = 0; h < b->nharts; h++) {
        c[2 * h] = cpu_to_fdt32(board_fdt_intc_phandle(h));
        c[2 * h + 1] = cpu_to_fdt32(irq);
    }
    FDT_TRY(fdt_property(b->fdt, "msi-controller", NULL, 0));
    FDT_TRY(fdt_property(b->fdt, "interrupt-controller", NULL, 0));
    FDT_TRY(fdt_property_cell(b->fdt, "#interrupt-cells", 0));
    FDT_TRY(fdt_property_string(b->fdt, "compatible", "riscv,imsics"));
    return fdt_end_node(b->fdt);
}

static int imsic_m_fdt(const struct board_fdt *b) { return imsic_fdt(b, 11); }
static int imsic_s_fdt(const struct board_fdt *b) { return imsic_fdt(b, 9); }

static void imsic_free_m(void *d) { imsic_free(((struct imsic_view *)d)->im); }
static void imsic_free_s(void *d) { (void)d; /* a view of the M row's controller */ }

/* A level's files back to their reset state (everything zero, lines low). */
static void imsic_reset_v(void *d)
{
    struct imsic_view *v = d;
    for (unsigned h = 0; h < v->im->nharts; h++) {
        struct imsic_file *f = &v->im->hart[h].file[v->level];
        memset(f->eip, 0, sizeof f->eip);
        memset(f->eie, 0, sizeof f->eie);
        f->eidelivery = f->eithreshold = 0;
        update(f);
    }
}

/* One level's files (bus/state.h); a load keeps what guest writes could
 * reach (as reg_write) and recomputes the lines. */
static void imsic_state(struct imsic_view *v, struct state *st)
{
    state_section(st, v->level ? "imsic-s" : "imsic-m", 1);
    unsigned n = v->im->nharts;
    state_unsigned(st, "harts", &n);
    if (state_loading(st) && n != v->im->nharts)
        state_fail(st, "imsic: another number of harts");
    for (unsigned h = 0; h < v->im->nharts && !st->error; h++) {
        struct imsic_file *f = &v->im->hart[h].file[v->level];
        state_bytes(st, "eip", f->eip, sizeof f->eip);
        state_bytes(st, "eie", f->eie, sizeof f->eie);
        state_u32(st, "eidelivery", &f->eidelivery);
        state_u32(st, "eithreshold", &f->eithreshold);
        if (state_loading(st)) {
            for (unsigned w = 0; w < WORDS; w++) {
                f->eip[w] &= valid(w);
                f->eie[w] &= valid(w);
            }
            f->eidelivery &= 1;
            f->eithreshold &= THRESHOLD_MASK;
            update(f);
        }
    }
}

static void imsic_save_v(void *d, struct state *st) { imsic_state(d, st); }
static int imsic_load_v(void *d, struct state *st) { imsic_state(d, st); return st->error ? -1 : 0; }

DEVICE_TYPE(imsic_m) = {
    .name = "imsic-m",
    .help = "AIA incoming MSI controller, M-level interrupt files",
    .kind = DEVICE_PLATFORM,
    .ops = &imsic_ops,
    .fdt_node = imsic_m_fdt,
    .free = imsic_free_m,
    .reset = imsic_reset_v,
    .save = imsic_save_v,
    .load = imsic_load_v,
};

DEVICE_TYPE(imsic_s) = {
    .name = "imsic-s",
    .help = "AIA incoming MSI controller, S-level interrupt files",
    .kind = DEVICE_PLATFORM,
    .ops = &imsic_ops,
    .fdt_node = imsic_s_fdt,
    .free = imsic_free_s,
    .reset = imsic_reset_v,
    .save = imsic_save_v,
    .load = imsic_load_v,
};
