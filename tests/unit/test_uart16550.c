/* tests/unit/test_uart16550.c: 16550A registers, interrupts, FIFO, loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#define TEST_IRQ 10u /* any PLIC source */
#include "machine/uart16550.h"

struct fixture {
    struct uart16550 *u;
    bool irq;                 /* the line as the sink last saw it */
    unsigned irq_calls;
    uint8_t out[256];
    size_t nout;
};

static void irq_sink(void *opaque, unsigned n, bool level)
{
    struct fixture *f = opaque;
    assert_int_equal(n, TEST_IRQ);
    f->irq = level;
    f->irq_calls++;
}

static void tx_sink(void *opaque, uint8_t byte)
{
    struct fixture *f = opaque;
    if (f->nout < sizeof f->out)
        f->out[f->nout++] = byte;
}

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    f->u = uart16550_new((struct irq_line){ irq_sink, f, TEST_IRQ }, tx_sink, f);
    assert_non_null(f->u);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    uart16550_free(f->u);
    test_free(f);
    return 0;
}

static uint8_t rd(struct fixture *f, unsigned reg)
{
    return (uint8_t)uart16550_ops.read(f->u, reg, 1);
}

static void wr(struct fixture *f, unsigned reg, uint8_t v)
{
    uart16550_ops.write(f->u, reg, v, 1);
}

static size_t rx(struct fixture *f, const char *s)
{
    return uart16550_receive(f->u, (const uint8_t *)s, strlen(s));
}

static void test_reset_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, UART16550_IER), 0);
    assert_int_equal(rd(f, UART16550_IIR), 0x01);
    assert_int_equal(rd(f, UART16550_LCR), 0);
    assert_int_equal(rd(f, UART16550_MCR), 0);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
    assert_int_equal(rd(f, UART16550_MSR), 0xb0);   /* CTS DSR DCD */
    assert_int_equal(rd(f, UART16550_SCR), 0);
    assert_int_equal(rd(f, UART16550_RBR), 0);       /* empty */
    assert_int_equal(uart16550_rx_space(f->u), 1);   /* FIFOs off */
    assert_false(f->irq);
    assert_int_equal(f->irq_calls, 0);
}

static void test_scratch_and_dlab(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_SCR, 0xa5);
    assert_int_equal(rd(f, UART16550_SCR), 0xa5);
    wr(f, UART16550_LCR, 0x83);          /* DLAB, 8 bits */
    wr(f, UART16550_DLL, 0x0c);
    wr(f, UART16550_DLM, 0x01);
    assert_int_equal(rd(f, UART16550_DLL), 0x0c);
    assert_int_equal(rd(f, UART16550_DLM), 0x01);
    assert_int_equal(f->nout, 0);        /* DLL write is not a transmit */
    assert_int_equal(rd(f, UART16550_IIR), 0x01);  /* IIR ignores DLAB */
    wr(f, UART16550_LCR, 0x03);
    assert_int_equal(rd(f, UART16550_LCR), 0x03);
    assert_int_equal(rd(f, UART16550_IER), 0);     /* DLM did not touch IER */
    wr(f, UART16550_IER, 0xff);
    assert_int_equal(rd(f, UART16550_IER), 0x0f);  /* 4 bits on a 16550A */
    wr(f, UART16550_LCR, 0x80);
    assert_int_equal(rd(f, UART16550_DLL), 0x0c);
    assert_int_equal(rd(f, UART16550_DLM), 0x01);
    assert_int_equal(rd(f, UART16550_SCR), 0xa5);
    uart16550_reset(f->u);
    assert_int_equal(rd(f, UART16550_LCR), 0);
    assert_int_equal(rd(f, UART16550_SCR), 0);
    assert_false(f->irq);
}

static void test_transmit(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_LCR, 0x03);
    const char *msg = "hi\n\xff";
    for (const char *p = msg; *p; p++) {
        wr(f, UART16550_THR, (uint8_t)*p);
        assert_int_equal(rd(f, UART16550_LSR) & 0x60, 0x60);
    }
    assert_int_equal(f->nout, 4);
    assert_memory_equal(f->out, msg, 4);
    /* The word length is stored, not applied: an unprogrammed UART (LCR
     * 0 = 5 bits) still carries whole bytes. */
    wr(f, UART16550_LCR, 0x00);
    assert_int_equal(rd(f, UART16550_LCR), 0x00);
    wr(f, UART16550_THR, 0xff);
    assert_int_equal(f->out[4], 0xff);
    assert_false(f->irq);                /* no interrupt enabled */
}

