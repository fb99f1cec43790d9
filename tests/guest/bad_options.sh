# Mistakes the user can make: each is one line on stderr naming the problem,
# and exit status 1.
. tests/guest/lib.sh
check() {
    desc=$1; shift
    timeout 20 "$RIVET" "$@" < /dev/null > "$TMP/stdout" 2> "$TMP/stderr"
    rc=$?
    lines=$(wc -l < "$TMP/stderr")
    echo "$desc: exit $rc: $(cat "$TMP/stderr")"
    [ $rc -eq 1 ] || die "$desc: exit status $rc, expected 1"
    [ "$lines" -eq 1 ] || die "$desc: $lines lines on stderr, expected 1"
    grep -q '^rivet: ' "$TMP/stderr" || die "$desc: message does not start with 'rivet: '"
}
check "missing kernel" -M virt -nographic -kernel /nonexistent/Image
check "-m 0" -M virt -m 0 -nographic -kernel "$KERNEL"
check "-m 1T" -M virt -m 1T -nographic -kernel "$KERNEL"
check "-smp 99" -M virt -smp 99 -nographic -kernel "$KERNEL"
check "unknown option" -M virt -frobnicate -kernel "$KERNEL"
check "unknown machine" -M pc -kernel "$KERNEL"
check "missing argument" -M virt -kernel
check "missing initrd" -M virt -nographic -kernel "$KERNEL" -initrd /nonexistent/initrd
check "missing bios" -M virt -nographic -bios /nonexistent/fw.bin -kernel "$KERNEL"
head -c 100000 "$KERNEL" > "$TMP/truncated-Image"
check "truncated Image" -M virt -nographic -kernel "$TMP/truncated-Image"
grep -q 'truncated-Image' "$TMP/stderr" || die "the truncated Image error does not name the file"
echo "all bad options rejected"
