# With the RTC pinned, two boots print byte-identical consoles, printk
# timestamps included (time comes from the instruction count).
. tests/guest/lib.sh
for i in 1 2; do
    boot_guest "$TMP/run$i" -smp 2 -rtc base=2020-01-01T00:00:00 -append "console=ttyS0 guest.poweroff=1" ||
        die "boot $i failed"
done
expect "$TMP/run1" '^GUEST-POWEROFF'
expect "$TMP/run1" 'setting system clock to 2020-01-01T00:00:0'
cmp "$TMP/run1" "$TMP/run2" || { diff "$TMP/run1" "$TMP/run2" | head -20; die "consoles differ"; }
echo "identical: $(wc -c < "$TMP/run1") bytes"
