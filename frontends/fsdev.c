/* frontends/fsdev.c: parsing -fsdev and -virtfs (fsdev.h). The folders are
 * opened by main.c with the other host objects, before the machine is
 * built. */
#include "frontends/fsdev.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/options.h"
#include "machine/devices.h"

static int bad(const char *opt, const char *arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(const char *opt, const char *arg, const char *fmt, ...)
{
    char m[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    fprintf(stderr, "rivet: %s %s: %s\n", opt, arg, m);
    return -1;
}

/* Fills f from a local,... list; `virtfs` also takes mount_tag= (left in
 * *tag). */
static int parse(const char *opt, const char *arg, bool virtfs, struct fsdev_opts *f, const char **tag,
                 struct optlist *o)
{
    memset(f, 0, sizeof *f);
    f->opt = opt;
    f->arg = arg;
    if (optlist_parse(arg, o) < 0)
        return bad(opt, arg, "%s", "out of memory");
    if (o->n == 0 || o->v[0].value || strcmp(o->v[0].key, "local"))
        return bad(opt, arg, "%s", "only the local driver exists: local,path=DIR,security_model=...");
    const char *path = NULL, *model = NULL, *id = NULL;
    *tag = NULL;
    for (unsigned i = 1; i < o->n; i++) {
        const char *k = o->v[i].key, *v = o->v[i].value;
        if (!v)
            return bad(opt, arg, "'%s' needs a value", k);
        if (!strcmp(k, "path"))
            path = v;
        else if (!strcmp(k, "security_model"))
            model = v;
        else if (!strcmp(k, "id"))
            id = v;
        else if (virtfs && !strcmp(k, "mount_tag"))
            *tag = v;
        else if (!strcmp(k, "readonly")) {
            int b = optlist_bool(v);
            if (b < 0)
                return bad(opt, arg, "readonly must be on or off, not '%s'", v);
            f->readonly = b;
        } else {
            char m[160];
            snprintf(m, sizeof m, "unknown option '%s' (local,path=,security_model=,readonly=,id=%s)", k,
                     virtfs ? ",mount_tag=" : "");
            return bad(opt, arg, "%s", m);
        }
    }
    if (!path || !*path)
        return bad(opt, arg, "%s", "needs path=DIR (the host folder to share)");
    if (!model)
        return bad(opt, arg, "%s", "needs security_model=passthrough|mapped-xattr|none");
    if (!strcmp(model, "passthrough"))
        f->model = FS_PASSTHROUGH;
    else if (!strcmp(model, "mapped-xattr") || !strcmp(model, "mapped"))
        f->model = FS_MAPPED_XATTR;
    else if (!strcmp(model, "none"))
        f->model = FS_NONE;
    else if (!strcmp(model, "mapped-file"))
        return bad(opt, arg, "%s", "security_model=mapped-file is not supported (use mapped-xattr)");
    else
        return bad(opt, arg, "unknown security_model '%s' (passthrough, mapped-xattr or none)", model);
    if (virtfs && (!*tag || !**tag))
        return bad(opt, arg, "%s", "needs mount_tag=TAG (the name the guest mounts)");
    if (!virtfs && (!id || !*id))
        return bad(opt, arg, "%s", "needs id=ID (for -device virtio-9p-...,fsdev=ID)");
    f->id = strdup(id ? id : *tag);
    f->path = strdup(path);
    if (!f->id || !f->path)
        return bad(opt, arg, "%s", "out of memory");
    return 0;
}

static int add(struct rivet_options *o, struct fsdev_opts *f)
{
    for (unsigned i = 0; i < o->nfsdevs; i++)
        if (!strcmp(o->fsdevs[i].id, f->id))
            return bad(f->opt, f->arg, "duplicate id '%s'", f->id);
    struct fsdev_opts *v = realloc(o->fsdevs, (o->nfsdevs + 1) * sizeof *v);
    if (!v)
        return bad(f->opt, f->arg, "%s", "out of memory");
    o->fsdevs = v;
    o->fsdevs[o->nfsdevs++] = *f;
    return 0;
}

static void opts_free(struct fsdev_opts *f)
{
    free(f->id);
    free(f->path);
}

int fsdev_opt_fsdev(struct rivet_options *o, const char *arg)
{
    struct fsdev_opts f;
    const char *tag;
    struct optlist l;
    int r = parse("-fsdev", arg, false, &f, &tag, &l);
    optlist_free(&l);
    if (r == 0 && (r = add(o, &f)) == 0)
        return 0;
    opts_free(&f);
    return -1;
}

int fsdev_opt_virtfs(struct rivet_options *o, const char *arg)
{
    struct fsdev_opts f;
    const char *tag;
    struct optlist l;
    char *dev = NULL;
    int r = parse("-virtfs", arg, true, &f, &tag, &l);
    if (r == 0) {
        /* QEMU's -virtfs: the fsdev plus a virtio-9p-pci device (a comma
         * in the id or tag doubles) */
        size_t n = strlen(f.id) + strlen(tag);
        dev = malloc(sizeof "virtio-9p-pci,fsdev=,mount_tag=" + 2 * n);
        if (dev) {
            char *p = dev + sprintf(dev, "virtio-9p-pci,fsdev=");
            for (const char *s = f.id; *s; s++)
                if ((*p++ = *s) == ',')
                    *p++ = ',';
            p += sprintf(p, ",mount_tag=");
            for (const char *s = tag; *s; s++)
                if ((*p++ = *s) == ',')
                    *p++ = ',';
            *p = 0;
        }
    }
    optlist_free(&l);
    if (r == 0 && !dev)
        r = bad("-virtfs", arg, "%s", "out of memory");
    if (r == 0 && devices_check(dev, NULL) != 0)
        r = -1;
    if (r == 0 && (r = add(o, &f)) == 0)
        return options_add_device(o, dev);
    free(dev);
    opts_free(&f);
    return -1;
}

void fsdev_opts_free(struct rivet_options *o)
{
    for (unsigned i = 0; i < o->nfsdevs; i++)
        opts_free(&o->fsdevs[i]);
    free(o->fsdevs);
    o->fsdevs = NULL;
    o->nfsdevs = 0;
}
