/*
 * trap.S: exceptions, interrupts and privilege transitions.
 *
 * Covers: ECALL from M/S/U (causes 11/9/8, mepc = the ecall, mtval = 0);
 * EBREAK (cause 3, mtval = pc or 0); illegal instructions (cause 2, mtval =
 * the instruction bits): a custom-0 opcode, an undefined OP funct7, MRET
 * in S and U, SRET in U, SRET in S with mstatus.TSR = 1, WFI in S with
 * mstatus.TW = 1; instruction access fault on a jump to an unmapped
 * physical address (cause 1, mtval = the address, mepc = the target);
 * load/store access faults on an unmapped address (causes 5 and 7, mtval =
 * the address); with C, JALR to an odd address only clears bit 0 (no
 * misaligned-fetch exception exists to test); delegation through medeleg:
 * exceptions from U and S land in S (scause/sepc/stval, sstatus.SPP,
 * SPIE = old SIE, SIE cleared) while the same exception in M stays in M;
 * MRET (MIE = MPIE, MPIE = 1, MPP = U, MPRV cleared when leaving M) and
 * SRET (SIE = SPIE, SPIE = 1, SPP = U); mtvec vectored mode (exceptions at
 * base, interrupt n at base + 4n); machine software interrupt through the
 * CLINT msip register (mcause (1<<63)|3, mip.MSIP follows msip); machine
 * timer through mtimecmp/mtime (mcause (1<<63)|7, mip.MTIP follows
 * mtime >= mtimecmp); M interrupts are taken in S-mode even with
 * mstatus.MIE = 0; a supervisor software interrupt delegated through
 * mideleg and raised by setting sip.SSIP reaches S with scause (1<<63)|1;
 * WFI returns when an enabled interrupt is pending even with mstatus.MIE
 * = 0 (and no trap is taken).
 *
 * QEMU 7.2 deviates: MRET to a less privileged mode leaves mstatus.MPRV
 * set (privileged spec 1.12 clears it).  Build with -DQEMU72_QUIRKS to
 * skip that check on QEMU.
 */
#include "test.h"

#define UNMAPPED 0xc0000000          /* between RAM end and high PCIe MMIO */

#define CHECK_TSTATUS(mask, val)  ld t5, trap_status; li t6, mask; and t5, t5, t6; CHECK(t5, val)
#define CHECK_STSTATUS(mask, val) ld t5, strap_status; li t6, mask; and t5, t5, t6; CHECK(t5, val)
#define INSN_BITS(label) la a0, label; lwu a1, 0(a0)

TEST_BEGIN
    /* ---- ecall from M, S, U */
    EXPECT_TRAP
1:  ecall
    CHECK_TRAP(CAUSE_ECALL_M)
    la a0, 1b
    CHECK_EPC_REG(a0)
    CHECK_TVAL(0)
    GOTO_SMODE(2f)
2:  EXPECT_TRAP_AT(3f)
    ecall
3:  CHECK_TRAP(CAUSE_ECALL_S)
    CHECK_TSTATUS(MSTATUS_MPP, PRV_S << 11)
    CHECK_TVAL(0)
    GOTO_UMODE(4f)
4:  EXPECT_TRAP_AT(5f)
6:  ecall
5:  CHECK_TRAP(CAUSE_ECALL_U)
    CHECK_TSTATUS(MSTATUS_MPP, PRV_U << 11)
    la a0, 6b
    CHECK_EPC_REG(a0)

    /* ---- ebreak */
    .option push
    .option norvc
    EXPECT_TRAP
7:  ebreak
    .option pop
    CHECK_TRAP(CAUSE_BREAKPOINT)
    la a0, 7b
    CHECK_EPC_REG(a0)
    ld a1, trap_tval
    beqz a1, 8f
    CHECK_REG(a1, a0)
8:

    /* ---- illegal instructions */
    EXPECT_TRAP
9:  .word 0x1234500b                      /* custom-0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0x1234500b)
    la a0, 9b
    CHECK_EPC_REG(a0)
    EXPECT_TRAP
    .word 0xfe000033                      /* OP, funct7 = 0x7f */
    CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_TVAL(0xfe000033)
    GOTO_SMODE(10f)
10: EXPECT_TRAP
11: mret
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(11b)
    CHECK_TVAL_REG(a1)
    BACK_TO_M(12f)
12: GOTO_UMODE(13f)
13: EXPECT_TRAP
    sret
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    mret
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(14f)
14: li a0, MSTATUS_TSR | MSTATUS_TW
    csrs mstatus, a0
    GOTO_SMODE(15f)
15: EXPECT_TRAP
    sret
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    wfi                                   /* nothing pending: must trap */
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(16f)
16: li a0, MSTATUS_TSR | MSTATUS_TW
    csrc mstatus, a0

    /* ---- access faults */
    li s0, UNMAPPED
    EXPECT_TRAP
    lw a0, 0(s0)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    CHECK_TVAL_REG(s0)
    EXPECT_TRAP
    sd a0, 8(s0)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    addi a1, s0, 8
    CHECK_TVAL_REG(a1)
    EXPECT_TRAP_RESUME(17f)
    jalr ra, 0(s0)
