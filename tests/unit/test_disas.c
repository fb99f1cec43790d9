/* tests/unit/test_disas.c: the disassembler (cpu/riscv/disas.c) against GNU
 * objdump.
 *
 * 1. Hand-picked corner cases (aliases, hints, reserved encodings, address
 *    comments), as objdump 2.40 prints them.
 * 2. Every instruction of the ISA test programs and the bare-metal
 *    benchmark (build/tests/isa/NAME.elf, build/roms/bench.elf), compared line
 *    by line with `riscv64-linux-gnu-objdump -d -z` of the same ELF with its
 *    symbols removed and its .riscv.attributes replaced by ATTR_MARCH with
 *    privileged spec 1.12: without symbols objdump decodes data words in
 *    .text as code too (more encodings tested) and prints targets as
 *    0xADDR; the attributes make it name CSRs after the current privileged
 *    spec (as rivet implements) instead of the 1.11 recorded in the files,
 *    and decode every extension rivet has that binutils 2.40 knows.
 * 3. 60000 pseudo-random parcels (fixed seed, biased towards real opcodes
 *    and the bit-manipulation funct7 values) placed in .text with
 *    `.incbin`, assembled with the same -march and priv spec, against
 *    `objdump -d -z` of that object with its symbols (the $d mapping
 *    symbol of .incbin) removed.
 * What rivet executes and binutils 2.40 does not know (Zicond, Zcb, Zimop,
 * Zcmop, Zihintntl's names) is printed as objdump prints it: .4byte,
 * .2byte, or the base instruction (add zero,zero,t0).
 *
 * Run from the tree root (tests/run.sh does); B names the build folder. */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cpu/riscv/disas.h"

#define OBJDUMP "riscv64-linux-gnu-objdump"
#define OBJCOPY "riscv64-linux-gnu-objcopy"
#define AS "riscv64-linux-gnu-as"
/* rivet's extensions that binutils 2.40 knows */
#define ATTR_MARCH "rv64gc_zicbom_zicboz_zicbop_zihintpause_zawrs_zfh_zba_zbb_zbc_zbkb_zbkc_zbkx_zbs"
#define AS_FLAGS "-march=" ATTR_MARCH " -mpriv-spec=1.12"

/* ---- 1. corner cases, one stream at address 0 as objdump reads it ---- */

