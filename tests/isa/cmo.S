/*
 * cmo.S: Zicbom, Zicboz and Zicbop (RISC-V Base Cache Management Operation
 * ISA Extensions 1.0.1; "CMO" below). QEMU 7.2 has none of them, so every
 * check cites the section it follows.
 *
 * Covers:
 *  - cbo.zero writes 64 zero bytes: the aligned block holding rs1 (CMO 2.2,
 *    cache block size 64 bytes as QEMU virt: Zic64b), bytes around it kept;
 *    cbo.clean/cbo.flush/cbo.inval change no memory (rivet has no cache:
 *    CMO 2.3, a hart without caches performs them as no-ops);
 *  - prefetch.i/r/w are ORI hints (CMO 2.4): no trap, even on an unmapped
 *    address;
 *  - menvcfg/senvcfg CBIE (5:4), CBCFE (6), CBZE (7) are writable, CBIE = 10
 *    (reserved) reads 00 (WARL, Privileged 3.1.18);
 *  - the enables (CMO 2.5.1 / the table in 2.5): in S-mode each cbo is an
 *    illegal instruction unless menvcfg enables it; in U-mode both menvcfg
 *    and senvcfg must; M-mode always may;
 *  - faults (CMO 2.5.3): under Sv39, cbo.zero to a read-only page raises a
 *    store page fault (15); cbo.clean/flush/inval to a readable page do not
 *    fault; to an invalid PTE they raise a store page fault; mtval is the
 *    block's (64-byte aligned) address, as QEMU reports it; cbo.zero in
 *    M-mode to an address with no memory raises a store access fault (7);
 *  - cbo.zero sets the PTE's D bit (it is a store: CMO 2.5.3);
 *  - code already run and then zeroed by cbo.zero is re-decoded: calling it
 *    again traps as an illegal instruction (the zero encoding).
 */
#include "test.h"
    .option arch, +zicbom, +zicboz, +zicbop

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define SATP_SV39 (8 << 60)
#define VA_RW   0x40000000
#define VA_RO   0x40001000
#define VA_INV  0x40002000
#define VA_CLEAN 0x40003000   /* RW, A = 1, D = 0 */

#define CBIE_FLUSH (1 << 4)
#define CBIE_INVAL (3 << 4)
#define CBCFE (1 << 6)
#define CBZE  (1 << 7)

#define PUT_PTE(table, idx, flags) \
    srli t1, t1, 12; slli t1, t1, 10; ori t1, t1, flags; la t0, table; sd t1, ((idx) * 8)(t0)
#define PTE_SYM(table, idx, sym, flags)  la t1, sym; PUT_PTE(table, idx, flags)
#define PTE_ABS(table, idx, pa, flags)   li t1, pa; PUT_PTE(table, idx, flags)

/* each op in the current mode traps as illegal */
#define ALL_ILLEGAL \
    EXPECT_TRAP; cbo.zero (s1); CHECK_TRAP(CAUSE_ILLEGAL); \
    EXPECT_TRAP; cbo.clean (s1); CHECK_TRAP(CAUSE_ILLEGAL); \
    EXPECT_TRAP; cbo.flush (s1); CHECK_TRAP(CAUSE_ILLEGAL); \
    EXPECT_TRAP; cbo.inval (s1); CHECK_TRAP(CAUSE_ILLEGAL)

TEST_BEGIN
    /* ---- cbo.zero in M-mode: fill 192 bytes with 0x5a, zero the middle block */
    la s1, buf
    li a0, 0x5a5a5a5a5a5a5a5a
    li a1, 24
1:  sd a0, 0(s1)
    addi s1, s1, 8
    addi a1, a1, -1
    bnez a1, 1b
    la s1, buf
    addi a2, s1, 64 + 13                 /* inside the second block */
    cbo.zero (a2)
    ld a3, 56(s1)
    CHECK(a3, 0x5a5a5a5a5a5a5a5a)
    ld a3, 64(s1)
    CHECK(a3, 0)
    ld a3, 120(s1)
    CHECK(a3, 0)
    ld a3, 128(s1)
    CHECK(a3, 0x5a5a5a5a5a5a5a5a)
    /* management ops leave memory alone */
    cbo.clean (s1)
    cbo.flush (s1)
    cbo.inval (s1)
    ld a3, 0(s1)
    CHECK(a3, 0x5a5a5a5a5a5a5a5a)
    /* prefetch hints: no trap on an unmapped address */
    li a2, 0x100
    prefetch.i 0(zero)
    prefetch.r 32(a2)
    prefetch.w -32(a2)
    /* cbo.zero where there is no memory: store access fault, tval = block */
    li a2, 0x28
    EXPECT_TRAP
    cbo.zero (a2)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    CHECK_TVAL(0)

    /* ---- menvcfg / senvcfg WARL */
    li a0, CBIE_INVAL | CBCFE | CBZE
    csrw menvcfg, a0
    csrr a1, menvcfg
    CHECK(a1, CBIE_INVAL | CBCFE | CBZE)
    li a0, (2 << 4) | CBZE               /* CBIE = 10: reserved */
    csrw menvcfg, a0
    csrr a1, menvcfg
    CHECK(a1, CBZE)
    li a0, CBIE_FLUSH | CBCFE
    csrw senvcfg, a0
    csrr a1, senvcfg
    CHECK(a1, CBIE_FLUSH | CBCFE)
    li a0, (2 << 4)
    csrw senvcfg, a0
    csrr a1, senvcfg
    CHECK(a1, 0)

    /* ---- enables: S-mode with menvcfg = 0 */
    csrw menvcfg, zero
    csrw senvcfg, zero
    GOTO_SMODE(1f)
