/* frontends/net_tap.c: `-netdev tap`, a Linux TAP interface.
 *
 * /dev/net/tun with IFF_TAP | IFF_NO_PI: every read() is one Ethernet frame
 * from the host's network stack, every write() one frame from the guest.
 * The interface is created when missing (needs CAP_NET_ADMIN) or attached
 * when it exists already (a persistent one made with `ip tuntap add ... user
 * NAME` needs no privilege). rivet runs no ifup scripts: the user sets the
 * interface up, addresses it or adds it to a bridge. A non-persistent
 * interface disappears when the backend closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "frontends/net.h"

#define TUN_PATH "/dev/net/tun"

struct net_tap {
    struct net_backend base;
    int fd;
    char ifname[IFNAMSIZ];
    bool logged_write, logged_read;
    uint8_t buf[NET_FRAME_MAX];
};

static struct net_tap *to_tap(struct net_backend *b)
{
    return (struct net_tap *)b;
}

static int tap_send(struct net_backend *b, const void *frame, size_t len)
{
    struct net_tap *t = to_tap(b);
    ssize_t n;
    do
        n = write(t->fd, frame, len);
    while (n < 0 && errno == EINTR);
    if (n == (ssize_t)len)
        return 0;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return -1; /* the kernel's queue is full: dropped, as on a wire */
    if (n < 0 && errno == EIO)
        net_backend_log_once(b, &t->logged_write,
                             "TAP interface %s is down: frames from the guest are dropped until it is up",
                             t->ifname);
    else
        net_backend_log_once(b, &t->logged_write, "writing to TAP interface %s: %s", t->ifname,
                             n < 0 ? strerror(errno) : "short write");
    return -1;
}

static void tap_poll(struct net_backend *b)
{
    struct net_tap *t = to_tap(b);
    /* Only as many as the queue holds: the rest waits in the kernel. */
    while (net_backend_queue_room(b)) {
        ssize_t n = read(t->fd, t->buf, sizeof t->buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                net_backend_log_once(b, &t->logged_read, "reading TAP interface %s: %s", t->ifname,
                                     strerror(errno));
            return;
        }
        if (n == 0)
            return;
        net_backend_enqueue(b, t->buf, (size_t)n);
    }
}

static int tap_fill_pollfds(struct net_backend *b, struct pollfd *fds, int max)
{
    struct net_tap *t = to_tap(b);
    /* With a full queue poll() would report the fd readable at once and
     * the run loop would spin; the device's progress is what it waits for. */
    if (!net_backend_queue_room(b))
        return 0;
    if (max >= 1)
        fds[0] = (struct pollfd){ .fd = t->fd, .events = POLLIN };
    return 1;
}

static uint64_t tap_next_deadline(struct net_backend *b)
{
    return UINT64_MAX;
}

static void tap_destroy(struct net_backend *b)
{
    struct net_tap *t = to_tap(b);
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct net_backend_ops tap_ops = {
    .send = tap_send,
    .poll = tap_poll,
    .fill_pollfds = tap_fill_pollfds,
    .next_deadline = tap_next_deadline,
    .destroy = tap_destroy,
};

static const char perm_hint[] =
    "needs CAP_NET_ADMIN (run as root), or an interface made beforehand with "
    "`ip tuntap add dev NAME mode tap user USER`";

struct net_backend *net_tap_open(const struct netdev_config *cfg, const struct net_clock *clock,
                                 char *err, size_t errlen)
{
    struct net_tap *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    net_backend_init(&t->base, &tap_ops, cfg, clock);
    t->fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (t->fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENODEV || e == ENXIO)
            snprintf(err, errlen, "%s: %s: the kernel has no TUN/TAP support here (modprobe tun)",
                     TUN_PATH, strerror(e));
        else if (e == EACCES || e == EPERM)
            snprintf(err, errlen, "%s: %s: TAP %s", TUN_PATH, strerror(e), perm_hint);
        else
            snprintf(err, errlen, "%s: %s", TUN_PATH, strerror(e));
        tap_destroy(&t->base);
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    /* Both are at most IFNAMSIZ - 1 characters (netdev_parse checks). */
    memcpy(ifr.ifr_name, cfg->ifname, strnlen(cfg->ifname, IFNAMSIZ - 1));
    const char *name = cfg->ifname[0] ? cfg->ifname : "(any)";
    if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        if (e == EPERM || e == EACCES)
            snprintf(err, errlen, "TAP interface %s: %s: %s", name, strerror(e), perm_hint);
        else if (e == EBUSY)
            snprintf(err, errlen, "TAP interface %s is in use by another process", name);
        else if (e == EINVAL)
            snprintf(err, errlen, "interface %s exists and is not a TAP interface", name);
        else
            snprintf(err, errlen, "TAP interface %s: %s", name, strerror(e));
        tap_destroy(&t->base);
        return NULL;
    }
    memcpy(t->ifname, ifr.ifr_name, IFNAMSIZ - 1);
    return &t->base;
}

/* The name the kernel gave the interface (useful with ifname= omitted). */
const char *net_tap_ifname(const struct net_backend *b)
{
    return b->type == NETDEV_TAP ? ((const struct net_tap *)b)->ifname : NULL;
}
