/* cpu/riscv/cbo.c: the cache-block operations of Zicbom and Zicboz
 * (RISC-V Base Cache Management Operation ISA Extensions 1.0.1).
 *
 * rivet has no data cache: every access is coherent, so cbo.clean,
 * cbo.flush and cbo.inval change no memory; what they keep is their
 * permission rules. cbo.zero writes 64 zero bytes. The block size is 64
 * bytes for both (riscv,cbom-block-size and riscv,cboz-block-size in the
 * device tree, Zic64b), as QEMU virt's default.
 *
 *  - Enables (spec 2.5.1 and the table of 2.5): in S-mode a cbo is an
 *    illegal instruction unless menvcfg enables it (CBIE != 00 for inval,
 *    CBCFE for clean/flush, CBZE for zero); in U-mode both menvcfg and
 *    senvcfg must. M-mode always may. (No hypervisor: no virtual-instruction
 *    cases.) cbo.inval may run as a flush (CBIE = 01) or an invalidate (11):
 *    the same here.
 *  - Faults: the block's address (rs1 rounded down to 64 bytes, as QEMU
 *    reports it) is what xtval gets. A management op is allowed when a
 *    load or a store to the block would be; otherwise it raises the store's
 *    page fault or access fault (spec 2.5.3: "store/AMO" faults). cbo.zero
 *    is a store of the whole block: store page/access faults, A and D set,
 *    and code decoded from the block is invalidated like any store.
 */
#include "cpu/riscv/hart.h"
#include "cpu/riscv/mmu.h"

#define ENVCFG_CBIE (3ull << 4)
#define ENVCFG_CBCFE (1ull << 6)
#define ENVCFG_CBZE (1ull << 7)

/* Is the op enabled for the current privilege? */
static bool enabled(const struct rv_hart *h, unsigned op)
{
    if (h->priv == RV_PRIV_M)
        return true;
    uint64_t m = h->menvcfg, s = h->priv == RV_PRIV_U ? h->senvcfg : ~0ull;
    switch (op) {
    case 0: return (m & ENVCFG_CBIE) && (s & ENVCFG_CBIE);
    case 1: case 2: return (m & ENVCFG_CBCFE) && (s & ENVCFG_CBCFE);
    default: return (m & ENVCFG_CBZE) && (s & ENVCFG_CBZE);
    }
}

int rv_cbo(struct rv_hart *h, unsigned op, uint64_t va)
{
    if (!enabled(h, op))
        return -1;
    va &= ~(uint64_t)(RV_CBO_BLOCK - 1);
    if (op == 4) {
        int r = 0;
        for (unsigned i = 0; i < RV_CBO_BLOCK; i += 8) {
            int c = rv_store_slow(h, va + i, 8, 0);
            if (c == 1) {
                h->exc_tval = va; /* the block, even if a later dword faulted */
                return 1;
            }
            r |= c;
        }
        return r;
    }
    uint64_t pa;
    if (!rv_translate(h, va, RV_ACC_R, &pa))
        return 0;
    int c = rv_translate(h, va, RV_ACC_W, &pa);
    if (c) {
        h->exc_cause = (uint64_t)c;
        h->exc_tval = va;
        return 1;
    }
    return 0;
}
