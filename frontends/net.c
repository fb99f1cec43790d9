/* frontends/net.c: `-netdev` parsing and what every network backend shares:
 * the bounded queue towards the device, delivery from poll only, capture,
 * counters. The backends themselves are net_slirp.c and net_tap.c. */
#include "frontends/net.h"
#include "bus/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontends/pcap.h"

/* ---------------------------------------------------------------- parsing */

struct param {
    char *key;
    char *val; /* NULL when the parameter had no '=' */
};

/* Splits QEMU-style "a,b=c,d=e,,f" into parameters in place; ",," is a
 * literal comma. Returns the count, or -1 when there are more than max. */
static int split_params(char *s, struct param *p, int max)
{
    int n = 0;
    char *r = s, *w = s;
    for (;;) {
        if (n == max)
            return -1;
        p[n].key = w;
        p[n].val = NULL;
        for (;;) {
            if (*r == ',' && r[1] == ',') {
                *w++ = ',';
                r += 2;
            } else if (*r == ',' || *r == '\0') {
                break;
            } else {
                if (*r == '=' && !p[n].val) {
                    *w++ = '\0';
                    p[n].val = w;
                    r++;
                    continue;
                }
                *w++ = *r++;
            }
        }
        bool end = *r == '\0';
        *w++ = '\0';
        n++;
        if (end)
            return n;
        r++;
    }
}

static int parse_bool(const char *key, const char *v, bool *out, char *err, size_t errlen)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(v, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(v, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return errf(err, errlen, "%s=%s: expected on or off", key, v);
}

static bool id_wellformed(const char *id)
{
    if (!isalpha((unsigned char)id[0]))
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_')
            return false;
    return true;
}

static bool parse_ipv4(const char *s, struct in_addr *out)
{
    return inet_pton(AF_INET, s, out) == 1;
}

/* Decimal 1..65535, nothing else. */
static bool parse_port(const char *s, uint16_t *out)
{
    if (!*s || strlen(s) > 5)
        return false;
    unsigned v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *out = (uint16_t)v;
    return true;
}

static unsigned mask_bits(struct in_addr mask)
{
    uint32_t m = ntohl(mask.s_addr);
    unsigned n = 0;
    while (m & 0x80000000u) {
        n++;
        m <<= 1;
    }
    return n;
}

/* net=ADDR[/BITS|/DOTTEDMASK] */
static int parse_net(const char *v, struct netdev_config *c, char *err, size_t errlen)
{
    char addr[INET_ADDRSTRLEN + 1];
    const char *slash = strchr(v, '/');
    size_t alen = slash ? (size_t)(slash - v) : strlen(v);
    if (alen < sizeof addr) {
        memcpy(addr, v, alen);
        addr[alen] = '\0';
    }
    if (alen >= sizeof addr || !parse_ipv4(addr, &c->net))
        return errf(err, errlen, "net=%s: expected an IPv4 network such as 10.0.2.0/24", v);
    unsigned bits = 24;
    if (slash) {
        const char *m = slash + 1;
        struct in_addr dotted;
        if (strchr(m, '.')) {
            if (!parse_ipv4(m, &dotted))
                return errf(err, errlen, "net=%s: bad netmask '%s'", v, m);
            bits = mask_bits(dotted);
            uint32_t canon = bits ? 0xffffffffu << (32 - bits) : 0;
            if (ntohl(dotted.s_addr) != canon)
                return errf(err, errlen, "net=%s: netmask %s is not contiguous", v, m);
        } else {
            char *end;
            errno = 0;
            unsigned long b = strtoul(m, &end, 10);
            if (!*m || *end || errno || !isdigit((unsigned char)*m) || b > 32)
                return errf(err, errlen, "net=%s: bad prefix length '%s'", v, m);
            bits = (unsigned)b;
        }
    }
    /* Room for the network, host, DNS, a guest and the broadcast address. */
    if (bits < 1 || bits > 29)
        return errf(err, errlen, "net=%s: prefix length must be 1 to 29", v);
    c->mask.s_addr = htonl(0xffffffffu << (32 - bits));
    c->net.s_addr &= c->mask.s_addr;
    return 0;
}

/* hostfwd=[tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT */
static int parse_hostfwd(const char *v, struct netdev_hostfwd *f, char *err, size_t errlen)
{
    char buf[128];
    if (strlen(v) >= sizeof buf)
        goto bad;
    strcpy(buf, v);
    char *colon = strchr(buf, ':');
    if (!colon)
        goto bad;
    *colon = '\0';
    if (strcmp(buf, "tcp") == 0 || buf[0] == '\0')
        f->udp = false;
    else if (strcmp(buf, "udp") == 0)
        f->udp = true;
    else
        return errf(err, errlen, "hostfwd=%s: protocol '%s' is not tcp or udp", v, buf);
    char *host = colon + 1;
    char *dash = strchr(host, '-');
    if (!dash)
        goto bad;
    *dash = '\0';
    char *guest = dash + 1;
    char *hport = strrchr(host, ':');
    char *gport = strrchr(guest, ':');
    if (!hport || !gport)
        goto bad;
    *hport++ = '\0';
    *gport++ = '\0';
    f->host_addr.s_addr = htonl(INADDR_ANY);
    if (*host && !parse_ipv4(host, &f->host_addr))
        return errf(err, errlen, "hostfwd=%s: bad host address '%s' (IPv4 only)", v, host);
    f->guest_addr.s_addr = 0;
    if (*guest && !parse_ipv4(guest, &f->guest_addr))
        return errf(err, errlen, "hostfwd=%s: bad guest address '%s' (IPv4 only)", v, guest);
    if (!parse_port(hport, &f->host_port))
        return errf(err, errlen, "hostfwd=%s: host port '%s' is not 1 to 65535", v, hport);
    if (!parse_port(gport, &f->guest_port))
        return errf(err, errlen, "hostfwd=%s: guest port '%s' is not 1 to 65535", v, gport);
    return 0;
bad:
    return errf(err, errlen, "hostfwd=%s: expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT", v);
}

static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const char *p = s; *p; p++)
        if (*p == '/' || *p == ':' || isspace((unsigned char)*p) || !isprint((unsigned char)*p))
            return false;
    return true;
}

