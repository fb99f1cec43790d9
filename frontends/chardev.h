/* frontends/chardev.h: character devices behind `-chardev`, QEMU's syntax:
 *
 *   -chardev stdio,id=ID                 this terminal (raw mode, Ctrl-A x quits)
 *   -chardev file,id=ID,path=FILE        output to FILE (no input)
 *   -chardev null,id=ID                  nothing in, nothing out
 *   -chardev socket,id=ID,path=SOCK,server=on[,wait=off]
 *   -chardev socket,id=ID,host=H,port=P,server=on[,wait=off]
 *   -chardev socket,id=ID,path=SOCK | host=H,port=P   (client: connect)
 *
 * A server socket listens (unix or tcp) and serves one client at a time;
 * with wait=on (QEMU's default for servers) opening blocks until the first
 * client connects. Output while no client is connected is dropped. Reads
 * never block; the machine calls them only between CPU slices.
 */
#ifndef RIVET_CHARDEV_H
#define RIVET_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct chardev;

/* Parses and opens. NULL with a one-line reason in err. */
struct chardev *chardev_open(const char *arg, char *err, size_t errlen);
const char *chardev_id(const struct chardev *);
bool chardev_is_stdio(const struct chardev *);
void chardev_write(struct chardev *, const uint8_t *buf, size_t len);
/* Non-blocking; sets *quit on Ctrl-A x (stdio). */
size_t chardev_read(struct chardev *, uint8_t *buf, size_t len, bool *quit);
/* The fd that becomes readable when there is input (or a client), or -1. */
int chardev_poll_fd(const struct chardev *);
void chardev_close(struct chardev *);

#endif
