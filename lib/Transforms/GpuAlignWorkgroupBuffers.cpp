//===- GpuAlignWorkgroupBuffers.cpp - -seq-gpu-align-workgroup-buffers ----===//
//
// Every workgroup attribution of a gpu.func gets `llvm.align = 16` (see the
// pass description in Passes.td): the GPU-to-NVVM lowering otherwise gives
// the shared buffer its element type's alignment (2 bytes for f16), while
// the kernels copy 16 bytes at a time into buffers whose rows are 16-byte
// multiples, and LLVM merges neighbouring stores into 16-byte ones.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUALIGNWORKGROUPBUFFERS
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

namespace {
constexpr int64_t kAlignment = 16;

struct SeqGpuAlignWorkgroupBuffersPass
    : mlir::seq::impl::SeqGpuAlignWorkgroupBuffersBase<
          SeqGpuAlignWorkgroupBuffersPass> {
  void runOnOperation() override {
    getOperation()->walk([](gpu::GPUFuncOp func) {
      auto name = LLVM::LLVMDialect::getAlignAttrName();
      for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e; ++i) {
        auto current = dyn_cast_or_null<IntegerAttr>(
            func.getWorkgroupAttributionAttr(i, name));
        if (current && current.getInt() >= kAlignment)
          continue;
        func.setWorkgroupAttributionAttr(
            i, name,
            IntegerAttr::get(IntegerType::get(func.getContext(), 64),
                             kAlignment));
      }
    });
  }
};
} // namespace
