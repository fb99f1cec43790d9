/* tests/unit/test_9p.c: the 9P2000.L server (virtio/9p_server.c) on the
 * confined local backend (frontends/fs_local.c), driven with crafted
 * messages: a session (version, attach, walk, open, read, write, create,
 * readdir, getattr/setattr, xattrs), names that try to leave the share
 * ("..", "/", NUL, "."), symbolic links that point out (followed never:
 * open, walk through, create through, hard link of), a folder swapped for
 * a link while a fid holds it, Tremove after the file was replaced, the
 * security models, a read-only share, and hostile messages (unknown fids,
 * fid reuse, deep walks, huge counts, sizes that lie, tiny reply room).
 * Every test checks on the host that a canary file beside the share and a
 * folder outside it are untouched. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include "frontends/fs_local.h"
#include "virtio/9p.h"
#include "fixture.h"

#define NOFID 0xffffffffu
#define ROOM (1u << 20)

enum { Rlerror = 7, Tstatfs = 8, Trename = 20, Tmknod = 18, Tlopen = 12, Tlcreate = 14, Tsymlink = 16, Treadlink = 22, Tgetattr = 24,
       Tsetattr = 26, Txattrwalk = 30, Txattrcreate = 32, Treaddir = 40, Tlink = 70, Tmkdir = 72,
       Trenameat = 74, Tunlinkat = 76, Tversion = 100, Tattach = 104, Twalk = 110, Tread = 116, Twrite = 118,
       Tclunk = 120, Tremove = 122 };

struct fx {
    char base[64], share[96], canary[96], out[96];
    struct fs_local *fs;
    struct p9_server *s;
    uint8_t req[70000];
    uint8_t *rep;
    size_t rlen;
    size_t room;
};

static void sh(const char *fmt, ...)
{
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("%s: exit %d", cmd, rc);
}

static void open_share(struct fx *f, enum fs_model m, bool ro)
{
    char err[256];
    if (f->s)
        p9_server_free(f->s);
    if (f->fs)
        fs_local_close(f->fs);
    f->fs = fs_local_open(f->share, m, ro, err, sizeof err);
    assert_non_null(f->fs);
    f->s = p9_server_new(fs_local_backend(f->fs));
    assert_non_null(f->s);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    snprintf(f->base, sizeof f->base, "/var/tmp/rivet-9p-XXXXXX");
    assert_non_null(mkdtemp(f->base));
    snprintf(f->share, sizeof f->share, "%s/share", f->base);
    snprintf(f->canary, sizeof f->canary, "%s/canary.txt", f->base);
    snprintf(f->out, sizeof f->out, "%s/out", f->base);
    sh("cd %s && mkdir share out && echo canary > canary.txt && echo hello > share/f && mkdir share/d && "
       "ln -s ../canary.txt share/esc && ln -s %s share/abs && ln -s %s share/escdir && "
       "ln -s %s/out/created share/dang", f->base, f->canary, f->out, f->base);
    f->rep = malloc(ROOM);
    f->room = ROOM;
    open_share(f, FS_PASSTHROUGH, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    /* nothing outside the share changed */
    FILE *c = fopen(f->canary, "r");
    char buf[32] = "";
    assert_non_null(c);
    assert_non_null(fgets(buf, sizeof buf, c));
    fclose(c);
    assert_string_equal(buf, "canary\n");
    struct stat st;
    assert_int_equal(stat(f->canary, &st), 0);
    assert_int_equal(st.st_nlink, 1);
    assert_int_equal(st.st_mode & 07777, 0644);
    sh("test -z \"$(ls -A %s)\"", f->out);
    p9_server_free(f->s);
    fs_local_close(f->fs);
    sh("rm -rf %s", f->base);
    free(f->rep);
    free(f);
    return 0;
}

/* ---- a tiny client ---- */

/* Sends a message built from fmt: 1 2 4 8 (integers), s (string), b
 * (length, bytes). Returns the reply's type; rlen is its length. */