static const struct { uint32_t w; unsigned len; const char *text; } cases[] = {
    { 0x00000013, 4, "nop" },
    { 0x00008067, 4, "ret" },
    { 0x0000, 2, "unimp" },
    { 0xc0001073, 4, "unimp" },
    { 0xf14022f3, 4, "csrr\tt0,mhartid" },
    { 0x30529073, 4, "csrw\tmtvec,t0" },
    { 0x3063d073, 4, "csrw\tmcounteren,7" },
    { 0x0021d073, 4, "fsrmi\tzero,3" },
    { 0x00302573, 4, "frcsr\ta0" },
    { 0x00301073, 4, "fscsr\tzero" },
    { 0xc0102573, 4, "rdtime\ta0" },
    { 0x0ff0000f, 4, "fence" },
    { 0x0330000f, 4, "fence\trw,rw" },
    { 0x8330000f, 4, "fence.tso" },
    { 0x0000100f, 4, "fence.i" },
    { 0x12b50073, 4, "sfence.vma\ta0,a1" },
    { 0x40b00533, 4, "neg\ta0,a1" },
    { 0x00b03533, 4, "snez\ta0,a1" },
    { 0x0ff57513, 4, "zext.b\ta0,a0" },
    { 0xfff54513, 4, "not\ta0,a0" },
    { 0x0005051b, 4, "sext.w\ta0,a0" },
    { 0x42058553, 4, "fcvt.d.s\tfa0,fa1" },
    { 0x00a5d553, 4, "fadd.s\tfa0,fa1,fa0,unknown" },
    { 0xd0059553, 4, "fcvt.s.w\tfa0,a1,rtz" },
    { 0x22b59553, 4, "fneg.d\tfa0,fa1" },
    { 0x1005a52f, 4, "lr.w\ta0,(a1)" },
    { 0x18b5b52f, 4, "sc.d\ta0,a1,(a1)" },
    { 0x06b5352f, 4, "amoadd.d.aqrl\ta0,a1,(a0)" },
    { 0x00001117, 4, "auipc\tsp,0x1" },
    { 0x7ff10113, 4, "add\tsp,sp,2047 # 0x186d" },
    { 0x8082, 2, "ret" },
    { 0x9502, 2, "jalr\ta0" },
    { 0x0005, 2, "c.nop\t1" },
    { 0x8401, 2, "c.srai64\ts0" },
    { 0x6101, 2, "add\tsp,sp,0" },
    { 0x20a5a533, 4, "sh1add\ta0,a1,a0" },
    { 0xffff, 2, ".2byte\t0xffff" },
    { 0x0000007b, 4, ".4byte\t0x7b" },
    { 0x0100000f, 4, "pause" },
    { 0x00005d63, 4, "blez\tzero,0xa8" },
    { 0x00004063, 4, "bltz\tzero,0x92" },
    { 0xfe000ee3, 4, "beqz\tzero,0x92" },
    { 0x7b302573, 4, "csrr\ta0,dscratch1" },
    { 0x30a02573, 4, "csrr\ta0,menvcfg" },
    { 0x80002573, 4, "csrr\ta0,0x800" },
    { 0x41f5d513, 4, "sra\ta0,a1,0x1f" },
    { 0x0005d513, 4, "srl\ta0,a1,0x0" },
    { 0x0805c53b, 4, "zext.h\ta0,a1" },                 /* packw rd, rs1, zero */
    { 0x0805853b, 4, "zext.w\ta0,a1" },                 /* add.uw rd, rs1, zero */
    { 0x6055d513, 4, "ror\ta0,a1,0x5" },                /* rori */
    { 0x0875951b, 4, "slli.uw\ta0,a1,0x7" },
    { 0x02156013, 4, "prefetch.r\t32(a0)" },
    { 0x0045200f, 4, "cbo.zero\t(a0)" },
    { 0x00d00073, 4, "wrs.nto" },
    { 0x0eb55633, 4, ".4byte\t0xeb55633" },            /* czero.eqz: not in binutils 2.40 */
    { 0x9e61, 2, ".2byte\t0x9e61" },                   /* c.zext.b (Zcb) */
    { 0x00500033, 4, "add\tzero,zero,t0" },            /* ntl.all */
};

static void test_corner_cases(void **state)
{
    (void)state;
    struct rv_disas_ctx ctx;
    rv_disas_ctx_init(&ctx);
    uint64_t pc = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t b[4] = { (uint8_t)cases[k].w, (uint8_t)(cases[k].w >> 8), (uint8_t)(cases[k].w >> 16),
                         (uint8_t)(cases[k].w >> 24) };
        char buf[128];
        unsigned n = rv_disas(buf, sizeof buf, pc, b, cases[k].len, &ctx);
        assert_int_equal(n, cases[k].len);
        assert_string_equal(buf, cases[k].text);
        pc += n;
    }
}

