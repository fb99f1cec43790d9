/* userbench mix: a CoreMark-like workload run as a Linux user program in
 * the test guest (scripts/bench-user.sh times it on the host). Fixed work,
 * deterministic output: one checksum line per part and a total, identical
 * on every correct emulator. Parts: linked-list build, reversal, search
 * and merge sort (pointer chasing), integer matrix multiply-accumulate, a
 * switch-driven state machine over text (branchy code), CRC-16, a small
 * bytecode interpreter and a double-precision part. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t rng_s = 0x2545f4914f6cdd1dull;
static uint64_t rng(void)
{
    rng_s ^= rng_s << 13;
    rng_s ^= rng_s >> 7;
    rng_s ^= rng_s << 17;
    return rng_s;
}

/* ---- lists */
struct node {
    struct node *next;
    int32_t key, val;
};

static struct node *list_reverse(struct node *l)
{
    struct node *r = NULL;
    while (l) {
        struct node *n = l->next;
        l->next = r;
        r = l;
        l = n;
    }
    return r;
}

static struct node *list_sort(struct node *l, int by_val)
{
    /* bottom-up merge sort, as CoreMark does */
    if (!l)
        return l;
    for (int k = 1;; k *= 2) {
        struct node *p = l, *tail = NULL, *head = NULL;
        int merges = 0;
        while (p) {
            merges++;
            struct node *q = p;
            int ps = 0;
            for (int i = 0; i < k && q; i++) {
                ps++;
                q = q->next;
            }
            int qs = k;
            while (ps > 0 || (qs > 0 && q)) {
                struct node *e;
                if (ps == 0) {
                    e = q; q = q->next; qs--;
                } else if (qs == 0 || !q) {
                    e = p; p = p->next; ps--;
                } else {
                    int a = by_val ? p->val : p->key, b = by_val ? q->val : q->key;
                    if (a <= b) {
                        e = p; p = p->next; ps--;
                    } else {
                        e = q; q = q->next; qs--;
                    }
                }
                if (tail)
                    tail->next = e;
                else
                    head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        l = head;
        if (merges <= 1)
            return l;
    }
}

static uint64_t part_list(void)
{
    enum { N = 4000, ROUNDS = 150 };
    struct node *pool = calloc(N, sizeof *pool);
    uint64_t h = 0;
    /* scatter the nodes so that following next jumps around */
    int *perm = malloc(N * sizeof *perm);
    for (int i = 0; i < N; i++)
        perm[i] = i;
    for (int i = N - 1; i > 0; i--) {
        int j = (int)(rng() % (uint64_t)(i + 1));
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    struct node *l = NULL;
    for (int i = 0; i < N; i++) {
        struct node *n = &pool[perm[i]];
        n->key = i;
        n->val = (int32_t)(rng() & 0xffff);
        n->next = l;
        l = n;
    }
    for (int r = 0; r < ROUNDS; r++) {
        l = list_sort(l, r & 1);
        l = list_reverse(l);
        int32_t want = (int32_t)(rng() % N);
        int pos = 0;
        for (struct node *p = l; p; p = p->next, pos++)
            if (p->key == want || p->val == want)
                break;
        h = mix(h, (uint64_t)pos);
        for (struct node *p = l; p; p = p->next)
            p->val = (p->val * 17 + r) & 0xffff;
        h = mix(h, (uint64_t)l->val);
    }
    free(perm);
    free(pool);
    return h;
}

/* ---- integer matrices */
static uint64_t part_matrix(void)
{
    enum { N = 48, ROUNDS = 100 };
    static int32_t a[N][N], b[N][N], c[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (int32_t)(rng() & 0xff) - 128;
            b[i][j] = (int32_t)(rng() & 0xff) - 128;
        }
    uint64_t h = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int32_t s = 0;
                for (int k = 0; k < N; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                a[i][j] = (c[i][j] >> 9) ^ r;
                h = mix(h, (uint64_t)(uint32_t)c[i][j]);
            }
    }
    return h;
}

/* ---- a state machine over generated text (numbers, words, signs) */
enum state { S_START, S_INT, S_FLOAT, S_EXP, S_SEXP, S_WORD, S_BAD, S_COUNT };
static uint64_t part_states(void)
{
    enum { LEN = 64 * 1024, ROUNDS = 80 };
    static const char alphabet[] = "0123456789.e+-,abc xyz";
    char *text = malloc(LEN);
    for (int i = 0; i < LEN; i++)
        text[i] = alphabet[rng() % (sizeof alphabet - 1)];
    uint32_t counts[S_COUNT] = { 0 };
    uint64_t h = 0;
    for (int r = 0; r < ROUNDS; r++) {
        enum state s = S_START;
        for (int i = 0; i < LEN; i++) {
            char ch = text[i];
            if (ch == ',' || ch == ' ') {
                counts[s]++;
                s = S_START;
                continue;
            }
            switch (s) {
            case S_START:
                if (ch >= '0' && ch <= '9') s = S_INT;
                else if (ch == '+' || ch == '-') s = S_INT;
                else if (ch == '.') s = S_FLOAT;
                else if (ch >= 'a' && ch <= 'z') s = S_WORD;
                else s = S_BAD;
                break;
            case S_INT:
                if (ch == '.') s = S_FLOAT;
                else if (ch == 'e') s = S_EXP;
                else if (ch < '0' || ch > '9') s = S_BAD;
                break;
            case S_FLOAT:
                if (ch == 'e') s = S_EXP;
                else if (ch < '0' || ch > '9') s = S_BAD;
                break;
            case S_EXP:
                if (ch == '+' || ch == '-') s = S_SEXP;
                else if (ch < '0' || ch > '9') s = S_BAD;
                break;
            case S_SEXP:
                if (ch < '0' || ch > '9') s = S_BAD;
                break;
            case S_WORD:
                if (ch < 'a' || ch > 'z') s = S_BAD;
                break;
            default:
                break;
            }
        }
        /* change the text a little each round */
        for (int i = r; i < LEN; i += 61)
            text[i] = alphabet[(text[i] + r) % (sizeof alphabet - 1)];
        for (int k = 0; k < S_COUNT; k++)
            h = mix(h, counts[k]);
    }
    free(text);
    return h;
}

/* ---- CRC-16 (bitwise, as CoreMark) */
static uint16_t crc16_byte(uint8_t b, uint16_t crc)
{
    for (int i = 0; i < 8; i++) {
        uint16_t x = (uint16_t)((b ^ crc) & 1);
        b >>= 1;
        crc = (uint16_t)(crc >> 1);
        if (x)
            crc ^= 0xa001;
    }
    return crc;
}

static uint64_t part_crc(void)
{
    enum { LEN = 32 * 1024, ROUNDS = 30 };
    uint8_t *buf = malloc(LEN);
    for (int i = 0; i < LEN; i++)
        buf[i] = (uint8_t)rng();
    uint16_t crc = 0;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < LEN; i++)
            crc = crc16_byte(buf[i], crc);
        buf[r] ^= (uint8_t)crc;
    }
    free(buf);
    return crc;
}

