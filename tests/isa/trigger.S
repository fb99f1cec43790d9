/*
 * trigger.S: debug triggers (Sdtrig) of type 2 (mcontrol) and type 6
 * (mcontrol6) with action 0 (breakpoint exception).
 *
 * Covers, for both types: tinfo lists types 2 and 6; tselect selects
 * triggers 0 and 1; tdata1 keeps its type and the load/store/execute and
 * M/S/U bits; an execute trigger on code that already ran (so is already
 * decoded) fires in S-mode before the instruction (mcause 3, mepc = its
 * address, the instruction not executed), and not in a mode whose bit is
 * clear; an execute trigger fires in U-mode and in M-mode (with
 * mstatus.MIE = 1); a load trigger fires on a load of the address in
 * S-mode before the load (the destination keeps its value) after the
 * address was loaded without the trigger (so its page is in the TLB), and
 * not on a store; a store trigger fires in U-mode before the store (memory
 * unchanged) and not on a load; trigger 1 works like trigger 0; a trigger
 * with no execute/load/store bit does nothing.
 *
 * rivet (Sdtrig 1.0 without tcontrol): action-0 triggers do not fire in
 * M-mode while mstatus.MIE = 0. QEMU 7.2 fires them anyway, so that check
 * is left out with -DQEMU72_QUIRKS.
 */
#include "test.h"

#define T_LOAD  (1 << 0)
#define T_STORE (1 << 1)
#define T_EXEC  (1 << 2)
#define T_U     (1 << 3)
#define T_S     (1 << 4)
#define T_M     (1 << 6)
#define T_KEEP  (T_LOAD | T_STORE | T_EXEC | T_U | T_S | T_M)

/* Arm trigger idx with tdata2 = address of label, tdata1 = type | bits. */
.macro ARM idx, type, bits, label
    li t0, \idx
    csrw tselect, t0
    li t0, (\type << 60)
    csrw tdata1, t0            /* disarmed while tdata2 changes */
    la t0, \label
    csrw tdata2, t0
    li t0, (\type << 60) | (\bits)
    csrw tdata1, t0
.endm
.macro DISARM idx, type
    li t0, \idx
    csrw tselect, t0
    li t0, (\type << 60)
    csrw tdata1, t0
.endm

.macro TRIGGER_TESTS type
    /* ---- tdata1 keeps type and bits */
    li t0, 0
    csrw tselect, t0
    li t0, (\type << 60) | T_KEEP
    csrw tdata1, t0
    csrr t1, tdata1
    srli t2, t1, 60
    CHECK(t2, \type)
    andi t1, t1, T_KEEP
    CHECK(t1, T_KEEP)
    DISARM 0, \type

    /* ---- execute, S-mode, code already decoded */
    li a0, 0
    call func_\@            /* runs (and is decoded) without a trigger */
    CHECK(a0, 1)
    ARM 0, \type, T_EXEC | T_S, func_\@
    GOTO_SMODE(1f)
1:  EXPECT_TRAP_AT(2f)
    li a0, 0
    call func_\@
    FAIL_HERE
2:  CHECK_TRAP(CAUSE_BREAKPOINT)
    la t1, func_\@
    CHECK_EPC_REG(t1)
    CHECK(a0, 0)            /* the instruction did not execute */

    /* ---- the same trigger does not fire in U-mode (no U bit) */
    GOTO_UMODE(3f)
3:  li a0, 0
    call func_\@
    CHECK(a0, 1)
    BACK_TO_M(4f)
4:  CHECK_TRAP(CAUSE_ECALL_U)
    DISARM 0, \type

    /* ---- execute, U-mode, trigger 1 */
    ARM 1, \type, T_EXEC | T_U, 6f
    GOTO_UMODE(5f)
5:  EXPECT_TRAP_AT(7f)
    li a0, 0
6:  li a0, 1
    FAIL_HERE
7:  CHECK_TRAP(CAUSE_BREAKPOINT)
    la t1, 6b
    CHECK_EPC_REG(t1)
    CHECK(a0, 0)
    DISARM 1, \type

    /* ---- execute, M-mode with MIE = 1 (mie = 0: no interrupt) */
    ARM 0, \type, T_EXEC | T_M, func_m_\@
    csrw mie, zero
    li t0, MSTATUS_MIE
    csrs mstatus, t0
    EXPECT_TRAP_AT(10f)
    li a0, 0
    call func_m_\@
    FAIL_HERE
10: CHECK_TRAP(CAUSE_BREAKPOINT)
    la t1, func_m_\@
    CHECK_EPC_REG(t1)
    CHECK(a0, 0)
#ifndef QEMU72_QUIRKS
    /* with MIE = 0 it does not fire (the trap above cleared MIE) */
    li a0, 0
    call func_m_\@
    CHECK(a0, 1)
#endif
    DISARM 0, \type

    /* ---- load, S-mode, address already in the TLB */
    la a1, data_\@
    li t0, 0x1234
    sd t0, 0(a1)
    GOTO_SMODE(11f)
11: la a1, data_\@
    ld a0, 0(a1)
    CHECK(a0, 0x1234)
    BACK_TO_M(12f)
12: CHECK_TRAP(CAUSE_ECALL_S)
    ARM 0, \type, T_LOAD | T_S, data_\@
    GOTO_SMODE(13f)
13: la a1, data_\@
    li t0, 0x777
    sd t0, 0(a1)            /* a store does not fire a load trigger */
    EXPECT_TRAP_AT(15f)
    li a0, 0x55
14: ld a0, 0(a1)
    FAIL_HERE
15: CHECK_TRAP(CAUSE_BREAKPOINT)
    la t1, 14b
    CHECK_EPC_REG(t1)
    CHECK(a0, 0x55)         /* not loaded */
    DISARM 0, \type

    /* ---- store, U-mode, trigger 1 */
    ARM 1, \type, T_STORE | T_U, data_\@
    la a1, data_\@
    li t0, 0x1111
    sd t0, 0(a1)
    GOTO_UMODE(16f)
16: la a1, data_\@
    ld a2, 0(a1)            /* a load does not fire a store trigger */
    CHECK(a2, 0x1111)
    EXPECT_TRAP_AT(18f)
    li a0, 0x2222
17: sd a0, 0(a1)
    FAIL_HERE
18: CHECK_TRAP(CAUSE_BREAKPOINT)
    la t1, 17b
    CHECK_EPC_REG(t1)
    la a1, data_\@
    ld a2, 0(a1)
    CHECK(a2, 0x1111)       /* not stored */
    DISARM 1, \type

    /* ---- a trigger with no access bits does nothing */
    ARM 0, \type, T_S | T_U | T_M, data_\@
    la a1, data_\@
    ld a2, 0(a1)
    sd a2, 0(a1)
    DISARM 0, \type
    j 19f

func_\@:
    addi a0, a0, 1
    ret
func_m_\@:
    addi a0, a0, 1
    ret
    .pushsection .data
    .align 3
data_\@: .dword 0
    .popsection
19:
.endm

TEST_BEGIN
    /* ---- tinfo, tselect */
    csrr t1, tinfo
    andi t1, t1, (1 << 2) | (1 << 6)
    CHECK(t1, (1 << 2) | (1 << 6))
    csrw tselect, zero
    CHECK_CSR(tselect, 0)
    li t0, 1
    csrw tselect, t0
    CHECK_CSR(tselect, 1)

    TRIGGER_TESTS 2
    TRIGGER_TESTS 6
TEST_END
