/* tests/fuzz/fuzz_rr_log.c: the record/replay log reader (machine/rr_log.h)
 * on arbitrary files. Checked besides ASan/UBSan: the reader either hands
 * out records that hold what rr_log.h promises (stamps never go back, the
 * strings of a record end inside it, CMDLINE's argv ends with NULL, nothing
 * after RR_END) or stops with a one-line reason. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/rr_log.h"

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_rr_log: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f)
        return 0;
    char err[160];
    struct rr_reader *r = rr_reader_new(f, err, sizeof err);
    if (!r) {
        if (!err[0] || strchr(err, '\n'))
            bug("header refused without a one-line reason");
        return 0;
    }
    struct rr_record rec;
    uint64_t last = 0;
    bool ended = false;
    int k;
    while ((k = rr_read(r, &rec)) == 1) {
        if (ended)
            bug("a record after RR_END");
        if (rec.stamp < last)
            bug("stamps went back");
        last = rec.stamp;
        if (!rec.name || strlen(rec.name) > size)
            bug("name not terminated inside the input");
        if (rec.type == RR_IMAGE && (!rec.path || strlen(rec.path) > size))
            bug("image without a path");
        if (rec.type == RR_CMDLINE) {
            if (!rec.argv || rec.argv[rec.argc])
                bug("argv not NULL-terminated");
            for (unsigned i = 0; i < rec.argc; i++)
                if (strlen(rec.argv[i]) > size)
                    bug("argv string too long");
        }
        if (rec.len > size)
            bug("payload longer than the input");
        for (size_t i = 0; i < rec.len; i++)
            (void)*(volatile const uint8_t *)&rec.data[i];
        ended = rec.type == RR_END;
    }
    if (k < 0) {
        const char *e = rr_reader_error(r);
        if (!e || !*e || strchr(e, '\n'))
            bug("error without a one-line reason");
    } else if (!ended) {
        bug("a clean end without RR_END");
    }
    rr_reader_free(r);
    return 0;
}