static void test_thre_interrupt(void **state)
{
    struct fixture *f = *state;
    /* Enabling ETBEI with THR empty raises THRE at once. */
    wr(f, UART16550_IER, 0x02);
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x02);
    /* Reading IIR while it reports THRE clears it. */
    assert_false(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x01);
    /* Rewriting IER without a 0->1 change of ETBEI does not re-raise. */
    wr(f, UART16550_IER, 0x02);
    assert_false(f->irq);
    /* Linux's THRE test: IER=0 then IER=THRI must reassert it. */
    wr(f, UART16550_IER, 0x00);
    wr(f, UART16550_IER, 0x02);
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x02);
    assert_false(f->irq);
    /* Every transmit completes at once and makes THR empty again. */
    wr(f, UART16550_THR, 'a');
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x02);
    assert_false(f->irq);
    /* Disabling ETBEI drops a pending THRE. */
    wr(f, UART16550_THR, 'b');
    assert_true(f->irq);
    wr(f, UART16550_IER, 0x00);
    assert_false(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x01);
    /* With FIFOs on, IIR carries the FIFO bits too. */
    wr(f, UART16550_FCR, 0x01);
    wr(f, UART16550_IER, 0x02);
    assert_int_equal(rd(f, UART16550_IIR), 0xc2);
    assert_int_equal(rd(f, UART16550_IIR), 0xc1);
    assert_int_equal(f->nout, 2);
}

static void test_rx_without_fifo(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_IER, 0x01);
    assert_false(f->irq);
    assert_int_equal(rx(f, "xyz"), 1);   /* one holding register */
    assert_int_equal(uart16550_rx_space(f->u), 0);
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x04);
    assert_true(f->irq);                 /* IIR read does not clear RDA */
    assert_int_equal(rd(f, UART16550_LSR), 0x61);
    assert_int_equal(rd(f, UART16550_RBR), 'x');
    assert_false(f->irq);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
    assert_int_equal(rd(f, UART16550_IIR), 0x01);
    assert_int_equal(rx(f, "yz"), 1);
    assert_int_equal(rd(f, UART16550_RBR), 'y');
    /* RX interrupt disabled: data shows in LSR only. */
    wr(f, UART16550_IER, 0x00);
    assert_int_equal(rx(f, "z"), 1);
    assert_false(f->irq);
    assert_int_equal(rd(f, UART16550_LSR), 0x61);
    assert_int_equal(rd(f, UART16550_RBR), 'z');
}

static void test_fifo_fill_and_trigger(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_FCR, 0x01);               /* FIFO, trigger 1 */
    assert_int_equal(rd(f, UART16550_IIR), 0xc1);
    assert_int_equal(uart16550_rx_space(f->u), UART16550_FIFO);
    wr(f, UART16550_IER, 0x01);
    const char *s = "0123456789abcdefghij";
    assert_int_equal(rx(f, s), 16);
    assert_int_equal(uart16550_rx_space(f->u), 0);
    assert_int_equal(rx(f, "k"), 0);
    assert_int_equal(rd(f, UART16550_LSR), 0x61);   /* full is not overrun */
    assert_int_equal(rd(f, UART16550_IIR), 0xc4);
    for (unsigned i = 0; i < 16; i++) {
        assert_true(f->irq);
        assert_int_equal(rd(f, UART16550_RBR), (uint8_t)s[i]);
    }
    assert_false(f->irq);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);

    /* Trigger 8: fewer bytes report a character timeout, 8 or more RDA;
     * either way the line is up, so input is never left waiting. */
    wr(f, UART16550_FCR, 0x81);
    assert_int_equal(rx(f, "abc"), 3);
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0xcc);
    assert_int_equal(rx(f, "defgh"), 5);
    assert_int_equal(rd(f, UART16550_IIR), 0xc4);
    assert_int_equal(rd(f, UART16550_RBR), 'a');
    assert_int_equal(rd(f, UART16550_IIR), 0xcc);   /* 7 left < 8 */
    /* Trigger 4 and 14. */
    wr(f, UART16550_FCR, 0x41);
    assert_int_equal(rd(f, UART16550_IIR), 0xc4);   /* 7 >= 4 */
    wr(f, UART16550_FCR, 0xc1);
    assert_int_equal(rd(f, UART16550_IIR), 0xcc);   /* 7 < 14 */
    assert_int_equal(rx(f, "ijklmnopq"), 9);        /* 16 in all */
    assert_int_equal(rd(f, UART16550_IIR), 0xc4);
    /* Clearing the RX FIFO drops the data and the interrupt. */
    wr(f, UART16550_FCR, 0xc3);
    assert_false(f->irq);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
    assert_int_equal(rd(f, UART16550_IIR), 0xc1);
    assert_int_equal(rd(f, UART16550_FCR), 0xc1);   /* offset 2 reads IIR */
    assert_int_equal(uart16550_rx_space(f->u), 16);
}

