/*
 * Shared scaffolding for the bare-metal ISA tests (tests/isa/*.S).
 *
 * A test file looks like:
 *
 *     #include "test.h"
 *     TEST_BEGIN
 *         li a0, 1
 *         CHECK(a0, 1)
 *     TEST_END
 *
 * Conventions (see README.md):
 * - _start (here) runs in M-mode on hart 0, sets a stack, opens PMP entry 0
 *   over the whole address space (so S/U-mode may touch memory), sets
 *   mstatus.FS = Initial, installs m_trap as mtvec and s_trap as stvec,
 *   zeroes .bss and jumps to test_main.  Other harts park in WFI.
 * - t6 (x31) is the checking scratch register: CHECK() overwrites it.
 * - Every CHECK gets the next case number (1, 2, ...).  A failing check
 *   prints one line "FAIL <file> case N (line L): got 0x.. expected 0x.."
 *   on the UART and exits through the SiFive test finisher with exit code N.
 *   Exit code 251 = unexpected M-mode trap, 252 = unexpected S-mode trap.
 * - A failing check in S/U-mode reports through `ecall` with a7 = FAIL_MAGIC;
 *   the M-mode handler recognises that and reports from M-mode, so a check
 *   may fail anywhere, even where the UART is not mapped.
 * - Expected traps: EXPECT_TRAP arms m_trap for exactly one trap; it records
 *   mcause/mepc/mtval/mstatus in trap_cause/... and resumes after the
 *   trapping instruction (interrupts: resumes at mepc and masks that bit in
 *   mie).  EXPECT_TRAP_AT(label) resumes at label in M-mode with MIE = 0
 *   instead (the way back from S/U-mode); EXPECT_TRAP_RESUME(label)
 *   resumes at label in the trapping mode.  CHECK_TRAP(cause) then
 *   compares the recorded mcause and disarms.  The S-mode twins are
 *   SEXPECT_TRAP... / s_trap.
 */
#ifndef ISA_TEST_H
#define ISA_TEST_H

#define UART_BASE      0x10000000
#define FINISHER_BASE  0x100000
#define FINISHER_PASS  0x5555
#define FINISHER_FAIL  0x3333
#define CLINT_BASE     0x2000000
#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8

#define FAIL_MAGIC     0xfa11
#define CODE_UNEXPECTED_M 251
#define CODE_UNEXPECTED_S 252
#define MAX_CASES      250

/* mstatus fields */
#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MSTATUS_SD    (1 << 63)

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* exception causes */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define CAUSE_INTR             (1 << 63)

/* ---------------------------------------------------------------- checks */

/* reg == 64-bit constant */
#define CHECK(reg, val)        li t6, val; CHECK_REGS_ reg, t6, __LINE__
/* reg == reg2 (neither may be t6 unless it is the second) */
#define CHECK_REG(reg, reg2)   CHECK_REGS_ reg, reg2, __LINE__
/* raw 64 bits of an FP register */
#define CHECK_FD(freg, val)    fmv.x.d t5, freg; CHECK(t5, val)
/* low 32 bits of an FP register (fmv.x.w sign-extends them) */
#define CHECK_FS(freg, val)    fmv.x.w t5, freg; li t6, val; sext.w t6, t6; CHECK_REGS_ t5, t6, __LINE__
/* accrued exception flags, then clear them */
#define CHECK_FFLAGS(val)      csrrw t5, fflags, zero; CHECK(t5, val)
/* the same, as a second check of the current case (same exit code) */
#define CHECK_FFLAGS_SAME(val) csrrw t5, fflags, zero; li t6, val; CHECK_REGS_ t5, t6, __LINE__, 0
/* CSR value */
#define CHECK_CSR(csr, val)    csrr t5, csr; CHECK(t5, val)
/* the trap armed by EXPECT_TRAP happened with this mcause */
#define CHECK_TRAP(cause)      CHECK_TRAP_ cause, __LINE__
#define CHECK_STRAP(cause)     CHECK_STRAP_ cause, __LINE__
/* recorded mtval / mepc of the last expected trap */
#define CHECK_TVAL(val)        ld t5, trap_tval; CHECK(t5, val)
#define CHECK_EPC(val)         ld t5, trap_epc; CHECK(t5, val)
#define CHECK_STVAL(val)       ld t5, strap_tval; CHECK(t5, val)
#define CHECK_TVAL_REG(reg)    ld t5, trap_tval; CHECK_REG(t5, reg)
#define CHECK_EPC_REG(reg)     ld t5, trap_epc; CHECK_REG(t5, reg)
#define CHECK_STVAL_REG(reg)   ld t5, strap_tval; CHECK_REG(t5, reg)
#define CHECK_SEPC_REG(reg)    ld t5, strap_epc; CHECK_REG(t5, reg)
#define CHECK_SEPC(val)        ld t5, strap_epc; CHECK(t5, val)
/* unconditional failure with a case number (e.g. a branch went wrong) */
#define FAIL_HERE              FAIL_HERE_ __LINE__

