/* tests/guest/perf_sample.c: a tiny `perf record` for tests/guest/pmu_linux.sh
 * (built static for riscv64; the test guest has no perf binary).
 *
 * Opens PERF_COUNT_HW_INSTRUCTIONS for this process (user mode only) with a
 * sample period, runs a known loop, and counts the PERF_RECORD_SAMPLE
 * records in the ring buffer: each one is an overflow interrupt of the
 * hardware counter (Sscofpmf's LCOFI, through Linux's SBI PMU driver).
 * Prints
 *     perf_sample: count C samples S
 * (C = instructions counted) and exits 0; or one line starting
 * "perf_sample: " naming what failed, and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGES 64 /* data pages of the ring buffer (a power of 2) */

int main(int argc, char **argv)
{
    long period = argc > 1 ? atol(argv[1]) : 100000;
    long loops = argc > 2 ? atol(argv[2]) : 10000000;
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_HARDWARE;
    a.config = PERF_COUNT_HW_INSTRUCTIONS;
    a.sample_period = (uint64_t)period;
    a.sample_type = PERF_SAMPLE_IP;
    a.disabled = 1;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    a.wakeup_events = 1;
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
    if (fd < 0) {
        printf("perf_sample: perf_event_open: %s\n", strerror(errno));
        return 1;
    }
    long pg = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)pg * (PAGES + 1);
    struct perf_event_mmap_page *meta = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (meta == MAP_FAILED) {
        printf("perf_sample: mmap: %s\n", strerror(errno));
        return 1;
    }
    ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
    volatile long sink = 0;
    for (long i = 0; i < loops; i++)
        sink += i;
    ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
    uint64_t count = 0;
    if (read(fd, &count, sizeof count) != (ssize_t)sizeof count) {
        printf("perf_sample: read: %s\n", strerror(errno));
        return 1;
    }
    /* walk the records between data_tail and data_head */
    uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    const unsigned char *data = (const unsigned char *)meta + pg;
    uint64_t size = (uint64_t)pg * PAGES, pos = meta->data_tail, samples = 0, lost = 0;
    while (pos + sizeof(struct perf_event_header) <= head) {
        struct perf_event_header h;
        for (size_t k = 0; k < sizeof h; k++)
            ((unsigned char *)&h)[k] = data[(pos + k) % size];
        if (h.size == 0)
            break;
        if (h.type == PERF_RECORD_SAMPLE)
            samples++;
        else if (h.type == PERF_RECORD_LOST)
            lost++;
        pos += h.size;
    }
    printf("perf_sample: count %llu samples %llu lost-records %llu\n", (unsigned long long)count,
           (unsigned long long)samples, (unsigned long long)lost);
    return 0;
}
