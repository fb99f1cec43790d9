/*
 * csr.S: Zicsr instructions and the machine/supervisor CSRs.
 *
 * Covers: CSRRW/CSRRS/CSRRC and CSRRWI/CSRRSI/CSRRCI (old value returned,
 * bits set/cleared, 5-bit zero-extended immediates, rd = x0); CSRRS/CSRRC
 * with rs1 = x0 and CSRRSI/CSRRCI with uimm = 0 do not write (so they may
 * read a read-only CSR), while rs1 != x0 holding 0 or CSRRWI with 0 is a
 * write (illegal on a read-only CSR); misa reads MXL = 2 (RV64) with
 * I, M, A, F, D, C, S and U set; mhartid = 0; mvendorid/marchid/mimpid
 * readable; writing a read-only CSR (mhartid, cycle, time, mvendorid)
 * raises illegal instruction with mtval = the instruction bits; unknown
 * CSR numbers are illegal; M-mode CSRs trap from S and U, S-mode CSRs
 * trap from U; satp from S traps when mstatus.TVM = 1 and not when 0;
 * cycle/instret/time (and mcycle/minstret) readable in M-mode and
 * increasing, instret by about the number of instructions run; a write of
 * mcycle/minstret is what the next read sees (the writing instruction is
 * not counted, then each retired one is); mcounteren gates S (and U) counter reads, scounteren gates
 * U, per bit (CY/TM/IR); fcsr/frm/fflags aliasing (upper fcsr bits
 * ignored); PMP CSRs pmpcfg0/pmpaddr0 write/read back (WARL); WARL
 * fields: mepc bit 0 reads 0, mstatus.MPP never holds the reserved value
 * 2, mstatus UXL/SXL = 2, medeleg bit 11 (M ecall) is read-only 0, satp
 * ignores a write with an unsupported MODE; menvcfg keeps only STCE,
 * PBMTE (Svpbmt), FIOM and the cbo enables, senvcfg FIOM and the cbo
 * enables (Zicbom, Zicboz); mcountinhibit is 32
 * bits with TM (bit 1) read-only 0; sstatus is a view of mstatus;
 * sie/sip show only bits delegated through mideleg.
 *
 * QEMU 7.2 deviates: CSRRS/CSRRC with rs1 != x0 holding zero is not
 * treated as a write, so "csrrs a0, mhartid, a3" (a3 = 0) does not trap
 * there; without -icount its instret counts host ticks, not
 * instructions; mepc keeps bit 0 as written (the spec has mepc[0]
 * always zero); mstatus.MPP holds the reserved value 2; medeleg bit 11
 * is writable; menvcfg/senvcfg keep CBIE/CBCFE/CBZE and PBMTE and
 * mcountinhibit all 64 bits.  Build with -DQEMU72_QUIRKS to skip those
 * checks on QEMU.
 */
#include "test.h"

/* a0 = address of the instruction at label, a1 = its 32-bit encoding */
#define INSN_BITS(label) la a0, label; lwu a1, 0(a0)

