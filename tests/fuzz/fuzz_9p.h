/* tests/fuzz/fuzz_9p.h: what fuzz_9p and fuzz_9p_local read the same way:
 * the reply rooms an input picks from, and the messages it holds. */
#ifndef FUZZ_9P_H
#define FUZZ_9P_H

#include <stdlib.h>
#include <string.h>

#include "virtio/9p.h"
#include "fuzz_input.h"

/* Reply buffer sizes, from less than a header to the largest msize. */
static const size_t rooms[8] = { 11, 12, 64, 300, 4096, 8192, 65536 + 100, P9_MAX_MSIZE };

/* The next message of the input: a 16-bit length (cut to what is left) and
 * a flags byte (bit 0: write the true length into the size field, so that
 * the server gets past its size check), then the bytes. Returns a malloc'ed
 * copy of *len bytes (at least one byte allocated). */
static inline uint8_t *p9_next_msg(struct fin *in, size_t *len)
{
    size_t n = fin_u16(in);
    uint8_t mflags = fin_u8(in);
    if (n > in->n)
        n = in->n;
    uint8_t *msg = malloc(n ? n : 1);
    if (!msg)
        abort();
    memcpy(msg, in->p, n);
    in->p += n;
    in->n -= n;
    if ((mflags & 1) && n >= 4)
        msg[0] = (uint8_t)n, msg[1] = (uint8_t)(n >> 8), msg[2] = 0, msg[3] = 0;
    *len = n;
    return msg;
}

#endif
