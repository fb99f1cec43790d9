/* frontends/chardev.h: character devices behind `-chardev` and `-serial`,
 * QEMU's syntax:
 *
 *   -chardev stdio,id=ID[,signal=on|off]  this terminal (raw mode, Ctrl-A escapes;
 *                                         signal=on, the default: Ctrl-C ends rivet)
 *   -chardev file,id=ID,path=FILE[,append=on]  output to FILE (no input)
 *   -chardev pty,id=ID                    a new pseudo-terminal; prints
 *                                         "char device redirected to /dev/pts/N (label ID)"
 *   -chardev null,id=ID                   nothing in, nothing out
 *   -chardev ringbuf,id=ID[,size=N]       output kept in memory (N a power of two,
 *                                         default 64K); no input
 *   -chardev socket,id=ID,path=SOCK,server=on[,wait=off]
 *   -chardev socket,id=ID,host=H,port=P,server=on[,wait=off]
 *   -chardev socket,id=ID,path=SOCK | host=H,port=P   (client: connect)
 *   (every backend also takes mux=on|off, accepted: rivet's stdio always
 *   has the Ctrl-A escapes, Ctrl-A c the monitor)
 *
 * A server socket listens (unix or tcp) and serves one client at a time;
 * with wait=on (QEMU's default for servers) opening blocks until the first
 * client connects. Output while no client is connected (socket) or while
 * nothing has the pty's other side open is dropped, so the guest never
 * blocks on an absent peer. Reads never block; the machine calls them only
 * between CPU slices.
 */
#ifndef RIVET_CHARDEV_H
#define RIVET_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chardev;

/* Parses and opens. NULL with a one-line reason in err. */
struct chardev *chardev_open(const char *arg, char *err, size_t errlen);
/* Parses only (nothing opened): 0, or -1 with a one-line reason. */
int chardev_check(const char *arg, char *err, size_t errlen);
const char *chardev_id(const struct chardev *);
bool chardev_is_stdio(const struct chardev *);
bool chardev_is_socket(const struct chardev *);
/* A peer outside lives in wall time (pty, socket): the run is interactive. */
bool chardev_is_interactive(const struct chardev *);
void chardev_write(struct chardev *, const uint8_t *buf, size_t len);
/* Non-blocking; sets *quit on Ctrl-A x (stdio). */
size_t chardev_read(struct chardev *, uint8_t *buf, size_t len, bool *quit);
/* The same, with the terminal's escape event (frontends/term.h
 * TERM_EV_*; 0 when none or not stdio) in *event. */
size_t chardev_read_event(struct chardev *, uint8_t *buf, size_t len, int *event);
/* The fd that becomes readable when there is input (or a client), or -1. */
int chardev_poll_fd(const struct chardev *);
/* socket: how many peers connected so far (a new one gets a greeting) */
unsigned chardev_connections(const struct chardev *);
/* false for a socket without a peer (output would be dropped) */
bool chardev_connected(const struct chardev *);
/* Input can still come: a terminal not at its end, a pty (someone may open
 * it), a server socket (a client may connect), a connected client. */
bool chardev_input_possible(const struct chardev *);
/* ringbuf: takes the oldest unread bytes still kept (up to len) out to buf
 * and returns how many (the monitor's ringbuf_read). Writing into a ring
 * (ringbuf_write) is chardev_write. */
bool chardev_is_ringbuf(const struct chardev *);
/* What it is, for `info chardev`: "stdio", "pty:/dev/pts/3", "unix:PATH" ... */
int chardev_describe(const struct chardev *, char *buf, size_t len);
size_t chardev_ringbuf_read(struct chardev *, uint8_t *buf, size_t len);
void chardev_close(struct chardev *);

/* -serial SPEC (QEMU's legacy spelling) as a -chardev argument with
 * id=`id`: stdio, mon:stdio, pty, file:F, null, tcp:[HOST]:PORT[,opts],
 * unix:PATH[,opts], and mon: before any of them (on stdio it keeps Ctrl-C
 * for the guest; the monitor is on Ctrl-A c of every stdio console). `stdio_signal` is signal= for a
 * plain stdio (QEMU: on, except with -nographic). Returns
 *   CHARDEV_SERIAL_ARG   out holds the -chardev argument
 *   CHARDEV_SERIAL_REF   chardev:ID: out holds ID
 *   CHARDEV_SERIAL_NONE  none
 * or -1 with a one-line reason. */
enum { CHARDEV_SERIAL_ARG, CHARDEV_SERIAL_REF, CHARDEV_SERIAL_NONE };
int chardev_serial_spec(const char *spec, const char *id, bool stdio_signal, char *out, size_t outlen, char *err,
                        size_t errlen);
/* What `-chardev help` and `-serial help` print. */
extern const char chardev_help_text[], chardev_serial_help_text[];

#endif
