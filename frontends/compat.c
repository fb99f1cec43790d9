/* frontends/compat.c: QEMU's harmless flags, the process options and -m /
 * -smp in QEMU's full syntax (see compat.h). */
#define _GNU_SOURCE
#include "frontends/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/util.h"
#include "cpu/riscv/ext.h"
#include "frontends/options.h"
#include "frontends/term.h"

static int bad(const char *opt, const char *arg, const char *why)
{
    fprintf(stderr, "rivet: %s %s: %s\n", opt, arg, why);
    return -1;
}

int compat_opt_name(struct rivet_options *o, const char *arg)
{
    o->name = arg; /* QEMU names the window and threads with it; rivet keeps it for nothing */
    return 0;
}

int compat_check_accel(const char *opt, const char *arg, const char *name)
{
    if (!strcmp(name, "tcg"))
        return 0;
    if (!strcmp(name, "kvm"))
        return bad(opt, arg, "rivet has no KVM: it always runs its software interpreter (drop it, or use tcg)");
    return bad(opt, arg, "unknown accelerator (rivet has only tcg, its software interpreter)");
}

int compat_opt_accel(struct rivet_options *o, const char *arg)
{
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-accel", arg, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < l.n && rc == 0; i++) {
        const char *k = l.v[i].key, *v = l.v[i].value;
        if (i == 0 && !v)
            rc = compat_check_accel("-accel", arg, k);
        else if (!strcmp(k, "accel") && v)
            rc = compat_check_accel("-accel", arg, v);
        else if (!strcmp(k, "thread") && v) {
            if (strcmp(v, "single") && strcmp(v, "multi"))
                rc = bad("-accel", arg, "thread must be single or multi");
        } else if (!strcmp(k, "tb-size") && v) {
            unsigned long long n;
            if (options_parse_size(v, 1, &n) < 0)
                rc = bad("-accel", arg, "tb-size must be a number (MiB)");
        } else if (!strcmp(k, "split-wx") && v) {
            if (optlist_bool(v) < 0)
                rc = bad("-accel", arg, "split-wx must be on or off");
        } else
            rc = bad("-accel", arg, "unknown property (tcg takes thread=single|multi, tb-size=N, split-wx=on|off)");
    }
    optlist_free(&l);
    return rc;
}

int compat_opt_enable_kvm(struct rivet_options *o, const char *arg)
{
    fprintf(stderr, "rivet: -enable-kvm: rivet has no KVM: it always runs its software interpreter (drop the option)\n");
    return -1;
}

int compat_opt_vga(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "none"))
        return 0;
    return bad("-vga", arg, "rivet has no VGA card (use -device virtio-gpu-pci; -vga none is accepted)");
}

int compat_opt_nodefaults(struct rivet_options *o, const char *arg)
{
    o->nodefaults = true;
    return 0;
}

int compat_opt_pidfile(struct rivet_options *o, const char *arg)
{
    if (!*arg)
        return bad("-pidfile", arg, "needs a file name");
    o->pidfile = arg;
    return 0;
}

int compat_opt_daemonize(struct rivet_options *o, const char *arg)
{
    o->daemonize = true;
    return 0;
}

int compat_opt_no_reboot(struct rivet_options *o, const char *arg)
{
    o->machine.no_reboot = true;
    return 0;
}

int compat_opt_cpu(struct rivet_options *o, const char *arg)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        char isa[512];
        rv_ext_isa_string(rv_ext_default(), isa, sizeof isa);
        printf("Available CPUs:\n  rv64    the RV64GC hart (Sv39, Sv48, Sv57), by default %s\n\n"
               "Extensions (-cpu rv64,NAME=on|off,...; names in any case):\n", isa);
        static const char *const what[] = { "always on", "on by default", "off by default" };
        for (unsigned i = 0; i < RV_EXT_COUNT; i++)
            if (rv_ext_state(i) != RV_EXT_STATE_TODO)
                printf("  %-12s %-14s %s\n", rv_ext_name(i), what[rv_ext_state(i)], rv_ext_help(i));
        return OPT_HELP_DONE;
    }
    uint64_t ext = rv_ext_default();
    if (!strncmp(arg, "rv64,", 5)) {
        char err[160];
        if (rv_ext_apply(&ext, arg + 5, err, sizeof err) < 0)
            return bad("-cpu", arg, err);
    } else if (strcmp(arg, "rv64")) {
        return bad("-cpu", arg, "unknown CPU model (rivet has rv64; -cpu help)");
    }
    o->machine.cpu_ext = ext;
    return 0;
}

