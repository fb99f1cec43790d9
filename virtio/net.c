/* virtio/net.c: the virtio network device. */
#include "virtio/net.h"
#include "bus/device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_QUEUE 256
#define CTRL_QUEUE 64
#define CONFIG_LEN 12            /* mac, status, max_virtqueue_pairs, mtu */
#define HDR_MAX 12
#define ETH_HLEN 14

enum { RXQ = 0, TXQ = 1, CTRLQ = 2 };
enum { CFG_MAC = 0, CFG_STATUS = 6, CFG_MAX_PAIRS = 8, CFG_MTU = 10 };
/* virtio_net_hdr offsets */
enum { HDR_FLAGS = 0, HDR_GSO_TYPE = 1, HDR_CSUM_START = 6, HDR_CSUM_OFFSET = 8, HDR_NUM_BUFFERS = 10 };

enum rx_result { RX_DONE, RX_WAIT, RX_DROPPED, RX_FAILED };

struct net {
    struct virtio_dev vdev;
    struct virtio_net_backend be;
    struct virtio_net_stats st;
    uint8_t mac[6];              /* the configured one; MAC_ADDR_SET changes config only */
    uint64_t off_features;       /* the options turned these off */
    bool logged_tx, logged_rx;
    /* rx: the first chain of a frame (it gets the header) and the others */
    struct virtq_elem first, elem;
    uint16_t heads[VIRTQ_MAX_SIZE];
    uint32_t lens[VIRTQ_MAX_SIZE];
    bool has_pending;
    size_t pending_len;
    uint8_t pending[VIRTIO_NET_FRAME_MAX];
    uint8_t tx[HDR_MAX + VIRTIO_NET_FRAME_MAX];
};

static struct net *to_net(struct virtio_dev *d)
{
    return (struct net *)d;
}

static uint64_t net_features(struct virtio_dev *d)
{
    return ~to_net(d)->off_features & (VIRTIO_BIT(VIRTIO_NET_F_CSUM) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |
           VIRTIO_BIT(VIRTIO_NET_F_MTU) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
           VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
           VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_NET_F_CTRL_RX) |
           VIRTIO_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR));
}

/* The legacy header has no num_buffers unless MRG_RXBUF (5.1.6.1). */
static unsigned hdr_len(struct virtio_dev *d)
{
    return virtio_has_feature(d, VIRTIO_F_VERSION_1) || virtio_has_feature(d, VIRTIO_NET_F_MRG_RXBUF)
               ? 12 : 10;
}

static void count_tx_error(struct net *n, const char *why, size_t len)
{
    n->st.tx_errors++;
    if (!n->logged_tx) {
        n->logged_tx = true;
        fprintf(stderr, "rivet: %s: dropped a transmitted frame of %zu bytes: %s (logged once)\n",
                n->vdev.label, len, why);
    }
}

/* NEEDS_CSUM: the driver left the checksum from csum_start to the end of
 * the frame for the device, with the pseudo-header sum already in the
 * field at csum_start + csum_offset (5.1.6.2). */
static bool complete_csum(uint8_t *f, size_t len, unsigned start, unsigned off)
{
    if ((size_t)start + off + 2 > len)
        return false;
    uint32_t sum = 0;
    size_t i = start;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)f[i] << 8 | f[i + 1];
    if (i < len)
        sum += (uint32_t)f[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = (uint16_t)~sum;
    f[start + off] = (uint8_t)(c >> 8);
    f[start + off + 1] = (uint8_t)c;
    return true;
}

