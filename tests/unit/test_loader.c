/* tests/unit/test_loader.c: ELF/raw/Image loaders, placement helpers,
 * fw_dynamic_info and the reset vector. Every input file is generated here
 * in a temporary directory; the real OpenSBI ELF and Linux Image are used
 * too when they are installed. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libfdt.h>
#include <zlib.h>

#include <cmocka.h>

#include "bus/bus.h"
#include "machine/loader.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)
#define FILL 0xaa

#define REAL_OPENSBI "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf"
#define REAL_IMAGE "../shared/guest/Image" /* relative to the tree root, where make test runs */

struct env {
    struct bus bus;
    uint8_t *ram;
    uint64_t ram_size;
    char dir[64];
    char path[128];
    char err[256];
};

static int setup_ram(void **state, uint64_t ram_size)
{
    struct env *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->ram_size = ram_size;
    e->ram = malloc(ram_size);
    if (!e->ram)
        return -1;
    memset(e->ram, FILL, ram_size);
    bus_init(&e->bus);
    if (bus_map_ram(&e->bus, RAM_BASE, ram_size, "ram", e->ram) < 0)
        return -1;
    strcpy(e->dir, "/tmp/test_loader.XXXXXX");
    if (!mkdtemp(e->dir))
        return -1;
    snprintf(e->path, sizeof e->path, "%s/img", e->dir);
    *state = e;
    return 0;
}

static int setup(void **state) { return setup_ram(state, RAM_SIZE); }

static int teardown(void **state)
{
    struct env *e = *state;
    unlink(e->path);
    rmdir(e->dir);
    bus_free(&e->bus);
    free(e->ram);
    free(e);
    return 0;
}

