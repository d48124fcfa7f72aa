//===- GpuBF16Mma.cpp - -seq-gpu-bf16-mma ---------------------------------===//
//
// nvgpu.mma.sync on bf16 operands -> nvvm.mma.sync (see the pass
// description in Passes.td): upstream's convert-nvgpu-to-nvvm (LLVM 22)
// cannot deduce the PTX type of bf16 operands, while NVVM's mma.sync takes
// them as i32 registers of two bf16 each, as PTX does.
//
//===----------------------------------------------------------------------===//

#include "seqc/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::seq {
#define GEN_PASS_DEF_SEQGPUBF16MMA
#include "seqc/Transforms/Passes.h.inc"
} // namespace mlir::seq

using namespace mlir;

/// Rewrites one m16n8k16 bf16 mma.sync with an f32 accumulator; false for
/// any other form (left to convert-nvgpu-to-nvvm and its diagnostics).
static bool rewrite(nvgpu::MmaSyncOp op) {
  auto aType = op.getMatrixA().getType();
  auto cType = op.getMatrixC().getType();
  if (!aType.getElementType().isBF16() || !cType.getElementType().isF32() ||
      op.getMmaShapeAsArray() != std::array<int64_t, 3>{16, 8, 16})
    return false;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  // Register r of a [registers x 2] fragment as one i32.
  auto registers = [&](Value fragment, int64_t count) {
    SmallVector<Value> words;
    for (int64_t r = 0; r < count; ++r)
      words.push_back(LLVM::BitcastOp::create(
          b, i32, vector::ExtractOp::create(b, fragment, ArrayRef<int64_t>{r})));
    return words;
  };
  SmallVector<Value> accumulator;
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t j = 0; j < 2; ++j)
      accumulator.push_back(vector::ExtractOp::create(b, op.getMatrixC(),
                                                      ArrayRef<int64_t>{r, j}));
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                     {f32, f32, f32, f32});
  Value mma = NVVM::MmaOp::create(
      b, resultType, registers(op.getMatrixA(), 4),
      registers(op.getMatrixB(), 2), accumulator, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> elements;
  for (int64_t i = 0; i < 4; ++i)
    elements.push_back(LLVM::ExtractValueOp::create(b, mma, i));
  op.replaceAllUsesWith(
      vector::FromElementsOp::create(b, cType, elements).getResult());
  op.erase();
  return true;
}

namespace {
struct SeqGpuBF16MmaPass
    : mlir::seq::impl::SeqGpuBF16MmaBase<SeqGpuBF16MmaPass> {
  void runOnOperation() override {
    SmallVector<nvgpu::MmaSyncOp> ops;
    getOperation()->walk([&](nvgpu::MmaSyncOp op) { ops.push_back(op); });
    for (nvgpu::MmaSyncOp op : ops)
      rewrite(op);
  }
};
} // namespace
