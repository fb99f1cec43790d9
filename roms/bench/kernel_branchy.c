/* Branchy kernel: a bytecode interpreter (indirect dispatch through a
 * switch), a sieve of Eratosthenes, and binary searches whose every
 * comparison depends on random data. */
#include "bench.h"

#define VM_LIMIT 40000
#define SIEVE_N (2u << 20)
#define SIEVE_ROUNDS 2
#define SEARCH_N (64u * 1024)
#define SEARCHES 600000

enum op { OP_LOADI, OP_MOV, OP_ADDI, OP_ANDI, OP_SHR1, OP_MUL3P1,
          OP_JZ, OP_JNE, OP_JLT, OP_JMP, OP_HALT };

struct insn { uint8_t op, a, b; int32_t imm; };

/* r2 = sum of the Collatz path lengths of 1 .. r0 - 1
 * (r1 = n, r3 = x, r4 = scratch, r5 = 1) */
static const struct insn collatz[] = {
    /*  0 */ { OP_LOADI, 1, 0, 1 },
    /*  1 */ { OP_LOADI, 2, 0, 0 },
    /*  2 */ { OP_LOADI, 5, 0, 1 },
    /*  3 */ { OP_JLT, 1, 0, 5 },          /* n < limit ? */
    /*  4 */ { OP_HALT, 0, 0, 0 },
    /*  5 */ { OP_MOV, 3, 1, 0 },          /* x = n */
    /*  6 */ { OP_JNE, 3, 5, 9 },          /* x != 1 ? */
    /*  7 */ { OP_ADDI, 1, 1, 1 },         /* n++ */
    /*  8 */ { OP_JMP, 0, 0, 3 },
    /*  9 */ { OP_ANDI, 4, 3, 1 },
    /* 10 */ { OP_ADDI, 2, 2, 1 },         /* total++ */
    /* 11 */ { OP_JZ, 4, 0, 14 },          /* even ? */
    /* 12 */ { OP_MUL3P1, 3, 0, 0 },
    /* 13 */ { OP_JMP, 0, 0, 6 },
    /* 14 */ { OP_SHR1, 3, 0, 0 },
    /* 15 */ { OP_JMP, 0, 0, 6 },
};

static int64_t vm_run(const struct insn *prog, int64_t *r, uint64_t *executed)
{
    uint32_t pc = 0;
    uint64_t count = 0;

    for (;;) {
        const struct insn *i = &prog[pc++];
        count++;
        switch (i->op) {
        case OP_LOADI:  r[i->a] = i->imm; break;
        case OP_MOV:    r[i->a] = r[i->b]; break;
        case OP_ADDI:   r[i->a] = r[i->b] + i->imm; break;
        case OP_ANDI:   r[i->a] = r[i->b] & i->imm; break;
        case OP_SHR1:   r[i->a] >>= 1; break;
        case OP_MUL3P1: r[i->a] = 3 * r[i->a] + 1; break;
        case OP_JZ:     if (r[i->a] == 0) pc = (uint32_t)i->imm; break;
        case OP_JNE:    if (r[i->a] != r[i->b]) pc = (uint32_t)i->imm; break;
        case OP_JLT:    if (r[i->a] < r[i->b]) pc = (uint32_t)i->imm; break;
        case OP_JMP:    pc = (uint32_t)i->imm; break;
        case OP_HALT:   *executed = count; return r[2];
        default:        *executed = count; return -1;
        }
    }
}

static uint64_t sieve(uint8_t *composite, uint32_t n)
{
    uint64_t count = 0, sum = 0;

    for (uint32_t i = 0; i < n; i++)
        composite[i] = 0;
    for (uint32_t i = 2; (uint64_t)i * i < n; i++)
        if (!composite[i])
            for (uint32_t j = i * i; j < n; j += i)
                composite[j] = 1;
    for (uint32_t i = 2; i < n; i++) {
        if (!composite[i]) {
            count++;
            sum += i;
        }
    }
    return mix64(count, sum);
}

static int64_t bsearch_u32(const uint32_t *a, uint32_t n, uint32_t key)
{
    uint32_t lo = 0, hi = n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (a[mid] == key)
            return mid;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

uint64_t kernel_branchy(void)
{
    uint8_t *composite = heap_alloc(SIEVE_N);
    uint32_t *sorted = heap_alloc(SEARCH_N * sizeof(uint32_t));
    struct rng r = { 0xb5ad4eceda1ce2a9ULL };
    uint64_t sum = 0, executed = 0;
    int64_t regs[8] = { VM_LIMIT };

    if (!composite || !sorted)
        return 0;

    sum = mix64(sum, (uint64_t)vm_run(collatz, regs, &executed));
    sum = mix64(sum, executed);
    mark("interp");

    for (int round = 0; round < SIEVE_ROUNDS; round++)
        sum = mix64(sum, sieve(composite, SIEVE_N - round * 1000));
    mark("sieve");

    uint32_t v = 0;
    for (uint32_t i = 0; i < SEARCH_N; i++) {
        v += 1 + (uint32_t)(rng_next(&r) & 7);
        sorted[i] = v;
    }
    uint64_t found = 0, where = 0;
    for (uint32_t s = 0; s < SEARCHES; s++) {
        int64_t idx = bsearch_u32(sorted, SEARCH_N, (uint32_t)(rng_next(&r) % (v + 1)));
        if (idx >= 0) {
            found++;
            where += (uint64_t)idx;
        }
    }
    mark("bsearch");
    return mix64(mix64(sum, found), where);
}
