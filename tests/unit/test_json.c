/* tests/unit/test_json.c: the JSON reader and writer (frontends/json.h)
 * and a QMP session on a board (frontends/qmp.h): greeting, negotiation,
 * every command, events, malformed input, values split across reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frontends/json.h"
#include "frontends/monitor.h"
#include "frontends/qmp.h"
#include "machine/virt.h"

static int parse(const char *text, struct json **j, size_t *used)
{
    char err[128];
    return json_parse(text, strlen(text), j, used, err, sizeof err);
}

static char *write_back(const char *text)
{
    struct json *j;
    size_t used;
    assert_int_equal(parse(text, &j, &used), JSON_OK);
    struct json_buf b = { 0 };
    jb_value(&b, j);
    json_free(j);
    return b.p;
}

static void test_values(void **state)
{
    (void)state;
    struct json *j;
    size_t used;
    assert_int_equal(parse(" {\"execute\": \"stop\", \"id\": 12, \"x\": [true, false, null, -1.5e2]} tail", &j, &used),
                     JSON_OK);
    assert_int_equal(used, strlen(" {\"execute\": \"stop\", \"id\": 12, \"x\": [true, false, null, -1.5e2]}"));
    assert_int_equal(j->type, JSON_OBJECT);
    assert_string_equal(json_get(j, "execute")->str, "stop");
    assert_true(json_get(j, "id")->is_int);
    assert_int_equal(json_get(j, "id")->integer, 12);
    const struct json *x = json_get(j, "x");
    assert_int_equal(x->n, 4);
    assert_true(x->items[0]->boolean);
    assert_int_equal(x->items[2]->type, JSON_NULL);
    assert_true(x->items[3]->number == -150.0);
    assert_false(x->items[3]->is_int);
    assert_null(json_get(j, "missing"));
    assert_null(json_get(x, "execute"));
    json_free(j);

    char *s = write_back("\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\\u0001\"");
    assert_string_equal(s, "\"a\\\"b\\\\c/\\u000a\xc3\xa9\xf0\x9f\x98\x80\\u0001\"");
    free(s);
    s = write_back("[9223372036854775807, 9223372036854775808, 0.1, 1e999]");
    assert_string_equal(s, "[9223372036854775807, 9.2233720368547758e+18, 0.10000000000000001, null]");
    free(s);
    assert_int_equal(parse("\"a\\u0000b\"", &j, &used), JSON_OK);
    assert_int_equal(j->str_len, 3);
    json_free(j);
}

static void test_incomplete(void **state)
{
    (void)state;
    const char *whole = "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"\\u00e9 x\"}, "
                        "\"id\": [1, 2.5e1, true, null]}";
    struct json *j;
    size_t used;
    char err[128];
    for (size_t cut = 0; cut < strlen(whole); cut++) {
        assert_int_equal(json_parse(whole, cut, &j, &used, err, sizeof err), JSON_INCOMPLETE);
        assert_null(j);
    }
    assert_int_equal(json_parse(whole, strlen(whole), &j, &used, err, sizeof err), JSON_OK);
    json_free(j);
    assert_int_equal(parse("   \r\n", &j, &used), JSON_INCOMPLETE);
    assert_int_equal(parse("12", &j, &used), JSON_INCOMPLETE); /* more digits may come */
    assert_int_equal(parse("\"\xe2\x82", &j, &used), JSON_INCOMPLETE); /* a UTF-8 sequence cut */
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *why;
        size_t at;
    } bad[] = {
        { "{\"a\": 1,}", "expected a member name", 8 },
        { "{\"a\" 1}", "expected ':'", 5 },
        { "[1 2]", "expected ',' or ']'", 3 },
        { "{\"a\": 1 \"b\"}", "expected ',' or '}'", 8 },
        { "\"\\x\"", "bad escape in a string", 1 },
        { "\"\\u12g4\"", "bad \\u escape", 1 },
        { "\"\\udc00\"", "lone low surrogate", 1 },
        { "\"\\ud800x\"", "high surrogate without its low half", 7 },
        { "\"\\ud800\\u0041\"", "high surrogate without its low half", 7 },
        { "\"a\x01\"", "control character in a string", 2 },
        { "\"\xc0\xaf\"", "invalid UTF-8 in a string", 1 },
        { "\"\xed\xa0\x80\"", "invalid UTF-8 in a string", 1 },
        { "\"\xf5\x80\x80\x80\"", "invalid UTF-8 in a string", 1 },
        { "01", "bad number (a leading zero)", 1 },
        { "[-01]", "bad number (a leading zero)", 3 },
        { "-x", "bad number", 1 },
        { "1.x", "bad number", 2 },
        { "1e+x", "bad number", 3 },
        { "tru e", "unexpected character", 0 },
        { "nul!", "unexpected character", 0 },
        { "@", "unexpected character", 0 },
        { "{\"a\\u0000\": 1}", "NUL in a member name", 10 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct json *j;
        size_t used;
        char err[128];
        int r = json_parse(bad[i].text, strlen(bad[i].text), &j, &used, err, sizeof err);
        if (r != JSON_ERROR || !strstr(err, bad[i].why) || used != bad[i].at)
            fail_msg("'%s': %d '%s' at %zu", bad[i].text, r, err, used);
        assert_null(j);
    }
    /* nesting: 64 deep is the limit */
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = 0;
    struct json *j;
    size_t used;
    assert_int_equal(parse(deep, &j, &used), JSON_OK);
    json_free(j);
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = 0;
    assert_int_equal(parse(deep, &j, &used), JSON_ERROR);
    /* members: 4096 at most */
    size_t n = 4097;
    char *many = malloc(2 * n + 2);
    many[0] = '[';
    for (size_t i = 0; i < n; i++) {
        many[1 + 2 * i] = '0';
        many[2 + 2 * i] = ',';
    }
    many[2 * n] = ']';
    many[2 * n + 1] = 0;
    assert_int_equal(parse(many, &j, &used), JSON_ERROR);
    many[2 * n - 2] = ']';
    many[2 * n - 1] = 0;
    assert_int_equal(parse(many, &j, &used), JSON_OK);
    assert_int_equal(j->n, 4096);
    json_free(j);
    free(many);
}