/* ---- a stack bytecode interpreter: sum of Collatz lengths */
enum { OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_SHR, OP_AND, OP_JZ, OP_JNZ, OP_JMP, OP_EQ, OP_HALT };
struct insn { uint8_t op; int32_t arg; };

static int64_t interp(const struct insn *code, int64_t *vars)
{
    int64_t stack[32];
    int sp = 0;
    for (int pc = 0;;) {
        const struct insn *i = &code[pc++];
        switch (i->op) {
        case OP_PUSH: stack[sp++] = i->arg; break;
        case OP_LOAD: stack[sp++] = vars[i->arg]; break;
        case OP_STORE: vars[i->arg] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JZ: if (!stack[--sp]) pc = i->arg; break;
        case OP_JNZ: if (stack[--sp]) pc = i->arg; break;
        case OP_JMP: pc = i->arg; break;
        default: return vars[1];
        }
    }
}

static uint64_t part_interp(void)
{
    /* vars: 0 n, 1 total steps, 2 x, 3 limit */
    static const struct insn prog[] = {
        /* 0 */ { OP_LOAD, 0 }, { OP_STORE, 2 },
        /* 2: loop while x != 1 */
        { OP_LOAD, 2 }, { OP_PUSH, 1 }, { OP_EQ, 0 }, { OP_JNZ, 22 },
        /* 6 */ { OP_LOAD, 2 }, { OP_PUSH, 1 }, { OP_AND, 0 }, { OP_JZ, 17 },
        /* 10: odd: x = 3x + 1 */
        { OP_LOAD, 2 }, { OP_PUSH, 3 }, { OP_MUL, 0 }, { OP_PUSH, 1 }, { OP_ADD, 0 }, { OP_STORE, 2 }, { OP_JMP, 19 },
        /* 17: even: x >>= 1 */
        { OP_LOAD, 2 }, { OP_JMP, 26 },
        /* 19: steps++ */
        { OP_LOAD, 1 }, { OP_PUSH, 1 }, { OP_ADD, 0 },
        /* 22 is reached at x == 1 */
        { OP_STORE, 1 }, { OP_JMP, 2 },
        { OP_HALT, 0 }, { OP_HALT, 0 },
        /* 26 */ { OP_PUSH, 1 }, { OP_SHR, 0 }, { OP_STORE, 2 }, { OP_JMP, 19 },
    };
    /* index 22 is both "store steps" and the exit check target: patch the
     * exit to a halt (24) instead */
    struct insn code[sizeof prog / sizeof prog[0]];
    memcpy(code, prog, sizeof prog);
    code[5].arg = 24;
    uint64_t h = 0;
    int64_t vars[4];
    for (int n = 1; n <= 15000; n++) {
        vars[0] = n;
        vars[1] = 0;
        h = mix(h, (uint64_t)interp(code, vars));
    }
    return h;
}

