/* tests/fuzz/fuzz_input.h: reading a fuzzer's input as a stream of numbers.
 * Past the end every read returns 0, so a harness never has to check the
 * length and a short input is simply a short program. Header-only: each
 * harness is one .c file plus this. */
#ifndef RIVET_FUZZ_INPUT_H
#define RIVET_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fin {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t fin_u8(struct fin *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}
static inline uint16_t fin_u16(struct fin *f) { return (uint16_t)(fin_u8(f) | fin_u8(f) << 8); }
static inline uint32_t fin_u32(struct fin *f) { uint32_t lo = fin_u16(f); return lo | (uint32_t)fin_u16(f) << 16; }
static inline uint64_t fin_u64(struct fin *f) { uint64_t lo = fin_u32(f); return lo | (uint64_t)fin_u32(f) << 32; }

/* libFuzzer's entry point, also called by replay.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
