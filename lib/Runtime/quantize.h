/*===- quantize.h - symmetric weight quantization at load time ------------===*
 *
 * The int8 / packed int4 layout of seq.dequantize (docs/quantization.md):
 * per group of `group` inputs of a row, scale = max|w| / limit (127 or 7;
 * 1 for an all-zero group), q = round-half-even(w / scale) clamped to
 * [-limit, limit]. For 4 bits, byte j of a group holds input j in its low
 * nibble and input group/2 + j in its high nibble.
 *===----------------------------------------------------------------------===*/

#ifndef SEQC_RUNTIME_QUANTIZE_H
#define SEQC_RUNTIME_QUANTIZE_H

#include <stdint.h>

/* Quantizes one row of `k` floats: writes k (8 bits) or k / 2 (4 bits)
 * bytes to `q` and k / group scales to `scales`. With `zeros` (not NULL),
 * asymmetrically: each group's range [min(w, 0), max(w, 0)] spans the
 * integers [-2^(b-1), 2^(b-1) - 1], scale = (max - min) / (2^b - 1) (1 for
 * an all-zero group), zero = round(-2^(b-1) - min / scale), q =
 * clamp(round(w / scale) + zero); k / group zero points go to `zeros`. */
void seqc_quantize_row(const float *row, int64_t k, int bits, int64_t group,
                       int8_t *q, float *scales, int8_t *zeros);

/* Rounds `k` floats to bfloat16 (to nearest, ties to even; a NaN stays a
 * quiet NaN), as the bf16 patterns seq.dequantize's bits 16 reads. */
void seqc_round_bf16_row(const float *row, int64_t k, uint16_t *out);

/* Rotates one row of `k` floats in place by the normalized Walsh-Hadamard
 * matrix of `block` (a power of two dividing k), block by block, as
 * seq.hadamard does: with a projection's input rotated so, the weight rows
 * rotated so give the same products. */
void seqc_hadamard_row(float *row, int64_t k, int64_t block,
                       double *scratch /* block doubles */);

#endif /* SEQC_RUNTIME_QUANTIZE_H */
