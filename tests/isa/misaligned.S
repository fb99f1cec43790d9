/*
 * misaligned.S: misaligned loads and stores to RAM.
 *
 * The ISA lets an implementation either perform misaligned accesses or
 * raise address-misaligned exceptions (causes 4/6) for them.  rivet (like
 * QEMU) performs them in hardware, so this test expects NO trap and the
 * right data: every width of integer load (sign/zero extension) and store
 * at every misalignment within a doubleword, accesses crossing an 8-byte
 * boundary and a 4 KiB page boundary, FLW/FLD/FSW/FSD, compressed c.lw/
 * c.ld/c.sw/c.sd, and the same from U-mode.  Misaligned AMO/LR/SC are
 * covered in rva.S (those must trap).
 */
#include "test.h"

TEST_BEGIN
    la s0, buf
    /* fill buf[0..31] with bytes 0x80..0x9f */
    li t0, 0
    li t1, 0x80
1:  add t2, s0, t0
    sb t1, 0(t2)
    addi t0, t0, 1
    addi t1, t1, 1
    li t2, 32
    blt t0, t2, 1b

    /* ---- loads at every offset */
    lh a0, 1(s0)
    CHECK(a0, 0xffffffffffff8281)
    lhu a0, 7(s0)                          /* crosses 8 bytes */
    CHECK(a0, 0x8887)
    lw a0, 1(s0)
    CHECK(a0, 0xffffffff84838281)
    lw a0, 2(s0)
    CHECK(a0, 0xffffffff85848382)
    lwu a0, 3(s0)
    CHECK(a0, 0x86858483)
    lwu a0, 6(s0)                          /* crosses 8 bytes */
    CHECK(a0, 0x89888786)
    ld a0, 1(s0)
    CHECK(a0, 0x8887868584838281)
    ld a0, 4(s0)
    CHECK(a0, 0x8b8a898887868584)
    ld a0, 7(s0)
    CHECK(a0, 0x8e8d8c8b8a898887)

    /* ---- stores */
    addi s1, s0, 32
    sd zero, 0(s1)
    sd zero, 8(s1)
    sd zero, 16(s1)
    li a0, 0x1122334455667788
    sh a0, 1(s1)
    sw a0, 5(s1)                           /* crosses 8 bytes */
    sd a0, 11(s1)                          /* crosses 8 bytes */
    ld a1, 0(s1)
    CHECK(a1, 0x6677880000778800)
    ld a1, 8(s1)
    CHECK(a1, 0x4455667788000055)
    ld a1, 16(s1)
    CHECK(a1, 0x112233)
    ld a1, 11(s1)
    CHECK_REG(a1, a0)

    /* ---- across a page boundary */
    li t0, 4088
    add s2, s0, t0                         /* buf + 4088 */
    sd zero, 0(s2)
    sd zero, 8(s2)
    sd a0, 5(s2)                           /* bytes 4093..4100 */
    ld a1, 0(s2)
    CHECK(a1, 0x6677880000000000)
    ld a1, 8(s2)
    CHECK(a1, 0x1122334455)
    ld a1, 5(s2)
    CHECK_REG(a1, a0)
    lw a1, 6(s2)
    CHECK(a1, 0x44556677)
    lhu a1, 7(s2)
    CHECK(a1, 0x5566)

    /* ---- floating point */
    fld fa0, 3(s0)
    ld a1, 3(s0)
    CHECK_FD(fa0, 0x8a89888786858483)
    flw fa1, 5(s0)
    CHECK_FD(fa1, 0xffffffff88878685)
    fsd fa0, 17(s1)
    ld a1, 17(s1)
    CHECK(a1, 0x8a89888786858483)
    fsw fa1, 27(s1)
    lwu a1, 27(s1)
    CHECK(a1, 0x88878685)

    /* ---- compressed */
    addi a5, s0, 1
    c.lw a4, 0(a5)
    CHECK(a4, 0xffffffff84838281)
    c.ld a4, 8(a5)
    CHECK(a4, 0x908f8e8d8c8b8a89)
    addi a5, s1, 3
    li a3, 0x0102030405060708
    c.sd a3, 0(a5)
    c.sw a3, 8(a5)
    ld a4, 3(s1)
    CHECK_REG(a4, a3)
    lwu a4, 11(s1)
    CHECK(a4, 0x05060708)

    /* ---- from U-mode */
    GOTO_UMODE(2f)
2:  lw a1, 2(s0)
    CHECK(a1, 0xffffffff85848382)
    li a2, 0xcafef00d
    sw a2, 61(s0)
    lwu a1, 61(s0)
    CHECK(a1, 0xcafef00d)
    BACK_TO_M(3f)
3:  CHECK_TRAP(CAUSE_ECALL_U)
TEST_END

    .data
    .align 12
buf:
    .fill 4096, 1, 0
buf2:
    .fill 4096, 1, 0