static void write_file(struct env *e, const void *data, size_t len)
{
    FILE *f = fopen(e->path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static uint8_t *ram_at(struct env *e, uint64_t gpa) { return e->ram + (gpa - RAM_BASE); }

static bool ram_untouched(struct env *e)
{
    for (uint64_t i = 0; i < e->ram_size; i++)
        if (e->ram[i] != FILL)
            return false;
    return true;
}

/* ---- a synthetic ELF ----
 * segment 0: PT_LOAD text at 0x80000000 (identity), 0x20 bytes
 * segment 1: PT_LOAD data, vaddr 0xffffffff80001000 -> paddr 0x80001000,
 *            0x10 bytes from the file, 0x1000 in memory (bss)
 * segment 2: PT_NOTE (ignored)
 * symbols: tohost at 0x80000010 (segment 0), fromhost at the virtual
 * 0xffffffff80001008 (segment 1, so physical 0x80001008). */
enum {
    OFF_PH = 64,
    OFF_TEXT = 0x100,
    OFF_DATA = 0x120,
    OFF_STR = 0x130,
    OFF_SYM = 0x150,
    NSYM = 4,
    OFF_SH = OFF_SYM + NSYM * 24,
    NSH = 3,
    ELF_SIZE = OFF_SH + NSH * 64,
};
static const char strtab[] = "\0tohost\0fromhost\0_start";

struct elf_img {
    uint8_t b[ELF_SIZE];
};

static Elf64_Ehdr *ehdr(struct elf_img *m) { return (Elf64_Ehdr *)m->b; }
static Elf64_Phdr *phdr(struct elf_img *m, int i) { return (Elf64_Phdr *)(m->b + OFF_PH) + i; }
static Elf64_Shdr *shdr(struct elf_img *m, int i) { return (Elf64_Shdr *)(m->b + OFF_SH) + i; }
static Elf64_Sym *sym(struct elf_img *m, int i) { return (Elf64_Sym *)(m->b + OFF_SYM) + i; }

static void make_elf(struct elf_img *m)
{
    memset(m, 0, sizeof *m);
    Elf64_Ehdr *eh = ehdr(m);
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_RISCV;
    eh->e_version = EV_CURRENT;
    eh->e_entry = 0x80000000;
    eh->e_phoff = OFF_PH;
    eh->e_shoff = OFF_SH;
    eh->e_ehsize = sizeof *eh;
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 3;
    eh->e_shentsize = sizeof(Elf64_Shdr);
    eh->e_shnum = NSH;

    *phdr(m, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = OFF_TEXT,
                                .p_vaddr = 0x80000000, .p_paddr = 0x80000000,
                                .p_filesz = 0x20, .p_memsz = 0x20, .p_align = 0x1000 };
    *phdr(m, 1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = OFF_DATA,
                                .p_vaddr = 0xffffffff80001000ull, .p_paddr = 0x80001000,
                                .p_filesz = 0x10, .p_memsz = 0x1000, .p_align = 0x1000 };
    *phdr(m, 2) = (Elf64_Phdr){ .p_type = PT_NOTE };
    for (int i = 0; i < 0x30; i++)
        m->b[OFF_TEXT + i] = (uint8_t)(i + 1);
    memcpy(m->b + OFF_STR, strtab, sizeof strtab);
    *sym(m, 1) = (Elf64_Sym){ .st_name = 1, .st_shndx = 1, .st_value = 0x80000010 };
    *sym(m, 2) = (Elf64_Sym){ .st_name = 8, .st_shndx = 2, .st_value = 0xffffffff80001008ull };
    *sym(m, 3) = (Elf64_Sym){ .st_name = 17, .st_shndx = 1, .st_value = 0x80000000 };
    *shdr(m, 1) = (Elf64_Shdr){ .sh_type = SHT_SYMTAB, .sh_offset = OFF_SYM,
                                .sh_size = NSYM * sizeof(Elf64_Sym), .sh_link = 2,
                                .sh_entsize = sizeof(Elf64_Sym) };
    *shdr(m, 2) = (Elf64_Shdr){ .sh_type = SHT_STRTAB, .sh_offset = OFF_STR,
                                .sh_size = sizeof strtab };
}

static int load_img(struct env *e, const struct elf_img *m, size_t len, struct loaded_elf *out)
{
    write_file(e, m->b, len);
    e->err[0] = 0;
    return loader_elf(&e->bus, e->path, out, e->err, sizeof e->err);
}

static void expect_fail(struct env *e, const struct elf_img *m, const char *msg)
{
    struct loaded_elf out;
    assert_int_equal(load_img(e, m, sizeof m->b, &out), -1);
    if (!strstr(e->err, msg))
        fail_msg("error '%s' does not mention '%s'", e->err, msg);
    assert_null(strchr(e->err, '\n'));
    assert_true(ram_untouched(e));
}

static void test_elf_good(void **state)
{
    struct env *e = *state;
    struct elf_img m;
    make_elf(&m);
    struct loaded_elf out;
    assert_int_equal(load_img(e, &m, sizeof m.b, &out), 0);
    assert_int_equal(out.entry, 0x80000000);
    assert_int_equal(out.low, 0x80000000);
    assert_int_equal(out.end, 0x80002000);
    assert_int_equal(out.tohost, 0x80000010);
    assert_int_equal(out.fromhost, 0x80001008);
    assert_memory_equal(ram_at(e, 0x80000000), m.b + OFF_TEXT, 0x20);
    assert_int_equal(ram_at(e, 0x80000020)[0], FILL); /* between the segments */
    assert_memory_equal(ram_at(e, 0x80001000), m.b + OFF_DATA, 0x10);
    for (uint64_t a = 0x80001010; a < 0x80002000; a++)
        assert_int_equal(*ram_at(e, a), 0);
    assert_int_equal(*ram_at(e, 0x80002000), FILL);
    assert_int_equal(loader_is_elf(e->path), 1);
}

static void test_elf_entry_translated(void **state)
{
    struct env *e = *state;
    struct elf_img m;
    make_elf(&m);
    ehdr(&m)->e_entry = 0xffffffff80001004ull;
    struct loaded_elf out;
    assert_int_equal(load_img(e, &m, sizeof m.b, &out), 0);
    assert_int_equal(out.entry, 0x80001004);
}

static void test_elf_no_symbols(void **state)
{
    struct env *e = *state;
    struct elf_img m;
    make_elf(&m);
    ehdr(&m)->e_shoff = 0;
    ehdr(&m)->e_shnum = 0;
    struct loaded_elf out;
    assert_int_equal(load_img(e, &m, OFF_SH, &out), 0);
    assert_int_equal(out.tohost, 0);
    assert_int_equal(out.fromhost, 0);
    /* A symbol table without the two names. */
    make_elf(&m);
    sym(&m, 1)->st_name = 17;
    sym(&m, 2)->st_name = 17;
    assert_int_equal(load_img(e, &m, sizeof m.b, &out), 0);
    assert_int_equal(out.tohost, 0);
    assert_int_equal(out.fromhost, 0);
    /* Undefined symbols do not count. */
    make_elf(&m);
    sym(&m, 1)->st_shndx = SHN_UNDEF;
    assert_int_equal(load_img(e, &m, sizeof m.b, &out), 0);
    assert_int_equal(out.tohost, 0);
    assert_int_equal(out.fromhost, 0x80001008);
}

static void test_elf_extended_numbering(void **state)
{
    struct env *e = *state;
    struct elf_img m;
    make_elf(&m);
    ehdr(&m)->e_shnum = 0;
    ehdr(&m)->e_phnum = PN_XNUM;
    shdr(&m, 0)->sh_size = NSH;
    shdr(&m, 0)->sh_info = 3;
    struct loaded_elf out;
    assert_int_equal(load_img(e, &m, sizeof m.b, &out), 0);
    assert_int_equal(out.fromhost, 0x80001008);
    shdr(&m, 0)->sh_info = 1000;
    memset(e->ram, FILL, e->ram_size);
    expect_fail(e, &m, "program headers");
}

static void test_elf_truncated(void **state)
{
    struct env *e = *state;
    struct elf_img m;
    make_elf(&m);
    for (size_t len = 0; len < sizeof m.b; len++) {
        struct loaded_elf out;
        if (load_img(e, &m, len, &out) != -1)
            fail_msg("truncated to %zu bytes: loaded", len);
        assert_true(strncmp(e->err, e->path, strlen(e->path)) == 0);
        assert_true(ram_untouched(e));
    }
}

static void test_elf_bad_ident(void **state)
{
    struct env *e = *state;
    struct elf_img m;
    make_elf(&m);
    m.b[0] = 'X';
    expect_fail(e, &m, "not an ELF file");
    make_elf(&m);
    m.b[EI_CLASS] = ELFCLASS32;
    expect_fail(e, &m, "not a 64-bit");
    make_elf(&m);
    m.b[EI_DATA] = ELFDATA2MSB;
    expect_fail(e, &m, "little-endian");
    make_elf(&m);
    ehdr(&m)->e_machine = EM_X86_64;
    expect_fail(e, &m, "not a RISC-V");
    make_elf(&m);
    ehdr(&m)->e_type = ET_DYN;
    expect_fail(e, &m, "ET_EXEC");
    make_elf(&m);
    ehdr(&m)->e_version = 7;
    expect_fail(e, &m, "version");
}

static void test_elf_bad_headers(void **state)
{
    struct env *e = *state;
    struct elf_img m;

    make_elf(&m);
    ehdr(&m)->e_phoff = ELF_SIZE;
    expect_fail(e, &m, "program headers");
    make_elf(&m);
    ehdr(&m)->e_phoff = UINT64_MAX - 8;
    expect_fail(e, &m, "program headers");
    make_elf(&m);
    ehdr(&m)->e_phnum = 0xfff0;
    expect_fail(e, &m, "program headers");
    make_elf(&m);
    ehdr(&m)->e_phnum = 0;
    expect_fail(e, &m, "no program headers");
    make_elf(&m);
    ehdr(&m)->e_phentsize = 32;
    expect_fail(e, &m, "program header size");
    make_elf(&m);
    ehdr(&m)->e_shoff = ELF_SIZE - 10;
    expect_fail(e, &m, "section headers");
    make_elf(&m);
    ehdr(&m)->e_shoff = UINT64_MAX;
    expect_fail(e, &m, "section headers");
    make_elf(&m);
    ehdr(&m)->e_shnum = 0xffff;
    expect_fail(e, &m, "section headers");
    make_elf(&m);
    ehdr(&m)->e_shentsize = 40;
    expect_fail(e, &m, "section header size");
    make_elf(&m);
    ehdr(&m)->e_shnum = 0;
    shdr(&m, 0)->sh_size = UINT64_MAX / 2;
    expect_fail(e, &m, "section headers");
}

static void test_elf_bad_segments(void **state)
{
    struct env *e = *state;
    struct elf_img m;

    make_elf(&m);
    phdr(&m, 1)->p_paddr = 0x1000;
    expect_fail(e, &m, "segment 1 at 0x1000 (0x1000 bytes) is outside RAM");
    make_elf(&m);
    phdr(&m, 1)->p_paddr = RAM_BASE + RAM_SIZE - 0x800; /* straddles the end */
    expect_fail(e, &m, "outside RAM");
    make_elf(&m);
    phdr(&m, 0)->p_paddr = RAM_BASE - 0x10;
    expect_fail(e, &m, "segment 0");
    make_elf(&m);
    phdr(&m, 1)->p_paddr = UINT64_MAX - 0x10;
    expect_fail(e, &m, "wraps");
    make_elf(&m);
    phdr(&m, 1)->p_memsz = UINT64_MAX;
    expect_fail(e, &m, "segment 1");
    make_elf(&m);
    phdr(&m, 0)->p_offset = ELF_SIZE - 0x10;
    expect_fail(e, &m, "past the end of the file");
    make_elf(&m);
    phdr(&m, 0)->p_offset = UINT64_MAX - 4;
    expect_fail(e, &m, "past the end of the file");
    make_elf(&m);
    phdr(&m, 1)->p_filesz = UINT64_MAX;
    phdr(&m, 1)->p_memsz = UINT64_MAX;
    expect_fail(e, &m, "segment 1");
    make_elf(&m);
    phdr(&m, 0)->p_filesz = 0x40;
    expect_fail(e, &m, "exceeds memory size");
    make_elf(&m);
    phdr(&m, 0)->p_type = PT_NULL;
    phdr(&m, 1)->p_type = PT_NOTE;
    expect_fail(e, &m, "no loadable segments");
    /* An empty PT_LOAD anywhere is harmless. */
    make_elf(&m);
    phdr(&m, 2)->p_type = PT_LOAD;
    phdr(&m, 2)->p_paddr = 0x42;
    struct loaded_elf out;
    assert_int_equal(load_img(e, &m, sizeof m.b, &out), 0);
    assert_int_equal(out.low, 0x80000000);
}

static void test_elf_bad_symtab(void **state)
{
    struct env *e = *state;
    struct elf_img m;

    make_elf(&m);
    shdr(&m, 1)->sh_link = 7;
    expect_fail(e, &m, "string table index");
    make_elf(&m);
    shdr(&m, 1)->sh_link = 1;
    expect_fail(e, &m, "not a string table");
    make_elf(&m);
    shdr(&m, 1)->sh_entsize = 16;
    expect_fail(e, &m, "entry size");
    make_elf(&m);
    shdr(&m, 1)->sh_size = 4 * 24 + 5;
    expect_fail(e, &m, "entry size");
    make_elf(&m);
    shdr(&m, 1)->sh_offset = ELF_SIZE - 24;
    expect_fail(e, &m, "symbol table is past the end");
    make_elf(&m);
    shdr(&m, 1)->sh_size = UINT64_MAX / 24 * 24;
    expect_fail(e, &m, "past the end");
    make_elf(&m);
    shdr(&m, 2)->sh_offset = UINT64_MAX - 4;
    expect_fail(e, &m, "string table is past the end");
    make_elf(&m);
    sym(&m, 2)->st_name = 0x1000;
    expect_fail(e, &m, "symbol 2: name outside");
    make_elf(&m);
    shdr(&m, 2)->sh_size = 12; /* cuts "fromhost" before its NUL */
    expect_fail(e, &m, "symbol 2: name outside");
}

/* Random byte damage in the headers: the loader may accept or refuse, but
 * never reads or writes out of bounds (run under ASan) and never writes
 * outside RAM. */
static void test_elf_fuzz(void **state)
{
    struct env *e = *state;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int iter = 0; iter < 3000; iter++) {
        struct elf_img m;
        make_elf(&m);
        int flips = 1 + iter % 4;
        for (int k = 0; k < flips; k++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            size_t pos = (seed >> 33) % OFF_TEXT;
            if (iter & 1)
                pos = (seed >> 33) % sizeof m.b;
            m.b[pos] = (uint8_t)(seed >> 20);
        }
        struct loaded_elf out;
        int rc = load_img(e, &m, sizeof m.b, &out);
        assert_true(rc == 0 || rc == -1);
        if (rc == 0) {
            assert_true(out.low >= RAM_BASE && out.end <= RAM_BASE + RAM_SIZE);
            memset(e->ram, FILL, e->ram_size);
        } else {
            assert_true(e->err[0] != 0);
        }
    }
}

static void test_elf_missing(void **state)
{
    struct env *e = *state;
    struct loaded_elf out;
    assert_int_equal(loader_elf(&e->bus, "/nonexistent/kernel.elf", &out, e->err, sizeof e->err),
                     -1);
    assert_non_null(strstr(e->err, "/nonexistent/kernel.elf: "));
    assert_int_equal(loader_elf(&e->bus, e->dir, &out, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, "not a regular file"));
    assert_int_equal(loader_is_elf("/nonexistent/kernel.elf"), 0);
    write_file(e, "\x7f" "EL", 3);
    assert_int_equal(loader_is_elf(e->path), 0);
    write_file(e, "hello world", 11);
    assert_int_equal(loader_is_elf(e->path), 0);
    /* A tiny error buffer truncates the message, never overflows. */
    char small[8];
    assert_int_equal(loader_elf(&e->bus, e->path, &out, small, sizeof small), -1);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(loader_elf(&e->bus, e->path, &out, NULL, 0), -1);
}

static void test_elf_real_opensbi(void **state)
{
    struct env *e = *state;
    if (access(REAL_OPENSBI, R_OK) != 0) {
        print_message("skipped: %s not installed\n", REAL_OPENSBI);
        skip();
    }
    struct loaded_elf out;
    int rc = loader_elf(&e->bus, REAL_OPENSBI, &out, e->err, sizeof e->err);
    if (rc)
        fail_msg("%s", e->err);
    assert_int_equal(out.entry, 0x80000000);
    assert_int_equal(out.low, 0x80000000);
    assert_true(out.end > out.low && out.end <= RAM_BASE + RAM_SIZE);
    assert_int_equal(out.tohost, 0); /* stripped: no .symtab */
    /* The first PT_LOAD's bytes are those of the file at its offset. */
    FILE *f = fopen(REAL_OPENSBI, "rb");
    assert_non_null(f);
    Elf64_Ehdr eh;
    assert_int_equal(fread(&eh, sizeof eh, 1, f), 1);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        assert_int_equal(fseek(f, (long)(eh.e_phoff + i * sizeof ph), SEEK_SET), 0);
        assert_int_equal(fread(&ph, sizeof ph, 1, f), 1);
        if (ph.p_type != PT_LOAD)
            continue;
        uint8_t buf[256];
        assert_int_equal(fseek(f, (long)ph.p_offset, SEEK_SET), 0);
        assert_int_equal(fread(buf, sizeof buf, 1, f), 1);
        assert_memory_equal(ram_at(e, ph.p_paddr), buf, sizeof buf);
        assert_int_equal(*ram_at(e, ph.p_paddr + ph.p_memsz - 1), 0); /* bss */
        break;
    }
    fclose(f);
}