TEST_BEGIN
    /* ---- CSR instruction semantics on mscratch */
    li a0, 0x1234567890abcdef
    csrw mscratch, a0
    li a1, 0x0f0f
    csrrw a2, mscratch, a1
    CHECK(a2, 0x1234567890abcdef)
    li a1, 0xf000000000000000
    csrrs a2, mscratch, a1
    CHECK(a2, 0x0f0f)
    csrr a2, mscratch
    CHECK(a2, 0xf000000000000f0f)
    li a1, 0x0f00
    csrrc a2, mscratch, a1
    CHECK(a2, 0xf000000000000f0f)
    csrr a2, mscratch
    CHECK(a2, 0xf00000000000000f)
    csrrwi a2, mscratch, 31                /* zero-extended 5-bit */
    CHECK(a2, 0xf00000000000000f)
    csrr a2, mscratch
    CHECK(a2, 31)
    csrrci a2, mscratch, 0x15
    CHECK(a2, 31)
    csrrsi a2, mscratch, 0x10
    csrr a2, mscratch
    CHECK(a2, 0x1a)
    csrrs a2, mscratch, x0                 /* read only */
    CHECK(a2, 0x1a)
    csrrw x0, mscratch, zero
    csrr a2, mscratch
    CHECK(a2, 0)
    li a0, -1
    csrrw a0, mscratch, a0                 /* rd == rs1 */
    CHECK(a0, 0)
    csrr a0, mscratch
    CHECK(a0, -1)

    /* ---- identification */
    csrr a0, misa
    srli a1, a0, 62
    CHECK(a1, 2)                           /* MXL = 64 */
    li a2, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)
    and a1, a0, a2                          /* A C D F I M S U */
    CHECK_REG(a1, a2)
    csrr a0, mhartid
    CHECK(a0, 0)
    csrr a0, mvendorid
    csrr a0, marchid
    csrr a0, mimpid

    /* ---- read-only CSRs: reading without writing is fine */
    csrrs a0, mhartid, x0
    csrrsi a0, mhartid, 0
    csrrci a0, cycle, 0
    rdcycle a0
    CHECK(zero, 0)                         /* reached without a trap */
    /* ... a write is illegal, mtval = the instruction */
    EXPECT_TRAP
1:  csrw mhartid, zero
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(1b)
    CHECK_TVAL_REG(a1)
    CHECK_EPC_REG(a0)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 only checks for a non-zero write mask */
    li a3, 0
    EXPECT_TRAP
2:  csrrs a0, mhartid, a3                  /* rs1 != x0 holding 0: a write */
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(2b)
    CHECK_TVAL_REG(a1)
#endif
    EXPECT_TRAP
3:  csrrwi a0, mvendorid, 0
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(3b)
    CHECK_TVAL_REG(a1)
    EXPECT_TRAP
4:  csrw cycle, a3
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(4b)
    CHECK_TVAL_REG(a1)
    EXPECT_TRAP
5:  csrrc a0, time, a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(5b)
    CHECK_TVAL_REG(a1)

    /* ---- unknown CSR numbers */
    EXPECT_TRAP
6:  csrr a0, 0x8ff
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(6b)
    CHECK_TVAL_REG(a1)
    EXPECT_TRAP
    csrw 0x7ff, a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a0, 0xcff
    CHECK_TRAP(CAUSE_ILLEGAL)

    /* ---- counters in M-mode: readable and increasing */
    rdcycle s0
    rdinstret s1
    rdtime s2
    li t0, 1000
7:  addi t0, t0, -1
    bnez t0, 7b
    rdcycle a0
    rdinstret a1
    rdtime a2
    sltu a3, s0, a0
    CHECK(a3, 1)
    sltu a3, s1, a1
    CHECK(a3, 1)
#ifndef QEMU72_QUIRKS   /* QEMU without -icount: instret = host ticks */
    sub a4, a1, s1                          /* 2004 instructions retired */
    addi a4, a4, -2000
    sltiu a3, a4, 100
    CHECK(a3, 1)
#endif
    /* time (10 MHz) needs a while to tick: spin until it moves */
    li t0, 10000000
8:  rdtime a2
    bne a2, s2, 9f
    addi t0, t0, -1
    bnez t0, 8b
9:  sltu a3, s2, a2
    CHECK(a3, 1)
    csrr a0, mcycle
    csrr a1, minstret
    sltu a3, s0, a0
    CHECK(a3, 1)
    sltu a3, s1, a1
    CHECK(a3, 1)
