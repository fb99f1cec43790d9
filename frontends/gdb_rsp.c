/* frontends/gdb_rsp.c: packet framing of gdb's remote serial protocol. */
#include <string.h>

#include "frontends/gdb_rsp.h"

enum { ST_IDLE, ST_DATA, ST_CS1, ST_CS2 };

void rsp_rx_init(struct rsp_rx *rx)
{
    memset(rx, 0, sizeof *rx);
}

int rsp_hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum rsp_event rsp_feed(struct rsp_rx *rx, uint8_t c)
{
    switch (rx->state) {
    case ST_IDLE:
        if (c == '$') {
            rx->state = ST_DATA;
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return RSP_NONE;
        }
        if (c == 0x03)
            return RSP_INTERRUPT;
        if (c == '+')
            return RSP_ACK;
        if (c == '-')
            return RSP_NAK;
        return RSP_NONE; /* noise between packets */
    case ST_DATA:
        if (c == '$') { /* a new packet starts: drop the partial one */
            rx->len = 0;
            rx->sum = 0;
            rx->overflow = false;
            return RSP_NONE;
        }
        if (c == '#') {
            rx->state = ST_CS1;
            return RSP_NONE;
        }
        rx->sum += c;
        if (rx->len < RSP_MAX_PACKET)
            rx->buf[rx->len++] = (char)c;
        else
            rx->overflow = true;
        return RSP_NONE;
    case ST_CS1: {
        int v = rsp_hex_val((char)c);
        rx->cs = (uint8_t)(v < 0 ? 0 : v << 4);
        rx->state = v < 0 ? ST_IDLE : ST_CS2;
        return v < 0 ? RSP_BAD : RSP_NONE;
    }
    default: {
        rx->state = ST_IDLE;
        int v = rsp_hex_val((char)c);
        if (v < 0 || (uint8_t)(rx->cs | v) != rx->sum || rx->overflow)
            return RSP_BAD;
        rx->buf[rx->len] = 0;
        return RSP_PACKET;
    }
    }
}

size_t rsp_encode(const char *payload, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    uint8_t sum = 0;
    if (cap < 4)
        return 0;
    out[o++] = '$';
    for (size_t i = 0; i < len; i++) {
        char c = payload[i];
        if (c == '#' || c == '$' || c == '}' || c == '*') {
            if (o + 2 > cap - 3)
                return 0;
            out[o++] = '}';
            sum += '}';
            c ^= 0x20;
        } else if (o + 1 > cap - 3) {
            return 0;
        }
        out[o++] = c;
        sum += (uint8_t)c;
    }
    static const char hex[] = "0123456789abcdef";
    out[o++] = '#';
    out[o++] = hex[sum >> 4];
    out[o++] = hex[sum & 15];
    return o;
}

void rsp_hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
}

int rsp_hex_decode(const char *in, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = rsp_hex_val(in[2 * i]), lo = hi < 0 ? -1 : rsp_hex_val(in[2 * i + 1]);
        if (lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int rsp_parse_hex(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t r = 0;
    int n = 0;
    for (int d; (d = rsp_hex_val(*s)) >= 0; s++, n++) {
        if (n == 16)
            return -1;
        r = r << 4 | (uint64_t)d;
    }
    if (!n)
        return -1;
    *p = s;
    *v = r;
    return 0;
}