static int call(struct fx *f, uint8_t type, const char *fmt, ...)
{
    size_t n = 7;
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        uint64_t v = 0;
        const char *s = NULL;
        size_t len = 0;
        switch (*p) {
        case '1': case '2': case '4': case '8': {
            unsigned w = (unsigned)(*p - '0');
            v = w == 8 ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            for (unsigned i = 0; i < w; i++)
                f->req[n++] = (uint8_t)(v >> (8 * i));
            break;
        }
        case 's':
            s = va_arg(ap, const char *);
            len = strlen(s);
            f->req[n++] = (uint8_t)len, f->req[n++] = (uint8_t)(len >> 8);
            memcpy(f->req + n, s, len);
            n += len;
            break;
        case 'b':
            len = va_arg(ap, size_t);
            s = va_arg(ap, const char *);
            memcpy(f->req + n, s, len);
            n += len;
            break;
        }
    }
    va_end(ap);
    f->req[0] = (uint8_t)n, f->req[1] = (uint8_t)(n >> 8), f->req[2] = (uint8_t)(n >> 16), f->req[3] = 0;
    f->req[4] = type;
    f->req[5] = 0x34, f->req[6] = 0x12;
    f->rlen = p9_server_handle(f->s, f->req, n, f->rep, f->room);
    assert_true(f->rlen >= 7);
    assert_int_equal(f->rep[5] | f->rep[6] << 8, 0x1234);
    return f->rep[4];
}

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* The errno of an Rlerror, or 0 for any other reply. */
static int err_of(struct fx *f)
{
    return f->rep[4] == Rlerror ? (int)le32(f->rep + 7) : 0;
}

#define OK(f, call_) do { int t_ = (call_); if (t_ == Rlerror) fail_msg("Rlerror %d at line %d", err_of(f), __LINE__); } while (0)
#define ERR(f, e, call_) do { (void)(call_); assert_int_equal(err_of(f), (e)); } while (0)

static void session(struct fx *f)
{
    OK(f, call(f, Tversion, "4s", 512000u, "9P2000.L"));
    assert_int_equal(le32(f->rep + 7), 512000);
    OK(f, call(f, Tattach, "44ss4", 0u, NOFID, "root", "", 0u));
}

static void walk1(struct fx *f, uint32_t fid, uint32_t nfid, const char *name)
{
    OK(f, call(f, Twalk, "442s", fid, nfid, 1u, name));
}

/* ---- tests ---- */

static void test_session(void **state)
{
    struct fx *f = *state;
    OK(f, call(f, Tversion, "4s", 100000000u, "9P2000.L"));
    assert_int_equal(le32(f->rep + 7), P9_MAX_MSIZE);
    OK(f, call(f, Tversion, "4s", 8192u, "9P2000.u"));
    assert_memory_equal(f->rep + 13, "unknown", 7);
    session(f);
    walk1(f, 0, 1, "f");
    OK(f, call(f, Tlopen, "44", 1u, 2u));
    OK(f, call(f, Tread, "484", 1u, (uint64_t)0, 100u));
    assert_int_equal(le32(f->rep + 7), 6);
    assert_memory_equal(f->rep + 11, "hello\n", 6);
    OK(f, call(f, Twrite, "484b", 1u, (uint64_t)6, 3u, (size_t)3, "abc"));
    assert_int_equal(le32(f->rep + 7), 3);
    OK(f, call(f, Tgetattr, "48", 1u, (uint64_t)0x3fff));
    assert_int_equal(le64(f->rep + 7 + 8 + 13 + 12 + 16), 9); /* valid qid mode uid gid nlink rdev size */
    OK(f, call(f, Tclunk, "4", 1u));
    sh("test \"$(tail -c 3 %s/f)\" = abc", f->share);
    /* create, then list the root: 10 names are there */
    OK(f, call(f, Twalk, "442", 0u, 2u, 0u));
    OK(f, call(f, Tlcreate, "4s444", 2u, "new", 2u, 0640u, 0u));
    OK(f, call(f, Twrite, "484b", 2u, (uint64_t)0, 2u, (size_t)2, "hi"));
    OK(f, call(f, Tclunk, "4", 2u));
    sh("test \"$(cat %s/new)\" = hi && test \"$(stat -c %%a %s/new)\" = 640", f->share, f->share);
    OK(f, call(f, Twalk, "442", 0u, 3u, 0u));
    OK(f, call(f, Tlopen, "44", 3u, 0u));
    OK(f, call(f, Treaddir, "484", 3u, (uint64_t)0, 8192u));
    int names = 0;
    for (size_t p = 11; p < 11 + le32(f->rep + 7);) {
        unsigned l = f->rep[p + 22] | f->rep[p + 23] << 8;
        p += 24 + l;
        names++;
    }
    assert_int_equal(names, 9); /* . .. f d esc abs escdir dang new */
    OK(f, call(f, Tstatfs, "4", 3u));
    OK(f, call(f, Tmkdir, "4s44", 0u, "sub", 0750u, 0u));
    sh("test \"$(stat -c %%a %s/sub)\" = 750", f->share);
    OK(f, call(f, Trenameat, "4s4s", 0u, "sub", 0u, "sub2"));
    OK(f, call(f, Tunlinkat, "4s4", 0u, "sub2", 0x200u));
    sh("test ! -e %s/sub2", f->share);
    OK(f, call(f, Tsymlink, "4ss4", 0u, "ln", "f", 0u));
    walk1(f, 0, 4, "ln");
    OK(f, call(f, Treadlink, "4", 4u));
    assert_memory_equal(f->rep + 7, "\1\0f", 3);
    walk1(f, 0, 5, "f");
    OK(f, call(f, Tlink, "44s", 0u, 5u, "f2"));
    sh("test \"$(stat -c %%h %s/f)\" = 2", f->share);
    OK(f, call(f, Tsetattr, "4444488888", 5u, 0x9u, 0600u, 0u, 0u, (uint64_t)2, (uint64_t)0, (uint64_t)0,
               (uint64_t)0, (uint64_t)0));
    sh("test \"$(cat %s/f)\" = he && test \"$(stat -c %%a %s/f)\" = 600", f->share, f->share);
    OK(f, call(f, Tremove, "4", 5u));
    sh("test ! -e %s/f && test -e %s/f2", f->share, f->share);
    ERR(f, EBADF, call(f, Tclunk, "4", 5u)); /* Tremove clunked it */
}

