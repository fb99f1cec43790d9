/* frontends/net.h: host network backends behind `-netdev`.
 *
 * A backend moves Ethernet frames (destination MAC first, no preamble, no
 * FCS, no virtio-net header) between a guest network device and the host:
 *
 *   user  libslirp's user-mode stack (frontends/net_slirp.c; built only when
 *         ./configure found libslirp). The guest sees a private network,
 *         QEMU's defaults: 10.0.2.0/24, gateway and host 10.0.2.2, DNS
 *         10.0.2.3, DHCP hands out 10.0.2.15 onwards; IPv6 fec0::/64 with
 *         host fec0::2 and DNS fec0::3 unless ipv6=off.
 *   tap   a Linux TAP interface from /dev/net/tun (frontends/net_tap.c).
 *
 * Flow of frames and time:
 *
 *   guest -> host   the device calls net_backend_send() whenever the guest
 *                   transmits (mid-slice is fine): the frame goes to libslirp
 *                   or is written to the TAP fd at once.
 *   host -> guest   only net_backend_poll() hands frames to the device, through
 *                   the receiver it registered. The machine calls it between
 *                   CPU slices: that is the one place where network input
 *                   enters the machine, so a record log can note it with its
 *                   instruction count. Frames a backend produces at any other
 *                   moment (libslirp answers an ARP request inside send) are
 *                   queued and wait for the next poll.
 *
 * Queueing: when the device cannot receive (no free rx buffers) frames wait
 * in a queue of NET_RX_QUEUE_MAX frames. libslirp's frames beyond that are
 * dropped and counted (TCP retransmits, as on a real wire); a TAP backend
 * stops reading its fd instead, so the kernel's own queue holds the rest.
 * A backend with no receiver registered drops what arrives.
 *
 * Clock: a backend reads time through the struct net_clock given to
 * netdev_open. The machine passes its virtual clock, so libslirp's timers
 * (TCP retransmission, delayed ACKs, IPv6 router advertisements) and pcap
 * timestamps follow guest time. NULL means the host's CLOCK_MONOTONIC, for
 * tools and tests. Time is read through a clock rather than passed to poll
 * because libslirp also reads it inside send and while it is created. Even on virtual time a run with a network is not a pure
 * function of its inputs: host sockets answer when they answer, and
 * libslirp picks its router-advertisement interval from a random source
 * it seeds itself. Replay must therefore take host->guest frames from the
 * record log, not from the backend.
 *
 * Sleeping: when every hart waits, the run loop may sleep in poll(2) on the
 * fds from net_backend_fill_pollfds() together with its other inputs, for
 * no longer than net_backend_next_deadline(), then call net_backend_poll().
 *
 * Capture: dump=FILE (or net_backend_dump) writes every frame in both
 * directions to a pcap file (frontends/pcap.h) stamped with the backend's
 * clock: guest->host frames when sent, host->guest frames when delivered to
 * the device (what the guest actually saw; dropped frames are not in it).
 *
 * Errors: netdev_parse and netdev_open write a one-line reason into err
 * without a prefix; the caller prints `rivet: -netdev OPTARG: REASON` and
 * exits 1. Errors at run time (a TAP write fails, the guest sends a runt
 * frame) are counted in struct net_stats and logged at most once per kind,
 * as `rivet: netdev ID: ...`.
 */
#ifndef RIVET_NET_H
#define RIVET_NET_H

#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_ID_MAX 64         /* including the terminating NUL */
#define NETDEV_PATH_MAX 4096
#define NETDEV_MAX_HOSTFWD 32
#define NET_FRAME_MIN 14         /* an Ethernet header */
#define NET_FRAME_MAX 65536
#define NET_RX_QUEUE_MAX 256

enum netdev_type {
    NETDEV_USER = 1,
    NETDEV_TAP,
};

/* hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
struct netdev_hostfwd {
    bool udp;
    struct in_addr host_addr;    /* INADDR_ANY when omitted, as in QEMU */
    uint16_t host_port;          /* 1..65535 */
    struct in_addr guest_addr;   /* the first DHCP address when omitted */
    uint16_t guest_port;         /* 1..65535 */
};

/* What `-netdev` said, with every default filled in. Addresses are in
 * network byte order. Self-contained: holds no pointer into the option
 * string. */
struct netdev_config {
    enum netdev_type type;
    char id[NETDEV_ID_MAX];
    char dump[NETDEV_PATH_MAX];  /* pcap file, "" for none */

    /* user */
    struct in_addr net, mask;    /* net=ADDR[/BITS|/MASK], default 10.0.2.0/24 */
    struct in_addr host;         /* host=, default net+2 */
    struct in_addr dhcp_start;   /* dhcpstart=, default net+15 */
    struct in_addr dns;          /* dns=, default net+3 */
    bool restricted;             /* restrict=on: the guest reaches only hostfwd peers */
    bool ipv6;                   /* ipv6=on|off, default on */
    unsigned nhostfwd;
    struct netdev_hostfwd hostfwd[NETDEV_MAX_HOSTFWD];

    /* tap */
    char ifname[IFNAMSIZ];       /* "" lets the kernel pick tapN */
};

/* The clock a backend reads; see the header comment. */
struct net_clock {
    uint64_t (*now_ns)(void *opaque);
    void *opaque;
};

struct net_stats {
    uint64_t tx_frames, tx_bytes;   /* guest -> host, accepted by the backend */
    uint64_t tx_errors;             /* refused: bad length, host write failed */
    uint64_t tx_invalid;            /* malformed, dropped before the backend (user: net_ipcheck.h) */
    uint64_t rx_frames, rx_bytes;   /* host -> guest, delivered to the device */
    uint64_t rx_dropped;            /* queue full, or no receiver */
};