/* ---- doubles: a small n-body step and a polynomial series */
static uint64_t part_float(void)
{
    enum { N = 16, STEPS = 4000 };
    double px[N], py[N], vx[N], vy[N], m[N];
    for (int i = 0; i < N; i++) {
        px[i] = (double)(rng() % 1000) / 10.0;
        py[i] = (double)(rng() % 1000) / 10.0;
        vx[i] = vy[i] = 0;
        m[i] = 1.0 + (double)(rng() % 10);
    }
    for (int s = 0; s < STEPS; s++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                if (i == j)
                    continue;
                double dx = px[j] - px[i], dy = py[j] - py[i];
                double d2 = dx * dx + dy * dy + 0.01;
                double f = m[j] / (d2 * __builtin_sqrt(d2));
                vx[i] += dx * f * 0.001;
                vy[i] += dy * f * 0.001;
            }
        for (int i = 0; i < N; i++) {
            px[i] += vx[i];
            py[i] += vy[i];
        }
    }
    double acc = 0;
    for (int k = 1; k < 200000; k++)
        acc += (k & 1 ? 1.0 : -1.0) / (2.0 * k - 1.0);
    uint64_t h = 0, bits;
    for (int i = 0; i < N; i++) {
        memcpy(&bits, &px[i], 8);
        h = mix(h, bits);
    }
    memcpy(&bits, &acc, 8);
    return mix(h, bits);
}

int main(void)
{
    static const struct { const char *name; uint64_t (*fn)(void); } parts[] = {
        { "list", part_list }, { "matrix", part_matrix }, { "states", part_states },
        { "crc", part_crc }, { "interp", part_interp }, { "float", part_float },
    };
    uint64_t total = 0;
    for (unsigned i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        uint64_t h = parts[i].fn();
        printf("%s checksum=0x%016llx\n", parts[i].name, (unsigned long long)h);
        total = mix(total, h);
    }
    printf("mix checksum=0x%016llx\n", (unsigned long long)total);
    return 0;
}