static void test_names(void **state)
{
    struct fx *f = *state;
    session(f);
    static const char *const bad[] = { "a/b", "/etc", "", ".", "../canary.txt", "d/../.." };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ERR(f, EINVAL, call(f, Twalk, "442s", 0u, 1u, 1u, bad[i]));
        ERR(f, EINVAL, call(f, Tlcreate, "4s444", 0u, bad[i], 2u, 0644u, 0u));
        ERR(f, EINVAL, call(f, Tmkdir, "4s44", 0u, bad[i], 0755u, 0u));
        ERR(f, EINVAL, call(f, Tsymlink, "4ss4", 0u, bad[i], "x", 0u));
        ERR(f, EINVAL, call(f, Tunlinkat, "4s4", 0u, bad[i], 0u));
        ERR(f, EINVAL, call(f, Trenameat, "4s4s", 0u, "f", 0u, bad[i]));
    }
    ERR(f, EINVAL, call(f, Tlcreate, "4s444", 0u, "..", 2u, 0644u, 0u));
    ERR(f, EINVAL, call(f, Twalk, "442b", 0u, 1u, 1u, (size_t)5, "\3\0a\0b"));
    /* ".." at the root is the root, however often */
    OK(f, call(f, Twalk, "442ssss", 0u, 1u, 4u, "..", "..", "..", "d"));
    assert_int_equal(f->rep[7], 4);
    OK(f, call(f, Twalk, "442sss", 1u, 2u, 3u, "..", "..", ".."));
    OK(f, call(f, Tlcreate, "4s444", 2u, "top", 2u, 0644u, 0u));
    sh("test -f %s/top", f->share);
}

