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

#include <libfdt.h>
#include <zlib.h>

#include "bus/bus.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define PAGE 4096ull

static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

/* Opens a regular file and returns its size. O_NONBLOCK: opening a FIFO
 * must not wait for a writer (it is refused right after); it changes
 * nothing for regular files. */
static int open_regular(const char *path, uint64_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
        return errf_at(err, errlen, path, "not a regular file (%s)",
                    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
                    S_ISCHR(st.st_mode) ? "a character device" : S_ISBLK(st.st_mode) ? "a block device" :
                    S_ISSOCK(st.st_mode) ? "a socket" : "special");
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
    if (size > LOADER_ELF_FILE_MAX || size > SIZE_MAX) {
        close(fd);
        return errf_at(err, errlen, path, "ELF file of %llu bytes is larger than %llu MiB",
                    (unsigned long long)size, LOADER_ELF_FILE_MAX >> 20);
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
    uint64_t size;
    int fd = open_regular(path, &size, NULL, 0);
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

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An Image with an EFI stub carries a PE/COFF header: its section table
 * says how long the file must be, which catches truncated kernels. Returns
 * the required file size, or 0 when there is no usable PE header. */
static uint64_t pe_required_size(const uint8_t *data, uint64_t size)
{
    if (size < IMAGE_HDR_SIZE || data[0] != 'M' || data[1] != 'Z')
        return 0;
    uint64_t pe = le32(data + 0x3c);
    if (pe + 24 > size || memcmp(data + pe, "PE\0\0", 4) != 0)
        return 0;
    const uint8_t *coff = data + pe;
    unsigned nsec = coff[6] | coff[7] << 8;
    unsigned opt = coff[20] | coff[21] << 8;
    uint64_t sec = pe + 24 + opt, need = 0;
    for (unsigned i = 0; i < nsec && i < 96; i++) {
        if (sec + 40 * (i + 1) > size)
            return 0;
        const uint8_t *s = data + sec + 40 * i;
        uint64_t end = (uint64_t)le32(s + 20) + le32(s + 16);
        if (end > need)
            need = end;
    }
    return need;
}

/* Bytes of main RAM from addr to its end (0 outside it). */
static uint64_t ram_room(const struct bus *b, uint64_t addr)
{
    uint64_t off = addr - b->ram_base;
    return off < b->ram_size ? b->ram_size - off : 0;
}

static bool is_image(const uint8_t *data, uint64_t size)
{
    return size >= IMAGE_HDR_SIZE &&
           (memcmp(data + 0x38, IMAGE_MAGIC2, 4) == 0 || memcmp(data + 0x30, IMAGE_MAGIC, 8) == 0);
}

/* An Image in memory (is_image() true) to load_addr. */
static int image_load(struct bus *b, const uint8_t *data, uint64_t size, uint64_t load_addr,
                      uint64_t *entry, uint64_t *end, const char *path, char *err, size_t errlen)
{
    uint64_t image_size = le64(data + 16);
    uint64_t flags = le64(data + 24);
    uint64_t need = pe_required_size(data, size);
    if (need > size)
        return errf_at(err, errlen, path, "truncated or damaged Image: %llu bytes, its header describes %llu",
                    (unsigned long long)size, (unsigned long long)need);
    if (flags & 1)
        return errf_at(err, errlen, path, "big-endian Image is not supported");
    if (load_addr % IMAGE_ALIGN)
        return errf_at(err, errlen, path, "load address 0x%llx is not 2 MiB aligned",
                    (unsigned long long)load_addr);
    /* image_size covers the bss; 0 comes from headers that predate it. */
    uint64_t footprint = image_size > size ? image_size : size;
    uint8_t *dst = (load_addr + footprint < load_addr) ? NULL : bus_dma_w(b, load_addr, footprint);
    if (!dst)
        return errf_at(err, errlen, path, "image of 0x%llx bytes at 0x%llx does not fit in RAM",
                    (unsigned long long)footprint, (unsigned long long)load_addr);
    memcpy(dst, data, size);
    memset(dst + size, 0, footprint - size);
    *entry = load_addr;
    *end = load_addr + footprint;
    return 0;
}

/* Reads a whole regular file of at most max bytes into a new buffer. */
static int read_whole(const char *path, uint64_t max, uint8_t **data, uint64_t *size, char *err,
                      size_t errlen)
{
    uint64_t n;
    int fd = open_regular(path, &n, err, errlen);
    if (fd < 0)
        return -1;
    if (n > max || n > SIZE_MAX - 1) {
        close(fd);
        return errf_at(err, errlen, path, "%llu bytes do not fit in the %llu bytes of guest RAM available",
                    (unsigned long long)n, (unsigned long long)max);
    }
    uint8_t *buf = malloc(n ? (size_t)n : 1);
    if (!buf) {
        close(fd);
        return errf_at(err, errlen, path, "out of memory reading %llu bytes", (unsigned long long)n);
    }
    int rc = read_at(fd, buf, n, 0, path, err, errlen);
    close(fd);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

int loader_linux_image(struct bus *b, const char *path, uint64_t load_addr,
                       uint64_t *entry, uint64_t *end, char *err, size_t errlen)
{
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    uint8_t hdr[IMAGE_HDR_SIZE];
    if (size < IMAGE_HDR_SIZE) {
        close(fd);
        return errf_at(err, errlen, path, "too short for a RISC-V Linux Image header (%llu bytes)",
                    (unsigned long long)size);
    }
    int rc = read_at(fd, hdr, sizeof hdr, 0, path, err, errlen);
    close(fd);
    if (rc < 0)
        return -1;
    if (!is_image(hdr, sizeof hdr)) {
        errf_at(err, errlen, path, "not a RISC-V Linux Image");
        return -2;
    }
    uint64_t room = ram_room(b, load_addr);
    uint8_t *data;
    if (read_whole(path, room, &data, &size, err, errlen) < 0)
        return -1;
    rc = is_image(data, size) ? image_load(b, data, size, load_addr, entry, end, path, err, errlen)
                              : errf_at(err, errlen, path, "file changed while being read");
    free(data);
    return rc;
}

/* ---- gzip, U-Boot uImage, and the -kernel/-bios dispatcher ---- */

static bool is_gzip(const uint8_t *d, uint64_t n)
{
    return n >= 18 && d[0] == 0x1f && d[1] == 0x8b && d[2] == 8;
}

/* Inflates a gzip stream into a new buffer of at most max bytes. */
static int gunzip(const uint8_t *in, uint64_t inlen, uint64_t max, uint8_t **out, uint64_t *outlen,
                  const char *path, char *err, size_t errlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return errf_at(err, errlen, path, "cannot start zlib");
    uint64_t cap = inlen * 4 < max ? inlen * 4 : max;
    if (cap < 4096)
        cap = max < 4096 ? max : 4096;
    uint8_t *buf = malloc((size_t)cap + 1);
    uint64_t done = 0, consumed = 0;
    int zr = Z_OK;
    while (buf) {
        uInt in_chunk = inlen - consumed > (1u << 30) ? (1u << 30) : (uInt)(inlen - consumed);
        uInt out_chunk = cap - done > (1u << 30) ? (1u << 30) : (uInt)(cap - done);
        z.next_in = (Bytef *)(in + consumed);
        z.avail_in = in_chunk;
        z.next_out = buf + done;
        z.avail_out = out_chunk;
        zr = inflate(&z, Z_NO_FLUSH);
        consumed += in_chunk - z.avail_in;
        done += out_chunk - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            break;
        if (done == cap) {
            if (cap == max) {
                zr = Z_MEM_ERROR + 100; /* too large */
                break;
            }
            uint64_t ncap = cap * 2 < max ? cap * 2 : max;
            uint8_t *nb = realloc(buf, (size_t)ncap + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap = ncap;
        } else if (consumed == inlen) {
            zr = Z_DATA_ERROR + 100; /* cut short */
            break;
        }
    }
    inflateEnd(&z);
    if (!buf)
        return errf_at(err, errlen, path, "out of memory decompressing");
    if (zr != Z_STREAM_END) {
        free(buf);
        if (zr == Z_MEM_ERROR + 100)
            return errf_at(err, errlen, path, "decompresses to more than fits in guest RAM (%llu bytes)",
                        (unsigned long long)max);
        if (zr == Z_DATA_ERROR + 100)
            return errf_at(err, errlen, path, "gzip data cut short");
        return errf_at(err, errlen, path, "bad gzip data (%s)", z.msg ? z.msg : "zlib error");
    }
    *out = buf;
    *outlen = done;
    return 0;
}

#define UIMAGE_MAGIC 0x27051956u
#define UIMAGE_HDR 64u
#define UIMAGE_ARCH_RISCV 26u
#define UIMAGE_TYPE_KERNEL 2u
#define UIMAGE_COMP_NONE 0u
#define UIMAGE_COMP_GZIP 1u

static bool is_uimage(const uint8_t *d, uint64_t n)
{
    return n >= UIMAGE_HDR && be32(d) == UIMAGE_MAGIC;
}

/* Raw bytes at addr. */
static int raw_load(struct bus *b, const uint8_t *data, uint64_t size, uint64_t addr, const char *path,
                    char *err, size_t errlen)
{
    if (size == 0)
        return errf_at(err, errlen, path, "file is empty");
    if (addr + size < addr || bus_dma_write(b, addr, data, size) < 0)
        return errf_at(err, errlen, path, "0x%llx bytes at 0x%llx do not fit in RAM",
                    (unsigned long long)size, (unsigned long long)addr);
    return 0;
}

static int elf_load_mem(struct bus *b, const uint8_t *data, uint64_t size, struct loaded_elf *out,
                        const char *path, char *err, size_t errlen)
{
    struct elf_file f = { .data = data, .size = size };
    struct loaded_elf res = { 0 };
    int rc = elf_parse_headers(&f, path, err, errlen);
    if (rc == 0)
        rc = elf_find_symbols(&f, &res, path, err, errlen);
    if (rc == 0)
        rc = elf_load(b, &f, &res, path, err, errlen);
    if (rc == 0)
        *out = res;
    return rc;
}

/* A U-Boot legacy image (include/image.h of U-Boot): a 64-byte big-endian
 * header with CRCs, then the payload for ih_load, entered at ih_ep. */
static int uimage_load(struct bus *b, const uint8_t *d, uint64_t n, uint64_t floor,
                       struct loaded_program *out, const char *path, char *err, size_t errlen)
{
    uint8_t h[UIMAGE_HDR];
    memcpy(h, d, sizeof h);
    uint32_t hcrc = be32(h + 4);
    memset(h + 4, 0, 4);
    if (crc32(0, h, sizeof h) != hcrc)
        return errf_at(err, errlen, path, "uImage header CRC mismatch");
    uint32_t size = be32(d + 12), load = be32(d + 16), ep = be32(d + 20), dcrc = be32(d + 24);
    unsigned arch = d[29], type = d[30], comp = d[31];
    if (arch != UIMAGE_ARCH_RISCV)
        return errf_at(err, errlen, path, "uImage for architecture %u, not RISC-V (%u)", arch,
                    UIMAGE_ARCH_RISCV);
    if (type != UIMAGE_TYPE_KERNEL)
        return errf_at(err, errlen, path, "uImage of type %u is not a kernel (%u)", type, UIMAGE_TYPE_KERNEL);
    if (size > n - UIMAGE_HDR)
        return errf_at(err, errlen, path, "uImage data of %u bytes, the file holds %llu", size,
                    (unsigned long long)(n - UIMAGE_HDR));
    if (crc32(0, d + UIMAGE_HDR, size) != dcrc)
        return errf_at(err, errlen, path, "uImage data CRC mismatch");
    if (comp != UIMAGE_COMP_NONE && comp != UIMAGE_COMP_GZIP)
        return errf_at(err, errlen, path, "uImage compression %u not supported (none or gzip)", comp);
    if (load < floor)
        return errf_at(err, errlen, path, "uImage load address 0x%x overlaps the firmware (up to 0x%llx)",
                    load, (unsigned long long)floor);
    const uint8_t *p = d + UIMAGE_HDR;
    uint64_t plen = size;
    uint8_t *unz = NULL;
    if (comp == UIMAGE_COMP_GZIP) {
        if (gunzip(p, plen, ram_room(b, load), &unz, &plen, path, err, errlen) < 0)
            return -1;
        p = unz;
    }
    uint64_t entry, end = load + plen;
    if (is_image(p, plen) && le64(p + 16) > plen && load + le64(p + 16) > load)
        end = load + le64(p + 16); /* the Image's bss */
    int rc;
    if (ep < load || ep >= end)
        rc = errf_at(err, errlen, path, "uImage entry point 0x%x is outside its image [0x%x, 0x%llx)", ep, load,
                  (unsigned long long)end);
    else if (is_image(p, plen))
        rc = image_load(b, p, plen, load, &entry, &end, path, err, errlen);
    else
        rc = raw_load(b, p, plen, load, path, err, errlen);
    free(unz);
    if (rc < 0)
        return -1;
    out->entry = ep;
    out->end = end;
    out->format = comp == UIMAGE_COMP_GZIP ? "uImage (gzip)" : "uImage";
    return 0;
}

int loader_program(struct bus *b, const char *path, uint64_t raw_addr, bool linux_image, uint64_t floor,
                   struct loaded_program *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    if (loader_is_elf(path)) {
        struct loaded_elf le;
        if (loader_elf(b, path, &le, err, errlen) < 0)
            return -1;
        out->entry = le.entry;
        out->end = le.end;
        out->tohost = le.tohost;
        out->fromhost = le.fromhost;
        out->format = "ELF";
        return 0;
    }
    /* Everything else must fit in RAM (a gzip file is smaller than that). */
    if (size > b->ram_size + UIMAGE_HDR)
        return errf_at(err, errlen, path, "%llu bytes do not fit in guest RAM (%llu MiB)",
                    (unsigned long long)size, (unsigned long long)(b->ram_size >> 20));
    uint8_t *data, *unz = NULL;
    if (read_whole(path, b->ram_size + UIMAGE_HDR, &data, &size, err, errlen) < 0)
        return -1;
    int rc = -1;
    const uint8_t *p = data;
    uint64_t n = size;
    if (is_uimage(p, n)) {
        rc = uimage_load(b, p, n, floor, out, path, err, errlen);
        goto done;
    }
    bool gz = is_gzip(p, n);
    if (gz) {
        if (gunzip(p, n, ram_room(b, raw_addr), &unz, &n, path, err, errlen) < 0)
            goto done;
        p = unz;
        if (n >= SELFMAG && !memcmp(p, ELFMAG, SELFMAG)) {
            struct loaded_elf le;
            rc = elf_load_mem(b, p, n, &le, path, err, errlen);
            if (rc == 0)
                *out = (struct loaded_program){ le.entry, le.end, le.tohost, le.fromhost, "ELF (gzip)" };
            goto done;
        }
    }
    if (linux_image && is_image(p, n)) {
        rc = image_load(b, p, n, raw_addr, &out->entry, &out->end, path, err, errlen);
        out->format = gz ? "Image (gzip)" : "Image";
        goto done;
    }
    rc = raw_load(b, p, n, raw_addr, path, err, errlen);
    out->entry = raw_addr;
    out->end = raw_addr + n;
    out->format = gz ? "raw (gzip)" : "raw";
done:
    free(unz);
    free(data);
    return rc;
}

int loader_bios_needs_kernel(const char *path)
{
    uint64_t size;
    int fd = open_regular(path, &size, NULL, 0);
    if (fd < 0)
        return 0;
    int rc = 0;
    uint8_t *buf = size < 2 * MIB ? malloc(size ? (size_t)size : 1) : NULL;
    if (buf && read_at(fd, buf, size, 0, path, NULL, 0) == 0)
        for (uint64_t i = 0; i + 7 <= size && !rc; i++)
            rc = buf[i] == 'O' && !memcmp(buf + i, "OpenSBI", 7);
    free(buf);
    close(fd);
    return rc;
}

/* ---- initrd, device tree ---- */

int loader_initrd(struct bus *b, const char *path, uint64_t kernel_end, uint64_t *start, uint64_t *end,
                  char *err, size_t errlen)
{
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    if (size == 0)
        return errf_at(err, errlen, path, "file is empty");
    uint64_t at = loader_initrd_addr(b->ram_base, b->ram_size, kernel_end, size);
    if (!at)
        return errf_at(err, errlen, path, "%llu bytes do not fit in guest RAM (%llu MiB) between the kernel and the device tree",
                    (unsigned long long)size, (unsigned long long)(b->ram_size >> 20));
    uint64_t got;
    if (loader_raw(b, path, at, &got, err, errlen) < 0)
        return -1;
    *start = at;
    *end = at + got;
    return 0;
}

int loader_dtb(const char *path, const char *bootargs, uint64_t initrd_start, uint64_t initrd_end,
               uint8_t **blob, size_t *len, char *err, size_t errlen)
{
    uint8_t *data;
    uint64_t size;
    int fd = open_regular(path, &size, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    if (size > LOADER_FDT_MAX)
        return errf_at(err, errlen, path, "%llu bytes, more than the %llu MiB a device tree may have",
                    (unsigned long long)size, LOADER_FDT_MAX >> 20);
    if (read_whole(path, LOADER_FDT_MAX, &data, &size, err, errlen) < 0)
        return -1;
    /* libfdt 1.6's fdt_check_full dereferences NULL on some blobs older
     * than version 17 (tests/fuzz/corpus/loader/dtb-v11-fdt_check_full-segv):
     * only version 17, what dtc and QEMU write, gets that far. */
    int r = size < sizeof(struct fdt_header) ? -FDT_ERR_TRUNCATED : fdt_check_header(data);
    if (r == 0 && fdt_version(data) < 17) {
        uint32_t v = fdt_version(data);
        free(data);
        return errf_at(err, errlen, path, "device tree blob version %u: rivet takes version 17 (what dtc writes)", v);
    }
    if (r == 0)
        r = fdt_check_full(data, (size_t)size);
    if (r < 0) {
        free(data);
        return errf_at(err, errlen, path, "not a valid device tree blob (%s)", fdt_strerror(r));
    }
    if (fdt_totalsize(data) > size) {
        free(data);
        return errf_at(err, errlen, path, "device tree blob cut short");
    }
    /* Room for /chosen and its properties. */
    size_t cap = (size_t)fdt_totalsize(data) + 1024 + (bootargs ? strlen(bootargs) : 0);
    uint8_t *out = cap <= LOADER_FDT_MAX ? malloc(cap) : NULL;
    r = out ? fdt_open_into(data, out, (int)cap) : -FDT_ERR_NOSPACE;
    free(data);
    int chosen = r < 0 ? r : fdt_path_offset(out, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND)
        chosen = fdt_add_subnode(out, 0, "chosen");
    r = chosen < 0 ? chosen : 0;
    if (r == 0 && bootargs)
        r = fdt_setprop_string(out, chosen, "bootargs", bootargs);
    if (r == 0 && initrd_end) {
        r = fdt_setprop_u64(out, chosen, "linux,initrd-start", initrd_start);
        if (r == 0)
            r = fdt_setprop_u64(out, chosen, "linux,initrd-end", initrd_end);
    }
    if (r == 0)
        r = fdt_pack(out);
    if (r < 0) {
        free(out);
        return errf_at(err, errlen, path, "cannot update /chosen (%s)", fdt_strerror(r));
    }
    *blob = out;
    *len = fdt_totalsize(out);
    return 0;
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
