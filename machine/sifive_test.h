/* machine/sifive_test.h: the SiFive test finisher (sifive,test0/test1,
 * syscon) of the virt board, 0x1000 bytes at 0x100000.
 *
 * A 32-bit (or 16-bit) write at offset 0 whose low 16 bits are
 *   0x5555  pass / power off       -> FINISHER_PASS, code 0
 *   0x3333  fail, code = bits 31:16 -> FINISHER_FAIL, code
 *   0x7777  reset                  -> FINISHER_RESET, code 0
 * calls the callback; it never exits by itself, the board decides. Other
 * values log one line and are ignored. Reads return 0.
 */
#ifndef RIVET_SIFIVE_TEST_H
#define RIVET_SIFIVE_TEST_H

#include "bus/bus.h"

#define SIFIVE_TEST_SIZE 0x1000ull

#define SIFIVE_TEST_FAIL  0x3333u
#define SIFIVE_TEST_PASS  0x5555u
#define SIFIVE_TEST_RESET 0x7777u

enum finisher_action {
    FINISHER_PASS,
    FINISHER_FAIL,
    FINISHER_RESET,
};

typedef void (*sifive_test_cb)(void *ctx, enum finisher_action action, int code);

struct sifive_test;

struct sifive_test *sifive_test_new(sifive_test_cb cb, void *ctx);
void sifive_test_free(struct sifive_test *);

/* Register access; opaque is the struct sifive_test. */
extern const struct bus_device_ops sifive_test_ops;

/* The device type (bus/device.h): node writers, ops, free. */
struct device_desc;
extern const struct device_desc device_type_sifive_test;

#endif