1:  ALL_ILLEGAL
    BACK_TO_M(1f)
1:  li a0, CBIE_FLUSH | CBCFE | CBZE
    csrw menvcfg, a0
    GOTO_SMODE(1f)
1:  cbo.zero (s1)
    cbo.clean (s1)
    cbo.flush (s1)
    cbo.inval (s1)
    ld a3, 0(s1)
    CHECK(a3, 0)
    /* U-mode: senvcfg = 0 still disables */
    BACK_TO_M(1f)
1:  GOTO_UMODE(1f)
1:  ALL_ILLEGAL
    BACK_TO_M(1f)
1:  li a0, CBIE_INVAL | CBCFE | CBZE
    csrw senvcfg, a0
    li a0, 0x5a
    sb a0, 130(s1)
    GOTO_UMODE(1f)
1:  addi a2, s1, 130
    cbo.zero (a2)
    cbo.clean (s1)
    cbo.flush (s1)
    cbo.inval (s1)
    BACK_TO_M(1f)
1:  ld a3, 128(s1)
    CHECK(a3, 0)
    /* menvcfg off, senvcfg on: U-mode still illegal, one bit at a time */
    li a0, CBIE_FLUSH | CBCFE
    csrw menvcfg, a0                     /* CBZE off */
    GOTO_UMODE(1f)
1:  EXPECT_TRAP
    cbo.zero (s1)
    CHECK_TRAP(CAUSE_ILLEGAL)
    cbo.clean (s1)
    cbo.inval (s1)
    BACK_TO_M(1f)
1:  li a0, CBZE
    csrw menvcfg, a0                     /* CBIE and CBCFE off */
    GOTO_SMODE(1f)
1:  cbo.zero (s1)
    EXPECT_TRAP
    cbo.inval (s1)
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    cbo.clean (s1)
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(1f)

    /* ---- faults under Sv39 (S-mode, traps taken in M) */
1:  PTE_ABS(root, 2, 0x80000000, LEAF_RWX)           /* identity 1 GiB */
    PTE_SYM(root, 1, l1, PTE_V)
    PTE_SYM(l1, 0, l0, PTE_V)
    PTE_SYM(l0, 0, pg_rw, LEAF_RWX)
    PTE_SYM(l0, 1, pg_ro, PTE_V | PTE_R | PTE_A)
    PTE_SYM(l0, 2, pg_rw, 0)
    PTE_SYM(l0, 3, pg_rw, PTE_V | PTE_R | PTE_W | PTE_A)
    li a0, CBIE_INVAL | CBCFE | CBZE
    csrw menvcfg, a0
    la a0, root
    srli a0, a0, 12
    li a1, SATP_SV39
    or a0, a0, a1
    csrw satp, a0
    sfence.vma
    li a0, -1
    sd a0, pg_rw + 192, t0
    GOTO_SMODE(1f)
1:  li a2, VA_RW + 200
    cbo.zero (a2)
    ld a3, pg_rw + 192
    CHECK(a3, 0)
    li a2, VA_RO + 100
    cbo.clean (a2)                       /* readable: allowed */
    cbo.flush (a2)
    cbo.inval (a2)
    EXPECT_TRAP
    cbo.zero (a2)
    CHECK_TRAP(CAUSE_STORE_PAGE)
    CHECK_TVAL(VA_RO + 64)
    li a2, VA_INV + 0x7ff
    EXPECT_TRAP
    cbo.clean (a2)
    CHECK_TRAP(CAUSE_STORE_PAGE)
    CHECK_TVAL(VA_INV + 0x7c0)
    EXPECT_TRAP
    cbo.flush (a2)
    CHECK_TRAP(CAUSE_STORE_PAGE)
    EXPECT_TRAP
    cbo.inval (a2)
    CHECK_TRAP(CAUSE_STORE_PAGE)
    EXPECT_TRAP
    cbo.zero (a2)
    CHECK_TRAP(CAUSE_STORE_PAGE)
    CHECK_TVAL(VA_INV + 0x7c0)
    /* cbo.zero is a store: it sets D */
    li a2, VA_CLEAN
    cbo.zero (a2)
    BACK_TO_M(1f)
1:  csrw satp, zero
    sfence.vma
    ld a0, l0 + 3 * 8
    andi a0, a0, PTE_D
    CHECK(a0, PTE_D)

    /* ---- code run, then zeroed by cbo.zero: re-decoded */
    la s2, codebuf
    li a0, 0x00700513                    /* li a0, 7 */
    sw a0, 0(s2)
    li a0, 0x00008067                    /* ret */
    sw a0, 4(s2)
    fence.i
    li a0, 0
    jalr s2
    CHECK(a0, 7)
    cbo.zero (s2)
    fence.i
    EXPECT_TRAP_RESUME(1f)
    jalr s2
    FAIL_HERE
1:  CHECK_TRAP(CAUSE_ILLEGAL)
    CHECK_EPC_REG(s2)
TEST_END

    .data
    .balign 64
buf: .fill 192, 1, 0
    .balign 64
codebuf: .fill 64, 1, 0

    .bss
    .balign 4096
root: .fill 512, 8, 0
l1:   .fill 512, 8, 0
l0:   .fill 512, 8, 0
pg_rw: .fill 4096, 1, 0
pg_ro: .fill 4096, 1, 0
