/* machine/uart16550.c: 16550A UART with immediate transmit. */
#include "machine/uart16550.h"
#include "bus/device.h"
#include "machine/board.h"

#include <libfdt.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define IER_ERBFI 0x01
#define IER_ETBEI 0x02
#define IER_ELSI  0x04
#define IER_EDSSI 0x08

#define IIR_NONE    0x01
#define IIR_MSR     0x00
#define IIR_THRE    0x02
#define IIR_RDA     0x04
#define IIR_RLS     0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO    0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_DMA      0x08
#define FCR_TRIGGER  0xc0

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_BI   0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS  0x10
#define MSR_DSR  0x20
#define MSR_RI   0x40
#define MSR_DCD  0x80

struct uart16550 {
    struct irq_line irq;
    bool irq_level;
    void (*tx)(void *ctx, uint8_t byte);
    void *tx_ctx;

    uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
    uint8_t lsr_errors;      /* OE until LSR is read */
    uint8_t msr_lines;       /* CTS/DSR/RI/DCD as the UART sees them */
    uint8_t msr_deltas;      /* DCTS/DDSR/TERI/DDCD until MSR is read */
    /* The THRE interrupt: set when THR becomes empty or ETBEI is turned on,
     * cleared by writing THR or by reading IIR while it reports THRE. */
    bool thr_ipending;

    uint8_t rx[UART16550_FIFO];
    unsigned rx_head, rx_count;
};

static bool fifo_mode(const struct uart16550 *u)
{
    return u->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const struct uart16550 *u)
{
    return fifo_mode(u) ? UART16550_FIFO : 1;
}

static unsigned rx_trigger(const struct uart16550 *u)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    return levels[u->fcr >> 6];
}

/* The interrupt IIR reports now, highest priority first. */
static uint8_t pending_interrupt(const struct uart16550 *u)
{
    if ((u->ier & IER_ELSI) && u->lsr_errors)
        return IIR_RLS;
    if ((u->ier & IER_ERBFI) && u->rx_count) {
        if (!fifo_mode(u) || u->rx_count >= rx_trigger(u))
            return IIR_RDA;
        return IIR_TIMEOUT;
    }
    if ((u->ier & IER_ETBEI) && u->thr_ipending)
        return IIR_THRE;
    if ((u->ier & IER_EDSSI) && u->msr_deltas)
        return IIR_MSR;
    return IIR_NONE;
}

static void update_irq(struct uart16550 *u)
{
    bool level = pending_interrupt(u) != IIR_NONE;
    if (level != u->irq_level) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* Empty, and no stale bytes left (a reset device saves what a new one does). */
static void rx_clear(struct uart16550 *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
    memset(u->rx, 0, sizeof u->rx);
}

/* A byte arriving at the receiver when the FIFO is full is an overrun: in
 * FIFO mode the new byte is lost, in 16450 mode it replaces the old one. */
static void rx_push(struct uart16550 *u, uint8_t byte)
{
    unsigned cap = rx_capacity(u);
    if (u->rx_count >= cap) {
        u->lsr_errors |= LSR_OE;
        if (!fifo_mode(u))
            u->rx[u->rx_head] = byte;
        return;
    }
    u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO] = byte;
    u->rx_count++;
}

void uart16550_break(struct uart16550 *u)
{
    rx_push(u, 0);
    u->lsr_errors |= LSR_BI;
    update_irq(u);
}

static uint8_t rx_pop(struct uart16550 *u)
{
    if (!u->rx_count)
        return 0;
    uint8_t b = u->rx[u->rx_head];
    u->rx_head = (u->rx_head + 1) % UART16550_FIFO;
    u->rx_count--;
    return b;
}

/* What the modem inputs are: in loopback the MCR outputs, otherwise a
 * permanently ready peer (CTS, DSR and DCD asserted). */
