/*
 * aia.S: the AIA's MSIs end to end on -M virt,aia=aplic-imsic (isa-machine
 * line below; run.sh and scripts/run-isa.sh read it).
 * - Smaia CSRs: miselect/mireg reach hart 0's M-level IMSIC file
 *   (eidelivery, eithreshold, eie0/eip0), mtopei reads the lowest pending
 *   enabled identity and a write claims it, mtopi reports MEI; reserved
 *   selects and odd eip/eie are illegal.
 * - An MSI to itself: a store of an identity to its own file's setipnum_le
 *   (0x24000000) raises MEIP, the interrupt is taken (mcause 11) and the
 *   handler claims it through mtopei; two MSIs are taken lowest id first;
 *   ids 0 and 256 are ignored; eithreshold holds ids back.
 * - Through the APLIC (M domain at 0xc000000, MSI delivery): a detached
 *   source made pending with setipnum is forwarded as an MSI (target hart
 *   0, EIID 12) and taken the same way.
 * The APLIC's MSI address registers are preset (locked) in rivet; QEMU 7.2
 * leaves them to M-mode software, so there the last part fails (case 20).
 * isa-machine: virt,aia=aplic-imsic
 */
#include "test.h"

#define CSR_MISELECT 0x350
#define CSR_MIREG    0x351
#define CSR_MTOPEI   0x35c
#define CSR_MTOPI    0xfb0
#define IMSIC_M0     0x24000000
#define APLIC_M      0xc000000
#define MIE_MEIE     (1 << 11)

.macro IREG_W sel, val
    li t0, \sel
    csrw CSR_MISELECT, t0
    li t0, \val
    csrw CSR_MIREG, t0
.endm

.macro MSI id
    li t0, IMSIC_M0
    li t1, \id
    sw t1, 0(t0)
.endm

TEST_BEGIN
    csrw mie, zero
    /* ---- registers */
    IREG_W 0x70, 0x40000001      /* eidelivery: WARL, only bit 0 */
    csrr a0, CSR_MIREG
    CHECK(a0, 1)
    IREG_W 0x72, 0
    IREG_W 0xc0, -1              /* eie0: id 0 does not exist */
    csrr a0, CSR_MIREG
    CHECK(a0, -2)
    IREG_W 0xc0, (1 << 5) | (1 << 9) | (1 << 12)
    li t0, 0x71                  /* reserved select: illegal */
    csrw CSR_MISELECT, t0
    EXPECT_TRAP
    csrr a0, CSR_MIREG
    CHECK_TRAP(CAUSE_ILLEGAL)
    li t0, 0x81                  /* eip1: RV32 only */
    csrw CSR_MISELECT, t0
    EXPECT_TRAP
    csrr a0, CSR_MIREG
    CHECK_TRAP(CAUSE_ILLEGAL)

    /* ---- topei and its claim, without taking the interrupt */
    CHECK_CSR(CSR_MTOPEI, 0)
    MSI 0                        /* id 0 and past num-ids: ignored */
    MSI 256
    li t0, 0x80
    csrw CSR_MISELECT, t0
    csrr a0, CSR_MIREG
    CHECK(a0, 0)
    MSI 9
    csrr a0, CSR_MIREG
    CHECK(a0, 1 << 9)
    CHECK_CSR(CSR_MTOPEI, (9 << 16) | 9)
    li t1, MIE_MEIE
    csrr a0, mip
    and a0, a0, t1
    CHECK(a0, MIE_MEIE)          /* eidelivery 1: MEIP */
    csrw mie, t1
    csrr a0, CSR_MTOPI
    srli a0, a0, 16
    CHECK(a0, 11)                /* IID: MEI (IPRIO: 1 in rivet, 0 in QEMU 7.2) */
    csrw mie, zero
    IREG_W 0x72, 9               /* only ids below 9 */
    CHECK_CSR(CSR_MTOPEI, 0)
    csrr a0, mip
    li t1, MIE_MEIE
    and a0, a0, t1
    CHECK(a0, 0)
    IREG_W 0x72, 0
    csrrw a0, CSR_MTOPEI, zero   /* claim */
    CHECK(a0, (9 << 16) | 9)
    CHECK_CSR(CSR_MTOPEI, 0)

    /* ---- MSIs to itself, taken */
    la t0, irq_handler
    csrw mtvec, t0
    la s0, records
    MSI 9
    MSI 5
    li t0, MIE_MEIE
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    la t0, m_trap                /* the generic handler reports failures */
    csrw mtvec, t0
    la t0, records
    sub a0, s0, t0
    CHECK(a0, 32)                /* two interrupts */
    ld a0, 0(t0)
    CHECK(a0, CAUSE_INTR | 11)
    ld a0, 8(t0)
    CHECK(a0, (5 << 16) | 5)     /* lowest id first */
    ld a0, 16(t0)
    CHECK(a0, CAUSE_INTR | 11)
    ld a0, 24(t0)
    CHECK(a0, (9 << 16) | 9)

    /* ---- a wired source through the APLIC, delivered as an MSI */
    la t0, irq_handler
    csrw mtvec, t0
    la s0, records
    li t0, APLIC_M
    li t1, 1                     /* sourcecfg[3]: detached */
    sw t1, 12(t0)
    li t1, 12                    /* target[3]: hart 0, EIID 12 */
    li t2, APLIC_M + 0x3004 + 8
    sw t1, 0(t2)
    li t2, APLIC_M + 0x1edc      /* setienum */
    li t1, 3
    sw t1, 0(t2)
    li t1, 0x100                 /* domaincfg.IE */
    sw t1, 0(t0)
    li t2, APLIC_M + 0x1cdc      /* setipnum: pending, then forwarded */
    li t1, 3
    sw t1, 0(t2)
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la t0, m_trap
    csrw mtvec, t0
    la t0, records
    sub a0, s0, t0
    CHECK(a0, 16)
    ld a0, 0(t0)
    CHECK(a0, CAUSE_INTR | 11)
    ld a0, 8(t0)
    CHECK(a0, (12 << 16) | 12)
    li t2, APLIC_M + 0x1c00      /* setip: no longer pending */
    lw a0, 0(t2)
    CHECK(a0, 0)
TEST_END

/* Records mcause and the claimed mtopei at s0. */
.align 2
irq_handler:
    la t4, records_end
    bgeu s0, t4, 1f              /* too many: an interrupt that never clears */
    csrr t3, mcause
    sd t3, 0(s0)
    csrrw t3, CSR_MTOPEI, zero
    sd t3, 8(s0)
    addi s0, s0, 16
    mret
1:  csrw mie, zero
    mret

.data
.align 3
records: .fill 8, 8, 0
records_end:
