/* cpu/riscv/ext.h: the ISA extensions a hart can offer, one table.
 *
 * Every extension rivet knows is one row of RV_EXTS, in the canonical order
 * of the ISA string (single letters IMAFDC first, then Z extensions grouped
 * by the letter they extend — i, m, a, f, d, c, b, k — alphabetical inside
 * a group, then S extensions alphabetically). A row is
 *
 *     X(ID, "name", STATE, "what it is")
 *
 * where STATE is
 *   BASE  always there (part of RV64GC or of what the hart always did);
 *         `-cpu rv64,NAME=off` is refused;
 *   ON    implemented and switchable, on by default;
 *   OFF   implemented and switchable, off by default;
 *   TODO  not implemented yet: not offered, refused by -cpu, never advertised.
 *
 * The set a machine uses is a bit mask (bit RV_EXT_ID) kept in the
 * translation cache (`rv_tcache.ext`, one set per machine: every hart is
 * the same); the decoder, the CSR file and the MMU test it with rv_ext().
 * The device tree's riscv,isa and riscv,isa-extensions come from the same
 * mask (rv_ext_isa_string, rv_ext_name).
 */
#ifndef RIVET_RV_EXT_H
#define RIVET_RV_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RV_EXTS(X) \
    X(I, "i", BASE, "base integer instructions") \
    X(M, "m", BASE, "integer multiply and divide") \
    X(A, "a", BASE, "atomics") \
    X(F, "f", BASE, "single precision") \
    X(D, "d", BASE, "double precision") \
    X(C, "c", BASE, "compressed instructions") \
    X(ZICBOM, "zicbom", ON, "cache-block management (cbo.clean, cbo.flush, cbo.inval)") \
    X(ZICBOP, "zicbop", ON, "cache-block prefetch hints") \
    X(ZICBOZ, "zicboz", ON, "cache-block zero (cbo.zero)") \
    X(ZICNTR, "zicntr", BASE, "cycle, time and instret counters") \
    X(ZICOND, "zicond", ON, "conditional zero (czero.eqz, czero.nez)") \
    X(ZICSR, "zicsr", BASE, "CSR instructions") \
    X(ZIFENCEI, "zifencei", BASE, "fence.i") \
    X(ZIHINTNTL, "zihintntl", ON, "non-temporal locality hints") \
    X(ZIHINTPAUSE, "zihintpause", BASE, "pause hint") \
    X(ZIHPM, "zihpm", ON, "hardware performance counters") \
    X(ZIMOP, "zimop", ON, "may-be-operations") \
    X(ZIC64B, "zic64b", ON, "64-byte cache blocks") \
    X(ZA64RS, "za64rs", ON, "64-byte reservation sets") \
    X(ZAWRS, "zawrs", ON, "wait on reservation set (wrs.nto, wrs.sto)") \
    X(ZFA, "zfa", ON, "additional floating-point instructions") \
    X(ZFH, "zfh", ON, "half precision") \
    X(ZFHMIN, "zfhmin", ON, "minimal half precision (loads, stores, conversions)") \
    X(ZCB, "zcb", ON, "more compressed instructions") \
    X(ZCMOP, "zcmop", ON, "compressed may-be-operations") \
    X(ZBA, "zba", ON, "address generation (sh1add, add.uw, ...)") \
    X(ZBB, "zbb", ON, "basic bit manipulation") \
    X(ZBC, "zbc", ON, "carry-less multiplication") \
    X(ZBKB, "zbkb", ON, "bit manipulation for cryptography") \
    X(ZBKC, "zbkc", ON, "carry-less multiplication for cryptography") \
    X(ZBKX, "zbkx", ON, "crossbar permutations") \
    X(ZBS, "zbs", ON, "single-bit instructions") \
    X(ZKR, "zkr", OFF, "entropy source (the seed CSR)") \
    X(ZKT, "zkt", ON, "data-independent execution latency") \
    X(SMAIA, "smaia", OFF, "advanced interrupts, M level (on with -M virt,aia=aplic-imsic)") \
    X(SMSTATEEN, "smstateen", TODO, "state-enable CSRs") \
    X(SSAIA, "ssaia", OFF, "advanced interrupts, S level (on with -M virt,aia=aplic-imsic)") \
    X(SSCOFPMF, "sscofpmf", ON, "counter overflow interrupts and mode filtering") \
    X(SSTC, "sstc", BASE, "supervisor timer compare (stimecmp)") \
    X(SVADU, "svadu", TODO, "hardware A/D bit updates, switchable") \
    X(SVINVAL, "svinval", ON, "fine-grained address-translation cache invalidation") \
    X(SVNAPOT, "svnapot", ON, "NAPOT translation contiguity (64 KiB pages)") \
    X(SVPBMT, "svpbmt", ON, "page-based memory types")

enum rv_ext_id {
#define RV_EXT_ENUM(id, name, state, help) RV_EXT_##id,
    RV_EXTS(RV_EXT_ENUM)
#undef RV_EXT_ENUM
    RV_EXT_COUNT
};
_Static_assert(RV_EXT_COUNT <= 64, "the extension set is a 64-bit mask");

#define RV_EXT_BIT(id) (UINT64_C(1) << RV_EXT_##id)
/* Is extension `id` (RV_EXT_ZBA, ...) in mask? */
#define RV_EXT_HAS(mask, id) (((mask) >> RV_EXT_##id) & 1)

/* The set every machine gets unless -cpu changes it: BASE and ON rows. */
uint64_t rv_ext_default(void);
/* Row data: name ("zba"), help text, and whether the row can be switched
 * (ON/OFF), is always there (BASE) or does not exist yet (TODO). */
const char *rv_ext_name(unsigned id);
const char *rv_ext_help(unsigned id);
enum rv_ext_state { RV_EXT_STATE_BASE, RV_EXT_STATE_ON, RV_EXT_STATE_OFF, RV_EXT_STATE_TODO };
enum rv_ext_state rv_ext_state(unsigned id);

/* Apply "NAME=on|off[,NAME=on|off...]" (names case-insensitive, values
 * on/off/true/false as QEMU takes them) to *mask. 0, or -1 with a reason
 * in err (one line, naming the property). */
int rv_ext_apply(uint64_t *mask, const char *props, char *err, size_t errlen);
/* riscv,isa for mask: "rv64imafdc_zicsr_..._sstc" (single letters, then the
 * multi-letter extensions, in table order). Returns the length it needs;
 * writes at most len bytes (NUL-terminated when len > 0). */
size_t rv_ext_isa_string(uint64_t mask, char *buf, size_t len);
/* riscv,isa-extensions for mask: every name in table order, each followed
 * by a NUL ("i\0m\0...sstc\0"). Returns the length it needs (all NULs
 * counted); writes at most len bytes. */
size_t rv_ext_list(uint64_t mask, char *buf, size_t len);

#endif