static bool in_net(const struct netdev_config *c, struct in_addr a)
{
    uint32_t bcast = c->net.s_addr | ~c->mask.s_addr;
    return (a.s_addr & c->mask.s_addr) == c->net.s_addr && a.s_addr != c->net.s_addr &&
           a.s_addr != bcast;
}

static struct in_addr net_plus(const struct netdev_config *c, uint32_t n)
{
    return (struct in_addr){ .s_addr = htonl(ntohl(c->net.s_addr) + n) };
}

/* Fills the defaults of a user netdev and checks that the addresses fit. */
static int finish_user(struct netdev_config *c, bool have_host, bool have_dhcp, bool have_dns,
                       char *err, size_t errlen)
{
    char net[INET_ADDRSTRLEN], a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &c->net, net, sizeof net);
    unsigned bits = mask_bits(c->mask);
    if (!have_host)
        c->host = net_plus(c, 2);
    if (!have_dns)
        c->dns = net_plus(c, 3);
    if (!have_dhcp)
        c->dhcp_start = net_plus(c, 15);
    const struct { const char *key; struct in_addr *addr; bool given; } addrs[] = {
        { "host", &c->host, have_host },
        { "dns", &c->dns, have_dns },
        { "dhcpstart", &c->dhcp_start, have_dhcp },
    };
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
        if (in_net(c, *addrs[i].addr))
            continue;
        inet_ntop(AF_INET, addrs[i].addr, a, sizeof a);
        if (addrs[i].given)
            return errf(err, errlen, "%s=%s is not a host address of the network %s/%u",
                        addrs[i].key, a, net, bits);
        return errf(err, errlen, "the default %s %s is not in the network %s/%u: give %s=",
                    addrs[i].key, a, net, bits, addrs[i].key);
    }
    if (c->dns.s_addr == c->host.s_addr)
        return errf(err, errlen, "dns and host are both %s: they must differ",
                    inet_ntop(AF_INET, &c->dns, a, sizeof a));
    if (c->dhcp_start.s_addr == c->host.s_addr || c->dhcp_start.s_addr == c->dns.s_addr)
        return errf(err, errlen, "dhcpstart=%s is the host or DNS address",
                    inet_ntop(AF_INET, &c->dhcp_start, a, sizeof a));
    for (unsigned i = 0; i < c->nhostfwd; i++) {
        struct netdev_hostfwd *f = &c->hostfwd[i];
        if (f->guest_addr.s_addr == 0)
            continue;
        inet_ntop(AF_INET, &f->guest_addr, a, sizeof a);
        if (!in_net(c, f->guest_addr))
            return errf(err, errlen, "hostfwd guest address %s is not in the network %s/%u", a, net,
                        bits);
        if (f->guest_addr.s_addr == c->host.s_addr || f->guest_addr.s_addr == c->dns.s_addr)
            return errf(err, errlen, "hostfwd guest address %s is the host or DNS address", a);
    }
    return 0;
}

#define MAX_PARAMS (NETDEV_MAX_HOSTFWD + 16)

int netdev_parse(const char *optarg, struct netdev_config *out, char *err, size_t errlen)
{
    static const char user_keys[] = "id, net, host, dhcpstart, dns, hostfwd, restrict, ipv6, dump";
    static const char tap_keys[] = "id, ifname, script, downscript, dump";
    memset(out, 0, sizeof *out);
    char *buf = strdup(optarg);
    if (!buf)
        return errf(err, errlen, "out of memory");
    struct param p[MAX_PARAMS];
    int n = split_params(buf, p, MAX_PARAMS);
    int rc = -1;
    if (n < 0) {
        errf(err, errlen, "too many parameters");
        goto out;
    }

    const char *type = p[0].val ? (strcmp(p[0].key, "type") == 0 ? p[0].val : NULL) : p[0].key;
    if (!type || !*type) {
        errf(err, errlen, "the first parameter must be the type: user or tap");
        goto out;
    }
    if (strcmp(type, "user") == 0) {
        out->type = NETDEV_USER;
        out->net.s_addr = htonl(0x0a000200u); /* 10.0.2.0/24 */
        out->mask.s_addr = htonl(0xffffff00u);
        out->ipv6 = true;
    } else if (strcmp(type, "tap") == 0) {
        out->type = NETDEV_TAP;
    } else {
        errf(err, errlen, "network backend type '%s' is not supported (rivet has user and tap)", type);
        goto out;
    }

    bool seen_id = false, seen_net = false, seen_host = false, seen_dhcp = false;
    bool seen_dns = false, seen_restrict = false, seen_ipv6 = false, seen_dump = false;
    bool seen_ifname = false, seen_script = false, seen_downscript = false;
    for (int i = 1; i < n; i++) {
        const char *k = p[i].key, *v = p[i].val;
        if (!*k && !v) {
            errf(err, errlen, "empty parameter (stray comma?)");
            goto out;
        }
        if (!v) {
            errf(err, errlen, "parameter '%s' needs a value (%s=...)", k, k);
            goto out;
        }
        bool *seen = NULL;
        bool user = out->type == NETDEV_USER, tap = out->type == NETDEV_TAP;
        if (strcmp(k, "id") == 0) {
            seen = &seen_id;
        } else if (strcmp(k, "dump") == 0) {
            seen = &seen_dump;
        } else if (user && strcmp(k, "net") == 0) {
            seen = &seen_net;
        } else if (user && strcmp(k, "host") == 0) {
            seen = &seen_host;
        } else if (user && strcmp(k, "dhcpstart") == 0) {
            seen = &seen_dhcp;
        } else if (user && strcmp(k, "dns") == 0) {
            seen = &seen_dns;
        } else if (user && strcmp(k, "restrict") == 0) {
            seen = &seen_restrict;
        } else if (user && strcmp(k, "ipv6") == 0) {
            seen = &seen_ipv6;
        } else if (user && strcmp(k, "hostfwd") == 0) {
            /* repeatable */
        } else if (tap && strcmp(k, "ifname") == 0) {
            seen = &seen_ifname;
        } else if (tap && strcmp(k, "script") == 0) {
            seen = &seen_script;
        } else if (tap && strcmp(k, "downscript") == 0) {
            seen = &seen_downscript;
        } else {
            errf(err, errlen, "unknown parameter '%s' (%s takes %s)", k, type, user ? user_keys : tap_keys);
            goto out;
        }
        if (seen) {
            if (*seen) {
                errf(err, errlen, "%s= given twice", k);
                goto out;
            }
            *seen = true;
        }

        if (strcmp(k, "id") == 0) {
            if (strlen(v) >= NETDEV_ID_MAX || !id_wellformed(v)) {
                errf(err, errlen,
                     "id=%s: an id starts with a letter and has at most %d letters, digits, '-', '.', '_'",
                     v, NETDEV_ID_MAX - 1);
                goto out;
            }
            strcpy(out->id, v);
        } else if (strcmp(k, "dump") == 0) {
            if (!*v || strlen(v) >= NETDEV_PATH_MAX) {
                errf(err, errlen, "dump= needs a file name");
                goto out;
            }
            strcpy(out->dump, v);
        } else if (strcmp(k, "net") == 0) {
            if (parse_net(v, out, err, errlen) < 0)
                goto out;
        } else if (strcmp(k, "host") == 0 || strcmp(k, "dhcpstart") == 0 || strcmp(k, "dns") == 0) {
            struct in_addr *a = k[0] == 'h' ? &out->host : k[1] == 'h' ? &out->dhcp_start : &out->dns;
            if (!parse_ipv4(v, a)) {
                errf(err, errlen, "%s=%s: expected an IPv4 address", k, v);
                goto out;
            }
        } else if (strcmp(k, "restrict") == 0) {
            if (parse_bool(k, v, &out->restricted, err, errlen) < 0)
                goto out;
        } else if (strcmp(k, "ipv6") == 0) {
            if (parse_bool(k, v, &out->ipv6, err, errlen) < 0)
                goto out;
        } else if (strcmp(k, "hostfwd") == 0) {
            if (out->nhostfwd == NETDEV_MAX_HOSTFWD) {
                errf(err, errlen, "more than %d hostfwd= rules", NETDEV_MAX_HOSTFWD);
                goto out;
            }
            struct netdev_hostfwd *f = &out->hostfwd[out->nhostfwd];
            if (parse_hostfwd(v, f, err, errlen) < 0)
                goto out;
            for (unsigned j = 0; j < out->nhostfwd; j++) {
                const struct netdev_hostfwd *g = &out->hostfwd[j];
                if (g->udp == f->udp && g->host_port == f->host_port &&
                    (g->host_addr.s_addr == f->host_addr.s_addr || !g->host_addr.s_addr ||
                     !f->host_addr.s_addr)) {
                    errf(err, errlen, "hostfwd=%s: host %s port %u is already forwarded", v,
                         f->udp ? "udp" : "tcp", f->host_port);
                    goto out;
                }
            }
            out->nhostfwd++;
        } else if (strcmp(k, "ifname") == 0) {
            if (!valid_ifname(v)) {
                errf(err, errlen, "ifname=%s: not a valid interface name (1 to %d characters, no '/', ':' or spaces)",
                     v, IFNAMSIZ - 1);
                goto out;
            }
            strcpy(out->ifname, v);
        } else { /* script, downscript */
            if (*v && strcmp(v, "no") != 0) {
                errf(err, errlen, "%s=%s: rivet runs no interface scripts; set the interface up yourself and pass %s=no",
                     k, v, k);
                goto out;
            }
        }
    }
    if (!seen_id) {
        errf(err, errlen, "missing id= (every -netdev needs one)");
        goto out;
    }
    if (out->type == NETDEV_USER && finish_user(out, seen_host, seen_dhcp, seen_dns, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    free(buf);
    return rc;
}

/* --------------------------------------------------------- common backend */

static uint64_t host_monotonic_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void net_backend_init(struct net_backend *b, const struct net_backend_ops *ops,
                      const struct netdev_config *cfg, const struct net_clock *clock)
{
    b->ops = ops;
    b->type = cfg->type;
    snprintf(b->id, sizeof b->id, "%s", cfg->id);
    if (clock && clock->now_ns)
        b->clock = *clock;
    else
        b->clock = (struct net_clock){ .now_ns = host_monotonic_ns };
}

uint64_t net_backend_now(const struct net_backend *b)
{
    return b->clock.now_ns(b->clock.opaque);
}

void net_backend_log_once(struct net_backend *b, bool *flag, const char *fmt, ...)
{
    if (*flag)
        return;
    *flag = true;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rivet: netdev %s: ", b->id);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void capture(struct net_backend *b, const void *frame, size_t len)
{
    if (!b->dump)
        return;
    if (pcap_write(b->dump, net_backend_now(b), frame, len) == 0)
        return;
    net_backend_log_once(b, &b->logged_dump_error, "dump %s: %s; capture stopped",
                         pcap_path(b->dump), strerror(errno));
    pcap_close(b->dump);
    b->dump = NULL;
}

unsigned net_backend_queue_room(const struct net_backend *b)
{
    return NET_RX_QUEUE_MAX - b->rxq_len;
}


bool net_backend_enqueue(struct net_backend *b, const void *frame, size_t len)
{
    if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
        b->stats.rx_dropped++;
        return false;
    }
    /* A full queue is ordinary (the driver is not up yet, or is slow): it
     * is counted, not logged. */
    if (b->rxq_len == NET_RX_QUEUE_MAX) {
        b->stats.rx_dropped++;
        return false;
    }
    uint8_t *copy = malloc(len);
    if (!copy) {
        b->stats.rx_dropped++;
        net_backend_log_once(b, &b->logged_rx_oom, "out of memory: dropping frames for the guest");
        return false;
    }
    memcpy(copy, frame, len);
    unsigned tail = (b->rxq_head + b->rxq_len) % NET_RX_QUEUE_MAX;
    b->rxq[tail] = (struct net_frame){ .data = copy, .len = len };
    b->rxq_len++;
    return true;
}

static struct net_frame dequeue(struct net_backend *b)
{
    struct net_frame f = b->rxq[b->rxq_head];
    b->rxq[b->rxq_head] = (struct net_frame){ 0 };
    b->rxq_head = (b->rxq_head + 1) % NET_RX_QUEUE_MAX;
    b->rxq_len--;
    return f;
}

static bool device_ready(struct net_backend *b)
{
    return b->rx && (!b->can_receive || b->can_receive(b->rx_opaque));
}

static void deliver(struct net_backend *b)
{
    while (b->rxq_len) {
        if (!b->rx) {
            free(dequeue(b).data);
            b->stats.rx_dropped++;
            continue;
        }
        if (!device_ready(b))
            return;
        struct net_frame f = dequeue(b);
        capture(b, f.data, f.len);
        b->stats.rx_frames++;
        b->stats.rx_bytes += f.len;
        b->rx(b->rx_opaque, f.data, f.len);
        free(f.data);
    }
}

const char *net_backend_id(const struct net_backend *b)
{
    return b->id;
}

enum netdev_type net_backend_type(const struct net_backend *b)
{
    return b->type;
}

void net_backend_set_receiver(struct net_backend *b, bool (*can_receive)(void *opaque),
                              void (*rx)(void *opaque, const void *frame, size_t len), void *opaque)
{
    b->can_receive = can_receive;
    b->rx = rx;
    b->rx_opaque = opaque;
}

int net_backend_send(struct net_backend *b, const void *frame, size_t len)
{
    if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
        b->stats.tx_errors++;
        net_backend_log_once(b, &b->logged_tx_error, "guest sent a frame of %zu bytes (dropped)", len);
        return -1;
    }
    capture(b, frame, len);
    int r = b->ops->send(b, frame, len);
    if (r < 0) {
        b->stats.tx_errors++;
        return -1;
    }
    if (r > 0) {
        b->stats.tx_invalid++;
        return -1;
    }
    b->stats.tx_frames++;
    b->stats.tx_bytes += len;
    return 0;
}

void net_backend_poll(struct net_backend *b)
{
    /* Hand over what is already queued first: a TAP backend reads only as
     * much as the queue has room for. */
    deliver(b);
    b->ops->poll(b);
    deliver(b);
}

int net_backend_fill_pollfds(struct net_backend *b, struct pollfd *fds, int max)
{
    return b->ops->fill_pollfds(b, fds, max);
}

uint64_t net_backend_next_deadline(struct net_backend *b)
{
    if (b->rxq_len && (!b->rx || device_ready(b)))
        return net_backend_now(b);
    return b->ops->next_deadline(b);
}

int net_backend_dump(struct net_backend *b, const char *path, char *err, size_t errlen)
{
    struct pcap *p = pcap_open(path, 0, err, errlen);
    if (!p)
        return -1;
    pcap_close(b->dump);
    b->dump = p;
    b->logged_dump_error = false;
    return 0;
}

struct net_stats net_backend_stats(const struct net_backend *b)
{
    return b->stats;
}

void net_backend_close(struct net_backend *b)
{
    if (!b)
        return;
    while (b->rxq_len)
        free(dequeue(b).data);
    pcap_close(b->dump);
    b->dump = NULL;
    b->ops->destroy(b);
}

struct net_backend *netdev_open(const struct netdev_config *cfg, const struct net_clock *clock,
                                char *err, size_t errlen)
{
    struct net_backend *b = NULL;
    switch (cfg->type) {
    case NETDEV_USER:
#ifdef HAVE_SLIRP
        b = net_slirp_open(cfg, clock, err, errlen);
#else
        errf(err, errlen, "user networking is not built in: install libslirp-dev and re-run ./configure");
#endif
        break;
    case NETDEV_TAP:
        b = net_tap_open(cfg, clock, err, errlen);
        break;
    default:
        errf(err, errlen, "unknown network backend type %d", (int)cfg->type);
        break;
    }
    if (b && cfg->dump[0] && net_backend_dump(b, cfg->dump, err, errlen) < 0) {
        net_backend_close(b);
        b = NULL;
    }
    return b;
}
