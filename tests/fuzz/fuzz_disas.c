/* tests/fuzz/fuzz_disas.c: the disassembler (cpu/riscv/disas.c) on arbitrary
 * bytes at an arbitrary address, as the tracer and the trap-loop message
 * give it whatever the guest left in memory. The first 8 input bytes are
 * the address; the rest is disassembled line after line with one context,
 * as objdump reads a section.
 *
 * Checked besides ASan/UBSan: every call consumes between 1 and the bytes
 * left, both outputs are NUL-terminated within their documented bounds
 * (160 for an instruction, 320 for a line), and a smaller buffer gets a
 * prefix of the same text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/riscv/disas.h"
#include "fuzz_input.h"

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_disas: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fin in = { data, size };
    uint64_t pc = fin_u64(&in);
    struct rv_disas_ctx ctx, ctx2;
    rv_disas_ctx_init(&ctx);
    while (in.n) {
        char line[320], text[160], small[12];
        memset(line, 'X', sizeof line);
        memset(text, 'X', sizeof text);
        const struct rv_disas_ctx ctx0 = ctx; /* the context this instruction is read in */
        ctx2 = ctx;
        unsigned n = rv_disas(text, sizeof text, pc, in.p, in.n, &ctx2);
        unsigned m = rv_disas_line(line, sizeof line, pc, in.p, in.n, &ctx);
        if (n == 0 || n > in.n || n != m)
            bug("bad length");
        if (!memchr(text, 0, sizeof text) || !memchr(line, 0, sizeof line))
            bug("unterminated output");
        if (strlen(text) >= 150 || strlen(line) >= 300)
            bug("output near its bound: the bound is too tight");
        if (!strstr(line, text))
            bug("the line does not hold the instruction");
        struct rv_disas_ctx ctx3 = ctx0; /* (not ctx2: that one has read this instruction already) */
        rv_disas(small, sizeof small, pc, in.p, in.n, &ctx3);
        if (strncmp(small, text, sizeof small - 1) || strlen(small) >= sizeof small)
            bug("a small buffer does not get a prefix");
        pc += n;
        in.p += n;
        in.n -= n;
    }
    return 0;
}
