/* tests/fuzz/fuzz_qmp.c: a QMP session (frontends/qmp.c) on a real virt
 * board with the monitor attached, fed any bytes a client could send, cut
 * into pieces where the input says (first byte: piece length 1-256):
 * before and after qmp_capabilities (the first byte's top bit sends one
 * first), every command with any arguments, human-monitor-command into
 * the human monitor, ringbuf-read/-write (utf8 and base64) on a 64-byte
 * ring, malformed JSON, values split across pieces.
 *
 * Checked besides ASan/UBSan: everything the session sends is a sequence
 * of whole JSON objects, each followed by "\r\n", each holding one of
 * "QMP", "return", "error" or "event". */
#include <stdlib.h>
#include <string.h>

#include "frontends/json.h"
#include "frontends/chardev.h"
#include "frontends/monitor.h"
#include "frontends/qmp.h"
#include "machine/virt.h"

static void check(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    if (len < 2 || text[len - 2] != '\r' || text[len - 1] != '\n')
        abort();
    struct json *j;
    size_t used;
    if (json_parse(text, len, &j, &used, NULL, 0) != JSON_OK || j->type != JSON_OBJECT || used != len - 2)
        abort();
    if (!json_get(j, "QMP") && !json_get(j, "return") && !json_get(j, "error") && !json_get(j, "event"))
        abort();
    json_free(j);
}

static void serial_sink(void *ctx, const uint8_t *buf, size_t len) { (void)ctx, (void)buf, (void)len; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct virt *board;
    static struct monitor *mon;
    static struct qmp_session *s;
    static struct virt_config vc = {
        .ram_size = 16 << 20, .smp = 2, .host = { .serial_write = serial_sink },
    };
    if (!board) {
        mon = monitor_new();
        vc.monitor = monitor_virt(mon);
        board = virt_board_new(&vc);
        s = qmp_session_new(mon, check, NULL);
        if (!board || !mon || !s)
            abort();
        monitor_virt(mon)->attach(monitor_virt(mon)->ctx, board);
        /* ringbuf_read/ringbuf_write and info chardev reach a ring (rb)
         * and a chardev that is not one (nul) */
        static struct chardev *cds[2];
        char err[200];
        cds[0] = chardev_open("ringbuf,id=rb,size=64", err, sizeof err);
        cds[1] = chardev_open("null,id=nul", err, sizeof err);
        if (!cds[0] || !cds[1])
            abort();
        monitor_set_chardevs(mon, cds, 2);
    }
    if (!size)
        return 0;
    qmp_session_start(s);
    size_t piece = (data[0] & 0x7f) * 2 + 1;
    if (data[0] & 0x80) {
        static const char caps[] = "{\"execute\": \"qmp_capabilities\"}";
        qmp_input(s, (const uint8_t *)caps, sizeof caps - 1);
    }
    for (size_t i = 1; i < size; i += piece)
        qmp_input(s, data + i, size - i < piece ? size - i : piece);
    return 0;
}
