/*
 * irq.S: interrupt priority and the Sstc timer.
 * - Four interrupts pending at once (MSI and MTI from the CLINT, SSI and
 *   STI written into mip by software, none delegated) are taken one after
 *   another in the privileged spec's priority order: MSI, MTI, SSI, STI.
 * - Sstc: with menvcfg.STCE set, mip.STIP follows time >= stimecmp and
 *   ignores software writes; a delegated supervisor timer interrupt armed
 *   through stimecmp in S-mode arrives in S-mode with scause = STI.
 * Uses its own trap vectors (the generic ones treat interrupts as errors).
 * QEMU 7.2 takes the four pending interrupts lowest number first (SSI, MSI,
 * STI, MTI), against the spec: this test fails there at case 1.
 */
#include "test.h"

#define CSR_MENVCFG  0x30a
#define CSR_STIMECMP 0x14d

TEST_BEGIN
    la t0, irq_m_handler
    csrw mtvec, t0
    la s0, records              /* the handler appends mcause values at s0 */

    /* ---- priority: pend four interrupts with MIE off, then enable */
    li t1, CLINT_MSIP
    li t0, 1
    sw t0, 0(t1)                /* MSIP */
    li t1, CLINT_MTIMECMP
    sd zero, 0(t1)              /* MTIP: mtime >= 0 */
    li t0, (1 << 1) | (1 << 5)
    csrs mip, t0                /* SSIP, STIP */
    li t0, (1 << 1) | (1 << 3) | (1 << 5) | (1 << 7)
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la t0, m_trap               /* the generic handler reports failures */
    csrw mtvec, t0
    la t0, records
    ld a0, 0(t0)
    CHECK(a0, CAUSE_INTR | 3)
    ld a0, 8(t0)
    CHECK(a0, CAUSE_INTR | 7)
    ld a0, 16(t0)
    CHECK(a0, CAUSE_INTR | 1)
    ld a0, 24(t0)
    CHECK(a0, CAUSE_INTR | 5)
    la t0, records
    sub a0, s0, t0
    CHECK(a0, 32)               /* exactly four, each taken once */
    la t0, irq_m_handler
    csrw mtvec, t0

    /* ---- Sstc in M-mode: STIP follows stimecmp */
    li t0, 1
    slli t0, t0, 63
    csrs CSR_MENVCFG, t0
    csrr a0, CSR_MENVCFG
    srli a0, a0, 63
    CHECK(a0, 1)
    csrw CSR_STIMECMP, zero
    csrr a0, mip
    andi a0, a0, 32
    CHECK(a0, 32)
    li t0, -1
    csrw CSR_STIMECMP, t0
    csrr a0, mip
    andi a0, a0, 32
    CHECK(a0, 0)
    li t0, 32
    csrs mip, t0                /* read-only while STCE = 1 */
    csrr a0, mip
    andi a0, a0, 32
    CHECK(a0, 0)

    /* ---- a delegated STI armed from S-mode */
    li t0, 1 << 5
    csrw mideleg, t0
    csrs mie, t0
    la t0, irq_s_handler
    csrw stvec, t0
    li t0, 2
    csrw mcounteren, t0         /* TM: S may read time and use stimecmp */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, PRV_S << 11
    csrs mstatus, t0
    la t0, s_code
    csrw mepc, t0
    mret

s_code:
    csrsi sstatus, MSTATUS_SIE
    csrr t0, time
    addi t0, t0, 50
    csrw CSR_STIMECMP, t0
    li t1, 10000000
1:  ld t2, s_flag
    bnez t2, 2f
    addi t1, t1, -1
    bnez t1, 1b
2:  ecall                       /* back to M (handled below) */

back_in_m:
    la t0, m_trap
    csrw mtvec, t0
    la t0, s_trap
    csrw stvec, t0
    ld a0, s_cause
    CHECK(a0, CAUSE_INTR | 5)
    ld a0, s_flag
    CHECK(a0, 1)
    csrw mideleg, zero
    csrw mie, zero
TEST_END

    .align 4
irq_m_handler:
    csrr t3, mcause
    la t4, records_end
    bgeu s0, t4, 8f             /* too many: a level that never clears */
    sd t3, 0(s0)
    addi s0, s0, 8
    li t4, 9                    /* ecall from S: the S-mode part is over */
    beq t3, t4, 7f
    slli t4, t3, 1
    srli t4, t4, 1
    li t5, 3
    bne t4, t5, 1f
    li t5, CLINT_MSIP
    sw zero, 0(t5)
    mret
1:  li t5, 7
    bne t4, t5, 2f
    li t5, CLINT_MTIMECMP
    li t6, -1
    sd t6, 0(t5)
    mret
2:  li t5, 1
    bne t4, t5, 3f
    csrci mip, 2
    mret
3:  li t5, 5
    bne t4, t5, 8f
    li t5, 32
    csrc mip, t5
    mret
7:  la t5, back_in_m            /* continue in M-mode */
    csrw mepc, t5
    li t5, MSTATUS_MPP
    csrs mstatus, t5
    mret
8:  csrw mie, zero              /* unexpected: stop all interrupts */
    mret

    .align 4
irq_s_handler:
    csrr t3, scause
    la t4, s_cause
    sd t3, 0(t4)
    li t3, -1
    csrw CSR_STIMECMP, t3
    li t3, 1
    la t4, s_flag
    sd t3, 0(t4)
    sret

    .data
    .align 3
records: .fill 8, 8, 0
records_end:
s_cause: .dword 0
s_flag:  .dword 0
