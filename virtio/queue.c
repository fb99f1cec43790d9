/* virtio/queue.c: the split virtqueue, device side. Rings are read through
 * bus_dma (host pointers valid for the duration of one call, since nothing
 * else runs meanwhile) with unaligned-safe little-endian loads. */
#include "virtio/queue.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint16_t ld16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t ld32(const uint8_t *p) { return ld16(p) | (uint32_t)ld16(p + 2) << 16; }
static uint64_t ld64(const uint8_t *p) { return ld32(p) | (uint64_t)ld32(p + 4) << 32; }
static void st16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void st32(uint8_t *p, uint32_t v) { st16(p, (uint16_t)v); st16(p + 2, (uint16_t)(v >> 16)); }

static int bad(struct virtq *vq, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct virtq *vq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vq->error, sizeof vq->error, fmt, ap);
    va_end(ap);
    return -1;
}

void virtq_reset(struct virtq *vq)
{
    struct bus *bus = vq->bus;
    uint16_t num_max = vq->num_max;
    memset(vq, 0, sizeof *vq);
    vq->bus = bus;
    vq->num_max = num_max;
    vq->num = num_max;
}

/* Host pointers to the three rings, or -1 with a reason. */
static int rings(struct virtq *vq, uint8_t **desc, uint8_t **avail, uint8_t **used, bool write_used)
{
    unsigned n = vq->num;
    if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
        return bad(vq, "queue size %u is not a power of two up to %u", n, VIRTQ_MAX_SIZE);
    if ((vq->desc & 15) || (vq->avail & 1) || (vq->used & 3))
        return bad(vq, "misaligned ring (desc 0x%" PRIx64 ", avail 0x%" PRIx64 ", used 0x%" PRIx64 ")",
                   vq->desc, vq->avail, vq->used);
    if (desc && !(*desc = bus_dma(vq->bus, vq->desc, virtq_desc_size(n))))
        return bad(vq, "descriptor table at 0x%" PRIx64 " is not in RAM", vq->desc);
    if (avail && !(*avail = bus_dma(vq->bus, vq->avail, virtq_avail_size(n))))
        return bad(vq, "avail ring at 0x%" PRIx64 " is not in RAM", vq->avail);
    if (used) {
        *used = write_used ? bus_dma_w(vq->bus, vq->used, virtq_used_size(n))
                           : bus_dma(vq->bus, vq->used, virtq_used_size(n));
        if (!*used)
            return bad(vq, "used ring at 0x%" PRIx64 " is not in RAM", vq->used);
    }
    return 0;
}

/* Walks the chain at `head` into elem, validating every descriptor. */
static int walk(struct virtq *vq, const uint8_t *ring, uint16_t head, struct virtq_elem *elem)
{
    uint64_t seen[VIRTQ_MAX_SIZE / 64];
    const uint8_t *table = ring;
    unsigned tsize = vq->num, count = 0, i = head;
    bool indirect = false, writable = false;

    memset(seen, 0, sizeof seen);
    elem->head = head;
    elem->n_out = elem->n_in = 0;
    elem->out_len = elem->in_len = 0;
    for (;;) {
        if (seen[i / 64] & (1ull << (i % 64)))
            return bad(vq, "descriptor chain at head %u loops at %sdescriptor %u", head,
                       indirect ? "indirect " : "", i);
        seen[i / 64] |= 1ull << (i % 64);
        if (++count > vq->num)
            return bad(vq, "descriptor chain at head %u is longer than the queue size %u", head, vq->num);
        const uint8_t *d = table + 16u * i;
        uint64_t addr = ld64(d);
        uint32_t len = ld32(d + 8);
        uint16_t flags = ld16(d + 12), next = ld16(d + 14);

        if (flags & VIRTQ_DESC_F_INDIRECT) {
            if (indirect)
                return bad(vq, "indirect descriptor inside an indirect table (head %u)", head);
            if (!vq->indirect)
                return bad(vq, "indirect descriptor at %u without RING_INDIRECT_DESC", i);
            if (flags & VIRTQ_DESC_F_NEXT)
                return bad(vq, "indirect descriptor at %u has the NEXT flag", i);
            if (len == 0 || len % 16)
                return bad(vq, "indirect table at descriptor %u has a bad length %" PRIu32, i, len);
            if (len / 16 > vq->num)
                return bad(vq, "indirect table of %" PRIu32 " entries is longer than the queue size %u",
                           len / 16, vq->num);
            if (addr + (len - 1) < addr || !(table = bus_dma(vq->bus, addr, len)))
                return bad(vq, "indirect table 0x%" PRIx64 "+%" PRIu32 " is not in RAM", addr, len);
            /* The table's entries count toward the chain length, the
             * descriptor that points at it does not. */
            count--;
            indirect = true;
            tsize = len / 16;
            memset(seen, 0, sizeof seen);
            i = 0;
            continue;
        }
        if (len) {
            if (addr + (len - 1) < addr || !bus_dma(vq->bus, addr, len))
                return bad(vq, "buffer 0x%" PRIx64 "+%" PRIu32 " (descriptor %u) is not in RAM", addr, len, i);
            struct virtq_seg *s = &elem->seg[elem->n_out + elem->n_in];
            s->addr = addr;
            s->len = len;
            if (flags & VIRTQ_DESC_F_WRITE) {
                elem->n_in++;
                elem->in_len += len;
            } else {
                if (writable)
                    return bad(vq, "device-readable descriptor %u after a device-writable one", i);
                elem->n_out++;
                elem->out_len += len;
            }
        } else if (!(flags & VIRTQ_DESC_F_WRITE) && writable) {
            return bad(vq, "device-readable descriptor %u after a device-writable one", i);
        }
        if (flags & VIRTQ_DESC_F_WRITE)
            writable = true;
        if (!(flags & VIRTQ_DESC_F_NEXT))
            return 0;
        if (next >= tsize)
            return bad(vq, "next index %u out of range (%s%u descriptors)", next,
                       indirect ? "indirect table of " : "", tsize);
        i = next;
    }
}

