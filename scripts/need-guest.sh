#!/bin/sh
# `make run` and `make test`: make sure a test guest exists. Uses the one
# scripts/guest-dir.sh finds ($RIVET_GUEST_DIR, $B/guest, ../shared/guest);
# without one, builds $B/guest (`make guest`) once, with progress lines.
set -eu
B=${B:-build}
. scripts/guest-dir.sh
[ -z "$GUEST" ] || exit 0
echo "guest: no test guest yet: building $B/guest from Debian packages (once; about 7 minutes on 2 cores)"
exec sh roms/guest/build.sh "$B/guest"
