/* tests/guest/sendframe.c: a static riscv64 Linux program for the test
 * guest (tests/guest/virtio_net_bad_frame.sh). Sends, through an AF_PACKET
 * socket on interface argv[1], exactly the frame of issue #18 that made
 * libslirp 4.7.0 fault: IPv4 ICMP echo 10.0.2.15 -> 10.0.2.2, 1487 bytes,
 * DF set, fragment offset 0x173e, MF clear, to the gateway's MAC
 * 52:55:0a:00:02:02. With a second argument "nodf" DF is left clear (a
 * lone last fragment). Prints "sendframe: sent N bytes" and exits 0. */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: sendframe IFNAME [nodf]\n");
        return 2;
    }
    int df = !(argc > 2 && !strcmp(argv[2], "nodf"));
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) {
        perror("sendframe: socket");
        return 1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", argv[1]);
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        perror("sendframe: SIOCGIFINDEX");
        return 1;
    }
    int ifindex = ifr.ifr_ifindex;
    if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
        perror("sendframe: SIOCGIFHWADDR");
        return 1;
    }

    static uint8_t f[1487];
    static const uint8_t gw[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    memcpy(f, gw, 6);
    memcpy(f + 6, ifr.ifr_hwaddr.sa_data, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    size_t iplen = sizeof f - 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(iplen >> 8);
    ip[3] = (uint8_t)iplen;
    ip[4] = 0x12;
    ip[5] = 0x34;
    uint16_t off = (uint16_t)((df ? 0x4000 : 0) | 0x173e);
    ip[6] = (uint8_t)(off >> 8);
    ip[7] = (uint8_t)off;
    ip[8] = 64;
    ip[9] = 1; /* ICMP */
    const uint8_t src[4] = { 10, 0, 2, 15 }, dst[4] = { 10, 0, 2, 2 };
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    uint16_t s = csum(ip, 20);
    ip[10] = (uint8_t)(s >> 8);
    ip[11] = (uint8_t)s;
    uint8_t *icmp = ip + 20;
    icmp[0] = 8; /* echo request */
    for (size_t i = 8; i < iplen - 20; i++)
        icmp[i] = (uint8_t)i;
    s = csum(icmp, iplen - 20);
    icmp[2] = (uint8_t)(s >> 8);
    icmp[3] = (uint8_t)s;

    struct sockaddr_ll to;
    memset(&to, 0, sizeof to);
    to.sll_family = AF_PACKET;
    to.sll_ifindex = ifindex;
    to.sll_halen = 6;
    memcpy(to.sll_addr, gw, 6);
    ssize_t n = sendto(fd, f, sizeof f, 0, (struct sockaddr *)&to, sizeof to);
    if (n != (ssize_t)sizeof f) {
        perror("sendframe: sendto");
        return 1;
    }
    printf("sendframe: sent %zd bytes\n", n);
    close(fd);
    return 0;
}
