/* virtio/net.h: the virtio network device (virtio 1.2, 5.1).
 *
 * Queues: 0 receive, 1 transmit, 2 control. Features offered: MAC, STATUS
 * (link always up), MTU (1500), MRG_RXBUF, CTRL_VQ with CTRL_RX and
 * CTRL_MAC_ADDR, CSUM (the device completes a partial checksum before the
 * frame leaves) and GUEST_CSUM (received frames are marked DATA_VALID: the
 * backends hand over frames whose checksums are complete). No segmentation
 * offloads (TSO/UFO), no multiqueue.
 *
 * Every buffer starts with a virtio_net_hdr: 12 bytes with VERSION_1 or
 * MRG_RXBUF, 10 for a legacy driver without MRG_RXBUF.
 *
 * Receive: without MRG_RXBUF each receive chain must hold the header and
 * the whole frame; a frame that does not fit is dropped and counted
 * (rx_too_big) and the chain goes back to the ring unused. With MRG_RXBUF a
 * frame spreads over as many chains as it needs (num_buffers). When the
 * ring runs dry mid-frame the chains are returned unused and the frame
 * waits in the device (one frame) until the driver adds buffers; a frame
 * larger than the whole ring is dropped and counted.
 *
 * Control queue: RX mode commands (promisc, allmulti, and the extra ones)
 * and MAC_TABLE_SET are acknowledged and recorded, not enforced: the device
 * delivers every frame the backend gives it, as a NIC in promiscuous mode
 * would; the guest's stack drops what is not addressed to it.
 * MAC_ADDR_SET changes the MAC in config space.
 *
 * Frames move through `struct virtio_net_backend` (machine/devices.c
 * connects it to a -netdev). Transmit happens when the driver notifies the
 * tx queue. Received frames come only through virtio_net_receive, which the
 * board calls between CPU slices (host input enters the machine there).
 */
#ifndef RIVET_VIRTIO_NET_H
#define RIVET_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "virtio/virtio.h"

#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_F_CTRL_VLAN 19
#define VIRTIO_NET_F_CTRL_RX_EXTRA 20
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23

#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2

#define VIRTIO_NET_CTRL_RX 0
#define VIRTIO_NET_CTRL_RX_PROMISC 0
#define VIRTIO_NET_CTRL_RX_ALLMULTI 1
#define VIRTIO_NET_CTRL_RX_ALLUNI 2
#define VIRTIO_NET_CTRL_RX_NOMULTI 3
#define VIRTIO_NET_CTRL_RX_NOUNI 4
#define VIRTIO_NET_CTRL_RX_NOBCAST 5
#define VIRTIO_NET_CTRL_MAC 1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET 0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET 1
#define VIRTIO_NET_OK 0
#define VIRTIO_NET_ERR 1

#define VIRTIO_NET_MTU 1500
#define VIRTIO_NET_FRAME_MAX 65536   /* the largest frame passed either way */

/* The host side of the wire. send() gets one Ethernet frame (no virtio
 * header) and returns 0, or -1 when the backend refused it. NULL send:
 * an unconnected device (frames are dropped). */
struct virtio_net_backend {
    void *ctx;
    int (*send)(void *ctx, const void *frame, size_t len);
};

struct virtio_net_options {
    uint8_t mac[6];
    unsigned queue_size;     /* 0: 256 */
    /* Features not to offer (QEMU's mrg_rxbuf=off, csum=off, guest_csum=off). */
    bool no_mrg_rxbuf, no_csum, no_guest_csum;
};

struct virtio_net_stats {
    uint64_t tx_frames, tx_bytes, tx_errors;   /* errors: bad length, refused */
    uint64_t rx_frames, rx_bytes;
    uint64_t rx_too_big;                        /* did not fit the buffers: dropped */
    bool promisc, allmulti;                     /* last CTRL_RX state */
};

/* The backend must outlive the device. NULL when out of memory. */
struct virtio_dev *virtio_net_new(struct bus *, const struct virtio_net_backend *,
                                  const struct virtio_net_options *);
/* Whether virtio_net_receive would take a frame now: the driver is running,
 * the receive queue has buffers and no frame is waiting in the device. */
bool virtio_net_can_receive(struct virtio_dev *);
/* Hands one frame to the guest (between CPU slices). The device copies it:
 * into the receive buffers, into its one-frame wait slot, or drops it
 * (counted). Returns true when the frame was taken (delivered or waiting). */
bool virtio_net_receive(struct virtio_dev *, const void *frame, size_t len);
/* Delivers the waiting frame if the driver added buffers; the board calls
 * it before offering new frames. */
void virtio_net_flush(struct virtio_dev *);
struct virtio_net_stats virtio_net_stats(struct virtio_dev *);

#endif
