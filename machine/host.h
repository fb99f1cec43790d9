/* machine/host.h: what the machine asks of the host side (frontends/).
 *
 * The board never touches a terminal, a file or the wall clock directly:
 * the frontend hands it these callbacks. Host input enters the machine only
 * in virt_poll_host(), between CPU slices, so it can later be recorded and
 * replayed with its instruction count.
 */
#ifndef RIVET_HOST_H
#define RIVET_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_io {
    void *ctx;
    /* Guest console output (the UART). */
    void (*serial_write)(void *ctx, const uint8_t *buf, size_t len);
    /* Non-blocking: up to len bytes typed for the guest console. Sets *quit
     * when the user asked to quit (Ctrl-A x). */
    size_t (*serial_read)(void *ctx, uint8_t *buf, size_t len, bool *quit);
    /* Sleep up to `us` microseconds or until host input is ready. */
    void (*wait)(void *ctx, uint64_t us);
    /* The host's monotonic clock in nanoseconds. The machine reads it only
     * in its run loop, between slices, to choose time adjustments (never for
     * a guest time read); batch runs with -rtc clock=vm never read it. */
    uint64_t (*monotonic_ns)(void *ctx);
    /* The host's real-time clock (ns since the epoch), for -rtc clock=host. */
    uint64_t (*realtime_ns)(void *ctx);
    /* Optional: true once for each break the user sent (Ctrl-A b); polled
     * right after serial_read. */
    bool (*serial_break)(void *ctx);
    /* Optional: called once, when the machine is built and about to run
     * (images loaded, no error left to report). */
    void (*started)(void *ctx);
    /* Optional: whether host input can still arrive (a terminal not at end
     * of file, a network, a window, a chardev). When it cannot, no timer is
     * armed and every hart waits in WFI, nothing can ever wake the machine
     * (it exits 3). NULL: assume it can. */
    bool (*input_possible)(void *ctx);
};

#endif