static void transmit_one(struct net *n)
{
    struct virtio_dev *d = &n->vdev;
    const struct virtq_elem *e = &n->elem;
    unsigned hl = hdr_len(d);
    if (e->out_len < hl + ETH_HLEN || e->out_len > hl + VIRTIO_NET_FRAME_MAX) {
        count_tx_error(n, "bad length", e->out_len > hl ? (size_t)(e->out_len - hl) : 0);
        return;
    }
    size_t total = (size_t)e->out_len;
    if (virtio_elem_read(d, e, 0, n->tx, total) != (long)total) {
        count_tx_error(n, "buffer not readable", total - hl);
        return;
    }
    uint8_t *frame = n->tx + hl;
    size_t len = total - hl;
    if (n->tx[HDR_GSO_TYPE] != 0) {
        count_tx_error(n, "segmentation offload was not offered", len);
        return;
    }
    if ((n->tx[HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
        !complete_csum(frame, len, virtio_ld16(n->tx + HDR_CSUM_START), virtio_ld16(n->tx + HDR_CSUM_OFFSET))) {
        count_tx_error(n, "checksum position outside the frame", len);
        return;
    }
    if (!n->be.send || n->be.send(n->be.ctx, frame, len) < 0) {
        n->st.tx_errors++;
        return;
    }
    n->st.tx_frames++;
    n->st.tx_bytes += len;
}

static void transmit(struct net *n)
{
    struct virtio_dev *d = &n->vdev;
    bool any = false;
    int r;
    while ((r = virtio_pop(d, TXQ, &n->elem)) > 0) {
        transmit_one(n);
        virtio_push(d, TXQ, &n->elem, 0);
        any = true;
    }
    if (any)
        virtio_queue_done(d, TXQ);
}

static uint8_t ctrl_command(struct net *n, uint8_t cls, uint8_t cmd, uint64_t data_len)
{
    struct virtio_dev *d = &n->vdev;
    const struct virtq_elem *e = &n->elem;
    uint8_t data[8];
    if (cls == VIRTIO_NET_CTRL_RX) {
        if (data_len != 1 || virtio_elem_read(d, e, 2, data, 1) != 1)
            return VIRTIO_NET_ERR;
        switch (cmd) {
        case VIRTIO_NET_CTRL_RX_PROMISC:
            n->st.promisc = data[0] != 0;
            return VIRTIO_NET_OK;
        case VIRTIO_NET_CTRL_RX_ALLMULTI:
            n->st.allmulti = data[0] != 0;
            return VIRTIO_NET_OK;
        case VIRTIO_NET_CTRL_RX_ALLUNI:
        case VIRTIO_NET_CTRL_RX_NOMULTI:
        case VIRTIO_NET_CTRL_RX_NOUNI:
        case VIRTIO_NET_CTRL_RX_NOBCAST:
            return VIRTIO_NET_OK;
        }
        return VIRTIO_NET_ERR;
    }
    if (cls == VIRTIO_NET_CTRL_MAC && cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (data_len != 6 || virtio_elem_read(d, e, 2, data, 6) != 6)
            return VIRTIO_NET_ERR;
        memcpy(d->config + CFG_MAC, data, 6);
        return VIRTIO_NET_OK;
    }
    if (cls == VIRTIO_NET_CTRL_MAC && cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET) {
        /* two tables, unicast then multicast: le32 entries, entries * 6 bytes */
        uint64_t off = 0;
        for (int t = 0; t < 2; t++) {
            if (off + 4 > data_len || virtio_elem_read(d, e, 2 + off, data, 4) != 4)
                return VIRTIO_NET_ERR;
            uint64_t entries = virtio_ld32(data);
            if (entries > (data_len - off - 4) / 6)
                return VIRTIO_NET_ERR;
            off += 4 + entries * 6;
        }
        return off == data_len ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
    }
    return VIRTIO_NET_ERR;
}

static void control(struct net *n)
{
    struct virtio_dev *d = &n->vdev;
    bool any = false;
    while (virtio_pop(d, CTRLQ, &n->elem) > 0) {
        const struct virtq_elem *e = &n->elem;
        uint8_t h[2];
        if (e->out_len < 2 || e->in_len < 1 || virtio_elem_read(d, e, 0, h, 2) != 2) {
            virtio_dev_fail(d, "control command %u has no room for its class, command or ack", e->head);
            return;
        }
        uint8_t ack = ctrl_command(n, h[0], h[1], e->out_len - 2);
        virtio_elem_write(d, e, 0, &ack, 1);
        virtio_push(d, CTRLQ, e, 1);
        any = true;
    }
    if (any)
        virtio_queue_done(d, CTRLQ);
}

/* Gives back `k` popped receive chains unused (they stay the driver's
 * available buffers, in the same order). */
static void unpop(struct net *n, unsigned k)
{
    virtq_unpop(&n->vdev.vq[RXQ], k);
}

static void count_too_big(struct net *n, size_t len, const char *why)
{
    n->st.rx_too_big++;
    if (!n->logged_rx) {
        n->logged_rx = true;
        fprintf(stderr, "rivet: %s: dropped a received frame of %zu bytes: %s (logged once)\n",
                n->vdev.label, len, why);
    }
}

static enum rx_result deliver(struct net *n, const uint8_t *frame, size_t len)
{
    struct virtio_dev *d = &n->vdev;
    struct virtq *vq = &d->vq[RXQ];
    unsigned hl = hdr_len(d);
    uint8_t hdr[HDR_MAX] = { 0 };
    if (virtio_has_feature(d, VIRTIO_NET_F_GUEST_CSUM))
        hdr[HDR_FLAGS] = VIRTIO_NET_HDR_F_DATA_VALID;
    virtio_st16(hdr + HDR_NUM_BUFFERS, 1);
    int r;

    if (!virtio_has_feature(d, VIRTIO_NET_F_MRG_RXBUF)) {
        r = virtio_pop(d, RXQ, &n->first);
        if (r <= 0)
            return r < 0 ? RX_FAILED : RX_WAIT;
        if (n->first.in_len < hl + len) {
            unpop(n, 1);
            count_too_big(n, len, "receive buffer too small (no mergeable buffers)");
            return RX_DROPPED;
        }
        if (virtio_elem_write(d, &n->first, 0, hdr, hl) != (long)hl ||
            virtio_elem_write(d, &n->first, hl, frame, len) != (long)len)
            return RX_FAILED;
        virtio_push(d, RXQ, &n->first, (uint32_t)(hl + len));
        return RX_DONE;
    }

    /* Mergeable: chain after chain until the header and frame fit. */
    unsigned k = 0;
    size_t done = 0; /* frame bytes placed */
    do {
        struct virtq_elem *e = k == 0 ? &n->first : &n->elem;
        r = virtio_pop(d, RXQ, e);
        if (r < 0)
            return RX_FAILED;
        if (r == 0) {
            unpop(n, k);
            if (k >= vq->num) {
                count_too_big(n, len, "larger than the whole receive ring");
                return RX_DROPPED;
            }
            return RX_WAIT;
        }
        uint64_t room = e->in_len, at = 0;
        if (k == 0) {
            if (room < hl) {
                unpop(n, 1);
                count_too_big(n, len, "receive buffer smaller than the header");
                return RX_DROPPED;
            }
            room -= hl;
            at = hl;
        }
        size_t chunk = room < len - done ? (size_t)room : len - done;
        if (chunk && virtio_elem_write(d, e, at, frame + done, chunk) != (long)chunk)
            return RX_FAILED;
        n->heads[k] = e->head;
        n->lens[k] = (uint32_t)(at + chunk);
        k++;
        done += chunk;
    } while (done < len);
    virtio_st16(hdr + HDR_NUM_BUFFERS, (uint16_t)k);
    if (virtio_elem_write(d, &n->first, 0, hdr, hl) != (long)hl)
        return RX_FAILED;
    for (unsigned i = 0; i < k; i++)
        if (virtq_push(vq, n->heads[i], n->lens[i]) < 0) {
            virtio_dev_fail(d, "queue %u: %s", RXQ, vq->error);
            return RX_FAILED;
        }
    return RX_DONE;
}

static bool rx_ready(struct net *n)
{
    return virtio_dev_running(&n->vdev) && n->vdev.vq[RXQ].ready;
}

/* Peeks at the avail index: are there receive buffers? */
static bool rx_has_buffers(struct net *n)
{
    struct virtq *vq = &n->vdev.vq[RXQ];
    const uint8_t *idx = bus_dma(n->vdev.bus, vq->avail + 2, 2);
    return idx && virtio_ld16(idx) != vq->last_avail;
}

bool virtio_net_can_receive(struct virtio_dev *d)
{
    struct net *n = to_net(d);
    return rx_ready(n) && !n->has_pending && rx_has_buffers(n);
}

static void received(struct net *n, size_t len)
{
    n->st.rx_frames++;
    n->st.rx_bytes += len;
    virtio_queue_done(&n->vdev, RXQ);
}

bool virtio_net_receive(struct virtio_dev *d, const void *frame, size_t len)
{
    struct net *n = to_net(d);
    if (!rx_ready(n) || n->has_pending)
        return false;
    if (len > VIRTIO_NET_FRAME_MAX) {
        count_too_big(n, len, "larger than the device's limit");
        return true;
    }
    switch (deliver(n, frame, len)) {
    case RX_DONE:
        received(n, len);
        break;
    case RX_WAIT:
        memcpy(n->pending, frame, len);
        n->pending_len = len;
        n->has_pending = true;
        break;
    case RX_DROPPED:
    case RX_FAILED:
        break;
    }
    return true;
}

void virtio_net_flush(struct virtio_dev *d)
{
    struct net *n = to_net(d);
    if (!n->has_pending || !rx_ready(n))
        return;
    enum rx_result r = deliver(n, n->pending, n->pending_len);
    if (r == RX_WAIT)
        return;
    n->has_pending = false;
    if (r == RX_DONE)
        received(n, n->pending_len);
}

struct virtio_net_stats virtio_net_stats(struct virtio_dev *d)
{
    return to_net(d)->st;
}

static void net_notify(struct virtio_dev *d, unsigned q)
{
    struct net *n = to_net(d);
    if (q == TXQ)
        transmit(n);
    else if (q == CTRLQ)
        control(n);
    else if (q == RXQ)
        virtio_net_flush(d); /* new buffers: the waiting frame may fit now */
}

static void net_reset(struct virtio_dev *d)
{
    struct net *n = to_net(d);
    n->has_pending = false;
    n->st.promisc = n->st.allmulti = false;
    memcpy(d->config + CFG_MAC, n->mac, 6); /* as QEMU: reset restores the configured MAC */
}

/* A frame waiting for receive buffers, and the counters (the MAC the guest
 * set lives in the config bytes, saved by the core). */
static void net_state(struct virtio_dev *d, struct state *st)
{
    struct net *n = to_net(d);
    state_section(st, "virtio-net", 1);
    state_bool(st, "has_pending", &n->has_pending);
    size_t len = n->has_pending ? n->pending_len : 0;
    state_blob(st, "pending", n->pending, &len, sizeof n->pending);
    if (state_loading(st)) {
        n->pending_len = len;
        if (!st->error && n->has_pending && len == 0)
            state_fail(st, "virtio-net: an empty waiting frame");
        if (st->error)
            n->has_pending = false;
    }
    state_u64(st, "tx_frames", &n->st.tx_frames);
    state_u64(st, "tx_bytes", &n->st.tx_bytes);
    state_u64(st, "tx_errors", &n->st.tx_errors);
    state_u64(st, "rx_frames", &n->st.rx_frames);
    state_u64(st, "rx_bytes", &n->st.rx_bytes);
    state_u64(st, "rx_too_big", &n->st.rx_too_big);
    state_bool(st, "promisc", &n->st.promisc);
    state_bool(st, "allmulti", &n->st.allmulti);
}

static void net_free(struct virtio_dev *d)
{
    free(to_net(d));
}

static const struct virtio_device_ops net_ops = {
    .features = net_features,
    .queue_notify = net_notify,
    .reset = net_reset,
    .state = net_state,
    .free = net_free,
};

struct virtio_dev *virtio_net_new(struct bus *bus, const struct virtio_net_backend *be,
                                  const struct virtio_net_options *opt)
{
    struct net *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    unsigned qs = opt && opt->queue_size ? opt->queue_size : DEFAULT_QUEUE;
    if (qs < 4 || qs > VIRTQ_MAX_SIZE || (qs & (qs - 1)))
        qs = DEFAULT_QUEUE;
    uint16_t qmax[3] = { (uint16_t)qs, (uint16_t)qs, CTRL_QUEUE };
    virtio_dev_init(&n->vdev, &net_ops, bus, "virtio-net", VIRTIO_ID_NET, 3, qmax, CONFIG_LEN);
    if (be)
        n->be = *be;
    if (opt) {
        memcpy(n->mac, opt->mac, 6);
        n->off_features = (opt->no_mrg_rxbuf ? VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) : 0) |
                          (opt->no_csum ? VIRTIO_BIT(VIRTIO_NET_F_CSUM) : 0) |
                          (opt->no_guest_csum ? VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) : 0);
    }
    uint8_t *c = n->vdev.config;
    memcpy(c + CFG_MAC, n->mac, 6);
    virtio_st16(c + CFG_STATUS, VIRTIO_NET_S_LINK_UP);
    virtio_st16(c + CFG_MAX_PAIRS, 1);
    virtio_st16(c + CFG_MTU, VIRTIO_NET_MTU);
    return &n->vdev;
}

