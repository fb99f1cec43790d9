/* virtio/gpu.c: the virtio GPU device, 2D resources and one scanout. */
#include "virtio/gpu.h"
#include "bus/device.h"

#include <stdlib.h>
#include <string.h>

#define CONTROLQ 0
#define CURSORQ 1
#define CONTROLQ_SIZE 256
#define CURSORQ_SIZE 16
#define CONFIG_LEN 16
#define BPP 4u
#define CMD_MAX 64u                 /* the longest fixed command (with header) */
#define DISPLAY_INFO_LEN (VIRTIO_GPU_HDR_SIZE + 24u * VIRTIO_GPU_MAX_SCANOUTS)
#define EDID_RESP_LEN (VIRTIO_GPU_HDR_SIZE + 8u + 1024u)

/* virtio_gpu_config offsets */
enum { CFG_EVENTS_READ = 0, CFG_EVENTS_CLEAR = 4, CFG_NUM_SCANOUTS = 8, CFG_NUM_CAPSETS = 12 };

struct rect {
    uint32_t x, y, w, h;
};

struct backing {
    uint64_t addr;
    uint32_t len;
    uint64_t off;   /* byte offset of this entry in the resource's backing */
};

struct resource {
    uint32_t id, format;
    unsigned w, h;
    size_t stride;
    uint8_t *pixels;
    struct backing *bk;
    unsigned nbk;
    uint64_t bk_len;
};

struct gpu {
    struct virtio_dev vdev;
    struct virtio_gpu_display disp;
    unsigned xres, yres;
    uint64_t max_hostmem, hostmem;
    struct resource *res[VIRTIO_GPU_MAX_RESOURCES];
    unsigned nres;
    uint32_t scanout_id;          /* resource shown by scanout 0; 0: disabled */
    struct rect scanout;
    uint32_t cursor_id;
    int32_t cursor_x, cursor_y;   /* where the display was last told */
    uint32_t hot_x, hot_y;
    uint32_t events_read;
    uint8_t edid[VIRTIO_GPU_EDID_SIZE];
    struct virtq_elem elem;
    uint8_t resp[EDID_RESP_LEN];
};

static struct gpu *to_gpu(struct virtio_dev *d)
{
    return (struct gpu *)d;
}

/* ---- EDID ---- */