/* ---- raw ---- */

static void test_raw(void **state)
{
    struct env *e = *state;
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    write_file(e, data, sizeof data);
    uint64_t size = 0;
    assert_int_equal(loader_raw(&e->bus, e->path, 0x80010000, &size, e->err, sizeof e->err), 0);
    assert_int_equal(size, sizeof data);
    assert_memory_equal(ram_at(e, 0x80010000), data, sizeof data);
    assert_int_equal(*ram_at(e, 0x80010000 + sizeof data), FILL);

    memset(e->ram, FILL, e->ram_size);
    assert_int_equal(loader_raw(&e->bus, e->path, RAM_BASE + RAM_SIZE - 100, &size, e->err,
                                sizeof e->err), -1);
    assert_non_null(strstr(e->err, "do not fit in RAM"));
    assert_int_equal(loader_raw(&e->bus, e->path, 0x1000, &size, e->err, sizeof e->err), -1);
    assert_int_equal(loader_raw(&e->bus, e->path, UINT64_MAX - 10, &size, e->err, sizeof e->err),
                     -1);
    assert_true(ram_untouched(e));
    /* Exactly the last bytes of RAM. */
    assert_int_equal(loader_raw(&e->bus, e->path, RAM_BASE + RAM_SIZE - sizeof data, &size,
                                e->err, sizeof e->err), 0);
    write_file(e, "", 0);
    assert_int_equal(loader_raw(&e->bus, e->path, RAM_BASE, &size, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, "empty"));
    assert_int_equal(loader_raw(&e->bus, "/nonexistent/x.bin", RAM_BASE, &size, e->err,
                                sizeof e->err), -1);
    assert_non_null(strstr(e->err, "/nonexistent/x.bin: No such file"));
}

