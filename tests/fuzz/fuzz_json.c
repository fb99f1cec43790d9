/* tests/fuzz/fuzz_json.c: the JSON reader (frontends/json.c) on any bytes,
 * as a QMP socket delivers them.
 *
 * Checked besides ASan/UBSan: an accepted value used at most the input;
 * written back (jb_value) it parses again to a value that writes the same
 * text; a strict prefix of an accepted value is never an error (bytes
 * arrive in pieces: the reader must wait, not refuse); an error points
 * inside the input and says why. */
#include <stdlib.h>
#include <string.h>

#include "frontends/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct json *j;
    size_t used;
    char err[128];
    err[0] = 0;
    int r = json_parse(buf, size, &j, &used, err, sizeof err);
    if (r == JSON_ERROR) {
        if (used >= size || !err[0])
            abort();
        return 0;
    }
    if (r == JSON_INCOMPLETE) {
        if (j)
            abort();
        return 0;
    }
    if (r != JSON_OK || !j || used > size || used == 0)
        abort();
    struct json_buf a = { 0 }, b = { 0 };
    jb_value(&a, j);
    struct json *k;
    size_t used2;
    if (!a.oom) {
        if (json_parse(a.p, a.len, &k, &used2, err, sizeof err) == JSON_OK) {
            jb_value(&b, k);
            if (!b.oom && strcmp(a.p, b.p))
                abort();
            json_free(k);
        } else if (a.len && a.p[a.len - 1] != '}' && a.p[a.len - 1] != ']' && a.p[a.len - 1] != '"' &&
                   a.p[a.len - 1] != 'e' && a.p[a.len - 1] != 'l') {
            /* a bare number at the end of the text may go on: incomplete */
        } else {
            abort();
        }
    }
    jb_free(&a);
    jb_free(&b);
    json_free(j);
    /* every strict prefix that is more than white space: wait, not error */
    for (size_t cut = 1; cut < used; cut += 1 + used / 16) {
        struct json *p;
        size_t u;
        int rp = json_parse(buf, cut, &p, &u, err, sizeof err);
        if (rp == JSON_ERROR)
            abort();
        json_free(p);
    }
    return 0;
}