/* ---- QMP ---- */

static char sent[1 << 16];
static size_t sent_len;

static void out(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    assert_true(sent_len + len < sizeof sent);
    memcpy(sent + sent_len, text, len);
    sent_len += len;
    sent[sent_len] = 0;
}

static void feed(struct qmp_session *s, const char *text)
{
    sent_len = 0;
    sent[0] = 0;
    qmp_input(s, (const uint8_t *)text, strlen(text));
}

static void sink(void *ctx, const uint8_t *buf, size_t len) { (void)ctx, (void)buf, (void)len; }

/* base64 both ways (RFC 4648 section 10's test vectors), strict decoding. */
static void test_base64(void **state)
{
    (void)state;
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (int i = 0; i < 7; i++) {
        struct json_buf b = { 0 };
        jb_base64(&b, (const uint8_t *)plain[i], strlen(plain[i]));
        char want[16];
        snprintf(want, sizeof want, "\"%s\"", coded[i]);
        assert_string_equal(b.p, want);
        jb_free(&b);
        uint8_t out[8];
        assert_int_equal(base64_decode(coded[i], strlen(coded[i]), out), (long)strlen(plain[i]));
        assert_memory_equal(out, plain[i], strlen(plain[i]));
    }
    uint8_t all[256], out[256 + 3];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    struct json_buf b = { 0 };
    jb_base64(&b, all, 256);
    assert_int_equal(base64_decode(b.p + 1, b.len - 2, out), 256);
    assert_memory_equal(out, all, 256);
    jb_free(&b);
    static const char *const bad[] = { "Zg=", "Z===", "Zg=a", "Zm9v\n", "Zm 9", "Zg==Zg==", "=Zg=", "Zm9-", "Zm\0v" };
    for (int i = 0; i < 9; i++)
        assert_int_equal(base64_decode(bad[i], i == 8 ? 4 : strlen(bad[i]), out), -1);
}