int compat_opt_m(struct rivet_options *o, const char *arg)
{
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-m", arg, "out of memory");
    unsigned long long size = o->machine.ram_size, maxmem = 0, v;
    bool have_slots = false;
    int rc = 0;
    for (unsigned i = 0; i < l.n && rc == 0; i++) {
        const char *k = l.v[i].key, *val = l.v[i].value;
        if (i == 0 && !val) {
            val = k;
            k = "size";
        }
        if (!val)
            rc = bad("-m", arg, "expected SIZE or size=, slots=, maxmem=");
        else if (!strcmp(k, "size")) {
            if (options_parse_size(val, 1ull << 20, &v) < 0)
                rc = bad("-m", arg, "not a size (e.g. 512M, 2G)");
            else if (v < VIRT_MIN_RAM || v > VIRT_MAX_RAM)
                rc = bad("-m", arg, "RAM must be between 16M and 16G");
            else if (v % 4096)
                rc = bad("-m", arg, "RAM size must be a multiple of 4K");
            size = v;
        } else if (!strcmp(k, "slots")) {
            char *end;
            errno = 0;
            long n = strtol(val, &end, 10);
            if (errno || end == val || *end || n < 0 || n > 256)
                rc = bad("-m", arg, "slots must be a number from 0 to 256");
            have_slots = true;
        } else if (!strcmp(k, "maxmem")) {
            if (options_parse_size(val, 1ull << 20, &maxmem) < 0)
                rc = bad("-m", arg, "maxmem is not a size (e.g. 4G)");
        } else
            rc = bad("-m", arg, "unknown property (supported: size=, slots=, maxmem=)");
    }
    optlist_free(&l);
    if (rc == 0 && have_slots && !maxmem)
        rc = bad("-m", arg, "slots= needs maxmem= (as in QEMU)");
    if (rc == 0 && maxmem && maxmem < size)
        rc = bad("-m", arg, "maxmem must be at least the RAM size");
    if (rc == 0)
        o->machine.ram_size = size;
    return rc;
}

/* QEMU's -smp: [cpus=]N,sockets=,dies=,clusters=,cores=,threads=,maxcpus=.
 * Missing counts are derived as QEMU 7.2 does for current machines
 * (preferring cores); the product must equal maxcpus. The device tree's
 * cpu-map is the same whatever the split: QEMU's virt board writes one
 * cluster with one core per hart. */
int compat_opt_smp(struct rivet_options *o, const char *arg)
{
    static const char *const keys[] = { "cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus" };
    enum { CPUS, SOCKETS, DIES, CLUSTERS, CORES, THREADS, MAXCPUS, NKEYS };
    long n[NKEYS] = { 0 };
    struct optlist l;
    if (optlist_parse(arg, &l) < 0)
        return bad("-smp", arg, "out of memory");
    int rc = 0;
    for (unsigned i = 0; i < l.n && rc == 0; i++) {
        const char *k = l.v[i].key, *val = l.v[i].value;
        if (i == 0 && !val) {
            val = k;
            k = "cpus";
        }
        unsigned w = 0;
        while (w < NKEYS && strcmp(keys[w], k))
            w++;
        if (w == NKEYS || !val) {
            rc = bad("-smp", arg, "unknown property (supported: cpus=, sockets=, cores=, threads=, maxcpus=)");
            break;
        }
        char *end;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno || end == val || *end || v < 1 || v > 4096) {
            char why[80];
            snprintf(why, sizeof why, "%s must be a positive number", keys[w]);
            rc = bad("-smp", arg, why);
        }
        n[w] = v;
    }
    optlist_free(&l);
    if (rc)
        return rc;
    if (n[DIES] > 1 || n[CLUSTERS] > 1)
        return bad("-smp", arg, "dies and clusters are not supported by the virt board (as in QEMU)");
    long sockets = n[SOCKETS] ? n[SOCKETS] : 1, threads = n[THREADS] ? n[THREADS] : 1;
    long cores = n[CORES], cpus = n[CPUS], maxcpus = n[MAXCPUS];
    if (!cpus && !maxcpus)
        cpus = sockets * (cores ? cores : 1) * threads;
    if (!maxcpus)
        maxcpus = cpus;
    if (!cores)
        cores = maxcpus / (sockets * threads);
    if (!cpus)
        cpus = maxcpus;
    if (sockets * cores * threads != maxcpus)
        return bad("-smp", arg, "sockets * cores * threads must equal maxcpus (or cpus)");
    if (cpus > maxcpus)
        return bad("-smp", arg, "cpus must not exceed maxcpus");
    if (cpus > VIRT_MAX_HARTS)
        return bad("-smp", arg, "between 1 and 8 harts are supported");
    o->machine.smp = (unsigned)cpus;
    return 0;
}

