/*
 * pmp.S: physical memory protection, enforced (privileged spec 1.12,
 * section 3.7; 16 entries, granularity 4 bytes, as QEMU's virt).
 *
 * Covers: NAPOT, TOR (entry 0 with base 0, entry 1 with base pmpaddr0) and
 * NA4 ranges; R/W/X for loads (cause 5), stores and AMOs (7) and fetches
 * (1) with mtval = the address; the lowest-numbered matching entry decides;
 * an access only partly inside the lowest entry it touches fails; S-mode
 * accesses that match no entry fail, M-mode ones succeed; M-mode ignores
 * unlocked entries but honours locked ones; mstatus.MPRV makes M-mode loads
 * checked as MPP; a PMP change reaches accesses whose page was already in
 * a TLB, and code already decoded (a block that ran before, now cut by a
 * boundary inside its page, faults at the first denied instruction); a
 * boundary inside a page is checked at every access (no caching of the
 * allowed half); the page walk's own accesses are checked as S-mode (a
 * denied page-table page gives an access fault of the original access's
 * kind, not a page fault; so does a denied A/D update); the L bit: a
 * locked entry's pmpcfg byte and pmpaddr, and the pmpaddr below a locked
 * TOR entry, ignore writes; entries 16-63 read 0.
 *
 * The catch-all entry (all memory, RWX) lives in entry 15, so that entries
 * 0-14 take precedence over it.
 */
#include "test.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80

#define SATP_SV39 (8 << 60)

/* pmpcfg bytes */
#define P_R 0x01
#define P_W 0x02
#define P_X 0x04
#define P_TOR 0x08
#define P_NA4 0x10
#define P_NAPOT 0x18
#define P_L 0x80

#define CATCHALL ((P_NAPOT | P_R | P_W | P_X) << 56) /* pmpcfg2: entry 15 */

/* pmpaddrN = NAPOT range of `size` bytes at sym */
.macro PMP_NAPOT n, sym, size
    la t0, \sym
    srli t0, t0, 2
    ori t0, t0, (\size / 8 - 1)
    csrw pmpaddr\n, t0
.endm
/* pmpaddrN = (sym + off) >> 2 */
.macro PMP_ADDR n, sym, off
    la t0, \sym + \off
    srli t0, t0, 2
    csrw pmpaddr\n, t0
.endm
.macro PMPCFG0 v
    li t0, \v
    csrw pmpcfg0, t0
.endm

/* table[idx] = PTE for the address of sym, flags */
.macro PTE table, idx, sym, flags
    la t1, \sym
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, \flags
    la t0, \table
    sd t1, (\idx * 8)(t0)
.endm

TEST_BEGIN
    /* ---- the catch-all moves from entry 0 to entry 15 */
    li t0, -1
    csrw pmpaddr15, t0
    li t0, CATCHALL
    csrw pmpcfg2, t0
    csrw pmpcfg0, zero

    /* ---- entries 16-63 do not exist: their CSRs read 0 */
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 keeps all 64 bits of pmpaddr */
    li t0, -1
    csrw pmpaddr14, t0
    csrr a0, pmpaddr14
    CHECK(a0, 0x003fffffffffffff)           /* 54 bits: physical address bits 55:2 */
    csrw pmpaddr14, zero
#endif
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 has no CSRs past pmpaddr15/pmpcfg3 */
    li t0, -1
    csrw pmpaddr16, t0
    csrr a0, pmpaddr16
    CHECK(a0, 0)
    csrw pmpaddr63, t0
    csrr a0, pmpaddr63
    CHECK(a0, 0)
    li t0, 0x1f1f1f1f1f1f1f1f
    csrw pmpcfg4, t0
    csrr a0, pmpcfg4
    CHECK(a0, 0)
    csrw pmpcfg14, t0
    csrr a0, pmpcfg14
    CHECK(a0, 0)
