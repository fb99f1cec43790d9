/* The data slot of main.c's kernel, in the same page as its code
 * (link.ld puts .text.smc on a page of its own, this object last). */
    .section .text.smc, "ax", @progbits
    .balign 64
    .globl smc_slot
smc_slot:
    .zero 64
