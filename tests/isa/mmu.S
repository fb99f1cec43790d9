/*
 * mmu.S: virtual memory (Sv39, Sv48, Sv57).
 *
 * Covers: S-mode execution under Sv39 through an identity 1 GiB page;
 * U-mode execution from a 4 KiB U page mapped at another address than its
 * physical one; 4 KiB pages, a 2 MiB megapage, a 1 GiB gigapage alias,
 * an Sv48 512 GiB terapage and an Sv57 256 TiB petapage (all checked
 * against the physical memory behind them); misaligned megapage and
 * gigapage leaves raise page faults; page faults delegated to S through
 * medeleg with the right scause (12 fetch, 13 load, 15 store) and stval =
 * the faulting virtual address: invalid PTE, store to a read-only page,
 * fetch from a non-executable page, W-without-R PTE, a non-leaf PTE at
 * the last level, non-canonical addresses (Sv39 and Sv48); permissions:
 * S load/store of a U page faults unless sstatus.SUM = 1, S never
 * executes a U page (even with SUM), U cannot touch S pages or execute
 * them, an execute-only page is unreadable unless sstatus.MXR = 1;
 * hardware A/D updates (A set by a load, D by a store, in the PTE in
 * memory); sfence.vma after changing a PTE makes the new mapping visible;
 * M-mode loads through translation with mstatus.MPRV (MPP = S succeeds,
 * MPP = U faults in M); switching satp between Sv39, Sv48 and Sv57 (the
 * wider modes reach addresses that are non-canonical in the narrower
 * ones), and satp reads back each mode (Sv57 must be supported).
 */
#include "test.h"

#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_A 0x40
#define PTE_D 0x80
#define LEAF_RWX (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define LEAF_RW  (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

#define SATP_SV39 (8 << 60)
#define SATP_SV48 (9 << 60)
#define SATP_SV57 (10 << 60)

#define VA_PAGE(n)    (0x40000000 + (n) * 0x1000)
#define VA_DATA       VA_PAGE(0)   /* S RW      -> pg_data  */
#define VA_RO         VA_PAGE(1)   /* S R       -> pg_ro    */
#define VA_USER       VA_PAGE(2)   /* U RW      -> pg_user  */
#define VA_XONLY      VA_PAGE(3)   /* S X       -> pg_xonly */
#define VA_INVALID    VA_PAGE(4)   /* V = 0                 */
#define VA_UCODE      VA_PAGE(5)   /* U RX      -> ucode    */
#define VA_AD         VA_PAGE(6)   /* S RW, A = D = 0 -> pg_ad */
#define VA_REMAP      VA_PAGE(7)   /* S R -> pg_a, then pg_b */
#define VA_WONLY      VA_PAGE(8)   /* W without R (reserved) */
#define VA_NONLEAF    VA_PAGE(9)   /* pointer at level 0    */
#define VA_MEGA       0x40200000   /* 2 MiB -> PA_MEGA      */
#define VA_MEGA_BAD   0x40400000   /* 2 MiB leaf, PPN misaligned */
#define VA_GIGA       0xc0000000   /* 1 GiB -> 0x80000000   */
#define VA_GIGA_BAD   0x100000000  /* 1 GiB leaf, PPN misaligned */
#define PA_MEGA       0x81000000
#define UCODE_OK      0x000        /* entry points in the U code page */
#define UCODE_SPAGE   0x100
#define UCODE_SEXEC   0x200
#define VA_SV48_ALIAS 0x8040000000      /* VPN3 = 1 -> the Sv39 tree */
#define VA_SV48_TERA  0x10080000000     /* VPN3 = 2: 512 GiB leaf at PA 0 */
#define VA_SV57_ALIAS 0x1000040000000   /* VPN4 = 1 -> the Sv48 tree */
#define VA_SV57_PETA  0x2000080000000   /* VPN4 = 2: 256 TiB leaf at PA 0 */

/* table[idx] = PTE for physical address in register t1, flags */
#define PUT_PTE(table, idx, flags) \
    srli t1, t1, 12; slli t1, t1, 10; ori t1, t1, flags; la t0, table; sd t1, ((idx) * 8)(t0)
#define PTE_SYM(table, idx, sym, flags)  la t1, sym; PUT_PTE(table, idx, flags)
#define PTE_ABS(table, idx, pa, flags)   li t1, pa; PUT_PTE(table, idx, flags)

#define DELEG ((1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE) | (1 << CAUSE_ECALL_U))