#endif

    /* ---- NAPOT, read-only page: loads pass, stores and AMOs fault */
    PMP_NAPOT 0, buf0, 4096
    PMPCFG0 (P_NAPOT | P_R)
    la s0, buf0
    li s1, 0x1234
    sd s1, 0(s0)                            /* M-mode: unlocked entries do not apply */
    GOTO_SMODE(1f)
1:  ld a0, 0(s0)
    CHECK(a0, 0x1234)
    li t0, 4088
    add t0, t0, s0
    ld a0, 0(t0)
    CHECK(a0, 0)
    EXPECT_TRAP
    sd s1, 8(s0)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    addi t0, s0, 8
    CHECK_TVAL_REG(t0)
    EXPECT_TRAP
    amoadd.d a0, s1, (s0)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    CHECK_TVAL_REG(s0)
    EXPECT_TRAP
    lr.d a0, (s0)                           /* LR only reads: allowed */
    CHECK(a0, 0x1234)
    ld a0, trap_cause
    CHECK(a0, -1)                           /* no trap */
    sd zero, trap_mode, t0
    /* just below and above the entry: the catch-all (entry 15) */
    sd s1, -8(s0)
    li t0, 4096
    add t0, t0, s0
    sd s1, 0(t0)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- a PMP change reaches a page already in the TLB */
    PMPCFG0 (P_NAPOT | P_R | P_W)
    GOTO_SMODE(1f)
1:  sd s1, 16(s0)
    ld a0, 16(s0)
    CHECK(a0, 0x1234)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    PMPCFG0 (P_NAPOT)                       /* no permission at all */
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    ld a0, 16(s0)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    addi t0, s0, 16
    CHECK_TVAL_REG(t0)
    EXPECT_TRAP
    sd s1, 16(s0)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- priority: the lowest-numbered matching entry decides */
    PMP_NAPOT 1, buf0, 4096
    PMPCFG0 (((P_NAPOT | P_R | P_W | P_X) << 8) | P_NAPOT | P_R)
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    sd s1, 24(s0)                           /* entry 0 (R) wins over entry 1 (RWX) */
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    PMPCFG0 (((P_NAPOT | P_R) << 8) | P_NAPOT | P_R | P_W)
    GOTO_SMODE(1f)
1:  sd s1, 24(s0)                           /* entry 0 (RW) wins over entry 1 (R) */
    ld a0, 24(s0)
    CHECK(a0, 0x1234)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- TOR, entry 1: [pmpaddr0, pmpaddr1), a boundary inside a page */
    PMP_ADDR 0, buf1, 0x100
    PMP_ADDR 1, buf1, 0x200
    PMPCFG0 (P_TOR << 8)                    /* entry 0 OFF (only a base), entry 1 TOR, no permission */
    la s2, buf1
    GOTO_SMODE(1f)
1:  ld a0, 0xf8(s2)                         /* below: the catch-all */
    ld a0, 0x200(s2)                        /* at the top: outside */
    EXPECT_TRAP
    ld a0, 0x100(s2)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    addi t0, s2, 0x100
    CHECK_TVAL_REG(t0)
    ld a0, 0x200(s2)                        /* the allowed part again ... */
    sd s1, 0x208(s2)
    EXPECT_TRAP
    ld a0, 0x1f8(s2)                        /* ... did not open the page */
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    EXPECT_TRAP
    sd s1, 0x1f8(s2)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- TOR, entry 0: [0, pmpaddr0), read and execute only */
    PMPCFG0 (P_TOR | P_R | P_X)
    GOTO_SMODE(1f)
1:  ld a0, 0xf8(s2)
    EXPECT_TRAP
    sd s1, 0xf8(s2)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    sd s1, 0x100(s2)                        /* at pmpaddr0: outside */
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- NA4, and accesses only partly inside an entry */
    PMP_ADDR 0, buf2, 8
    PMPCFG0 (P_NA4)
    la s3, buf2
    GOTO_SMODE(1f)
