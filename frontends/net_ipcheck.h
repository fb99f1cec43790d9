/* frontends/net_ipcheck.h: what a guest frame must be before libslirp sees it.
 *
 * libslirp parses guest frames in the host process and is not hardened:
 * Debian's 4.7.0 faults inside slirp_input() on a single IPv4 fragment that
 * is the last of its datagram (MF clear, offset > 0) and arrives before any
 * other fragment of it, e.g. the 1487-byte ICMP frame of issue #18 (DF set,
 * offset 0x173e). QEMU 7.2 dies the same way. So the slirp backend passes
 * every guest frame through this checker first:
 *
 *   - IPv4: version 4, header length 20..60 and within the total length,
 *     total length within the frame (Ethernet padding after it is fine),
 *     header checksum right, a fragment never DF, every fragment but the
 *     last a multiple of 8 bytes, and offset + length within 65535.
 *   - IPv4 fragments are reassembled HERE and libslirp only ever receives
 *     whole datagrams (one frame of up to 14 + 65535 bytes, which it takes
 *     as is). At most NET_IPCHECK_DATAGRAMS datagrams are in reassembly at
 *     once (a new one evicts the oldest), each gives up after
 *     NET_IPCHECK_TIMEOUT_NS of the backend's clock, and fragments that
 *     overlap with different bytes, reach past the announced end or
 *     announce two ends drop their whole datagram (RFC 5722's rule, applied
 *     to IPv4 as Linux does).
 *   - IPv6: version 6, payload length within the frame. (libslirp does no
 *     IPv6 reassembly: it drops fragments itself.)
 *   - ARP: at least the 28 bytes of an Ethernet/IPv4 ARP body.
 *   - Other EtherTypes pass unchanged (libslirp ignores them).
 *
 * Pure code on bytes: no libslirp, no I/O; the caller supplies the time.
 */
#ifndef RIVET_NET_IPCHECK_H
#define RIVET_NET_IPCHECK_H

#include <stddef.h>
#include <stdint.h>

#define NET_IPCHECK_DATAGRAMS 16
#define NET_IPCHECK_TIMEOUT_NS 30000000000ull  /* 30 s, Linux's ipfrag_time */

enum net_ipcheck_verdict {
    NET_IPCHECK_PASS,   /* hand the frame on as it is */
    NET_IPCHECK_HOLD,   /* a fragment, kept for reassembly: nothing to hand on */
    NET_IPCHECK_WHOLE,  /* a datagram was completed: hand on *out (a new frame) */
    NET_IPCHECK_DROP,   /* malformed: drop it; *why says what was wrong */
};

struct net_ipcheck_stats {
    uint64_t dropped;        /* frames refused (DROP) */
    uint64_t reassembled;    /* datagrams completed (WHOLE) */
    uint64_t reasm_failed;   /* datagrams given up: timeout, eviction, overlap */
};

struct net_ipcheck;

struct net_ipcheck *net_ipcheck_new(void);   /* NULL when out of memory */
void net_ipcheck_free(struct net_ipcheck *); /* NULL is a no-op */

/* Checks one guest frame (Ethernet header first) at time now_ns. For
 * WHOLE, *out and *outlen give the reassembled frame, valid until the next
 * call; for DROP, *why is a short static reason. */
enum net_ipcheck_verdict net_ipcheck_frame(struct net_ipcheck *, const uint8_t *frame, size_t len,
                                           uint64_t now_ns, const uint8_t **out, size_t *outlen,
                                           const char **why);

struct net_ipcheck_stats net_ipcheck_stats(const struct net_ipcheck *);

#endif