/* ---- Linux Image ---- */

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static size_t make_image(uint8_t *buf, size_t len, uint64_t image_size, bool magic, bool magic2)
{
    memset(buf, 0, len);
    for (size_t i = 64; i < len; i++)
        buf[i] = (uint8_t)(i ^ 0x5a);
    buf[0] = 0x4d; /* "MZ"-like code0, as real Images have */
    buf[1] = 0x5a;
    put64(buf + 8, 0x200000);
    put64(buf + 16, image_size);
    buf[0x20] = 2; /* version 0.2 */
    if (magic)
        memcpy(buf + 0x30, "RISCV\0\0\0", 8);
    if (magic2)
        memcpy(buf + 0x38, "RSC\x05", 4);
    return len;
}

static int setup_big(void **state) { return setup_ram(state, 16ull << 20); }

static void test_image(void **state)
{
    struct env *e = *state;
    const uint64_t load = 0x80200000, ram_end = RAM_BASE + e->ram_size;
    uint8_t img[8192];
    uint64_t entry = 0, end = 0;

    make_image(img, sizeof img, 0x3000, true, true);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), 0);
    assert_int_equal(entry, load);
    assert_int_equal(end, load + 0x3000);
    assert_memory_equal(ram_at(e, load), img, sizeof img);
    for (uint64_t a = load + sizeof img; a < end; a++)
        assert_int_equal(*ram_at(e, a), 0);
    assert_int_equal(*ram_at(e, end), FILL);

    /* image_size 0 (old headers) or smaller than the file: the file counts. */
    memset(e->ram, FILL, e->ram_size);
    make_image(img, sizeof img, 0, true, false);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), 0);
    assert_int_equal(end, load + sizeof img);
    make_image(img, sizeof img, 100, false, true);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), 0);
    assert_int_equal(end, load + sizeof img);

    /* Errors leave RAM alone. */
    memset(e->ram, FILL, e->ram_size);
    make_image(img, sizeof img, 0x3000, false, false);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), -2);
    assert_non_null(strstr(e->err, ": not a RISC-V Linux Image"));
    write_file(e, img, 63);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), -1);
    assert_non_null(strstr(e->err, "too short"));
    make_image(img, sizeof img, e->ram_size, true, true);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), -1);
    assert_non_null(strstr(e->err, "does not fit in RAM"));
    make_image(img, sizeof img, UINT64_MAX - 0x1000, true, true);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), -1);
    make_image(img, sizeof img, 0x3000, true, true);
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load + 0x1000, &entry, &end, e->err,
                                        sizeof e->err), -1);
    assert_non_null(strstr(e->err, "2 MiB aligned"));
    assert_int_equal(loader_linux_image(&e->bus, e->path, 0x200000, &entry, &end, e->err,
                                        sizeof e->err), -1);
    assert_int_equal(loader_linux_image(&e->bus, e->path, ram_end, &entry, &end, e->err,
                                        sizeof e->err), -1);
    img[24] = 1; /* big-endian flag */
    write_file(e, img, sizeof img);
    assert_int_equal(loader_linux_image(&e->bus, e->path, load, &entry, &end, e->err,
                                        sizeof e->err), -1);
    assert_non_null(strstr(e->err, "big-endian"));
    assert_true(ram_untouched(e));
}

