/* tests/fuzz/replay.c: runs a fuzz harness without libFuzzer, for `make
 * test`: every file of its seed corpus, then a fixed number of
 * pseudo-random inputs (half fresh bytes, half mutations of the seeds), all
 * from a fixed seed so a failure repeats. A crash or an abort() in the
 * harness fails the run; an alarm catches a hang. Prints a cmocka-like
 * summary line. Usage: replay_NAME [corpus-dir [count]], run from the tree
 * root (the corpus defaults to tests/fuzz/corpus/NAME); with file
 * arguments instead, it runs just those (reproducing a libFuzzer crash). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_input.h"

#define REPLAY_MAX_INPUT 8192

/* A harness whose inputs are slow (fuzz_cpu.c) may define a smaller count. */
extern const unsigned fuzz_replay_inputs __attribute__((weak));

struct seeds {
    uint8_t **data;
    size_t *len;
    unsigned n;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    uint64_t x = rng_state;   /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *buf = malloc(REPLAY_MAX_INPUT * 16);
    size_t n = fread(buf, 1, REPLAY_MAX_INPUT * 16, f);
    fclose(f);
    *data = buf;
    *len = n;
    return 0;
}

static void run_one(const uint8_t *data, size_t len)
{
    /* A copy of exactly len bytes, so ASan sees reads past the input. */
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
}

static void load_corpus(const char *dir, struct seeds *s)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) || !S_ISREG(st.st_mode))
            continue;
        s->data = realloc(s->data, (s->n + 1) * sizeof *s->data);
        s->len = realloc(s->len, (s->n + 1) * sizeof *s->len);
        if (read_file(path, &s->data[s->n], &s->len[s->n]) == 0)
            s->n++;
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    struct stat st;
    if (argc > 1 && stat(argv[1], &st) == 0 && S_ISREG(st.st_mode)) {
        for (int i = 1; i < argc; i++) {
            uint8_t *data;
            size_t len;
            if (read_file(argv[i], &data, &len)) {
                fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
                return 1;
            }
            printf("running %s (%zu bytes)\n", argv[i], len);
            run_one(data, len);
            free(data);
        }
        printf("[  PASSED  ] %d test(s).\n", argc - 1);
        return 0;
    }

    char def[512];
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    if (!strncmp(name, "replay_", 7))
        name += 7;
    snprintf(def, sizeof def, "tests/fuzz/corpus/%s", name);
    const char *dir = argc > 1 ? argv[1] : def;
    unsigned count = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0)
                              : &fuzz_replay_inputs ? fuzz_replay_inputs : 10000;
    alarm(120);   /* a hang fails the test instead of stalling `make test` */

    struct seeds s = { 0 };
    load_corpus(dir, &s);
    for (unsigned i = 0; i < s.n; i++)
        run_one(s.data[i], s.len[i]);

    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    for (unsigned i = 0; i < count; i++) {
        size_t len;
        if (s.n && (i & 1)) {
            /* A seed with a few bytes changed, inserted or cut off. */
            unsigned k = (unsigned)(next_rand() % s.n);
            len = s.len[k] < REPLAY_MAX_INPUT ? s.len[k] : REPLAY_MAX_INPUT;
            memcpy(buf, s.data[k], len);
            unsigned edits = 1 + (unsigned)(next_rand() % 8);
            for (unsigned e = 0; e < edits && len; e++) {
                size_t at = next_rand() % len;
                switch (next_rand() % 4) {
                case 0: buf[at] = (uint8_t)next_rand(); break;
                case 1: buf[at] ^= (uint8_t)(1u << (next_rand() % 8)); break;
                case 2: buf[at] = (uint8_t)((next_rand() & 1) ? 0xff : 0); break;
                case 3: len = at + 1; break;
                }
            }
        } else {
            len = next_rand() % 1024;
            for (size_t j = 0; j < len; j++)
                buf[j] = (uint8_t)next_rand();
        }
        run_one(buf, len);
    }
    printf("%u corpus files, %u generated inputs\n", s.n, count);
    printf("[  PASSED  ] 1 test(s).\n");
    for (unsigned i = 0; i < s.n; i++)
        free(s.data[i]);
    free(s.data);
    free(s.len);
    free(buf);
    return 0;
}
