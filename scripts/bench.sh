#!/bin/sh
# Benchmarks rivet against qemu-system-riscv64 (when it is installed).
#
#   sh scripts/bench.sh [SECTION...]      (run by `make bench`, tree root)
#
# Every time is host wall time (the guest's clock is virtual on rivet):
# the whole process, or the host's timestamps of marker lines on the
# console. rivet and QEMU runs alternate (rivet, qemu, rivet, qemu, ...),
# and each row holds the MEDIAN of BENCH_RUNS runs; rivet/qemu is the ratio
# of the medians (below 1: rivet is faster). docs/perf.md explains the rows.
#
# Sections (default: all):
#   cpu   build/roms/bench.elf, the bare-metal CPU benchmark: its checksum
#         lines must match QEMU's; row cpu (the whole run) and one row per
#         kernel (cpu/crc32 ... cpu/bsearch: host stamps of its
#         "bench: mark NAME" lines), MIPS of the whole run.
#   smc   build/roms/smcbench.elf: one kernel with its data apart, then on
#         its own code page (rows smc/apart, smc/near; target: near at most
#         2x apart on rivet).
#   user  CPU benchmarks as Linux user programs in the test guest
#         (build/roms/userbench/mix, a CoreMark-like mix, and heldout, other
#         code for the same target; scripts/bench-user.sh): rows user/mix,
#         user/heldout and one per part (user/mix/list ...).
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
#   rr    the Linux boot plain, with -record and with -replay of that log,
#         alternated (scripts/bench-rr.sh; rows record, replay: the qemu column
#         holds the plain run's time; targets: record <= 1.10 x plain,
#         replay <= record, log < 64 KiB).
#   aia   virtio-pci blk (256 MiB O_DIRECT read) and net (64 MiB over TCP
#         from the host) on Debian 13's kernel, with MSI-X (aia=aplic-imsic)
#         against INTx (aia=none), timed on the host (scripts/aia-linux.py
#         --bench; rows msix-blk, msix-net: the qemu column holds INTx's
#         time). Needs the image of `make debian` ($RIVET_DEBIAN_DIR,
#         build/debian or ../debian); skipped, saying so, without it.
# A new benchmark is one more section_NAME function that times its runs
# (run_pair for rivet/QEMU pairs, stamp_run, or run_best) and calls
# add_row, and its name in SECTIONS.
#
# Environment: RIVET (default build/rivet), QEMU (qemu-system-riscv64),
# BENCH_RUNS (5: the median counts), BENCH_TIMEOUT (seconds per run, 600).
# Exits 1 on a failed run or a checksum mismatch.
set -eu

SECTIONS="cpu smc user boot realtime blk qcow2 9p net snapshot reverse rr aia"
RIVET=${RIVET:-build/rivet}
QEMU=${QEMU:-qemu-system-riscv64}
RUNS=${BENCH_RUNS:-5}
TIMEOUT=${BENCH_TIMEOUT:-600}
BENCH_ELF=build/roms/bench.elf
SMCBENCH_ELF=build/roms/smcbench.elf

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

# stamp_run OUT CMD...: runs CMD once (stdin closed, under timeout) with
# its stdout in OUT, each marker line (one holding "checksum=", "bench: "
# or "BENCH-") prefixed with the host's nanoseconds when it arrived, other
# lines with "-"; stderr in OUT.err, "START_NS END_NS" of the process in
# OUT.t. Returns CMD's exit status (after printing its stderr tail).
stamp_run() {
    out=$1
    shift
    t0=$(date +%s%N)
    { rc=0; timeout "$TIMEOUT" "$@" </dev/null 2>"$out.err" || rc=$?; echo "$rc" >"$out.rc"; } |
        while IFS= read -r line; do
            case "$line" in
            *checksum=* | *"bench: "* | *BENCH-*) printf '%s %s\n' "$(date +%s%N)" "$line" ;;
            *) printf -- '- %s\n' "$line" ;;
            esac
        done | tr -d '\r' >"$out"
    t1=$(date +%s%N)
    echo "$t0 $t1" >"$out.t"
    rc=$(cat "$out.rc")
    if [ "$rc" -ne 0 ]; then
        if [ "$rc" -eq 124 ]; then
            echo "bench: timed out after ${TIMEOUT}s: $*" >&2
        else
            echo "bench: exit status $rc: $*" >&2
        fi
        tail -n 5 "$out.err" | sed 's/^/    /' >&2
    fi
    return "$rc"
}

# stamped_lines OUT: OUT's lines without their stamps
stamped_lines() {
    cut -d' ' -f2- "$1"
}

# segments OUT PREFIX MODE [SKIP]: "PREFIXNAME SECONDS" for every part that
# OUT's markers close: with MODE mark a line "bench: mark NAME", with MODE
# sum a line "NAME checksum=..." (NAME not SKIP); a part begins at the
# previous stamped line.
segments() {
    awk -v pre="$2" -v mode="$3" -v skip="${4:-}" '$1 == "-" { next }
        {
            name = ""
            if (mode == "mark" && $2 == "bench:" && $3 == "mark") name = $4
            else if (mode == "sum" && $3 ~ /^checksum=/ && $2 != skip) name = $2
            if (name != "" && prev != "") printf "%s%s %.4f\n", pre, name, ($1 - prev) / 1e9
            prev = $1
        }' "$1"
}

# median: the median of the numbers on stdin (one a line)
median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1
        if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# seg_medians FILE: "NAME MEDIAN" per NAME of FILE's "NAME SECONDS" lines,
# in the order of first appearance
seg_medians() {
    for n in $(awk '!seen[$1]++ { print $1 }' "$1"); do
        echo "$n $(awk -v n="$n" '$1 == n { print $2 }' "$1" | median)"
    done
}

# run_pair TAG COLLECT RIVET-ARGS -- QEMU-ARGS: BENCH_RUNS runs of rivet and
# of QEMU (when installed), alternating; after each run, COLLECT TAG EMU OUT
# is called (EMU rivet or qemu, OUT the stamp_run output) to record what the
# run measured. Dies on a failed run.
run_pair() {
    tag=$1 collect=$2
    shift 2
    rargs= qargs= side=r
    for a in "$@"; do
        if [ "$side" = r ] && [ "$a" = -- ]; then side=q; continue; fi
        a=$(printf '%s' "$a" | sed "s/'/'\\''/g")
        if [ "$side" = r ]; then rargs="$rargs '$a'"; else qargs="$qargs '$a'"; fi
    done
    pi=0
    while [ "$pi" -lt "$RUNS" ]; do
        pi=$((pi + 1))
        eval "stamp_run \"\$tmp/$tag.rivet.$pi\" \"\$RIVET\" $rargs" || die "rivet failed ($tag)"
        "$collect" "$tag" rivet "$tmp/$tag.rivet.$pi"
        if have_qemu; then
            eval "stamp_run \"\$tmp/$tag.qemu.$pi\" \"\$QEMU\" $qargs" || die "qemu failed ($tag)"
            "$collect" "$tag" qemu "$tmp/$tag.qemu.$pi"
        fi
    done
}

# secs_of OUT: the process's wall seconds (stamp_run's OUT.t)
secs_of() {
    awk '{ printf "%.4f\n", ($2 - $1) / 1e9 }' "$1.t"
}

# rows_of TAG: one table row per part name found in $tmp/TAG.seg.rivet
# (the qemu column from $tmp/TAG.seg.qemu, or -)
rows_of() {
    seg_medians "$tmp/$1.seg.rivet" >"$tmp/$1.med.rivet"
    : >"$tmp/$1.med.qemu"
    [ -s "$tmp/$1.seg.qemu" ] && seg_medians "$tmp/$1.seg.qemu" >"$tmp/$1.med.qemu"
    while read -r n r; do
        q=$(awk -v n="$n" '$1 == n { print $2 }' "$tmp/$1.med.qemu")
        add_row "$n" "$r" "${q:--}" -
    done <"$tmp/$1.med.rivet"
}

# bare_collect TAG EMU OUT: for cpu and smc: checksums (must match the
# first rivet run's), the whole time, the parts' times
bare_collect() {
    stamped_lines "$3" | grep 'checksum=' >"$3.sums" || true
    [ -s "$3.sums" ] || die "$2 printed no checksum lines ($1)"
    stamped_lines "$3" | grep -q '^bench: done' || die "$2's output lacks 'bench: done' ($1)"
    if [ ! -f "$tmp/$1.sums" ]; then
        cp "$3.sums" "$tmp/$1.sums"
        sed 's/^/rivet: /' "$3.sums"
    elif ! cmp -s "$tmp/$1.sums" "$3.sums"; then
        echo "MISMATCH: $2 printed other checksums than rivet's first run ($1):"
        diff "$tmp/$1.sums" "$3.sums" | sed 's/^/    /' || true
        exit 1
    fi
    secs_of "$3" >>"$tmp/$1.total.$2"
    segments "$3" "$1/" mark >>"$tmp/$1.seg.$2"
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
    echo "(host wall time; medians of $RUNS runs, rivet and qemu alternating; rivet/qemu below 1: rivet faster)"
    awk 'BEGIN { printf "%-20s %10s %10s %12s %11s\n", "benchmark", "rivet s", "qemu s", "rivet/qemu", "rivet MIPS" }
         {
             ratio = ($3 == "-" || $3 + 0 == 0) ? "-" : sprintf("%.2f", $2 / $3)
             printf "%-20s %10s %10s %12s %11s\n", $1, $2, $3, ratio, $4
         }' "$rows"
    if grep -q -- '-rt ' "$rows"; then
        echo "(rows *-rt: the rivet column is realtime mode, the qemu column batch mode)"
    fi
    if grep -q -- '^record \|^replay ' "$rows"; then
        echo "(rows record, replay: median user CPU seconds (scripts/bench-rr.sh); the qemu column holds a plain rivet run's)"
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
    echo "== cpu: $BENCH_ELF, median of $RUNS, rivet and qemu alternating"
    : >"$tmp/cpu.seg.rivet"; : >"$tmp/cpu.seg.qemu"; : >"$tmp/cpu.total.rivet"; : >"$tmp/cpu.total.qemu"
    run_pair cpu bare_collect -M virt -m 512M -bios none -nographic -stats -kernel "$BENCH_ELF" \
        -- -M virt -m 512M -bios none -nographic -kernel "$BENCH_ELF"
    have_qemu && echo "qemu:  checksums match" || echo "qemu:  $QEMU not found: rivet's numbers only"
    rivet_s=$(median <"$tmp/cpu.total.rivet")
    qemu_s=$(median <"$tmp/cpu.total.qemu" 2>/dev/null) || qemu_s=-
    insns=$(rivet_stat "$tmp/cpu.rivet.1.err" instructions)
    if [ -n "$insns" ]; then
        mips=$(awk -v i="$insns" -v t="$rivet_s" 'BEGIN { printf "%.1f", i / t / 1e6 }')
    else
        echo "bench: rivet printed no 'rivet: stats:' line (-stats)" >&2
        mips=-
    fi
    echo "rivet: all runs (s): $(tr '\n' ' ' <"$tmp/cpu.total.rivet")"
    have_qemu && echo "qemu:  all runs (s): $(tr '\n' ' ' <"$tmp/cpu.total.qemu")"
    add_row cpu "$rivet_s" "$qemu_s" "$mips"
    rows_of cpu
}

# section_smc: the same kernel with its data apart and on its code page
section_smc() {
    [ -f "$SMCBENCH_ELF" ] || die "$SMCBENCH_ELF not found (run: make $SMCBENCH_ELF)"
    echo "== smc: $SMCBENCH_ELF, data apart / on the code page, median of $RUNS, alternating"
    : >"$tmp/smc.seg.rivet"; : >"$tmp/smc.seg.qemu"; : >"$tmp/smc.total.rivet"; : >"$tmp/smc.total.qemu"
    run_pair smc bare_collect -M virt -m 512M -bios none -nographic -kernel "$SMCBENCH_ELF" \
        -- -M virt -m 512M -bios none -nographic -kernel "$SMCBENCH_ELF"
    rows_of smc
    for e in rivet qemu; do
        [ -s "$tmp/smc.med.$e" ] || continue
        awk -v e="$e" '$1 == "smc/apart" { a = $2 } $1 == "smc/near" { n = $2 }
            END { printf "smc: %s: data on the code page costs %.2fx data apart%s\n", e, n / a,
                  e == "rivet" ? " (target: at most 2x)" : "" }' "$tmp/smc.med.$e"
    done
}