static void test_image_real(void **state)
{
    struct env *e = *state;
    if (access(REAL_IMAGE, R_OK) != 0) {
        print_message("skipped: %s not present\n", REAL_IMAGE);
        skip();
    }
    uint64_t entry, end;
    int rc = loader_linux_image(&e->bus, REAL_IMAGE, 0x80200000, &entry, &end, e->err,
                                sizeof e->err);
    if (rc)
        fail_msg("%s", e->err);
    uint8_t hdr[64];
    FILE *f = fopen(REAL_IMAGE, "rb");
    assert_non_null(f);
    assert_int_equal(fread(hdr, sizeof hdr, 1, f), 1);
    fclose(f);
    uint64_t image_size;
    memcpy(&image_size, hdr + 16, 8);
    assert_int_equal(entry, 0x80200000);
    assert_true(image_size > 0);
    assert_int_equal(end, 0x80200000 + image_size);
    assert_memory_equal(ram_at(e, 0x80200000), hdr, sizeof hdr);
    /* An ELF is not an Image, and the real Image is not an ELF. */
    assert_int_equal(loader_is_elf(REAL_IMAGE), 0);
    struct loaded_elf out;
    assert_int_equal(loader_elf(&e->bus, REAL_IMAGE, &out, e->err, sizeof e->err), -1);
    assert_non_null(strstr(e->err, "not an ELF file"));

    /* A truncated copy is refused (its PE/COFF sections reach past EOF). */
    char path[64];
    snprintf(path, sizeof path, "/tmp/rivet-trunc-%d", (int)getpid());
    uint8_t *buf = malloc(200000);
    assert_non_null(buf);
    f = fopen(REAL_IMAGE, "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, 200000, f), 200000);
    fclose(f);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, 200000, f), 200000);
    fclose(f);
    free(buf);
    rc = loader_linux_image(&e->bus, path, 0x80200000, &entry, &end, e->err, sizeof e->err);
    unlink(path);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e->err, "truncated"));
}

/* ---- loader_program: gzip, uImage; initrd, dtb, non-regular files ---- */

static size_t gz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t len = cap - z.avail_out;
    deflateEnd(&z);
    return len;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A uImage header before payload[0..n) (the payload is copied to out+64). */
static size_t uimage(uint8_t *out, const uint8_t *payload, size_t n, uint32_t load, uint32_t ep,
                     unsigned arch, unsigned type, unsigned comp)
{
    memset(out, 0, 64);
    memmove(out + 64, payload, n);
    put_be32(out, 0x27051956);
    put_be32(out + 12, (uint32_t)n);
    put_be32(out + 16, load);
    put_be32(out + 20, ep);
    put_be32(out + 24, (uint32_t)crc32(0, out + 64, (uInt)n));
    out[28] = 5; /* Linux */
    out[29] = (uint8_t)arch;
    out[30] = (uint8_t)type;
    out[31] = (uint8_t)comp;
    memcpy(out + 32, "test", 4);
    put_be32(out + 4, (uint32_t)crc32(0, out, 64));
    return 64 + n;
}

static int program(struct env *e, uint64_t raw, bool linux_image, struct loaded_program *lp)
{
    return loader_program(&e->bus, e->path, raw, linux_image, RAM_BASE + 0x100000, lp, e->err, sizeof e->err);
}

static void expect_err(struct env *e, int rc, const char *what)
{
    assert_int_equal(rc, -1);
    if (!strstr(e->err, what))
        fail_msg("'%s' does not say '%s'", e->err, what);
}

static void test_program_gzip(void **state)
{
    struct env *e = *state;
    const uint64_t load = 0x80200000;
    static uint8_t img[8192], z[16384];
    struct loaded_program lp;
    make_image(img, sizeof img, 0x3000, true, true);
    write_file(e, z, gz(img, sizeof img, z, sizeof z));
    assert_int_equal(program(e, load, true, &lp), 0);
    assert_string_equal(lp.format, "Image (gzip)");
    assert_int_equal(lp.entry, load);
    assert_int_equal(lp.end, load + 0x3000);
    assert_memory_equal(ram_at(e, load), img, sizeof img);
    /* not an Image: raw, inflated */
    memset(e->ram, FILL, e->ram_size);
    make_image(img, sizeof img, 0x3000, false, false);
    write_file(e, z, gz(img, sizeof img, z, sizeof z));
    assert_int_equal(program(e, load, true, &lp), 0);
    assert_string_equal(lp.format, "raw (gzip)");
    assert_int_equal(lp.end, load + sizeof img);
    assert_memory_equal(ram_at(e, load), img, sizeof img);
    /* an ELF inside */
    memset(e->ram, FILL, e->ram_size);
    struct elf_img m;
    make_elf(&m);
    write_file(e, z, gz(m.b, sizeof m.b, z, sizeof z));
    assert_int_equal(program(e, load, true, &lp), 0);
    assert_string_equal(lp.format, "ELF (gzip)");
    assert_int_equal(lp.tohost, 0x80000010);
    /* errors: RAM untouched */
    memset(e->ram, FILL, e->ram_size);
    size_t n = gz(img, sizeof img, z, sizeof z);
    write_file(e, z, n / 2);
    expect_err(e, program(e, load, true, &lp), "gzip data cut short");
    z[12] ^= 0xff;
    z[13] ^= 0xff;
    write_file(e, z, n);
    expect_err(e, program(e, load, true, &lp), "bad gzip data");
    /* more than fits in RAM from the load address (a gzip bomb) */
    uint8_t *big = calloc(1, 16 << 20);
    assert_non_null(big);
    write_file(e, z, gz(big, 16 << 20, z, sizeof z));
    free(big);
    expect_err(e, program(e, load, true, &lp), "decompresses to more than fits in guest RAM");
    assert_true(ram_untouched(e));
}