void virtio_gpu_make_edid(unsigned xres, unsigned yres, uint8_t e[VIRTIO_GPU_EDID_SIZE])
{
    static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
    if (xres < 1 || xres > VIRTIO_GPU_MAX_RES)
        xres = xres ? VIRTIO_GPU_MAX_RES : 1024;
    if (yres < 1 || yres > VIRTIO_GPU_MAX_RES)
        yres = yres ? VIRTIO_GPU_MAX_RES : 768;
    memset(e, 0, VIRTIO_GPU_EDID_SIZE);
    memcpy(e, header, 8);
    e[8] = 0x4a;   /* "RVT": three 5-bit letters, big-endian */
    e[9] = 0xd4;
    e[10] = 1;     /* product code */
    e[16] = 1;     /* week */
    e[17] = 34;    /* 2024 */
    e[18] = 1;     /* EDID 1.4 */
    e[19] = 4;
    e[20] = 0x80;  /* digital input */
    /* physical size at 96 dpi, in cm */
    unsigned hcm = (xres * 254 + 4800) / 9600, vcm = (yres * 254 + 4800) / 9600;
    e[21] = (uint8_t)(hcm ? (hcm > 255 ? 255 : hcm) : 1);
    e[22] = (uint8_t)(vcm ? (vcm > 255 ? 255 : vcm) : 1);
    e[23] = 120;   /* gamma 2.2 */
    e[24] = 0x06;  /* sRGB default, preferred timing is native */
    /* sRGB primaries and D65 white point, 10-bit fractions */
    static const unsigned chroma[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };
    e[25] = (uint8_t)((chroma[0] & 3) << 6 | (chroma[1] & 3) << 4 | (chroma[2] & 3) << 2 | (chroma[3] & 3));
    e[26] = (uint8_t)((chroma[4] & 3) << 6 | (chroma[5] & 3) << 4 | (chroma[6] & 3) << 2 | (chroma[7] & 3));
    for (int i = 0; i < 8; i++)
        e[27 + i] = (uint8_t)(chroma[i] >> 2);
    e[35] = 0x20;  /* established: 640x480@60 */
    for (int i = 38; i < 54; i++)
        e[i] = 1;  /* standard timings unused */
    /* Detailed timing: reduced blanking, 60 Hz unless the clock field
     * (16 bits of 10 kHz) cannot hold it. */
    unsigned hbl = 160, hfp = 48, hsw = 32, vbl = 30, vfp = 3, vsw = 5;
    uint64_t clk = (uint64_t)(xres + hbl) * (yres + vbl) * 60 / 10000;
    if (clk > 65535)
        clk = 65535;
    if (clk == 0)
        clk = 1;
    uint8_t *d = e + 54;
    d[0] = (uint8_t)clk;
    d[1] = (uint8_t)(clk >> 8);
    d[2] = (uint8_t)xres;
    d[3] = (uint8_t)hbl;
    d[4] = (uint8_t)((xres >> 8) << 4 | (hbl >> 8));
    d[5] = (uint8_t)yres;
    d[6] = (uint8_t)vbl;
    d[7] = (uint8_t)((yres >> 8) << 4 | (vbl >> 8));
    d[8] = (uint8_t)hfp;
    d[9] = (uint8_t)hsw;
    d[10] = (uint8_t)((vfp & 15) << 4 | (vsw & 15));
    d[11] = (uint8_t)((hfp >> 8) << 6 | (hsw >> 8) << 4 | (vfp >> 4) << 2 | (vsw >> 4));
    unsigned hmm = hcm * 10, vmm = vcm * 10;
    if (hmm > 4095)
        hmm = 4095;
    if (vmm > 4095)
        vmm = 4095;
    d[12] = (uint8_t)hmm;
    d[13] = (uint8_t)vmm;
    d[14] = (uint8_t)((hmm >> 8) << 4 | (vmm >> 8));
    d[17] = 0x1a;  /* digital separate sync, hsync + */
    /* monitor name */
    d = e + 72;
    d[3] = 0xfc;
    memcpy(d + 5, "rivet\n       ", 13);
    /* two dummy descriptors */
    e[90 + 3] = 0x10;
    e[108 + 3] = 0x10;
    unsigned sum = 0;
    for (int i = 0; i < 127; i++)
        sum += e[i];
    e[127] = (uint8_t)(256 - (sum & 255));
}

/* ---- resources ---- */

static bool format_ok(uint32_t f)
{
    switch (f) {
    case 1: case 2: case 3: case 4: case 67: case 68: case 121: case 134:
        return true;
    default:
        return false;
    }
}

static struct resource *find_res(struct gpu *g, uint32_t id)
{
    if (id == 0)
        return NULL;
    for (unsigned i = 0; i < g->nres; i++)
        if (g->res[i]->id == id)
            return g->res[i];
    return NULL;
}

static void show_scanout(struct gpu *g)
{
    if (!g->disp.set_scanout)
        return;
    struct resource *r = find_res(g, g->scanout_id);
    if (!r) {
        g->disp.set_scanout(g->disp.ctx, NULL);
        return;
    }
    struct virtio_gpu_surface s = {
        .width = g->scanout.w, .height = g->scanout.h, .stride = r->stride, .format = r->format,
        .pixels = r->pixels + (size_t)g->scanout.y * r->stride + (size_t)g->scanout.x * BPP,
    };
    g->disp.set_scanout(g->disp.ctx, &s);
}

static void show_cursor(struct gpu *g, int x, int y, uint32_t hot_x, uint32_t hot_y)
{
    if (!g->disp.cursor)
        return;
    struct resource *r = find_res(g, g->cursor_id);
    if (!r) {
        g->disp.cursor(g->disp.ctx, NULL, 0, 0, x, y);
        return;
    }
    struct virtio_gpu_surface s = { r->w, r->h, r->stride, r->format, r->pixels };
    g->disp.cursor(g->disp.ctx, &s, hot_x, hot_y, x, y);
}

