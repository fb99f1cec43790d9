/* frontends/qmp.c: QMP sessions on a socket; see qmp.h. Commands run from
 * the run loop's poll between CPU slices, as the human monitor's do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontends/chardev.h"
#include "frontends/display_host.h"
#include "frontends/json.h"
#include "frontends/monitor.h"
#include "frontends/qmp.h"

struct qmp_session {
    struct monitor *mon;
    void (*out)(void *ctx, const char *text, size_t len);
    void *ctx;
    bool negotiated;
    unsigned cpu;
    char in[QMP_MAX_INPUT];
    size_t in_len;
    bool skipping;          /* after an error: drop bytes up to the next newline */
};

struct qmp {
    struct chardev *cd;
    bool owns;          /* closes cd (not when it is a -chardev's) */
    unsigned conns;
    struct qmp_session *s;
};

static void send_buf(struct qmp_session *s, struct json_buf *b)
{
    if (!b->oom) {
        jb_puts(b, "\r\n");
        if (!b->oom)
            s->out(s->ctx, b->p, b->len);
    }
    jb_free(b);
}

static void put_id(struct json_buf *b, const struct json *id, const char *src)
{
    (void)src;
    if (!id)
        return;
    /* the id goes back as it came: rebuilt from the parsed value */
    jb_puts(b, ", \"id\": ");
    jb_value(b, id);
}

static void reply_error(struct qmp_session *s, const struct json *id, const char *cls, const char *desc)
{
    struct json_buf b = { 0 };
    jb_puts(&b, "{\"error\": {\"class\": ");
    jb_string(&b, cls, strlen(cls));
    jb_puts(&b, ", \"desc\": ");
    jb_string(&b, desc, strlen(desc));
    jb_puts(&b, "}");
    put_id(&b, id, NULL);
    jb_puts(&b, "}");
    send_buf(s, &b);
}

/* ret: the JSON text of the return value */
static void reply_return(struct qmp_session *s, const struct json *id, const char *ret)
{
    struct json_buf b = { 0 };
    jb_puts(&b, "{\"return\": ");
    jb_puts(&b, ret);
    put_id(&b, id, NULL);
    jb_puts(&b, "}");
    send_buf(s, &b);
}

static void greet(struct qmp_session *s)
{
    struct json_buf b = { 0 };
    jb_puts(&b, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                "\"package\": \"rivet\"}, \"capabilities\": []}}");
    send_buf(s, &b);
}

static const char *const commands[] = {
    "qmp_capabilities", "query-status", "query-version", "query-commands", "stop", "cont", "system_reset",
    "system_powerdown", "screendump", "human-monitor-command", "quit", "ringbuf-read", "ringbuf-write",
};

static void hmp_collect(void *ctx, const char *text)
{
    jb_puts(ctx, text);
}

static const struct json *arg(const struct json *args, const char *name, enum json_type t)
{
    const struct json *v = json_get(args, name);
    return v && v->type == t ? v : NULL;
}

/* ringbuf-read {device, size, format?} / ringbuf-write {device, data, format?};
 * format "utf8" (the default: invalid UTF-8 read becomes U+FFFD) or "base64". */
static void ringbuf(struct qmp_session *s, const struct json *id, const char *name, const struct json *args)
{
    const struct json *dev = arg(args, "device", JSON_STRING), *fmt = json_get(args, "format");
    if (!dev || strlen(dev->str) != dev->str_len)
        return reply_error(s, id, "GenericError", "Parameter 'device' is missing");
    bool b64 = false;
    if (fmt) {
        if (fmt->type != JSON_STRING || (strcmp(fmt->str, "utf8") && strcmp(fmt->str, "base64")))
            return reply_error(s, id, "GenericError", "Parameter 'format' must be utf8 or base64");
        b64 = !strcmp(fmt->str, "base64");
    }
    char err[300];
    struct chardev *cd = monitor_ringbuf(s->mon, dev->str, err, sizeof err);
    if (!cd)
        return reply_error(s, id, "GenericError", err);
    if (!strcmp(name, "ringbuf-write")) {
        const struct json *d = arg(args, "data", JSON_STRING);
        if (!d)
            return reply_error(s, id, "GenericError", "Parameter 'data' is missing");
        if (!b64) {
            chardev_write(cd, (const uint8_t *)d->str, d->str_len);
            return reply_return(s, id, "{}");
        }
        uint8_t *buf = malloc(d->str_len / 4 * 3 + 1);
        long n = buf ? base64_decode(d->str, d->str_len, buf) : -1;
        if (n >= 0)
            chardev_write(cd, buf, (size_t)n);
        free(buf);
        if (n < 0)
            return reply_error(s, id, "GenericError", "Parameter 'data': not base64");
        return reply_return(s, id, "{}");
    }
    const struct json *sz = json_get(args, "size");
    if (!sz || sz->type != JSON_NUMBER || !sz->is_int || sz->integer < 0 || sz->integer > (1 << 20))
        return reply_error(s, id, "GenericError", "Parameter 'size' must be a number from 0 to 1048576");
    uint8_t *buf = malloc((size_t)sz->integer + 1);
    if (!buf)
        return reply_error(s, id, "GenericError", "out of memory");
    size_t n = chardev_ringbuf_read(cd, buf, (size_t)sz->integer);
    struct json_buf r = { 0 };
    if (b64)
        jb_base64(&r, buf, n);
    else
        jb_string(&r, (const char *)buf, n);
    free(buf);
    if (!r.oom && r.p)
        reply_return(s, id, r.p);
    else
        reply_error(s, id, "GenericError", "out of memory");
    jb_free(&r);
}