static void test_symlinks_out(void **state)
{
    struct fx *f = *state;
    session(f);
    static const char *const links[] = { "esc", "abs", "escdir", "dang" };
    for (unsigned i = 0; i < 4; i++) {
        walk1(f, 0, 1, links[i]);
        assert_int_equal(f->rep[9], 0x02); /* qid type: a link, never its target */
        ERR(f, ELOOP, call(f, Tlopen, "44", 1u, 0u));
        ERR(f, ELOOP, call(f, Tlopen, "44", 1u, 2u));
        ERR(f, ENOTDIR, call(f, Twalk, "442s", 1u, 2u, 1u, "x"));
        ERR(f, EINVAL, call(f, Tsetattr, "4444488888", 1u, 0x8u, 0u, 0u, 0u, (uint64_t)0, (uint64_t)0,
                            (uint64_t)0, (uint64_t)0, (uint64_t)0));
        ERR(f, ENODATA, call(f, Txattrwalk, "44s", 1u, 2u, "user.x"));
        OK(f, call(f, Txattrcreate, "4s84", 1u, "user.x", (uint64_t)1, 0u));
        OK(f, call(f, Twrite, "484b", 1u, (uint64_t)0, 1u, (size_t)1, "v"));
        ERR(f, EPERM, call(f, Tclunk, "4", 1u));
        /* creating over the link name neither follows nor replaces it */
        OK(f, call(f, Twalk, "442", 0u, 3u, 0u));
        assert_int_equal(call(f, Tlcreate, "4s444", 3u, links[i], 2u, 0644u, 0u), Rlerror);
        OK(f, call(f, Tclunk, "4", 3u));
        ERR(f, EEXIST, call(f, Tmkdir, "4s44", 0u, links[i], 0755u, 0u));
    }
    /* the walk of two names through escdir stops at the link */
    OK(f, call(f, Twalk, "442ss", 0u, 4u, 2u, "escdir", "x"));
    assert_int_equal(f->rep[7], 1);
    /* a hard link of a link is the link (as root) or refused, never the target */
    walk1(f, 0, 5, "abs");
    (void)call(f, Tlink, "44s", 0u, 5u, "hl");
    struct stat st;
    char p[160];
    snprintf(p, sizeof p, "%s/hl", f->share);
    if (lstat(p, &st) == 0)
        assert_true(S_ISLNK(st.st_mode));
    /* the guest may make links that point anywhere and read them back */
    OK(f, call(f, Tsymlink, "4ss4", 0u, "mine", "/etc/shadow", 0u));
    walk1(f, 0, 6, "mine");
    OK(f, call(f, Treadlink, "4", 6u));
    assert_memory_equal(f->rep + 9, "/etc/shadow", 11);
}

static void test_swap_race(void **state)
{
    struct fx *f = *state;
    session(f);
    walk1(f, 0, 1, "d");
    /* the host swaps the folder for a link out while the fid holds it */
    sh("cd %s && mv d d.real && ln -s %s d", f->share, f->out);
    OK(f, call(f, Tlcreate, "4s444", 1u, "x", 2u, 0644u, 0u));
    sh("test -f %s/d.real/x", f->share);
    /* a new walk sees the link and stops there */
    OK(f, call(f, Twalk, "442ss", 0u, 2u, 2u, "d", "x"));
    assert_int_equal(f->rep[7], 1);
    /* ".." from the held folder comes back inside */
    walk1(f, 0, 3, "d.real");
    OK(f, call(f, Twalk, "442s", 3u, 4u, 1u, ".."));
    OK(f, call(f, Tlcreate, "4s444", 4u, "y", 2u, 0644u, 0u));
    sh("test -f %s/y", f->share);
}

static void test_remove_checks_identity(void **state)
{
    struct fx *f = *state;
    session(f);
    walk1(f, 0, 1, "f");
    sh("cd %s && mv f g && echo other > f", f->share);
    ERR(f, ENOENT, call(f, Tremove, "4", 1u));
    sh("test -f %s/f && test -f %s/g", f->share, f->share);
    walk1(f, 0, 2, "g");
    sh("cd %s && mv g d/g", f->share);
    ERR(f, ENOENT, call(f, Trename, "44s", 2u, 0u, "h")); /* the hint is stale */
}

