#!/bin/sh
# Network: DHCP on eth0 (a slirp-style user network leases 10.0.2.15), then
# an HTTP GET from the host at 10.0.2.2:8000. The GET is optional: without a
# server the script says so and still passes.
set -e
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -q -n -t 5 -s /etc/udhcpc.script
ip -4 addr show dev eth0
if wget -q -T 10 -O /tmp/page http://10.0.2.2:8000/; then
    head -c 200 /tmp/page
    echo
else
    echo "net: no HTTP server at 10.0.2.2:8000"
fi
