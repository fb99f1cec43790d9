/*
 * seip.S: mip.SEIP is the OR of a software-writable bit and the PLIC's
 * supervisor external interrupt line. A csrs/csrc of mip (here to set SSIP)
 * while the line is high must not latch the line's value into the software
 * bit: once the line drops, SEIP reads 0 again.
 * The line is driven by the UART's THR-empty interrupt (PLIC source 10,
 * enabled for hart 0's S-mode context). No interrupt is taken: mie = 0.
 * Privileged spec 3.1.9: "the value used in the read-modify-write sequence
 * of a CSRRS or CSRRC instruction contains only the software-writable SEIP
 * bit". QEMU 7.2 latches the line instead and fails case 3; in rivet that
 * bug made -smp 2 Linux guests hang at poweroff in an interrupt storm.
 */
#include "test.h"

#define PLIC_PRIO_10   (0xc000000 + 4 * 10)
#define PLIC_ENABLE_S0 (0xc000000 + 0x2000 + 0x80 * 1)
#define PLIC_THRESH_S0 (0xc000000 + 0x200000 + 0x1000 * 1)
#define UART_IER       (UART_BASE + 1)

TEST_BEGIN
    csrw mie, zero
    li t0, PLIC_PRIO_10
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_ENABLE_S0
    li t1, 1 << 10
    sw t1, 0(t0)
    li t0, PLIC_THRESH_S0
    sw zero, 0(t0)
    li t0, UART_IER
    li t1, 2                    /* ETBEI: THR is empty, so the line rises */
    sb t1, 0(t0)
    csrr a0, mip
    andi a0, a0, 1 << 9
    CHECK(a0, 1 << 9)           /* SEIP follows the line */
    csrsi mip, 2                /* SSIP, by read-modify-write */
    csrr a0, mip
    andi a0, a0, 2
    CHECK(a0, 2)
    li t0, UART_IER
    sb zero, 0(t0)              /* the line drops */
    csrr a0, mip
    andi a0, a0, 1 << 9
    CHECK(a0, 0)                /* not latched by the csrsi above */
    csrci mip, 2
    li t1, 1 << 9
    csrs mip, t1                /* the software bit alone sets SEIP */
    csrr a0, mip
    andi a0, a0, 1 << 9
    CHECK(a0, 1 << 9)
    csrc mip, t1
    csrr a0, mip
    andi a0, a0, 1 << 9
    CHECK(a0, 0)
    li t0, PLIC_ENABLE_S0
    sw zero, 0(t0)
TEST_END
