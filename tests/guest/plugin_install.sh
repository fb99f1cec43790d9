# `make install` installs rivet like a library for plug-in authors
# (docs/plugins.md): bin/rivet, include/rivet/rivet-device.h and
# lib/pkgconfig/rivet-device.pc, under PREFIX and DESTDIR; a plug-in then
# builds out of tree with exactly
#     cc -shared -fPIC $(pkg-config --cflags rivet-device) -o x.so x.c
# and the installed rivet loads it. The public header includes nothing of
# rivet's own and compiles alone as C11 (and as C99 with -pedantic).
. tests/guest/lib.sh
command -v pkg-config > /dev/null || die "pkg-config not installed (scripts/install-deps.sh)"
P=$TMP/prefix
make --no-print-directory -s B="$B" install PREFIX="$P" > "$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; die "make install failed"; }
for f in bin/rivet include/rivet/rivet-device.h lib/pkgconfig/rivet-device.pc; do
    [ -f "$P/$f" ] || die "make install did not install $f"
done
[ -x "$P/bin/rivet" ] || die "bin/rivet is not executable"
if grep -n '#include "' "$P/include/rivet/rivet-device.h"; then die "the public header includes a private one"; fi
grep '#include <' "$P/include/rivet/rivet-device.h"
flags=$(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags rivet-device) || die "pkg-config does not find rivet-device"
flags=$(echo $flags)
echo "pkg-config --cflags rivet-device: $flags"
[ "$flags" = "-I$P/include/rivet" ] || die "unexpected cflags: $flags"
# the plug-in, built the way the issue and docs say, outside the tree
mkdir "$TMP/src"
cp tests/plugins/example-rng.c "$TMP/src/x.c"
(cd "$TMP/src" && cc -shared -fPIC $(PKG_CONFIG_PATH=$P/lib/pkgconfig pkg-config --cflags rivet-device) -o x.so x.c) \
    || die "the example plug-in does not build against the installed header"
"$P/bin/rivet" -plugin "$TMP/src/x.so" -device help > "$TMP/help" || die "installed rivet cannot load it"
grep -q '^  example-rng-pci ' "$TMP/help" || die "installed rivet does not list the plug-in's device"
# the header alone, strictly
printf '#include <rivet-device.h>\nint main(void) { return RIVET_DEVICE_ABI_VERSION - 1; }\n' > "$TMP/h.c"
cc -std=c11 -Wall -Wextra -Werror -pedantic $flags -o "$TMP/h" "$TMP/h.c" || die "the header does not compile alone (C11)"
cc -std=c99 -Wall -Wextra -Werror -pedantic $flags -o "$TMP/h" "$TMP/h.c" || die "the header does not compile alone (C99)"
# DESTDIR stages under another root; the .pc names the final PREFIX
make --no-print-directory -s B="$B" install DESTDIR="$TMP/stage" PREFIX=/opt/rivet > "$TMP/make.log" 2>&1 \
    || { cat "$TMP/make.log"; die "make install DESTDIR= failed"; }
[ -f "$TMP/stage/opt/rivet/bin/rivet" ] && [ -f "$TMP/stage/opt/rivet/include/rivet/rivet-device.h" ] \
    || die "DESTDIR install misplaced files"
grep -qx 'prefix=/opt/rivet' "$TMP/stage/opt/rivet/lib/pkgconfig/rivet-device.pc" || die "the .pc's prefix is not PREFIX"
echo "installed under PREFIX and DESTDIR; the example built out of tree loads into the installed rivet"
