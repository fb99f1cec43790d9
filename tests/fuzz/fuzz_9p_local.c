/* tests/fuzz/fuzz_9p_local.c: 9P2000.L messages into the server on the
 * real confined backend (frontends/fs_local.c), in a share rebuilt before
 * every input: a file, a folder, and links pointing out of the share
 * (relative, absolute, to a folder outside, dangling into it). Beside the
 * share lie a canary file and an outside folder whose times date from
 * 2000.
 *
 * The input: one byte of flags (bits 0-1: security model passthrough,
 * mapped-xattr, none; bit 2: read-only share; bits 3-5: reply room), then
 * messages as in fuzz_9p.c (u16 length, a flag byte, the bytes).
 *
 * Checked besides ASan/UBSan: after every input nothing outside the share
 * was created, renamed, removed, read or written (names, sizes, times,
 * link counts and modes of the canary, the outside folder and its file),
 * and the server let go of every descriptor it opened. Device nodes are
 * kept out (mknod of a character or block device is refused before the
 * backend sees it) so that a campaign running as root cannot make one that
 * a bug might open. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frontends/fs_local.h"
#include "fuzz_9p.h"

const unsigned fuzz_replay_inputs = 1000; /* each input rebuilds the share */

static char base[64], share[96], canary[96], outside[96], secret[128];  /* /var/tmp: user xattrs (a /tmp tmpfs may lack them) */
static struct stat canary_st, secret_st, outside_st;
static const struct virtio_9p_backend *real;

static void bug(const char *what)
{
    fprintf(stderr, "fuzz_9p_local: %s\n", what);
    abort();
}

static void must(int ok, const char *what)
{
    if (!ok) {
        perror(what);
        abort();
    }
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    if (ftw->level > 0)
        remove(p);
    return 0;
}

static void put(const char *name, const char *text)
{
    char p[160];
    snprintf(p, sizeof p, "%s/%s", share, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    must(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "write");
    close(fd);
}

static void link_to(const char *name, const char *target)
{
    char p[160];
    snprintf(p, sizeof p, "%s/%s", share, name);
    must(symlink(target, p) == 0, "symlink");
}

/* The share as every input starts with it. */
static void rebuild(void)
{
    nftw(share, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    must(chmod(share, 0755) == 0 && chown(share, getuid(), getgid()) == 0, "share root");
    put("f", "hello\n");
    char p[160];
    snprintf(p, sizeof p, "%s/d", share);
    must(mkdir(p, 0755) == 0, "mkdir");
    put("d/g", "inner\n");
    link_to("esc", "../canary.txt");
    link_to("abs", canary);
    link_to("escdir", outside);
    snprintf(p, sizeof p, "%s/new", outside);
    link_to("dang", p);
}

static void old_times(const char *p)
{
    struct timespec t[2] = { { 946684800, 0 }, { 946684800, 0 } };
    must(utimensat(AT_FDCWD, p, t, AT_SYMLINK_NOFOLLOW) == 0, "utimensat");
}

static void cleanup(void);

static void setup_once(void)
{
    if (*base)
        return;
    snprintf(base, sizeof base, "/var/tmp/rivet-fuzz9p-%d", (int)getpid());
    snprintf(share, sizeof share, "%s/share", base);
    snprintf(canary, sizeof canary, "%s/canary.txt", base);
    snprintf(outside, sizeof outside, "%s/outside", base);
    snprintf(secret, sizeof secret, "%s/secret", outside);
    must(mkdir(base, 0755) == 0 && mkdir(share, 0755) == 0 && mkdir(outside, 0755) == 0, "mkdir base");
    int fd = open(canary, O_WRONLY | O_CREAT, 0644);
    must(fd >= 0 && write(fd, "canary\n", 7) == 7, "canary");
    close(fd);
    fd = open(secret, O_WRONLY | O_CREAT, 0600);
    must(fd >= 0 && write(fd, "secret\n", 7) == 7, "secret");
    close(fd);
    old_times(canary);
    old_times(secret);
    old_times(outside);
    must(lstat(canary, &canary_st) == 0 && lstat(secret, &secret_st) == 0 && lstat(outside, &outside_st) == 0,
         "lstat");
    atexit(cleanup);
}

static void cleanup(void)
{
    nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    rmdir(base);
}

/* atime: not for the outside folder, which this harness lists itself */
static void same(const char *p, const struct stat *want, bool atime)
{
    struct stat st;
    if (lstat(p, &st) < 0)
        bug("a file outside the share is gone");
    if (st.st_ino != want->st_ino || st.st_size != want->st_size || st.st_nlink != want->st_nlink ||
        st.st_mode != want->st_mode || st.st_uid != want->st_uid || st.st_gid != want->st_gid ||
        st.st_mtim.tv_sec != want->st_mtim.tv_sec || (atime && st.st_atim.tv_sec != want->st_atim.tv_sec) ||
        st.st_ctim.tv_sec != want->st_ctim.tv_sec || st.st_ctim.tv_nsec != want->st_ctim.tv_nsec)
        bug("a file outside the share was read or changed");
}

static unsigned count_entries(const char *dir, const char *only)
{
    DIR *d = opendir(dir);
    if (!d)
        bug("cannot list a folder");
    unsigned n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            n++;
            if (only && !strstr(only, e->d_name))
                bug("a file appeared outside the share");
        }
    closedir(d);
    return n;
}

static void check_outside(void)
{
    same(canary, &canary_st, true);
    same(secret, &secret_st, true);
    same(outside, &outside_st, false);
    if (count_entries(base, "canary.txt outside share") != 3 || count_entries(outside, "secret") != 1)
        bug("the folders beside the share changed");
}

static int guarded_mknod(void *ctx, struct p9_node *dir, const char *name, uint32_t mode, uint32_t ma,
                         uint32_t mi, const struct p9_cred *c, struct p9_attr *a)
{
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return -EPERM;
    return real->mknod(ctx, dir, name, mode, ma, mi, c, a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    rebuild();
    struct fin in = { data, size };
    uint8_t flags = fin_u8(&in);
    static const enum fs_model models[4] = { FS_PASSTHROUGH, FS_MAPPED_XATTR, FS_NONE, FS_MAPPED_XATTR };
    char err[256];
    unsigned fds = count_entries("/proc/self/fd", NULL);
    struct fs_local *fs = fs_local_open(share, models[flags & 3], flags & 4, err, sizeof err);
    if (!fs)
        bug(err);
    real = fs_local_backend(fs);
    struct virtio_9p_backend be = *real;
    be.mknod = guarded_mknod;
    size_t room = rooms[(flags >> 3) & 7];
    struct p9_server *s = p9_server_new(&be);
    uint8_t *reply = malloc(room);
    if (!s || !reply)
        abort();
    while (in.n) {
        size_t len;
        uint8_t *msg = p9_next_msg(&in, &len);
        size_t r = p9_server_handle(s, msg, len, reply, room);
        if (r > room)
            bug("reply longer than its room");
        free(msg);
    }
    p9_server_free(s);
    fs_local_close(fs);
    free(reply);
    if (count_entries("/proc/self/fd", NULL) != fds)
        bug("descriptors leaked");
    check_outside();
    return 0;
}
