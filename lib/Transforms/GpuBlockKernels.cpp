//===- GpuBlockKernels.cpp - kernels whose threads cooperate --------------===//
//
// The conventions of GpuBlockKernels.h, and gpu.barrier's memory effects: a
// read and a write of memory in general, so that buffer deallocation
// accepts kernels with barriers and no pass moves a memory access across
// one.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/GpuBlockKernels.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace {
struct BarrierMemoryEffects
    : MemoryEffectOpInterface::ExternalModel<BarrierMemoryEffects,
                                             gpu::BarrierOp> {
  void
  getEffects(Operation *,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};
} // namespace

void mlir::seq::setBlockSize(Operation *loop, int64_t threads) {
  loop->setAttr(
      kBlockSizeAttr,
      IntegerAttr::get(IntegerType::get(loop->getContext(), 64), threads));
}

MemRefType mlir::seq::sharedBufferType(ArrayRef<int64_t> shape, Type element) {
  return MemRefType::get(
      shape, element, MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(element.getContext(),
                                 gpu::AddressSpace::Workgroup));
}

void mlir::seq::registerGpuBarrierEffects(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, gpu::GPUDialect *) {
    gpu::BarrierOp::attachInterface<BarrierMemoryEffects>(*context);
  });
}
