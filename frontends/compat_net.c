/* frontends/compat_net.c: QEMU's legacy -net option (see compat.h).
 *
 *   -net nic[,model=virtio|virtio-net-pci|virtio-net-device][,macaddr=MAC]
 *           [,netdev=ID][,vlan=N][,name=S][,id=S][,addr=SLOT]
 *   -net user|tap[,-netdev options][,vlan=N][,name=S][,id=ID]
 *   -net none
 *
 * QEMU joins the cards and backends of one vlan (a hub). rivet has no hub:
 * a vlan holds at most one backend, wired to the first card on it; a card
 * without a backend is unconnected. A card is placed where its -net nic
 * stands among the -device options. QEMU 7.2's virt board creates no card
 * for -net nic at all ("requested NIC ... was not created"); rivet
 * attaches a virtio-net and says so in one line (docs/qemu-compat.md). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/util.h"
#include "frontends/compat.h"
#include "frontends/options.h"
#include "machine/devices.h"

struct net_nic {
    const char *arg;
    int vlan;
    char *netdev;       /* netdev=ID, or NULL: the vlan's backend */
    char *base;         /* "MODEL[,mac=..][,addr=..]" */
    unsigned dev_index; /* its entry in o->devices */
};

struct net_hub {
    const char *arg;
    int vlan;
    char *id;
    bool used;
};

struct compat_net {
    struct net_nic *nics;
    unsigned nnics;
    struct net_hub *hubs;
    unsigned nhubs;
};

static int bad(const char *arg, const char *why)
{
    fprintf(stderr, "rivet: -net %s: %s\n", arg, why);
    return -1;
}

static struct compat_net *state(struct rivet_options *o)
{
    if (!o->legacy_net)
        o->legacy_net = calloc(1, sizeof *o->legacy_net);
    return o->legacy_net;
}

static int parse_vlan(const char *v, int *out)
{
    char *end;
    long n = v && *v ? strtol(v, &end, 10) : -1;
    if (!v || !*v || *end || n < 0 || n > 1000)
        return -1;
    *out = (int)n;
    return 0;
}

/* Appends ",KEY=VALUE" with commas in VALUE doubled. */
static void append(char *s, size_t len, const char *key, const char *value)
{
    size_t n = strlen(s);
    n += (size_t)snprintf(s + n, n < len ? len - n : 0, ",%s=", key);
    for (const char *p = value; *p && n + 2 < len; p++) {
        if (*p == ',')
            s[n++] = ',';
        s[n++] = *p;
    }
    if (n < len)
        s[n] = 0;
}

