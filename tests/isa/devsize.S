/*
 * devsize.S: device registers take only the access sizes they declare.
 *
 * Each bus device declares the widths and alignment it takes (bus/bus.h);
 * any other access is a load/store access fault (mcause 5 / 7, mtval = the
 * address) and never reaches the device, so the register keeps its value
 * and no side effect happens.  A misaligned access to a device is one of
 * those (only RAM performs misaligned accesses).  Covered here, on the
 * devices of the bare `virt` board:
 *
 *   PLIC (32-bit): ld, lh, lb, sb, sh, sd on a priority register
 *   CLINT (msip 32-bit; mtimecmp/mtime 32/64-bit): sb/sh/sd on msip (no
 *     software interrupt pends), lh on mtime, misaligned ld/sd on mtimecmp
 *   UART (8-bit): lw/sh/sw on its registers, the scratch byte survives
 *   goldfish RTC (32-bit): ld, lb, misaligned lw
 *   SiFive finisher (16/32-bit): sb and sd of the PASS value do not exit
 *   virtio-mmio (registers 32-bit, config 8/16/32): misaligned lw, lh, ld
 *     on registers, ld on the configuration space
 *   PCIe ECAM (8/16/32, aligned): ld, misaligned lw, and the host bridge's
 *     command register unchanged after an sd
 *
 * QEMU 7.2 accepts some of these (see README.md); -DQEMU72_QUIRKS skips
 * exactly those.
 */
#include "test.h"

#define PLIC_BASE    0x0c000000
#define RTC_BASE     0x00101000
#define VIRTIO_BASE  0x10001000
#define ECAM_BASE    0x30000000

/* The access (an instruction on s0 + off) faults with `cause` and mtval =
 * s0 + off. */
#ifndef QEMU72_QUIRKS
#define FAULTS(cause, off, ...) \
    EXPECT_TRAP; __VA_ARGS__; CHECK_TRAP(cause); CHECK_TVAL_REG_OFF(off)
#else   /* QEMU 7.2 reports a wrong mtval for these faults */
#define FAULTS(cause, off, ...) \
    EXPECT_TRAP; __VA_ARGS__; CHECK_TRAP(cause)
#endif

.macro CHECK_TVAL_OFF_ off, line
    ld t5, trap_tval
    addi t6, s0, \off
    CHECK_REGS_ t5, t6, \line
.endm
#define CHECK_TVAL_REG_OFF(off) CHECK_TVAL_OFF_ off, __LINE__

TEST_BEGIN
    /* ---- PLIC: priority of source 1 (offset 4), 32-bit only */
    li s0, PLIC_BASE + 4
    li t0, 3
    sw t0, 0(s0)
    li t1, 7
    FAULTS(CAUSE_LOAD_ACCESS, 0, ld a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 0, lh a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 1, lbu a0, 1(s0))
    FAULTS(CAUSE_STORE_ACCESS, 0, sb t1, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, 2, sh t1, 2(s0))
    FAULTS(CAUSE_STORE_ACCESS, 4, sd t1, 4(s0))   /* priority 2 and 3 */
    lw a0, 0(s0)
    CHECK(a0, 3)                                  /* the device saw none of them */
    lw a0, 4(s0)
    CHECK(a0, 0)
    sw zero, 0(s0)

    /* ---- CLINT: msip of hart 0 is a 32-bit word */
    li s0, CLINT_BASE
    li t1, 1
    FAULTS(CAUSE_STORE_ACCESS, 0, sb t1, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, 0, sh t1, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, 0, sd t1, 0(s0))
    csrr a0, mip
    andi a0, a0, 8                                /* MSIP did not pend */
    CHECK(a0, 0)
    lw a0, 0(s0)
    CHECK(a0, 0)
    /* mtime (0xbff8) takes 32- and 64-bit accesses, not 16 */
    li s0, CLINT_BASE + 0xbff8
    FAULTS(CAUSE_LOAD_ACCESS, 0, lh a0, 0(s0))
    /* mtimecmp of hart 0 (0x4000): misaligned halves fault, nothing is written */
    li s0, CLINT_BASE + 0x4000
    li t0, -1
    sd t0, 0(s0)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2's ACLINT timer takes misaligned accesses */
    FAULTS(CAUSE_LOAD_ACCESS, 4, ld a0, 4(s0))
    FAULTS(CAUSE_STORE_ACCESS, 1, sd zero, 1(s0))
    FAULTS(CAUSE_STORE_ACCESS, 2, sw zero, 2(s0))
#endif
    ld a0, 0(s0)
    CHECK(a0, -1)

    /* ---- UART: byte registers; the scratch register (7) keeps its value */
    li s0, UART_BASE
    li t0, 0x5a
    sb t0, 7(s0)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2's 16550 takes 1- to 8-byte accesses */
    li t1, -1
    FAULTS(CAUSE_LOAD_ACCESS, 4, lw a0, 4(s0))
    FAULTS(CAUSE_STORE_ACCESS, 6, sh t1, 6(s0))
    FAULTS(CAUSE_STORE_ACCESS, 4, sw t1, 4(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 5, lhu a0, 5(s0))   /* misaligned too */
#endif
    lbu a0, 7(s0)
    CHECK(a0, 0x5a)

    /* ---- goldfish RTC: 32-bit registers */
    li s0, RTC_BASE
#ifndef QEMU72_QUIRKS   /* QEMU 7.2's RTC declares no valid sizes: all are taken */
    FAULTS(CAUSE_LOAD_ACCESS, 0, ld a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 0, lbu a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 2, lw a0, 2(s0))
#endif

    /* ---- SiFive test finisher: 16/32-bit; a PASS written with sb or sd
     * must not end the test */
    li s0, FINISHER_BASE
    li t1, 0x5555
    FAULTS(CAUSE_STORE_ACCESS, 0, sb t1, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, 0, sd t1, 0(s0))

    /* ---- virtio-mmio slot 0: registers are 32-bit, aligned */
    li s0, VIRTIO_BASE
    lw a0, 0(s0)
    CHECK(a0, 0x74726976)                          /* "virt" */
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 splits misaligned accesses; it logs a
                           wrong-size register access and reads 0 */
    FAULTS(CAUSE_LOAD_ACCESS, 1, lw a0, 1(s0))    /* misaligned */
    FAULTS(CAUSE_LOAD_ACCESS, 2, lw a0, 2(s0))
    FAULTS(CAUSE_STORE_ACCESS, 0x72, sw zero, 0x72(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 0, lhu a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 0, ld a0, 0(s0))
    FAULTS(CAUSE_STORE_ACCESS, 0x70, sb zero, 0x70(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 0x100, ld a0, 0x100(s0))  /* config: 8/16/32 */
#endif
    lw a0, 0x70(s0)                               /* status */
    CHECK(a0, 0)

    /* ---- PCIe ECAM: 8/16/32-bit, aligned; 00.0 is the host bridge */
    li s0, ECAM_BASE
    lw a0, 0(s0)
    CHECK(a0, 0x00081b36)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2's ECAM takes any size and alignment */
    FAULTS(CAUSE_LOAD_ACCESS, 0, ld a0, 0(s0))
    FAULTS(CAUSE_LOAD_ACCESS, 2, lw a0, 2(s0))
    li t1, -1
    FAULTS(CAUSE_STORE_ACCESS, 0, sd t1, 0(s0))    /* vendor/device + command */
#endif
    lhu a0, 4(s0)
    CHECK(a0, 0)                                  /* command unchanged */
TEST_END
