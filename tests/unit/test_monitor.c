/* tests/unit/test_monitor.c: the human monitor's parsers and dispatch
 * (frontends/monitor.h): words and quotes, x/FMT, addresses and
 * $registers, the command table, one-line errors, and the commands on a
 * real virt board (stop/cont/status, x/xp, cpu, system_reset, quit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/riscv/hart.h"
#include "frontends/monitor.h"
#include "machine/virt.h"

static void test_parse_line(void **state)
{
    (void)state;
    struct monitor_line l;
    char err[128];
    assert_int_equal(monitor_parse_line("  x/4xg   0x80000000 ", &l, err, sizeof err), 0);
    assert_string_equal(l.name, "x");
    assert_string_equal(l.fmt, "4xg");
    assert_int_equal(l.argc, 1);
    assert_string_equal(l.argv[0], "0x80000000");
    assert_int_equal(monitor_parse_line("screendump \"a b\\\".png\" x", &l, err, sizeof err), 0);
    assert_string_equal(l.name, "screendump");
    assert_null(l.fmt);
    assert_int_equal(l.argc, 2);
    assert_string_equal(l.argv[0], "a b\".png");
    assert_int_equal(monitor_parse_line("", &l, err, sizeof err), 0);
    assert_string_equal(l.name, "");
    assert_int_equal(monitor_parse_line("\t \r\n", &l, err, sizeof err), 0);
    assert_string_equal(l.name, "");
    assert_int_equal(monitor_parse_line("info \"unterminated", &l, err, sizeof err), -1);
    assert_string_equal(err, "unterminated string");
    assert_int_equal(monitor_parse_line("a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", &l, err, sizeof err), 0);
    assert_int_equal(l.argc, 16);
    assert_int_equal(monitor_parse_line("a 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", &l, err, sizeof err), -1);
    assert_string_equal(err, "too many arguments");
    char big[MONITOR_MAX_LINE + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(monitor_parse_line(big, &l, err, sizeof err), -1);
    big[MONITOR_MAX_LINE] = 0;
    assert_int_equal(monitor_parse_line(big, &l, err, sizeof err), 0);
    /* a line of only quote pairs needs no more room than itself */
    memset(big, '"', MONITOR_MAX_LINE);
    big[MONITOR_MAX_LINE] = 0;
    assert_int_equal(monitor_parse_line(big, &l, err, sizeof err), 0);
}

static void test_parse_fmt(void **state)
{
    (void)state;
    struct monitor_fmt f;
    char err[128];
    assert_int_equal(monitor_parse_fmt(NULL, &f, err, sizeof err), 0);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.format, 'x');
    assert_int_equal(f.size, 4);
    assert_int_equal(monitor_parse_fmt("10gx", &f, err, sizeof err), 0);
    assert_int_equal(f.count, 10);
    assert_int_equal(f.format, 'x');
    assert_int_equal(f.size, 8);
    assert_int_equal(monitor_parse_fmt("c", &f, err, sizeof err), 0);
    assert_int_equal(f.size, 1);
    assert_int_equal(monitor_parse_fmt("3dh", &f, err, sizeof err), 0);
    assert_int_equal(f.format, 'd');
    assert_int_equal(f.size, 2);
    assert_int_equal(monitor_parse_fmt("2ub", &f, err, sizeof err), 0);
    assert_int_equal(f.format, 'u');
    assert_int_equal(monitor_parse_fmt("5i", &f, err, sizeof err), 0);
    assert_int_equal(f.format, 'i');
    assert_int_equal(monitor_parse_fmt("4z", &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "invalid char 'z'"));
    assert_int_equal(monitor_parse_fmt("65537x", &f, err, sizeof err), -1);
    assert_int_equal(monitor_parse_fmt("99999999999999999999x", &f, err, sizeof err), -1);
}

