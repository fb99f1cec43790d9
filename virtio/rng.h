/* virtio/rng.h: the virtio entropy device (virtio 1.2, 5.4).
 *
 * Two kinds. Seeded (`seed=N`): a deterministic generator (xoshiro256**
 * seeded through splitmix64; not cryptographic, by design reproducible)
 * fills requests when the driver notifies, so a run stays a pure function
 * of its inputs. Unseeded: host entropy is input from outside, so a notify
 * only marks the device pending and the machine, between CPU slices, calls
 * virtio_rng_fill with the host's getrandom. At most 64 KiB are written per
 * request (the spec lets the device write less than the buffer).
 */
#ifndef RIVET_VIRTIO_RNG_H
#define RIVET_VIRTIO_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "virtio/virtio.h"

/* Writes up to len random bytes into buf, returns how many (0: none now). */
typedef size_t (*virtio_rng_source)(void *ctx, uint8_t *buf, size_t len);

/* seed NULL: host entropy through virtio_rng_fill. NULL when out of memory. */
struct virtio_dev *virtio_rng_new(struct bus *, const uint64_t *seed);

/* Unseeded: the driver posted requests that wait for host entropy. */
bool virtio_rng_pending(struct virtio_dev *);
/* Serves waiting requests from `source`. */
void virtio_rng_fill(struct virtio_dev *, virtio_rng_source source, void *ctx);

#endif