static void update_modem_lines(struct uart16550 *u)
{
    uint8_t lines;
    if (u->mcr & MCR_LOOP) {
        lines = 0;
        if (u->mcr & MCR_RTS)
            lines |= MSR_CTS;
        if (u->mcr & MCR_DTR)
            lines |= MSR_DSR;
        if (u->mcr & MCR_OUT1)
            lines |= MSR_RI;
        if (u->mcr & MCR_OUT2)
            lines |= MSR_DCD;
    } else {
        lines = MSR_CTS | MSR_DSR | MSR_DCD;
    }
    uint8_t changed = lines ^ u->msr_lines;
    if (changed & MSR_CTS)
        u->msr_deltas |= MSR_DCTS;
    if (changed & MSR_DSR)
        u->msr_deltas |= MSR_DDSR;
    if (changed & MSR_DCD)
        u->msr_deltas |= MSR_DDCD;
    if ((u->msr_lines & MSR_RI) && !(lines & MSR_RI))
        u->msr_deltas |= MSR_TERI; /* trailing edge only */
    u->msr_lines = lines;
}

static void transmit(struct uart16550 *u, uint8_t byte)
{
    u->thr_ipending = false;
    if (u->mcr & MCR_LOOP)
        rx_push(u, byte);
    else if (u->tx)
        u->tx(u->tx_ctx, byte);
    u->thr_ipending = true; /* THR is empty again at once */
}

static void write_fcr(struct uart16550 *u, uint8_t v)
{
    /* Switching between FIFO and 16450 mode empties the FIFOs; the other
     * bits are only programmed together with the enable bit. */
    if ((v ^ u->fcr) & FCR_ENABLE)
        rx_clear(u);
    if (!(v & FCR_ENABLE)) {
        u->fcr = 0;
        return;
    }
    if (v & FCR_CLEAR_RX)
        rx_clear(u);
    /* TX clear: the transmitter never holds bytes. */
    u->fcr = v & (FCR_ENABLE | FCR_DMA | FCR_TRIGGER);
}

static void write_ier(struct uart16550 *u, uint8_t v)
{
    uint8_t old = u->ier;
    u->ier = v & 0x0f;
    /* Turning ETBEI on while THR is empty raises THRE at once, even if an
     * IIR read had cleared it; drivers (Linux's THRE test) rely on this. */
    if ((u->ier & IER_ETBEI) && !(old & IER_ETBEI))
        u->thr_ipending = true;
}

void uart16550_reset(struct uart16550 *u)
{
    u->ier = u->fcr = u->lcr = u->mcr = u->scr = u->dll = u->dlm = 0;
    u->lsr_errors = 0;
    u->msr_lines = MSR_CTS | MSR_DSR | MSR_DCD;
    u->msr_deltas = 0;
    u->thr_ipending = false;
    rx_clear(u);
    update_irq(u);
}

struct uart16550 *uart16550_new(struct irq_line irq,
                                void (*tx)(void *ctx, uint8_t byte), void *ctx)
{
    struct uart16550 *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->irq = irq;
    u->tx = tx;
    u->tx_ctx = ctx;
    uart16550_reset(u);
    return u;
}

void uart16550_free(struct uart16550 *u)
{
    free(u);
}

size_t uart16550_rx_space(const struct uart16550 *u)
{
    if (u->mcr & MCR_LOOP)
        return 0;
    return rx_capacity(u) - u->rx_count;
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
    size_t n = uart16550_rx_space(u);
    if (n > len)
        n = len;
    for (size_t i = 0; i < n; i++)
        rx_push(u, buf[i]);
    if (n)
        update_irq(u);
    return n;
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct uart16550 *u = opaque;
    uint8_t v = 0;
    switch (off) {
    case UART16550_RBR:
        v = (u->lcr & LCR_DLAB) ? u->dll : rx_pop(u);
        break;
    case UART16550_IER:
        v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
        break;
    case UART16550_IIR:
        v = pending_interrupt(u);
        if (v == IIR_THRE)
            u->thr_ipending = false;
        if (fifo_mode(u))
            v |= IIR_FIFO;
        break;
    case UART16550_LCR:
        v = u->lcr;
        break;
    case UART16550_MCR:
        v = u->mcr;
        break;
    case UART16550_LSR:
        v = u->lsr_errors | LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
        u->lsr_errors = 0;
        break;
    case UART16550_MSR:
        v = u->msr_lines | u->msr_deltas;
        u->msr_deltas = 0;
        break;
    case UART16550_SCR:
        v = u->scr;
        break;
    default:
        return 0;
    }
    update_irq(u);
    return v;
}