static void test_qmp(void **state)
{
    (void)state;
    struct monitor *mon = monitor_new();
    struct virt_config vc = { .ram_size = 16 << 20, .smp = 1, .host = { .serial_write = sink },
                              .monitor = monitor_virt(mon) };
    struct virt *m = virt_board_new(&vc);
    assert_non_null(m);
    monitor_virt(mon)->attach(monitor_virt(mon)->ctx, m);
    struct qmp_session *s = qmp_session_new(mon, out, NULL);
    sent_len = 0;
    qmp_session_start(s);
    assert_string_equal(sent, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                              "\"package\": \"rivet\"}, \"capabilities\": []}}\r\n");
    feed(s, "{\"execute\": \"query-status\", \"id\": 1}");
    assert_string_equal(sent, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting capabilities "
                              "negotiation with 'qmp_capabilities'\"}, \"id\": 1}\r\n");
    feed(s, "{\"execute\": \"qmp_capabilities\"}\n");
    assert_string_equal(sent, "{\"return\": {}}\r\n");
    feed(s, "{\"execute\": \"qmp_capabilities\"}");
    assert_non_null(strstr(sent, "already complete"));
    feed(s, "{\"execute\": \"query-status\", \"id\": \"x\"}");
    assert_string_equal(sent, "{\"return\": {\"status\": \"running\", \"singlestep\": false, \"running\": true}, "
                              "\"id\": \"x\"}\r\n");
    /* stop: the event, then the return */
    feed(s, "{\"execute\": \"stop\"}");
    assert_non_null(strstr(sent, "\"event\": \"STOP\"}\r\n{\"return\": {}}\r\n"));
    assert_memory_equal(sent, "{\"timestamp\": {\"seconds\": ", 26);
    feed(s, "{\"execute\": \"query-status\"}");
    assert_non_null(strstr(sent, "\"status\": \"paused\""));
    assert_non_null(strstr(sent, "\"running\": false"));
    feed(s, "{\"execute\": \"cont\"}");
    assert_non_null(strstr(sent, "\"event\": \"RESUME\"}\r\n{\"return\": {}}\r\n"));
    /* human-monitor-command: the output as a string */
    feed(s, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info status\"}}");
    /* (then the status lines other files add: the state hash) */
    assert_non_null(strstr(sent, "{\"return\": \"VM status: running\\u000aState hash: "));
    feed(s, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"nope\"}}");
    assert_non_null(strstr(sent, "{\"return\": \"Error: unknown command: 'nope'"));
    feed(s, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"cpu 0\", \"cpu-index\": 3}}");
    assert_non_null(strstr(sent, "cpu-index"));
    /* malformed input: an error object each, the session goes on */
    feed(s, "{\"execute\": }\n{\"execute\": \"query-version\"}\n");
    assert_non_null(strstr(sent, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, "
                                 "unexpected character at byte 12\"}}\r\n{\"return\": {\"qemu\""));
    feed(s, "[1]");
    assert_string_equal(sent, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input must be a JSON object\"}}\r\n");
    feed(s, "{\"id\": 5}");
    assert_non_null(strstr(sent, "lacks member 'execute'"));
    assert_non_null(strstr(sent, "\"id\": 5}"));
    feed(s, "{\"execute\": \"stop\", \"arguments\": [1]}");
    assert_non_null(strstr(sent, "'arguments' must be an object"));
    feed(s, "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}");
    assert_non_null(strstr(sent, "Parameter 'now' is unexpected"));
    feed(s, "{\"execute\": \"frob\"}");
    assert_non_null(strstr(sent, "\"CommandNotFound\", \"desc\": \"The command frob has not been found\""));
    feed(s, "{\"execute\": \"screendump\", \"arguments\": {\"filename\": \"x.png\"}}");
    assert_non_null(strstr(sent, "no display"));
    feed(s, "{\"execute\": \"system_powerdown\"}");
    assert_non_null(strstr(sent, "GenericError"));
    /* split across reads */
    feed(s, "{\"execute\": \"query-");
    assert_int_equal(sent_len, 0);
    feed(s, "status\", \"id\": [1, {\"a\": null}]}");
    assert_non_null(strstr(sent, "\"id\": [1, {\"a\": null}]}\r\n"));
    /* system_reset and quit: the return first */
    feed(s, "{\"execute\": \"system_reset\"}");
    assert_string_equal(sent, "{\"return\": {}}\r\n");
    assert_true(virt_board_step(m, 0));
    feed(s, "{\"execute\": \"quit\"}");
    assert_string_equal(sent, "{\"return\": {}}\r\n");
    qmp_session_free(s);
    monitor_free(mon);
    virt_board_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_qmp),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
