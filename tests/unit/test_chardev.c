/* tests/unit/test_chardev.c: -chardev parsing and the file, null and
 * socket backends (unix server with wait=off: a client connects, talks,
 * leaves, and the next one is accepted; tcp on a loopback port; client
 * mode). stdio is exercised by the guest tests. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "frontends/chardev.h"

static void test_errors(void **state)
{
    char err[256];
    assert_null(chardev_open("stdio", err, sizeof err));
    assert_non_null(strstr(err, "id="));
    assert_null(chardev_open("ptty,id=x", err, sizeof err));
    assert_non_null(strstr(err, "unknown backend 'ptty'; did you mean 'pty'?"));
    assert_null(chardev_open("file,id=x", err, sizeof err));
    assert_non_null(strstr(err, "path="));
    assert_null(chardev_open("socket,id=x", err, sizeof err));
    assert_null(chardev_open("socket,id=x,path=/tmp/a,port=4", err, sizeof err));
    assert_null(chardev_open("socket,id=x,path=/tmp/a,server=on,color=red", err, sizeof err));
    assert_non_null(strstr(err, "color"));
    assert_null(chardev_open("socket,id=x,path=/nonexistent/dir/sock,server=on,wait=off", err, sizeof err));
    assert_null(chardev_open("socket,id=x,path=/nonexistent/sock", err, sizeof err)); /* client: refused */
}

static void test_null_and_file(void **state)
{
    char err[256], path[] = "/tmp/rivet-test-chardev-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    struct chardev *n = chardev_open("null,id=n", err, sizeof err);
    assert_non_null(n);
    assert_string_equal(chardev_id(n), "n");
    chardev_write(n, (const uint8_t *)"x", 1);
    bool quit = false;
    uint8_t b[8];
    assert_int_equal(chardev_read(n, b, sizeof b, &quit), 0);
    assert_int_equal(chardev_poll_fd(n), -1);
    chardev_close(n);
    char arg[128];
    snprintf(arg, sizeof arg, "file,id=f,path=%s", path);
    struct chardev *f = chardev_open(arg, err, sizeof err);
    assert_non_null(f);
    assert_false(chardev_is_stdio(f));
    chardev_write(f, (const uint8_t *)"hello\n", 6);
    chardev_close(f);
    FILE *in = fopen(path, "r");
    char line[16] = { 0 };
    assert_non_null(fgets(line, sizeof line, in));
    fclose(in);
    assert_string_equal(line, "hello\n");
    unlink(path);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* Reads from the chardev until something comes (the peer's bytes travel
 * through the kernel: no sleeping needed beyond a few tries). */
static size_t read_some(struct chardev *c, uint8_t *buf, size_t len)
{
    bool quit = false;
    for (int i = 0; i < 1000; i++) {
        size_t n = chardev_read(c, buf, len, &quit);
        if (n)
            return n;
        usleep(1000);
    }
    return 0;
}

static void test_unix_server(void **state)
{
    char err[256], path[64], arg[128];
    snprintf(path, sizeof path, "/tmp/rivet-test-sock-%d", (int)getpid());
    snprintf(arg, sizeof arg, "socket,id=s,path=%s,server=on,wait=off", path);
    struct chardev *c = chardev_open(arg, err, sizeof err);
    assert_non_null(c);
    assert_true(chardev_poll_fd(c) >= 0);
    chardev_write(c, (const uint8_t *)"dropped", 7); /* nobody listening yet */
    uint8_t buf[64];
    bool quit = false;
    assert_int_equal(chardev_read(c, buf, sizeof buf, &quit), 0);
    for (int round = 0; round < 2; round++) {
        int peer = connect_unix(path);
        assert_int_equal(write(peer, "ping", 4), 4);
        size_t n = read_some(c, buf, sizeof buf);
        assert_int_equal(n, 4);
        assert_memory_equal(buf, "ping", 4);
        chardev_write(c, (const uint8_t *)"pong", 4);
        char back[8];
        assert_int_equal(read(peer, back, sizeof back), 4);
        assert_memory_equal(back, "pong", 4);
        close(peer);
        /* the departure is noticed, then the server takes the next client */
        assert_int_equal(read_some(c, buf, 1), 0);
    }
    assert_false(quit);
    chardev_close(c);
    assert_int_not_equal(access(path, F_OK), 0); /* socket file removed */
}

static void test_unix_client(void **state)
{
    char err[256], path[64], arg[128];
    snprintf(path, sizeof path, "/tmp/rivet-test-sock2-%d", (int)getpid());
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    unlink(path);
    assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lfd, 1), 0);
    snprintf(arg, sizeof arg, "socket,id=s,path=%s", path);
    struct chardev *c = chardev_open(arg, err, sizeof err);
    assert_non_null(c);
    int peer = accept(lfd, NULL, NULL);
    chardev_write(c, (const uint8_t *)"hi", 2);
    char back[4];
    assert_int_equal(read(peer, back, sizeof back), 2);
    assert_int_equal(write(peer, "yo", 2), 2);
    uint8_t buf[8];
    assert_int_equal(read_some(c, buf, sizeof buf), 2);
    close(peer);
    close(lfd);
    chardev_close(c);
    unlink(path);
}

