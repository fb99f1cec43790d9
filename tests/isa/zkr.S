/*
 * zkr.S: the Zkr entropy source (scalar cryptography spec v1.0.1, section
 * 4 "Entropy Source": the seed CSR 0x015, mseccfg.SSEED/USEED 0x747).
 *
 * Zkr is off by default in rivet (host entropy would make batch runs
 * differ; see cpu/README.md), so the default build checks that: seed and
 * mseccfg are illegal. Built with -DZKR_ON (tests/guest/zkr.sh runs it
 * with -cpu rv64,zkr=on; with -DQEMU72_QUIRKS too it passes on
 * qemu-system-riscv64 7.2 with -cpu rv64,zkr=on, which sign-extends the
 * value and has mseccfg only with its experimental ePMP, so the mseccfg
 * and S/U checks are left out there), it checks:
 * - M-mode: csrrw seed returns OPST = ES16 (bits 31:30 = 10), bits 29:16
 *   zero and 16 bits of entropy (eight reads are not all equal); the value
 *   written is ignored; a read-only access (csrr = csrrs rs1 = x0,
 *   csrrsi/csrrci uimm 0) is illegal, csrrs with rs1 != x0 is not;
 * - mseccfg: SSEED (bit 9) and USEED (bit 8) writable, others read 0;
 * - S-mode: seed illegal unless mseccfg.SSEED; U-mode unless USEED (SSEED
 *   alone does not open U).
 */
#include "test.h"

#define CSR_SEED    0x015
#define CSR_MSECCFG 0x747
#define SSEED (1 << 9)
#define USEED (1 << 8)

/* a0 = seed, read with csrrw (the write is ignored). The spec zero-extends
 * the 32-bit value; QEMU 7.2 sign-extends it (ES16 has bit 31 set). */
#ifndef QEMU72_QUIRKS
#define READ_SEED csrrw a0, CSR_SEED, zero
#define ZEXT(r)
#else
#define READ_SEED csrrw a0, CSR_SEED, zero; ZEXT(a0)
#define ZEXT(r) slli r, r, 32; srli r, r, 32
#endif

TEST_BEGIN
#ifndef ZKR_ON
    EXPECT_TRAP
    READ_SEED
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrr a0, CSR_MSECCFG
    CHECK_TRAP(CAUSE_ILLEGAL)
#else
    /* ---- M-mode: ES16 and 16 bits that change */
    READ_SEED
    srli a1, a0, 16
    CHECK(a1, 0x8000)                      /* OPST = ES16, bits 29:16 = 0 */
    li s0, 0                               /* OR of the differences from the first */
    mv s1, a0
    li s2, 7
1:  READ_SEED
    srli a1, a0, 16
    CHECK(a1, 0x8000)
    xor a1, a0, s1
    or s0, s0, a1
    addi s2, s2, -1
    bnez s2, 1b
    sltu a1, zero, s0
    CHECK(a1, 1)                           /* not eight equal reads */
    li t0, -1
    csrrw a0, CSR_SEED, t0                 /* the written value is ignored */
    ZEXT(a0)
    srli a1, a0, 16
    CHECK(a1, 0x8000)
    csrrs a0, CSR_SEED, t0                 /* rs1 != x0: a write */
    ZEXT(a0)
    srli a1, a0, 16
    CHECK(a1, 0x8000)
    EXPECT_TRAP
    csrr a0, CSR_SEED                      /* read-only access */
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrrsi a0, CSR_SEED, 0
    CHECK_TRAP(CAUSE_ILLEGAL)
    EXPECT_TRAP
    csrrci a0, CSR_SEED, 0
    CHECK_TRAP(CAUSE_ILLEGAL)

#ifndef QEMU72_QUIRKS   /* QEMU 7.2 has mseccfg only with its experimental ePMP */
    /* ---- mseccfg */
    li t0, -1
    csrw CSR_MSECCFG, t0
    csrr a0, CSR_MSECCFG
    andi a0, a0, SSEED | USEED
    CHECK(a0, SSEED | USEED)
    csrw CSR_MSECCFG, zero
    csrr a0, CSR_MSECCFG
    CHECK(a0, 0)

    /* ---- S and U */
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    READ_SEED
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    li t0, SSEED
    csrw CSR_MSECCFG, t0
    GOTO_SMODE(1f)
1:  READ_SEED
    srli a1, a0, 16
    CHECK(a1, 0x8000)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
    GOTO_UMODE(1f)
1:  EXPECT_TRAP
    READ_SEED                              /* SSEED does not open U */
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_U)
    li t0, USEED
    csrw CSR_MSECCFG, t0
    GOTO_UMODE(1f)
1:  READ_SEED
    srli a1, a0, 16
    CHECK(a1, 0x8000)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_U)
    GOTO_SMODE(1f)
1:  EXPECT_TRAP
    READ_SEED                              /* USEED alone does not open S */
    CHECK_TRAP(CAUSE_ILLEGAL)
    BACK_TO_M(2f)
2:  CHECK_TRAP(CAUSE_ECALL_S)
#endif
#endif
TEST_END
