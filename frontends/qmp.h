/* frontends/qmp.h: QEMU's machine protocol (QMP) on a socket chardev
 * (-qmp unix:PATH,server=on,wait=off | tcp:HOST:PORT,server=on,wait=off).
 *
 * Each client gets the greeting, negotiates with qmp_capabilities, then
 * runs commands: query-status, query-version, query-commands, stop, cont,
 * system_reset, system_powerdown, screendump, human-monitor-command, quit.
 * Events (STOP, RESUME, SHUTDOWN, RESET, POWERDOWN) go to a negotiated
 * client. Input that is not JSON, not an object, or not a command gets a
 * QMP error object; the session goes on. See docs/monitor.md.
 *
 * qmp_input is the protocol without the socket: the fuzz harness and the
 * unit tests feed it bytes and read what it answers.
 */
#ifndef RIVET_QMP_H
#define RIVET_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct monitor;
struct chardev;
struct qmp;

/* A QMP server on cd (closed by qmp_free when owns: not a -chardev's that
 * the host closes); registers itself with the monitor for polls and
 * events. NULL when out of memory. */
struct qmp *qmp_new(struct monitor *, struct chardev *cd, bool owns);
void qmp_free(struct qmp *);

/* ---- the protocol alone ---- */

#define QMP_MAX_INPUT 65536
struct qmp_session;
/* A session whose replies go to out. */
struct qmp_session *qmp_session_new(struct monitor *, void (*out)(void *ctx, const char *text, size_t len),
                                    void *ctx);
void qmp_session_free(struct qmp_session *);
/* A new client: the greeting, negotiation again. */
void qmp_session_start(struct qmp_session *);
/* Bytes from the client: every whole command in them is run. */
void qmp_input(struct qmp_session *, const uint8_t *buf, size_t len);

#endif