static void test_hostile(void **state)
{
    struct fx *f = *state;
    session(f);
    ERR(f, EBADF, call(f, Tlopen, "44", 77u, 0u));
    ERR(f, EBADF, call(f, Tread, "484", 77u, (uint64_t)0, 10u));
    ERR(f, EEXIST, call(f, Tattach, "44ss4", 0u, NOFID, "", "", 0u));
    walk1(f, 0, 1, "d");
    ERR(f, EEXIST, call(f, Twalk, "442", 0u, 1u, 0u));
    ERR(f, EINVAL, call(f, Twalk, "442", 0u, NOFID, 0u));
    /* 17 names: too deep */
    ERR(f, E2BIG, call(f, Twalk, "442sssssssssssssssss", 0u, 2u, 17u, "d", "d", "d", "d", "d", "d", "d", "d", "d",
                       "d", "d", "d", "d", "d", "d", "d", "d"));
    /* a huge count is cut to the room */
    walk1(f, 0, 3, "f");
    OK(f, call(f, Tlopen, "44", 3u, 0u));
    f->room = 4096;
    OK(f, call(f, Tread, "484", 3u, (uint64_t)0, 0xffffffffu));
    assert_int_equal(le32(f->rep + 7), 6);
    ERR(f, EINVAL, call(f, Tread, "484", 3u, (uint64_t)-1, 0xffffffffu));
    /* write count beyond the message */
    ERR(f, EINVAL, call(f, Twrite, "484b", 3u, (uint64_t)0, 1000u, (size_t)3, "abc"));
    /* opened twice, readdir on a file, read on a directory fid */
    ERR(f, EBADF, call(f, Tlopen, "44", 3u, 0u));
    ERR(f, EBADF, call(f, Treaddir, "484", 1u, (uint64_t)0, 100u));
    ERR(f, EOPNOTSUPP, call(f, 200, ""));
    ERR(f, EOPNOTSUPP, call(f, 112, "44", 3u, 0u)); /* 9P2000 Topen */
    /* size fields that lie, messages cut short */
    uint8_t m[16] = { 200, 0, 0, 0, Tclunk, 1, 0, 3, 0, 0, 0 };
    size_t r = p9_server_handle(f->s, m, 11, f->rep, f->room);
    assert_int_equal(r, 11);
    assert_int_equal(le32(f->rep + 7), EINVAL);
    m[0] = 3;
    assert_int_equal(p9_server_handle(f->s, m, 11, f->rep, f->room), 11);
    assert_int_equal(le32(f->rep + 7), EINVAL);
    m[0] = 9; /* Tclunk with 2 of 4 fid bytes */
    assert_int_equal(p9_server_handle(f->s, m, 11, f->rep, f->room), 11);
    assert_int_equal(le32(f->rep + 7), EINVAL);
    assert_int_equal(p9_server_handle(f->s, m, 6, f->rep, f->room), 0);
    /* no room for the answer: an Rlerror, and nothing at all below 11 bytes */
    f->room = 11;
    ERR(f, EMSGSIZE, call(f, Tgetattr, "48", 0u, (uint64_t)0x3fff));
    assert_int_equal(p9_server_handle(f->s, f->req, 19, f->rep, 10), 0);
    f->room = ROOM;
    /* a message larger than msize */
    OK(f, call(f, Tversion, "4s", 4096u, "9P2000.L"));
    OK(f, call(f, Tattach, "44ss4", 0u, NOFID, "", "", 0u));
    walk1(f, 0, 1, "f");
    OK(f, call(f, Tlopen, "44", 1u, 2u));
    static char big[5000];
    ERR(f, EMSGSIZE, call(f, Twrite, "484b", 1u, (uint64_t)0, 5000u, (size_t)5000, big));
    assert_int_equal(p9_server_fids(f->s), 2);
}

static void test_readonly(void **state)
{
    struct fx *f = *state;
    open_share(f, FS_PASSTHROUGH, true);
    session(f);
    walk1(f, 0, 1, "f");
    ERR(f, EROFS, call(f, Tlopen, "44", 1u, 2u));
    ERR(f, EROFS, call(f, Tlopen, "44", 1u, 01000u)); /* O_TRUNC */
    ERR(f, EROFS, call(f, Tlcreate, "4s444", 0u, "n", 2u, 0644u, 0u));
    ERR(f, EROFS, call(f, Tmkdir, "4s44", 0u, "n", 0755u, 0u));
    ERR(f, EROFS, call(f, Tsymlink, "4ss4", 0u, "n", "x", 0u));
    ERR(f, EROFS, call(f, Tunlinkat, "4s4", 0u, "f", 0u));
    ERR(f, EROFS, call(f, Trenameat, "4s4s", 0u, "f", 0u, "g"));
    ERR(f, EROFS, call(f, Tlink, "44s", 0u, 1u, "g"));
    ERR(f, EROFS, call(f, Tsetattr, "4444488888", 1u, 0x1u, 0777u, 0u, 0u, (uint64_t)0, (uint64_t)0, (uint64_t)0,
                       (uint64_t)0, (uint64_t)0));
    ERR(f, EROFS, call(f, Txattrcreate, "4s84", 1u, "user.x", (uint64_t)1, 0u));
    ERR(f, EROFS, call(f, Tremove, "4", 1u));
    walk1(f, 0, 1, "f");
    OK(f, call(f, Tlopen, "44", 1u, 0u));
    OK(f, call(f, Tread, "484", 1u, (uint64_t)0, 100u));
    assert_int_equal(le32(f->rep + 7), 6);
    ERR(f, EROFS, call(f, Twrite, "484b", 1u, (uint64_t)0, 1u, (size_t)1, "x"));
    sh("test \"$(cat %s/f)\" = hello && test \"$(ls %s | wc -l)\" = 6", f->share, f->share);
}