static void test_lines(void **state)
{
    (void)state;
    char buf[256];
    const uint8_t j[2] = { 0x09, 0xa0 };
    assert_int_equal(rv_disas_line(buf, sizeof buf, 0x80000000, j, 2, NULL), 2);
    assert_string_equal(buf, "    80000000:\ta009                \tj\t0x80000002");
    const uint8_t csrr[4] = { 0xf3, 0x22, 0x40, 0xf1 };
    assert_int_equal(rv_disas_line(buf, sizeof buf, 0xffffffff80000002ull, csrr, 4, NULL), 4);
    assert_string_equal(buf, "ffffffff80000002:\tf14022f3          \tcsrr\tt0,mhartid");
    /* 48-bit, 64-bit and 80-bit formats: not RV64GC, printed as data, with
     * objdump's continuation line past 8 bytes */
    const uint8_t l48[6] = { 0x1f, 0, 0x11, 0x22, 0x33, 0x44 };
    assert_int_equal(rv_disas_line(buf, sizeof buf, 0x80000000, l48, 6, NULL), 6);
    assert_string_equal(buf, "    80000000:\t001f 2211 4433      \t.byte\t0x1f, 0x00, 0x11, 0x22, 0x33, 0x44");
    const uint8_t l64[8] = { 0x3f, 0, 1, 2, 3, 4, 5, 6 };
    assert_int_equal(rv_disas_line(buf, sizeof buf, 0x80000000, l64, 8, NULL), 8);
    assert_string_equal(buf, "    80000000:\t0201003f 06050403 \t.8byte\t0x60504030201003f");
    const uint8_t l80[10] = { 0x7f, 0, 0, 0, 0x1f, 0, 0, 0x80, 0x37, 0x85 };
    assert_int_equal(rv_disas_line(buf, sizeof buf, 0x20, l80, 10, NULL), 10);
    assert_string_equal(buf, "          20:\t007f 0000 001f 8000 \t.byte\t0x7f, 0x00, 0x00, 0x00, 0x1f, 0x00, "
                             "0x00, 0x80, 0x37, 0x85\n          28:\t8537 ");
    /* fewer bytes than the instruction needs: what there is, as data */
    assert_int_equal(rv_disas(buf, sizeof buf, 0, csrr, 3, NULL), 3);
    assert_string_equal(buf, ".byte\t0xf3, 0x22, 0x40");
    assert_int_equal(rv_disas(buf, sizeof buf, 0, csrr, 1, NULL), 1);
    assert_string_equal(buf, ".byte\t0xf3");
    assert_int_equal(rv_disas(buf, sizeof buf, 0, csrr, 0, NULL), 0);
    assert_string_equal(buf, "");
    /* a small buffer gets a prefix */
    char small[6];
    assert_int_equal(rv_disas(small, sizeof small, 0, csrr, 4, NULL), 4);
    assert_string_equal(small, "csrr\t");
    /* the comment needs the context: none without one */
    const uint8_t pair[8] = { 0x17, 0x11, 0, 0, 0x13, 0x01, 0xf1, 0x7f };
    rv_disas(buf, sizeof buf, 0, pair, 4, NULL);
    rv_disas(buf, sizeof buf, 4, pair + 4, 4, NULL);
    assert_string_equal(buf, "add\tsp,sp,2047");
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(rv_xreg_name(8), "s0");
    assert_string_equal(rv_freg_name(31), "ft11");
    assert_string_equal(rv_csr_name(0x14d), "stimecmp");
    assert_string_equal(rv_csr_name(0x3bf), "pmpaddr15");
    assert_string_equal(rv_csr_name(0xc9f), "hpmcounter31h");
    assert_null(rv_csr_name(0x000));
    assert_null(rv_csr_name(0x7ff));
}

/* ---- objdump comparisons ---- */

struct tmp {
    char dir[64];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/rivet-disas-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
}

static void tmp_free(struct tmp *t)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc)
        fprintf(stderr, "test_disas: `%s` failed (%d)\n", cmd, rc);
    return rc;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    *len = fread(b, 1, n > 0 ? (size_t)n : 0, f);
    fclose(f);
    return b;
}

/* Is this an instruction line of objdump's output ("ADDR:\t...")? */
static bool insn_line(const char *s)
{
    while (*s == ' ')
        s++;
    const char *h = s;
    while ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))
        s++;
    return s > h && s[0] == ':' && s[1] == '\t';
}

static const char *skip_spaces(const char *s)
{
    while (*s == ' ')
        s++;
    return s;
}

/* Compares our lines for `bytes` at `vma` with objdump's lines read from
 * `ref` until the next section header or EOF. With `loose_addr`, leading
 * spaces of the address column are ignored (raw-binary mode pads to its
 * own width). Returns the number of mismatches (printing the first few)
 * and adds the lines compared to *lines. */
