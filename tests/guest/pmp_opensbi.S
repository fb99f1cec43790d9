/*
 * pmp_opensbi.S: an S-mode payload for the real OpenSBI (tests/guest/
 * pmp_opensbi.sh), linked at 0x80200000 where OpenSBI jumps to its next
 * stage. OpenSBI protects its own memory (0x80000000..) from S-mode with
 * PMP; the payload loads and stores there, and prints what the faults
 * OpenSBI redirects to it (cause 5 and 7 are not delegated: OpenSBI gets
 * them in M-mode and forwards them) carry, through the legacy SBI console:
 *
 *     PMP load: scause=5 stval=80000000
 *     PMP store: scause=7 stval=80000008
 *     PMP own: ok
 *
 * then shuts down with SBI SRST. A load that does not fault prints
 * "scause=none".
 */
    .option norvc
    .section .text
    .globl _start
_start:
    la sp, stack_top
    la t0, handler
    csrw stvec, t0

    la a0, msg_load
    call puts
    li s0, -1                   /* scause, stval: set by the handler */
    li s1, 0
    li t0, 0x80000000
    ld t1, 0(t0)
    call report

    la a0, msg_store
    call puts
    li s0, -1
    li s1, 0
    li t0, 0x80000008
    sd zero, 0(t0)
    call report

    la a0, msg_own              /* our own memory is open */
    call puts
    la t0, scratch
    li t1, 0x1234
    sd t1, 0(t0)
    ld t2, 0(t0)
    la a0, msg_ok
    bne t1, t2, 1f
    call puts
1:
    li a7, 0x53525354           /* SRST: shutdown */
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
    li a7, 8                    /* legacy shutdown */
    ecall
2:  wfi
    j 2b

/* the trap: remember scause/stval, skip the instruction */
    .align 4
handler:
    csrr s0, scause
    csrr s1, stval
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    sret

/* prints "scause=N stval=X\n" from s0/s1 */
report:
    addi sp, sp, -16
    sd ra, 0(sp)
    la a0, msg_scause
    call puts
    bltz s0, 1f
    mv a0, s0
    call puthex
    la a0, msg_stval
    call puts
    mv a0, s1
    call puthex
    j 2f
1:  la a0, msg_none
    call puts
2:  li a0, 10
    call putc
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

putc:                           /* legacy console_putchar */
    li a7, 1
    ecall
    ret

puts:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s2, 8(sp)
    mv s2, a0
1:  lbu a0, 0(s2)
    beqz a0, 2f
    call putc
    addi s2, s2, 1
    j 1b
2:  ld ra, 0(sp)
    ld s2, 8(sp)
    addi sp, sp, 16
    ret

puthex:                         /* a0 in hex, no leading zeros */
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s2, 8(sp)
    sd s3, 16(sp)
    mv s2, a0
    li s3, 60
1:  srl t0, s2, s3              /* skip leading zero digits */
    bnez t0, 2f
    beqz s3, 2f
    addi s3, s3, -4
    j 1b
2:  srl a0, s2, s3
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 3f
    addi a0, a0, 'a' - 10 - '0'
3:  addi a0, a0, '0'
    call putc
    addi s3, s3, -4
    bgez s3, 2b
    ld ra, 0(sp)
    ld s2, 8(sp)
    ld s3, 16(sp)
    addi sp, sp, 32
    ret

    .section .rodata
msg_load:   .string "PMP load: "
msg_store:  .string "PMP store: "
msg_own:    .string "PMP own: "
msg_ok:     .string "ok\n"
msg_scause: .string "scause="
msg_stval:  .string " stval="
msg_none:   .string "none"

    .section .data
    .align 4
scratch:    .dword 0
    .section .bss
    .align 4
stack:      .space 4096
stack_top:
