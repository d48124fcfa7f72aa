//===- FastMatmulPanels.h - projections of many rows ------------*- C++ -*-===//
//
// The projection kernel for inputs of many rows (a prompt, a batch of
// sequences), f32 weights or weights converted to f32 a tile at a time;
// FastMatmul.cpp chooses between it and its dot-product kernel at run time
// by the number of rows.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_FASTMATMULPANELS_H
#define SEQC_LIB_TRANSFORMS_FASTMATMULPANELS_H

#include "KernelBuilder.h"
#include "ProjectionTasks.h"

namespace mlir::seq {

/// Rows per batch entry from which the panel kernel runs. A panel holds 2
/// vectors of rows, zero past the last: with 16 rows (half a panel on
/// AVX-512) it ran a 768 x 2048 projection at 89-99 GFLOP/s and the dot
/// products at 104-117; with 24 rows the panels ran at 101-141 and the dot
/// products at 88-100.
constexpr int64_t kPanelMinRows = 20;

/// How the panel kernel reads a weight stored other than as f32 [N, K]
/// (a seq.dequantize): `fill(tile, n, cols)` writes the f32 weights of
/// outputs [n, n + cols) into rows of `tile` [NR, depth] (group scales
/// applied), and `finish(sum, n)` applies what is left per output (a
/// per-channel scale) to a finished sum.
struct DequantizedWeights {
  function_ref<void(Value, Value, int64_t)> fill;
  function_ref<Value(Value, Value)> finish;
};

/// Outputs per register tile (NR): 2 x NR accumulators are 24 of AVX-512's
/// 32 vector registers, 12 of AVX2's 16.
constexpr int64_t panelTileOutputs(int64_t lanes) {
  return lanes == 16 ? 12 : 6;
}

/// Whether a task's tile of dequantized weights (NR outputs by `depth`
/// f32 on its stack) stays within 1 MiB: an OpenMP worker's stack is 4 MiB
/// by default. Beyond, quantized weights keep the dot products.
constexpr bool dequantizedTileFits(int64_t lanes, int64_t depth) {
  return panelTileOutputs(lanes) * depth * 4 <= (int64_t{1} << 20);
}

/// Emits y = init + x w^T into `tasks.y` for f32 `x` [B?, rows, depth] and
/// `w` [tasks.outputs, depth], with x copied into row panels first. With
/// `dequantized`, `w` is not read: each task converts a tile of weights at
/// a time into a stack buffer through it and reuses it for all its panels.
void emitPanelProjection(VectorKernelBuilder &kb, const ProjectionTasks &tasks,
                         Value x, Value w, Value init, int64_t depth,
                         const DequantizedWeights *dequantized = nullptr);

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_FASTMATMULPANELS_H