#ifndef QEMU72_QUIRKS   /* QEMU without -icount: instret = host ticks */
    /* a write of minstret/mcycle is what the next read sees: the writing
     * instruction itself is not counted (riscv-tests rv64mi instret_overflow) */
    li a0, 1000
    csrw minstret, a0
    csrr a1, minstret
    CHECK(a1, 1000)
    csrw minstret, a0
    nop
    nop
    csrr a1, minstret
    CHECK(a1, 1002)
    li a0, -1                               /* wraps to 0 after one more */
    csrw minstret, a0
    nop
    csrr a1, minstret
    CHECK(a1, 0)
    li a0, 5000
    csrw mcycle, a0
    csrr a1, mcycle
    CHECK(a1, 5000)
    csrw mcycle, a0
    nop
    csrr a1, mcycle
    CHECK(a1, 5001)
#endif

    /* ---- fcsr / frm / fflags aliasing */
    csrw fcsr, zero
    csrwi fflags, 0x1f
    csrr a0, fcsr
    CHECK(a0, 0x1f)
    csrwi frm, 3
    csrr a0, fcsr
    CHECK(a0, 0x7f)
    csrr a0, frm
    CHECK(a0, 3)
    li a1, 0xfff
    csrw fcsr, a1                          /* bits above 7 ignored */
    csrr a0, fcsr
    CHECK(a0, 0xff)
    csrr a0, frm
    CHECK(a0, 7)
    csrr a0, fflags
    CHECK(a0, 0x1f)
    csrci fflags, 0x3
    csrr a0, fcsr
    CHECK(a0, 0xfc)
    csrw fcsr, zero

    /* ---- PMP CSRs (M-mode ignores unlocked entries) */
    li a0, 0x20000400                      /* 0x80001000 >> 2 */
    csrw pmpaddr0, a0
    csrr a1, pmpaddr0
    CHECK(a1, 0x20000400)
    li a0, 0x0f                            /* entry 0: TOR, RWX */
    csrw pmpcfg0, a0
    csrr a1, pmpcfg0
    CHECK(a1, 0x0f)
    li a0, -1                              /* back to all of memory */
    csrw pmpaddr0, a0
    li a0, 0x1f
    csrw pmpcfg0, a0
    csrr a1, pmpcfg0
    CHECK(a1, 0x1f)

    /* ---- WARL fields */
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 keeps mepc[0] as written */
    li a0, 0x80000001
    csrw mepc, a0
    csrr a1, mepc
    CHECK(a1, 0x80000000)
#endif
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 stores MPP = 2 */
    csrr s0, mstatus
    li a0, MSTATUS_MPP
    csrc mstatus, a0
    li a0, 2 << 11                         /* reserved MPP */
    csrs mstatus, a0
    csrr a1, mstatus
    srli a1, a1, 11
    andi a1, a1, 3
    li a2, 2
    sltu a3, a1, a2                        /* != 2 ... */
    sltu a4, a2, a1
    or a3, a3, a4
    CHECK(a3, 1)
    csrw mstatus, s0
#endif
    csrr a0, mstatus
    srli a1, a0, 32
    andi a1, a1, 0xf
    CHECK(a1, 0xa)                         /* SXL = UXL = 2 */
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 lets M ecalls be delegated */
    li a0, -1
    csrw medeleg, a0
    csrr a1, medeleg
    srli a1, a1, 11
    andi a1, a1, 1
    CHECK(a1, 0)
    csrw medeleg, zero
#endif
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 keeps CBIE/CBCFE/CBZE/PBMTE, 64-bit mcountinhibit */
    li a0, -1                              /* (found by make difftest) */
    csrw 0x30a, a0                         /* menvcfg */
    csrr a1, 0x30a
    li a2, 0xc0000000000000f1              /* STCE, PBMTE, CBZE, CBCFE, CBIE, FIOM */
    CHECK_REG(a1, a2)
    csrw 0x30a, zero
    csrw 0x10a, a0                         /* senvcfg */
    csrr a1, 0x10a
    CHECK(a1, 0xf1)                        /* CBZE, CBCFE, CBIE, FIOM */
    csrw 0x10a, zero
    csrw 0x320, a0                         /* mcountinhibit */
    csrr a1, 0x320
    CHECK(a1, 0xfffffffd)
    csrw 0x320, zero
