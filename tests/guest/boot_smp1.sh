# Linux boots to the init marker on one hart and powers off cleanly.
. tests/guest/lib.sh
boot_guest "$TMP/out" -smp 1 -append "console=ttyS0 guest.poweroff=1"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" '^GUEST-BOOT-OK'
expect "$TMP/out" '^cpus: 1$'
expect "$TMP/out" 'reboot: Power down'
