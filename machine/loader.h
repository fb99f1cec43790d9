/* machine/loader.h: putting guest images into RAM before the first
 * instruction runs.
 *
 * Everything is written through the bus DMA helpers, so an image can only
 * land in guest RAM, and the code-write hook sees every byte. Every loader
 * checks the whole image (header fields against the file size, the target
 * range against RAM) before it writes anything, so a bad image leaves RAM
 * untouched (only an I/O error halfway through a raw or Image file, which
 * are read straight into RAM, leaves part of it written). Errors are user errors (a bad -kernel/-bios/-initrd file): the
 * functions return -1 and put one line, starting with the path, into err.
 */
#ifndef RIVET_LOADER_H
#define RIVET_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus;

struct loaded_elf {
    uint64_t entry;      /* physical: e_entry moved by its segment's paddr-vaddr */
    uint64_t low, end;   /* loaded physical range [low, end), bss included */
    uint64_t tohost;     /* physical address of the symbol, 0 if absent */
    uint64_t fromhost;
};

/* Every loader opens its file without blocking and refuses anything but a
 * regular file (a FIFO, a directory, /dev/zero), and every file has a size
 * bound: what is loaded must fit in guest RAM; an ELF file (which may also
 * carry debug info) is read whole only up to LOADER_ELF_FILE_MAX. */
#define LOADER_ELF_FILE_MAX (2ull << 30)

/* ELF64, little-endian, EM_RISCV, ET_EXEC. Every PT_LOAD segment goes to
 * its p_paddr: p_filesz bytes from the file, p_memsz - p_filesz zeroes.
 * The entry point and the tohost/fromhost symbols are virtual addresses in
 * the file; when they fall inside a PT_LOAD segment whose p_vaddr differs
 * from its p_paddr (a vmlinux), they are translated to physical. */
int loader_elf(struct bus *, const char *path, struct loaded_elf *out,
               char *err, size_t errlen);

/* 1 if the file starts with the ELF magic, 0 otherwise (also when it
 * cannot be read). */
int loader_is_elf(const char *path);

/* The whole file at addr. An empty file is an error. */
int loader_raw(struct bus *, const char *path, uint64_t addr, uint64_t *size_out,
               char *err, size_t errlen);

/* A RISC-V Linux "Image" (Documentation/riscv/boot-image-header.rst), loaded
 * at load_addr, which must be 2 MiB aligned (the rv64 kernel maps itself
 * with 2 MiB pages). The memory footprint is the header's image_size (it
 * covers the bss, so it is usually larger than the file; 0 means "use the
 * file size") and must lie in RAM from load_addr. *entry = load_addr,
 * *end = load_addr + footprint. A file whose header carries neither magic
 * is "not a RISC-V Linux Image" and returns -2 (the caller may then load
 * it raw); other errors, such as a truncated Image (checked against the
 * PE/COFF section table of an EFI-stub kernel), return -1. */
int loader_linux_image(struct bus *, const char *path, uint64_t load_addr,
                       uint64_t *entry, uint64_t *end, char *err, size_t errlen);

/* What -kernel or -bios holds, recognized by content:
 *   ELF                  loader_elf (plain or gzip-compressed)
 *   U-Boot uImage        legacy header (magic 0x27051956): CRCs checked,
 *                        arch RISC-V, type kernel, payload plain or gzip;
 *                        loaded at its ih_load (not below `floor`, the end
 *                        of the firmware), entered at ih_ep, as QEMU does
 *   gzip (1f 8b)         inflated with zlib (at most what fits in RAM from
 *                        raw_addr), then an ELF, Image or raw binary
 *   RISC-V Linux Image   (linux_image only) loader_linux_image's rules
 *   anything else        raw at raw_addr
 * format names what was found ("Image (gzip)", ...). */
