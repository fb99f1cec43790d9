/* frontends/fs_local.h: -fsdev local, a host folder shared with the guest
 * through virtio-9p, confined to that folder (docs/9p.md).
 *
 * Every file the guest holds is an O_PATH descriptor, never a path string
 * that is resolved again; every name the guest sends is one component,
 * opened relative to its directory's descriptor with openat2(RESOLVE_BENEATH
 * | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) and O_NOFOLLOW, or used by
 * an *at() call that does not follow it. Symbolic links are created and
 * read but never followed on the host. */
#ifndef RIVET_FS_LOCAL_H
#define RIVET_FS_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "virtio/9p.h"

enum fs_model {
    FS_PASSTHROUGH,   /* files owned as the guest says, where the host permits chown */
    FS_MAPPED_XATTR,  /* guest owner, group, mode and device numbers in user.virtfs.* xattrs */
    FS_NONE,          /* like passthrough, ownership changes ignored */
};

struct fs_local;
/* NULL with a reason in err (missing folder, not a folder, no /proc). */
struct fs_local *fs_local_open(const char *path, enum fs_model, bool readonly, char *err, size_t errlen);
const struct virtio_9p_backend *fs_local_backend(struct fs_local *);
void fs_local_close(struct fs_local *);

#endif
