/* virtio/gpu.h: the virtio GPU device, 2D only (virtio 1.2, 5.7).
 *
 * One scanout. Control queue: GET_DISPLAY_INFO, GET_EDID (F_EDID),
 * RESOURCE_CREATE_2D (the eight 32-bit formats), RESOURCE_UNREF,
 * SET_SCANOUT, RESOURCE_FLUSH, TRANSFER_TO_HOST_2D, RESOURCE_ATTACH_BACKING
 * and DETACH_BACKING; cursor queue: UPDATE_CURSOR, MOVE_CURSOR. No virgl,
 * no blob resources, no capsets.
 *
 * Resources live in host memory (width * height * 4 bytes), bounded by
 * VIRTIO_GPU_MAX_DIM on each side, VIRTIO_GPU_MAX_RESOURCES in number and
 * a total (`max_hostmem`, default 256 MiB, as QEMU). A resource's backing
 * is the guest's scatter list, kept as guest-physical addresses: every
 * entry is checked to lie in RAM when attached, and again through the
 * bus's DMA helpers at each transfer. A command the device cannot honour
 * (unknown resource id, a rectangle outside the resource, backing outside
 * RAM, a resource too large, a command shorter than its type says, an
 * unknown type) gets the spec's error response (ERR_INVALID_RESOURCE_ID,
 * ERR_INVALID_PARAMETER, ERR_OUT_OF_MEMORY, ERR_UNSPEC ...), never a crash
 * or an access outside the host buffers. Fences complete at once (every
 * command is served synchronously), so a fenced response only echoes the
 * fence.
 *
 * The device knows nothing of windows: it tells a `struct
 * virtio_gpu_display` (board glue) when the scanout changes (a surface
 * pointing into the resource's host pixels, valid until the next
 * set_scanout call) and which rectangle the guest flushed.
 */
#ifndef RIVET_VIRTIO_GPU_H
#define RIVET_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/bus.h"
#include "virtio/virtio.h"

#define VIRTIO_ID_GPU 16

#define VIRTIO_GPU_F_VIRGL 0
#define VIRTIO_GPU_F_EDID 1

#define VIRTIO_GPU_EVENT_DISPLAY 1u

/* Command and response types (5.7.6.7). */
enum {
    VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100,
    VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
    VIRTIO_GPU_CMD_RESOURCE_UNREF,
    VIRTIO_GPU_CMD_SET_SCANOUT,
    VIRTIO_GPU_CMD_RESOURCE_FLUSH,
    VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
    VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
    VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
    VIRTIO_GPU_CMD_GET_CAPSET_INFO,
    VIRTIO_GPU_CMD_GET_CAPSET,
    VIRTIO_GPU_CMD_GET_EDID,
    VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300,
    VIRTIO_GPU_CMD_MOVE_CURSOR,
    VIRTIO_GPU_RESP_OK_NODATA = 0x1100,
    VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
    VIRTIO_GPU_RESP_OK_CAPSET_INFO,
    VIRTIO_GPU_RESP_OK_CAPSET,
    VIRTIO_GPU_RESP_OK_EDID,
    VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200,
    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
    VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
    VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
    VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
    VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
};

#define VIRTIO_GPU_FLAG_FENCE 1u
#define VIRTIO_GPU_FLAG_INFO_RING_IDX 2u

#define VIRTIO_GPU_HDR_SIZE 24u
#define VIRTIO_GPU_MAX_SCANOUTS 16u     /* entries in the display info response */
#define VIRTIO_GPU_MAX_DIM 16384u
#define VIRTIO_GPU_MAX_RESOURCES 1024u
#define VIRTIO_GPU_MAX_BACKING_ENTRIES 16384u
#define VIRTIO_GPU_DEFAULT_HOSTMEM (256ull << 20)
#define VIRTIO_GPU_EDID_SIZE 128u
/* A DTD describes at most 4095 pixels each way: the largest xres/yres. */
#define VIRTIO_GPU_MAX_RES 4095u
#define VIRTIO_GPU_MIN_RES 16u

/* What the scanout shows: `pixels` points at the top-left of the scanout
 * rectangle inside the resource; format is a VIRTIO_GPU_FORMAT_* value. */
struct virtio_gpu_surface {
    unsigned width, height;
    size_t stride;
    uint32_t format;
    const uint8_t *pixels;
};

/* The board's side of the scanout. Every callback is optional. */
struct virtio_gpu_display {
    void *ctx;
    /* The scanout now shows s (NULL: disabled). s->pixels stays valid and
     * its contents change only at transfers until the next call. */
    void (*set_scanout)(void *ctx, const struct virtio_gpu_surface *s);
    /* The guest flushed this rectangle of the scanout (scanout coordinates,
     * already clipped to it). */
    void (*flush)(void *ctx, unsigned x, unsigned y, unsigned w, unsigned h);
    /* The cursor image (64x64 B8G8R8A8 or whatever the resource holds;
     * NULL: hidden) and its position on the scanout. */
    void (*cursor)(void *ctx, const struct virtio_gpu_surface *image, unsigned hot_x, unsigned hot_y,
                   int x, int y);
};

struct virtio_gpu_options {
    unsigned xres, yres;        /* preferred mode; 0: 1024x768 */
    uint64_t max_hostmem;       /* bytes of resource pixels; 0: 256 MiB */
};

/* display may be NULL (nothing shown); it is copied. NULL when out of
 * memory. */
struct virtio_dev *virtio_gpu_new(struct bus *, const struct virtio_gpu_options *,
                                  const struct virtio_gpu_display *display);

/* The 128-byte EDID block the device reports for a mode: a 1.4 base block
 * with the mode as its preferred detailed timing and the name "rivet". */
void virtio_gpu_make_edid(unsigned xres, unsigned yres, uint8_t edid[VIRTIO_GPU_EDID_SIZE]);

/* Bytes of host memory the device's resources hold now (tests). */
uint64_t virtio_gpu_hostmem(struct virtio_dev *);

#endif