static void test_program_uimage(void **state)
{
    struct env *e = *state;
    const uint32_t load = 0x80200000;
    static uint8_t img[8192], u[20000], z[16384];
    struct loaded_program lp;
    make_image(img, sizeof img, 0x3000, true, true);
    size_t n = uimage(u, img, sizeof img, load, load, 26, 2, 0);
    write_file(e, u, n);
    /* the uImage's own address wins over raw_addr */
    assert_int_equal(program(e, 0x80400000, true, &lp), 0);
    assert_string_equal(lp.format, "uImage");
    assert_int_equal(lp.entry, load);
    assert_int_equal(lp.end, load + 0x3000);
    assert_memory_equal(ram_at(e, load), img, sizeof img);
    /* gzip payload, entry inside */
    memset(e->ram, FILL, e->ram_size);
    size_t zn = gz(img, sizeof img, z, sizeof z);
    n = uimage(u, z, zn, load, load + 0x100, 26, 2, 1);
    write_file(e, u, n);
    assert_int_equal(program(e, 0x80400000, true, &lp), 0);
    assert_string_equal(lp.format, "uImage (gzip)");
    assert_int_equal(lp.entry, load + 0x100);
    assert_memory_equal(ram_at(e, load), img, sizeof img);
    /* a raw payload anywhere in RAM above the floor */
    memset(e->ram, FILL, e->ram_size);
    static const uint8_t code[16] = { 0x13, 0, 0, 0, 0x6f, 0 };
    n = uimage(u, code, sizeof code, 0x80300004, 0x80300004, 26, 2, 0);
    write_file(e, u, n);
    assert_int_equal(program(e, 0x80400000, true, &lp), 0);
    assert_int_equal(lp.end, 0x80300004 + sizeof code);
    assert_memory_equal(ram_at(e, 0x80300004), code, sizeof code);

    memset(e->ram, FILL, e->ram_size);
    n = uimage(u, img, sizeof img, load, load, 26, 2, 0);
    u[40] ^= 1;
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "uImage header CRC mismatch");
    n = uimage(u, img, sizeof img, load, load, 26, 2, 0);
    u[100] ^= 1;
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "uImage data CRC mismatch");
    n = uimage(u, img, sizeof img, load, load, 22, 2, 0);
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "architecture 22");
    n = uimage(u, img, sizeof img, load, load, 26, 3, 0);
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "type 3 is not a kernel");
    n = uimage(u, img, sizeof img, load, load, 26, 2, 2);
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "compression 2 not supported");
    n = uimage(u, img, sizeof img, load, load + 0x3000, 26, 2, 0);
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "entry point");
    n = uimage(u, img, sizeof img, RAM_BASE, RAM_BASE, 26, 2, 0);
    write_file(e, u, n);
    expect_err(e, program(e, load, true, &lp), "overlaps the firmware");
    n = uimage(u, img, sizeof img, load, load, 26, 2, 0);
    write_file(e, u, n - 1);
    expect_err(e, program(e, load, true, &lp), "the file holds");
    n = uimage(u, img, sizeof img, 0x10000000, 0x10000000, 26, 2, 0);
    write_file(e, u, n);
    assert_int_equal(program(e, load, true, &lp), -1);
    assert_true(ram_untouched(e));
}

static void test_nonregular_files(void **state)
{
    struct env *e = *state;
    assert_int_equal(mkfifo(e->path, 0600), 0);
    alarm(10); /* a blocking open would hang here */
    struct loaded_program lp;
    expect_err(e, program(e, 0x80200000, true, &lp), "not a regular file (a FIFO)");
    uint64_t s, t;
    expect_err(e, loader_initrd(&e->bus, e->path, RAM_BASE, &s, &t, e->err, sizeof e->err), "(a FIFO)");
    uint8_t *blob;
    size_t len;
    expect_err(e, loader_dtb(e->path, NULL, 0, 0, &blob, &len, e->err, sizeof e->err), "(a FIFO)");
    struct loaded_elf le;
    expect_err(e, loader_elf(&e->bus, e->path, &le, e->err, sizeof e->err), "(a FIFO)");
    assert_int_equal(loader_is_elf(e->path), 0);
    assert_int_equal(loader_bios_needs_kernel(e->path), 0);
    expect_err(e, loader_dtb("/dev/zero", NULL, 0, 0, &blob, &len, e->err, sizeof e->err),
               "(a character device)");
    alarm(0);
    unlink(e->path);
}