static void detach(struct resource *r)
{
    free(r->bk);
    r->bk = NULL;
    r->nbk = 0;
    r->bk_len = 0;
}

static void destroy(struct gpu *g, unsigned i)
{
    struct resource *r = g->res[i];
    g->hostmem -= (uint64_t)r->stride * r->h;
    detach(r);
    free(r->pixels);
    free(r);
    g->res[i] = g->res[--g->nres];
}

static void free_all(struct gpu *g)
{
    while (g->nres)
        destroy(g, g->nres - 1);
}

/* The rectangle lies inside w x h (no overflow). */
static bool rect_inside(const struct rect *r, unsigned w, unsigned h)
{
    return r->x <= w && r->w <= w - r->x && r->y <= h && r->h <= h - r->y;
}

/* ---- commands ---- */

static struct rect get_rect(const uint8_t *p)
{
    return (struct rect){ virtio_ld32(p), virtio_ld32(p + 4), virtio_ld32(p + 8), virtio_ld32(p + 12) };
}

static uint32_t cmd_create(struct gpu *g, const uint8_t *c)
{
    uint32_t id = virtio_ld32(c + 24), fmt = virtio_ld32(c + 28), w = virtio_ld32(c + 32), h = virtio_ld32(c + 36);
    if (id == 0 || find_res(g, id))
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!format_ok(fmt) || w == 0 || h == 0 || w > VIRTIO_GPU_MAX_DIM || h > VIRTIO_GPU_MAX_DIM)
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    uint64_t bytes = (uint64_t)w * h * BPP;
    if (g->nres == VIRTIO_GPU_MAX_RESOURCES || bytes > g->max_hostmem - g->hostmem)
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    struct resource *r = calloc(1, sizeof *r);
    uint8_t *px = r ? calloc(1, (size_t)bytes) : NULL;
    if (!px) {
        free(r);
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    }
    *r = (struct resource){ .id = id, .format = fmt, .w = w, .h = h, .stride = (size_t)w * BPP, .pixels = px };
    g->res[g->nres++] = r;
    g->hostmem += bytes;
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t cmd_unref(struct gpu *g, const uint8_t *c)
{
    uint32_t id = virtio_ld32(c + 24);
    for (unsigned i = 0; id && i < g->nres; i++) {
        if (g->res[i]->id != id)
            continue;
        /* the display lets go of the pixels before they are freed */
        if (g->scanout_id == id) {
            g->scanout_id = 0;
            show_scanout(g);
        }
        if (g->cursor_id == id) {
            g->cursor_id = 0;
            show_cursor(g, 0, 0, 0, 0);
        }
        destroy(g, i);
        return VIRTIO_GPU_RESP_OK_NODATA;
    }
    return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
}