static void test_fifo_enable_change_clears(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_FCR, 0x01);
    assert_int_equal(rx(f, "abcd"), 4);
    /* Other bits are not programmed without the enable bit; turning the
     * FIFOs off empties them. */
    wr(f, UART16550_FCR, 0xc0);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
    assert_int_equal(rd(f, UART16550_IIR), 0x01);
    assert_int_equal(uart16550_rx_space(f->u), 1);
    assert_int_equal(rx(f, "e"), 1);
    wr(f, UART16550_FCR, 0x01);                       /* and on again */
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
    /* A 64-byte-FIFO bit (16750) is not reflected in IIR bit 5. */
    wr(f, UART16550_FCR, 0x21);
    assert_int_equal(rd(f, UART16550_IIR) >> 5, 6);
    /* Linux's clear sequence. */
    assert_int_equal(rx(f, "xy"), 2);
    wr(f, UART16550_FCR, 0x01);
    wr(f, UART16550_FCR, 0x07);
    wr(f, UART16550_FCR, 0x00);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
}

static void test_loopback(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_LCR, 0x03);
    wr(f, UART16550_FCR, 0x01);
    rd(f, UART16550_MSR);
    /* Linux's probe: MCR = LOOP|OUT2|RTS must read MSR[7:4] = DCD|CTS. */
    wr(f, UART16550_MCR, 0x1a);
    assert_int_equal(rd(f, UART16550_MCR), 0x1a);
    uint8_t msr = rd(f, UART16550_MSR);
    assert_int_equal(msr & 0xf0, 0x90);
    assert_int_equal(msr & 0x0f, 0x02);          /* DSR dropped: DDSR */
    assert_int_equal(rd(f, UART16550_MSR), 0x90); /* deltas cleared */
    wr(f, UART16550_MCR, 0x1f);
    assert_int_equal(rd(f, UART16550_MSR), 0xf2); /* all on; DSR rose */
    wr(f, UART16550_MCR, 0x10);
    /* CTS, DSR, DCD changed; RI fell (trailing edge). */
    assert_int_equal(rd(f, UART16550_MSR), 0x0f);
    wr(f, UART16550_MCR, 0x14);                   /* RI rises: no TERI */
    assert_int_equal(rd(f, UART16550_MSR), 0x40);

    /* TX comes back as RX, not out of the port; the host cannot feed. */
    assert_int_equal(uart16550_rx_space(f->u), 0);
    assert_int_equal(rx(f, "zz"), 0);
    wr(f, UART16550_THR, 'L');
    wr(f, UART16550_THR, 'B');
    assert_int_equal(f->nout, 0);
    assert_int_equal(rd(f, UART16550_LSR), 0x61);
    assert_int_equal(rd(f, UART16550_RBR), 'L');
    assert_int_equal(rd(f, UART16550_RBR), 'B');

    /* Leaving loopback: a ready peer again, with deltas. */
    wr(f, UART16550_MCR, 0x0b);
    assert_int_equal(rd(f, UART16550_MSR), 0xb0 | 0x0f);
    wr(f, UART16550_THR, 'o');
    assert_int_equal(f->nout, 1);
    assert_int_equal(f->out[0], 'o');
    assert_int_equal(rx(f, "zz"), 2);
}

