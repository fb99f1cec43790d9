/* frontends/rng_object.c: -object rng-random / rng-builtin (see rng_object.h). */
#define _GNU_SOURCE
#include "frontends/rng_object.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "bus/suggest.h"
#include "bus/util.h"

struct rng_object {
    int fd;   /* rng-random; -1: getrandom */
};

int rng_object_parse(const char *arg, struct rng_object_config *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    struct optlist o;
    if (optlist_parse(arg, &o) < 0)
        return errf(err, errlen, "out of memory");
    const char *type = o.n && !o.v[0].value ? o.v[0].key : "";
    const char *qom = optlist_get(&o, "qom-type");
    if (!*type && qom)
        type = qom; /* -object qom-type=rng-random,... */
    int rc = 0;
    static const char *const types[] = { "rng-random", "rng-builtin" };
    if (!strcmp(type, "help")) {
        printf("Object types rivet has (for -device virtio-rng-*,rng=ID):\n"
               "  rng-random   id=ID[,filename=FILE]: reads FILE (default /dev/urandom)\n"
               "  rng-builtin  id=ID: the host's getrandom\n");
        optlist_free(&o);
        return 1;
    }
    if (strcmp(type, types[0]) && strcmp(type, types[1])) {
        const char *near = suggest_nearest(type, types, 2);
        if (!*type)
            rc = errf(err, errlen, "needs an object type first (rivet has rng-random, rng-builtin)");
        else if (near)
            rc = errf(err, errlen, "unknown object type '%s'; did you mean '%s'?", type, near);
        else
            rc = errf(err, errlen, "unknown object type '%s' (rivet has rng-random and rng-builtin; -object help)",
                      type);
    }
    c->builtin = rc == 0 && !strcmp(type, "rng-builtin");
    for (unsigned i = 0; i < o.n && rc == 0; i++) {
        const char *k = o.v[i].key, *v = o.v[i].value;
        if ((i == 0 && !v) || (!strcmp(k, "qom-type") && v))
            continue;
        if (!strcmp(k, "id") && v && *v) {
            free(c->id);
            c->id = strdup(v);
        } else if (!strcmp(k, "filename") && v && *v && !c->builtin) {
            free(c->filename);
            c->filename = strdup(v);
        } else {
            rc = errf(err, errlen, "%s has no option '%s%s' (it takes id=ID%s)", type, k, v ? "=..." : "",
                      c->builtin ? "" : ", filename=FILE");
        }
    }
    if (rc == 0 && !c->id)
        rc = errf(err, errlen, "id=ID is required");
    if (rc == 0 && !c->builtin && !c->filename)
        c->filename = strdup("/dev/urandom"); /* QEMU's default */
    if (rc == 0 && (!c->id || (!c->builtin && !c->filename)))
        rc = errf(err, errlen, "out of memory");
    optlist_free(&o);
    if (rc < 0)
        rng_object_config_free(c);
    return rc;
}

void rng_object_config_free(struct rng_object_config *c)
{
    free(c->id);
    free(c->filename);
    memset(c, 0, sizeof *c);
}

struct rng_object *rng_object_open(const struct rng_object_config *c, char *err, size_t errlen)
{
    struct rng_object *r = calloc(1, sizeof *r);
    if (!r) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    r->fd = -1;
    if (!c->builtin) {
        r->fd = open(c->filename, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (r->fd < 0) {
            errf(err, errlen, "cannot open '%s': %s", c->filename, strerror(errno));
            free(r);
            return NULL;
        }
    }
    return r;
}

size_t rng_object_read(void *ctx, uint8_t *buf, size_t len)
{
    struct rng_object *r = ctx;
    ssize_t n;
    do
        n = r->fd >= 0 ? read(r->fd, buf, len) : getrandom(buf, len, GRND_NONBLOCK);
    while (n < 0 && errno == EINTR);
    return n > 0 ? (size_t)n : 0;
}

void rng_object_close(struct rng_object *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    free(r);
}
