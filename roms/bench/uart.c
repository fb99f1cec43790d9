/* Polled output on the 16550 UART at 0x10000000. */
#include "bench.h"

#define UART_THR 0x10000000UL
#define UART_LSR 0x10000005UL
#define LSR_THRE 0x20

void uart_putc(char c)
{
    volatile uint8_t *lsr = (volatile uint8_t *)UART_LSR;
    volatile uint8_t *thr = (volatile uint8_t *)UART_THR;

    while (!(*lsr & LSR_THRE))
        ;
    *thr = (uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

void uart_put_hex64(uint64_t v)
{
    static const char digits[] = "0123456789abcdef";

    uart_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        uart_putc(digits[(v >> shift) & 15]);
}

void report(const char *name, uint64_t checksum)
{
    uart_puts(name);
    uart_puts(" checksum=");
    uart_put_hex64(checksum);
    uart_putc('\n');
}

void mark(const char *name)
{
    uart_puts("bench: mark ");
    uart_puts(name);
    uart_putc('\n');
}