static int net_nic(struct rivet_options *o, struct compat_net *c, const char *arg, const struct optlist *l)
{
    const char *model = "virtio-net-pci", *mac = NULL, *netdev = NULL, *addr = NULL;
    int vlan = 0;
    for (unsigned i = 1; i < l->n; i++) {
        const char *k = l->v[i].key, *v = l->v[i].value;
        if (!v)
            return bad(arg, "every nic option takes a value (model=, macaddr=, netdev=, vlan=, name=, id=, addr=)");
        if (!strcmp(k, "model")) {
            if (!strcmp(v, "help")) {
                printf("Available NIC models: virtio (virtio-net-pci), virtio-net-pci, virtio-net-device\n");
                return OPT_HELP_DONE;
            }
            if (!strcmp(v, "virtio") || !strcmp(v, "virtio-net-pci"))
                model = "virtio-net-pci"; /* QEMU's "virtio" NIC model is the PCI one */
            else if (!strcmp(v, "virtio-net-device"))
                model = "virtio-net-device";
            else
                return bad(arg, "model= must be virtio, virtio-net-pci or virtio-net-device (rivet has no other NIC)");
        } else if (!strcmp(k, "macaddr")) {
            unsigned b[6];
            char end;
            if (sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6 ||
                strlen(v) != 17)
                return bad(arg, "macaddr= must be six hex bytes like 52:54:00:12:34:56");
            mac = v;
        } else if (!strcmp(k, "netdev")) {
            netdev = v;
        } else if (!strcmp(k, "addr")) {
            addr = v;
        } else if (!strcmp(k, "vlan")) {
            if (parse_vlan(v, &vlan) < 0)
                return bad(arg, "vlan= must be a number from 0 to 1000");
        } else if (strcmp(k, "name") && strcmp(k, "id")) {
            char why[160];
            snprintf(why, sizeof why, "nic has no option '%s' (model=, macaddr=, netdev=, vlan=, name=, id=, addr=)", k);
            return bad(arg, why);
        }
    }
    if (addr && strcmp(model, "virtio-net-pci"))
        return bad(arg, "addr= is for a PCI card (model=virtio-net-pci)");
    char base[256];
    snprintf(base, sizeof base, "%s", model);
    if (mac)
        append(base, sizeof base, "mac", mac);
    if (addr)
        append(base, sizeof base, "addr", addr);
    if (devices_check(base, NULL) != 0)
        return -1;
    struct net_nic *v = realloc(c->nics, (c->nnics + 1) * sizeof *v);
    if (!v)
        return bad(arg, "out of memory");
    c->nics = v;
    struct net_nic *n = &c->nics[c->nnics];
    *n = (struct net_nic){ .arg = arg, .vlan = vlan, .dev_index = o->ndevices };
    n->base = strdup(base);
    n->netdev = netdev ? strdup(netdev) : NULL;
    if (!n->base || (netdev && !n->netdev) || options_add_device(o, strdup(base)) < 0) {
        free(n->base);
        free(n->netdev);
        return bad(arg, "out of memory");
    }
    c->nnics++;
    return 0;
}

/* -net user|tap,...: a -netdev with the vlan's id (id= if given). */
static int net_backend(struct rivet_options *o, struct compat_net *c, const char *arg, const struct optlist *l)
{
    int vlan = 0;
    const char *id = NULL;
    size_t len = strlen(arg) + 64;
    char *text = malloc(len);
    if (!text)
        return bad(arg, "out of memory");
    snprintf(text, len, "%s", l->v[0].key);
    for (unsigned i = 1; i < l->n; i++) {
        const char *k = l->v[i].key, *v = l->v[i].value;
        if (!strcmp(k, "vlan")) {
            if (parse_vlan(v, &vlan) < 0) {
                free(text);
                return bad(arg, "vlan= must be a number from 0 to 1000");
            }
        } else if (!strcmp(k, "id") && v) {
            id = v;
        } else if (strcmp(k, "name") || !v) {
            if (v)
                append(text, len, k, v);
            else
                snprintf(text + strlen(text), len - strlen(text), ",%s", k); /* a bare word: the parser judges */
        }
    }
    for (unsigned i = 0; i < c->nhubs; i++)
        if (c->hubs[i].vlan == vlan) {
            free(text);
            return bad(arg, "rivet has no hub: one -net user|tap per vlan (use -netdev and -device for more)");
        }
    char gen[32];
    snprintf(gen, sizeof gen, "hub%d", vlan);
    struct net_hub *h = realloc(c->hubs, (c->nhubs + 1) * sizeof *h);
    char *hid = strdup(id ? id : gen);
    if (h)
        c->hubs = h;
    if (!h || !hid) {
        free(hid);
        free(text);
        return bad(arg, "out of memory");
    }
    append(text, len, "id", hid);
    int r = options_push_netdev(o, "-net", arg, text);
    free(text);
    if (r < 0) {
        free(hid);
        return -1;
    }
    c->hubs[c->nhubs++] = (struct net_hub){ .arg = arg, .vlan = vlan, .id = hid };
    return 0;
}

