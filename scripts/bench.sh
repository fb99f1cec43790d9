#!/bin/sh
# Benchmarks rivet against qemu-system-riscv64 (when it is installed).
#
#   sh scripts/bench.sh [SECTION...]      (run by `make bench`, tree root)
#
# Sections (default: all):
#   cpu   build/roms/bench.elf, the bare-metal CPU benchmark: its checksum
#         lines must match QEMU's; reports wall time, the ratio and MIPS.
#   boot  Linux boot of the test guest (OpenSBI + Image + initramfs) to the
#         init marker and to poweroff, -smp 1 and -smp 4 (scripts/bench-boot.sh).
#   blk   sequential read of /dev/vda in the guest (scripts/bench-blk.sh),
#         over virtio-mmio (row blk) and virtio-pci (row blk-pci).
#   qcow2 sequential write and read of 64 MiB in the guest, qcow2 against
#         raw on rivet (scripts/bench-qcow2.sh; target: within 30%)
#   9p    a 64 MiB file read in the guest from a shared host folder
#         (-virtfs ... security_model=none; scripts/bench-9p.sh).
#   net   guest<-host TCP over user networking: wget of 64 MiB from a
#         server on 127.0.0.1 to /dev/null (scripts/bench-net.sh).
#   snapshot  savevm and loadvm of a 512 MiB guest at its shell prompt
#         (scripts/bench-snapshot.sh; targets: each under 1 s, file under 32 MiB);
#         rows savevm and loadvm (no QEMU column: QEMU keeps snapshots in qcow2).
#   realtime  batch mode against realtime mode (-icount shift=auto, what a
#         terminal, a network or a window get), side by side: the CPU
#         benchmark and the -smp 1 boot, runs alternated so that both see
#         the same host load (rows cpu-rt, boot-rt: realtime's time; the
#         qemu column holds batch mode's time for these rows).
#   reverse  gdb's reverse-stepi and reverse-continue over 1.2e8
#         instructions on tests/gdb/rev.c (scripts/bench-reverse.sh; targets:
#         under 1 s and 10 s); rows rev-stepi and rev-cont (no QEMU column).
#   aia   virtio-pci blk (256 MiB O_DIRECT read) and net (64 MiB over TCP
#         from the host) on Debian 13's kernel, with MSI-X (aia=aplic-imsic)
#         against INTx (aia=none), timed on the host (scripts/aia-linux.py
#         --bench; rows msix-blk, msix-net: the qemu column holds INTx's
#         time). Needs the image of `make debian` ($RIVET_DEBIAN_DIR,
#         build/debian or ../debian); skipped, saying so, without it.
# A new benchmark is one more section_NAME
# function that calls run_best and add_row, and its name in SECTIONS.
#
# Environment: RIVET (default build/rivet), QEMU (qemu-system-riscv64),
# BENCH_RUNS (3: the best wall time counts), BENCH_TIMEOUT (seconds per
# run, 600).  Exits 1 on a failed run or a checksum mismatch.
set -eu

SECTIONS="cpu boot realtime blk qcow2 9p net snapshot reverse aia"
RIVET=${RIVET:-build/rivet}
QEMU=${QEMU:-qemu-system-riscv64}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-600}
BENCH_ELF=build/roms/bench.elf

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
rows="$tmp/rows"
: >"$rows"

die() {
    echo "bench: $*" >&2
    exit 1
}

now() {
    date +%s.%N
}

have_qemu() {
    command -v "$QEMU" >/dev/null 2>&1
}

# run_best TAG CMD...: runs CMD RUNS times (stdin closed, under timeout).
# Leaves the last run's stdout/stderr in $tmp/TAG.out / $tmp/TAG.err and
# the best wall time in seconds in $tmp/TAG.time; returns the first
# non-zero exit status (after printing the run's stderr tail), else 0.
run_best() {
    tag=$1
    shift
    best=
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        i=$((i + 1))
        t0=$(now)
        rc=0
        timeout "$TIMEOUT" "$@" </dev/null >"$tmp/$tag.out" 2>"$tmp/$tag.err" || rc=$?
        t1=$(now)
        if [ "$rc" -ne 0 ]; then
            if [ "$rc" -eq 124 ]; then
                echo "bench: $tag: timed out after ${TIMEOUT}s: $*" >&2
            else
                echo "bench: $tag: exit status $rc: $*" >&2
            fi
            tail -n 5 "$tmp/$tag.err" | sed 's/^/    /' >&2
            return "$rc"
        fi
        # the stats line of the fastest run is the one to keep
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
            best=$t
            cp "$tmp/$tag.err" "$tmp/$tag.best.err"
        fi
    done
    echo "$best" >"$tmp/$tag.time"
    return 0
}

