//===- GpuBlockKernels.h - kernels whose threads cooperate ------*- C++ -*-===//
//
// seqc's GPU lowerings create kernels as scf.parallel loops before
// bufferization; seq-gpu-map-parallel-loops maps them to blocks later. A
// kernel whose threads cooperate as a block (workgroup memory, barriers)
// says so with the two conventions here:
//
// - `kBlockSizeAttr` on its scf.parallel: the block size it was written
//   for, which the mapping then uses (consecutive iterations form a block);
//   the kernel pads its iteration count to a multiple of it, so that every
//   thread of a block reaches its barriers;
// - a `memref.alloca` in `#gpu.address_space<workgroup>` at the top of the
//   loop's body is the block's shared buffer (a workgroup attribution of
//   the launch), not a buffer per iteration.
//
// gpu.barrier declares no memory effects, and ownership-based buffer
// deallocation refuses ops with unknown effects; registerGpuBarrierEffects
// gives it what a barrier does: a read and a write of memory in general.
//
//===----------------------------------------------------------------------===//

#ifndef SEQC_TRANSFORMS_GPUBLOCKKERNELS_H
#define SEQC_TRANSFORMS_GPUBLOCKKERNELS_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class DialectRegistry;
class Operation;
} // namespace mlir

namespace mlir::seq {

/// The block size a cooperating kernel's scf.parallel was written for.
constexpr llvm::StringLiteral kBlockSizeAttr = "seq.gpu_block_size";

/// Marks `loop` (an scf.parallel) as a kernel of blocks of `threads`
/// consecutive iterations.
void setBlockSize(Operation *loop, int64_t threads);

/// The type of a block's shared buffer: `shape` of `element` in workgroup
/// memory.
MemRefType sharedBufferType(ArrayRef<int64_t> shape, Type element);

/// Attaches MemoryEffectOpInterface (read and write) to gpu.barrier.
void registerGpuBarrierEffects(DialectRegistry &registry);

} // namespace mlir::seq

#endif // SEQC_TRANSFORMS_GPUBLOCKKERNELS_H