1:  lw a0, 4(s3)
    lw a0, 12(s3)
    ld a0, 0(s3)
    EXPECT_TRAP
    lw a0, 8(s3)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    EXPECT_TRAP
    ld a0, 8(s3)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    EXPECT_TRAP
    sh s1, 10(s3)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    PMP_ADDR 0, buf2, 12
    PMPCFG0 (P_NA4 | P_R | P_W | P_X)       /* entry 0 allows all, but on 4 bytes only */
    GOTO_SMODE(1f)
1:  lw a0, 12(s3)
    sw s1, 12(s3)
    EXPECT_TRAP
    ld a0, 8(s3)                            /* bytes 8-15: partly in entry 0 */
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    EXPECT_TRAP
    sd s1, 8(s3)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    EXPECT_TRAP
    amoswap.d a0, s1, (s3) /* bytes 0-7: no entry but the catch-all */
    ld a0, trap_cause
    CHECK(a0, -1)
    sd zero, trap_mode, t0
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)

    /* ---- no entry matches: S fails, M succeeds; MPRV checks as MPP */
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero                      /* no entry at all */
    ld a0, 0(s0)
    sd a0, 0(s0)
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV | (PRV_S << 11)
    EXPECT_TRAP
    csrs mstatus, t0
    ld a0, 0(s0)                            /* as S: no entry matches */
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    li t0, CATCHALL
    csrw pmpcfg2, t0
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    CHECK_TVAL_REG(s0)

    /* ---- fetch: a block that ran before, then X removed */
    la s4, fpage
    GOTO_SMODE(1f)
1:  li a0, 0
    jalr s4
    CHECK(a0, 8)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    PMP_NAPOT 0, fpage, 4096
    PMPCFG0 (P_NAPOT | P_R)
    GOTO_SMODE(1f)
1:  EXPECT_TRAP_AT(2f)
    jalr s4
    FAIL_HERE
2:  CHECK_TRAP(CAUSE_FETCH_ACCESS)
    CHECK_TVAL_REG(s4)
    CHECK_EPC_REG(s4)
    li a0, 0
    jalr s4                                 /* M-mode: the unlocked entry does not apply */
    CHECK(a0, 8)
    /* a boundary inside the code page: the first four instructions run */
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 runs the whole function past the boundary */
    PMP_NAPOT 0, fpage + 16, 16
    GOTO_SMODE(1f)
1:  li a0, 0
    EXPECT_TRAP_AT(2f)
    jalr s4
    FAIL_HERE
2:  CHECK_TRAP(CAUSE_FETCH_ACCESS)
    addi t0, s4, 16
    CHECK_EPC_REG(t0)
    CHECK_TVAL_REG(t0)
    CHECK(a0, 4)