static void xattr_set(struct fx *f, uint32_t fid, const char *name, const char *v)
{
    OK(f, call(f, Twalk, "442", fid, 50u, 0u));
    OK(f, call(f, Txattrcreate, "4s84", 50u, name, (uint64_t)strlen(v), 0u));
    if (*v)
        OK(f, call(f, Twrite, "484b", 50u, (uint64_t)0, (unsigned)strlen(v), strlen(v), v));
    OK(f, call(f, Tclunk, "4", 50u));
}

static void test_xattrs(void **state)
{
    struct fx *f = *state;
    session(f);
    walk1(f, 0, 1, "f");
    xattr_set(f, 1, "user.color", "blue");
    char p[160], v[16] = "";
    snprintf(p, sizeof p, "%s/f", f->share);
    assert_int_equal(getxattr(p, "user.color", v, sizeof v), 4);
    assert_memory_equal(v, "blue", 4);
    OK(f, call(f, Txattrwalk, "44s", 1u, 2u, "user.color"));
    assert_int_equal(le64(f->rep + 7), 4);
    OK(f, call(f, Tread, "484", 2u, (uint64_t)0, 100u));
    assert_memory_equal(f->rep + 11, "blue", 4);
    OK(f, call(f, Txattrwalk, "44s", 1u, 3u, ""));
    assert_int_equal(le64(f->rep + 7), sizeof "user.color");
    xattr_set(f, 1, "user.color", "");
    assert_int_equal(getxattr(p, "user.color", v, sizeof v), -1);
    ERR(f, EOPNOTSUPP, call(f, Txattrwalk, "44s", 1u, 4u, "trusted.x"));
    /* a short write of the value fails at clunk and sets nothing */
    OK(f, call(f, Txattrcreate, "4s84", 1u, "user.half", (uint64_t)4, 0u));
    OK(f, call(f, Twrite, "484b", 1u, (uint64_t)0, 2u, (size_t)2, "ab"));
    ERR(f, EINVAL, call(f, Tclunk, "4", 1u));
    assert_int_equal(getxattr(p, "user.half", v, sizeof v), -1);
}

static void test_mapped_xattr(void **state)
{
    struct fx *f = *state;
    open_share(f, FS_MAPPED_XATTR, false);
    OK(f, call(f, Tversion, "4s", 8192u, "9P2000.L"));
    OK(f, call(f, Tattach, "44ss4", 0u, NOFID, "", "", 1000u));
    OK(f, call(f, Twalk, "442", 0u, 1u, 0u));
    OK(f, call(f, Tlcreate, "4s444", 1u, "m", 2u, 04755u, 100u));
    sh("test \"$(stat -c %%a %s/m)\" = 600", f->share); /* host: private, no setuid */
    walk1(f, 0, 2, "m");
    OK(f, call(f, Tgetattr, "48", 2u, (uint64_t)0x3fff));
    assert_int_equal(le32(f->rep + 7 + 8 + 13), 0104755);
    assert_int_equal(le32(f->rep + 7 + 8 + 13 + 4), 1000);
    assert_int_equal(le32(f->rep + 7 + 8 + 13 + 8), 100);
    OK(f, call(f, Tsetattr, "4444488888", 2u, 0x7u, 0640u, 7u, 8u, (uint64_t)0, (uint64_t)0, (uint64_t)0,
               (uint64_t)0, (uint64_t)0));
    OK(f, call(f, Tgetattr, "48", 2u, (uint64_t)0x3fff));
    assert_int_equal(le32(f->rep + 7 + 8 + 13), 0100640);
    assert_int_equal(le32(f->rep + 7 + 8 + 13 + 4), 7);
    sh("test \"$(stat -c %%a:%%u %s/m)\" = 600:0", f->share);
    /* the mapping's own attributes are neither listed nor writable */
    OK(f, call(f, Txattrwalk, "44s", 2u, 3u, ""));
    assert_int_equal(le64(f->rep + 7), 0);
    ERR(f, ENODATA, call(f, Txattrwalk, "44s", 2u, 4u, "user.virtfs.uid"));
    OK(f, call(f, Txattrcreate, "4s84", 2u, "user.virtfs.uid", (uint64_t)4, 0u));
    OK(f, call(f, Twrite, "484b", 2u, (uint64_t)0, 4u, (size_t)4, "\0\0\0\0"));
    ERR(f, EACCES, call(f, Tclunk, "4", 2u));
    /* a device node is a plain file on the host */
    OK(f, call(f, Tmknod, "4s4444", 0u, "dev", 020644u, 1u, 3u, 0u));
    sh("test -f %s/dev && test \"$(stat -c %%s %s/dev)\" = 0", f->share, f->share);
}