#endif
    csrw satp, zero
    li a0, 0xf000000000000001              /* reserved MODE */
    csrw satp, a0
    csrr a1, satp
    CHECK(a1, 0)

    /* ---- sstatus is a view of mstatus */
    li a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_MIE | MSTATUS_MPIE
    csrc mstatus, a0
    csrsi sstatus, MSTATUS_SIE
    csrr a1, mstatus
    andi a1, a1, MSTATUS_SIE
    CHECK(a1, MSTATUS_SIE)
    li a0, MSTATUS_MPIE
    csrs mstatus, a0
    csrr a1, sstatus
    andi a1, a1, MSTATUS_MPIE | MSTATUS_MIE
    CHECK(a1, 0)                           /* M bits invisible */
    csrci sstatus, MSTATUS_SIE
    csrr a1, mstatus
    andi a1, a1, MSTATUS_SIE
    CHECK(a1, 0)
    li a0, MSTATUS_MPIE
    csrc mstatus, a0

    /* ---- sie / sip: only delegated bits */
    csrw mie, zero
    csrw mideleg, zero
    li a0, -1
    csrw sie, a0
    csrr a1, sie
    CHECK(a1, 0)
    li a0, 0x222                           /* SSI, STI, SEI */
    csrw mideleg, a0
    li a0, -1
    csrw sie, a0
    csrr a1, sie
    CHECK(a1, 0x222)
    csrr a1, mie
    CHECK(a1, 0x222)
    csrw sie, zero
    csrr a1, mie
    CHECK(a1, 0)
    csrsi sip, 2                           /* SSIP writable from sip */
    csrr a1, mip
    andi a1, a1, 2
    CHECK(a1, 2)
    csrci sip, 2
    csrr a1, sip
    andi a1, a1, 2
    CHECK(a1, 0)
    csrw mideleg, zero

    /* ---- privilege checks from S-mode */
    csrwi mcounteren, 0
    csrwi scounteren, 0
    GOTO_SMODE(10f)
10: csrr a0, sstatus                       /* S CSRs fine */
    csrw sscratch, a0
    csrr a0, satp
    EXPECT_TRAP
    csrr a0, mstatus
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrw mscratch, a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a0, mhartid
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    rdcycle a0                             /* mcounteren.CY = 0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    rdtime a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    rdinstret a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(11f)
11: csrwi mcounteren, 5                    /* CY, IR */
    li a0, MSTATUS_TVM
    csrs mstatus, a0
    GOTO_SMODE(12f)
12: rdcycle a0
    rdinstret a0
    EXPECT_TRAP
    rdtime a0                              /* TM still 0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a0, satp                          /* TVM = 1 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
13: csrw satp, zero
    CHECK_TRAP(CAUSE_ILLEGAL)
    INSN_BITS(13b)
    CHECK_TVAL_REG(a1)
    BACK_TO_M(14f)
14: li a0, MSTATUS_TVM
    csrc mstatus, a0
    csrwi mcounteren, 7

    /* ---- privilege checks from U-mode */
    csrwi scounteren, 0
    GOTO_UMODE(15f)
15: EXPECT_TRAP
    csrr a0, sstatus
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a0, mscratch
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrw sscratch, a0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    rdcycle a0                             /* scounteren.CY = 0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    csrr a0, fcsr                          /* U may use fcsr */
    BACK_TO_M(16f)
16: csrwi scounteren, 2                    /* TM only */
    csrwi mcounteren, 3                    /* CY, TM */
    GOTO_UMODE(17f)
17: rdtime a0
    EXPECT_TRAP
    rdcycle a0                             /* scounteren.CY = 0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    rdinstret a0                           /* mcounteren.IR = 0 */
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(18f)
18: csrwi scounteren, 7
    csrwi mcounteren, 7
    GOTO_UMODE(19f)
19: rdcycle a0
    rdtime a0
    rdinstret a0
    BACK_TO_M(20f)
20: CHECK(zero, 0)
TEST_END
