# scripts/install-deps.sh's deb-src file: built from the system's Debian
# `deb` entries (one-line and deb822), never from its own file, disabled
# stanzas or other archives; the system's files are only read.
set -eu
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
die() { echo "FAIL: $*"; exit 1; }
mkdir -p "$TMP/apt/sources.list.d"
cat > "$TMP/apt/sources.list" <<'EOT'
# deb-src http://deb.debian.org/debian bookworm main
deb [arch=amd64] http://deb.debian.org/debian bookworm main contrib
deb https://example.com/other stable main
EOT
cat > "$TMP/apt/sources.list.d/debian.sources" <<'EOT'
Types: deb
# a comment
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-disabled
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
EOT
printf 'Types: deb-src\nURIs: http://old.example/debian\nSuites: x\nComponents: main\n' \
    > "$TMP/apt/sources.list.d/rivet-deb-src.sources"
cp -r "$TMP/apt" "$TMP/apt.orig"
RIVET_APT_DIR=$TMP/apt sh scripts/install-deps.sh --print-deb-src > "$TMP/out" || die "--print-deb-src failed"
cat "$TMP/out"
cat > "$TMP/want" <<'EOT'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main contrib

Types: deb-src
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

EOT
diff -u "$TMP/want" "$TMP/out" || die "unexpected deb-src entries"
diff -r "$TMP/apt.orig" "$TMP/apt" || die "the apt folder changed"
grep -q 'sed -i' scripts/install-deps.sh && die "install-deps.sh edits files in place"
rc=0; sh scripts/install-deps.sh --frob 2> "$TMP/err" || rc=$?
[ $rc -eq 1 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] || die "unknown option: exit $rc, $(cat "$TMP/err")"
echo "deb-src twins ok"