17: CHECK_TRAP(CAUSE_FETCH_ACCESS)
    CHECK_TVAL_REG(s0)
    CHECK_EPC_REG(s0)                     /* the target, not the jalr */
    /* jalr to an odd address clears bit 0 */
    la a0, 18f
    addi a0, a0, 1
    jalr a0
    FAIL_HERE
    .balign 4
18:

    /* ---- delegation to S-mode */
    li a0, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_BREAKPOINT)
    csrw medeleg, a0
    csrsi sstatus, MSTATUS_SIE            /* SPIE will capture it */
    GOTO_UMODE(19f)
19: SEXPECT_TRAP
20: .word 0x1234500b
    CHECK_STRAP(CAUSE_ILLEGAL)
    CHECK_STVAL(0x1234500b)
    la a0, 20b
    CHECK_SEPC_REG(a0)
    CHECK_STSTATUS(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE)
    SEXPECT_TRAP
    ecall
    CHECK_STRAP(CAUSE_ECALL_U)
    CHECK_STVAL(0)
    li t0, UNMAPPED                       /* ecall is delegated: leave U */
    EXPECT_TRAP_AT(21f)                   /* through an undelegated fault */
    lw t0, 0(t0)
21: CHECK_TRAP(CAUSE_LOAD_ACCESS)
22: li a0, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT)
    csrw medeleg, a0
    GOTO_SMODE(23f)
23: csrsi sstatus, MSTATUS_SIE
    SEXPECT_TRAP
    .option push
    .option norvc
24: ebreak
    .option pop
    CHECK_STRAP(CAUSE_BREAKPOINT)
    CHECK_STSTATUS(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE)
    la a0, 24b
    CHECK_SEPC_REG(a0)
    csrci sstatus, MSTATUS_SIE
    BACK_TO_M(25f)
25: EXPECT_TRAP                           /* M-mode traps are never delegated */
    .word 0x1234500b
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrw medeleg, zero

    /* ---- MRET */
    li a0, MSTATUS_MIE | MSTATUS_MPP
    csrc mstatus, a0
    li a0, MSTATUS_MPIE | (PRV_M << 11)
    csrs mstatus, a0
    la a0, 26f
    csrw mepc, a0
    mret                                  /* to M-mode itself */
26: csrr a0, mstatus
    li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, a1
    CHECK(a0, MSTATUS_MIE | MSTATUS_MPIE) /* MIE = 1, MPIE = 1, MPP = U */
    csrci mstatus, MSTATUS_MIE
    li a0, MSTATUS_MPRV | MSTATUS_MPIE
    csrs mstatus, a0
    GOTO_SMODE(27f)                       /* MPRV = 1, leaving M */
27: BACK_TO_M(28f)
28: CHECK_TSTATUS(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE, (PRV_S << 11) | MSTATUS_MPIE)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 keeps MPRV (a priv. spec 1.12 rule) */
    CHECK_TSTATUS(MSTATUS_MPRV, 0)
#endif
    li a0, MSTATUS_MPRV
    csrc mstatus, a0
    csrci mstatus, MSTATUS_MIE

    /* ---- SRET */
    GOTO_SMODE(29f)
29: li a0, MSTATUS_SPP | MSTATUS_SPIE
    csrs sstatus, a0
    csrci sstatus, MSTATUS_SIE
    la a0, 30f
    csrw sepc, a0
    sret                                  /* to S-mode itself */
30: csrr a0, sstatus
    andi a0, a0, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    CHECK(a0, MSTATUS_SPIE | MSTATUS_SIE) /* SIE = 1, SPIE = 1, SPP = U */
    csrci sstatus, MSTATUS_SIE
    la a0, 31f
    csrw sepc, a0
    sret                                  /* SPP = U now */
31: BACK_TO_M(32f)
32: CHECK_TRAP(CAUSE_ECALL_U)

    /* ---- machine software interrupt (vectored mtvec) */
    la a0, vectors
    ori a0, a0, 1
    csrw mtvec, a0
    csrr a1, mtvec
    CHECK_REG(a1, a0)                     /* vectored mode is supported */
    sd zero, vec_hit, t0
    li s0, CLINT_MSIP
    li a0, 1
    sw a0, 0(s0)
    csrr a1, mip
    andi a1, a1, 1 << 3
    CHECK(a1, 1 << 3)                     /* MSIP pending, MIE = 0 */
    csrsi mie, 1 << 3
    csrsi mstatus, MSTATUS_MIE
    li t0, 1000
