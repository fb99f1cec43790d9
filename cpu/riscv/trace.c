/* cpu/riscv/trace.c: what the hart writes to the trace (trace.h). */
#include <inttypes.h>
#include <stdio.h>

#include "cpu/riscv/disas.h"
#include "cpu/riscv/mmu.h"
#include "cpu/riscv/trace.h"

static char priv_char(enum rv_priv p)
{
    return p == RV_PRIV_M ? 'M' : p == RV_PRIV_S ? 'S' : 'U';
}

void rv_trace_in_asm(const struct rv_hart *h, uint64_t vpc, const uint8_t *code, unsigned len)
{
    if (!trace_pc_ok(vpc))
        return;
    trace_printf("----------------\nIN: hart %" PRIu64 ", %c-mode\n", h->mhartid, priv_char(h->priv));
    struct rv_disas_ctx ctx;
    rv_disas_ctx_init(&ctx);
    char line[320];
    for (unsigned off = 0; off < len;) {
        unsigned n = rv_disas_line(line, sizeof line, vpc + off, code + off, len - off, &ctx);
        if (!n)
            break;
        trace_printf("%s\n", line);
        off += n;
    }
    trace_puts("\n");
}

void rv_trace_exec(const struct rv_hart *h, const struct rv_block *b)
{
    if (!trace_pc_ok(b->vpc))
        return;
    if (TRACE_ON(TRACE_EXEC))
        trace_printf("exec: hart %" PRIu64 " pc 0x%" PRIx64 " icount %" PRIu64 " insns %u %c-mode\n", h->mhartid,
                     b->vpc, h->icount + h->slice_done, b->n, priv_char(h->priv));
    if (TRACE_ON(TRACE_CPU)) {
        char buf[1024];
        int k = snprintf(buf, sizeof buf, "cpu: hart %" PRIu64 " pc %016" PRIx64 " %c-mode\n", h->mhartid, b->vpc,
                         priv_char(h->priv));
        for (unsigned r = 0; r < 32 && k > 0 && (size_t)k < sizeof buf; r++)
            k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%-4s %016" PRIx64 "%s", r % 4 ? " " : " ",
                          rv_xreg_name(r), h->x[r], r % 4 == 3 ? "\n" : "");
        trace_puts(buf);
    }
}

static const char *cause_name(uint64_t cause, bool irq)
{
    static const char *const exc[16] = {
        "instruction address misaligned", "instruction access fault", "illegal instruction", "breakpoint",
        "load address misaligned", "load access fault", "store address misaligned", "store access fault",
        "ecall from U-mode", "ecall from S-mode", NULL, "ecall from M-mode",
        "instruction page fault", "load page fault", NULL, "store page fault",
    };
    static const char *const in[12] = {
        NULL, "supervisor software", NULL, "machine software", NULL, "supervisor timer", NULL, "machine timer",
        NULL, "supervisor external", NULL, "machine external",
    };
    const char *s = NULL;
    if (irq && cause < 12)
        s = in[cause];
    else if (!irq && cause < 16)
        s = exc[cause];
    return s ? s : "reserved";
}

void rv_trace_trap(const struct rv_hart *h, uint64_t cause, uint64_t tval, bool irq, bool to_s)
{
    if (!trace_pc_ok(h->pc))
        return;
    trace_printf("int: hart %" PRIu64 " %s %" PRIu64 " (%s) epc 0x%" PRIx64 " tval 0x%" PRIx64 " %c->%c\n",
                 h->mhartid, irq ? "interrupt" : "exception", cause, cause_name(cause, irq), h->pc, tval,
                 priv_char(h->priv), to_s ? 'S' : 'M');
}

void rv_trace_walk(const struct rv_hart *h, uint64_t va, int kind, int cause, uint64_t pa)
{
    static const char kinds[] = "rwx";
    uint64_t mode = h->satp >> 60;
    const char *sv = mode == 8 ? "sv39" : mode == 9 ? "sv48" : "sv57";
    if (cause)
        trace_printf("mmu: hart %" PRIu64 " %s %c va 0x%" PRIx64 " fault %d (%s) root 0x%" PRIx64 "\n", h->mhartid,
                     sv, kinds[kind], va, cause, cause_name((uint64_t)cause, false),
                     (uint64_t)((h->satp & ((1ull << 44) - 1)) << 12));
    else
        trace_printf("mmu: hart %" PRIu64 " %s %c va 0x%" PRIx64 " -> pa 0x%" PRIx64 "\n", h->mhartid, sv, kinds[kind],
                     va, pa);
}
