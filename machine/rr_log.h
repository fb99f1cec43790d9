/* machine/rr_log.h: the record/replay log (issue #14), as a file format.
 *
 * A log is what a recording took from outside the guest, each item stamped
 * with the machine's position (the instruction count at which the guest saw
 * it), so that a replay can feed the same items at the same positions:
 *
 *     file    := magic "RIVET-RR" (8 bytes) version:u32le  record*
 *     record  := type:u8 delta:uvar len:uvar payload[len] crc:u32le
 *
 * `delta` is the record's stamp minus the previous record's (stamps never go
 * back; the first record's delta is its stamp), `uvar` an unsigned LEB128
 * of at most 10 bytes, and `crc` zlib's CRC-32 of the record from its type
 * byte to its payload's end. A log is complete when its last record is
 * RR_END; anything after it, a record cut short, a bad CRC, an unknown type
 * or a payload that does not parse as its type says is an error with a
 * one-line reason naming the byte offset.
 *
 * The writer buffers through stdio and reports the first failed write
 * (disk full) once; the caller then stops recording and lets the guest go
 * on. The reader checks everything before it hands out a record; payload
 * pointers stay valid until the next rr_read.
 */
#ifndef RIVET_RR_LOG_H
#define RIVET_RR_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RR_MAGIC "RIVET-RR"
#define RR_VERSION 1u
#define RR_MAX_PAYLOAD (1u << 24) /* 16 MiB: a record larger than this is corrupt */

enum rr_type {
    RR_CMDLINE = 1,  /* the command line: argv strings, each NUL-terminated */
    RR_IMAGE,        /* an image: role NUL path NUL size:u64le hash:u64le */
    RR_INPUT,        /* bytes from outside: channel NUL data (console, chardev, netdev, input device) */
    RR_TIME,         /* a time adjustment: kind NUL value:u64le */
    RR_ENTROPY,      /* host entropy the guest took: source NUL data */
    RR_CHECKPOINT,   /* the machine state hash: hash:u64le */
    RR_SNAPSHOT,     /* the recording starts from this snapshot: name NUL */
    RR_END,          /* the last record: the final state hash: hash:u64le */
    RR_TYPE_MAX = RR_END
};

/* One record as the reader gives it out (and as the writer takes it). */
struct rr_record {
    enum rr_type type;
    uint64_t stamp;
    /* The payload, split by type: name is the leading NUL-terminated string
     * (role, channel, kind, source, snapshot name; "" for CHECKPOINT/END),
     * for IMAGE also path; data/len what follows it; value the u64 of TIME,
     * CHECKPOINT and END, and the hash of IMAGE (size in value2). */
    const char *name, *path;
    const uint8_t *data;
    size_t len;
    uint64_t value, value2;
    /* CMDLINE: argv (argc entries) */
    unsigned argc;
    const char *const *argv;
};

struct rr_writer;
/* Creates (truncates) path and writes the header. NULL with a reason. */
struct rr_writer *rr_writer_open(const char *path, char *err, size_t errlen);
/* Appends a record (stamps must not go back). 0, or -1 once a write
 * failed (disk full ...: the reason in rr_writer_error; every later call
 * does nothing and returns -1). */
int rr_write_cmdline(struct rr_writer *, int argc, const char *const *argv);
int rr_write_image(struct rr_writer *, const char *role, const char *path, uint64_t size, uint64_t hash);
int rr_write_input(struct rr_writer *, uint64_t stamp, const char *channel, const void *data, size_t len);
int rr_write_time(struct rr_writer *, uint64_t stamp, const char *kind, uint64_t value);
int rr_write_entropy(struct rr_writer *, uint64_t stamp, const char *source, const void *data, size_t len);
int rr_write_checkpoint(struct rr_writer *, uint64_t stamp, uint64_t hash);
int rr_write_snapshot(struct rr_writer *, const char *name);
/* Writes RR_END and closes the file (also after an error, then without the
 * record). 0, or -1 when the log is not complete. Frees the writer. */
int rr_writer_close(struct rr_writer *, uint64_t stamp, uint64_t hash);
const char *rr_writer_error(const struct rr_writer *);
/* Writes what is buffered: 0, or -1 as a record write. */
int rr_writer_flush(struct rr_writer *);
/* Closes the file without an end record (the log stays incomplete) and
 * frees the writer. */
void rr_writer_abandon(struct rr_writer *);

struct rr_reader;
/* Opens path (or reads an already open stream: rr_reader_new) and checks
 * the header. NULL with a one-line reason. */
struct rr_reader *rr_reader_open(const char *path, char *err, size_t errlen);
struct rr_reader *rr_reader_new(FILE *, char *err, size_t errlen); /* takes the stream */
/* The next record: 1, 0 after RR_END was read and the file ends there,
 * -1 with the reason in rr_reader_error (the offset included). */
int rr_read(struct rr_reader *, struct rr_record *);
const char *rr_reader_error(const struct rr_reader *);
void rr_reader_free(struct rr_reader *);

/* The 64-bit hash an image is recorded with: the state hash's function
 * (snapshot_hash_bytes) over the whole file and its length. -1 when it
 * cannot be read. */
int rr_hash_file(const char *path, uint64_t *hash, uint64_t *size);

#endif
