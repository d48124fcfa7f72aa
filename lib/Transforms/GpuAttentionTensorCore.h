//===- GpuAttentionTensorCore.h - attention on tensor cores ---------------===//
//
// The tensor-core form of -seq-gpu-attention (GpuAttentionTensorCore.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_LIB_TRANSFORMS_GPUATTENTIONTENSORCORE_H
#define SEQC_LIB_TRANSFORMS_GPUATTENTIONTENSORCORE_H

#include "seqc/Dialect/Seq/IR/SeqOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::seq {

/// Why the tensor-core kernel cannot compute `op` (which the one-thread-
/// per-row kernel can), or null.
const char *tensorCoreUnsupportedReason(AttentionOp op);

/// Replaces `op` with a warp-per-16-query-rows kernel whose score and value
/// products are mma.sync.m16n8k16 (FlashAttention-2's register layout);
/// with `sharedMemory`, blocks of 4 warps stage K and V in shared memory
/// 64 keys at a time.
void lowerAttentionOnTensorCores(ImplicitLocOpBuilder &b, AttentionOp op,
                                 bool sharedMemory);

} // namespace mlir::seq

#endif // SEQC_LIB_TRANSFORMS_GPUATTENTIONTENSORCORE_H
