/* Shared declarations of the bare-metal CPU benchmark (no libc). */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* uart.c: polled 16550 output */
void uart_putc(char c);
void uart_puts(const char *s);
void uart_put_hex64(uint64_t v);
void report(const char *name, uint64_t checksum);
/* "bench: mark NAME": NAME's part has ended (the host stamps the line) */
void mark(const char *name);

/* lib.c: memory helpers the compiler may call, a PRNG, a bump allocator */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
struct rng { uint64_t s; };
uint64_t rng_next(struct rng *r);
void *heap_alloc(size_t bytes);
void heap_reset(void);
uint64_t mix64(uint64_t h, uint64_t v);

/* the kernels: each returns its checksum */
uint64_t kernel_integer(void);
uint64_t kernel_float(void);
uint64_t kernel_memory(void);
uint64_t kernel_branchy(void);

#endif
