/* How fast the register tile that seqc's CPU kernels share runs by itself:
 * 2 vectors of 16 rows (a transposed panel, loaded) by NR columns (one
 * broadcast each) per step of k, 2 NR FMAs, on data in L1 (the score loop
 * of seq-flash-attention: k = D, NR = 8 keys) or streaming through L2 (the
 * panel kernel of seq-fast-matmul: k = K, NR = 12 outputs, 4 panels per
 * tile of w). One thread; run two copies at once to load both cores.
 * A diagnostic, not a baseline: it says how much of the kernels' distance
 * from the FMA peak is the tile itself (docs/performance.md). Build:
 *   clang-22 -O3 -march=native bench/register_tile.c -o /tmp/register_tile
 *   /tmp/register_tile            # both shapes */

#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One tile: 32 rows of xT [depth][32] by NR rows of w (row stride ldw)
 * over `depth` steps; the 2 NR sums are stored to out. NR is a constant of
 * each instance, so that the accumulators stay in registers. */
#define DEFINE_TILE(NAME, NR)                                                  \
  static __attribute__((noinline)) void NAME(                                 \
      const float *xT, const float *w, long ldw, long depth, float *out) {     \
    __m512 acc[2 * NR];                                                        \
    for (int i = 0; i < 2 * NR; ++i)                                           \
      acc[i] = _mm512_setzero_ps();                                            \
    for (long k = 0; k < depth; ++k) {                                         \
      __m512 low = _mm512_load_ps(xT + k * 32);                                \
      __m512 high = _mm512_load_ps(xT + k * 32 + 16);                          \
      for (int c = 0; c < NR; ++c) {                                           \
        __m512 b = _mm512_set1_ps(w[c * ldw + k]);                             \
        acc[c] = _mm512_fmadd_ps(low, b, acc[c]);                              \
        acc[NR + c] = _mm512_fmadd_ps(high, b, acc[NR + c]);                   \
      }                                                                        \
    }                                                                          \
    for (int c = 0; c < NR; ++c) {                                             \
      _mm512_store_ps(out + 32 * c, acc[c]);                                   \
      _mm512_store_ps(out + 32 * c + 16, acc[NR + c]);                         \
    }                                                                          \
  }
DEFINE_TILE(tile8, 8)
DEFINE_TILE(tile12, 12)

typedef void tile_fn(const float *, const float *, long, long, float *);

/* GFLOP/s of `panels` panels of depth `depth` against `columns` rows of w,
 * tiles of nr, best of 20. */
static double run(long depth, long panels, long columns, int nr,
                  tile_fn *tile, int inner) {
  float *xT = aligned_alloc(64, panels * depth * 32 * sizeof(float));
  float *w = aligned_alloc(64, columns * depth * sizeof(float));
  float *out = aligned_alloc(64, 2 * 12 * 16 * sizeof(float));
  for (long i = 0; i < panels * depth * 32; ++i)
    xT[i] = 1e-3f * (float)(i % 7);
  for (long i = 0; i < columns * depth; ++i)
    w[i] = 1e-3f * (float)(i % 5);
  double best = 1e30;
  for (int rep = 0; rep < 20; ++rep) {
    double t0 = now();
    for (int it = 0; it < inner; ++it)
      for (long n = 0; n + nr <= columns; n += nr)
        for (long p = 0; p < panels; ++p)
          tile(xT + p * depth * 32, w + n * depth, depth, depth, out);
    double t = now() - t0;
    if (t < best)
      best = t;
  }
  double flops = 2.0 * inner * 32 * panels * (double)(columns / nr * nr) * depth;
  free(xT);
  free(w);
  free(out);
  return flops / best / 1e9;
}

int main(void) {
  printf("attention score tile (D 64, 8 keys, 128 keys, in L1): %.1f GFLOP/s\n",
         run(64, 1, 128, 8, tile8, 200));
  printf("projection panel tile (K 768, 12 outputs, 4 panels, N 2048): "
         "%.1f GFLOP/s\n",
         run(768, 4, 2048, 12, tile12, 1));
  return 0;
}
