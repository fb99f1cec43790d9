/*
 * sscofpmf.S: the event counters (Zihpm) and their overflow interrupt
 * (Sscofpmf, "Count Overflow and Mode-Based Filtering", version 1.0).
 * - mhpmevent3: OF, MINH, SINH, UINH writable; VSINH/VUINH (no H) and the
 *   reserved bits 57:56 read 0 (Sscofpmf "mhpmevent"; the selector is
 *   WARL, rivet keeps bits 55:0).
 * - scountovf (0xda0): the OF bits, each as mcounteren allows (Sscofpmf
 *   "scountovf": "in M and S modes, bit X is readable when mcounteren bit
 *   X is set, and otherwise reads as zero"); illegal in U-mode.
 * - Counting: event 2 (instructions) and 1 (cycles, = instructions here)
 *   count exactly; a write is the value the next instruction reads;
 *   mcountinhibit bit 3 stops mhpmcounter3; MINH stops it in M-mode only
 *   (the M-mode mret that enters U and the trap back are not counted).
 * - Overflow: the wrap from all ones to 0 sets OF and, when OF was clear,
 *   mip.LCOFIP (bit 13), taken in M after exactly the instruction that
 *   wrapped the counter (inside a chained two-instruction loop, and 250001
 *   instructions away, past a slice end); with OF already set a wrap
 *   raises nothing; LCOFIP is cleared by software.
 * - Delegated through mideleg bit 13, the interrupt reaches S-mode (scause
 *   = interrupt 13, at the exact instruction); S clears sip.LCOFIP.
 * QEMU 7.2 (-cpu rv64,sscofpmf=true) counts instructions with host ticks
 * without -icount and keeps every mhpmevent bit: -DQEMU72_QUIRKS skips the
 * exact counts, the exact interrupt positions, mode filtering, the WARL
 * read-back and the frozen value of an inhibited counter (QEMU reads it as
 * the value last written).
 *
 * Built with -DEXT_OFF (tests/guest/sv_ext_off.sh runs it with -cpu
 * rv64,sscofpmf=off): scountovf is illegal, mhpmevent's OF and xINH bits
 * read 0, mip/mie/mideleg bit 13 are read-only 0, and a wrap raises
 * nothing (the counters still count).
 */
#include "test.h"

#define CSR_SCOUNTOVF 0xda0
#define OF    (1 << 63)
#define MINH  (1 << 62)
#define SINH  (1 << 61)
#define UINH  (1 << 60)
#define LCOF  (1 << 13)
#define EV_CYCLES  1
#define EV_INSTRET 2

TEST_BEGIN
    csrw mcountinhibit, zero
    li t0, 8
    csrs mcounteren, t0

#ifndef EXT_OFF
    /* ---- mhpmevent3's bits, scountovf */
    CHECK_CSR(CSR_SCOUNTOVF, 0)
    li t0, -1
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    srli a1, a0, 60
    CHECK(a1, 0xf)                       /* OF MINH SINH UINH */
#ifndef QEMU72_QUIRKS
    CHECK(a0, 0xf0ffffffffffffff)        /* VSINH VUINH, 57:56 read 0 */
#endif
    CHECK_CSR(CSR_SCOUNTOVF, 8)          /* OF written by software */
    li t0, 8
    csrc mcounteren, t0
    CHECK_CSR(CSR_SCOUNTOVF, 0)          /* masked by mcounteren, in M too */
    csrs mcounteren, t0
    csrw mhpmevent3, zero
    CHECK_CSR(CSR_SCOUNTOVF, 0)
    li t0, LCOF
    csrs mideleg, t0
    csrr a0, mideleg
    and a0, a0, t0
    CHECK(a0, LCOF)
    csrc mideleg, t0
    csrs mie, t0
    csrr a0, mie
    and a0, a0, t0
    CHECK(a0, LCOF)
    csrc mie, t0
    csrs mip, t0                         /* LCOFIP is software-writable */
    csrr a0, mip
    and a0, a0, t0
    CHECK(a0, LCOF)
    csrc mip, t0
    csrr a0, mip
    and a0, a0, t0
    CHECK(a0, 0)
    /* U-mode: scountovf is an S-level CSR */
    EXPECT_TRAP_AT(2f)
    GOTO_UMODE(1f)
1:  csrr a0, CSR_SCOUNTOVF
    FAIL_HERE
