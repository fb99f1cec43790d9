/* frontends/gdb_rsp.h: gdb's remote serial protocol, the framing only:
 * packets `$data#cc` in, acks, Ctrl-C (0x03), and packets out with their
 * escapes. No sockets here (gdb_server.c has them), so tests and the fuzz
 * harness drive it with plain bytes. */
#ifndef RIVET_GDB_RSP_H
#define RIVET_GDB_RSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest packet gdb may send us (we say PacketSize=RSP_MAX_PACKET). */
#define RSP_MAX_PACKET 4096

enum rsp_event {
    RSP_NONE,       /* nothing complete yet */
    RSP_PACKET,     /* rx->buf[0..len) holds a packet (NUL-terminated) */
    RSP_BAD,        /* checksum mismatch or packet too long: answer '-' */
    RSP_INTERRUPT,  /* 0x03 between packets: stop the target */
    RSP_ACK,        /* '+' */
    RSP_NAK,        /* '-': resend the last packet */
};

struct rsp_rx {
    int state;
    uint8_t sum, cs;
    bool overflow;
    size_t len;
    char buf[RSP_MAX_PACKET + 1];
};

void rsp_rx_init(struct rsp_rx *);
/* Feed one byte; returns what it completed. */
enum rsp_event rsp_feed(struct rsp_rx *, uint8_t byte);

/* `$payload#cc` with '#', '$', '}' and '*' escaped. Returns the length
 * written to out, or 0 when it does not fit in cap. */
size_t rsp_encode(const char *payload, size_t len, char *out, size_t cap);

/* Hex helpers. rsp_hex_val: value of one hex digit or -1. */
int rsp_hex_val(char c);
/* Encode n bytes as 2n lowercase hex digits (no NUL). */
void rsp_hex_encode(const uint8_t *in, size_t n, char *out);
/* Decode 2n hex digits into n bytes; -1 on a bad digit. */
int rsp_hex_decode(const char *in, size_t n, uint8_t *out);
/* Parse a hex number of 1..16 digits at *p, advancing *p; -1 if none or
 * too long. */
int rsp_parse_hex(const char **p, uint64_t *v);

#endif
