# virtio-9p confinement, from a real guest: the share holds links that
# point out of it (relative "../canary.txt", absolute paths to the canary
# and to a folder outside); the guest reads, writes, creates through and
# lists them, climbs with "..", makes its own links to host paths and
# follows them, and loops writing into a folder that the host meanwhile
# keeps swapping for a link to the outside folder. Links are resolved by
# the guest in the guest's own tree, never on the host: the host checks
# that the canary beside the share and the outside folder were neither
# read (atime) nor changed, and that nothing appeared outside.
# (Hostile messages a kernel client never sends, such as "/" or ".." in
# names, are tests/unit/test_9p.c and tests/fuzz/fuzz_9p.c.)
. tests/guest/lib.sh
. tests/guest/9p.shlib
p9_setup
mkdir "$SHARE/d"
echo inside > "$SHARE/d/file"
ln -s ../canary.txt "$SHARE/rel"
ln -s "$CANARY" "$SHARE/abs"
ln -s "$OUTSIDE" "$SHARE/outdir"
ln -s "$OUTSIDE/new" "$SHARE/dangling"
sed "s|@OUTSIDE@|$OUTSIDE|g; s|@CANARY@|$CANARY|g" > "$TMP/root/t.sh" <<'GUEST'
mount -t 9p -o trans=virtio,version=9p2000.L host /mnt
cd /mnt
for l in rel abs outdir dangling; do echo "LINK $l -> $(readlink $l)"; done
cat rel abs outdir/secret 2>&1 | head -n 3
echo pwned > abs; echo pwned > rel; echo pwned > dangling; echo pwned > outdir/new; mkdir outdir/dir
ls -la /mnt/.. /mnt/../.. | head -n 3
cat /mnt/../canary.txt /mnt/../../canary.txt 2>&1 | head -n 2
ln -s @CANARY@ mine; cat mine; echo pwned >> mine
ln -s @OUTSIDE@ mydir; ls mydir; touch mydir/made
ln -s ../../../../../../../../../.. up; ls up/ > /dev/null; touch up/tmp/escaped
echo LOOP-START
i=0
while [ $i -lt 300 ]; do
    { echo $i > d/f$i; } 2> /dev/null
    cat d/file d/f$i > /dev/null 2>&1
    ls d > /dev/null 2>&1
    mkdir d/m$i 2> /dev/null
    i=$((i + 1))
done
echo LOOP-END
cd /
umount /mnt
echo CONFINE-DONE
GUEST
# the host swaps d for a link to the outside folder and back, all the time
(
    while [ ! -e "$TMP/stop" ]; do
        mv "$SHARE/d" "$SHARE/d.held" 2> /dev/null && ln -s "$OUTSIDE" "$SHARE/d" && sleep 0.01 &&
            rm -f "$SHARE/d" && mv "$SHARE/d.held" "$SHARE/d"
        sleep 0.01
    done
) &
swapper=$!
p9_boot -fsdev local,id=f0,path="$SHARE",security_model=none -device virtio-9p-pci,fsdev=f0,mount_tag=host
touch "$TMP/stop"
wait $swapper
expect "$OUT" '^CONFINE-DONE'
expect "$OUT" '^LOOP-END'
expect "$OUT" "^LINK abs -> $CANARY\$"
# the guest's writes through links landed nowhere on the host; its own
# links are plain links in the share
[ "$(readlink "$SHARE/mine")" = "$CANARY" ] || die "the guest's link is not a link in the share"
[ ! -e "$SHARE/made" ] && [ ! -e "$SHARE/escaped" ] || die "a write through a link landed in the share"
ls "$SHARE/d" | grep -q '^f[0-9]' || die "the swap loop never wrote into d (test did not exercise the race)"
p9_canary_intact
echo "virtio_9p_confine: nothing outside the share was read or changed"
