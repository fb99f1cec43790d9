/* cpu/riscv/aia.h: the hart's side of the Advanced Interrupt Architecture
 * (Smaia/Ssaia, AIA spec 1.0): the CSRs miselect/mireg, mtopei, mtopi,
 * mvien/mvip and siselect/sireg, stopei, stopi (aia.c, reached from csr.c
 * when the extension mask has SMAIA/SSAIA).
 *
 * The IMSIC interrupt files themselves belong to the board
 * (machine/imsic.c); the hart reaches the two files of its own (level 0 =
 * M, 1 = S) through these callbacks. A hart with Smaia but no IMSIC has the
 * CSRs; mireg/sireg of the IMSIC range (0x70..0xff) are illegal then and
 * mtopei/stopei read 0.
 *
 * The major interrupt priority array (iprio, selects 0x30..0x3f) is
 * read-only zero: interrupts are taken in the default order, and the IPRIO
 * field of mtopi/stopi reads 1 when an interrupt is reported.
 */
#ifndef RIVET_RV_AIA_H
#define RIVET_RV_AIA_H

#include <stdbool.h>
#include <stdint.h>

struct rv_hart;

struct rv_imsic_ops {
    /* Indirect register sel (0x70 eidelivery, 0x72 eithreshold, 0x80..0xbf
     * eip0..63, 0xc0..0xff eie0..63) of file `level`: 0, or -1 when it does
     * not exist (odd eipN/eieN on RV64, reserved selects). */
    int (*reg_read)(void *ctx, unsigned level, unsigned sel, uint64_t *val);
    int (*reg_write)(void *ctx, unsigned level, unsigned sel, uint64_t val);
    /* mtopei/stopei: (id << 16) | id of the highest-priority pending and
     * enabled identity under the threshold, or 0. */
    uint32_t (*topei)(void *ctx, unsigned level);
    /* A write of *topei: clears the pending bit of what topei reports. */
    void (*claim)(void *ctx, unsigned level);
};

#define RV_AIA_LEVEL_M 0u
#define RV_AIA_LEVEL_S 1u

/* The board gives each hart its interrupt files (NULL ops: none). */
void rv_hart_set_imsic(struct rv_hart *, const struct rv_imsic_ops *, void *ctx);

/* For csr.c: RV_AIA_NOT_MINE when csr is not an AIA CSR (or the extension
 * is off), else 0, -1 (illegal) or, for writes, 1 (end the block). */
#define RV_AIA_NOT_MINE 2
int rv_aia_csr_read(struct rv_hart *, unsigned csr, uint64_t *v);
int rv_aia_csr_write(struct rv_hart *, unsigned csr, uint64_t v);

#endif