/* A guest holding fid after fid gets EMFILE while rivet keeps 256
 * descriptors of its own; clunking gives them back. */
static void test_fid_limit(void **state)
{
    struct fx *f = *state;
    struct rlimit old, low = { 600, 600 };
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    open_share(f, FS_NONE, false);
    session(f);
    unsigned got = 0;
    for (unsigned i = 1; i <= 400; i++)
        if (call(f, Twalk, "442", 0u, i, 0u) != Rlerror)
            got++;
        else
            assert_int_equal(err_of(f), EMFILE);
    assert_int_equal(got, (600 - 256) / 2 - 1); /* the root fid holds one node */
    for (unsigned i = 1; i <= got; i++)
        OK(f, call(f, Tclunk, "4", i));
    walk1(f, 0, 1, "f");
    OK(f, call(f, Tlopen, "44", 1u, 0u));
    p9_server_free(f->s);
    f->s = NULL;
    open_share(f, FS_NONE, false);
    setrlimit(RLIMIT_NOFILE, &old); /* may stay lowered without CAP_SYS_RESOURCE: this test runs last */
}

/* ---- the virtio device: chains in, replies out, snapshots ---- */

static void dev_state(void *d, struct state *st) { virtio_dev_state(d, st); }

/* One request through the ring: the message in one readable descriptor,
 * the reply room split like Linux's zero-copy reads (an 11-byte header
 * buffer, then the rest). Returns the bytes the device wrote. */
static uint32_t ring_call(struct fx_virtio *v, struct virtio_dev *d, struct fx *f, size_t len, size_t room)
{
    struct tdrv *t = &v->q[0];
    static uint16_t n;
    uint64_t a = td_alloc(t, len), b = td_alloc(t, 11), c = td_alloc(t, room - 11);
    memcpy(td_ptr(t, a), f->req, len);
    unsigned h = (3u * n) % t->num;
    td_desc(t, h, a, (uint32_t)len, VIRTQ_DESC_F_NEXT, (uint16_t)(h + 1));
    td_desc(t, h + 1, b, 11, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, (uint16_t)(h + 2));
    td_desc(t, h + 2, c, (uint32_t)(room - 11), VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, (uint16_t)h);
    virtio_notify(d, 0);
    assert_int_equal(td_used_idx(t), (uint16_t)(n + 1));
    uint32_t w = td_used_len(t, n);
    n++;
    memcpy(f->rep, td_ptr(t, b), 11);
    if (w > 11)
        memcpy(f->rep + 11, td_ptr(t, c), w - 11);
    return w;
}

/* Builds a message like call() without sending it; its length. */
static size_t build(struct fx *f, uint8_t type, const char *fmt, uint32_t a, uint32_t b)
{
    size_t n = 7;
    for (const char *p = fmt; *p; p++) {
        uint32_t v = p == fmt ? a : b;
        for (int i = 0; i < 4; i++)
            f->req[n++] = (uint8_t)(v >> (8 * i));
    }
    f->req[0] = (uint8_t)n, f->req[1] = 0, f->req[2] = 0, f->req[3] = 0;
    f->req[4] = type, f->req[5] = 1, f->req[6] = 0;
    return n;
}