/* Parses the argument of `-netdev` (QEMU's syntax: `TYPE,key=value,...`,
 * a literal comma in a value written as ",,"):
 *   user,id=ID[,net=ADDR[/MASK]][,host=ADDR][,dhcpstart=ADDR][,dns=ADDR]
 *        [,hostfwd=[tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT]...[,restrict=on|off]
 *        [,ipv6=on|off][,dump=FILE]
 *   tap,id=ID[,ifname=NAME][,script=no][,downscript=no][,dump=FILE]
 * net= without a mask means /24. rivet never runs ifup/ifdown scripts:
 * script= and downscript= accept only "no" (or nothing). Booleans take
 * on/off, yes/no, true/false, y/n. Fills *out and returns 0, or returns -1
 * with a one-line reason in err. */
int netdev_parse(const char *optarg, struct netdev_config *out, char *err, size_t errlen);

struct net_backend;

/* Opens the host side: binds every hostfwd port, creates or attaches the
 * TAP interface, creates the dump file. NULL with a one-line reason in err
 * (a port in use names the port; no permission for /dev/net/tun says what is
 * needed). `clock` is copied; NULL means the host monotonic clock. */
struct net_backend *netdev_open(const struct netdev_config *, const struct net_clock *clock,
                                char *err, size_t errlen);

const char *net_backend_id(const struct net_backend *);
enum netdev_type net_backend_type(const struct net_backend *);

/* The device side. `can_receive` may be NULL (always ready); `rx` gets one
 * whole frame, valid only during the call. Frames are offered only from
 * inside net_backend_poll(). Pass NULLs to detach. */
void net_backend_set_receiver(struct net_backend *, bool (*can_receive)(void *opaque),
                              void (*rx)(void *opaque, const void *frame, size_t len),
                              void *opaque);

/* Guest -> host. len must be NET_FRAME_MIN..NET_FRAME_MAX. 0, or -1 when
 * the frame was refused (counted in tx_errors, or in tx_invalid when the
 * backend found it malformed). Never blocks. */
int net_backend_send(struct net_backend *, const void *frame, size_t len);

/* Never blocks: fires the backend's due timers, reads what the host has for
 * the guest, and offers queued frames to the device while it can receive. */
void net_backend_poll(struct net_backend *);

/* Fills up to `max` pollfds the run loop can sleep on (events set, revents
 * cleared) and returns how many the backend wants, which may exceed max
 * (call again with room for them). */
int net_backend_fill_pollfds(struct net_backend *, struct pollfd *fds, int max);

/* The earliest time (in the backend's clock) at which net_backend_poll has
 * work that no fd will announce: a timer, or queued frames the device can
 * take now (then it is the current time). UINT64_MAX when there is none. */
uint64_t net_backend_next_deadline(struct net_backend *);

/* Starts (or replaces) a pcap capture of every frame; what `dump=` does,
 * for a later `-object filter-dump`. -1 with a reason in err. */
int net_backend_dump(struct net_backend *, const char *path, char *err, size_t errlen);

struct net_stats net_backend_stats(const struct net_backend *);

/* The TAP interface's name (the kernel's choice when ifname= was omitted);
 * NULL for other backends. */
const char *net_tap_ifname(const struct net_backend *);

/* Closes the host side (removes a non-persistent TAP interface, closes
 * hostfwd sockets), frees queued frames and the capture. NULL is a no-op. */
void net_backend_close(struct net_backend *);

/* ---- For backend implementations (net_slirp.c, net_tap.c) only. ---- */

struct net_backend_ops {
    /* 0 taken, -1 failed (tx_errors), 1 dropped as malformed (tx_invalid) */
    int (*send)(struct net_backend *, const void *frame, size_t len);
    /* Read the host side into the queue (net_backend_enqueue); no delivery. */
    void (*poll)(struct net_backend *);
    int (*fill_pollfds)(struct net_backend *, struct pollfd *, int max);
    uint64_t (*next_deadline)(struct net_backend *); /* timers only */
    void (*destroy)(struct net_backend *);            /* frees the whole object */
};

struct net_frame {
    uint8_t *data;
    size_t len;
};

/* Backends embed this as their first member. */
struct net_backend {
    const struct net_backend_ops *ops;
    enum netdev_type type;
    char id[NETDEV_ID_MAX];
    struct net_clock clock;
    bool (*can_receive)(void *opaque);
    void (*rx)(void *opaque, const void *frame, size_t len);
    void *rx_opaque;
    struct net_frame rxq[NET_RX_QUEUE_MAX]; /* ring */
    unsigned rxq_head, rxq_len;
    struct pcap *dump;
    struct net_stats stats;
    bool logged_tx_error, logged_rx_oom, logged_dump_error;
};

void net_backend_init(struct net_backend *, const struct net_backend_ops *,
                      const struct netdev_config *, const struct net_clock *);
uint64_t net_backend_now(const struct net_backend *);
/* Queues a copy of a frame for the guest. false when it was dropped (queue
 * full or no memory; counted). */
bool net_backend_enqueue(struct net_backend *, const void *frame, size_t len);
unsigned net_backend_queue_room(const struct net_backend *);
/* Logs `rivet: netdev ID: MESSAGE` once per flag. */
void net_backend_log_once(struct net_backend *, bool *flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct net_backend *net_slirp_open(const struct netdev_config *, const struct net_clock *,
                                   char *err, size_t errlen);
struct net_backend *net_tap_open(const struct netdev_config *, const struct net_clock *,
                                 char *err, size_t errlen);

#endif