static unsigned compare(FILE *ref, const char *what, const uint8_t *bytes, size_t len, uint64_t vma,
                        bool loose_addr, unsigned *lines)
{
    struct rv_disas_ctx ctx;
    rv_disas_ctx_init(&ctx);
    unsigned bad = 0;
    size_t off = 0;
    char want[512], got[512];
    char *next = NULL;
    while (off < len || next) {
        if (!next) {
            unsigned n = rv_disas_line(got, sizeof got, vma + off, bytes + off, len - off, &ctx);
            assert_true(n >= 1);
            off += n;
            next = got;
        }
        char *nl = strchr(next, '\n');
        if (nl)
            *nl = 0;
        const char *mine = next;
        next = nl ? nl + 1 : NULL;
        long pos;
        do {
            pos = ftell(ref);
            if (!fgets(want, sizeof want, ref)) {
                want[0] = 0;
                break;
            }
            if (!strncmp(want, "Disassembly of section", 22)) {
                fseek(ref, pos, SEEK_SET);
                want[0] = 0;
                break;
            }
        } while (!insn_line(want));
        want[strcspn(want, "\n")] = 0;
        const char *w = loose_addr ? skip_spaces(want) : want;
        const char *m = loose_addr ? skip_spaces(mine) : mine;
        if (strcmp(w, m) && bad++ < 8)
            fprintf(stderr, "%s: objdump: %s\n%*s   rivet: %s\n", what, want, (int)strlen(what), "", mine);
        (*lines)++;
    }
    /* objdump must not have lines left in this section either */
    for (;;) {
        long pos = ftell(ref);
        if (!fgets(want, sizeof want, ref))
            break;
        if (!strncmp(want, "Disassembly of section", 22)) {
            fseek(ref, pos, SEEK_SET);
            break;
        }
        if (insn_line(want) && bad++ < 8)
            fprintf(stderr, "%s: objdump has more: %s", what, want);
    }
    return bad;
}