static uint32_t cmd_set_scanout(struct gpu *g, const uint8_t *c)
{
    struct rect r = get_rect(c + 24);
    uint32_t sid = virtio_ld32(c + 40), id = virtio_ld32(c + 44);
    if (sid != 0)
        return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
    if (id == 0) {
        if (g->scanout_id) {
            g->scanout_id = 0;
            show_scanout(g);
        }
        return VIRTIO_GPU_RESP_OK_NODATA;
    }
    struct resource *res = find_res(g, id);
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (r.w == 0 || r.h == 0 || !rect_inside(&r, res->w, res->h))
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    g->scanout_id = id;
    g->scanout = r;
    show_scanout(g);
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t cmd_flush(struct gpu *g, const uint8_t *c)
{
    struct rect r = get_rect(c + 24);
    struct resource *res = find_res(g, virtio_ld32(c + 40));
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!rect_inside(&r, res->w, res->h))
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    if (res->id != g->scanout_id || !g->disp.flush)
        return VIRTIO_GPU_RESP_OK_NODATA;
    /* intersect with the scanout rectangle, then scanout coordinates */
    const struct rect *s = &g->scanout;
    uint64_t x0 = r.x > s->x ? r.x : s->x, y0 = r.y > s->y ? r.y : s->y;
    uint64_t x1 = (uint64_t)r.x + r.w, y1 = (uint64_t)r.y + r.h;
    if (x1 > (uint64_t)s->x + s->w)
        x1 = (uint64_t)s->x + s->w;
    if (y1 > (uint64_t)s->y + s->h)
        y1 = (uint64_t)s->y + s->h;
    if (x1 > x0 && y1 > y0)
        g->disp.flush(g->disp.ctx, (unsigned)(x0 - s->x), (unsigned)(y0 - s->y), (unsigned)(x1 - x0),
                      (unsigned)(y1 - y0));
    return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Copies len bytes at byte `off` of the resource's backing into dst,
 * reaching guest RAM through the bus each time. False when a backing
 * entry is no longer RAM. */
static bool backing_read(struct gpu *g, const struct resource *r, uint64_t off, uint8_t *dst, uint64_t len)
{
    /* the entry holding off: binary search over the running offsets */
    unsigned lo = 0, hi = r->nbk;
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (r->bk[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    for (unsigned i = lo; len && i < r->nbk; i++) {
        const struct backing *b = &r->bk[i];
        if (off >= b->off + b->len)
            continue;
        uint64_t in = off - b->off, n = b->len - in;
        if (n > len)
            n = len;
        const uint8_t *p = bus_dma(g->vdev.bus, b->addr + in, n);
        if (!p)
            return false;
        memcpy(dst, p, (size_t)n);
        dst += n;
        off += n;
        len -= n;
    }
    return len == 0;
}

static uint32_t cmd_transfer(struct gpu *g, const uint8_t *c)
{
    struct rect r = get_rect(c + 24);
    uint64_t offset = virtio_ld64(c + 40);
    struct resource *res = find_res(g, virtio_ld32(c + 48));
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!rect_inside(&r, res->w, res->h))
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    if (!res->bk)
        return VIRTIO_GPU_RESP_ERR_UNSPEC;
    if (r.w == 0 || r.h == 0)
        return VIRTIO_GPU_RESP_OK_NODATA;
    /* Source rows are a resource stride apart from `offset` (as QEMU and
     * Linux agree); all of them must lie in the backing. */
    uint64_t row = (uint64_t)r.w * BPP;
    uint64_t last = (uint64_t)res->stride * (r.h - 1) + row;
    if (offset > res->bk_len || last > res->bk_len - offset)
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    for (uint32_t h = 0; h < r.h; h++) {
        uint8_t *dst = res->pixels + (size_t)(r.y + h) * res->stride + (size_t)r.x * BPP;
        if (!backing_read(g, res, offset + (uint64_t)res->stride * h, dst, row))
            return VIRTIO_GPU_RESP_ERR_UNSPEC;
    }
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t cmd_attach(struct gpu *g, const struct virtq_elem *e, const uint8_t *c)
{
    struct resource *res = find_res(g, virtio_ld32(c + 24));
    uint32_t n = virtio_ld32(c + 28);
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (res->bk)
        return VIRTIO_GPU_RESP_ERR_UNSPEC;
    if (n == 0 || n > VIRTIO_GPU_MAX_BACKING_ENTRIES || e->out_len < 32 + 16ull * n)
        return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
    struct backing *bk = calloc(n, sizeof *bk);
    if (!bk)
        return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t ent[16];
        if (virtio_elem_read(&g->vdev, e, 32 + 16ull * i, ent, 16) != 16) {
            free(bk);
            return VIRTIO_GPU_RESP_ERR_UNSPEC;
        }
        bk[i].addr = virtio_ld64(ent);
        bk[i].len = virtio_ld32(ent + 8);
        bk[i].off = total;
        total += bk[i].len;
        if (bk[i].len && !bus_dma(g->vdev.bus, bk[i].addr, bk[i].len)) {
            free(bk);
            return VIRTIO_GPU_RESP_ERR_UNSPEC;
        }
    }
    res->bk = bk;
    res->nbk = n;
    res->bk_len = total;
    return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t cmd_detach(struct gpu *g, const uint8_t *c)
{
    struct resource *res = find_res(g, virtio_ld32(c + 24));
    if (!res)
        return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
    if (!res->bk)
        return VIRTIO_GPU_RESP_ERR_UNSPEC;
    detach(res);
    return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Fills the display info after the response header; returns the length. */
static unsigned cmd_display_info(struct gpu *g, uint8_t *resp)
{
    memset(resp + VIRTIO_GPU_HDR_SIZE, 0, DISPLAY_INFO_LEN - VIRTIO_GPU_HDR_SIZE);
    uint8_t *m = resp + VIRTIO_GPU_HDR_SIZE;
    virtio_st32(m + 8, g->xres);
    virtio_st32(m + 12, g->yres);
    virtio_st32(m + 16, 1);  /* enabled */
    return DISPLAY_INFO_LEN;
}

/* Minimum command lengths (header included) by type. */
static unsigned cmd_len(uint32_t type)
{
    switch (type) {
    case VIRTIO_GPU_CMD_GET_DISPLAY_INFO: return 24;
    case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: return 40;
    case VIRTIO_GPU_CMD_RESOURCE_UNREF: return 32;
    case VIRTIO_GPU_CMD_SET_SCANOUT: return 48;
    case VIRTIO_GPU_CMD_RESOURCE_FLUSH: return 48;
    case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: return 56;
    case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: return 32;
    case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: return 32;
    case VIRTIO_GPU_CMD_GET_EDID: return 32;
    case VIRTIO_GPU_CMD_UPDATE_CURSOR:
    case VIRTIO_GPU_CMD_MOVE_CURSOR: return 56;
    default: return 24;
    }
}

static void control(struct gpu *g, struct virtq_elem *e)
{
    uint8_t c[CMD_MAX] = { 0 };
    uint8_t *resp = g->resp;
    uint32_t type = VIRTIO_GPU_RESP_ERR_UNSPEC;
    unsigned len = VIRTIO_GPU_HDR_SIZE;
    long got = virtio_elem_read(&g->vdev, e, 0, c, e->out_len < CMD_MAX ? (size_t)e->out_len : CMD_MAX);
    uint32_t ctype = virtio_ld32(c);
    if (got >= (long)VIRTIO_GPU_HDR_SIZE && (uint64_t)got >= cmd_len(ctype)) {
        switch (ctype) {
        case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
            if (e->in_len >= DISPLAY_INFO_LEN) {
                len = cmd_display_info(g, resp);
                type = VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
            }
            break;
        case VIRTIO_GPU_CMD_GET_EDID:
            if (!virtio_has_feature(&g->vdev, VIRTIO_GPU_F_EDID) || e->in_len < EDID_RESP_LEN)
                break;
            if (virtio_ld32(c + 24) != 0) {
                type = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
                break;
            }
            memset(resp + VIRTIO_GPU_HDR_SIZE, 0, EDID_RESP_LEN - VIRTIO_GPU_HDR_SIZE);
            virtio_st32(resp + VIRTIO_GPU_HDR_SIZE, VIRTIO_GPU_EDID_SIZE);
            memcpy(resp + VIRTIO_GPU_HDR_SIZE + 8, g->edid, VIRTIO_GPU_EDID_SIZE);
            len = EDID_RESP_LEN;
            type = VIRTIO_GPU_RESP_OK_EDID;
            break;
        case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D: type = cmd_create(g, c); break;
        case VIRTIO_GPU_CMD_RESOURCE_UNREF: type = cmd_unref(g, c); break;
        case VIRTIO_GPU_CMD_SET_SCANOUT: type = cmd_set_scanout(g, c); break;
        case VIRTIO_GPU_CMD_RESOURCE_FLUSH: type = cmd_flush(g, c); break;
        case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D: type = cmd_transfer(g, c); break;
        case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING: type = cmd_attach(g, e, c); break;
        case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING: type = cmd_detach(g, c); break;
        default: break;  /* capsets, 3D, blobs, cursor commands here: ERR_UNSPEC */
        }
    }
    uint32_t written = 0;
    if (e->in_len >= VIRTIO_GPU_HDR_SIZE) {
        uint32_t flags = virtio_ld32(c + 4) & (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
        memset(resp, 0, VIRTIO_GPU_HDR_SIZE);
        virtio_st32(resp, type);
        virtio_st32(resp + 4, flags);
        if (flags & VIRTIO_GPU_FLAG_FENCE)
            virtio_st64(resp + 8, virtio_ld64(c + 8));
        virtio_st32(resp + 16, virtio_ld32(c + 16));
        if (flags & VIRTIO_GPU_FLAG_INFO_RING_IDX)
            resp[20] = c[20];
        long w = virtio_elem_write(&g->vdev, e, 0, resp, len);
        written = w > 0 ? (uint32_t)w : 0;
    }
    virtio_push(&g->vdev, CONTROLQ, e, written);
}

static void cursor(struct gpu *g, struct virtq_elem *e)
{
    uint8_t c[CMD_MAX] = { 0 };
    long got = virtio_elem_read(&g->vdev, e, 0, c, e->out_len < CMD_MAX ? (size_t)e->out_len : CMD_MAX);
    uint32_t type = virtio_ld32(c);
    /* cursor_pos {scanout_id, x, y}, then resource_id, hot_x, hot_y */
    if (got >= 56 && virtio_ld32(c + 24) == 0 &&
        (type == VIRTIO_GPU_CMD_UPDATE_CURSOR || type == VIRTIO_GPU_CMD_MOVE_CURSOR)) {
        int x = (int32_t)virtio_ld32(c + 28), y = (int32_t)virtio_ld32(c + 32);
        if (type == VIRTIO_GPU_CMD_UPDATE_CURSOR) {
            uint32_t id = virtio_ld32(c + 40);
            /* an unknown id hides the cursor rather than keep a stale one */
            g->cursor_id = find_res(g, id) ? id : 0;
        }
        g->cursor_x = x;
        g->cursor_y = y;
        g->hot_x = virtio_ld32(c + 44);
        g->hot_y = virtio_ld32(c + 48);
        show_cursor(g, x, y, g->hot_x, g->hot_y);
    }
    virtio_push(&g->vdev, CURSORQ, e, 0);
}

static void gpu_notify(struct virtio_dev *d, unsigned q)
{
    struct gpu *g = to_gpu(d);
    bool any = false;
    int r;
    while ((r = virtio_pop(d, q, &g->elem)) > 0) {
        if (q == CONTROLQ)
            control(g, &g->elem);
        else
            cursor(g, &g->elem);
        any = true;
    }
    if (any)
        virtio_queue_done(d, q);
}

static uint64_t gpu_features(struct virtio_dev *d)
{
    return VIRTIO_BIT(VIRTIO_GPU_F_EDID);
}

static void sync_config(struct gpu *g)
{
    virtio_st32(g->vdev.config + CFG_EVENTS_READ, g->events_read);
}

static void gpu_config_write(struct virtio_dev *d, unsigned off, const void *buf, unsigned len)
{
    struct gpu *g = to_gpu(d);
    /* events_clear: write 1s to clear events_read bits */
    for (unsigned i = 0; i < len; i++) {
        unsigned o = off + i;
        if (o >= CFG_EVENTS_CLEAR && o < CFG_EVENTS_CLEAR + 4)
            g->events_read &= ~((uint32_t)((const uint8_t *)buf)[i] << 8 * (o - CFG_EVENTS_CLEAR));
    }
    sync_config(g);
}

static void gpu_reset(struct virtio_dev *d)
{
    struct gpu *g = to_gpu(d);
    bool shown = g->scanout_id != 0, cur = g->cursor_id != 0;
    g->scanout_id = 0;
    g->cursor_id = 0;
    g->scanout = (struct rect){ 0 };
    g->cursor_x = g->cursor_y = 0;
    g->hot_x = g->hot_y = 0;
    /* the display lets go of the pixels before they are freed */
    if (shown)
        show_scanout(g);
    if (cur)
        show_cursor(g, 0, 0, 0, 0);
    free_all(g);
    g->events_read = 0;
    sync_config(g);
}

/* One resource: its pixels and its backing entries (a load validates as
 * RESOURCE_CREATE_2D and ATTACH_BACKING do). Returns the loaded resource
 * or NULL (st->error set). */
static struct resource *resource_state(struct gpu *g, struct resource *r, struct state *st)
{
    bool load = state_loading(st);
    struct resource tmp = { 0 };
    if (load)
        r = &tmp;
    state_u32(st, "id", &r->id);
    state_u32(st, "format", &r->format);
    state_unsigned(st, "width", &r->w);
    state_unsigned(st, "height", &r->h);
    uint64_t bytes = (uint64_t)r->w * r->h * BPP;
    if (load && !st->error &&
        (r->id == 0 || find_res(g, r->id) || !format_ok(r->format) || r->w == 0 || r->h == 0 ||
         r->w > VIRTIO_GPU_MAX_DIM || r->h > VIRTIO_GPU_MAX_DIM || bytes > g->max_hostmem - g->hostmem))
        state_fail(st, "virtio-gpu: a resource no guest could have made");
    if (st->error)
        return NULL;
    if (load) {
        r = calloc(1, sizeof *r);
        uint8_t *px = r ? malloc((size_t)bytes) : NULL;
        if (!px) {
            free(r);
            state_fail(st, "virtio-gpu: out of memory");
            return NULL;
        }
        *r = tmp;
        r->stride = (size_t)r->w * BPP;
        r->pixels = px;
        g->res[g->nres++] = r;
        g->hostmem += bytes;
    }
    state_bytes(st, "pixels", r->pixels, (size_t)bytes);
    state_unsigned(st, "backing", &r->nbk);
    if (load && !st->error && r->nbk > VIRTIO_GPU_MAX_BACKING_ENTRIES)
        state_fail(st, "virtio-gpu: too many backing entries");
    if (load && !st->error && r->nbk) {
        r->bk = calloc(r->nbk, sizeof *r->bk);
        if (!r->bk)
            state_fail(st, "virtio-gpu: out of memory");
    }
    for (unsigned i = 0; i < r->nbk && !st->error; i++) {
        struct backing *b = &r->bk[i];
        state_u64(st, "addr", &b->addr);
        state_u32(st, "len", &b->len);
        if (!load || st->error)
            continue;
        b->off = r->bk_len;
        r->bk_len += b->len;
        if (b->len && !bus_dma(g->vdev.bus, b->addr, b->len))
            state_fail(st, "virtio-gpu: a backing entry outside RAM");
    }
    if (st->error && load)
        detach(r);
    return r;
}

/* Resources, the scanout and the cursor; a load shows them again. */
static void gpu_state(struct virtio_dev *d, struct state *st)
{
    struct gpu *g = to_gpu(d);
    bool load = state_loading(st);
    state_section(st, "virtio-gpu", 1);
    state_u32(st, "events_read", &g->events_read);
    unsigned n = g->nres;
    state_unsigned(st, "resources", &n);
    if (load && !st->error && (g->nres || n > VIRTIO_GPU_MAX_RESOURCES))
        state_fail(st, "virtio-gpu: too many resources, or a device in use");
    for (unsigned i = 0; i < n && !st->error; i++)
        resource_state(g, load ? NULL : g->res[i], st);
    state_u32(st, "scanout_id", &g->scanout_id);
    state_u32(st, "scanout_x", &g->scanout.x);
    state_u32(st, "scanout_y", &g->scanout.y);
    state_u32(st, "scanout_w", &g->scanout.w);
    state_u32(st, "scanout_h", &g->scanout.h);
    state_u32(st, "cursor_id", &g->cursor_id);
    uint32_t cx = (uint32_t)g->cursor_x, cy = (uint32_t)g->cursor_y;
    state_u32(st, "cursor_x", &cx);
    state_u32(st, "cursor_y", &cy);
    state_u32(st, "hot_x", &g->hot_x);
    state_u32(st, "hot_y", &g->hot_y);
    if (!load)
        return;
    g->cursor_x = (int32_t)cx;
    g->cursor_y = (int32_t)cy;
    if (!st->error && g->scanout_id) {
        struct resource *r = find_res(g, g->scanout_id);
        if (!r || g->scanout.w == 0 || g->scanout.h == 0 || !rect_inside(&g->scanout, r->w, r->h))
            state_fail(st, "virtio-gpu: a scanout outside its resource");
    }
    if (!st->error && g->cursor_id && !find_res(g, g->cursor_id))
        state_fail(st, "virtio-gpu: a cursor of no resource");
    if (st->error) {
        g->scanout_id = g->cursor_id = 0;
        free_all(g);
        return;
    }
    sync_config(g);
    show_scanout(g);
    if (g->cursor_id)
        show_cursor(g, g->cursor_x, g->cursor_y, g->hot_x, g->hot_y);
}

static void gpu_free(struct virtio_dev *d)
{
    struct gpu *g = to_gpu(d);
    free_all(g);
    free(g);
}

static const struct virtio_device_ops gpu_ops = {
    .features = gpu_features,
    .config_write = gpu_config_write,
    .queue_notify = gpu_notify,
    .reset = gpu_reset,
    .state = gpu_state,
    .free = gpu_free,
};

struct virtio_dev *virtio_gpu_new(struct bus *bus, const struct virtio_gpu_options *opt,
                                  const struct virtio_gpu_display *display)
{
    struct gpu *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    static const uint16_t qmax[2] = { CONTROLQ_SIZE, CURSORQ_SIZE };
    virtio_dev_init(&g->vdev, &gpu_ops, bus, "virtio-gpu", VIRTIO_ID_GPU, 2, qmax, CONFIG_LEN);
    g->xres = opt && opt->xres ? opt->xres : 1024;
    g->yres = opt && opt->yres ? opt->yres : 768;
    if (g->xres < VIRTIO_GPU_MIN_RES || g->xres > VIRTIO_GPU_MAX_RES)
        g->xres = 1024;
    if (g->yres < VIRTIO_GPU_MIN_RES || g->yres > VIRTIO_GPU_MAX_RES)
        g->yres = 768;
    g->max_hostmem = opt && opt->max_hostmem ? opt->max_hostmem : VIRTIO_GPU_DEFAULT_HOSTMEM;
    if (display)
        g->disp = *display;
    virtio_gpu_make_edid(g->xres, g->yres, g->edid);
    virtio_st32(g->vdev.config + CFG_NUM_SCANOUTS, 1);
    virtio_st32(g->vdev.config + CFG_NUM_CAPSETS, 0);
    return &g->vdev;
}

uint64_t virtio_gpu_hostmem(struct virtio_dev *d)
{
    return to_gpu(d)->hostmem;
}

/* ---- the device type (bus/device.h) ---- */

static int gpu_create(struct device_instance *in, const struct device_args *a, char *err, size_t errlen)
{
    struct virtio_gpu_options opt = { 0 };
    uint64_t v;
    if (device_opt_u64(a, "xres", &v))
        opt.xres = (unsigned)v;
    if (device_opt_u64(a, "yres", &v))
        opt.yres = (unsigned)v;
    struct virtio_gpu_display d = { 0 };
    bool connect = a->display && a->display->claim_scanout(a->display->ctx, &d);
    in->vdev = virtio_gpu_new(a->bus, &opt, connect ? &d : NULL);
    return in->vdev ? 0 : errf(err, errlen, "out of memory");
}

static const struct device_option gpu_options[] = {
    { .name = "xres", .type = DEVOPT_U64, .arg = "N", .help = "width of the preferred mode", .def = "1024",
      .min = VIRTIO_GPU_MIN_RES,
      .max = VIRTIO_GPU_MAX_RES },
    { .name = "yres", .type = DEVOPT_U64, .arg = "N", .help = "height of the preferred mode", .def = "768",
      .min = VIRTIO_GPU_MIN_RES,
      .max = VIRTIO_GPU_MAX_RES },
    DEVOPT_END,
};

DEVICE_TYPE(virtio_gpu) = {
    .name = "virtio-gpu",
    .help = "2D display (xres=,yres=; shown by -display)",
    .kind = DEVICE_VIRTIO,
    .options = gpu_options,
    .create = gpu_create,
};