static void test_overrun(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_LCR, 0x03);
    wr(f, UART16550_FCR, 0x01);
    wr(f, UART16550_MCR, 0x10);
    rd(f, UART16550_MSR);
    for (unsigned i = 0; i < 17; i++)
        wr(f, UART16550_THR, (uint8_t)('a' + i));
    assert_int_equal(rd(f, UART16550_LSR), 0x63);   /* DR OE */
    assert_int_equal(rd(f, UART16550_LSR), 0x61);   /* OE cleared by read */
    for (unsigned i = 0; i < 16; i++)
        assert_int_equal(rd(f, UART16550_RBR), 'a' + i); /* 17th lost */
    assert_int_equal(rd(f, UART16550_LSR), 0x60);

    /* 16450 mode: the new byte overwrites the holding register. */
    wr(f, UART16550_FCR, 0x00);
    wr(f, UART16550_THR, '1');
    wr(f, UART16550_THR, '2');
    assert_int_equal(rd(f, UART16550_LSR), 0x63);
    assert_int_equal(rd(f, UART16550_RBR), '2');
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
}

static void test_iir_priorities(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_LCR, 0x03);
    wr(f, UART16550_FCR, 0x01);
    wr(f, UART16550_MCR, 0x10);         /* loopback: deltas on MSR */
    for (unsigned i = 0; i < 17; i++)   /* RX data and an overrun */
        wr(f, UART16550_THR, 'x');
    wr(f, UART16550_IER, 0x0f);         /* all four sources pending */
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0xc6);   /* line status */
    rd(f, UART16550_LSR);
    assert_int_equal(rd(f, UART16550_IIR), 0xc4);   /* RX data */
    for (unsigned i = 0; i < 16; i++)
        rd(f, UART16550_RBR);
    assert_int_equal(rd(f, UART16550_IIR), 0xc2);   /* THRE, now cleared */
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0xc0);   /* modem status */
    rd(f, UART16550_MSR);
    assert_int_equal(rd(f, UART16550_IIR), 0xc1);
    assert_false(f->irq);

    /* Timeout ranks with RX data, above THRE. */
    wr(f, UART16550_FCR, 0xc1);
    wr(f, UART16550_THR, 'y');          /* also re-raises THRE */
    assert_int_equal(rd(f, UART16550_IIR), 0xcc);
    rd(f, UART16550_RBR);
    assert_int_equal(rd(f, UART16550_IIR), 0xc2);
    assert_int_equal(rd(f, UART16550_IIR), 0xc1);

    /* With only ELSI, RX data does not interrupt, errors do. */
    wr(f, UART16550_IER, 0x04);
    wr(f, UART16550_THR, 'z');
    assert_false(f->irq);
    for (unsigned i = 0; i < 16; i++)
        wr(f, UART16550_THR, 'z');
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0xc6);
    rd(f, UART16550_LSR);
    assert_false(f->irq);
}

static void test_msr_interrupt(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_IER, 0x08);
    assert_false(f->irq);
    wr(f, UART16550_MCR, 0x10);
    assert_true(f->irq);
    assert_int_equal(rd(f, UART16550_IIR), 0x00);
    assert_true(f->irq);                /* cleared by reading MSR only */
    assert_int_equal(rd(f, UART16550_MSR), 0x0b);
    assert_false(f->irq);
}

static void test_irq_line_follows_iir(void **state)
{
    struct fixture *f = *state;
    wr(f, UART16550_FCR, 0x01);
    wr(f, UART16550_IER, 0x03);
    assert_true(f->irq);
    unsigned calls = f->irq_calls;
    rx(f, "q");                         /* still up: no extra call */
    assert_int_equal(f->irq_calls, calls);
    assert_int_equal(rd(f, UART16550_IIR), 0xc4);
    rd(f, UART16550_RBR);
    assert_true(f->irq);                /* THRE still pending */
    assert_int_equal(rd(f, UART16550_IIR), 0xc2);
    assert_false(f->irq);
    assert_int_equal(f->irq_calls, calls + 1);
    /* Reset lowers it. */
    wr(f, UART16550_THR, 'x');
    assert_true(f->irq);
    uart16550_reset(f->u);
    assert_false(f->irq);
}