TEST_BEGIN
    /* ---- page contents */
    li a0, 0x1111111111111111
    sd a0, pg_data, t0
    li a0, 0x2222222222222222
    sd a0, pg_ro, t0
    li a0, 0x3333333333333333
    sd a0, pg_user, t0
    li a0, 0x4444444444444444
    sd a0, pg_xonly, t0
    li a0, 0x5555555555555555
    sd a0, pg_a, t0
    li a0, 0x6666666666666666
    sd a0, pg_b, t0
    li a0, 0x7777777777777777
    li t0, PA_MEGA + 0x1238
    sd a0, 0(t0)

    /* ---- Sv39 tree */
    PTE_ABS(root39, 2, 0x80000000, LEAF_RWX)         /* identity 1 GiB */
    PTE_ABS(root39, 3, 0x80000000, LEAF_RW)          /* alias at 0xc0000000 */
    PTE_ABS(root39, 4, 0x80200000, LEAF_RW)          /* misaligned 1 GiB */
    PTE_SYM(root39, 1, l1_39, PTE_V)                 /* 0x40000000.. */
    PTE_SYM(l1_39, 0, l0_39, PTE_V)
    PTE_ABS(l1_39, 1, PA_MEGA, LEAF_RW)              /* 2 MiB */
    PTE_ABS(l1_39, 2, PA_MEGA + 0x1000, LEAF_RW)     /* misaligned 2 MiB */
    PTE_SYM(l0_39, 0, pg_data, LEAF_RW)
    PTE_SYM(l0_39, 1, pg_ro, PTE_V | PTE_R | PTE_A)
    PTE_SYM(l0_39, 2, pg_user, LEAF_RW | PTE_U)
    PTE_SYM(l0_39, 3, pg_xonly, PTE_V | PTE_X | PTE_A)
    PTE_SYM(l0_39, 4, pg_data, LEAF_RW & ~PTE_V)
    PTE_SYM(l0_39, 5, ucode, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A)
    PTE_SYM(l0_39, 6, pg_ad, PTE_V | PTE_R | PTE_W)
    PTE_SYM(l0_39, 7, pg_a, PTE_V | PTE_R | PTE_A)
    PTE_SYM(l0_39, 8, pg_data, PTE_V | PTE_W | PTE_A | PTE_D)
    PTE_SYM(l0_39, 9, l0_39, PTE_V)
    /* ---- Sv48 and Sv57 roots reuse it */
    PTE_SYM(root48, 0, root39, PTE_V)
    PTE_SYM(root48, 1, root39, PTE_V)
    PTE_ABS(root48, 2, 0, LEAF_RW)                   /* 512 GiB leaf */
    PTE_SYM(root57, 0, root48, PTE_V)
    PTE_SYM(root57, 1, root48, PTE_V)
    PTE_ABS(root57, 2, 0, LEAF_RW)                   /* 256 TiB leaf */

    /* ---- satp accepts every mode */
    la s9, root57
    srli s9, s9, 12
    li a0, SATP_SV57
    or a0, a0, s9
    csrw satp, a0
    csrr a1, satp
    CHECK_REG(a1, a0)
    la s8, root48
    srli s8, s8, 12
    li a0, SATP_SV48
    or a0, a0, s8
    csrw satp, a0
    csrr a1, satp
    CHECK_REG(a1, a0)
    la s7, root39
    srli s7, s7, 12
    li a0, SATP_SV39
    or s7, s7, a0
    csrw satp, s7
    csrr a1, satp
    CHECK_REG(a1, s7)
    sfence.vma
    li a0, SATP_SV48
    or s8, s8, a0
    li a0, SATP_SV57
    or s9, s9, a0

    /* ---- M-mode with MPRV: translated loads */
    li a0, MSTATUS_MPP
    csrc mstatus, a0
    li a0, MSTATUS_MPRV | (PRV_S << 11)
    csrs mstatus, a0
    li t0, VA_DATA
    ld a1, 0(t0)
    li a0, MSTATUS_MPP | MSTATUS_MPRV
    csrc mstatus, a0
    CHECK(a1, 0x1111111111111111)
    li t0, VA_DATA
    EXPECT_TRAP                                      /* before MPRV: it stores */
    li a0, MSTATUS_MPRV                              /* MPP = U */
    csrs mstatus, a0
    ld a1, 0(t0)                                     /* S page from U */
    li a0, MSTATUS_MPRV
    csrc mstatus, a0
    CHECK_TRAP(CAUSE_LOAD_PAGE)
    CHECK_TVAL(VA_DATA)

    /* ---- into S-mode under Sv39 */
    li a0, DELEG
    csrw medeleg, a0
    GOTO_SMODE(1f)
