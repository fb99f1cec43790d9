/* Floating-point kernel (double): a dense matrix multiply (loads and
 * fused multiply-adds) and an n-body simulation (divisions, square
 * roots).  IEEE arithmetic is exact to the bit, so the checksum over the
 * raw bits is deterministic on any correct RV64D implementation. */
#include "bench.h"

#define MAT_N 72
#define MAT_ROUNDS 60
#define NBODY_STEPS 220000

union bits { double d; uint64_t u; };

/* fsqrt.d directly: __builtin_sqrt would call libm's sqrt for errno */
static inline double fsqrt(double x)
{
    double r;

    __asm__("fsqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
}

static uint64_t dbits(double d)
{
    union bits b = { .d = d };
    return b.u;
}

static void matmul(const double *a, const double *b, double *c, int n)
{
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            c[i * n + j] = 0.0;
        for (int k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (int j = 0; j < n; j++)
                c[i * n + j] += aik * b[k * n + j];
        }
    }
}

struct body { double x, y, z, vx, vy, vz, m; };

static void nbody_advance(struct body *b, int n, double dt)
{
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            double dx = b[i].x - b[j].x;
            double dy = b[i].y - b[j].y;
            double dz = b[i].z - b[j].z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * fsqrt(d2));
            b[i].vx -= dx * b[j].m * mag;
            b[i].vy -= dy * b[j].m * mag;
            b[i].vz -= dz * b[j].m * mag;
            b[j].vx += dx * b[i].m * mag;
            b[j].vy += dy * b[i].m * mag;
            b[j].vz += dz * b[i].m * mag;
        }
    }
    for (int i = 0; i < n; i++) {
        b[i].x += dt * b[i].vx;
        b[i].y += dt * b[i].vy;
        b[i].z += dt * b[i].vz;
    }
}

static double nbody_energy(const struct body *b, int n)
{
    double e = 0.0;

    for (int i = 0; i < n; i++) {
        e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < n; j++) {
            double dx = b[i].x - b[j].x;
            double dy = b[i].y - b[j].y;
            double dz = b[i].z - b[j].z;
            e -= b[i].m * b[j].m / fsqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

uint64_t kernel_float(void)
{
    const int n = MAT_N;
    double *a = heap_alloc(n * n * sizeof(double));
    double *b = heap_alloc(n * n * sizeof(double));
    double *c = heap_alloc(n * n * sizeof(double));
    struct rng r = { 0xfeedfacecafebeefULL };
    uint64_t sum = 0;

    if (!a || !b || !c)
        return 0;
    for (int i = 0; i < n * n; i++) {
        a[i] = (double)(int64_t)(rng_next(&r) % 2001 - 1000) / 256.0;
        b[i] = (double)(int64_t)(rng_next(&r) % 2001 - 1000) / 512.0;
    }
    for (int round = 0; round < MAT_ROUNDS; round++) {
        matmul(a, b, c, n);
        /* feed the result back, scaled to stay finite */
        for (int i = 0; i < n * n; i++)
            a[i] = c[i] / (1.0 + __builtin_fabs(c[i])) + a[i] * 0.5;
    }
    for (int i = 0; i < n * n; i++)
        sum = mix64(sum, dbits(a[i]));
    mark("matmul");

    /* a sun and four planets, in solar masses, AU and AU/day */
    struct body sys[5] = {
        { 0, 0, 0, 0, 0, 0, 39.47841760435743 },
        { 4.84143144246472090, -1.16032004402742839, -0.103622044471123109,
          0.606326392995832, 2.81198684491626, -0.02521836165988763, 0.03769367487038949 },
        { 8.34336671824457987, 4.12479856412430479, -0.403523417114321381,
          -1.01077434617730, 1.82566237123041, 0.00841576137658415, 0.011286326131968767 },
        { 12.8943695621391310, -15.1111514016986312, -0.223307578892655734,
          1.08279100644154, 0.868713018169608, -0.01010834236877, 0.0017237240570597112 },
        { 15.3796971148509165, -25.9193146099879641, 0.179258772950371181,
          0.979090732243898, 0.594698998647676, -0.034755955504078, 0.0020336868699246304 },
    };
    sum = mix64(sum, dbits(nbody_energy(sys, 5)));
    for (int step = 0; step < NBODY_STEPS; step++)
        nbody_advance(sys, 5, 0.01);
    sum = mix64(sum, dbits(nbody_energy(sys, 5)));
    for (int i = 0; i < 5; i++)
        sum = mix64(sum, dbits(sys[i].x) ^ dbits(sys[i].vy));
    mark("nbody");
    return sum;
}