33: addi t0, t0, -1                       /* taken within a few insns */
    bnez t0, 33b
    csrci mstatus, MSTATUS_MIE
    ld a0, vec_hit
    CHECK(a0, 3)
    ld a0, vec_cause
    CHECK(a0, CAUSE_INTR | 3)
    csrr a1, mip
    andi a1, a1, 1 << 3
    CHECK(a1, 0)                          /* handler cleared msip */
    /* an exception still goes to the base */
    EXPECT_TRAP
    ecall
    CHECK_TRAP(CAUSE_ECALL_M)

    /* ---- machine timer interrupt */
    sd zero, vec_hit, t0
    li s1, CLINT_MTIMECMP
    li s2, CLINT_MTIME
    ld a0, 0(s2)
    addi a0, a0, 1000                     /* 100 us */
    sd a0, 0(s1)
    li a0, 1 << 7
    csrs mie, a0
    csrsi mstatus, MSTATUS_MIE
    li t0, 50000000
34: ld a0, vec_hit
    bnez a0, 35f
    addi t0, t0, -1
    bnez t0, 34b
35: csrci mstatus, MSTATUS_MIE
    ld a0, vec_hit
    CHECK(a0, 7)
    ld a0, vec_cause
    CHECK(a0, CAUSE_INTR | 7)
    csrr a1, mip
    andi a1, a1, 1 << 7
    CHECK(a1, 0)                          /* mtimecmp pushed out */
    la a0, m_trap
    csrw mtvec, a0
    csrw mie, zero

    /* ---- M interrupts are enabled in S-mode regardless of MIE */
    li a0, 1
    sw a0, 0(s0)                          /* msip */
    csrsi mie, 1 << 3
    csrci mstatus, MSTATUS_MIE
    EXPECT_TRAP_AT(37f)
    GOTO_SMODE(36f)
36: j 36b                                 /* interrupted right away */
37: CHECK_TRAP(CAUSE_INTR | 3)
    CHECK_TSTATUS(MSTATUS_MPP, PRV_S << 11)
    sw zero, 0(s0)
    csrw mie, zero

    /* ---- delegated supervisor software interrupt */
    csrci mstatus, MSTATUS_SIE            /* the last sret set it */
    li a0, 1 << 1
    csrw mideleg, a0
    csrsi sie, 1 << 1
    csrsi mip, 1 << 1                     /* SSIP */
    GOTO_SMODE(38f)
38: SEXPECT_TRAP
    csrsi sstatus, MSTATUS_SIE
    li t0, 1000
39: addi t0, t0, -1
    bnez t0, 39b
    csrci sstatus, MSTATUS_SIE
    CHECK_STRAP(CAUSE_INTR | 1)
    CHECK_STSTATUS(MSTATUS_SPP, MSTATUS_SPP)
    csrci sip, 1 << 1
    csrr a0, sip
    CHECK(a0, 0)
    BACK_TO_M(40f)
40: csrw mideleg, zero
    csrw mie, zero

    /* ---- WFI wakes on a pending enabled interrupt with MIE = 0 */
    csrci mstatus, MSTATUS_MIE
    li a0, 1 << 7
    csrs mie, a0
    ld a0, 0(s2)
    li a1, 10000                          /* 1 ms */
    add a0, a0, a1
    sd a0, 0(s1)
    li t0, 100000
41: wfi                                   /* no trap: MIE = 0 */
    csrr a1, mip
    andi a1, a1, 1 << 7
    bnez a1, 42f
    addi t0, t0, -1
    bnez t0, 41b
42: CHECK(a1, 1 << 7)
    ld a0, 0(s2)
    ld a1, 0(s1)
    sltu a2, a0, a1
    CHECK(a2, 0)                          /* mtime >= mtimecmp */
    li a0, -1
    sd a0, 0(s1)
    csrw mie, zero
    csrr a1, mip
    andi a1, a1, 1 << 7
    CHECK(a1, 0)
TEST_END

/* mtvec vector table: exceptions -> m_trap, 3 -> MSI, 7 -> MTI */
    .text
    .option push
    .option norvc
    .balign 256
vectors:
    j m_trap
    j vec_bad
    j vec_bad
    j vec_msi
    j vec_bad
    j vec_bad
    j vec_bad
    j vec_mti
    j vec_bad
    j vec_bad
    j vec_bad
    j vec_bad
    .option pop

vec_msi:
    csrw mscratch, t0
    la t0, vec_save
    sd t1, 0(t0)
    li t0, CLINT_MSIP
    sw zero, 0(t0)                        /* acknowledge */
    li t1, 3
    j vec_common
vec_mti:
    csrw mscratch, t0
    la t0, vec_save
    sd t1, 0(t0)
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)                          /* acknowledge */
    li t1, 7
vec_common:
    la t0, vec_hit
    sd t1, 0(t0)
    csrr t1, mcause
    sd t1, 8(t0)
    ld t1, 16(t0)
    csrr t0, mscratch
    mret
vec_bad:                                  /* an interrupt nobody expects */
    li a0, CODE_UNEXPECTED_M
    csrr a1, mcause
    csrr a2, mepc
    csrr a3, mtval
    la a4, __msg_m
    j __report_unexpected

    .data
    .align 3
vec_hit:   .dword 0
vec_cause: .dword 0
vec_save:  .dword 0