static void test_device(void **state)
{
    struct fx *f = *state;
    struct fx_virtio v;
    fx_virtio_init(&v, 1, 64);
    struct virtio_dev *d = virtio_9p_new(fx_bus(&v), fs_local_backend(f->fs), "host");
    assert_non_null(d);
    assert_int_equal(d->device_id, 9);
    assert_int_equal(d->config[0], 4);
    assert_memory_equal(d->config + 2, "host", 4);
    fx_virtio_attach(&v, d);
    fx_virtio_up(&v, d);
    /* a device without fids saves and loads, a request in flight (published,
     * not notified) included: a fresh device finishes it */
    static const uint8_t ver[] = { 21, 0, 0, 0, 100, 0xff, 0xff, 0, 0, 8, 0, 8, 0, '9', 'P', '2', '0', '0', '0', '.', 'L' };
    struct tdrv *t = &v.q[0];
    uint64_t qa = td_alloc(t, sizeof ver), qb = td_alloc(t, 64);
    memcpy(td_ptr(t, qa), ver, sizeof ver);
    td_desc(t, 60, qa, sizeof ver, VIRTQ_DESC_F_NEXT, 61);
    td_desc(t, 61, qb, 64, VIRTQ_DESC_F_WRITE, 0);
    td_publish(t, 60);
    struct state snap = fx_save(dev_state, d);
    struct virtio_dev *d2 = virtio_9p_new(fx_bus(&v), fs_local_backend(f->fs), "host");
    fx_virtio_attach(&v, d2);
    fx_roundtrip(dev_state, dev_state, &snap, d2);
    state_free(&snap);
    virtio_notify(d2, 0);
    assert_int_equal(td_used_idx(t), 1);
    assert_int_equal(td_used_id(t, 0), 60);
    assert_int_equal(td_used_len(t, 0), 21);
    assert_int_equal(td_ptr(t, qb)[4], 101);          /* Rversion */
    virtio_dev_free(d2);
    /* the original goes on from there (its ring is the same guest memory) */
    t->avail_idx = 0;
    td_st16(t, t->avail + 2, 0);
    td_st16(t, t->used + 2, 0);
    memcpy(f->req, ver, sizeof ver);
    assert_int_equal(ring_call(&v, d, f, sizeof ver, 4096), 21);
    assert_int_equal(f->rep[4], 101);
    static const uint8_t att[] = { 23, 0, 0, 0, 104, 1, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0 };
    memcpy(f->req, att, sizeof att);
    assert_int_equal(ring_call(&v, d, f, sizeof att, 4096), 20);
    assert_int_equal(f->rep[4], 105);
    /* a read lands across the header buffer and the pages after it */
    size_t n = build(f, Twalk, "44", 0, 1);
    f->req[n++] = 1, f->req[n++] = 0, f->req[n++] = 1, f->req[n++] = 0, f->req[n++] = 'f';
    f->req[0] = (uint8_t)n;
    ring_call(&v, d, f, n, 4096);
    assert_int_equal(f->rep[4], Twalk + 1);
    ring_call(&v, d, f, build(f, Tlopen, "44", 1, 0), 4096);
    assert_int_equal(f->rep[4], Tlopen + 1);
    n = build(f, Tread, "4", 1, 0);
    memset(f->req + n, 0, 8), n += 8;
    f->req[n++] = 100, f->req[n++] = 0, f->req[n++] = 0, f->req[n++] = 0;
    f->req[0] = (uint8_t)n;
    assert_int_equal(ring_call(&v, d, f, n, 4096), 17);
    assert_memory_equal(f->rep + 11, "hello\n", 6);
    /* open fids: a save for a snapshot file (savevm) refuses them at once,
     * saying why */
    struct state out;
    state_init_save(&out);
    out.to_file = true;
    virtio_dev_state(d, &out);
    assert_false(state_ok(&out, false));
    assert_non_null(strstr(out.why, "unmount the share first"));
    state_free(&out);
    /* open fids are host state: a snapshot of them does not load */
    snap = fx_save(dev_state, d);
    struct state in;
    state_init_load(&in, snap.buf, snap.len);
    virtio_dev_state(d, &in);
    assert_false(state_ok(&in, true));
    assert_non_null(strstr(in.why, "fids"));
    state_free(&snap);
    /* after a device reset (the guest let go of everything) it does */
    virtio_reset(d);
    snap = fx_save(dev_state, d);
    state_init_load(&in, snap.buf, snap.len);
    virtio_dev_state(d, &in);
    assert_true(state_ok(&in, true));
    state_free(&snap);
    virtio_dev_free(d);
    fx_virtio_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlinks_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove_checks_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xattrs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapped_xattr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fid_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