static void test_linux_like_session(void **state)
{
    struct fixture *f = *state;
    /* Startup: clear FIFOs, drain status, then the THRE probe. */
    wr(f, UART16550_FCR, 0x01);
    wr(f, UART16550_FCR, 0x07);
    wr(f, UART16550_FCR, 0x00);
    rd(f, UART16550_LSR);
    rd(f, UART16550_RBR);
    rd(f, UART16550_IIR);
    rd(f, UART16550_MSR);
    wr(f, UART16550_LCR, 0x03);
    wr(f, UART16550_IER, 0x02);
    uint8_t iir1 = rd(f, UART16550_IIR);
    wr(f, UART16550_IER, 0x00);
    wr(f, UART16550_IER, 0x02);
    uint8_t iir = rd(f, UART16550_IIR);
    wr(f, UART16550_IER, 0x00);
    assert_false(iir1 & 1);
    assert_false(iir & 1);              /* no UART_BUG_THRE */
    /* TXEN probe. */
    wr(f, UART16550_IER, 0x02);
    uint8_t lsr = rd(f, UART16550_LSR);
    iir = rd(f, UART16550_IIR);
    wr(f, UART16550_IER, 0x00);
    assert_true(lsr & 0x40);
    assert_false(iir & 1);              /* no UART_BUG_TXEN */
    /* Running: FIFO with trigger 8, RX interrupts on. */
    wr(f, UART16550_FCR, 0x81);
    wr(f, UART16550_MCR, 0x0b);
    wr(f, UART16550_IER, 0x05);
    assert_false(f->irq);
    /* Transmit: start_tx enables THRI, the handler fills THR and stops. */
    const char *out = "hello";
    wr(f, UART16550_IER, 0x07);
    while (f->irq) {
        uint8_t id = rd(f, UART16550_IIR);
        if (id & 1)
            break;
        lsr = rd(f, UART16550_LSR);
        if (lsr & 0x20) {
            for (const char *p = out; *p; p++)
                wr(f, UART16550_THR, (uint8_t)*p);
            out = "";
            wr(f, UART16550_IER, 0x05);  /* nothing more: stop_tx */
        }
    }
    assert_false(f->irq);
    assert_int_equal(f->nout, 5);
    assert_memory_equal(f->out, "hello", 5);
    /* Input of 3 bytes with trigger 8 is delivered without waiting. */
    assert_int_equal(rx(f, "ls\n"), 3);
    assert_true(f->irq);
    char got[8] = { 0 };
    unsigned n = 0;
    while (!(rd(f, UART16550_IIR) & 1))
        while ((rd(f, UART16550_LSR) & 1) && n < sizeof got - 1)
            got[n++] = (char)rd(f, UART16550_RBR);
    assert_string_equal(got, "ls\n");
    assert_false(f->irq);
}

static void test_bad_accesses(void **state)
{
    struct fixture *f = *state;
    /* Past the 8 registers: nothing. */
    for (uint64_t off = 8; off < UART16550_SIZE; off++) {
        uart16550_ops.write(f->u, off, 0xff, 1);
        assert_int_equal(uart16550_ops.read(f->u, off, 1), 0);
    }
    uart16550_ops.write(f->u, UINT64_MAX, 0xff, 1);
    assert_int_equal(uart16550_ops.read(f->u, UINT64_MAX, 8), 0);
    assert_int_equal(f->nout, 0);
    assert_false(f->irq);
    /* Wider accesses touch the one register, low byte only. */
    uart16550_ops.write(f->u, UART16550_SCR, 0x12345678, 4);
    assert_int_equal(uart16550_ops.read(f->u, UART16550_SCR, 4), 0x78);
    assert_int_equal(uart16550_ops.read(f->u, UART16550_SCR, 8), 0x78);
    uart16550_ops.write(f->u, UART16550_THR, 0x141, 2);
    assert_int_equal(f->nout, 1);
    assert_int_equal(f->out[0], 0x41);
    /* LSR and MSR writes are ignored. */
    wr(f, UART16550_LSR, 0xff);
    wr(f, UART16550_MSR, 0xff);
    assert_int_equal(rd(f, UART16550_LSR), 0x60);
    assert_int_equal(rd(f, UART16550_MSR), 0xb0);
    /* No tx callback and no irq sink are fine. */
    struct uart16550 *u = uart16550_new((struct irq_line){ 0 }, NULL, NULL);
    assert_non_null(u);
    uart16550_ops.write(u, UART16550_IER, 0x0f, 1);
    uart16550_ops.write(u, UART16550_THR, 'x', 1);
    assert_int_equal(uart16550_receive(u, (const uint8_t *)"a", 1), 1);
    assert_int_equal(uart16550_receive(u, NULL, 0), 0);
    uart16550_free(u);
    uart16550_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scratch_and_dlab, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thre_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_without_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_fill_and_trigger, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_enable_change_clears, setup, teardown),
        cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overrun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iir_priorities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_msr_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_line_follows_iir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linux_like_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_accesses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
