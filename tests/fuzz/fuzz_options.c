/* tests/fuzz/fuzz_options.c: the command-line parser (frontends/options.c
 * and the QEMU compatibility options of frontends/compat.c) on any
 * argument vector: the input split at NUL bytes is argv[1..] (at most 64
 * arguments). Whatever the words, the parser must return (run, exit 0
 * after help, or exit 1 after one line on stderr) without crashing or
 * exiting by itself, and what it allocated must be freed by options_free
 * (LeakSanitizer in the libFuzzer build).
 *
 * Checked besides ASan/UBSan: the return value is -1, 0 or 1; stderr holds
 * only whole "rivet: ..." lines, at least one after an error (1), unless
 * an argument has a newline in it (messages quote the argument). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/options.h"
#include "fuzz_input.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One copy, NUL-terminated, cut into words at each NUL. */
    char *buf = malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = 0;
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "rivet";
    for (size_t i = 0; i <= size && argc <= MAX_ARGS;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;

    /* stderr into a temporary file, to count the lines of an error. */
    fflush(stderr);
    int saved = dup(2);
    FILE *err = tmpfile();
    if (saved < 0 || !err)
        abort();
    dup2(fileno(err), 2);
    struct rivet_options o;
    int rc = options_parse(&o, argc, argv);
    options_free(&o);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);

    /* Every line a "rivet: " message (no stray text, no message broken
     * over lines); an error printed at least one (its own; notes about
     * earlier, accepted options may come before it). */
    unsigned lines = 0;
    bool bad_line = false, at_start = true;
    char text[4096];
    size_t len = 0;
    int c;
    rewind(err);
    while ((c = fgetc(err)) != EOF) {
        if (at_start && len + 7 <= sizeof text) {
            char head[8] = { 0 };
            head[0] = (char)c;
            size_t k = fread(head + 1, 1, 6, err);
            if (k != 6 || strcmp(head, "rivet: "))
                bad_line = true;
            memcpy(text + len, head, 1 + k);
            len += 1 + k;
            at_start = false;
            if (memchr(head, '\n', 1 + k)) {
                bad_line = true;
                break;
            }
            continue;
        }
        if (c == '\n') {
            lines++;
            at_start = true;
        }
        if (len + 1 < sizeof text)
            text[len++] = (char)c;
    }
    text[len] = 0;
    fclose(err);
    if (rc != -1 && rc != 0 && rc != 1) {
        fprintf(stderr, "fuzz_options: options_parse returned %d\n", rc);
        abort();
    }
    /* (An argument with a newline in it is quoted with it.) */
    if ((bad_line || (rc == 1 && !lines)) && !memchr(data, '\n', size)) {
        fprintf(stderr, "fuzz_options: stderr is not one-line rivet: messages:\n%s", text);
        abort();
    }
    free(buf);
    return 0;
}