/* one-instruction tests: operands in a0/a1 (fa0/fa1), result in a2 (fa2) */
#define TEST_RR(insn, a, b, res)   li a0, a; li a1, b; insn a2, a0, a1; CHECK(a2, res)
#define TEST_RI(insn, a, imm, res) li a0, a; insn a2, a0, imm; CHECK(a2, res)
#define TEST_R(insn, a, res)       li a0, a; insn a2, a0; CHECK(a2, res)

.set __case, 0

.macro CHECK_REGS_ reg, reg2, line, newcase=1
    .if \newcase
    .set __case, __case + 1
    .endif
    beq \reg, \reg2, .Lck_ok\@
    /* a1 = got, a2 = expected, whichever registers they are in */
    .ifc \reg2, a1
    .ifc \reg, a2
    xor a1, a1, a2
    xor a2, a1, a2
    xor a1, a1, a2
    .else
    mv a2, a1
    mv a1, \reg
    .endif
    .else
    mv a1, \reg
    mv a2, \reg2
    .endif
    li a0, __case
    li a3, \line
    j __fail
.Lck_ok\@:
.endm

.macro FAIL_HERE_ line
    .set __case, __case + 1
    li a0, __case
    li a1, 0
    li a2, 0
    li a3, \line
    j __fail
.endm

.macro CHECK_TRAP_ cause, line
    ld t5, trap_cause
    sd zero, trap_mode, t6
    li t6, \cause
    CHECK_REGS_ t5, t6, \line
.endm

.macro CHECK_STRAP_ cause, line
    ld t5, strap_cause
    sd zero, strap_mode, t6
    li t6, \cause
    CHECK_REGS_ t5, t6, \line
.endm

/* trap_mode values */
#define TRAP_NONE   0   /* any trap is a failure */
#define TRAP_SKIP   1   /* record, resume after the faulting instruction */
#define TRAP_TO_M   2   /* record, resume at trap_resume in M-mode */
#define TRAP_RESUME 3   /* record, resume at trap_resume, keep MPP */

.macro ARM_TRAP_ var_mode, var_cause, var_resume, mode, label
    li t5, -1
    sd t5, \var_cause, t6
    .ifnb \label
    la t5, \label
    sd t5, \var_resume, t6
    .endif
    li t5, \mode
    sd t5, \var_mode, t6
.endm

#define EXPECT_TRAP              ARM_TRAP_ trap_mode, trap_cause, trap_resume, TRAP_SKIP
#define EXPECT_TRAP_AT(label)    ARM_TRAP_ trap_mode, trap_cause, trap_resume, TRAP_TO_M, label
#define EXPECT_TRAP_RESUME(label) ARM_TRAP_ trap_mode, trap_cause, trap_resume, TRAP_RESUME, label
#define SEXPECT_TRAP             ARM_TRAP_ strap_mode, strap_cause, strap_resume, TRAP_SKIP
#define SEXPECT_TRAP_AT(label)   ARM_TRAP_ strap_mode, strap_cause, strap_resume, TRAP_TO_M, label