2:  CHECK_TRAP(CAUSE_ILLEGAL)
#else
    /* ---- Sscofpmf off */
    EXPECT_TRAP
    csrr a0, CSR_SCOUNTOVF
    CHECK_TRAP(CAUSE_ILLEGAL)
    li t0, -1
    csrw mhpmevent3, t0
    csrr a0, mhpmevent3
    CHECK(a0, 0x00ffffffffffffff)        /* no OF, no xINH */
    li t0, LCOF
    csrs mip, t0
    csrs mie, t0
    csrs mideleg, t0
    csrr a0, mip
    csrr a1, mie
    or a0, a0, a1
    csrr a1, mideleg
    or a0, a0, a1
    and a0, a0, t0
    CHECK(a0, 0)
#endif

    /* ---- counting: instructions and cycles */
    li t0, EV_INSTRET
    csrw mhpmevent3, t0
    li t0, EV_CYCLES
    csrw mhpmevent4, t0
    csrw mhpmcounter4, zero
    csrw mhpmcounter3, zero
    nop
    nop
    nop
    nop
    nop
    csrr a0, mhpmcounter3
    csrr a1, hpmcounter3
    csrr a2, mhpmcounter4
#ifndef QEMU72_QUIRKS
    CHECK(a0, 5)
    CHECK(a1, 6)
    CHECK(a2, 8)
#endif
    li t0, 8
    csrs mcountinhibit, t0               /* inhibited: mhpmcounter3 stands */
    csrr a0, mhpmcounter3
    nop
    nop
    csrr a1, mhpmcounter3
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 reads an inhibited counter as its last written value */
    CHECK_REG(a0, a1)
#endif
    li t0, 8
    csrc mcountinhibit, t0
    li t0, 12345
    csrw mhpmcounter5, t0                /* no event: a written value stays */
    nop
    csrr a0, mhpmcounter5
    CHECK(a0, 12345)

#if !defined(EXT_OFF) && !defined(QEMU72_QUIRKS)
    /* ---- MINH: counts in U only */
    li t0, EV_INSTRET | MINH
    csrw mhpmevent3, t0
    csrw mhpmcounter3, zero
    nop
    nop
    csrr a0, mhpmcounter3
    CHECK(a0, 0)
    EXPECT_TRAP_AT(2f)
    GOTO_UMODE(1f)
1:  nop
    nop
    nop
    ecall
2:  csrr a0, mhpmcounter3
    CHECK(a0, 3)
    CHECK_TRAP(CAUSE_ECALL_U)
    li t0, EV_INSTRET | UINH             /* and UINH: in M only */
    csrw mhpmevent3, t0
    csrw mhpmcounter3, zero
    EXPECT_TRAP_AT(2f)
    GOTO_UMODE(1f)
1:  nop
    nop
    ecall
2:  csrr a0, mhpmcounter3
    /* M: li, csrc, li, csrs, la (2), csrw, mret = 8 (and EXPECT_TRAP_AT's
     * stores before them, and the trap handler's instructions after) */
    sltiu a1, a0, 8
    CHECK(a1, 0)
    CHECK_TRAP(CAUSE_ECALL_U)
#endif

#ifndef EXT_OFF
    /* ---- overflow in M: interrupt after exactly the wrapping instruction */
    la t0, lcof_m
    csrw mtvec, t0
    li t0, LCOF
    csrs mie, t0
    li t0, EV_INSTRET
    csrw mhpmevent3, t0                  /* OF clear */
    li a0, 0
    li a1, 10000000
    csrsi mstatus, MSTATUS_MIE
    li t0, -1001
    csrw mhpmcounter3, t0                /* the next instruction reads -1001 */
3:  addi a0, a0, 1                       /* instruction 1, 3, ... 1001 */
4:  blt a0, a1, 3b
    csrci mstatus, MSTATUS_MIE
    la t0, m_trap
    csrw mtvec, t0
    ld a0, rec_cause
    CHECK(a0, CAUSE_INTR | 13)
    ld a0, rec_ovf
    CHECK(a0, 8)
    ld a0, rec_mip
    li t0, LCOF
    and a0, a0, t0
    CHECK(a0, LCOF)
#ifndef QEMU72_QUIRKS
    ld a0, rec_a0
    CHECK(a0, 501)
    ld a0, rec_epc
    la t0, 4b
    CHECK_REG(a0, t0)
#endif
    csrr a0, mhpmevent3
    srli a0, a0, 63
    CHECK(a0, 1)                         /* OF set */
    csrr a0, mip
    li t0, LCOF
    and a0, a0, t0
    CHECK(a0, LCOF)                      /* pending until software clears it */
    csrc mip, t0
    csrr a0, mip
    and a0, a0, t0
    CHECK(a0, 0)

    /* ---- OF already set: a wrap raises nothing */
    la t0, lcof_m
    csrw mtvec, t0
    li t0, LCOF
    csrs mie, t0
    sd zero, rec_cause, t0
    li a0, 0
    li a1, 100000
    csrsi mstatus, MSTATUS_MIE
    li t0, -1001
    csrw mhpmcounter3, t0
