//===- GpuWarp.h - exchanges between the lanes of a warp --------*- C++ -*-===//
//
// Reductions over neighbouring lanes, shared by the GPU kernels whose
// threads of one unit of work are lanes of one warp.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_GPUWARP_H
#define SEQC_LIB_TRANSFORMS_GPUWARP_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::seq {

/// The lanes of a warp.
constexpr int64_t kWarpLanes = 32;

/// The f32 sum of `x` over each aligned group of `lanes` neighbouring lanes
/// (a power of two up to a warp), in every lane of the group: a butterfly
/// of shuffles xor lanes / 2, .., 2, 1. Every lane of the warp must reach
/// it.
inline Value laneGroupSum(ImplicitLocOpBuilder &b, Value x, int64_t lanes) {
  for (int64_t offset = lanes / 2; offset >= 1; offset /= 2)
    x = arith::AddFOp::create(b, x,
                              gpu::ShuffleOp::create(b, x, int32_t(offset),
                                                     int32_t(kWarpLanes),
                                                     gpu::ShuffleMode::XOR)
                                  .getShuffleResult());
  return x;
}

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_GPUWARP_H
