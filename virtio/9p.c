/* virtio/9p.c: the virtio-9p device (ID 9): one request queue carrying
 * 9P2000.L messages to the server in 9p_server.c, the mount tag in config
 * space. Each chain is one request (device-readable part) and room for its
 * reply (device-writable part); it is answered completely when the driver
 * notifies, so no request is ever in flight between two notifications. */
#include "virtio/9p.h"
#include "virtio/virtio.h"
#include "bus/device.h"

#include <stdlib.h>
#include <string.h>

#define QUEUE_SIZE 128
#define VIRTIO_9P_F_MOUNT_TAG 0
#define TAG_MAX (VIRTIO_CONFIG_MAX - 2)

struct v9p {
    struct virtio_dev vdev;
    struct virtio_9p_backend be;
    struct p9_server *srv;
    uint8_t *req, *reply;      /* P9_MAX_MSIZE each, allocated at the first request */
    struct virtq_elem elem;
};

static struct v9p *to_9p(struct virtio_dev *d)
{
    return (struct v9p *)d;
}

static uint64_t v9p_features(struct virtio_dev *d)
{
    return VIRTIO_BIT(VIRTIO_9P_F_MOUNT_TAG);
}

static void v9p_notify(struct virtio_dev *d, unsigned qn)
{
    struct v9p *v = to_9p(d);
    if (!v->req) {
        v->req = malloc(P9_MAX_MSIZE);
        v->reply = malloc(P9_MAX_MSIZE);
        if (!v->req || !v->reply) {
            virtio_dev_fail(d, "out of memory for 9p buffers");
            return;
        }
    }
    bool any = false;
    int got;
    while ((got = virtio_pop(d, 0, &v->elem)) > 0) {
        uint32_t msize = p9_server_msize(v->srv);
        /* A Tversion may come in a chain as long as the driver's msize. */
        size_t want = v->elem.out_len < P9_MAX_MSIZE ? (size_t)v->elem.out_len : P9_MAX_MSIZE;
        long n = virtio_elem_read(d, &v->elem, 0, v->req, want);
        size_t room = v->elem.in_len < P9_MAX_MSIZE ? (size_t)v->elem.in_len : P9_MAX_MSIZE;
        size_t len = n > 0 ? p9_server_handle(v->srv, v->req, (size_t)n, v->reply, room) : 0;
        if (len == 0)
            log_guest(&d->log_rl, "%s: 9p request of %llu bytes with %llu bytes for the reply (msize %u) "
                      "cannot be answered", d->label, (unsigned long long)v->elem.out_len,
                      (unsigned long long)v->elem.in_len, msize);
        long w = len ? virtio_elem_write(d, &v->elem, 0, v->reply, len) : 0;
        virtio_push(d, 0, &v->elem, w > 0 ? (uint32_t)w : 0);
        any = true;
    }
    if (any)
        virtio_queue_done(d, 0);
}

static void v9p_reset(struct virtio_dev *d)
{
    /* A driver reset ends the session: every fid goes. */
    p9_server_reset(to_9p(d)->srv);
}

/* Fids hold host files (open descriptors, directory positions), which a
 * snapshot cannot carry: the stream records how many were open, a save for
 * a snapshot file (to_file) with open fids fails, and a load of a stream
 * with open fids is refused. A 9p device without fids (before
 * the guest mounted, or after it unmounted) saves and loads; the loaded
 * session starts over (a new Tversion), as after a device reset. */
static void v9p_state(struct virtio_dev *d, struct state *st)
{
    struct v9p *v = to_9p(d);
    state_section(st, "virtio-9p", 1);
    uint32_t fids = p9_server_fids(v->srv);
    state_u32(st, "fids", &fids);
    if (!state_loading(st) && st->to_file && fids)
        state_fail(st, "virtio-9p: open fids (host files) cannot be saved: unmount the share first");
    if (!state_loading(st) || st->error)
        return;
    if (fids)
        state_fail(st, "virtio-9p: open fids (host files) cannot be restored");
    else
        p9_server_reset(v->srv);
}

static void v9p_free(struct virtio_dev *d)
{
    struct v9p *v = to_9p(d);
    p9_server_free(v->srv);
    free(v->req);
    free(v->reply);
    free(v);
}

static const struct virtio_device_ops v9p_ops = {
    .features = v9p_features,
    .queue_notify = v9p_notify,
    .reset = v9p_reset,
    .state = v9p_state,
    .free = v9p_free,
};

struct virtio_dev *virtio_9p_new(struct bus *bus, const struct virtio_9p_backend *be, const char *tag)
{
    size_t tl = strlen(tag);
    if (tl == 0 || tl > TAG_MAX)
        return NULL;
    struct v9p *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->be = *be;
    v->srv = p9_server_new(&v->be);
    if (!v->srv) {
        free(v);
        return NULL;
    }
    static const uint16_t qmax[1] = { QUEUE_SIZE };
    virtio_dev_init(&v->vdev, &v9p_ops, bus, "virtio-9p", VIRTIO_ID_9P, 1, qmax, (unsigned)(2 + tl));
    virtio_st16(v->vdev.config, (uint16_t)tl);
    memcpy(v->vdev.config + 2, tag, tl);
    return &v->vdev;
}

/* ---- the device type (bus/device.h) ---- */

static const char *check_tag(const char *v)
{
    size_t n = strlen(v);
    return n == 0 || n > TAG_MAX ? "1 to 254 bytes" : NULL;
}

static const struct device_option v9p_options[] = {
    { .name = "fsdev", .type = DEVOPT_FSDEV, .arg = "ID", .help = "the -fsdev local,...,id=ID to share",
      .required = true },
    { .name = "mount_tag", .type = DEVOPT_STR, .arg = "TAG",
      .help = "the name the guest mounts (mount -t 9p -o trans=virtio TAG /mnt)", .required = true,
      .check = check_tag },
    DEVOPT_END,
};

static int v9p_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    in->vdev = virtio_9p_new(a->bus, a->fsdev->backend, device_opt(a, "mount_tag"));
    return in->vdev ? 0 : errf(err, errlen, "out of memory");
}

DEVICE_TYPE(virtio_9p) = {
    .name = "virtio-9p",
    .help = "host folder shared over 9P2000.L (fsdev=ID,mount_tag=TAG)",
    .kind = DEVICE_VIRTIO,
    .options = v9p_options,
    .create = v9p_create,
};
