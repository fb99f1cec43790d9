/* frontends/pcap.h: writing Ethernet frames to a classic pcap file.
 *
 * The file is the original libpcap format (magic 0xa1b2c3d4, version 2.4,
 * microsecond timestamps, link type LINKTYPE_ETHERNET = 1), written
 * little-endian; Wireshark, tshark and tcpdump read it. Timestamps are
 * whatever clock the caller passes: the network backends pass the machine's
 * virtual clock, so two runs of the same inputs write identical files.
 * Classic pcap has no direction field: frames from the guest and to the
 * guest are interleaved in the order they crossed the backend.
 *
 * Every record is flushed at once, so a capture can be read while the
 * machine runs and survives a crash of the process.
 */
#ifndef RIVET_PCAP_H
#define RIVET_PCAP_H

#include <stddef.h>
#include <stdint.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN_DEFAULT 65535u
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16

struct pcap;

/* Creates (or truncates) `path` and writes the file header. Frames longer
 * than `snaplen` (0 means PCAP_SNAPLEN_DEFAULT) are cut to it, their
 * original length kept in the record. NULL after writing a one-line reason
 * naming the file into err. */
struct pcap *pcap_open(const char *path, uint32_t snaplen, char *err, size_t errlen);

/* Appends one frame seen at `time_ns` (nanoseconds of the caller's clock;
 * stored as seconds and microseconds). 0, or -1 with errno set when the
 * write failed; after a failure every later call fails too. */
int pcap_write(struct pcap *, uint64_t time_ns, const void *frame, size_t len);

/* The path given to pcap_open, for messages. */
const char *pcap_path(const struct pcap *);

/* Flushes and closes. NULL is a no-op. */
void pcap_close(struct pcap *);

#endif