1:  li s0, VA_DATA
    ld a0, 0(s0)
    CHECK(a0, 0x1111111111111111)
    li a1, 0x1212
    sd a1, 8(s0)
    ld a0, pg_data + 8                               /* identity view */
    CHECK(a0, 0x1212)

    /* read-only page */
    li s0, VA_RO
    ld a0, 0(s0)
    CHECK(a0, 0x2222222222222222)
    SEXPECT_TRAP
    sd a0, 16(s0)
    CHECK_STRAP(CAUSE_STORE_PAGE)
    CHECK_STVAL(VA_RO + 16)
    ld a0, pg_ro + 16
    CHECK(a0, 0)                                     /* nothing stored */

    /* invalid page */
    li s0, VA_INVALID
    SEXPECT_TRAP
2:  ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_INVALID)
    la a0, 2b
    CHECK_SEPC_REG(a0)
    SEXPECT_TRAP
    sw a0, 4(s0)
    CHECK_STRAP(CAUSE_STORE_PAGE)
    CHECK_STVAL(VA_INVALID + 4)
    SEXPECT_TRAP_AT(3f)
    jr s0
3:  CHECK_STRAP(CAUSE_FETCH_PAGE)
    CHECK_STVAL(VA_INVALID)
    CHECK_SEPC(VA_INVALID)

    /* fetch from a readable, non-executable page */
    SEXPECT_TRAP_AT(4f)
    li t0, VA_DATA + 0x40
    jr t0
4:  CHECK_STRAP(CAUSE_FETCH_PAGE)
    CHECK_STVAL(VA_DATA + 0x40)

    /* reserved W-without-R, non-leaf at level 0 */
    li s0, VA_WONLY
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_WONLY)
    li s0, VA_NONLEAF
    SEXPECT_TRAP
    ld a0, 8(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_NONLEAF + 8)

    /* U page from S: SUM */
    li s0, VA_USER
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_USER)
    SEXPECT_TRAP
    sd a0, 0(s0)
    CHECK_STRAP(CAUSE_STORE_PAGE)
    li a0, MSTATUS_SUM
    csrs sstatus, a0
    ld a0, 0(s0)
    CHECK(a0, 0x3333333333333333)
    li a1, 0x3434
    sd a1, 8(s0)
    ld a0, 8(s0)
    CHECK(a0, 0x3434)
    SEXPECT_TRAP_AT(5f)                              /* never executable */
    li t0, VA_UCODE
    jr t0
5:  CHECK_STRAP(CAUSE_FETCH_PAGE)
    CHECK_STVAL(VA_UCODE)
    li a0, MSTATUS_SUM
    csrc sstatus, a0

    /* execute-only page: MXR */
    li s0, VA_XONLY
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    li a0, MSTATUS_MXR
    csrs sstatus, a0
    ld a0, 0(s0)
    CHECK(a0, 0x4444444444444444)
    SEXPECT_TRAP
    sd a0, 0(s0)                                     /* MXR: loads only */
    CHECK_STRAP(CAUSE_STORE_PAGE)
    li a0, MSTATUS_MXR
    csrc sstatus, a0

    /* superpages */
    li s0, VA_MEGA
    li t0, 0x1238
    add s0, s0, t0
    ld a0, 0(s0)
    CHECK(a0, 0x7777777777777777)
    li a1, 0x7878
    sd a1, 8(s0)
    li s0, VA_MEGA_BAD
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_MEGA_BAD)
    la a0, pg_data
    li t0, 0x80000000 ^ VA_GIGA
    xor a0, a0, t0                                   /* pg_data via alias */
    ld a1, 0(a0)
    CHECK(a1, 0x1111111111111111)
    li s0, VA_GIGA_BAD
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_GIGA_BAD)

    /* non-canonical under Sv39 */
    li s0, VA_SV48_ALIAS
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)

    /* A/D bits set by hardware */
    ld a0, l0_39 + 6 * 8
    andi a0, a0, PTE_A | PTE_D
    CHECK(a0, 0)
    li s0, VA_AD
    ld a1, 0(s0)
    ld a0, l0_39 + 6 * 8
    andi a0, a0, PTE_A | PTE_D
    CHECK(a0, PTE_A)
    sd a1, 0(s0)
    ld a0, l0_39 + 6 * 8
    andi a0, a0, PTE_A | PTE_D
    CHECK(a0, PTE_A | PTE_D)

    /* sfence.vma after a PTE change */
    li s0, VA_REMAP
    ld a0, 0(s0)
    CHECK(a0, 0x5555555555555555)
    la t1, pg_b
    PUT_PTE(l0_39, 7, PTE_V | PTE_R | PTE_A)
    sfence.vma s0, zero
    ld a0, 0(s0)
    CHECK(a0, 0x6666666666666666)
    la t1, pg_a
    PUT_PTE(l0_39, 7, PTE_V | PTE_R | PTE_A)
    sfence.vma
    ld a0, 0(s0)
    CHECK(a0, 0x5555555555555555)

    /* ---- U-mode code at VA_UCODE */
    SEXPECT_TRAP_AT(6f)
    li a0, VA_UCODE + UCODE_OK
    csrw sepc, a0
    li a0, MSTATUS_SPP
    csrc sstatus, a0
    sret