# section_user: scripts/bench-user.sh boots the test guest (rivet and QEMU
# alternating) and prints "ROW RIVET_S QEMU_S" lines after its own.
section_user() {
    echo "== user: CPU benchmarks as Linux programs in the guest, median of $RUNS, alternating"
    RUNS=$RUNS RIVET=$RIVET QEMU=$QEMU sh scripts/bench-user.sh | tee "$tmp/user.txt"
    grep -q '^row user/mix ' "$tmp/user.txt" || die "user benchmark failed"
    sed -n 's/^row //p' "$tmp/user.txt" | while read -r n r q; do add_row "$n" "$r" "$q" -; done
}

# section_boot: scripts/bench-boot.sh prints its own lines; the table gets
# the time to poweroff (ms converted to s).
section_boot() {
    for smp in 1 4; do
        echo "== boot: -smp $smp, median of $RUNS"
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
# times; the median of each counts.
section_realtime() {
    [ -f "$BENCH_ELF" ] || die "$BENCH_ELF not found (run: make $BENCH_ELF)"
    echo "== realtime: batch vs -icount shift=auto, median of $RUNS, alternated"
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
        b=$(median <"$tmp/rt-$what-b")
        r=$(median <"$tmp/rt-$what-r")
        echo "realtime: $what all runs: batch $(tr '\n' ' ' <"$tmp/rt-$what-b")| realtime $(tr '\n' ' ' <"$tmp/rt-$what-r")"
        awk -v w="$what" -v b="$b" -v r="$r" 'BEGIN {
            printf "realtime: %-4s batch %7.3f s   realtime %7.3f s   realtime/batch %.2f\n", w, b, r, r / b }'
        add_row "$what-rt" "$r" "$b" -
    done
}

# section_blk: scripts/bench-blk.sh prints MB/s; the table gets seconds.
section_blk() {
    echo "== blk: 64 MiB sequential read in the guest, median of $RUNS"
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
    echo "== qcow2: 64 MiB sequential write and read in the guest, qcow2 vs raw, median of $RUNS"
    RUNS=$RUNS sh scripts/bench-qcow2.sh || die "qcow2 benchmark failed"
}

# section_9p: scripts/bench-9p.sh prints MB/s; the table gets seconds.
section_9p() {
    echo "== 9p: 64 MiB file read from a shared folder in the guest, median of $RUNS"
    RUNS=$RUNS sh scripts/bench-9p.sh | tee "$tmp/9p.txt"
    r=$(sed -n 's/.*: rivet  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/9p.txt" | head -n 1)
    q=$(sed -n 's/.*: qemu  *[0-9.]* MB\/s (\([0-9.]*\) s).*/\1/p' "$tmp/9p.txt" | head -n 1)
    [ -n "$r" ] || die "9p benchmark failed"
    add_row 9p "$r" "${q:--}" -
}

# section_net: scripts/bench-net.sh prints MB/s; the table gets seconds.
section_net() {
    echo "== net: 64 MiB wget over user networking, median of $RUNS"
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

# section_rr: scripts/bench-rr.sh prints its own lines; rows record and
# replay (the qemu column holds the plain run's time, the same rivet).
section_rr() {
    echo "== rr: plain, -record and -replay of the Linux boot, median of $RUNS"
    RUNS=$RUNS sh scripts/bench-rr.sh | tee "$tmp/rr.txt"
    line=$(grep '^rr: plain [0-9.]* s' "$tmp/rr.txt") || die "record/replay benchmark failed"
    plain=$(echo "$line" | sed 's/^rr: plain \([0-9.]*\) s.*/\1/')
    add_row record "$(echo "$line" | sed 's/.*record \([0-9.]*\) s.*/\1/')" "$plain" -
    add_row replay "$(echo "$line" | sed 's/.*replay \([0-9.]*\) s.*/\1/')" "$plain" -
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
