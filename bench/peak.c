/* The machine's measured peaks, for the benchmark's "fraction of peak":
 *   fp32 FMA throughput: independent FMA chains in vector registers, on
 *   every core (OpenMP);
 *   memory bandwidth: a STREAM-style triad a = b + s * c over arrays much
 *   larger than the caches, on every core.
 * Prints "peak_gflops <x>" and "peak_gbs <y>". Build:
 *   clang -O3 -march=native -fopenmp peak.c -o peak */

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One vector register of floats, and enough independent FMA chains to hide
 * the FMA latency without running out of registers.
 *
 * With AVX-512, clang prefers 256-bit vectors for -march=native and splits
 * a 64-byte vector into two ymm halves unless told otherwise: this loop then
 * measured the 256-bit peak, 257 GFLOP/s on the 2-core Xeon VM, against 460
 * with zmm registers (the kernels' width), and every "fraction of peak"
 * reported before 2026-12-03 (docs/performance.md) was that much too high.
 * min_vector_width(512) keeps the loop in zmm registers whatever the flags. */
#ifdef __AVX512F__
typedef float vec __attribute__((vector_size(64)));
#define CHAINS 10
#define FULL_WIDTH __attribute__((min_vector_width(512)))
#else
typedef float vec __attribute__((vector_size(32)));
#define CHAINS 12
#define FULL_WIDTH
#endif
#define LANES ((int)(sizeof(vec) / sizeof(float)))

FULL_WIDTH static float fma_kernel(long iterations, float seed) {
  vec acc[CHAINS];
  for (int c = 0; c < CHAINS; ++c)
    for (int l = 0; l < LANES; ++l)
      acc[c][l] = seed + c + l * 1e-3f;
  vec a, b;
  for (int l = 0; l < LANES; ++l) {
    a[l] = 0.999999f;
    b[l] = 1e-7f;
  }
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < CHAINS; ++c)
      acc[c] = acc[c] * a + b;
  float sum = 0;
  for (int c = 0; c < CHAINS; ++c)
    for (int l = 0; l < LANES; ++l)
      sum += acc[c][l];
  return sum;
}

int main(void) {
  long iterations = 20000000;
  int threads = omp_get_max_threads();
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    double t0 = now();
    float sink = 0;
#pragma omp parallel reduction(+ : sink)
    sink += fma_kernel(iterations, (float)omp_get_thread_num());
    double t = now() - t0;
    double gflops = 2.0 * CHAINS * LANES * iterations * threads / t / 1e9;
    if (gflops > best)
      best = gflops;
    if (sink == 12345.0f)
      printf("%f\n", sink);
  }
  printf("peak_gflops %.2f\n", best);

  long n = 1L << 25; /* 3 arrays x 128 MiB */
  float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float)),
        *c = malloc(n * sizeof(float));
#pragma omp parallel for
  for (long i = 0; i < n; ++i) {
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  double bestBw = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now();
#pragma omp parallel for
    for (long i = 0; i < n; ++i)
      a[i] = b[i] + 3.0f * c[i];
    double t = now() - t0;
    double gbs = 3.0 * n * sizeof(float) / t / 1e9;
    if (gbs > bestBw)
      bestBw = gbs;
  }
  printf("peak_gbs %.2f\n", bestBw);
  if (a[n / 2] != 7.0f)
    return 1;
  return 0;
}