static void execute(struct qmp_session *s, const struct json *cmd)
{
    const struct json *id = json_get(cmd, "id");
    const struct json *ex = json_get(cmd, "execute");
    if (json_get(cmd, "exec-oob"))
        return reply_error(s, id, "GenericError", "QMP input member 'exec-oob' is not supported");
    if (!ex)
        return reply_error(s, id, "GenericError", "QMP input lacks member 'execute'");
    if (ex->type != JSON_STRING || strlen(ex->str) != ex->str_len)
        return reply_error(s, id, "GenericError", "QMP input member 'execute' must be a string");
    const struct json *args = json_get(cmd, "arguments");
    if (args && args->type != JSON_OBJECT)
        return reply_error(s, id, "GenericError", "QMP input member 'arguments' must be an object");
    for (size_t i = 0; i < cmd->n; i++)
        if (strcmp(cmd->keys[i], "execute") && strcmp(cmd->keys[i], "arguments") && strcmp(cmd->keys[i], "id")) {
            char m[300];
            snprintf(m, sizeof m, "QMP input member '%.200s' is unexpected", cmd->keys[i]);
            return reply_error(s, id, "GenericError", m);
        }
    const char *name = ex->str;
    bool known = false;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        known |= !strcmp(name, commands[i]);
    if (!s->negotiated && strcmp(name, "qmp_capabilities"))
        return reply_error(s, id, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
    if (!known) {
        char m[300];
        snprintf(m, sizeof m, "The command %.200s has not been found", name);
        return reply_error(s, id, "CommandNotFound", m);
    }
    /* arguments each command takes; anything else is refused */
    const char *takes[3] = { NULL, NULL, NULL };
    if (!strcmp(name, "screendump"))
        takes[0] = "filename", takes[1] = "device", takes[2] = "head";
    else if (!strcmp(name, "human-monitor-command"))
        takes[0] = "command-line", takes[1] = "cpu-index";
    else if (!strcmp(name, "qmp_capabilities"))
        takes[0] = "enable";
    else if (!strcmp(name, "ringbuf-read"))
        takes[0] = "device", takes[1] = "size", takes[2] = "format";
    else if (!strcmp(name, "ringbuf-write"))
        takes[0] = "device", takes[1] = "data", takes[2] = "format";
    for (size_t i = 0; args && i < args->n; i++) {
        bool ok = false;
        for (int k = 0; k < 3; k++)
            ok |= takes[k] && !strcmp(takes[k], args->keys[i]);
        if (!ok) {
            char m[300];
            snprintf(m, sizeof m, "Parameter '%.200s' is unexpected", args->keys[i]);
            return reply_error(s, id, "GenericError", m);
        }
    }
    if (!strcmp(name, "qmp_capabilities")) {
        if (s->negotiated)
            return reply_error(s, id, "CommandNotFound",
                               "Capabilities negotiation is already complete, command ignored");
        const struct json *en = json_get(args, "enable");
        if (en && (en->type != JSON_ARRAY || en->n))
            return reply_error(s, id, "GenericError", "Parameter 'enable': no capabilities can be enabled");
        s->negotiated = true;
        return reply_return(s, id, "{}");
    }
    if (!strcmp(name, "query-version"))
        return reply_return(s, id, "{\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"rivet\"}");
    if (!strcmp(name, "query-commands")) {
        struct json_buf b = { 0 };
        jb_puts(&b, "[");
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            jb_printf(&b, "%s{\"name\": \"%s\"}", i ? ", " : "", commands[i]);
        jb_puts(&b, "]");
        if (!b.oom)
            reply_return(s, id, b.p);
        jb_free(&b);
        return;
    }
    if (!strncmp(name, "ringbuf-", 8))
        return ringbuf(s, id, name, args);
    struct virt *m = monitor_machine(s->mon);
    if (!m)
        return reply_error(s, id, "GenericError", "no machine");
    if (!strcmp(name, "query-status")) {
        const char *st = virt_status(m);
        char r[128];
        snprintf(r, sizeof r, "{\"status\": \"%s\", \"singlestep\": false, \"running\": %s}", st,
                 virt_is_running(m) ? "true" : "false");
        return reply_return(s, id, r);
    }
    if (!strcmp(name, "stop")) {
        virt_stop(m);
        return reply_return(s, id, "{}");
    }
    if (!strcmp(name, "cont")) {
        if (virt_cont(m) < 0)
            return reply_error(s, id, "GenericError", "Resetting the Virtual Machine is required");
        return reply_return(s, id, "{}");
    }
    if (!strcmp(name, "system_reset")) {
        reply_return(s, id, "{}");
        virt_system_reset(m);
        return;
    }
    if (!strcmp(name, "system_powerdown")) {
        if (virt_system_powerdown(m) < 0)
            return reply_error(s, id, "GenericError",
                               "the guest cannot be asked to power off: virt has no ACPI; a virtio keyboard "
                               "would get KEY_POWER");
        return reply_return(s, id, "{}");
    }
    if (!strcmp(name, "quit")) {
        reply_return(s, id, "{}");
        virt_quit(m);
        return;
    }
    if (!strcmp(name, "screendump")) {
        const struct json *f = arg(args, "filename", JSON_STRING);
        if (!f || strlen(f->str) != f->str_len)
            return reply_error(s, id, "GenericError", "Parameter 'filename' is missing");
        struct display_host *d = monitor_display(s->mon);
        if (!d)
            return reply_error(s, id, "GenericError", "no display to dump (add -device virtio-gpu-device)");
        char err[256];
        if (display_host_screendump(d, f->str, err, sizeof err) < 0)
            return reply_error(s, id, "GenericError", err);
        return reply_return(s, id, "{}");
    }
    /* human-monitor-command */
    const struct json *cl = arg(args, "command-line", JSON_STRING);
    if (!cl || strlen(cl->str) != cl->str_len)
        return reply_error(s, id, "GenericError", "Parameter 'command-line' is missing");
    unsigned cpu = s->cpu;
    const struct json *ci = json_get(args, "cpu-index");
    if (ci) {
        unsigned n;
        virt_harts(m, &n);
        if (ci->type != JSON_NUMBER || !ci->is_int || ci->integer < 0 || ci->integer >= (int64_t)n)
            return reply_error(s, id, "GenericError", "Parameter 'cpu-index': no such hart");
        cpu = (unsigned)ci->integer;
    }
    struct json_buf text = { 0 };
    jb_puts(&text, "");
    monitor_run_line(s->mon, cl->str, &cpu, hmp_collect, &text);
    if (!ci)
        s->cpu = cpu;
    struct json_buf r = { 0 };
    if (!text.oom)
        jb_string(&r, text.p, text.len);
    jb_free(&text);
    if (!r.oom && r.p)
        reply_return(s, id, r.p);
    jb_free(&r);
}

static void run_buffer(struct qmp_session *s)
{
    size_t pos = 0;
    while (pos < s->in_len) {
        if (s->skipping) {
            char *nl = memchr(s->in + pos, '\n', s->in_len - pos);
            if (!nl) {
                pos = s->in_len;
                break;
            }
            pos = (size_t)(nl - s->in) + 1;
            s->skipping = false;
            continue;
        }
        struct json *j;
        size_t used;
        char err[128];
        int r = json_parse(s->in + pos, s->in_len - pos, &j, &used, err, sizeof err);
        if (r == JSON_INCOMPLETE)
            break;
        if (r == JSON_ERROR) {
            char m[200];
            snprintf(m, sizeof m, "JSON parse error, %s", err);
            reply_error(s, NULL, "GenericError", m);
            pos += used;
            s->skipping = true;
            continue;
        }
        pos += used;
        if (j->type != JSON_OBJECT)
            reply_error(s, NULL, "GenericError", "QMP input must be a JSON object");
        else
            execute(s, j);
        json_free(j);
    }
    /* what is left is the start of a value */
    memmove(s->in, s->in + pos, s->in_len - pos);
    s->in_len -= pos;
    /* only white space left: nothing to keep */
    size_t k = 0;
    while (k < s->in_len && strchr(" \t\r\n", s->in[k]))
        k++;
    if (k == s->in_len)
        s->in_len = 0;
}

void qmp_input(struct qmp_session *s, const uint8_t *buf, size_t len)
{
    while (len) {
        size_t room = sizeof s->in - s->in_len;
        size_t n = len < room ? len : room;
        memcpy(s->in + s->in_len, buf, n);
        s->in_len += n;
        buf += n;
        len -= n;
        run_buffer(s);
        if (s->in_len == sizeof s->in) {
            reply_error(s, NULL, "GenericError", "JSON parse error, input too long (more than 64 KiB)");
            s->in_len = 0;
            s->skipping = true;
        }
    }
}

static void on_event(void *ctx, enum virt_event ev, const char *reason)
{
    struct qmp_session *s = ctx;
    if (!s->negotiated)
        return;
    static const char *const names[] = {
        [VIRT_EV_STOP] = "STOP", [VIRT_EV_RESUME] = "RESUME", [VIRT_EV_SHUTDOWN] = "SHUTDOWN",
        [VIRT_EV_RESET] = "RESET", [VIRT_EV_POWERDOWN] = "POWERDOWN",
    };
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct json_buf b = { 0 };
    jb_printf(&b, "{\"timestamp\": {\"seconds\": %lld, \"microseconds\": %ld}, \"event\": \"%s\"",
              (long long)ts.tv_sec, ts.tv_nsec / 1000, names[ev]);
    if (ev == VIRT_EV_SHUTDOWN || ev == VIRT_EV_RESET) {
        bool guest = reason && !strncmp(reason, "guest-", 6);
        jb_printf(&b, ", \"data\": {\"guest\": %s, \"reason\": ", guest ? "true" : "false");
        const char *r = reason ? reason : "host-qmp-quit";
        jb_string(&b, r, strlen(r));
        jb_puts(&b, "}");
    }
    jb_puts(&b, "}");
    send_buf(s, &b);
}

struct qmp_session *qmp_session_new(struct monitor *mon, void (*out)(void *ctx, const char *text, size_t len),
                                    void *ctx)
{
    struct qmp_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mon = mon;
    s->out = out;
    s->ctx = ctx;
    if (monitor_add_listener(mon, on_event, s) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

void qmp_session_free(struct qmp_session *s)
{
    if (!s)
        return;
    monitor_remove_listener(s->mon, on_event, s);
    free(s);
}

void qmp_session_start(struct qmp_session *s)
{
    s->negotiated = false;
    s->in_len = 0;
    s->skipping = false;
    s->cpu = 0;
    greet(s);
}

/* ---- on a socket ---- */

static void sock_out(void *ctx, const char *text, size_t len)
{
    struct qmp *q = ctx;
    chardev_write(q->cd, (const uint8_t *)text, len);
}

static void qmp_poll(void *ctx)
{
    struct qmp *q = ctx;
    uint8_t buf[4096];
    for (int round = 0; round < 16; round++) {
        size_t n = chardev_read(q->cd, buf, sizeof buf, &(bool){ false });
        /* a socket greets each new client; anything else (stdio, a pty)
         * is one session from the start */
        unsigned conns = chardev_is_socket(q->cd) ? chardev_connections(q->cd) : 1;
        if (conns != q->conns) {
            q->conns = conns;
            qmp_session_start(q->s);
        }
        if (!n)
            break;
        qmp_input(q->s, buf, n);
        if (!monitor_machine(q->s->mon))
            break;
    }
}

static int qmp_fd(void *ctx)
{
    struct qmp *q = ctx;
    return chardev_poll_fd(q->cd);
}

struct qmp *qmp_new(struct monitor *mon, struct chardev *cd, bool owns)
{
    struct qmp *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->cd = cd;
    q->owns = owns;
    q->s = qmp_session_new(mon, sock_out, q);
    if (!q->s || monitor_add_poller(mon, qmp_poll, qmp_fd, q) < 0) {
        qmp_session_free(q->s);
        free(q);
        return NULL;
    }
    /* a client connected at open (wait=on) is greeted at the first poll */
    return q;
}

void qmp_free(struct qmp *q)
{
    if (!q)
        return;
    qmp_session_free(q->s);
    if (q->owns)
        chardev_close(q->cd);
    free(q);
}