#endif
    csrw pmpcfg0, zero

    /* ---- the page walk's accesses are checked as S-mode */
    la t0, root
    li t1, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    sd t1, 16(t0)                           /* identity 1 GiB at 0x80000000 */
    PTE root, 1, ptl1, PTE_V                /* 0x40000000 -> ptl1 -> ptl0 */
    PTE ptl1, 0, ptl0, PTE_V
    PTE ptl0, 0, buf3, (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
    PTE ptl0, 1, buf3, (PTE_V | PTE_R | PTE_W)           /* A = D = 0 */
    PTE ptl0, 2, buf3, (PTE_V | PTE_R | PTE_W | PTE_A)   /* D = 0 */
    la t0, root
    srli t0, t0, 12
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li s5, 0x40000000
    PMP_NAPOT 0, ptl1, 4096
    PMPCFG0 (P_NAPOT | P_R)                 /* the middle table: read-only */
    GOTO_SMODE(1f)
1:  ld a0, 0(s5)
    sd s1, 0(s5)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    PMPCFG0 (P_NAPOT)                       /* the middle table: no access */
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    ld a0, 0(s5)
    CHECK_TRAP(CAUSE_LOAD_ACCESS)           /* not a page fault */
    CHECK_TVAL_REG(s5)
    EXPECT_TRAP
    sd s1, 0(s5)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
#ifndef QEMU72_QUIRKS   /* QEMU 7.2 does not check the A/D update against PMP */
    PMP_NAPOT 0, ptl0, 4096
    PMPCFG0 (P_NAPOT | P_R)                 /* the last table: read-only */
    GOTO_SMODE(1f)
1:  ld a0, 0(s5)                            /* A and D already set */
    EXPECT_TRAP
    li t0, 0x40001000
    ld a0, 0(t0)                            /* A must be set: a store to the PTE */
    CHECK_TRAP(CAUSE_LOAD_ACCESS)
    li t0, 0x40001000
    CHECK_TVAL_REG(t0)
    li s7, 0x40002000
    ld a0, 0(s7)                       /* A set, D clear: a load needs no update */
    EXPECT_TRAP
    sd s1, 0(s7)                       /* D must be set */
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    ld a0, ptl0 + 8
    andi a0, a0, PTE_A
    CHECK(a0, 0)                            /* the PTE was not written */
#endif
    /* the root table denied: even the fetch's walk fails */
    PMP_NAPOT 0, root, 4096
    PMPCFG0 (P_NAPOT)
    EXPECT_TRAP_AT(2f)
    GOTO_SMODE(1f)
1:  FAIL_HERE
2:  CHECK_TRAP(CAUSE_FETCH_ACCESS)
    csrw pmpcfg0, zero
    csrw satp, zero
    sfence.vma

    /* ---- the L bit (last: a locked entry stays until reset) */
    PMP_ADDR 11, lockbuf, 0
    PMP_ADDR 12, lockbuf, 16
    li t0, CATCHALL | ((P_L | P_TOR | P_R) << 32)   /* entry 12: [lockbuf, +16) locked, R */
    csrw pmpcfg2, t0
    la s6, lockbuf
    ld a0, 0(s6)
    EXPECT_TRAP
    sd s1, 0(s6)                            /* locked entries apply to M-mode */
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    CHECK_TVAL_REG(s6)
    sd s1, 16(s6)                           /* the rest of the page ... */
    ld a0, 16(s6)
    EXPECT_TRAP
    sw s1, 12(s6)                           /* ... does not open the entry */
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    csrw pmpaddr12, zero                    /* the locked entry's address */
    csrr a0, pmpaddr12
    la t0, lockbuf + 16
    srli t0, t0, 2
    CHECK_REG(a0, t0)
    csrw pmpaddr11, zero                    /* the base of a locked TOR entry */
    csrr a0, pmpaddr11
    la t0, lockbuf
    srli t0, t0, 2
    CHECK_REG(a0, t0)
    li t0, CATCHALL | ((P_NAPOT | P_R | P_W | P_X) << 32) | (P_NA4 << 40)
    csrw pmpcfg2, t0                        /* the locked byte keeps its value, the others change */
    csrr a0, pmpcfg2
    CHECK(a0, CATCHALL | ((P_L | P_TOR | P_R) << 32) | (P_NA4 << 40))
    li t0, CATCHALL | ((P_L | P_TOR | P_R) << 32)
    csrw pmpcfg2, t0
    GOTO_SMODE(1f)
1:  ld a0, 0(s6)
    EXPECT_TRAP
    sd s1, 0(s6)
    CHECK_TRAP(CAUSE_STORE_ACCESS)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
TEST_END

    /* Eight increments, at fpage + 0, 4, ... 28, then return. */
    .section .text.fpage, "ax", @progbits
    .align 12
    .option push
    .option norvc                           /* 4 bytes each */
fpage:
    .rept 8
    addi a0, a0, 1
    .endr
    ret
    .option pop
    .align 12

    .data
    .align 12
buf0:   .fill 4096, 1, 0
buf1:   .fill 4096, 1, 0
buf2:   .fill 4096, 1, 0
buf3:   .fill 4096, 1, 0
root:   .fill 4096, 1, 0
ptl1:   .fill 4096, 1, 0
ptl0:   .fill 4096, 1, 0
lockbuf: .fill 4096, 1, 0