/* ---- the device type (bus/device.h) ---- */

static int parse_mac(const char *v, uint8_t mac[6])
{
    unsigned b[6];
    char end;
    if (!v || sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
        strlen(v) != 17)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return 0;
}

static const char *check_mac(const char *v)
{
    uint8_t mac[6];
    if (parse_mac(v, mac) < 0)
        return "six hex bytes like 52:54:00:12:34:56";
    return mac[0] & 1 ? "a unicast address (the first byte even)" : NULL;
}

static int net_send(void *ctx, const void *frame, size_t len)
{
    const struct devices_netdev *n = ctx;
    return n->send(n->ctx, frame, len);
}

static bool net_can_receive(void *opaque) { return virtio_net_can_receive(opaque); }
static void net_rx(void *opaque, const void *frame, size_t len) { virtio_net_receive(opaque, frame, len); }

/* QEMU's default MACs: 52:54:00:12:34:56 for the first card, then :57 ... */
static int net_check(const struct device_args *a, char *err, size_t errlen)
{
    if (a->index > 0xff - 0x56 && !device_opt(a, "mac"))
        return errf(err, errlen, "too many network cards for default MAC addresses (give mac=)");
    return 0;
}

static int net_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    struct virtio_net_options o = { .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + a->index) } };
    parse_mac(device_opt(a, "mac"), o.mac);
    uint64_t qs;
    if (device_opt_u64(a, "queue-size", &qs))
        o.queue_size = (unsigned)qs;
    bool on;
    o.no_mrg_rxbuf = device_opt_bool(a, "mrg_rxbuf", &on) && !on;
    o.no_csum = device_opt_bool(a, "csum", &on) && !on;
    o.no_guest_csum = device_opt_bool(a, "guest_csum", &on) && !on;
    struct virtio_net_backend be = { (void *)a->netdev, a->netdev ? net_send : NULL };
    in->vdev = virtio_net_new(a->bus, &be, &o);
    if (!in->vdev)
        return errf(err, errlen, "out of memory");
    if (a->netdev) {
        in->priv = (void *)a->netdev;  /* not ours: see net_detach */
        a->netdev->set_receiver(a->netdev->ctx, net_can_receive, net_rx, in->vdev);
    }
    return 0;
}

