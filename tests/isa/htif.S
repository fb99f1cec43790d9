/*
 * htif.S: the HTIF host interface (Spike's tohost/fromhost convention).
 *
 * The only test that uses HTIF instead of the UART and the SiFive test
 * finisher.  It defines `tohost` and `fromhost` (8-byte words, each
 * 64-byte aligned, in section .tohost), prints "HTIF ok\n" through the
 * HTIF console (device 1, command 1: tohost = (1 << 56) | (1 << 48) |
 * byte, then wait for fromhost != 0 and clear it) and passes by writing
 * tohost = 1 (a failure would be (code << 1) | 1).  Before each request
 * it waits for tohost to read 0, since a host may clear it only once it
 * has acted on the value.
 *
 * QEMU's virt machine does not implement HTIF: there this program spins
 * forever (the runner's timeout ends it); it is meant for rivet, which
 * finds the two words through the ELF symbol table.
 */
#define HTIF_CONSOLE_PUTC ((1 << 56) | (1 << 48))

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    csrr t0, mhartid
    bnez t0, park
    la s0, message
1:  lbu a0, 0(s0)
    beqz a0, 4f
2:  ld t1, tohost                   /* previous request consumed? */
    bnez t1, 2b
    li t0, HTIF_CONSOLE_PUTC
    or t0, t0, a0
    sd t0, tohost, t1
3:  ld t1, fromhost                 /* host's acknowledgement */
    beqz t1, 3b
    sd zero, fromhost, t1
    addi s0, s0, 1
    j 1b
4:  ld t1, tohost
    bnez t1, 4b
    li t0, 1                        /* pass */
    sd t0, tohost, t1
park:
    wfi
    j park

    .section .rodata
message:
    .string "HTIF ok\n"

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost:
    .dword 0
    .align 6
    .globl fromhost
fromhost:
    .dword 0
