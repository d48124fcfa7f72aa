/*===- quantize.c - weight quantization and rounding at load time ---------===*/

#include "quantize.h"

#include <math.h>
#include <string.h>

void seqc_quantize_row(const float *row, int64_t k, int bits, int64_t group,
                       int8_t *q, float *scales, int8_t *zeros) {
  /* Symmetric: [-limit, limit]; asymmetric: [lowest, limit]. */
  float limit = bits == 8 ? 127.0f : 7.0f;
  float lowest = zeros ? -limit - 1.0f : -limit;
  for (int64_t g = 0; g < k / group; ++g) {
    const float *w = row + g * group;
    float max = 0.0f, min = 0.0f, scale, zero = 0.0f;
    for (int64_t i = 0; i < group; ++i) {
      max = fmaxf(max, zeros ? w[i] : fabsf(w[i]));
      min = fminf(min, w[i]);
    }
    if (zeros) {
      scale = max > min ? (max - min) / (limit - lowest) : 1.0f;
      zero = nearbyintf(lowest - min / scale);
      zeros[g] = (int8_t)fminf(fmaxf(zero, lowest), limit);
      zero = zeros[g];
    } else {
      scale = max > 0.0f ? max / limit : 1.0f;
    }
    scales[g] = scale;
    for (int64_t i = 0; i < group; ++i) {
      /* nearbyintf rounds half to even (the default rounding mode), as
       * NumPy's round does. */
      float v = fminf(fmaxf(nearbyintf(w[i] / scale) + zero, lowest), limit);
      int8_t value = (int8_t)v;
      if (bits == 8) {
        q[g * group + i] = value;
      } else {
        int64_t half = group / 2;
        uint8_t *byte = (uint8_t *)&q[g * half + i % half];
        if (i < half)
          *byte = (uint8_t)((*byte & 0xF0u) | ((uint8_t)value & 0x0Fu));
        else
          *byte = (uint8_t)((*byte & 0x0Fu) | ((uint8_t)value << 4));
      }
    }
  }
}

void seqc_hadamard_row(float *row, int64_t k, int64_t block, double *x) {
  /* Butterflies in double, rounded once: the rotated weight is then the
   * float nearest the exact product, whatever the order of the sums. */
  double norm = 1.0 / sqrt((double)block);
  for (int64_t b = 0; b < k / block; ++b) {
    for (int64_t i = 0; i < block; ++i)
      x[i] = row[b * block + i];
    for (int64_t h = 1; h < block; h *= 2)
      for (int64_t i = 0; i < block; i += 2 * h)
        for (int64_t j = i; j < i + h; ++j) {
          double a = x[j], c = x[j + h];
          x[j] = a + c;
          x[j + h] = a - c;
        }
    for (int64_t i = 0; i < block; ++i)
      row[b * block + i] = (float)(x[i] * norm);
  }
}

void seqc_round_bf16_row(const float *row, int64_t k, uint16_t *out) {
  for (int64_t i = 0; i < k; ++i) {
    uint32_t bits;
    memcpy(&bits, &row[i], 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u)
      out[i] = (uint16_t)((bits >> 16) | 0x40u); /* quiet NaN */
    else
      out[i] = (uint16_t)((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
  }
}
