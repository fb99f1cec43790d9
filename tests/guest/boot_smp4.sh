# Four harts: OpenSBI's HSM brings the secondaries online in Linux.
. tests/guest/lib.sh
boot_guest "$TMP/out" -smp 4 -append "console=ttyS0 guest.poweroff=1"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] || die "rivet exited $rc"
expect "$TMP/out" 'smp: Brought up 1 node, 4 CPUs'
expect "$TMP/out" '^cpus: 4$'
expect "$TMP/out" '^GUEST-POWEROFF'
