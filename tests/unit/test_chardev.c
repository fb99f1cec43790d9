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
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "frontends/chardev.h"

static void test_errors(void **state)
{
    char err[256];
    assert_null(chardev_open("stdio", err, sizeof err));
    assert_non_null(strstr(err, "id="));
    assert_null(chardev_open("pty,id=x", err, sizeof err));
    assert_non_null(strstr(err, "unknown backend 'pty'"));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_null_and_file),
        cmocka_unit_test(test_unix_server),
        cmocka_unit_test(test_unix_client),
        cmocka_unit_test(test_tcp_server),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
