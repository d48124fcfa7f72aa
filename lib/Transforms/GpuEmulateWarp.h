//===- GpuEmulateWarp.h - warp-synchronous kernels on the host ------------===//
//
// Part of -seq-gpu-emulate-on-host: kernels whose lanes exchange values
// (nvgpu.mma.sync, gpu.shuffle) run a warp at a time, kernels whose threads
// cooperate (gpu.barrier, workgroup memory) a block at a time
// (GpuEmulateWarp.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_GPUEMULATEWARP_H
#define SEQC_LIB_TRANSFORMS_GPUEMULATEWARP_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::seq {

/// Whether `op` or an op inside it exchanges values between lanes (or
/// waits for the block's other threads), so that the threads of `op`'s
/// kernel cannot run one at a time.
bool exchangesBetweenLanes(Operation *op);

/// Whether the threads of `launch` cooperate as a block (workgroup memory,
/// barriers), so that a whole block must run in lockstep.
bool cooperatesAsBlock(gpu::LaunchOp launch);

/// Replaces `launch` (one-dimensional blocks of whole warps) with an
/// scf.parallel over its warps, each running its 32 lanes in lockstep on
/// the host, or, when its threads cooperate as a block, over its blocks,
/// each running all of its lanes in lockstep.
LogicalResult emulateWarpLaunch(gpu::LaunchOp launch);

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_GPUEMULATEWARP_H