3:  addi a0, a0, 1
    blt a0, a1, 3b
    csrci mstatus, MSTATUS_MIE
    la t0, m_trap
    csrw mtvec, t0
    ld a0, rec_cause
    CHECK(a0, 0)
    csrr a0, mip
    li t0, LCOF
    and a0, a0, t0
    CHECK(a0, 0)
#ifndef QEMU72_QUIRKS
    csrr a0, mhpmcounter3                /* it wrapped all the same */
    li t1, 200000
    sltu a0, a0, t1
    CHECK(a0, 1)
#endif

    /* ---- OF clear again: a wrap 250001 instructions away */
    la t0, lcof_m
    csrw mtvec, t0
    li t0, LCOF
    csrs mie, t0
    li t0, EV_INSTRET
    csrw mhpmevent3, t0
    li a0, 0
    li a1, 100000000
    csrsi mstatus, MSTATUS_MIE
    li t0, -250001
    csrw mhpmcounter3, t0
3:  addi a0, a0, 1
4:  blt a0, a1, 3b
    csrci mstatus, MSTATUS_MIE
    la t0, m_trap
    csrw mtvec, t0
    ld a0, rec_cause
    CHECK(a0, CAUSE_INTR | 13)
#ifndef QEMU72_QUIRKS
    ld a0, rec_a0
    CHECK(a0, 125001)
    ld a0, rec_epc
    la t0, 4b
    CHECK_REG(a0, t0)
#endif
    li t0, LCOF
    csrc mip, t0

    /* ---- delegated: the interrupt in S-mode */
    li t0, EV_INSTRET | MINH             /* counts in S only */
    csrw mhpmevent3, t0
    la t0, lcof_s
    csrw stvec, t0
    li t0, LCOF
    csrs mideleg, t0
    csrs mie, t0
    li a0, 0
    li a1, 100000000
    li t0, -101
    csrw mhpmcounter3, t0
    EXPECT_TRAP_AT(2f)
    GOTO_SMODE(1f)
1:  csrsi sstatus, MSTATUS_SIE           /* S instruction 1 */
3:  addi a0, a0, 1                       /* 2, 4, ... */
    blt a0, a1, 3b                       /* 3, 5, ... 101 */
    csrci sstatus, MSTATUS_SIE
    ecall
2:  CHECK_TRAP(CAUSE_ECALL_S)
    la t0, s_trap
    csrw stvec, t0
    ld a0, rec_cause
    CHECK(a0, CAUSE_INTR | 13)
    ld a0, rec_ovf
    CHECK(a0, 8)
#ifndef QEMU72_QUIRKS
    ld a0, rec_a0
    CHECK(a0, 50)
    ld a0, rec_epc
    la t0, 3b
    CHECK_REG(a0, t0)
#endif
    csrr a0, mip
    li t0, LCOF
    and a0, a0, t0
    CHECK(a0, 0)                         /* S cleared sip.LCOFIP */
    csrc mideleg, t0
    csrc mie, t0
#else
    /* ---- Sscofpmf off: a wrap raises nothing */
    li t0, EV_INSTRET
    csrw mhpmevent3, t0
    li t0, -10
    csrw mhpmcounter3, t0
    .rept 20
    nop
    .endr
    csrr a0, mhpmcounter3
    CHECK(a0, 10)
    csrr a0, mip
    li t0, LCOF
    and a0, a0, t0
    CHECK(a0, 0)
#endif
    csrw mhpmevent3, zero
    csrw mhpmevent4, zero
TEST_END

    .align 8
lcof_m:                                  /* records, masks LCOFIE, ends the loop */
    csrr t0, mcause
    sd t0, rec_cause, t1
    csrr t0, mepc
    sd t0, rec_epc, t1
    sd a0, rec_a0, t1
    csrr t0, CSR_SCOUNTOVF
    sd t0, rec_ovf, t1
    csrr t0, mip
    sd t0, rec_mip, t1
    li t0, LCOF
    csrc mie, t0
    li a1, 0
    mret

    .align 8
lcof_s:
    csrr t0, scause
    sd t0, rec_cause, t1
    csrr t0, sepc
    sd t0, rec_epc, t1
    sd a0, rec_a0, t1
    csrr t0, CSR_SCOUNTOVF
    sd t0, rec_ovf, t1
    li t0, LCOF
    csrc sip, t0
    li a1, 0
    sret

    .data
    .align 3
rec_cause: .dword 0
rec_epc:   .dword 0
rec_a0:    .dword 0
rec_ovf:   .dword 0
rec_mip:   .dword 0
