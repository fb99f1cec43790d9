/* frontends/pcap.c: classic pcap writer (see pcap.h for the format). */
#include "frontends/pcap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap {
    FILE *f;
    uint32_t snaplen;
    bool failed;
    int saved_errno;
    char *path;
};

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct pcap *pcap_open(const char *path, uint32_t snaplen, char *err, size_t errlen)
{
    struct pcap *p = calloc(1, sizeof *p);
    char *copy = strdup(path);
    if (!p || !copy) {
        snprintf(err, errlen, "dump %s: out of memory", path);
        free(p);
        free(copy);
        return NULL;
    }
    p->path = copy;
    p->snaplen = snaplen ? snaplen : PCAP_SNAPLEN_DEFAULT;
    /* "e": the capture must not leak into children (TAP scripts, exec). */
    p->f = fopen(path, "wbe");
    if (!p->f) {
        snprintf(err, errlen, "dump %s: %s", path, strerror(errno));
        free(p->path);
        free(p);
        return NULL;
    }
    uint8_t h[PCAP_FILE_HEADER_LEN];
    put_le32(h + 0, PCAP_MAGIC_US);
    put_le16(h + 4, PCAP_VERSION_MAJOR);
    put_le16(h + 6, PCAP_VERSION_MINOR);
    put_le32(h + 8, 0);  /* thiszone: timestamps are already UTC */
    put_le32(h + 12, 0); /* sigfigs */
    put_le32(h + 16, p->snaplen);
    put_le32(h + 20, PCAP_LINKTYPE_ETHERNET);
    if (fwrite(h, sizeof h, 1, p->f) != 1 || fflush(p->f) != 0) {
        snprintf(err, errlen, "dump %s: %s", path, strerror(errno));
        fclose(p->f);
        free(p->path);
        free(p);
        return NULL;
    }
    return p;
}

int pcap_write(struct pcap *p, uint64_t time_ns, const void *frame, size_t len)
{
    if (p->failed) {
        errno = p->saved_errno;
        return -1;
    }
    uint32_t orig = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    uint32_t incl = orig < p->snaplen ? orig : p->snaplen;
    uint8_t h[PCAP_RECORD_HEADER_LEN];
    /* The seconds field is 32 bits: it wraps in 2106, as in every classic
     * pcap file. */
    put_le32(h + 0, (uint32_t)(time_ns / 1000000000u));
    put_le32(h + 4, (uint32_t)(time_ns % 1000000000u / 1000u));
    put_le32(h + 8, incl);
    put_le32(h + 12, orig);
    if (fwrite(h, sizeof h, 1, p->f) != 1 || (incl && fwrite(frame, incl, 1, p->f) != 1) ||
        fflush(p->f) != 0) {
        p->failed = true;
        p->saved_errno = errno ? errno : EIO;
        errno = p->saved_errno;
        return -1;
    }
    return 0;
}

const char *pcap_path(const struct pcap *p)
{
    return p->path;
}

void pcap_close(struct pcap *p)
{
    if (!p)
        return;
    fclose(p->f);
    free(p->path);
    free(p);
}