int virtq_pop(struct virtq *vq, struct virtq_elem *elem)
{
    uint8_t *desc, *avail, *used;
    if (!vq->ready)
        return 0;
    if (rings(vq, &desc, &avail, vq->event_idx ? &used : NULL, true) < 0)
        return -1;
    unsigned n = vq->num;
    uint16_t idx = ld16(avail + 2);
    uint16_t pending = (uint16_t)(idx - vq->last_avail);
    if (pending == 0)
        return 0;
    if (pending > n)
        return bad(vq, "avail index %u is %u entries ahead of the device (queue size %u)", idx, pending, n);
    /* The driver cannot have made more than n buffers available since it
     * last ran; more means the device's own writes (used ring, buffers)
     * land on the avail ring and would feed it forever. */
    uint64_t epoch = vq->bus ? vq->bus->epoch : 0;
    if (vq->pop_epoch != epoch) {
        vq->pop_epoch = epoch;
        vq->pops = 0;
    }
    if (vq->pops >= n)
        return bad(vq, "more than %u chains available without the driver running: the device's writes refill the avail ring", n);
    uint16_t head = ld16(avail + 4 + 2 * (vq->last_avail % n));
    if (head >= n)
        return bad(vq, "head index %u out of range (queue size %u)", head, n);
    if (walk(vq, desc, head, elem) < 0)
        return -1;
    vq->last_avail++;
    vq->pops++;
    /* EVENT_IDX: ask for a notification as soon as the driver adds anything
     * beyond what was consumed (the device drains the ring on each one). */
    if (vq->event_idx)
        st16(used + 4 + 8 * n, vq->last_avail);
    return 1;
}

void virtq_unpop(struct virtq *vq, unsigned k)
{
    vq->last_avail = (uint16_t)(vq->last_avail - k);
    vq->pops = vq->pops > k ? vq->pops - k : 0;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
    uint8_t *used;
    if (rings(vq, NULL, NULL, &used, true) < 0)
        return -1;
    uint8_t *e = used + 4 + 8 * (vq->used_idx % vq->num);
    st32(e, head);
    st32(e + 4, len);
    vq->used_idx++;
    st16(used + 2, vq->used_idx);
    return 0;
}

bool virtq_need_interrupt(struct virtq *vq)
{
    uint8_t *avail;
    if (rings(vq, NULL, &avail, NULL, false) < 0)
        return true; /* let the driver look; the next pop reports the ring */
    if (!vq->event_idx)
        return !(ld16(avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
    uint16_t used_event = ld16(avail + 4 + 2 * vq->num);
    uint16_t old = vq->signalled_used, new = vq->used_idx;
    bool valid = vq->signalled_valid;
    vq->signalled_used = new;
    vq->signalled_valid = true;
    /* vring_need_event: was used_event crossed in (old, new]? */
    return !valid || (uint16_t)(new - used_event - 1) < (uint16_t)(new - old);
}