# the value of KEY=... in rivet's "rivet: stats: ..." line, or empty
rivet_stat() {
    sed -n 's/^rivet: stats: //p' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# add_row NAME RIVET_SECONDS QEMU_SECONDS_OR_- MIPS_OR_-
add_row() {
    echo "$1 $2 $3 $4" >>"$rows"
}

print_table() {
    echo
    awk 'BEGIN { printf "%-10s %10s %10s %12s %11s\n", "benchmark", "rivet s", "qemu s", "rivet/qemu", "rivet MIPS" }
         {
             ratio = ($3 == "-" || $3 + 0 == 0) ? "-" : sprintf("%.2f", $2 / $3)
             printf "%-10s %10s %10s %12s %11s\n", $1, $2, $3, ratio, $4
         }' "$rows"
    if grep -q -- '-rt ' "$rows"; then
        echo "(rows *-rt: the rivet column is realtime mode, the qemu column batch mode)"
    fi
    if grep -q -- '^msix-' "$rows"; then
        echo "(rows msix-*: the rivet column is MSI-X (aia=aplic-imsic), the qemu column INTx (aia=none), both rivet)"
    fi
}

# checksum lines of a run, without the serial console's carriage returns
checksums() {
    tr -d '\r' <"$1" | grep 'checksum=' || true
}

section_cpu() {
    [ -f "$BENCH_ELF" ] || die "$BENCH_ELF not found (run: make $BENCH_ELF)"
    echo "== cpu: $BENCH_ELF, best of $RUNS"

    if ! run_best rivet "$RIVET" -M virt -m 512M -bios none -nographic -stats \
            -kernel "$BENCH_ELF"; then
        die "rivet failed on $BENCH_ELF"
    fi
    checksums "$tmp/rivet.out" >"$tmp/rivet.sums"
    [ -s "$tmp/rivet.sums" ] || die "rivet printed no checksum lines"
    tr -d '\r' <"$tmp/rivet.out" | grep -q '^bench: done' ||
        die "rivet's output lacks 'bench: done'"
    sed 's/^/rivet: /' "$tmp/rivet.sums"
    rivet_s=$(cat "$tmp/rivet.time")
    mips=$(rivet_stat "$tmp/rivet.best.err" mips)
    if [ -z "$mips" ]; then
        echo "bench: rivet printed no 'rivet: stats:' line (-stats)" >&2
        mips=-
    fi

    qemu_s=-
    if have_qemu; then
        if ! run_best qemu "$QEMU" -M virt -m 512M -bios none -nographic \
                -kernel "$BENCH_ELF"; then
            die "qemu failed on $BENCH_ELF"
        fi
        checksums "$tmp/qemu.out" >"$tmp/qemu.sums"
        if ! cmp -s "$tmp/rivet.sums" "$tmp/qemu.sums"; then
            echo "MISMATCH: rivet and qemu printed different checksums:"
            diff "$tmp/rivet.sums" "$tmp/qemu.sums" | sed 's/^/    /' || true
            exit 1
        fi
        echo "qemu:  checksums match"
        qemu_s=$(cat "$tmp/qemu.time")
    else
        echo "qemu:  $QEMU not found: rivet's numbers only"
    fi
    add_row cpu "$rivet_s" "$qemu_s" "$mips"
}

# section_boot: scripts/bench-boot.sh prints its own lines; the table gets
# the time to poweroff (ms converted to s).
section_boot() {
    for smp in 1 4; do
        echo "== boot: -smp $smp, best of $RUNS"
        SMP=$smp RUNS=$RUNS sh scripts/bench-boot.sh | tee "$tmp/boot$smp.txt"
        r=$(sed -n 's/.*rivet  to marker [0-9]* ms, to poweroff \([0-9]*\) ms/\1/p' "$tmp/boot$smp.txt")
        q=$(sed -n 's/.*qemu   to marker [0-9]* ms, to poweroff \([0-9]*\) ms/\1/p' "$tmp/boot$smp.txt")
        [ -n "$r" ] || die "boot benchmark failed"
        r=$(awk -v v="$r" 'BEGIN { printf "%.3f", v / 1000 }')
        if [ -n "$q" ]; then q=$(awk -v v="$q" 'BEGIN { printf "%.3f", v / 1000 }'); else q=-; fi
        add_row "boot-smp$smp" "$r" "$q" -
    done
}

# section_realtime: batch vs realtime, alternating one run of each RUNS
# times; the best of each counts.
section_realtime() {
    [ -f "$BENCH_ELF" ] || die "$BENCH_ELF not found (run: make $BENCH_ELF)"
    echo "== realtime: batch vs -icount shift=auto, best of $RUNS, alternated"
    RUNS_SAVED=$RUNS
    RUNS=1
    : >"$tmp/rt-cpu-b"; : >"$tmp/rt-cpu-r"; : >"$tmp/rt-boot-b"; : >"$tmp/rt-boot-r"
    rt_i=0   # not i: run_best's own counter is a global too
    while [ "$rt_i" -lt "$RUNS_SAVED" ]; do
        rt_i=$((rt_i + 1))
        for mode in b r; do
            extra=
            [ $mode = r ] && extra="-icount shift=auto"
            # shellcheck disable=SC2086
            run_best rt "$RIVET" -M virt -m 512M -bios none -nographic -stats $extra \
                -kernel "$BENCH_ELF" || die "rivet failed on $BENCH_ELF ($extra)"
            checksums "$tmp/rt.out" >"$tmp/rt.sums.$mode"
            [ -s "$tmp/rt.sums.$mode" ] || die "no checksum lines ($extra)"
            cat "$tmp/rt.time" >>"$tmp/rt-cpu-$mode"
            RIVET_EXTRA=$extra NO_QEMU=1 RUNS=1 sh scripts/bench-boot.sh >"$tmp/rt-boot.txt" ||
                die "boot benchmark failed ($extra)"
            sed -n 's/.*rivet  to marker [0-9]* ms, to poweroff \([0-9]*\) ms/\1/p' "$tmp/rt-boot.txt" |
                awk '{ printf "%.3f\n", $1 / 1000 }' >>"$tmp/rt-boot-$mode"
        done
        cmp -s "$tmp/rt.sums.b" "$tmp/rt.sums.r" || die "realtime mode printed other checksums"
    done
    RUNS=$RUNS_SAVED
    for what in cpu boot; do
        b=$(sort -n "$tmp/rt-$what-b" | head -n 1)
        r=$(sort -n "$tmp/rt-$what-r" | head -n 1)
        echo "realtime: $what all runs: batch $(tr '\n' ' ' <"$tmp/rt-$what-b")| realtime $(tr '\n' ' ' <"$tmp/rt-$what-r")"
        awk -v w="$what" -v b="$b" -v r="$r" 'BEGIN {
            printf "realtime: %-4s batch %7.3f s   realtime %7.3f s   realtime/batch %.2f\n", w, b, r, r / b }'
        add_row "$what-rt" "$r" "$b" -
    done
}