static void test_tcp_server(void **state)
{
    char err[256];
    /* find a free port by trying a few */
    struct chardev *c = NULL;
    int port = 0;
    for (int p = 45000 + getpid() % 1000; p < 47000 && !c; p += 7) {
        char arg[96];
        snprintf(arg, sizeof arg, "socket,id=t,host=127.0.0.1,port=%d,server=on,wait=off", p);
        c = chardev_open(arg, err, sizeof err);
        port = p;
    }
    assert_non_null(c);
    char arg[96];
    snprintf(arg, sizeof arg, "socket,id=u,host=127.0.0.1,port=%d", port);
    struct chardev *client = chardev_open(arg, err, sizeof err);
    assert_non_null(client);
    chardev_write(client, (const uint8_t *)"abc", 3);
    uint8_t buf[8];
    assert_int_equal(read_some(c, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
    chardev_close(client);
    chardev_close(c);
}

/* -serial's legacy spellings become -chardev arguments. */
static void test_serial_spec(void **state)
{
    static const struct {
        const char *spec;
        bool signal;
        int kind;
        const char *out;
    } ok[] = {
        { "stdio", true, CHARDEV_SERIAL_ARG, "stdio,id=serial0,signal=on" },
        { "stdio", false, CHARDEV_SERIAL_ARG, "stdio,id=serial0,signal=off" },
        { "mon:stdio", true, CHARDEV_SERIAL_ARG, "stdio,id=serial0,signal=off" },
        { "pty", true, CHARDEV_SERIAL_ARG, "pty,id=serial0" },
        { "null", true, CHARDEV_SERIAL_ARG, "null,id=serial0" },
        { "none", true, CHARDEV_SERIAL_NONE, "" },
        { "file:/tmp/a,b", true, CHARDEV_SERIAL_ARG, "file,id=serial0,path=/tmp/a,,b" },
        { "chardev:c0", true, CHARDEV_SERIAL_REF, "c0" },
        { "tcp::4444,server=on,wait=off", true, CHARDEV_SERIAL_ARG, "socket,id=serial0,port=4444,server=on,wait=off" },
        { "tcp:127.0.0.1:5", true, CHARDEV_SERIAL_ARG, "socket,id=serial0,host=127.0.0.1,port=5" },
        { "tcp:[::1]:5,server,nowait", true, CHARDEV_SERIAL_ARG, "socket,id=serial0,host=::1,port=5,server,nowait" },
        { "unix:/tmp/s,server=on", true, CHARDEV_SERIAL_ARG, "socket,id=serial0,path=/tmp/s,server=on" },
        { "mon:tcp::7", true, CHARDEV_SERIAL_ARG, "socket,id=serial0,port=7" },
    };
    char out[256], err[256];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int r = chardev_serial_spec(ok[i].spec, "serial0", ok[i].signal, out, sizeof out, err, sizeof err);
        if (r != ok[i].kind || (r != CHARDEV_SERIAL_NONE && strcmp(out, ok[i].out)))
            fail_msg("%s: %d '%s'", ok[i].spec, r, r < 0 ? err : out);
        if (r == CHARDEV_SERIAL_ARG)
            assert_int_equal(chardev_check(out, err, sizeof err), 0);
    }
    static const char *const bad[] = { "stdo", "tcp:", "tcp:host", "tcp:h:", "tcp:h:port", "tcp:[::1]5", "unix:",
                                       "file:", "chardev:", "telnet::4", "vc", "mon:none", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        if (chardev_serial_spec(bad[i], "serial0", true, out, sizeof out, err, sizeof err) != -1 || !err[0])
            fail_msg("%s accepted", bad[i]);
    }
    assert_int_equal(chardev_serial_spec("file:/a/long/path", "serial0", true, out, 12, err, sizeof err), -1);
}

/* ringbuf keeps the newest `size` bytes until read (oldest first); its size
 * must be a power of two. */
static void test_ringbuf(void **state)
{
    char err[256];
    assert_null(chardev_open("ringbuf,id=r,size=100", err, sizeof err));
    assert_null(chardev_open("ringbuf,id=r,size=0", err, sizeof err));
    assert_null(chardev_open("ringbuf,id=r,size=2G", err, sizeof err));
    struct chardev *r = chardev_open("ringbuf,id=r,size=8", err, sizeof err);
    assert_non_null(r);
    uint8_t buf[16];
    assert_int_equal(chardev_ringbuf_read(r, buf, sizeof buf), 0);
    chardev_write(r, (const uint8_t *)"abc", 3);
    assert_int_equal(chardev_ringbuf_read(r, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(chardev_ringbuf_read(r, buf, sizeof buf), 0); /* read bytes are gone */
    chardev_write(r, (const uint8_t *)"defghijkl", 9);          /* d is overwritten unread */
    assert_int_equal(chardev_ringbuf_read(r, buf, 2), 2);
    assert_memory_equal(buf, "ef", 2);
    assert_int_equal(chardev_ringbuf_read(r, buf, sizeof buf), 6);
    assert_memory_equal(buf, "ghijkl", 6);
    chardev_write(r, (const uint8_t *)"mn", 2);
    assert_int_equal(chardev_ringbuf_read(r, buf, sizeof buf), 2);
    assert_memory_equal(buf, "mn", 2);
    bool quit = false;
    assert_int_equal(chardev_read(r, buf, sizeof buf, &quit), 0);
    assert_int_equal(chardev_poll_fd(r), -1);
    chardev_close(r);
    r = chardev_open("ringbuf,id=r", err, sizeof err); /* 64K by default */
    assert_non_null(r);
    chardev_close(r);
}

/* pty: output is dropped until the other side is opened, then both ways
 * work; closing it again drops output again, and a new opener is served. */
static void test_pty(void **state)
{
    char err[256];
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    char name[] = "/tmp/rivet-test-pty-XXXXXX";
    int log = mkstemp(name);
    dup2(log, 2); /* the "char device redirected" line */
    struct chardev *c = chardev_open("pty,id=p", err, sizeof err);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    assert_non_null(c);
    char line[128] = { 0 };
    assert_true(pread(log, line, sizeof line - 1, 0) > 0);
    close(log);
    unlink(name);
    char path[64];
    assert_int_equal(sscanf(line, "char device redirected to %63s (label p)", path), 1);
    assert_int_equal(chardev_poll_fd(c), -1);
    chardev_write(c, (const uint8_t *)"lost", 4);
    for (int round = 0; round < 2; round++) {
        int fd = open(path, O_RDWR | O_NOCTTY);
        assert_true(fd >= 0);
        assert_true(chardev_poll_fd(c) >= 0);
        chardev_write(c, (const uint8_t *)"out\n", 4);
        char back[16] = { 0 };
        assert_int_equal(read(fd, back, sizeof back), 4); /* raw: no "\r\n", and "lost" is gone */
        assert_memory_equal(back, "out\n", 4);
        assert_int_equal(write(fd, "in", 2), 2);
        uint8_t buf[8];
        assert_int_equal(read_some(c, buf, sizeof buf), 2);
        assert_memory_equal(buf, "in", 2);
        close(fd);
        chardev_write(c, (const uint8_t *)"gone", 4);
        assert_int_equal(chardev_poll_fd(c), -1);
    }
    chardev_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_null_and_file),
        cmocka_unit_test(test_unix_server),
        cmocka_unit_test(test_unix_client),
        cmocka_unit_test(test_tcp_server),
        cmocka_unit_test(test_serial_spec),
        cmocka_unit_test(test_ringbuf),
        cmocka_unit_test(test_pty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
