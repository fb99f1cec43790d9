/* tests/fuzz/fuzz_options.c: the parsers of option values a user types
 * (issue #25): -chardev arguments (chardev_check: parsed, nothing opened)
 * and -serial's legacy spellings (chardev_serial_spec, into an output
 * buffer of any size from 0 to 255 bytes). The first byte picks the
 * parser and the output size; the rest is the text (NUL bytes end it).
 *
 * Checked besides ASan/UBSan: every refusal has a one-line reason (not
 * empty, no newline unless the text had one); an accepted -serial spelling that makes a -chardev
 * argument makes one chardev_check accepts or refuses with a reason,
 * NUL-terminated within the buffer; a chardev:ID reference is not empty. */
#include <stdlib.h>
#include <string.h>

#include "frontends/chardev.h"
#include "fuzz_input.h"

/* A reason, on one line (a newline in it can only come from the text). */
static const char *text_nl;
static void one_line(const char *err)
{
    if (!err[0] || (strchr(err, '\n') && !text_nl))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    unsigned sel = data[0];
    char text[1024];
    size_t n = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
    memcpy(text, data + 1, n);
    text[n] = 0;
    text_nl = strchr(text, '\n');
    char err[256];
    err[0] = 0;
    switch (sel & 1) {
    case 0:
        if (chardev_check(text, err, sizeof err) < 0)
            one_line(err);
        break;
    case 1: {
        size_t outlen = sel >> 1; /* 0..127 */
        char out[256];
        memset(out, 'x', sizeof out);
        int r = chardev_serial_spec(text, "serial0", sel & 2, out, outlen * 2, err, sizeof err);
        if (r < 0) {
            one_line(err);
        } else if (r == CHARDEV_SERIAL_ARG || r == CHARDEV_SERIAL_REF) {
            if (!memchr(out, 0, outlen * 2) || !out[0])
                abort();
            if (r == CHARDEV_SERIAL_ARG && chardev_check(out, err, sizeof err) < 0)
                one_line(err);
        } else if (r != CHARDEV_SERIAL_NONE) {
            abort();
        }
        break;
    }
    }
    return 0;
}
