/* frontends/gdb_server.h: the gdb connection (-s, -S, -gdb): a listening
 * TCP or Unix socket, one client at a time, and the machine's debugger
 * (struct virt_debugger) on top of gdbstub.c. */
#ifndef RIVET_GDB_SERVER_H
#define RIVET_GDB_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "machine/virt.h"

struct gdb_server;

/* Listen on `spec` (QEMU's -gdb forms: tcp:[HOST]:PORT, tcp::PORT,
 * unix:PATH[,server=on][,wait=off]). start_stopped: -S, the guest waits
 * for gdb's first continue. NULL with a one-line reason in err. */
struct gdb_server *gdb_server_open(const char *spec, bool start_stopped, char *err, size_t errlen);
void gdb_server_close(struct gdb_server *);
/* The machine's side of it (for virt_config.debugger). */
/* gdb's `monitor CMD` goes to fn (the HMP monitor). */
void gdb_server_set_monitor(struct gdb_server *,
                            void (*fn)(void *ctx, const char *cmd, void (*out)(void *octx, const char *text), void *octx),
                            void *ctx);
const struct virt_debugger *gdb_server_debugger(struct gdb_server *);
/* fds an idle machine should wake for (listening socket, client): count. */
unsigned gdb_server_fds(const struct gdb_server *, int *fds, unsigned max);

#endif
