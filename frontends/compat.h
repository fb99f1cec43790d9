/* frontends/compat.h: the QEMU options that scripts carry everywhere and
 * that mean little or nothing on a software emulator (-name, -accel tcg,
 * -vga none, -nodefaults, -enable-kvm's refusal, -cpu rv64), the process
 * options (-pidfile, -daemonize, -no-reboot), and -m / -smp with QEMU's
 * full syntax. options.c's table points at these handlers. */
#ifndef RIVET_COMPAT_H
#define RIVET_COMPAT_H

#include <stdbool.h>

struct rivet_options;

/* Handlers: 0, or -1 after one line on stderr. -cpu help exits 0. */
int compat_opt_name(struct rivet_options *, const char *arg);
int compat_opt_accel(struct rivet_options *, const char *arg);
int compat_opt_enable_kvm(struct rivet_options *, const char *arg);
int compat_opt_vga(struct rivet_options *, const char *arg);
int compat_opt_nodefaults(struct rivet_options *, const char *arg);
int compat_opt_pidfile(struct rivet_options *, const char *arg);
int compat_opt_daemonize(struct rivet_options *, const char *arg);
int compat_opt_no_reboot(struct rivet_options *, const char *arg);
int compat_opt_cpu(struct rivet_options *, const char *arg);
int compat_opt_m(struct rivet_options *, const char *arg);
int compat_opt_smp(struct rivet_options *, const char *arg);

/* -net nic|user|tap|none (compat_net.c); the cards are wired to their
 * vlan's backend by compat_finish; compat_net_free from options_free. */
int compat_opt_net(struct rivet_options *, const char *arg);
int compat_net_finish(struct rivet_options *);
void compat_net_free(struct rivet_options *);

/* -machine accel=NAME (opt names the option for messages). 0 or -1. */
int compat_check_accel(const char *opt, const char *arg, const char *name);

/* After every option is read: the default serial (-nographic,
 * -nodefaults, -daemonize) and the combinations QEMU refuses. 0 or -1. */
int compat_finish(struct rivet_options *);

/* -daemonize: forks. The parent waits until the child calls
 * compat_daemon_ready (then exits 0) or exits (then exits with its status):
 * compat_daemonize returns only in the child, after setsid, with the fd to
 * pass to compat_daemon_ready; -1 (after a message) when fork fails. */
int compat_daemonize(void);
/* The child is set up: stdin, stdout and stderr go to /dev/null and the
 * parent exits 0. */
void compat_daemon_ready(int fd);

/* -pidfile: writes this process's pid, removed again at exit. 0 or -1. */
int compat_write_pidfile(const char *path);

#endif
