/*
 * svext.S: the supervisor extensions Svpbmt, Svnapot, Svinval, and Zihpm's
 * counters (privileged spec 1.12 + the Svpbmt, Svnapot and Svinval
 * chapters of the 20211203 ratified privileged ISA, Zihpm of the
 * unprivileged spec "Counters" chapter).
 *
 * Covers, under Sv39 in S-mode:
 * - Svpbmt: a leaf with PBMT = 1 (NC) or 2 (IO) translates like PMA memory
 *   when menvcfg.PBMTE = 1 and page-faults when PBMTE = 0; PBMT = 3 (reserved)
 *   always faults; PBMT bits in a non-leaf PTE fault; bits 60-54 fault;
 *   menvcfg.PBMTE is writable.
 * - Svnapot: a 64 KiB NAPOT page (16 level-0 PTEs with N = 1 and
 *   ppn[3:0] = 1000) maps va[15:12] onto the 64 KiB-aligned block, for
 *   loads and stores (A/D set in the PTE used); N with another ppn[3:0],
 *   N in a megapage leaf and N in a non-leaf PTE page-fault.
 * - sfence.vma with an address inside a 2 MiB megapage drops every cached
 *   piece of it (a piece at another 4 KiB address than the fenced one).
 * - Svinval: sinval.vma after a PTE change makes the new mapping visible;
 *   sfence.w.inval and sfence.inval.ir run in S and M; with mstatus.TVM = 1
 *   S-mode sinval.vma is illegal, the two others are not; in U-mode all
 *   three are illegal.
 * - Zihpm: hpmcounter3..31 read (0: no event counts) in M, in S only with
 *   mcounteren's bit, in U only with scounteren's too.
 *
 * Built with -DEXT_OFF (tests/guest/sv_ext_off.sh runs it with
 * -cpu rv64,svpbmt=off,svnapot=off,svinval=off,zihpm=off), it checks the
 * other side: PBMTE reads 0 and PBMT bits fault, N faults, the three
 * Svinval instructions and hpmcounter3 are illegal.
 *
 * The assembler (binutils 2.40) knows Svinval with -march=..._svinval; the
 * build uses rv64gc, so the instructions are .insn-encoded.
 */
#include "test.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PBMT_NC (1 << 61)
#define PBMT_IO (2 << 61)
#define PBMT_RSV (3 << 61)
#define PTE_N (1 << 63)
#define MENVCFG_PBMTE (1 << 62)
#define SATP_SV39 (8 << 60)

/* .insn r opcode, funct3, funct7, rd, rs1, rs2 */
#define SINVAL_VMA(rs1, rs2) .insn r 0x73, 0, 0x0b, x0, rs1, rs2
#define SFENCE_W_INVAL       .insn r 0x73, 0, 0x0c, x0, x0, x0
#define SFENCE_INVAL_IR      .insn r 0x73, 0, 0x0c, x0, x0, x1

#define VA_L0(n)   (0x40000000 + (n) * 0x1000)
#define VA_NC      VA_L0(0)
#define VA_IO      VA_L0(1)
#define VA_RSVPBMT VA_L0(2)
#define VA_RSVBITS VA_L0(3)
#define VA_REMAP   VA_L0(4)
#define VA_NAPOT   VA_L0(16)     /* 16 pages: 0x40010000-0x4001ffff */
#define VA_NBAD    VA_L0(32)
#define VA_NMEGA   0x40200000    /* l1[1]: megapage leaf with N */
#define VA_PBMTNL  0x40400000    /* l1[2]: non-leaf with PBMT */
#define VA_NNL     0x40600000    /* l1[3]: non-leaf with N */
#define VA_MEGA    0x40800000    /* l1[4]: 2 MiB -> PA_MEGA1, then PA_MEGA2 */
#define PA_MEGA1   0x81000000
#define PA_MEGA2   0x81200000

/* table[idx] = PTE for the address in t1 with flags (64-bit) */
.macro PUT_PTE table, idx, flags
    srli t1, t1, 12
    slli t1, t1, 10
    li t2, \flags
    or t1, t1, t2
    la t0, \table
    li t2, (\idx) * 8
    add t0, t0, t2
    sd t1, 0(t0)
.endm
.macro PTE_SYM table, idx, sym, flags
    la t1, \sym
    PUT_PTE \table, \idx, \flags
.endm
.macro PTE_ABS table, idx, pa, flags
    li t1, \pa
    PUT_PTE \table, \idx, \flags
.endm

/* S-mode: load from va, expect a load page fault (resume after) */
.macro LOAD_PF va
    li a1, \va
    EXPECT_TRAP
    ld a0, 0(a1)
    CHECK_TRAP(CAUSE_LOAD_PAGE)