int compat_opt_net(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "help")) {
        printf("-net nic[,model=virtio|virtio-net-pci|virtio-net-device][,macaddr=MAC][,netdev=ID][,vlan=N]\n"
               "-net user|tap[,-netdev options][,vlan=N]   (a card and a backend on one vlan are wired together)\n"
               "-net none\n");
        return OPT_HELP_DONE;
    }
    struct compat_net *c = state(o);
    struct optlist l;
    if (!c || optlist_parse(arg, &l) < 0)
        return bad(arg, "out of memory");
    const char *type = l.n && !l.v[0].value ? l.v[0].key : "";
    int rc;
    if (!strcmp(type, "nic"))
        rc = net_nic(o, c, arg, &l);
    else if (!strcmp(type, "user") || !strcmp(type, "tap"))
        rc = net_backend(o, c, arg, &l);
    else if (!strcmp(type, "none") && l.n == 1)
        rc = 0; /* no network: what rivet has without -net */
    else if (!strcmp(type, "socket") || !strcmp(type, "bridge") || !strcmp(type, "vde") || !strcmp(type, "l2tpv3") ||
             !strcmp(type, "dump"))
        rc = bad(arg, "not supported by rivet (it has nic, user, tap and none; -object filter-dump is not there either)");
    else
        rc = bad(arg, "the first item must be nic, user, tap or none");
    optlist_free(&l);
    return rc;
}

int compat_net_finish(struct rivet_options *o)
{
    struct compat_net *c = o->legacy_net;
    const char **backend = c ? calloc(c->nnics + 1, sizeof *backend) : NULL;
    const char **what = c ? calloc(c->nnics + 1, sizeof *what) : NULL;
    if (c && (!backend || !what)) {
        free(backend);
        free(what);
        return bad("", "out of memory");
    }
    /* every card's backend first, so that a refusal is the only line */
    int rc = 0;
    for (unsigned i = 0; c && i < c->nnics && rc == 0; i++) {
        struct net_nic *n = &c->nics[i];
        backend[i] = n->netdev;
        for (unsigned k = 0; k < c->nhubs && !backend[i]; k++)
            if (c->hubs[k].vlan == n->vlan) {
                if (c->hubs[k].used)
                    rc = bad(n->arg, "rivet has no hub: this vlan's backend already has a card (use -netdev and "
                                     "-device for more)");
                c->hubs[k].used = true;
                backend[i] = c->hubs[k].id;
                what[i] = c->hubs[k].arg;
            }
    }
    for (unsigned i = 0; c && i < c->nnics && rc == 0; i++) {
        struct net_nic *n = &c->nics[i];
        size_t len = strlen(n->base) + (backend[i] ? 2 * strlen(backend[i]) : 0) + 16;
        char *dev = malloc(len);
        if (!dev) {
            rc = bad(n->arg, "out of memory");
            break;
        }
        snprintf(dev, len, "%s", n->base);
        if (backend[i])
            append(dev, len, "netdev", backend[i]);
        free(o->devices[n->dev_index]);
        o->devices[n->dev_index] = dev;
        const char *model = !strncmp(n->base, "virtio-net-pci", 14) ? "virtio-net-pci" : "virtio-net-device";
        if (backend[i] && n->netdev)
            fprintf(stderr, "rivet: -net %s: QEMU 7.2's virt board would attach no card, rivet attaches a %s card "
                    "wired to -netdev id=%s\n", n->arg, model, backend[i]);
        else if (backend[i])
            fprintf(stderr, "rivet: -net %s: QEMU 7.2's virt board would attach no card, rivet attaches a %s card "
                    "wired to -net %s\n", n->arg, model, what[i]);
        else
            fprintf(stderr, "rivet: -net %s: QEMU 7.2's virt board would attach no card, rivet attaches a %s card "
                    "with no backend (no -net user|tap on vlan %d)\n", n->arg, model, n->vlan);
    }
    free(backend);
    free(what);
    return rc;
}

void compat_net_free(struct rivet_options *o)
{
    struct compat_net *c = o->legacy_net;
    if (!c)
        return;
    for (unsigned i = 0; i < c->nnics; i++) {
        free(c->nics[i].base);
        free(c->nics[i].netdev);
    }
    for (unsigned i = 0; i < c->nhubs; i++)
        free(c->hubs[i].id);
    free(c->nics);
    free(c->hubs);
    free(c);
    o->legacy_net = NULL;
}