static void uart_write(void *opaque, uint64_t off, uint64_t value, unsigned size)
{
    struct uart16550 *u = opaque;
    uint8_t v = (uint8_t)value;
    switch (off) {
    case UART16550_THR:
        if (u->lcr & LCR_DLAB)
            u->dll = v;
        else
            transmit(u, v);
        break;
    case UART16550_IER:
        if (u->lcr & LCR_DLAB)
            u->dlm = v;
        else
            write_ier(u, v);
        break;
    case UART16550_FCR:
        write_fcr(u, v);
        break;
    case UART16550_LCR:
        /* Word length, parity and stop bits are kept for the driver to
         * read back but not applied: bytes pass as 8 bits, because the
         * host side is a byte stream and bare-metal programs write THR
         * without programming LCR (whose reset value means 5-bit words). */
        u->lcr = v;
        break;
    case UART16550_MCR:
        u->mcr = v & 0x1f;
        update_modem_lines(u);
        break;
    case UART16550_SCR:
        u->scr = v;
        break;
    default:
        return; /* LSR and MSR are read-only */
    }
    update_irq(u);
}

/* Byte registers (no reg-io-width in the device tree): wider accesses are
 * access faults. */
const struct bus_device_ops uart16550_ops = {
    .read = uart_read,
    .write = uart_write,
    .sizes = BUS_SIZE_1,
};

/* ---- the device type (bus/device.h, machine/board.h) ---- */

#define FDT_TRY(x) do { if ((x) < 0) return -1; } while (0)

#define UART_CLOCK_HZ 3686400u

static int uart16550_fdt(const struct board_fdt *b)
{
    FDT_TRY(board_fdt_begin_at(b, "serial", b->base));
    FDT_TRY(board_fdt_irq(b, b->irq));
    FDT_TRY(fdt_property_cell(b->fdt, "clock-frequency", UART_CLOCK_HZ));
    FDT_TRY(board_fdt_reg(b, b->base, b->size));
    FDT_TRY(fdt_property_string(b->fdt, "compatible", "ns16550a"));
    return fdt_end_node(b->fdt);
}

static void uart_free(void *d) { uart16550_free(d); }

void uart16550_state(struct uart16550 *u, struct state *st)
{
    state_section(st, "uart16550", 1);
    state_u8(st, "ier", &u->ier);
    state_u8(st, "fcr", &u->fcr);
    state_u8(st, "lcr", &u->lcr);
    state_u8(st, "mcr", &u->mcr);
    state_u8(st, "scr", &u->scr);
    state_u8(st, "dll", &u->dll);
    state_u8(st, "dlm", &u->dlm);
    state_u8(st, "lsr_errors", &u->lsr_errors);
    state_u8(st, "msr_lines", &u->msr_lines);
    state_u8(st, "msr_deltas", &u->msr_deltas);
    state_bool(st, "thr_ipending", &u->thr_ipending);
    state_bytes(st, "rx", u->rx, sizeof u->rx);
    state_unsigned(st, "rx_head", &u->rx_head);
    state_unsigned(st, "rx_count", &u->rx_count);
    if (!state_loading(st) || st->error)
        return;
    if (u->rx_head >= UART16550_FIFO || u->rx_count > UART16550_FIFO) {
        state_fail(st, "uart16550: receive FIFO out of range");
        rx_clear(u);
        return;
    }
    update_irq(u);
}

static void uart_reset_v(void *d) { uart16550_reset(d); }
static void uart_save_v(void *d, struct state *st) { uart16550_state(d, st); }
static int uart_load_v(void *d, struct state *st) { uart16550_state(d, st); return st->error ? -1 : 0; }

DEVICE_TYPE(uart16550) = {
    .name = "ns16550a",
    .help = "16550A UART",
    .kind = DEVICE_PLATFORM,
    .ops = &uart16550_ops,
    .fdt_node = uart16550_fdt,
    .free = uart_free,
    .reset = uart_reset_v,
    .save = uart_save_v,
    .load = uart_load_v,
};