/* Jump to label in privilege mode prv (from M-mode), with interrupts off. */
.macro GOTO_MODE prv, label
    li t5, MSTATUS_MPP
    csrc mstatus, t5
    li t5, (\prv << 11)
    csrs mstatus, t5
    la t5, \label
    csrw mepc, t5
    mret
.endm
#define GOTO_SMODE(label) GOTO_MODE PRV_S, label
#define GOTO_UMODE(label) GOTO_MODE PRV_U, label

/* Back to M-mode at label from any mode (uses ecall). */
#define BACK_TO_M(label) EXPECT_TRAP_AT(label); ecall


/* ---------------------------------------------------------- start / end */

#define UNEXP_MAGIC 0xfa12


#define TEST_BEGIN \
    .section .text.init, "ax", @progbits; \
    .globl _start; \
_start: \
    j __isa_start; \
    .text; \
    .globl test_main; \
test_main:

#define TEST_END \
    j __pass; \
    ISA_SUPPORT

/*
 * The generic trap handler, one instance per privilege level p (m or s).
 * Keeps every integer register; uses p##scratch and a save area.
 */
.macro GENERIC_HANDLER p, name, retinsn, selfbit, piebit
    .align 8
    .globl \name
\name:
    csrw \p\()scratch, t0
    la t0, \p\()trap_block
    sd t1, 16(t0)
    sd t2, 24(t0)
    /* a failing check (or S's unexpected trap) asks for a report */
    li t1, FAIL_MAGIC
    beq a7, t1, 10f
    li t1, UNEXP_MAGIC
    beq a7, t1, 10f
11: ld t1, 0(t0)            /* mode */
    beqz t1, 9f
    sd zero, 0(t0)          /* one trap per arming */
    csrr t2, \p\()cause
    sd t2, 32(t0)
    csrr t2, \p\()epc
    sd t2, 40(t0)
    csrr t2, \p\()tval
    sd t2, 48(t0)
    csrr t2, \p\()status
    sd t2, 56(t0)
    ld t2, 64(t0)
    addi t2, t2, 1
    sd t2, 64(t0)
    li t2, TRAP_SKIP
    bne t1, t2, 5f
    /* skip: interrupts resume at epc with their enable bit masked */
    csrr t2, \p\()cause
    bgez t2, 3f
    li t1, 1
    sll t1, t1, t2
    csrc \p\()ie, t1
    j 8f
3:  csrr t2, \p\()epc
    lhu t1, 0(t2)
    andi t1, t1, 3
    addi t2, t2, 2
    li t0, 3
    bne t1, t0, 4f
    addi t2, t2, 2
4:  csrw \p\()epc, t2
    j 8f
5:  ld t2, 8(t0)            /* resume */
    csrw \p\()epc, t2
    li t2, TRAP_TO_M
    bne t1, t2, 8f
    li t1, \selfbit
    csrs \p\()status, t1
    li t1, \piebit                /* and resume with interrupts off */
    csrc \p\()status, t1
8:  la t0, \p\()trap_block
    ld t1, 16(t0)
    ld t2, 24(t0)
    csrr t0, \p\()scratch
    \retinsn
    /* a report request is only honoured for ecall (cause 8..11) */
10: csrr t2, \p\()cause
    addi t2, t2, -8
    li t1, 4
    bgeu t2, t1, 11b
    .ifc \p, m
    li t1, UNEXP_MAGIC
    beq a7, t1, 12f
    j __report_fail
12: la a4, __msg_s
    j __report_unexpected
    .else
    ecall
    .endif
