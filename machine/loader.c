/* machine/loader.c: ELF, raw and Linux Image loaders, boot-time placement
 * and the firmware handoff (fw_dynamic_info, reset vector). */
#include "machine/loader.h"
#include "bus/util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus/bus.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define PAGE 4096ull

static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

/* Opens a regular file and returns its size. */
static int open_regular(const char *path, uint64_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errf_at(err, errlen, path, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return errf_at(err, errlen, path, "%s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return errf_at(err, errlen, path, "not a regular file");
    }
    *size = (uint64_t)st.st_size;
    return fd;
}

/* Reads exactly len bytes at offset; a file that shrank is an error. */
static int read_at(int fd, void *buf, uint64_t len, uint64_t off, const char *path,
                   char *err, size_t errlen)
{
    uint8_t *p = buf;
    while (len) {
        size_t chunk = len > (1u << 30) ? (1u << 30) : (size_t)len;
        ssize_t n = pread(fd, p, chunk, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errf_at(err, errlen, path, "read error: %s", strerror(errno));
        }
        if (n == 0)
            return errf_at(err, errlen, path, "file shrank while being read");
        p += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

/* ---- ELF ---- */

struct elf_file {
    const uint8_t *data;
    uint64_t size;
    Elf64_Ehdr eh;
    uint64_t phnum, shnum;
};

/* True when [off, off + count * entsize) lies inside the file. */
static bool in_file(const struct elf_file *f, uint64_t off, uint64_t count, uint64_t entsize)
{
    if (off > f->size)
        return false;
    if (entsize && count > (f->size - off) / entsize)
        return false;
    return true;
}

static Elf64_Phdr elf_phdr(const struct elf_file *f, uint64_t i)
{
    Elf64_Phdr ph;
    memcpy(&ph, f->data + f->eh.e_phoff + i * sizeof ph, sizeof ph);
    return ph;
}

static Elf64_Shdr elf_shdr(const struct elf_file *f, uint64_t i)
{
    Elf64_Shdr sh;
    memcpy(&sh, f->data + f->eh.e_shoff + i * sizeof sh, sizeof sh);
    return sh;
}

/* Validates the ELF header and the program/section header tables. */
static int elf_parse_headers(struct elf_file *f, const char *path, char *err, size_t errlen)
{
    if (f->size < sizeof f->eh)
        return errf_at(err, errlen, path, "too short for an ELF header (%llu bytes)",
                    (unsigned long long)f->size);
    memcpy(&f->eh, f->data, sizeof f->eh);
    const Elf64_Ehdr *eh = &f->eh;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return errf_at(err, errlen, path, "not an ELF file");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return errf_at(err, errlen, path, "not a 64-bit ELF file (class %u)", eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return errf_at(err, errlen, path, "not a little-endian ELF file");
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return errf_at(err, errlen, path, "unknown ELF version");
    if (eh->e_machine != EM_RISCV)
        return errf_at(err, errlen, path, "not a RISC-V ELF file (machine %u)", eh->e_machine);
    if (eh->e_type != ET_EXEC)
        return errf_at(err, errlen, path, "not an executable ELF file (type %u, want ET_EXEC)",
                    eh->e_type);

    /* Section headers first: extended numbering keeps counts in section 0. */
    f->shnum = 0;
    if (eh->e_shoff) {
        if (eh->e_shentsize != sizeof(Elf64_Shdr))
            return errf_at(err, errlen, path, "bad section header size %u", eh->e_shentsize);
        if (!in_file(f, eh->e_shoff, 1, sizeof(Elf64_Shdr)))
            return errf_at(err, errlen, path, "section headers at 0x%llx are past the end of the file",
                        (unsigned long long)eh->e_shoff);
        f->shnum = eh->e_shnum ? eh->e_shnum : elf_shdr(f, 0).sh_size;
        if (!in_file(f, eh->e_shoff, f->shnum, sizeof(Elf64_Shdr)))
            return errf_at(err, errlen, path,
                        "%llu section headers at 0x%llx run past the end of the file",
                        (unsigned long long)f->shnum, (unsigned long long)eh->e_shoff);
    }

    f->phnum = eh->e_phnum;
    if (f->phnum == PN_XNUM) {
        if (!f->shnum)
            return errf_at(err, errlen, path, "extended program header count without section 0");
        f->phnum = elf_shdr(f, 0).sh_info;
    }
    if (f->phnum == 0)
        return errf_at(err, errlen, path, "no program headers");
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return errf_at(err, errlen, path, "bad program header size %u", eh->e_phentsize);
    if (!in_file(f, eh->e_phoff, f->phnum, sizeof(Elf64_Phdr)))
        return errf_at(err, errlen, path,
                    "%llu program headers at 0x%llx run past the end of the file",
                    (unsigned long long)f->phnum, (unsigned long long)eh->e_phoff);
    return 0;
}

/* A virtual address inside a PT_LOAD segment, moved to where that segment
 * was loaded; other addresses are returned unchanged. */
static uint64_t elf_virt_to_phys(const struct elf_file *f, uint64_t va)
{
    for (uint64_t i = 0; i < f->phnum; i++) {
        Elf64_Phdr ph = elf_phdr(f, i);
        if (ph.p_type == PT_LOAD && va - ph.p_vaddr < ph.p_memsz)
            return ph.p_paddr + (va - ph.p_vaddr);
    }
    return va;
}

/* Looks up tohost/fromhost in the first SHT_SYMTAB. */
static int elf_find_symbols(const struct elf_file *f, struct loaded_elf *out, const char *path,
                            char *err, size_t errlen)
{
    for (uint64_t i = 0; i < f->shnum; i++) {
        Elf64_Shdr sym = elf_shdr(f, i);
        if (sym.sh_type != SHT_SYMTAB)
            continue;
        if (sym.sh_entsize != sizeof(Elf64_Sym) || sym.sh_size % sizeof(Elf64_Sym))
            return errf_at(err, errlen, path, "section %llu: bad symbol table entry size",
                        (unsigned long long)i);
        if (!in_file(f, sym.sh_offset, sym.sh_size, 1))
            return errf_at(err, errlen, path, "section %llu: symbol table is past the end of the file",
                        (unsigned long long)i);
        if (sym.sh_link >= f->shnum)
            return errf_at(err, errlen, path, "section %llu: string table index %u out of range",
                        (unsigned long long)i, sym.sh_link);
        Elf64_Shdr str = elf_shdr(f, sym.sh_link);
        if (str.sh_type != SHT_STRTAB)
            return errf_at(err, errlen, path, "section %llu: linked section %u is not a string table",
                        (unsigned long long)i, sym.sh_link);
        if (!in_file(f, str.sh_offset, str.sh_size, 1))
            return errf_at(err, errlen, path, "section %u: string table is past the end of the file",
                        sym.sh_link);
        const char *strtab = (const char *)f->data + str.sh_offset;
        uint64_t nsyms = sym.sh_size / sizeof(Elf64_Sym);
        for (uint64_t s = 0; s < nsyms; s++) {
            Elf64_Sym st;
            memcpy(&st, f->data + sym.sh_offset + s * sizeof st, sizeof st);
            if (st.st_name == 0 || st.st_shndx == SHN_UNDEF)
                continue;
            if (st.st_name >= str.sh_size ||
                !memchr(strtab + st.st_name, 0, str.sh_size - st.st_name))
                return errf_at(err, errlen, path, "symbol %llu: name outside its string table",
                            (unsigned long long)s);
            const char *name = strtab + st.st_name;
            if (strcmp(name, "tohost") == 0)
                out->tohost = elf_virt_to_phys(f, st.st_value);
            else if (strcmp(name, "fromhost") == 0)
                out->fromhost = elf_virt_to_phys(f, st.st_value);
        }
        return 0;
    }
    return 0;
}

static int elf_load(struct bus *b, const struct elf_file *f, struct loaded_elf *out,
                    const char *path, char *err, size_t errlen)
{
    uint64_t low = UINT64_MAX, end = 0;
    unsigned loads = 0;

    /* Check every segment before writing any, so a bad file changes nothing. */
    for (uint64_t i = 0; i < f->phnum; i++) {
        Elf64_Phdr ph = elf_phdr(f, i);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz)
            return errf_at(err, errlen, path,
                        "segment %llu: file size 0x%llx exceeds memory size 0x%llx",
                        (unsigned long long)i, (unsigned long long)ph.p_filesz,
                        (unsigned long long)ph.p_memsz);
        if (!in_file(f, ph.p_offset, ph.p_filesz, 1))
            return errf_at(err, errlen, path,
                        "segment %llu: 0x%llx bytes at offset 0x%llx are past the end of the file",
                        (unsigned long long)i, (unsigned long long)ph.p_filesz,
                        (unsigned long long)ph.p_offset);
        if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
            return errf_at(err, errlen, path, "segment %llu at 0x%llx wraps around",
                        (unsigned long long)i, (unsigned long long)ph.p_paddr);
        if (!bus_dma(b, ph.p_paddr, ph.p_memsz))
            return errf_at(err, errlen, path,
                        "segment %llu at 0x%llx (0x%llx bytes) is outside RAM",
                        (unsigned long long)i, (unsigned long long)ph.p_paddr,
                        (unsigned long long)ph.p_memsz);
        if (ph.p_paddr < low)
            low = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > end)
            end = ph.p_paddr + ph.p_memsz;
        loads++;
    }
    if (!loads)
        return errf_at(err, errlen, path, "no loadable segments");

    for (uint64_t i = 0; i < f->phnum; i++) {
        Elf64_Phdr ph = elf_phdr(f, i);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (bus_dma_write(b, ph.p_paddr, f->data + ph.p_offset, ph.p_filesz) < 0)
            return errf_at(err, errlen, path, "segment %llu: write to RAM failed", (unsigned long long)i);
        if (ph.p_memsz > ph.p_filesz) {
            uint8_t *z = bus_dma_w(b, ph.p_paddr + ph.p_filesz, ph.p_memsz - ph.p_filesz);
            if (!z)
                return errf_at(err, errlen, path, "segment %llu: write to RAM failed",
                            (unsigned long long)i);
            memset(z, 0, ph.p_memsz - ph.p_filesz);
        }
    }
    out->low = low;
    out->end = end;
    out->entry = elf_virt_to_phys(f, f->eh.e_entry);
    return 0;
}

int loader_elf(struct bus *b, const char *path, struct loaded_elf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    if (size > SIZE_MAX) {
        close(fd);
        return errf_at(err, errlen, path, "file too large");
    }
    uint8_t *data = malloc(size ? (size_t)size : 1);
    if (!data) {
        close(fd);
        return errf_at(err, errlen, path, "out of memory reading %llu bytes",
                    (unsigned long long)size);
    }
    int rc = read_at(fd, data, size, 0, path, err, errlen);
    close(fd);

    struct elf_file f = { .data = data, .size = size };
    struct loaded_elf res = { 0 };
    /* Symbols are read before loading so that a broken symbol table is
     * reported without having touched RAM. */
    if (rc == 0)
        rc = elf_parse_headers(&f, path, err, errlen);
    if (rc == 0)
        rc = elf_find_symbols(&f, &res, path, err, errlen);
    if (rc == 0)
        rc = elf_load(b, &f, &res, path, err, errlen);
    free(data);
    if (rc == 0)
        *out = res;
    return rc;
}

int loader_is_elf(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    uint8_t magic[SELFMAG];
    ssize_t n;
    do
        n = pread(fd, magic, sizeof magic, 0);
    while (n < 0 && errno == EINTR);
    close(fd);
    return n == (ssize_t)sizeof magic && memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* ---- raw ---- */

int loader_raw(struct bus *b, const char *path, uint64_t addr, uint64_t *size_out,
               char *err, size_t errlen)
{
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    if (size == 0) {
        close(fd);
        return errf_at(err, errlen, path, "file is empty");
    }
    /* Straight into guest RAM: initrds and disk-sized blobs need no copy. */
    uint8_t *dst = (addr + size < addr) ? NULL : bus_dma_w(b, addr, size);
    if (!dst) {
        close(fd);
        return errf_at(err, errlen, path, "0x%llx bytes at 0x%llx do not fit in RAM",
                    (unsigned long long)size, (unsigned long long)addr);
    }
    int rc = read_at(fd, dst, size, 0, path, err, errlen);
    close(fd);
    if (rc == 0 && size_out)
        *size_out = size;
    return rc;
}

/* ---- Linux Image ---- */

#define IMAGE_HDR_SIZE 64u
#define IMAGE_MAGIC "RISCV\0\0\0"  /* at 0x30, deprecated since header 0.2 */
#define IMAGE_MAGIC2 "RSC\x05"     /* at 0x38 */
#define IMAGE_ALIGN (2 * MIB)

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* An Image with an EFI stub carries a PE/COFF header: its section table
 * says how long the file must be, which catches truncated kernels. Returns
 * the required file size, or 0 when there is no usable PE header. */
static uint64_t pe_required_size(int fd, const uint8_t *hdr, uint64_t size)
{
    if (hdr[0] != 'M' || hdr[1] != 'Z')
        return 0;
    uint64_t pe = le32(hdr + 0x3c);
    uint8_t coff[24];
    if (pe + sizeof coff > size || pread(fd, coff, sizeof coff, (off_t)pe) != (ssize_t)sizeof coff ||
        memcmp(coff, "PE\0\0", 4) != 0)
        return 0;
    unsigned nsec = coff[6] | coff[7] << 8;
    unsigned opt = coff[20] | coff[21] << 8;
    uint64_t sec = pe + sizeof coff + opt, need = 0;
    for (unsigned i = 0; i < nsec && i < 96; i++) {
        uint8_t s[40];
        if (sec + 40 * (i + 1) > size ||
            pread(fd, s, sizeof s, (off_t)(sec + 40 * i)) != (ssize_t)sizeof s)
            return 0;
        uint64_t end = (uint64_t)le32(s + 20) + le32(s + 16);
        if (end > need)
            need = end;
    }
    return need;
}

int loader_linux_image(struct bus *b, const char *path, uint64_t load_addr,
                       uint64_t *entry, uint64_t *end, char *err, size_t errlen)
{
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    uint8_t hdr[IMAGE_HDR_SIZE];
    int rc = -1;
    if (size < IMAGE_HDR_SIZE) {
        errf_at(err, errlen, path, "too short for a RISC-V Linux Image header (%llu bytes)",
             (unsigned long long)size);
        goto out;
    }
    if (read_at(fd, hdr, sizeof hdr, 0, path, err, errlen) < 0)
        goto out;
    if (memcmp(hdr + 0x38, IMAGE_MAGIC2, 4) != 0 && memcmp(hdr + 0x30, IMAGE_MAGIC, 8) != 0) {
        errf_at(err, errlen, path, "not a RISC-V Linux Image");
        rc = -2;
        goto out;
    }
    uint64_t image_size = le64(hdr + 16);
    uint64_t flags = le64(hdr + 24);
    uint64_t need = pe_required_size(fd, hdr, size);
    if (need > size) {
        errf_at(err, errlen, path, "truncated or damaged Image: %llu bytes, its header describes %llu",
             (unsigned long long)size, (unsigned long long)need);
        goto out;
    }
    if (flags & 1) {
        errf_at(err, errlen, path, "big-endian Image is not supported");
        goto out;
    }
    if (load_addr % IMAGE_ALIGN) {
        errf_at(err, errlen, path, "load address 0x%llx is not 2 MiB aligned",
             (unsigned long long)load_addr);
        goto out;
    }
    /* image_size covers the bss; 0 comes from headers that predate it. */
    uint64_t footprint = image_size > size ? image_size : size;
    uint8_t *dst = (load_addr + footprint < load_addr) ? NULL : bus_dma_w(b, load_addr, footprint);
    if (!dst) {
        errf_at(err, errlen, path, "image of 0x%llx bytes at 0x%llx does not fit in RAM",
             (unsigned long long)footprint, (unsigned long long)load_addr);
        goto out;
    }
    if (read_at(fd, dst, size, 0, path, err, errlen) < 0)
        goto out;
    memset(dst + size, 0, footprint - size);
    *entry = load_addr;
    *end = load_addr + footprint;
    rc = 0;
out:
    close(fd);
    return rc;
}

/* ---- placement ---- */

/* QEMU's rule: the FDT stays below 3 GiB when RAM starts below it. */
static uint64_t fdt_top(uint64_t ram_base, uint64_t ram_size)
{
    uint64_t end = ram_base + ram_size;
    if (end < ram_base)
        end = UINT64_MAX;
    if (ram_base < 3 * GIB && end > 3 * GIB)
        end = 3 * GIB;
    return end;
}

uint64_t loader_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size)
{
    uint64_t top = fdt_top(ram_base, ram_size);
    if (fdt_size == 0 || fdt_size > LOADER_FDT_MAX || fdt_size > top - ram_base)
        return 0;
    uint64_t addr = align_down(top - fdt_size, 2 * MIB);
    return addr >= ram_base ? addr : 0;
}

uint64_t loader_initrd_addr(uint64_t ram_base, uint64_t ram_size, uint64_t kernel_end,
                            uint64_t initrd_size)
{
    uint64_t top = fdt_top(ram_base, ram_size);
    if (top - ram_base < LOADER_FDT_MAX)
        return 0;
    /* The lowest address a blob of LOADER_FDT_MAX bytes can get. */
    uint64_t limit = align_down(top - LOADER_FDT_MAX, 2 * MIB);
    if (limit < ram_base || initrd_size > limit - ram_base)
        return 0;
    uint64_t start = align_down(limit - initrd_size, PAGE);
    uint64_t floor = kernel_end > ram_base ? kernel_end : ram_base;
    if (floor > UINT64_MAX - PAGE)
        return 0;
    floor = align_down(floor + PAGE - 1, PAGE);
    if (start < floor)
        return 0;
    return start;
}

/* ---- firmware handoff ---- */

int loader_fw_dynamic_info(struct bus *b, uint64_t addr, uint64_t next_addr, unsigned next_mode,
                           uint64_t boot_hart)
{
    if (addr % 8)
        return -1;
    if (next_mode != FW_DYNAMIC_NEXT_MODE_U && next_mode != FW_DYNAMIC_NEXT_MODE_S &&
        next_mode != FW_DYNAMIC_NEXT_MODE_M)
        return -1;
    /* The host is little-endian (configure checks), as is the guest. */
    const uint64_t info[6] = {
        FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, next_addr, next_mode,
        0 /* options: OpenSBI's defaults */, boot_hart,
    };
    _Static_assert(sizeof info == FW_DYNAMIC_INFO_SIZE, "fw_dynamic_info is six longs");
    return bus_dma_write(b, addr, info, sizeof info);
}

/* RV64I encodings, x-register numbers. */
enum { REG_ZERO = 0, REG_T0 = 5, REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };
#define CSR_MHARTID 0xf14u

static uint32_t enc_i(uint32_t opcode, unsigned funct3, unsigned rd, unsigned rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfffu) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
}

static uint32_t enc_u(uint32_t opcode, unsigned rd, uint32_t imm20)
{
    return imm20 << 12 | rd << 7 | opcode;
}

static uint32_t insn_auipc(unsigned rd, uint32_t imm20) { return enc_u(0x17, rd, imm20); }
static uint32_t insn_ld(unsigned rd, unsigned rs1, int32_t off) { return enc_i(0x03, 3, rd, rs1, off); }
static uint32_t insn_jalr(unsigned rd, unsigned rs1, int32_t off) { return enc_i(0x67, 0, rd, rs1, off); }
/* csrrs rd, csr, x0 */
static uint32_t insn_csrr(unsigned rd, unsigned csr) { return enc_i(0x73, 2, rd, REG_ZERO, (int32_t)csr); }

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int loader_reset_rom(uint8_t *rom, size_t romsize, uint64_t start_addr, uint64_t fdt_addr,
                     uint64_t fw_dyn_addr)
{
    enum { OFF_START = 24, OFF_FDT = 32, OFF_FWDYN = 40 };
    if (romsize < LOADER_RESET_ROM_SIZE)
        return -1;
    const uint32_t code[6] = {
        insn_auipc(REG_T0, 0),                /* t0 = address of this ROM */
        insn_csrr(REG_A0, CSR_MHARTID),
        insn_ld(REG_A1, REG_T0, OFF_FDT),
        insn_ld(REG_A2, REG_T0, OFF_FWDYN),
        insn_ld(REG_T0, REG_T0, OFF_START),   /* last: it overwrites the base */
        insn_jalr(REG_ZERO, REG_T0, 0),
    };
    _Static_assert(sizeof code == OFF_START, "data words follow the code");
    for (unsigned i = 0; i < 6; i++)
        put_le32(rom + 4 * i, code[i]);
    put_le64(rom + OFF_START, start_addr);
    put_le64(rom + OFF_FDT, fdt_addr);
    put_le64(rom + OFF_FWDYN, fw_dyn_addr);
    return LOADER_RESET_ROM_SIZE;
}
