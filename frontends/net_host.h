/* frontends/net_host.h: the -netdev backends as the machine sees them.
 *
 * Opens every -netdev (frontends/net.h) and presents each as a struct
 * devices_netdev (machine/devices.h): plain callbacks for send, the
 * receiver, poll (between CPU slices) and the clock. The clock reads the
 * machine's virtual time once the machine gave it (devices_set_clock) and
 * never runs backwards across a guest reboot, when the machine and its
 * clock are built anew.
 */
#ifndef RIVET_NET_HOST_H
#define RIVET_NET_HOST_H

#include <poll.h>
#include <stdio.h>

#include "frontends/net.h"
#include "machine/devices.h"

struct net_host;

/* Opens n backends; args[i] is the option text for messages (`rivet:
 * -netdev ARG: REASON`). NULL after a one-line error. n may be 0. */
struct net_host *net_host_open(const struct netdev_config *cfgs, const char *const *args, unsigned n);
const struct devices_netdev *net_host_netdevs(const struct net_host *);
unsigned net_host_count(const struct net_host *);
/* The fds an idle machine should wake on; returns how many were written. */
int net_host_fill_pollfds(struct net_host *, struct pollfd *fds, int max);
/* With -stats: one line per backend, its counters (struct net_stats). */
void net_host_print_stats(const struct net_host *, FILE *);
/* Closes every backend (NULL is a no-op). */
void net_host_close(struct net_host *);

#endif