int compat_finish(struct rivet_options *o)
{
    if (compat_net_finish(o) < 0)
        return -1;
    if (o->daemonize && o->nographic) {
        fprintf(stderr, "rivet: -daemonize: cannot be used with -nographic (a daemon has no terminal; use -serial file:F or pty)\n");
        return -1;
    }
    if (!o->serial_set) {
        /* QEMU's default serial: the terminal (muxed: Ctrl-C goes to the
         * guest) with -nographic; nothing with -nodefaults or -daemonize
         * (QEMU's would be a window). */
        bool none = o->nodefaults || o->daemonize;
        o->serial = none ? NULL : "mon:stdio";
    } else if (o->daemonize && o->serial && (!strcmp(o->serial, "stdio") || !strcmp(o->serial, "mon:stdio"))) {
        fprintf(stderr, "rivet: -serial %s: cannot be used with -daemonize (a daemon has no terminal)\n", o->serial);
        return -1;
    }
    for (unsigned i = 0; o->daemonize && i < o->nchardevs; i++)
        if (!strncmp(o->chardevs[i], "stdio", 5) && (!o->chardevs[i][5] || o->chardevs[i][5] == ',')) {
            fprintf(stderr, "rivet: -chardev %s: cannot be used with -daemonize (a daemon has no terminal)\n",
                    o->chardevs[i]);
            return -1;
        }
    return 0;
}

int compat_daemonize(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) {
        fprintf(stderr, "rivet: -daemonize: pipe: %s\n", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "rivet: -daemonize: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid > 0) {
        close(p[1]);
        char c;
        ssize_t r;
        do
            r = read(p[0], &c, 1);
        while (r < 0 && errno == EINTR);
        if (r == 1)
            _exit(0);
        /* the child stopped before it was ready: its status is ours */
        int st;
        if (waitpid(pid, &st, 0) == pid && WIFEXITED(st))
            _exit(WEXITSTATUS(st));
        _exit(1);
    }
    close(p[0]);
    setsid();
    return p[1];
}

void compat_daemon_ready(int fd)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        fflush(NULL);
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    char c = 0;
    if (write(fd, &c, 1) < 0) {
        /* the parent is gone: nothing to tell */
    }
    close(fd);
}

static char *pidfile_path;
static pid_t pidfile_pid;

static void remove_pidfile(void)
{
    if (pidfile_path && getpid() == pidfile_pid)
        unlink(pidfile_path);
}

/* SIGTERM, SIGINT, SIGHUP (what ends a QEMU from outside): the file goes,
 * the terminal is put back (term.c does not take a signal that already
 * has a handler), then the signal's default action. Async-signal-safe. */
static void pidfile_on_signal(int sig)
{
    remove_pidfile();
    term_restore_now();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void pidfile_catch_signals(void)
{
    static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(sigs[i], NULL, &old) < 0 || (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue; /* an ignored signal stays ignored (nohup) */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = pidfile_on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(sigs[i], &sa, NULL);
    }
}

int compat_write_pidfile(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "rivet: -pidfile %s: %s\n", path, strerror(errno));
        return -1;
    }
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    bool ok = write(fd, buf, (size_t)len) == len;
    close(fd);
    if (!ok) {
        fprintf(stderr, "rivet: -pidfile %s: cannot write\n", path);
        unlink(path);
        return -1;
    }
    if (!pidfile_path) {
        pidfile_path = realpath(path, NULL);
        pidfile_pid = getpid();
        atexit(remove_pidfile);
        pidfile_catch_signals();
    }
    return 0;
}
