/* tests/fuzz/fuzz_chardev.c: the parsers of option values a user types
 * (issue #25): -chardev arguments (chardev_check: parsed, nothing opened),
 * -serial's legacy spellings (chardev_serial_spec, into an output buffer
 * of 0 to 126 bytes), -object (rng_object_parse) and -net (two
 * compat_opt_net calls split at the first space, then compat_net_finish).
 * The low two bits of the first byte pick the parser, the others the output
 * size; the rest is the text (a NUL byte ends it).
 *
 * Checked besides ASan/UBSan: every refusal has a one-line reason (not
 * empty, no newline unless the text had one); an accepted -serial spelling that makes a -chardev
 * argument makes one chardev_check accepts or refuses with a reason,
 * NUL-terminated within the buffer; a chardev:ID reference is not empty;
 * an accepted object has an id (and a file for rng-random); accepted -net
 * options add only virtio-net cards. */
#include <stdlib.h>
#include <string.h>

#include "frontends/chardev.h"
#include "frontends/compat.h"
#include "frontends/options.h"
#include "frontends/rng_object.h"
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
    switch (sel & 3) {
    case 2: {
        struct rng_object_config c;
        int r = rng_object_parse(text, &c, err, sizeof err);
        if (r < 0)
            one_line(err);
        else if (r == 0 && (!c.id || !*c.id || (!c.builtin && (!c.filename || !*c.filename))))
            abort();
        if (r == 0)
            rng_object_config_free(&c);
        break;
    }
    case 3: {
        /* -net, twice (a card and a backend), then the wiring; "help"
         * would print and exit */
        if (strstr(text, "help"))
            break;
        struct rivet_options o;
        memset(&o, 0, sizeof o);
        char *second = strchr(text, ' ');
        if (second)
            *second++ = 0;
        if (compat_opt_net(&o, text) == 0 && (!second || compat_opt_net(&o, second) == 0) &&
            compat_net_finish(&o) == 0) {
            for (unsigned i = 0; i < o.ndevices; i++)
                if (strncmp(o.devices[i], "virtio-net-", 11))
                    abort();
        }
        options_free(&o);
        break;
    }
    case 0:
        if (chardev_check(text, err, sizeof err) < 0)
            one_line(err);
        break;
    case 1: {
        size_t outlen = sel >> 2; /* 0..63 */
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
