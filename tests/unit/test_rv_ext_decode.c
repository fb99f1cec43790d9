/* tests/unit/test_rv_ext_decode.c: the decoder honours the extension mask
 * (-cpu rv64,NAME=off): every instruction of a switchable extension of
 * cpu/riscv/ext.h decodes with the default mask and is illegal once every
 * extension that provides it is off; an instruction shared by two
 * extensions (andn: Zbb or Zbkb) needs only one of them; Zcb's forms that
 * depend on Zbb or Zba are reserved without them (Zcb spec). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "cpu/riscv/decode.h"
#include "cpu/riscv/ext.h"

#define B(id) RV_EXT_BIT(id)

static const struct { uint32_t insn; uint64_t by; const char *what; } cases[] = {
    { 0x20b52633, B(ZBA), "sh1add a2,a0,a1" },
    { 0x20b54633, B(ZBA), "sh2add" },
    { 0x20b56633, B(ZBA), "sh3add" },
    { 0x08b5063b, B(ZBA), "add.uw" },
    { 0x20b5263b, B(ZBA), "sh1add.uw" },
    { 0x0855161b, B(ZBA), "slli.uw a2,a0,5" },
    { 0x40b57633, B(ZBB) | B(ZBKB), "andn" },
    { 0x40b56633, B(ZBB) | B(ZBKB), "orn" },
    { 0x40b54633, B(ZBB) | B(ZBKB), "xnor" },
    { 0x60051613, B(ZBB), "clz" },
    { 0x60151613, B(ZBB), "ctz" },
    { 0x60251613, B(ZBB), "cpop" },
    { 0x6005161b, B(ZBB), "clzw" },
    { 0x0ab56633, B(ZBB), "max" },
    { 0x0ab54633, B(ZBB), "min" },
    { 0x60451613, B(ZBB), "sext.b" },
    { 0x0805463b, B(ZBB) | B(ZBKB), "zext.h (packw rd, rs1, zero)" },
    { 0x60b51633, B(ZBB) | B(ZBKB), "rol" },
    { 0x60b55633, B(ZBB) | B(ZBKB), "ror" },
    { 0x60b5163b, B(ZBB) | B(ZBKB), "rolw" },
    { 0x60355613, B(ZBB) | B(ZBKB), "rori" },
    { 0x6035561b, B(ZBB) | B(ZBKB), "roriw" },
    { 0x28755613, B(ZBB), "orc.b" },
    { 0x6b855613, B(ZBB) | B(ZBKB), "rev8" },
    { 0x0ab51633, B(ZBC) | B(ZBKC), "clmul" },
    { 0x0ab53633, B(ZBC) | B(ZBKC), "clmulh" },
    { 0x0ab52633, B(ZBC), "clmulr" },
    { 0x48b51633, B(ZBS), "bclr" },
    { 0x48b55633, B(ZBS), "bext" },
    { 0x68b51633, B(ZBS), "binv" },
    { 0x28b51633, B(ZBS), "bset" },
    { 0x48351613, B(ZBS), "bclri" },
    { 0x28351613, B(ZBS), "bseti" },
    { 0x68755613, B(ZBKB), "brev8" },
    { 0x08b54633, B(ZBKB), "pack" },
    { 0x08b57633, B(ZBKB), "packh" },
    { 0x08b5463b, B(ZBKB), "packw" },
    { 0x28b52633, B(ZBKX), "xperm4" },
    { 0x28b54633, B(ZBKX), "xperm8" },
    { 0x0eb55633, B(ZICOND), "czero.eqz" },
    { 0x0eb57633, B(ZICOND), "czero.nez" },
    { 0x0005200f, B(ZICBOM), "cbo.inval (a0)" },
    { 0x0015200f, B(ZICBOM), "cbo.clean" },
    { 0x0025200f, B(ZICBOM), "cbo.flush" },
    { 0x0045200f, B(ZICBOZ), "cbo.zero" },
    { 0x00d00073, B(ZAWRS), "wrs.nto" },
    { 0x01d00073, B(ZAWRS), "wrs.sto" },
    { 0x81c54673, B(ZIMOP), "mop.r.0" },
    { 0xceb54673, B(ZIMOP), "mop.rr.7" },
    { 0x6081, B(ZCMOP), "c.mop.1" },
    { 0x8110, B(ZCB), "c.lbu" },
    { 0x8510, B(ZCB), "c.lhu" },
    { 0x8550, B(ZCB), "c.lh" },
    { 0x890c, B(ZCB), "c.sb" },
    { 0x8d0c, B(ZCB), "c.sh" },
    { 0x9e61, B(ZCB), "c.zext.b" },
    { 0x9e75, B(ZCB), "c.not" },
    { 0x9e4d, B(ZCB), "c.mul" },
};

static enum rv_op_kind dec(uint32_t insn, uint64_t mask)
{
    struct rv_op op;
    return rv_decode(insn, 0x80000000, mask, &op);
}

static void test_switch_off(void **state)
{
    (void)state;
    uint64_t all = rv_ext_default();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t by = cases[i].by;
        if (dec(cases[i].insn, all) == RV_OP_ILLEGAL)
            fail_msg("%s: illegal with the default extensions", cases[i].what);
        if (dec(cases[i].insn, all & ~by) != RV_OP_ILLEGAL)
            fail_msg("%s: decodes with its extension(s) off", cases[i].what);
        /* each provider alone is enough */
        for (unsigned b = 0; b < 64; b++)
            if ((by >> b & 1) && dec(cases[i].insn, (all & ~by) | 1ull << b) == RV_OP_ILLEGAL)
                fail_msg("%s: illegal with only %s on", cases[i].what, rv_ext_name(b));
    }
}

/* Zcb: c.sext.b, c.zext.h, c.sext.h need Zbb; c.zext.w needs Zba. */
static void test_zcb_dependencies(void **state)
{
    (void)state;
    uint64_t all = rv_ext_default();
    static const struct { uint16_t c; uint64_t needs; } dep[] = {
        { 0x9e65, B(ZBB) }, { 0x9e69, B(ZBB) }, { 0x9e6d, B(ZBB) }, { 0x9e71, B(ZBA) },
    };
    for (size_t i = 0; i < sizeof dep / sizeof dep[0]; i++) {
        assert_int_not_equal(dec(dep[i].c, all), RV_OP_ILLEGAL);
        assert_int_equal(dec(dep[i].c, all & ~dep[i].needs), RV_OP_ILLEGAL);
        assert_int_equal(dec(dep[i].c, all & ~B(ZCB)), RV_OP_ILLEGAL);
        assert_int_equal(rv_expand_compressed(dep[i].c, all & ~dep[i].needs), 0);
    }
    /* c.zext.b, c.not and c.mul need only Zcb */
    assert_int_not_equal(dec(0x9e61, all & ~(B(ZBB) | B(ZBA))), RV_OP_ILLEGAL);
    /* reserved Zcb encodings */
    assert_int_equal(dec(0x8d4c, all), RV_OP_ILLEGAL); /* c.sh with bit 6 */
    assert_int_equal(dec(0x9e79, all), RV_OP_ILLEGAL);
    assert_int_equal(dec(0x9e7d, all), RV_OP_ILLEGAL);
    /* c.lui x4, 0 is reserved even with Zcmop (only odd x1..x15) */
    assert_int_equal(dec(0x6201, all), RV_OP_ILLEGAL);
    assert_int_equal(dec(0x6881, all), RV_OP_ILLEGAL); /* x17 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switch_off),
        cmocka_unit_test(test_zcb_dependencies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