static void test_initrd(void **state)
{
    struct env *e = *state;
    static uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 3);
    write_file(e, data, sizeof data);
    uint64_t s = 0, t = 0;
    /* 16 MiB of RAM: below the top 2 MiB the device tree may take */
    assert_int_equal(loader_initrd(&e->bus, e->path, 0x80400000, &s, &t, e->err, sizeof e->err), 0);
    assert_int_equal(t - s, sizeof data);
    assert_true(s >= 0x80400000 && t <= RAM_BASE + e->ram_size - (2 << 20));
    assert_int_equal(s % 4096, 0);
    assert_memory_equal(ram_at(e, s), data, sizeof data);
    write_file(e, data, 0);
    expect_err(e, loader_initrd(&e->bus, e->path, 0x80400000, &s, &t, e->err, sizeof e->err), "empty");
    assert_int_equal(truncate(e->path, 15 << 20), 0);
    expect_err(e, loader_initrd(&e->bus, e->path, 0x80400000, &s, &t, e->err, sizeof e->err),
               "do not fit in guest RAM (16 MiB)");
}

static size_t tiny_fdt(uint8_t *buf, size_t cap, bool chosen)
{
    assert_int_equal(fdt_create(buf, (int)cap), 0);
    assert_int_equal(fdt_finish_reservemap(buf), 0);
    assert_int_equal(fdt_begin_node(buf, ""), 0);
    assert_int_equal(fdt_property_string(buf, "model", "test"), 0);
    if (chosen) {
        assert_int_equal(fdt_begin_node(buf, "chosen"), 0);
        assert_int_equal(fdt_property_string(buf, "bootargs", "old"), 0);
        assert_int_equal(fdt_end_node(buf), 0);
    }
    assert_int_equal(fdt_end_node(buf), 0);
    assert_int_equal(fdt_finish(buf), 0);
    return fdt_totalsize(buf);
}

static void test_dtb(void **state)
{
    struct env *e = *state;
    uint8_t fdt[1024], *blob;
    size_t len;
    for (int with_chosen = 0; with_chosen < 2; with_chosen++) {
        write_file(e, fdt, tiny_fdt(fdt, sizeof fdt, with_chosen));
        assert_int_equal(loader_dtb(e->path, "console=ttyS0 x=1", 0x81000000, 0x81200000, &blob, &len,
                                    e->err, sizeof e->err), 0);
        assert_int_equal(fdt_check_full(blob, len), 0);
        int c = fdt_path_offset(blob, "/chosen");
        assert_true(c >= 0);
        assert_string_equal(fdt_getprop(blob, c, "bootargs", NULL), "console=ttyS0 x=1");
        int plen;
        const uint8_t *p = fdt_getprop(blob, c, "linux,initrd-start", &plen);
        assert_int_equal(plen, 8);
        assert_int_equal(fdt64_to_cpu(*(const fdt64_t *)p), 0x81000000);
        p = fdt_getprop(blob, c, "linux,initrd-end", &plen);
        assert_int_equal(fdt64_to_cpu(*(const fdt64_t *)p), 0x81200000);
        assert_string_equal(fdt_getprop(blob, 0, "model", NULL), "test");
        free(blob);
    }
    /* nothing to merge: the tree as it was */
    assert_int_equal(loader_dtb(e->path, NULL, 0, 0, &blob, &len, e->err, sizeof e->err), 0);
    assert_string_equal(fdt_getprop(blob, fdt_path_offset(blob, "/chosen"), "bootargs", NULL), "old");
    free(blob);
    size_t n = tiny_fdt(fdt, sizeof fdt, true);
    write_file(e, fdt, n - 8);
    expect_err(e, loader_dtb(e->path, NULL, 0, 0, &blob, &len, e->err, sizeof e->err), "not a valid device tree blob");
    fdt[0] ^= 1;
    write_file(e, fdt, n);
    expect_err(e, loader_dtb(e->path, NULL, 0, 0, &blob, &len, e->err, sizeof e->err), "FDT_ERR_BADMAGIC");
    write_file(e, fdt, 10);
    expect_err(e, loader_dtb(e->path, NULL, 0, 0, &blob, &len, e->err, sizeof e->err), "FDT_ERR_TRUNCATED");
    assert_int_equal(truncate(e->path, (2 << 20) + 1), 0);
    expect_err(e, loader_dtb(e->path, NULL, 0, 0, &blob, &len, e->err, sizeof e->err), "more than the 2 MiB");
}

static void test_bios_needs_kernel(void **state)
{
    struct env *e = *state;
    const char *fw = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";
    if (access(fw, R_OK) == 0)
        assert_int_equal(loader_bios_needs_kernel(fw), 1);
    static const char s[] = "xxOpenSBI v1.1";
    write_file(e, s, sizeof s);
    assert_int_equal(loader_bios_needs_kernel(e->path), 1);
    write_file(e, "OpenSB", 6);
    assert_int_equal(loader_bios_needs_kernel(e->path), 0);
    write_file(e, s, sizeof s);
    assert_int_equal(truncate(e->path, 3 << 20), 0); /* fw_payload-sized: has a payload */
    assert_int_equal(loader_bios_needs_kernel(e->path), 0);
    assert_int_equal(loader_bios_needs_kernel("/nonexistent"), 0);
}

/* ---- placement ---- */