static void test_objdump_elfs(void **state)
{
    (void)state;
    const char *b = getenv("B") ? getenv("B") : "build";
    char elfs[64][768];
    unsigned nelf = 0;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/isa", b);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("no %s: build the ISA tests first (make test does)", dir);
    struct dirent *e;
    while ((e = readdir(d)) && nelf < 63) {
        size_t l = strlen(e->d_name);
        if (l > 4 && !strcmp(e->d_name + l - 4, ".elf"))
            snprintf(elfs[nelf++], sizeof elfs[0], "%s/%s", dir, e->d_name);
    }
    closedir(d);
    snprintf(elfs[nelf++], sizeof elfs[0], "%s/roms/bench.elf", b);
    /* every ISA test plus the benchmark, so a missing build cannot pass */
    assert_true(nelf >= 10);

    struct tmp t;
    tmp_make(&t);
    if (run("echo > %s/e.s && " AS " " AS_FLAGS " -o %s/e.o %s/e.s && " OBJCOPY
            " --dump-section .riscv.attributes=%s/attr.bin %s/e.o", t.dir, t.dir, t.dir, t.dir, t.dir))
        fail_msg("cannot make the attributes section (install binutils-riscv64-linux-gnu)");
    unsigned lines = 0, bad = 0;
    for (unsigned k = 0; k < nelf; k++) {
        if (run(OBJCOPY " --strip-all --update-section .riscv.attributes=%s/attr.bin '%s' %s/x.elf", t.dir,
                elfs[k], t.dir) ||
            run(OBJDUMP " -d -z %s/x.elf > %s/x.ref", t.dir, t.dir))
            fail_msg("%s: objcopy/objdump failed (install binutils-riscv64-linux-gnu)", elfs[k]);
        char path[256];
        snprintf(path, sizeof path, "%s/x.ref", t.dir);
        FILE *ref = fopen(path, "r");
        assert_non_null(ref);
        char line[512];
        unsigned sections = 0;
        while (fgets(line, sizeof line, ref)) {
            char sec[64];
            if (sscanf(line, "Disassembly of section %63[^:]:", sec) != 1)
                continue;
            /* the next header line "0000000080000000 <.text>:" gives the VMA */
            unsigned long long vma;
            if (!fgets(line, sizeof line, ref) || (line[0] == '\n' && !fgets(line, sizeof line, ref)) ||
                sscanf(line, "%llx", &vma) != 1)
                fail_msg("%s: unexpected objdump output", elfs[k]);
            if (run(OBJCOPY " -O binary -j '%s' %s/x.elf %s/x.bin", sec, t.dir, t.dir))
                fail_msg("%s: objcopy -j %s failed", elfs[k], sec);
            snprintf(path, sizeof path, "%s/x.bin", t.dir);
            size_t len = 0;
            uint8_t *bytes = slurp(path, &len);
            assert_non_null(bytes);
            bad += compare(ref, elfs[k], bytes, len, vma, false, &lines);
            free(bytes);
            sections++;
        }
        fclose(ref);
        assert_true(sections >= 1);
    }
    tmp_free(&t);
    printf("test_disas: %u lines of %u ELFs compared with objdump, %u differ\n", lines, nelf, bad);
    assert_true(lines > 10000);
    assert_int_equal(bad, 0);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void test_objdump_random(void **state)
{
    (void)state;
    static const uint8_t opcodes[] = { 0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37,
                                       0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73 };
    static const uint8_t funct7[] = { 0, 1, 0x20, 0x09, 0x10, 0x11, 0x2c, 0x2d, 0x70, 0x71, 0x78,
                                      0x79, 0x60, 0x61, 0x68, 0x69, 0x50, 0x51, 0x21, 0x08,
                                      0x04, 0x05, 0x07, 0x14, 0x24, 0x30, 0x34, 0x35, 0x43 };
    enum { N = 60000 };
    uint8_t *buf = malloc(N * 4 + 16);
    size_t len = 0;
    for (unsigned k = 0; k < N; k++) {
        unsigned r = next_rand() % 100;
        uint32_t w = next_rand();
        if (r < 25) { /* a 16-bit parcel: compressed, or half of something */
            buf[len++] = (uint8_t)w;
            buf[len++] = (uint8_t)(w >> 8);
            continue;
        }
        if (r < 90) { /* a real major opcode, often with zero fields (aliases) */
            w = (w & ~0x7fu) | opcodes[next_rand() % sizeof opcodes];
            if (next_rand() % 10 < 3) w &= ~0xfe000000u;
            if (next_rand() % 10 < 2) w = (w & ~0xfe000000u) | (uint32_t)funct7[next_rand() % sizeof funct7] << 25;
            if (next_rand() % 10 < 2) w &= ~(0x1fu << 15);
            if (next_rand() % 10 < 2) w &= ~(0x1fu << 20);
            if (next_rand() % 10 < 2) w &= ~(0x1fu << 7);
        }
        for (unsigned i = 0; i < 4; i++)
            buf[len++] = (uint8_t)(w >> (8 * i));
    }
    for (unsigned i = 0; i < 4; i++) { /* end on a complete instruction */
        memcpy(buf + len, "\x13\x00\x00\x00", 4);
        len += 4;
    }
    struct tmp t;
    tmp_make(&t);
    char path[256];
    snprintf(path, sizeof path, "%s/r.bin", t.dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    if (run("printf '.text\\n.incbin \"%s/r.bin\"\\n' > %s/r.s && " AS " " AS_FLAGS " -o %s/r.o %s/r.s && "
            OBJCOPY " --strip-all %s/r.o && " OBJDUMP " -d -z %s/r.o > %s/r.ref", t.dir, t.dir, t.dir, t.dir, t.dir,
            t.dir, t.dir))
        fail_msg("objdump failed (install binutils-riscv64-linux-gnu)");
    snprintf(path, sizeof path, "%s/r.ref", t.dir);
    FILE *ref = fopen(path, "r");
    assert_non_null(ref);
    char line[512];
    while (fgets(line, sizeof line, ref) && strncmp(line, "Disassembly of section", 22))
        ;
    unsigned lines = 0;
    unsigned bad = compare(ref, "random", buf, len, 0, true, &lines);
    fclose(ref);
    tmp_free(&t);
    free(buf);
    printf("test_disas: %u random instructions compared with objdump, %u differ\n", lines, bad);
    assert_true(lines > N / 2);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corner_cases),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_objdump_elfs),
        cmocka_unit_test(test_objdump_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