9:  li a0, \p\()_unexpected_code
    csrr a1, \p\()cause
    csrr a2, \p\()epc
    csrr a3, \p\()tval
    .ifc \p, m
    la a4, __msg_m
    j __report_unexpected
    .else
    li a7, UNEXP_MAGIC
    ecall
    .endif
.endm

.set m_unexpected_code, CODE_UNEXPECTED_M
.set s_unexpected_code, CODE_UNEXPECTED_S

.macro ISA_SUPPORT
    .if __case > MAX_CASES
    .error "too many cases for distinct exit codes"
    .endif
    .section .text.init, "ax", @progbits
__isa_start:
    csrr t0, mhartid
    bnez t0, __park
    la sp, _stack_top
    /* PMP may be absent: skip whatever traps while it is set up */
    la t0, __early_trap
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f
    csrw pmpcfg0, t0
    csrw satp, zero
    csrw mie, zero
    csrw mip, zero
    csrw mideleg, zero
    csrw medeleg, zero
    csrwi mcounteren, 7
    csrwi scounteren, 7
    la t0, m_trap
    csrw mtvec, t0
    la t0, s_trap
    csrw stvec, t0
    li t0, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_SIE | MSTATUS_MPRV
    csrc mstatus, t0
    li t0, (1 << 13)
    csrs mstatus, t0
    csrwi fcsr, 0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  li t0, UART_BASE
    li t1, 0x80
    sb t1, 3(t0)      /* LCR: DLAB, to set the divisor */
    li t1, 1
    sb t1, 0(t0)
    sb zero, 1(t0)
    li t1, 3
    sb t1, 3(t0)      /* LCR: 8N1 */
    sb zero, 1(t0)    /* IER: no interrupts */
    li t1, 7
    sb t1, 2(t0)      /* FCR: enable and clear the FIFOs */
    li a0, 0; li a1, 0; li a2, 0; li a3, 0; li a4, 0; li a5, 0; li a6, 0
    li a7, 0; li t0, 0; li t1, 0; li t2, 0; li t3, 0; li t4, 0; li t5, 0
    li t6, 0
    j test_main
__park:
    wfi
    j __park

    .align 2
__early_trap:
    csrw mscratch, t0
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    csrr t0, mscratch
    mret

    /* a failing check, any mode: the M-mode handler reports it */
__fail:
    li a7, FAIL_MAGIC
    ecall
    j __fail

__pass:
    la a0, __msg_pass1
    call puts
    la a0, __msg_file
    call puts
    la a0, __msg_pass2
    call puts
    li a0, __case
    call putdec
    la a0, __msg_pass3
    call puts
    li a0, FINISHER_PASS
    j finisher_exit

    /* a0 = case, a1 = got, a2 = expected, a3 = line */
__report_fail:
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    la sp, _stack_top
    mv s0, a0; mv s1, a1; mv s2, a2; mv s3, a3
    la a0, __msg_fail1;  call puts
    la a0, __msg_file;   call puts
    la a0, __msg_fail2;  call puts
    mv a0, s0;           call putdec
    la a0, __msg_fail3;  call puts
    mv a0, s3;           call putdec
    la a0, __msg_fail4;  call puts
    mv a0, s1;           call puthex
    la a0, __msg_fail5;  call puts
    mv a0, s2;           call puthex
    li a0, '\n';         call putc
    slli a0, s0, 16
    li t0, FINISHER_FAIL
    or a0, a0, t0
    j finisher_exit

    /* a0 = code, a1 = cause, a2 = epc, a3 = tval, a4 = mode name */
__report_unexpected:
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    la sp, _stack_top
    mv s0, a0; mv s1, a1; mv s2, a2; mv s3, a3; mv s4, a4
    la a0, __msg_fail1;  call puts
    la a0, __msg_file;   call puts
    la a0, __msg_unexp1; call puts
    mv a0, s4;           call puts
    la a0, __msg_unexp2; call puts
    mv a0, s1;           call puthex
    la a0, __msg_unexp3; call puts
    mv a0, s2;           call puthex
    la a0, __msg_unexp4; call puts
    mv a0, s3;           call puthex
    li a0, '\n';         call putc
    slli a0, s0, 16
    li t0, FINISHER_FAIL
    or a0, a0, t0
    j finisher_exit

    .globl finisher_exit