.endm

TEST_BEGIN
    /* ---- page contents */
    li a0, 0x1111
    sd a0, pg_a, t0
    li a0, 0x2222
    sd a0, pg_b, t0
    li a0, PA_MEGA1 + 0x1000
    li a1, 0x3333
    sd a1, 0(a0)
    li a0, PA_MEGA2 + 0x1000
    li a1, 0x4444
    sd a1, 0(a0)
    la t0, napot_blk                       /* word i of each page = page number */
    li t1, 0
1:  sd t1, 8(t0)
    li t2, 0x1000
    add t0, t0, t2
    addi t1, t1, 1
    li t2, 16
    bne t1, t2, 1b

    /* ---- Sv39 tree */
    PTE_ABS root, 2, 0x80000000, (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
    PTE_SYM root, 1, l1, PTE_V
    PTE_SYM l1, 0, l0, PTE_V
    PTE_SYM l0, 0, pg_a, (LEAF_RW | PBMT_NC)
    PTE_SYM l0, 1, pg_a, (LEAF_RW | PBMT_IO)
    PTE_SYM l0, 2, pg_a, (LEAF_RW | PBMT_RSV)
    PTE_SYM l0, 3, pg_a, (LEAF_RW | (1 << 54))
    PTE_SYM l0, 4, pg_a, LEAF_RW
    li s0, 16
1:  la t1, napot_blk                       /* ppn[3:0] = 1000 in all 16 */
    li t2, 0x8000
    or t1, t1, t2
    PUT_PTE l0, 0, (PTE_V | PTE_R | PTE_W | PTE_N)   /* A = D = 0: set by the walk */
    li t2, 8                               /* move the entry to l0[s0] */
    mul t2, t2, s0
    la t3, l0
    add t3, t3, t2
    la t4, l0
    ld t5, 0(t4)
    sd t5, 0(t3)
    addi s0, s0, 1
    li t2, 32
    bne s0, t2, 1b
    PTE_SYM l0, 0, pg_a, (LEAF_RW | PBMT_NC)         /* l0[0] again */
    la t1, napot_blk
    li t2, 0x4000                          /* ppn[3:0] = 0100: reserved */
    or t1, t1, t2
    PUT_PTE l0, 32, (LEAF_RW | PTE_N)
    PTE_ABS l1, 1, 0x80200000, (LEAF_RW | PTE_N)     /* N in a megapage */
    PTE_SYM l1, 2, l0, (PTE_V | PBMT_NC)             /* PBMT in a non-leaf */
    PTE_SYM l1, 3, l0, (PTE_V | PTE_N)               /* N in a non-leaf */
    PTE_ABS l1, 4, PA_MEGA1, LEAF_RW
    la t0, root
    srli t0, t0, 12
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma

#ifndef EXT_OFF
    /* ---- Svpbmt: menvcfg.PBMTE writable; PBMT honoured only with it */
    li t0, MENVCFG_PBMTE
    csrs menvcfg, t0
    csrr a0, menvcfg
    and a0, a0, t0
    CHECK(a0, MENVCFG_PBMTE)
    GOTO_SMODE(1f)
1:  li a1, VA_NC
    ld a0, 0(a1)
    CHECK(a0, 0x1111)
    li a1, VA_IO
    ld a0, 0(a1)
    CHECK(a0, 0x1111)
    li a0, 0x5555
    sd a0, 0(a1)                           /* IO: stores too */
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 translates PBMT = 3, bits 60-54 and non-leaf PBMT */
    LOAD_PF VA_RSVPBMT
    LOAD_PF VA_RSVBITS
    LOAD_PF VA_PBMTNL
#endif
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    ld a0, pg_a
    CHECK(a0, 0x5555)
    li t0, 0x1111
    sd t0, pg_a, t1
    li t0, MENVCFG_PBMTE
    csrc menvcfg, t0                       /* PBMTE = 0: the same PTEs fault */
    GOTO_SMODE(1f)
1:
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 ignores menvcfg.PBMTE in the walk */
    LOAD_PF VA_NC
    LOAD_PF VA_IO
#endif
    li a1, VA_REMAP                        /* PBMT = 0 still works */
    ld a0, 0(a1)
    CHECK(a0, 0x1111)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- Svnapot: a 64 KiB page */
    GOTO_SMODE(1f)
1:  li a1, VA_NAPOT + 0x5000
    ld a0, 8(a1)
    CHECK(a0, 5)
    li a1, VA_NAPOT + 0xf000
    ld a0, 8(a1)
    CHECK(a0, 15)
    li a1, VA_NAPOT
    ld a0, 8(a1)
    CHECK(a0, 0)
    li a1, VA_NAPOT + 0xa000
    li a0, 0xabcd
    sd a0, 16(a1)
    LOAD_PF VA_NBAD
    LOAD_PF VA_NMEGA
    LOAD_PF VA_NNL
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    la t0, napot_blk
    li t1, 0xa010
    add t0, t0, t1
    ld a0, 0(t0)
    CHECK(a0, 0xabcd)                      /* the store reached the block */
    la t0, l0
    ld a0, 26 * 8(t0)                      /* the PTE of page 10: A and D set */
    andi a0, a0, PTE_A | PTE_D
    CHECK(a0, PTE_A | PTE_D)

    /* ---- sfence.vma of one address drops every piece of a megapage */
    GOTO_SMODE(1f)
1:  li a1, VA_MEGA + 0x1000
    ld a0, 0(a1)
    CHECK(a0, 0x3333)
    li t1, PA_MEGA2                        /* remap the megapage ... */
    PUT_PTE l1, 4, LEAF_RW
    li a2, VA_MEGA
    sfence.vma a2                          /* ... fenced at another 4 KiB page of it */
    ld a0, 0(a1)
    CHECK(a0, 0x4444)

    /* ---- Svinval */
    li a1, VA_REMAP
    ld a0, 0(a1)
    CHECK(a0, 0x1111)
    PTE_SYM l0, 4, pg_b, LEAF_RW
    SFENCE_W_INVAL
    SINVAL_VMA(a1, x0)
    SFENCE_INVAL_IR
    ld a0, 0(a1)
    CHECK(a0, 0x2222)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    SFENCE_W_INVAL                         /* M-mode */
    SINVAL_VMA(x0, x0)
    SFENCE_INVAL_IR
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    GOTO_SMODE(1f)
1:  SFENCE_W_INVAL                         /* TVM does not apply to these two */
    SFENCE_INVAL_IR
    EXPECT_TRAP
    SINVAL_VMA(x0, x0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    li t0, MSTATUS_TVM
    csrc mstatus, t0
    csrw satp, zero                        /* U-mode runs untranslated from here */
    sfence.vma
    GOTO_UMODE(1f)
1:
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 runs these two in U-mode */
    EXPECT_TRAP
    SFENCE_W_INVAL
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    SFENCE_INVAL_IR
    CHECK_TRAP(CAUSE_ILLEGAL)
#endif
    EXPECT_TRAP
    SINVAL_VMA(x0, x0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_U)

    /* ---- Zihpm: hpmcounter3..31 behind mcounteren/scounteren */
    csrr a0, hpmcounter3
    CHECK(a0, 0)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 has hpmcounter3-18 (pmu-num=16) */
    csrr a0, hpmcounter31
    CHECK(a0, 0)
#endif
    li t0, 1 << 3
    csrc mcounteren, t0
    csrs scounteren, t0
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    csrr a0, hpmcounter3
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    li t0, 1 << 3
    csrs mcounteren, t0
    csrc scounteren, t0
    GOTO_SMODE(1f)
1:  csrr a0, hpmcounter3                   /* S: mcounteren is enough */
    CHECK(a0, 0)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    GOTO_UMODE(1f)
1:  EXPECT_TRAP
    csrr a0, hpmcounter3                   /* U: scounteren too */
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_U)
    li t0, 1 << 3
    csrs scounteren, t0
    GOTO_UMODE(1f)
1:  csrr a0, hpmcounter3
    CHECK(a0, 0)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_U)
#else
    /* ---- the extensions switched off */
    li t0, MENVCFG_PBMTE
    csrs menvcfg, t0
    csrr a0, menvcfg
    and a0, a0, t0
    CHECK(a0, 0)                           /* PBMTE is read-only 0 */
    GOTO_SMODE(1f)
1:  LOAD_PF VA_NC                          /* PBMT bits reserved */
    LOAD_PF VA_IO
    LOAD_PF (VA_NAPOT + 0x5000)            /* N reserved */
    li a1, VA_REMAP
    ld a0, 0(a1)
    CHECK(a0, 0x1111)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    EXPECT_TRAP
    SINVAL_VMA(x0, x0)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    SFENCE_W_INVAL
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    SFENCE_INVAL_IR
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a0, hpmcounter3
    CHECK_TRAP(CAUSE_ILLEGAL)
#endif
    csrw satp, zero
    sfence.vma
TEST_END

    .data
    .align 12
pg_a:   .fill 4096, 1, 0
pg_b:   .fill 4096, 1, 0
root:   .fill 4096, 1, 0
l1:     .fill 4096, 1, 0
l0:     .fill 4096, 1, 0
    .bss
    .align 16
napot_blk: .space 65536
