/* machine/uart16550.h: a 16550A UART (ns16550a, reg-shift 0) as the virt
 * board's console at 0x10000000 (IRQ 10).
 *
 * Transmission is immediate: a byte written to THR reaches the tx callback
 * (or, in loopback, the RX FIFO) at once and THR/TEMT are empty again. The
 * host feeds received bytes with uart16550_receive, which takes only what
 * fits into the 16-byte RX FIFO (1 byte with FIFOs disabled), so the host
 * keeps the rest and nothing is lost.
 *
 * Registers are bytes at offsets 0..7; an access of any size touches the
 * one register at its offset (the low byte of the value), as on QEMU.
 * Offsets 8 and up read 0 and ignore writes.
 *
 * RX interrupts: "received data available" when the FIFO holds at least the
 * trigger level, "character timeout" when it holds fewer. No time-based
 * wait precedes the timeout: the host delivers input between CPU slices
 * with everything it has, so when fewer bytes than the trigger are in the
 * FIFO no more are coming in this slice, and reporting at once means the
 * driver never waits for input that is already there.
 *
 * The irq line is high exactly while IIR reports an interrupt (OUT2 does not
 * gate it); it starts low and is only called on a change.
 */
#ifndef RIVET_UART16550_H
#define RIVET_UART16550_H

#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "bus/irq.h"

#define UART16550_SIZE   0x100ull
#define UART16550_FIFO   16u

/* Register offsets (reg-shift 0). */
enum {
    UART16550_RBR = 0, UART16550_THR = 0, UART16550_DLL = 0,
    UART16550_IER = 1, UART16550_DLM = 1,
    UART16550_IIR = 2, UART16550_FCR = 2,
    UART16550_LCR = 3, UART16550_MCR = 4, UART16550_LSR = 5,
    UART16550_MSR = 6, UART16550_SCR = 7,
};

struct uart16550;

/* tx(ctx, byte) receives every transmitted byte (always 8 bits: LCR's
 * word length is stored, not applied); tx may be NULL to discard output. */
struct uart16550 *uart16550_new(struct irq_line irq,
                                void (*tx)(void *ctx, uint8_t byte), void *ctx);
void uart16550_free(struct uart16550 *);
/* Power-on state: registers cleared, FIFOs empty, line lowered. */
void uart16550_reset(struct uart16550 *);

/* Host input: takes as many of the len bytes as fit and returns that
 * count. Takes nothing in loopback mode (the receiver is then wired to the
 * transmitter, not to the host). */
size_t uart16550_receive(struct uart16550 *, const uint8_t *buf, size_t len);
/* A break condition on the line, as QEMU's: a zero byte with LSR.BI. */
void uart16550_break(struct uart16550 *);
/* How many bytes uart16550_receive would take now. */
size_t uart16550_rx_space(const struct uart16550 *);

/* Register file access; opaque is the struct uart16550. */
extern const struct bus_device_ops uart16550_ops;

/* The device type (bus/device.h): node writer, ops, free. */
struct device_desc;
extern const struct device_desc device_type_uart16550;

/* Save/load (bus/state.h): registers and the receive FIFO. */
struct state;
void uart16550_state(struct uart16550 *, struct state *);

#endif