finisher_exit:
    li t0, FINISHER_BASE
    sw a0, 0(t0)
1:  wfi
    j 1b

    .globl putc
putc:
    li t0, UART_BASE
1:  lbu t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 1b
    sb a0, 0(t0)
    ret

    .globl puts
puts:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s11, 8(sp)
    mv s11, a0
1:  lbu a0, 0(s11)
    beqz a0, 2f
    call putc
    addi s11, s11, 1
    j 1b
2:  ld ra, 0(sp)
    ld s11, 8(sp)
    addi sp, sp, 16
    ret

    .globl puthex
puthex:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s10, 8(sp)
    sd s11, 16(sp)
    mv s11, a0
    li a0, '0'; call putc
    li a0, 'x'; call putc
    li s10, 60
1:  srl a0, s11, s10
    andi a0, a0, 15
    addi a0, a0, '0'
    li t0, '9'
    ble a0, t0, 2f
    addi a0, a0, 'a' - '0' - 10
2:  call putc
    addi s10, s10, -4
    bgez s10, 1b
    ld ra, 0(sp)
    ld s10, 8(sp)
    ld s11, 16(sp)
    addi sp, sp, 32
    ret

    .globl putdec
putdec:
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s11, 8(sp)
    addi s11, sp, 47
    sb zero, 0(s11)
    li t0, 10
1:  remu t1, a0, t0
    divu a0, a0, t0
    addi t1, t1, '0'
    addi s11, s11, -1
    sb t1, 0(s11)
    bnez a0, 1b
    mv a0, s11
    call puts
    ld ra, 0(sp)
    ld s11, 8(sp)
    addi sp, sp, 48
    ret

    GENERIC_HANDLER m, m_trap, mret, MSTATUS_MPP, MSTATUS_MPIE
    GENERIC_HANDLER s, s_trap, sret, MSTATUS_SPP, MSTATUS_SPIE

    .section .rodata.isa, "a", @progbits
__msg_file:    .string __BASE_FILE__
__msg_pass1:   .string "PASS "
__msg_pass2:   .string ": "
__msg_pass3:   .string " checks\n"
__msg_fail1:   .string "FAIL "
__msg_fail2:   .string " case "
__msg_fail3:   .string " (line "
__msg_fail4:   .string "): got "
__msg_fail5:   .string " expected "
__msg_unexp1:  .string ": unexpected trap in "
__msg_unexp2:  .string "-mode handler: cause="
__msg_unexp3:  .string " epc="
__msg_unexp4:  .string " tval="
__msg_m:       .string "M"
__msg_s:       .string "S"

    /* trap records (layout known to GENERIC_HANDLER) */
    .section .data.isa, "aw", @progbits
    .align 3
    .globl trap_mode, trap_resume, trap_cause, trap_epc, trap_tval
    .globl trap_status, trap_count
mtrap_block:
trap_mode:    .dword 0
trap_resume:  .dword 0
              .dword 0, 0
trap_cause:   .dword 0
trap_epc:     .dword 0
trap_tval:    .dword 0
trap_status:  .dword 0
trap_count:   .dword 0
    .globl strap_mode, strap_resume, strap_cause, strap_epc, strap_tval
    .globl strap_status, strap_count
strap_block:
strap_mode:   .dword 0
strap_resume: .dword 0
              .dword 0, 0
strap_cause:  .dword 0
strap_epc:    .dword 0
strap_tval:   .dword 0
strap_status: .dword 0
strap_count:  .dword 0
    .text
.endm

#endif
