/*
 * aplic.S: the APLIC's direct delivery on -M virt,aia=aplic (isa-machine
 * line below), M domain at 0xc000000, hart 0's IDC:
 * - a detached source made pending through setipnum and a wired level
 *   source (the UART's THR-empty interrupt, source 10) are taken as MEI
 *   (mcause 11) and claimed through claimi, the better priority (lower
 *   number) first; claimi returns (source << 16) | priority;
 * - ithreshold holds a priority back; iforce raises MEIP with nothing
 *   pending and claimi then returns 0;
 * - without an IMSIC the harts have no Smaia: mtopi is illegal.
 * QEMU 7.2 reports another source in topi here (case 2): its AIA is not a
 * reference (docs/aia.md).
 * isa-machine: virt,aia=aplic
 */
#include "test.h"

#define APLIC_M      0xc000000
#define SOURCECFG(s) (APLIC_M + 4 * (s))
#define TARGET(s)    (APLIC_M + 0x3000 + 4 * (s))
#define SETIPNUM     (APLIC_M + 0x1cdc)
#define SETIENUM     (APLIC_M + 0x1edc)
#define IDC0         (APLIC_M + 0x4000)
#define MIE_MEIE     (1 << 11)
#define UART_IER     (UART_BASE + 1)

.macro W32 addr, val
    li t0, \addr
    li t1, \val
    sw t1, 0(t0)
.endm

TEST_BEGIN
    csrw mie, zero
    EXPECT_TRAP
    csrr a0, 0xfb0               /* mtopi: no Smaia on this board */
    CHECK_TRAP(CAUSE_ILLEGAL)

    W32 SOURCECFG(3), 1          /* detached */
    W32 TARGET(3), 5             /* hart 0, priority 5 */
    W32 SOURCECFG(10), 6         /* the UART: level high */
    W32 TARGET(10), 2            /* priority 2 */
    W32 SETIENUM, 3
    W32 SETIENUM, 10
    W32 APLIC_M, 0x100           /* domaincfg.IE */
    W32 IDC0 + 0, 1              /* idelivery */
    W32 IDC0 + 8, 0              /* ithreshold */
    W32 SETIPNUM, 3
    li t0, UART_IER              /* THR empty: the UART's line rises */
    li t1, 2
    sb t1, 0(t0)
    li t0, IDC0 + 0x18           /* topi: the UART, priority 2 */
    lw a0, 0(t0)
    CHECK(a0, (10 << 16) | 2)
    W32 IDC0 + 8, 2              /* threshold 2: only priority 1 */
    li t0, IDC0 + 0x18
    lw a0, 0(t0)
    CHECK(a0, 0)
    csrr a0, mip
    li t1, MIE_MEIE
    and a0, a0, t1
    CHECK(a0, 0)
    W32 IDC0 + 8, 0

    la t0, irq_handler
    csrw mtvec, t0
    la s0, records
    li t0, MIE_MEIE
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    la t0, m_trap
    csrw mtvec, t0
    la t0, records
    sub a0, s0, t0
    CHECK(a0, 32)
    ld a0, 0(t0)
    CHECK(a0, CAUSE_INTR | 11)
    ld a0, 8(t0)
    CHECK(a0, (10 << 16) | 2)
    ld a0, 16(t0)
    CHECK(a0, CAUSE_INTR | 11)
    ld a0, 24(t0)
    CHECK(a0, (3 << 16) | 5)

    /* iforce: MEIP with nothing pending; claimi returns 0 and clears it */
    la t0, irq_handler
    csrw mtvec, t0
    la s0, records
    W32 IDC0 + 4, 1
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la t0, m_trap
    csrw mtvec, t0
    la t0, records
    sub a0, s0, t0
    CHECK(a0, 16)
    ld a0, 8(t0)
    CHECK(a0, 0)
    li t0, IDC0 + 4
    lw a0, 0(t0)
    CHECK(a0, 0)
TEST_END

/* Records mcause and claimi at s0; a claimed UART interrupt is quieted. */
.align 2
irq_handler:
    la t4, records_end
    bgeu s0, t4, 1f
    csrr t3, mcause
    sd t3, 0(s0)
    li t4, IDC0 + 0x1c
    lw t3, 0(t4)
    sd t3, 8(s0)
    addi s0, s0, 16
    srli t3, t3, 16
    li t4, 10
    bne t3, t4, 2f
    li t4, UART_IER
    sb zero, 0(t4)
2:  mret
1:  csrw mie, zero
    mret

.data
.align 3
records: .fill 8, 8, 0
records_end:
