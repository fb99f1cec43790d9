# Record/replay of the Zkr seed CSR (issue #14, point 2): tests/isa/zkr.S
# built with -DZKR_ON reads host entropy through the seed CSR in M, S and U
# mode. Two recordings (RTC pinned) end with different state hashes (the
# entropy is in the machine state, so this test can fail), and the replay
# of each, which reads the host's entropy nowhere, ends with the
# recording's hash and console.
. tests/guest/lib.sh
RISCV_CC=$(sed -n 's/^RISCV_CC = //p' config.mk 2>/dev/null)
[ -n "$RISCV_CC" ] && command -v "$RISCV_CC" > /dev/null || { echo "no RISC-V cross compiler (configure's RISCV_CC)"; exit 77; }
"$RISCV_CC" -march=rv64gc -mabi=lp64d -mcmodel=medany -static -nostdlib -nostartfiles -ffreestanding \
    -DZKR_ON -Itests/isa -T tests/isa/link.ld -o "$TMP/zkr.elf" tests/isa/zkr.S || die "cannot build zkr.S"
run() {
    timeout 30 "$RIVET" -M virt -m 64M -bios none -nographic -cpu rv64,zkr=on -rtc base=2020-01-01 \
        -kernel "$TMP/zkr.elf" "$@" < /dev/null
}
for n in 1 2; do
    run -record "$TMP/$n.log" > "$TMP/rec$n" 2>&1 || { cat "$TMP/rec$n"; die "recording $n failed"; }
    run -replay "$TMP/$n.log" > "$TMP/rep$n" 2>&1 || { cat "$TMP/rep$n"; die "replay $n failed"; }
    grep 'state hash' "$TMP/rec$n"
    cmp "$TMP/rec$n" "$TMP/rep$n" || { cat "$TMP/rep$n"; die "replay $n differs from its recording"; }
done
[ "$(grep 'state hash' "$TMP/rec1")" != "$(grep 'state hash' "$TMP/rec2")" ] ||
    die "two recordings with different entropy end in the same state"
echo "rr entropy: the seed CSR's entropy replays"
