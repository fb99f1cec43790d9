/* frontends/rng_object.h: `-object rng-random` and `-object rng-builtin`,
 * QEMU's host entropy sources for `-device virtio-rng-*,rng=ID`:
 *
 *   -object rng-random,id=ID[,filename=FILE]   reads FILE (default /dev/urandom)
 *   -object rng-builtin,id=ID                   the host's getrandom(2)
 *
 * Both are input from outside the machine: a run that uses them is not a
 * pure function of its command line (use virtio-rng's seed=N for that).
 * Reads never block; the device asks only between CPU slices.
 */
#ifndef RIVET_RNG_OBJECT_H
#define RIVET_RNG_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rng_object_config {
    char *id;
    bool builtin;       /* rng-builtin: getrandom */
    char *filename;     /* rng-random */
    const char *arg;    /* the -object argument, for messages (set by the caller) */
};

/* Parses one -object argument: 0, 1 after printing `-object help` to
 * stdout, or -1 with a one-line reason (an unknown type included). */
int rng_object_parse(const char *arg, struct rng_object_config *, char *err, size_t errlen);
void rng_object_config_free(struct rng_object_config *);

struct rng_object;
/* Opens the file of an rng-random: NULL with a one-line reason. */
struct rng_object *rng_object_open(const struct rng_object_config *, char *err, size_t errlen);
/* Non-blocking: the bytes it got (0 when none now, or at a file's end). */
size_t rng_object_read(void *rng_object, uint8_t *buf, size_t len);
void rng_object_close(struct rng_object *);

#endif
