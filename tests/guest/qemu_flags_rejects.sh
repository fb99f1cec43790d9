# QEMU's flags with bad values, and the ones rivet refuses on purpose: one
# line naming the option and the problem, exit 1 (issue #25).
. tests/guest/lib.sh
k="-kernel $KERNEL"
# shellcheck disable=SC2086
{
rejects "-enable-kvm" '-enable-kvm: rivet has no KVM' -enable-kvm $k
rejects "-accel kvm" '-accel kvm: rivet has no KVM' -accel kvm $k
rejects "-machine accel=kvm" '-machine virt,accel=kvm: rivet has no KVM' -machine virt,accel=kvm $k
rejects "-accel hvf" '-accel hvf: unknown accelerator' -accel hvf $k
rejects "-accel thread=" '-accel tcg,thread=2: thread must be single or multi' -accel tcg,thread=2 $k
rejects "-accel property" '-accel tcg,foo=1: unknown property' -accel tcg,foo=1 $k
rejects "-vga std" '-vga std: rivet has no VGA' -vga std $k
rejects "-cpu rv32" '-cpu rv32: unknown CPU model' -cpu rv32 $k
rejects "-cpu props" "-cpu rv64,v=on: unknown CPU property 'v'" -cpu rv64,v=on $k
rejects "-cpu base off" '-cpu rv64,C=off: c: always on in rivet' -cpu rv64,C=off $k
rejects "-cpu bad value" '-cpu rv64,zicsr=yes please: zicsr=yes please: expected on or off' -cpu "rv64,zicsr=yes please" $k
rejects "-m slots" '-m 512M,slots=2: slots= needs maxmem=' -m 512M,slots=2 $k
rejects "-m maxmem" '-m 512M,maxmem=256M: maxmem must be at least' -m 512M,maxmem=256M $k
rejects "-m bad slots" '-m 1G,slots=x,maxmem=2G: slots must be' -m 1G,slots=x,maxmem=2G $k
rejects "-m property" '-m 1G,foo=1: unknown property' -m 1G,foo=1 $k
rejects "-smp maxcpus" '-smp 4,maxcpus=2: cpus must not exceed maxcpus' -smp 4,maxcpus=2 $k
rejects "-smp product" '-smp 4,sockets=3,cores=2,maxcpus=4: sockets \* cores \* threads must equal' \
    -smp 4,sockets=3,cores=2,maxcpus=4 $k
rejects "-smp dies" '-smp 2,dies=2: dies and clusters are not supported' -smp 2,dies=2 $k
rejects "-smp zero" '-smp cpus=0: cpus must be a positive number' -smp cpus=0 $k
rejects "-smp property" '-smp 2,books=2: unknown property' -smp 2,books=2 $k
rejects "-smp harts" '-smp 16: between 1 and 8 harts' -smp 16 $k
rejects "-pidfile dir" '-pidfile /nonexistent/x: No such file' -pidfile /nonexistent/x $k
rejects "-daemonize -nographic" '-daemonize: cannot be used with -nographic' -daemonize -nographic $k
rejects "-daemonize -serial stdio" '-serial stdio: cannot be used with -daemonize' -daemonize -serial stdio $k
rejects "-daemonize -chardev stdio" '-chardev stdio,id=c: cannot be used with -daemonize' -daemonize -chardev stdio,id=c $k
rejects "-devcie" "unknown option '-devcie'; did you mean '-device'\\?" -devcie x $k
rejects "--nographc" "unknown option '--nographc'; did you mean '-nographic'\\?" --nographc $k
rejects "device typo" "unknown device 'virtio-blk-devcie'; did you mean 'virtio-blk-device'\\?" -device virtio-blk-devcie $k
rejects "bootindex" '-device virtio-rng-pci,bootindex=x: bootindex must be a number' -device virtio-rng-pci,bootindex=x $k
rejects "-kernel names itself" '^rivet: -kernel /nonexistent/Image: No such file' -kernel /nonexistent/Image
rejects "-bios names itself" '^rivet: -bios /nonexistent/fw.bin: No such file' -bios /nonexistent/fw.bin $k
rejects "far from all" "unknown option '-zzzzzzzz' \\(see rivet --help\\)" -zzzzzzzz $k
}
echo "all refused"