static void test_placement(void **state)
{
    const uint64_t MiB = 1ull << 20, GiB = 1ull << 30;
    /* 512 MiB: the FDT in the top 2 MiB, the initrd right below. */
    assert_int_equal(loader_fdt_addr(RAM_BASE, 512 * MiB, 0x2000), 0x9fe00000);
    assert_int_equal(loader_fdt_addr(RAM_BASE, 512 * MiB, 2 * MiB), 0x9fe00000);
    assert_int_equal(loader_fdt_addr(RAM_BASE, 512 * MiB, 2 * MiB + 1), 0);
    assert_int_equal(loader_fdt_addr(RAM_BASE, 512 * MiB, 0), 0);
    assert_int_equal(loader_fdt_addr(RAM_BASE, 1 * MiB, 0x2000), RAM_BASE);
    assert_int_equal(loader_fdt_addr(RAM_BASE + MiB, 1 * MiB, 0x2000), 0);
    uint64_t kend = 0x80200000 + 0x558000, isz = 0x119aa2;
    uint64_t i = loader_initrd_addr(RAM_BASE, 512 * MiB, kend, isz);
    assert_int_equal(i, (0x9fe00000 - isz) & ~0xfffull);
    assert_true(i % 4096 == 0 && i >= kend && i + isz <= 0x9fe00000);
    /* Exactly fits between the kernel and the FDT area, then not. */
    assert_int_equal(loader_initrd_addr(RAM_BASE, 512 * MiB, 0x80400000, 0x9fe00000 - 0x80400000),
                     0x80400000);
    assert_int_equal(loader_initrd_addr(RAM_BASE, 512 * MiB, 0x80400001, 0x9fe00000 - 0x80401000),
                     0x80401000);
    assert_int_equal(loader_initrd_addr(RAM_BASE, 512 * MiB, 0x80400001, 0x9fe00000 - 0x80400000),
                     0);
    assert_int_equal(loader_initrd_addr(RAM_BASE, 512 * MiB, kend, 1 * GiB), 0);
    assert_int_equal(loader_initrd_addr(RAM_BASE, 1 * MiB, RAM_BASE, 4096), 0);
    /* Kernel end past RAM (nonsense) or at the very top of the address space. */
    assert_int_equal(loader_initrd_addr(RAM_BASE, 512 * MiB, UINT64_MAX, 4096), 0);
    /* Beyond 3 GiB the FDT and the initrd stay below 3 GiB. */
    assert_int_equal(loader_fdt_addr(RAM_BASE, 4 * GiB, 0x2000), 3 * GiB - 2 * MiB);
    i = loader_initrd_addr(RAM_BASE, 4 * GiB, kend, 16 * MiB);
    assert_int_equal(i, 3 * GiB - 2 * MiB - 16 * MiB);
    /* RAM that starts above 3 GiB: no cap. */
    assert_int_equal(loader_fdt_addr(0x100000000ull, 1 * GiB, 0x2000), 0x13fe00000ull);
    /* A RAM size that is not a 2 MiB multiple. */
    assert_int_equal(loader_fdt_addr(RAM_BASE, 511 * MiB, 0x2000), 0x9fe00000);
    assert_int_equal(loader_fdt_addr(RAM_BASE, 511 * MiB, 2 * MiB), 0x9fc00000);
    i = loader_initrd_addr(RAM_BASE, 511 * MiB, kend, 4096);
    assert_int_equal(i, 0x9fc00000 - 4096);
    assert_true(i + 4096 <= loader_fdt_addr(RAM_BASE, 511 * MiB, 2 * MiB));
}

/* ---- handoff ---- */

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void test_fw_dynamic_info(void **state)
{
    struct env *e = *state;
    assert_int_equal(loader_fw_dynamic_info(&e->bus, 0x80001000, 0x80200000, FW_DYNAMIC_NEXT_MODE_S,
                                            0), 0);
    const uint8_t *p = ram_at(e, 0x80001000);
    assert_int_equal(rd64(p + 0), 0x4942534f);
    assert_int_equal(rd64(p + 8), 2);
    assert_int_equal(rd64(p + 16), 0x80200000);
    assert_int_equal(rd64(p + 24), 1);
    assert_int_equal(rd64(p + 32), 0);
    assert_int_equal(rd64(p + 40), 0);
    assert_int_equal(p[48], FILL);
    assert_memory_equal(p, "OSBI", 4);
    assert_int_equal(loader_fw_dynamic_info(&e->bus, 0x80001000, 0x80200000, FW_DYNAMIC_NEXT_MODE_M,
                                            3), 0);
    assert_int_equal(rd64(p + 24), 3);
    assert_int_equal(rd64(p + 40), 3);
    assert_int_equal(loader_fw_dynamic_info(&e->bus, 0x80001004, 0, 1, 0), -1);
    assert_int_equal(loader_fw_dynamic_info(&e->bus, 0x1000, 0, 1, 0), -1);
    assert_int_equal(loader_fw_dynamic_info(&e->bus, RAM_BASE + RAM_SIZE - 40, 0, 1, 0), -1);
    assert_int_equal(loader_fw_dynamic_info(&e->bus, 0x80001000, 0, 2, 0), -1);
}

static void test_reset_rom(void **state)
{
    uint8_t rom[64];
    memset(rom, 0xee, sizeof rom);
    assert_int_equal(loader_reset_rom(rom, sizeof rom, 0x80000000, 0x9fe00000, 0x1028), 48);
    /* Reference encodings from the GNU assembler. */
    static const uint32_t want[6] = {
        0x00000297, /* auipc t0, 0 */
        0xf1402573, /* csrr  a0, mhartid */
        0x0202b583, /* ld    a1, 32(t0) */
        0x0282b603, /* ld    a2, 40(t0) */
        0x0182b283, /* ld    t0, 24(t0) */
        0x00028067, /* jr    t0 */
    };
    for (int i = 0; i < 6; i++) {
        uint32_t w;
        memcpy(&w, rom + 4 * i, 4);
        assert_int_equal(w, want[i]);
    }
    assert_int_equal(rd64(rom + 24), 0x80000000);
    assert_int_equal(rd64(rom + 32), 0x9fe00000);
    assert_int_equal(rd64(rom + 40), 0x1028);
    assert_int_equal(rom[48], 0xee);
    assert_int_equal(loader_reset_rom(rom, 47, 0, 0, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_elf_good, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_entry_translated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_no_symbols, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_extended_numbering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_bad_ident, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_bad_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_bad_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_bad_symtab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_fuzz, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_elf_real_opensbi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_image_real, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_program_gzip, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_program_uimage, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_nonregular_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_initrd, setup_big, teardown),
        cmocka_unit_test_setup_teardown(test_dtb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bios_needs_kernel, setup, teardown),
        cmocka_unit_test(test_placement),
        cmocka_unit_test_setup_teardown(test_fw_dynamic_info, setup, teardown),
        cmocka_unit_test(test_reset_rom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
