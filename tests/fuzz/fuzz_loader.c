/* tests/fuzz/fuzz_loader.c: the image loaders on arbitrary files. The
 * input's first byte picks the loader (ELF, Linux Image at one of two load
 * addresses, raw, loader_program as -kernel and as -bios (ELF, uImage,
 * gzip, Image, raw), loader_dtb, loader_initrd); the rest is the file,
 * given to the loader through a memfd's /proc/self/fd path, as a user's
 * -kernel/-bios/-dtb/-initrd file would be. The bus has 4 MiB of RAM at
 * 0x80000000 and nothing else.
 *
 * Checked besides ASan/UBSan: a failing loader names the problem (err is
 * set) and, for the ELF, Image and program loaders, leaves RAM untouched
 * (they promise to check everything before writing); a successful one
 * reports a range inside RAM; a -dtb that loader_dtb accepts passes
 * fdt_check_full with the merged /chosen in it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libfdt.h>

#include "bus/bus.h"
#include "machine/loader.h"
#include "fuzz_input.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (4u << 20)

static void bug(const char *what, const char *err)
{
    fprintf(stderr, "fuzz_loader: %s (%s)\n", what, err);
    abort();
}

/* Every DMA write to RAM reaches the bus's code-write hook once every page
 * is marked as holding code: that is how "RAM untouched" is seen, without
 * scanning 4 MiB per run. */
static void on_write(void *ctx, uint64_t gpa, uint64_t len)
{
    *(bool *)ctx = true;
    if (gpa < RAM_BASE || len > RAM_SIZE || gpa - RAM_BASE > RAM_SIZE - len)
        bug("DMA write outside RAM", "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One memfd and one RAM buffer for every run (refilled). */
    static int fd = -1;
    static uint8_t *ram;
    if (fd < 0) {
        fd = memfd_create("fuzz_loader", 0);
        ram = malloc(RAM_SIZE);
        if (fd < 0 || !ram)
            abort();
    }
    if (size < 1)
        return 0;
    uint8_t which = data[0];
    if (ftruncate(fd, 0) || (size > 1 && pwrite(fd, data + 1, size - 1, 0) != (ssize_t)(size - 1)))
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    struct bus bus;
    bool written = false;
    bus_init(&bus);
    bus_map_ram(&bus, RAM_BASE, RAM_SIZE, "ram", ram);
    memset(bus.code_pages, 1, RAM_SIZE / BUS_PAGE_SIZE);
    bus.code_write = on_write;
    bus.code_write_ctx = &written;
    char err[256] = "";

    switch (which % 8) {
    case 0: {
        struct loaded_elf e;
        loader_is_elf(path);
        if (loader_elf(&bus, path, &e, err, sizeof err) == 0) {
            if (e.low < RAM_BASE || e.end > RAM_BASE + RAM_SIZE || e.low > e.end)
                bug("ELF loaded outside RAM", "");
        } else if (!err[0]) {
            bug("ELF refused without a message", err);
        } else if (written) {
            bug("a refused ELF wrote RAM", err);
        }
        break;
    }
    case 1:
    case 2: {
        uint64_t entry, end, at = RAM_BASE + (which % 4 == 2 ? (2u << 20) : 0);
        int r = loader_linux_image(&bus, path, at, &entry, &end, err, sizeof err);
        if (r == 0) {
            if (entry != at || end < at || end > RAM_BASE + RAM_SIZE)
                bug("Image loaded outside RAM", "");
        } else if (r == -1 && !err[0]) {
            bug("Image refused without a message", err);
        } else if (r == -2 && written) {
            bug("a file that is no Image wrote RAM", err);
        }
        break;
    }
    case 3: {
        uint64_t got, at = RAM_BASE + (size > 2 ? data[1] * 0x8000ull : 0);
        if (loader_raw(&bus, path, at, &got, err, sizeof err) == 0 && got != size - 1)
            bug("raw load of the wrong size", "");
        break;
    }
    case 4:
    case 5: {
        struct loaded_program lp;
        bool kernel = which % 8 == 4;
        uint64_t at = RAM_BASE + (kernel ? (2u << 20) : 0);
        if (loader_program(&bus, path, at, kernel, RAM_BASE + (1u << 20), &lp, err, sizeof err) == 0) {
            if (lp.end > RAM_BASE + RAM_SIZE || !lp.format)
                bug("program loaded outside RAM", lp.format ? lp.format : "no format");
        } else if (!err[0]) {
            bug("program refused without a message", err);
        } else if (written) {
            bug("a refused program wrote RAM", err);
        }
        break;
    }
    case 6: {
        uint8_t *blob;
        size_t len;
        const char *args = which & 8 ? "console=ttyS0 fuzz" : NULL;
        uint64_t is = which & 16 ? 0x80100000 : 0, ie = is ? is + 0x1000 : 0;
        if (loader_dtb(path, args, is, ie, &blob, &len, err, sizeof err) == 0) {
            if (len > LOADER_FDT_MAX || fdt_check_full(blob, len) != 0 || fdt_path_offset(blob, "/chosen") < 0)
                bug("an accepted -dtb is no valid tree after the merge", "");
            free(blob);
        } else if (!err[0]) {
            bug("-dtb refused without a message", err);
        }
        break;
    }
    case 7: {
        uint64_t s, e;
        if (loader_initrd(&bus, path, RAM_BASE + data[size > 1 ? 1 : 0] * 0x4000ull, &s, &e, err, sizeof err) == 0) {
            if (e - s != size - 1 || s < RAM_BASE || e > RAM_BASE + RAM_SIZE)
                bug("initrd placed wrong", "");
        } else if (!err[0]) {
            bug("initrd refused without a message", err);
        }
        break;
    }
    }
    bus_free(&bus);
    return 0;
}