6:  CHECK_STRAP(CAUSE_ECALL_U)
    CHECK(a0, 0x3434)                                /* U read its page */
    ld a1, pg_user + 16
    CHECK(a1, 0x5a5a)                                /* and wrote it */
    SEXPECT_TRAP_AT(7f)
    li a0, VA_UCODE + UCODE_SPAGE
    csrw sepc, a0
    li t0, VA_DATA
    sret
7:  CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(VA_DATA)
    CHECK_SEPC(VA_UCODE + UCODE_SPAGE)
    SEXPECT_TRAP_AT(8f)
    li a0, VA_UCODE + UCODE_SEXEC
    csrw sepc, a0
    sret
8:  CHECK_STRAP(CAUSE_FETCH_PAGE)
    la a0, ucode_target
    CHECK_STVAL_REG(a0)
    CHECK_SEPC_REG(a0)

    /* ---- Sv48 */
    csrw satp, s8
    sfence.vma
    li s0, VA_SV48_ALIAS
    ld a0, 0(s0)
    CHECK(a0, 0x1111111111111111)
    li s0, VA_SV48_TERA
    la a1, pg_data
    add s0, s0, a1
    li t0, 0x80000000
    sub s0, s0, t0
    ld a0, 0(s0)                                     /* 512 GiB page */
    CHECK(a0, 0x1111111111111111)
    li s0, VA_DATA
    ld a0, 0(s0)                                     /* low half as before */
    CHECK(a0, 0x1111111111111111)
    li s0, VA_SV57_ALIAS                             /* non-canonical */
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    li s0, 0xffff800000000000                        /* canonical, unmapped */
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    CHECK_STVAL(0xffff800000000000)

    /* ---- Sv57 */
    csrw satp, s9
    sfence.vma
    li s0, VA_SV57_ALIAS
    ld a0, 0(s0)
    CHECK(a0, 0x1111111111111111)
    li s0, VA_SV57_ALIAS + (VA_SV48_ALIAS - VA_DATA)  /* both extra levels */
    ld a0, 0(s0)
    CHECK(a0, 0x1111111111111111)
    li s0, VA_SV57_PETA
    la a1, pg_data
    add s0, s0, a1
    li t0, 0x80000000
    sub s0, s0, t0
    ld a0, 0(s0)                                     /* 256 TiB page */
    CHECK(a0, 0x1111111111111111)

    /* ---- back to Sv39 */
    csrw satp, s7
    sfence.vma
    li s0, VA_SV48_ALIAS
    SEXPECT_TRAP
    ld a0, 0(s0)
    CHECK_STRAP(CAUSE_LOAD_PAGE)
    li s0, VA_DATA
    ld a0, 0(s0)
    CHECK(a0, 0x1111111111111111)

    /* ---- back in M: physical view of what S wrote */
    li a0, 0
    BACK_TO_M(9f)
9:  CHECK_TRAP(CAUSE_ECALL_S)
    csrw satp, zero
    csrw medeleg, zero
    li t0, PA_MEGA + 0x1238 + 8
    ld a0, 0(t0)
    CHECK(a0, 0x7878)
TEST_END

/* U-mode snippets: run at VA_UCODE, so only pc-relative references
   inside this page; results are checked in S after the trap back. */
    .text
    .option push
    .option norelax
    .balign 4096
ucode:
    li t0, VA_USER
    ld a0, 8(t0)                                     /* 0x3434 */
    li t1, 0x5a5a
    sd t1, 16(t0)
    ecall
    .balign 256
    ld a1, 0(t0)                 /* t0 = VA_DATA, an S page: fault */
    ecall
    .balign 256
    ld t0, ucode_target_addr                         /* pc-relative */
    jr t0                                            /* S code: fault */
    .balign 8
ucode_target_addr:
    .dword ucode_target
    .balign 4096
ucode_target:
    ecall
    .option pop

    .bss
    .balign 4096
root39: .fill 512, 8, 0
l1_39:  .fill 512, 8, 0
l0_39:  .fill 512, 8, 0
root48: .fill 512, 8, 0
root57: .fill 512, 8, 0
pg_data:  .fill 4096, 1, 0
pg_ro:    .fill 4096, 1, 0
pg_user:  .fill 4096, 1, 0
pg_xonly: .fill 4096, 1, 0
pg_ad:    .fill 4096, 1, 0
pg_a:     .fill 4096, 1, 0
pg_b:     .fill 4096, 1, 0
