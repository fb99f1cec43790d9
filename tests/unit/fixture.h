/* tests/unit/fixture.h: the setups unit tests kept cloning, in one place.
 *
 * - fx_virtio: guest RAM with one driver ring per queue (virtq_driver.h,
 *   all rings in the first queue's RAM), a transport that counts queue and
 *   config interrupts, and the driver's bring-up to DRIVER_OK.
 * - fx_save / fx_roundtrip: the save/load contract of every device: save a
 *   busy device, load the bytes into a fresh instance, save that again and
 *   compare byte for byte.
 *
 * Header-only; include after <cmocka.h>. */
#ifndef RIVET_TEST_FIXTURE_H
#define RIVET_TEST_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "bus/state.h"
#include "virtio/virtio.h"
#include "virtq_driver.h"

struct fx_virtio {
    struct tdrv q[VIRTIO_MAX_QUEUES];   /* q[0].bus is the machine's bus */
    unsigned nq, num;
    unsigned irqs[VIRTIO_MAX_QUEUES], config_irqs;
};

static inline void fx_virtio_qirq(void *ctx, unsigned q)
{
    struct fx_virtio *f = ctx;
    if (q < VIRTIO_MAX_QUEUES)
        f->irqs[q]++;
}
static inline void fx_virtio_cirq(void *ctx) { ((struct fx_virtio *)ctx)->config_irqs++; }

/* RAM and rings for nq queues of num entries, 64 KiB apart. */
static inline void fx_virtio_init(struct fx_virtio *f, unsigned nq, unsigned num)
{
    memset(f, 0, sizeof *f);
    td_init(&f->q[0], num);
    for (unsigned i = 1; i < nq; i++) {
        f->q[i] = f->q[0];
        f->q[i].desc = TD_RAM_BASE + 0x10000ull * (i + 1);
        f->q[i].avail = f->q[i].desc + 16ull * num;
        f->q[i].used = f->q[i].desc + 0x8000;
        f->q[i].heap = TD_HEAP + (512ull << 10) * i;
    }
    f->nq = nq;
    f->num = num;
}
static inline struct bus *fx_bus(struct fx_virtio *f) { return &f->q[0].bus; }
static inline void fx_virtio_free(struct fx_virtio *f) { td_free(&f->q[0]); }

/* Attaches dev to the counting transport. */
static inline void fx_virtio_attach(struct fx_virtio *f, struct virtio_dev *dev)
{
    struct virtio_transport tr = { fx_virtio_qirq, fx_virtio_cirq, f };
    virtio_dev_attach(dev, &tr, "test", false);
}

/* What a driver does: features (all offered), queues, DRIVER_OK. */
static inline void fx_virtio_up(struct fx_virtio *f, struct virtio_dev *dev)
{
    virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    virtio_set_driver_features(dev, virtio_offered_features(dev));
    virtio_set_status(dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
    assert_true(virtio_get_status(dev) & VIRTIO_STATUS_FEATURES_OK);
    for (unsigned q = 0; q < f->nq; q++) {
        assert_true(virtio_queue_set_num(dev, q, f->num));
        virtio_queue_set_addr(dev, q, f->q[q].desc, f->q[q].avail, f->q[q].used);
        virtio_queue_set_ready(dev, q, true);
    }
    virtio_set_status(dev, 0xf);
}

/* ---- save/load round trips ---- */

typedef void fx_state_fn(void *obj, struct state *);

/* The bytes obj saves (caller frees with state_free). */
static inline struct state fx_save(fx_state_fn *fn, void *obj)
{
    struct state st;
    state_init_save(&st);
    fn(obj, &st);
    assert_true(state_ok(&st, false));
    assert_true(st.len > 0);
    return st;
}

/* Loads `saved` into `fresh`, which must then save byte-identical bytes. */
static inline void fx_roundtrip(fx_state_fn *save, fx_state_fn *load, const struct state *saved,
                                void *fresh)
{
    struct state in;
    state_init_load(&in, saved->buf, saved->len);
    load(fresh, &in);
    if (!state_ok(&in, true))
        fail_msg("load failed: %s", in.why);
    struct state again = fx_save(save, fresh);
    assert_int_equal(again.len, saved->len);
    assert_memory_equal(again.buf, saved->buf, saved->len);
    state_free(&again);
}

/* Every truncation of `saved` must fail cleanly (no crash, error set). */
static inline void fx_truncations_fail(fx_state_fn *load, const struct state *saved, void *(*fresh)(void *),
                                       void (*drop)(void *), void *ctx)
{
    for (size_t n = 0; n < saved->len; n++) {
        void *obj = fresh(ctx);
        struct state in;
        state_init_load(&in, saved->buf, n);
        load(obj, &in);
        assert_false(state_ok(&in, true));
        drop(obj);
    }
}

#endif