struct loaded_program {
    uint64_t entry, end;         /* end: first byte past the footprint */
    uint64_t tohost, fromhost;   /* ELF symbols, 0 if absent */
    const char *format;
};
int loader_program(struct bus *, const char *path, uint64_t raw_addr, bool linux_image, uint64_t floor,
                   struct loaded_program *out, char *err, size_t errlen);

/* 1 when the firmware cannot boot anything by itself: an OpenSBI build
 * without a payload (fw_dynamic, fw_jump: the string "OpenSBI" in a file
 * under 2 MiB, where fw_payload puts its payload). Then -kernel is
 * required. 0 otherwise or when the file cannot be read. */
int loader_bios_needs_kernel(const char *path);

/* -initrd: a regular, non-empty file, placed by loader_initrd_addr above
 * kernel_end; [*start, *end) in RAM. */
int loader_initrd(struct bus *, const char *path, uint64_t kernel_end, uint64_t *start, uint64_t *end,
                  char *err, size_t errlen);

/* -dtb: a regular file of at most LOADER_FDT_MAX bytes that libfdt accepts
 * (fdt_check_full: header, sizes, structure), with /chosen (created when
 * missing) given bootargs (when not NULL) and linux,initrd-start/-end (when
 * initrd_end is not 0), as QEMU merges -append and -initrd into a -dtb.
 * *blob is malloc'ed, *len its packed size. */
int loader_dtb(const char *path, const char *bootargs, uint64_t initrd_start, uint64_t initrd_end,
               uint8_t **blob, size_t *len, char *err, size_t errlen);

/* Where the device tree blob goes, as QEMU places it: as high as possible
 * so that neither the kernel nor the initrd overwrite it, 2 MiB aligned,
 * and below 3 GiB when RAM starts below 3 GiB (a 32-bit kernel must reach
 * it). fdt_size must not exceed LOADER_FDT_MAX. */
#define LOADER_FDT_MAX (2ull << 20)
uint64_t loader_fdt_addr(uint64_t ram_base, uint64_t ram_size, uint64_t fdt_size);

/* Where the initrd goes: as high as possible, page aligned, ending at or
 * below the lowest address loader_fdt_addr() can return for any blob of up
 * to LOADER_FDT_MAX bytes. Far from the kernel means the kernel's early
 * allocations and its bss never meet it. Returns 0 when it does not fit
 * between kernel_end and that area. */
uint64_t loader_initrd_addr(uint64_t ram_base, uint64_t ram_size,
                            uint64_t kernel_end, uint64_t initrd_size);

/* OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h), rv64: six
 * unsigned longs. The firmware finds it through a2. */
#define FW_DYNAMIC_INFO_MAGIC   0x4942534full /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2ull
#define FW_DYNAMIC_INFO_SIZE    48u
#define FW_DYNAMIC_NEXT_MODE_U  0u
#define FW_DYNAMIC_NEXT_MODE_S  1u
#define FW_DYNAMIC_NEXT_MODE_M  3u
/* Writes magic, version 2, next_addr, next_mode, options 0 and boot_hart
 * at addr (8-byte aligned, in RAM). Returns 0 or -1. */
int loader_fw_dynamic_info(struct bus *, uint64_t addr, uint64_t next_addr,
                           unsigned next_mode, uint64_t boot_hart);

/* The reset vector every hart starts at (QEMU's MROM at 0x1000 does the
 * same): a0 = mhartid, a1 = fdt_addr, a2 = fw_dyn_addr, then jump to
 * start_addr. Position independent (auipc-relative data words), so it works
 * wherever the ROM is mapped, as long as that is 8-byte aligned. Writes
 * LOADER_RESET_ROM_SIZE bytes at rom and returns that size, or -1 when
 * romsize is too small. Bytes past it are left as they are. */
#define LOADER_RESET_ROM_SIZE 48u
int loader_reset_rom(uint8_t *rom, size_t romsize, uint64_t start_addr,
                     uint64_t fdt_addr, uint64_t fw_dyn_addr);

#endif
