# -d / -D / -dfilter (bus/trace.h): what each item writes, on a bare-metal
# ISA program and on the Linux guest; tracing changes nothing the guest
# sees; a full disk stops the trace, not the guest; bad -d, -dfilter and -D
# are one-line errors.
. tests/guest/lib.sh
ELF=$B/tests/isa/rvc.elf
[ -f "$ELF" ] || die "$ELF missing (make test builds it)"
OBJDUMP=riscv64-linux-gnu-objdump
OBJCOPY=riscv64-linux-gnu-objcopy
command -v $OBJDUMP > /dev/null || die "$OBJDUMP missing (binutils-riscv64-linux-gnu)"
bare() { timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$ELF" "$@" < /dev/null; }

# -d help lists every item and exits 0.
"$RIVET" -d help > "$TMP/help" || die "-d help failed"
for item in in_asm exec cpu int mmu guest_errors unimp mmio virtio irq; do
    expect "$TMP/help" "^  $item "
done

# Bad input: one line, exit 1.
rejects "unknown item" "^rivet: -d in_asm,bogus: unknown item 'bogus'" -d in_asm,bogus
rejects "empty item" "^rivet: -d in_asm,: unknown item ''" -d in_asm,
rejects "no items" "^rivet: -d : no item" -d ""
rejects "dfilter without range" "^rivet: -dfilter 0x80000000: .* is not START..END or START\+SIZE" -dfilter 0x80000000
rejects "dfilter reversed" "is not START..END" -dfilter 0x2000..0x1000
rejects "dfilter junk" "is not START..END" -dfilter 0x1000+zz
rejects "dfilter empty size" "is not START..END" -dfilter 0x1000+0
rejects "dfilter second range" "'0x3000' is not" -dfilter 0x1000..0x2000,0x3000
rejects "unwritable -D" "^rivet: -D $TMP/no/such/dir/trace: No such file or directory" \
    -d int -D "$TMP/no/such/dir/trace" -M virt -bios none -nographic -kernel "$ELF"

# in_asm on a bare-metal program: each block in objdump's syntax. Every
# line is a line of objdump's own disassembly of the ELF (without symbols;
# the "# 0xADDR" comments are left out, as a block does not see the auipc
# of the block before it).
bare -d in_asm -D "$TMP/in_asm" > "$TMP/out" 2>&1 || { cat "$TMP/out"; die "rvc.elf failed under -d in_asm"; }
expect "$TMP/in_asm" '^IN: hart 0, M-mode$'
expect "$TMP/in_asm" "^    80000000:	a009                	j	0x80000002\$"
$OBJCOPY --strip-all --remove-section=.riscv.attributes "$ELF" "$TMP/s.elf"
$OBJDUMP -d "$TMP/s.elf" | sed 's/ # 0x[0-9a-f]*$//' > "$TMP/objdump"
grep '^    8' "$TMP/in_asm" | sed 's/ # 0x[0-9a-f]*$//' > "$TMP/ours"
n=$(wc -l < "$TMP/ours")
[ "$n" -gt 500 ] || die "only $n in_asm lines"
missing=$(grep -vxFf "$TMP/objdump" "$TMP/ours" | head -5)
[ -z "$missing" ] || { echo "$missing"; die "in_asm lines that objdump does not print"; }
echo "in_asm: $n lines, all as objdump prints them"

# exec and cpu with -dfilter: only blocks that start in the range; the
# program still passes and prints what it prints untraced.
bare > "$TMP/plain" 2>&1 || die "rvc.elf failed"
bare -d exec,cpu -dfilter 0x80000000+0x100,0x80000400..0x800004ff -D "$TMP/exec" > "$TMP/traced" 2>&1 ||
    die "rvc.elf failed under -d exec,cpu"
cmp "$TMP/plain" "$TMP/traced" || die "tracing changed the program's output"
expect "$TMP/exec" '^exec: hart 0 pc 0x80000000 icount [0-9]+ insns [0-9]+ M-mode$'
expect "$TMP/exec" '^cpu: hart 0 pc 0000000080000000 M-mode$'
expect "$TMP/exec" '^ zero 0000000000000000 ra   [0-9a-f]{16} sp   [0-9a-f]{16} gp   [0-9a-f]{16}$'
bad=$(sed -n 's/^exec: hart 0 pc 0x\([0-9a-f]*\) .*/\1/p' "$TMP/exec" | sort -u | while read -r pc; do
      v=$(printf '%d' "0x$pc")
      [ "$v" -ge $((0x80000000)) ] && [ "$v" -lt $((0x80000100)) ] && continue
      [ "$v" -ge $((0x80000400)) ] && [ "$v" -le $((0x800004ff)) ] && continue
      echo "$pc"; done | head -3)
[ -z "$bad" ] || die "exec lines outside the -dfilter ranges: $bad"
grep -q '^exec: hart 0 pc 0x800004' "$TMP/exec" || die "no exec line in the second range"

# mmu on the page-table test: translations and faults; guest_errors on the
# trap test: accesses to nothing mapped.
timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$B/tests/isa/mmu.elf" -d mmu -D "$TMP/mmu" \
    < /dev/null > "$TMP/out" 2>&1 || die "mmu.elf failed under -d mmu"
expect "$TMP/mmu" '^mmu: hart 0 sv39 r va 0x40000000 -> pa 0x[0-9a-f]+$'
expect "$TMP/mmu" '^mmu: hart 0 sv39 w va 0x[0-9a-f]+ fault 15 \(store page fault\) root 0x[0-9a-f]+$'
timeout 60 "$RIVET" -M virt -bios none -nographic -kernel "$B/tests/isa/trap.elf" -d guest_errors -D "$TMP/ge" \
    < /dev/null > "$TMP/out" 2>&1 || die "trap.elf failed under -d guest_errors"
expect "$TMP/ge" '^guest_errors: hart 0 load of 4 bytes at 0xc0000000 \(pa 0xc0000000\): nothing mapped there, access fault$'

# A full disk: one message, the trace stops, the program runs to its end.
bare -d in_asm,exec,int -D /dev/full > "$TMP/full" 2>&1 || { cat "$TMP/full"; die "rvc.elf failed with -D /dev/full"; }
[ "$(grep -c 'rivet: trace /dev/full: No space left on device; tracing stopped' "$TMP/full")" -eq 1 ] ||
    { cat "$TMP/full"; die "not exactly one message for the full disk"; }
expect "$TMP/full" '^PASS'

# Linux with a small virtio disk: int, mmio, irq, virtio, unimp. The
# console is byte for byte the one of an untraced boot.
truncate -s 1M "$TMP/disk.img"
linux() { o=$1; shift; boot_guest "$o" -rtc base=2020-01-01T00:00:00 -append "console=ttyS0 guest.poweroff=1" \
    -drive file="$TMP/disk.img",format=raw,if=none,id=d0 -device virtio-blk-device,drive=d0 "$@"; }
linux "$TMP/boot_plain" || die "boot failed"
linux "$TMP/boot_traced" -d int,mmio,irq,virtio,unimp,guest_errors -D "$TMP/trace" || die "traced boot failed"
cmp "$TMP/boot_plain" "$TMP/boot_traced" || { diff "$TMP/boot_plain" "$TMP/boot_traced" | head; die "tracing changed the guest's console"; }
expect "$TMP/boot_traced" 'reboot: Power down'
expect "$TMP/trace" '^int: hart 0 exception 9 \(ecall from S-mode\) epc 0xffffffff[0-9a-f]+ tval 0x0 S->M$'
expect "$TMP/trace" '^int: hart 0 interrupt 5 \(supervisor timer\) epc 0x[0-9a-f]+ tval 0x0 [US]->S$'
expect "$TMP/trace" '^mmio: write uart@0x10000000\+0x0 size 1 <- 0x[0-9a-f]+$'
expect "$TMP/trace" '^mmio: read  plic@0xc000000\+0x[0-9a-f]+ size 4 -> 0x[0-9a-f]+$'
expect "$TMP/trace" '^mmio: write virtio-mmio@0x10008000\+0x50 size 4 <- 0x0$'
expect "$TMP/trace" '^virtio: virtio-blk.* notify q0$'
expect "$TMP/trace" '^virtio: virtio-blk.* q0 pop head [0-9]+: [0-9]+ out \([0-9]+ bytes\), [0-9]+ in \([0-9]+ bytes\)$'
expect "$TMP/trace" '^virtio: virtio-blk.* q0 push head [0-9]+: [0-9]+ bytes written$'
expect "$TMP/trace" '^virtio: virtio-blk.* q0 interrupt$'
expect "$TMP/trace" '^irq: plic source 8 raised$'
expect "$TMP/trace" '^irq: hart 0 SEIP raised$'
expect "$TMP/trace" '^unimp: hart 0 csr 0x[0-9a-f]{3} .*is not implemented'
echo "trace: $(wc -l < "$TMP/trace") lines"