static void test_parse_value(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(monitor_parse_value("0x80000000", NULL, &v), 0);
    assert_int_equal(v, 0x80000000ull);
    assert_int_equal(monitor_parse_value("42", NULL, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(monitor_parse_value("0xffffffffffffffff", NULL, &v), 0);
    assert_int_equal(monitor_parse_value("0x1ffffffffffffffff", NULL, &v), -1);
    assert_int_equal(monitor_parse_value("-1", NULL, &v), -1);
    assert_int_equal(monitor_parse_value("12z", NULL, &v), -1);
    assert_int_equal(monitor_parse_value("", NULL, &v), -1);
    assert_int_equal(monitor_parse_value("$pc", NULL, &v), -1);
    struct rv_hart h;
    memset(&h, 0, sizeof h);
    h.pc = 0x1234;
    h.x[2] = 0x5678;
    h.x[10] = 7;
    h.x[31] = 9;
    assert_int_equal(monitor_parse_value("$pc", &h, &v), 0);
    assert_int_equal(v, 0x1234);
    assert_int_equal(monitor_parse_value("$sp", &h, &v), 0);
    assert_int_equal(v, 0x5678);
    assert_int_equal(monitor_parse_value("$a0", &h, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(monitor_parse_value("$x31", &h, &v), 0);
    assert_int_equal(v, 9);
    assert_int_equal(monitor_parse_value("$x32", &h, &v), -1);
    assert_int_equal(monitor_parse_value("$bogus", &h, &v), -1);
}

/* ---- on a board ---- */

static char outbuf[65536];
static size_t outlen;

static void out(void *ctx, const char *text)
{
    (void)ctx;
    size_t n = strlen(text);
    if (outlen + n < sizeof outbuf) {
        memcpy(outbuf + outlen, text, n + 1);
        outlen += n;
    }
}

static int run(struct monitor *mon, const char *line, unsigned *cpu)
{
    outlen = 0;
    outbuf[0] = 0;
    return monitor_run_line(mon, line, cpu, out, NULL);
}

static int events[8];
static void on_event(void *ctx, enum virt_event ev, const char *reason)
{
    (void)ctx, (void)reason;
    events[ev]++;
}

static void sink(void *ctx, const uint8_t *buf, size_t len) { (void)ctx, (void)buf, (void)len; }

static void test_commands(void **state)
{
    (void)state;
    struct monitor *mon = monitor_new();
    assert_non_null(mon);
    struct virt_config vc = { .ram_size = 16 << 20, .smp = 2, .host = { .serial_write = sink },
                              .monitor = monitor_virt(mon) };
    struct virt *m = virt_board_new(&vc);
    assert_non_null(m);
    assert_non_null(mon);
    unsigned cpu = 0;
    /* no machine attached: every command is a one-line error */
    assert_int_equal(run(mon, "info status", &cpu), -1);
    assert_string_equal(outbuf, "Error: no machine\n");
    monitor_virt(mon)->attach(monitor_virt(mon)->ctx, m);
    assert_int_equal(monitor_add_listener(mon, on_event, NULL), 0);

    assert_int_equal(run(mon, "info status", &cpu), 0);
    /* the status line, then the lines other files add (the state hash) */
    assert_true(!strncmp(outbuf, "VM status: running\nState hash: ", 31) && strlen(outbuf) == 31 + 17);
    assert_int_equal(run(mon, "stop", &cpu), 0);
    assert_string_equal(outbuf, "");
    assert_int_equal(events[VIRT_EV_STOP], 1);
    assert_int_equal(run(mon, "info status", &cpu), 0);
    assert_true(!strncmp(outbuf, "VM status: paused\nState hash: ", 30) && strlen(outbuf) == 30 + 17);
    assert_int_equal(run(mon, "stop", &cpu), 0); /* again: no second event */
    assert_int_equal(events[VIRT_EV_STOP], 1);
    assert_int_equal(run(mon, "c", &cpu), 0);
    assert_int_equal(events[VIRT_EV_RESUME], 1);
    assert_false(!virt_is_running(m));

    uint8_t *ram = virt_board_ram(m);
    for (int i = 0; i < 32; i++)
        ram[i] = (uint8_t)(0x10 + i);
    assert_int_equal(run(mon, "xp/4xg 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: 0x1716151413121110 0x1f1e1d1c1b1a1918\n"
                                "0000000080000010: 0x2726252423222120 0x2f2e2d2c2b2a2928\n");
    assert_int_equal(run(mon, "xp/3xb 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: 0x10 0x11 0x12\n");
    assert_int_equal(run(mon, "xp/2dh 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: 4368 4882\n");
    ram[0] = 0xff;
    ram[1] = 0xff;
    assert_int_equal(run(mon, "xp/1dh 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: -1\n");
    assert_int_equal(run(mon, "xp/1uh 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: 65535\n");
    ram[0] = 'A';
    assert_int_equal(run(mon, "xp/2c 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: 'A' '\\xff'\n");
    ram[0] = 0x13; /* nop */
    ram[1] = ram[2] = ram[3] = 0;
    assert_int_equal(run(mon, "xp/1i 0x80000000", &cpu), 0);
    assert_non_null(strstr(outbuf, "nop"));
    /* harts start in M-mode, satp 0: virtual = physical */
    assert_int_equal(run(mon, "x/1xw 0x80000000", &cpu), 0);
    assert_string_equal(outbuf, "0000000080000000: 0x00000013\n");
    /* a device region is never read; nothing mapped is an error */
    assert_int_equal(run(mon, "xp/1xw 0x10000000", &cpu), -1);
    assert_string_equal(outbuf, "Error: cannot access memory at 0x10000000\n");
    assert_int_equal(run(mon, "xp/2xw 0x80fffffc", &cpu), -1); /* past the end of RAM */
    assert_non_null(strstr(outbuf, "Error: cannot access memory at 0x81000000\n"));

    assert_int_equal(run(mon, "info virtio", &cpu), 0);
    assert_string_equal(outbuf, "no virtio devices\n");
    assert_int_equal(run(mon, "info pci", &cpu), 0);
    assert_non_null(strstr(outbuf, "  Bus  0, device  0, function 0:\n    class 0600: PCI device 1b36:0008\n"));
    assert_int_equal(run(mon, "info mtree", &cpu), 0);
    assert_non_null(strstr(outbuf, "  0000000080000000-0000000080ffffff (ram): ram\n"));
    assert_int_equal(run(mon, "cpu 1", &cpu), 0);
    assert_int_equal(cpu, 1);
    assert_int_equal(run(mon, "info cpus", &cpu), 0);
    assert_non_null(strstr(outbuf, "* CPU #1"));
    assert_int_equal(run(mon, "info registers", &cpu), 0);
    assert_non_null(strstr(outbuf, " mhartid  0000000000000001\n"));
    assert_int_equal(run(mon, "cpu 2", &cpu), -1);
    assert_string_equal(outbuf, "Error: cpu 2: no such hart (0 to 1)\n");
    assert_int_equal(cpu, 1);

    /* errors: one line each */
    const char *bad[] = { "frobnicate", "info frob", "x", "x/4q 0", "stop now", "xp/2xg nope", "help nope",
                          "stop/x", "\"open", "screendump a.png" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(run(mon, bad[i], &cpu), -1);
        assert_memory_equal(outbuf, "Error: ", 7);
        assert_ptr_equal(strchr(outbuf, '\n'), outbuf + outlen - 1);
    }
    assert_int_equal(run(mon, "", &cpu), 0);
    assert_string_equal(outbuf, "");
    assert_int_equal(run(mon, "help", &cpu), 0);
    assert_non_null(strstr(outbuf, "\nsystem_reset "));
    assert_int_equal(run(mon, "info", &cpu), 0);
    assert_non_null(strstr(outbuf, "info status "));
    assert_null(strstr(outbuf, "\nsystem_reset "));
    assert_int_equal(run(mon, "system_powerdown", &cpu), -1); /* no keyboard */
    assert_int_equal(run(mon, "system_reset", &cpu), 0);
    assert_true(virt_board_step(m, 0));
    monitor_virt(mon)->attach(monitor_virt(mon)->ctx, NULL);
    assert_int_equal(run(mon, "quit", &cpu), -1);
    monitor_free(mon);
    virt_board_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_line),
        cmocka_unit_test(test_parse_fmt),
        cmocka_unit_test(test_parse_value),
        cmocka_unit_test(test_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