# section_blk: scripts/bench-blk.sh prints MB/s; the table gets seconds.
section_blk() {
    echo "== blk: 64 MiB sequential read in the guest, best of $RUNS"
    RUNS=$RUNS sh scripts/bench-blk.sh | tee "$tmp/blk.txt"
    r=$(sed -n 's/.*: rivet  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/blk.txt" | head -n 1)
    q=$(sed -n 's/.*: qemu  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/blk.txt" | head -n 1)
    [ -n "$r" ] || die "blk benchmark failed"
    add_row blk "$r" "${q:--}" -
    r=$(sed -n 's/^blk-pci .*: rivet  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/blk.txt")
    q=$(sed -n 's/^blk-pci .*: qemu  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/blk.txt")
    [ -n "$r" ] || die "blk-pci benchmark failed"
    add_row blk-pci "$r" "${q:--}" -
}

# section_qcow2: qcow2 against raw on rivet; its lines, no table row
# (the table compares with QEMU).
section_qcow2() {
    echo "== qcow2: 64 MiB sequential write and read in the guest, qcow2 vs raw, best of $RUNS"
    RUNS=$RUNS sh scripts/bench-qcow2.sh || die "qcow2 benchmark failed"
}

# section_9p: scripts/bench-9p.sh prints MB/s; the table gets seconds.
section_9p() {
    echo "== 9p: 64 MiB file read from a shared folder in the guest, best of $RUNS"
    RUNS=$RUNS sh scripts/bench-9p.sh | tee "$tmp/9p.txt"
    r=$(sed -n 's/.*: rivet  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/9p.txt" | head -n 1)
    q=$(sed -n 's/.*: qemu  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/9p.txt" | head -n 1)
    [ -n "$r" ] || die "9p benchmark failed"
    add_row 9p "$r" "${q:--}" -
}

# section_net: scripts/bench-net.sh prints MB/s; the table gets seconds.
section_net() {
    echo "== net: 64 MiB wget over user networking, best of $RUNS"
    RUNS=$RUNS sh scripts/bench-net.sh | tee "$tmp/net.txt"
    r=$(sed -n 's/.*: rivet  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/net.txt" | head -n 1)
    q=$(sed -n 's/.*: qemu  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/net.txt" | head -n 1)
    [ -n "$r" ] || die "net benchmark failed"
    add_row net "$r" "${q:--}" -
}

# section_snapshot: scripts/bench-snapshot.sh prints its own lines; the
# table gets the best savevm and loadvm times.
section_snapshot() {
    echo "== snapshot: savevm/loadvm of a 512 MiB guest at its prompt, best of $RUNS"
    RUNS=$RUNS sh scripts/bench-snapshot.sh | tee "$tmp/snap.txt"
    line=$(grep '^snapshot: savevm [0-9.]* s' "$tmp/snap.txt") || die "snapshot benchmark failed"
    add_row savevm "$(echo "$line" | sed 's/^snapshot: savevm \([0-9.]*\) s.*/\1/')" - -
    add_row loadvm "$(echo "$line" | sed 's/.*loadvm \([0-9.]*\) s.*/\1/')" - -
}

# section_reverse: scripts/bench-reverse.sh (see the header).
section_reverse() {
    echo "== reverse: reverse-stepi and reverse-continue over 1.2e8 instructions"
    RIVET=$RIVET sh scripts/bench-reverse.sh | tee "$tmp/rev.txt" || die "reverse benchmark failed"
    line=$(grep '^reverse: stepi' "$tmp/rev.txt") || die "reverse benchmark failed"
    add_row rev-stepi "$(echo "$line" | sed 's/^reverse: stepi \([0-9.]*\) s.*/\1/')" - -
    add_row rev-cont "$(echo "$line" | sed 's/.*continue \([0-9.]*\) s.*/\1/')" - -
}

# section_aia: MSI-X against INTx on the Debian kernel (see the header).
section_aia() {
    d=
    for c in "${RIVET_DEBIAN_DIR:-}" build/debian ../debian; do
        if [ -n "$c" ] && [ -f "$c/vmlinux" ] && [ -f "$c/rootfs.img" ]; then d=$c; break; fi
    done
    if [ -z "$d" ]; then
        echo "== aia: SKIPPED: no Debian image (make debian, or RIVET_DEBIAN_DIR)"
        return 0
    fi
    echo "== aia: virtio-pci with MSI-X (aia=aplic-imsic) against INTx (aia=none), Debian's kernel, best of $RUNS"
    for a in aplic-imsic none; do
        BENCH_RUNS=$RUNS python3 scripts/aia-linux.py --bench $a "$d" "$RIVET" | tee "$tmp/aia-$a.txt" ||
            die "aia benchmark ($a) failed"
    done
    secs_of() { sed -n "s/.* host seconds blk \(.*\) net \(.*\))/\\$2/p" "$1" | tr ' ' '\n' | sort -n | head -n 1; }
    add_row msix-blk "$(secs_of "$tmp/aia-aplic-imsic.txt" 1)" "$(secs_of "$tmp/aia-none.txt" 1)" -
    add_row msix-net "$(secs_of "$tmp/aia-aplic-imsic.txt" 2)" "$(secs_of "$tmp/aia-none.txt" 2)" -
}

[ -x "$RIVET" ] || die "$RIVET not found or not executable (run: make)"
[ $# -gt 0 ] || set -- $SECTIONS
for section in "$@"; do
    case " $SECTIONS " in
    *" $section "*) "section_$section" ;;
    *) die "unknown section '$section' (have: $SECTIONS)" ;;
    esac
done
print_table