/* A frame that waited for buffers goes first; the backend's own frames
 * come after every card had its turn (devices_poll). */
static bool net_poll(struct device_instance *in)
{
    virtio_net_flush(in->vdev);
    return false;
}

static void net_detach(struct device_instance *in)
{
    const struct devices_netdev *n = in->priv;
    if (n)
        n->set_receiver(n->ctx, NULL, NULL, NULL);
    in->priv = NULL;
}

static const struct device_option net_options[] = {
    { .name = "netdev", .type = DEVOPT_NETDEV, .arg = "ID",
      .help = "the -netdev ...,id=ID it is wired to (default: unconnected)" },
    { .name = "mac", .type = DEVOPT_STR, .arg = "MAC",
      .help = "its MAC address (default 52:54:00:12:34:56, then :57 ... per card)",
      .check = check_mac },
    { .name = "queue-size", .type = DEVOPT_U64, .arg = "N", .help = "receive and transmit queue size", .def = "256",
      .min = 4, .max = VIRTQ_MAX_SIZE,
      .pow2 = true },
    { .name = "mrg_rxbuf", .type = DEVOPT_BOOL, .arg = "on|off", .help = "offer mergeable receive buffers",
      .def = "on" },
    { .name = "csum", .type = DEVOPT_BOOL, .arg = "on|off", .help = "offer transmit checksum offload", .def = "on" },
    { .name = "guest_csum", .type = DEVOPT_BOOL, .arg = "on|off", .help = "mark received frames' checksums valid",
      .def = "on" },
    DEVOPT_END,
};

DEVICE_TYPE(virtio_net) = {
    .name = "virtio-net",
    .help = "network card on a -netdev (netdev=ID[,mac=52:54:00:..])",
    .kind = DEVICE_VIRTIO,
    .options = net_options,
    .check = net_check,
    .create = net_create,
    .poll = net_poll,
    .detach = net_detach,
};
