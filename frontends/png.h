/* frontends/png.h: rivet's own small PNG encoder (screendumps).
 *
 * Writes 8-bit truecolour (colour type 2), non-interlaced PNG. Each row
 * gets the PNG filter (None, Sub, Up, Average, Paeth) whose output has the
 * smallest sum of absolute byte values, the usual heuristic from the PNG
 * specification's recommendations; the filtered rows are deflated by zlib
 * into IDAT chunks of at most 64 KiB, CRCs come from zlib's crc32.
 *
 * Input is packed RGB, 3 bytes per pixel, `stride` bytes from one row to the
 * next (stride >= 3 * w; the bytes past 3 * w are never read).
 * The output is a pure function of the input: the same pixels give the same
 * bytes (tests compare files).
 *
 * Errors: -1 and a one-line reason in err (when err is not NULL), without a
 * "rivet:" prefix; the caller names the command. Width and height must be
 * 1..PNG_MAX_DIM.
 */
#ifndef RIVET_PNG_H
#define RIVET_PNG_H

#include <stddef.h>
#include <stdint.h>

/* Far below PNG's 2^31-1 limit, far above any scanout: keeps every size
 * computation inside 32 bits. */
#define PNG_MAX_DIM 32768u

/* Writes the image to path (created or truncated). A partly written file is
 * removed on failure. */
int png_write(const char *path, unsigned w, unsigned h, const uint8_t *rgb,
              size_t stride, char *err, size_t errlen);

/* Encodes into a malloc'd buffer: *out (free() it) and *out_len. */
int png_encode_mem(unsigned w, unsigned h, const uint8_t *rgb, size_t stride,
                   uint8_t **out, size_t *out_len, char *err, size_t errlen);

#endif
