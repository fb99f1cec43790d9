/* cpu/riscv/ext.c: the extension table's helpers (see ext.h). */
#include "cpu/riscv/ext.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define S_BASE RV_EXT_STATE_BASE
#define S_ON RV_EXT_STATE_ON
#define S_OFF RV_EXT_STATE_OFF
#define S_TODO RV_EXT_STATE_TODO

static const struct {
    const char *name, *help;
    enum rv_ext_state state;
} rows[RV_EXT_COUNT] = {
#define RV_EXT_ROW(id, n, s, h) [RV_EXT_##id] = { n, h, S_##s },
    RV_EXTS(RV_EXT_ROW)
#undef RV_EXT_ROW
};

uint64_t rv_ext_default(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < RV_EXT_COUNT; i++)
        if (rows[i].state == S_BASE || rows[i].state == S_ON)
            m |= UINT64_C(1) << i;
    return m;
}

const char *rv_ext_name(unsigned id) { return id < RV_EXT_COUNT ? rows[id].name : NULL; }
const char *rv_ext_help(unsigned id) { return id < RV_EXT_COUNT ? rows[id].help : NULL; }
enum rv_ext_state rv_ext_state(unsigned id) { return id < RV_EXT_COUNT ? rows[id].state : S_TODO; }

static int find(const char *name, size_t len)
{
    for (unsigned i = 0; i < RV_EXT_COUNT; i++)
        if (strlen(rows[i].name) == len && !strncasecmp(rows[i].name, name, len))
            return (int)i;
    return -1;
}

int rv_ext_apply(uint64_t *mask, const char *props, char *err, size_t errlen)
{
    const char *p = props;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : n;
        const char *v = eq ? eq + 1 : NULL;
        size_t vlen = eq ? n - klen - 1 : 0;
        if (klen == 0) {
            snprintf(err, errlen, "empty CPU property");
            return -1;
        }
        int id = find(p, klen);
        if (id < 0) {
            snprintf(err, errlen, "unknown CPU property '%.*s' (-cpu help lists them)", (int)klen, p);
            return -1;
        }
        bool on;
        if (!v || (vlen == 2 && !strncasecmp(v, "on", 2)) || (vlen == 4 && !strncasecmp(v, "true", 4)))
            on = true;
        else if ((vlen == 3 && !strncasecmp(v, "off", 3)) || (vlen == 5 && !strncasecmp(v, "false", 5)))
            on = false;
        else {
            snprintf(err, errlen, "%s=%.*s: expected on or off", rows[id].name, (int)vlen, v);
            return -1;
        }
        switch (rows[id].state) {
        case S_TODO:
            snprintf(err, errlen, "%s: not implemented in rivet yet", rows[id].name);
            return -1;
        case S_BASE:
            if (!on) {
                snprintf(err, errlen, "%s: always on in rivet (cannot be switched off)", rows[id].name);
                return -1;
            }
            break;
        default:
            if (on)
                *mask |= UINT64_C(1) << id;
            else
                *mask &= ~(UINT64_C(1) << id);
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

size_t rv_ext_isa_string(uint64_t mask, char *buf, size_t len)
{
    size_t need = 0;
#define PUT(c) do { if (need + 1 < len) buf[need] = (c); need++; } while (0)
    PUT('r'); PUT('v'); PUT('6'); PUT('4');
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < RV_EXT_COUNT; i++) {
            const char *n = rows[i].name;
            bool single = n[1] == '\0';
            if (!(mask >> i & 1) || single != (pass == 0))
                continue;
            if (!single)
                PUT('_');
            for (; *n; n++)
                PUT(*n);
        }
#undef PUT
    if (len)
        buf[need < len ? need : len - 1] = '\0';
    return need;
}

size_t rv_ext_list(uint64_t mask, char *buf, size_t len)
{
    size_t need = 0;
    for (unsigned i = 0; i < RV_EXT_COUNT; i++) {
        if (!(mask >> i & 1))
            continue;
        size_t n = strlen(rows[i].name) + 1;
        if (need + n <= len)
            memcpy(buf + need, rows[i].name, n);
        need += n;
    }
    return need;
}
