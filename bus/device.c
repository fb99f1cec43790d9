/* bus/device.c: typed option values of device descriptors (device.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/device.h"

int device_parse_u64(const char *v, uint64_t *out)
{
    if (!v || !*v || *v == '-' || *v == '+' || *v == ' ')
        return -1;
    errno = 0;
    char *end;
    unsigned long long x = strtoull(v, &end, 0);
    if (errno || *end)
        return -1;
    *out = x;
    return 0;
}

const struct device_option *device_find_option(const struct device_option *list, const char *name)
{
    for (const struct device_option *o = list; o && o->name; o++)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

const char *device_check_value(const struct device_option *o, const char *v, char *why, size_t len)
{
    switch (o->type) {
    case DEVOPT_U64: {
        uint64_t x;
        if (device_parse_u64(v, &x) < 0)
            return "a number (decimal or 0x hex)";
        if ((o->max && (x < o->min || x > o->max)) || (o->pow2 && (x & (x - 1)))) {
            snprintf(why, len, "%sfrom %llu to %llu", o->pow2 ? "a power of two " : "a number ",
                     (unsigned long long)o->min, (unsigned long long)o->max);
            return why;
        }
        break;
    }
    case DEVOPT_BOOL:
        if (optlist_bool(v) < 0)
            return "on or off";
        break;
    default:
        break;
    }
    return o->check ? o->check(v) : NULL;
}

const char *device_opt(const struct device_args *a, const char *name)
{
    const char *v = a->opts ? optlist_get(a->opts, name) : NULL;
    if (v)
        return v;
    const struct device_option *o = device_find_option(a->desc ? a->desc->options : NULL, name);
    return o ? o->def : NULL;
}

bool device_opt_u64(const struct device_args *a, const char *name, uint64_t *out)
{
    return device_parse_u64(device_opt(a, name), out) == 0;
}

bool device_opt_bool(const struct device_args *a, const char *name, bool *out)
{
    int b = optlist_bool(device_opt(a, name));
    if (b < 0)
        return false;
    *out = b == 1;
    return true;
}
